//! AWS VPC flow logs in Apache Parquet (S3 delivery's `parquet` file format).
//!
//! The files are written here, at run time, with the `parquet` writer, in AWS's shape:
//! - columns named after the fields with `_` for `-` (`account_id`, `log_status`), as the table
//!   Athena documents for these files reads them by name
//!   (<https://docs.aws.amazon.com/athena/latest/ug/vpc-flow-logs-parquet.html>);
//! - the types AWS documents for each field, "Parquet data type"
//!   (<https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html#flow-logs-fields>):
//!   version, srcport, dstport, protocol INT_32; packets, bytes, start, end INT_64; the rest
//!   STRING;
//! - every column optional: a NODATA/SKIPDATA record has no addresses, ports or counters
//!   (the text format's `-`), which an INT_32 column can only hold as null;
//! - Gzip-compressed pages ("Parquet format with Gzip compression",
//!   <https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html>, "Log file
//!   format"), several row groups.
//!
//! The main test: the same log in text and in Parquet gives the same report.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, GzipLevel};
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use zonescope::engine::flows::read::{LogFormat, ReadEvent, read_log};
use zonescope::engine::flows::run::analyze_reader;
use zonescope::engine::flows::synth::write_realistic;
use zonescope::engine::flows::{Analyzer, FlowReport, Options, analyze_logs};
use zonescope::generate::{GenParams, generate};
use zonescope::model::{Topology, Verdict, load, load_str};

use crate::flowlogs::AWS_V2;

const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);
const BIN: &str = env!("CARGO_BIN_EXE_zonescope");

/// Physical type of a column.
#[derive(Clone, Copy)]
enum Kind {
    I32,
    I64,
    Str,
}

/// The default (version 2) format with AWS's Parquet types (flow-log-records.html, "Available
/// fields", "Parquet data type").
const V2: [(&str, Kind); 14] = [
    ("version", Kind::I32),
    ("account_id", Kind::Str),
    ("interface_id", Kind::Str),
    ("srcaddr", Kind::Str),
    ("dstaddr", Kind::Str),
    ("srcport", Kind::I32),
    ("dstport", Kind::I32),
    ("protocol", Kind::I32),
    ("packets", Kind::I64),
    ("bytes", Kind::I64),
    ("start", Kind::I64),
    ("end", Kind::I64),
    ("action", Kind::Str),
    ("log_status", Kind::Str),
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zonescope-parquet-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `rows` (text fields, `-` for null) as a Parquet file of `columns`, `group` rows per
/// row group, Gzip-compressed.
fn write_parquet(path: &Path, columns: &[(&str, Kind)], rows: &[Vec<&str>], group: usize) {
    let mut message = String::from("message flow_log {\n");
    for (name, kind) in columns {
        let ty = match kind {
            Kind::I32 => "int32",
            Kind::I64 => "int64",
            Kind::Str => "binary",
        };
        let logical = if matches!(kind, Kind::Str) {
            " (STRING)"
        } else {
            ""
        };
        message.push_str(&format!("  optional {ty} {name}{logical};\n"));
    }
    message.push('}');
    let schema = Arc::new(parse_message_type(&message).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::GZIP(GzipLevel::default()))
            .build(),
    );
    let file = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(file, schema, props).unwrap();
    for chunk in rows.chunks(group.max(1)) {
        let mut rg = w.next_row_group().unwrap();
        for (k, (_, kind)) in columns.iter().enumerate() {
            let mut col = rg.next_column().unwrap().expect("a column per field");
            let cells: Vec<&str> = chunk.iter().map(|r| r[k]).collect();
            let def: Vec<i16> = cells.iter().map(|c| i16::from(*c != "-")).collect();
            let present = cells.iter().filter(|c| **c != "-");
            match kind {
                Kind::I32 => {
                    let v: Vec<i32> = present.map(|c| c.parse().unwrap()).collect();
                    col.typed::<Int32Type>()
                        .write_batch(&v, Some(&def), None)
                        .unwrap();
                }
                Kind::I64 => {
                    let v: Vec<i64> = present.map(|c| c.parse().unwrap()).collect();
                    col.typed::<Int64Type>()
                        .write_batch(&v, Some(&def), None)
                        .unwrap();
                }
                Kind::Str => {
                    let v: Vec<ByteArray> = present.map(|c| ByteArray::from(*c)).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&def), None)
                        .unwrap();
                }
            }
            col.close().unwrap();
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

/// The data lines of an AWS text log (no header or `#` lines), split into fields.
fn data_rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("version"))
        .map(|l| l.split_ascii_whitespace().collect())
        .collect()
}

fn opts() -> Options {
    Options {
        format: LogFormat::Auto,
        jobs: 1,
    }
}

fn run(t: &Topology, logs: &[&Path]) -> FlowReport {
    let logs: Vec<String> = logs
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    analyze_logs(t, &logs, opts()).expect("the logs read")
}

/// The report as JSON without what names the file or counts lines, each record's line made
/// its place among the data lines (`offset` = lines before the first one).
fn comparable(r: &FlowReport, offset: u64) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    let o = v.as_object_mut().unwrap();
    for key in ["files", "cache", "topology"] {
        o.remove(key);
    }
    fn walk(v: &mut serde_json::Value, offset: u64) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("file");
                if let Some(serde_json::Value::Number(n)) = m.get("line") {
                    let line = n.as_u64().unwrap();
                    m.insert("line".into(), (line - offset).into());
                }
                for x in m.values_mut() {
                    walk(x, offset);
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, offset)),
            _ => {}
        }
    }
    walk(&mut v, offset);
    v
}

// ---------------------------------------------------------------------------------------
// The documentation's records

#[test]
fn the_documented_v2_records_in_parquet() {
    // The seven version-2 records of flow-logs-records-examples.html, in order, one row each.
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let rows = data_rows(&text);
    assert_eq!(rows.len(), 7);
    let dir = scratch("doc");
    let file =
        dir.join("123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20141214T0405Z_a1b2.log.parquet");
    write_parquet(&file, &V2, &rows, 3);
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let r = run(&t, &[&file]);

    // Truth rows (AWS: flow-logs-records-examples.html; verdicts: tests/fixtures/flows/aws-doc.yaml):
    // row 1 SSH 172.31.16.139 -> 172.31.16.21:22 ACCEPT; sg-web admits HTTPS only -> drift.
    // row 2 RDP 172.31.9.69 -> 172.31.9.12:3389 REJECT; sg-data allows it -> broken.
    // rows 3, 4: log-status NODATA and SKIPDATA ("-" fields, here nulls) -> skipped.
    // row 5 ping 203.0.113.12 -> 172.31.16.139 ACCEPT; nacl-web has no outbound ICMP -> drift.
    // row 6 its reply REJECT by the NACL -> agrees with the design.
    // row 7 IPv6 SSH to the bastion ACCEPT -> allowed, agrees.
    assert_eq!((r.records, r.skipped, r.unreadable), (5, 2, 0));
    assert_eq!((r.judged, r.consistent), (5, 2));
    let drift: Vec<u64> = r.drift.iter().map(|m| m.line).collect();
    assert_eq!(drift, [1, 5]);
    assert_eq!(r.drift[0].dst_port, 22);
    assert_eq!(r.drift[0].observed, "accept");
    assert_eq!(r.drift[0].verdict, Verdict::Deny);
    assert_eq!(
        r.drift[0].decided_by.as_ref().map(|d| d.rule.as_str()),
        Some("implicit-deny")
    );
    let broken: Vec<u64> = r.broken.iter().map(|m| m.line).collect();
    assert_eq!(broken, [2]);
    assert_eq!(
        (r.broken[0].observed, r.broken[0].verdict),
        ("reject", Verdict::Allow)
    );
    assert_eq!(r.broken[0].dst_name.as_deref(), Some("db-1"));
    assert_eq!(r.files.len(), 1);
    let f = &r.files[0];
    assert_eq!((f.format, f.compressed, f.lines), ("aws-parquet", true, 7));

    // The same records as text: the same report, line for line (text line = row + the
    // comment and header lines before it).
    let whole = run(&t, &[Path::new(AWS_V2)]);
    assert_eq!((whole.records, whole.skipped), (5, 2));
    let text_lines: Vec<u64> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("2 "))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let as_rows = |lines: Vec<u64>| -> Vec<u64> {
        lines
            .iter()
            .map(|l| text_lines.iter().position(|x| x == l).unwrap() as u64 + 1)
            .collect()
    };
    assert_eq!(as_rows(whole.drift.iter().map(|m| m.line).collect()), drift);
    assert_eq!(
        as_rows(whole.broken.iter().map(|m| m.line).collect()),
        broken
    );
    assert_eq!(whole.counts, r.counts);
    assert_eq!(whole.zone_pairs, r.zone_pairs);
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------------------
// The same log in text and in Parquet

#[test]
fn a_realistic_log_gives_the_same_report_in_text_and_parquet() {
    let design = generate(&GenParams::size("S").unwrap());
    let t = load_str(&design, "s.yaml").unwrap();
    let mut text = Vec::new();
    write_realistic(&t, 12_000, 7, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let rows = data_rows(&text);
    assert_eq!(rows.len(), 12_000);
    // NODATA lines are in the realistic log (0.1 %): they become rows of nulls.
    assert!(rows.iter().any(|r| r[13] == "NODATA"));
    let dir = scratch("realistic");
    let (log, pq) = (dir.join("flows.log"), dir.join("flows.parquet"));
    std::fs::write(&log, &text).unwrap();
    // Row groups of 5,000: three groups, the last one partial, each several reader batches.
    write_parquet(&pq, &V2, &rows, 5_000);

    let a = run(&t, &[&log]);
    let b = run(&t, &[&pq]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(a.records + a.skipped, 12_000);
    assert!(
        a.drift.len() + a.broken.len() > 0,
        "the log exercises verdicts"
    );
    assert_eq!(
        (b.records, b.skipped, b.unreadable),
        (a.records, a.skipped, a.unreadable)
    );
    assert_eq!(b.files[0].lines, 12_000);
    // The text log's line 1 is its header: text line n is row n - 1.
    assert_eq!(comparable(&a, 1), comparable(&b, 0));
}

#[test]
fn parquet_from_standard_input_or_gzip_reads_the_same() {
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let dir = scratch("stream");
    let file = dir.join("doc.parquet");
    write_parquet(&file, &V2, &data_rows(&text), 2);
    let bytes = std::fs::read(&file).unwrap();
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let in_place = run(&t, &[&file]);

    let mut an = Analyzer::new(&t);
    let stats = analyze_reader(&mut an, "-", bytes.as_slice(), LogFormat::Auto).unwrap();
    let piped = an.finish();
    assert_eq!(stats.format, LogFormat::Parquet);
    assert_eq!(comparable(&piped, 0), comparable(&in_place, 0));

    // A gzip-wrapped Parquet file (a `.gz` of a `.parquet`): decompressed, then read.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let mut an = Analyzer::new(&t);
    analyze_reader(&mut an, "-", gz.as_slice(), LogFormat::Auto).unwrap();
    assert_eq!(comparable(&an.finish(), 0), comparable(&in_place, 0));

    // `--log-format parquet` reads it too.
    let mut an = Analyzer::new(&t);
    analyze_reader(&mut an, "-", bytes.as_slice(), LogFormat::Parquet).unwrap();
    assert_eq!(comparable(&an.finish(), 0), comparable(&in_place, 0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_s3_folder_of_parquet_files_reads_like_one_log() {
    // S3 delivery names Parquet objects `….log.parquet` under
    // AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/ (flow-logs-s3-path.html).
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let rows = data_rows(&text);
    let root = scratch("s3");
    let day = root.join("AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14");
    std::fs::create_dir_all(&day).unwrap();
    let first = day.join("123456789010_vpcflowlogs_us-east-1_fl-1_20141214T0405Z_aa.log.parquet");
    let second = day.join("123456789010_vpcflowlogs_us-east-1_fl-1_20141214T0410Z_bb.log.parquet");
    write_parquet(&first, &V2, &rows[..4], 4);
    write_parquet(&second, &V2, &rows[4..], 4);
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let folder = run(&t, &[&root]);
    let whole = run(&t, &[Path::new(AWS_V2)]);
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(folder.files.len(), 2);
    assert!(folder.files.iter().all(|f| f.format == "aws-parquet"));
    assert_eq!(
        (folder.records, folder.skipped, folder.unreadable),
        (whole.records, whole.skipped, whole.unreadable)
    );
    assert_eq!(folder.counts, whole.counts);
    assert_eq!(folder.zone_pairs, whole.zone_pairs);
}

// ---------------------------------------------------------------------------------------
// Custom formats: columns missing, other names and types

/// Reads a Parquet file and a text log of the same records; returns both reports.
fn both(
    t: &Topology,
    columns: &[(&str, Kind)],
    rows: &[Vec<&str>],
    name: &str,
) -> (FlowReport, FlowReport) {
    let dir = scratch(name);
    let pq = dir.join("log.parquet");
    write_parquet(&pq, columns, rows, 2);
    let header: Vec<String> = columns.iter().map(|(n, _)| n.replace('_', "-")).collect();
    let mut text = header.join(" ") + "\n";
    for r in rows {
        text.push_str(&r.join(" "));
        text.push('\n');
    }
    let log = dir.join("log.txt");
    std::fs::write(&log, text).unwrap();
    let pair = (run(t, &[&pq]), run(t, &[&log]));
    std::fs::remove_dir_all(&dir).ok();
    pair
}

#[test]
fn a_custom_format_without_the_optional_fields() {
    // A custom format of the six fields a record needs: packets, bytes, start, end,
    // interface-id and log-status absent, as a text header without them.
    let cols = [
        ("srcaddr", Kind::Str),
        ("dstaddr", Kind::Str),
        ("srcport", Kind::I32),
        ("dstport", Kind::I32),
        ("protocol", Kind::I32),
        ("action", Kind::Str),
    ];
    // The SSH and RDP records of the documentation (drift and broken, as above).
    let rows = vec![
        vec![
            "172.31.16.139",
            "172.31.16.21",
            "20641",
            "22",
            "6",
            "ACCEPT",
        ],
        vec!["172.31.9.69", "172.31.9.12", "49761", "3389", "6", "REJECT"],
    ];
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let (pq, text) = both(&t, &cols, &rows, "custom");
    assert_eq!((pq.records, pq.unreadable), (2, 0));
    assert_eq!((pq.counts.drift, pq.counts.broken), (1, 1));
    assert_eq!(comparable(&pq, 0), comparable(&text, 1));
}

#[test]
fn a_file_without_a_required_column_is_unreadable_like_its_text() {
    // No dstport: as a text header lacking it, the header (here the schema, line 0) and every
    // row are unreadable, and nothing is judged.
    let cols = [
        ("srcaddr", Kind::Str),
        ("dstaddr", Kind::Str),
        ("srcport", Kind::I32),
        ("protocol", Kind::I32),
        ("action", Kind::Str),
    ];
    let rows = vec![
        vec!["172.31.16.139", "172.31.16.21", "20641", "6", "ACCEPT"],
        vec!["172.31.9.69", "172.31.9.12", "49761", "6", "REJECT"],
        vec!["203.0.113.12", "172.31.16.139", "0", "1", "ACCEPT"],
    ];
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let (pq, text) = both(&t, &cols, &rows, "required");
    assert_eq!((text.records, text.unreadable), (0, 4));
    assert_eq!((pq.records, pq.unreadable), (0, 4));
    let first = &pq.unreadable_samples[0];
    assert_eq!(first.line, 0);
    assert!(first.why.contains("dstport"), "{}", first.why);
    assert!(first.file.ends_with("log.parquet"), "{}", first.file);
    assert!(
        pq.unreadable_samples[1..]
            .iter()
            .all(|s| s.why.contains("dstport"))
    );
}

#[test]
fn hyphenated_names_wider_integers_and_bad_values() {
    // Names as in the text header (`log-status`), protocol as INT_64 (Athena's table declares
    // it `bigint`), ports as strings: still the same fields. A bad action and a port of
    // 70000 are unreadable rows, as the same text lines are.
    let cols = [
        ("srcaddr", Kind::Str),
        ("dstaddr", Kind::Str),
        ("srcport", Kind::Str),
        ("dstport", Kind::I64),
        ("protocol", Kind::I64),
        ("action", Kind::Str),
        ("log-status", Kind::Str),
    ];
    let rows = vec![
        vec![
            "172.31.16.139",
            "172.31.16.21",
            "20641",
            "22",
            "6",
            "ACCEPT",
            "OK",
        ],
        vec![
            "172.31.9.69",
            "172.31.9.12",
            "49761",
            "3389",
            "6",
            "DROP",
            "OK",
        ],
        vec![
            "172.31.9.69",
            "172.31.9.12",
            "49761",
            "70000",
            "6",
            "REJECT",
            "OK",
        ],
        vec!["-", "-", "-", "-", "-", "-", "NODATA"],
    ];
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let (pq, text) = both(&t, &cols, &rows, "types");
    assert_eq!((pq.records, pq.skipped, pq.unreadable), (1, 1, 2));
    assert_eq!(pq.counts.drift, 1);
    let why: Vec<&str> = pq
        .unreadable_samples
        .iter()
        .map(|s| s.why.as_str())
        .collect();
    assert_eq!(
        why,
        [
            "bad value for field `action`",
            "bad value for field `dstport`"
        ]
    );
    assert_eq!(pq.unreadable_samples[0].line, 2);
    assert!(pq.unreadable_samples[0].text.contains("action=DROP"));
    assert_eq!(
        comparable(&pq, 0)["unreadable"],
        comparable(&text, 1)["unreadable"]
    );
    assert_eq!(pq.counts, text.counts);
}

// ---------------------------------------------------------------------------------------
// Broken files

#[test]
fn broken_parquet_files_are_unreadable_never_fatal() {
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let dir = scratch("broken");
    let good = dir.join("good.parquet");
    write_parquet(&good, &V2, &data_rows(&text), 7);
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("magic-only.parquet", b"PAR1".to_vec()),
        ("cut.parquet", bytes[..bytes.len() / 2].to_vec()),
        ("no-footer.parquet", bytes[..bytes.len() - 4].to_vec()),
        (
            "garbage-body.parquet",
            [b"PAR1".as_slice(), &[0xAB; 200], &bytes[bytes.len() - 8..]].concat(),
        ),
        ("pages-overwritten.parquet", {
            // A valid footer over pages of zeros: the pages cannot be decoded.
            let mut b = bytes.clone();
            for x in &mut b[4..bytes.len() / 2] {
                *x = 0;
            }
            b
        }),
    ];
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    for (name, content) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &content).unwrap();
        let r = run(&t, &[&path]);
        assert!(r.unreadable >= 1, "{name}: {r:?}");
        let s = &r.unreadable_samples[0];
        assert!(
            s.why.starts_with("Parquet file is unreadable"),
            "{name}: {}",
            s.why
        );
        assert!(s.file.ends_with(name), "{name}: {}", s.file);
        // From a stream too (copied to a temporary file first).
        let mut events = 0u64;
        let stats = read_log(content.as_slice(), LogFormat::Auto, |ev| {
            events += 1;
            if let ReadEvent::Unreadable { why, .. } = ev {
                assert!(why.to_string().starts_with("Parquet"), "{name}: {why}");
            }
        })
        .unwrap();
        assert!(stats.unreadable >= 1, "{name}");
        assert_eq!(stats.format, LogFormat::Parquet);
        assert!(events >= 1);
    }
    // `--log-format parquet` on a text log: one unreadable event saying it is not Parquet.
    let stats = read_log(text.as_bytes(), LogFormat::Parquet, |ev| {
        if let ReadEvent::Unreadable { line, why, .. } = ev {
            assert_eq!(line, 0);
            assert!(why.to_string().contains("PAR1"), "{why}");
        } else {
            panic!("only the one problem: {ev:?}");
        }
    })
    .unwrap();
    assert_eq!((stats.records, stats.unreadable), (0, 1));
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------------------
// The command line

#[test]
fn the_command_line_reads_parquet() {
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let dir = scratch("cli");
    let file = dir.join("doc.log.parquet");
    write_parquet(&file, &V2, &data_rows(&text), 4);
    for extra in [&[][..], &["--log-format", "parquet"][..]] {
        let mut args = vec![
            "flows",
            AWS_DESIGN,
            file.to_str().unwrap(),
            "--format",
            "json",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let out = std::process::Command::new(BIN)
            .args(&args)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(v["records"], 5, "{extra:?}");
        assert_eq!(v["skipped"], 2);
        assert_eq!(v["files"][0]["format"], "aws-parquet");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn corrupted_bytes_anywhere_are_unreadable_entries() {
    // Every truncation and a few hundred seeded byte changes of a valid file: each reads (some
    // records, or unreadable entries), and none makes the decoder panic (the reader turns a
    // panic into "the Parquet decoder failed", which must not occur).
    let text = std::fs::read_to_string(AWS_V2).unwrap();
    let dir = scratch("mutants");
    let good = dir.join("good.parquet");
    write_parquet(&good, &V2, &data_rows(&text), 3);
    let bytes = std::fs::read(&good).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut mutants: Vec<Vec<u8>> = (4..bytes.len())
        .step_by(7)
        .map(|n| bytes[..n].to_vec())
        .collect();
    for _ in 0..400 {
        let mut m = bytes.clone();
        for _ in 0..=(next() % 4) {
            let at = (next() as usize) % m.len();
            m[at] = next() as u8;
        }
        mutants.push(m);
    }
    for (k, m) in mutants.iter().enumerate() {
        let mut problems = Vec::new();
        let stats = read_log(m.as_slice(), LogFormat::Parquet, |ev| {
            if let ReadEvent::Unreadable { why, .. } = ev {
                problems.push(why.to_string());
            }
        })
        .unwrap();
        assert!(
            problems.iter().all(|p| !p.contains("decoder failed")),
            "mutant {k}: {problems:?}"
        );
        assert!(
            stats.records + stats.skipped + stats.unreadable >= 1,
            "mutant {k}"
        );
    }
}
