//! rload: a load-testing engine whose scenarios are k6-style Rhai scripts.
//!
//! `main.rs` only maps [`main_with_args`] to an exit code; everything else lives here so that
//! integration tests can drive the library or the binary.

pub mod config;
pub mod http;
pub mod metrics;
pub mod runtime;
pub mod script;
pub mod serve;

/// Runs the CLI with the given arguments and returns the process exit code.
pub fn main_with_args(_args: Vec<std::ffi::OsString>) -> i32 {
    0
}
