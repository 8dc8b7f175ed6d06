//! On-premises sources (SPEC §11.2): a flow from an address inside a VPN gateway's `onprem:`
//! prefixes into a network enters through the gateway, is routed from the gateway's subnet, and
//! is judged by the destination's rule sets with the on-premises address — which is in Azure's
//! `VirtualNetwork` tag and not in its `Internet` tag. Every row was derived from the
//! documentation cited on it before the code ran; each row is also checked against the
//! exact-reachability engine and the flow-log classifier (which judge through the same plan).

use std::path::Path;

use zonescope::engine::flows::classify::Classifier;
use zonescope::engine::reach::{Engine, Target, addr_party};
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{EntityRef, Topology, Verdict, load};

/// VirtualNetwork: "The virtual network address space (all IP address ranges defined for the
/// virtual network), all connected on-premises address spaces, peered virtual networks, virtual
/// networks connected to a virtual network gateway …"; Internet: "The IP address space that's
/// outside the virtual network and reachable by the public internet".
const TAGS: &str = "https://learn.microsoft.com/azure/virtual-network/service-tags-overview";
/// Gateway transit: a peered virtual network uses the remote gateway to reach, and be reached
/// from, the on-premises networks behind it.
const TRANSIT: &str = "https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity";
/// A route table can be associated with the GatewaySubnet to send traffic from on-premises
/// through a network virtual appliance.
const UDR: &str = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview";
/// NSG rules by priority, first match; default rules AllowVnetInBound (65000), DenyAllInBound.
const NSG: &str =
    "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview";

use Verdict::{Allow, Deny, NoRoute};

/// from, to, port, verdict, deciding "rule_set/rule" ("-" for none), an id the path holds,
/// the documentation.
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
const ROWS: &[Row] = &[
    // In through vpngw to the peered spoke1; nsg-app1's rule for the on-premises range.
    ("192.168.10.5", "app1", 22, Allow, "nsg-app1/ssh-from-onprem", "vpngw", TRANSIT),
    ("192.168.10.5", "10.1.1.4", 22, Allow, "nsg-app1/ssh-from-onprem", "vpngw", TRANSIT),
    // The on-premises address is in VirtualNetwork: AllowVnetInBound admits it ...
    ("192.168.10.5", "app1", 443, Allow, "nsg-app1/AllowVnetInBound", "vpngw", TAGS),
    // ... and a deny of VirtualNetwork matches it.
    ("192.168.10.5", "app1", 3389, Deny, "nsg-app1/deny-vnet-rdp", "vpngw", TAGS),
    // It is not in Internet: deny-internet-8080 does not match; AllowVnetInBound does.
    ("192.168.10.5", "app1", 8080, Allow, "nsg-app1/AllowVnetInBound", "vpngw", TAGS),
    // The GatewaySubnet's route table sends spoke2 through the hub firewall.
    ("192.168.10.5", "app2", 443, Allow, "fw-rules/onprem-to-spoke2", "fw", UDR),
    ("192.168.10.5", "app2", 22, Deny, "fw-rules/default-deny", "fw", UDR),
    // island is not peered with the gateway's network: the on-premises prefixes do not reach it.
    ("192.168.10.5", "vm9", 443, NoRoute, "-", "192.168.10.5", TRANSIT),
    // An internet address is still the internet: the private address is not reachable.
    ("8.8.8.8", "app1", 22, NoRoute, "-", "8.8.8.8", NSG),
];

fn topo() -> Topology {
    let p = "tests/fixtures/routes/azure-onprem.yaml";
    load(Path::new(p)).unwrap_or_else(|e| panic!("{p} loads: {e:?}"))
}

fn run(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traceable: {e}"))
}

#[test]
fn onprem_sources_enter_through_their_gateway() {
    let t = topo();
    let engine = Engine::new(&t);
    let mut cls = Classifier::new(&t);
    let mut bad = Vec::new();
    for (from, to, port, verdict, rule, via, doc) in ROWS {
        let tr = run(&t, from, to, *port);
        let what = format!("{from} -> {to}:{port} ({doc})");
        let decided = tr
            .decided_by
            .as_ref()
            .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule));
        if tr.verdict != *verdict || decided != *rule {
            bad.push(format!(
                "{what}: {} {decided} (want {verdict} {rule}): {}",
                tr.verdict, tr.reason
            ));
        }
        if !tr.path.iter().any(|p| p == via) {
            bad.push(format!("{what}: path {:?} holds {via}", tr.path));
        }
        // Exact reachability (check, matrix, diff) agrees.
        let target = match t.find(to) {
            Some(EntityRef::Endpoint(e)) => Target::Ep(e),
            _ => match t.lookup_ip(to.parse().expect("an address")).endpoint {
                Some(e) => Target::Ep(e),
                None => panic!("{to} names an endpoint"),
            },
        };
        let src = addr_party(&t, from.parse().expect("an address"));
        let (r, routed) = engine.reach_routed(&src, &target, None);
        if r.tcp.contains(*port) != (*verdict == Allow) || routed != (*verdict != NoRoute) {
            bad.push(format!(
                "{what}: exact reachability {} routed {routed}",
                r.text()
            ));
        }
        // A flow log's record of the same flow is judged the same (flows).
        let dst_ip = t
            .find(to)
            .and_then(|e| match e {
                EntityRef::Endpoint(e) => t.endpoint(e).ip,
                _ => None,
            })
            .unwrap_or_else(|| to.parse().expect("an address"));
        let j = cls
            .judge(
                from.parse().expect("an address"),
                dst_ip,
                Some(*port),
                Protocol::Tcp,
            )
            .map(|j| j.verdict);
        if j != Some(*verdict) {
            bad.push(format!("{what}: the flow-log classifier says {j:?}"));
        }
    }
    assert!(bad.is_empty(), "rows failed:\n{}", bad.join("\n"));
}

/// The gateway switched off by a what-if: nothing enters from on premises.
#[test]
fn a_gateway_switched_off_carries_nothing_in() {
    let t = topo();
    let Some(EntityRef::Endpoint(g)) = t.find("vpngw") else {
        panic!("vpngw");
    };
    let mut w = WhatIf::default();
    w.endpoints.insert(g);
    let tr = trace(
        &t,
        &Query::new("192.168.10.5", "app1", Some(22), Protocol::Tcp),
        &w,
    )
    .expect("traceable");
    assert_eq!(tr.verdict, NoRoute, "{}", tr.reason);
    assert!(tr.reason.contains("vpngw"), "{}", tr.reason);
}

/// AWS: the virtual private gateway of the reference snapshot (no subnet; the main route table
/// names it) carries its VPN's static route 19.168.0.0/16 into the VPC
/// (https://docs.aws.amazon.com/vpn/latest/s2svpn/how_it_works.html). The private instance's
/// subnet routes the reply back through it: its security group then judges the on-premises
/// address (in-tcp-22 allows 0.0.0.0/0). The public instance's subnet sends 0.0.0.0/0 to the
/// internet gateway, so the reply would not return through the VPN: no route
/// (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html: a route table must
/// name the virtual private gateway).
#[test]
fn an_aws_virtual_private_gateway_carries_onprem_sources_into_its_vpc() {
    let p = "tests/fixtures/reference/aws-public-private-subnet-routes.yaml";
    let t = load(Path::new(p)).expect("loads");
    let tr = run(&t, "19.168.0.5", "10.0.1.204", 22);
    assert_eq!(tr.verdict, Allow, "{}", tr.reason);
    assert_eq!(
        tr.decided_by
            .as_ref()
            .map(|d| (d.rule_set.as_str(), d.rule.as_str())),
        Some(("sg-063f2bb51713c3236", "in-tcp-22"))
    );
    assert!(
        tr.path.iter().any(|x| x == "vgw-070087240d6fa2989"),
        "{:?}",
        tr.path
    );
    let tr = run(&t, "19.168.0.5", "10.0.0.47", 22);
    assert_eq!(tr.verdict, NoRoute, "{}", tr.reason);
    assert!(tr.reason.contains("internet"), "{}", tr.reason);
}

/// The zone policy has three kinds of side (SPEC §11.8: a zone, `unzoned`, `internet` outside
/// every network): an on-premises source is on the `internet` side, and a policy rule naming
/// `internet` judges it (while the NSGs' `Internet` tag does not hold it [TAGS]).
#[test]
fn the_zone_policy_sees_onprem_on_its_internet_side() {
    let text = std::fs::read_to_string("tests/fixtures/routes/azure-onprem.yaml").expect("reads");
    let text = text
        .replace(
            "{ id: snet-app1, cidr: 10.1.1.0/24, rules: [nsg-app1] }",
            "{ id: snet-app1, cidr: 10.1.1.0/24, rules: [nsg-app1], zone: app }",
        )
        .replacen(
            "route_tables:",
            "zones: [{ id: app }]\npolicies:\n  - { id: P-1, from: internet, to: app, action: allow, protocol: tcp, ports: 22 }\nroute_tables:",
            1,
        );
    let t = zonescope::model::load_str(&text, "onprem-zones.yaml").expect("loads");
    let tr = run(&t, "192.168.10.5", "app1", 22);
    assert_eq!(tr.verdict, Allow, "{}", tr.reason);
    assert!(
        tr.checks
            .iter()
            .any(|c| c.rule == "P-1" && c.at == "internet -> app"),
        "{:?}",
        tr.checks
    );
    let tr = run(&t, "192.168.10.5", "app1", 443);
    assert_eq!(tr.verdict, Deny, "{}", tr.reason);
    assert_eq!(
        tr.decided_by.as_ref().map(|d| d.rule_set.as_str()),
        Some("policies"),
        "{}",
        tr.reason
    );
}
