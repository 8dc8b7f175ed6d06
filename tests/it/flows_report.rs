//! Tests of `zonescope flows`: the reference flow logs through the whole pipeline against
//! designs whose addresses match them (tests/fixtures/flows/), synthetic logs for each
//! anomaly, the verdict cache, caps, the parallel split, and the command line.
//!
//! Over 800 lines: every test here runs the whole report over the same fixture designs and
//! logs (the helpers at the top); the readers' own tests are in `flows_read.rs`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use zonescope::engine::flows::classify::{Classifier, is_reply};
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::report::{
    CacheStats, FlowReport, Mismatch, SAMPLE_CAP, UNREADABLE_SAMPLES,
};
use zonescope::engine::flows::run::{PARALLEL_MIN_BYTES, analyze_reader};
use zonescope::engine::flows::{Analyzer, Options, analyze_logs};
use zonescope::model::rules::Protocol;
use zonescope::model::{Topology, Verdict, load};

use crate::flowlogs::{AWS_CUSTOM, AWS_V2, AZURE_NSG, AZURE_VNET};

const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);
const AZURE_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/azure-doc.yaml"
);
const BIN: &str = env!("CARGO_BIN_EXE_zonescope");

fn design(path: &str) -> Topology {
    load(std::path::Path::new(path)).expect("the fixture design loads")
}

fn run(t: &Topology, logs: &[&str]) -> FlowReport {
    let logs: Vec<String> = logs.iter().map(|s| (*s).to_string()).collect();
    analyze_logs(
        t,
        &logs,
        Options {
            format: LogFormat::Auto,
            jobs: 1,
        },
    )
    .expect("the logs read")
}

fn text(t: &Topology, log: &str) -> FlowReport {
    let mut an = Analyzer::new(t);
    analyze_reader(&mut an, "synthetic", log.as_bytes(), LogFormat::Auto).expect("reads");
    an.finish()
}

fn lines(list: &[Mismatch]) -> Vec<u64> {
    list.iter().map(|m| m.line).collect()
}

fn pair(r: &FlowReport, from: &str, to: &str) -> (u64, u64, u64) {
    r.zone_pairs
        .iter()
        .find(|p| p.from == from && p.to == to)
        .map_or((0, 0, 0), |p| (p.records, p.accepted, p.rejected))
}

// ---------------------------------------------------------------------------------------
// The reference logs

#[test]
fn aws_v2_examples() {
    let t = design(AWS_DESIGN);
    let r = run(&t, &[AWS_V2]);
    assert_eq!((r.records, r.skipped, r.unreadable), (5, 2, 0));
    assert_eq!(
        (r.judged, r.consistent, r.replies, r.unjudged),
        (5, 2, 0, 0)
    );
    assert_eq!(
        (r.counts.drift, r.counts.broken, r.counts.anomalies),
        (2, 1, 0)
    );
    // SSH between the web hosts: accepted, sg-web admits only HTTPS.
    assert_eq!(lines(&r.drift), [5, 13]);
    let ssh = &r.drift[0];
    assert_eq!(ssh.port, Some(22));
    assert_eq!(ssh.observed, "accept");
    assert_eq!(ssh.verdict, Verdict::Deny);
    let by = ssh.decided_by.as_ref().expect("a deciding rule");
    assert_eq!(
        (by.rule_set.as_str(), by.rule.as_str()),
        ("sg-web", "implicit-deny")
    );
    // The ping request: the design's stateless NACL has no outbound ICMP, so the round trip
    // is denied; its reply (line 14) is rejected by the NACL, as the design says.
    let ping = &r.drift[1];
    assert_eq!((ping.protocol.as_str(), ping.port), ("icmp", None));
    assert_eq!(
        ping.decided_by.as_ref().map(|d| d.rule_set.as_str()),
        Some("nacl-web")
    );
    // RDP inside the data subnet: the design allows it, the network rejected it.
    assert_eq!(lines(&r.broken), [7]);
    let rdp = &r.broken[0];
    assert_eq!(
        (rdp.port, rdp.observed, rdp.verdict),
        (Some(3389), "reject", Verdict::Allow)
    );
    assert_eq!(rdp.dst_name.as_deref(), Some("db-1"));
    assert_eq!(rdp.path, ["172.31.9.69", "snet-data", "db-1"]);
    assert!(rdp.allowed_by.iter().any(|a| a.rule == "data-rdp-in"));
    assert_eq!(
        rdp.decided_by.as_ref().map(|d| d.rule.as_str()),
        Some("data-rdp-in")
    );
    // Zone pairs, the IPv6 record included (application -> management).
    assert_eq!(pair(&r, "application", "application"), (1, 1, 0));
    assert_eq!(pair(&r, "internet", "application"), (1, 1, 0));
    assert_eq!(pair(&r, "application", "internet"), (1, 0, 1));
    assert_eq!(pair(&r, "data", "data"), (1, 0, 1));
    assert_eq!(pair(&r, "application", "management"), (1, 1, 0));
    assert_eq!(r.zone_pairs.iter().map(|p| p.records).sum::<u64>(), 5);
    assert_eq!(r.files.len(), 1);
    assert_eq!((r.files[0].format, r.files[0].lines), ("aws", 16));
}

#[test]
fn aws_custom_examples() {
    let t = design(AWS_DESIGN);
    let r = run(&t, &[AWS_CUSTOM]);
    assert_eq!((r.records, r.skipped, r.unreadable), (10, 0, 0));
    // Replies: two from the iperf server (srcport 5001), two from the transit-gateway web
    // server (srcport 80), one from S3 (srcport 80).
    assert_eq!(r.replies, 5);
    assert_eq!((r.judged, r.consistent), (5, 2));
    assert_eq!(lines(&r.drift), [4, 6, 17]);
    assert!(
        r.drift
            .iter()
            .all(|m| m.verdict == Verdict::NoRoute && m.decided_by.is_none())
    );
    assert!(r.broken.is_empty());
    assert_eq!(r.counts.anomalies, 1);
    let a = &r.anomalies[0];
    assert_eq!(
        (a.kind, a.severity, a.line, a.port),
        ("data_zone_egress", "critical", 17, 80)
    );
    assert_eq!(a.src.to_string(), "10.0.0.71");
    // Replies count for the initiator's direction.
    assert_eq!(pair(&r, "internet", "inference"), (4, 4, 0));
    assert_eq!(pair(&r, "data", "internet"), (2, 2, 0));
    assert_eq!(pair(&r, "application", "application"), (4, 4, 0));
    // Line 6 repeats line 4's flow: one trace.
    assert_eq!(r.cache.traces, 4);
    assert_eq!(r.cache.hits, 1);
}

#[test]
fn azure_nsg_sample() {
    let t = design(AZURE_DESIGN);
    let r = run(&t, &[AZURE_NSG]);
    assert_eq!((r.records, r.skipped, r.unreadable), (11, 0, 0));
    assert_eq!((r.judged, r.consistent, r.replies), (11, 8, 0));
    assert!(r.drift.is_empty());
    // TCP 8088 is open in the design (allow-dashboard) and rejected by the network.
    assert_eq!(lines(&r.broken), [20, 58, 59]);
    for b in &r.broken {
        assert_eq!(b.port, Some(8088));
        assert_eq!(
            b.decided_by.as_ref().map(|d| d.rule.as_str()),
            Some("allow-dashboard")
        );
        assert_eq!(b.path.last().map(String::as_str), Some("fabrikam-vm1"));
    }
    // The VM is in the data zone: its four outbound HTTPS flows are data zone egress.
    assert_eq!(r.counts.data_zone_egress, 4);
    assert_eq!(
        r.anomalies.iter().map(|a| a.line).collect::<Vec<_>>(),
        [31, 32, 33, 34]
    );
    assert_eq!(pair(&r, "internet", "data"), (7, 0, 7));
    assert_eq!(pair(&r, "data", "internet"), (4, 4, 0));
    assert_eq!(r.files[0].format, "azure");
}

#[test]
fn azure_vnet_sample() {
    let t = design(AZURE_DESIGN);
    let r = run(&t, &[AZURE_VNET]);
    assert_eq!((r.records, r.skipped, r.unreadable), (19, 0, 0));
    assert_eq!((r.judged, r.consistent), (19, 10));
    // HTTPS to the approved storage prefix agrees; to the two other hosts it is drift.
    assert_eq!(lines(&r.drift), [22, 23, 24, 25, 26, 27, 28, 29]);
    assert!(r.drift.iter().all(|m| {
        m.decided_by.as_ref().map(|d| d.rule.as_str()) == Some("deny-internet-https")
    }));
    assert_eq!(r.counts.unapproved_endpoint, 8);
    assert!(
        r.anomalies
            .iter()
            .all(|a| a.kind == "unapproved_endpoint" && a.severity == "medium")
    );
    // SSH that the design allows, blocked by an admin rule the design does not have.
    assert_eq!(lines(&r.broken), [40]);
    assert_eq!(r.broken[0].port, Some(22));
    assert_eq!(pair(&r, "inference", "internet"), (10, 10, 0));
    assert_eq!(pair(&r, "internet", "inference"), (9, 0, 9));
    // 40.74.146.17:443 appears six times: traced once.
    assert!(r.cache.hits >= 5, "{:?}", r.cache);
}

#[test]
fn several_logs_add_up() {
    let t = design(AWS_DESIGN);
    let r = run(&t, &[AWS_V2, AWS_CUSTOM, AZURE_NSG]);
    assert_eq!(r.files.len(), 3);
    assert_eq!(r.records, 5 + 10 + 11);
    assert_eq!(r.skipped, 2);
    // The NSG sample's addresses are outside this design: counted, not judged.
    assert_eq!(r.outside, 11);
    assert_eq!(r.counts.drift, 2 + 3);
    assert_eq!(r.drift.last().map(|m| m.file.as_str()), Some(AWS_CUSTOM));
}

// ---------------------------------------------------------------------------------------
// Synthetic logs

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";

/// A log with a header line and these records.
fn aws(records: &[String]) -> String {
    let mut s = HEADER.to_string();
    for r in records {
        let _ = writeln!(s, "{r}");
    }
    s
}

/// `SRC DST SPORT DPORT PROTO BYTES ACTION`.
fn rec(src: &str, dst: &str, sp: u16, dp: u16, proto: u8, bytes: u64, action: &str) -> String {
    format!(
        "2 123456789010 eni-0 {src} {dst} {sp} {dp} {proto} 1 {bytes} 1418530010 1418530070 {action} OK"
    )
}

#[test]
fn each_anomaly() {
    let t = design(AWS_DESIGN);
    let log = [
        // large_transfer: inference -> data, one byte over 100 MiB (and exactly 100 MiB: none)
        rec(
            "10.0.0.62",
            "10.0.0.71",
            40000,
            443,
            6,
            104_857_601,
            "ACCEPT",
        ),
        rec(
            "10.0.0.62",
            "10.0.0.71",
            40001,
            443,
            6,
            104_857_600,
            "ACCEPT",
        ),
        // unapproved_endpoint: inference -> internet, no route in the design
        rec("10.0.0.62", "8.8.8.8", 40002, 443, 6, 100, "ACCEPT"),
        // a reply from the inference server to an internet client is not a connection it made
        rec("10.0.0.62", "8.8.8.8", 5001, 50000, 6, 100, "ACCEPT"),
        // data_zone_egress, whatever the action
        rec("172.31.9.69", "8.8.8.8", 40003, 53, 17, 80, "REJECT"),
        // inside the design: nothing
        rec(
            "172.31.16.139",
            "172.31.16.21",
            40004,
            443,
            6,
            100,
            "ACCEPT",
        ),
    ]
    .join("\n");
    let r = text(&t, &log);
    assert_eq!(r.records, 6);
    let kinds: Vec<(&str, &str, u64)> = r
        .anomalies
        .iter()
        .map(|a| (a.kind, a.severity, a.line))
        .collect();
    assert_eq!(
        kinds,
        [
            ("large_transfer", "high", 1),
            ("unapproved_endpoint", "medium", 3),
            ("data_zone_egress", "critical", 5),
        ]
    );
    assert_eq!(
        (
            r.counts.large_transfer,
            r.counts.unapproved_endpoint,
            r.counts.data_zone_egress,
            r.counts.anomalies
        ),
        (1, 1, 1, 3)
    );
    let big = &r.anomalies[0];
    assert_eq!(
        (big.bytes, big.port, big.src_zone.as_str()),
        (104_857_601, 443, "inference")
    );
    assert_eq!(r.replies, 1);
}

#[test]
fn approved_external_endpoint_is_not_an_anomaly() {
    let t = design(AZURE_DESIGN);
    let tuples = [
        "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,767,2,1580",
        "1663146003640,10.0.0.6,40.74.146.17,22730,443,6,O,E,NX,3,705,4,4569",
    ];
    let doc = format!(
        "{{\"records\": [{{\"macAddress\": \"00224871C205\", \"flowRecords\": {{\"flows\": [{{\"flowGroups\": [{{\"rule\": \"DefaultRule_AllowInternetOutBound\", \"flowTuples\": [\"{}\", \"{}\"]}}]}}]}}}}]}}",
        tuples[0], tuples[1]
    );
    let r = text(&t, &doc);
    assert_eq!(r.records, 2);
    assert_eq!(r.counts.unapproved_endpoint, 1);
    assert_eq!(r.anomalies[0].dst.to_string(), "40.74.146.17");
}

#[test]
fn verdict_cache_traces_each_flow_once() {
    let t = design(AWS_DESIGN);
    let same: Vec<String> = (0..100)
        .map(|i| {
            rec(
                "172.31.16.139",
                "172.31.16.21",
                30000 + i,
                22,
                6,
                60,
                "ACCEPT",
            )
        })
        .collect();
    let r = text(&t, &same.join("\n"));
    assert_eq!(r.records, 100);
    assert_eq!(r.counts.drift, 100);
    assert_eq!((r.cache.traces, r.cache.hits), (1, 99));

    let mut cls = Classifier::new(&t);
    let (client, server) = (
        "172.31.9.69".parse().unwrap(),
        "172.31.9.12".parse().unwrap(),
    );
    let first = cls
        .judge(client, server, Some(3389), Protocol::Tcp)
        .expect("traced");
    assert_eq!(first.verdict, Verdict::Allow);
    let again = cls
        .judge(client, server, Some(3389), Protocol::Tcp)
        .expect("cached");
    assert_eq!(first, again);
    assert_eq!((cls.traces, cls.cache_hits), (1, 1));
    // Another port of the same pair has its own verdict, from the same plan: the exact engine
    // gave every port the pair allows at once.
    let other = cls
        .judge(client, server, Some(22), Protocol::Tcp)
        .expect("cached");
    assert_eq!(other.verdict, Verdict::Deny);
    assert_eq!((cls.traces, cls.cache_hits), (1, 2));
    // ICMP is the pair's own question (one pseudo-port), answered by the same engine as the
    // trace answers it.
    let ping = cls
        .judge(client, server, None, Protocol::Icmp)
        .expect("judged");
    assert_eq!(cls.traces, 2);
    assert_eq!(
        Some(ping.verdict),
        cls.exact(client, server, None, Protocol::Icmp)
            .map(|j| j.verdict)
    );
    // Internet hosts the rules cannot tell apart share one verdict.
    let scan: Vec<String> = (1..=50)
        .map(|i| {
            rec(
                &format!("198.51.100.{i}"),
                "172.31.16.139",
                40000,
                22,
                6,
                60,
                "REJECT",
            )
        })
        .collect();
    let report = text(&t, &scan.join("\n"));
    assert_eq!(report.records, 50);
    assert_eq!((report.cache.traces, report.cache.hits), (1, 49));
}

#[test]
fn reply_heuristic() {
    let t = design(AWS_DESIGN);
    let c = Classifier::new(&t);
    let iperf = c.addr("10.0.0.62".parse().unwrap());
    let client = c.addr("52.213.180.42".parse().unwrap());
    let web = c.addr("10.40.2.236".parse().unwrap());
    // Listening port of the source endpoint to an ephemeral port: a reply.
    assert!(is_reply(&t, 6, 5001, 43416, &iperf, &client));
    // The request itself.
    assert!(!is_reply(&t, 6, 43416, 5001, &client, &iperf));
    // A source without declared ports: a well-known port answering an ephemeral one.
    assert!(is_reply(&t, 6, 80, 34210, &client, &iperf));
    // ... but not when the destination listens on that port.
    assert!(!is_reply(&t, 6, 443, 5001, &client, &iperf));
    // A declared source port list decides: 80 is web-tgw's, 22 is not.
    assert!(is_reply(&t, 6, 80, 39812, &web, &client));
    assert!(!is_reply(&t, 6, 22, 39812, &web, &client));
    // Service ports below 1024 and ICMP are never replies.
    assert!(!is_reply(&t, 6, 80, 443, &client, &iperf));
    assert!(!is_reply(&t, 1, 0, 0, &iperf, &client));
}

#[test]
fn rejected_reply_is_judged_as_its_request() {
    let t = design(AWS_DESIGN);
    // db-1 answers RDP and the reply is dropped (a stateless NACL missing from the design).
    let log = rec("172.31.9.12", "172.31.9.69", 3389, 49761, 6, 100, "REJECT");
    let r = text(&t, &log);
    assert_eq!(r.replies, 1);
    assert_eq!(r.counts.broken, 1);
    let b = &r.broken[0];
    assert!(b.reply);
    assert_eq!(b.port, Some(3389));
    assert_eq!(
        b.decided_by.as_ref().map(|d| d.rule.as_str()),
        Some("data-rdp-in")
    );
    // Zone pair in the initiator's direction.
    assert_eq!(pair(&r, "data", "data"), (1, 0, 1));
}

#[test]
fn other_protocols_are_counted_not_judged() {
    let t = design(AWS_DESIGN);
    let r = text(
        &t,
        &rec("172.31.16.139", "172.31.16.21", 0, 0, 50, 100, "ACCEPT"),
    );
    assert_eq!((r.records, r.judged, r.unjudged), (1, 0, 1));
    assert_eq!(pair(&r, "application", "application"), (1, 1, 0));
}

#[test]
fn lists_are_capped_counts_are_exact() {
    let t = design(AWS_DESIGN);
    let n = SAMPLE_CAP + 500;
    let mut log = HEADER.to_string();
    for i in 0..n {
        log.push_str(&rec(
            "172.31.16.139",
            "172.31.16.21",
            1024 + i as u16,
            22,
            6,
            1,
            "ACCEPT",
        ));
        log.push('\n');
        log.push_str("this line is not a record\n");
    }
    let r = text(&t, &log);
    assert_eq!(r.counts.drift, n as u64);
    assert_eq!(r.drift.len(), SAMPLE_CAP);
    assert_eq!(r.unreadable, n as u64);
    assert_eq!(r.unreadable_samples.len(), UNREADABLE_SAMPLES);
    assert_eq!(r.unreadable_samples[0].line, 3);
    assert_eq!(r.unreadable_samples[0].text, "this line is not a record");
    assert_eq!(r.unreadable_samples[1].line, 5);
}

#[test]
fn mixed_formats_and_gzip() {
    let t = design(AZURE_DESIGN);
    let dir = std::env::temp_dir().join(format!("zonescope-flows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz = dir.join("vnet.json.gz");
    {
        let mut e = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        e.write_all(&std::fs::read(AZURE_VNET).unwrap()).unwrap();
        e.finish().unwrap();
    }
    let plain = dir.join("aws.log");
    std::fs::write(
        &plain,
        aws(&[rec(
            "10.0.0.6",
            "40.74.146.17",
            50000,
            443,
            6,
            700,
            "ACCEPT",
        )]),
    )
    .unwrap();
    let gz_name = gz.to_string_lossy().into_owned();
    let plain_name = plain.to_string_lossy().into_owned();
    let r = run(&t, &[&gz_name, &plain_name, AZURE_NSG]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(r.files.len(), 3);
    assert!(r.files[0].compressed);
    assert_eq!(r.files[0].format, "azure");
    assert_eq!(r.files[1].format, "aws");
    assert_eq!(r.records, 19 + 1 + 11);
    assert_eq!(r.counts.drift, 8 + 1);
    assert_eq!(r.counts.broken, 1 + 3);
    assert_eq!(
        r.drift.last().map(|m| (m.file.as_str(), m.line)),
        Some((plain_name.as_str(), 2))
    );
}

#[test]
fn forced_format_reads_json_as_aws_lines() {
    let t = design(AZURE_DESIGN);
    let logs = [AZURE_NSG.to_string()];
    let r = analyze_logs(
        &t,
        &logs,
        Options {
            format: LogFormat::Aws,
            jobs: 1,
        },
    )
    .unwrap();
    assert_eq!(r.records, 0);
    assert!(r.unreadable > 0);
}

// ---------------------------------------------------------------------------------------
// The parallel split

fn big_log(with_header_change: bool) -> String {
    let mut s = HEADER.to_string();
    let mut i = 0u32;
    while (s.len() as u64) < PARALLEL_MIN_BYTES + (1 << 20) {
        let r = match i % 7 {
            0 => rec(
                "172.31.16.139",
                "172.31.16.21",
                1024 + (i % 5000) as u16,
                22,
                6,
                10,
                "ACCEPT",
            ),
            1 => rec(
                "172.31.9.69",
                "172.31.9.12",
                1024 + (i % 5000) as u16,
                3389,
                6,
                10,
                "REJECT",
            ),
            2 => rec(
                "10.0.0.62",
                "9.9.9.9",
                40000,
                443,
                6,
                u64::from(i),
                "ACCEPT",
            ),
            3 => "garbage".to_string(),
            4 => "2 123456789010 eni-0 - - - - - - - 1431280876 1431280934 - NODATA".to_string(),
            5 => rec(
                "172.31.9.12",
                "172.31.9.69",
                3389,
                1024 + (i % 5000) as u16,
                6,
                10,
                "REJECT",
            ),
            _ => rec("10.0.0.71", "52.95.128.179", 34210, 80, 6, 471, "ACCEPT"),
        };
        s.push_str(&r);
        s.push('\n');
        i += 1;
        if with_header_change && i == 50_000 {
            // The same fields in another order: a part that starts after it must know.
            s.push_str("version account-id interface-id dstaddr srcaddr srcport dstport protocol packets bytes start end action log-status\n");
        }
    }
    s
}

fn compare_split(with_header_change: bool) {
    let t = design(AWS_DESIGN);
    let dir = std::env::temp_dir().join(format!(
        "zonescope-split-{}-{with_header_change}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.log");
    std::fs::write(&path, big_log(with_header_change)).unwrap();
    let logs = [path.to_string_lossy().into_owned()];
    let at = |jobs| {
        analyze_logs(
            &t,
            &logs,
            Options {
                format: LogFormat::Auto,
                jobs,
            },
        )
        .unwrap()
    };
    let one = at(1);
    let three = at(3);
    std::fs::remove_dir_all(&dir).ok();
    assert!(one.records > 50_000);
    assert_eq!(one.files[0].parts, 1);
    assert_eq!(three.files[0].parts, if with_header_change { 1 } else { 3 });
    assert!(one.counts.drift > 0 && one.counts.broken > 0 && one.unreadable > 0);
    let strip = |mut r: FlowReport| {
        r.cache = CacheStats::default();
        r.files[0].parts = 1;
        r
    };
    assert_eq!(strip(three), strip(one));
}

#[test]
fn split_gives_the_one_pass_report() {
    compare_split(false);
}

#[test]
fn split_falls_back_when_the_format_changes() {
    compare_split(true);
}

// ---------------------------------------------------------------------------------------
// The command line

fn zonescope(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            pipe.write_all(bytes).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_json_has_the_spec_fields() {
    let (code, out, err) = zonescope(
        &["flows", AWS_DESIGN, AWS_V2, AWS_CUSTOM, "--format", "json"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    for field in [
        "records",
        "skipped",
        "unreadable",
        "unreadable_samples",
        "drift",
        "broken",
        "anomalies",
        "zone_pairs",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert_eq!(v["records"], 15);
    assert_eq!(v["skipped"], 2);
    assert_eq!(v["unreadable"], 0);
    let drift = &v["drift"][0];
    for field in [
        "line",
        "src",
        "dst",
        "port",
        "observed",
        "verdict",
        "decided_by",
    ] {
        assert!(drift.get(field).is_some(), "drift entry lacks {field}");
    }
    assert_eq!(drift["line"], 5);
    assert_eq!(drift["decided_by"]["rule"], "implicit-deny");
    let broken = &v["broken"][0];
    assert_eq!(broken["verdict"], "allow");
    assert_eq!(broken["observed"], "reject");
    assert!(broken["path"].as_array().is_some_and(|p| !p.is_empty()));
    let anomaly = &v["anomalies"][0];
    assert_eq!(anomaly["type"], "data_zone_egress");
    assert_eq!(anomaly["severity"], "critical");
    assert_eq!(anomaly["port"], 80);
    assert!(
        v["zone_pairs"]
            .as_array()
            .is_some_and(|p| p.iter().any(|z| z["from"] == "internet"))
    );
}

#[test]
fn cli_text_report() {
    let (code, out, _) = zonescope(&["flows", AZURE_DESIGN, AZURE_VNET, AZURE_NSG], None);
    assert_eq!(code, 0);
    for needle in [
        "DRIFT",
        "BROKEN",
        "design path:",
        "allowed by: nsg-inference allow-ssh-temp",
        "ANOMALIES",
        "unapproved_endpoint",
        "data_zone_egress",
        "ZONE PAIRS",
        "inference → internet",
        "TOP TALKERS",
    ] {
        assert!(out.contains(needle), "no {needle:?} in\n{out}");
    }
}

#[test]
fn cli_reads_stdin_and_shows_unreadable_lines() {
    let log = aws(&[rec(
        "172.31.16.139",
        "172.31.16.21",
        20641,
        22,
        6,
        4249,
        "ACCEPT",
    )]) + "not a record\n";
    let (code, out, err) = zonescope(
        &[
            "flows",
            AWS_DESIGN,
            "-",
            "--log-format",
            "aws",
            "--format",
            "json",
        ],
        Some(log.as_bytes()),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["records"], 1);
    assert_eq!(v["unreadable"], 1);
    assert_eq!(v["unreadable_samples"][0]["line"], 3);
    assert_eq!(v["unreadable_samples"][0]["text"], "not a record");
    assert_eq!(v["drift"][0]["file"], "-");

    let (code, out, _) = zonescope(&["flows", AWS_DESIGN, "-"], Some(log.as_bytes()));
    assert_eq!(code, 0);
    assert!(out.contains("UNREADABLE (1"), "{out}");
    assert!(out.contains("-:3"), "{out}");
}

#[test]
fn cli_exit_codes() {
    // A log that cannot be opened.
    let (code, _, err) = zonescope(&["flows", AWS_DESIGN, "/nonexistent/flow.log"], None);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/flow.log"), "{err}");
    // An invalid design.
    let (code, _, _) = zonescope(&["flows", AWS_V2, AWS_V2], None);
    assert_eq!(code, 2);
    // No log.
    let (code, _, _) = zonescope(&["flows", AWS_DESIGN], None);
    assert_eq!(code, 2);
    // A bad --log-format (gcp is one since issue 14).
    let (code, _, _) = zonescope(
        &["flows", AWS_DESIGN, AWS_V2, "--log-format", "splunk"],
        None,
    );
    assert_eq!(code, 2);
    // Garbage content is a report, not an error.
    let (code, out, _) = zonescope(
        &["flows", AWS_DESIGN, "-", "--format", "json"],
        Some(b"\x00\xff garbage\n"),
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["unreadable"], 1);
}

#[test]
fn cli_help_has_examples() {
    let (code, out, _) = zonescope(&["flows", "--help"], None);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:"));
    assert!(out.contains("--log-format"));
}

// ---------------------------------------------------------------------------------------
// Robustness

mod fuzz {
    use proptest::prelude::*;

    use super::{AWS_DESIGN, Analyzer, LogFormat, analyze_reader, design};

    fn line() -> impl Strategy<Value = String> {
        let addr = prop_oneof![
            Just("172.31.16.139".to_string()),
            Just("10.0.0.62".to_string()),
            Just("10.0.0.71".to_string()),
            Just("2001:db8:1234:a100::1".to_string()),
            Just("8.8.8.8".to_string()),
            "[0-9.:a-f]{1,20}",
        ];
        prop_oneof![
            (
                addr.clone(),
                addr,
                any::<u16>(),
                any::<u16>(),
                prop_oneof![Just(1u8), Just(6), Just(17), Just(58), any::<u8>()],
                any::<u64>(),
                prop_oneof![Just("ACCEPT"), Just("REJECT"), Just("-")],
            )
                .prop_map(|(s, d, sp, dp, p, b, a)| format!(
                    "2 1 eni-0 {s} {d} {sp} {dp} {p} 1 {b} 1 2 {a} OK"
                )),
            "[ -~]{0,80}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_log_is_a_report(lines in proptest::collection::vec(line(), 0..40)) {
            let t = design(AWS_DESIGN);
            let log = lines.join("\n");
            let mut an = Analyzer::new(&t);
            let stats = analyze_reader(&mut an, "fuzz", log.as_bytes(), LogFormat::Auto).unwrap();
            let r = an.finish();
            prop_assert_eq!(r.records, stats.records);
            prop_assert_eq!(r.unreadable, stats.unreadable);
            prop_assert!(r.records >= r.judged + r.unjudged + r.outside);
            prop_assert_eq!(r.judged, r.consistent + r.counts.drift + r.counts.broken);
            prop_assert_eq!(r.zone_pairs.iter().map(|p| p.records).sum::<u64>(), r.records);
        }
    }
}
