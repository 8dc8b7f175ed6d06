//! Private endpoints, DNS zone groups and private DNS zones from an Azure Resource Graph export
//! written by hand from the REST shapes (`tests/fixtures/azure/pe/resources.json`).
//!
//! The export: vnet-hub 10.0.0.0/16 with snet-pe 10.0.1.0/24 (`privateEndpointNetworkPolicies:
//! Disabled`) and snet-pe2 10.0.3.0/24 (`Enabled`), both with nsg-pe (inbound 100 Deny Tcp
//! 10.1.0.0/16 → * 443); vnet-spoke 10.1.0.0/16 (vm-client 10.1.1.4) and vnet-other 10.2.0.0/16
//! (vm-other 10.2.1.4), each peered (Connected) with the hub only. Private endpoint pe-aoai
//! (NIC 10.0.1.5, snet-pe) → the Cognitive Services account contoso-aoai, with a DNS zone group
//! writing `contoso-aoai` into privatelink.openai.azure.com; pe-st (NIC 10.0.3.5, snet-pe2) →
//! the storage account contosost, whose A record `contosost` is a record-set resource of
//! privatelink.blob.core.windows.net. Both zones are linked to vnet-hub and vnet-spoke only.
//!
//! Every row was derived from these resources and Azure's documentation before the code ran:
//! - [DNS] <https://learn.microsoft.com/azure/private-link/private-endpoint-dns>: a client in a
//!   virtual network linked to the `privatelink` zone resolves the service's public name to the
//!   private endpoint's address; one that is not linked resolves it publicly.
//! - [LINKS] <https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links>: a
//!   private zone answers only in the virtual networks linked to it.
//! - [POLICY] <https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy>:
//!   NSGs apply to private endpoints only where the subnet's network policies are enabled; they
//!   are disabled by default.
//! - [PE] <https://learn.microsoft.com/azure/private-link/private-endpoint-overview>: the
//!   private endpoint is a network interface in the subnet that connects to the resource.

use std::path::{Path, PathBuf};

use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, InputKind};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure/pe/resources.json")
}

fn imported() -> (import::Imported, Topology) {
    let imp = import::import(&fixture(), InputKind::Azure, ImportOptions::default())
        .unwrap_or_else(|e| panic!("imports: {e}"));
    let t = imp.load("pe").unwrap_or_else(|e| panic!("loads: {e:?}"));
    (imp, t)
}

/// (from, to, verdict, the deciding rule `set/rule` if any, whether the private endpoint is on
/// the path, the doc)
type Row = (
    &'static str,
    &'static str,
    Verdict,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

#[test]
fn private_endpoints_resolve_in_linked_networks_and_the_subnet_policy_decides() {
    let (_, t) = imported();
    let rows: &[Row] = &[
        // Linked spoke → the zone's record → pe-aoai [DNS, LINKS]; snet-pe's network policies
        // are Disabled, so nsg-pe's deny of 10.1.0.0/16 does not apply [POLICY].
        (
            "10.1.1.4",
            "contoso-aoai.openai.azure.com",
            Verdict::Allow,
            None,
            Some("pe-aoai-nic-1b2c"),
            "POLICY",
        ),
        // The storage endpoint's subnet has network policies Enabled: nsg-pe 100 denies the
        // spoke on 443 [POLICY]; the A record-set resource is what resolves it [DNS].
        (
            "10.1.1.4",
            "contosost.blob.core.windows.net",
            Verdict::Deny,
            Some("nsg-pe/deny-spoke-in"),
            Some("pe-st-nic-3d4e"),
            "POLICY",
        ),
        // vnet-other is linked to neither zone: the names resolve publicly, so the private
        // endpoints are not on its path [LINKS]; the Azure import models no outbound internet,
        // so the public name has no route.
        (
            "10.2.1.4",
            "contoso-aoai.openai.azure.com",
            Verdict::NoRoute,
            None,
            None,
            "LINKS",
        ),
    ];
    let mut failed = Vec::new();
    for &(from, to, verdict, rule, pe, doc) in rows {
        let tr = trace(
            &t,
            &Query::new(from, to, Some(443), Protocol::Tcp),
            &WhatIf::default(),
        )
        .unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
        let decided = tr
            .decided_by
            .as_ref()
            .map(|d| format!("{}/{}", d.rule_set, d.rule));
        let got_pe = tr.path.iter().any(|p| Some(p.as_str()) == pe);
        let any_pe = tr.path.iter().any(|p| p.starts_with("pe-"));
        let ok = tr.verdict == verdict
            && (rule.is_none() || decided.as_deref() == rule)
            && (pe.map_or(!any_pe, |_| got_pe));
        if !ok {
            failed.push(format!(
                "{from} -> {to} [{doc}]: {:?} by {decided:?}, path {:?}",
                tr.verdict, tr.path
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn what_the_export_holds_becomes_endpoints_zones_and_records() {
    let (imp, t) = imported();
    let d = &imp.document;
    // [PE]: the NIC of each private endpoint is the private endpoint, targeting its service.
    let pe = d
        .endpoints
        .iter()
        .find(|e| e.ip.as_deref() == Some("10.0.1.5"))
        .expect("pe-aoai's NIC");
    assert_eq!(pe.kind, "private_endpoint");
    assert_eq!(pe.name.as_deref(), Some("pe-aoai"));
    assert_eq!(pe.dns_zone.as_deref(), Some("privatelink.openai.azure.com"));
    let svc = d
        .endpoints
        .iter()
        .find(|e| Some(&e.id) == pe.target.as_ref())
        .expect("the target service");
    assert_eq!(svc.kind, "ai_service");
    assert_eq!(svc.fqdn.as_deref(), Some("contoso-aoai.openai.azure.com"));
    // [LINKS]: linked to the hub and the spoke only; the record-set resource is a record.
    let blob = d
        .dns
        .iter()
        .find(|z| z.zone == "privatelink.blob.core.windows.net")
        .expect("the blob zone");
    assert_eq!(blob.linked, ["vnet-hub", "vnet-spoke"]);
    assert_eq!(
        blob.records.get("contosost").map(String::as_str),
        Some("10.0.3.5")
    );
    // [POLICY]: written on the subnets that hold private endpoints.
    let hub = &d
        .networks
        .iter()
        .find(|n| n.id == "vnet-hub")
        .unwrap()
        .subnets;
    let pep: Vec<_> = hub
        .iter()
        .map(|s| (s.id.as_str(), s.private_endpoint_policies.as_deref()))
        .collect();
    assert_eq!(
        pep,
        [
            ("vnet-hub/snet-pe", Some("disabled")),
            ("vnet-hub/snet-pe2", Some("enabled"))
        ]
    );
    // The services' public access is not in a network export: an assumption, said so.
    assert!(
        imp.report
            .findings
            .iter()
            .any(|f| f.kind == FindingKind::Assumed
                && f.message.contains("public network access of contoso-aoai"))
    );
    // Nothing of these types is left unsupported.
    let left: Vec<_> = imp
        .report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::Unsupported)
        .map(|f| f.message.clone())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(t.endpoints().len(), 6);
}

#[test]
fn a_connection_that_is_not_approved_carries_no_traffic() {
    // [PE]: "the connection must be approved" before traffic flows; a Pending one is skipped
    // with a finding at its state's JSON path.
    let text = std::fs::read_to_string(fixture()).unwrap();
    let text = text.replacen("\"Approved\"", "\"Pending\"", 1);
    let dir = std::env::temp_dir().join(format!("zs-pe-pending-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("resources.json");
    std::fs::write(&p, text).unwrap();
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(imp.report.findings.iter().any(|f| {
        f.kind == FindingKind::Unsupported
            && f.json_path
                .ends_with("privateLinkServiceConnectionState.status")
            && f.message.contains("Pending")
    }));
    assert!(
        !imp.document
            .endpoints
            .iter()
            .any(|e| e.name.as_deref() == Some("pe-aoai") && e.kind == "private_endpoint")
    );
}

#[test]
fn several_files_are_one_export_and_a_missing_type_is_read_from_the_id() {
    // SPEC §12: `import azure FILE...`. The fixture split in two files (networks and NSGs in
    // one, everything else in the other) imports as the one file does.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    let all = v["data"].as_array().unwrap().clone();
    let (a, b): (Vec<_>, Vec<_>) = all.into_iter().partition(|r| {
        let t = r["type"].as_str().unwrap_or("");
        t.ends_with("virtualnetworks") || t.ends_with("networksecuritygroups")
    });
    let dir = std::env::temp_dir().join(format!("zs-pe-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (fa, fb) = (dir.join("a.json"), dir.join("b.json"));
    std::fs::write(&fa, serde_json::Value::Array(a).to_string()).unwrap();
    // An ARM REST example may leave `type` out: the id says it (…/providers/NS/TYPE/NAME).
    let b: Vec<serde_json::Value> = b
        .into_iter()
        .map(|mut r| {
            if r["type"] == "microsoft.network/privatednszones/a" {
                r.as_object_mut().unwrap().remove("type");
            }
            r
        })
        .collect();
    std::fs::write(&fb, serde_json::Value::Array(b).to_string()).unwrap();
    let run = |args: &[&std::path::Path]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
            .arg("import")
            .arg("azure")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let split = run(&[&fa, &fb]);
    let whole = run(&[&fixture()]);
    let _ = std::fs::remove_dir_all(&dir);
    // The same design but for its name line.
    let body = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("name:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&split), body(&whole));
    assert!(split.contains("contosost: \"10.0.3.5\""), "{split}");
    // aws takes one directory: a second is a usage error (exit 2) with a hint.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["import", "aws"])
        .arg(fixture())
        .arg(fixture())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("takes one directory"));
}
