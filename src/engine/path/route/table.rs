//! Routing by route tables, hop by hop (SPEC §11.1–§11.2): the longest matching prefix of the
//! effective table of the place the flow is at, then what its next hop does — deliver in the
//! network, cross one peering (never transitive), go through an appliance (checked, then routed
//! again from its subnet), leave for the internet (public addresses only), drop, reach on-premises
//! through a VPN gateway, or be looked up in a transit gateway's table for the arrival
//! attachment.
//!
//! Owns: [`walk`], [`lookup`] (the longest-prefix match, also used by the tests) and the
//! [`Hop`]s a route records. Must never: evaluate rules or print.

use ipnet::IpNet;
use serde::Serialize;

use super::{Appliances, Route, Router, dst_suffix, src_prefix};
use crate::engine::path::resolve::{End, Naming};
use crate::model::routing::{NextHop, TgwAttachment, TgwTarget};
use crate::model::{EpIx, NetIx, SubnetIx, Topology};

use super::NoRoute;

/// The route that chose one hop: which table, which prefix (as written), which next hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HopRoute {
    pub table: String,
    pub prefix: String,
    pub next_hop: String,
}

/// One hop of a route: where the flow was when a route chose where it went next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The subnet, network or gateway the lookup was made at.
    pub at: String,
    pub route: HopRoute,
    /// The source NAT at the next hop this route chose, if it translates (filled by the trace
    /// from the plan's [`crate::engine::path::plan::Snat`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nat: Option<Translation>,
}

/// A translation of the flow's source on its way (SPEC §11.1 `nat_gateway`): where, and the
/// address before and after (`public_ip: true` without an address shows as `public`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// `snat` (the source is translated) or `dnat` (the destination, by a firewall's DNAT rule:
    /// `from` and `to` are then `address:port`).
    pub kind: String,
    /// The NAT gateway or appliance id, or `internet` for an internet gateway.
    pub at: String,
    pub from: String,
    pub to: String,
    /// The DNAT rule that translated (`dnat` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A candidate of a lookup: its prefix, its next hop, and what the hop record says.
#[derive(Debug, Clone)]
struct Cand {
    prefix: IpNet,
    hop: NextHop,
    /// User-defined (wins over a system route of the same length, as both clouds).
    user: bool,
    table: String,
    written: String,
    hop_text: String,
}

/// The longest prefix of `prefixes` that contains `key`; among equals, the first one whose
/// `preferred` is true, else the first. Returns its index.
pub fn lookup(prefixes: &[(IpNet, bool)], key: IpNet) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, (p, pref)) in prefixes.iter().enumerate() {
        if !p.contains(&key) {
            continue;
        }
        best = match best {
            None => Some(i),
            Some(b) => {
                let (bp, bpref) = prefixes[b];
                if p.prefix_len() > bp.prefix_len()
                    || (p.prefix_len() == bp.prefix_len() && *pref && !bpref)
                {
                    Some(i)
                } else {
                    Some(b)
                }
            }
        };
    }
    best
}

fn is_aws(t: &Topology, n: NetIx) -> bool {
    t.network(n)
        .provider
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("aws"))
}

fn default_v4_v6() -> [IpNet; 2] {
    [
        "0.0.0.0/0".parse().unwrap_or_default(),
        "::/0".parse().unwrap_or_default(),
    ]
}

/// The routes in force at a place: the network's own prefixes (`local`), then — Azure, or the
/// implicit table — the peerings, the VPN gateways' on-premises prefixes and the default route;
/// then the user table's routes.
fn candidates(r: &Router<'_>, net: NetIx, sub: Option<SubnetIx>) -> Vec<Cand> {
    let (t, w) = (r.t, r.w);
    let rt = t.routing();
    let user = rt.table_of(sub, net);
    let n = t.network(net);
    let mut c = Vec::new();
    let sys = |prefix: IpNet, hop: NextHop, written: String, hop_text: String| Cand {
        prefix,
        hop,
        user: false,
        table: "(system)".to_string(),
        written,
        hop_text,
    };
    for p in &n.cidrs {
        c.push(sys(*p, NextHop::Local, p.to_string(), "local".into()));
    }
    let system_rest = user.is_none() || !is_aws(t, net);
    if system_rest {
        for (m, pi) in t.peers(net) {
            if w.peering_down(pi) || w.network_down(t, m) {
                continue;
            }
            for p in &t.network(m).cidrs {
                c.push(sys(
                    *p,
                    NextHop::Peering(m),
                    p.to_string(),
                    format!("peering:{}", t.network(m).id),
                ));
            }
        }
        for (g, pfx) in &rt.onprem {
            let gn = t.endpoint(*g).network;
            if gn.is_some_and(|gn| gn == net || t.peers(net).any(|(m, _)| m == gn)) {
                for p in pfx {
                    c.push(sys(
                        *p,
                        NextHop::VpnGateway(*g),
                        p.to_string(),
                        t.endpoint(*g).id.clone(),
                    ));
                }
            }
        }
        // The default route: the `egress` shorthand (implicit table only), else the internet.
        let fw = t
            .effective_egress(net)
            .filter(|fw| user.is_none() && !(sub.is_some() && t.endpoint(*fw).subnet == sub));
        let egress = n.internet_egress || sub.is_some_and(|s| t.subnet(s).internet_egress);
        let own_fw_out = sub.is_some_and(|s| {
            t.effective_egress(net).is_some_and(|fw| {
                t.endpoint(fw).subnet == Some(s) && t.endpoint(fw).public_ip.is_some()
            })
        });
        for d in default_v4_v6() {
            if let Some(fw) = fw {
                c.push(sys(
                    d,
                    NextHop::Appliance(fw),
                    d.to_string(),
                    t.endpoint(fw).id.clone(),
                ));
            } else if egress || own_fw_out {
                c.push(sys(d, NextHop::Internet, d.to_string(), "internet".into()));
            }
        }
    }
    if let Some(u) = user {
        let tab = rt.table(u);
        for ur in &tab.routes {
            c.push(Cand {
                prefix: ur.prefix,
                hop: ur.next_hop,
                user: true,
                table: tab.id.clone(),
                written: ur.written.clone(),
                hop_text: ur.next_hop_text.clone(),
            });
        }
    }
    c
}

/// The next hop the effective table of a place (a network, and a subnet of it) gives `key`, and
/// the route's text (`table prefix → next hop`), if any route holds it.
pub(super) fn next_hop_at(
    r: &Router<'_>,
    net: NetIx,
    sub: Option<SubnetIx>,
    key: IpNet,
) -> Option<(NextHop, String)> {
    let cands = candidates(r, net, sub);
    let pf: Vec<(IpNet, bool)> = cands.iter().map(|c| (c.prefix, c.user)).collect();
    lookup(&pf, key).map(|i| {
        let c = &cands[i];
        (c.hop, format!("{} {} → {}", c.table, c.written, c.hop_text))
    })
}

/// What the destination's address is for a lookup: its address, else its subnet's or its
/// network's first range, else the default route's (a public service).
pub(super) fn dst_key(t: &Topology, dst: &End) -> IpNet {
    // Named by its public address: that address is what the routes see.
    if dst.naming == Naming::PublicAddr
        && let Some(crate::model::PublicIp::Address(a)) =
            dst.ep.and_then(|e| t.endpoint(e).public_ip)
    {
        return IpNet::from(a);
    }
    if let Some(a) = dst.party.addr {
        return IpNet::from(a);
    }
    if let Some(c) = dst.subnet.and_then(|s| t.subnet(s).cidrs.first()) {
        return *c;
    }
    if let Some(c) = dst.network.and_then(|n| t.network(n).cidrs.first()) {
        return *c;
    }
    default_v4_v6()[0]
}

fn no(r: &Router<'_>, f: impl FnOnce() -> String) -> NoRoute {
    if r.explain {
        NoRoute(f())
    } else {
        NoRoute::default()
    }
}

/// The route from an end inside a network, by route tables (SPEC §11.1).
#[allow(
    clippy::too_many_lines,
    reason = "one match over the kinds of next hop"
)]
pub fn walk(r: &Router<'_>, src: &End, dst: &End) -> Result<Route, NoRoute> {
    let (t, w) = (r.t, r.w);
    let (Some(mut net), mut sub) = (src.network, src.subnet) else {
        return Err(no(r, || "the source is in no network".to_string()));
    };
    if w.network_down(t, net) {
        return Err(no(r, || {
            format!("network `{}` is disabled (what-if)", t.network(net).id)
        }));
    }
    let key = dst_key(t, dst);
    // A private address outside every network is not on the internet (RFC 1918, RFC 4193).
    let private_out = dst.outside
        && match key.addr() {
            std::net::IpAddr::V4(a) => a.is_private(),
            std::net::IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00,
        };
    let public_dst = (dst.outside && !private_out) || dst.naming == Naming::PublicAddr;
    let mut path = src_prefix(t, src);
    let mut hops: Vec<Hop> = Vec::new();
    let mut appliances = Appliances::new();
    let here = |net: NetIx, sub: Option<SubnetIx>| {
        sub.map_or_else(|| t.network(net).id.clone(), |s| t.subnet(s).id.clone())
    };
    let deliver = |mut path: Vec<String>, hops: Vec<Hop>, appliances: Appliances, public: bool| {
        path.extend(dst_suffix(t, dst));
        path.dedup();
        Ok(Route {
            path: if r.explain { path } else { Vec::new() },
            appliances,
            public,
            hops: if r.explain { hops } else { Vec::new() },
            nat: None,
        })
    };
    for _ in 0..32 {
        let cands = candidates(r, net, sub);
        let pf: Vec<(IpNet, bool)> = cands.iter().map(|c| (c.prefix, c.user)).collect();
        let Some(i) = lookup(&pf, key) else {
            let tab = t.routing().table_of(sub, net).map_or_else(
                || "its implicit route table".to_string(),
                |x| format!("route table `{}`", t.routing().table(x).id),
            );
            return Err(no(r, || {
                format!(
                    "no route for {key} at `{}`: no prefix of {tab} contains it",
                    here(net, sub)
                )
            }));
        };
        let c = &cands[i];
        if r.explain {
            hops.push(Hop {
                at: here(net, sub),
                nat: None,
                route: HopRoute {
                    table: c.table.clone(),
                    prefix: c.written.clone(),
                    next_hop: c.hop_text.clone(),
                },
            });
        }
        let named = || {
            format!(
                "route {} → {} of table `{}`",
                c.written, c.hop_text, c.table
            )
        };
        match c.hop {
            NextHop::Local => {
                if !public_dst && dst.network == Some(net) {
                    if src.subnet.is_some() && src.subnet == dst.subnet && appliances.is_empty() {
                        path.truncate(1);
                        if let Some(s) = src
                            .subnet
                            .map(|s| t.subnet(s).id.clone())
                            .filter(|s| *s != src.label(t))
                        {
                            path.push(s);
                        }
                    }
                    return deliver(path, hops, appliances, false);
                }
                return Err(no(r, || {
                    format!(
                        "{} delivers in `{}`, but the destination is not there",
                        named(),
                        t.network(net).id
                    )
                }));
            }
            NextHop::Peering(m) => {
                let up = t.peers(net).any(|(x, pi)| x == m && !w.peering_down(pi))
                    && !w.network_down(t, m);
                if !up {
                    return Err(no(r, || {
                        format!(
                            "{} names a peering that is not there or is disabled",
                            named()
                        )
                    }));
                }
                path.push(t.network(m).id.clone());
                if !public_dst && dst.network == Some(m) {
                    return deliver(path, hops, appliances, false);
                }
                return Err(no(r, || {
                    format!(
                        "{} reaches `{}`, where the destination is not: peering is not transitive (a flow over a peering is delivered in that network only)",
                        named(),
                        t.network(m).id
                    )
                }));
            }
            NextHop::Appliance(fw) => {
                let fe = t.endpoint(fw);
                if w.endpoint_down(t, fw) {
                    return Err(no(r, || {
                        format!(
                            "{} sends the flow to firewall `{}`, which is disabled (what-if)",
                            named(),
                            fe.id
                        )
                    }));
                }
                if appliances.contains(&fw) {
                    return Err(no(r, || {
                        format!(
                            "routing loop: {} sends the flow back to `{}`",
                            named(),
                            fe.id
                        )
                    }));
                }
                let Some(fnet) = fe.network else {
                    return Err(no(r, || {
                        format!("{}: firewall `{}` is in no subnet", named(), fe.id)
                    }));
                };
                if fnet != net {
                    let peered = t.peers(net).any(|(x, pi)| x == fnet && !w.peering_down(pi));
                    if !peered || w.network_down(t, fnet) {
                        return Err(no(r, || {
                            format!(
                                "{}: firewall `{}` is in `{}`, which `{}` does not reach by a peering",
                                named(),
                                fe.id,
                                t.network(fnet).id,
                                t.network(net).id
                            )
                        }));
                    }
                    path.push(t.network(fnet).id.clone());
                }
                path.push(fe.id.clone());
                appliances.push(fw);
                net = fnet;
                sub = fe.subnet;
            }
            NextHop::Internet | NextHop::NatGateway(_) => {
                if !public_dst {
                    return Err(no(r, || {
                        format!(
                            "{} leads to the internet, which carries public addresses only: {key} is private",
                            named()
                        )
                    }));
                }
                if let NextHop::NatGateway(g) = c.hop {
                    if w.endpoint_down(t, g) {
                        return Err(no(r, || {
                            format!(
                                "{}: NAT gateway `{}` is disabled (what-if)",
                                named(),
                                t.endpoint(g).id
                            )
                        }));
                    }
                    path.push(t.endpoint(g).id.clone());
                    // AWS: a public NAT gateway sends what it translates by its own subnet's
                    // route table, which must route it to an internet gateway ("create the NAT
                    // gateway in a public subnet",
                    // https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html).
                    let ge = t.endpoint(g);
                    if let Some(gnet) = ge.network.filter(|n| is_aws(t, *n)) {
                        let gc = candidates(r, gnet, ge.subnet);
                        let gpf: Vec<(IpNet, bool)> =
                            gc.iter().map(|c| (c.prefix, c.user)).collect();
                        let found = lookup(&gpf, key).map(|j| &gc[j]);
                        if r.explain
                            && let Some(x) = found
                        {
                            hops.push(Hop {
                                at: here(gnet, ge.subnet),
                                nat: None,
                                route: HopRoute {
                                    table: x.table.clone(),
                                    prefix: x.written.clone(),
                                    next_hop: x.hop_text.clone(),
                                },
                            });
                        }
                        if !found.is_some_and(|x| x.hop == NextHop::Internet) {
                            return Err(no(r, || {
                                format!(
                                    "{}: NAT gateway `{}` is in `{}`, whose routes do not send {key} to an internet gateway (a public NAT gateway belongs in a public subnet)",
                                    named(),
                                    ge.id,
                                    here(gnet, ge.subnet)
                                )
                            }));
                        }
                    }
                }
                path.push("internet".to_string());
                if dst.outside {
                    if !dst.name.is_internet() {
                        path.push(dst.label(t).into_owned());
                    }
                } else {
                    if let Some(n) = dst.network {
                        path.push(t.network(n).id.clone());
                    }
                    path.extend(dst_suffix(t, dst));
                }
                path.dedup();
                return Ok(Route {
                    path: if r.explain { path } else { Vec::new() },
                    appliances,
                    public: true,
                    hops: if r.explain { hops } else { Vec::new() },
                    nat: match c.hop {
                        NextHop::NatGateway(g) => Some(g),
                        _ => None,
                    },
                });
            }
            NextHop::Drop => {
                return Err(no(r, || {
                    format!("dropped by {} (next hop none / blackhole)", named())
                }));
            }
            NextHop::VpnGateway(g) => {
                let ok = t
                    .routing()
                    .onprem
                    .get(&g)
                    .is_some_and(|p| p.iter().any(|p| p.contains(&key)));
                if !ok || !dst.outside {
                    return Err(no(r, || {
                        format!(
                            "{}: {key} is not among the on-premises prefixes of `{}`",
                            named(),
                            t.endpoint(g).id
                        )
                    }));
                }
                if w.endpoint_down(t, g) {
                    return Err(no(r, || {
                        format!(
                            "{}: VPN gateway `{}` is disabled (what-if)",
                            named(),
                            t.endpoint(g).id
                        )
                    }));
                }
                path.push(t.endpoint(g).id.clone());
                path.push(dst.label(t).into_owned());
                path.dedup();
                return Ok(Route {
                    path: if r.explain { path } else { Vec::new() },
                    appliances,
                    public: false,
                    hops: if r.explain { hops } else { Vec::new() },
                    nat: None,
                });
            }
            NextHop::TransitGateway(g) => {
                let m = tgw(r, g, net, key, &mut path, &mut hops)?;
                path.push(t.network(m).id.clone());
                if !public_dst && dst.network == Some(m) {
                    return deliver(path, hops, appliances, false);
                }
                // Routed again in the attached network (an inspection VPC, say).
                net = m;
                sub = None;
            }
        }
    }
    Err(no(r, || {
        "routing loop: the flow was routed more than 32 times".to_string()
    }))
}

/// A transit gateway's lookup (SPEC §11.2): the table associated with the arrival attachment;
/// static routes and propagated ones (the propagating networks' prefixes), the longest prefix
/// first, a static route winning over a propagated one of the same length; blackholes drop;
/// a route to a peered transit gateway continues there.
fn tgw(
    r: &Router<'_>,
    first: EpIx,
    from: NetIx,
    key: IpNet,
    path: &mut Vec<String>,
    hops: &mut Vec<Hop>,
) -> Result<NetIx, NoRoute> {
    let t = r.t;
    let (mut g, mut arrival) = (first, TgwAttachment::Network(from));
    for _ in 0..8 {
        let ge = t.endpoint(g);
        if r.w.endpoint_down(t, g) {
            return Err(no(r, || {
                format!("transit gateway `{}` is disabled (what-if)", ge.id)
            }));
        }
        path.push(ge.id.clone());
        let Some(gw) = t.routing().tgws.get(&g) else {
            return Err(no(r, || format!("`{}` has no attachments", ge.id)));
        };
        if let TgwAttachment::Network(n) = arrival
            && !gw.attachments.contains(&n)
        {
            return Err(no(r, || {
                format!(
                    "`{}` is not attached to transit gateway `{}`",
                    t.network(n).id,
                    ge.id
                )
            }));
        }
        let Some(tab) = gw.table_for(arrival) else {
            return Err(no(r, || {
                format!(
                    "the attachment the flow arrives on at `{}` is associated with no route table",
                    ge.id
                )
            }));
        };
        let mut pf: Vec<(IpNet, bool)> = Vec::new();
        let mut tg: Vec<(TgwTarget, String)> = Vec::new();
        for s in &tab.routes {
            pf.push((s.prefix, true));
            tg.push((s.target, s.prefix.to_string()));
        }
        for n in &tab.propagations {
            for p in &t.network(*n).cidrs {
                pf.push((*p, false));
                tg.push((TgwTarget::Network(*n), p.to_string()));
            }
        }
        let Some(i) = lookup(&pf, key) else {
            return Err(no(r, || {
                format!(
                    "no route for {key} in table `{}` of transit gateway `{}`",
                    tab.id, ge.id
                )
            }));
        };
        let (target, written) = &tg[i];
        let text = match target {
            TgwTarget::Network(n) => t.network(*n).id.clone(),
            TgwTarget::Peer(p) => t.endpoint(*p).id.clone(),
            TgwTarget::Blackhole => "none".to_string(),
        };
        if r.explain {
            hops.push(Hop {
                at: ge.id.clone(),
                nat: None,
                route: HopRoute {
                    table: tab.id.clone(),
                    prefix: written.clone(),
                    next_hop: text.clone(),
                },
            });
        }
        match *target {
            TgwTarget::Blackhole => {
                return Err(no(r, || {
                    format!(
                        "dropped by blackhole route {written} of table `{}` of transit gateway `{}`",
                        tab.id, ge.id
                    )
                }));
            }
            TgwTarget::Network(n) => {
                if !gw.attachments.contains(&n) || r.w.network_down(t, n) {
                    return Err(no(r, || {
                        format!(
                            "route {written} of `{}` names `{}`, which is not attached (or is disabled)",
                            tab.id,
                            t.network(n).id
                        )
                    }));
                }
                return Ok(n);
            }
            TgwTarget::Peer(p) => {
                if !gw.peers.contains(&p) {
                    return Err(no(r, || {
                        format!(
                            "route {written} of `{}` names `{}`, which does not peer with `{}`",
                            tab.id,
                            t.endpoint(p).id,
                            ge.id
                        )
                    }));
                }
                arrival = TgwAttachment::Peer(g);
                g = p;
            }
        }
    }
    Err(no(r, || "transit gateway peering loop".to_string()))
}
