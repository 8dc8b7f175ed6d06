//! Tracing one flow (SPEC §3): resolve the ends (with the DNS step), find the route, enforce every
//! rule set on the path in order, and give the verdict with its deciding rule, a reason a person
//! can act on, a suggested fix, and the fan-out to a gateway's backends.
//!
//! Owns: [`trace`], [`Trace`], [`WhatIf`]; [`exact`] (every port a source reaches, per group of
//! alike endpoints) and [`matrix`] (verdicts between every pair of zones, subnets, endpoints). Pure: no I/O, no UI. Must never: panic on a user's
//! input (unknown ids are [`TraceError`]s), or enumerate unbounded paths.

pub mod fix;

use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::net::IpAddr;

use serde::Serialize;

use crate::engine::path::route::{NoRoute, internet_route, net_route};
use crate::engine::policy::{Ctx, Decision, Flow, Party, evaluate, free_priority_below};
use crate::model::rules::{Action, Direction, PortSet, Protocol, RuleSet, RuleSetKind};
use crate::model::{
    DnsTarget, EntityRef, EpIx, Kind, NetIx, RuleSetIx, SubnetIx, Topology, Verdict,
};

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

/// What is switched off for a what-if: endpoints (private endpoints too), networks, regions,
/// peerings and rules. Empty by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhatIf {
    pub endpoints: HashSet<EpIx>,
    pub networks: HashSet<NetIx>,
    pub regions: HashSet<String>,
    pub peerings: HashSet<usize>,
    /// (rule set id, rule id); the zone policy's set id is `policies`.
    pub rules: HashSet<(String, String)>,
}

impl WhatIf {
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
            && self.networks.is_empty()
            && self.regions.is_empty()
            && self.peerings.is_empty()
            && self.rules.is_empty()
    }

    /// Switch off what `spec` names: an endpoint, network or region id, a peering `A<->B`
    /// (or `A,B`), or a rule `RULESET/RULE` (or `policies/NET-001`). Returns what it disabled.
    pub fn disable(&mut self, t: &Topology, spec: &str) -> Result<String, WhatIfError> {
        let spec = spec.trim();
        if let Some((a, b)) = spec.split_once("<->").or_else(|| spec.split_once(',')) {
            let (a, b) = (a.trim(), b.trim());
            let find = |x: &str| match t.find(x) {
                Some(EntityRef::Network(n)) => Ok(n),
                _ => Err(whatif_err(
                    WhatIfErrorCode::NotAPeering,
                    format!("`{x}` is not a network"),
                )),
            };
            let (na, nb) = (find(a)?, find(b)?);
            let p = t
                .peerings()
                .iter()
                .position(|p| (p.a == na && p.b == nb) || (p.a == nb && p.b == na))
                .ok_or_else(|| {
                    whatif_err(
                        WhatIfErrorCode::NotAPeering,
                        format!("`{a}` and `{b}` are not peered"),
                    )
                })?;
            self.peerings.insert(p);
            return Ok(format!("peering {a} <-> {b}"));
        }
        if let Some((set, rule)) = spec.split_once('/') {
            let (set, rule) = (set.trim(), rule.trim());
            let rs = if set == "policies" {
                t.zone_policy()
            } else {
                match t.find(set) {
                    Some(EntityRef::RuleSet(r)) => Some(t.rule_set(r)),
                    _ => None,
                }
            }
            .ok_or_else(|| {
                whatif_err(
                    WhatIfErrorCode::NoSuchRule,
                    format!("`{set}` is not a rule set"),
                )
            })?;
            if !rs.rules.iter().any(|r| r.id == rule) {
                return Err(whatif_err(
                    WhatIfErrorCode::NoSuchRule,
                    format!("rule set `{set}` has no rule `{rule}`"),
                ));
            }
            self.rules.insert((set.to_string(), rule.to_string()));
            return Ok(format!("rule {set}/{rule}"));
        }
        match t.find(spec) {
            Some(EntityRef::Endpoint(e)) => {
                self.endpoints.insert(e);
                Ok(format!("{} {spec}", t.endpoint(e).kind))
            }
            Some(EntityRef::Network(n)) => {
                self.networks.insert(n);
                Ok(format!("network {spec}"))
            }
            Some(other) => Err(whatif_err(
                WhatIfErrorCode::CannotDisable,
                format!("`{spec}` is a {}", other.kind_name()),
            )),
            None => {
                if t.regions().iter().any(|r| r == spec) {
                    self.regions.insert(spec.to_string());
                    Ok(format!("region {spec}"))
                } else {
                    Err(whatif_err(
                        WhatIfErrorCode::Unknown,
                        format!("`{spec}` names nothing"),
                    ))
                }
            }
        }
    }

    pub fn network_down(&self, t: &Topology, n: NetIx) -> bool {
        if self.is_empty() {
            return false;
        }
        self.networks.contains(&n)
            || t.network(n)
                .region
                .as_ref()
                .is_some_and(|r| self.regions.contains(r))
    }

    pub fn endpoint_down(&self, t: &Topology, e: EpIx) -> bool {
        if self.is_empty() {
            return false;
        }
        let ep = t.endpoint(e);
        self.endpoints.contains(&e)
            || ep.network.is_some_and(|n| self.network_down(t, n))
            || ep.region.as_ref().is_some_and(|r| self.regions.contains(r))
    }

    pub fn peering_down(&self, p: usize) -> bool {
        self.peerings.contains(&p)
    }

    pub fn rule_down(&self, set: &str, rule: &str) -> bool {
        !self.rules.is_empty() && self.rules.iter().any(|(s, r)| s == set && r == rule)
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

/// A what-if that names nothing it can switch off (exit 2 on the command line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}: {help}")]
pub struct WhatIfError {
    /// What kind of mistake: a stable code, as the loader's.
    pub code: WhatIfErrorCode,
    pub message: String,
    pub help: String,
}

/// The kinds of bad what-if, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WhatIfErrorCode {
    /// A peering's end is not a network, or the two networks are not peered.
    NotAPeering,
    /// A rule's set or the rule itself does not exist.
    NoSuchRule,
    /// The id names something a what-if cannot switch off (a zone, a subnet …).
    CannotDisable,
    /// The id names nothing.
    Unknown,
}

impl WhatIfErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            WhatIfErrorCode::NotAPeering => "zonescope::whatif-not-a-peering",
            WhatIfErrorCode::NoSuchRule => "zonescope::whatif-no-such-rule",
            WhatIfErrorCode::CannotDisable => "zonescope::whatif-cannot-disable",
            WhatIfErrorCode::Unknown => "zonescope::whatif-unknown",
        }
    }
}

const WHATIF_HELP: &str =
    "disable an endpoint, network, region, peering (A<->B) or rule (SET/RULE)";

fn whatif_err(code: WhatIfErrorCode, message: String) -> WhatIfError {
    WhatIfError {
        code,
        message,
        help: WHATIF_HELP.to_string(),
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

/// `decided_by` of SPEC §4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecidedBy {
    pub rule_set: String,
    pub rule: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
}

/// The DNS step of a trace to an FQDN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsStep {
    pub name: String,
    /// The address (or endpoint id) it resolved to, privately; `None` when public.
    pub answer: Option<String>,
    pub private: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The network whose link made the zone visible (the source's, or its hub's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    pub note: String,
}

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

#[derive(Debug, Clone)]
struct End {
    party: Party,
    /// The id (or address / name) shown in the path.
    label: String,
    /// The endpoint itself (the service, for one reached through a private endpoint).
    ep: Option<EpIx>,
    subnet: Option<SubnetIx>,
    network: Option<NetIx>,
    via_pe: Option<EpIx>,
    /// Reached over (or coming from) the internet.
    outside: bool,
    /// How the destination was named: by its private address (the internet cannot route to
    /// it), or by its public address (traffic from inside leaves and comes back in).
    naming: Naming,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Naming {
    Other,
    PrivateAddr,
    PublicAddr,
}

fn ep_end(t: &Topology, e: EpIx) -> End {
    let ep = t.endpoint(e);
    End {
        party: Party::of_endpoint(t, e),
        label: ep.id.clone(),
        ep: Some(e),
        subnet: ep.subnet,
        network: ep.network,
        via_pe: None,
        outside: ep.subnet.is_none(),
        naming: Naming::Other,
    }
}

fn addr_end(t: &Topology, a: IpAddr) -> End {
    let m = t.lookup_ip(a);
    if let Some(e) = m.endpoint {
        let mut end = ep_end(t, e);
        end.party.addr = Some(a);
        return end;
    }
    let zone = m.subnet.and_then(|s| t.subnet(s).zone);
    End {
        party: Party {
            subnet: m.subnet,
            network: m.network,
            zone,
            addr: Some(a),
            outside: m.network.is_none(),
            ..Party::default()
        },
        label: a.to_string(),
        ep: None,
        subnet: m.subnet,
        network: m.network,
        via_pe: None,
        outside: m.network.is_none(),
        naming: Naming::Other,
    }
}

fn internet_end(label: &str, fqdn: Option<String>) -> End {
    End {
        party: Party {
            outside: true,
            fqdn,
            ..Party::default()
        },
        label: label.to_string(),
        ep: None,
        subnet: None,
        network: None,
        via_pe: None,
        outside: true,
        naming: Naming::Other,
    }
}

fn unknown(t: &Topology, what: &str, name: &str) -> TraceError {
    let lname = name.to_ascii_lowercase();
    let close: Vec<&str> = t
        .endpoints()
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| {
            let l = id.to_ascii_lowercase();
            l.contains(&lname) || lname.contains(&l)
        })
        .take(5)
        .collect();
    // As a file's unknown id does: the closest id by edit distance.
    let mut close = close;
    if close.is_empty()
        && let Some((_, k)) = t
            .ids
            .keys()
            .map(|k| {
                (
                    crate::model::levenshtein(&lname, &k.to_ascii_lowercase()),
                    k,
                )
            })
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min_by_key(|(d, k)| {
                // Ties: the same first letter, then the closest length (a typo keeps both).
                let first =
                    k.chars().next().map(|c| c.to_ascii_lowercase()) != lname.chars().next();
                (*d, first, k.len().abs_diff(lname.len()), *k)
            })
    {
        close.push(k.as_str());
    }
    TraceError {
        code: TraceErrorCode::UnknownEnd,
        message: format!("unknown {what} `{name}`"),
        help: if close.is_empty() {
            "name an endpoint id, a subnet or network id, an IP address, `internet`, or (destination only) an FQDN".to_string()
        } else {
            format!(
                "did you mean {}?",
                close
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    }
}

fn resolve_src(t: &Topology, from: &str) -> Result<End, TraceError> {
    if let Some(e) = t.find(from) {
        return match e {
            EntityRef::Endpoint(e) => {
                let ep = t.endpoint(e);
                if ep.kind == Kind::PrivateEndpoint {
                    return Err(TraceError {
                        code: TraceErrorCode::NotASource,
                        message: format!(
                            "`{from}` is a private endpoint: it receives traffic and sends none"
                        ),
                        help: "trace from the client that calls it".to_string(),
                    });
                }
                Ok(ep_end(t, e))
            }
            EntityRef::Subnet(s) => Ok(End {
                party: Party {
                    subnet: Some(s),
                    network: Some(t.subnet(s).network),
                    zone: t.subnet(s).zone,
                    ..Party::default()
                },
                label: t.subnet(s).id.clone(),
                ep: None,
                subnet: Some(s),
                network: Some(t.subnet(s).network),
                via_pe: None,
                outside: false,
                naming: Naming::Other,
            }),
            EntityRef::Network(n) => Ok(End {
                party: Party {
                    network: Some(n),
                    ..Party::default()
                },
                label: t.network(n).id.clone(),
                ep: None,
                subnet: None,
                network: Some(n),
                via_pe: None,
                outside: false,
                naming: Naming::Other,
            }),
            other => Err(TraceError {
                code: TraceErrorCode::NotASource,
                message: format!(
                    "`{from}` is a {}: a trace starts at an endpoint, a subnet, a network or an address",
                    other.kind_name()
                ),
                help: "use `zonescope matrix --by zone` to compare whole zones".to_string(),
            }),
        };
    }
    if from.eq_ignore_ascii_case("internet") {
        return Ok(internet_end("internet", None));
    }
    if let Ok(a) = from.parse::<IpAddr>() {
        return Ok(addr_end(t, a));
    }
    Err(unknown(t, "source", from))
}

/// The destination as named, before routing decides how it is reached.
enum DstName {
    Ep(EpIx),
    Subnet(SubnetIx),
    Network(NetIx),
    Addr(IpAddr),
    Fqdn(String),
    Internet,
}

fn name_dst(t: &Topology, to: &str) -> Result<DstName, TraceError> {
    if let Some(e) = t.find(to) {
        return match e {
            EntityRef::Endpoint(e) => Ok(DstName::Ep(e)),
            EntityRef::Subnet(s) => Ok(DstName::Subnet(s)),
            EntityRef::Network(n) => Ok(DstName::Network(n)),
            other => Err(TraceError {
                code: TraceErrorCode::NotADestination,
                message: format!(
                    "`{to}` is a {}: a trace goes to an endpoint, a subnet, a network, an address or an FQDN",
                    other.kind_name()
                ),
                help: "use `zonescope matrix --by zone` to compare whole zones".to_string(),
            }),
        };
    }
    if to.eq_ignore_ascii_case("internet") {
        return Ok(DstName::Internet);
    }
    if let Ok(a) = to.parse::<IpAddr>() {
        return Ok(DstName::Addr(a));
    }
    if to.contains('.') && !to.contains(' ') && !to.contains('/') {
        return Ok(DstName::Fqdn(to.trim_end_matches('.').to_ascii_lowercase()));
    }
    Err(unknown(t, "destination", to))
}

/// Resolve `name` as seen from `net`: a private zone linked to the network or its hub.
pub(crate) fn dns_lookup(
    t: &Topology,
    net: Option<NetIx>,
    name: &str,
) -> Option<(DnsTarget, String, String)> {
    let net = net?;
    let hub = t.network(net).hub;
    for z in t.dns_zones() {
        let domain = z.zone.strip_prefix("privatelink.").unwrap_or(&z.zone);
        let Some(rec) = name.strip_suffix(domain).and_then(|r| r.strip_suffix('.')) else {
            continue;
        };
        let linked = if z.linked.contains(&net) {
            Some(net)
        } else {
            hub.filter(|h| z.linked.contains(h))
        };
        let Some(via) = linked else { continue };
        if let Some((_, target)) = z.records.iter().find(|(n, _)| n == rec) {
            return Some((*target, z.zone.clone(), t.network(via).id.clone()));
        }
    }
    None
}

/// A service as the far end of a flow through its private endpoint `pe`: the service (its
/// zone, name and rules) at the private endpoint's place and address.
pub(crate) fn party_via_pe(t: &Topology, service: EpIx, pe: EpIx) -> Party {
    let p = t.endpoint(pe);
    let mut party = Party::of_endpoint(t, service);
    party.alias = Some(pe);
    party.subnet = p.subnet;
    party.network = p.network;
    party.addr = p.ip;
    party.outside = false;
    party
}

/// A destination endpoint reached through private endpoint `pe`.
fn via_pe_end(t: &Topology, service: EpIx, pe: EpIx) -> End {
    let p = t.endpoint(pe);
    End {
        party: party_via_pe(t, service, pe),
        label: t.endpoint(service).id.clone(),
        ep: Some(service),
        subnet: p.subnet,
        network: p.network,
        via_pe: Some(pe),
        outside: false,
        naming: Naming::Other,
    }
}

/// The private endpoint of `service` the source reaches in the fewest network hops.
fn best_pe(t: &Topology, src: &End, service: EpIx, w: &WhatIf) -> Option<EpIx> {
    let from = src.network?;
    t.private_endpoints_of(service)
        .iter()
        .filter(|pe| !w.endpoint_down(t, **pe))
        .filter_map(|pe| {
            let net = t.endpoint(*pe).network?;
            net_route(t, from, net, w).ok().map(|r| (r.hops(), *pe))
        })
        .min_by_key(|(h, pe)| (*h, pe.index()))
        .map(|(_, pe)| pe)
}

fn resolve_dst(t: &Topology, src: &End, name: DstName, w: &WhatIf) -> (End, Option<DnsStep>) {
    match name {
        DstName::Ep(e) => {
            let ep = t.endpoint(e);
            if ep.kind == Kind::PrivateEndpoint
                && let Some(target) = ep.target
            {
                return (via_pe_end(t, target, e), None);
            }
            if ep.is_paas()
                && let Some(pe) = best_pe(t, src, e, w)
            {
                return (via_pe_end(t, e, pe), None);
            }
            (ep_end(t, e), None)
        }
        DstName::Subnet(s) => {
            let sub = t.subnet(s);
            (
                End {
                    party: Party {
                        subnet: Some(s),
                        network: Some(sub.network),
                        zone: sub.zone,
                        ..Party::default()
                    },
                    label: sub.id.clone(),
                    ep: None,
                    subnet: Some(s),
                    network: Some(sub.network),
                    via_pe: None,
                    outside: false,
                    naming: Naming::Other,
                },
                None,
            )
        }
        DstName::Network(n) => (
            End {
                party: Party {
                    network: Some(n),
                    ..Party::default()
                },
                label: t.network(n).id.clone(),
                ep: None,
                subnet: None,
                network: Some(n),
                via_pe: None,
                outside: false,
                naming: Naming::Other,
            },
            None,
        ),
        DstName::Addr(a) => (addr_to_dst(t, a), None),
        DstName::Internet => (internet_end("internet", None), None),
        DstName::Fqdn(name) => {
            if let Some((target, zone, linked)) = dns_lookup(t, src.network, &name) {
                let (mut end, answer) = match target {
                    DnsTarget::Address(a) => (addr_to_dst(t, a), a.to_string()),
                    DnsTarget::Endpoint(pe) => {
                        let p = t.endpoint(pe);
                        let end = match p.target {
                            Some(svc) => via_pe_end(t, svc, pe),
                            None => ep_end(t, pe),
                        };
                        (end, p.id.clone())
                    }
                };
                end.party.fqdn = Some(name.clone());
                let via = end
                    .via_pe
                    .map(|p| format!(" (private endpoint {})", t.endpoint(p).id))
                    .unwrap_or_default();
                let step = DnsStep {
                    name: name.clone(),
                    answer: Some(answer.clone()),
                    private: true,
                    zone: Some(zone.clone()),
                    linked_to: Some(linked.clone()),
                    note: format!(
                        "{name} → {answer}{via}: private zone {zone}, linked to {linked}"
                    ),
                };
                return (end, Some(step));
            }
            let why = match src.network {
                None => "the source is outside every network".to_string(),
                Some(n) => {
                    let has_zone = t.dns_zones().iter().any(|z| {
                        let d = z.zone.strip_prefix("privatelink.").unwrap_or(&z.zone);
                        name.ends_with(&format!(".{d}"))
                    });
                    if has_zone {
                        format!(
                            "no private zone holding it is linked to {} or its hub",
                            t.network(n).id
                        )
                    } else {
                        "no private zone holds it".to_string()
                    }
                }
            };
            let mut end = match t.service_by_fqdn(&name) {
                Some(svc) => {
                    let mut e = ep_end(t, svc);
                    // Resolved publicly: reached over the internet, whatever private endpoints exist.
                    e.party.subnet = None;
                    e.party.network = None;
                    e.party.addr = None;
                    e.party.outside = true;
                    e.subnet = None;
                    e.network = None;
                    e.outside = true;
                    e
                }
                None => internet_end(&name, Some(name.clone())),
            };
            end.party.fqdn = Some(name.clone());
            let step = DnsStep {
                name: name.clone(),
                answer: None,
                private: false,
                zone: None,
                linked_to: None,
                note: format!("{name} resolves publicly: {why}"),
            };
            (end, Some(step))
        }
    }
}

fn addr_to_dst(t: &Topology, a: IpAddr) -> End {
    if let Some(e) = t.endpoint_by_public_ip(a) {
        // Its public address: the rules see the private one behind it.
        let mut end = ep_end(t, e);
        end.naming = Naming::PublicAddr;
        return end;
    }
    let m = t.lookup_ip(a);
    if let Some(e) = m.endpoint {
        let ep = t.endpoint(e);
        if ep.kind == Kind::PrivateEndpoint
            && let Some(target) = ep.target
        {
            return via_pe_end(t, target, e);
        }
    }
    let mut end = addr_end(t, a);
    if end.network.is_some() {
        end.naming = Naming::PrivateAddr;
    }
    end
}

struct Enforcer<'a> {
    t: &'a Topology,
    w: &'a WhatIf,
    flow_protocol: Protocol,
    port: Option<PortSet>,
    checks: Vec<Check>,
    denied: Option<(Check, String, Option<String>)>,
    src: &'a End,
    dst: &'a End,
}

fn ephemeral() -> PortSet {
    PortSet::range(1024, 65535)
}

impl Enforcer<'_> {
    fn party_text(&self, p: &Party, label: &str) -> String {
        match (p.addr, p.ep) {
            (Some(a), Some(e)) => format!("{a} ({})", self.t.endpoint(e).id),
            (Some(a), None) => a.to_string(),
            (None, _) => label.to_string(),
        }
    }

    /// The selector a fix should name for one end: its subnet, else its address, else its id.
    fn sel_text(&self, end: &End) -> String {
        if end.outside && end.ep.is_none() {
            return if end.party.fqdn.is_some() && end.label != "internet" {
                end.label.clone()
            } else {
                "Internet".to_string()
            };
        }
        if let Some(s) = end.subnet {
            return self.t.subnet(s).id.clone();
        }
        if let Some(a) = end.party.addr {
            return a.to_string();
        }
        end.label.clone()
    }

    fn flow_text(&self) -> String {
        match &self.port {
            Some(p) => format!("{}/{}", self.flow_protocol, p),
            None => self.flow_protocol.to_string(),
        }
    }

    /// Run the rule sets enforced at one place in direction `dir` (a NACL also checks the
    /// return traffic the other way, and is skipped within its subnet); returns false once the
    /// flow is denied.
    fn run_sets(
        &mut self,
        sets: &[RuleSetIx],
        at: &str,
        dir: Direction,
        net: Option<NetIx>,
    ) -> bool {
        let back = match dir {
            Direction::Inbound => Direction::Outbound,
            Direction::Outbound => Direction::Inbound,
        };
        for rs in sets {
            let rs = self.t.rule_set(*rs);
            if rs.kind == RuleSetKind::Nacl && self.src.party.same_subnet(&self.dst.party) {
                continue;
            }
            if !self.run(rs, at, Some(dir), net, false) {
                return false;
            }
            if rs.kind == RuleSetKind::Nacl && !self.run(rs, at, Some(back), net, true) {
                return false;
            }
        }
        true
    }

    /// Run one rule set; returns false once the flow is denied.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        rs: &RuleSet,
        at: &str,
        dir: Option<Direction>,
        ctx_net: Option<NetIx>,
        reverse: bool,
    ) -> bool {
        let (sp, dp) = if reverse {
            (&self.dst.party, &self.src.party)
        } else {
            (&self.src.party, &self.dst.party)
        };
        let eph = ephemeral();
        let ports = if reverse {
            self.port.as_ref().map(|_| &eph)
        } else {
            self.port.as_ref()
        };
        let flow = Flow {
            src: sp,
            dst: dp,
            protocol: self.flow_protocol,
            ports,
        };
        let w = self.w;
        let disabled = move |s: &str, r: &str| w.rule_down(s, r);
        let ctx = Ctx {
            topo: self.t,
            network: ctx_net,
            disabled: &disabled,
        };
        let d = evaluate(rs, &flow, dir, &ctx);
        let check = self.check_of(rs, &d, at, dir, reverse);
        self.checks.push(check.clone());
        if d.action == Action::Deny {
            let (reason, fix) = self.explain(rs, &d, at, dir, reverse);
            self.denied = Some((check, reason, fix));
            return false;
        }
        true
    }

    #[allow(
        clippy::unused_self,
        reason = "a method beside run/explain, which read the enforcer's state"
    )]
    fn check_of(
        &self,
        rs: &RuleSet,
        d: &Decision,
        at: &str,
        dir: Option<Direction>,
        reverse: bool,
    ) -> Check {
        let rule = d.rule.map(|i| &rs.rules[i]);
        Check {
            at: at.to_string(),
            rule_set: rs.id.clone(),
            rule: d.name.clone(),
            action: d.action,
            priority: d.priority.or(match (rs.kind, d.rule) {
                (RuleSetKind::Nsg, None) => Some(65500),
                _ => None,
            }),
            direction: if rs.kind.directional() { dir } else { None },
            kind: rs.kind.as_str().to_string(),
            return_flow: reverse,
            default_rule: rule.is_none_or(|r| r.default_rule),
            justification: rule.and_then(|r| r.justification.clone()),
            classification: rule.and_then(|r| r.classification.clone()),
            line: rule.map_or(0, |r| r.at.line),
        }
    }

    #[allow(clippy::format_push_string)] // one reason built in place
    fn explain(
        &self,
        rs: &RuleSet,
        d: &Decision,
        at: &str,
        dir: Option<Direction>,
        reverse: bool,
    ) -> (String, Option<String>) {
        let t = self.t;
        let rule = d.rule.map(|i| &rs.rules[i]);
        let prio = d
            .priority
            .or(if rs.kind == RuleSetKind::Nsg && d.rule.is_none() {
                Some(65500)
            } else {
                None
            });
        let prio_text = prio.map(|p| format!(" ({p})")).unwrap_or_default();
        let dir_text = dir
            .filter(|_| rs.kind.directional())
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        let (src_end, dst_end) = if reverse {
            (self.dst, self.src)
        } else {
            (self.src, self.dst)
        };
        let flow = if reverse {
            match self.port {
                Some(_) => format!("{}/1024-65535 (the return traffic)", self.flow_protocol),
                None => format!("{} (the return traffic)", self.flow_protocol),
            }
        } else {
            self.flow_text()
        };
        let from = self.party_text(&src_end.party, &src_end.label);
        let to = self.party_text(&dst_end.party, &dst_end.label);
        let explicit = rule.is_some_and(|r| !r.default_rule);
        let what = match rs.kind {
            RuleSetKind::Policy => format!("zone policy rule {}", d.name),
            _ => format!("{} {} rule {}{prio_text}", rs.kind.label(), rs.id, d.name),
        };
        let mut reason = format!("{what} denies {dir_text}{flow} from {from} to {to}");
        if let Some(j) = rule
            .and_then(|r| r.justification.as_ref())
            .filter(|_| explicit)
        {
            let _ = write!(reason, " — \"{j}\"");
        }
        if !explicit {
            reason.push_str(": no rule allows it");
        }
        let src_sel = self.sel_text(src_end);
        let dst_sel = self.sel_text(dst_end);
        let flow_ports = if self.port.is_none() {
            String::new()
        } else if reverse {
            "/1024-65535".to_string()
        } else {
            format!(
                "/{}",
                self.port
                    .as_ref()
                    .map_or("*".to_string(), ToString::to_string)
            )
        };
        let proto = self.flow_protocol.transport();
        let fix = match rs.kind {
            RuleSetKind::Nsg | RuleSetKind::Nacl => {
                // A NACL's final `*` rule is number 32767.
                let limit = prio.unwrap_or(if rs.kind == RuleSetKind::Nacl {
                    32767
                } else {
                    65500
                });
                let free = free_priority_below(rs, dir, limit);
                let below = if prio.is_none() && rs.kind == RuleSetKind::Nacl {
                    "before the final `*` rule".to_string()
                } else {
                    format!("below {limit}")
                };
                let where_ = free.map_or_else(
                    || format!("(no free priority {below}: renumber the rules)"),
                    |p| format!("at priority {p} (free, {below})"),
                );
                let lead = if explicit {
                    format!(
                        "rule {} explicitly denies this flow; if the flow is intended, ",
                        d.name
                    )
                } else {
                    String::new()
                };
                Some(format!(
                    "{lead}add to {} an {}allow rule for {proto}{flow_ports} from {src_sel} to {dst_sel} {where_}",
                    rs.id, dir_text
                ))
            }
            RuleSetKind::SecurityGroup => {
                let peer = if dir == Some(Direction::Outbound) {
                    format!("to {dst_sel}")
                } else {
                    format!("from {src_sel}")
                };
                Some(format!(
                    "add an {dir_text}rule to security group {} allowing {proto}{flow_ports} {peer}",
                    rs.id
                ))
            }
            RuleSetKind::Firewall => {
                let app = dst_end
                    .party
                    .fqdn
                    .as_ref()
                    .map(|f| format!(" (or an application rule with `fqdns: [{f}]`)"))
                    .unwrap_or_default();
                if explicit {
                    Some(format!(
                        "rule {} of {} denies this flow; if it is intended, add an allow rule with a lower priority number for {proto}{flow_ports} from {src_sel} to {dst_sel}{app}",
                        d.name, rs.id
                    ))
                } else {
                    Some(format!(
                        "add a rule to {} allowing {proto}{flow_ports} from {src_sel} to {dst_sel}{app}",
                        rs.id
                    ))
                }
            }
            RuleSetKind::Policy => {
                let zones = |p: &Party| p.zone.map_or("?".to_string(), |z| t.zone(z).id.clone());
                let (zs, zd) = (zones(&src_end.party), zones(&dst_end.party));
                if explicit {
                    Some(format!(
                        "the zone policy forbids {zs} → {zd} on this port: send the flow through the approved path (e.g. the gateway or proxy the policy allows), not around it"
                    ))
                } else {
                    Some(format!(
                        "add a zone policy allowing {zs} → {zd} {proto}{flow_ports}, with its justification and data classification"
                    ))
                }
            }
        };
        let _ = at;
        (reason, fix)
    }

    fn builtin_deny(&mut self, at: &str, name: &str, reason: String, fix: Option<String>) {
        let c = Check {
            at: at.to_string(),
            rule_set: at.to_string(),
            rule: name.to_string(),
            action: Action::Deny,
            priority: None,
            direction: None,
            kind: "builtin".to_string(),
            return_flow: false,
            default_rule: true,
            justification: None,
            classification: None,
            line: 0,
        };
        self.checks.push(c.clone());
        self.denied = Some((c, reason, fix));
    }
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
    let (dst, dns) = resolve_dst(t, &src, name, w);
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
        checks: Vec::new(),
        dns,
        via_private_endpoint: dst.via_pe.map(|p| t.endpoint(p).id.clone()),
        public: false,
        source_zone: zone_id(t, &src.party),
        destination_zone: zone_id(t, &dst.party),
        backend: None,
        backends: Vec::new(),
        fallback: None,
    };

    // Route.
    let route = build_route(t, &src, &dst, w);
    let firewalls = match route {
        Ok((path, fws, public)) => {
            tr.path = path;
            tr.public = public;
            fws
        }
        Err(NoRoute(why)) => {
            tr.path = partial_path(t, &src);
            tr.reason = why;
            // A what-if that switched off an end explains itself: no design fix to suggest.
            let switched_off = [src.ep, dst.ep, dst.via_pe]
                .into_iter()
                .flatten()
                .any(|e| w.endpoint_down(t, e));
            if !switched_off {
                tr.fix = no_route_fix(t, &src, &dst);
            }
            tr.fallback = fallback(t, &dst, &tr, w);
            return Ok(tr);
        }
    };

    // Enforce, in path order.
    let mut en = Enforcer {
        t,
        w,
        flow_protocol: protocol,
        port: port.map(PortSet::single),
        checks: Vec::new(),
        denied: None,
        src: &src,
        dst: &dst,
    };
    let mut go = true;
    if let Some(s) = src.subnet.filter(|_| !src.outside) {
        let sub = t.subnet(s);
        go = en.run_sets(
            &sub.rule_sets,
            &sub.id,
            Direction::Outbound,
            Some(sub.network),
        );
    }
    if go && let Some(e) = src.ep.filter(|_| !src.outside) {
        let ep = t.endpoint(e);
        go = en.run_sets(&ep.rule_sets, &ep.id, Direction::Outbound, ep.network);
    }
    if go {
        for fw in &firewalls {
            let f = t.endpoint(*fw);
            if f.rule_sets.is_empty() {
                en.builtin_deny(
                    &f.id,
                    "default-deny",
                    format!("firewall {} has no rules, so it denies everything", f.id),
                    Some(format!(
                        "attach a firewall rule set to {} (`rules: [...]`) that allows this flow",
                        f.id
                    )),
                );
                go = false;
                break;
            }
            for rs in &f.rule_sets {
                go = en.run(t.rule_set(*rs), &f.id, None, f.network, false);
                if !go {
                    break;
                }
            }
            if !go {
                break;
            }
        }
    }
    if go && let Some(s) = dst.subnet.filter(|_| !dst.outside) {
        let sub = t.subnet(s);
        // A private endpoint's subnet rules apply only with private endpoint policies on.
        if dst.via_pe.is_none() || sub.private_endpoint_policies {
            go = en.run_sets(
                &sub.rule_sets,
                &sub.id,
                Direction::Inbound,
                Some(sub.network),
            );
        }
    }
    if go {
        // The private endpoint's own rules, then the service's.
        for e in [dst.via_pe, dst.ep].into_iter().flatten() {
            let ep = t.endpoint(e);
            go = en.run_sets(
                &ep.rule_sets,
                &ep.id,
                Direction::Inbound,
                ep.network.or(dst.network),
            );
            if !go {
                break;
            }
        }
    }
    if go
        && let (Some(pol), Some(zs), Some(zd)) = (t.zone_policy(), src.party.zone, dst.party.zone)
        && zs != zd
    {
        let at = format!("{} -> {}", t.zone(zs).id, t.zone(zd).id);
        go = en.run(pol, &at, None, src.network, false);
    }
    if go
        && tr.public
        && let Some(e) = dst.ep
    {
        let ep = t.endpoint(e);
        if ep.is_paas() && !ep.public_access {
            let pes = t.private_endpoints_of(e);
            let fix = if pes.is_empty() {
                format!(
                    "add a private endpoint for {} in a network the source can reach, and link its DNS zone there",
                    ep.id
                )
            } else {
                let names: Vec<&str> = pes.iter().map(|p| t.endpoint(*p).id.as_str()).collect();
                if tr.dns.as_ref().is_some_and(|d| !d.private) {
                    format!(
                        "{} is reachable only through {}: link the private DNS zone{} to {} (or its hub) so the name resolves privately",
                        ep.id,
                        names.join(", "),
                        t.endpoint(pes[0])
                            .dns_zone
                            .as_ref()
                            .map(|z| format!(" {z}"))
                            .unwrap_or_default(),
                        src.network.map_or("the source network".to_string(), |n| t
                            .network(n)
                            .id
                            .clone()),
                    )
                } else {
                    format!(
                        "{} is reachable only through {}: give the source a route to one of them (peering or hub)",
                        ep.id,
                        names.join(", ")
                    )
                }
            };
            en.builtin_deny(
                &ep.id,
                "public-access-disabled",
                format!(
                    "{} is reached over the internet, but its public access is disabled",
                    ep.id
                ),
                Some(fix),
            );
            go = false;
        }
    }
    if go && let (Some(e), Some(p)) = (dst.ep, port) {
        let ep = t.endpoint(e);
        let pe_ports = dst.via_pe.and_then(|pe| t.endpoint(pe).ports.clone());
        for (owner, ports) in [(dst.via_pe, pe_ports), (Some(e), ep.ports.clone())] {
            if let (Some(owner), Some(ports)) = (owner, ports)
                && !ports.contains(p)
            {
                let o = t.endpoint(owner);
                en.builtin_deny(
                    &o.id,
                    "no-listener",
                    format!(
                        "{} listens on {} only, not on {}/{p}",
                        o.id,
                        ports,
                        protocol.transport()
                    ),
                    Some(format!(
                        "call {} on {ports}, or add {p} to its `ports`",
                        o.id
                    )),
                );
                go = false;
                break;
            }
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

    tr.fallback = fallback(t, &dst, &tr, w);

    // Gateway fan-out.
    if depth < MAX_BACKEND_DEPTH
        && dst.via_pe.is_none()
        && let Some(g) = dst.ep
    {
        tr.backends = backends(t, g, port, protocol, w, depth)?;
    }
    Ok(tr)
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

/// Ids of the source end: endpoint (or address), subnet, network.
fn src_prefix(t: &Topology, src: &End) -> Vec<String> {
    let mut v = vec![src.label.clone()];
    if let Some(s) = src.subnet {
        let id = &t.subnet(s).id;
        if *id != src.label {
            v.push(id.clone());
        }
    }
    if let Some(n) = src.network {
        let id = &t.network(n).id;
        if *id != src.label {
            v.push(id.clone());
        }
    }
    v
}

fn partial_path(t: &Topology, src: &End) -> Vec<String> {
    if src.outside {
        vec![src.label.clone()]
    } else {
        src_prefix(t, src)
    }
}

fn dst_suffix(t: &Topology, dst: &End) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(s) = dst.subnet {
        v.push(t.subnet(s).id.clone());
    }
    if let Some(pe) = dst.via_pe {
        v.push(t.endpoint(pe).id.clone());
    }
    if v.last() != Some(&dst.label) {
        v.push(dst.label.clone());
    }
    v
}

type Built = (Vec<String>, Vec<EpIx>, bool);

#[allow(
    clippy::many_single_char_names,
    reason = "t (topology), w (what-if), q (query) and friends are the codebase's names"
)]
fn build_route(t: &Topology, src: &End, dst: &End, w: &WhatIf) -> Result<Built, NoRoute> {
    if let Some(e) = src.ep
        && w.endpoint_down(t, e)
    {
        return Err(NoRoute(format!(
            "{} is disabled (what-if)",
            t.endpoint(e).id
        )));
    }
    for e in [dst.ep, dst.via_pe].into_iter().flatten() {
        if w.endpoint_down(t, e) {
            return Err(NoRoute(format!(
                "{} is disabled (what-if)",
                t.endpoint(e).id
            )));
        }
    }
    match (src.outside, dst.outside) {
        (true, true) => {
            let mut p = vec![src.label.clone()];
            if src.label != "internet" {
                p.push("internet".to_string());
            }
            if dst.label != "internet" {
                p.push(dst.label.clone());
            }
            Ok((p, Vec::new(), true))
        }
        (true, false) if dst.naming == Naming::PrivateAddr => Err(NoRoute(format!(
            "no route from the internet to {}: the internet does not carry private addresses{}",
            dst.party
                .addr
                .map_or_else(|| dst.label.clone(), |a| a.to_string()),
            dst.ep.and_then(|e| public_hint(t, e)).unwrap_or_default()
        ))),
        (true, false) => {
            let reachable =
                dst.via_pe.is_none() && dst.ep.is_some_and(|e| t.endpoint(e).public_ip.is_some());
            if !reachable {
                let what = dst.via_pe.map_or_else(
                    || dst.label.clone(),
                    |pe| format!("private endpoint {}", t.endpoint(pe).id),
                );
                return Err(NoRoute(format!(
                    "no route from the internet to {what}: it has no public IP (only endpoints with `public_ip` and PaaS services are reachable from the internet)"
                )));
            }
            let mut p = vec![src.label.clone()];
            if src.label != "internet" {
                p.push("internet".to_string());
            }
            if let Some(n) = dst.network {
                p.push(t.network(n).id.clone());
            }
            p.extend(dst_suffix(t, dst));
            Ok((p, Vec::new(), false))
        }
        (false, false) if dst.naming == Naming::PublicAddr => {
            // Addressed by its public IP: out through the source's internet exit, back in.
            let (mut p, fws) = internet_leg(t, src, w)?;
            if let Some(n) = dst.network {
                p.push(t.network(n).id.clone());
            }
            p.extend(dst_suffix(t, dst));
            Ok((p, fws, true))
        }
        (false, true) => {
            let (mut p, fws) = internet_leg(t, src, w)?;
            if dst.label != "internet" {
                p.push(dst.label.clone());
            }
            Ok((p, fws, true))
        }
        (false, false) => {
            let (Some(a), Some(b)) = (src.network, dst.network) else {
                return Err(NoRoute("an end of the flow is in no network".to_string()));
            };
            let r = net_route(t, a, b, w)?;
            let mut p = src_prefix(t, src);
            for (i, n) in r.networks.iter().enumerate().skip(1) {
                p.push(t.network(*n).id.clone());
                if i + 1 < r.networks.len() {
                    p.push(t.endpoint(r.firewalls[i - 1]).id.clone());
                }
            }
            if let Some(s) = src.subnet.filter(|s| dst.subnet == Some(*s)) {
                // Same subnet: source, subnet, destination.
                p = vec![src.label.clone()];
                if t.subnet(s).id != src.label {
                    p.push(t.subnet(s).id.clone());
                }
                p.push(dst.label.clone());
            } else {
                p.extend(dst_suffix(t, dst));
            }
            p.dedup();
            Ok((p, r.firewalls, false))
        }
    }
}

/// The way from the source out to the internet: path ids up to `internet`, and the firewalls.
fn internet_leg(t: &Topology, src: &End, w: &WhatIf) -> Result<(Vec<String>, Vec<EpIx>), NoRoute> {
    let Some(net) = src.network else {
        return Err(NoRoute("the source is in no network".to_string()));
    };
    let sub_egress = src.subnet.is_some_and(|s| t.subnet(s).internet_egress);
    let r = internet_route(t, net, sub_egress, w)?;
    let mut p = src_prefix(t, src);
    let mut fw_iter = r.firewalls.iter();
    for (i, n) in r.networks.iter().enumerate() {
        if i > 0 {
            p.push(t.network(*n).id.clone());
        }
        if i > 0
            && i + 1 < r.networks.len()
            && let Some(fw) = fw_iter.next()
        {
            p.push(t.endpoint(*fw).id.clone());
        }
    }
    for fw in fw_iter {
        p.push(t.endpoint(*fw).id.clone());
    }
    p.push("internet".to_string());
    Ok((p, r.firewalls))
}

/// "(reach X by its public IP 1.2.3.4)" for an endpoint with one.
fn public_hint(t: &Topology, e: EpIx) -> Option<String> {
    let ep = t.endpoint(e);
    match ep.public_ip? {
        crate::model::PublicIp::Address(p) => {
            Some(format!(" (reach {} by its public IP {p})", ep.id))
        }
        crate::model::PublicIp::Yes => Some(format!(" (reach {} by its id or public IP)", ep.id)),
    }
}

fn no_route_fix(t: &Topology, src: &End, dst: &End) -> Option<String> {
    match (src.outside, dst.outside) {
        (true, false) => Some(format!(
            "publish {} through a public entry point (a WAF or gateway with `public_ip`), or connect from inside the network (Bastion, VPN)",
            dst.label
        )),
        (false, true) => src.network.map(|n| {
            let net = t.network(n);
            format!(
                "give {} a way out: route it through a hub firewall (`egress:` on the hub, `internet_egress: true` there), or set `internet_egress: true` if it should reach the internet directly",
                net.id
            )
        }),
        (false, false) => match (src.network, dst.network) {
            (Some(a), Some(b)) => Some(format!(
                "peer {} with {}, or send the traffic through a hub whose firewall carries spoke-to-spoke traffic (`egress:` on the hub)",
                t.network(a).id,
                t.network(b).id
            )),
            _ => None,
        },
        (true, true) => None,
    }
}
