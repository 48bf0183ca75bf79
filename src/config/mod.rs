//! Configuration: k6 durations and the validated test options.
pub mod duration;
pub mod json;
pub mod options;

pub use duration::{format_duration, parse_duration, secs_to_duration};
pub use options::{Options, Stage};
