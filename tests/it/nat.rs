//! Source NAT (SPEC §11.1 `nat_gateway`; NAT instances and firewalls with a public address):
//! past the translator the destination and its rule sets see the translator's public address.
//! Every row was derived from the cloud documentation cited on it before the code ran; each row
//! is also checked against the exact-reachability engine (the plan's other interpreter).

use std::path::Path;

use zonescope::engine::reach::{Engine, Target, src_party};
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{EntityRef, Topology, Verdict, load};

/// AWS NAT gateway: "The NAT gateway replaces the source IP address of the instances with the IP
/// address of the NAT gateway. For a public NAT gateway, this is the Elastic IP address".
const AWS_NAT: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html";
/// AWS internet gateway: it performs network address translation for instances that have been
/// assigned public IPv4 addresses (the instance's private address becomes its public one).
const AWS_IGW: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html";
/// Azure Firewall: "Azure Firewall provides automatic SNAT for all outbound traffic to public IP
/// addresses"; it does not SNAT traffic to private (IANA RFC 1918) destinations.
const AZ_FW: &str = "https://learn.microsoft.com/azure/firewall/snat-private-range";

use Verdict::{Allow, Deny, NoRoute};

/// from, to, port, verdict, deciding "rule_set/rule", the translation ("at from>to", "-" for
/// none), the documentation.
type Row = (
    &'static str,
    &'static str,
    u16,
    Verdict,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const AWS_ROWS: &[Row] = &[
    // The private subnet's 0.0.0.0/0 goes to nat-a: srv's group sees the Elastic IP 54.240.0.7,
    // which https-from-nat allows.
    ("app", "54.1.1.10", 443, Allow, "sg-srv/https-from-nat", "nat-a 10.0.2.10>54.240.0.7", AWS_NAT),
    // ... and not 10.0.2.10: the rule for vpc-a's private range does not match, nothing else
    // allows 22, so the security group's implicit deny decides.
    ("app", "54.1.1.10", 22, Deny, "sg-srv/implicit-deny", "nat-a 10.0.2.10>54.240.0.7", AWS_NAT),
    // A rule naming the NAT gateway means its address.
    ("app", "54.1.1.10", 8443, Allow, "sg-srv/app-from-nat-id", "nat-a 10.0.2.10>54.240.0.7", AWS_NAT),
    // web-a's public subnet routes to the internet gateway, which translates web-a to its own
    // public IP 54.240.0.20: neither the NAT's address nor vpc-a's range, so srv denies 22 and
    // 443.
    ("web-a", "54.1.1.10", 22, Deny, "sg-srv/implicit-deny", "internet 10.0.1.20>54.240.0.20", AWS_IGW),
    ("web-a", "54.1.1.10", 443, Deny, "sg-srv/implicit-deny", "internet 10.0.1.20>54.240.0.20", AWS_IGW),
    // A public NAT gateway must sit in a public subnet (its subnet's route table sends the
    // internet to an internet gateway); nat-c's subnet iso-a has no such route: no route.
    ("app-c", "54.1.1.10", 443, NoRoute, "-", "-", AWS_NAT),
];

#[rustfmt::skip]
const AZURE_ROWS: &[Row] = &[
    // spoke → a public IP through the hub firewall (the egress UDR): SNAT to the firewall's
    // public IP, which vm-o's NSG allows on 443.
    ("vm-a", "20.50.0.4", 443, Allow, "nsg-o/https-from-fw", "fw 10.1.1.4>20.10.0.4", AZ_FW),
    // ... so the rule for the spoke's private range does not match on 22; `other` has no UDR,
    // so its VirtualNetwork is itself only and DenyAllInBound (65500) decides
    // (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
    ("vm-a", "20.50.0.4", 22, Deny, "nsg-o/DenyAllInBound", "fw 10.1.1.4>20.10.0.4", AZ_FW),
    // A private destination is not SNATed: nsg-b's deny of the firewall's public address does
    // not match, and spoke2's widened VirtualNetwork (its 0.0.0.0/0 UDR, service tags
    // overview) admits the spoke.
    ("vm-a", "vm-b", 8080, Allow, "nsg-b/AllowVnetInBound", "-", AZ_FW),
];

fn topo(name: &str) -> Topology {
    let p = format!("tests/fixtures/nat/{name}.yaml");
    load(Path::new(&p)).unwrap_or_else(|e| panic!("{p} loads: {e:?}"))
}

fn run(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traceable: {e}"))
}

/// What the exact-reachability engine says of the row's flow on tcp.
fn reach_allows(t: &Topology, from: &str, to: &str, port: u16) -> bool {
    let Some(EntityRef::Endpoint(s)) = t.find(from) else {
        panic!("{from} is an endpoint");
    };
    let target = match to.parse() {
        Ok(a) => Target::Addr(a),
        Err(_) => match t.find(to) {
            Some(EntityRef::Endpoint(d)) => Target::Ep(d),
            _ => panic!("{to} is an endpoint or an address"),
        },
    };
    Engine::new(t)
        .reach(&src_party(t, s), &target)
        .tcp
        .contains(port)
}

fn check(t: &Topology, rows: &[Row]) {
    let mut bad = Vec::new();
    for (from, to, port, verdict, rule, nat, doc) in rows {
        let tr = run(t, from, to, *port);
        let what = format!("{from} -> {to}:{port} ({doc})");
        let decided = tr
            .decided_by
            .as_ref()
            .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule));
        if *verdict == NoRoute && !tr.reason.contains("public subnet") {
            bad.push(format!(
                "{what}: the no_route reason says why: {}",
                tr.reason
            ));
        }
        if tr.verdict != *verdict || decided != *rule {
            bad.push(format!(
                "{what}: {} {decided} (want {verdict} {rule}): {}",
                tr.verdict, tr.reason
            ));
        }
        let got: Vec<String> = tr
            .translations
            .iter()
            .map(|x| format!("{} {}>{}", x.at, x.from, x.to))
            .collect();
        let want: Vec<String> = if *nat == "-" {
            Vec::new()
        } else {
            vec![(*nat).to_string()]
        };
        if got != want {
            bad.push(format!("{what}: translations {got:?}, want {want:?}"));
        }
        if reach_allows(t, from, to, *port) != (*verdict == Allow) {
            bad.push(format!(
                "{what}: exact reachability disagrees with the trace"
            ));
        }
    }
    assert!(bad.is_empty(), "rows failed:\n{}", bad.join("\n"));
}

#[test]
fn aws_nat_gateway_and_internet_gateway_translate_the_source() {
    check(&topo("aws-nat-gateway"), AWS_ROWS);
}

#[test]
fn azure_firewall_snats_public_destinations_only() {
    check(&topo("azure-firewall-snat"), AZURE_ROWS);
}

/// The trace shows the translation at the hop whose route chose the NAT gateway, in JSON and in
/// the path.
#[test]
fn the_trace_shows_the_translation_at_its_hop() {
    let t = topo("aws-nat-gateway");
    let tr = run(&t, "app", "54.1.1.10", 443);
    assert!(tr.path.iter().any(|p| p == "nat-a"), "{:?}", tr.path);
    let hop = tr
        .route_hops
        .iter()
        .find(|h| h.route.next_hop == "nat-a")
        .unwrap_or_else(|| panic!("a hop routes to nat-a: {:?}", tr.route_hops));
    let nat = hop.nat.as_ref().expect("the hop names the translation");
    assert_eq!(
        (nat.kind.as_str(), nat.from.as_str(), nat.to.as_str()),
        ("snat", "10.0.2.10", "54.240.0.7")
    );
    let json = serde_json::to_value(&tr).expect("serialises");
    assert_eq!(json["translations"][0]["to"], "54.240.0.7", "{json}");
}

/// SPEC §13: the fix for a deny past a source NAT names the translated address (what the
/// destination's rule sees, per the Azure Firewall SNAT doc), and applying it allows the flow
/// (the fix search traces every candidate again).
#[test]
fn a_fix_past_the_nat_names_the_translated_address() {
    use zonescope::engine::trace::fix::{Fix, trace_with_fixes};
    let t = topo("azure-firewall-snat");
    let q = Query::new("vm-a", "20.50.0.4", Some(22), Protocol::Tcp);
    let tr = trace_with_fixes(&t, &q, &WhatIf::default()).expect("traceable");
    let Some(Fix::Rules { changes }) = tr.fixes.first() else {
        panic!("a rules fix: {:?}", tr.fixes);
    };
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].rule_set, "nsg-o");
    assert_eq!(
        changes[0].rule.source.as_deref(),
        Some("20.10.0.4/32"),
        "{AZ_FW}"
    );
}

/// The explorer's trace panel shows the translation (from the trace it draws).
#[test]
fn the_explorer_shows_the_translation() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use zonescope::tui::action::Action;
    use zonescope::tui::app::{App, Origin};
    use zonescope::tui::theme::Theme;
    use zonescope::tui::update::update;
    let t = topo("aws-nat-gateway");
    let mut app = App::new(
        t,
        Origin::File("tests/fixtures/nat/aws-nat-gateway.yaml".into()),
        Theme::plain(),
    );
    update(&mut app, Action::Resize(160, 50));
    app.from = Some("app".into());
    app.to = Some("54.1.1.10".into());
    app.port = Some(443);
    app.recompute();
    let mut term = Terminal::new(TestBackend::new(160, 50)).expect("terminal");
    term.draw(|f| zonescope::tui::view::render(f, &app))
        .expect("draws");
    let buf = term.backend().buffer();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(screen.contains("source 10.0.2.10 → 54.240.0.7"), "{screen}");
}
