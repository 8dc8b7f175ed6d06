//! `zonescope trace`: one flow, as text or JSON.
//!
//! Owns: the trace command's output. Must never: decide a verdict (the engine does).

use std::io::Write;

use crate::cli::args::{TextJson, TraceArgs};
use crate::cli::color_enabled;
use crate::cli::{CliError, load, protocol, what_if};
use crate::engine::trace::Query;
use crate::model::rules::Protocol;
use crate::report::trace_text::render_text;

pub fn run(a: &TraceArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let t = load(&a.file)?;
    let mut proto = protocol(&a.protocol)?;
    if let Some((_, Some(p))) = &a.port {
        let given = protocol(p)?;
        if a.protocol != "tcp" && protocol(&a.protocol)? != given {
            return Err(CliError::usage(
                format!("--port says {p} but --protocol says {}", a.protocol),
                "give the protocol once: `--port 443/udp` or `--port 443 --protocol udp`",
            ));
        }
        proto = given;
    }
    if proto == Protocol::Any {
        return Err(CliError::usage(
            "a trace needs one protocol, not `any`",
            "use tcp, udp, icmp, https or http",
        ));
    }
    let w = what_if(&t, &a.disable)?;
    let q = Query::new(&a.from, &a.to, a.port.as_ref().map(|p| p.0), proto);
    let tr = crate::engine::trace::fix::trace_with_fixes(&t, &q, &w)
        .map_err(|e| CliError::usage(e.message, e.help))?;
    match a.format {
        TextJson::Json => {
            serde_json::to_writer_pretty(&mut *out, &tr).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        TextJson::Text => {
            if !w.is_empty() {
                writeln!(out, "what-if: disabled {}", a.disable.join(", "))?;
            }
            out.write_all(render_text(&tr, color_enabled()).as_bytes())?;
        }
    }
    crate::cli::dispose(t);
    Ok(0)
}
