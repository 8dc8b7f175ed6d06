//! The design document an importer builds: the topology file's format (SPEC §1 and §11) as
//! plain serialisable structs whose field names are the YAML keys.
//!
//! Owns: the shape of what importers write. It is turned into YAML text by
//! `model::to_yaml` and then read by the ordinary loader, so every validation applies: it is
//! never a second model. Must never: validate, resolve ids, or hold anything the file format
//! has no key for.

use std::collections::BTreeMap;

use serde::Serialize;

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn no(b: &bool) -> bool {
    !*b
}

/// A topology file, version 1.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Document {
    pub version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Zone>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peerings: Vec<[String; 2]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule_sets: Vec<RuleSet>,
    /// SPEC §11.5: AWS managed prefix lists, Azure IP groups.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub address_groups: BTreeMap<String, Vec<String>>,
    /// SPEC §11.1.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<RouteTable>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns: Vec<DnsZone>,
    /// SPEC §1: service tags the file declares (the Azure importer declares
    /// `AzureLoadBalancer`, which the NSG default rules name).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub service_tags: BTreeMap<String, Vec<String>>,
    /// SPEC §11.5: Azure application security groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub application_security_groups: Vec<Asg>,
}

/// An application security group (SPEC §11.5).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Asg {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Zone {
    pub id: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Network {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub cidr: Vec<String>,
    /// hub | spoke (the explorer's map; SPEC §1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "no")]
    pub internet_egress: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    /// SPEC §11.7: custom DNS servers (Azure `dhcpOptions.dnsServers`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<Subnet>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Subnet {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
    pub cidr: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    #[serde(skip_serializing_if = "no")]
    pub internet_egress: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_table: Option<String>,
    /// enabled | disabled: whether the subnet's rule sets apply to its private endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_endpoint_policies: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Endpoint {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_zone: Option<String>,
    /// enabled | disabled (a PaaS service reachable from the internet or not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_access: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// SPEC §11.2: a transit gateway's attached networks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    /// SPEC §11.2: a transit gateway's route tables.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<TgwRouteTable>,
    /// SPEC §11.2: the on-premises prefixes behind a VPN gateway.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub onprem: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// SPEC §11.5: the application security groups the endpoint is a member of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub application_security_groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RuleSet {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Rule {
    pub id: String,
    /// The cloud's name of the rule, when the id is not it (an Azure Firewall rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// Empty for rule sets without directions (firewalls).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub direction: String,
    pub action: String,
    pub protocol: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub destination: Vec<String>,
    /// One port or range; several, comma-separated (`"22-23,80"`), are written as a list.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ports_list")]
    pub ports: Option<String>,
    /// SPEC §11.6: a firewall rule's destination FQDN patterns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fqdns: Vec<String>,
    /// SPEC §11.6: a firewall rule's `type:` (network | application | dnat).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub rule_type: Option<String>,
    /// SPEC §11.6: a DNAT rule's translated address (an IP address or endpoint id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_address: Option<String>,
    /// SPEC §11.6: a DNAT rule's translated port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[allow(clippy::ref_option)] // serde's serialize_with passes a reference
fn ports_list<S: serde::Serializer>(p: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(t) if t.contains(',') => s.collect_seq(t.split(',').map(str::trim)),
        Some(t) => s.serialize_str(t),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RouteTable {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Route {
    pub prefix: String,
    pub next_hop: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TgwRouteTable {
    pub id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<TgwRoute>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub propagations: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TgwRoute {
    pub prefix: String,
    pub attachment: String,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DnsZone {
    pub zone: String,
    pub linked: Vec<String>,
    /// `{name: ip}` (relative to the zone, `@` for the apex); private endpoints with this
    /// `dns_zone` add theirs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub records: BTreeMap<String, String>,
}
