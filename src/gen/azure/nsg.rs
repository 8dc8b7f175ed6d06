//! Network security groups of the Resource Graph export: each design NSG's rules as
//! `securityRules`, Azure's six `defaultSecurityRules`, selectors as address prefixes.
//!
//! Owns: the translation of NSG rules (see the parent module's doc). Must never: write a rule
//! that matches more than the design's rule (a selector with no address leaves the rule out),
//! or a priority, direction or name Azure would reject.
//!
//! Azure: <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>
//! (one prefix in `sourceAddressPrefix`, several in `sourceAddressPrefixes`; a list of ports
//! in `destinationPortRanges`; protocol `Tcp`, `Udp`, `Icmp` or `*`).

use serde_json::{Value, json};

use super::super::design::{Dir, Ports, Rule, Text};
use super::{Row, Writer, rid};

/// Azure's default rules, as every NSG lists them: (name, priority, direction, access,
/// source, destination, description).
const DEFAULTS: [(&str, u32, &str, &str, &str, &str, &str); 6] = [
    (
        "AllowVnetInBound",
        65000,
        "Inbound",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow inbound traffic from all VMs in VNET",
    ),
    (
        "AllowAzureLoadBalancerInBound",
        65001,
        "Inbound",
        "Allow",
        "AzureLoadBalancer",
        "*",
        "Allow inbound traffic from azure load balancer",
    ),
    (
        "DenyAllInBound",
        65500,
        "Inbound",
        "Deny",
        "*",
        "*",
        "Deny all inbound traffic",
    ),
    (
        "AllowVnetOutBound",
        65000,
        "Outbound",
        "Allow",
        "VirtualNetwork",
        "VirtualNetwork",
        "Allow outbound traffic from all VMs to all VMs in VNET",
    ),
    (
        "AllowInternetOutBound",
        65001,
        "Outbound",
        "Allow",
        "*",
        "Internet",
        "Allow outbound traffic from all VMs to Internet",
    ),
    (
        "DenyAllOutBound",
        65500,
        "Outbound",
        "Deny",
        "*",
        "*",
        "Deny all outbound traffic",
    ),
];

/// Azure's protocol for a design protocol (`https` and `http` are TCP on their ports).
fn protocol(p: &str) -> &'static str {
    match p {
        "udp" => "Udp",
        "icmp" => "Icmp",
        "any" => "*",
        _ => "Tcp",
    }
}

/// Sets `{key}` (one value) or `{key}s` (several) in `props`, the other one empty, as the REST
/// API returns them.
fn one_or_many(props: &mut Value, key: &str, mut items: Vec<String>) {
    let many = format!("{key}es");
    if items.len() == 1 {
        props[key] = Value::String(items.pop().unwrap_or_default());
        props[many] = Value::Array(Vec::new());
    } else {
        props[many] = Value::Array(items.into_iter().map(Value::String).collect());
    }
}

impl Writer<'_> {
    /// The address prefixes `items` stand for (empty when none holds an address).
    fn prefixes(&self, items: &[Text]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in items {
            let i = i.as_ref();
            match i {
                "*" => return vec!["*".into()],
                "Internet" | "VirtualNetwork" | "AzureLoadBalancer" => out.push(i.to_string()),
                _ => {
                    if let Some(z) = self.zone_prefixes.get(i) {
                        out.extend(z.iter().cloned());
                    } else if let Some(&k) = self.sub_index.get(i) {
                        out.push(self.subs[k].cidr.clone());
                    } else if let Some(ip) = self.ips.get(i) {
                        out.push(ip.to_string());
                    } else if let Some(ips) = self.service_ips.get(i) {
                        out.extend(ips.iter().map(ToString::to_string));
                    } else if let Some(&n) = self.net_index.get(i) {
                        out.push(self.nets[n].cidr.clone());
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| seen.insert(p.clone()));
        out
    }

    /// One design rule as a security rule of the NSG `nsg_id`, or `None` when its source or
    /// destination holds no address.
    fn security_rule(&mut self, nsg_id: &str, r: &Rule) -> Option<Value> {
        let src = self.prefixes(&r.source);
        let dst = self.prefixes(&r.destination);
        if src.is_empty() || dst.is_empty() {
            return None;
        }
        let etag = self.etag();
        let proto = protocol(r.protocol);
        let mut p = json!({
            "access": if r.allow { "Allow" } else { "Deny" },
            "description": r.justification,
            "destinationPortRanges": [],
            "direction": if r.dir == Dir::Out { "Outbound" } else { "Inbound" },
            "priority": r.priority,
            "protocol": proto,
            "provisioningState": "Succeeded",
            "sourcePortRange": "*",
            "sourcePortRanges": [],
        });
        one_or_many(&mut p, "sourceAddressPrefix", src);
        one_or_many(&mut p, "destinationAddressPrefix", dst);
        match (proto, r.ports) {
            ("Icmp", _) | (_, Ports::Any) => p["destinationPortRange"] = json!("*"),
            (_, Ports::One(x)) => p["destinationPortRange"] = json!(x.to_string()),
            (_, Ports::Range(a, b)) => p["destinationPortRange"] = json!(format!("{a}-{b}")),
            (_, Ports::List(l)) => {
                p["destinationPortRanges"] =
                    json!(l.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
        }
        Some(json!({
            "etag": etag,
            "id": format!("{nsg_id}/securityRules/{}", r.id),
            "name": r.id,
            "properties": p,
            "type": "Microsoft.Network/networkSecurityGroups/securityRules",
        }))
    }

    /// Every NSG of the design on its subnet's network, as rows.
    pub(super) fn nsgs(&mut self) -> Vec<String> {
        let d = self.d;
        let start = self.items.len();
        for rs in &d.rule_sets {
            if rs.kind != "nsg" {
                self.stats.firewall_policies_left_out += 1;
                continue;
            }
            let on: Vec<usize> = (0..self.subs.len())
                .filter(|&k| self.subs[k].nsg.as_deref() == Some(rs.id.as_str()))
                .collect();
            let Some(&first) = on.first() else { continue };
            let n = self.subs[first].net;
            let (sub, rg, region) = (
                self.nets[n].sub.clone(),
                self.nets[n].rg.clone(),
                self.nets[n].region.clone(),
            );
            let id = rid(&sub, &rg, "Microsoft.Network/networkSecurityGroups", &rs.id);
            let mut rules = Vec::with_capacity(rs.rules.len());
            for r in &rs.rules {
                match self.security_rule(&id, r) {
                    Some(v) => rules.push(v),
                    None => self.stats.rules_left_out += 1,
                }
            }
            self.stats.security_rules += rules.len();
            let mut defaults = Vec::with_capacity(DEFAULTS.len());
            for (name, prio, dir, access, src, dst, desc) in DEFAULTS {
                let etag = self.etag();
                defaults.push(json!({
                    "etag": etag,
                    "id": format!("{id}/defaultSecurityRules/{name}"),
                    "name": name,
                    "properties": {
                        "access": access,
                        "description": desc,
                        "destinationAddressPrefix": dst,
                        "destinationAddressPrefixes": [],
                        "destinationPortRange": "*",
                        "destinationPortRanges": [],
                        "direction": dir,
                        "priority": prio,
                        "protocol": "*",
                        "provisioningState": "Succeeded",
                        "sourceAddressPrefix": src,
                        "sourceAddressPrefixes": [],
                        "sourcePortRange": "*",
                        "sourcePortRanges": [],
                    },
                    "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
                }));
            }
            let guid = self.next_guid();
            let zone = self.subs[first].zone;
            let props = json!({
                "defaultSecurityRules": defaults,
                "provisioningState": "Succeeded",
                "resourceGuid": guid,
                "securityRules": rules,
                "subnets": on.iter().map(|&k| json!({"id": self.subs[k].id})).collect::<Vec<_>>(),
            });
            self.row(Row {
                id: &id,
                name: &rs.id,
                ty: "Microsoft.Network/networkSecurityGroups",
                location: &region,
                sub: &sub,
                rg: &rg,
                tags: super::tags(Some(zone), &[]),
                props,
                kind: "",
                sku: Value::Null,
                zones: Value::Null,
            });
            self.stats.nsgs += 1;
        }
        self.items.split_off(start)
    }
}
