//! The text form of a diff: the file's changes field by field, then the flows that changed.
//!
//! Owns: how a [`Diff`] reads on a terminal. Must never: compare designs (the engine does).

use std::fmt::Write as _;

use crate::engine::diff::{Diff, FlowChange, Op};

fn flow_line(f: &FlowChange) -> String {
    let port = if f.ports.is_empty() {
        String::new()
    } else {
        format!("/{}", f.ports)
    };
    format!(
        "{} → {}  {}{port}  {} → {}",
        f.from,
        f.to,
        f.protocol,
        f.old.short(),
        f.new.short()
    )
}

/// The text lists at most this many same-verdict, other-rule changes (JSON lists them all).
const MAX_TEXT_RULE_CHANGES: usize = 20;

/// The text lists at most this many verdict changes (JSON lists them all).
const MAX_TEXT_FLOWS: usize = 200;

/// The diff as text for people.
pub fn render_text(d: &Diff) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "diff {} → {}", d.old, d.new);
    if d.changes.is_empty() {
        let _ = writeln!(s, "\nfile: no change");
    } else {
        let _ = writeln!(s, "\nfile changes ({})", d.changes.len());
        for c in &d.changes {
            let mark = match c.op {
                Op::Added => '+',
                Op::Removed => '-',
                Op::Changed => '~',
            };
            let _ = writeln!(s, "  {mark} {}", c.text);
        }
    }
    let c = &d.coverage;
    let protos: Vec<&str> = c.protocols.iter().map(|p| p.as_str()).collect();
    let _ = writeln!(
        s,
        "\nflows: {} × {} ({}), {}",
        super::plural(c.pairs_checked, "endpoint pair", "endpoint pairs"),
        super::plural(c.port_intervals, "port interval", "port intervals"),
        protos.join(", "),
        super::plural(c.traces, "trace", "traces")
    );
    if let Some(n) = &c.note {
        let _ = writeln!(s, "  WARNING: {n}");
    }
    if d.flows.is_empty() {
        let among = if c.capped { " among those traced" } else { "" };
        let _ = writeln!(s, "  no flow changed verdict{among}");
    } else {
        let _ = writeln!(s, "\nflows that changed verdict ({})", d.flows.len());
        for f in d.flows.iter().take(MAX_TEXT_FLOWS) {
            let _ = writeln!(s, "  {}", flow_line(f));
            let _ = writeln!(s, "      now: {}", f.new.reason);
        }
        if d.flows.len() > MAX_TEXT_FLOWS {
            let _ = writeln!(
                s,
                "  … and {} more (all of them with --format json)",
                d.flows.len() - MAX_TEXT_FLOWS
            );
        }
    }
    for (title, list) in [
        ("allowed flows of new endpoints", &d.new_endpoint_flows),
        (
            "allowed flows of removed endpoints (now gone)",
            &d.removed_endpoint_flows,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title} ({})", list.len());
        for f in list {
            let port = if f.ports.is_empty() {
                String::new()
            } else {
                format!("/{}", f.ports)
            };
            let by = f
                .decided_by
                .as_ref()
                .map(|b| format!(" ({b})"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  {} → {}  {}{port}  allow{by}",
                f.from, f.to, f.protocol
            );
        }
    }
    if !d.decided_by_changes.is_empty() {
        let _ = writeln!(
            s,
            "\nsame verdict, another deciding rule ({})",
            d.decided_by_changes.len()
        );
        for f in d.decided_by_changes.iter().take(MAX_TEXT_RULE_CHANGES) {
            let _ = writeln!(s, "  {}", flow_line(f));
        }
        if d.decided_by_changes.len() > MAX_TEXT_RULE_CHANGES {
            let _ = writeln!(
                s,
                "  … and {} more (all of them with --format json)",
                d.decided_by_changes.len() - MAX_TEXT_RULE_CHANGES
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{}",
        if d.behaviour_changed {
            "BEHAVIOUR CHANGED"
        } else {
            "no behaviour change"
        }
    );
    s
}

/// The resources behind the changed flows, for imported inputs: `internet → web tcp/22 opened
/// by aws_security_group_rule.ssh (sg-1/in-tcp-22)`. `locate(rule, new)` names a rule's
/// resource, when it has one; flows with none are left to the list above.
pub fn render_causes(
    causes: &[crate::engine::diff::cause::Cause],
    locate: &dyn Fn(&str, bool) -> Option<String>,
) -> String {
    use crate::engine::diff::cause::Effect;
    let mut lines = Vec::new();
    for c in causes {
        let verb = match c.effect {
            Effect::Opened => "opened",
            Effect::Closed => "closed",
            Effect::NewEndpoint => "allowed",
        };
        let named: Vec<String> = c
            .new_rules
            .iter()
            .map(|r| (r, true))
            .chain(c.old_rules.iter().map(|r| (r, false)))
            .filter_map(|(r, new)| locate(r, new).map(|res| format!("{res} ({r})")))
            .collect();
        if !named.is_empty() {
            lines.push(format!("  {} {verb} by {}", c.flow, named.join(", ")));
        }
        if !c.changes.is_empty() {
            // A route (not a rule) made the difference: the resources that set the changed
            // fields, when the importer knows them, and the change of the file in words.
            let mut by: Vec<String> = c
                .fields
                .iter()
                .filter_map(|k| locate(k, true).or_else(|| locate(k, false)))
                .collect();
            by.dedup();
            let what = c.changes.join("; ");
            lines.push(if by.is_empty() {
                format!("  {} {verb} by the change: {what}", c.flow)
            } else {
                format!("  {} {verb} by {} ({what})", c.flow, by.join(", "))
            });
        }
    }
    if lines.is_empty() {
        return String::new();
    }
    let mut s = format!("\nresources behind the changed flows ({})\n", lines.len());
    for l in lines {
        s.push_str(&l);
        s.push('\n');
    }
    s
}

/// The values the new version (a plan) knows only after apply, as (where, what): listed so a
/// reviewer knows what the diff could not judge.
pub fn render_unknown(list: &[(String, String)]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "\nknown only after apply: not judged ({}); what they would open or close is not in the flows above\n",
        list.len()
    );
    for (at, msg) in list {
        let _ = writeln!(s, "  - {msg}  [{at}]");
    }
    s
}
