//! The builder: turns [`GenParams`] and the tables of `spec` into a [`Design`], drawing every
//! random choice from the per-region and per-spoke streams of `rng` in table order.
//!
//! Owns: ids, addresses and the resolution of the tables' symbolic references. Must never:
//! format text (that is `emit`), or draw randomness in an order that depends on anything but
//! the tables and the parameters (the same parameters give the same design).

use std::borrow::Cow;

use super::GenParams;
use super::addr::{Alloc, Block, HUB_SIZE, PE_SUBNET_SIZE, spoke_size, workload_subnet_size};
use super::design::{Design, Dir, DnsZone, Endpoint, Expect, Network, Rule, RuleSet, Subnet, Text};
use super::rng::Rng;
use super::spec::{
    AOAI_PUBLIC_PERCENT, BLOB_ZONE, Cond, EXPECT, HUB_AOAI_PE_OFFSET, HUB_ENDPOINTS, HUB_RULE_SETS,
    HUB_SUBNETS, Keep, NSG_PE, OPENAI_ZONE, POLICIES, REGION_NAMES, Ref, RuleSpec,
    SHORT_TIMEOUT_PERCENT, STORAGE_PUBLIC_PERCENT, WORKLOAD_SHADOW_PERCENT, WORKLOADS, ZONES,
};

/// The design for `p` (already within its limits).
pub(super) fn design(p: GenParams) -> Design {
    let cap = |n: u64| usize::try_from(n).unwrap_or(0);
    let spokes = u64::from(p.regions) * u64::from(p.spokes);
    let mut b = Builder {
        p,
        alloc: Alloc::new(),
        networks: Vec::with_capacity(cap(spokes + u64::from(p.regions))),
        endpoints: Vec::with_capacity(cap(spokes
            * (u64::from(p.subnets) * u64::from(p.endpoints) + 3)
            + u64::from(p.regions) * 8)),
        rule_sets: Vec::with_capacity(cap(
            spokes * (u64::from(p.subnets) + 1) + u64::from(p.regions) * 5
        )),
    };
    for r in 1..=p.regions {
        b.hub(r);
        for s in 1..=p.spokes {
            b.spoke(r, s);
        }
    }
    let hub = |r: u32| format!("hub-r{r}");
    let peerings = match p.regions {
        1 => Vec::new(),
        2 => vec![(hub(1), hub(2))],
        n => (1..=n).map(|r| (hub(r), hub(r % n + 1))).collect(),
    };
    let hubs: Vec<String> = (1..=p.regions).map(hub).collect();
    let mut dns = vec![DnsZone {
        zone: OPENAI_ZONE,
        linked: hubs.clone(),
    }];
    if p.spokes > 0 {
        dns.push(DnsZone {
            zone: BLOB_ZONE,
            linked: hubs,
        });
    }
    let expect = EXPECT
        .iter()
        .filter(|x| {
            p.regions >= x.needs.regions
                && p.spokes >= x.needs.spokes
                && p.subnets >= x.needs.subnets
                && p.endpoints >= x.needs.endpoints
        })
        .map(|x| Expect {
            name: x.name,
            from: x.from.to_owned(),
            to: x.to.to_owned(),
            port: x.port,
            verdict: x.verdict,
        })
        .collect();
    Design {
        params: p,
        zones: &ZONES,
        networks: b.networks,
        peerings,
        endpoints: b.endpoints,
        rule_sets: b.rule_sets,
        policies: &POLICIES,
        dns,
        expect,
    }
}

fn region_name(r: u32) -> Text {
    usize::try_from(r - 1)
        .ok()
        .and_then(|k| REGION_NAMES.get(k))
        .map_or_else(|| Cow::Owned(format!("region-{r}")), |n| Cow::Borrowed(*n))
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

struct Builder {
    p: GenParams,
    alloc: Alloc,
    networks: Vec<Network>,
    endpoints: Vec<Endpoint>,
    rule_sets: Vec<RuleSet>,
}

/// What the symbolic references of a rule set resolve to.
struct Ctx<'a> {
    r: u32,
    regions: u32,
    app: Option<&'a str>,
    inf: Option<&'a str>,
    data: Option<&'a str>,
    pe: Option<&'a str>,
    gw: Option<&'a str>,
}

impl Ctx<'_> {
    fn hub(r: u32, regions: u32) -> Ctx<'static> {
        Ctx {
            r,
            regions,
            app: None,
            inf: None,
            data: None,
            pe: None,
            gw: None,
        }
    }

    fn holds(&self, c: Cond) -> bool {
        match c {
            Cond::HasInference => self.inf.is_some(),
            Cond::NoInference => self.inf.is_none(),
            Cond::HasData => self.data.is_some(),
            Cond::NoInferenceNorData => self.inf.is_none() && self.data.is_none(),
            Cond::HasRemote => self.regions > 1,
        }
    }

    /// The selector items `what` stands for, in a rule set attached to subnet `this`.
    fn resolve(&self, what: Ref, this: &str) -> Vec<Text> {
        let r = self.r;
        let owned = |s: &str| Cow::Owned(s.to_owned());
        match what {
            Ref::Lit(s) => vec![Cow::Borrowed(s)],
            Ref::Lits(l) => l.iter().map(|s| Cow::Borrowed(*s)).collect(),
            Ref::This => vec![owned(this)],
            Ref::HubSubnet(name) => vec![Cow::Owned(format!("snet-{name}-r{r}"))],
            Ref::HubEndpoint(name) => vec![Cow::Owned(format!("{name}-r{r}"))],
            Ref::NearHubPe => (0..self.regions.min(3))
                .map(|k| Cow::Owned(format!("snet-hubpe-r{}", (r - 1 + k) % self.regions + 1)))
                .collect(),
            Ref::LocalAoai => vec![
                Cow::Owned(format!("snet-hubpe-r{r}")),
                Cow::Owned(format!("aoai-r{r}")),
            ],
            Ref::RemoteAoai => (1..self.regions.min(3))
                .flat_map(|k| {
                    let q = (r - 1 + k) % self.regions + 1;
                    [
                        Cow::Owned(format!("snet-hubpe-r{q}")),
                        Cow::Owned(format!("aoai-r{q}")),
                    ]
                })
                .collect(),
            Ref::AppOrZone => vec![self.app.map_or(Cow::Borrowed("application"), owned)],
            Ref::InferenceOrZone => vec![self.inf.map_or(Cow::Borrowed("inference"), owned)],
            Ref::Data => vec![owned(self.data.unwrap_or("data"))],
            Ref::PeSubnet => vec![owned(self.pe.unwrap_or_default())],
            Ref::Gateway => vec![owned(self.gw.unwrap_or_default())],
        }
    }

    /// The rules of `specs` that are kept, resolved for a rule set attached to subnet `this`, in
    /// table order (not numbered yet).
    fn rules(&self, this: &str, specs: &[RuleSpec], rng: &mut Rng) -> Vec<Rule> {
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            let keep = match spec.keep {
                Keep::Always => true,
                Keep::Chance(percent) => rng.chance(percent),
                Keep::If(conds) => conds.iter().all(|&c| self.holds(c)),
            };
            if keep {
                out.push(Rule {
                    id: Cow::Borrowed(spec.id),
                    priority: spec.priority,
                    dir: spec.dir,
                    allow: spec.allow,
                    protocol: spec.protocol,
                    source: self.resolve(spec.source, this),
                    destination: self.resolve(spec.destination, this),
                    ports: spec.ports,
                    fqdns: spec.fqdns,
                    justification: spec.justification,
                });
            }
        }
        out
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
    copy.id = Cow::Owned(format!("{}-legacy", copy.id));
    copy.ports = copy.ports.narrowed();
    rules.insert(k + 1, copy);
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

/// `enabled` with probability `percent`, else `disabled`.
fn public_access(rng: &mut Rng, percent: u64) -> &'static str {
    if rng.chance(percent) {
        "enabled"
    } else {
        "disabled"
    }
}

impl Builder {
    fn rule_set(&mut self, id: String, kind: &'static str, mut rules: Vec<Rule>, rng: &mut Rng) {
        number(&mut rules, rng);
        self.rule_sets.push(RuleSet { id, kind, rules });
    }

    fn hub(&mut self, r: u32) {
        let mut rng = Rng::derive(self.p.seed, &[u64::from(r)]);
        let region = region_name(r);
        let net = self.alloc.block(HUB_SIZE);
        let subnets = HUB_SUBNETS
            .iter()
            .map(|s| Subnet {
                id: format!("snet-{}-r{r}", s.name),
                cidr: net.at(s.offset, s.size),
                zone: s.zone,
                rules: s.nsg.then(|| format!("nsg-{}-r{r}", s.name)),
                internet_egress: s.internet_egress,
            })
            .collect();
        self.networks.push(Network {
            id: format!("hub-r{r}"),
            region: region.clone(),
            cidr: net,
            role: "hub",
            egress: Some(format!("fw-r{r}")),
            hub: None,
            subnets,
        });

        for e in &HUB_ENDPOINTS {
            self.endpoints.push(Endpoint {
                id: format!("{}-r{r}", e.name),
                kind: e.kind,
                subnet: Some(format!("snet-{}-r{r}", e.subnet)),
                ip: Some(net.ip(e.offset)),
                public_ip: e.public_ip,
                rules: e.rules.map(|prefix| format!("{prefix}-r{r}")),
                ports: e.ports,
                ..Endpoint::default()
            });
        }
        let access = public_access(&mut rng, AOAI_PUBLIC_PERCENT);
        self.endpoints.push(Endpoint {
            id: format!("aoai-r{r}"),
            kind: "ai_service",
            zone: Some("external_ai"),
            fqdn: Some(format!("contoso-r{r}-{region}.openai.azure.com")),
            region: Some(region),
            public_access: Some(access),
            ports: Some(&[443]),
            ..Endpoint::default()
        });
        self.endpoints.push(Endpoint {
            id: format!("pe-aoai-r{r}"),
            kind: "private_endpoint",
            subnet: Some(format!("snet-hubpe-r{r}")),
            ip: Some(net.ip(HUB_AOAI_PE_OFFSET)),
            target: Some(format!("aoai-r{r}")),
            dns_zone: Some(OPENAI_ZONE),
            ..Endpoint::default()
        });

        let ctx = Ctx::hub(r, self.p.regions);
        for set in &HUB_RULE_SETS {
            let mut rules = ctx.rules("", set.rules, &mut rng);
            if set.shadow_percent > 0 {
                maybe_shadow(&mut rules, &mut rng, set.shadow_percent);
            }
            self.rule_set(format!("{}-r{r}", set.prefix), set.kind, rules, &mut rng);
        }
    }

    fn spoke(&mut self, r: u32, s: u32) {
        let p = self.p;
        let mut rng = Rng::derive(p.seed, &[u64::from(r), u64::from(s)]);
        let region = region_name(r);
        let n_sub = p.subnets;
        let ss = workload_subnet_size(p.endpoints);
        let net = self.alloc.block(spoke_size(n_sub, ss));
        let workload = |i: u32| &WORKLOADS[((i - 1) % 3) as usize];
        let sub_id = |i: u32| format!("snet-{}-r{r}-s{s}-{i}", workload(i).short);
        let sub_block = |i: u32| net.at(u64::from(i - 1) * ss, ss);
        let app = (n_sub >= 1).then(|| sub_id(1));
        let inf = (n_sub >= 2).then(|| sub_id(2));
        let data = (n_sub >= 3).then(|| sub_id(3));
        let pe = format!("snet-pe-r{r}-s{s}");
        let gw = format!("gw-r{r}-s{s}");

        let mut subnets: Vec<Subnet> = (1..=n_sub)
            .map(|i| Subnet {
                id: sub_id(i),
                cidr: sub_block(i),
                zone: workload(i).zone,
                rules: Some(format!("nsg-r{r}-s{s}-{i}")),
                internet_egress: false,
            })
            .collect();
        let pe_block = net.at(u64::from(n_sub) * ss, PE_SUBNET_SIZE);
        subnets.push(Subnet {
            id: pe.clone(),
            cidr: pe_block,
            zone: "inference",
            rules: Some(format!("nsg-r{r}-s{s}-pe")),
            internet_egress: false,
        });
        self.networks.push(Network {
            id: format!("spoke-r{r}-s{s}"),
            region: region.clone(),
            cidr: net,
            role: "spoke",
            egress: None,
            hub: Some(format!("hub-r{r}")),
            subnets,
        });

        // Endpoints: the gateway first, in the first inference subnet (after the four reserved
        // addresses) or else in the private-endpoint subnet.
        let gw_block: Block = if n_sub >= 2 { sub_block(2) } else { pe_block };
        let timeout = if rng.chance(SHORT_TIMEOUT_PERCENT) {
            240
        } else {
            [300, 600, 900][usize::from(rng.chance(30)) + usize::from(rng.chance(10))]
        };
        let backends = backend_regions(r, p.regions, &mut rng)
            .into_iter()
            .map(|q| format!("pe-aoai-r{q}"))
            .collect();
        self.endpoints.push(Endpoint {
            id: gw.clone(),
            kind: "gateway",
            subnet: Some(inf.clone().unwrap_or_else(|| pe.clone())),
            ip: Some(gw_block.ip(4)),
            ports: Some(&[443]),
            idle_timeout_s: Some(timeout),
            backends,
            ..Endpoint::default()
        });
        for i in 1..=n_sub {
            let w = workload(i);
            let id = sub_id(i);
            let block = sub_block(i);
            let first = if i == 2 { 5 } else { 4 };
            for n in 1..=p.endpoints {
                let kind = match &w.alternative {
                    Some((alt, percent)) if n > 1 && rng.chance(*percent) => alt,
                    _ => &w.kind,
                };
                self.endpoints.push(Endpoint {
                    id: format!("ep-r{r}-s{s}-{i}-{n}"),
                    kind: kind.kind,
                    subnet: Some(id.clone()),
                    ip: Some(block.ip(u64::from(first + n - 1))),
                    ports: Some(kind.ports),
                    ..Endpoint::default()
                });
            }
        }
        let access = public_access(&mut rng, STORAGE_PUBLIC_PERCENT);
        self.endpoints.push(Endpoint {
            id: format!("st-r{r}-s{s}"),
            kind: "storage",
            zone: Some("data"),
            region: Some(region),
            fqdn: Some(format!("contosor{r}s{s}.blob.core.windows.net")),
            public_access: Some(access),
            ports: Some(&[443]),
            ..Endpoint::default()
        });
        self.endpoints.push(Endpoint {
            id: format!("pe-st-r{r}-s{s}"),
            kind: "private_endpoint",
            subnet: Some(pe.clone()),
            ip: Some(pe_block.ip(if n_sub >= 2 { 4 } else { 5 })),
            target: Some(format!("st-r{r}-s{s}")),
            dns_zone: Some(BLOB_ZONE),
            ..Endpoint::default()
        });

        // Rule sets.
        let ctx = Ctx {
            r,
            regions: p.regions,
            app: app.as_deref(),
            inf: inf.as_deref(),
            data: data.as_deref(),
            pe: Some(&pe),
            gw: Some(&gw),
        };
        for i in 1..=n_sub {
            let mut rules = ctx.rules(&sub_id(i), workload(i).nsg, &mut rng);
            maybe_shadow(&mut rules, &mut rng, WORKLOAD_SHADOW_PERCENT);
            self.rule_set(format!("nsg-r{r}-s{s}-{i}"), "nsg", rules, &mut rng);
        }
        let rules = ctx.rules(&pe, NSG_PE, &mut rng);
        self.rule_set(format!("nsg-r{r}-s{s}-pe"), "nsg", rules, &mut rng);
    }
}
