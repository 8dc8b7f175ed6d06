//! `zonescope diff OLD NEW`: exit 0 when no flow changed verdict, 1 when some did.
//!
//! Owns: the diff command's I/O. Must never: compare designs itself (the engine does).

use std::io::Write;

use crate::cli::CliError;
use crate::cli::args::{DiffArgs, TextJson};
use crate::engine::diff::diff;
use crate::report::diff::render_text;

/// `zonescope diff`: exit 0 when no flow changed verdict, 1 when some did.
pub fn run(a: &DiffArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let old = crate::import::load_any(&a.old)?.0;
    let new = crate::import::load_any(&a.new)?.0;
    let d = diff(&old, &new);
    match a.format {
        TextJson::Json => {
            serde_json::to_writer_pretty(&mut *out, &d).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        TextJson::Text => out.write_all(render_text(&d).as_bytes())?,
    }
    Ok(u8::from(d.behaviour_changed))
}
