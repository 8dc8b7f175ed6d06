//! VPN and ExpressRoute gateways, local network gateways and connections, NAT gateways of the
//! reference exports (issue 18 item 2), and the wrong-shape sweep over every firewall and
//! gateway fixture: hand-written Resource Graph JSON in `tests/fixtures/azure/fw/` (written from
//! the REST shapes of virtualNetworkGateways, localNetworkGateways, connections and
//! natGateways) and the real files in `../shared/reference/azure/`. The fixtures, the table
//! runner and the firewall rules are in `import_azure_fw.rs`.
//!
//! Every expected verdict below was derived from the fixture and these documents before the
//! code ran:
//! - [UDR] <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>:
//!   the longest prefix wins; a `VirtualNetworkGateway` route sends to the network's gateway.
//! - [NATGW] <https://learn.microsoft.com/azure/nat-gateway/nat-overview>: a NAT gateway gives
//!   the subnets it is attached to outbound internet; a user-defined `0.0.0.0/0` route to a
//!   virtual appliance takes precedence over it
//!   (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource>).
//! - [VPN] <https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings>
//!   and <https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-peering-gateway-transit>: a
//!   site-to-site connection reaches the local network gateway's address space, point-to-site
//!   clients the client address pool; a peered network uses the hub's gateway when its
//!   peering says `useRemoteGateways` (and the hub's `allowGatewayTransit`); the gateway's
//!   prefixes are routes with next hop virtual network gateway [UDR].
//! - [PRIVATE] <https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>:
//!   a subnet with `defaultOutboundAccess: false` has no outbound internet without an explicit
//!   method (NAT gateway, public IP, load balancer, firewall).

use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::Verdict;

use super::import_azure_fw::{Row, TCP, fixture, imported, reference, run_table};

/// Batfish's portal export: the NAT gateway lists subnet `default` (VM1 10.0.0.4) among its
/// `subnets`; `private` (VM2 10.0.1.4, defaultOutboundAccess false) has none [NATGW][PRIVATE].
/// VM1's NIC NSG VM1-nsg has no outbound custom rule: AllowInternetOutBound (65001) decides.
#[test]
fn reference_nat_gateway_gives_its_subnet_outbound_internet() {
    let p = reference("batfish-cloud-azure");
    let (_, t) = imported(&p);
    let out = trace(
        &t,
        &Query::new("10.0.0.4", "8.8.8.8", Some(443), TCP),
        &WhatIf::default(),
    )
    .unwrap();
    assert_eq!(out.verdict, Verdict::Allow, "{}", out.reason);
    assert!(out.path.iter().any(|h| h == "internet"));
    let d = out.decided_by.unwrap();
    assert_eq!(
        (d.rule_set.as_str(), d.rule.as_str()),
        ("vm1-nsg", "AllowInternetOutBound")
    );
    let out = trace(
        &t,
        &Query::new("10.0.1.4", "8.8.8.8", Some(443), TCP),
        &WhatIf::default(),
    )
    .unwrap();
    assert_eq!(out.verdict, Verdict::NoRoute, "{}", out.reason);
}

/// The VNet REST example names `defaultPublicNatGateway` test-ngw (read-only: the gateway of
/// the network's default outbound access), which the model does not hold: a finding, and no
/// outbound internet is assumed. The AI Landing Zones file is a deployment template (values
/// are expressions): each resource it declares is a finding, never an error.
#[test]
fn reference_nat_gateway_template_and_default_gateway() {
    let dir = tempfile::tempdir().unwrap();
    for (src, name) in [
        (
            "rest-api-specs/VirtualNetworkGet.2025-03-01.json",
            "vnet.json",
        ),
        (
            "arm-template/ai-landing-zones.res.nat-gateway.json",
            "natgw-template.json",
        ),
    ] {
        std::fs::copy(reference(src), dir.path().join(name)).unwrap();
    }
    let imp = import::import(dir.path(), InputKind::Azure, ImportOptions::default()).unwrap();
    imp.load("examples").unwrap();
    assert!(!imp.document.networks[0].subnets[0].internet_egress);
    let f = &imp.report.findings;
    assert!(
        f.iter().any(|f| f.kind == FindingKind::Unsupported
            && f.json_path == "responses.200.body.properties.defaultPublicNatGateway.id"
            && f.message.contains("test-ngw")),
        "{f:?}"
    );
    for (i, ty) in [
        (0, "Microsoft.Network/publicIPAddresses"),
        (1, "Microsoft.Network/natGateways"),
    ] {
        assert!(
            f.iter().any(|f| f.kind == FindingKind::Unsupported
                && f.file.ends_with("natgw-template.json")
                && f.json_path == format!("resources[{i}]")
                && f.message.contains(ty)
                && f.message.contains("deployment template")),
            "{f:?}"
        );
    }
}

/// `vpn.json`: vnet-hub 10.70.0.0/16 (GatewaySubnet 10.70.255.0/27 with vpngw-hub, BGP peering
/// address 10.70.255.30, point-to-site pool 172.31.0.0/24; snet-mgmt: nic-mgmt 10.70.1.4),
/// connection cn-dc1 (IPsec) to lng-dc1 [192.168.0.0/16, 172.16.0.0/16]; lng-unused
/// [10.200.0.0/16] has no connection. vnet-app 10.71.0.0/16 (snet-app: nic-app 10.71.1.4,
/// route table rt-app `172.16.0.0/16 → VirtualNetworkGateway`) peers with the hub using its
/// gateway (useRemoteGateways, the hub allows transit); vnet-lab peers without using it.
#[rustfmt::skip]
const VPN: &[Row] = &[
    // The gateway's prefixes are system routes in the hub and in the spoke that uses it [VPN].
    Row { from: "nic-app", to: "192.168.1.10", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("vpngw-hub"), fw: None },
    Row { from: "nic-mgmt", to: "192.168.1.10", port: 22, proto: TCP, verdict: Verdict::Allow, via: Some("vpngw-hub"), fw: None },
    // The user-defined route to the gateway [UDR].
    Row { from: "nic-app", to: "172.16.5.5", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("vpngw-hub"), fw: None },
    // Point-to-site clients [VPN].
    Row { from: "nic-app", to: "172.31.0.9", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("vpngw-hub"), fw: None },
    // A local network gateway without a connection carries nothing [VPN]: no route.
    Row { from: "nic-app", to: "10.200.0.5", port: 443, proto: TCP, verdict: Verdict::NoRoute, via: None, fw: None },
];

#[test]
fn vpn_gateway_reaches_the_local_network_gateways_prefixes() {
    let (imp, t) = imported(&fixture("vpn.json"));
    run_table(&t, VPN);
    let d = &imp.document;
    let g = d.endpoints.iter().find(|e| e.id == "vpngw-hub").unwrap();
    assert_eq!(
        (
            g.kind.as_str(),
            g.subnet.as_deref(),
            g.ip.as_deref(),
            g.onprem.as_slice()
        ),
        (
            "vpn_gateway",
            Some("vnet-hub/gatewaysubnet"),
            Some("10.70.255.30"),
            &[
                "172.16.0.0/16".to_string(),
                "172.31.0.0/24".to_string(),
                "192.168.0.0/16".to_string()
            ][..]
        )
    );
    let rt = d.route_tables.iter().find(|r| r.id == "rt-app").unwrap();
    assert_eq!(
        (rt.routes[0].prefix.as_str(), rt.routes[0].next_hop.as_str()),
        ("172.16.0.0/16", "vpngw-hub")
    );
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    for (path, what) in [
        ("[9]", "lng-unused: no connection"),
        (
            "[2].properties.virtualNetworkPeerings[0].properties.useRemoteGateways",
            "vnet-lab does not use its peer's gateway",
        ),
    ] {
        assert!(
            un.iter()
                .any(|f| f.json_path == path && f.message.contains(what)),
            "{path}: {un:?}"
        );
    }
    // vnet-app uses the gateway as Azure does: no finding for its peering.
    assert!(
        !un.iter().any(|f| f.message.starts_with("vnet-app")),
        "{un:?}"
    );
}

/// Every value under a firewall, policy, rule collection group, IP group, NAT gateway,
/// gateway or connection of the fixtures, replaced by each wrong shape, imports as an error
/// with a JSON path or as a document that loads: never a panic, never a YAML the loader
/// rejects.
#[test]
fn every_wrong_shape_is_an_error_or_loads() {
    use serde_json::Value;
    fn paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    at.push(k.clone());
                    paths(x, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    at.push(i.to_string());
                    paths(x, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }
    fn at_mut<'v>(v: &'v mut Value, path: &[String]) -> &'v mut Value {
        path.iter().fold(v, |v, k| match v {
            Value::Object(m) => m.get_mut(k).unwrap(),
            Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            _ => unreachable!(),
        })
    }
    let ours = [
        "azurefirewalls",
        "firewallpolicies",
        "ipgroups",
        "natgateways",
        "virtualnetworkgateways",
        "localnetworkgateways",
        "connections",
    ];
    let shapes = [
        Value::Null,
        Value::from(7),
        Value::from("x"),
        Value::Array(vec![Value::Null]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    let mut tried = 0;
    for f in [
        "hub-spoke-fw.json",
        "classic.json",
        "inherit.json",
        "vpn.json",
    ] {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(f)).unwrap()).unwrap();
        let list = doc
            .get("data")
            .and_then(Value::as_array)
            .or(doc.as_array())
            .unwrap()
            .clone();
        for (i, r) in list.iter().enumerate() {
            let ty = r["type"].as_str().unwrap_or("").to_ascii_lowercase();
            if !ours.iter().any(|o| ty.contains(o)) {
                continue;
            }
            let mut all = Vec::new();
            paths(r.get("properties").unwrap_or(r), &mut Vec::new(), &mut all);
            for path in all.into_iter().filter(|p| !p.is_empty()) {
                for s in &shapes {
                    let mut list = list.clone();
                    let root = if list[i].get("properties").is_some() {
                        list[i].get_mut("properties").unwrap()
                    } else {
                        &mut list[i]
                    };
                    *at_mut(root, &path) = s.clone();
                    std::fs::write(&p, Value::Array(list).to_string()).unwrap();
                    tried += 1;
                    match import::import(&p, InputKind::Azure, ImportOptions::default()) {
                        Ok(imp) => {
                            if let Err(e) = imp.load("m") {
                                panic!("{f} [{i}] {path:?} = {s}: the import does not load: {e:?}");
                            }
                        }
                        Err(e) => assert!(!e.json_path.is_empty(), "{f} [{i}] {path:?}: {e}"),
                    }
                }
            }
        }
    }
    assert!(tried > 500, "{tried}");
}
