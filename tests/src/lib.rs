//! Support for the workspace's tests (`tests/tests/*.rs`): a loopback HTTP server that records what
//! arrives, the manifest `cargo xtask generate` writes for the tests, and each SDK's public-surface listing.

pub mod faulty;
pub mod hostile;
pub mod prism;
pub mod server;
pub mod surface;

/// The workspace's root folder (the parent of `tests/`).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives one folder below the workspace root")
        .to_path_buf()
}

/// `specs/<provider>.yaml`, read at test time, as JSON.
pub fn spec(provider: &str) -> serde_json::Value {
    let path = workspace_root()
        .join("specs")
        .join(format!("{provider}.yaml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_norway::from_str(&text).expect("the spec is YAML")
}

/// `tests/manifest/<provider>.json`: what `cargo xtask generate` knows about one SDK (its operations, their
/// arguments, the public surface).
pub fn manifest(provider: &str) -> serde_json::Value {
    let path = workspace_root()
        .join("tests/manifest")
        .join(format!("{provider}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): run `cargo xtask generate`",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the manifest is JSON")
}

/// Every provider, in the xtask's order (`tests/manifest/providers.json`, written from
/// `xtask/src/providers.rs`: the one list).
pub fn providers() -> Vec<String> {
    let path = workspace_root().join("tests/manifest/providers.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): run `cargo xtask generate`",
            path.display()
        )
    });
    let list: serde_json::Value = serde_json::from_str(&text).expect("the list is JSON");
    list["providers"]
        .as_array()
        .expect("a provider list")
        .iter()
        .map(|p| p["name"].as_str().expect("a name").to_string())
        .collect()
}

/// Prints a figure a test measured (cases fuzzed, connections seen) so that it shows in the output of
/// `cargo test` even when the test passes: libtest captures `println!`, not a direct write to stderr.
pub fn report(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
