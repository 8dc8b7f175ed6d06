//! Counts the distinct verdict-cache keys of a realistic log (issue 14): how many class pairs
//! (source class, destination class) and how many full keys (class pair, protocol, port
//! interval) a log of N records over a generated design of size SIZE has.
//! `cargo run --release --example flow_classes -- SIZE RECORDS`

use std::collections::HashSet;
use std::net::IpAddr;

use zonescope::engine::flows::classify::{ClassIndex, EndKey};
use zonescope::engine::flows::synth::write_realistic;
use zonescope::generate::{GenParams, generate};
use zonescope::model::load_str;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [size, n] = args.as_slice() else {
        eprintln!("usage: flow_classes SIZE RECORDS");
        std::process::exit(2);
    };
    let Some(params) = GenParams::size(size) else {
        eprintln!("unknown size {size}: S, M or L");
        std::process::exit(2);
    };
    let n: u64 = n.parse().unwrap_or(1_000_000);
    let text = generate(&params);
    let t = load_str(&text, "gen.yaml").map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut log = Vec::new();
    write_realistic(&t, n, 1, &mut log)?;
    let index = ClassIndex::new(&t);
    let mut pairs: HashSet<(EndKey, EndKey)> = HashSet::new();
    let mut keys: HashSet<(EndKey, EndKey, u8, u16)> = HashSet::new();
    let mut ends: HashSet<EndKey> = HashSet::new();
    let mut records = 0u64;
    for line in String::from_utf8_lossy(&log).lines().skip(1) {
        let f: Vec<&str> = line.split(' ').collect();
        let (Some(Ok(src)), Some(Ok(dst))) = (
            f.get(3).map(|s| s.parse::<IpAddr>()),
            f.get(4).map(|s| s.parse::<IpAddr>()),
        ) else {
            continue;
        };
        let dport: u16 = f.get(6).and_then(|s| s.parse().ok()).unwrap_or(0);
        let proto: u8 = f.get(7).and_then(|s| s.parse().ok()).unwrap_or(0);
        let a = index.addr(src).key;
        let b = index.addr(dst).key;
        records += 1;
        ends.insert(a);
        ends.insert(b);
        pairs.insert((a, b));
        keys.insert((a, b, proto, index.port(dport)));
    }
    println!(
        "{size}: {records} records, {} distinct end classes, {} distinct class pairs, {} distinct (pair, protocol, port interval) keys",
        ends.len(),
        pairs.len(),
        keys.len()
    );
    Ok(())
}
