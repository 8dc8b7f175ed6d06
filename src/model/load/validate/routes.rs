//! Validating routing (SPEC §11.1–§11.3): `route_tables:` and their routes, `route_table:` on
//! networks and subnets, `onprem:` of VPN gateways, transit gateways' attachments, route tables
//! and peers; and the `VirtualNetwork` prefixes each network's NSGs mean.
//!
//! Must never: choose a route (the engine does), or stop at the first defect.

use std::collections::HashMap;

use ipnet::IpNet;

use crate::model::entities::{EntityRef, EpIx, Kind, NetIx, SubnetIx};
use crate::model::error::ErrorCode as C;
use crate::model::load::levenshtein;
use crate::model::raw::{RawFile, Sp};
use crate::model::routing::{
    NextHop, RouteTable, RtIx, TgwAttachment, TgwRoute, TgwTable, TgwTarget, TransitGateway,
    UserRoute,
};

use super::{Validator, ix32};

fn did_you_mean<'a>(name: &str, names: impl Iterator<Item = &'a String>) -> Option<String> {
    let l = name.to_ascii_lowercase();
    names
        .map(|k| (levenshtein(&l, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, k)| k.clone())
}

impl Validator {
    pub(super) fn routes_(&mut self, raw: &RawFile) {
        let mut rt_ids: HashMap<String, RtIx> = HashMap::new();
        for (i, t) in raw.route_tables.iter().enumerate() {
            let id = t.id.value.trim().to_string();
            if let Some(prev) = self.ids.get(&id) {
                self.err(
                    C::DuplicateId,
                    t.id.at,
                    format!(
                        "the route table id `{id}` is already used by {}",
                        super::with_article(prev.kind_name())
                    ),
                    "ids are unique across the whole file: rename the route table",
                );
            } else if let std::collections::hash_map::Entry::Vacant(v) = rt_ids.entry(id.clone()) {
                v.insert(RtIx(ix32(i)));
            } else {
                self.err(
                    C::DuplicateId,
                    t.id.at,
                    format!("the route table id `{id}` is used twice"),
                    "give each route table its own id",
                );
            }
        }
        // The tables themselves.
        for t in &raw.route_tables {
            let mut routes = Vec::new();
            for r in &t.routes {
                let prefixes = self.route_prefix(&r.prefix);
                let Some(hop) = self.next_hop(&r.next_hop) else {
                    continue;
                };
                for p in prefixes {
                    routes.push(UserRoute {
                        prefix: p,
                        written: r.prefix.value.trim().to_string(),
                        next_hop: hop,
                        next_hop_text: r.next_hop.value.trim().to_string(),
                        at: r.prefix.at,
                    });
                }
            }
            self.routing.tables.push(RouteTable {
                id: t.id.value.trim().to_string(),
                routes,
                at: t.id.at,
            });
        }
        // Who uses which table.
        self.routing.net_table = vec![None; raw.networks.len()];
        let mut subnet_table = Vec::new();
        for (ni, n) in raw.networks.iter().enumerate() {
            let net = NetIx(ix32(ni));
            if let Some(r) = &n.route_table {
                self.routing.net_table[ni] = self.route_table_ref(r, &rt_ids, net);
            }
            for s in &n.subnets {
                subnet_table.push(
                    s.route_table
                        .as_ref()
                        .and_then(|r| self.route_table_ref(r, &rt_ids, net)),
                );
            }
        }
        self.routing.subnet_table = subnet_table;
        self.gateways_(raw);
        self.compute_vnet_extra();
    }

    /// A route's prefix: a CIDR, or a declared service tag (one route per CIDR of the tag).
    fn route_prefix(&mut self, p: &Sp<String>) -> Vec<IpNet> {
        let s = p.value.trim();
        if let Ok(n) = s.parse::<IpNet>() {
            if n.trunc() == n {
                return vec![n];
            }
            self.err(
                C::BadCidr,
                p.at,
                format!("`{s}` has host bits set"),
                format!("write the network address: `{}`", n.trunc()),
            );
            return Vec::new();
        }
        if let Some(tag) = self.tags.iter().find(|t| t.name == s) {
            return tag.cidrs.clone();
        }
        // An address group (AWS managed prefix list) is one route per CIDR, as a tag (SPEC §11.5;
        // https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html).
        if let Some(cidrs) = self.address_groups.get(s) {
            return cidrs.clone();
        }
        let names: Vec<String> = self
            .tags
            .iter()
            .map(|t| t.name.clone())
            .chain(self.address_groups.keys().cloned())
            .collect();
        let hint = did_you_mean(s, names.iter()).map_or_else(
            || {
                "write a CIDR (`10.9.0.0/16`), a service tag declared in `service_tags:` or an address group of `address_groups:`"
                    .to_string()
            },
            |k| format!("did you mean `{k}`?"),
        );
        self.err(
            C::BadCidr,
            p.at,
            format!(
                "route prefix `{s}` is neither a CIDR, a declared service tag nor an address group"
            ),
            hint,
        );
        Vec::new()
    }

    fn next_hop(&mut self, h: &Sp<String>) -> Option<NextHop> {
        let s = h.value.trim();
        match s.to_ascii_lowercase().as_str() {
            "local" | "vnetlocal" => return Some(NextHop::Local),
            "internet" | "igw" => return Some(NextHop::Internet),
            "none" | "blackhole" => return Some(NextHop::Drop),
            _ => {}
        }
        if let Some(net) = s.strip_prefix("peering:") {
            let id = Sp {
                value: net.trim().to_string(),
                at: h.at,
            };
            return self.resolve_network(&id).map(NextHop::Peering);
        }
        let e = self.resolve_as(
            h,
            "next hop (local, internet, none, peering:NETWORK or a gateway/firewall endpoint)",
            |e| {
                if let EntityRef::Endpoint(x) = e {
                    Some(x)
                } else {
                    None
                }
            },
        )?;
        let kind = self.endpoints.get(e.index()).map(|x| x.kind);
        match kind {
            Some(Kind::Firewall) => Some(NextHop::Appliance(e)),
            Some(Kind::NatGateway) => Some(NextHop::NatGateway(e)),
            Some(Kind::VpnGateway) => Some(NextHop::VpnGateway(e)),
            Some(Kind::TransitGateway) => Some(NextHop::TransitGateway(e)),
            other => {
                self.err(
                    C::BadNextHop,
                    h.at,
                    format!(
                        "`{s}` is an endpoint of kind `{}`, which cannot be a next hop",
                        other.map_or("?", Kind::as_str)
                    ),
                    "a next hop is local, internet, none, peering:NETWORK, or an endpoint of kind firewall, nat_gateway, vpn_gateway or transit_gateway",
                );
                None
            }
        }
    }

    fn route_table_ref(
        &mut self,
        r: &Sp<String>,
        rt_ids: &HashMap<String, RtIx>,
        net: NetIx,
    ) -> Option<RtIx> {
        let name = r.value.trim();
        let Some(ix) = rt_ids.get(name).copied() else {
            let hint = did_you_mean(name, rt_ids.keys()).map_or_else(
                || "declare it under `route_tables:`, or fix the spelling".to_string(),
                |k| format!("did you mean `{k}`?"),
            );
            self.err(
                C::UnknownId,
                r.at,
                format!("unknown route table `{name}`"),
                hint,
            );
            return None;
        };
        // A peering next hop must be a peering of the network that uses the table.
        let bad: Vec<(NetIx, crate::model::raw::Pos)> = self.routing.tables[ix.index()]
            .routes
            .iter()
            .filter_map(|u| match u.next_hop {
                NextHop::Peering(m) if !self.peered(net, m) => Some((m, u.at)),
                _ => None,
            })
            .collect();
        for (m, at) in bad {
            let (a, b) = (
                self.networks
                    .get(net.index())
                    .map_or("?", |n| n.id.as_str())
                    .to_string(),
                self.networks
                    .get(m.index())
                    .map_or("?", |n| n.id.as_str())
                    .to_string(),
            );
            self.err(
                C::BadNextHop,
                at,
                format!("route table `{name}` (used by `{a}`) sends traffic over a peering to `{b}`, but `{a}` is not peered with `{b}`"),
                format!("peer `{a}` with `{b}` (`peerings:`), or route to a gateway instead (peering is not transitive)"),
            );
        }
        Some(ix)
    }

    fn peered(&self, a: NetIx, b: NetIx) -> bool {
        self.peerings
            .iter()
            .any(|p| (p.a == a && p.b == b) || (p.a == b && p.b == a))
    }

    /// `onprem:` of VPN gateways; transit gateways' attachments, tables and peers.
    fn gateways_(&mut self, raw: &RawFile) {
        for (i, e) in raw.endpoints.iter().enumerate() {
            let ix = EpIx(ix32(i));
            let kind = self.endpoints.get(i).map(|x| x.kind);
            if let Some(o) = &e.onprem {
                if kind == Some(Kind::VpnGateway) {
                    let c = self.cidrs(o);
                    self.routing.onprem.insert(ix, c);
                } else {
                    self.err(
                        C::BadValue,
                        o.at,
                        format!("`onprem:` is only for an endpoint of kind `vpn_gateway`, and `{}` is not one", e.id.value.trim()),
                        "set `kind: vpn_gateway`, or remove `onprem:`",
                    );
                }
            }
            let tgw_keys =
                !e.attachments.is_empty() || !e.route_tables.is_empty() || !e.peers.is_empty();
            if kind == Some(Kind::TransitGateway) {
                let g = self.tgw(e);
                self.routing.tgws.insert(ix, g);
            } else if tgw_keys {
                self.err(
                    C::BadValue,
                    e.id.at,
                    format!("`attachments:`, `route_tables:` and `peers:` are only for an endpoint of kind `transit_gateway`, and `{}` is not one", e.id.value.trim()),
                    "set `kind: transit_gateway`, or remove those keys",
                );
            }
        }
    }

    fn tgw_ref(&mut self, s: &Sp<String>) -> Option<TgwAttachment> {
        match self.resolve(s, "network or transit gateway")? {
            EntityRef::Network(n) => Some(TgwAttachment::Network(n)),
            EntityRef::Endpoint(e)
                if self.endpoints.get(e.index()).map(|x| x.kind) == Some(Kind::TransitGateway) =>
            {
                Some(TgwAttachment::Peer(e))
            }
            other => {
                self.wrong_kind(s, other, "network or transit gateway");
                None
            }
        }
    }

    fn tgw(&mut self, e: &crate::model::raw::RawEndpoint) -> TransitGateway {
        let mut g = TransitGateway::default();
        for a in &e.attachments {
            if let Some(n) = self.resolve_network(a) {
                g.attachments.push(n);
            }
        }
        for p in &e.peers {
            if let Some(x) = self.resolve_endpoint(p) {
                if self.endpoints.get(x.index()).map(|x| x.kind) == Some(Kind::TransitGateway) {
                    g.peers.push(x);
                } else {
                    self.err(
                        C::BadValue,
                        p.at,
                        format!("`{}` is not a transit gateway", p.value.trim()),
                        "a transit gateway peers only with another endpoint of kind `transit_gateway`",
                    );
                }
            }
        }
        for t in &e.route_tables {
            let mut tab = TgwTable {
                id: t.id.value.trim().to_string(),
                associations: Vec::new(),
                routes: Vec::new(),
                propagations: Vec::new(),
                at: t.id.at,
            };
            for a in &t.associations {
                if let Some(x) = self.tgw_ref(a) {
                    if let TgwAttachment::Network(n) = x
                        && !g.attachments.contains(&n)
                    {
                        self.err(
                            C::BadNextHop,
                            a.at,
                            format!(
                                "`{}` is associated with table `{}` but is not attached to `{}`",
                                a.value.trim(),
                                tab.id,
                                e.id.value.trim()
                            ),
                            "add it to the transit gateway's `attachments:`",
                        );
                    }
                    tab.associations.push(x);
                }
            }
            for p in &t.propagations {
                if let Some(n) = self.resolve_network(p) {
                    tab.propagations.push(n);
                }
            }
            for r in &t.routes {
                let prefixes = self.route_prefix(&r.prefix);
                let target = if matches!(
                    r.attachment.value.trim().to_ascii_lowercase().as_str(),
                    "none" | "blackhole"
                ) {
                    Some(TgwTarget::Blackhole)
                } else {
                    self.tgw_ref(&r.attachment).map(|a| match a {
                        TgwAttachment::Network(n) => TgwTarget::Network(n),
                        TgwAttachment::Peer(p) => TgwTarget::Peer(p),
                    })
                };
                if let Some(target) = target {
                    for p in prefixes {
                        tab.routes.push(TgwRoute {
                            prefix: p,
                            target,
                            at: r.prefix.at,
                        });
                    }
                }
            }
            g.tables.push(tab);
        }
        g
    }

    /// SPEC §11.3, per network: the VPN gateways' `onprem` prefixes in it or its peers, and the
    /// prefixes of the user-defined routes of its table and its subnets' tables.
    fn compute_vnet_extra(&mut self) {
        let n = self.networks.len();
        let mut out = vec![Vec::new(); n];
        for (ni, slot) in out.iter_mut().enumerate() {
            let net = NetIx(ix32(ni));
            let mut extra = self.onprem_near(net);
            let mut tabs: Vec<RtIx> = self.routing.net_table[ni].into_iter().collect();
            if let Some(nw) = self.networks.get(ni) {
                for s in &nw.subnets {
                    if let Some(Some(t)) = self.routing.subnet_table.get(s.index()) {
                        tabs.push(*t);
                    }
                }
            }
            if let Some(v4) = self.egress_udr(net) {
                extra.push(v4);
            }
            for t in tabs {
                extra.extend(
                    self.routing.tables[t.index()]
                        .routes
                        .iter()
                        .map(|r| r.prefix),
                );
            }
            extra.sort();
            extra.dedup();
            *slot = extra;
        }
        self.routing.vnet_extra = out;
        // Per subnet: its network's on-premises prefixes, and the user-defined routes of the
        // one table in force there (its own, else its network's), else the `egress` shorthand's
        // route, which every subnet but the firewall's own gets.
        let mut per_subnet = vec![Vec::new(); self.subnets.len()];
        for (si, slot) in per_subnet.iter_mut().enumerate() {
            let sub = SubnetIx(ix32(si));
            let Some(net) = self.subnets.get(si).map(|s| s.network) else {
                continue;
            };
            let mut extra = self.onprem_near(net);
            match self.routing.table_of(Some(sub), net) {
                Some(t) => extra.extend(
                    self.routing.tables[t.index()]
                        .routes
                        .iter()
                        .map(|r| r.prefix),
                ),
                None => {
                    if let Some(v4) = self.egress_udr_at(net, sub) {
                        extra.push(v4);
                    }
                }
            }
            extra.sort();
            extra.dedup();
            *slot = extra;
        }
        self.routing.vnet_extra_subnet = per_subnet;
    }

    /// The `onprem` prefixes of the VPN gateways in `net` or a network peered with it.
    fn onprem_near(&self, net: NetIx) -> Vec<IpNet> {
        let near = |m: NetIx| m == net || self.peered(net, m);
        let mut out = Vec::new();
        for (e, pfx) in &self.routing.onprem {
            if self
                .endpoints
                .get(e.index())
                .and_then(|x| x.network)
                .is_some_and(near)
            {
                out.extend(pfx.iter().copied());
            }
        }
        out
    }

    /// The `egress` shorthand's route in subnet `sub` of `net`: none in the firewall's own
    /// subnet (SPEC §11.1).
    fn egress_udr_at(&self, net: NetIx, sub: SubnetIx) -> Option<IpNet> {
        let v4 = self.egress_udr(net)?;
        let nw = self.networks.get(net.index())?;
        let fw = nw
            .egress
            .or_else(|| nw.hub.and_then(|h| self.networks.get(h.index())?.egress))?;
        let fw_subnet = self.endpoints.get(fw.index()).and_then(|e| e.subnet);
        (fw_subnet != Some(sub)).then_some(v4)
    }

    /// The user-defined route `egress:` stands for in an Azure network (SPEC §11.1: a table
    /// `{0.0.0.0/0 -> FW}` on every subnet of the network and its spokes other than the
    /// firewall's own): its prefix joins `VirtualNetwork` as any UDR's does
    /// (https://learn.microsoft.com/azure/virtual-network/service-tags-overview). Only NSGs read
    /// the tag, and an `nsg` is Azure's, so every network but one that says `provider: aws`
    /// (AWS has no such tag) gets it.
    fn egress_udr(&self, net: NetIx) -> Option<IpNet> {
        let nw = self.networks.get(net.index())?;
        if nw
            .provider
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("aws"))
        {
            return None;
        }
        let fw = nw
            .egress
            .or_else(|| nw.hub.and_then(|h| self.networks.get(h.index())?.egress))?;
        let fw_subnet = self.endpoints.get(fw.index()).and_then(|e| e.subnet);
        // The firewall's own subnet gets no shorthand route: a network whose only subnet is the
        // firewall's has no such UDR.
        if !nw.subnets.iter().any(|s| Some(*s) != fw_subnet) {
            return None;
        }
        "0.0.0.0/0".parse().ok()
    }
}
