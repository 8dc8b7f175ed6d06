//! Screen geometry: where each pane goes for a terminal size, a screen arrangement and a focus.
//! Shared by drawing and by mouse hit-testing so that a click lands where the eye sees it.
//!
//! Owns: [`Areas`] and the minimum size. Must never: draw, or read anything but the App's
//! size, screen, focus, mode and reload error.

use ratatui::layout::Rect;

use super::app::{App, Mode, Pane, Screen};

/// The smallest terminal the explorer draws into.
pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

/// Where everything goes. Panes not shown have an empty rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    pub full: Rect,
    pub header: Rect,
    pub banner: Rect,
    pub tree: Rect,
    pub map: Rect,
    pub trace: Rect,
    pub rules: Rect,
    pub findings: Rect,
    pub status: Rect,
    pub footer: Rect,
    /// The overlay of the open mode (finder, port, help, matrix).
    pub overlay: Rect,
    pub too_small: bool,
}

fn split_h(r: Rect, left: u16) -> (Rect, Rect) {
    let left = left.min(r.width);
    (
        Rect::new(r.x, r.y, left, r.height),
        Rect::new(r.x + left, r.y, r.width - left, r.height),
    )
}

fn split_v(r: Rect, top: u16) -> (Rect, Rect) {
    let top = top.min(r.height);
    (
        Rect::new(r.x, r.y, r.width, top),
        Rect::new(r.x, r.y + top, r.width, r.height - top),
    )
}

/// A centred rectangle of at most `w`×`h` inside `r`.
pub fn centered(r: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(r.width);
    let h = h.min(r.height);
    Rect::new(r.x + (r.width - w) / 2, r.y + (r.height - h) / 2, w, h)
}

impl Areas {
    pub fn compute(app: &App) -> Areas {
        let (w, h) = app.size;
        let full = Rect::new(0, 0, w, h);
        let mut a = Areas {
            full,
            ..Areas::default()
        };
        if w < MIN_W || h < MIN_H {
            a.too_small = true;
            return a;
        }
        let (header, rest) = split_v(full, 1);
        let (rest, bottom) = split_v(rest, h - 3);
        let (status, footer) = split_v(bottom, 1);
        a.header = header;
        a.status = status;
        a.footer = footer;
        let banner_h = app
            .load_error
            .as_ref()
            .map_or(0, |e| (e.lines().count() as u16 + 2).min(7));
        let (banner, body) = split_v(rest, banner_h);
        a.banner = banner;
        match app.screen {
            Screen::Presentation => a.trace = body,
            Screen::Standard if w >= 110 && h >= 30 => {
                let tree_w = (w * 23 / 100).clamp(28, 40);
                let right_w = w * 42 / 100;
                let (tree, rest) = split_h(body, tree_w);
                let (middle, right) = split_h(rest, rest.width - right_w);
                let (map, rules) = split_v(middle, middle.height * 55 / 100);
                let (trace, findings) = split_v(right, right.height * 68 / 100);
                a.tree = tree;
                a.map = map;
                a.rules = rules;
                a.trace = trace;
                a.findings = findings;
            }
            Screen::Standard => {
                // Narrow: the tree and one main pane, the focused one (the trace by default).
                let (tree, main) = split_h(body, (w * 30 / 100).clamp(24, 34));
                a.tree = tree;
                match app.focus {
                    Pane::Map => a.map = main,
                    Pane::Rules => a.rules = main,
                    Pane::Findings => a.findings = main,
                    Pane::Tree | Pane::Trace => a.trace = main,
                }
            }
        }
        a.overlay = match &app.mode {
            Mode::Normal => Rect::default(),
            Mode::Finder(_) | Mode::Help(_) | Mode::Finding(_) => centered(
                body,
                (w * 80 / 100).max(w.saturating_sub(4).min(100)),
                body.height.saturating_sub(2),
            ),
            Mode::Port(_) => centered(body, 60, 6),
            Mode::Flows(_) => centered(
                body,
                w.saturating_sub(4),
                (app.flow_rows() as u16).saturating_add(8).max(10),
            ),
            Mode::Matrix(_) => {
                let rows = match &app.matrix {
                    Some(Ok(m)) => m.rows.len() as u16 + 8,
                    _ => 8,
                };
                centered(body, w.saturating_sub(4), rows.max(10))
            }
        };
        a
    }

    /// The pane under a point.
    pub fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        let p = ratatui::layout::Position::new(x, y);
        [
            (self.tree, Pane::Tree),
            (self.map, Pane::Map),
            (self.trace, Pane::Trace),
            (self.rules, Pane::Rules),
            (self.findings, Pane::Findings),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(p))
        .map(|(_, pane)| pane)
    }

    /// The rectangle of a pane.
    pub fn of(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Tree => self.tree,
            Pane::Map => self.map,
            Pane::Trace => self.trace,
            Pane::Rules => self.rules,
            Pane::Findings => self.findings,
        }
    }
}

/// The first row shown of a list of `len` rows with `sel` selected in `height` rows: the
/// selection stays in view (centred once the list scrolls) without any stored scroll state.
pub fn list_offset(sel: usize, len: usize, height: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    sel.saturating_sub(height / 2).min(len - height)
}

/// Rows of the findings list in a findings pane of `inner_h` rows: one goes to the summary,
/// and three to the selected item's details when the pane has the focus and room.
pub fn findings_list_rows(focused: bool, inner_h: usize) -> usize {
    let detail = if focused && inner_h >= 8 { 3 } else { 0 };
    inner_h.saturating_sub(1 + detail)
}

/// Where the zone matrix's cells are inside its overlay (the area within the border): the
/// header is the first line, row `r` is line `1 + r`; a row starts with its `label` columns
/// and a space, then each cell takes `cell` columns and a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixGrid {
    pub label: usize,
    pub cell: usize,
}

impl MatrixGrid {
    pub fn of(rows: &[String], columns: &[String], inner: Rect) -> MatrixGrid {
        let label = rows
            .iter()
            .map(|r| r.chars().count())
            .max()
            .unwrap_or(4)
            .clamp(6, 16);
        let room = usize::from(inner.width).saturating_sub(label + 1) / columns.len().max(1);
        let cell = columns
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(8, 13)
            .min(room.saturating_sub(1))
            .max(5);
        MatrixGrid { label, cell }
    }

    /// The (row, column) of the cell under a point, if any.
    pub fn cell_at(
        &self,
        inner: Rect,
        rows: usize,
        cols: usize,
        x: u16,
        y: u16,
    ) -> Option<(usize, usize)> {
        let line = usize::from(y.checked_sub(inner.y)?);
        let dx = usize::from(x.checked_sub(inner.x)?).checked_sub(self.label + 1)?;
        let (r, c) = (line.checked_sub(1)?, dx / (self.cell + 1));
        (r < rows && c < cols && dx % (self.cell + 1) < self.cell).then_some((r, c))
    }
}
