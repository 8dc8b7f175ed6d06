//! The command line as a user runs it: output formats, JSON fields of SPEC §4, exit codes,
//! help with examples, no colour when not on a terminal.

use std::process::{Command, Output};

/// Runs the real binary (shared with the other command-line modules).
pub(crate) fn zs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(args)
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) const HUB: &str = "samples/azure-hub-spoke.yaml";

#[test]
fn trace_json_has_every_field_of_the_spec() {
    let o = zs(&[
        "trace", HUB, "--from", "web", "--to", "aoai-eus", "--port", "443", "--format", "json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "from",
        "to",
        "port",
        "protocol",
        "verdict",
        "decided_by",
        "reason",
        "path",
        "checks",
        "backends",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["from"], "web");
    assert_eq!(v["to"], "aoai-eus");
    assert_eq!(v["port"], 443);
    assert_eq!(v["protocol"], "tcp");
    assert_eq!(v["verdict"], "deny");
    for key in ["rule_set", "rule", "action"] {
        assert!(v["decided_by"].get(key).is_some(), "decided_by.{key}");
    }
    let check = &v["checks"][0];
    for key in ["at", "rule_set", "rule", "action"] {
        assert!(check.get(key).is_some(), "checks[0].{key}");
    }
    assert_eq!(v["path"][0], "web");
}

#[test]
fn trace_json_backends_are_trace_objects() {
    let o = zs(&[
        "trace", HUB, "--from", "web", "--to", "apim", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let backends = v["backends"].as_array().unwrap();
    assert!(backends.len() >= 2);
    for b in backends {
        for key in ["to", "verdict", "decided_by", "path"] {
            assert!(b.get(key).is_some(), "backend {key}: {b}");
        }
    }
}

#[test]
fn a_no_route_has_null_decided_by() {
    let o = zs(&[
        "trace", HUB, "--from", "internet", "--to", "web", "--port", "443", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["verdict"], "no_route");
    assert!(v["decided_by"].is_null());
}

#[test]
fn text_output_is_for_people_and_has_no_colour_off_a_terminal() {
    let o = zs(&[
        "trace", HUB, "--from", "web", "--to", "aoai-eus", "--port", "443",
    ]);
    let s = stdout(&o);
    assert!(s.contains("DENY"), "{s}");
    assert!(s.contains("decided by"), "{s}");
    assert!(s.contains("fix"), "{s}");
    assert!(
        !s.contains('\x1b'),
        "no ANSI codes when stdout is not a terminal"
    );
}

#[test]
fn bad_flows_exit_2_with_a_hint() {
    let o = zs(&["trace", HUB, "--from", "wbe", "--to", "apim"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown source `wbe`") && err.contains("help:"),
        "{err}"
    );
    let o = zs(&[
        "trace",
        HUB,
        "--from",
        "web",
        "--to",
        "apim",
        "--protocol",
        "sctp",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = zs(&[
        "trace",
        HUB,
        "--from",
        "web",
        "--to",
        "apim",
        "--disable",
        "nothing-here",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = zs(&["trace", HUB, "--from", "web"]);
    assert_eq!(o.status.code(), Some(2), "missing --to is a usage error");
}

#[test]
fn check_json_has_findings_and_expectations() {
    let o = zs(&["check", HUB, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"].is_array());
    let ex = v["expectations"].as_array().unwrap();
    assert!(!ex.is_empty());
    for e in ex {
        assert!(e.get("name").is_some() && e.get("passed").is_some());
    }
}

#[test]
fn check_sarif_is_sarif_2_1_0() {
    let o = zs(&["check", "samples/flawed-design.yaml", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["tool"]["driver"]["name"], "zonescope");
    let r = &v["runs"][0]["results"][0];
    assert!(r["ruleId"].is_string());
    assert!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn matrix_formats() {
    let o = zs(&[
        "matrix", HUB, "--by", "zone", "--port", "443", "--format", "csv",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let csv = stdout(&o);
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("from\\to,"), "{header}");
    assert!(header.contains("inference"));
    let o = zs(&["matrix", HUB, "--by", "endpoint", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap().len();
    let cols = v["columns"].as_array().unwrap().len();
    assert_eq!(v["cells"].as_array().unwrap().len(), rows * cols);
    // web reaches the gateway on 443 in this design
    let cell = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["from"] == "web" && c["to"] == "apim")
        .unwrap();
    assert_eq!(cell["summary"], "allow");
}

#[test]
fn every_command_has_examples_in_its_help() {
    for cmd in ["trace", "check", "matrix", "gen"] {
        let o = zs(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("Examples:"), "{cmd}");
    }
}

#[test]
fn gen_writes_a_topology_that_loads_and_is_deterministic() {
    let dir = std::env::temp_dir().join(format!("zonescope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.yaml");
    let o = zs(&[
        "gen",
        "--regions",
        "2",
        "--spokes",
        "2",
        "--seed",
        "3",
        "-o",
        a.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let o = zs(&["gen", "--regions", "2", "--spokes", "2", "--seed", "3"]);
    assert_eq!(std::fs::read(&a).unwrap(), o.stdout, "same seed, same text");
    let o = zs(&["check", a.to_str().unwrap(), "--format", "json"]);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reader_that_stops_early_ends_json_output_quietly() {
    // `zonescope … --format json | head` must not report "Broken pipe" nor exit 2.
    let dir = std::env::temp_dir().join(format!("zonescope-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.yaml");
    let o = zs(&["gen", "--size", "M", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let mut child = Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "matrix",
            file.to_str().unwrap(),
            "--by",
            "subnet",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_matrix_too_big_to_read_is_refused_with_a_way_out() {
    let dir = std::env::temp_dir().join(format!("zonescope-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("m.yaml");
    let o = zs(&["gen", "--size", "M", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let o = zs(&["matrix", file.to_str().unwrap(), "--by", "endpoint"]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cells, more than the 1000000"), "{err}");
    assert!(err.contains("group by subnet or zone"), "{err}");
    assert!(err.contains("zonescope trace"), "{err}");
}

#[test]
fn matrix_what_if_switches_off_the_hub_firewall() {
    let allowed = |args: &[&str]| {
        let o = zs(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let n = v["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["allowed"].as_u64().unwrap())
            .sum::<u64>();
        (n, v["disabled"].clone())
    };
    let base = ["matrix", HUB, "--by", "endpoint", "--format", "json"];
    let (before, none) = allowed(&base);
    let (after, off) = allowed(&[&base[..], &["--disable", "fw-eus"]].concat());
    assert!(after < before, "{after} of {before} pairs still allowed");
    assert!(none.is_null());
    assert_eq!(off, serde_json::json!(["fw-eus"]));
    let o = zs(&["matrix", HUB, "--disable", "fw-eus"]);
    assert!(stdout(&o).contains("what-if: disabled fw-eus"));
    let o = zs(&["matrix", HUB, "--disable", "no-such-thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--disable no-such-thing"));
}

#[test]
fn an_icmp_matrix_names_no_port() {
    let o = zs(&["matrix", HUB, "--protocol", "icmp"]);
    assert_eq!(o.status.code(), Some(0));
    let first = stdout(&o).lines().next().unwrap().to_string();
    assert!(
        first.ends_with(" on icmp (rows: from, columns: to)"),
        "{first}"
    );
}
