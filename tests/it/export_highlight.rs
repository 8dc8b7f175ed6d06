//! DOT and Mermaid highlights of a denied trace stop at the hop that denies it, and that hop's
//! edge carries the DENY label (issue 15, §3).
//!
//! The verdicts and the deciding hops come from the engine's trace (its own tests follow the
//! clouds' documentation); what is checked here is that the diagrams draw them as they are:
//! nothing after the denying hop is on the highlighted path.

use std::path::Path;

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{self, Topology, Verdict};
use zonescope::report::{Diagram, EdgeKind, ExportFormat, reached, render};

fn sample(name: &str) -> Topology {
    model::load(Path::new(&format!("samples/{name}.yaml"))).unwrap()
}

/// The diagram's ids on the highlighted path (the first label line of each marked node).
fn marked(d: &Diagram) -> Vec<String> {
    d.nodes()
        .into_iter()
        .filter(|n| n.on_path)
        .map(|n| n.label[0].clone())
        .collect()
}

fn check_stops_at_the_deny(t: &Topology, tr: &Trace) {
    let d = Diagram::build(t, Some(tr));
    let by = tr.decided_by.as_ref().unwrap();
    let Some(at) = tr.path.iter().position(|p| *p == by.at) else {
        // A deny that names no hop of the path (a zone policy): the whole path stays.
        assert_eq!(reached(tr), &tr.path[..]);
        return;
    };
    let marked = marked(&d);
    for after in &tr.path[at + 1..] {
        assert!(
            !marked.contains(after),
            "{} → {}: {after} is past the deny at {}",
            tr.from,
            tr.to,
            by.at
        );
    }
    let trace_edges: Vec<_> = d
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Trace)
        .collect();
    let labelled: Vec<_> = trace_edges.iter().filter(|e| !e.label.is_empty()).collect();
    assert_eq!(
        labelled.len(),
        1,
        "one labelled hop: {} → {} at {} path {:?}",
        tr.from,
        tr.to,
        by.at,
        tr.path
    );
    assert_eq!(
        labelled[0].to,
        trace_edges.last().unwrap().to,
        "the label is on the last highlighted edge"
    );
    assert!(labelled[0].label.contains("DENY"), "{}", labelled[0].label);
}

/// Every denied expectation of every sample.
#[test]
fn every_denied_expectation_is_highlighted_up_to_its_deny() {
    let mut denied = 0;
    for name in [
        "aws-isolated-ai",
        "azure-apim-internal",
        "azure-hub-spoke",
        "azure-openai-multiregion",
        "azure-openai-private-link",
        "flawed-design",
    ] {
        let t = sample(name);
        for x in t.expectations() {
            let q = Query::new(&x.from, &x.to, x.port, x.protocol);
            let Ok(tr) = trace(&t, &q, &WhatIf::default()) else {
                continue;
            };
            if tr.verdict == Verdict::Deny && tr.decided_by.is_some() {
                denied += 1;
                check_stops_at_the_deny(&t, &tr);
            }
        }
    }
    assert!(denied >= 5, "only {denied} denied expectations");
}

/// web → aoai-eus:443 on the hub-spoke sample is denied by the hub firewall (Azure Firewall
/// processes network rules by priority and the first match decides:
/// <https://learn.microsoft.com/en-us/azure/firewall/rule-processing>): the highlight ends at
/// fw-eus, labelled there; the spoke, the private endpoint and the service behind it are not
/// on it.
#[test]
fn the_firewall_deny_ends_the_highlight_at_the_firewall() {
    let t = sample("azure-hub-spoke");
    let tr = trace(
        &t,
        &Query::new("web", "aoai-eus", Some(443), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap();
    assert_eq!(tr.verdict, Verdict::Deny);
    assert_eq!(tr.decided_by.as_ref().unwrap().at, "fw-eus");
    let m = render(&t, ExportFormat::Mermaid, Some(&tr));
    let onpath = m
        .lines()
        .find(|l| l.contains(" onpath") && l.trim_start().starts_with("class "))
        .unwrap();
    assert!(onpath.contains("e_fw_eus"), "{onpath}");
    for past in ["n_spoke_ai", "e_pe_aoai_eus", "e_aoai_eus"] {
        assert!(!onpath.contains(past), "{past} in {onpath}");
        assert!(
            !m.contains(&format!("==> {past}")),
            "an edge into {past}:\n{m}"
        );
    }
    assert!(
        m.contains(
            "n_hub_eus ==>|\"tcp/443 DENY at fw-eus: fw-policy-eus/eus-deny-app-to-ai\"| e_fw_eus"
        ),
        "{m}"
    );
    let dot = render(&t, ExportFormat::Dot, Some(&tr));
    assert!(
        dot.contains("\"n_hub_eus\" -> \"e_fw_eus\" [label=\"tcp/443 DENY at fw-eus"),
        "{dot}"
    );
    assert!(
        !dot.contains("-> \"e_aoai_eus\" [label=\"\", penwidth=3"),
        "{dot}"
    );
}
