//! The routing part of the model (SPEC §11.1–§11.3): route tables and the tables each network
//! and subnet uses, NAT/VPN/transit gateways, and the `VirtualNetwork` prefixes each network's
//! NSGs mean, precomputed at load.
//!
//! Owns: the validated form of `route_tables:`, `route_table:`, `onprem:`, a transit gateway's
//! `attachments:`/`route_tables:`/`peers:`. Must never: parse YAML, choose a route (that is
//! `engine::path::route`), or decide a verdict.

use std::collections::HashMap;

use ipnet::IpNet;

use super::entities::{EpIx, NetIx, Pos, SubnetIx};

/// An index into [`Routing::tables`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RtIx(pub(crate) u32);

impl RtIx {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a route sends what it matches (SPEC §11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// The network itself.
    Local,
    /// Azure `Internet` / an AWS internet gateway: public addresses only.
    Internet,
    /// Drop (Azure `None`, AWS blackhole).
    Drop,
    /// A firewall / network virtual appliance: its rule sets check the flow, then it routes again.
    Appliance(EpIx),
    /// A NAT gateway: source NAT to its public address, public destinations only.
    NatGateway(EpIx),
    /// A VPN gateway: its `onprem` prefixes.
    VpnGateway(EpIx),
    /// A transit gateway (SPEC §11.2).
    TransitGateway(EpIx),
    /// An AWS VPC peering to a directly peered network.
    Peering(NetIx),
}

/// One route of a route table. A service-tag prefix is expanded into one route per CIDR of the
/// tag, each keeping the name that was written (`written`).
#[derive(Debug, Clone)]
pub struct UserRoute {
    pub prefix: IpNet,
    /// The prefix as the file wrote it (a CIDR or a service tag name).
    pub written: String,
    pub next_hop: NextHop,
    /// The next hop as the file wrote it.
    pub next_hop_text: String,
    pub at: Pos,
}

#[derive(Debug, Clone)]
pub struct RouteTable {
    pub id: String,
    pub routes: Vec<UserRoute>,
    pub at: Pos,
}

/// Where a transit gateway's route sends what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TgwTarget {
    /// A VPC attachment.
    Network(NetIx),
    /// A peered transit gateway (static routes only, as AWS).
    Peer(EpIx),
    /// Blackhole.
    Blackhole,
}

/// A static route of a transit gateway route table.
#[derive(Debug, Clone)]
pub struct TgwRoute {
    pub prefix: IpNet,
    pub target: TgwTarget,
    pub at: Pos,
}

/// Where a transit gateway's traffic may arrive from: a VPC attachment or a peering attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TgwAttachment {
    Network(NetIx),
    Peer(EpIx),
}

#[derive(Debug, Clone)]
pub struct TgwTable {
    pub id: String,
    pub associations: Vec<TgwAttachment>,
    pub routes: Vec<TgwRoute>,
    pub propagations: Vec<NetIx>,
    pub at: Pos,
}

#[derive(Debug, Clone, Default)]
pub struct TransitGateway {
    pub attachments: Vec<NetIx>,
    pub tables: Vec<TgwTable>,
    pub peers: Vec<EpIx>,
}

impl TransitGateway {
    /// The table associated with an attachment, if any.
    pub fn table_for(&self, a: TgwAttachment) -> Option<&TgwTable> {
        self.tables.iter().find(|t| t.associations.contains(&a))
    }
}

/// Everything routing needs beyond networks and peerings.
#[derive(Debug, Clone, Default)]
pub struct Routing {
    pub tables: Vec<RouteTable>,
    /// Per network: its `route_table`.
    pub net_table: Vec<Option<RtIx>>,
    /// Per subnet: its own `route_table`.
    pub subnet_table: Vec<Option<RtIx>>,
    /// `onprem:` of each VPN gateway that has it.
    pub onprem: HashMap<EpIx, Vec<IpNet>>,
    pub tgws: HashMap<EpIx, TransitGateway>,
    /// Per network: the prefixes `VirtualNetwork` means beyond the network and its peers
    /// (SPEC §11.3), precomputed by [`Routing::compute_vnet`].
    pub vnet_extra: Vec<Vec<IpNet>>,
    /// Per subnet: the same for the NSGs in that subnet — the VPN gateways' prefixes of its
    /// network and the prefixes of the user-defined routes effective in the subnet only.
    pub vnet_extra_subnet: Vec<Vec<IpNet>>,
}

impl Routing {
    /// Whether the design says anything about routing beyond networks, peerings and `egress`:
    /// then routes are chosen hop by hop from route tables; otherwise the implicit tables give
    /// exactly the routes of §3 and the older search answers.
    pub fn is_explicit(&self) -> bool {
        !self.tables.is_empty() || !self.tgws.is_empty() || !self.onprem.is_empty()
    }

    /// The VPN gateway whose `onprem:` prefixes hold `a` (the longest prefix; among equals the
    /// first gateway), for an address outside every network (SPEC §11.2).
    pub fn onprem_gateway(&self, a: std::net::IpAddr) -> Option<EpIx> {
        if self.onprem.is_empty() {
            return None;
        }
        self.onprem
            .iter()
            .flat_map(|(g, ps)| ps.iter().filter(|p| p.contains(&a)).map(move |p| (*g, p)))
            .max_by_key(|(g, p)| (p.prefix_len(), std::cmp::Reverse(g.index())))
            .map(|(g, _)| g)
    }

    /// The effective user table of a subnet: its own, else its network's.
    pub fn table_of(&self, subnet: Option<SubnetIx>, net: NetIx) -> Option<RtIx> {
        subnet
            .and_then(|s| self.subnet_table.get(s.index()).copied().flatten())
            .or_else(|| self.net_table.get(net.index()).copied().flatten())
    }

    /// The prefixes at which routing can tell two addresses outside every network apart: every
    /// route's prefix, the on-premises prefixes, and the private ranges (RFC 1918, RFC 4193) an
    /// internet next hop does not carry. Empty for a design without route tables.
    pub fn class_prefixes(&self) -> Vec<IpNet> {
        if !self.is_explicit() {
            return Vec::new();
        }
        let mut v: Vec<IpNet> = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        v.extend(
            self.tables
                .iter()
                .flat_map(|t| t.routes.iter().map(|r| r.prefix)),
        );
        v.extend(self.onprem.values().flatten().copied());
        v.extend(self.tgws.values().flat_map(|g| {
            g.tables
                .iter()
                .flat_map(|t| t.routes.iter().map(|r| r.prefix))
        }));
        v
    }

    pub fn table(&self, ix: RtIx) -> &RouteTable {
        &self.tables[ix.index()]
    }
}
