//! Route tables (user-defined routes) → the design's `route_tables:` (SPEC §11.1), one per
//! route table and virtual network that uses it, set on the subnets that reference it.
//!
//! Owns: `routes[]` (`addressPrefix`, `nextHopType`, `nextHopIpAddress`) → `{prefix, next_hop}`;
//! the system routes a subnet keeps beside its user-defined ones (the peered networks'
//! prefixes over the peering); the appliance a `VirtualAppliance` route names (the endpoint
//! holding `nextHopIpAddress`, which becomes `kind: firewall`; an Azure Firewall's endpoint,
//! made by fw.rs before the routes are read, is found there by its address); a
//! `VirtualNetworkGateway` route's gateway (gw.rs). Must never: drop a route without a
//! finding, or route to an address no endpoint or subnet of the export holds.
//!
//! Azure: <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>
//! ("System routes", "Custom routes", "How Azure selects a route": the longest prefix wins; a
//! user-defined route wins over a system route of the same prefix).

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::nsg::array;
use super::{Ctx, Res, props_of, slug, str_of, unique};
use crate::import::ImportError;
use crate::import::doc::{Endpoint, Route, RouteTable};
use crate::import::json::join;

const RT: &str = "microsoft.network/routetables";

/// Every subnet's route table.
pub(super) fn route_tables(cx: &mut Ctx, all: &[Res]) -> Result<(), ImportError> {
    let tables: BTreeMap<&str, &Res> = all
        .iter()
        .filter(|r| r.ty == RT)
        .map(|r| (r.id.as_str(), r))
        .collect();
    // (route table, network) → the table's id in the design.
    let mut made: BTreeMap<(String, usize), String> = BTreeMap::new();
    let mut used_tables = std::collections::BTreeSet::new();
    for s in std::mem::take(&mut cx.subnet_rts) {
        let Some(r) = tables.get(s.target.as_str()) else {
            cx.report.unsupported(
                &s.file,
                s.path,
                format!(
                    "the route table {} is not in the input: subnet {} is modelled with the system routes only; export the route table too",
                    super::name_of_id(&s.target),
                    cx.doc.networks[s.net].subnets[s.sub].id
                ),
            );
            continue;
        };
        used_tables.insert(r.id.clone());
        let key = (r.id.clone(), s.net);
        let id = if let Some(id) = made.get(&key) {
            id.clone()
        } else {
            let base = if made.keys().any(|(t, _)| *t == r.id) {
                format!("{}-{}", slug(&r.name), cx.doc.networks[s.net].id)
            } else {
                slug(&r.name)
            };
            let id = unique(&base, &mut cx.used);
            let routes = table(cx, r, s.net)?;
            cx.report.add("routes", routes.len());
            cx.report.add("route tables", 1);
            cx.report.origin(id.clone(), &r.file, r.path.clone());
            cx.doc.route_tables.push(RouteTable {
                id: id.clone(),
                name: Some(r.name.clone()),
                routes,
            });
            made.insert(key, id.clone());
            id
        };
        cx.doc.networks[s.net].subnets[s.sub].route_table = Some(id);
    }
    for r in tables.values() {
        if !used_tables.contains(&r.id) {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!(
                    "route table {} is associated with no subnet of the input: skipped",
                    r.name
                ),
            );
        }
    }
    Ok(())
}

/// The routes of `r` as network `n`'s subnets see them: its user-defined routes, then the
/// system routes to peered networks that no user-defined route of the same prefix replaces.
fn table(cx: &mut Ctx, r: &Res, n: usize) -> Result<Vec<Route>, ImportError> {
    let mut out: Vec<Route> = Vec::new();
    for (i, v) in array(&r.props, "routes", &r.file, &r.pp)?
        .iter()
        .enumerate()
    {
        let at = format!("{}.routes[{i}]", r.pp);
        let p = props_of(v);
        let pp = if v.get("properties").is_some() {
            join(&at, "properties")
        } else {
            at.clone()
        };
        let name = str_of(v, "name").unwrap_or("route");
        let what = format!("route table {} route {name}", r.name);
        let Some(text) = str_of(&p, "addressPrefix").map(str::trim) else {
            return Err(ImportError::new(
                &r.file,
                join(&pp, "addressPrefix"),
                format!("{what} has no `addressPrefix`"),
                "export the route table again, unchanged (`az network route-table show -o json`)",
            ));
        };
        let parsed = text
            .parse::<IpNet>()
            .or_else(|_| text.parse::<IpAddr>().map(IpNet::from));
        let prefix = match parsed {
            Ok(net) if net.trunc() == net => net,
            Ok(net) => {
                cx.report.assumed(
                    &r.file,
                    join(&pp, "addressPrefix"),
                    format!("{what}: {text} has host bits set: taken as {}", net.trunc()),
                );
                net.trunc()
            }
            Err(_) => {
                cx.report.unsupported(
                    &r.file,
                    join(&pp, "addressPrefix"),
                    format!("{what}: the service tag {text} as a route prefix has no address prefixes in the export: route skipped"),
                );
                continue;
            }
        };
        let hop_type = str_of(&p, "nextHopType").unwrap_or("").to_ascii_lowercase();
        let hop = match hop_type.as_str() {
            "vnetlocal" => "local".to_string(),
            "internet" => "internet".to_string(),
            "none" => "none".to_string(),
            "virtualappliance" => {
                let ip =
                    str_of(&p, "nextHopIpAddress").and_then(|t| t.trim().parse::<IpAddr>().ok());
                let Some(ip) = ip else {
                    return Err(ImportError::new(
                        &r.file,
                        join(&pp, "nextHopIpAddress"),
                        format!(
                            "{what}: a VirtualAppliance route needs an IP address in `nextHopIpAddress`"
                        ),
                        "export the route table again, unchanged",
                    ));
                };
                appliance(cx, n, ip, &r.file, &join(&pp, "nextHopIpAddress"), &what)
            }
            "virtualnetworkgateway" if super::gw::next_hop(cx, &reach(cx, n)).is_some() => {
                super::gw::next_hop(cx, &reach(cx, n)).unwrap_or_default()
            }
            other => {
                cx.report.unsupported(
                    &r.file,
                    join(&pp, "nextHopType"),
                    format!("{what}: next hop type `{other}` is not modelled (a VirtualNetworkGateway route needs the gateway of this network or a peer in the input): route skipped, the destination takes the next longest route"),
                );
                continue;
            }
        };
        out.push(Route {
            prefix: prefix.to_string(),
            next_hop: hop,
        });
    }
    // System routes Azure keeps beside the user-defined ones: each directly peered network's
    // address space over the peering ("System routes", VNet peering).
    let peers: Vec<usize> = reach(cx, n).into_iter().skip(1).collect();
    for m in peers {
        let net = &cx.doc.networks[m];
        for c in &net.cidr {
            let c = c
                .parse::<IpNet>()
                .map_or_else(|_| c.clone(), |x| x.trunc().to_string());
            if !out.iter().any(|x| x.prefix == c) {
                out.push(Route {
                    prefix: c,
                    next_hop: format!("peering:{}", net.id),
                });
            }
        }
    }
    Ok(out)
}

/// The indices of network `n` and of the networks peered with it (`n` first).
fn reach(cx: &Ctx, n: usize) -> Vec<usize> {
    let me = &cx.doc.networks[n].id;
    let mut out = vec![n];
    for [a, b] in &cx.doc.peerings {
        let other = if a == me {
            b
        } else if b == me {
            a
        } else {
            continue;
        };
        if let Some(m) = cx.doc.networks.iter().position(|x| x.id == *other) {
            out.push(m);
        }
    }
    out
}

/// The endpoint that a `VirtualAppliance` route of network `n` sends to: the NIC endpoint
/// holding `ip` in `n` or a network peered with it (it becomes `kind: firewall`), else a
/// firewall endpoint at `ip` in the subnet of those networks that holds it; `none` when none
/// does (two unpeered networks may use the same addresses: only these are looked at).
fn appliance(cx: &mut Ctx, n: usize, ip: IpAddr, file: &str, path: &str, what: &str) -> String {
    let text = ip.to_string();
    let nets = reach(cx, n);
    // Subnet id → its network's place in `nets` (lower is nearer).
    let mut subnets: BTreeMap<String, usize> = BTreeMap::new();
    for (rank, &m) in nets.iter().enumerate() {
        for s in &cx.doc.networks[m].subnets {
            subnets.entry(s.id.clone()).or_insert(rank);
        }
    }
    let rank_of = |e: &Endpoint| e.subnet.as_ref().and_then(|s| subnets.get(s).copied());
    let found = cx
        .doc
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| e.ip.as_deref() == Some(text.as_str()))
        .filter_map(|(i, e)| rank_of(e).map(|r| (r, i)))
        .min()
        .map(|(_, i)| i);
    if let Some(i) = found {
        let e = &mut cx.doc.endpoints[i];
        if e.kind != "firewall" {
            e.kind = "firewall".into();
            let nsg = std::mem::take(&mut e.rules);
            let id = e.id.clone();
            cx.report.unsupported(
                file,
                path,
                format!(
                    "{what}: {id} ({text}) is an appliance: its own filtering is not in the export{}, so it is modelled as a firewall with no rules, which drops what is routed through it; give it rules in a design built on this import",
                    if nsg.is_empty() { String::new() } else { format!(" and its NIC NSG {} does not apply to the traffic it forwards here", nsg.join(", ")) }
                ),
            );
        }
        return e.id.clone();
    }
    let place = nets.iter().find_map(|&m| {
        cx.doc.networks[m]
            .subnets
            .iter()
            .find(|s| {
                s.cidr
                    .iter()
                    .any(|c| c.parse::<IpNet>().is_ok_and(|x| x.contains(&ip)))
            })
            .map(|s| s.id.clone())
    });
    let Some(subnet) = place else {
        cx.report.unsupported(
            file,
            path,
            format!("{what}: no subnet of this network or its peers holds the appliance {text}: modelled as `none` (dropped)"),
        );
        return "none".into();
    };
    let id = unique(&format!("appliance-{}", slug(&text)), &mut cx.used);
    cx.report.unsupported(
        file,
        path,
        format!("{what}: the appliance {text} is no NIC or Azure Firewall of the input (a load balancer's frontend, say, which is not modelled yet): modelled as firewall {id} with no rules, which drops what is routed through it"),
    );
    cx.doc.endpoints.push(Endpoint {
        id: id.clone(),
        name: Some(format!("appliance {text}")),
        kind: "firewall".into(),
        subnet: Some(subnet),
        ip: Some(text),
        description: Some("the next hop of a VirtualAppliance route".into()),
        ..Endpoint::default()
    });
    id
}

/// Hub and spokes for the explorer's map (issue 18, item 5): a virtual network that holds an
/// appliance (an endpoint of kind firewall) and is peered with two or more networks is a hub,
/// and its peers spokes. The role changes no verdict; each hub is an `assumed` finding.
pub(super) fn roles(cx: &mut Ctx) {
    let mut links: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for [a, b] in &cx.doc.peerings {
        links.entry(a.clone()).or_default().push(b.clone());
        links.entry(b.clone()).or_default().push(a.clone());
    }
    let mut hubs: Vec<(usize, String, Vec<String>)> = Vec::new();
    for e in cx.doc.endpoints.iter().filter(|e| e.kind == "firewall") {
        let Some(n) = e.subnet.as_ref().and_then(|s| {
            cx.doc
                .networks
                .iter()
                .position(|net| net.subnets.iter().any(|x| x.id == *s))
        }) else {
            continue;
        };
        let peers = links
            .get(&cx.doc.networks[n].id)
            .cloned()
            .unwrap_or_default();
        if peers.len() >= 2 && !hubs.iter().any(|(h, _, _)| *h == n) {
            hubs.push((n, e.id.clone(), peers));
        }
    }
    for (n, appliance, peers) in hubs {
        let id = cx.doc.networks[n].id.clone();
        cx.doc.networks[n].role = Some("hub".into());
        cx.report.assumed(
            "",
            id.clone(),
            format!(
                "virtual network {id} holds appliance {appliance} and is peered with {} networks: role hub, they spokes (the explorer's map only)",
                peers.len()
            ),
        );
        for p in peers {
            if let Some(net) = cx.doc.networks.iter_mut().find(|x| x.id == p)
                && net.role.is_none()
            {
                net.role = Some("spoke".into());
            }
        }
    }
}
