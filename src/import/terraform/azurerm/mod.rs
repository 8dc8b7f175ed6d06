//! The `azurerm` provider's resources → ARM resource JSON (`{id, name, type, location,
//! properties, tags}`, as the REST API returns it: `../shared/reference/azure/rest-api-specs/`),
//! handed to `import::azure`, so Azure semantics live in `import::azure` only (as `aws.rs` does
//! for AWS).
//!
//! Owns: which attribute of which `azurerm_*` type becomes which ARM field; ARM ids: a
//! resource's own `id`, else (created by the plan) the id ARM gives it, made from its
//! subscription (the one the file's known ids use, else `terraform`), resource group, type and
//! name, a child's under its parent's id (a subnet under its virtual network) so that joins by
//! id work; joins by reference (the `configuration` block) when an id is not known yet; the
//! provider's mirrors (an NSG's `security_rule`, a route table's `route` and a virtual
//! network's `subnet` also list what standalone resources made, read once, and what a plan
//! deletes is taken out); and moving findings and origins from the ARM shapes back onto the
//! Terraform resource and its JSON path. Must never: decide what a rule or route means
//! (`import::azure` does), or guess a value the plan does not know (each is a finding with the
//! resource address and the attribute).
//!
//! Provider: <https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs>.

use super::Places;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::aws::Translate;
use super::{Input, Res};
use crate::import::{Document, ImportError, ImportOptions, ImportReport, Imported};

mod fw;
mod net;
mod rules;

/// The `azurerm_*` types translated (associations and standalone rules are folded into the
/// resource they attach to).
pub const COVERED: &[&str] = &[
    "azurerm_resource_group",
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_network_security_group",
    "azurerm_network_security_rule",
    "azurerm_subnet_network_security_group_association",
    "azurerm_route_table",
    "azurerm_route",
    "azurerm_subnet_route_table_association",
    "azurerm_virtual_network_peering",
    "azurerm_network_interface",
    "azurerm_network_interface_security_group_association",
    "azurerm_network_interface_application_security_group_association",
    "azurerm_application_security_group",
    "azurerm_public_ip",
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
    "azurerm_private_endpoint",
    "azurerm_private_dns_zone",
    "azurerm_private_dns_zone_virtual_network_link",
    "azurerm_private_dns_a_record",
    "azurerm_firewall",
    "azurerm_firewall_nat_rule_collection",
    "azurerm_firewall_policy",
    "azurerm_firewall_policy_rule_collection_group",
    "azurerm_ip_group",
    "azurerm_ip_group_cidr",
    "azurerm_nat_gateway",
    "azurerm_nat_gateway_public_ip_association",
    "azurerm_subnet_nat_gateway_association",
    "azurerm_storage_account",
    "azurerm_cognitive_account",
    "azurerm_key_vault",
];

/// Data sources read as the resource they describe.
const DATA: &[&str] = &[
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_network_security_group",
    "azurerm_private_dns_zone",
];

/// The ARM type and id segment of each top-level type (children are in `child_type`).
fn arm_type(rtype: &str) -> Option<(&'static str, &'static str)> {
    Some(match rtype {
        "azurerm_virtual_network" => ("Microsoft.Network/virtualNetworks", "virtualNetworks"),
        "azurerm_network_security_group" => (
            "Microsoft.Network/networkSecurityGroups",
            "networkSecurityGroups",
        ),
        "azurerm_route_table" => ("Microsoft.Network/routeTables", "routeTables"),
        "azurerm_network_interface" => ("Microsoft.Network/networkInterfaces", "networkInterfaces"),
        "azurerm_application_security_group" => (
            "Microsoft.Network/applicationSecurityGroups",
            "applicationSecurityGroups",
        ),
        "azurerm_public_ip" => ("Microsoft.Network/publicIPAddresses", "publicIPAddresses"),
        "azurerm_private_endpoint" => ("Microsoft.Network/privateEndpoints", "privateEndpoints"),
        "azurerm_private_dns_zone" => ("Microsoft.Network/privateDnsZones", "privateDnsZones"),
        "azurerm_firewall" => ("Microsoft.Network/azureFirewalls", "azureFirewalls"),
        "azurerm_firewall_policy" => ("Microsoft.Network/firewallPolicies", "firewallPolicies"),
        "azurerm_ip_group" => ("Microsoft.Network/ipGroups", "ipGroups"),
        "azurerm_nat_gateway" => ("Microsoft.Network/natGateways", "natGateways"),
        "azurerm_storage_account" => ("Microsoft.Storage/storageAccounts", "storageAccounts"),
        "azurerm_cognitive_account" => ("Microsoft.CognitiveServices/accounts", "accounts"),
        "azurerm_key_vault" => ("Microsoft.KeyVault/vaults", "vaults"),
        "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" => {
            ("Microsoft.Compute/virtualMachines", "virtualMachines")
        }
        _ => return None,
    })
}

/// A child type: (its parent's type, the attribute naming the parent, the id segment).
fn child_type(rtype: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match rtype {
        "azurerm_subnet" => ("azurerm_virtual_network", "virtual_network_name", "subnets"),
        "azurerm_virtual_network_peering" => (
            "azurerm_virtual_network",
            "virtual_network_name",
            "virtualNetworkPeerings",
        ),
        "azurerm_network_security_rule" => (
            "azurerm_network_security_group",
            "network_security_group_name",
            "securityRules",
        ),
        "azurerm_route" => ("azurerm_route_table", "route_table_name", "routes"),
        "azurerm_private_dns_zone_virtual_network_link" => (
            "azurerm_private_dns_zone",
            "private_dns_zone_name",
            "virtualNetworkLinks",
        ),
        "azurerm_private_dns_a_record" => ("azurerm_private_dns_zone", "zone_name", "A"),
        _ => return None,
    })
}

/// Whether this file is for the azurerm mapping: it holds more `azurerm_*` resources the
/// mapping covers than `aws_*` ones.
pub(crate) fn wanted(input: &Input) -> bool {
    let az = input
        .resources
        .iter()
        .filter(|r| COVERED.contains(&r.rtype.as_str()))
        .count();
    let aws = input
        .resources
        .iter()
        .filter(|r| super::aws::COVERED.contains(&r.rtype.as_str()))
        .count();
    az > 0 && az >= aws
}

/// `module.net[0].azurerm_subnet.a["x"]` → `module.net-0.azurerm_subnet.a-x`.
fn sanitize(address: &str) -> String {
    let mut out = String::new();
    for c in address.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The subscription of an ARM id.
fn subscription(id: &str) -> Option<&str> {
    let rest = id.strip_prefix("/subscriptions/").or_else(|| {
        id.get(..15)
            .filter(|p| p.eq_ignore_ascii_case("/subscriptions/"))
            .map(|_| &id[15..])
    })?;
    rest.split('/').next().filter(|s| !s.is_empty())
}

/// The translation of one file: the ARM resources, and where each part came from.
pub(crate) struct Az<'a> {
    pub tr: Translate<'a>,
    /// (ARM resource, its JSON path in the translation).
    out: Vec<(Value, String)>,
    /// Translated path → (the JSON path in the file, the resource address).
    places: Vec<(String, String, String)>,
    /// (type, resource group, name) lower-cased → the resource.
    by_name: HashMap<(String, String, String), usize>,
    sub: String,
    /// Resources consumed into another one (standalone rules, associations).
    pub folded: HashSet<usize>,
}

impl<'a> Az<'a> {
    fn new(input: &'a Input, report: &'a mut ImportReport) -> Self {
        let tr = Translate::new(input, report);
        let mut subs: Vec<String> = input
            .resources
            .iter()
            .filter(|r| r.rtype.starts_with("azurerm_"))
            .filter_map(|r| r.s("id").and_then(subscription).map(str::to_string))
            .collect();
        subs.sort();
        subs.dedup();
        let sub = match subs.as_slice() {
            [one] => one.clone(),
            _ => "terraform".to_string(),
        };
        Az {
            tr,
            out: Vec::new(),
            places: Vec::new(),
            by_name: HashMap::new(),
            sub,
            folded: HashSet::new(),
        }
    }

    pub fn res(&self, k: usize) -> &'a Res {
        self.tr.res(k)
    }

    /// Resources and data sources of a type.
    pub fn of(&self, t: &str) -> Vec<usize> {
        let mut v = self.tr.of(t);
        if DATA.contains(&t) {
            v.extend(self.tr.of(&format!("data.{t}")));
        }
        v
    }

    /// The ARM id of resource `k` (its own, or the one made for it).
    pub fn id(&self, k: usize) -> String {
        self.tr.ids[k].clone()
    }

    /// A known string attribute, else (a plan) the value of what its configuration refers to.
    pub fn val(&mut self, k: usize, key: &str) -> Option<String> {
        let r = self.res(k);
        if let Some(v) = r.s(key) {
            return Some(v.to_string());
        }
        self.tr.follow_path(k, &[key])
    }

    fn rg(&mut self, k: usize) -> String {
        self.val(k, "resource_group_name")
            .unwrap_or_else(|| "terraform".to_string())
    }

    fn name(&mut self, k: usize) -> String {
        self.val(k, "name")
            .unwrap_or_else(|| sanitize(&self.res(k).address))
    }

    /// Give every resource its ARM id: known ids first, then those a plan creates (top-level
    /// resources, then children under their parent's id).
    fn ids(&mut self) {
        let mut made = Vec::new();
        let n = self.tr.input.resources.len();
        for pass in 0..2 {
            for k in 0..n {
                let r = self.res(k);
                let top = arm_type(&r.rtype);
                let child = child_type(&r.rtype);
                if (pass == 0 && top.is_none()) || (pass == 1 && child.is_none()) {
                    continue;
                }
                let rg = self.rg(k);
                let name = self.name(k);
                let id = if let Some(id) = self.res(k).s("id") {
                    id.to_string()
                } else if let Some((t, _)) = top {
                    made.push(self.res(k).address.clone());
                    format!(
                        "/subscriptions/{}/resourceGroups/{rg}/providers/{t}/{name}",
                        self.sub
                    )
                } else if let Some((ptype, pattr, seg)) = child {
                    made.push(self.res(k).address.clone());
                    let parent = if let Some(p) = self.parent(k, ptype, pattr) {
                        self.id(p)
                    } else {
                        let pname = self.val(k, pattr).unwrap_or_else(|| "unknown".into());
                        let t = arm_type(ptype).map_or("", |x| x.0);
                        format!(
                            "/subscriptions/{}/resourceGroups/{rg}/providers/{t}/{pname}",
                            self.sub
                        )
                    };
                    format!("{parent}/{seg}/{name}")
                } else {
                    continue;
                };
                if top.is_some() {
                    let key = (
                        self.res(k).rtype.clone(),
                        rg.to_ascii_lowercase(),
                        name.to_ascii_lowercase(),
                    );
                    self.by_name.insert(key, k);
                }
                self.tr.ids[k] = id;
            }
        }
        if !made.is_empty() {
            let shown: Vec<&str> = made.iter().take(3).map(String::as_str).collect();
            let file = self.tr.input.file.clone();
            self.tr.report.assumed(
                &file,
                "",
                format!(
                    "{} resource(s) have no id until apply (e.g. {}): each is given the ARM id its subscription ({}), resource group, type and name make",
                    made.len(),
                    shown.join(", "),
                    self.sub
                ),
            );
        }
    }

    /// The parent resource of child `k` (a subnet's virtual network): by the configuration's
    /// reference of `attr`, else by resource group and name (an ARM id is made of them).
    pub fn parent(&mut self, k: usize, ptype: &str, attr: &str) -> Option<usize> {
        let (scope, local) = self.tr.scope_local(k);
        for (tscope, taddr, _, _) in self.tr.input.config.targets(&scope, &local, &[attr]) {
            let full = if tscope.is_empty() {
                taddr
            } else {
                format!("{tscope}.{taddr}")
            };
            let hits: Vec<usize> = self
                .of(ptype)
                .into_iter()
                .filter(|&p| self.res(p).config_address() == full)
                .collect();
            if let [one] = hits.as_slice() {
                return Some(*one);
            }
        }
        let pname = self.val(k, attr)?.to_ascii_lowercase();
        let rg = self.rg(k).to_ascii_lowercase();
        self.by_name
            .get(&(ptype.to_string(), rg.clone(), pname.clone()))
            .copied()
            .or_else(|| {
                // A data source of the parent's type.
                self.of(ptype).into_iter().find(|&p| {
                    let r = self.res(p);
                    r.s("name").map(str::to_ascii_lowercase).as_deref() == Some(pname.as_str())
                        && r.s("resource_group_name")
                            .map(str::to_ascii_lowercase)
                            .as_deref()
                            == Some(rg.as_str())
                })
            })
    }

    /// The ARM id a child's parent has (its resource's, else made from names).
    pub fn parent_id(&mut self, k: usize) -> Option<String> {
        let id = self.id(k);
        let (_, _, seg) = child_type(&self.res(k).rtype)?;
        id.rsplit_once(&format!("/{seg}/")).map(|x| x.0.to_string())
    }

    /// Add an ARM resource made from resource `k`; `real` is the JSON path in the file it
    /// comes from (the resource's, or one block of it).
    pub fn push(&mut self, k: usize, real: &str, ty: &str, props: Value) -> usize {
        self.push_id(k, real, ty, &self.id(k), props)
    }

    /// As [`Self::push`], with an id of its own (an inline block's).
    pub fn push_id(&mut self, k: usize, real: &str, ty: &str, id: &str, props: Value) -> usize {
        let r = self.res(k);
        let name = id.rsplit('/').next().unwrap_or(id).to_string();
        let mut o = Map::new();
        o.insert("id".into(), json!(id));
        o.insert("name".into(), json!(name));
        o.insert("type".into(), json!(ty));
        if let Some(l) = r.s("location") {
            o.insert("location".into(), json!(l));
        }
        if let Some(t) = r.values.get("tags").filter(|t| t.is_object()) {
            o.insert("tags".into(), t.clone());
        }
        o.insert("properties".into(), props);
        let path = format!("{real}#arm");
        self.place(&path, real, &r.address);
        self.out.push((Value::Object(o), path));
        self.out.len() - 1
    }

    /// The translated path of ARM resource `i` (to place its parts with [`Self::place`]).
    pub fn path_of(&self, i: usize) -> String {
        self.out[i].1.clone()
    }

    pub fn arm_mut(&mut self, i: usize) -> &mut Value {
        &mut self.out[i].0
    }

    /// Record that the translated `path` came from `real` in resource `address`.
    pub fn place(&mut self, path: &str, real: &str, address: &str) {
        self.places
            .push((path.to_string(), real.to_string(), address.to_string()));
    }

    /// The inline blocks `key` of resource `k` (an NSG's `security_rule`, a table's `route`)
    /// with their `after_unknown` parts; when the list itself is known only after apply and
    /// the configuration writes it, a finding that `what` is not in the import.
    pub fn inline_blocks(&mut self, k: usize, key: &str, what: &str) -> Vec<(Value, Value)> {
        let r = self.res(k);
        let blocks = r.blocks(key);
        if blocks.is_empty() && r.unknown(key) {
            let (scope, local) = self.tr.scope_local(k);
            if self.tr.input.config.has(&scope, &local, key) {
                self.unknown(k, key, what);
            }
        }
        blocks
    }

    /// Tell once that `attr` of `k` is known only after apply.
    pub fn unknown(&mut self, k: usize, attr: &str, consequence: &str) {
        self.tr.unknown(k, attr, consequence);
    }

    /// An id-valued attribute: its value, else the resource its configuration refers to (a
    /// finding when it is unknown and nothing names it).
    pub fn join(&mut self, k: usize, key: &str) -> Option<String> {
        let known = self.res(k).s(key).is_some();
        let v = self.tr.join(k, key)?;
        if known || fits(key, &v) {
            return Some(v);
        }
        self.unknown(
            k,
            key,
            "its configuration names no resource of this type in this file: the link is left out",
        );
        None
    }

    pub fn join_list(&mut self, k: usize, key: &str) -> Vec<String> {
        let known = self.res(k).strings(key);
        let mut v = self.tr.join_list(k, key);
        v.retain(|x| known.contains(x) || fits(key, x));
        v
    }

    /// An id-valued attribute of one nested block (`["ip_configuration", "0", "subnet_id"]`):
    /// its value, else what the configuration of that block refers to.
    pub fn join_in(
        &mut self,
        k: usize,
        block: &Value,
        un: &Value,
        path: &[&str],
    ) -> Option<String> {
        let key = path.last().copied().unwrap_or("");
        if let Some(v) = block
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            return Some(v.to_string());
        }
        let unknown = un.get(key).is_some_and(super::any_true);
        if (unknown || !self.tr.input.config.is_empty())
            && let Some(v) = self.tr.follow_path(k, path).filter(|v| fits(key, v))
        {
            return Some(v);
        }
        if unknown {
            self.unknown(
                k,
                &dotted(path),
                "its configuration names no resource of this file: the link is left out",
            );
        }
        None
    }

    /// The ids of a list attribute of a nested block: the known ones, else the resources the
    /// configuration refers to.
    pub fn join_list_in(
        &mut self,
        k: usize,
        block: &Value,
        un: &Value,
        path: &[&str],
    ) -> Option<Vec<String>> {
        let key = path.last().copied().unwrap_or("");
        let mut out = strings(block, key);
        if !un.get(key).is_some_and(super::any_true) {
            return Some(out);
        }
        for v in self.tr.follow_all(k, path) {
            if fits(key, &v) && !out.contains(&v) {
                out.push(v);
            }
        }
        if out.is_empty() {
            self.unknown(
                k,
                &dotted(path),
                "its configuration names no resource of this file: left out",
            );
            return None;
        }
        Some(out)
    }

    fn finish(self) -> (Vec<(Value, String)>, Places) {
        // The last place recorded for a path wins (a fold names the standalone resource).
        (self.out, Places::new(&self.tr.input.file, self.places))
    }
}

/// Whether `v`, resolved through a reference for attribute `key`, is an id of the type the
/// attribute takes (a reference also names its resource, `azurerm_virtual_network.x` for
/// `one(azurerm_virtual_network.x.subnet).id`, whose id is not a subnet's).
fn fits(key: &str, v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    let last_type = |seg: &str| {
        l.rsplit_once('/')
            .and_then(|(a, _)| a.rsplit_once('/'))
            .is_some_and(|(_, t)| t == seg)
    };
    let want = match key.trim_end_matches('s') {
        "subnet_id" => "subnets",
        "network_security_group_id" => "networksecuritygroups",
        "route_table_id" => "routetables",
        "public_ip_address_id" => "publicipaddresses",
        "virtual_network_id" | "remote_virtual_network_id" => "virtualnetworks",
        "network_interface_id" => "networkinterfaces",
        "nat_gateway_id" => "natgateways",
        "firewall_policy_id" | "base_policy_id" => "firewallpolicies",
        "application_security_group_id"
        | "source_application_security_group_id"
        | "destination_application_security_group_id" => "applicationsecuritygroups",
        "private_dns_zone_id" => "privatednszones",
        "ip_group_id" | "source_ip_group" | "destination_ip_group" => "ipgroups",
        _ => return true,
    };
    last_type(want)
}

/// `["route", "0", "next_hop_in_ip_address"]` → `route[0].next_hop_in_ip_address`.
pub fn dotted(path: &[&str]) -> String {
    let mut s = String::new();
    for p in path {
        if p.parse::<usize>().is_ok() {
            s.push_str(&format!("[{p}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(p);
        }
    }
    s
}

/// The non-empty strings of a list member (or one string).
pub fn strings(v: &Value, key: &str) -> Vec<String> {
    match v.get(key) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// A non-empty string member.
pub fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `[{"id": …}]` of ids.
pub fn refs(ids: &[String]) -> Value {
    Value::Array(ids.iter().map(|i| json!({"id": i})).collect())
}

/// Import the `azurerm_*` resources of `input` through `import::azure`.
pub(crate) fn import(
    input: Input,
    opts: ImportOptions,
    document: Document,
    mut report: ImportReport,
) -> Result<Imported, ImportError> {
    let (resources, places) = {
        let mut az = Az::new(&input, &mut report);
        az.ids();
        az.run();
        az.finish()
    };
    let file = input.file.clone();
    // The translation holds what the import needs from here on.
    drop(input);
    let resources = resources
        .into_iter()
        .map(|(v, p)| (v, file.clone(), p))
        .collect();
    let mut imported = crate::import::azure::import_values(resources, &file, report, opts)
        .map_err(|mut e| {
            if let Some((real, addr)) = places.find(&e.json_path) {
                e.message = format!("{addr}: {}", e.message);
                e.json_path.clone_from(real);
            }
            e.help = "give the unchanged output of `terraform show -json`".into();
            e
        })?;
    places.relocate(&mut imported.report);
    imported.document.name = document.name;
    imported.document.description = document.description;
    Ok(imported)
}

impl Az<'_> {
    fn run(&mut self) {
        let mut handled: HashSet<usize> = HashSet::new();
        for t in COVERED {
            handled.extend(self.tr.of(t));
        }
        for t in DATA {
            handled.extend(self.tr.of(&format!("data.{t}")));
        }
        let file = self.tr.input.file.clone();
        for k in 0..self.tr.input.resources.len() {
            let r = self.res(k);
            if handled.contains(&k) {
                if r.rtype == "azurerm_resource_group" {
                    self.tr.report.assumed(
                        &file,
                        r.path.clone(),
                        format!(
                            "{}: a resource group holds no network behaviour: read for its name only",
                            r.address
                        ),
                    );
                }
                continue;
            }
            let what = if r.rtype.starts_with("aws_") {
                "an aws resource in a file of azurerm ones: import each provider's configuration on its own"
            } else if r.mode == "data" {
                "a data source of this type is not imported"
            } else {
                "this resource type is not modelled"
            };
            self.tr.report.unsupported(
                &file,
                r.path.clone(),
                format!("{} ({}): {what}: left out", r.address, r.rtype),
            );
        }
        self.simple();
        rules::nsgs(self);
        rules::route_tables(self);
        net::networks(self);
        net::nics(self);
        net::private_endpoints(self);
        net::dns(self);
        fw::firewalls(self);
        fw::policies(self);
        fw::ip_groups(self);
        fw::nat_gateways(self);
    }

    /// Resources whose ARM shape has no properties the importer reads.
    fn simple(&mut self) {
        for k in self.of("azurerm_application_security_group") {
            let p = self.res(k).path.clone();
            self.push(
                k,
                &p,
                "Microsoft.Network/applicationSecurityGroups",
                json!({}),
            );
        }
        for k in self.of("azurerm_public_ip") {
            let r = self.res(k);
            let p = r.path.clone();
            if r.s("ip_address").is_none() && r.unknown("ip_address") {
                self.unknown(
                    k,
                    "ip_address",
                    "what this public address exposes to the internet is not judged (what it is attached to is modelled without it)",
                );
            }
            let r = self.res(k);
            let props = json!({
                "ipAddress": r.s("ip_address"),
                "publicIPAllocationMethod": r.s("allocation_method"),
                "publicIPAddressVersion": r.s("ip_version"),
            });
            self.push(k, &p, "Microsoft.Network/publicIPAddresses", props);
        }
        // Private Link targets: only whether the internet reaches them
        // (`public_network_access_enabled`, the provider's default true).
        for (t, ty) in [
            (
                "azurerm_storage_account",
                "Microsoft.Storage/storageAccounts",
            ),
            (
                "azurerm_cognitive_account",
                "Microsoft.CognitiveServices/accounts",
            ),
            ("azurerm_key_vault", "Microsoft.KeyVault/vaults"),
        ] {
            for k in self.of(t) {
                let r = self.res(k);
                let p = r.path.clone();
                let public = r.bool("public_network_access_enabled");
                if public.is_none() && r.unknown("public_network_access_enabled") {
                    self.unknown(
                        k,
                        "public_network_access_enabled",
                        "whether the internet reaches it is taken as Azure's default (enabled)",
                    );
                }
                let access = public.map(|e| if e { "Enabled" } else { "Disabled" });
                self.push(k, &p, ty, json!({"publicNetworkAccess": access}));
            }
        }
    }
}
