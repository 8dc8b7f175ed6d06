//! `zonescope gen --as terraform` (issue 13): the synthetic design written as the
//! `terraform show -json` output of an azurerm state (src/gen/terraform.rs) imports through
//! the Terraform importer with the Azure import's networks, subnets, NSGs, route tables and
//! peerings, the YAML design's endpoints in the zones the design gives them, and the verdicts
//! of `gen_azure.rs`'s truth table (`assert_rows`) (each row citing the Azure documentation it follows) on both
//! the YAML design and the Terraform import.

use zonescope::generate::{GenParams, generate_azure, generate_terraform};
use zonescope::import::{self, FindingKind, ImportOptions, azure, terraform};

use crate::gen_azure::{yaml_design, zones_by_ip};

fn written(text: &str, suffix: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .expect("tempfile");
    std::fs::write(file.path(), text).expect("write");
    file
}

#[test]
fn the_small_state_imports_as_the_azure_export_does() {
    let p = GenParams::size("S").expect("S");
    let state = generate_terraform(&p);
    let s = state.stats;
    let file = written(state.text(), ".json");
    assert_eq!(import::detect(file.path()), import::InputKind::Terraform);
    let tf = terraform::import(file.path(), ImportOptions::for_loader()).expect("imports");
    let az_file = written(&generate_azure(&p).text(), ".json");
    let az = azure::import(az_file.path(), ImportOptions::for_loader()).expect("imports");
    let (t, a) = (&tf.report, &az.report);
    for what in [
        "networks",
        "subnets",
        "peerings",
        "NSGs",
        "route tables",
        "private endpoints",
        "private DNS zones",
    ] {
        assert_eq!(t.count(what), a.count(what), "{what}");
    }
    assert_eq!(t.count("networks"), s.virtual_networks);
    assert_eq!(t.count("subnets"), s.subnets);
    // A private endpoint's NIC is Azure's own, not a Terraform resource: the state holds the
    // VMs' NICs only.
    assert_eq!(t.count("network interfaces"), s.azure.virtual_machines);
    assert_eq!(s.network_interfaces, s.azure.virtual_machines);
    // The same rules, each NSG's from its inline `security_rule` blocks.
    assert_eq!(s.security_rules, s.azure.security_rules);
    // The only unsupported findings are the Azure import's: each hub's appliance, whose own
    // filtering is not in a state either (docs/import-azure.md, Routes).
    let unsupported: Vec<_> = tf.report.of_kind(FindingKind::Unsupported).collect();
    assert_eq!(unsupported.len(), 2, "{unsupported:#?}");
    assert!(
        unsupported
            .iter()
            .all(|f| f.message.contains("is an appliance")),
        "{unsupported:#?}"
    );
    // Findings name the Terraform resource (in its module), not an ARM shape.
    assert!(
        unsupported[0]
            .message
            .starts_with("module.landing_zone[\"rg-hub-"),
        "{}",
        unsupported[0].message
    );
    // The storage and OpenAI accounts are read for their public network access.
    assert!(
        !tf.report
            .findings
            .iter()
            .any(|f| f.message.contains("public network access")),
        "{:#?}",
        tf.report.findings
    );

    let yaml = yaml_design();
    let tt = import::load_any(file.path()).expect("loads").0;
    assert_eq!(tt.networks().len(), yaml.networks().len());
    assert_eq!(tt.subnets().len(), yaml.subnets().len());
    assert_eq!(tt.endpoints().len(), yaml.endpoints().len());
    assert_eq!(zones_by_ip(&tt), zones_by_ip(&yaml));
}

#[test]
fn verdicts_on_the_small_state_are_the_designs_and_azures() {
    let state = generate_terraform(&GenParams::size("S").expect("S"));
    let file = written(state.text(), ".json");
    let tt = import::load_any(file.path()).expect("loads").0;
    crate::gen_azure::assert_rows(&[("YAML", &yaml_design()), ("Terraform import", &tt)]);
}

#[test]
fn gen_as_terraform_writes_one_file_or_stdout_and_refuses_a_directory() {
    let root = tempfile::tempdir().expect("tempdir");
    let zonescope = || std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"));
    let p = GenParams {
        spokes: 1,
        ..GenParams::size("S").expect("S")
    };
    let lib = generate_terraform(&p);
    let file = root.path().join("state.json");
    let out = zonescope()
        .args(["gen", "--as", "terraform", "--spokes", "1", "-o"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), lib.text());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{} resources", lib.stats.resources)),
        "{err}"
    );
    // `terraform show -json` prints one line.
    assert_eq!(lib.text().lines().count(), 1);
    let out = zonescope()
        .args(["gen", "--as", "terraform", "--spokes", "1"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), lib.text());
    let out = zonescope()
        .args(["gen", "--as", "terraform", "-o"])
        .arg(root.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    // Every command reads it directly.
    let out = zonescope()
        .args(["check"])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check runs on the state: {out:?}"
    );
}
