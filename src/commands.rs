//! What each subcommand does: load, compute with the core, and write the output (text, JSON,
//! CSV) to the writer it is given.
//!
//! Owns: output formats of the command line and exit codes. Must never: exit the process or
//! print error reports (`main` does both), or write anywhere but the given writer.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::check::{self, Report, Severity};
use crate::cli::{
    CheckArgs, CheckFormat, Command, GenArgs, MatrixArgs, MatrixBy, MatrixFormat, TextJson,
    TraceArgs,
};
use crate::policy::Protocol;
use crate::topology::{self, LoadError, Topology};
use crate::trace::matrix::{By, matrix};
use crate::trace::{Query, WhatIf, render_text};

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

fn load(path: &Path) -> Result<Topology, CliError> {
    Ok(topology::load(path)?)
}

fn protocol(s: &str) -> Result<Protocol, CliError> {
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
        Command::Trace(a) => run_trace(a, out),
        Command::Check(a) => run_check(a, out),
        Command::Matrix(a) => run_matrix(a, out),
        Command::Gen(a) => run_gen(a, out),
        Command::Diff(a) => crate::diff::run(a, out),
        Command::Export(a) => crate::export::run(a, out),
        Command::Flows(a) => crate::flows::run_flows(a, out),
        Command::Schema => {
            out.write_all(topology::schema_json().as_bytes())?;
            Ok(0)
        }
        Command::Explore(a) => crate::tui::run(a),
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "zonescope", out);
            Ok(0)
        }
        Command::Man => {
            let cmd = <crate::cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(out)?;
            Ok(0)
        }
    }
}

fn run_trace(a: &TraceArgs, out: &mut dyn Write) -> Result<u8, CliError> {
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
    let tr = crate::trace::fix::trace_with_fixes(&t, &q, &w)
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
    Ok(0)
}

fn run_check(a: &CheckArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let threshold = Severity::parse(&a.severity).ok_or_else(|| {
        CliError::usage(
            format!("`{}` is not a severity", a.severity),
            "use info, warning or error",
        )
    })?;
    let t = load(&a.file)?;
    let report = check::review(&t);
    match a.format {
        CheckFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        CheckFormat::Sarif => {
            let sarif = crate::check::sarif::to_sarif(&t, &report);
            serde_json::to_writer_pretty(&mut *out, &sarif).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        CheckFormat::Text => write_check_text(&t, &report, threshold, out)?,
    }
    Ok(u8::from(report.fails(threshold)))
}

fn write_check_text(
    t: &Topology,
    r: &Report,
    threshold: Severity,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let color = color_enabled();
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    writeln!(
        out,
        "{} — {}, {}, {}, {}: valid",
        t.name,
        count(t.networks().len(), "network"),
        count(t.subnets().len(), "subnet"),
        count(t.endpoints().len(), "endpoint"),
        count(t.rule_sets().len(), "rule set")
    )?;
    for sev in [Severity::Error, Severity::Warning, Severity::Info] {
        let group: Vec<_> = r.findings.iter().filter(|f| f.severity == sev).collect();
        if group.is_empty() {
            continue;
        }
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;34",
        };
        writeln!(
            out,
            "\n{} ({})",
            paint(code, &sev.as_str().to_uppercase()),
            group.len()
        )?;
        for f in group {
            writeln!(
                out,
                "  {}:{} [{}] {}",
                f.location.file, f.location.line, f.id, f.message
            )?;
            if let Some(tr) = &f.evidence {
                writeln!(
                    out,
                    "      evidence: {}",
                    crate::check::reach::evidence_line(tr)
                )?;
            }
            if let Some(fix) = &f.fix {
                writeln!(out, "      fix: {fix}")?;
            }
        }
    }
    if !r.expectations.is_empty() {
        writeln!(out, "\nexpectations")?;
        for e in &r.expectations {
            let mark = if e.passed {
                paint("32", "✓ pass")
            } else {
                paint("31", "✗ FAIL")
            };
            let port = e.port.map(|p| format!(":{p}")).unwrap_or_default();
            writeln!(
                out,
                "  {mark}  {}  ({} -> {}{port}/{}: {})",
                e.name, e.from, e.to, e.protocol, e.actual
            )?;
            if let Some(f) = &e.failure {
                writeln!(
                    out,
                    "          {}:{}: {f}",
                    e.location.file, e.location.line
                )?;
            }
        }
    }
    let errors = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let infos = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .count();
    let failed = r.expectations.iter().filter(|e| !e.passed).count();
    let passed = r.expectations.len() - failed;
    let verdict = if r.fails(threshold) {
        paint("1;31", "FAILED")
    } else {
        paint("1;32", "OK")
    };
    writeln!(
        out,
        "\n{verdict}: {errors} error(s), {warnings} warning(s), {infos} info; expectations {passed} passed, {failed} failed (failing at {} and above)",
        threshold.as_str()
    )?;
    Ok(())
}

/// The what-if of `--disable ID…`.
fn what_if(t: &Topology, disable: &[String]) -> Result<WhatIf, CliError> {
    let mut w = WhatIf::default();
    for d in disable {
        w.disable(t, d).map_err(|e| {
            // The engine's text ends with the hint: print it once, as the hint.
            let hint = "name an endpoint, network, region, peering (A<->B) or rule (SET/RULE)";
            let msg = e.split_once(": disable ").map_or(e.as_str(), |(m, _)| m);
            CliError::usage(format!("--disable {d}: {msg}"), hint)
        })?;
    }
    Ok(w)
}

fn run_matrix(a: &MatrixArgs, out: &mut dyn Write) -> Result<u8, CliError> {
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
            e,
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
    Ok(0)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn run_gen(a: &GenArgs, out: &mut dyn Write) -> Result<u8, CliError> {
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
    let (text, stats) = generate_with_stats(&p);
    match &a.output {
        Some(path) => {
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
        None => out.write_all(text.as_bytes())?,
    }
    Ok(0)
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

/// `1 network`, `2 networks`.
fn count(n: impl TryInto<u64>, one: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}
