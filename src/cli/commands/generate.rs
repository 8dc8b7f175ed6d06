//! `zonescope gen`: a synthetic design, to stdout or `-o` (atomically).
//!
//! Owns: the gen command's flags → parameters. Must never: build a design itself.

use std::io::Write;

use crate::cli::args::GenArgs;
use crate::cli::{CliError, count, write_atomically};

pub fn run(a: &GenArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    use crate::generate::{GenParams, generate_with_stats};
    let mut p = match &a.size {
        Some(s) => GenParams::size(s)
            .ok_or_else(|| CliError::usage(format!("`{s}` is not a size"), "use S, M or L"))?,
        None => GenParams::default(),
    };
    if let Some(v) = a.regions {
        p.regions = v;
    }
    if let Some(v) = a.spokes {
        p.spokes = v;
    }
    if let Some(v) = a.subnets {
        p.subnets = v;
    }
    if let Some(v) = a.endpoints {
        p.endpoints = v;
    }
    p.seed = a.seed;
    p.validate()
        .map_err(|e| CliError::usage(e.to_string(), e.help()))?;
    let (text, stats) = generate_with_stats(&p);
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, text.as_bytes())?;
            eprintln!(
                "wrote {}: {}, {}, {}, {}",
                path.display(),
                count(stats.networks, "network"),
                count(stats.subnets, "subnet"),
                count(stats.endpoints, "endpoint"),
                count(stats.rules, "rule")
            );
        }
        _ => out.write_all(text.as_bytes())?,
    }
    Ok(0)
}
