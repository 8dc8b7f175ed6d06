//! Where loading a big topology spends its time: YAML parsing into the raw structs, then the
//! whole load (parse + validate + graph). `cargo run --profile bench --example load_phases FILE`.

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a topology file");
    let text = std::fs::read_to_string(&path).expect("readable");
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut options = serde_saphyr::Options::default();
        options.budget = None;
        let raw: Result<zonescope::model::raw::RawFile, _> =
            serde_saphyr::from_str_with_options(&text, options);
        let parse = t0.elapsed();
        assert!(raw.is_ok());
        let t1 = Instant::now();
        let topo = zonescope::model::load_str(&text, &path).expect("loads");
        let full = t1.elapsed();
        println!(
            "parse {:>7.1} ms   full load {:>7.1} ms   ({} endpoints)",
            parse.as_secs_f64() * 1e3,
            full.as_secs_f64() * 1e3,
            topo.endpoints().len()
        );
    }
}
