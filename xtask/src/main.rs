//! Workspace automation. Run as `cargo xtask <command>` from any folder of the checkout.
//!
//! - `generate [--check] [PROVIDER...]`: turn `specs/<provider>.yaml` into `sdk-<provider>/src/generated.rs`.
//! - `test`: every test and check (what CI runs).
//! - `bench [--write]`: the SDKs against hand-written code, generation time, compile cost (BENCHMARKS.md).

mod bench;
mod check;
mod generate;
mod normalize;
mod providers;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test               run every test and check: generate --check, rustfmt, clippy, tests, cargo doc
  generate           regenerate the SDK crates from their specs (no PROVIDER: every provider with a spec)
  generate --check   regenerate in memory and fail, naming each file, if a committed file differs
  bench [--write]    measure the SDKs against hand-written calls, generation time and compile cost, one line
                     per figure (--write: record them in BENCHMARKS.md; --no-compile: skip compile cost)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate::run(&args[1..]),
        Some("test") => check::run(&args[1..]),
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
