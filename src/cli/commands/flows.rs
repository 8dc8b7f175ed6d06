//! `zonescope flows FILE LOG...`: the flow-log report as text or JSON.
//!
//! Owns: the flows command's flags and output. Must never: read or judge a log itself.

use std::io::Write;

use crate::cli::CliError;
use std::io;

use crate::cli::args::{FlowsArgs, LogFormatArg, TextJson};
use crate::engine::flows::early::{Loading, analyze_logs_loading};
use crate::engine::flows::read::LogFormat;
use crate::engine::flows::run::Options;
use crate::engine::flows::window::{Window, parse_time};
use crate::report::flows::render_text;

/// `zonescope flows FILE LOG...`.
pub fn run(a: &FlowsArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let opts = Options {
        format: match a.log_format {
            LogFormatArg::Auto => LogFormat::Auto,
            LogFormatArg::Aws => LogFormat::Aws,
            LogFormatArg::Azure => LogFormat::Azure,
            LogFormatArg::Gcp => LogFormat::Gcp,
            LogFormatArg::Parquet => LogFormat::Parquet,
        },
        jobs: a.jobs,
    };
    let logs: Vec<String> = a
        .logs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    for w in crate::engine::flows::run::repeated_logs(&a.logs) {
        eprintln!("warning: {}", crate::text_safe::escape(&w));
    }
    let time = |flag: &str, v: &Option<String>| -> Result<Option<u64>, CliError> {
        v.as_deref()
            .map(|text| {
                parse_time(text).map_err(|why| {
                    CliError::usage(
                        format!("--{flag}: {why}"),
                        "e.g. --since 2026-01-01T00:00:00Z --until 1767312000",
                    )
                })
            })
            .transpose()
    };
    let window = Window {
        since: time("since", &a.since)?,
        until: time("until", &a.until)?,
    };
    let progress = crate::cli::progress::bar(a.quiet);
    // The design loads while a large log's first records are read.
    let load =
        |free: &(dyn Fn() + Sync)| crate::import::load_any_then(&a.file, free).map(|(t, _)| t);
    let (t, report) =
        analyze_logs_loading(load, &logs, opts, window, progress).map_err(|e| match e {
            Loading::Design(e) => CliError::from(e),
            Loading::Log(e) => CliError::usage(
                format!("cannot read the flow log {e}"),
                "give AWS VPC flow log text or Azure NSG/VNet flow log JSON files (gzip is fine), or `-` for standard input",
            ),
        })?;
    match a.format {
        TextJson::Json => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        TextJson::Text => render_text(&report, out)?,
    }
    crate::cli::dispose(t);
    Ok(0)
}
