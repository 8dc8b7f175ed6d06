//! The zonescope binary: parse arguments, call the library, map errors to exit codes.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use zonescope::cli::args::Cli;
use zonescope::cli::{self, CliError, color_enabled};

fn report(err: &CliError) {
    let color = color_enabled() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    match err {
        CliError::Load(e) => eprint!("{}", e.render(color, 20)),
        CliError::Usage { message, help } => {
            eprintln!("error: {message}\n  help: {help}");
        }
        CliError::Io(e) => eprintln!("error: cannot write the output: {e}"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(cmd) => {
            // Buffered: a big matrix or export is written in large blocks, not line by line.
            let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            cli::run(&cmd, &mut out).and_then(|code| {
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
