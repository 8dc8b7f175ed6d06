//! The Terraform importer's `azurerm` mapping of Azure Firewall, firewall policies and their
//! rule collection groups (network, application and NAT rule collections), IP groups (+
//! `azurerm_ip_group_cidr`) and NAT gateways (+ their public IP and subnet associations)
//! (issue 13, SPEC §12): `tests/fixtures/terraform/azurerm/fw-state.json` and `fw-plan.json`,
//! written by `make_fw_fixtures.py` there as `terraform show -json` prints a state and a plan,
//! with the provider's attribute names
//! (<https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/firewall_policy_rule_collection_group>
//! and the pages of the other types). The design is the Azure importer's
//! `tests/fixtures/azure/fw/hub-spoke-fw.json`: vnet-hub 10.0.0.0/16 (AzureFirewallSubnet
//! 10.0.1.0/26: fw-hub 10.0.1.4, public IP 20.0.0.10, policy fwp-hub) peered both ways with
//! vnet-spoke1 (snet-app: nic-app 10.1.1.4), vnet-spoke2 (snet-data: nic-db 10.2.1.4) — both
//! routed `0.0.0.0/0 → VirtualAppliance 10.0.1.4` by rt-spokes — and vnet-spoke3 (snet-batch
//! with NAT gateway natgw-batch (public IP 20.0.0.20): nic-batch 10.3.1.4; snet-private, no NAT
//! gateway: nic-private 10.3.2.4; snet-inspected with the NAT gateway and rt-spoke3
//! `0.0.0.0/0 → 10.0.1.4`: nic-inspected 10.3.3.4); no spoke subnet has default outbound
//! access. IP groups ipg-spokes [10.1.0.0/16, 10.2.0.0/16] and ipg-db (10.2.1.4/32, from an
//! `azurerm_ip_group_cidr`). fwp-hub: rcg-platform (100): application collection app-allow-web
//! (100, Allow) allow-microsoft Https:443 from ipg-spokes to `*.microsoft.com`; network
//! collection net-deny-web (200, Deny) deny-https-out TCP 10.1.0.0/16 → `*` 443. rcg-spokes
//! (200): network net-spoke-to-db (100, Allow) app-to-db TCP ipg-spokes → ipg-db 5432; NAT
//! collection dnat-ssh (300, Dnat) ssh-to-app TCP `*` → 20.0.0.10:22 → 10.1.1.4:22.
//!
//! Every verdict and deciding rule below was derived from the fixture and these documents
//! before the code ran:
//! - [RULES] <https://learn.microsoft.com/azure/firewall/rule-processing>: rule collection
//!   groups by priority, then collections; "Application rules are always processed after
//!   Network rules, which are processed after DNAT rules regardless of Rule collection group or
//!   Rule collection priority"; the first matching rule decides; with no match the packet is
//!   denied.
//! - [FQDN] <https://learn.microsoft.com/azure/firewall/firewall-faq>: `*.contoso.com` matches
//!   `anyvalue.contoso.com`, not the apex `contoso.com`.
//! - [IPG] <https://learn.microsoft.com/azure/firewall/ip-groups>: an IP group stands for its
//!   addresses and CIDRs in a rule's source or destination.
//! - [DNAT] <https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy>: inbound
//!   traffic to the firewall's public IP that no DNAT rule matches is dropped.
//! - [UDR] <https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>:
//!   the longest prefix wins; a VirtualAppliance route sends to its next hop address.
//! - [NATGW] <https://learn.microsoft.com/azure/nat-gateway/nat-overview>: a NAT gateway gives
//!   the subnets it is attached to outbound internet through its public IP; it is not a route's
//!   next hop, and a user-defined `0.0.0.0/0` route to a virtual appliance takes precedence
//!   over it (<https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource>).
//! - [PRIVATE] <https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access>:
//!   a subnet without default outbound access (`default_outbound_access_enabled = false`) has
//!   no outbound internet without an explicit method (NAT gateway, public IP, firewall).
//!
//! The DNAT translation itself (where a NAT rule sends the flow) is not tested here: only that
//! a NAT rule collection imports as a rule of type `dnat`.

use zonescope::engine::diff::diff;
use zonescope::import::terraform;
use zonescope::model::Verdict;

use crate::cli::zs;
use crate::import_azure_fw::{Row, TCP, run_table};
use crate::terraform_support::{fixture_in, imported, text, topo};

fn fixture(name: &str) -> std::path::PathBuf {
    fixture_in("terraform/azurerm", name)
}

// The rows and their runner are the Azure importer's (the same design, as Terraform writes it).

#[rustfmt::skip]
const STATE: &[Row] = &[
    // spoke1 and spoke2 are not peered: only 0.0.0.0/0 → 10.0.1.4 matches [UDR]. 10.1.1.4 is
    // in ipg-spokes (10.1.0.0/16), 10.2.1.4 is ipg-db's address (its azurerm_ip_group_cidr)
    // [IPG]; deny-https-out is for 443 only, so app-to-db decides [RULES].
    Row { from: "nic-app", to: "nic-db", port: 5432, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-spoke-to-db.app-to-db")) },
    // No rule matches tcp/22 between the spokes: denied [RULES].
    Row { from: "nic-app", to: "nic-db", port: 22, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // Back the other way the destination 10.1.1.4 is not in ipg-db [IPG]: denied [RULES].
    Row { from: "nic-db", to: "nic-app", port: 5432, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // allow-microsoft (group 100, collection 100) would match, but deny-https-out is a network
    // rule (collection 200) and network rules come before application rules whatever their
    // priorities [RULES].
    Row { from: "nic-app", to: "www.microsoft.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-deny-web.deny-https-out")) },
    // From spoke2 no network rule matches; the application rule does: 10.2.1.4 ∈ ipg-spokes
    // [IPG], www.microsoft.com matches *.microsoft.com [FQDN].
    Row { from: "nic-db", to: "www.microsoft.com", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "app-allow-web.allow-microsoft")) },
    // The apex is not matched by the wildcard [FQDN]: denied [RULES].
    Row { from: "nic-db", to: "microsoft.com", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // spoke1 → nic-batch 8080 crosses the firewall [UDR]; no rule matches: denied [RULES].
    Row { from: "nic-app", to: "nic-batch", port: 8080, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // To the firewall's public IP on 3389: no DNAT rule (ssh-to-app is for 22): dropped [DNAT].
    Row { from: "internet", to: "20.0.0.10", port: 3389, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // snet-batch has the NAT gateway and no route table: outbound internet, not through the
    // firewall [NATGW].
    Row { from: "nic-batch", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("internet"), fw: None },
    // snet-private: no default outbound access, no NAT gateway: no way out [PRIVATE].
    Row { from: "nic-private", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::NoRoute, via: None, fw: None },
    // snet-inspected has the NAT gateway and a 0.0.0.0/0 route to the firewall: the route wins
    // [NATGW], and no firewall rule allows 10.3.3.4 → 8.8.8.8 (the application rule needs a
    // name, the network rules other sources) [RULES].
    Row { from: "nic-inspected", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
];

/// The plan adds rcg-partner (partner-in: TCP ipg-partner → 10.1.1.4:8443, ipg-partner's
/// addresses unknown until apply; to-partner: TCP 10.1.0.0/16 → an address unknown until
/// apply, 9443; app-to-batch: TCP 10.1.0.0/16 → 10.3.1.4:8080) and natgw-private on
/// snet-private.
#[rustfmt::skip]
const PLAN: &[Row] = &[
    // What the plan does not change is the state's.
    Row { from: "nic-app", to: "nic-db", port: 5432, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-spoke-to-db.app-to-db")) },
    Row { from: "nic-db", to: "www.microsoft.com", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "app-allow-web.allow-microsoft")) },
    // partner-in names ipg-partner, which holds no known address: nothing it would admit is
    // allowed in this import (the unknown addresses are a finding) [IPG][RULES].
    Row { from: "nic-db", to: "nic-app", port: 8443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // to-partner's destination is unknown: the rule is left out (a finding), not guessed.
    Row { from: "nic-app", to: "8.8.8.8", port: 9443, proto: TCP, verdict: Verdict::Deny, via: Some("fw-hub"), fw: Some(("fwp-hub", "default-deny")) },
    // app-to-batch: spoke1 → 10.3.1.4 by 0.0.0.0/0 to the firewall [UDR], which the new rule
    // allows (no earlier rule matches 8080) [RULES]; the hub is peered with spoke3.
    Row { from: "nic-app", to: "nic-batch", port: 8080, proto: TCP, verdict: Verdict::Allow, via: Some("fw-hub"), fw: Some(("fwp-hub", "net-partner.app-to-batch")) },
    // natgw-private is attached to snet-private (the association joined by the
    // configuration's reference): outbound internet [NATGW].
    Row { from: "nic-private", to: "8.8.8.8", port: 443, proto: TCP, verdict: Verdict::Allow, via: Some("internet"), fw: None },
];

#[test]
fn the_firewall_state_truth_table() {
    run_table(&topo(&fixture("fw-state.json")), STATE);
}

#[test]
fn the_firewall_plan_truth_table() {
    run_table(&topo(&fixture("fw-plan.json")), PLAN);
}

#[test]
fn the_firewall_its_policy_ip_groups_and_nat_gateway_become_the_design() {
    let i = imported(&fixture("fw-state.json"));
    let d = &i.document;
    // azurerm_firewall.hub: a firewall endpoint at its ip_configuration's private address in
    // AzureFirewallSubnet, with its public IP, filtering by its policy's rules.
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
    assert_eq!(
        i.report.origins["fwp-hub"].resource.as_deref(),
        Some("azurerm_firewall_policy.hub")
    );
    // The route's next hop names the firewall; the firewall's subnet keeps its way out.
    let rt = d.route_tables.iter().find(|r| r.id == "rt-spokes").unwrap();
    assert_eq!(
        (rt.routes[0].prefix.as_str(), rt.routes[0].next_hop.as_str()),
        ("0.0.0.0/0", "fw-hub")
    );
    let hub = d.networks.iter().find(|n| n.id == "vnet-hub").unwrap();
    assert!(hub.subnets[0].internet_egress);
    // IP groups are address groups; ipg-db's `cidrs` mirrors its azurerm_ip_group_cidr: the
    // address once.
    assert_eq!(
        d.address_groups.get("ipg-spokes").map(Vec::as_slice),
        Some(&["10.1.0.0/16".to_string(), "10.2.0.0/16".to_string()][..])
    );
    assert_eq!(
        d.address_groups.get("ipg-db").map(Vec::as_slice),
        Some(&["10.2.1.4/32".to_string()][..])
    );
    // The policy's rules in Azure's order: DNAT, network (group 100 before 200), application
    // [RULES]; each rule named COLLECTION.RULE, with its collection's action.
    let rs = d.rule_sets.iter().find(|r| r.id == "fwp-hub").unwrap();
    assert_eq!(rs.kind, "firewall");
    let rules: Vec<(&str, Option<&str>, &str)> = rs
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.rule_type.as_deref(), r.action.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            ("dnat-ssh.ssh-to-app", Some("dnat"), "allow"),
            ("net-deny-web.deny-https-out", Some("network"), "deny"),
            ("net-spoke-to-db.app-to-db", Some("network"), "allow"),
            (
                "app-allow-web.allow-microsoft",
                Some("application"),
                "allow"
            ),
        ]
    );
    let net = &rs.rules[2];
    assert_eq!(
        (
            net.source.as_slice(),
            net.destination.as_slice(),
            net.ports.as_deref()
        ),
        (
            &["ipg-spokes".to_string()][..],
            &["ipg-db".to_string()][..],
            Some("5432")
        )
    );
    let app = &rs.rules[3];
    assert_eq!(app.fqdns, ["*.microsoft.com"]);
    assert_eq!(app.source, ["ipg-spokes"]);
    assert_eq!(app.ports.as_deref(), Some("443"));
    // Each rule's origin is its rule collection group resource.
    assert_eq!(
        i.report.origins["fwp-hub/net-spoke-to-db.app-to-db"]
            .resource
            .as_deref(),
        Some("azurerm_firewall_policy_rule_collection_group.spokes")
    );
    assert_eq!(
        i.report.origins["fwp-hub/app-allow-web.allow-microsoft"]
            .resource
            .as_deref(),
        Some("azurerm_firewall_policy_rule_collection_group.platform")
    );
    // The NAT gateway: outbound internet on the subnets it is associated with, named with its
    // public IP (from azurerm_nat_gateway_public_ip_association) [NATGW].
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
    let r = &i.report;
    assert_eq!(
        (
            r.count("NAT gateways"),
            r.count("IP groups"),
            r.count("rule collection groups")
        ),
        (1, 2, 2)
    );
    // Every type of the file is mapped; nothing is unknown in a state.
    assert!(
        !r.findings
            .iter()
            .any(|f| f.message.contains("not modelled: left out")),
        "{:#?}",
        r.findings
    );
    assert!(terraform::unknown_findings(r).is_empty());
}

#[test]
fn values_known_only_after_apply_on_firewall_resources_are_findings() {
    let i = imported(&fixture("fw-plan.json"));
    let u: Vec<(&str, &str)> = terraform::unknown_findings(&i.report)
        .iter()
        .map(|f| (f.message.as_str(), f.json_path.as_str()))
        .collect();
    let has = |addr: &str, attr: &str| {
        u.iter()
            .any(|(m, _)| m.starts_with(&format!("{addr}: `{attr}`")))
    };
    // The IP group's addresses come from a public IP created by the plan.
    assert!(has("azurerm_ip_group.partner", "cidrs"), "{u:#?}");
    // to-partner's destination: reported, and the rule left out.
    assert!(
        has(
            "azurerm_firewall_policy_rule_collection_group.partner",
            "network_rule_collection[0].rule[1].destination_addresses"
        ),
        "{u:#?}"
    );
    // The NAT gateway's new public address.
    assert!(has("azurerm_public_ip.partner", "ip_address"), "{u:#?}");
    // partner-in's source IP group is unknown by id, but the configuration names the IP group:
    // joined, not reported.
    assert!(
        !u.iter().any(|(m, _)| m.contains("source_ip_groups")),
        "{u:#?}"
    );
    let rs = i
        .document
        .rule_sets
        .iter()
        .find(|r| r.id == "fwp-hub")
        .unwrap();
    let ids: Vec<&str> = rs.rules.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"net-partner.partner-in"), "{ids:?}");
    assert!(!ids.contains(&"net-partner.to-partner"), "{ids:?}");
    let partner = rs
        .rules
        .iter()
        .find(|r| r.id == "net-partner.partner-in")
        .unwrap();
    assert_eq!(partner.source, ["ipg-partner"]);
    assert_eq!(
        i.document.address_groups.get("ipg-partner").map(Vec::len),
        Some(0)
    );
    // The new NAT gateway joins snet-private by reference.
    let spoke3 = i
        .document
        .networks
        .iter()
        .find(|n| n.id == "vnet-spoke3")
        .unwrap();
    let private = spoke3
        .subnets
        .iter()
        .find(|s| s.id == "vnet-spoke3/snet-private")
        .unwrap();
    assert!(private.internet_egress);
    // Its public address is unknown: named by the gateway alone, not guessed.
    assert_eq!(
        private.description.as_deref(),
        Some("outbound internet through NAT gateway natgw-private")
    );
}

#[test]
fn diff_names_the_rule_collection_group_that_opens_a_flow() {
    let (state, plan) = (fixture("fw-state.json"), fixture("fw-plan.json"));
    let d = diff(&topo(&state), &topo(&plan));
    assert!(d.behaviour_changed);
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("nic-app → nic-batch tcp/8080")
                && l.contains("opened by azurerm_firewall_policy_rule_collection_group.partner")),
        "{out}"
    );
    // The NAT gateway the plan associates with snet-private gives that subnet outbound
    // internet access (https://learn.microsoft.com/azure/nat-gateway/nat-overview: "all
    // outbound connectivity ... uses the NAT gateway"); before, the subnet had no way out.
    assert!(
        out.lines()
            .any(|l| l.contains("nic-private → internet") && l.contains("no_route → allow")),
        "{out}"
    );
    // No rule opens it: the reviewer is shown the resource that does (the association the
    // plan adds) and the change of the design it makes.
    assert!(
        out.lines().any(|l| l.contains(
            "nic-private → internet tcp/* opened by azurerm_subnet_nat_gateway_association.private"
        ) && l
            .contains("(subnet vnet-spoke3/snet-private internet_egress false → true)")),
        "{out}"
    );
    // SARIF puts that flow on the association's resource.
    let o = zs(&[
        "diff",
        state.to_str().unwrap(),
        plan.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "flow-opened"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("nic-private → internet"))
        })
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "azurerm_subnet_nat_gateway_association.private",
        "{r:#}"
    );
    // What the plan does not know is listed as not judged.
    assert!(
        out.contains("known only after apply: not judged ("),
        "{out}"
    );
    assert!(out.contains("azurerm_ip_group.partner"), "{out}");
}

#[test]
fn an_unknown_firewall_address_and_ip_group_cidr_are_findings_not_guesses() {
    // The plan, changed so that the firewall's private address and the standalone IP group
    // CIDR are known only after apply (as when each is replaced).
    let text = std::fs::read_to_string(fixture("fw-plan.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let unknown = serde_json::json!({
        "azurerm_firewall.hub": {"ip_configuration": [{"private_ip_address": true}]},
        "azurerm_ip_group_cidr.db": {"cidr": true},
    });
    for r in v["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
    {
        match r["address"].as_str() {
            Some("azurerm_firewall.hub") => {
                r["values"]["ip_configuration"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("private_ip_address");
            }
            Some("azurerm_ip_group_cidr.db") => {
                r["values"].as_object_mut().unwrap().remove("cidr");
            }
            _ => {}
        }
    }
    for c in v["resource_changes"].as_array_mut().unwrap() {
        let a = c["address"].as_str().unwrap_or("").to_string();
        if let Some(u) = unknown.get(&a) {
            c["change"]["actions"] = serde_json::json!(["delete", "create"]);
            c["change"]["after_unknown"] = u.clone();
        }
    }
    let i = terraform::import_value(
        "fw-plan.json",
        &v,
        zonescope::import::ImportOptions::default(),
    )
    .expect("imports");
    let u: Vec<&str> = terraform::unknown_findings(&i.report)
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        u.iter().any(
            |m| m.starts_with("azurerm_firewall.hub: `ip_configuration[0].private_ip_address`")
        ),
        "{u:#?}"
    );
    assert!(
        u.iter()
            .any(|m| m.starts_with("azurerm_ip_group_cidr.db: `cidr`")),
        "{u:#?}"
    );
    // The firewall's address is not guessed but assumed as Azure assigns it (its first
    // instance takes the subnet's fifth address: Azure reserves the first four,
    // https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets),
    // and said so.
    assert!(
        i.report
            .findings
            .iter()
            .any(|f| f.kind == zonescope::import::FindingKind::Assumed
                && f.message.contains("firewall fw-hub: no private address")
                && f.message.contains("10.0.1.4")),
        "{:#?}",
        i.report.findings
    );
    // ipg-db's `cidrs` still mirrors the CIDR the plan replaces: taken out, and the new one is
    // unknown, so the group holds no address in this import.
    assert_eq!(
        i.document.address_groups.get("ipg-db").map(Vec::len),
        Some(0)
    );
}
