//! Hostile input found by the probe of issue 16: bounded error reports (item 3), no terminal
//! escape injection through any text output (item 5), and the smaller items (11).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zonescope"));
    c.env("NO_COLOR", "1");
    c
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// No byte of a terminal control sequence (ESC, BEL, C1 CSI/OSC, NUL) and no bidi override.
fn assert_inert(s: &str) {
    for c in ['\x1b', '\x07', '\u{9b}', '\u{9d}', '\0', '\u{202e}'] {
        assert!(!s.contains(c), "raw {c:?} in output:\n{s}");
    }
}

fn bad_priorities(n: usize) -> String {
    let mut t = String::from(
        "version: 1\nname: bad priorities\nnetworks:\n  - { id: vnet, region: eastus, cidr: 10.0.0.0/16, subnets: [ { id: s1, cidr: 10.0.1.0/24, rules: [nsg] } ] }\nrule_sets:\n  - id: nsg\n    kind: nsg\n    rules:\n",
    );
    for i in 0..n {
        t.push_str(&format!(
            "      - {{ id: r{i}, priority: {}, direction: inbound, action: allow, protocol: tcp, source: any, destination: any, ports: 443, justification: pad pad }}\n",
            90_000 + i
        ));
    }
    t
}

#[test]
fn thousands_of_errors_are_reported_in_bounded_memory() {
    // 4,000 errors in a 600 KB file took 2.35 GB to report (one copy of the file per error).
    // Under a 1 GB address-space limit the report must still be whole.
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "bad.yaml", &bad_priorities(4000));
    assert!(std::fs::metadata(&p).unwrap().len() > 600_000);
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" check \"$1\"")
        .arg(env!("CARGO_BIN_EXE_zonescope"))
        .arg(&p)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", &err[..err.len().min(2000)]);
    assert!(err.contains("priority 90000 is out of range"), "{err}");
    assert!(err.contains("… and 3980 more errors in"), "{err}");
    assert_eq!(err.matches("zonescope::bad-priority").count(), 20);
}

#[test]
fn the_shown_diagnostics_share_one_copy_of_the_text() {
    let err = zonescope::model::load_str(&bad_priorities(50), "bad.yaml").unwrap_err();
    let ds = err.diagnostics_up_to(20);
    assert_eq!(ds.len(), 20);
    for d in &ds {
        assert!(std::sync::Arc::ptr_eq(d.source.inner(), &err.text));
    }
}

#[test]
fn a_name_with_an_osc52_sequence_is_shown_escaped_by_check() {
    let d = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(fixture("tests/fixtures/valid-base.yaml")).unwrap();
    let evil = base.replacen(
        "name: fixture\n",
        "name: \"pwn\\e]52;c;ZWNobyBoaQ==\\a\\u202e\"\n",
        1,
    );
    assert_ne!(evil, base, "the fixture has `name: fixture`");
    let p = write(d.path(), "evil.yaml", &evil);
    for args in [vec!["check"], vec!["export", "--to", "markdown"]] {
        let o = bin().args(&args).arg(&p).output().unwrap();
        let s = all(&o);
        assert_inert(&s);
        assert!(s.contains("\\x1b]52;c;ZWNobyBoaQ==\\x07"), "{args:?}: {s}");
    }
}

#[test]
fn an_error_snippet_does_not_echo_raw_control_bytes() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "ctl.yaml",
        "version: 1\nnetworks:\n  - { id: n\u{1b}]52;c;aGk=\u{7}, cidr: 10.0.0.0/33 }\n",
    );
    let o = bin().arg("check").arg(&p).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let s = all(&o);
    assert_inert(&s);
    assert!(s.contains("10.0.0.0/33"), "{s}");
}

#[test]
fn a_crafted_flow_log_line_is_shown_escaped_by_flows() {
    let d = tempfile::tempdir().unwrap();
    let log = write(
        d.path(),
        "vpc.log",
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n\
         2 123 eni-1 \u{1b}]52;c;aGk=\u{7}\u{9b}2J x y z 6 1 1 1 1 ACCEPT OK\n",
    );
    let o = bin()
        .arg("flows")
        .arg(fixture("tests/fixtures/flows/aws-doc.yaml"))
        .arg(&log)
        .output()
        .unwrap();
    let s = all(&o);
    assert_inert(&s);
    assert!(s.contains("\\x1b]52"), "the unreadable line is shown: {s}");
}

#[test]
fn a_trace_error_naming_a_hostile_id_is_escaped() {
    let o = bin()
        .arg("trace")
        .arg(fixture("tests/fixtures/valid-base.yaml"))
        .args(["--from", "x\u{1b}[2J", "--to", "y", "--port", "443"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_inert(&all(&o));
}

#[test]
fn a_closed_stdout_is_an_error_not_lost_output() {
    // `>&-`: Rust's stdout would swallow every write and the command exit 0.
    let o = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" gen --size S >&-")
        .arg(env!("CARGO_BIN_EXE_zonescope"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("standard output is closed"), "{}", all(&o));
    // A reader that goes away (`| head`) is not an error.
    let mut c = bin()
        .args(["gen", "--size", "M"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(c.stdout.take());
    let o = c.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", all(&o));
    let _ = std::io::stdout().flush();
}

fn with_extra_endpoint(id: &str) -> String {
    let base = std::fs::read_to_string(fixture("tests/fixtures/valid-base.yaml")).unwrap();
    let extra = format!(
        "endpoints:\n  - id: {}\n    kind: app\n    subnet: snet-app\n    ip: 10.1.1.9\n",
        serde_json::to_string(id).unwrap()
    );
    let out = base.replacen("endpoints:\n", &extra, 1);
    assert_ne!(out, base);
    out
}

#[test]
fn ids_that_read_as_selectors_are_refused_with_a_hint() {
    use zonescope::model::{ErrorCode, load_str};
    for id in [
        "Internet",
        "virtualnetwork",
        "AzureLoadBalancer",
        "*",
        "any",
        "10.0.1.20",
        "10.0.0.0/8",
        "a -> b:22",
        "db:5432",
        "x\u{1b}]52;c;aGk=\u{7}",
        "web\u{202e}",
        "w\u{200b}eb",
    ] {
        let err = load_str(&with_extra_endpoint(id), "ids.yaml")
            .expect_err(&format!("{id:?} must be refused"));
        let e = err
            .errors
            .iter()
            .find(|e| e.code == ErrorCode::IdLooksLikeSelector)
            .unwrap_or_else(|| panic!("{id:?}: {}", err.plain()));
        assert_eq!(e.code.as_str(), "zonescope::id-looks-like-selector");
        assert!(e.help.contains("rename"), "{}", e.help);
        assert!(e.at.line > 1);
    }
}

#[test]
fn an_id_equal_to_a_declared_fqdn_or_dns_zone_is_refused() {
    use zonescope::model::{ErrorCode, load_str};
    let base = with_extra_endpoint("api.example.com").replacen(
        "    ip: 10.1.2.4\n",
        "    ip: 10.1.2.4\n    fqdn: API.example.com\n",
        1,
    );
    let err = load_str(&base, "fqdn.yaml").unwrap_err();
    assert!(
        err.errors
            .iter()
            .any(|e| e.code == ErrorCode::IdLooksLikeSelector && e.message.contains("FQDN")),
        "{}",
        err.plain()
    );
}

#[test]
fn an_endpoint_named_internet_is_exit_2_not_a_flipped_expectation() {
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "tag.yaml", &with_extra_endpoint("Internet"));
    let o = bin().arg("check").arg(&p).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", all(&o));
    assert!(all(&o).contains("id-looks-like-selector"), "{}", all(&o));
}

fn finding_ids(yaml: &str) -> Vec<String> {
    let t =
        zonescope::model::load_str(yaml, "design.yaml").unwrap_or_else(|e| panic!("{}", e.plain()));
    zonescope::engine::check::findings(&t)
        .into_iter()
        .map(|f| f.id)
        .collect()
}

fn base() -> String {
    std::fs::read_to_string(fixture("tests/fixtures/valid-base.yaml")).unwrap()
}

#[test]
fn a_private_endpoint_targeting_itself_is_a_finding() {
    let y = base().replacen(
        "endpoints:\n",
        "endpoints:\n  - { id: pe-self, kind: private_endpoint, subnet: snet-data, ip: 10.1.2.9, target: pe-self }\n",
        1,
    );
    assert!(finding_ids(&y).contains(&"private-endpoint-targets-itself".to_string()));
    assert!(!finding_ids(&base()).contains(&"private-endpoint-targets-itself".to_string()));
}

#[test]
fn a_gateway_listing_itself_as_a_backend_is_a_finding() {
    let y = base().replacen(
        "endpoints:\n",
        "endpoints:\n  - id: gw\n    kind: gateway\n    subnet: snet-app\n    ip: 10.1.1.9\n    backends:\n      - { endpoint: gw, priority: 1 }\n      - { endpoint: db, priority: 2 }\n",
        1,
    );
    assert!(finding_ids(&y).contains(&"backend-is-itself".to_string()));
}

#[test]
fn egress_through_a_non_firewall_is_a_finding() {
    let y = base().replacen("    role: hub\n", "    role: hub\n    egress: web\n", 1);
    assert!(finding_ids(&y).contains(&"egress-not-a-firewall".to_string()));
}

#[test]
fn a_mixed_script_id_is_a_warning() {
    // `dаta` with a Cyrillic а (U+0430): looks like the zone `data`.
    let y = base().replacen("  - id: data\n", "  - id: data\n  - id: d\u{430}ta\n", 1);
    let t = zonescope::model::load_str(&y, "mixed.yaml").unwrap();
    let f: Vec<_> = zonescope::engine::check::findings(&t)
        .into_iter()
        .filter(|f| f.id == "mixed-script-id")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, zonescope::engine::check::Severity::Warning);
    assert!(
        f[0].message.contains("Latin and Cyrillic"),
        "{}",
        f[0].message
    );
}

#[test]
fn an_endless_input_is_capped_not_read_into_memory() {
    // /dev/zero is not a regular file: the old size check passed it, and reading it whole grew
    // without end. Under a 1 GB address-space limit the cap must answer first.
    for input in ["/dev/zero", "/dev/stdin"] {
        let o = Command::new("sh")
            .arg("-c")
            .arg("ulimit -v 1048576 && exec \"$0\" check \"$1\" < /dev/zero")
            .arg(env!("CARGO_BIN_EXE_zonescope"))
            .arg(input)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let s = all(&o);
        assert_eq!(o.status.code(), Some(2), "{input}: {s}");
        assert!(s.contains("zonescope::too-large"), "{input}: {s}");
        assert!(s.contains("larger than the 64 MB"), "{input}: {s}");
    }
}

#[test]
fn an_ipv4_mapped_address_in_a_flow_log_is_the_ipv4_address() {
    use zonescope::engine::flows::read::{LogFormat, ReadEvent, read_log};
    let log = "2 123456789010 eni-1 ::ffff:10.1.1.4 10.1.2.4 49761 5432 6 20 4249 1418530010 1418530070 ACCEPT OK\n";
    let mut src = None;
    read_log(log.as_bytes(), LogFormat::Aws, |e| {
        if let ReadEvent::Record(r) = e {
            src = Some(r.src);
        }
    })
    .unwrap();
    assert_eq!(src, Some("10.1.1.4".parse().unwrap()));
}

#[test]
fn the_same_log_given_twice_is_warned_about() {
    let d = tempfile::tempdir().unwrap();
    let log = write(
        d.path(),
        "vpc.log",
        "2 123456789010 eni-1 10.1.1.4 10.1.2.4 49761 5432 6 20 4249 1418530010 1418530070 ACCEPT OK\n",
    );
    let link = d.path().join("again.log");
    std::os::unix::fs::symlink(&log, &link).unwrap();
    let o = bin()
        .arg("flows")
        .arg(fixture("tests/fixtures/flows/aws-doc.yaml"))
        .arg(&log)
        .arg(&link)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning:") && err.contains("counted twice"),
        "{err}"
    );
    let once = bin()
        .arg("flows")
        .arg(fixture("tests/fixtures/flows/aws-doc.yaml"))
        .arg(&log)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&once.stderr).contains("warning:"));
}

#[test]
fn a_cr_only_file_starting_with_a_comment_is_not_empty() {
    use zonescope::model::{ErrorCode, load_str};
    let text = base().replace('\n', "\r");
    let text = format!("# a design saved with CR line ends\r{text}");
    match load_str(&text, "cr.yaml") {
        Ok(t) => assert_eq!(t.endpoints().len(), 2),
        Err(e) => assert_ne!(e.first().code, ErrorCode::Empty, "{}", e.plain()),
    }
}

#[test]
fn parser_messages_speak_about_the_file_not_the_library() {
    use zonescope::model::load_str;
    let mut alias = String::from(
        "version: 1\nendpoints:\n  - &e {id: a, kind: app}\nexpect:\n  - &x {from: a, to: a, verdict: allow}\n",
    );
    for _ in 0..60_000 {
        alias.push_str("  - *x\n");
    }
    let cases = [
        (
            "version: 1\n---\nversion: 1\n".to_string(),
            "more than one YAML document",
        ),
        (
            "version: 1\nname: a\nname: b\n".to_string(),
            "the key `name` is given twice",
        ),
        (alias, "limit on YAML aliases"),
        (
            base().replacen("priority: 100", "priority: abc", 1),
            "`priority` must be a whole number",
        ),
    ];
    for (text, want) in cases {
        let e = load_str(&text, "x.yaml").unwrap_err();
        let m = &e.first().message;
        assert!(m.contains(want), "{m}");
        for internal in [
            "from_str_multiple",
            "DuplicateKeyPolicy",
            "Options",
            "budget breached",
            "Aliases {",
            "invalid i64",
        ] {
            assert!(
                !m.contains(internal) && !e.first().help.contains(internal),
                "{m} / {}",
                e.first().help
            );
        }
    }
}

#[test]
fn an_importer_refuses_a_json_file_over_the_cap_without_reading_it_whole() {
    // Issue 16, item 7: every input is capped, the importers' JSON too. A 100 MB describe-*
    // file (sparse: zeros) under a 1 GB address-space limit: the cap answers, naming the file.
    let d = tempfile::tempdir().unwrap();
    let big = d.path().join("describe-subnets.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" import aws \"$1\"")
        .arg(env!("CARGO_BIN_EXE_zonescope"))
        .arg(d.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let s = all(&o);
    assert_eq!(o.status.code(), Some(2), "{s}");
    assert!(s.contains("larger than 64 MB"), "{s}");
    assert!(s.contains("describe-subnets.json"), "{s}");
}
