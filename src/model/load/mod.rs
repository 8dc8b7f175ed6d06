//! Parse, then validate: YAML text → [`RawFile`] (serde-saphyr, with spans and limits) →
//! [`Topology`] (every id resolved, every address checked), or every defect found.
//!
//! Owns: the only YAML calls of the program and all input validation (SPEC §6, first
//! paragraph). Must never: panic on any input, or stop at the first defect when it can go on.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use ipnet::IpNet;

use super::entities::{
    Backend, DnsTarget, DnsZone, Endpoint, EntityRef, EpIx, Expect, Kind, NetIx, Network, PublicIp,
    Role, RuleSetIx, ServiceTag, Subnet, SubnetIx, Verdict, Zone, ZoneIx, ZoneRole,
};
use super::error::{ErrorCode as C, InputError, LoadError};
use super::index::AddrIndex;
use super::raw::{self, OneOrMany, Pos, RawFile, RawRule, Scalar, Sp};
use super::{Peering, Topology};
use crate::model::rules::{
    Action, Direction, PortSet, Protocol, Rule, RuleSet, RuleSetKind, Selector, nsg_default_rules,
};

/// Files larger than this are refused before parsing. The largest generated topology ("L":
/// 40,000 endpoints, 20,000 rules) is about 9 MB; 64 MB leaves room for seven times that while
/// keeping a hostile file from holding the parser for long.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Read and load a topology file.
pub fn load(path: &Path) -> Result<Topology, LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path);
    if let Ok(m) = &meta
        && m.len() > MAX_FILE_BYTES as u64
    {
        return Err(LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::TooLarge,
                Pos::default(),
                format!(
                    "the file is {} MB, more than the {} MB a topology may be",
                    m.len() >> 20,
                    MAX_FILE_BYTES >> 20
                ),
                "split the design, or generate a smaller one with `zonescope gen`",
            ),
        ));
    }
    // Bounded for every kind of input (stdin, a FIFO, /dev/zero), not only regular files.
    let bytes = read_capped(path, MAX_FILE_BYTES).map_err(|e| {
        LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::Io,
                Pos::default(),
                format!("cannot read the file: {e}"),
                "check the path and that the file is readable",
            ),
        )
    })?;
    let Some(bytes) = bytes else {
        return Err(LoadError::single(
            &name,
            Arc::from(""),
            InputError::new(
                C::TooLarge,
                Pos::default(),
                format!(
                    "the input is larger than the {} MB a topology may be",
                    MAX_FILE_BYTES >> 20
                ),
                "split the design, or generate a smaller one with `zonescope gen`",
            ),
        ));
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let line = text[..good.min(text.len())].matches('\n').count() as u32 + 1;
            return Err(LoadError::single(
                &name,
                Arc::from(text.as_str()),
                InputError::new(
                    C::Yaml,
                    Pos {
                        line,
                        column: 1,
                        offset: good,
                        len: 1,
                    },
                    "the file is not valid UTF-8",
                    "save the file as UTF-8 text",
                ),
            ));
        }
    };
    load_str(&text, &name)
}

/// At most `max` bytes of `path`: `Ok(None)` when there are more. Never reads more than
/// `max + 1` bytes, whatever the file is.
pub fn read_capped(path: &Path, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    f.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

/// Load a topology from text; `file` names it in messages.
pub fn load_str(text: &str, file: &str) -> Result<Topology, LoadError> {
    let shared: Arc<str> = Arc::from(text);
    let fail = |e: InputError| LoadError::single(file, shared.clone(), e);
    if text.len() > MAX_FILE_BYTES {
        return Err(fail(InputError::new(
            C::TooLarge,
            Pos::default(),
            format!(
                "the topology text is larger than {} MB",
                MAX_FILE_BYTES >> 20
            ),
            "split the design",
        )));
    }
    // YAML breaks lines at CR too (a classic Mac file): a CR-only file is not one comment line.
    if text
        .split(['\n', '\r'])
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---")
    {
        return Err(fail(InputError::new(
            C::Empty,
            Pos {
                line: 1,
                column: 1,
                offset: 0,
                len: 0,
            },
            "the file is empty: there is no topology in it",
            "start with `version: 1`, then `zones:`, `networks:` and `endpoints:` (see samples/)",
        )));
    }
    let raw = parse(text).map_err(fail)?;
    let mut v = Validator::new(file, shared.clone());
    v.run(&raw);
    if v.errors.is_empty() {
        Ok(v.finish())
    } else {
        Err(LoadError {
            file: file.to_string(),
            text: shared,
            errors: v.errors,
        })
    }
}

/// Files at least this large are parsed in two halves on two threads (see [`parse_split`]).
const SPLIT_PARSE_MIN_BYTES: usize = 1 << 20;

fn parse(text: &str) -> Result<RawFile, InputError> {
    if text.len() >= SPLIT_PARSE_MIN_BYTES
        && let Some(raw) = parse_split(text)
    {
        return Ok(raw);
    }
    parse_one(text)
}

/// The byte ranges of the top-level keys of a plain one-document file, or `None` when the file
/// uses what a split parse cannot keep apart: several documents or directives, anchors or
/// aliases (an unquoted `*` or any `&`), a key written twice, a flow mapping at the top.
fn top_level_sections(text: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    if text.contains('&') {
        return None;
    }
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'*' && !(i > 0 && matches!(bytes[i - 1], b'"' | b'\'' | b'.' | b'-')))
    {
        return None;
    }
    let mut sections: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.as_bytes().first().copied().unwrap_or(b' ');
        if line.starts_with("---") || line.starts_with("...") || first == b'%' || first == b'{' {
            return None;
        }
        if first.is_ascii_alphabetic() || first == b'_' {
            let key = line.split(':').next()?.trim().to_string();
            if sections.iter().any(|(k, _)| *k == key) {
                return None;
            }
            if let Some(last) = sections.last_mut() {
                last.1.end = offset;
            }
            sections.push((key, offset..text.len()));
        }
        offset += line.len();
    }
    Some(sections)
}

/// Parse a large file on two threads: each parses a copy in which the other half's top-level
/// sections are blanked (every byte but newlines made a space), so lines, columns and byte
/// offsets stay exact; `version` stays in both. The halves merge into one [`RawFile`]. Any
/// failure returns `None`, and the caller parses the whole file the ordinary way (so errors are
/// always the ordinary parser's).
fn parse_split(text: &str) -> Option<RawFile> {
    let sections = top_level_sections(text)?;
    if sections.len() < 2 {
        return None;
    }
    // Balance the halves by size, largest section first.
    let mut order: Vec<usize> = (0..sections.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sections[i].1.len()));
    let mut side = vec![0usize; sections.len()];
    let mut weight = [0usize; 2];
    for i in order {
        let s = usize::from(weight[1] < weight[0]);
        side[i] = s;
        weight[s] += sections[i].1.len();
    }
    let half = |keep: usize| -> String {
        let mut bytes = text.as_bytes().to_vec();
        for (i, (key, range)) in sections.iter().enumerate() {
            if side[i] != keep && key != "version" {
                for b in &mut bytes[range.clone()] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
            }
        }
        String::from_utf8(bytes).unwrap_or_default()
    };
    let (a, b) = std::thread::scope(|scope| {
        let other = scope.spawn(|| parse_one(&half(1)).ok());
        let mine = parse_one(&half(0)).ok();
        (mine, other.join().ok().flatten())
    });
    let (mut a, b) = (a?, b?);
    a.name = a.name.or(b.name);
    a.description = a.description.or(b.description);
    a.zones.extend(b.zones);
    a.networks.extend(b.networks);
    a.peerings.extend(b.peerings);
    a.endpoints.extend(b.endpoints);
    a.rule_sets.extend(b.rule_sets);
    a.policies.extend(b.policies);
    a.dns.extend(b.dns);
    a.service_tags.extend(b.service_tags);
    a.expect.extend(b.expect);
    Some(a)
}

fn parse_one(text: &str) -> Result<RawFile, InputError> {
    // Size the node and event limits to the file; keep the alias and depth limits.
    let mut budget = serde_saphyr::Budget::default();
    let scaled = text.len().saturating_mul(2);
    budget.max_nodes = budget.max_nodes.max(scaled);
    budget.max_events = budget.max_events.max(scaled.saturating_mul(2));
    budget.max_total_scalar_bytes = budget
        .max_total_scalar_bytes
        .max(text.len().saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<RawFile>(text, options).map_err(|e| {
        let mut at = e.location().map(Pos::from_location).unwrap_or_default();
        if at.offset == 0 && at.line > 1 {
            at.offset = offset_of(text, at.line, at.column);
            at.len = 1;
        }
        let mut msg = e.to_string();
        if let Some(cut) = msg.find(" at line ") {
            msg.truncate(cut);
        }
        let msg = msg.lines().next().unwrap_or("invalid YAML").to_string();
        let (msg, help) = match super::yaml_msg::about_the_file(&msg, text, at.line, at.column) {
            Some((m, h)) => (m, h),
            None => {
                let help = yaml_help(&msg);
                (msg, help)
            }
        };
        let code = if msg.starts_with("missing field") {
            C::MissingKey
        } else {
            C::Yaml
        };
        InputError::new(code, at, msg, help)
    })
}

fn yaml_help(msg: &str) -> String {
    if msg.starts_with("unknown field") {
        "remove the key or fix its spelling; the keys each item takes are listed in SPEC.md §1 and assets/topology.schema.json".into()
    } else if msg.starts_with("missing field") {
        "add the key: it is required here".into()
    } else if msg.contains("budget") || msg.contains("limit") || msg.contains("alias") {
        "the file exceeds a parser limit (aliases, nesting depth or size): remove YAML anchors/aliases or flatten it".into()
    } else {
        "check the indentation and quoting near this place (strings with `:` or `#` need quotes)"
            .into()
    }
}

fn ix32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

struct Validator {
    file: String,
    text: Arc<str>,
    errors: Vec<InputError>,
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
    name: String,
    description: Option<String>,
}

impl Validator {
    fn new(file: &str, text: Arc<str>) -> Self {
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
            name: String::new(),
            description: None,
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
        if let Some(e) = self.ids.get(name) {
            Some(*e)
        } else {
            let hint = self.suggest(name);
            self.err(
                C::UnknownId,
                id.at,
                format!("unknown {expected} `{name}`"),
                format!("{hint} (every reference must name a {expected} declared in the file)"),
            );
            None
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

    fn run(&mut self, raw: &RawFile) {
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

        // 1. Declare every id, so references can point forward.
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

        self.reject_impersonating_ids(raw);

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
        self.peerings_(raw);
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
        let mut names: Vec<String> = raw.dns.iter().map(|z| z.zone.value.clone()).collect();
        names.extend(
            raw.endpoints
                .iter()
                .filter_map(|e| e.fqdn.as_ref().map(|f| f.value.clone())),
        );
        let mut ids: Vec<(&String, Pos)> = self.id_pos.iter().map(|(k, v)| (k, *v)).collect();
        ids.sort_by_key(|(_, at)| (at.offset, at.line, at.column));
        let found: Vec<_> = ids
            .into_iter()
            .filter_map(|(id, at)| super::ids::impersonation(id, &tags, &names).map(|m| (at, m)))
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

    fn networks_and_subnets(&mut self, raw: &RawFile) {
        for n in &raw.networks {
            let cidrs = self.cidrs(&n.cidr);
            let role = match n.role.as_ref().map(|r| r.value.trim().to_ascii_lowercase()) {
                None => Role::Standalone,
                Some(r) if r == "hub" => Role::Hub,
                Some(r) if r == "spoke" => Role::Spoke,
                Some(r) if r == "standalone" => Role::Standalone,
                Some(r) => {
                    let at = n.role.as_ref().map(|x| x.at).unwrap_or_default();
                    self.err(
                        C::BadValue,
                        at,
                        format!("`{r}` is not a network role"),
                        "use hub, spoke or standalone",
                    );
                    Role::Standalone
                }
            };
            let hub = n.hub.as_ref().and_then(|h| self.resolve_network(h));
            let role = if hub.is_some() && role == Role::Standalone {
                Role::Spoke
            } else {
                role
            };
            let net_ix = NetIx(ix32(self.networks.len()));
            let mut subnet_ixs = Vec::new();
            for s in &n.subnets {
                let scidrs = self.cidrs(&s.cidr);
                for c in &scidrs {
                    if !cidrs.is_empty() && !cidrs.iter().any(|nc| nc.contains(c)) {
                        let list: Vec<String> = cidrs.iter().map(ToString::to_string).collect();
                        self.err(
                            C::SubnetOutsideNetwork,
                            s.cidr.at,
                            format!(
                                "subnet `{}` ({c}) is outside its network `{}` ({})",
                                s.id.value,
                                n.id.value,
                                list.join(", ")
                            ),
                            format!(
                                "pick a range inside {}, or widen the network's cidr",
                                list.join(" or ")
                            ),
                        );
                    }
                }
                let zone = s.zone.as_ref().and_then(|z| self.resolve_zone(z));
                let pep = match s.private_endpoint_policies.as_ref() {
                    None => true,
                    Some(v) => match v.value.trim().to_ascii_lowercase().as_str() {
                        "enabled" | "true" | "on" => true,
                        "disabled" | "false" | "off" => false,
                        other => {
                            self.err(
                                C::BadValue,
                                v.at,
                                format!("`{other}` is not a private_endpoint_policies value"),
                                "use enabled or disabled",
                            );
                            true
                        }
                    },
                };
                subnet_ixs.push(SubnetIx(ix32(self.subnets.len())));
                self.subnets.push(Subnet {
                    id: s.id.value.trim().to_string(),
                    name: s.name.clone(),
                    cidrs: scidrs,
                    network: net_ix,
                    zone,
                    rule_sets: Vec::new(),
                    private_endpoint_policies: pep,
                    internet_egress: s.internet_egress.unwrap_or(false),
                    at: s.id.at,
                });
            }
            // Overlapping subnets within the network.
            let mut spans: Vec<(IpNet, usize)> = Vec::new();
            for (k, six) in subnet_ixs.iter().enumerate() {
                for c in &self.subnets[six.index()].cidrs {
                    spans.push((*c, k));
                }
            }
            spans.sort_by(|a, b| {
                a.0.network()
                    .cmp(&b.0.network())
                    .then(b.0.prefix_len().cmp(&a.0.prefix_len()))
            });
            for w in 0..spans.len() {
                for x in (w + 1)..spans.len() {
                    let (a, ka) = spans[w];
                    let (b, kb) = spans[x];
                    if ka == kb {
                        continue;
                    }
                    if a.contains(&b.network()) || b.contains(&a.network()) {
                        let sa = &n.subnets[ka];
                        let sb = &n.subnets[kb];
                        let (first, second) = if sa.id.at.offset <= sb.id.at.offset {
                            (sa, sb)
                        } else {
                            (sb, sa)
                        };
                        let (fc, sc) = if first.id.value == sa.id.value {
                            (a, b)
                        } else {
                            (b, a)
                        };
                        self.err(
                            C::OverlappingSubnets,
                            second.cidr.at,
                            format!("subnet `{}` ({sc}) overlaps subnet `{}` ({fc})", second.id.value, first.id.value),
                            "subnets of one network may not share addresses: give one of them a range of its own",
                        );
                    } else if b.network() > a.broadcast() {
                        break;
                    }
                }
            }
            let egress_ref = n.egress.clone();
            self.networks.push(Network {
                id: n.id.value.trim().to_string(),
                name: n.name.clone(),
                region: n.region.as_ref().map(|r| r.value.trim().to_string()),
                cidrs,
                role,
                hub,
                egress: None,
                internet_egress: n.internet_egress.unwrap_or(false),
                provider: n.provider.clone(),
                subnets: subnet_ixs,
                at: n.id.at,
            });
            let _ = egress_ref;
        }
        // Egress firewalls (endpoints are declared already).
        for (i, n) in raw.networks.iter().enumerate() {
            if let Some(e) = &n.egress {
                self.networks[i].egress = self.resolve_endpoint(e);
            }
        }
    }

    fn endpoints_(&mut self, raw: &RawFile) {
        for e in &raw.endpoints {
            let kind_text = e
                .kind
                .as_ref()
                .map_or_else(|| "other".to_string(), |k| k.value.trim().to_string());
            let kind = Kind::parse(&kind_text);
            let subnet = e.subnet.as_ref().and_then(|s| self.resolve_subnet(s));
            let network = subnet.map(|s| self.subnets[s.index()].network);
            let ip = e.ip.as_ref().and_then(|ip| {
                if let Ok(a) = ip.value.trim().parse::<IpAddr>() {
                    Some((a, ip.at))
                } else {
                    self.err(
                        C::BadIp,
                        ip.at,
                        format!("`{}` is not an IP address", ip.value.trim()),
                        "write an address such as 10.1.1.4 or fd00::4 (no prefix length)",
                    );
                    None
                }
            });
            if let (Some((a, at)), Some(s)) = (ip, subnet) {
                let sub = &self.subnets[s.index()];
                if !sub.cidrs.is_empty() && !sub.cidrs.iter().any(|c| c.contains(&a)) {
                    let list: Vec<String> = sub.cidrs.iter().map(ToString::to_string).collect();
                    let sid = sub.id.clone();
                    self.err(
                        C::IpOutsideSubnet,
                        at,
                        format!(
                            "address {a} of `{}` is outside its subnet `{sid}` ({})",
                            e.id.value,
                            list.join(", ")
                        ),
                        format!("pick an address inside {}", list.join(" or ")),
                    );
                }
            }
            let ports = e.ports.as_ref().map(|p| self.ports(p));
            let own_zone = e.zone.as_ref().and_then(|z| self.resolve_zone(z));
            let zone = own_zone.or_else(|| subnet.and_then(|s| self.subnets[s.index()].zone));
            let region = e
                .region
                .as_ref()
                .map(|r| r.value.trim().to_string())
                .or_else(|| network.and_then(|n| self.networks[n.index()].region.clone()));
            let public_access = match e.public_access.as_ref() {
                None => true,
                Some(v) => match v.value.trim().to_ascii_lowercase().as_str() {
                    "enabled" | "true" | "on" => true,
                    "disabled" | "false" | "off" => false,
                    other => {
                        self.err(
                            C::BadValue,
                            v.at,
                            format!("`{other}` is not a public_access value"),
                            "use enabled or disabled",
                        );
                        true
                    }
                },
            };
            let public_ip = e.public_ip.as_ref().and_then(|p| match &p.value {
                raw::PublicIp::Flag(true) => Some(PublicIp::Yes),
                raw::PublicIp::Flag(false) => None,
                raw::PublicIp::Address(a) => {
                    if let Ok(ip) = a.trim().parse::<IpAddr>() {
                        Some(PublicIp::Address(ip))
                    } else {
                        self.err(
                            C::BadIp,
                            p.at,
                            format!("`{a}` is not an IP address"),
                            "write `public_ip: true` or an address such as 20.1.2.3",
                        );
                        None
                    }
                }
            });
            let target = e.target.as_ref().and_then(|t| self.resolve_endpoint(t));
            if kind == Kind::PrivateEndpoint && target.is_none() && e.target.is_none() {
                self.err(
                    C::MissingKey,
                    e.id.at,
                    format!("private endpoint `{}` has no `target`", e.id.value),
                    "add `target:` naming the service this private endpoint brings into the network",
                );
            }
            if subnet.is_none() && e.subnet.is_none() && kind == Kind::PrivateEndpoint {
                self.err(
                    C::MissingKey,
                    e.id.at,
                    format!("private endpoint `{}` is not in a subnet", e.id.value),
                    "add `subnet:` naming the subnet that holds its network interface",
                );
            }
            let mut backends = Vec::new();
            for (order, b) in e.backends.iter().enumerate() {
                let (id, priority, weight) = match &b.value {
                    raw::RawBackend::Id(s) => (s.clone(), 1, None),
                    raw::RawBackend::Detailed {
                        endpoint,
                        priority,
                        weight,
                    } => (endpoint.clone(), priority.unwrap_or(1), *weight),
                };
                let sp = Sp {
                    value: id,
                    at: b.at,
                };
                if let Some(ep) = self.resolve_endpoint(&sp) {
                    backends.push((
                        priority,
                        order,
                        Backend {
                            endpoint: ep,
                            priority,
                            weight,
                        },
                    ));
                }
            }
            backends.sort_by_key(|(p, o, _)| (*p, *o));
            self.endpoints.push(Endpoint {
                id: e.id.value.trim().to_string(),
                name: e.name.clone(),
                kind,
                kind_text,
                subnet,
                network,
                ip: ip.map(|(a, _)| a),
                ports,
                rule_sets: Vec::new(),
                backends: backends.into_iter().map(|(_, _, b)| b).collect(),
                idle_timeout_s: e.idle_timeout_s.as_ref().map(|t| t.value),
                zone,
                region,
                fqdn: e
                    .fqdn
                    .as_ref()
                    .map(|f| f.value.trim().trim_end_matches('.').to_ascii_lowercase()),
                public_access,
                target,
                dns_zone: e
                    .dns_zone
                    .as_ref()
                    .map(|z| z.value.trim().trim_end_matches('.').to_ascii_lowercase()),
                public_ip,
                at: e.id.at,
            });
        }
    }

    fn peerings_(&mut self, raw: &RawFile) {
        let mut seen: HashSet<(NetIx, NetIx)> = HashSet::new();
        for p in &raw.peerings {
            if p.value.len() != 2 {
                self.err(
                    C::BadValue,
                    p.at,
                    format!("a peering names {} networks", p.value.len()),
                    "write each peering as a pair: `- [hub-eus, spoke-app]`",
                );
                continue;
            }
            let a = self.resolve_network(&p.value[0]);
            let b = self.resolve_network(&p.value[1]);
            if let (Some(a), Some(b)) = (a, b) {
                if a == b {
                    self.err(
                        C::BadValue,
                        p.at,
                        "a network cannot peer with itself",
                        "name two different networks",
                    );
                    continue;
                }
                let key = (a.min(b), a.max(b));
                if seen.insert(key) {
                    self.peerings.push(Peering {
                        a,
                        b,
                        implied: false,
                        at: p.at,
                    });
                }
            }
        }
        for (i, n) in raw.networks.iter().enumerate() {
            if let (Some(h), Some(hub_ref)) = (self.networks[i].hub, n.hub.as_ref()) {
                let me = NetIx(ix32(i));
                if h == me {
                    self.err(
                        C::BadValue,
                        hub_ref.at,
                        "a network cannot be its own hub",
                        "name the hub network",
                    );
                    continue;
                }
                let key = (me.min(h), me.max(h));
                if seen.insert(key) {
                    self.peerings.push(Peering {
                        a: h,
                        b: me,
                        implied: true,
                        at: hub_ref.at,
                    });
                }
            }
        }
        // Peered networks must not overlap.
        for k in 0..self.peerings.len() {
            let (a, b, at) = (self.peerings[k].a, self.peerings[k].b, self.peerings[k].at);
            let na = &self.networks[a.index()];
            let nb = &self.networks[b.index()];
            let clash = na.cidrs.iter().find_map(|x| {
                nb.cidrs
                    .iter()
                    .find(|y| x.contains(&y.network()) || y.contains(&x.network()))
                    .map(|y| (*x, *y))
            });
            if let Some((x, y)) = clash {
                let msg = format!(
                    "peered networks `{}` ({x}) and `{}` ({y}) overlap",
                    na.id, nb.id
                );
                self.err(
                    C::OverlappingPeers,
                    at,
                    msg,
                    "peered networks need distinct address spaces: re-address one of them",
                );
            }
        }
    }

    fn selector(&mut self, text: &str, at: Pos, allow_fqdn: bool) -> Option<Selector> {
        let t = text.trim();
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Some(Selector::Any);
        }
        if let Some(e) = self.ids.get(t).copied() {
            return match e {
                EntityRef::Zone(z) => Some(Selector::Zone(z)),
                EntityRef::Network(n) => Some(Selector::Network(n)),
                EntityRef::Subnet(s) => Some(Selector::Subnet(s)),
                EntityRef::Endpoint(p) => Some(Selector::Endpoint(p)),
                EntityRef::RuleSet(_) => {
                    self.err(
                        C::WrongKind,
                        at,
                        format!("`{t}` is a rule set, and cannot be a source or destination"),
                        "name a zone, network, subnet, endpoint, address, CIDR or service tag",
                    );
                    None
                }
            };
        }
        if t.eq_ignore_ascii_case("internet") {
            return Some(Selector::Internet);
        }
        if t.eq_ignore_ascii_case("virtualnetwork") {
            return Some(Selector::VirtualNetwork);
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

    fn selectors(
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
            if let Some(s) = self.selector(t, v.at, allow_fqdn) {
                out.push(s);
            }
        }
        (out, texts)
    }

    fn rule(&mut self, kind: RuleSetKind, r: &RawRule) -> Rule {
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
        let mut ports = r
            .ports
            .as_ref()
            .map_or_else(PortSet::all, |p| self.ports(p));
        if r.ports.is_none() {
            match protocol {
                Protocol::Https => ports = PortSet::single(443),
                Protocol::Http => ports = PortSet::single(80),
                _ => {}
            }
        }
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

    fn rule_sets_(&mut self, raw: &RawFile) {
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
            let mut rules = Vec::new();
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
                let rule = self.rule(kind, r);
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
                rules.push(rule);
            }
            if matches!(
                kind,
                RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall
            ) {
                // First match by priority: file order must not matter (ties keep file order).
                rules.sort_by_key(|r| r.priority.unwrap_or(u32::MAX));
            }
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
            });
        }
    }

    fn policies_(&mut self, raw: &RawFile) {
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
            let mut ports = p
                .ports
                .as_ref()
                .map_or_else(PortSet::all, |x| self.ports(x));
            if p.ports.is_none() {
                match protocol {
                    Protocol::Https => ports = PortSet::single(443),
                    Protocol::Http => ports = PortSet::single(80),
                    _ => {}
                }
            }
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
        });
    }

    fn resolve_attachments(&mut self, raw: &RawFile) {
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

    fn dns_(&mut self, raw: &RawFile) {
        for z in &raw.dns {
            let zone = z
                .zone
                .value
                .trim()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let linked: Vec<NetIx> = z
                .linked
                .iter()
                .filter_map(|n| self.resolve_network(n))
                .collect();
            let mut records = Vec::new();
            for (name, ip) in &z.records {
                match ip.value.trim().parse::<IpAddr>() {
                    Ok(a) => {
                        records.push((name.trim().to_ascii_lowercase(), DnsTarget::Address(a)));
                    }
                    Err(_) => self.err(
                        C::BadIp,
                        ip.at,
                        format!(
                            "record `{name}` points at `{}`, which is not an IP address",
                            ip.value.trim()
                        ),
                        "write the private endpoint's address, e.g. `contoso-eus: 10.2.3.5`",
                    ),
                }
            }
            self.dns.push(DnsZone {
                zone,
                linked,
                records,
                at: z.zone.at,
            });
        }
        // Private endpoints with a dns_zone add the record for their target's FQDN.
        for i in 0..self.endpoints.len() {
            let (Some(zone), Some(target)) =
                (self.endpoints[i].dns_zone.clone(), self.endpoints[i].target)
            else {
                continue;
            };
            let Some(fqdn) = self.endpoints[target.index()].fqdn.clone() else {
                continue;
            };
            let domain = zone.strip_prefix("privatelink.").unwrap_or(&zone);
            let Some(name) = fqdn.strip_suffix(domain).and_then(|n| n.strip_suffix('.')) else {
                continue;
            };
            let rec = match self.endpoints[i].ip {
                Some(a) => DnsTarget::Address(a),
                None => DnsTarget::Endpoint(EpIx(ix32(i))),
            };
            let at = self.endpoints[i].at;
            let dz = if let Some(k) = self.dns.iter().position(|d| d.zone == zone) {
                k
            } else {
                self.dns.push(DnsZone {
                    zone: zone.clone(),
                    linked: Vec::new(),
                    records: Vec::new(),
                    at,
                });
                self.dns.len() - 1
            };
            if !self.dns[dz].records.iter().any(|(n, _)| n == name) {
                self.dns[dz].records.push((name.to_string(), rec));
            }
        }
        for d in &mut self.dns {
            d.records.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }

    fn expects_(&mut self, raw: &RawFile) {
        for (i, x) in raw.expect.iter().enumerate() {
            let verdict = if let Some(v) = Verdict::parse(&x.verdict.value) {
                v
            } else {
                self.err(
                    C::BadValue,
                    x.verdict.at,
                    format!("`{}` is not a verdict", x.verdict.value.trim()),
                    "use allow, deny or no_route",
                );
                Verdict::Deny
            };
            let port = x.port.as_ref().and_then(|p| {
                if let Ok(v) = u16::try_from(p.value) {
                    Some(v)
                } else {
                    self.err(
                        C::BadPort,
                        p.at,
                        format!("{} is not a port", p.value),
                        "write a port from 0 to 65535",
                    );
                    None
                }
            });
            let protocol = self.protocol(x.protocol.as_ref(), Protocol::Tcp);
            for (end, sp, fqdn_ok) in [("from", &x.from, false), ("to", &x.to, true)] {
                let t = sp.value.trim();
                let ok = self.ids.contains_key(t)
                    || t.eq_ignore_ascii_case("internet")
                    || t.parse::<IpAddr>().is_ok()
                    || (fqdn_ok && t.contains('.'));
                if !ok {
                    let hint = self.suggest(t);
                    self.err(
                        C::UnknownId,
                        sp.at,
                        format!("expectation `{end}: {t}` names nothing in the file"),
                        format!(
                            "{hint} (name an endpoint id, an address{}, or `internet`)",
                            if fqdn_ok { ", an FQDN" } else { "" }
                        ),
                    );
                }
            }
            self.expects.push(Expect {
                name: x.name.clone().unwrap_or_else(|| {
                    format!(
                        "expectation {}: {} -> {}:{}",
                        i + 1,
                        x.from.value.trim(),
                        x.to.value.trim(),
                        port.map_or("*".to_string(), |p| p.to_string())
                    )
                }),
                from: x.from.value.trim().to_string(),
                to: x.to.value.trim().to_string(),
                port,
                protocol,
                verdict,
                rule: x.rule.as_ref().map(|r| r.value.trim().to_string()),
                at: x.from.at,
            });
        }
    }

    fn finish(self) -> Topology {
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
        let mut public_ips = HashMap::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            let ix = EpIx(ix32(i));
            if let Some(ip) = e.ip {
                addrs.add_endpoint(ip, ix);
            }
            if let Some(PublicIp::Address(a)) = e.public_ip {
                public_ips.entry(a).or_insert(ix);
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
            ids: self.ids,
            addrs,
            pes_of,
            by_fqdn,
            public_ips,
            graph: petgraph::graph::UnGraph::default(),
            internet: petgraph::graph::NodeIndex::new(0),
            net_nodes: Vec::new(),
        };
        t.build_graph();
        t
    }
}

/// The byte offset of a 1-based line and column (clamped to the text).
fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = l
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(char::len_utf8)
                .sum();
            return (offset + col).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

/// "an endpoint", "a zone", "an NSG".
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']) || noun.starts_with("NSG");
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// Edit distance, for "did you mean" hints.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The JSON Schema of the file format, generated from the raw structs.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(RawFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever a split parse happens, it equals the ordinary one; returns whether it happened.
    fn same(text: &str) -> bool {
        let one = format!("{:?}", parse_one(text).expect("parses"));
        match parse_split(text) {
            Some(raw) => {
                assert_eq!(one, format!("{raw:?}"));
                true
            }
            None => false,
        }
    }

    #[test]
    fn a_split_parse_equals_the_ordinary_one_positions_included() {
        for sample in [
            "samples/azure-hub-spoke.yaml",
            "samples/aws-isolated-ai.yaml",
            "tests/fixtures/trace/routing-and-rules.yaml",
        ] {
            let path = format!("{}/{sample}", env!("CARGO_MANIFEST_DIR"));
            same(&std::fs::read_to_string(path).unwrap());
        }
        let m = crate::generate::generate(&crate::generate::GenParams::size("S").unwrap());
        assert!(same(&m), "a generated topology splits");
    }

    #[test]
    fn files_a_split_cannot_keep_apart_are_parsed_whole() {
        assert!(top_level_sections("version: 1\nname: &a x\n").is_none());
        assert!(top_level_sections("version: 1\nzones: [*a]\n").is_none());
        assert!(top_level_sections("version: 1\nzones: []\nzones: []\n").is_none());
        assert!(top_level_sections("---\nversion: 1\n").is_none());
        assert!(top_level_sections("version: 1\nrule_sets: [{ports: \"*\"}]\n").is_some());
    }

    #[test]
    fn errors_always_come_from_the_ordinary_parse() {
        let text = "version: 1\nzones:\n  - id: a\n    colour: red\n";
        assert!(parse_split(text).is_none());
        let e = parse(text).unwrap_err();
        assert_eq!((e.at.line, e.at.column), (4, 5));
    }
}
