//! Instances, network interfaces, VPC endpoints, internet gateways and route tables of the
//! describe-* folder.
//!
//! Owns: which AWS resource each endpoint becomes and how each VPC routes. Must never: give an
//! interface an address the design does not hold, or route beyond a VPC's peerings.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::super::design::Endpoint;

/// Resources, each with the index of its VPC.
type Items = Vec<(usize, Value)>;
use super::rules::Group;
use super::{ACCOUNT, LAUNCH_TIME, Writer, mix, private_dns, tags};

impl Writer<'_> {
    fn mac(&self, n: u64) -> String {
        let m = mix(n ^ 0x6d61_6300_0000_0000).to_be_bytes();
        format!(
            "02:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[3], m[4], m[5], m[6], m[7]
        )
    }

    /// One network interface as describe-network-interfaces prints it.
    #[allow(clippy::too_many_arguments, reason = "one interface's fields")]
    fn eni_json(
        &self,
        e: &Endpoint,
        sk: usize,
        eni: &str,
        groups: &[Value],
        kind: &str,
        attachment: &Value,
        description: &str,
        public: Option<&str>,
    ) -> Value {
        let sub = &self.subs[sk];
        let region = &self.vpcs[sub.vpc].region;
        let ip = e.ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
        let dns = private_dns(ip, region);
        let managed = kind != "interface";
        let n = self.counters.get("eni").copied().unwrap_or(0);
        let mut v = json!({
            "Attachment": attachment,
            "AvailabilityZone": format!("{region}a"),
            "Description": description,
            "Groups": groups,
            "InterfaceType": kind,
            "Ipv6Addresses": [],
            "MacAddress": self.mac(n),
            "NetworkInterfaceId": eni,
            "OwnerId": ACCOUNT,
            "PrivateDnsName": dns,
            "PrivateIpAddress": ip.to_string(),
            "PrivateIpAddresses": [{"Primary": true, "PrivateDnsName": dns, "PrivateIpAddress": ip.to_string()}],
            "RequesterManaged": managed,
            "SourceDestCheck": e.kind != "firewall",
            "Status": "in-use",
            "SubnetId": sub.id,
            "TagSet": [],
            "VpcId": self.vpcs[sub.vpc].id,
        });
        if managed {
            v["RequesterId"] = json!(if kind == "vpc_endpoint" {
                "727180483921"
            } else {
                "amazon-elb"
            });
        }
        if let Some(p) = public {
            let assoc = json!({
                "IpOwnerId": "amazon",
                "PublicDnsName": format!("ec2-{}.compute-1.amazonaws.com", p.replace('.', "-")),
                "PublicIp": p,
            });
            v["Association"] = assoc.clone();
            v["PrivateIpAddresses"][0]["Association"] = assoc;
        }
        v
    }

    /// Instances (reservations, one per subnet), network interfaces and VPC endpoints.
    pub(super) fn endpoints(
        &mut self,
        groups: &[Group],
        group_of: &HashMap<String, Vec<usize>>,
    ) -> (Items, Items, Items) {
        let d = self.d;
        let by_id: HashMap<&str, &Endpoint> =
            d.endpoints.iter().map(|e| (e.id.as_str(), e)).collect();
        let mut reservations: Vec<(usize, Value)> = Vec::new();
        let mut current: Option<(usize, usize, Vec<Value>)> = None;
        let mut enis = Vec::new();
        let mut vpces = Vec::new();
        let mut publics = 0u32;
        let flush = |cur: &mut Option<(usize, usize, Vec<Value>)>,
                     out: &mut Vec<(usize, Value)>,
                     rid: String| {
            if let Some((_, vpc, list)) = cur.take() {
                out.push((vpc, json!({"Groups": [], "Instances": list, "OwnerId": ACCOUNT, "ReservationId": rid})));
            }
        };
        for e in &d.endpoints {
            let (Some(s), Some(ip)) = (e.subnet.as_deref(), e.ip) else {
                continue;
            };
            let Some(&sk) = self.sub_index.get(s) else {
                continue;
            };
            let vpc = self.subs[sk].vpc;
            let region = self.vpcs[vpc].region.clone();
            let zone = self.subs[sk].zone;
            let gl: Vec<Value> = group_of
                .get(&e.id)
                .into_iter()
                .flatten()
                .map(|&g| json!({"GroupId": groups[g].id, "GroupName": groups[g].name}))
                .collect();
            let eni = self.id("eni");
            self.stats.interfaces += 1;
            match e.kind {
                "private_endpoint" => {
                    let vpce = self.id("vpce");
                    let target = e
                        .target
                        .as_deref()
                        .and_then(|t| by_id.get(t))
                        .map_or("other", |t| t.kind);
                    let short = match target {
                        "ai_service" => "bedrock-runtime",
                        "storage" => "s3",
                        _ => "execute-api",
                    };
                    let private = short == "bedrock-runtime";
                    let suffix = format!("{:08x}", mix(self.counters["vpce"]) & 0xffff_ffff);
                    let mut dns = vec![
                        json!({"DnsName": format!("{vpce}-{suffix}.{short}.{region}.vpce.amazonaws.com"), "HostedZoneId": "Z7HUB22UULQXV"}),
                        json!({"DnsName": format!("{vpce}-{suffix}-{region}a.{short}.{region}.vpce.amazonaws.com"), "HostedZoneId": "Z7HUB22UULQXV"}),
                    ];
                    if private {
                        dns.push(json!({"DnsName": format!("{short}.{region}.amazonaws.com"), "HostedZoneId": "Z00000000SYNTHETIC"}));
                    }
                    let attach = json!({"AttachmentId": self.id("ela-attach"), "DeleteOnTermination": false, "DeviceIndex": 1, "InstanceOwnerId": "amazon-aws", "Status": "attached"});
                    enis.push((
                        vpc,
                        self.eni_json(
                            e,
                            sk,
                            &eni,
                            &gl,
                            "vpc_endpoint",
                            &attach,
                            &format!("VPC Endpoint Interface {vpce}"),
                            None,
                        ),
                    ));
                    vpces.push((vpc, json!({
                        "CreationTimestamp": LAUNCH_TIME,
                        "DnsEntries": dns,
                        "DnsOptions": {"DnsRecordIpType": "ipv4"},
                        "Groups": gl,
                        "IpAddressType": "ipv4",
                        "NetworkInterfaceIds": [eni],
                        "OwnerId": ACCOUNT,
                        "PolicyDocument": "{\n  \"Version\": \"2008-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": \"*\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}",
                        "PrivateDnsEnabled": private,
                        "RequesterManaged": false,
                        "RouteTableIds": [],
                        "ServiceName": format!("com.amazonaws.{region}.{short}"),
                        "State": "available",
                        "SubnetIds": [self.subs[sk].id],
                        "Tags": tags(&[("Name", e.id.as_str()), ("SecurityZone", zone)]),
                        "VpcEndpointId": vpce,
                        "VpcEndpointType": "Interface",
                        "VpcId": self.vpcs[vpc].id,
                    })));
                    self.stats.vpc_endpoints += 1;
                }
                "gateway" => {
                    let lb = format!("{:016x}", mix(self.counters["eni"] ^ 0x6c62));
                    let attach = json!({"AttachmentId": self.id("ela-attach"), "DeleteOnTermination": false, "DeviceIndex": 1, "InstanceOwnerId": "amazon-aws", "Status": "attached"});
                    enis.push((
                        vpc,
                        self.eni_json(
                            e,
                            sk,
                            &eni,
                            &gl,
                            "network_load_balancer",
                            &attach,
                            &format!("ELB net/{}/{lb}", e.id),
                            None,
                        ),
                    ));
                    self.stats.load_balancer_interfaces += 1;
                }
                _ => {
                    let inst = self.id("i");
                    let public = e.public_ip.then(|| {
                        publics += 1;
                        format!("203.0.113.{}", publics % 254 + 1)
                    });
                    let attach = json!({
                        "AttachTime": LAUNCH_TIME,
                        "AttachmentId": self.id("eni-attach"),
                        "DeleteOnTermination": true,
                        "DeviceIndex": 0,
                        "InstanceId": inst,
                        "InstanceOwnerId": ACCOUNT,
                        "NetworkCardIndex": 0,
                        "Status": "attached",
                    });
                    let ni = self.eni_json(
                        e,
                        sk,
                        &eni,
                        &gl,
                        "interface",
                        &attach,
                        "",
                        public.as_deref(),
                    );
                    let dns = private_dns(ip, &region);
                    let mut embedded = ni.clone();
                    if let Some(o) = embedded.as_object_mut() {
                        for k in ["AvailabilityZone", "RequesterManaged", "TagSet"] {
                            o.remove(k);
                        }
                    }
                    let mut instance = json!({
                        "AmiLaunchIndex": current.as_ref().filter(|(k, _, _)| *k == sk).map_or(0, |(_, _, l)| l.len()),
                        "Architecture": "x86_64",
                        "EbsOptimized": true,
                        "EnaSupport": true,
                        "Hypervisor": "xen",
                        "ImageId": "ami-0c55b159cbfafe1f0",
                        "InstanceId": inst,
                        "InstanceType": if e.kind == "firewall" { "c6in.xlarge" } else { "m6i.large" },
                        "LaunchTime": LAUNCH_TIME,
                        "Monitoring": {"State": "disabled"},
                        "NetworkInterfaces": [embedded],
                        "Placement": {"AvailabilityZone": format!("{region}a"), "GroupName": "", "Tenancy": "default"},
                        "PrivateDnsName": dns,
                        "PrivateIpAddress": ip.to_string(),
                        "ProductCodes": [],
                        "PublicDnsName": "",
                        "RootDeviceName": "/dev/xvda",
                        "RootDeviceType": "ebs",
                        "SecurityGroups": gl,
                        "SourceDestCheck": e.kind != "firewall",
                        "State": {"Code": 16, "Name": "running"},
                        "StateTransitionReason": "",
                        "SubnetId": self.subs[sk].id,
                        "Tags": tags(&[("Name", e.id.as_str()), ("SecurityZone", zone), ("Role", e.kind)]),
                        "VirtualizationType": "hvm",
                        "VpcId": self.vpcs[vpc].id,
                    });
                    if let Some(p) = &public {
                        instance["PublicIpAddress"] = json!(p);
                        instance["PublicDnsName"] = json!(format!(
                            "ec2-{}.compute-1.amazonaws.com",
                            p.replace('.', "-")
                        ));
                    }
                    enis.push((vpc, ni));
                    if current.as_ref().is_some_and(|(k, _, _)| *k != sk) {
                        let rid = self.id("r");
                        flush(&mut current, &mut reservations, rid);
                    }
                    current
                        .get_or_insert_with(|| (sk, vpc, Vec::new()))
                        .2
                        .push(instance);
                    self.stats.instances += 1;
                    if e.kind == "firewall" {
                        self.appliance.insert(vpc, (inst, eni));
                    }
                }
            }
        }
        let rid = self.id("r");
        flush(&mut current, &mut reservations, rid);
        (reservations, enis, vpces)
    }
}

impl Writer<'_> {
    /// An internet gateway for each VPC with a public subnet.
    pub(super) fn igws(&mut self) -> (Vec<(usize, Value)>, HashMap<usize, String>) {
        let mut out = Vec::new();
        let mut of = HashMap::new();
        for v in 0..self.vpcs.len() {
            if !self.subs.iter().any(|s| s.vpc == v && s.public) {
                continue;
            }
            let id = self.id("igw");
            let name = format!("{}-igw", self.vpcs[v].name);
            out.push((
                v,
                json!({
                    "Attachments": [{"State": "available", "VpcId": self.vpcs[v].id}],
                    "InternetGatewayId": id,
                    "OwnerId": ACCOUNT,
                    "Tags": tags(&[("Name", name.as_str())]),
                }),
            ));
            of.insert(v, id);
        }
        self.stats.internet_gateways = out.len();
        (out, of)
    }

    pub(super) fn route_tables(&mut self, igw_of: &HashMap<usize, String>) -> Vec<(usize, Value)> {
        let mut out = Vec::new();
        for v in 0..self.vpcs.len() {
            let mut common = vec![json!({
                "DestinationCidrBlock": self.vpcs[v].cidr,
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            })];
            for (p, pcx) in &self.vpcs[v].peers {
                common.push(json!({
                    "DestinationCidrBlock": self.vpcs[*p].cidr,
                    "Origin": "CreateRoute",
                    "State": "active",
                    "VpcPeeringConnectionId": pcx,
                }));
            }
            let mut main_routes = common.clone();
            if let Some((inst, eni)) = self.appliance.get(&v) {
                main_routes.push(json!({
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "InstanceId": inst,
                    "InstanceOwnerId": ACCOUNT,
                    "NetworkInterfaceId": eni,
                    "Origin": "CreateRoute",
                    "State": "active",
                }));
            }
            let main = self.id("rtb");
            let assoc = self.id("rtbassoc");
            let name = format!("{}-main", self.vpcs[v].name);
            out.push((
                v,
                json!({
                    "Associations": [{
                        "AssociationState": {"State": "associated"},
                        "Main": true,
                        "RouteTableAssociationId": assoc,
                        "RouteTableId": main,
                    }],
                    "OwnerId": ACCOUNT,
                    "PropagatingVgws": [],
                    "RouteTableId": main,
                    "Routes": main_routes,
                    "Tags": tags(&[("Name", name.as_str())]),
                    "VpcId": self.vpcs[v].id,
                }),
            ));
            let Some(igw) = igw_of.get(&v) else { continue };
            let id = self.id("rtb");
            let mut assocs = Vec::new();
            let public: Vec<usize> = (0..self.subs.len())
                .filter(|&k| self.subs[k].vpc == v && self.subs[k].public)
                .collect();
            for k in public {
                assocs.push(json!({
                    "AssociationState": {"State": "associated"},
                    "Main": false,
                    "RouteTableAssociationId": self.id("rtbassoc"),
                    "RouteTableId": id,
                    "SubnetId": self.subs[k].id,
                }));
            }
            let mut routes = common;
            routes.push(json!({
                "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": igw,
                "Origin": "CreateRoute",
                "State": "active",
            }));
            let name = format!("{}-public", self.vpcs[v].name);
            out.push((
                v,
                json!({
                    "Associations": assocs,
                    "OwnerId": ACCOUNT,
                    "PropagatingVgws": [],
                    "RouteTableId": id,
                    "Routes": routes,
                    "Tags": tags(&[("Name", name.as_str())]),
                    "VpcId": self.vpcs[v].id,
                }),
            ));
        }
        self.stats.route_tables = out.len();
        out
    }
}
