//! The fuzzy finder overlay (ids, kinds, IPs, CIDRs, FQDNs, rules, with matched characters
//! highlighted) and the port editor.
//!
//! Owns: drawing both. Must never: match (that is `update`), change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use crate::report::plural;
use crate::tui::app::{App, FinderState, PortState};
use crate::tui::layout::list_offset;

fn frame<'a>(app: &App, title: String) -> Block<'a> {
    super::overlay_block(app, title)
}

pub fn render(app: &App, f: &FinderState, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let block = frame(
        app,
        format!(" Find · {} ", plural(f.matches.len(), "match", "matches")),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.push(Line::from(vec![
        Span::styled("› ", th.key()),
        Span::styled(f.query.clone(), th.text()),
        Span::styled("█", th.dim()),
    ]));
    lines.push(Line::from(vec![Span::styled(
        format!(
            "source {}  ·  destination {}",
            app.from.as_deref().unwrap_or("—"),
            app.to.as_deref().unwrap_or("—")
        ),
        th.dim(),
    )]));
    let h = usize::from(inner.height).saturating_sub(3);
    let off = list_offset(f.selected, f.matches.len(), h);
    super::scroll_marks(app, area, off, f.matches.len().saturating_sub(off + h), buf);
    for (i, (item, hits)) in f.matches.iter().enumerate().skip(off).take(h) {
        let Some(it) = app.finder_items.get(*item) else {
            continue;
        };
        let mut spans = vec![Span::raw(if i == f.selected { "▶ " } else { "  " })];
        let mut chunk = String::new();
        // The id in bold, kind and details dimmed; matched characters stand out.
        let id_len = it.id.chars().count();
        let base = |ci: usize| if ci < id_len { th.title() } else { th.dim() };
        let mut chunk_style = base(0);
        for (ci, ch) in it.text.chars().enumerate() {
            let style = if hits.contains(&ci) {
                th.matched()
            } else {
                base(ci)
            };
            if style != chunk_style && !chunk.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut chunk), chunk_style));
            }
            chunk_style = style;
            chunk.push(ch);
        }
        if !chunk.is_empty() {
            spans.push(Span::styled(chunk, chunk_style));
        }
        let mut l = Line::from(spans);
        if i == f.selected {
            l = l.patch_style(th.selected());
        }
        lines.push(l);
    }
    if f.matches.is_empty() {
        lines.push(Line::from(Span::styled("  nothing matches", th.dim())));
    }
    Paragraph::new(lines).render(inner, buf);
    let hint = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
    if inner.height >= 3 {
        Paragraph::new(Line::from(vec![
            Span::styled("Enter", th.key()),
            Span::styled(" pick (source, then destination) ", th.dim()),
            Span::styled("Ctrl-S", th.key()),
            Span::styled(" source ", th.dim()),
            Span::styled("Ctrl-D", th.key()),
            Span::styled(" dest ", th.dim()),
            Span::styled("Esc", th.key()),
            Span::styled(" close", th.dim()),
        ]))
        .render(hint, buf);
    }
}

pub fn render_port(app: &App, p: &PortState, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let block = frame(app, " Port / protocol ".to_string());
    let inner = block.inner(area);
    block.render(area, buf);
    let lines = vec![
        Line::from(vec![
            Span::styled("› ", th.key()),
            Span::styled(
                p.input.clone(),
                if p.selected {
                    th.text().add_modifier(ratatui::style::Modifier::REVERSED)
                } else {
                    th.text()
                },
            ),
            Span::styled("█", th.dim()),
            Span::styled(
                if p.selected {
                    "  (selected: typing replaces it)"
                } else {
                    ""
                },
                th.dim(),
            ),
        ]),
        match &p.error {
            Some(e) => Line::from(Span::styled(e.clone(), th.deny())),
            None => Line::from(Span::styled("ok", th.allow())),
        },
        Line::from(Span::styled(
            "PORT[/PROTO]: 443, 5432/tcp, 53/udp, /icmp; empty: the destination's port",
            th.dim(),
        )),
        Line::from(Span::styled("Enter apply · Esc cancel", th.dim())),
    ];
    Paragraph::new(lines).render(inner, buf);
}
