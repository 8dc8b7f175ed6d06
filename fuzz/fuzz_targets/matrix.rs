//! Differential: on any design that loads (and is small), the grouped matrix — one flow per pair
//! of alike-endpoint groups, answered by the exact engine — equals a real trace of every pair of
//! endpoints, cell by cell.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zonescope::model::rules::Protocol;
use zonescope::model::load_str;
use zonescope::engine::trace::WhatIf;
use zonescope::engine::matrix::{By, matrix, matrix_traced};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = load_str(text, "fuzz.yaml") else {
        return;
    };
    if t.endpoints().len() > 40 {
        return;
    }
    let w = WhatIf::default();
    for (port, proto) in [(443, Protocol::Tcp), (53, Protocol::Udp), (22, Protocol::Tcp)] {
        let (Ok(fast), Ok(slow)) = (
            matrix(&t, By::Endpoint, port, proto, &w),
            matrix_traced(&t, By::Endpoint, port, proto, &w),
        ) else {
            panic!("a small matrix is refused");
        };
        assert_eq!(fast.rows, slow.rows);
        assert_eq!(fast.columns, slow.columns);
        for (a, b) in fast.cells.iter().zip(&slow.cells) {
            assert_eq!(
                (a.allowed, a.denied, a.no_route, &a.example_allowed, &a.example_blocked),
                (b.allowed, b.denied, b.no_route, &b.example_allowed, &b.example_blocked),
                "{} -> {} on {proto}/{port}",
                b.from,
                b.to
            );
        }
    }
});
