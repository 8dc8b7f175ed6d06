//! Rule evaluation: does a rule match a flow, and what does a rule set decide for it.
//!
//! Owns: selector matching (ids, addresses, CIDRs, FQDNs, service tags) and the decision rule of
//! each rule-set kind (SPEC §2). Must never: route, resolve names, allocate per rule, or print.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::rules::{
    Action, Direction, PortSet, Protocol, Rule, RuleSet, RuleSetKind, Selector,
};
use crate::model::{EpIx, NetIx, SubnetIx, Topology, ZoneIx};

/// One end of a flow, as rules see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Party {
    /// The endpoint, when the end is one.
    pub ep: Option<EpIx>,
    /// A second endpoint this end also is (the private endpoint a service is reached through).
    pub alias: Option<EpIx>,
    pub subnet: Option<SubnetIx>,
    pub network: Option<NetIx>,
    pub zone: Option<ZoneIx>,
    /// The address the flow uses, when known.
    pub addr: Option<IpAddr>,
    /// The name asked for (FQDN destinations, services with an `fqdn`).
    pub fqdn: Option<String>,
    /// Outside every declared network (the internet, a PaaS service reached publicly).
    pub outside: bool,
}

impl Party {
    /// Both ends inside one subnet: a network ACL (AWS) filters traffic in and out of its
    /// subnet, never within it.
    pub fn same_subnet(&self, other: &Party) -> bool {
        !self.outside && !other.outside && self.subnet.is_some() && self.subnet == other.subnet
    }

    /// An endpoint as one end of a flow: itself, its subnet, network, zone, address and name.
    pub fn of_endpoint(t: &Topology, e: EpIx) -> Party {
        let ep = t.endpoint(e);
        Party {
            ep: Some(e),
            alias: None,
            subnet: ep.subnet,
            network: ep.network,
            zone: ep.zone,
            addr: ep.ip,
            fqdn: ep.fqdn.clone(),
            outside: ep.subnet.is_none(),
        }
    }
}

/// A flow to evaluate: who talks to whom, how.
#[derive(Debug, Clone, Copy)]
pub struct Flow<'a> {
    pub src: &'a Party,
    pub dst: &'a Party,
    pub protocol: Protocol,
    /// Destination ports of the flow: one port for a trace, a range for the return leg of a
    /// stateless check. `None` for ICMP.
    pub ports: Option<&'a PortSet>,
}

/// What a rule set decided, and which rule (or built-in default) decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    /// Index into `RuleSet::rules`, or `None` for the kind's built-in no-match verdict.
    pub rule: Option<usize>,
    /// The rule id, or the default's name (`implicit-deny`, `default-deny`, `*`, ...).
    pub name: String,
    pub priority: Option<u32>,
}

/// Context for `VirtualNetwork`: the network whose address space (plus peers) it means.
pub struct Ctx<'a> {
    pub topo: &'a Topology,
    pub network: Option<NetIx>,
    /// Rules switched off by a what-if: (rule set id, rule id).
    pub disabled: &'a dyn Fn(&str, &str) -> bool,
}

fn cidr_holds(c: &IpNet, p: &Party, topo: &Topology) -> bool {
    if let Some(a) = p.addr {
        return c.contains(&a);
    }
    if let Some(s) = p.subnet {
        let cidrs = &topo.subnet(s).cidrs;
        return !cidrs.is_empty() && cidrs.iter().all(|n| c.contains(n));
    }
    if let Some(n) = p.network {
        let cidrs = &topo.network(n).cidrs;
        return !cidrs.is_empty() && cidrs.iter().all(|x| c.contains(x));
    }
    p.outside && c.prefix_len() == 0
}

/// Whether `pattern` (`name.example.com` or `*.example.com`) matches `fqdn`.
pub fn fqdn_matches(pattern: &str, fqdn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return fqdn.len() > suffix.len() + 1
            && fqdn.ends_with(suffix)
            && fqdn.as_bytes()[fqdn.len() - suffix.len() - 1] == b'.';
    }
    pattern == fqdn
}

/// Whether a selector matches one end of a flow.
pub fn selector_matches(sel: &Selector, p: &Party, ctx: &Ctx<'_>) -> bool {
    match sel {
        Selector::Any => true,
        Selector::Zone(z) => p.zone == Some(*z),
        Selector::Network(n) => p.network == Some(*n),
        Selector::Subnet(s) => p.subnet == Some(*s),
        Selector::Endpoint(e) => p.ep == Some(*e) || p.alias == Some(*e),
        Selector::Cidr(c) => cidr_holds(c, p, ctx.topo),
        Selector::Fqdn(f) => p.fqdn.as_deref().is_some_and(|q| fqdn_matches(f, q)),
        Selector::Internet => p.outside,
        Selector::VirtualNetwork
            if ctx.network.is_some_and(|n| {
                ctx.topo
                    .vnet_extra(n)
                    .iter()
                    .any(|c| cidr_holds(c, p, ctx.topo))
            }) =>
        {
            true
        }
        Selector::VirtualNetwork => match (p.network, ctx.network) {
            (Some(pn), Some(cn)) => pn == cn || ctx.topo.peers(cn).any(|(m, _)| m == pn),
            (Some(_), None) => true,
            _ => false,
        },
        Selector::Tag(i) => ctx
            .topo
            .service_tags()
            .get(*i)
            .is_some_and(|t| t.cidrs.iter().any(|c| cidr_holds(c, p, ctx.topo))),
        Selector::UnknownTag(_) => false,
    }
}

/// The ports of `flow` that `rule` matches (all of them, some, or none), given that the
/// addresses, protocol and direction match. ICMP flows match rules whose ports are `*`.
fn port_match(rule: &Rule, flow: &Flow<'_>) -> PortMatch {
    match flow.ports {
        None => {
            if rule.ports.is_all() || rule.protocol == Protocol::Icmp {
                PortMatch::All
            } else {
                PortMatch::None
            }
        }
        Some(ports) => {
            if rule.ports.is_all() {
                return PortMatch::All;
            }
            let hit = ports.intersect(&rule.ports);
            if hit.is_empty() {
                PortMatch::None
            } else if hit == *ports {
                PortMatch::All
            } else {
                PortMatch::Some(hit)
            }
        }
    }
}

enum PortMatch {
    None,
    All,
    Some(PortSet),
}

/// Whether the rule matches the flow apart from ports.
fn header_matches(rule: &Rule, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> bool {
    if let (Some(want), Some(have)) = (dir, rule.direction)
        && want != have
    {
        return false;
    }
    if !rule.protocol.matches(flow.protocol) {
        return false;
    }
    if !rule
        .sources
        .iter()
        .any(|s| selector_matches(s, flow.src, ctx))
    {
        return false;
    }
    if !rule
        .destinations
        .iter()
        .any(|s| selector_matches(s, flow.dst, ctx))
    {
        return false;
    }
    if !rule.fqdns.is_empty() {
        let Some(f) = flow.dst.fqdn.as_deref() else {
            return false;
        };
        if !rule.fqdns.iter().any(|p| fqdn_matches(p, f)) {
            return false;
        }
    }
    true
}

/// Whether `rule` matches every port of `flow`.
pub fn rule_matches(rule: &Rule, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> bool {
    header_matches(rule, flow, dir, ctx) && matches!(port_match(rule, flow), PortMatch::All)
}

fn decision(rs: &RuleSet, i: usize) -> Decision {
    let r = &rs.rules[i];
    Decision {
        action: r.action,
        rule: Some(i),
        name: r.id.clone(),
        priority: r.priority,
    }
}

fn no_match(rs: &RuleSet, dir: Option<Direction>) -> Decision {
    Decision {
        action: Action::Deny,
        rule: None,
        name: rs.kind.no_match_name(dir).to_string(),
        priority: None,
    }
}

/// What the rule set decides for the flow, in direction `dir` (ignored by kinds without one).
///
/// With a range of ports (the return leg of a stateless check), first-match kinds allow only
/// when every port is allowed; the rule that denies one of them decides.
#[allow(clippy::match_same_arms)] // the arms read as the rule table
pub fn evaluate(rs: &RuleSet, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> Decision {
    let dir = if rs.kind.directional() { dir } else { None };
    let live = |r: &Rule| !(ctx.disabled)(&rs.id, &r.id);
    match rs.kind {
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall => {
            let mut left: Option<PortSet> = flow.ports.cloned();
            for (i, r) in rs.rules.iter().enumerate() {
                if !live(r) || !header_matches(r, flow, dir, ctx) {
                    continue;
                }
                let sub = Flow {
                    ports: left.as_ref(),
                    ..*flow
                };
                match port_match(r, &sub) {
                    PortMatch::None => {}
                    PortMatch::All => return decision(rs, i),
                    PortMatch::Some(hit) => {
                        if r.action == Action::Deny {
                            return decision(rs, i);
                        }
                        left = left.map(|l| l.difference(&hit));
                    }
                }
            }
            no_match(rs, dir)
        }
        RuleSetKind::SecurityGroup => {
            let mut left: Option<PortSet> = flow.ports.cloned();
            let mut first = None;
            for (i, r) in rs.rules.iter().enumerate() {
                if r.action != Action::Allow || !live(r) || !header_matches(r, flow, dir, ctx) {
                    continue;
                }
                let sub = Flow {
                    ports: left.as_ref(),
                    ..*flow
                };
                match port_match(r, &sub) {
                    PortMatch::None => {}
                    PortMatch::All => return decision(rs, first.unwrap_or(i)),
                    PortMatch::Some(hit) => {
                        first.get_or_insert(i);
                        left = left.map(|l| l.difference(&hit));
                    }
                }
            }
            no_match(rs, dir)
        }
        RuleSetKind::Policy => {
            let mut allow = None;
            for (i, r) in rs.rules.iter().enumerate() {
                if !live(r) || !header_matches(r, flow, dir, ctx) {
                    continue;
                }
                match (r.action, port_match(r, flow)) {
                    (Action::Deny, PortMatch::All | PortMatch::Some(_)) => return decision(rs, i),
                    (Action::Allow, PortMatch::All) => {
                        allow.get_or_insert(i);
                    }
                    (_, PortMatch::None) | (Action::Allow, PortMatch::Some(_)) => {}
                }
            }
            match allow {
                Some(i) => decision(rs, i),
                None => no_match(rs, dir),
            }
        }
    }
}

/// A free priority (or NACL rule number) in `rs` below `limit` for direction `dir`: the best
/// place for a new allow rule that must win over a deny at `limit`.
pub fn free_priority_below(rs: &RuleSet, dir: Option<Direction>, limit: u32) -> Option<u32> {
    let (lo, hi) = match rs.kind {
        RuleSetKind::Nsg => (100, 4096),
        RuleSetKind::Nacl => (1, 32766),
        _ => (100, 65000),
    };
    let used = |p: u32| {
        rs.rules.iter().any(|r| {
            !r.default_rule && r.priority == Some(p) && (dir.is_none() || r.direction == dir)
        })
    };
    let top = limit.saturating_sub(1).min(hi);
    if top < lo {
        return None;
    }
    for step in [100, 10, 1] {
        let mut p = top - top % step;
        while p >= lo {
            if !used(p) {
                return Some(p);
            }
            if p < step {
                break;
            }
            p -= step;
        }
    }
    None
}

/// The ports of `flow` (its `ports` ignored: every port is asked) that the rule set allows in
/// direction `dir`: the exact answer of [`evaluate`] for each single port, as one [`PortSet`].
///
/// Mirrors [`evaluate`]: first-match kinds walk their rules in order, each matching allow rule
/// taking the ports still undecided, each matching deny removing them; a security group allows
/// the union of its matching allow rules; the zone policy allows what a matching allow rule
/// covers minus what any matching deny covers. For flows without ports (ICMP) the answer is
/// all or nothing.
pub fn allowed_ports(
    rs: &RuleSet,
    flow: &Flow<'_>,
    dir: Option<Direction>,
    ctx: &Ctx<'_>,
) -> PortSet {
    if !flow.protocol.has_ports() {
        let all = PortSet::all();
        let f = Flow {
            ports: None,
            ..*flow
        };
        return if evaluate(rs, &f, dir, ctx).action == Action::Allow {
            all
        } else {
            PortSet::empty()
        };
    }
    let dir = if rs.kind.directional() { dir } else { None };
    let live = |r: &Rule| !(ctx.disabled)(&rs.id, &r.id);
    match rs.kind {
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall => {
            let mut left = PortSet::all();
            let mut allowed = PortSet::empty();
            for r in &rs.rules {
                if left.is_empty() {
                    break;
                }
                if !live(r) || !header_matches(r, flow, dir, ctx) {
                    continue;
                }
                let hit = left.intersect(&r.ports);
                if hit.is_empty() {
                    continue;
                }
                if r.action == Action::Allow {
                    allowed = allowed.union(&hit);
                }
                left = left.difference(&hit);
            }
            allowed
        }
        RuleSetKind::SecurityGroup => {
            let mut allowed = PortSet::empty();
            for r in &rs.rules {
                if r.action == Action::Allow && live(r) && header_matches(r, flow, dir, ctx) {
                    allowed = allowed.union(&r.ports);
                }
            }
            allowed
        }
        RuleSetKind::Policy => {
            let mut allowed = PortSet::empty();
            let mut denied = PortSet::empty();
            for r in &rs.rules {
                if !live(r) || !header_matches(r, flow, dir, ctx) {
                    continue;
                }
                match r.action {
                    Action::Allow => allowed = allowed.union(&r.ports),
                    Action::Deny => denied = denied.union(&r.ports),
                }
            }
            allowed.difference(&denied)
        }
    }
}
