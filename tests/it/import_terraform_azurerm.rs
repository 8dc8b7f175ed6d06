//! The Terraform importer's `azurerm` mapping (issue 13, SPEC §12): `azurerm_*` resources of a
//! `terraform show -json` state or plan → ARM resource JSON → `import::azure`.
//!
//! The real plan in `../shared/reference/terraform/azurerm-nsg-and-rule-plan.json` (checkov's,
//! terraform 1.3.6) imports with its standalone rule in its NSG; a small hub-and-spoke written
//! as `terraform show -json` prints a state and plans
//! (`tests/fixtures/terraform/azurerm/`, made by `make_fixtures.py` there; format:
//! <https://developer.hashicorp.com/terraform/internals/json-format>) gives the verdicts of
//! its truth table, each row citing the Azure documentation it follows; `diff` names the
//! resource that opens a flow; a value the plan knows only after apply is reported, not guessed.

use std::path::PathBuf;

use zonescope::engine::diff::diff;
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import::{FindingKind, ImportOptions, terraform};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

use crate::cli::zs;
use crate::terraform_support::{finding, fixture_in, imported, reference, text, topo};

fn fixture(name: &str) -> PathBuf {
    fixture_in("terraform/azurerm", name)
}

/// The verdict and the deciding rule (`RULE_SET/RULE`, empty when none decided).
fn tcp(t: &Topology, from: &str, to: &str, port: u16) -> (Verdict, String) {
    let tr = trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traces: {e}"));
    let rule = tr
        .decided_by
        .as_ref()
        .map(|d| format!("{}/{}", d.rule_set, d.rule))
        .unwrap_or_default();
    (tr.verdict, rule)
}

// ------------------------------------------------------------------ (a) the real plan

#[test]
fn the_real_plan_imports_with_the_standalone_rule_in_its_nsg() {
    let p = reference("azurerm-nsg-and-rule-plan.json");
    let i = imported(&p);
    // Two NSGs; no id is known (after_unknown: id), so each is named by its ARM name.
    let ids: Vec<&str> = i.document.rule_sets.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["fail", "pass"]);
    // azurerm_network_security_rule.pass names its NSG by `network_security_group_name`
    // ("pass", from the configuration's reference to azurerm_network_security_group.pass).
    let pass = &i.document.rule_sets[1];
    assert_eq!(pass.kind, "nsg");
    assert_eq!(pass.rules.len(), 1);
    let r = &pass.rules[0];
    assert_eq!(
        (
            r.id.as_str(),
            r.priority,
            r.direction.as_str(),
            r.action.as_str(),
            r.protocol.as_str(),
            r.ports.as_deref()
        ),
        ("pass", Some(100), "inbound", "deny", "tcp", Some("3389"))
    );
    assert!(i.document.rule_sets[0].rules.is_empty());
    // The rule's origin is the standalone resource, at its JSON path in the file.
    let o = &i.report.origins["pass/pass"];
    assert_eq!(
        o.resource.as_deref(),
        Some("azurerm_network_security_rule.pass")
    );
    assert_eq!(o.json_path, "planned_values.root_module.resources[2]");
    // `security_rule` is in after_unknown, but the configuration writes no inline rule: not an
    // unknown finding (the attribute only mirrors the standalone rules).
    assert!(terraform::unknown_findings(&i.report).is_empty());
    // The plan has no virtual network: said so, and it still loads.
    assert!(finding(&i, FindingKind::Unsupported, &["no virtual network"]).is_some());
    let t = topo(&p);
    let rs = t.rule_sets().iter().find(|r| r.id == "pass").expect("pass");
    // The loader adds Azure's six default rules to every NSG
    // (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
    let defaults: Vec<&str> = rs
        .rules
        .iter()
        .filter(|r| r.default_rule)
        .map(|r| r.id.as_str())
        .collect();
    for d in [
        "AllowVnetInBound",
        "AllowAzureLoadBalancerInBound",
        "DenyAllInBound",
        "AllowVnetOutBound",
        "AllowInternetOutBound",
        "DenyAllOutBound",
    ] {
        assert!(defaults.contains(&d), "{d} in {defaults:?}");
    }
}

// ------------------------------------------------------------------ (b) the hub-and-spoke

const BASTION: &str = "nic-bastion";
const APP: &str = "nic-app";
const DB: &str = "nic-db";
const PE: &str = "pe-st";

/// The truth table of the hub-and-spoke (`make_fixtures.py`): every row's verdict and
/// deciding rule follow the Azure documentation cited on it.
fn truth_rows() -> Vec<(&'static str, &'static str, u16, Verdict, &'static str)> {
    vec![
        // nsg-mgmt's standalone rule allows 443 from the Internet tag at priority 100, the
        // bastion has a public IP: rules are processed in priority order and the first match
        // decides (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules).
        (
            "internet",
            BASTION,
            443,
            Verdict::Allow,
            "nsg-mgmt/allow-https-internet",
        ),
        // No rule allows 22 from the internet: DenyAllInBound (65500) decides
        // (network-security-groups-overview#default-security-rules).
        (
            "internet",
            BASTION,
            22,
            Verdict::Deny,
            "nsg-mgmt/DenyAllInBound",
        ),
        // The hub and the spoke are peered both ways (Connected): nsg-app's
        // allow-ssh-from-hub (10.0.1.0/24, priority 100) admits the bastion
        // (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview).
        (
            BASTION,
            APP,
            22,
            Verdict::Allow,
            "nsg-app/allow-ssh-from-hub",
        ),
        // deny-vnet-8080 (priority 200) comes before AllowVnetInBound (65000)
        // (network-security-groups-overview#security-rules: lower number first).
        (BASTION, APP, 8080, Verdict::Deny, "nsg-app/deny-vnet-8080"),
        // allow-https-web names the ASG asg-web, which nic-app carries through
        // azurerm_network_interface_application_security_group_association
        // (https://learn.microsoft.com/azure/virtual-network/application-security-groups).
        (BASTION, APP, 443, Verdict::Allow, "nsg-app/allow-https-web"),
        // No custom rule matches 3306: the peered hub is in the VirtualNetwork tag ("the virtual
        // network address space ..., all connected address spaces",
        // https://learn.microsoft.com/azure/virtual-network/service-tags-overview), so
        // AllowVnetInBound decides.
        (
            BASTION,
            APP,
            3306,
            Verdict::Allow,
            "nsg-app/AllowVnetInBound",
        ),
        // spoke and spoke2 are not peered: peering is not transitive
        // (virtual-network-peering-overview), so nothing routes between them.
        (APP, DB, 5432, Verdict::NoRoute, ""),
        // hub → spoke2 is peered from the hub's side only: the peering stays Initiated and
        // carries no traffic until spoke2 peers back
        // (https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering).
        (BASTION, DB, 5432, Verdict::NoRoute, ""),
        // The private endpoint's subnet has network policies Disabled (the default), so no NSG
        // filters traffic to it (https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy);
        // out of snet-app, nsg-app's AllowVnetOutBound (65000) allows the VNet-internal flow
        // (network-security-groups-overview#default-security-rules).
        (APP, PE, 443, Verdict::Allow, "nsg-app/AllowVnetOutBound"),
    ]
}

#[test]
fn the_state_maps_every_resource_and_joins_by_id() {
    let i = imported(&fixture("state.json"));
    let d = &i.document;
    let nets: Vec<&str> = d.networks.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(nets, ["vnet-hub", "vnet-spoke", "vnet-spoke2"]);
    // The hub's `subnet` block mirrors azurerm_subnet.mgmt: one subnet, not two.
    assert_eq!(d.networks[0].subnets.len(), 1);
    // spoke2's only subnet is an inline block.
    assert_eq!(d.networks[2].subnets[0].id, "vnet-spoke2/snet-db");
    // Associations: NSGs and the route table on their subnets.
    let app = &d.networks[1].subnets[0];
    assert_eq!(app.rules, ["nsg-app"]);
    assert_eq!(app.route_table.as_deref(), Some("rt-app"));
    // The route table's inline route and the standalone azurerm_route (which its `route`
    // mirrors) are one route each, plus the peered hub's system route.
    let rt = &d.route_tables[0];
    let prefixes: Vec<&str> = rt.routes.iter().map(|r| r.prefix.as_str()).collect();
    assert_eq!(prefixes, ["10.9.0.0/16", "10.8.0.0/16", "10.0.0.0/16"]);
    assert_eq!(
        i.report.origins["nsg-mgmt/allow-https-internet"]
            .resource
            .as_deref(),
        Some("azurerm_network_security_rule.mgmt_https_internet")
    );
    assert_eq!(
        i.report.origins["nsg-app/allow-ssh-from-hub"]
            .resource
            .as_deref(),
        Some("azurerm_network_security_group.app")
    );
    // The NSG's mirror of the standalone rule is read once.
    let mgmt = d.rule_sets.iter().find(|r| r.id == "nsg-mgmt").unwrap();
    assert_eq!(mgmt.rules.len(), 1);
    // The bastion: its VM's name, its public IP, its subnet.
    let b = d.endpoints.iter().find(|e| e.id == BASTION).unwrap();
    assert_eq!(b.name.as_deref(), Some("vm-bastion"));
    assert_eq!(b.public_ip.as_deref(), Some("20.50.60.70"));
    assert_eq!(b.subnet.as_deref(), Some("vnet-hub/snet-mgmt"));
    // The private endpoint and its zone (linked to the spoke), with the zone group's record
    // and the standalone A record.
    let pe = d.endpoints.iter().find(|e| e.id == PE).unwrap();
    assert_eq!(pe.kind, "private_endpoint");
    assert_eq!(pe.ip.as_deref(), Some("10.1.2.5"));
    let z = &d.dns[0];
    assert_eq!(z.zone, "privatelink.blob.core.windows.net");
    assert_eq!(z.linked, ["vnet-spoke"]);
    assert_eq!(z.records.get("stapp").map(String::as_str), Some("10.1.2.5"));
    assert_eq!(
        z.records.get("legacy").map(String::as_str),
        Some("10.1.2.9")
    );
    // One peering (hub–spoke); hub → spoke2 is Initiated, with a finding.
    assert_eq!(d.peerings.len(), 1);
    assert!(
        finding(
            &i,
            FindingKind::Assumed,
            &["azurerm_virtual_network_peering.hub_to_spoke2", "Initiated"]
        )
        .is_some()
    );
    // Nothing is unknown in a state.
    assert!(terraform::unknown_findings(&i.report).is_empty());
}

#[test]
fn the_state_truth_table() {
    let t = topo(&fixture("state.json"));
    for (from, to, port, verdict, rule) in truth_rows() {
        let (v, r) = tcp(&t, from, to, port);
        assert_eq!((v, r.as_str()), (verdict, rule), "{from} -> {to} :{port}");
    }
}

#[test]
fn the_plan_creating_it_all_joins_by_reference_and_reports_what_is_unknown() {
    // No id is known: subnets, associations, peerings, NICs and the rule's ASG join through
    // the configuration's references, each resource under the ARM id its names make.
    let p = fixture("plan-create.json");
    let i = imported(&p);
    assert!(
        finding(
            &i,
            FindingKind::Assumed,
            &["no id until apply", "(terraform)"]
        )
        .is_some()
    );
    let t = topo(&p);
    // The rows not involving what the plan does not know are the state's.
    for (from, to, port, verdict, rule) in truth_rows() {
        if from == "internet" || to == DB {
            continue;
        }
        let (v, r) = tcp(&t, from, to, port);
        assert_eq!((v, r.as_str()), (verdict, rule), "{from} -> {to} :{port}");
    }
    // The bastion's public address is known only after apply: reported, not guessed.
    let u: Vec<&str> = terraform::unknown_findings(&i.report)
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        u.iter()
            .any(|m| m.starts_with("azurerm_public_ip.bastion: `ip_address`")),
        "{u:?}"
    );
    let b = i
        .document
        .endpoints
        .iter()
        .find(|e| e.id == BASTION)
        .unwrap();
    assert_eq!(b.public_ip, None);
    // nic-db's subnet is `one(azurerm_virtual_network.spoke2.subnet).id`: a block of another
    // resource, which a reference does not name by id — reported, and the NIC left out
    // rather than placed in the virtual network's id.
    assert!(u.iter().any(|m| m.starts_with(
        "azurerm_network_interface.db: `ip_configuration[0].subnet_id`"
    )));
    assert!(!i.document.endpoints.iter().any(|e| e.id == DB));
}

// ------------------------------------------------------------------ (c) +22 from the internet

#[test]
fn a_plan_opening_22_from_the_internet_is_reported_with_the_resource_address() {
    let (state, plan) = (fixture("state.json"), fixture("plan-ssh-internet.json"));
    let (old, new) = (topo(&state), topo(&plan));
    // The new rule (priority 110, Internet, 22) comes before DenyAllInBound
    // (network-security-groups-overview#security-rules).
    assert_eq!(
        tcp(&new, "internet", BASTION, 22),
        (Verdict::Allow, "nsg-mgmt/allow-ssh-internet".to_string())
    );
    let d = diff(&old, &new);
    assert!(d.behaviour_changed);
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.lines()
            .any(|l| l.contains("internet → nic-bastion tcp/22")
                && l.contains("opened by azurerm_network_security_rule.mgmt_ssh_internet")),
        "{out}"
    );
    // SARIF puts the opened flow on the resource, at its line in the plan.
    let o = zs(&[
        "diff",
        state.to_str().unwrap(),
        plan.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    let opened = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| {
            r["ruleId"] == "flow-opened"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("internet → nic-bastion tcp/22"))
        })
        .expect("the opened flow is a result");
    let loc = &opened["locations"][0];
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "azurerm_network_security_rule.mgmt_ssh_internet"
    );
    let line = loc["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap_or(0) as usize;
    let file = std::fs::read_to_string(&plan).unwrap();
    assert!(
        file.lines()
            .nth(line.saturating_sub(1))
            .is_some_and(|l| l.contains("azurerm_network_security_rule.mgmt_ssh_internet"))
    );
}

#[test]
fn a_deleted_standalone_rule_closes_its_flow_despite_the_nsg_mirror() {
    // The plan deletes azurerm_network_security_rule.mgmt_https_internet; nsg-mgmt's planned
    // `security_rule` still mirrors it (computed from the prior state). Without it no rule
    // allows 443 from the internet: DenyAllInBound decides
    // (network-security-groups-overview#default-security-rules).
    let (state, plan) = (fixture("state.json"), fixture("plan-delete-rule.json"));
    let new = topo(&plan);
    assert_eq!(
        tcp(&new, "internet", BASTION, 443),
        (Verdict::Deny, "nsg-mgmt/DenyAllInBound".to_string())
    );
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("internet → nic-bastion tcp/443")
                && l.contains("closed by")
                && l.contains("azurerm_network_security_rule.mgmt_https_internet")),
        "{out}"
    );
}

// ------------------------------------------------------------------ (d) an unknown prefix

#[test]
fn an_unknown_address_prefix_is_reported_not_guessed() {
    let (state, plan) = (fixture("state.json"), fixture("plan-unknown-prefix.json"));
    let i = imported(&plan);
    let f = finding(
        &i,
        FindingKind::Unsupported,
        &[
            "azurerm_network_security_rule.app_from_partner",
            "`source_address_prefix`",
            "known only after apply",
        ],
    )
    .expect("the unknown prefix is a finding");
    assert!(
        f.json_path.ends_with(".values.source_address_prefix"),
        "{}",
        f.json_path
    );
    // No rule comes from it, and nsg-app holds what the state holds.
    assert!(
        !i.report.origins.values().any(
            |o| o.resource.as_deref() == Some("azurerm_network_security_rule.app_from_partner")
        )
    );
    let (old, new) = (topo(&state), topo(&plan));
    let rules = |t: &Topology| {
        t.rule_sets()
            .iter()
            .find(|r| r.id == "nsg-app")
            .map(|r| r.rules.len())
    };
    assert_eq!(rules(&old), rules(&new));
    assert!(!diff(&old, &new).behaviour_changed);
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("known only after apply: not judged ("),
        "{out}"
    );
    assert!(
        out.contains("azurerm_network_security_rule.app_from_partner"),
        "{out}"
    );
}

#[test]
fn a_wrong_value_is_an_error_naming_the_resource_never_a_panic() {
    // A rule's priority of the wrong type: the error names the resource and its JSON path.
    let text = std::fs::read_to_string(fixture("state.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rs = v["values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap();
    let k = rs
        .iter()
        .position(|r| r["address"] == "azurerm_network_security_rule.mgmt_https_internet")
        .unwrap();
    rs[k]["values"]["priority"] = serde_json::json!("high");
    let e =
        terraform::import_value("state.json", &v, ImportOptions::default()).expect_err("an error");
    assert!(
        e.message
            .contains("azurerm_network_security_rule.mgmt_https_internet"),
        "{e}"
    );
    assert_eq!(e.json_path, format!("values.root_module.resources[{k}]"));
    // Every value of every resource replaced by something of the wrong type: an error or a
    // design, never a panic.
    let n = v["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .len();
    for k in 0..n {
        let keys: Vec<String> = v["values"]["root_module"]["resources"][k]["values"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for key in keys {
            for bad in [
                serde_json::json!(7),
                serde_json::json!({"x": [1]}),
                serde_json::Value::Null,
            ] {
                let mut w = v.clone();
                w["values"]["root_module"]["resources"][k]["values"][&key] = bad;
                let _ = terraform::import_value("state.json", &w, ImportOptions::default());
            }
        }
    }
}

#[test]
fn provider_3x_attribute_names_and_a_route_tables_own_subnet_list() {
    // azurerm 3.x writes a virtual network's inline subnet with `address_prefix` and
    // `security_group`, a subnet's policies as `private_endpoint_network_policies_enabled`
    // (https://registry.terraform.io/providers/hashicorp/azurerm/3.117.0/docs/resources/subnet),
    // and a route table lists the subnets Azure reports associated in `subnets` (computed).
    let sub = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network";
    let r = |t: &str, n: &str, v: serde_json::Value| serde_json::json!({"address": format!("{t}.{n}"), "mode": "managed", "type": t, "name": n, "values": v});
    let state = serde_json::json!({"format_version": "1.0", "terraform_version": "1.5.7", "values": {"root_module": {"resources": [
        r("azurerm_virtual_network", "v", serde_json::json!({"id": format!("{sub}/virtualNetworks/v"), "name": "v",
            "resource_group_name": "rg", "address_space": ["10.5.0.0/16"],
            "subnet": [{"name": "inline", "address_prefix": "10.5.1.0/24", "id": format!("{sub}/virtualNetworks/v/subnets/inline"),
                        "security_group": format!("{sub}/networkSecurityGroups/n")}]})),
        r("azurerm_subnet", "s", serde_json::json!({"id": format!("{sub}/virtualNetworks/v/subnets/s"), "name": "s",
            "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.5.2.0/24"],
            "private_endpoint_network_policies_enabled": true, "service_endpoints": ["Microsoft.Storage"]})),
        r("azurerm_network_security_group", "n", serde_json::json!({"id": format!("{sub}/networkSecurityGroups/n"), "name": "n",
            "resource_group_name": "rg", "security_rule": []})),
        r("azurerm_route_table", "t", serde_json::json!({"id": format!("{sub}/routeTables/t"), "name": "t", "resource_group_name": "rg",
            "disable_bgp_route_propagation": true, "subnets": [format!("{sub}/virtualNetworks/v/subnets/s")],
            "route": [{"name": "blackhole", "address_prefix": "10.9.0.0/16", "next_hop_type": "None", "next_hop_in_ip_address": ""}]})),
    ]}}});
    let i = terraform::import_value("v3.json", &state, ImportOptions::default()).expect("imports");
    let net = &i.document.networks[0];
    let inline = net
        .subnets
        .iter()
        .find(|s| s.id == "v/inline")
        .expect("the inline subnet");
    assert_eq!(inline.cidr, ["10.5.1.0/24"]);
    assert_eq!(inline.rules, ["n"]);
    let s = net
        .subnets
        .iter()
        .find(|s| s.id == "v/s")
        .expect("the subnet");
    assert_eq!(s.route_table.as_deref(), Some("t"));
    // Service endpoints are not modelled: said so, on the attribute.
    let f = finding(
        &i,
        FindingKind::Unsupported,
        &["azurerm_subnet.s", "service_endpoints"],
    )
    .expect("a finding");
    assert_eq!(
        f.json_path,
        "values.root_module.resources[1].values.service_endpoints"
    );
}

#[test]
fn private_link_targets_are_read_for_their_public_network_access() {
    // A private endpoint's target says whether the internet also reaches it:
    // `public_network_access_enabled` (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/key_vault,
    // .../storage_account; Azure: "Disabled" public network access admits only private
    // endpoints, https://learn.microsoft.com/azure/key-vault/general/network-security).
    let sub = "/subscriptions/s1/resourceGroups/rg/providers";
    let r = |t: &str, n: &str, v: serde_json::Value| serde_json::json!({"address": format!("{t}.{n}"), "mode": "managed", "type": t, "name": n, "values": v});
    let pe = |n: &str, target: String| {
        r(
            "azurerm_private_endpoint",
            n,
            serde_json::json!({"id": format!("{sub}/Microsoft.Network/privateEndpoints/{n}"), "name": n,
                "resource_group_name": "rg", "subnet_id": format!("{sub}/Microsoft.Network/virtualNetworks/v/subnets/pe"),
                "private_service_connection": [{"name": n, "private_connection_resource_id": target,
                    "subresource_names": ["vault"], "is_manual_connection": false, "private_ip_address": if n == "pe-kv" { "10.5.1.4" } else { "10.5.1.5" }}],
                "custom_dns_configs": [{"fqdn": format!("{n}.example.net"), "ip_addresses": []}]}),
        )
    };
    let kv = format!("{sub}/Microsoft.KeyVault/vaults/kv1");
    let st = format!("{sub}/Microsoft.Storage/storageAccounts/st1");
    let state = serde_json::json!({"format_version": "1.0", "terraform_version": "1.9.5", "values": {"root_module": {"resources": [
        r("azurerm_virtual_network", "v", serde_json::json!({"id": format!("{sub}/Microsoft.Network/virtualNetworks/v"), "name": "v",
            "resource_group_name": "rg", "address_space": ["10.5.0.0/16"]})),
        r("azurerm_subnet", "pe", serde_json::json!({"id": format!("{sub}/Microsoft.Network/virtualNetworks/v/subnets/pe"), "name": "pe",
            "resource_group_name": "rg", "virtual_network_name": "v", "address_prefixes": ["10.5.1.0/24"]})),
        r("azurerm_key_vault", "kv", serde_json::json!({"id": kv, "name": "kv1", "resource_group_name": "rg", "public_network_access_enabled": false})),
        r("azurerm_storage_account", "st", serde_json::json!({"id": st, "name": "st1", "resource_group_name": "rg", "public_network_access_enabled": true})),
        pe("pe-kv", kv),
        pe("pe-st", st),
    ]}}});
    let i = terraform::import_value("pl.json", &state, ImportOptions::default()).expect("imports");
    let access = |name: &str| {
        i.document
            .endpoints
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
            .map(|e| (e.kind.clone(), e.public_access.clone()))
    };
    assert_eq!(
        access("kv1"),
        Some(("secrets".to_string(), Some("disabled".to_string())))
    );
    assert_eq!(
        access("st1"),
        Some(("storage".to_string(), Some("enabled".to_string())))
    );
    assert!(
        finding(&i, FindingKind::Assumed, &["public network access"]).is_none(),
        "{:#?}",
        i.report.findings
    );
}
