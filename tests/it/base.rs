//! A design that builds on an import (SPEC §12 `base:`): the imported configuration below, the
//! design's own zones, policies, endpoints and `expect:` on top, paths relative to the file.
//!
//! The base is Batfish's `test-public-private-subnet` AWS snapshot (../shared/reference), whose
//! dispositions Batfish publishes (AwsConfigurationPublicPrivateSubnetTest.java): the private
//! instance reaches the public one on SSH (tcp/22: both security groups allow it), not on 443
//! (the public instance's group sg-0662342465612f419 allows only 22 in).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::import;
use zonescope::model::rules::Protocol;
use zonescope::model::{ErrorCode, LoadError, Verdict};

const PRIVATE: &str = "i-099cf38911942421c";
const PUBLIC: &str = "i-094a9e5b545a4fde4";

fn snapshot() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/aws-describe/test-public-private-subnet")
}

/// A copy of the snapshot beside a design file with `body`, in a fresh folder.
fn design(body: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&snapshot(), &d.path().join("snapshot"));
    let file = d.path().join("design.yaml");
    std::fs::write(&file, body).unwrap();
    (d, file)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

const ON_TOP: &str = r#"version: 1
name: Public and private subnets, zones and expectations kept as code
base:
  aws: snapshot
  zones:
    dmz: [Public subnet]
    application: [10.0.1.0/24]
zones:
  - { id: dmz, role: dmz, description: the public subnet }
  - { id: application, role: application }
endpoints:
  - { id: app-2, kind: app, subnet: subnet-0f263105946ad1a1d, ip: 10.0.1.50, rules: [sg-063f2bb51713c3236] }
policies:
  - { id: ZP-1, name: No SSH from the application tier into the DMZ, from: application, to: dmz, protocol: tcp, ports: "22", action: deny, justification: operators use the bastion }
expect:
  - { name: no SSH from the private instance, from: i-099cf38911942421c, to: i-094a9e5b545a4fde4, port: 22, verdict: deny, rule: ZP-1 }
  - { name: no HTTPS either, from: i-099cf38911942421c, to: i-094a9e5b545a4fde4, port: 443, verdict: deny }
"#;

fn tcp(t: &zonescope::model::Topology, from: &str, to: &str, port: u16) -> (Verdict, String) {
    let q = Query::new(from, to, Some(port), Protocol::Tcp);
    let tr = trace(t, &q, &WhatIf::default()).unwrap();
    let rule = tr
        .decided_by
        .as_ref()
        .map(|d| format!("{}/{}", d.rule_set, d.rule))
        .unwrap_or_default();
    (tr.verdict, rule)
}

fn zs_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_designs_policy_decides_on_the_imported_configuration() {
    // Without the design on top, Batfish's verdict: SSH private → public is allowed.
    let (bare, _) = import::load_any(&snapshot()).unwrap();
    assert_eq!(tcp(&bare, PRIVATE, PUBLIC, 22).0, Verdict::Allow);
    let (_d, file) = design(ON_TOP);
    let (t, report) = import::load_any(&file).unwrap_or_else(|e| panic!("{e:?}"));
    // The import's report comes with it (the findings `check` lists).
    assert!(report.is_some_and(|r| r.count("networks") == 1));
    // SPEC §3: an explicit deny of the zone policy beats every allow.
    assert_eq!(
        tcp(&t, PRIVATE, PUBLIC, 22),
        (Verdict::Deny, "policies/ZP-1".to_string())
    );
    // The public instance's group still decides what it decided (Batfish: 443 denied in).
    assert_eq!(tcp(&t, PRIVATE, PUBLIC, 443).0, Verdict::Deny);
    // The zones of the base come from `base.zones`; the design's zones keep their roles.
    let zone_of = |id: &str| {
        let e = t.endpoint_ix(id).unwrap();
        t.endpoint(e).zone.map(|z| t.zone(z).id.clone())
    };
    assert_eq!(zone_of(PUBLIC).as_deref(), Some("dmz"));
    assert_eq!(zone_of(PRIVATE).as_deref(), Some("application"));
    assert_eq!(zone_of("app-2").as_deref(), Some("application"));
    assert_eq!(t.zones().len(), 2);
    // The design's own endpoint sits in the imported subnet behind the imported group.
    assert_eq!(tcp(&t, "app-2", PUBLIC, 22).0, Verdict::Deny);
    assert_eq!(
        t.name,
        "Public and private subnets, zones and expectations kept as code"
    );
}

#[test]
fn check_runs_the_expectations_and_the_base_is_relative_to_the_file() {
    let (d, file) = design(ON_TOP);
    // Run from another folder: `snapshot` is found beside the design, not in the working folder.
    let o = zs_in(
        Path::new("/"),
        &["check", file.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let ex = v["expectations"].as_array().unwrap();
    assert_eq!(ex.len(), 2, "{v:#}");
    assert!(ex.iter().all(|e| e["passed"] == true), "{ex:#?}");
    drop(d);
}

fn load_err(body: &str) -> LoadError {
    let (_d, file) = design(body);
    import::load_any(&file).map(|_| ()).expect_err("an error")
}

#[test]
fn a_base_naming_no_export_or_two_is_an_error_at_its_line() {
    let e = load_err("version: 1\nbase: {zones: {dmz: [10.0.0.0/24]}}\n");
    assert_eq!(e.errors[0].code, ErrorCode::BadBase, "{e:?}");
    assert_eq!(e.errors[0].at.line, 2);
    assert!(e.errors[0].message.contains("no export"), "{e:?}");
    let e = load_err("version: 1\nzones: []\nbase:\n  aws: snapshot\n  terraform: plan.json\n");
    assert_eq!(e.errors[0].code, ErrorCode::BadBase, "{e:?}");
    assert!(e.errors[0].message.contains("aws, terraform"), "{e:?}");
    assert!(e.errors[0].help.contains("name one export"), "{e:?}");
    // An unknown key of `base:` is the loader's usual unknown-key error.
    let e = load_err("version: 1\nbase: {aws: snapshot, azur: x}\n");
    assert_eq!(e.errors[0].code, ErrorCode::Yaml, "{e:?}");
    assert!(e.errors[0].message.contains("azur"), "{e:?}");
}

#[test]
fn a_missing_base_is_an_error_that_says_where_paths_start() {
    let e = load_err("version: 1\nbase: {aws: no-such-dir}\n");
    // At the path's own line, with the loader's code, not at 1:1.
    assert_eq!(e.errors[0].code, ErrorCode::BadBase, "{e:?}");
    assert_eq!(e.errors[0].at.line, 2, "{e:?}");
    let msg = format!("{} {}", e.errors[0].message, e.errors[0].help);
    assert!(
        msg.contains("no-such-dir") && msg.contains("relative to the design file"),
        "{msg}"
    );
    // Every command: exit 2 with the message.
    let (d, file) = design("version: 1\nbase: {aws: no-such-dir}\n");
    let o = zs_in(d.path(), &["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-dir"));
}

#[test]
fn defects_of_the_design_point_at_its_own_lines() {
    // An id the base already has, and a subnet neither part has: both at the design's lines.
    let body = "version: 1\nbase: {aws: snapshot}\nendpoints:\n  - { id: i-099cf38911942421c, kind: app, subnet: subnet-0f263105946ad1a1d, ip: 10.0.1.9 }\n  - { id: app-3, kind: app, subnet: subnet-nope, ip: 10.0.1.10 }\n";
    let e = load_err(body);
    let dup = e
        .errors
        .iter()
        .find(|x| x.code == ErrorCode::DuplicateId)
        .unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(dup.at.line, 4, "{dup:?}");
    let unknown = e
        .errors
        .iter()
        .find(|x| x.code == ErrorCode::UnknownId)
        .unwrap_or_else(|| panic!("{e:?}"));
    assert_eq!(unknown.at.line, 5, "{unknown:?}");
    // The shown text is the design, then the import under a line that says what it is.
    assert!(
        e.text.starts_with(body),
        "{}",
        &e.text[..200.min(e.text.len())]
    );
    assert!(e.text[body.len()..].starts_with("# ---- base: aws "));
    // The loader without an importer refuses `base:` instead of ignoring it.
    let plain = zonescope::model::load_str(body, "design.yaml").expect_err("no importer");
    assert_eq!(plain.errors[0].code, ErrorCode::BadBase);
}

#[test]
fn a_design_builds_on_azure_resource_json() {
    // Two virtual networks peered (Connected), no NSG on either subnet: Azure routes peered
    // networks directly (system route `VNetPeering`, learn.microsoft.com/azure/virtual-network/
    // virtual-networks-udr-overview) and a subnet and NIC without an NSG allow all traffic
    // (learn.microsoft.com/azure/virtual-network/network-security-groups-overview).
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/azure/two-vnets.json"),
        d.path().join("export.json"),
    )
    .unwrap();
    let file = d.path().join("design.yaml");
    std::fs::write(
        &file,
        "version: 1\nbase: {azure: export.json}\nendpoints:\n  - { id: vm-app, kind: app, subnet: vnet-spoke/snet-app, ip: 10.1.1.4 }\n  - { id: vm-hub, kind: app, subnet: vnet-hub/snet-fw, ip: 10.0.1.4 }\n",
    )
    .unwrap();
    let (t, report) = import::load_any(&file).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        report.is_some(),
        "the import's findings come with the design"
    );
    assert_eq!(tcp(&t, "vm-app", "vm-hub", 443).0, Verdict::Allow);
}
