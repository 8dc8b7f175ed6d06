//! The `aws` provider's resources → the describe-* shapes `import::aws` maps (a [`Snapshot`]).
//!
//! Owns: which attribute of which resource type becomes which describe-* field, joins by id or,
//! when a plan does not know the id yet, by the `configuration` references, and the id a
//! resource has before apply (its address). What the provider leaves implicit is added with a
//! finding: the `local` route of every route table and the main route table AWS creates with
//! each VPC (<https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html>), and the
//! transit gateway's default route table (<https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html>).
//! Must never: decide what a rule or route means (`import::aws` does), or guess a value the
//! plan does not know.
//!
//! Over 800 lines on purpose: one mapping per resource type, each beside the describe-* shape
//! it produces; splitting it would part a resource from the joins it needs.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

use super::{Input, Res};
use crate::import::ImportReport;
use crate::import::aws::{Item, Snapshot};

/// The `aws_*` types translated (the rule and route attachments are folded into their group,
/// ACL or table).
pub const COVERED: &[&str] = &[
    "aws_vpc",
    "aws_vpc_ipv4_cidr_block_association",
    "aws_vpc_ipv6_cidr_block_association",
    "aws_subnet",
    "aws_security_group",
    "aws_default_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_network_acl",
    "aws_default_network_acl",
    "aws_network_acl_rule",
    "aws_network_acl_association",
    "aws_route_table",
    "aws_default_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_instance",
    "aws_network_interface",
    "aws_network_interface_attachment",
    "aws_network_interface_sg_attachment",
    "aws_internet_gateway",
    "aws_internet_gateway_attachment",
    "aws_egress_only_internet_gateway",
    "aws_nat_gateway",
    "aws_vpc_endpoint",
    "aws_vpc_peering_connection",
    "aws_vpc_peering_connection_accepter",
    "aws_ec2_transit_gateway",
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_ec2_transit_gateway_route_table",
    "aws_ec2_transit_gateway_route",
    "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation",
];

/// Data sources read as the resource they describe.
const DATA: &[&str] = &["aws_vpc", "aws_subnet"];

/// `module.net[0].aws_subnet.a["x"]` → `module.net-0.aws_subnet.a-x`: an id the loader takes.
fn sanitize(address: &str) -> String {
    let mut out = String::new();
    for c in address.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The region and account of an ARN (`arn:aws:ec2:REGION:ACCOUNT:...`).
fn arn_place(arn: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(parts) = arn.map(|a| a.split(':').collect::<Vec<_>>()) else {
        return (None, None);
    };
    let get = |i: usize| {
        parts
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| (*s).to_string())
    };
    (get(3), get(4))
}

/// The translation: the snapshot, and where each translated part came from.
pub(crate) struct Translated {
    pub snap: Snapshot,
    pub places: super::Places,
}

/// Builds the snapshot from the resources of one file.
pub(crate) struct Translate<'a> {
    pub input: &'a Input,
    pub report: &'a mut ImportReport,
    /// Configuration address (`module.net.aws_subnet.a`) → resources.
    by_config: HashMap<String, Vec<usize>>,
    /// The id of each resource: its own, or (created by the plan) its address.
    pub ids: Vec<String>,
    /// Resources by type.
    by_type: BTreeMap<String, Vec<usize>>,
    pub snap: Snapshot,
    places: Vec<(String, String, String)>,
    told: HashSet<(usize, String)>,
}

impl<'a> Translate<'a> {
    pub fn new(input: &'a Input, report: &'a mut ImportReport) -> Self {
        let mut by_config: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_type: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut ids = Vec::new();
        let mut taken: HashSet<String> = HashSet::new();
        let mut unnamed = Vec::new();
        for (k, r) in input.resources.iter().enumerate() {
            by_config.entry(r.config_address()).or_default().push(k);
            let key = if r.mode == "data" {
                format!("data.{}", r.rtype)
            } else {
                r.rtype.clone()
            };
            by_type.entry(key).or_default().push(k);
            let id = if let Some(id) = r.s("id") {
                id.to_string()
            } else {
                let prefix = match r.rtype.as_str() {
                    "aws_internet_gateway" => "igw-",
                    "aws_nat_gateway" => "nat-",
                    "aws_vpn_gateway" => "vgw-",
                    _ => "",
                };
                if COVERED.contains(&r.rtype.as_str()) && r.mode == "managed" {
                    unnamed.push(r.address.clone());
                }
                let mut id = format!("{prefix}{}", sanitize(&r.address));
                let base = id.clone();
                let mut n = 1;
                while taken.contains(&id) {
                    n += 1;
                    id = format!("{base}-{n}");
                }
                id
            };
            taken.insert(id.clone());
            ids.push(id);
        }
        if !unnamed.is_empty() {
            let shown: Vec<&str> = unnamed.iter().take(3).map(String::as_str).collect();
            report.assumed(
                &input.file,
                "",
                format!(
                    "{} resource(s) have no id until apply (e.g. {}): each is named by its address",
                    unnamed.len(),
                    shown.join(", ")
                ),
            );
        }
        Translate {
            input,
            report,
            by_config,
            ids,
            by_type,
            snap: Snapshot::default(),
            places: Vec::new(),
            told: HashSet::new(),
        }
    }

    pub fn res(&self, k: usize) -> &'a Res {
        &self.input.resources[k]
    }

    /// The resources of a type (`aws_vpc`, `data.aws_vpc`).
    pub fn of(&self, t: &str) -> Vec<usize> {
        self.by_type.get(t).cloned().unwrap_or_default()
    }

    /// Tell once that `attr` of resource `k` is known only after apply, and what follows.
    pub fn unknown(&mut self, k: usize, attr: &str, consequence: &str) {
        if self.told.insert((k, attr.to_string())) {
            let r = self.res(k);
            self.report.unsupported(
                &self.input.file,
                format!("{}.values.{attr}", r.path),
                format!(
                    "{}: `{attr}` {}: {consequence}",
                    r.address,
                    super::UNKNOWN_MARK
                ),
            );
        }
    }

    /// Resolve a reference from resource `k` (attribute `path`) to a resource's id (or, for a
    /// reference to another attribute, that attribute's planned value).
    /// The module path and the address within it of resource `k`'s configuration.
    pub fn scope_local(&self, k: usize) -> (String, String) {
        let r = self.res(k);
        let scope = super::refs::strip_keys(&r.module);
        let local = r.config_address();
        let local = local
            .strip_prefix(&format!("{scope}."))
            .unwrap_or(&local)
            .to_string();
        (scope, local)
    }

    fn follow(&mut self, k: usize, path: &[&str]) -> Vec<String> {
        let r = self.res(k);
        let (scope, local) = self.scope_local(k);
        let targets = self.input.config.targets(&scope, &local, path);
        let mut out = Vec::new();
        for (tscope, taddr, key, attr) in targets {
            let full = if tscope.is_empty() {
                taddr.clone()
            } else {
                format!("{tscope}.{taddr}")
            };
            let Some(cands) = self.by_config.get(&full) else {
                continue;
            };
            let pick: Vec<usize> = if cands.len() == 1 {
                cands.clone()
            } else if let Some(key) = &key {
                cands
                    .iter()
                    .copied()
                    .filter(|c| {
                        self.res(*c).index.as_ref().map(Value::to_string).as_ref() == Some(key)
                    })
                    .collect()
            } else if let Some(ix) = &r.index {
                cands
                    .iter()
                    .copied()
                    .filter(|c| self.res(*c).index.as_ref() == Some(ix))
                    .collect()
            } else {
                Vec::new()
            };
            let [t] = pick.as_slice() else {
                let n = cands.len();
                self.report.assumed(
                    &self.input.file,
                    format!("{}.values.{}", r.path, path.join(".")),
                    format!(
                        "{}: `{}` refers to {full}, which has {n} instances: which one is not known from the configuration; left out",
                        r.address,
                        path.join(".")
                    ),
                );
                continue;
            };
            let v = match attr.as_deref() {
                None | Some("id") => Some(self.ids[*t].clone()),
                Some(a) => self.res(*t).s(a).map(str::to_string),
            };
            if let Some(v) = v {
                out.push(v);
                // The first reference that resolves is the one the expression is made of.
                break;
            }
        }
        out
    }

    /// The first resource (id) or value the configuration of attribute `path` refers to.
    pub fn follow_path(&mut self, k: usize, path: &[&str]) -> Option<String> {
        self.follow(k, path).into_iter().next()
    }

    /// An id-valued attribute of resource `k`: its value, else the resource its configuration
    /// refers to; `None` (with a finding when the plan does not know it) otherwise.
    pub fn join(&mut self, k: usize, key: &str) -> Option<String> {
        let r = self.res(k);
        if let Some(v) = r.s(key) {
            return Some(v.to_string());
        }
        let unknown = r.unknown(key);
        if (unknown || !self.input.config.is_empty())
            && let Some(v) = self.follow(k, &[key]).into_iter().next()
        {
            return Some(v);
        }
        if unknown {
            self.unknown(
                k,
                key,
                "its configuration names no resource of this file: the link is left out",
            );
        }
        None
    }

    /// A list of ids (`subnet_ids`, `vpc_security_group_ids`): the known ones, else the
    /// resources the configuration refers to.
    pub fn join_list(&mut self, k: usize, key: &str) -> Vec<String> {
        let r = self.res(k);
        let known = r.strings(key);
        if !r.unknown(key) {
            return known;
        }
        let mut out = known;
        for v in self.follow_all(k, &[key]) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        if out.is_empty() {
            self.unknown(
                k,
                key,
                "its configuration names no resource of this file: left out",
            );
        }
        out
    }

    /// Every id (or attribute value) the references of attribute `path` name: each reference
    /// is one element, or (a resource with `count` or `for_each` named without a key: a splat
    /// or a `for` over it) all its instances.
    pub fn follow_all(&self, k: usize, path: &[&str]) -> Vec<String> {
        let (scope, local) = self.scope_local(k);
        let mut out = Vec::new();
        for (tscope, taddr, tkey, attr) in self.input.config.targets(&scope, &local, path) {
            let full = if tscope.is_empty() {
                taddr
            } else {
                format!("{tscope}.{taddr}")
            };
            let Some(cands) = self.by_config.get(&full) else {
                continue;
            };
            for &c in cands {
                let r = self.res(c);
                if tkey
                    .as_ref()
                    .is_some_and(|key| r.index.as_ref().map(Value::to_string).as_ref() != Some(key))
                {
                    continue;
                }
                let v = match attr.as_deref() {
                    None | Some("id") => Some(self.ids[c].clone()),
                    Some(a) => r.s(a).map(str::to_string),
                };
                if let Some(v) = v
                    && !out.contains(&v)
                {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Add a translated resource under `key` (a describe-* top-level key); its path is the
    /// resource's own, so findings about it name the resource.
    pub fn push(&mut self, key: &'static str, k: usize, v: Value) -> String {
        let r = self.res(k);
        let (region, account) = arn_place(r.s("arn"));
        let path = format!("{}#{key}", r.path);
        self.place(&path, &r.path, &r.address);
        self.snap.by_key.entry(key).or_default().push(Item {
            v,
            file: self.input.file.clone(),
            path: path.clone(),
            region,
            account,
        });
        path
    }

    /// Record that the translated `path` came from `real` in resource `address`.
    pub fn place(&mut self, path: &str, real: &str, address: &str) {
        self.places
            .push((path.to_string(), real.to_string(), address.to_string()));
    }

    pub fn finish(self) -> Translated {
        Translated {
            snap: self.snap,
            places: super::Places::new(&self.input.file, self.places),
        }
    }

    pub fn run(&mut self) {
        let mut handled: HashSet<usize> = HashSet::new();
        for t in COVERED {
            handled.extend(self.of(t));
        }
        for t in DATA {
            handled.extend(self.of(&format!("data.{t}")));
        }
        for k in 0..self.input.resources.len() {
            if handled.contains(&k) {
                continue;
            }
            let r = self.res(k);
            let what = if r.rtype.starts_with("azurerm_") {
                "an azurerm resource in a file of aws ones: import each provider's configuration on its own"
            } else if r.mode == "data" {
                "a data source of this type is not imported"
            } else {
                "this resource type is not modelled"
            };
            self.report.unsupported(
                &self.input.file,
                r.path.clone(),
                format!("{} ({}): {what}: left out", r.address, r.rtype),
            );
        }
        self.vpcs();
        self.subnets();
        self.security_groups();
        self.nacls();
        self.gateways();
        self.routes();
        self.instances();
        self.transit_gateways();
    }

    fn vpcs(&mut self) {
        let mut extra: HashMap<String, Vec<(String, bool)>> = HashMap::new();
        for (t, v6) in [
            ("aws_vpc_ipv4_cidr_block_association", false),
            ("aws_vpc_ipv6_cidr_block_association", true),
        ] {
            for k in self.of(t) {
                let key = if v6 { "ipv6_cidr_block" } else { "cidr_block" };
                let Some(vpc) = self.join(k, "vpc_id") else {
                    continue;
                };
                match self.res(k).s(key) {
                    Some(c) => extra.entry(vpc).or_default().push((c.to_string(), v6)),
                    None if self.res(k).unknown(key) => {
                        self.unknown(k, key, "this address range is left out of its VPC");
                    }
                    None => {}
                }
            }
        }
        for k in self
            .of("aws_vpc")
            .into_iter()
            .chain(self.of("data.aws_vpc"))
        {
            let r = self.res(k);
            let id = self.ids[k].clone();
            let mut v4 = Vec::new();
            let mut v6 = Vec::new();
            match r.s("cidr_block") {
                Some(c) => v4.push(json!({"CidrBlock": c})),
                None if r.unknown("cidr_block") => {
                    self.unknown(
                        k,
                        "cidr_block",
                        "the VPC has no address range in this import",
                    );
                }
                None => {}
            }
            if let Some(c) = r.s("ipv6_cidr_block") {
                v6.push(json!({"Ipv6CidrBlock": c}));
            }
            for (c, is6) in extra.get(&id).into_iter().flatten() {
                if *is6 {
                    v6.push(json!({"Ipv6CidrBlock": c}));
                } else {
                    v4.push(json!({"CidrBlock": c}));
                }
            }
            let v = json!({
                "VpcId": id,
                "CidrBlock": r.s("cidr_block"),
                "CidrBlockAssociationSet": v4,
                "Ipv6CidrBlockAssociationSet": v6,
                "OwnerId": r.s("owner_id"),
                "IsDefault": r.bool("default"),
                "Tags": r.tags(),
            });
            self.push("Vpcs", k, v);
        }
    }

    /// The CIDRs of each VPC (for the `local` routes).
    pub fn vpc_cidrs(&self) -> HashMap<String, Vec<String>> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for it in self.snap.items("Vpcs") {
            let id = it.v["VpcId"].as_str().unwrap_or("").to_string();
            let e = out.entry(id).or_default();
            for key in ["CidrBlockAssociationSet", "Ipv6CidrBlockAssociationSet"] {
                for a in it.v[key].as_array().into_iter().flatten() {
                    if let Some(c) = a
                        .get("CidrBlock")
                        .or(a.get("Ipv6CidrBlock"))
                        .and_then(Value::as_str)
                    {
                        e.push(c.to_string());
                    }
                }
            }
        }
        out
    }

    fn subnets(&mut self) {
        for k in self
            .of("aws_subnet")
            .into_iter()
            .chain(self.of("data.aws_subnet"))
        {
            let vpc = self.join(k, "vpc_id");
            let r = self.res(k);
            if r.s("cidr_block").is_none() && r.unknown("cidr_block") {
                self.unknown(
                    k,
                    "cidr_block",
                    "the subnet has no address range and is left out",
                );
            }
            let r = self.res(k);
            let v6: Vec<Value> = r
                .s("ipv6_cidr_block")
                .map(|c| json!({"Ipv6CidrBlock": c}))
                .into_iter()
                .collect();
            let v = json!({
                "SubnetId": self.ids[k],
                "VpcId": vpc.unwrap_or_else(|| "(unknown until apply)".into()),
                "CidrBlock": r.s("cidr_block"),
                "Ipv6CidrBlockAssociationSet": v6,
                "AvailabilityZone": r.s("availability_zone"),
                "Tags": r.tags(),
            });
            self.push("Subnets", k, v);
        }
    }

    fn gateways(&mut self) {
        let mut attach: HashMap<String, Vec<String>> = HashMap::new();
        for k in self.of("aws_internet_gateway_attachment") {
            if let (Some(g), Some(v)) =
                (self.join(k, "internet_gateway_id"), self.join(k, "vpc_id"))
            {
                attach.entry(g).or_default().push(v);
            }
        }
        for k in self.of("aws_internet_gateway") {
            let mut vpcs: Vec<String> = self.join(k, "vpc_id").into_iter().collect();
            vpcs.extend(attach.get(&self.ids[k]).cloned().unwrap_or_default());
            let att: Vec<Value> = vpcs
                .iter()
                .map(|v| json!({"VpcId": v, "State": "available"}))
                .collect();
            let v = json!({"InternetGatewayId": self.ids[k], "Attachments": att, "Tags": self.res(k).tags()});
            self.push("InternetGateways", k, v);
        }
        for k in self.of("aws_egress_only_internet_gateway") {
            let att: Vec<Value> = self
                .join(k, "vpc_id")
                .map(|v| json!({"VpcId": v, "State": "attached"}))
                .into_iter()
                .collect();
            let v = json!({"EgressOnlyInternetGatewayId": self.ids[k], "Attachments": att, "Tags": self.res(k).tags()});
            self.push("EgressOnlyInternetGateways", k, v);
        }
        for k in self.of("aws_nat_gateway") {
            let subnet = self.join(k, "subnet_id");
            let r = self.res(k);
            if r.s("private_ip").is_none() && r.unknown("private_ip") {
                self.unknown(
                    k,
                    "private_ip",
                    "the NAT gateway has no address in this import",
                );
            }
            let r = self.res(k);
            let v = json!({
                "NatGatewayId": self.ids[k],
                "SubnetId": subnet,
                "State": "available",
                "ConnectivityType": r.s("connectivity_type"),
                "NatGatewayAddresses": [{
                    "PrivateIp": r.s("private_ip"),
                    "PublicIp": r.s("public_ip"),
                    "NetworkInterfaceId": r.s("network_interface_id"),
                }],
                "Tags": r.tags(),
            });
            self.push("NatGateways", k, v);
        }
        for k in self.of("aws_vpc_endpoint") {
            let vpc = self.join(k, "vpc_id");
            let subnets = self.join_list(k, "subnet_ids");
            let groups: Vec<Value> = self
                .join_list(k, "security_group_ids")
                .into_iter()
                .map(|g| json!({"GroupId": g}))
                .collect();
            let r = self.res(k);
            let dns: Vec<Value> = r
                .blocks("dns_entry")
                .into_iter()
                .filter_map(|(b, _)| b.get("dns_name").cloned())
                .map(|n| json!({"DnsName": n}))
                .collect();
            let v = json!({
                "VpcEndpointId": self.ids[k],
                "VpcEndpointType": r.s("vpc_endpoint_type").unwrap_or("Gateway"),
                "ServiceName": r.s("service_name"),
                "State": r.s("state"),
                "VpcId": vpc.unwrap_or_else(|| "(unknown until apply)".into()),
                "SubnetIds": subnets,
                "Groups": groups,
                "PrivateDnsEnabled": r.bool("private_dns_enabled"),
                "NetworkInterfaceIds": r.strings("network_interface_ids"),
                "DnsEntries": dns,
                "Tags": r.tags(),
            });
            self.push("VpcEndpoints", k, v);
        }
        let accepted: HashSet<String> = self
            .of("aws_vpc_peering_connection_accepter")
            .into_iter()
            .filter_map(|k| self.join(k, "vpc_peering_connection_id"))
            .collect();
        for k in self.of("aws_vpc_peering_connection") {
            let a = self.join(k, "vpc_id");
            let b = self.join(k, "peer_vpc_id");
            let r = self.res(k);
            let id = self.ids[k].clone();
            let status = match r.s("accept_status") {
                Some(s) => s.to_string(),
                None if r.bool("auto_accept") == Some(true) || accepted.contains(&id) => {
                    let path = format!("{}.values.accept_status", r.path);
                    let msg = format!(
                        "{}: `accept_status` is known only after apply; the peering is accepted in this configuration (auto_accept or an accepter): active",
                        r.address
                    );
                    self.report.assumed(&self.input.file, path, msg);
                    "active".into()
                }
                None => {
                    self.unknown(
                        k,
                        "accept_status",
                        "nothing in this configuration accepts the peering: not a peering",
                    );
                    "pending-acceptance".into()
                }
            };
            let v = json!({
                "VpcPeeringConnectionId": id,
                "RequesterVpcInfo": {"VpcId": a},
                "AccepterVpcInfo": {"VpcId": b},
                "Status": {"Code": status},
                "Tags": self.res(k).tags(),
            });
            self.push("VpcPeeringConnections", k, v);
        }
    }

    fn instances(&mut self) {
        // Interfaces attached by a separate resource, and groups attached so.
        let mut attached: HashMap<String, (String, i64)> = HashMap::new();
        for k in self.of("aws_network_interface_attachment") {
            if let (Some(e), Some(i)) = (
                self.join(k, "network_interface_id"),
                self.join(k, "instance_id"),
            ) {
                let d = self.res(k).int("device_index").unwrap_or(1);
                attached.insert(e, (i, d));
            }
        }
        let mut sg_att: HashMap<String, Vec<String>> = HashMap::new();
        for k in self.of("aws_network_interface_sg_attachment") {
            if let (Some(e), Some(g)) = (
                self.join(k, "network_interface_id"),
                self.join(k, "security_group_id"),
            ) {
                sg_att.entry(e).or_default().push(g);
            }
        }
        for k in self.of("aws_instance") {
            let subnet = self.join(k, "subnet_id");
            let r = self.res(k);
            let (scope, local) = self.scope_local(k);
            if r.unknown("vpc_security_group_ids")
                && r.strings("vpc_security_group_ids").is_empty()
                && self
                    .input
                    .config
                    .targets(&scope, &local, &["vpc_security_group_ids"])
                    .is_empty()
            {
                self.unknown(k, "vpc_security_group_ids", "the configuration names no group, so AWS gives the instance its VPC's default security group, which this file does not hold: no group's rules are enforced on it here");
            }
            let mut groups = self.join_list(k, "vpc_security_group_ids");
            if let Some(p) = self.res(k).s("primary_network_interface_id") {
                groups.extend(sg_att.get(p).cloned().unwrap_or_default());
            }
            let r = self.res(k);
            if r.s("private_ip").is_none() && r.unknown("private_ip") {
                self.unknown(k, "private_ip", "the instance has no address in this import (flows to and from it are not traced)");
            }
            let r = self.res(k);
            let groups: Vec<Value> = groups.into_iter().map(|g| json!({"GroupId": g})).collect();
            let v = json!({"Instances": [{
                "InstanceId": self.ids[k],
                "SubnetId": subnet,
                "PrivateIpAddress": r.s("private_ip"),
                "PublicIpAddress": r.s("public_ip"),
                "SecurityGroups": groups,
                "State": {"Name": r.s("instance_state").unwrap_or("running")},
                "Tags": r.tags(),
            }]});
            let path = self.push("Reservations", k, v);
            self.place(&format!("{path}.Instances[0]"), &r.path, &r.address);
        }
        for k in self.of("aws_network_interface") {
            let subnet = self.join(k, "subnet_id");
            let mut groups = self.join_list(k, "security_groups");
            groups.extend(sg_att.get(&self.ids[k]).cloned().unwrap_or_default());
            let r = self.res(k);
            let mut att = r.blocks("attachment").into_iter().find_map(|(b, _)| {
                let i = b.get("instance").and_then(Value::as_str)?.to_string();
                Some((
                    i,
                    b.get("device_index").and_then(Value::as_i64).unwrap_or(1),
                ))
            });
            if att.is_none() {
                att = attached.get(&self.ids[k]).cloned();
            }
            let ips = r.strings("private_ips");
            let ip = r
                .s("private_ip")
                .map(str::to_string)
                .or(ips.first().cloned());
            if ip.is_none() && (r.unknown("private_ip") || r.unknown("private_ips")) {
                self.unknown(
                    k,
                    "private_ip",
                    "the interface has no address in this import",
                );
            }
            let r = self.res(k);
            let v = json!({
                "NetworkInterfaceId": self.ids[k],
                "SubnetId": subnet,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": ips.iter().map(|i| json!({"PrivateIpAddress": i})).collect::<Vec<_>>(),
                "Groups": groups.into_iter().map(|g| json!({"GroupId": g})).collect::<Vec<_>>(),
                "Attachment": att.map(|(i, d)| json!({"InstanceId": i, "DeviceIndex": d})),
                "Description": r.s("description"),
                "InterfaceType": r.s("interface_type"),
                "TagSet": r.tags(),
            });
            self.push("NetworkInterfaces", k, v);
        }
    }
}
