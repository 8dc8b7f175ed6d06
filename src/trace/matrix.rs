//! The reachability matrix: for every pair of zones, subnets or endpoints, what a flow on one
//! port gets.
//!
//! Owns: grouping endpoints and counting verdicts per pair. Must never: print.

use serde::Serialize;

use super::{Query, WhatIf, trace};
use crate::policy::Protocol;
use crate::topology::{EpIx, Kind, Topology, Verdict};

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
    pub allowed: u32,
    pub denied: u32,
    pub no_route: u32,
    /// `allow` (all flows), `deny` (none), `partial`, `no_route`, or `-` (no flows).
    pub summary: String,
    /// An example flow that is allowed, and one that is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_allowed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_blocked: Option<String>,
    /// Every TCP port on which some endpoint of the row reaches some endpoint of the column
    /// (exact, all 65,536 ports; filled by `check::exact::fill_ports`).
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
}

/// The most traces one matrix may run.
pub const MAX_TRACES: usize = 2_000_000;

/// The endpoints a matrix row holds: not private endpoints; in a subnet, or internet/on-prem.
pub fn sources(t: &Topology) -> Vec<EpIx> {
    (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| {
            let ep = t.endpoint(*e);
            ep.kind != Kind::PrivateEndpoint
                && (ep.subnet.is_some() || matches!(ep.kind, Kind::Internet | Kind::Onprem))
        })
        .collect()
}

/// The endpoints a matrix column holds: every endpoint but private endpoints.
pub fn destinations(t: &Topology) -> Vec<EpIx> {
    (0..t.endpoints().len())
        .map(|i| EpIx(i as u32))
        .filter(|e| t.endpoint(*e).kind != Kind::PrivateEndpoint)
        .collect()
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

/// Compute the matrix. Errors when it would take more than [`MAX_TRACES`] traces.
pub fn matrix(
    t: &Topology,
    by: By,
    port: u16,
    protocol: Protocol,
    w: &WhatIf,
) -> Result<Matrix, String> {
    let srcs = sources(t);
    let dsts = destinations(t);
    let group = |e: EpIx| Some(label(t, by, e));
    let mut rows: Vec<String> = Vec::new();
    for e in &srcs {
        if let Some(g) = group(*e)
            && !rows.contains(&g)
        {
            rows.push(g);
        }
    }
    let mut columns: Vec<String> = Vec::new();
    for e in &dsts {
        if let Some(g) = group(*e)
            && !columns.contains(&g)
        {
            columns.push(g);
        }
    }
    let total = srcs.len() * dsts.len();
    if total > MAX_TRACES {
        return Err(format!(
            "{} sources × {} destinations is {total} traces, more than the {MAX_TRACES} a matrix runs: trace the flows you care about, or split the design",
            srcs.len(),
            dsts.len()
        ));
    }
    let mut cells: Vec<Cell> = Vec::with_capacity(rows.len() * columns.len());
    for r in &rows {
        for c in &columns {
            cells.push(Cell {
                from: r.clone(),
                to: c.clone(),
                allowed: 0,
                denied: 0,
                no_route: 0,
                summary: "-".to_string(),
                example_allowed: None,
                example_blocked: None,
                tcp_ports: None,
                udp_ports: None,
            });
        }
    }
    for s in &srcs {
        let Some(ri) = group(*s).and_then(|g| rows.iter().position(|x| *x == g)) else {
            continue;
        };
        for d in &dsts {
            if s == d {
                continue;
            }
            let Some(ci) = group(*d).and_then(|g| columns.iter().position(|x| *x == g)) else {
                continue;
            };
            let q = Query::new(&t.endpoint(*s).id, &t.endpoint(*d).id, Some(port), protocol);
            let Ok(tr) = trace(t, &q, w) else { continue };
            let cell = &mut cells[ri * columns.len() + ci];
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
        let n = cell.allowed + cell.denied + cell.no_route;
        cell.summary = if n == 0 {
            "-".to_string()
        } else if cell.allowed == n {
            "allow".to_string()
        } else if cell.allowed > 0 {
            "partial".to_string()
        } else if cell.no_route == n {
            "no_route".to_string()
        } else {
            "deny".to_string()
        };
    }
    Ok(Matrix {
        by,
        port,
        protocol,
        rows,
        columns,
        cells,
    })
}
