//! The progress bar of `zonescope flows` on standard error (`indicatif`), once reading has
//! taken more than [`AFTER`]: bytes read of the total, records per second.
//!
//! Owns: drawing the engine's [`Meter`]. Must never: draw when standard error is not a
//! terminal or with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::engine::flows::progress::{Drawer, Meter};

/// How long reading goes on before the bar appears (`ZONESCOPE_PROGRESS_AFTER_MS` overrides).
pub const AFTER: Duration = Duration::from_secs(2);

/// The bar, unless `quiet` or standard error is not a terminal.
pub fn bar(quiet: bool) -> Option<Drawer> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let after = std::env::var("ZONESCOPE_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(AFTER, Duration::from_millis);
    Some(Box::new(move |m: Meter| draw(&m, after)))
}

fn draw(m: &Meter, after: Duration) {
    let started = Instant::now();
    let records0 = m.records();
    while started.elapsed() < after {
        if m.done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(m.total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    while !m.done() {
        bar.set_position(m.bytes());
        let records = m.records().saturating_sub(records0);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!(
            "{}, {:.0} k records/s",
            crate::report::plural(records, "record", "records"),
            records as f64 / secs / 1e3
        ));
        std::thread::sleep(Duration::from_millis(200));
    }
    bar.finish_and_clear();
}
