//! `zonescope diff`: file changes field by field, flow verdict changes, exit codes.

use std::path::Path;
use std::process::Command;

use zonescope::engine::diff::{Op, cause, diff, diff_capped};
use zonescope::model::{self, Topology, Verdict};

fn fixture(name: &str) -> Topology {
    model::load(Path::new(&format!("tests/fixtures/diff/{name}.yaml")))
        .unwrap_or_else(|e| panic!("{name}: {}", e.plain()))
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run zonescope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The deciding rule of an outcome as `RULE_SET/RULE`.
fn by(o: &zonescope::engine::diff::Outcome) -> Option<String> {
    o.decided_by.as_ref().map(ToString::to_string)
}

#[test]
fn identical_files_have_no_change_and_exit_0() {
    let d = diff(&fixture("base"), &fixture("base"));
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert!(d.flows.is_empty() && d.decided_by_changes.is_empty());
    assert!(!d.behaviour_changed);
    assert!(!d.coverage.capped);
    assert!(d.coverage.pairs_checked > 0 && d.coverage.port_intervals > 1);

    let base = "tests/fixtures/diff/base.yaml";
    let (code, out, _) = cli(&["diff", base, base]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("file: no change"), "{out}");
    assert!(out.contains("no behaviour change"), "{out}");
}

#[test]
fn a_flipped_rule_is_named_and_its_flow_changes_verdict() {
    let d = diff(&fixture("base"), &fixture("rule-flipped"));
    assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(
        (c.op, c.kind, c.id.as_str()),
        (Op::Changed, "rule", "nsg-data/allow-app")
    );
    assert_eq!(c.text, "rule nsg-data/allow-app action allow → deny");
    assert_eq!(d.flows.len(), 1, "{:#?}", d.flows);
    let f = &d.flows[0];
    assert_eq!(
        (f.from.as_str(), f.to.as_str(), f.ports.as_str()),
        ("web", "db", "5432")
    );
    assert_eq!(
        (f.old.verdict, f.new.verdict),
        (Verdict::Allow, Verdict::Deny)
    );
    assert_eq!(by(&f.new).as_deref(), Some("nsg-data/allow-app"));
    assert!(d.behaviour_changed);
}

#[test]
fn a_priority_change_lets_another_rule_win() {
    let d = diff(&fixture("base"), &fixture("priority-changed"));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(
        d.changes[0].text,
        "rule nsg-data/deny-rest priority 300 → 150"
    );
    assert_eq!(d.changes[0].fields[0].field, "priority");
    assert_eq!(d.flows.len(), 1, "{:#?}", d.flows);
    let f = &d.flows[0];
    assert_eq!(
        (f.from.as_str(), f.to.as_str(), f.port_from, f.port_to),
        ("web", "db", Some(5432), Some(5432))
    );
    assert_eq!(by(&f.old).as_deref(), Some("policies/P-001"));
    assert_eq!(f.new.verdict, Verdict::Deny);
    assert_eq!(by(&f.new).as_deref(), Some("nsg-data/deny-rest"));
}

#[test]
fn a_removed_peering_cuts_the_cross_region_flow() {
    let d = diff(&fixture("base"), &fixture("peering-removed"));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(
        (d.changes[0].op, d.changes[0].kind),
        (Op::Removed, "peering")
    );
    assert_eq!(d.changes[0].id, "hub <-> vnet-weu");
    let f = d
        .flows
        .iter()
        .find(|f| f.from == "web" && f.to == "model" && f.ports == "443")
        .expect("web -> model:443 changed");
    assert_eq!(
        (f.old.verdict, f.new.verdict),
        (Verdict::Allow, Verdict::NoRoute)
    );
    assert!(f.new.reason.contains("vnet-weu"), "{}", f.new.reason);
    // Adjacent intervals with the same change are merged: the whole port space is covered once.
    let mut web_model: Vec<(u16, u16)> = d
        .flows
        .iter()
        .filter(|f| f.from == "web" && f.to == "model")
        .map(|f| (f.port_from.unwrap(), f.port_to.unwrap()))
        .collect();
    web_model.sort_unstable();
    assert_eq!(web_model.first().map(|x| x.0), Some(0));
    assert_eq!(web_model.last().map(|x| x.1), Some(65535));
    for w in web_model.windows(2) {
        assert_eq!(u32::from(w[0].1) + 1, u32::from(w[1].0));
    }
    let (code, out, _) = cli(&[
        "diff",
        "tests/fixtures/diff/base.yaml",
        "tests/fixtures/diff/peering-removed.yaml",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("- peering hub <-> vnet-weu removed"), "{out}");
    assert!(
        out.contains("web → model  tcp/443  allow (policies/P-002) → no_route"),
        "{out}"
    );
}

#[test]
fn a_new_endpoint_is_listed_with_the_flows_it_gets() {
    let d = diff(&fixture("base"), &fixture("new-endpoint"));
    assert_eq!(d.changes.len(), 1);
    let c = &d.changes[0];
    assert_eq!(
        (c.op, c.kind, c.id.as_str()),
        (Op::Added, "endpoint", "cache")
    );
    assert!(
        c.text.contains("kind vector_db") && c.text.contains("subnet snet-app"),
        "{}",
        c.text
    );
    // Pairs present in both versions keep their verdicts ...
    assert!(d.flows.is_empty(), "{:#?}", d.flows);
    // ... but the new service is reachable, and reaches the database: drift to review.
    assert!(
        d.new_endpoint_flows
            .iter()
            .any(|f| f.from == "web" && f.to == "cache" && f.ports == "6379")
    );
    assert!(
        d.new_endpoint_flows
            .iter()
            .any(|f| f.from == "cache" && f.to == "db" && f.ports == "5432")
    );
    assert!(d.removed_endpoint_flows.is_empty());
    assert!(d.behaviour_changed);
    // The reverse direction: the endpoint is gone, with its flows.
    let r = diff(&fixture("new-endpoint"), &fixture("base"));
    assert_eq!(r.changes[0].op, Op::Removed);
    assert!(!r.removed_endpoint_flows.is_empty());
}

#[test]
fn a_justification_edit_is_a_file_change_but_no_behaviour_change() {
    let d = diff(&fixture("base"), &fixture("justification-only"));
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].fields[0].field, "justification");
    assert!(!d.behaviour_changed);
    let (code, _, _) = cli(&[
        "diff",
        "tests/fixtures/diff/base.yaml",
        "tests/fixtures/diff/justification-only.yaml",
    ]);
    assert_eq!(code, 0);
}

#[test]
fn json_output_has_the_changes_and_the_flows() {
    let (code, out, err) = cli(&[
        "diff",
        "tests/fixtures/diff/base.yaml",
        "tests/fixtures/diff/rule-flipped.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["behaviour_changed"], true);
    assert_eq!(v["changes"][0]["fields"][0]["field"], "action");
    assert_eq!(v["changes"][0]["fields"][0]["old"], "allow");
    assert_eq!(v["flows"][0]["old"]["verdict"], "allow");
    assert_eq!(v["flows"][0]["new"]["verdict"], "deny");
    // The deciding rule in the shape `trace --format json` gives it (SPEC §4).
    assert_eq!(v["flows"][0]["new"]["decided_by"]["rule_set"], "nsg-data");
    assert_eq!(v["flows"][0]["new"]["decided_by"]["rule"], "allow-app");
    assert_eq!(v["flows"][0]["new"]["decided_by"]["action"], "deny");
    assert_eq!(v["coverage"]["capped"], false);
}

#[test]
fn an_invalid_file_exits_2_with_the_loaders_error() {
    let (code, out, err) = cli(&[
        "diff",
        "tests/fixtures/diff/base.yaml",
        "tests/fixtures/diff/invalid.yaml",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("invalid.yaml:41"), "{err}");
    assert!(err.contains("snet-missing"), "{err}");
    let (code, _, err) = cli(&[
        "diff",
        "tests/fixtures/diff/base.yaml",
        "tests/fixtures/diff/nope.yaml",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_scan_is_bounded_and_says_so() {
    let d = diff_capped(&fixture("base"), &fixture("peering-removed"), 20);
    assert!(d.coverage.capped);
    assert!(d.coverage.pairs_checked < d.coverage.pairs);
    assert!(
        d.coverage
            .note
            .as_deref()
            .is_some_and(|n| n.contains("capped"))
    );
    assert!(d.coverage.traces <= 3 * 2 * 20);
}

#[test]
fn a_capped_scan_traces_the_pairs_the_change_touches_first() {
    // Budget for one pair only: it must be the pair the flipped rule is about.
    let full = diff(&fixture("base"), &fixture("rule-flipped"));
    let per_pair = full.coverage.port_intervals;
    let d = diff_capped(&fixture("base"), &fixture("rule-flipped"), per_pair);
    assert!(d.coverage.capped);
    assert_eq!(d.coverage.pairs_checked, 1);
    assert_eq!(d.flows.len(), 1, "{:#?}", d.flows);
    assert_eq!(
        (d.flows[0].from.as_str(), d.flows[0].to.as_str()),
        ("web", "db")
    );
}

#[test]
fn samples_against_themselves_do_not_change() {
    for f in std::fs::read_dir("samples").unwrap() {
        let p = f.unwrap().path();
        // samples/flows/ holds flow logs, not designs.
        if p.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let t = model::load(&p).unwrap();
        let d = diff(&t, &t);
        assert!(
            d.changes.is_empty() && !d.behaviour_changed,
            "{}",
            p.display()
        );
    }
}

/// Capped, `diff` still compares every endpoint pair exactly (TCP and UDP ports and routes) with
/// the reachability engine: the number of pairs it finds changed is the number of pairs whose
/// TCP or UDP verdict changes in an uncapped diff, and the flows it traces are real changes.
#[test]
fn a_capped_diff_finds_every_changed_pair_with_the_engine() {
    use std::collections::HashSet;
    use zonescope::generate::{GenParams, generate};
    use zonescope::model::rules::Protocol;
    let tiny = GenParams {
        regions: 1,
        spokes: 2,
        subnets: 3,
        endpoints: 2,
        seed: 3,
    };
    let base = generate(&tiny);
    let hub = std::fs::read_to_string("samples/azure-hub-spoke.yaml").unwrap();
    let cases: Vec<(&str, String, String)> = vec![
        (
            "a zone policy rule's port",
            base.clone(),
            base.replacen("ports: \"443\"", "ports: \"8443\"", 1),
        ),
        (
            "the bastion closed to the internet",
            base.clone(),
            base.replacen(
                "action: allow, protocol: tcp, source: Internet, destination: snet-bastion-r1",
                "action: deny, protocol: tcp, source: Internet, destination: snet-bastion-r1",
                1,
            ),
        ),
        (
            "a spoke without its hub firewall",
            base.clone(),
            base.replacen("egress: fw-r1", "", 1),
        ),
        (
            "a deny rule in the sample",
            hub.clone(),
            hub.replacen("action: allow", "action: deny", 1),
        ),
        ("no change", base.clone(), base.clone()),
    ];
    for (what, a, b) in cases {
        assert!(
            what == "no change" || a != b,
            "{what}: the edit did not apply"
        );
        let old = model::load_str(&a, "old.yaml").unwrap();
        let new =
            model::load_str(&b, "new.yaml").unwrap_or_else(|e| panic!("{what}: {}", e.plain()));
        let full = diff_capped(&old, &new, usize::MAX);
        assert!(!full.coverage.capped, "{what}");
        let truth: HashSet<(String, String)> = full
            .flows
            .iter()
            .filter(|f| matches!(f.protocol, Protocol::Tcp | Protocol::Udp))
            .map(|f| (f.from.clone(), f.to.clone()))
            .collect();
        assert_eq!(
            truth.is_empty(),
            what == "no change",
            "{what}: {} pairs",
            truth.len()
        );
        let capped = diff_capped(&old, &new, 400);
        assert!(capped.coverage.capped, "{what}");
        assert_eq!(
            capped.coverage.pairs_changed,
            Some(truth.len()),
            "{what}: changed pairs (the uncapped diff has {truth:?})"
        );
        assert_eq!(capped.behaviour_changed, !truth.is_empty(), "{what}");
        for f in &capped.flows {
            assert!(full.flows.contains(f), "{what}: {f:?} is not a real change");
        }
        if !truth.is_empty() {
            assert!(
                !capped.flows.is_empty(),
                "{what}: changed pairs are traced first"
            );
        }
    }
}

/// The internet is a destination of the diff too: a network that gains its way out (SPEC §11.1:
/// the implicit `0.0.0.0/0` goes to `internet` when `internet_egress` is true, else nowhere)
/// opens `model → internet`, and losing it closes that flow. Before, the diff compared only
/// endpoint pairs and flows from the internet, so a NAT gateway a plan attaches opened nothing.
#[test]
fn a_way_out_to_the_internet_is_a_changed_flow() {
    let text = std::fs::read_to_string("tests/fixtures/diff/base.yaml").unwrap();
    let out = text.replace(
        "  - id: vnet-weu\n    region: westeurope\n",
        "  - id: vnet-weu\n    region: westeurope\n    internet_egress: true\n",
    );
    assert_ne!(out, text);
    let (old, new) = (
        model::load_str(&text, "base.yaml").unwrap(),
        model::load_str(&out, "egress.yaml").unwrap(),
    );
    for (a, b, from, to) in [
        (&old, &new, Verdict::NoRoute, Verdict::Allow),
        (&new, &old, Verdict::Allow, Verdict::NoRoute),
    ] {
        let d = diff(a, b);
        assert!(d.behaviour_changed);
        let f = d
            .flows
            .iter()
            .find(|f| f.from == "model" && f.to == "internet")
            .unwrap_or_else(|| panic!("{:#?}", d.flows));
        assert_eq!((f.old.verdict, f.new.verdict), (from, to), "{f:?}");
        // Only the network that changed: the spokes still leave through the hub as before.
        assert!(
            d.flows
                .iter()
                .all(|f| f.to != "internet" || f.from == "model"),
            "{:#?}",
            d.flows
        );
    }
    // No rule opens or closes it: the cause is the change of the network it leaves through.
    for (a, b, effect) in [
        (&old, &new, cause::Effect::Opened),
        (&new, &old, cause::Effect::Closed),
    ] {
        let d = diff(a, b);
        let c = cause::causes(a, b, &d);
        let c = c
            .iter()
            .find(|c| c.flow.starts_with("model → internet"))
            .unwrap_or_else(|| panic!("{c:#?}"));
        assert_eq!(c.effect, effect, "{c:?}");
        assert!(c.new_rules.is_empty() && c.old_rules.is_empty(), "{c:?}");
        assert!(
            c.changes
                .iter()
                .any(|x| x.contains("vnet-weu") && x.contains("internet_egress")),
            "{c:?}"
        );
    }
    // The capped scan (every pair compared by the engine first) finds it as well.
    let d = diff_capped(&old, &new, 10);
    assert!(
        d.flows
            .iter()
            .any(|f| f.from == "model" && f.to == "internet"),
        "{:#?} {:?}",
        d.flows,
        d.coverage
    );
}
