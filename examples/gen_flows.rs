//! Writes a realistic AWS VPC flow log (see `zonescope::engine::flows::synth`) over a generated
//! design: `cargo run --release --example gen_flows -- SIZE RECORDS DESIGN.yaml LOG.log`
//! writes the design of size SIZE (S, M, L) to DESIGN.yaml and the log to LOG.log.

use std::fs::File;
use std::io::BufWriter;

use zonescope::engine::flows::synth::{host_count, write_realistic};
use zonescope::generate::{GenParams, generate};
use zonescope::model::load_str;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [size, n, design, log] = args.as_slice() else {
        eprintln!("usage: gen_flows SIZE RECORDS DESIGN.yaml LOG.log");
        std::process::exit(2);
    };
    let Some(params) = GenParams::size(size) else {
        eprintln!("unknown size {size}: S, M or L");
        std::process::exit(2);
    };
    let n: u64 = n.parse().unwrap_or(1_000_000);
    let text = generate(&params);
    std::fs::write(design, &text)?;
    let t = load_str(&text, design).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut out = BufWriter::new(File::create(log)?);
    write_realistic(&t, n, 1, &mut out)?;
    eprintln!(
        "{size}: {} endpoints, {} subnet hosts; {n} records written to {log}",
        t.endpoints().len(),
        host_count(&t)
    );
    Ok(())
}
