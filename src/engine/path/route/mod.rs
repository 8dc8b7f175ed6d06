//! Route finding over the graph of networks and peerings (SPEC §3 step 2).
//!
//! Owns: the fewest-hop chain of peered networks in which every intermediate network is crossed
//! through its `egress` firewall, internet egress, and the [`Router`] that answers both for a
//! plan (one breadth-first search per source network, cached), with the route's path in ids
//! ([`route`]). When the design has route tables, transit gateways or on-premises prefixes,
//! routes are chosen hop by hop by longest-prefix match instead ([`table::walk`], cached per
//! source place and destination prefix). Must never: evaluate rules or print.

mod onprem;
pub mod table;

use std::cell::RefCell;
use std::collections::VecDeque;

use super::resolve::{End, Naming};
use crate::engine::whatif::WhatIf;
use crate::model::fxhash::FxMap;
use crate::model::{EpIx, NetIx, Topology};

/// The appliances (firewalls) on a route, in order: held inline up to sixteen, so that a route
/// through hubs costs no allocation (a matrix builds one per pair of groups; L's hubs are
/// peered in a line, so its routes between regions cross up to twenty).
pub type Appliances = smallvec::SmallVec<[EpIx; 16]>;

/// A chain of networks from a source network to a destination network, with the firewalls that
/// carry transit through the intermediate ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRoute {
    pub networks: Vec<NetIx>,
    /// For each intermediate network (networks[1..len-1]), its egress firewall.
    pub firewalls: Appliances,
}

impl NetRoute {
    pub fn hops(&self) -> usize {
        self.networks.len().saturating_sub(1)
    }
}

/// Why there is no route, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoRoute(pub String);

/// For each network, the network a route search first met it from ([`NO_PARENT`]: none), as
/// 4-byte indices: a flow-log run reads these tables for random pairs of networks, so their
/// size is what it waits for.
type Parents = Vec<u32>;

/// No parent in a [`Parents`] table.
const NO_PARENT: u32 = u32::MAX;

/// The parent of `n` in a search's table.
#[inline]
fn parent_of(parents: &[u32], n: NetIx) -> Option<NetIx> {
    match parents.get(n.index()) {
        Some(&p) if p != NO_PARENT => Some(NetIx(p)),
        _ => None,
    }
}

/// Routes for one topology under one what-if, with the searches cached: one breadth-first
/// search per source network answers every destination (the same search as [`net_route`], so
/// the same routes), and each network's way to the internet is found once.
pub struct Router<'a> {
    pub t: &'a Topology,
    pub w: &'a WhatIf,
    /// Build the path in ids and the reasons for a missing route (a trace), or only the route
    /// (exact reachability, where nobody reads them).
    pub explain: bool,
    parents: RefCell<Vec<Option<Parents>>>,
    inet: RefCell<FxMap<(NetIx, bool), Result<InternetRoute, NoRoute>>>,
    walks: RefCell<FxMap<WalkKey, Result<Route, NoRoute>>>,
}

/// What a route-table walk depends on (besides the what-if): the source place and the
/// destination's prefix, network and subnet, and whether it is reached publicly.
type WalkKey = (
    Option<NetIx>,
    Option<crate::model::SubnetIx>,
    ipnet::IpNet,
    bool,
    Option<NetIx>,
    Option<crate::model::SubnetIx>,
);

impl<'a> Router<'a> {
    pub fn new(t: &'a Topology, w: &'a WhatIf, explain: bool) -> Self {
        Router {
            t,
            w,
            explain,
            parents: RefCell::new(vec![None; t.networks().len()]),
            inet: RefCell::new(FxMap::default()),
            walks: RefCell::new(FxMap::default()),
        }
    }

    /// The breadth-first search of [`net_route`] from `from`, for every destination at once:
    /// only networks with an egress firewall (not switched off) are crossed, and a destination's
    /// route is through the first expanded network that peers with it (the same order, so the
    /// same route). Switched-off networks and peerings are never used.
    ///
    /// Read in place (no reference count: a router moves between threads with its caches).
    fn parents(&self, from: NetIx) -> std::cell::Ref<'_, [u32]> {
        if self.parents.borrow()[from.index()].is_none() {
            let found = self.search(from);
            self.parents.borrow_mut()[from.index()] = Some(found);
        }
        std::cell::Ref::map(self.parents.borrow(), |v| {
            v[from.index()].as_deref().unwrap_or(&[])
        })
    }

    fn search(&self, from: NetIx) -> Parents {
        let (t, w) = (self.t, self.w);
        let n = t.networks().len();
        let mut parent: Parents = vec![NO_PARENT; n];
        let mut seen = vec![false; n];
        seen[from.index()] = true;
        let mut q = VecDeque::new();
        if !w.network_down(t, from) {
            q.push_back(from);
        }
        while let Some(cur) = q.pop_front() {
            for (next, p) in t.peers(cur) {
                if seen[next.index()] || w.peering_down(p) || w.network_down(t, next) {
                    continue;
                }
                if parent[next.index()] == NO_PARENT {
                    parent[next.index()] = cur.0;
                }
                if t.network(next)
                    .egress
                    .is_some_and(|fw| !w.endpoint_down(t, fw))
                {
                    seen[next.index()] = true;
                    q.push_back(next);
                }
            }
        }
        parent
    }

    /// The hops of the route from `a` to `b`, without building it.
    pub fn hops(&self, a: NetIx, b: NetIx) -> Option<usize> {
        if self.w.network_down(self.t, a) || self.w.network_down(self.t, b) {
            return None;
        }
        if a == b {
            return Some(0);
        }
        let parent = self.parents(a);
        let (mut cur, mut hops) = (b, 0);
        while cur != a {
            cur = parent_of(&parent, cur)?;
            hops += 1;
        }
        Some(hops)
    }

    /// The route [`net_route`] finds from `a` to `b`, from the cached search.
    pub fn net_route(&self, a: NetIx, b: NetIx) -> Result<NetRoute, NoRoute> {
        let found = || -> Option<NetRoute> {
            if self.w.network_down(self.t, a) || self.w.network_down(self.t, b) {
                return None;
            }
            if a == b {
                return Some(NetRoute {
                    networks: if self.explain { vec![a] } else { Vec::new() },
                    firewalls: Appliances::new(),
                });
            }
            let parent = self.parents(a);
            if !self.explain {
                // Nobody reads the chain of networks: only the firewalls on it, found walking
                // back from `b` (no allocation unless there is one).
                let mut firewalls = Appliances::new();
                let mut cur = parent_of(&parent, b)?;
                while cur != a {
                    firewalls.extend(self.t.network(cur).egress);
                    cur = parent_of(&parent, cur)?;
                }
                firewalls.reverse();
                return Some(NetRoute {
                    networks: Vec::new(),
                    firewalls,
                });
            }
            let mut chain = Vec::with_capacity(8);
            chain.push(b);
            let mut cur = b;
            while cur != a {
                cur = parent_of(&parent, cur)?;
                chain.push(cur);
            }
            chain.reverse();
            let firewalls = chain[1..chain.len() - 1]
                .iter()
                .filter_map(|m| self.t.network(*m).egress)
                .collect();
            Some(NetRoute {
                networks: chain,
                firewalls,
            })
        };
        match found() {
            Some(r) => Ok(r),
            None if self.explain => Err(net_route(self.t, a, b, self.w)
                .err()
                .unwrap_or_else(|| NoRoute("no route".to_string()))),
            None => Err(NoRoute::default()),
        }
    }

    /// The way from network `a` (with its subnet's own egress flag) to the internet.
    pub fn internet_route(&self, a: NetIx, sub_egress: bool) -> Result<InternetRoute, NoRoute> {
        self.inet
            .borrow_mut()
            .entry((a, sub_egress))
            .or_insert_with(|| internet_route(self.t, a, sub_egress, self.w))
            .clone()
    }
}

/// A route for one flow: the path in ids (a trace's `path`), the appliances on it (each checks
/// the flow with its rule sets), and whether it crosses the internet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    /// Ids from the source to the destination; empty unless the router explains.
    pub path: Vec<String>,
    /// Firewalls and appliances the flow passes, in order.
    pub appliances: Appliances,
    /// The flow crosses the internet.
    pub public: bool,
    /// The route that chose each hop (route-table designs; empty unless the router explains).
    pub hops: Vec<table::Hop>,
    /// The NAT gateway the flow leaves through (a `nat_gateway` next hop): the plan then sees
    /// the source with its public address past it.
    pub nat: Option<EpIx>,
}

fn usable_net(t: &Topology, n: NetIx, w: &WhatIf) -> bool {
    !w.network_down(t, n)
}

/// Fewest-hop route from `from` to `to`.
#[allow(
    clippy::many_single_char_names,
    reason = "t (topology), w (what-if), q (query) and friends are the codebase's names"
)]
pub fn net_route(t: &Topology, from: NetIx, to: NetIx, w: &WhatIf) -> Result<NetRoute, NoRoute> {
    if !usable_net(t, from, w) {
        return Err(NoRoute(format!(
            "network `{}` is disabled (what-if)",
            t.network(from).id
        )));
    }
    if !usable_net(t, to, w) {
        return Err(NoRoute(format!(
            "network `{}` is disabled (what-if)",
            t.network(to).id
        )));
    }
    if from == to {
        return Ok(NetRoute {
            networks: vec![from],
            firewalls: Appliances::new(),
        });
    }
    let n = t.networks().len();
    let mut prev: Vec<Option<NetIx>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut q = VecDeque::new();
    seen[from.index()] = true;
    q.push_back(from);
    let mut found = false;
    // Remember a peer-of-a-peer that could not be crossed, to explain a no_route.
    let mut blocked_transit: Option<NetIx> = None;
    while let Some(cur) = q.pop_front() {
        for (next, p) in t.peers(cur) {
            if seen[next.index()] || w.peering_down(p) || !usable_net(t, next, w) {
                continue;
            }
            if next == to {
                prev[next.index()] = Some(cur);
                found = true;
                break;
            }
            // `next` would be an intermediate network: crossed only through its egress firewall.
            match t.network(next).egress {
                Some(fw) if !w.endpoint_down(t, fw) => {
                    seen[next.index()] = true;
                    prev[next.index()] = Some(cur);
                    q.push_back(next);
                }
                _ => {
                    if blocked_transit.is_none() && t.peers(next).any(|(m, _)| m == to) {
                        blocked_transit = Some(next);
                    }
                }
            }
        }
        if found {
            break;
        }
    }
    if !found {
        let (a, b) = (&t.network(from).id, &t.network(to).id);
        return Err(NoRoute(match blocked_transit {
            Some(m) => {
                let mid = t.network(m);
                match mid.egress {
                    Some(fw) => format!(
                        "no route from `{a}` to `{b}`: transit through `{}` needs its firewall `{}`, which is disabled (what-if)",
                        mid.id,
                        t.endpoint(fw).id
                    ),
                    None => format!(
                        "no route from `{a}` to `{b}`: peering is not transitive, and `{}` has no egress firewall to carry traffic between its peers (set `egress:` on `{}`, or peer `{a}` with `{b}`)",
                        mid.id, mid.id
                    ),
                }
            }
            None => format!("no route from `{a}` to `{b}`: no chain of peerings connects them"),
        }));
    }
    let mut chain = vec![to];
    let mut cur = to;
    while let Some(p) = prev[cur.index()] {
        chain.push(p);
        if p == from {
            break;
        }
        cur = p;
    }
    chain.reverse();
    let firewalls = chain[1..chain.len() - 1]
        .iter()
        .filter_map(|m| t.network(*m).egress)
        .collect();
    Ok(NetRoute {
        networks: chain,
        firewalls,
    })
}

/// How traffic from a network reaches the internet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternetRoute {
    /// Networks crossed up to the exit (source first).
    pub networks: Vec<NetIx>,
    /// Firewalls crossed (transit firewalls, then the egress firewall).
    pub firewalls: Appliances,
}

/// The route from a network (and optionally its subnet's own egress flag) to the internet.
pub fn internet_route(
    t: &Topology,
    from: NetIx,
    subnet_egress: bool,
    w: &WhatIf,
) -> Result<InternetRoute, NoRoute> {
    if w.network_down(t, from) {
        return Err(NoRoute(format!(
            "network `{}` is disabled (what-if)",
            t.network(from).id
        )));
    }
    let net = t.network(from);
    if let Some(fw) = t.effective_egress(from) {
        let fwe = t.endpoint(fw);
        if w.endpoint_down(t, fw) {
            return Err(NoRoute(format!(
                "traffic from `{}` to the internet is forced through firewall `{}`, which is disabled (what-if)",
                net.id, fwe.id
            )));
        }
        let Some(fw_net) = fwe.network else {
            return Err(NoRoute(format!(
                "egress firewall `{}` is not in a subnet",
                fwe.id
            )));
        };
        let to_fw = net_route(t, from, fw_net, w)?;
        let fw_subnet_egress = fwe.subnet.is_some_and(|s| t.subnet(s).internet_egress);
        if t.network(fw_net).internet_egress || fw_subnet_egress || fwe.public_ip.is_some() {
            let mut firewalls = to_fw.firewalls.clone();
            firewalls.push(fw);
            return Ok(InternetRoute {
                networks: to_fw.networks,
                firewalls,
            });
        }
        return Err(NoRoute(format!(
            "traffic from `{}` to the internet is forced through firewall `{}`, but `{}` has no internet egress (set `internet_egress: true` on it, or give the firewall a `public_ip`)",
            net.id,
            fwe.id,
            t.network(fw_net).id
        )));
    }
    if net.internet_egress || subnet_egress {
        return Ok(InternetRoute {
            networks: vec![from],
            firewalls: Appliances::new(),
        });
    }
    Err(NoRoute(format!(
        "`{}` has no route to the internet: no egress firewall and no internet or NAT gateway (`internet_egress` is false: private by default)",
        net.id
    )))
}

/// Ids of the source end: endpoint (or address), subnet, network.
fn src_prefix(t: &Topology, src: &End) -> Vec<String> {
    let mut v = vec![src.label(t).into_owned()];
    if let Some(s) = src.subnet {
        let id = &t.subnet(s).id;
        if *id != src.label(t) {
            v.push(id.clone());
        }
    }
    if let Some(n) = src.network {
        let id = &t.network(n).id;
        if *id != src.label(t) {
            v.push(id.clone());
        }
    }
    v
}

pub fn partial_path(t: &Topology, src: &End) -> Vec<String> {
    if src.outside {
        vec![src.label(t).into_owned()]
    } else {
        src_prefix(t, src)
    }
}

fn dst_suffix(t: &Topology, dst: &End) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(s) = dst.subnet {
        v.push(t.subnet(s).id.clone());
    }
    if let Some(pe) = dst.via_pe {
        v.push(t.endpoint(pe).id.clone());
    }
    if v.last().map(String::as_str) != Some(&*dst.label(t)) {
        v.push(dst.label(t).into_owned());
    }
    v
}

#[allow(
    clippy::many_single_char_names,
    reason = "t (topology), w (what-if), q (query) and friends are the codebase's names"
)]
/// The route from `src` to `dst` (SPEC §3 step 2), between ends that are switched on: within a network, over peerings and transit
/// firewalls, out to the internet and in through a public address.
pub fn route(r: &Router<'_>, src: &End, dst: &End) -> Result<Route, NoRoute> {
    let t = r.t;
    let built = |path: Vec<String>, appliances: Appliances, public: bool| {
        Ok(Route {
            path: if r.explain { path } else { Vec::new() },
            appliances,
            public,
            hops: Vec::new(),
            nat: None,
        })
    };
    // The ends switched off by a what-if are the planner's to refuse (`Planner::route`).
    if t.routing().is_explicit() && !src.outside {
        return walk_cached(r, src, dst);
    }
    if let Some(g) = src
        .party
        .onprem
        .filter(|_| src.outside && !dst.outside && dst.naming != Naming::PublicAddr)
    {
        return onprem::route(r, src, dst, g);
    }
    match (src.outside, dst.outside) {
        (true, true) => {
            let mut p = vec![src.label(t).into_owned()];
            if !src.name.is_internet() {
                p.push("internet".to_string());
            }
            if !dst.name.is_internet() {
                p.push(dst.label(t).into_owned());
            }
            built(p, Appliances::new(), true)
        }
        (true, false) if dst.naming == Naming::PrivateAddr => Err(NoRoute(format!(
            "no route from the internet to {}: the internet does not carry private addresses{}",
            dst.party
                .addr
                .map_or_else(|| dst.label(t).into_owned(), |a| a.to_string()),
            dst.ep.and_then(|e| public_hint(t, e)).unwrap_or_default()
        ))),
        (true, false) => {
            let reachable =
                dst.via_pe.is_none() && dst.ep.is_some_and(|e| t.endpoint(e).public_ip.is_some());
            if !reachable {
                let what = dst.via_pe.map_or_else(
                    || dst.label(t).into_owned(),
                    |pe| format!("private endpoint {}", t.endpoint(pe).id),
                );
                return Err(NoRoute(format!(
                    "no route from the internet to {what}: it has no public IP (only endpoints with `public_ip` and PaaS services are reachable from the internet)"
                )));
            }
            let mut p = vec![src.label(t).into_owned()];
            if !src.name.is_internet() {
                p.push("internet".to_string());
            }
            if let Some(n) = dst.network {
                p.push(t.network(n).id.clone());
            }
            p.extend(dst_suffix(t, dst));
            built(p, Appliances::new(), false)
        }
        (false, false) if dst.naming == Naming::PublicAddr => {
            // Addressed by its public IP: out through the source's internet exit, back in.
            let (mut p, fws) = internet_leg(r, src)?;
            if let Some(n) = dst.network {
                p.push(t.network(n).id.clone());
            }
            p.extend(dst_suffix(t, dst));
            built(p, fws, true)
        }
        (false, true) if !r.explain => {
            let fws = internet_leg(r, src)?.1;
            built(Vec::new(), fws, true)
        }
        (false, true) => {
            let (mut p, fws) = internet_leg(r, src)?;
            if !dst.name.is_internet() {
                p.push(dst.label(t).into_owned());
            }
            built(p, fws, true)
        }
        (false, false) => {
            let (Some(a), Some(b)) = (src.network, dst.network) else {
                return Err(NoRoute("an end of the flow is in no network".to_string()));
            };
            let rt = r.net_route(a, b)?;
            if !r.explain {
                // Nobody reads the path: the route is the appliances on it.
                return built(Vec::new(), rt.firewalls, false);
            }
            let mut p = src_prefix(t, src);
            for (i, n) in rt.networks.iter().enumerate().skip(1) {
                p.push(t.network(*n).id.clone());
                if i + 1 < rt.networks.len() {
                    p.push(t.endpoint(rt.firewalls[i - 1]).id.clone());
                }
            }
            if let Some(s) = src.subnet.filter(|s| dst.subnet == Some(*s)) {
                // Same subnet: source, subnet, (the private endpoint,) destination (SPEC §11.8).
                p = vec![src.label(t).into_owned()];
                if t.subnet(s).id != src.label(t) {
                    p.push(t.subnet(s).id.clone());
                }
                if let Some(pe) = dst.via_pe {
                    p.push(t.endpoint(pe).id.clone());
                }
                p.push(dst.label(t).into_owned());
            } else {
                p.extend(dst_suffix(t, dst));
            }
            p.dedup();
            built(p, rt.firewalls, false)
        }
    }
}

/// [`table::walk`], cached by what it depends on when nobody reads the path.
fn walk_cached(r: &Router<'_>, src: &End, dst: &End) -> Result<Route, NoRoute> {
    if r.explain {
        return table::walk(r, src, dst);
    }
    let key: WalkKey = (
        src.network,
        src.subnet,
        table::dst_key(r.t, dst),
        dst.outside || dst.naming == Naming::PublicAddr,
        dst.network,
        dst.subnet,
    );
    if let Some(found) = r.walks.borrow().get(&key) {
        return found.clone();
    }
    let found = table::walk(r, src, dst);
    r.walks.borrow_mut().insert(key, found.clone());
    found
}

/// The way from the source out to the internet: path ids up to `internet`, and the firewalls.
fn internet_leg(r: &Router<'_>, src: &End) -> Result<(Vec<String>, Appliances), NoRoute> {
    let t = r.t;
    let Some(net) = src.network else {
        return Err(NoRoute("the source is in no network".to_string()));
    };
    let sub_egress = src.subnet.is_some_and(|s| t.subnet(s).internet_egress);
    let ir = r.internet_route(net, sub_egress)?;
    let mut p = src_prefix(t, src);
    let mut fw_iter = ir.firewalls.iter();
    for (i, n) in ir.networks.iter().enumerate() {
        if i > 0 {
            p.push(t.network(*n).id.clone());
        }
        if i > 0
            && i + 1 < ir.networks.len()
            && let Some(fw) = fw_iter.next()
        {
            p.push(t.endpoint(*fw).id.clone());
        }
    }
    for fw in fw_iter {
        p.push(t.endpoint(*fw).id.clone());
    }
    p.push("internet".to_string());
    Ok((p, ir.firewalls))
}

/// "(reach X by its public IP 1.2.3.4)" for an endpoint with one.
fn public_hint(t: &Topology, e: EpIx) -> Option<String> {
    let ep = t.endpoint(e);
    match ep.public_ip? {
        crate::model::PublicIp::Address(p) => {
            Some(format!(" (reach {} by its public IP {p})", ep.id))
        }
        crate::model::PublicIp::Yes => Some(format!(" (reach {} by its id or public IP)", ep.id)),
    }
}

/// Whether the file peers networks `a` and `b` directly (`peerings:` or a spoke's `hub:`).
pub fn peered(t: &Topology, a: NetIx, b: NetIx) -> bool {
    t.peerings()
        .iter()
        .any(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
}

pub fn no_route_fix(t: &Topology, src: &End, dst: &End) -> Option<String> {
    if let (Some(g), Some(dn), false) = (src.party.onprem, dst.network, dst.outside) {
        let ge = t.endpoint(g);
        return Some(match ge.network {
            Some(gn) => format!(
                "peer {} with {} and let it use the remote gateway (useRemoteGateways), so the on-premises prefixes of {} reach it",
                t.network(dn).id,
                t.network(gn).id,
                ge.id
            ),
            None => format!(
                "route the on-premises prefix to {} in the route table of {} (both ways)",
                ge.id,
                dst.subnet
                    .map_or_else(|| t.network(dn).id.clone(), |s| t.subnet(s).id.clone())
            ),
        });
    }
    match (src.outside, dst.outside) {
        (true, false) => Some(format!(
            "publish {} through a public entry point (a WAF or gateway with `public_ip`), or connect from inside the network (Bastion, VPN)",
            dst.label(t)
        )),
        (false, true) => src.network.map(|n| {
            let net = t.network(n);
            format!(
                "give {} a way out: route it through a hub firewall (`egress:` on the hub, `internet_egress: true` there), or set `internet_egress: true` if it should reach the internet directly",
                net.id
            )
        }),
        (false, false) => match (src.network, dst.network) {
            (Some(a), Some(b)) if a != b && peered(t, a, b) => {
                // Peered, yet unrouted: a route table sends it elsewhere (or nowhere).
                let (na, nb) = (t.network(a), t.network(b));
                let prefix = dst
                    .subnet
                    .and_then(|s| t.subnet(s).cidrs.first())
                    .or_else(|| nb.cidrs.first())
                    .map_or_else(|| nb.id.clone(), ToString::to_string);
                let rt = t.routing();
                let table = rt.table_of(src.subnet, a).map_or_else(
                    || {
                        src.subnet
                            .map_or_else(|| na.id.clone(), |s| t.subnet(s).id.clone())
                    },
                    |ix| rt.tables[ix.index()].id.clone(),
                );
                Some(if na.provider.as_deref() == Some("aws") {
                    format!(
                        "{} and {} are peered, but the route table of {table} has no route to {prefix} over the peering: add `{{ prefix: {prefix}, next_hop: peering:{} }}` there, and the return route in {} (AWS routes a peering only where a route names it)",
                        na.id, nb.id, nb.id, nb.id
                    )
                } else {
                    format!(
                        "{} and {} are peered, but a route of {table} sends {prefix} elsewhere: remove the route that wins for {prefix} (a `none` next hop, or an appliance that does not forward it), so the peering's system route carries it",
                        na.id, nb.id
                    )
                })
            }
            (Some(a), Some(b)) => Some(format!(
                "peer {} with {}, or send the traffic through a hub whose firewall carries spoke-to-spoke traffic (`egress:` on the hub)",
                t.network(a).id,
                t.network(b).id
            )),
            _ => None,
        },
        (true, true) => None,
    }
}
