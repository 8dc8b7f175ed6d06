//! Drawing: the whole screen from the App, one file per pane.
//!
//! Owns: turning state into cells. Must never: change state, do I/O, or panic — whatever the
//! area (0×0 included) and whatever the state.

pub mod finder;
pub mod finding;
pub mod findings;
pub mod flows;
pub mod footer;
pub mod help;
pub mod map;
pub mod matrix;
pub mod rules;
pub mod title;
pub mod trace;
pub mod tree;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Widget, Wrap};

use super::app::{App, Mode, Pane};
use super::layout::{MIN_H, MIN_W};

/// Draw the whole screen.
pub fn render(f: &mut Frame, app: &App) {
    let area = f.area();
    draw(app, area, f.buffer_mut());
}

/// Draw the whole screen into a buffer (the App's size is taken from `area`'s owner: callers
/// keep `app.size` equal to the terminal size).
pub fn draw(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let a = app.areas();
    let clip = |r: Rect| r.intersection(area);
    if a.too_small {
        too_small(app, area, buf);
        return;
    }
    title::render(app, clip(a.header), buf);
    banner(app, clip(a.banner), buf);
    tree::render(app, clip(a.tree), buf);
    map::render(app, clip(a.map), buf);
    trace::render(app, clip(a.trace), buf);
    rules::render(app, clip(a.rules), buf);
    findings::render(app, clip(a.findings), buf);
    footer::status(app, clip(a.status), buf);
    footer::render(app, clip(a.footer), buf);
    let o = clip(a.overlay);
    if !o.is_empty() {
        Clear.render(o, buf);
        match &app.mode {
            Mode::Finder(f) => finder::render(app, f, o, buf),
            Mode::Help(s) => help::render(app, *s, o, buf),
            Mode::Matrix(m) => matrix::render(app, m, o, buf),
            Mode::Flows(s) => flows::render(app, s, o, buf),
            Mode::Port(p) => finder::render_port(app, p, o, buf),
            Mode::Finding(d) => finding::render(app, d, o, buf),
            Mode::Normal => {}
        }
    }
}

/// An overlay's frame (help, finder, matrix, flows, a finding): double borders and its title.
pub fn overlay_block<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(app.theme.border(true))
        .title(Span::styled(title, app.theme.title()))
}

/// A pane's frame: rounded borders, its title, bold when focused.
pub fn pane_block<'a>(app: &App, pane: Pane, title: impl Into<Line<'a>>) -> Block<'a> {
    let focused = app.focus == pane && matches!(app.mode, Mode::Normal);
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(app.theme.border(focused))
        .title(title.into().style(app.theme.title()))
}

fn banner(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(err) = &app.load_error else { return };
    if area.is_empty() {
        return;
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.deny())
        .title(Span::styled(
            " reload failed — showing the last good topology (fix the file, it reloads by itself) ",
            app.theme.deny(),
        ));
    Paragraph::new(err.as_str())
        .style(app.theme.deny())
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

/// Scroll marks on the bottom border of a pane drawn in `area`: how many rows are hidden
/// above and below (` ▲ 3 more above · ▼ 12 more below `, shorter when the pane is narrow:
/// ` ▲3 ▼12 `). Nothing when everything is in view.
pub fn scroll_marks(app: &App, area: Rect, above: usize, below: usize, buf: &mut Buffer) {
    if area.height < 2 || area.width < 4 || (above == 0 && below == 0) {
        return;
    }
    let long = match (above, below) {
        (0, b) => format!(" ▼ {b} more below "),
        (a, 0) => format!(" ▲ {a} more above "),
        (a, b) => format!(" ▲ {a} more above · ▼ {b} more below "),
    };
    let short = match (above, below) {
        (0, b) => format!(" ▼{b} "),
        (a, 0) => format!(" ▲{a} "),
        (a, b) => format!(" ▲{a} ▼{b} "),
    };
    let room = usize::from(area.width - 2);
    let text = if long.chars().count() <= room {
        long
    } else if short.chars().count() <= room {
        short
    } else {
        return;
    };
    let w = u16::try_from(text.chars().count()).unwrap_or(0);
    let x = area.right() - 1 - w;
    buf.set_string(x, area.bottom() - 1, text, app.theme.dim());
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let msg = format!(
        "zonescope needs a terminal of at least {MIN_W}×{MIN_H}; this one is {}×{}. Enlarge it to go on: other keys wait until then (q or Ctrl-C quits).",
        app.size.0, app.size.1
    );
    Paragraph::new(msg)
        .style(app.theme.warn())
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

/// Cut a string to `w` characters, with an ellipsis when cut.
/// The computed content of an overlay, or `None` after drawing its error (or nothing yet).
pub fn loaded<'a, T>(
    slot: &'a Option<Result<T, String>>,
    th: super::theme::Theme,
    inner: Rect,
    buf: &mut Buffer,
) -> Option<&'a T> {
    match slot {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            Paragraph::new(e.as_str())
                .style(th.deny())
                .wrap(Wrap { trim: false })
                .render(inner, buf);
            None
        }
        None => None,
    }
}

pub fn fit(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(w - 1).collect();
    out.push('…');
    out
}
