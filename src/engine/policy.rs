//! Rule evaluation: does a rule match a flow, and what does a rule set decide for it.
//!
//! Owns: selector matching (ids, addresses, CIDRs, FQDNs, service tags, referenced security
//! groups, ASGs) and the decision order of each rule-set kind (SPEC §2, §11.5, §11.6), written
//! once as a walk over port sets from which both [`evaluate`] (one port or a range) and
//! [`allowed_ports`] (the exact allowed set) are read. Must never: route, resolve names,
//! allocate per rule, or print.

use std::net::IpAddr;
use std::ops::ControlFlow;
use std::sync::LazyLock;

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
    /// The name asked for, when it is not the endpoint's own `fqdn` ([`Party::fqdn`] gives the
    /// name the rules see: this one, else the endpoint's).
    pub fqdn: Option<String>,
    /// Outside every declared network (the internet, a PaaS service reached publicly).
    pub outside: bool,
    /// An address of the on-premises prefixes behind this VPN gateway (SPEC §11.2): outside
    /// every network, yet not the internet (Azure's `Internet` tag is "the IP address space
    /// that's outside the virtual network and reachable by the public internet";
    /// `VirtualNetwork` holds the on-premises prefixes, SPEC §11.3).
    pub onprem: Option<EpIx>,
}

impl Party {
    /// Both ends inside one subnet: a network ACL (AWS) filters traffic in and out of its
    /// subnet, never within it.
    pub fn same_subnet(&self, other: &Party) -> bool {
        !self.outside && !other.outside && self.subnet.is_some() && self.subnet == other.subnet
    }

    /// The name the rules see: the name asked for, else the endpoint's own `fqdn`.
    pub fn fqdn<'t>(&'t self, t: &'t Topology) -> Option<&'t str> {
        self.fqdn
            .as_deref()
            .or_else(|| self.ep.and_then(|e| t.endpoint(e).fqdn.as_deref()))
    }

    /// An endpoint as one end of a flow: itself, its subnet, network, zone, address and name.
    pub fn of_endpoint(t: &Topology, e: EpIx) -> Party {
        let mut p = Party::default();
        p.set_endpoint(t, e);
        p
    }

    /// Make this party [`Party::of_endpoint`] in place (a matrix or a flow log sets one per
    /// pair it judges: field by field, no copy of a whole party).
    pub fn set_endpoint(&mut self, t: &Topology, e: EpIx) {
        let Party {
            ep,
            alias,
            subnet,
            network,
            zone,
            addr,
            fqdn,
            outside,
            onprem,
        } = self;
        let rec = t.endpoint(e);
        *ep = Some(e);
        *alias = None;
        *subnet = rec.subnet;
        *network = rec.network;
        *zone = rec.zone;
        *addr = rec.ip;
        *fqdn = None;
        *outside = rec.subnet.is_none();
        *onprem = rec
            .ip
            .filter(|_| rec.subnet.is_none())
            .and_then(|a| t.routing().onprem_gateway(a));
    }

    /// Make this party a copy of `other` in place, field by field (the derived `clone_from`
    /// builds a whole copy and moves it).
    pub fn copy_from(&mut self, other: &Party) {
        let Party {
            ep,
            alias,
            subnet,
            network,
            zone,
            addr,
            fqdn,
            outside,
            onprem,
        } = self;
        *ep = other.ep;
        *alias = other.alias;
        *subnet = other.subnet;
        *network = other.network;
        *zone = other.zone;
        *addr = other.addr;
        fqdn.clone_from(&other.fqdn);
        *outside = other.outside;
        *onprem = other.onprem;
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
    /// The subnet the rule set is enforced in (an interface's: its subnet), whose routes widen
    /// `VirtualNetwork` (SPEC §11.3); `None` for a place in no subnet.
    pub subnet: Option<SubnetIx>,
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

/// Whether `pattern` matches `fqdn` (SPEC §11.6): `*.example.com` every subdomain of
/// example.com (not example.com itself, as Azure Firewall), `.example.com` example.com and its
/// subdomains (AWS Network Firewall domain lists), `*` everything, a bare name itself.
pub fn fqdn_matches(pattern: &str, fqdn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let is_subdomain = |suffix: &str| {
        fqdn.len() > suffix.len() + 1
            && fqdn.ends_with(suffix)
            && fqdn.as_bytes()[fqdn.len() - suffix.len() - 1] == b'.'
    };
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return is_subdomain(suffix);
    }
    if let Some(domain) = pattern.strip_prefix('.') {
        return fqdn == domain || is_subdomain(domain);
    }
    pattern == fqdn
}

/// Whether a selector matches one end of a flow.
#[inline]
pub fn selector_matches(sel: &Selector, p: &Party, ctx: &Ctx<'_>) -> bool {
    // The selectors most rules name, answered in line (a walk asks hundreds of millions on a
    // large matrix); the others below.
    match sel {
        Selector::Any => true,
        Selector::Zone(z) => p.zone == Some(*z),
        Selector::Network(n) => p.network == Some(*n),
        Selector::Subnet(s) => p.subnet == Some(*s),
        Selector::Endpoint(e) => p.ep == Some(*e) || p.alias == Some(*e),
        _ => other_selector_matches(sel, p, ctx),
    }
}

/// [`selector_matches`] for the selectors it does not answer in line.
#[inline(never)]
fn other_selector_matches(sel: &Selector, p: &Party, ctx: &Ctx<'_>) -> bool {
    match sel {
        Selector::Any
        | Selector::Zone(_)
        | Selector::Network(_)
        | Selector::Subnet(_)
        | Selector::Endpoint(_) => selector_matches(sel, p, ctx),
        Selector::Cidr(c) => cidr_holds(c, p, ctx.topo),
        Selector::Fqdn(f) => p.fqdn(ctx.topo).is_some_and(|q| fqdn_matches(f, q)),
        // An on-premises address is outside the internet tag of the rule sets in a network
        // (Azure's `Internet`: "reachable by the public internet"), yet on the zone policy's
        // `internet` side, which is everything outside the networks (SPEC §11.8; the policy is
        // the only rule set judged in no subnet).
        Selector::Internet => p.outside && (p.onprem.is_none() || ctx.subnet.is_none()),
        Selector::Unzoned => !p.outside && p.zone.is_none(),
        Selector::VirtualNetwork
            if ctx.network.is_some_and(|n| {
                ctx.topo
                    .vnet_extra_at(n, ctx.subnet)
                    .iter()
                    .any(|c| cidr_holds(c, p, ctx.topo))
            }) =>
        {
            true
        }
        Selector::VirtualNetwork => match (p.network, ctx.network) {
            (Some(pn), Some(cn)) => pn == cn || ctx.topo.is_peered(cn, pn),
            (Some(_), None) => true,
            _ => false,
        },
        Selector::Tag(i) => ctx
            .topo
            .service_tags()
            .get(*i)
            .is_some_and(|t| t.cidrs.iter().any(|c| cidr_holds(c, p, ctx.topo))),
        Selector::UnknownTag(_) => false,
        Selector::SecurityGroup(g) => {
            let carries = |e: EpIx| ctx.topo.endpoint(e).rule_sets.contains(g);
            p.ep.is_some_and(carries) || p.alias.is_some_and(carries)
        }
        Selector::Asg(a) => {
            let member = |e: EpIx| ctx.topo.endpoint(e).asgs.contains(a);
            p.ep.is_some_and(member) || p.alias.is_some_and(member)
        }
    }
}

/// Whether the rule matches the flow apart from ports.
#[inline]
fn header_matches(rule: &Rule, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> bool {
    if !fixed_matches(rule, flow.protocol, dir) {
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
        let Some(f) = flow.dst.fqdn(ctx.topo) else {
            return false;
        };
        if !rule.fqdns.iter().any(|p| fqdn_matches(p, f)) {
            return false;
        }
    }
    true
}

/// The part of a rule's header neither end of a flow decides: its direction and protocol.
#[inline]
fn fixed_matches(rule: &Rule, protocol: Protocol, dir: Option<Direction>) -> bool {
    if let (Some(want), Some(have)) = (dir, rule.direction)
        && want != have
    {
        return false;
    }
    rule.protocol.matches(protocol)
}

/// Whether `rule` matches every port of `flow` (an ICMP flow: rules whose ports are `*` or whose
/// protocol is ICMP).
pub fn rule_matches(rule: &Rule, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> bool {
    header_matches(rule, flow, dir, ctx)
        && match flow.ports {
            None => rule.ports.is_all() || rule.protocol == Protocol::Icmp,
            Some(p) => p.is_subset(&rule.ports),
        }
}

/// Every port: the pseudo-piece of a flow without ports (ICMP), and what `allowed_ports` asks.
static ALL_PORTS: LazyLock<PortSet> = LazyLock::new(PortSet::all);

/// The passes of a kind's decision order: each pass walks the rules in order (keeping those of
/// the pass's action, or all for `None`), and the first rule of the first pass that matches a
/// port decides it.
fn passes(kind: RuleSetKind) -> &'static [Option<Action>] {
    match kind {
        // First match in rule order (a firewall's rules are in type-then-priority order).
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall => &[None],
        // The union of the allow rules (AWS evaluates all rules; there are no denies).
        RuleSetKind::SecurityGroup => &[Some(Action::Allow)],
        // Any matching deny wins, else an allow.
        RuleSetKind::Policy => &[Some(Action::Deny), Some(Action::Allow)],
    }
}

/// The one evaluation of a rule set: partition the `asked` ports (`None`: a flow without ports,
/// one pseudo-piece) in the kind's decision order into pieces, each decided by one rule
/// (`Some(index)`) or the rule set's default (`None`), and hand each non-empty piece to `f` in
/// that order until it breaks. [`evaluate`] and [`allowed_ports`] are both read from it.
///
/// Allocates the undecided remainder and two scratch sets once per call, never per rule.
fn walk(
    rs: &RuleSet,
    flow: &Flow<'_>,
    dir: Option<Direction>,
    ctx: &Ctx<'_>,
    asked: Option<&PortSet>,
    mut f: impl FnMut(&PortSet, Option<usize>, Action) -> ControlFlow<()>,
) {
    let dir = if rs.kind.directional() { dir } else { None };
    let candidates = |pass: Option<Action>| {
        rs.rules.iter().enumerate().filter(move |(_, r)| {
            // The what-if's switch is asked only of rules that match (most do not).
            pass.is_none_or(|a| r.action == a)
                && header_matches(r, flow, dir, ctx)
                && !(ctx.disabled)(&rs.id, &r.id)
        })
    };
    let Some(asked) = asked else {
        for &pass in passes(rs.kind) {
            for (i, r) in candidates(pass) {
                if r.ports.is_all() || r.protocol == Protocol::Icmp {
                    let _ = f(&ALL_PORTS, Some(i), r.action);
                    return;
                }
            }
        }
        let _ = f(&ALL_PORTS, None, rs.default_action);
        return;
    };
    if asked.is_empty() {
        return;
    }
    let mut left = asked.clone();
    let mut hit = PortSet::empty();
    let mut rest = PortSet::empty();
    for &pass in passes(rs.kind) {
        for (i, r) in candidates(pass) {
            if r.ports.is_all() || left.is_subset(&r.ports) {
                // the rule takes everything still undecided
                let _ = f(&left, Some(i), r.action);
                return;
            }
            left.intersect_into(&r.ports, &mut hit);
            if hit.is_empty() {
                continue;
            }
            if f(&hit, Some(i), r.action).is_break() {
                return;
            }
            left.difference_into(&hit, &mut rest);
            std::mem::swap(&mut left, &mut rest);
        }
    }
    let _ = f(&left, None, rs.default_action);
}

fn decision(rs: &RuleSet, rule: Option<usize>, action: Action, dir: Option<Direction>) -> Decision {
    match rule {
        Some(i) => {
            let r = &rs.rules[i];
            Decision {
                action: r.action,
                rule: Some(i),
                name: r.id.clone(),
                priority: r.priority,
            }
        }
        None => Decision {
            action,
            rule: None,
            name: rs
                .default_name(if rs.kind.directional() { dir } else { None })
                .to_string(),
            priority: None,
        },
    }
}

/// What the rule set decides for the flow, in direction `dir` (ignored by kinds without one):
/// the piece of [`walk`] that holds the flow's port.
///
/// With a range of ports (the return leg of a stateless check) the first denied piece in the
/// kind's decision order decides; when every port is allowed, the rule of the last allowed
/// piece is named.
pub fn evaluate(rs: &RuleSet, flow: &Flow<'_>, dir: Option<Direction>, ctx: &Ctx<'_>) -> Decision {
    let mut found: Option<(Option<usize>, Action)> = None;
    walk(rs, flow, dir, ctx, flow.ports, |_, rule, action| {
        found = Some((rule, action));
        if action == Action::Deny {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    // An empty set of asked ports yields no piece: nothing is allowed.
    let (rule, action) = found.unwrap_or((None, Action::Deny));
    decision(rs, rule, action, dir)
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
/// direction `dir`: the union of the allowed pieces of [`walk`], so exactly the ports for which
/// [`evaluate`] allows. For flows without ports (ICMP) the answer is all or nothing.
pub fn allowed_ports(
    rs: &RuleSet,
    flow: &Flow<'_>,
    dir: Option<Direction>,
    ctx: &Ctx<'_>,
) -> PortSet {
    let asked = flow.protocol.has_ports().then_some(&*ALL_PORTS);
    // Held inline (no allocation per rule set asked), and one piece is the answer as it is: a
    // matrix asks this some 60 million times on L, where sorting one piece costs 0.2 s.
    let mut ranges: smallvec::SmallVec<[(u16, u16); 8]> = smallvec::SmallVec::new();
    let mut pieces = 0usize;
    walk(rs, flow, dir, ctx, asked, |piece, _, action| {
        if action == Action::Allow {
            ranges.extend_from_slice(piece.ranges());
            pieces += 1;
        }
        ControlFlow::Continue(())
    });
    if pieces <= 1 {
        // a piece is a port set already: sorted, disjoint and not adjacent
        return PortSet::from_normalized(&ranges);
    }
    // the pieces are disjoint; normalising sorts them and joins adjacent ones
    PortSet::from_ranges(ranges)
}

/// Whether `rs` can allow some flow of `protocol` in direction `dir` at all, whoever its ends
/// are, under the what-if's switched-off rules. `false` only when [`allowed_ports`] is empty for
/// every such flow: in the kind's decision order no allow rule of that protocol and direction
/// comes before a deny that takes every flow of it (sources and destinations `*`, every port,
/// no FQDN), and the default denies. `true` says nothing: the walk answers.
pub fn may_allow(
    rs: &RuleSet,
    protocol: Protocol,
    dir: Option<Direction>,
    disabled: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let dir = if rs.kind.directional() { dir } else { None };
    let applies = |r: &Rule| fixed_matches(r, protocol, dir) && !disabled(&rs.id, &r.id);
    // A deny that decides every port of every flow of `protocol` it applies to, as the walk
    // takes a rule for the whole undecided rest.
    let takes_all = |r: &Rule| {
        r.sources.contains(&Selector::Any)
            && r.destinations.contains(&Selector::Any)
            && r.fqdns.is_empty()
            && (r.ports.is_all() || (!protocol.has_ports() && r.protocol == Protocol::Icmp))
    };
    // The walk's passes: the first rule to decide every port of every such flow ends it.
    for &pass in passes(rs.kind) {
        for r in rs
            .rules
            .iter()
            .filter(|r| pass.is_none_or(|a| r.action == a) && applies(r))
        {
            if r.action == Action::Allow {
                return true;
            }
            if takes_all(r) {
                return false;
            }
        }
    }
    rs.default_action == Action::Allow
}

/// The pieces of every port of `flow` (its `ports` ignored) as the rule set decides them: each
/// with the rule that decides it (`None`: the default) and the action, in decision order — what
/// a firewall's DNAT rules take, port by port. For flows without ports (ICMP): one piece.
pub fn decided_pieces(
    rs: &RuleSet,
    flow: &Flow<'_>,
    dir: Option<Direction>,
    ctx: &Ctx<'_>,
) -> Vec<(PortSet, Option<usize>, Action)> {
    let asked = flow.protocol.has_ports().then_some(&*ALL_PORTS);
    let mut out = Vec::new();
    walk(rs, flow, dir, ctx, asked, |piece, rule, action| {
        out.push((piece.clone(), rule, action));
        ControlFlow::Continue(())
    });
    out
}
