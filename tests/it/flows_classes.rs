//! The class-keyed verdict cache of `flows` (SPEC §7: "two addresses that every rule, route
//! and listener treats alike are judged once") is exact: on random records over random
//! designs its verdicts equal a full uncached trace of each record, and on a realistic log
//! (addresses over every host of the subnets and thousands of internet hosts, random client
//! ports) the whole report equals the report of an uncached run.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ipnet::IpNet;
use proptest::prelude::*;
use zonescope::engine::flows::Analyzer;
use zonescope::engine::flows::classify::Classifier;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::run::analyze_reader;
use zonescope::engine::flows::synth::write_realistic;
use zonescope::generate::{GenParams, generate};
use zonescope::model::rules::{Protocol, Selector};
use zonescope::model::{self, PublicIp, Topology};

/// A design with the addresses and ports worth trying on it: every endpoint, public address,
/// hosts of every subnet, the edges of every CIDR a rule names (just inside and just outside),
/// internet addresses; every rule's and listener's port bounds and their neighbours.
struct Case {
    name: String,
    t: Topology,
    addrs: Vec<IpAddr>,
    ports: Vec<u16>,
}

fn number(a: IpAddr) -> (bool, u128) {
    match a {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

fn addr(v6: bool, n: u128) -> IpAddr {
    if v6 {
        IpAddr::V6(Ipv6Addr::from(n))
    } else {
        IpAddr::V4(Ipv4Addr::from(u32::try_from(n).unwrap_or(u32::MAX)))
    }
}

fn edges(c: &IpNet, out: &mut Vec<IpAddr>) {
    let (v6, lo) = number(c.network());
    let (_, hi) = number(c.broadcast());
    for n in [
        lo.wrapping_sub(1),
        lo,
        lo + 5,
        lo + (hi - lo) / 2,
        hi.saturating_sub(1),
        hi,
        hi.wrapping_add(1),
    ] {
        if v6 || n <= u128::from(u32::MAX) {
            out.push(addr(v6, n));
        }
    }
}

fn case(name: String, t: Topology) -> Case {
    let mut addrs: Vec<IpAddr> = vec![
        "8.8.8.8".parse().unwrap(),
        "203.0.113.9".parse().unwrap(),
        "52.94.1.10".parse().unwrap(),
        "2001:db8::1".parse().unwrap(),
    ];
    for e in t.endpoints() {
        addrs.extend(e.ip);
        if let Some(PublicIp::Address(a)) = e.public_ip {
            addrs.push(a);
        }
    }
    for c in t
        .subnets()
        .iter()
        .flat_map(|s| s.cidrs.iter())
        .chain(t.networks().iter().flat_map(|n| n.cidrs.iter()))
        .chain(t.service_tags().iter().flat_map(|g| g.cidrs.iter()))
    {
        edges(c, &mut addrs);
    }
    let mut ports: Vec<u16> = vec![
        0, 1, 22, 53, 80, 443, 1023, 1024, 3389, 8080, 40_000, 65_535,
    ];
    for rs in t.rule_sets().iter().chain(t.zone_policy()) {
        for r in &rs.rules {
            for s in r.sources.iter().chain(&r.destinations) {
                if let Selector::Cidr(c) = s {
                    edges(c, &mut addrs);
                }
            }
            for &(lo, hi) in r.ports.ranges() {
                ports.extend([lo.saturating_sub(1), lo, hi, hi.saturating_add(1)]);
            }
        }
    }
    for e in t.endpoints() {
        for &(lo, hi) in e
            .ports
            .iter()
            .flat_map(zonescope::model::rules::PortSet::ranges)
        {
            ports.extend([lo.saturating_sub(1), lo, hi, hi.saturating_add(1)]);
        }
    }
    addrs.sort_unstable();
    addrs.dedup();
    ports.sort_unstable();
    ports.dedup();
    Case {
        name,
        t,
        addrs,
        ports,
    }
}

/// The samples and valid fixtures, and generated designs of a few shapes and seeds.
static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.join("samples"), root.join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out: Vec<Case> = files
        .iter()
        .filter_map(|p| Some(case(p.display().to_string(), model::load(p).ok()?)))
        .collect();
    assert!(out.len() >= 30, "only {} designs load", out.len());
    for seed in 1..=4 {
        let p = GenParams {
            regions: 1 + (seed % 2) as u32,
            spokes: 2,
            subnets: 3,
            endpoints: 2 + seed as u32,
            seed,
        };
        let t = model::load_str(&generate(&p), "gen.yaml").unwrap();
        out.push(case(format!("gen seed {seed}"), t));
    }
    out
});

proptest! {
    // 256 cases in CI; PROPTEST_CASES=N runs N by hand.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    /// Every record judged through the class-keyed cache (whose misses the exact engine
    /// answers) gets the verdict of a full trace of that record. The deciding and allowing
    /// rules a report shows come from a trace of the record itself
    /// (`realistic_log_report_equals_an_uncached_run` compares them).
    #[test]
    fn class_keyed_verdicts_equal_full_traces(
        design in any::<prop::sample::Index>(),
        records in prop::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(),
             any::<prop::sample::Index>(), 0u8..3),
            1..60,
        ),
    ) {
        let c = design.get(&CASES);
        let mut cls = Classifier::new(&c.t);
        for (a, b, p, proto) in records {
            let (from, to) = (*a.get(&c.addrs), *b.get(&c.addrs));
            let (protocol, port) = match proto {
                0 => (Protocol::Tcp, Some(*p.get(&c.ports))),
                1 => (Protocol::Udp, Some(*p.get(&c.ports))),
                _ => (Protocol::Icmp, None),
            };
            let cached = cls.judge(from, to, port, protocol);
            let full = cls.exact(from, to, port, protocol);
            match (cached, full) {
                (Some(x), Some(y)) => {
                    prop_assert_eq!(
                        x.verdict,
                        y.verdict,
                        "{}: {} → {} {:?} {:?}: traced {} ({:?}: {})",
                        c.name, from, to, port, protocol, y.verdict, y.decided_by, y.reason
                    );
                }
                (None, None) => {}
                (x, y) => prop_assert!(
                    false,
                    "{}: {} → {} {:?}: cached {:?}, traced {:?}",
                    c.name, from, to, port, x.map(|j| j.verdict), y.map(|j| j.verdict)
                ),
            }
        }
    }
}

fn report(an: Analyzer<'_>) -> serde_json::Value {
    let mut v = serde_json::to_value(an.finish()).unwrap();
    v.as_object_mut().unwrap().remove("cache");
    v
}

/// The whole report over a realistic log equals the report of an uncached run (every record
/// traced), and the cache traced far fewer flows than there are records.
#[test]
fn realistic_log_report_equals_an_uncached_run() {
    let designs = [
        GenParams::size("S").unwrap(),
        GenParams {
            regions: 1,
            spokes: 3,
            subnets: 3,
            endpoints: 4,
            seed: 9,
        },
    ];
    for p in designs {
        let t = model::load_str(&generate(&p), "gen.yaml").unwrap();
        let mut log = Vec::new();
        write_realistic(&t, 6000, 3, &mut log).unwrap();
        let mut cached = Analyzer::new(&t);
        analyze_reader(&mut cached, "realistic", log.as_slice(), LogFormat::Aws).unwrap();
        let traces = cached.classifier().traces;
        let mut slow = Analyzer::uncached(&t);
        analyze_reader(&mut slow, "realistic", log.as_slice(), LogFormat::Aws).unwrap();
        let judged = slow.classifier().traces;
        let (a, b) = (report(cached), report(slow));
        assert!(a["records"].as_u64().unwrap() > 5900, "{}", a["records"]);
        assert!(a["counts"]["drift"].as_u64().unwrap() > 0);
        assert_eq!(a, b, "{p:?}");
        assert!(
            traces < judged,
            "{traces} traces for {judged} judged records"
        );
    }
}

/// Two public addresses of endpoints are each judged by itself (the cache keys them apart):
/// from the internet on 443, the one whose subnet's NSG allows it inbound is allowed, the
/// other's NSG denies it (Azure NSG inbound rules, first match by priority:
/// <https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules>;
/// `Internet` is the address space outside the virtual network:
/// <https://learn.microsoft.com/azure/virtual-network/service-tags-overview>). Judged in this
/// order and the other, in one classifier, so a cache that took the addresses for one class
/// would give the second the first's verdict.
#[test]
fn public_addresses_are_judged_each_by_itself() {
    let yaml = r#"
version: 1
zones:
  - { id: web }
networks:
  - id: vnet
    provider: azure
    cidr: 10.0.0.0/16
    subnets:
      - { id: snet-a, cidr: 10.0.1.0/24, zone: web, rules: [nsg-a] }
      - { id: snet-b, cidr: 10.0.2.0/24, zone: web, rules: [nsg-b] }
endpoints:
  - { id: vm-a, kind: app, subnet: snet-a, ip: 10.0.1.4, public_ip: 20.0.0.4, ports: [443] }
  - { id: vm-b, kind: app, subnet: snet-b, ip: 10.0.2.4, public_ip: 20.0.0.5, ports: [443] }
rule_sets:
  - id: nsg-a
    kind: nsg
    rules:
      - { id: allow-https-in, priority: 100, direction: inbound, action: allow, protocol: tcp, source: Internet, destination: "*", ports: 443 }
  - id: nsg-b
    kind: nsg
    rules:
      - { id: deny-https-in, priority: 100, direction: inbound, action: deny, protocol: tcp, source: Internet, destination: "*", ports: 443 }
"#;
    let t = model::load_str(yaml, "public.yaml").unwrap();
    let client: IpAddr = "198.51.100.7".parse().unwrap();
    let (a, b): (IpAddr, IpAddr) = ("20.0.0.4".parse().unwrap(), "20.0.0.5".parse().unwrap());
    let expected = [
        (a, zonescope::model::Verdict::Allow),
        (b, zonescope::model::Verdict::Deny),
    ];
    for order in [[0, 1], [1, 0]] {
        let mut cls = Classifier::new(&t);
        for i in order {
            let (to, want) = expected[i];
            let got = cls.judge(client, to, Some(443), Protocol::Tcp).unwrap();
            assert_eq!(got.verdict, want, "internet -> {to}:443");
        }
    }
}

/// Endpoints that differ only by their FQDN are alike unless a rule's FQDN patterns tell them
/// apart. Azure Firewall application rules allow by target FQDN, a wildcard `*.` matching
/// names under the domain (<https://learn.microsoft.com/azure/firewall/rule-processing>,
/// <https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules>), and a flow no
/// rule allows is denied by the firewall's default. From the spoke, through the hub firewall,
/// on https/443:
/// - `api-1` and `api-2` (FQDNs under `corp.example.com`): allowed by `app-corp`;
/// - `api-3` (an FQDN elsewhere) and `api-4` (none): denied.
///
/// The same verdicts come from a classifier (endpoint groups) and from full traces, in both
/// orders; `api-1` and `api-2` share a group and the other two are not in it.
#[test]
fn endpoints_apart_only_by_fqdn_share_a_group_unless_a_pattern_tells_them_apart() {
    let yaml = r#"
version: 1
zones:
  - { id: app }
  - { id: data }
networks:
  - id: hub
    provider: azure
    cidr: 10.0.0.0/22
    role: hub
    egress: fw
    subnets:
      - { id: snet-fw, cidr: 10.0.0.0/26, zone: app }
  - id: spoke-a
    provider: azure
    cidr: 10.1.0.0/16
    hub: hub
    subnets:
      - { id: snet-client, cidr: 10.1.1.0/24, zone: app }
  - id: spoke-b
    provider: azure
    cidr: 10.2.0.0/16
    hub: hub
    subnets:
      - { id: snet-api, cidr: 10.2.1.0/24, zone: data }
peerings:
  - [hub, spoke-a]
  - [hub, spoke-b]
endpoints:
  - { id: fw, kind: firewall, subnet: snet-fw, ip: 10.0.0.4, rules: [fwp] }
  - { id: client, kind: app, subnet: snet-client, ip: 10.1.1.4 }
  - { id: api-1, kind: app, subnet: snet-api, ip: 10.2.1.4, fqdn: one.corp.example.com }
  - { id: api-2, kind: app, subnet: snet-api, ip: 10.2.1.5, fqdn: two.corp.example.com }
  - { id: api-3, kind: app, subnet: snet-api, ip: 10.2.1.6, fqdn: api.other.example.org }
  - { id: api-4, kind: app, subnet: snet-api, ip: 10.2.1.7 }
rule_sets:
  - id: fwp
    kind: firewall
    rules:
      - { id: app-corp, priority: 100, action: allow, protocol: https, fqdns: ["*.corp.example.com"] }
"#;
    let t = model::load_str(yaml, "fqdn-groups.yaml").unwrap();
    use zonescope::model::Verdict::{Allow, Deny};
    let client: IpAddr = "10.1.1.4".parse().unwrap();
    let rows: [(&str, zonescope::model::Verdict); 4] = [
        ("10.2.1.4", Allow),
        ("10.2.1.5", Allow),
        ("10.2.1.6", Deny),
        ("10.2.1.7", Deny),
    ];
    let exact = Classifier::uncached(&t);
    for (to, want) in rows {
        let to: IpAddr = to.parse().unwrap();
        let traced = exact.exact(client, to, Some(443), Protocol::Tcp).unwrap();
        assert_eq!(traced.verdict, want, "trace client -> {to}:443");
    }
    for order in [[0, 1, 2, 3], [3, 2, 1, 0]] {
        let mut cls = Classifier::new(&t);
        for i in order {
            let (to, want) = rows[i];
            let to: IpAddr = to.parse().unwrap();
            let got = cls.judge(client, to, Some(443), Protocol::Tcp).unwrap();
            assert_eq!(got.verdict, want, "classifier client -> {to}:443");
        }
    }
    let ep = |id: &str| t.endpoint_ix(id).unwrap();
    let groups = zonescope::engine::reach::groups(&t);
    let group_of = |e| groups.iter().position(|g| g.members.contains(&e)).unwrap();
    assert_eq!(group_of(ep("api-1")), group_of(ep("api-2")));
    assert_ne!(group_of(ep("api-1")), group_of(ep("api-3")));
    assert_ne!(group_of(ep("api-1")), group_of(ep("api-4")));
}
