//! The observed flows overlay (`o`, with `--flows LOG...`): the flow logs' summary, then one
//! row per drift record (accepted, the design denies), broken call (rejected, the design
//! allows) and anomaly, with its log line, addresses, port, observed action, the design's
//! verdict and deciding rule; the selected record's details below. Enter traces it.
//!
//! Owns: drawing the flow report. Must never: read a log, classify, change state, or panic.

use std::net::IpAddr;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::fit;
use crate::engine::flows::report::Mismatch;
use crate::report::plural;
use crate::tui::app::{App, FlowRow, FlowsState};
use crate::tui::layout::list_offset;

/// `addr:port`, IPv6 in brackets.
fn sock(a: IpAddr, p: u16) -> String {
    match a {
        IpAddr::V4(v) => format!("{v}:{p}"),
        IpAddr::V6(v) => format!("[{v}]:{p}"),
    }
}

/// The last path component of a log file (the full path is in the details).
fn short(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// Cut a string to its last `w` characters, with an ellipsis first when cut.
fn fit_left(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::from("…");
    out.extend(s.chars().skip(n - (w - 1)));
    out
}

fn rule_of(m: &Mismatch) -> String {
    m.decided_by
        .as_ref()
        .map_or_else(|| "(no route)".to_string(), ToString::to_string)
}

/// Where a record is: its line, after its log's file name when there are several logs.
fn place(file: &str, line: u64, several: bool) -> String {
    if several {
        format!("{}:{line}", short(file))
    } else {
        line.to_string()
    }
}

/// A row's columns: kind, [log:]line, from → to, port/proto, observed, design, deciding rule.
fn columns(row: FlowRow<'_>, several: bool) -> [String; 7] {
    match row {
        FlowRow::Drift(m) | FlowRow::Broken(m) => [
            if matches!(row, FlowRow::Drift(_)) {
                "DRIFT"
            } else {
                "BROKEN"
            }
            .to_string(),
            place(&m.file, m.line, several),
            format!("{} → {}", sock(m.src, m.src_port), sock(m.dst, m.dst_port)),
            format!(
                "{}/{}",
                m.port.map_or_else(|| "-".to_string(), |p| p.to_string()),
                m.protocol
            ),
            m.observed.to_uppercase(),
            m.verdict.as_str().to_uppercase(),
            rule_of(m),
        ],
        FlowRow::Anomaly(x) => [
            "ANOMALY".to_string(),
            place(&x.file, x.line, several),
            format!("{} → {}", sock(x.src, x.src_port), sock(x.dst, x.dst_port)),
            format!("{}/{}", x.port, x.protocol),
            x.observed.to_uppercase(),
            x.severity.to_string(),
            x.kind.to_string(),
        ],
    }
}

pub fn render(app: &App, s: &FlowsState, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let th = app.theme;
    let block = super::overlay_block(
        app,
        " Observed flows · drift, broken calls, anomalies ".to_string(),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let Some(r) = super::loaded(&app.flows, th, inner, buf) else {
        return;
    };
    let w = usize::from(inner.width);
    let h = usize::from(inner.height);
    let mut lines: Vec<Line<'static>> = Vec::with_capacity(h);
    lines.push(Line::from(vec![
        Span::styled(
            format!(
                "{} · {} judged · {} as designed · ",
                plural(r.records, "record", "records"),
                r.judged,
                r.consistent
            ),
            th.text(),
        ),
        Span::styled(format!("{} drift", r.counts.drift), th.deny()),
        Span::styled(" · ", th.text()),
        Span::styled(format!("{} broken", r.counts.broken), th.warn()),
        Span::styled(
            format!(
                " · {} · {} · {} outside the design",
                plural(r.counts.anomalies, "anomaly", "anomalies"),
                plural(r.replies, "reply", "replies"),
                r.outside
            ),
            th.text(),
        ),
    ]));
    let n = app.flow_rows();
    let several = r.files.len() > 1;
    let cols: Vec<[String; 7]> = (0..n)
        .filter_map(|i| app.flow_row(i))
        .map(|row| columns(row, several))
        .collect();
    let mut wid = [0usize; 7];
    for c in &cols {
        for (k, x) in c.iter().enumerate() {
            wid[k] = wid[k].max(x.chars().count());
        }
    }
    let heads = [
        "kind",
        if several { "log:line" } else { "line" },
        "flow",
        "port",
        "observed",
        "design",
        "rule",
    ];
    for (k, hd) in heads.iter().enumerate() {
        wid[k] = wid[k].max(hd.chars().count()).min(48);
    }
    // Too wide: the log names give way first (their line numbers stay), then the flows.
    let mut excess = (wid.iter().sum::<usize>() + 2 * wid.len()).saturating_sub(w);
    for k in [1, 2] {
        let cut = excess.min(wid[k].saturating_sub(10));
        wid[k] -= cut;
        excess -= cut;
    }
    let fmt_row = |c: &[String; 7]| -> Vec<String> {
        c.iter()
            .zip(wid)
            .enumerate()
            .map(|(k, (x, cw))| {
                let x = if k == 1 { fit_left(x, cw) } else { fit(x, cw) };
                format!("{x:cw$}  ")
            })
            .collect()
    };
    let head: String = fmt_row(&heads.map(str::to_string)).concat();
    lines.push(Line::from(Span::styled(
        fit(head.trim_end(), w),
        th.title(),
    )));
    // Summary and header above the list; a blank, two lines of details and the hint below.
    let rows = h.saturating_sub(6);
    if n == 0 {
        lines.push(Line::from(Span::styled(
            "no drift, broken call or anomaly: the network did what the design says",
            th.allow(),
        )));
    }
    let off = list_offset(s.sel, n, rows);
    super::scroll_marks(app, area, off, n.saturating_sub(off + rows), buf);
    for (i, c) in cols.iter().enumerate().skip(off).take(rows) {
        let parts = fmt_row(c);
        let kind_style = match app.flow_row(i) {
            Some(FlowRow::Drift(_)) => th.deny(),
            Some(FlowRow::Broken(_)) => th.warn(),
            _ => th.text(),
        };
        let observed_style = if c[4] == "ACCEPT" {
            th.allow()
        } else {
            th.deny()
        };
        let design_style = match app.flow_row(i) {
            Some(FlowRow::Drift(m) | FlowRow::Broken(m)) => th.verdict_text(m.verdict),
            _ => th.dim(),
        };
        let styles = [
            kind_style,
            th.dim(),
            th.text(),
            th.text(),
            observed_style,
            design_style,
            th.dim(),
        ];
        let mut spans = Vec::with_capacity(7);
        let mut used = 0usize;
        for (p, st) in parts.into_iter().zip(styles) {
            let left = w.saturating_sub(used);
            if left == 0 {
                break;
            }
            let p = fit(&p, left);
            used += p.chars().count();
            let st = if i == s.sel {
                st.patch(th.selected())
            } else {
                st
            };
            spans.push(Span::styled(p, st));
        }
        lines.push(Line::from(spans));
    }
    while lines.len() < h.saturating_sub(3) {
        lines.push(Line::raw(""));
    }
    let detail = match app.flow_row(s.sel) {
        Some(FlowRow::Drift(m) | FlowRow::Broken(m)) => {
            let what = if matches!(app.flow_row(s.sel), Some(FlowRow::Drift(_))) {
                "the network accepted what the design denies"
            } else {
                "the network rejected what the design allows"
            };
            let names = format!(
                "{} ({}) → {} ({})",
                m.src_name.as_deref().unwrap_or("?"),
                m.src_zone,
                m.dst_name.as_deref().unwrap_or("?"),
                m.dst_zone
            );
            vec![
                format!(
                    "{}:{} · {what}{}",
                    short(&m.file),
                    m.line,
                    if m.reply {
                        " (a reply: judged as its request)"
                    } else {
                        ""
                    }
                ),
                format!("{names} · {}", m.reason),
            ]
        }
        Some(FlowRow::Anomaly(x)) => vec![
            format!(
                "{}:{} · {} ({})",
                short(&x.file),
                x.line,
                x.kind,
                x.severity
            ),
            x.message.clone(),
        ],
        None => vec![String::new(), String::new()],
    };
    for d in detail {
        lines.push(Line::from(Span::styled(fit(&d, w), th.text())));
    }
    lines.push(Line::from(Span::styled(
        fit(
            "↑↓ move · Enter traces the record's flow in the design · r reloads the logs · Esc closes",
            w,
        ),
        th.dim(),
    )));
    lines.truncate(h);
    Paragraph::new(lines).render(inner, buf);
}
