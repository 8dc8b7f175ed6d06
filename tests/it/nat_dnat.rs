//! Destination NAT at a firewall (SPEC §11.6): a flow to the firewall's public address and port
//! that a DNAT rule matches is translated to the rule's `translated_address`/`translated_port`,
//! allowed by that rule (no network rule is asked of it), routed on from the firewall, and
//! judged by the backend's rule sets with the firewall's private address as its source. Every
//! row was derived from the documentation cited on it before the code ran; each row is also
//! checked against the exact-reachability engine (the plan's other interpreter).

use std::path::Path;

use zonescope::engine::reach::{Engine, Target, addr_party};
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{EntityRef, ErrorCode, Topology, Verdict, load, load_str};

/// "NAT rules are applied in priority before network rules. If a match is found, the traffic is
/// translated according to the DNAT rule and allowed by the firewall. So the traffic isn't
/// subject to any further processing by other network rules."
const RULES: &str = "https://learn.microsoft.com/azure/firewall/rule-processing";
/// "Each rule in the NAT rule collection can then be used to translate your firewall public IP
/// address and port to a private IP address and port. DNAT rules implicitly add a corresponding
/// network rule to allow the translated traffic."
const TUTORIAL: &str = "https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat";
/// "When the destination is a private IP address in the virtual network, the source IP address
/// will translate to one of the IP addresses in the AzureFirewallSubnet" (Microsoft's Azure
/// Network Security blog).
const NAT_BEHAVIOURS: &str = "https://techcommunity.microsoft.com/blog/azurenetworksecurityblog/azure-firewall-nat-behaviors/3825834";
/// NSG rules are processed by priority, first match wins; DenyAllInBound at 65500.
const NSG: &str =
    "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview";

use Verdict::{Allow, Deny};

/// from, to, port, verdict, deciding "rule_set/rule", the translations ("kind at from>to", in
/// order, "," between; "-" for none), the last id of the path, the documentation.
type Row = (
    &'static str,
    &'static str,
    u16,
    Verdict,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // dnat-web takes tcp/443 to the firewall's public IP to web:8443; nsg-web sees the
    // firewall's 10.0.1.4 (not the client, which deny-clients would deny) and allows 8443.
    ("203.0.113.7", "52.160.10.10", 443, Allow, "nsg-web/https-from-fw",
     "dnat fw 52.160.10.10:443>10.1.1.4:8443,snat fw 203.0.113.7>10.0.1.4", "web", NAT_BEHAVIOURS),
    // The firewall named by its id from the internet is the same flow.
    ("203.0.113.7", "fw", 443, Allow, "nsg-web/https-from-fw",
     "dnat fw 52.160.10.10:443>10.1.1.4:8443,snat fw 203.0.113.7>10.0.1.4", "web", TUTORIAL),
    // dnat-ssh admits 198.51.100.0/24 only: another client falls through the DNAT rules and
    // the network rules to the firewall's default deny (nothing is translated).
    ("203.0.113.7", "52.160.10.10", 2222, Deny, "fw-rules/default-deny", "-", "fw", RULES),
    ("198.51.100.20", "52.160.10.10", 2222, Allow, "nsg-web/ssh-from-fw",
     "dnat fw 52.160.10.10:2222>10.1.1.5:22,snat fw 198.51.100.20>10.0.1.4", "jump", TUTORIAL),
    // No translated port: the flow keeps 5432. The deny-spoke network rule is not asked
    // (RULES); nsg-db denies the firewall's address (VirtualNetwork: the peered hub) on 5432.
    ("203.0.113.7", "52.160.10.10", 5432, Deny, "nsg-db/deny-vnet-pg",
     "dnat fw 52.160.10.10:5432>10.1.2.4:5432,snat fw 203.0.113.7>10.0.1.4", "db", NSG),
    // dnat-alt sends 8080 to web:8080, which nsg-web denies from the firewall's subnet.
    ("203.0.113.7", "52.160.10.10", 8080, Deny, "nsg-web/deny-fw-8080",
     "dnat fw 52.160.10.10:8080>10.1.1.4:8080,snat fw 203.0.113.7>10.0.1.4", "web", NSG),
    // No DNAT rule for 9999: the firewall's default deny.
    ("203.0.113.7", "52.160.10.10", 9999, Deny, "fw-rules/default-deny", "-", "fw", RULES),
];

fn topo() -> Topology {
    let p = "tests/fixtures/nat/azure-dnat.yaml";
    load(Path::new(p)).unwrap_or_else(|e| panic!("{p} loads: {e:?}"))
}

fn run(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traceable: {e}"))
}

/// The TCP ports on which the internet address `from` reaches the firewall `to`, exactly.
fn reach_ports(t: &Topology, from: &str, to: &str) -> zonescope::model::rules::PortSet {
    let Some(EntityRef::Endpoint(d)) = t.find(to) else {
        panic!("{to} is an endpoint");
    };
    let src = addr_party(t, from.parse().expect("an address"));
    Engine::new(t).reach(&src, &Target::Ep(d)).tcp
}

#[test]
fn dnat_rules_translate_and_the_backend_judges_the_translated_flow() {
    let t = topo();
    let mut bad = Vec::new();
    for (from, to, port, verdict, rule, nat, last, doc) in ROWS {
        let tr = run(&t, from, to, *port);
        let what = format!("{from} -> {to}:{port} ({doc})");
        let decided = tr
            .decided_by
            .as_ref()
            .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule));
        if tr.verdict != *verdict || decided != *rule {
            bad.push(format!(
                "{what}: {} {decided} (want {verdict} {rule}): {}",
                tr.verdict, tr.reason
            ));
        }
        let got: Vec<String> = tr
            .translations
            .iter()
            .map(|x| format!("{} {} {}>{}", x.kind, x.at, x.from, x.to))
            .collect();
        let want: Vec<String> = if *nat == "-" {
            Vec::new()
        } else {
            nat.split(',').map(str::to_string).collect()
        };
        if got != want {
            bad.push(format!("{what}: translations {got:?}, want {want:?}"));
        }
        if tr.path.last().map(String::as_str) != Some(*last) {
            bad.push(format!("{what}: path {:?} ends at {last}", tr.path));
        }
        let reach = reach_ports(&t, from, "fw").contains(*port);
        if reach != (*verdict == Allow) {
            bad.push(format!(
                "{what}: exact reachability says {reach}, the trace {}",
                tr.verdict
            ));
        }
    }
    assert!(bad.is_empty(), "rows failed:\n{}", bad.join("\n"));
}

/// Exact reachability over every port agrees with the rows: from a client outside
/// 198.51.100.0/24 only 443 gets through the firewall; from inside it also 2222.
#[test]
fn exact_reachability_follows_the_translation_port_by_port() {
    let t = topo();
    assert_eq!(reach_ports(&t, "203.0.113.7", "fw").to_string(), "443");
    assert_eq!(
        reach_ports(&t, "198.51.100.20", "fw").to_string(),
        "443,2222"
    );
}

/// The JSON trace names the DNAT rule in the translation, the hop out of the firewall carries
/// it, and the path reaches the backend.
#[test]
fn the_json_trace_shows_the_translation_and_the_backend() {
    let t = topo();
    let tr = run(&t, "203.0.113.7", "52.160.10.10", 443);
    let json = serde_json::to_value(&tr).expect("serialises");
    let x = &json["translations"][0];
    assert_eq!(x["kind"], "dnat", "{json}");
    assert_eq!(x["rule"], "dnat-web", "{json}");
    assert_eq!(x["to"], "10.1.1.4:8443", "{json}");
    assert_eq!(json["translations"][1]["kind"], "snat", "{json}");
    assert_eq!(json["destination_zone"], serde_json::Value::Null);
    assert!(
        tr.checks
            .iter()
            .any(|c| c.rule == "dnat-web" && c.at == "fw"),
        "the DNAT rule is a check: {:?}",
        tr.checks
    );
}

/// A backend with a listener: the translated port is the one it must listen on.
#[test]
fn the_backend_listens_on_the_translated_port() {
    let text = std::fs::read_to_string("tests/fixtures/nat/azure-dnat.yaml").expect("reads");
    let text = text.replace("ports: [8443, 8080]", "ports: [443, 8080]");
    let t = load_str(&text, "dnat-listener.yaml").expect("loads");
    let tr = run(&t, "203.0.113.7", "52.160.10.10", 443);
    assert_eq!(tr.verdict, Deny, "{}", tr.reason);
    assert_eq!(
        tr.decided_by.as_ref().map(|d| d.rule.as_str()),
        Some("no-listener"),
        "{}",
        tr.reason
    );
    assert!(!reach_ports(&t, "203.0.113.7", "fw").contains(443));
}

/// A translated address with no route from the firewall: the flow has no route (the trace says
/// which rule sent it where), and exact reachability gives it no port.
#[test]
fn a_translation_to_an_unrouted_address_has_no_route() {
    let text = std::fs::read_to_string("tests/fixtures/nat/azure-dnat.yaml").expect("reads");
    let island = "  - id: island\n    provider: azure\n    cidr: 10.9.0.0/16\n    subnets:\n      - { id: snet-island, cidr: 10.9.0.0/24 }\nendpoints:\n";
    let text = text
        .replace("translated_address: db }", "translated_address: 10.9.0.4 }")
        .replacen("endpoints:\n", island, 1);
    let t = load_str(&text, "dnat-nowhere.yaml").expect("loads");
    let tr = run(&t, "203.0.113.7", "52.160.10.10", 5432);
    assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
    assert!(tr.reason.contains("dnat-db"), "{}", tr.reason);
    assert!(!reach_ports(&t, "203.0.113.7", "fw").contains(5432));
    // A flow log judges the record as the trace does: no route at the port the firewall sends
    // nowhere, and the other DNAT'd ports as before.
    let mut cls = zonescope::engine::flows::classify::Classifier::new(&t);
    let (client, fw) = (
        "203.0.113.7".parse().expect("an address"),
        "52.160.10.10".parse().expect("an address"),
    );
    for (port, want) in [(5432, Verdict::NoRoute), (443, Allow), (8080, Deny)] {
        let got = cls
            .judge(client, fw, Some(port), Protocol::Tcp)
            .map(|j| j.verdict);
        let traced = run(&t, "203.0.113.7", "52.160.10.10", port).verdict;
        assert_eq!(traced, want, "the trace at {port}");
        assert_eq!(got, Some(want), "the flow-log classifier at {port}");
    }
}

/// The loader checks the new keys with file:line:col errors.
#[test]
fn translation_keys_are_validated() {
    let text = std::fs::read_to_string("tests/fixtures/nat/azure-dnat.yaml").expect("reads");
    let cases = [
        // on a network rule
        (
            "ports: 443 }\n  - id: nsg-web",
            "ports: 443, translated_address: web }\n  - id: nsg-web",
        ),
        // naming a subnet
        ("translated_address: db }", "translated_address: snet-db }"),
        // naming nothing
        ("translated_address: db }", "translated_address: dbb }"),
        // a port out of range
        ("translated_port: 8443 }", "translated_port: 70000 }"),
    ];
    for (from, to) in cases {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let err = load_str(&bad, "bad.yaml").expect_err("rejected");
        let e = err
            .errors
            .iter()
            .find(|e| e.code == ErrorCode::BadTranslation)
            .unwrap_or_else(|| panic!("{to}: a bad-translation error: {err:?}"));
        let line = bad
            .lines()
            .position(|l| l.contains(to.split('\n').next().unwrap_or(to)))
            .expect("the line")
            + 1;
        assert_eq!(e.at.line as usize, line, "{to}: {e:?}");
        assert!(e.at.column > 1, "{e:?}");
    }
}

/// End to end through the command line: an ARM export (Resource Graph JSON) whose firewall
/// policy has a DNAT rule collection (dnat-ssh: `*` → the firewall's public IP 20.0.0.10:22,
/// translated to 10.1.1.4:22, [TUTORIAL]) imports and traces to the backend nic-app, whose
/// subnet NSG admits the firewall's private address by AllowVnetInBound (the hub is peered, so
/// in VirtualNetwork) [NAT_BEHAVIOURS][NSG].
#[test]
fn an_imported_dnat_policy_traces_to_its_backend_on_the_command_line() {
    let o = crate::cli::zs(&[
        "trace",
        "tests/fixtures/azure/fw/hub-spoke-fw.json",
        "--from",
        "203.0.113.7",
        "--to",
        "20.0.0.10",
        "--port",
        "22",
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["verdict"], "allow", "{v}");
    let x = &v["translations"][0];
    assert_eq!(
        (x["kind"].as_str(), x["from"].as_str(), x["to"].as_str()),
        (Some("dnat"), Some("20.0.0.10:22"), Some("10.1.1.4:22")),
        "{v}"
    );
    assert_eq!(v["translations"][1]["to"], "10.0.1.4", "{v}");
    assert_eq!(
        v["path"].as_array().and_then(|p| p.last()),
        Some(&"nic-app".into())
    );
    assert_eq!(v["decided_by"]["rule"], "AllowVnetInBound", "{v}");
    // The hop out of the firewall carries the translation.
    let hop = v["route_hops"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["nat"]["kind"] == "dnat"))
        .unwrap_or_else(|| panic!("a hop with the DNAT: {v}"));
    assert_eq!(hop["route"]["next_hop"], "peering:vnet-spoke1", "{v}");
}

/// Terraform: a classic `azurerm_firewall_nat_rule_collection` (action Dnat) names its firewall
/// by `azure_firewall_name` and `resource_group_name`; its rules' `translated_address` and
/// `translated_port` become the DNAT rules' translation [TUTORIAL]. Added to the azurerm state
/// fixture: AzureFirewallSubnet 10.0.2.0/26 in vnet-hub, fw-hub 10.0.2.4 with public IP
/// 20.1.2.3, and a collection sending 22 and 8080 to nic-app 10.1.1.4. nsg-app (snet-app) sees
/// the firewall's address [NAT_BEHAVIOURS]: in VirtualNetwork (the hub is peered), so
/// AllowVnetInBound admits 22 and deny-vnet-8080 denies 8080 [NSG].
#[test]
fn a_terraform_classic_nat_rule_collection_translates() {
    use serde_json::json;
    let p = "tests/fixtures/terraform/azurerm/state.json";
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p).expect("reads")).expect("JSON");
    let sub = "/subscriptions/00000000-0000-0000-0000-00000000a001/resourceGroups/rg-net/providers/Microsoft.Network";
    let res = |ty: &str, name: &str, values: serde_json::Value| {
        json!({"address": format!("{ty}.{name}"), "mode": "managed", "type": ty, "name": name,
               "provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
               "values": values, "sensitive_values": {}})
    };
    let added = [
        res(
            "azurerm_subnet",
            "fw",
            json!({
            "address_prefixes": ["10.0.2.0/26"], "id": format!("{sub}/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet"),
            "name": "AzureFirewallSubnet", "resource_group_name": "rg-net", "virtual_network_name": "vnet-hub"}),
        ),
        res(
            "azurerm_public_ip",
            "fw",
            json!({
            "allocation_method": "Static", "id": format!("{sub}/publicIPAddresses/pip-fw"), "ip_address": "20.1.2.3",
            "location": "westeurope", "name": "pip-fw", "resource_group_name": "rg-net", "sku": "Standard"}),
        ),
        res(
            "azurerm_firewall",
            "hub",
            json!({
            "id": format!("{sub}/azureFirewalls/fw-hub"), "location": "westeurope", "name": "fw-hub",
            "resource_group_name": "rg-net", "sku_name": "AZFW_VNet", "sku_tier": "Standard",
            "threat_intel_mode": "Alert", "firewall_policy_id": "",
            "ip_configuration": [{"name": "ipconfig", "private_ip_address": "10.0.2.4",
                "public_ip_address_id": format!("{sub}/publicIPAddresses/pip-fw"),
                "subnet_id": format!("{sub}/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet")}]}),
        ),
        res(
            "azurerm_firewall_nat_rule_collection",
            "inbound",
            json!({
            "id": format!("{sub}/azureFirewalls/fw-hub/natRuleCollections/inbound"), "name": "inbound",
            "azure_firewall_name": "fw-hub", "resource_group_name": "rg-net", "priority": 100, "action": "Dnat",
            "rule": [
                {"name": "ssh-app", "description": "", "source_addresses": ["*"], "source_ip_groups": [],
                 "destination_addresses": ["20.1.2.3"], "destination_ports": ["22"], "protocols": ["TCP"],
                 "translated_address": "10.1.1.4", "translated_port": "22"},
                {"name": "alt-app", "description": "", "source_addresses": ["*"], "source_ip_groups": [],
                 "destination_addresses": ["20.1.2.3"], "destination_ports": ["8080"], "protocols": ["TCP"],
                 "translated_address": "10.1.1.4", "translated_port": "8080"}]}),
        ),
    ];
    doc["values"]["root_module"]["resources"]
        .as_array_mut()
        .expect("resources")
        .extend(added);
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("state.json");
    std::fs::write(&f, doc.to_string()).expect("writes");
    let (t, _) = zonescope::import::load_any(&f).unwrap_or_else(|e| panic!("loads: {e:?}"));
    let tr = run(&t, "203.0.113.7", "20.1.2.3", 22);
    let decided = tr.decided_by.as_ref().map(|d| d.rule.clone());
    assert_eq!(
        (tr.verdict, decided.as_deref()),
        (Allow, Some("AllowVnetInBound")),
        "{}",
        tr.reason
    );
    assert_eq!(
        tr.translations[0].to, "10.1.1.4:22",
        "{:?}",
        tr.translations
    );
    assert_eq!(
        tr.path.last().map(String::as_str),
        Some("nic-app"),
        "{:?}",
        tr.path
    );
    let tr = run(&t, "203.0.113.7", "20.1.2.3", 8080);
    assert_eq!(
        tr.decided_by.as_ref().map(|d| d.rule.as_str()),
        Some("deny-vnet-8080"),
        "{}",
        tr.reason
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Trace and exact reachability agree on every port, for clients inside and outside the
    /// DNAT rules' sources and for on-premises sources (the two interpreters of one plan).
    #[test]
    fn trace_and_reach_agree_through_dnat_and_from_on_premises(
        which in 0usize..2,
        client in 0usize..4,
        port in proptest::prop_oneof![
            proptest::sample::select(vec![22u16, 443, 2222, 5432, 8080, 8443, 9999]),
            1u16..=65535
        ],
        udp in proptest::prelude::any::<bool>(),
    ) {
        let (file, clients, to) = if which == 0 {
            ("tests/fixtures/nat/azure-dnat.yaml", ["203.0.113.7", "198.51.100.20", "198.51.100.200", "8.8.8.8"], "fw")
        } else {
            ("tests/fixtures/routes/azure-onprem.yaml", ["192.168.10.5", "192.168.200.1", "8.8.8.8", "192.168.10.77"], "app1")
        };
        let t = load(Path::new(file)).expect("loads");
        let proto = if udp { Protocol::Udp } else { Protocol::Tcp };
        let from = clients[client];
        let tr = trace(&t, &Query::new(from, to, Some(port), proto), &WhatIf::default())
            .expect("traceable");
        let Some(EntityRef::Endpoint(d)) = t.find(to) else { panic!("{to}") };
        let r = Engine::new(&t).reach(&addr_party(&t, from.parse().expect("an address")), &Target::Ep(d));
        let set = if udp { &r.udp } else { &r.tcp };
        proptest::prop_assert_eq!(
            tr.verdict == Allow,
            set.contains(port),
            "{} -> {}:{}/{}: trace {} ({}), reach {}",
            from, to, port, proto, tr.verdict, tr.reason, r.text()
        );
    }
}

/// A policy NAT rule's `translatedFqdn`: resolved by the input's private DNS zone (an A
/// record), it translates as `translatedAddress` would (an `assumed` finding: Azure resolves it
/// with the firewall's DNS settings); a name nothing in the input resolves is an `unsupported`
/// finding with its JSON path, and the rule then admits the flow at the firewall, untranslated.
#[test]
fn a_translated_fqdn_is_resolved_by_the_private_zones_or_reported() {
    use zonescope::import::{FindingKind, ImportOptions, InputKind, import};
    let p = "tests/fixtures/azure/fw/hub-spoke-fw.json";
    let text = std::fs::read_to_string(p).expect("reads");
    let fqdn = text.replace(
        "\"translatedAddress\": \"10.1.1.4\"",
        "\"translatedFqdn\": \"app.corp.internal\"",
    );
    assert_ne!(fqdn, text);
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, body: &str| {
        let f = dir.path().join(name);
        std::fs::write(&f, body).expect("writes");
        f
    };
    // Unresolved.
    let f = write("fqdn.json", &fqdn);
    let imp = import(&f, InputKind::Azure, ImportOptions::default()).expect("imports");
    assert!(
        imp.report
            .findings
            .iter()
            .any(|x| x.kind == FindingKind::Unsupported
                && x.json_path.ends_with("rules[0].translatedFqdn")
                && x.message.contains("app.corp.internal")),
        "{:?}",
        imp.report.findings
    );
    let (t, _) = zonescope::import::load_any(&f).expect("loads");
    let tr = run(&t, "203.0.113.7", "20.0.0.10", 22);
    assert!(tr.translations.is_empty(), "{:?}", tr.translations);
    assert_eq!(
        tr.path.last().map(String::as_str),
        Some("fw-hub"),
        "{:?}",
        tr.path
    );
    // Resolved by a private zone's A record.
    let zone = r#"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones/corp.internal", "name": "corp.internal", "type": "microsoft.network/privatednszones", "location": "global", "properties": {}},
  {"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/privateDnsZones/corp.internal/A/app", "name": "app", "type": "microsoft.network/privatednszones/a", "properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.1.1.4"}]}},
  "#;
    let resolved = fqdn.replacen("\"data\": [\n", &format!("\"data\": [\n  {zone}"), 1);
    assert_ne!(resolved, fqdn);
    let f = write("resolved.json", &resolved);
    let (t, _) = zonescope::import::load_any(&f).unwrap_or_else(|e| panic!("loads: {e:?}"));
    let tr = run(&t, "203.0.113.7", "20.0.0.10", 22);
    assert_eq!(
        tr.translations.first().map(|x| x.to.as_str()),
        Some("10.1.1.4:22"),
        "{:?} {}",
        tr.translations,
        tr.reason
    );
    assert_eq!(
        tr.path.last().map(String::as_str),
        Some("nic-app"),
        "{:?}",
        tr.path
    );
}

/// SPEC §13: a deny past the DNAT is fixed where it happens, for the flow as the backend's NSG
/// sees it: from the firewall's address [NAT_BEHAVIOURS], on the translated port (dnat-ssh
/// sends 2222 to 22 [TUTORIAL]); the fix search traces its candidate again, so it works.
#[test]
fn a_fix_past_the_dnat_names_the_firewall_and_the_translated_port() {
    use zonescope::engine::trace::fix::{Fix, trace_with_fixes};
    let text = std::fs::read_to_string("tests/fixtures/nat/azure-dnat.yaml").expect("reads");
    let text = text.replace(
        "id: ssh-from-fw, priority: 120, direction: inbound, action: allow",
        "id: ssh-from-fw, priority: 120, direction: inbound, action: deny",
    );
    let t = load_str(&text, "dnat-fix.yaml").expect("loads");
    let q = Query::new("198.51.100.20", "52.160.10.10", Some(2222), Protocol::Tcp);
    let tr = trace_with_fixes(&t, &q, &WhatIf::default()).expect("traceable");
    assert_eq!(tr.verdict, Deny, "{}", tr.reason);
    let Some(Fix::Rules { changes }) = tr.fixes.first() else {
        panic!("a rules fix: {:?}", tr.fixes);
    };
    assert_eq!(changes.len(), 1, "{changes:?}");
    let r = &changes[0].rule;
    assert_eq!(changes[0].rule_set, "nsg-web");
    assert_eq!(r.source.as_deref(), Some("10.0.1.4/32"), "{r:?}");
    assert_eq!(r.ports.as_deref(), Some("22"), "{r:?}");
}
