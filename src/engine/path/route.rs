//! Route finding over the graph of networks and peerings (SPEC §3 step 2).
//!
//! Owns: the fewest-hop chain of peered networks in which every intermediate network is crossed
//! through its `egress` firewall, and internet egress. Must never: evaluate rules.

use std::collections::VecDeque;

use crate::engine::trace::WhatIf;
use crate::model::{EpIx, NetIx, Topology};

/// A chain of networks from a source network to a destination network, with the firewalls that
/// carry transit through the intermediate ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRoute {
    pub networks: Vec<NetIx>,
    /// For each intermediate network (networks[1..len-1]), its egress firewall.
    pub firewalls: Vec<EpIx>,
}

impl NetRoute {
    pub fn hops(&self) -> usize {
        self.networks.len().saturating_sub(1)
    }
}

/// Why there is no route, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoRoute(pub String);

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
            firewalls: Vec::new(),
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
    pub firewalls: Vec<EpIx>,
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
            firewalls: Vec::new(),
        });
    }
    Err(NoRoute(format!(
        "`{}` has no route to the internet: no egress firewall and no internet or NAT gateway (`internet_egress` is false: private by default)",
        net.id
    )))
}
