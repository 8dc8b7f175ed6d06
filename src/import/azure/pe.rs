//! Private endpoints, their DNS zone groups, and private DNS zones with their virtual network
//! links and A records → `private_endpoint` endpoints with a `target` service and a
//! `dns_zone`, the services they reach, and the design's `dns:` zones (SPEC §11.7).
//!
//! Owns: which ARM resources of Private Link and Private DNS become which design entities.
//! Azure's documentation followed:
//! - a private endpoint is a NIC in a subnet that connects to one resource's sub-resource
//!   (`privateLinkServiceConnections[].privateLinkServiceId` + `groupIds`), and carries traffic
//!   only when that connection is `Approved`
//!   (<https://learn.microsoft.com/azure/private-link/private-endpoint-overview>);
//! - a private DNS zone answers only in the virtual networks linked to it
//!   (<https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links>), and a DNS zone
//!   group writes the endpoint's A record into the zone
//!   (<https://learn.microsoft.com/azure/private-link/private-endpoint-dns>);
//! - network policies (the subnet's NSG) apply to private endpoints only when the subnet's
//!   `privateEndpointNetworkPolicies` enables them, and they are disabled by default
//!   (<https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy>).
//!
//! Must never: invent an address or a name the export does not hold, join by name, or drop a
//! resource without a finding.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{Ctx, Res, name_of_id, ref_id, slug, str_of, unique};
use crate::import::doc::{DnsZone, Endpoint};
use crate::import::json::join;

pub(super) const PE: &str = "microsoft.network/privateendpoints";
pub(super) const ZONE_GROUP: &str = "microsoft.network/privateendpoints/privatednszonegroups";
pub(super) const ZONE: &str = "microsoft.network/privatednszones";
pub(super) const LINK: &str = "microsoft.network/privatednszones/virtualnetworklinks";
pub(super) const A: &str = "microsoft.network/privatednszones/a";

/// The design kind of a Private Link target, by its resource provider.
fn service_kind(target_id: &str) -> &'static str {
    let t = target_id.to_ascii_lowercase();
    let provider = t.split("/providers/").nth(1).unwrap_or("");
    let ns = provider.split('/').next().unwrap_or("");
    match ns {
        "microsoft.cognitiveservices" | "microsoft.machinelearningservices" => "ai_service",
        "microsoft.storage"
        | "microsoft.documentdb"
        | "microsoft.sql"
        | "microsoft.dbforpostgresql"
        | "microsoft.dbformysql"
        | "microsoft.containerregistry" => "storage",
        "microsoft.search" => "vector_db",
        "microsoft.keyvault" => "secrets",
        "microsoft.insights" | "microsoft.operationalinsights" => "monitoring",
        _ => "other",
    }
}

/// A record name as the loader keys it: relative to its zone, `@` for the apex.
fn relative(name: &str) -> String {
    let n = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if n.is_empty() { "@".into() } else { n }
}

/// Private DNS zones, their links and A records (run before the private endpoints, whose
/// zone groups add records to them).
pub(super) fn dns_zones(cx: &mut Ctx, all: &[Res]) {
    // zone resource id → index in doc.dns
    let mut zones: BTreeMap<String, usize> = BTreeMap::new();
    for r in all.iter().filter(|r| r.ty == ZONE) {
        let zone = r.name.trim().trim_end_matches('.').to_ascii_lowercase();
        zones.insert(r.id.clone(), cx.doc.dns.len());
        cx.doc.dns.push(DnsZone {
            zone,
            linked: Vec::new(),
            records: BTreeMap::new(),
        });
        cx.report.add("private DNS zones", 1);
    }
    let parent = |id: &str, sep: &str| id.rsplit_once(sep).map(|(a, _)| a.to_string());
    for r in all.iter().filter(|r| r.ty == LINK) {
        let Some(z) = parent(&r.id, "/virtualnetworklinks/").and_then(|p| zones.get(&p).copied())
        else {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!(
                    "virtual network link {}: its private DNS zone is not in the input: skipped",
                    r.name
                ),
            );
            continue;
        };
        let state = str_of(&r.props, "virtualNetworkLinkState").unwrap_or("Completed");
        if !state.eq_ignore_ascii_case("completed") {
            cx.report.assumed(
                &r.file,
                join(&r.pp, "virtualNetworkLinkState"),
                format!(
                    "virtual network link {} is `{state}`: taken as linked",
                    r.name
                ),
            );
        }
        let Some(vnet) = ref_id(&r.props, "virtualNetwork") else {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "virtualNetwork"),
                format!(
                    "virtual network link {} names no virtual network: skipped",
                    r.name
                ),
            );
            continue;
        };
        let Some(&n) = cx.vnets.get(&vnet) else {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "virtualNetwork.id"),
                format!(
                    "virtual network link {}: its virtual network {vnet} is not in the input: skipped",
                    r.name
                ),
            );
            continue;
        };
        let net = cx.doc.networks[n].id.clone();
        if !cx.doc.dns[z].linked.contains(&net) {
            cx.doc.dns[z].linked.push(net);
        }
    }
    for r in all.iter().filter(|r| r.ty == A) {
        let Some(z) = parent(&r.id, "/a/").and_then(|p| zones.get(&p).copied()) else {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!(
                    "A record {}: its private DNS zone is not in the input: skipped",
                    r.name
                ),
            );
            continue;
        };
        let ips: Vec<&str> = match r.props.get("aRecords") {
            Some(Value::Array(a)) => a.iter().filter_map(|x| str_of(x, "ipv4Address")).collect(),
            _ => Vec::new(),
        };
        let Some(ip) = ips.first() else {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "aRecords"),
                format!("A record {} has no address: skipped", r.name),
            );
            continue;
        };
        if ips.len() > 1 {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "aRecords[1]"),
                format!("A record {}: only the first address is modelled", r.name),
            );
        }
        cx.doc.dns[z]
            .records
            .insert(relative(&r.name), (*ip).to_string());
    }
}

/// The approved connection of a private endpoint: (target resource id as written, its JSON
/// path), or the reason there is none.
fn connection(r: &Res) -> Result<(String, String), (String, String)> {
    for key in [
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
    ] {
        let Some(Value::Array(a)) = r.props.get(key) else {
            continue;
        };
        for (i, c) in a.iter().enumerate() {
            let p = super::props_of(c);
            let at = join(&r.pp, &format!("{key}[{i}]"));
            let Some(target) = str_of(&p, "privateLinkServiceId") else {
                continue;
            };
            let status = p
                .get("privateLinkServiceConnectionState")
                .and_then(|s| str_of(s, "status"))
                .unwrap_or("Approved");
            if !status.eq_ignore_ascii_case("approved") {
                return Err((
                    join(&at, "privateLinkServiceConnectionState.status"),
                    format!("its connection is `{status}`, not Approved: it carries no traffic"),
                ));
            }
            return Ok((target.to_string(), at));
        }
    }
    Err((
        r.pp.clone(),
        "it has no private link service connection".to_string(),
    ))
}

/// The service's FQDN: the endpoint's `customDnsConfigs` name, else a zone group record's
/// name without `privatelink.`.
fn service_fqdn(r: &Res, group_records: &[(String, String, String)]) -> Option<String> {
    if let Some(Value::Array(a)) = r.props.get("customDnsConfigs") {
        for c in a {
            if let Some(f) = str_of(c, "fqdn") {
                let f = f.trim().trim_end_matches('.').to_ascii_lowercase();
                if !f.is_empty() && !f.contains(".privatelink.") {
                    return Some(f);
                }
            }
        }
    }
    group_records.iter().find_map(|(_, fqdn, _)| {
        fqdn.contains(".privatelink.")
            .then(|| fqdn.replacen(".privatelink.", ".", 1))
    })
}

/// The endpoint's private address: its NIC's (already an endpoint), else `customDnsConfigs`,
/// else a static `ipConfigurations` address.
fn address(r: &Res) -> Option<String> {
    let first = |key: &str, f: &dyn Fn(&Value) -> Option<String>| match r.props.get(key) {
        Some(Value::Array(a)) => a.iter().find_map(f),
        _ => None,
    };
    first("customDnsConfigs", &|c| {
        c.get("ipAddresses")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_string)
    })
    .or_else(|| {
        first("ipConfigurations", &|c| {
            str_of(&super::props_of(c), "privateIPAddress").map(str::to_string)
        })
    })
}

/// Private endpoints and their DNS zone groups (after the NICs, whose endpoints a private
/// endpoint's NIC becomes).
pub(super) fn private_endpoints(cx: &mut Ctx, all: &[Res]) {
    // Zone groups by private endpoint id: (zone name, record fqdn, address) of each record.
    let mut groups: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    let mut group_zone: BTreeMap<String, String> = BTreeMap::new();
    let pe_ids: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|r| r.ty == PE)
        .map(|r| r.id.as_str())
        .collect();
    for r in all.iter().filter(|r| r.ty == ZONE_GROUP) {
        let parent =
            r.id.rsplit_once("/privatednszonegroups/")
                .map_or("", |(a, _)| a)
                .to_string();
        if !pe_ids.contains(parent.as_str()) {
            cx.report.unsupported(
                &r.file,
                r.path.clone(),
                format!(
                    "DNS zone group {}: its private endpoint {parent} is not in the input: skipped",
                    r.name
                ),
            );
            continue;
        }
        let Some(Value::Array(configs)) = r.props.get("privateDnsZoneConfigs") else {
            continue;
        };
        for (i, c) in configs.iter().enumerate() {
            let p = super::props_of(c);
            let Some(zone_id) = str_of(&p, "privateDnsZoneId") else {
                cx.report.unsupported(
                    &r.file,
                    join(&r.pp, &format!("privateDnsZoneConfigs[{i}]")),
                    "a DNS zone config without privateDnsZoneId: skipped",
                );
                continue;
            };
            let zone = name_of_id(zone_id).to_ascii_lowercase();
            group_zone
                .entry(parent.clone())
                .or_insert_with(|| zone.clone());
            let list = groups.entry(parent.clone()).or_default();
            if let Some(Value::Array(sets)) = p.get("recordSets") {
                for s in sets {
                    let fqdn = str_of(s, "fqdn")
                        .unwrap_or("")
                        .trim_end_matches('.')
                        .to_ascii_lowercase();
                    let ip = s
                        .get("ipAddresses")
                        .and_then(Value::as_array)
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if !fqdn.is_empty() && !ip.is_empty() {
                        list.push((zone.clone(), fqdn, ip.to_string()));
                    }
                }
            }
            if i > 0 {
                cx.report.unsupported(
                    &r.file,
                    join(&r.pp, &format!("privateDnsZoneConfigs[{i}]")),
                    format!("DNS zone group {}: only the first zone is the endpoint's `dns_zone` (the records of the others are kept)", r.name),
                );
            }
        }
        cx.consumed.insert(r.id.clone());
    }
    // One service endpoint per Private Link target.
    let mut services: BTreeMap<String, String> = BTreeMap::new();
    // Every resource by id (the first of an id), and the endpoints so far by (cloud id,
    // subnet) (the first of each): looked up once per private endpoint.
    let mut by_id: HashMap<&str, &Res> = HashMap::new();
    for r in all {
        by_id.entry(r.id.as_str()).or_insert(r);
    }
    let mut placed: HashMap<(String, String), usize> = HashMap::new();
    for (i, e) in cx.doc.endpoints.iter().enumerate() {
        if let (Some(c), Some(s)) = (&e.cloud_id, &e.subnet) {
            placed.entry((c.clone(), s.clone())).or_insert(i);
        }
    }
    for r in all.iter().filter(|r| r.ty == PE) {
        let records = groups.get(&r.id).cloned().unwrap_or_default();
        let (target_id, _at) = match connection(r) {
            Ok(c) => c,
            Err((path, why)) => {
                cx.report.unsupported(
                    &r.file,
                    path,
                    format!("private endpoint {}: {why}: skipped", r.name),
                );
                continue;
            }
        };
        let Some(subnet_id) = ref_id(&r.props, "subnet") else {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "subnet"),
                format!("private endpoint {} names no subnet: skipped", r.name),
            );
            continue;
        };
        let Some(&(n, k)) = cx.subnets.get(&subnet_id) else {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "subnet.id"),
                format!(
                    "private endpoint {}: its subnet {subnet_id} is not in the input: skipped",
                    r.name
                ),
            );
            continue;
        };
        let target_key = target_id.to_ascii_lowercase();
        let fqdn = service_fqdn(r, &records);
        let service = if let Some(s) = services.get(&target_key) {
            s.clone()
        } else {
            let sname = name_of_id(&target_id).to_string();
            let id = unique(&slug(&sname), &mut cx.used);
            let kind = service_kind(&target_id);
            // The service's own resource, when the export holds it, says whether it is
            // reachable from the internet.
            let own = by_id.get(target_key.as_str()).copied();
            let public_access = match own.and_then(|x| str_of(&x.props, "publicNetworkAccess")) {
                Some(v) if v.eq_ignore_ascii_case("disabled") => Some("disabled".to_string()),
                Some(_) => Some("enabled".to_string()),
                None => {
                    cx.report.assumed(
                        &r.file,
                        join(&r.pp, "privateLinkServiceConnections"),
                        format!(
                            "the public network access of {sname} is not in the export (its resource is not a network resource): taken as enabled"
                        ),
                    );
                    None
                }
            };
            if let Some(o) = own {
                cx.consumed.insert(o.id.clone());
            }
            if fqdn.is_none() {
                cx.report.unsupported(
                    &r.file,
                    join(&r.pp, "customDnsConfigs"),
                    format!(
                        "private endpoint {}: the service's name is neither in customDnsConfigs nor in a DNS zone group: {sname} can be reached by id only",
                        r.name
                    ),
                );
            }
            cx.doc.endpoints.push(Endpoint {
                id: id.clone(),
                name: Some(sname),
                cloud_id: Some(target_key.clone()),
                kind: kind.into(),
                region: r.location.clone(),
                fqdn: fqdn.clone(),
                public_access,
                ..Endpoint::default()
            });
            services.insert(target_key.clone(), id.clone());
            id
        };
        let dns_zone = group_zone.get(&r.id).cloned();
        // The endpoint's NIC is already an endpoint (read with the NICs): it becomes the
        // private endpoint.
        let nic = match r.props.get("networkInterfaces") {
            Some(Value::Array(a)) => a
                .iter()
                .find_map(|x| str_of(x, "id"))
                .map(str::to_ascii_lowercase),
            _ => None,
        };
        let subnet = cx.doc.networks[n].subnets[k].id.clone();
        let existing = nic
            .as_ref()
            .and_then(|nid| placed.get(&(nid.clone(), subnet.clone())).copied());
        let description = Some(format!(
            "private endpoint {} → {}",
            r.name,
            name_of_id(&target_id)
        ));
        if let Some(i) = existing {
            let e = &mut cx.doc.endpoints[i];
            e.kind = "private_endpoint".into();
            e.name = Some(r.name.clone());
            e.target = Some(service.clone());
            e.dns_zone.clone_from(&dns_zone);
            e.description = description;
        } else {
            let id = unique(&slug(&r.name), &mut cx.used);
            let ip = address(r);
            if ip.is_none() {
                cx.report.assumed(
                    &r.file,
                    r.pp.clone(),
                    format!("private endpoint {}: no address in the export (neither its NIC nor customDnsConfigs): placed in its subnet without one", r.name),
                );
            }
            cx.report.origin(id.clone(), &r.file, r.path.clone());
            cx.tags.insert(id.clone(), r.tags.clone());
            placed
                .entry((r.id.clone(), subnet.clone()))
                .or_insert(cx.doc.endpoints.len());
            cx.doc.endpoints.push(Endpoint {
                id,
                name: Some(r.name.clone()),
                cloud_id: Some(r.id.clone()),
                kind: "private_endpoint".into(),
                subnet: Some(subnet),
                ip,
                target: Some(service),
                dns_zone: dns_zone.clone(),
                description,
                ..Endpoint::default()
            });
        }
        // Azure: the subnet's NSG applies to private endpoints only with network policies on
        // (off by default).
        let pep = cx.pe_policies.get(&(n, k)).copied().unwrap_or(false);
        cx.doc.networks[n].subnets[k].private_endpoint_policies =
            Some(if pep { "enabled" } else { "disabled" }.to_string());
        // The zone group's records are in the zone (created when the export lacks the zone).
        for (zone, fqdn, ip) in &records {
            let name = fqdn
                .strip_suffix(zone.as_str())
                .map(|s| s.trim_end_matches('.'))
                .map_or_else(|| fqdn.clone(), relative);
            let z = if let Some(z) = cx.doc.dns.iter().position(|d| &d.zone == zone) {
                z
            } else {
                cx.report.assumed(
                    &r.file,
                    r.pp.clone(),
                    format!("private DNS zone {zone} (from a DNS zone group) is not in the input: linked to no virtual network"),
                );
                cx.doc.dns.push(DnsZone {
                    zone: zone.clone(),
                    linked: Vec::new(),
                    records: BTreeMap::new(),
                });
                cx.doc.dns.len() - 1
            };
            cx.doc.dns[z]
                .records
                .entry(name)
                .or_insert_with(|| ip.clone());
        }
        cx.report.add("private endpoints", 1);
    }
}
