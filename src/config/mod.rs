//! Configuration: k6 durations, the validated test options, and where they come from (the
//! config file, the script, `K6_*` variables, the command line) in k6's order.
pub mod duration;
pub mod env;
pub mod file;
pub mod json;
pub mod layers;
pub mod number;
pub mod options;
pub mod values;

pub use duration::{format_duration, parse_duration, secs_to_duration};
pub use options::{Options, Stage};
