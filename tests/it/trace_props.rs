//! Invariants of the trace engine over random flows of the truth-table fixture: an `allow` means
//! every check allowed; a `deny` ends at its deciding check; adding a deny rule anywhere never
//! turns a flow that was not allowed into an allowed one.

use proptest::prelude::*;
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::model::rules::{Action, Protocol};
use zonescope::model::{Topology, Verdict, load_str};

const FIXTURE: &str = include_str!("../fixtures/trace/routing-and-rules.yaml");

const ENDS: &[&str] = &[
    "web",
    "web6",
    "db",
    "gw",
    "gw6",
    "svc-b",
    "app-b1",
    "app-b2",
    "aoai",
    "pe-aoai",
    "aoai-weu",
    "blob",
    "pub-vm",
    "priv-vm",
    "lab-1",
    "lab-2",
    "internet",
    "10.1.1.4",
    "8.8.8.8",
    "13.58.55.60",
    "contoso.openai.azure.com",
    "acct.blob.core.windows.net",
    "snet-app",
];
const PORTS: &[u16] = &[22, 53, 443, 5432, 8080, 8443, 9090, 40000];

fn flows() -> impl Strategy<Value = (usize, usize, usize, bool)> {
    (0..ENDS.len(), 0..ENDS.len(), 0..PORTS.len(), any::<bool>())
}

fn verdict(
    t: &Topology,
    from: &str,
    to: &str,
    port: u16,
    udp: bool,
) -> Option<zonescope::engine::trace::Trace> {
    let proto = if udp { Protocol::Udp } else { Protocol::Tcp };
    trace(
        t,
        &Query::new(from, to, Some(port), proto),
        &WhatIf::default(),
    )
    .ok()
}

/// The fixture with one more deny rule: in nsg-app (outbound), in the hub firewall, or in the
/// zone policy.
fn with_deny(place: u8, lo: u16, len: u16, src: &str, dst: &str) -> String {
    let ports = format!("\"{lo}-{}\"", lo.saturating_add(len));
    match place % 3 {
        0 => FIXTURE.replace(
            "  - id: nsg-app\n    kind: nsg\n    rules:\n",
            &format!("  - id: nsg-app\n    kind: nsg\n    rules:\n      - {{ id: extra-deny, priority: 150, direction: outbound, action: deny, protocol: tcp, source: \"{src}\", destination: \"{dst}\", ports: {ports} }}\n"),
        ),
        1 => FIXTURE.replace(
            "  - id: fw-policy\n    kind: firewall\n    rules:\n",
            &format!("  - id: fw-policy\n    kind: firewall\n    rules:\n      - {{ id: extra-deny, priority: 150, action: deny, protocol: any, source: \"{src}\", destination: \"{dst}\", ports: {ports} }}\n"),
        ),
        _ => format!(
            "{FIXTURE}  - {{ id: NET-099, from: \"{src}\", to: \"{dst}\", protocol: any, ports: {ports}, action: deny }}\n"
        ),
    }
}

const SELECTORS: &[&str] = &[
    "*",
    "snet-app",
    "10.0.0.0/8",
    "snet-data",
    "hub-b",
    "application",
    "external_ai",
    "Internet",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn allow_means_every_check_allowed((a, b, p, udp) in flows()) {
        let t = load_str(FIXTURE, "fixture.yaml").unwrap();
        if let Some(tr) = verdict(&t, ENDS[a], ENDS[b], PORTS[p], udp) {
            match tr.verdict {
                Verdict::Allow => {
                    prop_assert!(tr.checks.iter().all(|c| c.action == Action::Allow));
                    if let Some(d) = &tr.decided_by {
                        prop_assert_eq!(d.action, Action::Allow);
                        prop_assert!(tr.checks.iter().any(|c| c.rule == d.rule && c.is_rule()));
                    }
                }
                Verdict::Deny => {
                    let last = tr.checks.last().unwrap();
                    prop_assert_eq!(last.action, Action::Deny);
                    prop_assert!(tr.checks[..tr.checks.len() - 1].iter().all(|c| c.action == Action::Allow));
                    prop_assert_eq!(&tr.decided_by.as_ref().unwrap().rule, &last.rule);
                }
                Verdict::NoRoute => prop_assert!(tr.decided_by.is_none()),
            }
        }
    }

    #[test]
    fn adding_a_deny_rule_never_turns_a_deny_into_an_allow(
        (a, b, p, udp) in flows(),
        place in any::<u8>(),
        lo in prop::sample::select(vec![0u16, 22, 53, 443, 1024, 5000, 8000]),
        len in prop::sample::select(vec![0u16, 1, 100, 10000, 65535]),
        s in 0..SELECTORS.len(),
        d in 0..SELECTORS.len(),
    ) {
        let before_t = load_str(FIXTURE, "fixture.yaml").unwrap();
        let text = with_deny(place, lo, len, SELECTORS[s], SELECTORS[d]);
        let after_t = load_str(&text, "with-deny.yaml").unwrap_or_else(|e| panic!("{}", e.plain()));
        let (Some(before), Some(after)) = (
            verdict(&before_t, ENDS[a], ENDS[b], PORTS[p], udp),
            verdict(&after_t, ENDS[a], ENDS[b], PORTS[p], udp),
        ) else {
            return Ok(());
        };
        if before.verdict != Verdict::Allow {
            prop_assert_ne!(after.verdict, Verdict::Allow, "{} -> {}: {}", ENDS[a], ENDS[b], after.reason);
        }
        // and a deny rule never changes the route
        prop_assert_eq!(before.path, after.path);
    }
}
