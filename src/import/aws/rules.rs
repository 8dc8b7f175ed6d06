//! Security groups and network ACLs → rule sets of kind `security_group` and `nacl`.
//!
//! Owns: protocol numbers (`"-1"` is every protocol, NACL protocols are numbers as strings),
//! port ranges, the peers of a permission (CIDRs, prefix lists, referenced groups) and the
//! NACL's final `*` deny (the kind's built-in last rule). Must never: keep a rule that would
//! match more than AWS's does without a finding.
//!
//! AWS: security groups <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html>,
//! network ACLs <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>.

use std::collections::HashMap;

use super::map::{Builder, tag};
use crate::import::ImportError;
use crate::import::doc::{Rule, RuleSet};
use crate::import::json::At;

/// The protocol of an `IpProtocol` / NACL `Protocol` value, or `None` when the model has none.
fn protocol(p: &str) -> Option<&'static str> {
    match p.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Some("any"),
        "tcp" | "6" => Some("tcp"),
        "udp" | "17" => Some("udp"),
        "icmp" | "1" | "icmpv6" | "58" => Some("icmp"),
        _ => None,
    }
}

/// `22`, `"1024-65535"`, or `None` for every port.
fn ports(from: Option<i64>, to: Option<i64>) -> Option<String> {
    match (from, to) {
        (Some(f), Some(t))
            if f >= 0 && t >= 0 && !(f == 0 && t == 65535) && !(f <= 0 && t >= 65535) =>
        {
            Some(if f == t {
                f.to_string()
            } else {
                format!("{f}-{t}")
            })
        }
        _ => None,
    }
}

/// A rule id unique within its set: `in-tcp-443`, then `in-tcp-443-2`.
fn unique(seen: &mut HashMap<String, usize>, base: String) -> String {
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 { base } else { format!("{base}-{n}") }
}

impl Builder<'_> {
    pub(super) fn nacls(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("NetworkAcls") {
            let at = it.at();
            let id = at.req("NetworkAclId")?;
            let mut entries = Vec::new();
            for (e, p) in at.objects("Entries")? {
                let ea = At::new(e, &it.file, &p);
                let n = ea.int("RuleNumber")?.unwrap_or(0);
                let egress = ea.bool("Egress")?.unwrap_or(false);
                entries.push((n, egress, p, e));
            }
            entries.sort_by_key(|(n, egress, _, _)| (*egress, *n));
            let mut rules = Vec::new();
            let mut seen = HashMap::new();
            for (n, egress, p, v) in entries {
                let e = At::new(v, &it.file, &p);
                let action = e.req("RuleAction")?.to_ascii_lowercase();
                let cidr = e
                    .str("CidrBlock")?
                    .or(e.str("Ipv6CidrBlock")?)
                    .unwrap_or("0.0.0.0/0");
                if n >= 32767 {
                    if action == "deny" && (cidr == "0.0.0.0/0" || cidr == "::/0") {
                        continue; // the `*` rule: kind nacl's built-in final deny
                    }
                    self.report.unsupported(
                        &it.file,
                        p,
                        format!(
                            "network ACL {id}: rule {n} above 32766 is not one AWS creates: skipped"
                        ),
                    );
                    continue;
                }
                let proto_text = e.req("Protocol")?;
                let Some(proto) = protocol(proto_text) else {
                    self.report.unsupported(
                        &it.file,
                        format!("{p}.Protocol"),
                        format!("network ACL {id} rule {n}: IP protocol {proto_text} is not modelled: rule skipped{}", if action == "deny" { " (the flows it denies are judged by the next rules)" } else { "" }),
                    );
                    continue;
                };
                if matches!(proto_text, "58" | "icmpv6") {
                    self.report.assumed(
                        &it.file,
                        format!("{p}.Protocol"),
                        format!("network ACL {id} rule {n}: ICMPv6 is modelled as icmp"),
                    );
                }
                let range = match e.obj("PortRange")? {
                    Some((r, rp)) if proto == "tcp" || proto == "udp" => {
                        let r = At::new(r, &it.file, &rp);
                        ports(r.int("From")?, r.int("To")?)
                    }
                    _ => None,
                };
                if proto == "icmp"
                    && e.obj("IcmpTypeCode")?.is_some_and(|(v, _)| {
                        v.get("Type")
                            .and_then(serde_json::Value::as_i64)
                            .is_some_and(|t| t != -1)
                    })
                {
                    self.report.assumed(&it.file, format!("{p}.IcmpTypeCode"), format!("network ACL {id} rule {n}: ICMP type and code are not modelled: every ICMP message"));
                }
                let (dir, side) = if egress {
                    ("outbound", "out")
                } else {
                    ("inbound", "in")
                };
                let peer = vec![cidr.to_string()];
                let rid = unique(&mut seen, format!("{side}-{n}"));
                self.report
                    .origin(format!("{id}/{rid}"), &it.file, p.clone());
                rules.push(Rule {
                    id: rid,
                    priority: Some(n),
                    direction: dir.into(),
                    action,
                    protocol: proto.into(),
                    source: if egress { Vec::new() } else { peer.clone() },
                    destination: if egress { peer } else { Vec::new() },
                    ports: range,
                    description: None,
                    ..Rule::default()
                });
            }
            let tags = at.tags()?;
            let default = at.bool("IsDefault")?.unwrap_or(false);
            for (a, p) in at.objects("Associations")? {
                let a = At::new(a, &it.file, &p);
                if let Some(s) = a.str("SubnetId")? {
                    match self.subnets.get(s) {
                        Some(&(n, k)) => self.doc.networks[n].subnets[k].rules.push(id.to_string()),
                        None => self.report.unsupported(
                            &it.file,
                            format!("{p}.SubnetId"),
                            format!("network ACL {id}: subnet {s} is not in the snapshot"),
                        ),
                    }
                }
            }
            self.report
                .origin(id.to_string(), &it.file, it.path.clone());
            self.doc.rule_sets.push(RuleSet {
                id: id.to_string(),
                name: tag(&tags, "Name")
                    .map(str::to_string)
                    .or_else(|| default.then(|| "default network ACL".to_string())),
                cloud_id: self.cloud_id(id),
                kind: "nacl".into(),
                description: None,
                rules,
            });
            self.report.add("rule sets", 1);
        }
        Ok(())
    }

    pub(super) fn security_groups(&mut self) -> Result<(), ImportError> {
        let prefix_lists = self.prefix_lists()?;
        for it in self.snap.items("SecurityGroups") {
            let at = it.at();
            let id = at.req("GroupId")?;
            let mut rules = Vec::new();
            let mut seen = HashMap::new();
            for (key, inbound) in [("IpPermissions", true), ("IpPermissionsEgress", false)] {
                for (perm, pp) in at.objects(key)? {
                    let pm = At::new(perm, &it.file, &pp);
                    let proto_text = pm.req("IpProtocol")?;
                    let Some(proto) = protocol(proto_text) else {
                        self.report.unsupported(&it.file, format!("{pp}.IpProtocol"), format!("security group {id}: IP protocol {proto_text} is not modelled: permission skipped (what it allows is denied)"));
                        continue;
                    };
                    let range = if proto == "tcp" || proto == "udp" {
                        ports(pm.int("FromPort")?, pm.int("ToPort")?)
                    } else {
                        None
                    };
                    if proto == "icmp" && pm.int("FromPort")?.is_some_and(|t| t != -1) {
                        self.report.assumed(&it.file, format!("{pp}.FromPort"), format!("security group {id}: ICMP type and code are not modelled: every ICMP message is allowed"));
                    }
                    let mut peers = Vec::new();
                    let mut descs = Vec::new();
                    for (r, rp) in pm.objects("IpRanges")? {
                        let r = At::new(r, &it.file, &rp);
                        peers.push(r.req("CidrIp")?.to_string());
                        descs.extend(r.str("Description")?.map(str::to_string));
                    }
                    for (r, rp) in pm.objects("Ipv6Ranges")? {
                        let r = At::new(r, &it.file, &rp);
                        peers.push(r.req("CidrIpv6")?.to_string());
                        descs.extend(r.str("Description")?.map(str::to_string));
                    }
                    for (r, rp) in pm.objects("PrefixListIds")? {
                        let r = At::new(r, &it.file, &rp);
                        let pl = r.req("PrefixListId")?;
                        descs.extend(r.str("Description")?.map(str::to_string));
                        match prefix_lists.get(pl) {
                            Some(cidrs) if self.opts.references => {
                                self.doc.address_groups.insert(pl.to_string(), cidrs.clone());
                                peers.push(pl.to_string());
                            }
                            Some(cidrs) => {
                                self.report.assumed(&it.file, rp.clone(), format!("prefix list {pl} written as its {} CIDRs (this loader has no address_groups)", cidrs.len()));
                                peers.extend(cidrs.iter().cloned());
                            }
                            None => self.report.unsupported(&it.file, rp.clone(), format!("security group {id}: prefix list {pl} has no entries in the snapshot (add describe-prefix-lists or get-managed-prefix-list-entries): this peer is left out")),
                        }
                    }
                    for (g, gp) in pm.objects("UserIdGroupPairs")? {
                        let g = At::new(g, &it.file, &gp);
                        let Some(gid) = g.str("GroupId")? else {
                            self.report.unsupported(&it.file, gp, format!("security group {id}: a group pair without GroupId (EC2-Classic name) is not modelled"));
                            continue;
                        };
                        descs.extend(g.str("Description")?.map(str::to_string));
                        if !self.groups.contains(gid) {
                            let owner = g.str("UserId")?.unwrap_or("another account");
                            self.report.unsupported(&it.file, format!("{gp}.GroupId"), format!("security group {id} references {gid} (account {owner}), which is not in the snapshot: this peer matches nothing"));
                            continue;
                        }
                        if self.opts.references {
                            peers.push(gid.to_string());
                        } else {
                            let members = self.members.get(gid).cloned().unwrap_or_default();
                            if members.is_empty() {
                                self.report.assumed(&it.file, format!("{gp}.GroupId"), format!("security group {id} references {gid}, which no interface of the snapshot carries: this peer matches nothing"));
                            } else {
                                self.report.assumed(&it.file, format!("{gp}.GroupId"), format!("reference to {gid} written as the {} addresses of the interfaces carrying it (this loader has no group references)", members.len()));
                            }
                            peers.extend(members.into_iter().map(|m| {
                                if m.contains(':') {
                                    format!("{m}/128")
                                } else {
                                    format!("{m}/32")
                                }
                            }));
                        }
                    }
                    if peers.is_empty() {
                        continue;
                    }
                    peers.dedup();
                    let side = if inbound { "in" } else { "out" };
                    let base = match (&range, proto) {
                        (_, "any") => format!("{side}-all"),
                        (Some(r), p) => format!("{side}-{p}-{r}"),
                        (None, p) => format!("{side}-{p}"),
                    };
                    descs.dedup();
                    let rid = unique(&mut seen, base);
                    self.report
                        .origin(format!("{id}/{rid}"), &it.file, pp.clone());
                    rules.push(Rule {
                        id: rid,
                        priority: None,
                        direction: if inbound { "inbound" } else { "outbound" }.into(),
                        action: "allow".into(),
                        protocol: proto.into(),
                        source: if inbound { peers.clone() } else { Vec::new() },
                        destination: if inbound { Vec::new() } else { peers },
                        ports: range,
                        description: (!descs.is_empty()).then(|| descs.join("; ")),
                        ..Rule::default()
                    });
                }
            }
            let tags = at.tags()?;
            self.report
                .origin(id.to_string(), &it.file, it.path.clone());
            self.doc.rule_sets.push(RuleSet {
                id: id.to_string(),
                name: at.str("GroupName")?.map(str::to_string),
                cloud_id: self.cloud_id(id),
                kind: "security_group".into(),
                description: at.str("Description")?.map(str::to_string),
                rules,
            });
            self.tags.insert(id.to_string(), tags);
            self.report.add("rule sets", 1);
        }
        Ok(())
    }

    /// Prefix list id → CIDRs (describe-prefix-lists' `Cidrs`; managed lists' `Entries`).
    fn prefix_lists(&self) -> Result<HashMap<String, Vec<String>>, ImportError> {
        let mut out = HashMap::new();
        for it in self.snap.items("PrefixLists") {
            let at = it.at();
            let id = at.req("PrefixListId")?;
            let mut cidrs: Vec<String> = at
                .strings("Cidrs")?
                .into_iter()
                .map(str::to_string)
                .collect();
            for (e, p) in at.objects("Entries")? {
                cidrs.extend(At::new(e, &it.file, &p).str("Cidr")?.map(str::to_string));
            }
            if !cidrs.is_empty() {
                out.insert(id.to_string(), cidrs);
            }
        }
        Ok(out)
    }
}
