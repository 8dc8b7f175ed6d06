//! NAT gateways and VPC endpoints → endpoints of kind `nat_gateway` and `private_endpoint`
//! (with the AWS service each interface endpoint brings into the VPC, and its private DNS).
//!
//! Owns: which of these resources become endpoints. Must never: invent an address the
//! snapshot does not hold. AWS: <https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html>,
//! <https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html>.

use std::collections::BTreeMap;

use super::map::{Builder, tag};
use crate::import::ImportError;
use crate::import::doc::{DnsZone, Endpoint};
use crate::import::json::At;

impl Builder<'_> {
    pub(super) fn nat_gateways(&mut self) -> Result<(), ImportError> {
        for it in self.snap.items("NatGateways") {
            let at = it.at();
            let id = at.req("NatGatewayId")?;
            let state = at.str("State")?.unwrap_or("available");
            if state != "available" {
                self.report.assumed(
                    &it.file,
                    format!("{}.State", it.path),
                    format!("NAT gateway {id} is `{state}`: not imported"),
                );
                continue;
            }
            let Some(subnet) = self.subnet_ref(
                it,
                format!("{}.SubnetId", it.path),
                at.str("SubnetId")?,
                &format!("NAT gateway {id}"),
            ) else {
                continue;
            };
            let addrs = at.objects("NatGatewayAddresses")?;
            let (mut ip, mut public_ip) = (None, None);
            if let Some((a, p)) = addrs.first() {
                let a = At::new(a, &it.file, p);
                ip = a.str("PrivateIp")?.map(str::to_string);
                public_ip = a.str("PublicIp")?.map(str::to_string);
                if let Some(eni) = a.str("NetworkInterfaceId")? {
                    self.eni_endpoint.insert(eni.to_string(), id.to_string());
                }
            }
            if addrs.len() > 1 {
                self.report.unsupported(
                    &it.file,
                    format!("{}.NatGatewayAddresses[1]", it.path),
                    format!(
                        "NAT gateway {id}: secondary addresses are not modelled (the first is kept)"
                    ),
                );
            }
            if at.str("ConnectivityType")? == Some("private") {
                public_ip = None;
            }
            let tags = at.tags()?;
            let region = self.region_of(Some(&subnet));
            self.push_endpoint(
                Endpoint {
                    id: id.to_string(),
                    name: tag(&tags, "Name").map(str::to_string),
                    cloud_id: self.cloud_id(id),
                    kind: "nat_gateway".into(),
                    subnet: Some(subnet),
                    ip,
                    public_ip,
                    region,
                    ..Endpoint::default()
                },
                tags,
            );
            self.report.add("NAT gateways", 1);
        }
        Ok(())
    }

    pub(super) fn vpc_endpoints(&mut self) -> Result<(), ImportError> {
        let mut services: BTreeMap<String, String> = BTreeMap::new();
        for it in self.snap.items("VpcEndpoints") {
            let at = it.at();
            let id = at.req("VpcEndpointId")?;
            let kind = at.str("VpcEndpointType")?.unwrap_or("Gateway");
            let service = at.str("ServiceName")?.unwrap_or("unknown-service");
            let state = at.str("State")?.unwrap_or("available").to_ascii_lowercase();
            if state != "available" {
                self.report.assumed(
                    &it.file,
                    format!("{}.State", it.path),
                    format!("VPC endpoint {id} is `{state}`: not imported"),
                );
                continue;
            }
            if kind != "Interface" {
                self.report.unsupported(
                    &it.file,
                    format!("{}.VpcEndpointType", it.path),
                    format!(
                        "{kind} VPC endpoint {id} ({service}): routes to the service's prefix list \
                         are not modelled; traffic to the service is judged as traffic to the internet"
                    ),
                );
                continue;
            }
            let vpc = at.req("VpcId")?.to_string();
            // The service: one endpoint per service name, outside every network.
            let fqdn = at
                .objects("DnsEntries")?
                .into_iter()
                .filter_map(|(d, _)| d.get("DnsName").and_then(|n| n.as_str()))
                .find(|n| !n.contains(".vpce.") && !n.starts_with('*'))
                .map(str::to_string);
            let private_dns = at.bool("PrivateDnsEnabled")?.unwrap_or(false);
            let target = if let Some(t) = services.get(service) {
                t.clone()
            } else {
                let t = service.replace('.', "-");
                let short = service.rsplit('.').next().unwrap_or(service);
                let region = service.split('.').nth(2).map(str::to_string);
                self.doc.endpoints.push(Endpoint {
                    id: t.clone(),
                    name: Some(format!("AWS service {service}")),
                    kind: service_kind(short).into(),
                    region,
                    fqdn: if private_dns { fqdn.clone() } else { None },
                    ..Endpoint::default()
                });
                services.insert(service.to_string(), t.clone());
                t
            };
            // AWS creates a private hosted zone for the service's default DNS name only
            // (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#private-dns):
            // a zone of that one name, so the region's other services still resolve publicly.
            let dns_zone = if private_dns { fqdn.clone() } else { None };
            if let Some(z) = &dns_zone {
                self.report.assumed(
                    &it.file,
                    format!("{}.PrivateDnsEnabled", it.path),
                    format!(
                        "the private DNS name of {id} is modelled as a private zone of that one \
                         name, {z}, linked to {vpc} (AWS creates the hosted zone for the service's \
                         default DNS name only)"
                    ),
                );
                if let Some(dz) = self.doc.dns.iter_mut().find(|d| &d.zone == z) {
                    if !dz.linked.contains(&vpc) {
                        dz.linked.push(vpc.clone());
                    }
                } else if self.vpcs.contains_key(&vpc) {
                    self.doc.dns.push(DnsZone {
                        zone: z.clone(),
                        linked: vec![vpc.clone()],
                        records: BTreeMap::new(),
                    });
                }
            }
            let groups = Self::group_ids(&at, "Groups")?;
            let groups = self.known_groups(
                it,
                &format!("{}.Groups", it.path),
                groups,
                &format!("VPC endpoint {id}"),
            );
            let enis = at.strings("NetworkInterfaceIds")?;
            let subnets = at.strings("SubnetIds")?;
            let tags = at.tags()?;
            let many = enis.len().max(subnets.len()) > 1;
            let places: Vec<(Option<String>, Option<String>)> = if enis.is_empty() {
                subnets
                    .iter()
                    .map(|s| (None, Some((*s).to_string())))
                    .collect()
            } else {
                enis.iter()
                    .map(|e| {
                        let item = self.eni_item(e);
                        let sub = item
                            .and_then(|i| i.v.get("SubnetId").and_then(|v| v.as_str()))
                            .map(str::to_string);
                        (Some((*e).to_string()), sub)
                    })
                    .collect()
            };
            for (k, (eni, sub)) in places.into_iter().enumerate() {
                let path = format!("{}.NetworkInterfaceIds[{k}]", it.path);
                let sub = match sub {
                    Some(s) => Some(s),
                    None if subnets.len() == 1 => Some(subnets[0].to_string()),
                    None => None,
                };
                let Some(subnet) = self.subnet_ref(
                    it,
                    path.clone(),
                    sub.as_deref(),
                    &format!("VPC endpoint {id}"),
                ) else {
                    continue;
                };
                let ip = eni.as_deref().and_then(|e| self.eni_item(e)).and_then(|i| {
                    i.v.get("PrivateIpAddress")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                });
                if ip.is_none() {
                    self.report.assumed(
                        &it.file,
                        path,
                        format!("VPC endpoint {id}: its interface's address is not in the snapshot (add describe-network-interfaces): no address"),
                    );
                }
                let eid = if many {
                    format!("{id}-{subnet}")
                } else {
                    id.to_string()
                };
                if let Some(e) = &eni {
                    self.eni_endpoint.insert(e.clone(), eid.clone());
                }
                let region = self.region_of(Some(&subnet));
                self.push_endpoint(
                    Endpoint {
                        id: eid.clone(),
                        name: tag(&tags, "Name").map_or_else(
                            || Some(format!("{service} interface endpoint")),
                            |n| Some(n.to_string()),
                        ),
                        cloud_id: self.cloud_id(id),
                        kind: "private_endpoint".into(),
                        subnet: Some(subnet),
                        ip,
                        rules: groups.clone(),
                        region,
                        target: Some(target.clone()),
                        dns_zone: dns_zone.clone(),
                        ..Endpoint::default()
                    },
                    tags.clone(),
                );
                self.report.add("VPC endpoints", 1);
            }
        }
        Ok(())
    }
}

/// The endpoint kind of an AWS service, by its short name.
fn service_kind(short: &str) -> &'static str {
    match short {
        "s3" | "s3express" | "dynamodb" | "efs" | "elasticfilesystem" | "ecr" | "api" | "dkr" => {
            "storage"
        }
        "secretsmanager" | "kms" | "ssm" | "sts" => "secrets",
        "cloudtrail" | "logs" | "monitoring" | "events" => "monitoring",
        "bedrock" | "bedrock-runtime" | "bedrock-agent" | "bedrock-agent-runtime" | "sagemaker" => {
            "ai_service"
        }
        _ => "other",
    }
}
