//! k6's response callbacks for Rhai: `http.expectedStatuses(...)` and the values
//! `http.setResponseCallback` and `params.responseCallback` accept (its result, or `()` for k6's
//! `null`). What a callback decides (`http_req_failed`, `expected_response`) is
//! `crate::http::samples`.

use rhai::{Dynamic, Engine, EvalAltResult, Map};

use super::http::HttpApi;
use crate::http::samples::ExpectedStatuses;

/// `http.expectedStatuses(200, #{ min: 300, max: 399 }, ...)`, with up to eight arguments.
pub fn register_expected_statuses(engine: &mut Engine) {
    type Out = Result<ExpectedStatuses, Box<EvalAltResult>>;
    engine.register_type_with_name::<ExpectedStatuses>("ExpectedStatuses");
    engine.register_fn("expectedStatuses", |_: HttpApi, a: Dynamic| -> Out { expected_statuses(vec![a]) });
    engine
        .register_fn("expectedStatuses", |_: HttpApi, a: Dynamic, b: Dynamic| -> Out { expected_statuses(vec![a, b]) });
    engine.register_fn("expectedStatuses", |_: HttpApi, a: Dynamic, b: Dynamic, c: Dynamic| -> Out {
        expected_statuses(vec![a, b, c])
    });
    engine.register_fn("expectedStatuses", |_: HttpApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic| -> Out {
        expected_statuses(vec![a, b, c, d])
    });
    engine.register_fn(
        "expectedStatuses",
        |_: HttpApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic| -> Out {
            expected_statuses(vec![a, b, c, d, e])
        },
    );
    engine.register_fn(
        "expectedStatuses",
        |_: HttpApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic| -> Out {
            expected_statuses(vec![a, b, c, d, e, f])
        },
    );
    engine.register_fn(
        "expectedStatuses",
        |_: HttpApi, a: Dynamic, b: Dynamic, c: Dynamic, d: Dynamic, e: Dynamic, f: Dynamic, g: Dynamic| -> Out {
            expected_statuses(vec![a, b, c, d, e, f, g])
        },
    );
    engine.register_fn(
        "expectedStatuses",
        |_: HttpApi,
         a: Dynamic,
         b: Dynamic,
         c: Dynamic,
         d: Dynamic,
         e: Dynamic,
         f: Dynamic,
         g: Dynamic,
         h: Dynamic|
         -> Out { expected_statuses(vec![a, b, c, d, e, f, g, h]) },
    );
}

/// k6's `expectedStatuses`: each argument an integer or `#{ min, max }` of integers.
fn expected_statuses(args: Vec<Dynamic>) -> Result<ExpectedStatuses, Box<EvalAltResult>> {
    fn integer(value: &Dynamic) -> Option<i64> {
        value.as_int().ok().or_else(|| value.as_float().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64))
    }
    let (mut exact, mut ranges) = (Vec::new(), Vec::new());
    for (i, arg) in args.iter().enumerate() {
        let n = i + 1;
        if let Some(status) = integer(arg) {
            exact.push(status);
            continue;
        }
        let bounds = arg.read_lock::<Map>().and_then(|m| Some((m.get("min")?.clone(), m.get("max")?.clone())));
        let Some((min, max)) = bounds else {
            return Err(format!(
                "argument number {n} to expectedStatuses was neither an integer nor a map like #{{min: 100, max: 329}}"
            )
            .into());
        };
        match (integer(&min), integer(&max)) {
            (Some(min), Some(max)) => ranges.push((min, max)),
            _ => return Err(format!("both min and max need to be integers for argument number {n}").into()),
        }
    }
    Ok(ExpectedStatuses::new(exact, ranges))
}

/// A response callback as k6 accepts one: the result of `http.expectedStatuses`, or `()` (k6's
/// `null`: no `http_req_failed`, no `expected_response` tag).
pub fn response_callback(value: Dynamic) -> Result<Option<ExpectedStatuses>, String> {
    if value.is_unit() {
        return Ok(None);
    }
    let type_name = value.type_name();
    value.try_cast::<ExpectedStatuses>().map(Some).ok_or_else(|| {
        format!("unsupported argument {type_name}: k6 takes only http.expectedStatuses(...) or () (null)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_statuses_take_integers_and_min_max_maps_as_k6() {
        let mut range = Map::default();
        range.insert("min".into(), Dynamic::from(300_i64));
        range.insert("max".into(), Dynamic::from(399.0_f64));
        let callback = expected_statuses(vec![Dynamic::from(200_i64), range.into()]).unwrap();
        assert!(callback.matches(200) && callback.matches(301) && !callback.matches(201));
        let err = expected_statuses(vec![Dynamic::from(200_i64), Dynamic::from(200.5_f64)]).unwrap_err();
        assert!(err.to_string().contains("argument number 2 to expectedStatuses"), "{err}");
        let mut half = Map::default();
        half.insert("min".into(), Dynamic::from(1_i64));
        half.insert("max".into(), "x".into());
        let err = expected_statuses(vec![half.into()]).unwrap_err();
        assert!(err.to_string().contains("both min and max need to be integers for argument number 1"), "{err}");
    }
}
