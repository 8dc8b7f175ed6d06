//! The explorer as a person reads it (issue 15, §2–§3): counted nouns in good English, the
//! title bar at 80 and 120 columns, `h` and the path readable without colour, keys on the
//! "needs 80×24" screen, scroll marks. Drawn into a `TestBackend` at 0×0, 1×1, 80×24 and
//! 120×40, with insta snapshots of the whole screen.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use zonescope::model::load_str;
use zonescope::tui::action::Action;
use zonescope::tui::app::{App, Origin};
use zonescope::tui::theme::Theme;
use zonescope::tui::update::update;
use zonescope::tui::view;

pub const SIZES: [(u16, u16); 4] = [(0, 0), (1, 1), (80, 24), (120, 40)];

/// One network, one subnet, one endpoint, one region, one rule set of one rule.
const ONE_OF_EACH: &str = "\
version: 1
name: one of each
networks:
  - id: vnet
    region: eastus
    cidr: 10.0.0.0/16
    subnets:
      - id: snet
        cidr: 10.0.1.0/24
        rules: [nsg]
endpoints:
  - id: web
    kind: app
    subnet: snet
    ip: 10.0.1.4
rule_sets:
  - id: nsg
    kind: security_group
    rules:
      - id: allow-https
        priority: 100
        direction: inbound
        action: allow
        protocol: tcp
        source: 10.0.0.0/8
        destination: snet
        ports: 443
";

pub fn app_of(yaml: &str, file: &str, w: u16, h: u16) -> App {
    let t = load_str(yaml, file).expect("the design loads");
    let mut app = App::new(t, Origin::File(file.into()), Theme::plain());
    update(&mut app, Action::Resize(w, h));
    app
}

pub fn text(buf: &Buffer) -> String {
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

pub fn buffer(app: &App) -> Buffer {
    let (w, h) = app.size;
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| view::render(f, app)).unwrap();
    term.backend().buffer().clone()
}

pub fn screen(app: &App) -> String {
    text(&buffer(app))
}

/// "1 network", "1 endpoint", "1 region", "1 rule": never "1 networks".
#[test]
fn counts_of_one_are_singular_on_screen() {
    for (w, h) in SIZES {
        let mut app = app_of(ONE_OF_EACH, "one.yaml", w, h);
        app.reveal("web");
        let s = screen(&app);
        if (w, h) == (120, 40) {
            assert!(s.contains("1 network · 1 endpoint · 1 region"), "{s}");
            assert!(s.contains("security group · 1 rule"), "{s}");
            assert!(s.contains("Rule sets (2 rows)"), "{s}");
        }
        for bad in [
            "1 networks",
            "1 endpoints",
            "1 regions",
            "1 rules",
            "1 rows",
        ] {
            assert!(!s.contains(bad), "{bad} at {w}×{h}:\n{s}");
        }
        insta::assert_snapshot!(format!("one_of_each_{w}x{h}"), s);
    }
}

/// The loader's hint names the kind with its article: "an endpoint", not "a endpoint".
#[test]
fn an_unknown_reference_hint_says_an_endpoint() {
    let bad = ONE_OF_EACH.replace(
        "    cidr: 10.0.0.0/16\n",
        "    cidr: 10.0.0.0/16\n    egress: fw-missing\n",
    );
    let e = load_str(&bad, "one.yaml").unwrap_err();
    let all = format!("{e:?}");
    assert!(all.contains("must name an endpoint declared"), "{all}");
    assert!(!all.contains(" a endpoint"), "{all}");
}

fn sample(name: &str, w: u16, h: u16) -> App {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    app_of(&text, &format!("samples/{name}"), w, h)
}

/// The title bar keeps the file name and whole words at 80 and 120 columns: the design name
/// is shortened at a word (with `…`), the counts give way first.
#[test]
fn title_bar_keeps_the_file_and_whole_words() {
    for (w, h) in SIZES {
        let app = sample("azure-hub-spoke.yaml", w, h);
        let s = screen(&app);
        let title = s.lines().next().unwrap_or("").to_string();
        match w {
            120 => assert_eq!(
                title.split_whitespace().collect::<Vec<_>>().join(" "),
                "zonescope · Azure AI landing zone — hub-spoke… \
                 samples/azure-hub-spoke.yaml · 6 networks · 14 endpoints · 2 regions"
            ),
            80 => {
                assert!(title.contains("samples/azure-hub-spoke.yaml"), "{title}");
                assert!(title.contains("Azure AI landing zone…"), "{title}");
                assert!(!title.contains("hub- "), "{title}");
            }
            _ => {}
        }
        insta::assert_snapshot!(format!("title_hub_spoke_{w}x{h}"), s);
    }
    // Every sample at both widths: each word of the title is a whole word of the name, the
    // file or the counts (or one of them followed by `…`).
    for name in [
        "aws-isolated-ai.yaml",
        "azure-apim-internal.yaml",
        "azure-hub-spoke.yaml",
        "azure-openai-multiregion.yaml",
        "azure-openai-private-link.yaml",
        "flawed-design.yaml",
    ] {
        for (w, h) in [(80, 24), (120, 40)] {
            let app = sample(name, w, h);
            let s = screen(&app);
            let title = s.lines().next().unwrap_or("");
            assert!(title.contains(&format!("samples/{name}")), "{title}");
            let mut words: Vec<String> = app.topo.name.split(' ').map(String::from).collect();
            words.extend(["zonescope", "·", "networks", "network", "endpoints"].map(String::from));
            words.extend(["endpoint", "regions", "region"].map(String::from));
            words.push(format!("samples/{name}"));
            for word in title.split_whitespace() {
                let bare = word.trim_end_matches('…');
                assert!(
                    bare.parse::<u32>().is_ok()
                        || words
                            .iter()
                            .any(|x| x == bare || x.trim_end_matches([',', ':']) == bare),
                    "`{word}` is cut in `{title}` at {w}"
                );
            }
        }
    }
}

/// The screen with only the cells carrying `m` (others blank): what a reader without colour
/// sees emphasised.
fn only_with(buf: &Buffer, m: ratatui::style::Modifier) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let mut line = String::new();
        for x in a.left()..a.right() {
            let c = &buf[(x, y)];
            line.push_str(if c.modifier.contains(m) {
                c.symbol()
            } else {
                " "
            });
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Whether every cell of `needle` (its first occurrence in `area`) carries `m`.
fn has(
    buf: &Buffer,
    area: ratatui::layout::Rect,
    needle: &str,
    m: ratatui::style::Modifier,
) -> bool {
    for y in area.top()..area.bottom() {
        let row: Vec<(u16, &str)> = (area.left()..area.right())
            .map(|x| (x, buf[(x, y)].symbol()))
            .collect();
        let s: String = row.iter().map(|(_, c)| *c).collect();
        if let Some(i) = s.find(needle) {
            let start = s[..i].chars().count();
            let n = needle.chars().count();
            return row[start..start + n]
                .iter()
                .all(|(x, _)| buf[(*x, y)].modifier.contains(m));
        }
    }
    panic!("`{needle}` is not drawn");
}

/// `h` under `NO_COLOR` (the plain theme): hubs, spokes and transit firewalls are drawn in
/// reverse video in the map and the tree, which nothing else but the selected row uses;
/// without `h` they are not. <https://no-color.org/>: colour is off, so emphasis must be a
/// modifier.
#[test]
fn hub_and_spoke_emphasis_is_visible_without_colour() {
    use ratatui::style::Modifier;
    use zonescope::tui::app::Pane;
    for (w, h) in SIZES {
        let mut app = sample("azure-hub-spoke.yaml", w, h);
        app.focus = Pane::Map;
        if (w, h) == (120, 40) {
            let before = buffer(&app);
            let areas = app.areas();
            for id in ["hub-eus", "spoke-app", "◆ fw-eus"] {
                assert!(
                    !has(&before, areas.map, id, Modifier::REVERSED),
                    "{id} before h"
                );
            }
        }
        update(&mut app, Action::ToggleHubSpoke);
        let buf = buffer(&app);
        if (w, h) == (120, 40) {
            let areas = app.areas();
            for id in [
                "hub-eus",
                "hub-weu",
                "spoke-app",
                "spoke-ai-weu",
                "◆ fw-eus",
            ] {
                assert!(
                    has(&buf, areas.map, id, Modifier::REVERSED),
                    "{id} on the map"
                );
            }
            for id in ["hub-eus", "spoke-app", "◆ fw-eus"] {
                assert!(
                    has(&buf, areas.tree, id, Modifier::REVERSED),
                    "{id} in the tree"
                );
            }
            // Colour is really off: the emphasis is the modifier alone.
            assert!(
                buf.content
                    .iter()
                    .all(|c| c.fg == ratatui::style::Color::Reset)
            );
        }
        insta::assert_snapshot!(
            format!("hub_spoke_reversed_{w}x{h}"),
            only_with(&buf, Modifier::REVERSED)
        );
    }
}

/// `m` under `NO_COLOR`: the serving backend and the failover one differ by modifier
/// (reverse, underline), not by colour only.
#[test]
fn backend_roles_differ_without_colour() {
    use ratatui::style::Modifier;
    use zonescope::tui::app::Pane;
    let mut app = sample("azure-hub-spoke.yaml", 120, 40);
    app.focus = Pane::Map;
    update(&mut app, Action::ToggleMultiRegion);
    let buf = buffer(&app);
    let map = app.areas().map;
    let serving = has(&buf, map, "⇢p1 pe-aoai-eus", Modifier::REVERSED);
    let failover = has(&buf, map, "⇢p2 pe-aoai-weu", Modifier::UNDERLINED);
    assert!(!has(&buf, map, "⇢p2 pe-aoai-weu", Modifier::REVERSED));
    assert!(
        serving && failover,
        "{}",
        only_with(&buf, Modifier::REVERSED)
    );
}

/// A key as the event loop maps it: through the keymap, in the context of the screen shown.
fn key(app: &mut App, code: ratatui::crossterm::event::KeyCode, ctrl: bool) {
    use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
    use zonescope::tui::keymap::{Ctx, lookup};
    let m = if ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    if let Some(a) = lookup(Ctx::of_app(app), KeyEvent::new(code, m)) {
        update(app, a);
    }
}

/// While the "needs 80×24" screen is shown, keys change nothing unseen (the finder keeps its
/// text, the flow its ends, the focus its pane), q and Ctrl-C still quit — even from the
/// finder, where q is otherwise typed — and enlarging the terminal brings back the very
/// screen that was there.
#[test]
fn keys_on_the_too_small_screen_wait_and_q_still_quits() {
    use ratatui::crossterm::event::KeyCode;
    use zonescope::tui::app::Mode;
    for (w, h) in SIZES {
        let mut app = sample("azure-hub-spoke.yaml", 120, 40);
        update(&mut app, Action::OpenFinder);
        for c in "apim".chars() {
            key(&mut app, KeyCode::Char(c), false);
        }
        let before = screen(&app);
        let mode = app.mode.clone();
        update(&mut app, Action::Resize(60, 20));
        let small = screen(&app);
        assert!(small.contains("80×24"), "{small}");
        for c in [
            KeyCode::Char('x'),
            KeyCode::Char('j'),
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Backspace,
            KeyCode::Tab,
            KeyCode::Down,
        ] {
            key(&mut app, c, false);
        }
        assert_eq!(app.mode, mode, "the finder changed unseen");
        assert!(!app.should_quit);
        update(&mut app, Action::Resize(120, 40));
        assert_eq!(screen(&app), before, "enlarging restores the screen");
        // The too-small screen at this size (80×24 and 120×40 stand for 80×23 and 79×40).
        let (sw, sh) = match (w, h) {
            (80, 24) => (80, 23),
            (120, 40) => (79, 40),
            other => other,
        };
        update(&mut app, Action::Resize(sw, sh));
        insta::assert_snapshot!(format!("too_small_{sw}x{sh}"), screen(&app));
        // q quits from the too-small screen, though the finder is open under it.
        key(&mut app, KeyCode::Char('q'), false);
        assert!(app.should_quit, "q on the too-small screen");
        let mut app2 = sample("azure-hub-spoke.yaml", 60, 20);
        update(&mut app2, Action::OpenFinder);
        assert!(matches!(app2.mode, Mode::Normal), "opened unseen");
        key(&mut app2, KeyCode::Char('c'), true);
        assert!(app2.should_quit, "Ctrl-C on the too-small screen");
    }
}

/// Every scrollable pane stops at its last screenful and marks what is hidden above and
/// below: the tree, the map, the rule sets, the findings and the help (the trace pane has its
/// own test in `tui`).
#[test]
fn every_pane_scroll_is_clamped_and_marked() {
    use zonescope::tui::app::{Mode, Pane};
    for (w, h) in SIZES {
        let mut app = sample("azure-hub-spoke.yaml", w, h);
        app.focus = Pane::Tree;
        update(&mut app, Action::End);
        insta::assert_snapshot!(format!("tree_at_the_end_{w}x{h}"), screen(&app));
    }
    // The tree at 80×24: 35 rows in 18.
    let mut app = sample("azure-hub-spoke.yaml", 80, 24);
    app.focus = Pane::Tree;
    let s = screen(&app);
    assert!(s.contains("▼ 16 more below"), "{s}");
    update(&mut app, Action::End);
    let s = screen(&app);
    assert!(s.contains("▲ 16 more above"), "{s}");
    assert!(!s.contains("more below"), "{s}");

    // The map at 80×24 (its regions in bands) is taller than its pane: End and j past the
    // end stop at the last screenful, one k is one row back.
    let mut app = app_of(&many_regions(20, 3), "many.yaml", 80, 24);
    app.focus = Pane::Map;
    let s = screen(&app);
    let map = app.areas().map;
    let bottom: String = s
        .lines()
        .nth(usize::from(map.bottom() - 1))
        .unwrap()
        .chars()
        .skip(usize::from(map.x))
        .collect();
    assert!(bottom.contains("more below"), "{s}");
    update(&mut app, Action::End);
    for _ in 0..50 {
        update(&mut app, Action::Down);
    }
    let s = screen(&app);
    let (rows, height) = app.map_view.get();
    assert!(
        rows > height,
        "the map must be taller than its pane here: {rows} {height}\n{s}"
    );
    assert_eq!(
        app.map_scroll,
        rows - height,
        "clamped to the last screenful"
    );
    assert!(s.contains("more above"), "{s}");
    update(&mut app, Action::Up);
    assert_eq!(app.map_scroll, rows - height - 1, "one k is one row back");

    // The rule sets list its hidden rows at 120×40.
    let app = sample("azure-hub-spoke.yaml", 120, 40);
    let s = screen(&app);
    assert!(s.contains("▼ 79 more below"), "{s}");

    // The help: End then k is one row above the last screenful, not 499.
    let mut app = sample("azure-hub-spoke.yaml", 80, 24);
    update(&mut app, Action::Help);
    let _ = screen(&app);
    update(&mut app, Action::End);
    let s = screen(&app);
    let (rows, height) = app.help_view.get();
    assert_eq!(app.mode, Mode::Help(rows - height));
    let help_bottom = |s: &str| {
        s.lines()
            .find(|l| l.contains('╚'))
            .unwrap_or("")
            .to_string()
    };
    assert!(help_bottom(&s).contains("more above"), "{s}");
    assert!(!help_bottom(&s).contains("more below"), "{s}");
    update(&mut app, Action::Up);
    assert_eq!(app.mode, Mode::Help(rows - height - 1));
    let s = screen(&app);
    assert!(help_bottom(&s).contains("▼ 1 more below"), "{s}");
}

/// A design of `regions` regions with `nets` networks each: a map taller than any pane.
fn many_regions(regions: usize, nets: usize) -> String {
    let mut y = String::from("version: 1\nname: many regions\nnetworks:\n");
    for r in 0..regions {
        for n in 0..nets {
            y.push_str(&format!(
                "  - id: vnet-{r}-{n}\n    region: region-{r}\n    cidr: 10.{}.0.0/16\n",
                r * nets + n
            ));
        }
    }
    y
}

/// `keys.toml` over the default table: the user's key does the action, the old one no
/// longer does, and the help screen and the footer are generated from the effective table.
#[test]
fn user_keys_rebind_and_the_help_and_footer_follow() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use zonescope::tui::keymap::Ctx;
    use zonescope::tui::keys_file::Keymap;
    let text = "# my keys\n[normal]\nset_source = \"S\"   # capital S\nconfirm = [\"Enter\", \"t\"]\n\n[finder]\ncancel = \"Ctrl-g\"\n";
    let k = Keymap::from_str(text, "keys.toml").unwrap();
    let key = |c: KeyCode, m: KeyModifiers| KeyEvent::new(c, m);
    assert!(matches!(
        k.lookup(Ctx::Normal, key(KeyCode::Char('S'), KeyModifiers::SHIFT)),
        Some(Action::SetSource)
    ));
    assert!(!matches!(
        k.lookup(Ctx::Normal, key(KeyCode::Char('s'), KeyModifiers::NONE)),
        Some(Action::SetSource)
    ));
    assert!(matches!(
        k.lookup(Ctx::Normal, key(KeyCode::Char('t'), KeyModifiers::NONE)),
        Some(Action::Confirm)
    ));
    assert!(matches!(
        k.lookup(Ctx::Finder, key(KeyCode::Char('g'), KeyModifiers::CONTROL)),
        Some(Action::Cancel)
    ));
    for (w, h) in SIZES {
        let mut app = sample("azure-hub-spoke.yaml", w, h);
        app.keymap = k.clone();
        let s = screen(&app);
        if (w, h) == (120, 40) {
            assert!(s.contains(" S from"), "the footer: {s}");
            assert!(s.contains(" Enter/t trace"), "the footer: {s}");
        }
        update(&mut app, Action::Help);
        insta::assert_snapshot!(format!("user_keys_help_{w}x{h}"), screen(&app));
    }
    let mut app = sample("azure-hub-spoke.yaml", 200, 120);
    app.keymap = k;
    update(&mut app, Action::Help);
    let s = screen(&app);
    assert!(
        s.contains("  S           use the selected item as the source"),
        "{s}"
    );
    assert!(s.contains("  Ctrl-g      "), "{s}");
}

/// Every mistake in `keys.toml` is named with file:line, what is wrong and the fix.
#[test]
fn bad_user_keys_say_where_what_and_the_fix() {
    use zonescope::tui::keys_file::Keymap;
    for (text, line, what, fix) in [
        (
            "[normal]\nset_sorce = \"S\"\n",
            2,
            "unknown action `set_sorce` in [normal]",
            "did you mean `set_source`?",
        ),
        (
            "[normal]\n\nswap = \"Ctrl-\"\n",
            3,
            "`Ctrl-` is not a key",
            "write a key as",
        ),
        (
            "[normal]\nswap = \"d\"\n",
            2,
            "`d` is already bound to `set_dest` in [normal]",
            "bind `set_dest` to another key",
        ),
        (
            "[nromal]\n",
            1,
            "unknown context `[nromal]`",
            "use one of: normal, finder",
        ),
        (
            "swap = \"X\"\n",
            1,
            "`swap` comes before any `[context]` header",
            "put it under a header",
        ),
        (
            "[normal]\nswap = X\n",
            2,
            "`X` is not a key or a list of keys",
            "double quotes",
        ),
        (
            "[normal]\nswap\n",
            2,
            "`swap` is not `action = \"key\"`",
            "write a binding as",
        ),
    ] {
        let e = Keymap::from_str(text, "keys.toml").unwrap_err();
        assert_eq!(e.line, line, "{text}: {e}");
        assert!(
            e.to_string().starts_with(&format!("keys.toml:{line}: ")),
            "{e}"
        );
        assert!(e.message.contains(what), "{text}: {}", e.message);
        assert!(e.help.contains(fix), "{text}: {}", e.help);
    }
}

/// Each action name of `keys.toml` names one binding of its context.
#[test]
fn user_key_names_are_unique_in_each_context() {
    use zonescope::tui::keymap::Ctx;
    use zonescope::tui::keys_file::Keymap;
    let k = Keymap::default();
    for ctx in Ctx::ALL {
        let mut seen = std::collections::HashSet::new();
        for e in k.of(ctx) {
            assert!(seen.insert(e.name.clone()), "{} twice in {ctx:?}", e.name);
        }
    }
    let k = Keymap::from_str("[normal]\nquit = \"Q\"\n", "keys.toml").unwrap();
    let q = k.of(Ctx::Normal).find(|e| e.name == "quit").unwrap();
    assert_eq!(q.label, "Q");
    let c = k
        .of(Ctx::Normal)
        .find(|e| e.name == "quit_anywhere")
        .unwrap();
    assert_eq!(c.label, "Ctrl-C");
}

/// The explorer of a file opens before its design review ends (issue 18 item 5: a large import
/// takes a second to review): the findings pane says so, an answer for an older topology is
/// dropped, and the review's answer fills the pane with exactly `check`'s findings while a
/// selected expectation stays selected.
#[test]
fn the_review_arrives_after_the_first_frame_and_an_old_answer_is_dropped() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/flawed-design.yaml");
    let t = zonescope::model::load(std::path::Path::new(file)).expect("the sample loads");
    let want = zonescope::engine::check::findings(&t);
    assert!(!want.is_empty(), "the flawed design has findings");
    let mut app = App::opening(t, Origin::File(file.into()), Theme::plain());
    update(&mut app, Action::Resize(120, 40));
    assert!(app.reviewing && app.findings.is_empty());
    assert!(!app.expectations.is_empty(), "the sample has expectations");
    let draw = |app: &App| {
        let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
        term.draw(|f| view::render(f, app)).unwrap();
        text(term.backend().buffer())
    };
    assert!(draw(&app).contains("Findings (reviewing…)"));
    app.findings_sel = 0; // the first expectation
    let generation = app.review_gen;
    update(&mut app, Action::Reviewed(generation - 1, Box::default()));
    assert!(app.reviewing, "an answer for an older topology is dropped");
    update(
        &mut app,
        Action::Reviewed(generation, Box::new(want.clone())),
    );
    assert!(!app.reviewing);
    let ids = |f: &[zonescope::engine::check::Finding]| {
        f.iter().map(|x| x.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&app.findings), ids(&want));
    assert_eq!(
        app.findings_sel,
        want.len(),
        "the expectation stays selected"
    );
    assert!(draw(&app).contains(&format!("Findings {} ·", want.len())));
}
