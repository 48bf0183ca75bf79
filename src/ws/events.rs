//! What a k6/websockets `WebSocket` reports to the script: its ready states, its event types
//! with k6's names, and what each event carries (`websocket.rs` fires them).

/// `readyState`, with the spec's numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadyState {
    Connecting = 0,
    Open = 1,
    Closing = 2,
    Closed = 3,
}

/// The events a `WebSocket` fires, in the order of [`KIND_NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Open,
    Message,
    Error,
    Close,
    Ping,
    Pong,
}

/// k6's event type names, for `addEventListener(type, f)` and the `on<type>` properties.
pub const KIND_NAMES: [&str; 6] = ["open", "message", "error", "close", "ping", "pong"];

impl Kind {
    const ALL: [Kind; 6] = [Kind::Open, Kind::Message, Kind::Error, Kind::Close, Kind::Ping, Kind::Pong];

    /// The event k6 calls `name`.
    pub fn parse(name: &str) -> Option<Kind> {
        KIND_NAMES.iter().position(|n| *n == name).map(|i| Kind::ALL[i])
    }

    pub fn name(self) -> &'static str {
        KIND_NAMES[self as usize]
    }
}

/// What an event carries besides its type.
#[derive(Clone, Copy, Debug)]
pub enum Detail<'a> {
    None,
    Text(&'a str),
    Binary(&'a [u8]),
    Error(&'a str),
    Close { code: u16, reason: &'a str },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_k6_names() {
        assert_eq!(Kind::parse("message"), Some(Kind::Message));
        assert_eq!(Kind::parse("pong").map(Kind::name), Some("pong"));
        assert!(Kind::parse("binaryMessage").is_none(), "k6/websockets has one message event");
    }
}
