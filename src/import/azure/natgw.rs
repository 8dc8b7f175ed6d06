//! NAT gateways (`microsoft.network/natgateways`) → outbound internet for the subnets they
//! serve: `internet_egress: true` on each, with the gateway and its public addresses in the
//! subnet's description (SPEC §11.1, §12).
//!
//! Azure (<https://learn.microsoft.com/azure/nat-gateway/nat-overview>): a NAT gateway gives
//! its subnets outbound connectivity to the internet, source-translated to its public IPs; it
//! is no next hop of a route table — the subnet's effective routes keep the system route
//! `0.0.0.0/0 → Internet`, which the NAT gateway then serves, and a user-defined route
//! `0.0.0.0/0 → VirtualAppliance` still wins over it
//! (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource#nat-gateway-and-user-defined-routes>).
//! So the subnet gets the model's internet egress (the implicit default route, which a route
//! table's own `0.0.0.0/0` replaces), not a `nat_gateway` route: a route would also join
//! Azure's `VirtualNetwork` tag (SPEC §11.3), which a NAT gateway does not.
//!
//! Owns: joining NAT gateways to subnets by id, from either side (the subnet's `natGateway.id`
//! or the gateway's `subnets`), and the public IPs and prefixes they name. Must never: join by
//! name, or drop a NAT gateway without a finding.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ctx, Res, name_of_id, str_of};
use crate::import::json::join;

pub(super) const NATGW: &str = "microsoft.network/natgateways";
const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";
const PREFIX: &str = "microsoft.network/publicipprefixes";

/// Every NAT gateway, and every subnet that names one.
pub(super) fn nat_gateways(cx: &mut Ctx, all: &[Res]) {
    let by_id: BTreeMap<&str, &Res> = all
        .iter()
        .filter(|r| matches!(r.ty.as_str(), NATGW | PUBLIC_IP | PREFIX))
        .map(|r| (r.id.as_str(), r))
        .collect();
    // subnet (network, subnet) → (NAT gateway id, file, JSON path of the reference)
    let mut served: BTreeMap<(usize, usize), (String, String, String)> = BTreeMap::new();
    for s in std::mem::take(&mut cx.subnet_natgws) {
        served.insert((s.net, s.sub), (s.target, s.file, s.path));
    }
    for r in all.iter().filter(|r| r.ty == NATGW) {
        for (i, s) in list(&r.props, "subnets").iter().enumerate() {
            let Some(sid) = str_of(s, "id").map(str::to_ascii_lowercase) else {
                continue;
            };
            let path = format!("{}.subnets[{i}].id", r.pp);
            match cx.subnets.get(&sid) {
                Some(&k) => {
                    if let Some((other, file, p)) = served.get(&k)
                        && *other != r.id
                    {
                        cx.report.unsupported(
                            file,
                            p.clone(),
                            format!(
                                "the subnet names NAT gateway {}, but NAT gateway {} lists it: the subnet's own reference is kept",
                                name_of_id(other),
                                r.name
                            ),
                        );
                        continue;
                    }
                    served
                        .entry(k)
                        .or_insert_with(|| (r.id.clone(), r.file.clone(), path));
                }
                None => cx.report.unsupported(
                    &r.file,
                    path,
                    format!(
                        "NAT gateway {}: its subnet {} is not in the input: skipped there",
                        r.name,
                        name_of_id(&sid)
                    ),
                ),
            }
        }
    }
    for r in all
        .iter()
        .filter(|r| r.ty == "microsoft.network/virtualnetworks")
    {
        if let Some(gw) = r
            .props
            .get("defaultPublicNatGateway")
            .and_then(|g| str_of(g, "id"))
        {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "defaultPublicNatGateway.id"),
                format!(
                    "virtual network {}: defaultPublicNatGateway {} (the gateway Azure's default outbound access uses) is not modelled: its subnets get no outbound internet from it",
                    r.name,
                    name_of_id(gw)
                ),
            );
        }
    }
    let mut used: BTreeSet<String> = BTreeSet::new();
    for ((n, k), (gw, file, path)) in served {
        let subnet = cx.doc.networks[n].subnets[k].id.clone();
        let (name, addresses) = match by_id.get(gw.as_str()) {
            Some(r) => {
                used.insert(r.id.clone());
                (r.name.clone(), public_addresses(cx, r, &by_id))
            }
            None => {
                cx.report.assumed(
                    &file,
                    path.clone(),
                    format!(
                        "subnet {subnet}: its NAT gateway {} is not in the input; Azure still gives the subnet outbound internet through it: internet_egress true (its public addresses unknown)",
                        name_of_id(&gw)
                    ),
                );
                (name_of_id(&gw).to_string(), Vec::new())
            }
        };
        let via = if addresses.is_empty() {
            format!("NAT gateway {name}")
        } else {
            format!("NAT gateway {name} ({})", addresses.join(", "))
        };
        let s = &mut cx.doc.networks[n].subnets[k];
        s.internet_egress = true;
        s.description = Some(format!("outbound internet through {via}"));
        // What set the subnet's way out: the reference to its NAT gateway (a diff names it).
        cx.report
            .origin(format!("{subnet}#internet_egress"), &file, path.clone());
        cx.report.assumed(
            &file,
            path,
            format!(
                "subnet {subnet}: outbound internet through {via} (internet_egress true; a 0.0.0.0/0 route of its route table still wins, as in Azure; the source translation to the gateway's addresses is not modelled)"
            ),
        );
    }
    for r in all.iter().filter(|r| r.ty == NATGW) {
        cx.consumed.insert(r.id.clone());
        if used.contains(&r.id) {
            cx.report.add("NAT gateways", 1);
        } else {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!(
                    "NAT gateway {} serves no subnet of the input: skipped",
                    r.name
                ),
            );
        }
    }
}

/// The elements of an array member (anything else: none).
fn list<'v>(v: &'v serde_json::Value, key: &str) -> &'v [serde_json::Value] {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A NAT gateway's `publicIpAddresses` (each resource's `ipAddress`) and `publicIpPrefixes`
/// (each resource's `ipPrefix`), marking those resources as read.
fn public_addresses(cx: &mut Ctx, r: &Res, by_id: &BTreeMap<&str, &Res>) -> Vec<String> {
    let mut out = Vec::new();
    for (key, field) in [
        ("publicIpAddresses", "ipAddress"),
        ("publicIpPrefixes", "ipPrefix"),
    ] {
        for (i, x) in list(&r.props, key).iter().enumerate() {
            let Some(id) = str_of(x, "id").map(str::to_ascii_lowercase) else {
                continue;
            };
            let path = format!("{}[{i}].id", join(&r.pp, key));
            match by_id
                .get(id.as_str())
                .and_then(|p| str_of(&p.props, field).map(|a| (p.id.clone(), a.trim().to_string())))
            {
                Some((pid, a)) => {
                    cx.consumed.insert(pid);
                    out.push(a);
                }
                None => cx.report.assumed(
                    &r.file,
                    path,
                    format!(
                        "NAT gateway {}: the public address of {} is not in the input",
                        r.name,
                        name_of_id(&id)
                    ),
                ),
            }
        }
    }
    out
}
