//! The output tap: while a run has outputs (`-o json=…`), every sample a thread records is also
//! kept, with the time it was recorded, until the thread's next flush hands the batch to the
//! outputs. The aggregate is untouched by it: outputs see every sample with all its tags, the
//! summary sees the capped series.
//!
//! The batch is handed over on the recording thread because a [`TagSet`] never leaves its
//! thread; the outputs render it there and pass bytes on (see `crate::outputs`). Without
//! outputs the tap costs one `Option` check per sample.

use std::sync::Arc;
use std::time::SystemTime;

use super::registry::MetricId;
use super::tags::TagSet;

/// One sample as an output sees it.
#[derive(Debug, Clone)]
pub struct RawSample {
    pub metric: MetricId,
    pub tags: TagSet,
    pub value: f64,
    pub time: SystemTime,
}

/// Receives a thread's samples at each of its flushes, on that thread. It must not block: a
/// worker thread runs VUs.
pub type Tap = Arc<dyn Fn(&[RawSample]) + Send + Sync>;

/// Samples held between two flushes; a thread that records this many hands them over at once,
/// so a burst between flushes cannot grow without bound.
const MAX_HELD: usize = 8192;

/// A thread's tap and the samples it holds.
pub(crate) struct TapBuffer {
    tap: Tap,
    held: Vec<RawSample>,
}

impl TapBuffer {
    pub(crate) fn new(tap: Tap) -> Self {
        TapBuffer { tap, held: Vec::new() }
    }

    pub(crate) fn push(&mut self, metric: MetricId, tags: &TagSet, value: f64) {
        self.held.push(RawSample { metric, tags: tags.clone(), value, time: SystemTime::now() });
        if self.held.len() >= MAX_HELD {
            self.hand_over();
        }
    }

    pub(crate) fn hand_over(&mut self) {
        if !self.held.is_empty() {
            (self.tap)(&self.held);
            self.held.clear();
        }
    }
}
