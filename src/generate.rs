//! Synthetic topologies for benchmarks and demos (`zonescope gen`).
//!
//! This module owns one thing: turning a [`GenParams`] (regions, spokes per region, workload
//! subnets per spoke, endpoints per workload subnet, seed) into the YAML text of a topology file
//! in the SPEC §1 format, plus a few counts about it ([`GenStats`]). The output is a pure
//! function of the (clamped) parameters: the same parameters give byte-identical text.
//!
//! It must never read or write files, look at the environment or the clock, or use randomness
//! that is not derived from [`GenParams::seed`] (a private `SplitMix64`, re-derived per region and
//! per spoke so that one spoke's content does not depend on how many spokes come before it).
//! Callers print or save the text.
//!
//! # Shape
//!
//! Zones `application`, `inference`, `data`, `management`, `external_ai`. Per region a hub with
//! a firewall (the hub's `egress`), a bastion, a management subnet (jumpbox, secrets,
//! monitoring), a DNS resolver and a private endpoint to the region's Azure `OpenAI` service.
//! Hubs are peered in a ring (two regions: one peering). Per spoke (`hub:` its region's hub)
//! `subnets` workload subnets cycling application / inference / data, each with its own NSG and
//! `endpoints` endpoints (`app`, `model_proxy`, or `vector_db`/`storage`; the first of a data
//! subnet is always a `vector_db`); an AI gateway in the first inference subnet (or, without
//! one, in the private-endpoint subnet) whose backends are the `OpenAI` private endpoints of its
//! own region and the next one or two; and a private-endpoint subnet holding the private
//! endpoint of the spoke's storage account. Then the zone policy (`policies:`, after seed 002),
//! the private DNS zones linked to the hubs, and a few `expect:` entries about region 1, spoke 1.
//!
//! Layout of the text: networks, rule sets, zones and policies in block style; every subnet,
//! endpoint and rule on one line as a flow mapping (`- { id: …, … }`), so that a file of 40,000
//! endpoints stays greppable and line-oriented tools can read it back.
//!
//! Deliberate mistakes, chosen by the seed, so that `check` has something to find: now and then
//! a rule shadowed by the one before it (`…-legacy`), a `*` source into a data subnet
//! (`allow-any-vector-in`), a gateway `idle_timeout_s` of 240, a storage account or an `OpenAI`
//! service with `public_access: enabled`, a firewall rule letting inference reach the internet
//! (`allow-legacy-egress`).
//!
//! # Ids
//!
//! `r` is the region (1-based), `s` the spoke within it (1-based), `i` the workload subnet
//! within the spoke (1-based), `n` the endpoint within the subnet (1-based).
//!
//! | what | ids |
//! | --- | --- |
//! | hub network | `hub-r{r}` (region `eastus`, `westeurope`, …, then `region-{r}`) |
//! | hub subnets | `snet-fw-r{r}`, `snet-bastion-r{r}`, `snet-mgmt-r{r}`, `snet-dns-r{r}`, `snet-hubpe-r{r}` |
//! | hub endpoints | `fw-r{r}`, `bastion-r{r}`, `jump-r{r}`, `kv-r{r}`, `mon-r{r}`, `dns-r{r}`, `pe-aoai-r{r}` |
//! | Azure `OpenAI` service | `aoai-r{r}` (fqdn `contoso-r{r}-{region}.openai.azure.com`) |
//! | hub rule sets | `fwp-r{r}` (firewall), `nsg-bastion-r{r}`, `nsg-mgmt-r{r}`, `nsg-dns-r{r}`, `nsg-hubpe-r{r}` |
//! | spoke network | `spoke-r{r}-s{s}` |
//! | spoke subnets | `snet-app-r{r}-s{s}-{i}`, `snet-inf-r{r}-s{s}-{i}`, `snet-data-r{r}-s{s}-{i}`, `snet-pe-r{r}-s{s}` |
//! | spoke endpoints | `ep-r{r}-s{s}-{i}-{n}`, gateway `gw-r{r}-s{s}`, `pe-st-r{r}-s{s}` |
//! | storage service | `st-r{r}-s{s}` (fqdn `contosor{r}s{s}.blob.core.windows.net`) |
//! | spoke rule sets | `nsg-r{r}-s{s}-{i}`, `nsg-r{r}-s{s}-pe` |
//! | policies | `NET-001` … `NET-012` |
//!
//! Rule ids are unique within their rule set (`allow-https-in`, `deny-all-in`, …).
//!
//! # Address plan
//!
//! Every network is one aligned block, handed out in order from 10.0.0.0/8, then 172.16.0.0/12,
//! 192.168.0.0/16, 100.64.0.0/10 and finally 11.0.0.0–99.255.255.255 (reached only with very
//! large parameters): no two networks overlap. A hub is a /22 (firewall /26, bastion /26,
//! management /26, DNS /28, private endpoints /24). A spoke's workload subnets are /24 (larger
//! when `endpoints` needs it), its private-endpoint subnet a /26, and the spoke is the smallest
//! aligned block holding them (a /22 for 3 subnets). Endpoint addresses start at the subnet's
//! fifth address (Azure reserves the first four).

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;

/// Largest accepted `regions`; larger values are clamped.
pub const MAX_REGIONS: u32 = 100;
/// Largest accepted `spokes` (per region); larger values are clamped.
pub const MAX_SPOKES: u32 = 250;
/// Largest accepted `subnets` (workload subnets per spoke); larger values are clamped.
pub const MAX_SUBNETS: u32 = 16;
/// Largest accepted `endpoints` (per workload subnet); larger values are clamped.
pub const MAX_ENDPOINTS: u32 = 1000;

/// Default workload subnets per spoke (so that `--regions 20 --spokes 25` is the "L" size).
pub const DEFAULT_SUBNETS: u32 = 3;
/// Default endpoints per workload subnet (so that `--regions 20 --spokes 25` is the "L" size).
pub const DEFAULT_ENDPOINTS: u32 = 26;

const REGION_NAMES: [&str; 20] = [
    "eastus",
    "westeurope",
    "swedencentral",
    "francecentral",
    "uksouth",
    "westus3",
    "northcentralus",
    "southcentralus",
    "eastus2",
    "japaneast",
    "australiaeast",
    "canadaeast",
    "switzerlandnorth",
    "norwayeast",
    "germanywestcentral",
    "koreacentral",
    "southindia",
    "brazilsouth",
    "westus",
    "northeurope",
];

/// The `*` selector, quoted (a bare `*` starts a YAML alias).
const ANY: &str = "\"*\"";
const OPENAI_ZONE: &str = "privatelink.openai.azure.com";
const BLOB_ZONE: &str = "privatelink.blob.core.windows.net";

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GenParams {
    /// Regions, each with one hub (1..=[`MAX_REGIONS`]).
    pub regions: u32,
    /// Spokes per region (0..=[`MAX_SPOKES`]).
    pub spokes: u32,
    /// Workload subnets per spoke, cycling application, inference, data (0..=[`MAX_SUBNETS`]).
    pub subnets: u32,
    /// Endpoints per workload subnet (0..=[`MAX_ENDPOINTS`]).
    pub endpoints: u32,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for GenParams {
    /// The "S" size: 2 regions × 2 spokes × 3 subnets × 26 endpoints, seed 1.
    fn default() -> Self {
        Self {
            regions: 2,
            spokes: 2,
            subnets: DEFAULT_SUBNETS,
            endpoints: DEFAULT_ENDPOINTS,
            seed: 1,
        }
    }
}

impl GenParams {
    /// A named size preset, case-insensitive: `S`/`small` (about 340 endpoints, 210 rules),
    /// `M`/`medium` (about 4,000 and 2,000), `L`/`large` (20 regions × 25 spokes: about 40,000
    /// endpoints and 20,000 rules). Seed 1.
    #[must_use]
    pub fn size(name: &str) -> Option<GenParams> {
        let (regions, spokes) = match name.trim().to_ascii_lowercase().as_str() {
            "s" | "small" => (2, 2),
            "m" | "medium" => (5, 10),
            "l" | "large" => (20, 25),
            _ => return None,
        };
        Some(GenParams {
            regions,
            spokes,
            ..GenParams::default()
        })
    }

    /// The parameters actually used by [`generate`]: each field clamped into its range.
    #[must_use]
    pub fn clamped(&self) -> GenParams {
        GenParams {
            regions: self.regions.clamp(1, MAX_REGIONS),
            spokes: self.spokes.min(MAX_SPOKES),
            subnets: self.subnets.min(MAX_SUBNETS),
            endpoints: self.endpoints.min(MAX_ENDPOINTS),
            seed: self.seed,
        }
    }
}

/// Counts about a generated topology.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Regions (= hubs).
    pub regions: usize,
    /// Networks (hubs and spokes).
    pub networks: usize,
    /// Subnets of all networks.
    pub subnets: usize,
    /// Endpoints, the services reached through private endpoints included.
    pub endpoints: usize,
    /// Rule sets under `rule_sets:`.
    pub rule_sets: usize,
    /// Rules of those rule sets (the zone policy not included).
    pub rules: usize,
    /// Entries of the `policies:` zone policy.
    pub policies: usize,
    /// Entries of `peerings:` (spoke-to-hub peerings are implied by `hub:`, not counted).
    pub peerings: usize,
    /// Private DNS zones.
    pub dns_zones: usize,
    /// `expect:` entries.
    pub expectations: usize,
    /// Length of the YAML text in bytes.
    pub bytes: usize,
}

/// The YAML text of the topology for `params` (clamped, see [`GenParams::clamped`]).
#[must_use]
pub fn generate(params: &GenParams) -> String {
    generate_with_stats(params).0
}

/// The counts of the topology [`generate`] makes for `params` (it generates the text).
#[must_use]
pub fn stats(params: &GenParams) -> GenStats {
    generate_with_stats(params).1
}

/// The YAML text of the topology for `params` and its counts.
#[must_use]
pub fn generate_with_stats(params: &GenParams) -> (String, GenStats) {
    let mut g = Gen::new(params.clamped());
    g.run();
    g.finish()
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// `SplitMix64`: tiny, fast, good enough for choosing rules.
struct Rng(u64);

impl Rng {
    /// A stream for one part of the topology, derived from the seed and the part's keys.
    fn derive(seed: u64, keys: &[u64]) -> Rng {
        let mut h = Rng(seed).next_u64();
        for &k in keys {
            h = Rng(h ^ k.wrapping_mul(0xA24B_AED4_963E_E407)).next_u64();
        }
        Rng(h)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the high 64 bits of a 64×64-bit product fit in u64"
    )]
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen index below `len`.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the result is below `len`, a usize"
    )]
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses

/// Address pools, in the order they are used: `[start, end)`.
const POOLS: [(u32, u32); 5] = [
    (0x0A00_0000, 0x0B00_0000), // 10.0.0.0/8
    (0xAC10_0000, 0xAC20_0000), // 172.16.0.0/12
    (0xC0A8_0000, 0xC0A9_0000), // 192.168.0.0/16
    (0x6440_0000, 0x6480_0000), // 100.64.0.0/10
    (0x0B00_0000, 0x6400_0000), // 11.0.0.0 – 99.255.255.255, for very large parameters only
];

/// Hands out aligned, non-overlapping blocks.
struct Alloc {
    pool: usize,
    next: u64,
}

impl Alloc {
    fn new() -> Alloc {
        Alloc {
            pool: 0,
            next: u64::from(POOLS[0].0),
        }
    }

    /// The base of a fresh block of `size` addresses (a power of two), aligned to `size`.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "blocks lie inside the IPv4 pools, below 2^32"
    )]
    fn take(&mut self, size: u64) -> u32 {
        loop {
            let (start, end) = POOLS[self.pool];
            let at = self.next.max(u64::from(start)).next_multiple_of(size);
            if at + size <= u64::from(end) {
                self.next = at + size;
                return at as u32;
            }
            if self.pool + 1 == POOLS.len() {
                // Unreachable within the MAX_* clamps (at most ~0.9 G addresses are needed,
                // the pools hold ~1.5 G); overlap rather than fail.
                self.next = u64::from(end);
                return start;
            }
            self.pool += 1;
            self.next = u64::from(POOLS[self.pool].0);
        }
    }
}

/// An IPv4 block: `base/prefix` with `size` addresses.
#[derive(Clone, Copy)]
struct Block {
    base: u32,
    size: u64,
}

impl Block {
    fn at(&self, offset: u64, size: u64) -> Block {
        Block {
            base: self.ip(offset),
            size,
        }
    }

    #[allow(
        clippy::cast_possible_truncation,
        reason = "offsets stay inside the block, below 2^32"
    )]
    fn ip(&self, offset: u64) -> u32 {
        self.base.wrapping_add(offset as u32)
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}",
            Ipv4Addr::from(self.base),
            32 - self.size.trailing_zeros()
        )
    }
}

/// Size of a workload subnet: a /24, or larger when `endpoints` (plus a gateway, the four
/// reserved addresses and the broadcast address) does not fit.
fn workload_subnet_size(endpoints: u32) -> u64 {
    (u64::from(endpoints) + 6).next_power_of_two().max(256)
}

const PE_SUBNET_SIZE: u64 = 64;
const HUB_SIZE: u64 = 1024;

// ---------------------------------------------------------------------------------------------
// Rules

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    In,
    Out,
    /// Firewall rules have no direction.
    None,
}

#[derive(Clone, Copy)]
enum Ports {
    One(u16),
    Range(u16, u16),
    List(&'static [u16]),
    Any,
}

impl Ports {
    /// A port set covered by `self` (for a deliberately shadowed copy).
    fn narrowed(self) -> Ports {
        match self {
            Ports::One(p) | Ports::Range(p, _) => Ports::One(p),
            Ports::List(l) => Ports::One(l.first().copied().unwrap_or(443)),
            Ports::Any => Ports::One(443),
        }
    }
}

impl fmt::Display for Ports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ports::One(p) => write!(f, "{p}"),
            Ports::Range(a, b) => write!(f, "\"{a}-{b}\""),
            Ports::List(l) => {
                f.write_str("[")?;
                for (k, p) in l.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
                f.write_str("]")
            }
            Ports::Any => f.write_str("\"*\""),
        }
    }
}

#[derive(Clone)]
struct Rule {
    id: String,
    /// Fixed priority, or 0 to be numbered in order.
    priority: u32,
    dir: Dir,
    allow: bool,
    protocol: &'static str,
    source: String,
    destination: String,
    ports: Ports,
    justification: &'static str,
    /// Flow-sequence text of `fqdns:`, or empty.
    fqdns: &'static str,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per column of the rule table"
)]
fn rule(
    id: &str,
    dir: Dir,
    allow: bool,
    protocol: &'static str,
    source: impl Into<String>,
    destination: impl Into<String>,
    ports: Ports,
    justification: &'static str,
) -> Rule {
    Rule {
        id: id.to_owned(),
        priority: 0,
        dir,
        allow,
        protocol,
        source: source.into(),
        destination: destination.into(),
        ports,
        justification,
        fqdns: "",
    }
}

fn fixed(mut r: Rule, priority: u32) -> Rule {
    r.priority = priority;
    r
}

/// Numbers the rules without a fixed priority, per direction, in order, from 100–140 in steps
/// of 10–100 (so they stay below the fixed 4000/4096 ones).
fn number(rules: &mut [Rule], rng: &mut Rng) {
    for dir in [Dir::In, Dir::Out, Dir::None] {
        let mut p = 100 + 10 * rng.below(5);
        for r in rules.iter_mut().filter(|r| r.dir == dir && r.priority == 0) {
            r.priority = u32::try_from(p).unwrap_or(4000);
            p += rng.pick(&[10, 10, 20, 50, 100]);
        }
    }
}

/// With probability `percent`, inserts after a random numbered allow rule a narrower copy of it
/// (`{id}-legacy`): a rule that can never match.
fn maybe_shadow(rules: &mut Vec<Rule>, rng: &mut Rng, percent: u64) {
    if !rng.chance(percent) {
        return;
    }
    let candidates: Vec<usize> = (0..rules.len())
        .filter(|&k| rules[k].allow && rules[k].priority == 0)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let k = candidates[rng.index(candidates.len())];
    let mut copy = rules[k].clone();
    copy.id.push_str("-legacy");
    copy.ports = copy.ports.narrowed();
    rules.insert(k + 1, copy);
}

// ---------------------------------------------------------------------------------------------
// Writing

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {{
        let _ = write!($dst, $($arg)*);
    }};
}

fn write_rule_set(out: &mut String, id: &str, kind: &str, rules: &[Rule]) {
    w!(out, "  - id: {id}\n    kind: {kind}\n    rules:\n");
    for r in rules {
        w!(out, "      - {{ id: {}, priority: {}", r.id, r.priority);
        match r.dir {
            Dir::In => out.push_str(", direction: inbound"),
            Dir::Out => out.push_str(", direction: outbound"),
            Dir::None => {}
        }
        w!(
            out,
            ", action: {}, protocol: {}, source: {}, destination: {}, ports: {}",
            if r.allow { "allow" } else { "deny" },
            r.protocol,
            r.source,
            r.destination,
            r.ports
        );
        if !r.fqdns.is_empty() {
            w!(out, ", fqdns: {}", r.fqdns);
        }
        w!(out, ", justification: \"{}\" }}\n", r.justification);
    }
}

fn region_name(r: u32) -> String {
    usize::try_from(r - 1)
        .ok()
        .and_then(|k| REGION_NAMES.get(k))
        .map_or_else(|| format!("region-{r}"), |n| (*n).to_owned())
}

/// The regions of a gateway's backends for region `r`: `r`, then the next one or two.
fn backend_regions(r: u32, regions: u32, rng: &mut Rng) -> Vec<u32> {
    let count = match regions {
        1 => 1,
        2 => 2,
        _ => 2 + u32::from(rng.chance(40)),
    };
    (0..count).map(|k| (r - 1 + k) % regions + 1).collect()
}

const ZONE_CYCLE: [(&str, &str); 3] = [
    ("application", "app"),
    ("inference", "inf"),
    ("data", "data"),
];

struct Gen {
    p: GenParams,
    alloc: Alloc,
    nets: String,
    eps: String,
    sets: String,
    stats: GenStats,
}

impl Gen {
    fn new(p: GenParams) -> Gen {
        let spokes = u64::from(p.regions) * u64::from(p.spokes);
        let regions = u64::from(p.regions);
        let subnets = u64::from(p.subnets);
        let eps = spokes * (subnets * u64::from(p.endpoints) + 3) + regions * 8;
        let rules = spokes * (subnets * 12 + 4) + regions * 30;
        let nets = spokes * (subnets + 1) + regions * 5;
        let cap = |n: u64| usize::try_from(n).unwrap_or(0);
        Gen {
            p,
            alloc: Alloc::new(),
            nets: String::with_capacity(cap(nets * 110 + (spokes + regions) * 110)),
            eps: String::with_capacity(cap(eps * 115)),
            sets: String::with_capacity(cap(rules * 215 + (spokes * (subnets + 1)) * 60)),
            stats: GenStats {
                regions: cap(regions),
                ..GenStats::default()
            },
        }
    }

    fn run(&mut self) {
        for r in 1..=self.p.regions {
            self.hub(r);
            for s in 1..=self.p.spokes {
                self.spoke(r, s);
            }
        }
    }

    fn subnet(&mut self, id: &str, cidr: Block, zone: &str, rules: Option<&str>, extra: &str) {
        w!(self.nets, "      - {{ id: {id}, cidr: {cidr}, zone: {zone}");
        if let Some(rs) = rules {
            w!(self.nets, ", rules: [{rs}]");
        }
        w!(self.nets, "{extra} }}\n");
        self.stats.subnets += 1;
    }

    fn rule_set(&mut self, id: &str, kind: &str, rules: &[Rule]) {
        write_rule_set(&mut self.sets, id, kind, rules);
        self.stats.rule_sets += 1;
        self.stats.rules += rules.len();
    }

    fn hub(&mut self, r: u32) {
        let mut rng = Rng::derive(self.p.seed, &[u64::from(r)]);
        let region = region_name(r);
        let net = Block {
            base: self.alloc.take(HUB_SIZE),
            size: HUB_SIZE,
        };
        self.stats.networks += 1;
        w!(
            self.nets,
            "  - id: hub-r{r}\n    region: {region}\n    cidr: {net}\n    role: hub\n    egress: fw-r{r}\n    subnets:\n"
        );
        self.subnet(
            &format!("snet-fw-r{r}"),
            net.at(0, 64),
            "management",
            None,
            ", internet_egress: true",
        );
        let bastion = format!("snet-bastion-r{r}");
        self.subnet(
            &bastion,
            net.at(64, 64),
            "management",
            Some(&format!("nsg-bastion-r{r}")),
            "",
        );
        let mgmt = format!("snet-mgmt-r{r}");
        self.subnet(
            &mgmt,
            net.at(128, 64),
            "management",
            Some(&format!("nsg-mgmt-r{r}")),
            "",
        );
        let dns = format!("snet-dns-r{r}");
        self.subnet(
            &dns,
            net.at(192, 16),
            "management",
            Some(&format!("nsg-dns-r{r}")),
            "",
        );
        let hubpe = format!("snet-hubpe-r{r}");
        self.subnet(
            &hubpe,
            net.at(256, 256),
            "inference",
            Some(&format!("nsg-hubpe-r{r}")),
            "",
        );

        let ip = |o: u64| Ipv4Addr::from(net.ip(o));
        let aoai_access = if rng.chance(10) {
            "enabled"
        } else {
            "disabled"
        };
        w!(
            self.eps,
            "  - {{ id: fw-r{r}, kind: firewall, subnet: snet-fw-r{r}, ip: {}, rules: [fwp-r{r}] }}\n\
             \x20 - {{ id: bastion-r{r}, kind: bastion, subnet: {bastion}, ip: {}, public_ip: true, ports: [443] }}\n\
             \x20 - {{ id: jump-r{r}, kind: jumpbox, subnet: {mgmt}, ip: {}, ports: [22, 3389] }}\n\
             \x20 - {{ id: kv-r{r}, kind: secrets, subnet: {mgmt}, ip: {}, ports: [443] }}\n\
             \x20 - {{ id: mon-r{r}, kind: monitoring, subnet: {mgmt}, ip: {}, ports: [443] }}\n\
             \x20 - {{ id: dns-r{r}, kind: dns_resolver, subnet: {dns}, ip: {}, ports: [53] }}\n\
             \x20 - {{ id: aoai-r{r}, kind: ai_service, zone: external_ai, region: {region}, fqdn: contoso-r{r}-{region}.openai.azure.com, public_access: {aoai_access}, ports: [443] }}\n\
             \x20 - {{ id: pe-aoai-r{r}, kind: private_endpoint, subnet: {hubpe}, ip: {}, target: aoai-r{r}, dns_zone: {OPENAI_ZONE} }}\n",
            ip(4),
            ip(68),
            ip(132),
            ip(133),
            ip(134),
            ip(196),
            ip(260),
        );
        self.stats.endpoints += 8;

        self.hub_firewall(r, &mut rng);
        self.hub_nsgs(r, &mut rng);
    }

    /// The hub firewall's policy `fwp-r{r}`.
    #[allow(clippy::too_many_lines, reason = "a table of rules")]
    fn hub_firewall(&mut self, r: u32, rng: &mut Rng) {
        let regions = self.p.regions;
        let near: Vec<String> = (0..regions.min(3))
            .map(|k| format!("snet-hubpe-r{}", (r - 1 + k) % regions + 1))
            .collect();
        let mut fw = vec![
            rule(
                "allow-inference-to-aoai",
                Dir::None,
                true,
                "https",
                "inference",
                "external_ai",
                Ports::One(443),
                "The model proxies and gateways call Azure OpenAI",
            ),
            rule(
                "allow-inference-to-private-endpoints",
                Dir::None,
                true,
                "https",
                "inference",
                list(&near),
                Ports::One(443),
                "Gateways fail over to the private endpoints of the neighbouring regions",
            ),
            rule(
                "allow-dns",
                Dir::None,
                true,
                "udp",
                "[application, inference, data]",
                format!("dns-r{r}"),
                Ports::One(53),
                "Every workload resolves names through the hub resolver",
            ),
            rule(
                "allow-admin",
                Dir::None,
                true,
                "tcp",
                "management",
                "[application, inference, data]",
                Ports::List(&[22, 3389]),
                "Administration from the jumpbox only",
            ),
            rule(
                "allow-monitoring",
                Dir::None,
                true,
                "https",
                "[application, inference, data]",
                format!("mon-r{r}"),
                Ports::One(443),
                "Logs and metrics go to the regional collector",
            ),
            rule(
                "allow-secrets",
                Dir::None,
                true,
                "https",
                "inference",
                format!("kv-r{r}"),
                Ports::One(443),
                "The inference layer reads API credentials from the secrets store",
            ),
            Rule {
                fqdns: "[packages.microsoft.com, security.ubuntu.com]",
                ..rule(
                    "allow-os-updates",
                    Dir::None,
                    true,
                    "https",
                    "application",
                    "Internet",
                    Ports::One(443),
                    "Application hosts fetch OS updates from approved mirrors",
                )
            },
            rule(
                "deny-data-egress",
                Dir::None,
                false,
                "any",
                "data",
                "Internet",
                Ports::Any,
                "The data zone never reaches the internet",
            ),
            rule(
                "deny-app-to-data",
                Dir::None,
                false,
                "any",
                "application",
                "data",
                Ports::Any,
                "Only the inference zone reaches the data zone",
            ),
        ];
        if rng.chance(10) {
            fw.insert(
                6,
                rule(
                    "allow-legacy-egress",
                    Dir::None,
                    true,
                    "tcp",
                    "inference",
                    "Internet",
                    Ports::One(443),
                    "Temporary: the model proxy downloads tokenizer files (to be removed)",
                ),
            );
        }
        maybe_shadow(&mut fw, rng, 10);
        number(&mut fw, rng);
        self.rule_set(&format!("fwp-r{r}"), "firewall", &fw);
    }

    /// The NSGs of the hub's subnets.
    #[allow(clippy::too_many_lines, reason = "a table of rules")]
    fn hub_nsgs(&mut self, r: u32, rng: &mut Rng) {
        let bastion = format!("snet-bastion-r{r}");
        let mgmt = format!("snet-mgmt-r{r}");
        let dns = format!("snet-dns-r{r}");
        let hubpe = format!("snet-hubpe-r{r}");
        let mut nsg = vec![
            rule(
                "allow-https-in",
                Dir::In,
                true,
                "tcp",
                "Internet",
                bastion.as_str(),
                Ports::One(443),
                "Administrators reach the bastion over HTTPS",
            ),
            fixed(deny_all(Dir::In), 4096),
            rule(
                "allow-ssh-rdp-out",
                Dir::Out,
                true,
                "tcp",
                bastion.as_str(),
                "VirtualNetwork",
                Ports::List(&[22, 3389]),
                "The bastion opens SSH and RDP sessions to virtual machines",
            ),
            fixed(deny_all(Dir::Out), 4096),
        ];
        number(&mut nsg, rng);
        self.rule_set(&format!("nsg-bastion-r{r}"), "nsg", &nsg);

        let mut nsg = vec![
            rule(
                "allow-bastion-in",
                Dir::In,
                true,
                "tcp",
                bastion.as_str(),
                mgmt.as_str(),
                Ports::List(&[22, 3389]),
                "Administrators reach the jumpbox through the bastion only",
            ),
            rule(
                "allow-secrets-in",
                Dir::In,
                true,
                "https",
                "VirtualNetwork",
                format!("kv-r{r}"),
                Ports::One(443),
                "Workloads read secrets",
            ),
            rule(
                "allow-monitoring-in",
                Dir::In,
                true,
                "https",
                "VirtualNetwork",
                format!("mon-r{r}"),
                Ports::One(443),
                "Workloads send logs and metrics",
            ),
            fixed(
                rule(
                    "deny-internet-in",
                    Dir::In,
                    false,
                    "any",
                    "Internet",
                    mgmt.as_str(),
                    Ports::Any,
                    "The management plane is never exposed to the internet",
                ),
                4000,
            ),
            fixed(deny_all(Dir::In), 4096),
        ];
        maybe_shadow(&mut nsg, rng, 10);
        number(&mut nsg, rng);
        self.rule_set(&format!("nsg-mgmt-r{r}"), "nsg", &nsg);

        let mut nsg = vec![
            rule(
                "allow-dns-in",
                Dir::In,
                true,
                "udp",
                "VirtualNetwork",
                dns.as_str(),
                Ports::One(53),
                "Workloads resolve private DNS zones through the hub resolver",
            ),
            fixed(deny_all(Dir::In), 4096),
        ];
        number(&mut nsg, rng);
        self.rule_set(&format!("nsg-dns-r{r}"), "nsg", &nsg);

        let mut nsg = vec![
            rule(
                "deny-application-in",
                Dir::In,
                false,
                "any",
                "application",
                hubpe.as_str(),
                Ports::Any,
                "Applications call models only through the gateway",
            ),
            rule(
                "allow-inference-in",
                Dir::In,
                true,
                "https",
                "inference",
                hubpe.as_str(),
                Ports::One(443),
                "Gateways and model proxies call Azure OpenAI privately",
            ),
            fixed(deny_all(Dir::In), 4096),
        ];
        number(&mut nsg, rng);
        self.rule_set(&format!("nsg-hubpe-r{r}"), "nsg", &nsg);
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one spoke: its network, endpoints and rule sets, in file order"
    )]
    fn spoke(&mut self, r: u32, s: u32) {
        let prm = self.p;
        let mut rng = Rng::derive(prm.seed, &[u64::from(r), u64::from(s)]);
        let region = region_name(r);
        let n_sub = prm.subnets;
        let ss = workload_subnet_size(prm.endpoints);
        let size = (u64::from(n_sub) + 1).next_power_of_two() * ss;
        let net = Block {
            base: self.alloc.take(size),
            size,
        };
        self.stats.networks += 1;
        w!(
            self.nets,
            "  - id: spoke-r{r}-s{s}\n    region: {region}\n    cidr: {net}\n    role: spoke\n    hub: hub-r{r}\n    subnets:\n"
        );

        let sub_id = |i: u32| {
            let (_, short) = ZONE_CYCLE[((i - 1) % 3) as usize];
            format!("snet-{short}-r{r}-s{s}-{i}")
        };
        let ctx = SpokeCtx {
            r,
            app: (n_sub >= 1).then(|| sub_id(1)),
            inf: (n_sub >= 2).then(|| sub_id(2)),
            data: (n_sub >= 3).then(|| sub_id(3)),
            pe: format!("snet-pe-r{r}-s{s}"),
            gw: format!("gw-r{r}-s{s}"),
            remote_pes: (prm.regions > 1).then(|| {
                let mut targets = Vec::new();
                for k in 1..prm.regions.min(3) {
                    let q = (r - 1 + k) % prm.regions + 1;
                    targets.push(format!("snet-hubpe-r{q}"));
                    targets.push(format!("aoai-r{q}"));
                }
                list(&targets)
            }),
        };
        let gw_subnet = ctx.inf.clone().unwrap_or_else(|| ctx.pe.clone());

        // Subnets.
        for i in 1..=n_sub {
            let (zone, _) = ZONE_CYCLE[((i - 1) % 3) as usize];
            let id = sub_id(i);
            let rs = format!("nsg-r{r}-s{s}-{i}");
            self.subnet(&id, net.at(u64::from(i - 1) * ss, ss), zone, Some(&rs), "");
        }
        let pe_block = net.at(u64::from(n_sub) * ss, PE_SUBNET_SIZE);
        self.subnet(
            &ctx.pe,
            pe_block,
            "inference",
            Some(&format!("nsg-r{r}-s{s}-pe")),
            "",
        );

        // Endpoints: the gateway first.
        let gw_block = if n_sub >= 2 { net.at(ss, ss) } else { pe_block };
        let timeout = if rng.chance(8) {
            240
        } else {
            [300, 600, 900][usize::from(rng.chance(30)) + usize::from(rng.chance(10))]
        };
        w!(
            self.eps,
            "  - {{ id: {}, kind: gateway, subnet: {gw_subnet}, ip: {}, ports: [443], idle_timeout_s: {timeout}, backends: [",
            ctx.gw,
            Ipv4Addr::from(gw_block.ip(4))
        );
        for (k, q) in backend_regions(r, prm.regions, &mut rng).iter().enumerate() {
            if k > 0 {
                self.eps.push_str(", ");
            }
            w!(
                self.eps,
                "{{ endpoint: pe-aoai-r{q}, priority: {} }}",
                k + 1
            );
        }
        self.eps.push_str("] }\n");
        self.stats.endpoints += 1;

        for i in 1..=n_sub {
            let zone = (i - 1) % 3;
            let id = sub_id(i);
            let block = net.at(u64::from(i - 1) * ss, ss);
            let first = if i == 2 { 5 } else { 4 };
            for n in 1..=prm.endpoints {
                let (kind, ports) = match zone {
                    0 => ("app", "[443]"),
                    1 => ("model_proxy", "[443, 8000]"),
                    _ if n > 1 && rng.chance(35) => ("storage", "[443]"),
                    _ => ("vector_db", "[6333, 6334]"),
                };
                w!(
                    self.eps,
                    "  - {{ id: ep-r{r}-s{s}-{i}-{n}, kind: {kind}, subnet: {id}, ip: {}, ports: {ports} }}\n",
                    Ipv4Addr::from(block.ip(u64::from(first + n - 1)))
                );
            }
            self.stats.endpoints += prm.endpoints as usize;
        }

        let st_access = if rng.chance(5) { "enabled" } else { "disabled" };
        let pe_ip = pe_block.ip(if n_sub >= 2 { 4 } else { 5 });
        w!(
            self.eps,
            "  - {{ id: st-r{r}-s{s}, kind: storage, zone: data, region: {region}, fqdn: contosor{r}s{s}.blob.core.windows.net, public_access: {st_access}, ports: [443] }}\n\
             \x20 - {{ id: pe-st-r{r}-s{s}, kind: private_endpoint, subnet: {}, ip: {}, target: st-r{r}-s{s}, dns_zone: {BLOB_ZONE} }}\n",
            ctx.pe,
            Ipv4Addr::from(pe_ip)
        );
        self.stats.endpoints += 2;

        // Rule sets.
        for i in 1..=n_sub {
            let mut rules = ctx.workload_nsg(i, &sub_id(i), &mut rng);
            maybe_shadow(&mut rules, &mut rng, 5);
            number(&mut rules, &mut rng);
            self.rule_set(&format!("nsg-r{r}-s{s}-{i}"), "nsg", &rules);
        }
        let mut rules = ctx.pe_nsg(n_sub < 2);
        number(&mut rules, &mut rng);
        self.rule_set(&format!("nsg-r{r}-s{s}-pe"), "nsg", &rules);
    }

    fn finish(self) -> (String, GenStats) {
        let Gen {
            p,
            nets,
            eps,
            sets,
            mut stats,
            ..
        } = self;
        let mut out = String::with_capacity(nets.len() + eps.len() + sets.len() + 8192);
        w!(
            out,
            "version: 1\n\
             name: \"Synthetic AI landing zone — {} regions × {} spokes\"\n\
             description: \"Generated by zonescope gen --regions {} --spokes {} --subnets {} --endpoints {} --seed {}\"\n\n",
            p.regions,
            p.spokes,
            p.regions,
            p.spokes,
            p.subnets,
            p.endpoints,
            p.seed
        );
        out.push_str(
            "zones:\n\
             \x20 - id: application\n    description: User-facing application layer\n\
             \x20 - id: inference\n    description: Model inference, gateways and guardrails\n\
             \x20 - id: data\n    description: Vector databases, document stores, training data\n\
             \x20 - id: management\n    description: Secrets, identity, monitoring, deployment\n\
             \x20 - id: external_ai\n    description: Cloud AI service endpoints\n\n",
        );

        out.push_str("networks:\n");
        out.push_str(&nets);

        let ring: Vec<(u32, u32)> = match p.regions {
            1 => Vec::new(),
            2 => vec![(1, 2)],
            n => (1..=n).map(|r| (r, r % n + 1)).collect(),
        };
        if ring.is_empty() {
            out.push_str("\npeerings: []\n");
        } else {
            out.push_str("\npeerings:\n");
            for (a, b) in &ring {
                w!(out, "  - [hub-r{a}, hub-r{b}]\n");
            }
        }
        stats.peerings = ring.len();

        out.push_str("\nendpoints:\n");
        out.push_str(&eps);
        out.push_str("\nrule_sets:\n");
        out.push_str(&sets);

        out.push_str("\npolicies:\n");
        for pol in POLICIES {
            w!(
                out,
                "  - id: {}\n    name: {}\n    from: {}\n    to: {}\n    protocol: {}\n    ports: \"{}\"\n    action: {}\n    justification: \"{}\"\n    classification: {}\n",
                pol.id,
                pol.name,
                pol.from,
                pol.to,
                pol.protocol,
                pol.ports,
                pol.action,
                pol.justification,
                pol.classification
            );
        }
        stats.policies = POLICIES.len();

        let hubs: Vec<String> = (1..=p.regions).map(|r| format!("hub-r{r}")).collect();
        // `linked` is always a list, even of one hub.
        let hubs = format!("[{}]", hubs.join(", "));
        w!(out, "\ndns:\n  - zone: {OPENAI_ZONE}\n    linked: {hubs}\n");
        stats.dns_zones = 1;
        if p.spokes > 0 {
            w!(out, "  - zone: {BLOB_ZONE}\n    linked: {hubs}\n");
            stats.dns_zones += 1;
        }

        stats.expectations = write_expect(&mut out, &p);
        stats.bytes = out.len();
        (out, stats)
    }
}

/// The `expect:` entries (about region 1, spoke 1); returns how many.
fn write_expect(out: &mut String, p: &GenParams) -> usize {
    out.push_str("\nexpect:\n");
    let mut count = 0;
    let mut expect = |name: &str, from: &str, to: &str, port: u16, verdict: &str| {
        w!(
            out,
            "  - name: \"{name}\"\n    from: {from}\n    to: {to}\n    port: {port}\n    verdict: {verdict}\n"
        );
        count += 1;
    };
    expect(
        "the bastion reaches the jumpbox over SSH",
        "bastion-r1",
        "jump-r1",
        22,
        "allow",
    );
    if p.spokes > 0 {
        let app = "ep-r1-s1-1-1";
        if p.subnets >= 1 && p.endpoints >= 1 {
            expect(
                "an application cannot call Azure OpenAI directly",
                app,
                "aoai-r1",
                443,
                "deny",
            );
            if p.subnets >= 2 {
                expect(
                    "an application reaches its AI gateway",
                    app,
                    "gw-r1-s1",
                    443,
                    "allow",
                );
            }
            if p.subnets >= 3 {
                expect(
                    "no lateral movement from application to data",
                    app,
                    "ep-r1-s1-3-1",
                    6333,
                    "deny",
                );
            }
        }
        expect(
            "the gateway reaches Azure OpenAI privately",
            "gw-r1-s1",
            "aoai-r1",
            443,
            "allow",
        );
        if p.regions >= 2 {
            expect(
                "the gateway fails over to region 2",
                "gw-r1-s1",
                "pe-aoai-r2",
                443,
                "allow",
            );
        }
    }
    count
}

/// `[a, b, c]`, or the single item itself.
fn list(items: &[String]) -> String {
    if items.len() == 1 {
        items[0].clone()
    } else {
        format!("[{}]", items.join(", "))
    }
}

/// Keeps `rule` with probability 60 %.
fn maybe(v: &mut Vec<Rule>, rng: &mut Rng, rule: Rule) {
    if rng.chance(60) {
        v.push(rule);
    }
}

fn deny_all(dir: Dir) -> Rule {
    rule(
        if dir == Dir::In {
            "deny-all-in"
        } else {
            "deny-all-out"
        },
        dir,
        false,
        "any",
        ANY,
        ANY,
        Ports::Any,
        "Default deny: only the flows above are allowed",
    )
}

/// What a spoke's NSGs refer to.
struct SpokeCtx {
    r: u32,
    app: Option<String>,
    inf: Option<String>,
    data: Option<String>,
    pe: String,
    gw: String,
    /// Selector list of the neighbouring regions' private endpoint subnets and services.
    remote_pes: Option<String>,
}

impl SpokeCtx {
    fn aoai_rules(&self, x: &str, out: &mut Vec<Rule>) {
        let r = self.r;
        out.push(rule(
            "allow-aoai-out",
            Dir::Out,
            true,
            "https",
            x,
            format!("[snet-hubpe-r{r}, aoai-r{r}]"),
            Ports::One(443),
            "The gateway calls Azure OpenAI through the hub private endpoint",
        ));
        if let Some(remote) = &self.remote_pes {
            out.push(rule(
                "allow-remote-aoai-out",
                Dir::Out,
                true,
                "https",
                x,
                remote.as_str(),
                Ports::One(443),
                "The gateway fails over to Azure OpenAI in the neighbouring regions",
            ));
        }
    }

    /// The NSG of workload subnet `i` (id `x`), before numbering.
    #[allow(clippy::too_many_lines, reason = "a table of rules, per zone")]
    fn workload_nsg(&self, i: u32, x: &str, rng: &mut Rng) -> Vec<Rule> {
        let r = self.r;
        let bastion = format!("snet-bastion-r{r}");
        let mon = format!("mon-r{r}");
        let kv = format!("kv-r{r}");
        let dns = format!("dns-r{r}");
        let app = self.app.as_deref().unwrap_or("application");
        let inf = self.inf.as_deref().unwrap_or("inference");
        let mut v = Vec::with_capacity(16);
        let bastion_in = rule(
            "allow-bastion-in",
            Dir::In,
            true,
            "tcp",
            bastion.as_str(),
            x,
            Ports::List(&[22, 3389]),
            "Administrators connect through the bastion only",
        );
        let monitoring_in = rule(
            "allow-monitoring-in",
            Dir::In,
            true,
            "tcp",
            mon.as_str(),
            x,
            Ports::One(9100),
            "The collector scrapes node metrics",
        );
        let kv_out = rule(
            "allow-secrets-out",
            Dir::Out,
            true,
            "https",
            x,
            kv.as_str(),
            Ports::One(443),
            "Workloads read their credentials from the secrets store",
        );
        let mon_out = rule(
            "allow-monitoring-out",
            Dir::Out,
            true,
            "https",
            x,
            mon.as_str(),
            Ports::One(443),
            "Logs and metrics go to the regional collector",
        );
        let dns_out = rule(
            "allow-dns-out",
            Dir::Out,
            true,
            "udp",
            x,
            dns.as_str(),
            Ports::One(53),
            "Name resolution through the hub resolver",
        );
        let internet_out = fixed(
            rule(
                "deny-internet-out",
                Dir::Out,
                false,
                "any",
                x,
                "Internet",
                Ports::Any,
                "No direct internet egress: updates go through the hub firewall",
            ),
            4000,
        );
        v.push(rule(
            "deny-internet-admin-in",
            Dir::In,
            false,
            "tcp",
            "Internet",
            x,
            Ports::List(&[22, 3389]),
            "Remote administration is never exposed to the internet",
        ));
        match (i - 1) % 3 {
            0 => {
                v.push(rule(
                    "allow-https-in",
                    Dir::In,
                    true,
                    "https",
                    "VirtualNetwork",
                    x,
                    Ports::One(443),
                    "Users reach the application through the internal load balancer",
                ));
                maybe(
                    &mut v,
                    rng,
                    rule(
                        "allow-http-redirect-in",
                        Dir::In,
                        true,
                        "tcp",
                        "VirtualNetwork",
                        x,
                        Ports::One(80),
                        "Plain HTTP is redirected to HTTPS",
                    ),
                );
                maybe(
                    &mut v,
                    rng,
                    rule(
                        "allow-health-in",
                        Dir::In,
                        true,
                        "tcp",
                        "VirtualNetwork",
                        x,
                        Ports::One(8080),
                        "Load balancer health probes",
                    ),
                );
                v.push(bastion_in);
                maybe(&mut v, rng, monitoring_in);
                v.push(fixed(deny_all(Dir::In), 4096));
                v.push(rule(
                    "allow-gateway-out",
                    Dir::Out,
                    true,
                    "https",
                    x,
                    self.gw.as_str(),
                    Ports::One(443),
                    "The application calls models only through the gateway",
                ));
                if self.inf.is_some() {
                    v.push(rule(
                        "allow-inference-out",
                        Dir::Out,
                        true,
                        "https",
                        x,
                        inf,
                        Ports::One(443),
                        "The application sends prompts to the model proxies",
                    ));
                }
                if let Some(data) = &self.data {
                    v.push(rule(
                        "deny-data-out",
                        Dir::Out,
                        false,
                        "any",
                        x,
                        data.as_str(),
                        Ports::Any,
                        "No lateral movement from the application to the data zone",
                    ));
                }
                maybe(&mut v, rng, kv_out);
                maybe(&mut v, rng, mon_out);
                v.push(dns_out);
            }
            1 => {
                v.push(rule(
                    "allow-app-in",
                    Dir::In,
                    true,
                    "https",
                    app,
                    x,
                    Ports::One(443),
                    "The application sends prompts to the gateway and model proxies",
                ));
                maybe(
                    &mut v,
                    rng,
                    rule(
                        "allow-app-stream-in",
                        Dir::In,
                        true,
                        "tcp",
                        app,
                        x,
                        Ports::One(8000),
                        "Streaming endpoint of the model proxies",
                    ),
                );
                v.push(bastion_in);
                maybe(&mut v, rng, monitoring_in);
                v.push(fixed(deny_all(Dir::In), 4096));
                if let Some(data) = &self.data {
                    v.push(rule(
                        "allow-vector-out",
                        Dir::Out,
                        true,
                        "https",
                        x,
                        data.as_str(),
                        Ports::Range(6333, 6334),
                        "Retrieval reads context from the vector database",
                    ));
                }
                maybe(
                    &mut v,
                    rng,
                    rule(
                        "allow-storage-out",
                        Dir::Out,
                        true,
                        "https",
                        x,
                        self.pe.as_str(),
                        Ports::One(443),
                        "Documents are read from the storage account's private endpoint",
                    ),
                );
                self.aoai_rules(x, &mut v);
                maybe(&mut v, rng, kv_out);
                v.push(dns_out);
                maybe(&mut v, rng, mon_out);
            }
            _ => {
                if rng.chance(50) {
                    v.push(rule(
                        "deny-app-in",
                        Dir::In,
                        false,
                        "any",
                        app,
                        x,
                        Ports::Any,
                        "The application never reaches the data zone directly",
                    ));
                }
                v.push(rule(
                    "allow-vector-in",
                    Dir::In,
                    true,
                    "https",
                    inf,
                    x,
                    Ports::Range(6333, 6334),
                    "Retrieval reads context from the vector database",
                ));
                maybe(
                    &mut v,
                    rng,
                    rule(
                        "allow-documents-in",
                        Dir::In,
                        true,
                        "https",
                        inf,
                        x,
                        Ports::One(443),
                        "The inference layer reads documents",
                    ),
                );
                if rng.chance(6) {
                    v.push(rule(
                        "allow-any-vector-in",
                        Dir::In,
                        true,
                        "tcp",
                        ANY,
                        x,
                        Ports::Range(6333, 6334),
                        "Temporary: open for the data migration",
                    ));
                }
                v.push(bastion_in);
                maybe(&mut v, rng, monitoring_in);
                v.push(fixed(deny_all(Dir::In), 4096));
                v.push(rule(
                    "allow-storage-out",
                    Dir::Out,
                    true,
                    "https",
                    x,
                    self.pe.as_str(),
                    Ports::One(443),
                    "Embeddings are persisted to the storage account",
                ));
                maybe(&mut v, rng, mon_out);
                v.push(dns_out);
            }
        }
        v.push(internet_out);
        v.push(fixed(deny_all(Dir::Out), 4096));
        v
    }

    /// The NSG of the private-endpoint subnet (which also holds the gateway when the spoke has
    /// no inference subnet).
    fn pe_nsg(&self, holds_gateway: bool) -> Vec<Rule> {
        let x = self.pe.as_str();
        let mut v = Vec::with_capacity(8);
        if let Some(inf) = &self.inf {
            v.push(rule(
                "allow-inference-in",
                Dir::In,
                true,
                "https",
                inf.as_str(),
                x,
                Ports::One(443),
                "The inference layer reads documents from storage",
            ));
        }
        if let Some(data) = &self.data {
            v.push(rule(
                "allow-data-in",
                Dir::In,
                true,
                "https",
                data.as_str(),
                x,
                Ports::One(443),
                "The data layer persists embeddings to storage",
            ));
        }
        if v.is_empty() {
            v.push(rule(
                "allow-vnet-in",
                Dir::In,
                true,
                "https",
                "VirtualNetwork",
                x,
                Ports::One(443),
                "Workloads of the spoke use the storage account",
            ));
        }
        if holds_gateway {
            v.push(rule(
                "allow-gateway-in",
                Dir::In,
                true,
                "https",
                "VirtualNetwork",
                self.gw.as_str(),
                Ports::One(443),
                "Applications call the gateway",
            ));
        }
        v.push(fixed(deny_all(Dir::In), 4096));
        if holds_gateway {
            self.aoai_rules(x, &mut v);
        }
        v
    }
}

/// One entry of the seed-002 zone policy.
struct Policy {
    id: &'static str,
    name: &'static str,
    from: &'static str,
    to: &'static str,
    protocol: &'static str,
    ports: &'static str,
    action: &'static str,
    justification: &'static str,
    classification: &'static str,
}

/// The zone policy: seed 002's NET-001..NET-004 and NET-010..NET-012, plus the allows the
/// generated workloads need.
const POLICIES: [Policy; 11] = [
    Policy {
        id: "NET-001",
        name: "App to inference proxy",
        from: "application",
        to: "inference",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Application sends user prompts to the inference proxy for model processing",
        classification: "confidential",
    },
    Policy {
        id: "NET-002",
        name: "Inference to cloud AI (private endpoint)",
        from: "inference",
        to: "external_ai",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference proxy forwards validated requests to Azure OpenAI via private endpoint",
        classification: "confidential",
    },
    Policy {
        id: "NET-003",
        name: "Inference to vector database",
        from: "inference",
        to: "data",
        protocol: "https",
        ports: "6333-6334",
        action: "allow",
        justification: "RAG pipeline retrieves relevant context from vector database for augmented generation",
        classification: "confidential",
    },
    Policy {
        id: "NET-004",
        name: "Inference to secrets manager",
        from: "inference",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference layer retrieves API credentials from secrets manager",
        classification: "restricted",
    },
    Policy {
        id: "NET-005",
        name: "Inference to document storage",
        from: "inference",
        to: "data",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Inference layer reads source documents for retrieval",
        classification: "confidential",
    },
    Policy {
        id: "NET-006",
        name: "Workloads to monitoring",
        from: "application",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Application sends logs and metrics to the collector",
        classification: "internal",
    },
    Policy {
        id: "NET-007",
        name: "Administration from management",
        from: "management",
        to: "application",
        protocol: "tcp",
        ports: "22",
        action: "allow",
        justification: "Administrators reach application hosts from the jumpbox",
        classification: "internal",
    },
    Policy {
        id: "NET-008",
        name: "Data to monitoring",
        from: "data",
        to: "management",
        protocol: "https",
        ports: "443",
        action: "allow",
        justification: "Data services send logs and metrics to the collector",
        classification: "internal",
    },
    Policy {
        id: "NET-010",
        name: "Block app direct AI access",
        from: "application",
        to: "external_ai",
        protocol: "https",
        ports: "443",
        action: "deny",
        justification: "All model API calls must go through the inference proxy for security inspection",
        classification: "n/a",
    },
    Policy {
        id: "NET-011",
        name: "Block data zone internet",
        from: "data",
        to: "application",
        protocol: "tcp",
        ports: "0-65535",
        action: "deny",
        justification: "Data zone contains sensitive training data and embeddings; no internet access permitted",
        classification: "n/a",
    },
    Policy {
        id: "NET-012",
        name: "Block inference internet egress",
        from: "inference",
        to: "application",
        protocol: "tcp",
        ports: "0-65535",
        action: "deny",
        justification: "Inference zone should only communicate with approved endpoints via private links",
        classification: "n/a",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pools_hold_the_largest_clamped_topology() {
        let spoke =
            (u64::from(MAX_SUBNETS) + 1).next_power_of_two() * workload_subnet_size(MAX_ENDPOINTS);
        // Worst case: each hub wastes a spoke-sized alignment gap, each pool's tail is lost.
        let need = u64::from(MAX_REGIONS) * (u64::from(MAX_SPOKES) + 1) * spoke
            + POOLS.len() as u64 * spoke;
        let have: u64 = POOLS
            .iter()
            .map(|&(a, b)| u64::from(b) - u64::from(a))
            .sum();
        assert!(need < have, "need {need}, have {have}");
    }

    #[test]
    fn blocks_are_aligned_and_disjoint() {
        let mut a = Alloc::new();
        let mut last_end = 0;
        for size in [1024, 4096, 1024, 65536, 1024] {
            let base = u64::from(a.take(size));
            assert_eq!(base % size, 0);
            assert!(base >= last_end);
            last_end = base + size;
        }
    }
}
