//! Validating private DNS zones: records, links.
//!
//! Must never: resolve a name (that is the engine's path).

use std::net::IpAddr;

use crate::model::entities::{DnsServer, DnsTarget, DnsZone, EpIx, NetIx};
use crate::model::error::ErrorCode as C;
use crate::model::raw::RawFile;

use super::{Validator, ix32};

impl Validator {
    /// Each network's `dns_servers`: endpoint ids or addresses (endpoints are declared).
    fn dns_servers_(&mut self, raw: &RawFile) {
        for (i, n) in raw.networks.iter().enumerate() {
            let mut servers = Vec::new();
            for s in &n.dns_servers {
                let text = s.value.trim();
                if let Ok(a) = text.parse::<IpAddr>() {
                    servers.push(DnsServer::Address(a));
                } else if let Some(e) = self.resolve_endpoint(s) {
                    servers.push(DnsServer::Endpoint(e));
                }
            }
            self.networks[i].dns_servers = servers;
        }
    }

    pub(super) fn dns_(&mut self, raw: &RawFile) {
        self.dns_servers_(raw);
        for z in &raw.dns {
            let zone = z
                .zone
                .value
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let linked: Vec<NetIx> = z
                .linked
                .iter()
                .filter_map(|n| self.resolve_network(n))
                .collect();
            let mut records = Vec::new();
            for (name, ip) in &z.records {
                match ip.value.trim().parse::<IpAddr>() {
                    Ok(a) => {
                        records.push((name.trim().to_ascii_lowercase(), DnsTarget::Address(a)));
                    }
                    Err(_) => self.err(
                        C::BadIp,
                        ip.at,
                        format!(
                            "record `{name}` points at `{}`, which is not an IP address",
                            ip.value.trim()
                        ),
                        "write the private endpoint's address, e.g. `contoso-eus: 10.2.3.5`",
                    ),
                }
            }
            self.dns.push(DnsZone {
                zone,
                linked,
                records,
                at: z.zone.at,
            });
        }
        // Private endpoints with a dns_zone add the record for their target's FQDN.
        for i in 0..self.endpoints.len() {
            let (Some(zone), Some(target)) =
                (self.endpoints[i].dns_zone.clone(), self.endpoints[i].target)
            else {
                continue;
            };
            let Some(fqdn) = self.endpoints[target.index()].fqdn.clone() else {
                continue;
            };
            let domain = zone.strip_prefix("privatelink.").unwrap_or(&zone);
            let Some(name) = crate::model::entities::record_in(&fqdn, domain) else {
                continue;
            };
            let rec = match self.endpoints[i].ip {
                Some(a) => DnsTarget::Address(a),
                None => DnsTarget::Endpoint(EpIx(ix32(i))),
            };
            let at = self.endpoints[i].at;
            let dz = if let Some(k) = self.dns.iter().position(|d| d.zone == zone) {
                k
            } else {
                self.dns.push(DnsZone {
                    zone: zone.clone(),
                    linked: Vec::new(),
                    records: Vec::new(),
                    at,
                });
                self.dns.len() - 1
            };
            if !self.dns[dz].records.iter().any(|(n, _)| n == name) {
                self.dns[dz].records.push((name.to_string(), rec));
            }
        }
        for d in &mut self.dns {
            d.records.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
}
