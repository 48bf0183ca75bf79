//! k6's core functions for Rhai: `check`, `group`, `sleep`, `fail`, `randomSeed`, plus `uuid`,
//! `open`, `timestamp_ms`, `random_int` and `random` that k6 scripts get from JavaScript itself.

use std::cell::RefCell;
use std::time::Instant;

use rand::{Rng, RngCore, SeedableRng};
use rhai::{Dynamic, Engine, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::convert::{js_string, js_text, js_to_number, js_truthy};
use crate::config::secs_to_duration;
use crate::metrics::{self, builtin, recent_or_build, tag, RecentTagSets, SystemTags, TagSet};
use crate::runtime::coroutine::suspend_with;
use crate::runtime::vu::{self, suspension_error};
use crate::script::facts::{Facts, SharedFacts};

type Unit = Result<(), Box<EvalAltResult>>;

pub fn register(engine: &mut Engine) {
    engine.register_fn("check", |ctx: NativeCallContext, value: Dynamic, checks: Map| {
        check(&ctx, value, checks, Map::default())
    });
    engine.register_fn("check", |ctx: NativeCallContext, value: Dynamic, checks: Map, tags: Map| {
        check(&ctx, value, checks, tags)
    });
    // `()` tags: k6 takes `null` as no tags.
    engine.register_fn("check", |ctx: NativeCallContext, value: Dynamic, checks: Map, _: ()| {
        check(&ctx, value, checks, Map::default())
    });
    engine.register_fn("group", group);
    engine.register_fn("sleep", |secs: f64| sleep(secs));
    engine.register_fn("sleep", |secs: i64| sleep(secs as f64));
    engine.register_fn("sleep", sleep_value);
    engine.register_fn("fail", |msg: &str| -> Unit { Err(format!("fail: {msg}").into()) });
    engine.register_fn("fail", || -> Unit { Err("fail".into()) });
    engine.register_fn("uuid", random_uuid);
    engine.register_fn("open", open);
    engine.register_fn("open", open_mode);
    engine.register_fn("timestamp_ms", || -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
    });
    engine.register_fn("random_int", |lo: i64, hi: i64| -> i64 {
        if hi <= lo {
            lo
        } else {
            with_random(|rng| rng.random_range(lo..=hi))
        }
    });
    engine.register_fn("random", || -> f64 { with_random(|rng| rng.random::<f64>()) });
    engine.register_fn("randomSeed", |seed: i64| random_seed(seed));
    engine.register_fn("randomSeed", |seed: Dynamic| random_seed_value(&seed));
    engine.register_fn("randomSeed", || random_seed(0));
    // JavaScript's String(n), n.toString(radix) and n.toPrecision(p), for `rload convert`.
    engine.register_fn("js_number_string", |f: f64| super::convert::js_number(f));
    engine.register_fn("js_number_radix", |v: Dynamic, radix: Dynamic| -> Result<String, Box<EvalAltResult>> {
        super::convert::js_number_radix(&v, &radix).map_err(Into::into)
    });
    engine.register_fn("js_to_precision", |v: Dynamic, p: Dynamic| -> Result<String, Box<EvalAltResult>> {
        super::convert::js_to_precision(&v, &p).map_err(Into::into)
    });
    // JavaScript's null and undefined, both `()`: null is the one tagged `Dynamic::NULL` (a
    // converted `null`, JSON's null); any other `()` is undefined (docs/porting.md).
    engine.register_fn("js_null", || Dynamic::NULL);
    engine.register_fn("js_is_null", |v: Dynamic| v.is_js_null());
    engine.register_fn("js_is_undefined", |v: Dynamic| v.is_unit() && !v.is_js_null());
    engine.register_fn("js_json", |v: Dynamic| super::body::js_json(&v));
    // k6's jslib textSummary(data, opts): the summary rload would print, for handle_summary.
    engine.register_fn("text_summary", |data: Dynamic| text_summary(&data, Map::default()));
    engine.register_fn("text_summary", |data: Dynamic, opts: Map| text_summary(&data, opts));
    // jslib's `Object.assign` skips a null options object.
    engine.register_fn("text_summary", |data: Dynamic, _: ()| text_summary(&data, Map::default()));
}

/// `draw` from the VU's seeded generator (see [`random_seed`]) or, unseeded, the thread's.
fn with_random<T>(draw: impl FnOnce(&mut dyn RngCore) -> T) -> T {
    if let Some(vu) = vu::try_current() {
        if let Some(rng) = vu.random.borrow_mut().as_mut() {
            return draw(&mut **rng);
        }
    }
    draw(&mut rand::rng())
}

/// k6's `randomSeed(seed)`: from here on the VU's `random()` and `random_int()` (k6's
/// `Math.random`, which jslib's `randomIntBetween`, `randomItem` and `randomString` use) give the
/// same sequence for the same seed, in every VU and every run. As in k6 v1.1 it is the calling
/// VU's generator only, and a seed set by the init code holds for the init code alone (each
/// VU's iterations, `setup()` and `teardown()` start unseeded). The numbers are rload's (rand's
/// `StdRng`), not those of k6's Go generator. `uuid()` and `crypto` stay unseeded, as k6's
/// crypto functions do.
fn random_seed(seed: i64) {
    if let Some(vu) = vu::try_current() {
        *vu.random.borrow_mut() = Some(Box::new(rand::rngs::StdRng::seed_from_u64(seed as u64)));
    }
}

/// `randomSeed(value)` for a value that is not an integer: JavaScript's `ToInteger`, as k6
/// converts it (`1.9` is 1, `"5"` 5, `"abc"`, NaN and `()` 0).
fn random_seed_value(value: &Dynamic) -> Unit {
    let number =
        js_to_number(value).ok_or_else(|| format!("randomSeed() takes a number, got {}", value.type_name()))?;
    random_seed(if number.is_finite() { number.trunc() as i64 } else { 0 });
    Ok(())
}

/// A random (version 4) UUID, as `uuid()` and `crypto.randomUUID()` give it: 122 bits from the
/// thread's CSPRNG (rand's `ThreadRng`, seeded from the OS), where `Uuid::new_v4` asks the
/// kernel each time. Scenario 03 makes three per iteration: three `getrandom` calls saved.
pub fn random_uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid().to_string()
}

/// jslib's `textSummary(data, options)`: the summary rload rendered for this run (k6 v1.1's
/// layout), empty before the end of the test. rload does not render `data` afresh, so what
/// jslib would read from its arguments is honoured or refused, never dropped. jslib reads its
/// options as `Object.assign({}, defaults, data.options, options)` and as JavaScript values:
/// - `data` must show what `handle_summary` received (its `metrics` and `root_group`): a script
///   that deleted or changed metrics to shape the text gets an error, not the whole summary;
/// - `indent` takes the place of the summary's first column (jslib's default is one space), as
///   JavaScript's `String(indent)` (jslib concatenates it: `2` indents with "2");
/// - `enableColors` is JavaScript truthiness (jslib's `if (enableColors)`: `1` colours, `0`,
///   `""` and `()` do not), and jslib's default is on, whatever the terminal;
/// - `summaryTimeUnit` and `summaryTrendStats` are taken when they render what the run's summary
///   already shows (`data.options` carries the run's; a `summaryTimeUnit` other than `s`, `ms`
///   or `us`, `()` or `""` included, is jslib's unit per value), and refused otherwise, naming
///   the test options that set them;
/// - an option jslib does not know is an error (jslib ignores it: a typo would go unseen); in
///   `data.options` such keys (k6's `noColor`) are ignored, as jslib ignores them.
fn text_summary(data: &Dynamic, opts: Map) -> Result<String, Box<EvalAltResult>> {
    const OPTIONS: [&str; 4] = ["indent", "enableColors", "summaryTimeUnit", "summaryTrendStats"];
    let mut merged = Map::default();
    if let Some(given) =
        data.read_lock::<Map>().and_then(|d| d.get("options").and_then(|o| o.read_lock::<Map>().map(|o| o.clone())))
    {
        merged.extend(given.into_iter().filter(|(key, _)| OPTIONS.contains(&key.as_str())));
    }
    for (key, value) in opts {
        if !OPTIONS.contains(&key.as_str()) {
            return Err(format!(
                "text_summary(): unknown option {:?} (it takes indent, enableColors, summaryTimeUnit and \
                 summaryTrendStats)",
                key.as_str()
            )
            .into());
        }
        merged.insert(key, value);
    }
    let vu = vu::current();
    let Some(texts) = vu.shared.summary_text.as_ref() else {
        return Ok(String::new());
    };
    if let Some(received) = vu.data_json.as_deref() {
        let received: serde_json::Value = serde_json::from_str(received).map_err(|e| e.to_string())?;
        same_summary_data(data, &received)?;
        same_summary_options(&merged, &received["options"])?;
    }
    let colors = merged.get("enableColors").is_none_or(js_truthy);
    let text = texts.with_colors(colors);
    Ok(match merged.get("indent").map(js_text) {
        Some(indent) if indent != " " => indented(text, &indent),
        _ => text.to_string(),
    })
}

/// Errors unless the `summaryTimeUnit` and `summaryTrendStats` of jslib's merged `options`
/// render what `run` (the run's own `data.options`) rendered.
fn same_summary_options(options: &Map, run: &serde_json::Value) -> Result<(), Box<EvalAltResult>> {
    // jslib: `timeUnit !== '' && unitMap.hasOwnProperty(timeUnit)`, else a unit per value.
    let unit = |text: &str| if ["s", "ms", "us"].contains(&text) { text.to_owned() } else { String::new() };
    let refused = |key: &str, why: String| -> Box<EvalAltResult> {
        format!(
            "text_summary(): the {key} option {why}; rload prints the run's own summary: set {key} in the \
             test's options (or --summary-time-unit / --summary-trend-stats)"
        )
        .into()
    };
    if let Some(value) = options.get("summaryTimeUnit") {
        let (asked, shown) = (unit(&js_text(value)), unit(run["summaryTimeUnit"].as_str().unwrap_or_default()));
        if asked != shown {
            let name = |u: &str| if u.is_empty() { "a unit per value".to_owned() } else { format!("\"{u}\"") };
            return Err(refused(
                "summaryTimeUnit",
                format!("({}) asks for {}, the run's summary has {}", js_text(value), name(&asked), name(&shown)),
            ));
        }
    }
    if let Some(value) = options.get("summaryTrendStats") {
        let asked = serde_json::to_value(value).map_err(|e| format!("text_summary(): summaryTrendStats: {e}"))?;
        if asked != run["summaryTrendStats"] {
            return Err(refused(
                "summaryTrendStats",
                format!("({asked}) differs from the run's summary's {}", run["summaryTrendStats"]),
            ));
        }
    }
    Ok(())
}

/// Errors unless `data` has the `metrics` and `root_group` of `received` (the JSON
/// `handle_summary` was given), which is all the summary text shows of it.
fn same_summary_data(data: &Dynamic, received: &serde_json::Value) -> Result<(), Box<EvalAltResult>> {
    let given = serde_json::to_value(data).map_err(|e| format!("text_summary(): data: {e}"))?;
    for key in ["metrics", "root_group"] {
        if given.get(key) != received.get(key) {
            return Err(format!(
                "text_summary(): data.{key} is not what handle_summary() received; rload prints the run's own \
                 summary and does not render changed data (to leave metrics out, write the text yourself \
                 from data, or set summaryTrendStats / --summary-mode)"
            )
            .into());
        }
    }
    Ok(())
}

/// `text` with `indent` in place of each line's first column (a space in rload's summary).
fn indented(text: &str, indent: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            if line.trim().is_empty() {
                line.to_string()
            } else {
                format!("{indent}{}", line.strip_prefix(' ').unwrap_or(line))
            }
        })
        .collect()
}

/// k6's `check(value, { name: fn }, tags)`: runs the checks in the order the script wrote them
/// (see `script::facts`), records each in the `checks` rate with a `check` tag, and returns
/// true when all passed. A function is called with `value` if it takes a parameter (JavaScript
/// ignores arguments a function does not declare). A function that throws records its check as
/// failed and the error ends the iteration, the later checks unrun, as in k6.
fn check(ctx: &NativeCallContext, value: Dynamic, checks: Map, extra: Map) -> Result<bool, Box<EvalAltResult>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("Using check() in the init context is not supported".into());
    }
    let facts = Facts::of(ctx.tag());
    let order = facts.as_ref().and_then(|f| f.borrow().check_order(ctx.call_source(), ctx.call_position(), &checks));
    let mut base = vu.base_tags();
    for (k, v) in &extra {
        base.insert(k, &js_string(v));
    }
    let run = |name: &str, f: Dynamic| -> Result<bool, Box<EvalAltResult>> {
        let tags = check_tags(&base, name)?;
        let (passed, thrown) = if f.is_fnptr() {
            match call_check(ctx, facts.as_ref(), &f.cast::<FnPtr>(), &value) {
                Ok(result) => (js_truthy(&result), None),
                Err(err) => (false, Some(err)),
            }
        } else {
            (js_truthy(&f), None)
        };
        if let Some(err) = thrown {
            // A check cut short because the VU is being stopped records nothing, as k6's
            // PushIfNotDone drops samples once the VU's context is done.
            if !vu.should_interrupt() {
                metrics::record(builtin::CHECKS, &tags, 0.0);
            }
            return Err(err);
        }
        metrics::record(builtin::CHECKS, &tags, if passed { 1.0 } else { 0.0 });
        Ok(passed)
    };
    // The checks in the order the script wrote them, then any the order does not name.
    let mut checks = checks;
    let mut all = true;
    for key in order.iter().flat_map(|o| o.iter()) {
        if let Some((name, f)) = checks.shift_remove_entry(key.as_str()) {
            all &= run(&name, f)?;
        }
    }
    for (name, f) in checks {
        all &= run(&name, f)?;
    }
    Ok(all)
}

/// How many checks' tag sets a thread keeps: the checks of a few scripts' calls, for VUs
/// with the same base tags.
const CACHED_CHECK_TAGS: usize = 16;

thread_local! {
    /// Recent checks' tag sets, most recent first, keyed by the system tags, base tags and
    /// check name they were built from.
    static CHECK_TAGS: RecentTagSets<(SystemTags, TagSet, String)> = const { RefCell::new(Vec::new()) };
}

/// The tags of check `name`'s sample: `base` and, when the run's `systemTags` have it, the
/// `check` tag. A VU looping over the same check asks for the same set every time; building
/// it (a copy, the name interned, the set hashed for its series) and validating the name were
/// ~2.5k instructions of a check's ~9k, so recent ones are kept and handed out again.
fn check_tags(base: &TagSet, name: &str) -> Result<TagSet, Box<EvalAltResult>> {
    let system = metrics::system_tags_now();
    recent_or_build(
        &CHECK_TAGS,
        CACHED_CHECK_TAGS,
        |(s, b, n)| n == name && b == base && *s == system,
        || {
            if name.contains("::") {
                return Err(format!("check name \"{name}\" must not contain \"::\" (k6's group separator)").into());
            }
            let mut tags = base.clone();
            if metrics::system_tag_enabled(metrics::SystemTag::CHECK) {
                tags.insert(tag::CHECK, name);
            }
            Ok(((system, base.clone(), name.to_owned()), tags))
        },
    )
}

/// Calls a check's function with as many arguments as it declares: `value` first, `()` (k6's
/// `undefined`) for any further parameter.
fn call_check(
    ctx: &NativeCallContext,
    facts: Option<&SharedFacts>,
    fp: &FnPtr,
    value: &Dynamic,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let args = facts.map_or(1, |f| arguments_taken(f.borrow().param_counts(fp.fn_name()), fp.curry().len()));
    match args {
        0 => fp.call_raw(ctx, None, []),
        1 => fp.call_raw(ctx, None, [value.clone()]),
        _ => {
            let mut argv = vec![Dynamic::UNIT; args];
            argv[0] = value.clone();
            fp.call_raw(ctx, None, argv)
        }
    }
}

/// How many arguments to pass a function whose overloads declare `declared` parameters, of
/// which `curried` are captured values: one (the checked value) when it takes one or is native,
/// none for `|| ...`, or as many as the smallest overload declares.
fn arguments_taken(declared: &[usize], curried: usize) -> usize {
    let takes = |n: usize| declared.contains(&(curried + n));
    if declared.is_empty() || takes(1) {
        1
    } else if takes(0) {
        0
    } else {
        declared.iter().map(|n| n.saturating_sub(curried)).min().unwrap_or(1)
    }
}

/// k6's `group(name, fn)`: runs `f` with the group tag `::name` (nested: `::a::b`) and records
/// `group_duration`. Returns what `f` returns. As k6's `lib.NewGroupPath` does, `group("")` at
/// the top level stays in the root group (tag `""`, not `"::"`); nested, it is `::a::`.
///
/// As in k6, a group that ends with an error (a throw, `fail()`, `exec.test.abort()`) still
/// records its `group_duration`; only a group cut short because the VU was interrupted (the
/// run's end, `gracefulStop`) does not, as k6 pushes no sample once the iteration's context is
/// done.
fn group(ctx: NativeCallContext, name: &str, f: FnPtr) -> Result<Dynamic, Box<EvalAltResult>> {
    let vu = vu::current();
    if vu.in_init.get() {
        return Err("Using group() in the init context is not supported".into());
    }
    if name.contains("::") {
        return Err(format!("group name \"{name}\" must not contain \"::\"").into());
    }
    let outer = vu.group.borrow().clone();
    *vu.group.borrow_mut() =
        if outer.is_empty() && name.is_empty() { String::new() } else { format!("{outer}::{name}") };
    let start = Instant::now();
    let result = f.call_within_context::<Dynamic>(&ctx, ());
    let tags = vu.base_tags();
    *vu.group.borrow_mut() = outer;
    let interrupted = result.as_ref().is_err_and(|e| vu::is_interruption(e) && !vu.aborted_test.get());
    if !interrupted {
        metrics::record(builtin::GROUP_DURATION, &tags, start.elapsed().as_secs_f64() * 1000.0);
    }
    result
}

/// k6's `sleep(seconds)`. As in k6, a value that is no time to wait does not wait: a negative
/// one (pacing's `sleep(interval - elapsed)` after a slow response), `NaN`, `()`, infinity, or
/// one longer than k6's longest duration (Go's conversion to a `time.Duration` overflows there).
fn sleep(secs: f64) -> Unit {
    let Ok(d) = secs_to_duration(secs) else { return Ok(()) };
    suspend_with(move || tokio::time::sleep(d)).map_err(suspension_error)
}

/// `sleep(value)` for a value that is not a number: converted as k6 converts it (JavaScript's
/// `Number`: `"0.2"` is 0.2, `true` 1, `()` and `"abc"` no wait).
fn sleep_value(value: Dynamic) -> Unit {
    match js_to_number(&value) {
        Some(secs) => sleep(secs),
        None => Err(format!("sleep() takes a number of seconds, got {}", value.type_name()).into()),
    }
}

/// k6's `open(path)`: a file's text, relative to the script, or to the module whose
/// top-level code calls it (see `resolver::initializing_module_dir`); only in init code.
fn open(path: &str) -> Result<String, Box<EvalAltResult>> {
    let (full, bytes) = read_for_open(path)?;
    String::from_utf8(bytes).map_err(|e| {
        format!("open(\"{path}\"): {}: not UTF-8 text ({e}); open(path, \"b\") reads it as bytes", full.display())
            .into()
    })
}

/// k6's `open(path, mode)`: with `"b"` the file's bytes as a blob (k6's ArrayBuffer, which
/// `http.file` and request bodies take), else its text.
fn open_mode(path: &str, mode: &str) -> Result<Dynamic, Box<EvalAltResult>> {
    if mode == "b" {
        return Ok(Dynamic::from_blob(read_for_open(path)?.1));
    }
    open(path).map(Dynamic::from)
}

fn read_for_open(path: &str) -> Result<(std::path::PathBuf, Vec<u8>), Box<EvalAltResult>> {
    let vu = vu::current();
    if !vu.in_init.get() {
        return Err("open() is only available in init code (the script's top level)".into());
    }
    let dir = crate::script::resolver::initializing_module_dir().unwrap_or_else(|| vu.shared.script_dir.clone());
    let full = dir.join(path);
    crate::script::files::read(&full);
    let bytes = std::fs::read(&full).map_err(|e| format!("open(\"{path}\"): {}: {e}", full.display()))?;
    Ok((full, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_uuid_is_a_distinct_version_4_rfc_uuid_in_k6s_form() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| random_uuid()).collect();
        assert_eq!(ids.len(), 1000, "1,000 UUIDs, all different");
        for id in &ids {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version(), Some(uuid::Version::Random), "{id}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{id}");
            // crypto.randomUUID()'s form: 36 characters, lowercase hex, hyphens at 8-4-4-4-12.
            assert_eq!(*id, parsed.hyphenated().to_string(), "{id}");
            assert_eq!(id.len(), 36);
        }
    }
}
