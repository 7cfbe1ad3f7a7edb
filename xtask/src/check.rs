//! `cargo xtask test`: every test and check of the workspace, in the order that fails fastest.

use std::process::Command;

use crate::providers;

/// One step: a label and the command that runs it.
struct Step {
    label: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step {
        label: "generated crates match their specs",
        program: "cargo",
        args: &["xtask", "generate", "--check"],
        env: &[],
    },
    // Quick when nothing changed since the recorded releases; needs cargo-semver-checks otherwise (.ci/run
    // installs the pinned version).
    Step {
        label: "versions carry the changes since each crate's last release (diff --check)",
        program: "cargo",
        args: &["xtask", "diff", "--check"],
        env: &[],
    },
    Step {
        label: "spec review (own rules, Redocly, Spectral)",
        program: "cargo",
        args: &["xtask", "lint"],
        env: &[],
    },
    Step {
        label: "rustfmt",
        program: "cargo",
        args: &["fmt", "--all", "--check"],
        env: &[],
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
    },
    // Snapshots are compared, never written, here: a changed surface fails until it is reviewed.
    Step {
        label: "tests",
        program: "cargo",
        args: &["test", "--workspace"],
        env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
    },
    Step {
        label: "cargo doc (warnings are errors)",
        program: "cargo",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
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
    },
    // Needs Chromium: fails (never skips) with the command that installs it when it is missing.
    Step {
        label: "review docs, and a reference page rendered in headless Chromium",
        program: "cargo",
        args: &["xtask", "docs", "--browser-check"],
        env: &[],
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
