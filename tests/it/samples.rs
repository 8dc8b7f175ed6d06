//! Every sample loads, starts with the schema line editors use, and its expectations pass (the
//! flawed design's fail on purpose); the JSON Schema in `assets/` is the one the code generates.

use std::path::{Path, PathBuf};

use zonescope::engine::check::expectations;
use zonescope::engine::trace::WhatIf;
use zonescope::model::{load, schema_json};

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("samples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn there_are_the_reference_designs_of_the_seeds() {
    let names: Vec<String> = samples()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "aws-isolated-ai.yaml",
        "azure-hub-spoke.yaml",
        "azure-openai-multiregion.yaml",
        "azure-openai-private-link.yaml",
        "azure-apim-internal.yaml",
        "flawed-design.yaml",
    ] {
        assert!(names.iter().any(|n| n == want), "missing sample {want}");
    }
}

#[test]
fn every_sample_starts_with_the_schema_line() {
    for p in samples() {
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../assets/topology.schema.json\n"),
            "{}",
            p.display()
        );
    }
}

#[test]
fn every_good_sample_meets_all_its_expectations() {
    for p in samples()
        .iter()
        .filter(|p| !p.ends_with("flawed-design.yaml"))
    {
        let t = load(p).unwrap_or_else(|e| panic!("{}", e.plain()));
        let results = expectations(&t, &WhatIf::default());
        assert!(
            results.len() >= 8,
            "{}: its key flows have expectations",
            p.display()
        );
        let failed: Vec<String> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| format!("{}: {:?}", r.name, r.failure))
            .collect();
        assert!(failed.is_empty(), "{}:\n{}", p.display(), failed.join("\n"));
        let verdicts: Vec<_> = results.iter().map(|r| r.actual).collect();
        assert!(
            verdicts.contains(&zonescope::model::Verdict::Allow),
            "{}: some flow is allowed",
            p.display()
        );
        assert!(
            verdicts.contains(&zonescope::model::Verdict::Deny),
            "{}: some flow is denied",
            p.display()
        );
    }
}

#[test]
fn the_flawed_design_fails_the_expectations_of_a_correct_design() {
    let t = load(Path::new("samples/flawed-design.yaml")).unwrap();
    let results = expectations(&t, &WhatIf::default());
    let failed = results.iter().filter(|r| !r.passed).count();
    assert!(
        failed >= 5,
        "the flawed design shows its mistakes ({failed} failed)"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zonescope"))
        .args(["check", "samples/flawed-design.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "failed expectations exit 1");
}

#[test]
fn the_json_schema_in_assets_is_up_to_date() {
    let on_disk = std::fs::read_to_string("assets/topology.schema.json").unwrap_or_default();
    assert!(
        on_disk == schema_json(),
        "assets/topology.schema.json is out of date: run `cargo run -- schema > assets/topology.schema.json`"
    );
}

#[test]
fn the_schema_names_every_top_level_key_of_the_format() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let props = schema["properties"].as_object().unwrap();
    for key in [
        "version",
        "name",
        "zones",
        "networks",
        "peerings",
        "endpoints",
        "rule_sets",
        "policies",
        "dns",
        "expect",
        "service_tags",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
}
