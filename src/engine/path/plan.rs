//! The plan of a flow (SPEC §3, §11): for a (source, destination), the resolved ends with the DNS
//! step, the route, and the ordered stages that enforce it — every rule set on the path with its
//! direction and place, the return leg of a stateless one, the zone policy, public access and
//! the listeners. The network's semantics live here, once: [`crate::engine::trace`] interprets a
//! plan at one port, [`crate::engine::reach`] over port sets.
//!
//! A flow addressed to a firewall with DNAT rules carries one [`DnatLeg`] per rule that
//! translates: the plan from the firewall to the translated address, which the interpreters
//! follow for the ports that rule takes (SPEC §11.6).
//!
//! Owns: [`Plan`], [`Stage`], [`DnatLeg`], [`Planner`]. Must never: evaluate a rule, decide a
//! verdict, print.

use super::dns::DnsStep;
use super::resolve::{DstName, End, Naming, addr_to_dst, ep_end, resolve_dst, resolve_dst_into};
use super::route::{NoRoute, Route, Router, route};
use crate::engine::policy::Party;
use crate::engine::whatif::WhatIf;
use crate::model::rules::{Direction, DnatTarget, PortSet, RuleSet, RuleSetKind, Selector};
use crate::model::{EpIx, Kind, NetIx, RuleSetIx, SubnetIx, Topology, ZoneIx};

/// Where a rule set is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Subnet(SubnetIx),
    Endpoint(EpIx),
}

impl Place {
    /// The subnet the place is in (an interface's: its endpoint's subnet).
    pub fn subnet(self, t: &Topology) -> Option<SubnetIx> {
        match self {
            Place::Subnet(s) => Some(s),
            Place::Endpoint(e) => t.endpoint(e).subnet,
        }
    }

    /// The id shown as the check's `at`.
    pub fn id(self, t: &Topology) -> &str {
        match self {
            Place::Subnet(s) => &t.subnet(s).id,
            Place::Endpoint(e) => &t.endpoint(e).id,
        }
    }
}

/// One check of the flow, in the order the clouds apply them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// A rule set at a place, in a direction (`None` for kinds without one). A stateless rule
    /// set (NACL) also checks the return traffic the other way on its return ports.
    Rules {
        set: RuleSetIx,
        at: Place,
        dir: Option<Direction>,
        /// The network `VirtualNetwork` means here.
        net: Option<NetIx>,
        stateless: bool,
    },
    /// An appliance on the route with no rule set: it denies everything.
    NoRules { appliance: EpIx },
    /// The zone policy between two sides (zones, `unzoned`, `internet`).
    ZonePolicy {
        from: ZoneSide,
        to: ZoneSide,
        net: Option<NetIx>,
    },
    /// A PaaS service reached over the internet whose public access is disabled.
    PublicAccessOff { service: EpIx },
    /// The destination (or the private endpoint in front of it) listens on these ports only.
    Listener { owner: EpIx },
}

/// An end as the zone policy sees it (SPEC §11.8): its zone; `unzoned` inside a network in no
/// zone; `internet` outside every network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZoneSide {
    Zone(ZoneIx),
    Unzoned,
    Internet,
}

impl ZoneSide {
    pub fn of(p: &Party) -> ZoneSide {
        match (p.zone, p.outside) {
            (Some(z), _) => ZoneSide::Zone(z),
            (None, false) => ZoneSide::Unzoned,
            (None, true) => ZoneSide::Internet,
        }
    }

    /// The name a check's `at` shows: the zone id, `unzoned` or `internet`.
    pub fn name(self, t: &Topology) -> &str {
        match self {
            ZoneSide::Zone(z) => &t.zone(z).id,
            ZoneSide::Unzoned => "unzoned",
            ZoneSide::Internet => "internet",
        }
    }

    /// A dense index: zones first, then `unzoned`, then `internet`.
    pub fn index(self, t: &Topology) -> usize {
        match self {
            ZoneSide::Zone(z) => z.index(),
            ZoneSide::Unzoned => t.zones().len(),
            ZoneSide::Internet => t.zones().len() + 1,
        }
    }
}

/// A source NAT on the route: past it, the destination (and its rule sets) sees the source as
/// the translator's public address.
///
/// - A NAT gateway (`next_hop: nat_gateway`): AWS "replaces the source IP address of the
///   instances with the IP address of the NAT gateway … the Elastic IP address"
///   (<https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html>); an Azure NAT
///   gateway gives a subnet's outbound flows its public IP
///   (<https://learn.microsoft.com/azure/nat-gateway/nat-overview>).
/// - An appliance with a `public_ip` on the way to the internet (a NAT instance, Azure Firewall:
///   "automatic SNAT for all outbound traffic to public IP addresses", none to private ones,
///   <https://learn.microsoft.com/azure/firewall/snat-private-range>), the last such one.
/// - Else, when no appliance is on the way out, the source's own public address: an internet
///   gateway translates an instance's private address to its public IPv4
///   (<https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html>), as Azure
///   does for a VM with an instance-level public IP.
///
/// The zone policy still judges the original ends (it is about zones, not addresses).
#[derive(Debug, Clone)]
pub struct Snat {
    /// The translator: the NAT gateway or appliance; `None` for an internet gateway translating
    /// the source's own public address.
    pub by: Option<EpIx>,
    /// The source as seen past the translation.
    pub src: End,
    /// The first stage that sees it: the stages of the appliances after the translator and of
    /// the destination.
    pub from_stage: usize,
}

/// A DNAT rule of the firewall a flow is addressed to (SPEC §11.6): the flows that rule decides
/// at stage `stage` of the plan are translated there and sent on from the firewall by `plan`;
/// the stages of the plan after `stage` then do not apply to them.
///
/// Azure Firewall: "NAT rules are applied in priority before network rules. If a match is
/// found, the traffic is translated according to the DNAT rule and allowed by the firewall"
/// (<https://learn.microsoft.com/azure/firewall/rule-processing>; "DNAT rules implicitly add a
/// corresponding network rule to allow the translated traffic",
/// <https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat>): no network rule is
/// asked of the translated flow. "When the destination is a private IP address in the virtual
/// network, the source IP address will translate to one of the IP addresses in the
/// AzureFirewallSubnet" (Microsoft's *Azure Firewall NAT Behaviors*,
/// <https://techcommunity.microsoft.com/blog/azurenetworksecurityblog/azure-firewall-nat-behaviors/3825834>):
/// the leg's rule sets see the firewall's private address as the source (its public one when
/// the translated address is on the internet); the zone policy still judges the original
/// source's side against the translated destination's.
#[derive(Debug, Clone)]
pub struct DnatLeg {
    /// The index of the firewall's rule-set stage in the outer plan.
    pub stage: usize,
    /// The firewall's rule set and the DNAT rule: its index in that rule set's `rules`.
    pub set: RuleSetIx,
    pub rule: usize,
    pub firewall: EpIx,
    /// The port the flow is sent to (`None`: its own).
    pub port: Option<u16>,
    /// From the firewall to the translated address: `src` is the original source, the
    /// translated source (the firewall) is the plan's [`Snat`] from its first stage.
    pub plan: Box<Plan>,
}

/// Everything the network does with one (source, destination), before any port is asked.
#[derive(Debug, Clone)]
pub struct Plan {
    pub src: End,
    pub dst: End,
    /// Boxed, as the source NAT: most plans have neither, and a matrix moves millions of plans.
    pub dns: Option<Box<DnsStep>>,
    /// The route, or why there is none (then there are no stages).
    pub route: Result<Route, NoRoute>,
    pub stages: Vec<Stage>,
    /// The source NAT on the route, if any.
    pub snat: Option<Box<Snat>>,
    /// The DNAT rules of the firewall the flow is addressed to, with where each sends it.
    pub dnat: Vec<DnatLeg>,
}

impl Plan {
    /// The source as stage `i` of the plan sees it: translated by a source NAT for the rule sets
    /// past the translator, the original everywhere else (the zone policy included).
    pub fn src_at(&self, i: usize) -> &End {
        match (&self.snat, self.stages.get(i)) {
            (Some(n), Some(Stage::Rules { .. })) if i >= n.from_stage => &n.src,
            _ => &self.src,
        }
    }
}

/// How [`Planner::stages`] treats the source.
#[derive(Debug, Clone, Copy, Default)]
struct StageOpts<'p> {
    /// The flow starts at an appliance that already let it through (a DNAT leg): the source's
    /// own rule sets are not asked again.
    from_appliance: bool,
    /// The party the zone policy sees as the source, when not the source itself.
    zone_src: Option<&'p Party>,
}

/// The return ports a stateless rule set checks the reply on (SPEC §11.4): its `ephemeral:`
/// range, else 1024–65535.
pub fn return_ports(rs: &RuleSet) -> PortSet {
    rs.return_ports()
}

/// Builds plans over one topology under one what-if, with the route searches cached.
pub struct Planner<'a> {
    pub router: Router<'a>,
    /// A zone policy rule names `internet`: the policy then judges flows to and from it.
    policy_names_internet: bool,
}

impl<'a> Planner<'a> {
    /// `explain`: build the path in ids and the reasons (a trace), or not (reachability).
    pub fn new(t: &'a Topology, w: &'a WhatIf, explain: bool) -> Self {
        let policy_names_internet = t.zone_policy().is_some_and(|p| {
            p.rules.iter().any(|r| {
                r.sources
                    .iter()
                    .chain(&r.destinations)
                    .any(|s| matches!(s, Selector::Internet))
            })
        });
        Planner {
            router: Router::new(t, w, explain),
            policy_names_internet,
        }
    }

    pub fn topology(&self) -> &'a Topology {
        self.router.t
    }

    pub fn whatif(&self) -> &'a WhatIf {
        self.router.w
    }

    /// Resolve the destination as seen from `src`, then plan the flow.
    pub fn plan_to(&self, src: End, name: DstName) -> Plan {
        let (dst, dns) = resolve_dst(&self.router, &src, name);
        self.plan_in(src, dst, dns)
    }

    /// The private endpoint the destination is reached through, and whether the flow has a
    /// route (the plan's route decision alone, for callers that need no stages), with the
    /// destination resolved into `dst` (a scratch end).
    pub fn routed_in(&self, src: &End, name: DstName, dst: &mut End) -> (Option<EpIx>, bool) {
        let dns = resolve_dst_into(&self.router, src, name, dst);
        let ok = self.route_exists(src, dst, dns.as_deref());
        (dst.via_pe, ok)
    }

    /// Whether [`Planner::route_resolved`] finds a route. Between two ends inside networks
    /// joined by peerings (no route tables, not addressed publicly) that is whether the cached
    /// search of [`route`] reaches the destination's network: read as a hop count, without
    /// building the route (a matrix asks it for every pair the zone policy forbids).
    fn route_exists(&self, src: &End, dst: &End, dns: Option<&DnsStep>) -> bool {
        let t = self.router.t;
        if dns.is_some_and(|step| step.nxdomain) {
            return false;
        }
        let peered = !t.routing().is_explicit()
            && !src.outside
            && !dst.outside
            && dst.naming != Naming::PublicAddr;
        match (peered, src.network, dst.network) {
            (true, Some(a), Some(b)) => {
                self.down_end(src, dst).is_none() && self.router.hops(a, b).is_some()
            }
            _ => self.route_resolved(src, dst, dns).is_ok(),
        }
    }

    /// An end of the flow a what-if switches off.
    fn down_end(&self, src: &End, dst: &End) -> Option<EpIx> {
        let (t, w) = (self.router.t, self.router.w);
        [src.ep, dst.ep, dst.via_pe]
            .into_iter()
            .flatten()
            .find(|e| w.endpoint_down(t, *e))
    }

    /// The route between resolved ends: none when DNS answered NXDOMAIN (SPEC §11.7).
    fn route_resolved(
        &self,
        src: &End,
        dst: &End,
        dns: Option<&DnsStep>,
    ) -> Result<Route, NoRoute> {
        match dns {
            Some(step) if step.nxdomain => Err(if self.router.explain {
                NoRoute(format!("DNS: {}", step.note))
            } else {
                NoRoute::default()
            }),
            _ => self.route(src, dst),
        }
    }

    /// The plan between two resolved ends.
    pub fn plan(&self, src: End, dst: End, dns: Option<Box<DnsStep>>) -> Plan {
        self.plan_in(src, dst, dns)
    }

    fn plan_in(&self, src: End, dst: End, dns: Option<Box<DnsStep>>) -> Plan {
        let mut plan = Plan {
            src,
            dst,
            dns,
            route: Err(NoRoute::default()),
            stages: Vec::new(),
            snat: None,
            dnat: Vec::new(),
        };
        self.fill(&mut plan);
        plan
    }

    /// [`Planner::plan_to`] from the source `src`, written into `plan` in place (its stage list
    /// and the source's name reused): a caller planning millions of flows moves no plan.
    pub fn plan_to_into(&self, src: &Party, name: DstName, plan: &mut Plan) {
        plan.src.set_party(src);
        plan.dns = resolve_dst_into(&self.router, &plan.src, name, &mut plan.dst);
        self.fill(plan);
    }

    /// The route, stages and translations of a plan whose ends (and DNS step) are set.
    fn fill(&self, plan: &mut Plan) {
        plan.stages.clear();
        plan.snat = None;
        plan.dnat.clear();
        plan.route = self.route_resolved(&plan.src, &plan.dst, plan.dns.as_deref());
        let Ok(r) = &plan.route else {
            return;
        };
        let (src, dst) = (&plan.src, &plan.dst);
        let nat = self.translator(src, r);
        let opts = StageOpts::default();
        let from = self.stages(
            src,
            dst,
            r,
            nat.as_ref().map(|n| n.1),
            &mut plan.stages,
            opts,
        );
        plan.snat = nat.zip(from).map(|((by, _, party), from_stage)| {
            Box::new(Snat {
                by,
                src: End::of_party(&party),
                from_stage,
            })
        });
        plan.dnat = self.dnat_legs(src, dst, &plan.stages);
    }

    /// The DNAT legs of a flow addressed to a firewall by its public address (from the internet,
    /// or from inside or on premises by that address; an on-premises source naming the firewall
    /// otherwise reaches its private address): one per DNAT rule with a translation of the firewall's
    /// first rule set that has one. DNAT on a firewall's private address (an Azure preview) is
    /// not modelled: a flow to it is judged at the firewall as before.
    fn dnat_legs(&self, src: &End, dst: &End, stages: &[Stage]) -> Vec<DnatLeg> {
        let t = self.router.t;
        let Some(fw) = dst.ep.filter(|e| {
            t.endpoint(*e).kind == Kind::Firewall
                && dst.via_pe.is_none()
                && ((src.outside && src.party.onprem.is_none()) || dst.naming == Naming::PublicAddr)
        }) else {
            return Vec::new();
        };
        let found = stages.iter().enumerate().find_map(|(k, st)| match *st {
            Stage::Rules {
                set,
                at: Place::Endpoint(e),
                ..
            } if e == fw && !t.rule_set(set).dnat.is_empty() => Some((k, set)),
            _ => None,
        });
        let Some((stage, set)) = found else {
            return Vec::new();
        };
        let rs = t.rule_set(set);
        rs.rules
            .iter()
            .enumerate()
            .filter_map(|(rule, r)| {
                let d = rs.dnat_of(r)?;
                Some(DnatLeg {
                    stage,
                    set,
                    rule,
                    firewall: fw,
                    port: d.port,
                    plan: Box::new(self.dnat_plan(src, fw, d.to)),
                })
            })
            .collect()
    }

    /// The translated flow: from the firewall `fw` to `to`, past the firewall's own rule sets
    /// (the DNAT rule allowed it), seen by the rule sets on the way with the firewall's address
    /// as its source, by the zone policy with the original source's side.
    fn dnat_plan(&self, src: &End, fw: EpIx, to: DnatTarget) -> Plan {
        let t = self.router.t;
        let from = ep_end(t, fw);
        let dst = match to {
            DnatTarget::Endpoint(e) => resolve_dst(&self.router, &from, DstName::Ep(e)).0,
            DnatTarget::Addr(a) => addr_to_dst(t, a),
        };
        let mut route = self.route(&from, &dst);
        if let Ok(r) = &mut route {
            // The flow starts at the firewall: it is not one of its own appliances (the
            // `egress:` shorthand would send it out through itself).
            if r.appliances.first() == Some(&fw) {
                r.appliances.remove(0);
            }
        }
        let mut stages = Vec::new();
        let mut snat = None;
        if let Ok(r) = &route {
            let opts = StageOpts {
                from_appliance: true,
                zone_src: Some(&src.party),
            };
            self.stages(&from, &dst, r, None, &mut stages, opts);
            let seen = if r.public || dst.outside {
                Party {
                    ep: Some(fw),
                    addr: match t.endpoint(fw).public_ip {
                        Some(crate::model::PublicIp::Address(a)) => Some(a),
                        _ => None,
                    },
                    outside: true,
                    ..Party::default()
                }
            } else {
                from.party.clone()
            };
            snat = Some(Box::new(Snat {
                by: Some(fw),
                src: End::of_party(&seen),
                from_stage: 0,
            }));
        }
        Plan {
            src: src.clone(),
            dst,
            dns: None,
            route,
            stages,
            snat,
            dnat: Vec::new(),
        }
    }

    /// The source NAT of a route (see [`Snat`]): the translator, how many of the route's
    /// appliances come before the translation, and the source as translated.
    fn translator(&self, src: &End, route: &Route) -> Option<(Option<EpIx>, usize, Party)> {
        let t = self.router.t;
        if src.outside || !route.public {
            return None;
        }
        let public_of = |e: EpIx, ep: Option<EpIx>| Party {
            ep,
            addr: match t.endpoint(e).public_ip {
                Some(crate::model::PublicIp::Address(a)) => Some(a),
                _ => None,
            },
            outside: true,
            ..Party::default()
        };
        if let Some(g) = route.nat {
            return Some((Some(g), route.appliances.len(), public_of(g, Some(g))));
        }
        if let Some(k) = route
            .appliances
            .iter()
            .rposition(|f| t.endpoint(*f).public_ip.is_some())
        {
            let f = route.appliances[k];
            return Some((Some(f), k + 1, public_of(f, Some(f))));
        }
        // An internet gateway translates the source's own public address; without one, what the
        // destination sees is not known here (the source's address is kept).
        let own = src.ep.filter(|e| {
            route.appliances.is_empty()
                && matches!(
                    t.endpoint(*e).public_ip,
                    Some(crate::model::PublicIp::Address(_))
                )
        })?;
        Some((None, 0, public_of(own, None)))
    }

    fn route(&self, src: &End, dst: &End) -> Result<Route, NoRoute> {
        let t = self.router.t;
        let explain = self.router.explain;
        let down = |e: EpIx| {
            if explain {
                NoRoute(format!("{} is disabled (what-if)", t.endpoint(e).id))
            } else {
                NoRoute::default()
            }
        };
        if let Some(e) = self.down_end(src, dst) {
            return Err(down(e));
        }
        route(&self.router, src, dst)
    }

    /// The checks of the flow, in order: the source's rule sets outbound (interface, then
    /// subnet), the appliances on the route, the destination's rule sets inbound (subnet, then
    /// the private endpoint's and the service's), the zone policy, public access, listeners.
    ///
    /// `nat_after`: a source NAT follows that many of the route's appliances; returns the index
    /// of the first stage past it.
    fn stages(
        &self,
        src: &End,
        dst: &End,
        route: &Route,
        nat_after: Option<usize>,
        v: &mut Vec<Stage>,
        opts: StageOpts<'_>,
    ) -> Option<usize> {
        let t = self.router.t;
        let same_subnet = src.party.same_subnet(&dst.party);
        let rules = |v: &mut Vec<Stage>,
                     sets: &[RuleSetIx],
                     at: Place,
                     dir: Option<Direction>,
                     net: Option<NetIx>| {
            for rs in sets {
                let stateless = t.rule_set(*rs).kind == RuleSetKind::Nacl;
                // A network ACL filters traffic in and out of its subnet, never within it.
                if stateless && same_subnet {
                    continue;
                }
                v.push(Stage::Rules {
                    set: *rs,
                    at,
                    dir,
                    net,
                    stateless,
                });
            }
        };
        let out = Some(Direction::Outbound);
        let inb = Some(Direction::Inbound);
        // Outbound the interface's rule sets come first (Azure: the NIC's NSG, then the
        // subnet's; AWS: the security groups, then the subnet's network ACL); inbound the
        // subnet's first (SPEC §11.4).
        let own = !src.outside && !opts.from_appliance;
        if let Some(e) = src.ep.filter(|_| own) {
            let ep = t.endpoint(e);
            // A firewall's policy judges what passes through it; a flow from its own address has
            // passed it (a DNAT'd flow SNATed to the firewall, an application rule's connection),
            // so its `firewall` rule sets are not asked again (its interface's are).
            let fw = |rs: &&RuleSetIx| t.rule_set(**rs).kind == RuleSetKind::Firewall;
            for rs in ep.rule_sets.iter().filter(|rs| !fw(rs)) {
                rules(
                    v,
                    std::slice::from_ref(rs),
                    Place::Endpoint(e),
                    out,
                    ep.network,
                );
            }
        }
        if let Some(s) = src.subnet.filter(|_| own) {
            let sub = t.subnet(s);
            let net = Some(sub.network);
            rules(v, &sub.rule_sets, Place::Subnet(s), out, net);
        }
        let mut nat_from = None;
        for (k, fw) in route.appliances.iter().enumerate() {
            if nat_after == Some(k) {
                nat_from = Some(v.len());
            }
            let f = t.endpoint(*fw);
            if f.rule_sets.is_empty() {
                v.push(Stage::NoRules { appliance: *fw });
                // Nothing after a firewall that drops everything is reached.
                return nat_from;
            }
            for rs in &f.rule_sets {
                v.push(Stage::Rules {
                    set: *rs,
                    at: Place::Endpoint(*fw),
                    dir: None,
                    net: f.network,
                    stateless: false,
                });
            }
        }
        if nat_after == Some(route.appliances.len()) {
            nat_from = Some(v.len());
        }
        if let Some(s) = dst.subnet.filter(|_| !dst.outside) {
            let sub = t.subnet(s);
            // A private endpoint's subnet rules apply only with private endpoint policies on.
            if dst.via_pe.is_none() || sub.private_endpoint_policies {
                rules(v, &sub.rule_sets, Place::Subnet(s), inb, Some(sub.network));
            }
        }
        // The private endpoint's own rules, then the service's.
        for e in [dst.via_pe, dst.ep].into_iter().flatten() {
            let ep = t.endpoint(e);
            let net = ep.network.or(dst.network);
            rules(v, &ep.rule_sets, Place::Endpoint(e), inb, net);
        }
        // The zone policy judges every pair of different sides: an end in no zone is
        // `unzoned`; the internet only when a policy names it (SPEC §11.8).
        let zs = ZoneSide::of(opts.zone_src.unwrap_or(&src.party));
        let zd = ZoneSide::of(&dst.party);
        let internet = zs == ZoneSide::Internet || zd == ZoneSide::Internet;
        if t.zone_policy().is_some() && zs != zd && (!internet || self.policy_names_internet) {
            v.push(Stage::ZonePolicy {
                from: zs,
                to: zd,
                net: src.network,
            });
        }
        if route.public
            && let Some(e) = dst.ep
            && t.endpoint(e).is_paas()
            && !t.endpoint(e).public_access
        {
            v.push(Stage::PublicAccessOff { service: e });
        }
        if dst.ep.is_some() {
            for owner in [dst.via_pe, dst.ep].into_iter().flatten() {
                if t.endpoint(owner).ports.is_some() {
                    v.push(Stage::Listener { owner });
                }
            }
        }
        nat_from
    }
}
