//! The synthetic design as an `aws ec2 describe-*` folder (`zonescope gen --as aws`), for the
//! importer's benchmarks and tests: the same [`Design`] the YAML emitter writes, in the shapes
//! the AWS CLI prints (`{"Vpcs": [...]}`, four-space indentation, one file per call).
//!
//! Owns: the translation of the design into AWS resources and their deterministic ids. Must
//! never: read or write files, look at the clock or the environment, or draw randomness (ids are
//! a bijective mix of a resource class and a counter, so the same parameters give the same bytes).
//!
//! # Translation
//!
//! | design | AWS |
//! | --- | --- |
//! | network (hub, spoke) | a VPC (`Name` tag = the design id; `SecurityZone` only when all its subnets share one zone) in the region of the same number (`us-east-1`, `eu-west-1`, …, then `zz-synthetic-{r}`) |
//! | subnet | a subnet in `{region}a`, tags `Name` and `SecurityZone` (seed 002) |
//! | endpoint in a subnet | an EC2 instance with its primary interface (describe-instances and describe-network-interfaces); a `gateway` is a network load balancer's interface, a `private_endpoint` an interface VPC endpoint (`bedrock-runtime` for an `ai_service` target, `s3` for `storage`) with its interface; the `bastion`'s public address is an `Association.PublicIp` from 203.0.113.0/24 |
//! | hub-to-hub and spoke-to-hub links | active VPC peering connections |
//! | NSG (rule set of kind `nsg`) | a security group holding its **allow** rules (`IpPermissions` / `IpPermissionsEgress`, one permission per protocol and port range) on every interface of its subnet; an inbound allow aimed at one endpoint goes into a group `{nsg}-{endpoint}` on that endpoint only |
//! | the NSG's **deny** rules | a network ACL on the subnet: the denies in priority order, numbered 100, 110, …, then an allow-all entry and AWS's `*` deny (32767) |
//! | the hub firewall | an instance with source/destination check off, that the hub's main route table sends `0.0.0.0/0` to; its group allows everything (its policy `fwp-r{r}` is an appliance's configuration, which no describe-* call returns: not written) |
//! | `internet_egress` or a public address | an internet gateway per hub and a route table `0.0.0.0/0 → igw` on those subnets |
//!
//! Selectors become CIDRs: `*` and `Internet` `0.0.0.0/0`; `VirtualNetwork` the CIDRs of the
//! rule set's VPC and of the VPCs peered with it; a zone the subnets of that zone in those VPCs
//! (peering is not transitive, so nothing farther is reachable); a subnet its CIDR; an endpoint
//! its address `/32` (a service without an address is left out: its private endpoint's subnet
//! is in the same rule).
//!
//! What changes, on purpose, because AWS has no such thing:
//! - Security groups are allow-only and network ACLs are stateless, so a deny whose peer is
//!   `Internet` (the internet is not one CIDR) and the final `*` → `*` deny are not written: a
//!   security group denies what it does not allow. AWS: <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html>,
//!   <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>.
//! - A deny in a network ACL is evaluated before every security group allow, whatever its
//!   priority in the NSG was (AWS evaluates both layers).
//! - Peering is not transitive, so a spoke reaches only its own hub (the gateways' failover to
//!   the next region's private endpoint has no route). AWS: <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html>.
//! - There are no default security groups and no limits on rules per group or ACL.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::GenParams;
use super::design::Design;

mod resources;
mod rules;

/// The account that owns every resource (the AWS documentation's example account).
pub const ACCOUNT: &str = "123456789012";

/// AWS regions by region number (1-based); later regions are `zz-synthetic-{r}`.
const REGIONS: [&str; 20] = [
    "us-east-1",
    "eu-west-1",
    "eu-north-1",
    "eu-west-3",
    "eu-west-2",
    "us-west-2",
    "us-east-2",
    "ca-central-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
    "eu-central-1",
    "eu-south-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "us-west-1",
    "me-south-1",
    "af-south-1",
    "ap-east-1",
];

const LAUNCH_TIME: &str = "2026-01-05T09:00:00+00:00";

/// A generated describe-* folder: what each describe call of each region returns, and counts
/// about it.
pub struct AwsFolder {
    /// The regions, in order (each a directory of the folder).
    pub regions: Vec<String>,
    sections: Vec<Section>,
    pub stats: AwsStats,
}

/// One describe call's resources, each already printed (indented for its place in the file)
/// and with the index of its region.
struct Section {
    key: &'static str,
    file: &'static str,
    items: Vec<(usize, String)>,
}

/// Counts of the resources written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwsStats {
    pub vpcs: usize,
    pub subnets: usize,
    /// Network interfaces (one per endpoint with an address).
    pub interfaces: usize,
    pub instances: usize,
    pub load_balancer_interfaces: usize,
    pub vpc_endpoints: usize,
    pub security_groups: usize,
    /// Network ACLs, each VPC's default one included.
    pub network_acls: usize,
    pub route_tables: usize,
    pub peerings: usize,
    pub internet_gateways: usize,
}

/// `    "Key": [\n        item,\n        …\n    ]`: one section of a file as the AWS CLI prints
/// it, without the file's braces.
fn section_text<'a>(out: &mut String, key: &str, items: impl Iterator<Item = &'a str>) {
    let _ = write!(out, "    \"{key}\": [");
    let mut any = false;
    for item in items {
        out.push_str(if any { ",\n" } else { "\n" });
        out.push_str(item);
        any = true;
    }
    out.push_str(if any { "\n    ]" } else { "]" });
}

impl AwsFolder {
    /// The files: `(REGION/describe-….json, text)`, one per describe call and region (the
    /// layout `aws ec2 describe-* --region REGION` gives), in a fixed order.
    #[must_use]
    pub fn files(&self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.regions.len() * self.sections.len());
        for (r, region) in self.regions.iter().enumerate() {
            for s in &self.sections {
                let mut text = String::from("{\n");
                section_text(
                    &mut text,
                    s.key,
                    s.items
                        .iter()
                        .filter(|(k, _)| *k == r)
                        .map(|(_, t)| t.as_str()),
                );
                text.push_str("\n}\n");
                out.push((format!("{region}/{}", s.file), text));
            }
        }
        out
    }

    /// Every resource of every region in one JSON object (`{"Vpcs": [...], "Subnets": [...],
    /// …}`), which the importer reads as one file: what `gen --as aws` prints without `-o`.
    #[must_use]
    pub fn combined(&self) -> String {
        let mut out = String::from("{\n");
        for (k, s) in self.sections.iter().enumerate() {
            section_text(&mut out, s.key, s.items.iter().map(|(_, t)| t.as_str()));
            out.push_str(if k + 1 < self.sections.len() {
                ",\n"
            } else {
                "\n"
            });
        }
        out.push_str("}\n");
        out
    }
}

/// The describe-* folder of the design for `params` (clamped, see [`GenParams::clamped`]).
#[must_use]
pub fn generate_aws(params: &GenParams) -> AwsFolder {
    let design = super::build::design(params.clamped());
    Writer::new(&design).run()
}

/// A bijective mix of a 64-bit value (`SplitMix64`'s finaliser): distinct inputs give distinct ids.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn region_name(r: usize) -> String {
    REGIONS
        .get(r.wrapping_sub(1))
        .map_or_else(|| format!("zz-synthetic-{r}"), |s| (*s).to_string())
}

/// `use1` for `us-east-1`: the prefix of AWS's availability zone ids.
fn zone_id_prefix(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let mut out = parts.first().copied().unwrap_or("").to_string();
    for p in &parts[1..parts.len().saturating_sub(1)] {
        out.extend(p.chars().next());
    }
    out.push_str(parts.last().copied().unwrap_or(""));
    out
}

fn private_dns(ip: Ipv4Addr, region: &str) -> String {
    let dashed = ip.to_string().replace('.', "-");
    if region == "us-east-1" {
        format!("ip-{dashed}.ec2.internal")
    } else {
        format!("ip-{dashed}.{region}.compute.internal")
    }
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// One VPC of the folder.
struct Vpc {
    id: String,
    name: String,
    region: String,
    cidr: String,
    /// Indices of the peered VPCs, with the peering's id.
    peers: Vec<(usize, String)>,
    /// Zones and CIDRs of its subnets.
    subnets: Vec<(&'static str, String)>,
}

/// A subnet of the folder.
struct Sub {
    vpc: usize,
    id: String,
    cidr: String,
    zone: &'static str,
    nsg: Option<String>,
    public: bool,
}

struct Writer<'d> {
    d: &'d Design,
    vpcs: Vec<Vpc>,
    subs: Vec<Sub>,
    sub_index: HashMap<&'d str, usize>,
    ips: HashMap<&'d str, Ipv4Addr>,
    counters: BTreeMap<&'static str, u64>,
    /// VPC → its firewall appliance's instance and interface.
    appliance: HashMap<usize, (String, String)>,
    stats: AwsStats,
}

/// One resource as the AWS CLI prints it inside its file (four spaces per level, two levels in).
fn item_text(item: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // A `Value` always serialises.
    let _ = serde::Serialize::serialize(item, &mut ser);
    let text = String::from_utf8_lossy(&buf);
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for (n, line) in text.lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str("        ");
        out.push_str(line);
    }
    out
}

impl<'d> Writer<'d> {
    fn new(d: &'d Design) -> Self {
        let mut w = Writer {
            d,
            vpcs: Vec::new(),
            subs: Vec::new(),
            sub_index: HashMap::new(),
            ips: HashMap::new(),
            counters: BTreeMap::new(),
            appliance: HashMap::new(),
            stats: AwsStats::default(),
        };
        for e in &d.endpoints {
            if let Some(ip) = e.ip {
                w.ips.insert(e.id.as_str(), ip);
            }
        }
        w
    }

    /// A fresh id of class `prefix`: `{prefix}-0` and 16 hex digits.
    fn id(&mut self, prefix: &'static str) -> String {
        let n = self.counters.entry(prefix).or_insert(0);
        *n += 1;
        let class = prefix
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)));
        format!("{prefix}-0{:016x}", mix((class << 40) ^ *n))
    }

    fn run(mut self) -> AwsFolder {
        self.layout();
        let vpcs = self.vpcs_json();
        let subnets = self.subnets_json();
        let peerings = self.peerings_json();
        let (groups, group_of) = self.groups();
        let nacls = self.nacls();
        let (instances, enis, vpces) = self.endpoints(&groups, &group_of);
        let (igws, igw_of) = self.igws();
        let tables = self.route_tables(&igw_of);
        let groups_json: Vec<(usize, Value)> =
            groups.iter().map(|g| (g.vpc, self.group_json(g))).collect();
        self.stats.security_groups = groups.len();
        let mut regions: Vec<String> = Vec::new();
        let mut region_of = Vec::with_capacity(self.vpcs.len());
        for v in &self.vpcs {
            if regions.last() != Some(&v.region) {
                regions.push(v.region.clone());
            }
            region_of.push(regions.len() - 1);
        }
        let section = |key, file, items: Vec<(usize, Value)>| Section {
            key,
            file,
            items: items
                .into_iter()
                .map(|(v, x)| (region_of[v], item_text(&x)))
                .collect(),
        };
        let sections = vec![
            section("Vpcs", "describe-vpcs.json", vpcs),
            section("Subnets", "describe-subnets.json", subnets),
            section(
                "SecurityGroups",
                "describe-security-groups.json",
                groups_json,
            ),
            section("NetworkAcls", "describe-network-acls.json", nacls),
            section("Reservations", "describe-instances.json", instances),
            section(
                "NetworkInterfaces",
                "describe-network-interfaces.json",
                enis,
            ),
            section("VpcEndpoints", "describe-vpc-endpoints.json", vpces),
            section("RouteTables", "describe-route-tables.json", tables),
            section("InternetGateways", "describe-internet-gateways.json", igws),
            section(
                "VpcPeeringConnections",
                "describe-vpc-peering-connections.json",
                peerings,
            ),
        ];
        AwsFolder {
            regions,
            sections,
            stats: self.stats,
        }
    }

    /// VPCs, subnets and peerings, with their ids.
    fn layout(&mut self) {
        let d = self.d;
        let mut net_index: HashMap<&str, usize> = HashMap::new();
        let publics: std::collections::HashSet<&str> = d
            .endpoints
            .iter()
            .filter(|e| e.public_ip)
            .filter_map(|e| e.subnet.as_deref())
            .collect();
        let mut r = 0;
        for n in &d.networks {
            if n.role == "hub" {
                r += 1;
            }
            let vpc = self.vpcs.len();
            net_index.insert(n.id.as_str(), vpc);
            let id = self.id("vpc");
            for s in &n.subnets {
                let id = self.id("subnet");
                self.sub_index.insert(s.id.as_str(), self.subs.len());
                self.subs.push(Sub {
                    vpc,
                    id,
                    cidr: s.cidr.to_string(),
                    zone: s.zone,
                    nsg: s.rules.clone(),
                    public: s.internet_egress || publics.contains(&s.id.as_str()),
                });
            }
            self.vpcs.push(Vpc {
                id,
                name: n.id.clone(),
                region: region_name(r),
                cidr: n.cidr.to_string(),
                peers: Vec::new(),
                subnets: n
                    .subnets
                    .iter()
                    .map(|s| (s.zone, s.cidr.to_string()))
                    .collect(),
            });
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for n in &d.networks {
            if let Some(h) = n.hub.as_deref()
                && let (Some(&a), Some(&b)) = (net_index.get(n.id.as_str()), net_index.get(h))
            {
                pairs.push((a, b));
            }
        }
        for (a, b) in &d.peerings {
            if let (Some(&a), Some(&b)) = (net_index.get(a.as_str()), net_index.get(b.as_str())) {
                pairs.push((a, b));
            }
        }
        for (a, b) in pairs {
            let id = self.id("pcx");
            self.vpcs[a].peers.push((b, id.clone()));
            self.vpcs[b].peers.push((a, id));
        }
    }

    fn vpcs_json(&mut self) -> Vec<(usize, Value)> {
        let mut out = Vec::with_capacity(self.vpcs.len());
        for k in 0..self.vpcs.len() {
            let assoc = self.id("vpc-cidr-assoc");
            let v = &self.vpcs[k];
            let zone = v
                .subnets
                .first()
                .map(|s| s.0)
                .filter(|z| v.subnets.iter().all(|s| s.0 == *z));
            let mut t = vec![("Name", v.name.as_str())];
            t.extend(zone.map(|z| ("SecurityZone", z)));
            out.push((
                k,
                json!({
                    "CidrBlock": v.cidr,
                    "CidrBlockAssociationSet": [{
                        "AssociationId": assoc,
                        "CidrBlock": v.cidr,
                        "CidrBlockState": {"State": "associated"},
                    }],
                    "DhcpOptionsId": "dopt-0a1b2c3d4e5f60718",
                    "InstanceTenancy": "default",
                    "IsDefault": false,
                    "OwnerId": ACCOUNT,
                    "State": "available",
                    "Tags": tags(&t),
                    "VpcId": v.id,
                }),
            ));
        }
        self.stats.vpcs = out.len();
        out
    }

    fn subnets_json(&mut self) -> Vec<(usize, Value)> {
        let d = self.d;
        let mut used: HashMap<&str, u64> = HashMap::new();
        for e in &d.endpoints {
            if let (Some(s), Some(_)) = (e.subnet.as_deref(), e.ip) {
                *used.entry(s).or_default() += 1;
            }
        }
        let mut out = Vec::with_capacity(self.subs.len());
        for n in &d.networks {
            for s in &n.subnets {
                let sub = &self.subs[self.sub_index[s.id.as_str()]];
                let region = &self.vpcs[sub.vpc].region;
                let free = s
                    .cidr
                    .size
                    .saturating_sub(5 + used.get(s.id.as_str()).copied().unwrap_or(0));
                out.push((
                    sub.vpc,
                    json!({
                        "AssignIpv6AddressOnCreation": false,
                        "AvailabilityZone": format!("{region}a"),
                        "AvailabilityZoneId": format!("{}-az1", zone_id_prefix(region)),
                        "AvailableIpAddressCount": free,
                        "CidrBlock": sub.cidr,
                        "DefaultForAz": false,
                        "Ipv6CidrBlockAssociationSet": [],
                        "MapPublicIpOnLaunch": sub.public,
                        "OwnerId": ACCOUNT,
                        "State": "available",
                        "SubnetArn": format!("arn:aws:ec2:{region}:{ACCOUNT}:subnet/{}", sub.id),
                        "SubnetId": sub.id,
                        "Tags": tags(&[("Name", s.id.as_str()), ("SecurityZone", sub.zone)]),
                        "VpcId": self.vpcs[sub.vpc].id,
                    }),
                ));
            }
        }
        self.stats.subnets = out.len();
        out
    }

    fn peerings_json(&mut self) -> Vec<(usize, Value)> {
        let info = |v: &Vpc| {
            json!({
                "CidrBlock": v.cidr,
                "CidrBlockSet": [{"CidrBlock": v.cidr}],
                "OwnerId": ACCOUNT,
                "PeeringOptions": {
                    "AllowDnsResolutionFromRemoteVpc": false,
                    "AllowEgressFromLocalClassicLinkToRemoteVpc": false,
                    "AllowEgressFromLocalVpcToRemoteClassicLink": false,
                },
                "Region": v.region,
                "VpcId": v.id,
            })
        };
        let mut out = Vec::new();
        for (a, va) in self.vpcs.iter().enumerate() {
            for (b, id) in &va.peers {
                // Each peering is listed by its requester (the lower index).
                if a < *b {
                    let vb = &self.vpcs[*b];
                    let name = format!("{}-to-{}", va.name, vb.name);
                    out.push((
                        a,
                        json!({
                            "AccepterVpcInfo": info(vb),
                            "RequesterVpcInfo": info(va),
                            "Status": {"Code": "active", "Message": "Active"},
                            "Tags": tags(&[("Name", name.as_str())]),
                            "VpcPeeringConnectionId": id,
                        }),
                    ));
                }
            }
        }
        self.stats.peerings = out.len();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_parameters_give_the_same_bytes() {
        let p = GenParams::default();
        let a = generate_aws(&p);
        let b = generate_aws(&p);
        assert_eq!(a.files(), b.files());
        assert_eq!(a.stats, b.stats);
    }

    #[test]
    fn ids_are_unique_and_shaped_like_aws_ids() {
        let f = generate_aws(&GenParams::default());
        let all: String = f.files().iter().map(|(_, t)| t.as_str()).collect();
        let mut ids = std::collections::HashSet::new();
        for key in [
            "\"VpcId\": \"",
            "\"SubnetId\": \"",
            "\"GroupId\": \"",
            "\"NetworkAclId\": \"",
        ] {
            for part in all.split(key).skip(1) {
                let id = &part[..part.find('"').unwrap_or(0)];
                let hex = id.rsplit('-').next().unwrap_or("");
                assert_eq!(hex.len(), 17, "{id}");
                assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
                ids.insert(id.to_string());
            }
        }
        assert!(ids.len() > 20);
    }

    #[test]
    fn zone_id_prefixes() {
        assert_eq!(zone_id_prefix("us-east-1"), "use1");
        assert_eq!(zone_id_prefix("ap-southeast-2"), "aps2");
    }
}
