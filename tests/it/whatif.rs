//! What-if: gateway failover order across regions, and private endpoints that must fail rather
//! than fall back to the public endpoint (seed 002's failover test).

use std::path::Path;
use std::process::Command;

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{self, Topology, Verdict};

fn sample(name: &str) -> Topology {
    model::load(Path::new(&format!("samples/{name}.yaml"))).unwrap()
}

fn run(t: &Topology, from: &str, to: &str, disable: &[&str]) -> Trace {
    let mut w = WhatIf::default();
    for d in disable {
        w.disable(t, d).unwrap();
    }
    trace(t, &Query::new(from, to, Some(443), Protocol::Tcp), &w).unwrap()
}

/// (backend, region, serving) in pool order.
fn pool(tr: &Trace) -> Vec<(String, String, bool)> {
    tr.backends
        .iter()
        .map(|b| {
            let i = b.backend.as_ref().unwrap();
            (
                b.to.clone(),
                i.region.clone().unwrap_or_default(),
                i.serving,
            )
        })
        .collect()
}

fn serving(tr: &Trace) -> Vec<String> {
    pool(tr).into_iter().filter(|b| b.2).map(|b| b.0).collect()
}

#[test]
fn multiregion_failover_goes_by_priority() {
    let t = sample("azure-openai-multiregion");
    let all = run(&t, "orchestrator", "apim", &[]);
    assert_eq!(all.verdict, Verdict::Allow);
    // Pool order is priority order, and each backend reports the region of the model it serves.
    assert_eq!(
        pool(&all),
        vec![
            ("pe-aoai-jpe".into(), "japaneast".into(), true),
            ("pe-aoai-eus".into(), "eastus".into(), false),
            ("pe-aoai-weu".into(), "westeurope".into(), false),
        ]
    );
    // Priority 1 down: the whole priority-2 group takes over.
    let jpe_down = run(&t, "orchestrator", "apim", &["pe-aoai-jpe"]);
    assert_eq!(serving(&jpe_down), ["pe-aoai-eus", "pe-aoai-weu"]);
    assert!(jpe_down.backends[0].backend.as_ref().unwrap().disabled);
    // A whole region down (the model's region, not the private endpoint's) does the same.
    let region_down = run(&t, "orchestrator", "apim", &["japaneast"]);
    assert_eq!(serving(&region_down), ["pe-aoai-eus", "pe-aoai-weu"]);
    // Then eastus too: westeurope alone.
    let two_down = run(&t, "orchestrator", "apim", &["japaneast", "eastus"]);
    assert_eq!(serving(&two_down), ["pe-aoai-weu"]);
    // Everything down: the gateway still answers, nothing serves.
    let none = run(
        &t,
        "orchestrator",
        "apim",
        &["japaneast", "eastus", "westeurope"],
    );
    assert_eq!(none.verdict, Verdict::Allow);
    assert!(serving(&none).is_empty());
}

#[test]
fn hub_spoke_failover_crosses_regions_through_the_firewalls() {
    let t = sample("azure-hub-spoke");
    let all = run(&t, "web", "apim", &[]);
    let s = serving(&all);
    assert_eq!(s.len(), 1, "{:?}", pool(&all));
    let eus_down = run(&t, "web", "apim", &["pe-aoai-eus"]);
    let s2 = serving(&eus_down);
    assert_eq!(s2, ["pe-aoai-weu"], "{:?}", pool(&eus_down));
    let b = eus_down
        .backends
        .iter()
        .find(|b| b.to == "pe-aoai-weu")
        .unwrap();
    assert_eq!(
        b.backend.as_ref().unwrap().region.as_deref(),
        Some("westeurope")
    );
    assert!(b.path.iter().any(|p| p == "fw-eus"), "{:?}", b.path);
}

#[test]
fn a_disabled_private_endpoint_fails_closed() {
    let t = sample("azure-hub-spoke");
    // By id: the gateway's flow would go public, where public access is disabled.
    let tr = run(&t, "apim", "aoai-eus", &["pe-aoai-eus"]);
    assert_ne!(tr.verdict, Verdict::Allow);
    let fb = tr.fallback.as_ref().expect("fallback reported");
    assert_eq!(fb.private_endpoints_down, ["pe-aoai-eus"]);
    assert!(!fb.falls_back);
    assert!(fb.note.starts_with("none"), "{}", fb.note);
    // By name: DNS still answers with the private endpoint, so the call fails outright.
    let tr = run(&t, "apim", "contoso-eus.openai.azure.com", &["pe-aoai-eus"]);
    assert_eq!(tr.verdict, Verdict::NoRoute);
    let fb = tr.fallback.as_ref().unwrap();
    assert!(!fb.public && !fb.falls_back);
    assert!(fb.note.contains("connection error"), "{}", fb.note);
    assert!(
        tr.fix.is_none(),
        "a what-if needs no design fix: {:?}",
        tr.fix
    );
    // Without a what-if there is nothing to report.
    assert!(run(&t, "apim", "aoai-eus", &[]).fallback.is_none());
}

#[test]
fn private_link_consumer_fails_when_its_private_endpoint_is_down() {
    let t = sample("azure-openai-private-link");
    let tr = run(&t, "orchestrator", "appgw-pl", &["pe-gateway"]);
    assert_ne!(tr.verdict, Verdict::Allow);
    assert!(!tr.fallback.as_ref().unwrap().falls_back);
}

#[test]
fn an_open_public_endpoint_is_a_silent_fallback() {
    let t = sample("flawed-design");
    let tr = run(&t, "web", "aoai", &["pe-aoai"]);
    assert_eq!(tr.verdict, Verdict::Allow);
    assert!(tr.public);
    let fb = tr.fallback.as_ref().unwrap();
    assert!(fb.public && fb.falls_back);
    assert!(
        fb.note
            .starts_with("WARNING: falls back to the public endpoint"),
        "{}",
        fb.note
    );
}

#[test]
fn the_text_output_shows_failover_order_and_fallback() {
    let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "trace",
            "samples/azure-openai-multiregion.yaml",
            "--from",
            "orchestrator",
            "--to",
            "apim",
            "--disable",
            "pe-aoai-jpe",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("what-if: disabled pe-aoai-jpe"), "{text}");
    assert!(
        text.contains(
            "failover order priority 1 → priority 2; serving now: pe-aoai-eus, pe-aoai-weu"
        ),
        "{text}"
    );
    assert!(
        text.contains("pe-aoai-jpe priority 1 in japaneast NO ROUTE  disabled (what-if)"),
        "{text}"
    );
    assert!(
        text.contains("▶ pe-aoai-eus priority 2 in eastus ALLOW  serving"),
        "{text}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "trace",
            "samples/flawed-design.yaml",
            "--from",
            "web",
            "--to",
            "aoai",
            "--disable",
            "pe-aoai",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["fallback"]["falls_back"], true);
    assert_eq!(v["fallback"]["private_endpoints_down"][0], "pe-aoai");
}

#[test]
fn bad_what_ifs_and_traces_have_stable_codes() {
    use zonescope::engine::trace::{Query, TraceErrorCode, WhatIfErrorCode, trace};
    use zonescope::model::rules::Protocol;
    let t = model::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/azure-hub-spoke.yaml"
    )))
    .unwrap();
    let mut w = WhatIf::default();
    for (spec, code) in [
        ("application", WhatIfErrorCode::CannotDisable),
        ("no-such-thing", WhatIfErrorCode::Unknown),
        ("spoke-app<->spoke-ai", WhatIfErrorCode::NotAPeering),
        ("nsg-app/no-such-rule", WhatIfErrorCode::NoSuchRule),
    ] {
        let e = w.disable(&t, spec).unwrap_err();
        assert_eq!(e.code, code, "{spec}: {e}");
        assert!(e.help.contains("disable an endpoint"), "{spec}: {e}");
        assert!(!e.message.contains("disable an endpoint"), "hint once: {e}");
    }
    for (from, to, code) in [
        ("nobody", "web", TraceErrorCode::UnknownEnd),
        ("pe-aoai-eus", "web", TraceErrorCode::NotASource),
        ("application", "web", TraceErrorCode::NotASource),
        ("web", "application", TraceErrorCode::NotADestination),
    ] {
        let q = Query::new(from, to, Some(443), Protocol::Tcp);
        let e = trace(&t, &q, &WhatIf::default()).unwrap_err();
        assert_eq!(e.code, code, "{from} -> {to}: {}", e.message);
    }
}
