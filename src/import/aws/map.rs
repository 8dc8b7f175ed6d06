//! Joining describe-* resources by id into the document: VPCs → networks, subnets, instances
//! and network interfaces → endpoints, NAT gateways, VPC endpoints (rule sets in `rules`,
//! routing in `routes`).
//!
//! Owns: which resource becomes which entity and with which id (the AWS id; the `Name` tag is
//! the `name:`). Must never: look an address up outside its VPC, or drop without a finding.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Item, Snapshot};
use crate::import::doc::{Document, Endpoint, Network, Subnet};
use crate::import::json::At;
use crate::import::zones::{ZONE_TAG, declare};
use crate::import::{ImportError, ImportOptions, ImportReport};

pub(crate) type Tags = Vec<(String, String)>;

/// An instance's interface: its id, its describe-network-interfaces entry, and the entry
/// describe-instances embeds (with its path).
type EniOf<'s, 'v> = (
    String,
    Option<&'s Item>,
    Option<(&'v serde_json::Value, String)>,
);

pub(crate) fn tag<'t>(tags: &'t Tags, key: &str) -> Option<&'t str> {
    tags.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Builds the document from a snapshot.
pub(crate) struct Builder<'s> {
    pub snap: &'s Snapshot,
    pub opts: ImportOptions,
    pub doc: &'s mut Document,
    pub report: &'s mut ImportReport,
    /// Cloud tags by document id.
    pub tags: BTreeMap<String, Tags>,
    /// VPC id → index in `doc.networks`.
    pub vpcs: HashMap<String, usize>,
    /// Subnet id → (network index, subnet index).
    pub subnets: HashMap<String, (usize, usize)>,
    /// Security groups of the snapshot.
    pub groups: HashSet<String>,
    /// Security group → addresses of the interfaces that carry it.
    pub members: HashMap<String, Vec<String>>,
    /// Network interface → the endpoint that holds it.
    pub eni_endpoint: HashMap<String, String>,
    /// Instance → its endpoint.
    pub instance_endpoint: HashMap<String, String>,
    /// Instances and interfaces that a route sends traffic to (appliances: kind firewall).
    pub appliances: HashSet<String>,
    /// describe-network-interfaces entries by interface id, and by the instance they attach to.
    eni_items: HashMap<&'s str, &'s Item>,
    instance_enis: HashMap<&'s str, Vec<&'s Item>>,
}

impl<'s> Builder<'s> {
    pub fn new(
        snap: &'s Snapshot,
        opts: ImportOptions,
        doc: &'s mut Document,
        report: &'s mut ImportReport,
    ) -> Self {
        let mut eni_items = HashMap::new();
        let mut instance_enis: HashMap<&str, Vec<&Item>> = HashMap::new();
        for i in snap.items("NetworkInterfaces") {
            if let Some(id) = i.v.get("NetworkInterfaceId").and_then(|v| v.as_str()) {
                eni_items.entry(id).or_insert(i);
            }
            if let Some(inst) =
                i.v.get("Attachment")
                    .and_then(|a| a.get("InstanceId"))
                    .and_then(|v| v.as_str())
            {
                instance_enis.entry(inst).or_default().push(i);
            }
        }
        Builder {
            eni_items,
            instance_enis,
            snap,
            opts,
            doc,
            report,
            tags: BTreeMap::new(),
            vpcs: HashMap::new(),
            subnets: HashMap::new(),
            groups: HashSet::new(),
            members: HashMap::new(),
            eni_endpoint: HashMap::new(),
            instance_endpoint: HashMap::new(),
            appliances: HashSet::new(),
        }
    }

    pub fn run(&mut self) -> Result<(), ImportError> {
        self.networks()?;
        self.subnets()?;
        for it in self.snap.items("SecurityGroups") {
            self.groups.insert(it.at().req("GroupId")?.to_string());
        }
        self.find_appliances()?;
        self.nat_gateways()?;
        self.vpc_endpoints()?;
        self.instances()?;
        self.interfaces()?;
        self.nacls()?;
        self.security_groups()?;
        self.routing()?;
        self.zone_tags();
        Ok(())
    }

    pub fn cloud_id(&self, id: &str) -> Option<String> {
        self.opts.references.then(|| id.to_string())
    }

    fn networks(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("Vpcs") {
            let at = it.at();
            let id = at.req("VpcId")?;
            if self.vpcs.contains_key(id) {
                self.report.assumed(
                    &it.file,
                    it.path.clone(),
                    format!("VPC {id} appears twice: the first is kept"),
                );
                continue;
            }
            let mut cidrs = Vec::new();
            let assoc = at.objects("CidrBlockAssociationSet")?;
            if assoc.is_empty()
                && let Some(c) = at.str("CidrBlock")?
            {
                cidrs.push(c.to_string());
            }
            for (a, p) in &assoc {
                let a = At::new(a, &it.file, p);
                let c = a.req("CidrBlock")?;
                let state = match a.obj("CidrBlockState")? {
                    Some((s, sp)) => At::new(s, &it.file, &sp)
                        .str("State")?
                        .unwrap_or("associated"),
                    None => "associated",
                };
                if state == "associated" {
                    cidrs.push(c.to_string());
                } else {
                    self.report.assumed(
                        &it.file,
                        format!("{p}.CidrBlockState.State"),
                        format!("{c} is `{state}`: not one of {id}'s address ranges"),
                    );
                }
            }
            for (a, p) in at.objects("Ipv6CidrBlockAssociationSet")? {
                let a = At::new(a, &it.file, &p);
                let Some(c) = a.str("Ipv6CidrBlock")? else {
                    continue;
                };
                let state = match a.obj("Ipv6CidrBlockState")? {
                    Some((s, sp)) => At::new(s, &it.file, &sp)
                        .str("State")?
                        .unwrap_or("associated"),
                    None => "associated",
                };
                if state == "associated" {
                    cidrs.push(c.to_string());
                }
            }
            if cidrs.is_empty() {
                self.report.unsupported(
                    &it.file,
                    it.path.clone(),
                    format!("VPC {id} has no associated CIDR block: skipped"),
                );
                continue;
            }
            let tags = at.tags()?;
            let owner = at
                .str("OwnerId")?
                .map(str::to_string)
                .or_else(|| it.account.clone());
            let description = match (&owner, at.bool("IsDefault")?) {
                (Some(o), Some(true)) => Some(format!("default VPC of account {o}")),
                (Some(o), _) => Some(format!("account {o}")),
                (None, Some(true)) => Some("default VPC".to_string()),
                _ => None,
            };
            self.vpcs.insert(id.to_string(), self.doc.networks.len());
            self.doc.networks.push(Network {
                id: id.to_string(),
                name: tag(&tags, "Name").map(str::to_string),
                cloud_id: self.cloud_id(id),
                provider: Some("aws".into()),
                region: it.region.clone(),
                cidr: cidrs,
                description,
                ..Network::default()
            });
            self.tags.insert(id.to_string(), tags);
            self.report.add("networks", 1);
        }
        Ok(())
    }

    fn subnets(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("Subnets") {
            let at = it.at();
            let id = at.req("SubnetId")?;
            let vpc = at.req("VpcId")?;
            let Some(&n) = self.vpcs.get(vpc) else {
                self.report.unsupported(
                    &it.file,
                    format!("{}.VpcId", it.path),
                    format!("subnet {id}: its VPC {vpc} is not in the snapshot: skipped"),
                );
                continue;
            };
            if self.subnets.contains_key(id) {
                self.report.assumed(
                    &it.file,
                    it.path.clone(),
                    format!("subnet {id} appears twice: the first is kept"),
                );
                continue;
            }
            let mut cidr: Vec<String> = at
                .str("CidrBlock")?
                .map(str::to_string)
                .into_iter()
                .collect();
            for (a, p) in at.objects("Ipv6CidrBlockAssociationSet")? {
                let a = At::new(a, &it.file, &p);
                let state = match a.obj("Ipv6CidrBlockState")? {
                    Some((s, sp)) => At::new(s, &it.file, &sp)
                        .str("State")?
                        .unwrap_or("associated"),
                    None => "associated",
                };
                if let (Some(c), "associated") = (a.str("Ipv6CidrBlock")?, state) {
                    cidr.push(c.to_string());
                }
            }
            if cidr.is_empty() {
                self.report.unsupported(
                    &it.file,
                    it.path.clone(),
                    format!("subnet {id} has no CIDR block: skipped"),
                );
                continue;
            }
            let net = &mut self.doc.networks[n];
            if net.region.is_none() {
                net.region = at
                    .str("AvailabilityZone")?
                    .map(|z| {
                        z.trim_end_matches(|c: char| c.is_ascii_lowercase())
                            .to_string()
                    })
                    .filter(|r| super::looks_like_region(r));
            }
            let tags = at.tags()?;
            self.subnets.insert(id.to_string(), (n, net.subnets.len()));
            net.subnets.push(Subnet {
                id: id.to_string(),
                name: tag(&tags, "Name").map(str::to_string),
                cloud_id: self.opts.references.then(|| id.to_string()),
                cidr,
                ..Subnet::default()
            });
            self.tags.insert(id.to_string(), tags);
            self.report.add("subnets", 1);
        }
        Ok(())
    }

    /// The instances and interfaces routes name as their next hop.
    fn find_appliances(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("RouteTables") {
            for (r, p) in it.at().objects("Routes")? {
                let r = At::new(r, &it.file, &p);
                for key in ["InstanceId", "NetworkInterfaceId"] {
                    if let Some(x) = r.str(key)? {
                        self.appliances.insert(x.to_string());
                    }
                }
            }
        }
        Ok(())
    }

    /// The subnet of `id` as a document id, or a finding and `None`.
    pub(super) fn subnet_ref(
        &mut self,
        it: &Item,
        path: String,
        id: Option<&str>,
        what: &str,
    ) -> Option<String> {
        match id {
            Some(s) if self.subnets.contains_key(s) => Some(s.to_string()),
            Some(s) => {
                self.report.unsupported(
                    &it.file,
                    path,
                    format!("{what}: its subnet {s} is not in the snapshot: skipped"),
                );
                None
            }
            None => {
                self.report
                    .unsupported(&it.file, path, format!("{what} is in no subnet: skipped"));
                None
            }
        }
    }

    /// The security groups of an interface that the snapshot holds (the others are findings).
    pub(super) fn known_groups(
        &mut self,
        it: &Item,
        path: &str,
        groups: Vec<String>,
        owner: &str,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for g in groups {
            if self.groups.contains(&g) {
                out.push(g);
            } else {
                self.report.assumed(
                    &it.file,
                    path.to_string(),
                    format!(
                        "{owner} carries security group {g}, which is not in the snapshot \
                         (no describe-security-groups output for it): its rules are not enforced"
                    ),
                );
            }
        }
        out
    }

    pub(super) fn group_ids(at: &At<'_, '_>, key: &str) -> Result<Vec<String>, ImportError> {
        let mut out = Vec::new();
        for (g, p) in at.objects(key)? {
            out.push(At::new(g, at.file, &p).req("GroupId")?.to_string());
        }
        Ok(out)
    }

    pub(super) fn push_endpoint(&mut self, e: Endpoint, tags: Tags) {
        if let Some(ip) = &e.ip {
            for g in &e.rules {
                self.members.entry(g.clone()).or_default().push(ip.clone());
            }
        }
        self.tags.insert(e.id.clone(), tags);
        self.doc.endpoints.push(e);
    }

    pub(super) fn region_of(&self, subnet: Option<&str>) -> Option<String> {
        let (n, _) = self.subnets.get(subnet?)?;
        self.doc.networks[*n].region.clone()
    }

    /// The interface resource of `eni`, when the snapshot has describe-network-interfaces.
    pub(super) fn eni_item(&self, eni: &str) -> Option<&'s Item> {
        self.eni_items.get(eni).copied()
    }

    fn instances(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("Reservations") {
            for (inst, ipath) in it.at().objects("Instances")? {
                let at = At::new(inst, &it.file, &ipath);
                let id = at.req("InstanceId")?;
                let state = match at.obj("State")? {
                    Some((s, sp)) => At::new(s, &it.file, &sp)
                        .str("Name")?
                        .unwrap_or("running")
                        .to_string(),
                    None => "running".into(),
                };
                if state == "terminated" || state == "shutting-down" {
                    self.report.assumed(
                        &it.file,
                        format!("{ipath}.State.Name"),
                        format!("instance {id} is {state}: it has no address and is not imported"),
                    );
                    self.instance_endpoint.insert(id.to_string(), String::new());
                    continue;
                }
                let tags = at.tags()?;
                let embedded = at.objects("NetworkInterfaces")?;
                // The primary interface (device index 0), from describe-network-interfaces when
                // the snapshot has it, else as describe-instances embeds it.
                let mut enis: Vec<EniOf<'s, '_>> = Vec::new();
                for (e, p) in &embedded {
                    let eid = At::new(e, &it.file, p)
                        .req("NetworkInterfaceId")?
                        .to_string();
                    let item = self.eni_item(&eid);
                    enis.push((eid, item, Some(((*e), p.clone()))));
                }
                for ni in self.instance_enis.get(id).into_iter().flatten().copied() {
                    let inst_of =
                        ni.v.get("Attachment")
                            .and_then(|a| a.get("InstanceId"))
                            .and_then(|v| v.as_str());
                    let eid =
                        ni.v.get("NetworkInterfaceId")
                            .and_then(|v| v.as_str())
                            .unwrap_or("");
                    if inst_of == Some(id) && !enis.iter().any(|(e, _, _)| e == eid) {
                        enis.push((eid.to_string(), Some(ni), None));
                    }
                }
                let device =
                    |e: &(String, Option<&Item>, Option<(&serde_json::Value, String)>)| -> i64 {
                        let v = e.1.map(|i| &i.v).or(e.2.as_ref().map(|x| x.0));
                        v.and_then(|v| v.get("Attachment"))
                            .and_then(|a| a.get("DeviceIndex"))
                            .and_then(serde_json::Value::as_i64)
                            .unwrap_or(0)
                    };
                enis.sort_by_key(device);
                let name = tag(&tags, "Name").map(str::to_string);
                let kind = if self.appliances.contains(id) {
                    "firewall"
                } else {
                    "app"
                };
                if enis.is_empty() {
                    // An instance described without its interfaces.
                    let Some(subnet) = self.subnet_ref(
                        it,
                        format!("{ipath}.SubnetId"),
                        at.str("SubnetId")?,
                        &format!("instance {id}"),
                    ) else {
                        continue;
                    };
                    let groups = Self::group_ids(&at, "SecurityGroups")?;
                    let groups = self.known_groups(
                        it,
                        &format!("{ipath}.SecurityGroups"),
                        groups,
                        &format!("instance {id}"),
                    );
                    let region = self.region_of(Some(&subnet));
                    self.instance_endpoint
                        .insert(id.to_string(), id.to_string());
                    self.push_endpoint(
                        Endpoint {
                            id: id.to_string(),
                            name,
                            cloud_id: self.cloud_id(id),
                            kind: kind.into(),
                            subnet: Some(subnet),
                            ip: at.str("PrivateIpAddress")?.map(str::to_string),
                            public_ip: at.str("PublicIpAddress")?.map(str::to_string),
                            rules: groups,
                            region,
                            ..Endpoint::default()
                        },
                        tags,
                    );
                    self.report.add("instances", 1);
                    continue;
                }
                for (k, (eni, item, emb)) in enis.iter().enumerate() {
                    let (v, file, path) = match (item, emb) {
                        (Some(i), _) => (&i.v, i.file.as_str(), i.path.clone()),
                        (None, Some((v, p))) => (*v, it.file.as_str(), p.clone()),
                        (None, None) => continue,
                    };
                    let e = At::new(v, file, &path);
                    let eid = if k == 0 {
                        id.to_string()
                    } else {
                        format!("{id}-{eni}")
                    };
                    let Some(subnet) = self.subnet_ref(
                        it,
                        format!("{path}.SubnetId"),
                        e.str("SubnetId")?,
                        &format!("interface {eni} of instance {id}"),
                    ) else {
                        continue;
                    };
                    let (ip, public_ip) = self.eni_addresses(&e, item.unwrap_or(it), &path, eni)?;
                    let public_ip = public_ip.or_else(|| {
                        (k == 0)
                            .then(|| {
                                inst.get("PublicIpAddress")
                                    .and_then(|v| v.as_str())
                                    .map(str::to_string)
                            })
                            .flatten()
                    });
                    let groups = Self::group_ids(&e, "Groups")?;
                    let groups = self.known_groups(
                        it,
                        &format!("{path}.Groups"),
                        groups,
                        &format!("interface {eni}"),
                    );
                    let region = self.region_of(Some(&subnet));
                    self.eni_endpoint.insert(eni.clone(), eid.clone());
                    if k == 0 {
                        self.instance_endpoint.insert(id.to_string(), eid.clone());
                    }
                    let kind = if self.appliances.contains(eni.as_str()) {
                        "firewall"
                    } else {
                        kind
                    };
                    self.push_endpoint(
                        Endpoint {
                            id: eid.clone(),
                            name: match (&name, k) {
                                (Some(n), 0) => Some(n.clone()),
                                (Some(n), _) => Some(format!("{n} ({eni})")),
                                (None, _) => None,
                            },
                            cloud_id: self.cloud_id(if k == 0 { id } else { eni }),
                            kind: kind.into(),
                            subnet: Some(subnet),
                            ip,
                            public_ip,
                            rules: groups,
                            region,
                            ..Endpoint::default()
                        },
                        tags.clone(),
                    );
                }
                self.report.add("instances", 1);
            }
        }
        Ok(())
    }

    /// The private and public address of an interface; secondary private addresses are
    /// findings.
    fn eni_addresses(
        &mut self,
        e: &At<'_, '_>,
        it: &Item,
        path: &str,
        eni: &str,
    ) -> Result<(Option<String>, Option<String>), ImportError> {
        let ip = e.str("PrivateIpAddress")?.map(str::to_string);
        let public = match e.obj("Association")? {
            Some((a, ap)) => At::new(a, e.file, &ap).str("PublicIp")?.map(str::to_string),
            None => None,
        };
        let extra = e.objects("PrivateIpAddresses")?;
        if extra.len() > 1 {
            self.report.unsupported(
                &it.file,
                format!("{path}.PrivateIpAddresses[1]"),
                format!("interface {eni}: {} secondary private addresses are not modelled (the primary is kept)", extra.len() - 1),
            );
        }
        if !e.arr("Ipv6Addresses")?.is_empty() {
            self.report.unsupported(
                &it.file,
                format!("{path}.Ipv6Addresses"),
                format!(
                    "interface {eni}: IPv6 addresses are not modelled (one address per endpoint)"
                ),
            );
        }
        Ok((ip, public))
    }

    /// Interfaces that no instance, NAT gateway or VPC endpoint of the snapshot holds.
    fn interfaces(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("NetworkInterfaces") {
            let at = it.at();
            let eni = at.req("NetworkInterfaceId")?;
            if self.eni_endpoint.contains_key(eni) {
                continue;
            }
            let instance = match at.obj("Attachment")? {
                Some((a, ap)) => At::new(a, &it.file, &ap).str("InstanceId")?,
                None => None,
            };
            if let Some(i) = instance {
                if self.instance_endpoint.get(i).is_some_and(String::is_empty) {
                    self.report.assumed(
                        &it.file,
                        format!("{}.Attachment.InstanceId", it.path),
                        format!("interface {eni} belongs to terminated instance {i}: no address, not imported"),
                    );
                    continue;
                }
                if self.instance_endpoint.contains_key(i) {
                    continue;
                }
            }
            let itype = at.str("InterfaceType")?.unwrap_or("interface");
            let desc = at.str("Description")?.unwrap_or("");
            let kind = match itype {
                "nat_gateway" | "natGateway" => "nat_gateway",
                "vpc_endpoint" | "gateway_load_balancer_endpoint" => "private_endpoint",
                "transit_gateway" => {
                    self.report.assumed(
                        &it.file,
                        it.path.clone(),
                        format!("interface {eni} is a transit gateway attachment's: modelled by the transit gateway, not as an endpoint"),
                    );
                    continue;
                }
                "lambda" => "app",
                "load_balancer" | "network_load_balancer" | "gateway_load_balancer" => "gateway",
                _ if desc.starts_with("AWS Lambda VPC ENI") => "app",
                _ if desc.starts_with("ELB ") => "gateway",
                _ if self.appliances.contains(eni) => "firewall",
                _ if instance.is_some() => "app",
                _ => "other",
            };
            let Some(subnet) = self.subnet_ref(
                it,
                format!("{}.SubnetId", it.path),
                at.str("SubnetId")?,
                &format!("interface {eni}"),
            ) else {
                continue;
            };
            // A VPC endpoint's interface without its VpcEndpoints entry has no service to name:
            // it stays an address with its rules.
            let kind = if kind == "private_endpoint" {
                self.report.assumed(
                    &it.file,
                    it.path.clone(),
                    format!("interface {eni} is a VPC endpoint's, but the endpoint is not in the snapshot (add describe-vpc-endpoints): kind other"),
                );
                "other"
            } else {
                kind
            };
            let (ip, public_ip) = self.eni_addresses(&at, it, &it.path, eni)?;
            let groups = Self::group_ids(&at, "Groups")?;
            let groups = self.known_groups(
                it,
                &format!("{}.Groups", it.path),
                groups,
                &format!("interface {eni}"),
            );
            let tags = at.tags()?;
            let id = instance.map_or_else(|| eni.to_string(), str::to_string);
            if let Some(i) = instance {
                self.report.assumed(
                    &it.file,
                    format!("{}.Attachment.InstanceId", it.path),
                    format!("instance {i} is not in the snapshot (add describe-instances): imported from its interface {eni}"),
                );
                self.instance_endpoint.insert(i.to_string(), id.clone());
                self.report.add("instances", 1);
            } else {
                self.report.add("other interfaces", 1);
            }
            let region = self.region_of(Some(&subnet));
            self.eni_endpoint.insert(eni.to_string(), id.clone());
            self.push_endpoint(
                Endpoint {
                    id: id.clone(),
                    name: tag(&tags, "Name")
                        .map(str::to_string)
                        .or_else(|| (!desc.is_empty()).then(|| desc.to_string())),
                    cloud_id: self.cloud_id(&id),
                    kind: kind.into(),
                    subnet: Some(subnet),
                    ip,
                    public_ip,
                    rules: groups,
                    region,
                    ..Endpoint::default()
                },
                tags,
            );
        }
        Ok(())
    }

    /// Zones from the `SecurityZone` tag: a subnet's own, else its VPC's; an endpoint's own.
    fn zone_tags(&mut self) {
        let mut zones = Vec::new();
        for n in &mut self.doc.networks {
            let vpc_zone = self
                .tags
                .get(&n.id)
                .and_then(|t| tag(t, ZONE_TAG))
                .map(str::to_string);
            for s in &mut n.subnets {
                let z = self
                    .tags
                    .get(&s.id)
                    .and_then(|t| tag(t, ZONE_TAG))
                    .map(str::to_string)
                    .or_else(|| vpc_zone.clone());
                if let Some(z) = z {
                    zones.push(z.clone());
                    s.zone = Some(z);
                }
            }
        }
        for e in &mut self.doc.endpoints {
            if let Some(z) = self.tags.get(&e.id).and_then(|t| tag(t, ZONE_TAG)) {
                zones.push(z.to_string());
                e.zone = Some(z.to_string());
            }
        }
        for z in zones {
            declare(self.doc, &z);
        }
    }
}
