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
        let (imp, body, findings) = imported_view(p);
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

/// A page's network interfaces are read field by field (only what the NIC reader uses is
/// built, `src/import/azure/read.rs`); one file per resource is parsed whole. NICs with every
/// shape the reader handles (unread fields at each level, a flattened ip configuration, one
/// with `properties: null`, a key written with a JSON escape, a duplicated key, own DNS
/// servers, a prefix for an address, no subnet) give the same design and findings both ways.
#[test]
fn a_page_of_nics_in_every_shape_reads_as_one_file_each() {
    use serde_json::{Value, json};
    let text = std::fs::read_to_string(fixture("fw/hub-spoke-fw.json")).unwrap();
    let mut page: Value = serde_json::from_str(&text).unwrap();
    let rows = page["data"].as_array_mut().unwrap();
    let snet = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke1/subnets/snet-app";
    for r in rows.iter_mut() {
        let name = r["name"].as_str().unwrap().to_string();
        let p = &mut r["properties"];
        match name.as_str() {
            "nic-app" => {
                p["macAddress"] = json!("00-0D-3A-00-03-20");
                p["tapConfigurations"] = json!([{"x": {"y": [1, 2.5, null, true, -3]}}]);
                p["dnsSettings"] = json!({"dnsServers": ["10.0.0.9"], "appliedDnsServers": []});
                p["ipConfigurations"][0]["etag"] = json!("W/\"1\"");
                p["ipConfigurations"][0]["properties"]["provisioningState"] = json!("Succeeded");
                p["ipConfigurations"].as_array_mut().unwrap().push(
                    json!({"name": "ipconfig2", "id": "/x/ipConfigurations/IPCONFIG2",
                        "privateIPAddress": "10.1.1.5", "primary": false,
                        "subnet": {"id": snet}}),
                );
            }
            "nic-db" => {
                p["ipConfigurations"][0]["properties"]["privateIPAddress"] = json!("10.2.1.16/28");
            }
            "nic-private" => {
                p["ipConfigurations"][0]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("subnet");
            }
            "nic-inspected" => {
                p["ipConfigurations"].as_array_mut().unwrap().push(
                    json!({"name": "ipconfig2", "properties": null, "privateIPAddress": "10.1.1.6",
                        "subnet": {"id": snet}}),
                );
            }
            _ => {}
        }
    }
    // Written as text: an escaped key (`s` as `\u0073`) and a key given twice (the last wins).
    let odd = |s: String| {
        s.replace(
            r#""privateIPAddress":"10.3.1.4""#,
            r#""privateIPAddress":"10.9.9.9","privateIPAddre\u0073s":"10.3.1.4""#,
        )
    };
    let rows = page["data"].as_array().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        std::fs::create_dir(d).unwrap();
    }
    let page_text = odd(page.to_string());
    assert!(page_text.contains(r"privateIPAddre\u0073s"));
    std::fs::write(a.join("page.json"), page_text).unwrap();
    for (i, r) in rows.iter().enumerate() {
        std::fs::write(b.join(format!("r{i:03}.json")), odd(r.to_string())).unwrap();
    }
    let seen = |p: &Path| {
        let (imp, body, findings) = imported_view(p);
        let ips: Vec<(String, Option<String>)> = imp
            .document
            .endpoints
            .iter()
            .map(|e| (e.id.clone(), e.ip.clone()))
            .collect();
        (body, findings, ips)
    };
    let page_read = seen(&a);
    let ip = |id: &str| {
        page_read
            .2
            .iter()
            .find(|(e, _)| e == id)
            .and_then(|(_, ip)| ip.clone())
    };
    assert_eq!(ip("nic-app-ipconfig2").as_deref(), Some("10.1.1.5"));
    assert_eq!(ip("nic-inspected-ipconfig2").as_deref(), Some("10.1.1.6"));
    assert_eq!(ip("nic-db").as_deref(), Some("10.2.1.16"));
    assert_eq!(ip("nic-batch").as_deref(), Some("10.3.1.4"));
    for part in [
        "nic-app: its own DNS servers",
        "holds the prefix 10.2.1.16/28",
        "nic-private ip configuration ipconfig1 names no subnet",
    ] {
        assert!(
            page_read.1.iter().any(|(_, m)| m.contains(part)),
            "{part}: {:?}",
            page_read.1
        );
    }
    assert_eq!(page_read, seen(&b));
}

/// An Azure import of `p`: the import, its YAML without the `name:` line (which names the
/// input), and its findings sorted.
fn imported_view(p: &Path) -> (import::Imported, Vec<String>, Vec<(FindingKind, String)>) {
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
    (imp, body, findings)
}
