//! The rows and segments the explorer's panes draw, precomputed by `derive` and held by
//! [`super::app::App`]: tree rows, finder items, rule rows, map blocks and their segments,
//! observed-flow rows and a gateway's backend rows.
//!
//! Owns: the shapes of that derived data. Must never: compute it (that is `derive`), hold
//! state that changes between frames, or name the terminal.

use crate::engine::flows::report::{Anomaly, Mismatch};
use crate::model::{EntityRef, EpIx, NetIx, SubnetIx, ZoneIx};

/// One row of the observed flows list: drift first, then broken calls, then anomalies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowRow<'a> {
    /// Accepted, but the design denies it.
    Drift(&'a Mismatch),
    /// Rejected, but the design allows it.
    Broken(&'a Mismatch),
    Anomaly(&'a Anomaly),
}

/// One row of the explorer tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Region(String),
    Network(NetIx),
    Subnet(SubnetIx),
    Endpoint(EpIx),
    /// The "PaaS services" folder.
    Services,
    /// A zone folder under PaaS services.
    Zone(ZoneIx),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub kind: RowKind,
    pub depth: u8,
    /// Rows below it before the next row of the same or lower depth.
    pub children: usize,
}

/// What a finder item points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Entity(EntityRef),
    Rule(String, String),
    Region(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinderItem {
    /// `id  kind  detail`, as shown (match positions index its chars).
    pub text: String,
    pub id: String,
    pub target: Target,
}

/// A row of the rule sets pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRow {
    /// A rule set header: `None` is the zone policy.
    Set(Option<usize>),
    Rule(Option<usize>, usize),
}

/// A segment of a map line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub class: SegClass,
    /// The entity it draws (highlighted when on the path or disabled).
    pub id: Option<String>,
    /// A connector between two entities (highlighted when both are on the path).
    pub link: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegClass {
    Title,
    Hub,
    Spoke,
    Standalone,
    Firewall,
    Connector,
    Peering,
    PrivateLink,
    Backend,
    Service,
    Note,
    /// Observed traffic: records the network accepted.
    FlowAccepted,
    /// Observed traffic: records the network rejected.
    FlowRejected,
}

/// One region of the map: a hub-and-spoke star.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapBlock {
    pub width: u16,
    /// Takes a band of its own, the whole width (the links block).
    pub full: bool,
    pub lines: Vec<Vec<Seg>>,
}

/// A gateway's backend pool as seen with the current what-if.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fanout {
    pub gateway: String,
    pub port: u16,
    pub rows: Vec<BackendRow>,
}

/// What a backend does for its gateway now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendRole {
    /// Takes traffic now.
    Serving,
    /// Takes traffic when every serving backend is down.
    Failover,
    /// Further down the priority list.
    Standby,
    /// Disabled, or its flow is not allowed: never takes traffic.
    Unused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendRow {
    pub id: String,
    pub priority: u32,
    pub region: Option<String>,
    /// `None`: the flow could not be traced.
    pub verdict: Option<crate::model::Verdict>,
    pub decided: String,
    pub down: bool,
    pub role: BackendRole,
}
