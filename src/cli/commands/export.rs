//! `zonescope export FILE --to FORMAT [-o OUT]`: never over the input file, atomically.
//!
//! Owns: the export command's I/O. Must never: render a format itself (`report` does).

use std::io::Write;

use crate::cli::{CliError, write_atomically};
use std::path::Path;

use crate::cli::args::{ExportArgs, ExportFormat};
use crate::engine::trace::{Query, WhatIf, trace};
use crate::report::render;

/// `zonescope export`.
pub fn run(a: &ExportArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    if let Some(o) = &a.output
        && o.as_os_str() != "-"
        && same_file(o, &a.file)
    {
        return Err(CliError::usage(
            format!(
                "refusing to overwrite the input file {} with the export",
                a.file.display()
            ),
            "give -o another file name",
        ));
    }
    let t = crate::import::load_any(&a.file)?.0;
    let tr = match &a.trace {
        None => None,
        Some(spec) => {
            if !matches!(a.to, ExportFormat::Mermaid | ExportFormat::Dot) {
                return Err(CliError::usage(
                    "--trace highlights a path in a diagram",
                    "use it with --to mermaid or --to dot",
                ));
            }
            let q = Query::parse(spec)
                .map_err(|e| CliError::usage(e, "write --trace \"SRC -> DST:PORT\""))?;
            Some(
                trace(&t, &q, &WhatIf::default())
                    .map_err(|e| CliError::usage(e.message, e.help))?,
            )
        }
    };
    let text = render(&t, a.to, tr.as_ref());
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        _ => out.write_all(text.as_bytes())?,
    }
    crate::cli::dispose(t);
    Ok(0)
}

/// Whether two paths name the same file (by canonical path when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
