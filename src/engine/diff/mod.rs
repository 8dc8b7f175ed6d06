//! `diff OLD NEW`: what changed in the file, field by field, and which flows changed verdict.
//!
//! The file changes compare the two [`ModelView`]s entity by entity (by id). The flow changes
//! trace every endpoint pair present in both versions (and the internet, as a source and as a
//! destination) over every port interval in which no
//! rule boundary or listening-port boundary falls, so one representative port per interval is
//! exact; adjacent intervals with the same change are merged into one port range. When that is
//! more than [`MAX_FLOWS`] traces, the reachability engine ([`exact::Engine`]) still compares
//! every pair exactly on TCP and UDP ports and routes (one pair per pair of endpoint groups alike
//! in both versions), and the pairs it finds changed are traced first.
//!
//! Owns: [`Diff`], [`diff`] and the file changes (here), the flow changes ([`flows`]); the text
//! is `report::diff`'s. Must never: print or write, or trace without a bound (it caps pairs ×
//! intervals and says so).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::engine::trace::Trace;
use crate::model::rules::{PortSet, Protocol, RuleRef};
use crate::model::view::ModelView;
use crate::model::{Topology, Verdict};

pub mod cause;
mod flows;

use flows::{endpoint_flows, flow_changes, port_intervals};

/// At most this many (endpoint pair × port interval × protocol) combinations are traced.
pub const MAX_FLOWS: usize = 100_000;

/// added | removed | changed
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Added,
    Removed,
    Changed,
}

/// One field of an entity that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// One entity added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub op: Op,
    /// zone, network, subnet, endpoint, peering, rule_set, rule, policy, dns, service_tag,
    /// expect, topology
    pub kind: &'static str,
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// In words: "rule nsg-data/allow-app priority 200 → 300".
    pub text: String,
}

/// A rule's `RULE_SET/RULE` name, the key diffs compare rules by.
pub(crate) fn rule_key(r: Option<&RuleRef>) -> Option<(&str, &str)> {
    r.map(|r| (r.rule_set.as_str(), r.rule.as_str()))
}

/// What a flow did in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The deciding rule in the one shape every JSON output gives it (`trace`'s
    /// `decided_by`, SPEC §4), or `None` for `no_route`.
    pub decided_by: Option<RuleRef>,
    pub reason: String,
}

impl Outcome {
    fn of(tr: &Trace) -> Self {
        Outcome {
            verdict: tr.verdict,
            decided_by: tr.decided_by.clone(),
            reason: tr.reason.clone(),
        }
    }

    /// Whether two outcomes are the same verdict by the same rule (`RULE_SET/RULE`; a changed
    /// justification alone is not a behaviour change).
    pub fn same(&self, other: &Outcome) -> bool {
        self.verdict == other.verdict
            && rule_key(self.decided_by.as_ref()) == rule_key(other.decided_by.as_ref())
    }

    pub fn short(&self) -> String {
        match &self.decided_by {
            Some(d) => format!("{} ({d})", self.verdict),
            None => self.verdict.to_string(),
        }
    }
}

/// A flow whose verdict (or deciding rule) differs between the versions, over a port range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowChange {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    /// `443`, `1024-5431`, `*`; empty for ICMP.
    pub ports: String,
    pub port_from: Option<u16>,
    pub port_to: Option<u16>,
    pub old: Outcome,
    pub new: Outcome,
}

/// An allowed flow to or from an endpoint that exists in one version only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointFlow {
    pub from: String,
    pub to: String,
    pub protocol: Protocol,
    /// `443`, `1024-5431`, `*`; empty for ICMP.
    pub ports: String,
    pub port_from: Option<u16>,
    pub port_to: Option<u16>,
    /// The rule that decides (the last allowing rule), in the one shape of `decided_by`.
    pub decided_by: Option<RuleRef>,
}

/// How much was traced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub sources: usize,
    pub destinations: usize,
    pub pairs: usize,
    pub pairs_checked: usize,
    pub port_intervals: usize,
    pub protocols: Vec<Protocol>,
    pub traces: usize,
    pub capped: bool,
    /// When capped: the endpoint pairs whose reach (TCP and UDP, every port, or the route)
    /// differs, found exactly over every pair by the reachability engine; those are traced
    /// first. `None` when every pair was traced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs_changed: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Everything `diff` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub old: String,
    pub new: String,
    /// A flow changed verdict (exit 1).
    pub behaviour_changed: bool,
    pub changes: Vec<Change>,
    /// Flows whose verdict changed.
    pub flows: Vec<FlowChange>,
    /// Flows with the same verdict but another deciding rule.
    pub decided_by_changes: Vec<FlowChange>,
    /// Allowed flows to or from endpoints that only NEW has (drift: a new service is reachable).
    pub new_endpoint_flows: Vec<EndpointFlow>,
    /// Allowed flows to or from endpoints that only OLD had (they are gone).
    pub removed_endpoint_flows: Vec<EndpointFlow>,
    pub coverage: Coverage,
}

// ---------------------------------------------------------------------------------------------
// File changes

fn fmt_value(v: &Value) -> String {
    match v {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "[]".to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| match x {
                    Value::Array(inner) => {
                        inner.iter().map(fmt_value).collect::<Vec<_>>().join("=")
                    }
                    Value::Object(o) => o
                        .values()
                        .filter(|v| !v.is_null())
                        .map(fmt_value)
                        .collect::<Vec<_>>()
                        .join(":"),
                    other => fmt_value(other),
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(_) => v.to_string(),
    }
}

/// An entity as (id, fields), fields in declaration order minus `skip`.
fn entity<T: Serialize>(id: String, v: &T, skip: &[&str]) -> (String, Vec<(String, Value)>) {
    let fields = match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m
            .into_iter()
            .filter(|(k, _)| k != "id" && !skip.contains(&k.as_str()))
            .collect(),
        _ => Vec::new(),
    };
    (id, fields)
}

type Entities = Vec<(String, Vec<(String, Value)>)>;

fn summary_of(fields: &[(String, Value)], keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            fields
                .iter()
                .find(|(f, _)| f == k)
                .filter(|(_, v)| !v.is_null() && *v != Value::Array(Vec::new()))
                .map(|(f, v)| format!("{f} {}", fmt_value(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn compare(
    kind: &'static str,
    label: &str,
    old: &Entities,
    new: &Entities,
    keys: &[&str],
    out: &mut Vec<Change>,
) {
    let old_ids: BTreeSet<&str> = old.iter().map(|(i, _)| i.as_str()).collect();
    let new_ids: BTreeSet<&str> = new.iter().map(|(i, _)| i.as_str()).collect();
    for (id, fields) in old {
        if !new_ids.contains(id.as_str()) {
            out.push(Change {
                op: Op::Removed,
                kind,
                id: id.clone(),
                fields: Vec::new(),
                text: format!("{label} {id} removed{}", summary_of(fields, keys)),
            });
        }
    }
    for (id, fields) in new {
        if !old_ids.contains(id.as_str()) {
            out.push(Change {
                op: Op::Added,
                kind,
                id: id.clone(),
                fields: Vec::new(),
                text: format!("{label} {id} added{}", summary_of(fields, keys)),
            });
            continue;
        }
        let Some((_, before)) = old.iter().find(|(i, _)| i == id) else {
            continue;
        };
        let mut fc = Vec::new();
        for (k, nv) in fields {
            let ov = before
                .iter()
                .find(|(f, _)| f == k)
                .map_or(Value::Null, |(_, v)| v.clone());
            if ov != *nv {
                fc.push(FieldChange {
                    field: k.clone(),
                    old: fmt_value(&ov),
                    new: fmt_value(nv),
                });
            }
        }
        if !fc.is_empty() {
            let what: Vec<String> = fc
                .iter()
                .map(|f| format!("{} {} → {}", f.field, f.old, f.new))
                .collect();
            out.push(Change {
                op: Op::Changed,
                kind,
                id: id.clone(),
                text: format!("{label} {id} {}", what.join(", ")),
                fields: fc,
            });
        }
    }
}

struct Views {
    zones: Entities,
    networks: Entities,
    subnets: Entities,
    endpoints: Entities,
    peerings: Entities,
    rule_sets: Entities,
    rules: Entities,
    policies: Entities,
    dns: Entities,
    tags: Entities,
    expect: Entities,
    top: Entities,
}

fn views(t: &Topology) -> Views {
    let m = ModelView::of(t);
    let mut subnets = Vec::new();
    for n in &m.networks {
        for s in &n.subnets {
            subnets.push(entity(s.id.clone(), s, &[]));
        }
    }
    let mut rules = Vec::new();
    for rs in &m.rule_sets {
        for r in &rs.rules {
            rules.push(entity(format!("{}/{}", rs.id, r.id), r, &[]));
        }
    }
    Views {
        zones: m
            .zones
            .iter()
            .map(|z| entity(z.id.clone(), z, &[]))
            .collect(),
        networks: m
            .networks
            .iter()
            .map(|n| entity(n.id.clone(), n, &["subnets"]))
            .collect(),
        subnets,
        endpoints: m
            .endpoints
            .iter()
            .map(|e| entity(e.id.clone(), e, &[]))
            .collect(),
        peerings: m
            .peerings
            .iter()
            .map(|p| {
                let (a, b) = if p.a <= p.b {
                    (&p.a, &p.b)
                } else {
                    (&p.b, &p.a)
                };
                entity(format!("{a} <-> {b}"), p, &["a", "b"])
            })
            .collect(),
        rule_sets: m
            .rule_sets
            .iter()
            .map(|r| entity(r.id.clone(), r, &["rules"]))
            .collect(),
        rules,
        policies: m
            .policies
            .iter()
            .map(|r| entity(r.id.clone(), r, &[]))
            .collect(),
        dns: m
            .dns
            .iter()
            .map(|d| entity(d.zone.clone(), d, &["zone"]))
            .collect(),
        tags: m
            .service_tags
            .iter()
            .map(|s| entity(s.name.clone(), s, &["name"]))
            .collect(),
        expect: m
            .expect
            .iter()
            .map(|x| entity(x.name.clone(), x, &["name"]))
            .collect(),
        top: vec![entity(
            "topology".to_string(),
            &serde_json::json!({ "name": m.name, "description": m.description }),
            &[],
        )],
    }
}

/// The changes to the file, entity by entity and field by field.
pub fn file_changes(old: &Topology, new: &Topology) -> Vec<Change> {
    let (a, b) = (views(old), views(new));
    let mut out = Vec::new();
    compare("topology", "the", &a.top, &b.top, &[], &mut out);
    compare("zone", "zone", &a.zones, &b.zones, &[], &mut out);
    compare(
        "network",
        "network",
        &a.networks,
        &b.networks,
        &["region", "cidr", "role"],
        &mut out,
    );
    compare(
        "subnet",
        "subnet",
        &a.subnets,
        &b.subnets,
        &["network", "cidr", "zone"],
        &mut out,
    );
    compare(
        "endpoint",
        "endpoint",
        &a.endpoints,
        &b.endpoints,
        &["kind", "subnet", "zone", "ip", "ports"],
        &mut out,
    );
    compare(
        "peering",
        "peering",
        &a.peerings,
        &b.peerings,
        &[],
        &mut out,
    );
    compare(
        "rule_set",
        "rule set",
        &a.rule_sets,
        &b.rule_sets,
        &["kind"],
        &mut out,
    );
    let rule_keys = [
        "priority",
        "direction",
        "action",
        "protocol",
        "source",
        "destination",
        "ports",
    ];
    compare("rule", "rule", &a.rules, &b.rules, &rule_keys, &mut out);
    compare(
        "policy",
        "policy",
        &a.policies,
        &b.policies,
        &rule_keys,
        &mut out,
    );
    compare("dns", "DNS zone", &a.dns, &b.dns, &["linked"], &mut out);
    compare(
        "service_tag",
        "service tag",
        &a.tags,
        &b.tags,
        &["cidrs"],
        &mut out,
    );
    compare(
        "expect",
        "expectation",
        &a.expect,
        &b.expect,
        &["from", "to", "port", "verdict"],
        &mut out,
    );
    out
}

/// Compare two versions of a topology.
pub fn diff(old: &Topology, new: &Topology) -> Diff {
    diff_capped(old, new, MAX_FLOWS)
}

/// [`diff`] with an explicit bound on the flows traced.
pub fn diff_capped(old: &Topology, new: &Topology, max_flows: usize) -> Diff {
    let changes = file_changes(old, new);
    let (flows, decided_by_changes, mut coverage) = flow_changes(old, new, &changes, max_flows);
    let intervals = port_intervals(&[old, new]);
    let (new_endpoint_flows, n1, c1) =
        endpoint_flows(new, old, &intervals, &coverage.protocols, max_flows);
    let (removed_endpoint_flows, n2, c2) =
        endpoint_flows(old, new, &intervals, &coverage.protocols, max_flows);
    coverage.traces += n1 + n2;
    if c1 || c2 {
        coverage.capped = true;
        let n = "capped: the flows of added or removed endpoints were not all traced".to_string();
        coverage.note = Some(match coverage.note.take() {
            Some(m) => format!("{m}; {n}"),
            None => n,
        });
    }
    Diff {
        old: old.file.clone(),
        new: new.file.clone(),
        behaviour_changed: !flows.is_empty()
            || coverage.pairs_changed.is_some_and(|n| n > 0)
            || !new_endpoint_flows.is_empty()
            || !removed_endpoint_flows.is_empty(),
        changes,
        flows,
        decided_by_changes,
        new_endpoint_flows,
        removed_endpoint_flows,
        coverage,
    }
}

/// The port fields of a changed flow: the range as text and its ends; none for ICMP.
fn port_fields(lo: u16, hi: u16, icmp: bool) -> (String, Option<u16>, Option<u16>) {
    if icmp {
        (String::new(), None, None)
    } else {
        (PortSet::range(lo, hi).to_string(), Some(lo), Some(hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    #[test]
    fn intervals_cover_every_port_once() {
        let t = model::load_str(
            "version: 1\nname: t\nzones: [{id: z}]\nnetworks:\n  - {id: n, cidr: 10.0.0.0/16, subnets: [{id: s, cidr: 10.0.1.0/24, zone: z}]}\nendpoints:\n  - {id: a, kind: app, subnet: s, ports: [443, \"8000-8080\"]}\n",
            "t.yaml",
        )
        .unwrap();
        let iv = port_intervals(&[&t]);
        assert_eq!(iv.first(), Some(&(0, 442)));
        assert_eq!(iv.last().map(|x| x.1), Some(65535));
        for w in iv.windows(2) {
            assert_eq!(u32::from(w[0].1) + 1, u32::from(w[1].0));
        }
        assert!(iv.contains(&(443, 443)) && iv.contains(&(8000, 8080)));
    }
}
