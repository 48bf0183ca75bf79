//! `/ws/broadcast?interval_ms=N`: every connected client receives, every N ms (default 1000),
//! `{"type":"BROADCAST","seq":n,"sent_at_ms":<unix ms, µs precision>}`, so a script can
//! compute delivery latency as `now_ms() - sent_at_ms`.
//!
//! One ticker task per distinct interval formats each message once and hands it to every
//! subscriber through a `tokio::sync::broadcast` channel (the text is a shared `Bytes`, so
//! 10,000 subscribers cost one allocation per tick, not 10,000). The ticker starts with its
//! first subscriber and stops at the first tick that finds none left. Clients that fall more
//! than [`CHANNEL_CAPACITY`] messages behind skip what they missed rather than slowing the
//! others down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use tokio::sync::broadcast::{self, error::RecvError};

/// Interval when the query does not name one.
pub const DEFAULT_INTERVAL_MS: u64 = 1000;
/// Shortest interval accepted; shorter ones are raised to it.
pub const MIN_INTERVAL_MS: u64 = 1;
/// Messages a slow subscriber may lag behind before it skips ahead.
const CHANNEL_CAPACITY: usize = 64;

/// The running tickers, by interval in milliseconds.
#[derive(Default)]
pub struct Hub {
    tickers: Mutex<HashMap<u64, broadcast::Sender<Utf8Bytes>>>,
}

impl Hub {
    pub fn new() -> Arc<Hub> {
        Arc::new(Hub::default())
    }

    /// A receiver of the ticker for `interval_ms`, starting that ticker if none runs.
    pub fn subscribe(self: &Arc<Self>, interval_ms: u64) -> broadcast::Receiver<Utf8Bytes> {
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

    async fn tick(self: Arc<Self>, interval_ms: u64, sender: broadcast::Sender<Utf8Bytes>) {
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
            let _ = sender.send(Utf8Bytes::from(message(seq, SystemTime::now())));
        }
    }
}

/// The broadcast text for tick `seq` sent at `at`.
fn message(seq: u64, at: SystemTime) -> String {
    let micros = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
    format!(r#"{{"type":"BROADCAST","seq":{seq},"sent_at_ms":{}.{:03}}}"#, micros / 1000, micros % 1000)
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
pub async fn forward(mut socket: WebSocket, mut broadcasts: broadcast::Receiver<Utf8Bytes>) {
    loop {
        tokio::select! {
            received = broadcasts.recv() => match received {
                Ok(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
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
        let text = message(7, at);
        assert_eq!(text, r#"{"type":"BROADCAST","seq":7,"sent_at_ms":1700000000123.456}"#);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["sent_at_ms"].as_f64().unwrap(), 1_700_000_000_123.456);
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
        assert!(first_a.as_str().contains(r#""seq":1"#), "{first_a}");
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
