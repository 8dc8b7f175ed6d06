//! Fixes that work (SPEC §13): for a denied or unrouted flow, the alternatives that would make it
//! allowed, best first — the approved path through a gateway or proxy when the zone policy
//! forbids the direct flow (`via`), the rule changes that open **every** check on the path that
//! would deny it (`rules`), and the peering, route or firewall that would carry an unrouted flow
//! (`route`).
//!
//! A `rules` alternative is found by applying each change to a copy of the design in memory and
//! tracing again until the flow is allowed, so what it proposes is what the engine verified.
//!
//! Owns: [`Fix`], [`RuleChange`], [`FixRule`], [`fixes`], [`trace_with_fixes`], [`apply`].
//! Must never: write anything, propose a rule that an explicit zone-policy deny forbids, or
//! widen a selector to `*` or a whole network.

use std::fmt::Write as _;

use ipnet::IpNet;
use serde::Serialize;

use super::{Query, Trace, TraceError, WhatIf, trace};
use crate::engine::path::resolve::{End, name_dst, resolve_dst, resolve_src};
use crate::engine::path::route::Router;
use crate::engine::policy::free_priority_below;
use crate::model::rules::{
    Action, Direction, FirewallRuleType, PortSet, Protocol, Rule, RuleSetKind, Selector,
};
use crate::model::{EntityRef, Kind, Pos, Topology, Verdict};

/// One alternative that makes the flow allowed (SPEC §13), serialized with its `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fix {
    /// Use the approved path through a gateway or proxy: `from → via` and `via → to` are both
    /// allowed.
    Via { via: String, reason: String },
    /// Rules to add; applied together (and traced again) they give `allow`.
    Rules { changes: Vec<RuleChange> },
    /// For `no_route`: the peering, route or firewall that would carry the flow; `peering`
    /// names the two networks when peering them is the change (a file's `peerings:` entry).
    Route {
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        peering: Option<[String; 2]>,
    },
}

/// One rule to add to one rule set (`policies` for the zone policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    pub rule_set: String,
    pub rule: FixRule,
}

/// A rule with the keys its rule set takes in the file, so it can be appended as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixRule {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    pub action: Action,
    pub protocol: Protocol,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
}

impl Fix {
    /// The alternative in words, for the text output and the explorer.
    pub fn text(&self) -> String {
        match self {
            Fix::Via { reason, .. } | Fix::Route { reason, .. } => reason.clone(),
            Fix::Rules { changes } => {
                let n = changes.len();
                let mut s = format!("add {n} rule{}: ", if n == 1 { "" } else { "s" });
                for (i, c) in changes.iter().enumerate() {
                    if i > 0 {
                        s.push_str("; ");
                    }
                    s.push_str(&c.text());
                }
                s
            }
        }
    }
}

impl RuleChange {
    /// One change in words: "to nsg-pe an inbound allow rule at priority 3900 for tcp/443 from
    /// web to pe-aoai-eus".
    pub fn text(&self) -> String {
        let r = &self.rule;
        let ports = r
            .ports
            .as_ref()
            .map(|p| format!("/{p}"))
            .unwrap_or_default();
        if self.rule_set == "policies" {
            return format!(
                "a zone policy `{}` allowing {} → {} {}{ports}",
                r.id,
                r.from.as_deref().unwrap_or("?"),
                r.to.as_deref().unwrap_or("?"),
                r.protocol
            );
        }
        let dir = r.direction.map(|d| format!("{d} ")).unwrap_or_default();
        let prio = r
            .priority
            .map(|p| format!(" at priority {p}"))
            .unwrap_or_default();
        format!(
            "to {} an {dir}allow rule `{}`{prio} for {}{ports} from {} to {}",
            self.rule_set,
            r.id,
            r.protocol,
            r.source.as_deref().unwrap_or("*"),
            r.destination.as_deref().unwrap_or("*")
        )
    }
}

/// Trace one flow and, when it is not allowed, attach its fixes; `fix` then says the first
/// alternative in words.
pub fn trace_with_fixes(t: &Topology, q: &Query, w: &WhatIf) -> Result<Trace, TraceError> {
    let mut tr = trace(t, q, w)?;
    tr.fixes = fixes(t, q, w, &tr);
    if let Some(first) = tr.fixes.first() {
        tr.fix = Some(first.text());
    }
    Ok(tr)
}

/// How many rule changes one flow may need before the search gives up (one per check on a
/// path, with room to spare).
const MAX_CHANGES: usize = 16;

/// The alternatives for a traced flow, best first (empty when it is allowed, or when nothing in
/// the design could allow it, e.g. a service that does not listen on the port).
pub fn fixes(t: &Topology, q: &Query, w: &WhatIf, tr: &Trace) -> Vec<Fix> {
    let mut out = Vec::new();
    match tr.verdict {
        Verdict::Allow => {}
        Verdict::NoRoute => {
            out.extend(vias(t, q, w, None));
            if let Some(f) = &tr.fix {
                out.push(Fix::Route {
                    reason: f.clone(),
                    peering: peering_for(t, q, w),
                });
            }
        }
        Verdict::Deny => {
            let found = rule_changes(t, q, w);
            let policy_says_no = match &found {
                Err(Stop::Forbidden(rule)) => Some(format!("zone policy rule {rule}")),
                Ok(ch) if ch.iter().any(|c| c.rule_set == "policies") => {
                    Some("the zone policy (no policy allows it)".to_string())
                }
                _ => None,
            };
            let expected_deny = t.expectations().iter().any(|e| {
                e.verdict == Verdict::Deny
                    && e.from == q.from
                    && e.to == q.to
                    && (e.port.is_none() || e.port == tr.port)
            });
            let why = policy_says_no.or_else(|| {
                expected_deny.then(|| "the design's expectations (`expect:`)".to_string())
            });
            if let Some(why) = why {
                out.extend(vias(t, q, w, Some(&why)));
            }
            if let Ok(changes) = found
                && !changes.is_empty()
            {
                out.push(Fix::Rules { changes });
            }
        }
    }
    out
}

/// Apply every change of a `rules` alternative to a copy of the design (what-if: nothing is
/// written). Changes naming an unknown rule set are skipped.
pub fn apply(t: &Topology, changes: &[RuleChange]) -> Topology {
    let mut work = t.clone();
    for c in changes {
        if let Some(rule) = to_rule(&work, &c.rule_set, &c.rule) {
            insert(&mut work, &c.rule_set, rule);
        }
    }
    work
}

/// The two networks to peer for an unrouted flow between networks that are not peered (the
/// change `no_route_fix` words as "peer A with B"), else `None`.
fn peering_for(t: &Topology, q: &Query, w: &WhatIf) -> Option<[String; 2]> {
    let src = resolve_src(t, &q.from).ok()?;
    let name = name_dst(t, &q.to).ok()?;
    let (dst, _) = resolve_dst(&Router::new(t, w, false), &src, name);
    if src.outside || dst.outside {
        return None;
    }
    let (a, b) = (src.network?, dst.network?);
    (a != b && !crate::engine::path::route::peered(t, a, b))
        .then(|| [t.network(a).id.clone(), t.network(b).id.clone()])
}

/// Why a denied flow has no `rules` alternative ("zone policy rule ZP-010", "built-in check
/// no-listener at db", ...), or `None` when it has one (or is not denied).
pub fn no_rules_because(t: &Topology, q: &Query, w: &WhatIf) -> Option<String> {
    match rule_changes(t, q, w) {
        Ok(_) => None,
        Err(Stop::Forbidden(r)) => Some(format!("zone policy rule {r}")),
        Err(Stop::Cannot(why)) => Some(why),
    }
}

/// Why the rule search stopped without an answer.
enum Stop {
    /// An explicit zone-policy deny forbids the flow (its rule id): no rule may open it.
    Forbidden(String),
    /// Nothing a rule can change (a built-in check, no route, no free priority): why.
    Cannot(String),
}

/// Open every check on the path, one at a time, on a copy of the design.
fn rule_changes(t: &Topology, q: &Query, w: &WhatIf) -> Result<Vec<RuleChange>, Stop> {
    let src = resolve_src(t, &q.from).map_err(|e| Stop::Cannot(e.message))?;
    let name = name_dst(t, &q.to).map_err(|e| Stop::Cannot(e.message))?;
    let (dst, _) = resolve_dst(&Router::new(t, w, false), &src, name);
    // Past a source NAT the rules see the translated source: its selectors are tried first
    // (each trial is traced again, so one that does not help is passed over).
    let planned =
        crate::engine::path::plan::Planner::new(t, w, false).plan(src.clone(), dst.clone(), None);
    let nat_src = planned.snat.map(|n| n.src);
    // Past a firewall's DNAT (SPEC §11.6) the rule sets see the translated flow: the
    // firewall's address to the backend on the translated port.
    let legs = planned.dnat;
    let mut work = t.clone();
    let mut changes = Vec::new();
    for _ in 0..MAX_CHANGES {
        let tr = trace(&work, q, w).map_err(|e| Stop::Cannot(e.message))?;
        match tr.verdict {
            Verdict::Allow => return Ok(changes),
            Verdict::NoRoute => return Err(Stop::Cannot(format!("no route: {}", tr.reason))),
            Verdict::Deny => {}
        }
        let Some(c) = tr.deciding_check().cloned() else {
            return Err(Stop::Cannot(String::new()));
        };
        if c.kind == "builtin" {
            return Err(Stop::Cannot(format!(
                "built-in check {} at {}",
                c.rule, c.at
            )));
        }
        let proto = tr.protocol.transport();
        let leg = tr
            .translations
            .iter()
            .find(|x| x.kind == "dnat")
            .and_then(|x| x.rule.as_deref())
            .and_then(|id| {
                legs.iter().find(|l| {
                    t.rule_set(l.set)
                        .rules
                        .get(l.rule)
                        .is_some_and(|r| r.id == id)
                })
            });
        let (src, dst, nat_src) = match leg {
            Some(l) => (
                &l.plan.src,
                &l.plan.dst,
                l.plan.snat.as_ref().map(|n| n.src.clone()),
            ),
            None => (&src, &dst, nat_src.clone()),
        };
        let translated = leg.and_then(|l| l.port).or(tr.port);
        let ports = translated.map(|p| {
            if c.return_flow {
                work.rule_sets()
                    .iter()
                    .find(|r| r.id == c.rule_set)
                    .map_or_else(
                        || "1024-65535".to_string(),
                        |r| r.return_ports().to_string(),
                    )
            } else {
                p.to_string()
            }
        });
        if c.kind == RuleSetKind::Policy.as_str() {
            if !c.default_rule {
                return Err(Stop::Forbidden(c.rule));
            }
            let Some((zs, zd)) = c.at.split_once(" -> ") else {
                return Err(Stop::Cannot(String::new()));
            };
            let rule = FixRule {
                id: unique_id(&work, "policies", &format!("allow-{zs}-to-{zd}")),
                priority: None,
                direction: None,
                action: Action::Allow,
                protocol: proto,
                source: None,
                destination: None,
                from: Some(zs.to_string()),
                to: Some(zd.to_string()),
                ports,
            };
            let Some(r) = to_rule(&work, "policies", &rule) else {
                return Err(Stop::Cannot(String::new()));
            };
            insert(&mut work, "policies", r);
            changes.push(RuleChange {
                rule_set: "policies".to_string(),
                rule,
            });
            continue;
        }
        let Some(EntityRef::RuleSet(ix)) = work.find(&c.rule_set) else {
            return Err(Stop::Cannot(String::new()));
        };
        let rs = work.rule_set(ix);
        let kind = rs.kind;
        let priority = match kind {
            RuleSetKind::SecurityGroup | RuleSetKind::Policy => None,
            _ => {
                let limit = c.priority.unwrap_or(match kind {
                    RuleSetKind::Nacl => 32767,
                    RuleSetKind::Nsg => 65500,
                    _ => 65001,
                });
                match free_priority_below(rs, c.direction, limit) {
                    Some(p) => Some(p),
                    None => {
                        return Err(Stop::Cannot(format!(
                            "no free priority below {limit} in {}",
                            c.rule_set
                        )));
                    }
                }
            }
        };
        let (from_end, to_end) = if c.return_flow {
            (dst, src)
        } else {
            (src, dst)
        };
        // `is_src`: the end is the flow's source (the return leg swaps the ends).
        let side = |end: &End, destination: bool, is_src: bool| {
            let mut v = Vec::new();
            if is_src && let Some(n) = &nat_src {
                // The translated address first: what a cloud rule would name.
                v.extend(n.party.addr.map(|a| IpNet::from(a).to_string()));
                for x in selectors(t, n, destination) {
                    if !v.contains(&x) {
                        v.push(x);
                    }
                }
            }
            for x in selectors(t, end, destination) {
                if !v.contains(&x) {
                    v.push(x);
                }
            }
            v
        };
        let mut accepted = None;
        'pairs: for s in side(from_end, false, !c.return_flow) {
            for d in side(to_end, true, c.return_flow) {
                let rule = FixRule {
                    id: unique_id(&work, &c.rule_set, &format!("allow-{s}-to-{d}")),
                    priority,
                    direction: c.direction,
                    action: Action::Allow,
                    protocol: proto,
                    source: Some(s.clone()),
                    destination: Some(d.clone()),
                    from: None,
                    to: None,
                    ports: ports.clone(),
                };
                let Some(r) = to_rule(&work, &c.rule_set, &rule) else {
                    continue;
                };
                let mut trial = work.clone();
                insert(&mut trial, &c.rule_set, r);
                let Ok(again) = trace(&trial, q, w) else {
                    continue;
                };
                let same = again.verdict == Verdict::Deny
                    && again.deciding_check().is_some_and(|x| {
                        x.rule_set == c.rule_set
                            && x.at == c.at
                            && x.rule == c.rule
                            && x.direction == c.direction
                            && x.return_flow == c.return_flow
                    });
                if !same {
                    work = trial;
                    accepted = Some(rule);
                    break 'pairs;
                }
            }
        }
        let Some(rule) = accepted else {
            return Err(Stop::Cannot(format!(
                "no narrow rule in {} opens {}",
                c.rule_set, c.rule
            )));
        };
        changes.push(RuleChange {
            rule_set: c.rule_set.clone(),
            rule,
        });
    }
    Err(Stop::Cannot(format!("more than {MAX_CHANGES} checks deny")))
}

/// The selectors that name one end, narrowest first: the endpoint (for a destination reached
/// through a private endpoint, that endpoint first), its address, its subnet; outside every
/// network, its address, else `Internet`. Never `*` or a whole network.
fn selectors(t: &Topology, end: &End, destination: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    if destination && let Some(pe) = end.via_pe {
        push(t.endpoint(pe).id.clone());
    }
    if let Some(e) = end.ep {
        push(t.endpoint(e).id.clone());
    }
    if let Some(a) = end.party.addr {
        push(IpNet::from(a).to_string());
    }
    if end.outside {
        push("Internet".to_string());
    } else if let Some(s) = end.subnet {
        push(t.subnet(s).id.clone());
    }
    out
}

/// A rule id that is free in the rule set: `base`, else `base-2`, `base-3`, ...
fn unique_id(t: &Topology, rule_set: &str, base: &str) -> String {
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let taken = |id: &str| {
        rules_of(t, rule_set).is_some_and(|rs| rs.iter().any(|r| r.id == id))
            || (rule_set == "policies" && t.find(id).is_some())
    };
    if !taken(&base) {
        return base;
    }
    let mut n = 2;
    let mut s = String::new();
    loop {
        s.clear();
        let _ = write!(s, "{base}-{n}");
        if !taken(&s) {
            return s;
        }
        n += 1;
    }
}

fn rules_of<'a>(t: &'a Topology, rule_set: &str) -> Option<&'a [Rule]> {
    if rule_set == "policies" {
        return t.zone_policy().map(|p| p.rules.as_slice());
    }
    match t.find(rule_set) {
        Some(EntityRef::RuleSet(ix)) => Some(&t.rule_set(ix).rules),
        _ => None,
    }
}

/// One selector as the loader reads it (ids, `Internet`, addresses and CIDRs).
fn selector(t: &Topology, text: &str) -> Option<Selector> {
    if let Some(e) = t.find(text) {
        return match e {
            EntityRef::Zone(z) => Some(Selector::Zone(z)),
            EntityRef::Network(n) => Some(Selector::Network(n)),
            EntityRef::Subnet(s) => Some(Selector::Subnet(s)),
            EntityRef::Endpoint(p) => Some(Selector::Endpoint(p)),
            EntityRef::RuleSet(_) => None,
        };
    }
    if text.eq_ignore_ascii_case("internet") {
        return Some(Selector::Internet);
    }
    if text.eq_ignore_ascii_case("unzoned") {
        return Some(Selector::Unzoned);
    }
    text.parse::<IpNet>()
        .ok()
        .map(|n| Selector::Cidr(n.trunc()))
}

/// The rule a [`FixRule`] becomes when the file holding it is loaded.
fn to_rule(t: &Topology, rule_set: &str, r: &FixRule) -> Option<Rule> {
    let (src, dst) = if rule_set == "policies" {
        (r.from.as_deref()?, r.to.as_deref()?)
    } else {
        (r.source.as_deref()?, r.destination.as_deref()?)
    };
    let ports = match &r.ports {
        Some(p) => PortSet::parse_item(p).ok()?,
        None => PortSet::all(),
    };
    Some(Rule {
        id: r.id.clone(),
        name: None,
        priority: r.priority,
        direction: r.direction,
        action: r.action,
        protocol: r.protocol,
        sources: vec![selector(t, src)?],
        destinations: vec![selector(t, dst)?],
        source_text: vec![src.to_string()],
        destination_text: vec![dst.to_string()],
        ports,
        fqdns: Vec::new(),
        justification: None,
        classification: None,
        default_rule: false,
        at: Pos::default(),
    })
}

/// Put a rule where the loader would: by priority for first-match kinds (before the NSG
/// defaults), at the end otherwise.
fn insert(t: &mut Topology, rule_set: &str, rule: Rule) {
    let rs = if rule_set == "policies" {
        t.zone_policy.as_mut()
    } else {
        match t.find(rule_set) {
            Some(EntityRef::RuleSet(ix)) => t.rule_sets.get_mut(ix.index()),
            _ => None,
        }
    };
    let Some(rs) = rs else { return };
    if rs.kind == RuleSetKind::Firewall {
        // A firewall's rules go DNAT, then network, then application, each by priority
        // (SPEC §11.6): the new rule is a network rule, or an application rule with FQDNs.
        let ty = if rule.fqdns.is_empty() {
            FirewallRuleType::Network
        } else {
            FirewallRuleType::Application
        };
        let key = (Some(ty), rule.priority.unwrap_or(u32::MAX));
        let at = rs
            .rules
            .iter()
            .position(|x| x.default_rule || (rs.rule_type(x), x.priority.unwrap_or(u32::MAX)) > key)
            .unwrap_or(rs.rules.len());
        rs.rule_types.insert(rule.id.clone(), ty);
        rs.rules.insert(at, rule);
        return;
    }
    let at = match rs.kind {
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall => {
            let p = rule.priority.unwrap_or(u32::MAX);
            rs.rules
                .iter()
                .position(|x| x.default_rule || x.priority.unwrap_or(u32::MAX) > p)
                .unwrap_or(rs.rules.len())
        }
        _ => rs.rules.len(),
    };
    rs.rules.insert(at, rule);
}

/// The approved paths through a gateway or proxy V: `from → V` and `V → to` both allowed.
fn vias(t: &Topology, q: &Query, w: &WhatIf, forbidden_by: Option<&str>) -> Vec<Fix> {
    let mut out = Vec::new();
    for v in t.endpoints() {
        if !matches!(v.kind, Kind::Gateway | Kind::ModelProxy) || v.id == q.from || v.id == q.to {
            continue;
        }
        let vport = match (q.port, v.ports.as_ref()) {
            (Some(p), Some(ps)) if !ps.contains(p) => ps.first(),
            (p, _) => p,
        };
        let first = Query::new(&q.from, &v.id, vport, q.protocol);
        let second = Query::new(&v.id, &q.to, q.port, q.protocol);
        let ok = |x: &Query| trace(t, x, w).is_ok_and(|tr| tr.allowed());
        if ok(&first) && ok(&second) {
            let kind = match v.kind {
                Kind::Gateway => "gateway",
                _ => "model proxy",
            };
            let why = forbidden_by.map_or(String::new(), |f| {
                format!("; {f} forbids {} → {} directly", q.from, q.to)
            });
            out.push(Fix::Via {
                via: v.id.clone(),
                reason: format!(
                    "use the approved path through the {kind} {}: {first} and {second} are both allowed{why}",
                    v.id
                ),
            });
        }
    }
    out
}
