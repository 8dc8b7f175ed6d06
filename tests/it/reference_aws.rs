//! zonescope against real AWS: the two `aws ec2 describe-*` snapshots of the Batfish test suite
//! in `/work/shared/reference/aws-describe/`, translated rule by rule into
//! `tests/fixtures/reference/aws-*.yaml` (ids are the AWS ids), and the dispositions Batfish
//! publishes for them (AwsConfigurationPublicPrivateSubnetTest.java,
//! AwsConfigurationVpcEndpointInterfaceTest.java).
//!
//! Batfish's public/private flows carry no transport (IP protocol 0); the only rules that could
//! allow them are the security groups' tcp/22 ones, so tcp/443 stands for "anything but SSH".

use std::path::Path;

use zonescope::engine::check::expectations;
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::model::rules::{Action, Direction, Protocol};
use zonescope::model::{Topology, Verdict, load};

const PUBLIC_PRIVATE: &str = "tests/fixtures/reference/aws-public-private-subnet.yaml";
const ENDPOINT_INTERFACE: &str = "tests/fixtures/reference/aws-vpc-endpoint-interface.yaml";

// test-public-private-subnet
const PUB_INSTANCE: &str = "i-094a9e5b545a4fde4";
const PRIV_INSTANCE: &str = "i-099cf38911942421c";
const SG_PUB: &str = "sg-0662342465612f419"; // launch-wizard-2
const SG_PRIV: &str = "sg-063f2bb51713c3236"; // launch-wizard-3
const ACL_DEFAULT: &str = "acl-0ae73e62fae564306";

// test-vpc-endpoint-interface
const INSTANCE_OTHER_SUBNET: &str = "i-0eb6eb395a0d09117"; // public-web01, 10.1.1.88
const INSTANCE_ENDPOINT_SUBNET: &str = "i-0a0fbd0cfa774970f"; // private-web01, 10.1.101.63
const SUBNET_OTHER: &str = "subnet-0611b848137c513d1";
const SUBNET_ENDPOINT: &str = "subnet-0bb8615d8368ece31";
const VPCE: &str = "vpce-083c683a6be29b889";
const VPCE_IP: &str = "10.1.101.97";
const SG_TESTING: &str = "sg-0973207c61f3466e1"; // testing_sg
const ACL_TESTING: &str = "acl-011135a03c2212fe9"; // testing-general

fn topo(path: &str) -> Topology {
    load(Path::new(path)).unwrap_or_else(|e| panic!("{path} loads: {e:?}"))
}

fn run(t: &Topology, from: &str, to: &str, port: Option<u16>, proto: Protocol) -> Trace {
    trace(t, &Query::new(from, to, port, proto), &WhatIf::default())
        .unwrap_or_else(|e| panic!("{from} -> {to} is traceable: {e}"))
}

fn tcp(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    run(t, from, to, Some(port), Protocol::Tcp)
}

/// Every `expect:` of the file passes, and there are `count` of them.
fn all_expectations_pass(path: &str, count: usize) {
    let t = topo(path);
    let results = expectations(&t, &WhatIf::default());
    assert_eq!(results.len(), count, "{path}: number of expectations");
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{}: {}", r.name, r.failure.clone().unwrap_or_default()))
        .collect();
    assert!(
        failed.is_empty(),
        "{path}: failed expectations:\n{}",
        failed.join("\n")
    );
}

/// The flow is denied by the implicit deny of security group `sg`, inbound at endpoint `at`,
/// after every NACL check on the way allowed it.
fn assert_denied_by_sg(tr: &Trace, sg: &str, at: &str, acl: &str) {
    assert_eq!(
        tr.verdict,
        Verdict::Deny,
        "{} -> {}: {}",
        tr.from,
        tr.to,
        tr.reason
    );
    let d = tr
        .decided_by
        .as_ref()
        .expect("a denial has a deciding rule");
    assert_eq!(
        (d.rule_set.as_str(), d.rule.as_str(), d.at.as_str()),
        (sg, "implicit-deny", at),
        "{} -> {}: {}",
        tr.from,
        tr.to,
        tr.reason
    );
    let last = tr.checks.last().expect("checks");
    assert_eq!(last.kind, "security_group");
    assert_eq!(last.direction, Some(Direction::Inbound));
    assert_nacl_allows(tr, acl);
}

/// Every check of NACL `acl` on the path allows, by its rule number 100 or 1000 "allow all".
fn assert_nacl_allows(tr: &Trace, acl: &str) {
    let nacl: Vec<_> = tr.checks.iter().filter(|c| c.rule_set == acl).collect();
    assert!(
        !nacl.is_empty(),
        "{} -> {}: {acl} is on the path",
        tr.from,
        tr.to
    );
    for c in nacl {
        assert_eq!(c.action, Action::Allow, "{} -> {}: {c:?}", tr.from, tr.to);
        assert!(
            !c.default_rule,
            "decided by an entry of the snapshot: {c:?}"
        );
    }
}

// ---------------------------------------------------------------- test-public-private-subnet

#[test]
fn public_private_subnet_expectations_pass() {
    all_expectations_pass(PUBLIC_PRIVATE, 6);
}

#[test]
fn public_private_subnet_denials_are_the_security_groups() {
    let t = topo(PUBLIC_PRIVATE);
    // NetworkAcls.json acl-0ae73e62fae564306 (both subnets): RuleNumber 100, Protocol -1,
    // 0.0.0.0/0, allow, Egress false and true. So no NACL can deny; the deciding rule of each
    // denial is the destination's security group, whose only IpPermissions entry is
    // {IpProtocol tcp, FromPort 22, ToPort 22, CidrIp 0.0.0.0/0} (SecurityGroups.json).

    // Batfish: private instance -> 10.0.0.47 DENIED_IN. sg-0662342465612f419 (launch-wizard-2)
    // on i-094a9e5b545a4fde4 has no inbound rule for tcp/443.
    let tr = tcp(&t, PRIV_INSTANCE, "10.0.0.47", 443);
    assert_denied_by_sg(&tr, SG_PUB, PUB_INSTANCE, ACL_DEFAULT);
    assert_eq!(
        tr.path,
        [
            PRIV_INSTANCE,
            "subnet-0f263105946ad1a1d",
            "vpc-0b966fdeb36d5e43f",
            "subnet-0cf7a93fbd779f3a3",
            PUB_INSTANCE
        ],
        "Batfish's hops"
    );

    // Batfish: public instance -> 10.0.1.204 DENIED_IN, by sg-063f2bb51713c3236
    // (launch-wizard-3) on i-099cf38911942421c, tcp/22 in only.
    let tr = tcp(&t, PUB_INSTANCE, "10.0.1.204", 443);
    assert_denied_by_sg(&tr, SG_PRIV, PRIV_INSTANCE, ACL_DEFAULT);

    // Batfish: internet -> 13.58.55.60 DENIED_IN via igw-0eac198308206c358, by
    // sg-0662342465612f419 (the public IP of eni-09da8cad43844dc1f).
    let tr = tcp(&t, "internet", "13.58.55.60", 443);
    assert_denied_by_sg(&tr, SG_PUB, PUB_INSTANCE, ACL_DEFAULT);

    // The counter-check: the same flows on tcp/22 are allowed by the IpPermissions entry
    // tcp 22 from 0.0.0.0/0, which proves that the security group is what decides.
    for (from, to, sg, at) in [
        (PRIV_INSTANCE, "10.0.0.47", SG_PUB, PUB_INSTANCE),
        (PUB_INSTANCE, "10.0.1.204", SG_PRIV, PRIV_INSTANCE),
        ("internet", "13.58.55.60", SG_PUB, PUB_INSTANCE),
    ] {
        let tr = tcp(&t, from, to, 22);
        assert_eq!(
            tr.verdict,
            Verdict::Allow,
            "{from} -> {to}:22: {}",
            tr.reason
        );
        let d = tr.decided_by.expect("allowed by a rule");
        assert_eq!(
            (d.rule_set.as_str(), d.rule.as_str(), d.at.as_str()),
            (sg, "in-tcp-22", at)
        );
    }
}

#[test]
fn public_private_subnet_internet_egress() {
    let t = topo(PUBLIC_PRIVATE);
    // Batfish: public instance -> 8.8.8.8 EXITS_NETWORK via igw-0eac198308206c358 (route
    // table rtb-0d20fcae075afe460, 0.0.0.0/0 -> igw). IpPermissionsEgress IpProtocol -1 and
    // NACL rule 100 (both directions, Protocol -1) allow any port: 443, 80 and udp/53 alike.
    for (port, proto) in [
        (443, Protocol::Tcp),
        (80, Protocol::Tcp),
        (53, Protocol::Udp),
    ] {
        let tr = run(&t, PUB_INSTANCE, "8.8.8.8", Some(port), proto);
        assert_eq!(tr.verdict, Verdict::Allow, "{port}: {}", tr.reason);
        assert!(tr.path.iter().any(|h| h == "internet"), "{:?}", tr.path);
        // Outbound AWS checks the instance's security group, then the subnet's network ACL
        // (and the ACL's rule for the reply): the last check is the ACL's rule 100 inbound
        // (SPEC §11.4; https://docs.aws.amazon.com/vpc/latest/userguide/infrastructure-security.html).
        let d = tr.decided_by.as_ref().expect("allowed by a rule");
        assert_eq!(
            (d.rule_set.as_str(), d.rule.as_str()),
            (ACL_DEFAULT, "in-100")
        );
        let sg = tr.checks.iter().position(|c| c.rule_set == SG_PUB);
        let acl = tr.checks.iter().position(|c| c.rule_set == ACL_DEFAULT);
        assert!(
            sg.is_some() && sg < acl,
            "security group before the ACL: {:?}",
            tr.checks
        );
        assert_eq!(tr.checks[sg.unwrap_or(0)].rule, "out-all");
        assert_nacl_allows(&tr, ACL_DEFAULT);
    }
    // Batfish: private instance -> 8.8.8.8 NO_ROUTE: the main route table
    // rtb-002f0eabf583bf991 sends 0.0.0.0/0 to vgw-070087240d6fa2989, which only knows the VPN
    // site 19.168.0.0/16. zonescope: the private subnet has no internet egress.
    let tr = tcp(&t, PRIV_INSTANCE, "8.8.8.8", 443);
    assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
    assert!(tr.decided_by.is_none());
}

/// Batfish dispositions zonescope does not reproduce. These assert what zonescope does today;
/// each says what AWS does. When zonescope learns the AWS behaviour, flip the assertion.
#[test]
fn public_private_subnet_documented_gaps() {
    let t = topo(PUBLIC_PRIVATE);

    // Batfish testFromInternet: internet -> 10.0.0.47 (the public instance's *private* IP) is
    // NULL_ROUTED: the internet does not route RFC 1918 addresses, and the IGW only translates
    // the public IP 13.58.55.60. zonescope agrees: no route, and it names the public IP.
    for port in [443, 22] {
        let tr = tcp(&t, "internet", "10.0.0.47", port);
        assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
        assert!(
            tr.reason.contains("by its public IP 13.58.55.60"),
            "{}",
            tr.reason
        );
    }

    // Batfish testFromPrivateToPublicSubnet: private instance -> 13.58.55.60 (the public
    // instance's *public* IP) is NO_ROUTE at vgw-070087240d6fa2989: the private subnet's only
    // route off the VPC goes to the VGW. zonescope sends traffic for a public address out
    // through the source's internet exit, and the private subnet has none: no route.
    for port in [443, 22] {
        let tr = tcp(&t, PRIV_INSTANCE, "13.58.55.60", port);
        assert_eq!(tr.verdict, Verdict::NoRoute, "{}", tr.reason);
    }
    // From the public subnet the same address is reached out and back in through the internet
    // gateway, and its security group decides.
    let tr = tcp(&t, PUB_INSTANCE, "13.58.55.60", 22);
    assert_eq!(tr.verdict, Verdict::Allow, "{}", tr.reason);
    assert!(tr.path.iter().any(|h| h == "internet"), "{:?}", tr.path);

    // Batfish testToSite: private instance -> 19.168.0.0 EXITS_NETWORK through the VGW's two
    // tunnels (VpnConnections.json static route 19.168.0.0/16). zonescope has no per-subnet
    // route tables, so the VPN site is not modelled (a peered network would also be reachable
    // from the public subnet, whose route table sends 19.168.0.0/16 to the internet gateway).
    let tr = tcp(&t, PRIV_INSTANCE, "19.168.0.1", 443);
    assert_eq!(
        tr.verdict,
        Verdict::NoRoute,
        "AWS: exits via the VGW. {}",
        tr.reason
    );
    // ... while the public instance's flow to the site leaves through the IGW, as in Batfish.
    let tr = tcp(&t, PUB_INSTANCE, "19.168.0.1", 443);
    assert_eq!(tr.verdict, Verdict::Allow, "{}", tr.reason);
}

// --------------------------------------------------------------- test-vpc-endpoint-interface

#[test]
fn vpc_endpoint_interface_expectations_pass() {
    all_expectations_pass(ENDPOINT_INTERFACE, 6);
}

#[test]
fn vpc_endpoint_interface_https_both_ways() {
    let t = topo(ENDPOINT_INTERFACE);
    // Batfish testFromSubnetEndpoint / testFromSubnetNonEndpoint: tcp/443 to 10.1.101.97 from
    // an instance in each subnet (and here also from the subnets themselves) succeeds, and so
    // does its reverse. Forward: IpPermissionsEgress -1 to 0.0.0.0/0 on the source ENI, NACL
    // acl-011135a03c2212fe9 RuleNumber 1000 (Egress true / false, Protocol -1), the endpoint
    // ENI's IpPermissions {tcp 443 from 0.0.0.0/0}. Reverse: security groups are stateful;
    // the NACL is not, and zonescope checks the reply (tcp/1024-65535) against RuleNumber 1000
    // — when the flow crosses the subnet's edge (within the subnet AWS applies no NACL).
    for (from, crosses) in [
        (INSTANCE_ENDPOINT_SUBNET, false),
        (INSTANCE_OTHER_SUBNET, true),
        (SUBNET_ENDPOINT, false),
        (SUBNET_OTHER, true),
    ] {
        let tr = tcp(&t, from, VPCE_IP, 443);
        assert_eq!(tr.verdict, Verdict::Allow, "{from}: {}", tr.reason);
        assert_eq!(tr.via_private_endpoint.as_deref(), Some(VPCE), "{from}");
        let d = tr.decided_by.as_ref().expect("allowed by a rule");
        assert_eq!(
            (d.rule_set.as_str(), d.rule.as_str(), d.at.as_str()),
            (SG_TESTING, "in-tcp-443", VPCE),
            "{from}"
        );
        if !crosses {
            assert!(
                tr.checks.iter().all(|c| c.rule_set != ACL_TESTING),
                "{from}: no NACL within the subnet: {:?}",
                tr.checks
            );
            continue;
        }
        assert_nacl_allows(&tr, ACL_TESTING);
        assert!(
            tr.checks
                .iter()
                .any(|c| c.rule_set == ACL_TESTING && c.return_flow),
            "{from}: the reply crosses the stateless NACL: {:?}",
            tr.checks
        );
    }
    // Across subnets, Batfish's hops are instance, subnet, VPC, subnet, endpoint.
    let tr = tcp(&t, INSTANCE_OTHER_SUBNET, VPCE_IP, 443);
    assert_eq!(
        tr.path[..5],
        [
            INSTANCE_OTHER_SUBNET,
            SUBNET_OTHER,
            "vpc-072d45b801aeffef2",
            SUBNET_ENDPOINT,
            VPCE
        ]
    );
    // By name: PrivateDnsEnabled makes cloudtrail.us-east-1.amazonaws.com resolve to the
    // endpoint inside the VPC.
    let tr = tcp(
        &t,
        INSTANCE_OTHER_SUBNET,
        "cloudtrail.us-east-1.amazonaws.com",
        443,
    );
    assert_eq!(tr.verdict, Verdict::Allow, "{}", tr.reason);
    assert_eq!(tr.via_private_endpoint.as_deref(), Some(VPCE));
    assert!(tr.dns.as_ref().is_some_and(|d| d.private), "{:?}", tr.dns);
    // The private hosted zone is for the service's default DNS name only
    // (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#private-dns):
    // another service of the region still resolves publicly, never NXDOMAIN.
    let tr = tcp(
        &t,
        INSTANCE_OTHER_SUBNET,
        "logs.us-east-1.amazonaws.com",
        443,
    );
    assert!(
        tr.dns.as_ref().is_none_or(|d| !d.private && !d.nxdomain),
        "{:?}",
        tr.dns
    );
    assert!(tr.via_private_endpoint.is_none(), "{}", tr.reason);
}

#[test]
fn vpc_endpoint_interface_denial_is_the_security_group() {
    let t = topo(ENDPOINT_INTERFACE);
    // Derived from the snapshot (not a Batfish expectation): sg-0973207c61f3466e1's
    // IpPermissions are udp 33434-33534, tcp 22, icmp 8/0 and tcp 443 only, so tcp/80 to the
    // endpoint is refused by the group's implicit deny; NACL rule 1000 allows it.
    let tr = tcp(&t, INSTANCE_OTHER_SUBNET, VPCE_IP, 80);
    assert_denied_by_sg(&tr, SG_TESTING, VPCE, ACL_TESTING);
}

/// Within one subnet AWS applies no network ACL, and neither does zonescope.
#[test]
fn vpc_endpoint_interface_intra_subnet_flow_skips_the_nacl() {
    let t = topo(ENDPOINT_INTERFACE);
    // AWS evaluates a network ACL only for traffic entering or leaving the subnet: Batfish's
    // hops for i-0a0fbd0cfa774970f -> 10.1.101.97 (same subnet) are the instance and the
    // endpoint, with no subnet in between, and no ACL among the checks.
    let tr = tcp(&t, INSTANCE_ENDPOINT_SUBNET, VPCE_IP, 443);
    assert_eq!(tr.verdict, Verdict::Allow, "{}", tr.reason);
    assert!(
        tr.checks
            .iter()
            .all(|c| c.rule_set != ACL_TESTING && c.kind != "nacl"),
        "AWS does not evaluate the NACL here: {:?}",
        tr.checks
    );
}
