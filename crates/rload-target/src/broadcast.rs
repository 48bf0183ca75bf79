//! `/ws/broadcast?interval_ms=N`: every connected client receives, every N ms (default 1000),
//! `{"type":"BROADCAST","seq":n,"sent_at_ms":<unix ms, µs precision>}`, so a script can
//! compute delivery latency as `now_ms() - sent_at_ms`.
//!
//! `sent_at_ms` is the moment the server writes the message to that client's socket, not the
//! moment the tick fired: a tick reaches 10,000 sockets one write at a time (~15 µs of kernel
//! time each on loopback, so the last socket is written ~150 ms of CPU after the first, and
//! later still when the machine is busy), and a timestamp taken once before that fan-out put
//! the server's queueing into every client's delivery latency. Stamped at the write, the
//! latency is the client's own (the network and its reading), which is what a load
//! generator's user measures. Every client gets the same `seq` for the same tick.
//!
//! One ticker task per distinct interval hands each tick's number to every subscriber through
//! a `tokio::sync::broadcast` channel (a `u64`: no allocation per tick or per subscriber);
//! each subscriber formats its message into a buffer of its own that is reused for every
//! message, so a broadcast allocates nothing per socket. The ticker starts with its first
//! subscriber and stops at the first tick that finds none left. Clients that fall more than
//! [`CHANNEL_CAPACITY`] messages behind skip what they missed rather than slowing the others
//! down.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use bytes::BytesMut;
use tokio::sync::broadcast::{self, error::RecvError};

/// Interval when the query does not name one.
pub const DEFAULT_INTERVAL_MS: u64 = 1000;
/// Shortest interval accepted; shorter ones are raised to it.
pub const MIN_INTERVAL_MS: u64 = 1;
/// Messages a slow subscriber may lag behind before it skips ahead.
const CHANNEL_CAPACITY: usize = 64;
/// Room for the longest message (20-digit `seq`, 20-digit milliseconds).
const MESSAGE_MAX: usize = 96;

/// A tick's number: what the ticker hands every subscriber.
type Seq = u64;

/// The running tickers, by interval in milliseconds.
#[derive(Default)]
pub struct Hub {
    tickers: Mutex<HashMap<u64, broadcast::Sender<Seq>>>,
}

impl Hub {
    pub fn new() -> Arc<Hub> {
        Arc::new(Hub::default())
    }

    /// A receiver of the ticker for `interval_ms`, starting that ticker if none runs.
    pub fn subscribe(self: &Arc<Self>, interval_ms: u64) -> broadcast::Receiver<Seq> {
        let interval_ms = interval_ms.max(MIN_INTERVAL_MS);
        let mut tickers = self.tickers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = tickers.get(&interval_ms) {
            return sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(CHANNEL_CAPACITY);
        tickers.insert(interval_ms, sender.clone());
        tokio::spawn(Arc::clone(self).tick(interval_ms, sender));
        receiver
    }

    async fn tick(self: Arc<Self>, interval_ms: u64, sender: broadcast::Sender<Seq>) {
        let period = Duration::from_millis(interval_ms);
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seq = 0u64;
        loop {
            ticker.tick().await;
            {
                // Checked under the lock `subscribe` takes, so nobody joins a dying ticker.
                let mut tickers = self.tickers.lock().unwrap_or_else(|e| e.into_inner());
                if sender.receiver_count() == 0 {
                    tickers.remove(&interval_ms);
                    return;
                }
            }
            seq += 1;
            let _ = sender.send(seq);
        }
    }
}

/// One subscriber's message buffer, reused for every message it sends.
#[derive(Default)]
struct Messages {
    buffer: BytesMut,
}

impl Messages {
    /// The broadcast text for tick `seq` sent at `at`. Once the previous message has been
    /// written (and its bytes dropped), its storage is taken back instead of allocating.
    fn message(&mut self, seq: Seq, at: SystemTime) -> Utf8Bytes {
        let micros = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
        self.buffer.reserve(MESSAGE_MAX);
        // BytesMut's `fmt::Write` only fails past `usize::MAX` bytes.
        let _ = write!(
            self.buffer,
            r#"{{"type":"BROADCAST","seq":{seq},"sent_at_ms":{}.{:03}}}"#,
            micros / 1000,
            micros % 1000
        );
        Utf8Bytes::try_from(self.buffer.split().freeze()).expect("the message is ASCII")
    }

    /// The text for tick `seq`, stamped now: called as it is written to the socket.
    fn stamped(&mut self, seq: Seq) -> Utf8Bytes {
        self.message(seq, SystemTime::now())
    }
}

/// The interval from a raw query string (`interval_ms=250`), or the default.
pub fn interval_from_query(query: Option<&str>) -> Result<u64, String> {
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "interval_ms" {
            return value
                .parse::<u64>()
                .map(|ms| ms.max(MIN_INTERVAL_MS))
                .map_err(|_| format!("interval_ms must be a whole number of milliseconds, got {value:?}\n"));
        }
    }
    Ok(DEFAULT_INTERVAL_MS)
}

/// Forwards broadcasts to one client until it closes or goes away. What the client sends
/// is read (so pings and close frames get their replies) and otherwise ignored.
pub async fn forward(mut socket: WebSocket, mut broadcasts: broadcast::Receiver<Seq>) {
    let mut messages = Messages::default();
    loop {
        tokio::select! {
            received = broadcasts.recv() => match received {
                Ok(seq) => {
                    if socket.send(Message::Text(messages.stamped(seq))).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_carries_sequence_and_microsecond_timestamp() {
        let at = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        let text = Messages::default().message(7, at);
        assert_eq!(text, r#"{"type":"BROADCAST","seq":7,"sent_at_ms":1700000000123.456}"#);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["sent_at_ms"].as_f64().unwrap(), 1_700_000_000_123.456);
    }

    #[test]
    fn a_subscriber_reuses_its_buffer_once_the_previous_message_is_gone() {
        let mut messages = Messages::default();
        let first = messages.message(1, UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_001));
        let storage = first.as_ptr();
        drop(first);
        let second = messages.message(u64::MAX, UNIX_EPOCH + Duration::from_secs(u64::MAX / 1_000_000));
        assert_eq!(second.as_ptr(), storage, "the second message reuses the first one's storage");
        assert!(second.as_str().starts_with(r#"{"type":"BROADCAST","seq":18446744073709551615,"sent_at_ms":"#));
        let before = second.as_str().to_string();
        let held = messages.message(3, UNIX_EPOCH);
        assert_eq!(second.as_str(), before, "a message still being written is not overwritten");
        assert_ne!(held.as_ptr(), second.as_ptr());
    }

    #[tokio::test]
    async fn a_message_is_stamped_when_it_is_sent_not_when_its_tick_fired() {
        let hub = Hub::new();
        let mut receiver = hub.subscribe(5);
        let seq = receiver.recv().await.unwrap();
        let ticked = SystemTime::now();
        // A subscriber served late (the last of a large fan-out) sends its tick 50 ms on.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let text = Messages::default().stamped(seq);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ticked_ms = ticked.duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0;
        assert!(parsed["sent_at_ms"].as_f64().unwrap() >= ticked_ms + 50.0, "{text}");
        assert_eq!(parsed["seq"], seq);
    }

    #[test]
    fn interval_comes_from_the_query() {
        assert_eq!(interval_from_query(None), Ok(DEFAULT_INTERVAL_MS));
        assert_eq!(interval_from_query(Some("interval_ms=250")), Ok(250));
        assert_eq!(interval_from_query(Some("interval_ms=0")), Ok(MIN_INTERVAL_MS));
        assert!(interval_from_query(Some("interval_ms=fast")).unwrap_err().contains("\"fast\""));
    }

    #[tokio::test]
    async fn one_ticker_serves_every_subscriber_and_stops_without_them() {
        let hub = Hub::new();
        let mut a = hub.subscribe(5);
        let mut b = hub.subscribe(5);
        let first_a = a.recv().await.unwrap();
        let first_b = b.recv().await.unwrap();
        assert_eq!(first_a, first_b, "both got the same tick");
        assert_eq!(first_a, 1);
        drop((a, b));
        for _ in 0..100 {
            if hub.tickers.lock().unwrap().is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the ticker kept running without subscribers");
    }
}
