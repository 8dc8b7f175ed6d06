//! Route tables, transit gateways and the widened `VirtualNetwork` tag (SPEC §11.1–§11.3):
//! truth tables whose every row was derived from the cloud's documentation (cited on the row)
//! before the code ran; the AWS reference snapshot with its real route tables against Batfish's
//! published expectations; loader errors for the new keys; and a property test of the
//! longest-prefix match against a naive scan.

use std::path::Path;

use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;

use zonescope::engine::check::findings;
use zonescope::engine::path::route::table::lookup;
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{ErrorCode, LoadError, Topology, Verdict, load, load_str};

const UDR: &str = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview";
const TAGS: &str = "https://learn.microsoft.com/azure/virtual-network/service-tags-overview";
const PRIORITY: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html";
const PEERING: &str =
    "https://docs.aws.amazon.com/vpc/latest/peering/invalid-peering-configurations.html";
const TGW: &str = "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html";

fn topo(name: &str) -> Topology {
    let p = format!("tests/fixtures/routes/{name}.yaml");
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

/// One row: the flow, the verdict, the deciding rule (`set/rule`) if any, an id the path must
/// (or, with a leading `!`, must not) hold, the prefix of the route that chose the first hop (or
/// a text the no_route reason must hold), and the documentation the row follows.
struct Row {
    from: &'static str,
    to: &'static str,
    port: u16,
    verdict: Verdict,
    rule: Option<&'static str>,
    on_path: Option<&'static str>,
    route: Option<&'static str>,
    doc: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn row(
    from: &'static str,
    to: &'static str,
    port: u16,
    verdict: Verdict,
    rule: Option<&'static str>,
    on_path: Option<&'static str>,
    route: Option<&'static str>,
    doc: &'static str,
) -> Row {
    Row {
        from,
        to,
        port,
        verdict,
        rule,
        on_path,
        route,
        doc,
    }
}

fn check_rows(t: &Topology, rows: &[Row]) {
    let mut bad = Vec::new();
    for r in rows {
        let tr = run(t, r.from, r.to, r.port);
        let what = format!("{} -> {}:{} ({})", r.from, r.to, r.port, r.doc);
        if tr.verdict != r.verdict {
            bad.push(format!(
                "{what}: verdict {} (want {}): {}",
                tr.verdict, r.verdict, tr.reason
            ));
            continue;
        }
        if let Some(rule) = r.rule {
            let got = tr
                .decided_by
                .as_ref()
                .map(|d| format!("{}/{}", d.rule_set, d.rule));
            if got.as_deref() != Some(rule) {
                bad.push(format!("{what}: decided by {got:?}, want {rule}"));
            }
        }
        if let Some(p) = r.on_path {
            let (neg, id) = p.strip_prefix('!').map_or((false, p), |x| (true, x));
            if tr.path.iter().any(|x| x == id) == neg {
                bad.push(format!(
                    "{what}: path {:?} {} `{id}`",
                    tr.path,
                    if neg { "holds" } else { "lacks" }
                ));
            }
        }
        if let Some(pfx) = r.route {
            let ok = if tr.verdict == Verdict::NoRoute {
                tr.reason.contains(pfx)
            } else {
                tr.route_hops.first().is_some_and(|h| h.route.prefix == pfx)
            };
            if !ok {
                bad.push(format!(
                    "{what}: route {pfx} not named: hops {:?}, reason {}",
                    tr.route_hops, tr.reason
                ));
            }
        }
    }
    assert!(bad.is_empty(), "rows failed:\n{}", bad.join("\n"));
}

use Verdict::{Allow, Deny, NoRoute};

/// Azure: system routes, user-defined routes, longest prefix, None, VirtualAppliance, Internet,
/// and the widened VirtualNetwork tag.
#[test]
fn azure_udr_truth_table() {
    let t = topo("azure-udr");
    let rows = [
        // UDR overview, "How Azure selects a route": longest prefix match — the hub's VNet
        // peering system route 10.0.0.0/16 beats the UDR 0.0.0.0/0, so no firewall.
        row(
            "vm-a",
            "hubvm",
            443,
            Allow,
            None,
            Some("!fw"),
            Some("10.0.0.0/16"),
            UDR,
        ),
        // UDR overview, "Virtual appliance": 0.0.0.0/0 → the firewall (spoke2 is not a system
        // route of spoke1: peering is not transitive); the firewall forwards over its peering.
        // Service tags overview: VirtualNetwork includes the UDR prefixes of the destination's
        // subnet (0.0.0.0/0), so AllowVnetInBound admits spoke1.
        row(
            "vm-a",
            "vm-b",
            443,
            Allow,
            Some("nsg-b/AllowVnetInBound"),
            Some("fw"),
            Some("0.0.0.0/0"),
            TAGS,
        ),
        // UDR overview, "Virtual appliance": the appliance filters what it forwards.
        row(
            "vm-a",
            "vm-b",
            8080,
            Deny,
            Some("fw-rules/default-deny"),
            Some("fw"),
            Some("0.0.0.0/0"),
            UDR,
        ),
        // UDR overview, "None" next hop drops; 10.2.2.0/24 is longer than 0.0.0.0/0.
        row(
            "vm-a",
            "vm-c",
            443,
            NoRoute,
            None,
            None,
            Some("10.2.2.0/24"),
            UDR,
        ),
        // UDR overview, "Service tags for user-defined routes": a tag prefix → Internet.
        row(
            "vm-a",
            "20.40.1.1",
            443,
            Allow,
            None,
            Some("!fw"),
            Some("AzureMonitor"),
            UDR,
        ),
        // UDR overview: 0.0.0.0/0 → appliance, then the hub's default route → Internet.
        row(
            "vm-a",
            "8.8.8.8",
            443,
            Allow,
            Some("fw-rules/allow-443"),
            Some("fw"),
            Some("0.0.0.0/0"),
            UDR,
        ),
        // UDR overview, "Default": RFC 1918 prefixes outside the VNet have next hop None, so a
        // private address outside every network is not reached over the Internet next hop.
        row(
            "vm-a",
            "192.168.1.1",
            443,
            NoRoute,
            None,
            None,
            Some("public addresses only"),
            UDR,
        ),
        // UDR overview, "Default" + "VNet peering": without a UDR, spoke1 has routes to itself
        // and its peer (the hub) only; spoke2 is not peered.
        row(
            "vm-plain",
            "vm-b",
            443,
            NoRoute,
            None,
            None,
            Some("no prefix"),
            UDR,
        ),
        // The reverse through spoke2's 0.0.0.0/0 → firewall: routed by the UDR, forwarded.
        row(
            "vm-b",
            "vm-plain",
            443,
            Allow,
            Some("fw-rules/allow-443"),
            Some("fw"),
            Some("0.0.0.0/0"),
            UDR,
        ),
        // Service tags overview: without a UDR in spoke3, VirtualNetwork is spoke3 and its peer
        // (the hub) only: spoke1 is not in it, so DenyAllInBound decides.
        row(
            "vm-a",
            "vm-d",
            443,
            Deny,
            Some("nsg-d/DenyAllInBound"),
            Some("fw"),
            Some("0.0.0.0/0"),
            TAGS,
        ),
    ];
    check_rows(&t, &rows);
}

/// `egress:` is shorthand for a 0.0.0.0/0 user-defined route to the firewall (SPEC §11.1), so it
/// widens Azure's `VirtualNetwork` exactly as an explicit route table does (SPEC §11.3).
#[test]
fn egress_widens_virtual_network() {
    let t = topo("azure-egress");
    let rows = [
        // Service tags overview, VirtualNetwork: "address prefixes used on user-defined routes";
        // spoke2's subnet has the shorthand's 0.0.0.0/0 UDR, so AllowVnetInBound admits spoke1
        // (not a peer of spoke2) arriving through the hub firewall; outbound, spoke1's
        // VirtualNetwork is 0.0.0.0/0 too, so AllowVnetOutBound lets it leave.
        row(
            "vm-a",
            "vm-b",
            443,
            Allow,
            Some("nsg-b/AllowVnetInBound"),
            Some("fw"),
            // `egress:` alone takes the implicit search, whose hops name no route table.
            None,
            TAGS,
        ),
        // The reverse on tcp/22: snet-b's VirtualNetwork is 0.0.0.0/0 too (service tags
        // overview, the UDR prefixes), so nsg-b's AllowVnetOutBound lets it leave; UDR overview,
        // "Virtual appliance": the firewall then filters what it forwards — its rules allow 443
        // only, so its default deny decides.
        row(
            "vm-b",
            "vm-a",
            22,
            Deny,
            Some("fw-rules/default-deny"),
            Some("fw"),
            None,
            UDR,
        ),
        // spoke3 names no provider: an `nsg` is Azure's, so its shorthand UDR widens the tag the
        // same way (service tags overview) and AllowVnetInBound admits spoke1 through the hub.
        row(
            "vm-a",
            "vm-c",
            443,
            Allow,
            Some("nsg-c/AllowVnetInBound"),
            Some("fw"),
            None,
            TAGS,
        ),
        // hub2 has no egress firewall and so no user-defined route: its VirtualNetwork is hub2
        // and its peer (the hub) only (service tags overview; peering is not transitive, VNet
        // peering overview https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview),
        // so spoke1, forwarded by the hub firewall, meets nsg-h2's DenyAllInBound (65500,
        // https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
        row(
            "vm-a",
            "vm-h2",
            443,
            Deny,
            Some("nsg-h2/DenyAllInBound"),
            Some("fw"),
            None,
            TAGS,
        ),
    ];
    check_rows(&t, &rows);
    // The widened tag is reported for both spoke subnets (each has the shorthand UDR).
    let subjects: Vec<String> = findings(&t)
        .into_iter()
        .filter(|f| f.id == "vnet-tag-widened")
        .map(|f| f.subject)
        .collect();
    let mut subjects = subjects;
    subjects.sort();
    // Every NSG-guarded subnet that has the shorthand's UDR, and not hub2's (no UDR there).
    assert_eq!(subjects, ["snet-a", "snet-b", "snet-c"], "{TAGS}");
}

/// Azure widens `VirtualNetwork` with the user-defined routes a NIC has, which are its subnet's
/// (SPEC §11.3 "effective in that subnet"): a sibling subnet without the 0.0.0.0/0 route keeps
/// the narrow tag. Rows derived from the service tags overview (VirtualNetwork: "address
/// prefixes used on user-defined routes"), the UDR overview ("Each subnet can have zero or one
/// route table associated to it"; a route table applies to the subnets it is associated with)
/// and the effective security rules of a NIC, which list the expanded VirtualNetwork prefixes
/// per network interface
/// (https://learn.microsoft.com/azure/virtual-network/diagnose-network-traffic-filter-problem).
#[test]
fn virtual_network_is_widened_per_subnet() {
    let t = topo("azure-udr-per-subnet");
    let rows = [
        // snet-a's route table holds 0.0.0.0/0 → fw: its VirtualNetwork is every address, so
        // AllowVnetInBound (65000) admits spoke2 (not a peer of spoke1) forwarded by the hub
        // firewall.
        row(
            "vm-x",
            "vm-a",
            443,
            Allow,
            Some("nsg-a/AllowVnetInBound"),
            Some("fw"),
            Some("0.0.0.0/0"),
            TAGS,
        ),
        // snet-b, in the same network, has no route table: its VirtualNetwork is spoke1 and its
        // peer the hub only, so the same forwarded flow meets DenyAllInBound (65500,
        // https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).
        row(
            "vm-x",
            "vm-b",
            443,
            Deny,
            Some("nsg-b/DenyAllInBound"),
            Some("fw"),
            Some("0.0.0.0/0"),
            UDR,
        ),
    ];
    check_rows(&t, &rows);
    let subjects: Vec<String> = findings(&t)
        .into_iter()
        .filter(|f| f.id == "vnet-tag-widened")
        .map(|f| f.subject)
        .collect();
    // snet-x has the route but no NSG; snet-b has an NSG but not the route.
    assert_eq!(subjects, ["snet-a"], "{TAGS}");
}

/// The `vnet-tag-widened` finding (SPEC §11.3) names the NSG-guarded subnet whose network has a
/// UDR (snet-b) and no subnet of a network without one (snet-d).
#[test]
fn vnet_tag_widened_finding() {
    let t = topo("azure-udr");
    let subjects: Vec<String> = findings(&t)
        .into_iter()
        .filter(|f| f.id == "vnet-tag-widened")
        .map(|f| f.subject)
        .collect();
    assert_eq!(subjects, vec!["snet-b".to_string()], "{TAGS}");
}

/// AWS managed prefix lists (`address_groups`) as route destinations: "You can reference a
/// prefix list in ... route tables"
/// (https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html), each entry a
/// route of its own, chosen by the most specific match (route priority).
#[test]
fn aws_prefix_list_routes() {
    const PL: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html";
    let t = topo("aws-prefix-list");
    let rows = [
        // 10.20.1.10 is in pl-partner (10.20.0.0/16): the peering route it names carries it; the
        // hop names the route by the list's id, as written.
        row(
            "h-a",
            "h-b",
            443,
            Allow,
            None,
            Some("vpc-b"),
            Some("pl-partner"),
            PL,
        ),
        // 10.20.5.10 is in both lists: pl-quarantine's 10.20.5.0/24 is more specific than the
        // /16 (route priority, "the most specific route"), and its target is a blackhole.
        row(
            "h-a",
            "h-b2",
            443,
            NoRoute,
            None,
            None,
            Some("pl-quarantine"),
            PRIORITY,
        ),
    ];
    check_rows(&t, &rows);
    // A name that is neither a CIDR, a tag nor a group is an input error at its line.
    let bad = std::fs::read_to_string("tests/fixtures/routes/aws-prefix-list.yaml")
        .expect("fixture")
        .replace("prefix: pl-quarantine", "prefix: pl-quarantin");
    let errs = load_err(&bad);
    assert!(
        errs.iter()
            .any(|(code, line, text)| *code == ErrorCode::BadCidr
                && *line == 32
                && text.contains("address group")
                && text.contains("did you mean `pl-quarantine`")),
        "{errs:?}"
    );
}

/// AWS: most specific route, blackhole, peering not transitive, internet gateway.
#[test]
fn aws_peering_truth_table() {
    let t = topo("aws-peering");
    let rows = [
        // Route priority: the peering route 10.20.0.0/16 matches.
        row(
            "h-a",
            "h-b",
            443,
            Allow,
            None,
            Some("vpc-b"),
            Some("10.20.0.0/16"),
            PRIORITY,
        ),
        // Route priority: "the most specific route" — 10.20.5.0/24 (blackhole) over /16.
        row(
            "h-a",
            "h-b2",
            443,
            NoRoute,
            None,
            None,
            Some("10.20.5.0/24"),
            PRIORITY,
        ),
        // Invalid peering configurations, "Transitive peering": A–B, B–C does not carry A → C.
        row(
            "h-a",
            "h-c",
            443,
            NoRoute,
            None,
            None,
            Some("not transitive"),
            PEERING,
        ),
        // Route priority: 0.0.0.0/0 → internet gateway for a public destination.
        row(
            "h-a",
            "8.8.8.8",
            443,
            Allow,
            None,
            Some("internet"),
            Some("0.0.0.0/0"),
            PRIORITY,
        ),
        // An internet gateway carries public addresses only.
        row(
            "h-a",
            "172.31.0.5",
            443,
            NoRoute,
            None,
            None,
            Some("public addresses only"),
            PRIORITY,
        ),
        // C's own peering with B works.
        row(
            "h-c",
            "h-b",
            443,
            Allow,
            None,
            Some("vpc-b"),
            Some("10.20.0.0/16"),
            PEERING,
        ),
    ];
    check_rows(&t, &rows);
}

/// AWS transit gateway: association, propagation, static over propagated, blackhole.
#[test]
fn aws_tgw_truth_table() {
    let t = topo("aws-tgw");
    let rows = [
        // TGW route tables: vpc-1 is associated with tgw-rt-spokes, which learns vpc-2's CIDR
        // by propagation.
        row(
            "h1",
            "h2",
            443,
            Allow,
            None,
            Some("tgw"),
            Some("10.0.0.0/8"),
            TGW,
        ),
        // TGW route tables, "Route evaluation order": a static route wins over a propagated one
        // with the same destination; this one is a blackhole.
        row(
            "h1",
            "h3",
            443,
            NoRoute,
            None,
            None,
            Some("blackhole route 10.3.0.0/16"),
            TGW,
        ),
        // Longest prefix: static 10.2.9.0/24 → vpc-3 beats propagated 10.2.0.0/16; from vpc-3
        // the flow is looked up in tgw-rt-3 (vpc-3's association), which has no route for it.
        row("h1", "h2b", 443, NoRoute, None, None, Some("tgw-rt-3"), TGW),
        // vpc-3's table propagates vpc-1 only.
        row(
            "h3",
            "h1",
            443,
            Allow,
            None,
            Some("tgw"),
            Some("10.0.0.0/8"),
            TGW,
        ),
        row("h3", "h2", 443, NoRoute, None, None, Some("tgw-rt-3"), TGW),
    ];
    check_rows(&t, &rows);
    let tr = run(&t, "h1", "h2", 443);
    let tgw_hop = tr.route_hops.iter().find(|h| h.at == "tgw");
    assert_eq!(
        tgw_hop.map(|h| (
            h.route.table.as_str(),
            h.route.prefix.as_str(),
            h.route.next_hop.as_str()
        )),
        Some(("tgw-rt-spokes", "10.2.0.0/16", "vpc-2")),
        "{TGW}"
    );
}

const TGW_PEERING: &str = "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html";

/// Peered transit gateways: static routes to the peering attachment; dynamic routes are not
/// propagated over a peering, so the return needs a static route too.
#[test]
fn aws_tgw_peering_truth_table() {
    let t = topo("aws-tgw-peering");
    let rows = [
        // tgw-a's static route 10.9.0.0/16 → the peering; tgw-b looks it up in the table
        // associated with the peering attachment, which learns vpc-y by propagation.
        row(
            "hx",
            "hy",
            443,
            Allow,
            None,
            Some("tgw-b"),
            Some("10.0.0.0/8"),
            TGW_PEERING,
        ),
        // TGW peering: "Dynamic routing is not supported" over a peering — tgw-b has no static
        // route to vpc-x, and vpc-x's CIDR is not propagated across.
        row(
            "hy",
            "hx",
            443,
            NoRoute,
            None,
            None,
            Some("tgw-b-rt"),
            TGW_PEERING,
        ),
    ];
    check_rows(&t, &rows);
}

/// The Batfish snapshot with its real route tables (RouteTables.json): Batfish's published
/// expectations (../shared/reference/README.md).
#[test]
fn aws_reference_with_route_tables() {
    let t = load(Path::new(
        "tests/fixtures/reference/aws-public-private-subnet-routes.yaml",
    ))
    .unwrap_or_else(|e| panic!("loads: {e:?}"));
    // Batfish testToInternet: public instance → 8.8.8.8 leaves the network (igw route).
    let tr = run(&t, "i-094a9e5b545a4fde4", "8.8.8.8", 443);
    assert_eq!(tr.verdict, Allow, "{}", tr.reason);
    assert!(tr.public);
    assert_eq!(tr.route_hops[0].route.table, "rtb-0d20fcae075afe460");
    // Batfish testToInternet: private instance → 8.8.8.8 has no route (the VGW has none).
    let tr = run(&t, "i-099cf38911942421c", "8.8.8.8", 443);
    assert_eq!(tr.verdict, NoRoute, "{}", tr.reason);
    assert!(tr.reason.contains("vgw-070087240d6fa2989"), "{}", tr.reason);
    // Batfish testFromPrivateToPublicSubnet: private instance → 13.58.55.60 ends at the VGW
    // with NO_ROUTE (the main table sends 0.0.0.0/0 to the VGW).
    let tr = run(&t, "i-099cf38911942421c", "13.58.55.60", 443);
    assert_eq!(tr.verdict, NoRoute, "{}", tr.reason);
    assert!(tr.reason.contains("vgw-070087240d6fa2989"), "{}", tr.reason);
    // Batfish testFromPrivateToPublicSubnet: denied inbound by the public instance's SG.
    let tr = run(&t, "i-099cf38911942421c", "10.0.0.47", 443);
    assert_eq!(tr.verdict, Deny, "{}", tr.reason);
}

/// Exact reachability (check, matrix, diff) and trace agree on every endpoint pair of every
/// route-table fixture, at tcp/443 and tcp/8080: routing is written once, in the plan.
#[test]
fn reach_agrees_with_trace_on_route_fixtures() {
    use zonescope::engine::reach::{Engine, Target, src_party};
    for name in ["azure-udr", "aws-peering", "aws-tgw", "aws-tgw-peering"] {
        let t = topo(name);
        let eng = Engine::new(&t);
        let eps: Vec<_> = (0..t.endpoints().len())
            .filter_map(|i| t.endpoint_ix(&t.endpoints()[i].id))
            .filter(|e| t.endpoint(*e).subnet.is_some())
            .collect();
        let mut disagree = Vec::new();
        for a in &eps {
            for b in &eps {
                if a == b {
                    continue;
                }
                let r = eng.reach(&src_party(&t, *a), &Target::Ep(*b));
                for port in [443u16, 8080] {
                    let (ea, eb) = (&t.endpoint(*a).id, &t.endpoint(*b).id);
                    let tr = run(&t, ea, eb, port);
                    if (tr.verdict == Allow) != r.tcp.contains(port) {
                        disagree.push(format!(
                            "{name}: {ea} -> {eb}:{port}: trace {} reach {}",
                            tr.verdict,
                            r.text()
                        ));
                    }
                }
            }
        }
        assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    }
}

fn load_err(text: &str) -> Vec<(ErrorCode, u32, String)> {
    match load_str(text, "t.yaml") {
        Ok(_) => Vec::new(),
        Err(LoadError { errors, .. }) => errors
            .into_iter()
            .map(|e| (e.code, e.at.line, format!("{} {}", e.message, e.help)))
            .collect(),
    }
}

const BASE: &str = "version: 1
networks:
  - id: a
    cidr: 10.1.0.0/16
    route_table: rt-mian
    subnets:
      - { id: sa, cidr: 10.1.1.0/24 }
  - id: b
    cidr: 10.2.0.0/16
  - id: c
    cidr: 10.3.0.0/16
    route_table: rt-main
endpoints:
  - { id: vm, kind: app, subnet: sa, ip: 10.1.1.4 }
route_tables:
  - id: rt-main
    routes:
      - { prefix: 0.0.0.0/0, next_hop: vm }
      - { prefix: 10.2.0.0/16, next_hop: \"peering:b\" }
      - { prefix: Nope, next_hop: none }
";

#[test]
fn loader_errors_for_routes() {
    let errs = load_err(BASE);
    let has = |code: ErrorCode, line: u32, text: &str| {
        errs.iter()
            .any(|(c, l, m)| *c == code && *l == line && m.contains(text))
    };
    assert!(
        has(ErrorCode::UnknownId, 5, "did you mean `rt-main`?"),
        "{errs:?}"
    );
    assert!(has(ErrorCode::BadNextHop, 18, "kind `app`"), "{errs:?}");
    assert!(has(ErrorCode::BadNextHop, 19, "not peered"), "{errs:?}");
    assert!(has(ErrorCode::BadCidr, 20, "service tag"), "{errs:?}");
}

fn naive(prefixes: &[(IpNet, bool)], key: IpNet) -> Option<usize> {
    // The longest containing prefix; among equals the first preferred one, else the first.
    let best_len = prefixes
        .iter()
        .filter(|(p, _)| p.contains(&key))
        .map(|(p, _)| p.prefix_len())
        .max()?;
    let same: Vec<usize> = (0..prefixes.len())
        .filter(|i| prefixes[*i].0.contains(&key) && prefixes[*i].0.prefix_len() == best_len)
        .collect();
    same.iter()
        .copied()
        .find(|i| prefixes[*i].1)
        .or_else(|| same.first().copied())
}

fn net() -> impl Strategy<Value = IpNet> {
    (any::<u32>(), 0u8..=32).prop_map(|(a, l)| {
        IpNet::V4(
            Ipv4Net::new(std::net::Ipv4Addr::from(a & 0xff00_00ff | 0x0a00_0000), l)
                .map_or_else(|_| Ipv4Net::default(), |n| n.trunc()),
        )
    })
}

proptest! {
    /// The longest-prefix match equals a naive scan, and never picks a prefix that does not
    /// contain the destination.
    #[test]
    fn lpm_matches_naive_scan(
        table in prop::collection::vec((net(), any::<bool>()), 0..24),
        dst in any::<u32>(),
    ) {
        let key = IpNet::from(std::net::IpAddr::from(std::net::Ipv4Addr::from(dst & 0xff00_00ff | 0x0a00_0000)));
        let got = lookup(&table, key);
        prop_assert_eq!(got, naive(&table, key));
        if let Some(i) = got {
            prop_assert!(table[i].0.contains(&key));
        }
    }
}
