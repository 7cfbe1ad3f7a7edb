//! `cargo xtask test`: every test and check of the workspace, in the order that fails fastest.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{diff, providers};

/// What runs before a step's command.
type Prepare = fn() -> Result<(), String>;

/// One step: a label and the command that runs it, after its preparation (if any).
struct Step {
    label: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    prepare: Option<Prepare>,
}

const STEPS: &[Step] = &[
    Step {
        label: "generated crates match their specs",
        program: "cargo",
        args: &["xtask", "generate", "--check"],
        env: &[],
        prepare: None,
    },
    // Quick when nothing changed since the recorded releases; needs cargo-semver-checks otherwise (.ci/run
    // installs the pinned version).
    Step {
        label: "versions carry the changes since each crate's last release (diff --check)",
        program: "cargo",
        args: &["xtask", "diff", "--check"],
        env: &[],
        prepare: None,
    },
    Step {
        label: "spec review (own rules, Redocly, Spectral)",
        program: "cargo",
        args: &["xtask", "lint"],
        env: &[],
        prepare: None,
    },
    Step {
        label: "rustfmt",
        program: "cargo",
        args: &["fmt", "--all", "--check"],
        env: &[],
        prepare: None,
    },
    Step {
        label: "clippy (-D warnings)",
        program: "cargo",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
        prepare: None,
    },
    // Snapshots are compared, never written, here: a changed surface fails until it is reviewed.
    Step {
        label: "tests",
        program: "cargo",
        args: &["test", "--workspace"],
        env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
        prepare: None,
    },
    Step {
        label: "cargo doc (warnings are errors)",
        program: "cargo",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
        prepare: None,
    },
    // What crates.io would get: each .crate holds what a user needs (Cargo.toml's `include`) and builds on its
    // own, sdk-core coming from the local packages (cargo's multi-package packaging).
    Step {
        label: "packages of the six published crates build from their .crate files (cargo package)",
        program: "cargo",
        args: &[
            "package",
            "--quiet",
            // Every published crate: sdk-core and one per provider, whatever the providers are.
            "--workspace",
            "--exclude",
            "xtask",
            "--exclude",
            "sdk-tests",
            "--exclude",
            "sdk-bench",
        ],
        env: &[],
        prepare: Some(forget_unpacked_own_packages),
    },
    // Needs Chromium: fails (never skips) with the command that installs it when it is missing.
    Step {
        label: "review docs, and a reference page rendered in headless Chromium",
        program: "cargo",
        args: &["xtask", "docs", "--browser-check"],
        env: &[],
        prepare: None,
    },
];

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!(
            "`cargo xtask test` takes no arguments (got `{extra}`)"
        ));
    }
    let root = providers::workspace_root();
    for (i, step) in STEPS.iter().enumerate() {
        println!("==> [{}/{}] {}", i + 1, STEPS.len(), step.label);
        if let Some(prepare) = step.prepare {
            prepare()?;
        }
        let status = Command::new(step.program)
            .args(step.args)
            .envs(step.env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", step.program))?;
        if !status.success() {
            return Err(format!(
                "step `{}` failed ({} {})",
                step.label,
                step.program,
                step.args.join(" ")
            ));
        }
    }
    println!("==> all {} steps passed", STEPS.len());
    Ok(())
}

/// Where cargo unpacks the packages of the registry folders it reads (`$CARGO_HOME/registry/src`).
fn unpacked_sources() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    Some(home.join("registry").join("src"))
}

/// `cargo package` builds each crate against the others' `.crate` files through a local registry
/// (`target/package/tmp-registry`), and unpacks them under `$CARGO_HOME/registry/src/-<hash>/<name>-<version>`
/// (a local registry has no host to name the folder after: hence the leading `-`). Cargo never unpacks a
/// name and version again: after a change to sdk-core's API, at an unchanged version, the SDKs would be
/// built against the copy unpacked by an earlier run and fail (seen: `stream_response` missing from the
/// sdk-core 0.1.0 of an earlier `cargo xtask test`). Our own crates' copies under local registries are
/// removed before each run; nothing downloaded from a registry with a host is touched.
fn forget_unpacked_own_packages() -> Result<(), String> {
    let Some(sources) = unpacked_sources() else {
        return Ok(());
    };
    let own = diff::crates()
        .into_iter()
        .map(|krate| {
            Ok(format!(
                "{}-{}",
                krate.name,
                diff::current_version(krate.name)?
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    for removed in forget_unpacked(&sources, &own)? {
        println!(
            "    removed {} (unpacked by an earlier cargo package)",
            removed.display()
        );
    }
    Ok(())
}

/// Removes `<sources>/-<hash>/<package>` for each of `packages` (`name-version`); what it removed.
fn forget_unpacked(sources: &Path, packages: &[String]) -> Result<Vec<PathBuf>, String> {
    let mut removed = Vec::new();
    let Ok(registries) = fs::read_dir(sources) else {
        return Ok(removed); // nothing unpacked yet
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for package in packages {
            let unpacked = registry.path().join(package);
            if unpacked.is_dir() {
                fs::remove_dir_all(&unpacked)
                    .map_err(|e| format!("cannot remove {}: {e}", unpacked.display()))?;
                removed.push(unpacked);
            }
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_packages_unpacked_from_local_registries_are_forgotten() {
        let sources = providers::workspace_root()
            .join("target")
            .join("xtask-test-unpacked-sources");
        let _ = fs::remove_dir_all(&sources);
        let made = [
            "-1ade7a66a2daebc0/sdk-core-0.1.0/src",
            "-1ade7a66a2daebc0/sdk-hostway-0.1.0/src",
            "-1ade7a66a2daebc0/sdk-core-0.0.9/src",
            "-1ade7a66a2daebc0/serde-1.0.0/src",
            "-22c3805da5a543b4/sdk-core-0.1.0/src",
            "index.crates.io-1949cf8c6b5b557f/sdk-core-0.1.0/src",
        ];
        for dir in made {
            fs::create_dir_all(sources.join(dir)).unwrap();
        }
        let own = [
            "sdk-core-0.1.0".to_string(),
            "sdk-hostway-0.1.0".to_string(),
        ];
        let removed = forget_unpacked(&sources, &own).unwrap();
        assert_eq!(
            removed,
            vec![
                sources.join("-1ade7a66a2daebc0/sdk-core-0.1.0"),
                sources.join("-1ade7a66a2daebc0/sdk-hostway-0.1.0"),
                sources.join("-22c3805da5a543b4/sdk-core-0.1.0"),
            ]
        );
        // Another version of ours, another crate, and anything from a registry with a host stay.
        for kept in [
            "-1ade7a66a2daebc0/sdk-core-0.0.9",
            "-1ade7a66a2daebc0/serde-1.0.0",
            "index.crates.io-1949cf8c6b5b557f/sdk-core-0.1.0",
        ] {
            assert!(sources.join(kept).is_dir(), "{kept} was removed");
        }
        assert!(forget_unpacked(&sources, &own).unwrap().is_empty());
        assert!(
            forget_unpacked(&sources.join("missing"), &own)
                .unwrap()
                .is_empty()
        );
        fs::remove_dir_all(&sources).unwrap();
    }
}
