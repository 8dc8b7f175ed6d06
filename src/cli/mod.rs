//! What each subcommand does: load, compute with the core, and write the output (text, JSON,
//! CSV) to the writer it is given.
//!
//! Owns: output formats of the command line and exit codes. Must never: exit the process or
//! print error reports (`main` does both), or write anywhere but the given writer.

pub mod args;
pub mod commands;

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::cli::args::Command;
use crate::engine::trace::WhatIf;
use crate::model::rules::Protocol;
use crate::model::{self, LoadError, Topology};

/// Why a command could not do its work (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{message}")]
    Usage { message: String, help: String },
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
}

#[cfg(feature = "tui")]
impl From<crate::tui::Error> for CliError {
    fn from(e: crate::tui::Error) -> Self {
        match e {
            crate::tui::Error::Load(e) => CliError::Load(e),
            crate::tui::Error::Usage { message, help } => CliError::Usage { message, help },
            crate::tui::Error::Io(e) => CliError::Io(e),
        }
    }
}

impl CliError {
    pub fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        CliError::Usage {
            message: message.into(),
            help: help.into(),
        }
    }
}

/// Whether to colour output: a terminal, and no `NO_COLOR`.
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

pub(crate) fn load(path: &Path) -> Result<Topology, CliError> {
    Ok(model::load(path)?)
}

pub(crate) fn protocol(s: &str) -> Result<Protocol, CliError> {
    Protocol::parse(s).ok_or_else(|| {
        CliError::usage(
            format!("`{s}` is not a protocol"),
            "use tcp, udp, icmp, https or http",
        )
    })
}

/// Run a subcommand, writing its output to `out`. Returns the exit code (0 or 1).
pub fn run(cmd: &Command, out: &mut dyn Write) -> Result<u8, CliError> {
    match cmd {
        Command::Trace(a) => commands::trace::run(a, out),
        Command::Check(a) => commands::check::run(a, out),
        Command::Matrix(a) => commands::matrix::run(a, out),
        Command::Gen(a) => commands::generate::run(a, out),
        Command::Diff(a) => commands::diff::run(a, out),
        Command::Export(a) => commands::export::run(a, out),
        Command::Flows(a) => commands::flows::run(a, out),
        Command::Schema => {
            out.write_all(model::schema_json().as_bytes())?;
            Ok(0)
        }
        #[cfg(feature = "tui")]
        Command::Explore(a) => Ok(crate::tui::run(&crate::tui::Options {
            file: a.file.clone(),
            trace: a.trace.clone(),
            present: a.present,
            flows: a.flows.clone(),
        })?),
        #[cfg(not(feature = "tui"))]
        Command::Explore(_) => Err(no_explorer()),
    }
}

/// The what-if of `--disable ID…`.
pub(crate) fn what_if(t: &Topology, disable: &[String]) -> Result<WhatIf, CliError> {
    let mut w = WhatIf::default();
    for d in disable {
        w.disable(t, d).map_err(|e| {
            CliError::usage(
                format!("--disable {d}: {e}"),
                "name an endpoint, network, region, peering (A<->B) or rule (SET/RULE)",
            )
        })?;
    }
    Ok(w)
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so a reader
/// never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.zonescope-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Print the report of a failed command on stderr: file, line and column with a label and a hint
/// for an input error; the message and its hint otherwise.
pub fn report(err: &CliError) {
    let color = color_enabled() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    match err {
        CliError::Load(e) => eprint!("{}", e.render(color, 20)),
        CliError::Usage { message, help } => {
            eprintln!("error: {message}\n  help: {help}");
        }
        CliError::Io(e) => eprintln!("error: cannot write the output: {e}"),
    }
}

/// The program: parse the arguments, run the subcommand (or the demo explorer), report an
/// error and give the exit code (0 done, 1 findings or changes, 2 bad usage or input).
pub fn main() -> std::process::ExitCode {
    use clap::Parser as _;
    use std::process::ExitCode;
    let cli = args::Cli::parse();
    let result = match cli.command {
        Some(cmd) => {
            // Buffered: a big matrix or export is written in large blocks, not line by line.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            run(&cmd, &mut out).and_then(|code| {
                out.flush().map_err(CliError::Io)?;
                Ok(code)
            })
        }
        // No subcommand: explore the built-in demo.
        #[cfg(feature = "tui")]
        None => crate::tui::run_demo().map_err(CliError::from),
        #[cfg(not(feature = "tui"))]
        None => Err(no_explorer()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "tui"))]
fn no_explorer() -> CliError {
    CliError::usage(
        "this zonescope was built without the explorer",
        "build with the default features (`cargo install --path .`), or use trace, check or matrix",
    )
}
