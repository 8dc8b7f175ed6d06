//! Tests of the synthetic topology generator (`zonescope gen`): determinism, sizes, unique ids,
//! a consistent address plan, resolvable references, and YAML that parses.
//!
//! The text is read back with simple line scanning: the generator writes networks, rule sets,
//! zones and policies in block style and every subnet, endpoint and rule as a one-line flow
//! mapping (`- { id: …, … }`).

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::time::Instant;

use zonescope::generate::{
    DEFAULT_ENDPOINTS, DEFAULT_SUBNETS, GenParams, GenStats, MAX_REGIONS, MAX_SPOKES, generate,
    generate_with_stats, stats,
};

// ---------------------------------------------------------------------------------------------
// Reading the text back

/// An IPv4 CIDR as `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range {
    start: u64,
    end: u64,
}

impl Range {
    fn contains(self, other: Range) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    fn overlaps(self, other: Range) -> bool {
        self.start < other.end && other.start < self.end
    }
}

fn cidr(text: &str) -> Range {
    let (addr, len) = text
        .split_once('/')
        .unwrap_or_else(|| panic!("not a CIDR: {text}"));
    let addr: Ipv4Addr = addr
        .parse()
        .unwrap_or_else(|_| panic!("bad address in {text}"));
    let len: u32 = len
        .parse()
        .unwrap_or_else(|_| panic!("bad prefix in {text}"));
    assert!(len <= 32, "bad prefix in {text}");
    let start = u64::from(u32::from(addr));
    let size = 1u64 << (32 - len);
    assert_eq!(start % size, 0, "{text} has host bits set");
    Range {
        start,
        end: start + size,
    }
}

/// Splits `text` at top-level `sep` (outside brackets, braces and double quotes).
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut from) = (0i32, false, 0);
    for (k, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                parts.push(text[from..k].trim());
                from = k + c.len_utf8();
            }
            _ => {}
        }
    }
    let last = text[from..].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    parts
}

/// The fields of a one-line flow mapping `- { k: v, … }`.
fn flow_map(line: &str) -> HashMap<&str, &str> {
    let inner = line
        .trim()
        .strip_prefix("- {")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or_else(|| panic!("not a flow mapping: {line}"));
    split_top(inner, ',')
        .into_iter()
        .map(|kv| {
            let (k, v) = kv
                .split_once(": ")
                .unwrap_or_else(|| panic!("no key in {kv:?} of {line}"));
            (k.trim(), v.trim())
        })
        .collect()
}

/// The items of a selector or flow sequence: `a` or `[a, b]`.
fn items(value: &str) -> Vec<&str> {
    match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(inner) => split_top(inner, ','),
        None => vec![value],
    }
}

/// The `key: value` fields of a flow mapping.
type Fields<'a> = HashMap<&'a str, &'a str>;

#[derive(Default)]
struct Topology<'a> {
    top_keys: Vec<&'a str>,
    zones: Vec<&'a str>,
    /// id, cidr, fields (`hub`, `egress`, `role`, `region`).
    networks: Vec<(&'a str, Range, Fields<'a>)>,
    /// network id, fields.
    subnets: Vec<(&'a str, Fields<'a>)>,
    endpoints: Vec<Fields<'a>>,
    /// rule set id, kind, rules.
    rule_sets: Vec<(&'a str, &'a str, Vec<Fields<'a>>)>,
    policies: Vec<&'a str>,
    peerings: Vec<Vec<&'a str>>,
    dns_linked: Vec<&'a str>,
    expect_refs: Vec<&'a str>,
}

fn parse(text: &str) -> Topology<'_> {
    let mut t = Topology::default();
    let mut section = "";
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let key = line.split(':').next().unwrap_or_default();
            t.top_keys.push(key);
            section = key;
            if line.ends_with("[]") {
                section = "";
            }
            continue;
        }
        let trimmed = line.trim();
        let value = |prefix: &str| trimmed.strip_prefix(prefix).map(str::trim);
        match section {
            "zones" => {
                if let Some(id) = value("- id:") {
                    t.zones.push(id);
                }
            }
            "networks" => {
                if let Some(id) = value("- id:") {
                    t.networks
                        .push((id, Range { start: 0, end: 0 }, HashMap::new()));
                } else if trimmed.starts_with("- {") {
                    let net = t.networks.last().expect("subnet before any network").0;
                    t.subnets.push((net, flow_map(line)));
                } else if let Some((k, v)) = trimmed.split_once(": ") {
                    let net = t.networks.last_mut().expect("field before any network");
                    if k == "cidr" {
                        net.1 = cidr(v);
                    }
                    net.2.insert(k, v);
                }
            }
            "peerings" => t.peerings.push(items(trimmed.trim_start_matches("- "))),
            "endpoints" => t.endpoints.push(flow_map(line)),
            "rule_sets" => {
                if let Some(id) = value("- id:") {
                    t.rule_sets.push((id, "", Vec::new()));
                } else if let Some(kind) = value("kind:") {
                    t.rule_sets.last_mut().expect("kind before any set").1 = kind;
                } else if trimmed.starts_with("- {") {
                    t.rule_sets
                        .last_mut()
                        .expect("rule before any set")
                        .2
                        .push(flow_map(line));
                }
            }
            "policies" => {
                if let Some(id) = value("- id:") {
                    t.policies.push(id);
                }
            }
            "dns" => {
                if let Some(linked) = value("linked:") {
                    t.dns_linked.extend(items(linked));
                }
            }
            "expect" => {
                if let Some(v) = value("from:").or_else(|| value("to:")) {
                    t.expect_refs.push(v);
                }
            }
            _ => {}
        }
    }
    t
}

fn params(regions: u32, spokes: u32, subnets: u32, endpoints: u32, seed: u64) -> GenParams {
    GenParams {
        regions,
        spokes,
        subnets,
        endpoints,
        seed,
    }
}

/// Parameter sets that exercise the edges: one region, no spokes, no or one subnet, no
/// endpoints, more subnets than zones, subnets larger than a /24.
fn odd_params() -> Vec<GenParams> {
    vec![
        params(1, 0, 3, 4, 7),
        params(1, 2, 0, 5, 8),
        params(2, 2, 1, 0, 9),
        params(3, 4, 5, 300, 10),
        params(4, 1, 2, 1, 11),
    ]
}

fn large() -> GenParams {
    GenParams::size("L").expect("L preset")
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn the_same_seed_gives_the_same_text_and_another_seed_another() {
    for p in [GenParams::default(), GenParams::size("M").expect("M")] {
        let a = generate(&p);
        assert_eq!(a, generate(&p), "not deterministic for {p:?}");
        let other = GenParams {
            seed: p.seed + 1,
            ..p
        };
        assert_ne!(a, generate(&other), "the seed changes nothing for {p:?}");
    }
}

#[test]
fn presets_and_defaults() {
    assert_eq!(GenParams::size("S"), Some(GenParams::default()));
    assert_eq!(GenParams::size("l"), GenParams::size("L"));
    assert_eq!(GenParams::size(" large "), GenParams::size("L"));
    assert_eq!(GenParams::size("XL"), None);
    let l = large();
    assert_eq!((l.regions, l.spokes), (20, 25));
    assert_eq!(
        (l.subnets, l.endpoints),
        (DEFAULT_SUBNETS, DEFAULT_ENDPOINTS)
    );
}

#[test]
fn sizes_land_where_the_spec_says() {
    // Within `percent` % of the target.
    let within = |s: GenStats, endpoints: usize, rules: usize, percent: usize| {
        let near = |got: usize, want: usize| got.abs_diff(want) * 100 <= want * percent;
        assert!(near(s.endpoints, endpoints), "{s:?}: endpoints");
        assert!(near(s.rules + s.policies, rules), "{s:?}: rules");
    };
    let l = stats(&large());
    within(l, 40_000, 20_000, 10);
    assert_eq!(l.networks, 520);
    within(stats(&GenParams::size("M").expect("M")), 4_000, 2_000, 10);
    // "S" keeps two regions (for the fail-over paths), so it is a little under 1/100.
    within(stats(&GenParams::size("S").expect("S")), 400, 200, 20);
}

#[test]
fn stats_match_the_text() {
    let mut all = odd_params();
    all.push(GenParams::default());
    all.push(GenParams::size("M").expect("M"));
    for p in all {
        let (text, s) = generate_with_stats(&p);
        let t = parse(&text);
        assert_eq!(s.bytes, text.len());
        assert_eq!(s.regions, p.regions as usize);
        assert_eq!(s.networks, t.networks.len(), "{p:?}");
        assert_eq!(s.subnets, t.subnets.len(), "{p:?}");
        assert_eq!(s.endpoints, t.endpoints.len(), "{p:?}");
        assert_eq!(s.rule_sets, t.rule_sets.len(), "{p:?}");
        let rules: usize = t.rule_sets.iter().map(|r| r.2.len()).sum();
        assert_eq!(s.rules, rules, "{p:?}");
        assert_eq!(s.policies, t.policies.len(), "{p:?}");
        assert_eq!(s.peerings, t.peerings.len(), "{p:?}");
        assert_eq!(s.expectations * 2, t.expect_refs.len(), "{p:?}");
        let spokes = (p.regions * p.spokes) as usize;
        assert_eq!(s.networks, p.regions as usize + spokes);
        assert_eq!(
            s.endpoints,
            8 * p.regions as usize + spokes * (p.subnets as usize * p.endpoints as usize + 3)
        );
        assert_eq!(
            t.top_keys,
            [
                "version",
                "name",
                "description",
                "zones",
                "networks",
                "peerings",
                "endpoints",
                "rule_sets",
                "policies",
                "dns",
                "expect"
            ]
        );
    }
}

#[test]
fn every_id_is_unique() {
    let mut all = odd_params();
    all.push(large());
    for p in all {
        let text = generate(&p);
        let t = parse(&text);
        let mut seen = HashSet::new();
        let ids = t
            .zones
            .iter()
            .copied()
            .chain(t.networks.iter().map(|n| n.0))
            .chain(t.subnets.iter().map(|s| s.1["id"]))
            .chain(t.endpoints.iter().map(|e| e["id"]))
            .chain(t.rule_sets.iter().map(|r| r.0));
        for id in ids {
            assert!(seen.insert(id), "duplicate id {id} for {p:?}");
        }
        for (set, _, rules) in &t.rule_sets {
            let mut in_set = HashSet::new();
            for r in rules {
                assert!(
                    in_set.insert(r["id"]),
                    "duplicate rule {} in {set}",
                    r["id"]
                );
            }
        }
        let policies: HashSet<_> = t.policies.iter().collect();
        assert_eq!(policies.len(), t.policies.len(), "duplicate policy id");
    }
}

#[test]
fn addresses_are_consistent() {
    let mut all = odd_params();
    all.push(large());
    for p in all {
        let text = generate(&p);
        let t = parse(&text);

        let mut nets: Vec<(Range, &str)> = t.networks.iter().map(|n| (n.1, n.0)).collect();
        nets.sort_by_key(|n| n.0.start);
        for w in nets.windows(2) {
            assert!(
                !w[0].0.overlaps(w[1].0),
                "{} overlaps {} for {p:?}",
                w[0].1,
                w[1].1
            );
        }
        let net_range: HashMap<&str, Range> = t.networks.iter().map(|n| (n.0, n.1)).collect();

        let mut subnets: HashMap<&str, Range> = HashMap::new();
        let mut per_net: HashMap<&str, Vec<(Range, &str)>> = HashMap::new();
        for (net, s) in &t.subnets {
            let r = cidr(s["cidr"]);
            assert!(net_range[net].contains(r), "{} outside {net}", s["id"]);
            subnets.insert(s["id"], r);
            per_net.entry(net).or_default().push((r, s["id"]));
        }
        for list in per_net.values_mut() {
            list.sort_by_key(|s| s.0.start);
            for w in list.windows(2) {
                assert!(!w[0].0.overlaps(w[1].0), "{} overlaps {}", w[0].1, w[1].1);
            }
        }

        let mut ips = HashSet::new();
        for e in &t.endpoints {
            match (e.get("subnet"), e.get("ip")) {
                (Some(subnet), Some(ip)) => {
                    let ip: Ipv4Addr = ip.parse().expect("endpoint ip");
                    let ip = u64::from(u32::from(ip));
                    let range = subnets[subnet];
                    assert!(
                        range.start + 4 <= ip && ip < range.end - 1,
                        "{} ip outside the usable part of {subnet}",
                        e["id"]
                    );
                    assert!(ips.insert(ip), "{} reuses an address", e["id"]);
                }
                (None, None) => {
                    // A service outside any subnet names its zone and region.
                    assert!(e.contains_key("zone") && e.contains_key("region"), "{e:?}");
                    assert!(e.contains_key("fqdn"), "{e:?}");
                }
                _ => panic!("endpoint with a subnet but no ip, or the reverse: {e:?}"),
            }
        }
    }
}

#[test]
fn references_resolve_and_priorities_are_sound() {
    let mut all = odd_params();
    all.push(GenParams::size("M").expect("M"));
    for p in all {
        let text = generate(&p);
        let t = parse(&text);
        let zones: HashSet<&str> = t.zones.iter().copied().collect();
        let networks: HashSet<&str> = t.networks.iter().map(|n| n.0).collect();
        let subnets: HashSet<&str> = t.subnets.iter().map(|s| s.1["id"]).collect();
        let endpoints: HashSet<&str> = t.endpoints.iter().map(|e| e["id"]).collect();
        let sets: HashSet<&str> = t.rule_sets.iter().map(|r| r.0).collect();
        let any_id = |id: &str| {
            zones.contains(id)
                || networks.contains(id)
                || subnets.contains(id)
                || endpoints.contains(id)
        };

        for (_, _, fields) in &t.networks {
            if let Some(hub) = fields.get("hub") {
                assert!(networks.contains(hub), "hub {hub}");
            }
            if let Some(egress) = fields.get("egress") {
                assert!(endpoints.contains(egress), "egress {egress}");
            }
        }
        for (_, s) in &t.subnets {
            assert!(zones.contains(s["zone"]), "zone of {}", s["id"]);
            for rs in s.get("rules").map(|v| items(v)).unwrap_or_default() {
                assert!(sets.contains(rs), "rule set {rs}");
            }
        }
        for e in &t.endpoints {
            if let Some(subnet) = e.get("subnet") {
                assert!(subnets.contains(subnet), "subnet of {}", e["id"]);
            }
            if let Some(zone) = e.get("zone") {
                assert!(zones.contains(zone), "zone of {}", e["id"]);
            }
            for rs in e.get("rules").map(|v| items(v)).unwrap_or_default() {
                assert!(sets.contains(rs), "rule set {rs}");
            }
            if let Some(target) = e.get("target") {
                assert!(endpoints.contains(target), "target {target}");
            }
            for b in e.get("backends").map(|v| items(v)).unwrap_or_default() {
                let b = b
                    .strip_prefix("{ endpoint: ")
                    .and_then(|b| b.split(',').next())
                    .unwrap_or(b);
                assert!(endpoints.contains(b), "backend {b} of {}", e["id"]);
            }
            if e["kind"] == "gateway" {
                let timeout: u32 = e["idle_timeout_s"].parse().expect("idle_timeout_s");
                assert!(timeout >= 240);
            }
        }
        for pair in &t.peerings {
            assert_eq!(pair.len(), 2);
            assert!(pair.iter().all(|n| networks.contains(n)), "{pair:?}");
        }
        for n in &t.dns_linked {
            assert!(networks.contains(n), "dns link {n}");
        }
        for r in &t.expect_refs {
            assert!(any_id(r), "expect refers to {r}");
        }

        for (set, kind, rules) in &t.rule_sets {
            let mut prio = HashSet::new();
            for r in rules {
                for side in ["source", "destination"] {
                    for sel in items(r[side]) {
                        assert!(
                            any_id(sel) || ["\"*\"", "Internet", "VirtualNetwork"].contains(&sel),
                            "{set}/{}: unknown selector {sel}",
                            r["id"]
                        );
                    }
                }
                let p: u32 = r["priority"].parse().expect("priority");
                assert!((100..=4096).contains(&p), "{set}/{}: priority {p}", r["id"]);
                let dir = r.get("direction").copied().unwrap_or("");
                assert_eq!(dir.is_empty(), *kind == "firewall", "{set}/{}", r["id"]);
                assert!(prio.insert((dir, p)), "{set}: priority {p} {dir} twice");
                assert!(["allow", "deny"].contains(&r["action"]));
            }
        }
    }
}

#[test]
fn the_deliberate_mistakes_show_up_in_a_large_topology() {
    let text = generate(&large());
    for needle in [
        "-legacy, priority:",
        "id: allow-any-vector-in,",
        "idle_timeout_s: 240,",
        "public_access: enabled,",
        "id: allow-legacy-egress,",
    ] {
        assert!(text.contains(needle), "no {needle}");
    }
}

#[test]
fn parameters_are_clamped() {
    let p = params(0, u32::MAX, u32::MAX, u32::MAX, 3).clamped();
    assert_eq!(p.regions, 1);
    assert_eq!(p.spokes, MAX_SPOKES);
    let p = params(u32::MAX, 0, 0, 0, 3);
    assert_eq!(p.clamped().regions, MAX_REGIONS);
    let s = stats(&params(0, 0, 0, 0, 3));
    assert_eq!((s.regions, s.networks), (1, 1));
}

#[test]
fn the_yaml_parses() {
    for p in [
        GenParams::default(),
        params(1, 2, 0, 5, 8),
        params(3, 4, 5, 300, 10),
    ] {
        let (text, s) = generate_with_stats(&p);
        let v: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{p:?} does not parse: {e}"));
        assert_eq!(v["version"], 1);
        let len = |key: &str| v[key].as_array().map_or(0, Vec::len);
        assert_eq!(len("zones"), 5);
        assert_eq!(len("networks"), s.networks);
        assert_eq!(len("endpoints"), s.endpoints);
        assert_eq!(len("rule_sets"), s.rule_sets);
        assert_eq!(len("policies"), s.policies);
        assert_eq!(len("expect"), s.expectations);
        let subnets: usize = v["networks"]
            .as_array()
            .expect("networks")
            .iter()
            .map(|n| n["subnets"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(subnets, s.subnets);
        let deny_all = &v["rule_sets"][1]["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["id"] == "deny-all-in")
            .expect("deny-all-in")["source"];
        assert_eq!(deny_all, "*");
        let gw = v["endpoints"]
            .as_array()
            .expect("endpoints")
            .iter()
            .find(|e| e["kind"] == "gateway")
            .expect("a gateway");
        assert!(gw["backends"][0]["endpoint"].is_string());
        assert!(gw["idle_timeout_s"].is_u64());
    }
}

#[test]
fn every_odd_size_loads_and_validates() {
    // One region once wrote `linked: hub-r1`, which the schema refuses (a list is required).
    for p in odd_params().into_iter().chain([GenParams::default()]) {
        let text = generate(&p);
        if let Err(e) = zonescope::model::load_str(&text, "gen.yaml") {
            panic!("{p:?} does not load:\n{}", e.plain());
        }
    }
}

/// `cargo test --release --test gen -- --nocapture generation_time` prints the time for "L".
#[test]
fn generation_time_of_l() {
    let p = large();
    let start = Instant::now();
    let (text, s) = generate_with_stats(&p);
    let elapsed = start.elapsed();
    eprintln!(
        "gen L: {} bytes, {} networks, {} endpoints, {} rules + {} policies in {elapsed:?}",
        text.len(),
        s.networks,
        s.endpoints,
        s.rules,
        s.policies
    );
    assert!(s.bytes > 1_000_000);
}

// ---------------------------------------------------------------------------------------------
// The data-driven generator writes what the string-built one wrote

/// FNV-1a, 64 bits: a stable digest of the text (no dependency, same on every platform).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The text without the `role:` lines of the zones (the zones gained a role after these digests
/// were taken; networks keep their `role: hub` / `role: spoke`).
fn without_zone_roles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_zones = false;
    for line in text.split_inclusive('\n') {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_zones = line.starts_with("zones:");
        }
        if in_zones && line.starts_with("    role: ") {
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Length and digest of the text of the generator as it was before it became data-driven
/// (string-built, commit 9812a68), for the S, M and L presets and the odd sizes: the new
/// generator must write the same bytes (apart from the zones' new `role:` lines), so the
/// designs load, check and trace identically.
#[test]
fn the_text_is_byte_identical_to_the_string_built_generator() {
    let mut all = vec![
        GenParams::size("S").expect("S"),
        GenParams::size("M").expect("M"),
        large(),
    ];
    all.extend(odd_params());
    let got: Vec<(usize, u64)> = all
        .iter()
        .map(|p| {
            let text = without_zone_roles(&generate(p));
            (text.len(), fnv1a(text.as_bytes()))
        })
        .collect();
    let want: [(usize, u64); 8] = [
        (90_893, 0x65eb_7f6d_592a_5598),
        (948_826, 0xe581_2e2c_e8aa_a192),
        (9_362_660, 0xdcae_c653_f0d1_0d4b),
        (10_593, 0x1d4e_6aff_8312_7817),
        (13_725, 0xf69c_f4cc_4b2b_4fb9),
        (36_141, 0x4cf3_d769_3bc7_789f),
        (2_068_905, 0x33a3_6710_abb5_0407),
        (60_992, 0x813c_cb9c_3596_e1b5),
    ];
    assert_eq!(got, want);
}

// ---------------------------------------------------------------------------------------------
// Sizes are validated, not clamped (`zonescope gen`)

/// Runs `zonescope gen ARGS`: (exit code, stdout length, stderr).
fn run_gen(args: &[&str]) -> (Option<i32>, usize, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .arg("gen")
        .args(args)
        .output()
        .expect("run zonescope");
    (
        out.status.code(),
        out.stdout.len(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn gen_refuses_a_design_over_the_size_limit_with_exit_2() {
    // Issue 16: this once aborted with "memory allocation of 2 GB failed" (exit 134).
    let (code, stdout, err) = run_gen(&["--regions", "100", "--spokes", "250", "--subnets", "8"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(stdout, 0);
    assert!(err.contains("200000 workload subnets"), "{err}");
    assert!(err.contains("limit of 10000"), "{err}");
    let (code, _, err) = run_gen(&["--regions", "20", "--spokes", "250", "--subnets", "2"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("= 260000 endpoints"), "{err}");
    assert!(err.contains("limit of 250000"), "{err}");
    assert!(
        err.contains("fewer regions, spokes, subnets or endpoints"),
        "{err}"
    );
}

#[test]
fn gen_refuses_an_out_of_range_value_naming_the_range() {
    for (args, want) in [
        (
            ["--regions", "0"],
            "regions = 0 is out of range: allowed 1 to 100",
        ),
        (
            ["--regions", "101"],
            "regions = 101 is out of range: allowed 1 to 100",
        ),
        (
            ["--spokes", "251"],
            "spokes = 251 is out of range: allowed 0 to 250",
        ),
        (
            ["--subnets", "20"],
            "subnets = 20 is out of range: allowed 0 to 16",
        ),
        (
            ["--endpoints", "1001"],
            "endpoints = 1001 is out of range: allowed 0 to 1000",
        ),
    ] {
        let (code, stdout, err) = run_gen(&args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(stdout, 0, "{args:?}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

#[test]
fn gen_accepts_the_limits_and_the_presets() {
    for args in [
        &["--size", "L"][..],
        &[
            "--regions",
            "100",
            "--spokes",
            "100",
            "--subnets",
            "1",
            "--endpoints",
            "25",
        ],
        &[
            "--regions",
            "1",
            "--spokes",
            "1",
            "--subnets",
            "16",
            "--endpoints",
            "1000",
        ],
    ] {
        let (code, stdout, err) = run_gen(args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(stdout > 0, "{args:?}");
    }
}

#[test]
fn validate_agrees_with_clamped() {
    let mut all = odd_params();
    all.extend([GenParams::default(), large()]);
    for p in all {
        assert_eq!(p.validate(), Ok(()), "{p:?}");
        assert_eq!(p.clamped(), p, "{p:?}");
    }
    for p in [
        params(0, 1, 1, 1, 1),
        params(100, 250, 16, 1000, 1),
        params(20, 250, 3, 26, 1),
    ] {
        assert!(p.validate().is_err(), "{p:?}");
        assert_eq!(p.clamped().validate(), Ok(()), "{p:?}");
    }
}
