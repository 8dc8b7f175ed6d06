//! The analyzer judges records in batches, sorted by their classes, and counts them in the
//! log's order (`engine::flows::report::record`). These tests hold it to a single pass:
//! counts, samples and their order across batch boundaries, and each sample's own judgement
//! when other flows were judged between its verdict and its count.

use zonescope::engine::flows::Analyzer;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::report::{FlowReport, JUDGE_BATCH, SAMPLE_CAP};
use zonescope::engine::flows::run::analyze_reader;
use zonescope::model::{Topology, Verdict, load};

use crate::flowlogs::AWS_V2;

const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);

fn design() -> Topology {
    load(std::path::Path::new(AWS_DESIGN)).expect("the fixture design loads")
}

fn report(mut an: Analyzer<'_>, log: &str) -> FlowReport {
    analyze_reader(&mut an, "batch.log", log.as_bytes(), LogFormat::Aws).expect("reads");
    an.finish()
}

/// The AWS documentation's v2 records (no annotations), `copies` times after one header.
fn repeated(copies: usize) -> (String, usize) {
    let text = std::fs::read_to_string(AWS_V2).expect("the reference log");
    let records: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut log = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    for _ in 0..copies {
        for r in &records {
            log.push_str(r);
            log.push('\n');
        }
    }
    (log, records.len())
}

#[test]
fn a_log_of_several_batches_counts_and_samples_as_copies_of_one_log() {
    let t = design();
    let (one, per_copy) = repeated(1);
    let single = report(Analyzer::new(&t), &one);
    // Enough copies for three batches and a part of a fourth.
    let copies = 3 * JUDGE_BATCH / per_copy + 7;
    let (many, _) = repeated(copies);
    let r = report(Analyzer::new(&t), &many);

    let n = copies as u64;
    assert_eq!(r.records, n * single.records);
    assert_eq!(r.skipped, n * single.skipped);
    assert_eq!(r.judged, n * single.judged);
    assert_eq!(r.consistent, n * single.consistent);
    assert_eq!(r.replies, n * single.replies);
    assert_eq!(r.unjudged, n * single.unjudged);
    assert_eq!(r.outside, n * single.outside);
    assert_eq!(r.counts.drift, n * single.counts.drift);
    assert_eq!(r.counts.broken, n * single.counts.broken);
    assert_eq!(r.counts.anomalies, n * single.counts.anomalies);
    assert!(single.counts.drift > 0 && single.counts.broken > 0);

    // The samples are the first ones in the log's order: copy c's line l is line
    // l + c × per_copy, and each is the single log's sample on that line.
    for (got, one) in [(&r.drift, &single.drift), (&r.broken, &single.broken)] {
        let expected: Vec<(u64, Verdict, Option<String>)> = (0..copies)
            .flat_map(|c| {
                one.iter().map(move |m| {
                    (
                        m.line + (c * per_copy) as u64,
                        m.verdict,
                        m.decided_by.as_ref().map(|d| d.rule.clone()),
                    )
                })
            })
            .take(SAMPLE_CAP)
            .collect();
        let seen: Vec<(u64, Verdict, Option<String>)> = got
            .iter()
            .map(|m| {
                (
                    m.line,
                    m.verdict,
                    m.decided_by.as_ref().map(|d| d.rule.clone()),
                )
            })
            .collect();
        assert_eq!(seen, expected);
    }
    let hours: u64 = r.timeline.iter().map(|h| h.records).sum();
    assert_eq!(hours, r.records);
}

#[test]
fn a_sample_keeps_its_own_protocol_s_judgement_when_another_was_judged_after_it() {
    // Same hosts and port, TCP then UDP, in one batch: web-1 -> web-2:443 in snet-web.
    // sg-web admits TCP 443 from anywhere and nothing on UDP (security groups deny what no
    // rule allows), so the rejected TCP record is a broken call the design allows, and the
    // accepted UDP record is drift. The uncached analyzer traces both, and the UDP trace
    // replaces the TCP one before either is counted.
    let t = design();
    let log = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
        2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 40001 443 6 5 500 1418530010 1418530070 REJECT OK\n\
        2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 40001 443 17 5 500 1418530010 1418530070 ACCEPT OK\n";
    for an in [Analyzer::new(&t), Analyzer::uncached(&t)] {
        let r = report(an, log);
        assert_eq!(r.counts.broken, 1, "{:?}", r.broken);
        assert_eq!(r.counts.drift, 1, "{:?}", r.drift);
        let broken = &r.broken[0];
        assert_eq!((broken.line, broken.verdict), (2, Verdict::Allow));
        assert_eq!(
            broken
                .allowed_by
                .iter()
                .map(|a| a.rule.as_str())
                .collect::<Vec<_>>(),
            ["web-all-out", "web-https-in"]
        );
        let drift = &r.drift[0];
        assert_eq!((drift.line, drift.verdict), (3, Verdict::Deny));
    }
}
