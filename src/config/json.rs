//! Options back to k6's JSON: what `rload inspect` prints and what `rload archive` stores, in
//! k6's keys and value syntax (durations as Go's `1m30s`), so `Options::from_script` reads them
//! back unchanged. Unset options are left out (k6 prints them as `null`).

use serde_json::{json, Map, Value};

use super::Options;
use crate::executor::format::go_duration;

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
    put("maxRedirects", o.max_redirects.map(|n| json!(n)));
    put("maxResponseBodySize", o.max_response_body_size.map(|n| json!(n)));
    put("tags", o.tags.as_ref().map(|t| Value::Object(t.iter().map(|(k, v)| (k.clone(), json!(v))).collect())));
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
}
