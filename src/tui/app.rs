//! The explorer's state: the loaded topology, what is selected, the flow being traced and its
//! trace, the what-if, the open mode, and everything precomputed for drawing (tree rows, map
//! blocks, finder items, rule rows) so that a frame costs the same whatever the topology's size,
//! and the flow report of `--flows` (observed traffic) with its rows and its map block.
//!
//! Owns: [`App`] and its derived data, recomputed only when the input changes. Must never: do
//! I/O, touch the terminal, or panic on any state reachable through `update`.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::engine::check::{self, ExpectationResult, Finding};
use crate::engine::flows::FlowReport;
use crate::engine::matrix::{By, Matrix, matrix_verdicts};
use crate::engine::trace::{Query, Trace, TraceError, WhatIf};
use crate::model::rules::{Protocol, RuleSet};
use crate::model::{EntityRef, LoadError, NetIx, Topology};
use crate::report::plural;

use super::layout::Areas;
use super::theme::Theme;

use super::derive::{build_finder, build_map, build_tree, seg, width_of};
pub use super::derive::{compute_fanout, row_id, row_key, star_order};

/// The built-in demo topology.
pub const DEMO: &str = include_str!("../../samples/azure-hub-spoke.yaml");
pub const DEMO_NAME: &str = "demo:azure-hub-spoke.yaml";

/// Where the topology came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Demo,
    File(PathBuf),
}

/// The interaction mode: exactly one at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Finder(FinderState),
    /// The port editor, with what is typed and its validation error.
    Port(PortState),
    /// Help, with its scroll offset.
    Help(u16),
    Matrix(MatrixState),
    /// The observed flows of `--flows`, with the selected row.
    Flows(FlowsState),
    /// One finding in full: message, subject, location, fix and evidence.
    Finding(FindingState),
}

/// How the screen is arranged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Standard,
    /// Big verdict, high contrast, secondary panes hidden.
    Presentation,
}

/// The panes that can have the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    Map,
    Trace,
    Rules,
    Findings,
}

impl Pane {
    pub const ORDER: [Pane; 5] = [
        Pane::Tree,
        Pane::Map,
        Pane::Trace,
        Pane::Rules,
        Pane::Findings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Tree => "Explorer",
            Pane::Map => "Map",
            Pane::Trace => "Trace",
            Pane::Rules => "Rule sets",
            Pane::Findings => "Findings",
        }
    }
}

/// What the map and the tree emphasise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlight {
    /// The traced path only.
    Path,
    /// Hubs, spokes and transit firewalls.
    HubSpoke,
    /// Gateways' backends across regions, with verdicts and failover.
    MultiRegion,
}

/// Something the event loop must do after `update` (the only way `update` asks for I/O).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Reload,
    /// Compute the zone matrix (seconds on a large design): the loop draws "computing" first,
    /// then runs [`App::settle`].
    Matrix,
}

/// The finder: what is typed, the matches (best first), the selected match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FinderState {
    pub query: String,
    /// Every item matching `query` (a longer query only narrows it: fuzzy matching is a
    /// subsequence test), so each keystroke scans fewer items.
    pub pool: Option<Vec<usize>>,
    /// (index into `App::finder_items`, matched char positions in its text)
    pub matches: Vec<(usize, Vec<usize>)>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortState {
    pub input: String,
    pub error: Option<String>,
    /// Return to the matrix after applying.
    pub for_matrix: bool,
    /// The old value is selected (on entry): typing replaces it, Backspace clears it.
    pub selected: bool,
}

/// The finding detail overlay: which finding of [`App::findings`], and the scroll offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FindingState {
    pub index: usize,
    pub scroll: u16,
}

/// What the trace pane shows above a trace opened from a finding or an expectation: its text,
/// for the flow it was opened with (shown only while that flow is the one traced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceNote {
    pub text: String,
    pub error: bool,
    pub flow: (String, String, Option<u16>, Protocol),
}

/// The observed flows overlay: the selected row of [`App::flow_row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlowsState {
    pub sel: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixState {
    pub row: usize,
    pub col: usize,
}

pub use super::rows::{
    BackendRole, BackendRow, Fanout, FinderItem, FlowRow, MapBlock, RowKind, RuleRow, Seg,
    SegClass, Target, TreeRow,
};

/// The explorer.
#[derive(Debug)]
pub struct App {
    pub topo: Topology,
    pub origin: Origin,
    pub theme: Theme,
    pub mode: Mode,
    pub screen: Screen,
    pub focus: Pane,
    pub highlight: Highlight,
    pub size: (u16, u16),
    pub should_quit: bool,
    pub effect: Option<Effect>,

    pub from: Option<String>,
    pub to: Option<String>,
    pub port: Option<u16>,
    pub protocol: Protocol,
    pub trace: Option<Result<Trace, TraceError>>,
    /// Ids on the traced path (with its backends'), for the map and the tree.
    pub on_path: HashSet<String>,

    /// What-if: the specs given to `WhatIf::disable`, with what each disabled.
    pub disabled: Vec<(String, String)>,
    pub whatif: WhatIf,
    /// The design before "apply fix as what-if" (`f`); `W` and a reload go back to it.
    pub fix_base: Option<Topology>,

    pub tree_all: Vec<TreeRow>,
    pub collapsed: HashSet<String>,
    /// Indices into `tree_all` of the rows shown.
    pub tree: Vec<usize>,
    pub tree_sel: usize,

    pub map: Vec<MapBlock>,
    pub map_scroll: u16,
    pub trace_scroll: u16,
    /// The trace pane as last drawn: (wrapped rows, visible rows), so scrolling stops at the end.
    pub trace_view: std::cell::Cell<(u16, u16)>,
    /// The map's (content rows, visible rows) as last drawn: its scroll stops at the last
    /// screenful.
    pub map_view: std::cell::Cell<(u16, u16)>,
    /// The help screen's (content rows, visible rows) as last drawn.
    pub help_view: std::cell::Cell<(u16, u16)>,
    /// The finding detail's (rows, visible rows), as last drawn: to clamp its scroll.
    pub finding_view: std::cell::Cell<(u16, u16)>,
    /// The finding or expectation whose flow the trace pane shows (Enter on it).
    pub trace_note: Option<TraceNote>,
    /// The effective key bindings (the defaults with the user's `keys.toml`).
    pub keymap: super::keys_file::Keymap,

    pub finder_items: Vec<FinderItem>,
    pub rule_rows: Vec<RuleRow>,
    pub rules_sel: usize,

    pub findings: Vec<Finding>,
    pub expectations: Vec<ExpectationResult>,
    pub findings_sel: usize,
    /// The design review (`findings`) runs off the event loop's thread (a second on a large
    /// import): the loop reviews [`App::review_gen`] of the topology and answers with
    /// [`Action::Reviewed`](super::action::Action::Reviewed); `false`: [`App::rebuild`]
    /// reviews at once (tests, benches).
    pub review_later: bool,
    /// Whether the findings of the topology shown are still being computed.
    pub reviewing: bool,
    /// Counts the topologies reviewed (each rebuild): an answer for an older one is dropped.
    pub review_gen: u64,

    pub matrix: Option<Result<Matrix, String>>,
    pub fanout: Vec<Fanout>,

    pub status: Option<(String, bool)>,
    /// How many regions (counted once per load: the header shows it every frame).
    pub region_count: usize,
    /// The last failed reload (the topology shown is the last good one).
    pub load_error: Option<String>,

    /// The flow logs of `--flows` (read by the event loop at start and on each reload).
    pub flow_logs: Vec<String>,
    /// Their report against the design, or why they could not be read.
    pub flows: Option<Result<FlowReport, String>>,
}

impl App {
    /// An explorer on `topo`.
    pub fn new(topo: Topology, origin: Origin, theme: Theme) -> App {
        let mut app = App::new_with(topo, origin, theme, false);
        app.rebuild();
        app
    }

    /// The state before anything is derived from the topology.
    fn new_with(topo: Topology, origin: Origin, theme: Theme, review_later: bool) -> App {
        App {
            topo,
            origin,
            theme,
            mode: Mode::Normal,
            screen: Screen::Standard,
            focus: Pane::Tree,
            highlight: Highlight::Path,
            size: (120, 40),
            should_quit: false,
            effect: None,
            from: None,
            to: None,
            port: None,
            protocol: Protocol::Tcp,
            trace: None,
            on_path: HashSet::new(),
            disabled: Vec::new(),
            whatif: WhatIf::default(),
            fix_base: None,
            tree_all: Vec::new(),
            collapsed: HashSet::new(),
            tree: Vec::new(),
            tree_sel: 0,
            map: Vec::new(),
            map_scroll: 0,
            trace_scroll: 0,
            trace_view: std::cell::Cell::new((0, 0)),
            map_view: std::cell::Cell::new((0, 0)),
            help_view: std::cell::Cell::new((0, 0)),
            finding_view: std::cell::Cell::new((0, 0)),
            trace_note: None,
            keymap: super::keys_file::Keymap::default(),
            finder_items: Vec::new(),
            rule_rows: Vec::new(),
            rules_sel: 0,
            findings: Vec::new(),
            expectations: Vec::new(),
            findings_sel: 0,
            review_later,
            reviewing: false,
            review_gen: 0,
            matrix: None,
            fanout: Vec::new(),
            status: None,
            region_count: 0,
            load_error: None,
            flow_logs: Vec::new(),
            flows: None,
        }
    }

    /// An explorer on `topo` whose design review runs on a thread of the event loop's (see
    /// [`App::review_later`]): its first frame does not wait for it.
    pub fn opening(topo: Topology, origin: Origin, theme: Theme) -> App {
        let mut app = App::new_with(topo, origin, theme, true);
        app.rebuild();
        app
    }

    /// The demo explorer (the built-in sample).
    pub fn demo(theme: Theme) -> App {
        let t = crate::model::load_str(DEMO, DEMO_NAME).expect("the built-in demo loads");
        App::new(t, Origin::Demo, theme)
    }

    /// Recompute everything derived from the topology (after load or reload).
    pub fn rebuild(&mut self) {
        self.region_count = self.topo.regions().len();
        self.tree_all = build_tree(&self.topo);
        if self.collapsed.is_empty() && self.tree_all.len() > 400 {
            // Large designs open with networks folded: regions and networks fit on a screen.
            for r in &self.tree_all {
                if matches!(r.kind, RowKind::Network(_) | RowKind::Zone(_)) {
                    self.collapsed.insert(row_key(&self.topo, &r.kind));
                }
            }
        }
        self.refresh_tree();
        self.paint_map();
        self.finder_items = build_finder(&self.topo);
        self.review_gen += 1;
        if self.review_later {
            self.findings.clear();
            self.reviewing = true;
        } else {
            self.findings = check::findings(&self.topo);
            self.reviewing = false;
        }
        // Rebuild the what-if against the new topology: drop what no longer exists.
        let specs: Vec<String> = self.disabled.iter().map(|(s, _)| s.clone()).collect();
        self.disabled.clear();
        self.whatif = WhatIf::default();
        for s in specs {
            if let Ok(label) = self.whatif.disable(&self.topo, &s) {
                self.disabled.push((s, label));
            }
        }
        self.recompute();
    }

    /// Recompute every verdict on screen (after a trace request, a what-if or a reload).
    pub fn recompute(&mut self) {
        self.expectations = check::expectations(&self.topo, &self.whatif);
        self.trace = self
            .query()
            .map(|q| crate::engine::trace::fix::trace_with_fixes(&self.topo, &q, &self.whatif));
        self.on_path.clear();
        if let Some(Ok(tr)) = &self.trace {
            self.on_path.extend(tr.path.iter().cloned());
            for b in &tr.backends {
                self.on_path.extend(b.path.iter().cloned());
            }
        }
        if self.matrix.is_some() {
            self.effect = Some(Effect::Matrix);
        }
        if self.highlight == Highlight::MultiRegion {
            self.fanout = compute_fanout(&self.topo, &self.whatif);
        }
        self.refresh_rules();
    }

    /// Do the work an [`Effect`] asks for that needs no I/O (the matrix); the event loop calls
    /// this after drawing, so a long computation is announced on screen before it starts.
    pub fn settle(&mut self) {
        if self.effect == Some(Effect::Matrix) {
            self.effect = None;
            self.matrix = Some(self.compute_matrix());
        }
    }

    /// Whether the matrix is being computed (asked for, not yet settled).
    pub fn matrix_pending(&self) -> bool {
        self.effect == Some(Effect::Matrix)
    }

    pub fn compute_matrix(&self) -> Result<Matrix, String> {
        let port = self.port.unwrap_or(443);
        let proto = if self.protocol == Protocol::Any {
            Protocol::Tcp
        } else {
            self.protocol
        };
        matrix_verdicts(&self.topo, By::Zone, port, proto, &self.whatif).map_err(|e| e.message)
    }

    /// The flow to trace, when both ends are set.
    pub fn query(&self) -> Option<Query> {
        Some(Query::new(
            self.from.as_deref()?,
            self.to.as_deref()?,
            self.port,
            self.protocol,
        ))
    }

    /// Re-derive the visible tree rows from the collapsed set, keeping the selection on the
    /// same row when it is still shown.
    pub fn refresh_tree(&mut self) {
        let current = self.tree.get(self.tree_sel).copied();
        self.tree.clear();
        let mut skip_until_depth: Option<u8> = None;
        for (i, r) in self.tree_all.iter().enumerate() {
            if let Some(d) = skip_until_depth {
                if r.depth > d {
                    continue;
                }
                skip_until_depth = None;
            }
            self.tree.push(i);
            if r.children > 0 && self.collapsed.contains(&row_key(&self.topo, &r.kind)) {
                skip_until_depth = Some(r.depth);
            }
        }
        self.tree_sel = current
            .and_then(|c| self.tree.iter().position(|&i| i == c))
            .unwrap_or(self.tree_sel)
            .min(self.tree.len().saturating_sub(1));
    }

    /// The selected tree row.
    pub fn selected_row(&self) -> Option<&TreeRow> {
        self.tree
            .get(self.tree_sel)
            .and_then(|&i| self.tree_all.get(i))
    }

    /// The id (trace selector) of the selected tree row.
    pub fn selected_id(&self) -> Option<String> {
        match &self.selected_row()?.kind {
            RowKind::Network(n) => Some(self.topo.network(*n).id.clone()),
            RowKind::Subnet(s) => Some(self.topo.subnet(*s).id.clone()),
            RowKind::Endpoint(e) => Some(self.topo.endpoint(*e).id.clone()),
            RowKind::Region(r) => Some(r.clone()),
            RowKind::Zone(z) => Some(self.topo.zone(*z).id.clone()),
            RowKind::Services => None,
        }
    }

    /// Select the tree row of an entity, unfolding its parents.
    pub fn reveal(&mut self, id: &str) {
        let Some(pos) = self
            .tree_all
            .iter()
            .position(|r| row_id(&self.topo, &r.kind) == Some(id))
        else {
            return;
        };
        // Unfold every ancestor.
        let mut depth = self.tree_all[pos].depth;
        for i in (0..pos).rev() {
            let r = &self.tree_all[i];
            if r.depth < depth {
                let key = row_key(&self.topo, &r.kind);
                self.collapsed.remove(&key);
                depth = r.depth;
            }
        }
        self.refresh_tree();
        if let Some(v) = self.tree.iter().position(|&i| i == pos) {
            self.tree_sel = v;
        }
    }

    /// The rule sets pane: the sets the trace crossed, else the selected item's, else all.
    pub fn refresh_rules(&mut self) {
        let t = &self.topo;
        let mut sets: Vec<Option<usize>> = Vec::new();
        let find_set = |id: &str| -> Option<Option<usize>> {
            if id == "policies" {
                return t.zone_policy().map(|_| None);
            }
            match t.find(id) {
                Some(EntityRef::RuleSet(r)) => Some(Some(r.index())),
                _ => None,
            }
        };
        if let Some(Ok(tr)) = &self.trace {
            for c in &tr.checks {
                if let Some(s) = find_set(&c.rule_set)
                    && !sets.contains(&s)
                {
                    sets.push(s);
                }
            }
        }
        if sets.is_empty()
            && let Some(row) = self.selected_row()
        {
            let own = match row.kind {
                RowKind::Subnet(s) => t.subnet(s).rule_sets.clone(),
                RowKind::Endpoint(e) => {
                    let ep = t.endpoint(e);
                    let mut v = ep.rule_sets.clone();
                    if let Some(s) = ep.subnet {
                        v.extend(t.subnet(s).rule_sets.iter().copied());
                    }
                    v
                }
                _ => Vec::new(),
            };
            sets.extend(own.into_iter().map(|r| Some(r.index())));
        }
        if sets.is_empty() {
            sets.extend((0..t.rule_sets().len()).map(Some));
            if t.zone_policy().is_some() {
                sets.push(None);
            }
        }
        self.rule_rows.clear();
        for s in sets {
            self.rule_rows.push(RuleRow::Set(s));
            let n = self.rule_set(s).map_or(0, |rs| rs.rules.len());
            self.rule_rows.extend((0..n).map(|i| RuleRow::Rule(s, i)));
        }
        // Put the selection on the deciding rule.
        let decided = match &self.trace {
            Some(Ok(tr)) => tr.decided_by.clone(),
            _ => None,
        };
        self.rules_sel = decided
            .and_then(|d| {
                self.rule_rows.iter().position(|r| match r {
                    RuleRow::Rule(s, i) => self.rule_set(*s).is_some_and(|rs| {
                        rs.id == d.rule_set && rs.rules.get(*i).is_some_and(|x| x.id == d.rule)
                    }),
                    RuleRow::Set(_) => false,
                })
            })
            .unwrap_or(0);
    }

    /// A rule set by its row reference (`None`: the zone policy).
    pub fn rule_set(&self, s: Option<usize>) -> Option<&RuleSet> {
        match s {
            None => self.topo.zone_policy(),
            Some(i) => self.topo.rule_sets().get(i),
        }
    }

    /// Rows of the observed flows list.
    pub fn flow_rows(&self) -> usize {
        match &self.flows {
            Some(Ok(r)) => r.drift.len() + r.broken.len() + r.anomalies.len(),
            _ => 0,
        }
    }

    /// Row `i` of the observed flows list.
    pub fn flow_row(&self, i: usize) -> Option<FlowRow<'_>> {
        let Some(Ok(r)) = &self.flows else {
            return None;
        };
        let (d, b) = (r.drift.len(), r.broken.len());
        if i < d {
            r.drift.get(i).map(FlowRow::Drift)
        } else if i < d + b {
            r.broken.get(i - d).map(FlowRow::Broken)
        } else {
            r.anomalies.get(i - d - b).map(FlowRow::Anomaly)
        }
    }

    /// Take a flow report (or the reason there is none) and paint it on the map.
    pub fn apply_flows(&mut self, r: Result<FlowReport, String>) {
        self.status = Some(match &r {
            Ok(rep) => (
                format!(
                    "flow logs: {}, {} drift, {} broken, {} (o lists them)",
                    plural(rep.records, "record", "records"),
                    rep.counts.drift,
                    rep.counts.broken,
                    plural(rep.counts.anomalies, "anomaly", "anomalies")
                ),
                false,
            ),
            Err(e) => (format!("flow logs: {e}"), true),
        });
        self.flows = Some(r);
        self.paint_map();
        let last = self.flow_rows().saturating_sub(1);
        if let Mode::Flows(f) = &mut self.mode {
            f.sel = f.sel.min(last);
        }
    }

    /// Lay the map out again: the design, then the observed traffic of the flow report (its
    /// networks with drift or broken calls flagged ⚑, and a block of zone pairs).
    fn paint_map(&mut self) {
        self.map = build_map(&self.topo);
        let Some(Ok(r)) = &self.flows else {
            return;
        };
        // Drift and broken records by network (either end).
        let mut flagged: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for m in r.drift.iter().chain(&r.broken) {
            let mut nets: Vec<NetIx> = [m.src, m.dst]
                .into_iter()
                .filter_map(|ip| self.topo.lookup_ip(ip).network)
                .collect();
            nets.dedup();
            for n in nets {
                *flagged.entry(self.topo.network(n).id.clone()).or_default() += 1;
            }
        }
        for b in &mut self.map {
            for line in &mut b.lines {
                let at = line.iter().position(|sg| {
                    matches!(
                        sg.class,
                        SegClass::Hub | SegClass::Spoke | SegClass::Standalone
                    ) && sg.id.as_ref().is_some_and(|id| flagged.contains_key(id))
                });
                if let Some(i) = at
                    && let Some(n) = line[i].id.as_ref().and_then(|id| flagged.get(id))
                {
                    let mark = seg(format!(" ⚑{n}"), SegClass::FlowRejected, None);
                    line.insert(i + 1, mark);
                }
            }
            let (min, max) = if b.full { (12, 200) } else { (12, 30) };
            b.width = width_of(&b.lines, min, max);
        }
        self.map.extend(self.flow_block());
    }

    /// The map block of observed traffic: per zone pair (initiator → responder), the records
    /// the network accepted and rejected, and the drift and broken calls between them.
    fn flow_block(&self) -> Option<MapBlock> {
        let Some(Ok(r)) = &self.flows else {
            return None;
        };
        let mut lines: Vec<Vec<Seg>> = vec![
            vec![seg(
                format!(
                    "⇄ observed traffic, {}",
                    plural(r.records, "record", "records")
                ),
                SegClass::Note,
                None,
            )],
            vec![
                seg("  ✔ accepted", SegClass::FlowAccepted, None),
                seg("  ✘ rejected", SegClass::FlowRejected, None),
                seg("  ⚑ drift/broken", SegClass::FlowRejected, None),
            ],
        ];
        let zw = r
            .zone_pairs
            .iter()
            .map(|z| z.from.chars().count() + z.to.chars().count() + 3)
            .max()
            .unwrap_or(0);
        for z in &r.zone_pairs {
            let pair = format!("{} → {}", z.from, z.to);
            let mism = r
                .drift
                .iter()
                .chain(&r.broken)
                .filter(|m| {
                    let (f, t) = if m.reply {
                        (&m.dst_zone, &m.src_zone)
                    } else {
                        (&m.src_zone, &m.dst_zone)
                    };
                    *f == z.from && *t == z.to
                })
                .count();
            let class = |n: u64, c: SegClass| if n > 0 { c } else { SegClass::Note };
            let mut l = vec![
                seg("  ", SegClass::Note, None),
                seg(format!("{pair:<zw$}"), SegClass::Standalone, None),
                seg(
                    format!(" ✔{}", z.accepted),
                    class(z.accepted, SegClass::FlowAccepted),
                    None,
                ),
                seg(
                    format!(" ✘{}", z.rejected),
                    class(z.rejected, SegClass::FlowRejected),
                    None,
                ),
            ];
            if mism > 0 {
                l.push(seg(format!(" ⚑{mism}"), SegClass::FlowRejected, None));
            }
            lines.push(l);
        }
        Some(MapBlock {
            width: width_of(&lines, 12, 200),
            full: true,
            lines,
        })
    }

    /// The file name shown in the title and in errors.
    pub fn file_label(&self) -> String {
        match &self.origin {
            Origin::Demo => "built-in demo".to_string(),
            Origin::File(p) => p.display().to_string(),
        }
    }

    /// The screen areas for the current size (shared by drawing and mouse hit-testing).
    pub fn areas(&self) -> Areas {
        Areas::compute(self)
    }

    /// Take a reload result: the new topology, or keep the old one and show the error.
    /// The design review of topology `generation` (see [`App::review_gen`]).
    pub fn apply_review(&mut self, generation: u64, findings: Vec<Finding>) {
        if generation != self.review_gen || !self.reviewing {
            return;
        }
        // A selected expectation stays selected: the findings come before it in the list.
        if self.findings.is_empty() {
            self.findings_sel += findings.len();
        }
        self.findings = findings;
        self.reviewing = false;
    }

    pub fn apply_load(&mut self, r: Result<Topology, LoadError>) {
        match r {
            Ok(t) => {
                self.topo = t;
                self.fix_base = None;
                self.load_error = None;
                self.matrix = None;
                if matches!(self.mode, Mode::Matrix(_)) {
                    self.mode = Mode::Normal;
                }
                self.rebuild();
                self.status = Some(("reloaded".to_string(), false));
            }
            Err(e) => {
                self.load_error = Some(e.plain().trim_end().to_string());
                self.status = Some((
                    "reload failed: showing the last good topology".to_string(),
                    true,
                ));
            }
        }
    }
}
