//! `zonescope flows FILE LOG...`: the flow-log report as text or JSON.
//!
//! Owns: the flows command's flags and output. Must never: read or judge a log itself.

use std::io::Write;

use crate::cli::CliError;
use std::io;

use crate::cli::args::{FlowsArgs, LogFormatArg, TextJson};
use crate::engine::flows::analyze_logs;
use crate::engine::flows::read::LogFormat;
use crate::engine::flows::run::Options;
use crate::model;
use crate::report::flows::render_text;

/// `zonescope flows FILE LOG...`.
pub fn run(a: &FlowsArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let t = model::load(&a.file)?;
    let opts = Options {
        format: match a.log_format {
            LogFormatArg::Auto => LogFormat::Auto,
            LogFormatArg::Aws => LogFormat::Aws,
            LogFormatArg::Azure => LogFormat::Azure,
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
    let report = analyze_logs(&t, &logs, opts).map_err(|e| {
        CliError::usage(
            format!("cannot read the flow log {e}"),
            "give AWS VPC flow log text or Azure NSG/VNet flow log JSON files (gzip is fine), or `-` for standard input",
        )
    })?;
    match a.format {
        TextJson::Json => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        TextJson::Text => render_text(&report, out)?,
    }
    Ok(0)
}
