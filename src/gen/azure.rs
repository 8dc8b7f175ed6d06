//! The synthetic design as Azure Resource Graph JSON (`zonescope gen --as azure`), for the
//! Azure importer's benchmarks and tests: the same [`Design`] the YAML emitter writes, as the
//! ARM resources an `az graph query` over the subscriptions returns, in REST API shapes.
//!
//! Owns: the translation of the design into ARM resources and their deterministic ids and
//! GUIDs. Must never: read or write files, look at the clock or the environment, or draw
//! randomness (GUIDs are a bijective mix of a counter, so the same parameters give the same
//! bytes).
//!
//! # Pages, or one array
//!
//! [`AzureExport::files`] is the folder the loop in docs/import-azure.md writes: one file per
//! Resource Graph page (`resource-graph/page-0001.json`, …, each as `az graph query --first
//! 1000 -o json` prints it: `count`, `data`, `skip_token` while rows follow, `total_records`),
//! then `private-dns-a.json`, the A record sets as `az network private-dns record-set a list`
//! prints them (Resource Graph's `Resources` table holds no record sets). Pages and not one
//! file per region because that is what a real export is: one query spans every subscription
//! and region and pages by count, and private DNS zones and links are `global`, in no region;
//! and because the importer reads at most 64 MB per file, which a concatenated L export (about
//! 240 MB) exceeds. [`AzureExport::text`] is everything as one array (the pages' `data`
//! concatenated, then the records), for small designs and stdout. Rows have Resource Graph's
//! columns (`id`, `name`, `type` lower-cased, `location`, `resourceGroup`, `subscriptionId`,
//! `tenantId`, `kind`, `sku`, `tags`, `properties`, …), keys sorted and two-space indentation,
//! as `az … -o json` and `jq` print them; `properties` are shaped as the REST API returns them
//! (`../shared/reference/azure/rest-api-specs/`).
//!
//! # Translation
//!
//! | design | Azure |
//! | --- | --- |
//! | hub `hub-r{r}` | a virtual network in the connectivity subscription, resource group `rg-hub-{region}`, location = the design's region (`eastus`, `westeurope`, …) |
//! | spoke `spoke-r{r}-s{s}` | a virtual network in its own landing-zone subscription, resource group `rg-spoke-r{r}-s{s}` |
//! | subnet | a subnet inside its network's `properties.subnets`, named as the design; `privateEndpointNetworkPolicies: Enabled` where it holds private endpoints (the design's NSGs filter them; Azure's default is `Disabled`) |
//! | hub-to-hub and spoke-to-hub links | a `Connected` peering on each side, inside `properties.virtualNetworkPeerings`, `allowForwardedTraffic: true` (the hub's appliance forwards between them) |
//! | NSG (rule set of kind `nsg`) | a network security group with the design's rules as `securityRules` (name, priority, direction, access, protocol, ports, `description` = the justification) and Azure's six `defaultSecurityRules`, on its subnet |
//! | zone tags | `SecurityZone` on every NIC, VM and private endpoint (the endpoint's zone), on every NSG (its subnet's zone), on the `OpenAI` and storage accounts, and on a virtual network only when all its subnets share one zone (Azure subnets have no tags) |
//! | endpoint with an address | a VM (`microsoft.compute/virtualmachines`, named as the design) and its NIC `{id}-nic` with a static private address; the `bastion`'s public address is a Standard public IP from 203.0.113.0/24 |
//! | the hub firewall `fw-r{r}` | an NVA: a VM whose NIC has `enableIPForwarding: true`, and a route table `rt-{network}` with `0.0.0.0/0 → VirtualAppliance` at its address on every subnet of the hub (but its own) and of its spokes (the design's `egress:`, SPEC §11.1). Its policy `fwp-r{r}` is the appliance's own configuration, which no ARM resource holds: not written |
//! | private endpoint | a private endpoint (approved connection, `customDnsConfigs` with the service's name) and its NIC `{id}-nic` |
//! | Azure `OpenAI` service `aoai-r{r}` | a `microsoft.cognitiveservices/accounts` (kind `OpenAI`) named by its FQDN's first label, `publicNetworkAccess` from `public_access` |
//! | storage service `st-r{r}-s{s}` | a `microsoft.storage/storageaccounts` (`contosor{r}s{s}`), the same |
//! | private DNS zones | `microsoft.network/privatednszones` (`global`, resource group `rg-dns`), a virtual network link per linked network, and an A record per private endpoint |
//!
//! Selectors become address prefixes: `*`, `Internet` and `VirtualNetwork` stay as they are
//! (Azure's service tags); a zone is the prefixes of every subnet of that zone in the design
//! (the hub appliance forwards between networks, so nothing is out of reach) and the private
//! endpoints' addresses of the services of that zone; a subnet its prefix; an endpoint its
//! address; a service without an address the addresses of its private endpoints. A rule whose
//! source or destination would be empty (a zone no subnet holds) is left out: it matches no
//! address in the design either.
//!
//! What changes, on purpose:
//! - The firewall's rules are not in the export (an NVA's filtering is its software's), so the
//!   importer models it as a firewall with no rules, which denies what is routed through it:
//!   spoke-to-spoke and cross-region flows that the design's firewall allows are denied there.
//! - The zone policy (`policies:`) and `expect:` are design intent, not Azure resources.
//! - The firewall subnet's `internet_egress` is Azure's default outbound access
//!   (`defaultOutboundAccess: true`), which the importer does not model (docs/import-azure.md).

use std::collections::HashMap;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::GenParams;
use super::design::Design;

mod nsg;
mod resources;

/// Rows of one Resource Graph page (`az graph query --first` at most 1,000).
pub const PAGE_ROWS: usize = 1000;

/// A generated Resource Graph export: the rows, the A record sets, and counts.
pub struct AzureExport {
    /// Resource Graph rows, each printed at the top level (two-space indentation).
    rows: Vec<String>,
    /// `az network private-dns record-set a list` items, printed the same way.
    records: Vec<String>,
    pub stats: AzureStats,
}

/// `[\n  item,\n  …\n]`: items printed at the top level, re-indented by `pad` spaces.
fn array_text(out: &mut String, items: &[String], pad: usize) {
    let pad = " ".repeat(pad + 2);
    out.push('[');
    for (k, item) in items.iter().enumerate() {
        out.push_str(if k == 0 { "\n" } else { ",\n" });
        for (n, line) in item.lines().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    if !items.is_empty() {
        out.push('\n');
        out.push_str(&pad[2..]);
    }
    out.push(']');
}

/// Base64 (standard alphabet, padded) of `bytes`.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl AzureExport {
    /// The Resource Graph rows and the A record sets, each printed (what `terraform.rs`
    /// translates).
    pub(super) fn parts(&self) -> (&[String], &[String]) {
        (&self.rows, &self.records)
    }

    /// Everything as one JSON array (the pages' `data` concatenated, then the A record sets):
    /// what `gen --as azure` prints, and what `jq -s 'map(.data) | add'` makes of the pages.
    #[must_use]
    pub fn text(&self) -> String {
        let all: usize = self
            .rows
            .iter()
            .chain(&self.records)
            .map(|s| s.len() + 4)
            .sum();
        let mut out = String::with_capacity(all + all / 8 + 4);
        let both: Vec<String> = self.rows.iter().chain(&self.records).cloned().collect();
        array_text(&mut out, &both, 0);
        out.push('\n');
        out
    }

    /// The files of an export folder: `resource-graph/page-0001.json` … (each page as `az
    /// graph query --first 1000 -o json` prints it: `count`, `data`, `skip_token`,
    /// `total_records`) and `private-dns-a.json` (the record sets, as `az network private-dns
    /// record-set a list` prints them, concatenated), in order.
    #[must_use]
    pub fn files(&self) -> Vec<(String, String)> {
        let total = self.rows.len();
        let pages = total.div_ceil(PAGE_ROWS).max(1);
        let mut out = Vec::with_capacity(pages + 1);
        for p in 0..pages {
            let start = p * PAGE_ROWS;
            let page = &self.rows[start.min(total)..(start + PAGE_ROWS).min(total)];
            let next = start + PAGE_ROWS;
            let token = if next < total {
                let t = format!(
                    "{{\"$id\":\"1\",\"MaxRows\":{PAGE_ROWS},\"RowsToSkip\":{next},\"KustoClusterUrl\":\"https://ade.loganalytics.io\"}}"
                );
                format!("\"{}\"", base64(t.as_bytes()))
            } else {
                "null".to_string()
            };
            let mut text = format!("{{\n  \"count\": {},\n  \"data\": ", page.len());
            array_text(&mut text, page, 2);
            text.push_str(&format!(
                ",\n  \"skip_token\": {token},\n  \"total_records\": {total}\n}}\n"
            ));
            out.push((format!("resource-graph/page-{:04}.json", p + 1), text));
        }
        let mut text = String::new();
        array_text(&mut text, &self.records, 0);
        text.push('\n');
        out.push(("private-dns-a.json".to_string(), text));
        out
    }
}

/// Counts of the resources written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AzureStats {
    /// Every element of the array.
    pub resources: usize,
    pub virtual_networks: usize,
    pub subnets: usize,
    /// Peered pairs (each written on both sides).
    pub peerings: usize,
    pub nsgs: usize,
    pub security_rules: usize,
    /// Design rules left out because their source or destination holds no address.
    pub rules_left_out: usize,
    pub route_tables: usize,
    /// NICs of VMs and of private endpoints.
    pub network_interfaces: usize,
    pub virtual_machines: usize,
    /// VMs that are appliances (IP forwarding on; the hub firewalls).
    pub appliances: usize,
    pub public_ips: usize,
    pub private_endpoints: usize,
    /// Cognitive Services and storage accounts.
    pub services: usize,
    pub private_dns_zones: usize,
    pub dns_links: usize,
    pub a_records: usize,
    /// Firewall rule sets of the design not written (an NVA's configuration).
    pub firewall_policies_left_out: usize,
}

/// The Resource Graph export of the design for `params` (clamped, see [`GenParams::clamped`]).
#[must_use]
pub fn generate_azure(params: &GenParams) -> AzureExport {
    let design = super::build::design(params.clamped());
    Writer::new(&design).run()
}

/// A bijective mix of a 64-bit value (`SplitMix64`'s finaliser).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A version-4-shaped GUID from `seed` (distinct seeds give distinct GUIDs).
fn guid(seed: u64) -> String {
    let a = mix(seed);
    let b = mix(a ^ 0x5851_F42D_4C95_7F2D);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The resource id `/subscriptions/{sub}/resourceGroups/{rg}/providers/{ty}/{name}`.
fn rid(sub: &str, rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{ty}/{name}")
}

/// One virtual network of the export.
struct Net {
    name: String,
    sub: String,
    rg: String,
    region: String,
    cidr: String,
    id: String,
    /// Indices of the peered networks.
    peers: Vec<usize>,
    /// Indices of its subnets in `Writer::subs`.
    subnets: Vec<usize>,
    /// The route table on its subnets (the appliance's address), if any.
    appliance: Option<Ipv4Addr>,
}

/// One subnet of the export.
struct Sub {
    net: usize,
    name: String,
    id: String,
    cidr: String,
    zone: &'static str,
    nsg: Option<String>,
    /// Whether the route table of its network applies (not the appliance's own subnet).
    routed: bool,
    internet_egress: bool,
    /// NIC ip configuration ids in it.
    ip_configs: Vec<String>,
    /// Private endpoint ids in it.
    private_endpoints: Vec<String>,
}

/// One Resource Graph row: its columns.
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    /// The ARM type as written (`Microsoft.Network/virtualNetworks`); the row lower-cases it.
    ty: &'a str,
    location: &'a str,
    sub: &'a str,
    rg: &'a str,
    kind: &'a str,
    tags: Value,
    props: Value,
    sku: Value,
    zones: Value,
}

struct Writer<'d> {
    d: &'d Design,
    tenant: String,
    connectivity: String,
    nets: Vec<Net>,
    subs: Vec<Sub>,
    net_index: HashMap<&'d str, usize>,
    sub_index: HashMap<&'d str, usize>,
    ips: HashMap<&'d str, Ipv4Addr>,
    /// Service id → the addresses of its private endpoints.
    service_ips: HashMap<&'d str, Vec<Ipv4Addr>>,
    /// Zone → the address prefixes it stands for.
    zone_prefixes: HashMap<&'static str, Vec<String>>,
    counter: u64,
    /// The rows, each printed for its place in the array.
    items: Vec<String>,
    /// The A record sets.
    records: Vec<String>,
    stats: AzureStats,
}

/// A resource as `az -o json` and `jq` print it (two spaces per level, keys sorted).
fn item_text(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// `{"SecurityZone": zone}` plus the extra pairs.
fn tags(zone: Option<&str>, extra: &[(&str, &str)]) -> Value {
    let mut m = serde_json::Map::new();
    if let Some(z) = zone {
        m.insert("SecurityZone".into(), json!(z));
    }
    for (k, v) in extra {
        m.insert((*k).into(), json!(v));
    }
    Value::Object(m)
}

impl<'d> Writer<'d> {
    fn new(d: &'d Design) -> Self {
        let mut ips = HashMap::new();
        let mut service_ips: HashMap<&str, Vec<Ipv4Addr>> = HashMap::new();
        for e in &d.endpoints {
            if let Some(ip) = e.ip {
                ips.insert(e.id.as_str(), ip);
                if let Some(t) = e.target.as_deref() {
                    service_ips.entry(t).or_default().push(ip);
                }
            }
        }
        Writer {
            d,
            tenant: guid(0x7e4a_4700 ^ d.params.seed),
            connectivity: guid(0xc044_ec71 ^ d.params.seed),
            nets: Vec::new(),
            subs: Vec::new(),
            net_index: HashMap::new(),
            sub_index: HashMap::new(),
            ips,
            service_ips,
            zone_prefixes: HashMap::new(),
            counter: 0,
            items: Vec::new(),
            records: Vec::new(),
            stats: AzureStats::default(),
        }
    }

    /// A fresh GUID.
    fn next_guid(&mut self) -> String {
        self.counter += 1;
        guid((self.d.params.seed << 40) ^ self.counter)
    }

    /// A fresh weak etag, as ARM writes them.
    fn etag(&mut self) -> String {
        format!("W/\"{}\"", self.next_guid())
    }

    /// One row with Resource Graph's columns, printed (its values moved, not copied).
    fn row_text(&self, r: Row<'_>) -> String {
        let mut m = serde_json::Map::new();
        let s = |x: &str| Value::String(x.to_string());
        m.insert("extendedLocation".into(), Value::Null);
        m.insert("id".into(), s(r.id));
        m.insert("identity".into(), Value::Null);
        m.insert("kind".into(), s(r.kind));
        m.insert("location".into(), s(r.location));
        m.insert("managedBy".into(), s(""));
        m.insert("name".into(), s(r.name));
        m.insert("plan".into(), Value::Null);
        m.insert("properties".into(), r.props);
        m.insert("resourceGroup".into(), s(&r.rg.to_ascii_lowercase()));
        m.insert("sku".into(), r.sku);
        m.insert("subscriptionId".into(), s(r.sub));
        m.insert("tags".into(), r.tags);
        m.insert("tenantId".into(), s(&self.tenant));
        m.insert("type".into(), s(&r.ty.to_ascii_lowercase()));
        m.insert("zones".into(), r.zones);
        item_text(&Value::Object(m))
    }

    /// Appends one row.
    fn row(&mut self, r: Row<'_>) {
        let t = self.row_text(r);
        self.items.push(t);
    }

    fn run(mut self) -> AzureExport {
        self.layout();
        let nsgs = self.nsgs();
        let tables = self.route_tables();
        self.endpoints();
        let vnets = self.vnets();
        // Rows grouped as Resource Graph tends to return them: networks, their NSGs and route
        // tables, then NICs, VMs, public IPs, private endpoints and services; then DNS.
        self.items
            .splice(0..0, vnets.into_iter().chain(nsgs).chain(tables));
        self.dns();
        self.stats.resources = self.items.len() + self.records.len();
        AzureExport {
            rows: self.items,
            records: self.records,
            stats: self.stats,
        }
    }

    /// Networks, subnets, peerings, the appliances' addresses and the zones' prefixes.
    fn layout(&mut self) {
        let d = self.d;
        let mut r = 0u64;
        let mut spoke = 0u64;
        for n in &d.networks {
            let (sub, rg) = if n.role == "hub" {
                r += 1;
                (self.connectivity.clone(), format!("rg-hub-{}", n.region))
            } else {
                spoke += 1;
                (
                    guid(0x1a2d_0000_0000 ^ (spoke << 8) ^ r ^ (d.params.seed << 48)),
                    format!("rg-{}", n.id),
                )
            };
            let id = rid(&sub, &rg, "Microsoft.Network/virtualNetworks", &n.id);
            let k = self.nets.len();
            self.net_index.insert(n.id.as_str(), k);
            let fw = n.egress.as_deref().or_else(|| {
                n.hub.as_deref().and_then(|h| {
                    d.networks
                        .iter()
                        .find(|x| x.id == h)
                        .and_then(|x| x.egress.as_deref())
                })
            });
            let fw_ep = fw.and_then(|f| d.endpoints.iter().find(|e| e.id == f));
            let mut subnets = Vec::with_capacity(n.subnets.len());
            for s in &n.subnets {
                self.sub_index.insert(s.id.as_str(), self.subs.len());
                subnets.push(self.subs.len());
                self.subs.push(Sub {
                    net: k,
                    name: s.id.clone(),
                    id: format!("{id}/subnets/{}", s.id),
                    cidr: s.cidr.to_string(),
                    zone: s.zone,
                    nsg: s.rules.clone(),
                    routed: fw_ep.is_some_and(|e| e.subnet.as_deref() != Some(s.id.as_str())),
                    internet_egress: s.internet_egress,
                    ip_configs: Vec::new(),
                    private_endpoints: Vec::new(),
                });
            }
            self.nets.push(Net {
                name: n.id.clone(),
                sub,
                rg,
                region: n.region.to_string(),
                cidr: n.cidr.to_string(),
                id,
                peers: Vec::new(),
                subnets,
                appliance: fw_ep.and_then(|e| e.ip),
            });
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for n in &d.networks {
            if let Some(h) = n.hub.as_deref()
                && let (Some(&a), Some(&b)) =
                    (self.net_index.get(n.id.as_str()), self.net_index.get(h))
            {
                pairs.push((a, b));
            }
        }
        for (a, b) in &d.peerings {
            if let (Some(&a), Some(&b)) = (
                self.net_index.get(a.as_str()),
                self.net_index.get(b.as_str()),
            ) {
                pairs.push((a, b));
            }
        }
        for (a, b) in pairs {
            if a != b && !self.nets[a].peers.contains(&b) {
                self.nets[a].peers.push(b);
                self.nets[b].peers.push(a);
                self.stats.peerings += 1;
            }
        }
        // Zones: the prefixes of their subnets, then the private endpoints of their services.
        for s in &self.subs {
            self.zone_prefixes
                .entry(s.zone)
                .or_default()
                .push(s.cidr.clone());
        }
        for e in &d.endpoints {
            if let (Some(z), None) = (e.zone, e.ip) {
                let ips = self
                    .service_ips
                    .get(e.id.as_str())
                    .cloned()
                    .unwrap_or_default();
                self.zone_prefixes
                    .entry(z)
                    .or_default()
                    .extend(ips.iter().map(Ipv4Addr::to_string));
            }
        }
    }

    /// The virtual networks with their subnets and peerings (after the endpoints, whose ip
    /// configurations the subnets list).
    fn vnets(&mut self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.nets.len());
        for k in 0..self.nets.len() {
            let mut subnets = Vec::new();
            for &sk in &self.nets[k].subnets.clone() {
                let etag = self.etag();
                let s = &self.subs[sk];
                let n = &self.nets[k];
                let mut p = json!({
                    "addressPrefix": s.cidr,
                    "defaultOutboundAccess": s.internet_egress,
                    "delegations": [],
                    "privateEndpointNetworkPolicies":
                        if s.private_endpoints.is_empty() { "Disabled" } else { "Enabled" },
                    "privateLinkServiceNetworkPolicies": "Enabled",
                    "provisioningState": "Succeeded",
                });
                if !s.ip_configs.is_empty() {
                    p["ipConfigurations"] =
                        Value::Array(s.ip_configs.iter().map(|i| json!({ "id": i })).collect());
                }
                if !s.private_endpoints.is_empty() {
                    p["privateEndpoints"] = Value::Array(
                        s.private_endpoints
                            .iter()
                            .map(|i| json!({ "id": i }))
                            .collect(),
                    );
                }
                if let Some(nsg) = &s.nsg {
                    p["networkSecurityGroup"] = json!({
                        "id": rid(&n.sub, &n.rg, "Microsoft.Network/networkSecurityGroups", nsg)
                    });
                }
                if s.routed && n.appliance.is_some() {
                    p["routeTable"] = json!({
                        "id": rid(&n.sub, &n.rg, "Microsoft.Network/routeTables", &format!("rt-{}", n.name))
                    });
                }
                subnets.push(json!({
                    "etag": etag,
                    "id": s.id,
                    "name": s.name,
                    "properties": p,
                    "type": "Microsoft.Network/virtualNetworks/subnets",
                }));
                self.stats.subnets += 1;
            }
            let mut peerings = Vec::new();
            for &m in &self.nets[k].peers.clone() {
                let etag = self.etag();
                let guid = self.next_guid();
                let (n, o) = (&self.nets[k], &self.nets[m]);
                let name = format!("{}-to-{}", n.name, o.name);
                peerings.push(json!({
                    "etag": etag,
                    "id": format!("{}/virtualNetworkPeerings/{name}", n.id),
                    "name": name,
                    "properties": {
                        "allowForwardedTraffic": true,
                        "allowGatewayTransit": false,
                        "allowVirtualNetworkAccess": true,
                        "doNotVerifyRemoteGateways": false,
                        "peerCompleteVnets": true,
                        "peeringState": "Connected",
                        "peeringSyncLevel": "FullyInSync",
                        "provisioningState": "Succeeded",
                        "remoteAddressSpace": {"addressPrefixes": [o.cidr]},
                        "remoteVirtualNetwork": {"id": o.id},
                        "remoteVirtualNetworkAddressSpace": {"addressPrefixes": [o.cidr]},
                        "resourceGuid": guid,
                        "useRemoteGateways": false,
                    },
                    "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                }));
            }
            let guid = self.next_guid();
            let n = &self.nets[k];
            let zones: Vec<&str> = n.subnets.iter().map(|&s| self.subs[s].zone).collect();
            let zone = zones
                .first()
                .copied()
                .filter(|z| zones.iter().all(|x| x == z));
            let props = json!({
                "addressSpace": {"addressPrefixes": [n.cidr]},
                "dhcpOptions": {"dnsServers": []},
                "enableDdosProtection": false,
                "privateEndpointVNetPolicies": "Disabled",
                "provisioningState": "Succeeded",
                "resourceGuid": guid,
                "subnets": subnets,
                "virtualNetworkPeerings": peerings,
            });
            let text = self.row_text(Row {
                id: &n.id,
                name: &n.name,
                ty: "Microsoft.Network/virtualNetworks",
                location: &n.region,
                sub: &n.sub,
                rg: &n.rg,
                kind: "",
                tags: tags(zone, &[]),
                props,
                sku: Value::Null,
                zones: Value::Null,
            });
            out.push(text);
        }
        self.stats.virtual_networks = out.len();
        out
    }

    /// A route table per network with an appliance: `0.0.0.0/0` to it, on the subnets it
    /// applies to.
    fn route_tables(&mut self) -> Vec<String> {
        let start = self.items.len();
        for k in 0..self.nets.len() {
            let Some(ip) = self.nets[k].appliance else {
                continue;
            };
            let routed: Vec<String> = self.nets[k]
                .subnets
                .iter()
                .filter(|&&s| self.subs[s].routed)
                .map(|&s| self.subs[s].id.clone())
                .collect();
            if routed.is_empty() {
                continue;
            }
            let etag = self.etag();
            let n = &self.nets[k];
            let name = format!("rt-{}", n.name);
            let id = rid(&n.sub, &n.rg, "Microsoft.Network/routeTables", &name);
            let props = json!({
                "disableBgpRoutePropagation": false,
                "provisioningState": "Succeeded",
                "resourceGuid": guid(mix(k as u64) ^ 0x7ab1e),
                "routes": [{
                    "etag": etag,
                    "id": format!("{id}/routes/default-to-firewall"),
                    "name": "default-to-firewall",
                    "properties": {
                        "addressPrefix": "0.0.0.0/0",
                        "hasBgpOverride": false,
                        "nextHopIpAddress": ip.to_string(),
                        "nextHopType": "VirtualAppliance",
                        "provisioningState": "Succeeded",
                    },
                    "type": "Microsoft.Network/routeTables/routes",
                }],
                "subnets": routed.iter().map(|s| json!({"id": s})).collect::<Vec<_>>(),
            });
            let (sub, rg, region) = (n.sub.clone(), n.rg.clone(), n.region.clone());
            self.row(Row {
                id: &id,
                name: &name,
                ty: "Microsoft.Network/routeTables",
                location: &region,
                sub: &sub,
                rg: &rg,
                tags: json!({}),
                props,
                kind: "",
                sku: Value::Null,
                zones: Value::Null,
            });
            self.stats.route_tables += 1;
        }
        self.items.split_off(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_parameters_give_the_same_bytes() {
        let p = GenParams::default();
        let a = generate_azure(&p);
        let b = generate_azure(&p);
        assert_eq!(a.text(), b.text());
        assert_eq!(a.stats, b.stats);
    }

    #[test]
    fn guids_are_shaped_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for k in 0..1000 {
            let g = guid(k);
            assert_eq!(g.len(), 36, "{g}");
            assert_eq!(g.as_bytes()[14], b'4', "{g}");
            assert!(seen.insert(g));
        }
    }

    #[test]
    fn ids_are_unique_and_the_text_is_one_json_array() {
        let x = generate_azure(&GenParams::default());
        let v: Value = serde_json::from_str(&x.text()).expect("JSON");
        let rows = v.as_array().expect("an array");
        assert_eq!(rows.len(), x.stats.resources);
        let mut ids = std::collections::HashSet::new();
        for r in rows {
            let id = r["id"].as_str().expect("an id").to_ascii_lowercase();
            assert!(id.starts_with("/subscriptions/"), "{id}");
            assert!(ids.insert(id.clone()), "{id} twice");
        }
    }
}
