//! The rules of Azure Firewall collections (classic, or of a policy's rule collection
//! groups) as the model's firewall rules, and IP groups as `address_groups:` (SPEC §11.5,
//! §11.6).
//!
//! Owns: each rule's sources, destinations, protocols, ports and FQDNs; the order Azure
//! processes them in (type, then the base policy's groups, group priority, collection priority,
//! rule order) and the priority written for it. Must never: drop a rule or a field that
//! changes a verdict without a finding, or panic on any input.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::super::nsg::array;
use super::super::{Ctx, Res, name_of_id, slug, str_of, unique};
use crate::import::ImportError;
use crate::import::doc::Rule;
use crate::import::json::join;
use crate::model::ports::PortSet;

const FIX: &str = "export the firewall, policy or rule collection group again, unchanged (`az network firewall show -o json`, `az network firewall policy rule-collection-group list -o json`)";

/// The type of a firewall rule, in Azure's processing order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Ty {
    Dnat,
    Network,
    Application,
}

impl Ty {
    fn as_str(self) -> &'static str {
        match self {
            Ty::Dnat => "dnat",
            Ty::Network => "network",
            Ty::Application => "application",
        }
    }
}

/// One rule collection, where Azure processes it.
pub(super) struct Coll<'a> {
    /// (inheritance depth: the root base policy's groups first, group priority, collection
    /// priority): Azure's order within one type of rule.
    key: (usize, i64, i64),
    name: String,
    /// The rule collection group's name and priority (policies).
    group: Option<(String, Option<i64>)>,
    prio: Option<i64>,
    /// `allow`, `deny`, or `dnat`.
    action: String,
    /// Classic collections say their type by their list; a policy's rules by `ruleType`.
    ty: Option<Ty>,
    rules: &'a [Value],
    file: &'a str,
    /// The JSON path of the collection.
    path: String,
}

/// One rule collection (classic, or of a rule collection group).
pub(super) fn collection<'a>(
    c: &'a Value,
    at: String,
    file: &'a str,
    ty: Option<Ty>,
    group: Option<(String, Option<i64>)>,
    depth: usize,
) -> Result<Coll<'a>, ImportError> {
    let (p, pp) = match c.get("properties") {
        Some(p @ Value::Object(_)) => (p, join(&at, "properties")),
        _ => (c, at),
    };
    let name = str_of(c, "name").unwrap_or("collection").to_string();
    let prio = p.get("priority").and_then(Value::as_i64);
    let action = p
        .get("action")
        .and_then(|a| str_of(a, "type"))
        .unwrap_or("")
        .to_ascii_lowercase();
    let rules = array(p, "rules", file, &pp)?;
    let gp = group.as_ref().and_then(|g| g.1).unwrap_or(0);
    Ok(Coll {
        key: (depth, gp, prio.unwrap_or(i64::MAX)),
        name,
        group,
        prio,
        action,
        ty,
        rules,
        file,
        path: pp,
    })
}

/// A converted rule and where Azure processes it: (type, collection key, collection index,
/// rule index, collection priority, rule).
type Placed = (Ty, (usize, i64, i64), usize, usize, Option<i64>, Rule);

/// The rules of `colls` in Azure's order, as rule set `rs`'s rules.
pub(super) fn convert(
    cx: &mut Ctx,
    rs: &str,
    colls: &[Coll<'_>],
    groups: &BTreeMap<String, String>,
) -> Result<Vec<Rule>, ImportError> {
    let mut out: Vec<Placed> = Vec::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut snat = None;
    for (ci, c) in colls.iter().enumerate() {
        let action = match c.action.as_str() {
            "allow" => "allow",
            "deny" => "deny",
            "dnat" => "allow",
            other => {
                cx.report.unsupported(
                    c.file,
                    join(&c.path, "action.type"),
                    format!(
                        "rule set {rs}: collection {}: action `{other}` is not Allow, Deny or DNAT: its rules are left out",
                        c.name
                    ),
                );
                continue;
            }
        };
        if c.prio.is_none() {
            cx.report.assumed(
                c.file,
                join(&c.path, "priority"),
                format!("rule set {rs}: collection {} has no priority (Azure requires one): processed last of its type", c.name),
            );
        }
        for (ri, v) in c.rules.iter().enumerate() {
            let at = format!("{}.rules[{ri}]", c.path);
            let v = match v.get("properties") {
                Some(p @ Value::Object(_)) => p,
                _ => v,
            };
            let ty = match c.ty {
                Some(t) => t,
                None => match str_of(v, "ruleType")
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("networkrule") => Ty::Network,
                    Some("applicationrule") => Ty::Application,
                    Some("natrule") => Ty::Dnat,
                    other => {
                        cx.report.unsupported(
                            c.file,
                            join(&at, "ruleType"),
                            format!(
                                "rule set {rs}: collection {}: rule type `{}` is not NetworkRule, ApplicationRule or NatRule: left out",
                                c.name,
                                other.unwrap_or("")
                            ),
                        );
                        continue;
                    }
                },
            };
            if (ty == Ty::Dnat) != (c.action == "dnat") {
                cx.report.unsupported(
                    c.file,
                    at.clone(),
                    format!(
                        "rule set {rs}: collection {}: a {} rule in a collection whose action is {}: left out",
                        c.name,
                        ty.as_str(),
                        c.action
                    ),
                );
                continue;
            }
            if ty == Ty::Application && snat.is_none() {
                snat = Some((c.file.to_string(), at.clone()));
            }
            for rule in rule(cx, rs, c, ty, action, v, &at, groups, &mut ids)? {
                out.push((ty, c.key, ci, ri, c.prio, rule));
            }
        }
    }
    out.sort_by_key(|a| (a.0, a.1, a.2, a.3));
    // Azure's order is the collections' priorities only when, within each type, they never
    // decrease along it (one group, or groups whose collections' priorities do not interleave).
    let agrees = out
        .windows(2)
        .all(|w| w[0].0 != w[1].0 || matches!((w[0].4, w[1].4), (Some(a), Some(b)) if a <= b))
        && out
            .iter()
            .all(|x| x.4.is_some_and(|p| (0..=65535).contains(&p)));
    if !agrees && !out.is_empty() {
        cx.report.assumed(
            colls.first().map_or("", |c| c.file),
            colls.first().map_or(String::new(), |c| c.path.clone()),
            format!("rule set {rs}: the collections' priorities alone do not give Azure's order (the rule collection groups' collections interleave, or a priority is missing or out of range): the rules are written in Azure's order without a priority (the group's and the collection's are in each rule's description)"),
        );
    }
    if let Some((file, at)) = snat {
        cx.report.unsupported(
            &file,
            at,
            format!("rule set {rs}: application rules translate the client's address to the firewall's (SNAT, https://learn.microsoft.com/azure/firewall/rule-processing): the model keeps the client's address, so rules behind the firewall see the client"),
        );
    }
    Ok(out
        .into_iter()
        .map(|(_, _, _, _, p, mut r)| {
            r.priority = if agrees { p } else { None };
            r
        })
        .collect())
}

/// Keys of a rule the model reads (each type), and those that never change a verdict.
const RULE_KEYS: &[&str] = &[
    "name",
    "description",
    "ruleType",
    "sourceAddresses",
    "sourceIpGroups",
    "destinationAddresses",
    "destinationIpGroups",
    "destinationFqdns",
    "destinationPorts",
    "ipProtocols",
    "protocols",
    "targetFqdns",
    "fqdnTags",
    "webCategories",
    "targetUrls",
    "terminateTLS",
    "httpHeadersToInsert",
    "translatedAddress",
    "translatedPort",
    "translatedFqdn",
];

/// One rule as the model's rules (a network rule for several but not all protocols is one per
/// protocol); empty when it cannot be represented (with a finding).
#[allow(clippy::too_many_arguments, clippy::too_many_lines)]
fn rule(
    cx: &mut Ctx,
    rs: &str,
    c: &Coll<'_>,
    ty: Ty,
    action: &str,
    v: &Value,
    at: &str,
    groups: &BTreeMap<String, String>,
    ids: &mut BTreeSet<String>,
) -> Result<Vec<Rule>, ImportError> {
    let file = c.file;
    let name = str_of(v, "name").unwrap_or("rule");
    let what = format!("rule set {rs}: collection {} rule {name}", c.name);
    let skipped = |cx: &mut Ctx, why: String| {
        cx.report.unsupported(
            file,
            at.to_string(),
            format!("{what}: {why}: the rule is left out, so the flows it would match fall to the rules after it"),
        );
    };
    if let Value::Object(m) = v {
        for (k, x) in m {
            if !RULE_KEYS.contains(&k.as_str()) && !empty(x) {
                cx.report
                    .unsupported(file, join(at, k), format!("{what}: `{k}` is not modelled"));
            }
        }
    }
    let mut source = addresses(cx, &what, v, "sourceAddresses", file, at)?;
    source.extend(ip_group_refs(
        cx,
        &what,
        v,
        "sourceIpGroups",
        groups,
        file,
        at,
    )?);
    let mut destination = addresses(cx, &what, v, "destinationAddresses", file, at)?;
    destination.extend(ip_group_refs(
        cx,
        &what,
        v,
        "destinationIpGroups",
        groups,
        file,
        at,
    )?);
    let wrote_src = has(v, "sourceAddresses") || has(v, "sourceIpGroups");
    let wrote_dst = has(v, "destinationAddresses") || has(v, "destinationIpGroups");
    if source.is_empty() {
        if wrote_src {
            skipped(cx, "none of its sources can be represented".into());
            return Ok(Vec::new());
        }
        cx.report.assumed(
            file,
            join(at, "sourceAddresses"),
            format!("{what} names no source (Azure rejects this): taken as `*`"),
        );
        source.push("*".into());
    }
    let mut fqdns: Vec<String> = Vec::new();
    let mut translation: (Option<String>, Option<u16>) = (None, None);
    let (protocols, ports) = match ty {
        Ty::Network | Ty::Dnat => {
            let key = if has(v, "ipProtocols") {
                "ipProtocols"
            } else {
                "protocols"
            };
            let protos = texts(v, key, file, at)?;
            let ports = ports(cx, &what, v, file, at)?;
            if ty == Ty::Network {
                for (f, _) in texts(v, "destinationFqdns", file, at)? {
                    fqdns.push(f.trim_end_matches('.').to_ascii_lowercase());
                }
            } else {
                translation = dnat_translation(cx, &what, v, file, at);
            }
            let mut ps: Vec<&'static str> = Vec::new();
            for (p, path) in protos {
                let m = match p.to_ascii_lowercase().as_str() {
                    "tcp" => "tcp",
                    "udp" => "udp",
                    "icmp" => "icmp",
                    "any" => "any",
                    other => {
                        cx.report.unsupported(
                            file,
                            path,
                            format!(
                                "{what}: protocol `{other}` is not TCP, UDP, ICMP or Any: left out"
                            ),
                        );
                        continue;
                    }
                };
                if !ps.contains(&m) {
                    ps.push(m);
                }
            }
            if ps.is_empty() {
                skipped(cx, "it names no protocol the model knows".into());
                return Ok(Vec::new());
            }
            if ps.contains(&"any") || ps.len() == 3 {
                ps = vec!["any"];
            }
            (ps, ports)
        }
        Ty::Application => {
            let mut set = PortSet::empty();
            let mut list: Vec<String> = Vec::new();
            for (i, p) in array(v, "protocols", file, at)?.iter().enumerate() {
                let kind = str_of(p, "protocolType").unwrap_or("").to_ascii_lowercase();
                let default = match kind.as_str() {
                    "http" => 80,
                    "https" => 443,
                    "mssql" => 1433,
                    other => {
                        cx.report.unsupported(
                            file,
                            format!("{}[{i}]", join(at, "protocols")),
                            format!("{what}: application protocol `{other}` is not Http, Https or Mssql: left out"),
                        );
                        continue;
                    }
                };
                let port = p
                    .get("port")
                    .and_then(|x| {
                        x.as_u64()
                            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
                    })
                    .and_then(|x| u16::try_from(x).ok())
                    .unwrap_or(default);
                if !set.contains(port) {
                    set = set.union(&PortSet::single(port));
                    list.push(port.to_string());
                }
            }
            if list.is_empty() {
                skipped(cx, "it names no Http, Https or Mssql protocol".into());
                return Ok(Vec::new());
            }
            let mut any = false;
            for (f, _) in texts(v, "targetFqdns", file, at)? {
                if f == "*" {
                    any = true;
                } else {
                    fqdns.push(f.trim_end_matches('.').to_ascii_lowercase());
                }
            }
            for (key, what_it_is) in [
                ("fqdnTags", "FQDN tags"),
                ("webCategories", "web categories"),
                ("targetUrls", "URLs (TLS inspection)"),
            ] {
                let list = texts(v, key, file, at)?;
                if !list.is_empty() {
                    let names: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
                    cx.report.unsupported(
                        file,
                        join(at, key),
                        format!("{what}: {what_it_is} ({}) have no names or addresses in the export: not matched", names.join(", ")),
                    );
                }
            }
            if v.get("terminateTLS").and_then(Value::as_bool) == Some(true) {
                cx.report.unsupported(
                    file,
                    join(at, "terminateTLS"),
                    format!("{what}: TLS inspection is not modelled"),
                );
            }
            if any {
                fqdns.clear();
            } else if fqdns.is_empty() && !wrote_dst {
                skipped(
                    cx,
                    "it matches no FQDN or address the model can hold".into(),
                );
                return Ok(Vec::new());
            }
            (vec!["tcp"], Some(list.join(",")))
        }
    };
    if destination.is_empty() {
        if wrote_dst && fqdns.is_empty() {
            skipped(cx, "none of its destinations can be represented".into());
            return Ok(Vec::new());
        }
        if !wrote_dst && fqdns.is_empty() && ty != Ty::Application {
            cx.report.assumed(
                file,
                join(at, "destinationAddresses"),
                format!("{what} names no destination (Azure rejects this): taken as `*`"),
            );
        }
        destination.push("*".into());
    }
    let ports = if protocols == ["icmp"] { None } else { ports };
    let mut desc = match &c.group {
        Some((g, gp)) => format!(
            "rule collection group {g} (priority {}), collection {} (priority {}, {})",
            gp.map_or("none".into(), |p| p.to_string()),
            c.name,
            c.prio.map_or("none".into(), |p| p.to_string()),
            c.action
        ),
        None => format!(
            "collection {} (priority {}, {})",
            c.name,
            c.prio.map_or("none".into(), |p| p.to_string()),
            c.action
        ),
    };
    if let Some(d) = str_of(v, "description").filter(|d| !d.trim().is_empty()) {
        desc = format!("{desc}: {}", d.trim());
    }
    let base = format!("{}.{}", slug(&c.name), slug(name));
    // A rule with addresses and FQDNs matches either (Azure): one model rule for each, since a
    // model rule's `fqdns:` narrow its destinations.
    let star = vec!["*".to_string()];
    let variants: Vec<(&[String], &[String], &str)> = if !fqdns.is_empty() && destination != star {
        vec![(&destination, &[], ""), (&star, &fqdns, "-fqdns")]
    } else {
        vec![(&destination, &fqdns, "")]
    };
    let many = protocols.len() > 1;
    let mut out = Vec::new();
    for (dst, names, tail) in variants {
        for p in &protocols {
            let want = if many {
                format!("{base}-{p}{tail}")
            } else {
                format!("{base}{tail}")
            };
            let id = unique(&want, ids);
            cx.report.origin(format!("{rs}/{id}"), file, at.to_string());
            out.push(Rule {
                id,
                name: Some(name.to_string()),
                priority: None,
                direction: String::new(),
                action: action.to_string(),
                protocol: (*p).to_string(),
                source: source.clone(),
                destination: dst.to_vec(),
                ports: ports.clone(),
                fqdns: names.to_vec(),
                rule_type: Some(ty.as_str().to_string()),
                translated_address: translation.0.clone(),
                translated_port: translation.1,
                description: Some(desc.clone()),
            });
        }
    }
    Ok(out)
}

/// A NAT rule's `translatedAddress` (or `translatedFqdn`, resolved by the private DNS zones or
/// the endpoints' names of the input) and `translatedPort` (SPEC §11.6): the flow the rule
/// matches is sent there ("translate your firewall public IP address and port to a private IP
/// address and port", <https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat>).
/// What cannot be read is an `unsupported` finding, and the rule admits the flow to the
/// firewall without translating it.
fn dnat_translation(
    cx: &mut Ctx,
    what: &str,
    v: &Value,
    file: &str,
    at: &str,
) -> (Option<String>, Option<u16>) {
    let port_text = v.get("translatedPort").filter(|p| !empty(p)).map(|p| {
        p.as_str()
            .map_or_else(|| p.to_string(), |s| s.trim().to_string())
    });
    let port = match port_text.as_deref() {
        None => None,
        Some(p) => {
            match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    cx.report.unsupported(
                    file,
                    join(at, "translatedPort"),
                    format!("{what}: translated port `{p}` is not one port: the flow keeps its own port"),
                );
                    None
                }
            }
        }
    };
    if let Some(a) = str_of(v, "translatedAddress")
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        if a.parse::<IpAddr>().is_ok() {
            return (Some(a.to_string()), port);
        }
        cx.report.unsupported(
            file,
            join(at, "translatedAddress"),
            format!("{what}: translated address `{a}` is not an IP address: the rule admits the flow to the firewall, untranslated"),
        );
        return (None, None);
    }
    if let Some(f) = str_of(v, "translatedFqdn")
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        if let Some(ip) = resolve_fqdn(cx, f) {
            cx.report.assumed(
                file,
                join(at, "translatedFqdn"),
                format!("{what}: translated FQDN {f} resolved to {ip} by the input's private DNS zones (Azure Firewall resolves it with its own DNS settings)"),
            );
            return (Some(ip), port);
        }
        cx.report.unsupported(
            file,
            join(at, "translatedFqdn"),
            format!("{what}: translated FQDN {f} resolves to no address of the input (no private DNS record or endpoint has it): the rule admits the flow to the firewall, untranslated"),
        );
        return (None, None);
    }
    cx.report.unsupported(
        file,
        at.to_string(),
        format!("{what}: a NAT rule with no translatedAddress or translatedFqdn (Azure rejects this): the rule admits the flow to the firewall, untranslated"),
    );
    (None, None)
}

/// An FQDN as the input's private DNS zones (their A records) or endpoints' `fqdn` answer it.
fn resolve_fqdn(cx: &Ctx, name: &str) -> Option<String> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    for z in &cx.doc.dns {
        let zone = z.zone.trim_end_matches('.').to_ascii_lowercase();
        let rel = if name == zone {
            Some("@".to_string())
        } else {
            name.strip_suffix(&format!(".{zone}")).map(str::to_string)
        };
        if let Some(ip) = rel.and_then(|r| {
            z.records
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&r))
                .map(|(_, ip)| ip.clone())
        }) {
            return Some(ip);
        }
    }
    cx.doc
        .endpoints
        .iter()
        .find(|e| {
            e.fqdn
                .as_deref()
                .is_some_and(|f| f.trim_end_matches('.').eq_ignore_ascii_case(&name))
        })
        .and_then(|e| e.ip.clone())
}

pub(super) fn empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn has(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !empty(x))
}

/// The strings of an array member, with their paths (absent or null: none).
fn texts(v: &Value, key: &str, file: &str, at: &str) -> Result<Vec<(String, String)>, ImportError> {
    let mut out = Vec::new();
    for (i, x) in array(v, key, file, at)?.iter().enumerate() {
        let path = format!("{}[{i}]", join(at, key));
        let Some(s) = x.as_str() else {
            return Err(ImportError::new(file, path, "expected a string", FIX));
        };
        let s = s.trim();
        if !s.is_empty() {
            out.push((s.to_string(), path));
        }
    }
    Ok(out)
}

/// `destinationPorts`: `None` for every port, else the ports comma-separated.
fn ports(
    cx: &mut Ctx,
    what: &str,
    v: &Value,
    file: &str,
    at: &str,
) -> Result<Option<String>, ImportError> {
    let items = texts(v, "destinationPorts", file, at)?;
    if items.is_empty() {
        cx.report.assumed(
            file,
            join(at, "destinationPorts"),
            format!("{what} names no destination port: taken as every port"),
        );
        return Ok(None);
    }
    super::super::nsg::port_list(items, what, file, "export the rules again, unchanged")
}

/// `sourceAddresses`/`destinationAddresses` as selectors: `*`, addresses and CIDRs, ranges
/// (`10.0.0.1-10.0.0.9`, as CIDRs), service tags (destination of network rules).
fn addresses(
    cx: &mut Ctx,
    what: &str,
    v: &Value,
    key: &str,
    file: &str,
    at: &str,
) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    for (t, path) in texts(v, key, file, at)? {
        match address(&t) {
            Some(Ok(list)) => out.extend(list),
            Some(Err(tag)) => {
                cx.report.unsupported(
                    file,
                    path,
                    format!("{what}: service tag {tag} has no address prefixes in the export: it matches no address (declare it under `service_tags:` in a design built on this import)"),
                );
                out.push(tag);
            }
            None => cx.report.unsupported(
                file,
                path,
                format!("{what}: `{t}` is neither an address, a range, a CIDR nor a service tag: left out"),
            ),
        }
    }
    out.dedup();
    Ok(out)
}

/// One address: `Ok(selectors)` for `*`, an address, a CIDR or a range; `Err(tag)` for a
/// service tag; `None` for anything else.
fn address(t: &str) -> Option<Result<Vec<String>, String>> {
    if t == "*" || t.eq_ignore_ascii_case("any") {
        return Some(Ok(vec!["*".into()]));
    }
    if let Ok(n) = t.parse::<IpNet>() {
        return Some(Ok(vec![n.trunc().to_string()]));
    }
    if let Ok(a) = t.parse::<IpAddr>() {
        return Some(Ok(vec![a.to_string()]));
    }
    if let Some((a, b)) = t.split_once('-')
        && let (Ok(a), Ok(b)) = (a.trim().parse::<IpAddr>(), b.trim().parse::<IpAddr>())
    {
        let nets: Vec<IpNet> = match (a, b) {
            (IpAddr::V4(a), IpAddr::V4(b)) if a <= b => {
                ipnet::Ipv4Subnets::new(a, b, 0).map(IpNet::V4).collect()
            }
            (IpAddr::V6(a), IpAddr::V6(b)) if a <= b => {
                ipnet::Ipv6Subnets::new(a, b, 0).map(IpNet::V6).collect()
            }
            _ => return None,
        };
        return Some(Ok(nets.iter().map(ToString::to_string).collect()));
    }
    let tag_shaped = t.starts_with(|c: char| c.is_ascii_alphabetic())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !tag_shaped {
        return None;
    }
    match t.to_ascii_lowercase().as_str() {
        "internet" => return Some(Ok(vec!["Internet".into()])),
        "virtualnetwork" => return Some(Ok(vec!["VirtualNetwork".into()])),
        _ => {}
    }
    let mut tag = t.to_string();
    if let Some(first) = tag.get(..1) {
        tag = format!("{}{}", first.to_ascii_uppercase(), &tag[1..]);
    }
    Some(Err(tag))
}

/// `sourceIpGroups`/`destinationIpGroups`: the address groups of those IP groups.
fn ip_group_refs(
    cx: &mut Ctx,
    what: &str,
    v: &Value,
    key: &str,
    groups: &BTreeMap<String, String>,
    file: &str,
    at: &str,
) -> Result<Vec<String>, ImportError> {
    let mut out = Vec::new();
    for (t, path) in texts(v, key, file, at)? {
        match groups.get(&t.to_ascii_lowercase()) {
            Some(g) => out.push(g.clone()),
            None => cx.report.unsupported(
                file,
                path,
                format!(
                    "{what}: IP group {} is not in the input: it matches no address here; export the IP groups too (`az network ip-group list -o json`)",
                    name_of_id(&t)
                ),
            ),
        }
    }
    Ok(out)
}

/// IP groups → `address_groups:` (resource id → group id).
pub(super) fn ip_groups(cx: &mut Ctx, all: &[Res]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in all.iter().filter(|r| r.ty == super::IP_GROUP) {
        let id = unique(&slug(&r.name), &mut cx.used);
        let mut list = Vec::new();
        let items = r
            .props
            .get("ipAddresses")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (i, x) in items.iter().enumerate() {
            let path = format!("{}.ipAddresses[{i}]", r.pp);
            match x.as_str().map(str::trim).and_then(address) {
                Some(Ok(v)) if !v.iter().any(|s| s == "*") => list.extend(v),
                _ => cx.report.unsupported(
                    &r.file,
                    path,
                    format!(
                        "IP group {}: `{x}` is not an address, a range or a CIDR: left out",
                        r.name
                    ),
                ),
            }
        }
        list.dedup();
        cx.report.add("IP groups", 1);
        cx.doc.address_groups.insert(id.clone(), list);
        out.insert(r.id.clone(), id);
    }
    out
}
