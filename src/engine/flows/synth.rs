//! Realistic synthetic AWS VPC flow logs over a design, for benchmarks and tests.
//!
//! A real log is not a log over the few declared endpoints: its addresses are spread over
//! every host of the subnets (most of them not declared as endpoints) and over thousands of
//! internet addresses, its clients use random ports, and most of its records are replies or
//! scans. [`write_realistic`] writes such a log (AWS version 2, with a header line): source
//! and destination hosts uniform over every usable host of the design's subnets, a pool of
//! [`INTERNET_POOL`] distinct public addresses, a few percent IPv6 where the design has IPv6
//! subnets, client ports uniform over 1024–65535, well-known server ports, about a third of
//! the records the reply halves of connections, and an accept/reject mix of roughly 80/20
//! (inbound internet traffic mostly rejected). Deterministic for a seed.
//!
//! Owns: the shape of the realistic benchmark log. Must never: read a design file, judge a
//! record (the actions are drawn at random, not from the design), or write anywhere but the
//! given writer.

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::model::Topology;

/// Distinct public IPv4 addresses the internet side of the log draws from.
pub const INTERNET_POOL: usize = 5000;

/// The AWS version 2 header line.
pub const V2_HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/// Well-known server ports the log's connections go to.
const SERVER_PORTS: [u16; 14] = [
    443, 443, 443, 80, 22, 5432, 1433, 3306, 6379, 8080, 8443, 9200, 3389, 25,
];

/// SplitMix64: tiny and good enough for a benchmark log (the benches draw from it too).
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// An index below `n` (0 when `n` is 0).
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    fn pct(&mut self) -> u64 {
        self.below(100)
    }
}

/// Every usable host of a family's subnets, as (first host, host count) runs.
struct Hosts {
    runs: Vec<(u128, u64)>,
    /// Running totals of the counts, for a uniform pick.
    cum: Vec<u64>,
    total: u64,
}

impl Hosts {
    fn new(t: &Topology, v6: bool) -> Hosts {
        let mut runs = Vec::new();
        for s in t.subnets() {
            for c in &s.cidrs {
                match (c, v6) {
                    (IpNet::V4(n), false) => {
                        let lo = u128::from(u32::from(n.network()));
                        let size = 1u64 << (32 - u32::from(n.prefix_len()));
                        // The clouds reserve the first four addresses and the last.
                        if size > 5 {
                            runs.push((lo + 4, size - 5));
                        }
                    }
                    (IpNet::V6(n), true) => {
                        let lo = u128::from(n.network());
                        let bits = 128 - u32::from(n.prefix_len());
                        let size = if bits >= 40 { 1u64 << 40 } else { 1u64 << bits };
                        if size > 5 {
                            runs.push((lo + 4, size - 5));
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut cum = Vec::with_capacity(runs.len());
        let mut total = 0u64;
        for (_, n) in &runs {
            total = total.saturating_add(*n);
            cum.push(total);
        }
        Hosts { runs, cum, total }
    }

    fn pick(&self, rng: &mut Rng, v6: bool) -> Option<IpAddr> {
        if self.total == 0 {
            return None;
        }
        let k = rng.below(self.total);
        let i = self.cum.partition_point(|&c| c <= k);
        let (lo, n) = self.runs[i];
        let before = if i == 0 { 0 } else { self.cum[i - 1] };
        let off = u128::from((k - before).min(n - 1));
        Some(if v6 {
            IpAddr::V6(Ipv6Addr::from(lo + off))
        } else {
            IpAddr::V4(Ipv4Addr::from(u32::try_from(lo + off).unwrap_or(u32::MAX)))
        })
    }
}

/// A public IPv4 address outside every network of the design and every private range.
fn public_v4(t: &Topology, rng: &mut Rng) -> Ipv4Addr {
    loop {
        let a = Ipv4Addr::from(rng.next_u64() as u32);
        let [x, y, ..] = a.octets();
        let reserved = a.is_private()
            || a.is_loopback()
            || a.is_link_local()
            || a.is_multicast()
            || a.is_broadcast()
            || a.is_unspecified()
            || x == 0
            || x >= 224
            || (x == 100 && (64..128).contains(&y));
        if !reserved && t.lookup_ip(IpAddr::V4(a)).network.is_none() {
            return a;
        }
    }
}

/// A public IPv6 address (2000::/3) outside every network of the design.
fn public_v6(t: &Topology, rng: &mut Rng) -> Ipv6Addr {
    loop {
        let bits =
            (u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64())) >> 3 | (1u128 << 125);
        let a = Ipv6Addr::from(bits);
        if t.lookup_ip(IpAddr::V6(a)).network.is_none() {
            return a;
        }
    }
}

/// Writes a realistic log of `records` records over `t` (see the module documentation).
pub fn write_realistic<W: Write>(
    t: &Topology,
    records: u64,
    seed: u64,
    out: &mut W,
) -> io::Result<()> {
    let mut rng = Rng(seed ^ 0x5EED_F10A);
    let v4 = Hosts::new(t, false);
    let v6 = Hosts::new(t, true);
    let internet: Vec<IpAddr> = (0..INTERNET_POOL)
        .map(|_| IpAddr::V4(public_v4(t, &mut rng)))
        .collect();
    let internet6: Vec<IpAddr> = if v6.total > 0 {
        (0..INTERNET_POOL / 10)
            .map(|_| IpAddr::V6(public_v6(t, &mut rng)))
            .collect()
    } else {
        Vec::new()
    };
    writeln!(out, "{V2_HEADER}")?;
    let start0: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    // One day of traffic, in order of start time.
    let step = (86_400.0 / records.max(1) as f64).max(0.0);
    let mut line = String::with_capacity(160);
    for i in 0..records {
        use std::fmt::Write as _;
        let six = v6.total > 0 && rng.pct() < 3;
        let (hosts, inet) = if six {
            (&v6, &internet6)
        } else {
            (&v4, &internet)
        };
        let host = |rng: &mut Rng| hosts.pick(rng, six);
        let far = |rng: &mut Rng| inet[rng.below(inet.len() as u64) as usize];
        let start = start0 + (i as f64 * step) as u64;
        let end = start + 30 + rng.below(30);
        if rng.below(1000) == 0 {
            line.clear();
            let _ = write!(
                line,
                "2 123456789010 eni-0a1b2c3d4e5f60718 - - - - - - - {start} {end} - NODATA"
            );
            writeln!(out, "{line}")?;
            continue;
        }
        let roll = rng.pct();
        // Who initiates: 55% inside to inside, 25% inside to the internet, 20% the internet in.
        let (client, server, inbound) = if roll < 55 {
            (host(&mut rng), host(&mut rng), false)
        } else if roll < 80 {
            (host(&mut rng), Some(far(&mut rng)), false)
        } else {
            (Some(far(&mut rng)), host(&mut rng), true)
        };
        let (Some(client), Some(server)) = (client, server) else {
            // A design without subnets: internet traffic only.
            let (a, b) = (far(&mut rng), far(&mut rng));
            line.clear();
            let _ = write!(
                line,
                "2 123456789010 eni-0a1b2c3d4e5f60718 {a} {b} {} 443 6 3 180 {start} {end} ACCEPT OK",
                1024 + rng.below(64_512)
            );
            writeln!(out, "{line}")?;
            continue;
        };
        let p = rng.pct();
        let (protocol, server_port) = if p < 90 {
            (
                6u8,
                SERVER_PORTS[rng.below(SERVER_PORTS.len() as u64) as usize],
            )
        } else if p < 98 {
            (17, if rng.pct() < 80 { 53 } else { 123 })
        } else {
            (if six { 58 } else { 1 }, 0)
        };
        let client_port = if protocol == 1 || protocol == 58 {
            0
        } else {
            1024 + rng.below(64_512) as u16
        };
        let reject = if inbound {
            rng.pct() < 70
        } else {
            rng.pct() < 10
        };
        // A third of the records are the replies of accepted connections.
        let reply = !reject && protocol != 1 && protocol != 58 && rng.pct() < 40;
        let (src, dst, sp, dp) = if reply {
            (server, client, server_port, client_port)
        } else {
            (client, server, client_port, server_port)
        };
        let packets = 1 + rng.below(200);
        let bytes = packets * (40 + rng.below(1400));
        let action = if reject { "REJECT" } else { "ACCEPT" };
        line.clear();
        let _ = write!(
            line,
            "2 123456789010 eni-{:017x} {src} {dst} {sp} {dp} {protocol} {packets} {bytes} {start} {end} {action} OK",
            rng.below(1 << 40)
        );
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// The hosts a realistic log draws from (IPv4 and IPv6), for reporting.
pub fn host_count(t: &Topology) -> u64 {
    Hosts::new(t, false)
        .total
        .saturating_add(Hosts::new(t, true).total)
}
