//! DNS as the source's network resolves a name (SPEC §3 step 1, §11.7): the private zones linked
//! to the network (or its hub), else public resolution.
//!
//! Owns: [`dns_lookup`], [`DnsStep`] (the trace's DNS step) and the resolution of an FQDN
//! destination. Must never: route, evaluate a rule set or print.

use serde::Serialize;

use super::resolve::{End, addr_to_dst, ep_end, internet_end, public_end, via_pe_end};
use crate::model::{DnsTarget, NetIx, Topology};

/// The DNS step of a trace to an FQDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsStep {
    pub name: String,
    /// The address (or endpoint id) it resolved to, privately; `None` when public.
    pub answer: Option<String>,
    pub private: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The network whose link made the zone visible (the source's, or its hub's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    pub note: String,
}

/// Resolve `name` as seen from `net`: a private zone linked to the network or its hub.
pub fn dns_lookup(
    t: &Topology,
    net: Option<NetIx>,
    name: &str,
) -> Option<(DnsTarget, String, String)> {
    let net = net?;
    let hub = t.network(net).hub;
    for z in t.dns_zones() {
        let domain = z.zone.strip_prefix("privatelink.").unwrap_or(&z.zone);
        let Some(rec) = name.strip_suffix(domain).and_then(|r| r.strip_suffix('.')) else {
            continue;
        };
        let linked = if z.linked.contains(&net) {
            Some(net)
        } else {
            hub.filter(|h| z.linked.contains(h))
        };
        let Some(via) = linked else { continue };
        if let Some((_, target)) = z.records.iter().find(|(n, _)| n == rec) {
            return Some((*target, z.zone.clone(), t.network(via).id.clone()));
        }
    }
    None
}

/// An FQDN destination: the record of a linked private zone, else the public answer (a service
/// that has the name, reached over the internet, or the internet itself).
pub(super) fn resolve_name(t: &Topology, src: &End, name: &str) -> (End, Option<DnsStep>) {
    if let Some((target, zone, linked)) = dns_lookup(t, src.network, name) {
        let (mut end, answer) = match target {
            DnsTarget::Address(a) => (addr_to_dst(t, a), a.to_string()),
            DnsTarget::Endpoint(pe) => {
                let p = t.endpoint(pe);
                let end = match p.target {
                    Some(svc) => via_pe_end(t, svc, pe),
                    None => ep_end(t, pe),
                };
                (end, p.id.clone())
            }
        };
        end.party.fqdn = Some(name.to_string());
        let via = end
            .via_pe
            .map(|p| format!(" (private endpoint {})", t.endpoint(p).id))
            .unwrap_or_default();
        let step = DnsStep {
            name: name.to_string(),
            answer: Some(answer.clone()),
            private: true,
            zone: Some(zone.clone()),
            linked_to: Some(linked.clone()),
            note: format!("{name} → {answer}{via}: private zone {zone}, linked to {linked}"),
        };
        return (end, Some(step));
    }
    let why = match src.network {
        None => "the source is outside every network".to_string(),
        Some(n) => {
            let has_zone = t.dns_zones().iter().any(|z| {
                let d = z.zone.strip_prefix("privatelink.").unwrap_or(&z.zone);
                name.ends_with(&format!(".{d}"))
            });
            if has_zone {
                format!(
                    "no private zone holding it is linked to {} or its hub",
                    t.network(n).id
                )
            } else {
                "no private zone holds it".to_string()
            }
        }
    };
    let mut end = match t.service_by_fqdn(name) {
        // Resolved publicly: reached over the internet, whatever private endpoints exist.
        Some(svc) => public_end(t, svc),
        None => internet_end(name, Some(name.to_string())),
    };
    end.party.fqdn = Some(name.to_string());
    let step = DnsStep {
        name: name.to_string(),
        answer: None,
        private: false,
        zone: None,
        linked_to: None,
        note: format!("{name} resolves publicly: {why}"),
    };
    (end, Some(step))
}
