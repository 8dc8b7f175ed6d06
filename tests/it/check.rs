//! Tests of `zonescope check`: one fixture per finding that triggers it and a near-identical
//! one that must not; shadowing for NSG, NACL and firewall; the exact reachability engine
//! against the trace engine on every port class; SARIF structure; JSON shape; exit codes.

use std::path::Path;
use std::process::Command;

use zonescope::engine::check::{Severity, findings, review};
use zonescope::engine::reach::{Engine, Target, external_classes, groups, src_party};
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::model::rules::{PortSet, Protocol};
use zonescope::model::{Kind, Topology, Verdict, load, load_str};
use zonescope::report::sarif::to_sarif;

const IDS: [&str; 14] = [
    "public-access-enabled",
    "public-fallback",
    "dns-not-private",
    "broad-source",
    "app-direct-ai",
    "lateral-movement",
    "data-egress",
    "inference-egress",
    "sandbox-egress",
    "management-exposed",
    "streaming-timeout",
    "single-region",
    "shadowed-rule",
    "unknown-service-tag",
];

fn fixture(id: &str, kind: &str) -> Topology {
    let p = format!(
        "{}/tests/fixtures/check/{id}/{kind}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    load(Path::new(&p)).unwrap_or_else(|e| panic!("{p}: {e}"))
}

#[test]
fn each_finding_has_a_fixture_that_triggers_it_and_one_that_does_not() {
    for id in IDS {
        let bad = findings(&fixture(id, "bad"));
        let hit: Vec<_> = bad.iter().filter(|f| f.id == id).collect();
        assert!(
            !hit.is_empty(),
            "{id}/bad.yaml does not trigger {id}: {bad:#?}"
        );
        for f in &hit {
            assert!(f.location.line > 0, "{id}: no line");
            assert!(!f.subject.is_empty() && !f.message.is_empty() && f.fix.is_some());
            assert!(f.location.file.ends_with("bad.yaml"));
        }
        let good = findings(&fixture(id, "good"));
        assert!(
            good.iter().all(|f| f.id != id),
            "{id}/good.yaml triggers {id}: {good:#?}"
        );
    }
}

#[test]
fn reachability_findings_carry_an_allowed_trace_as_evidence() {
    for id in [
        "public-fallback",
        "app-direct-ai",
        "lateral-movement",
        "data-egress",
        "inference-egress",
        "sandbox-egress",
        "management-exposed",
    ] {
        for f in findings(&fixture(id, "bad")).iter().filter(|f| f.id == id) {
            let tr = f
                .evidence
                .as_ref()
                .unwrap_or_else(|| panic!("{id}: no evidence"));
            assert_eq!(tr.verdict, Verdict::Allow, "{id}: {}", tr.reason);
            assert!(!tr.path.is_empty());
        }
    }
}

#[test]
fn the_flawed_sample_shows_every_finding_and_good_samples_have_no_errors() {
    let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    let flawed = load(Path::new(&format!("{dir}/flawed-design.yaml"))).unwrap();
    let f = findings(&flawed);
    for id in IDS {
        assert!(
            f.iter().any(|x| x.id == id),
            "flawed-design.yaml lacks {id}"
        );
    }
    for name in [
        "aws-isolated-ai",
        "azure-apim-internal",
        "azure-hub-spoke",
        "azure-openai-multiregion",
        "azure-openai-private-link",
    ] {
        let t = load(Path::new(&format!("{dir}/{name}.yaml"))).unwrap();
        let r = review(&t);
        assert!(!r.fails(Severity::Error), "{name}: {:#?}", r.findings);
    }
}

// ---------------------------------------------------------------------------------------------
// Shadowing

const SHADOW_BASE: &str = r"
version: 1
name: shadowing
zones: [{ id: application }, { id: data }]
networks:
  - id: vnet
    cidr: 10.0.0.0/16
    subnets:
      - { id: snet-app, cidr: 10.0.1.0/24, zone: application }
      - { id: snet-data, cidr: 10.0.3.0/24, zone: data, rules: [RS] }
endpoints:
  - { id: db, kind: vector_db, subnet: snet-data, ip: 10.0.3.4 }
rule_sets:
";

fn shadowed(rule_set: &str, rs_id: &str) -> Vec<String> {
    let text = format!("{}{rule_set}", SHADOW_BASE.replace("RS", rs_id));
    let t = load_str(&text, "shadow.yaml").unwrap_or_else(|e| panic!("{e}"));
    findings(&t)
        .into_iter()
        .filter(|f| f.id == "shadowed-rule")
        .map(|f| f.subject)
        .collect()
}

#[test]
fn nsg_rule_covered_by_two_earlier_rules_is_shadowed() {
    let rs = r#"  - id: nsg
    kind: nsg
    rules:
      - { id: a, priority: 100, direction: inbound, action: allow, protocol: tcp, source: 10.0.0.0/16, destination: snet-data, ports: "1000-2000" }
      - { id: b, priority: 110, direction: inbound, action: deny, protocol: any, source: application, destination: "*", ports: "2001-3000" }
      - { id: c, priority: 120, direction: inbound, action: deny, protocol: tcp, source: snet-app, destination: db, ports: "1500-2500" }
      - { id: d, priority: 130, direction: inbound, action: deny, protocol: tcp, source: snet-app, destination: db, ports: "1500-3001" }
      - { id: e, priority: 140, direction: outbound, action: deny, protocol: tcp, source: snet-app, destination: db, ports: "1500" }
"#;
    // c: 1500-2000 by a, 2001-2500 by b. d: 3001 is not covered. e: other direction.
    assert_eq!(shadowed(rs, "nsg"), vec!["nsg/c".to_string()]);
}

#[test]
fn nacl_rule_after_a_broader_one_is_shadowed_but_not_before_it() {
    let bad = r#"  - id: nacl
    kind: nacl
    rules:
      - { id: all-in, priority: 100, direction: inbound, action: allow, protocol: any, source: "*", destination: "*", ports: "*" }
      - { id: deny-ssh, priority: 200, direction: inbound, action: deny, protocol: tcp, source: 10.0.1.0/24, destination: 10.0.3.0/24, ports: 22 }
"#;
    assert_eq!(shadowed(bad, "nacl"), vec!["nacl/deny-ssh".to_string()]);
    let good = bad.replace("priority: 200", "priority: 50");
    assert!(shadowed(&good, "nacl").is_empty());
}

#[test]
fn firewall_rule_with_narrower_source_is_shadowed_but_wider_is_not() {
    let rs = r"  - id: fw
    kind: firewall
    rules:
      - { id: app-to-data, priority: 100, action: deny, protocol: any, source: application, destination: data }
      - { id: subnet-https, priority: 200, action: allow, protocol: https, source: snet-app, destination: db, ports: 443 }
      - { id: wide-https, priority: 300, action: allow, protocol: https, source: 10.0.0.0/8, destination: db, ports: 443 }
";
    assert_eq!(shadowed(rs, "fw"), vec!["fw/subnet-https".to_string()]);
}

// ---------------------------------------------------------------------------------------------
// Exactness: the engine's port sets against the trace engine, on every class of ports

/// Every port where some rule's port set or some listener changes: verdicts are constant between
/// two consecutive boundaries, so checking both ends of each class checks all 65,536 ports.
fn boundaries(t: &Topology) -> Vec<u16> {
    let mut b: Vec<u32> = vec![0, 65535, 1023, 1024];
    let mut add = |p: &PortSet| {
        for &(lo, hi) in p.ranges() {
            b.extend([u32::from(lo), u32::from(hi)]);
            if lo > 0 {
                b.push(u32::from(lo) - 1);
            }
            b.push(u32::from(hi) + 1);
        }
    };
    for rs in t.rule_sets().iter().chain(t.zone_policy()) {
        for r in &rs.rules {
            add(&r.ports);
        }
    }
    for e in t.endpoints() {
        if let Some(p) = &e.ports {
            add(p);
        }
    }
    b.retain(|p| *p <= 65535);
    b.sort_unstable();
    b.dedup();
    b.into_iter().map(|p| p as u16).collect()
}

#[test]
fn exact_port_sets_agree_with_traces_on_every_port_class() {
    let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    for name in [
        "flawed-design",
        "aws-isolated-ai",
        "azure-hub-spoke",
        "azure-apim-internal",
    ] {
        let t = load(Path::new(&format!("{dir}/{name}.yaml"))).unwrap();
        let eng = Engine::new(&t);
        let ports = boundaries(&t);
        let w = WhatIf::default();
        for g in groups(&t) {
            let src = t.endpoint(g.rep);
            if src.subnet.is_none() {
                continue;
            }
            let party = src_party(&t, g.rep);
            // To the internet: every address class and FQDN a rule names.
            for x in external_classes(&t) {
                let r = eng.reach(&party, &x.target);
                let (q, _) = eng.query(&src.id, &x.target, Protocol::Tcp, 0);
                for (proto, set) in [(Protocol::Tcp, &r.tcp), (Protocol::Udp, &r.udp)] {
                    for &p in &ports {
                        let q = Query::new(&q.from, &q.to, Some(p), proto);
                        let tr = trace(&t, &q, &w).unwrap();
                        assert_eq!(
                            tr.verdict == Verdict::Allow,
                            set.contains(p),
                            "{name}: {} -> {} {proto}/{p}: trace {} ({}), exact {set}",
                            q.from,
                            q.to,
                            tr.verdict,
                            tr.reason
                        );
                    }
                }
            }
            for (j, dst) in t.endpoints().iter().enumerate() {
                if dst.kind == Kind::PrivateEndpoint || dst.id == src.id {
                    continue;
                }
                let de = t.endpoint_ix(&dst.id).unwrap();
                assert_eq!(de.index(), j);
                let r = eng.reach(&party, &Target::Ep(de));
                for (proto, set) in [(Protocol::Tcp, &r.tcp), (Protocol::Udp, &r.udp)] {
                    for &p in &ports {
                        let q = Query::new(&src.id, &dst.id, Some(p), proto);
                        let tr = trace(&t, &q, &w).unwrap();
                        assert_eq!(
                            tr.verdict == Verdict::Allow,
                            set.contains(p),
                            "{name}: {} -> {} {proto}/{p}: trace {} ({}), exact {set}",
                            src.id,
                            dst.id,
                            tr.verdict,
                            tr.reason
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Output formats and exit codes

#[test]
fn sarif_has_the_required_structure() {
    let t = fixture("shadowed-rule", "bad");
    let r = review(&t);
    let s = to_sarif(&t, &r);
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "zonescope");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        assert!(rules.iter().any(|r| r["id"] == id), "{id} has no rule");
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id);
        assert!(matches!(
            res["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert!(
            res["message"]["text"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("bad.yaml")
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_output_follows_the_spec() {
    let (code, out) = run(&["check", "samples/flawed-design.yaml", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for f in v["findings"].as_array().unwrap() {
        for k in ["id", "severity", "message", "subject", "location"] {
            assert!(!f[k].is_null(), "finding without {k}: {f}");
        }
        assert!(f["location"]["line"].as_u64().unwrap() >= 1);
    }
    for e in v["expectations"].as_array().unwrap() {
        assert!(e["name"].is_string() && e["passed"].is_boolean());
    }
}

#[test]
fn exit_codes() {
    assert_eq!(run(&["check", "samples/azure-hub-spoke.yaml"]).0, 0);
    assert_eq!(run(&["check", "samples/flawed-design.yaml"]).0, 1);
    // Warnings only: 0 by default, 1 at --severity warning.
    let f = "tests/fixtures/check/streaming-timeout/bad.yaml";
    assert_eq!(run(&["check", f]).0, 0);
    assert_eq!(run(&["check", f, "--severity", "warning"]).0, 1);
    assert_eq!(run(&["check", "no/such/file.yaml"]).0, 2);
    assert_eq!(run(&["check", f, "--severity", "loud"]).0, 2);
    let (_, text) = run(&["check", "samples/flawed-design.yaml"]);
    assert!(text.contains("evidence: web -> "), "{text}");
}

#[test]
fn cached_routes_are_the_routes_of_the_trace_engine() {
    use zonescope::engine::path::route::{Router, net_route};
    use zonescope::generate::{GenParams, generate};
    let mut p = GenParams::size("S").unwrap();
    p.regions = 3;
    let t = load_str(&generate(&p), "s.yaml").unwrap();
    let none = WhatIf::default();
    // The explaining router keeps the chain of networks; the other one only the firewalls on
    // it (nobody reads its chain), which must be the same.
    let eng = Router::new(&t, &none, true);
    let quiet = Router::new(&t, &none, false);
    let nets: Vec<usize> = (0..t.networks().len()).collect();
    let ix = |i: usize| match t.find(&t.networks()[i].id) {
        Some(zonescope::model::EntityRef::Network(n)) => n,
        _ => unreachable!(),
    };
    for &a in &nets {
        for &b in &nets {
            let (a, b) = (ix(a), ix(b));
            assert_eq!(
                quiet.net_route(a, b).ok().map(|r| r.firewalls),
                net_route(&t, a, b, &none).ok().map(|r| r.firewalls),
                "{} -> {} (firewalls only)",
                t.network(a).id,
                t.network(b).id
            );
            assert_eq!(
                eng.net_route(a, b).ok(),
                net_route(&t, a, b, &none).ok(),
                "{} -> {}",
                t.network(a).id,
                t.network(b).id
            );
        }
    }
}

#[test]
fn matrix_exact_ports_agree_with_traces() {
    use zonescope::engine::matrix::{By, matrix};
    let dir = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    for name in ["azure-hub-spoke", "flawed-design"] {
        let t = load(Path::new(&format!("{dir}/{name}.yaml"))).unwrap();
        let w = WhatIf::default();
        let grid = matrix(&t, By::Endpoint, 443, Protocol::Tcp, &w).unwrap();
        let ports = boundaries(&t);
        for cell in &grid.cells {
            if cell.from == cell.to {
                continue;
            }
            let text = cell.tcp_ports.clone().unwrap();
            for &p in &ports {
                let q = Query::new(&cell.from, &cell.to, Some(p), Protocol::Tcp);
                let Ok(tr) = trace(&t, &q, &w) else { continue };
                let set = if text == "none" {
                    PortSet::empty()
                } else if text == "*" {
                    PortSet::all()
                } else {
                    text.split(',').fold(PortSet::empty(), |acc, item| {
                        acc.union(&PortSet::parse_item(item).unwrap())
                    })
                };
                assert_eq!(
                    tr.verdict == Verdict::Allow,
                    set.contains(p),
                    "{name}: {} -> {} tcp/{p}: trace {}, cell {text}",
                    cell.from,
                    cell.to,
                    tr.verdict
                );
            }
        }
    }
}

#[test]
fn an_exposure_over_ipv6_only_is_found() {
    // The NSG denies SSH from every IPv4 internet address but allows it from every IPv6 one.
    let yaml = r#"
version: 1
name: dual stack
zones: [{ id: management }]
networks:
  - id: vnet
    region: eastus
    cidr: [10.0.0.0/16, "fd00:a::/48"]
    subnets:
      - { id: snet-mgmt, cidr: [10.0.4.0/24, "fd00:a:0:4::/64"], zone: management, rules: [nsg-mgmt] }
endpoints:
  - { id: jump, kind: jumpbox, subnet: snet-mgmt, ip: 10.0.4.4, ports: [22], public_ip: true }
rule_sets:
  - id: nsg-mgmt
    kind: nsg
    rules:
      - { id: no-ssh-v4, priority: 100, direction: inbound, action: deny, protocol: tcp, source: 0.0.0.0/0, ports: 22 }
      - { id: ssh-v6, priority: 110, direction: inbound, action: allow, protocol: tcp, source: "::/0", ports: 22 }
"#;
    let t = zonescope::model::load_str(yaml, "dual.yaml").unwrap();
    let f = findings(&t);
    let hit: Vec<_> = f.iter().filter(|x| x.id == "management-exposed").collect();
    assert_eq!(hit.len(), 1, "{f:#?}");
    let tr = hit[0].evidence.as_ref().expect("evidence");
    assert_eq!(tr.verdict, Verdict::Allow);
    assert!(tr.from.contains(':'), "an IPv6 source: {}", tr.from);
    // Without the IPv6 allow there is nothing to find.
    let closed = yaml.replace(
        "action: allow, protocol: tcp, source: \"::/0\"",
        "action: deny, protocol: tcp, source: \"::/0\"",
    );
    let t = zonescope::model::load_str(&closed, "dual.yaml").unwrap();
    assert!(findings(&t).iter().all(|x| x.id != "management-exposed"));
}

#[test]
fn evidence_never_names_port_zero() {
    // TCP and UDP port 0 is reserved (IANA service name and port number registry: "0 Reserved"),
    // so no flow has it: a finding whose reachable ports are every port must witness a port a
    // client really uses. Every sample and the flawed design.
    for s in [
        "samples/flawed-design.yaml",
        "samples/azure-hub-spoke.yaml",
        "samples/aws-isolated-ai.yaml",
        "samples/azure-openai-multiregion.yaml",
    ] {
        let t = load(Path::new(s)).unwrap();
        for f in findings(&t) {
            if let Some(e) = &f.evidence {
                assert_ne!(e.port, Some(0), "{s}: {} {}", f.id, f.message);
            }
        }
    }
    // A set of every port witnesses 443.
    let r = zonescope::engine::reach::Reach {
        tcp: PortSet::all(),
        udp: PortSet::empty(),
        via_pe: None,
    };
    assert_eq!(r.witness(), Some((Protocol::Tcp, 443)));
}

/// Every finding a check can give, and every rule SARIF links to, is explained in
/// `docs/checks.md` under a heading that is its id (the SARIF `helpUri` points there), and has
/// its own SARIF description. Issue 15: help must not point at a file the repository lacks.
#[test]
fn every_finding_id_is_documented_where_sarif_links_it() {
    let doc = std::fs::read_to_string("docs/checks.md").expect("docs/checks.md");
    let headings: Vec<&str> = doc.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let more = [
        "vnet-tag-widened",
        "unzoned-endpoint",
        "failed-expectation",
        "unsupported",
        "assumed",
    ];
    for id in IDS.iter().chain(more.iter()) {
        assert!(headings.contains(id), "docs/checks.md has no `## {id}`");
        assert!(
            zonescope::report::sarif::help_uri(id).ends_with(&format!("docs/checks.md#{id}")),
            "{id}"
        );
        if !["unsupported", "assumed"].contains(id) {
            assert_ne!(
                zonescope::report::sarif::describe(id),
                zonescope::report::sarif::describe("no-such-check"),
                "{id} has only the generic SARIF description"
            );
        }
    }
    // And the other way: no heading for a check that does not exist.
    for h in &headings {
        assert!(
            IDS.contains(h) || more.contains(h),
            "docs/checks.md documents `{h}`, which no check gives"
        );
    }
    // A real SARIF log links each rule to its section.
    let t = fixture("shadowed-rule", "bad");
    let s = to_sarif(&t, &review(&t));
    for rule in s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"].as_str().unwrap(),
            zonescope::report::sarif::help_uri(id)
        );
    }
}

/// The internet classes (docs/semantics.md "The internet in reachability findings": one address
/// per class of internet addresses that every rule CIDR treats alike), now computed by a sweep
/// over the prefix boundaries (issue 16 item 8), checked against the definition by brute
/// force: no two classes are treated alike, every outside address is treated like one class,
/// and a class named "in rule address X" has X as the narrowest rule CIDR that holds it.
mod internet_classes {
    use super::*;
    use proptest::prelude::*;
    use std::net::{IpAddr, Ipv4Addr};
    use zonescope::engine::reach::is_internet;

    fn design(cidrs: &[ipnet::Ipv4Net]) -> String {
        let mut y = String::from(
            "version: 1\nnetworks:\n  - id: vnet\n    cidr: 10.0.0.0/16\n    subnets:\n      - { id: snet, cidr: 10.0.1.0/24, rules: [nsg] }\nendpoints:\n  - { id: vm, kind: app, subnet: snet, ip: 10.0.1.4 }\nrule_sets:\n  - id: nsg\n    kind: nsg\n    rules:\n",
        );
        for (i, c) in cidrs.iter().enumerate() {
            y.push_str(&format!(
                "      - {{ id: r{i}, priority: {}, direction: inbound, action: allow, protocol: tcp, source: {c}, destination: snet, ports: 443 }}\n",
                100 + i
            ));
        }
        y
    }

    /// What treats an address: the rule CIDRs and the service tags (the built-in platform
    /// ones too) that hold it, and whether it is internet at all.
    fn sig(t: &Topology, cidrs: &[ipnet::Ipv4Net], a: Ipv4Addr) -> (Vec<usize>, Vec<String>, bool) {
        let held = cidrs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.contains(&a))
            .map(|(k, _)| k)
            .collect();
        let ip = IpAddr::V4(a);
        let tags = t
            .service_tags()
            .iter()
            .filter(|tg| tg.cidrs.iter().any(|c| c.contains(&ip)))
            .map(|tg| tg.name.clone())
            .collect();
        (held, tags, is_internet(ip))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn classes_are_the_cells_rules_treat_alike(
            raw in proptest::collection::vec((any::<u32>(), 4u8..=32), 1..30),
            probes in proptest::collection::vec(any::<u32>(), 64),
        ) {
            let mut cidrs: Vec<ipnet::Ipv4Net> = raw
                .iter()
                .map(|(a, p)| ipnet::Ipv4Net::new(Ipv4Addr::from(*a), *p).unwrap().trunc())
                .filter(|c| !c.contains(&Ipv4Addr::new(10, 0, 0, 1)))
                .collect();
            cidrs.sort();
            cidrs.dedup();
            prop_assume!(!cidrs.is_empty());
            let t = load_str(&design(&cidrs), "t.yaml").expect("loads");
            let vnet: ipnet::Ipv4Net = "10.0.0.0/16".parse().unwrap();
            let mut reps: Vec<(Ipv4Addr, String)> = Vec::new();
            for x in external_classes(&t) {
                if let Target::Addr(IpAddr::V4(a)) = x.target {
                    reps.push((a, x.label.clone()));
                }
            }
            let sigs: Vec<_> = reps.iter().map(|(a, _)| sig(&t, &cidrs, *a)).collect();
            for (i, s) in sigs.iter().enumerate() {
                prop_assert!(!vnet.contains(&reps[i].0), "a class inside the network: {}", reps[i].0);
                prop_assert!(
                    !sigs[..i].contains(s),
                    "two classes treated alike: {} and another", reps[i].0
                );
                let narrowest = s.0.iter().map(|&k| cidrs[k]).max_by_key(ipnet::Ipv4Net::prefix_len);
                match narrowest {
                    // A service tag names the class first.
                    _ if !s.1.is_empty() => prop_assert!(
                        reps[i].1.contains("(service tag "), "{}", reps[i].1
                    ),
                    Some(c) => prop_assert!(
                        reps[i].1.contains(&format!("in rule address {c}")),
                        "{}: narrowest is {c}", reps[i].1
                    ),
                    None => prop_assert!(!reps[i].1.contains("in rule address"), "{}", reps[i].1),
                }
            }
            // Every outside address — random ones and each prefix's edges — is like a class.
            let mut probe: Vec<Ipv4Addr> = probes.iter().map(|&a| Ipv4Addr::from(a)).collect();
            for c in &cidrs {
                let (lo, hi) = (u32::from(c.network()), u32::from(c.broadcast()));
                for a in [lo.wrapping_sub(1), lo, hi, hi.wrapping_add(1)] {
                    probe.push(Ipv4Addr::from(a));
                }
            }
            for a in probe.into_iter().filter(|a| !vnet.contains(a)) {
                let s = sig(&t, &cidrs, a);
                prop_assert!(sigs.contains(&s), "{a} is treated like no class: {s:?}");
            }
        }
    }
}
