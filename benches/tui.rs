//! Explorer frame times (SPEC §9: first frame < 1 s, every redraw < 16 ms on the "L" design).
//! Prints, for the demo and for generated S, M and L topologies (L: 20 regions × a hub and 25
//! spokes): the time to build the App (load excluded), the first frame, redraws (idle, after a
//! key, with a trace, in the finder, in the matrix) and the zone matrix. Run with
//! `cargo bench --bench tui`.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use zonescope::generate::{GenParams, generate};
use zonescope::model::{Topology, load_str};
use zonescope::tui::action::Action;
use zonescope::tui::app::{App, DEMO, Origin};
use zonescope::tui::theme::Theme;
use zonescope::tui::update::update;
use zonescope::tui::view;

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn redraws(
    term: &mut Terminal<TestBackend>,
    app: &mut App,
    step: Option<&Action>,
    n: u32,
) -> (Duration, Duration) {
    let mut worst = Duration::ZERO;
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        if let Some(a) = step {
            update(app, a.clone());
        }
        term.draw(|f| view::render(f, app)).expect("draw");
        worst = worst.max(t.elapsed());
    }
    (start.elapsed() / n, worst)
}

fn bench(name: &str, topo: Topology, flow: (&str, &str, u16)) {
    let t0 = Instant::now();
    let mut app = App::new(topo, Origin::Demo, Theme::from_env());
    let build = t0.elapsed();
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    update(&mut app, Action::Resize(120, 40));
    let t1 = Instant::now();
    term.draw(|f| view::render(f, &app)).expect("draw");
    let first = t1.elapsed();
    println!(
        "{name}: {} networks, {} endpoints, {} rule sets",
        app.topo.networks().len(),
        app.topo.endpoints().len(),
        app.topo.rule_sets().len()
    );
    println!("  App::new (tree, map, finder, review)   {}", ms(build));
    println!(
        "  first frame (App::new + draw)          {}   [target < 1 s]",
        ms(build + first)
    );
    let (avg, worst) = redraws(&mut term, &mut app, None, 200);
    println!(
        "  redraw, idle                           avg {}  worst {}   [target < 16 ms]",
        ms(avg),
        ms(worst)
    );
    let (avg, worst) = redraws(&mut term, &mut app, Some(&Action::Down), 200);
    println!(
        "  redraw after ↓ in the tree             avg {}  worst {}",
        ms(avg),
        ms(worst)
    );
    app.from = Some(flow.0.into());
    app.to = Some(flow.1.into());
    app.port = Some(flow.2);
    let t2 = Instant::now();
    app.recompute();
    println!(
        "  trace + recompute (expectations too)   {}",
        ms(t2.elapsed())
    );
    let (avg, worst) = redraws(&mut term, &mut app, None, 200);
    println!(
        "  redraw with a trace                    avg {}  worst {}",
        ms(avg),
        ms(worst)
    );
    update(&mut app, Action::OpenFinder);
    let t3 = Instant::now();
    for c in "ep-r3".chars() {
        update(&mut app, Action::Input(c));
    }
    println!(
        "  finder: 5 keystrokes of fuzzy matching {}",
        ms(t3.elapsed())
    );
    let (avg, worst) = redraws(&mut term, &mut app, None, 100);
    println!(
        "  redraw with the finder open            avg {}  worst {}",
        ms(avg),
        ms(worst)
    );
    update(&mut app, Action::Cancel);
    update(&mut app, Action::OpenMatrix);
    term.draw(|f| view::render(f, &app)).expect("draw");
    let t4 = Instant::now();
    app.settle();
    println!(
        "  z: the zone matrix (every endpoint pair) {}",
        ms(t4.elapsed())
    );
    let (avg, worst) = redraws(&mut term, &mut app, Some(&Action::Right), 100);
    println!(
        "  redraw in the matrix after →           avg {}  worst {}",
        ms(avg),
        ms(worst)
    );
}

fn main() {
    let demo = load_str(DEMO, "demo.yaml").expect("demo loads");
    bench("demo", demo, ("web", "aoai-eus", 443));
    for size in ["S", "M", "L"] {
        let text = generate(&GenParams::size(size).expect("a size"));
        let t = Instant::now();
        let topo = load_str(&text, "gen.yaml").expect("a generated topology loads");
        println!("\n(load of {size}: {})", ms(t.elapsed()));
        let first = |prefix: &str| {
            topo.endpoints()
                .iter()
                .find(|e| e.id.starts_with(prefix))
                .map(|e| e.id.clone())
                .unwrap_or_default()
        };
        let (from, to) = (first("ep-r1-s1-"), first("ep-r2-s2-"));
        bench(size, topo, (&from, &to, 443));
    }
}
