//! The command line as a new user meets it (issue 15): `--port PORT/PROTO`, "did you mean" for an
//! unknown `--from`/`--to`, `gen --help` keeping its id pattern, and the trace's fix in words
//! (SPEC §13: the first alternative).

use crate::cli::{HUB, zs};

#[test]
fn port_takes_a_protocol_as_the_explorer_does() {
    let o = zs(&[
        "trace", HUB, "--from", "web", "--to", "apim", "--port", "53/udp", "--format", "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["port"], 53);
    assert_eq!(v["protocol"], "udp");
    let bad = zs(&[
        "trace", HUB, "--from", "web", "--to", "apim", "--port", "443/xyz",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a protocol"));
    let both = zs(&[
        "trace",
        HUB,
        "--from",
        "web",
        "--to",
        "apim",
        "--port",
        "443/udp",
        "--protocol",
        "icmp",
    ]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn an_unknown_id_on_the_command_line_gets_did_you_mean() {
    let o = zs(&["trace", HUB, "--from", "wbe", "--to", "apim"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `web`"), "{err}");
    let o = zs(&["trace", HUB, "--from", "web", "--to", "apmi"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `apim`"), "{err}");
}

#[test]
fn gen_help_keeps_every_part_of_the_id_pattern() {
    let o = zs(&["gen", "--help"]);
    let text = String::from_utf8_lossy(&o.stdout).replace('\n', " ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("ep-r{r}-s{s}-{i}-{e}, fw-r{r}"), "{text}");
}

#[test]
fn trace_text_says_the_first_fix_in_words() {
    let o = zs(&[
        "trace", HUB, "--from", "web", "--to", "aoai-eus", "--port", "443",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("through the gateway apim"), "{out}");
}

#[test]
fn sarif_messages_end_their_sentence_before_the_fix() {
    let o = zs(&["check", "samples/flawed-design.yaml", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let mut n = 0;
    for r in results {
        let text = r["message"]["text"].as_str().unwrap();
        if let Some(i) = text.find(" Fix: ") {
            n += 1;
            let before = text[..i].trim_end();
            assert!(before.ends_with(['.', '!', '?']), "{text}");
        }
    }
    assert!(n > 0);
}

#[test]
fn completions_and_man_page_are_generated() {
    for (shell, needle) in [
        ("bash", "_zonescope()"),
        ("zsh", "#compdef zonescope"),
        ("fish", "complete -c zonescope"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[zonescope]"),
    ] {
        let o = zs(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains(needle), "{shell}: {needle} not in the script");
        assert!(
            out.contains("trace"),
            "{shell}: the subcommands are completed"
        );
    }
    let o = zs(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let man = String::from_utf8_lossy(&o.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH zonescope"),
        "{man}"
    );
    assert!(man.contains(".SH NAME") && man.contains("trace"));
    let bad = zs(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// The README installs with `cargo install --path .`, notes the man page, names no seed files
/// and links no spec outside the repository.
#[test]
fn readme_has_an_install_section_and_names_no_seed_files() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(readme.contains("## Install"));
    assert!(readme.contains("cargo install --path ."));
    assert!(readme.contains("zonescope man"));
    assert!(
        !readme.to_lowercase().contains("seed 0"),
        "names a seed file"
    );
    assert!(
        !readme.contains("../shared"),
        "links a file outside the repository"
    );
}

/// Counts read as English ("1 network", "the 1 check … allows"), and a bad `--disable`
/// prints its hint once.
#[test]
fn grammar_of_counts_and_the_disable_hint_once() {
    let o = zs(&["check", "samples/flawed-design.yaml"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("1 network,"), "{out}");
    assert!(!out.contains("1 networks"), "{out}");
    assert!(!out.contains("all 1 check"), "{out}");
    assert!(out.contains("the 1 check on the path allows"), "{out}");
    let o = zs(&[
        "trace",
        HUB,
        "--from",
        "web",
        "--to",
        "apim",
        "--disable",
        "bogus",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("peering (A<->B)").count(), 1, "{err}");
}

/// `check` expectations and `diff` flows give the deciding rule in the one shape `trace` gives
/// it: `decided_by` is the same object everywhere (issue 15: "one shape for the rule that
/// decided everywhere in JSON").
#[test]
fn check_expectations_carry_the_trace_shape_of_the_deciding_rule() {
    let o = zs(&["check", HUB, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = v["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "web" && e["to"] == "apim")
        .expect("web -> apim expectation");
    assert_eq!(e["decided_by"]["rule_set"], "policies");
    assert_eq!(e["decided_by"]["rule"], "ZP-001");
    assert!(
        e.get("decided_by_rule").is_none(),
        "one shape, one key: {e}"
    );
    let t = zs(&[
        "trace", HUB, "--from", "web", "--to", "apim", "--port", "443", "--format", "json",
    ]);
    let t: serde_json::Value = serde_json::from_slice(&t.stdout).unwrap();
    assert_eq!(e["decided_by"], t["decided_by"]);
}

#[test]
fn the_readmes_first_trace_is_what_the_binary_prints() {
    // The README's "Run it" example must show the output a new user gets, fix included.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let cmd = "cargo run --release -- trace samples/azure-hub-spoke.yaml --from web --to aoai-eus --port 443";
    let after = &readme[readme.find(cmd).expect("the README runs this trace") + cmd.len()..];
    let start = after.find("```text\n").expect("its output follows") + "```text\n".len();
    let shown = &after[start..start + after[start..].find("```").unwrap()];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args([
            "trace",
            "samples/azure-hub-spoke.yaml",
            "--from",
            "web",
            "--to",
            "aoai-eus",
            "--port",
            "443",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        shown.trim_end()
    );
}
