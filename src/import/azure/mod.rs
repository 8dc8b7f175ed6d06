//! The Azure importer (SPEC §12): ARM resource JSON (a Resource Graph result, its `{data:
//! [...]}` wrapper, an ARM REST list `{value: [...]}`, the portal's JSON view of one resource, a
//! REST API example, or `az network … list/show -o json` with `properties` flattened into the
//! object) → a [`Document`].
//!
//! Owns: recognising ARM JSON by content, reading virtual networks, their subnets (embedded or
//! as separate resources) and connected peerings, joined by resource id case-insensitively,
//! and the order in which the readers run (`nsg`: NSGs and ASGs; `nic`: NICs, VMs, public
//! IPs). Every other resource type is an `unsupported` finding with its file and JSON path;
//! `routes` reads route tables; `pe` private endpoints, their DNS zone groups and private DNS
//! zones; `fw` Azure Firewalls, firewall policies, rule collection groups and IP groups;
//! `natgw` NAT gateways; `gw` VPN and ExpressRoute gateways, local network gateways and
//! connections.
//! `read` reads the files into resources. Must never: join by name, drop a resource without a finding, or panic on any input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::doc::{Network, Subnet};

mod fw;
mod gw;
mod natgw;
mod nic;
mod nsg;
mod pe;
mod read;
mod routes;
use super::{Document, ImportError, ImportOptions, ImportReport, Imported};
use read::{FileRead, is_resource, read, read_one, resources_of, template};

const UNCHANGED: &str = "keep the JSON of `az graph query`, `az network … -o json` or the portal's JSON view unchanged (see docs/import-azure.md)";

/// Whether `text` is ARM resource JSON: a resource, an array of resources or `{data: [...]}`.
pub fn is_arm_json(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    resources_of(&v).is_some_and(|r| r.first().is_some_and(|(x, _)| is_resource(x)))
}

/// Whether the start of a large file looks like ARM JSON.
pub fn looks_like_arm(start: &str) -> bool {
    let t = start.trim_start();
    (t.starts_with('[') || t.starts_with('{'))
        && start.contains("\"/subscriptions/")
        && start.contains("\"type\"")
}

/// One ARM resource, its properties (nested, or flattened by the az CLI) and where it is.
pub(super) struct Res {
    pub id: String,
    pub name: String,
    pub ty: String,
    pub location: Option<String>,
    pub props: Value,
    pub file: String,
    pub path: String,
    /// The JSON path of `props`: `PATH.properties`, or `PATH` when flattened.
    pub pp: String,
    /// The resource's `tags` (`{"SecurityZone": "data"}`).
    pub tags: Vec<(String, String)>,
}

/// A nested object's properties (`{name, id, properties: {...}}`), or the object itself when
/// the az CLI flattened them into it. Borrowed, never cloned (cloning every resource's
/// properties was a fifth of an import).
fn props(v: &Value) -> &Value {
    match v.get("properties") {
        Some(p @ Value::Object(_)) => p,
        _ => v,
    }
}

/// [`props`] for the readers, which use it as a value (`&props_of(x)`).
pub(super) fn props_of(v: &Value) -> std::borrow::Cow<'_, Value> {
    std::borrow::Cow::Borrowed(props(v))
}

pub(super) fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The address prefixes of a subnet or a virtual network's address space.
fn prefixes(p: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(s) = str_of(p, "addressPrefix") {
        out.push(s.to_string());
    }
    for key in ["addressPrefixes"] {
        if let Some(Value::Array(a)) = p.get(key) {
            out.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
    if let Some(Value::Array(a)) = p.get("addressSpace").and_then(|s| s.get("addressPrefixes")) {
        out.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
    }
    out.dedup();
    out
}

/// A model id from a name: lowercase letters, digits, `-` and `_`.
pub(super) fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "unnamed".into() } else { s }
}

pub(super) fn unique(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The id a reference object names (`{"id": "/subscriptions/…"}`), lower-cased; `None` when
/// absent or null.
pub(super) fn ref_id(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|x| str_of(x, "id"))
        .map(str::to_ascii_lowercase)
}

/// The last segment of a resource id (its name).
pub(super) fn name_of_id(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// A subnet's reference to another resource, resolved once every resource is read.
pub(super) struct SubnetRef {
    pub net: usize,
    pub sub: usize,
    pub target: String,
    pub file: String,
    pub path: String,
}

/// Everything an import builds, shared by the readers of each resource type.
pub(super) struct Ctx {
    pub doc: Document,
    pub report: ImportReport,
    /// Ids given so far (ids are global in a design).
    pub used: BTreeSet<String>,
    /// Virtual network resource id → index in `doc.networks`.
    pub vnets: BTreeMap<String, usize>,
    /// Subnet resource id → (network index, subnet index).
    pub subnets: BTreeMap<String, (usize, usize)>,
    /// Subnets' `networkSecurityGroup` references.
    pub subnet_nsgs: Vec<SubnetRef>,
    /// Subnets' `routeTable` references.
    pub subnet_rts: Vec<SubnetRef>,
    /// Subnets' `natGateway` references.
    pub subnet_natgws: Vec<SubnetRef>,
    /// Network index → its virtual network gateway's endpoint id.
    pub gateways: BTreeMap<usize, String>,
    /// Connected peerings (network, remote network, `useRemoteGateways`, file, JSON path).
    pub gateway_use: Vec<(usize, usize, bool, String, String)>,
    /// NSG resource id → rule set id.
    pub nsgs: BTreeMap<String, String>,
    /// The NSGs' own association lists (`subnets`, `networkInterfaces`): subnet or NIC id →
    /// (NSG rule set id, file, JSON path); used when the subnet or NIC does not name its NSG.
    pub nsg_backrefs: BTreeMap<String, (String, String, String)>,
    /// ASG resource id → ASG id.
    pub asgs: BTreeMap<String, String>,
    /// Resource ids another resource consumed (public IPs of NICs, VMs of NICs).
    pub consumed: BTreeSet<String>,
    /// Connected peerings that do not allow forwarded traffic (file, JSON path): a finding
    /// once the import has an appliance that could forward over them.
    pub no_forwarding: Vec<(String, String)>,
    /// Cloud tags by document id (subnets carry their network's: Azure subnets have none).
    pub tags: BTreeMap<String, Vec<(String, String)>>,
    /// (network, subnet) → whether `privateEndpointNetworkPolicies` enables the NSG for its
    /// private endpoints (Azure's default: disabled).
    pub pe_policies: BTreeMap<(usize, usize), bool>,
}

/// The resource types read by this slice (every other one is an `unsupported` finding).
const READ: &[&str] = &[
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualnetworks/subnets",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/applicationsecuritygroups",
    "microsoft.network/networkinterfaces",
    "microsoft.network/routetables",
    pe::PE,
    pe::ZONE_GROUP,
    pe::ZONE,
    pe::LINK,
    pe::A,
    fw::FIREWALL,
    fw::POLICY,
    fw::GROUP,
    fw::GROUP_OLD,
    fw::IP_GROUP,
    natgw::NATGW,
    gw::GATEWAY,
    gw::LOCAL,
    gw::CONNECTION,
];

/// Import ARM resource JSON from `path` (a file, or a directory of `*.json`).
pub fn import(path: &Path, opts: ImportOptions) -> Result<Imported, ImportError> {
    import_all(&[path.to_path_buf()], opts)
}

/// Import ARM resource JSON from several files or directories as one export (SPEC §12
/// `import azure FILE...`).
pub fn import_all(
    paths: &[std::path::PathBuf],
    _opts: ImportOptions,
) -> Result<Imported, ImportError> {
    let mut report = ImportReport {
        cloud: Some("azure".into()),
        ..ImportReport::default()
    };
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            files.extend(super::json_files(path)?);
        } else {
            files.push(path.clone());
        }
    }
    let shown = match paths {
        [one] => one.display().to_string(),
        [first, rest @ ..] => format!("{} and {} more", first.display(), rest.len()),
        [] => String::new(),
    };
    let mut all = Vec::new();
    for (f, r) in files.iter().zip(super::json::map_files(&files, read)) {
        match r? {
            FileRead::Resources(list) => {
                report.files += 1;
                all.extend(list);
            }
            FileRead::Other(v) => {
                let name = f.display().to_string();
                if !template(&v, &name, &mut report) {
                    report.unsupported(&name, "", "not ARM resource JSON: skipped");
                }
            }
        }
    }
    build(all, &shown, report, true)
}

/// Import ARM resources already in memory (the Terraform importer's translation of `azurerm_*`
/// resources): each `(resource, file, JSON path)`; findings name that file and path. `report`
/// holds what the caller found already. Unlike an export, an input without a virtual network
/// (a plan that changes NSGs only) is no error.
pub fn import_values(
    resources: Vec<(Value, String, String)>,
    name: &str,
    report: ImportReport,
    _opts: ImportOptions,
) -> Result<Imported, ImportError> {
    let mut report = report;
    report.cloud = Some("azure".into());
    let mut all = Vec::new();
    for (x, file, p) in resources {
        read_one(&file, x, p, &mut all)?;
    }
    build(all, name, report, false)
}

/// Everything an import does once the resources are read; `need_network`: an input without a
/// virtual network is an error (else a finding). (By value: the readers below take `&all`.)
#[allow(clippy::needless_pass_by_value)]
fn build(
    all: Vec<Res>,
    shown: &str,
    report: ImportReport,
    need_network: bool,
) -> Result<Imported, ImportError> {
    let mut cx = Ctx {
        doc: Document {
            version: 1,
            name: Some(format!("Azure import of {shown}")),
            ..Document::default()
        },
        report,
        used: BTreeSet::new(),
        vnets: BTreeMap::new(),
        subnets: BTreeMap::new(),
        subnet_nsgs: Vec::new(),
        subnet_rts: Vec::new(),
        subnet_natgws: Vec::new(),
        gateways: BTreeMap::new(),
        gateway_use: Vec::new(),
        nsgs: BTreeMap::new(),
        nsg_backrefs: BTreeMap::new(),
        asgs: BTreeMap::new(),
        consumed: BTreeSet::new(),
        tags: BTreeMap::new(),
        no_forwarding: Vec::new(),
        pe_policies: BTreeMap::new(),
    };
    networks(&mut cx, &all);
    if cx.doc.networks.is_empty() && !need_network {
        cx.report.unsupported(
            shown,
            "",
            "no virtual network with an address space in the input: its rule sets are imported, attached to nothing",
        );
    } else if cx.doc.networks.is_empty() {
        return Err(ImportError::new(
            shown,
            "",
            "no virtual network with an address space found",
            "include `microsoft.network/virtualnetworks` in the export (see docs/import-azure.md)",
        ));
    }
    nsg::asgs(&mut cx, &all);
    nsg::nsgs(&mut cx, &all)?;
    nsg::attach_subnets(&mut cx);
    pe::dns_zones(&mut cx, &all);
    nic::nics(&mut cx, &all)?;
    fw::firewalls(&mut cx, &all)?;
    natgw::nat_gateways(&mut cx, &all);
    gw::gateways(&mut cx, &all);
    gw::remote_gateways(&mut cx);
    nic::leftovers(&mut cx, &all);
    pe::private_endpoints(&mut cx, &all);
    routes::route_tables(&mut cx, &all)?;
    routes::roles(&mut cx);
    if cx.doc.endpoints.iter().any(|e| e.kind == "firewall") {
        for (file, path) in std::mem::take(&mut cx.no_forwarding) {
            cx.report.unsupported(
                &file,
                path,
                "allowForwardedTraffic is off: Azure drops traffic an appliance forwards into this peering (not from the peer's own addresses); the model lets it through",
            );
        }
    }
    for r in &all {
        if !READ.contains(&r.ty.as_str()) && !cx.consumed.contains(&r.id) && !nic::is_leftover(r) {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!("`{}` ({}) is not modelled yet: skipped", r.ty, r.name),
            );
        }
    }
    zone_tags(&mut cx);
    let Ctx {
        doc: document,
        mut report,
        tags,
        ..
    } = cx;
    super::zones::count_zones(&document, &mut report);
    Ok(Imported {
        document,
        report,
        tags,
    })
}

/// Virtual networks, their subnets (embedded or separate resources) and connected peerings.
fn networks(cx: &mut Ctx, all: &[Res]) {
    let mut subnet_ids: BTreeSet<String> = BTreeSet::new();
    // (network, remote network, properties, file, path of the properties)
    let mut peerings: Vec<(String, String, &Value, String, String)> = Vec::new();
    for r in all
        .iter()
        .filter(|r| r.ty == "microsoft.network/virtualnetworks")
    {
        let id = unique(&slug(&r.name), &mut cx.used);
        let mut dns_servers = Vec::new();
        if let Some(Value::Array(a)) = r.props.get("dhcpOptions").and_then(|d| d.get("dnsServers"))
        {
            for (i, x) in a.iter().enumerate() {
                match x.as_str().map(str::trim) {
                    Some(t) if t.parse::<std::net::IpAddr>().is_ok() => {
                        dns_servers.push(t.to_string());
                    }
                    _ => cx.report.unsupported(
                        &r.file,
                        format!("{}.dhcpOptions.dnsServers[{i}]", r.pp),
                        format!(
                            "virtual network {}: a DNS server that is not an IP address: left out",
                            r.name
                        ),
                    ),
                }
            }
        }
        let net = Network {
            id: id.clone(),
            name: Some(r.name.clone()),
            cloud_id: Some(r.id.clone()),
            provider: Some("azure".into()),
            region: r.location.clone(),
            cidr: prefixes(&r.props),
            dns_servers,
            ..Network::default()
        };
        if net.cidr.is_empty() {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!("virtual network {} has no address space: skipped", r.name),
            );
            continue;
        }
        cx.report.add("networks", 1);
        let n = cx.doc.networks.len();
        cx.tags.insert(id.clone(), r.tags.clone());
        cx.vnets.insert(r.id.clone(), n);
        cx.doc.networks.push(net);
        if let Some(Value::Array(subs)) = r.props.get("subnets") {
            for (i, s) in subs.iter().enumerate() {
                let sp = props(s);
                let sid = str_of(s, "id").unwrap_or("").to_ascii_lowercase();
                let sname = str_of(s, "name").unwrap_or("subnet");
                subnet_ids.insert(sid.clone());
                let at = format!("{}.subnets[{i}]", r.pp);
                let spath = if s.get("properties").is_some() {
                    format!("{at}.properties")
                } else {
                    at.clone()
                };
                push_subnet(cx, n, sname, &sid, sp, &r.file, &at, &spath);
            }
        }
        if let Some(Value::Array(ps)) = r.props.get("virtualNetworkPeerings") {
            for (i, p) in ps.iter().enumerate() {
                let pp = props(p);
                let remote = ref_id(pp, "remoteVirtualNetwork").unwrap_or_default();
                let at = format!("{}.virtualNetworkPeerings[{i}]", r.pp);
                let at = if p.get("properties").is_some() {
                    format!("{at}.properties")
                } else {
                    at
                };
                peerings.push((r.id.clone(), remote, pp, r.file.clone(), at));
            }
        }
    }
    for r in all {
        match r.ty.as_str() {
            "microsoft.network/virtualnetworks/subnets" => {
                if subnet_ids.contains(&r.id) {
                    continue;
                }
                let parent = r.id.rsplit_once("/subnets/").map_or("", |(a, _)| a);
                match cx.vnets.get(parent) {
                    Some(&n) => {
                        push_subnet(cx, n, &r.name, &r.id, &r.props, &r.file, &r.path, &r.pp);
                    }
                    None => cx.report.unsupported(
                        &r.file,
                        r.path.clone(),
                        format!(
                            "subnet {}: its virtual network {parent} is not in the input: skipped",
                            r.name
                        ),
                    ),
                }
            }
            "microsoft.network/virtualnetworks/virtualnetworkpeerings" => {
                let parent =
                    r.id.rsplit_once("/virtualnetworkpeerings/")
                        .map_or("", |(a, _)| a)
                        .to_string();
                let remote = ref_id(&r.props, "remoteVirtualNetwork").unwrap_or_default();
                peerings.push((parent, remote, &r.props, r.file.clone(), r.pp.clone()));
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    for (a, b, props, file, p) in peerings {
        let state = str_of(props, "peeringState").unwrap_or("");
        if !state.eq_ignore_ascii_case("connected") {
            cx.report.assumed(
                &file,
                p,
                format!(
                    "peering state `{state}` carries no traffic (only Connected does): left out"
                ),
            );
            continue;
        }
        let (Some(&x), Some(&y)) = (cx.vnets.get(&a), cx.vnets.get(&b)) else {
            cx.report.unsupported(
                &file,
                p,
                "a peered virtual network is not in the input: skipped",
            );
            continue;
        };
        peering_flags(cx, props, &file, &p);
        cx.gateway_use.push((
            x,
            y,
            props.get("useRemoteGateways").and_then(Value::as_bool) == Some(true),
            file.clone(),
            super::json::join(&p, "useRemoteGateways"),
        ));
        let (i, j) = (x.min(y), x.max(y));
        if i != j && seen.insert((i, j)) {
            let pair = [cx.doc.networks[i].id.clone(), cx.doc.networks[j].id.clone()];
            cx.doc.peerings.push(pair);
            cx.report.add("peerings", 1);
        }
    }
}

/// What a connected peering's settings mean that the model does not hold: each a finding.
fn peering_flags(cx: &mut Ctx, props: &Value, file: &str, pp: &str) {
    let flag = |k: &str| props.get(k).and_then(Value::as_bool);
    let at = |k: &str| super::json::join(pp, k);
    if flag("allowVirtualNetworkAccess") == Some(false) {
        cx.report.unsupported(
            file,
            at("allowVirtualNetworkAccess"),
            "allowVirtualNetworkAccess is false: Azure leaves the peer out of the VirtualNetwork tag, the model keeps it in (AllowVnetInBound/OutBound may allow here what Azure denies)",
        );
    }
    if flag("allowForwardedTraffic") != Some(true) {
        cx.no_forwarding
            .push((file.to_string(), at("allowForwardedTraffic")));
    }
}

/// One subnet of network `n`; `at` is the subnet's JSON path, `pp` that of its properties.
#[allow(clippy::too_many_arguments)]
fn push_subnet(
    cx: &mut Ctx,
    n: usize,
    name: &str,
    cloud_id: &str,
    p: &Value,
    file: &str,
    at: &str,
    pp: &str,
) {
    let cidr = prefixes(p);
    if cidr.is_empty() {
        cx.report.unsupported(
            file,
            at,
            format!("subnet {name} has no address prefix: skipped"),
        );
        return;
    }
    let net = &mut cx.doc.networks[n];
    let id = format!("{}/{}", net.id, slug(name));
    if net.subnets.iter().any(|s| s.id == id) {
        cx.report.unsupported(
            file,
            at,
            format!("subnet {name} repeats in its virtual network: skipped"),
        );
        return;
    }
    let k = net.subnets.len();
    // https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy:
    // `Enabled` or `NetworkSecurityGroupEnabled` turn the NSG on for private endpoints;
    // `Disabled` (the default) and `RouteTableEnabled` leave it off.
    let pep = str_of(p, "privateEndpointNetworkPolicies").is_some_and(|v| {
        v.eq_ignore_ascii_case("enabled") || v.eq_ignore_ascii_case("networksecuritygroupenabled")
    });
    cx.pe_policies.insert((n, k), pep);
    if let Some(t) = cx.tags.get(&net.id).cloned() {
        cx.tags.insert(id.clone(), t);
    }
    net.subnets.push(Subnet {
        id,
        name: Some(name.to_string()),
        cloud_id: Some(cloud_id.to_string()),
        cidr,
        ..Subnet::default()
    });
    cx.subnets.insert(cloud_id.to_string(), (n, k));
    if let Some(target) = ref_id(p, "routeTable") {
        cx.subnet_rts.push(SubnetRef {
            net: n,
            sub: k,
            target,
            file: file.to_string(),
            path: super::json::join(pp, "routeTable.id"),
        });
    }
    if let Some(target) = ref_id(p, "natGateway") {
        cx.subnet_natgws.push(SubnetRef {
            net: n,
            sub: k,
            target,
            file: file.to_string(),
            path: super::json::join(pp, "natGateway.id"),
        });
    }
    if let Some(target) = ref_id(p, "networkSecurityGroup") {
        cx.subnet_nsgs.push(SubnetRef {
            net: n,
            sub: k,
            target,
            file: file.to_string(),
            path: super::json::join(pp, "networkSecurityGroup.id"),
        });
    }
    cx.report.add("subnets", 1);
}

/// Zones from the `SecurityZone` tag (SPEC §12): a virtual network's zone is its subnets'; a
/// NIC's is its endpoints' when it differs from its subnet's.
fn zone_tags(cx: &mut Ctx) {
    let zone_of = |t: Option<&Vec<(String, String)>>| {
        t.and_then(|t| {
            t.iter()
                .find(|(k, _)| k == super::zones::ZONE_TAG)
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        })
    };
    let mut zones = Vec::new();
    for n in &mut cx.doc.networks {
        for s in &mut n.subnets {
            if let Some(z) = zone_of(cx.tags.get(&s.id)) {
                zones.push(z.clone());
                s.zone = Some(z);
            }
        }
    }
    for e in &mut cx.doc.endpoints {
        if let Some(z) = zone_of(cx.tags.get(&e.id)) {
            zones.push(z.clone());
            e.zone = Some(z);
        }
    }
    for z in zones {
        super::zones::declare(&mut cx.doc, &z);
    }
}
