//! Flow logs in the shapes clouds deliver them: S3's folder layout given as a directory
//! (AWS: "bucket/AWSLogs/account_id/vpcflowlogs/region/year/month/day/", each file one Gzip
//! file named `ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_YYYYMMDDTHHmmZ_HASH.log.gz`).

use std::io::Write as _;
use std::path::Path;

use zonescope::engine::flows::layout::expand;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::{Options, analyze_logs};
use zonescope::model::load;

const AWS_V2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/reference/flowlogs/aws-vpc-v2-examples.log"
);
const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);

fn gz(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap();
}

#[test]
fn s3_folder_layout_reads_every_file_in_date_order() {
    let root = std::env::temp_dir().join(format!("zonescope-s3-{}", std::process::id()));
    let base = root.join("AWSLogs/123456789010/vpcflowlogs/us-east-1");
    let reference = std::fs::read_to_string(AWS_V2).unwrap();
    let records: Vec<&str> = reference.lines().filter(|l| l.starts_with("2 ")).collect();
    assert_eq!(records.len(), 7);
    // Written out of order: the second day first, then the first day's two files.
    let day2 = base.join(
        "2026/01/02/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260102T0005Z_b2c3d4.log.gz",
    );
    let day1b = base.join(
        "2026/01/01/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260101T0010Z_a1b2c3.log.gz",
    );
    let day1a = base.join(
        "2026/01/01/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20260101T0005Z_f0e1d2.log.gz",
    );
    let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";
    gz(&day2, &format!("{header}{}\n", records[5..].join("\n")));
    gz(&day1b, &format!("{header}{}\n", records[2..5].join("\n")));
    gz(&day1a, &format!("{header}{}\n", records[..2].join("\n")));
    // Not logs: a hidden file and the console's folder marker.
    std::fs::write(base.join("2026/.DS_Store"), b"\0\0junk").unwrap();
    std::fs::write(base.join("2026/01_$folder$"), b"").unwrap();

    let dir = root.to_string_lossy().into_owned();
    let files = expand(std::slice::from_ref(&dir)).unwrap();
    let want: Vec<String> = [&day1a, &day1b, &day2]
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, want);

    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let opts = Options {
        format: LogFormat::Auto,
        jobs: 1,
    };
    let folder = analyze_logs(&t, std::slice::from_ref(&dir), opts).unwrap();
    let whole = analyze_logs(&t, &[AWS_V2.to_string()], opts).unwrap();
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(folder.files.len(), 3);
    assert!(folder.files.iter().all(|f| f.compressed));
    assert_eq!(
        (folder.records, folder.skipped, folder.unreadable),
        (whole.records, whole.skipped, whole.unreadable)
    );
    assert_eq!(folder.counts, whole.counts);
    assert_eq!(folder.zone_pairs, whole.zone_pairs);
}

#[test]
fn an_empty_folder_is_an_error_naming_it() {
    let root = std::env::temp_dir().join(format!("zonescope-s3-empty-{}", std::process::id()));
    std::fs::create_dir_all(root.join("AWSLogs")).unwrap();
    let dir = root.to_string_lossy().into_owned();
    let err = expand(std::slice::from_ref(&dir)).unwrap_err();
    std::fs::remove_dir_all(&root).ok();
    assert_eq!(err.0, dir);
    assert!(err.1.to_string().contains("no log files"), "{}", err.1);
}

use zonescope::engine::flows::run::analyze_logs_in;
use zonescope::engine::flows::window::{Window, parse_time, rfc3339};

#[test]
fn times_in_both_notations() {
    // Values from GNU `date -u -d TIME +%s`.
    for (text, secs) in [
        ("2026-01-01T00:00:00Z", 1_767_225_600),
        ("2015-05-29T16:30:27Z", 1_432_917_027),
        ("2015-05-29T18:30:27+02:00", 1_432_917_027),
        ("2015-05-29t16:30:27.750z", 1_432_917_027),
        ("2024-02-29T23:59:59Z", 1_709_251_199),
        ("2000-03-01", 951_868_800),
        ("1432917027", 1_432_917_027),
    ] {
        assert_eq!(parse_time(text), Ok(secs), "{text}");
    }
    assert_eq!(rfc3339(1_432_917_027), "2015-05-29T16:30:27Z");
    assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
    for bad in [
        "",
        "yesterday",
        "2023-02-29",
        "2026-13-01T00:00:00Z",
        "2026-01-01T00:00:00",
        "2026-01-01T25:00:00Z",
        "1969-12-31T23:59:59Z",
        "99999999999999999999999",
    ] {
        let err = parse_time(bad).expect_err(bad);
        assert!(err.contains("RFC 3339"), "{bad}: {err}");
    }
}

#[test]
fn since_until_keep_the_records_that_start_in_the_window() {
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let opts = Options {
        format: LogFormat::Auto,
        jobs: 1,
    };
    let logs = [AWS_V2.to_string()];
    let all = analyze_logs(&t, &logs, opts).unwrap();
    // The two ping records start at 1432917027 and 1432917094 (2015-05-29T16:30Z).
    let w = Window {
        since: Some(parse_time("2015-05-29T16:00:00Z").unwrap()),
        until: Some(parse_time("2015-05-29T17:00:00Z").unwrap()),
    };
    let r = analyze_logs_in(&t, &logs, opts, w).unwrap();
    assert_eq!(r.records, 2);
    assert_eq!(r.outside_window, all.records - 2);
    assert_eq!(r.timeline.len(), 1);
    let h = &r.timeline[0];
    assert_eq!(h.hour, "2015-05-29T16:00:00Z");
    assert_eq!((h.records, h.accepted, h.rejected), (2, 1, 1));
    // `until` is exclusive: the first ping alone.
    let w = Window {
        since: None,
        until: Some(1_432_917_028),
    };
    let r = analyze_logs_in(&t, &logs, opts, w).unwrap();
    assert_eq!(r.records, 3, "the two 2014 records and the first ping");
    // The whole log's timeline adds up to its records, in time order.
    assert_eq!(
        all.timeline.iter().map(|h| h.records).sum::<u64>(),
        all.records
    );
    assert_eq!(
        all.timeline.iter().map(|h| h.drift).sum::<u64>(),
        all.counts.drift
    );
    assert!(all.timeline.windows(2).all(|w| w[0].hour < w[1].hour));
    assert_eq!(all.outside_window, 0);
}

#[test]
fn cli_since_and_timeline_in_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "flows",
            AWS_DESIGN,
            AWS_V2,
            "--format",
            "json",
            "--quiet",
            "--since",
            "2015-05-29T16:00:00Z",
            "--until",
            "1432920627",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "--quiet prints nothing on stderr");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["records"], 2);
    assert_eq!(v["timeline"][0]["hour"], "2015-05-29T16:00:00Z");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["flows", AWS_DESIGN, AWS_V2, "--since", "last tuesday"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--since") && err.contains("RFC 3339"), "{err}");
}

use zonescope::engine::flows::read::{Action, ReadEvent, read_log};

const GCP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/gcp-vpc-flows.jsonl"
);

/// The fixture is written from GCP's documented fields (VPC Flow Logs record format:
/// `connection` {`src_ip`, `dest_ip`, `src_port`, `dest_port`, `protocol`}, `bytes_sent`,
/// `packets_sent`, `start_time`, `end_time`, `reporter`; firewall rules logging:
/// `disposition` ALLOWED/DENIED, `rule_details.reference`), one Cloud Logging entry per line.
#[test]
fn gcp_cloud_logging_lines_are_read() {
    let mut recs = Vec::new();
    let mut bad = Vec::new();
    let stats = read_log(
        std::fs::File::open(GCP).unwrap(),
        LogFormat::Auto,
        |ev| match ev {
            ReadEvent::Record(r) => recs.push((
                r.line,
                r.src.to_string(),
                r.dst.to_string(),
                r.src_port,
                r.dst_port,
                r.protocol,
                r.packets,
                r.bytes,
                r.start,
                r.action,
                r.rule.map(str::to_string),
            )),
            ReadEvent::Unreadable { line, why, .. } => bad.push((line, why.to_string())),
            ReadEvent::Skipped { .. } => {}
        },
    )
    .unwrap();
    assert_eq!(stats.format, LogFormat::Gcp);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (3, 2, 5));
    let first = &recs[0];
    assert_eq!(
        (
            first.0,
            first.1.as_str(),
            first.2.as_str(),
            first.3,
            first.4,
            first.5
        ),
        (1, "172.31.16.139", "172.31.16.21", 20641, 22, 6)
    );
    assert_eq!(
        (first.6, first.7),
        (20, 6048),
        "int64 counters are JSON strings"
    );
    assert_eq!(first.8, Some(parse_time("2026-01-01T10:00:01Z").unwrap()));
    assert_eq!(first.9, Action::Accept);
    let fw = &recs[2];
    assert_eq!((fw.0, fw.4, fw.9), (4, 3389, Action::Reject));
    assert_eq!(
        fw.8,
        Some(parse_time("2026-01-01T12:00:00Z").unwrap()),
        "the entry's timestamp"
    );
    assert_eq!(fw.10.as_deref(), Some("network:default/firewall:deny-rdp"));
    assert_eq!(bad[0].0, 3);
    assert!(bad[0].1.contains("JSON"), "{}", bad[0].1);
    assert_eq!(bad[1].0, 5);
    assert!(bad[1].1.contains("src_ip"), "{}", bad[1].1);

    // Through the report, gzip-compressed: the SSH call the design denies is drift; the
    // denied RDP call the design allows is a broken call.
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let dir = std::env::temp_dir().join(format!("zonescope-gcp-{}", std::process::id()));
    let gz_path = dir.join("gcp.jsonl.gz");
    gz(&gz_path, &std::fs::read_to_string(GCP).unwrap());
    let opts = Options {
        format: LogFormat::Auto,
        jobs: 2,
    };
    let r = analyze_logs(&t, &[gz_path.to_string_lossy().into_owned()], opts).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(r.files[0].format, "gcp");
    assert!(r.files[0].compressed);
    assert_eq!(r.records, 3);
    assert_eq!(
        r.drift.first().map(|m| (m.line, m.port)),
        Some((1, Some(22)))
    );
    assert_eq!(
        r.broken.first().map(|m| (m.line, m.port)),
        Some((4, Some(3389)))
    );
}

/// The progress bar never draws when standard error is not a terminal, even when it is due
/// at once (`ZONESCOPE_PROGRESS_AFTER_MS=0`) and the read is long enough to draw it.
#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = std::env::temp_dir().join(format!("zonescope-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("big.log");
    let line = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
    std::fs::write(&log, line.repeat(200_000)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "flows",
            AWS_DESIGN,
            log.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("ZONESCOPE_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Entries in shapes the export allows or a hand-edited file may have. What each gives
/// follows the reader's contract (`engine::flows::gcp`): int64 counters are JSON strings in
/// proto3's JSON mapping, and numbers are read too; a value of an unexpected type is read as
/// absent (a missing port or counter is 0); an escaped string is still a string; a repeated
/// key takes its last value, as for a JSON object read whole.
#[test]
fn gcp_entries_of_every_shape_are_read_leniently() {
    let lines = [
        // 1: counters as numbers, ports as strings, an escaped address, unknown fields.
        r#"{"jsonPayload":{"connection":{"src_ip":"10.0.0.\u0031","dest_ip":"10.0.0.2","src_port":"40000","dest_port":"443","protocol":6},"bytes_sent":1500,"packets_sent":3,"extra":{"a":[1,2,{"b":null}]}},"timestamp":"2026-01-01T00:00:00Z"}"#,
        // 2: a negative counter and a fractional port are absent (0); start from timestamp.
        r#"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","src_port":-5,"dest_port":443.5,"protocol":"17"},"bytes_sent":-1},"timestamp":"2026-01-01T01:00:00Z"}"#,
        // 3: a repeated key: the last connection counts.
        r#"{"jsonPayload":{"connection":{"src_ip":"192.0.2.1","dest_ip":"192.0.2.2","protocol":6},"connection":{"src_ip":"10.0.0.3","dest_ip":"10.0.0.4","dest_port":22,"protocol":6},"disposition":"denied"}}"#,
        // 4: connection of the wrong type.
        r#"{"jsonPayload":{"connection":"10.0.0.1 -> 10.0.0.2"}}"#,
        // 5: an entry that is not an object.
        "[1, 2, 3]",
        // 6: the destination address is a number.
        r#"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":167772162,"protocol":6}}}"#,
        // 7: a protocol out of range.
        r#"{"jsonPayload":{"connection":{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","protocol":300}}}"#,
    ];
    let text = lines.join("\n") + "\n";
    let mut recs = Vec::new();
    let mut bad = Vec::new();
    let stats = read_log(text.as_bytes(), LogFormat::Gcp, |ev| match ev {
        ReadEvent::Record(r) => recs.push((
            r.line,
            r.src.to_string(),
            r.dst.to_string(),
            r.src_port,
            r.dst_port,
            r.protocol,
            r.packets,
            r.bytes,
            r.start,
            r.action,
        )),
        ReadEvent::Unreadable { line, why, .. } => bad.push((line, why.to_string())),
        ReadEvent::Skipped { .. } => {}
    })
    .unwrap();
    assert_eq!((stats.records, stats.unreadable, stats.lines), (3, 4, 7));
    let t0 = parse_time("2026-01-01T00:00:00Z").unwrap();
    assert_eq!(
        recs,
        [
            (
                1,
                "10.0.0.1".into(),
                "10.0.0.2".into(),
                40000,
                443,
                6,
                3,
                1500,
                Some(t0),
                Action::Accept
            ),
            (
                2,
                "10.0.0.1".into(),
                "10.0.0.2".into(),
                0,
                0,
                17,
                0,
                0,
                Some(t0 + 3600),
                Action::Accept
            ),
            (
                3,
                "10.0.0.3".into(),
                "10.0.0.4".into(),
                0,
                22,
                6,
                0,
                0,
                None,
                Action::Reject
            ),
        ]
    );
    let at = |n: u64| bad.iter().find(|(l, _)| *l == n).map(|(_, w)| w.as_str());
    assert!(at(4).is_some_and(|w| w.contains("jsonPayload.connection")));
    assert!(at(5).is_some_and(|w| w.contains("jsonPayload.connection")));
    assert!(at(6).is_some_and(|w| w.contains("dest_ip")), "{bad:?}");
    assert!(at(7).is_some_and(|w| w.contains("protocol")), "{bad:?}");
}

/// A large GCP export is split at line boundaries like an AWS log: the report is the
/// one-pass report, but for the cache counters and the number of parts.
#[test]
fn a_large_gcp_export_read_in_parts_gives_the_one_pass_report() {
    use zonescope::engine::flows::run::PARALLEL_MIN_BYTES;
    let fixture = std::fs::read_to_string(GCP).unwrap();
    let mut text = String::new();
    while (text.len() as u64) < PARALLEL_MIN_BYTES + (1 << 20) {
        text.push_str(&fixture);
    }
    let dir = std::env::temp_dir().join(format!("zonescope-gcp-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.jsonl");
    std::fs::write(&path, &text).unwrap();
    let t = load(Path::new(AWS_DESIGN)).unwrap();
    let logs = [path.to_string_lossy().into_owned()];
    let at = |format, jobs| analyze_logs(&t, &logs, Options { format, jobs }).unwrap();
    let one = at(LogFormat::Auto, 1);
    let three = at(LogFormat::Auto, 3);
    let named = at(LogFormat::Gcp, 3);
    std::fs::remove_dir_all(&dir).ok();
    let copies = text.len() / fixture.len();
    assert_eq!(one.records, 3 * copies as u64);
    assert_eq!(one.unreadable, 2 * copies as u64);
    assert_eq!((one.files[0].parts, three.files[0].parts), (1, 3));
    assert_eq!(named.files[0].parts, 3);
    assert!(one.counts.drift > 0 && one.counts.broken > 0);
    let strip = |mut r: zonescope::engine::flows::FlowReport| {
        r.cache = zonescope::engine::flows::report::CacheStats::default();
        r.files[0].parts = 1;
        r
    };
    let one = strip(one);
    assert_eq!(strip(three), one);
    assert_eq!(strip(named), one);
}
