//! Flow-log classification throughput: `cargo bench --bench flows [-- N]`.
//!
//! For each generated size (S, M, L), writes an AWS version 2 flow log of N
//! records (default 1,000,000) whose addresses are drawn from the topology's endpoints
//! (2,000 conversations, their replies on ephemeral ports, some internet peers and rejected
//! records), then times the whole `flows` pipeline (read, classify, cached verdicts, report)
//! on one core and split across the cores, and `wc -l` on the same cached file. Then the same
//! for a realistic log of N lines (`zonescope::engine::flows::synth`: addresses over every host of the
//! subnets and thousands of internet hosts, random client ports), which a cache keyed by
//! address cannot hide.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::run::analyze_reader;
use zonescope::engine::flows::synth::{Rng, write_realistic};
use zonescope::engine::flows::{Analyzer, Options, analyze_logs};
use zonescope::generate::{GenParams, generate};
use zonescope::model::{Topology, load_str};

/// CPU seconds this process has used (user + system, all threads), from /proc (Linux);
/// the machine may be shared, so CPU time shows the work where wall time shows the waiting.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Best wall time of `runs`, the CPU time of that run, and the last result.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let (mut best, mut best_cpu) = (f64::MAX, f64::NAN);
    let mut last = None;
    for _ in 0..runs {
        let cpu = cpu_seconds();
        let started = Instant::now();
        let v = f();
        let wall = started.elapsed().as_secs_f64();
        if wall < best {
            best = wall;
            best_cpu = match (cpu, cpu_seconds()) {
                (Some(a), Some(b)) => b - a,
                _ => f64::NAN,
            };
        }
        last = Some(v);
    }
    (best, best_cpu, last.expect("at least one run"))
}

fn main() -> std::io::Result<()> {
    let n: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    for size in ["S", "M", "L"] {
        println!("\n{size}:");
        run(size, n)?;
    }
    Ok(())
}

/// Generate the `size` topology and a log of `n` records over it, and time the pipeline.
fn run(size: &str, n: u64) -> std::io::Result<()> {
    let params = GenParams::size(size).expect("a preset");
    let text = generate(&params);
    let started = Instant::now();
    let t = load_str(&text, "bench.yaml").expect("a generated topology loads");
    println!(
        "topology: {} endpoints, loaded in {:.0} ms",
        t.endpoints().len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let eps: Vec<(IpAddr, u16)> = t
        .endpoints()
        .iter()
        .filter_map(|e| {
            let port = e
                .ports
                .as_ref()
                .and_then(|p| p.ranges().first().map(|r| r.0))
                .filter(|p| *p > 0)
                .unwrap_or(443);
            e.ip.map(|ip| (ip, port))
        })
        .collect();
    let mut rng = Rng(7);
    let conversations: Vec<(IpAddr, IpAddr, u16)> = (0..2000)
        .map(|_| {
            let (a, _) = eps[rng.index(eps.len())];
            let (b, port) = eps[rng.index(eps.len())];
            (a, b, port)
        })
        .collect();
    let internet: Vec<IpAddr> = (0..300)
        .map(|i| IpAddr::V4(Ipv4Addr::new(52, 10 + (i / 250) as u8, (i % 250) as u8, 7)))
        .collect();

    let path =
        std::env::temp_dir().join(format!("zonescope_bench_flows_{}.log", std::process::id()));
    {
        let mut out = BufWriter::new(File::create(&path)?);
        writeln!(
            out,
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        )?;
        let mut line = String::with_capacity(160);
        for i in 0..n {
            let roll = rng.index(100);
            let (mut src, mut dst, port) = conversations[rng.index(conversations.len())];
            if roll < 5 {
                dst = internet[rng.index(internet.len())];
            }
            let eph = 1024 + rng.index(60_000) as u16;
            let (sp, dp) = if roll >= 60 {
                std::mem::swap(&mut src, &mut dst);
                (port, eph)
            } else {
                (eph, port)
            };
            let action = if rng.index(10) == 0 {
                "REJECT"
            } else {
                "ACCEPT"
            };
            line.clear();
            let _ = write!(
                line,
                "2 123456789010 eni-1235b8ca123456789 {src} {dst} {sp} {dp} 6 {} {} 1418530010 1418530070 {action} OK",
                1 + i % 50,
                40 + rng.index(200_000)
            );
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    }
    println!("declared-endpoint log:");
    time_log(&t, &path, n, 5)?;
    std::fs::remove_file(&path)?;

    // The realistic log: every host of the subnets, thousands of internet hosts, random
    // client ports (zonescope::engine::flows::synth).
    let path = std::env::temp_dir().join(format!(
        "zonescope_bench_flows_real_{}.log",
        std::process::id()
    ));
    {
        let mut out = BufWriter::new(File::create(&path)?);
        write_realistic(&t, n, 1, &mut out)?;
    }
    println!("realistic log:");
    time_log(&t, &path, n, 2)?;
    std::fs::remove_file(&path)?;
    Ok(())
}

/// Times the pipeline on the log at `path` (one core, every core, `wc -l`), best of `runs`.
fn time_log(t: &Topology, path: &Path, n: u64, runs: usize) -> std::io::Result<()> {
    let size = std::fs::metadata(path)?.len();
    let mib = size as f64 / 1_048_576.0;
    println!("log: {n} lines, {mib:.1} MiB");

    // One core: the whole pipeline in this thread.
    let (one, one_cpu, report) = best_of(runs, || {
        let mut an = Analyzer::new(t);
        analyze_reader(
            &mut an,
            "bench",
            File::open(path).expect("open"),
            LogFormat::Aws,
        )
        .expect("read");
        an.finish()
    });
    let n = report.records;
    println!(
        "1 core : {:.3} s, {:.2} M records/s ({:.0} MiB/s), CPU {:.2} s = {:.2} M records per CPU-second; {} traces, {} cache hits; {} drift, {} broken, {} replies",
        one,
        n as f64 / one / 1e6,
        mib / one,
        one_cpu,
        n as f64 / one_cpu / 1e6,
        report.cache.traces,
        report.cache.hits,
        report.counts.drift,
        report.counts.broken,
        report.replies
    );

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let logs = [path.to_string_lossy().into_owned()];
    let (all, all_cpu, preport) = best_of(runs, || {
        analyze_logs(
            t,
            &logs,
            Options {
                format: LogFormat::Auto,
                jobs: cores,
            },
        )
        .expect("read")
    });
    assert_eq!(preport.records, n);
    assert_eq!(
        preport.counts, report.counts,
        "the split gives the same report"
    );
    println!(
        "{cores} cores: {:.3} s, {:.2} M records/s ({:.0} MiB/s), CPU {:.2} s; load average {}",
        all,
        n as f64 / all / 1e6,
        mib / all,
        all_cpu,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );

    match best_of(5, || Command::new("wc").arg("-l").arg(path).output()) {
        (wc, _, Ok(o)) if o.status.success() => println!(
            "wc -l : {:.3} s ({}); flows on {cores} cores takes {:.1}× wc -l, on 1 core {:.1}×",
            wc,
            String::from_utf8_lossy(&o.stdout).trim(),
            all / wc,
            one / wc
        ),
        _ => println!("wc -l : not available"),
    }
    Ok(())
}
