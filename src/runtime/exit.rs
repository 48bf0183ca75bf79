//! How a run ends: k6's exit codes, and [`RunError`], every reason a run stops short of exit 0
//! with the message it prints.
//!
//! The runner returns a `RunError` and [`crate::runtime::run::run`] prints it once and maps it
//! to its code, so each failure's wording and code live side by side here instead of at the
//! place it was found. The messages are part of rload's interface (tests and users match on
//! them): change one only on purpose. Errors of single iterations never end a run and are not
//! here (see `errors.rs`).

use std::time::Duration;

use crate::config::format_duration;

/// The run passed (or `rload check` found nothing wrong).
pub const OK: i32 = 0;
/// A threshold failed, at the end or with `abortOnFail`.
pub const THRESHOLDS_FAILED: i32 = 99;
/// `setup()` ran past `setupTimeout` (the summary is printed all the same).
pub const SETUP_TIMEOUT: i32 = 100;
/// `teardown()` ran past `teardownTimeout` (the summary is printed all the same).
pub const TEARDOWN_TIMEOUT: i32 = 101;
/// `PATCH /v1/status` with `stopped: true` ended the test (teardown and summary still ran).
pub const STOPPED_FROM_API: i32 = 103;
/// Invalid flags or options: nothing ran.
pub const INVALID_CONFIG: i32 = 104;
/// Interrupted by SIGINT or SIGTERM.
pub const SIGNAL: i32 = 105;
/// `--address` was given and the REST API cannot listen there.
pub const CANNOT_START_API: i32 = 106;
/// The script did not compile, lacks its default function, or its init code, `setup()` or
/// `teardown()` threw (after the last two, the summary is printed all the same).
pub const SCRIPT_ERROR: i32 = 107;
/// The script called `exec.test.abort()`.
pub const ABORTED: i32 = 108;
/// The script called `exec.test.fail()` and the run ended otherwise normally (k6's
/// `MarkedAsFailed`): the test ran to its end, its summary was printed.
pub const MARKED_FAILED: i32 = 110;
/// Anything else: a missing or unreadable script, a system limit, a thread that could not
/// start. k6 exits with -1 (255) for an error that carries no code of its own.
pub const OTHER: i32 = 255;

/// Why `rload serve` and `--with-target` refuse in a build without the reference target.
pub const NOT_BUILT: &str = "this rload was built without the reference target (cargo feature `target`, on by default)";

/// Why a run did not end with exit code 0. `Display` is the exact text printed to stderr.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Command-line flags, `K6_*` variables or a config file that do not parse (`--duration
    /// 10x`, `-e NOPE`, `K6_VUS=abc`), all of them; each names where it came from.
    #[error("error: invalid flags or configuration:{}", bullets(.0))]
    InvalidFlags(Vec<String>),
    /// `--with-target` could not start the in-process target.
    #[error("error: --with-target: cannot start the reference target: {0}")]
    TargetStart(std::io::Error),
    /// `--with-target` in a build without the reference target (cargo feature `target` off).
    #[error(
        "error: --with-target: {}; run the target as its own process (`rload serve` of a full build) \
         and pass -e BASE_URL=… instead",
        NOT_BUILT
    )]
    NoTarget,
    /// The script file cannot be read; the text already says so in full.
    #[error("{0}")]
    ReadScript(String),
    /// A syntax error, rendered with the source line and a caret.
    #[error("{0}")]
    Syntax(String),
    /// The init code failed (reading `options`, or initialising a VU).
    #[error("error: {0}")]
    Init(String),
    /// Script options or scenarios that k6 would refuse, all of them.
    #[error("error: invalid options:{}", bullets(.0))]
    InvalidOptions(Vec<String>),
    /// What reading the script's syntax found before it ran, all of it: k6 features rload does
    /// not implement written as literals (with `file:line:col`), a hook defined twice.
    #[error("error: the script cannot run as written:{}", bullets(.0))]
    InvalidScript(Vec<String>),
    /// A scenario runs the default function and the script has none.
    #[error("error: {0} defines no `fn run()` (k6's default function); rload calls it once per iteration")]
    NoDefaultFunction(String),
    /// The VU count does not fit this process's open-files or memory-mapping limit.
    #[error("error: {0}")]
    Capacity(String),
    #[error("error: setup() failed: {0}")]
    SetupFailed(String),
    /// `setup()` returned data k6 cannot pass on as JSON (NaN, an infinity, a function).
    #[error("error: {0}")]
    SetupData(String),
    #[error("error: setup() did not finish within setupTimeout ({})", format_duration(*.0))]
    SetupTimeout(Duration),
    #[error("error: teardown() did not finish within teardownTimeout")]
    TeardownTimeout,
    /// `teardown()` threw or called `fail()` (the summary is printed all the same).
    #[error("error: teardown() failed: {0}")]
    TeardownFailed(String),
    /// Files the run was asked to write and could not (each was reported when it failed).
    #[error(
        "error: {0} output file(s) could not be written (see above); the summary and the other files are complete"
    )]
    OutputsFailed(usize),
    #[error("error: cannot start worker threads: {0}")]
    Workers(std::io::Error),
    /// An `abortOnFail` threshold stopped the run; the text names it.
    #[error("error: {0}")]
    ThresholdsAborted(String),
    /// `exec.test.abort(message)`.
    #[error("test aborted: {0}")]
    Aborted(String),
    /// SIGINT or SIGTERM.
    #[error("interrupted by signal")]
    Interrupted,
    /// The metrics with a failed threshold, sorted (k6's message).
    #[error("error: thresholds on metrics '{}' have been crossed", .0.join(", "))]
    ThresholdsFailed(Vec<String>),
    /// `exec.test.fail(msg)` was called (each call logged its message); as in k6 this wins
    /// over the thresholds' verdict, not over a run stopped early or a failed setup/teardown.
    #[error("error: test run was marked as failed")]
    MarkedFailed,
    /// The REST API cannot listen at the `--address` the user gave.
    #[error("error: cannot start the REST API: {0}")]
    ApiStart(String),
    /// `rload archive` could not collect or write the archive.
    #[error("error: archive: {0}")]
    Archive(String),
    /// `PATCH /v1/status` with `stopped: true`.
    #[error("error: test run stopped from REST API")]
    StoppedFromApi,
}

impl RunError {
    /// k6's exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::InvalidFlags(_) | RunError::InvalidOptions(_) => INVALID_CONFIG,
            RunError::Syntax(_)
            | RunError::Init(_)
            | RunError::InvalidScript(_)
            | RunError::NoDefaultFunction(_)
            | RunError::SetupFailed(_)
            | RunError::TeardownFailed(_) => SCRIPT_ERROR,
            RunError::SetupTimeout(_) => SETUP_TIMEOUT,
            RunError::TeardownTimeout => TEARDOWN_TIMEOUT,
            RunError::ThresholdsAborted(_) | RunError::ThresholdsFailed(_) => THRESHOLDS_FAILED,
            RunError::Aborted(_) => ABORTED,
            RunError::MarkedFailed => MARKED_FAILED,
            RunError::Interrupted => SIGNAL,
            RunError::StoppedFromApi => STOPPED_FROM_API,
            RunError::ApiStart(_) => CANNOT_START_API,
            RunError::TargetStart(_)
            | RunError::NoTarget
            | RunError::ReadScript(_)
            | RunError::Capacity(_)
            | RunError::Workers(_)
            | RunError::Archive(_)
            | RunError::SetupData(_)
            | RunError::OutputsFailed(_) => OTHER,
        }
    }

    /// Prints the error to stderr, once, as the run's last word.
    pub fn print(&self) {
        match self {
            // Said when the signal came ("stopping: interrupted by signal…"), before teardown
            // and the summary; nothing is added at the end.
            RunError::Interrupted => {}
            // The rendered diagnostic carries its own line ends.
            RunError::Syntax(_) => eprint!("{self}"),
            _ => eprintln!("{self}"),
        }
    }
}

/// k6's precedence among the ways a run can end short of its thresholds' end-of-test verdict,
/// by exit code, as `finish.rs` applies it to one run: first a run stopped early (an
/// `abortOnFail` threshold, 99; `exec.test.abort()`, 108; the REST API's stop, 103; a signal,
/// 105), then `setup()`'s or `teardown()`'s failure (a script error, 107; a timeout, 100 or 101:
/// one rank, as one run has only one of them), then `exec.test.fail()` (110). Lower ranks win;
/// `None` for a code that is no such end. `rload merge` orders its instances' ends by it.
pub fn end_rank(code: i32) -> Option<u8> {
    match code {
        THRESHOLDS_FAILED => Some(0),
        ABORTED => Some(1),
        STOPPED_FROM_API => Some(2),
        SIGNAL => Some(3),
        SCRIPT_ERROR | SETUP_TIMEOUT | TEARDOWN_TIMEOUT | OTHER => Some(4),
        MARKED_FAILED => Some(5),
        _ => None,
    }
}

/// `\n  - a\n  - b`: one problem per line under the heading.
fn bullets(problems: &[String]) -> String {
    problems.iter().map(|p| format!("\n  - {p}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_print_one_problem_per_line_under_the_heading() {
        let err = RunError::InvalidOptions(vec!["vus: must be positive".into(), "duration: bad".into()]);
        assert_eq!(err.to_string(), "error: invalid options:\n  - vus: must be positive\n  - duration: bad");
        assert_eq!(err.exit_code(), INVALID_CONFIG);
    }

    #[test]
    fn codes_follow_k6() {
        assert_eq!(RunError::Syntax("error: syntax error".into()).exit_code(), 107);
        assert_eq!(RunError::ThresholdsFailed(vec!["a".into()]).exit_code(), 99);
        assert_eq!(RunError::Aborted("stop".into()).exit_code(), 108);
        assert_eq!(RunError::MarkedFailed.exit_code(), 110);
        assert_eq!(RunError::MarkedFailed.to_string(), "error: test run was marked as failed");
        assert_eq!(RunError::Interrupted.exit_code(), 105);
        assert_eq!(RunError::TeardownFailed("boom".into()).exit_code(), 107);
        assert_eq!(RunError::Capacity("too many".into()).exit_code(), 255);
        assert_eq!(RunError::ReadScript("cannot read script x.rhai".into()).exit_code(), 255);
        assert_eq!(
            RunError::SetupTimeout(Duration::from_secs(90)).to_string(),
            "error: setup() did not finish within setupTimeout (1m30s)"
        );
    }
}
