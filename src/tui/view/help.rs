//! The `?` help screen, generated from the keymap table: every key of every mode.
//!
//! Owns: drawing the help. Must never: list a key that is not in `keymap::BINDINGS`, change
//! state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::keymap::Ctx;

/// The help text, one line per binding, grouped by mode.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
    let th = app.theme;
    let mut out = Vec::new();
    for ctx in Ctx::ALL {
        out.push(Line::from(Span::styled(
            ctx.title().to_string(),
            th.title(),
        )));
        for b in app.keymap.of(ctx) {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<12}", b.label), th.key()),
                Span::styled(b.help.to_string(), th.text()),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(Line::from(Span::styled(
        "Your own keys".to_string(),
        th.title(),
    )));
    let where_ = match (&app.keymap.source, crate::tui::keys_file::config_dir()) {
        (Some(f), _) => format!("read from {}", f.display()),
        (None, Some(d)) => format!(
            "write them in {} ([normal] then set_source = \"S\"; the actions are the table's)",
            d.join("keys.toml").display()
        ),
        (None, None) => "set ZONESCOPE_CONFIG_DIR to a directory with a keys.toml".to_string(),
    };
    out.push(Line::from(Span::styled(format!("  {where_}"), th.text())));
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("Mouse".to_string(), th.title())));
    out.push(Line::from(vec![
        Span::styled(format!("  {:<12}", "click"), th.key()),
        Span::styled(
            "focus a pane, select a row (again: fold/unfold)".to_string(),
            th.text(),
        ),
    ]));
    out.push(Line::from(vec![
        Span::styled(format!("  {:<12}", "wheel"), th.key()),
        Span::styled("scroll the pane under the pointer".to_string(), th.text()),
    ]));
    out
}

pub fn render(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let block = super::overlay_block(app, " Help · every key (Esc closes) ".to_string());
    let lines =
        crate::tui::view::trace::hang(help_lines(app), usize::from(area.width.saturating_sub(2)));
    let inner_h = area.height.saturating_sub(2);
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let max = rows.saturating_sub(inner_h);
    app.help_view.set((rows, inner_h));
    let scroll = scroll.min(max);
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll, 0))
        .render(area, buf);
    super::scroll_marks(
        app,
        area,
        usize::from(scroll),
        usize::from(rows.saturating_sub(scroll + inner_h)),
        buf,
    );
}
