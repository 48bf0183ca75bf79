//! rload: a load-testing engine whose scenarios are k6-style Rhai scripts.
//!
//! `main.rs` only maps [`main_with_args`] to an exit code; everything else lives here so that
//! integration tests can drive the library or the binary. The reference target (`rload serve`)
//! is a crate of its own, `rload-target`, reached only through [`target`].

pub mod allocator;
pub mod api;
pub mod archive;
pub mod cli;
pub mod config;
pub mod executor;
pub mod health;
pub mod http;
pub mod limits;
pub mod logger;
pub mod merge;
pub mod metrics;
pub mod output;
pub mod outputs;
pub mod report;
pub mod results;
pub mod runtime;
pub mod scrape;
pub mod script;
pub mod stdio;
pub mod target;
pub mod template;
pub mod thresholds;
pub(crate) mod ws;

use runtime::exit::{self, RunError};

/// Runs the CLI with the given arguments and returns the process exit code.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> i32 {
    let parsed = match cli::parse(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::INVALID_CONFIG } else { exit::OK };
        }
    };
    match parsed.command {
        cli::Command::Serve(flags) => target::serve(flags),
        cli::Command::Run(flags) => {
            let keep = flags.options.keep_converted.clone();
            run_with(flags.into_run_args(), keep)
        }
        cli::Command::Check(flags) => {
            let keep = flags.options.keep_converted.clone();
            run_with(flags.into_run_args(), keep)
        }
        cli::Command::Inspect(flags) => {
            let keep = flags.options.keep_converted.clone();
            run_with(flags.into_run_args(), keep)
        }
        cli::Command::Archive(flags) => {
            let keep = flags.options.keep_converted.clone();
            run_with(flags.into_run_args(), keep)
        }
        cli::Command::Convert(flags) => script::converted::command(&flags.script, flags.output.as_deref()),
        cli::Command::Merge(flags) => match merge::MergeArgs::from_flags(flags) {
            Ok(args) => merge::run(&args),
            Err(errors) => {
                RunError::InvalidFlags(errors).print();
                exit::INVALID_CONFIG
            }
        },
        cli::Command::Status(f) => api::client::run(api::client::Command::Status, &f.address),
        cli::Command::Pause(f) => api::client::run(api::client::Command::Pause, &f.address),
        cli::Command::Resume(f) => api::client::run(api::client::Command::Resume, &f.address),
        cli::Command::Scale(f) => {
            api::client::run(api::client::Command::Scale { vus: f.vus, max: f.max }, &f.api.address)
        }
        cli::Command::Stats(f) => api::client::run(api::client::Command::Stats, &f.address),
        cli::Command::Version => {
            stdio::outln(&cli::version_line());
            exit::OK
        }
        cli::Command::New(flags) => template::create(&flags),
        cli::Command::Completion { shell } => {
            let mut command = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "rload", &mut std::io::stdout());
            exit::OK
        }
    }
}

fn run_with(args: Result<runtime::run::RunArgs, Vec<String>>, keep_converted: Option<String>) -> i32 {
    let ready = args.map_err(RunError::InvalidFlags).and_then(|mut args| {
        logger::install(&args.log).map_err(|e| RunError::InvalidFlags(vec![e]))?;
        // An archive unpacks first: its script may be JavaScript, converted below as a file's.
        let unpacked = open_archive(&mut args)?;
        // A k6 JavaScript script: converted to Rhai in memory first (script/converted.rs).
        if script::converted::is_js(&args.script) {
            script::converted::prepare(&args.script, keep_converted.as_deref()).map_err(RunError::InvalidScript)?;
        } else if keep_converted.is_some() {
            return Err(RunError::InvalidFlags(vec![format!(
                "--keep-converted: {} is not a JavaScript script (.js), so nothing is converted",
                args.script
            )]));
        }
        target::start_for(&mut args)?;
        Ok((args, unpacked))
    });
    match ready {
        // The unpacked archive (if any) lives until the run is over.
        Ok((args, _unpacked)) => runtime::run::run(args),
        Err(err) => {
            err.print();
            err.exit_code()
        }
    }
}

/// `rload run archive.tar` (or `inspect`): unpacks the archive and runs its script with its
/// options and `-e` variables; `-e` and flags given now still win.
fn open_archive(args: &mut runtime::run::RunArgs) -> Result<Option<archive::Unpacked>, RunError> {
    if !archive::is_archive(std::path::Path::new(&args.script)) {
        return Ok(None);
    }
    if args.archive_out.is_some() {
        return Err(RunError::Archive(format!("{}: is already an archive", args.script)));
    }
    let unpacked = archive::unpack(std::path::Path::new(&args.script)).map_err(RunError::ReadScript)?;
    args.script = unpacked.script.to_string_lossy().into_owned();
    for (k, v) in &unpacked.env {
        if !args.explicit_env.contains(k) {
            args.env.retain(|(ek, _)| ek != k);
            args.env.push((k.clone(), v.clone()));
        }
    }
    args.archived_options = Some(unpacked.options.clone());
    Ok(Some(unpacked))
}
