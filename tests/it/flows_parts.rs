//! A large log is read in more parts than workers: the parts are large first and small at the
//! end, and each worker takes the next one when it is done (`engine::flows::run::Plan`). The
//! report must be the one pass's wherever its samples are. Here the records that disagree
//! with the design are rare and spread over the whole log, so most samples come from parts
//! after the first, whose samples are made only when the merge keeps them; at the denser
//! spread the lists fill up part-way through the log, across a part's end.

use std::path::Path;
use std::time::Duration;

use zonescope::engine::flows::early::analyze_logs_loading_holding;
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::report::{Analyzer, EARLY_RECORDS, FlowReport, SAMPLE_CAP};
use zonescope::engine::flows::run::{PARALLEL_MIN_BYTES, analyze_logs_in, analyze_reader};
use zonescope::engine::flows::window::Window;
use zonescope::model::Topology;

use crate::flowlogs::AWS_V2;
use crate::flows_early::{design, opts};

const HEADER: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";

/// The AWS documentation's v2 records, as (agrees with the design and makes no sample,
/// makes a sample): each analysed alone.
fn records_by_kind(t: &Topology) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(AWS_V2).expect("the reference log");
    let (mut quiet, mut loud) = (Vec::new(), Vec::new());
    for r in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut an = Analyzer::new(t);
        let one = format!("{HEADER}{r}\n");
        analyze_reader(&mut an, "one", one.as_bytes(), LogFormat::Aws).unwrap();
        let rep = an.finish();
        let samples = rep.drift.len() + rep.broken.len() + rep.anomalies.len();
        if rep.records == 1 && rep.judged == 1 && samples == 0 {
            quiet.push(r.to_string());
        } else if samples > 0 {
            loud.push(r.to_string());
        }
    }
    (quiet, loud)
}

/// A log of several parts: records the design agrees with, and one that makes a sample every
/// `every` lines (each kind in turn).
fn spread_log(dir: &Path, t: &Topology, every: usize) -> String {
    let (quiet, loud) = records_by_kind(t);
    assert!(
        !quiet.is_empty() && loud.len() >= 2,
        "the reference log has both kinds"
    );
    let mut log = String::from(HEADER);
    let mut i = 0usize;
    while log.len() < PARALLEL_MIN_BYTES as usize + (1 << 20) {
        let r = if i % every == every - 1 {
            &loud[(i / every) % loud.len()]
        } else {
            &quiet[i % quiet.len()]
        };
        log.push_str(r);
        log.push('\n');
        i += 1;
    }
    let path = dir.join(format!("spread-{every}.log"));
    std::fs::write(&path, log).expect("writes the log");
    path.to_string_lossy().into_owned()
}

/// The report as JSON without the cache counters and the number of parts (all that may
/// differ from one pass).
fn comparable(r: &FlowReport) -> serde_json::Value {
    let mut v = crate::flows_early::comparable(r);
    for f in v["files"].as_array_mut().expect("files") {
        f.as_object_mut().expect("a file").remove("parts");
    }
    v
}

#[test]
fn samples_spread_over_the_log_are_those_of_one_pass_whatever_the_parts() {
    let dir = tempfile::tempdir().unwrap();
    let t = design();
    for every in [97, 31] {
        let logs = [spread_log(dir.path(), &t, every)];
        let one = analyze_logs_in(&t, &logs, opts(1), Window::default()).unwrap();
        let lines = one.files[0].lines;
        let last = |r: &FlowReport| {
            r.drift
                .iter()
                .chain(&r.broken)
                .map(|m| m.line)
                .chain(r.anomalies.iter().map(|a| a.line))
                .max()
                .unwrap_or(0)
        };
        let fullest = one
            .drift
            .len()
            .max(one.broken.len())
            .max(one.anomalies.len());
        if every == 97 {
            // Every sample is kept: the last ones come from the log's last part.
            assert!(fullest < SAMPLE_CAP, "{fullest} samples in a list");
            assert!(last(&one) > lines * 9 / 10, "last sample at {}", last(&one));
        } else {
            // A list is full before the log's first quarter (the first part of two) ends,
            // another is not.
            assert_eq!(fullest, SAMPLE_CAP);
            assert!(last(&one) > lines / 4, "last sample at {}", last(&one));
        }
        let expected = comparable(&one);
        for jobs in [2, 3, 4] {
            let r = analyze_logs_in(&t, &logs, opts(jobs), Window::default()).unwrap();
            assert_eq!(r.files[0].parts, jobs, "read by {jobs} workers");
            assert_eq!(
                comparable(&r),
                expected,
                "{jobs} jobs, a sample every {every}"
            );
        }
        // With the design loading: parts read before it came are judged after it.
        for (jobs, cap, pause) in [(2, 0, 0), (2, 1000, 100), (3, EARLY_RECORDS, 150)] {
            let load = |ready: &(dyn Fn() + Sync)| {
                ready();
                std::thread::sleep(Duration::from_millis(pause));
                Ok::<_, ()>(design())
            };
            let (_, r) =
                analyze_logs_loading_holding(load, &logs, opts(jobs), Window::default(), None, cap)
                    .unwrap();
            assert_eq!(
                comparable(&r),
                expected,
                "{jobs} jobs loading, {cap} records held, a sample every {every}"
            );
        }
    }
}
