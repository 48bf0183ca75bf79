//! k6's HTTP samples: which tags a request's samples carry and which samples it records.
//!
//! Every hop of a request (each redirect included) records `http_reqs`, `http_req_failed`,
//! `http_req_duration` and its phases (`blocked`, `connecting`, `tls_handshaking`, `sending`,
//! `waiting`, `receiving`), tagged with the VU's tags plus `method`, `url`, `name`, `proto`,
//! `status`, `expected_response`, `error_code` (statuses from 400 up and transport errors),
//! `error` (transport errors only, as k6: its message, at most
//! [`metrics::MAX_MESSAGE_BYTES`]) and the script's `params.tags` (which win over the built-in
//! ones, as in k6; a script's `name` tag is the `url` tag too). The bytes a hop moved are not a
//! sample of their own: [`record_hops`] returns them, and the VU sends `data_sent` and
//! `data_received` once per iteration, as k6's dialer trail does. Of the built-in tags, only
//! those in the run's `systemTags` are attached (k6's default leaves out `ip`, which rload sets
//! when asked). The binding calls
//! [`record_hops`] with the client's outcomes; the samples go to the thread's metric sink.
//!
//! Each hop that `http_req_failed` counts as failed is also counted by its `error_code` and
//! message ([`failure_message`]) for the summary's table of why requests failed.
//!
//! Which statuses are expected is k6's response callback ([`ExpectedStatuses`], set by
//! `http.setResponseCallback` or `params.responseCallback`): 200–399 by default. Without a
//! callback (`null`), k6 records no `http_req_failed` and no `expected_response` tag.
//!
//! This module does no I/O and knows nothing about Rhai.

use std::cell::RefCell;
use std::convert::Infallible;
use std::net::IpAddr;

use super::HttpOutcome;
use crate::metrics::{self, builtin, recent_or_build, tag, RecentTagSets, SystemTag, SystemTags, TagSet};

/// The result of k6's `http.expectedStatuses(...)`: exact statuses and inclusive ranges. The
/// only response callback k6 accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedStatuses {
    exact: Vec<i64>,
    ranges: Vec<(i64, i64)>,
}

impl Default for ExpectedStatuses {
    /// k6's default callback: statuses 200–399 are expected; anything else, a failure
    /// (status 0) included, counts in `http_req_failed`.
    fn default() -> Self {
        ExpectedStatuses { exact: Vec::new(), ranges: vec![(200, 399)] }
    }
}

impl ExpectedStatuses {
    /// A callback expecting `exact` statuses and those in the inclusive `ranges`.
    pub fn new(exact: Vec<i64>, ranges: Vec<(i64, i64)>) -> Self {
        ExpectedStatuses { exact, ranges }
    }

    pub fn matches(&self, status: u16) -> bool {
        let status = i64::from(status);
        self.exact.contains(&status) || self.ranges.iter().any(|&(min, max)| min <= status && status <= max)
    }
}

/// How a request's hops are judged: its response callback (`None`: k6's `null`, nothing is
/// judged) and whether it answered a digest challenge. k6 expects exactly a 401 from the
/// first hop of a digest request, whatever the callback, as long as there is one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Judging<'a> {
    pub callback: Option<&'a ExpectedStatuses>,
    pub digest: bool,
}

impl Judging<'_> {
    /// Whether hop number `index` with `status` is expected; `None` without a callback.
    fn expected(&self, index: usize, status: u16) -> Option<bool> {
        let callback = self.callback?;
        Some(if self.digest && index == 0 { status == 401 } else { callback.matches(status) })
    }
}

/// One of a request's `params.tags`, in whatever strings hold it: the script API keeps Rhai's
/// own (a literal tag value is shared, not copied, and a short key stays inline).
pub trait UserTag {
    fn key(&self) -> &str;
    fn value(&self) -> &str;
}

impl<K: AsRef<str>, V: AsRef<str>> UserTag for (K, V) {
    fn key(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}

/// Records the samples of every hop of one request and returns the bytes they sent and
/// received. `base` is the VU's tag set (its `group` included); `user_tags` are the request's
/// `params.tags`.
pub fn record_hops(
    base: &TagSet,
    user_tags: &[impl UserTag],
    hops: &[HttpOutcome],
    judging: Judging<'_>,
) -> (u64, u64) {
    let mut bytes = (0, 0);
    for (index, hop) in hops.iter().enumerate() {
        record(base, user_tags, hop, judging.expected(index, hop.status));
        bytes.0 += hop.bytes_sent;
        bytes.1 += hop.bytes_received;
    }
    bytes
}

/// What a hop's tag set is built from, kept beside the tag set built: a VU looping over the
/// same request makes the same tag set every time, and building it (a copy of the base tags,
/// eight tags interned, the status formatted) was ~5% of a request's instructions.
struct HopKey {
    system: SystemTags,
    base: TagSet,
    user_tags: Vec<(String, String)>,
    method: http::Method,
    /// `None` when the script named the request (`tags: { name }`): the name is then its `url`
    /// and `name` tags, so the tags do not depend on the URL, which may hold an id per request
    /// (scenario 03's session ids missed this cache on every request).
    url: Option<String>,
    proto: &'static str,
    status: u16,
    expected: Option<bool>,
    error: Option<String>,
    error_code: u32,
    remote_ip: Option<IpAddr>,
}

impl HopKey {
    fn new(base: &TagSet, user_tags: &[impl UserTag], o: &HttpOutcome, expected: Option<bool>) -> Self {
        HopKey {
            system: metrics::system_tags_now(),
            base: base.clone(),
            user_tags: user_tags.iter().map(|t| (t.key().to_owned(), t.value().to_owned())).collect(),
            method: o.method.clone(),
            url: script_name(user_tags).is_none().then(|| o.url.clone()),
            proto: o.proto,
            status: o.status,
            expected,
            error: o.error.clone(),
            error_code: o.error_code,
            remote_ip: o.remote_ip,
        }
    }

    fn matches(&self, base: &TagSet, user_tags: &[impl UserTag], o: &HttpOutcome, expected: Option<bool>) -> bool {
        self.status == o.status
            && self.error_code == o.error_code
            && self.expected == expected
            && self.proto == o.proto
            && self.url.as_ref().is_none_or(|url| *url == o.url)
            && self.method == o.method
            && self.remote_ip == o.remote_ip
            && self.error == o.error
            && self.user_tags.len() == user_tags.len()
            && self.user_tags.iter().zip(user_tags).all(|((k, v), t)| k == t.key() && v == t.value())
            && self.base == *base
            && self.system == metrics::system_tags_now()
    }
}

/// How many recent hops' tag sets a thread keeps: a few requests of an iteration, or VUs
/// looping over different URLs on one thread.
const CACHED_HOP_TAGS: usize = 8;

thread_local! {
    /// This thread's recent hops' tag sets, most recent first (see [`HopKey`]).
    static HOP_TAGS: RecentTagSets<HopKey> = const { RefCell::new(Vec::new()) };
}

/// [`hop_tags`], reusing the tag set of a recent hop built from the same values.
fn cached_hop_tags(base: &TagSet, user_tags: &[impl UserTag], o: &HttpOutcome, expected: Option<bool>) -> TagSet {
    let Ok(tags) = recent_or_build(
        &HOP_TAGS,
        CACHED_HOP_TAGS,
        |key| key.matches(base, user_tags, o, expected),
        || Ok::<_, Infallible>((HopKey::new(base, user_tags, o, expected), hop_tags(base, user_tags, o, expected))),
    );
    tags
}

/// The tags of one hop's `http_req_*` samples: the run's system tags only (`systemTags`), the
/// script's always; `expected` is `None` without a response callback.
fn hop_tags(base: &TagSet, user_tags: &[impl UserTag], o: &HttpOutcome, expected: Option<bool>) -> TagSet {
    let on = metrics::system_tag_enabled;
    let mut tags = base.clone();
    if on(SystemTag::METHOD) {
        tags.insert(tag::METHOD, o.method.as_str());
    }
    let named = script_name(user_tags);
    // A name the script gives replaces both tags below, so they are not built from the URL.
    if named.is_none() && (on(SystemTag::URL) || on(SystemTag::NAME)) {
        let url = super::auth::clean_url(&o.url);
        if on(SystemTag::URL) {
            tags.insert(tag::URL, &url);
        }
        if on(SystemTag::NAME) {
            tags.insert(tag::NAME, &url);
        }
    }
    // As in k6, only a response has a protocol: a request that failed (refused, timed out,
    // DNS) has no `proto` tag rather than an empty one.
    if on(SystemTag::PROTO) && !o.proto.is_empty() {
        tags.insert(tag::PROTO, o.proto);
    }
    if on(SystemTag::STATUS) {
        tags.insert(tag::STATUS, &o.status.to_string());
    }
    if let (Some(expected), true) = (expected, on(SystemTag::EXPECTED_RESPONSE)) {
        tags.insert(tag::EXPECTED_RESPONSE, if expected { "true" } else { "false" });
    }
    if let (Some(error), true) = (&o.error, on(SystemTag::ERROR)) {
        // Cut as the failure table keeps it: megabytes in an error must not become a tag.
        tags.insert(tag::ERROR, metrics::shorten_message(error).0);
    }
    if o.error_code != 0 && on(SystemTag::ERROR_CODE) {
        tags.insert(tag::ERROR_CODE, &o.error_code.to_string());
    }
    if let (Some(ip), true) = (o.remote_ip, on(SystemTag::IP)) {
        tags.insert(tag::IP, &ip.to_string());
    }
    for t in user_tags {
        tags.insert(t.key(), t.value());
    }
    // k6 (since v0.41): a `name` the script sets is the `url` tag too, so URLs with ids in them
    // group into one series instead of one per id.
    if let (Some(name), true) = (named, on(SystemTag::URL)) {
        tags.insert(tag::URL, name);
    }
    tags
}

/// The `name` tag the script gave the request, the last one if it gave several.
fn script_name(user_tags: &[impl UserTag]) -> Option<&str> {
    user_tags.iter().rev().find(|t| t.key() == tag::NAME).map(UserTag::value)
}

/// What the failure table says about a failed hop: the transport error as `res.error` has it,
/// else the status line's text as k6's `res.status_text` has it (`404 Not Found`), else the
/// bare status.
pub fn failure_message(o: &HttpOutcome) -> std::borrow::Cow<'_, str> {
    if let Some(error) = &o.error {
        return error.into();
    }
    match o.status_text() {
        // No status line, or one without a phrase ("999 ").
        text if text.trim_end().len() <= 3 => format!("status {}", o.status).into(),
        text => text.into(),
    }
}

fn record(base: &TagSet, user_tags: &[impl UserTag], o: &HttpOutcome, expected: Option<bool>) {
    let tags = cached_hop_tags(base, user_tags, o, expected);
    let t = &o.timings;
    if expected == Some(false) {
        metrics::record_failure(o.error_code, &failure_message(o));
    }
    // One borrow of the thread's sink for the hop's samples, in k6's order.
    let mut samples = [(builtin::HTTP_REQS, 1.0); 9];
    let mut n = 1;
    if let Some(expected) = expected {
        samples[n] = (builtin::HTTP_REQ_FAILED, if expected { 0.0 } else { 1.0 });
        n += 1;
    }
    for sample in [
        (builtin::HTTP_REQ_DURATION, t.duration),
        (builtin::HTTP_REQ_BLOCKED, t.blocked),
        (builtin::HTTP_REQ_CONNECTING, t.connecting),
        (builtin::HTTP_REQ_TLS_HANDSHAKING, t.tls_handshaking),
        (builtin::HTTP_REQ_SENDING, t.sending),
        (builtin::HTTP_REQ_WAITING, t.waiting),
        (builtin::HTTP_REQ_RECEIVING, t.receiving),
    ] {
        samples[n] = sample;
        n += 1;
    }
    metrics::record_all(&tags, &samples[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Timings;

    /// A request without `params.tags`.
    const NO_TAGS: [(String, String); 0] = [];

    fn outcome(status: u16, error_code: u32) -> HttpOutcome {
        HttpOutcome {
            status,
            reason: None,
            proto: "HTTP/1.1",
            url: "http://127.0.0.1/items/7".into(),
            method: http::Method::GET,
            headers: Default::default(),
            set_cookies: Vec::new(),
            body: None,
            error: None,
            error_code,
            timings: Timings::default(),
            bytes_sent: 0,
            bytes_received: 0,
            remote_ip: None,
            remote_port: 0,
        }
    }

    #[test]
    fn a_hop_carries_k6s_tags_and_the_scripts_tags_win() {
        let base = TagSet::new().with(tag::GROUP, "");
        let user = [(tag::NAME.to_string(), "items".to_string())];
        let tags = hop_tags(&base, &user, &outcome(404, 1404), Some(false));
        assert_eq!(tags.get(tag::NAME), Some("items"));
        assert_eq!(tags.get(tag::URL), Some("items"), "a script's name tag groups the url tag too, as in k6");
        assert_eq!(tags.get(tag::STATUS), Some("404"));
        assert_eq!(tags.get(tag::EXPECTED_RESPONSE), Some("false"));
        assert_eq!(tags.get(tag::ERROR_CODE), Some("1404"));
        assert_eq!(tags.get(tag::GROUP), Some(""));

        assert_eq!(tags.get(tag::ERROR), None, "k6 tags `error` on transport errors only");

        let ok = hop_tags(&base, &NO_TAGS, &outcome(302, 0), Some(true));
        assert_eq!(ok.get(tag::URL), Some("http://127.0.0.1/items/7"));
        assert_eq!(ok.get(tag::NAME), Some("http://127.0.0.1/items/7"));
        assert_eq!(ok.get(tag::EXPECTED_RESPONSE), Some("true"));
        assert_eq!(ok.get(tag::ERROR_CODE), None);
    }

    #[test]
    fn a_repeated_hop_gets_the_tags_a_fresh_build_gives_and_a_changed_one_its_own() {
        let base = TagSet::new().with(tag::GROUP, "").with(tag::SCENARIO, "default");
        let user = [("room".to_string(), "7".to_string())];
        let named = [("name".to_string(), "/items/{id}".to_string())];
        let mut failed = outcome(0, 1212);
        failed.error = Some("dial: connection refused".into());
        let mut other_url = outcome(200, 0);
        other_url.url = "http://127.0.0.1/items/8".into();
        let hops = [
            (outcome(200, 0), Some(true)),
            (outcome(200, 0), Some(true)),
            (outcome(404, 1404), Some(false)),
            (outcome(200, 0), None),
            (failed, Some(false)),
            (other_url, Some(true)),
            (outcome(200, 0), Some(true)),
        ];
        for (hop, expected) in &hops {
            for user_tags in [&user[..], &NO_TAGS[..], &named[..]] {
                let cached = cached_hop_tags(&base, user_tags, hop, *expected);
                assert_eq!(cached, hop_tags(&base, user_tags, hop, *expected), "{:?}", cached);
            }
        }
        let (first, other) = (&hops[0].0, &hops[5].0);
        assert_ne!(
            cached_hop_tags(&base, &NO_TAGS, first, Some(true)),
            cached_hop_tags(&base, &NO_TAGS, other, Some(true))
        );
        let named_first = cached_hop_tags(&base, &named, first, Some(true));
        assert_eq!(
            named_first,
            cached_hop_tags(&base, &named, other, Some(true)),
            "a named request's URL is not a tag"
        );
        assert_eq!(named_first.get(tag::URL), Some("/items/{id}"));
        let in_group = base.clone().with(tag::GROUP, "::login");
        assert_eq!(cached_hop_tags(&in_group, &NO_TAGS, &hops[0].0, Some(true)).get(tag::GROUP), Some("::login"));
    }

    #[test]
    fn a_transport_error_is_tagged_with_its_message_and_code_as_k6() {
        let mut refused = outcome(0, 1212);
        refused.error = Some("dial: connection refused".into());
        refused.proto = "";
        let tags = hop_tags(&TagSet::new(), &NO_TAGS, &refused, Some(false));
        assert_eq!(tags.get(tag::ERROR), Some("dial: connection refused"));
        assert_eq!(tags.get(tag::ERROR_CODE), Some("1212"));
        assert_eq!(tags.get(tag::STATUS), Some("0"));
        assert_eq!(tags.get(tag::PROTO), None, "no response, no proto tag (not an empty one), as k6");
        let answered = hop_tags(&TagSet::new(), &NO_TAGS, &outcome(404, 1404), Some(false));
        assert_eq!(answered.get(tag::PROTO), Some("HTTP/1.1"));

        refused.error = Some("x".repeat(1 << 20));
        let tags = hop_tags(&TagSet::new(), &NO_TAGS, &refused, Some(false));
        assert_eq!(tags.get(tag::ERROR).map(str::len), Some(metrics::MAX_MESSAGE_BYTES));
    }

    #[test]
    fn a_failed_hop_is_explained_by_its_error_else_its_status_text() {
        let mut refused = outcome(0, 1212);
        refused.error = Some("dial: connection refused".into());
        assert_eq!(failure_message(&refused), "dial: connection refused");
        assert_eq!(failure_message(&outcome(404, 1404)), "404 Not Found");
        let mut teapot = outcome(418, 1418);
        teapot.reason = Some("Short And Stout".into());
        assert_eq!(failure_message(&teapot), "418 Short And Stout", "the server's own phrase");
        assert_eq!(failure_message(&outcome(999, 1999)), "status 999");
    }

    #[test]
    fn expected_responses_are_200_to_399() {
        let default = ExpectedStatuses::default();
        assert!(!default.matches(0) && !default.matches(199) && !default.matches(400));
        assert!(default.matches(200) && default.matches(399));
    }

    #[test]
    fn expected_statuses_take_exact_codes_and_ranges() {
        let callback = ExpectedStatuses::new(vec![200, 404], vec![(300, 302)]);
        let judged: Vec<bool> = [200, 201, 301, 303, 404, 0].iter().map(|&s| callback.matches(s)).collect();
        assert_eq!(judged, [true, false, true, false, true, false]);
    }

    #[test]
    fn without_a_callback_nothing_is_judged_and_a_digest_challenge_is_expected() {
        let none = Judging::default();
        assert_eq!(none.expected(0, 500), None);
        assert_eq!(hop_tags(&TagSet::new(), &NO_TAGS, &outcome(500, 1500), None).get(tag::EXPECTED_RESPONSE), None);
        let callback = ExpectedStatuses::default();
        let digest = Judging { callback: Some(&callback), digest: true };
        assert_eq!(digest.expected(0, 401), Some(true), "the challenge is expected");
        assert_eq!(digest.expected(0, 200), Some(false), "k6 expects exactly 401 first");
        assert_eq!(digest.expected(1, 200), Some(true));
        assert_eq!(Judging { callback: None, digest: true }.expected(0, 401), None);
    }
}
