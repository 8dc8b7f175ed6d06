//! Hostile input ends with a clear error through the parser's limits: alias bombs, deep
//! nesting, a file larger than a topology can be, bytes that are not text. (That it ends
//! quickly is measured by the fuzz targets and benchmarks, not by a timed assertion.)

use zonescope::model::{ErrorCode, LoadError, load, load_str};

fn quick(f: impl FnOnce() -> Result<zonescope::model::Topology, LoadError>) -> LoadError {
    f().expect_err("hostile input is refused")
}

#[test]
fn an_alias_bomb_is_stopped_by_the_alias_budget() {
    let mut text = String::from(
        "version: 1\nendpoints:\n  - &e {id: a, kind: app}\nexpect:\n  - &x {from: a, to: a, verdict: allow}\n",
    );
    for _ in 0..60_000 {
        text.push_str("  - *x\n");
    }
    let err = quick(|| load_str(&text, "bomb.yaml"));
    assert_eq!(err.first().code, ErrorCode::Yaml);
    assert!(
        err.first().message.contains("limit on YAML aliases"),
        "{}",
        err.first().message
    );
    assert!(err.first().help.contains("limit"), "{}", err.first().help);
}

#[test]
fn billion_laughs_is_refused() {
    let mut text =
        String::from("version: 1\nname: &a0 [x, x, x, x, x, x, x, x, x, x]\ndescription: &a1 [");
    text.push_str(&["*a0"; 10].join(", "));
    text.push_str("]\n");
    let err = quick(|| load_str(&text, "laughs.yaml"));
    assert_eq!(err.first().code, ErrorCode::Yaml);
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!(
        "version: 1\nname: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = quick(|| load_str(&text, "deep.yaml"));
    assert_eq!(err.first().code, ErrorCode::Yaml);
    assert!(err.first().at.line >= 1);
}

#[test]
fn a_file_larger_than_a_topology_can_be_is_refused_before_parsing() {
    let dir = std::env::temp_dir().join(format!("zonescope-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("huge.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap(); // 100 MB, sparse
    let err = quick(|| load(&path));
    assert_eq!(err.first().code, ErrorCode::TooLarge);
    assert!(
        err.first().message.contains("100 MB"),
        "{}",
        err.first().message
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bytes_that_are_not_utf8_are_an_input_error_with_a_line() {
    let dir = std::env::temp_dir().join(format!("zonescope-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("binary.yaml");
    std::fs::write(&path, b"version: 1\nname: \xff\xfe\n").unwrap();
    let err = quick(|| load(&path));
    assert_eq!(err.first().code, ErrorCode::Yaml);
    assert_eq!(err.first().at.line, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn yaml_tags_and_odd_scalars_are_input_errors_with_a_line() {
    // Each is a value of the wrong type for its key (the version is the integer 1, ids are
    // strings, a CIDR is a string, ports are a list), or a second document: a YAML error at a line.
    for text in [
        "version: !!str 1\n",
        "version: 1\nnetworks: !!map {}\n",
        "version: 1\nzones: [{id: ~}]\n",
        "version: 1\nnetworks: [{id: n, cidr: [[[]]]}]\n",
        "version: 1\nendpoints: [{id: e, ports: {a: 1}}]\n",
        "---\nversion: 1\n---\nversion: 1\n",
        "version: 99999999999999999999999\n",
    ] {
        let err = load_str(text, "odd.yaml").expect_err(text);
        assert_eq!(err.first().code, ErrorCode::Yaml, "{text}");
        assert!(err.first().at.line >= 1, "{text}: no line");
    }
    // A byte-order mark is allowed before a YAML stream (YAML 1.2, 5.2): the file loads.
    assert!(load_str("\u{feff}version: 1\n", "bom.yaml").is_ok());
}
