//! Zones with a `role:` (SPEC §11.8): the checks and the flow anomalies follow the role, so a
//! renamed zone keeps them; without a role they fall back to the zone's id.

use zonescope::engine::check::findings;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::{Options, analyze_logs};
use zonescope::model::{Topology, ZoneRole, load_str};

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(text: &str, name: &str) -> Topology {
    load_str(text, name).unwrap_or_else(|e| panic!("{name} does not load:\n{}", e.plain()))
}

/// The design with its `data` zone renamed `db-tier`, declaring `role` (or none).
fn renamed(text: &str, role: Option<&str>) -> String {
    assert!(text.contains("- { id: data }") && text.contains("zone: data,"));
    let zone = match role {
        Some(r) => format!("- {{ id: db-tier, role: {r} }}"),
        None => "- { id: db-tier }".to_string(),
    };
    text.replace("- { id: data }", &zone)
        .replace("zone: data,", "zone: db-tier,")
}

/// The ids of the findings about the data zone, sorted.
fn data_findings(t: &Topology) -> Vec<String> {
    let mut ids: Vec<String> = findings(t)
        .into_iter()
        .map(|f| f.id)
        .filter(|id| ["lateral-movement", "data-egress", "broad-source"].contains(&id.as_str()))
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_renamed_data_zone_with_role_data_keeps_its_checks() {
    let text = read("samples/flawed-design.yaml");
    let original = data_findings(&load(&text, "flawed-design.yaml"));
    for id in ["lateral-movement", "data-egress", "broad-source"] {
        assert!(original.iter().any(|f| f == id), "{id}: {original:?}");
    }
    let with_role = load(&renamed(&text, Some("data")), "db-tier.yaml");
    assert_eq!(data_findings(&with_role), original);
    // The control: renamed without a role, the data checks go silent (the fallback is the id).
    let without = data_findings(&load(&renamed(&text, None), "db-tier-no-role.yaml"));
    for id in ["lateral-movement", "data-egress"] {
        assert!(!without.iter().any(|f| f == id), "{id}: {without:?}");
    }
}

fn data_zone_egress(t: &Topology) -> u64 {
    let log = format!(
        "{}/../shared/reference/flowlogs/azure-nsg-v2-sample.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let r = analyze_logs(
        t,
        &[log],
        Options {
            format: LogFormat::Auto,
            jobs: 1,
        },
    )
    .expect("the log is read");
    r.counts.data_zone_egress
}

#[test]
fn a_renamed_data_zone_with_role_data_keeps_its_flow_anomalies() {
    let text = read("tests/fixtures/flows/azure-doc.yaml");
    // tests/flows_report.rs: the VM's four outbound HTTPS flows are data zone egress.
    assert_eq!(data_zone_egress(&load(&text, "azure-doc.yaml")), 4);
    let with_role = load(&renamed(&text, Some("data")), "db-tier.yaml");
    assert_eq!(data_zone_egress(&with_role), 4);
    let without = load(&renamed(&text, None), "db-tier-no-role.yaml");
    assert_eq!(data_zone_egress(&without), 0);
}

#[test]
fn the_role_is_declared_or_taken_from_the_id() {
    let text = read("samples/flawed-design.yaml");
    let t = load(&renamed(&text, Some("Data")), "case.yaml");
    let zone = t
        .zones()
        .iter()
        .find(|z| z.id == "db-tier")
        .expect("db-tier");
    assert_eq!(zone.declared_role, Some(ZoneRole::Data));
    assert_eq!(zone.role(), Some(ZoneRole::Data));
    let t = load(&text, "flawed-design.yaml");
    let zone = t.zones().iter().find(|z| z.id == "data").expect("data");
    assert_eq!(
        (zone.declared_role, zone.role()),
        (None, Some(ZoneRole::Data))
    );
    // Every role of the list is accepted; the generator writes one on each zone.
    for role in ZoneRole::ALL {
        let t = load(&renamed(&text, Some(role.as_str())), "all.yaml");
        let zone = t
            .zones()
            .iter()
            .find(|z| z.id == "db-tier")
            .expect("db-tier");
        assert_eq!(zone.role(), Some(role));
    }
    let generated = zonescope::generate::generate(&zonescope::generate::GenParams::default());
    let t = load(&generated, "gen.yaml");
    assert!(t.zones().iter().all(|z| z.declared_role.is_some()));
}
