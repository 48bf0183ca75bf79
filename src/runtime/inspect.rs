//! `rload inspect [--execution-requirements]`: k6's JSON about a test without running it. Plain,
//! the script's own options (k6's `initRunner.GetOptions()`); with `--execution-requirements`,
//! the options resolved with the flags plus `totalDuration` and `maxVUs` as k6 computes them
//! from the execution plan, which k6-operator's initializer reads to size its runners.

use std::time::Duration;

use serde_json::Value;

use crate::config::json::to_k6_json;
use crate::config::Options;
use crate::executor::format::go_duration;
use crate::executor::ScenarioConfig;

/// The JSON `rload inspect` prints (indented as k6's `json.MarshalIndent(…, "", "  ")`).
pub fn inspect_json(
    script_options: &Value,
    options: &Options,
    scenarios: &[ScenarioConfig],
    requirements: bool,
) -> String {
    let value = if requirements {
        let mut v = to_k6_json(options);
        v["totalDuration"] = Value::String(go_duration(total_duration(scenarios)));
        v["maxVUs"] = Value::from(max_vus(scenarios));
        v
    } else {
        script_options.clone()
    };
    serde_json::to_string_pretty(&value).expect("JSON serialises")
}

/// k6's `GetEndOffset` of the plan: when the last scenario ends, graceful stop included.
fn total_duration(scenarios: &[ScenarioConfig]) -> Duration {
    scenarios.iter().map(|s| s.start_time + s.end_offset()).max().unwrap_or_default()
}

/// k6's `GetMaxPossibleVUs`: the most VUs the scenarios hold at one time. Each scenario holds
/// its `maxVUs` from its `startTime` to its end; scenarios one after another share VUs.
fn max_vus(scenarios: &[ScenarioConfig]) -> u64 {
    spans_max(&scenarios.iter().map(|s| (s.start_time, s.start_time + s.end_offset(), s.max_vus())).collect::<Vec<_>>())
}

/// The largest sum of `vus` over spans `[start, end)` that overlap.
fn spans_max(spans: &[(Duration, Duration, u64)]) -> u64 {
    let mut events: Vec<(Duration, i128)> = Vec::new();
    for &(start, end, vus) in spans {
        events.push((start, vus as i128));
        events.push((end.max(start), -(vus as i128)));
    }
    // At the same instant an ending scenario gives its VUs back before the next one takes them.
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0i128, 0i128);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_one_after_another_share_their_vus_and_overlapping_ones_add_up() {
        let s = Duration::from_secs;
        assert_eq!(spans_max(&[(s(0), s(40), 10), (s(40), s(80), 5)]), 10);
        assert_eq!(spans_max(&[(s(0), s(40), 10), (s(30), s(80), 5)]), 15);
        assert_eq!(spans_max(&[]), 0);
    }
}
