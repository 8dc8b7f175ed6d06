//! `dns-not-private`: a private endpoint whose name does not resolve privately in a network that
//! routes to it, so clients there resolve the service publicly and bypass the endpoint.
//!
//! Owns: which networks "use" a private endpoint (they hold clients and have a route to it) and
//! whether the service's FQDN resolves to the endpoint from each. Must never: print, or report a
//! network from which the name resolves to the private endpoint.

use std::collections::HashSet;

use super::{Finding, Location, Severity};
use crate::engine::path::route::net_route;
use crate::engine::trace::{Query, WhatIf, dns_lookup, trace};
use crate::model::rules::Protocol;
use crate::model::{DnsTarget, EpIx, Kind, NetIx, Topology};

fn resolves_to(t: &Topology, net: NetIx, fqdn: &str, pes: &[EpIx]) -> bool {
    match dns_lookup(t, Some(net), fqdn) {
        Some((DnsTarget::Endpoint(e), _, _)) => pes.contains(&e),
        Some((DnsTarget::Address(a), _, _)) => pes.iter().any(|p| t.endpoint(*p).ip == Some(a)),
        None => false,
    }
}

/// Every `dns-not-private` finding.
pub fn dns_not_private(t: &Topology) -> Vec<Finding> {
    let w = WhatIf::default();
    // Networks that hold a client (an endpoint that is not a private endpoint), with one client.
    let mut clients: Vec<(NetIx, EpIx)> = Vec::new();
    let mut seen: HashSet<NetIx> = HashSet::new();
    for (i, e) in t.endpoints().iter().enumerate() {
        if e.kind == Kind::PrivateEndpoint {
            continue;
        }
        if let Some(n) = e.network
            && seen.insert(n)
        {
            clients.push((n, EpIx(i as u32)));
        }
    }
    let mut out = Vec::new();
    for pe in t.endpoints() {
        let (Some(svc), Some(pe_net)) = (pe.target, pe.network) else {
            continue;
        };
        if pe.kind != Kind::PrivateEndpoint {
            continue;
        }
        let Some(fqdn) = t.endpoint(svc).fqdn.clone() else {
            continue;
        };
        let zone = pe
            .dns_zone
            .as_ref()
            .and_then(|z| t.dns_zones().iter().find(|d| d.zone == *z));
        let pes = t.private_endpoints_of(svc);
        let mut bad: Vec<(NetIx, EpIx)> = Vec::new();
        for &(n, client) in &clients {
            // Fast path: the endpoint's own zone (which holds its record) is linked here.
            let hub = t.network(n).hub;
            if zone.is_some_and(|z| {
                z.linked.contains(&n) || hub.is_some_and(|h| z.linked.contains(&h))
            }) {
                continue;
            }
            if resolves_to(t, n, &fqdn, pes) {
                continue;
            }
            if net_route(t, n, pe_net, &w).is_ok() {
                bad.push((n, client));
            }
        }
        let Some(&(_, client)) = bad.first() else {
            continue;
        };
        let q = Query::new(
            &t.endpoint(client).id,
            &fqdn,
            t.endpoint(svc)
                .ports
                .as_ref()
                .and_then(crate::model::ports::PortSet::first),
            Protocol::Tcp,
        );
        let evidence = trace(t, &q, &w).ok();
        let nets: Vec<&str> = bad.iter().map(|(n, _)| t.network(*n).id.as_str()).collect();
        let zone_name = pe.dns_zone.clone().unwrap_or_else(|| "(none)".to_string());
        out.push(Finding {
            id: "dns-not-private".into(),
            severity: Severity::Error,
            message: format!(
                "private endpoint {} of {} is routable from {}, but its DNS zone {zone_name} is not linked there: {fqdn} resolves publicly and bypasses the private endpoint{}",
                pe.id,
                t.endpoint(svc).id,
                nets.join(", "),
                evidence.as_ref().and_then(|tr| tr.dns.as_ref()).map(|d| format!(" ({})", d.note)).unwrap_or_default()
            ),
            subject: pe.id.clone(),
            location: Location::of(t, zone.map_or(pe.at, |z| z.at)),
            fix: Some(match &pe.dns_zone {
                Some(z) => format!("link the private DNS zone {z} to {} (or to its hub)", nets.join(", ")),
                None => format!("give {} a `dns_zone` (e.g. the privatelink zone of the service) and link that zone to {}", pe.id, nets.join(", ")),
            }),
            evidence,
        });
    }
    out
}
