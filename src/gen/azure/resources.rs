//! VMs, NICs, public IPs, private endpoints, the services they reach, and private DNS of the
//! Resource Graph export.
//!
//! Owns: the ARM shapes of those resources (REST API: `NetworkInterfaceGet`,
//! `PrivateEndpointGet`, `PrivateDnsZoneGet`, `PrivateDnsVirtualNetworkLinkGet`,
//! `PrivateDnsRecordSetAGet` in `../shared/reference/azure/rest-api-specs/`) and which design
//! endpoint becomes which. Must never: give two resources one id, or reference a resource the
//! export does not hold.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use serde_json::{Value, json};

use super::super::design::Endpoint;
use super::{Row, Writer, item_text, rid, tags};

/// The connectivity subscription's resource group of a region's AI services.
fn ai_group(region: &str) -> String {
    format!("rg-ai-{region}")
}

/// A service's ARM resource: its id, name (the FQDN's first label) and FQDN.
struct Service {
    id: String,
    name: String,
    fqdn: String,
}

impl<'d> Writer<'d> {
    /// The MAC address of the `k`-th NIC, Azure-style (`00-0D-3A-…`).
    fn mac(k: usize) -> String {
        let b = (k as u64).to_be_bytes();
        format!("00-0D-3A-{:02X}-{:02X}-{:02X}", b[5], b[6], b[7])
    }

    /// The ARM resource of each service (an endpoint without an address that a private
    /// endpoint reaches).
    fn services(&self) -> HashMap<&'d str, Service> {
        let d: &'d super::Design = self.d;
        let mut out = HashMap::new();
        for e in d.endpoints.iter().filter(|e| e.ip.is_none()) {
            let Some(fqdn) = e.fqdn.as_deref() else {
                continue;
            };
            let name = fqdn.split('.').next().unwrap_or(&e.id).to_string();
            let region = e.region.as_deref().unwrap_or("eastus");
            let (sub, rg, ty) = if e.kind == "storage" {
                // The spoke's own storage account: `st-r{r}-s{s}` lives in `spoke-r{r}-s{s}`.
                let spoke = e.id.strip_prefix("st-").unwrap_or(&e.id);
                let net = self
                    .net_index
                    .get(format!("spoke-{spoke}").as_str())
                    .map(|&n| &self.nets[n]);
                (
                    net.map_or_else(|| self.connectivity.clone(), |n| n.sub.clone()),
                    net.map_or_else(|| format!("rg-{}", e.id), |n| n.rg.clone()),
                    "Microsoft.Storage/storageAccounts",
                )
            } else {
                (
                    self.connectivity.clone(),
                    ai_group(region),
                    "Microsoft.CognitiveServices/accounts",
                )
            };
            out.insert(
                e.id.as_str(),
                Service {
                    id: rid(&sub, &rg, ty, &name),
                    name,
                    fqdn: fqdn.to_string(),
                },
            );
        }
        out
    }

    /// NICs, VMs and public IPs, private endpoints and their NICs, and the services, as rows
    /// (appended to `items`); each NIC's ip configuration and each private endpoint is listed
    /// on its subnet.
    pub(super) fn endpoints(&mut self) {
        let d = self.d;
        let services = self.services();
        let mut vms = Vec::new();
        let mut publics = Vec::new();
        let mut pes = Vec::new();
        let mut public_n = 0u32;
        for e in &d.endpoints {
            let (Some(s), Some(ip)) = (e.subnet.as_deref(), e.ip) else {
                continue;
            };
            let Some(&sk) = self.sub_index.get(s) else {
                continue;
            };
            let n = self.subs[sk].net;
            let (sub, rg, region) = (
                self.nets[n].sub.clone(),
                self.nets[n].rg.clone(),
                self.nets[n].region.clone(),
            );
            let zone = self.subs[sk].zone;
            let nic_name = format!("{}-nic", e.id);
            let nic_id = rid(&sub, &rg, "Microsoft.Network/networkInterfaces", &nic_name);
            if e.kind == "private_endpoint" {
                let target = e.target.as_deref().and_then(|t| services.get(t));
                let pe_id = rid(&sub, &rg, "Microsoft.Network/privateEndpoints", &e.id);
                let (group, fqdn) = match target {
                    Some(t) if t.id.contains("Microsoft.Storage") => ("blob", t.fqdn.clone()),
                    Some(t) => ("account", t.fqdn.clone()),
                    None => ("default", String::new()),
                };
                let cfg_name = format!("privateEndpointIpConfig.{}", self.next_guid());
                let cfg_id = format!("{nic_id}/ipConfigurations/{cfg_name}");
                let etag = self.etag();
                let guid = self.next_guid();
                self.row(Row {
                    id: &nic_id,
                    name: &nic_name,
                    ty: "Microsoft.Network/networkInterfaces",
                    location: &region,
                    sub: &sub,
                    rg: &rg,
                    tags: tags(Some(zone), &[]),
                    props: json!({
                        "auxiliaryMode": "None",
                        "auxiliarySku": "None",
                        "disableTcpStateTracking": false,
                        "dnsSettings": {"appliedDnsServers": [], "dnsServers": []},
                        "enableAcceleratedNetworking": false,
                        "enableIPForwarding": false,
                        "hostedWorkloads": [],
                        "ipConfigurations": [{
                            "etag": etag,
                            "id": cfg_id,
                            "name": cfg_name,
                            "properties": {
                                "primary": true,
                                "privateIPAddress": ip.to_string(),
                                "privateIPAddressVersion": "IPv4",
                                "privateIPAllocationMethod": "Dynamic",
                                "privateLinkConnectionProperties": {
                                    "fqdns": [fqdn],
                                    "groupId": group,
                                    "requiredMemberName": group,
                                },
                                "provisioningState": "Succeeded",
                                "subnet": {"id": self.subs[sk].id},
                            },
                            "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                        }],
                        "macAddress": "",
                        "nicType": "Standard",
                        "privateEndpoint": {"id": pe_id},
                        "provisioningState": "Succeeded",
                        "resourceGuid": guid,
                        "tapConfigurations": [],
                        "vnetEncryptionSupported": false,
                    }),
                    kind: "",
                    sku: Value::Null,
                    zones: Value::Null,
                });
                self.stats.network_interfaces += 1;
                self.subs[sk].ip_configs.push(cfg_id);
                self.subs[sk].private_endpoints.push(pe_id.clone());
                let etag = self.etag();
                let mut conns = Vec::new();
                if let Some(t) = target {
                    conns.push(json!({
                        "etag": etag,
                        "id": format!("{pe_id}/privateLinkServiceConnections/{}", e.id),
                        "name": e.id,
                        "properties": {
                            "groupIds": [group],
                            "privateLinkServiceConnectionState": {
                                "actionsRequired": "None",
                                "description": "Auto-Approved",
                                "status": "Approved",
                            },
                            "privateLinkServiceId": t.id,
                            "provisioningState": "Succeeded",
                        },
                        "type": "Microsoft.Network/privateEndpoints/privateLinkServiceConnections",
                    }));
                }
                let props = json!({
                    "applicationSecurityGroups": [],
                    "customDnsConfigs": if fqdn.is_empty() { json!([]) } else {
                        json!([{"fqdn": fqdn, "ipAddresses": [ip.to_string()]}])
                    },
                    "customNetworkInterfaceName": nic_name,
                    "ipConfigurations": [],
                    "manualPrivateLinkServiceConnections": [],
                    "networkInterfaces": [{"id": nic_id}],
                    "privateLinkServiceConnections": conns,
                    "provisioningState": "Succeeded",
                    "subnet": {"id": self.subs[sk].id},
                });
                let text = self.row_text(Row {
                    id: &pe_id,
                    name: &e.id,
                    ty: "Microsoft.Network/privateEndpoints",
                    location: &region,
                    sub: &sub,
                    rg: &rg,
                    kind: "",
                    tags: tags(Some(zone), &[]),
                    props,
                    sku: Value::Null,
                    zones: Value::Null,
                });
                pes.push(text);
                self.stats.private_endpoints += 1;
                continue;
            }
            // A VM and its NIC; the bastion's public address.
            let appliance = e.kind == "firewall";
            let vm_id = rid(&sub, &rg, "Microsoft.Compute/virtualMachines", &e.id);
            // ARM often returns references with the resource group in capitals.
            let vm_ref = rid(
                &sub,
                &rg.to_ascii_uppercase(),
                "Microsoft.Compute/virtualMachines",
                &e.id,
            );
            let cfg_id = format!("{nic_id}/ipConfigurations/ipconfig1");
            let mut cfg = json!({
                "primary": true,
                "privateIPAddress": ip.to_string(),
                "privateIPAddressVersion": "IPv4",
                "privateIPAllocationMethod": "Static",
                "provisioningState": "Succeeded",
                "subnet": {"id": self.subs[sk].id},
            });
            if e.public_ip {
                public_n += 1;
                let pip_name = format!("{}-pip", e.id);
                let pip_id = rid(&sub, &rg, "Microsoft.Network/publicIPAddresses", &pip_name);
                cfg["publicIPAddress"] = json!({"id": pip_id});
                let address =
                    Ipv4Addr::new(203, 0, 113, u8::try_from(public_n % 254 + 1).unwrap_or(1));
                let guid = self.next_guid();
                let v = json!({
                    "extendedLocation": null,
                    "id": pip_id,
                    "identity": null,
                    "kind": "",
                    "location": region,
                    "managedBy": "",
                    "name": pip_name,
                    "plan": null,
                    "properties": {
                        "idleTimeoutInMinutes": 4,
                        "ipAddress": address.to_string(),
                        "ipConfiguration": {"id": cfg_id},
                        "ipTags": [],
                        "provisioningState": "Succeeded",
                        "publicIPAddressVersion": "IPv4",
                        "publicIPAllocationMethod": "Static",
                        "resourceGuid": guid,
                    },
                    "resourceGroup": rg,
                    "sku": {"name": "Standard", "tier": "Regional"},
                    "subscriptionId": sub,
                    "tags": tags(Some(zone), &[]),
                    "tenantId": self.tenant,
                    "type": "microsoft.network/publicipaddresses",
                    "zones": ["1", "2", "3"],
                });
                publics.push(item_text(&v));
                self.stats.public_ips += 1;
            }
            let etag = self.etag();
            let guid = self.next_guid();
            let k = self.stats.network_interfaces;
            self.row(Row {
                id: &nic_id,
                name: &nic_name,
                ty: "Microsoft.Network/networkInterfaces",
                location: &region,
                sub: &sub,
                rg: &rg,
                tags: tags(Some(zone), &[("Role", e.kind)]),
                props: json!({
                    "auxiliaryMode": "None",
                    "auxiliarySku": "None",
                    "disableTcpStateTracking": false,
                    "dnsSettings": {"appliedDnsServers": [], "dnsServers": []},
                    "enableAcceleratedNetworking": true,
                    "enableIPForwarding": appliance,
                    "hostedWorkloads": [],
                    "ipConfigurations": [{
                        "etag": etag,
                        "id": cfg_id,
                        "name": "ipconfig1",
                        "properties": cfg,
                        "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                    }],
                    "macAddress": Self::mac(k),
                    "nicType": "Standard",
                    "primary": true,
                    "provisioningState": "Succeeded",
                    "resourceGuid": guid,
                    "tapConfigurations": [],
                    "virtualMachine": {"id": vm_ref},
                    "vnetEncryptionSupported": false,
                }),
                kind: "",
                sku: Value::Null,
                zones: Value::Null,
            });
            self.stats.network_interfaces += 1;
            self.subs[sk].ip_configs.push(cfg_id);
            vms.push(self.vm(e, &vm_id, &nic_id, &region, &sub, &rg, zone, appliance));
        }
        self.items.extend(vms);
        self.items.extend(publics);
        self.items.extend(pes);
        self.service_rows(&services);
    }

    /// One VM row.
    #[allow(clippy::too_many_arguments)]
    fn vm(
        &mut self,
        e: &Endpoint,
        id: &str,
        nic: &str,
        region: &str,
        sub: &str,
        rg: &str,
        zone: &str,
        appliance: bool,
    ) -> String {
        let vm_guid = self.next_guid();
        let computer: String = e.id.chars().filter(|c| *c != '-').take(15).collect();
        let props = json!({
            "extended": {"instanceView": {
                "computerName": computer,
                "hyperVGeneration": "V2",
                "osName": "ubuntu",
                "osVersion": "22.04",
                "powerState": {"code": "PowerState/running", "displayStatus": "VM running", "level": "Info"},
            }},
            "hardwareProfile": {"vmSize": if appliance { "Standard_D4s_v5" } else { "Standard_D2s_v5" }},
            "networkProfile": {"networkInterfaces": [{"id": nic, "properties": {"primary": true}}]},
            "osProfile": {
                "adminUsername": "azureuser",
                "computerName": computer,
                "linuxConfiguration": {"disablePasswordAuthentication": true, "provisionVMAgent": true},
            },
            "provisioningState": "Succeeded",
            "storageProfile": {
                "dataDisks": [],
                "imageReference": {
                    "offer": "0001-com-ubuntu-server-jammy",
                    "publisher": "Canonical",
                    "sku": "22_04-lts-gen2",
                    "version": "latest",
                },
                "osDisk": {
                    "caching": "ReadWrite",
                    "createOption": "FromImage",
                    "managedDisk": {"storageAccountType": "Premium_LRS"},
                    "name": format!("{}-osdisk", e.id),
                    "osType": "Linux",
                },
            },
            "vmId": vm_guid,
        });
        if appliance {
            self.stats.appliances += 1;
        }
        self.stats.virtual_machines += 1;
        self.row_text(Row {
            id,
            name: &e.id,
            ty: "Microsoft.Compute/virtualMachines",
            location: region,
            sub,
            rg,
            kind: "",
            tags: tags(Some(zone), &[("Role", e.kind)]),
            props,
            sku: Value::Null,
            zones: json!(["1"]),
        })
    }

    /// The Cognitive Services (`OpenAI`) and storage accounts.
    fn service_rows(&mut self, services: &HashMap<&str, Service>) {
        let d = self.d;
        for e in &d.endpoints {
            let Some(s) = services.get(e.id.as_str()) else {
                continue;
            };
            let public = if e.public_access == Some("enabled") {
                "Enabled"
            } else {
                "Disabled"
            };
            let region = e.region.as_deref().unwrap_or("eastus").to_string();
            let (sub, rg) = split_id(&s.id);
            let storage = e.kind == "storage";
            let pe_conns: Vec<Value> = Vec::new();
            let (props, kind, sku) = if storage {
                (
                    json!({
                        "accessTier": "Hot",
                        "allowBlobPublicAccess": false,
                        "allowSharedKeyAccess": false,
                        "minimumTlsVersion": "TLS1_2",
                        "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
                        "primaryEndpoints": {
                            "blob": format!("https://{}/", s.fqdn),
                            "dfs": format!("https://{}.dfs.core.windows.net/", s.name),
                            "queue": format!("https://{}.queue.core.windows.net/", s.name),
                        },
                        "primaryLocation": region,
                        "privateEndpointConnections": pe_conns,
                        "provisioningState": "Succeeded",
                        "publicNetworkAccess": public,
                        "supportsHttpsTrafficOnly": true,
                    }),
                    "StorageV2",
                    json!({"name": "Standard_ZRS", "tier": "Standard"}),
                )
            } else {
                (
                    json!({
                        "customSubDomainName": s.name,
                        "disableLocalAuth": true,
                        "endpoint": format!("https://{}/", s.fqdn),
                        "networkAcls": {"defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
                        "privateEndpointConnections": pe_conns,
                        "provisioningState": "Succeeded",
                        "publicNetworkAccess": public,
                    }),
                    "OpenAI",
                    json!({"name": "S0"}),
                )
            };
            let ty = if storage {
                "Microsoft.Storage/storageAccounts"
            } else {
                "Microsoft.CognitiveServices/accounts"
            };
            let (id, name) = (s.id.clone(), s.name.clone());
            self.row(Row {
                id: &id,
                name: &name,
                ty,
                location: &region,
                sub: &sub,
                rg: &rg,
                tags: tags(e.zone, &[]),
                props,
                kind,
                sku,
                zones: Value::Null,
            });
            self.stats.services += 1;
        }
    }

    /// Private DNS zones (`global`), their links to the design's linked networks, and an A
    /// record per private endpoint with a `dns_zone`, in the REST API's shape (Resource Graph's
    /// `Resources` table holds no record sets).
    pub(super) fn dns(&mut self) {
        let d = self.d;
        let by_id: HashMap<&str, &Endpoint> =
            d.endpoints.iter().map(|e| (e.id.as_str(), e)).collect();
        let conn = self.connectivity.clone();
        let mut records = Vec::new();
        for z in &d.dns {
            let zone_id = rid(&conn, "rg-dns", "Microsoft.Network/privateDnsZones", z.zone);
            // The zone answers for `NAME.DOMAIN` as `NAME.privatelink.DOMAIN` (Azure's CNAME).
            let domain = z.zone.strip_prefix("privatelink.").unwrap_or(z.zone);
            let mut n_records = 0usize;
            for e in d.endpoints.iter().filter(|e| e.dns_zone == Some(z.zone)) {
                let (Some(ip), Some(t)) = (e.ip, e.target.as_deref().and_then(|t| by_id.get(t)))
                else {
                    continue;
                };
                let Some(name) = t
                    .fqdn
                    .as_deref()
                    .and_then(|f| f.strip_suffix(domain))
                    .map(|n| n.trim_end_matches('.'))
                else {
                    continue;
                };
                let etag = self.next_guid();
                // As `az network private-dns record-set a list` prints it: the properties
                // flattened into the object, with the resource group.
                records.push(item_text(&json!({
                    "aRecords": [{"ipv4Address": ip.to_string()}],
                    "etag": etag,
                    "fqdn": format!("{name}.{}.", z.zone),
                    "id": format!("{zone_id}/A/{name}"),
                    "isAutoRegistered": false,
                    "metadata": {"creator": "created by private endpoint"},
                    "name": name,
                    "resourceGroup": "rg-dns",
                    "ttl": 10,
                    "type": "Microsoft.Network/privateDnsZones/A",
                })));
                n_records += 1;
            }
            self.stats.a_records += n_records;
            let etag = self.next_guid();
            self.items.push(item_text(&json!({
                "etag": etag,
                "extendedLocation": null,
                "id": zone_id,
                "identity": null,
                "kind": "",
                "location": "global",
                "managedBy": "",
                "name": z.zone,
                "plan": null,
                "properties": {
                    "internalId": format!("Microsoft.Network/privateDnsZones/{}", z.zone),
                    "maxNumberOfRecordSets": 25000,
                    "maxNumberOfVirtualNetworkLinks": 1000,
                    "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                    "numberOfRecordSets": n_records + 1,
                    "numberOfVirtualNetworkLinks": z.linked.len(),
                    "numberOfVirtualNetworkLinksWithRegistration": 0,
                    "provisioningState": "Succeeded",
                },
                "resourceGroup": "rg-dns",
                "sku": null,
                "subscriptionId": conn,
                "tags": {},
                "tenantId": self.tenant,
                "type": "microsoft.network/privatednszones",
                "zones": null,
            })));
            self.stats.private_dns_zones += 1;
            for net in &z.linked {
                let Some(&n) = self.net_index.get(net.as_str()) else {
                    continue;
                };
                let name = format!("link-{net}");
                let vnet = self.nets[n].id.clone();
                self.row(Row {
                    id: &format!("{zone_id}/virtualNetworkLinks/{name}"),
                    name: &name,
                    ty: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                    location: "global",
                    sub: &conn,
                    rg: "rg-dns",
                    tags: json!({}),
                    props: json!({
                        "provisioningState": "Succeeded",
                        "registrationEnabled": false,
                        "resolutionPolicy": "Default",
                        "virtualNetwork": {"id": vnet},
                        "virtualNetworkLinkState": "Completed",
                    }),
                    kind: "",
                    sku: Value::Null,
                    zones: Value::Null,
                });
                self.stats.dns_links += 1;
            }
        }
        self.records = records;
    }
}

/// The subscription and resource group of a resource id.
fn split_id(id: &str) -> (String, String) {
    let parts: Vec<&str> = id.split('/').collect();
    let at = |k: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(k))
            .and_then(|i| parts.get(i + 1))
            .map_or_else(String::new, |s| (*s).to_string())
    };
    (at("subscriptions"), at("resourceGroups"))
}
