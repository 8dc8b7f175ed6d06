//! The index that makes `shadowed-rule` detection sub-quadratic (issue 16, item 8).
//!
//! Owns: rules grouped by identical header (direction, protocol, selectors, FQDNs), each group
//! with the running union of its members' ports as an interval map (the sweep over a rule set
//! in evaluation order), and an index from "what a selector could be covered by" to the groups
//! holding such a selector. For a rule, [`Index::candidates`] returns a superset of the groups
//! whose header can cover it (exactly the selectors [`super::shadow::covers`] accepts, keyed),
//! so only those are tested instead of every earlier rule. Must never: miss a group that covers
//! (the findings would change), decide coverage itself (`covers` does).

use std::collections::{BTreeMap, HashMap};

use ipnet::IpNet;

use crate::model::rules::{PortSet, Rule, Selector};
use crate::model::{EpIx, NetIx, SubnetIx, Topology, ZoneIx};

/// What a selector is keyed by in the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Any,
    Zone(ZoneIx),
    Network(NetIx),
    Subnet(SubnetIx),
    Endpoint(EpIx),
    Cidr(IpNet),
    Tag(usize),
    Internet,
    Fqdn(String),
    /// A selector only an equal selector (or `Any`) covers.
    Other(String),
}

fn key_of(s: &Selector) -> Key {
    match s {
        Selector::Any => Key::Any,
        Selector::Zone(z) => Key::Zone(*z),
        Selector::Network(n) => Key::Network(*n),
        Selector::Subnet(x) => Key::Subnet(*x),
        Selector::Endpoint(e) => Key::Endpoint(*e),
        Selector::Cidr(c) => Key::Cidr(c.trunc()),
        Selector::Tag(i) => Key::Tag(*i),
        Selector::Internet => Key::Internet,
        Selector::Fqdn(f) => Key::Fqdn(f.clone()),
        other => Key::Other(format!("{other:?}")),
    }
}

/// `net` and every network containing it (same family), as keys.
fn supernets(net: IpNet, out: &mut Vec<Key>) {
    let addr = net.addr();
    for p in (0..=net.prefix_len()).rev() {
        if let Ok(n) = IpNet::new(addr, p) {
            out.push(Key::Cidr(n.trunc()));
        }
    }
}

fn zero_prefixes(out: &mut Vec<Key>) {
    for z in ["0.0.0.0/0", "::/0"] {
        if let Ok(n) = z.parse() {
            out.push(Key::Cidr(n));
        }
    }
}

/// Every key under which a selector that covers `y` can be filed (a superset).
fn covering_keys(t: &Topology, y: &Selector) -> Vec<Key> {
    let mut out = Vec::new();
    if matches!(y, Selector::UnknownTag(_)) {
        return out;
    }
    out.push(Key::Any);
    out.push(key_of(y));
    match y {
        Selector::Subnet(s) => {
            let sub = t.subnet(*s);
            out.extend(sub.zone.map(Key::Zone));
            out.push(Key::Network(sub.network));
            if let Some(c) = sub.cidrs.first() {
                supernets(*c, &mut out);
            }
        }
        Selector::Endpoint(e) => {
            let ep = t.endpoint(*e);
            out.extend(ep.zone.map(Key::Zone));
            if let Some(svc) = ep.target {
                out.extend(t.endpoint(svc).zone.map(Key::Zone));
            }
            out.extend(ep.network.map(Key::Network));
            out.extend(ep.subnet.map(Key::Subnet));
            match (ep.ip, ep.subnet) {
                (Some(ip), _) => supernets(IpNet::from(ip), &mut out),
                (None, Some(s)) => {
                    if let Some(c) = t.subnet(s).cidrs.first() {
                        supernets(*c, &mut out);
                    }
                }
                (None, None) => zero_prefixes(&mut out),
            }
        }
        Selector::Network(n) => {
            let net = t.network(*n);
            if let Some(z) = net.subnets.first().and_then(|s| t.subnet(*s).zone) {
                out.push(Key::Zone(z));
            }
            if let Some(c) = net.cidrs.first() {
                supernets(*c, &mut out);
            }
        }
        Selector::Cidr(d) => {
            supernets(*d, &mut out);
            out.push(Key::Internet);
            for (i, tag) in t.service_tags().iter().enumerate() {
                if tag.cidrs.iter().any(|c| c.contains(d)) {
                    out.push(Key::Tag(i));
                }
            }
        }
        Selector::Tag(i) => {
            if let Some(c) = t.service_tags().get(*i).and_then(|tag| tag.cidrs.first()) {
                supernets(*c, &mut out);
            }
        }
        Selector::Internet => zero_prefixes(&mut out),
        Selector::Fqdn(g) => {
            out.push(Key::Fqdn("*".into()));
            out.push(Key::Fqdn(format!(".{g}")));
            for (i, b) in g.bytes().enumerate() {
                if b == b'.' {
                    let suffix = &g[i + 1..];
                    out.push(Key::Fqdn(format!("*.{suffix}")));
                    out.push(Key::Fqdn(format!(".{suffix}")));
                }
            }
        }
        _ => {}
    }
    out
}

/// A set of ports as disjoint inclusive intervals keyed by their start: insertion and queries
/// in `O(log n)` plus the intervals they touch.
#[derive(Debug, Default)]
pub struct Intervals(BTreeMap<u32, u32>);

impl Intervals {
    /// Add `lo..=hi`, merging what it touches or adjoins.
    pub fn insert(&mut self, lo: u16, hi: u16) {
        let (mut lo, mut hi) = (u32::from(lo), u32::from(hi));
        if let Some((&s, &e)) = self.0.range(..=lo).next_back()
            && e + 1 >= lo
        {
            lo = s;
            hi = hi.max(e);
        }
        let touched: Vec<u32> = self.0.range(lo..=hi + 1).map(|(&s, _)| s).collect();
        for s in touched {
            if let Some(e) = self.0.remove(&s) {
                hi = hi.max(e);
            }
        }
        self.0.insert(lo, hi);
    }

    /// The parts of `want` this set does not hold.
    pub fn remaining(&self, want: &PortSet) -> PortSet {
        let mut out = Vec::new();
        for &(lo, hi) in want.ranges() {
            let (lo, hi) = (u32::from(lo), u32::from(hi));
            let mut at = lo;
            let first = self.0.range(..=lo).next_back().map(|(&s, &e)| (s, e));
            let rest = self
                .0
                .range(lo + 1..=hi.max(lo + 1))
                .filter(|&(&s, _)| s <= hi)
                .map(|(&s, &e)| (s, e));
            for (s, e) in first.into_iter().chain(rest) {
                if e < at {
                    continue;
                }
                if s > at {
                    out.push((at, s - 1));
                }
                at = e + 1;
                if at > hi {
                    break;
                }
            }
            if at <= hi {
                out.push((at, hi));
            }
        }
        PortSet::from_ranges(
            out.into_iter()
                .filter_map(|(a, b)| Some((u16::try_from(a).ok()?, u16::try_from(b).ok()?))),
        )
    }
}

/// Rules of identical header, in evaluation order, with the union of their ports so far.
#[derive(Debug)]
pub struct Group {
    /// The first member: every member has its header.
    pub head: usize,
    /// Members (rule positions), ascending.
    pub members: Vec<usize>,
    pub ports: Intervals,
}

/// The groups of one rule set and the selector index over them.
#[derive(Debug, Default)]
pub struct Index {
    pub groups: Vec<Group>,
    by_header: HashMap<String, usize>,
    by_source: HashMap<Key, Vec<usize>>,
    by_destination: HashMap<Key, Vec<usize>>,
}

fn header_key(r: &Rule) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}",
        r.direction,
        r.protocol.transport(),
        r.sources,
        r.destinations,
        r.fqdns
    )
}

impl Index {
    /// File rule `pos` (whose ports, ICMP widened, are `ports`) into its group.
    pub fn add(&mut self, pos: usize, r: &Rule, ports: &PortSet) {
        let key = header_key(r);
        let g = if let Some(&g) = self.by_header.get(&key) {
            g
        } else {
            let g = self.groups.len();
            self.groups.push(Group {
                head: pos,
                members: Vec::new(),
                ports: Intervals::default(),
            });
            self.by_header.insert(key, g);
            let mut seen: Vec<Key> = Vec::new();
            for s in &r.sources {
                let k = key_of(s);
                if !seen.contains(&k) {
                    self.by_source.entry(k.clone()).or_default().push(g);
                    seen.push(k);
                }
            }
            seen.clear();
            for s in &r.destinations {
                let k = key_of(s);
                if !seen.contains(&k) {
                    self.by_destination.entry(k.clone()).or_default().push(g);
                    seen.push(k);
                }
            }
            g
        };
        let group = &mut self.groups[g];
        group.members.push(pos);
        for &(lo, hi) in ports.ranges() {
            group.ports.insert(lo, hi);
        }
    }

    /// The groups that may cover `b` (a superset of those that do), each once, ascending.
    pub fn candidates(&self, t: &Topology, b: &Rule) -> Vec<usize> {
        let (Some(src), Some(dst)) = (b.sources.first(), b.destinations.first()) else {
            return Vec::new();
        };
        let gather = |map: &HashMap<Key, Vec<usize>>, y: &Selector| {
            let keys = covering_keys(t, y);
            let total: usize = keys.iter().filter_map(|k| map.get(k)).map(Vec::len).sum();
            (keys, total)
        };
        let (sk, sn) = gather(&self.by_source, src);
        let (dk, dn) = gather(&self.by_destination, dst);
        let (map, keys) = if sn <= dn {
            (&self.by_source, sk)
        } else {
            (&self.by_destination, dk)
        };
        let mut out: Vec<usize> = keys
            .iter()
            .filter_map(|k| map.get(k))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ranges: &[(u16, u16)]) -> Intervals {
        let mut s = Intervals::default();
        for &(a, b) in ranges {
            s.insert(a, b);
        }
        s
    }

    #[test]
    fn intervals_merge_and_answer_what_remains() {
        let s = set(&[(10, 20), (30, 40), (21, 25), (0, 0), (65535, 65535)]);
        assert_eq!(
            s.0.iter().map(|(&a, &b)| (a, b)).collect::<Vec<_>>(),
            vec![(0, 0), (10, 25), (30, 40), (65535, 65535)]
        );
        assert!(s.remaining(&PortSet::range(12, 24)).is_empty());
        assert_eq!(
            s.remaining(&PortSet::range(5, 35)),
            PortSet::from_ranges([(5, 9), (26, 29)])
        );
        assert_eq!(
            s.remaining(&PortSet::all()).count(),
            65536 - 1 - 16 - 11 - 1
        );
        let all = set(&[(0, 65535)]);
        assert!(all.remaining(&PortSet::all()).is_empty());
    }
}
