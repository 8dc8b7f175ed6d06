//! The generated design as data: the zones, networks, endpoints, rule sets, zone policy, DNS
//! zones and expectations of one synthetic topology, before it is written as text.
//!
//! Owns: the plain data types the builder fills and the emitter writes. Must never: choose
//! anything (that is `build`, from the tables of `spec`) or format text (that is `emit`).

use std::borrow::Cow;
use std::net::Ipv4Addr;

use super::addr::Block;

/// A text that is usually a literal of the tables and sometimes built from ids.
pub(super) type Text = Cow<'static, str>;

/// One synthetic topology.
pub(super) struct Design {
    /// The parameters it was generated from (they are written into the description).
    pub(super) params: super::GenParams,
    pub(super) zones: &'static [ZoneSpec],
    pub(super) networks: Vec<Network>,
    /// Hub pairs `[a, b]`.
    pub(super) peerings: Vec<(String, String)>,
    pub(super) endpoints: Vec<Endpoint>,
    pub(super) rule_sets: Vec<RuleSet>,
    pub(super) policies: &'static [Policy],
    pub(super) dns: Vec<DnsZone>,
    pub(super) expect: Vec<Expect>,
}

/// A zone: its id, its role (SPEC §11.8) and what it holds.
pub(super) struct ZoneSpec {
    pub(super) id: &'static str,
    pub(super) role: &'static str,
    pub(super) description: &'static str,
}

/// A hub or a spoke network.
pub(super) struct Network {
    pub(super) id: String,
    pub(super) region: Text,
    pub(super) cidr: Block,
    /// `hub` or `spoke`.
    pub(super) role: &'static str,
    pub(super) egress: Option<String>,
    pub(super) hub: Option<String>,
    pub(super) subnets: Vec<Subnet>,
}

pub(super) struct Subnet {
    pub(super) id: String,
    pub(super) cidr: Block,
    pub(super) zone: &'static str,
    /// The subnet's rule set (NSG), if any.
    pub(super) rules: Option<String>,
    pub(super) internet_egress: bool,
}

/// An endpoint; the fields it does not have are `None` (they are written in this order).
#[derive(Default)]
pub(super) struct Endpoint {
    pub(super) id: String,
    pub(super) kind: &'static str,
    pub(super) zone: Option<&'static str>,
    pub(super) region: Option<Text>,
    pub(super) fqdn: Option<String>,
    /// `enabled` or `disabled`.
    pub(super) public_access: Option<&'static str>,
    pub(super) subnet: Option<String>,
    pub(super) ip: Option<Ipv4Addr>,
    pub(super) public_ip: bool,
    pub(super) rules: Option<String>,
    pub(super) ports: Option<&'static [u16]>,
    pub(super) idle_timeout_s: Option<u32>,
    /// Backend endpoint ids, in priority order (1, 2, …).
    pub(super) backends: Vec<String>,
    pub(super) target: Option<String>,
    pub(super) dns_zone: Option<&'static str>,
}

pub(super) struct RuleSet {
    pub(super) id: String,
    /// `nsg` or `firewall`.
    pub(super) kind: &'static str,
    pub(super) rules: Vec<Rule>,
}

/// Direction of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dir {
    In,
    Out,
    /// Firewall rules have no direction.
    None,
}

/// The ports of a rule.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ports {
    One(u16),
    Range(u16, u16),
    List(&'static [u16]),
    Any,
}

impl Ports {
    /// A port set covered by `self` (for a deliberately shadowed copy).
    pub(super) fn narrowed(self) -> Ports {
        match self {
            Ports::One(p) | Ports::Range(p, _) => Ports::One(p),
            Ports::List(l) => Ports::One(l.first().copied().unwrap_or(443)),
            Ports::Any => Ports::One(443),
        }
    }
}

/// A rule of a rule set, numbered.
#[derive(Clone)]
pub(super) struct Rule {
    pub(super) id: Text,
    /// Fixed priority, or 0 until numbered.
    pub(super) priority: u32,
    pub(super) dir: Dir,
    pub(super) allow: bool,
    pub(super) protocol: &'static str,
    /// Selector items (zone, network, subnet or endpoint ids, service tags, `*`): one is written
    /// bare, several as a list.
    pub(super) source: Vec<Text>,
    pub(super) destination: Vec<Text>,
    pub(super) ports: Ports,
    pub(super) fqdns: &'static [&'static str],
    pub(super) justification: &'static str,
}

/// One entry of the zone policy.
pub(super) struct Policy {
    pub(super) id: &'static str,
    pub(super) name: &'static str,
    pub(super) from: &'static str,
    pub(super) to: &'static str,
    pub(super) protocol: &'static str,
    pub(super) ports: &'static str,
    pub(super) action: &'static str,
    pub(super) justification: &'static str,
    pub(super) classification: &'static str,
}

/// A private DNS zone and the networks linked to it.
pub(super) struct DnsZone {
    pub(super) zone: &'static str,
    pub(super) linked: Vec<String>,
}

/// An `expect:` entry.
pub(super) struct Expect {
    pub(super) name: &'static str,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) port: u16,
    pub(super) verdict: &'static str,
}
