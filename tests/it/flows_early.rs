//! `flows` reads a large log's first records while the design loads
//! (`engine::flows::early`). The report must be the one loading first and reading after gives,
//! whatever the parts held when the design came (nothing, some records, a whole part), and a
//! design that fails to load must be the error, never a hang or a log's error.

use std::path::Path;
use std::time::Duration;

use zonescope::engine::flows::early::{
    Loading, analyze_logs_loading, analyze_logs_loading_holding,
};
use zonescope::engine::flows::read::LogFormat;
use zonescope::engine::flows::report::{EARLY_RECORDS, FlowReport};
use zonescope::engine::flows::run::{Options, PARALLEL_MIN_BYTES, analyze_logs_in};
use zonescope::engine::flows::window::Window;
use zonescope::model::{Topology, load};

use crate::flowlogs::AWS_V2;

const AWS_DESIGN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/flows/aws-doc.yaml"
);

fn design() -> Topology {
    load(Path::new(AWS_DESIGN)).expect("the fixture design loads")
}

/// A log of two parts or more: the AWS documentation's v2 records (drift, broken, NODATA,
/// SKIPDATA, ICMP, IPv6) over and over after one header, with an unreadable line now and then.
fn large_log(dir: &Path) -> String {
    let text = std::fs::read_to_string(AWS_V2).expect("the reference log");
    let records: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let mut log = String::from(
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    );
    let mut copy = 0;
    while log.len() < PARALLEL_MIN_BYTES as usize + (1 << 20) {
        for r in &records {
            log.push_str(r);
            log.push('\n');
        }
        copy += 1;
        if copy % 3001 == 0 {
            log.push_str("2 123456789010 eni-1 not an address\n");
        }
    }
    let path = dir.join("large.log");
    std::fs::write(&path, log).expect("writes the log");
    path.to_string_lossy().into_owned()
}

/// The report as JSON without the cache counters (the only part that may differ).
fn comparable(r: &FlowReport) -> serde_json::Value {
    let mut v = serde_json::to_value(r).expect("serialises");
    v.as_object_mut().expect("an object").remove("cache");
    v
}

fn opts(jobs: usize) -> Options {
    Options {
        format: LogFormat::Auto,
        jobs,
    }
}

#[test]
fn the_report_with_the_design_loading_is_the_report_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let logs = [large_log(dir.path()), AWS_V2.to_string()];
    // The IPv6 record (2016) starts after the window: counted as outside it, early or not.
    let window = Window {
        since: None,
        until: Some(1_477_900_000),
    };
    let t = design();
    let after = analyze_logs_in(&t, &logs, opts(2), window).unwrap();
    assert_eq!(after.files[0].parts, 2, "the large log is read in parts");
    assert!(after.outside_window > 0 && after.unreadable > 0 && after.skipped > 0);
    assert!(after.counts.drift > 0 && after.counts.broken > 0);
    let expected = comparable(&after);

    // Records held per part: none (each part waits at once), a few (the buffer fills, then
    // waits), more than a part holds (a part read to its end before the design is there).
    for cap in [0, 1000, 200_000, EARLY_RECORDS] {
        for (pause, free) in [(0, true), (150, true), (150, false)] {
            let load = |ready: &(dyn Fn() + Sync)| {
                if free {
                    ready();
                }
                std::thread::sleep(Duration::from_millis(pause));
                Ok::<_, ()>(design())
            };
            let (_, r) =
                analyze_logs_loading_holding(load, &logs, opts(2), window, None, cap).unwrap();
            assert_eq!(
                comparable(&r),
                expected,
                "{cap} records a part, loaded in {pause} ms, free: {free}"
            );
        }
    }
    // One job: the log after the load, the same report as one pass.
    let one = analyze_logs_in(&t, &logs, opts(1), window).unwrap();
    let (_, r) =
        analyze_logs_loading(|_| Ok::<_, ()>(design()), &logs, opts(1), window, None).unwrap();
    assert_eq!(comparable(&r), comparable(&one));
}

#[test]
fn a_design_that_fails_to_load_is_the_error_and_ends_the_reading() {
    let dir = tempfile::tempdir().unwrap();
    let large = large_log(dir.path());
    let missing = dir
        .path()
        .join("missing.log")
        .to_string_lossy()
        .into_owned();
    let failing = |ready: &(dyn Fn() + Sync)| {
        ready();
        std::thread::sleep(Duration::from_millis(50));
        Err::<Topology, _>("the design's error")
    };
    for logs in [
        vec![large.clone()],
        vec![AWS_V2.to_string()],
        vec![large.clone(), missing.clone()],
        vec![missing.clone(), large.clone()],
    ] {
        let r = analyze_logs_loading(failing, &logs, opts(2), Window::default(), None);
        assert!(
            matches!(r, Err(Loading::Design("the design's error"))),
            "{logs:?}"
        );
    }
    // A design that loads, and a log that cannot be opened: the log's error, with its path.
    for logs in [vec![large.clone(), missing.clone()], vec![missing.clone()]] {
        let r = analyze_logs_loading(
            |_| Ok::<_, ()>(design()),
            &logs,
            opts(2),
            Window::default(),
            None,
        );
        match r {
            Err(Loading::Log(e)) => assert_eq!(e.path, missing),
            other => panic!("{logs:?}: {:?}", other.map(|_| ())),
        }
    }
}
