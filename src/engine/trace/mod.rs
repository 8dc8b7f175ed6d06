//! Tracing one flow (SPEC §3): resolve the ends (with the DNS step), find the route, enforce every
//! rule set on the path in order, and give the verdict with its deciding rule, a reason a person
//! can act on, a suggested fix, and the fan-out to a gateway's backends.
//!
//! The trace is one of the two interpreters of the [`crate::engine::path::plan::Plan`]: it
//! walks the plan's stages at one port ([`enforce`]); [`crate::engine::reach`] walks the same
//! plan over port sets.
//!
//! Owns: [`trace`], [`Trace`] and its parts, [`Query`], [`TraceError`]; the fixes ([`fix`]).
//! Pure: no I/O, no UI. Must never: resolve, route or order the checks itself (that is the
//! plan), panic on a user's input (unknown ids are [`TraceError`]s), or enumerate unbounded
//! paths.

mod enforce;
pub mod fix;

use std::fmt;
use std::net::IpAddr;

use serde::Serialize;

use enforce::Enforcer;

pub use crate::engine::path::dns::{DnsStep, dns_lookup};
use crate::engine::path::plan::Planner;
pub use crate::engine::path::resolve::party_via_pe;
use crate::engine::path::resolve::{End, name_dst, resolve_src};
use crate::engine::path::route::{NoRoute, no_route_fix, partial_path};
use crate::engine::policy::Party;
pub use crate::engine::whatif::{WhatIf, WhatIfError, WhatIfErrorCode};
use crate::model::rules::{Action, Direction, PortSet, Protocol, RuleRef};
use crate::model::{EpIx, Kind, Topology, Verdict};

/// What to trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub from: String,
    pub to: String,
    /// `None`: the destination's first listening port, else 443 (none for ICMP).
    pub port: Option<u16>,
    pub protocol: Protocol,
}

impl Query {
    pub fn new(from: &str, to: &str, port: Option<u16>, protocol: Protocol) -> Self {
        Query {
            from: from.trim().to_string(),
            to: to.trim().to_string(),
            port,
            protocol,
        }
    }

    /// Parse `"SRC -> DST:PORT[/PROTO]"` (also `SRC->DST`, `SRC → DST:443/udp`).
    pub fn parse(s: &str) -> Result<Query, String> {
        let s = s.replace('→', "->");
        let Some((from, rest)) = s.split_once("->") else {
            return Err(format!(
                "`{s}` is not a flow: write `SRC -> DST:PORT[/PROTO]`, e.g. `web -> apim:443`"
            ));
        };
        let rest = rest.trim();
        let (rest, proto) = match rest.rsplit_once('/') {
            Some((a, p)) if Protocol::parse(p).is_some() => {
                (a, Protocol::parse(p).unwrap_or(Protocol::Tcp))
            }
            _ => (rest, Protocol::Tcp),
        };
        // A port follows the last ':' unless the destination is a bare IPv6 address
        // (write `[fd00::4]:443` for an IPv6 address with a port).
        let bracketed = rest.strip_prefix('[').and_then(|r| r.split_once(']'));
        let (to, port) = if let Some((addr, tail)) = bracketed {
            let port = match tail.strip_prefix(':') {
                Some(p) => Some(
                    p.trim()
                        .parse::<u16>()
                        .map_err(|_| format!("`{p}` is not a port (0-65535)"))?,
                ),
                None => None,
            };
            (addr.trim(), port)
        } else if rest.parse::<IpAddr>().is_ok() {
            (rest, None)
        } else {
            match rest.rsplit_once(':') {
                Some((a, p))
                    if !a.is_empty()
                        && p.chars().all(|c| c.is_ascii_digit())
                        && !p.is_empty()
                        && a.parse::<IpAddr>().is_err() =>
                {
                    let port = p
                        .parse::<u16>()
                        .map_err(|_| format!("`{p}` is not a port (0-65535)"))?;
                    (a.trim(), Some(port))
                }
                _ => (rest, None),
            }
        };
        let from = from.trim();
        if from.is_empty() || to.is_empty() {
            return Err(format!(
                "`{s}` needs a source and a destination: `SRC -> DST:PORT`"
            ));
        }
        Ok(Query::new(from, to, port, proto))
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.from, self.to)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        if self.protocol != Protocol::Tcp {
            write!(f, "/{}", self.protocol)?;
        }
        Ok(())
    }
}

/// A bad trace request (exit 2 on the command line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TraceError {
    /// What kind of mistake: a stable code, as the loader's.
    pub code: TraceErrorCode,
    pub message: String,
    pub help: String,
}

/// The kinds of bad trace request, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TraceErrorCode {
    /// The source or destination names nothing in the design.
    UnknownEnd,
    /// The source cannot send (a private endpoint, a zone, a rule set …).
    NotASource,
    /// The destination cannot receive a flow (a zone, a rule set …).
    NotADestination,
}

impl TraceErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            TraceErrorCode::UnknownEnd => "zonescope::trace-unknown-end",
            TraceErrorCode::NotASource => "zonescope::trace-not-a-source",
            TraceErrorCode::NotADestination => "zonescope::trace-not-a-destination",
        }
    }
}

/// One check on the path: which rule set, at which place, which rule decided, what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Where the check happens: a subnet, an endpoint, a firewall, or `zone -> zone`.
    pub at: String,
    pub rule_set: String,
    pub rule: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// nsg, security_group, nacl, firewall, policy, or `builtin` for checks that are not rules.
    pub kind: String,
    /// The return leg of a stateless rule set (NACL).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub return_flow: bool,
    /// A default rule of the kind (NSG 65000+, implicit-deny, default-deny, `*`) or a built-in
    /// check (`public-access-disabled`, `no-listener`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default_rule: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    /// Line of the rule in the file (0 for defaults).
    #[serde(skip_serializing_if = "is_zero")]
    pub line: u32,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Check {
    /// A rule of a rule set (not a built-in check).
    pub fn is_rule(&self) -> bool {
        self.kind != "builtin"
    }
}

/// `decided_by` of SPEC §4: the one [`RuleRef`] type.
pub type DecidedBy = RuleRef;

/// A backend's place in a gateway's pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackendInfo {
    pub priority: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Takes traffic now: allowed, not disabled, in the best priority group that has one.
    pub serving: bool,
    /// Switched off by a what-if.
    pub disabled: bool,
}

/// What happens to a flow whose private endpoint a what-if switched off (seed 002's failover
/// test: it must fail, not fall back to the public endpoint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fallback {
    /// The destination's private endpoints that are switched off.
    pub private_endpoints_down: Vec<String>,
    /// The flow now goes to the service's public endpoint over the internet.
    pub public: bool,
    /// The flow still gets through that way (a silent fallback to the public path).
    pub falls_back: bool,
    /// In words: "none — …" or "WARNING: falls back to the public endpoint …".
    pub note: String,
}

/// The answer to "can X reach Y on port P": the verdict with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub protocol: Protocol,
    pub verdict: Verdict,
    pub decided_by: Option<DecidedBy>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// SPEC §13: the alternatives that make the flow allowed, best first (filled by
    /// [`fix::trace_with_fixes`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<fix::Fix>,
    pub path: Vec<String>,
    /// The route that chose each hop, where route tables decide (SPEC §11.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route_hops: Vec<crate::engine::path::route::table::Hop>,
    /// Source NAT on the way (the plan's): the destination's rule sets saw `to`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<crate::engine::path::route::table::Translation>,
    pub checks: Vec<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<DnsStep>,
    /// The private endpoint the destination is reached through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_private_endpoint: Option<String>,
    /// The destination is reached over the internet.
    pub public: bool,
    /// Source and destination zones, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendInfo>,
    pub backends: Vec<Trace>,
    /// Set when a what-if switched off a private endpoint of the destination service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
}

impl Trace {
    pub fn allowed(&self) -> bool {
        self.verdict == Verdict::Allow
    }

    /// The check that decided (first deny, or last allowing rule).
    pub fn deciding_check(&self) -> Option<&Check> {
        let d = self.decided_by.as_ref()?;
        self.checks
            .iter()
            .rev()
            .find(|c| c.rule_set == d.rule_set && c.rule == d.rule && c.at == d.at)
    }
}

/// How deep gateway fan-out goes (a backend that is itself a gateway is traced once more).
const MAX_BACKEND_DEPTH: usize = 2;

/// Trace one flow.
pub fn trace(t: &Topology, q: &Query, w: &WhatIf) -> Result<Trace, TraceError> {
    trace_depth(t, q, w, 0)
}

fn zone_id(t: &Topology, p: &Party) -> Option<String> {
    p.zone.map(|z| t.zone(z).id.clone())
}

#[allow(
    clippy::many_single_char_names,
    reason = "t (topology), w (what-if), q (query) and friends are the codebase's names"
)]
fn trace_depth(t: &Topology, q: &Query, w: &WhatIf, depth: usize) -> Result<Trace, TraceError> {
    let src = resolve_src(t, &q.from)?;
    let name = name_dst(t, &q.to)?;
    let planner = Planner::new(t, w, true);
    let plan = planner.plan_to(src, name);
    let (src, dst) = (&plan.src, &plan.dst);
    let protocol = q.protocol;
    let port = if protocol.transport() == Protocol::Icmp {
        None
    } else {
        Some(q.port.unwrap_or_else(|| {
            dst.ep
                .and_then(|e| t.endpoint(e).ports.as_ref().and_then(PortSet::first))
                .unwrap_or(match protocol {
                    Protocol::Http => 80,
                    _ => 443,
                })
        }))
    };
    let mut tr = Trace {
        from: q.from.clone(),
        to: q.to.clone(),
        port,
        protocol,
        verdict: Verdict::NoRoute,
        decided_by: None,
        reason: String::new(),
        fix: None,
        fixes: Vec::new(),
        path: Vec::new(),
        route_hops: Vec::new(),
        translations: Vec::new(),
        checks: Vec::new(),
        dns: plan.dns.as_deref().cloned(),
        via_private_endpoint: dst.via_pe.map(|p| t.endpoint(p).id.clone()),
        public: false,
        source_zone: zone_id(t, &src.party),
        destination_zone: zone_id(t, &dst.party),
        backend: None,
        backends: Vec::new(),
        fallback: None,
    };

    // Route.
    match &plan.route {
        Ok(r) => {
            tr.path.clone_from(&r.path);
            tr.route_hops.clone_from(&r.hops);
            tr.public = r.public;
            if let Some(n) = &plan.snat {
                let at =
                    n.by.map_or_else(|| "internet".to_string(), |e| t.endpoint(e).id.clone());
                let addr = |p: &crate::engine::policy::Party| {
                    p.addr
                        .map_or_else(|| "public".to_string(), |a| a.to_string())
                };
                let x = crate::engine::path::route::table::Translation {
                    kind: "snat".to_string(),
                    at,
                    from: src
                        .party
                        .addr
                        .map_or_else(|| src.label(t).into_owned(), |a| a.to_string()),
                    to: addr(&n.src.party),
                    rule: None,
                };
                // The hop whose route chose the translator shows it too.
                if let Some(h) = tr
                    .route_hops
                    .iter_mut()
                    .rev()
                    .find(|h| h.route.next_hop == x.at)
                {
                    h.nat = Some(x.clone());
                }
                tr.translations.push(x);
            }
        }
        Err(NoRoute(why)) => {
            tr.path = partial_path(t, src);
            tr.reason.clone_from(why);
            // A what-if that switched off an end explains itself: no design fix to suggest.
            let switched_off = [src.ep, dst.ep, dst.via_pe]
                .into_iter()
                .flatten()
                .any(|e| w.endpoint_down(t, e));
            if let Some(d) = plan.dns.as_ref().filter(|d| d.nxdomain) {
                let zone = d.zone.as_deref().unwrap_or("the private zone");
                let domain = zone.strip_prefix("privatelink.").unwrap_or(zone);
                let record = d
                    .name
                    .strip_suffix(domain)
                    .and_then(|r| r.strip_suffix('.'))
                    .unwrap_or(&d.name);
                tr.fix = Some(format!(
                    "add the record `{record}` to {zone} (a private endpoint of the service with `dns_zone: {zone}` adds it), or unlink the zone from {} if the name should resolve publicly",
                    d.linked_to.as_deref().unwrap_or("the network")
                ));
            } else if !switched_off {
                tr.fix = no_route_fix(t, src, dst);
            }
            tr.fallback = fallback(t, dst, &tr, w);
            return Ok(tr);
        }
    }

    // Enforce, in the plan's order.
    let mut en = Enforcer {
        t,
        w,
        flow_protocol: protocol,
        port: port.map(PortSet::single),
        checks: Vec::new(),
        denied: None,
        src,
        dst,
        last_rule: None,
    };
    let dns_public = tr.dns.as_ref().is_some_and(|d| !d.private);
    let mut go = true;
    for (i, st) in plan.stages.iter().enumerate() {
        // Past a source NAT the rule sets see the translated source (the plan says which).
        en.src = plan.src_at(i);
        en.last_rule = None;
        if !en.stage(st, dns_public) {
            go = false;
            break;
        }
        // A DNAT rule of the firewall took the flow: it goes on, translated (SPEC §11.6).
        if let Some(leg) = plan
            .dnat
            .iter()
            .find(|l| l.stage == i && en.last_rule == Some(l.rule))
        {
            match dnat_leg(t, &mut tr, &mut en, leg, port, dns_public) {
                Ok(allowed) => go = allowed,
                Err(why) => {
                    tr.checks = std::mem::take(&mut en.checks);
                    tr.verdict = Verdict::NoRoute;
                    tr.reason = why;
                    return Ok(tr);
                }
            }
            break;
        }
    }

    tr.checks = std::mem::take(&mut en.checks);
    if let Some((check, reason, fix)) = en.denied.take() {
        tr.verdict = Verdict::Deny;
        tr.decided_by = Some(DecidedBy {
            rule_set: check.rule_set.clone(),
            rule: check.rule.clone(),
            action: Action::Deny,
            priority: check.priority,
            at: check.at.clone(),
            justification: check.justification.clone(),
            classification: check.classification.clone(),
        });
        tr.reason = reason;
        tr.fix = fix;
    } else {
        debug_assert!(go);
        tr.verdict = Verdict::Allow;
        tr.decided_by = tr
            .checks
            .iter()
            .rev()
            .find(|c| c.is_rule())
            .map(|c| DecidedBy {
                rule_set: c.rule_set.clone(),
                rule: c.rule.clone(),
                action: Action::Allow,
                priority: c.priority,
                at: c.at.clone(),
                justification: c.justification.clone(),
                classification: c.classification.clone(),
            });
        let n = tr.checks.len();
        tr.reason = match &tr.decided_by {
            Some(d) => format!(
                "allowed: {} on the path allow{}; the last deciding rule is {} {}{}",
                if n == 1 {
                    "the 1 check".to_string()
                } else {
                    format!("all {n} checks")
                },
                if n == 1 { "s" } else { "" },
                d.rule_set,
                d.rule,
                d.priority.map(|p| format!(" ({p})")).unwrap_or_default()
            ),
            None => "allowed: a route exists and no rule set on the path filters it".to_string(),
        };
    }

    tr.fallback = fallback(t, dst, &tr, w);

    // Gateway fan-out.
    if depth < MAX_BACKEND_DEPTH
        && dst.via_pe.is_none()
        && let Some(g) = dst.ep
    {
        tr.backends = backends(t, g, port, protocol, w, depth)?;
    }
    Ok(tr)
}

/// Follow a DNAT leg: the translation (and the firewall's source NAT) shown, the path and hops
/// from the firewall to the translated address added, its stages run at the translated port.
/// Returns whether they allow; `Err` with the reason when the translated address has no route.
fn dnat_leg<'a>(
    t: &Topology,
    tr: &mut Trace,
    en: &mut Enforcer<'a>,
    leg: &'a crate::engine::path::plan::DnatLeg,
    port: Option<u16>,
    dns_public: bool,
) -> Result<bool, String> {
    use crate::engine::path::route::table::Translation;
    let lp = &leg.plan;
    let fw = t.endpoint(leg.firewall);
    let with_port = |a: String, p: Option<u16>| match p {
        Some(p) => format!("{a}:{p}"),
        None => a,
    };
    let fw_addr = match fw.public_ip {
        Some(crate::model::PublicIp::Address(a)) => a.to_string(),
        _ => fw.id.clone(),
    };
    let to_port = leg.port.or(port);
    let to_addr = lp
        .dst
        .party
        .addr
        .map_or_else(|| lp.dst.label(t).into_owned(), |a| a.to_string());
    let rule_id = en.checks.last().map(|c| c.rule.clone()).unwrap_or_default();
    let dnat = Translation {
        kind: "dnat".to_string(),
        at: fw.id.clone(),
        from: with_port(fw_addr, port),
        to: with_port(to_addr, to_port),
        rule: Some(rule_id),
    };
    tr.translations.push(dnat.clone());
    let route = match &lp.route {
        Ok(r) => r,
        Err(NoRoute(why)) => {
            return Err(format!(
                "{} translates the flow to {} ({}), which has no route from {}: {why}",
                dnat.rule.as_deref().unwrap_or("a DNAT rule"),
                dnat.to,
                lp.dst.label(t),
                fw.id
            ));
        }
    };
    if let Some(n) = &lp.snat {
        let seen = n
            .src
            .party
            .addr
            .map_or_else(|| fw.id.clone(), |a| a.to_string());
        let from = en
            .src
            .party
            .addr
            .map_or_else(|| en.src.label(t).into_owned(), |a| a.to_string());
        tr.translations.push(Translation {
            kind: "snat".to_string(),
            at: fw.id.clone(),
            from,
            to: seen,
            rule: None,
        });
    }
    for x in &route.path {
        if !tr.path.contains(x) {
            tr.path.push(x.clone());
        }
    }
    let first_hop = tr.route_hops.len();
    tr.route_hops.extend(route.hops.iter().cloned());
    if let Some(h) = tr.route_hops.get_mut(first_hop) {
        h.nat = Some(dnat);
    }
    tr.public = tr.public || route.public;
    tr.destination_zone = zone_id(t, &lp.dst.party);
    tr.via_private_endpoint = lp.dst.via_pe.map(|p| t.endpoint(p).id.clone());
    en.port = to_port.map(PortSet::single);
    en.dst = &lp.dst;
    for (j, st) in lp.stages.iter().enumerate() {
        en.src = lp.src_at(j);
        if !en.stage(st, dns_public) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the flow falls back to a public path because a what-if switched off the private
/// endpoint(s) of the destination service.
fn fallback(t: &Topology, dst: &End, tr: &Trace, w: &WhatIf) -> Option<Fallback> {
    if w.is_empty() {
        return None;
    }
    let svc = dst.ep?;
    let pes = t.private_endpoints_of(svc);
    let down: Vec<String> = pes
        .iter()
        .filter(|p| w.endpoint_down(t, **p))
        .map(|p| t.endpoint(*p).id.clone())
        .collect();
    if down.is_empty() {
        return None;
    }
    let ep = t.endpoint(svc);
    let list = down.join(", ");
    let (public, falls_back, note) = match dst.via_pe {
        Some(pe) if w.endpoint_down(t, pe) => (
            false,
            false,
            format!(
                "none — {} is down and the flow still goes to it (its address or private DNS record): the call fails with a connection error instead of falling back to the public endpoint",
                t.endpoint(pe).id
            ),
        ),
        Some(pe) => (
            false,
            false,
            format!(
                "none needed — {list} down; the flow uses the private endpoint {} instead (still private)",
                t.endpoint(pe).id
            ),
        ),
        None if tr.public && tr.verdict == Verdict::Allow => (
            true,
            true,
            format!(
                "WARNING: falls back to the public endpoint of {} over the internet ({list} down, public access enabled) — disable its public access so that the call fails instead",
                ep.id
            ),
        ),
        None if tr.public => {
            let by = tr
                .decided_by
                .as_ref()
                .map(|d| format!("{} {}", d.rule_set, d.rule))
                .unwrap_or_default();
            let note = if ep.public_access {
                format!(
                    "none — the private endpoint is down ({list}); the public path to {} is blocked by {by}, but its public access is enabled: disable it so no rule change can open a public fallback",
                    ep.id
                )
            } else {
                format!(
                    "none — the private endpoint is down ({list}) and public access to {} is disabled: the call fails",
                    ep.id
                )
            };
            (true, false, note)
        }
        None => (
            false,
            false,
            format!(
                "none — the private endpoint is down ({list}) and there is no other path to {}: the call fails",
                ep.id
            ),
        ),
    };
    Some(Fallback {
        private_endpoints_down: down,
        public,
        falls_back,
        note,
    })
}

fn backends(
    t: &Topology,
    g: EpIx,
    port: Option<u16>,
    protocol: Protocol,
    w: &WhatIf,
    depth: usize,
) -> Result<Vec<Trace>, TraceError> {
    let gw = t.endpoint(g);
    let mut out = Vec::new();
    for b in &gw.backends {
        let be = t.endpoint(b.endpoint);
        let disabled = w.endpoint_down(t, b.endpoint);
        let mut bt = trace_depth(t, &Query::new(&gw.id, &be.id, port, protocol), w, depth + 1)?;
        if disabled && bt.verdict == Verdict::Allow {
            bt.verdict = Verdict::NoRoute;
            bt.decided_by = None;
            bt.reason = format!("{} is disabled (what-if)", be.id);
        }
        // The region that serves: a private endpoint's target service's, else the backend's.
        let service_region = be
            .target
            .filter(|_| be.kind == Kind::PrivateEndpoint)
            .and_then(|s| t.endpoint(s).region.clone());
        let region = service_region.or_else(|| be.region.clone()).or_else(|| {
            bt.via_private_endpoint
                .as_ref()
                .and_then(|p| t.endpoint_ix(p))
                .and_then(|p| t.endpoint(p).region.clone())
        });
        bt.backend = Some(BackendInfo {
            priority: b.priority,
            weight: b.weight,
            region,
            serving: false,
            disabled,
        });
        out.push(bt);
    }
    // The best priority group with an allowed backend serves.
    let best = out
        .iter()
        .filter(|b| b.verdict == Verdict::Allow)
        .filter_map(|b| b.backend.as_ref().map(|x| x.priority))
        .min();
    for b in &mut out {
        let allowed = b.verdict == Verdict::Allow;
        if let Some(info) = b.backend.as_mut() {
            info.serving = allowed && Some(info.priority) == best;
        }
    }
    Ok(out)
}
