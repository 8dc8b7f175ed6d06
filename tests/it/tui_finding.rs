//! The finding detail (issue 15 §2: "Findings: no detail view — the message and fix are cut with
//! `…`, and Enter opens the evidence trace without the finding's text"): Enter on a finding
//! opens it in full (message, what the check looks for, subject, location, fix, evidence); Enter
//! there traces the evidence with the finding's text kept above the trace; ←/→ step through the
//! findings; the scroll is clamped; drawn at 0×0, 1×1, 80×24 and 120×40.

use zonescope::tui::action::Action;
use zonescope::tui::app::{App, Mode, Pane};
use zonescope::tui::update::update;

use crate::tui_ux::{SIZES, app_of, buffer, screen};

const FLAWED: &str = "samples/flawed-design.yaml";

fn flawed(w: u16, h: u16) -> App {
    let text = std::fs::read_to_string(FLAWED).unwrap();
    app_of(&text, FLAWED, w, h)
}

/// The app with the findings pane focused on the first finding with this id.
fn on_finding(w: u16, h: u16, id: &str) -> (App, usize) {
    let mut app = flawed(w, h);
    let i = app
        .findings
        .iter()
        .position(|f| f.id == id)
        .unwrap_or_else(|| panic!("the flawed sample has a `{id}` finding"));
    app.focus = Pane::Findings;
    app.findings_sel = i;
    (app, i)
}

/// Whitespace-normalised text (the detail wraps long lines).
fn words(s: &str) -> String {
    s.replace(['│', '║'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of the overlay only (the panes behind it show at its sides).
fn overlay(app: &App) -> String {
    let b = buffer(app);
    let o = app.areas().overlay;
    let mut out = String::new();
    for y in o.top()..o.bottom() {
        for x in o.left()..o.right() {
            out.push_str(b[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn enter_opens_the_whole_finding_and_enter_again_traces_it_with_its_text() {
    let (mut app, i) = on_finding(120, 40, "app-direct-ai");
    let f = app.findings[i].clone();
    // The list cuts the message: the detail is the only place it is whole.
    assert!(f.message.len() > 120, "a long message: {}", f.message);
    update(&mut app, Action::Confirm);
    assert!(
        matches!(app.mode, Mode::Finding(d) if d.index == i),
        "Enter on a finding opens it in full, got {:?}",
        app.mode
    );
    let s = words(&overlay(&app));
    assert!(
        s.contains(&words(&f.message)),
        "whole message on screen:\n{s}"
    );
    let fix = f.fix.clone().expect("app-direct-ai has a fix");
    assert!(s.contains(&words(&fix)), "whole fix on screen:\n{s}");
    assert!(s.contains(&format!("Subject {}", f.subject)), "{s}");
    assert!(
        s.contains(&format!(
            "Where {}:{}:{}",
            f.location.file, f.location.line, f.location.column
        )),
        "{s}"
    );
    let ev = f.evidence.clone().expect("app-direct-ai has evidence");
    assert!(
        s.contains(&format!("Evidence {} → {}", ev.from, ev.to)),
        "{s}"
    );
    // Enter traces the evidence; the trace pane keeps the finding's text above the trace.
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.mode);
    assert_eq!(app.focus, Pane::Trace);
    assert_eq!(app.from.as_deref(), Some(ev.from.as_str()));
    assert_eq!(app.to.as_deref(), Some(ev.to.as_str()));
    let s = words(&screen(&app));
    assert!(s.contains("from finding app-direct-ai:"), "{s}");
    // Once another flow is traced, the note goes: it belongs to the finding's flow only.
    update(&mut app, Action::Swap);
    assert!(!words(&screen(&app)).contains("from finding app-direct-ai:"));
}

#[test]
fn a_finding_without_a_flow_says_so_and_stays_open() {
    let (mut app, i) = on_finding(120, 40, "shadowed-rule");
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Finding(_)));
    let s = words(&overlay(&app));
    assert!(
        s.contains("Evidence none: this finding is about the file"),
        "{s}"
    );
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Finding(d) if d.index == i));
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(m, _)| m.contains("no flow to trace"))
    );
    update(&mut app, Action::Cancel);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.focus, Pane::Findings);
}

#[test]
fn left_and_right_step_through_the_findings_and_stop_at_the_ends() {
    let mut app = flawed(120, 40);
    app.focus = Pane::Findings;
    app.findings_sel = 0;
    update(&mut app, Action::Confirm);
    update(&mut app, Action::Left);
    assert!(matches!(app.mode, Mode::Finding(d) if d.index == 0));
    let n = app.findings.len();
    for _ in 0..n + 3 {
        update(&mut app, Action::Right);
    }
    assert!(matches!(app.mode, Mode::Finding(d) if d.index == n - 1));
    assert_eq!(app.findings_sel, n - 1, "the list follows the detail");
    let s = overlay(&app);
    assert!(s.contains(&format!("Finding {n} of {n}")), "{s}");
}

#[test]
fn the_scroll_is_clamped_and_marked() {
    // dns-not-private has the longest message: at 80×24 the detail is taller than the box.
    let (mut app, _) = on_finding(80, 24, "dns-not-private");
    update(&mut app, Action::Confirm);
    let first = overlay(&app);
    assert!(first.contains("more below"), "{first}");
    for _ in 0..200 {
        update(&mut app, Action::Down);
    }
    let Mode::Finding(d) = app.mode else {
        panic!("still open")
    };
    let (rows, height) = app.finding_view.get();
    assert!(rows > height, "the detail is taller than its box");
    assert_eq!(d.scroll, rows - height, "clamped at the last line");
    let bottom = overlay(&app);
    assert!(
        bottom.contains("more above") && !bottom.contains("more below"),
        "{bottom}"
    );
    update(&mut app, Action::Up);
    update(&mut app, Action::Home);
    assert_eq!(overlay(&app), first, "Home brings the top back");
}

#[test]
fn the_detail_draws_at_every_size() {
    for (w, h) in SIZES {
        let (mut app, _) = on_finding(w.max(80), h.max(24), "management-exposed");
        update(&mut app, Action::Confirm);
        update(&mut app, Action::Resize(w, h));
        let s = screen(&app);
        if w >= 80 {
            insta::assert_snapshot!(format!("finding_detail_{w}x{h}"), s);
        }
    }
}
