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

use super::shadow_index::{Group, Index};
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

/// The earlier rules (or, in a zone policy, the deny rules) that cover `b`, in order, up to the
/// first prefix of them whose ports cover `b`'s; empty when they never do. Only the groups the
/// index offers are tested, and a group's running union of ports answers whether they cover:
/// a rule set is swept once, not pair by pair.
fn covering<'r>(t: &Topology, rules: &'r [Rule], index: &Index, b: &Rule) -> Vec<&'r Rule> {
    let want = ports_of(b);
    let groups: Vec<&Group> = index
        .candidates(t, b)
        .into_iter()
        .map(|g| &index.groups[g])
        .filter(|g| header_covers(t, &rules[g.head], b))
        .collect();
    let mut rest = want.clone();
    for g in &groups {
        rest = g.ports.remaining(&rest);
        if rest.is_empty() {
            break;
        }
    }
    if groups.is_empty() || !rest.is_empty() {
        return Vec::new();
    }
    // The members in rule order (a lazy merge of the groups' ascending lists), as the rule set
    // evaluates them, until their ports cover `b`'s.
    let mut heap: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize, usize)>> = groups
        .iter()
        .enumerate()
        .filter_map(|(gi, g)| g.members.first().map(|&m| std::cmp::Reverse((m, gi, 0))))
        .collect();
    let mut covered = PortSet::empty();
    let mut by = Vec::new();
    while let Some(std::cmp::Reverse((m, gi, k))) = heap.pop() {
        if let Some(&next) = groups[gi].members.get(k + 1) {
            heap.push(std::cmp::Reverse((next, gi, k + 1)));
        }
        let a = &rules[m];
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
    by
}

fn shadowed_in(t: &Topology, rs: &RuleSet, out: &mut Vec<Finding>) {
    let first_match = matches!(
        rs.kind,
        RuleSetKind::Nsg | RuleSetKind::Nacl | RuleSetKind::Firewall
    );
    let mut index = Index::default();
    if rs.kind == RuleSetKind::Policy {
        // A deny wins wherever it stands: every deny rule covers every allow rule.
        for (i, a) in rs.rules.iter().enumerate() {
            if a.action == Action::Deny {
                index.add(i, a, &ports_of(a));
            }
        }
    } else if !first_match {
        return;
    }
    for (j, b) in rs.rules.iter().enumerate() {
        let by = if b.default_rule || (!first_match && b.action != Action::Allow) {
            Vec::new()
        } else {
            covering(t, &rs.rules, &index, b)
        };
        if first_match {
            // From here on, `b` is an earlier rule.
            index.add(j, b, &ports_of(b));
        }
        if by.is_empty() {
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

#[cfg(test)]
mod tests {
    //! The sweep must find exactly what the pairwise definition finds (Batfish's
    //! filterLineReachability: a line is unreachable when earlier lines match all it matches).
    use super::*;

    /// The definition, pair by pair (the quadratic algorithm the index replaced).
    fn naive(t: &Topology) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for rs in t.rule_sets().iter().chain(t.zone_policy()) {
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
                let mut by = Vec::new();
                for a in candidates {
                    if !header_covers(t, a, b) {
                        continue;
                    }
                    let p = ports_of(a).intersect(&want);
                    if p.is_empty() {
                        continue;
                    }
                    covered = covered.union(&p);
                    by.push(a.id.clone());
                    if want.is_subset(&covered) {
                        break;
                    }
                }
                if !by.is_empty() && want.is_subset(&covered) {
                    out.push((format!("{}/{}", rs.id, b.id), by));
                }
            }
        }
        out
    }

    fn swept(t: &Topology) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for rs in t.rule_sets().iter().chain(t.zone_policy()) {
            let mut f = Vec::new();
            shadowed_in(t, rs, &mut f);
            for x in f {
                out.push((x.subject, Vec::new()));
            }
        }
        out
    }

    fn same(t: &Topology) {
        let n = naive(t);
        let s = swept(t);
        let subjects: Vec<&String> = n.iter().map(|x| &x.0).collect();
        assert_eq!(subjects, s.iter().map(|x| &x.0).collect::<Vec<_>>());
        // The message names the same covering rules.
        let msgs = shadowed_rules(t);
        for ((_, by), f) in n.iter().zip(&msgs) {
            for id in by {
                assert!(f.message.contains(id.as_str()), "{id}: {}", f.message);
            }
        }
    }

    #[test]
    fn the_sweep_agrees_with_the_pairwise_definition_on_generated_designs() {
        for seed in 1..=4 {
            let p = crate::generate::GenParams {
                regions: 2,
                spokes: 3,
                subnets: 4,
                endpoints: 3,
                seed,
            };
            let t = crate::model::load_str(&crate::generate::generate(&p), "gen.yaml").unwrap();
            same(&t);
        }
    }

    #[test]
    fn the_sweep_agrees_on_every_kind_of_selector() {
        let text = r#"
version: 1
zones: [{ id: application }, { id: data }]
service_tags:
  AzureMonitor: [20.0.0.0/8]
networks:
  - id: vnet
    cidr: 10.0.0.0/16
    subnets:
      - { id: snet-app, cidr: 10.0.1.0/24, zone: application }
      - { id: snet-data, cidr: 10.0.3.0/24, zone: data, rules: [nsg] }
endpoints:
  - { id: db, kind: vector_db, subnet: snet-data, ip: 10.0.3.4 }
  - { id: web, kind: app, subnet: snet-app, ip: 10.0.1.4 }
rule_sets:
  - id: nsg
    kind: nsg
    rules:
      - { id: a, priority: 100, direction: inbound, action: allow, protocol: tcp, source: 10.0.0.0/16, destination: snet-data, ports: "1000-2000" }
      - { id: b, priority: 110, direction: inbound, action: deny, protocol: any, source: application, destination: "*", ports: "2001-3000" }
      - { id: c, priority: 120, direction: inbound, action: deny, protocol: tcp, source: snet-app, destination: db, ports: "1500-2500" }
      - { id: d, priority: 130, direction: inbound, action: deny, protocol: tcp, source: web, destination: db, ports: "1500-3001" }
      - { id: e, priority: 140, direction: inbound, action: allow, protocol: tcp, source: AzureMonitor, destination: vnet, ports: 443 }
      - { id: f, priority: 150, direction: inbound, action: allow, protocol: tcp, source: 20.1.2.3, destination: snet-data, ports: 443 }
      - { id: g, priority: 160, direction: inbound, action: deny, protocol: udp, source: Internet, destination: "*", ports: 53 }
      - { id: h, priority: 170, direction: inbound, action: deny, protocol: udp, source: 8.8.8.8/32, destination: 10.0.3.0/24, ports: 53 }
      - { id: i, priority: 180, direction: inbound, action: deny, protocol: udp, source: "*", destination: 10.0.3.0/25, ports: "1-100" }
      - { id: j, priority: 190, direction: inbound, action: deny, protocol: udp, source: 10.0.1.0/24, destination: db, ports: "50-60" }
      - { id: k, priority: 200, direction: inbound, action: allow, protocol: icmp, source: "*", destination: "*" }
      - { id: l, priority: 210, direction: inbound, action: allow, protocol: icmp, source: web, destination: db }
"#;
        let t = crate::model::load_str(text, "kinds.yaml").unwrap();
        same(&t);
        let subjects: Vec<String> = swept(&t).into_iter().map(|x| x.0).collect();
        // c: a and b; d: 3001 open; f: e (the tag holds 20.1.2.3, the VNet holds snet-data);
        // h: g (8.8.8.8 is outside every network); j: i; l: k.
        for s in ["nsg/c", "nsg/f", "nsg/h", "nsg/j", "nsg/l"] {
            assert!(subjects.iter().any(|x| x == s), "{s}: {subjects:?}");
        }
        assert!(!subjects.iter().any(|x| x == "nsg/d"), "{subjects:?}");
    }
}
