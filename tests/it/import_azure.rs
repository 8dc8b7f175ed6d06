//! The Azure importer (issue 18): virtual networks, subnets (embedded and as separate
//! resources), peerings joined by resource id case-insensitively, NSGs, ASGs and NICs;
//! unsupported types reported with file and JSON path, bad JSON an error with the JSON path.
//! The real exports and their truth table are in `import_azure_reference.rs`.

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
    // The NSG (data[3], no rules) is a rule set of kind nsg: Azure's defaults only.
    let un: Vec<_> = imp.report.of_kind(FindingKind::Unsupported).collect();
    assert!(un.is_empty(), "{un:?}");
    assert_eq!(d.rule_sets.len(), 1);
    assert_eq!(
        (d.rule_sets[0].id.as_str(), d.rule_sets[0].kind.as_str()),
        ("nsg-app", "nsg")
    );
    assert!(d.rule_sets[0].rules.is_empty());
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

/// A large export's pages are read row by row, each row's unread fields (and a VM's
/// properties, which no reader uses) left unparsed: the same resources, one file each (each
/// parsed whole), give the same design and the same findings, and so does the page with every
/// resource's `properties` flattened as the az CLI prints them.
#[test]
fn a_page_and_one_file_per_resource_give_the_same_design() {
    use serde_json::{Value, json};
    let text = std::fs::read_to_string(fixture("fw/hub-spoke-fw.json")).unwrap();
    let mut page: Value = serde_json::from_str(&text).unwrap();
    let rows = page["data"].as_array_mut().unwrap();
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net";
    // A VM no NIC names (a finding either way), and one the NIC nic-app names.
    for name in ["vm-orphan", "nic-app"] {
        rows.push(json!({
            "id": format!("{sub}/providers/Microsoft.Compute/virtualMachines/{name}"),
            "name": name, "type": "microsoft.compute/virtualmachines", "location": "eastus",
            "tenantId": "t", "zones": null, "extendedLocation": null,
            "properties": {"hardwareProfile": {"vmSize": "Standard_B2s"}, "x": [1, {"y": null}]}
        }));
    }
    let rows = rows.clone();
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    for d in [&a, &b, &c] {
        std::fs::create_dir(d).unwrap();
    }
    std::fs::write(a.join("page.json"), page.to_string()).unwrap();
    for (i, r) in rows.iter().enumerate() {
        std::fs::write(b.join(format!("r{i:03}.json")), r.to_string()).unwrap();
    }
    let flat: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let o = r.as_object_mut().unwrap();
            if let Some(Value::Object(p)) = o.remove("properties") {
                o.extend(p);
            }
            r
        })
        .collect();
    std::fs::write(c.join("flat.json"), Value::Array(flat).to_string()).unwrap();
    let seen = |p: &Path| {
        let imp = import::import(p, InputKind::Azure, ImportOptions::default()).unwrap();
        let yaml = imp.to_yaml().unwrap();
        let body: Vec<String> = yaml
            .lines()
            .filter(|l| !l.starts_with("name: "))
            .map(str::to_string)
            .collect();
        let mut findings: Vec<(FindingKind, String)> = imp
            .report
            .findings
            .iter()
            .map(|f| (f.kind, f.message.clone()))
            .collect();
        findings.sort();
        (body, findings, imp.report.counts.clone())
    };
    let page_read = seen(&a);
    assert!(
        page_read
            .1
            .iter()
            .any(|(_, m)| m.contains("virtual machine vm-orphan")),
        "{:?}",
        page_read.1
    );
    assert_eq!(page_read, seen(&b));
    assert_eq!(page_read, seen(&c));
}
