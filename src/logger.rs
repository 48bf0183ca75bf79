//! k6's logger: where rload's log lines go (`--log-output`, `K6_LOG_OUTPUT`) and in what form
//! (`--log-format`, `K6_LOG_FORMAT`).
//!
//! Log lines are what k6 sends through its logger: warnings (`WARN`), script errors (`ERRO`),
//! the script's `debug` (only under `-v/--verbose`, as in k6), the `--http-debug` dumps and, once
//! `--log-output` or `--log-format` is given, the script's `print` (k6's `console.log`: level
//! info, `source=console`). Without either flag `print` writes plain lines to stdout, as rload
//! always has.
//!
//! Outputs, as k6's: `stderr` (default), `stdout`, `none`, `file=PATH[,level=LEVEL]` (appended,
//! only lines at LEVEL or more severe; nothing on stderr then). `loki=…` is k6's too and an error
//! here. Formats: text (rload's `WARN …`, `ERRO[0003] …` lines, default), `json` (logrus's
//! JSONFormatter: one object a line, keys sorted: the fields, `level`, `msg`, `time`) and `raw`
//! (the message alone).
//!
//! Not here: the live progress (stderr, `stdio::draw_live`), the summary (stdout) and the
//! message a failed run ends with (stderr, `runtime/exit.rs`).

use std::fs::File;
use std::io::{LineWriter, Write};
use std::sync::{Mutex, PoisonError};

/// A log line's severity, k6's (logrus's) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    /// logrus's name, as `level=` and `"level"` write it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }

    /// The text format's four-letter prefix.
    fn tag(self) -> &'static str {
        match self {
            Level::Error => "ERRO",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBU",
        }
    }

    /// k6's `level=` of a file output: logrus's level names (`warn` too); `panic` and `fatal`,
    /// which rload never logs, keep only errors.
    fn parse(text: &str) -> Option<Level> {
        Some(match text {
            "panic" | "fatal" | "error" => Level::Error,
            "warn" | "warning" => Level::Warn,
            "info" => Level::Info,
            "debug" | "trace" => Level::Debug,
            _ => return None,
        })
    }
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Json,
    Raw,
}

/// `--log-output`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Output {
    #[default]
    Stderr,
    Stdout,
    None,
    /// Appended to `path`, lines at `level` or more severe only.
    File {
        path: String,
        level: Level,
    },
}

/// A run's logging, from its flags or `K6_LOG_*` variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogConfig {
    pub output: Output,
    pub format: Format,
    /// `--log-output` or `--log-format` was given: `print` is a log line (k6's console.log).
    pub console_is_log: bool,
    /// `-v/--verbose`: debug lines (`console.debug`, Rhai's `debug`) are logged too. Without it
    /// the logger stops at info, as k6's does: not even a `file=…,level=debug` output gets them.
    pub verbose: bool,
}

impl LogConfig {
    /// Parses `--log-output` and `--log-format` as k6 does, every problem at once.
    pub fn parse(output: Option<&str>, format: Option<&str>) -> Result<LogConfig, Vec<String>> {
        let mut errors = Vec::new();
        let format_value = match format {
            None | Some("") => Format::Text,
            Some("json") => Format::Json,
            Some("raw") => Format::Raw,
            Some(other) => {
                errors.push(format!("--log-format \"{other}\": use json or raw (the default is text)"));
                Format::Text
            }
        };
        let output_value = match output.map(parse_output) {
            None => Output::Stderr,
            Some(Ok(o)) => o,
            Some(Err(e)) => {
                errors.push(e);
                Output::Stderr
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let console_is_log = output.is_some() || format.is_some_and(|f| !f.is_empty());
        Ok(LogConfig { output: output_value, format: format_value, console_is_log, verbose: false })
    }
}

fn parse_output(line: &str) -> Result<Output, String> {
    match line {
        "stderr" => return Ok(Output::Stderr),
        "stdout" => return Ok(Output::Stdout),
        "none" => return Ok(Output::None),
        _ => {}
    }
    if line.starts_with("loki") {
        return Err(format!(
            "--log-output \"{line}\": k6's loki output is not supported by rload; use file=PATH and ship the file"
        ));
    }
    let Some(rest) = line.strip_prefix("file=") else {
        return Err(format!("--log-output \"{line}\": unsupported log output (use stderr, stdout, none or file=PATH)"));
    };
    let mut parts = rest.split(',');
    let path = parts.next().unwrap_or_default();
    if path.is_empty() {
        return Err(format!("--log-output \"{line}\": filepath must not be empty"));
    }
    let mut level = Level::Debug;
    for part in parts {
        match part.split_once('=') {
            Some(("level", value)) => {
                level = Level::parse(value).ok_or_else(|| {
                    format!("--log-output \"{line}\": unknown log level \"{value}\" (error, warning, info or debug)")
                })?
            }
            _ => return Err(format!("--log-output \"{line}\": unknown option \"{part}\" (only level=LEVEL)")),
        }
    }
    Ok(Output::File { path: path.to_owned(), level })
}

/// Where lines go once installed.
enum Sink {
    Stderr,
    Stdout,
    None,
    File { file: LineWriter<File>, level: Level },
}

struct Logger {
    sink: Sink,
    format: Format,
    console_is_log: bool,
    /// The most verbose level logged: info, or debug under `-v`.
    level: Level,
}

static LOGGER: Mutex<Logger> =
    Mutex::new(Logger { sink: Sink::Stderr, format: Format::Text, console_is_log: false, level: Level::Info });

/// Makes `config` the process's logging: opens (appends to) a file output. Called once a run's
/// flags are valid, before anything is logged.
pub fn install(config: &LogConfig) -> Result<(), String> {
    let sink = match &config.output {
        Output::Stderr => Sink::Stderr,
        Output::Stdout => Sink::Stdout,
        Output::None => Sink::None,
        Output::File { path, level } => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("--log-output file={path}: cannot open the log file: {e}"))?;
            Sink::File { file: LineWriter::new(file), level: *level }
        }
    };
    let level = if config.verbose { Level::Debug } else { Level::Info };
    *LOGGER.lock().unwrap_or_else(PoisonError::into_inner) =
        Logger { sink, format: config.format, console_is_log: config.console_is_log, level };
    Ok(())
}

/// Logs `msg` at `level` with `fields` (`source=console`, …). `elapsed` (whole seconds of the
/// run) shows in the text format as `ERRO[0003]`.
pub fn log(level: Level, elapsed: Option<u64>, msg: &str, fields: &[(&str, &str)]) {
    let mut logger = LOGGER.lock().unwrap_or_else(PoisonError::into_inner);
    if level > logger.level {
        return;
    }
    let format = logger.format;
    match &mut logger.sink {
        Sink::None => {}
        Sink::Stderr => crate::stdio::errln(&render(format, level, elapsed, msg, fields)),
        Sink::Stdout => crate::stdio::outln(&render(format, level, elapsed, msg, fields)),
        Sink::File { file, level: max } => {
            if level <= *max {
                // A log file that cannot be written must not stop the test; k6 goes on too.
                let _ = writeln!(file, "{}", render(format, level, elapsed, msg, fields));
            }
        }
    }
}

/// A warning line (`WARN …` in the text format).
pub fn warn(msg: &str) {
    log(Level::Warn, None, msg, &[]);
}

/// The script's `print`: k6's `console.log` (a log line, `source=console`) once `--log-output`
/// or `--log-format` is given, else a plain line on stdout.
pub fn print(text: &str) {
    let console_is_log = LOGGER.lock().unwrap_or_else(PoisonError::into_inner).console_is_log;
    if console_is_log {
        log(Level::Info, None, text, &[("source", "console")]);
    } else {
        crate::stdio::outln(text);
    }
}

/// One line in `format`, without its newline.
pub fn render(format: Format, level: Level, elapsed: Option<u64>, msg: &str, fields: &[(&str, &str)]) -> String {
    match format {
        Format::Raw => msg.to_owned(),
        Format::Text => {
            let mut line = match elapsed {
                Some(secs) => format!("{}[{secs:04}] {msg}", level.tag()),
                None => format!("{} {msg}", level.tag()),
            };
            for (k, v) in fields {
                line.push_str(&format!(" {k}={}", logfmt_value(v)));
            }
            line
        }
        Format::Json => {
            let time = crate::outputs::time::rfc3339(std::time::SystemTime::now(), false);
            let mut object: serde_json::Map<String, serde_json::Value> =
                fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect();
            object.insert("level".into(), level.name().into());
            object.insert("msg".into(), msg.into());
            object.insert("time".into(), time.into());
            // serde_json's map keeps keys sorted, as Go's encoding/json writes a map.
            serde_json::Value::Object(object).to_string()
        }
    }
}

/// A field's value as logrus's text formatter (k6's) writes it: as it is when it holds only
/// letters, digits and `-._/@^+`, else quoted with Go's escapes (`error="Get \"http://…\": …"`).
fn logfmt_value(v: &str) -> std::borrow::Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-._/@^+".contains(c);
    if !v.is_empty() && v.chars().all(plain) {
        return v.into();
    }
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_spaces_or_quotes_is_quoted_as_logrus_quotes_it() {
        assert_eq!(logfmt_value("console"), "console");
        assert_eq!(
            logfmt_value(r#"Get "http://x/": dial: connection refused"#),
            r#""Get \"http://x/\": dial: connection refused""#
        );
        assert_eq!(logfmt_value(""), r#""""#);
        assert_eq!(logfmt_value("a\nb"), r#""a\nb""#);
    }

    #[test]
    fn k6s_outputs_and_formats_parse_and_loki_is_refused_by_name() {
        let c = LogConfig::parse(Some("file=/tmp/k6.log,level=info"), Some("json")).unwrap();
        assert_eq!(c.output, Output::File { path: "/tmp/k6.log".into(), level: Level::Info });
        assert_eq!(c.format, Format::Json);
        assert!(c.console_is_log);
        assert_eq!(LogConfig::parse(Some("none"), None).unwrap().output, Output::None);
        assert!(!LogConfig::parse(None, None).unwrap().console_is_log);
        let errs = LogConfig::parse(Some("loki=http://127.0.0.1:3100"), Some("xml")).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("k6's loki output is not supported")), "{errs:?}");
        assert!(errs.iter().any(|e| e.starts_with("--log-format \"xml\"")), "{errs:?}");
        for bad in ["file=", "file=,level=info", "file=/tmp/x.log,level=tea", "file=/tmp/x.log,unknown", "syslog"] {
            assert!(LogConfig::parse(Some(bad), None).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn json_lines_are_logrus_objects_with_sorted_keys() {
        let line = render(Format::Json, Level::Info, Some(3), "hello \"you\"", &[("source", "console")]);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["level"], "info");
        assert_eq!(value["msg"], "hello \"you\"");
        assert_eq!(value["source"], "console");
        assert!(value["time"].as_str().unwrap().ends_with('Z'));
        let keys: Vec<&str> =
            line.match_indices("\":").map(|(i, _)| &line[line[..i].rfind('"').unwrap() + 1..i]).collect();
        assert_eq!(keys, ["level", "msg", "source", "time"]);
    }

    #[test]
    fn text_lines_keep_rloads_form_and_raw_is_the_message() {
        assert_eq!(render(Format::Text, Level::Error, Some(3), "boom", &[]), "ERRO[0003] boom");
        assert_eq!(render(Format::Text, Level::Warn, None, "careful", &[]), "WARN careful");
        assert_eq!(render(Format::Text, Level::Info, None, "hi", &[("source", "console")]), "INFO hi source=console");
        assert_eq!(render(Format::Raw, Level::Warn, None, "careful", &[("a", "b")]), "careful");
    }
}
