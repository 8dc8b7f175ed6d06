//! `zonescope matrix`: verdicts between zones, subnets or endpoints as text, JSON or CSV.
//!
//! Owns: the matrix command's output. Must never: trace (the engine does).

use std::io::Write;

use crate::cli::args::{MatrixArgs, MatrixBy, MatrixFormat};
use crate::cli::{CliError, load, protocol, what_if};
use crate::engine::matrix::{By, matrix};

pub fn run(a: &MatrixArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let t = load(&a.file)?;
    let proto = protocol(&a.protocol)?;
    let by = match a.by {
        MatrixBy::Zone => By::Zone,
        MatrixBy::Subnet => By::Subnet,
        MatrixBy::Endpoint => By::Endpoint,
    };
    let w = what_if(&t, &a.disable)?;
    let mut m = matrix(&t, by, a.port, proto, &w).map_err(|e| {
        CliError::usage(
            e.message,
            "`zonescope trace FILE --from SRC --to DST --port P` answers one flow at any size",
        )
    })?;
    m.disabled.clone_from(&a.disable);
    match a.format {
        MatrixFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &m).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        MatrixFormat::Csv => {
            write!(out, "from\\to")?;
            for c in &m.columns {
                write!(out, ",{}", csv_field(c))?;
            }
            writeln!(out)?;
            for (ri, r) in m.rows.iter().enumerate() {
                write!(out, "{}", csv_field(r))?;
                for ci in 0..m.columns.len() {
                    let cell = &m.cells[ri * m.columns.len() + ci];
                    write!(out, ",{}", cell.summary)?;
                }
                writeln!(out)?;
            }
        }
        MatrixFormat::Text => {
            let cols = m.columns.len();
            let texts: Vec<String> = m
                .cells
                .iter()
                .map(|cell| match cell.summary.as_str() {
                    "partial" => format!(
                        "{}/{}",
                        cell.allowed,
                        cell.allowed + cell.denied + cell.no_route
                    ),
                    s => s.to_string(),
                })
                .collect();
            let w0 = m.rows.iter().map(String::len).max().unwrap_or(4).max(8);
            let cw: Vec<usize> = m
                .columns
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let widest = texts.iter().skip(ci).step_by(cols.max(1)).map(String::len);
                    widest.max().unwrap_or(0).max(c.len()).max(8)
                })
                .collect();
            let flow = if m.protocol.has_ports() {
                format!("{}/{}", m.protocol, m.port)
            } else {
                m.protocol.to_string()
            };
            writeln!(out, "{} on {flow} (rows: from, columns: to)", t.name)?;
            if !w.is_empty() {
                writeln!(out, "what-if: disabled {}", a.disable.join(", "))?;
            }
            write!(out, "{:w0$}", "")?;
            for (c, w) in m.columns.iter().zip(&cw) {
                write!(out, "  {c:>w$}")?;
            }
            writeln!(out)?;
            for (ri, r) in m.rows.iter().enumerate() {
                write!(out, "{r:w0$}")?;
                for (ci, w) in cw.iter().enumerate() {
                    let text = &texts[ri * cols + ci];
                    write!(out, "  {text:>w$}")?;
                }
                writeln!(out)?;
            }
            writeln!(
                out,
                "\nallow = every flow allowed; n/m = n of m allowed; deny / no_route = none; - = no flows"
            )?;
            writeln!(
                out,
                "\nexact ports, all 65,536 of each transport (some endpoint of the row reaches some endpoint of the column):"
            )?;
            for cell in &m.cells {
                let tcp = cell.tcp_ports.as_deref().unwrap_or("none");
                let udp = cell.udp_ports.as_deref().unwrap_or("none");
                if tcp != "none" || udp != "none" {
                    writeln!(out, "  {} -> {}: tcp/{tcp} udp/{udp}", cell.from, cell.to)?;
                }
            }
        }
    }
    crate::cli::dispose(t);
    Ok(0)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
