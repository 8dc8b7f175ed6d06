//! The Azure importer (issue 18), first slice: virtual networks, subnets (embedded and as
//! separate resources), peerings joined by resource id case-insensitively, unsupported types
//! reported with file and JSON path, bad JSON an error with the JSON path.

use std::path::Path;

use zonescope::import::{self, FindingKind, ImportOptions, InputKind};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure")
        .join(name)
}

#[test]
fn vnets_subnets_and_peerings_import_and_load() {
    let p = fixture("two-vnets.json");
    assert_eq!(import::detect(&p), InputKind::Azure);
    let imp = import::import(&p, InputKind::Azure, ImportOptions::default()).unwrap();
    let d = &imp.document;
    let ids: Vec<&str> = d.networks.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["vnet-hub", "vnet-spoke"]);
    assert_eq!(d.networks[0].region.as_deref(), Some("westeurope"));
    assert_eq!(d.networks[0].subnets[0].id, "vnet-hub/snet-fw");
    assert_eq!(d.networks[1].subnets[0].id, "vnet-spoke/snet-app");
    assert_eq!(d.networks[1].subnets[0].cidr, ["10.1.1.0/24"]);
    // The peering names the spoke in another case: joined by id, case-insensitively.
    assert_eq!(
        d.peerings,
        [["vnet-hub".to_string(), "vnet-spoke".to_string()]]
    );
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    assert_eq!(un.len(), 1);
    assert_eq!(un[0].json_path, "data[3]");
    assert!(un[0].message.contains("networksecuritygroups"));
    imp.load("two-vnets").unwrap();
}

#[test]
fn bad_shape_names_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.json");
    std::fs::write(&p, r#"[{"id": "/subscriptions/x", "type": 7}]"#).unwrap();
    let e = import::import(&p, InputKind::Azure, ImportOptions::default()).unwrap_err();
    assert_eq!(e.json_path, "[0]");
}
