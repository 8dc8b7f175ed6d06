//! The finding detail overlay (Enter on a finding): the whole finding, written to be read on a
//! shared screen — severity and id, the message, what the check looks for, the subject, where
//! it is in the file, the fix, and the evidence flow with its path and the rules that let it
//! through.
//!
//! Owns: drawing one finding in full, and recording its height for the scroll clamp. Must
//! never: run the review, change the state (beyond the drawn size it records), or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::engine::check::{Finding, Severity};
use crate::tui::app::{App, FindingState};
use crate::tui::theme::Theme;

/// Label width of the `Subject`, `Where`, … column.
const LABEL: usize = 10;

fn field(th: Theme, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), th.key()),
        Span::styled(value, th.text()),
    ])
}

/// The lines of one finding, unwrapped.
pub fn finding_lines(th: Theme, f: &Finding) -> Vec<Line<'static>> {
    let (mark, word, st) = match f.severity {
        Severity::Error => ("✗", "ERROR", th.deny()),
        Severity::Warning => ("⚠", "WARNING", th.warn()),
        Severity::Info => ("i", "INFO", th.dim()),
    };
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("{mark} {word}  "), st),
            Span::styled(f.id.clone(), th.title()),
        ]),
        Line::raw(""),
        Line::from(Span::styled(f.message.clone(), th.text())),
        Line::raw(""),
        field(
            th,
            "Checks",
            crate::report::sarif::describe(&f.id).to_string(),
        ),
        field(th, "Subject", f.subject.clone()),
        field(
            th,
            "Where",
            format!(
                "{}:{}:{}",
                f.location.file, f.location.line, f.location.column
            ),
        ),
    ];
    match &f.fix {
        Some(fix) => out.push(field(th, "Fix", fix.clone())),
        None => out.push(field(th, "Fix", "none suggested".to_string())),
    }
    out.push(Line::raw(""));
    match &f.evidence {
        Some(tr) => {
            let port = tr.port.map_or_else(
                || "any port".to_string(),
                |p| format!("{p}/{}", tr.protocol),
            );
            out.push(Line::from(vec![
                Span::styled(format!("{:<LABEL$}", "Evidence"), th.key()),
                Span::styled(format!("{} → {} {port}  ", tr.from, tr.to), th.text()),
                Span::styled(
                    tr.verdict.as_str().to_uppercase(),
                    th.verdict_text(tr.verdict),
                ),
            ]));
            out.push(field(th, "Path", tr.path.join(" → ")));
            for c in tr.checks.iter().filter(|c| c.is_rule()) {
                let p = c.priority.map(|p| format!(" ({p})")).unwrap_or_default();
                out.push(field(
                    th,
                    "",
                    format!("{} {}/{}{p} at {}", c.action, c.rule_set, c.rule, c.at),
                ));
            }
            out.push(field(th, "Why", tr.reason.clone()));
        }
        None => out.push(field(
            th,
            "Evidence",
            "none: this finding is about the file, not a flow".to_string(),
        )),
    }
    out
}

pub fn render(app: &App, d: &FindingState, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let n = app.findings.len();
    let Some(f) = app.findings.get(d.index.min(n.saturating_sub(1))) else {
        return;
    };
    let trace_hint = if f.evidence.is_some() {
        "Enter traces it · "
    } else {
        ""
    };
    let block = super::overlay_block(
        app,
        format!(
            " Finding {} of {n} · {trace_hint}←/→ previous/next · Esc back ",
            d.index.min(n - 1) + 1
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let lines = crate::tui::view::trace::hang(finding_lines(th, f), usize::from(inner.width));
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    app.finding_view.set((rows, inner.height));
    let scroll = d.scroll.min(rows.saturating_sub(inner.height));
    super::scroll_marks(
        app,
        area,
        usize::from(scroll),
        usize::from(rows.saturating_sub(scroll.saturating_add(inner.height))),
        buf,
    );
    Paragraph::new(lines).scroll((scroll, 0)).render(inner, buf);
}
