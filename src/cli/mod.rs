//! What each subcommand does: load, compute with the core, and write the output (text, JSON,
//! CSV) to the writer it is given.
//!
//! Owns: output formats of the command line and exit codes. Must never: exit the process or
//! print error reports (`main` does both), or write anywhere but the given writer.

pub mod args;
pub mod commands;
pub mod progress;

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

/// Load the input of a command: a topology file, or a cloud export recognised by its content
/// (a directory of describe-* JSON, say), imported on the way.
pub(crate) fn load(path: &Path) -> Result<Topology, CliError> {
    Ok(crate::import::load_any(path)?.0)
}

/// Drop a command's design after its output is written, on a thread of its own: freeing the
/// hundreds of thousands of allocations of a large design takes tens of milliseconds (20 ms
/// for an L design) that the command's answer need not wait for. When the process exits first,
/// the operating system takes the memory back.
pub(crate) fn dispose<T: Send + 'static>(value: T) {
    // Without a thread to be had, the failed spawn drops the value itself.
    let _ = std::thread::Builder::new()
        .name("dispose".into())
        .spawn(move || drop(value));
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
///
/// Text outputs go through [`crate::text_safe::Escaping`], so nothing read from an input file
/// reaches the terminal as a control sequence; JSON and SARIF escape on their own.
pub fn run(cmd: &Command, out: &mut dyn Write) -> Result<u8, CliError> {
    if is_text_output(cmd) {
        let mut safe = crate::text_safe::Escaping::new(out, color_enabled());
        let code = run_raw(cmd, &mut safe)?;
        safe.flush()?;
        return Ok(code);
    }
    run_raw(cmd, out)
}

fn is_text_output(cmd: &Command) -> bool {
    use crate::cli::args::{CheckFormat, ExportFormat, MatrixFormat, TextJson};
    match cmd {
        Command::Trace(a) => a.format == TextJson::Text,
        Command::Check(a) => a.format == CheckFormat::Text,
        Command::Matrix(a) => a.format != MatrixFormat::Json,
        Command::Diff(a) => a.format == crate::cli::args::DiffFormat::Text,
        Command::Flows(a) => a.format == TextJson::Text,
        Command::Export(a) => a.to != ExportFormat::Json,
        Command::Import(a) => a.format == TextJson::Text,
        Command::Gen(_)
        | Command::Schema
        | Command::Explore(_)
        | Command::Completions { .. }
        | Command::Man => false,
    }
}

fn run_raw(cmd: &Command, out: &mut dyn Write) -> Result<u8, CliError> {
    match cmd {
        Command::Trace(a) => commands::trace::run(a, out),
        Command::Check(a) => commands::check::run(a, out),
        Command::Matrix(a) => commands::matrix::run(a, out),
        Command::Gen(a) => commands::generate::run(a, out),
        Command::Diff(a) => commands::diff::run(a, out),
        Command::Export(a) => commands::export::run(a, out),
        Command::Flows(a) => commands::flows::run(a, out),
        Command::Import(a) => commands::import::run(a, out),
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::args::Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "zonescope", out);
            Ok(0)
        }
        Command::Man => {
            let cmd = <crate::cli::args::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(out)?;
            Ok(0)
        }
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
        w.disable(t, d)
            .map_err(|e| CliError::usage(format!("--disable {d}: {}", e.message), e.help))?;
    }
    Ok(w)
}

/// Write `bytes` to `path` atomically and only there (see [`crate::safe_write`]).
/// An error names the file the user gave (unless it already names it).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::safe_write::write_file(path, bytes).map_err(|e| {
        let shown = path.display().to_string();
        if e.to_string().contains(&shown) {
            e
        } else {
            std::io::Error::new(
                e.kind(),
                format!("{}: {e}", crate::text_safe::escape(&shown)),
            )
        }
    })
}

/// Print the report of a failed command on stderr: file, line and column with a label and a hint
/// for an input error; the message and its hint otherwise.
pub fn report(err: &CliError) {
    let color = color_enabled() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    match err {
        CliError::Load(e) => eprint!("{}", e.render(color, 20)),
        CliError::Usage { message, help } => {
            eprintln!(
                "error: {}\n  help: {}",
                crate::text_safe::escape(message),
                crate::text_safe::escape(help)
            );
        }
        CliError::Io(e) => eprintln!(
            "error: cannot write the output: {}",
            crate::text_safe::escape(&e.to_string())
        ),
    }
}

/// The program: parse the arguments, run the subcommand (or the demo explorer), report an
/// error and give the exit code (0 done, 1 findings or changes, 2 bad usage or input).
pub fn main() -> std::process::ExitCode {
    use clap::Parser as _;
    use std::process::ExitCode;
    let cli = args::Cli::parse();
    let result = match cli.command {
        Some(cmd) if !stdout_is_open() && writes_stdout(&cmd) => Err(CliError::usage(
            "standard output is closed, so the output would be lost",
            "redirect it to a file, or give -o FILE",
        )),
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

/// A parent that closed descriptor 1 (`>&-`): Rust's runtime then opens `/dev/null` read-write
/// in its place, and a command would exit 0 with its output lost. A user's `> /dev/null` opens
/// it write-only, so the two can be told apart (Linux; elsewhere stdout counts as open).
fn stdout_is_open() -> bool {
    let Ok(target) = std::fs::read_link("/proc/self/fd/1") else {
        return true;
    };
    if target != std::path::Path::new("/dev/null") {
        return true;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return true;
    };
    let flags = info
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok());
    // O_ACCMODE is 3; O_RDWR is 2.
    flags.is_none_or(|f| f & 3 != 2)
}

fn writes_stdout(cmd: &Command) -> bool {
    match cmd {
        Command::Gen(a) => a.output.as_ref().is_none_or(|p| p.as_os_str() == "-"),
        Command::Export(a) => a.output.as_ref().is_none_or(|p| p.as_os_str() == "-"),
        Command::Explore(_) => false,
        _ => true,
    }
}

/// `1 network`, `2 networks`.
pub(crate) fn count(n: impl TryInto<u64>, one: &str) -> String {
    crate::report::plural(n, one, &format!("{one}s"))
}
