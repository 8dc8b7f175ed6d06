//! Reachability findings (SPEC §6): `app-direct-ai`, `lateral-movement`, `data-egress`,
//! `inference-egress`, `sandbox-egress`, `management-exposed` and `public-fallback`.
//!
//! Owns: which sources and destinations each finding is about (by zone role and endpoint
//! kind), and turning an exact [`Reach`] into a [`Finding`] whose evidence is a real trace on a
//! witness port. Must never: sample ports or endpoints (the [`Engine`] answers exactly, over
//! every port, for every member of a group), or report a flow its trace does not allow.

use std::net::IpAddr;

use super::{Finding, Location, Role, Severity, role_of};
use crate::engine::reach::{Engine, External, Group, Reach, Target, addr_party, src_party};
use crate::engine::trace::{Trace, dns_lookup, trace};
use crate::model::rules::PortSet;
use crate::model::{DnsTarget, EpIx, Kind, Topology, Verdict};

/// Replay one flow of `reach` with the trace engine: the evidence. `None` when the trace does
/// not allow it (which would be a bug of the exact engine: never report it).
fn confirm(
    eng: &Engine<'_>,
    from: &str,
    target: &Target,
    name: Option<&str>,
    r: &Reach,
) -> Option<Trace> {
    let (proto, port) = r.witness()?;
    let (mut q, w) = eng.query(from, target, proto, port);
    if let Some(n) = name {
        q.to = n.to_string();
    }
    let tr = trace(eng.t, &q, &w).ok()?;
    debug_assert!(
        tr.verdict == Verdict::Allow,
        "exact reach {} for {from} -> {} not confirmed: {}",
        r.text(),
        q.to,
        tr.reason
    );
    (tr.verdict == Verdict::Allow).then_some(tr)
}

/// The flow and its deciding rules, in one line.
pub fn evidence_line(tr: &Trace) -> String {
    let rules: Vec<String> = tr
        .checks
        .iter()
        .filter(|c| c.is_rule())
        .map(|c| {
            let p = c.priority.map(|p| format!(" ({p})")).unwrap_or_default();
            format!("{}/{}{p}", c.rule_set, c.rule)
        })
        .collect();
    let port = tr.port.map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{} -> {}{port}/{} allowed via {}; rules: {}",
        tr.from,
        tr.to,
        tr.protocol,
        tr.path.join(" → "),
        if rules.is_empty() {
            "none on the path".to_string()
        } else {
            rules.join(", ")
        }
    )
}

fn who(t: &Topology, g: &Group) -> String {
    let rep = &t.endpoint(g.rep).id;
    match g.members.len() {
        1 => rep.clone(),
        n => {
            let place = t
                .endpoint(g.rep)
                .subnet
                .map_or(String::new(), |s| format!(" in {}", t.subnet(s).id));
            format!("{rep} (and {} more like it{place})", n - 1)
        }
    }
}

fn loc(t: &Topology, e: EpIx) -> Location {
    Location::of(t, t.endpoint(e).at)
}

fn in_subnet(t: &Topology, g: &Group) -> bool {
    t.endpoint(g.rep).subnet.is_some()
}

/// How a source reaches a service by its name: the private answer of the DNS zones linked to
/// its network, else the public one.
fn by_name(t: &Topology, src: EpIx, svc: EpIx) -> Option<(String, Target)> {
    let fqdn = t.endpoint(svc).fqdn.clone()?;
    let target = match dns_lookup(t, t.endpoint(src).network, &fqdn) {
        Some((DnsTarget::Address(a), _, _)) => Target::Addr(a),
        Some((DnsTarget::Endpoint(pe), _, _)) => Target::Ep(pe),
        None => Target::Public(svc),
    };
    Some((fqdn, target))
}

fn how(t: &Topology, r: &Reach, target: &Target) -> String {
    match (r.via_pe, target) {
        (Some(pe), _) => format!("through private endpoint {}", t.endpoint(pe).id),
        (None, Target::Public(_)) => "over the internet".to_string(),
        _ => "directly".to_string(),
    }
}

/// `app-direct-ai`: an application endpoint (not a gateway or proxy) reaches an AI service on
/// some port, by id or by name.
fn app_direct_ai(eng: &Engine<'_>, groups: &[Group], out: &mut Vec<Finding>) {
    let t = eng.t;
    let services: Vec<EpIx> = (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| {
            let ep = t.endpoint(*e);
            ep.kind != Kind::PrivateEndpoint
                && (ep.kind == Kind::AiService || role_of(t, ep.zone) == Some(Role::ExternalAi))
        })
        .collect();
    for g in groups.iter().filter(|g| in_subnet(t, g)) {
        let ep = t.endpoint(g.rep);
        if role_of(t, ep.zone) != Some(Role::App)
            || matches!(ep.kind, Kind::Gateway | Kind::ModelProxy | Kind::Firewall)
        {
            continue;
        }
        let src = src_party(t, g.rep);
        for &svc in &services {
            let mut flows: Vec<(Target, Option<String>, Reach)> = Vec::new();
            let r = eng.reach(&src, &Target::Ep(svc));
            if r.any() {
                flows.push((Target::Ep(svc), None, r));
            }
            if let Some((name, target)) = by_name(t, g.rep, svc) {
                let r = eng.reach(&src, &target);
                if r.any() {
                    flows.push((target, Some(name), r));
                }
            }
            let Some((target, name, r)) = flows.first() else {
                continue;
            };
            let Some(tr) = confirm(eng, &ep.id, target, name.as_deref(), r) else {
                continue;
            };
            let s = t.endpoint(svc);
            let ways: Vec<String> = flows
                .iter()
                .map(|(tg, n, r)| {
                    let what = n
                        .as_ref()
                        .map_or_else(|| s.id.clone(), |n| format!("by its name {n}"));
                    format!("{what} on {} {}", r.text(), how(t, r, tg))
                })
                .collect();
            out.push(Finding {
                id: "app-direct-ai".into(),
                severity: Severity::Error,
                message: format!(
                    "application endpoint {} reaches AI service {} without the gateway or proxy: {}",
                    who(t, g),
                    s.id,
                    ways.join("; ")
                ),
                subject: ep.id.clone(),
                location: loc(t, g.rep),
                fix: Some(format!(
                    "deny {} → {} where the path allows it ({}), e.g. a zone policy deny application → {}, and call models only through the gateway",
                    ep.id,
                    s.id,
                    tr.decided_by
                        .as_ref()
                        .map_or("the source NSG".to_string(), |d| format!("{}/{}", d.rule_set, d.rule)),
                    s.zone.map_or("external_ai".to_string(), |z| t.zone(z).id.clone())
                )),
                evidence: Some(tr),
            });
        }
    }
}

/// `lateral-movement`: an application endpoint reaches a data-zone endpoint directly.
fn lateral_movement(eng: &Engine<'_>, groups: &[Group], out: &mut Vec<Finding>) {
    let t = eng.t;
    let data: Vec<&Group> = groups
        .iter()
        .filter(|g| role_of(t, t.endpoint(g.rep).zone) == Some(Role::Data))
        .collect();
    for g in groups.iter().filter(|g| in_subnet(t, g)) {
        let ep = t.endpoint(g.rep);
        if role_of(t, ep.zone) != Some(Role::App) || ep.kind == Kind::Firewall {
            continue;
        }
        let src = src_party(t, g.rep);
        let mut memo: std::collections::HashMap<Option<crate::model::ZoneIx>, bool> =
            std::collections::HashMap::new();
        for d in &data {
            let target = Target::Ep(d.rep);
            let dz = t.endpoint(d.rep).zone;
            if *memo.entry(dz).or_insert_with(|| eng.forbids(&src, &target)) {
                continue;
            }
            let r = eng.reach(&src, &target);
            if !r.any() {
                continue;
            }
            let Some(tr) = confirm(eng, &ep.id, &target, None, &r) else {
                continue;
            };
            let de = t.endpoint(d.rep);
            out.push(Finding {
                id: "lateral-movement".into(),
                severity: Severity::Error,
                message: format!(
                    "application endpoint {} reaches data endpoint {} on {} {}: only the inference layer should",
                    who(t, g),
                    who(t, d),
                    r.text(),
                    how(t, &r, &target)
                ),
                subject: ep.id.clone(),
                location: loc(t, g.rep),
                fix: Some(format!(
                    "deny application → data (a zone policy deny, or a deny for {} in the rules of {}), and let only the inference layer reach {}",
                    ep.subnet.map_or(ep.id.clone(), |s| t.subnet(s).id.clone()),
                    de.subnet.map_or(de.id.clone(), |s| t.subnet(s).id.clone()),
                    de.id
                )),
                evidence: Some(tr),
            });
        }
    }
}

/// `data-egress`, `inference-egress`, `sandbox-egress`: the zone reaches internet addresses.
fn egress(eng: &Engine<'_>, groups: &[Group], ext: &[External], out: &mut Vec<Finding>) {
    let t = eng.t;
    for g in groups.iter().filter(|g| in_subnet(t, g)) {
        let ep = t.endpoint(g.rep);
        if ep.kind == Kind::Firewall {
            continue;
        }
        let role = role_of(t, ep.zone);
        let (id, zone_word) = if ep.kind == Kind::Sandbox || role == Some(Role::Sandbox) {
            ("sandbox-egress", "sandbox")
        } else if role == Some(Role::Data) {
            ("data-egress", "data")
        } else if role == Some(Role::Inference) {
            ("inference-egress", "inference")
        } else {
            continue;
        };
        let src = src_party(t, g.rep);
        let mut hits: Vec<(&External, Reach)> = Vec::new();
        for x in ext {
            let r = eng.reach(&src, &x.target);
            if r.any() {
                hits.push((x, r));
            }
        }
        if hits.is_empty() {
            continue;
        }
        // Evidence: the open internet first, if it is reached.
        hits.sort_by_key(|(x, _)| x.specific);
        let open = hits.iter().any(|(x, _)| !x.specific);
        let Some(tr) = confirm(eng, &ep.id, &hits[0].0.target, None, &hits[0].1) else {
            continue;
        };
        let severity = match (open, id) {
            (true, _) => Severity::Error,
            (false, "inference-egress") => Severity::Info,
            (false, _) => Severity::Warning,
        };
        let list: Vec<String> = hits
            .iter()
            .take(6)
            .map(|(x, r)| format!("{} on {}", x.label, r.text()))
            .collect();
        let more = hits.len().saturating_sub(6);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let scope = if open {
            "the internet"
        } else {
            "allow-listed internet destinations only"
        };
        out.push(Finding {
            id: id.into(),
            severity,
            message: format!(
                "{zone_word} endpoint {} reaches {scope}: {}{more}",
                who(t, g),
                list.join(", ")
            ),
            subject: ep.id.clone(),
            location: loc(t, g.rep),
            fix: Some(if open {
                format!(
                    "remove the way out for {}: no `internet_egress` on its subnet or network, and a deny to Internet in its NSG or the egress firewall (only approved private endpoints)",
                    ep.subnet.map_or(ep.id.clone(), |s| t.subnet(s).id.clone())
                )
            } else {
                "check that each allow-listed destination is a required platform dependency; prefer private endpoints".to_string()
            }),
            evidence: Some(tr),
        });
    }
}

/// `management-exposed`: a management endpoint is reachable from the internet.
fn management_exposed(
    eng: &Engine<'_>,
    groups: &[Group],
    ext: &[External],
    out: &mut Vec<Finding>,
) {
    let t = eng.t;
    let sources: Vec<(&External, IpAddr)> = ext
        .iter()
        .filter_map(|x| match x.target {
            Target::Addr(a) => Some((x, a)),
            _ => None,
        })
        .collect();
    for g in groups {
        let ep = t.endpoint(g.rep);
        let mgmt = role_of(t, ep.zone) == Some(Role::Management)
            || matches!(ep.kind, Kind::Jumpbox | Kind::Secrets);
        // Bastions and VPN gateways are the designed entry points of the management plane.
        if !mgmt || matches!(ep.kind, Kind::Firewall | Kind::Bastion | Kind::VpnGateway) {
            continue;
        }
        let target = Target::Ep(g.rep);
        let mut hits: Vec<(&External, IpAddr, Reach)> = Vec::new();
        for (x, a) in &sources {
            let r = eng.reach(&addr_party(t, *a), &target);
            if r.any() {
                hits.push((x, *a, r));
            }
        }
        if hits.is_empty() {
            continue;
        }
        hits.sort_by_key(|(x, _, _)| x.specific);
        let open = hits.iter().any(|(x, _, _)| !x.specific);
        let (_, a, r) = &hits[0];
        let Some(tr) = confirm(eng, &a.to_string(), &target, None, r) else {
            continue;
        };
        let mut all = PortSet::empty();
        for (_, _, r) in &hits {
            all = all.union(&r.tcp);
        }
        let list: Vec<String> = hits
            .iter()
            .take(6)
            .map(|(x, _, r)| format!("from {} on {}", x.label, r.text()))
            .collect();
        out.push(Finding {
            id: "management-exposed".into(),
            severity: if open { Severity::Error } else { Severity::Warning },
            message: format!(
                "management endpoint {} is reachable from the internet: {}",
                who(t, g),
                list.join(", ")
            ),
            subject: ep.id.clone(),
            location: loc(t, g.rep),
            fix: Some(if ep.is_paas() {
                format!("set `public_access: disabled` on {} and reach it through a private endpoint", ep.id)
            } else {
                format!(
                    "remove the public IP of {} and the inbound allow from the internet; reach it only through a bastion or VPN",
                    ep.id
                )
            }),
            evidence: Some(tr),
        });
    }
}

/// `public-fallback`: a client reaches a service through its private endpoint and also over the
/// internet (what it falls back to when the private endpoint fails).
fn public_fallback(eng: &Engine<'_>, groups: &[Group], out: &mut Vec<Finding>) {
    let t = eng.t;
    let services: Vec<EpIx> = (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| {
            let ep = t.endpoint(*e);
            ep.is_paas() && ep.public_access && !t.private_endpoints_of(*e).is_empty()
        })
        .collect();
    for &svc in &services {
        for g in groups.iter().filter(|g| in_subnet(t, g)) {
            let ep = t.endpoint(g.rep);
            if ep.kind == Kind::Firewall {
                continue;
            }
            let src = src_party(t, g.rep);
            let private = eng.reach(&src, &Target::Ep(svc));
            if private.via_pe.is_none() || !private.any() {
                continue;
            }
            let public = eng.reach(&src, &Target::Public(svc));
            if !public.any() {
                continue;
            }
            let Some(tr) = confirm(eng, &ep.id, &Target::Public(svc), None, &public) else {
                continue;
            };
            let s = t.endpoint(svc);
            out.push(Finding {
                id: "public-fallback".into(),
                severity: Severity::Error,
                message: format!(
                    "{} reaches {} privately ({} {}) and also over the internet ({}) when its private endpoints are down: a silent public fallback",
                    who(t, g),
                    s.id,
                    private.text(),
                    how(t, &private, &Target::Ep(svc)),
                    public.text()
                ),
                subject: ep.id.clone(),
                location: loc(t, g.rep),
                fix: Some(format!(
                    "set `public_access: disabled` on {} (and deny its internet egress), so the client fails instead of falling back",
                    s.id
                )),
                evidence: Some(tr),
            });
        }
    }
}

/// The outside classes that really are the internet: a class of private, special-purpose or
/// platform addresses is not (a rule naming 10.0.0.0/8 does not make 10.0.0.1 "the internet";
/// `external_classes` never mixes the two kinds in one class). Names (FQDN rules) stay.
pub fn internet_only(ext: &[External]) -> Vec<External> {
    use crate::engine::reach::is_internet;
    ext.iter()
        .filter(|x| match x.target {
            Target::Addr(a) => is_internet(a),
            _ => true,
        })
        .cloned()
        .collect()
}

/// Every reachability finding.
pub fn findings(eng: &Engine<'_>, groups: &[Group], ext: &[External]) -> Vec<Finding> {
    let ext = &internet_only(ext);
    let mut out = Vec::new();
    app_direct_ai(eng, groups, &mut out);
    lateral_movement(eng, groups, &mut out);
    egress(eng, groups, ext, &mut out);
    management_exposed(eng, groups, ext, &mut out);
    public_fallback(eng, groups, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use crate::engine::reach::is_internet;

    /// Truth rows from the IANA special-purpose registries (RFC 6890) and Azure's docs.
    #[test]
    fn internet_addresses_are_public_and_not_platform() {
        let rows: [(&str, bool); 14] = [
            ("8.8.8.8", true),          // public unicast
            ("11.0.0.1", true),         // public, just above 10/8
            ("10.0.0.1", false),        // RFC 1918
            ("172.16.5.4", false),      // RFC 1918
            ("192.168.1.1", false),     // RFC 1918
            ("100.64.0.1", false),      // RFC 6598 shared address space
            ("127.0.0.1", false),       // loopback
            ("169.254.169.254", false), // link-local; Azure IMDS
            ("168.63.129.16", false),   // Azure platform (what-is-ip-address-168-63-129-16)
            ("198.18.0.1", false),      // RFC 2544 benchmarking
            ("240.0.0.1", false),       // reserved
            ("2606:4700::1111", true),  // IPv6 global unicast
            ("fd00::1", false),         // RFC 4193 unique local
            ("2001:db8::1", false),     // RFC 3849 documentation
        ];
        for (a, want) in rows {
            assert_eq!(is_internet(a.parse().unwrap()), want, "{a}");
        }
    }

    use crate::engine::reach::{Target, external_classes};

    /// A rule address half private, half public (10.0.0.0/7 = 10/8, RFC 1918, and 11/8, public
    /// per the IANA IPv4 special-purpose registry): the public half is an internet class of its
    /// own, so `internet_only` keeps it; the private half is never its representative.
    #[test]
    fn a_half_private_rule_address_keeps_its_public_half_as_internet() {
        let text = "version: 1\nzones: [{id: application}]\nnetworks:\n  - id: n\n    region: eastus\n    cidr: 172.20.0.0/16\n    subnets:\n      - { id: s, cidr: 172.20.1.0/24, zone: application, rules: [nsg] }\nendpoints:\n  - { id: vm, kind: app, subnet: s, ip: 172.20.1.4 }\nrule_sets:\n  - id: nsg\n    kind: nsg\n    rules:\n      - { id: odd, priority: 100, direction: outbound, action: allow, protocol: tcp, destination: 10.0.0.0/7, ports: 443 }\n";
        let t = crate::model::load_str(text, "half.yaml").unwrap();
        let ext = external_classes(&t);
        let addrs: Vec<std::net::IpAddr> = ext
            .iter()
            .filter_map(|x| match x.target {
                Target::Addr(a) => Some(a),
                _ => None,
            })
            .collect();
        let in11 = |a: &std::net::IpAddr| a.to_string().starts_with("11.");
        assert!(addrs.iter().any(in11), "{addrs:?}");
        let kept = super::internet_only(&ext);
        assert!(
            kept.iter()
                .any(|x| matches!(x.target, Target::Addr(a) if in11(&a))),
            "the public half of 10.0.0.0/7 is the internet"
        );
        // Every kept address class is the internet; every dropped one is not.
        for x in &ext {
            if let Target::Addr(a) = x.target {
                let k = kept.iter().any(|y| y.target == x.target);
                assert_eq!(k, is_internet(a), "{a}");
            }
        }
    }
}
