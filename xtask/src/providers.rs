//! The providers this workspace knows, and where their files live.

use std::path::{Path, PathBuf};

/// Every provider, in the order commands process them.
pub const ALL: &[&str] = &[
    "mailchannels",
    "mailup",
    "hostway",
    "greenview",
    "resellerclub",
];

/// The checkout's root folder (the parent of `xtask/`), wherever `cargo xtask` was started from.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one folder below the workspace root")
        .to_path_buf()
}

pub fn spec_path(provider: &str) -> PathBuf {
    workspace_root()
        .join("specs")
        .join(format!("{provider}.yaml"))
}

/// A provider's spec as named in messages: `specs/<provider>.yaml`.
pub fn spec_file(provider: &str) -> String {
    format!("specs/{provider}.yaml")
}

/// Reads a provider's spec from its YAML, as JSON.
pub fn read_spec(provider: &str) -> Result<serde_json::Value, String> {
    let file = spec_file(provider);
    let text = std::fs::read_to_string(spec_path(provider))
        .map_err(|e| format!("{file}: cannot read: {e}"))?;
    serde_norway::from_str(&text).map_err(|e| format!("{file}: not valid YAML: {e}"))
}

/// The generated file of a provider's crate, relative to the workspace root.
pub fn generated_file(provider: &str) -> String {
    format!("sdk-{provider}/src/generated.rs")
}

/// The generated httpmock helpers of a provider's crate (feature `mock`), relative to the workspace root.
pub fn mock_file(provider: &str) -> String {
    format!("sdk-{provider}/src/mock.rs")
}

/// Resolves the names given on the command line; no names means every provider that has a spec.
pub fn select(names: &[String]) -> Result<Vec<&'static str>, String> {
    if names.is_empty() {
        return Ok(ALL
            .iter()
            .copied()
            .filter(|p| spec_path(p).exists())
            .collect());
    }
    names
        .iter()
        .map(|name| {
            let provider = ALL.iter().copied().find(|p| p == name).ok_or_else(|| {
                format!("unknown provider `{name}`; valid names: {}", ALL.join(", "))
            })?;
            if !spec_path(provider).exists() {
                return Err(format!(
                    "no spec for provider `{provider}`: {} does not exist; valid names: {}",
                    spec_path(provider).display(),
                    ALL.join(", ")
                ));
            }
            Ok(provider)
        })
        .collect()
}
