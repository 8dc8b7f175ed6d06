//! Route tables (user-defined routes) from hand-written ARM JSON
//! (`tests/fixtures/azure/udr-hub-spoke.json`, written from the RouteTableGet REST shape).
//!
//! The export: vnet-hub 10.0.0.0/16 (snet-nva 10.0.1.0/24 with nic-nva 10.0.1.4, IP
//! forwarding on; snet-app 10.0.2.0/24 with nic-hubapp 10.0.2.4) peered (Connected) with
//! vnet-spoke1 10.1.0.0/16 (snet-a 10.1.1.0/24, NSG nsg-a with no custom rules, route table
//! rt-spoke1; nic-a 10.1.1.4, public IP 20.0.0.5) and vnet-spoke2 10.2.0.0/16 (snet-b
//! 10.2.1.0/24, NSG nsg-b, route table rt-spoke2; nic-b 10.2.1.4).
//! vnet-other 10.0.0.0/16 (the hub's addresses, peered with nothing) holds nic-other at
//! 10.0.1.4, listed before nic-nva.
//! vnet-spoke1 has custom DNS: dhcpOptions.dnsServers [10.0.1.4].
//! vnet-spoke2's peering to the hub has allowForwardedTraffic false and useRemoteGateways true.
//! rt-spoke1: 0.0.0.0/0 → VirtualAppliance 10.0.1.4; 10.0.2.0/24 → None; 192.168.0.0/16 →
//! VirtualNetworkGateway. rt-spoke2: 0.0.0.0/0 → VirtualAppliance 10.0.1.10 (no NIC holds it).
//!
//! Rows derived before running the code from:
//! - [UDR] <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>:
//!   "System routes" (each peered virtual network's address space, next hop VNet peering),
//!   "How Azure selects a route" (longest prefix match; a user-defined route beats a system
//!   route of the same prefix), next hop type None drops the traffic, VirtualAppliance sends
//!   it to `nextHopIpAddress`.
//! - [TAGS] <https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags>:
//!   `VirtualNetwork` includes "address prefixes used on user-defined routes" (SPEC §11.3), so
//!   under a 0.0.0.0/0 route AllowVnetInBound admits every source.
//! - [DEFAULT] <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules>.

use std::path::Path;

use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

fn imported() -> (import::Imported, Topology) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure/udr-hub-spoke.json");
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("imports: {e}"));
    let t = imp.load("udr").unwrap_or_else(|e| panic!("loads: {e:?}"));
    (imp, t)
}

struct Row {
    from: &'static str,
    to: &'static str,
    port: u16,
    verdict: Verdict,
    /// An appliance the path crosses, or `None` for a direct path.
    via: Option<&'static str>,
    /// The deciding rule (rule set, rule), for allowed and denied flows decided by an NSG.
    rule: Option<(&'static str, &'static str)>,
}

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // To spoke2: only 0.0.0.0/0 matches [UDR]: to the NVA, whose filtering the export does not
    // hold (modelled as a firewall without rules: dropped there).
    Row { from: "10.1.1.4", to: "10.2.1.4", port: 443, verdict: Verdict::Deny, via: Some("nic-nva"), rule: None },
    // To the hub's snet-app: 10.0.2.0/24 → None is longer than the peering's 10.0.0.0/16 [UDR].
    Row { from: "10.1.1.4", to: "10.0.2.4", port: 443, verdict: Verdict::NoRoute, via: None, rule: None },
    // To the NVA itself: the peering's system route 10.0.0.0/16 is longer than 0.0.0.0/0
    // [UDR]; nsg-a's AllowVnetOutBound allows [DEFAULT]; snet-nva has no NSG.
    Row { from: "10.1.1.4", to: "nic-nva", port: 22, verdict: Verdict::Allow, via: None, rule: Some(("nsg-a", "AllowVnetOutBound")) },
    // From spoke2: 0.0.0.0/0 → 10.0.1.10, which no NIC holds: an appliance without rules in
    // snet-nva, where the traffic is dropped.
    Row { from: "10.2.1.4", to: "10.1.1.4", port: 443, verdict: Verdict::Deny, via: Some("appliance-10-0-1-10"), rule: None },
    // From the internet to nic-a's public IP: nsg-a has no custom rule; under the 0.0.0.0/0
    // route VirtualNetwork is every address, so AllowVnetInBound admits the internet [TAGS].
    Row { from: "internet", to: "20.0.0.5", port: 8443, verdict: Verdict::Allow, via: None, rule: Some(("nsg-a", "AllowVnetInBound")) },
];

#[test]
fn udr_truth_table() {
    let (_, t) = imported();
    let mut failures = Vec::new();
    for r in TABLE {
        let tr = trace(
            &t,
            &Query::new(r.from, r.to, Some(r.port), Protocol::Tcp),
            &WhatIf::default(),
        )
        .unwrap_or_else(|e| panic!("{} -> {} is traceable: {e}", r.from, r.to));
        let via_ok = match r.via {
            Some(a) => tr.path.iter().any(|h| h == a),
            None => {
                !tr.path
                    .iter()
                    .any(|h| h.starts_with("appliance-") || h == "nic-nva")
                    || r.to == "nic-nva"
            }
        };
        let rule_ok = match r.rule {
            Some((s, n)) => tr
                .decided_by
                .as_ref()
                .is_some_and(|d| d.rule_set == s && d.rule == n),
            None => true,
        };
        if tr.verdict != r.verdict || !via_ok || !rule_ok {
            failures.push(format!(
                "{} -> {}:{}: want {:?} via {:?} by {:?}; got {:?} path {:?} by {:?} ({})",
                r.from,
                r.to,
                r.port,
                r.verdict,
                r.via,
                r.rule,
                tr.verdict,
                tr.path,
                tr.decided_by,
                tr.reason
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn route_tables_become_the_designs_route_tables() {
    let (imp, _) = imported();
    let d = &imp.document;
    let rt = d
        .route_tables
        .iter()
        .find(|r| r.id == "rt-spoke1")
        .expect("rt-spoke1");
    let routes: Vec<(&str, &str)> = rt
        .routes
        .iter()
        .map(|r| (r.prefix.as_str(), r.next_hop.as_str()))
        .collect();
    // The gateway route is a finding; the peering's system route stays beside the UDRs.
    assert_eq!(
        routes,
        [
            ("0.0.0.0/0", "nic-nva"),
            ("10.0.2.0/24", "none"),
            ("10.0.0.0/16", "peering:vnet-hub")
        ]
    );
    assert_eq!(
        d.networks[1].subnets[0].route_table.as_deref(),
        Some("rt-spoke1")
    );
    let nva = d
        .endpoints
        .iter()
        .find(|e| e.id == "nic-nva")
        .expect("nic-nva");
    assert_eq!(nva.kind, "firewall");
    // vnet-other uses the hub's addresses but is peered with nothing: its NIC at 10.0.1.4 is
    // not the appliance of spoke1's route.
    let other = d
        .endpoints
        .iter()
        .find(|e| e.id == "nic-other")
        .expect("nic-other");
    assert_eq!(
        (other.kind.as_str(), other.ip.as_deref()),
        ("app", Some("10.0.1.4"))
    );
    // The hub holds the appliance and is peered with both spokes: the explorer's roles.
    let roles: Vec<(&str, Option<&str>)> = d
        .networks
        .iter()
        .map(|n| (n.id.as_str(), n.role.as_deref()))
        .collect();
    assert_eq!(
        roles,
        [
            ("vnet-hub", Some("hub")),
            ("vnet-spoke1", Some("spoke")),
            ("vnet-spoke2", Some("spoke")),
            ("vnet-other", None)
        ]
    );
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    assert!(
        un.iter().any(
            |f| f.json_path == "[5].properties.routes[2].properties.nextHopType"
                && f.message.contains("virtualnetworkgateway")
        ),
        "{un:?}"
    );
    assert!(
        un.iter().any(|f| f.message.contains("appliance-10-0-1-10")),
        "{un:?}"
    );
}
