//! Support for the workspace's tests (`tests/tests/*.rs`): a loopback HTTP server that records what
//! arrives, and the reader that turns a generated file into its public-surface listing.

pub mod faulty;
pub mod server;
pub mod surface;
