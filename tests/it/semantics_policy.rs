//! Truth tables for the rule semantics of SPEC §11.4–§11.6, each row derived from the cloud's
//! documentation (cited on the row) before the code ran: security groups naming security
//! groups, ASGs, address groups, `name:`/`cloud_id:` as selectors, Azure Firewall's rule-type
//! order, FQDN patterns, AWS Network Firewall's pass-by-default and a NACL's ephemeral range.
//! Every row also checks that [`allowed_ports`] agrees with [`evaluate`] on its port.

use std::net::IpAddr;

use zonescope::engine::policy::{Ctx, Flow, Party, allowed_ports, evaluate};
use zonescope::model::rules::{Action, Direction, PortSet, Protocol};
use zonescope::model::{EntityRef, Topology, load};

const FIXTURE: &str = "tests/fixtures/semantics/policy.yaml";

/// AWS: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
const AWS_SG: &str = "aws-sg";
/// Azure: https://learn.microsoft.com/azure/virtual-network/application-security-groups
const AZ_ASG: &str = "azure-asg";
/// AWS managed prefix lists (https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html)
/// and Azure IP groups (https://learn.microsoft.com/azure/firewall/ip-groups): named CIDR lists.
const GROUPS: &str = "address-groups";
/// SPEC §11.5: an imported resource keeps its cloud name in `name:` and id in `cloud_id:`.
const NAMES: &str = "names";
/// Azure Firewall: https://learn.microsoft.com/azure/firewall/rule-processing ("Application
/// rules are always processed after Network rules, which are processed after DNAT rules
/// regardless of Rule collection group or Rule collection priority"), and the FAQ on target
/// FQDNs (https://learn.microsoft.com/azure/firewall/firewall-faq): `*.contoso.com` allows
/// `anyvalue.contoso.com`, not the apex `contoso.com`.
const AZ_FW: &str = "azure-firewall";
/// AWS Network Firewall domain lists:
/// https://docs.aws.amazon.com/network-firewall/latest/developerguide/stateful-rule-groups-domain-names.html
/// (".example.com matches example.com and matches all subdomains"; "abc.example.com matches
/// only abc.example.com"), and its default action order, where a packet no rule matches passes
/// (https://docs.aws.amazon.com/network-firewall/latest/developerguide/suricata-rule-evaluation-order.html).
const AWS_NFW: &str = "aws-network-firewall";

enum End {
    /// An endpoint by id.
    Ep(&'static str),
    /// An endpoint reached through another (a service through its private endpoint).
    Via(&'static str, &'static str),
    /// An address outside every network, with an optional name.
    Ext(&'static str, Option<&'static str>),
}

struct Row {
    doc: &'static str,
    rule_set: &'static str,
    dir: Option<Direction>,
    from: End,
    to: End,
    port: u16,
    allow: bool,
    rule: &'static str,
}

fn topo() -> Topology {
    load(std::path::Path::new(FIXTURE)).unwrap_or_else(|e| panic!("{}", e.plain()))
}

fn party(t: &Topology, e: &End) -> Party {
    let ep = |id: &str| {
        t.endpoint_ix(id)
            .unwrap_or_else(|| panic!("no endpoint {id}"))
    };
    match e {
        End::Ep(id) => Party::of_endpoint(t, ep(id)),
        End::Via(id, alias) => Party {
            alias: Some(ep(alias)),
            ..Party::of_endpoint(t, ep(id))
        },
        End::Ext(addr, fqdn) => Party {
            addr: Some(addr.parse::<IpAddr>().unwrap()),
            fqdn: fqdn.map(str::to_string),
            outside: true,
            ..Party::default()
        },
    }
}

fn ask(
    t: &Topology,
    rs: &str,
    dir: Option<Direction>,
    src: &Party,
    dst: &Party,
    ports: &PortSet,
) -> (Action, String, PortSet) {
    let rs = t.rule_sets().iter().find(|r| r.id == rs).expect("rule set");
    let never = |_: &str, _: &str| false;
    let (network, subnet) = match dir {
        Some(Direction::Inbound) => (dst.network, dst.subnet),
        _ => (src.network, src.subnet),
    };
    let ctx = Ctx {
        topo: t,
        network,
        subnet,
        disabled: &never,
    };
    let flow = Flow {
        src,
        dst,
        protocol: Protocol::Tcp,
        ports: Some(ports),
    };
    let d = evaluate(rs, &flow, dir, &ctx);
    (d.action, d.name, allowed_ports(rs, &flow, dir, &ctx))
}

fn run(rows: &[Row]) {
    let t = topo();
    for (i, r) in rows.iter().enumerate() {
        let (src, dst) = (party(&t, &r.from), party(&t, &r.to));
        let (action, rule, allowed) =
            ask(&t, r.rule_set, r.dir, &src, &dst, &PortSet::single(r.port));
        let want = if r.allow { Action::Allow } else { Action::Deny };
        assert_eq!(
            (action, rule.as_str()),
            (want, r.rule),
            "row {i} ({}) in {}",
            r.doc,
            r.rule_set
        );
        assert_eq!(
            allowed.contains(r.port),
            r.allow,
            "row {i} ({}): allowed_ports disagrees",
            r.doc
        );
    }
}

use Direction::{Inbound, Outbound};

#[test]
fn a_security_group_rule_naming_a_security_group_matches_its_members() {
    run(&[
        // "the rule allows ... the network interfaces that are associated with the source
        // security group": web carries sg-web
        Row {
            doc: AWS_SG,
            rule_set: "sg-app",
            dir: Some(Inbound),
            from: End::Ep("web"),
            to: End::Ep("app"),
            port: 8080,
            allow: true,
            rule: "from-web",
        },
        // `other` carries no group: nothing allows it; security groups deny by default
        Row {
            doc: AWS_SG,
            rule_set: "sg-app",
            dir: Some(Inbound),
            from: End::Ep("other"),
            to: End::Ep("app"),
            port: 8080,
            allow: false,
            rule: "implicit-deny",
        },
        // a group naming itself: members of sg-app reach each other (AWS's default SG rule)
        Row {
            doc: AWS_SG,
            rule_set: "sg-app",
            dir: Some(Inbound),
            from: End::Ep("app2"),
            to: End::Ep("app"),
            port: 9050,
            allow: true,
            rule: "self",
        },
        Row {
            doc: AWS_SG,
            rule_set: "sg-app",
            dir: Some(Inbound),
            from: End::Ep("web"),
            to: End::Ep("app"),
            port: 9050,
            allow: false,
            rule: "implicit-deny",
        },
        Row {
            doc: AWS_SG,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("app"),
            to: End::Ep("db"),
            port: 5432,
            allow: true,
            rule: "from-app",
        },
        Row {
            doc: AWS_SG,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("web"),
            to: End::Ep("db"),
            port: 5432,
            allow: false,
            rule: "implicit-deny",
        },
        // a group as destination of an outbound rule
        Row {
            doc: AWS_SG,
            rule_set: "sg-web",
            dir: Some(Outbound),
            from: End::Ep("web"),
            to: End::Ep("app"),
            port: 8080,
            allow: true,
            rule: "web-out",
        },
        Row {
            doc: AWS_SG,
            rule_set: "sg-web",
            dir: Some(Outbound),
            from: End::Ep("web"),
            to: End::Ep("other"),
            port: 8080,
            allow: false,
            rule: "implicit-deny",
        },
        // an end reached through a second endpoint (a private endpoint) that carries the group
        Row {
            doc: AWS_SG,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Via("other", "app"),
            to: End::Ep("db"),
            port: 5432,
            allow: true,
            rule: "from-app",
        },
    ]);
}

/// Azure: the NSG default rule `AllowAzureLoadBalancerInBound` (65001) admits the service tag
/// `AzureLoadBalancer`, the platform's health-probe source 168.63.129.16
/// (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules,
/// https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16); SPEC §1
/// makes the tag built in, so a file need not declare it.
const AZ_ALB: &str = "azure-load-balancer-tag";

#[test]
fn the_nsg_default_admits_the_built_in_azure_load_balancer_tag() {
    run(&[
        Row {
            doc: AZ_ALB,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ext("168.63.129.16", None),
            to: End::Ep("vm-db"),
            port: 80,
            allow: true,
            rule: "AllowAzureLoadBalancerInBound",
        },
        // the next address is not the tag's: the inbound default deny decides
        Row {
            doc: AZ_ALB,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ext("168.63.129.17", None),
            to: End::Ep("vm-db"),
            port: 80,
            allow: false,
            rule: "DenyAllInBound",
        },
    ]);
}

#[test]
fn an_nsg_rule_naming_asgs_matches_their_members() {
    run(&[
        // "define network security policy based on those groups": asg-web → asg-db on 1433
        Row {
            doc: AZ_ASG,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ep("vm-web"),
            to: End::Ep("vm-db"),
            port: 1433,
            allow: true,
            rule: "web-to-db",
        },
        Row {
            doc: AZ_ASG,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ep("vm-web2"),
            to: End::Ep("vm-db"),
            port: 1433,
            allow: true,
            rule: "web-to-db",
        },
        // not a member: the next rule by priority decides
        Row {
            doc: AZ_ASG,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ep("vm-plain"),
            to: End::Ep("vm-db"),
            port: 1433,
            allow: false,
            rule: "deny-vnet",
        },
        Row {
            doc: AZ_ASG,
            rule_set: "nsg-db",
            dir: Some(Inbound),
            from: End::Ep("vm-web"),
            to: End::Ep("vm-db"),
            port: 22,
            allow: false,
            rule: "deny-vnet",
        },
    ]);
}

#[test]
fn an_address_group_stands_for_its_cidrs_and_names_and_cloud_ids_for_their_entity() {
    run(&[
        Row {
            doc: GROUPS,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ext("10.0.9.5", None),
            to: End::Ep("db"),
            port: 22,
            allow: true,
            rule: "from-admins",
        },
        Row {
            doc: GROUPS,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ext("192.0.2.7", None),
            to: End::Ep("db"),
            port: 22,
            allow: true,
            rule: "from-admins",
        },
        // 192.0.2.20 is outside 192.0.2.0/28
        Row {
            doc: GROUPS,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ext("192.0.2.20", None),
            to: End::Ep("db"),
            port: 22,
            allow: false,
            rule: "implicit-deny",
        },
        // `worker` is app2's name
        Row {
            doc: NAMES,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("app2"),
            to: End::Ep("db"),
            port: 6379,
            allow: true,
            rule: "from-worker",
        },
        Row {
            doc: NAMES,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("app"),
            to: End::Ep("db"),
            port: 6379,
            allow: false,
            rule: "implicit-deny",
        },
        // `subnet-0aaa` is snet-a's cloud id
        Row {
            doc: NAMES,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("web"),
            to: End::Ep("db"),
            port: 11211,
            allow: true,
            rule: "from-subnet-a",
        },
        Row {
            doc: NAMES,
            rule_set: "sg-db",
            dir: Some(Inbound),
            from: End::Ep("app2"),
            to: End::Ep("db"),
            port: 11211,
            allow: false,
            rule: "implicit-deny",
        },
    ]);
    let t = topo();
    let id = |e: Option<EntityRef>| e.map(|e| t.id_of(e).to_string());
    assert_eq!(id(t.find("i-0db")).as_deref(), Some("db"));
    assert_eq!(id(t.find("prod-vpc")).as_deref(), Some("vpc"));
    assert_eq!(id(t.find("vpc-0abc")).as_deref(), Some("vpc"));
    assert_eq!(id(t.find("worker")).as_deref(), Some("app2"));
    assert_eq!(t.find("no-such-name"), None);
}

#[test]
fn azure_firewall_runs_dnat_then_network_then_application_rules() {
    run(&[
        // an application rule allows a subdomain of *.example.com
        Row {
            doc: AZ_FW,
            rule_set: "fw-az",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.50", Some("www.example.com")),
            port: 443,
            allow: true,
            rule: "app-example",
        },
        // a network rule (priority 300) is processed before an application rule (priority 100)
        Row {
            doc: AZ_FW,
            rule_set: "fw-az",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("203.0.113.5", Some("www.example.com")),
            port: 443,
            allow: false,
            rule: "net-deny-web",
        },
        // `*.example.com` does not match the apex: nothing matches, the firewall denies
        Row {
            doc: AZ_FW,
            rule_set: "fw-az",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.50", Some("example.com")),
            port: 443,
            allow: false,
            rule: "default-deny",
        },
        // a DNAT rule (priority 500) is processed before the network deny (priority 300)
        Row {
            doc: AZ_FW,
            rule_set: "fw-az",
            dir: None,
            from: End::Ext("203.0.113.99", None),
            to: End::Ext("198.51.100.10", None),
            port: 443,
            allow: true,
            rule: "dnat-in",
        },
        Row {
            doc: AZ_FW,
            rule_set: "fw-az",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("198.51.100.20", None),
            port: 443,
            allow: false,
            rule: "net-deny-web",
        },
    ]);
}

#[test]
fn aws_network_firewall_domains_and_pass_by_default() {
    run(&[
        // ".bad.example matches bad.example and all its subdomains"
        Row {
            doc: AWS_NFW,
            rule_set: "fw-aws",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.60", Some("bad.example")),
            port: 443,
            allow: false,
            rule: "deny-bad",
        },
        Row {
            doc: AWS_NFW,
            rule_set: "fw-aws",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.60", Some("www.bad.example")),
            port: 443,
            allow: false,
            rule: "deny-bad",
        },
        // not a subdomain (no dot before `bad`): no rule matches, the default passes it
        Row {
            doc: AWS_NFW,
            rule_set: "fw-aws",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.60", Some("notbad.example")),
            port: 443,
            allow: true,
            rule: "default-allow",
        },
        Row {
            doc: AWS_NFW,
            rule_set: "fw-aws",
            dir: None,
            from: End::Ep("web"),
            to: End::Ext("192.0.2.60", Some("example.org")),
            port: 443,
            allow: true,
            rule: "default-allow",
        },
    ]);
}

/// https://docs.aws.amazon.com/vpc/latest/userguide/custom-network-acl.html#nacl-ephemeral-ports:
/// the client picks its ephemeral port (Linux kernels 32768 and up, Windows 49152–65535, ELB
/// 1024–65535); the NACL of the client must allow the return traffic to that range. A NACL
/// that allows only 32768–60999 passes a Linux client's return traffic, and not the 1024–65535
/// the file assumes when it does not say.
#[test]
fn a_nacl_return_leg_is_checked_on_its_ephemeral_range() {
    let t = topo();
    let rs = |id: &str| t.rule_sets().iter().find(|r| r.id == id).unwrap().clone();
    assert_eq!(
        rs("nacl-linux").return_ports(),
        PortSet::range(32768, 60999)
    );
    assert_eq!(
        rs("nacl-default").return_ports(),
        PortSet::range(1024, 65535)
    );
    let (src, dst) = (
        party(&t, &End::Ep("web")),
        party(&t, &End::Ext("192.0.2.1", None)),
    );
    let (a, rule, _) = ask(
        &t,
        "nacl-linux",
        Some(Outbound),
        &src,
        &dst,
        &rs("nacl-linux").return_ports(),
    );
    assert_eq!((a, rule.as_str()), (Action::Allow, "ret"));
    // ports 1024–32767 and 61000–65535 match no rule: the NACL's `*` rule denies
    let (a, rule, _) = ask(
        &t,
        "nacl-default",
        Some(Outbound),
        &src,
        &dst,
        &rs("nacl-default").return_ports(),
    );
    assert_eq!((a, rule.as_str()), (Action::Deny, "*"));
}

/// A destination written as an FQDN keeps meaning that name even when an endpoint is called so
/// (SPEC §11: existing files keep their meaning); a source names the endpoint.
#[test]
fn an_fqdn_shaped_destination_stays_an_fqdn_and_a_source_name_is_the_endpoint() {
    use zonescope::model::load_str;
    use zonescope::model::rules::Selector;
    let base = include_str!("../fixtures/valid-base.yaml");
    let text = base.replace("  - id: db\n", "  - id: db\n    name: svc.example.com\n")
        + "  - id: fw\n    kind: firewall\n    rules:\n      - { id: r1, priority: 100, action: allow, source: svc.example.com, destination: svc.example.com }\n";
    let t = load_str(&text, "names.yaml").unwrap_or_else(|e| panic!("{}", e.plain()));
    let r = &t.rule_sets().iter().find(|r| r.id == "fw").unwrap().rules[0];
    let db = t.endpoint_ix("db").unwrap();
    assert_eq!(r.sources, vec![Selector::Endpoint(db)]);
    assert_eq!(
        r.destinations,
        vec![Selector::Fqdn("svc.example.com".into())]
    );
}
