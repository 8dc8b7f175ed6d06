//! Measures the flow-log readers: writes N AWS version 2 lines (default 1,000,000; first
//! argument overrides) to a temporary file, reads them back and prints records per second;
//! then the same for an Azure virtual-network flow log JSON document of N tuples held in memory.
//! Run with `cargo run --release --example bench_read [N]`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use zonescope::engine::flows::read::{LogFormat, ReadEvent, read_log};

fn main() -> std::io::Result<()> {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(1_000_000);
    let path = std::env::temp_dir().join(format!("bench_read_{}.log", std::process::id()));
    {
        let mut out = BufWriter::new(File::create(&path)?);
        writeln!(
            out,
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        )?;
        for i in 0..n {
            let action = if i % 7 == 0 { "REJECT" } else { "ACCEPT" };
            writeln!(
                out,
                "2 123456789010 eni-1235b8ca123456789 10.{}.{}.{} 172.31.{}.{} {} {} 6 {} {} 1418530010 1418530070 {action} OK",
                (i >> 16) & 0xff,
                (i >> 8) & 0xff,
                i & 0xff,
                (i >> 3) & 0xff,
                (i * 7) & 0xff,
                1024 + i % 60000,
                [22, 443, 5432, 8080][(i % 4) as usize],
                1 + i % 100,
                40 + i % 100_000,
            )?;
        }
        out.flush()?;
    }
    let size = std::fs::metadata(&path)?.len();

    let mut best = f64::MAX;
    let mut checksum = 0u64;
    for _ in 0..3 {
        let file = File::open(&path)?;
        let started = Instant::now();
        let stats = read_log(file, LogFormat::Auto, |event| {
            if let ReadEvent::Record(r) = event {
                checksum = checksum.wrapping_add(u64::from(r.dst_port) + r.bytes);
            }
        })?;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(stats.records, n, "every line is a record");
        best = best.min(seconds);
    }
    std::fs::remove_file(&path)?;
    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    let (rate, mib) = (n as f64 / best, size as f64 / (1024.0 * 1024.0));
    println!(
        "{n} AWS v2 records ({mib:.1} MiB) in {:.3} s (best of 3): {:.2} M records/s, {:.0} MiB/s (checksum {checksum})",
        best,
        rate / 1e6,
        mib / best
    );
    azure(n)
}

/// Reads an in-memory virtual-network flow log of `n` tuples (one record entry per 1000 tuples).
fn azure(n: u64) -> std::io::Result<()> {
    let mut doc = String::from("{\"records\": [\n");
    let mut i = 0;
    while i < n {
        if i > 0 {
            doc.push_str(",\n");
        }
        doc.push_str(
            "{\"macAddress\": \"00224871C205\", \"flowRecords\": {\"flows\": [{\"aclID\": \"x\", \"flowGroups\": [{\"rule\": \"DefaultRule_AllowInternetOutBound\", \"flowTuples\": [\n",
        );
        for j in 0..1000.min(n - i) {
            if j > 0 {
                doc.push_str(",\n");
            }
            let k = i + j;
            write!(
                doc,
                "\"1663146003599,10.0.{}.{},52.239.{}.{},{},443,6,O,E,NX,3,767,2,1580\"",
                (k >> 8) & 0xff,
                k & 0xff,
                (k >> 3) & 0xff,
                (k * 7) & 0xff,
                1024 + k % 60000
            )
            .map_err(std::io::Error::other)?;
        }
        doc.push_str("]}]}]}}");
        i += 1000.min(n - i);
    }
    doc.push_str("\n]}\n");
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let stats = read_log(doc.as_bytes(), LogFormat::Auto, |_| {})?;
        best = best.min(started.elapsed().as_secs_f64());
        assert_eq!(stats.records, n, "every tuple is a record");
    }
    #[allow(clippy::cast_precision_loss, reason = "a rate for display")]
    let (rate, mib) = (n as f64 / best, doc.len() as f64 / (1024.0 * 1024.0));
    println!(
        "{n} Azure VNet tuples ({mib:.1} MiB JSON) in {best:.3} s (best of 3): {:.2} M records/s",
        rate / 1e6
    );
    Ok(())
}
