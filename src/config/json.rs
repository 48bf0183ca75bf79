//! Options back to k6's JSON: what `rload inspect` prints and what `rload archive` stores, in
//! k6's keys and value syntax (durations as Go's `1m30s`), so `Options::from_script` reads them
//! back unchanged. Unset options are left out (k6 prints them as `null`).

use serde_json::{json, Map, Value};

use super::Options;
use crate::executor::format::go_duration;
use crate::http::tls;

/// The options that are set, as k6's JSON object.
pub fn to_k6_json(o: &Options) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put("vus", o.vus.map(|v| json!(v)));
    put("duration", o.duration.map(|d| json!(go_duration(d))));
    put("iterations", o.iterations.map(|v| json!(v)));
    put(
        "stages",
        o.stages
            .as_ref()
            .map(|s| s.iter().map(|st| json!({ "duration": go_duration(st.duration), "target": st.target })).collect()),
    );
    put("scenarios", o.scenarios.clone());
    put("thresholds", o.thresholds.clone());
    put("discardResponseBodies", o.discard_response_bodies.map(|b| json!(b)));
    put("insecureSkipTLSVerify", o.insecure_skip_tls_verify.map(|b| json!(b)));
    put("noConnectionReuse", o.no_connection_reuse.map(|b| json!(b)));
    put("userAgent", o.user_agent.as_ref().map(|s| json!(s)));
    put("summaryTrendStats", o.summary_trend_stats.as_ref().map(|s| json!(s)));
    put("setupTimeout", o.setup_timeout.map(|d| json!(go_duration(d))));
    put("teardownTimeout", o.teardown_timeout.map(|d| json!(go_duration(d))));
    put("minIterationDuration", o.min_iteration_duration.map(|d| json!(go_duration(d))));
    put("maxRedirects", o.max_redirects.map(|n| json!(n)));
    put("batch", o.batch.map(|n| json!(n)));
    put("batchPerHost", o.batch_per_host.map(|n| json!(n)));
    put("maxResponseBodySize", o.max_response_body_size.map(|n| json!(n)));
    put("tags", o.tags.as_ref().map(|t| Value::Object(t.iter().map(|(k, v)| (k.clone(), json!(v))).collect())));
    put(
        "hosts",
        o.hosts.as_ref().map(|h| Value::Object(h.entries().into_iter().map(|(k, v)| (k, json!(v))).collect())),
    );
    put("tlsVersion", o.tls_version.map(|(min, max)| json!({ "min": tls::VERSIONS[min], "max": tls::VERSIONS[max] })));
    put("tlsCipherSuites", o.tls_cipher_suites.as_ref().map(|s| json!(s)));
    put(
        "tlsAuth",
        o.tls_auth
            .as_ref()
            .map(|all| all.iter().map(|c| json!({ "domains": c.domains, "cert": c.cert, "key": c.key })).collect()),
    );
    put("noCookiesReset", o.no_cookies_reset.map(|b| json!(b)));
    put("summaryTimeUnit", o.summary_time_unit.map(|u| json!(u.name())));
    put("sharedConnections", o.shared_connections.map(|n| json!(n)));
    put("scrape", o.scrape.as_ref().map(|urls| json!(urls)));
    put("scrapeInterval", o.scrape_interval.map(|d| json!(go_duration(d))));
    put("scrapeWarmup", o.scrape_warmup.map(|d| json!(go_duration(d))));
    put("noSetup", o.no_setup.map(|b| json!(b)));
    put("noTeardown", o.no_teardown.map(|b| json!(b)));
    put("throw", o.throw.map(|b| json!(b)));
    put("paused", o.paused.map(|b| json!(b)));
    put("executionSegment", o.execution_segment.as_ref().map(|s| json!(s.to_string())));
    put("executionSegmentSequence", o.execution_segment_sequence.as_ref().map(|s| json!(s.to_string())));
    put("systemTags", o.system_tags.map(|t| json!(t.names())));
    put("httpDebug", o.http_debug.map(|d| json!(d.name())));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_survive_the_round_trip_through_k6_json() {
        let script = json!({
            "vus": 5, "duration": "1m30s", "stages": [{ "duration": "10s", "target": 3 }],
            "thresholds": { "http_req_duration": ["p(95)<200"] }, "userAgent": "x",
            "setupTimeout": "500ms", "maxResponseBodySize": 1024, "tags": { "team": "a" },
            "summaryTrendStats": ["avg", "p(99)"], "noConnectionReuse": true
        });
        let parsed = Options::from_script(&script).unwrap();
        let back = to_k6_json(&parsed);
        assert_eq!(back["duration"], "1m30s");
        assert_eq!(Options::from_script(&back).unwrap(), parsed);
    }

    /// An archive keeps every option rload reads: one left out would silently change the test
    /// that `rload run archive.tar` runs.
    #[test]
    fn every_option_rload_reads_is_archived() {
        let mut script = json!({
            "vus": 5, "duration": "1m30s", "iterations": 7, "stages": [{ "duration": "10s", "target": 3 }],
            "scenarios": { "a": { "executor": "shared-iterations", "iterations": 2 } },
            "thresholds": { "http_req_duration": ["p(95)<200"] }, "discardResponseBodies": true,
            "insecureSkipTLSVerify": true, "noConnectionReuse": true, "noCookiesReset": true,
            "userAgent": "x", "summaryTrendStats": ["avg", "p(99)"], "setupTimeout": "500ms",
            "teardownTimeout": "2s", "maxRedirects": 3, "maxResponseBodySize": 1024, "tags": { "team": "a" },
            "summaryTimeUnit": "ms", "scrape": ["http://127.0.0.1:9/metrics"], "scrapeInterval": "2s",
            "scrapeWarmup": "10s", "noSetup": true, "noTeardown": true, "executionSegment": "1/4:2/4",
            "executionSegmentSequence": "0,1/4,2/4,1", "throw": true, "paused": true,
            "systemTags": ["status", "vu"], "httpDebug": "full", "sharedConnections": 4, "batch": 10, "batchPerHost": 0,
            "hosts": { "a.test": "127.0.0.1", "*.b.test:443": "[::1]:8443" },
            "tlsVersion": { "min": "tls1.2", "max": "tls1.3" },
            "tlsCipherSuites": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
            "tlsAuth": [{ "domains": ["a.test"], "cert": crate::http::tls::tests::CLIENT_CERT, "key": crate::http::tls::tests::CLIENT_KEY }]
        });
        // Past json!'s recursion limit in the literal.
        script["minIterationDuration"] = json!("250ms");
        let keys: Vec<&str> = script.as_object().unwrap().keys().map(String::as_str).collect();
        for key in crate::config::options::KNOWN_KEYS {
            assert!(keys.contains(key), "this test does not set {key}");
        }
        let parsed = Options::from_script(&script).unwrap();
        let back = to_k6_json(&parsed);
        for key in crate::config::options::KNOWN_KEYS {
            assert!(back.get(*key).is_some(), "{key} is not archived");
        }
        assert_eq!(Options::from_script(&back).unwrap(), parsed);
    }
}
