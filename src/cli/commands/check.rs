//! `zonescope check`: findings and expectations as text, JSON or SARIF; exit 1 on errors.
//!
//! Owns: the check command's text output. Must never: compute a finding (the engine does).

use std::io::Write;

use crate::cli::args::{CheckArgs, CheckFormat};
use crate::cli::color_enabled;
use crate::cli::{CliError, count};
use crate::engine::check::{self, Report, Severity};
use crate::model::Topology;

pub fn run(a: &CheckArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let threshold = Severity::parse(&a.severity).ok_or_else(|| {
        CliError::usage(
            format!("`{}` is not a severity", a.severity),
            "use info, warning or error",
        )
    })?;
    // A cloud export is imported on the way; what the import left out or assumed is listed
    // first (SPEC §12: `import` and `check` list each unsupported resource or field).
    let (t, imported) = crate::import::load_any(&a.file)?;
    let report = check::review(&t);
    if let (Some(r), CheckFormat::Text) = (&imported, a.format) {
        write!(out, "{}", crate::cli::commands::import::summary_text(r))?;
    }
    match a.format {
        CheckFormat::Json => {
            let mut v = serde_json::to_value(&report).map_err(std::io::Error::from)?;
            // An imported input: what the import left out or assumed, with its file and JSON
            // path (SPEC §12), and what it read.
            if let (Some(r), Some(obj)) = (&imported, v.as_object_mut()) {
                obj.insert(
                    "import".to_string(),
                    serde_json::json!({
                        "counts": r.counts,
                        "files": r.files,
                        "findings": r.findings,
                    }),
                );
            }
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        CheckFormat::Sarif => {
            let mut sarif = crate::report::sarif::to_sarif(&t, &report);
            if let Some(r) = &imported {
                crate::report::sarif::add_import_findings(&mut sarif, &r.findings);
            }
            serde_json::to_writer_pretty(&mut *out, &sarif).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        CheckFormat::Text => write_check_text(&t, &report, threshold, out)?,
    }
    let code = u8::from(report.fails(threshold));
    crate::cli::dispose(t);
    Ok(code)
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
                    crate::engine::check::reach::evidence_line(tr)
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
        "\n{verdict}: {}, {}, {infos} info; expectations {passed} passed, {failed} failed (failing at {} and above)",
        crate::report::plural(errors, "error", "errors"),
        crate::report::plural(warnings, "warning", "warnings"),
        threshold.as_str()
    )?;
    Ok(())
}
