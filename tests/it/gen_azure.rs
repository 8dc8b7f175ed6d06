//! `zonescope gen --as azure` (issue 18, item 6): the synthetic design written as Resource
//! Graph JSON imports without an error, with as many networks, subnets and endpoints as the
//! YAML design and every addressed endpoint in the zone the design gives it, and a truth table
//! of flows gives the verdicts (and, for denials, the deciding NSG rule) that Azure's
//! documented semantics give on both the YAML design and the import:
//! - NSGs: outbound the NIC's then the subnet's, inbound the subnet's then the NIC's; the lowest
//!   priority number that matches decides
//!   (<https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works>,
//!   <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>);
//! - `VirtualNetwork` holds the network, its peers and the prefixes of the subnet's
//!   user-defined routes (<https://learn.microsoft.com/azure/virtual-network/service-tags-overview>);
//! - routes: the longest prefix wins; a peered network's prefix is a system route, so a
//!   `0.0.0.0/0` route to an appliance carries only what no longer prefix does
//!   (<https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview>);
//! - a private endpoint's subnet NSG applies when `privateEndpointNetworkPolicies` is `Enabled`
//!   (<https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy>).
//!
//! Addresses follow the generator's address plan (src/gen/mod.rs): with S, hub-r1 is
//! 10.0.0.0/22 (firewall .4, bastion .68, jumpbox .132, the `OpenAI` private endpoint
//! 10.0.1.4), spoke-r1-s1 10.0.4.0/22 (application 10.0.4.0/24, inference 10.0.5.0/24 with the
//! gateway at .4, data 10.0.6.0/24), hub-r2 10.0.12.0/22 (its `OpenAI` private endpoint
//! 10.0.13.4). Only rules the generator always writes decide these rows (src/gen/spec.rs), so
//! they hold for every seed's optional rules.

use std::collections::BTreeSet;

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::generate::{GenParams, generate, generate_azure};
use zonescope::import::{self, FindingKind, ImportOptions, azure};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

fn small() -> (zonescope::generate::AzureExport, tempfile::NamedTempFile) {
    let export = generate_azure(&GenParams::size("S").expect("S"));
    let file = tempfile::Builder::new()
        .suffix(".json")
        .tempfile()
        .expect("tempfile");
    std::fs::write(file.path(), export.text()).expect("write");
    (export, file)
}

pub(crate) fn yaml_design() -> Topology {
    zonescope::model::load_str(&generate(&GenParams::size("S").expect("S")), "S.yaml")
        .expect("the YAML design loads")
}

fn tcp(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traces: {e}"))
}

fn decided(tr: &Trace) -> (String, String) {
    tr.decided_by.as_ref().map_or_else(
        || (String::new(), String::new()),
        |d| (d.rule_set.clone(), d.rule.clone()),
    )
}

/// The zone id of each addressed endpoint, by address.
pub(crate) fn zones_by_ip(t: &Topology) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = t
        .endpoints()
        .iter()
        .filter_map(|e| {
            let ip = e.ip?;
            Some((ip.to_string(), e.zone.map(|z| t.zone(z).id.clone())))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_small_export_imports_with_the_designs_networks_subnets_endpoints_and_zones() {
    let (export, file) = small();
    let s = export.stats;
    // The generator's shape (src/gen/mod.rs) for S = 2 regions × 2 spokes × 3 subnets × 26:
    // 2 hubs + 4 spokes; a hub 5 subnets, a spoke 3 workload subnets and a private-endpoint
    // subnet; a hub 7 addressed endpoints (6 VMs, the OpenAI private endpoint), a spoke
    // 3 × 26 + its gateway (VMs) and its storage private endpoint.
    assert_eq!((s.virtual_networks, s.subnets), (6, 2 * 5 + 4 * 4));
    assert_eq!(s.virtual_machines, 2 * 6 + 4 * (3 * 26 + 1));
    assert_eq!(
        s.network_interfaces,
        s.virtual_machines + s.private_endpoints
    );
    assert_eq!((s.private_endpoints, s.services), (2 + 4, 2 + 4));
    assert_eq!(s.peerings, 4 + 1, "each spoke with its hub, the two hubs");
    assert_eq!((s.appliances, s.route_tables), (2, 6));
    assert_eq!(
        s.nsgs,
        2 * 4 + 4 * 4,
        "every subnet but the firewall's has its own"
    );
    assert_eq!(s.firewall_policies_left_out, 2);
    assert_eq!((s.private_dns_zones, s.dns_links, s.a_records), (2, 4, 6));

    let i = azure::import(file.path(), ImportOptions::for_loader()).expect("imports");
    // The only unsupported findings: each hub's appliance, whose own filtering is not in an
    // export (docs/import-azure.md, Routes).
    let unsupported: Vec<_> = i.report.of_kind(FindingKind::Unsupported).collect();
    assert_eq!(unsupported.len(), 2, "{unsupported:#?}");
    assert!(
        unsupported
            .iter()
            .all(|f| f.message.contains("is an appliance")),
        "{unsupported:#?}"
    );
    let r = &i.report;
    assert_eq!(r.count("networks"), s.virtual_networks);
    assert_eq!(r.count("subnets"), s.subnets);
    assert_eq!(r.count("peerings"), s.peerings);
    assert_eq!(r.count("NSGs"), s.nsgs);
    assert_eq!(r.count("network interfaces"), s.network_interfaces);
    assert_eq!(r.count("private endpoints"), s.private_endpoints);
    assert_eq!(r.count("route tables"), s.route_tables);
    // Hub and spokes for the map (issue 18 item 5).
    let roles: Vec<(&str, Option<&str>)> = i
        .document
        .networks
        .iter()
        .map(|n| (n.id.as_str(), n.role.as_deref()))
        .collect();
    for (id, role) in roles {
        let want = if id.starts_with("hub-") {
            "hub"
        } else {
            "spoke"
        };
        assert_eq!(role, Some(want), "{id}");
    }

    let yaml = yaml_design();
    let az = import::load_any(file.path()).expect("loads").0;
    assert_eq!(az.networks().len(), yaml.networks().len());
    assert_eq!(az.subnets().len(), yaml.subnets().len());
    assert_eq!(az.endpoints().len(), yaml.endpoints().len());
    // Every addressed endpoint is in the zone the design gives it (NIC `SecurityZone` tags).
    assert_eq!(zones_by_ip(&az), zones_by_ip(&yaml));
    // The zones: the design's, but `external_ai`, which only the OpenAI services hold (the
    // importer zones subnets by their network's tag and endpoints by their NIC's; a Private
    // Link target's tags are not read).
    let ids =
        |t: &Topology| -> BTreeSet<String> { t.zones().iter().map(|z| z.id.clone()).collect() };
    let mut want = ids(&yaml);
    want.remove("external_ai");
    assert_eq!(ids(&az), want);
}

#[test]
fn the_same_parameters_give_the_same_bytes_and_another_seed_other_rules() {
    let p = GenParams::size("S").expect("S");
    let a = generate_azure(&p);
    assert_eq!(a.text(), generate_azure(&p).text());
    let other = generate_azure(&GenParams { seed: 2, ..p });
    assert_ne!(a.text(), other.text());
    assert_eq!(a.stats.virtual_networks, other.stats.virtual_networks);
}

/// One row of the truth table: a flow, its verdict on both, and for a denial the NSG and rule
/// that decide it (the import keeps Azure's names: the NSG's name and the rule's).
struct Row {
    from: &'static str,
    to: &'static str,
    port: u16,
    verdict: Verdict,
    decided: Option<(&'static str, &'static str)>,
    why: &'static str,
}

const ROWS: &[Row] = &[
    Row {
        // bastion-r1 → jump-r1: same network (VnetLocal); nsg-bastion-r1 allow-ssh-rdp-out to
        // VirtualNetwork, then nsg-mgmt-r1 allow-bastion-in from the bastion subnet (NSG order:
        // network-security-group-how-it-works).
        from: "10.0.0.68",
        to: "10.0.0.132",
        port: 22,
        verdict: Verdict::Allow,
        decided: None,
        why: "bastion to jumpbox over SSH",
    },
    Row {
        // ep-r1-s1-1-1 → ep-r1-s1-3-1: intra-network; the application subnet's outbound rules
        // in priority order: allow-gateway-out (the gateway only), allow-inference-out (the
        // inference subnet), then deny-data-out matches first (security-rules: lowest number
        // that matches decides).
        from: "10.0.4.4",
        to: "10.0.6.4",
        port: 6333,
        verdict: Verdict::Deny,
        decided: Some(("nsg-r1-s1-1", "deny-data-out")),
        why: "no lateral movement from application to data",
    },
    Row {
        // ep-r1-s1-1-1 → gw-r1-s1: allow-gateway-out, then the inference subnet's allow-app-in
        // from the application subnet on 443.
        from: "10.0.4.4",
        to: "10.0.5.4",
        port: 443,
        verdict: Verdict::Allow,
        decided: None,
        why: "an application reaches its AI gateway",
    },
    Row {
        // gw-r1-s1 → pe-aoai-r1 in the hub: the peered hub's prefix (system route, /22) beats
        // the 0.0.0.0/0 route to the appliance (udr-overview: longest prefix); allow-aoai-out,
        // then — network policies Enabled on snet-hubpe-r1 — its allow-inference-in.
        from: "10.0.5.4",
        to: "10.0.1.4",
        port: 443,
        verdict: Verdict::Allow,
        decided: None,
        why: "the gateway reaches Azure OpenAI privately",
    },
    Row {
        // ep-r1-s1-1-1 → pe-aoai-r1: no outbound rule of the application subnet names the hub's
        // private endpoints, 10.0.1.4 is not `Internet` (deny-internet-out at 4000 does not
        // match), so deny-all-out (4096) decides before the defaults at 65000.
        from: "10.0.4.4",
        to: "10.0.1.4",
        port: 443,
        verdict: Verdict::Deny,
        decided: Some(("nsg-r1-s1-1", "deny-all-out")),
        why: "an application cannot call Azure OpenAI directly",
    },
    Row {
        // jump-r1 → ep-r1-s1-1-1: nsg-mgmt-r1 has no outbound rule, AllowVnetOutBound (the peer
        // is in VirtualNetwork) passes it; inbound the application subnet admits SSH only from
        // the bastion subnet, so deny-all-in (4096) decides.
        from: "10.0.0.132",
        to: "10.0.4.4",
        port: 22,
        verdict: Verdict::Deny,
        decided: Some(("nsg-r1-s1-1", "deny-all-in")),
        why: "SSH into the spoke only from the bastion",
    },
    Row {
        // dns-r1 → kv-r1: nsg-dns-r1 has no outbound rule, so the default AllowVnetOutBound
        // (65000) passes it; inbound nsg-mgmt-r1's allow-secrets-in from VirtualNetwork.
        // (The design's own checks beyond Azure's — listening ports, the zone policy — agree
        // here: kv-r1 listens on 443, both ends are in `management`.)
        from: "10.0.0.196",
        to: "10.0.0.133",
        port: 443,
        verdict: Verdict::Allow,
        decided: None,
        why: "the resolver reads a secret through the VirtualNetwork tag",
    },
    Row {
        // jump-r1 → pe-aoai-r1: nsg-mgmt-r1 has no outbound rule (AllowVnetOutBound); the
        // private endpoint's subnet has privateEndpointNetworkPolicies Enabled, so its NSG
        // filters traffic to the endpoint (disable-private-endpoint-network-policy), and
        // nsg-hubpe-r1 admits only the inference zone: deny-all-in (4096). With the policies
        // Disabled (Azure's default) the NSG would not apply and Azure would allow it.
        from: "10.0.0.132",
        to: "10.0.1.4",
        port: 443,
        verdict: Verdict::Deny,
        decided: Some(("nsg-hubpe-r1", "deny-all-in")),
        why: "the hub's private endpoints only for the inference zone",
    },
    Row {
        // The internet → the bastion's public address on 443: nsg-bastion-r1 allow-https-in
        // from Internet.
        from: "198.51.100.7",
        to: "bastion-r1",
        port: 443,
        verdict: Verdict::Allow,
        decided: None,
        why: "administrators reach the bastion over HTTPS",
    },
    Row {
        // The internet → the bastion on 22: only 443 is allowed in, deny-all-in (4096).
        from: "198.51.100.7",
        to: "bastion-r1",
        port: 22,
        verdict: Verdict::Deny,
        decided: Some(("nsg-bastion-r1", "deny-all-in")),
        why: "no SSH from the internet",
    },
];

#[test]
fn verdicts_on_the_small_export_are_the_designs_and_azures() {
    let (_export, file) = small();
    let az = import::load_any(file.path()).expect("loads").0;
    assert_rows(&[("YAML", &yaml_design()), ("Azure import", &az)]);
}

/// Every row of [`ROWS`] on each of the named topologies (also `gen_terraform.rs`'s).
pub(crate) fn assert_rows(designs: &[(&str, &Topology)]) {
    for row in ROWS {
        for (which, t) in designs {
            let tr = tcp(t, row.from, row.to, row.port);
            assert_eq!(tr.verdict, row.verdict, "{which}: {}: {tr:#?}", row.why);
            if let Some((rs, rule)) = row.decided {
                assert_eq!(
                    decided(&tr),
                    (rs.to_string(), rule.to_string()),
                    "{which}: {}",
                    row.why
                );
            }
        }
    }
}

#[test]
fn through_the_hub_appliance_the_import_denies_what_the_designs_firewall_allows() {
    let (_export, file) = small();
    let az = import::load_any(file.path()).expect("loads").0;
    let yaml = yaml_design();
    // gw-r1-s1 → pe-aoai-r2 (hub-r2, not peered with the spoke): only 0.0.0.0/0 matches, to
    // the hub-r1 appliance at 10.0.0.4 (udr-overview). The design's firewall policy fwp-r1
    // allows it (allow-inference-to-private-endpoints; the design's expectation "the gateway
    // fails over to region 2"); an NVA's filtering is not an ARM resource, so the import models
    // the appliance as a firewall with no rules, which denies (docs/import-azure.md, Routes).
    let tr = tcp(&yaml, "10.0.5.4", "10.0.13.4", 443);
    assert_eq!(tr.verdict, Verdict::Allow, "{tr:#?}");
    let tr = tcp(&az, "10.0.5.4", "10.0.13.4", 443);
    assert_eq!(tr.verdict, Verdict::Deny, "{tr:#?}");
    let fw = az
        .endpoints()
        .iter()
        .find(|e| e.ip.is_some_and(|ip| ip.to_string() == "10.0.0.4"))
        .expect("the appliance");
    assert_eq!(decided(&tr), (fw.id.clone(), "default-deny".to_string()));
}

#[test]
fn gen_as_azure_writes_pages_into_the_named_directory_or_one_array_to_a_json_file() {
    let root = tempfile::tempdir().expect("tempdir");
    let zonescope = || std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"));
    let lib = generate_azure(&GenParams {
        spokes: 3,
        ..GenParams::size("S").expect("S")
    });
    // -o DIR: one file per Resource Graph page of at most 1,000 rows, and the A records.
    let dir = root.path().join("export");
    let out = zonescope()
        .args(["gen", "--as", "azure", "--spokes", "3", "-o"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let files = lib.files();
    let rows = lib.stats.resources - lib.stats.a_records;
    assert!(rows > 1000, "more than one page: {rows}");
    assert_eq!(files.len(), rows.div_ceil(1000) + 1);
    let mut seen = 0;
    for (k, (name, text)) in files.iter().enumerate() {
        assert_eq!(
            &std::fs::read_to_string(dir.join(name)).expect("read"),
            text
        );
        let v: serde_json::Value = serde_json::from_str(text).expect("JSON");
        if k + 1 < files.len() {
            // A page as `az graph query --first 1000 -o json` prints it; a token while more
            // rows follow.
            let n = v["data"].as_array().expect("data").len();
            assert_eq!(v["count"], n);
            assert_eq!(v["total_records"], rows);
            assert_eq!(v["skip_token"].is_string(), k + 2 < files.len(), "{name}");
            seen += n;
        } else {
            assert_eq!(name, "private-dns-a.json");
            assert_eq!(v.as_array().expect("records").len(), lib.stats.a_records);
        }
    }
    assert_eq!(seen, rows);
    let top: Vec<_> = std::fs::read_dir(root.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(top, ["export"]);
    // The folder and the one array import alike.
    let one = root.path().join("all.json");
    let out = zonescope()
        .args(["gen", "--as", "azure", "--spokes", "3", "-o"])
        .arg(&one)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&one).expect("read"), lib.text());
    let a = azure::import(&dir, ImportOptions::for_loader()).expect("the folder imports");
    let b = azure::import(&one, ImportOptions::for_loader()).expect("the file imports");
    assert_eq!(a.report.counts, b.report.counts);
    assert_eq!(a.document.endpoints.len(), b.document.endpoints.len());
    // Without -o, the array on stdout.
    let out = zonescope()
        .args(["gen", "--as", "azure", "--spokes", "3"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), lib.text());
    // -o naming a file that does not end in .json is refused, and left as it was.
    let file = root.path().join("f.txt");
    std::fs::write(&file, "x").expect("write");
    let out = zonescope()
        .args(["gen", "--as", "azure", "-o"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "x");
}
