//! SPEC §13, fixes that work: for every denied expectation and every denied flow of the samples'
//! endpoint matrices, the first `rules` alternative, appended as YAML text into a copy of the
//! file (its rule sets and `policies:`), re-loaded and traced again, gives `allow`; no
//! alternative opens a flow that an explicit zone-policy deny forbids; and the hub-spoke design's
//! `web → aoai-eus:443` proposes the approved path through `apim` first.

use std::path::PathBuf;

use zonescope::engine::matrix::{destinations, sources};
use zonescope::engine::trace::fix::{Fix, RuleChange, no_rules_because, trace_with_fixes};
use zonescope::engine::trace::{Query, Trace, WhatIf};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict, load, load_str};

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The file's text with `c.rule` written into its rule set (or into `policies:`) as a YAML flow
/// mapping — the way a person would paste it.
fn splice(text: &str, c: &RuleChange) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let item = serde_json::to_string(&c.rule).unwrap();
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    if c.rule_set == "policies" {
        match lines.iter().position(|l| l.trim_end() == "policies:") {
            Some(i) => {
                let ind = lines[i + 1..]
                    .iter()
                    .find(|l| l.trim_start().starts_with('-'))
                    .map_or(2, |l| indent(l));
                out.insert(i + 1, format!("{}- {item}", " ".repeat(ind)));
            }
            None => out.push(format!("policies:\n  - {item}")),
        }
        return out.join("\n") + "\n";
    }
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "rule_sets:")
        .expect("a rule_sets: section");
    let head = lines[start..]
        .iter()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ").trim();
            t == format!("id: {}", c.rule_set) || t.starts_with(&format!("{{ id: {},", c.rule_set))
        })
        .map_or_else(
            || panic!("rule set {} in rule_sets:", c.rule_set),
            |i| i + start,
        );
    let rules = lines[head..]
        .iter()
        .position(|l| l.trim() == "rules:")
        .map_or_else(
            || panic!("a block `rules:` list in rule set {}", c.rule_set),
            |i| i + head,
        );
    let ind = indent(lines[rules + 1]);
    out.insert(rules + 1, format!("{}- {item}", " ".repeat(ind)));
    out.join("\n") + "\n"
}

fn first_rules(tr: &Trace) -> Option<&[RuleChange]> {
    tr.fixes.iter().find_map(|f| match f {
        Fix::Rules { changes } => Some(changes.as_slice()),
        _ => None,
    })
}

/// An explicit (not default) zone-policy deny decides or is among the checks.
fn explicit_policy_deny(tr: &Trace) -> bool {
    tr.checks
        .iter()
        .any(|c| c.kind == "policy" && c.action.as_str() == "deny" && !c.default_rule)
}

fn denied_flows(t: &Topology) -> Vec<Query> {
    let mut v: Vec<Query> = t
        .expectations()
        .iter()
        .map(|e| Query::new(&e.from, &e.to, e.port, e.protocol))
        .collect();
    for s in sources(t) {
        for d in destinations(t) {
            if s != d {
                let (a, b) = (&t.endpoint(s).id, &t.endpoint(d).id);
                v.push(Query::new(a, b, Some(443), Protocol::Tcp));
            }
        }
    }
    v
}

#[test]
fn the_first_rules_alternative_applied_to_the_file_gives_allow() {
    let w = WhatIf::default();
    let (mut denied, mut fixed) = (0, 0);
    for path in samples() {
        let t = load(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for q in denied_flows(&t) {
            let Ok(tr) = trace_with_fixes(&t, &q, &w) else {
                continue;
            };
            if tr.verdict != Verdict::Deny {
                continue;
            }
            denied += 1;
            let Some(changes) = first_rules(&tr) else {
                // No rule can open it: an explicit zone-policy deny, or a built-in check.
                let why = no_rules_because(&t, &q, &w).unwrap_or_default();
                assert!(
                    why.starts_with("zone policy rule ") || why.starts_with("built-in check "),
                    "{}: {q}: denied with no rules alternative: {why} {:?}",
                    path.display(),
                    tr.fixes
                );
                continue;
            };
            let mut patched = text.clone();
            for c in changes {
                patched = splice(&patched, c);
            }
            let t2 = load_str(&patched, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{}: {q}: the fixed file loads: {e:?}", path.display()));
            let again = zonescope::engine::trace::trace(&t2, &q, &w).unwrap();
            assert_eq!(
                again.verdict,
                Verdict::Allow,
                "{}: {q}: applying {changes:?} gives {:?} ({})",
                path.display(),
                again.verdict,
                again.reason
            );
            assert!(!explicit_policy_deny(&again));
            fixed += 1;
        }
    }
    eprintln!("{denied} denied flows, {fixed} opened by their first rules alternative");
    assert!(denied > 50, "{denied} denied flows tried");
    assert!(fixed > 10, "{fixed} fixed");
}

#[test]
fn no_rules_alternative_opens_what_an_explicit_zone_policy_deny_forbids() {
    let t = load(std::path::Path::new("samples/azure-hub-spoke.yaml")).unwrap();
    let w = WhatIf::default();
    // ZP-011 (application → data) and ZP-010 (application → external_ai) deny explicitly.
    for (from, to, port) in [("web", "db", 5432), ("web", "aoai-eus", 443)] {
        let q = Query::new(from, to, Some(port), Protocol::Tcp);
        let tr = trace_with_fixes(&t, &q, &w).unwrap();
        assert_eq!(tr.verdict, Verdict::Deny);
        assert!(first_rules(&tr).is_none(), "{q}: {:?}", tr.fixes);
    }
}

#[test]
fn hub_spoke_web_to_aoai_proposes_the_gateway_first() {
    let t = load(std::path::Path::new("samples/azure-hub-spoke.yaml")).unwrap();
    let q = Query::new("web", "aoai-eus", Some(443), Protocol::Tcp);
    let tr = trace_with_fixes(&t, &q, &WhatIf::default()).unwrap();
    match tr.fixes.first() {
        Some(Fix::Via { via, .. }) => assert_eq!(via, "apim"),
        other => panic!("first fix {other:?}"),
    }
    let json = serde_json::to_value(&tr).unwrap();
    assert_eq!(json["fixes"][0]["kind"], "via");
    assert_eq!(json["fixes"][0]["via"], "apim");
    assert!(
        tr.fix
            .as_deref()
            .unwrap()
            .contains("through the gateway apim")
    );
}

#[test]
fn a_default_deny_gets_rules_at_free_priorities_before_it_with_narrow_selectors() {
    // web → jumpbox:22 is denied by nsg-jump jump-deny-in (4000), then by the zone policy's
    // default deny (no policy application → management).
    let t = load(std::path::Path::new("samples/azure-hub-spoke.yaml")).unwrap();
    let q = Query::new("web", "jumpbox", Some(22), Protocol::Tcp);
    let tr = trace_with_fixes(&t, &q, &WhatIf::default()).unwrap();
    let changes = first_rules(&tr).expect("a rules alternative");
    let nsg = changes
        .iter()
        .find(|c| c.rule_set == "nsg-jump")
        .expect("nsg-jump");
    assert!(nsg.rule.priority.unwrap() < 4000);
    assert_eq!(nsg.rule.source.as_deref(), Some("web"));
    assert_eq!(nsg.rule.destination.as_deref(), Some("jumpbox"));
    let pol = changes
        .iter()
        .find(|c| c.rule_set == "policies")
        .expect("a zone policy");
    assert_eq!(pol.rule.from.as_deref(), Some("application"));
    assert_eq!(pol.rule.to.as_deref(), Some("management"));
}

/// SPEC §13's `route` alternative for a `no_route`, applied as a person would (the change
/// pasted into a copy of the file) and traced again.
mod route_fix {
    use super::*;

    fn trace_text(text: &str, from: &str, to: &str) -> Trace {
        let t = load_str(text, "t.yaml").expect("loads");
        trace_with_fixes(
            &t,
            &Query::new(from, to, Some(443), Protocol::Tcp),
            &WhatIf::default(),
        )
        .expect("traces")
    }

    const TWO_VNETS: &str = "version: 1
networks:
  - id: vnet-a
    cidr: 10.1.0.0/16
    subnets:
      - { id: snet-a, cidr: 10.1.1.0/24 }
  - id: vnet-b
    cidr: 10.2.0.0/16
    subnets:
      - { id: snet-b, cidr: 10.2.1.0/24 }
endpoints:
  - { id: vm-a, kind: app, subnet: snet-a, ip: 10.1.1.4 }
  - { id: vm-b, kind: app, subnet: snet-b, ip: 10.2.1.4 }
";

    /// Azure: two virtual networks do not reach each other until they are peered
    /// (<https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview>:
    /// "Virtual network peering enables you to seamlessly connect two or more virtual
    /// networks"). The route fix names the peering; pasting it into `peerings:` routes the flow.
    #[test]
    fn unpeered_networks_get_the_peering_and_it_routes_the_flow() {
        let tr = trace_text(TWO_VNETS, "vm-a", "vm-b");
        assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
        let Some(Fix::Route { reason, peering }) = tr.fixes.first() else {
            panic!("a route alternative first: {:?}", tr.fixes)
        };
        assert_eq!(
            peering.as_ref(),
            Some(&["vnet-a".to_string(), "vnet-b".to_string()]),
            "{reason}"
        );
        let json = serde_json::to_value(&tr.fixes[0]).unwrap();
        assert_eq!(json["kind"], "route");
        assert_eq!(json["peering"][1], "vnet-b");
        let [a, b] = peering.clone().unwrap();
        let fixed = format!("{TWO_VNETS}peerings:\n  - [{a}, {b}]\n");
        let after = trace_text(&fixed, "vm-a", "vm-b");
        assert_eq!(after.verdict, Verdict::Allow, "{}", after.reason);
    }

    const PEERED_NO_ROUTE: &str = "version: 1
networks:
  - id: vpc-a
    provider: aws
    cidr: 10.10.0.0/16
    route_table: rt-a
    subnets:
      - { id: sn-a, cidr: 10.10.1.0/24 }
  - id: vpc-b
    provider: aws
    cidr: 10.20.0.0/16
    route_table: rt-b
    subnets:
      - { id: sn-b, cidr: 10.20.1.0/24 }
peerings:
  - [vpc-a, vpc-b]
route_tables:
  - id: rt-a
    routes:
      - { prefix: 0.0.0.0/0, next_hop: internet }
  - id: rt-b
    routes:
      - { prefix: 0.0.0.0/0, next_hop: internet }
endpoints:
  - { id: h-a, kind: app, subnet: sn-a, ip: 10.10.1.10 }
  - { id: h-b, kind: app, subnet: sn-b, ip: 10.20.1.10 }
";

    /// AWS: a peering carries traffic only where a route table names it ("To send private
    /// IPv4 traffic from your instance to an instance in a peer VPC, you must add a route to
    /// the route table ... The owner of the other VPC ... must add a route",
    /// <https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html>). So the fix for
    /// peered-but-unrouted VPCs is the route, not another peering; pasted into both tables, it
    /// routes the flow.
    #[test]
    fn peered_aws_vpcs_without_a_route_get_the_route_and_it_routes_the_flow() {
        let tr = trace_text(PEERED_NO_ROUTE, "h-a", "h-b");
        assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
        let Some(Fix::Route { reason, peering }) = tr.fixes.first() else {
            panic!("a route alternative first: {:?}", tr.fixes)
        };
        assert_eq!(*peering, None, "already peered: {reason}");
        assert!(
            reason.contains("{ prefix: 10.20.1.0/24, next_hop: peering:vpc-b }"),
            "{reason}"
        );
        assert!(reason.contains("the route table of rt-a"), "{reason}");
        assert!(reason.contains("return route in vpc-b"), "{reason}");
        let fixed = PEERED_NO_ROUTE
            .replace(
                "  - id: rt-a\n    routes:\n",
                "  - id: rt-a\n    routes:\n      - { prefix: 10.20.1.0/24, next_hop: \"peering:vpc-b\" }\n",
            )
            .replace(
                "  - id: rt-b\n    routes:\n",
                "  - id: rt-b\n    routes:\n      - { prefix: 10.10.0.0/16, next_hop: \"peering:vpc-a\" }\n",
            );
        let after = trace_text(&fixed, "h-a", "h-b");
        assert_eq!(after.verdict, Verdict::Allow, "{}", after.reason);
    }
}
