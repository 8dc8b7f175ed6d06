//! `diff OLD NEW`: what changed in the file, field by field, and which flows changed verdict.
//!
//! The file changes compare the two [`ModelView`]s entity by entity (by id). The flow changes
//! trace every endpoint pair present in both versions over every port interval in which no
//! rule boundary or listening-port boundary falls, so one representative port per interval is
//! exact; adjacent intervals with the same change are merged into one port range. When that is
//! more than [`MAX_FLOWS`] traces, the reachability engine ([`exact::Engine`]) still compares
//! every pair exactly on TCP and UDP ports and routes (one pair per pair of endpoint groups alike
//! in both versions), and the pairs it finds changed are traced first.
//!
//! Owns: [`Diff`], [`diff`], its text rendering and [`run`]. Must never: write anywhere but the
//! writer it is given, or trace without a bound (it caps pairs × intervals and says so).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::engine::policy::Party;
use crate::engine::reach::{self as exact, Engine, Target, src_party};
use crate::engine::trace::{Query, Trace, WhatIf, trace};
use crate::model::rules::{PortSet, Protocol};
use crate::model::view::ModelView;
use crate::model::{EpIx, Kind, Topology, Verdict};

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

/// What a flow did in one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// `RULE_SET/RULE`, or `None` for `no_route`.
    pub decided_by: Option<String>,
    pub reason: String,
}

impl Outcome {
    fn of(tr: &Trace) -> Self {
        Outcome {
            verdict: tr.verdict,
            decided_by: tr
                .decided_by
                .as_ref()
                .map(ToString::to_string),
            reason: tr.reason.clone(),
        }
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
    /// `RULE_SET/RULE` that decides (the last allowing rule).
    pub decided_by: Option<String>,
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

// ---------------------------------------------------------------------------------------------
// Flow changes

fn all_rule_sets(t: &Topology) -> impl Iterator<Item = &crate::model::rules::RuleSet> {
    t.rule_sets().iter().chain(t.zone_policy())
}

/// Cut points: each interval `[cut[i], cut[i+1] - 1]` has no rule or listener boundary inside.
fn port_intervals(ts: &[&Topology]) -> Vec<(u16, u16)> {
    let mut cuts: BTreeSet<u32> = BTreeSet::new();
    cuts.insert(0);
    let mut add = |ps: &PortSet| {
        for &(a, b) in ps.ranges() {
            cuts.insert(u32::from(a));
            cuts.insert(u32::from(b) + 1);
        }
    };
    for t in ts {
        for rs in all_rule_sets(t) {
            for r in &rs.rules {
                add(&r.ports);
            }
        }
        for e in t.endpoints() {
            if let Some(p) = &e.ports {
                add(p);
            }
        }
    }
    let v: Vec<u32> = cuts.into_iter().filter(|c| *c <= 65536).collect();
    let mut out = Vec::new();
    for (i, &lo) in v.iter().enumerate() {
        let hi = v.get(i + 1).map_or(65535, |n| n - 1);
        if lo <= 65535 {
            out.push((lo as u16, hi as u16));
        }
    }
    out
}

fn protocols(ts: &[&Topology]) -> Vec<Protocol> {
    let mut out = vec![Protocol::Tcp];
    for p in [Protocol::Udp, Protocol::Icmp] {
        if ts.iter().any(|t| {
            all_rule_sets(t).any(|rs| rs.rules.iter().any(|r| !r.default_rule && r.protocol == p))
        }) {
            out.push(p);
        }
    }
    out
}

fn is_source(t: &Topology, id: &str) -> bool {
    t.endpoint_ix(id)
        .map(|e| t.endpoint(e))
        .is_some_and(|e| e.subnet.is_some() && e.kind != Kind::PrivateEndpoint)
}

fn is_destination(t: &Topology, id: &str) -> bool {
    t.endpoint_ix(id)
        .map(|e| t.endpoint(e))
        .is_some_and(|e| e.kind != Kind::PrivateEndpoint)
}

/// The ids, selectors and addresses that the file changes name: endpoints they touch are traced
/// first when the scan is capped.
fn touched_tokens(old: &Topology, new: &Topology, changes: &[Change]) -> HashSet<String> {
    let mut out = HashSet::new();
    let rule_texts = |t: &Topology, set: &str, rule: &str, out: &mut HashSet<String>| {
        let rs = if set == "policies" {
            t.zone_policy()
        } else {
            t.rule_sets().iter().find(|r| r.id == set)
        };
        if let Some(r) = rs.and_then(|rs| rs.rules.iter().find(|r| r.id == rule)) {
            out.extend(
                r.source_text
                    .iter()
                    .chain(&r.destination_text)
                    .map(|x| x.to_ascii_lowercase()),
            );
        }
    };
    for c in changes {
        match c.kind {
            "rule" => {
                if let Some((set, rule)) = c.id.split_once('/') {
                    out.insert(set.to_ascii_lowercase());
                    rule_texts(old, set, rule, &mut out);
                    rule_texts(new, set, rule, &mut out);
                }
            }
            "policy" => {
                rule_texts(old, "policies", &c.id, &mut out);
                rule_texts(new, "policies", &c.id, &mut out);
            }
            "peering" => out.extend(c.id.split(" <-> ").map(str::to_ascii_lowercase)),
            _ => {
                out.insert(c.id.to_ascii_lowercase());
            }
        }
    }
    out
}

/// Whether an endpoint (by id, in `t`) is named by the tokens: its id, subnet, network, zone,
/// region, rule sets, or a CIDR holding its address; `*`, `any` and `VirtualNetwork` touch all
/// (and `Internet` only the internet as a source).
fn touches(t: &Topology, id: &str, tokens: &HashSet<String>) -> bool {
    let wide = ["*", "any", "virtualnetwork"];
    if wide.iter().any(|w| tokens.contains(*w)) {
        return true;
    }
    let Some(ix) = t.endpoint_ix(id) else {
        return tokens.contains(&id.to_ascii_lowercase());
    };
    let e = t.endpoint(ix);
    let mut names: Vec<&str> = vec![e.id.as_str()];
    if let Some(s) = e.subnet {
        names.push(&t.subnet(s).id);
        names.extend(
            t.subnet(s)
                .rule_sets
                .iter()
                .map(|r| t.rule_set(*r).id.as_str()),
        );
    }
    if let Some(n) = e.network {
        names.push(&t.network(n).id);
    }
    if let Some(z) = e.zone {
        names.push(&t.zone(z).id);
    }
    if let Some(r) = &e.region {
        names.push(r);
    }
    names.extend(e.rule_sets.iter().map(|r| t.rule_set(*r).id.as_str()));
    if names
        .iter()
        .any(|n| tokens.contains(&n.to_ascii_lowercase()))
    {
        return true;
    }
    e.ip.is_some_and(|ip| {
        tokens
            .iter()
            .filter_map(|x| x.parse::<ipnet::IpNet>().ok())
            .any(|net| net.contains(&ip))
    })
}

/// Every (i, j) with i from `a` and j from `b`, lazily, `a` major.
fn product<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = (usize, usize)> + 'a {
    a.iter().flat_map(move |&i| b.iter().map(move |&j| (i, j)))
}

/// Changed endpoint pairs (source id, destination id) by source group (`None`: the internet).
type Found = Vec<(Option<usize>, Vec<(String, String)>)>;

/// The endpoint pairs (source id, destination id) whose reach differs between the versions —
/// the TCP or UDP ports allowed, or whether there is a route at all — over every pair, exactly:
/// endpoints alike in both versions (the same group of [`exact::groups`] in each) reach alike,
/// so one pair of stand-ins per pair of such groups is compared with the engine. Returns the
/// number of changed pairs and the first `keep` of them (in source, destination order).
fn screen(
    old: &Topology,
    new: &Topology,
    sources: &[String],
    dests: &[String],
    keep: usize,
) -> (usize, Vec<(String, String)>) {
    let group_of = |t: &Topology| {
        let mut at = vec![usize::MAX; t.endpoints().len()];
        for (i, g) in exact::groups(t).iter().enumerate() {
            for m in &g.members {
                at[m.index()] = i;
            }
        }
        at
    };
    let (go, gn) = (group_of(old), group_of(new));
    let is_src: HashSet<&str> = sources.iter().map(String::as_str).collect();
    let is_dst: HashSet<&str> = dests.iter().map(String::as_str).collect();
    // Refined groups: (old group, new group) → members (ids), in the new file's order.
    let mut index: HashMap<(usize, usize), usize> = HashMap::new();
    // A member: its id, and its index in the old and in the new file.
    type Member<'a> = (&'a str, EpIx, EpIx);
    let mut refined: Vec<Vec<Member>> = Vec::new();
    for e in new.endpoints() {
        let id = e.id.as_str();
        if !is_src.contains(id) && !is_dst.contains(id) {
            continue;
        }
        let (Some(eo), Some(en)) = (old.endpoint_ix(id), new.endpoint_ix(id)) else {
            continue;
        };
        let key = (go[eo.index()], gn[en.index()]);
        let next = refined.len();
        let k = *index.entry(key).or_insert(next);
        if k == next {
            refined.push(Vec::new());
        }
        refined[k].push((id, eo, en));
    }
    // Each group's members that are destinations, once.
    let as_dst: Vec<Vec<&Member>> = refined
        .iter()
        .map(|g| g.iter().filter(|m| is_dst.contains(m.0)).collect())
        .collect();
    // Source groups split across the cores, one pair of engines each; pairs are kept in
    // source-group order (the internet first), whatever the split.
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let work = |share: usize| {
        let (eo, en) = (Engine::new(old), Engine::new(new));
        let changed = |po: &Party, pn: &Party, d: &Member| {
            let (a, ra) = eo.reach_routed(po, &Target::Ep(d.1), None);
            let (b, rb) = en.reach_routed(pn, &Target::Ep(d.2), None);
            ra != rb || a.tcp != b.tcp || a.udp != b.udp
        };
        let mut count = 0;
        // (source group, or None for the internet; its changed pairs, at most `keep`).
        let mut found: Found = Vec::new();
        let mut kept = 0;
        let mut add = |at: Option<usize>, s: &str, d: &str, found: &mut Found| {
            count += 1;
            if kept < keep {
                kept += 1;
                match found.last_mut() {
                    Some((k, v)) if *k == at => v.push((s.to_string(), d.to_string())),
                    _ => found.push((at, vec![(s.to_string(), d.to_string())])),
                }
            }
        };
        // The internet as a source: one party, outside every network, as `trace` takes it.
        if share == 0 && is_src.contains("internet") {
            let outside = Party {
                outside: true,
                ..Party::default()
            };
            for dsts in &as_dst {
                if dsts.first().is_some_and(|d| changed(&outside, &outside, d)) {
                    for d in dsts {
                        add(None, "internet", d.0, &mut found);
                    }
                }
            }
        }
        for (si, sg) in refined.iter().enumerate().skip(share).step_by(threads) {
            let srcs: Vec<&Member> = sg.iter().filter(|m| is_src.contains(m.0)).collect();
            let Some(rep) = srcs.first() else { continue };
            let (po, pn) = (src_party(old, rep.1), src_party(new, rep.2));
            for (di, dsts) in as_dst.iter().enumerate() {
                // The destination stand-in: another member when both ends are one group.
                let Some(d) = dsts.iter().find(|d| si != di || d.0 != rep.0) else {
                    continue;
                };
                if !changed(&po, &pn, d) {
                    continue;
                }
                for s in &srcs {
                    for d in dsts.iter().filter(|d| d.0 != s.0) {
                        add(Some(si), s.0, d.0, &mut found);
                    }
                }
            }
        }
        (count, found)
    };
    let shares: Vec<(usize, Found)> = if threads == 1 {
        vec![work(0)]
    } else {
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads).map(|i| sc.spawn(move || work(i))).collect();
            // A share that panicked is a bug: let it show.
            handles
                .into_iter()
                .map(|h| h.join().expect("a screening share finishes"))
                .collect()
        })
    };
    let count = shares.iter().map(|s| s.0).sum();
    let mut found: Found = shares.into_iter().flat_map(|s| s.1).collect();
    found.sort_by_key(|(at, _)| at.map_or(0, |k| k + 1));
    let pairs = found.into_iter().flat_map(|f| f.1).take(keep).collect();
    (count, pairs)
}

/// The flows whose verdict (or deciding rule) differs, and what was covered. When the scan is
/// capped, the pairs whose reach the engine finds changed go first, then pairs with an end the
/// file changes touch.
pub fn flow_changes(
    old: &Topology,
    new: &Topology,
    changes: &[Change],
    max_flows: usize,
) -> (Vec<FlowChange>, Vec<FlowChange>, Coverage) {
    let mut sources: Vec<String> = vec!["internet".to_string()];
    sources.extend(
        new.endpoints()
            .iter()
            .filter(|e| is_source(new, &e.id) && is_source(old, &e.id))
            .map(|e| e.id.clone()),
    );
    let dests: Vec<String> = new
        .endpoints()
        .iter()
        .filter(|e| is_destination(new, &e.id) && is_destination(old, &e.id))
        .map(|e| e.id.clone())
        .collect();
    let dest_set: HashSet<&str> = dests.iter().map(String::as_str).collect();
    let total_pairs: usize = sources
        .iter()
        .map(|s| dests.len() - usize::from(dest_set.contains(s.as_str())))
        .sum();
    let tokens = touched_tokens(old, new, changes);
    let hit = |id: &str| touches(old, id, &tokens) || touches(new, id, &tokens);
    let src_hit: Vec<bool> = sources.iter().map(|s| hit(s)).collect();
    let dst_hit: Vec<bool> = dests.iter().map(|d| hit(d)).collect();
    // Pairs with both ends touched, then one, then neither: lazily, so a large design never
    // holds every pair in memory (and only the pairs taken are looked at).
    let pick = |hit: &[bool], want: bool| -> Vec<usize> {
        (0..hit.len()).filter(|i| hit[*i] == want).collect()
    };
    let (src_t, src_u) = (pick(&src_hit, true), pick(&src_hit, false));
    let (dst_t, dst_u) = (pick(&dst_hit, true), pick(&dst_hit, false));
    let ordered = product(&src_t, &dst_t)
        .chain(product(&src_t, &dst_u))
        .chain(product(&src_u, &dst_t))
        .chain(product(&src_u, &dst_u))
        .map(|(i, j)| (sources[i].as_str(), dests[j].as_str()))
        .filter(|(s, d)| s != d);
    let intervals = port_intervals(&[old, new]);
    let protos = protocols(&[old, new]);
    let per_pair: usize = protos
        .iter()
        .map(|p| if p.has_ports() { intervals.len() } else { 1 })
        .sum();
    let budget_pairs = (max_flows / per_pair.max(1)).max(1);
    let checked = total_pairs.min(budget_pairs);
    let capped = checked < total_pairs;
    // Capped: find the pairs whose reach changed, exactly, and trace them first.
    let (pairs_changed, first) = if capped {
        let (n, first) = screen(old, new, &sources, &dests, checked);
        (Some(n), first)
    } else {
        (None, Vec::new())
    };
    let first_set: HashSet<(&str, &str)> = first
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let ordered = first
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .chain(ordered.filter(|p| !first_set.contains(p)));
    let w = WhatIf::default();
    let mut changed = Vec::new();
    let mut rule_changed = Vec::new();
    let mut traces = 0;
    for (s, d) in ordered.take(checked) {
        for &proto in &protos {
            let ivs: Vec<Option<(u16, u16)>> = if proto.has_ports() {
                intervals.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            // (interval, old, new) of the last change, to merge adjacent intervals.
            let mut run: Option<(u16, u16, Outcome, Outcome)> = None;
            let mut flush = |run: &mut Option<(u16, u16, Outcome, Outcome)>, icmp: bool| {
                if let Some((lo, hi, o, n)) = run.take() {
                    let (ports, port_from, port_to) = port_fields(lo, hi, icmp);
                    let fc = FlowChange {
                        from: s.to_string(),
                        to: d.to_string(),
                        protocol: proto,
                        ports,
                        port_from,
                        port_to,
                        old: o.clone(),
                        new: n.clone(),
                    };
                    if o.verdict == n.verdict {
                        rule_changed.push(fc);
                    } else {
                        changed.push(fc);
                    }
                }
            };
            for iv in ivs {
                let port = iv.map(|(lo, _)| lo);
                let q = Query::new(s, d, port, proto);
                traces += 2;
                let (Ok(a), Ok(b)) = (trace(old, &q, &w), trace(new, &q, &w)) else {
                    flush(&mut run, iv.is_none());
                    continue;
                };
                let (oa, ob) = (Outcome::of(&a), Outcome::of(&b));
                let same = oa.verdict == ob.verdict && oa.decided_by == ob.decided_by;
                if same {
                    flush(&mut run, iv.is_none());
                    continue;
                }
                let (lo, hi) = iv.unwrap_or((0, 0));
                let extend = run.as_ref().is_some_and(|(_, h, ro, rn)| {
                    u32::from(*h) + 1 == u32::from(lo)
                        && ro.verdict == oa.verdict
                        && ro.decided_by == oa.decided_by
                        && rn.verdict == ob.verdict
                        && rn.decided_by == ob.decided_by
                });
                if extend {
                    if let Some(r) = run.as_mut() {
                        r.1 = hi;
                    }
                } else {
                    flush(&mut run, iv.is_none());
                    run = Some((lo, hi, oa, ob));
                }
            }
            flush(&mut run, !proto.has_ports());
        }
    }
    let note = capped.then(|| {
        format!(
            "capped: traced {checked} of {total_pairs} endpoint pairs ({} port intervals × {} protocol(s) each, at most {max_flows} flows); every pair was compared exactly on TCP and UDP ports and routes, and {} changed: those were traced first, then pairs the file changes touch{}",
            intervals.len(),
            protos.len(),
            pairs_changed.unwrap_or(0),
            if protos.contains(&Protocol::Icmp) {
                " (ICMP and deciding rules are compared on traced pairs only)"
            } else {
                " (deciding rules are compared on traced pairs only)"
            }
        )
    });
    let coverage = Coverage {
        sources: sources.len(),
        destinations: dests.len(),
        pairs: total_pairs,
        pairs_checked: checked,
        port_intervals: intervals.len(),
        protocols: protos,
        traces,
        capped,
        pairs_changed,
        note,
    };
    (changed, rule_changed, coverage)
}

/// The allowed flows of `t` that involve an endpoint `other` does not have, merged into port
/// ranges. Returns them, the number of traces, and whether the budget capped the scan.
fn endpoint_flows(
    t: &Topology,
    other: &Topology,
    intervals: &[(u16, u16)],
    protos: &[Protocol],
    max_flows: usize,
) -> (Vec<EndpointFlow>, usize, bool) {
    let only = |id: &str| t.endpoint_ix(id).is_some() && other.endpoint_ix(id).is_none();
    let mut sources: Vec<&str> = vec!["internet"];
    sources.extend(
        t.endpoints()
            .iter()
            .filter(|e| is_source(t, &e.id))
            .map(|e| e.id.as_str()),
    );
    let dests: Vec<&str> = t
        .endpoints()
        .iter()
        .filter(|e| is_destination(t, &e.id))
        .map(|e| e.id.as_str())
        .collect();
    let w = WhatIf::default();
    let mut out = Vec::new();
    let mut traces = 0;
    let mut capped = false;
    let added_src: Vec<&str> = sources.iter().copied().filter(|s| only(s)).collect();
    let added_dst: Vec<&str> = dests.iter().copied().filter(|d| only(d)).collect();
    let pairs = added_src
        .iter()
        .flat_map(|s| dests.iter().map(move |d| (*s, *d)))
        .chain(
            sources
                .iter()
                .filter(|s| !only(s))
                .flat_map(|s| added_dst.iter().map(move |d| (*s, *d))),
        );
    'pairs: for (s, d) in pairs {
        if s == d {
            continue;
        }
        for &proto in protos {
            let ivs: Vec<Option<(u16, u16)>> = if proto.has_ports() {
                intervals.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            if traces + ivs.len() > max_flows {
                capped = true;
                break 'pairs;
            }
            let mut run: Option<(u16, u16, Option<String>)> = None;
            let mut flush = |run: &mut Option<(u16, u16, Option<String>)>| {
                if let Some((lo, hi, by)) = run.take() {
                    let icmp = !proto.has_ports();
                    let (ports, port_from, port_to) = port_fields(lo, hi, icmp);
                    out.push(EndpointFlow {
                        from: s.to_string(),
                        to: d.to_string(),
                        protocol: proto,
                        ports,
                        port_from,
                        port_to,
                        decided_by: by,
                    });
                }
            };
            for iv in ivs {
                traces += 1;
                let q = Query::new(s, d, iv.map(|x| x.0), proto);
                let allowed = trace(t, &q, &w).ok().filter(Trace::allowed);
                let Some(tr) = allowed else {
                    flush(&mut run);
                    continue;
                };
                let by = Outcome::of(&tr).decided_by;
                let (lo, hi) = iv.unwrap_or((0, 0));
                match run.as_mut() {
                    Some(r) if u32::from(r.1) + 1 == u32::from(lo) && r.2 == by => r.1 = hi,
                    _ => {
                        flush(&mut run);
                        run = Some((lo, hi, by));
                    }
                }
            }
            flush(&mut run);
        }
    }
    (out, traces, capped)
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
