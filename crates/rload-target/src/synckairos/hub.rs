//! Per-session fan-out to WebSocket clients, standing in for the real service's Redis
//! pub/sub: one `tokio::sync::broadcast` channel per session that has at least one socket,
//! created by the first subscriber and dropped with the last, in a sharded map like the
//! store's. A message is serialized once and shared by every socket (`Utf8Bytes` clones
//! share one buffer); nothing is serialized for a session nobody watches.
//!
//! A socket that falls more than [`CHANNEL_CAPACITY`] messages behind skips the ones it
//! missed (the next `STATE_UPDATE` carries the whole state anyway). Messages from two
//! concurrent writes to one session may arrive in either order; `version` tells them apart.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;
use uuid::Uuid;

use super::store::SHARDS;

/// Messages a slow socket may have queued before it starts skipping.
const CHANNEL_CAPACITY: usize = 16;

/// What a session's sockets are told.
#[derive(Debug, Clone)]
pub enum Push {
    Text(Utf8Bytes),
    /// The session is gone: close with 1000 "Session deleted".
    Close,
}

/// One shard: the channels of the sessions that have sockets.
type Channels = HashMap<Uuid, broadcast::Sender<Push>>;

#[derive(Debug)]
pub struct Hub {
    shards: Box<[Mutex<Channels>]>,
}

impl Default for Hub {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }
}

impl Hub {
    fn shard(&self, id: &Uuid) -> MutexGuard<'_, Channels> {
        let index = id.as_bytes()[15] as usize % SHARDS;
        self.shards[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn subscribe(&self, id: Uuid) -> broadcast::Receiver<Push> {
        self.shard(&id).entry(id).or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe()
    }

    /// Drops `receiver` and, if it was the session's last one, the session's channel.
    pub fn unsubscribe(&self, id: Uuid, receiver: broadcast::Receiver<Push>) {
        drop(receiver);
        let mut shard = self.shard(&id);
        if shard.get(&id).is_some_and(|sender| sender.receiver_count() == 0) {
            shard.remove(&id);
        }
    }

    /// Sends the message `make` builds to every socket of session `id`; `make` runs only if
    /// there is one.
    pub fn publish(&self, id: &Uuid, make: impl FnOnce() -> Push) {
        let Some(sender) = self.shard(id).get(id).cloned() else { return };
        // An error means the last receiver left meanwhile: nobody to tell.
        let _ = sender.send(make());
    }

    /// Sends `messages` in order to session `id`'s sockets (for a deletion: the notice, then
    /// the close).
    pub fn publish_all(&self, id: &Uuid, messages: impl FnOnce() -> Vec<Push>) {
        let Some(sender) = self.shard(id).get(id).cloned() else { return };
        for message in messages() {
            let _ = sender.send(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_live_as_long_as_their_subscribers() {
        let hub = Hub::default();
        let id = Uuid::from_u128(3);
        let mut built = 0;
        hub.publish(&id, || {
            built += 1;
            Push::Close
        });
        assert_eq!(built, 0, "nothing is built for a session nobody watches");
        let (mut first, second) = (hub.subscribe(id), hub.subscribe(id));
        hub.publish(&id, || Push::Text("one".into()));
        assert!(matches!(first.try_recv(), Ok(Push::Text(text)) if text.as_str() == "one"));
        hub.unsubscribe(id, second);
        assert!(hub.shard(&id).contains_key(&id));
        hub.unsubscribe(id, first);
        assert!(!hub.shard(&id).contains_key(&id));
    }
}
