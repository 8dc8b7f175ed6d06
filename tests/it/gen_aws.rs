//! `zonescope gen --as aws` (issue 17, item 8): the synthetic design written as an `aws ec2
//! describe-*` folder imports without an error and without an `unsupported` finding, with as
//! many VPCs, subnets, interfaces, security groups and network ACLs as the generator wrote (and
//! as the generator's documented shape implies), the same bytes for the same parameters, and
//! verdicts on the S folder that follow from AWS's documented semantics:
//! - security groups are stateful and allow-only: what no rule allows is denied
//!   (<https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html>);
//! - network ACLs are stateless, evaluated per subnet in rule-number order, the first match
//!   decides, and the `*` rule denies the rest
//!   (<https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html>,
//!   <https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html>);
//! - a VPC peering connection is not transitive
//!   (<https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html>).
//!
//! Addresses follow the generator's address plan (src/gen/mod.rs): with S, hub-r1 is
//! 10.0.0.0/22 (bastion subnet .64/26, bastion at offset 68, jumpbox at 132, the `OpenAI`
//! private endpoint at 260 = 10.0.1.4), spoke-r1-s1 10.0.4.0/22 (application 10.0.4.0/24,
//! inference 10.0.5.0/24 with the gateway at .4, data 10.0.6.0/24), spoke-r1-s2 10.0.8.0/22,
//! hub-r2 10.0.12.0/22 (its `OpenAI` private endpoint 10.0.13.4).

use std::path::Path;

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::generate::{AwsFolder, GenParams, generate_aws};
use zonescope::import::{self, FindingKind, ImportOptions, aws};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

fn write(folder: &AwsFolder, dir: &Path) {
    for (name, text) in folder.files() {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().expect("a region directory")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
}

fn small() -> (AwsFolder, tempfile::TempDir) {
    let folder = generate_aws(&GenParams::size("S").expect("S"));
    let dir = tempfile::tempdir().expect("tempdir");
    write(&folder, dir.path());
    (folder, dir)
}

fn tcp(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traces: {e}"))
}

/// What decided, by the kind of AWS resource its id names (`sg-…` a security group, `acl-…` a
/// network ACL), and the rule.
fn decided(tr: &Trace) -> (String, String) {
    let Some(d) = tr.decided_by.as_ref() else {
        return (String::new(), String::new());
    };
    let kind = match d.rule_set.split('-').next() {
        Some("sg") => "security_group",
        Some("acl") => "nacl",
        _ => "other",
    };
    (kind.to_string(), d.rule.clone())
}

#[test]
fn the_small_folder_imports_whole_without_unsupported_findings() {
    let (folder, dir) = small();
    let s = folder.stats;
    // The generator's shape (src/gen/mod.rs) for S = 2 regions × 2 spokes × 3 subnets × 26:
    // 2 hubs + 4 spokes; a hub has 5 subnets, a spoke 3 workload subnets and a private-endpoint
    // subnet; a hub holds 7 addressed endpoints (firewall, bastion, jumpbox, secrets,
    // monitoring, DNS, the OpenAI private endpoint), a spoke 3 × 26 + its gateway + its storage
    // private endpoint.
    assert_eq!((s.vpcs, s.subnets), (6, 2 * 5 + 4 * 4));
    assert_eq!(s.interfaces, 2 * 7 + 4 * (3 * 26 + 2));
    assert_eq!(s.vpc_endpoints, 2 + 4);
    assert_eq!(s.load_balancer_interfaces, 4);
    assert_eq!(s.peerings, 4 + 1, "each spoke with its hub, the two hubs");
    assert_eq!(folder.regions, ["us-east-1", "eu-west-1"]);

    let i = aws::import(dir.path(), ImportOptions::for_loader()).expect("imports");
    let unsupported: Vec<_> = i.report.of_kind(FindingKind::Unsupported).collect();
    assert!(unsupported.is_empty(), "{unsupported:#?}");
    let r = &i.report;
    assert_eq!(r.count("networks"), s.vpcs);
    assert_eq!(r.count("subnets"), s.subnets);
    assert_eq!(r.count("peerings"), s.peerings);
    assert_eq!(r.count("VPC endpoints"), s.vpc_endpoints);
    assert_eq!(r.count("instances"), s.instances);
    let doc = &i.document;
    let addressed = doc
        .endpoints
        .iter()
        .filter(|e| e.subnet.is_some() && e.ip.is_some())
        .count();
    assert_eq!(addressed, s.interfaces);
    let kind = |k: &str| doc.rule_sets.iter().filter(|r| r.kind == k).count();
    assert_eq!(kind("security_group"), s.security_groups);
    assert_eq!(kind("nacl"), s.network_acls);
    // Every subnet is zoned by its SecurityZone tag.
    assert!(
        doc.networks
            .iter()
            .flat_map(|n| &n.subnets)
            .all(|s| s.zone.is_some())
    );

    // Printed as one object (no -o), the same resources.
    let one = tempfile::NamedTempFile::new().expect("tempfile");
    std::fs::write(one.path(), folder.combined()).expect("write");
    let j = aws::import(one.path(), ImportOptions::for_loader()).expect("imports");
    assert_eq!(j.report.counts, i.report.counts);
}

#[test]
fn the_same_parameters_give_the_same_bytes_and_another_seed_other_rules() {
    let p = GenParams::size("S").expect("S");
    let a = generate_aws(&p).files();
    assert_eq!(a, generate_aws(&p).files());
    let other = generate_aws(&GenParams { seed: 2, ..p }).files();
    assert_ne!(a, other);
    assert_eq!(a.len(), 2 * 10, "ten describe calls in each of two regions");
}

#[test]
fn verdicts_on_the_small_folder_follow_aws_semantics() {
    let (_folder, dir) = small();
    let t = import::load_any(dir.path()).expect("loads").0;

    // bastion-r1 → jump-r1 tcp/22: the bastion's group allows 22 out to the hub (its NSG's
    // allow-ssh-rdp-out to VirtualNetwork), the management group allows 22 in from the bastion
    // subnet; both subnets have the VPC's default ACL (rule 100 allows all). SG rules doc.
    let tr = tcp(&t, "10.0.0.68", "10.0.0.132", 22);
    assert_eq!(tr.verdict, Verdict::Allow, "{tr:?}");

    // ep-r1-s1-1-1 → ep-r1-s1-3-1 tcp/6333: no outbound rule of the application group allows
    // 6333: a security group denies what it does not allow, at the source.
    let tr = tcp(&t, "10.0.4.4", "10.0.6.4", 6333);
    assert_eq!(tr.verdict, Verdict::Deny);
    assert_eq!(decided(&tr).0, "security_group", "{tr:?}");

    // gw-r1-s1 → pe-aoai-r1 tcp/443 over the spoke-to-hub peering: the hub private-endpoint
    // subnet's ACL denies the two application subnets (entries 100 and 110), which do not hold
    // 10.0.5.4; the first entry that matches is the allow at 120 (first match, NACL doc), and
    // the endpoint's group allows 443 from the inference subnets.
    let tr = tcp(&t, "10.0.5.4", "10.0.1.4", 443);
    assert_eq!(tr.verdict, Verdict::Allow, "{tr:?}");

    // The gateway's failover to region 2's private endpoint: hub-r2 is peered with hub-r1, not
    // with the spoke, and peering is not transitive: no route.
    let tr = tcp(&t, "10.0.5.4", "10.0.13.4", 443);
    assert_eq!(tr.verdict, Verdict::NoRoute, "{tr:?}");

    // An address of the application subnet that no interface holds has no security group; the
    // hub private-endpoint subnet's ACL entry 100 denies 10.0.4.0/24 before the allow at 120.
    let tr = tcp(&t, "10.0.4.200", "10.0.1.4", 443);
    assert_eq!(tr.verdict, Verdict::Deny);
    assert_eq!(
        decided(&tr),
        ("nacl".to_string(), "in-100".to_string()),
        "{tr:?}"
    );

    // The same address to the data subnet: the application subnet's ACL denies the data
    // subnet outbound at 100 (the NSG's deny-data-out), before its allow-all.
    let tr = tcp(&t, "10.0.4.200", "10.0.6.4", 6333);
    assert_eq!(tr.verdict, Verdict::Deny);
    assert_eq!(
        decided(&tr),
        ("nacl".to_string(), "out-100".to_string()),
        "{tr:?}"
    );
}

#[test]
fn gen_as_aws_writes_only_into_the_named_directory() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("snap");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["gen", "--as", "aws", "--size", "S", "-o"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    let top: Vec<_> = std::fs::read_dir(root.path())
        .expect("read")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(top, ["snap"]);
    let mut files: Vec<String> = Vec::new();
    for region in ["us-east-1", "eu-west-1"] {
        for e in std::fs::read_dir(dir.join(region)).expect("region dir") {
            files.push(e.expect("entry").file_name().to_string_lossy().into_owned());
        }
    }
    assert_eq!(files.len(), 20, "{files:?}");
    assert!(files.iter().all(
        |f| f.starts_with("describe-") && Path::new(f).extension().is_some_and(|x| x == "json")
    ));
    // The files are what the library writes.
    let lib = generate_aws(&GenParams::size("S").expect("S")).files();
    for (name, text) in lib {
        assert_eq!(
            std::fs::read_to_string(dir.join(&name)).expect("read"),
            text
        );
    }
    // -o naming a file is refused.
    let file = root.path().join("f.json");
    std::fs::write(&file, "x").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["gen", "--as", "aws", "-o"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "x");
}
