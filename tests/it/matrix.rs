//! The matrix counts per pair of alike endpoints (one flow per pair of groups, answered by the
//! exact engine under any what-if, or by a trace on other protocols): it must give exactly what
//! a real trace of every pair of endpoints gives — the same rows, columns, counts, summaries and
//! examples — on every sample, every valid fixture and a generated design, grouped by zone,
//! subnet and endpoint.

use std::path::{Path, PathBuf};

use zonescope::engine::matrix::{By, MAX_CELLS, Matrix, matrix, matrix_traced, matrix_verdicts};
use zonescope::engine::reach::groups;
use zonescope::engine::trace::WhatIf;
use zonescope::generate::{GenParams, generate};
use zonescope::model::rules::{Action, Protocol};
use zonescope::model::{self, Kind, Topology};

const FLOWS: [(u16, Protocol); 4] = [
    (443, Protocol::Tcp),
    (22, Protocol::Tcp),
    (5432, Protocol::Tcp),
    (53, Protocol::Udp),
];

/// Every design that loads: the samples and the valid fixtures (the invalid ones are skipped).
fn designs() -> Vec<(String, Topology)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.join("samples"), root.join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out: Vec<(String, Topology)> = files
        .iter()
        .filter_map(|p| Some((p.display().to_string(), model::load(p).ok()?)))
        .collect();
    assert!(out.len() >= 30, "only {} designs load", out.len());
    let small = GenParams {
        regions: 2,
        spokes: 2,
        subnets: 3,
        endpoints: 3,
        seed: 7,
    };
    out.push((
        "gen 2×2×3×3".to_string(),
        model::load_str(&generate(&small), "gen.yaml").unwrap(),
    ));
    out
}

/// The counting fields only: the traced reference has no exact ports.
fn verdicts(m: &Matrix) -> Matrix {
    let mut m = m.clone();
    for c in &mut m.cells {
        c.tcp_ports = None;
        c.udp_ports = None;
    }
    m
}

fn assert_same(name: &str, what: &str, fast: &Matrix, slow: &Matrix) {
    assert_eq!(fast.rows, slow.rows, "{name} {what}: rows");
    assert_eq!(fast.columns, slow.columns, "{name} {what}: columns");
    for (a, b) in verdicts(fast).cells.iter().zip(&slow.cells) {
        assert_eq!(a, b, "{name} {what}: cell {} -> {}", b.from, b.to);
    }
}

#[test]
fn grouped_matrix_equals_a_trace_of_every_pair() {
    let w = WhatIf::default();
    let mut cells = 0;
    for (name, t) in designs() {
        for by in [By::Zone, By::Subnet, By::Endpoint] {
            for (port, proto) in FLOWS {
                let fast = matrix(&t, by, port, proto, &w).unwrap();
                let slow = matrix_traced(&t, by, port, proto, &w).unwrap();
                assert_same(&name, &format!("{by:?} {proto}/{port}"), &fast, &slow);
                // The explorer's matrix evaluates one transport and skips the exact ports.
                let shown = matrix_verdicts(&t, by, port, proto, &w).unwrap();
                assert_eq!(shown, slow, "{name} {by:?} {proto}/{port}: verdicts only");
                cells += slow.cells.len();
            }
        }
    }
    assert!(cells > 10_000, "only {cells} cells compared");
}

#[test]
fn grouped_matrix_under_a_what_if_equals_a_trace_of_every_pair() {
    // Switch off, one at a time, each firewall, gateway, private endpoint, network, region,
    // peering and allowing rule of the samples.
    // In the generated design, switch off one member of each of a few groups of alike
    // endpoints: it must leave its group.
    let mut runs = 0;
    for (name, t) in designs().into_iter().filter(|(n, _)| n.starts_with("gen")) {
        let members: Vec<String> = groups(&t)
            .iter()
            .filter(|g| g.members.len() > 1)
            .take(4)
            .map(|g| t.endpoint(g.members[1]).id.clone())
            .collect();
        assert_eq!(members.len(), 4);
        for spec in members {
            let mut w = WhatIf::default();
            w.disable(&t, &spec).unwrap();
            let fast = matrix(&t, By::Subnet, 443, Protocol::Tcp, &w).unwrap();
            let slow = matrix_traced(&t, By::Subnet, 443, Protocol::Tcp, &w).unwrap();
            assert_same(&name, &format!("without {spec}"), &fast, &slow);
            runs += 1;
        }
    }
    for (name, t) in designs().into_iter().filter(|(n, _)| n.contains("samples")) {
        let mut specs: Vec<String> = t
            .endpoints()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    Kind::Firewall | Kind::Gateway | Kind::PrivateEndpoint
                )
            })
            .map(|e| e.id.clone())
            .collect();
        specs.extend(t.networks().iter().map(|n| n.id.clone()));
        specs.extend(t.regions());
        specs.extend(
            t.peerings()
                .iter()
                .map(|p| format!("{}<->{}", t.network(p.a).id, t.network(p.b).id)),
        );
        // Every rule that allows something (switching off a deny rarely changes a verdict).
        for rs in t.rule_sets().iter().chain(t.zone_policy()) {
            for r in rs
                .rules
                .iter()
                .filter(|r| r.action == Action::Allow && !r.default_rule)
            {
                specs.push(format!("{}/{}", rs.id, r.id));
            }
        }
        for spec in specs {
            let mut w = WhatIf::default();
            w.disable(&t, &spec).unwrap();
            let fast = matrix(&t, By::Endpoint, 443, Protocol::Tcp, &w).unwrap();
            let slow = matrix_traced(&t, By::Endpoint, 443, Protocol::Tcp, &w).unwrap();
            assert_same(&name, &format!("without {spec}"), &fast, &slow);
            assert!(fast.cells.iter().all(|c| c.tcp_ports.is_some()));
            runs += 1;
        }
    }
    assert!(runs >= 100, "only {runs} what-ifs");
}

#[test]
fn a_protocol_without_ports_is_traced_per_pair_of_groups() {
    let w = WhatIf::default();
    for (name, t) in designs().into_iter().take(8) {
        let fast = matrix(&t, By::Subnet, 0, Protocol::Icmp, &w).unwrap();
        let slow = matrix_traced(&t, By::Subnet, 0, Protocol::Icmp, &w).unwrap();
        assert_same(&name, "icmp", &fast, &slow);
    }
}

#[test]
fn exact_ports_hold_the_matrix_port_exactly_when_a_pair_is_allowed() {
    let w = WhatIf::default();
    for (name, t) in designs() {
        for (port, proto) in FLOWS {
            let m = matrix(&t, By::Subnet, port, proto, &w).unwrap();
            for c in &m.cells {
                let text = match proto {
                    Protocol::Udp => c.udp_ports.as_deref(),
                    _ => c.tcp_ports.as_deref(),
                }
                .unwrap();
                let has = text == "*"
                    || text.split(',').any(|item| match item.split_once('-') {
                        Some((a, b)) => {
                            a.parse::<u16>().unwrap() <= port && port <= b.parse::<u16>().unwrap()
                        }
                        None => item.parse::<u16>().is_ok_and(|p| p == port),
                    });
                assert_eq!(
                    has,
                    c.allowed > 0,
                    "{name} {proto}/{port} {} -> {}: ports {text}, {} allowed",
                    c.from,
                    c.to,
                    c.allowed
                );
            }
        }
    }
}

#[test]
fn a_matrix_too_big_to_show_is_refused_with_a_way_out() {
    // 1,100 endpoints in one subnet are 1,100 rows and columns: 1.21 M cells by endpoint.
    let mut yaml = String::from(
        "version: 1\nname: wide\nzones: [{ id: app }]\nnetworks:\n  - id: vnet\n    region: r\n    cidr: 10.0.0.0/16\n    subnets:\n      - { id: snet, cidr: 10.0.0.0/20, zone: app }\nendpoints:\n",
    );
    for i in 0..1100 {
        yaml.push_str(&format!(
            "  - {{ id: vm{i}, kind: vm, subnet: snet, ip: 10.0.{}.{} }}\n",
            4 + i / 200,
            10 + i % 200
        ));
    }
    let t = model::load_str(&yaml, "wide.yaml").unwrap();
    let w = WhatIf::default();
    let err = matrix(&t, By::Endpoint, 443, Protocol::Tcp, &w).unwrap_err();
    assert_eq!(err.code.as_str(), "zonescope::matrix-too-large");
    let err = err.message;
    assert!(err.contains(&MAX_CELLS.to_string()), "{err}");
    assert!(err.contains("group by subnet or zone"), "{err}");
    // By subnet it is one cell: 1,100 × 1,099 pairs from one group, counted, not traced.
    let m = matrix(&t, By::Subnet, 443, Protocol::Tcp, &w).unwrap();
    let c = &m.cells[0];
    assert_eq!(c.allowed + c.denied + c.no_route, 1100 * 1099);
}

#[test]
fn a_matrix_of_many_tiles_equals_a_trace_of_every_pair() {
    // The grouped matrix judges its pairs in tiles of 64 source × 128 destination groups
    // (`engine::matrix`): with more than 128 groups there are several destination tiles, and
    // on two cores several source tiles per thread; every pair must be counted once.
    let params = GenParams {
        regions: 2,
        spokes: 14,
        subnets: 3,
        endpoints: 2,
        seed: 11,
    };
    let t = model::load_str(&generate(&params), "gen.yaml").unwrap();
    let n = groups(&t).len();
    assert!(n > 128, "only {n} groups of alike endpoints");
    let w = WhatIf::default();
    let fast = matrix(&t, By::Subnet, 443, Protocol::Tcp, &w).unwrap();
    let slow = matrix_traced(&t, By::Subnet, 443, Protocol::Tcp, &w).unwrap();
    assert_same("gen 2×14×3×2", "subnet tcp/443", &fast, &slow);
    let allowed: u64 = slow.cells.iter().map(|c| c.allowed).sum();
    assert!(allowed > 0, "no pair is allowed: the design says nothing");
}
