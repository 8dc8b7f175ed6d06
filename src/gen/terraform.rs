//! The synthetic design as the `terraform show -json` output of a state of the `azurerm`
//! provider (`zonescope gen --as terraform`), for the Terraform importer's benchmarks and
//! tests: what a configuration that declared the design's Azure landing zone would hold once
//! applied.
//!
//! Owns: the translation of the design's Azure export ([`super::generate_azure`], where the
//! design's Azure semantics are written once: address prefixes for zones, the hub appliance's
//! route tables, the peerings) into `azurerm_*` resources with the provider's attribute names
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs>), in the
//! state's JSON format (<https://developer.hashicorp.com/terraform/internals/json-format>).
//! Must never: read or write files, look at the clock or the environment, or draw randomness
//! (the same parameters give the same bytes).
//!
//! # Shape
//!
//! One child module per resource group (`module.landing_zone["rg-spoke-r1-s1"]`, as a
//! landing-zone configuration instantiates one module per spoke), each resource
//! `TYPE.this["KEY"]` of a `for_each` (`KEY` its name, a subnet's `NETWORK/SUBNET`). The
//! output is one line of compact JSON, as `terraform show -json` prints it.
//!
//! | Azure export | azurerm |
//! | --- | --- |
//! | resource group (of each resource) | `azurerm_resource_group` |
//! | virtual network | `azurerm_virtual_network` (its computed `subnet` list mirroring the standalone subnets), an `azurerm_subnet` per subnet, `azurerm_subnet_network_security_group_association` and `azurerm_subnet_route_table_association` per subnet that has them, an `azurerm_virtual_network_peering` per side of a peering |
//! | NSG | `azurerm_network_security_group` with inline `security_rule` blocks (Azure's default rules are not in a state: the provider does not manage them) |
//! | route table | `azurerm_route_table` with inline `route` blocks |
//! | NIC of a VM | `azurerm_network_interface` (`ip_forwarding_enabled` for the appliance) |
//! | VM | `azurerm_linux_virtual_machine` |
//! | public IP | `azurerm_public_ip` |
//! | private endpoint | `azurerm_private_endpoint` (its NIC is Azure's, not a Terraform resource: its address is the connection's `private_ip_address`) |
//! | storage / `OpenAI` account | `azurerm_storage_account` / `azurerm_cognitive_account` |
//! | private DNS zone, link, A record | `azurerm_private_dns_zone`, `azurerm_private_dns_zone_virtual_network_link`, `azurerm_private_dns_a_record` |
//!
//! What the Azure export leaves out (the appliance's own filtering, the zone policy,
//! `expect:`) a state leaves out too (`azure.rs`, "What changes, on purpose").

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::GenParams;
use super::azure::AzureStats;

/// The provider's address in a state.
const PROVIDER: &str = "registry.terraform.io/hashicorp/azurerm";

/// A generated state: its text and counts.
pub struct TerraformState {
    text: String,
    pub stats: TerraformStats,
}

impl TerraformState {
    /// The `terraform show -json` text (one line, then a newline).
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Counts of what was written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TerraformStats {
    /// Resource instances, in every module.
    pub resources: usize,
    /// Child modules (one per resource group).
    pub modules: usize,
    pub virtual_networks: usize,
    pub subnets: usize,
    /// Peering resources (one per side).
    pub peerings: usize,
    pub nsgs: usize,
    pub security_rules: usize,
    pub route_tables: usize,
    pub network_interfaces: usize,
    pub virtual_machines: usize,
    pub private_endpoints: usize,
    /// The Azure export it was made from.
    pub azure: AzureStats,
}

/// The `terraform show -json` state of the design for `params` (clamped, see
/// [`GenParams::clamped`]).
#[must_use]
pub fn generate_terraform(params: &GenParams) -> TerraformState {
    let export = super::generate_azure(params);
    let (rows, records) = export.parts();
    let mut w = Writer::default();
    w.stats.azure = export.stats;
    for text in rows.iter().chain(records) {
        // The rows are the generator's own JSON: always valid.
        if let Ok(row) = serde_json::from_str::<Value>(text) {
            w.row(&row);
        }
    }
    w.finish()
}

#[derive(Default)]
struct Writer {
    /// (resource group, its resources printed), in order of first use.
    modules: Vec<(String, Vec<String>)>,
    at: HashMap<String, usize>,
    /// NIC id (lower-cased) → its private address (a private endpoint's NIC comes first).
    nic_ips: HashMap<String, String>,
    stats: TerraformStats,
}

/// The segment after `key` in an ARM id (`resourceGroups` → the resource group).
fn segment<'a>(id: &'a str, key: &str) -> &'a str {
    let mut it = id.split('/');
    while let Some(p) = it.next() {
        if p.eq_ignore_ascii_case(key) {
            return it.next().unwrap_or("");
        }
    }
    ""
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn id_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key)
        .and_then(|x| x.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

fn strs(v: &Value, key: &str) -> Vec<Value> {
    list(v, key)
        .iter()
        .filter(|x| x.is_string())
        .cloned()
        .collect()
}

/// `Enabled` → true.
fn enabled(v: &Value, key: &str) -> bool {
    s(v, key).eq_ignore_ascii_case("enabled")
}

impl Writer {
    /// Add one resource instance `ty.this[key]` to the module of resource group `rg`.
    fn add(&mut self, rg: &str, ty: &str, key: &str, values: Value) {
        let rg = rg.to_ascii_lowercase();
        let m = match self.at.get(&rg) {
            Some(&m) => m,
            None => {
                self.modules.push((rg.clone(), Vec::new()));
                self.at.insert(rg.clone(), self.modules.len() - 1);
                // Each module holds its resource group.
                let k = self.modules.len() - 1;
                let v = json!({
                    "id": format!("/subscriptions/{}/resourceGroups/{rg}", segment(s(&values, "id"), "subscriptions")),
                    "name": rg,
                    "location": values.get("location").cloned().unwrap_or(json!("global")),
                    "tags": {},
                });
                let text = resource(&rg, "azurerm_resource_group", &rg, v);
                self.modules[k].1.push(text);
                self.stats.resources += 1;
                k
            }
        };
        let text = resource(&rg, ty, key, values);
        self.modules[m].1.push(text);
        self.stats.resources += 1;
    }

    fn row(&mut self, r: &Value) {
        let id = s(r, "id");
        let rg = segment(id, "resourceGroups").to_string();
        let name = s(r, "name").to_string();
        let p = r.get("properties").unwrap_or(&Value::Null);
        let ty = s(r, "type").to_ascii_lowercase();
        let mut base = Map::new();
        base.insert("id".into(), json!(id));
        base.insert("name".into(), json!(name));
        base.insert("resource_group_name".into(), json!(rg));
        if let Some(l) = r.get("location").filter(|l| l.is_string()) {
            base.insert("location".into(), l.clone());
        }
        base.insert(
            "tags".into(),
            r.get("tags")
                .filter(|t| t.is_object())
                .cloned()
                .unwrap_or(json!({})),
        );
        let with = |extra: Value| {
            let mut m = base.clone();
            if let Value::Object(e) = extra {
                m.extend(e);
            }
            Value::Object(m)
        };
        match ty.as_str() {
            "microsoft.network/virtualnetworks" => self.vnet(&rg, &name, id, p, with(json!({}))),
            "microsoft.network/networksecuritygroups" => {
                let rules: Vec<Value> =
                    list(p, "securityRules").iter().map(security_rule).collect();
                self.stats.nsgs += 1;
                self.stats.security_rules += rules.len();
                self.add(
                    &rg,
                    "azurerm_network_security_group",
                    &name,
                    with(json!({"security_rule": rules})),
                );
            }
            "microsoft.network/routetables" => {
                let routes: Vec<Value> = list(p, "routes")
                    .iter()
                    .map(|x| {
                        let q = x.get("properties").unwrap_or(&Value::Null);
                        json!({
                            "name": s(x, "name"),
                            "address_prefix": s(q, "addressPrefix"),
                            "next_hop_type": s(q, "nextHopType"),
                            "next_hop_in_ip_address": s(q, "nextHopIpAddress"),
                        })
                    })
                    .collect();
                let subnets: Vec<Value> = list(p, "subnets")
                    .iter()
                    .filter_map(|x| x.get("id").cloned())
                    .collect();
                self.stats.route_tables += 1;
                let bgp = !p
                    .get("disableBgpRoutePropagation")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.add(
                    &rg,
                    "azurerm_route_table",
                    &name,
                    with(json!({"route": routes, "subnets": subnets, "bgp_route_propagation_enabled": bgp})),
                );
            }
            "microsoft.network/networkinterfaces" => {
                let configs = list(p, "ipConfigurations");
                if p.get("privateEndpoint").is_some() {
                    // Azure's NIC of a private endpoint: no Terraform resource.
                    if let Some(ip) = configs
                        .first()
                        .and_then(|c| c.get("properties"))
                        .and_then(|c| c.get("privateIPAddress"))
                        .and_then(Value::as_str)
                    {
                        self.nic_ips.insert(id.to_ascii_lowercase(), ip.to_string());
                    }
                    return;
                }
                let blocks: Vec<Value> = configs
                    .iter()
                    .map(|c| {
                        let q = c.get("properties").unwrap_or(&Value::Null);
                        json!({
                            "name": s(c, "name"),
                            "subnet_id": id_of(q, "subnet"),
                            "private_ip_address": s(q, "privateIPAddress"),
                            "private_ip_address_allocation": s(q, "privateIPAllocationMethod"),
                            "private_ip_address_version": "IPv4",
                            "public_ip_address_id": id_of(q, "publicIPAddress"),
                            "primary": q.get("primary").cloned().unwrap_or(json!(true)),
                        })
                    })
                    .collect();
                let first = blocks
                    .first()
                    .map(|b| b["private_ip_address"].clone())
                    .unwrap_or(json!(""));
                self.stats.network_interfaces += 1;
                self.add(
                    &rg,
                    "azurerm_network_interface",
                    &name,
                    with(json!({
                        "ip_configuration": blocks,
                        "ip_forwarding_enabled": p.get("enableIPForwarding").cloned().unwrap_or(json!(false)),
                        "accelerated_networking_enabled": p.get("enableAcceleratedNetworking").cloned().unwrap_or(json!(false)),
                        "dns_servers": [],
                        "mac_address": s(p, "macAddress"),
                        "private_ip_address": first,
                        "private_ip_addresses": [first],
                        "virtual_machine_id": id_of(p, "virtualMachine"),
                    })),
                );
            }
            "microsoft.compute/virtualmachines" => {
                let nics: Vec<Value> = p
                    .get("networkProfile")
                    .map_or(&[][..], |n| list(n, "networkInterfaces"))
                    .iter()
                    .filter_map(|x| x.get("id").cloned())
                    .collect();
                let size = p
                    .get("hardwareProfile")
                    .map_or("", |h| s(h, "vmSize"))
                    .to_string();
                self.stats.virtual_machines += 1;
                self.add(
                    &rg,
                    "azurerm_linux_virtual_machine",
                    &name,
                    with(json!({
                        "size": size,
                        "admin_username": "azureuser",
                        "network_interface_ids": nics,
                        "zone": r.get("zones").and_then(|z| z.get(0)).cloned().unwrap_or(json!("")),
                    })),
                );
            }
            "microsoft.network/publicipaddresses" => {
                self.add(
                    &rg,
                    "azurerm_public_ip",
                    &name,
                    with(json!({
                        "allocation_method": s(p, "publicIPAllocationMethod"),
                        "ip_address": s(p, "ipAddress"),
                        "ip_version": s(p, "publicIPAddressVersion"),
                        "sku": r.get("sku").map_or("Standard", |k| s(k, "name")),
                        "zones": r.get("zones").cloned().unwrap_or(json!([])),
                    })),
                );
            }
            "microsoft.network/privateendpoints" => {
                let nic = list(p, "networkInterfaces")
                    .first()
                    .and_then(|x| x.get("id"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let ip = self
                    .nic_ips
                    .get(&nic.to_ascii_lowercase())
                    .cloned()
                    .unwrap_or_default();
                let conns: Vec<Value> = list(p, "privateLinkServiceConnections")
                    .iter()
                    .map(|c| {
                        let q = c.get("properties").unwrap_or(&Value::Null);
                        json!({
                            "name": s(c, "name"),
                            "private_connection_resource_id": s(q, "privateLinkServiceId"),
                            "subresource_names": strs(q, "groupIds"),
                            "is_manual_connection": false,
                            "private_ip_address": ip,
                            "request_message": "",
                        })
                    })
                    .collect();
                let dns: Vec<Value> = list(p, "customDnsConfigs")
                    .iter()
                    .map(|c| json!({"fqdn": s(c, "fqdn"), "ip_addresses": strs(c, "ipAddresses")}))
                    .collect();
                self.stats.private_endpoints += 1;
                self.add(
                    &rg,
                    "azurerm_private_endpoint",
                    &name,
                    with(json!({
                        "subnet_id": id_of(p, "subnet"),
                        "custom_network_interface_name": s(p, "customNetworkInterfaceName"),
                        "private_service_connection": conns,
                        "custom_dns_configs": dns,
                        "network_interface": [{"id": nic, "name": segment(&nic, "networkInterfaces")}],
                        "ip_configuration": [],
                        "private_dns_zone_group": [],
                        "private_dns_zone_configs": [],
                    })),
                );
            }
            "microsoft.storage/storageaccounts" => {
                let blob = p
                    .get("primaryEndpoints")
                    .map_or("", |e| s(e, "blob"))
                    .to_string();
                self.add(
                    &rg,
                    "azurerm_storage_account",
                    &name,
                    with(json!({
                        "account_kind": s(r, "kind"),
                        "account_tier": "Standard",
                        "account_replication_type": "ZRS",
                        "public_network_access_enabled": enabled(p, "publicNetworkAccess"),
                        "primary_blob_endpoint": blob,
                        "primary_blob_host": blob.trim_start_matches("https://").trim_end_matches('/'),
                    })),
                );
            }
            "microsoft.cognitiveservices/accounts" => {
                self.add(
                    &rg,
                    "azurerm_cognitive_account",
                    &name,
                    with(json!({
                        "kind": s(r, "kind"),
                        "sku_name": r.get("sku").map_or("S0", |k| s(k, "name")),
                        "custom_subdomain_name": s(p, "customSubDomainName"),
                        "endpoint": s(p, "endpoint"),
                        "public_network_access_enabled": enabled(p, "publicNetworkAccess"),
                        "local_auth_enabled": false,
                    })),
                );
            }
            "microsoft.network/privatednszones" => {
                let mut v = with(json!({}));
                if let Value::Object(m) = &mut v {
                    m.remove("location");
                }
                self.add(&rg, "azurerm_private_dns_zone", &name, v);
            }
            "microsoft.network/privatednszones/virtualnetworklinks" => {
                let zone = segment(id, "privateDnsZones").to_string();
                let mut v = with(json!({
                    "private_dns_zone_name": zone,
                    "virtual_network_id": id_of(p, "virtualNetwork"),
                    "registration_enabled": p.get("registrationEnabled").cloned().unwrap_or(json!(false)),
                }));
                if let Value::Object(m) = &mut v {
                    m.remove("location");
                }
                self.add(
                    &rg,
                    "azurerm_private_dns_zone_virtual_network_link",
                    &format!("{zone}/{name}"),
                    v,
                );
            }
            "microsoft.network/privatednszones/a" => {
                // As `az network private-dns record-set a list` prints it (flattened).
                let zone = segment(id, "privateDnsZones").to_string();
                let ips: Vec<Value> = list(r, "aRecords")
                    .iter()
                    .filter_map(|a| a.get("ipv4Address").cloned())
                    .collect();
                let rg = s(r, "resourceGroup").to_string();
                self.add(
                    &rg,
                    "azurerm_private_dns_a_record",
                    &format!("{zone}/{name}"),
                    json!({
                        "id": id,
                        "name": name,
                        "resource_group_name": rg,
                        "zone_name": zone,
                        "ttl": r.get("ttl").cloned().unwrap_or(json!(300)),
                        "records": ips,
                        "fqdn": s(r, "fqdn"),
                        "tags": {},
                    }),
                );
            }
            _ => {}
        }
    }

    /// A virtual network, its subnets (standalone, mirrored in its `subnet` list), their
    /// associations and its side of each peering.
    fn vnet(&mut self, rg: &str, name: &str, id: &str, p: &Value, mut v: Value) {
        let subnets = list(p, "subnets");
        let mut mirror = Vec::with_capacity(subnets.len());
        let mut rest = Vec::new();
        for sn in subnets {
            let q = sn.get("properties").unwrap_or(&Value::Null);
            let sid = s(sn, "id");
            let sname = s(sn, "name");
            let prefixes = match q.get("addressPrefix") {
                Some(Value::String(x)) => vec![json!(x)],
                _ => strs(q, "addressPrefixes"),
            };
            let nsg = id_of(q, "networkSecurityGroup");
            let rt = id_of(q, "routeTable");
            mirror.push(json!({
                "id": sid,
                "name": sname,
                "address_prefixes": prefixes,
                "security_group": nsg,
                "route_table_id": rt,
                "default_outbound_access_enabled": q.get("defaultOutboundAccess").cloned().unwrap_or(json!(true)),
                "delegation": [],
                "private_endpoint_network_policies": s(q, "privateEndpointNetworkPolicies"),
                "private_link_service_network_policies_enabled": true,
                "service_endpoint_policy_ids": [],
                "service_endpoints": [],
            }));
            let key = format!("{name}/{sname}");
            rest.push((
                "azurerm_subnet",
                key.clone(),
                json!({
                    "id": sid,
                    "name": sname,
                    "resource_group_name": rg,
                    "virtual_network_name": name,
                    "address_prefixes": prefixes,
                    "default_outbound_access_enabled": q.get("defaultOutboundAccess").cloned().unwrap_or(json!(true)),
                    "private_endpoint_network_policies": s(q, "privateEndpointNetworkPolicies"),
                    "private_link_service_network_policies_enabled": true,
                    "delegation": [],
                    "service_endpoints": [],
                    "service_endpoint_policy_ids": [],
                }),
            ));
            self.stats.subnets += 1;
            if !nsg.is_empty() {
                rest.push((
                    "azurerm_subnet_network_security_group_association",
                    key.clone(),
                    json!({"id": sid, "subnet_id": sid, "network_security_group_id": nsg}),
                ));
            }
            if !rt.is_empty() {
                rest.push((
                    "azurerm_subnet_route_table_association",
                    key,
                    json!({"id": sid, "subnet_id": sid, "route_table_id": rt}),
                ));
            }
        }
        for x in list(p, "virtualNetworkPeerings") {
            let q = x.get("properties").unwrap_or(&Value::Null);
            let flag = |k: &str| q.get(k).and_then(Value::as_bool).unwrap_or(false);
            let pname = s(x, "name");
            rest.push((
                "azurerm_virtual_network_peering",
                pname.to_string(),
                json!({
                    "id": s(x, "id"),
                    "name": pname,
                    "resource_group_name": rg,
                    "virtual_network_name": name,
                    "remote_virtual_network_id": id_of(q, "remoteVirtualNetwork"),
                    "allow_virtual_network_access": flag("allowVirtualNetworkAccess"),
                    "allow_forwarded_traffic": flag("allowForwardedTraffic"),
                    "allow_gateway_transit": flag("allowGatewayTransit"),
                    "use_remote_gateways": flag("useRemoteGateways"),
                }),
            ));
            self.stats.peerings += 1;
        }
        let space = p.get("addressSpace").map(|a| strs(a, "addressPrefixes"));
        let dns = p.get("dhcpOptions").map(|d| strs(d, "dnsServers"));
        if let Value::Object(m) = &mut v {
            m.insert("address_space".into(), json!(space.unwrap_or_default()));
            m.insert("dns_servers".into(), json!(dns.unwrap_or_default()));
            m.insert("subnet".into(), Value::Array(mirror));
            m.insert("guid".into(), json!(s(p, "resourceGuid")));
        }
        debug_assert_eq!(s(&v, "id"), id);
        self.stats.virtual_networks += 1;
        self.add(rg, "azurerm_virtual_network", name, v);
        for (ty, key, values) in rest {
            self.add(rg, ty, &key, values);
        }
    }

    fn finish(mut self) -> TerraformState {
        self.stats.modules = self.modules.len();
        let bytes: usize = self
            .modules
            .iter()
            .flat_map(|(_, rs)| rs.iter().map(|r| r.len() + 1))
            .sum();
        let mut text = String::with_capacity(bytes + 200 * self.modules.len() + 200);
        text.push_str(
            "{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.8\",\"values\":{\"root_module\":{\"child_modules\":[",
        );
        for (k, (rg, rs)) in self.modules.iter().enumerate() {
            if k > 0 {
                text.push(',');
            }
            text.push_str("{\"address\":");
            text.push_str(&Value::String(module(rg)).to_string());
            text.push_str(",\"resources\":[");
            for (n, r) in rs.iter().enumerate() {
                if n > 0 {
                    text.push(',');
                }
                text.push_str(r);
            }
            text.push_str("]}");
        }
        text.push_str("]}}}\n");
        TerraformState {
            text,
            stats: self.stats,
        }
    }
}

/// `module.landing_zone["rg"]`.
fn module(rg: &str) -> String {
    format!("module.landing_zone[\"{rg}\"]")
}

/// One resource instance of a state, printed compactly.
fn resource(rg: &str, ty: &str, key: &str, values: Value) -> String {
    let mut m = Map::new();
    m.insert(
        "address".into(),
        json!(format!("{}.{ty}.this[\"{key}\"]", module(rg))),
    );
    m.insert("mode".into(), json!("managed"));
    m.insert("type".into(), json!(ty));
    m.insert("name".into(), json!("this"));
    m.insert("index".into(), json!(key));
    m.insert("provider_name".into(), json!(PROVIDER));
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), values);
    m.insert("sensitive_values".into(), json!({}));
    Value::Object(m).to_string()
}

/// An ARM security rule as an azurerm `security_rule` block (unset single values `""`, unset
/// lists `[]`, as a state holds them).
fn security_rule(x: &Value) -> Value {
    let q = x.get("properties").unwrap_or(&Value::Null);
    json!({
        "name": s(x, "name"),
        "description": s(q, "description"),
        "priority": q.get("priority").cloned().unwrap_or(Value::Null),
        "direction": s(q, "direction"),
        "access": s(q, "access"),
        "protocol": s(q, "protocol"),
        "source_port_range": s(q, "sourcePortRange"),
        "source_port_ranges": strs(q, "sourcePortRanges"),
        "destination_port_range": s(q, "destinationPortRange"),
        "destination_port_ranges": strs(q, "destinationPortRanges"),
        "source_address_prefix": s(q, "sourceAddressPrefix"),
        "source_address_prefixes": strs(q, "sourceAddressPrefixes"),
        "destination_address_prefix": s(q, "destinationAddressPrefix"),
        "destination_address_prefixes": strs(q, "destinationAddressPrefixes"),
        "source_application_security_group_ids": [],
        "destination_application_security_group_ids": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_parameters_give_the_same_bytes_and_the_text_is_a_state() {
        let p = GenParams::size("S").expect("S");
        let a = generate_terraform(&p);
        assert_eq!(a.text(), generate_terraform(&p).text());
        let v: Value = serde_json::from_str(a.text()).expect("JSON");
        let mods = v["values"]["root_module"]["child_modules"]
            .as_array()
            .expect("modules");
        assert_eq!(mods.len(), a.stats.modules);
        let n: usize = mods
            .iter()
            .map(|m| m["resources"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(n, a.stats.resources);
        let mut addresses = std::collections::HashSet::new();
        for m in mods {
            for r in m["resources"].as_array().into_iter().flatten() {
                let a = r["address"].as_str().expect("an address");
                assert!(a.starts_with(m["address"].as_str().unwrap_or("?")), "{a}");
                assert!(addresses.insert(a.to_string()), "{a} twice");
            }
        }
    }
}
