//! Unit tests of `update`: every action, in the modes where it means something.

use super::*;
use crate::model::{Verdict, load_str};
use crate::tui::app::{DEMO, SegClass};
use crate::tui::theme::Theme;

fn demo() -> App {
    let mut a = App::demo(Theme::plain());
    a.size = (120, 40);
    a
}

fn select(app: &mut App, id: &str) {
    app.focus = Pane::Tree;
    app.reveal(id);
    assert_eq!(app.selected_id().as_deref(), Some(id), "reveal {id}");
}

fn traced(from: &str, to: &str, port: u16) -> App {
    let mut app = demo();
    app.from = Some(from.into());
    app.to = Some(to.into());
    app.port = Some(port);
    app.recompute();
    app
}

fn verdict(app: &App) -> Option<Verdict> {
    match &app.trace {
        Some(Ok(t)) => Some(t.verdict),
        _ => None,
    }
}

fn type_str(app: &mut App, s: &str) {
    for c in s.chars() {
        update(app, Action::Input(c));
    }
}

#[test]
fn quit() {
    let mut app = demo();
    update(&mut app, Action::Quit);
    assert!(app.should_quit);
}

#[test]
fn quit_from_the_finder() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    update(&mut app, Action::Quit);
    assert!(app.should_quit);
}

#[test]
fn up_down_home_end_page_move_the_tree_selection() {
    let mut app = demo();
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    assert_eq!(app.tree_sel, 2);
    update(&mut app, Action::Up);
    assert_eq!(app.tree_sel, 1);
    update(&mut app, Action::End);
    assert_eq!(app.tree_sel, app.tree.len() - 1);
    update(&mut app, Action::Home);
    assert_eq!(app.tree_sel, 0);
    update(&mut app, Action::PageDown);
    assert!(app.tree_sel > 5);
    update(&mut app, Action::PageUp);
    assert_eq!(app.tree_sel, 0);
    update(&mut app, Action::Up);
    assert_eq!(app.tree_sel, 0, "no wrap below zero");
}

#[test]
fn up_down_move_rules_and_findings_and_scroll_map_and_trace() {
    let mut app = demo();
    app.focus = Pane::Rules;
    update(&mut app, Action::Down);
    assert_eq!(app.rules_sel, 1);
    app.focus = Pane::Findings;
    update(&mut app, Action::Down);
    assert_eq!(app.findings_sel, 1);
    app.focus = Pane::Map;
    update(&mut app, Action::Down);
    assert_eq!(app.map_scroll, 1);
    app.focus = Pane::Trace;
    update(&mut app, Action::Down);
    assert_eq!(app.trace_scroll, 1);
}

#[test]
fn left_right_toggle_fold_the_tree() {
    let mut app = demo();
    select(&mut app, "hub-eus");
    let n = app.tree.len();
    update(&mut app, Action::Left);
    assert!(app.tree.len() < n, "folded");
    update(&mut app, Action::Right);
    assert_eq!(app.tree.len(), n, "unfolded");
    update(&mut app, Action::Toggle);
    assert!(app.tree.len() < n);
    update(&mut app, Action::Toggle);
    assert_eq!(app.tree.len(), n);
    // Left on a leaf goes to its parent.
    select(&mut app, "web");
    update(&mut app, Action::Left);
    assert_eq!(app.selected_id().as_deref(), Some("snet-app"));
}

#[test]
fn focus_cycles_through_every_pane() {
    let mut app = demo();
    let mut seen = vec![app.focus];
    for _ in 0..4 {
        update(&mut app, Action::FocusNext);
        seen.push(app.focus);
    }
    assert_eq!(seen, Pane::ORDER.to_vec());
    update(&mut app, Action::FocusNext);
    assert_eq!(app.focus, Pane::Tree);
    update(&mut app, Action::FocusPrev);
    assert_eq!(app.focus, Pane::Findings);
}

#[test]
fn set_source_and_dest_from_the_tree_trace() {
    let mut app = demo();
    select(&mut app, "web");
    update(&mut app, Action::SetSource);
    assert_eq!(app.from.as_deref(), Some("web"));
    assert!(app.trace.is_none());
    select(&mut app, "apim");
    update(&mut app, Action::SetDest);
    assert_eq!(app.to.as_deref(), Some("apim"));
    assert_eq!(verdict(&app), Some(Verdict::Allow));
    assert!(
        app.on_path.contains("fw-eus"),
        "the path crosses the hub firewall"
    );
}

#[test]
fn set_source_on_a_region_explains() {
    let mut app = demo();
    select(&mut app, "eastus");
    update(&mut app, Action::SetSource);
    assert!(app.from.is_none());
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(m, e)| *e && m.contains("region"))
    );
}

#[test]
fn confirm_traces_and_reports() {
    let mut app = traced("web", "aoai-eus", 443);
    app.focus = Pane::Trace;
    update(&mut app, Action::Confirm);
    assert_eq!(verdict(&app), Some(Verdict::Deny));
    assert!(app.status.as_ref().is_some_and(|(m, _)| m.contains("DENY")));
}

#[test]
fn confirm_without_a_flow_asks_for_one() {
    let mut app = demo();
    app.focus = Pane::Trace;
    update(&mut app, Action::Confirm);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|(m, _)| m.contains("source"))
    );
}

#[test]
fn confirm_on_an_expectation_traces_it() {
    let mut app = demo();
    app.focus = Pane::Findings;
    app.findings_sel = app.findings.len(); // the first expectation
    update(&mut app, Action::Confirm);
    assert_eq!(app.from.as_deref(), Some("web"));
    assert_eq!(app.to.as_deref(), Some("apim"));
    assert_eq!(app.focus, Pane::Trace);
    assert_eq!(verdict(&app), Some(Verdict::Allow));
}

#[test]
fn cancel_leaves_presentation_and_clears_status() {
    let mut app = demo();
    update(&mut app, Action::Present);
    assert_eq!(app.screen, Screen::Presentation);
    assert!(app.theme.contrast);
    update(&mut app, Action::Cancel);
    assert_eq!(app.screen, Screen::Standard);
    app.status = Some(("x".into(), false));
    update(&mut app, Action::Cancel);
    assert!(app.status.is_none());
}

#[test]
fn finder_types_filters_and_highlights() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    assert!(matches!(app.mode, Mode::Finder(_)));
    type_str(&mut app, "10.2.2");
    let Mode::Finder(f) = &app.mode else { panic!() };
    let first = &app.finder_items[f.matches[0].0];
    assert!(first.text.contains("10.2.2"), "{}", first.text);
    assert!(!f.matches[0].1.is_empty(), "matched characters are known");
    update(&mut app, Action::Backspace);
    let Mode::Finder(f) = &app.mode else { panic!() };
    assert_eq!(f.query, "10.2.");
}

#[test]
fn finder_finds_fqdns_and_cidrs() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "openai.azure");
    let Mode::Finder(f) = &app.mode else { panic!() };
    assert!(app.finder_items[f.matches[0].0].id.starts_with("aoai"));
    update(&mut app, Action::Cancel);
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "10.3.1.0/24");
    let Mode::Finder(f) = &app.mode else { panic!() };
    assert_eq!(app.finder_items[f.matches[0].0].id, "snet-data");
}

#[test]
fn finder_enter_picks_source_then_destination() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "web");
    update(&mut app, Action::Confirm);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.from.as_deref(), Some("web"));
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "apim");
    update(&mut app, Action::Confirm);
    assert_eq!(app.to.as_deref(), Some("apim"));
    assert_eq!(verdict(&app), Some(Verdict::Allow));
}

#[test]
fn finder_ctrl_s_ctrl_d_pick_explicitly() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "jumpbox");
    update(&mut app, Action::SetDest);
    assert_eq!(app.to.as_deref(), Some("jumpbox"));
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "bastion");
    update(&mut app, Action::SetSource);
    assert_eq!(app.from.as_deref(), Some("bastion"));
}

#[test]
fn finder_up_down_and_picking_a_rule() {
    let mut app = demo();
    update(&mut app, Action::OpenFinder);
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    update(&mut app, Action::Up);
    let Mode::Finder(f) = &app.mode else { panic!() };
    assert_eq!(f.selected, 1);
    update(&mut app, Action::Cancel);
    update(&mut app, Action::OpenFinder);
    type_str(&mut app, "pe-deny-in");
    update(&mut app, Action::Confirm);
    assert_eq!(app.focus, Pane::Rules);
    let Some(RuleRow::Rule(s, i)) = app.rule_rows.get(app.rules_sel) else {
        panic!()
    };
    assert_eq!(app.rule_set(*s).unwrap().rules[*i].id, "pe-deny-in");
}

#[test]
fn input_and_backspace_are_ignored_in_normal_mode() {
    let mut app = demo();
    update(&mut app, Action::Input('q'));
    update(&mut app, Action::Backspace);
    assert!(!app.should_quit);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn edit_port_validates_and_applies() {
    let mut app = traced("orchestrator", "db", 443);
    update(&mut app, Action::EditPort);
    assert!(matches!(app.mode, Mode::Port(_)));
    for _ in 0..5 {
        update(&mut app, Action::Backspace);
    }
    type_str(&mut app, "99999");
    let Mode::Port(p) = &app.mode else { panic!() };
    assert!(p.error.is_some(), "99999 is not a port");
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Port(_)), "stays open on an error");
    for _ in 0..5 {
        update(&mut app, Action::Backspace);
    }
    type_str(&mut app, "5432/tcp");
    update(&mut app, Action::Confirm);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.port, Some(5432));
    assert_eq!(verdict(&app), Some(Verdict::Allow));
    update(&mut app, Action::EditPort);
    type_str(&mut app, "x");
    update(&mut app, Action::Cancel);
    assert_eq!(app.port, Some(5432), "Esc keeps the old port");
}

#[test]
fn parse_port_forms() {
    assert_eq!(parse_port("443"), Ok((Some(443), Protocol::Tcp)));
    assert_eq!(parse_port("53/udp"), Ok((Some(53), Protocol::Udp)));
    assert_eq!(parse_port("/icmp"), Ok((None, Protocol::Icmp)));
    assert_eq!(parse_port(""), Ok((None, Protocol::Tcp)));
    assert!(parse_port("443/any").is_err());
    assert!(parse_port("443/xyz").is_err());
    assert!(parse_port("-1").is_err());
}

#[test]
fn swap_exchanges_the_ends() {
    let mut app = traced("web", "apim", 443);
    update(&mut app, Action::Swap);
    assert_eq!(app.from.as_deref(), Some("apim"));
    assert_eq!(app.to.as_deref(), Some("web"));
    assert!(app.trace.is_some());
}

#[test]
fn hub_spoke_and_multi_region_toggle() {
    let mut app = demo();
    update(&mut app, Action::ToggleHubSpoke);
    assert_eq!(app.highlight, Highlight::HubSpoke);
    update(&mut app, Action::ToggleMultiRegion);
    assert_eq!(app.highlight, Highlight::MultiRegion);
    let f = &app.fanout[0];
    assert_eq!(f.gateway, "apim");
    assert_eq!(f.rows.len(), 2);
    assert_eq!(f.rows[0].role, crate::tui::app::BackendRole::Serving);
    assert_eq!(f.rows[1].role, crate::tui::app::BackendRole::Failover);
    update(&mut app, Action::ToggleMultiRegion);
    assert_eq!(app.highlight, Highlight::Path);
    update(&mut app, Action::ToggleHubSpoke);
    update(&mut app, Action::ToggleHubSpoke);
    assert_eq!(app.highlight, Highlight::Path);
}

#[test]
fn what_if_on_a_backend_moves_the_traffic_to_the_failover() {
    let mut app = demo();
    update(&mut app, Action::ToggleMultiRegion);
    select(&mut app, "pe-aoai-eus");
    update(&mut app, Action::WhatIf);
    assert_eq!(app.disabled.len(), 1);
    let f = &app.fanout[0];
    assert!(f.rows[0].down);
    assert_eq!(f.rows[1].role, crate::tui::app::BackendRole::Serving);
}

#[test]
fn what_if_private_endpoint_falls_back_to_public() {
    let mut app = traced("apim", "aoai-eus", 443);
    assert_eq!(verdict(&app), Some(Verdict::Allow));
    select(&mut app, "pe-aoai-eus");
    update(&mut app, Action::WhatIf);
    let Some(Ok(t)) = &app.trace else { panic!() };
    assert!(t.public, "reached over the public path");
    assert_ne!(t.verdict, Verdict::Allow);
    // Again: enabled again.
    update(&mut app, Action::WhatIf);
    assert!(app.disabled.is_empty());
    assert_eq!(verdict(&app), Some(Verdict::Allow));
}

#[test]
fn what_if_on_a_rule_and_on_the_deciding_rule() {
    let mut app = traced("web", "jumpbox", 22);
    assert_eq!(verdict(&app), Some(Verdict::Deny));
    app.focus = Pane::Trace;
    update(&mut app, Action::WhatIf);
    assert_eq!(app.disabled[0].0, "nsg-jump/jump-deny-in");
    update(&mut app, Action::ResetWhatIf);
    assert!(app.disabled.is_empty());
    assert!(app.whatif.is_empty());
    app.focus = Pane::Rules;
    let pos = app
        .rule_rows
        .iter()
        .position(|r| matches!(r, RuleRow::Rule(..)))
        .unwrap();
    app.rules_sel = pos;
    update(&mut app, Action::WhatIf);
    assert_eq!(app.disabled.len(), 1);
}

#[test]
fn what_if_on_a_region_and_on_nothing() {
    let mut app = traced("apim", "aoai-weu", 443);
    select(&mut app, "westeurope");
    update(&mut app, Action::WhatIf);
    assert_ne!(verdict(&app), Some(Verdict::Allow));
    app.focus = Pane::Map;
    update(&mut app, Action::WhatIf);
    assert!(app.status.as_ref().is_some_and(|(_, e)| *e));
}

#[test]
fn what_if_changes_the_expectations() {
    let mut app = demo();
    let before = app.expectations.iter().filter(|e| e.passed).count();
    select(&mut app, "fw-eus");
    update(&mut app, Action::WhatIf);
    let after = app.expectations.iter().filter(|e| e.passed).count();
    assert!(after < before);
}

#[test]
fn matrix_opens_moves_and_opens_a_trace() {
    let mut app = demo();
    update(&mut app, Action::OpenMatrix);
    assert!(matches!(app.mode, Mode::Matrix(_)));
    assert_eq!(app.effect, Some(Effect::Matrix));
    app.settle();
    assert!(matches!(app.matrix, Some(Ok(_))));
    update(&mut app, Action::Down);
    update(&mut app, Action::Right);
    update(&mut app, Action::Left);
    update(&mut app, Action::Right);
    let Mode::Matrix(m) = &app.mode else { panic!() };
    assert_eq!((m.row, m.col), (1, 1));
    update(&mut app, Action::Up);
    update(&mut app, Action::Confirm);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.trace.is_some());
    assert_eq!(app.focus, Pane::Trace);
}

#[test]
fn matrix_port_editor_returns_to_the_matrix() {
    let mut app = demo();
    update(&mut app, Action::OpenMatrix);
    app.settle();
    update(&mut app, Action::EditPort);
    assert!(matches!(app.mode, Mode::Port(_)));
    for _ in 0..5 {
        update(&mut app, Action::Backspace);
    }
    type_str(&mut app, "5432");
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Matrix(_)));
    app.settle();
    let Some(Ok(m)) = &app.matrix else { panic!() };
    assert_eq!(m.port, 5432);
    update(&mut app, Action::Cancel);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = demo();
    update(&mut app, Action::Help);
    assert_eq!(app.mode, Mode::Help(0));
    update(&mut app, Action::Down);
    update(&mut app, Action::PageDown);
    assert_eq!(app.mode, Mode::Help(11));
    update(&mut app, Action::PageUp);
    update(&mut app, Action::Home);
    assert_eq!(app.mode, Mode::Help(0));
    update(&mut app, Action::End);
    update(&mut app, Action::Up);
    update(&mut app, Action::Cancel);
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn present_toggles() {
    let mut app = demo();
    update(&mut app, Action::Present);
    assert_eq!(app.screen, Screen::Presentation);
    update(&mut app, Action::FocusNext);
    assert_eq!(app.focus, Pane::Tree, "no focus cycling while presenting");
    update(&mut app, Action::Present);
    assert_eq!(app.screen, Screen::Standard);
    assert!(!app.theme.contrast);
}

#[test]
fn reload_asks_the_loop_for_a_file_only() {
    let mut app = demo();
    update(&mut app, Action::Reload);
    assert_eq!(app.effect, None);
    app.origin = Origin::File("x.yaml".into());
    update(&mut app, Action::Reload);
    assert_eq!(app.effect, Some(Effect::Reload));
}

#[test]
fn loaded_replaces_or_keeps_the_topology() {
    let mut app = traced("web", "apim", 443);
    let bad = load_str(
        "version: 1\nnetworks: [ {id: x, cidr: nope} ]\n",
        "bad.yaml",
    );
    assert!(bad.is_err());
    update(&mut app, Action::Loaded(Box::new(bad)));
    let err = app.load_error.clone().expect("error shown");
    assert!(err.starts_with("bad.yaml:"), "{err}");
    assert_eq!(
        verdict(&app),
        Some(Verdict::Allow),
        "the last good topology stays"
    );
    let changed = DEMO.replace(
        "- { id: apim-app-in, priority: 120, direction: inbound, action: allow",
        "- { id: apim-app-in, priority: 120, direction: inbound, action: deny",
    );
    let good = load_str(&changed, "demo.yaml");
    update(&mut app, Action::Loaded(Box::new(good)));
    assert!(app.load_error.is_none());
    assert_eq!(
        verdict(&app),
        Some(Verdict::Deny),
        "the verdict follows the file"
    );
}

#[test]
fn reload_keeps_the_what_if() {
    let mut app = demo();
    select(&mut app, "pe-aoai-eus");
    update(&mut app, Action::WhatIf);
    let again = load_str(DEMO, "demo.yaml");
    update(&mut app, Action::Loaded(Box::new(again)));
    assert_eq!(app.disabled.len(), 1);
    assert!(!app.whatif.is_empty());
}

#[test]
fn resize_sets_the_size() {
    let mut app = demo();
    update(&mut app, Action::Resize(80, 24));
    assert_eq!(app.size, (80, 24));
    update(&mut app, Action::Resize(0, 0));
    assert!(app.areas().too_small);
}

#[test]
fn click_focuses_and_selects() {
    let mut app = demo();
    let a = app.areas();
    // Third row of the tree.
    update(&mut app, Action::Click(a.tree.x + 3, a.tree.y + 3));
    assert_eq!(app.focus, Pane::Tree);
    assert_eq!(app.tree_sel, 2);
    update(&mut app, Action::Click(a.rules.x + 3, a.rules.y + 2));
    assert_eq!(app.focus, Pane::Rules);
    assert_eq!(app.rules_sel, 1);
    update(&mut app, Action::Click(a.findings.x + 3, a.findings.y + 3));
    assert_eq!(app.focus, Pane::Findings);
    assert_eq!(app.findings_sel, 1);
    // Clicking the selected tree row folds it.
    app.focus = Pane::Tree;
    app.tree_sel = 0;
    let n = app.tree.len();
    update(&mut app, Action::Click(a.tree.x + 3, a.tree.y + 1));
    assert!(app.tree.len() < n);
    // Outside every pane: nothing.
    update(&mut app, Action::Click(0, 0));
}

#[test]
fn scroll_wheel_scrolls_the_pane_under_the_pointer() {
    let mut app = demo();
    let a = app.areas();
    update(&mut app, Action::ScrollDown(a.tree.x + 2, a.tree.y + 2));
    assert_eq!(app.tree_sel, 3);
    update(&mut app, Action::ScrollUp(a.tree.x + 2, a.tree.y + 2));
    assert_eq!(app.tree_sel, 0);
    update(&mut app, Action::ScrollDown(a.map.x + 2, a.map.y + 2));
    assert_eq!(app.map_scroll, 3);
    assert_eq!(app.focus, Pane::Tree, "the wheel does not move the focus");
    update(&mut app, Action::Help);
    update(&mut app, Action::ScrollDown(1, 1));
    assert_eq!(app.mode, Mode::Help(3));
}

#[test]
fn large_designs_open_folded() {
    let text = crate::generate::generate(&crate::generate::GenParams::size("M").unwrap());
    let t = load_str(&text, "m.yaml").unwrap();
    let app = App::new(t, Origin::Demo, Theme::plain());
    assert!(app.tree.len() < 200, "{} rows shown", app.tree.len());
    assert!(app.tree_all.len() > 1000);
}

// Observed flows (`--flows`): the report is made here as the event loop makes it, from
// records of the AWS documentation against the design written for them.

const AWS_DOC: &str = include_str!("../../../tests/fixtures/flows/aws-doc.yaml");
const AWS_LOG: &str = "\
2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK
2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK
2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK
";

fn with_flows() -> App {
    let t = load_str(AWS_DOC, "aws-doc.yaml").unwrap();
    let mut app = App::new(t, Origin::File("aws-doc.yaml".into()), Theme::plain());
    app.size = (120, 40);
    app.flow_logs = vec!["v2.log".into()];
    let mut an = crate::engine::flows::Analyzer::new(&app.topo);
    crate::engine::flows::run::analyze_reader(
        &mut an,
        "v2.log",
        AWS_LOG.as_bytes(),
        crate::engine::flows::read::LogFormat::Auto,
    )
    .unwrap();
    let r = an.finish();
    update(&mut app, Action::FlowsLoaded(Box::new(Ok(r))));
    app
}

#[test]
fn flows_loaded_stores_the_report_and_paints_the_map() {
    let app = with_flows();
    assert_eq!(app.flow_rows(), 3, "two drift records and one broken call");
    assert!(matches!(app.flow_row(0), Some(FlowRow::Drift(_))));
    assert!(matches!(app.flow_row(2), Some(FlowRow::Broken(_))));
    assert!(app.flow_row(3).is_none());
    let (msg, err) = app.status.clone().unwrap();
    assert!(msg.contains("2 drift, 1 broken"), "{msg}");
    assert!(!err);
    let text: Vec<String> = app
        .map
        .iter()
        .flat_map(|b| &b.lines)
        .map(|l| l.iter().map(|s| s.text.as_str()).collect())
        .collect();
    assert!(text.iter().any(|l| l.contains("observed traffic")));
    assert!(
        text.iter()
            .any(|l| l.contains("data → data") && l.contains("✘1"))
    );
    assert!(
        text.iter().any(|l| l.contains("vpc-default ⚑3")),
        "{text:?}"
    );
    let classes: Vec<SegClass> = app
        .map
        .iter()
        .flat_map(|b| &b.lines)
        .flatten()
        .map(|s| s.class)
        .collect();
    assert!(classes.contains(&SegClass::FlowAccepted));
    assert!(classes.contains(&SegClass::FlowRejected));
}

#[test]
fn open_flows_without_logs_explains() {
    let mut app = demo();
    update(&mut app, Action::OpenFlows);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.status.as_ref().unwrap().0.contains("--flows"));
}

#[test]
fn open_flows_moves_and_closes() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    assert_eq!(app.mode, Mode::Flows(FlowsState { sel: 0 }));
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    update(&mut app, Action::Down);
    assert_eq!(
        app.mode,
        Mode::Flows(FlowsState { sel: 2 }),
        "stops at the end"
    );
    update(&mut app, Action::Home);
    assert_eq!(app.mode, Mode::Flows(FlowsState { sel: 0 }));
    update(&mut app, Action::End);
    assert_eq!(app.mode, Mode::Flows(FlowsState { sel: 2 }));
    update(&mut app, Action::Up);
    assert_eq!(app.mode, Mode::Flows(FlowsState { sel: 1 }));
    update(&mut app, Action::Cancel);
    assert_eq!(app.mode, Mode::Normal);
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::OpenFlows);
    assert_eq!(app.mode, Mode::Normal, "o closes it again");
}

#[test]
fn enter_on_a_drift_record_traces_it() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::Confirm);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.from.as_deref(), Some("172.31.16.139"));
    assert_eq!(app.to.as_deref(), Some("172.31.16.21"));
    assert_eq!(app.port, Some(22));
    assert_eq!(app.protocol, Protocol::Tcp);
    assert_eq!(verdict(&app), Some(Verdict::Deny), "the design denies it");
    assert_eq!(app.focus, Pane::Trace);
    assert_eq!(app.selected_id().as_deref(), Some("web-1"), "source shown");
}

#[test]
fn enter_on_an_internet_ping_names_the_endpoint_behind_the_public_ip() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::Down);
    update(&mut app, Action::Confirm);
    assert_eq!(app.from.as_deref(), Some("203.0.113.12"));
    assert_eq!(app.to.as_deref(), Some("web-1"));
    assert_eq!(app.port, None);
    assert_eq!(app.protocol, Protocol::Icmp);
    assert_eq!(verdict(&app), Some(Verdict::Deny));
}

#[test]
fn enter_on_a_broken_call_traces_an_allowed_flow() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::End);
    update(&mut app, Action::Confirm);
    assert_eq!(app.port, Some(3389));
    assert_eq!(verdict(&app), Some(Verdict::Allow));
}

#[test]
fn reload_in_the_flows_overlay_asks_the_event_loop() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::Reload);
    assert_eq!(app.effect, Some(Effect::Reload));
    assert!(matches!(app.mode, Mode::Flows(_)));
}

#[test]
fn a_flows_error_is_kept_and_shown() {
    let mut app = with_flows();
    update(&mut app, Action::OpenFlows);
    update(&mut app, Action::End);
    update(
        &mut app,
        Action::FlowsLoaded(Box::new(Err("cannot read v2.log: gone".into()))),
    );
    assert_eq!(app.flow_rows(), 0);
    assert_eq!(
        app.mode,
        Mode::Flows(FlowsState { sel: 0 }),
        "selection clamped"
    );
    assert!(app.status.as_ref().unwrap().1, "an error");
    update(&mut app, Action::Confirm);
    assert!(matches!(app.mode, Mode::Flows(_)), "nothing to trace");
    assert!(
        !app.map
            .iter()
            .flat_map(|b| &b.lines)
            .flatten()
            .any(|s| s.text.contains("observed traffic"))
    );
}
