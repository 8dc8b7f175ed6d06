//! Exact reachability for the design review and the matrix: which ports (TCP and UDP, all
//! 65,536 of each) a source can open to a destination, over every endpoint of a group, with no
//! sampling, under a what-if when one is given.
//!
//! Owns: the [`Engine`] (plans and zone-policy answers cached per topology), endpoint
//! [`Group`]s (endpoints no rule can tell apart), the external address classes
//! ([`External`]: one address per set of internet addresses every rule treats alike), and
//! [`Reach`]. It is the second interpreter of the [`Plan`] that [`crate::engine::trace`] walks
//! at one port: here each stage gives the exact set of ports it allows
//! ([`crate::engine::policy::allowed_ports`]), and a flow on port `p` is allowed iff `p` is in
//! every stage's set, so the intersection is exact. `check` confirms every non-empty answer
//! with one real trace on a witness port; the matrix is tested cell by cell against real traces.
//!
//! Must never: resolve, route or order the checks itself (that is the plan), report anything,
//! print, or decide what a finding is.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::LazyLock;

use ipnet::IpNet;

use crate::engine::path::plan::{Plan, Planner, Stage, ZoneSide, return_ports};
use crate::engine::path::resolve::{DstName, End, addr_end};
use crate::engine::policy::{Ctx, Flow, Party, allowed_ports, decided_pieces, evaluate, may_allow};
use crate::engine::trace::{Query, WhatIf};
use crate::model::rules::{Action, Direction, PortSet, Protocol, Selector};
use crate::model::{EpIx, Kind, NetIx, RuleSetIx, SubnetIx, Topology, ZoneIx};

mod external;
pub use external::{External, external_classes, is_internet};

/// What a flow is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// An endpoint by id: a PaaS service is reached through its nearest routable private
    /// endpoint, else publicly (as `trace` does).
    Ep(EpIx),
    /// A PaaS service reached over the internet, as when its private endpoints fail.
    Public(EpIx),
    /// An address outside every network.
    Addr(IpAddr),
    /// A name outside every private zone (an FQDN a firewall rule names).
    Name(String),
    /// The internet as a whole (`trace --to internet`): no address, so only rules naming the
    /// internet or any address match it.
    Internet,
}

/// The ports a flow may use, per transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub tcp: PortSet,
    pub udp: PortSet,
    pub via_pe: Option<EpIx>,
}

impl Reach {
    pub fn any(&self) -> bool {
        !self.tcp.is_empty() || !self.udp.is_empty()
    }

    /// A port to confirm it on: TCP first; a port a client really uses (443, 80, 22, 53, else
    /// the lowest but 0, which no TCP or UDP flow has) rather than the set's first.
    pub fn witness(&self) -> Option<(Protocol, u16)> {
        let pick = |s: &PortSet| {
            [443, 80, 22, 53]
                .into_iter()
                .find(|p| s.contains(*p))
                .or_else(|| {
                    s.ranges()
                        .iter()
                        .find(|(_, hi)| *hi >= 1)
                        .map(|(lo, _)| (*lo).max(1))
                })
                .or_else(|| s.first())
        };
        pick(&self.tcp)
            .map(|p| (Protocol::Tcp, p))
            .or_else(|| pick(&self.udp).map(|p| (Protocol::Udp, p)))
    }

    /// `tcp/443,8443 udp/53`.
    pub fn text(&self) -> String {
        let mut v = Vec::new();
        if !self.tcp.is_empty() {
            v.push(format!("tcp/{}", self.tcp));
        }
        if !self.udp.is_empty() {
            v.push(format!("udp/{}", self.udp));
        }
        v.join(" ")
    }
}

/// The protocols a zone-policy answer is cached for (every [`Protocol`]).
const PROTOCOLS: usize = 6;
const _: () = assert!(
    Protocol::Http as usize + 1 == PROTOCOLS,
    "a protocol without a slot"
);

/// Slots of the dense zone-policy cache: every (zone, zone, protocol), up to 256 zones (beyond,
/// answers are computed each time).
fn policy_slots(t: &Topology) -> usize {
    // Every zone, `unzoned` and `internet` (see [`ZoneSide::index`]).
    let z = t.zones().len() + 2;
    if z <= 258 { z * z * PROTOCOLS } else { 0 }
}

/// The bit of a (protocol, direction) in [`Engine`]'s per-rule-set cache of [`may_allow`].
fn open_slot(proto: Protocol, dir: Option<Direction>) -> usize {
    let d = match dir {
        None => 0,
        Some(Direction::Inbound) => 1,
        Some(Direction::Outbound) => 2,
    };
    d * PROTOCOLS + proto as usize
}

/// Nothing switched off.
static NO_WHATIF: LazyLock<WhatIf> = LazyLock::new(WhatIf::default);

/// Exact reachability over one topology, with caches.
pub struct Engine<'a> {
    pub t: &'a Topology,
    /// Plans the flows (routes cached per source network) under the what-if.
    planner: Planner<'a>,
    /// The zone policy names only zones and `*`: its answer depends on the two zones alone.
    policy_pure: bool,
    /// Per (source zone, destination zone, protocol), when there are few enough zones.
    policy_cache: RefCell<Vec<Option<PortSet>>>,
    /// The last plan, overwritten by the next.
    scratch: RefCell<Option<Plan>>,
    /// The ends of the last flow asked only for its route, overwritten by the next.
    route_ends: RefCell<(End, End)>,
    /// Per rule set, per (direction, protocol) slot ([`open_slot`]): whether [`may_allow`] was
    /// asked (`.0`) and what it said (`.1`).
    open: RefCell<Vec<(u32, u32)>>,
    /// Per endpoint, the zone a flow to it has before routing ([`Engine::target_zone`]): read
    /// for every pair of a matrix, so kept dense.
    target_zones: Vec<Option<ZoneIx>>,
}

/// The source party of an endpoint.
pub fn src_party(t: &Topology, e: EpIx) -> Party {
    Party::of_endpoint(t, e)
}

/// The source party of an address (outside every network, or inside one).
pub fn addr_party(t: &Topology, a: IpAddr) -> Party {
    addr_end(t, a).party
}

impl<'a> Engine<'a> {
    pub fn new(t: &'a Topology) -> Self {
        Self::with_whatif(t, &NO_WHATIF)
    }

    /// An engine that answers as [`crate::engine::trace::trace`] does under the what-if `w`.
    pub fn with_whatif(t: &'a Topology, w: &'a WhatIf) -> Self {
        let policy_pure = t.zone_policy().is_none_or(|p| {
            p.rules.iter().all(|r| {
                r.fqdns.is_empty()
                    && r.sources.iter().chain(&r.destinations).all(|s| {
                        // `Internet` depends on more than the zone (a service reached
                        // publicly is outside yet in its zone): not pure.
                        matches!(s, Selector::Any | Selector::Zone(_) | Selector::Unzoned)
                    })
            })
        });
        Engine {
            t,
            planner: Planner::new(t, w, false),
            policy_pure,
            policy_cache: RefCell::new(vec![None; policy_slots(t)]),
            scratch: RefCell::new(None),
            route_ends: RefCell::new((
                End::of_party(&Party::default()),
                End::of_party(&Party::default()),
            )),
            open: RefCell::new(vec![(0, 0); t.rule_sets().len()]),
            target_zones: t
                .endpoints()
                .iter()
                .map(|ep| match (ep.kind, ep.target) {
                    (Kind::PrivateEndpoint, Some(svc)) => t.endpoint(svc).zone,
                    _ => ep.zone,
                })
                .collect(),
        }
    }

    fn w(&self) -> &WhatIf {
        self.planner.whatif()
    }

    /// [`may_allow`] of a rule set of the topology, asked once per engine.
    fn may_allow(&self, set: RuleSetIx, proto: Protocol, dir: Option<Direction>) -> bool {
        let bit = 1u32 << open_slot(proto, dir);
        if let Some(&(asked, open)) = self.open.borrow().get(set.index())
            && asked & bit != 0
        {
            return open & bit != 0;
        }
        let w = self.w();
        let disabled = |set: &str, rule: &str| w.rule_down(set, rule);
        let open = may_allow(self.t.rule_set(set), proto, dir, &disabled);
        if let Some(slot) = self.open.borrow_mut().get_mut(set.index()) {
            slot.0 |= bit;
            if open {
                slot.1 |= bit;
            }
        }
        open
    }

    /// The zone a target has, before routing decides how it is reached.
    fn target_zone(&self, target: &Target) -> Option<ZoneIx> {
        match target {
            Target::Ep(e) | Target::Public(e) => {
                self.target_zones.get(e.index()).copied().flatten()
            }
            Target::Addr(_) | Target::Name(_) | Target::Internet => None,
        }
    }

    /// `f` of the plan from `src` to `target`, as the trace builds it, written in place over
    /// the last plan (a matrix plans millions of flows: none is moved, no stage list allocated).
    fn with_plan<R>(&self, src: &Party, target: &Target, f: impl FnOnce(&Plan) -> R) -> R {
        let mut scratch = self.scratch.borrow_mut();
        let name = Self::name_of(target);
        let plan = match &mut *scratch {
            Some(plan) => {
                self.planner.plan_to_into(src, name, plan);
                plan
            }
            slot @ None => slot.insert(self.planner.plan_to(End::of_party(src), name)),
        };
        f(plan)
    }

    fn name_of(target: &Target) -> DstName {
        match target {
            Target::Ep(e) => DstName::Ep(*e),
            Target::Public(e) => DstName::Public(*e),
            Target::Addr(a) => DstName::Addr(*a),
            Target::Name(n) => DstName::Fqdn(n.clone()),
            Target::Internet => DstName::Internet,
        }
    }

    /// `f` of the ports the zone policy allows between two sides (`None` without a policy or
    /// between one side and itself), read in place from the cache when the policy is pure.
    fn policy_ports<R>(
        &self,
        (zs, zd, net): (ZoneSide, ZoneSide, Option<NetIx>),
        (src, dst): (&Party, &Party),
        proto: Protocol,
        f: impl FnOnce(&PortSet) -> R,
    ) -> Option<R> {
        let pol = self.t.zone_policy()?;
        if zs == zd {
            return None;
        }
        let compute = || {
            let flow = Flow {
                src,
                dst,
                protocol: proto,
                ports: None,
            };
            let w = self.w();
            let disabled = |set: &str, rule: &str| w.rule_down(set, rule);
            let ctx = Ctx {
                topo: self.t,
                network: net,
                subnet: None,
                disabled: &disabled,
            };
            allowed_ports(pol, &flow, None, &ctx)
        };
        let sides = self.t.zones().len() + 2;
        let slot = (zs.index(self.t) * sides + zd.index(self.t)) * PROTOCOLS + proto as usize;
        if !self.policy_pure || slot >= self.policy_cache.borrow().len() {
            return Some(f(&compute()));
        }
        if self.policy_cache.borrow()[slot].is_none() {
            let p = compute();
            self.policy_cache.borrow_mut()[slot] = Some(p);
        }
        self.policy_cache.borrow()[slot].as_ref().map(f)
    }

    /// Whether the zone policy alone already forbids every port between these zones.
    fn policy_forbids(&self, src: &Party, target: &Target, proto: Protocol) -> bool {
        if !self.policy_pure {
            return false;
        }
        let (Some(zs), Some(zd)) = (src.zone, self.target_zone(target)) else {
            return false;
        };
        if zs == zd {
            // One zone: the policy has no stage between them.
            return false;
        }
        // Asked for every pair of a matrix: the cached answer, read in place.
        let sides = self.t.zones().len() + 2;
        let slot = (zs.index() * sides + zd.index()) * PROTOCOLS + proto as usize;
        if let Some(Some(p)) = self.policy_cache.borrow().get(slot) {
            return p.is_empty();
        }
        let probe = Party {
            zone: Some(zd),
            ..Party::default()
        };
        let sides = (ZoneSide::Zone(zs), ZoneSide::Zone(zd), src.network);
        self.policy_ports(sides, (src, &probe), proto, PortSet::is_empty)
            .unwrap_or(false)
    }

    /// The ports one rule-set stage allows, intersected into `acc`; a stateless rule set's
    /// return leg, reversed on its return ports, is all or nothing.
    #[allow(clippy::too_many_arguments)]
    fn rules(
        &self,
        set: RuleSetIx,
        (sp, dp): (&Party, &Party),
        proto: Protocol,
        dir: Option<Direction>,
        (net, subnet): (Option<NetIx>, Option<SubnetIx>),
        stateless: bool,
        acc: &mut PortSet,
    ) {
        // A rule set that allows nothing of this protocol in this direction, whoever the ends:
        // no walk (a matrix asks UDP of every pair in one zone; few rule sets allow any).
        if !self.may_allow(set, proto, dir) {
            *acc = PortSet::empty();
            return;
        }
        let rs = self.t.rule_set(set);
        let w = self.w();
        let disabled = |set: &str, rule: &str| w.rule_down(set, rule);
        let ctx = Ctx {
            topo: self.t,
            network: net,
            subnet,
            disabled: &disabled,
        };
        let flow = Flow {
            src: sp,
            dst: dp,
            protocol: proto,
            ports: None,
        };
        acc.intersect_with(&allowed_ports(rs, &flow, dir, &ctx));
        if stateless && !acc.is_empty() {
            let back_ports = return_ports(rs);
            let back = Flow {
                src: dp,
                dst: sp,
                protocol: proto,
                // A flow without ports (ICMP) comes back without ports, as the trace asks it.
                ports: proto.has_ports().then_some(&back_ports),
            };
            let rdir = dir.map(|d| match d {
                Direction::Inbound => Direction::Outbound,
                Direction::Outbound => Direction::Inbound,
            });
            if evaluate(rs, &back, rdir, &ctx).action == Action::Deny {
                *acc = PortSet::empty();
            }
        }
    }

    /// Every port of `proto` the plan allows, exactly: the intersection of its stages' answers
    /// (cheapest first; the order of stages does not change an intersection). With DNAT legs
    /// (SPEC §11.6): the stages before the firewall's, then per piece of ports the firewall
    /// decides — a DNAT rule's piece by its leg (at the translated port), another allowed piece
    /// by the stages after the firewall's.
    fn ports(&self, plan: &Plan, proto: Protocol) -> PortSet {
        if plan.route.is_err() {
            return PortSet::empty();
        }
        let n = plan.stages.len();
        let Some(k) = plan.dnat.first().map(|l| l.stage) else {
            return self.ports_in(plan, 0..n, proto);
        };
        let pre = self.ports_in(plan, 0..k, proto);
        if pre.is_empty() {
            return pre;
        }
        let Some(&Stage::Rules {
            set, at, dir, net, ..
        }) = plan.stages.get(k)
        else {
            return PortSet::empty();
        };
        let w = self.w();
        let disabled = |set: &str, rule: &str| w.rule_down(set, rule);
        let ctx = Ctx {
            topo: self.t,
            network: net,
            subnet: at.subnet(self.t),
            disabled: &disabled,
        };
        let flow = Flow {
            src: &plan.src_at(k).party,
            dst: &plan.dst.party,
            protocol: proto,
            ports: None,
        };
        let mut post: Option<PortSet> = None;
        let mut ranges: Vec<(u16, u16)> = Vec::new();
        for (piece, rule, action) in decided_pieces(self.t.rule_set(set), &flow, dir, &ctx) {
            if action != Action::Allow {
                continue;
            }
            let got = match plan.dnat.iter().find(|l| rule == Some(l.rule)) {
                Some(leg) => {
                    let beyond = self.ports(&leg.plan, proto);
                    match leg.port {
                        // Every port of the piece is sent to one port.
                        Some(p) if beyond.contains(p) => piece,
                        Some(_) => PortSet::empty(),
                        None => piece.intersect(&beyond),
                    }
                }
                None => piece
                    .intersect(post.get_or_insert_with(|| self.ports_in(plan, k + 1..n, proto))),
            };
            ranges.extend_from_slice(got.ranges());
        }
        pre.intersect(&PortSet::from_ranges(ranges))
    }

    /// [`Engine::ports`] over the stages `range` of the plan alone.
    fn ports_in(&self, plan: &Plan, range: std::ops::Range<usize>, proto: Protocol) -> PortSet {
        let t = self.t;
        let ends = (&plan.src.party, &plan.dst.party);
        let mut acc = PortSet::all();
        let off = range.start;
        let stages = &plan.stages[range];
        for st in stages {
            match *st {
                Stage::Listener { owner } => {
                    // A listener's ports say nothing of a flow without ports (ICMP).
                    if let Some(p) = t
                        .endpoint(owner)
                        .ports
                        .as_ref()
                        .filter(|_| proto.has_ports())
                    {
                        acc.intersect_with(p);
                    }
                }
                Stage::ZonePolicy { from, to, net } => {
                    self.policy_ports((from, to, net), ends, proto, |p| acc.intersect_with(p));
                }
                Stage::NoRules { .. } | Stage::PublicAccessOff { .. } => return PortSet::empty(),
                Stage::Rules { .. } => {}
            }
            if acc.is_empty() {
                return acc;
            }
        }
        for (i, st) in stages.iter().enumerate() {
            if let Stage::Rules {
                set,
                at,
                dir,
                net,
                stateless,
            } = *st
            {
                // Past a source NAT the rule sets see the translated source (the plan says which).
                let ends = (&plan.src_at(off + i).party, ends.1);
                let scope = (net, at.subnet(t));
                self.rules(set, ends, proto, dir, scope, stateless, &mut acc);
                if acc.is_empty() {
                    return acc;
                }
            }
        }
        acc
    }

    /// Whether the zone policy alone forbids every TCP and UDP port from `src` to `target` (the
    /// same for every target in that zone).
    pub fn forbids(&self, src: &Party, target: &Target) -> bool {
        self.policy_forbids(src, target, Protocol::Tcp)
            && self.policy_forbids(src, target, Protocol::Udp)
    }

    /// Every TCP and UDP port on which `src` reaches `target`.
    pub fn reach(&self, src: &Party, target: &Target) -> Reach {
        let forbid = self.forbidden(src, target);
        if forbid == (true, true) {
            return Reach {
                tcp: PortSet::empty(),
                udp: PortSet::empty(),
                via_pe: None,
            };
        }
        self.with_plan(src, target, |plan| self.reach_to(plan, forbid))
    }

    /// [`Engine::reach`] (on one transport only when `only` names it: the other is left empty),
    /// and whether the flow has a route at all (without one the trace's verdict is `no_route`,
    /// whatever the rules say).
    pub fn reach_routed(
        &self,
        src: &Party,
        target: &Target,
        only: Option<Protocol>,
    ) -> (Reach, bool) {
        self.reach_routed_in(src, target, only, true)
            .unwrap_or_else(|| unreachable!("DNAT legs are interpreted when asked to"))
    }

    /// [`Engine::reach_routed`] for a flow a firewall does not translate: `None` when the plan
    /// has DNAT legs. A port set and one route flag cannot say that some ports are DNAT'd to a
    /// backend with no route (`no_route` at those ports only), which the trace says: a caller
    /// that reports verdicts port by port traces such flows.
    pub fn reach_routed_untranslated(
        &self,
        src: &Party,
        target: &Target,
        only: Option<Protocol>,
    ) -> Option<(Reach, bool)> {
        self.reach_routed_in(src, target, only, false)
    }

    fn reach_routed_in(
        &self,
        src: &Party,
        target: &Target,
        only: Option<Protocol>,
        dnat: bool,
    ) -> Option<(Reach, bool)> {
        let forbid = match only {
            Some(Protocol::Tcp) => (self.policy_forbids(src, target, Protocol::Tcp), true),
            Some(Protocol::Udp) => (true, self.policy_forbids(src, target, Protocol::Udp)),
            _ => self.forbidden(src, target),
        };
        let none = |via_pe| Reach {
            tcp: PortSet::empty(),
            udp: PortSet::empty(),
            via_pe,
        };
        if forbid == (true, true) {
            // The zone policy forbids every port: only whether a route exists is asked (the
            // plan's route, without its stages).
            let (end, dst) = &mut *self.route_ends.borrow_mut();
            end.set_party(src);
            let (via_pe, routed) = self.planner.routed_in(end, Self::name_of(target), dst);
            return Some((none(via_pe), routed));
        }
        self.with_plan(src, target, |plan| {
            if plan.route.is_err() {
                Some((none(plan.dst.via_pe), false))
            } else if !dnat && !plan.dnat.is_empty() {
                None
            } else {
                Some((self.reach_to(plan, forbid), true))
            }
        })
    }

    /// Whether the design lets a flow of `proto` without ports (ICMP) go from `src` to
    /// `target`, and whether it routes it at all: the exact engine's answer for one
    /// pseudo-port (every rule set's answer is all or nothing), as the trace gives it. `None`
    /// when the plan has DNAT legs (a firewall translates ports: trace the flow instead).
    pub fn reach_portless(
        &self,
        src: &Party,
        target: &Target,
        proto: Protocol,
    ) -> Option<(bool, bool)> {
        self.with_plan(src, target, |plan| {
            if plan.route.is_err() {
                Some((false, false))
            } else if plan.dnat.is_empty() {
                Some((!self.ports(plan, proto).is_empty(), true))
            } else {
                None
            }
        })
    }

    /// Whether the zone policy alone forbids every TCP port, and every UDP port.
    fn forbidden(&self, src: &Party, target: &Target) -> (bool, bool) {
        (
            self.policy_forbids(src, target, Protocol::Tcp),
            self.policy_forbids(src, target, Protocol::Udp),
        )
    }

    fn reach_to(&self, plan: &Plan, (forbid_tcp, forbid_udp): (bool, bool)) -> Reach {
        let tcp = if forbid_tcp {
            PortSet::empty()
        } else {
            self.ports(plan, Protocol::Tcp)
        };
        let udp = if forbid_udp {
            PortSet::empty()
        } else {
            self.ports(plan, Protocol::Udp)
        };
        Reach {
            tcp,
            udp,
            via_pe: plan.dst.via_pe,
        }
    }

    /// The trace query (and what-if) that replays `src -> target` on one port.
    pub fn query(
        &self,
        from: &str,
        target: &Target,
        proto: Protocol,
        port: u16,
    ) -> (Query, WhatIf) {
        let t = self.t;
        let mut w = WhatIf::default();
        let to = match target {
            Target::Ep(e) => t.endpoint(*e).id.clone(),
            Target::Public(e) => {
                w.endpoints
                    .extend(t.private_endpoints_of(*e).iter().copied());
                t.endpoint(*e).id.clone()
            }
            Target::Addr(a) => a.to_string(),
            Target::Name(n) => n.clone(),
            Target::Internet => "internet".to_string(),
        };
        (Query::new(from, &to, Some(port), proto), w)
    }
}

/// Endpoints that every rule treats alike: one representative is enough.
#[derive(Debug, Clone)]
pub struct Group {
    pub rep: EpIx,
    pub members: Vec<EpIx>,
}

/// Every rule (rule sets and zone policy).
fn all_rules(t: &Topology) -> impl Iterator<Item = &crate::model::rules::Rule> {
    t.rule_sets()
        .iter()
        .chain(t.zone_policy())
        .flat_map(|rs| rs.rules.iter())
}

/// Every selector of every rule.
fn all_selectors(t: &Topology) -> impl Iterator<Item = &Selector> {
    all_rules(t).flat_map(|r| r.sources.iter().chain(r.destinations.iter()))
}

/// Group the endpoints (private endpoints excluded): same subnet, zone, kind, listeners, public
/// IP, rule sets of their own and ASGs, FQDNs that the same FQDN patterns of the rules match
/// (a rule's `fqdns:` and FQDN selectors are the only ones that read an endpoint's FQDN; an
/// endpoint without one matches none, as one whose FQDN no pattern matches), not named by any
/// rule, and no rule address (CIDR or service tag) that holds some addresses of their subnet
/// but not all holds them.
/// An endpoint outside every subnet (the internet, on-premises) is matched by its own address,
/// so it is a group of its own.
pub fn groups(t: &Topology) -> Vec<Group> {
    groups_apart(t, &HashSet::new())
}

/// [`groups`], with each endpoint of `apart` in a group of its own (the endpoints a what-if
/// switches off behave unlike their neighbours).
pub fn groups_apart<S: std::hash::BuildHasher>(
    t: &Topology,
    apart: &HashSet<EpIx, S>,
) -> Vec<Group> {
    type Key = (
        Option<SubnetIx>,
        Option<ZoneIx>,
        Kind,
        Option<PortSet>,
        bool,
        // Its own rule sets (security groups, a NIC's NSG) and ASGs, in order: a rule naming a
        // group or an ASG matches every endpoint that carries it, so endpoints that carry the
        // same ones are alike (an AWS export gives every instance its groups).
        Vec<RuleSetIx>,
        Vec<u32>,
        // The FQDN patterns (indices into `patterns`) its FQDN matches.
        Vec<u32>,
    );
    let mut named: HashSet<EpIx> = HashSet::new();
    let mut cidrs: Vec<IpNet> = Vec::new();
    let mut patterns: Vec<&str> = Vec::new();
    for s in all_selectors(t) {
        match s {
            Selector::Endpoint(e) => {
                named.insert(*e);
            }
            Selector::Cidr(c) => cidrs.push(*c),
            Selector::Fqdn(f) => patterns.push(f),
            _ => {}
        }
    }
    patterns.extend(all_rules(t).flat_map(|r| r.fqdns.iter().map(String::as_str)));
    patterns.sort_unstable();
    patterns.dedup();
    for tag in t.service_tags() {
        cidrs.extend(tag.cidrs.iter().copied());
    }
    cidrs.sort_unstable();
    cidrs.dedup();
    // CIDRs that split a subnet: some of its addresses in, some out.
    let mut narrow: HashMap<SubnetIx, Vec<IpNet>> = HashMap::new();
    for c in &cidrs {
        if let Some(s) = t.lookup_ip(c.network()).subnet {
            let sub = t.subnet(s);
            if !sub.cidrs.iter().all(|n| c.contains(n)) {
                narrow.entry(s).or_default().push(*c);
            }
        }
    }
    let mut by_key: HashMap<Key, usize> = HashMap::new();
    let mut out: Vec<Group> = Vec::new();
    for (i, ep) in t.endpoints().iter().enumerate() {
        let e = EpIx(i as u32);
        if ep.kind == Kind::PrivateEndpoint {
            continue;
        }
        // Outside every subnet (`is_paas`): matched by its own address.
        let unique = ep.is_paas()
            || apart.contains(&e)
            || named.contains(&e)
            || ep.subnet.is_some_and(|s| {
                t.subnet(s).cidrs.len() > 1
                    || narrow
                        .get(&s)
                        .is_some_and(|cs| ep.ip.is_some_and(|a| cs.iter().any(|c| c.contains(&a))))
            });
        if unique {
            out.push(Group {
                rep: e,
                members: vec![e],
            });
            continue;
        }
        let key = (
            ep.subnet,
            ep.zone,
            ep.kind,
            ep.ports.clone(),
            ep.public_ip.is_some(),
            ep.rule_sets.clone(),
            ep.asgs.clone(),
            ep.fqdn.as_deref().map_or_else(Vec::new, |f| {
                (0u32..)
                    .zip(&patterns)
                    .filter(|(_, p)| crate::engine::policy::fqdn_matches(p, f))
                    .map(|(i, _)| i)
                    .collect()
            }),
        );
        if let Some(&g) = by_key.get(&key) {
            out[g].members.push(e);
        } else {
            by_key.insert(key, out.len());
            out.push(Group {
                rep: e,
                members: vec![e],
            });
        }
    }
    out
}
