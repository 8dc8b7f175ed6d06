//! Validating networks and their subnets: address spaces, roles, egress, route attachments.
//!
//! Must never: resolve ids other areas own before they are declared (ids are declared first in
//! [`super::Validator::run`]).

use ipnet::IpNet;

use crate::model::entities::{NetIx, Network, Role, Subnet, SubnetIx};
use crate::model::error::ErrorCode as C;
use crate::model::raw::RawFile;

use super::{Validator, ix32};

impl Validator {
    pub(super) fn networks_and_subnets(&mut self, raw: &RawFile) {
        for n in &raw.networks {
            let cidrs = self.cidrs(&n.cidr);
            let role = match n.role.as_ref().map(|r| r.value.trim().to_ascii_lowercase()) {
                None => Role::Standalone,
                Some(r) if r == "hub" => Role::Hub,
                Some(r) if r == "spoke" => Role::Spoke,
                Some(r) if r == "standalone" => Role::Standalone,
                Some(r) => {
                    let at = n.role.as_ref().map(|x| x.at).unwrap_or_default();
                    self.err(
                        C::BadValue,
                        at,
                        format!("`{r}` is not a network role"),
                        "use hub, spoke or standalone",
                    );
                    Role::Standalone
                }
            };
            let hub = n.hub.as_ref().and_then(|h| self.resolve_network(h));
            let role = if hub.is_some() && role == Role::Standalone {
                Role::Spoke
            } else {
                role
            };
            let net_ix = NetIx(ix32(self.networks.len()));
            let mut subnet_ixs = Vec::new();
            for s in &n.subnets {
                let scidrs = self.cidrs(&s.cidr);
                for c in &scidrs {
                    if !cidrs.is_empty() && !cidrs.iter().any(|nc| nc.contains(c)) {
                        let list: Vec<String> = cidrs.iter().map(ToString::to_string).collect();
                        self.err(
                            C::SubnetOutsideNetwork,
                            s.cidr.at,
                            format!(
                                "subnet `{}` ({c}) is outside its network `{}` ({})",
                                s.id.value,
                                n.id.value,
                                list.join(", ")
                            ),
                            format!(
                                "pick a range inside {}, or widen the network's cidr",
                                list.join(" or ")
                            ),
                        );
                    }
                }
                let zone = s.zone.as_ref().and_then(|z| self.resolve_zone(z));
                let pep = match s.private_endpoint_policies.as_ref() {
                    None => true,
                    Some(v) => match v.value.trim().to_ascii_lowercase().as_str() {
                        "enabled" | "true" | "on" => true,
                        "disabled" | "false" | "off" => false,
                        other => {
                            self.err(
                                C::BadValue,
                                v.at,
                                format!("`{other}` is not a private_endpoint_policies value"),
                                "use enabled or disabled",
                            );
                            true
                        }
                    },
                };
                subnet_ixs.push(SubnetIx(ix32(self.subnets.len())));
                self.subnets.push(Subnet {
                    id: s.id.value.trim().to_string(),
                    name: s.name.clone(),
                    cidrs: scidrs,
                    network: net_ix,
                    zone,
                    rule_sets: Vec::new(),
                    private_endpoint_policies: pep,
                    internet_egress: s.internet_egress.unwrap_or(false),
                    cloud_id: s.cloud_id.as_ref().map(|c| c.value.trim().to_string()),
                    at: s.id.at,
                });
            }
            // Overlapping subnets within the network.
            let mut spans: Vec<(IpNet, usize)> = Vec::new();
            for (k, six) in subnet_ixs.iter().enumerate() {
                for c in &self.subnets[six.index()].cidrs {
                    spans.push((*c, k));
                }
            }
            spans.sort_by(|a, b| {
                a.0.network()
                    .cmp(&b.0.network())
                    .then(b.0.prefix_len().cmp(&a.0.prefix_len()))
            });
            for w in 0..spans.len() {
                for x in (w + 1)..spans.len() {
                    let (a, ka) = spans[w];
                    let (b, kb) = spans[x];
                    if ka == kb {
                        continue;
                    }
                    if a.contains(&b.network()) || b.contains(&a.network()) {
                        let sa = &n.subnets[ka];
                        let sb = &n.subnets[kb];
                        let (first, second) = if sa.id.at.offset <= sb.id.at.offset {
                            (sa, sb)
                        } else {
                            (sb, sa)
                        };
                        let (fc, sc) = if first.id.value == sa.id.value {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        self.err(
                            C::OverlappingSubnets,
                            second.cidr.at,
                            format!("subnet `{}` ({sc}) overlaps subnet `{}` ({fc})", second.id.value, first.id.value),
                            "subnets of one network may not share addresses: give one of them a range of its own",
                        );
                    } else if b.network() > a.broadcast() {
                        break;
                    }
                }
            }
            let egress_ref = n.egress.clone();
            self.networks.push(Network {
                id: n.id.value.trim().to_string(),
                name: n.name.clone(),
                region: n.region.as_ref().map(|r| r.value.trim().to_string()),
                cidrs,
                role,
                hub,
                egress: None,
                internet_egress: n.internet_egress.unwrap_or(false),
                provider: n.provider.clone(),
                subnets: subnet_ixs,
                cloud_id: n.cloud_id.as_ref().map(|c| c.value.trim().to_string()),
                at: n.id.at,
            });
            let _ = egress_ref;
        }
        // Egress firewalls (endpoints are declared already).
        for (i, n) in raw.networks.iter().enumerate() {
            if let Some(e) = &n.egress {
                self.networks[i].egress = self.resolve_endpoint(e);
            }
        }
    }
}
