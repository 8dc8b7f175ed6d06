//! What the actions mean in the explorer's overlays: the finder, the port prompt, help, the
//! zone matrix, and showing a rule.
//!
//! Must never: do I/O or draw.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::engine::trace::Query;
use crate::model::EntityRef;
use crate::tui::action::Action;
use crate::tui::app::{
    App, Effect, FinderState, MatrixState, Mode, Pane, PortState, RuleRow, Target,
};
use crate::tui::layout::MatrixGrid;
use ratatui::layout::{Margin, Rect};

use super::{MAX_MATCHES, clamp_step, parse_port, port_state, report_trace, say, set_end};

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

pub(super) fn finder(app: &mut App, mut f: FinderState, a: &Action) -> Mode {
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
pub(super) fn show_rule(app: &mut App, set: &str, rule: &str) {
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

pub(super) fn port(app: &mut App, mut p: PortState, a: &Action) -> Mode {
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

/// The help screen's last scroll position: its last screenful as drawn (500 before it is).
pub(super) fn help_max(app: &App) -> u16 {
    match app.help_view.get() {
        (0, _) => 500,
        (rows, height) => rows.saturating_sub(height),
    }
}

pub(super) fn help(app: &App, scroll: u16, a: &Action) -> Mode {
    let max = help_max(app);
    let scroll = scroll.min(max);
    match a {
        Action::Cancel | Action::Help => Mode::Normal,
        Action::Up => Mode::Help(scroll.saturating_sub(1)),
        Action::Down => Mode::Help(scroll.saturating_add(1).min(max)),
        Action::PageUp => Mode::Help(scroll.saturating_sub(10)),
        Action::PageDown => Mode::Help(scroll.saturating_add(10).min(max)),
        Action::Home => Mode::Help(0),
        Action::End => Mode::Help(max),
        _ => Mode::Help(scroll),
    }
}

pub(super) fn matrix(app: &mut App, mut m: MatrixState, a: &Action) -> Mode {
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
pub(super) fn matrix_click(app: &mut App, m: MatrixState, overlay: Rect, x: u16, y: u16) {
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
