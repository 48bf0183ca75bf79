//! The in-memory session store standing in for the real service's Redis: sessions in a map
//! split into [`SHARDS`] mutex-guarded shards by session id, so 10,000 busy sessions on a
//! few cores rarely wait on each other's lock. A lock is held only to look up, swap an
//! `Arc` or bump a counter; states are cloned and serialized outside it.
//!
//! Two ways to write, as in the real service:
//! - [`Store::update`] applies a command under the shard lock (start, pause, resume,
//!   complete: the real service writes these without a version check);
//! - [`Store::compare_and_swap`] writes a state computed elsewhere only if the session's
//!   `version` is still the one it was computed from (switch: optimistic locking, 409 else).
//!
//! Each write bumps `version` and restarts the session's time to live (Redis `SETEX`). The
//! store also keeps the per-session fixed-window switch counter of the optional rate limit.
//! It knows nothing of HTTP, WebSocket or metrics.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use super::model::{Command, Millis, Refusal, SyncState};

/// Shard count: a power of two well above any core count this target runs on.
pub const SHARDS: usize = 64;

#[derive(Debug)]
pub struct Store {
    shards: Box<[Mutex<HashMap<Uuid, Slot>>]>,
    len: AtomicUsize,
}

#[derive(Debug)]
struct Slot {
    state: Arc<SyncState>,
    /// When the session was last written: it expires `ttl` after that.
    written_at: Millis,
    /// Fixed one-second window of the switch rate limit: (window start in seconds, switches).
    window: (u64, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    NotFound,
    Refused(Refusal),
    /// Someone wrote the session between the read and this write.
    Conflict {
        expected_version: u64,
        actual_version: u64,
    },
}

impl Default for Store {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| Mutex::default()).collect(), len: AtomicUsize::new(0) }
    }
}

impl Store {
    /// Sessions held now.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    fn shard(&self, id: &Uuid) -> MutexGuard<'_, HashMap<Uuid, Slot>> {
        // Client ids are random UUIDs, so their last byte spreads sessions evenly.
        let index = id.as_bytes()[15] as usize % SHARDS;
        // A panic while holding a shard cannot leave a slot half-written (slots are swapped
        // whole), so a poisoned lock is still safe to use.
        self.shards[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Creates the session, replacing any session with the same id (as the real service does).
    pub fn put(&self, state: SyncState, now: Millis) -> Arc<SyncState> {
        let state = Arc::new(state);
        let slot = Slot { state: Arc::clone(&state), written_at: now, window: (0, 0) };
        if self.shard(&state.session_id).insert(state.session_id, slot).is_none() {
            self.len.fetch_add(1, Ordering::Relaxed);
        }
        state
    }

    pub fn get(&self, id: &Uuid) -> Option<Arc<SyncState>> {
        self.shard(id).get(id).map(|slot| Arc::clone(&slot.state))
    }

    /// Removes the session; false if there was none.
    pub fn remove(&self, id: &Uuid) -> bool {
        let removed = self.shard(id).remove(id).is_some();
        if removed {
            self.len.fetch_sub(1, Ordering::Relaxed);
        }
        removed
    }

    /// Applies `command` atomically and returns the written state.
    pub fn update(&self, id: &Uuid, command: Command, now: Millis) -> Result<Arc<SyncState>, WriteError> {
        let mut shard = self.shard(id);
        let slot = shard.get_mut(id).ok_or(WriteError::NotFound)?;
        let mut state = SyncState::clone(&slot.state);
        state.apply(command, now).map_err(WriteError::Refused)?;
        Ok(slot.write(state, now))
    }

    /// Writes `state` if the stored version is still `expected_version`, bumping it.
    pub fn compare_and_swap(
        &self,
        state: SyncState,
        expected_version: u64,
        now: Millis,
    ) -> Result<Arc<SyncState>, WriteError> {
        let mut shard = self.shard(&state.session_id);
        let slot = shard.get_mut(&state.session_id).ok_or(WriteError::NotFound)?;
        let actual_version = slot.state.version;
        if actual_version != expected_version {
            return Err(WriteError::Conflict { expected_version, actual_version });
        }
        Ok(slot.write(state, now))
    }

    /// Counts one switch against a limit of `limit` per second; false when over it. Unknown
    /// sessions are not limited (they get their 404 anyway).
    pub fn admit_switch(&self, id: &Uuid, limit: u32, now: Millis) -> bool {
        let mut shard = self.shard(id);
        let Some(slot) = shard.get_mut(id) else { return true };
        let second = now / 1000;
        if slot.window.0 != second {
            slot.window = (second, 0);
        }
        slot.window.1 += 1;
        slot.window.1 <= limit
    }

    /// Drops sessions last written before `cutoff`; returns how many.
    pub fn expire_written_before(&self, cutoff: Millis) -> usize {
        let mut expired = 0;
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let before = shard.len();
            shard.retain(|_, slot| slot.written_at >= cutoff);
            expired += before - shard.len();
        }
        self.len.fetch_sub(expired, Ordering::Relaxed);
        expired
    }
}

impl Slot {
    fn write(&mut self, mut state: SyncState, now: Millis) -> Arc<SyncState> {
        state.version = self.state.version + 1;
        self.state = Arc::new(state);
        self.written_at = now;
        Arc::clone(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synckairos::model::{NewParticipant, NewSession, Status, SyncMode};

    fn new_session(id: u128) -> SyncState {
        let participants = (0..2)
            .map(|i| NewParticipant {
                participant_id: Uuid::from_u128(100 + i),
                participant_index: i as u32,
                total_time_ms: 60_000,
                group_id: None,
            })
            .collect();
        let new = NewSession {
            session_id: Uuid::from_u128(id),
            sync_mode: SyncMode::PerParticipant,
            participants,
            total_time_ms: 120_000,
            time_per_cycle_ms: None,
            increment_ms: None,
            max_time_ms: None,
        };
        SyncState::create(new, 0)
    }

    #[test]
    fn a_write_from_a_stale_read_is_a_conflict() {
        let store = Store::default();
        let id = Uuid::from_u128(7);
        store.put(new_session(7), 0);
        store.update(&id, Command::Start, 1).unwrap();
        let read = store.get(&id).unwrap();
        let (mut first, mut second) = (SyncState::clone(&read), SyncState::clone(&read));
        first.apply(Command::Switch { next: None }, 2).unwrap();
        second.apply(Command::Switch { next: None }, 2).unwrap();
        assert_eq!(store.compare_and_swap(first, read.version, 2).unwrap().version, 3);
        assert_eq!(
            store.compare_and_swap(second, read.version, 2),
            Err(WriteError::Conflict { expected_version: 2, actual_version: 3 })
        );
    }

    #[test]
    fn updates_bump_the_version_and_refusals_do_not() {
        let store = Store::default();
        let id = Uuid::from_u128(8);
        store.put(new_session(8), 0);
        assert_eq!(store.update(&id, Command::Start, 1).unwrap().version, 2);
        let refused = store.update(&id, Command::Resume, 2);
        assert!(matches!(refused, Err(WriteError::Refused(Refusal::Transition { status: Status::Running, .. }))));
        assert_eq!(store.get(&id).unwrap().version, 2);
        assert_eq!(store.update(&Uuid::from_u128(9), Command::Start, 1), Err(WriteError::NotFound));
    }

    #[test]
    fn the_rate_window_resets_every_second() {
        let store = Store::default();
        let id = Uuid::from_u128(10);
        store.put(new_session(10), 0);
        assert!(store.admit_switch(&id, 2, 1_000) && store.admit_switch(&id, 2, 1_500));
        assert!(!store.admit_switch(&id, 2, 1_999));
        assert!(store.admit_switch(&id, 2, 2_000));
    }

    #[test]
    fn sessions_expire_after_their_last_write_and_the_count_follows() {
        let store = Store::default();
        store.put(new_session(11), 0);
        store.put(new_session(12), 0);
        store.put(new_session(12), 0);
        assert_eq!(store.len(), 2);
        store.update(&Uuid::from_u128(12), Command::Start, 5_000).unwrap();
        assert_eq!(store.expire_written_before(1_000), 1);
        assert_eq!((store.len(), store.get(&Uuid::from_u128(12)).is_some()), (1, true));
        assert!(store.remove(&Uuid::from_u128(12)) && !store.remove(&Uuid::from_u128(12)));
        assert_eq!(store.len(), 0);
    }
}
