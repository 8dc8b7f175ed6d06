//! `shadowed-rule`: a rule that can never decide because earlier rules already match every flow
//! it matches (Batfish's filterLineReachability), for NSGs, NACLs and firewalls (first match),
//! and allow rules of the zone policy that its deny rules cover (deny wins there).
//!
//! Owns: selector containment ([`covers`]) and the port-interval cover test: a rule is shadowed
//! when its ports are a subset of the union of the ports of the earlier rules whose protocol,
//! direction, sources, destinations and FQDNs each contain its own. Must never: report a rule
//! that some flow reaches (containment is checked per selector, so a rule only covered by a
//! combination of partial selectors is not reported: no false positives).

use ipnet::IpNet;

use super::{Finding, Location, Severity};
use crate::engine::policy::fqdn_matches;
use crate::model::rules::{Action, PortSet, Protocol, Rule, RuleSet, RuleSetKind, Selector};
use crate::model::{EpIx, Kind, Topology, ZoneIx};

fn ep_zone(t: &Topology, e: EpIx) -> Option<ZoneIx> {
    let ep = t.endpoint(e);
    match ep.target {
        Some(svc) if ep.kind == Kind::PrivateEndpoint => t.endpoint(svc).zone,
        _ => ep.zone,
    }
}

fn all_in(c: &IpNet, nets: &[IpNet]) -> bool {
    !nets.is_empty() && nets.iter().all(|n| c.contains(n))
}

/// Whether every party that selector `b` matches is matched by selector `a`.
#[allow(
    clippy::many_single_char_names,
    reason = "a and b are the two selectors; c, d, e, n, s, z name what they hold"
)]
pub fn covers(t: &Topology, a: &Selector, b: &Selector) -> bool {
    use Selector as S;
    if matches!(b, S::UnknownTag(_)) {
        // Matches nothing: reported as `unknown-service-tag`, not as shadowed.
        return false;
    }
    if a == b {
        return true;
    }
    match (a, b) {
        (S::Any, _) => true,
        (S::Zone(z), S::Subnet(s)) => t.subnet(*s).zone == Some(*z),
        (S::Zone(z), S::Endpoint(e)) => ep_zone(t, *e) == Some(*z),
        (S::Zone(z), S::Network(n)) => {
            let subs = &t.network(*n).subnets;
            !subs.is_empty() && subs.iter().all(|s| t.subnet(*s).zone == Some(*z))
        }
        (S::Network(n), S::Subnet(s)) => t.subnet(*s).network == *n,
        (S::Network(n), S::Endpoint(e)) => t.endpoint(*e).network == Some(*n),
        (S::Subnet(s), S::Endpoint(e)) => t.endpoint(*e).subnet == Some(*s),
        (S::Cidr(c), S::Cidr(d)) => c.contains(d),
        (S::Cidr(c), S::Subnet(s)) => all_in(c, &t.subnet(*s).cidrs),
        (S::Cidr(c), S::Network(n)) => all_in(c, &t.network(*n).cidrs),
        (S::Cidr(c), S::Endpoint(e)) => {
            let ep = t.endpoint(*e);
            match (ep.ip, ep.subnet) {
                (Some(ip), _) => c.contains(&ip),
                (None, Some(s)) => all_in(c, &t.subnet(s).cidrs),
                (None, None) => c.prefix_len() == 0,
            }
        }
        (S::Cidr(c), S::Tag(i)) => t
            .service_tags()
            .get(*i)
            .is_some_and(|tag| all_in(c, &tag.cidrs)),
        (S::Cidr(c), S::Internet) => c.prefix_len() == 0,
        (S::Tag(i), S::Cidr(d)) => t
            .service_tags()
            .get(*i)
            .is_some_and(|tag| tag.cidrs.iter().any(|c| c.contains(d))),
        (S::Internet, S::Cidr(d)) => !t
            .networks()
            .iter()
            .flat_map(|n| n.cidrs.iter())
            .any(|n| n.contains(d) || d.contains(n)),
        (S::Fqdn(f), S::Fqdn(g)) => !g.contains('*') && !g.starts_with('.') && fqdn_matches(f, g),
        _ => false,
    }
}

fn protocol_covers(a: Protocol, b: Protocol) -> bool {
    match (a.transport(), b.transport()) {
        (Protocol::Any, _) => true,
        (_, Protocol::Any) => false,
        (x, y) => x == y,
    }
}

/// Whether rule `a` matches every flow rule `b` matches, ports aside.
fn header_covers(t: &Topology, a: &Rule, b: &Rule) -> bool {
    if a.direction != b.direction && a.direction.is_some() {
        return false;
    }
    if !protocol_covers(a.protocol, b.protocol) {
        return false;
    }
    if !a.fqdns.is_empty()
        && (b.fqdns.is_empty()
            || !b.fqdns.iter().all(|g| {
                !g.contains('*')
                    && !g.starts_with('.')
                    && a.fqdns.iter().any(|f| fqdn_matches(f, g))
            }))
    {
        return false;
    }
    let all = |xs: &[Selector], ys: &[Selector]| {
        !ys.is_empty() && ys.iter().all(|y| xs.iter().any(|x| covers(t, x, y)))
    };
    all(&a.sources, &b.sources) && all(&a.destinations, &b.destinations)
}

fn ports_of(r: &Rule) -> PortSet {
    // ICMP has no ports: an ICMP rule matches whatever its ports say.
    if r.protocol.transport() == Protocol::Icmp {
        PortSet::all()
    } else {
        r.ports.clone()
    }
}

fn name(r: &Rule) -> String {
    match r.priority {
        Some(p) => format!("{} ({p})", r.id),
        None => r.id.clone(),
    }
}

fn shadowed_in(t: &Topology, rs: &RuleSet, out: &mut Vec<Finding>) {
    let first_match = matches!(
        rs.kind,
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall
    );
    for (j, b) in rs.rules.iter().enumerate() {
        if b.default_rule {
            continue;
        }
        let candidates: Vec<&Rule> = if first_match {
            rs.rules[..j].iter().collect()
        } else if rs.kind == RuleSetKind::Policy && b.action == Action::Allow {
            rs.rules
                .iter()
                .filter(|r| r.action == Action::Deny)
                .collect()
        } else {
            continue;
        };
        let want = ports_of(b);
        let mut covered = PortSet::empty();
        let mut by: Vec<&Rule> = Vec::new();
        for a in candidates {
            if !header_covers(t, a, b) {
                continue;
            }
            let p = ports_of(a).intersect(&want);
            if p.is_empty() {
                continue;
            }
            covered = covered.union(&p);
            by.push(a);
            if want.is_subset(&covered) {
                break;
            }
        }
        if by.is_empty() || !want.is_subset(&covered) {
            continue;
        }
        let conflict = by.iter().any(|a| a.action != b.action);
        let names: Vec<String> = by.iter().map(|a| name(a)).collect();
        let effect = if conflict {
            format!(
                "so its {} never applies: those flows are {} instead",
                b.action,
                by.iter()
                    .map(|a| a.action.as_str())
                    .collect::<Vec<_>>()
                    .join("/")
            )
        } else {
            "so it is redundant".to_string()
        };
        let how = if first_match {
            format!(
                "earlier rule{} {} already match{} every flow it matches ({}/{})",
                if by.len() == 1 { "" } else { "s" },
                names.join(", "),
                if by.len() == 1 { "es" } else { "" },
                b.protocol,
                b.ports
            )
        } else {
            format!(
                "deny rule{} {} cover{} every flow it allows, and a deny wins in a zone policy",
                if by.len() == 1 { "" } else { "s" },
                names.join(", "),
                if by.len() == 1 { "s" } else { "" }
            )
        };
        out.push(Finding {
            id: "shadowed-rule".into(),
            severity: if conflict {
                Severity::Error
            } else {
                Severity::Warning
            },
            message: format!(
                "{} {} rule {} can never match: {how}, {effect}",
                rs.kind.label(),
                rs.id,
                name(b)
            ),
            subject: format!("{}/{}", rs.id, b.id),
            location: Location::of(t, b.at),
            fix: Some(if conflict {
                format!(
                    "give {} a higher priority (a lower number) than {}, or narrow {}",
                    b.id,
                    names.join(", "),
                    by.iter()
                        .map(|a| a.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("remove {} (or change what it matches)", b.id)
            }),
            evidence: None,
        });
    }
}

/// Every `shadowed-rule` finding.
pub fn shadowed_rules(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    for rs in t.rule_sets().iter().chain(t.zone_policy()) {
        shadowed_in(t, rs, &mut out);
    }
    out
}
