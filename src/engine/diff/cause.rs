//! Which rules make a changed flow change: for a flow the new version opens, the allowing
//! rules of its new trace that its old trace did not allow by; for a flow it closes, the rule
//! that now denies it, and the allowing rules of the old trace the new one lost. When no rule
//! explains it (a route opened or closed it), the file changes of the places on its path, and
//! their changed fields as `ID#FIELD` for an importer's origins to name. Each flow is
//! traced again at the first port of its range (one representative: the range was merged from
//! intervals with the same outcome).
//!
//! Owns: [`Cause`] and [`causes`]. Must never: print, or trace more than two traces per flow.

use serde::Serialize;

use super::{Diff, FlowChange};
use crate::engine::trace::{Check, Query, Trace, WhatIf, trace};
use crate::model::Topology;
use crate::model::rules::Action;

/// opened | closed | new_endpoint
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Denied (or unrouted) before, allowed now.
    Opened,
    /// Allowed before, denied now.
    Closed,
    /// An allowed flow of an endpoint only the new version has.
    NewEndpoint,
}

/// The rules behind one changed flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub effect: Effect,
    /// `SRC → DST PROTO/PORTS`.
    pub flow: String,
    /// `RULE_SET/RULE` of the new version that open (or, closed, deny) the flow.
    pub new_rules: Vec<String>,
    /// `RULE_SET/RULE` of the old version that allowed a closed flow and no longer do.
    pub old_rules: Vec<String>,
    /// When no rule explains it (a route gained or lost: a NAT gateway, a route table, a
    /// peering): the file changes of what the flow passes, in words ("subnet … internet_egress
    /// false → true").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// The changed fields of those places as `ID#FIELD` (`vnet-a/snet-1#internet_egress`): an
    /// importer that knows which resource set a field records its origin under that key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// The file changes of the places a flow passes (its path and the route tables its hops
/// used), in words.
fn changes_on(d: &Diff, traces: [&Trace; 2]) -> (Vec<String>, Vec<String>) {
    let on: std::collections::HashSet<&str> = traces
        .iter()
        .flat_map(|t| {
            t.path
                .iter()
                .map(String::as_str)
                .chain(t.route_hops.iter().map(|h| h.route.table.as_str()))
        })
        .collect();
    let changed: Vec<_> = d
        .changes
        .iter()
        .filter(|c| !matches!(c.kind, "rule" | "rule_set" | "policy" | "topology"))
        .filter(|c| on.contains(c.id.as_str()))
        .collect();
    let fields = changed
        .iter()
        .flat_map(|c| c.fields.iter().map(|f| format!("{}#{}", c.id, f.field)))
        .collect();
    (changed.iter().map(|c| c.text.clone()).collect(), fields)
}

fn rule_of(c: &Check) -> Option<String> {
    c.is_rule().then(|| format!("{}/{}", c.rule_set, c.rule))
}

fn allows(tr: &Trace) -> Vec<String> {
    tr.checks
        .iter()
        .filter(|c| c.action == Action::Allow)
        .filter_map(rule_of)
        .collect()
}

fn flow_text(from: &str, to: &str, proto: &str, ports: &str) -> String {
    if ports.is_empty() {
        format!("{from} → {to} {proto}")
    } else {
        format!("{from} → {to} {proto}/{ports}")
    }
}

fn retrace(t: &Topology, f: &FlowChange) -> Option<Trace> {
    let q = Query::new(&f.from, &f.to, f.port_from, f.protocol);
    trace(t, &q, &WhatIf::default()).ok()
}

/// The rules behind each flow that changed verdict, and behind each allowed flow of a new
/// endpoint (its deciding rule).
pub fn causes(old: &Topology, new: &Topology, d: &Diff) -> Vec<Cause> {
    let mut out = Vec::new();
    for f in &d.flows {
        let (Some(a), Some(b)) = (retrace(old, f), retrace(new, f)) else {
            continue;
        };
        let flow = flow_text(&f.from, &f.to, f.protocol.as_str(), &f.ports);
        let (was, now) = (allows(&a), allows(&b));
        if b.allowed() && !a.allowed() {
            let mut opened: Vec<String> =
                now.iter().filter(|r| !was.contains(r)).cloned().collect();
            // No rule that allows it is new: a route opened it (or a rule that stopped denying).
            let (changes, fields) = if opened.is_empty() {
                changes_on(d, [&a, &b])
            } else {
                (Vec::new(), Vec::new())
            };
            if opened.is_empty() && changes.is_empty() {
                opened.clone_from(&now);
            }
            out.push(Cause {
                effect: Effect::Opened,
                flow,
                new_rules: opened,
                old_rules: Vec::new(),
                changes,
                fields,
            });
        } else if a.allowed() && !b.allowed() {
            let (changes, fields) = if b.decided_by.is_none() {
                changes_on(d, [&a, &b])
            } else {
                (Vec::new(), Vec::new())
            };
            out.push(Cause {
                effect: Effect::Closed,
                flow,
                new_rules: b
                    .decided_by
                    .iter()
                    .map(|r| format!("{}/{}", r.rule_set, r.rule))
                    .collect(),
                old_rules: was.iter().filter(|r| !now.contains(r)).cloned().collect(),
                changes,
                fields,
            });
        }
    }
    for f in &d.new_endpoint_flows {
        out.push(Cause {
            effect: Effect::NewEndpoint,
            flow: flow_text(&f.from, &f.to, f.protocol.as_str(), &f.ports),
            new_rules: f.decided_by.iter().map(ToString::to_string).collect(),
            old_rules: Vec::new(),
            changes: Vec::new(),
            fields: Vec::new(),
        });
    }
    out
}
