//! `cargo bench --bench check`: the time of `check` (load, validate, every finding family and
//! the expectations) on the generated S, M and L topologies. SPEC §9: L under 2 s.

use std::time::{Duration, Instant};

use zonescope::engine::check::{config, dns, expectations, reach, shadow};
use zonescope::engine::reach as exact;
use zonescope::engine::trace::WhatIf;
use zonescope::generate::{GenParams, generate};
use zonescope::model::load_str;

fn time<T>(label: &str, total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t0 = Instant::now();
    let out = f();
    let d = t0.elapsed();
    *total += d;
    println!("    {label:<28} {:>9.1} ms", d.as_secs_f64() * 1e3);
    out
}

fn main() {
    for size in ["S", "M", "L"] {
        let Some(p) = GenParams::size(size) else {
            continue;
        };
        let text = generate(&p);
        println!("{size}:");
        let mut total = Duration::ZERO;
        let t = time("load + validate + graph", &mut total, || {
            load_str(&text, "gen.yaml").expect("generated topologies load")
        });
        let mut n = 0;
        n += time("config findings", &mut total, || {
            config::unknown_service_tags(&t).len()
                + config::public_access_enabled(&t).len()
                + config::streaming_timeout(&t).len()
                + config::single_region(&t).len()
                + config::broad_source(&t).len()
        });
        n += time("shadowed-rule", &mut total, || {
            shadow::shadowed_rules(&t).len()
        });
        n += time("dns-not-private", &mut total, || {
            dns::dns_not_private(&t).len()
        });
        let (eng, groups, ext) = time("groups + address classes", &mut total, || {
            (
                exact::Engine::new(&t),
                exact::groups(&t),
                exact::external_classes(&t),
            )
        });
        n += time("reachability (exact)", &mut total, || {
            reach::findings(&eng, &groups, &ext).len()
        });
        time("expectations", &mut total, || {
            expectations(&t, &WhatIf::default()).len()
        });
        println!(
            "  {size}: {} endpoints in {} groups, {} address classes, {n} findings: check {:.1} ms",
            t.endpoints().len(),
            groups.len(),
            ext.len(),
            total.as_secs_f64() * 1e3
        );
    }
}
