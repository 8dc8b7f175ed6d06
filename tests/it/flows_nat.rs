//! Flow-log records that carry a translated address (issue 12): what AWS VPC flow logs and
//! Azure VNet flow logs record around a NAT gateway and an Azure Firewall's DNAT and SNAT, and
//! what `zonescope flows` must make of each record. Every row was written from the
//! documentation cited on it before the code ran; the designs are
//! `tests/fixtures/nat/aws-nat-flows.yaml`, `azure-dnat.yaml` and `azure-firewall-snat.yaml`.

use std::fmt::Write as _;
use std::path::Path;

use zonescope::engine::flows::Analyzer;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::report::FlowReport;
use zonescope::engine::flows::run::analyze_reader;
use zonescope::model::{Topology, Verdict, load};

/// "Traffic through a NAT gateway": on the NAT gateway's interface, the instance's request is
/// logged with `dstaddr` = the NAT gateway's private address (the internet host is only in
/// `pkt-dstaddr`), then NAT gateway → host, host → NAT gateway, and NAT gateway → instance
/// (`srcaddr` = the NAT gateway, the host only in `pkt-srcaddr`); on the instance's interface,
/// instance → host and host → instance, untranslated.
const AWS_EXAMPLES: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html";
/// "You cannot associate a security group with a NAT gateway ... You can use a network ACL to
/// control the traffic to and from the subnet in which the NAT gateway is located. The network
/// ACL applies to the NAT gateway's traffic. A NAT gateway uses ports 1024–65535."
const AWS_NAT_BASICS: &str =
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html#nat-gateway-basics";
/// A NAT gateway lets instances in a private subnet connect to the internet "but prevent[s] the
/// internet from initiating a connection with those instances"; it "sends the traffic to the
/// internet gateway using the NAT gateway's Elastic IP address as the source IP address".
const AWS_NAT: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html";
/// `pkt-srcaddr`/`pkt-dstaddr`, the packet-level (original) addresses, "distinguish between the
/// IP address of an intermediate layer through which traffic flows" (a NAT gateway's
/// interface, whose own address `srcaddr`/`dstaddr` then hold) and the original ones.
const AWS_FIELDS: &str = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html";
/// "When the destination is a private IP address in the virtual network, the source IP address
/// will translate to one of the IP addresses in the AzureFirewallSubnet" (DNAT).
const AZ_NAT_BEHAVIOURS: &str = "https://techcommunity.microsoft.com/blog/azurenetworksecurityblog/azure-firewall-nat-behaviors/3825834";
/// "If a match is found, the traffic is translated according to the DNAT rule and allowed by the
/// firewall. So the traffic isn't subject to any further processing by other network rules."
/// (The FAQ, https://learn.microsoft.com/azure/firewall/firewall-faq, says a network rule
/// collection with deny rules matching the translated traffic overrides the DNAT rule's
/// implicit allow; the model follows this page, as SPEC §11.6 and `nat_dnat.rs` do.)
const AZ_RULES: &str = "https://learn.microsoft.com/azure/firewall/rule-processing";
/// VNet flow logs record each flow at the network interface it applies to, "evaluated through
/// the applicable network security group rules"; NSG rules: first match by priority.
const AZ_VNET_LOGS: &str =
    "https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview";
/// "Azure Firewall provides automatic SNAT for all outbound traffic to public IP addresses".
const AZ_SNAT: &str = "https://learn.microsoft.com/azure/firewall/snat-private-range";

/// What the report makes of one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Judged; the log agrees with the design.
    Consistent,
    /// Accepted, the design says this verdict, decided by "rule_set/rule" ("-": none).
    Drift(Verdict, &'static str),
    /// Rejected, the design allows it.
    Broken,
    /// The reply half of a connection, accepted: counted, not judged.
    Reply,
    /// Not judged: the record does not say the flow's real destination.
    Unjudged,
}

use Outcome::{Broken, Consistent, Drift, Reply, Unjudged};
use Verdict::{Deny, NoRoute};

/// An AWS record: src, dst, srcport, dstport, action; the expected outcome; the documentation.
type AwsRow = (
    &'static str,
    &'static str,
    u16,
    u16,
    &'static str,
    Outcome,
    &'static str,
);

/// nat-a (10.0.0.220, EIP 54.240.0.7) in pub-a (nacl-pub); app 10.0.1.5 in priv-a, whose
/// 0.0.0.0/0 goes to nat-a; srv 10.1.1.10 (public 54.1.1.10) in vpc-b.
#[rustfmt::skip]
const AWS_ROWS: &[AwsRow] = &[
    // --- the instance's interface: untranslated (AWS_EXAMPLES, last two records) ---
    // app → the host through nat-a: sg-app, nacl-pub both ways, the route to the IGW allow.
    ("10.0.1.5", "203.0.113.5", 40000, 443, "ACCEPT", Consistent, AWS_EXAMPLES),
    ("203.0.113.5", "10.0.1.5", 443, 40000, "ACCEPT", Reply, AWS_EXAMPLES),
    // --- the NAT gateway's interface ---
    // The instance's request as it reaches the NAT gateway: dstaddr is nat-a's own address,
    // the packet's destination is only in pkt-dstaddr (AWS_FIELDS), which the default format
    // lacks: the flow's destination is unknown, so the design cannot judge it (judged at face
    // value, a flow *to* 10.0.0.220, sg-app's partner-out rule would not match 8443 and this
    // accepted record would be false drift).
    ("10.0.1.5", "10.0.0.220", 40000, 443, "ACCEPT", Unjudged, AWS_EXAMPLES),
    ("10.0.1.5", "10.0.0.220", 40001, 8443, "ACCEPT", Unjudged, AWS_FIELDS),
    // nat-a → the host (translated; the record keeps the private address 10.0.0.220): no
    // security group, nacl-pub's out-https and in-return allow, pub-a routes to the IGW.
    ("10.0.0.220", "203.0.113.5", 61000, 443, "ACCEPT", Consistent, AWS_NAT_BASICS),
    // ... on 8443 nacl-pub has no outbound rule: its default deny decides. Accepted: drift.
    ("10.0.0.220", "203.0.113.5", 61001, 8443, "ACCEPT", Drift(Deny, "nacl-pub/*"), AWS_NAT_BASICS),
    ("10.0.0.220", "203.0.113.5", 61001, 8443, "REJECT", Consistent, AWS_NAT_BASICS),
    // The host's answer to nat-a, and nat-a's to the instance: replies. With a service port
    // below 1024 the reply heuristic sees it; with 8443 only the NAT gateway's nature does:
    // it accepts no unsolicited inbound connection (AWS_NAT), and it never opens one to an
    // instance behind it.
    ("203.0.113.5", "10.0.0.220", 443, 61000, "ACCEPT", Reply, AWS_EXAMPLES),
    ("203.0.113.5", "10.0.0.220", 8443, 61001, "ACCEPT", Reply, AWS_NAT),
    ("10.0.0.220", "10.0.1.5", 443, 40000, "ACCEPT", Reply, AWS_EXAMPLES),
    ("10.0.0.220", "10.0.1.5", 8443, 40001, "ACCEPT", Reply, AWS_NAT),
    // --- the far end's interface: srv sees the Elastic IP (AWS_NAT), an internet address ---
    // sg-srv's https-from-nat names 54.240.0.7/32.
    ("54.240.0.7", "10.1.1.10", 61000, 443, "ACCEPT", Consistent, AWS_NAT),
    // ... and ssh-from-vpc-a names vpc-a's private range, which the EIP is not in.
    ("54.240.0.7", "10.1.1.10", 61002, 22, "ACCEPT", Drift(Deny, "sg-srv/implicit-deny"), AWS_NAT),
    ("54.240.0.7", "10.1.1.10", 61002, 22, "REJECT", Consistent, AWS_NAT),
];

/// An Azure VNet flow-log tuple: src, dst, srcport, dstport, direction (`I`/`O`), allowed;
/// the expected outcome; the documentation.
type AzRow = (
    &'static str,
    &'static str,
    u16,
    u16,
    &'static str,
    bool,
    Outcome,
    &'static str,
);

/// azure-dnat.yaml: fw 10.0.1.4 (public 52.160.10.10) in AzureFirewallSubnet 10.0.1.0/26;
/// dnat-web 443 → web 10.1.1.4:8443, dnat-ssh 2222 → jump 10.1.1.5:22, dnat-db 5432 → db
/// 10.1.2.4, dnat-alt 8080 → web:8080; fw-rules' deny-spoke network rule would deny the spoke
/// if it were asked; nsg-web allows the firewall subnet on 8443 and 22, denies it on 8080;
/// nsg-db denies VirtualNetwork on 5432.
#[rustfmt::skip]
const DNAT_ROWS: &[AzRow] = &[
    // The backend's interface logs the translated flow: the source is an address of the
    // AzureFirewallSubnet (an instance of the firewall, not necessarily the firewall's own
    // private address), the destination the backend's private address and translated port.
    ("10.0.1.6", "10.1.1.4", 50000, 8443, "I", true, Consistent, AZ_NAT_BEHAVIOURS),
    // The firewall's own private address as the source: the DNAT rule allowed the flow and no
    // network rule is asked of it (AZ_RULES), so deny-spoke must not decide; what the backend
    // sees is what nsg-web decides for the firewall subnet: allowed.
    ("10.0.1.4", "10.1.1.4", 50001, 8443, "I", true, Consistent, AZ_RULES),
    ("10.0.1.4", "10.1.1.5", 50002, 22, "I", true, Consistent, AZ_RULES),
    // A rejected record the design allows: the backend's NSG would have let it in.
    ("10.0.1.6", "10.1.1.4", 50003, 8443, "I", false, Broken, AZ_VNET_LOGS),
    // nsg-web denies the firewall subnet on 8080 (dnat-alt): an allowed record is drift ...
    ("10.0.1.6", "10.1.1.4", 50004, 8080, "I", true, Drift(Deny, "nsg-web/deny-fw-8080"), AZ_VNET_LOGS),
    ("10.0.1.4", "10.1.1.4", 50005, 8080, "I", true, Drift(Deny, "nsg-web/deny-fw-8080"), AZ_VNET_LOGS),
    // ... a denied one agrees.
    ("10.0.1.6", "10.1.1.4", 50004, 8080, "I", false, Consistent, AZ_VNET_LOGS),
    // nsg-db denies VirtualNetwork (the peered hub, the firewall's subnet in it) on 5432.
    ("10.0.1.6", "10.1.2.4", 50006, 5432, "I", true, Drift(Deny, "nsg-db/deny-vnet-pg"), AZ_VNET_LOGS),
    ("10.0.1.4", "10.1.2.4", 50007, 5432, "I", true, Drift(Deny, "nsg-db/deny-vnet-pg"), AZ_VNET_LOGS),
    // The internet client never reaches the backend's private address itself: a record that
    // says it did is a path the design does not have.
    ("203.0.113.7", "10.1.1.4", 50008, 8443, "I", true, Drift(NoRoute, "-"), AZ_NAT_BEHAVIOURS),
];

/// azure-firewall-snat.yaml: vm-a 10.1.1.4 in the spoke (0.0.0.0/0 → fw 10.0.1.4, public
/// 20.10.0.4); vm-o 10.5.1.4 (public 20.50.0.4) in an unpeered VNet, nsg-o allows 20.10.0.4 on
/// 443 and the spoke's private range on 22.
#[rustfmt::skip]
const SNAT_ROWS: &[AzRow] = &[
    // The spoke VM's interface logs the flow before translation: its own address → the
    // public destination; the design judges the whole flow (the firewall SNATs it, nsg-o
    // sees 20.10.0.4 and allows 443).
    ("10.1.1.4", "20.50.0.4", 50000, 443, "O", true, Consistent, AZ_SNAT),
    // vm-o's interface logs the translated source, the firewall's public address: an internet
    // address to the design, which https-from-fw names.
    ("20.10.0.4", "10.5.1.4", 50001, 443, "I", true, Consistent, AZ_SNAT),
    // ... and on 22 ssh-from-spoke names the spoke's private range, which 20.10.0.4 is not in:
    // the NSG's DenyAllInBound decides.
    ("20.10.0.4", "10.5.1.4", 50002, 22, "I", true, Drift(Deny, "nsg-o/DenyAllInBound"), AZ_SNAT),
    ("20.10.0.4", "10.5.1.4", 50002, 22, "I", false, Consistent, AZ_SNAT),
];

fn topo(name: &str) -> Topology {
    let p = format!("tests/fixtures/nat/{name}.yaml");
    load(Path::new(&p)).unwrap_or_else(|e| panic!("{p} loads: {e:?}"))
}

fn report(t: &Topology, log: &str) -> FlowReport {
    let mut an = Analyzer::new(t);
    analyze_reader(&mut an, "row", log.as_bytes(), LogFormat::Auto).expect("reads");
    an.finish()
}

fn show(o: Outcome) -> String {
    match o {
        Drift(v, rule) => format!("drift {v} {rule}"),
        other => format!("{other:?}"),
    }
}

/// The one record's outcome as [`show`] writes it, or a description of what else happened.
fn outcome(r: &FlowReport) -> String {
    if r.records != 1 || r.unreadable != 0 {
        return format!("{} records, {} unreadable", r.records, r.unreadable);
    }
    if let Some(m) = r.drift.first() {
        let rule = m
            .decided_by
            .as_ref()
            .map_or("-".to_string(), |d| format!("{}/{}", d.rule_set, d.rule));
        return format!("drift {} {rule}", m.verdict);
    }
    let one = |o: Outcome| Some(show(o));
    let got = if !r.broken.is_empty() {
        one(Broken)
    } else if r.consistent == 1 {
        one(Consistent)
    } else if r.replies == 1 && r.judged == 0 {
        one(Reply)
    } else if r.unjudged == 1 {
        one(Unjudged)
    } else {
        None
    };
    got.unwrap_or_else(|| {
        format!(
            "judged {}, replies {}, outside {}",
            r.judged, r.replies, r.outside
        )
    })
}

fn aws_log(src: &str, dst: &str, sp: u16, dp: u16, action: &str) -> String {
    format!(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 123456789010 eni-1235b8ca123456789 {src} {dst} {sp} {dp} 6 10 840 1418530010 1418530070 {action} OK\n"
    )
}

fn vnet_log(src: &str, dst: &str, sp: u16, dp: u16, dir: &str, allowed: bool) -> String {
    let (state, counts) = if allowed {
        ("E", "3,767,2,1580")
    } else {
        ("D", "0,0,0,0")
    };
    let rule = if allowed {
        "DefaultRule_AllowVnetInBound"
    } else {
        "DefaultRule_DenyAllInBound"
    };
    format!(
        r#"{{"records":[{{"time":"2022-09-14T09:00:52.5625085Z","flowLogVersion":4,"macAddress":"00224871C205","category":"FlowLogFlowEvent","operationName":"FlowLogFlowEvent","flowRecords":{{"flows":[{{"aclID":"00000000-1234-abcd-ef00-c1c2c3c4c5c6","flowGroups":[{{"rule":"{rule}","flowTuples":["1663146003606,{src},{dst},{sp},{dp},6,{dir},{state},NX,{counts}"]}}]}}]}}}}]}}"#
    )
}

fn check(bad: &mut String, what: &str, r: &FlowReport, want: Outcome) {
    let (got, want) = (outcome(r), show(want));
    if got != want {
        let why = r
            .drift
            .first()
            .or(r.broken.first())
            .map_or(String::new(), |m| m.reason.clone());
        let _ = writeln!(bad, "{what}: {got}, want {want} {why}");
    }
}

#[test]
fn aws_nat_gateway_records() {
    let t = topo("aws-nat-flows");
    let mut bad = String::new();
    for &(src, dst, sp, dp, action, want, doc) in AWS_ROWS {
        let r = report(&t, &aws_log(src, dst, sp, dp, action));
        check(
            &mut bad,
            &format!("{src}:{sp} -> {dst}:{dp} {action} ({doc})"),
            &r,
            want,
        );
    }
    assert!(bad.is_empty(), "rows failed:\n{bad}");
}

fn azure_rows(design: &str, rows: &[AzRow]) {
    let t = topo(design);
    let mut bad = String::new();
    for &(src, dst, sp, dp, dir, allowed, want, doc) in rows {
        let r = report(&t, &vnet_log(src, dst, sp, dp, dir, allowed));
        check(
            &mut bad,
            &format!("{src}:{sp} -> {dst}:{dp} {dir} allowed={allowed} ({doc})"),
            &r,
            want,
        );
    }
    assert!(bad.is_empty(), "rows failed:\n{bad}");
}

#[test]
fn azure_firewall_dnat_records_at_the_backend() {
    azure_rows("azure-dnat", DNAT_ROWS);
}

#[test]
fn azure_firewall_snat_records() {
    azure_rows("azure-firewall-snat", SNAT_ROWS);
}

/// The plan behind the DNAT rows: a flow from the firewall's own address has passed the
/// firewall (a DNAT'd flow is SNATed to it, AZ_NAT_BEHAVIOURS; the DNAT rule allowed it,
/// AZ_RULES), so its policy is not asked again; the backend's NSG decides. The trace and the
/// exact engine agree.
#[test]
fn a_flow_from_a_firewall_is_not_judged_by_its_own_policy() {
    use zonescope::engine::reach::{Engine, Target, addr_party};
    use zonescope::engine::trace::{Query, WhatIf, trace};
    use zonescope::model::EntityRef;
    use zonescope::model::rules::Protocol;

    let t = topo("azure-dnat");
    let run = |to: &str, port: u16| {
        trace(
            &t,
            &Query::new("fw", to, Some(port), Protocol::Tcp),
            &WhatIf::default(),
        )
        .expect("traceable")
    };
    let ports = |to: &str| {
        let Some(EntityRef::Endpoint(d)) = t.find(to) else {
            panic!("{to} is an endpoint");
        };
        let src = addr_party(&t, "10.0.1.4".parse().expect("an address"));
        Engine::new(&t).reach(&src, &Target::Ep(d)).tcp
    };
    for (to, port, verdict, rule) in [
        ("web", 8443, Verdict::Allow, "nsg-web/https-from-fw"),
        ("web", 8080, Deny, "nsg-web/deny-fw-8080"),
        ("jump", 22, Verdict::Allow, "nsg-web/ssh-from-fw"),
        ("db", 5432, Deny, "nsg-db/deny-vnet-pg"),
    ] {
        let tr = run(to, port);
        let by = tr
            .decided_by
            .as_ref()
            .map(|d| format!("{}/{}", d.rule_set, d.rule));
        assert_eq!(
            (tr.verdict, by.as_deref()),
            (verdict, Some(rule)),
            "fw -> {to}:{port}: {}",
            tr.reason
        );
        assert!(
            tr.checks.iter().all(|c| c.rule_set != "fw-rules"),
            "fw -> {to}:{port} asks the firewall's own policy: {:?}",
            tr.checks
        );
        assert_eq!(
            ports(to).contains(port),
            verdict == Verdict::Allow,
            "fw -> {to}:{port}: the exact engine disagrees with the trace"
        );
    }
}

/// An appliance's interface rule sets still apply to what leaves it (an AWS NVA's security
/// group filters its interface, https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html);
/// only its `firewall` policy is not asked again.
#[test]
fn an_appliances_interface_rules_still_apply_to_its_own_flows() {
    use zonescope::engine::trace::{Query, WhatIf, trace};
    use zonescope::model::load_str;
    use zonescope::model::rules::Protocol;

    let t = load_str(
        r#"version: 1
name: nva
networks:
  - id: vpc
    provider: aws
    cidr: 10.0.0.0/16
    subnets:
      - { id: snet-fw, cidr: 10.0.1.0/24 }
      - { id: snet-app, cidr: 10.0.2.0/24 }
endpoints:
  - { id: nva, kind: firewall, subnet: snet-fw, ip: 10.0.1.4, rules: [sg-nva, pol] }
  - { id: app, kind: app, subnet: snet-app, ip: 10.0.2.4 }
rule_sets:
  - id: sg-nva
    kind: security_group
    rules:
      - { id: https-out, direction: outbound, action: allow, protocol: tcp, destination: 0.0.0.0/0, ports: 443 }
  - id: pol
    kind: firewall
    rules:
      - { id: none-to-app, priority: 100, action: deny, protocol: any, source: "*", destination: 10.0.2.0/24 }
"#,
        "nva.yaml",
    )
    .expect("loads");
    let run = |port: u16| {
        trace(
            &t,
            &Query::new("nva", "app", Some(port), Protocol::Tcp),
            &WhatIf::default(),
        )
        .expect("traceable")
    };
    let https = run(443);
    assert_eq!(https.verdict, Verdict::Allow, "{}", https.reason);
    let ssh = run(22);
    assert_eq!(ssh.verdict, Deny, "{}", ssh.reason);
    assert_eq!(
        ssh.decided_by.as_ref().map(|d| d.rule_set.as_str()),
        Some("sg-nva"),
        "{}",
        ssh.reason
    );
}
