//! Load-and-build, per-trace and zone-matrix times (SPEC §9), on the largest samples and on
//! generated S, M and L topologies. `cargo bench --bench core` prints a table; nothing here
//! asserts a time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use zonescope::engine::matrix::{By, matrix};
use zonescope::engine::reach::groups;
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::generate::{GenParams, generate};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, load_str};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1e6 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}

fn bench(name: &str, text: &str) {
    let runs = if text.len() > 5_000_000 { 3 } else { 10 };
    let mut loads = Vec::new();
    let mut topo: Option<Topology> = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        let t = load_str(text, name).expect("loads");
        loads.push(t0.elapsed());
        topo = Some(black_box(t));
    }
    let t = topo.expect("loaded");
    // Traces between endpoints spread over the whole topology (a fixed stride, so every run
    // traces the same flows).
    let eps: Vec<&str> = t.endpoints().iter().map(|e| e.id.as_str()).collect();
    let n = 2000.min(eps.len() * eps.len());
    let mut times = Vec::with_capacity(n);
    let w = WhatIf::default();
    let mut allowed = 0;
    for i in 0..n {
        let a = eps[(i * 7919) % eps.len()];
        let b = eps[(i * 104_729 + 13) % eps.len()];
        let q = Query::new(a, b, Some(443), Protocol::Tcp);
        let t0 = Instant::now();
        let r = trace(&t, &q, &w);
        times.push(t0.elapsed());
        if r.is_ok_and(|r| r.allowed()) {
            allowed += 1;
        }
    }
    // The zone matrix on tcp/443: every pair of endpoints, counted per pair of groups.
    let mut mx = Vec::new();
    for _ in 0..runs.min(3) {
        let t0 = Instant::now();
        let m = matrix(&t, By::Zone, 443, Protocol::Tcp, &w).expect("a zone matrix");
        mx.push(t0.elapsed());
        black_box(m);
    }
    println!(
        "| {name:<28} | {:>7} | {:>9} | {:>10} | {:>10} | {:>10} | {:>6} | {:>6} | {:>10} |",
        t.endpoints().len(),
        text.len() / 1024,
        fmt(median(loads)),
        fmt(median(times.clone())),
        fmt(pct(times, 0.99)),
        format!("{allowed}/{n}"),
        groups(&t).len(),
        fmt(median(mx)),
    );
}

fn main() {
    println!(
        "| topology                     | endpoints | KiB  | load+build | trace p50  | trace p99  | allowed | groups | zone matrix |"
    );
    println!(
        "|------------------------------|---------:|------:|-----------:|-----------:|-----------:|-------:|-------:|-----------:|"
    );
    for sample in [
        "samples/azure-hub-spoke.yaml",
        "samples/aws-isolated-ai.yaml",
        "samples/azure-openai-multiregion.yaml",
    ] {
        let text = std::fs::read_to_string(sample).expect("sample");
        bench(sample, &text);
    }
    for size in ["S", "M", "L"] {
        let p = GenParams::size(size).expect("size");
        let t0 = Instant::now();
        let text = generate(&p);
        let gen_time = t0.elapsed();
        bench(&format!("gen {size} (made in {})", fmt(gen_time)), &text);
    }
}
