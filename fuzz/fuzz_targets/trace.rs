//! Any trace request on a real design ends in a verdict or a TraceError, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zonescope::model::{Topology, load_str};
use zonescope::engine::trace::{Query, WhatIf, trace};

fn topo() -> &'static Topology {
    static T: OnceLock<Topology> = OnceLock::new();
    T.get_or_init(|| {
        load_str(include_str!("../../tests/fixtures/trace/routing-and-rules.yaml"), "fixture.yaml").expect("fixture loads")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut parts = text.splitn(2, '\n');
        let flow = parts.next().unwrap_or_default();
        let disable = parts.next().unwrap_or_default();
        if let Ok(q) = Query::parse(flow) {
            let t = topo();
            let mut w = WhatIf::default();
            for d in disable.lines().take(4) {
                let _ = w.disable(t, d);
            }
            let _ = trace(t, &q, &w);
        }
    }
});
