//! The explorer drawn into a `TestBackend`: whole-screen snapshots at 120×40 and 80×24 (demo,
//! allowed and denied traces, help, finder, matrix, what-if, presentation, a reload error),
//! every pane at 0×0 and 1×1, and random action sequences that must never panic.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use zonescope::model::load_str;
use zonescope::tui::action::Action;
use zonescope::tui::app::{App, DEMO, Mode};
use zonescope::tui::theme::Theme;
use zonescope::tui::update::update;
use zonescope::tui::view;

fn demo(w: u16, h: u16) -> App {
    let mut app = App::demo(Theme::plain());
    update(&mut app, Action::Resize(w, h));
    app
}

fn traced(w: u16, h: u16, from: &str, to: &str, port: u16) -> App {
    let mut app = demo(w, h);
    app.from = Some(from.into());
    app.to = Some(to.into());
    app.port = Some(port);
    app.recompute();
    app.reveal(from);
    app
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let mut line = String::new();
        for x in a.left()..a.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn screen(app: &App) -> String {
    let (w, h) = app.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::render(f, app)).unwrap();
    text(term.backend().buffer())
}

fn typed(app: &mut App, s: &str) {
    for c in s.chars() {
        update(app, Action::Input(c));
    }
}

macro_rules! snap {
    ($name:expr, $app:expr) => {
        insta::assert_snapshot!($name, screen(&$app))
    };
}

#[test]
fn demo_screens() {
    snap!("demo_120x40", demo(120, 40));
    snap!("demo_80x24", demo(80, 24));
}

#[test]
fn allowed_trace() {
    let app = traced(120, 40, "web", "apim", 443);
    let s = screen(&app);
    assert!(s.contains("ALLOW"));
    assert!(s.contains("ZP-001"));
    snap!("allowed_120x40", app);
    snap!("allowed_80x24", traced(80, 24, "web", "apim", 443));
}

#[test]
fn denied_trace() {
    let app = traced(120, 40, "web", "aoai-eus", 443);
    let s = screen(&app);
    assert!(s.contains("DENY"));
    assert!(s.contains("eus-deny-app-to-ai"));
    snap!("denied_120x40", app);
    snap!("denied_80x24", traced(80, 24, "web", "aoai-eus", 443));
}

#[test]
fn help_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = demo(w, h);
        update(&mut app, Action::Help);
        snap!(format!("help_{w}x{h}"), app);
    }
}

#[test]
fn help_lists_every_binding() {
    // Tall enough for the whole help without scrolling (its scroll has its own tests).
    let mut app = demo(200, 150);
    update(&mut app, Action::Help);
    let s = screen(&app);
    for b in zonescope::tui::keymap::BINDINGS {
        assert!(s.contains(b.help), "help misses {:?}", b.label);
    }
}

#[test]
fn finder_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = demo(w, h);
        update(&mut app, Action::OpenFinder);
        typed(&mut app, "aoai");
        snap!(format!("finder_{w}x{h}"), app);
    }
}

#[test]
fn matrix_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = demo(w, h);
        update(&mut app, Action::OpenMatrix);
        app.settle();
        update(&mut app, Action::Down);
        update(&mut app, Action::Down);
        update(&mut app, Action::Right);
        update(&mut app, Action::Right);
        update(&mut app, Action::Right);
        snap!(format!("matrix_{w}x{h}"), app);
    }
}

#[test]
fn what_if_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = traced(w, h, "apim", "aoai-eus", 443);
        app.reveal("pe-aoai-eus");
        app.focus = zonescope::tui::app::Pane::Tree;
        update(&mut app, Action::WhatIf);
        let s = screen(&app);
        assert!(s.contains("pe-aoai-eus"));
        assert!(s.contains("PUBLIC"), "the public fallback is shown");
        snap!(format!("whatif_{w}x{h}"), app);
    }
}

#[test]
fn multi_region_screen() {
    let mut app = traced(120, 40, "web", "apim", 443);
    update(&mut app, Action::ToggleMultiRegion);
    snap!("multiregion_120x40", app);
}

#[test]
fn presentation_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = traced(w, h, "web", "aoai-eus", 443);
        update(&mut app, Action::Present);
        let s = screen(&app);
        assert!(s.contains("█████"), "big letters");
        assert!(!s.contains("Explorer"), "secondary panes hidden");
        snap!(format!("present_{w}x{h}"), app);
    }
}

#[test]
fn reload_error_screen() {
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = traced(w, h, "web", "apim", 443);
        let bad = load_str(
            &DEMO.replace("cidr: 10.3.1.0/24", "cidr: 10.3.1.0/99"),
            "design.yaml",
        );
        update(&mut app, Action::Loaded(Box::new(bad)));
        let s = screen(&app);
        assert!(s.contains("reload failed"));
        assert!(s.contains("design.yaml:"), "file:line:col shown");
        snap!(format!("reload_error_{w}x{h}"), app);
    }
}

#[test]
fn too_small_says_what_is_needed() {
    let app = demo(60, 20);
    let s = screen(&app);
    assert!(s.contains("80×24"), "{s}");
}

#[test]
fn no_color_screens_have_no_colour() {
    let app = traced(120, 40, "web", "aoai-eus", 443);
    let (w, h) = app.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::render(f, &app)).unwrap();
    let buf = term.backend().buffer();
    for c in &buf.content {
        assert_eq!(c.fg, ratatui::style::Color::Reset);
        assert_eq!(c.bg, ratatui::style::Color::Reset);
    }
}

#[test]
fn the_matrix_is_announced_on_screen_before_it_is_computed() {
    let mut app = demo(120, 40);
    update(&mut app, Action::OpenMatrix);
    assert!(app.matrix.is_none(), "update computed the matrix itself");
    let s = screen(&app);
    assert!(s.contains("computing the zone matrix"), "{s}");
    app.settle();
    let s = screen(&app);
    assert!(!s.contains("computing the zone matrix"), "{s}");
    assert!(s.contains("without a route"), "{s}");
    // A new port asks for it again.
    update(&mut app, Action::EditPort);
    typed(&mut app, "0");
    update(&mut app, Action::Confirm);
    assert!(app.matrix_pending());
    assert!(screen(&app).contains("computing the zone matrix"));
    app.settle();
    assert!(!app.matrix_pending());
}

/// Every pane, every overlay, at 0×0 and 1×1 (and a few odd sizes).
#[test]
fn panes_render_in_tiny_areas() {
    let mut apps = vec![traced(120, 40, "web", "apim", 443)];
    let mut f = demo(120, 40);
    update(&mut f, Action::OpenFinder);
    typed(&mut f, "zz");
    apps.push(f);
    let mut m = demo(120, 40);
    update(&mut m, Action::OpenMatrix);
    apps.push(m);
    let mut m = demo(120, 40);
    update(&mut m, Action::OpenMatrix);
    m.settle();
    apps.push(m);
    let mut p = demo(120, 40);
    update(&mut p, Action::EditPort);
    apps.push(p);
    let mut pr = traced(120, 40, "web", "apim", 443);
    update(&mut pr, Action::Present);
    update(&mut pr, Action::ToggleMultiRegion);
    apps.push(pr);
    for app in &apps {
        for (w, h) in [(0, 0), (1, 1), (2, 1), (1, 3), (5, 2), (3, 30)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            view::tree::render(app, area, &mut buf);
            view::map::render(app, area, &mut buf);
            view::trace::render(app, area, &mut buf);
            view::rules::render(app, area, &mut buf);
            view::findings::render(app, area, &mut buf);
            view::footer::render(app, area, &mut buf);
            view::footer::status(app, area, &mut buf);
            view::help::render(app, 0, area, &mut buf);
            view::matrix::render(
                app,
                &zonescope::tui::app::MatrixState { row: 9, col: 9 },
                area,
                &mut buf,
            );
            if let Mode::Finder(fs) = &app.mode {
                view::finder::render(app, fs, area, &mut buf);
            }
            view::finder::render_port(
                app,
                &zonescope::tui::app::PortState::default(),
                area,
                &mut buf,
            );
            view::draw(app, area, &mut buf);
        }
    }
}

/// Whole screens at sizes from 0×0 up, in every mode.
#[test]
fn whole_screen_at_any_size() {
    for (w, h) in [
        (0, 0),
        (1, 1),
        (79, 23),
        (80, 24),
        (81, 25),
        (110, 30),
        (300, 100),
    ] {
        let mut app = traced(w, h, "web", "aoai-eus", 443);
        let _ = screen(&app);
        for a in [
            Action::Help,
            Action::Cancel,
            Action::OpenFinder,
            Action::Cancel,
            Action::OpenMatrix,
        ] {
            update(&mut app, a);
            let _ = screen(&app);
        }
    }
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Up),
        Just(Action::Down),
        Just(Action::PageUp),
        Just(Action::PageDown),
        Just(Action::Home),
        Just(Action::End),
        Just(Action::Left),
        Just(Action::Right),
        Just(Action::Toggle),
        Just(Action::FocusNext),
        Just(Action::FocusPrev),
        Just(Action::Confirm),
        Just(Action::Cancel),
        Just(Action::OpenFinder),
        any::<char>().prop_map(Action::Input),
        prop::sample::select(vec!['w', 'e', 'b', 'a', 'p', 'i', 'm', '4', '3', '/', 'u'])
            .prop_map(Action::Input),
        Just(Action::Backspace),
        Just(Action::SetSource),
        Just(Action::SetDest),
        Just(Action::EditPort),
        Just(Action::Swap),
        Just(Action::ToggleHubSpoke),
        Just(Action::ToggleMultiRegion),
        Just(Action::WhatIf),
        Just(Action::ResetWhatIf),
        Just(Action::OpenMatrix),
        Just(Action::OpenFlows),
        Just(Action::Help),
        Just(Action::Present),
        Just(Action::Reload),
        (0u16..200, 0u16..60).prop_map(|(w, h)| Action::Resize(w, h)),
        (0u16..130, 0u16..45).prop_map(|(x, y)| Action::Click(x, y)),
        (0u16..130, 0u16..45).prop_map(|(x, y)| Action::ScrollUp(x, y)),
        (0u16..130, 0u16..45).prop_map(|(x, y)| Action::ScrollDown(x, y)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_actions_never_panic(actions in prop::collection::vec(action(), 0..60)) {
        let mut app = demo(120, 40);
        for a in actions {
            update(&mut app, a);
            let (w, h) = app.size;
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            view::draw(&app, area, &mut buf);
            app.settle();
        }
    }

    #[test]
    fn random_actions_with_flows_never_panic(actions in prop::collection::vec(action(), 0..40)) {
        let mut app = with_flows(120, 40);
        for a in actions {
            update(&mut app, a);
            let (w, h) = app.size;
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            view::draw(&app, area, &mut buf);
            app.settle();
        }
    }
}

/// The cells where `needle` is written inside `area`, as (x, y) of its first character.
fn find(buf: &Buffer, area: Rect, needle: &str) -> Option<(u16, u16)> {
    for y in area.top()..area.bottom() {
        let mut row = String::new();
        let mut xs = Vec::new();
        for x in area.left()..area.right() {
            let sym = buf[(x, y)].symbol();
            for _ in sym.chars() {
                xs.push(x);
            }
            row.push_str(sym);
        }
        if let Some(i) = row.find(needle) {
            let ci = row[..i].chars().count();
            return Some((xs[ci], y));
        }
    }
    None
}

#[test]
fn the_path_is_marked_on_the_map_and_in_the_tree() {
    use ratatui::style::Modifier;
    let app = traced(120, 40, "web", "aoai-eus", 443);
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| view::render(f, &app)).unwrap();
    let buf = term.backend().buffer().clone();
    let areas = app.areas();
    let marked = |area: Rect, id: &str| {
        let (x, y) = find(&buf, area, id).unwrap_or_else(|| panic!("{id} not drawn"));
        buf[(x, y)].modifier.contains(Modifier::UNDERLINED)
    };
    // On the path: the spoke, the hub and its firewall; not on it: the data spoke.
    assert!(marked(areas.map, "spoke-app"));
    assert!(marked(areas.map, "fw-eus"));
    assert!(!marked(areas.map, "spoke-data"));
    assert!(marked(areas.tree, "spoke-ai"));
    assert!(!marked(areas.tree, "spoke-data"));
}

const AWS_DOC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);
const AWS_V2_LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/flowlogs/aws-vpc-v2-examples.log"
);

/// The explorer on the AWS documentation design with its v2 flow-log examples, read as the
/// event loop reads them.
fn with_flows(w: u16, h: u16) -> App {
    let t = zonescope::model::load(std::path::Path::new(AWS_DOC)).unwrap();
    // A relative origin: the snapshots do not depend on where the repository is.
    let mut app = App::new(
        t,
        zonescope::tui::app::Origin::File("tests/fixtures/flows/aws-doc.yaml".into()),
        Theme::plain(),
    );
    update(&mut app, Action::Resize(w, h));
    app.flow_logs = vec![AWS_V2_LOG.to_string()];
    let r = zonescope::tui::flow_report(&app);
    update(&mut app, Action::FlowsLoaded(Box::new(r)));
    app
}

#[test]
fn flows_are_painted_on_the_map() {
    let mut app = with_flows(120, 40);
    app.focus = zonescope::tui::app::Pane::Map;
    let s = screen(&app);
    assert!(s.contains("observed traffic"), "{s}");
    assert!(s.contains("application → application"), "{s}");
    assert!(s.contains("✘"), "{s}");
    snap!("flows_map_120x40", app);
}

#[test]
fn flows_list_and_trace() {
    let mut app = with_flows(120, 40);
    update(&mut app, Action::OpenFlows);
    assert!(matches!(app.mode, Mode::Flows(_)));
    let s = screen(&app);
    assert!(s.contains("DRIFT"), "{s}");
    assert!(s.contains("BROKEN"), "{s}");
    assert!(s.contains("172.31.16.139"), "{s}");
    assert!(s.contains("sg-web/"), "{s}");
    snap!("flows_list_120x40", app);
    // Enter traces the first drift record: the SSH to web-2 the design denies.
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.from.as_deref(), Some("172.31.16.139"));
    assert_eq!(app.to.as_deref(), Some("172.31.16.21"));
    assert_eq!(app.port, Some(22));
    let s = screen(&app);
    assert!(s.contains("DENY"), "{s}");
    snap!("flows_traced_120x40", app);
    for (w, h) in [(0, 0), (1, 1), (80, 24), (79, 23)] {
        let mut a = with_flows(w, h);
        update(&mut a, Action::OpenFlows);
        let _ = screen(&a);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        view::flows::render(
            &a,
            &zonescope::tui::app::FlowsState { sel: 99 },
            area,
            &mut buf,
        );
    }
}

#[test]
fn flows_read_error_is_shown() {
    let mut app = with_flows(120, 40);
    update(
        &mut app,
        Action::FlowsLoaded(Box::new(Err("cannot read x.log: missing".into()))),
    );
    update(&mut app, Action::OpenFlows);
    let s = screen(&app);
    assert!(s.contains("cannot read x.log"), "{s}");
}

#[test]
fn a_click_selects_a_matrix_cell_and_a_second_click_opens_its_trace() {
    let mut app = demo(120, 40);
    update(&mut app, Action::OpenMatrix);
    app.settle();
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    term.draw(|f| view::render(f, &app)).unwrap();
    let buf = term.backend().buffer().clone();
    let overlay = app.areas().overlay;
    // The "inference" row and the "data" column, as drawn.
    let (_, y) = find(&buf, overlay, "║inference").expect("the inference row");
    let (hx, _) = find(&buf, overlay, "        data").expect("the data column");
    let x = hx + 10; // inside the right-aligned header, so inside the cell below it
    update(&mut app, Action::Click(x, y));
    let Mode::Matrix(m) = &app.mode else {
        panic!("the click closed the matrix: {:?}", app.mode)
    };
    let Some(Ok(mx)) = &app.matrix else { panic!() };
    assert_eq!(
        (mx.rows[m.row].as_str(), mx.columns[m.col].as_str()),
        ("inference", "data")
    );
    // A click on the border or the legend selects nothing.
    update(&mut app, Action::Click(overlay.x, overlay.y));
    assert!(matches!(app.mode, Mode::Matrix(_)));
    update(&mut app, Action::Click(x, y));
    assert_eq!(app.mode, Mode::Normal);
    let tr = app
        .trace
        .as_ref()
        .expect("a trace")
        .as_ref()
        .expect("traced");
    assert_eq!(tr.source_zone.as_deref(), Some("inference"));
    assert_eq!(tr.destination_zone.as_deref(), Some("data"));
}

/// SPEC §13 in the explorer: `f` applies the trace's first `rules` fix as a what-if — the
/// changed design is traced at once, nothing is written, and `W` undoes it.
#[test]
fn apply_fix_as_what_if_traces_the_changed_design_at_once() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use zonescope::tui::keymap::{Ctx, lookup};
    let mut app = traced(120, 40, "web", "jumpbox", 22);
    let before = app.trace.as_ref().unwrap().as_ref().unwrap().verdict;
    assert_eq!(before, zonescope::model::Verdict::Deny);
    let text_before = app.topo.text.clone();
    // The trace pane offers the key below the fix (issue 15: only the help listed it).
    let s = screen(&traced(120, 100, "web", "jumpbox", 22));
    assert!(s.contains(" f try the suggested"), "{s}");
    let key = KeyEvent::new(KeyCode::Char('f'), KeyModifiers::NONE);
    let act = lookup(Ctx::Normal, key).expect("f is bound");
    update(&mut app, act);
    let tr = app.trace.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        tr.verdict,
        zonescope::model::Verdict::Allow,
        "{}",
        tr.reason
    );
    assert_eq!(app.topo.text, text_before, "nothing written");
    assert!(screen(&app).contains("nothing written"));
    update(&mut app, Action::ResetWhatIf);
    let tr = app.trace.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(tr.verdict, zonescope::model::Verdict::Deny);
}

/// The port editor selects the old value on entry (typing `5432` over `443` gives 5432, not
/// 4435432), and Ctrl-U clears the line.
#[test]
fn port_editor_replaces_the_old_value_and_ctrl_u_clears() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use zonescope::tui::keymap::{Ctx, lookup};
    let mut app = traced(120, 40, "web", "apim", 443);
    update(&mut app, Action::EditPort);
    assert!(screen(&app).contains("typing replaces it"));
    typed(&mut app, "5432");
    update(&mut app, Action::Confirm);
    assert_eq!(app.port, Some(5432));
    update(&mut app, Action::EditPort);
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    let act = lookup(Ctx::Port, ctrl_u).expect("Ctrl-U is bound in the port editor");
    update(&mut app, act);
    match &app.mode {
        Mode::Port(p) => assert_eq!(p.input, ""),
        other => panic!("{other:?}"),
    }
    typed(&mut app, "22");
    update(&mut app, Action::Confirm);
    assert_eq!(app.port, Some(22));
}

/// The trace pane stops scrolling at its last screenful (`G`/End and `j` past the end never
/// leave it blank, `k` brings rows back at once) and marks what is above and below.
#[test]
fn trace_scroll_is_clamped_with_more_above_and_below_marks() {
    use zonescope::tui::app::Pane;
    let mut app = traced(80, 24, "web", "aoai-eus", 443);
    app.focus = Pane::Trace;
    let top = screen(&app);
    assert!(top.contains("more below"), "{top}");
    update(&mut app, Action::End);
    for _ in 0..50 {
        update(&mut app, Action::Down);
    }
    let bottom = screen(&app);
    assert!(bottom.contains("more above"), "{bottom}");
    assert!(!bottom.contains("more below"), "{bottom}");
    let (rows, height) = app.trace_view.get();
    assert_eq!(
        app.trace_scroll,
        rows - height,
        "clamped to the last screenful"
    );
    update(&mut app, Action::Up);
    assert_eq!(app.trace_scroll, rows - height - 1, "one k is one row back");
    if std::env::var_os("ZS_PRINT_SCREENS").is_some() {
        eprintln!("--- top ---\n{top}--- after G ---\n{bottom}");
    }
}

/// `m` after `h`: the status line speaks of the multi-region view, not of the hub-and-spoke
/// one; the `h` message counts in good English.
#[test]
fn m_status_line_replaces_the_h_message() {
    let mut app = traced(120, 40, "web", "apim", 443);
    update(&mut app, Action::ToggleHubSpoke);
    let h = app.status.clone().unwrap().0;
    assert!(h.starts_with("hub-and-spoke: 2 hubs"), "{h}");
    update(&mut app, Action::ToggleMultiRegion);
    let m = app.status.clone().unwrap().0;
    assert!(m.starts_with("multi-region:"), "{m}");
    assert!(!screen(&app).contains("hub-and-spoke:"));
}

/// Presentation mode (F2) scrolls: at 80×24 `j` brings the rows below the edge into view.
#[test]
fn presentation_mode_scrolls_to_what_is_below_the_edge() {
    let mut app = traced(80, 24, "web", "aoai-eus", 443);
    update(&mut app, Action::Present);
    let first = screen(&app);
    assert!(first.contains("more below"), "{first}");
    update(&mut app, Action::End);
    let last = screen(&app);
    assert!(last.contains("more above"), "{last}");
    assert!(!last.contains("more below"), "{last}");
    assert!(app.trace_scroll > 0);
}

/// A reload runs on its own thread and answers on a channel (issue 16, item 8): the event loop
/// keeps drawing and reading keys meanwhile. Its answer is the file's topology, or the error.
#[test]
fn a_reload_answers_from_another_thread() {
    let good =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid-base.yaml");
    let main = std::thread::current().id();
    let rx = zonescope::tui::reload_in_background(&good, &[]);
    let (r, flows) = rx.recv().unwrap();
    assert!(r.is_ok());
    assert!(flows.is_none(), "no --flows, no flow report");
    assert_eq!(std::thread::current().id(), main);
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "version: 1\nnetworks: [{ id: n, cidr: 10.0.0.0/33 }]\n",
    )
    .unwrap();
    let (r, _) = zonescope::tui::reload_in_background(&bad, &["x.log".into()])
        .recv()
        .unwrap();
    assert!(r.is_err());
}

#[test]
fn a_backend_is_labelled_with_its_services_region_and_its_endpoints_when_they_differ() {
    // samples/azure-openai-multiregion.yaml: the priority-1 backend pe-aoai-jpe is a private
    // endpoint in the southeastasia VNet to Azure OpenAI in japaneast (a private endpoint may
    // sit in any region's VNet: https://learn.microsoft.com/azure/private-link/private-endpoint-overview).
    // The model answers from japaneast, so that is the backend's region; the endpoint's own
    // region is shown beside it.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples/azure-openai-multiregion.yaml"
    );
    let t = zonescope::model::load(std::path::Path::new(path)).unwrap();
    let fan = zonescope::tui::app::compute_fanout(&t, &zonescope::engine::trace::WhatIf::default());
    let rows: Vec<(String, Option<String>)> = fan
        .iter()
        .flat_map(|f| f.rows.iter().map(|r| (r.id.clone(), r.region.clone())))
        .collect();
    assert!(
        rows.contains(&(
            "pe-aoai-jpe".to_string(),
            Some("japaneast (PE in southeastasia)".to_string())
        )),
        "{rows:?}"
    );
}

#[test]
fn the_footer_offers_presentation_and_flows_at_80_and_120_columns() {
    // Issue 15: F2 and `o` were cut from the footer at both widths. The keys a person needs
    // first (find, ends, trace, present, flows) fit at 80 columns; at 120 the highlights and
    // the matrix too.
    for (w, want) in [
        (80, &[" F2 present", " o flows", " Enter trace"][..]),
        (
            120,
            &[
                " F2 present",
                " o flows",
                " h hubs",
                " m regions",
                " z matrix",
            ][..],
        ),
    ] {
        let s = screen(&demo(w, 24));
        let footer = s.lines().last().unwrap_or_default().to_string();
        for k in want {
            assert!(footer.contains(k), "{w} columns: {k:?} not in {footer:?}");
        }
    }
}

/// Presentation mode fits the fix first (issue 15 §2): at 80×24 the reason and the whole fix
/// are on the first screen, under the verdict, before the hops.
#[test]
fn presentation_mode_shows_the_reason_and_the_fix_without_scrolling() {
    let mut app = traced(80, 24, "web", "aoai-eus", 443);
    update(&mut app, Action::Present);
    let Some(Ok(tr)) = &app.trace else {
        panic!("traced")
    };
    let fix = tr.fix.clone().expect("the denied demo flow has a fix");
    let s = screen(&app);
    let flat = |x: &str| x.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = flat(&s.replace("fix      ", "").replace("reason   ", ""));
    assert!(body.contains(&flat(&fix)), "the whole fix at 80×24:\n{s}");
    assert!(
        body.contains(&flat(&tr.reason)),
        "the reason at 80×24:\n{s}"
    );
    let fix_row = s.lines().position(|l| l.starts_with("fix ")).unwrap();
    let path_row = s
        .lines()
        .position(|l| l.starts_with("path "))
        .unwrap_or(usize::MAX);
    assert!(fix_row < path_row, "the fix comes before the hops:\n{s}");
}
