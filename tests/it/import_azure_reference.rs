//! The Azure importer against real exports: Batfish's portal JSON-View export
//! (`../shared/reference/azure/batfish-cloud-azure/`, one resource per file) and the REST API
//! examples (`../shared/reference/azure/rest-api-specs/`), imported as they are.
//!
//! Every row of the truth table was derived by hand from the NSG rules in those files and
//! Azure's documentation before the importer existed:
//! - [HOW] <https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works>:
//!   "Inbound traffic": the subnet's NSG first, then the network interface's; "Outbound
//!   traffic": the network interface's NSG first, then the subnet's; a flow passes only when
//!   both allow.
//! - [RULES] <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>:
//!   rules are processed in priority order, lowest number first, and processing stops at the
//!   first match; protocol `Any` covers TCP, UDP and ICMP.
//! - [DEFAULT] <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules>:
//!   `AllowVNetInBound`/`AllowVnetOutBound` 65000 (VirtualNetwork → VirtualNetwork),
//!   `AllowAzureLoadBalancerInBound` 65001, `AllowInternetOutBound` 65001, `DenyAll…` 65500.
//! - [PUBLIC] same page, "Security rules", Source or destination: "Network security groups are
//!   processed after Azure translates a public IP address to a private IP address for inbound
//!   traffic".
//!
//! The export: VNet VM-vnet 10.0.0.0/16; subnet `default` 10.0.0.0/24 (no NSG) with VM1's NIC
//! vm1346 at 10.0.0.4 (NIC NSG VM1-nsg, public IP VM1-ip 40.91.194.198); subnet `private`
//! 10.0.1.0/24 (NSG subnet-nsg) with VM2's NIC vm235 at 10.0.1.4 (NIC NSG VM2-nsg, defaults
//! only).
//! subnet-nsg: 100 Allow In TCP 10.0.0.0/24 → * ports 22-23,80,8080 (AllowCidrBlockSSHInbound);
//! 110 Deny In * (DenyCidrBlockCustomAnyInbound); 120 Allow Out TCP * → 10.0.0.0/24 8080
//! (AllowAnyCustom8080Outbound); 130 Allow Out UDP * (AllowAnyCustomAnyOutbound); 140 Deny Out *
//! (DenyAnyCustomAnyOutbound). VM1-nsg: 300 Allow In TCP 22,8080 (SSH); 310 Allow In UDP
//! (AllowAnyCustomAnyInbound); 320 Deny In * (DenyAnyCustomAnyInbound).

use std::path::{Path, PathBuf};

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::rules::{Direction, Protocol};
use zonescope::model::{Topology, Verdict};

fn reference(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/azure")
        .join(dir)
}

fn batfish() -> (import::Imported, Topology) {
    let p = reference("batfish-cloud-azure");
    assert_eq!(import::detect(&p), InputKind::Azure);
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("the Batfish export imports: {e}"));
    let t = imp
        .load("batfish-cloud-azure")
        .unwrap_or_else(|e| panic!("the import loads: {e:?}"));
    (imp, t)
}

fn run(t: &Topology, from: &str, to: &str, port: Option<u16>, proto: Protocol) -> Trace {
    trace(t, &Query::new(from, to, port, proto), &WhatIf::default())
        .unwrap_or_else(|e| panic!("{from} -> {to} is traceable: {e}"))
}

const IN: Direction = Direction::Inbound;
const OUT: Direction = Direction::Outbound;

/// One row: the flow, the verdict, and every NSG check on the path in order
/// (rule set, rule, direction, where).
struct Row {
    from: &'static str,
    to: &'static str,
    port: Option<u16>,
    proto: Protocol,
    verdict: Verdict,
    checks: &'static [(&'static str, &'static str, Direction, &'static str)],
}

const VM1: &str = "10.0.0.4";
const VM2: &str = "10.0.1.4";
const VM1_PUBLIC: &str = "40.91.194.198";

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // VM1 → VM2 ssh. Out at VM1's NIC: no custom outbound rule, AllowVnetOutBound 65000
    // [DEFAULT]; subnet `default` has no NSG. In at `private`: subnet-nsg 100 (TCP from
    // 10.0.0.0/24, 22 in 22-23) [HOW inbound, RULES]; then VM2-nsg AllowVnetInBound [DEFAULT].
    Row { from: VM1, to: VM2, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("vm1-nsg", "AllowVnetOutBound", OUT, "vm1346"),
        ("subnet-nsg", "AllowCidrBlockSSHInbound", IN, "vm-vnet/private"),
        ("vm2-nsg", "AllowVnetInBound", IN, "vm235"),
    ] },
    // 8080 is in rule 100's destinationPortRanges list [RULES].
    Row { from: VM1, to: VM2, port: Some(8080), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("vm1-nsg", "AllowVnetOutBound", OUT, "vm1346"),
        ("subnet-nsg", "AllowCidrBlockSSHInbound", IN, "vm-vnet/private"),
        ("vm2-nsg", "AllowVnetInBound", IN, "vm235"),
    ] },
    // 443 is not in 100's list: 110 denies, and the NIC's NSG is never reached [HOW inbound].
    Row { from: VM1, to: VM2, port: Some(443), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("vm1-nsg", "AllowVnetOutBound", OUT, "vm1346"),
        ("subnet-nsg", "DenyCidrBlockCustomAnyInbound", IN, "vm-vnet/private"),
    ] },
    // Rule 100 is TCP only: UDP falls to 110 [RULES].
    Row { from: VM1, to: VM2, port: Some(53), proto: Protocol::Udp, verdict: Verdict::Deny, checks: &[
        ("vm1-nsg", "AllowVnetOutBound", OUT, "vm1346"),
        ("subnet-nsg", "DenyCidrBlockCustomAnyInbound", IN, "vm-vnet/private"),
    ] },
    // ICMP: rule 100 is TCP; 110's protocol `*` covers ICMP [RULES].
    Row { from: VM1, to: VM2, port: None, proto: Protocol::Icmp, verdict: Verdict::Deny, checks: &[
        ("vm1-nsg", "AllowVnetOutBound", OUT, "vm1346"),
        ("subnet-nsg", "DenyCidrBlockCustomAnyInbound", IN, "vm-vnet/private"),
    ] },
    // VM2 → VM1 8080. Out: VM2's NIC NSG first (AllowVnetOutBound), then subnet-nsg 120 (TCP to
    // 10.0.0.0/24 port 8080) [HOW outbound]; in at VM1's NIC: VM1-nsg 300 (TCP 22, 8080).
    Row { from: VM2, to: VM1, port: Some(8080), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("vm2-nsg", "AllowVnetOutBound", OUT, "vm235"),
        ("subnet-nsg", "AllowAnyCustom8080Outbound", OUT, "vm-vnet/private"),
        ("vm1-nsg", "SSH", IN, "vm1346"),
    ] },
    // VM2 → VM1 ssh: 120 is 8080 only, 130 UDP only, 140 denies outbound, although VM1-nsg
    // would allow it [HOW outbound].
    Row { from: VM2, to: VM1, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("vm2-nsg", "AllowVnetOutBound", OUT, "vm235"),
        ("subnet-nsg", "DenyAnyCustomAnyOutbound", OUT, "vm-vnet/private"),
    ] },
    // VM2 → VM1 udp/53: 130 allows UDP out; VM1-nsg 300 is TCP, 310 allows UDP in.
    Row { from: VM2, to: VM1, port: Some(53), proto: Protocol::Udp, verdict: Verdict::Allow, checks: &[
        ("vm2-nsg", "AllowVnetOutBound", OUT, "vm235"),
        ("subnet-nsg", "AllowAnyCustomAnyOutbound", OUT, "vm-vnet/private"),
        ("vm1-nsg", "AllowAnyCustomAnyInbound", IN, "vm1346"),
    ] },
    // From the internet to VM1's public IP: the NSG sees the private address [PUBLIC]; subnet
    // `default` has no NSG; VM1-nsg 300 allows TCP 22 from `*`.
    Row { from: "internet", to: VM1_PUBLIC, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("vm1-nsg", "SSH", IN, "vm1346"),
    ] },
    // 443: not in 300's list, 310 is UDP, 320 denies everything else [RULES].
    Row { from: "internet", to: VM1_PUBLIC, port: Some(443), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("vm1-nsg", "DenyAnyCustomAnyInbound", IN, "vm1346"),
    ] },
    // UDP from anywhere: 310.
    Row { from: "internet", to: VM1_PUBLIC, port: Some(500), proto: Protocol::Udp, verdict: Verdict::Allow, checks: &[
        ("vm1-nsg", "AllowAnyCustomAnyInbound", IN, "vm1346"),
    ] },
];

#[test]
fn batfish_export_truth_table() {
    let (_, t) = batfish();
    let mut failures = Vec::new();
    for r in TABLE {
        let tr = run(&t, r.from, r.to, r.port, r.proto);
        let got: Vec<(String, String, Option<Direction>, String)> = tr
            .checks
            .iter()
            .filter(|c| c.is_rule())
            .map(|c| {
                (
                    c.rule_set.clone(),
                    c.rule.clone(),
                    c.direction,
                    c.at.clone(),
                )
            })
            .collect();
        let want: Vec<(String, String, Option<Direction>, String)> = r
            .checks
            .iter()
            .map(|(s, n, d, a)| (s.to_string(), n.to_string(), Some(*d), a.to_string()))
            .collect();
        if tr.verdict != r.verdict || got != want {
            failures.push(format!(
                "{} -> {} {:?}/{:?}: want {:?} {want:?}\n  got {:?} {got:?} ({})",
                r.from, r.to, r.proto, r.port, r.verdict, tr.verdict, tr.reason
            ));
        }
        if r.verdict == Verdict::Deny {
            let d = tr.decided_by.as_ref().expect("a denial names its rule");
            let last = r.checks.last().expect("a deny row ends in its rule");
            assert_eq!((d.rule_set.as_str(), d.rule.as_str()), (last.0, last.1));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn batfish_export_resources_become_entities() {
    let (imp, t) = batfish();
    let d = &imp.document;
    assert_eq!(d.networks.len(), 1);
    let subnets: Vec<(&str, &[String])> = d.networks[0]
        .subnets
        .iter()
        .map(|s| (s.id.as_str(), s.rules.as_slice()))
        .collect();
    assert_eq!(
        subnets,
        [
            ("vm-vnet/default", &[][..]),
            ("vm-vnet/private", &["subnet-nsg".to_string()][..])
        ]
    );
    // (id, subnet, ip, rules, public ip)
    type Ep<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        &'a [String],
        Option<&'a str>,
    );
    let eps: Vec<Ep> = d
        .endpoints
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.subnet.as_deref(),
                e.ip.as_deref(),
                e.rules.as_slice(),
                e.public_ip.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        eps,
        [
            (
                "vm1346",
                Some("vm-vnet/default"),
                Some("10.0.0.4"),
                &["vm1-nsg".to_string()][..],
                Some("40.91.194.198")
            ),
            (
                "vm235",
                Some("vm-vnet/private"),
                Some("10.0.1.4"),
                &["vm2-nsg".to_string()][..],
                None
            ),
        ]
    );
    // The VM's name is in the endpoint's name.
    assert_eq!(d.endpoints[0].name.as_deref(), Some("VM1"));
    // The six default rules are the loader's built-in ones, not written twice.
    let nsg = t
        .rule_sets()
        .iter()
        .find(|r| r.id == "vm2-nsg")
        .expect("VM2-nsg");
    assert_eq!(nsg.rules.len(), 6);
    assert!(nsg.rules.iter().all(|r| r.default_rule));
    // The NAT gateway lists subnet `default` (the subnet does not name it): that subnet gets
    // outbound internet (https://learn.microsoft.com/azure/nat-gateway/nat-overview), an
    // assumed finding at the gateway's `subnets` entry; the unreferenced public IP is a
    // finding, with its file.
    assert!(d.networks[0].subnets[0].internet_egress);
    assert!(!d.networks[0].subnets[1].internet_egress);
    assert!(
        imp.report
            .of_kind(FindingKind::Assumed)
            .any(|f| f.file.ends_with("nat-gateway.json")
                && f.json_path == "properties.subnets[0].id"
                && f.message
                    .contains("NAT gateway nat-gateway (40.91.194.198)")),
        "{:?}",
        imp.report.findings
    );
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    assert!(
        un.iter().any(|f| f.file.ends_with("nat-gateway-ip.json")),
        "{un:?}"
    );
    assert_eq!(imp.report.count("network interfaces"), 2);
    assert_eq!(imp.report.count("NSGs"), 3);
}

/// The REST API examples, as published (`responses.200.body` of each x-ms-example), in one
/// folder: the NSG becomes a rule set with its one custom rule, the NIC's subnet is not in the
/// examples (another VNet), which is a finding, not an error.
#[test]
fn rest_api_examples_import_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "NetworkSecurityGroupGet.2024-05-01.json",
        "NetworkInterfaceGet.2025-03-01.json",
        "VirtualNetworkGet.2025-03-01.json",
    ] {
        std::fs::copy(reference("rest-api-specs").join(f), dir.path().join(f)).unwrap();
    }
    let imp = import::import(dir.path(), InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("the examples import: {e}"));
    let rs = imp
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "testnsg")
        .expect("testnsg");
    assert_eq!(rs.kind, "nsg");
    assert_eq!(rs.rules.len(), 1, "the defaults are the loader's");
    let r = &rs.rules[0];
    assert_eq!(
        (
            r.id.as_str(),
            r.priority,
            r.direction.as_str(),
            r.action.as_str(),
            r.protocol.as_str(),
            r.ports.as_deref()
        ),
        ("rule1", Some(130), "inbound", "allow", "any", Some("80"))
    );
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    assert!(
        un.iter()
            .any(|f| f.file.ends_with("NetworkInterfaceGet.2025-03-01.json")
                && f.json_path.contains("ipConfigurations[0]")
                && f.message.contains("not in the input")),
        "{un:?}"
    );
    imp.load("rest-api-examples").unwrap();
}

/// The import summary names Azure's resources as Azure does (VNets, NICs, NSGs), not AWS's.
#[test]
fn summary_names_azure_resources() {
    let (imp, _) = batfish();
    let s = zonescope::cli::commands::import::summary_text(&imp.report);
    let first = s.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "imported from 11 files: 1 VNet, 2 subnets, 2 NICs, 3 NSGs, 0 routes in 0 route tables"
    );
    assert!(!s.contains("VPC") && !s.contains("instances"), "{s}");
}

/// The folder is direct input to every command (recognised by content), with the same
/// verdicts: VM1 → VM2 tcp/443 is denied by subnet-nsg's rule 110 (row 3 of the table).
#[test]
fn the_export_folder_is_direct_input() {
    let (t, report) = import::load_any(&reference("batfish-cloud-azure"))
        .unwrap_or_else(|e| panic!("loads as direct input: {e:?}"));
    assert!(report.is_some_and(|r| r.cloud.as_deref() == Some("azure")));
    let tr = run(&t, VM1, VM2, Some(443), Protocol::Tcp);
    assert_eq!(tr.verdict, Verdict::Deny);
    let d = tr.decided_by.expect("a deciding rule");
    assert_eq!(
        (d.rule_set.as_str(), d.rule.as_str(), d.priority),
        ("subnet-nsg", "DenyCidrBlockCustomAnyInbound", Some(110))
    );
}
