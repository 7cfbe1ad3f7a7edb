//! The workspace's pinned npm tools (package.json + package-lock.json): installed on demand, run from
//! `node_modules/.bin`, never fetched at run time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::providers;

/// The path of a pinned npm tool's executable (`redocly`, `spectral`, `prism`, ...), after running
/// `npm ci --no-audit --no-fund` if `node_modules` is missing or does not match `package-lock.json`.
pub fn tool(name: &str) -> Result<PathBuf, String> {
    let root = providers::workspace_root();
    ensure_installed(&root)?;
    let path = root.join("node_modules").join(".bin").join(name);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "{} does not exist: `{name}` is not a dependency in package.json",
            path.display()
        ))
    }
}

/// Runs `npm ci` when the installed tree is missing or stale.
fn ensure_installed(root: &Path) -> Result<(), String> {
    let wanted = read_json(&root.join("package-lock.json"))?;
    let installed_lock = root.join("node_modules").join(".package-lock.json");
    let reason = if !installed_lock.exists() {
        "node_modules is missing".to_string()
    } else {
        match installed_matches(&wanted, &read_json(&installed_lock)?) {
            Ok(()) => return Ok(()),
            Err(difference) => format!("node_modules is stale ({difference})"),
        }
    };
    println!("npm: {reason}; running `npm ci --no-audit --no-fund`");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root)
        .status()
        .map_err(|e| {
            format!(
                "cannot run npm ({e}); install Node.js 20+ and npm (Debian: `apt-get install -y nodejs npm`)"
            )
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`npm ci --no-audit --no-fund` failed ({status})"))
    }
}

/// Compares `package-lock.json` with npm's record of what it installed (`node_modules/.package-lock.json`):
/// every package of the lock must be installed with the same entry, except optional ones for other
/// platforms (npm leaves them out), and nothing else may be installed.
fn installed_matches(wanted: &Value, installed: &Value) -> Result<(), String> {
    let empty = serde_json::Map::new();
    let wanted = wanted["packages"].as_object().unwrap_or(&empty);
    let installed = installed["packages"].as_object().unwrap_or(&empty);
    for (key, entry) in wanted.iter().filter(|(key, _)| !key.is_empty()) {
        match installed.get(key) {
            Some(have) if have == entry => {}
            Some(have) => {
                return Err(format!(
                    "{key}: lock has {}, installed is {}",
                    entry["version"], have["version"]
                ));
            }
            None if entry["optional"] == Value::Bool(true) => {}
            None => return Err(format!("{key} is not installed")),
        }
    }
    match installed.keys().find(|key| !wanted.contains_key(*key)) {
        Some(extra) => Err(format!("{extra} is installed but not in the lock")),
        None => Ok(()),
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lock(packages: Value) -> Value {
        json!({ "packages": packages })
    }

    #[test]
    fn same_tree_matches_and_skipped_optional_packages_are_fine() {
        let wanted = lock(json!({
            "": {"name": "root"},
            "node_modules/a": {"version": "1.0.0"},
            "node_modules/fsevents": {"version": "2.3.3", "optional": true}
        }));
        let installed = lock(json!({ "node_modules/a": {"version": "1.0.0"} }));
        assert_eq!(installed_matches(&wanted, &installed), Ok(()));
    }

    #[test]
    fn other_version_missing_or_extra_package_is_stale() {
        let wanted = lock(json!({ "node_modules/a": {"version": "1.0.0"} }));
        let other = lock(json!({ "node_modules/a": {"version": "1.0.1"} }));
        assert!(
            installed_matches(&wanted, &other)
                .unwrap_err()
                .contains("node_modules/a")
        );
        assert!(installed_matches(&wanted, &lock(json!({}))).is_err());
        let extra = lock(json!({
            "node_modules/a": {"version": "1.0.0"},
            "node_modules/b": {"version": "1.0.0"}
        }));
        assert!(
            installed_matches(&wanted, &extra)
                .unwrap_err()
                .contains("node_modules/b")
        );
    }
}
