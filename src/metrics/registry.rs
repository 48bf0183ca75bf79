//! Metric declarations: names, kinds and the ids the hot path records with.
//!
//! A [`MetricId`] carries its [`MetricKind`] and [`Contains`], so recording a sample never has to
//! look anything up in the [`Registry`]: the registry is only consulted when a metric is declared
//! (rare) and when a thread's sink is flushed into the aggregate (twice a second). Built-in metrics
//! have fixed ids ([`builtin`]) that every [`Registry::new`] pre-registers in the same order.
//!
//! Not here: storing samples (`sink`, `local`), aggregation (`aggregate`).

use std::collections::HashMap;
use std::fmt;

/// The four k6 metric types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// Sum of all values (k6 `Counter`); the summary shows the sum and its rate per second.
    Counter,
    /// Last value, with min and max (k6 `Gauge`).
    Gauge,
    /// Fraction of non-zero values (k6 `Rate`).
    Rate,
    /// Distribution of values (k6 `Trend`), kept in an HDR histogram.
    Trend,
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricKind::Counter => "Counter",
            MetricKind::Gauge => "Gauge",
            MetricKind::Rate => "Rate",
            MetricKind::Trend => "Trend",
        })
    }
}

/// What a metric's values measure; decides how the summary formats them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Contains {
    /// Plain numbers.
    Default,
    /// Durations in milliseconds.
    Time,
    /// Byte counts.
    Data,
}

impl fmt::Display for Contains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Contains::Default => "default",
            Contains::Time => "time",
            Contains::Data => "data",
        })
    }
}

/// Identifies a declared metric. Cheap to copy; embeds the kind so samples can be stored without
/// consulting the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricId {
    index: u32,
    kind: MetricKind,
    contains: Contains,
}

impl MetricId {
    const fn new(index: u32, kind: MetricKind, contains: Contains) -> Self {
        MetricId { index, kind, contains }
    }

    /// Position of the metric in its registry (dense, starting at 0).
    pub fn index(self) -> usize {
        self.index as usize
    }

    /// The metric's type.
    pub fn kind(self) -> MetricKind {
        self.kind
    }

    /// What the metric's values measure.
    pub fn contains(self) -> Contains {
        self.contains
    }
}

/// Errors when declaring a metric. Messages name the metric as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetricError {
    /// The name does not match k6's rule.
    #[error(
        "invalid metric name \"{name}\": names must be 2 to 129 ASCII letters, digits or \
         underscores and must not start with a digit"
    )]
    InvalidName {
        /// The name as given.
        name: String,
    },
    /// The name is already declared with another type.
    #[error("metric \"{name}\" is already declared as a {existing}, it can't be redeclared as a {requested}")]
    TypeMismatch {
        /// The metric's name.
        name: String,
        /// The type it was first declared with.
        existing: MetricKind,
        /// The type of the new declaration.
        requested: MetricKind,
    },
    /// The name is already declared as a time metric and now isn't (or the reverse).
    #[error(
        "metric \"{name}\" is already declared as a {kind} of {existing} values, it can't be \
         redeclared with {requested} values"
    )]
    ContainsMismatch {
        /// The metric's name.
        name: String,
        /// The metric's type.
        kind: MetricKind,
        /// What it was first declared to contain.
        existing: Contains,
        /// What the new declaration says it contains.
        requested: Contains,
    },
}

/// k6 v1.1's rule for metric names: `^[a-zA-Z_][a-zA-Z0-9_]{1,128}$`, so 2 to 129 characters
/// (k6 refuses `new Counter('c')`, and takes a name of 129; its message says "up to 128").
pub fn is_valid_metric_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {}
        _ => return false,
    }
    (2..=129).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

macro_rules! builtins {
    ($( $index:literal $konst:ident $name:literal $kind:ident $contains:ident; )*) => {
        /// Ids of k6's built-in metrics; every [`Registry`] starts with them.
        pub mod builtin {
            use super::{Contains, MetricId, MetricKind};
            $(
                #[doc = concat!("`", $name, "`")]
                pub const $konst: MetricId =
                    MetricId::new($index, MetricKind::$kind, Contains::$contains);
            )*
            /// Every built-in metric with its k6 name, in id order.
            pub const ALL: &[(&str, MetricId)] = &[$( ($name, $konst), )*];
        }
    };
}

builtins! {
    0 VUS "vus" Gauge Default;
    1 VUS_MAX "vus_max" Gauge Default;
    2 ITERATIONS "iterations" Counter Default;
    3 ITERATION_DURATION "iteration_duration" Trend Time;
    4 DROPPED_ITERATIONS "dropped_iterations" Counter Default;
    5 CHECKS "checks" Rate Default;
    6 GROUP_DURATION "group_duration" Trend Time;
    7 DATA_SENT "data_sent" Counter Data;
    8 DATA_RECEIVED "data_received" Counter Data;
    9 HTTP_REQS "http_reqs" Counter Default;
    10 HTTP_REQ_FAILED "http_req_failed" Rate Default;
    11 HTTP_REQ_DURATION "http_req_duration" Trend Time;
    12 HTTP_REQ_BLOCKED "http_req_blocked" Trend Time;
    13 HTTP_REQ_CONNECTING "http_req_connecting" Trend Time;
    14 HTTP_REQ_TLS_HANDSHAKING "http_req_tls_handshaking" Trend Time;
    15 HTTP_REQ_SENDING "http_req_sending" Trend Time;
    16 HTTP_REQ_WAITING "http_req_waiting" Trend Time;
    17 HTTP_REQ_RECEIVING "http_req_receiving" Trend Time;
    18 WS_SESSIONS "ws_sessions" Counter Default;
    19 WS_MSGS_SENT "ws_msgs_sent" Counter Default;
    20 WS_MSGS_RECEIVED "ws_msgs_received" Counter Default;
    21 WS_PING "ws_ping" Trend Time;
    22 WS_SESSION_DURATION "ws_session_duration" Trend Time;
    23 WS_CONNECTING "ws_connecting" Trend Time;
    // rload's own: how late arrival-rate iterations start against their plan.
    24 ITERATION_START_DELAY "iteration_start_delay" Trend Time;
}

/// A declared metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricInfo {
    /// The k6-style name.
    pub name: String,
    /// Its id.
    pub id: MetricId,
}

/// The set of declared metrics. Create one per test (or use the process-global one through
/// [`crate::metrics::register`]).
#[derive(Debug, Clone)]
pub struct Registry {
    metrics: Vec<MetricInfo>,
    by_name: HashMap<String, MetricId>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// A registry holding k6's built-in metrics.
    pub fn new() -> Self {
        let mut registry = Registry {
            metrics: Vec::with_capacity(builtin::ALL.len()),
            by_name: HashMap::with_capacity(builtin::ALL.len()),
        };
        for &(name, id) in builtin::ALL {
            debug_assert_eq!(id.index(), registry.metrics.len());
            registry.metrics.push(MetricInfo { name: name.to_owned(), id });
            registry.by_name.insert(name.to_owned(), id);
        }
        registry
    }

    /// Declares a metric, or returns the existing id when `name` is already declared with the
    /// same type (k6 allows re-declaring a metric identically, e.g. once per VU init).
    pub fn register(&mut self, name: &str, kind: MetricKind, is_time: bool) -> Result<MetricId, MetricError> {
        let contains = if is_time { Contains::Time } else { Contains::Default };
        self.register_with(name, kind, contains)
    }

    /// Like [`Registry::register`] with an explicit [`Contains`] (e.g. data counters).
    pub fn register_with(&mut self, name: &str, kind: MetricKind, contains: Contains) -> Result<MetricId, MetricError> {
        if let Some(&id) = self.by_name.get(name) {
            if id.kind() != kind {
                return Err(MetricError::TypeMismatch { name: name.to_owned(), existing: id.kind(), requested: kind });
            }
            if id.contains() != contains {
                return Err(MetricError::ContainsMismatch {
                    name: name.to_owned(),
                    kind,
                    existing: id.contains(),
                    requested: contains,
                });
            }
            return Ok(id);
        }
        if !is_valid_metric_name(name) {
            return Err(MetricError::InvalidName { name: name.to_owned() });
        }
        let index = u32::try_from(self.metrics.len()).expect("fewer than 2^32 metrics");
        let id = MetricId::new(index, kind, contains);
        self.metrics.push(MetricInfo { name: name.to_owned(), id });
        self.by_name.insert(name.to_owned(), id);
        Ok(id)
    }

    /// The id of a declared metric.
    pub fn get(&self, name: &str) -> Option<MetricId> {
        self.by_name.get(name).copied()
    }

    /// The declaration behind an id, if it belongs to this registry.
    pub fn info(&self, id: MetricId) -> Option<&MetricInfo> {
        self.metrics.get(id.index()).filter(|info| info.id == id)
    }

    /// The metric at `index` (see [`MetricId::index`]).
    pub fn by_index(&self, index: usize) -> Option<&MetricInfo> {
        self.metrics.get(index)
    }

    /// All declared metrics in id order.
    pub fn iter(&self) -> impl Iterator<Item = &MetricInfo> {
        self.metrics.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_have_k6_names_and_types() {
        let registry = Registry::new();
        assert_eq!(registry.get("http_req_duration"), Some(builtin::HTTP_REQ_DURATION));
        assert_eq!(builtin::HTTP_REQ_FAILED.kind(), MetricKind::Rate);
        assert_eq!(builtin::CHECKS.kind(), MetricKind::Rate);
        assert_eq!(builtin::DATA_RECEIVED.contains(), Contains::Data);
        assert_eq!(builtin::VUS.kind(), MetricKind::Gauge);
        assert_eq!(builtin::WS_CONNECTING.contains(), Contains::Time);
        assert_eq!(registry.iter().count(), builtin::ALL.len());
        assert_eq!(registry.get("iteration_start_delay"), Some(builtin::ITERATION_START_DELAY));
        for (i, info) in registry.iter().enumerate() {
            assert_eq!(info.id.index(), i, "{}", info.name);
        }
    }

    #[test]
    fn redeclaring_with_another_type_names_both_types() {
        let mut registry = Registry::new();
        let id = registry.register("my_trend", MetricKind::Trend, true).unwrap();
        assert_eq!(registry.register("my_trend", MetricKind::Trend, true), Ok(id));
        let err = registry.register("my_trend", MetricKind::Counter, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "metric \"my_trend\" is already declared as a Trend, it can't be redeclared as a Counter"
        );
        let err = registry.register("checks", MetricKind::Trend, false).unwrap_err();
        assert!(err.to_string().contains("\"checks\" is already declared as a Rate"));
        let err = registry.register("my_trend", MetricKind::Trend, false).unwrap_err();
        assert!(matches!(err, MetricError::ContainsMismatch { .. }), "{err}");
    }

    #[test]
    fn names_follow_k6_rule() {
        // Checked against k6 v1.1.0: `new Counter('c')` is an init error there, 'ab' and 129
        // characters are not.
        for good in ["ab", "__", "my_metric_2", &"x".repeat(129)] {
            assert!(is_valid_metric_name(good), "{good}");
        }
        for bad in ["", "a", "_", "2xx", "my-metric", "é", "a b", &"x".repeat(130)] {
            assert!(!is_valid_metric_name(bad), "{bad}");
        }
        let err = Registry::new().register("my-metric", MetricKind::Counter, false).unwrap_err();
        assert!(err.to_string().starts_with("invalid metric name \"my-metric\""));
    }
}
