//! The validator: raw structs (with positions) → the model, collecting every defect.
//!
//! Owns: the id table, the shared value parsers (CIDRs, ports, protocols, actions), the order
//! of the areas (one file each) and the final build of the [`Topology`] with its indexes.
//! Must never: panic on any input, or stop at the first defect when it can go on.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use ipnet::IpNet;

use crate::model::entities::{
    Asg, DnsZone, Endpoint, EntityRef, EpIx, Expect, NetIx, Network, PublicIp, RuleSetIx,
    ServiceTag, Subnet, SubnetIx, Zone, ZoneIx, ZoneRole,
};
use crate::model::error::{ErrorCode as C, InputError};
use crate::model::index::AddrIndex;
use crate::model::raw::{OneOrMany, Pos, RawFile, Scalar, Sp};
use crate::model::rules::{Action, PortSet, Protocol, RuleSet, RuleSetKind};
use crate::model::{Peering, Topology};

use crate::model::load::{levenshtein, with_article};

mod dns;
mod endpoints;
mod expects;
mod groups;
mod networks;
mod routes;
mod rules;

pub(super) fn ix32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

pub(super) struct Validator {
    file: String,
    text: Arc<str>,
    pub(super) errors: Vec<InputError>,
    ids: HashMap<String, EntityRef>,
    id_pos: HashMap<String, Pos>,
    zones: Vec<Zone>,
    networks: Vec<Network>,
    subnets: Vec<Subnet>,
    endpoints: Vec<Endpoint>,
    rule_sets: Vec<RuleSet>,
    zone_policy: Option<RuleSet>,
    dns: Vec<DnsZone>,
    tags: Vec<ServiceTag>,
    expects: Vec<Expect>,
    peerings: Vec<Peering>,
    routing: crate::model::routing::Routing,
    name: String,
    description: Option<String>,
    /// Application security groups (SPEC §11.5) and their ids.
    asgs: Vec<Asg>,
    asg_ix: HashMap<String, u32>,
    /// The network of each ASG's members (Azure keeps them in one).
    asg_net: HashMap<u32, NetIx>,
    /// `address_groups:` by id (SPEC §11.5).
    address_groups: BTreeMap<String, Vec<IpNet>>,
    /// `name:` and `cloud_id:` of networks, subnets, endpoints and rule sets, to what they name
    /// (ids win; more than one entry = ambiguous).
    aliases: HashMap<String, Vec<EntityRef>>,
    /// The kind of each rule set as written (for security-group references).
    rs_kinds: Vec<Option<RuleSetKind>>,
    /// The kind of the rule set whose rules are being validated.
    cur_kind: Option<RuleSetKind>,
}

impl Validator {
    pub(super) fn new(file: &str, text: Arc<str>) -> Self {
        Validator {
            file: file.to_string(),
            text,
            errors: Vec::new(),
            ids: HashMap::new(),
            id_pos: HashMap::new(),
            zones: Vec::new(),
            networks: Vec::new(),
            subnets: Vec::new(),
            endpoints: Vec::new(),
            rule_sets: Vec::new(),
            zone_policy: None,
            dns: Vec::new(),
            tags: Vec::new(),
            expects: Vec::new(),
            peerings: Vec::new(),
            routing: crate::model::routing::Routing::default(),
            name: String::new(),
            description: None,
            asgs: Vec::new(),
            asg_ix: HashMap::new(),
            asg_net: HashMap::new(),
            address_groups: BTreeMap::new(),
            aliases: HashMap::new(),
            rs_kinds: Vec::new(),
            cur_kind: None,
        }
    }

    fn err(&mut self, code: C, at: Pos, msg: impl Into<String>, help: impl Into<String>) {
        self.errors.push(InputError::new(code, at, msg, help));
    }

    fn declare(&mut self, id: &Sp<String>, what: EntityRef) {
        let name = id.value.trim();
        if name.is_empty() {
            self.err(
                C::BadValue,
                id.at,
                "an id is empty",
                "give every item a non-empty `id`",
            );
            return;
        }
        if let Some(prev) = self.ids.get(name) {
            let prev_pos = self.id_pos.get(name).copied().unwrap_or_default();
            let kind = prev.kind_name();
            self.err(
                C::DuplicateId,
                id.at,
                format!("the id `{name}` is already used by {} (line {})", with_article(kind), prev_pos.line),
                "ids are unique across the whole file (zones, networks, subnets, endpoints, rule sets): rename one of them",
            );
            return;
        }
        self.ids.insert(name.to_string(), what);
        self.id_pos.insert(name.to_string(), id.at);
    }

    fn suggest(&self, name: &str) -> String {
        let lname = name.to_ascii_lowercase();
        let best = self
            .ids
            .keys()
            .chain(self.asg_ix.keys())
            .chain(self.address_groups.keys())
            .map(|k| (levenshtein(&lname, &k.to_ascii_lowercase()), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
        match best {
            Some((_, k)) => format!("did you mean `{k}`?"),
            None => "declare it, or fix the spelling".to_string(),
        }
    }

    fn resolve(&mut self, id: &Sp<String>, expected: &str) -> Option<EntityRef> {
        let name = id.value.trim();
        match self.lookup_ref(name, id.at) {
            groups::Lookup::Found(e) => Some(e),
            groups::Lookup::Ambiguous => None,
            groups::Lookup::Unknown => {
                let hint = self.suggest(name);
                self.err(
                    C::UnknownId,
                    id.at,
                    format!("unknown {expected} `{name}`"),
                    format!(
                        "{hint} (every reference must name {} declared in the file)",
                        with_article(expected)
                    ),
                );
                None
            }
        }
    }

    /// Resolve `id` as one kind of entity (`pick` says which), reporting a wrong kind.
    fn resolve_as<T>(
        &mut self,
        id: &Sp<String>,
        expected: &str,
        pick: fn(EntityRef) -> Option<T>,
    ) -> Option<T> {
        let found = self.resolve(id, expected)?;
        let picked = pick(found);
        if picked.is_none() {
            self.wrong_kind(id, found, expected);
        }
        picked
    }

    fn resolve_zone(&mut self, id: &Sp<String>) -> Option<ZoneIx> {
        self.resolve_as(id, "zone", |e| {
            if let EntityRef::Zone(x) = e {
                Some(x)
            } else {
                None
            }
        })
    }

    fn resolve_network(&mut self, id: &Sp<String>) -> Option<NetIx> {
        self.resolve_as(id, "network", |e| {
            if let EntityRef::Network(x) = e {
                Some(x)
            } else {
                None
            }
        })
    }

    fn resolve_subnet(&mut self, id: &Sp<String>) -> Option<SubnetIx> {
        self.resolve_as(id, "subnet", |e| {
            if let EntityRef::Subnet(x) = e {
                Some(x)
            } else {
                None
            }
        })
    }

    fn resolve_endpoint(&mut self, id: &Sp<String>) -> Option<EpIx> {
        self.resolve_as(id, "endpoint", |e| {
            if let EntityRef::Endpoint(x) = e {
                Some(x)
            } else {
                None
            }
        })
    }

    fn resolve_rule_set(&mut self, id: &Sp<String>) -> Option<RuleSetIx> {
        self.resolve_as(id, "rule set", |e| {
            if let EntityRef::RuleSet(x) = e {
                Some(x)
            } else {
                None
            }
        })
    }

    fn wrong_kind(&mut self, id: &Sp<String>, other: EntityRef, expected: &str) {
        self.err(
            C::WrongKind,
            id.at,
            format!(
                "`{}` is {}, but {} is expected here",
                id.value.trim(),
                with_article(other.kind_name()),
                with_article(expected)
            ),
            format!("name {} here", with_article(expected)),
        );
    }

    fn cidrs(&mut self, v: &Sp<OneOrMany<String>>) -> Vec<IpNet> {
        let mut out = Vec::new();
        for s in v.value.to_vec() {
            let s = s.trim();
            match s.parse::<IpNet>() {
                Ok(n) if n.trunc() == n => out.push(n),
                Ok(n) => self.err(
                    C::BadCidr,
                    v.at,
                    format!("`{s}` has host bits set"),
                    format!("write the network address: `{}`", n.trunc()),
                ),
                Err(_) => {
                    let hint = if s.parse::<IpAddr>().is_ok() {
                        format!("add a prefix length, e.g. `{s}/24`")
                    } else {
                        "write an address and prefix length, e.g. `10.1.0.0/16` or `fd00:1::/64`"
                            .to_string()
                    };
                    self.err(C::BadCidr, v.at, format!("`{s}` is not a CIDR"), hint);
                }
            }
        }
        if out.is_empty() && v.value.to_vec().is_empty() {
            self.err(
                C::BadCidr,
                v.at,
                "no address range given",
                "give a CIDR such as `10.1.0.0/16`",
            );
        }
        out
    }

    fn ports(&mut self, v: &Sp<OneOrMany<Scalar>>) -> PortSet {
        let mut set = PortSet::empty();
        for item in v.value.to_vec() {
            let parsed = match &item {
                Scalar::Number(n) => u16::try_from(*n)
                    .map(PortSet::single)
                    .map_err(|_| format!("{n} is not a port (a whole number from 0 to 65535)")),
                Scalar::Text(t) => PortSet::parse_item(t),
            };
            match parsed {
                Ok(p) => set = set.union(&p),
                Err(msg) => self.err(
                    C::BadPort,
                    v.at,
                    msg,
                    "write a port (443), a range (\"6333-6334\"), a list ([443, 8443]) or \"*\"",
                ),
            }
        }
        set
    }

    /// A rule's `ports:`, or without it every port — 443 for `https`, 80 for `http`.
    fn rule_ports(&mut self, v: Option<&Sp<OneOrMany<Scalar>>>, protocol: Protocol) -> PortSet {
        match (v, protocol) {
            (Some(p), _) => self.ports(p),
            (None, Protocol::Https) => PortSet::single(443),
            (None, Protocol::Http) => PortSet::single(80),
            (None, _) => PortSet::all(),
        }
    }

    fn protocol(&mut self, v: Option<&Sp<String>>, default: Protocol) -> Protocol {
        let Some(v) = v else { return default };
        if let Some(p) = Protocol::parse(&v.value) {
            p
        } else {
            self.err(
                C::BadProtocol,
                v.at,
                format!("`{}` is not a protocol", v.value.trim()),
                "use one of tcp, udp, icmp, any, https, http",
            );
            default
        }
    }

    fn action(&mut self, v: &Sp<String>) -> Action {
        match v.value.trim().to_ascii_lowercase().as_str() {
            "allow" | "accept" | "permit" => Action::Allow,
            "deny" | "drop" | "reject" | "block" => Action::Deny,
            other => {
                self.err(
                    C::BadValue,
                    v.at,
                    format!("`{other}` is not an action"),
                    "use `allow` or `deny`",
                );
                Action::Deny
            }
        }
    }

    pub(super) fn run(&mut self, raw: &RawFile) {
        if raw.version.value != 1 {
            self.err(
                C::Version,
                raw.version.at,
                format!("version {} is not supported", raw.version.value),
                "this zonescope reads `version: 1`",
            );
            return;
        }
        self.name = raw.name.clone().unwrap_or_else(|| {
            Path::new(&self.file).file_stem().map_or_else(
                || "topology".to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        });
        self.description.clone_from(&raw.description);

        // 1. Declare every id, so references can point forward (the maps sized once: an L
        // design declares some 45,000).
        let declared = raw.zones.len()
            + raw
                .networks
                .iter()
                .map(|n| 1 + n.subnets.len())
                .sum::<usize>()
            + raw.endpoints.len()
            + raw.rule_sets.len();
        self.ids.reserve(declared);
        self.id_pos.reserve(declared);
        for (i, z) in raw.zones.iter().enumerate() {
            self.declare(&z.id, EntityRef::Zone(ZoneIx(ix32(i))));
        }
        let mut si = 0usize;
        for (i, n) in raw.networks.iter().enumerate() {
            self.declare(&n.id, EntityRef::Network(NetIx(ix32(i))));
            for s in &n.subnets {
                self.declare(&s.id, EntityRef::Subnet(SubnetIx(ix32(si))));
                si += 1;
            }
        }
        for (i, e) in raw.endpoints.iter().enumerate() {
            self.declare(&e.id, EntityRef::Endpoint(EpIx(ix32(i))));
        }
        for (i, r) in raw.rule_sets.iter().enumerate() {
            self.declare(&r.id, EntityRef::RuleSet(RuleSetIx(ix32(i))));
        }

        // 2. Service tags (selectors need them).
        for (name, cidrs) in &raw.service_tags {
            let list = self.cidrs_lenient(cidrs);
            self.tags.push(ServiceTag {
                name: name.clone(),
                cidrs: list,
                at: cidrs.at,
            });
        }

        // `AzureLoadBalancer` is built in (SPEC §1; Azure's health probe source, 168.63.129.16:
        // https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16),
        // so the NSG default `AllowAzureLoadBalancerInBound` means it without a declaration.
        if !self
            .tags
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case("AzureLoadBalancer"))
        {
            self.tags.push(ServiceTag {
                name: "AzureLoadBalancer".to_string(),
                cidrs: vec!["168.63.129.16/32".parse().expect("a CIDR")],
                at: Pos::default(),
            });
        }

        self.reject_impersonating_ids(raw);
        self.groups_(raw);

        self.zones = raw
            .zones
            .iter()
            .map(|z| Zone {
                id: z.id.value.trim().to_string(),
                name: z.name.clone(),
                description: z.description.clone(),
                declared_role: z.role.as_ref().and_then(|r| self.zone_role(r)),
                at: z.id.at,
            })
            .collect();

        self.networks_and_subnets(raw);
        self.endpoints_(raw);
        self.asg_networks_(raw);
        self.peerings_(raw);
        self.routes_(raw);
        self.rule_sets_(raw);
        self.policies_(raw);
        self.resolve_attachments(raw);
        self.dns_(raw);
        self.expects_(raw);
    }

    /// A zone's `role:` (SPEC §11.8); case and `-`/`_` do not matter.
    fn zone_role(&mut self, r: &Sp<String>) -> Option<ZoneRole> {
        let name = r.value.trim().to_ascii_lowercase().replace('-', "_");
        let role = ZoneRole::parse(&name);
        if role.is_none() {
            let all: Vec<&str> = ZoneRole::ALL.iter().map(|r| r.as_str()).collect();
            self.err(
                C::UnknownRole,
                r.at,
                format!("`{}` is not a zone role", r.value.trim()),
                format!("use one of: {}", all.join(", ")),
            );
        }
        role
    }

    /// An id that reads as a selector would take over what it copies (see [`super::ids`]).
    fn reject_impersonating_ids(&mut self, raw: &RawFile) {
        let tags: Vec<String> = self.tags.iter().map(|t| t.name.clone()).collect();
        let names = crate::model::ids::DeclaredNames::new(
            raw.dns.iter().map(|z| z.zone.value.as_str()).chain(
                raw.endpoints
                    .iter()
                    .filter_map(|e| e.fqdn.as_ref().map(|f| f.value.as_str())),
            ),
        );
        let mut ids: Vec<(&String, Pos)> = self.id_pos.iter().map(|(k, v)| (k, *v)).collect();
        ids.sort_by_key(|(_, at)| (at.offset, at.line, at.column));
        let found: Vec<_> = ids
            .into_iter()
            .filter_map(|(id, at)| {
                crate::model::ids::impersonation(id, &tags, &names).map(|m| (at, m))
            })
            .collect();
        for (at, (msg, help)) in found {
            self.err(C::IdLooksLikeSelector, at, msg, help);
        }
    }

    fn cidrs_lenient(&mut self, v: &Sp<OneOrMany<String>>) -> Vec<IpNet> {
        let mut out = Vec::new();
        for s in v.value.to_vec() {
            let s = s.trim();
            if let Ok(n) = s.parse::<IpNet>() {
                out.push(n.trunc());
            } else if let Ok(a) = s.parse::<IpAddr>() {
                out.push(IpNet::from(a));
            } else {
                self.err(
                    C::BadCidr,
                    v.at,
                    format!("`{s}` is not a CIDR"),
                    "write e.g. `20.38.0.0/16`",
                );
            }
        }
        out
    }

    pub(super) fn finish(self) -> Topology {
        let mut addrs = AddrIndex::default();
        for (i, n) in self.networks.iter().enumerate() {
            for c in &n.cidrs {
                addrs.add_network(*c, NetIx(ix32(i)));
            }
        }
        for (i, s) in self.subnets.iter().enumerate() {
            for c in &s.cidrs {
                addrs.add_subnet(*c, SubnetIx(ix32(i)));
            }
        }
        let mut pes_of: HashMap<EpIx, Vec<EpIx>> = HashMap::new();
        let mut by_fqdn = HashMap::new();
        let mut public_ips = crate::model::fxhash::FxMap::default();
        for (i, e) in self.endpoints.iter().enumerate() {
            let ix = EpIx(ix32(i));
            if let Some(ip) = e.ip {
                addrs.add_endpoint(ip, ix);
            }
            if let Some(PublicIp::Address(a)) = e.public_ip {
                public_ips
                    .entry(crate::model::fxhash::AddrKey(a))
                    .or_insert(ix);
            }
            if let Some(t) = e.target {
                pes_of.entry(t).or_default().push(ix);
            }
            if let Some(f) = &e.fqdn {
                by_fqdn.entry(f.clone()).or_insert(ix);
            }
        }
        let mut t = Topology {
            name: self.name,
            description: self.description,
            file: self.file,
            text: self.text,
            zones: self.zones,
            networks: self.networks,
            subnets: self.subnets,
            endpoints: self.endpoints,
            rule_sets: self.rule_sets,
            zone_policy: self.zone_policy,
            dns: self.dns,
            tags: self.tags,
            expects: self.expects,
            peerings: self.peerings,
            routing: self.routing,
            ids: self.ids,
            asgs: self.asgs,
            aliases: self.aliases,
            address_groups: self.address_groups,
            addrs,
            pes_of,
            by_fqdn,
            public_ips,
            graph: petgraph::graph::UnGraph::default(),
            internet: petgraph::graph::NodeIndex::new(0),
            net_nodes: Vec::new(),
            peered: Vec::new(),
        };
        t.build_graph();
        t
    }
}
