//! Plain-text rendering of a trace for people (the `trace` command, reports). Colour is the
//! caller's choice: this returns text with optional ANSI styling.
//!
//! Owns: the words and layout of a trace in a terminal. Must never: decide anything, or use a
//! UI crate.

use std::fmt::Write;

use crate::engine::trace::{Check, Trace};
use crate::model::Verdict;
use crate::model::rules::Action;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn verdict(&self, v: Verdict) -> String {
        match v {
            Verdict::Allow => self.paint("1;32", "ALLOW"),
            Verdict::Deny => self.paint("1;31", "DENY"),
            Verdict::NoRoute => self.paint("1;33", "NO ROUTE"),
        }
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
}

fn check_line(c: &Check, st: &Style) -> String {
    let mark = match c.action {
        Action::Allow => st.paint("32", "✓"),
        Action::Deny => st.paint("31", "✗"),
    };
    let mut s = format!("{mark} {} {}", c.rule_set, st.bold(&c.rule));
    if let Some(p) = c.priority {
        let _ = write!(s, " ({p})");
    }
    if let Some(d) = c.direction {
        let _ = write!(s, " {d}");
    }
    if c.return_flow {
        s.push_str(" return traffic");
    }
    let _ = write!(s, " {}", c.action);
    if c.kind != "builtin" {
        let _ = write!(s, " {}", st.dim(&format!("[{}]", c.kind)));
    }
    s
}

/// The trace as text: header, DNS step, hops with their checks, deciding rule, reason, fix,
/// backends.
pub fn render_text(tr: &Trace, color: bool) -> String {
    let st = Style { on: color };
    let mut out = String::new();
    render_into(&mut out, tr, &st, "");
    out
}

fn render_into(out: &mut String, tr: &Trace, st: &Style, indent: &str) {
    let port = tr.port.map(|p| format!("/{p}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}{} → {}  {}{}  {}",
        st.bold(&tr.from),
        st.bold(&tr.to),
        tr.protocol,
        port,
        st.verdict(tr.verdict)
    );
    if let (Some(a), Some(b)) = (&tr.source_zone, &tr.destination_zone) {
        let _ = writeln!(out, "{indent}  zones  {a} → {b}");
    }
    if let Some(d) = &tr.dns {
        let kind = if d.private { "private" } else { "public" };
        let _ = writeln!(out, "{indent}  dns    {} ({kind})", d.note);
    }
    if let Some(pe) = &tr.via_private_endpoint {
        let _ = writeln!(out, "{indent}  via    private endpoint {pe}");
    }
    if !tr.path.is_empty() {
        let _ = writeln!(out, "{indent}  path   {}", tr.path.join(" → "));
    }
    for h in &tr.route_hops {
        let _ = writeln!(
            out,
            "{indent}  route  {}: {} {} → {}",
            h.at, h.route.table, h.route.prefix, h.route.next_hop
        );
    }
    for x in &tr.translations {
        if x.kind == "dnat" {
            let _ = writeln!(
                out,
                "{indent}  nat    {}: destination {} → {} (DNAT rule {})",
                x.at,
                x.from,
                x.to,
                x.rule.as_deref().unwrap_or("?")
            );
        } else {
            let _ = writeln!(
                out,
                "{indent}  nat    {}: source {} → {} (the destination sees {})",
                x.at, x.from, x.to, x.to
            );
        }
    }
    if !tr.checks.is_empty() {
        let _ = writeln!(out, "{indent}  checks");
        let mut last_at = "";
        let mut n = 0;
        for c in &tr.checks {
            if c.at != last_at {
                n += 1;
                let _ = writeln!(out, "{indent}   {n:>2} {}", st.bold(&c.at));
                last_at = &c.at;
            }
            let _ = writeln!(out, "{indent}      {}", check_line(c, st));
        }
    }
    if let Some(d) = &tr.decided_by {
        let prio = d.priority.map(|p| format!(" ({p})")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{indent}  decided by  {} {}{prio} {} at {}",
            d.rule_set,
            st.bold(&d.rule),
            d.action,
            d.at
        );
        if let Some(j) = &d.justification {
            let _ = writeln!(out, "{indent}    justification  {j}");
        }
        if let Some(c) = &d.classification {
            let _ = writeln!(out, "{indent}    classification {c}");
        }
    }
    let _ = writeln!(out, "{indent}  reason {}", tr.reason);
    if let Some(f) = &tr.fix {
        let _ = writeln!(out, "{indent}  fix    {}", st.paint("36", f));
    }
    if let Some(fb) = &tr.fallback {
        let note = if fb.falls_back {
            st.paint("1;31", &fb.note)
        } else {
            fb.note.clone()
        };
        let _ = writeln!(out, "{indent}  fallback {note}");
    }
    if !tr.backends.is_empty() {
        let serving: Vec<&str> = tr
            .backends
            .iter()
            .filter(|b| b.backend.as_ref().is_some_and(|i| i.serving))
            .map(|b| b.to.as_str())
            .collect();
        let mut prios: Vec<u32> = tr
            .backends
            .iter()
            .filter_map(|b| b.backend.as_ref().map(|i| i.priority))
            .collect();
        prios.dedup();
        let order: Vec<String> = prios.iter().map(|p| format!("priority {p}")).collect();
        let now = if serving.is_empty() {
            st.paint("1;31", "none: every backend is down or denied")
        } else {
            serving.join(", ")
        };
        let _ = writeln!(
            out,
            "{indent}  backends ({}), failover order {}; serving now: {now}",
            tr.backends.len(),
            order.join(" → ")
        );
        for b in &tr.backends {
            if let Some(info) = &b.backend {
                let role = if info.disabled {
                    "disabled (what-if)"
                } else if info.serving {
                    "serving"
                } else if b.verdict == Verdict::Allow {
                    "standby: takes over if the group above fails"
                } else {
                    "unreachable"
                };
                let _ = writeln!(
                    out,
                    "{indent}   {} {} priority {}{} {}  {}",
                    if info.serving { "▶" } else { "•" },
                    b.to,
                    info.priority,
                    info.region
                        .as_ref()
                        .map(|r| format!(" in {r}"))
                        .unwrap_or_default(),
                    st.verdict(b.verdict),
                    st.dim(role)
                );
                let sub = format!("{indent}      ");
                if let Some(d) = &b.decided_by {
                    let _ = writeln!(
                        out,
                        "{sub}decided by {} {} ({})",
                        d.rule_set, d.rule, d.action
                    );
                }
                if b.verdict != Verdict::Allow {
                    let _ = writeln!(out, "{sub}reason {}", b.reason);
                }
                let _ = writeln!(out, "{sub}path {}", b.path.join(" → "));
            }
        }
    }
}
