//! Azure Firewall rules: classic rule collections, firewall policies with rule collection groups
//! (and base policies), IP groups (issue 18 item 2), in the hub-and-spoke truth table whose
//! spoke also has a NAT gateway. Hand-written Resource Graph / az CLI JSON in
//! `tests/fixtures/azure/fw/` (written from the REST shapes of azureFirewalls,
//! firewallPolicies/ruleCollectionGroups, ipGroups and natGateways) and the REST examples in
//! `../shared/reference/azure/`. Gateways, NAT gateways of the reference exports and VPN are in
//! `import_azure_gw.rs`, which shares this file's fixtures and table runner.
//!
//! Every expected verdict and deciding rule below was derived from the fixture and these
//! documents before the code ran:
//! - [RULES] <https://learn.microsoft.com/azure/firewall/rule-processing>: with a policy, rules
//!   are processed by rule collection group priority, then rule collection priority (100 first);
//!   "Application rules are always processed after Network rules, which are processed after
//!   DNAT rules regardless of Rule collection group or Rule collection priority and policy
//!   inheritance"; a parent policy's rule collection groups always take precedence over the
//!   child's, whatever their priorities; classic rules: collections are processed by rule type
//!   (DNAT, network, application), each in priority order; processing stops at the first
//!   matching rule; with no match the packet is denied by default.
//! - [FQDN] <https://learn.microsoft.com/azure/firewall/firewall-faq> ("How do wildcards work
//!   in target URLs and target FQDNs in application rules?"): `*.contoso.com` matches
//!   `anyvalue.contoso.com` but not the apex `contoso.com`, which must be listed itself.
//! - [IPG] <https://learn.microsoft.com/azure/firewall/ip-groups>: an IP group stands for its
//!   addresses, ranges and CIDRs in the source or destination of a rule.
//! - [DNAT] <https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy>: a DNAT
//!   rule matches traffic to the firewall's public IP and port and translates it; inbound
//!   traffic no DNAT rule matches is dropped.
//! - [NETFQDN] <https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>: a
//!   network rule's destination FQDNs are resolved by the firewall's DNS and matched beside its
//!   destination addresses.
//! - [UDR] <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>:
//!   the longest prefix wins; a VirtualAppliance route sends to `nextHopIpAddress`; a network's
//!   own prefix (VnetLocal) beats `0.0.0.0/0`.
//! - [NATGW] <https://learn.microsoft.com/azure/nat-gateway/nat-overview>: a NAT gateway gives
//!   the subnets it is attached to outbound internet; a user-defined `0.0.0.0/0` route to a
//!   virtual appliance takes precedence over it
//!   (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource>).
//! - [PRIVATE] <https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>:
//!   a subnet with `defaultOutboundAccess: false` has no outbound internet without an explicit
//!   method (NAT gateway, public IP, load balancer, firewall).
//!
//! `hub-spoke-fw.json`: vnet-hub 10.0.0.0/16 (AzureFirewallSubnet 10.0.1.0/26: fw-hub at
//! 10.0.1.4, public IP pip-fw 20.0.0.10, policy fwp-hub) peered (Connected, forwarded traffic
//! allowed) with vnet-spoke1 (snet-app 10.1.1.0/24: nic-app 10.1.1.4, NSG nsg-app without
//! custom rules), vnet-spoke2 (snet-data 10.2.1.0/24: nic-db 10.2.1.4, NSG nsg-data) — both
//! with route table rt-spokes `0.0.0.0/0 → VirtualAppliance 10.0.1.4` — and vnet-spoke3
//! (snet-batch 10.3.1.0/24 with NAT gateway natgw-batch: nic-batch 10.3.1.4; snet-private
//! 10.3.2.0/24, no NAT gateway: nic-private 10.3.2.4; snet-inspected 10.3.3.0/24 with the NAT
//! gateway and rt-spoke3 `0.0.0.0/0 → 10.0.1.4`: nic-inspected 10.3.3.4); every spoke subnet
//! has `defaultOutboundAccess: false`. IP groups ipg-spokes [10.1.0.0/16, 10.2.0.0/16],
//! ipg-db [10.2.1.4]. fwp-hub:
//! - group rcg-platform (100): collection app-allow-web (100, Allow): application rule
//!   allow-microsoft Https:443 from ipg-spokes to `*.microsoft.com`; collection net-deny-web
//!   (200, Deny): network rule deny-https-out TCP 10.1.0.0/16 → * port 443.
//! - group rcg-spokes (200): collection net-spoke-to-db (100, Allow): network rule app-to-db
//!   TCP ipg-spokes → ipg-db port 5432; NAT collection dnat-ssh (300, DNAT): ssh-to-app TCP
//!   * → 20.0.0.10:22, translated to 10.1.1.4:22.

use std::path::{Path, PathBuf};

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

pub(super) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure/fw")
        .join(name)
}

pub(super) fn reference(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/azure")
        .join(rel)
}

pub(super) fn imported(p: &Path) -> (import::Imported, Topology) {
    let imp = import::import(p, InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("{} imports: {e}", p.display()));
    let t = imp
        .load("fw")
        .unwrap_or_else(|e| panic!("{} loads: {e:?}", p.display()));
    (imp, t)
}

/// One row: the flow, the verdict, the appliance the path crosses (`None`: none), and the
/// rule the firewall decides by (`None`: no firewall check on the path).
pub(super) struct Row {
    pub(super) from: &'static str,
    pub(super) to: &'static str,
    pub(super) port: u16,
    pub(super) proto: Protocol,
    pub(super) verdict: Verdict,
    pub(super) via: Option<&'static str>,
    pub(super) fw: Option<(&'static str, &'static str)>,
}

pub(super) const TCP: Protocol = Protocol::Tcp;
const UDP: Protocol = Protocol::Udp;

pub(super) fn run_table(t: &Topology, table: &[Row]) {
    let mut failures = Vec::new();
    for r in table {
        let tr: Trace = trace(
            t,
            &Query::new(r.from, r.to, Some(r.port), r.proto),
            &WhatIf::default(),
        )
        .unwrap_or_else(|e| panic!("{} -> {} is traceable: {e}", r.from, r.to));
        let via_ok = match r.via {
            Some(a) => tr.path.iter().any(|h| h == a),
            None => !tr.path.iter().any(|h| h.starts_with("fw-")),
        };
        let fw_check = tr
            .checks
            .iter()
            .find(|c| c.kind == "firewall")
            .map(|c| (c.rule_set.as_str(), c.rule.as_str()));
        if tr.verdict != r.verdict || !via_ok || fw_check != r.fw {
            failures.push(format!(
                "{} -> {}:{}: want {:?} via {:?} by {:?}; got {:?} path {:?} by {fw_check:?} ({})",
                r.from, r.to, r.port, r.verdict, r.via, r.fw, tr.verdict, tr.path, tr.reason
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[rustfmt::skip]
const HUB: &[Row] = &[
    // 0.0.0.0/0 → 10.0.1.4, the firewall [UDR]; the network rules: deny-https-out is for 443
    // only, app-to-db allows ipg-spokes (10.1.1.4 ∈ 10.1.0.0/16) to ipg-db (10.2.1.4) on 5432
    // [IPG][RULES].
    Row { from: "nic-app", to: "nic-db", port: 5432, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-spoke-to-db.app-to-db")) },
    // No rule matches tcp/22 between the spokes: denied by default [RULES].
    Row { from: "nic-app", to: "nic-db", port: 22, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // allow-microsoft would match (group 100, collection 100), but deny-https-out is a network
    // rule (group 100, collection 200) and network rules come first whatever their priority
    // [RULES].
    Row { from: "nic-app", to: "www.microsoft.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-deny-web.deny-https-out")) },
    // From spoke2 no network rule matches; the application rule does: 10.2.1.4 ∈ ipg-spokes,
    // www.microsoft.com matches *.microsoft.com [FQDN][IPG]; the firewall's subnet sends it to
    // the internet.
    Row { from: "nic-db", to: "www.microsoft.com", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "app-allow-web.allow-microsoft")) },
    // The apex is not matched by the wildcard [FQDN]: denied by default.
    Row { from: "nic-db", to: "microsoft.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    Row { from: "nic-db", to: "www.example.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // To the firewall's public IP on 22: the DNAT rule matches first [DNAT][RULES] (its
    // translation to 10.1.1.4 is a finding, tested below); on 3389 no DNAT rule: dropped.
    Row { from: "internet", to: "20.0.0.10", port: 22, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "dnat-ssh.ssh-to-app")) },
    Row { from: "internet", to: "20.0.0.10", port: 3389, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // snet-batch has the NAT gateway and no route table: outbound internet [NATGW].
    Row { from: "nic-batch", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("internet"), fw: None },
    // snet-private: defaultOutboundAccess false, no NAT gateway: no way out [PRIVATE].
    Row { from: "nic-private", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::NoRoute, via: None, fw: None },
    // snet-inspected has the NAT gateway and a 0.0.0.0/0 route to the firewall: the route
    // wins [NATGW], and no firewall rule allows 10.3.3.4 → 8.8.8.8 (the application rule needs
    // a name) [RULES].
    Row { from: "nic-inspected", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
];

#[test]
fn hub_and_spoke_firewall_truth_table() {
    let (_, t) = imported(&fixture("hub-spoke-fw.json"));
    run_table(&t, HUB);
}

#[test]
fn the_firewall_its_policy_and_ip_groups_become_the_design() {
    let (imp, _) = imported(&fixture("hub-spoke-fw.json"));
    let d = &imp.document;
    let fw = d
        .endpoints
        .iter()
        .find(|e| e.id == "fw-hub")
        .expect("fw-hub");
    assert_eq!(
        (
            fw.kind.as_str(),
            fw.subnet.as_deref(),
            fw.ip.as_deref(),
            fw.public_ip.as_deref(),
            fw.rules.as_slice()
        ),
        (
            "firewall",
            Some("vnet-hub/azurefirewallsubnet"),
            Some("10.0.1.4"),
            Some("20.0.0.10"),
            &["fwp-hub".to_string()][..]
        )
    );
    // The route's next hop names the firewall: no rule-less appliance is made for 10.0.1.4.
    assert!(!d.endpoints.iter().any(|e| e.id.starts_with("appliance-")));
    let rt = d.route_tables.iter().find(|r| r.id == "rt-spokes").unwrap();
    assert_eq!(
        (rt.routes[0].prefix.as_str(), rt.routes[0].next_hop.as_str()),
        ("0.0.0.0/0", "fw-hub")
    );
    // The firewall's subnet keeps the system route to the internet; the hub is a hub.
    let hub = &d.networks[0];
    assert!(hub.subnets[0].internet_egress);
    assert_eq!(hub.role.as_deref(), Some("hub"));
    // IP groups are address groups.
    assert_eq!(
        d.address_groups.get("ipg-spokes").map(Vec::as_slice),
        Some(&["10.1.0.0/16".to_string(), "10.2.0.0/16".to_string()][..])
    );
    // The rules in Azure's order: DNAT, network (group 100 before group 200), application;
    // the collections' priorities interleave across groups, so none is written (assumed).
    let rs = d.rule_sets.iter().find(|r| r.id == "fwp-hub").unwrap();
    let rules: Vec<(&str, Option<&str>, &str, Option<i64>)> = rs
        .rules
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.rule_type.as_deref(),
                r.action.as_str(),
                r.priority,
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("dnat-ssh.ssh-to-app", Some("dnat"), "allow", None),
            ("net-deny-web.deny-https-out", Some("network"), "deny", None),
            ("net-spoke-to-db.app-to-db", Some("network"), "allow", None),
            (
                "app-allow-web.allow-microsoft",
                Some("application"),
                "allow",
                None
            ),
        ]
    );
    let app = &rs.rules[3];
    assert_eq!(app.fqdns, ["*.microsoft.com"]);
    assert_eq!(app.source, ["ipg-spokes"]);
    assert_eq!(app.ports.as_deref(), Some("443"));
    // The DNAT rule's destination is the firewall (its public IP, before translation).
    assert_eq!(rs.rules[0].destination, ["fw-hub"]);
    // ... and it translates to 10.1.1.4:22 (SPEC §11.6, [DNAT]): no longer a finding.
    assert_eq!(rs.rules[0].translated_address.as_deref(), Some("10.1.1.4"));
    assert_eq!(rs.rules[0].translated_port, Some(22));
    let f = &imp.report.findings;
    assert!(!f.iter().any(|f| f.message.contains("DNAT to")), "{f:?}");
    assert!(
        f.iter()
            .any(|f| f.kind == FindingKind::Assumed && f.message.contains("interleave")),
        "{f:?}"
    );
    // Every resource type of the export is read: none is "not modelled yet".
    assert!(
        !f.iter().any(|f| f.message.contains("not modelled yet")),
        "{f:?}"
    );
    // The NAT gateway's subnets: outbound internet, the gateway named in the description.
    let spoke3 = d.networks.iter().find(|n| n.id == "vnet-spoke3").unwrap();
    let egress: Vec<(&str, bool)> = spoke3
        .subnets
        .iter()
        .map(|s| (s.id.as_str(), s.internet_egress))
        .collect();
    assert_eq!(
        egress,
        [
            ("vnet-spoke3/snet-batch", true),
            ("vnet-spoke3/snet-private", false),
            ("vnet-spoke3/snet-inspected", true)
        ]
    );
    assert_eq!(
        spoke3.subnets[0].description.as_deref(),
        Some("outbound internet through NAT gateway natgw-batch (20.0.0.20)")
    );
    assert_eq!(imp.report.count("NAT gateways"), 1);
    assert_eq!(imp.report.count("IP groups"), 2);
    assert_eq!(imp.report.count("rule collection groups"), 2);
}

/// `classic.json` (the az CLI's flattened shape): vnet-core 10.50.0.0/16, AzureFirewallSubnet
/// 10.50.0.0/26 (fw-core 10.50.0.4, public IP 52.1.1.1, threat intelligence Deny), snet-web
/// 10.50.1.0/24 (nic-web 10.50.1.10) and snet-jobs 10.50.2.0/24 (nic-jobs 10.50.2.10), both
/// with rt-core `0.0.0.0/0 → 10.50.0.4`. Classic collections: NAT inbound (100): web-in TCP
/// `*` to 52.1.1.1:443, translated to 10.50.1.10:443; network net-allow-dns (100, Allow): dns
/// UDP 10.50.0.0/16 to 8.8.8.8:53, ntp UDP 10.50.0.0/16 to 40.1.1.1 or `time.windows.com`
/// port 123; network net-deny (300, Deny): block-range TCP
/// 10.50.2.8-10.50.2.15 to `*` ports 443-444, 8443; application apps (200, Allow): github
/// Https:443 10.50.0.0/16 to `*.github.com` and `github.com`; updates (FQDN tag WindowsUpdate).
#[rustfmt::skip]
const CLASSIC: &[Row] = &[
    // 10.50.2.10 is in the range 10.50.2.8-10.50.2.15: the network collection (300) is
    // processed before the application collection (200) [RULES, classic].
    Row { from: "nic-jobs", to: "github.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-core"), fw: Some(("fw-core-rules", "net-deny.block-range")) },
    // A subdomain by the wildcard, the apex because it is listed [FQDN].
    Row { from: "nic-web", to: "api.github.com", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "apps.github")) },
    Row { from: "nic-web", to: "github.com", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "apps.github")) },
    Row { from: "nic-web", to: "www.example.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-core"), fw: Some(("fw-core-rules", "default-deny")) },
    Row { from: "nic-web", to: "8.8.8.8", port: 53, proto: UDP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "net-allow-dns.dns")) },
    // A network rule with an address and an FQDN matches either [NETFQDN].
    Row { from: "nic-web", to: "40.1.1.1", port: 123, proto: UDP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "net-allow-dns.ntp")) },
    Row { from: "nic-web", to: "time.windows.com", port: 123, proto: UDP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "net-allow-dns.ntp-fqdns")) },
    // The DNAT collection on the firewall's public IP [DNAT].
    Row { from: "internet", to: "52.1.1.1", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-core"), fw: Some(("fw-core-rules", "inbound.web-in")) },
    // Inside the network the VnetLocal route 10.50.0.0/16 is longer than 0.0.0.0/0 [UDR].
    Row { from: "nic-web", to: "nic-jobs", port: 443, proto: TCP, verdict: Verdict::Allow, via: None, fw: None },
];

#[test]
fn classic_rules_truth_table() {
    let (imp, t) = imported(&fixture("classic.json"));
    run_table(&t, CLASSIC);
    let rs = imp
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "fw-core-rules")
        .unwrap();
    // Classic collections keep their priorities (one number each, in Azure's order).
    let prios: Vec<(&str, Option<i64>)> = rs
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.priority))
        .collect();
    assert_eq!(
        prios,
        [
            ("inbound.web-in", Some(100)),
            ("net-allow-dns.dns", Some(100)),
            ("net-allow-dns.ntp", Some(100)),
            ("net-allow-dns.ntp-fqdns", Some(100)),
            ("net-deny.block-range", Some(300)),
            ("apps.github", Some(200)),
        ]
    );
    // The range as CIDRs; both port items.
    assert_eq!(rs.rules[4].source, ["10.50.2.8/29"]);
    assert_eq!(rs.rules[4].ports.as_deref(), Some("443-444,8443"));
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    for (path, what) in [
        (
            "[5].applicationRuleCollections[0].rules[1].fqdnTags",
            "FQDN tags (WindowsUpdate)",
        ),
        (
            "[5].applicationRuleCollections[0].rules[1]",
            "the rule is left out",
        ),
        ("[5].threatIntelMode", "threat intelligence in Deny mode"),
        // vnet-core's DNS server is the firewall, whose DNS proxy is off
        // (https://learn.microsoft.com/azure/firewall/dns-settings): Azure's lookups fail.
        ("[0].dhcpOptions.dnsServers[0]", "DNS proxy is off"),
    ] {
        assert!(
            un.iter()
                .any(|f| f.json_path == path && f.message.contains(what)),
            "{path}: {un:?}"
        );
    }
}

/// `inherit.json`: fw-edge (10.60.0.4) uses fwp-child, whose base policy is fwp-base.
/// fwp-base: group rcg-base (500): collection deny-dns-google (100, Deny): no-8-8-8 TCP and
/// UDP * → 8.8.8.0/24, every port. fwp-child: group rcg-child (100): collection allow-out
/// (100, Allow): web-out TCP 10.60.1.0/24 → * 443; collection app-cats (200, Deny): a web
/// category rule and a TLS-inspected URL rule. nic-a 10.60.1.4 routes 0.0.0.0/0 to fw-edge.
#[rustfmt::skip]
const INHERIT: &[Row] = &[
    // The base policy's group comes first though its priority (500) is the larger [RULES].
    Row { from: "nic-a", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-edge"), fw: Some(("fwp-child", "deny-dns-google.no-8-8-8-tcp")) },
    Row { from: "nic-a", to: "8.8.8.8", port: 53, proto: UDP, verdict: Verdict::Deny, via: Some("fw-edge"), fw: Some(("fwp-child", "deny-dns-google.no-8-8-8-udp")) },
    Row { from: "nic-a", to: "1.1.1.1", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-edge"), fw: Some(("fwp-child", "allow-out.web-out")) },
];

#[test]
fn base_policy_rules_come_first() {
    let (imp, t) = imported(&fixture("inherit.json"));
    run_table(&t, INHERIT);
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    for (path, what) in [
        (
            "[8].properties.ruleCollections[1].rules[0].webCategories",
            "web categories (Gambling)",
        ),
        (
            "[8].properties.ruleCollections[1].rules[1].targetUrls",
            "www.contoso.com/admin",
        ),
        (
            "[8].properties.ruleCollections[1].rules[1].terminateTLS",
            "TLS inspection",
        ),
        (
            "[6].properties.intrusionDetection.mode",
            "IDPS in Deny mode",
        ),
    ] {
        assert!(
            un.iter()
                .any(|f| f.json_path == path && f.message.contains(what)),
            "{path}: {un:?}"
        );
    }
    // The base policy is used through its child only: no rule set, no finding of its own.
    assert!(!imp.document.rule_sets.iter().any(|r| r.id == "fwp-base"));
}

/// A REST example of a rule collection group, with the VNet example (an import needs a
/// virtual network), and optionally more resources.
fn rest_example(file: &str, extra: &[(&str, &str)]) -> import::Imported {
    let dir = tempfile::tempdir().unwrap();
    for f in [file, "VirtualNetworkGet.2025-03-01.json"] {
        std::fs::copy(reference("rest-api-specs").join(f), dir.path().join(f)).unwrap();
    }
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let imp = import::import(dir.path(), InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("{file} imports: {e}"));
    imp.load(file)
        .unwrap_or_else(|e| panic!("{file} loads: {e:?}"));
    imp
}

#[test]
fn rest_rule_collection_group_examples_import_as_they_are() {
    // A Deny network rule: TCP 10.1.25.0/24 → * every port; the policy (named by the group's
    // id) is used by no firewall of the input: a finding.
    let imp = rest_example("FirewallPolicyRuleCollectionGroupGet.2025-03-01.json", &[]);
    let rs = imp
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "firewallpolicy")
        .expect("the policy's rule set");
    assert_eq!(rs.kind, "firewall");
    let r = &rs.rules[0];
    assert_eq!(
        (
            r.id.as_str(),
            r.rule_type.as_deref(),
            r.action.as_str(),
            r.protocol.as_str(),
            r.source.as_slice(),
            r.destination.as_slice(),
            r.ports.as_deref(),
            r.priority
        ),
        (
            "example-filter-rule-collection.network-rule1",
            Some("network"),
            "deny",
            "tcp",
            &["10.1.25.0/24".to_string()][..],
            &["*".to_string()][..],
            None,
            Some(200)
        )
    );
    assert!(
        imp.report
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Unsupported
                && f.message.contains("no Azure Firewall of the input uses it"))
    );

    // The web category rule cannot be matched: left out, with findings at its path.
    let imp = rest_example(
        "FirewallPolicyRuleCollectionGroupWithWebCategoriesGet.2025-05-01.json",
        &[],
    );
    let rs = imp
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "firewallpolicy")
        .unwrap();
    assert!(rs.rules.is_empty());
    let at = "responses.200.body.properties.ruleCollections[0].rules[0]";
    assert!(
        imp.report
            .findings
            .iter()
            .any(|f| f.json_path == format!("{at}.webCategories") && f.message.contains("Hacking"))
    );
    assert!(
        imp.report
            .findings
            .iter()
            .any(|f| f.json_path == at && f.message.contains("left out"))
    );

    // IP groups: their ids do not parse as ARM ids (`…/resourceGroup/rg1/ipGroups/…`) and the
    // group is under the 2019 name `ruleGroups`. Without the IP groups the rule has no source
    // it can hold: left out, each missing group a finding.
    let file = "FirewallPolicyRuleCollectionGroupWithIpGroupsGet.2025-05-01.json";
    let imp = rest_example(file, &[]);
    let at = "responses.200.body.properties.ruleCollections[0].rules[0]";
    for side in ["sourceIpGroups[0]", "destinationIpGroups[0]"] {
        assert!(
            imp.report
                .findings
                .iter()
                .any(|f| f.json_path == format!("{at}.{side}")
                    && f.message.contains("is not in the input")),
            "{side}: {:?}",
            imp.report.findings
        );
    }
    // With the two IP groups exported (at those exact ids), the rule joins them.
    let group = |name: &str, cidr: &str| {
        format!(
            r#"{{"id": "/subscriptions/subid/providers/Microsoft.Network/resourceGroup/rg1/ipGroups/{name}", "name": "{name}", "type": "Microsoft.Network/ipGroups", "properties": {{"ipAddresses": ["{cidr}"]}}}}"#
        )
    };
    let (g1, g2) = (
        group("ipGroups1", "10.9.1.0/24"),
        group("ipGroups2", "10.9.2.1-10.9.2.2"),
    );
    let imp = rest_example(file, &[("g1.json", &g1), ("g2.json", &g2)]);
    let rs = imp
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "firewallpolicy")
        .unwrap();
    assert_eq!(rs.rules[0].source, ["ipgroups1"]);
    assert_eq!(rs.rules[0].destination, ["ipgroups2"]);
    assert_eq!(
        imp.document
            .address_groups
            .get("ipgroups2")
            .map(Vec::as_slice),
        Some(&["10.9.2.1/32".to_string(), "10.9.2.2/32".to_string()][..])
    );
}

/// Wrong shapes are errors with the file and JSON path, never a panic.
#[test]
fn malformed_firewall_json_is_an_error_with_its_path() {
    let base = std::fs::read_to_string(fixture("classic.json")).unwrap();
    for (from, to, path) in [
        (
            r#""destinationPorts":["53"]"#,
            r#""destinationPorts":["dns"]"#,
            "[5].networkRuleCollections[0].rules[0].destinationPorts[0]",
        ),
        (
            r#""sourceAddresses":["10.50.0.0/16"],"destinationAddresses":["8.8.8.8"]"#,
            r#""sourceAddresses":"10.50.0.0/16","destinationAddresses":["8.8.8.8"]"#,
            "[5].networkRuleCollections[0].rules[0].sourceAddresses",
        ),
        (
            r#""ipConfigurations":[{"name":"ipconfig1","privateIPAddress":"10.50.0.4""#,
            r#""ipConfigurations":7,"x":[{"name":"ipconfig1","privateIPAddress":"10.50.0.4""#,
            "[5].ipConfigurations",
        ),
    ] {
        let text = base.replace([' ', '\n'], "");
        assert!(text.contains(from), "{from}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.json");
        std::fs::write(&p, text.replace(from, to)).unwrap();
        let e = import::import(&p, InputKind::Azure, ImportOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{to} is an error"));
        assert_eq!(e.json_path, path, "{e}");
    }
}

/// A policy lists a rule collection group the input does not hold: its rules are missing, a
/// finding at the policy's reference (never a silently empty rule set).
#[test]
fn a_missing_rule_collection_group_is_a_finding() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("hub-spoke-fw.json")).unwrap())
            .unwrap();
    doc["data"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["name"] != "rcg-spokes");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.json");
    std::fs::write(&p, doc.to_string()).unwrap();
    let (imp, _) = imported(&p);
    assert!(
        imp.report
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Unsupported
                && f.json_path == "data[19].properties.ruleCollectionGroups[1].id"
                && f.message.contains("rcg-spokes is not in the input")),
        "{:?}",
        imp.report.findings
    );
}

/// The same export as `az network … list -o json` prints it (each resource's `properties`
/// flattened into the object, as `az network firewall show` and `az network firewall policy
/// rule-collection-group list` do): the same verdicts.
#[test]
fn the_az_cli_shape_gives_the_same_verdicts() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("hub-spoke-fw.json")).unwrap())
            .unwrap();
    let list: Vec<serde_json::Value> = doc["data"]
        .as_array_mut()
        .unwrap()
        .drain(..)
        .map(|mut r| {
            let props = r
                .as_object_mut()
                .unwrap()
                .remove("properties")
                .unwrap_or_default();
            if let (Some(o), serde_json::Value::Object(p)) = (r.as_object_mut(), props) {
                o.extend(p);
            }
            r
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("az.json");
    std::fs::write(&p, serde_json::Value::Array(list).to_string()).unwrap();
    let (_, t) = imported(&p);
    run_table(&t, HUB);
}

/// Resource Graph holds a policy's rules only in its `…/rulecollectiongroups` child resources;
/// the other way to get them is `az network firewall policy rule-collection-group list
/// --policy-name P -g RG -o json` (azure-cli-extensions, azure-firewall:
/// `aaz/latest/network/firewall/policy/rule_collection_group/_list.py`: a JSON array of the
/// groups, `properties` flattened, `type` as the service spells it). An export without the
/// groups, beside that output in a second file, gives the same design and verdicts.
#[test]
fn rule_collection_groups_from_the_az_cli_list_give_the_same_verdicts() {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("hub-spoke-fw.json")).unwrap())
            .unwrap();
    let data = doc["data"].as_array_mut().unwrap();
    let (groups, rest): (Vec<_>, Vec<_>) = data.drain(..).partition(|r| {
        r["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/rulecollectiongroups"))
    });
    *data = rest;
    assert_eq!(groups.len(), 2);
    let listed: Vec<serde_json::Value> = groups
        .into_iter()
        .map(|mut g| {
            let o = g.as_object_mut().unwrap();
            let Some(serde_json::Value::Object(p)) = o.remove("properties") else {
                panic!("a group has properties")
            };
            o.extend(p);
            o.insert(
                "etag".into(),
                "W/\"00000000-0000-0000-0000-000000000000\"".into(),
            );
            o.insert("provisioningState".into(), "Succeeded".into());
            o.insert(
                "type".into(),
                "Microsoft.Network/FirewallPolicies/RuleCollectionGroups".into(),
            );
            g
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("resources.json"), doc.to_string()).unwrap();
    std::fs::write(
        dir.path().join("rcg-fwp-hub.json"),
        serde_json::Value::Array(listed).to_string(),
    )
    .unwrap();
    let (imp, t) = imported(dir.path());
    run_table(&t, HUB);
    assert_eq!(imp.report.count("rule collection groups"), 2);
    assert!(
        !imp.report
            .findings
            .iter()
            .any(|f| f.message.contains("is not in the input")),
        "{:?}",
        imp.report.findings
    );
    let (whole, _) = imported(&fixture("hub-spoke-fw.json"));
    let rules = |d: &import::Document| {
        let rs = d.rule_sets.iter().find(|r| r.id == "fwp-hub").unwrap();
        rs.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(rules(&imp.document), rules(&whole.document));
}
