//! A lane's clock: the task on a worker thread that releases the tokens the scheduler handed
//! out ahead to that thread's lane, each at its release instant, and wakes a waiting VU for
//! each. So an arrival costs at most one wake-up of the thread that runs it (none when the
//! thread is busy anyway), instead of a wake-up of the scheduler's thread and then one of the
//! worker's.
//!
//! On a worker thread the clock sleeps on [`OsTimer`], a `timerfd` in the thread's own event
//! loop: tokio's timer rounds deadlines up to its 1 ms tick, which would start iterations up to
//! a millisecond late. Elsewhere (tests on a paused clock) it sleeps on tokio's timer.
//!
//! What this is not: which lane a token goes to and when it is released (`lanes.rs`,
//! `batching.rs`), what a VU does with it (`arrivals.rs`).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::time::Instant;

use super::lanes::Exchange;

/// Starts `lane`'s clock on this thread's `LocalSet`, timed by the OS when `precise`.
pub fn spawn(exchange: Arc<Exchange>, lane: usize, precise: bool) {
    // Without a timer (no file descriptor left) the clock falls back to tokio's.
    let timer = if precise { OsTimer::new().ok() } else { None };
    tokio::task::spawn_local(run(exchange, lane, timer));
}

async fn run(exchange: Arc<Exchange>, lane: usize, timer: Option<OsTimer>) {
    loop {
        let told = exchange.clocks[lane].notified();
        tokio::pin!(told);
        told.as_mut().enable();
        let (released, next) = {
            let mut t = exchange.lock();
            let l = &mut t.lanes[lane];
            if exchange.stopped.load(Ordering::SeqCst) {
                l.clock = false;
                return;
            }
            (l.release(Instant::now()), l.ahead.front().map(|a| a.release))
        };
        exchange.wake_vus(lane, released);
        match next {
            None => told.await,
            Some(at) => {
                tokio::select! {
                    _ = sleep_until(timer.as_ref(), at) => {}
                    _ = told => {}
                }
            }
        }
    }
}

async fn sleep_until(timer: Option<&OsTimer>, at: Instant) {
    if let Some(timer) = timer {
        if timer.sleep_until(at).await.is_ok() {
            return;
        }
    }
    tokio::time::sleep_until(at).await;
}

/// A one-shot OS timer (`timerfd`, `CLOCK_MONOTONIC`, the clock of `Instant`) registered with
/// the thread's tokio reactor: it wakes the event loop within the OS's timer slack (50 µs by
/// default) of its deadline.
pub struct OsTimer {
    fd: AsyncFd<OwnedFd>,
}

impl OsTimer {
    pub fn new() -> io::Result<OsTimer> {
        // SAFETY: timerfd_create takes no pointers; a non-negative result is a new descriptor
        // that nothing else owns.
        let fd = unsafe { libc::timerfd_create(libc::CLOCK_MONOTONIC, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: see above.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: the AsyncFd owns the OwnedFd, which stays open and the same until it drops.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.map_err(io::Error::from)?;
        Ok(OsTimer { fd })
    }

    /// Completes at `at` (at once if it has passed). Arming the timer again (a later call,
    /// after an earlier one was dropped) discards an expiry that was not read.
    pub async fn sleep_until(&self, at: Instant) -> io::Result<()> {
        let left = at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        let spec = libc::itimerspec {
            it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
            it_value: libc::timespec {
                tv_sec: left.as_secs() as libc::time_t,
                tv_nsec: left.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: `spec` is a valid itimerspec; the old value is not asked for (null).
        if unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        loop {
            let mut ready = self.fd.readable().await?;
            let read = ready.try_io(|fd| {
                let mut expirations = 0u64;
                // SAFETY: reads 8 bytes into a u64 that lives across the call.
                let n = unsafe { libc::read(fd.as_raw_fd(), (&raw mut expirations).cast(), 8) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(())
                }
            });
            match read {
                Ok(result) => {
                    // The expiry is read and the timer is one-shot: nothing makes the descriptor
                    // readable again until it is armed again. Without this the reactor keeps
                    // the readiness, and every next sleep would start with a read that fails.
                    ready.clear_ready();
                    return result;
                }
                // Readiness left from an expiry already discarded: wait for this one.
                Err(_would_block) => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::FutureExt;

    use super::*;

    #[tokio::test]
    async fn the_os_timer_wakes_at_its_deadline_not_at_tokios_next_millisecond() {
        let timer = OsTimer::new().unwrap();
        let mut late = Vec::new();
        for _ in 0..20 {
            let at = Instant::now() + Duration::from_micros(300);
            timer.sleep_until(at).await.unwrap();
            let woke = Instant::now();
            assert!(woke >= at, "woke {:?} early", at - woke);
            late.push(woke - at);
        }
        // Each sleep starts just after the last wake-up: on tokio's timer, just after one of its
        // 1 ms ticks, so it would wake at the next tick, ~0.7 ms late every time. The OS timer is
        // late by its slack and this machine's scheduling, so the median is the figure.
        late.sort();
        assert!(late[10] < Duration::from_micros(500), "median {:?} late: {late:?}", late[10]);
    }

    #[tokio::test]
    async fn a_finished_sleep_leaves_the_timer_waiting_for_its_next_expiry() {
        let timer = OsTimer::new().unwrap();
        timer.sleep_until(Instant::now() + Duration::from_micros(200)).await.unwrap();
        // A readiness kept after the expiry was read would make the next sleep start with a
        // read that fails: one wasted system call per release of arrivals.
        let ready = timer.fd.readable().now_or_never();
        assert!(ready.is_none(), "the timer still looks readable after its expiry was read");
    }

    #[tokio::test]
    async fn a_dropped_sleep_leaves_nothing_behind_for_the_next() {
        let timer = OsTimer::new().unwrap();
        // Armed, expires, never read: the next sleep must still wait for its own deadline.
        let first = timer.sleep_until(Instant::now() + Duration::from_millis(1));
        drop(tokio::time::timeout(Duration::from_micros(10), first).await);
        std::thread::sleep(Duration::from_millis(3));
        let at = Instant::now() + Duration::from_millis(5);
        timer.sleep_until(at).await.unwrap();
        assert!(Instant::now() >= at);
    }
}
