//! Support for the workspace's tests (`tests/tests/*.rs`): a loopback HTTP server that records what
//! arrives, and the reader that turns a generated file into its public-surface listing.

pub mod faulty;
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

/// Prints a figure a test measured (cases fuzzed, connections seen) so that it shows in the output of
/// `cargo test` even when the test passes: libtest captures `println!`, not a direct write to stderr.
pub fn report(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
