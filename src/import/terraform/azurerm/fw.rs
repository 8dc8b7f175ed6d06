//! Azure Firewall (+ classic `azurerm_firewall_nat_rule_collection`s, DNAT rules with their
//! translated address and port), firewall policies and their rule collection groups, IP groups (+
//! `azurerm_ip_group_cidr`) and NAT gateways (+ their public IP associations) → ARM JSON, in
//! the shapes of the REST API (`FirewallPolicyRuleCollectionGroupGet` and the others in
//! `../shared/reference/azure/rest-api-specs/`).
//!
//! Owns: the attribute → field mapping of these types only. Must never: judge a firewall rule
//! (`import::azure` does), or keep a rule with a value unknown until apply.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{Az, dotted, refs, strings, text};

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Classic `azurerm_firewall_nat_rule_collection`s, keyed by their firewall's (resource
/// group, name) as Terraform names it (`azure_firewall_name` is the firewall's name within the
/// resource group, the only reference the resource has), in ARM's classic
/// `natRuleCollections` shape, with the collection's resource and path.
fn classic_nat_collections(az: &mut Az<'_>) -> HashMap<(String, String), Vec<(Value, usize)>> {
    let mut out: HashMap<(String, String), Vec<(Value, usize)>> = HashMap::new();
    for k in az.of("azurerm_firewall_nat_rule_collection") {
        az.folded.insert(k);
        let r = az.res(k);
        let (Some(fw), Some(rg)) = (r.s("azure_firewall_name"), r.s("resource_group_name")) else {
            let file = az.tr.input.file.clone();
            let msg = format!(
                "{}: its firewall is not known (azure_firewall_name, resource_group_name): the NAT rule collection is left out",
                r.address
            );
            az.tr.report.unsupported(&file, r.path.clone(), msg);
            continue;
        };
        let rules: Vec<Value> = r
            .blocks("rule")
            .iter()
            .map(|(b, _)| {
                json!({
                    "name": text(b, "name"),
                    "description": text(b, "description"),
                    "sourceAddresses": strings(b, "source_addresses"),
                    "sourceIpGroups": strings(b, "source_ip_groups"),
                    "destinationAddresses": strings(b, "destination_addresses"),
                    "destinationPorts": strings(b, "destination_ports"),
                    "protocols": strings(b, "protocols"),
                    "translatedAddress": text(b, "translated_address"),
                    "translatedPort": match b.get("translated_port") {
                        Some(Value::Number(n)) => json!(n.to_string()),
                        Some(Value::String(s)) => json!(s),
                        _ => Value::Null,
                    },
                })
            })
            .collect();
        let coll = json!({
            "name": r.s("name"),
            "properties": {
                "priority": r.int("priority"),
                "action": {"type": r.s("action")},
                "rules": rules,
            }
        });
        out.entry((lower(rg), lower(fw)))
            .or_default()
            .push((coll, k));
    }
    out
}

/// Azure Firewalls.
pub(super) fn firewalls(az: &mut Az<'_>) {
    let mut nat = classic_nat_collections(az);
    for f in az.of("azurerm_firewall") {
        let policy = az.join(f, "firewall_policy_id");
        let mut configs = Vec::new();
        let blocks = az.res(f).blocks("ip_configuration");
        for (i, (b, un)) in blocks.iter().enumerate() {
            let idx = i.to_string();
            let subnet = az.join_in(f, b, un, &["ip_configuration", idx.as_str(), "subnet_id"]);
            let public = az.join_in(
                f,
                b,
                un,
                &["ip_configuration", idx.as_str(), "public_ip_address_id"],
            );
            let ip = text(b, "private_ip_address").map(str::to_string);
            if ip.is_none()
                && un
                    .get("private_ip_address")
                    .is_some_and(super::super::any_true)
            {
                az.unknown(
                    f,
                    &format!("ip_configuration[{i}].private_ip_address"),
                    "the firewall's address is taken as the first Azure assigns in its subnet (an assumed finding)",
                );
            }
            configs.push(json!({
                "name": text(b, "name"),
                "properties": {
                    "privateIPAddress": ip,
                    "subnet": subnet.map(|s| json!({"id": s})),
                    "publicIPAddress": public.map(|s| json!({"id": s})),
                }
            }));
        }
        let r = az.res(f);
        let key = (
            lower(r.s("resource_group_name").unwrap_or("")),
            lower(r.s("name").unwrap_or("")),
        );
        let nat_colls = nat.remove(&key).unwrap_or_default();
        let hub = r
            .blocks("virtual_hub")
            .into_iter()
            .find_map(|(b, _)| text(&b, "virtual_hub_id").map(|h| json!({"id": h})));
        let props = json!({
            "sku": {"name": r.s("sku_name"), "tier": r.s("sku_tier")},
            "threatIntelMode": r.s("threat_intel_mode"),
            "firewallPolicy": policy.map(|p| json!({"id": p})),
            "ipConfigurations": configs,
            "virtualHub": hub,
            "networkRuleCollections": [],
            "applicationRuleCollections": [],
            "natRuleCollections": nat_colls.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
        });
        let real = r.path.clone();
        let i = az.push(f, &real, "Microsoft.Network/azureFirewalls", props);
        let at = az.path_of(i);
        for (j, (_, k)) in nat_colls.iter().enumerate() {
            let c = az.res(*k);
            let (cpath, caddr) = (c.path.clone(), c.address.clone());
            az.place(
                &format!("{at}.properties.natRuleCollections[{j}]"),
                &cpath,
                &caddr,
            );
        }
    }
    for colls in nat.into_values() {
        for (_, k) in colls {
            let file = az.tr.input.file.clone();
            let r = az.res(k);
            let msg = format!(
                "{}: its firewall {} is not in the input: the NAT rule collection is left out",
                r.address,
                r.s("azure_firewall_name").unwrap_or("?")
            );
            az.tr.report.unsupported(&file, r.path.clone(), msg);
        }
    }
}

/// Firewall policies and their rule collection groups.
pub(super) fn policies(az: &mut Az<'_>) {
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    for g in az.of("azurerm_firewall_policy_rule_collection_group") {
        let Some(policy) = az.join(g, "firewall_policy_id") else {
            let file = az.tr.input.file.clone();
            let r = az.res(g);
            let msg = format!(
                "{}: its firewall policy is not known: the rule collection group is left out",
                r.address
            );
            az.tr.report.unsupported(&file, r.path.clone(), msg);
            continue;
        };
        let name = az.res(g).s("name").unwrap_or("group").to_string();
        let id = az.res(g).s("id").map_or_else(
            || format!("{policy}/ruleCollectionGroups/{name}"),
            str::to_string,
        );
        groups.entry(lower(&policy)).or_default().push(id.clone());
        let mut collections = Vec::new();
        for (kind, key) in [
            ("nat", "nat_rule_collection"),
            ("network", "network_rule_collection"),
            ("application", "application_rule_collection"),
        ] {
            let blocks = az.res(g).blocks(key);
            for (i, (c, cu)) in blocks.iter().enumerate() {
                collections.push(collection(az, g, kind, key, i, c, cu));
            }
        }
        let r = az.res(g);
        let real = r.path.clone();
        let props = json!({"priority": r.int("priority"), "ruleCollections": collections});
        az.push_id(
            g,
            &real,
            "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
            &id,
            props,
        );
    }
    for p in az.of("azurerm_firewall_policy") {
        let base = az.join(p, "base_policy_id");
        let id = az.id(p);
        let r = az.res(p);
        let mut rcg = strings(&r.values, "rule_collection_groups");
        for g in groups.get(&lower(&id)).into_iter().flatten() {
            if !rcg.iter().any(|x| x.eq_ignore_ascii_case(g)) {
                rcg.push(g.clone());
            }
        }
        let dns = r.blocks("dns").into_iter().next().map(|(d, _)| {
            json!({
                "enableProxy": d.get("proxy_enabled").and_then(Value::as_bool).unwrap_or(false),
                "servers": strings(&d, "servers"),
            })
        });
        let idps = r
            .blocks("intrusion_detection")
            .into_iter()
            .next()
            .map(|(d, _)| json!({"mode": text(&d, "mode")}));
        let props = json!({
            "basePolicy": base.map(|b| json!({"id": b})),
            "threatIntelMode": r.s("threat_intelligence_mode"),
            "dnsSettings": dns,
            "intrusionDetection": idps,
            "sku": {"tier": r.s("sku")},
            "ruleCollectionGroups": refs(&rcg),
        });
        let real = r.path.clone();
        az.push(p, &real, "Microsoft.Network/firewallPolicies", props);
    }
}

/// One rule collection of a group (`kind`: nat, network or application).
fn collection(
    az: &mut Az<'_>,
    g: usize,
    kind: &str,
    key: &str,
    i: usize,
    c: &Value,
    cu: &Value,
) -> Value {
    let idx = i.to_string();
    let mut rules = Vec::new();
    let rule_un = cu.get("rule").cloned().unwrap_or(Value::Null);
    for (j, r) in c
        .get("rule")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let ru = rule_un.get(j).cloned().unwrap_or(Value::Null);
        let jdx = j.to_string();
        let at = [key, idx.as_str(), "rule", jdx.as_str()];
        // Values a plan may not know: each leaves the rule out.
        let unknown: Vec<&str> = [
            "source_addresses",
            "destination_addresses",
            "destination_address",
            "destination_ports",
            "destination_fqdns",
            "translated_address",
            "translated_port",
            "protocols",
        ]
        .into_iter()
        .filter(|f| ru.get(*f).is_some_and(super::super::any_true))
        .collect();
        if !unknown.is_empty() {
            for f in unknown {
                let mut p = at.to_vec();
                p.push(f);
                az.unknown(g, &dotted(&p), "the rule is left out");
            }
            continue;
        }
        let mut groups = Vec::new();
        for f in ["source_ip_groups", "destination_ip_groups"] {
            let mut p = at.to_vec();
            p.push(f);
            groups.push(az.join_list_in(g, r, &ru, &p));
        }
        let (Some(src_g), Some(dst_g)) = (groups[0].clone(), groups[1].clone()) else {
            continue;
        };
        let base = json!({
            "name": text(r, "name"),
            "description": text(r, "description"),
            "sourceAddresses": strings(r, "source_addresses"),
            "sourceIpGroups": src_g,
        });
        let mut v = base;
        match kind {
            "nat" => {
                v["ruleType"] = json!("NatRule");
                v["ipProtocols"] = json!(strings(r, "protocols"));
                v["destinationAddresses"] = json!(strings(r, "destination_address"));
                v["destinationPorts"] = json!(strings(r, "destination_ports"));
                v["translatedAddress"] = json!(text(r, "translated_address"));
                v["translatedFqdn"] = json!(text(r, "translated_fqdn"));
                v["translatedPort"] = match r.get("translated_port") {
                    Some(Value::Number(n)) => json!(n.to_string()),
                    Some(Value::String(s)) => json!(s),
                    _ => Value::Null,
                };
            }
            "network" => {
                v["ruleType"] = json!("NetworkRule");
                v["ipProtocols"] = json!(strings(r, "protocols"));
                v["destinationAddresses"] = json!(strings(r, "destination_addresses"));
                v["destinationIpGroups"] = json!(dst_g);
                v["destinationFqdns"] = json!(strings(r, "destination_fqdns"));
                v["destinationPorts"] = json!(strings(r, "destination_ports"));
            }
            _ => {
                let protocols: Vec<Value> = r
                    .get("protocols")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| json!({"protocolType": text(p, "type"), "port": p.get("port")}))
                    .collect();
                v["ruleType"] = json!("ApplicationRule");
                v["protocols"] = json!(protocols);
                v["destinationAddresses"] = json!(strings(r, "destination_addresses"));
                v["targetFqdns"] = json!(strings(r, "destination_fqdns"));
                v["targetUrls"] = json!(strings(r, "destination_urls"));
                v["fqdnTags"] = json!(strings(r, "destination_fqdn_tags"));
                v["webCategories"] = json!(strings(r, "web_categories"));
                v["terminateTLS"] = json!(
                    r.get("terminate_tls")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                );
            }
        }
        rules.push(v);
    }
    let action = text(c, "action").map(|a| {
        if a.eq_ignore_ascii_case("dnat") {
            "DNAT".to_string()
        } else {
            a.to_string()
        }
    });
    json!({
        "ruleCollectionType": if kind == "nat" { "FirewallPolicyNatRuleCollection" } else { "FirewallPolicyFilterRuleCollection" },
        "name": text(c, "name"),
        "priority": c.get("priority"),
        "action": {"type": action},
        "rules": rules,
    })
}

/// IP groups and their standalone CIDRs.
pub(super) fn ip_groups(az: &mut Az<'_>) {
    let mut extra: HashMap<String, Vec<String>> = HashMap::new();
    for k in az.of("azurerm_ip_group_cidr") {
        az.folded.insert(k);
        let Some(g) = az.join(k, "ip_group_id") else {
            continue;
        };
        match az.res(k).s("cidr") {
            Some(c) => extra.entry(lower(&g)).or_default().push(c.to_string()),
            None if az.res(k).unknown("cidr") => {
                az.unknown(k, "cidr", "the address is left out of its IP group");
            }
            None => {}
        }
    }
    // CIDRs a plan deletes or replaces: the group's `cidrs` still mirrors them.
    let gone: Vec<(String, String)> = az
        .tr
        .input
        .deleted
        .iter()
        .filter(|r| r.rtype == "azurerm_ip_group_cidr")
        .filter_map(|r| Some((lower(r.s("ip_group_id")?), r.s("cidr")?.to_string())))
        .collect();
    for k in az.of("azurerm_ip_group") {
        let r = az.res(k);
        if r.unknown("cidrs") && r.strings("cidrs").is_empty() {
            az.unknown(k, "cidrs", "the IP group holds no address in this import");
        }
        let r = az.res(k);
        let mut cidrs = r.strings("cidrs");
        let key = lower(&az.id(k));
        cidrs.retain(|c| !gone.iter().any(|(g, x)| *g == key && x == c));
        for c in extra.get(&key).into_iter().flatten() {
            if !cidrs.contains(c) {
                cidrs.push(c.clone());
            }
        }
        let real = r.path.clone();
        az.push(
            k,
            &real,
            "Microsoft.Network/ipGroups",
            json!({"ipAddresses": cidrs}),
        );
    }
}

/// NAT gateways with their public IPs and subnets.
pub(super) fn nat_gateways(az: &mut Az<'_>) {
    let mut ips: HashMap<String, Vec<String>> = HashMap::new();
    for k in az.of("azurerm_nat_gateway_public_ip_association") {
        az.folded.insert(k);
        if let (Some(g), Some(p)) = (
            az.join(k, "nat_gateway_id"),
            az.join(k, "public_ip_address_id"),
        ) {
            ips.entry(lower(&g)).or_default().push(p);
        }
    }
    let mut subnets: HashMap<String, Vec<String>> = HashMap::new();
    for k in az.of("azurerm_subnet_nat_gateway_association") {
        if let (Some(s), Some(g)) = (az.join(k, "subnet_id"), az.join(k, "nat_gateway_id")) {
            subnets.entry(lower(&g)).or_default().push(s);
        }
    }
    for k in az.of("azurerm_nat_gateway") {
        let key = lower(&az.id(k));
        let r = az.res(k);
        let props = json!({
            "idleTimeoutInMinutes": r.int("idle_timeout_in_minutes"),
            "publicIpAddresses": refs(ips.get(&key).map_or(&[][..], Vec::as_slice)),
            "subnets": refs(subnets.get(&key).map_or(&[][..], Vec::as_slice)),
        });
        let real = r.path.clone();
        let i = az.push(k, &real, "Microsoft.Network/natGateways", props);
        let sku = az.res(k).s("sku_name").unwrap_or("Standard").to_string();
        az.arm_mut(i)["sku"] = json!({"name": sku});
    }
}
