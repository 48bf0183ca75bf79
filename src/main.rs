use std::sync::atomic::{AtomicBool, Ordering};

/// mimalloc instead of the system allocator: a request allocates and frees its buffers, header
/// maps and strings on its VU's thread, which mimalloc serves from thread-local free lists
/// (docs/runtime.md, "Memory"; figures in bench/README.md). `allocator.rs` says how it is asked.
#[global_allocator]
static GLOBAL: rload::allocator::Allocator = rload::allocator::Allocator;

fn main() {
    quiet_repeated_panics();
    std::process::exit(rload::main_with_args(std::env::args_os().collect()));
}

/// Prints the first panic in full (where in rload's source, for a bug report) and leaves the rest
/// to the run's error report, which counts them with the script position that caused them: a
/// panic that repeats every iteration must not flood stderr.
fn quiet_repeated_panics() {
    static PRINTED: AtomicBool = AtomicBool::new(false);
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !PRINTED.swap(true, Ordering::Relaxed) {
            default(info);
            eprintln!("rload: further panics are counted in the error report at the end of the run, not printed");
        }
    }));
}
