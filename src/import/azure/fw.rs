//! Azure Firewall (SPEC §11.6, §12): firewalls, their classic rule collections, firewall
//! policies with their rule collection groups (and `basePolicy` inheritance), and IP groups.
//!
//! - A firewall (`microsoft.network/azurefirewalls`) becomes one endpoint of `kind: firewall`
//!   at the private address of its IP configuration in `AzureFirewallSubnet`, with its first
//!   public IP; a `VirtualAppliance` route to that address then names it (routes.rs finds the
//!   endpoint by address). The firewall's subnet keeps Azure's system route `0.0.0.0/0 →
//!   Internet` when the firewall has a public IP (`internet_egress` on that subnet).
//! - Its rules become one rule set of `kind: firewall`: the classic `natRuleCollections`,
//!   `networkRuleCollections` and `applicationRuleCollections`, or, when it has a
//!   `firewallPolicy`, the policy's rule collection groups (a policy's rule set is shared by
//!   the firewalls that use it). Each rule says its `type:` (dnat, network, application), so
//!   the loader orders them as Azure does: DNAT, then network, then application rules whatever
//!   their priorities (<https://learn.microsoft.com/azure/firewall/rule-processing>); within a
//!   type the rules are written in Azure's order (the base policy's groups first, then by group
//!   priority, collection priority, and the order of the rules), with the collection's
//!   priority when that order agrees with it, else none (the priorities are in each rule's
//!   description), and the collection's action.
//! - IP groups (`microsoft.network/ipgroups`) become `address_groups:` (SPEC §11.5), named by
//!   `sourceIpGroups`/`destinationIpGroups`.
//!
//! What the model cannot hold is an `unsupported` finding with its file and JSON path: DNAT
//! translation, FQDN tags, web categories, URLs, TLS inspection, threat intelligence in deny
//! mode, IDPS, the source translation of application rules, unknown fields.
//! Must never: join by name, drop a rule without a finding, or panic on any input.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use super::nsg::array;
use super::{Ctx, Res, name_of_id, props_of, ref_id, slug, str_of, unique};
use crate::import::ImportError;
use crate::import::doc::{Endpoint, Rule, RuleSet};
use crate::import::json::join;
use crate::model::ports::PortSet;

pub(super) const FIREWALL: &str = "microsoft.network/azurefirewalls";
pub(super) const POLICY: &str = "microsoft.network/firewallpolicies";
pub(super) const GROUP: &str = "microsoft.network/firewallpolicies/rulecollectiongroups";
/// The 2019 preview name of rule collection groups (the REST example with IP groups uses it).
pub(super) const GROUP_OLD: &str = "microsoft.network/firewallpolicies/rulegroups";
pub(super) const IP_GROUP: &str = "microsoft.network/ipgroups";
const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";
const FIX: &str = "export the firewall, policy or rule collection group again, unchanged (`az network firewall show -o json`, `az network firewall policy rule-collection-group list -o json`)";

/// The type of a firewall rule, in Azure's processing order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Ty {
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
struct Coll<'a> {
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

/// Firewalls, firewall policies, rule collection groups and IP groups (before route tables, so
/// that a `VirtualAppliance` route finds the firewall by its address).
pub(super) fn firewalls(cx: &mut Ctx, all: &[Res]) -> Result<(), ImportError> {
    let groups = ip_groups(cx, all);
    let public: BTreeMap<&str, &Res> = all
        .iter()
        .filter(|r| r.ty == PUBLIC_IP)
        .map(|r| (r.id.as_str(), r))
        .collect();
    let policies = policies(all);
    // policy id → rule set id
    let mut made: BTreeMap<String, String> = BTreeMap::new();
    let mut used_policies: BTreeSet<String> = BTreeSet::new();
    let mut classic_sets: BTreeSet<String> = BTreeSet::new();
    for r in all.iter().filter(|r| r.ty == FIREWALL) {
        let (rules, public_ip) = placement(cx, r, &public)?;
        let classic = classic(r)?;
        let rs = match ref_id(&r.props, "firewallPolicy") {
            Some(p) if policies.contains_key(&p) => {
                used_policies.insert(p.clone());
                if !classic.is_empty() {
                    cx.report.unsupported(
                        &r.file,
                        r.pp.clone(),
                        format!("firewall {}: it has a firewall policy and classic rules (Azure applies the policy): the classic rules are left out", r.name),
                    );
                }
                Some(policy_set(cx, &policies, &p, &groups, &mut made)?)
            }
            Some(p) => {
                cx.report.unsupported(
                    &r.file,
                    join(&r.pp, "firewallPolicy.id"),
                    format!(
                        "firewall {}: its firewall policy {} is not in the input: modelled with no rules (it denies everything routed through it); export the policy and its rule collection groups",
                        r.name,
                        name_of_id(&p)
                    ),
                );
                None
            }
            None => {
                let id = unique(&format!("{}-rules", slug(&r.name)), &mut cx.used);
                let list = convert(cx, &id, &classic, &groups)?;
                push_set(
                    cx,
                    &id,
                    &r.name,
                    &r.id,
                    r,
                    list,
                    "classic rules of Azure Firewall",
                );
                classic_sets.insert(id.clone());
                Some(id)
            }
        };
        threat_intel(cx, r, "firewall");
        unknown_keys(cx, r, FIREWALL_KEYS, "firewall");
        if let Some(e) = rules {
            let ep = &mut cx.doc.endpoints[e];
            ep.rules = rs.into_iter().collect();
            if ep.public_ip.is_none() {
                ep.public_ip = public_ip;
            }
        }
    }
    for (p, pol) in &policies {
        if used_policies.contains(p) || pol.children.iter().any(|c| used_policies.contains(c)) {
            continue;
        }
        let id = policy_set(cx, &policies, p, &groups, &mut made)?;
        let (file, path) = pol
            .res
            .map_or_else(|| pol.first_place(), |r| (r.file.clone(), r.path.clone()));
        cx.report.unsupported(
            &file,
            path,
            format!(
                "firewall policy {}: no Azure Firewall of the input uses it: its rules are rule set {id}, applied nowhere",
                pol.name
            ),
        );
    }
    classic_sets.extend(made.into_values());
    dnat_targets(cx, &classic_sets);
    Ok(())
}

/// A DNAT rule's destination is a firewall's public address (before translation); the
/// model matches an endpoint by its private address, so such a destination names the
/// firewall endpoint that holds it (the flow to the firewall's public IP is then judged by
/// the DNAT rule, as Azure does first: <https://learn.microsoft.com/azure/firewall/rule-processing>).
fn dnat_targets(cx: &mut Ctx, ours: &BTreeSet<String>) {
    let by_public: BTreeMap<String, String> = cx
        .doc
        .endpoints
        .iter()
        .filter(|e| e.kind == "firewall")
        .filter_map(|e| e.public_ip.clone().map(|p| (p, e.id.clone())))
        .collect();
    if by_public.is_empty() {
        return;
    }
    for rs in cx.doc.rule_sets.iter_mut().filter(|r| ours.contains(&r.id)) {
        for r in rs
            .rules
            .iter_mut()
            .filter(|r| r.rule_type.as_deref() == Some("dnat"))
        {
            for d in &mut r.destination {
                if let Some(fw) = by_public.get(d.as_str()) {
                    *d = fw.clone();
                }
            }
        }
    }
}

/// The firewall's endpoint (its index in `doc.endpoints`) and its public IP address.
fn placement(
    cx: &mut Ctx,
    r: &Res,
    public: &BTreeMap<&str, &Res>,
) -> Result<(Option<usize>, Option<String>), ImportError> {
    let mut subnet = None;
    let mut private = None;
    let mut publics = Vec::new();
    let configs = array(&r.props, "ipConfigurations", &r.file, &r.pp)?;
    for (i, c) in configs.iter().enumerate() {
        let at = format!("{}.ipConfigurations[{i}]", r.pp);
        let p = props_of(c);
        let pp = if c.get("properties").is_some() {
            join(&at, "properties")
        } else {
            at
        };
        if let Some(pip) = ref_id(&p, "publicIPAddress") {
            cx.consumed.insert(pip.clone());
            match public
                .get(pip.as_str())
                .and_then(|x| str_of(&x.props, "ipAddress"))
            {
                Some(a) => publics.push(a.trim().to_string()),
                None => cx.report.assumed(
                    &r.file,
                    join(&pp, "publicIPAddress.id"),
                    format!(
                        "firewall {}: the address of its public IP {} is not in the input",
                        r.name,
                        name_of_id(&pip)
                    ),
                ),
            }
        }
        if subnet.is_none()
            && let Some(s) = ref_id(&p, "subnet")
        {
            subnet = Some((s, join(&pp, "subnet.id")));
            private = str_of(&p, "privateIPAddress").map(|t| (t.trim().to_string(), pp.clone()));
        }
    }
    if let Some(m) = r
        .props
        .get("managementIpConfiguration")
        .map(props_of)
        .and_then(|p| ref_id(&p, "publicIPAddress"))
    {
        cx.consumed.insert(m);
    }
    let hub = r.props.get("virtualHub").is_some_and(|v| !v.is_null());
    let Some((sid, spath)) = subnet else {
        cx.report.unsupported(
            &r.file,
            r.pp.clone(),
            format!(
                "firewall {}: {}: it is not placed in the model; its rules are read",
                r.name,
                if hub {
                    "a secured virtual hub's firewall (Virtual WAN is not modelled)"
                } else {
                    "no IP configuration names a subnet"
                }
            ),
        );
        return Ok((None, publics.into_iter().next()));
    };
    let Some(&(n, k)) = cx.subnets.get(&sid) else {
        cx.report.unsupported(
            &r.file,
            spath,
            format!(
                "firewall {}: its subnet {} is not in the input: it is not placed in the model; export the hub virtual network",
                r.name,
                name_of_id(&sid)
            ),
        );
        return Ok((None, publics.into_iter().next()));
    };
    let ip = match private.as_ref().and_then(|(t, _)| t.parse::<IpAddr>().ok()) {
        Some(a) => a.to_string(),
        None => {
            // Azure reserves the first four addresses of a subnet: the firewall's first
            // instance takes the fifth (.4 of a /26).
            let first = cx.doc.networks[n].subnets[k]
                .cidr
                .iter()
                .find_map(|c| c.parse::<IpNet>().ok())
                .and_then(|c| match c.network() {
                    IpAddr::V4(v) => Some(IpAddr::from(std::net::Ipv4Addr::from(
                        u32::from(v).saturating_add(4),
                    ))),
                    IpAddr::V6(_) => None,
                });
            let Some(a) = first else {
                cx.report.unsupported(
                    &r.file,
                    spath,
                    format!(
                        "firewall {}: no private address in the export: not placed",
                        r.name
                    ),
                );
                return Ok((None, publics.into_iter().next()));
            };
            cx.report.assumed(
                &r.file,
                private.map_or(spath, |(_, p)| join(&p, "privateIPAddress")),
                format!(
                    "firewall {}: no private address in the export: taken as {a}, the first Azure assigns in its subnet",
                    r.name
                ),
            );
            a.to_string()
        }
    };
    let subnet_id = cx.doc.networks[n].subnets[k].id.clone();
    let public_ip = publics.first().cloned();
    if public_ip.is_some() {
        // https://learn.microsoft.com/azure/firewall/firewall-faq: AzureFirewallSubnet needs its
        // 0.0.0.0/0 route to go to the internet directly.
        cx.doc.networks[n].subnets[k].internet_egress = true;
    }
    if publics.len() > 1 {
        cx.report.assumed(
            &r.file,
            join(&r.pp, "ipConfigurations"),
            format!(
                "firewall {}: public IPs {}: the model holds the first",
                r.name,
                publics.join(", ")
            ),
        );
    }
    let existing = cx.doc.endpoints.iter().position(|e| {
        e.ip.as_deref() == Some(ip.as_str()) && e.subnet.as_deref() == Some(&subnet_id)
    });
    let i = if let Some(i) = existing {
        let e = &mut cx.doc.endpoints[i];
        e.kind = "firewall".into();
        e.cloud_id = Some(r.id.clone());
        i
    } else {
        let id = unique(&slug(&r.name), &mut cx.used);
        cx.tags.insert(id.clone(), r.tags.clone());
        cx.doc.endpoints.push(Endpoint {
            id,
            name: Some(r.name.clone()),
            cloud_id: Some(r.id.clone()),
            kind: "firewall".into(),
            subnet: Some(subnet_id),
            ip: Some(ip),
            description: Some("Azure Firewall".into()),
            ..Endpoint::default()
        });
        cx.doc.endpoints.len() - 1
    };
    cx.report.add("firewalls", 1);
    Ok((Some(i), public_ip))
}

/// The classic rule collections of a firewall.
fn classic(r: &Res) -> Result<Vec<Coll<'_>>, ImportError> {
    let mut out = Vec::new();
    for (key, ty) in [
        ("natRuleCollections", Ty::Dnat),
        ("networkRuleCollections", Ty::Network),
        ("applicationRuleCollections", Ty::Application),
    ] {
        for (i, c) in array(&r.props, key, &r.file, &r.pp)?.iter().enumerate() {
            let at = format!("{}[{i}]", join(&r.pp, key));
            out.push(collection(c, at, &r.file, Some(ty), None, 0)?);
        }
    }
    Ok(out)
}

/// One rule collection (classic, or of a rule collection group).
fn collection<'a>(
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

/// A firewall policy: its resource (when exported), name, base policy, rule collection groups.
struct Pol<'a> {
    res: Option<&'a Res>,
    name: String,
    base: Option<String>,
    groups: Vec<&'a Res>,
    /// Policies whose base this is.
    children: Vec<String>,
}

impl Pol<'_> {
    fn first_place(&self) -> (String, String) {
        self.groups
            .first()
            .map(|g| (g.file.clone(), g.path.clone()))
            .unwrap_or_default()
    }
}

/// Policies by id, from the policies and from the rule collection groups' ids.
fn policies(all: &[Res]) -> BTreeMap<String, Pol<'_>> {
    let mut out: BTreeMap<String, Pol<'_>> = BTreeMap::new();
    for r in all.iter().filter(|r| r.ty == POLICY) {
        out.insert(
            r.id.clone(),
            Pol {
                res: Some(r),
                name: r.name.clone(),
                base: ref_id(&r.props, "basePolicy"),
                groups: Vec::new(),
                children: Vec::new(),
            },
        );
    }
    for r in all.iter().filter(|r| r.ty == GROUP || r.ty == GROUP_OLD) {
        let parent =
            r.id.rsplit_once("/rulecollectiongroups/")
                .or_else(|| r.id.rsplit_once("/rulegroups/"))
                .map_or(r.id.as_str(), |(a, _)| a)
                .to_string();
        out.entry(parent.clone())
            .or_insert_with(|| Pol {
                res: None,
                name: name_of_id(&parent).to_string(),
                base: None,
                groups: Vec::new(),
                children: Vec::new(),
            })
            .groups
            .push(r);
    }
    let links: Vec<(String, String)> = out
        .iter()
        .filter_map(|(id, p)| p.base.clone().map(|b| (b, id.clone())))
        .collect();
    for (b, c) in links {
        if let Some(p) = out.get_mut(&b) {
            p.children.push(c);
        }
    }
    out
}

/// The rule set of policy `p` (made once): its base policies' groups first, then its own.
fn policy_set(
    cx: &mut Ctx,
    policies: &BTreeMap<String, Pol<'_>>,
    p: &str,
    groups: &BTreeMap<String, String>,
    made: &mut BTreeMap<String, String>,
) -> Result<String, ImportError> {
    if let Some(id) = made.get(p) {
        return Ok(id.clone());
    }
    let Some(pol) = policies.get(p) else {
        return Ok(String::new());
    };
    // The chain: this policy, its base, the base's base… (Azure: the parent's rule collection
    // groups always take precedence, https://learn.microsoft.com/azure/firewall/rule-processing).
    let mut chain: Vec<&Pol<'_>> = vec![pol];
    let mut cur = pol;
    while let Some(b) = &cur.base {
        let Some(next) = policies.get(b) else {
            let (file, path) = cur.res.map_or_else(
                || cur.first_place(),
                |r| (r.file.clone(), join(&r.pp, "basePolicy.id")),
            );
            cx.report.unsupported(
                &file,
                path,
                format!(
                    "firewall policy {}: its base policy {} is not in the input: the inherited rules are missing (Azure processes them first); export the base policy and its rule collection groups",
                    cur.name,
                    name_of_id(b)
                ),
            );
            break;
        };
        if chain.iter().any(|c| std::ptr::eq(*c, next)) || chain.len() > 16 {
            break;
        }
        chain.push(next);
        cur = next;
    }
    chain.reverse();
    let mut colls = Vec::new();
    for (depth, pol) in chain.iter().enumerate() {
        if let Some(r) = pol.res {
            threat_intel(cx, r, "firewall policy");
            policy_features(cx, r);
            unknown_keys(cx, r, POLICY_KEYS, "firewall policy");
        }
        for g in &pol.groups {
            let gp = g.props.get("priority").and_then(Value::as_i64);
            for (i, c) in array(&g.props, "ruleCollections", &g.file, &g.pp)?
                .iter()
                .enumerate()
            {
                let at = format!("{}.ruleCollections[{i}]", g.pp);
                colls.push(collection(
                    c,
                    at,
                    &g.file,
                    None,
                    Some((g.name.clone(), gp)),
                    depth,
                )?);
            }
            cx.report.add("rule collection groups", 1);
        }
    }
    let id = unique(&slug(&pol.name), &mut cx.used);
    made.insert(p.to_string(), id.clone());
    let list = convert(cx, &id, &colls, groups)?;
    let (file, path) = pol
        .res
        .map_or_else(|| pol.first_place(), |r| (r.file.clone(), r.path.clone()));
    let place = Res {
        id: p.to_string(),
        name: pol.name.clone(),
        ty: POLICY.into(),
        location: None,
        props: Value::Null,
        file,
        path,
        pp: String::new(),
        tags: Vec::new(),
    };
    push_set(cx, &id, &pol.name, p, &place, list, "Azure Firewall policy");
    Ok(id)
}

fn push_set(
    cx: &mut Ctx,
    id: &str,
    name: &str,
    cloud_id: &str,
    r: &Res,
    rules: Vec<Rule>,
    what: &str,
) {
    cx.report.add("firewall rules", rules.len());
    cx.report.origin(id.to_string(), &r.file, r.path.clone());
    cx.doc.rule_sets.push(RuleSet {
        id: id.to_string(),
        name: Some(name.to_string()),
        cloud_id: Some(cloud_id.to_string()),
        kind: "firewall".into(),
        description: Some(format!(
            "{what} {name}: DNAT, then network, then application rules (https://learn.microsoft.com/azure/firewall/rule-processing)"
        )),
        rules,
    });
}

/// A converted rule and where Azure processes it: (type, collection key, collection index,
/// rule index, collection priority, rule).
type Placed = (Ty, (usize, i64, i64), usize, usize, Option<i64>, Rule);

/// The rules of `colls` in Azure's order, as rule set `rs`'s rules.
fn convert(
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
            format!("rule set {rs}: its rule collection groups' collection priorities interleave: the rules are written in Azure's order without a priority (the group's and the collection's are in each rule's description)"),
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
                let to = ["translatedAddress", "translatedFqdn"]
                    .iter()
                    .find_map(|k| str_of(v, k))
                    .unwrap_or("?");
                let port = v
                    .get("translatedPort")
                    .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                    .unwrap_or_default();
                cx.report.unsupported(
                    file,
                    at.to_string(),
                    format!("{what}: DNAT to {to}:{port} is not modelled: the rule admits the flow to the firewall's address and port, the translated flow (and the network rule Azure adds for it) is not traced"),
                );
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
    let many = protocols.len() > 1;
    let mut out = Vec::new();
    for p in protocols {
        let id = if many {
            unique(&format!("{base}-{p}"), ids)
        } else {
            unique(&base, ids)
        };
        cx.report.origin(format!("{rs}/{id}"), file, at.to_string());
        out.push(Rule {
            id,
            name: Some(name.to_string()),
            priority: None,
            direction: String::new(),
            action: action.to_string(),
            protocol: p.to_string(),
            source: source.clone(),
            destination: destination.clone(),
            ports: ports.clone(),
            fqdns: fqdns.clone(),
            rule_type: Some(ty.as_str().to_string()),
            description: Some(desc.clone()),
        });
    }
    Ok(out)
}

fn empty(v: &Value) -> bool {
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
    let mut set = PortSet::empty();
    let mut out = Vec::new();
    for (s, path) in items {
        let one = PortSet::parse_item(&s).map_err(|e| {
            ImportError::new(
                file,
                path,
                format!("{what}: {e}"),
                "a port is a number (80), a range (\"1024-65535\") or \"*\"; export the rules again, unchanged",
            )
        })?;
        set = set.union(&one);
        out.push(s);
    }
    Ok((!set.is_all()).then(|| out.join(",")))
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
fn ip_groups(cx: &mut Ctx, all: &[Res]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in all.iter().filter(|r| r.ty == IP_GROUP) {
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

fn threat_intel(cx: &mut Ctx, r: &Res, what: &str) {
    if str_of(&r.props, "threatIntelMode").is_some_and(|m| m.eq_ignore_ascii_case("deny")) {
        cx.report.unsupported(
            &r.file,
            join(&r.pp, "threatIntelMode"),
            format!("{what} {}: threat intelligence in Deny mode drops flows to and from known malicious addresses and names, which the export does not list: not modelled", r.name),
        );
    }
}

/// A policy's features that change verdicts and that the model does not hold.
fn policy_features(cx: &mut Ctx, r: &Res) {
    let p = &r.props;
    if p.get("intrusionDetection")
        .and_then(|i| str_of(i, "mode"))
        .is_some_and(|m| m.eq_ignore_ascii_case("deny"))
    {
        cx.report.unsupported(
            &r.file,
            join(&r.pp, "intrusionDetection.mode"),
            format!(
                "firewall policy {}: IDPS in Deny mode drops flows by signature: not modelled",
                r.name
            ),
        );
    }
    for (key, msg) in [
        ("transportSecurity", "TLS inspection"),
        ("explicitProxy", "the explicit proxy"),
        ("snat", "the source translation settings"),
    ] {
        if p.get(key).is_some_and(|v| !empty(v)) {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, key),
                format!("firewall policy {}: {msg} not modelled", r.name),
            );
        }
    }
}

/// Keys of a firewall that the model reads or that never change a verdict.
const FIREWALL_KEYS: &[&str] = &[
    "provisioningState",
    "ipConfigurations",
    "managementIpConfiguration",
    "applicationRuleCollections",
    "natRuleCollections",
    "networkRuleCollections",
    "threatIntelMode",
    "sku",
    "firewallPolicy",
    "virtualHub",
    "hubIPAddresses",
    "ipGroups",
    "additionalProperties",
    "autoscaleConfiguration",
];

/// Keys of a firewall policy that the model reads or that never change a verdict (those of
/// [`policy_features`] are reported there).
const POLICY_KEYS: &[&str] = &[
    "provisioningState",
    "basePolicy",
    "childPolicies",
    "firewalls",
    "ruleCollectionGroups",
    "threatIntelMode",
    "threatIntelWhitelist",
    "insights",
    "dnsSettings",
    "sku",
    "size",
    "sql",
    "intrusionDetection",
    "transportSecurity",
    "explicitProxy",
    "snat",
];

/// Fields of a top-level resource that are neither read nor known to be harmless.
fn unknown_keys(cx: &mut Ctx, r: &Res, known: &[&str], what: &str) {
    let Value::Object(m) = &r.props else { return };
    let top = [
        "id",
        "name",
        "type",
        "location",
        "tags",
        "etag",
        "zones",
        "resourceGroup",
        "subscriptionId",
        "tenantId",
        "properties",
        "kind",
        "managedBy",
        "identity",
        "apiVersion",
        "extendedLocation",
        "plan",
    ];
    for (k, v) in m {
        if known.contains(&k.as_str()) || top.contains(&k.as_str()) || empty(v) {
            continue;
        }
        cx.report.unsupported(
            &r.file,
            join(&r.pp, k),
            format!("{what} {}: `{k}` is not modelled", r.name),
        );
    }
}
