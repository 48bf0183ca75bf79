//! The runtime: VU coroutines on worker threads, the run's control state and scheduler.
pub mod api_surface;
pub mod control;
pub mod coroutine;
pub mod errors;
pub mod exit;
pub mod inspect;
pub mod monitor;
pub mod progress;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schedule;
pub mod signals;
pub mod stack_pool;
pub mod test_options;
pub mod vu;
pub mod worker;
