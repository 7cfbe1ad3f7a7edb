//! Support for the workspace's tests (`tests/tests/*.rs`): a loopback HTTP server that records what
//! arrives, and the reader that turns a generated file into its public-surface listing.

pub mod faulty;
pub mod prism;
pub mod server;
pub mod surface;

/// Prints a figure a test measured (cases fuzzed, connections seen) so that it shows in the output of
/// `cargo test` even when the test passes: libtest captures `println!`, not a direct write to stderr.
pub fn report(line: impl std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}
