//! How many requests of one `http.batch` are in flight at once: k6's `batch` and
//! `batchPerHost` options.
//!
//! k6 (`httpext.MakeBatchRequests`) starts `min(requests, batch)` workers; each takes the next
//! request in the order given, waits for a free slot of that request's host (`batchPerHost`
//! slots per `host:port` as the URL writes it; 0 or less: no per-host limit), sends it and
//! takes the next. A worker waiting for its host's slot holds its own place, so 20 requests to
//! one host with the defaults (20, 6) go out 6 at a time, and a request to a second host
//! queued behind them waits too. [`run`] does the same with futures on the VU's thread.
//!
//! Not here: parsing the batch's entries (the script binding) and the options' validation
//! (`config/values.rs`: `batch` must be at least 1, as k6 waits forever on 0).

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;

use tokio::sync::Semaphore;

/// k6's default `batch`: requests of one `http.batch` in flight at once.
pub const DEFAULT_BATCH: usize = 20;
/// k6's default `batchPerHost`: of those, at most this many to one host.
pub const DEFAULT_BATCH_PER_HOST: usize = 6;

/// k6's `batch` and `batchPerHost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// At least 1.
    pub total: usize,
    /// 0: no per-host limit.
    pub per_host: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits { total: DEFAULT_BATCH, per_host: DEFAULT_BATCH_PER_HOST }
    }
}

/// The per-host key of a request URL: its host and port as the URL writes them, k6's key (Go's
/// `URL.Host`: the authority without credentials, neither lower-cased nor with a default port
/// dropped, so `http://h/`, `http://h:80/` and `http://H/` take slots of their own). A URL that
/// does not parse has its own key (it fails before it is sent).
pub fn host_key(url: &str) -> String {
    if url::Url::parse(url).is_err() {
        return url.to_owned();
    }
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    authority.rsplit_once('@').map_or(authority, |(_, host)| host).to_owned()
}

/// Sends every item with `send` under `limits` (see the module comment) and returns the
/// results in the items' order. `hosts[i]` is item i's [`host_key`].
pub async fn run<T, R, F, Fut>(items: Vec<T>, hosts: Vec<String>, limits: BatchLimits, send: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    let count = items.len();
    let workers = count.min(limits.total.max(1));
    let slots: HashMap<&str, Semaphore> = if limits.per_host == 0 {
        HashMap::new()
    } else {
        hosts.iter().map(|h| (h.as_str(), Semaphore::new(limits.per_host))).collect()
    };
    let queue = RefCell::new(items.into_iter().zip(&hosts).enumerate());
    let results: RefCell<Vec<Option<R>>> = RefCell::new((0..count).map(|_| None).collect());
    let worker = || async {
        loop {
            let Some((index, (item, host))) = queue.borrow_mut().next() else { return };
            // Never closed, so acquiring only waits.
            let _slot = match slots.get(host.as_str()) {
                Some(slot) => slot.acquire().await.ok(),
                None => None,
            };
            let result = send(item).await;
            results.borrow_mut()[index] = Some(result);
        }
    };
    futures_util::future::join_all((0..workers).map(|_| worker())).await;
    results.into_inner().into_iter().map(|r| r.expect("every batch item is sent")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::time::Duration;

    /// Sends `hosts.len()` requests of 100 ms each under `limits` on a paused clock; returns
    /// how long the batch took and the most requests in flight at once, overall and per host.
    async fn batch_of(hosts: &[&str], limits: BatchLimits) -> (Duration, usize, HashMap<String, usize>) {
        let in_flight = Cell::new(0);
        let most = Cell::new(0);
        let per_host: RefCell<HashMap<String, (usize, usize)>> = RefCell::default();
        let started = tokio::time::Instant::now();
        let items: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
        let order = run(items.clone(), items, limits, |host: String| {
            let (in_flight, most, per_host) = (&in_flight, &most, &per_host);
            async move {
                in_flight.set(in_flight.get() + 1);
                most.set(most.get().max(in_flight.get()));
                {
                    let mut map = per_host.borrow_mut();
                    let (now, top) = map.entry(host.clone()).or_default();
                    *now += 1;
                    *top = (*top).max(*now);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                in_flight.set(in_flight.get() - 1);
                per_host.borrow_mut().get_mut(&host).unwrap().0 -= 1;
                host
            }
        })
        .await;
        assert_eq!(order, hosts, "results keep the requests' order");
        let tops = per_host.into_inner().into_iter().map(|(h, (_, top))| (h, top)).collect();
        (started.elapsed(), most.get(), tops)
    }

    #[tokio::test(start_paused = true)]
    async fn twenty_requests_to_one_host_go_six_at_a_time_with_k6_defaults() {
        let (took, most, tops) = batch_of(&["a:1"; 20], BatchLimits::default()).await;
        assert_eq!((most, tops["a:1"]), (6, 6));
        // 4 waves (6 + 6 + 6 + 2), as k6's 1.2 s for 20 × /delay/300.
        assert_eq!(took, Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn batch_caps_all_hosts_together_and_per_host_zero_is_unlimited() {
        let hosts: Vec<&str> = (0..12).map(|i| if i % 2 == 0 { "a:1" } else { "b:1" }).collect();
        let (took, most, tops) = batch_of(&hosts, BatchLimits { total: 4, per_host: 0 }).await;
        assert_eq!((most, took), (4, Duration::from_millis(300)));
        assert!(tops.values().all(|&top| top <= 4), "{tops:?}");
        let (took, most, _) = batch_of(&["a:1"; 20], BatchLimits { total: 20, per_host: 0 }).await;
        assert_eq!((most, took), (20, Duration::from_millis(100)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_worker_waiting_for_its_host_holds_its_place_as_in_k6() {
        // batch 2, batchPerHost 1: both workers take an "a" request and the second waits for
        // a's slot instead of sending a "b", so the four take three rounds, not two.
        let (took, most, tops) = batch_of(&["a:1", "a:1", "b:1", "b:1"], BatchLimits { total: 2, per_host: 1 }).await;
        assert_eq!((tops["a:1"], tops["b:1"]), (1, 1));
        assert_eq!((most, took), (2, Duration::from_millis(300)));
    }

    /// The sweep's repro (G2 item 4): `http://h/` and `http://h:80/` shared their slots (the key
    /// dropped the default port, and lower-cased the host); k6 keys by Go's `URL.Host`, the
    /// host and port as written.
    #[test]
    fn hosts_are_keyed_by_host_and_port_as_written() {
        assert_eq!(host_key("http://127.0.0.1:8080/a?b"), "127.0.0.1:8080");
        assert_eq!(host_key("http://h?q=/x"), "h");
        assert_eq!(host_key("http://user:p@ss@h:1#f"), "h:1");
        assert_eq!(host_key("http://[::1]:80/"), "[::1]:80");
        assert_eq!(host_key("https://Example.com/x"), "Example.com");
        assert_ne!(host_key("http://h/"), host_key("http://h:80/"));
        assert_ne!(host_key("http://localhost:1/"), host_key("http://127.0.0.1:1/"));
        assert_eq!(host_key("not a url"), "not a url");
    }
}
