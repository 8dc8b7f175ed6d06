//! Properties of rule matching against naive references: port ranges, CIDRs, verdicts that
//! do not depend on the order rules are written in (NSG: first match by priority; security
//! group: allow union), and every kind's single-port, range and exact-port-set answers against
//! a naive per-port reference written here, independent of the engine's walk.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;
use zonescope::engine::policy::{
    Ctx, Flow, Party, allowed_ports, evaluate, may_allow, selector_matches,
};
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::model::rules::{Action, Direction, PortSet, Protocol, Selector};
use zonescope::model::{Topology, load_str};

const BASE: &str = include_str!("../fixtures/valid-base.yaml");

proptest! {
    #[test]
    fn a_port_range_holds_exactly_the_ports_between_its_ends(lo in 0u16..=65535, hi in 0u16..=65535, p in 0u16..=65535) {
        let text = format!("{lo}-{hi}");
        match PortSet::parse_item(&text) {
            Ok(set) => {
                prop_assert!(lo <= hi);
                prop_assert_eq!(set.contains(p), lo <= p && p <= hi);
                prop_assert_eq!(set.count(), u32::from(hi) - u32::from(lo) + 1);
            }
            Err(_) => prop_assert!(lo > hi),
        }
    }

    #[test]
    fn a_port_list_holds_exactly_its_items(items in proptest::collection::vec((0u16..2000, 0u16..50), 0..6), p in 0u16..2100) {
        let set = PortSet::from_ranges(items.iter().map(|&(a, len)| (a, a.saturating_add(len))));
        let naive = items.iter().any(|&(a, len)| a <= p && p <= a.saturating_add(len));
        prop_assert_eq!(set.contains(p), naive);
    }

    #[test]
    fn a_cidr_selector_matches_exactly_the_addresses_under_its_prefix(net in any::<u32>(), len in 0u8..=32, addr in any::<u32>()) {
        let t = base();
        let cidr = Ipv4Net::new(Ipv4Addr::from(net), len).unwrap().trunc();
        let party = Party { addr: Some(IpAddr::V4(Ipv4Addr::from(addr))), outside: true, ..Party::default() };
        let never = |_: &str, _: &str| false;
        let ctx = Ctx { topo: &t, network: None, subnet: None, disabled: &never };
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
        let naive = (addr & mask) == (net & mask);
        prop_assert_eq!(selector_matches(&Selector::Cidr(IpNet::V4(cidr)), &party, &ctx), naive);
    }
}

fn base() -> Topology {
    load_str(BASE, "valid-base.yaml").unwrap()
}

/// One generated rule: action, priority, a port range, and whether it names the source subnet
/// or the whole address space.
#[derive(Debug, Clone)]
struct GenRule {
    allow: bool,
    priority: u32,
    lo: u16,
    len: u16,
    narrow_source: bool,
}

fn rules_strategy() -> impl Strategy<Value = Vec<GenRule>> {
    proptest::collection::vec(
        (
            any::<bool>(),
            0u16..20,
            5000u16..5100,
            0u16..30,
            any::<bool>(),
        ),
        1..8,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (allow, slot, lo, len, narrow_source))| GenRule {
                allow,
                // unique priorities: the slot orders them, the index keeps them distinct
                priority: 100 + u32::from(slot) * 100 + i as u32,
                lo,
                len,
                narrow_source,
            })
            .collect()
    })
}

fn with_rules(kind: &str, rules: &[GenRule]) -> String {
    let mut body = String::new();
    for r in rules {
        let action = if kind == "security_group" || r.allow {
            "allow"
        } else {
            "deny"
        };
        let source = if r.narrow_source {
            "snet-app"
        } else {
            "10.0.0.0/8"
        };
        let prio = if kind == "nsg" {
            format!("        priority: {}\n", r.priority)
        } else {
            String::new()
        };
        body.push_str(&format!(
            "      - id: p{}\n{prio}        direction: outbound\n        action: {action}\n        protocol: tcp\n        source: {source}\n        ports: \"{}-{}\"\n",
            r.priority,
            r.lo,
            r.lo + r.len
        ));
    }
    let head = BASE.split("rule_sets:").next().unwrap();
    format!("{head}rule_sets:\n  - id: nsg-app\n    kind: {kind}\n    rules:\n{body}")
}

fn verdict(text: &str, port: u16) -> (String, String) {
    let t = load_str(text, "generated.yaml").unwrap_or_else(|e| panic!("{}\n{text}", e.plain()));
    let tr = trace(
        &t,
        &Query::new("web", "db", Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap();
    let first = tr
        .checks
        .first()
        .map_or(String::new(), |c| format!("{}/{}", c.rule, c.action));
    (tr.verdict.to_string(), first)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn an_nsg_verdict_is_the_first_match_by_priority_whatever_the_file_order(rules in rules_strategy(), port in 5000u16..5140, seed in any::<u64>()) {
        let mut shuffled = rules.clone();
        // a deterministic shuffle from the seed
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let a = verdict(&with_rules("nsg", &rules), port);
        let b = verdict(&with_rules("nsg", &shuffled), port);
        prop_assert_eq!(&a, &b);
        // and it is the naive first match by priority
        let mut sorted = rules.clone();
        sorted.sort_by_key(|r| r.priority);
        let naive = sorted.iter().enumerate().find(|(_, r)| r.lo <= port && port <= r.lo + r.len).map(|(_, r)| r.allow);
        match naive {
            Some(true) => prop_assert!(a.1.ends_with("/allow")),
            Some(false) => prop_assert!(a.1.ends_with("/deny")),
            // no user rule matches: both subnets are in one network, so the default
            // AllowVnetOutBound (65000) decides
            None => prop_assert_eq!(a.1.as_str(), "AllowVnetOutBound/allow"),
        }
    }

    #[test]
    fn a_security_group_allows_the_union_of_its_rules_whatever_the_order(rules in rules_strategy(), port in 5000u16..5140) {
        let mut reversed = rules.clone();
        reversed.reverse();
        let a = verdict(&with_rules("security_group", &rules), port);
        let b = verdict(&with_rules("security_group", &reversed), port);
        prop_assert_eq!(&a.1[a.1.len().saturating_sub(6)..], &b.1[b.1.len().saturating_sub(6)..]);
        let naive = rules.iter().any(|r| r.lo <= port && port <= r.lo + r.len);
        prop_assert_eq!(a.1.ends_with("/allow"), naive);
    }
}

/// One generated rule for the per-port reference: its action, whether its source matches the
/// flow (`snet-app`, where `web` is) or not (`snet-data`), and its ports `lo..=lo+len`.
#[derive(Debug, Clone)]
struct RefRule {
    allow: bool,
    matches: bool,
    lo: u16,
    len: u16,
}

fn ref_rules() -> impl Strategy<Value = Vec<RefRule>> {
    proptest::collection::vec(
        (any::<bool>(), any::<bool>(), 5000u16..5030, 0u16..20).prop_map(
            |(allow, matches, lo, len)| RefRule {
                allow,
                matches,
                lo,
                len,
            },
        ),
        0..8,
    )
}

/// A topology whose rule set `rs` (of `kind`) or zone policy holds `rules` in this order (the
/// priorities follow the order, so first match is file order).
fn ref_topology(kind: &str, rules: &[RefRule]) -> Topology {
    ref_topology_with(kind, rules, None)
}

/// [`ref_topology`] with, when `deny_all` is `Some(i)`, a deny of every TCP flow (sources,
/// destinations and ports `*`) before the `i`-th rule (after the last when `i` is past it).
fn ref_topology_with(kind: &str, rules: &[RefRule], deny_all: Option<usize>) -> Topology {
    let head = BASE.split("rule_sets:").next().unwrap();
    let mut text = head.to_string();
    let dir = if matches!(kind, "nacl" | "security_group") {
        "        direction: outbound\n"
    } else {
        ""
    };
    let zone = |r: &RefRule| if r.matches { "application" } else { "data" };
    if kind == "policy" {
        text.push_str("rule_sets:\n  - id: nsg-app\n    kind: nsg\n    rules: []\n");
        if !rules.is_empty() || deny_all.is_some() {
            text.push_str("policies:\n");
        }
        if deny_all.is_some() {
            // any matching deny wins: its place among the entries does not matter
            text.push_str("  - { id: all, from: \"*\", to: \"*\", protocol: tcp, action: deny }\n");
        }
        for (i, r) in rules.iter().enumerate() {
            let action = if r.allow { "allow" } else { "deny" };
            text.push_str(&format!(
                "  - id: p{i}\n    from: {}\n    to: data\n    protocol: tcp\n    ports: \"{}-{}\"\n    action: {action}\n",
                zone(r),
                r.lo,
                r.lo + r.len
            ));
        }
    } else {
        text.push_str(&format!(
            "rule_sets:\n  - id: nsg-app\n    kind: nsg\n    rules: []\n  - id: rs\n    kind: {kind}\n    rules:\n"
        ));
        // a security group has no deny rules
        let deny_all = deny_all.filter(|_| kind != "security_group");
        if rules.is_empty() && deny_all.is_none() {
            text.push_str("      []\n");
        }
        let deny = |at: usize| {
            format!(
                "      - {{ id: all, priority: {}, {}action: deny, protocol: tcp, source: \"*\", destination: \"*\", ports: \"*\" }}\n",
                99 + 2 * at,
                if dir.is_empty() {
                    ""
                } else {
                    "direction: outbound, "
                }
            )
        };
        for (i, r) in rules.iter().enumerate() {
            if deny_all == Some(i) {
                text.push_str(&deny(i));
            }
            // a security group has allow rules only: a generated deny becomes a rule that
            // cannot match (its source is the other subnet), so the reference drops it too
            let (action, matches) = if kind == "security_group" {
                ("allow", r.matches && r.allow)
            } else {
                (if r.allow { "allow" } else { "deny" }, r.matches)
            };
            let source = if matches { "snet-app" } else { "snet-data" };
            text.push_str(&format!(
                "      - id: r{i}\n        priority: {}\n{dir}        action: {action}\n        protocol: tcp\n        source: {source}\n        ports: \"{}-{}\"\n",
                100 + 2 * i,
                r.lo,
                r.lo + r.len
            ));
        }
        if let Some(at) = deny_all.filter(|&at| at >= rules.len()) {
            text.push_str(&deny(at.min(rules.len())));
        }
    }
    load_str(&text, "generated.yaml").unwrap_or_else(|e| panic!("{}\n{text}", e.plain()))
}

/// The naive verdict of one port, written from SPEC §2 and the clouds' documents, not from the
/// engine: NACL/firewall the first matching rule in order (AWS NACL rules "are evaluated in
/// order, starting with the lowest numbered rule"); a security group allows when any rule
/// allows ("rules are permissive; you can't create rules that deny access"); the zone policy
/// denies when any matching entry denies, else allows when one allows. No match: deny.
fn naive(kind: &str, rules: &[RefRule], port: u16) -> bool {
    let hits = |r: &&RefRule| r.matches && r.lo <= port && port <= r.lo + r.len;
    match kind {
        "security_group" => rules.iter().filter(|r| r.allow).any(|r| hits(&r)),
        "policy" => {
            !rules.iter().filter(|r| !r.allow).any(|r| hits(&r))
                && rules.iter().filter(|r| r.allow).any(|r| hits(&r))
        }
        _ => rules.iter().find(hits).is_some_and(|r| r.allow),
    }
}

/// The rule set `rs` of `kind` in `t` (the zone policy for `policy`).
fn ref_set(t: &Topology, kind: &str) -> zonescope::model::rules::RuleSet {
    if kind == "policy" {
        t.zone_policy().cloned().unwrap_or_else(|| {
            // no entries: an empty policy denies everything
            let mut r = t.rule_sets()[0].clone();
            r.rules.clear();
            r.kind = zonescope::model::rules::RuleSetKind::Policy;
            r
        })
    } else {
        t.rule_sets().iter().find(|r| r.id == "rs").unwrap().clone()
    }
}

fn ref_ask(t: &Topology, kind: &str, ports: &PortSet) -> (bool, PortSet) {
    let rs = ref_set(t, kind);
    let web = Party::of_endpoint(t, t.endpoint_ix("web").unwrap());
    let db = Party::of_endpoint(t, t.endpoint_ix("db").unwrap());
    let never = |_: &str, _: &str| false;
    let ctx = Ctx {
        topo: t,
        network: web.network,
        subnet: web.subnet,
        disabled: &never,
    };
    let flow = Flow {
        src: &web,
        dst: &db,
        protocol: Protocol::Tcp,
        ports: Some(ports),
    };
    let dir = Some(Direction::Outbound);
    let d = evaluate(&rs, &flow, dir, &ctx);
    (
        d.action == Action::Allow,
        allowed_ports(&rs, &flow, dir, &ctx),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `evaluate` on one port, `evaluate` on a range (allowed only when every port is), and
    /// `allowed_ports` all agree with the naive per-port reference, for every kind.
    #[test]
    fn every_kind_answers_each_port_as_the_naive_reference(
        kind in prop_oneof![Just("nacl"), Just("firewall"), Just("security_group"), Just("policy")],
        rules in ref_rules(),
        port in 4995u16..5055,
        lo in 4995u16..5055,
        len in 0u16..30,
    ) {
        let t = ref_topology(kind, &rules);
        let (one, allowed) = ref_ask(&t, kind, &PortSet::single(port));
        prop_assert_eq!(one, naive(kind, &rules, port), "single port {}", port);
        for p in 4995u16..5055 {
            prop_assert_eq!(allowed.contains(p), naive(kind, &rules, p), "allowed_ports at {}", p);
        }
        prop_assert!(!allowed.contains(4000) && !allowed.contains(6000));
        let hi = lo + len;
        let (range, _) = ref_ask(&t, kind, &PortSet::range(lo, hi));
        prop_assert_eq!(range, (lo..=hi).all(|p| naive(kind, &rules, p)), "range {}-{}", lo, hi);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// `may_allow` says `false` only when no flow of the protocol and direction can be allowed
    /// (checked on the flow `web → db` at every port), and says `false` for a deny of every TCP
    /// flow ahead of every allow, the case a matrix skips its walks for.
    #[test]
    fn may_allow_is_false_only_for_a_rule_set_that_allows_nothing(
        kind in prop_oneof![Just("nacl"), Just("firewall"), Just("security_group"), Just("policy")],
        rules in ref_rules(),
        at in proptest::option::of(0usize..9),
    ) {
        let t = ref_topology_with(kind, &rules, at);
        let rs = ref_set(&t, kind);
        let never = |_: &str, _: &str| false;
        let dir = Some(Direction::Outbound);
        let open = may_allow(&rs, Protocol::Tcp, dir, &never);
        let (_, allowed) = ref_ask(&t, kind, &PortSet::all());
        if !open {
            prop_assert!(allowed.is_empty(), "may_allow false, yet {:?} allowed", allowed);
        }
        // Whether the rules leave a flow of TCP allowed by some end, by the reference's reading:
        // an allow rule (a security group's, or one of any kind) ahead of the deny of all
        // (a policy's deny of all wins wherever it is).
        let first_deny = match (kind, at) {
            ("security_group", _) | (_, None) => usize::MAX,
            ("policy", Some(_)) => 0,
            (_, Some(at)) => at,
        };
        // (a security group writes each generated rule as an allow)
        let allow_before = rules
            .iter()
            .take(first_deny)
            .any(|r| r.allow || kind == "security_group");
        prop_assert_eq!(open, allow_before, "kind {} deny-all at {:?}", kind, at);
        // UDP meets no rule of these sets; the default denies
        prop_assert!(!may_allow(&rs, Protocol::Udp, dir, &never));
    }
}

proptest! {
    /// The allocation-free set operations the walk uses agree with a per-port reference.
    #[test]
    fn subset_intersection_and_difference_agree_with_each_port(
        a in proptest::collection::vec((0u16..300, 0u16..40), 0..5),
        b in proptest::collection::vec((0u16..300, 0u16..40), 0..5),
    ) {
        let set = |v: &[(u16, u16)]| PortSet::from_ranges(v.iter().map(|&(x, l)| (x, x + l)));
        let (a, b) = (set(&a), set(&b));
        let mut i = PortSet::empty();
        let mut d = PortSet::single(7);
        a.intersect_into(&b, &mut i);
        a.difference_into(&b, &mut d);
        let mut w = a.clone();
        w.intersect_with(&b);
        prop_assert_eq!(&w, &i);
        for p in 0u16..400 {
            prop_assert_eq!(i.contains(p), a.contains(p) && b.contains(p));
            prop_assert_eq!(d.contains(p), a.contains(p) && !b.contains(p));
        }
        prop_assert_eq!(a.is_subset(&b), (0u16..400).all(|p| !a.contains(p) || b.contains(p)));
    }
}
