//! The `zonescope` binary: everything is in the library's command line ([`zonescope::cli`]).

fn main() -> std::process::ExitCode {
    zonescope::cli::main()
}
