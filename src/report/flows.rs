//! The text form of the flow-log report (SPEC §7): counts, drift, broken calls, anomalies,
//! zone pairs, top talkers and unreadable lines.
//!
//! Owns: how a [`FlowReport`] reads on a terminal. Must never: judge a record (the engine does).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

use crate::engine::flows::FlowReport;
use crate::engine::flows::classify::DecidingRule;
use crate::engine::flows::report::{Mismatch, SAMPLE_CAP};
use crate::model::Verdict;

fn bytes_text(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn end_text(addr: IpAddr, port: Option<u16>, name: Option<&str>) -> String {
    let mut s = match addr {
        IpAddr::V6(_) if port.is_some() => format!("[{addr}]"),
        _ => addr.to_string(),
    };
    if let Some(p) = port {
        let _ = write!(s, ":{p}");
    }
    if let Some(n) = name {
        let _ = write!(s, " ({n})");
    }
    s
}

fn rule_text(verdict: Verdict, d: Option<&DecidingRule>) -> String {
    match d {
        None if verdict == Verdict::NoRoute => "no route".to_string(),
        None => "no rule on the path".to_string(),
        Some(d) => {
            let prio = d.priority.map(|p| format!(" ({p})")).unwrap_or_default();
            format!("{} {}{prio} at {}", d.rule_set, d.rule, d.at)
        }
    }
}

fn more(out: &mut dyn Write, total: u64, shown: usize) -> io::Result<()> {
    if total > shown as u64 {
        writeln!(
            out,
            "  … and {} more (--format json lists up to {SAMPLE_CAP})",
            total - shown as u64
        )?;
    }
    Ok(())
}

/// Lines of each list shown in the text report.
const TEXT_SHOWN: usize = 20;

/// Writes the report for people.
pub fn render_text(r: &FlowReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} — flow logs against the design", r.topology)?;
    for f in &r.files {
        writeln!(
            out,
            "  {}: {}{}, {}, {} skipped (NODATA/SKIPDATA), {} unreadable",
            f.file,
            f.format,
            if f.compressed { " (gzip)" } else { "" },
            super::plural(f.records, "record", "records"),
            f.skipped,
            f.unreadable
        )?;
    }
    writeln!(
        out,
        "\n{}: {} judged ({} as the design says, {} drift, {} broken), {}, {} outside the design, {} not judged; {} skipped, {} unreadable",
        super::plural(r.records, "record", "records"),
        r.judged,
        r.consistent,
        r.counts.drift,
        r.counts.broken,
        super::plural(r.replies, "reply", "replies"),
        r.outside,
        r.unjudged,
        r.skipped,
        r.unreadable
    )?;
    writeln!(
        out,
        "anomalies: {} ({} data_zone_egress, {} large_transfer, {} unapproved_endpoint)",
        r.counts.anomalies,
        r.counts.data_zone_egress,
        r.counts.large_transfer,
        r.counts.unapproved_endpoint
    )?;

    if !r.drift.is_empty() {
        writeln!(
            out,
            "\nDRIFT — accepted, but the design denies ({})",
            r.counts.drift
        )?;
        for m in r.drift.iter().take(TEXT_SHOWN) {
            mismatch_text(m, out)?;
        }
        more(out, r.counts.drift, r.drift.len().min(TEXT_SHOWN))?;
    }
    if !r.broken.is_empty() {
        writeln!(
            out,
            "\nBROKEN — rejected, but the design allows ({})",
            r.counts.broken
        )?;
        for m in r.broken.iter().take(TEXT_SHOWN) {
            mismatch_text(m, out)?;
            if !m.path.is_empty() {
                writeln!(out, "      design path: {}", m.path.join(" → "))?;
            }
            if !m.allowed_by.is_empty() {
                let rules: Vec<String> = m
                    .allowed_by
                    .iter()
                    .map(|a| format!("{} {} at {}", a.rule_set, a.rule, a.at))
                    .collect();
                writeln!(out, "      allowed by: {}", rules.join("; "))?;
            }
            writeln!(
                out,
                "      the network does something the design does not: look for a rule or route missing from the file (a NACL, an on-host firewall)"
            )?;
        }
        more(out, r.counts.broken, r.broken.len().min(TEXT_SHOWN))?;
    }
    if !r.anomalies.is_empty() {
        writeln!(out, "\nANOMALIES ({})", r.counts.anomalies)?;
        for a in r.anomalies.iter().take(TEXT_SHOWN) {
            writeln!(
                out,
                "  {}:{}  {:<8} {:<19} {} → {} {} {} {}",
                a.file,
                a.line,
                a.severity,
                a.kind,
                end_text(a.src, None, a.src_name.as_deref()),
                end_text(a.dst, Some(a.port), a.dst_name.as_deref()),
                a.protocol,
                a.observed,
                bytes_text(a.bytes),
            )?;
            writeln!(out, "      {}", a.message)?;
        }
        more(out, r.counts.anomalies, r.anomalies.len().min(TEXT_SHOWN))?;
    }
    if !r.zone_pairs.is_empty() {
        writeln!(out, "\nZONE PAIRS (initiator → responder)")?;
        let w = r
            .zone_pairs
            .iter()
            .map(|p| p.from.len() + p.to.len() + 3)
            .max()
            .unwrap_or(0)
            .max(9);
        writeln!(
            out,
            "  {:<w$}  {:>10}  {:>10}  {:>10}  {:>10}",
            "zones", "records", "accepted", "rejected", "bytes"
        )?;
        for p in &r.zone_pairs {
            let name = format!("{} → {}", p.from, p.to);
            writeln!(
                out,
                "  {name:<w$}  {:>10}  {:>10}  {:>10}  {:>10}",
                p.records,
                p.accepted,
                p.rejected,
                bytes_text(p.bytes)
            )?;
        }
    }
    if !r.top_talkers.is_empty() {
        let approx = if r.talkers_approximate {
            " (approximate)"
        } else {
            ""
        };
        writeln!(out, "\nTOP TALKERS by bytes{approx}")?;
        for t in &r.top_talkers {
            writeln!(
                out,
                "  {:<40} {:<12} {:>18} {:>10}",
                end_text(t.address, None, t.name.as_deref()),
                t.zone,
                super::plural(t.records, "record ", "records"),
                bytes_text(t.bytes)
            )?;
        }
    }
    if !r.unreadable_samples.is_empty() {
        writeln!(out, "\nUNREADABLE ({}; the first shown)", r.unreadable)?;
        for u in &r.unreadable_samples {
            writeln!(out, "  {}:{}: {}", u.file, u.line, u.why)?;
            if !u.text.is_empty() {
                writeln!(out, "      {}", u.text)?;
            }
        }
    }
    writeln!(
        out,
        "\n{} records judged by the engine (a plan per new pair of address classes, or a trace), {} answered from the cache",
        r.cache.traces, r.cache.hits
    )?;
    Ok(())
}

fn mismatch_text(m: &Mismatch, out: &mut dyn Write) -> io::Result<()> {
    let reply = if m.reply { " (reply)" } else { "" };
    writeln!(
        out,
        "  {}:{}  {} → {} {}  {}{reply}, design: {} ({})",
        m.file,
        m.line,
        end_text(m.src, None, m.src_name.as_deref()),
        end_text(m.dst, m.port.filter(|_| !m.reply), m.dst_name.as_deref()),
        m.protocol,
        m.observed.to_uppercase(),
        m.verdict,
        rule_text(m.verdict, m.decided_by.as_ref())
    )?;
    if !m.reason.is_empty() {
        writeln!(out, "      {}", m.reason)?;
    }
    Ok(())
}
