//! On-premises sources (SPEC §11.2): how a flow from an address behind a VPN gateway enters the
//! networks, as the gateway's routes carry it.
//!
//! Owns: [`route`] for such a flow. Must never: evaluate rules or print.

use super::{NoRoute, Route, Router, dst_suffix, table};
use crate::engine::path::resolve::End;
use crate::model::EpIx;

/// A flow from an on-premises address into a network (SPEC §11.2): it enters through the VPN
/// gateway whose prefixes hold the source and is routed from the gateway's subnet (Azure: the
/// GatewaySubnet's route table applies; AWS: the virtual private gateway attached to its VPC),
/// to the gateway's own network and the networks peered with it — the networks whose routes
/// carry the gateway's prefixes the other way ([`table`]'s candidates: gateway transit), so the
/// return traffic has a way back. The destination's rule sets see the on-premises address.
pub(super) fn route(r: &Router<'_>, src: &End, dst: &End, g: EpIx) -> Result<Route, NoRoute> {
    let (t, w) = (r.t, r.w);
    let ge = t.endpoint(g);
    let fail = |why: String| {
        Err(if r.explain {
            NoRoute(why)
        } else {
            NoRoute::default()
        })
    };
    if w.endpoint_down(t, g) {
        return fail(format!(
            "{} is on premises behind VPN gateway `{}`, which is disabled (what-if)",
            src.label(t),
            ge.id
        ));
    }
    let Some(dn) = dst.network else {
        return fail(format!("{} is in no network", dst.label(t)));
    };
    let Some(gn) = ge.network else {
        // A gateway in no subnet (an AWS virtual private gateway): attached to the VPCs whose
        // route tables name it, where its traffic is delivered by the local route.
        let rt = t.routing();
        let names_it = |x: Option<crate::model::routing::RtIx>| {
            x.is_some_and(|x| {
                rt.table(x)
                    .routes
                    .iter()
                    .any(|u| u.next_hop == crate::model::routing::NextHop::VpnGateway(g))
            })
        };
        let attached = names_it(rt.net_table.get(dn.index()).copied().flatten())
            || t.subnets()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.network == dn)
                .any(|(i, _)| names_it(rt.subnet_table.get(i).copied().flatten()));
        if !attached {
            return fail(format!(
                "no route from {} (on premises behind `{}`) to {}: no route table of `{}` names the gateway, so it is not attached there",
                src.label(t),
                ge.id,
                dst.label(t),
                t.network(dn).id
            ));
        }
        // The reply leaves by the destination subnet's route table: unless it routes the
        // source back to the gateway, the connection never completes (AWS routes a VPN's
        // prefixes only where a route table names the virtual private gateway,
        // https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html).
        if let Some(a) = src.party.addr {
            let back = table::next_hop_at(r, dn, dst.subnet, ipnet::IpNet::from(a));
            if !matches!(back, Some((crate::model::routing::NextHop::VpnGateway(x), _)) if x == g) {
                let how = back.map_or_else(
                    || "no route".to_string(),
                    |(_, text)| format!("route {text}"),
                );
                return fail(format!(
                    "no route from {} (on premises behind `{}`) to {}: the reply would leave `{}` by {how}, not back through `{}` (add a route for the on-premises prefix to `{}` there)",
                    src.label(t),
                    ge.id,
                    dst.label(t),
                    dst.subnet
                        .map_or_else(|| t.network(dn).id.clone(), |s| t.subnet(s).id.clone()),
                    ge.id,
                    ge.id
                ));
            }
        }
        let mut path = Vec::new();
        if r.explain {
            path = vec![
                src.label(t).into_owned(),
                ge.id.clone(),
                t.network(dn).id.clone(),
            ];
            path.extend(dst_suffix(t, dst));
            path.dedup();
        }
        return Ok(Route {
            path,
            ..Route::default()
        });
    };
    let transit = dn == gn
        || t.peers(gn)
            .any(|(m, pi)| m == dn && !w.peering_down(pi) && !w.network_down(t, m));
    if !transit {
        return fail(format!(
            "no route from {} (on premises behind `{}`) to {}: the gateway's prefixes reach `{}` and the networks peered with it, not `{}` (peer it with `{}` and let it use the remote gateway)",
            src.label(t),
            ge.id,
            dst.label(t),
            t.network(gn).id,
            t.network(dn).id,
            t.network(gn).id
        ));
    }
    let from = crate::engine::path::resolve::ep_end(t, g);
    let mut rt = super::route(r, &from, dst)?;
    if r.explain {
        let mut p = vec![src.label(t).into_owned()];
        p.append(&mut rt.path);
        p.dedup();
        rt.path = p;
    }
    Ok(rt)
}
