//! The findings pane: the design review of `check` (findings by severity) and the `expect:`
//! results under the current what-if. Enter on a finding opens it in full (`view/finding.rs`),
//! on an expectation traces its flow.
//!
//! Owns: drawing the findings list. Must never: run the review, change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{fit, pane_block};
use crate::engine::check::Severity;
use crate::tui::app::{App, Pane};
use crate::tui::layout::{findings_list_rows, list_offset};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let passed = app.expectations.iter().filter(|e| e.passed).count();
    let title = if app.reviewing {
        format!(
            " Findings (reviewing…) · expectations {passed}/{} ",
            app.expectations.len()
        )
    } else {
        format!(
            " Findings {} · expectations {passed}/{} ",
            app.findings.len(),
            app.expectations.len()
        )
    };
    let block = pane_block(app, Pane::Findings, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    let n = app.findings.len() + app.expectations.len();
    let mut lines = Vec::with_capacity(h);
    let failed = app.expectations.len() - passed;
    lines.push(Line::from(vec![
        Span::styled(
            if failed == 0 {
                "all expectations hold"
            } else {
                "expectations FAIL"
            },
            if failed == 0 { th.allow() } else { th.deny() },
        ),
        Span::styled("  (Enter opens the selected one)", th.dim()),
    ]));
    let focused = app.focus == Pane::Findings;
    let rows = findings_list_rows(focused, h);
    let off = list_offset(app.findings_sel, n, rows);
    super::scroll_marks(app, area, off, n.saturating_sub(off + rows), buf);
    for i in (off..n).take(rows) {
        let mut line = if let Some(f) = app.findings.get(i) {
            let (mark, st) = match f.severity {
                Severity::Error => ("✗ ", th.deny()),
                Severity::Warning => ("⚠ ", th.warn()),
                Severity::Info => ("i ", th.dim()),
            };
            Line::from(vec![
                Span::styled(mark, st),
                Span::styled(format!("{} ", f.id), st),
                Span::styled(fit(&f.message, w.saturating_sub(f.id.len() + 3)), th.text()),
            ])
        } else if let Some(e) = app.expectations.get(i - app.findings.len()) {
            let (mark, st) = if e.passed {
                ("✓ ", th.allow())
            } else {
                ("✗ ", th.deny())
            };
            let verdict = format!(" {}", e.actual.as_str());
            Line::from(vec![
                Span::styled(mark, st),
                Span::styled(fit(&e.name, w.saturating_sub(verdict.len() + 2)), th.text()),
                Span::styled(verdict, th.verdict_text(e.actual)),
            ])
        } else {
            continue;
        };
        if i == app.findings_sel && app.focus == Pane::Findings {
            line = line.patch_style(th.selected());
        }
        lines.push(line);
    }
    let detail_h = h.saturating_sub(1 + rows);
    if detail_h > 0 {
        let text = if let Some(f) = app.findings.get(app.findings_sel) {
            let loc = format!("{}:{}", f.location.file, f.location.line);
            match &f.fix {
                Some(fix) => format!("{} ({loc}) fix: {fix}", f.message),
                None => format!("{} ({loc})", f.message),
            }
        } else if let Some(e) = app.expectations.get(app.findings_sel - app.findings.len()) {
            let port = e.port.map(|p| format!(":{p}")).unwrap_or_default();
            let what = e
                .failure
                .clone()
                .unwrap_or_else(|| format!("{} as expected", e.actual.as_str()));
            format!("{} → {}{port}/{}: {what}", e.from, e.to, e.protocol)
        } else {
            String::new()
        };
        while lines.len() < 1 + rows {
            lines.push(Line::raw(""));
        }
        let detail = super::trace::hang(vec![Line::from(Span::styled(text, th.dim()))], w);
        lines.extend(detail.into_iter().take(detail_h));
    }
    Paragraph::new(lines).render(inner, buf);
}
