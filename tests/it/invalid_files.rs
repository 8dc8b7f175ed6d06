//! Every kind of invalid topology file gives a clear error: its stable code, the file, line and
//! column, what is wrong and a hint — exit 2, never a panic. One defect per fixture in
//! `tests/fixtures/invalid/`; the whole message is snapshotted.

use std::path::Path;
use std::process::Command;

use zonescope::model::{ErrorCode, load};

/// (fixture, expected code, expected line)
const CASES: &[(&str, ErrorCode, u32)] = &[
    ("bad-yaml", ErrorCode::Yaml, 17),
    ("empty-file", ErrorCode::Empty, 1),
    ("unknown-version", ErrorCode::Version, 2),
    ("unknown-key", ErrorCode::Yaml, 31),
    ("missing-key", ErrorCode::MissingKey, 25),
    ("unknown-id", ErrorCode::UnknownId, 34),
    ("wrong-kind", ErrorCode::WrongKind, 26),
    ("duplicate-id", ErrorCode::DuplicateId, 32),
    // YAML keys are unique within a mapping: an item's, and a map section's
    ("duplicate-key", ErrorCode::Yaml, 32),
    ("duplicate-service-tag", ErrorCode::Yaml, 52),
    ("bad-cidr", ErrorCode::BadCidr, 25),
    ("host-bits", ErrorCode::BadCidr, 25),
    ("bad-ip", ErrorCode::BadIp, 35),
    ("ip-outside-subnet", ErrorCode::IpOutsideSubnet, 35),
    (
        "subnet-outside-network",
        ErrorCode::SubnetOutsideNetwork,
        25,
    ),
    ("overlapping-subnets", ErrorCode::OverlappingSubnets, 25),
    ("overlapping-peers", ErrorCode::OverlappingPeers, 18),
    ("security-group-deny", ErrorCode::SecurityGroupDeny, 44),
    ("duplicate-priority", ErrorCode::DuplicatePriority, 50),
    ("bad-port", ErrorCode::BadPort, 48),
    ("bad-port-range", ErrorCode::BadPort, 48),
    ("bad-protocol", ErrorCode::BadProtocol, 45),
    ("nsg-priority-out-of-range", ErrorCode::BadPriority, 42),
    ("missing-direction", ErrorCode::MissingKey, 41),
    ("bad-verdict", ErrorCode::BadValue, 53),
    ("unknown-selector", ErrorCode::UnknownId, 47),
    ("unknown-role", ErrorCode::UnknownRole, 7),
    // SPEC §11.4–§11.6 keys
    ("bad-rule-type", ErrorCode::BadRuleType, 53),
    ("bad-default", ErrorCode::BadDefault, 50),
    ("bad-ephemeral", ErrorCode::BadEphemeral, 50),
    // SPEC §11.6: only a DNAT rule translates
    ("bad-translation", ErrorCode::BadTranslation, 56),
    ("ambiguous-name", ErrorCode::AmbiguousName, 57),
    ("security-group-in-nsg", ErrorCode::WrongKind, 58),
    ("unknown-asg", ErrorCode::UnknownId, 33),
    // https://learn.microsoft.com/azure/virtual-network/application-security-groups
    // ("All network interfaces assigned to an application security group have to exist in the
    // same virtual network")
    ("asg-across-networks", ErrorCode::AsgAcrossNetworks, 37),
    // the same page: "If you specify an application security group as the source and
    // destination in a security rule, the network interfaces in both application security
    // groups must exist in the same virtual network"
    ("asg-pair-across-networks", ErrorCode::AsgAcrossNetworks, 56),
];

fn fixture(name: &str) -> String {
    format!("tests/fixtures/invalid/{name}.yaml")
}

#[test]
fn every_invalid_fixture_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir("tests/fixtures/invalid")
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn each_defect_is_reported_with_its_code_line_and_hint() {
    for (name, code, line) in CASES {
        let path = fixture(name);
        let err = load(Path::new(&path)).expect_err(name);
        assert_eq!(
            err.errors.len(),
            1,
            "{name}: exactly one defect, got {}",
            err.plain()
        );
        let e = err.first();
        assert_eq!(e.code, *code, "{name}: {}", err.plain());
        assert_eq!(e.at.line, *line, "{name}: {}", err.plain());
        assert!(e.at.column >= 1, "{name}: a column");
        assert!(!e.help.is_empty(), "{name}: a hint");
        insta::assert_snapshot!(format!("invalid-{name}"), err.render(false, 5));
    }
}

#[test]
fn the_valid_base_of_the_fixtures_loads() {
    load(Path::new("tests/fixtures/valid-base.yaml"))
        .expect("the base of every invalid fixture is valid");
}

#[test]
fn the_cli_exits_2_and_names_file_line_and_column() {
    for (name, _, line) in CASES {
        let path = fixture(name);
        let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
            .args(["check", &path])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("{path}:{line}:")), "{name}: {err}");
        assert!(err.contains("help:"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    }
}

#[test]
fn a_missing_file_is_an_input_error_not_a_panic() {
    let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["trace", "does/not/exist.yaml", "--from", "a", "--to", "b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the file"), "{err}");
}

#[test]
fn several_defects_are_all_reported() {
    let text = std::fs::read_to_string("tests/fixtures/valid-base.yaml")
        .unwrap()
        .replace("subnet: snet-data", "subnet: nowhere")
        .replace("protocol: tcp", "protocol: sctp");
    let err = zonescope::model::load_str(&text, "two-defects.yaml").unwrap_err();
    let codes: Vec<ErrorCode> = err.errors.iter().map(|e| e.code).collect();
    assert!(codes.contains(&ErrorCode::UnknownId), "{codes:?}");
    assert!(codes.contains(&ErrorCode::BadProtocol), "{codes:?}");
}
