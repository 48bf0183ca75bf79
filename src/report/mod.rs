//! `--report FILE.html` (k6's `K6_WEB_DASHBOARD=true K6_WEB_DASHBOARD_EXPORT=FILE`): one
//! self-contained HTML page of the run, readable offline.
//!
//! - `timeline.rs`: the run's time series in bounded memory (a point per second, halved past
//!   2,000 points);
//! - `sampler.rs`: each second's values, read from the aggregate as differences (rates, shares,
//!   per-second HDR percentiles, scraped gauges);
//! - `svg.rs`: a chart as inline SVG;
//! - `html.rs`: the page: charts, then thresholds, checks and groups from the results model.
//!
//! The once-a-second thread that drives the sampler is `crate::runtime::monitor`; the file is
//! written with the summary's other files by `crate::runtime::report` (temporary file, rename),
//! so it exists however the run ended, after Ctrl-C and `abortOnFail` too.

mod html;
mod sampler;
mod svg;
mod timeline;

pub use html::{Page, CONTENT_SECURITY_POLICY};
pub use sampler::Sampler;
pub use timeline::{Chart, Frame, Line, Timeline, Unit, MAX_POINTS};
