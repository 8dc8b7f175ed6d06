//! Where opening an input in the explorer spends its time before the first frame: the import
//! (a cloud export: reading, parsing and mapping its JSON), the load of the document, the
//! design review (`check`'s findings, shown in the Findings pane), the rest of the App's state
//! and the first frame (120×40, drawn on ratatui's TestBackend).
//! `cargo run --release --example open_phases INPUT`.

use std::path::Path;
use std::time::Instant;

use ratatui::{Terminal, backend::TestBackend};
use zonescope::import::{self, ImportOptions, InputKind};
use zonescope::tui::app::{App, Origin};
use zonescope::tui::theme::Theme;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let arg = std::env::args()
        .nth(1)
        .expect("an input: a design or an export");
    let path = Path::new(&arg);
    for _ in 0..3 {
        let t = Instant::now();
        let kind = import::detect(path);
        let (topo, import_ms, load_ms) = if kind == InputKind::Design {
            (zonescope::model::load(path).expect("loads"), 0.0, ms(t))
        } else {
            let imported = import::import(path, kind, ImportOptions::default()).expect("imports");
            let import_ms = ms(t);
            let t = Instant::now();
            let topo = imported.load("input").expect("loads");
            (topo, import_ms, ms(t))
        };
        let t = Instant::now();
        let findings = zonescope::engine::check::review(&topo).findings.len();
        let review = ms(t);
        let t = Instant::now();
        let app = App::new(topo, Origin::File(path.to_path_buf()), Theme::plain());
        let app_ms = ms(t);
        let t = Instant::now();
        let mut term = Terminal::new(TestBackend::new(120, 40)).expect("a test terminal");
        term.draw(|f| zonescope::tui::view::render(f, &app))
            .expect("draws");
        let frame = ms(t);
        println!(
            "import {import_ms:>7.1} ms   load {load_ms:>7.1} ms   review {review:>7.1} ms ({findings} findings)   App::new {app_ms:>7.1} ms (review included)   frame {frame:>5.1} ms"
        );
    }
}
