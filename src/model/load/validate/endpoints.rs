//! Validating endpoints (kind, place, address, backends, targets) and peerings.
//!
//! Must never: stop at the first defect when it can go on.

use std::collections::HashSet;
use std::net::IpAddr;

use crate::model::Peering;
use crate::model::entities::{Backend, Endpoint, Kind, NetIx, PublicIp};
use crate::model::error::ErrorCode as C;
use crate::model::raw::{self, RawFile, Sp};

use super::{Validator, ix32};

impl Validator {
    pub(super) fn endpoints_(&mut self, raw: &RawFile) {
        for e in &raw.endpoints {
            let kind_text = e
                .kind
                .as_ref()
                .map_or_else(|| "other".to_string(), |k| k.value.trim().to_string());
            let kind = Kind::parse(&kind_text);
            let subnet = e.subnet.as_ref().and_then(|s| self.resolve_subnet(s));
            let network = subnet.map(|s| self.subnets[s.index()].network);
            let ip = e.ip.as_ref().and_then(|ip| {
                if let Ok(a) = ip.value.trim().parse::<IpAddr>() {
                    Some((a, ip.at))
                } else {
                    self.err(
                        C::BadIp,
                        ip.at,
                        format!("`{}` is not an IP address", ip.value.trim()),
                        "write an address such as 10.1.1.4 or fd00::4 (no prefix length)",
                    );
                    None
                }
            });
            if let (Some((a, at)), Some(s)) = (ip, subnet) {
                let sub = &self.subnets[s.index()];
                if !sub.cidrs.is_empty() && !sub.cidrs.iter().any(|c| c.contains(&a)) {
                    let list: Vec<String> = sub.cidrs.iter().map(ToString::to_string).collect();
                    let sid = sub.id.clone();
                    self.err(
                        C::IpOutsideSubnet,
                        at,
                        format!(
                            "address {a} of `{}` is outside its subnet `{sid}` ({})",
                            e.id.value,
                            list.join(", ")
                        ),
                        format!("pick an address inside {}", list.join(" or ")),
                    );
                }
            }
            let ports = e.ports.as_ref().map(|p| self.ports(p));
            let own_zone = e.zone.as_ref().and_then(|z| self.resolve_zone(z));
            let zone = own_zone.or_else(|| subnet.and_then(|s| self.subnets[s.index()].zone));
            let region = e
                .region
                .as_ref()
                .map(|r| r.value.trim().to_string())
                .or_else(|| network.and_then(|n| self.networks[n.index()].region.clone()));
            let public_access = match e.public_access.as_ref() {
                None => true,
                Some(v) => match v.value.trim().to_ascii_lowercase().as_str() {
                    "enabled" | "true" | "on" => true,
                    "disabled" | "false" | "off" => false,
                    other => {
                        self.err(
                            C::BadValue,
                            v.at,
                            format!("`{other}` is not a public_access value"),
                            "use enabled or disabled",
                        );
                        true
                    }
                },
            };
            let public_ip = e.public_ip.as_ref().and_then(|p| match &p.value {
                raw::PublicIp::Flag(true) => Some(PublicIp::Yes),
                raw::PublicIp::Flag(false) => None,
                raw::PublicIp::Address(a) => {
                    if let Ok(ip) = a.trim().parse::<IpAddr>() {
                        Some(PublicIp::Address(ip))
                    } else {
                        self.err(
                            C::BadIp,
                            p.at,
                            format!("`{a}` is not an IP address"),
                            "write `public_ip: true` or an address such as 20.1.2.3",
                        );
                        None
                    }
                }
            });
            let target = e.target.as_ref().and_then(|t| self.resolve_endpoint(t));
            if kind == Kind::PrivateEndpoint && target.is_none() && e.target.is_none() {
                self.err(
                    C::MissingKey,
                    e.id.at,
                    format!("private endpoint `{}` has no `target`", e.id.value),
                    "add `target:` naming the service this private endpoint brings into the network",
                );
            }
            if subnet.is_none() && e.subnet.is_none() && kind == Kind::PrivateEndpoint {
                self.err(
                    C::MissingKey,
                    e.id.at,
                    format!("private endpoint `{}` is not in a subnet", e.id.value),
                    "add `subnet:` naming the subnet that holds its network interface",
                );
            }
            let mut backends = Vec::new();
            for (order, b) in e.backends.iter().enumerate() {
                let (id, priority, weight) = match &b.value {
                    raw::RawBackend::Id(s) => (s.clone(), 1, None),
                    raw::RawBackend::Detailed {
                        endpoint,
                        priority,
                        weight,
                    } => (endpoint.clone(), priority.unwrap_or(1), *weight),
                };
                let sp = Sp {
                    value: id,
                    at: b.at,
                };
                if let Some(ep) = self.resolve_endpoint(&sp) {
                    backends.push((
                        priority,
                        order,
                        Backend {
                            endpoint: ep,
                            priority,
                            weight,
                        },
                    ));
                }
            }
            backends.sort_by_key(|(p, o, _)| (*p, *o));
            let asgs = self.endpoint_asgs(&e.application_security_groups);
            self.endpoints.push(Endpoint {
                id: e.id.value.trim().to_string(),
                name: e.name.clone(),
                kind,
                kind_text,
                subnet,
                network,
                ip: ip.map(|(a, _)| a),
                ports,
                rule_sets: Vec::new(),
                backends: backends.into_iter().map(|(_, _, b)| b).collect(),
                idle_timeout_s: e.idle_timeout_s.as_ref().map(|t| t.value),
                zone,
                region,
                fqdn: e
                    .fqdn
                    .as_ref()
                    .map(|f| f.value.trim().trim_end_matches('.').to_ascii_lowercase()),
                public_access,
                target,
                dns_zone: e
                    .dns_zone
                    .as_ref()
                    .map(|z| z.value.trim().trim_end_matches('.').to_ascii_lowercase()),
                public_ip,
                asgs,
                cloud_id: e.cloud_id.as_ref().map(|c| c.value.trim().to_string()),
                at: e.id.at,
            });
        }
    }

    pub(super) fn peerings_(&mut self, raw: &RawFile) {
        let mut seen: HashSet<(NetIx, NetIx)> = HashSet::new();
        for p in &raw.peerings {
            if p.value.len() != 2 {
                self.err(
                    C::BadValue,
                    p.at,
                    format!("a peering names {} networks", p.value.len()),
                    "write each peering as a pair: `- [hub-eus, spoke-app]`",
                );
                continue;
            }
            let a = self.resolve_network(&p.value[0]);
            let b = self.resolve_network(&p.value[1]);
            if let (Some(a), Some(b)) = (a, b) {
                if a == b {
                    self.err(
                        C::BadValue,
                        p.at,
                        "a network cannot peer with itself",
                        "name two different networks",
                    );
                    continue;
                }
                let key = (a.min(b), a.max(b));
                if seen.insert(key) {
                    self.peerings.push(Peering {
                        a,
                        b,
                        implied: false,
                        at: p.at,
                    });
                }
            }
        }
        for (i, n) in raw.networks.iter().enumerate() {
            if let (Some(h), Some(hub_ref)) = (self.networks[i].hub, n.hub.as_ref()) {
                let me = NetIx(ix32(i));
                if h == me {
                    self.err(
                        C::BadValue,
                        hub_ref.at,
                        "a network cannot be its own hub",
                        "name the hub network",
                    );
                    continue;
                }
                let key = (me.min(h), me.max(h));
                if seen.insert(key) {
                    self.peerings.push(Peering {
                        a: h,
                        b: me,
                        implied: true,
                        at: hub_ref.at,
                    });
                }
            }
        }
        // Peered networks must not overlap.
        for k in 0..self.peerings.len() {
            let (a, b, at) = (self.peerings[k].a, self.peerings[k].b, self.peerings[k].at);
            let na = &self.networks[a.index()];
            let nb = &self.networks[b.index()];
            let clash = na.cidrs.iter().find_map(|x| {
                nb.cidrs
                    .iter()
                    .find(|y| x.contains(&y.network()) || y.contains(&x.network()))
                    .map(|y| (*x, *y))
            });
            if let Some((x, y)) = clash {
                let msg = format!(
                    "peered networks `{}` ({x}) and `{}` ({y}) overlap",
                    na.id, nb.id
                );
                self.err(
                    C::OverlappingPeers,
                    at,
                    msg,
                    "peered networks need distinct address spaces: re-address one of them",
                );
            }
        }
    }
}
