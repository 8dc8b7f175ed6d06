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

pub(crate) fn design() -> Topology {
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
pub(crate) fn comparable(r: &FlowReport) -> serde_json::Value {
    let mut v = serde_json::to_value(r).expect("serialises");
    v.as_object_mut().expect("an object").remove("cache");
    v
}

pub(crate) fn opts(jobs: usize) -> Options {
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
    // A loader that panics (a bug) ends the parts too: the panic comes through, not a hang.
    let panicked = std::panic::catch_unwind(|| {
        let load = |ready: &(dyn Fn() + Sync)| -> Result<Topology, ()> {
            ready();
            panic!("the loader's bug")
        };
        analyze_logs_loading(
            load,
            std::slice::from_ref(&large),
            opts(2),
            Window::default(),
            None,
        )
    });
    assert!(panicked.is_err());
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

/// GCP's Cloud Logging export is read in parts too, so early too: the same report, in three
/// parts, with the unreadable entries the fixture holds (each makes a part wait).
#[test]
fn a_large_gcp_export_gives_the_same_report_read_early() {
    const GCP: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/flows/gcp-vpc-flows.jsonl"
    );
    let fixture = std::fs::read_to_string(GCP).unwrap();
    let mut text = String::new();
    while (text.len() as u64) < PARALLEL_MIN_BYTES + (1 << 20) {
        text.push_str(&fixture);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    std::fs::write(&path, &text).unwrap();
    let logs = [path.to_string_lossy().into_owned()];
    let t = design();
    let after = analyze_logs_in(&t, &logs, opts(3), Window::default()).unwrap();
    assert_eq!((after.files[0].format, after.files[0].parts), ("gcp", 3));
    assert!(after.unreadable > 0 && after.counts.drift > 0);
    for cap in [0, 1000, EARLY_RECORDS] {
        let load = |ready: &(dyn Fn() + Sync)| {
            ready();
            std::thread::sleep(Duration::from_millis(100));
            Ok::<_, ()>(design())
        };
        let (_, r) =
            analyze_logs_loading_holding(load, &logs, opts(3), Window::default(), None, cap)
                .unwrap();
        assert_eq!(comparable(&r), comparable(&after), "{cap} records a part");
    }
}

/// The command: a large log with a broken design reports the design's defect (exit 2, as when
/// the design was loaded first) and stops; with the design fixed, the report comes.
#[test]
fn the_command_reports_a_broken_design_before_a_large_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = large_log(dir.path());
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(AWS_DESIGN).unwrap();
    std::fs::write(&broken, format!("{text}\nnot_a_section: 1\n")).unwrap();
    let out = crate::cli::zs(&["flows", broken.to_str().unwrap(), &log, "--jobs", "2", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not_a_section"), "{err}");
    assert!(out.stdout.is_empty());
    let out = crate::cli::zs(&["flows", AWS_DESIGN, &log, "--jobs", "2", "-q"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("records"));
}
