//! Network interfaces (and the VMs and public IPs they name) → endpoints: one per IP
//! configuration, in its subnet, with the NIC's NSG as its `rules:` and its ASGs.
//!
//! Owns: the endpoint of each ip configuration (`privateIPAddress`, `subnet.id`,
//! `publicIPAddress.id` → the public IP resource's `ipAddress`, `applicationSecurityGroups`),
//! the VM's name on it, and which VMs and public IPs are accounted for. Must never: join by
//! name, place an endpoint in a subnet the export does not hold, or drop without a finding.
//!
//! The NIC's NSG is the endpoint's rule set, so the engine checks it as Azure does: inbound
//! after the subnet's NSG, outbound before it
//! (<https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works>).

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use super::nsg::{array, asg_id};
use super::{Ctx, Res, name_of_id, props_of, ref_id, slug, str_of, unique};
use crate::import::ImportError;
use crate::import::doc::Endpoint;
use crate::import::json::join;

const NIC: &str = "microsoft.network/networkinterfaces";
const VM: &str = "microsoft.compute/virtualmachines";
const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";

/// VMs and public IPs are read through the NICs; what no NIC names is reported by
/// [`leftovers`].
pub(super) fn is_leftover(r: &Res) -> bool {
    r.ty == VM || r.ty == PUBLIC_IP
}

/// Every NIC's ip configurations as endpoints.
pub(super) fn nics(cx: &mut Ctx, all: &[Res]) -> Result<(), ImportError> {
    let public: BTreeMap<&str, &Res> = all
        .iter()
        .filter(|r| r.ty == PUBLIC_IP)
        .map(|r| (r.id.as_str(), r))
        .collect();
    for r in all.iter().filter(|r| r.ty == NIC) {
        let vm = ref_id(&r.props, "virtualMachine");
        if let Some(v) = &vm {
            cx.consumed.insert(v.clone());
        }
        // The name as written (ids are compared lower-cased, names are shown as Azure has them).
        let vm_name = r
            .props
            .get("virtualMachine")
            .and_then(|x| str_of(x, "id"))
            .map(|v| name_of_id(v).to_string());
        let nsg = match ref_id(&r.props, "networkSecurityGroup") {
            Some(n) => match cx.nsgs.get(&n) {
                Some(rs) => Some(rs.clone()),
                None => {
                    cx.report.unsupported(
                        &r.file,
                        join(&r.pp, "networkSecurityGroup.id"),
                        format!(
                            "NIC {}: its NSG {} is not in the input: modelled without it (unfiltered); export the NSG too",
                            r.name,
                            name_of_id(&n)
                        ),
                    );
                    None
                }
            },
            None => cx.nsg_backrefs.get(&r.id).map(|(rs, file, path)| {
                cx.report.assumed(
                    file,
                    path.clone(),
                    format!(
                        "NIC {} names no NSG, but NSG {rs} lists it: attached",
                        r.name
                    ),
                );
                rs.clone()
            }),
        };
        if r.props
            .get("dnsSettings")
            .and_then(|d| d.get("dnsServers"))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
        {
            cx.report.unsupported(
                &r.file,
                join(&r.pp, "dnsSettings.dnsServers"),
                format!(
                    "NIC {}: its own DNS servers are not modelled (its network's are used)",
                    r.name
                ),
            );
        }
        let configs = array(&r.props, "ipConfigurations", &r.file, &r.pp)?;
        let mut made = 0usize;
        for (i, c) in configs.iter().enumerate() {
            let at = format!("{}.ipConfigurations[{i}]", r.pp);
            if !c.is_object() {
                return Err(ImportError::new(
                    &r.file,
                    at,
                    "an ip configuration must be an object",
                    "export the NIC again, unchanged",
                ));
            }
            let p = props_of(c);
            let pp = if c.get("properties").is_some() {
                join(&at, "properties")
            } else {
                at.clone()
            };
            let cname = str_of(c, "name").unwrap_or("ipconfig");
            let Some(subnet_id) = ref_id(&p, "subnet") else {
                cx.report.unsupported(
                    &r.file,
                    at,
                    format!(
                        "NIC {} ip configuration {cname} names no subnet: skipped",
                        r.name
                    ),
                );
                continue;
            };
            let Some(&(n, k)) = cx.subnets.get(&subnet_id) else {
                cx.report.unsupported(
                    &r.file,
                    at,
                    format!(
                        "NIC {} ip configuration {cname}: its subnet {subnet_id} is not in the input: skipped",
                        r.name
                    ),
                );
                continue;
            };
            let ip = private_ip(cx, &r.name, cname, &p, &r.file, &pp)?;
            let public_ip = match ref_id(&p, "publicIPAddress") {
                Some(pid) => {
                    cx.consumed.insert(pid.clone());
                    match public.get(pid.as_str()) {
                        Some(pr) => match str_of(&pr.props, "ipAddress") {
                            Some(a) if a.parse::<IpAddr>().is_ok() => Some(a.to_string()),
                            _ => {
                                cx.report.assumed(
                                    &pr.file,
                                    join(&pr.pp, "ipAddress"),
                                    format!("public IP {} has no address yet (dynamic, not allocated): NIC {} is taken as unreachable from the internet", pr.name, r.name),
                                );
                                None
                            }
                        },
                        None => {
                            cx.report.unsupported(
                                &r.file,
                                join(&pp, "publicIPAddress.id"),
                                format!("NIC {}: its public IP {} is not in the input: modelled without it (unreachable from the internet)", r.name, name_of_id(&pid)),
                            );
                            None
                        }
                    }
                }
                None => None,
            };
            let mut asgs = Vec::new();
            for (j, g) in array(&p, "applicationSecurityGroups", &r.file, &pp)?
                .iter()
                .enumerate()
            {
                match str_of(g, "id") {
                    Some(gid) => asgs.push(asg_id(cx, gid)),
                    None => {
                        return Err(ImportError::new(
                            &r.file,
                            format!("{}[{j}]", join(&pp, "applicationSecurityGroups")),
                            "an application security group reference needs an `id`",
                            "export the NIC again, unchanged",
                        ));
                    }
                }
            }
            let base = if made == 0 {
                slug(&r.name)
            } else {
                format!("{}-{}", slug(&r.name), slug(cname))
            };
            let id = unique(&base, &mut cx.used);
            let cloud_id = if made == 0 {
                r.id.clone()
            } else {
                str_of(c, "id").map_or_else(|| r.id.clone(), str::to_ascii_lowercase)
            };
            let description = match &vm_name {
                Some(v) => format!("virtual machine {v}: NIC {}, {cname}", r.name),
                None => format!("NIC {}, {cname}", r.name),
            };
            cx.report.origin(id.clone(), &r.file, at);
            cx.tags.insert(id.clone(), r.tags.clone());
            cx.doc.endpoints.push(Endpoint {
                id,
                name: Some(vm_name.clone().unwrap_or_else(|| r.name.clone())),
                cloud_id: Some(cloud_id),
                kind: "app".into(),
                subnet: Some(cx.doc.networks[n].subnets[k].id.clone()),
                ip,
                rules: nsg.iter().cloned().collect(),
                public_ip,
                description: Some(description),
                application_security_groups: asgs,
                ..Endpoint::default()
            });
            made += 1;
        }
        if made > 0 {
            cx.report.add("network interfaces", 1);
        }
    }
    Ok(())
}

/// An ip configuration's `privateIPAddress`: an address; a prefix (`172.20.2.16/28`, an IP
/// prefix assigned to the configuration) is its first address, with a finding.
fn private_ip(
    cx: &mut Ctx,
    nic: &str,
    cname: &str,
    p: &Value,
    file: &str,
    pp: &str,
) -> Result<Option<String>, ImportError> {
    let path = join(pp, "privateIPAddress");
    let Some(text) = p.get("privateIPAddress").filter(|v| !v.is_null()) else {
        cx.report.assumed(
            file,
            path,
            format!("NIC {nic} {cname} has no private address in the export: placed in its subnet without one"),
        );
        return Ok(None);
    };
    let Some(t) = text.as_str().map(str::trim) else {
        return Err(ImportError::new(
            file,
            path,
            "`privateIPAddress` must be a string",
            "export the NIC again, unchanged",
        ));
    };
    if let Ok(a) = t.parse::<IpAddr>() {
        return Ok(Some(a.to_string()));
    }
    if let Ok(n) = t.parse::<ipnet::IpNet>() {
        cx.report.assumed(
            file,
            path,
            format!(
                "NIC {nic} {cname} holds the prefix {t}: modelled as its first address {}",
                n.network()
            ),
        );
        return Ok(Some(n.network().to_string()));
    }
    Err(ImportError::new(
        file,
        path,
        format!("`{t}` is not an IP address"),
        "export the NIC again, unchanged",
    ))
}

/// VMs and public IPs no NIC of the export names.
pub(super) fn leftovers(cx: &mut Ctx, all: &[Res]) {
    for r in all.iter().filter(|r| is_leftover(r)) {
        if cx.consumed.contains(&r.id) {
            continue;
        }
        let msg = if r.ty == VM {
            format!(
                "virtual machine {}: none of its NICs is in the input: skipped (export its network interfaces)",
                r.name
            )
        } else {
            format!(
                "public IP {} is attached to no NIC of the input (load balancers and application gateways are not modelled yet): skipped",
                r.name
            )
        };
        cx.report.unsupported(&r.file, r.path.clone(), msg);
    }
}
