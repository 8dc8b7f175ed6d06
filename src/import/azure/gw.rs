//! Virtual network gateways (VPN and ExpressRoute, `microsoft.network/virtualnetworkgateways`),
//! local network gateways and connections → a `vpn_gateway` endpoint in the `GatewaySubnet`
//! with the on-premises prefixes behind it as `onprem:` (SPEC §11.2), which the routes of its
//! network and its peers reach, and `VirtualNetworkGateway` routes name (routes.rs asks
//! [`next_hop`]).
//!
//! Azure: <https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings>
//! (a site-to-site connection joins the gateway to a local network gateway, whose
//! `localNetworkAddressSpace` lists the on-premises prefixes; point-to-site clients take
//! addresses from `vpnClientConfiguration.vpnClientAddressPool`) and
//! <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview> (the
//! gateway's prefixes are routes of its network's subnets, next hop virtual network gateway;
//! peers with `useRemoteGateways` get them too). ExpressRoute and BGP learn prefixes at run
//! time, which no export holds: each is a finding.
//!
//! Owns: joining gateways, connections and local network gateways by id. Must never: join by
//! name, invent prefixes, or drop a gateway without a finding.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde_json::Value;

use super::{Ctx, Res, name_of_id, props_of, ref_id, slug, str_of, unique};
use crate::import::doc::Endpoint;
use crate::import::json::join;

pub(super) const GATEWAY: &str = "microsoft.network/virtualnetworkgateways";
pub(super) const LOCAL: &str = "microsoft.network/localnetworkgateways";
pub(super) const CONNECTION: &str = "microsoft.network/connections";

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The CIDRs of a string array at `v.key`, each bad one a finding.
fn cidrs(cx: &mut Ctx, r: &Res, v: &Value, at: &str, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, x) in list(v, "addressPrefixes").iter().enumerate() {
        match x.as_str().and_then(|t| t.trim().parse::<IpNet>().ok()) {
            Some(n) => out.push(n.trunc().to_string()),
            None => cx.report.unsupported(
                &r.file,
                format!("{at}.addressPrefixes[{i}]"),
                format!("{what} {}: `{x}` is not a CIDR: left out", r.name),
            ),
        }
    }
    out
}

/// Every virtual network gateway placed in its subnet, with the prefixes of its connections'
/// local network gateways and its point-to-site client pool.
pub(super) fn gateways(cx: &mut Ctx, all: &[Res]) {
    let locals: BTreeMap<&str, &Res> = all
        .iter()
        .filter(|r| r.ty == LOCAL)
        .map(|r| (r.id.as_str(), r))
        .collect();
    // gateway id → (local network gateway id, file, JSON path of the connection)
    let mut links: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    let mut used_locals: BTreeSet<String> = BTreeSet::new();
    for c in all.iter().filter(|r| r.ty == CONNECTION) {
        cx.consumed.insert(c.id.clone());
        let ty = str_of(&c.props, "connectionType")
            .unwrap_or("")
            .to_ascii_lowercase();
        let (Some(g), local) = (
            ref_id(&c.props, "virtualNetworkGateway1"),
            ref_id(&c.props, "localNetworkGateway2"),
        ) else {
            cx.report.unsupported(
                &c.file,
                c.path.clone(),
                format!(
                    "connection {}: it names no virtual network gateway: skipped",
                    c.name
                ),
            );
            continue;
        };
        match (ty.as_str(), local) {
            ("ipsec", Some(l)) => {
                used_locals.insert(l.clone());
                links
                    .entry(g)
                    .or_default()
                    .push((l, c.file.clone(), c.pp.clone()));
            }
            _ => cx.report.unsupported(
                &c.file,
                c.pp.clone(),
                format!(
                    "connection {} ({}): the prefixes it carries are learned at run time (ExpressRoute, VNet-to-VNet, BGP), not in the export: not modelled",
                    c.name,
                    if ty.is_empty() { "no connectionType" } else { ty.as_str() }
                ),
            ),
        }
    }
    for r in all.iter().filter(|r| r.ty == GATEWAY) {
        let what = format!("virtual network gateway {}", r.name);
        let kind = str_of(&r.props, "gatewayType").unwrap_or("Vpn").to_string();
        let mut subnet = None;
        for (i, c) in list(&r.props, "ipConfigurations").iter().enumerate() {
            let p = props_of(c);
            if let Some(pip) = ref_id(&p, "publicIPAddress") {
                cx.consumed.insert(pip);
            }
            if subnet.is_none()
                && let Some(s) = ref_id(&p, "subnet")
            {
                subnet = Some((s, format!("{}.ipConfigurations[{i}]", r.pp)));
            }
        }
        let Some((sid, at)) = subnet else {
            cx.report.unsupported(
                &r.file,
                r.pp.clone(),
                format!("{what}: no IP configuration names its GatewaySubnet: skipped"),
            );
            continue;
        };
        let Some(&(n, k)) = cx.subnets.get(&sid) else {
            cx.report.unsupported(
                &r.file,
                at,
                format!(
                    "{what}: its subnet {} is not in the input: skipped; export its virtual network",
                    name_of_id(&sid)
                ),
            );
            continue;
        };
        let mut onprem: Vec<String> = Vec::new();
        for (l, file, path) in links.remove(&r.id).unwrap_or_default() {
            match locals.get(l.as_str()) {
                Some(lr) => {
                    let space = lr
                        .props
                        .get("localNetworkAddressSpace")
                        .cloned()
                        .unwrap_or(Value::Null);
                    let at = join(&lr.pp, "localNetworkAddressSpace");
                    let got = cidrs(cx, lr, &space, &at, "local network gateway");
                    if got.is_empty() {
                        cx.report.unsupported(
                            &lr.file,
                            at,
                            format!("local network gateway {}: no address prefixes (BGP learns them at run time): its on-premises network is not modelled", lr.name),
                        );
                    }
                    onprem.extend(got);
                }
                None => cx.report.unsupported(
                    &file,
                    join(&path, "localNetworkGateway2.id"),
                    format!(
                        "{what}: the local network gateway {} of this connection is not in the input: its on-premises prefixes are unknown",
                        name_of_id(&l)
                    ),
                ),
            }
        }
        if let Some(pool) = r
            .props
            .get("vpnClientConfiguration")
            .and_then(|v| v.get("vpnClientAddressPool"))
        {
            let at = format!("{}.vpnClientConfiguration.vpnClientAddressPool", r.pp);
            onprem.extend(cidrs(cx, r, pool, &at, "virtual network gateway"));
        }
        if kind.eq_ignore_ascii_case("expressroute") {
            cx.report.unsupported(
                &r.file,
                r.pp.clone(),
                format!("{what}: an ExpressRoute gateway learns its on-premises prefixes by BGP at run time: not in the export, so none is modelled"),
            );
        } else if r.props.get("enableBgp").and_then(Value::as_bool) == Some(true) {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "enableBgp"),
                format!("{what}: BGP may learn more on-premises prefixes than the local network gateways list: only those are modelled"),
            );
        }
        onprem.sort();
        onprem.dedup();
        let ip = r
            .props
            .get("bgpSettings")
            .and_then(|b| str_of(b, "bgpPeeringAddress"))
            .and_then(|t| t.split(',').next())
            .map(str::trim)
            .filter(|t| t.parse::<std::net::IpAddr>().is_ok())
            .map(str::to_string);
        let id = unique(&slug(&r.name), &mut cx.used);
        cx.tags.insert(id.clone(), r.tags.clone());
        let subnet_id = cx.doc.networks[n].subnets[k].id.clone();
        cx.doc.endpoints.push(Endpoint {
            id: id.clone(),
            name: Some(r.name.clone()),
            cloud_id: Some(r.id.clone()),
            kind: "vpn_gateway".into(),
            subnet: Some(subnet_id),
            ip,
            onprem,
            description: Some(format!("Azure virtual network gateway ({kind})")),
            ..Endpoint::default()
        });
        cx.gateways.entry(n).or_insert(id);
        cx.report.add("virtual network gateways", 1);
    }
    for (g, ls) in links {
        for (_, file, path) in ls {
            cx.report.unsupported(
                &file,
                join(&path, "virtualNetworkGateway1.id"),
                format!(
                    "the virtual network gateway {} of this connection is not in the input: skipped",
                    name_of_id(&g)
                ),
            );
        }
    }
    for r in locals.values() {
        if !used_locals.contains(&r.id) {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!("local network gateway {}: no connection of the input uses it: skipped (export `microsoft.network/connections`)", r.name),
            );
        }
        cx.consumed.insert(r.id.clone());
    }
}

/// Azure gives a network its peer's gateway routes only when its side of the peering says
/// `useRemoteGateways`; the model gives them to every peer: each peering where that differs
/// is a finding.
pub(super) fn remote_gateways(cx: &mut Ctx) {
    for (a, b, use_remote, file, path) in std::mem::take(&mut cx.gateway_use) {
        let Some(g) = cx.gateways.get(&b) else {
            if use_remote {
                cx.report.unsupported(
                    &file,
                    path,
                    format!(
                        "{} uses the gateway of {}, which is not in the input: its on-premises routes are missing; export the virtual network gateway and its connections",
                        cx.doc.networks[a].id, cx.doc.networks[b].id
                    ),
                );
            }
            continue;
        };
        if use_remote || cx.gateways.contains_key(&a) {
            continue;
        }
        cx.report.unsupported(
            &file,
            path,
            format!(
                "{} does not use its peer's gateway (useRemoteGateways is not true), but the model routes its on-premises prefixes through {g} (they also join its VirtualNetwork tag)",
                cx.doc.networks[a].id
            ),
        );
    }
}

/// The gateway a `VirtualNetworkGateway` route of network `n` sends to: `n`'s own, else that of
/// the first peer that has one (gateway transit).
pub(super) fn next_hop(cx: &Ctx, nets: &[usize]) -> Option<String> {
    nets.iter().find_map(|m| cx.gateways.get(m).cloned())
}
