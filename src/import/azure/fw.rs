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
//! - A NAT rule's `translatedAddress` (or a `translatedFqdn` the input's private DNS zones
//!   answer) and `translatedPort` become the rule's `translated_address`/`translated_port`
//!   (SPEC §11.6): the plan sends the flow on from the firewall to the backend.
//!
//! What the model cannot hold is an `unsupported` finding with its file and JSON path: a
//! translated FQDN nothing in the input resolves, FQDN tags, web categories, URLs, TLS inspection, threat intelligence in deny
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

mod rules;
use rules::{Coll, Ty, collection, convert, empty, ip_groups};

pub(super) const FIREWALL: &str = "microsoft.network/azurefirewalls";
pub(super) const POLICY: &str = "microsoft.network/firewallpolicies";
pub(super) const GROUP: &str = "microsoft.network/firewallpolicies/rulecollectiongroups";
/// The 2019 preview name of rule collection groups (the REST example with IP groups uses it).
pub(super) const GROUP_OLD: &str = "microsoft.network/firewallpolicies/rulegroups";
pub(super) const IP_GROUP: &str = "microsoft.network/ipgroups";
const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";

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
            let proxy = dns_proxy(r, &policies);
            dns_without_proxy(cx, e, proxy, r, all);
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

/// Whether the firewall answers DNS (its policy's `dnsSettings.enableProxy`, or the classic
/// `additionalProperties` `Network.DNS.EnableProxy`).
fn dns_proxy(r: &Res, policies: &BTreeMap<String, Pol<'_>>) -> bool {
    let truthy = |v: Option<&Value>| {
        v.is_some_and(|v| {
            v.as_bool() == Some(true) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
        })
    };
    if let Some(p) = ref_id(&r.props, "firewallPolicy") {
        return policies.get(&p).and_then(|p| p.res).is_some_and(|p| {
            truthy(
                p.props
                    .get("dnsSettings")
                    .and_then(|d| d.get("enableProxy")),
            )
        });
    }
    truthy(
        r.props
            .get("additionalProperties")
            .and_then(|a| a.get("Network.DNS.EnableProxy")),
    )
}

/// A virtual network whose `dnsServers` name a firewall without its DNS proxy: Azure's
/// lookups there fail (<https://learn.microsoft.com/azure/firewall/dns-settings>), the model
/// resolves them with the firewall's network's zones: a finding.
fn dns_without_proxy(cx: &mut Ctx, e: usize, proxy: bool, r: &Res, all: &[Res]) {
    if proxy {
        return;
    }
    let Some(ip) = cx.doc.endpoints[e].ip.clone() else {
        return;
    };
    for v in all
        .iter()
        .filter(|v| v.ty == "microsoft.network/virtualnetworks")
    {
        let servers = v
            .props
            .get("dhcpOptions")
            .and_then(|d| d.get("dnsServers"))
            .and_then(Value::as_array);
        if let Some(i) = servers.and_then(|a| {
            a.iter()
                .position(|x| x.as_str().map(str::trim) == Some(ip.as_str()))
        }) {
            cx.report.unsupported(
                &v.file,
                format!("{}.dhcpOptions.dnsServers[{i}]", v.pp),
                format!(
                    "virtual network {}: its DNS server {ip} is firewall {}, whose DNS proxy is off: Azure's lookups there fail, the model resolves them with the zones linked to the firewall's network",
                    v.name, r.name
                ),
            );
        }
    }
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
            missing_groups(cx, r, pol);
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

/// The policy's `ruleCollectionGroups` that the input does not hold: their rules are missing.
fn missing_groups(cx: &mut Ctx, r: &Res, pol: &Pol<'_>) {
    let have: BTreeSet<&str> = pol.groups.iter().map(|g| g.id.as_str()).collect();
    let listed = r
        .props
        .get("ruleCollectionGroups")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for (i, g) in listed.iter().enumerate() {
        let Some(id) = str_of(g, "id").map(str::to_ascii_lowercase) else {
            continue;
        };
        if !have.contains(id.as_str()) {
            cx.report.unsupported(
                &r.file,
                format!("{}.ruleCollectionGroups[{i}].id", r.pp),
                format!(
                    "firewall policy {}: rule collection group {} is not in the input: its rules are missing; export them (`az network firewall policy rule-collection-group list --policy-name POLICY -g GROUP -o json`)",
                    r.name,
                    name_of_id(&id)
                ),
            );
        }
    }
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
