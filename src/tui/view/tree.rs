//! The explorer tree: regions → networks (HUB/SPOKE badges) → subnets coloured by zone →
//! endpoints; PaaS services under their zone. Marks the traced path, the flow's ends and what a
//! what-if disabled.
//!
//! Owns: drawing the visible tree rows only. Must never: walk every row of a large topology
//! per frame, change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{fit, pane_block};
use crate::model::{EntityRef, Kind, Role};
use crate::tui::app::{App, Highlight, Pane, RowKind, row_key};
use crate::tui::layout::list_offset;

/// The glyph of an endpoint kind.
pub fn glyph(k: Kind) -> &'static str {
    match k {
        Kind::Firewall => "◆",
        Kind::PrivateEndpoint => "◇",
        Kind::Gateway => "▣",
        Kind::AiService => "✦",
        Kind::Storage | Kind::VectorDb => "▤",
        Kind::Bastion | Kind::Jumpbox => "⌂",
        Kind::Internet | Kind::Onprem => "☁",
        _ => "●",
    }
}

#[allow(clippy::many_single_char_names)] // x, y, w, h: the geometry's usual names
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let title = format!(" Explorer {}/{} ", app.tree_sel + 1, app.tree.len());
    let block = pane_block(app, Pane::Tree, title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let h = usize::from(inner.height);
    let w = usize::from(inner.width);
    let off = list_offset(app.tree_sel, app.tree.len(), h);
    super::scroll_marks(app, area, off, app.tree.len().saturating_sub(off + h), buf);
    let th = app.theme;
    let t = &app.topo;
    let hubspoke = app.highlight == Highlight::HubSpoke;
    let mut lines = Vec::with_capacity(h);
    for (vi, &ri) in app.tree.iter().enumerate().skip(off).take(h) {
        let Some(row) = app.tree_all.get(ri) else {
            continue;
        };
        let indent = "  ".repeat(usize::from(row.depth));
        let folded = app.collapsed.contains(&row_key(t, &row.kind));
        let arrow = if row.children == 0 {
            "  "
        } else if folded {
            "▸ "
        } else {
            "▾ "
        };
        let (name, mut style, badge, badge_style, down) = match &row.kind {
            RowKind::Region(r) => (
                r.clone(),
                th.title(),
                String::new(),
                th.dim(),
                app.whatif.regions.contains(r),
            ),
            RowKind::Services => (
                "PaaS services".to_string(),
                th.title(),
                String::new(),
                th.dim(),
                false,
            ),
            RowKind::Zone(z) => (
                t.zone(*z).id.clone(),
                th.zone(z.index()),
                "zone".into(),
                th.dim(),
                false,
            ),
            RowKind::Network(n) => {
                let net = t.network(*n);
                let (badge, st) = match net.role {
                    Role::Hub => ("HUB", th.hub(hubspoke)),
                    Role::Spoke => ("SPOKE", th.spoke(hubspoke)),
                    Role::Standalone => ("", th.text()),
                };
                (
                    net.id.clone(),
                    st,
                    badge.to_string(),
                    st,
                    app.whatif.network_down(t, *n),
                )
            }
            RowKind::Subnet(s) => {
                let sn = t.subnet(*s);
                let (zst, zname) = sn.zone.map_or((th.text(), String::new()), |z| {
                    (th.zone(z.index()), t.zone(z).id.clone())
                });
                (sn.id.clone(), zst, zname, zst, false)
            }
            RowKind::Endpoint(e) => {
                let ep = t.endpoint(*e);
                let fw_transit = hubspoke && ep.kind == Kind::Firewall;
                let st = if fw_transit {
                    th.firewall(true)
                } else if ep.kind == Kind::Firewall {
                    th.firewall(false)
                } else {
                    th.text()
                };
                let detail = match (&ep.ip, &ep.region) {
                    (Some(ip), _) => ip.to_string(),
                    (None, Some(r)) if ep.is_paas() => r.clone(),
                    _ => String::new(),
                };
                (
                    format!("{} {}", glyph(ep.kind), ep.id),
                    st,
                    detail,
                    th.dim(),
                    app.whatif.endpoint_down(t, *e),
                )
            }
        };
        let id = crate::tui::app::row_id(t, &row.kind).unwrap_or("");
        let on_path = !id.is_empty()
            && app.on_path.contains(id)
            && !matches!(row.kind, RowKind::Region(_) | RowKind::Zone(_));
        let mut mark = String::new();
        if app.from.as_deref() == Some(id) {
            mark.push_str(" ◀S");
        }
        if app.to.as_deref() == Some(id) {
            mark.push_str(" ◀D");
        }
        if down {
            mark.push_str(" off");
        }
        if down {
            style = th.disabled();
        } else if on_path {
            style = th.path();
        }
        if matches!(t.find(id), Some(EntityRef::Network(_))) && down {
            style = th.disabled();
        }
        let head = format!("{indent}{arrow}");
        let used = head.chars().count();
        let name_len = name.chars().count();
        let mark_w = mark.chars().count();
        // The name comes first: the badge (zone, address) goes when there is no room for both.
        let keep_badge = matches!(row.kind, RowKind::Network(_))
            || used + name_len + badge.chars().count() + mark_w < w;
        let badge = if keep_badge { badge } else { String::new() };
        let tail_w = badge.chars().count() + mark_w;
        let name = fit(&name, w.saturating_sub(used + tail_w + 1).max(4));
        let pad = w.saturating_sub(used + name.chars().count() + tail_w);
        let mut spans = vec![
            Span::styled(head, th.dim()),
            Span::styled(name, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(badge, if down { th.disabled() } else { badge_style }),
        ];
        if !mark.is_empty() {
            spans.push(Span::styled(mark, th.key()));
        }
        let mut line = Line::from(spans);
        if vi == app.tree_sel {
            line = line.patch_style(th.selected());
        }
        lines.push(line);
    }
    Paragraph::new(lines).render(inner, buf);
}
