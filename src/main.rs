//! The zonescope binary: parse arguments, call the library, map errors to exit codes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use zonescope::cli::Cli;
use zonescope::commands::{self, CliError, color_enabled};

fn report(err: &CliError) {
    let color = color_enabled() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    match err {
        CliError::Load(e) => eprint!("{}", e.render(color, 20)),
        CliError::Usage { message, help } => {
            eprintln!(
                "error: {}\n  help: {}",
                zonescope::text_safe::escape(message),
                zonescope::text_safe::escape(help)
            );
        }
        CliError::Io(e) => eprintln!(
            "error: cannot write the output: {}",
            zonescope::text_safe::escape(&e.to_string())
        ),
    }
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

fn writes_stdout(cmd: &zonescope::cli::Command) -> bool {
    use zonescope::cli::Command as C;
    match cmd {
        C::Gen(a) => a.output.as_ref().is_none_or(|p| p.as_os_str() == "-"),
        C::Export(a) => a.output.as_ref().is_none_or(|p| p.as_os_str() == "-"),
        C::Explore(_) => false,
        _ => true,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(cmd) if !stdout_is_open() && writes_stdout(&cmd) => Err(CliError::usage(
            "standard output is closed, so the output would be lost",
            "redirect it to a file, or give -o FILE",
        )),
        Some(cmd) => {
            // Buffered: a big matrix or export is written in large blocks, not line by line.
            let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            commands::run(&cmd, &mut out).and_then(|code| {
                out.flush().map_err(CliError::Io)?;
                Ok(code)
            })
        }
        // No subcommand: explore the built-in demo.
        None => zonescope::tui::run_demo(),
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
