//! The reference target as the engine sees it: `rload serve` and `rload run --with-target`.
//!
//! The target itself is the `rload-target` crate (axum, the SyncKairos model), included through
//! the default-on cargo feature `target`; this is the only engine module that names it. Built
//! without that feature, both commands still parse and say plainly that this build has no
//! target: a flag that silently did nothing would send a test to whatever `BASE_URL` was left.
//! `lib.rs` calls it before the runner, which knows nothing of targets.

use std::net::SocketAddr;

use crate::cli::ServeFlags;
use crate::runtime::exit::RunError;
use crate::runtime::run::RunArgs;

/// `rload serve`: runs the target in the foreground until a signal; returns the exit code.
#[cfg(feature = "target")]
pub fn serve(flags: ServeFlags) -> i32 {
    rload_target::run_serve(serve_options(flags))
}

/// `rload serve` in a build without the target: says so and fails.
#[cfg(not(feature = "target"))]
pub fn serve(_flags: ServeFlags) -> i32 {
    eprintln!("rload serve: {}", crate::runtime::exit::NOT_BUILT);
    crate::runtime::exit::OTHER
}

/// `--with-target`: starts the SyncKairos app (which also answers the generic endpoints) on a
/// free loopback port inside this process, on its own thread, and points `BASE_URL` and
/// `WS_URL` at it, unless `-e` set them. Without `--with-target`, or for `rload check`, which
/// runs nothing, it does nothing. Called before the run, so the runner only sees the env.
pub fn start_for(args: &mut RunArgs) -> Result<(), RunError> {
    if !args.with_target || args.check_only {
        return Ok(());
    }
    let addr = start_in_process()?;
    for (key, value) in [("BASE_URL", format!("http://{addr}")), ("WS_URL", format!("ws://{addr}/ws"))] {
        if !args.explicit_env.iter().any(|k| k == key) {
            args.env.retain(|(k, _)| k != key);
            args.env.push((key.to_string(), value));
        }
    }
    Ok(())
}

#[cfg(feature = "target")]
fn start_in_process() -> Result<SocketAddr, RunError> {
    let app = rload_target::App::Synckairos(Default::default());
    rload_target::spawn_background_app(SocketAddr::from(([127, 0, 0, 1], 0)), 1, app).map_err(RunError::TargetStart)
}

#[cfg(not(feature = "target"))]
fn start_in_process() -> Result<SocketAddr, RunError> {
    Err(RunError::NoTarget)
}

/// `rload serve`'s flags as the target's options.
#[cfg(feature = "target")]
fn serve_options(flags: ServeFlags) -> rload_target::ServeOptions {
    use rload_target::{App, RedisLatency, ServeOptions, SynckairosOptions};
    use std::time::Duration;
    let app = match flags.app.as_str() {
        "synckairos" => App::Synckairos(SynckairosOptions {
            redis: RedisLatency {
                rtt: Duration::from_micros(flags.redis_rtt_us),
                jitter_percent: flags.redis_jitter_percent,
            },
            rate_limit_general: flags.rate_limit_general,
            rate_limit_switch: flags.rate_limit_switch,
            db_write_rate: flags.db_write_rate,
            ws_ping_interval: Duration::from_millis(flags.ws_ping_ms),
            session_ttl: Duration::from_secs(flags.session_ttl_secs),
        }),
        _ => App::Generic,
    };
    ServeOptions { listen: flags.listen, threads: flags.threads, app }
}

#[cfg(all(test, feature = "target"))]
mod tests {
    use std::ffi::OsString;
    use std::time::Duration;

    use rload_target::{App, SynckairosOptions};

    use super::*;
    use crate::cli::{parse, Command};

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn serve_picks_the_app_and_its_knobs() {
        let Command::Serve(f) = parse(args("rload serve")).unwrap().command else { panic!() };
        assert_eq!(serve_options(f).app, App::Generic);
        let Command::Serve(f) = parse(args("rload serve --app synckairos")).unwrap().command else { panic!() };
        assert_eq!(
            serve_options(f).app,
            App::Synckairos(SynckairosOptions::default()),
            "the CLI's defaults are the target's"
        );
        let cli = parse(args(
            "rload serve --app synckairos --rate-limit-general 100 --rate-limit-switch 10 --db-write-rate 0 \
             --ws-ping-ms 250 --redis-rtt-us 0 --redis-jitter 0",
        ))
        .unwrap();
        let Command::Serve(f) = cli.command else { panic!() };
        let expected = SynckairosOptions {
            redis: rload_target::RedisLatency { rtt: Duration::ZERO, jitter_percent: 0 },
            rate_limit_general: Some(100),
            rate_limit_switch: Some(10),
            db_write_rate: 0,
            ws_ping_interval: Duration::from_millis(250),
            ..SynckairosOptions::default()
        };
        assert_eq!(serve_options(f).app, App::Synckairos(expected));
        assert!(parse(args("rload serve --app nope")).is_err());
        assert!(parse(args("rload serve --redis-jitter 101")).is_err());
    }

    #[test]
    fn with_target_points_the_urls_at_it_unless_set_with_e() {
        let mut run = RunArgs {
            with_target: true,
            env: vec![("WS_URL".into(), "ws://mine".into())],
            explicit_env: vec!["WS_URL".into()],
            ..RunArgs::default()
        };
        start_for(&mut run).expect("start the in-process target");
        let base = &run.env.iter().find(|(k, _)| k == "BASE_URL").expect("BASE_URL set").1;
        assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"), "{base}");
        assert_eq!(
            run.env.iter().filter(|(k, _)| k == "WS_URL").collect::<Vec<_>>(),
            [&("WS_URL".into(), "ws://mine".into())]
        );
    }
}

#[cfg(all(test, not(feature = "target")))]
mod without_target_tests {
    use super::*;

    #[test]
    fn with_target_says_this_build_has_none() {
        let mut run = RunArgs { with_target: true, ..RunArgs::default() };
        let err = start_for(&mut run).unwrap_err();
        assert_eq!(err.exit_code(), crate::runtime::exit::OTHER);
        let message = err.to_string();
        assert!(
            message.starts_with("error: --with-target: this rload was built without the reference target"),
            "{message}"
        );
        assert!(message.contains("BASE_URL"), "{message}");
    }
}
