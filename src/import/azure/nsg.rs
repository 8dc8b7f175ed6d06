//! Network security groups → rule sets of kind `nsg`; application security groups → the
//! design's `application_security_groups`; a subnet's NSG → the subnet's `rules:`.
//!
//! Owns: reading `securityRules` (priority, access, direction, protocol, address prefixes,
//! service tags, ASGs, destination ports) and checking `defaultSecurityRules` against the six
//! defaults the loader appends to every `nsg` (so they are never written twice). Must never:
//! keep a rule that matches more than Azure's does without a finding, write a second NSG model
//! (the loader's `nsg` kind is the model), or panic on any input.
//!
//! Azure: <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>,
//! <https://learn.microsoft.com/azure/virtual-network/service-tags-overview>,
//! <https://learn.microsoft.com/azure/virtual-network/application-security-groups>.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::{Ctx, Res, name_of_id, props_of, slug, str_of, unique};
use crate::import::ImportError;
use crate::import::doc::{Asg, Rule, RuleSet};
use crate::import::json::join;
use crate::model::rules::{Direction, PortSet, nsg_default_rules};

/// The address of the `AzureLoadBalancer` service tag: "the virtual IP address of the host
/// (168.63.129.16) where the Azure health probes originate" (service-tags-overview).
const AZURE_LOAD_BALANCER: &str = "168.63.129.16/32";

const FIX: &str = "export the NSG again, unchanged (`az network nsg show -o json`, Resource Graph, or the portal's JSON view)";

/// The ASG id for the ASG resource `cloud` (declared on first use: a rule or an ip
/// configuration may name an ASG whose resource is not in the export). Joined by the id
/// lower-cased; the name keeps the case it is written in.
pub(super) fn asg_id(cx: &mut Ctx, written: &str) -> String {
    let cloud = written.to_ascii_lowercase();
    let cloud = cloud.as_str();
    if let Some(id) = cx.asgs.get(cloud) {
        return id.clone();
    }
    let name = name_of_id(written).to_string();
    let id = unique(&slug(&name), &mut cx.used);
    cx.asgs.insert(cloud.to_string(), id.clone());
    cx.doc.application_security_groups.push(Asg {
        id: id.clone(),
        name: Some(name),
        cloud_id: Some(cloud.to_string()),
    });
    cx.report.add("application security groups", 1);
    id
}

/// The ASG resources of the export.
pub(super) fn asgs(cx: &mut Ctx, all: &[Res]) {
    for r in all
        .iter()
        .filter(|r| r.ty == "microsoft.network/applicationsecuritygroups")
    {
        let id = asg_id(cx, &r.id);
        if let Some(a) = cx
            .doc
            .application_security_groups
            .iter_mut()
            .find(|a| a.id == id)
        {
            a.name = Some(r.name.clone());
        }
    }
}

/// Every NSG of the export as a rule set.
pub(super) fn nsgs(cx: &mut Ctx, all: &[Res]) -> Result<(), ImportError> {
    for r in all
        .iter()
        .filter(|r| r.ty == "microsoft.network/networksecuritygroups")
    {
        let id = unique(&slug(&r.name), &mut cx.used);
        let mut rules: Vec<Rule> = Vec::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let mut prios: HashMap<(String, i64), String> = HashMap::new();
        for (i, v) in array(&r.props, "securityRules", &r.file, &r.pp)?
            .iter()
            .enumerate()
        {
            let at = format!("{}.securityRules[{i}]", r.pp);
            let Some(mut rule) = security_rule(cx, &r.name, v, &r.file, &at)? else {
                continue;
            };
            let key = (rule.direction.clone(), rule.priority.unwrap_or_default());
            if let Some(other) = prios.get(&key) {
                cx.report.unsupported(
                    &r.file,
                    at,
                    format!(
                        "NSG {}: rule {} shares {} priority {} with {other} (Azure rejects this): skipped",
                        r.name, rule.id, key.0, key.1
                    ),
                );
                continue;
            }
            prios.insert(key, rule.id.clone());
            if !names.insert(rule.id.clone()) {
                let base = rule.id.clone();
                let mut n = 2;
                while !names.insert(format!("{base}-{n}")) {
                    n += 1;
                }
                rule.id = format!("{base}-{n}");
                cx.report.assumed(
                    &r.file,
                    at.clone(),
                    format!(
                        "NSG {}: a second rule named {base} is `{}`",
                        r.name, rule.id
                    ),
                );
            }
            cx.report.origin(format!("{id}/{}", rule.id), &r.file, at);
            rules.push(rule);
        }
        defaults(cx, r)?;
        for key in ["subnets", "networkInterfaces"] {
            for (i, x) in array(&r.props, key, &r.file, &r.pp)?.iter().enumerate() {
                if let Some(t) = str_of(x, "id") {
                    cx.nsg_backrefs.entry(t.to_ascii_lowercase()).or_insert((
                        id.clone(),
                        r.file.clone(),
                        format!("{}.{key}[{i}]", r.pp),
                    ));
                }
            }
        }
        cx.doc.service_tags.insert(
            "AzureLoadBalancer".to_string(),
            vec![AZURE_LOAD_BALANCER.to_string()],
        );
        cx.report.origin(id.clone(), &r.file, r.path.clone());
        cx.nsgs.insert(r.id.clone(), id.clone());
        cx.doc.rule_sets.push(RuleSet {
            id,
            name: Some(r.name.clone()),
            cloud_id: Some(r.id.clone()),
            kind: "nsg".into(),
            description: None,
            rules,
        });
        cx.report.add("NSGs", 1);
    }
    Ok(())
}

/// Each subnet's `networkSecurityGroup` → its `rules:`; a subnet that names none but that an
/// NSG's `subnets` list holds gets that NSG (with a finding).
pub(super) fn attach_subnets(cx: &mut Ctx) {
    let named: BTreeSet<(usize, usize)> = cx.subnet_nsgs.iter().map(|s| (s.net, s.sub)).collect();
    for (sid, &(n, k)) in &cx.subnets {
        if named.contains(&(n, k)) {
            continue;
        }
        if let Some((rs, file, path)) = cx.nsg_backrefs.get(sid) {
            let sub = &mut cx.doc.networks[n].subnets[k];
            sub.rules.push(rs.clone());
            cx.report.assumed(
                file,
                path.clone(),
                format!(
                    "subnet {} names no NSG, but NSG {rs} lists it: attached",
                    sub.id
                ),
            );
        }
    }
    for s in std::mem::take(&mut cx.subnet_nsgs) {
        match cx.nsgs.get(&s.target) {
            Some(rs) => cx.doc.networks[s.net].subnets[s.sub].rules.push(rs.clone()),
            None => cx.report.unsupported(
                &s.file,
                s.path,
                format!(
                    "the NSG {} is not in the input: subnet {} is modelled without it (unfiltered); export the NSG too",
                    name_of_id(&s.target),
                    cx.doc.networks[s.net].subnets[s.sub].id
                ),
            ),
        }
    }
}

/// The elements of an array member (absent or null: none); anything else is an error.
pub(super) fn array<'v>(
    v: &'v Value,
    key: &str,
    file: &str,
    at: &str,
) -> Result<&'v [Value], ImportError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(ImportError::new(
            file,
            join(at, key),
            format!("`{key}` must be an array"),
            FIX,
        )),
    }
}

/// A string member (absent or null: `None`); anything else is an error.
fn string<'v>(
    v: &'v Value,
    key: &str,
    file: &str,
    at: &str,
) -> Result<Option<&'v str>, ImportError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ImportError::new(
            file,
            join(at, key),
            format!("`{key}` must be a string"),
            FIX,
        )),
    }
}

/// The strings of `one` (a string member) and `many` (an array of strings).
fn strings(
    p: &Value,
    one: &str,
    many: &str,
    file: &str,
    at: &str,
) -> Result<Vec<(String, String)>, ImportError> {
    let mut out = Vec::new();
    if let Some(s) = string(p, one, file, at)? {
        out.push((s.trim().to_string(), join(at, one)));
    }
    for (i, x) in array(p, many, file, at)?.iter().enumerate() {
        let path = format!("{}[{i}]", join(at, many));
        let Some(s) = x.as_str() else {
            return Err(ImportError::new(file, path, "expected a string", FIX));
        };
        out.push((s.trim().to_string(), path));
    }
    out.retain(|(s, _)| !s.is_empty());
    Ok(out)
}

/// One of `securityRules`, or `None` (with a finding) when the model cannot hold it.
fn security_rule(
    cx: &mut Ctx,
    nsg: &str,
    v: &Value,
    file: &str,
    at: &str,
) -> Result<Option<Rule>, ImportError> {
    if !v.is_object() {
        return Err(ImportError::new(
            file,
            at,
            "a security rule must be an object",
            FIX,
        ));
    }
    let p = props_of(v);
    let pp = if v.get("properties").is_some() {
        join(at, "properties")
    } else {
        at.to_string()
    };
    let name = string(v, "name", file, at)?
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            ImportError::new(
                file,
                join(at, "name"),
                "a security rule needs a `name`",
                FIX,
            )
        })?
        .to_string();
    let what = format!("NSG {nsg} rule {name}");
    let priority = match p.get("priority") {
        Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or_default(),
        _ => {
            return Err(ImportError::new(
                file,
                join(&pp, "priority"),
                format!("{what}: `priority` must be a whole number"),
                FIX,
            ));
        }
    };
    if !(100..=4096).contains(&priority) {
        cx.report.unsupported(
            file,
            join(&pp, "priority"),
            format!("{what}: priority {priority} is outside 100–4096 (Azure rejects it): skipped"),
        );
        return Ok(None);
    }
    let direction = match string(&p, "direction", file, &pp)?
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("inbound") => Direction::Inbound,
        Some("outbound") => Direction::Outbound,
        _ => {
            return Err(ImportError::new(
                file,
                join(&pp, "direction"),
                format!("{what}: `direction` must be Inbound or Outbound"),
                FIX,
            ));
        }
    };
    let action = match string(&p, "access", file, &pp)?
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("allow") => "allow",
        Some("deny") => "deny",
        _ => {
            return Err(ImportError::new(
                file,
                join(&pp, "access"),
                format!("{what}: `access` must be Allow or Deny"),
                FIX,
            ));
        }
    };
    let proto_text = string(&p, "protocol", file, &pp)?.unwrap_or("*");
    let protocol = match proto_text.trim().to_ascii_lowercase().as_str() {
        "*" | "any" => "any",
        "tcp" => "tcp",
        "udp" => "udp",
        "icmp" => "icmp",
        other => {
            cx.report.unsupported(
                file,
                join(&pp, "protocol"),
                format!("{what}: protocol {other} is not modelled (flows are TCP, UDP or ICMP, which it never matches): skipped"),
            );
            return Ok(None);
        }
    };
    let src_ports = strings(&p, "sourcePortRange", "sourcePortRanges", file, &pp)?;
    if src_ports.iter().any(|(s, _)| s != "*") {
        cx.report.assumed(
            file,
            join(&pp, "sourcePortRange"),
            format!("{what}: source ports are not modelled: taken to match every source port"),
        );
    }
    let ports = if protocol == "icmp" {
        None
    } else {
        dest_ports(cx, &what, &p, file, &pp)?
    };
    let (src, dst) = {
        let s = peers(cx, &what, &p, "source", file, &pp)?;
        let d = peers(cx, &what, &p, "destination", file, &pp)?;
        (s, d)
    };
    Ok(Some(Rule {
        id: name,
        priority: Some(priority),
        direction: direction.as_str().into(),
        action: action.into(),
        protocol: protocol.into(),
        source: src,
        destination: dst,
        ports,
        description: string(&p, "description", file, &pp)?.map(str::to_string),
        ..Rule::default()
    }))
}

/// `destinationPortRange` and `destinationPortRanges`: `None` for every port, else the ports
/// comma-separated (the document writes them as a list).
fn dest_ports(
    cx: &mut Ctx,
    what: &str,
    p: &Value,
    file: &str,
    pp: &str,
) -> Result<Option<String>, ImportError> {
    let items = strings(p, "destinationPortRange", "destinationPortRanges", file, pp)?;
    if items.is_empty() {
        cx.report.assumed(
            file,
            join(pp, "destinationPortRange"),
            format!("{what} names no destination port (Azure rejects this): taken as every port"),
        );
        return Ok(None);
    }
    port_list(items, what, file, "export the NSG again, unchanged")
}

/// Ports written as a list of items (`80`, `"1024-65535"`, `"*"`, each at its JSON path): `None`
/// when together they are every port, else the items comma-separated. Shared by NSG and
/// firewall rules; `again` says how to get a clean export.
pub(super) fn port_list(
    items: Vec<(String, String)>,
    what: &str,
    file: &str,
    again: &str,
) -> Result<Option<String>, ImportError> {
    let mut set = PortSet::empty();
    let mut out = Vec::new();
    for (s, path) in items {
        let one = PortSet::parse_item(&s).map_err(|e| {
            ImportError::new(
                file,
                path,
                format!("{what}: {e}"),
                format!("a port is a number (80), a range (\"1024-65535\") or \"*\"; {again}"),
            )
        })?;
        set = set.union(&one);
        out.push(s);
    }
    Ok((!set.is_all()).then(|| out.join(",")))
}

/// The selectors of a rule's `source` or `destination`: `…AddressPrefix`, `…AddressPrefixes`
/// and `…ApplicationSecurityGroups`.
fn peers(
    cx: &mut Ctx,
    what: &str,
    p: &Value,
    side: &str,
    file: &str,
    pp: &str,
) -> Result<Vec<String>, ImportError> {
    let one = format!("{side}AddressPrefix");
    let many = format!("{side}AddressPrefixes");
    let mut out = Vec::new();
    for (text, path) in strings(p, &one, &many, file, pp)? {
        out.push(prefix(cx, what, &text, file, &path)?);
    }
    let key = format!("{side}ApplicationSecurityGroups");
    for (i, g) in array(p, &key, file, pp)?.iter().enumerate() {
        let Some(gid) = str_of(g, "id") else {
            return Err(ImportError::new(
                file,
                format!("{}[{i}]", join(pp, &key)),
                format!("{what}: an application security group reference needs an `id`"),
                FIX,
            ));
        };
        out.push(asg_id(cx, gid));
    }
    if out.is_empty() {
        cx.report.assumed(
            file,
            join(pp, &one),
            format!("{what} names no {side} (Azure rejects this): taken as `*`"),
        );
        out.push("*".into());
    }
    out.dedup();
    Ok(out)
}

/// One address prefix of a rule as a selector: `*`, a CIDR or address, or a service tag.
fn prefix(
    cx: &mut Ctx,
    what: &str,
    text: &str,
    file: &str,
    path: &str,
) -> Result<String, ImportError> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    match lower.as_str() {
        "*" | "any" => return Ok("*".into()),
        "virtualnetwork" | "virtual_network" => return Ok("VirtualNetwork".into()),
        "internet" => return Ok("Internet".into()),
        "azureloadbalancer" | "azure_loadbalancer" => return Ok("AzureLoadBalancer".into()),
        _ => {}
    }
    if t.parse::<IpNet>().is_ok() || t.parse::<IpAddr>().is_ok() {
        return Ok(t.to_string());
    }
    let tag_shaped = t.starts_with(|c: char| c.is_ascii_alphabetic())
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !tag_shaped {
        return Err(ImportError::new(
            file,
            path,
            format!("{what}: `{t}` is neither an address prefix nor a service tag"),
            "an address prefix is an address or a CIDR (10.0.0.0/24), a service tag a name (Storage.WestEurope) or `*`; export the NSG again, unchanged",
        ));
    }
    // Service tags match case-insensitively; a capital first letter keeps it a tag for the
    // loader (SPEC §1).
    let mut tag: String = t.to_string();
    if let Some(first) = tag.get(..1) {
        tag = format!("{}{}", first.to_ascii_uppercase(), &tag[1..]);
    }
    cx.report.unsupported(
        file,
        path,
        format!("{what}: service tag {tag} has no address prefixes in the export: it matches no address (declare it under `service_tags:` in a design built on this import)"),
    );
    Ok(tag)
}

/// `defaultSecurityRules`: the loader appends Azure's six defaults to every `nsg`; each listed
/// default is checked against them, and one that differs is a finding.
fn defaults(cx: &mut Ctx, r: &Res) -> Result<(), ImportError> {
    let builtin = nsg_default_rules();
    for (i, v) in array(&r.props, "defaultSecurityRules", &r.file, &r.pp)?
        .iter()
        .enumerate()
    {
        let at = format!("{}.defaultSecurityRules[{i}]", r.pp);
        let p = props_of(v);
        let name = str_of(v, "name").unwrap_or("");
        let prio = p.get("priority").and_then(Value::as_i64);
        let dir = str_of(&p, "direction").map(str::to_ascii_lowercase);
        let access = str_of(&p, "access").map(str::to_ascii_lowercase);
        let same = builtin.iter().any(|d| {
            d.id == name
                && prio == d.priority.map(i64::from)
                && dir.as_deref() == d.direction.map(Direction::as_str)
                && access.as_deref() == Some(d.action.as_str())
        });
        if !same {
            cx.report.unsupported(
                &r.file,
                at,
                format!(
                    "NSG {}: default rule {name} is not one of Azure's six defaults as documented: the model applies the documented defaults instead",
                    r.name
                ),
            );
        }
    }
    Ok(())
}
