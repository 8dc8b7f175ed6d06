//! The topology: a YAML file parsed into raw structs with spans (`raw`), validated into the
//! model (`load`), and held as a petgraph graph of zones, networks, subnets, endpoints,
//! peerings, private links and gateway backends, with an address index.
//!
//! Owns: every YAML call of the program, every input error, and the graph. Must never: leak a
//! petgraph `NodeIndex` (callers get typed indices), decide a verdict, or print.

mod entities;
mod error;
pub mod fxhash;
pub mod ids;
mod index;
mod load;
pub mod ports;
pub(crate) use load::levenshtein;
pub mod raw;
pub mod routing;
pub mod rules;
pub mod view;
mod yaml_msg;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

pub use entities::*;
pub use error::{ErrorCode, FileDiagnostic, InputError, LoadError};
pub use index::AddrMatch;
pub use load::{
    BaseKind, BaseRequest, BaseResolver, MAX_FILE_BYTES, load, load_document, load_str,
    load_str_in, load_with_base, load_with_base_then, no_importer, read_capped, schema_json,
    to_yaml, zone_map_from_yaml,
};

use crate::model::rules::{RuleSet, Selector};
use index::AddrIndex;

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Internet,
    Zone(ZoneIx),
    Network(NetIx),
    Subnet(SubnetIx),
    Endpoint(EpIx),
}

/// An edge of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// network–subnet, subnet–endpoint
    Contains,
    /// endpoint/subnet–zone
    InZone,
    /// network–network (index into `peerings`)
    Peering(usize),
    /// private endpoint–its target
    PrivateLink,
    /// gateway–backend
    Backend,
}

/// Two peered networks. `implied` when it comes from a spoke's `hub:`.
#[derive(Debug, Clone)]
pub struct Peering {
    pub a: NetIx,
    pub b: NetIx,
    pub implied: bool,
    pub at: Pos,
}

/// A validated topology. Built only by [`load`] / [`load_str`] / [`load_document`].
#[derive(Debug, Clone)]
pub struct Topology {
    pub name: String,
    pub description: Option<String>,
    /// The file it came from (as given), and its text.
    pub file: String,
    pub text: Arc<str>,
    pub(crate) zones: Vec<Zone>,
    pub(crate) networks: Vec<Network>,
    pub(crate) subnets: Vec<Subnet>,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) rule_sets: Vec<RuleSet>,
    pub(crate) zone_policy: Option<RuleSet>,
    pub(crate) dns: Vec<DnsZone>,
    pub(crate) tags: Vec<ServiceTag>,
    pub(crate) expects: Vec<Expect>,
    pub(crate) peerings: Vec<Peering>,
    /// Route tables and gateways (SPEC §11.1–§11.3).
    pub(crate) routing: routing::Routing,
    pub(crate) ids: HashMap<String, EntityRef>,
    /// Application security groups (SPEC §11.5).
    pub(crate) asgs: Vec<entities::Asg>,
    /// `name:`/`cloud_id:` → what they name (ids excluded; several = ambiguous).
    pub(crate) aliases: HashMap<String, Vec<EntityRef>>,
    /// `address_groups:` (SPEC §11.5).
    pub(crate) address_groups: std::collections::BTreeMap<String, Vec<IpNet>>,
    pub(crate) addrs: AddrIndex,
    /// Private endpoints by their target.
    pub(crate) pes_of: HashMap<EpIx, Vec<EpIx>>,
    /// Services by FQDN (lower case).
    pub(crate) by_fqdn: HashMap<String, EpIx>,
    /// Endpoints by their public address.
    pub(crate) public_ips: fxhash::FxMap<fxhash::AddrKey, EpIx>,
    graph: UnGraph<Node, Edge>,
    internet: NodeIndex,
    net_nodes: Vec<NodeIndex>,
    /// Per network, the networks it peers with, sorted (what `VirtualNetwork` asks per rule).
    peered: Vec<Vec<NetIx>>,
}

impl Topology {
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }
    pub fn networks(&self) -> &[Network] {
        &self.networks
    }
    pub fn subnets(&self) -> &[Subnet] {
        &self.subnets
    }
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }
    pub fn rule_sets(&self) -> &[RuleSet] {
        &self.rule_sets
    }
    /// The top-level `policies:` as one rule set of kind `policy` (id `policies`).
    pub fn zone_policy(&self) -> Option<&RuleSet> {
        self.zone_policy.as_ref()
    }
    pub fn dns_zones(&self) -> &[DnsZone] {
        &self.dns
    }
    pub fn service_tags(&self) -> &[ServiceTag] {
        &self.tags
    }
    pub fn expectations(&self) -> &[Expect] {
        &self.expects
    }
    pub fn peerings(&self) -> &[Peering] {
        &self.peerings
    }

    pub fn zone(&self, ix: ZoneIx) -> &Zone {
        &self.zones[ix.index()]
    }
    pub fn network(&self, ix: NetIx) -> &Network {
        &self.networks[ix.index()]
    }
    pub fn subnet(&self, ix: SubnetIx) -> &Subnet {
        &self.subnets[ix.index()]
    }
    pub fn endpoint(&self, ix: EpIx) -> &Endpoint {
        &self.endpoints[ix.index()]
    }
    pub fn rule_set(&self, ix: RuleSetIx) -> &RuleSet {
        &self.rule_sets[ix.index()]
    }

    /// What an id names (zones, networks, subnets, endpoints, rule sets); failing that, the one
    /// entity whose `name:` or `cloud_id:` it is (SPEC §11.5). An ambiguous name finds nothing:
    /// [`Topology::candidates`] lists what it could mean.
    pub fn find(&self, id: &str) -> Option<EntityRef> {
        if let Some(e) = self.ids.get(id) {
            return Some(*e);
        }
        match self.aliases.get(id).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    }

    /// Every entity an id, `name:` or `cloud_id:` may mean: one for a known id or a unique name,
    /// several for an ambiguous name (to name the candidates in an error), none otherwise.
    pub fn candidates(&self, id: &str) -> Vec<EntityRef> {
        if let Some(e) = self.ids.get(id) {
            return vec![*e];
        }
        self.aliases.get(id).cloned().unwrap_or_default()
    }

    /// The application security groups (SPEC §11.5).
    pub fn asgs(&self) -> &[entities::Asg] {
        &self.asgs
    }

    /// The `address_groups:` (SPEC §11.5), by id.
    pub fn address_groups(&self) -> &std::collections::BTreeMap<String, Vec<IpNet>> {
        &self.address_groups
    }

    pub fn endpoint_ix(&self, id: &str) -> Option<EpIx> {
        match self.find(id) {
            Some(EntityRef::Endpoint(e)) => Some(e),
            _ => None,
        }
    }

    /// The id of any entity.
    pub fn id_of(&self, e: EntityRef) -> &str {
        match e {
            EntityRef::Zone(i) => &self.zone(i).id,
            EntityRef::Network(i) => &self.network(i).id,
            EntityRef::Subnet(i) => &self.subnet(i).id,
            EntityRef::Endpoint(i) => &self.endpoint(i).id,
            EntityRef::RuleSet(i) => &self.rule_set(i).id,
        }
    }

    /// Where an entity is written in the file.
    pub fn pos_of(&self, e: EntityRef) -> Pos {
        match e {
            EntityRef::Zone(i) => self.zone(i).at,
            EntityRef::Network(i) => self.network(i).at,
            EntityRef::Subnet(i) => self.subnet(i).at,
            EntityRef::Endpoint(i) => self.endpoint(i).at,
            EntityRef::RuleSet(i) => self.rule_set(i).at,
        }
    }

    /// Longest-prefix match of an address to endpoint, subnet and network.
    pub fn lookup_ip(&self, ip: IpAddr) -> AddrMatch {
        self.addrs.lookup(ip)
    }

    /// The endpoint whose `public_ip` is this address.
    pub fn endpoint_by_public_ip(&self, ip: IpAddr) -> Option<EpIx> {
        self.public_ips.get(&fxhash::AddrKey(ip)).copied()
    }

    /// The service whose FQDN this is (lower case match).
    pub fn service_by_fqdn(&self, fqdn: &str) -> Option<EpIx> {
        self.by_fqdn
            .get(&fqdn.trim_end_matches('.').to_ascii_lowercase())
            .copied()
    }

    /// The private endpoints whose target is `service`.
    pub fn private_endpoints_of(&self, service: EpIx) -> &[EpIx] {
        self.pes_of.get(&service).map_or(&[], Vec::as_slice)
    }

    /// The networks peered with `n`, with the index of the peering.
    pub fn peers(&self, n: NetIx) -> impl Iterator<Item = (NetIx, usize)> + '_ {
        let node = self.net_nodes[n.index()];
        self.graph.edges(node).filter_map(move |e| {
            let Edge::Peering(p) = *e.weight() else {
                return None;
            };
            let other = if e.source() == node {
                e.target()
            } else {
                e.source()
            };
            match self.graph.node_weight(other) {
                Some(Node::Network(m)) => Some((*m, p)),
                _ => None,
            }
        })
    }

    /// Whether a peering joins `a` and `b` (whatever a what-if switches off).
    #[inline]
    pub fn is_peered(&self, a: NetIx, b: NetIx) -> bool {
        self.peered
            .get(a.index())
            .is_some_and(|p| p.binary_search(&b).is_ok())
    }

    /// The spokes whose hub is `n`.
    pub fn spokes_of(&self, n: NetIx) -> impl Iterator<Item = NetIx> + '_ {
        self.networks
            .iter()
            .enumerate()
            .filter(move |(_, net)| net.hub == Some(n))
            .map(|(i, _)| NetIx(i as u32))
    }

    /// The regions of the topology, in the order they first appear.
    pub fn regions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for r in self
            .networks
            .iter()
            .filter_map(|n| n.region.clone())
            .chain(self.endpoints.iter().filter_map(|e| e.region.clone()))
        {
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    /// Route tables, gateways and the widened `VirtualNetwork` (SPEC §11.1–§11.3).
    pub fn routing(&self) -> &routing::Routing {
        &self.routing
    }

    /// The prefixes Azure's `VirtualNetwork` tag means for the NSGs of network `n` beyond its
    /// own and its peers' address space (SPEC §11.3): `onprem` prefixes of the VPN gateways it can
    /// use and the prefixes of the user-defined routes effective in its subnets.
    pub fn vnet_extra(&self, n: NetIx) -> &[ipnet::IpNet] {
        self.routing
            .vnet_extra
            .get(n.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The same for a rule set enforced in subnet `s` of network `n` (an interface's NSG is in
    /// its subnet): the user-defined routes effective in that subnet, not in its siblings
    /// (Azure expands `VirtualNetwork` with the routes a NIC has). Without a subnet, the
    /// network's.
    pub fn vnet_extra_at(&self, n: NetIx, s: Option<SubnetIx>) -> &[ipnet::IpNet] {
        match s {
            Some(s) if self.subnet(s).network == n => self
                .routing
                .vnet_extra_subnet
                .get(s.index())
                .map_or(&[], Vec::as_slice),
            _ => self.vnet_extra(n),
        }
    }

    /// The firewall that traffic leaving `n` is forced through: its own `egress`, else its hub's.
    pub fn effective_egress(&self, n: NetIx) -> Option<EpIx> {
        let net = self.network(n);
        net.egress
            .or_else(|| net.hub.and_then(|h| self.network(h).egress))
    }

    /// Whether anything in the graph connects these two nodes directly (for the map).
    pub fn graph_counts(&self) -> (usize, usize) {
        (self.graph.node_count(), self.graph.edge_count())
    }

    /// Gateways and their backends, private endpoints and their targets: the "link" edges of the
    /// graph, as (from endpoint, to endpoint, is_backend).
    pub fn links(&self) -> Vec<(EpIx, EpIx, bool)> {
        let mut out = Vec::new();
        for e in self.graph.edge_references() {
            let backend = match e.weight() {
                Edge::Backend => true,
                Edge::PrivateLink => false,
                _ => continue,
            };
            if let (Some(Node::Endpoint(a)), Some(Node::Endpoint(b))) = (
                self.graph.node_weight(e.source()),
                self.graph.node_weight(e.target()),
            ) {
                out.push((*a, *b, backend));
            }
        }
        out
    }

    /// The declared service tag named `name` (case-insensitive).
    pub fn tag_ix(&self, name: &str) -> Option<usize> {
        self.tags
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Every selector in every rule that names a service tag the file does not declare.
    pub fn unknown_tags(&self) -> Vec<(String, String, String, Pos)> {
        let mut out = Vec::new();
        let sets = self.rule_sets.iter().chain(self.zone_policy.iter());
        for rs in sets {
            for r in rs.rules.iter().filter(|r| !r.default_rule) {
                for s in r.sources.iter().chain(r.destinations.iter()) {
                    if let Selector::UnknownTag(t) = s {
                        out.push((rs.id.clone(), r.id.clone(), t.clone(), r.at));
                    }
                }
            }
        }
        out
    }

    fn build_graph(&mut self) {
        let mut g: UnGraph<Node, Edge> = UnGraph::default();
        self.internet = g.add_node(Node::Internet);
        let zone_nodes: Vec<NodeIndex> = (0..self.zones.len())
            .map(|i| g.add_node(Node::Zone(ZoneIx(i as u32))))
            .collect();
        self.net_nodes = (0..self.networks.len())
            .map(|i| g.add_node(Node::Network(NetIx(i as u32))))
            .collect();
        let subnet_nodes: Vec<NodeIndex> = (0..self.subnets.len())
            .map(|i| g.add_node(Node::Subnet(SubnetIx(i as u32))))
            .collect();
        let ep_nodes: Vec<NodeIndex> = (0..self.endpoints.len())
            .map(|i| g.add_node(Node::Endpoint(EpIx(i as u32))))
            .collect();
        for (i, s) in self.subnets.iter().enumerate() {
            g.add_edge(
                self.net_nodes[s.network.index()],
                subnet_nodes[i],
                Edge::Contains,
            );
            if let Some(z) = s.zone {
                g.add_edge(subnet_nodes[i], zone_nodes[z.index()], Edge::InZone);
            }
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            if let Some(s) = e.subnet {
                g.add_edge(subnet_nodes[s.index()], ep_nodes[i], Edge::Contains);
            } else if let Some(z) = e.zone {
                g.add_edge(ep_nodes[i], zone_nodes[z.index()], Edge::InZone);
            }
            if let Some(t) = e.target {
                g.add_edge(ep_nodes[i], ep_nodes[t.index()], Edge::PrivateLink);
            }
            for b in &e.backends {
                g.add_edge(ep_nodes[i], ep_nodes[b.endpoint.index()], Edge::Backend);
            }
            if e.public_ip.is_some() || e.is_paas() {
                g.add_edge(self.internet, ep_nodes[i], Edge::Contains);
            }
        }
        let mut peered = vec![Vec::new(); self.networks.len()];
        for (p, peer) in self.peerings.iter().enumerate() {
            g.add_edge(
                self.net_nodes[peer.a.index()],
                self.net_nodes[peer.b.index()],
                Edge::Peering(p),
            );
            peered[peer.a.index()].push(peer.b);
            peered[peer.b.index()].push(peer.a);
        }
        for p in &mut peered {
            p.sort_unstable();
            p.dedup();
        }
        self.peered = peered;
        self.graph = g;
    }
}
