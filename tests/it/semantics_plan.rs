//! Truth tables for the semantics the plan orders (SPEC §11.4 order of rule sets, §11.7 DNS,
//! §11.8 zones), on `tests/fixtures/semantics/*.yaml`. Every row was written from the
//! documentation cited next to it before the code ran; each row is also checked against the
//! exact-reachability engine (the plan's other interpreter) when the destination is an endpoint.

use std::path::Path;

use zonescope::engine::check::findings;
use zonescope::engine::reach::{Engine, Target, src_party};
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{EntityRef, Topology, Verdict, load};

const FIXTURE: &str = "tests/fixtures/semantics/order-dns-zones.yaml";
const INTERNET_POLICY: &str = "tests/fixtures/semantics/policy-names-internet.yaml";

use Verdict::{Allow, Deny, NoRoute};

/// Azure NSGs: "For inbound traffic, Azure processes the rules in a network security group
/// associated with a subnet first, if there's one, and then the rules in a network security
/// group associated with the network interface … For outbound traffic, Azure processes the rules
/// in a network security group associated with a network interface first … and then … the
/// subnet" — https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works
const NSG: &str = "azure-nsg-order";
/// AWS: traffic leaves an instance through its security groups, then the subnet's network ACL;
/// it enters through the network ACL, then the security groups (security groups "act at the
/// instance level", network ACLs "at the subnet level") —
/// https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html
const AWS: &str = "aws-sg-nacl-order";
/// AWS network ACLs are stateless: the reply to a client goes to its ephemeral port, which the
/// client's OS picks (Linux 32768–60999), so the ACL must allow that range back in —
/// https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html#nacl-ephemeral-ports
const EPHEMERAL: &str = "aws-nacl-ephemeral";
/// Azure-provided DNS resolves the private zones linked to the virtual network; a hub-and-spoke
/// spoke resolves the hub's zones only through a custom DNS server in the hub (a DNS Private
/// Resolver or the firewall's DNS proxy) —
/// https://learn.microsoft.com/azure/private-link/private-endpoint-dns-integration
const DNS: &str = "azure-private-dns";
/// A linked private zone that holds the name's domain but not the record answers NXDOMAIN
/// (unless the link's resolution policy falls back to the internet) —
/// https://learn.microsoft.com/azure/dns/private-dns-fallback
const NXDOMAIN: &str = "azure-private-dns-nxdomain";
/// zonescope's own zone policy (SPEC §11.8): an end in no zone is `unzoned`, judged like any
/// zone; the internet is judged only when a policy names it.
const ZONES: &str = "spec-11.8";
/// SPEC §11.8: the path to a service through its private endpoint lists the private endpoint,
/// also within one subnet.
const PE_PATH: &str = "spec-11.8-path";

/// from, to, port, verdict, deciding "rule_set/rule" ("-" when none decides), source of truth.
#[rustfmt::skip]
const TABLE: &[(&str, &str, u16, Verdict, &str, &str)] = &[
    // Both the NIC's and the subnet's NSG deny 8080 outbound: the NIC's is first.
    ("vm1", "vm2", 8080, Deny, "nsg-nic1/nic1-deny-8080", NSG),
    // Both the subnet's and the NIC's NSG deny 9090 inbound: the subnet's is first.
    ("vm1", "vm2", 9090, Deny, "nsg-sub2/sub2-deny-9090", NSG),
    // Outbound, sg-x (no allow for 8443) comes before acl-x's deny of 8443.
    ("i-x", "i-y", 8443, Deny, "sg-x/implicit-deny", AWS),
    // Inbound, acl-y's deny of 9443 comes before sg-y (which does not allow 9443 either).
    ("i-x", "i-y", 9443, Deny, "acl-y/y-in-deny-9443", AWS),
    // Allowed: the last check inbound is the destination's security group.
    ("i-x", "i-y", 443, Allow, "sg-y/y-in-443", AWS),
    // The ACL declares the Linux range; its return rule allows exactly that range, so the reply
    // passes (with the default 1024-65535 the ACL's `*` would deny ports 1024-32767).
    ("i-l", "8.8.8.8", 443, Allow, "acl-l/l-in-ret", EPHEMERAL),
    // A spoke with the hub's resolver as its DNS server sees the zone linked to the hub.
    ("vm-c", "acct1.blob.core.windows.net", 443, Allow, "-", DNS),
    // The same resolver named by its address.
    ("vm-i", "acct1.blob.core.windows.net", 443, Allow, "-", DNS),
    // A spoke on Azure-provided DNS does not: the name resolves publicly, and the account's
    // public access is disabled.
    ("vm-n", "acct1.blob.core.windows.net", 443, Deny, "acct1/public-access-disabled", DNS),
    // The zone is linked but holds no record for acct2: NXDOMAIN, nothing to connect to.
    ("vm-c", "acct2.blob.core.windows.net", 443, NoRoute, "-", NXDOMAIN),
    // Application → data: only 443 is allowed.
    ("vm-app", "db", 5432, Deny, "policies/default-deny", ZONES),
    // A machine in no zone meets the same default deny (it used to slip past the policy).
    ("stray", "db", 5432, Deny, "policies/default-deny", ZONES),
    // … unless a policy names `unzoned`.
    ("stray", "db", 22, Allow, "policies/P-2", ZONES),
    // No policy names the internet: the policy does not judge flows to it.
    ("vm-app", "8.8.8.8", 443, Allow, "-", ZONES),
];

fn run(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .expect("traceable")
}

fn decided(tr: &Trace) -> String {
    tr.decided_by
        .as_ref()
        .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule))
}

/// The exact engine's answer on one port, when the destination is an endpoint.
fn reach_allows(t: &Topology, from: &str, to: &str, port: u16) -> Option<bool> {
    let (Some(EntityRef::Endpoint(s)), Some(EntityRef::Endpoint(d))) = (t.find(from), t.find(to))
    else {
        return None;
    };
    let eng = Engine::new(t);
    Some(
        eng.reach(&src_party(t, s), &Target::Ep(d))
            .tcp
            .contains(port),
    )
}

fn check_table(t: &Topology, rows: &[(&str, &str, u16, Verdict, &str, &str)]) {
    let mut bad = Vec::new();
    for (from, to, port, verdict, rule, why) in rows {
        let tr = run(t, from, to, *port);
        let want_rule = (*rule).to_string();
        if tr.verdict != *verdict || decided(&tr) != want_rule {
            bad.push(format!(
                "{from} -> {to}:{port} ({why}): want {verdict:?} {want_rule}, got {:?} {} — {}",
                tr.verdict,
                decided(&tr),
                tr.reason
            ));
        }
        if let Some(allows) = reach_allows(t, from, to, *port)
            && allows != (tr.verdict == Allow)
        {
            bad.push(format!(
                "{from} -> {to}:{port}: the exact engine says {allows}, the trace {:?}",
                tr.verdict
            ));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn truth_table() {
    let t = load(Path::new(FIXTURE)).expect("fixture loads");
    check_table(&t, TABLE);
}

#[test]
fn the_order_is_visible_in_the_checks() {
    let t = load(Path::new(FIXTURE)).expect("fixture loads");
    // AWS, allowed: sg-x out, acl-x out (and its return leg), acl-y in (and return), sg-y in.
    let tr = run(&t, "i-x", "i-y", 443);
    let sets: Vec<&str> = tr.checks.iter().map(|c| c.rule_set.as_str()).collect();
    assert_eq!(
        sets,
        ["sg-x", "acl-x", "acl-x", "acl-y", "acl-y", "sg-y"],
        "{AWS}"
    );
    // Azure, a flow every NSG allows: NIC out, subnet out, subnet in, NIC in.
    let tr = run(&t, "vm1", "vm2", 443);
    let sets: Vec<&str> = tr.checks.iter().map(|c| c.rule_set.as_str()).collect();
    assert_eq!(
        sets,
        ["nsg-nic1", "nsg-sub1", "nsg-sub2", "nsg-nic2"],
        "{NSG}"
    );
}

#[test]
fn the_dns_step_names_zone_link_and_server() {
    let t = load(Path::new(FIXTURE)).expect("fixture loads");
    let tr = run(&t, "vm-c", "acct1.blob.core.windows.net", 443);
    let d = tr.dns.expect("a DNS step");
    assert!(d.private && !d.nxdomain, "{DNS}: {}", d.note);
    assert_eq!(d.zone.as_deref(), Some("privatelink.blob.core.windows.net"));
    assert_eq!(d.linked_to.as_deref(), Some("hub-d"));
    assert_eq!(d.server.as_deref(), Some("dns-res"));
    assert_eq!(tr.via_private_endpoint.as_deref(), Some("pe-acct1"));

    let tr = run(&t, "vm-i", "acct1.blob.core.windows.net", 443);
    assert_eq!(tr.dns.and_then(|d| d.server).as_deref(), Some("10.30.1.4"));

    let tr = run(&t, "vm-n", "acct1.blob.core.windows.net", 443);
    let d = tr.dns.expect("a DNS step");
    assert!(!d.private && d.server.is_none(), "{DNS}: {}", d.note);

    let tr = run(&t, "vm-c", "acct2.blob.core.windows.net", 443);
    let d = tr.dns.expect("a DNS step");
    assert!(d.nxdomain, "{NXDOMAIN}: {}", d.note);
    assert_eq!(d.zone.as_deref(), Some("privatelink.blob.core.windows.net"));
    assert!(tr.reason.contains("NXDOMAIN"), "{}", tr.reason);
    let fix = tr.fix.unwrap_or_default();
    assert!(
        fix.contains("`acct2`") && fix.contains("privatelink.blob.core.windows.net"),
        "{fix}"
    );
}

#[test]
fn the_private_endpoint_is_on_the_path_within_one_subnet() {
    let t = load(Path::new(FIXTURE)).expect("fixture loads");
    let tr = run(&t, "vm-h", "acct1", 443);
    assert_eq!(tr.verdict, Allow, "{}", tr.reason);
    assert_eq!(
        tr.path,
        ["vm-h", "snet-pe", "pe-acct1", "acct1"],
        "{PE_PATH}"
    );
}

#[test]
fn an_endpoint_in_no_zone_is_reported() {
    let t = load(Path::new(FIXTURE)).expect("fixture loads");
    let unzoned: Vec<String> = findings(&t)
        .into_iter()
        .filter(|f| f.id == "unzoned-endpoint")
        .map(|f| f.subject)
        .collect();
    assert_eq!(unzoned, ["stray"], "{ZONES}");
    let policy_zone = run(&t, "stray", "db", 5432);
    let at = policy_zone.deciding_check().map(|c| c.at.clone());
    assert_eq!(at.as_deref(), Some("unzoned -> data"));
}

#[test]
fn a_policy_that_names_the_internet_judges_flows_to_it() {
    let t = load(Path::new(INTERNET_POLICY)).expect("fixture loads");
    #[rustfmt::skip]
    let rows: &[(&str, &str, u16, Verdict, &str, &str)] = &[
        // app → internet: no policy allows it, and the policy now judges the internet.
        ("vm-app", "8.8.8.8", 443, Deny, "policies/default-deny", ZONES),
        ("db", "8.8.8.8", 443, Allow, "policies/P-4", ZONES),
    ];
    check_table(&t, rows);
}

/// An NSG rule naming an application security group applies to its members only
/// (https://learn.microsoft.com/azure/virtual-network/application-security-groups): exact
/// reachability must not let a member stand for a neighbour that is not one.
#[test]
fn members_of_an_asg_are_not_grouped_with_their_neighbours() {
    let t = load(Path::new("tests/fixtures/semantics/policy.yaml")).expect("fixture loads");
    let id = |n: &str| match t.find(n) {
        Some(EntityRef::Endpoint(e)) => e,
        _ => panic!("{n}"),
    };
    let groups = zonescope::engine::reach::groups(&t);
    let group_of = |e| groups.iter().position(|g| g.members.contains(&e));
    assert_ne!(group_of(id("vm-web")), group_of(id("vm-plain")));
    // The member reaches the database on 1433 through the ASG rule; the neighbour does not.
    assert_eq!(reach_allows(&t, "vm-web", "vm-db", 1433), Some(true));
    assert_eq!(reach_allows(&t, "vm-plain", "vm-db", 1433), Some(false));
}

/// SPEC §11.5: ends may be named by `name:` or `cloud_id:`; a name two things share is an
/// error that lists them, never a guess.
#[test]
fn a_shared_name_as_an_end_is_an_error_naming_both() {
    let text = "version: 1\nnetworks:\n  - id: n1\n    cidr: 10.0.0.0/16\n    subnets:\n      - { id: s1, cidr: 10.0.1.0/24 }\nendpoints:\n  - { id: vm-a, subnet: s1, ip: 10.0.1.4, name: web, cloud_id: i-0a }\n  - { id: vm-b, subnet: s1, ip: 10.0.1.5, name: web }\n";
    let t = zonescope::model::load_str(text, "names.yaml").expect("loads");
    let err = trace(
        &t,
        &Query::new("web", "vm-b", Some(443), Protocol::Tcp),
        &WhatIf::default(),
    )
    .expect_err("ambiguous");
    assert!(
        err.help.contains("`vm-a`") && err.help.contains("`vm-b`"),
        "{}: {}",
        err.message,
        err.help
    );
    let ok = trace(
        &t,
        &Query::new("i-0a", "vm-b", Some(443), Protocol::Tcp),
        &WhatIf::default(),
    )
    .expect("a cloud id names one endpoint");
    assert_eq!(ok.path.first().map(String::as_str), Some("vm-a"));
}
