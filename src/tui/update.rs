//! The only place the explorer's state changes: `update(&mut App, Action)`.
//!
//! Owns: what every action means in every mode. Must never: do I/O (a reload is asked for
//! through `App::effect`), draw, or panic whatever the action sequence.

use std::fmt::Write as _;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::action::Action;
use super::app::{
    App, Effect, FinderState, FlowRow, FlowsState, Highlight, MatrixState, Mode, Origin, Pane,
    PortState, RowKind, RuleRow, Screen, Target, compute_fanout, row_key,
};
use super::layout::{MatrixGrid, findings_list_rows, list_offset};
use crate::engine::trace::{Query, WhatIf};
use crate::model::rules::Protocol;
use crate::model::{EntityRef, NetIx, Role};
use ratatui::layout::{Margin, Rect};

/// Most matches the finder lists.
pub const MAX_MATCHES: usize = 200;

/// Apply one action.
pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Quit => app.should_quit = true,
        Action::Resize(w, h) => app.size = (w, h),
        Action::Loaded(r) => app.apply_load(*r),
        Action::FlowsLoaded(r) => app.apply_flows(*r),
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
                Mode::Help(s) => help(s, &other),
                Mode::Matrix(m) => matrix(app, m, &other),
                Mode::Flows(f) => flows(app, f, &other),
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
            "what-if: {n} suggested rule{} applied in memory (nothing written); W undoes",
            if n == 1 { "" } else { "s" }
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
                let n = |k: usize, one: &str, many: &str| {
                    format!("{k} {}", if k == 1 { one } else { many })
                };
                let msg = format!(
                    "hub-and-spoke: {}, {}, {} (spoke-to-spoke and egress cross them)",
                    n(hubs, "hub", "hubs"),
                    n(spokes, "spoke", "spokes"),
                    n(fws.len(), "transit firewall", "transit firewalls")
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
                            "multi-region: {g} gateway{} with {b} backend{} across regions (the fan-out heads the trace pane)",
                            if g == 1 { "" } else { "s" },
                            if b == 1 { "" } else { "s" }
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
        Pane::Map => app.map_scroll = clamp_step(usize::from(app.map_scroll), delta, 2000) as u16,
        Pane::Trace => {
            // Up to the last screenful of the pane as drawn (never past it: no blank pane).
            let (rows, height) = app.trace_view.get();
            let max = if rows == 0 {
                2000
            } else {
                rows.saturating_sub(height)
            };
            app.trace_scroll = clamp_step(
                usize::from(app.trace_scroll.min(max)),
                delta,
                usize::from(max) + 1,
            ) as u16;
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

/// Enter in normal mode.
fn confirm(app: &mut App) {
    match app.focus {
        Pane::Findings => {
            let nf = app.findings.len();
            let flow = if app.findings_sel < nf {
                app.findings[app.findings_sel]
                    .evidence
                    .as_ref()
                    .map(|e| (e.from.clone(), e.to.clone(), e.port, e.protocol))
            } else {
                app.expectations.get(app.findings_sel - nf).map(|x| {
                    (
                        x.from.clone(),
                        x.to.clone(),
                        x.port,
                        Protocol::parse(&x.protocol).unwrap_or(Protocol::Tcp),
                    )
                })
            };
            match flow {
                Some((f, t, p, proto)) => {
                    app.from = Some(f);
                    app.to = Some(t);
                    app.port = p;
                    app.protocol = proto;
                    app.recompute();
                    app.focus = Pane::Trace;
                }
                None => say(app, "this finding has no flow to trace", false),
            }
        }
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

/// Re-run the finder's query, over the previous matches when the query only grew.
pub fn filter(app: &App, f: &mut FinderState) {
    f.matches.clear();
    let q = f.query.trim();
    if q.is_empty() {
        f.pool = None;
        f.matches
            .extend((0..app.finder_items.len().min(MAX_MATCHES)).map(|i| (i, Vec::new())));
    } else {
        let m = SkimMatcherV2::default();
        let candidates: Box<dyn Iterator<Item = usize>> = match f.pool.take() {
            Some(pool) => Box::new(pool.into_iter()),
            None => Box::new(0..app.finder_items.len()),
        };
        let mut scored: Vec<(i64, usize)> = candidates
            .filter_map(|i| {
                let it = app.finder_items.get(i)?;
                m.fuzzy_match(&it.text, q).map(|s| (s, i))
            })
            .collect();
        f.pool = Some(scored.iter().map(|&(_, i)| i).collect());
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(MAX_MATCHES);
        f.matches.extend(scored.into_iter().filter_map(|(_, i)| {
            let hits = m.fuzzy_indices(&app.finder_items[i].text, q)?.1;
            Some((i, hits))
        }));
    }
    f.selected = f.selected.min(f.matches.len().saturating_sub(1));
}

fn finder(app: &mut App, mut f: FinderState, a: &Action) -> Mode {
    match a {
        Action::Input(c) if f.query.chars().count() < 64 => {
            f.query.push(*c);
            f.selected = 0;
            filter(app, &mut f);
        }
        Action::ClearLine => {
            f.query.clear();
            f.selected = 0;
            f.pool = None;
            filter(app, &mut f);
        }
        Action::Backspace => {
            f.query.pop();
            f.selected = 0;
            f.pool = None;
            filter(app, &mut f);
        }
        Action::Up => f.selected = clamp_step(f.selected, -1, f.matches.len()),
        Action::Down => f.selected = clamp_step(f.selected, 1, f.matches.len()),
        Action::PageUp => f.selected = clamp_step(f.selected, -10, f.matches.len()),
        Action::PageDown => f.selected = clamp_step(f.selected, 10, f.matches.len()),
        Action::Cancel => return Mode::Normal,
        Action::Confirm | Action::SetSource | Action::SetDest => {
            let Some(item) = f
                .matches
                .get(f.selected)
                .and_then(|(i, _)| app.finder_items.get(*i))
                .cloned()
            else {
                say(app, "no match to pick", true);
                return Mode::Finder(f);
            };
            match &item.target {
                Target::Entity(
                    EntityRef::Endpoint(_) | EntityRef::Subnet(_) | EntityRef::Network(_),
                ) => {
                    let to = match a {
                        Action::SetDest => true,
                        Action::SetSource => false,
                        _ => app.from.is_some() && app.from.as_deref() != Some(&item.id),
                    };
                    app.reveal(&item.id);
                    set_end(app, item.id.clone(), to);
                }
                Target::Rule(set, rule) => {
                    app.focus = Pane::Rules;
                    show_rule(app, set, rule);
                    say(app, format!("rule {set}/{rule}: w disables it"), false);
                }
                Target::Region(r) => {
                    app.reveal(r);
                    app.focus = Pane::Tree;
                    say(app, format!("region {r}: w disables it"), false);
                }
                Target::Entity(_) => {
                    app.reveal(&item.id);
                    app.focus = Pane::Tree;
                    say(
                        app,
                        format!(
                            "{} is a zone or rule set: it cannot be a trace end",
                            item.id
                        ),
                        false,
                    );
                }
            }
            return Mode::Normal;
        }
        _ => {}
    }
    Mode::Finder(f)
}

/// Select a rule in the rule sets pane, listing every set when it is not shown.
fn show_rule(app: &mut App, set: &str, rule: &str) {
    let find = |app: &App| {
        app.rule_rows.iter().position(|r| match r {
            RuleRow::Rule(s, i) => app
                .rule_set(*s)
                .is_some_and(|rs| rs.id == set && rs.rules.get(*i).is_some_and(|x| x.id == rule)),
            RuleRow::Set(_) => false,
        })
    };
    if find(app).is_none() {
        app.rule_rows.clear();
        let mut sets: Vec<Option<usize>> = (0..app.topo.rule_sets().len()).map(Some).collect();
        if app.topo.zone_policy().is_some() {
            sets.push(None);
        }
        for s in sets {
            app.rule_rows.push(RuleRow::Set(s));
            let n = app.rule_set(s).map_or(0, |rs| rs.rules.len());
            app.rule_rows.extend((0..n).map(|i| RuleRow::Rule(s, i)));
        }
    }
    if let Some(p) = find(app) {
        app.rules_sel = p;
    }
}

fn port(app: &mut App, mut p: PortState, a: &Action) -> Mode {
    let back = |app: &App, p: &PortState| {
        if p.for_matrix && (app.matrix.is_some() || app.matrix_pending()) {
            Mode::Matrix(MatrixState { row: 0, col: 0 })
        } else {
            Mode::Normal
        }
    };
    match a {
        Action::Input(c) => {
            if std::mem::take(&mut p.selected) {
                p.input.clear();
            }
            if p.input.len() < 16 {
                p.input.push(*c);
            }
            p.error = parse_port(&p.input).err();
        }
        Action::ClearLine => {
            p.selected = false;
            p.input.clear();
            p.error = parse_port(&p.input).err();
        }
        Action::Backspace => {
            if std::mem::take(&mut p.selected) {
                p.input.clear();
            }
            p.input.pop();
            p.error = parse_port(&p.input).err();
        }
        Action::Cancel => return back(app, &p),
        Action::Confirm => match parse_port(&p.input) {
            Ok((port, proto)) => {
                app.port = port;
                app.protocol = proto;
                app.recompute();
                if p.for_matrix {
                    app.effect = Some(Effect::Matrix);
                }
                let shown = port.map_or_else(|| "default port".to_string(), |x| x.to_string());
                say(app, format!("port {shown}/{proto}"), false);
                return back(app, &p);
            }
            Err(e) => p.error = Some(e),
        },
        _ => {}
    }
    Mode::Port(p)
}

fn help(scroll: u16, a: &Action) -> Mode {
    match a {
        Action::Cancel | Action::Help => Mode::Normal,
        Action::Up => Mode::Help(scroll.saturating_sub(1)),
        Action::Down => Mode::Help(scroll.saturating_add(1).min(500)),
        Action::PageUp => Mode::Help(scroll.saturating_sub(10)),
        Action::PageDown => Mode::Help(scroll.saturating_add(10).min(500)),
        Action::Home => Mode::Help(0),
        Action::End => Mode::Help(500),
        _ => Mode::Help(scroll),
    }
}

fn matrix(app: &mut App, mut m: MatrixState, a: &Action) -> Mode {
    let (rows, cols) = match &app.matrix {
        Some(Ok(x)) => (x.rows.len(), x.columns.len()),
        _ => (0, 0),
    };
    match a {
        Action::Up => m.row = clamp_step(m.row, -1, rows),
        Action::Down => m.row = clamp_step(m.row, 1, rows),
        Action::Left => m.col = clamp_step(m.col, -1, cols),
        Action::Right => m.col = clamp_step(m.col, 1, cols),
        Action::Cancel => return Mode::Normal,
        Action::EditPort => return Mode::Port(port_state(app, true)),
        Action::Confirm => {
            let example = match &app.matrix {
                Some(Ok(x)) => x.cells.get(m.row * x.columns.len() + m.col).and_then(|c| {
                    c.example_blocked
                        .clone()
                        .or_else(|| c.example_allowed.clone())
                }),
                _ => None,
            };
            match example.as_deref().map(Query::parse) {
                Some(Ok(q)) => {
                    app.from = Some(q.from);
                    app.to = Some(q.to);
                    app.port = q.port;
                    app.recompute();
                    app.focus = Pane::Trace;
                    report_trace(app);
                    return Mode::Normal;
                }
                _ => say(app, "no flow between these zones", false),
            }
        }
        _ => {}
    }
    Mode::Matrix(m)
}

/// A click in the zone matrix selects the cell under it; a click on the selected cell opens
/// its example trace (as Enter does).
fn matrix_click(app: &mut App, m: MatrixState, overlay: Rect, x: u16, y: u16) {
    let Some(Ok(mx)) = &app.matrix else {
        return;
    };
    let inner = overlay.inner(Margin::new(1, 1));
    let grid = MatrixGrid::of(&mx.rows, &mx.columns, inner);
    let Some((row, col)) = grid.cell_at(inner, mx.rows.len(), mx.columns.len(), x, y) else {
        return;
    };
    app.mode = if (row, col) == (m.row, m.col) {
        matrix(app, m, &Action::Confirm)
    } else {
        Mode::Matrix(MatrixState { row, col })
    };
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
    match &mut app.mode {
        Mode::Help(s) => {
            *s = clamp_step(usize::from(*s), delta, 500) as u16;
            return;
        }
        Mode::Finder(f) => {
            f.selected = clamp_step(f.selected, delta, f.matches.len());
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
