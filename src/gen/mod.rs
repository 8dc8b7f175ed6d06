//! Synthetic topologies for benchmarks and demos (`zonescope gen`).
//!
//! This module owns one thing: turning a [`GenParams`] (regions, spokes per region, workload
//! subnets per spoke, endpoints per workload subnet, seed) into the YAML text of a topology file
//! in the SPEC §1 format, plus a few counts about it ([`GenStats`]). The output is a pure
//! function of the parameters: the same parameters give byte-identical text.
//!
//! It is data-driven: `spec` holds the tables of what a hub, a spoke and each kind of workload
//! subnet contain; `build` turns them into a `design::Design` (plain data); `emit` writes it.
//! `rng` and `addr` are the seeded choices and the address plan.
//!
//! It must never read or write files, look at the environment or the clock, or use randomness
//! that is not derived from [`GenParams::seed`] (a private `SplitMix64`, re-derived per region and
//! per spoke so that one spoke's content does not depend on how many spokes come before it).
//! Callers print or save the text. The sizes are bounded ([`GenParams::validate`]) so that the
//! memory a design takes stays bounded.
//!
//! # Shape
//!
//! Zones `application`, `inference`, `data`, `management`, `external_ai`, each with the role
//! of the same name (SPEC §11.8). Per region a hub with
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

mod addr;
mod aws;
mod azure;
mod build;
mod design;
mod emit;
mod rng;
mod spec;
mod terraform;

pub use aws::{ACCOUNT, AwsFolder, AwsStats, generate_aws};
pub use azure::{AzureExport, AzureStats, generate_azure};
pub use terraform::{TerraformState, TerraformStats, generate_terraform};

/// Largest accepted `regions`.
pub const MAX_REGIONS: u32 = 100;
/// Largest accepted `spokes` (per region).
pub const MAX_SPOKES: u32 = 250;
/// Largest accepted `subnets` (workload subnets per spoke).
pub const MAX_SUBNETS: u32 = 16;
/// Largest accepted `endpoints` (per workload subnet).
pub const MAX_ENDPOINTS: u32 = 1000;
/// Largest number of workload endpoints (regions × spokes × subnets × endpoints): about 6 × "L"
/// (39,000), so that the design and its text stay within a few hundred MB.
pub const MAX_TOTAL_ENDPOINTS: u64 = 250_000;
/// Largest number of workload subnets (regions × spokes × subnets), each with its own NSG of
/// about a dozen rules: about 6 × "L" (1,500).
pub const MAX_TOTAL_SUBNETS: u64 = 10_000;

/// Default workload subnets per spoke (so that `--regions 20 --spokes 25` is the "L" size).
pub const DEFAULT_SUBNETS: u32 = 3;
/// Default endpoints per workload subnet (so that `--regions 20 --spokes 25` is the "L" size).
pub const DEFAULT_ENDPOINTS: u32 = 26;

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

/// Why parameters cannot be generated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GenError {
    /// One parameter is outside its range.
    #[error("{name} = {value} is out of range: allowed {min} to {max}")]
    OutOfRange {
        name: &'static str,
        value: u32,
        min: u32,
        max: u32,
    },
    /// The design would be too large.
    #[error(
        "{what} = {product} {unit}, over the limit of {limit} that keeps the generator's memory bounded"
    )]
    TooLarge {
        /// The product, spelled out (`regions × spokes × subnets = 20 × 25 × 3`).
        what: String,
        product: u64,
        unit: &'static str,
        limit: u64,
    },
}

impl GenError {
    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            GenError::OutOfRange { .. } => "give a value in the allowed range",
            GenError::TooLarge { .. } => {
                "use fewer regions, spokes, subnets or endpoints (the L size has 1,500 workload subnets and 39,000 endpoints)"
            }
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

    /// Whether every parameter is in its range and the design within the size limits
    /// ([`MAX_TOTAL_SUBNETS`], [`MAX_TOTAL_ENDPOINTS`]); the first violation otherwise.
    pub fn validate(&self) -> Result<(), GenError> {
        for (name, value, min, max) in [
            ("regions", self.regions, 1, MAX_REGIONS),
            ("spokes", self.spokes, 0, MAX_SPOKES),
            ("subnets", self.subnets, 0, MAX_SUBNETS),
            ("endpoints", self.endpoints, 0, MAX_ENDPOINTS),
        ] {
            if !(min..=max).contains(&value) {
                return Err(GenError::OutOfRange {
                    name,
                    value,
                    min,
                    max,
                });
            }
        }
        let (r, s, n, e) = (self.regions, self.spokes, self.subnets, self.endpoints);
        let subnets = u64::from(r) * u64::from(s) * u64::from(n);
        if subnets > MAX_TOTAL_SUBNETS {
            return Err(GenError::TooLarge {
                what: format!("regions × spokes × subnets = {r} × {s} × {n}"),
                product: subnets,
                unit: "workload subnets",
                limit: MAX_TOTAL_SUBNETS,
            });
        }
        let endpoints = subnets * u64::from(e);
        if endpoints > MAX_TOTAL_ENDPOINTS {
            return Err(GenError::TooLarge {
                what: format!("regions × spokes × subnets × endpoints = {r} × {s} × {n} × {e}"),
                product: endpoints,
                unit: "endpoints",
                limit: MAX_TOTAL_ENDPOINTS,
            });
        }
        Ok(())
    }

    /// The parameters [`generate`] uses: each field clamped into its range, then `subnets` and
    /// `endpoints` lowered until the design is within the size limits. Use
    /// [`GenParams::validate`] first to refuse such values instead (as `zonescope gen` does).
    #[must_use]
    pub fn clamped(&self) -> GenParams {
        let mut p = GenParams {
            regions: self.regions.clamp(1, MAX_REGIONS),
            spokes: self.spokes.min(MAX_SPOKES),
            subnets: self.subnets.min(MAX_SUBNETS),
            endpoints: self.endpoints.min(MAX_ENDPOINTS),
            seed: self.seed,
        };
        let spokes = u64::from(p.regions) * u64::from(p.spokes);
        if spokes * u64::from(p.subnets) > MAX_TOTAL_SUBNETS {
            p.subnets = u32::try_from(MAX_TOTAL_SUBNETS / spokes).unwrap_or(0);
        }
        let subnets = spokes * u64::from(p.subnets);
        if subnets * u64::from(p.endpoints) > MAX_TOTAL_ENDPOINTS {
            p.endpoints = u32::try_from(MAX_TOTAL_ENDPOINTS / subnets).unwrap_or(0);
        }
        p
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

/// The YAML text of the topology for `params` (clamped, see [`GenParams::clamped`]) and its
/// counts.
#[must_use]
pub fn generate_with_stats(params: &GenParams) -> (String, GenStats) {
    let p = params.clamped();
    let design = build::design(p);
    let text = emit::text(&design);
    let stats = GenStats {
        regions: p.regions as usize,
        networks: design.networks.len(),
        subnets: design.networks.iter().map(|n| n.subnets.len()).sum(),
        endpoints: design.endpoints.len(),
        rule_sets: design.rule_sets.len(),
        rules: design.rule_sets.iter().map(|r| r.rules.len()).sum(),
        policies: design.policies.len(),
        peerings: design.peerings.len(),
        dns_zones: design.dns.len(),
        expectations: design.expect.len(),
        bytes: text.len(),
    };
    (text, stats)
}
