//! The in-memory session store standing in for the real service's Redis: sessions in a map
//! split into [`SHARDS`] mutex-guarded shards by session id, so 10,000 busy sessions on a
//! few cores rarely wait on each other's lock. A lock is held only to look up or swap an
//! `Arc`; states are cloned and serialized outside it.
//!
//! Its operations are the Redis commands the service sends, one each: [`Store::get`] (`GET`),
//! [`Store::set`] (`SETEX`: write whole, restart the time to live) and [`Store::remove`]
//! (`DEL`). Nothing here is atomic across two of them, exactly as in the service: its
//! optimistic lock is a `GET` comparing `version`, then a separate `SETEX`, so a write can
//! land between a check and the write that follows it (see `routes.rs`). The round-trip time
//! of each command is the caller's business (`latency.rs`). It knows nothing of HTTP,
//! WebSocket or metrics.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use super::model::{Millis, SyncState};

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

    /// `SETEX`: stores `state` as it is (its `version` included), replacing any session with
    /// the same id and restarting its time to live. A session deleted meanwhile is created
    /// again, as Redis would.
    pub fn set(&self, state: SyncState, now: Millis) -> Arc<SyncState> {
        let state = Arc::new(state);
        let slot = Slot { state: Arc::clone(&state), written_at: now };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synckairos::model::{NewParticipant, NewSession, SyncMode};

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
    fn set_replaces_the_whole_session_and_get_reads_it_back() {
        let store = Store::default();
        let id = Uuid::from_u128(7);
        store.set(new_session(7), 0);
        let mut next = SyncState::clone(&store.get(&id).unwrap());
        next.version = 5;
        store.set(next, 1);
        assert_eq!((store.get(&id).unwrap().version, store.len()), (5, 1));
        assert!(store.get(&Uuid::from_u128(8)).is_none());
    }

    #[test]
    fn sessions_expire_after_their_last_write_and_the_count_follows() {
        let store = Store::default();
        store.set(new_session(11), 0);
        store.set(new_session(12), 0);
        store.set(new_session(12), 0);
        assert_eq!(store.len(), 2);
        store.set(new_session(12), 5_000);
        assert_eq!(store.expire_written_before(1_000), 1);
        assert_eq!((store.len(), store.get(&Uuid::from_u128(12)).is_some()), (1, true));
        assert!(store.remove(&Uuid::from_u128(12)) && !store.remove(&Uuid::from_u128(12)));
        assert_eq!(store.len(), 0);
    }
}
