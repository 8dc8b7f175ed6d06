//! Route tables (`aws_route_table`, `aws_default_route_table`, standalone `aws_route`,
//! `aws_route_table_association`, `aws_main_route_table_association`) and transit gateways
//! (`aws_ec2_transit_gateway*`) → `RouteTables` and the `TransitGateway*` describe-* shapes.
//!
//! Owns: the route targets' attribute names, the `local` route the provider never lists (AWS:
//! "every route table contains a local route for communication within the VPC",
//! <https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#route-table-routes>),
//! the main route table AWS creates with every VPC when the configuration does not manage it
//! (local routes only), and a transit gateway's default route table
//! (<https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html>: attachments are
//! associated with it and propagate to it when the gateway's defaults are `enable`, AWS's
//! default). Must never: decide where a route goes (`import::aws::routes` does).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::aws::Translate;

/// Route attribute → describe-* field (destinations first, then targets).
const ROUTE_FIELDS: &[(&str, &str)] = &[
    ("cidr_block", "DestinationCidrBlock"),
    ("destination_cidr_block", "DestinationCidrBlock"),
    ("ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_ipv6_cidr_block", "DestinationIpv6CidrBlock"),
    ("destination_prefix_list_id", "DestinationPrefixListId"),
    ("gateway_id", "GatewayId"),
    ("nat_gateway_id", "NatGatewayId"),
    ("network_interface_id", "NetworkInterfaceId"),
    ("instance_id", "InstanceId"),
    ("transit_gateway_id", "TransitGatewayId"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("vpc_endpoint_id", "VpcEndpointId"),
    ("local_gateway_id", "LocalGatewayId"),
    ("carrier_gateway_id", "CarrierGatewayId"),
    ("core_network_arn", "CoreNetworkArn"),
];

const TARGETS: usize = 5;

/// `["route", "0"]` + `gateway_id` → `route[0].gateway_id`.
fn rel_path(path: &[&str], attr: &str) -> String {
    let mut s = String::new();
    for p in path {
        if p.parse::<usize>().is_ok() {
            s.push_str(&format!("[{p}]"));
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(p);
        }
    }
    if s.is_empty() {
        attr.to_string()
    } else {
        format!("{s}.{attr}")
    }
}

fn dest(route: &Value) -> String {
    [
        "DestinationCidrBlock",
        "DestinationIpv6CidrBlock",
        "DestinationPrefixListId",
    ]
    .iter()
    .find_map(|k| route.get(*k).and_then(Value::as_str))
    .unwrap_or("")
    .to_string()
}

impl Translate<'_> {
    /// One route from a block or an `aws_route`: known values, else the references of the
    /// configuration (`path` is the attribute path prefix in it), with a finding for what
    /// stays unknown.
    fn route(&mut self, k: usize, b: &Value, u: &Value, path: &[&str]) -> Option<Value> {
        // A planned set of route blocks is in its own order: the configuration's block is the
        // one with the same destination.
        let matched: Option<String> = match path {
            [attr, _] => {
                let (scope, local) = self.scope_local(k);
                [
                    "cidr_block",
                    "ipv6_cidr_block",
                    "destination_prefix_list_id",
                ]
                .iter()
                .find_map(|key| {
                    let v = b
                        .get(*key)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())?;
                    self.input.config.block_index(&scope, &local, attr, key, v)
                })
                .map(|i| i.to_string())
            }
            _ => None,
        };
        let cpath: Vec<&str> = match (&matched, path) {
            (Some(i), [attr, _]) => vec![attr, i.as_str()],
            _ => path.to_vec(),
        };
        let mut out = serde_json::Map::new();
        let mut target_unknown: Vec<&str> = Vec::new();
        for (i, (attr, field)) in ROUTE_FIELDS.iter().enumerate() {
            let v = b
                .get(*attr)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let unknown = u.get(*attr).is_some_and(super::any_true);
            let v = match v {
                Some(v) => Some(v.to_string()),
                None if unknown && i >= TARGETS => {
                    let mut p: Vec<&str> = cpath.clone();
                    p.push(attr);
                    let got = self.follow_path(k, &p);
                    if got.is_none() {
                        target_unknown.push(attr);
                    }
                    got
                }
                None if unknown => {
                    let rel = rel_path(path, attr);
                    self.unknown(
                        k,
                        &rel,
                        "the route's destination is not known: the route is left out",
                    );
                    return None;
                }
                None => None,
            };
            if let Some(v) = v {
                out.entry(*field).or_insert(Value::String(v));
            }
        }
        if let Some(attr) = target_unknown.first()
            && !out
                .keys()
                .any(|f| ROUTE_FIELDS[TARGETS..].iter().any(|(_, x)| x == f))
        {
            let rel = rel_path(path, attr);
            self.unknown(k, &rel, "the route's target is not known (its configuration names no resource of this file): the route is left out");
            return None;
        }
        if out.get("GatewayId").and_then(Value::as_str) == Some("local") {
            out.insert("GatewayId".into(), "local".into());
        }
        Some(Value::Object(out))
    }

    pub(super) fn routes(&mut self) {
        let cidrs = self.vpc_cidrs();
        let local = |vpc: &str| -> Vec<Value> {
            cidrs
                .get(vpc)
                .into_iter()
                .flatten()
                .map(|c| {
                    if c.contains(':') {
                        json!({"DestinationIpv6CidrBlock": c, "GatewayId": "local", "State": "active"})
                    } else {
                        json!({"DestinationCidrBlock": c, "GatewayId": "local", "State": "active"})
                    }
                })
                .collect()
        };
        // A plan's deleted or replaced `aws_route`s: out of the inline mirror.
        let mut gone: HashSet<(String, String)> = HashSet::new();
        for r in self.input.deleted.iter().filter(|r| r.rtype == "aws_route") {
            if let Some(t) = r.s("route_table_id") {
                let d = [
                    "destination_cidr_block",
                    "destination_ipv6_cidr_block",
                    "destination_prefix_list_id",
                ]
                .iter()
                .find_map(|k| r.s(k))
                .unwrap_or("");
                gone.insert((t.to_string(), d.to_string()));
            }
        }
        let mut extra: HashMap<String, Vec<(Value, String, String)>> = HashMap::new();
        for k in self.of("aws_route") {
            let Some(t) = self.join(k, "route_table_id") else {
                continue;
            };
            let r = self.res(k);
            let (values, unknown) = (r.values.clone(), r.unknown.clone());
            if let Some(route) = self.route(k, &values, &unknown, &[]) {
                let r = self.res(k);
                extra.entry(t).or_default().push((
                    route,
                    format!("{}.values", r.path),
                    r.address.clone(),
                ));
            }
        }
        let mut assoc: HashMap<String, Vec<Value>> = HashMap::new();
        for k in self.of("aws_route_table_association") {
            let Some(t) = self.join(k, "route_table_id") else {
                continue;
            };
            if let Some(s) = self.join(k, "subnet_id") {
                assoc.entry(t).or_default().push(json!({"SubnetId": s}));
            } else if let Some(g) = self.join(k, "gateway_id") {
                assoc.entry(t).or_default().push(json!({"GatewayId": g}));
            }
        }
        let mut main_of: HashMap<String, String> = HashMap::new(); // vpc → table
        for k in self.of("aws_main_route_table_association") {
            if let (Some(v), Some(t)) = (self.join(k, "vpc_id"), self.join(k, "route_table_id")) {
                main_of.insert(v, t);
            }
        }
        let tables: Vec<(usize, bool)> = self
            .of("aws_route_table")
            .into_iter()
            .map(|k| (k, false))
            .chain(
                self.of("aws_default_route_table")
                    .into_iter()
                    .map(|k| (k, true)),
            )
            .collect();
        let mut has_main: HashSet<String> = main_of.keys().cloned().collect();
        for (k, default) in tables {
            let id = if default {
                self.join(k, "default_route_table_id")
                    .unwrap_or_else(|| self.ids[k].clone())
            } else {
                self.ids[k].clone()
            };
            let vpc = self.join(k, "vpc_id").or_else(|| {
                // The default table's VPC: the VPC whose main table it is.
                default.then(|| self.vpc_of_main(&id)).flatten()
            });
            let Some(vpc) = vpc else {
                let r = self.res(k);
                self.report.unsupported(
                    &self.input.file,
                    r.path.clone(),
                    format!(
                        "{}: its VPC is not known: the route table is left out",
                        r.address
                    ),
                );
                continue;
            };
            let mut routes: Vec<(Value, String, String)> = Vec::new();
            let r = self.res(k);
            let (path0, addr) = (r.path.clone(), r.address.clone());
            for (i, (b, u)) in r.blocks("route").into_iter().enumerate() {
                let si = i.to_string();
                let Some(route) = self.route(k, &b, &u, &["route", &si]) else {
                    continue;
                };
                if gone.contains(&(id.clone(), dest(&route))) {
                    continue;
                }
                routes.push((route, format!("{path0}.values.route[{i}]"), addr.clone()));
            }
            for (route, p, a) in extra.remove(&id).unwrap_or_default() {
                let d = dest(&route);
                routes.retain(|x| dest(&x.0) != d);
                routes.push((route, p, a));
            }
            let mut all: Vec<Value> = local(&vpc);
            all.retain(|l| !routes.iter().any(|x| dest(&x.0) == dest(l)));
            let n_local = all.len();
            all.extend(routes.iter().map(|x| x.0.clone()));
            let mut associations = assoc.remove(&id).unwrap_or_default();
            if default || main_of.get(&vpc) == Some(&id) {
                associations.push(json!({"Main": true}));
                has_main.insert(vpc.clone());
            }
            let v = json!({
                "RouteTableId": id,
                "VpcId": vpc,
                "Routes": all,
                "Associations": associations,
                "Tags": self.res(k).tags(),
            });
            let base = self.push("RouteTables", k, v);
            for (i, (_, p, a)) in routes.into_iter().enumerate() {
                self.place(&format!("{base}.Routes[{}]", n_local + i), &p, &a);
            }
        }
        // The main route table AWS creates with each VPC, when nothing here manages it.
        for k in self
            .of("aws_vpc")
            .into_iter()
            .chain(self.of("data.aws_vpc"))
        {
            let vpc = self.ids[k].clone();
            if has_main.contains(&vpc) {
                continue;
            }
            let id = self
                .res(k)
                .s("main_route_table_id")
                .map_or_else(|| format!("{vpc}-main"), str::to_string);
            let r = self.res(k);
            self.report.assumed(
                &self.input.file,
                format!("{}.values.main_route_table_id", r.path),
                format!(
                    "{}: the VPC's main route table is not managed here: modelled as AWS creates it, with the local route only (subnets without an association use it)",
                    r.address
                ),
            );
            let v = json!({
                "RouteTableId": id,
                "VpcId": vpc,
                "Routes": local(&vpc),
                "Associations": [{"Main": true}],
            });
            self.push("RouteTables", k, v);
        }
        for (t, rest) in extra {
            for (_, p, a) in rest {
                self.report.unsupported(
                    &self.input.file,
                    p,
                    format!("{a}: its route table {t} is not in this file: the route is left out"),
                );
            }
        }
    }

    fn vpc_of_main(&self, table: &str) -> Option<String> {
        self.of("aws_vpc")
            .into_iter()
            .find(|k| self.res(*k).s("main_route_table_id") == Some(table))
            .map(|k| self.ids[k].clone())
    }

    pub(super) fn transit_gateways(&mut self) {
        // Gateway → (default association table, default propagation table).
        let mut defaults: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        for k in self.of("aws_ec2_transit_gateway") {
            let id = self.ids[k].clone();
            let r = self.res(k);
            let on = |key: &str| r.s(key).is_none_or(|v| v == "enable");
            let table = r
                .s("association_default_route_table_id")
                .map_or_else(|| format!("{id}-default"), str::to_string);
            let prop = r
                .s("propagation_default_route_table_id")
                .map_or_else(|| table.clone(), str::to_string);
            let assoc_on = on("default_route_table_association");
            let prop_on = on("default_route_table_propagation");
            defaults.insert(
                id.clone(),
                (
                    assoc_on.then(|| table.clone()),
                    prop_on.then(|| prop.clone()),
                ),
            );
            let v = json!({"TransitGatewayId": id, "State": "available", "Tags": r.tags()});
            self.push("TransitGateways", k, v);
            let mut made = HashSet::new();
            for t in [assoc_on.then_some(&table), prop_on.then_some(&prop)]
                .into_iter()
                .flatten()
            {
                if made.insert(t.clone()) {
                    let v = json!({"TransitGatewayRouteTableId": t, "TransitGatewayId": id});
                    self.push("TransitGatewayRouteTables", k, v);
                }
            }
        }
        let mut explicit: HashMap<String, String> = HashMap::new(); // attachment → table
        for k in self.of("aws_ec2_transit_gateway_route_table_association") {
            if let (Some(a), Some(t)) = (
                self.join(k, "transit_gateway_attachment_id"),
                self.join(k, "transit_gateway_route_table_id"),
            ) {
                explicit.insert(a, t);
            }
        }
        for k in self.of("aws_ec2_transit_gateway_route_table") {
            let Some(tgw) = self.join(k, "transit_gateway_id") else {
                continue;
            };
            let v = json!({"TransitGatewayRouteTableId": self.ids[k], "TransitGatewayId": tgw});
            self.push("TransitGatewayRouteTables", k, v);
        }
        let mut att_vpc: HashMap<String, String> = HashMap::new();
        for k in self.of("aws_ec2_transit_gateway_vpc_attachment") {
            let id = self.ids[k].clone();
            let (Some(tgw), Some(vpc)) =
                (self.join(k, "transit_gateway_id"), self.join(k, "vpc_id"))
            else {
                continue;
            };
            att_vpc.insert(id.clone(), vpc.clone());
            let r = self.res(k);
            let (dassoc, dprop) = defaults.get(&tgw).cloned().unwrap_or((None, None));
            let table = explicit.get(&id).cloned().or_else(|| {
                (r.bool("transit_gateway_default_route_table_association") != Some(false))
                    .then_some(dassoc)
                    .flatten()
            });
            let v = json!({
                "TransitGatewayAttachmentId": id,
                "TransitGatewayId": tgw,
                "ResourceType": "vpc",
                "ResourceId": vpc,
                "State": "available",
                "Association": table.map(|t| json!({"TransitGatewayRouteTableId": t, "State": "associated"})),
            });
            self.push("TransitGatewayAttachments", k, v);
            if r.bool("transit_gateway_default_route_table_propagation") != Some(false)
                && let Some(p) = dprop
            {
                let v = json!({"TransitGatewayRouteTableId": p, "TransitGatewayAttachmentId": id, "ResourceId": vpc, "State": "enabled"});
                self.push("TransitGatewayPropagations", k, v);
            }
        }
        for k in self.of("aws_ec2_transit_gateway_route_table_propagation") {
            if let (Some(a), Some(t)) = (
                self.join(k, "transit_gateway_attachment_id"),
                self.join(k, "transit_gateway_route_table_id"),
            ) {
                let vpc = att_vpc.get(&a).cloned();
                let v = json!({"TransitGatewayRouteTableId": t, "TransitGatewayAttachmentId": a, "ResourceId": vpc, "State": "enabled"});
                self.push("TransitGatewayPropagations", k, v);
            }
        }
        for k in self.of("aws_ec2_transit_gateway_route") {
            let Some(t) = self.join(k, "transit_gateway_route_table_id") else {
                continue;
            };
            let r = self.res(k);
            let Some(prefix) = r.s("destination_cidr_block").map(str::to_string) else {
                if r.unknown("destination_cidr_block") {
                    self.unknown(k, "destination_cidr_block", "the route is left out");
                }
                continue;
            };
            let blackhole = r.bool("blackhole") == Some(true);
            let att = if blackhole {
                None
            } else {
                self.join(k, "transit_gateway_attachment_id")
            };
            let vpc = att.as_ref().and_then(|a| att_vpc.get(a).cloned());
            let v = json!({
                "TransitGatewayRouteTableId": t,
                "DestinationCidrBlock": prefix,
                "State": if blackhole { "blackhole" } else { "active" },
                "Type": "static",
                "TransitGatewayAttachments": att.map(|a| vec![json!({"TransitGatewayAttachmentId": a, "ResourceId": vpc})]).unwrap_or_default(),
            });
            self.push("TransitGatewayStaticRoutes", k, v);
        }
    }
}
