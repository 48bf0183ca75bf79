//! The runtime: VU coroutines on worker threads, the run's control state and scheduler.
pub mod api_surface;
pub mod control;
pub mod coroutine;
pub mod errors;
pub mod event_loop;
pub mod exit;
mod finish;
mod header;
pub mod inspect;
pub mod monitor;
mod phases;
pub mod progress;
pub mod relay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schedule;
pub mod setup_data;
pub mod shared_stack;
pub mod signals;
pub mod stack_image;
#[cfg(target_arch = "x86_64")]
mod stack_image_simd;
pub mod stack_pool;
pub mod test_options;
pub mod vu;
pub mod worker;
