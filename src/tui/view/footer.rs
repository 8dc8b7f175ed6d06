//! The footer (the current mode's keys, generated from the keymap) and the status line (the
//! flow, the what-if, the last message).
//!
//! Owns: drawing those two lines. Must never: hard-code a key, change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::app::{App, Screen};
use crate::tui::keymap::Ctx;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let mut spans = Vec::new();
    let mut used = 0usize;
    let w = usize::from(area.width);
    for (k, h) in app.keymap.hints(Ctx::of(&app.mode)) {
        let n = k.chars().count() + h.chars().count() + 3;
        if used + n > w {
            break;
        }
        used += n;
        spans.push(Span::styled(format!(" {k}"), th.key()));
        spans.push(Span::styled(format!(" {h} "), th.dim()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

pub fn status(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let mut spans = Vec::new();
    if app.screen == Screen::Presentation {
        spans.push(Span::styled(" PRESENTING (F2/Esc to leave) ", th.header()));
    }
    spans.push(Span::styled(
        format!(
            " flow {} → {} {}/{} ",
            app.from.as_deref().unwrap_or("?"),
            app.to.as_deref().unwrap_or("?"),
            app.protocol,
            match &app.trace {
                Some(Ok(t)) => t.port,
                _ => app.port,
            }
            .map_or_else(|| "default".to_string(), |p| p.to_string())
        ),
        th.text(),
    ));
    if !app.disabled.is_empty() {
        let list: Vec<&str> = app.disabled.iter().map(|(s, _)| s.as_str()).collect();
        spans.push(Span::styled(
            format!(" what-if off: {} (W resets) ", list.join(", ")),
            th.warn(),
        ));
    }
    if let Some((msg, err)) = &app.status {
        spans.push(Span::styled(" │ ", th.dim()));
        spans.push(Span::styled(
            msg.clone(),
            if *err { th.deny() } else { th.allow() },
        ));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
