//! The map: one hub-and-spoke star per region, regions side by side (wrapping when they do not
//! fit), private links (┄▸) and gateway backends (⇢) as distinct lines. The traced path is
//! painted on it; `h` emphasises hubs, spokes and transit firewalls; `m` colours each backend
//! by its verdict and role.
//!
//! Owns: placing the precomputed map blocks. Must never: lay the map out per frame (the App
//! holds it), change state, or panic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::pane_block;
use crate::model::Verdict;
use crate::tui::app::{App, BackendRole, Highlight, Pane, Seg, SegClass};

fn seg_style(app: &App, s: &Seg) -> Style {
    let th = app.theme;
    let hs = app.highlight == Highlight::HubSpoke;
    if let Some(id) = &s.id {
        let down = match app.topo.find(id) {
            Some(crate::model::EntityRef::Endpoint(e)) => app.whatif.endpoint_down(&app.topo, e),
            Some(crate::model::EntityRef::Network(n)) => app.whatif.network_down(&app.topo, n),
            _ => app.whatif.regions.contains(id),
        };
        if down {
            return th.disabled();
        }
        if app.on_path.contains(id) {
            return th.path();
        }
    }
    if let Some((a, b)) = &s.link {
        if app.on_path.contains(a) && app.on_path.contains(b) {
            return th.path();
        }
        if app.highlight == Highlight::MultiRegion && s.text.contains('⇢') {
            return backend_style(app, a, b);
        }
    }
    if app.highlight == Highlight::MultiRegion
        && s.class == SegClass::Backend
        && let Some(id) = &s.id
    {
        for f in &app.fanout {
            if let Some(r) = f.rows.iter().find(|r| &r.id == id) {
                return role_style(app, r.role, r.verdict);
            }
        }
    }
    match s.class {
        SegClass::Title => th.title(),
        SegClass::Hub => th.hub(hs),
        SegClass::Spoke => th.spoke(hs),
        SegClass::Firewall => th.firewall(hs),
        SegClass::Connector => {
            if hs {
                th.hub(false)
            } else {
                th.dim()
            }
        }
        SegClass::Peering => th.hub(false),
        SegClass::PrivateLink | SegClass::Service => th.spoke(false),
        SegClass::Backend | SegClass::Standalone => th.text(),
        SegClass::Note => th.dim(),
        SegClass::FlowAccepted => th.allow(),
        SegClass::FlowRejected => th.deny(),
    }
}

pub fn role_style(app: &App, role: BackendRole, v: Option<Verdict>) -> Style {
    app.theme.backend(role, v == Some(Verdict::Allow))
}

fn backend_style(app: &App, gw: &str, be: &str) -> Style {
    for f in app.fanout.iter().filter(|f| f.gateway == gw) {
        if let Some(r) = f.rows.iter().find(|r| r.id == be) {
            return role_style(app, r.role, r.verdict);
        }
    }
    app.theme.dim()
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let legend = match app.highlight {
        Highlight::Path => " Map ",
        Highlight::HubSpoke => " Map · hub-and-spoke (h) ",
        Highlight::MultiRegion => " Map · multi-region backends (m) ",
    };
    let block = pane_block(app, Pane::Map, legend);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    // The height of the whole map at this width: the scroll stops at its last screenful.
    let rows = map_rows(app, inner.width);
    let height = u32::from(inner.height);
    let scroll = u32::from(app.map_scroll).min(rows.saturating_sub(height));
    app.map_view
        .set((u16::try_from(rows).unwrap_or(u16::MAX), inner.height));
    super::scroll_marks(
        app,
        area,
        scroll as usize,
        rows.saturating_sub(scroll + height) as usize,
        buf,
    );
    // Place blocks left to right, wrapping into bands.
    let mut x = 0u16;
    let mut band_y = 0u32;
    let mut band_h = 0u32;
    for b in &app.map {
        let bw = if b.full {
            inner.width
        } else {
            b.width.min(inner.width)
        };
        if x > 0 && (b.full || x + bw > inner.width) {
            x = 0;
            band_y += band_h + 1;
            band_h = 0;
        }
        band_h = band_h.max(b.lines.len() as u32);
        if band_y >= scroll + u32::from(inner.height) {
            break;
        }
        for (li, line) in b.lines.iter().enumerate() {
            let y = band_y + li as u32;
            if y < scroll || y >= scroll + u32::from(inner.height) {
                continue;
            }
            let sy = inner.y + (y - scroll) as u16;
            let mut cx = inner.x + x;
            let right = inner.x + x + bw;
            for s in line {
                if cx >= right {
                    break;
                }
                let room = usize::from(right - cx);
                let (nx, _) = buf.set_stringn(cx, sy, &s.text, room, seg_style(app, s));
                cx = nx;
            }
        }
        x = x.saturating_add(bw + 2);
    }
}

/// Rows the map takes at `width` columns: its blocks placed in bands as `render` places them.
fn map_rows(app: &App, width: u16) -> u32 {
    let mut x = 0u16;
    let mut band_y = 0u32;
    let mut band_h = 0u32;
    for b in &app.map {
        let bw = if b.full { width } else { b.width.min(width) };
        if x > 0 && (b.full || x + bw > width) {
            x = 0;
            band_y += band_h + 1;
            band_h = 0;
        }
        band_h = band_h.max(b.lines.len() as u32);
        x = x.saturating_add(bw + 2);
    }
    band_y + band_h
}
