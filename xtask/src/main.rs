//! Workspace automation. Run as `cargo xtask <command>` from any folder of the checkout.
//!
//! - `generate [--check] [PROVIDER...]`: turn `specs/<provider>.yaml` into `sdk-<provider>/src/generated.rs`.
//! - `lint [PROVIDER...]`: the spec review (own rules, Redocly, Spectral).
//! - `docs [--out DIR] [--browser-check]`: HTML references and review pages of the specs.
//! - `test`: every test and check (what CI runs).
//! - `diff [--base REV] [--check] [--write-changelog] [CRATE...]`: changes since each crate's last release,
//!   classified (Redocly, cargo-semver-checks), with the version bump they need (`--check`: fail without it).
//! - `bench [--write]`: the SDKs against hand-written code, generation time, compile cost (BENCHMARKS.md).

mod bench;
mod check;
mod diff;
mod docs;
mod examples;
mod generate;
mod lint;
mod manifest;
mod mock;
mod model;
mod new_provider;
mod no_api_version;
mod normalize;
mod npm;
mod paginate;
mod passes;
mod providers;
mod schema;
mod surface;
mod syntax;
mod tagged;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test               run every test and check: generate --check, lint, rustfmt, clippy, tests, cargo doc,
                     docs --browser-check
  generate           regenerate the SDK crates from their specs (no PROVIDER: every provider with a spec)
  generate --check   regenerate in memory and fail, naming each file, if a committed file differs
  lint               review the specs: own rules (ids, summaries, sources, descriptions, examples against
                     their schemas, unique routes, decisions), Redocly recommended and Spectral spectral:oas
  docs [--out DIR]   per provider an HTML reference and a review page, and an index (default docs-out/);
                     --browser-check then opens a reference page in headless Chromium and checks it
  browser-check PROVIDER PAGE
                     check that PAGE (an HTML file) renders every operation of PROVIDER's spec
  diff [--base REV] [--check] [--write-changelog] [CRATE...]
                     what changed since each crate's last release (its Cargo.toml's [package.metadata.release];
                     --base: REV instead), spec changes classified by Redocly and the public API checked by
                     cargo-semver-checks, the version bump they need, a draft CHANGELOG entry (markdown on
                     stdout; --check: exit 1 when Cargo.toml's version is too low for a breaking change;
                     --write-changelog: put the drafts under each CHANGELOG.md's [Unreleased]); CRATE: core
                     or a provider
  bench [--write]    measure the SDKs against hand-written calls, generation time and compile cost, one line
                     per figure (--write: record them in BENCHMARKS.md; --no-compile: skip compile cost)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate::run(&args[1..]),
        Some("test") => check::run(&args[1..]),
        Some("lint") => lint::run(&args[1..]),
        Some("docs") => docs::run(&args[1..]),
        Some("browser-check") => docs::browser_check_command(&args[1..]),
        Some("diff") => diff::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
