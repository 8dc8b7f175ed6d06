//! Virtual networks, subnets (standalone, or inline `subnet` blocks no standalone resource
//! mirrors) and their NSG, route table and NAT gateway associations, peerings, network
//! interfaces (+ their NSG and ASG associations, the VM that holds them), private endpoints
//! (+ DNS zone groups) and private DNS zones, links and A records → ARM JSON.
//!
//! Owns: the peering's state, which Terraform does not hold: Azure connects a peering only
//! once both networks peer with each other ("Initiated" until the remote side is created,
//! <https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering>),
//! so a peering whose reverse is in the file is `Connected`, and one whose reverse is not is
//! `Initiated` with a finding. Must never: guess an address the plan does not know.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Az, refs, strings, text};

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// (subnet id lower-cased) → (target id, the association resource).
type Assoc = HashMap<String, (String, usize)>;

fn associations(az: &mut Az<'_>, rtype: &str, left: &str, right: &str) -> Assoc {
    let mut out = Assoc::new();
    for k in az.of(rtype) {
        az.folded.insert(k);
        if let (Some(a), Some(b)) = (az.join(k, left), az.join(k, right)) {
            out.insert(lower(&a), (b, k));
        }
    }
    out
}

/// Virtual networks, their subnets and peerings.
pub(super) fn networks(az: &mut Az<'_>) {
    let nsg = associations(
        az,
        "azurerm_subnet_network_security_group_association",
        "subnet_id",
        "network_security_group_id",
    );
    let mut rt = associations(
        az,
        "azurerm_subnet_route_table_association",
        "subnet_id",
        "route_table_id",
    );
    // A route table's `subnets` (what Azure reports associated) when no association says so.
    for t in az.of("azurerm_route_table") {
        for s in strings(&az.res(t).values, "subnets") {
            let id = az.id(t);
            rt.entry(lower(&s)).or_insert((id, t));
        }
    }
    let nat = associations(
        az,
        "azurerm_subnet_nat_gateway_association",
        "subnet_id",
        "nat_gateway_id",
    );
    let standalone = az.of("azurerm_subnet");
    let deleted: Vec<String> = az
        .tr
        .input
        .deleted
        .iter()
        .filter(|r| r.rtype == "azurerm_subnet")
        .filter_map(|r| r.s("id").map(lower))
        .collect();
    let made: Vec<String> = standalone.iter().map(|&s| lower(&az.id(s))).collect();
    for v in az.of("azurerm_virtual_network") {
        let r = az.res(v);
        let real = r.path.clone();
        if strings(&r.values, "address_space").is_empty() && r.unknown("address_space") {
            az.unknown(
                v,
                "address_space",
                "the virtual network has no address space in this import",
            );
        }
        let r = az.res(v);
        let props = json!({
            "addressSpace": {"addressPrefixes": strings(&r.values, "address_space")},
            "dhcpOptions": {"dnsServers": strings(&r.values, "dns_servers")},
        });
        az.push(v, &real, "Microsoft.Network/virtualNetworks", props);
        let vid = az.id(v);
        for (i, (b, un)) in az.res(v).blocks("subnet").into_iter().enumerate() {
            let Some(name) = text(&b, "name") else {
                continue;
            };
            let id = text(&b, "id").map_or_else(|| format!("{vid}/subnets/{name}"), str::to_string);
            if made.contains(&lower(&id)) || deleted.contains(&lower(&id)) {
                continue;
            }
            let at = format!("{real}.values.subnet[{i}]");
            let own_nsg = text(&b, "security_group").map(str::to_string);
            subnet(
                az,
                v,
                &at,
                &id,
                &b,
                &un,
                own_nsg,
                (&nsg, &rt, &nat),
                &format!("subnet[{i}]."),
            );
        }
    }
    for s in standalone {
        let r = az.res(s);
        let real = r.path.clone();
        let (b, un) = (r.values.clone(), r.unknown.clone());
        let id = az.id(s);
        subnet(az, s, &real, &id, &b, &un, None, (&nsg, &rt, &nat), "");
    }
    peerings(az);
}

/// One subnet of resource `k` (a virtual network's block or an `azurerm_subnet`).
#[allow(clippy::too_many_arguments)]
fn subnet(
    az: &mut Az<'_>,
    k: usize,
    real: &str,
    id: &str,
    b: &Value,
    un: &Value,
    own_nsg: Option<String>,
    (nsg, rt, nat): (&Assoc, &Assoc, &Assoc),
    attr: &str,
) {
    let mut prefixes = strings(b, "address_prefixes");
    prefixes.extend(strings(b, "address_prefix"));
    if prefixes.is_empty()
        && (un
            .get("address_prefixes")
            .is_some_and(super::super::any_true)
            || un.get("address_prefix").is_some_and(super::super::any_true))
    {
        az.unknown(
            k,
            &format!("{attr}address_prefixes"),
            "the subnet has no address range and is left out",
        );
    }
    let endpoints = strings(b, "service_endpoints");
    if !endpoints.is_empty() {
        let file = az.tr.input.file.clone();
        let msg = format!(
            "{}: {attr}service_endpoints ({}) are not modelled: traffic to those services is traced as to any public address",
            az.res(k).address,
            endpoints.join(", ")
        );
        let at = if attr.is_empty() {
            format!("{real}.values.service_endpoints")
        } else {
            format!("{real}.service_endpoints")
        };
        az.tr.report.unsupported(&file, at, msg);
    }
    let policies = text(b, "private_endpoint_network_policies")
        .map(str::to_string)
        .or_else(|| {
            b.get("private_endpoint_network_policies_enabled")
                .and_then(Value::as_bool)
                .map(|e| if e { "Enabled" } else { "Disabled" }.to_string())
        });
    let key = lower(id);
    let nsg_ref = nsg.get(&key).map(|(x, _)| x.clone()).or(own_nsg);
    let mut props = json!({
        "addressPrefixes": prefixes,
        "privateEndpointNetworkPolicies": policies,
    });
    if let Some(n) = nsg_ref {
        props["networkSecurityGroup"] = json!({"id": n});
    }
    if let Some((t, _)) = rt.get(&key) {
        props["routeTable"] = json!({"id": t});
    }
    if let Some((g, _)) = nat.get(&key) {
        props["natGateway"] = json!({"id": g});
    }
    let i = az.push_id(
        k,
        real,
        "Microsoft.Network/virtualNetworks/subnets",
        id,
        props,
    );
    let base = az.path_of(i);
    for (m, key2) in [
        (nsg, "networkSecurityGroup"),
        (rt, "routeTable"),
        (nat, "natGateway"),
    ] {
        if let Some((_, a)) = m.get(&key) {
            let r = az.res(*a);
            let (p, addr) = (r.path.clone(), r.address.clone());
            az.place(&format!("{base}.properties.{key2}"), &p, &addr);
        }
    }
}

fn peerings(az: &mut Az<'_>) {
    let list = az.of("azurerm_virtual_network_peering");
    let mut ends: Vec<(usize, String, Option<String>)> = Vec::new();
    for &p in &list {
        let own = az.parent_id(p).unwrap_or_default();
        let remote = az.join(p, "remote_virtual_network_id");
        ends.push((p, own, remote));
    }
    let file = az.tr.input.file.clone();
    // (local network, remote network) of every peering, lower-cased.
    let pairs: std::collections::HashSet<(String, String)> = ends
        .iter()
        .filter_map(|(_, o, r)| r.as_ref().map(|r| (lower(o), lower(r))))
        .collect();
    for (p, own, remote) in &ends {
        let back = remote
            .as_ref()
            .is_some_and(|rem| pairs.contains(&(lower(rem), lower(own))));
        let r = az.res(*p);
        let state = if back { "Connected" } else { "Initiated" };
        if !back {
            let msg = format!(
                "{}: no peering back from the remote virtual network is in this file; Azure connects a peering only when both sides exist: taken as Initiated (no traffic)",
                r.address
            );
            az.tr.report.assumed(&file, r.path.clone(), msg);
        }
        let flag = |k: &str, d: bool| r.bool(k).unwrap_or(d);
        let props = json!({
            "remoteVirtualNetwork": remote.as_ref().map(|x| json!({"id": x})),
            "peeringState": state,
            "allowVirtualNetworkAccess": flag("allow_virtual_network_access", true),
            "allowForwardedTraffic": flag("allow_forwarded_traffic", false),
            "allowGatewayTransit": flag("allow_gateway_transit", false),
            "useRemoteGateways": flag("use_remote_gateways", false),
        });
        let real = r.path.clone();
        az.push(
            *p,
            &real,
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            props,
        );
    }
}

/// Network interfaces (with their NSG and ASG associations) and the VMs holding them.
pub(super) fn nics(az: &mut Az<'_>) {
    let nsg = associations(
        az,
        "azurerm_network_interface_security_group_association",
        "network_interface_id",
        "network_security_group_id",
    );
    let mut asg: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    for k in az.of("azurerm_network_interface_application_security_group_association") {
        az.folded.insert(k);
        if let (Some(n), Some(g)) = (
            az.join(k, "network_interface_id"),
            az.join(k, "application_security_group_id"),
        ) {
            asg.entry(lower(&n)).or_default().push((g, k));
        }
    }
    let mut vm_of: HashMap<String, String> = HashMap::new();
    for t in [
        "azurerm_linux_virtual_machine",
        "azurerm_windows_virtual_machine",
    ] {
        for k in az.of(t) {
            let nics = az.join_list(k, "network_interface_ids");
            let id = az.id(k);
            for n in &nics {
                vm_of.entry(lower(n)).or_insert_with(|| id.clone());
            }
            let real = az.res(k).path.clone();
            az.push(
                k,
                &real,
                "Microsoft.Compute/virtualMachines",
                json!({"networkProfile": {"networkInterfaces": refs(&nics)}}),
            );
        }
    }
    for n in az.of("azurerm_network_interface") {
        let id = az.id(n);
        let key = lower(&id);
        let my_asgs: Vec<String> = asg
            .get(&key)
            .map(|v| v.iter().map(|(g, _)| g.clone()).collect())
            .unwrap_or_default();
        let mut configs = Vec::new();
        let blocks = az.res(n).blocks("ip_configuration");
        for (i, (b, un)) in blocks.iter().enumerate() {
            let idx = i.to_string();
            let subnet = az.join_in(n, b, un, &["ip_configuration", idx.as_str(), "subnet_id"]);
            let public = az.join_in(
                n,
                b,
                un,
                &["ip_configuration", idx.as_str(), "public_ip_address_id"],
            );
            let mut ip = text(b, "private_ip_address").map(str::to_string);
            if ip.is_none() && i == 0 {
                ip = az.res(n).s("private_ip_address").map(str::to_string);
            }
            if ip.is_none()
                && (un
                    .get("private_ip_address")
                    .is_some_and(super::super::any_true)
                    || az.res(n).unknown("private_ip_address"))
            {
                az.unknown(
                    n,
                    &format!("ip_configuration[{i}].private_ip_address"),
                    "the interface has no address in this import (flows to and from it are not traced)",
                );
            }
            let name = text(b, "name").unwrap_or("ipconfig");
            configs.push(json!({
                "name": name,
                "id": format!("{id}/ipConfigurations/{name}"),
                "properties": {
                    "privateIPAddress": ip,
                    "privateIPAllocationMethod": text(b, "private_ip_address_allocation"),
                    "primary": b.get("primary"),
                    "subnet": subnet.map(|s| json!({"id": s})),
                    "publicIPAddress": public.map(|s| json!({"id": s})),
                    "applicationSecurityGroups": refs(&my_asgs),
                }
            }));
        }
        let r = az.res(n);
        let vm = r
            .s("virtual_machine_id")
            .map(str::to_string)
            .or_else(|| vm_of.get(&key).cloned());
        let forwarding = r
            .bool("ip_forwarding_enabled")
            .or(r.bool("enable_ip_forwarding"));
        let mut props = json!({
            "ipConfigurations": configs,
            "dnsSettings": {"dnsServers": strings(&r.values, "dns_servers")},
            "enableIPForwarding": forwarding,
        });
        if let Some(v) = vm {
            props["virtualMachine"] = json!({"id": v});
        }
        if let Some((g, _)) = nsg.get(&key) {
            props["networkSecurityGroup"] = json!({"id": g});
        }
        let real = r.path.clone();
        let i = az.push(n, &real, "Microsoft.Network/networkInterfaces", props);
        let base = az.path_of(i);
        if let Some((_, a)) = nsg.get(&key) {
            let r = az.res(*a);
            let (p, addr) = (r.path.clone(), r.address.clone());
            az.place(
                &format!("{base}.properties.networkSecurityGroup"),
                &p,
                &addr,
            );
        }
    }
}

/// Private endpoints and their DNS zone groups.
pub(super) fn private_endpoints(az: &mut Az<'_>) {
    let file = az.tr.input.file.clone();
    for e in az.of("azurerm_private_endpoint") {
        let id = az.id(e);
        let subnet = az.join(e, "subnet_id");
        let r = az.res(e);
        let real = r.path.clone();
        let (b, un) = r
            .blocks("private_service_connection")
            .into_iter()
            .next()
            .unwrap_or((Value::Null, Value::Null));
        let target = az.join_in(
            e,
            &b,
            &un,
            &[
                "private_service_connection",
                "0",
                "private_connection_resource_id",
            ],
        );
        let manual = b.get("is_manual_connection").and_then(Value::as_bool) == Some(true);
        if manual {
            let msg = format!(
                "{}: a manual connection waits for the resource owner's approval, which Terraform does not hold: taken as approved",
                az.res(e).address
            );
            az.tr.report.assumed(
                &file,
                format!("{real}.values.private_service_connection[0].is_manual_connection"),
                msg,
            );
        }
        let r = az.res(e);
        let mut ip = text(&b, "private_ip_address").map(str::to_string);
        if ip.is_none() {
            ip = r
                .blocks("ip_configuration")
                .into_iter()
                .find_map(|(c, _)| text(&c, "private_ip_address").map(str::to_string));
        }
        if ip.is_none()
            && un
                .get("private_ip_address")
                .is_some_and(super::super::any_true)
        {
            az.unknown(
                e,
                "private_service_connection[0].private_ip_address",
                "the private endpoint has no address in this import",
            );
        }
        let r = az.res(e);
        let conn = json!([{
            "name": text(&b, "name"),
            "properties": {
                "privateLinkServiceId": target,
                "groupIds": strings(&b, "subresource_names"),
                "privateLinkServiceConnectionState": {"status": "Approved"},
            }
        }]);
        let dns: Vec<Value> = r
            .blocks("custom_dns_configs")
            .into_iter()
            .map(|(c, _)| json!({"fqdn": text(&c, "fqdn"), "ipAddresses": strings(&c, "ip_addresses")}))
            .collect();
        let nic: Vec<Value> = r
            .blocks("network_interface")
            .into_iter()
            .filter_map(|(c, _)| text(&c, "id").map(|i| json!({"id": i})))
            .collect();
        let mut props = json!({
            "subnet": subnet.map(|s| json!({"id": s})),
            "customDnsConfigs": dns,
            "networkInterfaces": nic,
            "ipConfigurations": ip.map(|a| vec![json!({"name": "ipconfig", "properties": {"privateIPAddress": a}})]).unwrap_or_default(),
        });
        let key = if manual {
            "manualPrivateLinkServiceConnections"
        } else {
            "privateLinkServiceConnections"
        };
        props[key] = conn;
        az.push(e, &real, "Microsoft.Network/privateEndpoints", props);
        // The DNS zone group: the zones it names, and the records it wrote (a state).
        let r = az.res(e);
        let groups = r.blocks("private_dns_zone_group");
        let Some((g, gun)) = groups.into_iter().next() else {
            continue;
        };
        let gname = text(&g, "name").unwrap_or("default").to_string();
        let mut configs: Vec<Value> = r
            .blocks("private_dns_zone_configs")
            .into_iter()
            .map(|(c, _)| {
                let sets: Vec<Value> = c
                    .get("record_sets")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|s| json!({"fqdn": text(s, "fqdn"), "ipAddresses": strings(s, "ip_addresses")}))
                    .collect();
                json!({"name": text(&c, "name"), "properties": {
                    "privateDnsZoneId": text(&c, "private_dns_zone_id"),
                    "recordSets": sets,
                }})
            })
            .collect();
        if configs.is_empty() {
            if r.unknown("private_dns_zone_configs") {
                az.unknown(
                    e,
                    "private_dns_zone_configs",
                    "the A records the DNS zone group writes are not in this import",
                );
            }
            let zones = az
                .join_list_in(
                    e,
                    &g,
                    &gun,
                    &["private_dns_zone_group", "0", "private_dns_zone_ids"],
                )
                .unwrap_or_default();
            configs = zones
                .iter()
                .map(|z| json!({"name": z.rsplit('/').next(), "properties": {"privateDnsZoneId": z}}))
                .collect();
        }
        let gid = format!("{id}/privateDnsZoneGroups/{gname}");
        let at = format!("{real}.values.private_dns_zone_group[0]");
        az.push_id(
            e,
            &at,
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            &gid,
            json!({"privateDnsZoneConfigs": configs}),
        );
    }
}

/// Private DNS zones, their virtual network links and A records.
pub(super) fn dns(az: &mut Az<'_>) {
    for z in az.of("azurerm_private_dns_zone") {
        let real = az.res(z).path.clone();
        az.push(z, &real, "Microsoft.Network/privateDnsZones", json!({}));
    }
    for l in az.of("azurerm_private_dns_zone_virtual_network_link") {
        let vnet = az.join(l, "virtual_network_id");
        let r = az.res(l);
        let real = r.path.clone();
        let props = json!({
            "virtualNetwork": vnet.map(|v| json!({"id": v})),
            "registrationEnabled": r.bool("registration_enabled").unwrap_or(false),
            "virtualNetworkLinkState": "Completed",
        });
        az.push(
            l,
            &real,
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            props,
        );
    }
    for a in az.of("azurerm_private_dns_a_record") {
        let r = az.res(a);
        let mut ips = r.strings("records");
        if ips.is_empty() && r.unknown("records") {
            // Only addresses: a reference also names its resource, whose id is no address.
            let found: Vec<String> = az
                .tr
                .follow_all(a, &["records"])
                .into_iter()
                .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
                .collect();
            if found.is_empty() {
                az.unknown(a, "records", "the record is left out");
            }
            ips = found;
        }
        let r = az.res(a);
        let real = r.path.clone();
        let recs: Vec<Value> = ips.iter().map(|i| json!({"ipv4Address": i})).collect();
        az.push(
            a,
            &real,
            "Microsoft.Network/privateDnsZones/A",
            json!({"ttl": r.int("ttl"), "aRecords": recs}),
        );
    }
}
