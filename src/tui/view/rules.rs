//! The rule sets pane: the sets the traced flow crossed (else the selected item's, else all),
//! each rule with priority, direction, action, protocol/ports, source → destination; the
//! deciding rule highlighted, rules switched off by a what-if struck through.
//!
//! Owns: drawing the visible rule rows only. Must never: change state or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{fit, pane_block};
use crate::model::rules::{Action as RuleAction, Direction};
use crate::report::plural;
use crate::tui::app::{App, Pane, RuleRow};
use crate::tui::layout::list_offset;

#[allow(clippy::many_single_char_names)] // x, y, w, h: the geometry's usual names
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let block = pane_block(
        app,
        Pane::Rules,
        format!(
            " Rule sets ({}) ",
            plural(app.rule_rows.len(), "row", "rows")
        ),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let th = app.theme;
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let decided = match &app.trace {
        Some(Ok(t)) => t.decided_by.clone(),
        _ => None,
    };
    let checked: Vec<(String, String)> = match &app.trace {
        Some(Ok(t)) => t
            .checks
            .iter()
            .map(|c| (c.rule_set.clone(), c.rule.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let off = list_offset(app.rules_sel, app.rule_rows.len(), h);
    super::scroll_marks(
        app,
        area,
        off,
        app.rule_rows.len().saturating_sub(off + h),
        buf,
    );
    let mut lines = Vec::with_capacity(h);
    for (i, row) in app.rule_rows.iter().enumerate().skip(off).take(h) {
        let mut line = match row {
            RuleRow::Set(s) => match app.rule_set(*s) {
                Some(rs) => Line::from(vec![
                    Span::styled(fit(&rs.id, w.saturating_sub(20)), th.title()),
                    Span::styled(
                        format!(
                            "  {} · {}",
                            rs.kind.label(),
                            plural(rs.rules.len(), "rule", "rules")
                        ),
                        th.dim(),
                    ),
                ]),
                None => Line::raw(""),
            },
            RuleRow::Rule(s, ri) => {
                let Some(rs) = app.rule_set(*s) else { continue };
                let Some(r) = rs.rules.get(*ri) else { continue };
                let is_decider = decided
                    .as_ref()
                    .is_some_and(|d| d.rule_set == rs.id && d.rule == r.id);
                let was_checked = checked.iter().any(|(a, b)| *a == rs.id && *b == r.id);
                let down = app.whatif.rule_down(&rs.id, &r.id);
                let prio = r
                    .priority
                    .map_or_else(|| "    ".to_string(), |p| format!("{p:>5}"));
                let dir = match r.direction {
                    Some(Direction::Inbound) => " in ",
                    Some(Direction::Outbound) => " out",
                    None => "    ",
                };
                let act_style = match r.action {
                    RuleAction::Allow => th.allow(),
                    RuleAction::Deny => th.deny(),
                };
                let mark = if is_decider {
                    "▶"
                } else if was_checked {
                    "·"
                } else {
                    " "
                };
                let ports = if r.protocol.has_ports() {
                    format!("{}/{}", r.protocol, r.ports)
                } else {
                    r.protocol.to_string()
                };
                let ends = format!(
                    "{} → {}",
                    if r.source_text.is_empty() {
                        "*".to_string()
                    } else {
                        r.source_text.join(",")
                    },
                    if !r.fqdns.is_empty() {
                        r.fqdns.join(",")
                    } else if r.destination_text.is_empty() {
                        "*".to_string()
                    } else {
                        r.destination_text.join(",")
                    }
                );
                let used = 1 + 5 + 4 + 6;
                let rest = w.saturating_sub(used);
                let body = format!(" {} {ports}  {ends}", r.id);
                let mut spans = vec![
                    Span::styled(mark, th.key()),
                    Span::styled(prio, th.dim()),
                    Span::styled(dir, th.dim()),
                    Span::styled(format!(" {:<5}", r.action.as_str()), act_style),
                    Span::styled(
                        fit(&body, rest),
                        if r.default_rule { th.dim() } else { th.text() },
                    ),
                ];
                if down {
                    spans = spans.into_iter().map(|s| s.style(th.disabled())).collect();
                }
                let mut l = Line::from(spans);
                if is_decider {
                    l = l.patch_style(th.verdict_text(match &app.trace {
                        Some(Ok(t)) => t.verdict,
                        _ => crate::model::Verdict::Allow,
                    }));
                }
                l
            }
        };
        if i == app.rules_sel && app.focus == Pane::Rules {
            line = line.patch_style(th.selected());
        }
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
}
