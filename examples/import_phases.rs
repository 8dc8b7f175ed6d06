//! Where opening a cloud export spends its time: reading and parsing the JSON, the import
//! (JSON → document), writing the document as YAML, and loading that YAML.
//! `cargo run --release --example import_phases DIR_OR_FILE`.

use std::path::Path;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let arg = std::env::args()
        .nth(1)
        .expect("an export: a directory or a file");
    let path = Path::new(&arg);
    let kind = zonescope::import::detect(path);
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        if path.is_dir() {
            let mut stack = vec![path.to_path_buf()];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).expect("readable").flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "json") {
                        let text = std::fs::read(&p).expect("readable");
                        let v: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
                        n += usize::from(v.is_object());
                    }
                }
            }
        }
        let json = ms(t);
        let t = Instant::now();
        let imported =
            zonescope::import::import(path, kind, zonescope::import::ImportOptions::default())
                .expect("imports");
        let import = ms(t);
        let t = Instant::now();
        let yaml = imported.to_yaml().expect("writes");
        let write = ms(t);
        let t = Instant::now();
        let topo = zonescope::model::load_str(&yaml, "import").expect("loads");
        let load = ms(t);
        let t = Instant::now();
        let fast = zonescope::model::load_document(&imported.document, "import").is_some();
        let direct = ms(t);
        println!(
            "json {json:>7.1} ms ({n} files)   import {import:>7.1} ms   to_yaml {write:>7.1} ms   load {load:>7.1} ms   without YAML {direct:>7.1} ms ({fast})   ({} endpoints, {} KB of YAML)",
            topo.endpoints().len(),
            yaml.len() / 1024
        );
    }
}
