//! Test support for AWS VPC flow logs in Apache Parquet (needs the `parquet` feature).
//!
//! - `cargo run --release --example aws_parquet -- convert IN.log OUT.parquet [ROWS]` writes
//!   the default-format (version 2) records of an AWS text log as Parquet in AWS's shape: one
//!   optional column per field named with `_` for `-`, the types AWS documents ("Parquet data
//!   type" in <https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html>:
//!   version, srcport, dstport, protocol INT_32; packets, bytes, start, end INT_64; the rest
//!   STRING), Gzip pages, ROWS rows per row group (default 65,536). `-` fields become nulls;
//!   header and `#` lines are dropped; a line that is not 14 fields is an error.
//! - `… -- read LOG` reads a log (text or Parquet) with the reader alone, no design, and
//!   prints records per second.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::sync::Arc;
use std::time::Instant;

use parquet::basic::{Compression, GzipLevel};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use zonescope::engine::flows::read::{LogFormat, ReadEvent, read_log, read_parquet_file};

const SCHEMA: &str = "message flow_log {
  optional int32 version;
  optional binary account_id (STRING);
  optional binary interface_id (STRING);
  optional binary srcaddr (STRING);
  optional binary dstaddr (STRING);
  optional int32 srcport;
  optional int32 dstport;
  optional int32 protocol;
  optional int64 packets;
  optional int64 bytes;
  optional int64 start;
  optional int64 end;
  optional binary action (STRING);
  optional binary log_status (STRING);
}";

/// Columns 0, 5, 6, 7 are INT_32; 8–11 INT_64; the rest strings.
fn kind(k: usize) -> u8 {
    match k {
        0 | 5..=7 => 32,
        8..=11 => 64,
        _ => 0,
    }
}

fn convert(input: &str, output: &str, group: usize) -> Result<u64, Box<dyn std::error::Error>> {
    let schema = Arc::new(parse_message_type(SCHEMA)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::GZIP(GzipLevel::default()))
            .build(),
    );
    let mut w = SerializedFileWriter::new(File::create(output)?, schema, props)?;
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(group);
    let mut total = 0u64;
    let flush = |rows: &mut Vec<Vec<String>>,
                 w: &mut SerializedFileWriter<File>|
     -> Result<(), Box<dyn std::error::Error>> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut rg = w.next_row_group()?;
        for k in 0..14 {
            let mut col = rg.next_column()?.ok_or("fewer columns than the schema")?;
            let cells: Vec<&str> = rows.iter().map(|r| r[k].as_str()).collect();
            let def: Vec<i16> = cells.iter().map(|c| i16::from(*c != "-")).collect();
            let present = cells.iter().filter(|c| **c != "-");
            match kind(k) {
                32 => {
                    let v = present
                        .map(|c| c.parse::<i32>())
                        .collect::<Result<Vec<_>, _>>()?;
                    col.typed::<Int32Type>().write_batch(&v, Some(&def), None)?;
                }
                64 => {
                    let v = present
                        .map(|c| c.parse::<i64>())
                        .collect::<Result<Vec<_>, _>>()?;
                    col.typed::<Int64Type>().write_batch(&v, Some(&def), None)?;
                }
                _ => {
                    let v: Vec<ByteArray> = present.map(|c| ByteArray::from(*c)).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&def), None)?;
                }
            }
            col.close()?;
        }
        rg.close()?;
        rows.clear();
        Ok(())
    };
    for (n, line) in BufReader::new(File::open(input)?).lines().enumerate() {
        let line = line?;
        let body = line.trim();
        if body.is_empty() || body.starts_with('#') || body.starts_with("version") {
            continue;
        }
        let fields: Vec<String> = body.split_ascii_whitespace().map(str::to_owned).collect();
        if fields.len() != 14 {
            return Err(format!("{input}:{}: not a version 2 record", n + 1).into());
        }
        rows.push(fields);
        total += 1;
        if rows.len() == group {
            flush(&mut rows, &mut w)?;
        }
    }
    flush(&mut rows, &mut w)?;
    w.close()?;
    Ok(total)
}

fn read(path: &str) -> std::io::Result<()> {
    let t0 = Instant::now();
    let mut accepted = 0u64;
    let count = |ev: ReadEvent<'_>| {
        if let ReadEvent::Record(r) = ev {
            accepted += u64::from(r.action == zonescope::engine::flows::read::Action::Accept);
        }
    };
    let mut head = [0u8; 4];
    let is_parquet = {
        use std::io::Read;
        File::open(path)?.read(&mut head)? == 4 && head == *b"PAR1"
    };
    let stats = if is_parquet {
        read_parquet_file(File::open(path)?, count)?
    } else {
        read_log(File::open(path)?, LogFormat::Auto, count)?
    };
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{path}: {:?}, {} records ({accepted} accepted), {} skipped, {} unreadable in {secs:.3} s: {:.2} M records/s",
        stats.format,
        stats.records,
        stats.skipped,
        stats.unreadable,
        stats.records as f64 / secs / 1e6
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["convert", input, output, rest @ ..] => {
            let group = rest.first().and_then(|g| g.parse().ok()).unwrap_or(65_536);
            let n = convert(input, output, group)?;
            eprintln!("{n} records written to {output}");
        }
        ["read", path] => read(path)?,
        _ => {
            eprintln!(
                "usage: aws_parquet convert IN.log OUT.parquet [ROWS] | aws_parquet read LOG"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
