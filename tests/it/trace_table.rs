//! Trace truth tables: (from, to, port, protocol) → verdict, deciding rule and path, for every
//! routing case and every kind of rule set, on `tests/fixtures/trace/routing-and-rules.yaml`.

use std::path::Path;

use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict, load};

fn topo() -> Topology {
    load(Path::new("tests/fixtures/trace/routing-and-rules.yaml")).expect("fixture loads")
}

fn run(t: &Topology, from: &str, to: &str, port: u16, proto: Protocol) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), proto),
        &WhatIf::default(),
    )
    .expect("traceable")
}

use Protocol::{Tcp, Udp};
use Verdict::{Allow, Deny, NoRoute};

/// from, to, port, protocol, verdict, deciding "rule_set/rule" ("-" for none), path.
#[rustfmt::skip]
const TABLE: &[(&str, &str, u16, Protocol, Verdict, &str, &str)] = &[
    // spoke → sibling spoke, through the hub firewall; zone policy allows
    ("web", "db", 5432, Tcp, Allow, "policies/NET-005", "web snet-app spoke-app hub-a fw-a spoke-data snet-data db"),
    // same flow by addresses
    ("10.1.1.4", "10.2.1.4", 5432, Tcp, Allow, "policies/NET-005", "web snet-app spoke-app hub-a fw-a spoke-data snet-data db"),
    // Azure: `egress: fw-a` on the hub is a 0.0.0.0/0 user-defined route to fw-a on every
    // spoke subnet (SPEC §11.1), and `VirtualNetwork` includes "address prefixes used on
    // user-defined routes" (https://learn.microsoft.com/azure/virtual-network/service-tags-overview,
    // VirtualNetwork row), so for snet-app's NSG it is every address: AllowVnetOutBound (65000)
    // lets tcp/22 leave, and the firewall's own deny decides (Azure Firewall filters what the
    // UDR sends it, https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview,
    // "Virtual appliance").
    ("web", "db", 22, Tcp, Deny, "fw-policy/no-ssh", "web snet-app spoke-app hub-a fw-a spoke-data snet-data db"),
    // hub-b has no user-defined route, so its NSG's `VirtualNetwork` is hub-b and its peer hub-a
    // only (service-tags-overview: the VNet, peered VNets; peering is not transitive): spoke-app,
    // forwarded by fw-a, is not in it and DenyAllInBound (65500) decides (Azure's default rules,
    // https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
    ("web", "svc-b2", 443, Tcp, Deny, "nsg-hubb2/DenyAllInBound", "web snet-app spoke-app hub-a fw-a hub-b snet-hubb2 svc-b2"),
    // spoke → its hub: peered, no firewall on the way
    ("web", "gw", 443, Tcp, Allow, "policies/NET-001", "web snet-app spoke-app hub-a snet-gw gw"),
    // PaaS by id: through its private endpoint; explicit deny beats a broader allow (NET-011)
    ("web", "aoai", 443, Tcp, Deny, "policies/NET-010", "web snet-app spoke-app hub-a snet-pe pe-aoai aoai"),
    // by FQDN: the spoke asks the hub firewall's DNS proxy (`dns_servers`), which sees the
    // private zone linked to the hub (SPEC §11.7)
    ("web", "contoso.openai.azure.com", 443, Tcp, Deny, "policies/NET-010", "web snet-app spoke-app hub-a snet-pe pe-aoai aoai"),
    // naming the private endpoint itself means its service
    ("gw", "pe-aoai", 443, Tcp, Allow, "policies/NET-002", "gw snet-gw hub-a snet-pe pe-aoai aoai"),
    ("gw", "10.0.2.5", 443, Tcp, Allow, "policies/NET-002", "gw snet-gw hub-a snet-pe pe-aoai aoai"),
    ("gw", "contoso.openai.azure.com", 443, Tcp, Allow, "policies/NET-002", "gw snet-gw hub-a snet-pe pe-aoai aoai"),
    // a custom rule reusing a default's name is reported with its own priority
    ("gw", "db", 5432, Tcp, Deny, "nsg-data/DenyAllInBound", "gw snet-gw hub-a spoke-data snet-data db"),
    // remote hub through the local hub's firewall
    ("web", "svc-b", 443, Tcp, Allow, "policies/NET-001", "web snet-app spoke-app hub-a fw-a hub-b snet-hubb svc-b"),
    // firewall explicit deny
    ("web", "svc-b", 22, Tcp, Deny, "fw-policy/no-ssh", "web snet-app spoke-app hub-a fw-a hub-b snet-hubb svc-b"),
    // a hub without a firewall does not carry spoke-to-spoke traffic
    ("app-b1", "app-b2", 443, Tcp, NoRoute, "-", "app-b1 snet-b1 spoke-b1"),
    // no private zone linked: resolves publicly, leaves through the spoke's own internet egress
    ("app-b1", "contoso.openai.azure.com", 443, Tcp, Deny, "policies/NET-010", "app-b1 snet-b1 spoke-b1 internet aoai"),
    // PaaS without a private endpoint: publicly, through the hub firewall's application rule
    ("web", "blob", 443, Tcp, Allow, "policies/NET-006", "web snet-app spoke-app hub-a fw-a internet blob"),
    ("web", "acct.blob.core.windows.net", 443, Tcp, Allow, "policies/NET-006", "web snet-app spoke-app hub-a fw-a internet blob"),
    // public access disabled
    ("internet", "aoai", 443, Tcp, Deny, "aoai/public-access-disabled", "internet aoai"),
    ("internet", "blob", 443, Tcp, Allow, "-", "internet blob"),
    // from the internet only public IPs are reachable
    ("internet", "web", 443, Tcp, NoRoute, "-", "internet"),
    ("internet", "13.58.55.60", 22, Tcp, Allow, "sg-pub/ssh-anywhere", "internet aws-vpc public pub-vm"),
    ("internet", "13.58.55.60", 443, Tcp, Deny, "nacl-pub/*", "internet aws-vpc public pub-vm"),
    // private endpoint subnet with private_endpoint_policies disabled: its NSG does not apply
    ("gw", "aoai-weu", 443, Tcp, Allow, "policies/NET-002", "gw snet-gw hub-a hub-b snet-peb pe-aoai-weu aoai-weu"),
    // IPv6
    ("web6", "gw6", 443, Tcp, Allow, "policies/NET-001", "web6 snet-app spoke-app hub-a snet-gw gw6"),
    ("fd00:1:0:1::4", "fd00:a:0:3::6", 443, Tcp, Allow, "policies/NET-001", "web6 snet-app spoke-app hub-a snet-gw gw6"),
    // same subnet, listening ports
    ("lab-1", "lab-2", 8080, Tcp, Allow, "-", "lab-1 snet-lab lab-2"),
    ("lab-1", "lab-2", 9090, Tcp, Deny, "lab-2/no-listener", "lab-1 snet-lab lab-2"),
    // AWS: security groups (allow union) and NACLs (stateless: the return must pass too)
    ("pub-vm", "priv-vm", 5432, Tcp, Allow, "sg-priv/pg-from-public", "pub-vm public aws-vpc private priv-vm"),
    ("priv-vm", "pub-vm", 443, Tcp, Deny, "nacl-pub/*", "priv-vm private aws-vpc public pub-vm"),
    // outbound AWS checks the security group, then the subnet's network ACL (and its return
    // leg): the last check, so the named rule of the allow, is the NACL's (SPEC §11.4; AWS,
    // "Compare security groups and network ACLs": https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html)
    ("pub-vm", "8.8.8.8", 443, Tcp, Allow, "nacl-pub/in-return-web", "pub-vm public aws-vpc internet 8.8.8.8"),
    ("pub-vm", "8.8.8.8", 53, Udp, Deny, "nacl-pub/*", "pub-vm public aws-vpc internet 8.8.8.8"),
    ("priv-vm", "8.8.8.8", 443, Tcp, NoRoute, "-", "priv-vm private aws-vpc"),
    // AWS: a network ACL filters traffic in and out of its subnet, not within it
    ("pub-vm", "pub-vm2", 80, Tcp, Allow, "sg-pub2/app-from-subnet", "pub-vm public pub-vm2"),
    ("pub-vm", "pub-vm2", 81, Tcp, Deny, "sg-pub2/implicit-deny", "pub-vm public pub-vm2"),
];

#[test]
fn truth_table() {
    let t = topo();
    let mut failures = Vec::new();
    for (from, to, port, proto, verdict, rule, path) in TABLE {
        let tr = run(&t, from, to, *port, *proto);
        let decided = tr
            .decided_by
            .as_ref()
            .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule));
        let got_path = tr.path.join(" ");
        if tr.verdict != *verdict || decided != *rule || got_path != *path {
            failures.push(format!(
                "{from} -> {to}:{port}/{proto}: want {verdict} {rule} [{path}], got {} {decided} [{got_path}] — {}",
                tr.verdict, tr.reason
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn an_allow_means_every_check_allowed_and_a_deny_ends_at_the_deciding_check() {
    let t = topo();
    for (from, to, port, proto, ..) in TABLE {
        let tr = run(&t, from, to, *port, *proto);
        match tr.verdict {
            Allow => assert!(
                tr.checks
                    .iter()
                    .all(|c| c.action == zonescope::model::rules::Action::Allow)
            ),
            Deny => {
                let last = tr.checks.last().expect("a deny has a check");
                let d = tr.decided_by.as_ref().unwrap();
                assert_eq!((&last.rule_set, &last.rule), (&d.rule_set, &d.rule));
                assert!(tr.fix.is_some(), "{from} -> {to}: a deny suggests a fix");
            }
            NoRoute => {
                assert!(tr.decided_by.is_none());
                assert!(tr.checks.is_empty());
            }
        }
    }
}

#[test]
fn nsg_default_deny_reason_names_the_rule_and_the_fix_a_free_priority() {
    let t = topo();
    // The row web -> svc-b2:443 of TABLE (hub-b has no UDR, so spoke-app is not VirtualNetwork).
    let tr = run(&t, "web", "svc-b2", 443, Tcp);
    assert_eq!(
        tr.reason,
        "NSG nsg-hubb2 rule DenyAllInBound (65500) denies inbound tcp/443 from 10.1.1.4 (web) to 10.10.3.4 (svc-b2): no rule allows it"
    );
    let fix = tr.fix.unwrap();
    assert!(fix.contains("add to nsg-hubb2 an inbound allow rule for tcp/443 from snet-app to snet-hubb2 at priority 4000"), "{fix}");
}

#[test]
fn custom_rule_named_like_a_default_keeps_its_own_priority() {
    let t = topo();
    let tr = run(&t, "gw", "db", 5432, Tcp);
    let d = tr.decided_by.unwrap();
    assert_eq!(d.priority, Some(1000));
    assert_eq!(
        d.justification.as_deref(),
        Some("Custom rule reusing the default's name")
    );
}

#[test]
fn the_dns_step_is_shown_private_or_public() {
    let t = topo();
    let private = run(&t, "web", "contoso.openai.azure.com", 443, Tcp)
        .dns
        .unwrap();
    assert!(private.private);
    assert_eq!(private.answer.as_deref(), Some("10.0.2.5"));
    assert_eq!(
        private.zone.as_deref(),
        Some("privatelink.openai.azure.com")
    );
    assert_eq!(private.linked_to.as_deref(), Some("hub-a"));
    let public = run(&t, "app-b1", "contoso.openai.azure.com", 443, Tcp)
        .dns
        .unwrap();
    assert!(!public.private);
    assert!(
        public
            .note
            .contains("no private zone holding it is linked to spoke-b1"),
        "{}",
        public.note
    );
}

#[test]
fn nacl_return_traffic_is_checked_and_reported_as_such() {
    let t = topo();
    let tr = run(&t, "pub-vm", "8.8.8.8", 53, Udp);
    let last = tr.checks.last().unwrap();
    assert!(last.return_flow);
    assert_eq!(
        last.direction,
        Some(zonescope::model::rules::Direction::Inbound)
    );
    assert!(
        tr.reason.contains("udp/1024-65535 (the return traffic)"),
        "{}",
        tr.reason
    );
}

#[test]
fn a_gateway_reports_each_backend_and_which_one_serves() {
    let t = topo();
    let tr = run(&t, "web", "gw", 443, Tcp);
    let b: Vec<(&str, Verdict, bool)> = tr
        .backends
        .iter()
        .map(|b| {
            (
                b.to.as_str(),
                b.verdict,
                b.backend.as_ref().unwrap().serving,
            )
        })
        .collect();
    assert_eq!(
        b,
        vec![("pe-aoai", Allow, true), ("aoai-weu", Allow, false)]
    );
    assert_eq!(
        tr.backends[1].backend.as_ref().unwrap().region.as_deref(),
        Some("westeurope")
    );
}

#[test]
fn what_if_failover_moves_traffic_to_the_next_priority() {
    let t = topo();
    let mut w = WhatIf::default();
    w.disable(&t, "pe-aoai").unwrap();
    let tr = trace(&t, &Query::new("web", "gw", Some(443), Tcp), &w).unwrap();
    let serving: Vec<&str> = tr
        .backends
        .iter()
        .filter(|b| b.backend.as_ref().unwrap().serving)
        .map(|b| b.to.as_str())
        .collect();
    assert_eq!(serving, vec!["aoai-weu"]);
    // With its private endpoint down the service is not reached publicly: public access is off.
    let direct = trace(&t, &Query::new("gw", "aoai", Some(443), Tcp), &w).unwrap();
    assert_ne!(direct.verdict, Allow, "{}", direct.reason);
}

#[test]
fn what_if_disabling_the_hub_firewall_cuts_spoke_to_spoke() {
    let t = topo();
    let mut w = WhatIf::default();
    w.disable(&t, "fw-a").unwrap();
    let tr = trace(&t, &Query::new("web", "db", Some(5432), Tcp), &w).unwrap();
    assert_eq!(tr.verdict, NoRoute);
    let mut w = WhatIf::default();
    w.disable(&t, "fw-policy/app-to-db").unwrap();
    let tr = trace(&t, &Query::new("web", "db", Some(5432), Tcp), &w).unwrap();
    assert_eq!(tr.decided_by.unwrap().rule, "default-deny");
    let mut w = WhatIf::default();
    w.disable(&t, "westeurope").unwrap();
    assert_eq!(
        trace(&t, &Query::new("web", "svc-b", Some(443), Tcp), &w)
            .unwrap()
            .verdict,
        NoRoute
    );
    let mut w = WhatIf::default();
    w.disable(&t, "hub-a<->hub-b").unwrap();
    assert_eq!(
        trace(&t, &Query::new("web", "svc-b", Some(443), Tcp), &w)
            .unwrap()
            .verdict,
        NoRoute
    );
}

#[test]
fn unknown_ends_are_errors_with_a_hint() {
    let t = topo();
    let e = trace(
        &t,
        &Query::new("webb", "db", Some(1), Tcp),
        &WhatIf::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("unknown source `webb`"));
    assert!(e.help.contains("`web`"), "{}", e.help);
    let e = trace(
        &t,
        &Query::new("web", "nsg-app", Some(1), Tcp),
        &WhatIf::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("is a rule set"));
}

#[test]
fn query_parses_the_explorer_syntax() {
    let q = Query::parse("web -> aoai-eus:443").unwrap();
    assert_eq!(
        (q.from.as_str(), q.to.as_str(), q.port, q.protocol),
        ("web", "aoai-eus", Some(443), Tcp)
    );
    let q = Query::parse("web→db:53/udp").unwrap();
    assert_eq!((q.to.as_str(), q.port, q.protocol), ("db", Some(53), Udp));
    let q = Query::parse("web -> fd00::4").unwrap();
    assert_eq!((q.to.as_str(), q.port), ("fd00::4", None));
    let q = Query::parse("web -> [fd00::4]:443").unwrap();
    assert_eq!((q.to.as_str(), q.port), ("fd00::4", Some(443)));
    assert!(Query::parse("web").is_err());
    assert!(Query::parse("web -> db:99999").is_err());
}

#[test]
fn an_icmp_return_is_named_without_ports() {
    let t = topo();
    // pub-vm's NACL lets no ICMP out, so the reply of a ping from the internet is denied.
    let tr = trace(
        &t,
        &Query::new("internet", "13.58.55.60", None, Protocol::Icmp),
        &WhatIf::default(),
    )
    .unwrap();
    assert_eq!(tr.verdict, Deny, "{}", tr.reason);
    assert!(
        tr.reason.contains("icmp (the return traffic)")
            || tr.reason.contains("denies inbound icmp"),
        "{}",
        tr.reason
    );
    assert!(!tr.reason.contains("icmp/"), "{}", tr.reason);
}
