//! The validated model: what a topology file means once every reference resolved.
//!
//! Owns: the entity types and their typed indices. Values of these types are only built by the
//! loader (`validate`), so every index in them points at something real. Must never: parse
//! YAML or hold a petgraph `NodeIndex`.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::model::rules::PortSet;

pub use super::raw::Pos;

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);
        impl $name {
            /// The position in the topology's list of this kind.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A zone of the topology.
    ZoneIx
);
index_type!(
    /// A network (VNet / VPC).
    NetIx
);
index_type!(
    /// A subnet.
    SubnetIx
);
index_type!(
    /// An endpoint.
    EpIx
);
index_type!(
    /// A rule set of `rule_sets:`.
    RuleSetIx
);

/// Anything an id can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityRef {
    Zone(ZoneIx),
    Network(NetIx),
    Subnet(SubnetIx),
    Endpoint(EpIx),
    RuleSet(RuleSetIx),
}

impl EntityRef {
    pub fn kind_name(self) -> &'static str {
        match self {
            EntityRef::Zone(_) => "zone",
            EntityRef::Network(_) => "network",
            EntityRef::Subnet(_) => "subnet",
            EntityRef::Endpoint(_) => "endpoint",
            EntityRef::RuleSet(_) => "rule set",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// The `role:` the file gives (see [`Zone::role`] for the one the checks use).
    pub declared_role: Option<ZoneRole>,
    pub at: Pos,
}

impl Zone {
    /// The zone's role: the declared one, else the one its id names (`app` and `mgmt` included;
    /// case and `-`/`_` do not matter), else none.
    pub fn role(&self) -> Option<ZoneRole> {
        self.declared_role.or_else(|| {
            let id = self.id.to_ascii_lowercase().replace('-', "_");
            match id.as_str() {
                "app" => Some(ZoneRole::Application),
                "mgmt" => Some(ZoneRole::Management),
                other => ZoneRole::parse(other),
            }
        })
    }
}

/// What a zone is for (SPEC §11.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneRole {
    Application,
    Inference,
    Data,
    Management,
    ExternalAi,
    Sandbox,
    Dmz,
    Other,
}

impl ZoneRole {
    /// Every role, in the order the docs list them.
    pub const ALL: [ZoneRole; 8] = [
        ZoneRole::Application,
        ZoneRole::Inference,
        ZoneRole::Data,
        ZoneRole::Management,
        ZoneRole::ExternalAi,
        ZoneRole::Sandbox,
        ZoneRole::Dmz,
        ZoneRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ZoneRole::Application => "application",
            ZoneRole::Inference => "inference",
            ZoneRole::Data => "data",
            ZoneRole::Management => "management",
            ZoneRole::ExternalAi => "external_ai",
            ZoneRole::Sandbox => "sandbox",
            ZoneRole::Dmz => "dmz",
            ZoneRole::Other => "other",
        }
    }

    /// The role named exactly `s` (lower case, `_`), if any.
    pub fn parse(s: &str) -> Option<ZoneRole> {
        ZoneRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// hub | spoke | standalone
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Hub,
    Spoke,
    Standalone,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Spoke => "spoke",
            Role::Standalone => "standalone",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Network {
    pub id: String,
    pub name: Option<String>,
    pub region: Option<String>,
    pub cidrs: Vec<IpNet>,
    pub role: Role,
    pub hub: Option<NetIx>,
    /// The firewall endpoint traffic leaving this network is forced through.
    pub egress: Option<EpIx>,
    pub internet_egress: bool,
    pub provider: Option<String>,
    /// Custom DNS servers (SPEC §11.7), first first; empty: the cloud's own DNS.
    pub dns_servers: Vec<DnsServer>,
    pub subnets: Vec<SubnetIx>,
    /// The cloud's id of the resource (SPEC §11.5), when imported.
    pub cloud_id: Option<String>,
    pub at: Pos,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: String,
    pub name: Option<String>,
    pub cidrs: Vec<IpNet>,
    pub network: NetIx,
    pub zone: Option<ZoneIx>,
    pub rule_sets: Vec<RuleSetIx>,
    /// Whether the subnet's rules apply to traffic to its private endpoints.
    pub private_endpoint_policies: bool,
    pub internet_egress: bool,
    /// The cloud's id of the resource (SPEC §11.5), when imported.
    pub cloud_id: Option<String>,
    pub at: Pos,
}

/// The kinds of endpoint (SPEC §1); anything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    App,
    Gateway,
    ModelProxy,
    Firewall,
    PrivateEndpoint,
    AiService,
    VectorDb,
    Storage,
    Secrets,
    Monitoring,
    DnsResolver,
    Jumpbox,
    Bastion,
    VpnGateway,
    NatGateway,
    TransitGateway,
    Sandbox,
    Onprem,
    Internet,
    Other,
}

impl Kind {
    pub fn parse(s: &str) -> Kind {
        match s.trim().to_ascii_lowercase().as_str() {
            "app" => Kind::App,
            "gateway" => Kind::Gateway,
            "model_proxy" => Kind::ModelProxy,
            "firewall" => Kind::Firewall,
            "private_endpoint" => Kind::PrivateEndpoint,
            "ai_service" => Kind::AiService,
            "vector_db" => Kind::VectorDb,
            "storage" => Kind::Storage,
            "secrets" => Kind::Secrets,
            "monitoring" => Kind::Monitoring,
            "dns_resolver" => Kind::DnsResolver,
            "jumpbox" => Kind::Jumpbox,
            "bastion" => Kind::Bastion,
            "vpn_gateway" => Kind::VpnGateway,
            "nat_gateway" => Kind::NatGateway,
            "transit_gateway" => Kind::TransitGateway,
            "sandbox" => Kind::Sandbox,
            "onprem" => Kind::Onprem,
            "internet" => Kind::Internet,
            _ => Kind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::App => "app",
            Kind::Gateway => "gateway",
            Kind::ModelProxy => "model_proxy",
            Kind::Firewall => "firewall",
            Kind::PrivateEndpoint => "private_endpoint",
            Kind::AiService => "ai_service",
            Kind::VectorDb => "vector_db",
            Kind::Storage => "storage",
            Kind::Secrets => "secrets",
            Kind::Monitoring => "monitoring",
            Kind::DnsResolver => "dns_resolver",
            Kind::Jumpbox => "jumpbox",
            Kind::Bastion => "bastion",
            Kind::VpnGateway => "vpn_gateway",
            Kind::NatGateway => "nat_gateway",
            Kind::TransitGateway => "transit_gateway",
            Kind::Sandbox => "sandbox",
            Kind::Onprem => "onprem",
            Kind::Internet => "internet",
            Kind::Other => "other",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backend {
    pub endpoint: EpIx,
    pub priority: u32,
    pub weight: Option<u32>,
}

/// `public_ip:` of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicIp {
    Yes,
    Address(IpAddr),
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: String,
    pub name: Option<String>,
    pub kind: Kind,
    /// The kind as written (for `other` kinds).
    pub kind_text: String,
    pub subnet: Option<SubnetIx>,
    /// The subnet's network, for endpoints in a subnet.
    pub network: Option<NetIx>,
    pub ip: Option<IpAddr>,
    /// Listening ports; `None` = any.
    pub ports: Option<PortSet>,
    pub rule_sets: Vec<RuleSetIx>,
    /// Sorted by priority (1 first), then file order.
    pub backends: Vec<Backend>,
    pub idle_timeout_s: Option<u64>,
    /// The endpoint's own zone, or its subnet's.
    pub zone: Option<ZoneIx>,
    /// The endpoint's own region, or its network's.
    pub region: Option<String>,
    pub fqdn: Option<String>,
    pub public_access: bool,
    pub target: Option<EpIx>,
    pub dns_zone: Option<String>,
    pub public_ip: Option<PublicIp>,
    /// The application security groups it is a member of (indexes into the topology's ASGs,
    /// SPEC §11.5).
    pub asgs: Vec<u32>,
    /// The cloud's id of the resource (SPEC §11.5), when imported.
    pub cloud_id: Option<String>,
    pub at: Pos,
}

impl Endpoint {
    /// A PaaS service: not placed in a subnet.
    pub fn is_paas(&self) -> bool {
        self.subnet.is_none()
    }
}

/// What a private DNS record points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsServer {
    /// A DNS resolver, firewall DNS proxy or other endpoint of the design.
    Endpoint(EpIx),
    /// An address (inside a network, or outside every network: on-premises, public).
    Address(IpAddr),
}

/// What a private DNS record points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsTarget {
    Address(IpAddr),
    /// A private endpoint without an `ip`.
    Endpoint(EpIx),
}

/// The record name under which a zone answering for `domain` holds `name`: the labels before
/// the domain, or `@` for the domain itself (a zone for one exact name, as AWS creates for an
/// interface endpoint's private DNS name); `None` when the name is not in the domain.
pub fn record_in<'n>(name: &'n str, domain: &str) -> Option<&'n str> {
    if name == domain {
        return Some("@");
    }
    name.strip_suffix(domain)?.strip_suffix('.')
}

#[derive(Debug, Clone)]
pub struct DnsZone {
    /// Lower case, no trailing dot.
    pub zone: String,
    pub linked: Vec<NetIx>,
    /// Record name (lower case) → target, in name order.
    pub records: Vec<(String, DnsTarget)>,
    pub at: Pos,
}

/// `allow | deny | no_route`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allow,
    Deny,
    NoRoute,
}

impl Verdict {
    pub fn parse(s: &str) -> Option<Verdict> {
        Some(
            match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
                "allow" | "allowed" => Verdict::Allow,
                "deny" | "denied" => Verdict::Deny,
                "no_route" | "noroute" => Verdict::NoRoute,
                _ => return None,
            },
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
            Verdict::NoRoute => "no_route",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `expect:` entry.
#[derive(Debug, Clone)]
pub struct Expect {
    pub name: String,
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub protocol: crate::model::rules::Protocol,
    pub verdict: Verdict,
    pub rule: Option<String>,
    pub at: Pos,
}

/// A service tag the file declares.
#[derive(Debug, Clone)]
pub struct ServiceTag {
    pub name: String,
    pub cidrs: Vec<IpNet>,
    pub at: Pos,
}

/// An application security group (Azure, SPEC §11.5), declared in the top-level
/// `application_security_groups:`.
#[derive(Debug, Clone)]
pub struct Asg {
    pub id: String,
    pub name: Option<String>,
    pub cloud_id: Option<String>,
    pub at: Pos,
}
