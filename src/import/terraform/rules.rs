//! Security groups and network ACLs: the group's inline `ingress`/`egress` blocks and the
//! standalone rule resources (`aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`
//! and `_egress_rule`, `aws_network_acl_rule`, `aws_network_acl_association`), joined to their
//! group by id or by the configuration's references, as one describe-* entry per group.
//!
//! Owns: one permission per peer (so each can name the resource that made it), and the
//! provider's mirror: a group's inline list also shows the rules standalone resources made, so
//! those are read once (the standalone resource is named), and a plan's deleted or replaced
//! standalone rules are taken out of the inline list. Provider:
//! <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/security_group>.
//! Must never: decide what a rule allows (`import::aws::rules` does).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::Res;
use super::aws::Translate;

/// One peer of a permission: the describe-* list it goes in and its entry.
#[derive(Debug, Clone, PartialEq)]
struct Perm {
    inbound: bool,
    proto: String,
    from: Option<i64>,
    to: Option<i64>,
    list: &'static str,
    peer: Value,
}

impl Perm {
    fn key(&self) -> String {
        let mut p = self.peer.clone();
        if let Some(o) = p.as_object_mut() {
            o.remove("Description");
        }
        format!(
            "{}|{}|{:?}|{:?}|{}|{p}",
            self.inbound, self.proto, self.from, self.to, self.list
        )
    }

    fn to_json(&self) -> Value {
        json!({
            "IpProtocol": self.proto,
            "FromPort": self.from,
            "ToPort": self.to,
            self.list: [self.peer.clone()],
        })
    }
}

fn norm_proto(p: &str) -> String {
    match p.trim().to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        other => other.to_string(),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The permissions of one rule written as a group's inline block or an
/// `aws_security_group_rule` (the same attribute names), one per peer. `groups` are the
/// referenced groups' ids, already joined.
fn block_perms(b: &Value, inbound: bool, own: &str, groups: &[String]) -> Vec<Perm> {
    let proto = norm_proto(&text(b, "protocol").unwrap_or_else(|| "-1".into()));
    let (from, to) = if proto == "-1" {
        (None, None)
    } else {
        (
            b.get("from_port").and_then(Value::as_i64),
            b.get("to_port").and_then(Value::as_i64),
        )
    };
    let desc = text(b, "description");
    let mk = |list: &'static str, peer: Value| Perm {
        inbound,
        proto: proto.clone(),
        from,
        to,
        list,
        peer,
    };
    let mut out = Vec::new();
    for c in list(b, "cidr_blocks") {
        out.push(mk("IpRanges", json!({"CidrIp": c, "Description": desc})));
    }
    for c in list(b, "ipv6_cidr_blocks") {
        out.push(mk(
            "Ipv6Ranges",
            json!({"CidrIpv6": c, "Description": desc}),
        ));
    }
    for p in list(b, "prefix_list_ids") {
        out.push(mk(
            "PrefixListIds",
            json!({"PrefixListId": p, "Description": desc}),
        ));
    }
    for g in groups {
        out.push(mk(
            "UserIdGroupPairs",
            json!({"GroupId": g, "Description": desc}),
        ));
    }
    if b.get("self").and_then(Value::as_bool) == Some(true) {
        out.push(mk(
            "UserIdGroupPairs",
            json!({"GroupId": own, "Description": desc}),
        ));
    }
    out
}

/// The permission of an `aws_vpc_security_group_ingress_rule` / `_egress_rule`.
fn vpc_rule_perm(r: &Res, inbound: bool, group_ref: Option<String>) -> Option<Perm> {
    let proto = norm_proto(r.s("ip_protocol").unwrap_or("-1"));
    let (from, to) = if proto == "-1" {
        (None, None)
    } else {
        (r.int("from_port"), r.int("to_port"))
    };
    let desc = r.s("description");
    let (list, peer) = if let Some(c) = r.s("cidr_ipv4") {
        ("IpRanges", json!({"CidrIp": c, "Description": desc}))
    } else if let Some(c) = r.s("cidr_ipv6") {
        ("Ipv6Ranges", json!({"CidrIpv6": c, "Description": desc}))
    } else if let Some(p) = r.s("prefix_list_id") {
        (
            "PrefixListIds",
            json!({"PrefixListId": p, "Description": desc}),
        )
    } else {
        (
            "UserIdGroupPairs",
            json!({"GroupId": group_ref?, "Description": desc}),
        )
    };
    Some(Perm {
        inbound,
        proto,
        from,
        to,
        list,
        peer,
    })
}

/// A standalone rule's permissions: (group id, permissions), or `None` with a finding.
fn standalone(t: &mut Translate<'_>, r: &Res, k: Option<usize>) -> Option<(String, Vec<Perm>)> {
    let join = |t: &mut Translate<'_>, key: &str| -> Option<String> {
        match k {
            Some(k) => t.join(k, key),
            None => r.s(key).map(str::to_string),
        }
    };
    let group = join(t, "security_group_id")?;
    let perms = match r.rtype.as_str() {
        "aws_security_group_rule" => {
            let inbound = r.s("type") != Some("egress");
            let src = join(t, "source_security_group_id");
            if let Some(k) = k {
                for key in ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"] {
                    if r.unknown(key) {
                        t.unknown(k, key, "the peers it would allow are not known: those are left out (what they would allow is judged as denied)");
                    }
                }
            }
            block_perms(
                &r.values,
                inbound,
                &group,
                &src.into_iter().collect::<Vec<_>>(),
            )
        }
        ty => {
            let inbound = ty == "aws_vpc_security_group_ingress_rule";
            if let Some(k) = k {
                for key in ["cidr_ipv4", "cidr_ipv6", "prefix_list_id"] {
                    if r.unknown(key) {
                        t.unknown(k, key, "the peer it would allow is not known: the rule is left out (what it would allow is judged as denied)");
                        return None;
                    }
                }
            }
            let g = join(t, "referenced_security_group_id");
            vpc_rule_perm(r, inbound, g).into_iter().collect()
        }
    };
    Some((group, perms))
}

const SG_RULES: [&str; 3] = [
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
];

impl Translate<'_> {
    pub(super) fn security_groups(&mut self) {
        // What a plan deletes or replaces: out of the inline mirror.
        let mut gone: HashSet<(String, String)> = HashSet::new();
        let deleted: Vec<&Res> = self
            .input
            .deleted
            .iter()
            .filter(|r| SG_RULES.contains(&r.rtype.as_str()))
            .collect();
        for r in deleted {
            if let Some((g, perms)) = standalone(self, r, None) {
                gone.extend(perms.into_iter().map(|p| (g.clone(), p.key())));
            }
        }
        // Standalone rules by group: (permission, JSON path, address).
        let mut extra: HashMap<String, Vec<(Perm, String, String)>> = HashMap::new();
        for ty in SG_RULES {
            for k in self.of(ty) {
                let r = self.res(k);
                let Some((g, perms)) = standalone(self, r, Some(k)) else {
                    continue;
                };
                for p in perms {
                    extra.entry(g.clone()).or_default().push((
                        p,
                        format!("{}.values", r.path),
                        r.address.clone(),
                    ));
                }
            }
        }
        let groups: Vec<usize> = self
            .of("aws_security_group")
            .into_iter()
            .chain(self.of("aws_default_security_group"))
            .collect();
        let mut known: HashSet<String> = HashSet::new();
        for k in groups {
            let id = self.ids[k].clone();
            known.insert(id.clone());
            let vpc = self.join(k, "vpc_id");
            let r = self.res(k);
            let mut perms: Vec<(Perm, String, String)> = Vec::new();
            let mut seen: HashMap<String, usize> = HashMap::new();
            for (attr, inbound) in [("ingress", true), ("egress", false)] {
                for (i, (b, u)) in r.blocks(attr).into_iter().enumerate() {
                    let path = format!("{}.values.{attr}[{i}]", r.path);
                    for key in ["cidr_blocks", "ipv6_cidr_blocks"] {
                        if u.get(key).is_some_and(super::any_true) {
                            self.unknown(k, &format!("{attr}[{i}].{key}"), "the peers this rule would allow are not known: those are left out (what they would allow is judged as denied)");
                        }
                    }
                    let mut refs = list(&b, "security_groups");
                    if u.get("security_groups").is_some_and(super::any_true) {
                        // Groups the plan creates: the configuration's block (matched by its
                        // ports and protocol) names them.
                        let (scope, local) = self.scope_local(k);
                        let keys = ["from_port", "to_port", "protocol"];
                        let fields: Vec<(&str, &Value)> = keys
                            .iter()
                            .filter_map(|key| b.get(*key).map(|v| (*key, v)))
                            .collect();
                        let ci = self
                            .input
                            .config
                            .block_matching(&scope, &local, attr, &fields);
                        let got = ci.map_or_else(Vec::new, |ci| {
                            self.follow_all(k, &[attr, &ci.to_string(), "security_groups"])
                        });
                        if got.is_empty() {
                            self.unknown(k, &format!("{attr}[{i}].security_groups"), "the groups this rule would allow are not known: those peers are left out (what they would allow is judged as denied)");
                        }
                        refs.extend(got);
                    }
                    for p in block_perms(&b, inbound, &id, &refs) {
                        let key = p.key();
                        if gone.contains(&(id.clone(), key.clone())) || seen.contains_key(&key) {
                            continue;
                        }
                        seen.insert(key, perms.len());
                        perms.push((p, path.clone(), r.address.clone()));
                    }
                }
            }
            for (p, path, addr) in extra.remove(&id).unwrap_or_default() {
                let key = p.key();
                // The standalone resource made it: it is named, not the inline mirror.
                if let Some(&at) = seen.get(&key) {
                    perms[at] = (p, path, addr);
                } else {
                    seen.insert(key, perms.len());
                    perms.push((p, path, addr));
                }
            }
            let (mut ing, mut eg) = (Vec::new(), Vec::new());
            let mut places = Vec::new();
            for (p, path, addr) in perms {
                let (list, name) = if p.inbound {
                    (&mut ing, "IpPermissions")
                } else {
                    (&mut eg, "IpPermissionsEgress")
                };
                places.push((format!("{name}[{}]", list.len()), path, addr));
                list.push(p.to_json());
            }
            let r = self.res(k);
            let v = json!({
                "GroupId": id,
                "GroupName": r.s("name"),
                "Description": r.s("description"),
                "VpcId": vpc,
                "IpPermissions": ing,
                "IpPermissionsEgress": eg,
                "Tags": r.tags(),
            });
            let base = self.push("SecurityGroups", k, v);
            for (rel, path, addr) in places {
                self.place(&format!("{base}.{rel}"), &path, &addr);
            }
        }
        for (g, rules) in extra {
            if known.contains(&g) {
                continue;
            }
            for (_, path, addr) in rules {
                self.report.unsupported(
                    &self.input.file,
                    path,
                    format!(
                        "{addr}: its security group {g} is not in this file: the rule is left out"
                    ),
                );
            }
        }
    }

    pub(super) fn nacls(&mut self) {
        let entry = |b: &Value, egress: bool, num: &str, action: &str| -> Option<Value> {
            let n = b.get(num).and_then(Value::as_i64)?;
            let proto = norm_proto(&text(b, "protocol").unwrap_or_else(|| "-1".into()));
            let proto = match proto.as_str() {
                "tcp" => "6".to_string(),
                "udp" => "17".to_string(),
                "icmp" => "1".to_string(),
                _ => proto,
            };
            Some(json!({
                "RuleNumber": n,
                "Egress": egress,
                "Protocol": proto,
                "RuleAction": text(b, action).map(|a| a.to_ascii_lowercase()),
                "CidrBlock": text(b, "cidr_block"),
                "Ipv6CidrBlock": text(b, "ipv6_cidr_block"),
                "PortRange": {"From": b.get("from_port"), "To": b.get("to_port")},
                "IcmpTypeCode": {"Type": b.get("icmp_type"), "Code": b.get("icmp_code")},
            }))
        };
        let mut gone: HashSet<(String, bool, i64)> = HashSet::new();
        for r in self
            .input
            .deleted
            .iter()
            .filter(|r| r.rtype == "aws_network_acl_rule")
        {
            if let (Some(a), Some(n)) = (r.s("network_acl_id"), r.int("rule_number")) {
                gone.insert((a.to_string(), r.bool("egress") == Some(true), n));
            }
        }
        let mut extra: HashMap<String, Vec<(Value, String, String)>> = HashMap::new();
        for k in self.of("aws_network_acl_rule") {
            let Some(acl) = self.join(k, "network_acl_id") else {
                continue;
            };
            let r = self.res(k);
            for key in ["cidr_block", "ipv6_cidr_block"] {
                if r.unknown(key) {
                    self.unknown(k, key, "the addresses of this rule are not known: the rule is left out (the next rules judge its flows)");
                }
            }
            let r = self.res(k);
            if r.unknown("cidr_block") || r.unknown("ipv6_cidr_block") {
                continue;
            }
            let egress = r.bool("egress") == Some(true);
            if let Some(e) = entry(&r.values, egress, "rule_number", "rule_action") {
                extra.entry(acl).or_default().push((
                    e,
                    format!("{}.values", r.path),
                    r.address.clone(),
                ));
            }
        }
        let mut assoc: HashMap<String, Vec<String>> = HashMap::new();
        for k in self.of("aws_network_acl_association") {
            if let (Some(a), Some(s)) = (self.join(k, "network_acl_id"), self.join(k, "subnet_id"))
            {
                assoc.entry(a).or_default().push(s);
            }
        }
        let acls: Vec<(usize, bool)> = self
            .of("aws_network_acl")
            .into_iter()
            .map(|k| (k, false))
            .chain(
                self.of("aws_default_network_acl")
                    .into_iter()
                    .map(|k| (k, true)),
            )
            .collect();
        for (k, default) in acls {
            let id = self.ids[k].clone();
            let vpc = self.join(k, "vpc_id");
            let mut subnets = self.join_list(k, "subnet_ids");
            subnets.extend(assoc.remove(&id).unwrap_or_default());
            subnets.dedup();
            let r = self.res(k);
            // (egress, number) → (entry, path, address): standalone rules replace the mirror.
            let mut entries: Vec<((bool, i64), Value, String, String)> = Vec::new();
            let mut blocks: Vec<(Value, Value, bool, String)> = Vec::new();
            for (attr, egress) in [("ingress", false), ("egress", true)] {
                for (i, (b, u)) in r.blocks(attr).into_iter().enumerate() {
                    blocks.push((b, u, egress, format!("{attr}[{i}]")));
                }
            }
            for (b, u, egress, rel) in blocks {
                if ["cidr_block", "ipv6_cidr_block"]
                    .iter()
                    .any(|key| u.get(*key).is_some_and(super::any_true))
                {
                    self.unknown(k, &format!("{rel}.cidr_block"), "the addresses of this rule are not known: the rule is left out (the next rules judge its flows)");
                    continue;
                }
                let Some(e) = entry(&b, egress, "rule_no", "action") else {
                    continue;
                };
                let n = e["RuleNumber"].as_i64().unwrap_or(0);
                if gone.contains(&(id.clone(), egress, n)) {
                    continue;
                }
                let r = self.res(k);
                entries.push((
                    (egress, n),
                    e,
                    format!("{}.values.{rel}", r.path),
                    r.address.clone(),
                ));
            }
            for (e, path, addr) in extra.remove(&id).unwrap_or_default() {
                let key = (
                    e["Egress"].as_bool().unwrap_or(false),
                    e["RuleNumber"].as_i64().unwrap_or(0),
                );
                entries.retain(|x| x.0 != key);
                entries.push((key, e, path, addr));
            }
            let r = self.res(k);
            let v = json!({
                "NetworkAclId": id,
                "VpcId": vpc,
                "IsDefault": default,
                "Entries": entries.iter().map(|x| x.1.clone()).collect::<Vec<_>>(),
                "Associations": subnets.iter().map(|s| json!({"SubnetId": s})).collect::<Vec<_>>(),
                "Tags": r.tags(),
            });
            let base = self.push("NetworkAcls", k, v);
            for (i, (_, _, path, addr)) in entries.into_iter().enumerate() {
                self.place(&format!("{base}.Entries[{i}]"), &path, &addr);
            }
        }
        for (a, rules) in extra {
            for (_, path, addr) in rules {
                self.report.unsupported(
                    &self.input.file,
                    path,
                    format!(
                        "{addr}: its network ACL {a} is not in this file: the rule is left out"
                    ),
                );
            }
        }
    }
}
