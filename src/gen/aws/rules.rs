//! Security groups and network ACLs of the describe-* folder: a design NSG's allow rules as a
//! group's permissions, its deny rules as the subnet's network ACL entries, selectors as CIDRs.
//!
//! Owns: the translation of rules (see the table in the parent module). Must never: write a
//! deny into a security group (AWS groups are allow-only) or a rule broader than the design's
//! without saying so in the parent module's doc.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::super::design::{Dir, Ports, Rule, RuleSet, Text};
use super::{ACCOUNT, Writer, tags};

/// An IP permission: protocol, port range and the CIDRs with their descriptions.
pub(super) struct Perm {
    proto: &'static str,
    ports: Option<(u16, u16)>,
    ranges: Vec<(String, String)>,
}

pub(super) struct Group {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) vpc: usize,
    pub(super) zone: Option<&'static str>,
    pub(super) inbound: Vec<Perm>,
    pub(super) outbound: Vec<Perm>,
}

/// What a selector item stands for.
enum Peer {
    Cidrs(Vec<String>),
    Internet,
}

fn perm_ports(protocol: &str, ports: Ports) -> (&'static str, Vec<Option<(u16, u16)>>) {
    let proto = match protocol {
        "udp" => "udp",
        "icmp" => "icmp",
        "any" => "-1",
        _ => "tcp",
    };
    if proto == "-1" || proto == "icmp" {
        return (proto, vec![None]);
    }
    let spans = match ports {
        Ports::One(p) => vec![Some((p, p))],
        Ports::Range(a, b) => vec![Some((a, b))],
        Ports::List(l) => l.iter().map(|&p| Some((p, p))).collect(),
        Ports::Any => vec![Some((0, 65535))],
    };
    (proto, spans)
}

fn add_perm(
    perms: &mut Vec<Perm>,
    proto: &'static str,
    ports: Option<(u16, u16)>,
    cidrs: &[String],
    desc: &str,
) {
    let k = match perms
        .iter()
        .position(|p| p.proto == proto && p.ports == ports)
    {
        Some(k) => k,
        None => {
            perms.push(Perm {
                proto,
                ports,
                ranges: Vec::new(),
            });
            perms.len() - 1
        }
    };
    for c in cidrs {
        if !perms[k].ranges.iter().any(|(x, _)| x == c) {
            perms[k].ranges.push((c.clone(), desc.to_string()));
        }
    }
}

fn perm_json(p: &Perm) -> Value {
    let ranges: Vec<Value> = p
        .ranges
        .iter()
        .map(|(c, d)| json!({"CidrIp": c, "Description": d}))
        .collect();
    let mut v = json!({
        "IpProtocol": p.proto,
        "IpRanges": ranges,
        "Ipv6Ranges": [],
        "PrefixListIds": [],
        "UserIdGroupPairs": [],
    });
    match (p.proto, p.ports) {
        ("icmp", _) => {
            v["FromPort"] = json!(-1);
            v["ToPort"] = json!(-1);
        }
        (_, Some((a, b))) => {
            v["FromPort"] = json!(a);
            v["ToPort"] = json!(b);
        }
        _ => {}
    }
    v
}

/// `{\n    "Key": [\n        item,\n        …\n    ]\n}\n`, as the AWS CLI prints it.
impl Writer<'_> {
    /// What selector `item` stands for in a rule set of VPC `vpc`.
    fn peer(&self, item: &str, vpc: usize) -> Peer {
        match item {
            "*" => return Peer::Cidrs(vec!["0.0.0.0/0".into()]),
            "Internet" => return Peer::Internet,
            _ => {}
        }
        let near = std::iter::once(vpc).chain(self.vpcs[vpc].peers.iter().map(|p| p.0));
        if item == "VirtualNetwork" {
            return Peer::Cidrs(near.map(|v| self.vpcs[v].cidr.clone()).collect());
        }
        if self.d.zones.iter().any(|z| z.id == item) {
            return Peer::Cidrs(
                near.flat_map(|v| self.vpcs[v].subnets.iter())
                    .filter(|(z, _)| *z == item)
                    .map(|(_, c)| c.clone())
                    .collect(),
            );
        }
        if let Some(&k) = self.sub_index.get(item) {
            return Peer::Cidrs(vec![self.subs[k].cidr.clone()]);
        }
        if let Some(ip) = self.ips.get(item) {
            return Peer::Cidrs(vec![format!("{ip}/32")]);
        }
        Peer::Cidrs(Vec::new())
    }

    /// The CIDRs of `items`, or `None` when one of them is the internet.
    fn cidrs(&self, items: &[Text], vpc: usize) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for i in items {
            match self.peer(i, vpc) {
                Peer::Internet => return None,
                Peer::Cidrs(c) => out.extend(c),
            }
        }
        out.dedup();
        Some(out)
    }

    /// The security groups and, per endpoint id, the groups its interface carries.
    pub(super) fn groups(&mut self) -> (Vec<Group>, HashMap<String, Vec<usize>>) {
        let d = self.d;
        let mut groups: Vec<Group> = Vec::new();
        let mut of_subnet: HashMap<&str, usize> = HashMap::new();
        let mut of_endpoint: HashMap<String, Vec<usize>> = HashMap::new();
        for rs in d.rule_sets.iter().filter(|r| r.kind == "nsg") {
            let Some(&sk) = self
                .subs
                .iter()
                .enumerate()
                .find(|(_, s)| s.nsg.as_deref() == Some(&rs.id))
                .map(|(k, _)| k)
                .as_ref()
            else {
                continue;
            };
            let vpc = self.subs[sk].vpc;
            let zone = self.subs[sk].zone;
            let main = groups.len();
            groups.push(Group {
                id: self.id("sg"),
                name: rs.id.clone(),
                description: format!("Allow rules of {}", rs.id),
                vpc,
                zone: Some(zone),
                inbound: Vec::new(),
                outbound: Vec::new(),
            });
            of_subnet.insert(rs.id.as_str(), main);
            for rule in rs.rules.iter().filter(|r| r.allow) {
                let (peer_items, target) = match rule.dir {
                    Dir::Out => (&rule.destination, None),
                    _ => (
                        &rule.source,
                        rule.destination
                            .iter()
                            .find(|t| self.ips.contains_key(t.as_ref())),
                    ),
                };
                let Some(cidrs) = self.cidrs_allow(peer_items, vpc) else {
                    continue;
                };
                let g = match target {
                    Some(t) => {
                        let name = format!("{}-{t}", rs.id);
                        if let Some(k) = groups.iter().position(|g| g.name == name) {
                            k
                        } else {
                            groups.push(Group {
                                id: self.id("sg"),
                                name,
                                description: format!("Allow rules of {} for {t} only", rs.id),
                                vpc,
                                zone: Some(zone),
                                inbound: Vec::new(),
                                outbound: Vec::new(),
                            });
                            of_endpoint
                                .entry(t.to_string())
                                .or_default()
                                .push(groups.len() - 1);
                            groups.len() - 1
                        }
                    }
                    None => main,
                };
                let (proto, spans) = perm_ports(rule.protocol, rule.ports);
                let perms = if rule.dir == Dir::Out {
                    &mut groups[g].outbound
                } else {
                    &mut groups[g].inbound
                };
                for s in spans {
                    add_perm(perms, proto, s, &cidrs, &rule.id);
                }
            }
        }
        // Each endpoint's groups: its subnet's, the ones aimed at it, or an appliance's.
        let mut out: HashMap<String, Vec<usize>> = HashMap::new();
        for e in &d.endpoints {
            let Some(s) = e.subnet.as_deref() else {
                continue;
            };
            let Some(&sk) = self.sub_index.get(s) else {
                continue;
            };
            let mut gs: Vec<usize> = self.subs[sk]
                .nsg
                .as_deref()
                .and_then(|n| of_subnet.get(n))
                .copied()
                .into_iter()
                .collect();
            gs.extend(of_endpoint.get(&e.id).into_iter().flatten().copied());
            if gs.is_empty() || e.kind == "firewall" {
                let vpc = self.subs[sk].vpc;
                let all = ["0.0.0.0/0".to_string()];
                groups.push(Group {
                    id: self.id("sg"),
                    name: format!("{}-appliance", e.id),
                    description: format!("{} forwards what the route tables send it", e.id),
                    vpc,
                    zone: None,
                    inbound: vec![Perm {
                        proto: "-1",
                        ports: None,
                        ranges: all
                            .iter()
                            .map(|c| (c.clone(), "appliance".into()))
                            .collect(),
                    }],
                    outbound: vec![Perm {
                        proto: "-1",
                        ports: None,
                        ranges: all
                            .iter()
                            .map(|c| (c.clone(), "appliance".into()))
                            .collect(),
                    }],
                });
                gs = vec![groups.len() - 1];
            }
            out.insert(e.id.clone(), gs);
        }
        (groups, out)
    }

    /// The CIDRs of an allow rule's peer: the internet is `0.0.0.0/0` (an allow admits it).
    fn cidrs_allow(&self, items: &[Text], vpc: usize) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for i in items {
            match self.peer(i, vpc) {
                Peer::Internet => out.push("0.0.0.0/0".to_string()),
                Peer::Cidrs(c) => out.extend(c),
            }
        }
        out.dedup();
        (!out.is_empty()).then_some(out)
    }

    pub(super) fn group_json(&self, g: &Group) -> Value {
        let zone_tags: Vec<(&str, &str)> = std::iter::once(("Name", g.name.as_str()))
            .chain(g.zone.map(|z| ("SecurityZone", z)))
            .collect();
        json!({
            "Description": g.description,
            "GroupId": g.id,
            "GroupName": g.name,
            "IpPermissions": g.inbound.iter().map(perm_json).collect::<Vec<_>>(),
            "IpPermissionsEgress": g.outbound.iter().map(perm_json).collect::<Vec<_>>(),
            "OwnerId": ACCOUNT,
            "Tags": tags(&zone_tags),
            "VpcId": self.vpcs[g.vpc].id,
        })
    }
}

/// A deny entry of a network ACL: protocol, port range, CIDR.
type Deny = (&'static str, Option<(u16, u16)>, String);

/// The protocol number AWS network ACLs use.
fn nacl_protocol(proto: &str) -> &'static str {
    match proto {
        "tcp" => "6",
        "udp" => "17",
        "icmp" => "1",
        _ => "-1",
    }
}

fn nacl_entry(
    number: u32,
    egress: bool,
    allow: bool,
    proto: &str,
    ports: Option<(u16, u16)>,
    cidr: &str,
) -> Value {
    let mut v = json!({
        "CidrBlock": cidr,
        "Egress": egress,
        "Protocol": nacl_protocol(proto),
        "RuleAction": if allow { "allow" } else { "deny" },
        "RuleNumber": number,
    });
    match (proto, ports) {
        ("icmp", _) => v["IcmpTypeCode"] = json!({"Code": -1, "Type": -1}),
        ("tcp" | "udp", Some((a, b))) => v["PortRange"] = json!({"From": a, "To": b}),
        _ => {}
    }
    v
}

/// The entries of one direction: `denies` numbered from 100 in steps of 10 (of 1 when they
/// would not fit), then an allow-all entry, then AWS's `*` deny (32767).
fn nacl_direction(egress: bool, denies: &[Deny]) -> Vec<Value> {
    let step = if denies.len() * 10 + 110 < 32_766 {
        10
    } else {
        1
    };
    let mut out = Vec::with_capacity(denies.len() + 2);
    let mut n = 100u32;
    for (proto, ports, cidr) in denies.iter().take(32_000) {
        out.push(nacl_entry(n, egress, false, proto, *ports, cidr));
        n += step;
    }
    out.push(nacl_entry(n, egress, true, "-1", None, "0.0.0.0/0"));
    out.push(nacl_entry(32_767, egress, false, "-1", None, "0.0.0.0/0"));
    out
}

impl Writer<'_> {
    /// The deny entries of subnet `sk`'s NSG, per direction (`[inbound, outbound]`).
    fn denies(&self, sk: usize, rules: &[Rule]) -> [Vec<Deny>; 2] {
        let vpc = self.subs[sk].vpc;
        let mut sorted: Vec<&Rule> = rules.iter().filter(|r| !r.allow).collect();
        sorted.sort_by_key(|r| r.priority);
        let mut out = [Vec::new(), Vec::new()];
        for r in sorted {
            let any = |s: &[Text]| s.len() == 1 && s[0] == "*";
            if any(&r.source) && any(&r.destination) {
                continue; // the final deny: a security group denies what it does not allow
            }
            let (peer, k) = if r.dir == Dir::Out {
                (&r.destination, 1)
            } else {
                (&r.source, 0)
            };
            let Some(cidrs) = self.cidrs(peer, vpc) else {
                continue; // the internet is not one CIDR: the security group denies it
            };
            let (proto, spans) = perm_ports(r.protocol, r.ports);
            for c in &cidrs {
                for s in &spans {
                    out[k].push((proto, *s, c.clone()));
                }
            }
        }
        out
    }

    pub(super) fn nacls(&mut self) -> Vec<(usize, Value)> {
        let d = self.d;
        let by_id: HashMap<&str, &RuleSet> =
            d.rule_sets.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut custom: Vec<Option<[Vec<Deny>; 2]>> = Vec::with_capacity(self.subs.len());
        for sk in 0..self.subs.len() {
            let c = self.subs[sk]
                .nsg
                .as_deref()
                .and_then(|n| by_id.get(n))
                .map(|rs| self.denies(sk, &rs.rules))
                .filter(|[i, o]| !i.is_empty() || !o.is_empty());
            custom.push(c);
        }
        let mut out = Vec::new();
        for v in 0..self.vpcs.len() {
            let members: Vec<usize> = (0..self.subs.len())
                .filter(|&k| self.subs[k].vpc == v)
                .collect();
            let mut assoc = Vec::new();
            let default_id = self.id("acl");
            for &k in members.iter().filter(|&&k| custom[k].is_none()) {
                assoc.push(json!({
                    "NetworkAclAssociationId": self.id("aclassoc"),
                    "NetworkAclId": default_id,
                    "SubnetId": self.subs[k].id,
                }));
            }
            let mut entries = nacl_direction(true, &[]);
            entries.extend(nacl_direction(false, &[]));
            out.push((
                v,
                json!({
                    "Associations": assoc,
                    "Entries": entries,
                    "IsDefault": true,
                    "NetworkAclId": default_id,
                    "OwnerId": ACCOUNT,
                    "Tags": [],
                    "VpcId": self.vpcs[v].id,
                }),
            ));
            for &k in &members {
                let Some([inbound, outbound]) = &custom[k] else {
                    continue;
                };
                let id = self.id("acl");
                let mut entries = nacl_direction(true, outbound);
                entries.extend(nacl_direction(false, inbound));
                let name = format!("{}-denies", self.subs[k].nsg.as_deref().unwrap_or(""));
                out.push((v, json!({
                    "Associations": [{
                        "NetworkAclAssociationId": self.id("aclassoc"),
                        "NetworkAclId": id,
                        "SubnetId": self.subs[k].id,
                    }],
                    "Entries": entries,
                    "IsDefault": false,
                    "NetworkAclId": id,
                    "OwnerId": ACCOUNT,
                    "Tags": tags(&[("Name", name.as_str()), ("SecurityZone", self.subs[k].zone)]),
                    "VpcId": self.vpcs[v].id,
                })));
            }
        }
        self.stats.network_acls = out.len();
        out
    }
}
