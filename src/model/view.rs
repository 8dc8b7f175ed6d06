//! The model as JSON: a view of a [`Topology`] with every reference written as an id, in file
//! order, ready for other tools (and the base of `diff`'s field-by-field comparison).
//!
//! Owns: [`ModelView`] and its parts. Must never: derive `Serialize` on the model itself, decide
//! a verdict, or do I/O.

use serde::Serialize;

use crate::model::rules::{Rule, RuleSet};
use crate::model::{DnsTarget, Endpoint, Network, PublicIp, Subnet, Topology};

/// The whole topology, references resolved to ids.
#[derive(Debug, Clone, Serialize)]
pub struct ModelView {
    pub version: u32,
    pub name: String,
    pub description: Option<String>,
    pub file: String,
    pub zones: Vec<ZoneView>,
    pub networks: Vec<NetworkView>,
    pub endpoints: Vec<EndpointView>,
    pub peerings: Vec<PeeringView>,
    pub rule_sets: Vec<RuleSetView>,
    /// The zone policy (`policies:`), its rules in file order.
    pub policies: Vec<RuleView>,
    pub dns: Vec<DnsView>,
    pub service_tags: Vec<TagView>,
    pub expect: Vec<ExpectView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ZoneView {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkView {
    pub id: String,
    pub name: Option<String>,
    pub region: Option<String>,
    pub cidr: Vec<String>,
    pub role: &'static str,
    pub hub: Option<String>,
    pub egress: Option<String>,
    pub internet_egress: bool,
    pub provider: Option<String>,
    pub subnets: Vec<SubnetView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubnetView {
    pub id: String,
    pub name: Option<String>,
    pub network: String,
    pub cidr: Vec<String>,
    pub zone: Option<String>,
    pub rules: Vec<String>,
    pub private_endpoint_policies: bool,
    pub internet_egress: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BackendView {
    pub endpoint: String,
    pub priority: u32,
    pub weight: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointView {
    pub id: String,
    pub name: Option<String>,
    pub kind: String,
    pub subnet: Option<String>,
    pub network: Option<String>,
    pub zone: Option<String>,
    pub region: Option<String>,
    pub ip: Option<String>,
    /// Listening ports; `None` means any.
    pub ports: Option<String>,
    pub rules: Vec<String>,
    pub backends: Vec<BackendView>,
    pub idle_timeout_s: Option<u64>,
    pub fqdn: Option<String>,
    pub public_access: bool,
    pub target: Option<String>,
    pub dns_zone: Option<String>,
    /// `true`, an address, or `None`.
    pub public_ip: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeeringView {
    pub a: String,
    pub b: String,
    /// From a spoke's `hub:` rather than `peerings:`.
    pub implied: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleSetView {
    pub id: String,
    pub name: Option<String>,
    pub kind: &'static str,
    /// The rules written in the file, in evaluation order (built-in defaults left out).
    pub rules: Vec<RuleView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    pub name: Option<String>,
    pub priority: Option<u32>,
    pub direction: Option<&'static str>,
    pub action: &'static str,
    pub protocol: &'static str,
    pub source: Vec<String>,
    pub destination: Vec<String>,
    pub ports: String,
    pub fqdns: Vec<String>,
    pub justification: Option<String>,
    pub classification: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DnsView {
    pub zone: String,
    pub linked: Vec<String>,
    /// Record name → address or private endpoint id, in name order.
    pub records: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub name: String,
    pub cidrs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExpectView {
    pub name: String,
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub protocol: &'static str,
    pub verdict: &'static str,
    pub rule: Option<String>,
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

impl RuleView {
    pub fn of(r: &Rule) -> Self {
        RuleView {
            id: r.id.clone(),
            name: r.name.clone(),
            priority: r.priority,
            direction: r.direction.map(crate::model::rules::Direction::as_str),
            action: r.action.as_str(),
            protocol: r.protocol.as_str(),
            source: r.source_text.clone(),
            destination: r.destination_text.clone(),
            ports: r.ports.to_string(),
            fqdns: r.fqdns.clone(),
            justification: r.justification.clone(),
            classification: r.classification.clone(),
        }
    }
}

impl RuleSetView {
    pub fn of(rs: &RuleSet) -> Self {
        RuleSetView {
            id: rs.id.clone(),
            name: rs.name.clone(),
            kind: rs.kind.as_str(),
            rules: rs
                .rules
                .iter()
                .filter(|r| !r.default_rule)
                .map(RuleView::of)
                .collect(),
        }
    }
}

impl SubnetView {
    pub fn of(t: &Topology, s: &Subnet) -> Self {
        SubnetView {
            id: s.id.clone(),
            name: s.name.clone(),
            network: t.network(s.network).id.clone(),
            cidr: strings(&s.cidrs),
            zone: s.zone.map(|z| t.zone(z).id.clone()),
            rules: s
                .rule_sets
                .iter()
                .map(|r| t.rule_set(*r).id.clone())
                .collect(),
            private_endpoint_policies: s.private_endpoint_policies,
            internet_egress: s.internet_egress,
        }
    }
}

impl NetworkView {
    pub fn of(t: &Topology, n: &Network) -> Self {
        NetworkView {
            id: n.id.clone(),
            name: n.name.clone(),
            region: n.region.clone(),
            cidr: strings(&n.cidrs),
            role: n.role.as_str(),
            hub: n.hub.map(|h| t.network(h).id.clone()),
            egress: n.egress.map(|e| t.endpoint(e).id.clone()),
            internet_egress: n.internet_egress,
            provider: n.provider.clone(),
            subnets: n
                .subnets
                .iter()
                .map(|s| SubnetView::of(t, t.subnet(*s)))
                .collect(),
        }
    }
}

impl EndpointView {
    pub fn of(t: &Topology, e: &Endpoint) -> Self {
        EndpointView {
            id: e.id.clone(),
            name: e.name.clone(),
            kind: e.kind_text.clone(),
            subnet: e.subnet.map(|s| t.subnet(s).id.clone()),
            network: e.network.map(|n| t.network(n).id.clone()),
            zone: e.zone.map(|z| t.zone(z).id.clone()),
            region: e.region.clone(),
            ip: e.ip.map(|a| a.to_string()),
            ports: e.ports.as_ref().map(ToString::to_string),
            rules: e
                .rule_sets
                .iter()
                .map(|r| t.rule_set(*r).id.clone())
                .collect(),
            backends: e
                .backends
                .iter()
                .map(|b| BackendView {
                    endpoint: t.endpoint(b.endpoint).id.clone(),
                    priority: b.priority,
                    weight: b.weight,
                })
                .collect(),
            idle_timeout_s: e.idle_timeout_s,
            fqdn: e.fqdn.clone(),
            public_access: e.public_access,
            target: e.target.map(|x| t.endpoint(x).id.clone()),
            dns_zone: e.dns_zone.clone(),
            public_ip: e.public_ip.map(|p| match p {
                PublicIp::Yes => "true".to_string(),
                PublicIp::Address(a) => a.to_string(),
            }),
        }
    }
}

impl ModelView {
    pub fn of(t: &Topology) -> Self {
        ModelView {
            version: 1,
            name: t.name.clone(),
            description: t.description.clone(),
            file: t.file.clone(),
            zones: t
                .zones()
                .iter()
                .map(|z| ZoneView {
                    id: z.id.clone(),
                    name: z.name.clone(),
                    description: z.description.clone(),
                })
                .collect(),
            networks: t.networks().iter().map(|n| NetworkView::of(t, n)).collect(),
            endpoints: t
                .endpoints()
                .iter()
                .map(|e| EndpointView::of(t, e))
                .collect(),
            peerings: t
                .peerings()
                .iter()
                .map(|p| PeeringView {
                    a: t.network(p.a).id.clone(),
                    b: t.network(p.b).id.clone(),
                    implied: p.implied,
                })
                .collect(),
            rule_sets: t.rule_sets().iter().map(RuleSetView::of).collect(),
            policies: t
                .zone_policy()
                .map(|p| RuleSetView::of(p).rules)
                .unwrap_or_default(),
            dns: t
                .dns_zones()
                .iter()
                .map(|z| DnsView {
                    zone: z.zone.clone(),
                    linked: z.linked.iter().map(|n| t.network(*n).id.clone()).collect(),
                    records: z
                        .records
                        .iter()
                        .map(|(name, target)| {
                            let v = match target {
                                DnsTarget::Address(a) => a.to_string(),
                                DnsTarget::Endpoint(e) => t.endpoint(*e).id.clone(),
                            };
                            (name.clone(), v)
                        })
                        .collect(),
                })
                .collect(),
            service_tags: t
                .service_tags()
                .iter()
                .map(|s| TagView {
                    name: s.name.clone(),
                    cidrs: strings(&s.cidrs),
                })
                .collect(),
            expect: t
                .expectations()
                .iter()
                .map(|x| ExpectView {
                    name: x.name.clone(),
                    from: x.from.clone(),
                    to: x.to.clone(),
                    port: x.port,
                    protocol: x.protocol.as_str(),
                    verdict: x.verdict.as_str(),
                    rule: x.rule.clone(),
                })
                .collect(),
        }
    }
}
