//! Classifying flow records against a design: each address to its endpoint, subnet, network
//! and zone (longest-prefix match), each flow to the design's verdict (the exact engine on the
//! plan, [`crate::engine::reach`], for TCP, UDP and ICMP; a trace for a flow through a DNAT or
//! to a gateway with backends, and for the samples a report explains), and each record to
//! initiator or reply.
//!
//! Owns: [`Classifier`] with its bounded caches (per pair of end classes and transport, the
//! ports the exact engine allows, [`super::classes`], so that one plan answers every flow the
//! design cannot tell apart; per classes and port interval, the traced [`Judgement`]s),
//! [`SharedClasses`] (the classes the parts of a log read in parallel share), and the reply
//! heuristic ([`is_reply`]). Must never: resolve, route or enforce itself (that is the plan),
//! read a log, keep a record, grow without bound (each cache is cleared when it reaches its
//! cap, so memory is bounded whatever the log holds), or panic on an address, port or
//! protocol.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

pub use crate::model::fxhash::{AddrKey, FxHasher, FxMap};
use crate::model::rules::RuleRef;

pub use super::classes::{ClassIndex, EndKey};
use crate::engine::reach::{Engine, Target, addr_party};
use crate::engine::trace::{Query, WhatIf, trace};
use crate::model::rules::{Action, Protocol};
use crate::model::{EpIx, NetIx, SubnetIx, Topology, Verdict, Zone, ZoneRole};

/// Entries of each cache (port sets per pair, traced judgements) before it is cleared.
pub const VERDICT_CACHE_CAP: usize = 1 << 18;

/// A flow as the design judges it: initiator, responder, port, protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FlowKey {
    from: EndKey,
    to: EndKey,
    /// The port's interval between rule boundaries ([`ClassIndex::port`]), or `u32::MAX`
    /// for none (ICMP).
    port: u32,
    protocol: Protocol,
}

impl Hash for FlowKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.from.bits()) << 32 | u64::from(self.to.bits()));
        state.write_u64(u64::from(self.port) << 8 | self.protocol as u64);
    }
}

/// Where an address falls in the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddrClass {
    pub endpoint: Option<EpIx>,
    pub subnet: Option<SubnetIx>,
    pub network: Option<NetIx>,
    /// Index into [`Classifier::zone_names`]: a zone of the topology, then `internet`
    /// (outside every network), then `unzoned` (inside a network, in no zone).
    pub zone: u16,
    /// The verdict-cache key of the address: its endpoint's group, or the class of addresses
    /// the design cannot tell apart from it (see [`super::classes`]).
    pub key: EndKey,
    /// The endpoint's listening ports, in short (kept here so that the reply test does not
    /// reach into the topology for every record).
    pub ports: Listen,
    /// The address is a NAT gateway's (kept here for the same reason:
    /// [`super::translated`] asks it of every record).
    pub nat_gateway: bool,
}

/// An endpoint's declared listening ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Listen {
    /// Not an endpoint, or no `ports:` (any port).
    #[default]
    Undeclared,
    /// One range of ports.
    Range(u16, u16),
    /// Several ranges: ask the topology.
    Several,
}

impl AddrClass {
    /// Outside every network of the design (a PaaS endpoint with a public address counts as
    /// outside too: it has no network).
    pub fn external(&self) -> bool {
        self.network.is_none()
    }
}

/// A rule that allowed a flow, as reported for a broken call: the one [`RuleRef`] type.
pub type AllowingRule = RuleRef;

/// The rule that decided a verdict: the one [`RuleRef`] type.
pub type DecidingRule = RuleRef;

/// The design's answer for one flow, kept in the verdict cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub decided_by: Option<DecidingRule>,
    pub reason: String,
    pub path: Vec<String>,
    /// The allowing rules on the path (for an `allow`), in path order.
    pub allowed_by: Vec<AllowingRule>,
    /// The flow that was traced (initiator, responder, port): the reason and path name its
    /// addresses and port, which another flow of the same classes shares the verdict of.
    pub traced: (IpAddr, IpAddr, Option<u16>),
}

impl Judgement {
    /// The verdict alone, for a flow the exact engine judged but a trace could not explain.
    pub fn unexplained(verdict: Verdict, traced: (IpAddr, IpAddr, Option<u16>)) -> Judgement {
        Judgement {
            verdict,
            decided_by: None,
            reason: String::new(),
            path: Vec::new(),
            allowed_by: Vec::new(),
            traced,
        }
    }
}

/// The IANA protocol number as a protocol the design can trace; `None` for the others.
pub fn protocol_of(number: u8) -> Option<Protocol> {
    match number {
        6 => Some(Protocol::Tcp),
        17 => Some(Protocol::Udp),
        1 | 58 => Some(Protocol::Icmp),
        _ => None,
    }
}

/// Lowest ephemeral port (AWS NACL guidance: 1024–65535).
pub const EPHEMERAL: u16 = 1024;

/// Whether an AWS record is the reply half of a connection (sent by the responder).
///
/// AWS logs each direction of a connection as its own record, so the responder's packets
/// appear with `srcport` = the service port. A TCP or UDP record is a reply when its
/// destination port is ephemeral (>= 1024), the destination does not itself declare that
/// port as a listening port, and the source port is a service port: a declared listening
/// port of the source endpoint, or, when the source declares none, a well-known port
/// (1–1023). ICMP and other protocols have no ports: never a reply.
pub fn is_reply(
    t: &Topology,
    protocol: u8,
    src_port: u16,
    dst_port: u16,
    src: &AddrClass,
    dst: &AddrClass,
) -> bool {
    if !matches!(protocol, 6 | 17) || dst_port < EPHEMERAL {
        return false;
    }
    let listens = |c: &AddrClass, port: u16| match c.ports {
        Listen::Undeclared => None,
        Listen::Range(lo, hi) => Some((lo..=hi).contains(&port)),
        Listen::Several => c
            .endpoint
            .and_then(|e| t.endpoint(e).ports.as_ref())
            .map(|p| p.contains(port)),
    };
    if listens(dst, dst_port) == Some(true) {
        return false;
    }
    listens(src, src_port).unwrap_or_else(|| (1..EPHEMERAL).contains(&src_port))
}

/// What the classifiers of the parts of one log read in parallel share: the classes of the
/// design, built once. Not the verdicts: a verdict costs a plan on the exact engine, less than
/// the lock a shared map took on every miss (with two parts, the second core waited on it).
#[derive(Default)]
pub struct SharedClasses {
    /// The classes of the design, built by the first classifier that needs them.
    index: OnceLock<Arc<ClassIndex>>,
}

impl SharedClasses {
    /// Builds the classes of `t` now, if no classifier has (the classifiers that share them
    /// then start at once).
    pub fn prepare(&self, t: &Topology) {
        self.index.get_or_init(|| Arc::new(ClassIndex::new(t)));
    }
}

/// Addresses to zones and classes, flows to verdicts, with a bounded verdict cache.
pub struct Classifier<'t> {
    t: &'t Topology,
    what_if: WhatIf,
    index: Arc<ClassIndex>,
    /// Traced flows (classes, port interval) → index into `judgements` (`u32::MAX`: the trace
    /// failed).
    verdicts: FxMap<FlowKey, u32>,
    judgements: Vec<Judgement>,
    /// Times `judgements` was emptied: an index [`Judged::judgement`] gave is valid while
    /// this stays as it was ([`Classifier::judgements_epoch`]).
    judgements_epoch: u64,
    zone_names: Vec<String>,
    /// The role of each zone (SPEC §11.8: its `role:`, else its id), by zone index.
    zone_roles: Vec<Option<ZoneRole>>,
    /// Flows the engine judged: plans for a new pair of classes, and traces (the caches'
    /// misses).
    pub traces: u64,
    /// Verdict lookups answered from the cache.
    pub cache_hits: u64,
    /// Flows the engine could not trace (the error is counted, never fatal).
    pub trace_errors: u64,
    /// Trace every flow, caching nothing (the reference the class-keyed cache is tested
    /// against).
    uncached: bool,
    /// The exact engine that gives a cache miss its verdict (the plan over port sets, as
    /// `check` and `matrix` use it): a verdict costs a plan, not a whole explained trace.
    engine: Engine<'t>,
    /// Endpoints that fan out to backends (a gateway): the trace of a flow to one also
    /// traces its backends, and fails when one of those does, so such flows are traced.
    fans_out: Vec<bool>,
    /// Per (class, class, transport): the ports the design allows (an index into `port_sets`),
    /// and whether it routes ([`Slot`]). Small entries: the map is probed once per record.
    pair_ports: FxMap<PairKey, Slot>,
    /// The distinct port sets of `pair_ports` (few: most pairs share a handful), each once.
    port_sets: Vec<crate::model::rules::PortSet>,
    set_ids: FxMap<crate::model::rules::PortSet, u32>,
}

/// A pair's entry in [`Classifier`]'s port-set cache: [`Slot::TRACED`], or the index of its
/// port set with the top bit set when the flow has a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Slot(u32);

impl Slot {
    const TRACED: Slot = Slot(u32::MAX);
    const ROUTED: u32 = 1 << 31;

    fn set(self) -> usize {
        (self.0 & !Self::ROUTED) as usize
    }

    fn routed(self) -> bool {
        self.0 & Self::ROUTED != 0
    }
}

/// A pair of end classes and a transport, as a cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PairKey((EndKey, EndKey, Protocol));

impl Hash for PairKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (a, b, p) = self.0;
        state.write_u64(u64::from(a.bits()) << 32 | u64::from(b.bits()));
        state.write_u8(p as u8);
    }
}

/// What the exact engine says of a pair of classes on one transport.
#[derive(Clone, Debug)]
enum PairPorts {
    /// The ports it allows, and whether it routes the flow at all.
    Ports {
        set: crate::model::rules::PortSet,
        routed: bool,
    },
    /// The flow must be traced (to a gateway with backends, or through a firewall's DNAT):
    /// its judgement is cached by classes and port interval.
    Traced,
}

/// The port a pair's port set is asked at (ICMP's set is every port or none); `None` for a
/// flow the port sets do not answer.
fn probe_port(port: Option<u16>, protocol: Protocol) -> Option<u16> {
    match (port, protocol) {
        (Some(p), Protocol::Tcp | Protocol::Udp) => Some(p),
        (None, Protocol::Icmp) => Some(0),
        _ => None,
    }
}

fn ports_verdict(routed: bool, set: &crate::model::rules::PortSet, port: u16) -> Verdict {
    match (routed, set.contains(port)) {
        (false, _) => Verdict::NoRoute,
        (true, true) => Verdict::Allow,
        (true, false) => Verdict::Deny,
    }
}

/// A flow's verdict as [`Classifier::judge`] gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    pub verdict: Verdict,
    /// The index of the flow's whole [`Judgement`] (valid until the next call, or while
    /// [`Classifier::judgements_epoch`] stays the same) when it was
    /// traced; `None` for a verdict of the exact engine alone (no deciding rule, reason or
    /// path: a report that shows them traces its record, [`Classifier::exact`]).
    pub judgement: Option<u32>,
}

impl Judged {
    fn verdict(verdict: Verdict) -> Judged {
        Judged {
            verdict,
            judgement: None,
        }
    }
}

impl<'t> Classifier<'t> {
    pub fn new(t: &'t Topology) -> Self {
        Self::with_index(t, Arc::new(ClassIndex::new(t)))
    }

    fn with_index(t: &'t Topology, index: Arc<ClassIndex>) -> Self {
        let mut zone_names: Vec<String> = t.zones().iter().map(|z| z.id.clone()).collect();
        zone_names.push("internet".to_string());
        zone_names.push("unzoned".to_string());
        let roles: Vec<Option<ZoneRole>> = t.zones().iter().map(Zone::role).collect();
        Classifier {
            t,
            what_if: WhatIf::default(),
            index,
            verdicts: FxMap::default(),
            judgements: Vec::new(),
            judgements_epoch: 0,
            zone_roles: roles,
            zone_names,
            traces: 0,
            cache_hits: 0,
            trace_errors: 0,
            uncached: false,
            engine: Engine::new(t),
            fans_out: t
                .endpoints()
                .iter()
                .map(|e| !e.backends.is_empty())
                .collect(),
            pair_ports: FxMap::default(),
            port_sets: Vec::new(),
            set_ids: FxMap::default(),
        }
    }

    /// A classifier that traces every flow and caches nothing (slow: for tests).
    pub fn uncached(t: &'t Topology) -> Self {
        let mut c = Self::new(t);
        c.uncached = true;
        c
    }

    /// The classes this classifier judges by, for others to share (the parts of a log read
    /// in parallel): built once per run, not once per part.
    pub fn shared_classes(&self) -> SharedClasses {
        let index = OnceLock::new();
        let _ = index.set(self.index.clone());
        SharedClasses { index }
    }

    /// A classifier that shares the classes of `shared` (built by the first that asks).
    pub fn with_shared(t: &'t Topology, shared: &'t SharedClasses) -> Self {
        let index = shared
            .index
            .get_or_init(|| Arc::new(ClassIndex::new(t)))
            .clone();
        Self::with_index(t, index)
    }

    pub fn topology(&self) -> &'t Topology {
        self.t
    }

    /// Zone names, indexed by [`AddrClass::zone`].
    pub fn zone_names(&self) -> &[String] {
        &self.zone_names
    }

    /// The zone index of `internet`.
    pub fn internet_zone(&self) -> u16 {
        self.t.zones().len() as u16
    }

    /// Whether `zone` plays the `data` role (its `role:`, else its id).
    pub fn is_data(&self, zone: u16) -> bool {
        self.zone_roles.get(usize::from(zone)) == Some(&Some(ZoneRole::Data))
    }

    /// Whether `zone` plays the `inference` role (its `role:`, else its id).
    pub fn is_inference(&self, zone: u16) -> bool {
        self.zone_roles.get(usize::from(zone)) == Some(&Some(ZoneRole::Inference))
    }

    /// Longest-prefix match of an address, with its class.
    #[inline]
    pub fn addr(&self, ip: IpAddr) -> AddrClass {
        self.index.addr(ip)
    }

    /// The design's verdict for `from → to` on `port` (`None` for ICMP), cached; `None` when
    /// the engine cannot trace the flow.
    #[inline]
    pub fn judge(
        &mut self,
        from: IpAddr,
        to: IpAddr,
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<Judged> {
        let (fc, tc) = (self.addr(from), self.addr(to));
        self.judge_classified((from, &fc), (to, &tc), port, protocol)
    }

    /// [`Classifier::judge`] for addresses already classified.
    ///
    /// A TCP or UDP flow is judged by the exact engine on the plan ([`Engine::reach_routed`]),
    /// which gives the verdict a trace gives (tested against [`Classifier::exact`] on random
    /// records), and the ports it allows are cached per (class, class, transport): one plan
    /// answers every port of a pair of classes (the classes are addresses every rule, route
    /// and listener treats alike, on every port), and a hit is one hash probe and a search of
    /// a few port ranges. ICMP is judged the same way, as one pseudo-port. Other protocols,
    /// flows to an endpoint with backends and flows a firewall's DNAT translates are traced,
    /// and their judgements cached by classes and the port's interval.
    #[inline]
    pub fn judge_classified(
        &mut self,
        (from, fc): (IpAddr, &AddrClass),
        (to, tc): (IpAddr, &AddrClass),
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<Judged> {
        if self.uncached {
            self.judgements.clear();
            self.judgements_epoch += 1;
            return self
                .trace_kept(from, to, port, protocol)
                .map(|i| self.judged(i));
        }
        if let Some(p) = probe_port(port, protocol) {
            let key = PairKey((fc.key, tc.key, protocol));
            match self.pair_ports.get(&key).copied() {
                Some(slot) if slot != Slot::TRACED => return Some(self.hit(slot, p)),
                Some(_) => {}
                None => {
                    // (there are never more distinct sets than pairs)
                    if self.pair_ports.len() >= VERDICT_CACHE_CAP {
                        self.pair_ports.clear();
                        self.port_sets.clear();
                        self.set_ids.clear();
                    }
                    let ports = self.ports((from, fc), (to, tc), protocol);
                    let (slot, v) = match ports {
                        PairPorts::Ports { set, routed } => {
                            let v = ports_verdict(routed, &set, p);
                            (self.slot(set, routed), Some(v))
                        }
                        PairPorts::Traced => (Slot::TRACED, None),
                    };
                    self.pair_ports.insert(key, slot);
                    if let Some(v) = v {
                        self.traces += 1;
                        return Some(Judged::verdict(v));
                    }
                }
            }
        }
        self.judge_traced((from, fc), (to, tc), port, protocol)
    }

    /// The verdict of a flow whose pair of classes has its ports in the cache (counted as a
    /// hit), else `None`: [`Classifier::judge_classified`] answers it, by a plan or a trace.
    #[inline]
    pub fn judge_cached(
        &mut self,
        fc: &AddrClass,
        tc: &AddrClass,
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<Judged> {
        if self.uncached {
            return None;
        }
        let p = probe_port(port, protocol)?;
        let slot = *self.pair_ports.get(&PairKey((fc.key, tc.key, protocol)))?;
        (slot != Slot::TRACED).then(|| self.hit(slot, p))
    }

    /// The verdict on port `p` of a pair whose ports are in the cache at `slot`, counted.
    #[inline]
    fn hit(&mut self, slot: Slot, p: u16) -> Judged {
        self.cache_hits += 1;
        let set = &self.port_sets[slot.set()];
        Judged::verdict(ports_verdict(slot.routed(), set, p))
    }

    /// The cache slot of a pair whose ports are `set`: the set is kept once however many
    /// pairs share it.
    fn slot(&mut self, set: crate::model::rules::PortSet, routed: bool) -> Slot {
        let next = self.port_sets.len() as u32;
        let i = match self.set_ids.get(&set) {
            Some(&i) => i,
            None => {
                self.port_sets.push(set.clone());
                self.set_ids.insert(set, next);
                next
            }
        };
        Slot(i | if routed { Slot::ROUTED } else { 0 })
    }

    /// A flow the exact engine does not judge (to an endpoint with backends, through a
    /// firewall's DNAT, or of a protocol other than TCP, UDP and ICMP): its trace, cached by
    /// the classes of its ends and the port's interval.
    fn judge_traced(
        &mut self,
        (from, fc): (IpAddr, &AddrClass),
        (to, tc): (IpAddr, &AddrClass),
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<Judged> {
        let key = FlowKey {
            from: fc.key,
            to: tc.key,
            port: port.map_or(u32::MAX, |p| u32::from(self.index.port(p))),
            protocol,
        };
        if let Some(&i) = self.verdicts.get(&key) {
            self.cache_hits += 1;
            return (i != u32::MAX).then(|| self.judged(i));
        }
        if self.verdicts.len() >= VERDICT_CACHE_CAP {
            self.verdicts.clear();
            self.judgements.clear();
            self.judgements_epoch += 1;
        }
        let i = self.trace_kept(from, to, port, protocol);
        self.verdicts.insert(key, i.unwrap_or(u32::MAX));
        i.map(|i| self.judged(i))
    }

    /// Traces one flow, counted, and keeps its judgement: its index, or `None` (counted as an
    /// error) when the engine cannot trace it.
    fn trace_kept(
        &mut self,
        from: IpAddr,
        to: IpAddr,
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<u32> {
        self.traces += 1;
        let Some(j) = self.exact(from, to, port, protocol) else {
            self.trace_errors += 1;
            return None;
        };
        self.judgements.push(j);
        Some(self.judgements.len() as u32 - 1)
    }

    fn judged(&self, i: u32) -> Judged {
        Judged {
            verdict: self.judgements[i as usize].verdict,
            judgement: Some(i),
        }
    }

    /// Every port of `protocol` (TCP or UDP; for ICMP every port or none) the design allows
    /// from `from` to `to`, by the exact engine; [`PairPorts::Traced`] when the flow must be
    /// traced instead (to an endpoint with backends, or through a firewall's DNAT).
    /// The classes give each end's endpoint and network (the topology's longest-prefix
    /// match, which the class index holds).
    fn ports(
        &self,
        (from, fc): (IpAddr, &AddrClass),
        (to, tc): (IpAddr, &AddrClass),
        protocol: Protocol,
    ) -> PairPorts {
        let t = self.t;
        let fans_out = |e: Option<EpIx>| e.is_some_and(|e| self.fans_out[e.index()]);
        if fans_out(tc.endpoint) || fans_out(t.endpoint_by_public_ip(to)) {
            return PairPorts::Traced;
        }
        // Named as `exact` names it: an interface's address seen from outside every network
        // is its endpoint (reached through its public IP), else the address itself.
        let target = match tc.endpoint {
            Some(e) if fc.network.is_none() => Target::Ep(e),
            _ => Target::Addr(to),
        };
        let party = addr_party(t, from);
        if !protocol.has_ports() {
            return match self.engine.reach_portless(&party, &target, protocol) {
                Some((allowed, routed)) => PairPorts::Ports {
                    set: if allowed {
                        crate::model::rules::PortSet::all()
                    } else {
                        crate::model::rules::PortSet::empty()
                    },
                    routed,
                },
                None => PairPorts::Traced,
            };
        }
        let Some((r, routed)) =
            self.engine
                .reach_routed_untranslated(&party, &target, Some(protocol))
        else {
            return PairPorts::Traced;
        };
        let set = if protocol == Protocol::Udp {
            r.udp
        } else {
            r.tcp
        };
        PairPorts::Ports { set, routed }
    }

    /// Traces one flow, uncached and uncounted.
    pub fn exact(
        &self,
        from: IpAddr,
        to: IpAddr,
        port: Option<u16>,
        protocol: Protocol,
    ) -> Option<Judgement> {
        // A flow log records an interface's private address even for traffic that came in
        // from the internet through a NAT or internet gateway (its public IP): name such a
        // destination by its endpoint, which the internet reaches through its public IP.
        let to_name = match self.t.lookup_ip(to).endpoint {
            Some(e) if self.t.lookup_ip(from).network.is_none() => self.t.endpoint(e).id.clone(),
            _ => to.to_string(),
        };
        let q = Query::new(&from.to_string(), &to_name, port, protocol);
        let tr = trace(self.t, &q, &self.what_if).ok()?;
        let allowed_by = if tr.verdict == Verdict::Allow {
            tr.checks
                .iter()
                .filter(|c| c.is_rule() && c.action == Action::Allow)
                .map(|c| AllowingRule {
                    at: c.at.clone(),
                    rule_set: c.rule_set.clone(),
                    rule: c.rule.clone(),
                    action: c.action,
                    priority: c.priority,
                    justification: c.justification.clone(),
                    classification: c.classification.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Judgement {
            verdict: tr.verdict,
            decided_by: tr.decided_by,
            reason: tr.reason,
            path: tr.path,
            allowed_by,
            traced: (from, to, port),
        })
    }

    /// The judgement [`Classifier::judge`] returned the index of ([`Judged::judgement`]).
    #[inline]
    pub fn judgement(&self, i: u32) -> &Judgement {
        &self.judgements[i as usize]
    }

    /// Changes whenever the kept judgements are dropped: an index of [`Judged::judgement`]
    /// taken at one epoch names the same judgement while the epoch is the same.
    #[inline]
    pub fn judgements_epoch(&self) -> u64 {
        self.judgements_epoch
    }

    /// A label for an address: the endpoint's id, else the subnet's, else the network's.
    pub fn label(&self, c: &AddrClass) -> Option<&'t str> {
        let t = self.t;
        c.endpoint
            .map(|e| t.endpoint(e).id.as_str())
            .or_else(|| c.subnet.map(|s| t.subnet(s).id.as_str()))
            .or_else(|| c.network.map(|n| t.network(n).id.as_str()))
    }
}
