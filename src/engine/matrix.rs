//! The reachability matrix: for every pair of zones, subnets or endpoints, what a flow on one
//! port gets, counted over every pair of endpoints.
//!
//! Owns: rows and columns, counting verdicts per cell, and the exact ports per cell. Endpoints
//! that no rule can tell apart ([`exact::groups`]) get the same verdict, so one flow per pair of
//! groups decides for all their members (3,140 groups for 40,660 endpoints on `gen --size L`).
//! On TCP and UDP it is answered by the exact engine ([`exact::Engine`], what-if included), on
//! other protocols by a real trace. [`matrix_traced`] traces every pair of endpoints instead:
//! the reference the tests compare with. Must never: print.

use std::collections::HashMap;

use serde::Serialize;

use crate::engine::policy::Party;
use crate::engine::reach::{self as exact, Engine, Group, Target, src_party};
use crate::engine::trace::{Query, WhatIf, trace};
use crate::model::rules::{PortSet, Protocol};
use crate::model::{EpIx, Kind, Topology, Verdict};

/// Why a matrix was refused (exit 2 on the command line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MatrixError {
    /// What kind of refusal: a stable code, as the loader's.
    pub code: MatrixErrorCode,
    pub message: String,
}

/// The kinds of refused matrix, each with a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MatrixErrorCode {
    /// More cells or traces than a matrix holds or runs.
    TooLarge,
}

impl MatrixErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            MatrixErrorCode::TooLarge => "zonescope::matrix-too-large",
        }
    }
}

impl MatrixError {
    fn too_large(message: String) -> Self {
        MatrixError {
            code: MatrixErrorCode::TooLarge,
            message,
        }
    }
}

/// How to group the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Zone,
    Subnet,
    Endpoint,
}

/// One cell: the flows from row to column and how many were allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub from: String,
    pub to: String,
    pub allowed: u64,
    pub denied: u64,
    pub no_route: u64,
    /// `allow` (all flows), `deny` (none), `partial`, `no_route`, or `-` (no flows).
    pub summary: String,
    /// An example flow that is allowed, and one that is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_allowed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_blocked: Option<String>,
    /// Every TCP port on which some endpoint of the row reaches some endpoint of the column
    /// (exact, all 65,536 ports, under the what-if).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_ports: Option<String>,
    /// The same for UDP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub udp_ports: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matrix {
    pub by: By,
    pub port: u16,
    pub protocol: Protocol,
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// Row-major: `cells[r * columns.len() + c]`.
    pub cells: Vec<Cell>,
    /// What a what-if switched off (as given to `--disable`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disabled: Vec<String>,
}

/// The most cells one matrix may have (rows × columns).
pub const MAX_CELLS: usize = 1_000_000;

/// The most traces one matrix may run (on a protocol other than TCP and UDP, or in
/// [`matrix_traced`]).
pub const MAX_TRACES: usize = 2_000_000;

/// The endpoints a matrix row holds: not private endpoints; in a subnet, or internet/on-prem.
pub fn sources(t: &Topology) -> Vec<EpIx> {
    (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| is_source(t, *e))
        .collect()
}

fn is_source(t: &Topology, e: EpIx) -> bool {
    let ep = t.endpoint(e);
    ep.kind != Kind::PrivateEndpoint
        && (ep.subnet.is_some() || matches!(ep.kind, Kind::Internet | Kind::Onprem))
}

/// The endpoints a matrix column holds: every endpoint but private endpoints.
pub fn destinations(t: &Topology) -> Vec<EpIx> {
    (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| is_destination(t, *e))
        .collect()
}

fn is_destination(t: &Topology, e: EpIx) -> bool {
    t.endpoint(e).kind != Kind::PrivateEndpoint
}

/// The row or column an endpoint falls in.
pub fn label(t: &Topology, by: By, e: EpIx) -> String {
    let ep = t.endpoint(e);
    match by {
        By::Zone => ep
            .zone
            .map_or_else(|| "(no zone)".to_string(), |z| t.zone(z).id.clone()),
        By::Subnet => ep
            .subnet
            .map_or_else(|| format!("({})", ep.kind), |s| t.subnet(s).id.clone()),
        By::Endpoint => ep.id.clone(),
    }
}

/// Rows and columns (in endpoint order) and where each endpoint falls.
struct Axes {
    rows: Vec<String>,
    columns: Vec<String>,
    /// Per endpoint: its row when it is a source.
    row_of: Vec<Option<usize>>,
    /// Per endpoint: its column when it is a destination.
    col_of: Vec<Option<usize>>,
}

fn axes(t: &Topology, by: By) -> Result<Axes, MatrixError> {
    let mut rows = Vec::new();
    let mut columns = Vec::new();
    let mut row_at: HashMap<String, usize> = HashMap::new();
    let mut col_at: HashMap<String, usize> = HashMap::new();
    let n = t.endpoints().len();
    let mut row_of = vec![None; n];
    let mut col_of = vec![None; n];
    for i in 0..n {
        let e = EpIx(i as u32);
        let (src, dst) = (is_source(t, e), is_destination(t, e));
        if !src && !dst {
            continue;
        }
        let name = label(t, by, e);
        if src {
            let next = rows.len();
            let r = *row_at.entry(name.clone()).or_insert(next);
            if r == next {
                rows.push(name.clone());
            }
            row_of[i] = Some(r);
        }
        if dst {
            let next = columns.len();
            let c = *col_at.entry(name.clone()).or_insert(next);
            if c == next {
                columns.push(name);
            }
            col_of[i] = Some(c);
        }
    }
    let cells = rows.len() * columns.len();
    if cells > MAX_CELLS {
        return Err(MatrixError::too_large(format!(
            "{} rows × {} columns is {cells} cells, more than the {MAX_CELLS} a matrix holds: group by {}",
            rows.len(),
            columns.len(),
            match by {
                By::Endpoint => "subnet or zone",
                _ => "zone",
            }
        )));
    }
    Ok(Axes {
        rows,
        columns,
        row_of,
        col_of,
    })
}

/// The members of a group that fall in one row (or column), in endpoint order.
type Bucket = (usize, Vec<EpIx>);

/// A group's members by row (as sources) and by column (as destinations).
struct Placed<'g> {
    group: &'g Group,
    as_src: Vec<Bucket>,
    as_dst: Vec<Bucket>,
}

fn place<'g>(gs: &'g [Group], ax: &Axes) -> Vec<Placed<'g>> {
    let bucket = |members: &[EpIx], at: &[Option<usize>]| {
        let mut out: Vec<Bucket> = Vec::new();
        for e in members {
            if let Some(k) = at[e.index()] {
                match out.iter_mut().find(|(x, _)| *x == k) {
                    Some((_, v)) => v.push(*e),
                    None => out.push((k, vec![*e])),
                }
            }
        }
        out
    };
    gs.iter()
        .map(|g| Placed {
            group: g,
            as_src: bucket(&g.members, &ax.row_of),
            as_dst: bucket(&g.members, &ax.col_of),
        })
        .collect()
}

/// Verdict counts, examples and exact ports per cell, for one share of the source groups.
struct Tally {
    /// Per cell: allowed, denied, no route.
    counts: Vec<[u64; 3]>,
    /// Per cell: the first allowed and the first blocked pair (in endpoint order).
    examples: Vec<[Option<(EpIx, EpIx)>; 2]>,
    /// Per cell some pair reaches on some port: every TCP and UDP port.
    ports: Vec<Option<Box<(PortSet, PortSet)>>>,
}

impl Tally {
    fn new(cells: usize) -> Tally {
        Tally {
            counts: vec![[0; 3]; cells],
            examples: vec![[None; 2]; cells],
            ports: vec![None; cells],
        }
    }

    fn merge(&mut self, o: Tally) {
        for (a, b) in self.counts.iter_mut().zip(o.counts) {
            for k in 0..3 {
                a[k] += b[k];
            }
        }
        for (a, b) in self.examples.iter_mut().zip(o.examples) {
            for k in 0..2 {
                a[k] = match (a[k], b[k]) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
            }
        }
        for (k, p) in o.ports.into_iter().enumerate() {
            if let Some(p) = p {
                self.add_ports(k, &p.0, &p.1);
            }
        }
    }

    fn add_ports(&mut self, cell: usize, tcp: &PortSet, udp: &PortSet) {
        let e =
            self.ports[cell].get_or_insert_with(|| Box::new((PortSet::empty(), PortSet::empty())));
        // Most pairs of a cell add nothing new: no new set then.
        if !tcp.is_subset(&e.0) {
            e.0 = e.0.union(tcp);
        }
        if !udp.is_subset(&e.1) {
            e.1 = e.1.union(udp);
        }
    }
}

/// What one pair of groups gets.
struct Outcome {
    verdict: Verdict,
    /// Every TCP and UDP port the pair reaches on (when the exact ports are wanted).
    ports: Option<(PortSet, PortSet)>,
}

/// The pair that stands for a pair of groups: the representatives, or two members of one group
/// (the source is the representative either way: it is a group's first member).
fn stand_ins(s: &Group, d: &Group) -> Option<(EpIx, EpIx)> {
    if s.rep == d.rep {
        Some((s.members[0], *s.members.get(1)?))
    } else {
        Some((s.rep, d.rep))
    }
}

/// Count one pair of groups into every cell its members fall in.
fn count(tally: &mut Tally, cols: usize, s: &Placed, d: &Placed, out: &Outcome) {
    let same = s.group.rep == d.group.rep;
    let k = match out.verdict {
        Verdict::Allow => 0,
        Verdict::Deny => 1,
        Verdict::NoRoute => 2,
    };
    for (r, srcs) in &s.as_src {
        for (c, dsts) in &d.as_dst {
            let both = if same {
                srcs.iter().filter(|e| dsts.contains(e)).count()
            } else {
                0
            };
            let pairs = (srcs.len() * dsts.len() - both) as u64;
            if pairs == 0 {
                continue;
            }
            let cell = r * cols + c;
            tally.counts[cell][k] += pairs;
            let first = srcs
                .iter()
                .find_map(|a| dsts.iter().find(|b| *b != a).map(|b| (*a, *b)));
            let slot = &mut tally.examples[cell][usize::from(k != 0)];
            if let Some(p) = first
                && slot.is_none_or(|q| p < q)
            {
                *slot = Some(p);
            }
            if let Some((tcp, udp)) = &out.ports
                && !(tcp.is_empty() && udp.is_empty())
            {
                tally.add_ports(cell, tcp, udp);
            }
        }
    }
}

/// Source groups per tile of the matrix's pairs (see [`compute`]).
const SRC_TILE: usize = 64;
/// Destination groups per tile of the matrix's pairs.
const DST_TILE: usize = 128;

/// Compute the matrix: every pair of a source and another destination, counted per cell, with
/// the exact TCP and UDP ports of each cell. Errors when it would have more than [`MAX_CELLS`]
/// cells, or need more than [`MAX_TRACES`] traces (on a protocol other than TCP and UDP).
pub fn matrix(
    t: &Topology,
    by: By,
    port: u16,
    protocol: Protocol,
    w: &WhatIf,
) -> Result<Matrix, MatrixError> {
    compute(t, by, port, protocol, w, true)
}

/// [`matrix`] without the exact ports (`tcp_ports`/`udp_ports` stay `None`): only the asked
/// transport is evaluated, which is what the explorer shows.
pub fn matrix_verdicts(
    t: &Topology,
    by: By,
    port: u16,
    protocol: Protocol,
    w: &WhatIf,
) -> Result<Matrix, MatrixError> {
    compute(t, by, port, protocol, w, false)
}

fn compute(
    t: &Topology,
    by: By,
    port: u16,
    protocol: Protocol,
    w: &WhatIf,
    exact_ports: bool,
) -> Result<Matrix, MatrixError> {
    let ax = axes(t, by)?;
    let gs = exact::groups_apart(t, &w.endpoints);
    let placed = place(&gs, &ax);
    let srcs: Vec<&Placed> = placed.iter().filter(|p| !p.as_src.is_empty()).collect();
    let dsts: Vec<&Placed> = placed.iter().filter(|p| !p.as_dst.is_empty()).collect();
    let engine_verdicts = matches!(protocol, Protocol::Tcp | Protocol::Udp);
    let pairs = srcs.len() * dsts.len();
    if !engine_verdicts && pairs > MAX_TRACES {
        return Err(MatrixError::too_large(format!(
            "{} × {} groups of alike endpoints is {pairs} traces, more than the {MAX_TRACES} a matrix runs {}: use --protocol tcp or udp, or trace the flows you care about",
            srcs.len(),
            dsts.len(),
            "on a protocol other than tcp and udp"
        )));
    }
    let cols = ax.columns.len();
    let cells = ax.rows.len() * cols;
    // One share of the source groups per thread, each with its own engine (and caches).
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8)
        .min(srcs.len().max(1));
    let work = |share: usize| {
        let eng = Engine::with_whatif(t, w);
        let mut tally = Tally::new(cells);
        let mut judge = |s: &Placed, party: &Party, d: &Placed| {
            let Some((a, b)) = stand_ins(s.group, d.group) else {
                return;
            };
            let target = Target::Ep(b);
            // Both transports when the exact ports are wanted, else only the asked one.
            let reach = |only| eng.reach_routed(party, &target, only);
            let (verdict, ports) = if engine_verdicts {
                let (r, routed) = reach((!exact_ports).then_some(protocol));
                let set = if protocol == Protocol::Udp {
                    &r.udp
                } else {
                    &r.tcp
                };
                let verdict = match (routed, set.contains(port)) {
                    (false, _) => Verdict::NoRoute,
                    (true, true) => Verdict::Allow,
                    (true, false) => Verdict::Deny,
                };
                (verdict, exact_ports.then_some((r.tcp, r.udp)))
            } else {
                let q = Query::new(&t.endpoint(a).id, &t.endpoint(b).id, Some(port), protocol);
                let Ok(tr) = trace(t, &q, w) else { return };
                let ports = exact_ports.then(|| {
                    let (r, _) = reach(None);
                    (r.tcp, r.udp)
                });
                (tr.verdict, ports)
            };
            let out = Outcome { verdict, ports };
            count(&mut tally, cols, s, d, &out);
        };
        let mine: Vec<(&Placed, Party)> = srcs
            .iter()
            .skip(share)
            .step_by(threads)
            .map(|s| (*s, src_party(t, s.group.rep)))
            .collect();
        // In tiles of sources × destinations: the records and rule sets of a tile's ends stay
        // in the cache while its pairs are judged (the order of the pairs changes no cell:
        // counts add up, an example is the least pair, ports a union).
        for tile in mine.chunks(SRC_TILE) {
            for block in dsts.chunks(DST_TILE) {
                for (s, party) in tile {
                    for d in block {
                        judge(s, party, d);
                    }
                }
            }
        }
        tally
    };
    let mut tally = if threads == 1 {
        work(0)
    } else {
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads).map(|i| sc.spawn(move || work(i))).collect();
            let mut all = Tally::new(cells);
            for h in handles {
                // A share that panicked is a bug: let it show.
                all.merge(h.join().expect("a matrix share finishes"));
            }
            all
        })
    };
    let flow = |p: Option<(EpIx, EpIx)>| {
        p.map(|(a, b)| format!("{} -> {}:{port}", t.endpoint(a).id, t.endpoint(b).id))
    };
    let mut out = Vec::with_capacity(cells);
    for (k, (counts, examples)) in tally.counts.iter().zip(&tally.examples).enumerate() {
        let ports = tally.ports[k].take().map(|p| *p);
        let mut cell = blank(&ax.rows[k / cols], &ax.columns[k % cols]);
        cell.allowed = counts[0];
        cell.denied = counts[1];
        cell.no_route = counts[2];
        cell.example_allowed = flow(examples[0]);
        cell.example_blocked = flow(examples[1]);
        if exact_ports {
            let (tcp, udp) = ports.unwrap_or_else(|| (PortSet::empty(), PortSet::empty()));
            cell.tcp_ports = Some(tcp.to_string());
            cell.udp_ports = Some(udp.to_string());
        }
        summarize(&mut cell);
        out.push(cell);
    }
    Ok(Matrix {
        by,
        port,
        protocol,
        rows: ax.rows,
        columns: ax.columns,
        cells: out,
        disabled: Vec::new(),
    })
}

fn blank(from: &str, to: &str) -> Cell {
    Cell {
        from: from.to_string(),
        to: to.to_string(),
        allowed: 0,
        denied: 0,
        no_route: 0,
        summary: "-".to_string(),
        example_allowed: None,
        example_blocked: None,
        tcp_ports: None,
        udp_ports: None,
    }
}

fn summarize(cell: &mut Cell) {
    let n = cell.allowed + cell.denied + cell.no_route;
    cell.summary = if n == 0 {
        "-"
    } else if cell.allowed == n {
        "allow"
    } else if cell.allowed > 0 {
        "partial"
    } else if cell.no_route == n {
        "no_route"
    } else {
        "deny"
    }
    .to_string();
}

/// The matrix by brute force: one real trace per pair of endpoints (no exact ports). The
/// reference [`matrix`] is tested against; errors above [`MAX_TRACES`] traces.
pub fn matrix_traced(
    t: &Topology,
    by: By,
    port: u16,
    protocol: Protocol,
    w: &WhatIf,
) -> Result<Matrix, MatrixError> {
    let ax = axes(t, by)?;
    let srcs = sources(t);
    let dsts = destinations(t);
    let total = srcs.len() * dsts.len();
    if total > MAX_TRACES {
        return Err(MatrixError::too_large(format!(
            "{} sources × {} destinations is {total} traces, more than the {MAX_TRACES} a traced matrix runs",
            srcs.len(),
            dsts.len()
        )));
    }
    let cols = ax.columns.len();
    let mut cells: Vec<Cell> = Vec::with_capacity(ax.rows.len() * cols);
    for r in &ax.rows {
        for c in &ax.columns {
            cells.push(blank(r, c));
        }
    }
    for s in &srcs {
        let Some(ri) = ax.row_of[s.index()] else {
            continue;
        };
        for d in &dsts {
            if s == d {
                continue;
            }
            let Some(ci) = ax.col_of[d.index()] else {
                continue;
            };
            let q = Query::new(&t.endpoint(*s).id, &t.endpoint(*d).id, Some(port), protocol);
            let Ok(tr) = trace(t, &q, w) else { continue };
            let cell = &mut cells[ri * cols + ci];
            let flow = format!("{} -> {}:{port}", q.from, q.to);
            match tr.verdict {
                Verdict::Allow => {
                    cell.allowed += 1;
                    cell.example_allowed.get_or_insert(flow);
                }
                Verdict::Deny => {
                    cell.denied += 1;
                    cell.example_blocked.get_or_insert(flow);
                }
                Verdict::NoRoute => {
                    cell.no_route += 1;
                    cell.example_blocked.get_or_insert(flow);
                }
            }
        }
    }
    for cell in &mut cells {
        summarize(cell);
    }
    Ok(Matrix {
        by,
        port,
        protocol,
        rows: ax.rows,
        columns: ax.columns,
        cells,
        disabled: Vec::new(),
    })
}
