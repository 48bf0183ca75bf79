//! What a run prints before its test: k6's header (script, outputs) and its scenarios.

use crate::config::format_duration;
use crate::executor::{ExecutionTuple, ScenarioConfig};
use crate::stdio;

pub(super) fn print_header(script: &str, outputs: &str, scenarios: &[ScenarioConfig], segment: &ExecutionTuple) {
    let outputs = if outputs.is_empty() { "-" } else { outputs };
    stdio::outln(&format!("\n  execution: local\n     script: {script}\n     output: {outputs}\n"));
    print_scenarios(scenarios, segment);
}

/// k6's scenarios header: the instance's share of the test in percent, then each scenario's
/// figures for that share.
pub(super) fn print_scenarios(scenarios: &[ScenarioConfig], segment: &ExecutionTuple) {
    let max_vus: u64 = scenarios.iter().map(|s| s.max_vus_in(segment)).sum();
    let max_end = scenarios.iter().map(|s| s.start_time + s.end_offset_in(segment)).max().unwrap_or_default();
    let n = scenarios.len();
    let mut text = format!(
        "  scenarios: ({:.2}%) {n} scenario{}, {max_vus} max VUs, {} max duration (incl. graceful stop):\n",
        segment.segment().length().to_f64() * 100.0,
        if n == 1 { "" } else { "s" },
        format_duration(max_end)
    );
    for s in scenarios {
        text += &format!("           * {}: {}\n", s.name, s.describe_in(segment));
    }
    stdio::outln(&text);
}
