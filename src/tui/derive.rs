//! What the explorer precomputes from a topology for drawing: the tree rows, the map blocks
//! (hub-and-spoke stars per region), the finder's items and a gateway's backend fan-out.
//!
//! Owns: the builders [`App`](super::app::App) calls when its input changes. Must never: do
//! I/O, touch the terminal, or depend on what is selected.

use crate::engine::trace::{Query, WhatIf, trace};
use crate::model::rules::Protocol;
use crate::model::{EntityRef, EpIx, NetIx, Role, SubnetIx, Topology, ZoneIx};

use super::app::{
    BackendRole, BackendRow, Fanout, FinderItem, MapBlock, RowKind, Seg, SegClass, Target, TreeRow,
};

/// A stable key for a tree row (for the collapsed set).
pub fn row_key(t: &Topology, k: &RowKind) -> String {
    match k {
        RowKind::Region(r) => format!("region:{r}"),
        RowKind::Network(n) => format!("net:{}", t.network(*n).id),
        RowKind::Subnet(s) => format!("subnet:{}", t.subnet(*s).id),
        RowKind::Endpoint(e) => format!("ep:{}", t.endpoint(*e).id),
        RowKind::Services => "services".to_string(),
        RowKind::Zone(z) => format!("zone:{}", t.zone(*z).id),
    }
}

/// The entity id of a row, if it has one.
pub fn row_id<'a>(t: &'a Topology, k: &'a RowKind) -> Option<&'a str> {
    match k {
        RowKind::Region(r) => Some(r),
        RowKind::Network(n) => Some(&t.network(*n).id),
        RowKind::Subnet(s) => Some(&t.subnet(*s).id),
        RowKind::Endpoint(e) => Some(&t.endpoint(*e).id),
        RowKind::Services => None,
        RowKind::Zone(z) => Some(&t.zone(*z).id),
    }
}

/// Networks of a region in star order: each hub, then its spokes; then the others.
pub fn star_order(t: &Topology, region: Option<&str>) -> Vec<NetIx> {
    let in_region: Vec<NetIx> = (0..t.networks().len())
        .map(|i| NetIx(i as u32))
        .filter(|n| t.network(*n).region.as_deref() == region)
        .collect();
    let mut out = Vec::with_capacity(in_region.len());
    for &n in &in_region {
        if t.network(n).role == Role::Hub {
            out.push(n);
            out.extend(t.spokes_of(n).filter(|s| in_region.contains(s)));
        }
    }
    for &n in &in_region {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

pub(super) fn build_tree(t: &Topology) -> Vec<TreeRow> {
    let mut rows: Vec<TreeRow> = Vec::new();
    let mut by_subnet: Vec<Vec<EpIx>> = vec![Vec::new(); t.subnets().len()];
    for (i, e) in t.endpoints().iter().enumerate() {
        if let Some(s) = e.subnet {
            by_subnet[s.index()].push(EpIx(i as u32));
        }
    }
    let mut regions: Vec<Option<String>> = t.regions().into_iter().map(Some).collect();
    if t.networks().iter().any(|n| n.region.is_none()) {
        regions.push(None);
    }
    for region in regions {
        let nets = star_order(t, region.as_deref());
        if nets.is_empty() {
            continue;
        }
        let start = rows.len();
        rows.push(TreeRow {
            kind: RowKind::Region(region.clone().unwrap_or_else(|| "(no region)".into())),
            depth: 0,
            children: 0,
        });
        for n in nets {
            let ns = rows.len();
            rows.push(TreeRow {
                kind: RowKind::Network(n),
                depth: 1,
                children: 0,
            });
            for &s in &t.network(n).subnets {
                let ss = rows.len();
                rows.push(TreeRow {
                    kind: RowKind::Subnet(s),
                    depth: 2,
                    children: 0,
                });
                for &e in &by_subnet[s.index()] {
                    rows.push(TreeRow {
                        kind: RowKind::Endpoint(e),
                        depth: 3,
                        children: 0,
                    });
                }
                rows[ss].children = rows.len() - ss - 1;
            }
            rows[ns].children = rows.len() - ns - 1;
        }
        rows[start].children = rows.len() - start - 1;
    }
    let paas: Vec<usize> = (0..t.endpoints().len())
        .filter(|&i| t.endpoints()[i].is_paas())
        .collect();
    if !paas.is_empty() {
        let start = rows.len();
        rows.push(TreeRow {
            kind: RowKind::Services,
            depth: 0,
            children: 0,
        });
        let mut zones: Vec<Option<ZoneIx>> = Vec::new();
        for &i in &paas {
            let z = t.endpoints()[i].zone;
            if !zones.contains(&z) {
                zones.push(z);
            }
        }
        for z in zones {
            let zs = rows.len();
            if let Some(z) = z {
                rows.push(TreeRow {
                    kind: RowKind::Zone(z),
                    depth: 1,
                    children: 0,
                });
            }
            let depth = if z.is_some() { 2 } else { 1 };
            for &i in &paas {
                if t.endpoints()[i].zone == z {
                    rows.push(TreeRow {
                        kind: RowKind::Endpoint(EpIx(i as u32)),
                        depth,
                        children: 0,
                    });
                }
            }
            if z.is_some() {
                rows[zs].children = rows.len() - zs - 1;
            }
        }
        rows[start].children = rows.len() - start - 1;
    }
    rows
}

pub(super) fn seg(text: impl Into<String>, class: SegClass, id: Option<&str>) -> Seg {
    Seg {
        text: text.into(),
        class,
        id: id.map(str::to_string),
        link: None,
    }
}

fn link(text: impl Into<String>, a: &str, b: &str) -> Seg {
    Seg {
        text: text.into(),
        class: SegClass::Connector,
        id: None,
        link: Some((a.to_string(), b.to_string())),
    }
}

/// Lay out the map: one compact hub-and-spoke star per region (so that regions sit side by
/// side), then one full-width block of the links between them: peerings that are not
/// hub–spoke, private links (┄▸) and gateway backends (⇢).
pub(super) fn build_map(t: &Topology) -> Vec<MapBlock> {
    let mut blocks = Vec::new();
    let mut regions: Vec<Option<String>> = t.regions().into_iter().map(Some).collect();
    if t.networks().iter().any(|n| n.region.is_none()) {
        regions.push(None);
    }
    for region in regions {
        let mut lines: Vec<Vec<Seg>> = Vec::new();
        let title = region.clone().unwrap_or_else(|| "(no region)".into());
        lines.push(vec![seg(
            format!("▌{title}"),
            SegClass::Title,
            region.as_deref(),
        )]);
        for n in star_order(t, region.as_deref()) {
            let net = t.network(n);
            match net.role {
                Role::Hub => {
                    lines.push(vec![
                        seg(" ┏━ ", SegClass::Hub, None),
                        seg(net.id.clone(), SegClass::Hub, Some(&net.id)),
                        seg(" HUB", SegClass::Hub, None),
                    ]);
                    if let Some(fw) = net.egress.map(|f| t.endpoint(f).id.clone()) {
                        lines.push(vec![
                            seg(" ┃  ◆ ", SegClass::Firewall, None),
                            seg(fw.clone(), SegClass::Firewall, Some(&fw)),
                        ]);
                    }
                    let spokes: Vec<NetIx> = t
                        .spokes_of(n)
                        .filter(|s| t.network(*s).region == net.region)
                        .collect();
                    for (i, s) in spokes.iter().enumerate() {
                        let sp = t.network(*s);
                        let branch = if i + 1 == spokes.len() {
                            " ┗━━ "
                        } else {
                            " ┣━━ "
                        };
                        lines.push(vec![
                            link(branch, &net.id, &sp.id),
                            seg(sp.id.clone(), SegClass::Spoke, Some(&sp.id)),
                        ]);
                    }
                }
                Role::Spoke if net.hub.is_some_and(|h| t.network(h).region == net.region) => {}
                _ => lines.push(vec![
                    seg(" □ ", SegClass::Standalone, None),
                    seg(net.id.clone(), SegClass::Standalone, Some(&net.id)),
                ]),
            }
        }
        blocks.push(MapBlock {
            width: width_of(&lines, 12, 30),
            full: false,
            lines,
        });
    }
    // The links between things, one per line.
    let mut peer = Vec::new();
    for p in t.peerings() {
        let (a, b) = (t.network(p.a), t.network(p.b));
        if p.implied || a.hub == Some(p.b) || b.hub == Some(p.a) {
            continue;
        }
        let across = a.region != b.region;
        peer.push(vec![
            seg("  ", SegClass::Note, None),
            seg(a.id.clone(), SegClass::Peering, Some(&a.id)),
            link(" ══ ", &a.id, &b.id),
            seg(b.id.clone(), SegClass::Peering, Some(&b.id)),
            seg(
                if across { "  across regions" } else { "" },
                SegClass::Note,
                None,
            ),
        ]);
    }
    let mut pl = Vec::new();
    let mut be = Vec::new();
    for (a, b, backend) in t.links() {
        let (ea, eb) = (t.endpoint(a), t.endpoint(b));
        if backend {
            let prio = ea
                .backends
                .iter()
                .find(|x| x.endpoint == b)
                .map_or(1, |x| x.priority);
            be.push((
                (a, prio),
                vec![
                    seg("  ", SegClass::Note, None),
                    seg(ea.id.clone(), SegClass::Backend, Some(&ea.id)),
                    link(format!(" ⇢p{prio} "), &ea.id, &eb.id),
                    seg(eb.id.clone(), SegClass::Backend, Some(&eb.id)),
                    seg(
                        format!("  {}", backend_region(t, b).unwrap_or_default()),
                        SegClass::Note,
                        None,
                    ),
                ],
            ));
        } else {
            pl.push(vec![
                seg("  ", SegClass::Note, None),
                seg(ea.id.clone(), SegClass::PrivateLink, Some(&ea.id)),
                link(" ┄▸ ", &ea.id, &eb.id),
                seg(eb.id.clone(), SegClass::Service, Some(&eb.id)),
            ]);
        }
    }
    let mut lines: Vec<Vec<Seg>> = Vec::new();
    if !peer.is_empty() {
        lines.push(vec![seg("══ peerings", SegClass::Note, None)]);
        lines.extend(peer);
    }
    if !pl.is_empty() {
        lines.push(vec![seg("┄▸ private links", SegClass::Note, None)]);
        lines.extend(pl);
    }
    if !be.is_empty() {
        be.sort_by_key(|(k, _)| *k);
        lines.push(vec![seg(
            "⇢ gateway backends (priority)",
            SegClass::Note,
            None,
        )]);
        lines.extend(be.into_iter().map(|(_, l)| l));
    }
    if !lines.is_empty() {
        blocks.push(MapBlock {
            width: width_of(&lines, 12, 200),
            full: true,
            lines,
        });
    }
    blocks
}

pub(super) fn width_of(lines: &[Vec<Seg>], min: usize, max: usize) -> u16 {
    lines
        .iter()
        .map(|l| l.iter().map(|s| s.text.chars().count()).sum::<usize>())
        .max()
        .unwrap_or(0)
        .clamp(min, max) as u16
}

pub(super) fn build_finder(t: &Topology) -> Vec<FinderItem> {
    let mut items = Vec::new();
    let mut push = |id: &str, kind: &str, detail: String, target: Target| {
        let text = if detail.is_empty() {
            format!("{id}  {kind}")
        } else {
            format!("{id}  {kind}  {detail}")
        };
        items.push(FinderItem {
            text,
            id: id.to_string(),
            target,
        });
    };
    for (i, e) in t.endpoints().iter().enumerate() {
        let mut d = Vec::new();
        if let Some(ip) = e.ip {
            d.push(ip.to_string());
        }
        if let Some(f) = &e.fqdn {
            d.push(f.clone());
        }
        if let Some(r) = &e.region
            && e.is_paas()
        {
            d.push(r.clone());
        }
        push(
            &e.id,
            e.kind.as_str(),
            d.join(" "),
            Target::Entity(EntityRef::Endpoint(EpIx(i as u32))),
        );
    }
    for (i, s) in t.subnets().iter().enumerate() {
        let cidrs: Vec<String> = s.cidrs.iter().map(ToString::to_string).collect();
        push(
            &s.id,
            "subnet",
            cidrs.join(" "),
            Target::Entity(EntityRef::Subnet(SubnetIx(i as u32))),
        );
    }
    for (i, n) in t.networks().iter().enumerate() {
        let cidrs: Vec<String> = n.cidrs.iter().map(ToString::to_string).collect();
        push(
            &n.id,
            n.role.as_str(),
            cidrs.join(" "),
            Target::Entity(EntityRef::Network(NetIx(i as u32))),
        );
    }
    for r in t.regions() {
        push(&r, "region", String::new(), Target::Region(r.clone()));
    }
    for (i, z) in t.zones().iter().enumerate() {
        push(
            &z.id,
            "zone",
            String::new(),
            Target::Entity(EntityRef::Zone(ZoneIx(i as u32))),
        );
    }
    for rs in t.rule_sets().iter().chain(t.zone_policy()) {
        for r in rs.rules.iter().filter(|r| !r.default_rule) {
            push(
                &format!("{}/{}", rs.id, r.id),
                "rule",
                String::new(),
                Target::Rule(rs.id.clone(), r.id.clone()),
            );
        }
    }
    items
}

/// Where a backend serves from: a private endpoint's is its service's region (the model
/// runs there), with the endpoint's own network region beside it when they differ
/// (`japaneast (PE in southeastasia)`).
pub fn backend_region(t: &Topology, b: crate::model::EpIx) -> Option<String> {
    let ep = t.endpoint(b);
    let service = ep.target.and_then(|s| t.endpoint(s).region.clone());
    match (service, &ep.region) {
        (Some(s), Some(own)) if &s != own => Some(format!("{s} (PE in {own})")),
        (Some(s), _) => Some(s),
        (None, own) => own.clone(),
    }
}

/// Every gateway's backend pool, traced with the what-if (at most 64 gateways).
pub fn compute_fanout(t: &Topology, w: &WhatIf) -> Vec<Fanout> {
    t.endpoints()
        .iter()
        .filter(|e| !e.backends.is_empty())
        .take(64)
        .map(|gw| {
            let port = gw
                .ports
                .as_ref()
                .and_then(|p| p.ranges().first().map(|r| r.0))
                .unwrap_or(443);
            let mut rows: Vec<BackendRow> = gw
                .backends
                .iter()
                .map(|b| {
                    let ep = t.endpoint(b.endpoint);
                    let q = Query::new(&gw.id, &ep.id, Some(port), Protocol::Tcp);
                    let (verdict, decided) = match trace(t, &q, w) {
                        Ok(tr) => (
                            Some(tr.verdict),
                            tr.decided_by
                                .map(|d| format!("{} {}", d.rule_set, d.rule))
                                .unwrap_or(tr.reason),
                        ),
                        Err(e) => (None, e.message),
                    };
                    BackendRow {
                        id: ep.id.clone(),
                        priority: b.priority,
                        region: backend_region(t, b.endpoint),
                        verdict,
                        decided,
                        down: w.endpoint_down(t, b.endpoint),
                        role: BackendRole::Unused,
                    }
                })
                .collect();
            assign_roles(&mut rows);
            Fanout {
                gateway: gw.id.clone(),
                port,
                rows,
            }
        })
        .collect()
}

/// Serving: the best priority group with a usable backend; failover: the next such group.
fn assign_roles(rows: &mut [BackendRow]) {
    let usable = |r: &BackendRow| !r.down && r.verdict == Some(crate::model::Verdict::Allow);
    let mut prios: Vec<u32> = rows
        .iter()
        .filter(|r| usable(r))
        .map(|r| r.priority)
        .collect();
    prios.sort_unstable();
    prios.dedup();
    for r in rows.iter_mut() {
        r.role = if !usable(r) {
            BackendRole::Unused
        } else if Some(&r.priority) == prios.first() {
            BackendRole::Serving
        } else if Some(&r.priority) == prios.get(1) {
            BackendRole::Failover
        } else {
            BackendRole::Standby
        };
    }
}
