//! The only place the explorer's state changes: `update(&mut App, Action)`.
//!
//! Owns: what every action means in every mode. Must never: do I/O (a reload is asked for
//! through `App::effect`), draw, or panic whatever the action sequence.

use std::fmt::Write as _;

use super::action::Action;
use super::app::{
    App, Effect, FinderState, FindingState, FlowRow, FlowsState, Highlight, MatrixState, Mode,
    Origin, Pane, PortState, RowKind, RuleRow, Screen, TraceNote, compute_fanout, row_key,
};
use super::layout::{findings_list_rows, list_offset};
use crate::engine::trace::{Query, WhatIf};
use crate::model::rules::Protocol;
use crate::model::{NetIx, Role};
use crate::report::plural;

/// Most matches the finder lists.
pub const MAX_MATCHES: usize = 200;

mod modes;
pub use modes::filter;
use modes::{finder, help, matrix, matrix_click, port};

/// Apply one action.
pub fn update(app: &mut App, action: Action) {
    // The "needs 80×24" screen shows none of the state: nothing but quitting, resizing and
    // reloading may change it unseen.
    if app.areas().too_small
        && !matches!(
            action,
            Action::Quit
                | Action::Resize(..)
                | Action::Loaded(_)
                | Action::FlowsLoaded(_)
                | Action::Reviewed(..)
        )
    {
        return;
    }
    match action {
        Action::Quit => app.should_quit = true,
        Action::Resize(w, h) => app.size = (w, h),
        Action::Loaded(r) => app.apply_load(*r),
        Action::FlowsLoaded(r) => app.apply_flows(*r),
        Action::Reviewed(generation, f) => app.apply_review(generation, *f),
        Action::Click(x, y) => click(app, x, y),
        Action::ScrollUp(x, y) => wheel(app, x, y, -3),
        Action::ScrollDown(x, y) => wheel(app, x, y, 3),
        other => {
            let mode = std::mem::replace(&mut app.mode, Mode::Normal);
            app.mode = match mode {
                Mode::Normal => {
                    normal(app, &other);
                    // `normal` may have opened a mode.
                    std::mem::replace(&mut app.mode, Mode::Normal)
                }
                Mode::Finder(f) => finder(app, f, &other),
                Mode::Port(p) => port(app, p, &other),
                Mode::Help(s) => help(app, s, &other),
                Mode::Matrix(m) => matrix(app, m, &other),
                Mode::Flows(f) => flows(app, f, &other),
                Mode::Finding(d) => finding(app, d, &other),
            };
        }
    }
}

/// `f`: the trace's first `rules` alternative applied to the design in memory, traced at once.
fn apply_fix(app: &mut App) {
    let changes = match &app.trace {
        Some(Ok(tr)) => tr.fixes.iter().find_map(|f| match f {
            crate::engine::trace::fix::Fix::Rules { changes } => Some(changes.clone()),
            _ => None,
        }),
        _ => None,
    };
    let Some(changes) = changes else {
        say(
            app,
            "no rule change to apply: the trace has no `rules` fix",
            true,
        );
        return;
    };
    let patched = crate::engine::trace::fix::apply(&app.topo, &changes);
    let base = std::mem::replace(&mut app.topo, patched);
    app.fix_base.get_or_insert(base);
    app.rebuild();
    app.recompute();
    let n = changes.len();
    say(
        app,
        format!(
            "what-if: {} applied in memory (nothing written); W undoes",
            plural(n, "suggested rule", "suggested rules")
        ),
        false,
    );
}

fn say(app: &mut App, msg: impl Into<String>, error: bool) {
    app.status = Some((msg.into(), error));
}

fn normal(app: &mut App, a: &Action) {
    match a {
        Action::Up => step(app, -1),
        Action::Down => step(app, 1),
        Action::PageUp => step(app, -page(app)),
        Action::PageDown => step(app, page(app)),
        Action::Home => step(app, i64::MIN / 2),
        Action::End => step(app, i64::MAX / 2),
        Action::Left if app.focus == Pane::Tree => fold(app, Some(true)),
        Action::Right if app.focus == Pane::Tree => fold(app, Some(false)),
        Action::Toggle if app.focus == Pane::Tree => fold(app, None),
        Action::FocusNext => cycle_focus(app, 1),
        Action::FocusPrev => cycle_focus(app, Pane::ORDER.len() - 1),
        Action::Confirm => confirm(app),
        Action::OpenFinder => {
            let mut f = FinderState::default();
            filter(app, &mut f);
            app.mode = Mode::Finder(f);
        }
        Action::SetSource | Action::SetDest => {
            let to = matches!(a, Action::SetDest);
            match selection_selector(app) {
                Ok(id) => set_end(app, id, to),
                Err(e) => say(app, e, true),
            }
        }
        Action::EditPort => app.mode = Mode::Port(port_state(app, false)),
        Action::Swap => {
            std::mem::swap(&mut app.from, &mut app.to);
            app.recompute();
            say(app, "swapped source and destination", false);
        }
        Action::ToggleHubSpoke => {
            if app.highlight == Highlight::HubSpoke {
                app.highlight = Highlight::Path;
                app.status = None;
            } else {
                app.highlight = Highlight::HubSpoke;
                let t = &app.topo;
                let hubs = t.networks().iter().filter(|n| n.role == Role::Hub).count();
                let spokes = t.networks().iter().filter(|n| n.hub.is_some()).count();
                let mut fws: Vec<_> = (0..t.networks().len())
                    .filter_map(|i| t.effective_egress(NetIx(i as u32)))
                    .collect();
                fws.sort_unstable();
                fws.dedup();
                let msg = format!(
                    "hub-and-spoke: {}, {}, {} (spoke-to-spoke and egress cross them)",
                    plural(hubs, "hub", "hubs"),
                    plural(spokes, "spoke", "spokes"),
                    plural(fws.len(), "transit firewall", "transit firewalls")
                );
                say(app, msg, false);
            }
        }
        Action::ToggleMultiRegion => {
            if app.highlight == Highlight::MultiRegion {
                app.highlight = Highlight::Path;
                app.status = None;
            } else {
                app.highlight = Highlight::MultiRegion;
                app.fanout = compute_fanout(&app.topo, &app.whatif);
                if app.fanout.is_empty() {
                    say(app, "no gateway with backends in this design", false);
                } else {
                    // The status line speaks of `m` now, not of an earlier `h`.
                    let g = app.fanout.len();
                    let b: usize = app.fanout.iter().map(|f| f.rows.len()).sum();
                    say(
                        app,
                        format!(
                            "multi-region: {} with {} across regions (the fan-out heads the trace pane)",
                            plural(g, "gateway", "gateways"),
                            plural(b, "backend", "backends")
                        ),
                        false,
                    );
                }
            }
        }
        Action::WhatIf => what_if(app),
        Action::ApplyFix => apply_fix(app),
        Action::ResetWhatIf => {
            app.disabled.clear();
            app.whatif = WhatIf::default();
            if let Some(base) = app.fix_base.take() {
                app.topo = base;
                app.rebuild();
            }
            app.recompute();
            say(app, "what-if reset: everything enabled", false);
        }
        Action::OpenMatrix => {
            app.effect = Some(Effect::Matrix);
            app.mode = Mode::Matrix(MatrixState { row: 0, col: 0 });
        }
        Action::OpenFlows => match &app.flows {
            Some(_) => app.mode = Mode::Flows(FlowsState::default()),
            None => say(
                app,
                "no flow logs: start with `zonescope explore FILE --flows LOG...`",
                false,
            ),
        },
        Action::Help => app.mode = Mode::Help(0),
        Action::Present => {
            app.screen = match app.screen {
                Screen::Standard => Screen::Presentation,
                Screen::Presentation => Screen::Standard,
            };
            app.theme.contrast = app.screen == Screen::Presentation;
        }
        Action::Reload => reload(app),
        Action::Cancel => {
            if app.screen == Screen::Presentation {
                app.screen = Screen::Standard;
                app.theme.contrast = false;
            } else {
                app.status = None;
            }
        }
        _ => {}
    }
}

fn reload(app: &mut App) {
    match app.origin {
        Origin::File(_) => app.effect = Some(Effect::Reload),
        Origin::Demo => say(app, "the built-in demo has no file to reload", false),
    }
}

/// The observed flows overlay.
fn flows(app: &mut App, mut f: FlowsState, a: &Action) -> Mode {
    let n = app.flow_rows();
    match a {
        Action::Up => f.sel = clamp_step(f.sel, -1, n),
        Action::Down => f.sel = clamp_step(f.sel, 1, n),
        Action::PageUp => f.sel = clamp_step(f.sel, -10, n),
        Action::PageDown => f.sel = clamp_step(f.sel, 10, n),
        Action::Home => f.sel = 0,
        Action::End => f.sel = n.saturating_sub(1),
        Action::Cancel | Action::OpenFlows => return Mode::Normal,
        Action::Reload => reload(app),
        Action::Confirm => match record_query(app, f.sel) {
            Some(q) => {
                app.from = Some(q.from);
                app.to = Some(q.to);
                app.port = q.port;
                app.protocol = q.protocol;
                app.trace_scroll = 0;
                app.recompute();
                // Show the source in the tree (the record names addresses; the path, ids).
                if let Some(first) = match &app.trace {
                    Some(Ok(t)) => t.path.first().cloned(),
                    _ => None,
                } {
                    app.reveal(&first);
                }
                app.focus = Pane::Trace;
                report_trace(app);
                return Mode::Normal;
            }
            None => say(app, "no flow record to trace", false),
        },
        _ => {}
    }
    Mode::Flows(f)
}

/// The flow the design was asked about for row `i` of the observed flows: a reply is judged
/// as its request (destination → source on the source port), and a private destination seen
/// from the internet is named by its endpoint (reached through its public IP), as `flows` does.
pub fn record_query(app: &App, i: usize) -> Option<Query> {
    let (src, dst, port, proto, reply) = match app.flow_row(i)? {
        FlowRow::Drift(m) | FlowRow::Broken(m) => (m.src, m.dst, m.port, &m.protocol, m.reply),
        FlowRow::Anomaly(x) => (
            x.src,
            x.dst,
            (x.protocol != "icmp").then_some(x.port),
            &x.protocol,
            false,
        ),
    };
    let (from, to) = if reply { (dst, src) } else { (src, dst) };
    let t = &app.topo;
    let to_name = match t.lookup_ip(to).endpoint {
        Some(e) if t.lookup_ip(from).network.is_none() => t.endpoint(e).id.clone(),
        _ => to.to_string(),
    };
    let protocol = match Protocol::parse(proto) {
        Some(Protocol::Any) | None => Protocol::Tcp,
        Some(p) => p,
    };
    Some(Query::new(&from.to_string(), &to_name, port, protocol))
}

/// Rows a page moves in the focused pane.
fn page(app: &App) -> i64 {
    let r = app.areas().of(app.focus);
    i64::from(r.height.saturating_sub(2)).max(1)
}

fn clamp_step(cur: usize, delta: i64, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let last = i64::try_from(len - 1).unwrap_or(i64::MAX);
    let v = i64::try_from(cur)
        .unwrap_or(i64::MAX)
        .saturating_add(delta)
        .clamp(0, last);
    usize::try_from(v).unwrap_or(0)
}

/// A scroll offset moved by `delta`, up to the last screenful of a pane as last drawn (`rows`
/// of text in `height` rows: never past it, so the pane is never blank); before the first draw
/// a generous bound.
fn scroll_step(cur: u16, delta: i64, (rows, height): (u16, u16)) -> u16 {
    let max = if rows == 0 {
        2000
    } else {
        rows.saturating_sub(height)
    };
    clamp_step(usize::from(cur.min(max)), delta, usize::from(max) + 1) as u16
}

/// Move the selection (or scroll) of the focused pane.
fn step(app: &mut App, delta: i64) {
    // Presentation mode shows the trace only: the keys scroll it.
    let pane = if app.screen == Screen::Presentation {
        Pane::Trace
    } else {
        app.focus
    };
    match pane {
        Pane::Tree => {
            app.tree_sel = clamp_step(app.tree_sel, delta, app.tree.len());
            if app.trace.is_none() {
                app.refresh_rules();
            }
        }
        Pane::Map => app.map_scroll = scroll_step(app.map_scroll, delta, app.map_view.get()),
        Pane::Trace => {
            app.trace_scroll = scroll_step(app.trace_scroll, delta, app.trace_view.get());
        }
        Pane::Rules => app.rules_sel = clamp_step(app.rules_sel, delta, app.rule_rows.len()),
        Pane::Findings => {
            let n = app.findings.len() + app.expectations.len();
            app.findings_sel = clamp_step(app.findings_sel, delta, n);
        }
    }
}

/// Fold (`Some(true)`), unfold (`Some(false)`) or toggle the selected tree row. Folding a
/// leaf goes to its parent.
fn fold(app: &mut App, fold: Option<bool>) {
    let Some(&i) = app.tree.get(app.tree_sel) else {
        return;
    };
    let row = &app.tree_all[i];
    let key = row_key(&app.topo, &row.kind);
    let folded = app.collapsed.contains(&key);
    if row.children == 0 || (fold == Some(true) && folded) {
        if fold == Some(true) {
            let depth = row.depth;
            if let Some(p) = (0..app.tree_sel)
                .rev()
                .find(|&v| app.tree_all[app.tree[v]].depth < depth)
            {
                app.tree_sel = p;
            }
        }
        return;
    }
    let want = fold.unwrap_or(!folded);
    if want {
        app.collapsed.insert(key);
    } else {
        app.collapsed.remove(&key);
    }
    app.refresh_tree();
}

fn cycle_focus(app: &mut App, by: usize) {
    if app.screen == Screen::Presentation {
        return;
    }
    let i = Pane::ORDER
        .iter()
        .position(|p| *p == app.focus)
        .unwrap_or(0);
    app.focus = Pane::ORDER[(i + by) % Pane::ORDER.len()];
}

/// The finding detail: scroll it, step to the previous / next finding, Enter traces its
/// evidence, Esc goes back to the list.
fn finding(app: &mut App, mut d: FindingState, a: &Action) -> Mode {
    let max = match app.finding_view.get() {
        (0, _) => 200,
        (rows, height) => rows.saturating_sub(height),
    };
    d.scroll = d.scroll.min(max);
    let n = app.findings.len();
    if n == 0 {
        return Mode::Normal;
    }
    d.index = d.index.min(n - 1);
    match a {
        Action::Cancel => return Mode::Normal,
        Action::Up => d.scroll = d.scroll.saturating_sub(1),
        Action::Down => d.scroll = d.scroll.saturating_add(1).min(max),
        Action::PageUp => d.scroll = d.scroll.saturating_sub(10),
        Action::PageDown => d.scroll = d.scroll.saturating_add(10).min(max),
        Action::Home => d.scroll = 0,
        Action::End => d.scroll = max,
        Action::Left | Action::Right => {
            let delta = if matches!(a, Action::Left) { -1 } else { 1 };
            d.index = clamp_step(d.index, delta, n);
            d.scroll = 0;
            app.findings_sel = d.index;
        }
        Action::Confirm => {
            app.findings_sel = d.index;
            if app.findings[d.index].evidence.is_none() {
                say(
                    app,
                    "this finding is about the file: it has no flow to trace",
                    false,
                );
                return Mode::Finding(d);
            }
            trace_selected_finding(app);
            return Mode::Normal;
        }
        _ => {}
    }
    Mode::Finding(d)
}

/// Trace the flow of the selected finding's evidence or expectation, with its text kept above
/// the trace.
fn trace_selected_finding(app: &mut App) {
    let nf = app.findings.len();
    let flow = if app.findings_sel < nf {
        let f = &app.findings[app.findings_sel];
        f.evidence.as_ref().map(|e| {
            (
                (e.from.clone(), e.to.clone(), e.port, e.protocol),
                format!("finding {}: {}", f.id, f.message),
                f.severity == crate::engine::check::Severity::Error,
            )
        })
    } else {
        app.expectations.get(app.findings_sel - nf).map(|x| {
            (
                (
                    x.from.clone(),
                    x.to.clone(),
                    x.port,
                    Protocol::parse(&x.protocol).unwrap_or(Protocol::Tcp),
                ),
                match &x.failure {
                    Some(why) => format!("expectation `{}` FAILS: {why}", x.name),
                    None => format!("expectation `{}` holds", x.name),
                },
                !x.passed,
            )
        })
    };
    match flow {
        Some((flow, text, error)) => {
            let (f, t, p, proto) = flow.clone();
            app.from = Some(f);
            app.to = Some(t);
            app.port = p;
            app.protocol = proto;
            app.trace_note = Some(TraceNote { text, error, flow });
            app.trace_scroll = 0;
            app.recompute();
            app.focus = Pane::Trace;
        }
        None => say(app, "this finding has no flow to trace", false),
    }
}

/// Enter in normal mode.
fn confirm(app: &mut App) {
    match app.focus {
        // A finding opens in full; an expectation is traced at once (its text stays above).
        Pane::Findings if app.findings_sel < app.findings.len() => {
            app.mode = Mode::Finding(FindingState {
                index: app.findings_sel,
                scroll: 0,
            });
        }
        Pane::Findings => trace_selected_finding(app),
        Pane::Tree
            if (app.from.is_none() || app.to.is_none())
                && app.selected_row().is_some_and(|r| r.children > 0) =>
        {
            fold(app, None);
        }
        _ => {
            if app.query().is_some() {
                app.recompute();
                report_trace(app);
            } else {
                say(
                    app,
                    "pick a source (s) and a destination (d), or find them with /",
                    false,
                );
            }
        }
    }
}

fn report_trace(app: &mut App) {
    match &app.trace {
        Some(Ok(t)) => {
            let msg = format!(
                "traced {} → {}: {}",
                t.from,
                t.to,
                t.verdict.as_str().to_uppercase()
            );
            say(app, msg, false);
        }
        Some(Err(e)) => {
            let msg = format!("cannot trace: {} ({})", e.message, e.help);
            say(app, msg, true);
        }
        None => {}
    }
}

/// What the selection names, as a trace end.
fn selection_selector(app: &App) -> Result<String, String> {
    match app.focus {
        Pane::Tree => match app.selected_row().map(|r| &r.kind) {
            Some(RowKind::Network(_) | RowKind::Subnet(_) | RowKind::Endpoint(_)) => app
                .selected_id()
                .ok_or_else(|| "nothing selected".to_string()),
            Some(RowKind::Region(r)) => Err(format!(
                "{r} is a region: pick an endpoint, subnet or network"
            )),
            Some(RowKind::Zone(_) | RowKind::Services) | None => {
                Err("pick an endpoint, subnet or network".to_string())
            }
        },
        _ => Err("select an endpoint in the explorer (Tab to it), or find one with /".to_string()),
    }
}

fn set_end(app: &mut App, id: String, to: bool) {
    if to {
        app.to = Some(id);
    } else {
        app.from = Some(id);
    }
    app.trace_scroll = 0;
    app.recompute();
    if app.trace.is_some() {
        report_trace(app);
    } else {
        let which = if to { "destination" } else { "source" };
        let other = if to { "source (s)" } else { "destination (d)" };
        say(app, format!("{which} set: now pick a {other}"), false);
    }
}

fn port_state(app: &App, for_matrix: bool) -> PortState {
    let input = match (app.port, app.protocol) {
        (Some(p), Protocol::Tcp) => p.to_string(),
        (Some(p), proto) => format!("{p}/{proto}"),
        (None, Protocol::Tcp) => String::new(),
        (None, proto) => format!("/{proto}"),
    };
    PortState {
        selected: !input.is_empty(),
        input,
        error: None,
        for_matrix,
    }
}

/// Parse `PORT[/PROTO]`, `/PROTO` or empty (the destination's default port, tcp).
pub fn parse_port(s: &str) -> Result<(Option<u16>, Protocol), String> {
    let s = s.trim();
    let (p, proto) = match s.split_once('/') {
        Some((p, proto)) => (p.trim(), proto.trim()),
        None => (s, "tcp"),
    };
    let proto = match Protocol::parse(proto) {
        Some(Protocol::Any) | None => {
            return Err(format!(
                "`{proto}` is not a protocol: use tcp, udp, icmp, https or http"
            ));
        }
        Some(x) => x,
    };
    if p.is_empty() {
        return Ok((None, proto));
    }
    let port = p
        .parse::<u16>()
        .map_err(|_| format!("`{p}` is not a port: a whole number from 0 to 65535"))?;
    Ok((Some(port), proto))
}

fn what_if(app: &mut App) {
    let spec = match app.focus {
        Pane::Tree => match app.selected_row().map(|r| r.kind.clone()) {
            Some(RowKind::Endpoint(_) | RowKind::Network(_) | RowKind::Region(_)) => {
                app.selected_id()
            }
            _ => None,
        },
        Pane::Rules => match app.rule_rows.get(app.rules_sel) {
            Some(RuleRow::Rule(s, i)) => app
                .rule_set(*s)
                .and_then(|rs| rs.rules.get(*i).map(|r| format!("{}/{}", rs.id, r.id))),
            _ => None,
        },
        Pane::Trace => match &app.trace {
            Some(Ok(t)) => t.decided_by.as_ref().and_then(|d| {
                let c = t.deciding_check()?;
                c.is_rule().then(|| format!("{}/{}", d.rule_set, d.rule))
            }),
            _ => None,
        },
        Pane::Map | Pane::Findings => None,
    };
    let Some(spec) = spec else {
        say(
            app,
            "what-if: select an endpoint, network or region in the explorer, or a rule in the rule sets",
            true,
        );
        return;
    };
    if let Some(pos) = app.disabled.iter().position(|(s, _)| *s == spec) {
        let (_, label) = app.disabled.remove(pos);
        rebuild_whatif(app);
        app.recompute();
        say(app, format!("what-if: {label} enabled again"), false);
        return;
    }
    match app.whatif.disable(&app.topo, &spec) {
        Ok(label) => {
            app.disabled.push((spec, label.clone()));
            app.recompute();
            let mut msg = format!("what-if: {label} disabled");
            if let Some(Ok(t)) = &app.trace {
                let _ = write!(
                    msg,
                    " → {} is now {}",
                    t.to,
                    t.verdict.as_str().to_uppercase()
                );
                if t.public {
                    msg.push_str(" (over the public path)");
                }
            }
            say(app, msg, false);
        }
        Err(e) => say(app, format!("what-if: {e}"), true),
    }
}

fn rebuild_whatif(app: &mut App) {
    let mut w = WhatIf::default();
    app.disabled
        .retain(|(s, _)| w.disable(&app.topo, s).is_ok());
    app.whatif = w;
}

#[allow(clippy::many_single_char_names)] // x, y, w, h: the geometry's usual names
fn click(app: &mut App, x: u16, y: u16) {
    let areas = app.areas();
    if areas.too_small {
        return;
    }
    match &app.mode {
        Mode::Help(_) => {
            app.mode = Mode::Normal;
            return;
        }
        Mode::Matrix(m) => {
            let m = m.clone();
            matrix_click(app, m, areas.overlay, x, y);
            return;
        }
        Mode::Normal => {}
        _ => return,
    }
    let Some(pane) = areas.pane_at(x, y) else {
        return;
    };
    if app.screen == Screen::Standard {
        app.focus = pane;
    }
    let r = areas.of(pane);
    let inner_row = usize::from(y.saturating_sub(r.y + 1));
    let h = usize::from(r.height.saturating_sub(2));
    if y <= r.y || inner_row >= h {
        return;
    }
    match pane {
        Pane::Tree => {
            let off = list_offset(app.tree_sel, app.tree.len(), h);
            let target = off + inner_row;
            if target < app.tree.len() {
                if target == app.tree_sel {
                    fold(app, None);
                } else {
                    app.tree_sel = target;
                    if app.trace.is_none() {
                        app.refresh_rules();
                    }
                }
            }
        }
        Pane::Rules => {
            let off = list_offset(app.rules_sel, app.rule_rows.len(), h);
            if off + inner_row < app.rule_rows.len() {
                app.rules_sel = off + inner_row;
            }
        }
        Pane::Findings => {
            let n = app.findings.len() + app.expectations.len();
            let off = list_offset(
                app.findings_sel,
                n,
                findings_list_rows(app.focus == Pane::Findings, h),
            );
            if inner_row >= 1 && off + inner_row - 1 < n {
                app.findings_sel = off + inner_row - 1;
            }
        }
        Pane::Map | Pane::Trace => {}
    }
}

fn wheel(app: &mut App, x: u16, y: u16, delta: i64) {
    let help_max = usize::from(modes::help_max(app));
    match &mut app.mode {
        Mode::Help(s) => {
            let at = usize::from(*s).min(help_max);
            *s = clamp_step(at, delta, help_max + 1) as u16;
            return;
        }
        Mode::Finder(f) => {
            f.selected = clamp_step(f.selected, delta, f.matches.len());
            return;
        }
        Mode::Finding(d) => {
            let max = match app.finding_view.get() {
                (0, _) => 200,
                (rows, height) => rows.saturating_sub(height),
            };
            let at = usize::from(d.scroll.min(max));
            d.scroll = u16::try_from(clamp_step(at, delta, usize::from(max) + 1)).unwrap_or(max);
            return;
        }
        Mode::Normal => {}
        _ => return,
    }
    let areas = app.areas();
    if let Some(pane) = areas.pane_at(x, y) {
        let keep = app.focus;
        app.focus = pane;
        step(app, delta);
        app.focus = keep;
    }
}

#[cfg(test)]
mod tests;
