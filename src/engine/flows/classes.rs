//! The classes a flow log is judged by: what the design can tell apart, and nothing finer.
//!
//! Two addresses that every rule, route and listener treats alike get the same verdict, and so
//! do two ports between the same rule boundaries. [`ClassIndex`] maps
//! - an address to its [`AddrClass`] with an [`EndKey`]: a declared endpoint to its group
//!   ([`crate::engine::reach::groups`], endpoints no rule can tell apart; members that listen on
//!   their own ports by group and ports), any other address to
//!   the class of its cell (its subnet, its network and the longest CIDR among those the
//!   design's rules and service tags name that holds it: CIDRs nest or are disjoint, so the
//!   longest match fixes the whole set of rule CIDRs holding the address). Private endpoints
//!   (reached for their service), other endpoints in no group and the public addresses of
//!   endpoints are each a class of their own (numbered when the index is built).
//! - a port to its interval between the boundaries of every rule's ports and every listener
//!   (a rule or listener holds a whole interval or none of it).
//!
//! The address lookup is one binary search over the cells' first addresses (the boundaries of
//! every subnet, network and rule CIDR) and one hash probe for endpoints, so it needs no cache.
//!
//! Owns: the index (built once per design, shared read-only by the workers). Must never:
//! trace, keep per-record state, or treat two addresses alike that some rule, subnet, network,
//! endpoint or listener tells apart (the property tests compare with uncached traces).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::classify::{AddrClass, FxMap, Listen};
use crate::engine::reach::groups;
use crate::model::rules::Selector;
use crate::model::{EpIx, NetIx, SubnetIx, Topology};

/// One end of a flow as a verdict-cache key, in four bytes (the caches are probed once per
/// record, so their entries' size is what a record waits for): its kind in the top two bits,
/// a number below 2^30 in the others. The kinds:
/// - an endpoint group (index into the groups of the design), or the members of one group
///   that listen on one set of ports (numbered after the groups);
/// - a class of undeclared addresses (a cell's class, see the module documentation);
/// - an address the design declares that is judged by itself (an endpoint in no group, a
///   public address of an endpoint), numbered when the index is built.
///
/// Each kind counts fewer than 2^30: a topology holds far fewer groups, cells and addresses
/// (a design file is at most 64 MiB, and each costs bytes in it or in an import's records).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EndKey(u32);

impl EndKey {
    const NUMBER: u32 = (1 << 30) - 1;
    const CELL: u32 = 1 << 30;
    const OWN: u32 = 2 << 30;

    fn group(g: u32) -> EndKey {
        debug_assert!(g <= Self::NUMBER);
        EndKey(g & Self::NUMBER)
    }

    fn cell(c: u32) -> EndKey {
        debug_assert!(c <= Self::NUMBER);
        EndKey(Self::CELL | (c & Self::NUMBER))
    }

    fn own(n: u32) -> EndKey {
        debug_assert!(n <= Self::NUMBER);
        EndKey(Self::OWN | (n & Self::NUMBER))
    }

    /// The key as a number (a pair of keys hashes as one word).
    #[inline]
    pub fn bits(self) -> u32 {
        self.0
    }
}

/// Addresses from `starts[i]` up to the next start share `cells[i]`. `starts[0]` is the
/// family's first address and there is a cell for it, so every address has a cell.
#[derive(Debug)]
struct Cells<T> {
    starts: Vec<T>,
    cells: Vec<Cell>,
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    subnet: Option<SubnetIx>,
    network: Option<NetIx>,
    /// The class of the cell's undeclared addresses.
    class: u32,
    /// The zone index of the cell's undeclared addresses (see [`AddrClass::zone`]).
    zone: u16,
}

/// What [`ClassIndex::addr`] says of an endpoint's address, kept apart from the topology's
/// endpoints so that a record reads a few bytes, not two endpoint records.
#[derive(Clone, Copy, Debug)]
struct EpFacts {
    ep: EpIx,
    zone: u16,
    key: EndKey,
    ports: Listen,
    nat_gateway: bool,
}

impl<T: Ord + Copy> Cells<T> {
    #[inline]
    fn get(&self, a: T) -> &Cell {
        // `starts[0]` holds every address from the first, so `i` is at least 1.
        let i = self.starts.partition_point(|s| *s <= a);
        &self.cells[i.saturating_sub(1)]
    }
}

/// A map keyed by address, the families apart: an IPv4 key is four bytes (the maps are probed
/// for every record, so their entries' size is what a record waits for).
#[derive(Debug)]
struct ByAddr<V> {
    v4: FxMap<u32, V>,
    v6: FxMap<u128, V>,
}

impl<V> Default for ByAddr<V> {
    fn default() -> Self {
        ByAddr {
            v4: FxMap::default(),
            v6: FxMap::default(),
        }
    }
}

impl<V> ByAddr<V> {
    #[inline]
    fn get(&self, ip: IpAddr) -> Option<&V> {
        match ip {
            IpAddr::V4(a) => self.v4.get(&a.to_bits()),
            IpAddr::V6(a) => self.v6.get(&a.to_bits()),
        }
    }

    /// Inserts `v` unless `ip` has a value already; the value `ip` has.
    fn first(&mut self, ip: IpAddr, v: impl FnOnce() -> V) -> &V {
        match ip {
            IpAddr::V4(a) => self.v4.entry(a.to_bits()).or_insert_with(v),
            IpAddr::V6(a) => self.v6.entry(a.to_bits()).or_insert_with(v),
        }
    }
}

/// What makes two undeclared addresses alike: family, subnet, network, longest rule CIDR.
type ClassOf = (bool, Option<SubnetIx>, Option<NetIx>, Option<IpNet>);

/// The classes of one design (see the module documentation).
pub struct ClassIndex {
    v4: Cells<u32>,
    v6: Cells<u128>,
    /// Declared endpoint addresses, with their class: the endpoint's group (or its group and
    /// listening ports), or its own address.
    endpoints: ByAddr<EpFacts>,
    /// Public addresses of endpoints, each judged by itself.
    public_ips: ByAddr<EndKey>,
    /// Per port: its interval between rule and listener boundaries.
    port_class: Vec<u16>,
}

/// A prefix as its first and last address, as numbers.
fn bounds(c: &IpNet) -> (u128, u128) {
    match c {
        IpNet::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

impl ClassIndex {
    pub fn new(t: &Topology) -> ClassIndex {
        // The endpoint groups (the larger half of the work) on a thread of their own, beside
        // the cells.
        std::thread::scope(|s| {
            let groups = s.spawn(|| groups(t));
            let cells = Self::cells(t);
            // A panic in the search for groups is a bug: let it show.
            let groups = groups.join().expect("the endpoint groups are found");
            Self::with_groups(t, cells, &groups)
        })
    }

    /// The cells of v4 and v6 addresses.
    fn cells(t: &Topology) -> (Cells<u32>, Cells<u128>) {
        // Every CIDR a rule or service tag names: the address sets rules tell apart.
        let mut rule_cidrs: Vec<IpNet> = Vec::new();
        for rs in t.rule_sets().iter().chain(t.zone_policy()) {
            for r in &rs.rules {
                for sel in r.sources.iter().chain(&r.destinations) {
                    if let Selector::Cidr(net) = sel {
                        rule_cidrs.push(net.trunc());
                    }
                }
            }
        }
        for tag in t.service_tags() {
            rule_cidrs.extend(tag.cidrs.iter().map(IpNet::trunc));
        }
        // Route prefixes tell addresses apart too (SPEC §11.1).
        rule_cidrs.extend(t.routing().class_prefixes());
        rule_cidrs.sort_unstable();
        rule_cidrs.dedup();
        let places: Vec<IpNet> = t
            .networks()
            .iter()
            .flat_map(|n| n.cidrs.iter())
            .chain(t.subnets().iter().flat_map(|s| s.cidrs.iter()))
            .map(IpNet::trunc)
            .collect();
        let rule_set: HashSet<IpNet> = rule_cidrs.iter().copied().collect();
        // The prefix lengths of the rule CIDRs, longest first, per family.
        let mut lens: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        for c in &rule_cidrs {
            let l = &mut lens[usize::from(matches!(c, IpNet::V6(_)))];
            if !l.contains(&c.prefix_len()) {
                l.push(c.prefix_len());
            }
        }
        for l in &mut lens {
            l.sort_unstable_by(|a, b| b.cmp(a));
        }
        let mut classes: HashMap<ClassOf, u32> = HashMap::new();
        let mut family = |v6: bool| -> (Vec<u128>, Vec<Cell>) {
            let top = if v6 { u128::MAX } else { u128::from(u32::MAX) };
            let mut points: Vec<u128> = vec![0];
            for c in rule_cidrs.iter().chain(&places) {
                if matches!(c, IpNet::V6(_)) != v6 {
                    continue;
                }
                let (a, b) = bounds(c);
                points.push(a);
                if b < top {
                    points.push(b + 1);
                }
            }
            points.sort_unstable();
            points.dedup();
            let mut cells = Vec::with_capacity(points.len());
            for &p in &points {
                let addr = if v6 {
                    IpAddr::V6(p.into())
                } else {
                    IpAddr::V4((u32::try_from(p).unwrap_or(u32::MAX)).into())
                };
                let m = t.lookup_ip(addr);
                let longest = lens[usize::from(v6)]
                    .iter()
                    .filter_map(|&len| IpNet::new(addr, len).ok().map(|n| n.trunc()))
                    .find(|n| rule_set.contains(n));
                let n = classes.len() as u32;
                let class = *classes
                    .entry((v6, m.subnet, m.network, longest))
                    .or_insert(n);
                cells.push(Cell {
                    subnet: m.subnet,
                    network: m.network,
                    class,
                    zone: zone_index(t, None, m.subnet, m.network),
                });
            }
            (points, cells)
        };
        let (p4, c4) = family(false);
        let (p6, c6) = family(true);
        let v4 = Cells {
            starts: p4
                .into_iter()
                .map(|p| u32::try_from(p).unwrap_or(u32::MAX))
                .collect(),
            cells: c4,
        };
        let v6 = Cells {
            starts: p6,
            cells: c6,
        };
        (v4, v6)
    }

    fn with_groups(
        t: &Topology,
        (v4, v6): (Cells<u32>, Cells<u128>),
        groups: &[crate::engine::reach::Group],
    ) -> ClassIndex {
        let mut by_addr: Vec<(IpAddr, EpIx)> = Vec::new();
        // Declared addresses judged by themselves, numbered (one number per address).
        let mut own: ByAddr<EndKey> = ByAddr::default();
        let mut own_key = |ip: IpAddr| {
            let n = (own.v4.len() + own.v6.len()) as u32;
            *own.first(ip, || EndKey::own(n))
        };
        let mut public_ips: ByAddr<EndKey> = ByAddr::default();
        for ep in t.endpoints() {
            if let Some(ip) = ep.ip
                && let Some(e) = t.lookup_ip(ip).endpoint
            {
                by_addr.push((ip, e));
            }
            if let Some(crate::model::PublicIp::Address(a)) = ep.public_ip {
                let key = own_key(a);
                public_ips.first(a, || key);
            }
        }
        let mut group = vec![u32::MAX; t.endpoints().len()];
        // Members of a group that listen on their own ports: one class per group and set of
        // ports (a flow to a port an endpoint does not listen on is denied by `no-listener` at
        // that endpoint, so only members with the same ports share verdicts; a report that
        // names the deciding rule traces its own record).
        let mut listening: HashMap<(usize, &crate::model::rules::PortSet), u32> = HashMap::new();
        let mut next = groups.len() as u32;
        for (g, grp) in groups.iter().enumerate() {
            for m in &grp.members {
                group[m.index()] = match t.endpoint(*m).ports.as_ref() {
                    Some(p) if !p.is_all() => *listening.entry((g, p)).or_insert_with(|| {
                        next += 1;
                        next - 1
                    }),
                    _ => g as u32,
                };
            }
        }
        // Port boundaries: every rule's ports and every listener.
        let mut cut = vec![false; 65_537];
        cut[0] = true;
        let mut mark = |ranges: &[(u16, u16)]| {
            for &(lo, hi) in ranges {
                cut[usize::from(lo)] = true;
                cut[usize::from(hi) + 1] = true;
            }
        };
        for rs in t.rule_sets().iter().chain(t.zone_policy()) {
            for r in &rs.rules {
                mark(r.ports.ranges());
            }
        }
        for ep in t.endpoints() {
            if let Some(p) = &ep.ports {
                mark(p.ranges());
            }
        }
        // The ephemeral range the trace checks return traffic on, and the well-known ports.
        mark(&[(1024, 65535), (0, 0)]);
        let mut port_class = Vec::with_capacity(65_536);
        let mut k: u16 = 0;
        for (p, &c) in cut.iter().enumerate().take(65_536) {
            if c && p > 0 {
                k = k.saturating_add(1);
            }
            port_class.push(k);
        }
        let mut endpoints: ByAddr<EpFacts> = ByAddr::default();
        for (ip, e) in by_addr {
            let ep = t.endpoint(e);
            let m = t.lookup_ip(ip);
            let ports = match ep.ports.as_ref() {
                Some(p) if p.is_all() => Listen::Undeclared,
                Some(p) => match p.ranges() {
                    [(lo, hi)] => Listen::Range(*lo, *hi),
                    _ => Listen::Several,
                },
                None => Listen::Undeclared,
            };
            let key = match group[e.index()] {
                u32::MAX => own_key(ip),
                g => EndKey::group(g),
            };
            endpoints.first(ip, || EpFacts {
                ep: e,
                zone: zone_index(t, ep.zone, m.subnet, m.network),
                key,
                ports,
                nat_gateway: ep.kind == crate::model::Kind::NatGateway,
            });
        }
        ClassIndex {
            v4,
            v6,
            endpoints,
            public_ips,
            port_class,
        }
    }

    /// The interval of `port` between rule and listener boundaries.
    #[inline]
    pub fn port(&self, port: u16) -> u16 {
        self.port_class[usize::from(port)]
    }

    /// Where `ip` falls in the design, with its verdict-cache key.
    #[inline]
    pub fn addr(&self, ip: IpAddr) -> AddrClass {
        let cell = *match ip {
            IpAddr::V4(a) => self.v4.get(a.to_bits()),
            IpAddr::V6(a) => self.v6.get(a.to_bits()),
        };
        if let Some(f) = self.endpoints.get(ip) {
            return AddrClass {
                endpoint: Some(f.ep),
                subnet: cell.subnet,
                network: cell.network,
                zone: f.zone,
                key: f.key,
                ports: f.ports,
                nat_gateway: f.nat_gateway,
            };
        }
        let key = match self.public_ips.get(ip) {
            Some(k) => *k,
            None => EndKey::cell(cell.class),
        };
        AddrClass {
            endpoint: None,
            subnet: cell.subnet,
            network: cell.network,
            zone: cell.zone,
            key,
            ports: Listen::Undeclared,
            nat_gateway: false,
        }
    }
}

/// The zone index of an address (see [`AddrClass::zone`]): its endpoint's zone, else its
/// subnet's, else `internet` outside every network and `unzoned` inside one.
fn zone_index(
    t: &Topology,
    ep_zone: Option<crate::model::ZoneIx>,
    subnet: Option<SubnetIx>,
    network: Option<NetIx>,
) -> u16 {
    let zones = t.zones().len() as u16;
    ep_zone
        .or_else(|| subnet.and_then(|s| t.subnet(s).zone))
        .map_or_else(
            || if network.is_none() { zones } else { zones + 1 },
            |z| z.index() as u16,
        )
}
