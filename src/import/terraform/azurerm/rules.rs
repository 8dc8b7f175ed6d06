//! NSGs and route tables: the inline `security_rule` / `route` blocks and the standalone
//! `azurerm_network_security_rule` / `azurerm_route` resources, joined to their group by the
//! configuration's reference or by resource group and name (the ARM id is made of them), as
//! one ARM `securityRules` / `routes` list per group.
//!
//! Owns: the provider's mirror — the group's inline list also shows what standalone resources
//! made ("Terraform currently provides both a standalone Network Security Rule resource, and
//! allows for Network Security Rules to be defined in-line … you cannot use a Network Security
//! Group with in-line Network Security Rules in conjunction with any Network Security Rule
//! resources",
//! <https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/network_security_group>):
//! a rule a standalone resource makes is read from it (so it names that resource), and a
//! plan's deleted standalone rules are taken out of the inline list. Must never: decide what a
//! rule allows (`import::azure::nsg` does; Azure's six default rules are the loader's, added
//! to every `nsg`), or keep a rule with a value unknown until apply.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::{Az, dotted, refs, strings, text};

/// The fields of an azurerm security rule that decide what it matches.
const RULE_FIELDS: &[&str] = &[
    "name",
    "priority",
    "direction",
    "access",
    "protocol",
    "source_address_prefix",
    "source_address_prefixes",
    "destination_address_prefix",
    "destination_address_prefixes",
    "source_port_range",
    "source_port_ranges",
    "destination_port_range",
    "destination_port_ranges",
];

/// One security rule (an inline block or a standalone resource's values) as ARM JSON; the
/// unknown fields (by name) when there are any.
fn security_rule(
    v: &Value,
    un: &Value,
    asgs: (&[String], &[String]),
) -> Result<Value, Vec<String>> {
    let unknown: Vec<String> = RULE_FIELDS
        .iter()
        .filter(|f| un.get(**f).is_some_and(super::super::any_true))
        .map(|f| (*f).to_string())
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let one = |k: &str| text(v, k).map(str::to_string);
    Ok(json!({
        "name": one("name"),
        "properties": {
            "description": one("description"),
            "priority": v.get("priority"),
            "direction": one("direction"),
            "access": one("access"),
            "protocol": one("protocol"),
            "sourceAddressPrefix": one("source_address_prefix"),
            "sourceAddressPrefixes": strings(v, "source_address_prefixes"),
            "destinationAddressPrefix": one("destination_address_prefix"),
            "destinationAddressPrefixes": strings(v, "destination_address_prefixes"),
            "sourcePortRange": one("source_port_range"),
            "sourcePortRanges": strings(v, "source_port_ranges"),
            "destinationPortRange": one("destination_port_range"),
            "destinationPortRanges": strings(v, "destination_port_ranges"),
            "sourceApplicationSecurityGroups": refs(asgs.0),
            "destinationApplicationSecurityGroups": refs(asgs.1),
        }
    }))
}

/// What leaving a rule out means: an Allow rule's flows are denied in the import, a Deny
/// rule's may be allowed by a later rule.
fn left_out(v: &Value) -> &'static str {
    if text(v, "access").is_some_and(|a| a.eq_ignore_ascii_case("deny")) {
        "the rule is left out: what it would deny may be allowed by a later rule in this import"
    } else {
        "the rule is left out"
    }
}

/// Every NSG with its inline and standalone rules.
pub(super) fn nsgs(az: &mut Az<'_>) {
    // Standalone rules by NSG resource (and the names of those a plan deletes).
    let mut standalone: Vec<(usize, usize)> = Vec::new();
    for k in az.of("azurerm_network_security_rule") {
        az.folded.insert(k);
        match az.parent(
            k,
            "azurerm_network_security_group",
            "network_security_group_name",
        ) {
            Some(g) => standalone.push((g, k)),
            None => {
                let file = az.tr.input.file.clone();
                let r = az.res(k);
                let name = r.s("network_security_group_name").unwrap_or("(unknown)");
                let msg = format!(
                    "{}: its NSG {name} is not in this file: the rule is left out (import the configuration that holds the NSG)",
                    r.address
                );
                az.tr.report.unsupported(&file, r.path.clone(), msg);
            }
        }
    }
    let deleted: Vec<(String, String, String)> = az
        .tr
        .input
        .deleted
        .iter()
        .filter(|r| r.rtype == "azurerm_network_security_rule")
        .map(|r| {
            let l = |k: &str| r.s(k).unwrap_or("").to_ascii_lowercase();
            (
                l("resource_group_name"),
                l("network_security_group_name"),
                l("name"),
            )
        })
        .collect();
    for g in az.of("azurerm_network_security_group") {
        let r = az.res(g);
        let real = r.path.clone();
        let mine: Vec<usize> = standalone
            .iter()
            .filter(|(x, _)| *x == g)
            .map(|(_, k)| *k)
            .collect();
        let taken: HashSet<String> = mine
            .iter()
            .filter_map(|&k| az.res(k).s("name").map(str::to_ascii_lowercase))
            .chain(
                deleted
                    .iter()
                    .filter(|(rg, nsg, _)| {
                        r.s("resource_group_name")
                            .map(str::to_ascii_lowercase)
                            .as_deref()
                            == Some(rg.as_str())
                            && r.s("name").map(str::to_ascii_lowercase).as_deref()
                                == Some(nsg.as_str())
                    })
                    .map(|(_, _, name)| name.clone()),
            )
            .collect();
        let blocks = az.inline_blocks(
            g,
            "security_rule",
            "the NSG's inline rules are not in this import",
        );
        let mut rules: Vec<(Value, String, String)> = Vec::new();
        let (scope, local) = az.tr.scope_local(g);
        for (i, (b, un)) in blocks.into_iter().enumerate() {
            let name = text(&b, "name").map(str::to_ascii_lowercase);
            if name.as_ref().is_some_and(|n| taken.contains(n)) {
                continue;
            }
            let at = format!("{real}.values.security_rule[{i}]");
            // A set is planned in its own order, not the configuration's: the block whose
            // name the configuration writes.
            let idx = b
                .get("name")
                .and_then(|n| {
                    az.tr.input.config.block_matching(
                        &scope,
                        &local,
                        "security_rule",
                        &[("name", n)],
                    )
                })
                .unwrap_or(i)
                .to_string();
            let mut asg = Vec::new();
            for side in ["source", "destination"] {
                let key = format!("{side}_application_security_group_ids");
                let path = ["security_rule", idx.as_str(), key.as_str()];
                asg.push(az.join_list_in(g, &b, &un, &path).unwrap_or_default());
            }
            let dst = asg.pop().unwrap_or_default();
            let src = asg.pop().unwrap_or_default();
            match security_rule(&b, &un, (&src, &dst)) {
                Ok(v) => rules.push((v, at, r.address.clone())),
                Err(fields) => {
                    for f in fields {
                        az.unknown(
                            g,
                            &dotted(&["security_rule", i.to_string().as_str(), f.as_str()]),
                            left_out(&b),
                        );
                    }
                }
            }
        }
        for k in mine {
            let s = az.res(k);
            let src = az.join_list(k, "source_application_security_group_ids");
            let dst = az.join_list(k, "destination_application_security_group_ids");
            let s_path = s.path.clone();
            let s_addr = s.address.clone();
            match security_rule(&s.values, &s.unknown, (&src, &dst)) {
                Ok(v) => rules.push((v, s_path, s_addr)),
                Err(fields) => {
                    let why = left_out(&s.values);
                    for f in fields {
                        az.unknown(k, &f, why);
                    }
                }
            }
        }
        let list: Vec<Value> = rules.iter().map(|(v, _, _)| v.clone()).collect();
        let i = az.push(
            g,
            &real,
            "Microsoft.Network/networkSecurityGroups",
            json!({"securityRules": list}),
        );
        let base = az.path_of(i);
        for (j, (_, at, addr)) in rules.iter().enumerate() {
            az.place(&format!("{base}.properties.securityRules[{j}]"), at, addr);
        }
    }
}

/// Every route table with its inline and standalone routes.
pub(super) fn route_tables(az: &mut Az<'_>) {
    let mut standalone: Vec<(usize, usize)> = Vec::new();
    for k in az.of("azurerm_route") {
        az.folded.insert(k);
        match az.parent(k, "azurerm_route_table", "route_table_name") {
            Some(t) => standalone.push((t, k)),
            None => {
                let file = az.tr.input.file.clone();
                let r = az.res(k);
                let msg = format!(
                    "{}: its route table {} is not in this file: the route is left out",
                    r.address,
                    r.s("route_table_name").unwrap_or("(unknown)")
                );
                az.tr.report.unsupported(&file, r.path.clone(), msg);
            }
        }
    }
    let deleted: Vec<(String, String, String)> = az
        .tr
        .input
        .deleted
        .iter()
        .filter(|r| r.rtype == "azurerm_route")
        .map(|r| {
            let l = |k: &str| r.s(k).unwrap_or("").to_ascii_lowercase();
            (l("resource_group_name"), l("route_table_name"), l("name"))
        })
        .collect();
    for t in az.of("azurerm_route_table") {
        let r = az.res(t);
        let real = r.path.clone();
        let mine: Vec<usize> = standalone
            .iter()
            .filter(|(x, _)| *x == t)
            .map(|(_, k)| *k)
            .collect();
        let lower = |k: &str| r.s(k).map(str::to_ascii_lowercase);
        let taken: HashSet<String> = mine
            .iter()
            .filter_map(|&k| az.res(k).s("name").map(str::to_ascii_lowercase))
            .chain(
                deleted
                    .iter()
                    .filter(|(rg, rt, _)| {
                        lower("resource_group_name").as_deref() == Some(rg.as_str())
                            && lower("name").as_deref() == Some(rt.as_str())
                    })
                    .map(|(_, _, name)| name.clone()),
            )
            .collect();
        let blocks = az.inline_blocks(
            t,
            "route",
            "the table's inline routes are not in this import",
        );
        let mut routes: Vec<(Value, String, String)> = Vec::new();
        for (i, (b, un)) in blocks.into_iter().enumerate() {
            if text(&b, "name").is_some_and(|n| taken.contains(&n.to_ascii_lowercase())) {
                continue;
            }
            let at = format!("{real}.values.route[{i}]");
            let idx = i.to_string();
            if let Some(v) = route(az, t, &b, &un, &["route", idx.as_str()]) {
                routes.push((v, at, r.address.clone()));
            }
        }
        for k in mine {
            let s = az.res(k);
            let (v, u, p, a) = (
                s.values.clone(),
                s.unknown.clone(),
                s.path.clone(),
                s.address.clone(),
            );
            if let Some(x) = route(az, k, &v, &u, &[]) {
                routes.push((x, p, a));
            }
        }
        let r = az.res(t);
        let disable = r
            .bool("disable_bgp_route_propagation")
            .or(r.bool("bgp_route_propagation_enabled").map(|b| !b));
        let list: Vec<Value> = routes.iter().map(|(v, _, _)| v.clone()).collect();
        let i = az.push(
            t,
            &real,
            "Microsoft.Network/routeTables",
            json!({"routes": list, "disableBgpRoutePropagation": disable}),
        );
        let base = az.path_of(i);
        for (j, (_, at, addr)) in routes.iter().enumerate() {
            az.place(&format!("{base}.properties.routes[{j}]"), at, addr);
        }
    }
}

/// One route; `prefix` is the block's path in resource `k` (empty: the resource itself).
fn route(az: &mut Az<'_>, k: usize, v: &Value, un: &Value, prefix: &[&str]) -> Option<Value> {
    let at = |f: &str| {
        let mut p: Vec<&str> = prefix.to_vec();
        p.push(f);
        dotted(&p)
    };
    let mut missing = false;
    for f in ["name", "address_prefix", "next_hop_type"] {
        if text(v, f).is_none() && un.get(f).is_some_and(super::super::any_true) {
            az.unknown(k, &at(f), "the route is left out");
            missing = true;
        }
    }
    let hop = text(v, "next_hop_type").unwrap_or("");
    let ip = text(v, "next_hop_in_ip_address").map(str::to_string);
    if hop.eq_ignore_ascii_case("VirtualAppliance")
        && ip.is_none()
        && un
            .get("next_hop_in_ip_address")
            .is_some_and(super::super::any_true)
    {
        az.unknown(
            k,
            &at("next_hop_in_ip_address"),
            "the appliance it sends to is not known: the route is left out",
        );
        missing = true;
    }
    if missing {
        return None;
    }
    Some(json!({
        "name": text(v, "name"),
        "properties": {
            "addressPrefix": text(v, "address_prefix"),
            "nextHopType": text(v, "next_hop_type"),
            "nextHopIpAddress": ip,
        }
    }))
}
