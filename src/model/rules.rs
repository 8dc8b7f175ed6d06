//! Rules and their semantics: what a rule is, which flows it matches, and how each kind of rule
//! set (Azure NSG, AWS security group, AWS NACL, firewall, zone policy) decides.
//!
//! Owns: [`Rule`], [`Selector`], [`Protocol`], the NSG default rules, and [`eval`]. Must never:
//! find routes, resolve DNS, print anything, or import a UI crate.

use std::fmt;

use ipnet::IpNet;
use serde::Serialize;

pub use super::ports::PortSet;

use std::collections::BTreeMap;

use crate::model::entities::RuleSetIx;
use crate::model::{EpIx, NetIx, Pos, SubnetIx, ZoneIx};

/// allow | deny
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Allow,
    Deny,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// inbound | outbound
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A protocol as written in a rule or asked for in a trace. `https`/`http` are TCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Any,
    Tcp,
    Udp,
    Icmp,
    Https,
    Http,
}

impl Protocol {
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "any" | "*" | "all" => Protocol::Any,
            "tcp" | "6" => Protocol::Tcp,
            "udp" | "17" => Protocol::Udp,
            "icmp" | "1" | "icmpv6" | "58" => Protocol::Icmp,
            "https" => Protocol::Https,
            "http" => Protocol::Http,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Any => "any",
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Https => "https",
            Protocol::Http => "http",
        }
    }

    /// The transport a flow of this protocol uses (`https` and `http` are TCP).
    #[must_use]
    pub fn transport(self) -> Protocol {
        match self {
            Protocol::Https | Protocol::Http => Protocol::Tcp,
            p => p,
        }
    }

    /// Whether a rule of protocol `self` matches a flow of protocol `flow`.
    pub fn matches(self, flow: Protocol) -> bool {
        match self.transport() {
            Protocol::Any => true,
            p => p == flow.transport(),
        }
    }

    /// Whether flows of this protocol carry ports (TCP/UDP).
    pub fn has_ports(self) -> bool {
        matches!(
            self.transport(),
            Protocol::Tcp | Protocol::Udp | Protocol::Any
        )
    }

    /// The IANA protocol number of the transport, when there is one.
    pub fn number(self) -> Option<u8> {
        match self.transport() {
            Protocol::Tcp => Some(6),
            Protocol::Udp => Some(17),
            Protocol::Icmp => Some(1),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five kinds of rule set (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSetKind {
    Nsg,
    SecurityGroup,
    Nacl,
    Firewall,
    Policy,
}

impl RuleSetKind {
    pub fn parse(s: &str) -> Option<RuleSetKind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "nsg" => RuleSetKind::Nsg,
            "security_group" | "sg" => RuleSetKind::SecurityGroup,
            "nacl" => RuleSetKind::Nacl,
            "firewall" => RuleSetKind::Firewall,
            "policy" => RuleSetKind::Policy,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleSetKind::Nsg => "nsg",
            RuleSetKind::SecurityGroup => "security_group",
            RuleSetKind::Nacl => "nacl",
            RuleSetKind::Firewall => "firewall",
            RuleSetKind::Policy => "policy",
        }
    }

    /// A short human label: "NSG", "security group", ...
    pub fn label(self) -> &'static str {
        match self {
            RuleSetKind::Nsg => "NSG",
            RuleSetKind::SecurityGroup => "security group",
            RuleSetKind::Nacl => "network ACL",
            RuleSetKind::Firewall => "firewall",
            RuleSetKind::Policy => "zone policy",
        }
    }

    /// Whether rules of this kind have a direction.
    pub fn directional(self) -> bool {
        matches!(
            self,
            RuleSetKind::Nsg | RuleSetKind::SecurityGroup | RuleSetKind::Nacl
        )
    }

    /// The name of the verdict when no rule matches.
    pub fn no_match_name(self, dir: Option<Direction>) -> &'static str {
        match (self, dir) {
            (RuleSetKind::Nsg, Some(Direction::Outbound)) => "DenyAllOutBound",
            (RuleSetKind::Nsg, _) => "DenyAllInBound",
            (RuleSetKind::SecurityGroup, _) => "implicit-deny",
            (RuleSetKind::Nacl, _) => "*",
            (RuleSetKind::Firewall | RuleSetKind::Policy, _) => "default-deny",
        }
    }
}

/// What a `source`/`destination`/`from`/`to` names.
#[derive(Debug, Clone, PartialEq)]
pub enum Selector {
    /// `*` or `any`.
    Any,
    Zone(ZoneIx),
    Network(NetIx),
    Subnet(SubnetIx),
    Endpoint(EpIx),
    /// An address or a CIDR.
    Cidr(IpNet),
    /// An FQDN (destination only); may start with `*.`.
    Fqdn(String),
    /// `Internet`, or the `internet` node: every address outside the declared networks.
    Internet,
    /// `VirtualNetwork`: the checked network's address space plus its peers.
    VirtualNetwork,
    /// `unzoned` (SPEC §11.8): an end inside a network that is in no zone.
    Unzoned,
    /// A service tag the file declares (index into the topology's tags).
    Tag(usize),
    /// A service tag the file does not declare: matches nothing (a `check` warning).
    UnknownTag(String),
    /// A security group named in a rule of a security group (SPEC §11.5): the endpoints that
    /// carry it in their `rules:` (AWS referenced-group rules).
    SecurityGroup(RuleSetIx),
    /// An application security group (SPEC §11.5, Azure): the endpoints whose
    /// `application_security_groups:` list it (index into the topology's ASGs).
    Asg(u32),
}

/// The type of a firewall rule (SPEC §11.6): Azure Firewall processes DNAT rules, then network
/// rules, then application rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FirewallRuleType {
    Dnat,
    Network,
    Application,
}

impl FirewallRuleType {
    pub fn parse(s: &str) -> Option<FirewallRuleType> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "dnat" | "nat" => FirewallRuleType::Dnat,
            "network" => FirewallRuleType::Network,
            "application" | "app" => FirewallRuleType::Application,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FirewallRuleType::Dnat => "dnat",
            FirewallRuleType::Network => "network",
            FirewallRuleType::Application => "application",
        }
    }
}

/// Where a DNAT rule sends what it matches (SPEC §11.6): an endpoint of the design, or an
/// address (inside a network, or on the internet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnatTarget {
    Endpoint(crate::model::EpIx),
    Addr(std::net::IpAddr),
}

/// A DNAT rule's translation (Azure Firewall NAT rules' `translatedAddress` /
/// `translatedPort`): the flow it matches is sent on from the firewall to `to`, on `port` (the
/// flow's own port when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dnat {
    pub to: DnatTarget,
    pub port: Option<u16>,
}

/// One rule of a rule set (or one entry of the zone policy), validated.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: Option<String>,
    pub priority: Option<u32>,
    pub direction: Option<Direction>,
    pub action: Action,
    pub protocol: Protocol,
    pub sources: Vec<Selector>,
    pub destinations: Vec<Selector>,
    /// The source text of the selectors, for display.
    pub source_text: Vec<String>,
    pub destination_text: Vec<String>,
    pub ports: PortSet,
    pub fqdns: Vec<String>,
    pub justification: Option<String>,
    pub classification: Option<String>,
    /// One of the built-in default rules (NSG 65000+).
    pub default_rule: bool,
    pub at: Pos,
}

/// A validated rule set, its rules in evaluation order.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub id: String,
    pub name: Option<String>,
    pub kind: RuleSetKind,
    /// Evaluation order: by priority for first-match kinds, file order otherwise (a firewall:
    /// by type — DNAT, network, application — then priority, SPEC §11.6). NSG defaults are
    /// appended.
    pub rules: Vec<Rule>,
    pub at: Pos,
    /// What no rule matching decides: deny, except a firewall with `default: allow` (AWS
    /// Network Firewall's stateful pass-by-default, SPEC §11.6).
    pub default_action: Action,
    /// A network ACL's `ephemeral:` client ports (SPEC §11.4); `None` = the default.
    pub ephemeral: Option<PortSet>,
    /// The cloud's id of the resource (SPEC §11.5), when imported.
    pub cloud_id: Option<String>,
    /// The type of each firewall rule, by rule id (firewalls only).
    pub rule_types: BTreeMap<String, FirewallRuleType>,
    /// The translation of each DNAT rule that says one, by rule id (firewalls only).
    pub dnat: BTreeMap<String, Dnat>,
}

impl RuleSet {
    /// The ports a network ACL's return leg must allow: its `ephemeral:` range, else AWS's
    /// default 1024–65535 (SPEC §11.4).
    pub fn return_ports(&self) -> PortSet {
        self.ephemeral
            .clone()
            .unwrap_or_else(|| PortSet::range(1024, u16::MAX))
    }

    /// The name of the verdict when no rule matches, in direction `dir`.
    pub fn default_name(&self, dir: Option<Direction>) -> &'static str {
        if self.default_action == Action::Allow {
            "default-allow"
        } else {
            self.kind.no_match_name(dir)
        }
    }

    /// The type of a firewall rule (`None` for other kinds, and for rules added after load).
    pub fn rule_type(&self, rule: &Rule) -> Option<FirewallRuleType> {
        self.rule_types.get(&rule.id).copied()
    }

    /// The translation of a DNAT rule (`None` for every other rule).
    pub fn dnat_of(&self, rule: &Rule) -> Option<Dnat> {
        if self.dnat.is_empty() {
            return None;
        }
        self.dnat.get(&rule.id).copied()
    }
}

/// The six default rules of every Azure NSG, by their Azure names.
#[allow(clippy::items_after_statements)] // the helper sits next to its use
pub fn nsg_default_rules() -> Vec<Rule> {
    use Direction::{Inbound, Outbound};
    let mk = |id: &str, prio: u32, dir: Direction, action: Action, src: Selector, dst: Selector| {
        let text = |s: &Selector| match s {
            Selector::Any => "*".to_string(),
            Selector::Internet => "Internet".to_string(),
            Selector::VirtualNetwork => "VirtualNetwork".to_string(),
            Selector::Cidr(c) => c.to_string(),
            _ => String::new(),
        };
        Rule {
            id: id.to_string(),
            name: None,
            priority: Some(prio),
            direction: Some(dir),
            action,
            protocol: Protocol::Any,
            source_text: vec![text(&src)],
            destination_text: vec![text(&dst)],
            sources: vec![src],
            destinations: vec![dst],
            ports: PortSet::all(),
            fqdns: Vec::new(),
            justification: Some("Azure NSG default rule".to_string()),
            classification: None,
            default_rule: true,
            at: Pos::default(),
        }
    };
    vec![
        mk(
            "AllowVnetInBound",
            65000,
            Inbound,
            Action::Allow,
            Selector::VirtualNetwork,
            Selector::VirtualNetwork,
        ),
        mk(
            "AllowAzureLoadBalancerInBound",
            65001,
            Inbound,
            Action::Allow,
            Selector::UnknownTag("AzureLoadBalancer".into()),
            Selector::Any,
        ),
        mk(
            "DenyAllInBound",
            65500,
            Inbound,
            Action::Deny,
            Selector::Any,
            Selector::Any,
        ),
        mk(
            "AllowVnetOutBound",
            65000,
            Outbound,
            Action::Allow,
            Selector::VirtualNetwork,
            Selector::VirtualNetwork,
        ),
        mk(
            "AllowInternetOutBound",
            65001,
            Outbound,
            Action::Allow,
            Selector::Any,
            Selector::Internet,
        ),
        mk(
            "DenyAllOutBound",
            65500,
            Outbound,
            Action::Deny,
            Selector::Any,
            Selector::Any,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default rules are the ones `../shared/reference/README.md` lists, by name, priority
    /// and direction (the sentence "Default rules, named as the Azure API returns them: …").
    #[test]
    fn nsg_defaults_match_the_reference_facts() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/README.md");
        let raw =
            std::fs::read_to_string(path).expect("../shared/reference/README.md beside the repo");
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let start = text
            .find("Default rules, named as the Azure API returns them")
            .expect("the NSG facts");
        let facts = &text[start..start + 400];
        let defaults = nsg_default_rules();
        assert_eq!(defaults.len(), 6);
        for r in &defaults {
            let needle = format!("`{}` {}", r.id, r.priority.unwrap());
            assert!(
                facts.contains(&needle),
                "{needle} not in the reference facts"
            );
            let side = match r.direction.unwrap() {
                Direction::Inbound => facts.find("inbound").unwrap(),
                Direction::Outbound => facts.find("outbound").unwrap(),
            };
            let at = facts.find(&needle).unwrap();
            let other = match r.direction.unwrap() {
                Direction::Inbound => facts.find("outbound").unwrap(),
                Direction::Outbound => facts.len(),
            };
            assert!(
                at > side && at < other.max(side + 1),
                "{} listed under its direction",
                r.id
            );
        }
        let deny: Vec<&str> = defaults
            .iter()
            .filter(|r| r.action == Action::Deny)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(deny, ["DenyAllInBound", "DenyAllOutBound"]);
    }

    #[test]
    fn https_and_http_rules_match_tcp_flows_and_any_matches_all() {
        assert!(Protocol::Https.matches(Protocol::Tcp));
        assert!(Protocol::Tcp.matches(Protocol::Https));
        assert!(Protocol::Any.matches(Protocol::Udp));
        assert!(!Protocol::Udp.matches(Protocol::Tcp));
        assert!(!Protocol::Icmp.matches(Protocol::Https));
    }
}

/// The rule that decided a flow or allowed it, wherever it is reported: a trace's
/// `decided_by`, a flow-log record's deciding and allowing rules, a diff's changed verdict. One
/// type, so every writer names a rule the same way.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleRef {
    /// The rule set's id (`policies` for the zone policy; the place for a built-in check).
    pub rule_set: String,
    /// The rule's id, or the kind's default (`DenyAllInBound`, `implicit-deny`, `*` …).
    pub rule: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// Where it was checked: a subnet, an endpoint, a firewall, or `zone -> zone`.
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

impl std::fmt::Display for RuleRef {
    /// `rule_set/rule`, as what-ifs and expectations name a rule.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.rule_set, self.rule)
    }
}
