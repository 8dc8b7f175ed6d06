//! Configuration findings that need no reachability analysis: `public-access-enabled`,
//! `streaming-timeout`, `single-region`, `broad-source` and `unknown-service-tag`.
//!
//! Owns: reading settings and rules of the model and naming what is wrong with them. Must
//! never: trace more than the one flow that illustrates a finding, or print.

use std::collections::BTreeSet;

use super::{Finding, Location, Role, Severity, role_of};
use crate::engine::trace::{Query, WhatIf, trace};
use crate::model::rules::{Action, Direction, RuleSetKind, Selector};
use crate::model::{EpIx, Kind, Topology, ZoneIx};

/// The idle timeout a streamed completion needs (seed 002: at least 300 s).
pub const STREAMING_IDLE_S: u64 = 300;

/// `public-access-enabled`: a PaaS service with a private endpoint that is still public.
pub fn public_access_enabled(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, ep) in t.endpoints().iter().enumerate() {
        let e = EpIx(i as u32);
        let pes = t.private_endpoints_of(e);
        if !ep.is_paas() || !ep.public_access || pes.is_empty() {
            continue;
        }
        let port = ep
            .ports
            .as_ref()
            .and_then(crate::model::ports::PortSet::first);
        let q = Query::new("internet", &ep.id, port, crate::model::rules::Protocol::Tcp);
        let evidence = trace(t, &q, &WhatIf::default()).ok();
        let names: Vec<&str> = pes.iter().map(|p| t.endpoint(*p).id.as_str()).collect();
        out.push(Finding {
            id: "public-access-enabled".into(),
            severity: Severity::Error,
            message: format!(
                "{} {} has private endpoint{} {} but its public access is enabled: it is still reachable from the internet{}",
                ep.kind,
                ep.id,
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
                evidence
                    .as_ref()
                    .map(|tr| format!(" (internet -> {}: {})", ep.id, tr.verdict))
                    .unwrap_or_default()
            ),
            subject: ep.id.clone(),
            location: Location::of(t, ep.at),
            fix: Some(format!(
                "set `public_access: disabled` on {} (Azure: publicNetworkAccess Disabled; AWS: an endpoint policy / aws:SourceVpce condition)",
                ep.id
            )),
            evidence,
        });
    }
    out
}

/// `streaming-timeout`: an idle timeout below 300 s on a gateway, load balancer or NAT.
pub fn streaming_timeout(t: &Topology) -> Vec<Finding> {
    t.endpoints()
        .iter()
        .filter_map(|ep| {
            let s = ep.idle_timeout_s?;
            (s < STREAMING_IDLE_S).then(|| Finding {
                id: "streaming-timeout".into(),
                severity: Severity::Warning,
                message: format!(
                    "{} {} closes idle connections after {s} s: streamed model responses (server-sent events) that pause longer are cut",
                    ep.kind, ep.id
                ),
                subject: ep.id.clone(),
                location: Location::of(t, ep.at),
                fix: Some(format!(
                    "set `idle_timeout_s: {STREAMING_IDLE_S}` or more on {} (and on the real gateway / load balancer / NAT)",
                    ep.id
                )),
                evidence: None,
            })
        })
        .collect()
}

fn region_of(t: &Topology, e: EpIx) -> Option<String> {
    let ep = t.endpoint(e);
    match ep.target {
        Some(svc) if ep.kind == Kind::PrivateEndpoint => t.endpoint(svc).region.clone(),
        _ => ep.region.clone(),
    }
}

fn is_model(t: &Topology, e: EpIx) -> bool {
    let ep = t.endpoint(e);
    let svc = match ep.target {
        Some(s) if ep.kind == Kind::PrivateEndpoint => t.endpoint(s),
        _ => ep,
    };
    svc.kind == Kind::AiService
}

/// `single-region`: model endpoints in one region only (for the file, and for each gateway
/// whose model backends all sit in one region).
pub fn single_region(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    let models: Vec<EpIx> = (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| t.endpoint(*e).kind == Kind::AiService)
        .collect();
    let regions: BTreeSet<String> = models.iter().filter_map(|e| region_of(t, *e)).collect();
    for (i, gw) in t.endpoints().iter().enumerate() {
        let backends: Vec<EpIx> = gw
            .backends
            .iter()
            .map(|b| b.endpoint)
            .filter(|b| is_model(t, *b))
            .collect();
        if backends.is_empty() {
            continue;
        }
        let r: BTreeSet<String> = backends.iter().filter_map(|b| region_of(t, *b)).collect();
        if r.len() == 1 {
            let region = r.iter().next().cloned().unwrap_or_default();
            out.push(Finding {
                id: "single-region".into(),
                severity: Severity::Warning,
                message: format!(
                    "gateway {} sends model calls to {} backend{} in {region} only: a regional outage or quota exhaustion (429) stops every call",
                    gw.id,
                    backends.len(),
                    if backends.len() == 1 { "" } else { "s" }
                ),
                subject: gw.id.clone(),
                location: Location::of(t, gw.at),
                fix: Some(format!(
                    "add a model deployment in a second region and list its private endpoint in the backends of {} (lower priority)",
                    gw.id
                )),
                evidence: None,
            });
        }
        let _ = i;
    }
    if out.is_empty() && regions.len() == 1 && !models.is_empty() {
        let first = t.endpoint(models[0]);
        out.push(Finding {
            id: "single-region".into(),
            severity: Severity::Warning,
            message: format!(
                "every model endpoint ({}) is in {}: no failover region",
                models
                    .iter()
                    .map(|m| t.endpoint(*m).id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                regions.iter().next().cloned().unwrap_or_default()
            ),
            subject: first.id.clone(),
            location: Location::of(t, first.at),
            fix: Some("deploy the model in a second region and put both behind the gateway's backend pool".to_string()),
            evidence: None,
        });
    }
    out
}

/// Why a source selector is broad, if it is: `*`, `Internet`, `VirtualNetwork`, or a CIDR that
/// spans more than one subnet (or a /15 or wider).
fn broad(t: &Topology, s: &Selector, text: &str) -> Option<(String, bool)> {
    match s {
        Selector::Any => Some(("`*` (any source)".into(), true)),
        Selector::Internet => Some(("`Internet`".into(), true)),
        Selector::VirtualNetwork => Some((
            "`VirtualNetwork` (the whole network and its peers)".into(),
            false,
        )),
        Selector::Cidr(c) => {
            if c.prefix_len() == 0 {
                return Some((format!("{text} (every address)"), true));
            }
            let n = t
                .subnets()
                .iter()
                .filter(|sub| sub.cidrs.iter().any(|x| c.contains(x) || x.contains(c)))
                .count();
            let wide = match c {
                ipnet::IpNet::V4(_) => c.prefix_len() < 16,
                ipnet::IpNet::V6(_) => c.prefix_len() < 48,
            };
            (n >= 2 || wide).then(|| {
                (
                    format!("{text} (spans {n} subnet{})", if n == 1 { "" } else { "s" }),
                    false,
                )
            })
        }
        _ => None,
    }
}

/// For each rule set, the zones of the places (subnets, endpoints) it is attached to.
fn attached_zones(t: &Topology) -> Vec<BTreeSet<ZoneIx>> {
    let mut z = vec![BTreeSet::new(); t.rule_sets().len()];
    for s in t.subnets() {
        if let Some(zone) = s.zone {
            for r in &s.rule_sets {
                z[r.index()].insert(zone);
            }
        }
    }
    for e in t.endpoints() {
        if let Some(zone) = e.zone {
            for r in &e.rule_sets {
                z[r.index()].insert(zone);
            }
        }
    }
    z
}

/// The zones a destination selector names.
fn dest_zones(t: &Topology, s: &Selector) -> BTreeSet<ZoneIx> {
    let mut z = BTreeSet::new();
    match s {
        Selector::Any => z.extend((0..t.zones().len()).map(|i| ZoneIx(i as u32))),
        Selector::Zone(x) => {
            z.insert(*x);
        }
        Selector::Subnet(x) => z.extend(t.subnet(*x).zone),
        Selector::Endpoint(x) => z.extend(t.endpoint(*x).zone),
        Selector::Network(n) => z.extend(
            t.network(*n)
                .subnets
                .iter()
                .filter_map(|s| t.subnet(*s).zone),
        ),
        Selector::Cidr(c) => z.extend(
            t.subnets()
                .iter()
                .filter(|s| s.cidrs.iter().any(|x| c.contains(x) || x.contains(c)))
                .filter_map(|s| s.zone),
        ),
        _ => {}
    }
    z
}

fn sensitive(t: &Topology, z: ZoneIx) -> bool {
    matches!(
        role_of(t, Some(z)),
        Some(Role::Inference | Role::Data | Role::Management)
    )
}

/// `broad-source`: an allow rule whose source is `*`, `Internet`, `VirtualNetwork` or a CIDR
/// spanning several subnets, into the inference, data or management zone.
pub fn broad_source(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    let attached_all = attached_zones(t);
    let sets = t
        .rule_sets()
        .iter()
        .enumerate()
        .map(|(i, rs)| (Some(i), rs))
        .chain(t.zone_policy().map(|p| (None, p)));
    for (ix, rs) in sets {
        let attached = ix.map(|i| attached_all[i].clone()).unwrap_or_default();
        for r in rs
            .rules
            .iter()
            .filter(|r| !r.default_rule && r.action == Action::Allow)
        {
            let into: BTreeSet<ZoneIx> = match rs.kind {
                RuleSetKind::Nsg | RuleSetKind::SecurityGroup | RuleSetKind::Nacl => {
                    if r.direction != Some(Direction::Inbound) {
                        continue;
                    }
                    let named: BTreeSet<ZoneIx> = r
                        .destinations
                        .iter()
                        .flat_map(|d| dest_zones(t, d))
                        .collect();
                    attached
                        .iter()
                        .copied()
                        .filter(|z| {
                            named.contains(z)
                                || r.destinations
                                    .iter()
                                    .any(|d| matches!(d, Selector::VirtualNetwork | Selector::Any))
                        })
                        .collect()
                }
                RuleSetKind::Firewall | RuleSetKind::Policy => r
                    .destinations
                    .iter()
                    .flat_map(|d| dest_zones(t, d))
                    .collect(),
            };
            let zones: Vec<&str> = into
                .iter()
                .filter(|z| sensitive(t, **z))
                .map(|z| t.zone(*z).id.as_str())
                .collect();
            if zones.is_empty() {
                continue;
            }
            let Some((why, internet)) = r
                .sources
                .iter()
                .zip(
                    r.source_text
                        .iter()
                        .chain(std::iter::repeat(&String::new())),
                )
                .find_map(|(s, txt)| broad(t, s, txt))
            else {
                continue;
            };
            out.push(Finding {
                id: "broad-source".into(),
                severity: if internet {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: format!(
                    "{} {} rule {} allows {} on {}/{} from {why} into the {} zone{}",
                    rs.kind.label(),
                    rs.id,
                    r.id,
                    r.direction.map_or(String::new(), |d| d.to_string()),
                    r.protocol,
                    r.ports,
                    zones.join(", "),
                    if zones.len() == 1 { "" } else { "s" }
                )
                .replace("allows  on", "allows on"),
                subject: format!("{}/{}", rs.id, r.id),
                location: Location::of(t, r.at),
                fix: Some(format!(
                    "name the intended source subnet(s) or endpoint(s) in {} instead of {why}",
                    r.id
                )),
                evidence: None,
            });
        }
    }
    out
}

/// `unknown-service-tag`: a tag the file does not declare matches no address.
pub fn unknown_service_tags(t: &Topology) -> Vec<Finding> {
    t.unknown_tags()
        .into_iter()
        .map(|(set, rule, tag, at)| Finding {
            id: "unknown-service-tag".to_string(),
            severity: Severity::Warning,
            message: format!("rule {rule} of {set} names the service tag `{tag}`, which the file does not declare, so it matches no address"),
            subject: format!("{set}/{rule}"),
            location: Location::of(t, at),
            fix: Some(format!("declare it under `service_tags: {{ {tag}: [cidr, ...] }}`, or fix its spelling")),
            evidence: None,
        })
        .collect()
}
