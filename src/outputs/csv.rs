//! `-o csv=FILE` (or `csv=fileName=FILE,timeFormat=…,saveInterval=…`): k6's CSV output. The
//! header is `metric_name,timestamp,metric_value`, one column per indexable system tag k6 enables
//! by default (sorted), then `extra_tags` (every other tag as `k=v&k=v`) and `metadata`. Values
//! are written with six decimals (`%f`), times in `timeFormat` (`unix` by default). Options also
//! come from `K6_CSV_FILENAME`, `K6_CSV_TIME_FORMAT`, `K6_CSV_SAVE_INTERVAL`; the argument wins.

use std::io::Write;
use std::time::Duration;

use crate::config::duration::parse_duration;
use crate::metrics::RawSample;

use super::time::{rfc3339, unix_nanos};

/// k6's default system tags that get a column of their own (`vu` and `iter` are not indexable
/// and not enabled by default).
pub const TAG_COLUMNS: [&str; 14] = [
    "check",
    "error",
    "error_code",
    "expected_response",
    "group",
    "method",
    "name",
    "proto",
    "scenario",
    "service",
    "status",
    "subproto",
    "tls_version",
    "url",
];

/// How the `timestamp` column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    Unix,
    UnixMilli,
    UnixMicro,
    UnixNano,
    Rfc3339,
    Rfc3339Nano,
}

impl TimeFormat {
    fn parse(s: &str) -> Result<TimeFormat, String> {
        Ok(match s {
            "unix" => TimeFormat::Unix,
            "unix_milli" => TimeFormat::UnixMilli,
            "unix_micro" => TimeFormat::UnixMicro,
            "unix_nano" => TimeFormat::UnixNano,
            "rfc3339" => TimeFormat::Rfc3339,
            "rfc3339_nano" => TimeFormat::Rfc3339Nano,
            other => {
                return Err(format!(
                    "csv output: {other:?} is not a valid timeFormat (unix, unix_milli, unix_micro, unix_nano, rfc3339, rfc3339_nano)"
                ))
            }
        })
    }
}

/// The CSV output's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvConfig {
    pub file_name: String,
    pub time_format: TimeFormat,
    /// How often the file is flushed to disk.
    pub save_interval: Duration,
}

impl CsvConfig {
    /// k6's precedence: defaults, then `K6_CSV_*` variables, then the `-o csv=…` argument.
    pub fn parse(arg: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<CsvConfig, String> {
        let mut c = CsvConfig {
            file_name: "file.csv".into(),
            time_format: TimeFormat::Unix,
            save_interval: Duration::from_secs(1),
        };
        if let Some(v) = env("K6_CSV_FILENAME") {
            c.file_name = v;
        }
        if let Some(v) = env("K6_CSV_TIME_FORMAT") {
            c.time_format = TimeFormat::parse(&v)?;
        }
        if let Some(v) = env("K6_CSV_SAVE_INTERVAL") {
            c.save_interval = interval(&v)?;
        }
        if arg.is_empty() {
            return Ok(c);
        }
        if !arg.contains('=') {
            c.file_name = arg.to_string();
            return Ok(c);
        }
        for pair in arg.split(',') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if v.is_empty() {
                return Err(format!("couldn't parse {arg:?} as argument for csv output"));
            }
            match k {
                "fileName" => c.file_name = v.to_string(),
                "timeFormat" => c.time_format = TimeFormat::parse(v)?,
                "saveInterval" => c.save_interval = interval(v)?,
                _ => {
                    return Err(format!(
                        "unknown key {k:?} as argument for csv output (fileName, timeFormat, saveInterval)"
                    ))
                }
            }
        }
        Ok(c)
    }
}

fn interval(s: &str) -> Result<Duration, String> {
    parse_duration(s).map_err(|e| format!("csv output: saveInterval {s:?}: {e}"))
}

/// The header row.
pub fn header(out: &mut Vec<u8>) {
    out.extend_from_slice(b"metric_name,timestamp,metric_value");
    for t in TAG_COLUMNS {
        out.push(b',');
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(b",extra_tags,metadata\n");
}

/// One sample's row.
pub fn row(out: &mut Vec<u8>, name: &str, sample: &RawSample, format: TimeFormat) {
    field(out, name);
    out.push(b',');
    let nanos = unix_nanos(sample.time);
    let time = match format {
        TimeFormat::Unix => (nanos / 1_000_000_000).to_string(),
        TimeFormat::UnixMilli => (nanos / 1_000_000).to_string(),
        TimeFormat::UnixMicro => (nanos / 1_000).to_string(),
        TimeFormat::UnixNano => nanos.to_string(),
        TimeFormat::Rfc3339 => rfc3339(sample.time, false),
        TimeFormat::Rfc3339Nano => rfc3339(sample.time, true),
    };
    out.extend_from_slice(time.as_bytes());
    let _ = write!(out, ",{:.6}", sample.value);
    for t in TAG_COLUMNS {
        out.push(b',');
        field(out, sample.tags.get(t).unwrap_or(""));
    }
    out.push(b',');
    let extra: Vec<String> =
        sample.tags.iter().filter(|(k, _)| !TAG_COLUMNS.contains(k)).map(|(k, v)| format!("{k}={v}")).collect();
    field(out, &extra.join("&"));
    out.extend_from_slice(b",\n");
}

/// A field as Go's `encoding/csv` writes it: quoted when it holds a comma, a quote, a line
/// break or starts with a space, quotes doubled.
fn field(out: &mut Vec<u8>, s: &str) {
    let quote = s.contains([',', '"', '\r', '\n']) || s.starts_with(' ');
    if !quote {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{builtin, TagSet};
    use std::time::UNIX_EPOCH;

    #[test]
    fn a_row_has_k6s_columns_and_quoting() {
        let sample = RawSample {
            metric: builtin::HTTP_REQ_DURATION,
            tags: TagSet::new().with("method", "GET").with("url", "http://x/?a=1,2").with("my_tag", "v"),
            value: 12.5,
            time: UNIX_EPOCH + Duration::new(1_795_901_405, 123_000_000),
        };
        let mut head = Vec::new();
        header(&mut head);
        let head = String::from_utf8(head).unwrap();
        assert_eq!(
            head,
            "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,\
             scenario,service,status,subproto,tls_version,url,extra_tags,metadata\n"
        );
        let mut out = Vec::new();
        row(&mut out, "http_req_duration", &sample, TimeFormat::Unix);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "http_req_duration,1795901405,12.500000,,,,,,GET,,,,,,,,\"http://x/?a=1,2\",my_tag=v,\n"
        );
        let mut out = Vec::new();
        row(&mut out, "http_req_duration", &sample, TimeFormat::UnixMilli);
        assert!(String::from_utf8(out).unwrap().starts_with("http_req_duration,1795901405123,"));
    }

    #[test]
    fn the_argument_wins_over_the_environment() {
        let env = |k: &str| (k == "K6_CSV_TIME_FORMAT").then(|| "rfc3339".to_string());
        let c = CsvConfig::parse("out.csv", &env).unwrap();
        assert_eq!((c.file_name.as_str(), c.time_format), ("out.csv", TimeFormat::Rfc3339));
        let c = CsvConfig::parse("fileName=a.csv,timeFormat=unix_nano,saveInterval=2s", &env).unwrap();
        assert_eq!(
            (c.file_name.as_str(), c.time_format, c.save_interval),
            ("a.csv", TimeFormat::UnixNano, Duration::from_secs(2))
        );
        assert!(CsvConfig::parse("fileName=a.csv,bogus=1", &env).unwrap_err().contains("bogus"));
        assert!(CsvConfig::parse("timeFormat=weird", &env).unwrap_err().contains("weird"));
    }
}
