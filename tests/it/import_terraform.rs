//! The Terraform importer (issue 13, SPEC §12): the real plans in
//! `../shared/reference/terraform/` imported as they are (the `aws` one mapped; the `azurerm`
//! one is tested in `import_terraform_azurerm.rs`), and a small AWS hub-and-spoke written as
//! `terraform show -json` prints a state and three plans against it
//! (`tests/fixtures/import/terraform/`, made by `make_fixtures.py` there; format:
//! <https://developer.hashicorp.com/terraform/internals/json-format>). Each truth row's verdict
//! follows the AWS documentation cited on it; `diff` of the state and a plan names the
//! Terraform resource that opens each flow; values a plan knows only after apply are reported,
//! never guessed; malformed input exits 2 naming the file and the JSON path.
//!
//! Over 800 lines on purpose: truth rows, each short and tied to the documentation it follows;
//! split by provider when the `azurerm` mapping grows.

use std::path::PathBuf;

use zonescope::engine::diff::diff;
use zonescope::engine::trace::{Query, Trace, WhatIf, trace};
use zonescope::import::{self, FindingKind, ImportOptions, terraform};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict};

use crate::cli::zs;
use crate::terraform_support::{finding, fixture_in, imported, reference, text, topo};

fn fixture(name: &str) -> PathBuf {
    fixture_in("import/terraform", name)
}

fn tcp(t: &Topology, from: &str, to: &str, port: u16) -> Trace {
    trace(
        t,
        &Query::new(from, to, Some(port), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap_or_else(|e| panic!("{from} -> {to} traces: {e}"))
}

// Instance ids of the fixture.
const BASTION: &str = "i-0b0000000000000001";
const APP: &str = "i-0a0000000000000001";
const WORKER: &str = "i-0c0000000000000001";
const DB: &str = "i-0d0000000000000001";

// ------------------------------------------------------------------ the real plans

#[test]
fn the_real_aws_plan_imports_joined_by_the_configuration_references() {
    let p = reference("aws-vpc-subnets-sg-plan.json");
    assert_eq!(import::detect(&p), import::InputKind::Terraform);
    let i = imported(&p);
    let r = &i.report;
    // planned_values: 1 aws_vpc, 4 aws_subnet, 1 aws_security_group, 1 aws_route_table.
    assert_eq!(
        (
            r.count("networks"),
            r.count("subnets"),
            r.count("rule sets")
        ),
        (1, 4, 1)
    );
    // The plan knows no ids: the subnets' `vpc_id` is in `after_unknown`, and only the
    // configuration's `references` (["aws_vpc.test-vpc"]) put them in the VPC.
    let net = &i.document.networks[0];
    assert_eq!(net.id, "aws_vpc.test-vpc");
    assert_eq!(net.subnets.len(), 4);
    // aws_route_table_association.test-pubA-rtb-assoc joins by reference, as does pubB.
    let pub_a = net
        .subnets
        .iter()
        .find(|s| s.id == "aws_subnet.test-subnet-pubA");
    assert_eq!(
        pub_a.and_then(|s| s.route_table.as_deref()),
        Some("aws_route_table.test-pub-rtb")
    );
    // The route's gateway_id is unknown and the 0.12 configuration has no expression for it:
    // reported with the address and attribute, and the route left out (not guessed).
    let f = finding(
        &i,
        FindingKind::Unsupported,
        &[
            "aws_route_table.test-pub-rtb",
            "route[0].gateway_id",
            "known only after apply",
        ],
    )
    .expect("the unknown route target is reported");
    assert!(
        f.json_path.ends_with("values.route[0].gateway_id"),
        "{}",
        f.json_path
    );
    // The NLB and its listeners are not network-isolation resources: each is named.
    for a in [
        "aws_lb.nlb-noncompliant",
        "aws_lb_listener.udp-listener-noncompliant",
    ] {
        assert!(
            finding(&i, FindingKind::Unsupported, &[a]).is_some(),
            "{a} reported"
        );
    }
    // The security group's inline rules: 443 and 80 from 0.0.0.0/0, all out.
    let t = topo(&p);
    let sg = t
        .rule_sets()
        .iter()
        .find(|r| r.id == "aws_security_group.sg-loadBalancer-noncompliant")
        .expect("the group is a rule set");
    assert_eq!(sg.rules.iter().filter(|r| !r.default_rule).count(), 3);
}

#[test]
fn every_azurerm_resource_of_the_real_plan_is_mapped_or_reported_not_dropped() {
    // The azurerm mapping itself is tested in import_terraform_azurerm.rs.
    let p = reference("azurerm-nsg-and-rule-plan.json");
    let i = imported(&p);
    for a in [
        "azurerm_network_security_group.fail",
        "azurerm_network_security_group.pass",
        "azurerm_network_security_rule.pass",
        "azurerm_resource_group.test",
    ] {
        let named = i
            .report
            .origins
            .values()
            .any(|o| o.resource.as_deref() == Some(a))
            || i.report.findings.iter().any(|f| f.message.contains(a));
        assert!(named, "{a} is imported or a finding");
    }
    let _ = topo(&p);
}

// ------------------------------------------------------------------ the hub-and-spoke state

#[test]
fn the_state_imports_the_root_and_the_child_module() {
    let i = imported(&fixture("state.json"));
    let r = &i.report;
    assert_eq!(
        (
            r.count("networks"),
            r.count("subnets"),
            r.count("instances")
        ),
        (3, 3, 4)
    );
    // The child module's rule keeps its address (SPEC §12: the source of each resource).
    let o = &r.origins["sg-0d000000000000004/in-tcp-5432"];
    assert_eq!(
        o.resource.as_deref(),
        Some("module.spoke_b.aws_vpc_security_group_ingress_rule.postgres")
    );
    assert!(
        o.json_path
            .starts_with("values.root_module.child_modules[0].resources[")
    );
    // The provider mirrors the standalone 8080 rule into the group's inline `ingress`: read
    // once, named by the standalone resource.
    let app = i
        .document
        .rule_sets
        .iter()
        .find(|s| s.id == "sg-0a000000000000002")
        .expect("app group");
    assert_eq!(
        app.rules
            .iter()
            .filter(|r| r.ports.as_deref() == Some("8080"))
            .count(),
        1
    );
    assert_eq!(
        r.origins["sg-0a000000000000002/in-tcp-8080"]
            .resource
            .as_deref(),
        Some("aws_security_group_rule.app_from_worker")
    );
}

/// (from, to, port, verdict): each row's verdict from the AWS documentation cited.
#[test]
fn the_state_truth_table() {
    let t = topo(&fixture("state.json"));
    let rows: &[(&str, &str, u16, Verdict)] = &[
        // Security groups allow only what a rule allows; the bastion's ingress is 22 from
        // 203.0.113.0/24: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html
        ("internet", BASTION, 22, Verdict::Deny),
        // Hub → spoke over the transit gateway: the attachments associate with and propagate to
        // the default route table (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html),
        // the subnets route 10.0.0.0/8 to it (https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html),
        // and the app group allows 443 from 10.0.0.0/16.
        (BASTION, APP, 443, Verdict::Allow),
        // No rule of the app group allows 22 (security-group-rules.html above).
        (BASTION, APP, 22, Verdict::Deny),
        // A rule whose source is a security group allows the interfaces that carry it
        // (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-referencing):
        // the worker carries it, the bastion does not.
        (WORKER, APP, 8080, Verdict::Allow),
        (BASTION, APP, 8080, Verdict::Deny),
        // The db group allows 5432 from 10.1.1.0/24; the db subnet's network ACL allows 5432 in
        // from 10.1.0.0/16 and everything out, so the return traffic passes
        // (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html).
        (APP, DB, 5432, Verdict::Allow),
        (WORKER, DB, 5432, Verdict::Allow),
        // 10.0.0.10 is outside 10.1.1.0/24 (and the ACL's 10.1.0.0/16).
        (BASTION, DB, 5432, Verdict::Deny),
        // The db subnet's route table has no default route: no route to the internet
        // (RouteTables.html: traffic matching no route is dropped).
        (DB, "internet", 443, Verdict::NoRoute),
        // The hub's public subnet routes 0.0.0.0/0 to the attached internet gateway
        // (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
        (BASTION, "internet", 443, Verdict::Allow),
    ];
    for (from, to, port, want) in rows {
        let tr = tcp(&t, from, to, *port);
        assert_eq!(tr.verdict, *want, "{from} -> {to}:{port}: {}", tr.reason);
    }
}

// ------------------------------------------------------------------ plans against the state

#[test]
fn a_plan_opening_22_to_the_world_is_reported_with_the_resource_address() {
    let (state, plan) = (fixture("state.json"), fixture("plan-ssh-world.json"));
    let (old, new) = (topo(&state), topo(&plan));
    // The new standalone rule allows 22 from 0.0.0.0/0 (security-group-rules.html).
    assert_eq!(tcp(&new, "internet", BASTION, 22).verdict, Verdict::Allow);
    let d = diff(&old, &new);
    assert!(d.behaviour_changed);
    assert!(d.flows.iter().any(|f| f.from == "internet"
        && f.to == BASTION
        && f.old.verdict == Verdict::Deny
        && f.new.verdict == Verdict::Allow));
    // The command: exit 1, the text names the resource.
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.lines().any(|l| l.contains("internet → i-0b0000000000000001 tcp/22 opened by aws_security_group_rule.bastion_ssh_world")),
        "{out}"
    );
    // SARIF: the opened flow sits on the resource address, in the plan file.
    let o = zs(&[
        "diff",
        state.to_str().unwrap(),
        plan.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    let opened = results
        .iter()
        .find(|r| {
            r["ruleId"] == "flow-opened"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("internet → i-0b0000000000000001 tcp/22"))
        })
        .expect("the opened flow is a result");
    let loc = &opened["locations"][0];
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "aws_security_group_rule.bastion_ssh_world"
    );
    assert!(
        loc["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("plan-ssh-world.json"))
    );
    // The line is the resource's in the file.
    let line = loc["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap_or(0) as usize;
    let file = std::fs::read_to_string(&plan).unwrap();
    assert!(
        file.lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("aws_security_group_rule.bastion_ssh_world"))
    );
}

#[test]
fn a_resource_created_by_the_plan_is_joined_by_reference() {
    // aws_instance.jump's subnet_id is unknown (after_unknown) and its configuration refers to
    // aws_subnet.hub_mgmt, which the plan creates too: both are named by their address.
    let i = imported(&fixture("plan-ssh-world.json"));
    let jump = i
        .document
        .endpoints
        .iter()
        .find(|e| e.id == "aws_instance.jump")
        .expect("the new instance is an endpoint");
    assert_eq!(jump.subnet.as_deref(), Some("aws_subnet.hub_mgmt"));
    assert_eq!(jump.ip.as_deref(), Some("10.0.2.10"));
    assert!(
        finding(
            &i,
            FindingKind::Assumed,
            &["no id until apply", "aws_instance.jump"]
        )
        .is_some()
    );
}

#[test]
fn an_unknown_cidr_is_reported_not_guessed() {
    let (state, plan) = (fixture("state.json"), fixture("plan-unknown-cidr.json"));
    let i = imported(&plan);
    let f = finding(
        &i,
        FindingKind::Unsupported,
        &[
            "aws_security_group_rule.app_from_partner",
            "`cidr_blocks`",
            "known only after apply",
        ],
    )
    .expect("the unknown CIDR is a finding");
    assert!(
        f.json_path.ends_with(".values.cidr_blocks"),
        "{}",
        f.json_path
    );
    // Nothing is guessed: no rule comes from the resource, and the app group holds what the
    // state holds.
    assert!(
        !i.report
            .origins
            .values()
            .any(|o| o.resource.as_deref() == Some("aws_security_group_rule.app_from_partner"))
    );
    let (old, new) = (topo(&state), topo(&plan));
    let rules = |t: &Topology| {
        t.rule_sets()
            .iter()
            .find(|r| r.id == "sg-0a000000000000002")
            .map(|r| r.rules.len())
    };
    assert_eq!(rules(&old), rules(&new));
    // Spoke A has no internet gateway: no route from the internet to the app, before and
    // after (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
    assert_eq!(tcp(&new, "internet", APP, 443).verdict, Verdict::NoRoute);
    let d = diff(&old, &new);
    assert!(!d.behaviour_changed);
    // The diff says what it could not judge.
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out.contains("known only after apply: not judged (1)"),
        "{out}"
    );
    assert!(
        out.contains("aws_security_group_rule.app_from_partner"),
        "{out}"
    );
    let o = zs(&[
        "diff",
        state.to_str().unwrap(),
        plan.to_str().unwrap(),
        "--format",
        "sarif",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF");
    assert!(
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "unknown-until-apply"
                && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "aws_security_group_rule.app_from_partner")
    );
}

#[test]
fn two_transit_gateways_planned_from_nothing_route_asymmetrically() {
    // ../shared/reference/terraform/aws-two-tgw-asymmetric-setup.tf as a plan: no id is known,
    // every join (subnet → VPC, route → transit gateway, attachment → table, association,
    // propagation, instance with `count`) is a reference of the configuration. Batfish's
    // published test of the applied setup (AwsConfigurationTransitGatewayAsymmetricPathsTest,
    // see SOURCE.txt there): bat → fish crosses tgw-bat, fish → bat crosses tgw-fish — each
    // VPC routes the other's CIDR to its own gateway, whose table is associated with its
    // attachment and holds the other VPC's propagated route
    // (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html).
    let t = topo(&fixture("plan-two-tgw.json"));
    let (bat, fish) = ("aws_instance.bat_web01-0", "aws_instance.fish_web01-0");
    let there = tcp(&t, bat, fish, 22);
    assert_eq!(there.verdict, Verdict::Allow, "{}", there.reason);
    assert!(
        there
            .path
            .iter()
            .any(|h| h == "aws_ec2_transit_gateway.tgw-bat"),
        "{:?}",
        there.path
    );
    assert!(
        !there
            .path
            .iter()
            .any(|h| h == "aws_ec2_transit_gateway.tgw-fish")
    );
    let back = tcp(&t, fish, bat, 22);
    assert_eq!(back.verdict, Verdict::Allow, "{}", back.reason);
    assert!(
        back.path
            .iter()
            .any(|h| h == "aws_ec2_transit_gateway.tgw-fish"),
        "{:?}",
        back.path
    );
    assert!(
        !back
            .path
            .iter()
            .any(|h| h == "aws_ec2_transit_gateway.tgw-bat")
    );
    // The planned set of routes is in another order than the configuration's blocks: each
    // target is found by its destination, none is left unknown.
    let i = imported(&fixture("plan-two-tgw.json"));
    assert!(finding(&i, FindingKind::Unsupported, &["known only after apply"]).is_none());
}

#[test]
fn a_deleted_standalone_rule_closes_its_flow_despite_the_inline_mirror() {
    // The plan deletes aws_security_group_rule.app_from_worker; the group's planned inline
    // `ingress` still mirrors it. Without the rule no rule of the app group allows 8080 from
    // the worker (security-group-rules.html).
    let (state, plan) = (fixture("state.json"), fixture("plan-delete-rule.json"));
    let new = topo(&plan);
    assert_eq!(tcp(&new, WORKER, APP, 8080).verdict, Verdict::Deny);
    let o = zs(&["diff", state.to_str().unwrap(), plan.to_str().unwrap()]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("closed by") && out.contains("aws_security_group_rule.app_from_worker"),
        "{out}"
    );
}

#[test]
fn a_design_file_and_a_plan_mix_in_one_diff() {
    // The state imported to YAML, then diffed against the plan: the same opened flow.
    let dir = std::env::temp_dir().join(format!("zs-tf-mix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("state.yaml");
    let o = zs(&[
        "import",
        "terraform",
        fixture("state.json").to_str().unwrap(),
        "-o",
        yaml.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let o = zs(&[
        "diff",
        yaml.to_str().unwrap(),
        fixture("plan-ssh-world.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["from"] == "internet" && f["to"] == BASTION)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ malformed input

#[test]
fn bad_json_exits_2_with_the_file_and_the_json_path() {
    let dir = std::env::temp_dir().join(format!("zs-tf-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A resource whose `address` is a number.
    let shape = dir.join("plan-bad-shape.json");
    std::fs::write(
        &shape,
        r#"{"format_version":"1.2","terraform_version":"1.9.8","planned_values":{"root_module":{"resources":[{"address":7,"mode":"managed","type":"aws_vpc","name":"x","values":{}}]}}}"#,
    )
    .unwrap();
    let o = zs(&["import", "terraform", shape.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("plan-bad-shape.json"), "{err}");
    assert!(
        err.contains("planned_values.root_module.resources[0].address"),
        "{err}"
    );
    // Not JSON at all: the line and column.
    let broken = dir.join("plan-broken.json");
    std::fs::write(
        &broken,
        "{\"format_version\": \"1.2\", \"planned_values\": {\n  \"root_module\": [\n",
    )
    .unwrap();
    let o = zs(&["import", "terraform", broken.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("plan-broken.json") && err.contains("not valid JSON (line"),
        "{err}"
    );
    // A state whose `values.root_module` is not a module object.
    let state = dir.join("state-bad.json");
    std::fs::write(
        &state,
        r#"{"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":[]}}"#,
    )
    .unwrap();
    let o = zs(&[
        "diff",
        state.to_str().unwrap(),
        fixture("state.json").to_str().unwrap(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("state-bad.json") && err.contains("values.root_module"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ references in modules

#[test]
fn references_follow_module_variables_count_keys_and_splats() {
    // A plan where nothing exists yet: the module's subnets get `vpc_id = var.vpc_id` (the
    // root passes aws_vpc.main.id), one association per subnet with
    // `subnet_id = aws_subnet.private[count.index].id`, and an ACL with
    // `subnet_ids = aws_subnet.private[*].id`.
    let p = "module.net";
    let pv = |addr: &str, t: &str, index: Option<i64>, values: serde_json::Value| {
        let mut r = serde_json::json!({"address": addr, "mode": "managed", "type": t,
            "name": addr.rsplit('.').next().unwrap(), "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0, "values": values, "sensitive_values": {}});
        if let Some(i) = index {
            r["index"] = i.into();
        }
        r
    };
    let change = |addr: &str, unknown: serde_json::Value| serde_json::json!({"address": addr, "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": unknown}});
    let refs = |r: &[&str]| serde_json::json!({"references": r});
    let plan = serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {
            "resources": [pv("aws_vpc.main", "aws_vpc", None, serde_json::json!({"cidr_block": "10.8.0.0/16"}))],
            "child_modules": [{"address": p, "resources": [
                pv("module.net.aws_subnet.private[0]", "aws_subnet", Some(0), serde_json::json!({"cidr_block": "10.8.1.0/24"})),
                pv("module.net.aws_subnet.private[1]", "aws_subnet", Some(1), serde_json::json!({"cidr_block": "10.8.2.0/24"})),
                pv("module.net.aws_route_table.private", "aws_route_table", None, serde_json::json!({"route": []})),
                pv("module.net.aws_route_table_association.private[0]", "aws_route_table_association", Some(0), serde_json::json!({})),
                pv("module.net.aws_route_table_association.private[1]", "aws_route_table_association", Some(1), serde_json::json!({})),
                pv("module.net.aws_network_acl.private", "aws_network_acl", None, serde_json::json!({
                    "ingress": [{"action": "deny", "cidr_block": "0.0.0.0/0", "from_port": 22, "to_port": 22, "protocol": "tcp", "rule_no": 100, "icmp_code": null, "icmp_type": null, "ipv6_cidr_block": ""}],
                    "egress": []}))
            ]}]
        }},
        "resource_changes": [
            change("aws_vpc.main", serde_json::json!({"id": true})),
            change("module.net.aws_subnet.private[0]", serde_json::json!({"id": true, "vpc_id": true})),
            change("module.net.aws_subnet.private[1]", serde_json::json!({"id": true, "vpc_id": true})),
            change("module.net.aws_route_table.private", serde_json::json!({"id": true, "vpc_id": true})),
            change("module.net.aws_route_table_association.private[0]", serde_json::json!({"id": true, "subnet_id": true, "route_table_id": true})),
            change("module.net.aws_route_table_association.private[1]", serde_json::json!({"id": true, "subnet_id": true, "route_table_id": true})),
            change("module.net.aws_network_acl.private", serde_json::json!({"id": true, "vpc_id": true, "subnet_ids": true}))
        ],
        "configuration": {"root_module": {
            "resources": [{"address": "aws_vpc.main", "type": "aws_vpc", "expressions": {}}],
            "module_calls": {"net": {"expressions": {"vpc_id": refs(&["aws_vpc.main.id", "aws_vpc.main"])}, "module": {
                "resources": [
                    {"address": "aws_subnet.private", "type": "aws_subnet", "expressions": {"vpc_id": refs(&["var.vpc_id"])}},
                    {"address": "aws_route_table.private", "type": "aws_route_table", "expressions": {"vpc_id": refs(&["var.vpc_id"])}},
                    {"address": "aws_route_table_association.private", "type": "aws_route_table_association", "expressions": {
                        "subnet_id": refs(&["aws_subnet.private", "count.index"]),
                        "route_table_id": refs(&["aws_route_table.private.id", "aws_route_table.private"])}},
                    {"address": "aws_network_acl.private", "type": "aws_network_acl", "expressions": {
                        "vpc_id": refs(&["var.vpc_id"]), "subnet_ids": refs(&["aws_subnet.private"])}}
                ]}}}
        }}
    });
    let i = terraform::import_value("modules-plan.json", &plan, ImportOptions::default())
        .expect("the plan imports");
    let net = &i.document.networks[0];
    assert_eq!(net.id, "aws_vpc.main");
    let ids: Vec<&str> = net.subnets.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "module.net.aws_subnet.private-0",
            "module.net.aws_subnet.private-1"
        ]
    );
    for s in &net.subnets {
        assert_eq!(
            s.route_table.as_deref(),
            Some("module.net.aws_route_table.private"),
            "{}",
            s.id
        );
        assert_eq!(s.rules, ["module.net.aws_network_acl.private"], "{}", s.id);
    }
    assert!(finding(&i, FindingKind::Unsupported, &["known only after apply"]).is_none());
    // And it loads: a network ACL's deny of 22 from anywhere on both subnets.
    let t = i.load("modules-plan.json").expect("loads");
    assert_eq!(t.rule_sets().len(), 1);
}

#[test]
fn a_wrong_value_anywhere_in_the_state_is_an_error_or_a_design_never_a_panic() {
    let text = std::fs::read_to_string(fixture("state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut paths = Vec::new();
    let count = |m: &serde_json::Value| m["resources"].as_array().map_or(0, Vec::len);
    let root = &state["values"]["root_module"];
    for i in 0..count(root) {
        paths.push(vec!["resources".to_string(), i.to_string()]);
    }
    for i in 0..count(&root["child_modules"][0]) {
        paths.push(vec![
            "child_modules".into(),
            "0".into(),
            "resources".into(),
            i.to_string(),
        ]);
    }
    let mut tried = 0;
    for p in paths {
        let at = |v: &mut serde_json::Value| -> serde_json::Value {
            let mut x = &mut v["values"]["root_module"];
            for k in &p {
                x = match k.parse::<usize>() {
                    Ok(i) => &mut x[i],
                    Err(_) => &mut x[k.as_str()],
                };
            }
            x["values"].clone()
        };
        let mut probe = state.clone();
        let values = at(&mut probe);
        let keys: Vec<String> = values
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        for key in keys {
            for wrong in [
                serde_json::json!(7),
                serde_json::json!({"x": [1]}),
                serde_json::json!([null, true]),
            ] {
                let mut v = state.clone();
                let mut x = &mut v["values"]["root_module"];
                for k in &p {
                    x = match k.parse::<usize>() {
                        Ok(i) => &mut x[i],
                        Err(_) => &mut x[k.as_str()],
                    };
                }
                x["values"][key.as_str()] = wrong;
                tried += 1;
                if let Ok(i) = terraform::import_value("state.json", &v, ImportOptions::default()) {
                    // What imports also loads, or fails as a load error: never a panic.
                    let _ = i.load("state.json");
                }
            }
        }
    }
    assert!(tried > 400, "{tried} mutations");
}

#[test]
fn a_nat_gateway_and_a_peering_route_as_aws_documents() {
    let p = fixture("state-nat-peering.json");
    let t = topo(&p);
    let (a, b) = ("i-0e0000000000000001", "i-0f0000000000000001");
    let rows: &[(&str, &str, u16, Verdict)] = &[
        // The private subnet's default route is the NAT gateway in the public subnet, whose
        // route is the internet gateway: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
        (a, "internet", 443, Verdict::Allow),
        // A NAT gateway does not admit connections from the internet, and the instance has no
        // public address (same page; VPC_Internet_Gateway.html).
        ("internet", a, 443, Verdict::NoRoute),
        // Each side routes the other's CIDR to the active peering
        // (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html) and b's
        // group allows 443 from 10.10.0.0/16 (vpc-security-group-rules.html).
        (a, b, 443, Verdict::Allow),
        (a, b, 22, Verdict::Deny),
        // a's group has no inbound rule.
        (b, a, 443, Verdict::Deny),
    ];
    for (from, to, port, want) in rows {
        let tr = tcp(&t, from, to, *port);
        assert_eq!(tr.verdict, *want, "{from} -> {to}:{port}: {}", tr.reason);
    }
    let allowed = tcp(&t, a, "internet", 443);
    assert!(
        allowed.path.iter().any(|h| h == "nat-0e00000000000001"),
        "{:?}",
        allowed.path
    );
    // b's route back is a standalone aws_route that the provider mirrors into the table's
    // inline list: one route, not two.
    let i = imported(&p);
    let rt = i
        .document
        .route_tables
        .iter()
        .find(|r| r.id == "rtb-0f00000000000001")
        .expect("b's table");
    assert_eq!(
        rt.routes
            .iter()
            .filter(|r| r.prefix == "10.10.0.0/16")
            .count(),
        1
    );
}

#[test]
fn an_inline_rule_naming_a_group_the_plan_creates_joins_by_reference() {
    // Both groups are new (no ids); the app group's inline 8080 rule has
    // `security_groups = [aws_security_group.lb.id]`, unknown in the plan. The planned set of
    // blocks is in another order than the configuration's: the block is matched by its ports.
    let sgr = |from: i64, cidrs: serde_json::Value| {
        serde_json::json!({"from_port": from, "to_port": from, "protocol": "tcp", "cidr_blocks": cidrs,
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "self": false, "description": ""})
    };
    let all_out = serde_json::json!([{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false, "description": ""}]);
    let mut app_8080 = sgr(8080, serde_json::json!([]));
    app_8080.as_object_mut().unwrap().remove("security_groups");
    let res = |addr: &str, t: &str, values: serde_json::Value| {
        serde_json::json!({"address": addr, "mode": "managed", "type": t, "name": addr.rsplit('.').next().unwrap(),
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values})
    };
    let mut ingress_443 = sgr(443, serde_json::json!(["10.0.0.0/8"]));
    ingress_443["security_groups"] = serde_json::json!([]);
    let plan = serde_json::json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [
            res("aws_vpc.main", "aws_vpc", serde_json::json!({"id": "vpc-0123", "cidr_block": "10.8.0.0/16"})),
            res("aws_subnet.app", "aws_subnet", serde_json::json!({"id": "subnet-0123", "vpc_id": "vpc-0123", "cidr_block": "10.8.1.0/24"})),
            res("aws_security_group.lb", "aws_security_group", serde_json::json!({"vpc_id": "vpc-0123", "name": "lb", "ingress": [], "egress": all_out})),
            res("aws_security_group.app", "aws_security_group", serde_json::json!({"vpc_id": "vpc-0123", "name": "app",
                "ingress": [app_8080, ingress_443], "egress": all_out})),
            res("aws_instance.lb", "aws_instance", serde_json::json!({"subnet_id": "subnet-0123", "private_ip": "10.8.1.10"})),
            res("aws_instance.app", "aws_instance", serde_json::json!({"subnet_id": "subnet-0123", "private_ip": "10.8.1.20"}))
        ]}},
        "resource_changes": [
            {"address": "aws_security_group.lb", "change": {"actions": ["create"], "after_unknown": {"id": true}}},
            {"address": "aws_security_group.app", "change": {"actions": ["create"], "after_unknown": {"id": true, "ingress": [{"security_groups": true}, {}]}}},
            {"address": "aws_instance.lb", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_security_group_ids": true}}},
            {"address": "aws_instance.app", "change": {"actions": ["create"], "after_unknown": {"id": true, "vpc_security_group_ids": true}}}
        ],
        "configuration": {"root_module": {"resources": [
            {"address": "aws_security_group.lb", "expressions": {}},
            {"address": "aws_security_group.app", "expressions": {"ingress": [
                {"from_port": {"constant_value": 443}, "to_port": {"constant_value": 443}, "protocol": {"constant_value": "tcp"}, "cidr_blocks": {"constant_value": ["10.0.0.0/8"]}},
                {"from_port": {"constant_value": 8080}, "to_port": {"constant_value": 8080}, "protocol": {"constant_value": "tcp"},
                 "security_groups": {"references": ["aws_security_group.lb.id", "aws_security_group.lb"]}}
            ]}},
            {"address": "aws_instance.lb", "expressions": {"vpc_security_group_ids": {"references": ["aws_security_group.lb.id", "aws_security_group.lb"]}}},
            {"address": "aws_instance.app", "expressions": {"vpc_security_group_ids": {"references": ["aws_security_group.app.id", "aws_security_group.app"]}}}
        ]}}
    });
    let i = terraform::import_value("sg-ref-plan.json", &plan, ImportOptions::default())
        .expect("the plan imports");
    assert!(
        finding(&i, FindingKind::Unsupported, &["known only after apply"]).is_none(),
        "{:?}",
        i.report.findings
    );
    let t = i.load("sg-ref-plan.json").expect("loads");
    // A group as a rule's source allows the instances that carry it
    // (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html#security-group-referencing);
    // 8080 is allowed from lb's members only; 443 from anything in 10.0.0.0/8 (10.8.1.10 is).
    // The lb group has no ingress: app → lb is denied.
    assert_eq!(
        tcp(&t, "aws_instance.lb", "aws_instance.app", 8080).verdict,
        Verdict::Allow
    );
    assert_eq!(
        tcp(&t, "aws_instance.app", "aws_instance.lb", 8080).verdict,
        Verdict::Deny
    );
    assert_eq!(
        tcp(&t, "aws_instance.lb", "aws_instance.app", 443).verdict,
        Verdict::Allow
    );
}
