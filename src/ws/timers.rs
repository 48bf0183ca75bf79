//! Timers on tokio's clock: a `ws.connect` session's `socket.setTimeout` / `socket.setInterval`,
//! and the VU's global `setTimeout` / `setInterval` (k6/timers, `crate::runtime::event_loop`).
//!
//! Each timer has an id (from 1, counted per [`Timers`], as k6 counts per VU) that
//! [`Timers::remove`] takes: `clearTimeout` and `clearInterval` both clear any id, as in
//! browsers. The event loop asks for the earliest due time, sleeps until then or the next
//! frame, and takes the due timer's handler. An interval keeps its grid (start + k·period): ticks
//! missed while a handler ran long are skipped, not fired in a burst, as Go's ticker (and so k6)
//! drops them. The handler type is whatever the script layer calls; nothing here runs it.

use std::time::Duration;

use tokio::time::Instant;

/// The shortest period of an interval: `setInterval(f, 0)` ticks every millisecond.
pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

/// The pending timers of one session.
pub struct Timers<F> {
    list: Vec<Timer<F>>,
    last_id: u64,
}

struct Timer<F> {
    id: u64,
    due: Instant,
    every: Option<Duration>,
    f: F,
}

impl<F> Default for Timers<F> {
    fn default() -> Self {
        Timers { list: Vec::new(), last_id: 0 }
    }
}

impl<F: Clone> Timers<F> {
    /// Adds a timer firing `delay` after `now`, and then every `delay` when `repeat` is set (an
    /// interval is at least [`MIN_INTERVAL`], so a zero period cannot spin); returns its id.
    pub fn add(&mut self, now: Instant, delay: Duration, repeat: bool, f: F) -> u64 {
        self.last_id += 1;
        let every = repeat.then_some(delay.max(MIN_INTERVAL));
        // One slot for the usual one timer (a session's `setTimeout` to close it), not the
        // four a first push reserves: thousands of sessions wait with theirs.
        if self.list.capacity() == 0 {
            self.list.reserve_exact(1);
        }
        self.list.push(Timer { id: self.last_id, due: now + delay, every, f });
        self.last_id
    }

    /// Removes the timer `id`; false when there is none (already fired, cleared, or never set).
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.list.len();
        self.list.retain(|t| t.id != id);
        self.list.len() != before
    }

    /// The pending timers, by id: each id and whether it is an interval.
    pub fn pending(&self) -> Vec<(u64, bool)> {
        let mut ids: Vec<(u64, bool)> = self.list.iter().map(|t| (t.id, t.every.is_some())).collect();
        ids.sort_unstable();
        ids
    }

    /// True when no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// When the earliest timer is due, if any.
    pub fn next_due(&self) -> Option<Instant> {
        self.list.iter().map(|t| t.due).min()
    }

    /// The handler of the earliest timer: a timeout is removed, an interval moves to its next
    /// tick after `now` on its grid.
    pub fn take_earliest(&mut self, now: Instant) -> Option<F> {
        let index = self.list.iter().enumerate().min_by_key(|(_, t)| t.due).map(|(i, _)| i)?;
        let timer = &mut self.list[index];
        match timer.every {
            Some(every) => {
                timer.due += every;
                while timer.due <= now {
                    timer.due += every;
                }
                Some(timer.f.clone())
            }
            None => Some(self.list.swap_remove(index).f),
        }
    }

    /// Drops every timer (the session is over).
    pub fn clear(&mut self) {
        self.list.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_fire_once_in_due_order() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        timers.add(t0, Duration::from_millis(150), false, "b");
        timers.add(t0, Duration::from_millis(50), false, "a");
        assert_eq!(timers.next_due(), Some(t0 + Duration::from_millis(50)));
        assert_eq!(timers.take_earliest(t0 + Duration::from_millis(50)), Some("a"));
        assert_eq!(timers.take_earliest(t0 + Duration::from_millis(150)), Some("b"));
        assert_eq!(timers.take_earliest(t0 + Duration::from_millis(200)), None);
        assert_eq!(timers.next_due(), None);
    }

    #[test]
    fn an_interval_keeps_its_grid_and_skips_missed_ticks() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timers = Timers::default();
        timers.add(t0, ms(100), true, "tick");
        // The first tick's handler ran until 350 ms: the ticks at 200 and 300 ms are dropped.
        assert_eq!(timers.take_earliest(t0 + ms(350)), Some("tick"));
        assert_eq!(timers.next_due(), Some(t0 + ms(400)));
        assert_eq!(timers.take_earliest(t0 + ms(400)), Some("tick"));
        assert_eq!(timers.next_due(), Some(t0 + ms(500)));
        timers.clear();
        assert_eq!(timers.next_due(), None);
    }

    #[test]
    fn ids_count_from_one_and_clear_either_kind() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut timers = Timers::default();
        let once = timers.add(t0, ms(10), false, "once");
        let every = timers.add(t0, ms(0), true, "every");
        assert_eq!((once, every), (1, 2));
        assert!(timers.remove(every));
        assert!(!timers.remove(every), "a cleared id is gone");
        assert!(!timers.is_empty());
        assert_eq!(timers.take_earliest(t0 + ms(10)), Some("once"));
        assert!(!timers.remove(once), "a timeout that fired has no id left");
        assert!(timers.is_empty());
        assert_eq!(timers.add(t0, ms(1), false, "next"), 3, "ids are not reused");
    }

    #[test]
    fn a_zero_interval_ticks_every_millisecond() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        timers.add(t0, Duration::ZERO, true, "spin");
        assert_eq!(timers.take_earliest(t0), Some("spin"));
        assert_eq!(timers.next_due(), Some(t0 + MIN_INTERVAL));
    }
}
