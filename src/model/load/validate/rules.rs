//! Validating selectors, rules, rule sets, the zone policy and rule-set attachments.
//!
//! Must never: evaluate a rule (that is the engine's `policy`).

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::entities::{EntityRef, RuleSetIx};
use crate::model::error::ErrorCode as C;
use crate::model::raw::{OneOrMany, Pos, RawFile, RawRule, RawRuleSet, Scalar, Sp};
use crate::model::rules::{
    Action, Direction, Dnat, DnatTarget, FirewallRuleType, PortSet, Protocol, Rule, RuleSet,
    RuleSetKind, Selector, nsg_default_rules,
};

use super::Validator;
use super::groups::Lookup;
use crate::model::load::with_article;

impl Validator {
    pub(super) fn selector(&mut self, text: &str, at: Pos, allow_fqdn: bool) -> Option<Selector> {
        let t = text.trim();
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Some(Selector::Any);
        }
        if let Some(&e) = self.ids.get(t) {
            return self.entity_selector(t, e, at);
        }
        if let Some(&i) = self.asg_ix.get(t) {
            if self.cur_kind == Some(RuleSetKind::Nsg) {
                return Some(Selector::Asg(i));
            }
            self.err(
                C::WrongKind,
                at,
                format!("`{t}` is an application security group, which only NSG rules may name"),
                "name the ASG in a rule of a `kind: nsg` rule set, or name its members here",
            );
            return None;
        }
        if t.eq_ignore_ascii_case("internet") {
            return Some(Selector::Internet);
        }
        if t.eq_ignore_ascii_case("virtualnetwork") {
            return Some(Selector::VirtualNetwork);
        }
        if t.eq_ignore_ascii_case("unzoned") {
            return Some(Selector::Unzoned);
        }
        if let Ok(n) = t.parse::<IpNet>() {
            return Some(Selector::Cidr(n.trunc()));
        }
        if let Ok(a) = t.parse::<IpAddr>() {
            return Some(Selector::Cidr(IpNet::from(a)));
        }
        if let Some(i) = self
            .tags
            .iter()
            .position(|g| g.name.eq_ignore_ascii_case(t))
        {
            return Some(Selector::Tag(i));
        }
        // A `name:` or `cloud_id:` (SPEC §11.5), after ids, keywords, addresses and declared
        // tags; a destination shaped as an FQDN keeps meaning the name it always meant.
        let fqdn_shaped = allow_fqdn && t.contains('.') && !t.contains(['/', ' ']);
        if !fqdn_shaped {
            match self.lookup_ref(t, at) {
                Lookup::Found(e) => return self.entity_selector(t, e, at),
                Lookup::Ambiguous => return None,
                Lookup::Unknown => {}
            }
        }
        if t.starts_with(|c: char| c.is_ascii_uppercase()) && !t.contains(' ') {
            return Some(Selector::UnknownTag(t.to_string()));
        }
        if allow_fqdn && t.contains('.') && !t.contains(' ') {
            return Some(Selector::Fqdn(t.trim_end_matches('.').to_ascii_lowercase()));
        }
        let hint = self.suggest(t);
        let what = if allow_fqdn {
            "an id, address, CIDR, FQDN or service tag"
        } else {
            "an id, address, CIDR or service tag"
        };
        self.err(
            C::UnknownId,
            at,
            format!("unknown id `{t}`"),
            format!("{hint} (a selector is {what}; service tags start with a capital letter)"),
        );
        None
    }

    fn entity_selector(&mut self, t: &str, e: EntityRef, at: Pos) -> Option<Selector> {
        match e {
            EntityRef::Zone(z) => Some(Selector::Zone(z)),
            EntityRef::Network(n) => Some(Selector::Network(n)),
            EntityRef::Subnet(s) => Some(Selector::Subnet(s)),
            EntityRef::Endpoint(p) => Some(Selector::Endpoint(p)),
            EntityRef::RuleSet(x) => self.group_reference(t, x, at),
        }
    }

    /// A rule set named as a source or destination: a security group referenced by a rule of a
    /// security group (SPEC §11.5); anything else is the wrong kind.
    fn group_reference(&mut self, t: &str, x: RuleSetIx, at: Pos) -> Option<Selector> {
        let named = self.rs_kinds.get(x.index()).copied().flatten();
        if named == Some(RuleSetKind::SecurityGroup)
            && self.cur_kind == Some(RuleSetKind::SecurityGroup)
        {
            return Some(Selector::SecurityGroup(x));
        }
        let help = if named == Some(RuleSetKind::SecurityGroup) {
            "only rules of a security group (kind: security_group) may name a security group; name its endpoints, subnet or CIDR here"
        } else {
            "name a zone, network, subnet, endpoint, address, CIDR or service tag (a rule of a security group may also name a security group)"
        };
        self.err(
            C::WrongKind,
            at,
            format!("`{t}` is a rule set, and cannot be a source or destination here"),
            help,
        );
        None
    }

    pub(super) fn selectors(
        &mut self,
        v: Option<&Sp<OneOrMany<String>>>,
        allow_fqdn: bool,
    ) -> (Vec<Selector>, Vec<String>) {
        let Some(v) = v else {
            return (vec![Selector::Any], vec!["*".to_string()]);
        };
        let texts: Vec<String> = v
            .value
            .to_vec()
            .iter()
            .map(|s| s.trim().to_string())
            .collect();
        let mut out = Vec::new();
        for t in &texts {
            if let Some(cidrs) = self.address_groups.get(t.as_str()) {
                // an address group stands for its CIDRs (SPEC §11.5)
                out.extend(cidrs.iter().map(|c| Selector::Cidr(c.trunc())));
                continue;
            }
            if let Some(s) = self.selector(t, v.at, allow_fqdn) {
                out.push(s);
            }
        }
        (out, texts)
    }

    pub(super) fn rule(&mut self, kind: RuleSetKind, r: &RawRule) -> Rule {
        let action = self.action(&r.action);
        let mut protocol = self.protocol(r.protocol.as_ref(), Protocol::Any);
        let direction = match r.direction.as_ref() {
            Some(d) => match d.value.trim().to_ascii_lowercase().as_str() {
                "inbound" | "in" | "ingress" => Some(Direction::Inbound),
                "outbound" | "out" | "egress" => Some(Direction::Outbound),
                other => {
                    self.err(
                        C::BadValue,
                        d.at,
                        format!("`{other}` is not a direction"),
                        "use inbound or outbound",
                    );
                    None
                }
            },
            None => None,
        };
        if kind.directional() && direction.is_none() && r.direction.is_none() {
            self.err(
                C::MissingKey,
                r.id.at,
                format!(
                    "rule `{}` of {} has no direction",
                    r.id.value,
                    with_article(kind.label())
                ),
                "add `direction: inbound` or `direction: outbound`",
            );
        }
        let priority = match r.priority.as_ref() {
            Some(p) => {
                let (lo, hi, what) = match kind {
                    RuleSetKind::Nsg => (100, 4096, "NSG priorities run from 100 to 4096"),
                    RuleSetKind::Nacl => (1, 32766, "NACL rule numbers run from 1 to 32766"),
                    _ => (0, 65535, "priorities run from 0 to 65535"),
                };
                if p.value < lo || p.value > hi {
                    self.err(
                        C::BadPriority,
                        p.at,
                        format!("priority {} is out of range", p.value),
                        what.to_string(),
                    );
                    None
                } else {
                    u32::try_from(p.value).ok()
                }
            }
            None => {
                if matches!(kind, RuleSetKind::Nsg | RuleSetKind::Nacl) {
                    self.err(
                        C::MissingKey,
                        r.id.at,
                        format!(
                            "rule `{}` of {} has no priority",
                            r.id.value,
                            with_article(kind.label())
                        ),
                        if kind == RuleSetKind::Nsg {
                            "add `priority:` from 100 to 4096 (lower numbers are evaluated first)"
                        } else {
                            "add `priority:` (the NACL rule number, evaluated from the lowest)"
                        },
                    );
                }
                None
            }
        };
        let mut ports = self.rule_ports(r.ports.as_ref(), protocol);
        if protocol == Protocol::Icmp {
            ports = PortSet::all();
        }
        if kind == RuleSetKind::SecurityGroup && action == Action::Deny {
            self.err(
                C::SecurityGroupDeny,
                r.action.at,
                format!("rule `{}` denies, but AWS security groups have allow rules only", r.id.value),
                "remove the rule (anything not allowed is denied), or move the deny to a network ACL (kind: nacl)",
            );
        }
        let (sources, source_text) = self.selectors(r.source.as_ref(), false);
        let (destinations, destination_text) = self.selectors(r.destination.as_ref(), true);
        if protocol == Protocol::Any && r.protocol.is_none() && !r.fqdns.is_empty() {
            protocol = Protocol::Tcp;
        }
        if let Some(t) = &r.rule_type
            && kind != RuleSetKind::Firewall
        {
            self.err(
                C::BadRuleType,
                t.at,
                format!("rule `{}` has a `type:`, but only firewall rules have one", r.id.value.trim()),
                "remove `type:` (it says whether a firewall rule is a dnat, network or application rule)",
            );
        }
        Rule {
            id: r.id.value.trim().to_string(),
            name: r.name.clone(),
            priority,
            direction,
            action,
            protocol,
            sources,
            destinations,
            source_text,
            destination_text,
            ports,
            fqdns: r
                .fqdns
                .iter()
                .map(|f| f.value.trim().trim_end_matches('.').to_ascii_lowercase())
                .collect(),
            justification: r.justification.clone().or_else(|| r.description.clone()),
            classification: r.classification.clone(),
            default_rule: false,
            at: r.id.at,
        }
    }

    pub(super) fn rule_sets_(&mut self, raw: &RawFile) {
        for rs in &raw.rule_sets {
            let kind = if let Some(k) = RuleSetKind::parse(&rs.kind.value) {
                k
            } else {
                self.err(
                    C::BadValue,
                    rs.kind.at,
                    format!("`{}` is not a kind of rule set", rs.kind.value.trim()),
                    "use nsg, security_group, nacl, firewall or policy",
                );
                RuleSetKind::Firewall
            };
            let mut seen: HashMap<String, Pos> = HashMap::new();
            let mut prio_seen: HashMap<(Option<Direction>, u32), String> = HashMap::new();
            // Room for the built-in NSG rules appended after the file's own.
            let mut rules = Vec::with_capacity(rs.rules.len() + 6);
            let mut rule_types = BTreeMap::new();
            let mut dnat = BTreeMap::new();
            self.cur_kind = Some(kind);
            for r in &rs.rules {
                let rid = r.id.value.trim().to_string();
                if let Some(prev) = seen.get(&rid) {
                    let line = prev.line;
                    self.err(
                        C::DuplicateId,
                        r.id.at,
                        format!(
                            "rule id `{rid}` is used twice in rule set `{}` (first on line {line})",
                            rs.id.value
                        ),
                        "rule ids are unique within their rule set: rename one",
                    );
                } else {
                    seen.insert(rid.clone(), r.id.at);
                }
                let mut rule = self.rule(kind, r);
                if matches!(kind, RuleSetKind::Nsg | RuleSetKind::Nacl)
                    && let Some(p) = rule.priority
                {
                    if let Some(other) = prio_seen.get(&(rule.direction, p)) {
                        let dir = rule.direction.map_or("", Direction::as_str);
                        let at = r.priority.as_ref().map_or(r.id.at, |x| x.at);
                        self.err(
                            C::DuplicatePriority,
                            at,
                            format!("rules `{other}` and `{rid}` of `{}` share {dir} priority {p}", rs.id.value),
                            format!("two {dir} rules of one {} may not share a priority: give `{rid}` a free one", kind.label()),
                        );
                    } else {
                        prio_seen.insert((rule.direction, p), rid.clone());
                    }
                }
                if kind == RuleSetKind::Firewall {
                    let ty = self.firewall_rule_type(r);
                    rule_types.insert(rule.id.clone(), ty);
                    if ty == FirewallRuleType::Dnat {
                        self.public_destinations(&mut rule);
                    }
                    if let Some(x) = self.translation(r, ty) {
                        dnat.insert(rule.id.clone(), x);
                    }
                } else {
                    self.translation_elsewhere(r, kind);
                }
                if kind == RuleSetKind::Nsg {
                    self.asg_pair(&rule);
                }
                rules.push(rule);
            }
            self.cur_kind = None;
            if matches!(
                kind,
                RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall
            ) {
                // First match by priority: file order must not matter (ties keep file order).
                // A firewall's rules go DNAT, then network, then application (SPEC §11.6).
                rules.sort_by_key(|r| {
                    (
                        rule_types.get(&r.id).copied(),
                        r.priority.unwrap_or(u32::MAX),
                    )
                });
            }
            let default_action = self.rule_set_default(rs, kind);
            let ephemeral = self.ephemeral(rs, kind);
            if kind == RuleSetKind::Nsg {
                let alb = self
                    .tags
                    .iter()
                    .position(|g| g.name.eq_ignore_ascii_case("AzureLoadBalancer"));
                for mut d in nsg_default_rules() {
                    if let (Some(i), Some(Selector::UnknownTag(_))) = (alb, d.sources.first()) {
                        d.sources = vec![Selector::Tag(i)];
                    }
                    rules.push(d);
                }
            }
            self.rule_sets.push(RuleSet {
                id: rs.id.value.trim().to_string(),
                name: rs.name.clone(),
                kind,
                rules,
                at: rs.id.at,
                default_action,
                ephemeral,
                cloud_id: rs.cloud_id.as_ref().map(|c| c.value.trim().to_string()),
                rule_types,
                dnat,
            });
        }
    }

    pub(super) fn policies_(&mut self, raw: &RawFile) {
        if raw.policies.is_empty() {
            return;
        }
        let mut rules = Vec::new();
        let mut seen: HashMap<String, u32> = HashMap::new();
        for p in &raw.policies {
            let pid = p.id.value.trim().to_string();
            if let Some(line) = seen.get(&pid) {
                self.err(
                    C::DuplicateId,
                    p.id.at,
                    format!("policy id `{pid}` is used twice (first on line {line})"),
                    "policy ids are unique: rename one",
                );
            } else {
                seen.insert(pid.clone(), p.id.at.line);
            }
            let action = self.action(&p.action);
            let protocol = self.protocol(p.protocol.as_ref(), Protocol::Any);
            let ports = self.rule_ports(p.ports.as_ref(), protocol);
            let (sources, source_text) = self.selectors(Some(&p.from), false);
            let (destinations, destination_text) = self.selectors(Some(&p.to), true);
            rules.push(Rule {
                id: pid,
                name: p.name.clone(),
                priority: p
                    .priority
                    .as_ref()
                    .and_then(|x| u32::try_from(x.value).ok()),
                direction: None,
                action,
                protocol,
                sources,
                destinations,
                source_text,
                destination_text,
                ports,
                fqdns: Vec::new(),
                justification: p.justification.clone().or_else(|| p.description.clone()),
                classification: p.classification.clone(),
                default_rule: false,
                at: p.id.at,
            });
        }
        let at = raw.policies[0].id.at;
        self.zone_policy = Some(RuleSet {
            id: "policies".to_string(),
            name: Some("zone policy".to_string()),
            kind: RuleSetKind::Policy,
            rules,
            at,
            default_action: Action::Deny,
            ephemeral: None,
            cloud_id: None,
            rule_types: BTreeMap::new(),
            dnat: BTreeMap::new(),
        });
    }

    pub(super) fn resolve_attachments(&mut self, raw: &RawFile) {
        let mut k = 0usize;
        for n in &raw.networks {
            for s in &n.subnets {
                let sets: Vec<RuleSetIx> = s
                    .rules
                    .iter()
                    .filter_map(|r| self.resolve_rule_set(r))
                    .collect();
                self.subnets[k].rule_sets = sets;
                k += 1;
            }
        }
        for (i, e) in raw.endpoints.iter().enumerate() {
            let sets: Vec<RuleSetIx> = e
                .rules
                .iter()
                .filter_map(|r| self.resolve_rule_set(r))
                .collect();
            self.endpoints[i].rule_sets = sets;
        }
    }
}

impl Validator {
    /// A DNAT rule's `translated_address:` and `translated_port:` (SPEC §11.6): an endpoint id
    /// (or its `name:`/`cloud_id:`) or an IP address, and a port 1–65535. On a firewall rule of
    /// another type they are errors; a DNAT rule without them keeps being delivered at the
    /// firewall.
    fn translation(&mut self, r: &RawRule, ty: FirewallRuleType) -> Option<Dnat> {
        let (addr, port) = (r.translated_address.as_ref(), r.translated_port.as_ref());
        if ty != FirewallRuleType::Dnat {
            if let Some(at) = addr.map(|a| a.at).or(port.map(|p| p.at)) {
                self.err(
                    C::BadTranslation,
                    at,
                    format!(
                        "rule `{}` is a {} rule: only a DNAT rule translates",
                        r.id.value.trim(),
                        ty.as_str()
                    ),
                    "add `type: dnat` to the rule, or remove `translated_address:`/`translated_port:`",
                );
            }
            return None;
        }
        let port = port.and_then(|p| self.translated_port(p));
        let Some(a) = addr else {
            if let Some(p) = r.translated_port.as_ref() {
                self.err(
                    C::BadTranslation,
                    p.at,
                    format!(
                        "DNAT rule `{}` has a `translated_port:` but no `translated_address:`",
                        r.id.value.trim()
                    ),
                    "add `translated_address:` (the endpoint id or IP address the flow is sent to)",
                );
            }
            return None;
        };
        let t = a.value.trim();
        let to = if let Some(EntityRef::Endpoint(e)) = self.ids.get(t).copied() {
            DnatTarget::Endpoint(e)
        } else if let Ok(ip) = t.parse::<IpAddr>() {
            DnatTarget::Addr(ip)
        } else if let Some(e) = self.ids.get(t).copied() {
            self.err(
                C::BadTranslation,
                a.at,
                format!("`{t}` is {}, not an endpoint or an address", with_article(e.kind_name())),
                "translate to an endpoint id or an IP address (Azure's translatedAddress is one address)",
            );
            return None;
        } else {
            match self.lookup_ref(t, a.at) {
                Lookup::Found(EntityRef::Endpoint(e)) => DnatTarget::Endpoint(e),
                Lookup::Ambiguous => return None,
                _ => {
                    let hint = self.suggest(t);
                    self.err(
                        C::BadTranslation,
                        a.at,
                        format!("`{t}` is neither an endpoint id nor an IP address"),
                        format!("{hint} (translated_address is an endpoint id or an IP address)"),
                    );
                    return None;
                }
            }
        };
        Some(Dnat { to, port })
    }

    fn translated_port(&mut self, p: &Sp<Scalar>) -> Option<u16> {
        let n = match &p.value {
            Scalar::Number(n) => Some(*n),
            Scalar::Text(t) => t.trim().parse::<i64>().ok(),
        };
        match n.and_then(|n| u16::try_from(n).ok()).filter(|n| *n > 0) {
            Some(n) => Some(n),
            None => {
                self.err(
                    C::BadTranslation,
                    p.at,
                    format!("`{}` is not a port", p.value),
                    "translated_port is one port, 1-65535 (omit it to keep the flow's port)",
                );
                None
            }
        }
    }

    /// A DNAT rule's destination written as an endpoint's public address (Azure's NAT rules
    /// name the firewall's public IP) is that endpoint: the flow addressed to it arrives there.
    fn public_destinations(&self, rule: &mut Rule) {
        for d in &mut rule.destinations {
            let Selector::Cidr(c) = *d else { continue };
            if c.prefix_len() != c.max_prefix_len() {
                continue;
            }
            let held = self.endpoints.iter().position(|e| {
                matches!(e.public_ip, Some(crate::model::PublicIp::Address(a)) if a == c.addr())
            });
            if let Some(i) = held {
                *d = Selector::Endpoint(crate::model::EpIx(super::ix32(i)));
            }
        }
    }

    /// `translated_address:`/`translated_port:` on a rule of a kind that never translates.
    fn translation_elsewhere(&mut self, r: &RawRule, kind: RuleSetKind) {
        let at = r
            .translated_address
            .as_ref()
            .map(|a| a.at)
            .or(r.translated_port.as_ref().map(|p| p.at));
        if let Some(at) = at {
            self.err(
                C::BadTranslation,
                at,
                format!(
                    "rule `{}` is in {}, which does not translate",
                    r.id.value.trim(),
                    with_article(kind.label())
                ),
                "only a firewall rule with `type: dnat` has `translated_address:`/`translated_port:`",
            );
        }
    }

    /// A firewall rule's `type:` (SPEC §11.6): as written, else `application` when it lists
    /// `fqdns:`, else `network`.
    fn firewall_rule_type(&mut self, r: &RawRule) -> FirewallRuleType {
        let implied = if r.fqdns.is_empty() {
            FirewallRuleType::Network
        } else {
            FirewallRuleType::Application
        };
        let Some(t) = &r.rule_type else {
            return implied;
        };
        if let Some(ty) = FirewallRuleType::parse(&t.value) {
            return ty;
        }
        self.err(
            C::BadRuleType,
            t.at,
            format!("`{}` is not a type of firewall rule", t.value.trim()),
            "use network, application or dnat (omitted: application when the rule lists fqdns, else network)",
        );
        implied
    }

    /// A rule set's `default:` (SPEC §11.6): firewalls only, `allow` or `deny` (the default).
    fn rule_set_default(&mut self, rs: &RawRuleSet, kind: RuleSetKind) -> Action {
        let Some(d) = &rs.default else {
            return Action::Deny;
        };
        if kind != RuleSetKind::Firewall {
            self.err(
                C::BadDefault,
                d.at,
                format!(
                    "rule set `{}` is {}, whose default is fixed; only a firewall has `default:`",
                    rs.id.value.trim(),
                    with_article(kind.label())
                ),
                "remove `default:` (NSGs end in their default rules, security groups, network ACLs and the zone policy deny what no rule allows)",
            );
            return Action::Deny;
        }
        match d.value.trim().to_ascii_lowercase().as_str() {
            "allow" | "pass" => Action::Allow,
            "deny" | "drop" => Action::Deny,
            other => {
                self.err(
                    C::BadDefault,
                    d.at,
                    format!("`{other}` is not a default"),
                    "use `default: allow` (AWS Network Firewall passes what no rule matches) or `default: deny`",
                );
                Action::Deny
            }
        }
    }

    /// A network ACL's `ephemeral:` client ports (SPEC §11.4): one non-empty range.
    fn ephemeral(&mut self, rs: &RawRuleSet, kind: RuleSetKind) -> Option<PortSet> {
        let e = rs.ephemeral.as_ref()?;
        if kind != RuleSetKind::Nacl {
            self.err(
                C::BadEphemeral,
                e.at,
                format!(
                    "rule set `{}` is {}; only a network ACL has `ephemeral:`",
                    rs.id.value.trim(),
                    with_article(kind.label())
                ),
                "remove `ephemeral:` (stateful rule sets let return traffic through by themselves)",
            );
            return None;
        }
        let parsed = match &e.value {
            Scalar::Text(t) if t.contains('-') => PortSet::parse_item(t),
            Scalar::Text(t) => Err(format!("\"{}\" is not a port range", t.trim())),
            Scalar::Number(n) => Err(format!("{n} is one port, not a range")),
        };
        match parsed {
            Ok(p) => Some(p),
            Err(msg) => {
                self.err(
                    C::BadEphemeral,
                    e.at,
                    format!("`ephemeral:` {msg}"),
                    "write the client port range as \"LOW-HIGH\", e.g. \"32768-60999\" (Linux) or \"49152-65535\" (Windows); omitted: \"1024-65535\"",
                );
                None
            }
        }
    }
}
