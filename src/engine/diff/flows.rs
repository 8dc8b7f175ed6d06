//! The flow half of `diff`: every endpoint pair of both versions over every port interval in
//! which no rule or listener boundary falls (one representative port per interval is exact),
//! screened first by the exact-reachability engine when there are more than [`MAX_FLOWS`]
//! traces, and the flows of endpoints only one version has.
//!
//! Must never: trace without a bound.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::engine::policy::Party;
use crate::engine::reach::{self as exact, Engine, Target, src_party};
use crate::engine::trace::{Query, Trace, WhatIf, trace};
use crate::model::rules::RuleRef;
use crate::model::rules::{PortSet, Protocol};
use crate::model::{EpIx, Kind, Topology};

use super::{Change, Coverage, EndpointFlow, FlowChange, Outcome, port_fields};

fn all_rule_sets(t: &Topology) -> impl Iterator<Item = &crate::model::rules::RuleSet> {
    t.rule_sets().iter().chain(t.zone_policy())
}

/// Cut points: each interval `[cut[i], cut[i+1] - 1]` has no rule or listener boundary inside.
pub(super) fn port_intervals(ts: &[&Topology]) -> Vec<(u16, u16)> {
    let mut cuts: BTreeSet<u32> = BTreeSet::new();
    cuts.insert(0);
    let mut add = |ps: &PortSet| {
        for &(a, b) in ps.ranges() {
            cuts.insert(u32::from(a));
            cuts.insert(u32::from(b) + 1);
        }
    };
    for t in ts {
        for rs in all_rule_sets(t) {
            for r in &rs.rules {
                add(&r.ports);
            }
        }
        for e in t.endpoints() {
            if let Some(p) = &e.ports {
                add(p);
            }
        }
    }
    let v: Vec<u32> = cuts.into_iter().filter(|c| *c <= 65536).collect();
    let mut out = Vec::new();
    for (i, &lo) in v.iter().enumerate() {
        let hi = v.get(i + 1).map_or(65535, |n| n - 1);
        if lo <= 65535 {
            out.push((lo as u16, hi as u16));
        }
    }
    out
}

fn protocols(ts: &[&Topology]) -> Vec<Protocol> {
    let mut out = vec![Protocol::Tcp];
    for p in [Protocol::Udp, Protocol::Icmp] {
        if ts.iter().any(|t| {
            all_rule_sets(t).any(|rs| rs.rules.iter().any(|r| !r.default_rule && r.protocol == p))
        }) {
            out.push(p);
        }
    }
    out
}

fn is_source(t: &Topology, id: &str) -> bool {
    t.endpoint_ix(id)
        .map(|e| t.endpoint(e))
        .is_some_and(|e| e.subnet.is_some() && e.kind != Kind::PrivateEndpoint)
}

fn is_destination(t: &Topology, id: &str) -> bool {
    t.endpoint_ix(id)
        .map(|e| t.endpoint(e))
        .is_some_and(|e| e.kind != Kind::PrivateEndpoint)
}

/// The ids, selectors and addresses that the file changes name: endpoints they touch are traced
/// first when the scan is capped.
fn touched_tokens(old: &Topology, new: &Topology, changes: &[Change]) -> HashSet<String> {
    let mut out = HashSet::new();
    let rule_texts = |t: &Topology, set: &str, rule: &str, out: &mut HashSet<String>| {
        let rs = if set == "policies" {
            t.zone_policy()
        } else {
            t.rule_sets().iter().find(|r| r.id == set)
        };
        if let Some(r) = rs.and_then(|rs| rs.rules.iter().find(|r| r.id == rule)) {
            out.extend(
                r.source_text
                    .iter()
                    .chain(&r.destination_text)
                    .map(|x| x.to_ascii_lowercase()),
            );
        }
    };
    for c in changes {
        match c.kind {
            "rule" => {
                if let Some((set, rule)) = c.id.split_once('/') {
                    out.insert(set.to_ascii_lowercase());
                    rule_texts(old, set, rule, &mut out);
                    rule_texts(new, set, rule, &mut out);
                }
            }
            "policy" => {
                rule_texts(old, "policies", &c.id, &mut out);
                rule_texts(new, "policies", &c.id, &mut out);
            }
            "peering" => out.extend(c.id.split(" <-> ").map(str::to_ascii_lowercase)),
            _ => {
                out.insert(c.id.to_ascii_lowercase());
            }
        }
    }
    out
}

/// Whether an endpoint (by id, in `t`) is named by the tokens: its id, subnet, network, zone,
/// region, rule sets, or a CIDR holding its address; `*`, `any` and `VirtualNetwork` touch all
/// (and `Internet` only the internet as a source).
fn touches(t: &Topology, id: &str, tokens: &HashSet<String>) -> bool {
    let wide = ["*", "any", "virtualnetwork"];
    if wide.iter().any(|w| tokens.contains(*w)) {
        return true;
    }
    let Some(ix) = t.endpoint_ix(id) else {
        return tokens.contains(&id.to_ascii_lowercase());
    };
    let e = t.endpoint(ix);
    let mut names: Vec<&str> = vec![e.id.as_str()];
    if let Some(s) = e.subnet {
        names.push(&t.subnet(s).id);
        names.extend(
            t.subnet(s)
                .rule_sets
                .iter()
                .map(|r| t.rule_set(*r).id.as_str()),
        );
    }
    if let Some(n) = e.network {
        names.push(&t.network(n).id);
    }
    if let Some(z) = e.zone {
        names.push(&t.zone(z).id);
    }
    if let Some(r) = &e.region {
        names.push(r);
    }
    names.extend(e.rule_sets.iter().map(|r| t.rule_set(*r).id.as_str()));
    if names
        .iter()
        .any(|n| tokens.contains(&n.to_ascii_lowercase()))
    {
        return true;
    }
    e.ip.is_some_and(|ip| {
        tokens
            .iter()
            .filter_map(|x| x.parse::<ipnet::IpNet>().ok())
            .any(|net| net.contains(&ip))
    })
}

/// Every (i, j) with i from `a` and j from `b`, lazily, `a` major.
fn product<'a>(a: &'a [usize], b: &'a [usize]) -> impl Iterator<Item = (usize, usize)> + 'a {
    a.iter().flat_map(move |&i| b.iter().map(move |&j| (i, j)))
}

/// Changed endpoint pairs (source id, destination id) by source group (`None`: the internet).
type Found = Vec<(Option<usize>, Vec<(String, String)>)>;

/// The endpoint pairs (source id, destination id) whose reach differs between the versions —
/// the TCP or UDP ports allowed, or whether there is a route at all — over every pair, exactly:
/// endpoints alike in both versions (the same group of [`exact::groups`] in each) reach alike,
/// so one pair of stand-ins per pair of such groups is compared with the engine. Returns the
/// number of changed pairs and the first `keep` of them (in source, destination order).
fn screen(
    old: &Topology,
    new: &Topology,
    sources: &[String],
    dests: &[String],
    keep: usize,
) -> (usize, Vec<(String, String)>) {
    let group_of = |t: &Topology| {
        let mut at = vec![usize::MAX; t.endpoints().len()];
        for (i, g) in exact::groups(t).iter().enumerate() {
            for m in &g.members {
                at[m.index()] = i;
            }
        }
        at
    };
    let (go, gn) = (group_of(old), group_of(new));
    let is_src: HashSet<&str> = sources.iter().map(String::as_str).collect();
    let is_dst: HashSet<&str> = dests.iter().map(String::as_str).collect();
    // Refined groups: (old group, new group) → members (ids), in the new file's order.
    let mut index: HashMap<(usize, usize), usize> = HashMap::new();
    // A member: its id, and its index in the old and in the new file.
    type Member<'a> = (&'a str, EpIx, EpIx);
    let mut refined: Vec<Vec<Member>> = Vec::new();
    for e in new.endpoints() {
        let id = e.id.as_str();
        if !is_src.contains(id) && !is_dst.contains(id) {
            continue;
        }
        let (Some(eo), Some(en)) = (old.endpoint_ix(id), new.endpoint_ix(id)) else {
            continue;
        };
        let key = (go[eo.index()], gn[en.index()]);
        let next = refined.len();
        let k = *index.entry(key).or_insert(next);
        if k == next {
            refined.push(Vec::new());
        }
        refined[k].push((id, eo, en));
    }
    // Each group's members that are destinations, once.
    let as_dst: Vec<Vec<&Member>> = refined
        .iter()
        .map(|g| g.iter().filter(|m| is_dst.contains(m.0)).collect())
        .collect();
    // Source groups split across the cores, one pair of engines each; pairs are kept in
    // source-group order (the internet first), whatever the split.
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let work = |share: usize| {
        let (eo, en) = (Engine::new(old), Engine::new(new));
        let changed = |po: &Party, pn: &Party, d: &Member| {
            let (a, ra) = eo.reach_routed(po, &Target::Ep(d.1), None);
            let (b, rb) = en.reach_routed(pn, &Target::Ep(d.2), None);
            ra != rb || a.tcp != b.tcp || a.udp != b.udp
        };
        let mut count = 0;
        // (source group, or None for the internet; its changed pairs, at most `keep`).
        let mut found: Found = Vec::new();
        let mut kept = 0;
        let mut add = |at: Option<usize>, s: &str, d: &str, found: &mut Found| {
            count += 1;
            if kept < keep {
                kept += 1;
                match found.last_mut() {
                    Some((k, v)) if *k == at => v.push((s.to_string(), d.to_string())),
                    _ => found.push((at, vec![(s.to_string(), d.to_string())])),
                }
            }
        };
        // The internet as a source: one party, outside every network, as `trace` takes it.
        if share == 0 && is_src.contains("internet") {
            let outside = Party {
                outside: true,
                ..Party::default()
            };
            for dsts in &as_dst {
                if dsts.first().is_some_and(|d| changed(&outside, &outside, d)) {
                    for d in dsts {
                        add(None, "internet", d.0, &mut found);
                    }
                }
            }
        }
        for (si, sg) in refined.iter().enumerate().skip(share).step_by(threads) {
            let srcs: Vec<&Member> = sg.iter().filter(|m| is_src.contains(m.0)).collect();
            let Some(rep) = srcs.first() else { continue };
            let (po, pn) = (src_party(old, rep.1), src_party(new, rep.2));
            for (di, dsts) in as_dst.iter().enumerate() {
                // The destination stand-in: another member when both ends are one group.
                let Some(d) = dsts.iter().find(|d| si != di || d.0 != rep.0) else {
                    continue;
                };
                if !changed(&po, &pn, d) {
                    continue;
                }
                for s in &srcs {
                    for d in dsts.iter().filter(|d| d.0 != s.0) {
                        add(Some(si), s.0, d.0, &mut found);
                    }
                }
            }
            // Last, the internet as a destination (`trace --to internet`): outbound to the internet.
            if is_dst.contains("internet") {
                let (a, ra) = eo.reach_routed(&po, &Target::Internet, None);
                let (b, rb) = en.reach_routed(&pn, &Target::Internet, None);
                if ra != rb || a.tcp != b.tcp || a.udp != b.udp {
                    for s in &srcs {
                        add(Some(si), s.0, "internet", &mut found);
                    }
                }
            }
        }
        (count, found)
    };
    let shares: Vec<(usize, Found)> = if threads == 1 {
        vec![work(0)]
    } else {
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads).map(|i| sc.spawn(move || work(i))).collect();
            // A share that panicked is a bug: let it show.
            handles
                .into_iter()
                .map(|h| h.join().expect("a screening share finishes"))
                .collect()
        })
    };
    let count = shares.iter().map(|s| s.0).sum();
    let mut found: Found = shares.into_iter().flat_map(|s| s.1).collect();
    found.sort_by_key(|(at, _)| at.map_or(0, |k| k + 1));
    let pairs = found.into_iter().flat_map(|f| f.1).take(keep).collect();
    (count, pairs)
}

/// The flows whose verdict (or deciding rule) differs, and what was covered. When the scan is
/// capped, the pairs whose reach the engine finds changed go first, then pairs with an end the
/// file changes touch.
pub(super) fn flow_changes(
    old: &Topology,
    new: &Topology,
    changes: &[Change],
    max_flows: usize,
) -> (Vec<FlowChange>, Vec<FlowChange>, Coverage) {
    let mut sources: Vec<String> = vec!["internet".to_string()];
    sources.extend(
        new.endpoints()
            .iter()
            .filter(|e| is_source(new, &e.id) && is_source(old, &e.id))
            .map(|e| e.id.clone()),
    );
    let mut dests: Vec<String> = new
        .endpoints()
        .iter()
        .filter(|e| is_destination(new, &e.id) && is_destination(old, &e.id))
        .map(|e| e.id.clone())
        .collect();
    // The internet as a destination too: a change may open (or close) the way out.
    dests.push("internet".to_string());
    let dest_set: HashSet<&str> = dests.iter().map(String::as_str).collect();
    let total_pairs: usize = sources
        .iter()
        .map(|s| dests.len() - usize::from(dest_set.contains(s.as_str())))
        .sum();
    let tokens = touched_tokens(old, new, changes);
    let hit = |id: &str| touches(old, id, &tokens) || touches(new, id, &tokens);
    let src_hit: Vec<bool> = sources.iter().map(|s| hit(s)).collect();
    let dst_hit: Vec<bool> = dests.iter().map(|d| hit(d)).collect();
    // Pairs with both ends touched, then one, then neither: lazily, so a large design never
    // holds every pair in memory (and only the pairs taken are looked at).
    let pick = |hit: &[bool], want: bool| -> Vec<usize> {
        (0..hit.len()).filter(|i| hit[*i] == want).collect()
    };
    let (src_t, src_u) = (pick(&src_hit, true), pick(&src_hit, false));
    let (dst_t, dst_u) = (pick(&dst_hit, true), pick(&dst_hit, false));
    let ordered = product(&src_t, &dst_t)
        .chain(product(&src_t, &dst_u))
        .chain(product(&src_u, &dst_t))
        .chain(product(&src_u, &dst_u))
        .map(|(i, j)| (sources[i].as_str(), dests[j].as_str()))
        .filter(|(s, d)| s != d);
    let intervals = port_intervals(&[old, new]);
    let protos = protocols(&[old, new]);
    let per_pair: usize = protos
        .iter()
        .map(|p| if p.has_ports() { intervals.len() } else { 1 })
        .sum();
    let budget_pairs = (max_flows / per_pair.max(1)).max(1);
    let checked = total_pairs.min(budget_pairs);
    let capped = checked < total_pairs;
    // Capped: find the pairs whose reach changed, exactly, and trace them first.
    let (pairs_changed, first) = if capped {
        let (n, first) = screen(old, new, &sources, &dests, checked);
        (Some(n), first)
    } else {
        (None, Vec::new())
    };
    let first_set: HashSet<(&str, &str)> = first
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let ordered = first
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .chain(ordered.filter(|p| !first_set.contains(p)));
    let w = WhatIf::default();
    let mut changed = Vec::new();
    let mut rule_changed = Vec::new();
    let mut traces = 0;
    for (s, d) in ordered.take(checked) {
        for &proto in &protos {
            let ivs: Vec<Option<(u16, u16)>> = if proto.has_ports() {
                intervals.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            // (interval, old, new) of the last change, to merge adjacent intervals.
            let mut run: Option<(u16, u16, Outcome, Outcome)> = None;
            let mut flush = |run: &mut Option<(u16, u16, Outcome, Outcome)>, icmp: bool| {
                if let Some((lo, hi, o, n)) = run.take() {
                    let (ports, port_from, port_to) = port_fields(lo, hi, icmp);
                    let fc = FlowChange {
                        from: s.to_string(),
                        to: d.to_string(),
                        protocol: proto,
                        ports,
                        port_from,
                        port_to,
                        old: o.clone(),
                        new: n.clone(),
                    };
                    if o.verdict == n.verdict {
                        rule_changed.push(fc);
                    } else {
                        changed.push(fc);
                    }
                }
            };
            for iv in ivs {
                let port = iv.map(|(lo, _)| lo);
                let q = Query::new(s, d, port, proto);
                traces += 2;
                let (Ok(a), Ok(b)) = (trace(old, &q, &w), trace(new, &q, &w)) else {
                    flush(&mut run, iv.is_none());
                    continue;
                };
                let (oa, ob) = (Outcome::of(&a), Outcome::of(&b));
                let same = oa.same(&ob);
                if same {
                    flush(&mut run, iv.is_none());
                    continue;
                }
                let (lo, hi) = iv.unwrap_or((0, 0));
                let extend = run.as_ref().is_some_and(|(_, h, ro, rn)| {
                    u32::from(*h) + 1 == u32::from(lo) && ro.same(&oa) && rn.same(&ob)
                });
                if extend {
                    if let Some(r) = run.as_mut() {
                        r.1 = hi;
                    }
                } else {
                    flush(&mut run, iv.is_none());
                    run = Some((lo, hi, oa, ob));
                }
            }
            flush(&mut run, !proto.has_ports());
        }
    }
    let note = capped.then(|| {
        format!(
            "capped: traced {checked} of {total_pairs} endpoint pairs ({} port intervals × {} protocol(s) each, at most {max_flows} flows); every pair was compared exactly on TCP and UDP ports and routes, and {} changed: those were traced first, then pairs the file changes touch{}",
            intervals.len(),
            protos.len(),
            pairs_changed.unwrap_or(0),
            if protos.contains(&Protocol::Icmp) {
                " (ICMP and deciding rules are compared on traced pairs only)"
            } else {
                " (deciding rules are compared on traced pairs only)"
            }
        )
    });
    let coverage = Coverage {
        sources: sources.len(),
        destinations: dests.len(),
        pairs: total_pairs,
        pairs_checked: checked,
        port_intervals: intervals.len(),
        protocols: protos,
        traces,
        capped,
        pairs_changed,
        note,
    };
    (changed, rule_changed, coverage)
}

/// The allowed flows of `t` that involve an endpoint `other` does not have, merged into port
/// ranges. Returns them, the number of traces, and whether the budget capped the scan.
pub(super) fn endpoint_flows(
    t: &Topology,
    other: &Topology,
    intervals: &[(u16, u16)],
    protos: &[Protocol],
    max_flows: usize,
) -> (Vec<EndpointFlow>, usize, bool) {
    let only = |id: &str| t.endpoint_ix(id).is_some() && other.endpoint_ix(id).is_none();
    let mut sources: Vec<&str> = vec!["internet"];
    sources.extend(
        t.endpoints()
            .iter()
            .filter(|e| is_source(t, &e.id))
            .map(|e| e.id.as_str()),
    );
    let dests: Vec<&str> = t
        .endpoints()
        .iter()
        .filter(|e| is_destination(t, &e.id))
        .map(|e| e.id.as_str())
        .collect();
    let w = WhatIf::default();
    let mut out = Vec::new();
    let mut traces = 0;
    let mut capped = false;
    let added_src: Vec<&str> = sources.iter().copied().filter(|s| only(s)).collect();
    let added_dst: Vec<&str> = dests.iter().copied().filter(|d| only(d)).collect();
    let pairs = added_src
        .iter()
        .flat_map(|s| dests.iter().map(move |d| (*s, *d)))
        .chain(
            sources
                .iter()
                .filter(|s| !only(s))
                .flat_map(|s| added_dst.iter().map(move |d| (*s, *d))),
        );
    'pairs: for (s, d) in pairs {
        if s == d {
            continue;
        }
        for &proto in protos {
            let ivs: Vec<Option<(u16, u16)>> = if proto.has_ports() {
                intervals.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            if traces + ivs.len() > max_flows {
                capped = true;
                break 'pairs;
            }
            let mut run: Option<(u16, u16, Option<RuleRef>)> = None;
            let mut flush = |run: &mut Option<(u16, u16, Option<RuleRef>)>| {
                if let Some((lo, hi, by)) = run.take() {
                    let icmp = !proto.has_ports();
                    let (ports, port_from, port_to) = port_fields(lo, hi, icmp);
                    out.push(EndpointFlow {
                        from: s.to_string(),
                        to: d.to_string(),
                        protocol: proto,
                        ports,
                        port_from,
                        port_to,
                        decided_by: by,
                    });
                }
            };
            for iv in ivs {
                traces += 1;
                let q = Query::new(s, d, iv.map(|x| x.0), proto);
                let allowed = trace(t, &q, &w).ok().filter(Trace::allowed);
                let Some(tr) = allowed else {
                    flush(&mut run);
                    continue;
                };
                let by = Outcome::of(&tr).decided_by;
                let (lo, hi) = iv.unwrap_or((0, 0));
                match run.as_mut() {
                    Some(r)
                        if u32::from(r.1) + 1 == u32::from(lo)
                            && super::rule_key(r.2.as_ref()) == super::rule_key(by.as_ref()) =>
                    {
                        r.1 = hi;
                    }
                    _ => {
                        flush(&mut run);
                        run = Some((lo, hi, by));
                    }
                }
            }
            flush(&mut run);
        }
    }
    (out, traces, capped)
}
