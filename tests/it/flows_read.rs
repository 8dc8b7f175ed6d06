//! Tests of the flow-log readers against the reference flow logs and hand-made damage.
//!
//! Over 800 lines on purpose: one case per reader behaviour (AWS v2–v5, Azure, GCP, gzip,
//! damage), each short and self-contained; split by reader when it grows further.

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::IpAddr;

use proptest::prelude::*;

use crate::flowlogs::{AWS_CUSTOM, AWS_V2, AZURE_NSG, AZURE_VNET, SOURCES};
use zonescope::engine::flows::read::{
    Action, Detected, Direction, FlowState, LogFormat, MAX_LINE, Problem, ReadEvent, SkipKind,
    Stats, detect, read_log,
};

/// An owned copy of a record, to keep after the callback.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Rec {
    line: u64,
    src: IpAddr,
    dst: IpAddr,
    src_port: u16,
    dst_port: u16,
    protocol: u8,
    packets: u64,
    bytes: u64,
    start: Option<u64>,
    end: Option<u64>,
    action: Action,
    interface: Option<String>,
    direction: Option<Direction>,
    rule: Option<String>,
    state: Option<FlowState>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Ev {
    Record(Rec),
    Skipped(u64, SkipKind),
    Unreadable(u64, String, Problem),
}

fn read_bytes(bytes: &[u8], format: LogFormat) -> (Stats, Vec<Ev>) {
    let mut events = Vec::new();
    let stats = read_log(bytes, format, |event| {
        events.push(match event {
            ReadEvent::Record(r) => Ev::Record(Rec {
                line: r.line,
                src: r.src,
                dst: r.dst,
                src_port: r.src_port,
                dst_port: r.dst_port,
                protocol: r.protocol,
                packets: r.packets,
                bytes: r.bytes,
                start: r.start,
                end: r.end,
                action: r.action,
                interface: r.interface.map(str::to_owned),
                direction: r.direction,
                rule: r.rule.map(str::to_owned),
                state: r.state,
            }),
            ReadEvent::Skipped { line, kind } => Ev::Skipped(line, kind),
            ReadEvent::Unreadable { line, text, why } => {
                Ev::Unreadable(line, text.into_owned(), why)
            }
        });
    })
    .expect("reading from memory cannot fail");
    check_counts(&stats, &events);
    (stats, events)
}

fn read_file(path: &str, format: LogFormat) -> (Stats, Vec<Ev>) {
    read_bytes(&std::fs::read(path).expect("reference file"), format)
}

/// The stats agree with the events.
fn check_counts(stats: &Stats, events: &[Ev]) {
    let count = |f: fn(&Ev) -> bool| events.iter().filter(|e| f(e)).count() as u64;
    assert_eq!(stats.records, count(|e| matches!(e, Ev::Record(_))));
    assert_eq!(stats.skipped, count(|e| matches!(e, Ev::Skipped(..))));
    assert_eq!(stats.unreadable, count(|e| matches!(e, Ev::Unreadable(..))));
}

fn records(events: &[Ev]) -> Vec<&Rec> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::Record(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn unreadable(events: &[Ev]) -> Vec<(u64, &str, &Problem)> {
    events
        .iter()
        .filter_map(|e| match e {
            Ev::Unreadable(line, text, why) => Some((*line, text.as_str(), why)),
            _ => None,
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn count_actions(recs: &[&Rec]) -> (usize, usize) {
    let accept = recs.iter().filter(|r| r.action == Action::Accept).count();
    (accept, recs.len() - accept)
}

// ---- reference files ------------------------------------------------------------------

#[test]
fn aws_v2_reference_counts() {
    let (stats, events) = read_file(AWS_V2, LogFormat::Auto);
    assert_eq!(stats.format, LogFormat::Aws);
    assert!(!stats.compressed);
    assert_eq!(stats.records, 5);
    assert_eq!(stats.skipped, 2);
    assert_eq!(stats.unreadable, 0);
    assert_eq!(stats.lines, 16);
    assert_eq!(stats.headers, 1, "the `# version ...` line is a header");
    assert_eq!(stats.comments, 8);
    let skipped: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Ev::Skipped(line, kind) => Some((*line, *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(
        skipped,
        [(9, SkipKind::NoData), (11, SkipKind::SkipData)],
        "one NODATA, one SKIPDATA"
    );
    let recs = records(&events);
    assert_eq!(count_actions(&recs), (3, 2));
    assert_eq!(
        *recs[0],
        Rec {
            line: 5,
            src: ip("172.31.16.139"),
            dst: ip("172.31.16.21"),
            src_port: 20641,
            dst_port: 22,
            protocol: 6,
            packets: 20,
            bytes: 4249,
            start: Some(1_418_530_010),
            end: Some(1_418_530_070),
            action: Action::Accept,
            interface: Some("eni-1235b8ca123456789".to_owned()),
            direction: None,
            rule: None,
            state: None,
        }
    );
    let rdp = recs[1];
    assert_eq!(
        (rdp.line, rdp.dst_port, rdp.action),
        (7, 3389, Action::Reject)
    );
    // The ICMP pair: request accepted, reply rejected by the stateless NACL.
    let icmp: Vec<_> = recs.iter().filter(|r| r.protocol == 1).collect();
    assert_eq!(icmp.len(), 2);
    assert_eq!(
        (icmp[0].line, icmp[0].src, icmp[0].dst, icmp[0].action),
        (13, ip("203.0.113.12"), ip("172.31.16.139"), Action::Accept)
    );
    assert_eq!(
        (icmp[1].line, icmp[1].src, icmp[1].dst, icmp[1].action),
        (14, ip("172.31.16.139"), ip("203.0.113.12"), Action::Reject)
    );
    assert!(icmp.iter().all(|r| r.src_port == 0 && r.dst_port == 0));
    assert!(icmp.iter().all(|r| (r.packets, r.bytes) == (4, 336)));
    // IPv6.
    let v6: Vec<_> = recs.iter().filter(|r| r.src.is_ipv6()).collect();
    assert_eq!(v6.len(), 1);
    assert_eq!(v6[0].line, 16);
    assert_eq!(v6[0].src, ip("2001:db8:1234:a100:8d6e:3477:df66:f105"));
    assert_eq!(v6[0].dst, ip("2001:db8:1234:a102:3304:8879:34cf:4071"));
    assert_eq!((v6[0].dst_port, v6[0].action), (22, Action::Accept));
}

#[test]
fn aws_custom_reference_counts() {
    let (stats, events) = read_file(AWS_CUSTOM, LogFormat::Auto);
    assert_eq!(stats.format, LogFormat::Aws);
    assert_eq!((stats.records, stats.skipped, stats.unreadable), (10, 0, 0));
    assert_eq!((stats.lines, stats.headers, stats.comments), (17, 3, 4));
    let recs = records(&events);
    assert_eq!(count_actions(&recs), (10, 0));
    assert_eq!(
        recs.iter().map(|r| r.line).collect::<Vec<_>>(),
        [4, 5, 6, 7, 10, 11, 12, 13, 16, 17]
    );
    assert!(recs.iter().all(|r| r.protocol == 6 && r.src.is_ipv4()));
    // TCP flag sequence format: `bytes` comes before `packets`.
    assert_eq!(
        *recs[0],
        Rec {
            line: 4,
            src: ip("52.213.180.42"),
            dst: ip("10.0.0.62"),
            src_port: 43416,
            dst_port: 5001,
            protocol: 6,
            packets: 8,
            bytes: 568,
            start: Some(1_566_848_875),
            end: Some(1_566_848_933),
            action: Action::Accept,
            interface: Some("eni-1235b8ca123456789".to_owned()),
            direction: None,
            rule: None,
            state: None,
        }
    );
    assert_eq!((recs[2].packets, recs[2].bytes), (70, 100_701));
    // Transit gateway format: no packets, bytes, start or end; srcaddr, not pkt-srcaddr.
    let tgw = recs[6];
    assert_eq!(
        (tgw.line, tgw.src, tgw.dst, tgw.src_port, tgw.dst_port),
        (12, ip("10.40.1.175"), ip("10.40.2.236"), 39812, 80)
    );
    assert_eq!(
        (tgw.packets, tgw.bytes, tgw.start, tgw.end),
        (0, 0, None, None)
    );
    assert_eq!(tgw.interface.as_deref(), Some("eni-11111111111111111"));
    // Version 5 format: flow-direction.
    assert_eq!(recs[8].direction, Some(Direction::Inbound));
    assert_eq!(recs[9].direction, Some(Direction::Outbound));
    assert!(recs[..8].iter().all(|r| r.direction.is_none()));
    assert_eq!(
        (
            recs[8].src,
            recs[8].src_port,
            recs[8].packets,
            recs[8].bytes
        ),
        (ip("52.95.128.179"), 80, 14, 15044)
    );
    assert_eq!(recs[9].start, Some(1_616_729_292));
}

#[test]
fn azure_nsg_reference_counts() {
    let (stats, events) = read_file(AZURE_NSG, LogFormat::Auto);
    assert_eq!(stats.format, LogFormat::Azure);
    assert_eq!(
        (stats.records, stats.skipped, stats.unreadable, stats.lines),
        (11, 0, 0, 69)
    );
    let recs = records(&events);
    assert_eq!(count_actions(&recs), (4, 7));
    assert_eq!(
        recs.iter().map(|r| r.line).collect::<Vec<_>>(),
        [18, 19, 20, 31, 32, 33, 34, 57, 58, 59, 60],
        "each record's line is where its tuple stands"
    );
    assert_eq!(recs.iter().filter(|r| r.protocol == 17).count(), 1);
    assert_eq!(recs.iter().filter(|r| r.protocol == 6).count(), 10);
    let deny = recs
        .iter()
        .filter(|r| r.rule.as_deref() == Some("DefaultRule_DenyAllInBound"))
        .count();
    let allow = recs
        .iter()
        .filter(|r| r.rule.as_deref() == Some("DefaultRule_AllowInternetOutBound"))
        .count();
    assert_eq!((deny, allow), (7, 4));
    assert!(
        recs.iter()
            .all(|r| r.interface.as_deref() == Some("000D3AF87856"))
    );
    assert_eq!(
        *recs[0],
        Rec {
            line: 18,
            src: ip("192.0.2.190"),
            dst: ip("10.5.16.4"),
            src_port: 28746,
            dst_port: 443,
            protocol: 17,
            packets: 0,
            bytes: 0,
            start: Some(1_542_110_402),
            end: None,
            action: Action::Reject,
            interface: Some("000D3AF87856".to_owned()),
            direction: Some(Direction::Inbound),
            rule: Some("DefaultRule_DenyAllInBound".to_owned()),
            state: Some(FlowState::Begin),
        }
    );
    let out = recs[4];
    assert_eq!(
        (out.direction, out.state, out.packets, out.bytes),
        (Some(Direction::Outbound), Some(FlowState::End), 2, 132)
    );
    let cont = recs[5];
    assert_eq!(
        (cont.state, cont.packets, cont.bytes),
        (Some(FlowState::Continue), 54, 30_986)
    );
}

#[test]
fn azure_vnet_reference_counts() {
    let (stats, events) = read_file(AZURE_VNET, LogFormat::Auto);
    assert_eq!(stats.format, LogFormat::Azure);
    assert_eq!(
        (stats.records, stats.skipped, stats.unreadable, stats.lines),
        (19, 0, 0, 62)
    );
    let recs = records(&events);
    assert_eq!(count_actions(&recs), (10, 9));
    assert!(recs.iter().all(|r| r.protocol == 6));
    assert!(
        recs.iter()
            .all(|r| r.interface.as_deref() == Some("00224871C205"))
    );
    assert_eq!(
        recs.iter().map(|r| r.line).collect::<Vec<_>>(),
        [
            20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 40, 41, 47, 48, 49, 50, 51, 52, 53
        ]
    );
    // Flow state D is the denial; every denied tuple is inbound.
    for r in &recs {
        assert_eq!(
            r.action == Action::Reject,
            r.state == Some(FlowState::Denied)
        );
    }
    assert!(
        recs.iter()
            .filter(|r| r.action == Action::Reject)
            .all(|r| r.direction == Some(Direction::Inbound))
    );
    let ssh = recs[10];
    assert_eq!(
        (ssh.src, ssh.src_port, ssh.dst, ssh.dst_port),
        (ip("101.33.218.153"), 55188, ip("10.0.0.6"), 22)
    );
    assert_eq!(
        ssh.rule.as_deref(),
        Some("BlockHighRiskTCPPortsFromInternet")
    );
    assert_eq!(recs[12].rule.as_deref(), Some("Internet"));
    // Milliseconds become seconds.
    assert_eq!(recs[0].start, Some(1_663_146_003));
    assert_eq!(
        recs[0].rule.as_deref(),
        Some("DefaultRule_AllowInternetOutBound")
    );
    assert_eq!(
        (recs[1].state, recs[1].packets, recs[1].bytes),
        (Some(FlowState::End), 5, 2347)
    );
    assert_eq!(
        recs.iter().map(|r| r.packets).sum::<u64>(),
        5 + 7 + 7 + 3 + 55
    );
}

#[test]
fn sources_txt_is_not_a_log() {
    let (stats, events) = read_file(SOURCES, LogFormat::Auto);
    assert_eq!(stats.format, LogFormat::Aws);
    assert_eq!((stats.records, stats.skipped), (0, 0));
    assert_eq!((stats.lines, stats.unreadable), (14, 13), "one blank line");
    assert!(
        unreadable(&events)
            .iter()
            .all(|(_, _, why)| matches!(why, Problem::FieldCount { expected: 14, .. }))
    );
}

/// The tuples quoted in SOURCES.txt: `(kind, tuple)`.
fn sources_tuples() -> Vec<String> {
    let text = std::fs::read_to_string(SOURCES).unwrap();
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.contains(','))
        .map(str::to_owned)
        .collect()
}

#[test]
fn azure_version_1_tuples_from_sources() {
    let tuples = sources_tuples();
    assert_eq!(tuples.len(), 3, "{tuples:?}");
    let json = format!(
        r#"{{"records":[{{"properties":{{"Version":1,"flows":[
{{"rule":"DefaultRule_DenyAllInBound","flows":[{{"mac":"000D3AF8801A","flowTuples":["{}","{}"]}}]}},
{{"rule":"UserRule_default-allow-rdp","flows":[{{"mac":"000D3AF8801A","flowTuples":["{}"]}}]}}
]}}}}]}}"#,
        tuples[0], tuples[2], tuples[1]
    );
    let (stats, events) = read_bytes(json.as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable), (3, 0));
    let recs = records(&events);
    assert_eq!(
        recs.iter()
            .map(|r| (r.dst_port, r.protocol, r.action, r.rule.as_deref().unwrap()))
            .collect::<Vec<_>>(),
        [
            (5358, 6, Action::Reject, "DefaultRule_DenyAllInBound"),
            (1732, 17, Action::Reject, "DefaultRule_DenyAllInBound"),
            (3389, 6, Action::Accept, "UserRule_default-allow-rdp"),
        ]
    );
    assert!(recs.iter().all(|r| r.state.is_none() && r.packets == 0));
    assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 2, 3]);
}

#[test]
fn azure_bandwidth_examples_from_sources_add_up() {
    // NSG version 2: B, C, E tuples of one flow; the documentation's total is 9125 packets,
    // 5256000 bytes.
    let nsg = r#"{"records":[{"properties":{"flows":[{"rule":"r","flows":[{"mac":"m","flowTuples":[
"1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,B,,,,",
"1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,C,1021,588096,8005,4610880",
"1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,E,52,29952,47,27072"]}]}]}}]}"#;
    let vnet = r#"{"records":[{"macAddress":"m","flowRecords":{"flows":[{"aclID":"a","flowGroups":[{"rule":"r","flowTuples":[
"1493763938,185.170.185.105,10.2.0.4,35370,23,6,I,B,NX,,,,",
"1493763938,185.170.185.105,10.2.0.4,35370,23,6,I,C,NX,1021,588096,8005,4610880",
"1493763938,185.170.185.105,10.2.0.4,35370,23,6,I,E,NX,52,29952,47,27072"]}]}]}}]}"#;
    for doc in [nsg, vnet] {
        let (stats, events) = read_bytes(doc.as_bytes(), LogFormat::Azure);
        assert_eq!((stats.records, stats.unreadable), (3, 0));
        let recs = records(&events);
        assert_eq!(recs.iter().map(|r| r.packets).sum::<u64>(), 9125);
        assert_eq!(recs.iter().map(|r| r.bytes).sum::<u64>(), 5_256_000);
        assert_eq!(
            recs.iter().map(|r| r.state.unwrap()).collect::<Vec<_>>(),
            [FlowState::Begin, FlowState::Continue, FlowState::End]
        );
        assert!(recs.iter().all(|r| r.action == Action::Accept));
    }
}

// ---- detection and gzip -----------------------------------------------------------------

#[test]
fn detection_of_each_format() {
    for (path, format, detected) in [
        (AWS_V2, LogFormat::Aws, Detected::Aws),
        (AWS_CUSTOM, LogFormat::Aws, Detected::Aws),
        (AZURE_NSG, LogFormat::Azure, Detected::Azure),
        (AZURE_VNET, LogFormat::Azure, Detected::Azure),
    ] {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(detect(&bytes), detected, "{path}");
        assert_eq!(detect(&gzip(&bytes)), Detected::Gzip, "{path}");
        let (stats, _) = read_bytes(&gzip(&bytes), LogFormat::Auto);
        assert_eq!(stats.format, format, "{path}");
    }
    assert_eq!(detect(b""), Detected::Aws);
    assert_eq!(detect(b"\xef\xbb\xbf \n\t[]"), Detected::Azure);
    assert_eq!(
        detect(b" {"),
        Detected::Azure,
        "the NSG sample starts with a space"
    );
    assert_eq!(detect(b"\x1f\x8b\x08"), Detected::Gzip);
    assert_eq!(detect(b"2 123 eni-1"), Detected::Aws);
}

#[test]
fn detection_reads_past_short_reads_and_leading_blanks() {
    /// A reader handing out one byte at a time.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }
    let nsg = std::fs::read(AZURE_NSG).unwrap();
    let mut padded = b"\xef\xbb\xbf\n\n   \r\n".to_vec();
    padded.extend_from_slice(&nsg);
    for bytes in [padded.clone(), gzip(&padded)] {
        let mut n = 0;
        let stats = read_log(Trickle(&bytes), LogFormat::Auto, |_| n += 1).unwrap();
        assert_eq!(
            (stats.format, stats.records, stats.unreadable),
            (LogFormat::Azure, 11, 0)
        );
        assert_eq!(n, 11);
    }
}

#[test]
fn gzip_round_trip_of_every_reference_file() {
    for path in [AWS_V2, AWS_CUSTOM, AZURE_NSG, AZURE_VNET, SOURCES] {
        let bytes = std::fs::read(path).unwrap();
        let (plain_stats, plain) = read_bytes(&bytes, LogFormat::Auto);
        let (gz_stats, gz) = read_bytes(&gzip(&bytes), LogFormat::Auto);
        assert_eq!(plain, gz, "{path}");
        assert!(gz_stats.compressed && !plain_stats.compressed);
        assert_eq!(
            Stats {
                compressed: false,
                ..gz_stats
            },
            plain_stats
        );
    }
}

#[test]
fn concatenated_gzip_members_are_read() {
    let bytes = std::fs::read(AWS_V2).unwrap();
    let mut twice = gzip(&bytes);
    twice.extend(gzip(&bytes));
    let (stats, _) = read_bytes(&twice, LogFormat::Auto);
    assert_eq!((stats.records, stats.skipped, stats.unreadable), (10, 4, 0));
}

#[test]
fn truncated_gzip_at_every_length_is_reported_never_fatal() {
    for path in [AWS_V2, AZURE_NSG] {
        let bytes = std::fs::read(path).unwrap();
        let whole = gzip(&bytes);
        let (full, _) = read_bytes(&bytes, LogFormat::Auto);
        for cut in 2..whole.len() {
            let (stats, events) = read_bytes(&whole[..cut], LogFormat::Auto);
            assert!(stats.compressed);
            assert!(stats.records <= full.records, "{path} cut at {cut}");
            let last = events.last().expect("a truncated stream is reported");
            assert!(
                matches!(last, Ev::Unreadable(_, _, Problem::Decompress { .. })),
                "{path} cut at {cut}: {last:?}"
            );
        }
    }
}

#[test]
fn truncated_gzip_reports_the_cut_line() {
    let mut text = String::new();
    for i in 0..2000 {
        writeln!(
            text,
            "2 123456789010 eni-1 10.0.{}.{} 10.1.0.1 {} 443 6 10 {} 1 2 ACCEPT OK",
            i / 250,
            i % 250,
            1024 + i,
            i * 7
        )
        .unwrap();
    }
    let whole = gzip(text.as_bytes());
    let (stats, events) = read_bytes(&whole[..whole.len() / 2], LogFormat::Aws);
    assert!(stats.records > 0 && stats.records < 2000);
    // The decoder yields part of the line it broke in: that line is cut off, then the
    // stream is reported broken at the same line.
    let bad = unreadable(&events);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert_eq!((bad[0].0, bad[0].2), (stats.lines, &Problem::Truncated));
    let whole_line = text
        .lines()
        .nth(usize::try_from(stats.lines).unwrap() - 1)
        .unwrap();
    assert!(whole_line.starts_with(bad[0].1) && whole_line != bad[0].1);
    assert_eq!(bad[1].0, stats.lines);
    assert!(matches!(bad[1].2, Problem::Decompress { .. }));
    assert_eq!(stats.records, stats.lines - 1);
}

#[test]
fn garbage_after_gzip_magic_is_reported() {
    let (stats, events) = read_bytes(b"\x1f\x8b\x08\x00garbage garbage garbage", LogFormat::Auto);
    assert_eq!(stats.records, 0);
    assert!(matches!(
        events.last(),
        Some(Ev::Unreadable(_, _, Problem::Decompress { .. }))
    ));
}

// ---- AWS damage and formats -------------------------------------------------------------

const GOOD: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

#[test]
fn malformed_aws_lines_are_unreadable_and_reading_goes_on() {
    let cases: &[(&str, Problem)] = &[
        (
            "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 ACCEPT OK",
            Problem::FieldCount {
                expected: 14,
                found: 13,
            },
        ),
        (
            "2 1 eni-1 172.31.16.1395 172.31.16.21 20641 22 6 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "srcaddr" },
        ),
        (
            "2 1 eni-1 172.31.16.1 172.031.16.21 20641 22 6 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "dstaddr" },
        ),
        (
            "2 1 eni-1 2001:db8::zz 10.0.0.1 20641 22 6 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "srcaddr" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 70000 22 6 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "srcport" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 -22 6 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "dstport" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 256 20 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "protocol" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 6 2x 4249 1 2 ACCEPT OK",
            Problem::BadValue { field: "packets" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 6 2 99999999999999999999999 1 2 ACCEPT OK",
            Problem::BadValue { field: "bytes" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 6 2 3 x 2 ACCEPT OK",
            Problem::BadValue { field: "start" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 6 2 3 1 2 ALLOW OK",
            Problem::BadValue { field: "action" },
        ),
        (
            "2 1 eni-1 10.0.0.2 10.0.0.1 1 22 6 2 3 1 2 ACCEPT MAYBE",
            Problem::BadValue {
                field: "log-status",
            },
        ),
        (
            "2 1 eni-1 - - - - - - - 1 2 - OK",
            Problem::BadValue { field: "srcaddr" },
        ),
    ];
    let mut text = String::new();
    for (line, _) in cases {
        text.push_str(GOOD);
        text.push('\n');
        text.push_str(line);
        text.push('\n');
    }
    let n = cases.len() as u64;
    let mut bytes = text.into_bytes();
    // Non-ASCII but UTF-8 in an interface-id is kept; not UTF-8 is unreadable.
    bytes.extend_from_slice(
        "2 1 eni-\u{e9} 10.0.0.2 10.0.0.1 1 22 6 2 3 1 2 ACCEPT OK\n".as_bytes(),
    );
    bytes.extend_from_slice(b"2 1 eni-\xff 10.0.0.2 10.0.0.1 1 22 6 2 3 1 2 ACCEPT OK\n");
    bytes.extend_from_slice(GOOD.as_bytes());
    bytes.push(b'\n');
    let (stats, events) = read_bytes(&bytes, LogFormat::Auto);
    assert_eq!(
        (stats.records, stats.unreadable, stats.lines),
        (n + 2, n + 1, 2 * n + 3)
    );
    let bad = unreadable(&events);
    for (i, (line, want)) in cases.iter().enumerate() {
        assert_eq!(bad[i], (2 * i as u64 + 2, *line, want), "case {i}");
    }
    let (line, text, why) = bad[cases.len()];
    assert_eq!(line, 2 * n + 2);
    assert!(text.contains("eni-\u{fffd}"), "{text}");
    assert_eq!(
        why,
        &Problem::BadValue {
            field: "interface-id"
        }
    );
    assert!(why.to_string().contains("interface-id"));
    let recs = records(&events);
    assert_eq!(
        recs.iter()
            .find(|r| r.interface.as_deref() == Some("eni-\u{e9}"))
            .map(|r| r.line),
        Some(2 * n + 1)
    );
}

#[test]
fn truncated_last_line_is_unreadable() {
    let text = format!("{GOOD}\n{GOOD}\n2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.3");
    let (stats, events) = read_bytes(text.as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (2, 1, 3));
    assert_eq!(
        unreadable(&events),
        [(
            3,
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.3",
            &Problem::Truncated
        )]
    );
    // A complete last line without a newline is a record.
    let (stats, _) = read_bytes(format!("{GOOD}\n{GOOD}").as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (2, 0, 2));
}

#[test]
fn blank_lines_crlf_comments_and_optional_header() {
    let text = format!(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\r\n\
         \r\n   \n# note\r\n{GOOD}\r\n\t{GOOD}  \r\n\n"
    );
    let (stats, events) = read_bytes(text.as_bytes(), LogFormat::Auto);
    assert_eq!(
        (
            stats.records,
            stats.unreadable,
            stats.headers,
            stats.comments,
            stats.lines
        ),
        (2, 0, 1, 1, 7)
    );
    assert_eq!(
        records(&events).iter().map(|r| r.line).collect::<Vec<_>>(),
        [5, 6]
    );
    // Without a header line, version 2 is assumed.
    let (stats, _) = read_bytes(GOOD.as_bytes(), LogFormat::Aws);
    assert_eq!(stats.records, 1);
}

#[test]
fn custom_header_maps_columns_by_name() {
    let text = "\
flow-direction action dstport srcport protocol dstaddr srcaddr bytes packets log-status interface-id tcp-flags
egress REJECT 443 50000 17 2001:db8::1 10.0.0.9 900 3 OK eni-9 2
ingress ACCEPT 22 50001 6 10.0.0.9 2001:db8::1 - - OK - 0
- ACCEPT 22 50001 6 10.0.0.9 10.0.0.8 1 1 NODATA - 0
- - - - - - - - - SKIPDATA - -
egress ACCEPT 22 50001 6 10.0.0.9 10.0.0.8 1 1 OK eni-9
sideways ACCEPT 22 50001 6 10.0.0.9 10.0.0.8 1 1 OK eni-9 0
";
    let (stats, events) = read_bytes(text.as_bytes(), LogFormat::Auto);
    assert_eq!(
        (
            stats.records,
            stats.skipped,
            stats.unreadable,
            stats.headers
        ),
        (2, 2, 2, 1)
    );
    let recs = records(&events);
    let first = recs[0];
    assert_eq!(
        (
            first.src,
            first.dst,
            first.src_port,
            first.dst_port,
            first.protocol,
            first.action,
            first.direction,
            first.packets,
            first.bytes,
            first.interface.as_deref(),
            first.start,
        ),
        (
            ip("10.0.0.9"),
            ip("2001:db8::1"),
            50000,
            443,
            17,
            Action::Reject,
            Some(Direction::Outbound),
            3,
            900,
            Some("eni-9"),
            None
        )
    );
    assert_eq!(
        (recs[1].packets, recs[1].bytes, recs[1].interface.as_deref()),
        (0, 0, None)
    );
    assert_eq!(recs[1].direction, Some(Direction::Inbound));
    assert_eq!(
        unreadable(&events)
            .iter()
            .map(|(l, _, w)| (*l, (*w).clone()))
            .collect::<Vec<_>>(),
        [
            (
                6,
                Problem::FieldCount {
                    expected: 12,
                    found: 11
                }
            ),
            (
                7,
                Problem::BadValue {
                    field: "flow-direction"
                }
            )
        ]
    );
}

#[test]
fn header_lacking_a_needed_field_makes_following_lines_unreadable() {
    let text = format!(
        "srcaddr dstaddr action\n10.0.0.1 10.0.0.2 ACCEPT\n# srcaddr and dstaddr are addresses\n\
         # version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n{GOOD}\n"
    );
    let (stats, events) = read_bytes(text.as_bytes(), LogFormat::Auto);
    assert_eq!(
        (
            stats.records,
            stats.unreadable,
            stats.headers,
            stats.comments
        ),
        (1, 2, 2, 1)
    );
    assert_eq!(
        unreadable(&events)
            .iter()
            .map(|(l, _, w)| (*l, (*w).clone()))
            .collect::<Vec<_>>(),
        [
            (1, Problem::BadHeader { missing: "srcport" }),
            (2, Problem::NoUsableHeader { missing: "srcport" }),
        ]
    );
    assert_eq!(records(&events)[0].line, 5);
}

#[test]
fn over_long_line_is_reported_without_being_stored() {
    let mut bytes = format!("{GOOD}\n").into_bytes();
    bytes.extend(std::iter::repeat_n(b'x', MAX_LINE * 3));
    bytes.push(b'\n');
    bytes.extend_from_slice(GOOD.as_bytes());
    let (stats, events) = read_bytes(&bytes, LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (2, 1, 3));
    let bad = unreadable(&events);
    assert_eq!((bad[0].0, bad[0].2), (2, &Problem::LineTooLong));
    assert!(bad[0].1.len() <= 256);
    // Far from the start of the input, and just over the limit.
    let mut bytes = format!("{GOOD}\n").repeat(100).into_bytes();
    bytes.extend(std::iter::repeat_n(b'z', MAX_LINE + 1));
    bytes.push(b'\n');
    bytes.extend(std::iter::repeat_n(b'z', MAX_LINE));
    bytes.push(b'\n');
    let (stats, events) = read_bytes(&bytes, LogFormat::Auto);
    assert_eq!(
        (stats.records, stats.unreadable, stats.lines),
        (100, 2, 102)
    );
    let bad = unreadable(&events);
    assert_eq!(
        (bad[0].0, bad[0].1.len(), bad[0].2),
        (101, 256, &Problem::LineTooLong)
    );
    assert_eq!(
        bad[1].2,
        &Problem::FieldCount {
            expected: 14,
            found: 1
        }
    );
    // At the very end, without a newline.
    let mut bytes = format!("{GOOD}\n").into_bytes();
    bytes.extend(std::iter::repeat_n(b'y', MAX_LINE + 1));
    let (stats, _) = read_bytes(&bytes, LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (1, 1, 2));
}

#[test]
fn forced_formats_on_the_wrong_input_do_not_fail() {
    let (stats, _) = read_file(AZURE_NSG, LogFormat::Aws);
    assert_eq!((stats.format, stats.records), (LogFormat::Aws, 0));
    assert!(stats.unreadable > 0);
    let (stats, events) = read_file(AWS_V2, LogFormat::Azure);
    assert_eq!(
        (stats.format, stats.records, stats.unreadable),
        (LogFormat::Azure, 0, 1)
    );
    assert!(
        matches!(&events[0], Ev::Unreadable(1, text, Problem::Json { .. }) if text.starts_with("# SOURCE"))
    );
}

// ---- Azure damage and shapes ------------------------------------------------------------

#[test]
fn bad_azure_tuples_are_unreadable_and_reading_goes_on() {
    let doc = r#"{"records": [
 {"properties": {"flows": [{"rule": "R1", "flows": [{"mac": "M1", "flowTuples": [
   "1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,",
   "1542110402,192.0.2.999,10.5.16.4,28746,443,U,I,D,B,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,X,I,D,B,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,T,Q,D,B,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,T,I,Z,B,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,T,I,A,D,,,,",
   "1542110402,192.0.2.190,10.5.16.4,28746,443,T,I,A,E,1,x,1,1",
   42,
   "1542110402,192.0.2.190,10.5.16.4,28746,99999,T,I,A,B,,,,",
   "1542110402,2001:db8::5,2001:db8::6,1,2,58,O,A,E,1,2,3,4"
 ]}]}]}},
 {"flowRecords": {"flows": [{"flowGroups": [{"rule": "R2", "flowTuples": [
   "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX,0,0,0,0",
   "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,A,NX,0,0,0,0",
   "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX,0,0,0",
   "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX"
 ]}]}]}}
]}"#;
    let (stats, events) = read_bytes(doc.as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable), (3, 12));
    let bad: Vec<_> = unreadable(&events)
        .iter()
        .map(|(l, _, w)| (*l, (*w).clone()))
        .collect();
    let value = |field| Problem::BadValue { field };
    assert_eq!(
        bad,
        [
            (
                4,
                Problem::FieldCount {
                    expected: 13,
                    found: 12
                }
            ),
            (5, value("source address")),
            (6, value("protocol")),
            (7, value("direction")),
            (8, value("decision")),
            (9, value("flow state")),
            (10, value("bytes out")),
            (11, Problem::TupleNotString), // its own line (streamed reader: issue 16)
            (12, value("destination port")),
            (17, value("flow state")),
            (
                18,
                Problem::FieldCount {
                    expected: 13,
                    found: 12
                }
            ),
            (
                19,
                Problem::FieldCount {
                    expected: 13,
                    found: 9
                }
            ),
        ]
    );
    let recs = records(&events);
    assert_eq!(recs.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 13, 16]);
    assert_eq!(
        (
            recs[1].protocol,
            recs[1].src.is_ipv6(),
            recs[1].packets,
            recs[1].bytes
        ),
        (58, true, 4, 6)
    );
    assert_eq!(recs[2].interface, None, "no macAddress in this record");
    assert_eq!(recs[2].rule.as_deref(), Some("R2"));
}

#[test]
fn malformed_azure_json_keeps_what_came_before() {
    let nsg = std::fs::read(AZURE_NSG).unwrap();
    // Cut inside the second record: the first record's 7 tuples are read; a record entry
    // is read whole before its tuples are handed out, so the second one's are lost.
    let at = String::from_utf8_lossy(&nsg).find("1542110475").unwrap();
    let (stats, events) = read_bytes(&nsg[..at], LogFormat::Auto);
    assert_eq!(stats.records, 7);
    assert_eq!(stats.unreadable, 1);
    assert!(matches!(
        events.last(),
        Some(Ev::Unreadable(_, _, Problem::Json { .. }))
    ));
    // A syntax error in the second record entry: the first entry's tuples were handed out.
    let broken = String::from_utf8(nsg.clone()).unwrap().replacen(
        "60577,8088,T,I,D,B,,,,\",",
        "60577,8088,T,I,D,B,,,,\" x,",
        1,
    );
    let (stats, events) = read_bytes(broken.as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable), (7, 1));
    let (line, text, why) = unreadable(&events)[0];
    assert_eq!(line, 59);
    assert!(text.ends_with("\" x,"), "{text}");
    assert!(matches!(why, Problem::Json { .. }));
}

#[test]
fn azure_shapes_are_read_leniently() {
    let tuple = "\"1542110402,192.0.2.190,10.5.16.4,28746,443,U,I,D,B,,,,\"";
    let shapes = [
        // A bare array of records.
        format!(
            r#"[{{"properties":{{"flows":[{{"rule":"r","flows":[{{"flowTuples":[{tuple}]}}]}}]}}}}]"#
        ),
        // A bare record, keys in another order.
        format!(
            r#"{{"properties":{{"flows":[{{"flows":[{{"flowTuples":[{tuple}],"mac":"m"}}],"rule":"r"}}]}}}}"#
        ),
        // Unexpected types where objects or arrays belong are ignored.
        format!(
            r#"{{"records":[1,"x",null,{{"properties":[]}},{{"properties":{{"flows":{{}}}}}},{{"properties":{{"flows":[{{"rule":7,"flows":[{{"mac":[1],"flowTuples":[{tuple}]}}]}}]}}}}]}}"#
        ),
        // Documents one after another (one per line), and an escaped tuple.
        "{\"records\":[]}\n{\"records\":[{\"properties\":{\"flows\":[{\"flows\":[{\"flowTuples\":[\"1542110402,192.0.2.190,10.5.16.4,28746,443,\\u0055,I,D,B,,,,\"]}]}]}}]}".to_owned(),
    ];
    for (i, doc) in shapes.iter().enumerate() {
        let (stats, events) = read_bytes(doc.as_bytes(), LogFormat::Auto);
        // Issue 16: record entries that are not objects (`1`, `"x"`, `null`) are unreadable,
        // not silently nothing; wrong types deeper inside a record are still ignored.
        let unreadable = if i == 2 { 3 } else { 0 };
        assert_eq!(
            (stats.records, stats.unreadable),
            (1, unreadable),
            "shape {i}: {events:?}"
        );
        let r = records(&events)[0];
        assert_eq!(
            (r.protocol, r.dst_port, r.action),
            (17, 443, Action::Reject)
        );
    }
    // Trailing garbage after a document.
    let doc = format!("{}\nnot json\n", shapes[0]);
    let (stats, events) = read_bytes(doc.as_bytes(), LogFormat::Auto);
    assert_eq!((stats.records, stats.unreadable, stats.lines), (1, 1, 2));
    assert!(
        matches!(&events[1], Ev::Unreadable(2, text, Problem::Json { .. }) if text == "not json")
    );
}

#[test]
fn empty_input() {
    for format in [LogFormat::Auto, LogFormat::Aws, LogFormat::Azure] {
        let (stats, events) = read_bytes(b"", format);
        assert!(events.is_empty());
        assert_eq!((stats.records, stats.lines, stats.unreadable), (0, 0, 0));
        let (stats, events) = read_bytes(&gzip(b""), format);
        assert!(events.is_empty(), "{events:?}");
        assert!(stats.compressed);
    }
}

#[test]
fn reader_errors_are_returned() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let error = read_log(Failing, LogFormat::Auto, |_| {}).unwrap_err();
    assert_eq!(error.to_string(), "disk on fire");
}

/// A reader handing out `bytes` in pieces of the given sizes, in turn.
struct Chunky<'a> {
    bytes: &'a [u8],
    sizes: &'a [usize],
    turn: usize,
}

impl Read for Chunky<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % self.sizes.len()];
        self.turn += 1;
        let n = size.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

// ---- properties ---------------------------------------------------------------------------

fn aws_ish_line() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("2".to_owned()),
        Just("-".to_owned()),
        Just("ACCEPT".to_owned()),
        Just("REJECT".to_owned()),
        Just("OK".to_owned()),
        Just("NODATA".to_owned()),
        Just("#".to_owned()),
        Just("srcaddr".to_owned()),
        Just("dstaddr".to_owned()),
        Just("version".to_owned()),
        Just("flow-direction".to_owned()),
        Just("10.0.0.1".to_owned()),
        Just("::1".to_owned()),
        "[0-9]{1,25}",
        "[ -~]{0,12}",
    ];
    prop::collection::vec(token, 0..20).prop_map(|tokens| tokens.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for format in [LogFormat::Auto, LogFormat::Aws, LogFormat::Azure] {
            let (stats, _) = read_bytes(&bytes, format);
            prop_assert!(stats.records + stats.skipped + stats.unreadable <= stats.lines + 1);
            let mut magic = vec![0x1f, 0x8b];
            magic.extend_from_slice(&bytes);
            read_bytes(&magic, format);
            read_bytes(&gzip(&bytes), format);
        }
    }

    #[test]
    fn arbitrary_aws_like_lines_never_panic(lines in prop::collection::vec(aws_ish_line(), 0..40)) {
        let text = lines.join("\n");
        let (stats, _) = read_bytes(text.as_bytes(), LogFormat::Auto);
        prop_assert!(stats.records + stats.skipped + stats.unreadable <= stats.lines);
    }

    #[test]
    fn reads_in_any_chunking_give_the_same_events(
        lines in prop::collection::vec(prop_oneof![aws_ish_line(), Just(GOOD.to_owned())], 0..60),
        sizes in prop::collection::vec(1usize..300, 1..20),
        gzipped in any::<bool>(),
    ) {
        let text = lines.join("\n");
        let bytes = if gzipped { gzip(text.as_bytes()) } else { text.into_bytes() };
        let (stats, events) = read_bytes(&bytes, LogFormat::Auto);
        let mut chunked = Vec::new();
        let chunky = Chunky { bytes: &bytes, sizes: &sizes, turn: 0 };
        let chunked_stats = read_log(chunky, LogFormat::Auto, |event| {
            chunked.push(format!("{event:?}"));
        })
        .unwrap();
        prop_assert_eq!(stats, chunked_stats);
        let whole: Vec<String> = {
            let mut v = Vec::new();
            read_log(&bytes[..], LogFormat::Auto, |event| v.push(format!("{event:?}"))).unwrap();
            v
        };
        prop_assert_eq!(whole, chunked);
        prop_assert_eq!(events.len() as u64, stats.records + stats.skipped + stats.unreadable);
    }

    #[test]
    fn damaged_reference_json_never_panics(
        file in 0usize..2,
        cut in 0usize..4000,
        flips in prop::collection::vec((0usize..4000, any::<u8>()), 0..6),
    ) {
        let mut bytes = std::fs::read([AZURE_NSG, AZURE_VNET][file]).unwrap();
        for (at, byte) in flips {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        bytes.truncate(cut);
        read_bytes(&bytes, LogFormat::Auto);
        read_bytes(&gzip(&bytes), LogFormat::Azure);
    }

    #[test]
    fn valid_aws_lines_round_trip(
        src in any::<std::net::Ipv4Addr>(),
        dst in any::<std::net::Ipv6Addr>(),
        sport in any::<u16>(),
        dport in any::<u16>(),
        proto in any::<u8>(),
        packets in any::<u64>(),
        bytes in any::<u64>(),
        accept in any::<bool>(),
    ) {
        let action = if accept { "ACCEPT" } else { "REJECT" };
        let text = format!("2 1 eni-1 {src} {dst} {sport} {dport} {proto} {packets} {bytes} 5 6 {action} OK\n");
        let (stats, events) = read_bytes(text.as_bytes(), LogFormat::Auto);
        prop_assert_eq!(stats.records, 1);
        let r = records(&events)[0].clone();
        prop_assert_eq!(r.src, IpAddr::V4(src));
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address (RFC 4291, 2.5.5.2).
        prop_assert_eq!(r.dst, IpAddr::V6(dst).to_canonical());
        prop_assert_eq!((r.src_port, r.dst_port, r.protocol, r.packets, r.bytes), (sport, dport, proto, packets, bytes));
        prop_assert_eq!(r.action == Action::Accept, accept);
    }

    #[test]
    fn ipv4_parsing_agrees_with_std(text in "[0-9.]{1,18}") {
        let line = format!("2 1 eni-1 {text} 10.0.0.1 1 2 6 1 1 1 1 ACCEPT OK");
        let (stats, events) = read_bytes(line.as_bytes(), LogFormat::Aws);
        let parsed = text.parse::<std::net::Ipv4Addr>().ok();
        prop_assert_eq!(stats.records == 1, parsed.is_some());
        if let Some(addr) = parsed {
            prop_assert_eq!(records(&events)[0].src, IpAddr::V4(addr));
        }
    }
}
