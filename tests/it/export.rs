//! `zonescope export`: snapshots of every format, Mermaid structure, DOT rendered by the real
//! `dot`, and the command line (`-o` atomic, never over the input).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use zonescope::cli::args::ExportFormat;
use zonescope::engine::trace::{Query, WhatIf, trace};
use zonescope::model::rules::Protocol;
use zonescope::model::{self, Topology};
use zonescope::report::render;

fn sample(name: &str) -> Topology {
    model::load(Path::new(&format!("samples/{name}.yaml"))).unwrap()
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zonescope"));
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn mermaid_hub_spoke_with_a_traced_path() {
    let t = sample("azure-hub-spoke");
    let tr = trace(
        &t,
        &Query::new("web", "aoai-eus", Some(443), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap();
    insta::assert_snapshot!(render(&t, ExportFormat::Mermaid, Some(&tr)));
}

#[test]
fn mermaid_multiregion() {
    insta::assert_snapshot!(render(
        &sample("azure-openai-multiregion"),
        ExportFormat::Mermaid,
        None
    ));
}

#[test]
fn dot_multiregion_with_a_traced_path() {
    let t = sample("azure-openai-multiregion");
    let tr = trace(
        &t,
        &Query::new("orchestrator", "aoai-weu", Some(443), Protocol::Tcp),
        &WhatIf::default(),
    )
    .unwrap();
    insta::assert_snapshot!(render(&t, ExportFormat::Dot, Some(&tr)));
}

#[test]
fn markdown_multiregion() {
    insta::assert_snapshot!(render(
        &sample("azure-openai-multiregion"),
        ExportFormat::Markdown,
        None
    ));
}

#[test]
fn markdown_flawed_design_lists_findings_and_failures() {
    let md = render(&sample("flawed-design"), ExportFormat::Markdown, None);
    assert!(md.contains("## Findings"), "{md}");
    assert!(md.contains("unknown-service-tag"), "{md}");
    assert!(md.contains("❌ FAIL"), "{md}");
    assert!(md.contains("**FAILED**"), "{md}");
    // Every expectation has its trace with its checks.
    let t = sample("flawed-design");
    for x in t.expectations() {
        assert!(md.contains(&format!("### {}", x.name)), "{}", x.name);
    }
    assert!(md.matches("```text").count() >= t.expectations().len());
}

#[test]
fn json_private_link() {
    let t = sample("azure-openai-private-link");
    let text = render(&t, ExportFormat::Json, None);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["endpoints"].as_array().unwrap().len(),
        t.endpoints().len()
    );
    insta::assert_snapshot!(text);
}

/// Node ids declared in a Mermaid flowchart, and a structural error if any.
fn check_mermaid(src: &str) -> Result<(), String> {
    let mut depth = 0i32;
    let mut declared: HashSet<String> = HashSet::new();
    let mut subgraphs: HashSet<String> = HashSet::new();
    let mut edges: Vec<(String, String)> = Vec::new();
    let mut links = 0usize;
    let mut lines = src.lines();
    if !lines.any(|l| l.trim() == "flowchart LR") {
        return Err("no `flowchart LR` header".into());
    }
    let id = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for line in src.lines().map(str::trim) {
        if line.starts_with("%%") || line.starts_with("classDef") || line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("subgraph ") {
            depth += 1;
            let i = id(rest);
            if i.is_empty() || !subgraphs.insert(i.clone()) {
                return Err(format!("bad or repeated subgraph id: {line}"));
            }
        } else if line == "end" {
            depth -= 1;
            if depth < 0 {
                return Err("`end` without `subgraph`".into());
            }
        } else if let Some(rest) = line.strip_prefix("linkStyle ") {
            for n in rest.split_whitespace().next().unwrap_or("").split(',') {
                let n: usize = n.parse().map_err(|_| format!("bad linkStyle: {line}"))?;
                if n >= links {
                    return Err(format!("linkStyle {n} but only {links} links"));
                }
            }
        } else if let Some(rest) = line.strip_prefix("class ") {
            for n in rest.split_whitespace().next().unwrap_or("").split(',') {
                if !declared.contains(n) {
                    return Err(format!("class on undeclared node {n}"));
                }
            }
        } else if let Some(pos) = ["<-->", "-.->", "-.-x", "==>", "-->"]
            .iter()
            .filter_map(|a| line.find(a).map(|p| (p, *a)))
            .min_by_key(|x| x.0)
        {
            let (p, arrow) = pos;
            let from = line[..p].trim().to_string();
            let mut rest = line[p + arrow.len()..].trim();
            if rest.starts_with('|') {
                let close = rest[1..].find('|').ok_or("unclosed edge label")?;
                rest = rest[close + 2..].trim();
            }
            edges.push((from, rest.to_string()));
            links += 1;
        } else {
            let i = id(line);
            if i.is_empty() || line.len() == i.len() {
                return Err(format!("unexpected line: {line}"));
            }
            if !declared.insert(i.clone()) {
                return Err(format!("node {i} declared twice"));
            }
        }
    }
    if depth != 0 {
        return Err(format!("{depth} subgraph(s) not closed"));
    }
    for (a, b) in edges {
        for n in [&a, &b] {
            if !declared.contains(n.as_str()) {
                return Err(format!("edge {a} -> {b}: {n} is not a declared node"));
            }
        }
    }
    Ok(())
}

#[test]
fn mermaid_is_well_formed_for_every_sample_and_trace() {
    for p in samples() {
        let t = model::load(&p).unwrap();
        check_mermaid(&render(&t, ExportFormat::Mermaid, None))
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        for x in t.expectations() {
            let q = Query::new(&x.from, &x.to, x.port, x.protocol);
            if let Ok(tr) = trace(&t, &q, &WhatIf::default()) {
                check_mermaid(&render(&t, ExportFormat::Mermaid, Some(&tr)))
                    .unwrap_or_else(|e| panic!("{} trace {}: {e}", p.display(), x.name));
            }
        }
    }
}

#[test]
fn the_mermaid_checker_catches_mistakes() {
    assert!(check_mermaid("flowchart LR\n  subgraph a[\"x\"]\n  n1[\"n\"]\n").is_err());
    assert!(check_mermaid("flowchart LR\n  n1[\"n\"]\n  n1 --> n2\n").is_err());
    assert!(
        check_mermaid(
            "flowchart LR\n  n1[\"n\"]\n  n2[\"m\"]\n  n1 -->|\"l\"| n2\n  linkStyle 0 stroke:red\n"
        )
        .is_ok()
    );
    assert!(check_mermaid("flowchart LR\n  n1[\"n\"]\n  linkStyle 0 stroke:red\n").is_err());
}

fn dot_available() -> bool {
    crate::tool_available("dot", "-V")
}

#[test]
fn dot_renders_with_graphviz_for_every_sample() {
    if !dot_available() {
        eprintln!(
            "note: skipping the Graphviz check: `dot` is not installed (apt-get install graphviz)"
        );
        return;
    }
    for p in samples() {
        let t = model::load(&p).unwrap();
        let mut variants = vec![render(&t, ExportFormat::Dot, None)];
        if let Some(x) = t.expectations().first() {
            let q = Query::new(&x.from, &x.to, x.port, x.protocol);
            if let Ok(tr) = trace(&t, &q, &WhatIf::default()) {
                variants.push(render(&t, ExportFormat::Dot, Some(&tr)));
            }
        }
        for src in variants {
            let mut child = Command::new("dot")
                .arg("-Tsvg")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(src.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "{}: dot failed: {err}\n{src}",
                p.display()
            );
            assert!(err.trim().is_empty(), "{}: dot warned: {err}", p.display());
            let svg = String::from_utf8_lossy(&out.stdout);
            assert!(svg.contains("<svg"), "{}", p.display());
            for e in t.endpoints() {
                // Graphviz writes `-` as `&#45;` in SVG text.
                let shown = svg.contains(&e.id) || svg.contains(&e.id.replace('-', "&#45;"));
                assert!(shown, "{}: {} missing from the SVG", p.display(), e.id);
            }
        }
    }
}

#[test]
fn dot_quotes_awkward_names() {
    let yaml = "version: 1\nname: 'quote \" and \\ back'\nzones: [{id: z}]\nnetworks:\n  - {id: n, cidr: 10.0.0.0/16, subnets: [{id: s, cidr: 10.0.1.0/24, zone: z}]}\nendpoints:\n  - {id: end, kind: app, subnet: s, name: 'a \"b\" <c>'}\n";
    let t = model::load_str(yaml, "awkward.yaml").unwrap();
    let d = render(&t, ExportFormat::Dot, None);
    assert!(d.contains(r#"digraph "quote \" and \\ back""#), "{d}");
    let m = render(&t, ExportFormat::Mermaid, None);
    check_mermaid(&m).unwrap();
    assert!(m.contains("#quot;b#quot; #lt;c#gt;"), "{m}");
    if dot_available() {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(d.as_bytes()).unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    }
}

#[test]
fn cli_writes_atomically_and_never_over_the_input() {
    let dir = std::env::temp_dir().join(format!("zonescope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("design.yaml");
    std::fs::copy("samples/azure-hub-spoke.yaml", &input).unwrap();
    let before = std::fs::read(&input).unwrap();

    // -o to a new file: written whole, no temporary left behind.
    let out = dir.join("design.mmd");
    let st = bin()
        .args([
            "export",
            input.to_str().unwrap(),
            "--to",
            "mermaid",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(st.stdout.is_empty());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("flowchart LR")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".zonescope-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // -o naming the input (directly or by another path): refused, input untouched.
    for target in [input.clone(), dir.join(".").join("design.yaml")] {
        let st = bin()
            .args([
                "export",
                input.to_str().unwrap(),
                "--to",
                "json",
                "-o",
                target.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert_eq!(st.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&st.stderr).contains("refusing to overwrite the input"));
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cli_exit_codes() {
    let ok = bin()
        .args([
            "export",
            "samples/azure-hub-spoke.yaml",
            "--to",
            "dot",
            "--trace",
            "web -> apim:443",
        ])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).starts_with("// "));
    for args in [
        vec![
            "export",
            "samples/azure-hub-spoke.yaml",
            "--to",
            "markdown",
            "--trace",
            "web -> apim:443",
        ],
        vec![
            "export",
            "samples/azure-hub-spoke.yaml",
            "--to",
            "mermaid",
            "--trace",
            "nobody -> apim:443",
        ],
        vec![
            "export",
            "samples/azure-hub-spoke.yaml",
            "--to",
            "mermaid",
            "--trace",
            "no arrow",
        ],
        vec!["export", "samples/azure-hub-spoke.yaml", "--to", "svg"],
        vec!["export", "tests/fixtures/diff/invalid.yaml", "--to", "json"],
        vec!["export", "does-not-exist.yaml", "--to", "json"],
    ] {
        let st = bin().args(&args).output().unwrap();
        assert_eq!(
            st.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        assert!(st.stdout.is_empty(), "{args:?}");
    }
}
