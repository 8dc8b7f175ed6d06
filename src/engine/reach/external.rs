//! The internet as rules see it (exact reachability's external ends): one representative
//! address per class of outside addresses every rule CIDR, service tag, route prefix and
//! network treats alike, and one name per FQDN a rule names; which addresses are the public
//! internet at all.
//!
//! Owns: [`External`], [`external_classes`], [`is_internet`]. Must never: evaluate a rule set,
//! route, or print.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use ipnet::IpNet;

use super::{Target, all_selectors};
use crate::model::Topology;
use crate::model::rules::Selector;

/// One class of internet addresses (or one FQDN) that every rule treats alike.
#[derive(Debug, Clone)]
pub struct External {
    pub target: Target,
    /// How a person would name it: `8.8.8.8 (any internet address)`, `service tag Storage`.
    pub label: String,
    /// Named by a service tag, a narrow rule address (/16 or longer) or an FQDN rule: an
    /// allow-listed destination rather than the open internet.
    pub specific: bool,
}

/// The addresses that are not the public internet: the IANA special-purpose ranges (RFC 6890:
/// <https://www.iana.org/assignments/iana-ipv4-special-registry>,
/// <https://www.iana.org/assignments/iana-ipv6-special-registry>) — private, shared (CGNAT),
/// loopback, link-local, documentation, benchmarking, multicast, reserved — and Azure's
/// platform addresses, reached from every VM without leaving Azure: the wire server
/// 168.63.129.16 (<https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16>)
/// and the instance metadata service 169.254.169.254 (inside link-local). In IPv6 only global
/// unicast 2000::/3 is the internet, less documentation 2001:db8::/32.
const NOT_INTERNET: [&str; 17] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/3",
    "168.63.129.16/32",
    "::/3",
    "4000::/2",
    "2001:db8::/32",
];

/// [`NOT_INTERNET`] parsed, and 8000::/1 (with 4000::/2 and ::/3, all of IPv6 but 2000::/3).
static NOT_INTERNET_NETS: LazyLock<Vec<IpNet>> = LazyLock::new(|| {
    NOT_INTERNET
        .iter()
        .filter_map(|c| c.parse::<IpNet>().ok())
        .chain(
            ipnet::Ipv6Net::new(Ipv6Addr::from(1u128 << 127), 1)
                .ok()
                .map(IpNet::V6),
        )
        .collect()
});

/// Whether an address is on the public internet (see [`NOT_INTERNET`]).
pub fn is_internet(a: IpAddr) -> bool {
    !NOT_INTERNET_NETS.iter().any(|c| c.contains(&a))
}

/// The address classes of one family (IPv4 or IPv6).
struct Classes<'a> {
    t: &'a Topology,
    rule_cidrs: &'a [IpNet],
    tags: &'a [(&'a str, &'a IpNet)],
    v6: bool,
}

impl Classes<'_> {
    fn addr(&self, n: u128) -> IpAddr {
        if self.v6 {
            IpAddr::V6(Ipv6Addr::from(n))
        } else {
            IpAddr::V4(Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX)))
        }
    }

    fn same_family(&self, c: &IpNet) -> bool {
        matches!(c, IpNet::V6(_)) == self.v6
    }

    /// Add one class per cell between the family's prefix boundaries (outside every network),
    /// unless a class with the same rules already stands for it.
    fn collect(&self, seen: &mut HashMap<Vec<usize>, usize>, out: &mut Vec<External>) {
        let t = self.t;
        let top = if self.v6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        };
        let nice: Vec<IpAddr> = if self.v6 {
            vec![
                "2001:4860:4860::8888".parse().expect("an address"),
                "2001:db8::10".parse().expect("an address"),
            ]
        } else {
            [
                Ipv4Addr::new(8, 8, 8, 8),
                Ipv4Addr::new(203, 0, 113, 10),
                Ipv4Addr::new(198, 51, 100, 10),
                Ipv4Addr::new(1, 1, 1, 1),
            ]
            .into_iter()
            .map(IpAddr::V4)
            .collect()
        };
        let number = |a: &IpAddr| match a {
            IpAddr::V4(a) => u128::from(u32::from(*a)),
            IpAddr::V6(a) => u128::from(*a),
        };
        let mut points: Vec<u128> = vec![0];
        let nets = t.networks().iter().flat_map(|n| n.cidrs.iter());
        for c in self
            .rule_cidrs
            .iter()
            .chain(self.tags.iter().map(|x| x.1))
            .chain(nets)
            .chain(NOT_INTERNET_NETS.iter())
            .filter(|c| self.same_family(c))
        {
            let (a, b) = bounds(c);
            points.push(a);
            if let Some(next) = b.checked_add(1).filter(|n| *n <= top) {
                points.push(next);
            }
        }
        points.sort_unstable();
        points.dedup();
        // A sweep over the boundaries: the rule CIDRs and tag prefixes that hold a cell are the
        // ones open at its first address (ids: rule CIDR k → k, tag prefix k → usize::MAX - k),
        // so each cell costs what holds it, not a scan of every prefix (issue 16 item 8: a
        // 65,000-rule firewall made this quadratic).
        let mut events: Vec<(u128, bool, usize)> = Vec::new();
        let ids = self.rule_cidrs.iter().enumerate().chain(
            self.tags
                .iter()
                .enumerate()
                .map(|(k, x)| (usize::MAX - k, x.1)),
        );
        for (id, c) in ids.filter(|(_, c)| self.same_family(c)) {
            let (a, b) = bounds(c);
            events.push((a, true, id));
            if let Some(next) = b.checked_add(1).filter(|n| *n <= top) {
                events.push((next, false, id));
            }
        }
        events.sort_unstable();
        let mut open: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        let mut ev = events.iter().peekable();
        for (i, &lo) in points.iter().enumerate() {
            while let Some(&&(at, add, id)) = ev.peek() {
                if at > lo {
                    break;
                }
                if add {
                    open.insert(id);
                } else {
                    open.remove(&id);
                }
                ev.next();
            }
            let hi = points.get(i + 1).map_or(top, |n| n - 1);
            let pick = nice
                .iter()
                .map(number)
                .find(|a| (lo..=hi).contains(a))
                .unwrap_or(if lo < hi { lo + 1 } else { lo });
            let addr = self.addr(pick);
            if t.lookup_ip(addr).network.is_some() {
                continue;
            }
            let half = usize::MAX / 2;
            let sig: Vec<usize> = open
                .iter()
                .copied()
                // Not the internet (private, special-purpose, platform): a class of its own,
                // so that an internet class never stands for such an address, nor the reverse.
                .chain((!is_internet(addr)).then_some(half))
                .collect();
            if let Some(&k) = seen.get(&sig) {
                // Prefer a well-known address as the representative of a class.
                if nice.contains(&addr)
                    && let Target::Addr(old) = out[k].target
                    && !nice.contains(&old)
                    && old.is_ipv6() == addr.is_ipv6()
                {
                    out[k].target = Target::Addr(addr);
                    out[k].label = out[k]
                        .label
                        .replacen(&old.to_string(), &addr.to_string(), 1);
                }
                continue;
            }
            // The first tag (lowest k: the largest id) and the narrowest rule CIDR that hold it.
            let tag = open
                .iter()
                .rev()
                .find(|&&id| id > half)
                .map(|&id| self.tags[usize::MAX - id].0);
            let closest = open
                .iter()
                .filter(|&&id| id < half)
                .map(|&id| &self.rule_cidrs[id])
                .filter(|c| c.prefix_len() > 0)
                .max_by_key(|c| c.prefix_len());
            let narrow_at = if self.v6 { 32 } else { 16 };
            let narrow = closest.filter(|c| c.prefix_len() >= narrow_at);
            let label = match (tag, closest) {
                (Some(tg), _) => format!("{addr} (service tag {tg})"),
                (None, Some(c)) => format!("{addr} (in rule address {c})"),
                (None, None) => format!("{addr} (any internet address)"),
            };
            seen.insert(sig, out.len());
            out.push(External {
                target: Target::Addr(addr),
                label,
                specific: tag.is_some() || narrow.is_some(),
            });
        }
    }
}

/// A prefix as the first and last address of its family, as numbers.
fn bounds(c: &IpNet) -> (u128, u128) {
    match c {
        IpNet::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// The internet as rules see it: one representative address per class of addresses that every
/// rule CIDR, service tag and network treats alike (IPv4, and IPv6 when a network has IPv6
/// addresses), plus one name per FQDN that a rule names. Exact: the classes are the cells
/// between all prefix boundaries.
pub fn external_classes(t: &Topology) -> Vec<External> {
    let mut rule_cidrs: Vec<IpNet> = all_selectors(t)
        .filter_map(|s| match s {
            Selector::Cidr(c) => Some(*c),
            _ => None,
        })
        .collect();
    // Route prefixes decide where an outside address goes (SPEC §11.1): they split classes too.
    rule_cidrs.extend(t.routing().class_prefixes());
    rule_cidrs.sort_unstable();
    rule_cidrs.dedup();
    let tags: Vec<(&str, &IpNet)> = t
        .service_tags()
        .iter()
        .flat_map(|tg| tg.cidrs.iter().map(move |c| (tg.name.as_str(), c)))
        .collect();
    let mut seen: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut out: Vec<External> = Vec::new();
    let v6 = t
        .networks()
        .iter()
        .any(|n| n.cidrs.iter().any(|c| matches!(c, IpNet::V6(_))));
    for family_v6 in [false, true] {
        if family_v6 && !v6 {
            continue;
        }
        let cls = Classes {
            t,
            rule_cidrs: &rule_cidrs,
            tags: &tags,
            v6: family_v6,
        };
        cls.collect(&mut seen, &mut out);
    }
    let mut names: Vec<(String, bool)> = Vec::new();
    for rs in t.rule_sets().iter().chain(t.zone_policy()) {
        for r in &rs.rules {
            let pats = r
                .fqdns
                .iter()
                .cloned()
                .chain(r.destinations.iter().filter_map(|s| {
                    if let Selector::Fqdn(f) = s {
                        Some(f.clone())
                    } else {
                        None
                    }
                }));
            for p in pats {
                let (name, specific) = if p == "*" {
                    ("example.com".to_string(), false)
                } else if let Some(sfx) = p.strip_prefix("*.") {
                    (format!("www.{sfx}"), true)
                } else {
                    (p.to_ascii_lowercase(), true)
                };
                if t.service_by_fqdn(&name).is_none() && !names.iter().any(|(n, _)| *n == name) {
                    names.push((name, specific));
                }
            }
        }
    }
    for (n, specific) in names {
        out.push(External {
            label: format!("{n} (FQDN rule)"),
            target: Target::Name(n),
            specific,
        });
    }
    out
}
