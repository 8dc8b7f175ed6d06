//! SARIF 2.1.0 output of a review, so code-scanning tools show findings on the topology file.
//!
//! Owns: the mapping Finding → SARIF result (a rule per finding id, level, message, physical
//! location). Must never: decide findings.

use serde_json::{Value, json};

use crate::engine::check::{Report, Severity};
use crate::model::Topology;

/// Where each rule id is explained: its section of `docs/checks.md`.
pub fn help_uri(id: &str) -> String {
    format!("https://github.com/zonescope/zonescope/blob/main/docs/checks.md#{id}")
}

/// What each rule id checks (SPEC §6), for the SARIF rule descriptions.
pub fn describe(id: &str) -> &'static str {
    match id {
        "public-access-enabled" => "A service with a private endpoint is still open to the public.",
        "public-fallback" => {
            "A client reaches a service both privately and publicly (silent public fallback)."
        }
        "dns-not-private" => {
            "A private endpoint whose DNS zone is not linked to the networks using it."
        }
        "broad-source" => {
            "A wide CIDR, `*`, `VirtualNetwork` or `Internet` allowed into inference, data or management."
        }
        "app-direct-ai" => {
            "The application reaches an external AI service without the gateway or proxy."
        }
        "lateral-movement" => "The application reaches the data zone directly.",
        "data-egress" => "The data zone reaches the internet.",
        "inference-egress" => "The inference zone reaches the internet.",
        "sandbox-egress" => "The agent code sandbox reaches the internet.",
        "management-exposed" => "The management plane is reachable from the internet.",
        "streaming-timeout" => {
            "An idle timeout below 300 s on a gateway, load balancer or NAT cuts streamed responses."
        }
        "single-region" => "Model endpoints in one region only.",
        "shadowed-rule" => "A rule that can never match because earlier rules cover it.",
        "unknown-service-tag" => "A service tag the file does not declare: it matches no address.",
        "failed-expectation" => "An `expect:` assertion of the file does not hold.",
        "unzoned-endpoint" => "An endpoint in no zone, which the zone policy judges as `unzoned`.",
        "vnet-tag-widened" => {
            "Azure's `VirtualNetwork` tag covers more than the network and its peers (user-defined routes widen it)."
        }
        _ => "zonescope design review finding.",
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log for a report: findings, and failed expectations as `failed-expectation`.
#[allow(clippy::format_push_string)] // one message built in place
pub fn to_sarif(t: &Topology, r: &Report) -> Value {
    let mut rule_ids: Vec<String> = r.findings.iter().map(|f| f.id.clone()).collect();
    if r.expectations.iter().any(|e| !e.passed) {
        rule_ids.push("failed-expectation".to_string());
    }
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": id.replace('-', " ") },
                "fullDescription": { "text": describe(id) },
                "helpUri": help_uri(id)
            })
        })
        .collect();
    let index = |id: &str| rule_ids.iter().position(|r| r == id).unwrap_or(0);
    let loc = |file: &str, line: u32, column: u32| {
        json!([{ "physicalLocation": {
            "artifactLocation": { "uri": file },
            "region": { "startLine": line.max(1), "startColumn": column.max(1) }
        }}])
    };
    let mut results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut text = f.message.clone();
            if let Some(fix) = &f.fix {
                // A sentence ends before the fix starts.
                if !text.trim_end().ends_with(['.', '!', '?']) {
                    text = format!("{}.", text.trim_end());
                }
                text = format!("{text} Fix: {fix}");
            }
            json!({
                "ruleId": f.id,
                "ruleIndex": index(&f.id),
                "level": level(f.severity),
                "message": { "text": text },
                "locations": loc(&f.location.file, f.location.line, f.location.column),
                "properties": {
                    "subject": f.subject,
                    "evidence": f.evidence.as_ref().map(crate::engine::check::reach::evidence_line)
                }
            })
        })
        .collect();
    for e in r.expectations.iter().filter(|e| !e.passed) {
        results.push(json!({
            "ruleId": "failed-expectation",
            "ruleIndex": index("failed-expectation"),
            "level": "error",
            "message": { "text": format!("expectation `{}` failed: {}", e.name, e.failure.clone().unwrap_or_default()) },
            "locations": loc(&e.location.file, e.location.line, e.location.column),
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "zonescope",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/zonescope/zonescope",
                "rules": rules
            }},
            "artifacts": [{ "location": { "uri": t.file } }],
            "results": results
        }]
    })
}

/// Add what an import left out (`unsupported`) or assumed (`assumed`) to a check's SARIF log
/// (SPEC §12: `check` lists each): one result per finding, at its file, with the JSON path as
/// the logical location (SARIF 2.1.0 §3.33), and the two rules they cite.
pub fn add_import_findings(sarif: &mut Value, findings: &[crate::import::Finding]) {
    use crate::import::FindingKind;
    if findings.is_empty() {
        return;
    }
    let Some(run) = sarif.pointer_mut("/runs/0").and_then(Value::as_object_mut) else {
        return;
    };
    let kind_id = |k: FindingKind| match k {
        FindingKind::Unsupported => "unsupported",
        FindingKind::Assumed => "assumed",
    };
    let mut rule_index = std::collections::BTreeMap::new();
    if let Some(rules) = run
        .get_mut("tool")
        .and_then(|t| t.pointer_mut("/driver/rules"))
        .and_then(Value::as_array_mut)
    {
        for (id, text) in [
            (
                "unsupported",
                "A resource or field of the cloud export that zonescope cannot model: left out of the design, so verdicts that depend on it may differ from the cloud.",
            ),
            (
                "assumed",
                "A value the importer had to choose because the export does not give it.",
            ),
        ] {
            if !findings.iter().any(|f| kind_id(f.kind) == id) {
                continue;
            }
            rule_index.insert(id, rules.len());
            rules.push(json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": format!("import: {id}") },
                "fullDescription": { "text": text },
                "helpUri": help_uri(id)
            }));
        }
    }
    let Some(results) = run.get_mut("results").and_then(Value::as_array_mut) else {
        return;
    };
    for f in findings {
        let id = kind_id(f.kind);
        results.push(json!({
            "ruleId": id,
            "ruleIndex": rule_index.get(id).copied().unwrap_or(0),
            "level": if f.kind == FindingKind::Unsupported { "warning" } else { "note" },
            "message": { "text": f.message },
            "locations": [{
                "physicalLocation": { "artifactLocation": { "uri": f.file } },
                "logicalLocations": [{ "fullyQualifiedName": f.json_path, "kind": "member" }]
            }]
        }));
    }
}

/// Where a rule of a diffed version is written: the file, a line (0: unknown), and for an
/// imported Terraform input the resource address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub resource: Option<String>,
}

/// The SARIF log of a diff: each flow the new version opens (level `error`), each allowed flow
/// of a new endpoint (`warning`) and each flow it closes (`note`), on the rule that causes it —
/// in a Terraform plan, the resource address. `locate(rule, new)` places `RULE_SET/RULE` of the
/// new (`true`) or old version.
pub fn diff_to_sarif(
    d: &crate::engine::diff::Diff,
    causes: &[crate::engine::diff::cause::Cause],
    locate: &dyn Fn(&str, bool) -> Option<Place>,
    unknown: &[(Place, String)],
) -> Value {
    use crate::engine::diff::cause::Effect;
    // A loaded export is named `FILE (imported)`: the artifact is FILE.
    let uri = |name: &str| name.trim_end_matches(" (imported)").to_string();
    let (old_uri, new_uri) = (uri(&d.old), uri(&d.new));
    let ids = [
        (
            "flow-opened",
            "The change allows a flow that was denied or had no route.",
        ),
        ("flow-closed", "The change denies a flow that was allowed."),
        (
            "new-endpoint-flow",
            "An endpoint the change adds is reachable, or reaches out.",
        ),
    ];
    let rules: Vec<Value> = ids
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": id.replace('-', " ") },
                "fullDescription": { "text": text },
                "helpUri": "https://github.com/zonescope/zonescope/blob/main/docs/terraform.md"
            })
        })
        .collect();
    let mut results = Vec::new();
    for c in causes {
        let (id, index, level, verb) = match c.effect {
            Effect::Opened => ("flow-opened", 0, "error", "opened"),
            Effect::Closed => ("flow-closed", 1, "note", "closed"),
            Effect::NewEndpoint => ("new-endpoint-flow", 2, "warning", "allowed"),
        };
        let mut places: Vec<(String, Option<Place>)> = c
            .new_rules
            .iter()
            .map(|r| (r.clone(), locate(r, true)))
            .collect();
        places.extend(c.old_rules.iter().map(|r| (r.clone(), locate(r, false))));
        // The resources that set the fields a route change rests on, when the importer knows.
        places.extend(c.fields.iter().filter_map(|k| {
            locate(k, true)
                .or_else(|| locate(k, false))
                .map(|p| (k.clone(), Some(p)))
        }));
        let named: Vec<String> = places
            .iter()
            .map(
                |(r, p)| match p.as_ref().and_then(|p| p.resource.as_ref()) {
                    Some(res) => format!("{res} ({r})"),
                    None => r.clone(),
                },
            )
            .collect();
        let mut by = if named.is_empty() {
            String::new()
        } else {
            format!(" by {}", named.join(", "))
        };
        if !c.changes.is_empty() {
            // A route, not a rule, made the difference: the change of the file that did.
            let sep = if by.is_empty() { " by" } else { ";" };
            by.push_str(&format!("{sep} the change: {}", c.changes.join("; ")));
        }
        let locations: Vec<Value> = places
            .iter()
            .map(|(r, p)| {
                let file = p.as_ref().map_or(new_uri.as_str(), |p| p.file.as_str());
                let line = p.as_ref().map_or(1, |p| p.line.max(1));
                let name = p
                    .as_ref()
                    .and_then(|p| p.resource.clone())
                    .unwrap_or_else(|| r.clone());
                json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": line }
                    },
                    "logicalLocations": [{ "fullyQualifiedName": name, "kind": "resource" }]
                })
            })
            .collect();
        let locations = if locations.is_empty() {
            json!([{ "physicalLocation": {
                "artifactLocation": { "uri": new_uri },
                "region": { "startLine": 1 }
            }}])
        } else {
            Value::Array(locations)
        };
        results.push(json!({
            "ruleId": id,
            "ruleIndex": index,
            "level": level,
            "message": { "text": format!("{} {verb}{by}", c.flow) },
            "locations": locations,
        }));
    }
    for (p, text) in unknown {
        results.push(json!({
            "ruleId": "unknown-until-apply",
            "ruleIndex": 3,
            "level": "warning",
            "message": { "text": text },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": p.file },
                    "region": { "startLine": p.line.max(1) }
                },
                "logicalLocations": [{
                    "fullyQualifiedName": p.resource.clone().unwrap_or_default(),
                    "kind": "resource"
                }]
            }],
        }));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "zonescope",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/zonescope/zonescope",
                "rules": rules
            }},
            "artifacts": [{ "location": { "uri": old_uri } }, { "location": { "uri": new_uri } }],
            "results": results
        }]
    })
}
