//! The zone × zone matrix overlay for the chosen port: each cell allow / deny / n of m /
//! no route; the selected cell's counts and example flows; Enter opens its example trace.
//!
//! Owns: drawing the matrix. Must never: compute it, change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit;
use crate::engine::matrix::Cell;
use crate::report::plural;
use crate::tui::app::{App, MatrixState};
use crate::tui::layout::MatrixGrid;

/// A count in four characters or so: `950`, `9999`, `35k`, `176M`, `1.6G`.
fn compact(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")];
    if n < 10_000 {
        return n.to_string();
    }
    for (size, unit) in UNITS {
        if n >= size {
            let whole = n / size;
            return if whole < 10 {
                format!("{whole}.{}{unit}", n % size * 10 / size)
            } else {
                format!("{whole}{unit}")
            };
        }
    }
    n.to_string()
}

fn cell_text(c: &Cell) -> String {
    match c.summary.as_str() {
        "partial" => format!(
            "{}/{}",
            compact(c.allowed),
            compact(c.allowed + c.denied + c.no_route)
        ),
        "no_route" => "no route".to_string(),
        s => s.to_string(),
    }
}

fn cell_style(app: &App, c: &Cell) -> Style {
    let th = app.theme;
    match c.summary.as_str() {
        "allow" => th.allow(),
        "partial" | "no_route" => th.warn(),
        "deny" => th.deny(),
        _ => th.dim(),
    }
}

pub fn render(app: &App, m: &MatrixState, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let port = app.port.unwrap_or(443);
    let block = super::overlay_block(
        app,
        format!(
            " Zone matrix · {}/{port} · rows: from, columns: to ",
            app.protocol
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    if app.matrix_pending() {
        let n = app.topo.endpoints().len();
        Paragraph::new(vec![
            Line::styled(
                format!(
                    "computing the zone matrix over every pair of {}…",
                    plural(n, "endpoint", "endpoints")
                ),
                th.text(),
            ),
            Line::styled(
                "endpoints no rule tells apart are counted together: seconds on the largest designs",
                th.dim(),
            ),
        ])
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(inner, buf);
        return;
    }
    let Some(mx) = super::loaded(&app.matrix, th, inner, buf) else {
        return;
    };
    let grid = MatrixGrid::of(&mx.rows, &mx.columns, inner);
    let (w0, cw) = (grid.label, grid.cell);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut head = vec![Span::raw(format!("{:w0$} ", ""))];
    for (ci, c) in mx.columns.iter().enumerate() {
        let st = if ci == m.col { th.key() } else { th.title() };
        head.push(Span::styled(format!("{:>cw$} ", fit(c, cw)), st));
    }
    lines.push(Line::from(head));
    for (ri, r) in mx.rows.iter().enumerate() {
        let st = if ri == m.row { th.key() } else { th.title() };
        let mut spans = vec![Span::styled(format!("{:w0$} ", fit(r, w0)), st)];
        for ci in 0..mx.columns.len() {
            let Some(c) = mx.cells.get(ri * mx.columns.len() + ci) else {
                continue;
            };
            let mut s = cell_style(app, c);
            if ri == m.row && ci == m.col {
                s = s.patch(th.selected());
            }
            spans.push(Span::styled(format!("{:>cw$} ", cell_text(c)), s));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    if let Some(c) = mx.cells.get(m.row * mx.columns.len() + m.col) {
        lines.push(Line::from(vec![
            Span::styled(format!("{} → {}  ", c.from, c.to), th.title()),
            Span::styled(
                format!(
                    "{} allowed, {} denied, {} without a route",
                    c.allowed, c.denied, c.no_route
                ),
                th.text(),
            ),
        ]));
        if let Some(e) = &c.example_blocked {
            lines.push(Line::from(vec![
                Span::styled("blocked e.g. ", th.dim()),
                Span::styled(e.clone(), th.deny()),
            ]));
        }
        if let Some(e) = &c.example_allowed {
            lines.push(Line::from(vec![
                Span::styled("allowed e.g. ", th.dim()),
                Span::styled(e.clone(), th.allow()),
            ]));
        }
    }
    lines.push(Line::from(Span::styled(
        "arrows/click move · Enter/click again traces · p port · Esc closes",
        th.dim(),
    )));
    Paragraph::new(lines).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::compact;

    #[test]
    fn counts_fit_in_four_characters() {
        for (n, text) in [
            (0, "0"),
            (9_999, "9999"),
            (10_000, "10k"),
            (351_000, "351k"),
            (1_620_000, "1.6M"),
            (175_500_000, "175M"),
            (1_653_235_600, "1.6G"),
            (u64::MAX, "18446744073G"),
        ] {
            assert_eq!(compact(n), text, "{n}");
        }
    }
}
