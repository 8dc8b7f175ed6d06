//! NSGs, ASGs and NICs from Azure Resource Graph JSON written by hand from the REST shapes
//! (`tests/fixtures/azure/nsg-asg-nic.json`; one NSG in `az network nsg show` form, properties
//! flattened), and bad input (an error with file, JSON path and fix).
//!
//! The export: vnet-hub 10.0.0.0/16 (snet-mgmt 10.0.1.0/24, no NSG; jump's NIC nic-mgmt at
//! 10.0.1.4) peered (Connected) with vnet-app 10.1.0.0/16: snet-web 10.1.1.0/24 (NSG nsg-web)
//! with nic-web1 10.1.1.4 (ASG asg-web, NIC NSG nsg-nic-web1) and nic-web2 10.1.1.5 (ASG
//! asg-web, public IP 20.50.0.10); snet-db 10.1.2.0/24 (NSG nsg-db, referenced as `NSG-DB`)
//! with nic-db1 10.1.2.4 (ASG asg-db).
//! nsg-web in: 100 Allow Tcp Internet → asg-web 443; 110 Deny * asg-web → asg-web; 120 Allow
//! Tcp [10.0.1.4, 10.0.1.5] → * 22; 1000 Deny * VirtualNetwork → * (a custom rule named
//! `DenyAllInBound`); out: 100 Allow Tcp asg-web → asg-db 1433; 200 Deny Esp; 300 Allow Tcp
//! → Storage.WestEurope 443; 4000 Deny * → 10.1.2.0/24.
//! nsg-db in: 50 Allow * (`TooLow`: below 100, which Azure rejects); 100 Allow Tcp asg-web →
//! asg-db 1433; 200 Deny * VirtualNetwork → *.
//! nsg-nic-web1 in: 100 Deny Tcp 10.0.1.0/24 → * 22; out: 100 Deny Tcp * → 10.1.2.0/24 1433.
//!
//! Every row was derived from these rules and Azure's documentation before running the code:
//! - [HOW] <https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works>:
//!   "Inbound traffic" (subnet NSG, then NIC NSG), "Outbound traffic" (NIC NSG, then subnet
//!   NSG), "Intra-Subnet traffic" (a subnet's NSG filters traffic between VMs of that subnet).
//! - [RULES] <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>:
//!   lowest priority number first, processing stops at the first match; priorities 100–4096.
//! - [DEFAULT] same page, "Default security rules": AllowVnetOutBound 65000, DenyAllInBound
//!   65500.
//! - [TAGS] <https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags>:
//!   `VirtualNetwork` is the virtual network's address space and the peered virtual networks'
//!   (among others); `Internet` is the address space outside the virtual network reachable by
//!   the public internet.
//! - [ASG] <https://learn.microsoft.com/azure/virtual-network/application-security-groups>: a
//!   rule naming an ASG applies to the network interfaces that are members of it.

use std::path::{Path, PathBuf};

use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::rules::{Direction, Protocol, Selector};
use zonescope::model::{Topology, Verdict};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure")
        .join(name)
}

fn imported() -> (import::Imported, Topology) {
    let p = fixture("nsg-asg-nic.json");
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("imports: {e}"));
    let t = imp
        .load("nsg-asg-nic")
        .unwrap_or_else(|e| panic!("loads: {e:?}"));
    (imp, t)
}

const IN: Direction = Direction::Inbound;
const OUT: Direction = Direction::Outbound;
const WEB: &str = "vnet-app/snet-web";
const DB: &str = "vnet-app/snet-db";

type Check = (&'static str, &'static str, u32, Direction, &'static str);
/// A check as the trace reports it.
type Seen = (String, String, Option<u32>, Option<Direction>, String);

struct Row {
    from: &'static str,
    to: &'static str,
    port: Option<u16>,
    proto: Protocol,
    verdict: Verdict,
    /// (rule set, rule, priority, direction, where), in path order.
    checks: &'static [Check],
}

const MGMT: &str = "10.0.1.4";
const WEB1: &str = "10.1.1.4";
const WEB2: &str = "10.1.1.5";
const DB1: &str = "10.1.2.4";

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // From the internet to web2's public IP: nsg-web 100 (Internet → asg-web, 443) [TAGS, ASG].
    Row { from: "internet", to: "20.50.0.10", port: Some(443), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("nsg-web", "AllowHttpsFromInternet", 100, IN, WEB),
    ] },
    // Port 80: no custom rule matches an internet source (1000 is VirtualNetwork only): the
    // default DenyAllInBound 65500 [DEFAULT].
    Row { from: "internet", to: "20.50.0.10", port: Some(80), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "DenyAllInBound", 65500, IN, WEB),
    ] },
    // From the peered hub: VirtualNetwork holds the peered network [TAGS], so the custom
    // DenyAllInBound at 1000 decides, not the default at 65500 [RULES].
    Row { from: MGMT, to: WEB2, port: Some(8080), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "DenyAllInBound", 1000, IN, WEB),
    ] },
    // 120's sourceAddressPrefixes list holds 10.0.1.4; web2 has no NIC NSG [HOW inbound].
    Row { from: MGMT, to: WEB2, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("nsg-web", "AllowMgmtSsh", 120, IN, WEB),
    ] },
    // The subnet allows, then web1's NIC NSG denies [HOW inbound: subnet first, then NIC].
    Row { from: MGMT, to: WEB1, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "AllowMgmtSsh", 120, IN, WEB),
        ("nsg-nic-web1", "DenySshFromHub", 100, IN, "nic-web1"),
    ] },
    // Outbound the NIC's NSG is first and denies; the subnet's allow (100) is never reached
    // [HOW outbound].
    Row { from: WEB1, to: DB1, port: Some(1433), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-nic-web1", "DenyDbFromWeb1", 100, OUT, "nic-web1"),
    ] },
    // web2 (asg-web) → db1 (asg-db) 1433: nsg-web out 100, nsg-db in 100 [ASG]; `TooLow`
    // (priority 50) is not imported.
    Row { from: WEB2, to: DB1, port: Some(1433), proto: Protocol::Tcp, verdict: Verdict::Allow, checks: &[
        ("nsg-web", "AllowSqlToDb", 100, OUT, WEB),
        ("nsg-db", "AllowSqlFromWeb", 100, IN, DB),
    ] },
    // 22 to db1: 100 is 1433 only, 200 is ESP (no TCP flow matches it), 300 names an
    // undeclared service tag (no address), 4000 denies the db subnet [RULES].
    Row { from: WEB2, to: DB1, port: Some(22), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "DenyDbSubnetOut", 4000, OUT, WEB),
    ] },
    // ICMP: 4000's protocol `*` covers it [RULES].
    Row { from: WEB2, to: DB1, port: None, proto: Protocol::Icmp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "DenyDbSubnetOut", 4000, OUT, WEB),
    ] },
    // Within snet-web: out by AllowVnetOutBound [DEFAULT], then in by the same subnet's NSG,
    // whose 110 denies asg-web → asg-web [HOW intra-subnet, ASG].
    Row { from: WEB2, to: WEB1, port: Some(443), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-web", "AllowVnetOutBound", 65000, OUT, WEB),
        ("nsg-web", "DenyWebToWeb", 110, IN, WEB),
    ] },
    // db1 → web2: db1 is not in asg-web, so 110 does not match; 1000 does [ASG, TAGS].
    Row { from: DB1, to: WEB2, port: Some(443), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-db", "AllowVnetOutBound", 65000, OUT, DB),
        ("nsg-web", "DenyAllInBound", 1000, IN, WEB),
    ] },
    // The hub is in nsg-db's VirtualNetwork: 200 denies; `TooLow` would have allowed, but
    // Azure rejects its priority and it is not imported [RULES].
    Row { from: MGMT, to: DB1, port: Some(1433), proto: Protocol::Tcp, verdict: Verdict::Deny, checks: &[
        ("nsg-db", "DenyVnetIn", 200, IN, DB),
    ] },
    // web1 → the hub over the peering, UDP: no custom outbound rule matches; both NSGs'
    // AllowVnetOutBound (the NIC's first) [HOW outbound, DEFAULT, TAGS]; the hub side has no NSG.
    Row { from: WEB1, to: MGMT, port: Some(53), proto: Protocol::Udp, verdict: Verdict::Allow, checks: &[
        ("nsg-nic-web1", "AllowVnetOutBound", 65000, OUT, "nic-web1"),
        ("nsg-web", "AllowVnetOutBound", 65000, OUT, WEB),
    ] },
];

#[test]
fn nsg_asg_nic_truth_table() {
    let (_, t) = imported();
    let mut failures = Vec::new();
    for r in TABLE {
        let tr = trace(
            &t,
            &Query::new(r.from, r.to, r.port, r.proto),
            &WhatIf::default(),
        )
        .unwrap_or_else(|e| panic!("{} -> {} is traceable: {e}", r.from, r.to));
        let got: Vec<Seen> = tr
            .checks
            .iter()
            .filter(|c| c.is_rule())
            .map(|c| {
                (
                    c.rule_set.clone(),
                    c.rule.clone(),
                    c.priority,
                    c.direction,
                    c.at.clone(),
                )
            })
            .collect();
        let want: Vec<Seen> = r
            .checks
            .iter()
            .map(|(s, n, p, d, a)| {
                (
                    s.to_string(),
                    n.to_string(),
                    Some(*p),
                    Some(*d),
                    a.to_string(),
                )
            })
            .collect();
        if tr.verdict != r.verdict || got != want {
            failures.push(format!(
                "{} -> {} {:?}/{:?}: want {:?} {want:?}\n  got {:?} {got:?} ({})",
                r.from, r.to, r.proto, r.port, r.verdict, tr.verdict, tr.reason
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_cannot_be_modelled_is_a_finding_with_its_json_path() {
    let (imp, t) = imported();
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    let has = |path_end: &str, words: &str| {
        un.iter()
            .any(|f| f.json_path.ends_with(path_end) && f.message.contains(words))
    };
    // data[4] is nsg-web, data[5] nsg-db.
    assert!(
        has(
            "data[4].properties.securityRules[5].properties.protocol",
            "esp"
        ),
        "{un:?}"
    );
    assert!(
        has(
            "data[4].properties.securityRules[6].properties.destinationAddressPrefix",
            "Storage.WestEurope"
        ),
        "{un:?}"
    );
    assert!(
        has(
            "data[5].properties.securityRules[0].properties.priority",
            "50"
        ),
        "{un:?}"
    );
    // ASGs: declared with their names, NICs are members through their ip configurations.
    let asgs: Vec<&str> = imp
        .document
        .application_security_groups
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(asgs, ["asg-web", "asg-db"]);
    let web2 = imp
        .document
        .endpoints
        .iter()
        .find(|e| e.id == "nic-web2")
        .expect("nic-web2");
    assert_eq!(web2.application_security_groups, ["asg-web"]);
    assert_eq!(web2.name.as_deref(), Some("vm-web2"));
    // The subnet's `NSG-DB` reference is joined case-insensitively.
    let db = &imp.document.networks[1].subnets[1];
    assert_eq!(db.rules, ["nsg-db"]);
    // The AzureLoadBalancer default rule names the declared tag (168.63.129.16).
    assert_eq!(
        imp.document.service_tags.get("AzureLoadBalancer"),
        Some(&vec!["168.63.129.16/32".to_string()])
    );
    let nsg = t
        .rule_sets()
        .iter()
        .find(|r| r.id == "nsg-db")
        .expect("nsg-db");
    let alb = nsg
        .rules
        .iter()
        .find(|r| r.id == "AllowAzureLoadBalancerInBound")
        .expect("default rule");
    assert!(
        matches!(alb.sources.first(), Some(Selector::Tag(_))),
        "{:?}",
        alb.sources
    );
}

/// Bad values are errors naming the file, the JSON path and the fix; never a panic.
#[test]
fn bad_rules_are_errors_with_the_json_path() {
    let text = std::fs::read_to_string(fixture("nsg-asg-nic.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (from, to, path_end) in [
        (
            r#""direction": "Inbound""#,
            r#""direction": "Sideways""#,
            "securityRules[0].properties.direction",
        ),
        (
            r#""sourceAddressPrefix": "Internet""#,
            r#""sourceAddressPrefix": "10.0.0.0/33""#,
            "securityRules[0].properties.sourceAddressPrefix",
        ),
        (
            r#""destinationPortRange": "443""#,
            r#""destinationPortRange": "70000""#,
            "securityRules[0].properties.destinationPortRange",
        ),
        (
            r#""priority": 100"#,
            r#""priority": "high""#,
            "securityRules[0].properties.priority",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let p = dir.path().join("bad.json");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
        let e = import::import(&p, InputKind::Azure, ImportOptions::default()).expect_err(to);
        assert!(
            e.json_path.ends_with(path_end) && e.json_path.starts_with("data[4]"),
            "{to}: {e}"
        );
        assert!(e.file.ends_with("bad.json") && !e.help.is_empty(), "{e}");
    }
}

/// Wrong shapes anywhere in a resource give an error or a finding, never a panic, and every
/// error names the file and a JSON path.
#[test]
fn wrong_shapes_never_panic() {
    let vnet = r#"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v", "name": "v", "type": "Microsoft.Network/virtualNetworks", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a", "name": "a", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/n"}, "routeTable": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/routeTables/t"}}}]}}"#;
    let nsg = |props: &str| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/n", "name": "n", "type": "Microsoft.Network/networkSecurityGroups", "properties": {props}}}"#
        )
    };
    let nic = |props: &str| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/c", "name": "c", "type": "Microsoft.Network/networkInterfaces", "properties": {props}}}"#
        )
    };
    let rt = |props: &str| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/routeTables/t", "name": "t", "type": "Microsoft.Network/routeTables", "properties": {props}}}"#
        )
    };
    let cases = [
        nsg(r#"{"securityRules": "x"}"#),
        nsg(r#"{"securityRules": [7]}"#),
        nsg(r#"{"securityRules": [{"name": 3}]}"#),
        nsg(r#"{"securityRules": [{"name": "r", "properties": {"priority": 100}}]}"#),
        nsg(
            r#"{"securityRules": [{"name": "r", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "sourceAddressPrefixes": [1]}}]}"#,
        ),
        nsg(
            r#"{"securityRules": [{"name": "r", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "sourceApplicationSecurityGroups": [{}]}}]}"#,
        ),
        nsg(
            r#"{"securityRules": [{"name": "r", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Gre", "destinationPortRanges": ["1-2-3"]}}]}"#,
        ),
        nsg(
            r#"{"securityRules": [{"name": "é", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "sourceAddressPrefix": "ünïcode", "destinationPortRange": "65536"}}]}"#,
        ),
        nsg(
            r#"{"defaultSecurityRules": [null, 5, {"name": "AllowVnetInBound", "properties": {"priority": "x"}}]}"#,
        ),
        nic(r#"{"ipConfigurations": {"a": 1}}"#),
        nic(r#"{"ipConfigurations": [null]}"#),
        nic(
            r#"{"ipConfigurations": [{"name": "i", "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a"}, "privateIPAddress": 4}}]}"#,
        ),
        nic(
            r#"{"ipConfigurations": [{"name": "i", "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a"}, "privateIPAddress": "not an ip"}}]}"#,
        ),
        nic(
            r#"{"ipConfigurations": [{"name": "i", "properties": {"subnet": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a"}, "privateIPAddress": "10.0.1.9", "applicationSecurityGroups": [{"x": 1}]}}]}"#,
        ),
        rt(r#"{"routes": [{"name": "x", "properties": {"nextHopType": "None"}}]}"#),
        rt(
            r#"{"routes": [{"name": "x", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}]}"#,
        ),
        rt(
            r#"{"routes": [{"name": "x", "properties": {"addressPrefix": "10.0.1.7/16", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "192.0.2.1"}}]}"#,
        ),
        rt(r#"{"routes": "none"}"#),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in cases.iter().enumerate() {
        let p = dir.path().join(format!("case{i}.json"));
        std::fs::write(&p, format!("[{vnet}, {c}]")).unwrap();
        match import::import(&p, InputKind::Azure, ImportOptions::default()) {
            Ok(imp) => {
                // What imports also loads: the importer never writes a design the loader rejects.
                imp.load("case")
                    .unwrap_or_else(|e| panic!("case {i} loads: {e:?}"));
            }
            Err(e) => assert!(
                e.file.ends_with(&format!("case{i}.json")) && e.json_path.starts_with("[1]"),
                "case {i}: {e}"
            ),
        }
    }
}

/// A subnet or NIC that does not name its NSG, listed in the NSG's own `subnets` /
/// `networkInterfaces`, gets it (an `assumed` finding says so); the subnet's own reference
/// wins over another NSG's list.
#[test]
fn nsg_association_lists_fill_in_a_missing_reference() {
    let base = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network";
    let text = format!(
        r#"[
 {{"id": "{base}/virtualNetworks/v", "name": "v", "type": "Microsoft.Network/virtualNetworks", "properties": {{"addressSpace": {{"addressPrefixes": ["10.0.0.0/16"]}}, "subnets": [
   {{"id": "{base}/virtualNetworks/v/subnets/a", "name": "a", "properties": {{"addressPrefix": "10.0.1.0/24"}}}},
   {{"id": "{base}/virtualNetworks/v/subnets/b", "name": "b", "properties": {{"addressPrefix": "10.0.2.0/24", "networkSecurityGroup": {{"id": "{base}/networkSecurityGroups/own"}}}}}}]}}}},
 {{"id": "{base}/networkSecurityGroups/listed", "name": "listed", "type": "Microsoft.Network/networkSecurityGroups", "properties": {{"securityRules": [],
   "subnets": [{{"id": "{base}/virtualNetworks/V/subnets/A"}}, {{"id": "{base}/virtualNetworks/v/subnets/b"}}],
   "networkInterfaces": [{{"id": "{base}/networkInterfaces/NIC"}}]}}}},
 {{"id": "{base}/networkSecurityGroups/own", "name": "own", "type": "Microsoft.Network/networkSecurityGroups", "properties": {{"securityRules": []}}}},
 {{"id": "{base}/networkInterfaces/nic", "name": "nic", "type": "Microsoft.Network/networkInterfaces", "properties": {{"ipConfigurations": [{{"name": "c", "properties": {{"privateIPAddress": "10.0.1.4", "subnet": {{"id": "{base}/virtualNetworks/v/subnets/a"}}}}}}]}}}}
]"#
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lists.json");
    std::fs::write(&p, text).unwrap();
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default()).unwrap();
    let subnets: Vec<&[String]> = imp.document.networks[0]
        .subnets
        .iter()
        .map(|s| s.rules.as_slice())
        .collect();
    assert_eq!(
        subnets,
        [&["listed".to_string()][..], &["own".to_string()][..]]
    );
    assert_eq!(imp.document.endpoints[0].rules, ["listed"]);
    let assumed: Vec<_> = imp.report.of_kind(FindingKind::Assumed).collect();
    assert!(
        assumed
            .iter()
            .any(|f| f.json_path == "[1].properties.subnets[0]"),
        "{assumed:?}"
    );
    assert!(
        assumed
            .iter()
            .any(|f| f.json_path == "[1].properties.networkInterfaces[0]"),
        "{assumed:?}"
    );
    imp.load("lists").unwrap();
}
