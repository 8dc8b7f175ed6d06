//! The Azure importer (SPEC §12), first slice: ARM resource JSON (a Resource Graph result, its
//! `{data: [...]}` wrapper, the portal's JSON view of one resource, or `az network … list/show
//! -o json` with `properties` flattened into the object) → a [`Document`].
//!
//! Owns: recognising ARM JSON by content, reading virtual networks, their subnets (embedded or
//! as separate resources) and connected peerings, joined by resource id case-insensitively.
//! Every other resource type is an `unsupported` finding with its file and JSON path (NSGs,
//! route tables, NICs, private endpoints, DNS and firewalls come in later slices). Must never:
//! join by name, drop a resource without a finding, or panic on any input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::doc::{Network, Subnet};
use super::{Document, ImportError, ImportOptions, ImportReport, Imported};

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

fn is_resource(v: &Value) -> bool {
    let id = v.get("id").and_then(Value::as_str).unwrap_or("");
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    id.to_ascii_lowercase().starts_with("/subscriptions/") && ty.contains('/')
}

/// The resources of a file with their JSON paths.
fn resources_of(v: &Value) -> Option<Vec<(&Value, String)>> {
    match v {
        Value::Array(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, x)| (x, format!("[{i}]")))
                .collect(),
        ),
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(a)) => Some(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| (x, format!("data[{i}]")))
                    .collect(),
            ),
            _ if is_resource(v) => Some(vec![(v, String::new())]),
            _ => None,
        },
        _ => None,
    }
}

/// One ARM resource, its properties (nested, or flattened by the az CLI) and where it is.
struct Res {
    id: String,
    name: String,
    ty: String,
    location: Option<String>,
    props: Value,
    file: String,
    path: String,
}

fn props_of(v: &Value) -> Value {
    match v.get("properties") {
        Some(p @ Value::Object(_)) => p.clone(),
        _ => v.clone(),
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
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
fn slug(name: &str) -> String {
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

fn unique(base: &str, used: &mut BTreeSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn read(path: &Path, all: &mut Vec<Res>, report: &mut ImportReport) -> Result<(), ImportError> {
    let name = path.display().to_string();
    let v = super::json::read_file(
        path,
        "export fewer resources per file (page with `--first 1000 --skip-token`)",
        UNCHANGED,
    )?;
    let Some(list) = resources_of(&v) else {
        report.unsupported(&name, "", "not ARM resource JSON: skipped");
        return Ok(());
    };
    report.files += 1;
    for (x, p) in list {
        if !x.is_object() {
            return Err(ImportError::new(
                &name,
                p,
                "expected a resource object",
                UNCHANGED,
            ));
        }
        let (Some(id), Some(ty)) = (str_of(x, "id"), str_of(x, "type")) else {
            return Err(ImportError::new(
                &name,
                p,
                "a resource needs a string `id` and `type`",
                UNCHANGED,
            ));
        };
        all.push(Res {
            id: id.to_ascii_lowercase(),
            name: str_of(x, "name").unwrap_or(id).to_string(),
            ty: ty.to_ascii_lowercase(),
            location: str_of(x, "location").map(str::to_string),
            props: props_of(x),
            file: name.clone(),
            path: p,
        });
    }
    Ok(())
}

/// Import ARM resource JSON from `path` (a file, or a directory of `*.json`).
pub fn import(path: &Path, _opts: ImportOptions) -> Result<Imported, ImportError> {
    let mut report = ImportReport::default();
    let files = if path.is_dir() {
        super::json_files(path)?
    } else {
        vec![path.to_path_buf()]
    };
    let mut all = Vec::new();
    for f in &files {
        read(f, &mut all, &mut report)?;
    }
    let mut document = Document {
        version: 1,
        name: Some(format!("Azure import of {}", path.display())),
        ..Document::default()
    };
    let mut used = BTreeSet::new();
    // vnet resource id → index in document.networks
    let mut vnets: BTreeMap<String, usize> = BTreeMap::new();
    let mut subnet_ids: BTreeSet<String> = BTreeSet::new();
    let mut peerings: Vec<(String, String, String, String, String)> = Vec::new();
    for r in all
        .iter()
        .filter(|r| r.ty == "microsoft.network/virtualnetworks")
    {
        let id = unique(&slug(&r.name), &mut used);
        let mut net = Network {
            id: id.clone(),
            name: Some(r.name.clone()),
            cloud_id: Some(r.id.clone()),
            provider: Some("azure".into()),
            region: r.location.clone(),
            cidr: prefixes(&r.props),
            ..Network::default()
        };
        if let Some(Value::Array(subs)) = r.props.get("subnets") {
            for (i, s) in subs.iter().enumerate() {
                let sp = props_of(s);
                let sid = str_of(s, "id").unwrap_or("").to_ascii_lowercase();
                let sname = str_of(s, "name").unwrap_or("subnet");
                subnet_ids.insert(sid.clone());
                push_subnet(
                    &mut net,
                    sname,
                    &sid,
                    &sp,
                    &mut report,
                    &r.file,
                    &format!("{}.properties.subnets[{i}]", r.path),
                );
            }
        }
        if let Some(Value::Array(ps)) = r.props.get("virtualNetworkPeerings") {
            for (i, p) in ps.iter().enumerate() {
                let pp = props_of(p);
                let remote = pp
                    .get("remoteVirtualNetwork")
                    .and_then(|x| str_of(x, "id"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let state = str_of(&pp, "peeringState").unwrap_or("").to_string();
                peerings.push((
                    r.id.clone(),
                    remote,
                    state,
                    r.file.clone(),
                    format!("{}.properties.virtualNetworkPeerings[{i}]", r.path),
                ));
            }
        }
        if net.cidr.is_empty() {
            report.unsupported(
                &r.file,
                r.path.clone(),
                format!("virtual network {} has no address space: skipped", r.name),
            );
            continue;
        }
        report.add("networks", 1);
        vnets.insert(r.id.clone(), document.networks.len());
        document.networks.push(net);
    }
    for r in &all {
        match r.ty.as_str() {
            "microsoft.network/virtualnetworks" => {}
            "microsoft.network/virtualnetworks/subnets" => {
                if subnet_ids.contains(&r.id) {
                    continue;
                }
                let parent = r.id.rsplit_once("/subnets/").map_or("", |(a, _)| a);
                match vnets.get(parent) {
                    Some(&n) => {
                        let net = &mut document.networks[n];
                        push_subnet(net, &r.name, &r.id, &r.props, &mut report, &r.file, &r.path);
                    }
                    None => report.unsupported(
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
                let remote = r
                    .props
                    .get("remoteVirtualNetwork")
                    .and_then(|x| str_of(x, "id"))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let state = str_of(&r.props, "peeringState").unwrap_or("").to_string();
                peerings.push((parent, remote, state, r.file.clone(), r.path.clone()));
            }
            other => report.unsupported(
                &r.file,
                r.path.clone(),
                format!("`{other}` ({}) is not modelled yet: skipped", r.name),
            ),
        }
    }
    let mut seen = BTreeSet::new();
    for (a, b, state, file, p) in peerings {
        if !state.eq_ignore_ascii_case("connected") {
            report.assumed(
                &file,
                p,
                format!(
                    "peering state `{state}` carries no traffic (only Connected does): left out"
                ),
            );
            continue;
        }
        let (Some(&x), Some(&y)) = (vnets.get(&a), vnets.get(&b)) else {
            report.unsupported(
                &file,
                p,
                "a peered virtual network is not in the input: skipped",
            );
            continue;
        };
        let (i, j) = (x.min(y), x.max(y));
        if i != j && seen.insert((i, j)) {
            document.peerings.push([
                document.networks[i].id.clone(),
                document.networks[j].id.clone(),
            ]);
            report.add("peerings", 1);
        }
    }
    if document.networks.is_empty() {
        return Err(ImportError::new(
            &path.display().to_string(),
            "",
            "no virtual network with an address space found",
            "include `microsoft.network/virtualnetworks` in the export (see docs/import-azure.md)",
        ));
    }
    super::zones::count_zones(&document, &mut report);
    Ok(Imported {
        document,
        report,
        tags: BTreeMap::new(),
    })
}

fn push_subnet(
    net: &mut Network,
    name: &str,
    cloud_id: &str,
    p: &Value,
    report: &mut ImportReport,
    file: &str,
    path: &str,
) {
    let cidr = prefixes(p);
    if cidr.is_empty() {
        report.unsupported(
            file,
            path,
            format!("subnet {name} has no address prefix: skipped"),
        );
        return;
    }
    for key in ["networkSecurityGroup", "routeTable", "natGateway"] {
        if p.get(key).is_some_and(|v| !v.is_null()) {
            report.unsupported(
                file,
                format!("{path}.{key}"),
                format!("subnet {name}: `{key}` is not modelled yet"),
            );
        }
    }
    let id = format!("{}/{}", net.id, slug(name));
    if net.subnets.iter().any(|s| s.id == id) {
        report.unsupported(
            file,
            path,
            format!("subnet {name} repeats in its virtual network: skipped"),
        );
        return;
    }
    report.add("subnets", 1);
    net.subnets.push(Subnet {
        id,
        name: Some(name.to_string()),
        cloud_id: Some(cloud_id.to_string()),
        cidr,
        ..Subnet::default()
    });
}
