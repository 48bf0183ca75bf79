//! Where k6 lists a metric: its section (CUSTOM, HTTP, EXECUTION, …, by name prefix) and the
//! order within a section and within the THRESHOLDS section.

use std::cmp::Ordering;

use super::SummaryMode;

/// Metrics k6 hides from the compact summary (matched by prefix, as k6 does).
const COMPACT_HIDDEN: [&str; 6] = [
    "http_req_blocked",
    "http_req_connecting",
    "http_req_receiving",
    "http_req_sending",
    "http_req_tls_handshaking",
    "http_req_waiting",
];

/// The summary's metric sections, in k6's order (custom metrics are moved first when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Section {
    Custom,
    Http,
    Execution,
    Network,
    Browser,
    WebVitals,
    Grpc,
    WebSocket,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Custom => "CUSTOM",
            Section::Http => "HTTP",
            Section::Execution => "EXECUTION",
            Section::Network => "NETWORK",
            Section::Browser => "BROWSER",
            Section::WebVitals => "WEBVITALS",
            Section::Grpc => "GRPC",
            Section::WebSocket => "WEBSOCKET",
        }
    }

    /// k6's classification, by name prefix; `None` for metrics the summary never lists
    /// (`checks` and `group_duration`, like k6) or that `mode` hides.
    pub fn of(name: &str, mode: SummaryMode) -> Option<Section> {
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
        if starts(&["checks", "group_duration"]) || (mode == SummaryMode::Compact && starts(&COMPACT_HIDDEN)) {
            return None;
        }
        Some(
            if starts(&[
                "http_reqs",
                "http_req_failed",
                "http_req_duration",
                "http_req_blocked",
                "http_req_connecting",
                "http_req_tls_handshaking",
                "http_req_sending",
                "http_req_waiting",
                "http_req_receiving",
            ]) {
                Section::Http
            } else if starts(&["vus", "vus_max", "iterations", "iteration_duration", "dropped_iterations"]) {
                Section::Execution
            } else if starts(&["data_sent", "data_received"]) {
                Section::Network
            } else if name.starts_with("browser_web_vital_") {
                Section::WebVitals
            } else if name.starts_with("browser_") {
                Section::Browser
            } else if name.starts_with("grpc_") {
                Section::Grpc
            } else if name.starts_with("ws_") {
                Section::WebSocket
            } else {
                Section::Custom
            },
        )
    }
}

/// The order k6 lists metrics in (metric sections and the THRESHOLDS section). k6 sorts by
/// parent name, then sub-metric, with JavaScript's `localeCompare`; for metric names (ASCII
/// letters, digits, `_`) that means case-insensitive, `_` before digits before letters, which
/// this reproduces.
pub fn compare_metric_names(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, &str) {
        s.split_at(s.find('{').unwrap_or(s.len()))
    }
    let (pa, sa) = split(a);
    let (pb, sb) = split(b);
    locale_compare(pa, pb).then_with(|| locale_compare(sa, sb))
}

fn locale_compare(a: &str, b: &str) -> Ordering {
    fn key(c: char) -> (u8, char) {
        match c {
            '_' => (0, c),
            '0'..='9' => (1, c),
            c if c.is_alphabetic() => (2, c.to_ascii_lowercase()),
            c => (3, c),
        }
    }
    a.chars().map(key).cmp(b.chars().map(key)).then_with(|| b.cmp(a)) // lowercase before uppercase, as ICU does
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_sort_like_k6() {
        let mut names = vec![
            "http_reqs",
            "http_req_failed",
            "http_req_duration{expected_response:true}",
            "http_req_duration",
            "My_metric",
            "iterations",
            "iteration_duration",
            "a2",
            "a_b",
        ];
        names.sort_by(|a, b| compare_metric_names(a, b));
        assert_eq!(
            names,
            [
                "a_b",
                "a2",
                "http_req_duration",
                "http_req_duration{expected_response:true}",
                "http_req_failed",
                "http_reqs",
                "iteration_duration",
                "iterations",
                "My_metric",
            ]
        );
    }
}
