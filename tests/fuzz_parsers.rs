//! Fuzzing the parsers a user's text reaches: thresholds, durations, options and scenarios.
//! Whatever the input, each returns a value or errors, and never panics.
//!
//! `cargo test` runs 1,000 generated inputs per property; `PROPTEST_CASES=2000000 cargo test
//! --release --test fuzz_parsers` is the long run (see the closing notes of issue 11). Inputs are
//! both arbitrary text or JSON and k6-shaped text with extreme numbers, where panics hide.
use proptest::prelude::*;
use serde_json::{json, Value};

use rload::config::options::KNOWN_KEYS;
use rload::config::{parse_duration, Options};
use rload::executor::{BASE_KEYS, TYPES};
use rload::thresholds::{parse, parse_expression, parse_key};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Numbers as users and bugs write them: small, huge, negative, fractional, exponents.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        (0u32..400).prop_map(|e| format!("1e{e}")),
        Just("9999999999999999".to_string()),
        Just(".5".to_string()),
        Just("1.".to_string()),
    ]
}

fn duration_text() -> impl Strategy<Value = String> {
    let unit = prop_oneof![
        Just("d"),
        Just("h"),
        Just("m"),
        Just("s"),
        Just("ms"),
        Just("us"),
        Just("µs"),
        Just("ns"),
        Just(""),
        Just("x")
    ];
    prop_oneof![
        prop::collection::vec((number_text(), unit), 0..4)
            .prop_map(|parts| { parts.into_iter().map(|(n, u)| format!("{n}{u}")).collect::<String>() }),
        any::<String>(),
    ]
}

fn threshold_text() -> impl Strategy<Value = String> {
    let agg = prop_oneof![
        Just("avg".to_string()),
        Just("min".to_string()),
        Just("max".to_string()),
        Just("med".to_string()),
        Just("count".to_string()),
        Just("rate".to_string()),
        Just("value".to_string()),
        number_text().prop_map(|n| format!("p({n})")),
        any::<String>(),
    ];
    let op = prop_oneof![Just("<"), Just("<="), Just(">"), Just(">="), Just("=="), Just("==="), Just("!="), Just("")];
    prop_oneof![
        (agg, op, number_text(), " {0,2}").prop_map(|(a, o, n, pad)| format!("{a}{pad}{o}{pad}{n}")),
        any::<String>(),
    ]
}

fn metric_key() -> impl Strategy<Value = String> {
    let name = prop_oneof![Just("http_req_duration".to_string()), Just("checks".to_string()), "[a-z_{}:,]{0,12}"];
    prop_oneof![(name.clone(), "[a-z_:{}, ]{0,20}").prop_map(|(n, f)| format!("{n}{{{f}}}")), name, any::<String>()]
}

/// Any JSON, nested a few levels, with k6-looking strings and extreme numbers among the leaves.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        duration_text().prop_map(Value::from),
        threshold_text().prop_map(Value::from),
        "[a-z-]{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map(option_key(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Keys of k6's options and scenarios (as rload knows them), and now and then something else.
fn option_key() -> impl Strategy<Value = String> {
    let mut known: Vec<&str> = KNOWN_KEYS.iter().chain(BASE_KEYS).copied().collect();
    known.extend(TYPES.iter().flat_map(|t| t.keys.iter().copied()));
    known.extend(["target", "duration", "abortOnFail", "delayAbortEval", "threshold"]);
    prop_oneof![prop::sample::select(known).prop_map(String::from), "[a-zA-Z]{1,10}"]
}

fn executor_name() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        "shared-iterations",
        "per-vu-iterations",
        "constant-vus",
        "ramping-vus",
        "constant-arrival-rate",
        "ramping-arrival-rate",
        "externally-controlled",
    ])
    .prop_map(Value::from)
}

/// A `scenarios` map whose scenarios have a real executor and k6's keys with arbitrary values.
fn scenarios() -> impl Strategy<Value = Value> {
    let scenario = (executor_name(), prop::collection::hash_map(option_key(), json_value(), 0..8)).prop_map(
        |(executor, mut fields)| {
            fields.insert("executor".into(), executor);
            Value::Object(fields.into_iter().collect())
        },
    );
    prop::collection::hash_map("[a-z]{1,6}", scenario, 1..3).prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn lookup(name: &str) -> Option<rload::metrics::MetricId> {
    rload::metrics::lookup(name)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn duration_parser_never_panics(text in duration_text()) {
        let _ = parse_duration(&text);
    }

    #[test]
    fn threshold_expression_parser_never_panics(text in threshold_text()) {
        let _ = parse_expression(&text);
    }

    #[test]
    fn threshold_key_parser_never_panics(key in metric_key()) {
        let _ = parse_key(&key);
    }

    #[test]
    fn thresholds_option_never_panics(key in metric_key(), value in json_value(), text in threshold_text()) {
        let _ = parse(&json!({ key.clone(): value }), &lookup);
        let _ = parse(&json!({ key: [text, { "threshold": "p(95)<1", "abortOnFail": true, "delayAbortEval": "1e400s" }] }), &lookup);
    }

    #[test]
    fn options_never_panic(options in prop::collection::hash_map(option_key(), json_value(), 0..8)) {
        let _ = Options::from_script(&Value::Object(options.into_iter().collect()));
    }

    #[test]
    fn scenarios_never_panic(value in scenarios()) {
        let options = Options::from_script(&json!({ "scenarios": value.clone() }));
        if let Ok(options) = options {
            let _ = rload::executor::scenarios_from_options(&options);
        }
        let _ = rload::executor::parse_scenarios(&value);
    }
}
