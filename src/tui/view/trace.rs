//! The trace panel: source, destination, port/protocol, the verdict badge, the DNS step, every
//! hop with its checks (rule set, rule, priority, action), the deciding rule with its
//! justification and classification, the fix, and a gateway's backends (serving / standby).
//! In presentation mode: the same evidence under a big verdict, in high contrast.
//!
//! Owns: the text of a trace on screen. Must never: compute a trace, change state, or panic.

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::pane_block;
use crate::engine::trace::{Check, Trace};
use crate::model::rules::Action as RuleAction;
use crate::model::{EntityRef, Kind, Verdict};
use crate::tui::action::Action;
use crate::tui::app::{App, BackendRole, Highlight, Pane, Screen};
use crate::tui::keymap::Ctx;
use crate::tui::theme::Theme;

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Allow => "ALLOW",
        Verdict::Deny => "DENY",
        Verdict::NoRoute => "NO ROUTE",
    }
}

fn flow_title(app: &App) -> String {
    let from = app.from.as_deref().unwrap_or("?");
    let to = app.to.as_deref().unwrap_or("?");
    let port = match &app.trace {
        Some(Ok(t)) => t.port,
        _ => app.port,
    };
    let port = port.map_or_else(|| "default".to_string(), |p| p.to_string());
    format!("{from} → {to}  {}/{port}", app.protocol)
}

fn check_line(th: Theme, c: &Check, deciding: bool) -> Line<'static> {
    let (mark, st) = match c.action {
        RuleAction::Allow => ("✓", th.allow()),
        RuleAction::Deny => ("✗", th.deny()),
    };
    let rule_style = if deciding {
        st.patch(th.selected())
    } else {
        st
    };
    let mut spans = vec![
        Span::raw("   "),
        Span::styled(mark.to_string(), st),
        Span::raw(" "),
        Span::styled(format!("{} ", c.rule_set), th.text()),
        Span::styled(c.rule.clone(), rule_style),
    ];
    let mut meta = String::new();
    if let Some(p) = c.priority {
        let _ = write!(meta, " {p}");
    }
    if let Some(d) = c.direction {
        meta.push_str(if d == crate::model::rules::Direction::Inbound {
            " in"
        } else {
            " out"
        });
    }
    if c.return_flow {
        meta.push_str(" return");
    }
    let _ = write!(meta, " {}", c.action);
    spans.push(Span::styled(meta, th.dim()));
    if deciding {
        spans.push(Span::styled(" ◀ decides", th.key()));
    }
    Line::from(spans)
}

/// The finding or expectation this trace was opened from, while its flow is the one traced.
fn note(app: &App) -> Option<&crate::tui::app::TraceNote> {
    app.trace_note.as_ref().filter(|n| {
        let (f, t, p, proto) = &n.flow;
        app.from.as_ref() == Some(f)
            && app.to.as_ref() == Some(t)
            && app.port == *p
            && app.protocol == *proto
    })
}

/// Why, and the fix with the key that tries it: last in the panel, first under the verdict in
/// presentation mode (so a room sees them at 80×24 without scrolling).
fn reason_and_fix(app: &App, tr: &Trace) -> Vec<Line<'static>> {
    let th = app.theme;
    let mut out = vec![Line::from(vec![
        Span::styled("reason   ", th.dim()),
        Span::styled(tr.reason.clone(), th.text()),
    ])];
    if let Some(f) = &tr.fix {
        out.push(Line::from(vec![
            Span::styled("fix      ", th.key()),
            Span::styled(f.clone(), th.text()),
        ]));
    }
    // The rule change among the fixes can be tried at once (`ApplyFix`: a what-if).
    if tr
        .fixes
        .iter()
        .any(|f| matches!(f, crate::engine::trace::fix::Fix::Rules { .. }))
    {
        out.push(keys_line(
            app,
            &[(
                Action::ApplyFix,
                "try the suggested rule change as a what-if (nothing is written)",
            )],
        ));
    }
    out
}

/// The lines of a trace (shared by the panel and presentation mode; the panel, with the badge,
/// ends with the reason and the fix, which presentation mode puts first).
pub fn trace_lines(app: &App, tr: &Trace, with_badge: bool) -> Vec<Line<'static>> {
    let th = app.theme;
    let mut out: Vec<Line<'static>> = Vec::new();
    if with_badge {
        let mut badge = vec![
            Span::styled(
                format!(" ██ {} ██ ", verdict_word(tr.verdict)),
                th.verdict(tr.verdict),
            ),
            Span::raw(" "),
        ];
        if let Some(d) = &tr.decided_by {
            badge.push(Span::styled(d.rule.clone(), th.verdict_text(tr.verdict)));
            if let Some(p) = d.priority {
                badge.push(Span::styled(format!(" ({p})"), th.dim()));
            }
        }
        out.push(Line::from(badge));
    }
    if let Some(n) = note(app) {
        out.push(Line::from(vec![
            Span::styled("from     ", th.dim()),
            Span::styled(n.text.clone(), if n.error { th.deny() } else { th.warn() }),
        ]));
    }
    if !app.disabled.is_empty() {
        let list: Vec<&str> = app.disabled.iter().map(|(s, _)| s.as_str()).collect();
        out.push(Line::from(vec![
            Span::styled("what-if  ", th.warn()),
            Span::styled(format!("disabled {}", list.join(", ")), th.warn()),
        ]));
    }
    if let (Some(a), Some(b)) = (&tr.source_zone, &tr.destination_zone) {
        out.push(Line::from(vec![
            Span::styled("zones    ", th.dim()),
            Span::styled(format!("{a} → {b}"), th.text()),
        ]));
    }
    let route = if let Some(pe) = &tr.via_private_endpoint {
        format!("private, through private endpoint {pe}")
    } else if tr.public {
        "PUBLIC: over the internet".to_string()
    } else {
        "private network path".to_string()
    };
    out.push(Line::from(vec![
        Span::styled("route    ", th.dim()),
        Span::styled(route, if tr.public { th.warn() } else { th.text() }),
    ]));
    if let Some(d) = &tr.dns {
        let ans = match (&d.answer, d.private) {
            (Some(a), true) => format!("{} → {a} private", d.name),
            (Some(a), false) => format!("{} → {a}", d.name),
            (None, _) => format!("{} → public address", d.name),
        };
        let mut spans = vec![
            Span::styled("DNS      ", th.dim()),
            Span::styled(ans, th.text()),
        ];
        if let Some(z) = &d.zone {
            spans.push(Span::styled(format!("  zone {z}"), th.dim()));
        }
        if let Some(l) = &d.linked_to {
            spans.push(Span::styled(format!(" linked to {l}"), th.dim()));
        }
        out.push(Line::from(spans));
        if !d.note.is_empty() {
            out.push(Line::from(Span::styled(
                format!("         {}", d.note),
                th.dim(),
            )));
        }
    }
    out.push(Line::from(vec![
        Span::styled("path     ", th.dim()),
        Span::styled(tr.path.join(" → "), th.text()),
    ]));
    // The route that chose each hop (route tables, SPEC §11.1).
    for h in &tr.route_hops {
        out.push(Line::from(vec![
            Span::styled("route    ", th.dim()),
            Span::styled(format!("{}: ", h.at), th.title()),
            Span::styled(
                format!(
                    "{} {} → {}",
                    h.route.table, h.route.prefix, h.route.next_hop
                ),
                th.text(),
            ),
        ]));
    }
    // NAT on the way (the plan's): a firewall's DNAT, and what the destination's rule sets saw.
    for x in &tr.translations {
        let what = if x.kind == "dnat" {
            "destination"
        } else {
            "source"
        };
        out.push(Line::from(vec![
            Span::styled("nat      ", th.dim()),
            Span::styled(format!("{}: ", x.at), th.title()),
            Span::styled(format!("{what} {} → {}", x.from, x.to), th.text()),
        ]));
    }
    // Hops: consecutive checks at the same place.
    let deciding = tr
        .deciding_check()
        .and_then(|d| tr.checks.iter().position(|c| std::ptr::eq(c, d)));
    let mut hop = 0;
    let mut last_at: Option<&str> = None;
    for (ci, c) in tr.checks.iter().enumerate() {
        if last_at != Some(c.at.as_str()) {
            hop += 1;
            last_at = Some(c.at.as_str());
            let mut spans = vec![
                Span::styled(format!("{hop:>2} "), th.key()),
                Span::styled(c.at.clone(), th.title()),
            ];
            if let Some(EntityRef::Endpoint(e)) = app.topo.find(&c.at)
                && app.topo.endpoint(e).kind == Kind::Firewall
            {
                let st = if app.highlight == Highlight::HubSpoke {
                    th.firewall(true)
                } else {
                    th.dim()
                };
                spans.push(Span::styled("  transit firewall", st));
            }
            out.push(Line::from(spans));
        }
        let is_deciding = deciding == Some(ci);
        out.push(check_line(th, c, is_deciding));
    }
    if tr.checks.is_empty() {
        out.push(Line::from(Span::styled(
            "   (no checks on this path)",
            th.dim(),
        )));
    }
    if let Some(d) = &tr.decided_by {
        out.push(Line::from(vec![
            Span::styled("decided  ", th.dim()),
            Span::styled(
                format!("{} / {}", d.rule_set, d.rule),
                th.verdict_text(tr.verdict),
            ),
            Span::styled(
                format!(
                    "{} {} at {}",
                    d.priority.map(|p| format!(" ({p})")).unwrap_or_default(),
                    d.action,
                    d.at
                ),
                th.dim(),
            ),
        ]));
        if let Some(j) = &d.justification {
            out.push(Line::from(Span::styled(
                format!("         “{j}”"),
                th.text(),
            )));
        }
        if let Some(c) = &d.classification {
            out.push(Line::from(vec![
                Span::styled("         classification ", th.dim()),
                Span::styled(c.clone(), th.warn()),
            ]));
        }
    }
    if with_badge {
        out.extend(reason_and_fix(app, tr));
    }
    if !tr.backends.is_empty() {
        out.push(Line::from(Span::styled(
            format!(
                "backends ({}) — the gateway's pool, traced from it",
                tr.backends.len()
            ),
            th.title(),
        )));
        for b in &tr.backends {
            let info = b.backend.as_ref();
            let role = match info {
                Some(i) if i.disabled => "disabled",
                Some(i) if i.serving => "serving",
                _ if b.verdict == Verdict::Allow => "standby",
                _ => "unusable",
            };
            let prio = info.map_or(1, |i| i.priority);
            let region = info.and_then(|i| i.region.clone()).unwrap_or_default();
            let mut spans = vec![
                Span::raw(" • "),
                Span::styled(b.to.clone(), th.text()),
                Span::styled(format!("  p{prio} {region}  "), th.dim()),
                Span::styled(
                    verdict_word(b.verdict).to_string(),
                    th.verdict_text(b.verdict),
                ),
                Span::styled(
                    format!("  {role}"),
                    match role {
                        "serving" => th.allow(),
                        "standby" => th.warn(),
                        _ => th.deny(),
                    },
                ),
            ];
            if let Some(d) = &b.decided_by {
                spans.push(Span::styled(
                    format!("  {} {}", d.rule_set, d.rule),
                    th.dim(),
                ));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// The multi-region summary (`m`): every gateway's pool with roles and failover.
pub fn fanout_lines(app: &App) -> Vec<Line<'static>> {
    let th = app.theme;
    let mut out = vec![Line::from(Span::styled(
        "multi-region: gateways and their backends (m)",
        th.title(),
    ))];
    if app.fanout.is_empty() {
        out.push(Line::from(Span::styled(
            "  no gateway with backends",
            th.dim(),
        )));
    }
    for f in &app.fanout {
        out.push(Line::from(vec![
            Span::styled(format!(" {} ", f.gateway), th.text()),
            Span::styled(format!("tcp/{}", f.port), th.dim()),
        ]));
        for r in &f.rows {
            let role = match r.role {
                BackendRole::Serving => "serving",
                BackendRole::Failover => "failover (when the serving ones fail)",
                BackendRole::Standby => "standby",
                BackendRole::Unused if r.down => "disabled (what-if)",
                BackendRole::Unused => "cannot take traffic",
            };
            let v = r.verdict.map_or("ERROR", verdict_word);
            out.push(Line::from(vec![
                Span::raw("   "),
                Span::styled(format!("p{} ", r.priority), th.key()),
                Span::styled(r.id.clone(), th.text()),
                Span::styled(
                    format!(" {} ", r.region.as_deref().unwrap_or("-")),
                    th.dim(),
                ),
                Span::styled(
                    v.to_string(),
                    r.verdict.map_or(th.deny(), |v| th.verdict_text(v)),
                ),
                Span::styled(
                    format!("  {role}"),
                    super::map::role_style(app, r.role, r.verdict),
                ),
            ]));
            if r.verdict != Some(Verdict::Allow) {
                out.push(Line::from(Span::styled(
                    format!("       {}", r.decided),
                    th.dim(),
                )));
            }
        }
    }
    out
}

/// Letters of the big verdict, 5 rows each.
fn glyph(c: char) -> [&'static str; 5] {
    match c {
        'A' => [" ███ ", "█   █", "█████", "█   █", "█   █"],
        'L' => ["█    ", "█    ", "█    ", "█    ", "█████"],
        'O' => [" ███ ", "█   █", "█   █", "█   █", " ███ "],
        'W' => ["█   █", "█   █", "█ █ █", "██ ██", "█   █"],
        'D' => ["████ ", "█   █", "█   █", "█   █", "████ "],
        'E' => ["█████", "█    ", "████ ", "█    ", "█████"],
        'N' => ["█   █", "██  █", "█ █ █", "█  ██", "█   █"],
        'Y' => ["█   █", " █ █ ", "  █  ", "  █  ", "  █  "],
        'R' => ["████ ", "█   █", "████ ", "█  █ ", "█   █"],
        'U' => ["█   █", "█   █", "█   █", "█   █", " ███ "],
        'T' => ["█████", "  █  ", "  █  ", "  █  ", "  █  "],
        _ => ["   ", "   ", "   ", "   ", "   "],
    }
}

/// The verdict in 5-row block letters.
pub fn big(word: &str) -> [String; 5] {
    let mut rows: [String; 5] = Default::default();
    for c in word.chars() {
        let g = glyph(c);
        for (r, part) in rows.iter_mut().zip(g) {
            r.push_str(part);
            r.push(' ');
        }
    }
    rows
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    if app.screen == Screen::Presentation {
        present(app, area, buf);
        return;
    }
    let title = format!(" Trace  {} ", flow_title(app));
    let block = pane_block(app, Pane::Trace, title);
    let mut lines = match &app.trace {
        Some(Ok(tr)) => trace_lines(app, tr, true),
        Some(Err(e)) => vec![
            Line::from(Span::styled(
                format!("cannot trace: {}", e.message),
                app.theme.deny(),
            )),
            Line::from(Span::styled(e.help.clone(), app.theme.dim())),
        ],
        None => intro(app),
    };
    if app.highlight == Highlight::MultiRegion {
        // The fan-out first: it is what `m` asks for; the trace follows.
        let mut f = fanout_lines(app);
        f.push(Line::raw(""));
        f.append(&mut lines);
        lines = f;
    }
    let width = usize::from(block.inner(area).width);
    let lines = hang(lines, width);
    let (block, scroll) = scroll_marks(app, block, lines.len(), block_height(area));
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll, 0))
        .render(area, buf);
}

fn block_height(area: Rect) -> u16 {
    area.height.saturating_sub(2)
}

/// Clamp the trace's scroll to its content (remembered for the next key) and mark on the
/// border what is above and below the visible rows.
fn scroll_marks<'a>(
    app: &App,
    block: ratatui::widgets::Block<'a>,
    rows: usize,
    height: u16,
) -> (ratatui::widgets::Block<'a>, u16) {
    let rows = u16::try_from(rows).unwrap_or(u16::MAX);
    app.trace_view.set((rows, height));
    let scroll = app.trace_scroll.min(rows.saturating_sub(height));
    let mut block = block;
    if scroll > 0 {
        block = block
            .title_top(Line::from(Span::styled(" ▲ more above ", app.theme.dim())).right_aligned());
    }
    if scroll.saturating_add(height) < rows {
        block = block.title_bottom(
            Line::from(Span::styled(" ▼ more below ", app.theme.dim())).right_aligned(),
        );
    }
    (block, scroll)
}

/// Where a wrapped line continues: under the text after a `label   ` column (`path     …`),
/// else two columns in from the line's own indentation.
fn hang_indent(chars: &[(char, Style)]) -> usize {
    let lead = chars.iter().take_while(|(c, _)| *c == ' ').count();
    let mut i = lead;
    while i < chars.len() && chars[i].0 != ' ' {
        i += 1;
    }
    let gap = chars[i..].iter().take_while(|(c, _)| *c == ' ').count();
    if gap >= 2 && i + gap <= 16 {
        i + gap
    } else {
        lead + 2
    }
}

/// Wrap lines to `width` at spaces, continuation lines indented under their text.
pub fn hang(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    if width < 8 {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let chars: Vec<(char, Style)> = line
            .spans
            .iter()
            .flat_map(|sp| {
                let st = line.style.patch(sp.style);
                sp.content.chars().map(move |c| (c, st))
            })
            .collect();
        if chars.len() <= width || line.alignment.is_some() {
            out.push(line);
            continue;
        }
        let indent = hang_indent(&chars).min(width / 2);
        let mut rest: &[(char, Style)] = &chars;
        let mut first = true;
        while !rest.is_empty() {
            let room = if first { width } else { width - indent };
            let take = if rest.len() <= room {
                rest.len()
            } else {
                // Break after the last space that fits, else hard.
                rest[..=room]
                    .iter()
                    .rposition(|(c, _)| *c == ' ')
                    .filter(|&p| p > 0)
                    .map_or(room, |p| p + 1)
            };
            let (now, later) = rest.split_at(take);
            let mut spans: Vec<Span<'static>> = Vec::new();
            if !first {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            for (c, st) in now {
                match spans.last_mut() {
                    Some(last) if last.style == *st => last.content.to_mut().push(*c),
                    _ => spans.push(Span::styled(c.to_string(), *st)),
                }
            }
            out.push(Line::from(spans));
            rest = later;
            while rest.first().is_some_and(|(c, _)| *c == ' ') {
                rest = &rest[1..];
            }
            first = false;
        }
    }
    out
}

fn intro(app: &App) -> Vec<Line<'static>> {
    let th = app.theme;
    let from = app.from.clone().unwrap_or_else(|| "—".into());
    let to = app.to.clone().unwrap_or_else(|| "—".into());
    vec![
        Line::from(Span::styled(
            "Can X reach Y on port P, and which rule decides?",
            th.title(),
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled("source       ", th.dim()),
            Span::styled(from, th.text()),
        ]),
        Line::from(vec![
            Span::styled("destination  ", th.dim()),
            Span::styled(to, th.text()),
        ]),
        Line::raw(""),
        keys_line(
            app,
            &[(Action::OpenFinder, "find anything (ids, IPs, CIDRs, FQDNs)")],
        ),
        keys_line(
            app,
            &[
                (Action::SetSource, "source   "),
                (Action::SetDest, "destination   "),
                (Action::EditPort, "port"),
            ],
        ),
        keys_line(
            app,
            &[
                (Action::Confirm, "trace   "),
                (Action::OpenMatrix, "zone matrix   "),
                (Action::Help, "help"),
            ],
        ),
    ]
}

/// A line of keys and what they do, each key as the effective keymap binds it (an action
/// bound to no key is left out).
fn keys_line(app: &App, items: &[(Action, &str)]) -> Line<'static> {
    let th = app.theme;
    let mut spans = Vec::new();
    for (a, what) in items {
        let Some(e) = app.keymap.of(Ctx::Normal).find(|e| {
            std::mem::discriminant(&e.action) == std::mem::discriminant(a) && !e.keys.is_empty()
        }) else {
            continue;
        };
        spans.push(Span::styled(format!(" {} ", e.label), th.key()));
        spans.push(Span::raw((*what).to_string()));
    }
    Line::from(spans)
}

/// Presentation mode: a big verdict and the evidence, nothing else.
fn present(app: &App, area: Rect, buf: &mut Buffer) {
    let th = app.theme;
    let Some(Ok(tr)) = &app.trace else {
        let lines = match &app.trace {
            Some(Err(e)) => vec![Line::from(Span::styled(
                format!("cannot trace: {}", e.message),
                th.deny(),
            ))],
            _ => intro(app),
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
        return;
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    // On a short screen (80×24) the verdict gives up its padding so that the reason and the
    // fix fit below it.
    let roomy = area.height >= 30;
    lines.push(Line::from(Span::styled(flow_title(app), th.title())).centered());
    if roomy {
        lines.push(Line::raw(""));
    }
    let style: Style = th.verdict(tr.verdict);
    let rows = big(verdict_word(tr.verdict));
    let bw = rows[0].chars().count() + 4;
    if usize::from(area.width) >= bw {
        if roomy {
            lines.push(Line::from(Span::styled(" ".repeat(bw), style)).centered());
        }
        for r in rows {
            lines.push(Line::from(Span::styled(format!("  {r}  "), style)).centered());
        }
        if roomy {
            lines.push(Line::from(Span::styled(" ".repeat(bw), style)).centered());
        }
    } else {
        lines.push(
            Line::from(Span::styled(
                format!(" {} ", verdict_word(tr.verdict)),
                style,
            ))
            .centered(),
        );
    }
    if roomy {
        lines.push(Line::raw(""));
    }
    if let Some(d) = &tr.decided_by {
        lines.push(
            Line::from(vec![
                Span::styled("decided by ", th.text()),
                Span::styled(
                    format!("{} / {}", d.rule_set, d.rule),
                    th.verdict_text(tr.verdict),
                ),
                Span::styled(
                    format!(
                        "{}  at {}",
                        d.priority.map(|p| format!(" ({p})")).unwrap_or_default(),
                        d.at
                    ),
                    th.text(),
                ),
            ])
            .centered(),
        );
        if let Some(j) = &d.justification {
            lines.push(Line::from(Span::styled(format!("“{j}”"), th.text())).centered());
        }
    }
    lines.push(Line::raw(""));
    lines.extend(reason_and_fix(app, tr));
    lines.push(Line::raw(""));
    lines.extend(trace_lines(app, tr, false));
    // A readable column in the middle of a wide screen.
    let cw = area.width.min(100);
    let col = Rect::new(area.x + (area.width - cw) / 2, area.y, cw, area.height);
    let lines = hang(lines, usize::from(cw));
    // No border here: the marks sit on the first and last rows of the column.
    let bare = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::TOP | ratatui::widgets::Borders::BOTTOM)
        .border_style(th.dim());
    let (block, scroll) = scroll_marks(app, bare, lines.len(), col.height.saturating_sub(2));
    Paragraph::new(lines)
        .block(block)
        .scroll((scroll, 0))
        .render(col, buf);
}
