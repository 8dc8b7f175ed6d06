//! DNS as the source's network resolves a name (SPEC §3 step 1, §11.7): the private zones linked
//! to the network — or, with custom `dns_servers`, to the network of its first server — else
//! public resolution; a linked zone that lacks the name answers NXDOMAIN.
//!
//! Owns: [`lookup`], [`resolver`], [`dns_lookup`], [`DnsStep`] (the trace's DNS step) and the resolution of an FQDN
//! destination. Must never: route, evaluate a rule set or print.

use serde::Serialize;

use super::resolve::{End, addr_to_dst, ep_end, internet_end, public_end, via_pe_end};
use crate::model::{DnsServer, DnsTarget, NetIx, Topology};

/// The DNS step of a trace to an FQDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsStep {
    pub name: String,
    /// The address (or endpoint id) it resolved to, privately; `None` when public or NXDOMAIN.
    pub answer: Option<String>,
    pub private: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The network whose link made the zone visible (the source's, or the DNS server's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    /// The custom DNS server asked (an endpoint id or address); `None`: the cloud's own DNS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// A linked zone is authoritative for the name but holds no record: the answer is
    /// NXDOMAIN, and the flow has no destination (no fallback to public DNS).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nxdomain: bool,
    pub note: String,
}

/// What the network's DNS answers for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A record of a private zone linked to `linked` (a network id).
    Found {
        target: DnsTarget,
        zone: String,
        linked: String,
    },
    /// A linked zone holds the name's domain but not the name.
    NxDomain { zone: String, linked: String },
    /// No linked private zone holds the domain: public DNS answers.
    Public,
}

/// The network whose linked zones answer for `net` (SPEC §11.7): with `dns_servers`, the
/// network the first server is in (`None` when it is outside every network); else `net`
/// itself (the cloud's own DNS sees only the zones linked to the network). And the server.
pub fn resolver(t: &Topology, net: NetIx) -> (Option<NetIx>, Option<String>) {
    match t.network(net).dns_servers.first() {
        None => (Some(net), None),
        Some(DnsServer::Endpoint(e)) => {
            let ep = t.endpoint(*e);
            (ep.network, Some(ep.id.clone()))
        }
        Some(DnsServer::Address(a)) => (t.lookup_ip(*a).network, Some(a.to_string())),
    }
}

/// The domain a private zone answers for (`privatelink.` zones answer for the public name
/// through its CNAME).
fn domain_of(zone: &str) -> &str {
    zone.strip_prefix("privatelink.").unwrap_or(zone)
}

/// Resolve `name` as the network `net` resolves it: the most specific private zone linked to
/// the resolving network that holds the name's domain decides.
pub fn lookup(t: &Topology, net: NetIx, name: &str) -> Lookup {
    let Some(res) = resolver(t, net).0 else {
        return Lookup::Public;
    };
    let best = t
        .dns_zones()
        .iter()
        .filter(|z| z.linked.contains(&res))
        .filter_map(|z| {
            let domain = domain_of(&z.zone);
            let rec = crate::model::record_in(name, domain)?;
            Some((domain.len(), z, rec))
        })
        .max_by_key(|(len, _, _)| *len);
    let Some((_, z, rec)) = best else {
        return Lookup::Public;
    };
    let linked = t.network(res).id.clone();
    match z.records.iter().find(|(n, _)| n == rec) {
        Some((_, target)) => Lookup::Found {
            target: *target,
            zone: z.zone.clone(),
            linked,
        },
        None => Lookup::NxDomain {
            zone: z.zone.clone(),
            linked,
        },
    }
}

/// Resolve `name` as seen from `net`: the record of a linked private zone, when one answers.
pub fn dns_lookup(
    t: &Topology,
    net: Option<NetIx>,
    name: &str,
) -> Option<(DnsTarget, String, String)> {
    match lookup(t, net?, name) {
        Lookup::Found {
            target,
            zone,
            linked,
        } => Some((target, zone, linked)),
        Lookup::NxDomain { .. } | Lookup::Public => None,
    }
}

/// An FQDN destination: the record of a linked private zone, NXDOMAIN from a linked zone that
/// lacks it, else the public answer (a service that has the name, reached over the internet,
/// or the internet itself).
pub(super) fn resolve_name(t: &Topology, src: &End, name: &str) -> (End, Option<DnsStep>) {
    let server = src.network.and_then(|n| resolver(t, n).1);
    let asked = server
        .as_ref()
        .map(|s| format!(" (asked {s})"))
        .unwrap_or_default();
    let looked = src.network.map_or(Lookup::Public, |n| lookup(t, n, name));
    match looked {
        Lookup::Found {
            target,
            zone,
            linked,
        } => {
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
                server,
                nxdomain: false,
                note: format!(
                    "{name} → {answer}{via}: private zone {zone}, linked to {linked}{asked}"
                ),
            };
            return (end, Some(step));
        }
        Lookup::NxDomain { zone, linked } => {
            let mut end = internet_end(name, Some(name.to_string()));
            end.party.fqdn = Some(name.to_string());
            let step = DnsStep {
                name: name.to_string(),
                answer: None,
                private: true,
                note: format!(
                    "{name}: NXDOMAIN — private zone {zone}, linked to {linked}{asked}, holds no record for it (a linked zone answers for its whole domain; there is no fallback to public DNS)"
                ),
                zone: Some(zone),
                linked_to: Some(linked),
                server,
                nxdomain: true,
            };
            return (end, Some(step));
        }
        Lookup::Public => {}
    }
    let why = match src.network {
        None => "the source is outside every network".to_string(),
        Some(n) => {
            let has_zone = t.dns_zones().iter().any(|z| {
                let d = z.zone.strip_prefix("privatelink.").unwrap_or(&z.zone);
                crate::model::record_in(name, d).is_some()
            });
            if has_zone {
                match resolver(t, n) {
                    (_, Some(server)) => format!(
                        "no private zone holding it is linked to the network of {}'s DNS server {server}",
                        t.network(n).id
                    ),
                    _ => format!(
                        "no private zone holding it is linked to {} (it has no custom DNS server)",
                        t.network(n).id
                    ),
                }
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
        server,
        nxdomain: false,
        note: format!("{name} resolves publicly{asked}: {why}"),
    };
    (end, Some(step))
}
