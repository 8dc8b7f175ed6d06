//! Design review: the findings of SPEC §6 and the `expect:` assertions of a file.
//!
//! Owns: [`Finding`], [`ExpectationResult`], [`Report`], the zone roles of seed 002
//! ([`Role`]) and [`review`], which runs every finding family: [`config`] (settings and rules),
//! [`dns`], [`shadow`] (rules that never match), [`zones`] (ends in no zone) and [`reach`] (exact reachability through
//! [`crate::engine::reach`]). Pure: reads a [`Topology`], traces flows, returns data. Must never: print, exit,
//! or import a UI crate.

pub mod config;
pub mod design;
pub mod dns;
pub mod reach;
pub mod shadow;
mod shadow_index;
pub mod vnet;
pub mod zones;

pub use config::unknown_service_tags;

use serde::Serialize;

use crate::engine::trace::{Query, Trace, WhatIf, trace};
use crate::model::{Pos, Topology, Verdict, ZoneIx};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// Where a finding's subject is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn of(t: &Topology, at: Pos) -> Self {
        Location {
            file: t.file.clone(),
            line: at.line.max(1),
            column: at.column.max(1),
        }
    }
}

/// One finding of the design review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    pub message: String,
    /// The id of what the finding is about.
    pub subject: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// The concrete flow that shows it, for reachability findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Trace>,
}

/// The result of one `expect:` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectationResult {
    pub name: String,
    pub passed: bool,
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub protocol: String,
    pub expected: Verdict,
    pub actual: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_rule: Option<String>,
    /// The deciding rule in the one shape `trace --format json` gives `decided_by` (SPEC §4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<crate::engine::trace::DecidedBy>,
    pub reason: String,
    pub location: Location,
    /// Why it failed, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

/// Everything `check` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub expectations: Vec<ExpectationResult>,
}

impl Report {
    /// Failed expectations, or findings at `threshold` or above: exit 1.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.expectations.iter().any(|e| !e.passed)
            || self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// Evaluate every `expect:` entry of the file.
pub fn expectations(t: &Topology, w: &WhatIf) -> Vec<ExpectationResult> {
    t.expectations()
        .iter()
        .map(|x| {
            let q = Query::new(&x.from, &x.to, x.port, x.protocol);
            let loc = Location::of(t, x.at);
            match trace(t, &q, w) {
                Ok(tr) => {
                    let decided = tr
                        .decided_by
                        .as_ref()
                        .map(|d| format!("{}/{}", d.rule_set, d.rule));
                    let rule_ok = x.rule.as_ref().is_none_or(|want| {
                        tr.decided_by.as_ref().is_some_and(|d| {
                            *want == d.rule || *want == format!("{}/{}", d.rule_set, d.rule)
                        })
                    });
                    let verdict_ok = tr.verdict == x.verdict;
                    let failure = if !verdict_ok {
                        Some(format!(
                            "expected {}, got {}: {}",
                            x.verdict, tr.verdict, tr.reason
                        ))
                    } else if !rule_ok {
                        Some(format!(
                            "verdict {} as expected, but decided by {} instead of {}",
                            tr.verdict,
                            decided.clone().unwrap_or_else(|| "nothing".into()),
                            x.rule.clone().unwrap_or_default()
                        ))
                    } else {
                        None
                    };
                    ExpectationResult {
                        name: x.name.clone(),
                        passed: failure.is_none(),
                        from: x.from.clone(),
                        to: x.to.clone(),
                        port: tr.port,
                        protocol: x.protocol.to_string(),
                        expected: x.verdict,
                        actual: tr.verdict,
                        expected_rule: x.rule.clone(),
                        decided_by: tr.decided_by.clone(),
                        reason: tr.reason,
                        location: loc,
                        failure,
                    }
                }
                Err(e) => ExpectationResult {
                    name: x.name.clone(),
                    passed: false,
                    from: x.from.clone(),
                    to: x.to.clone(),
                    port: x.port,
                    protocol: x.protocol.to_string(),
                    expected: x.verdict,
                    actual: Verdict::NoRoute,
                    expected_rule: x.rule.clone(),
                    decided_by: None,
                    reason: e.message.clone(),
                    location: loc,
                    failure: Some(format!("cannot trace: {} ({})", e.message, e.help)),
                },
            }
        })
        .collect()
}

/// The role a zone plays in seed 002's model (see [`role_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    App,
    Inference,
    Data,
    Management,
    ExternalAi,
    Sandbox,
}

/// The role of a zone for the checks: its `role:`, else the one its id names (`application`
/// or `app`, `inference`, `data`, `management` or `mgmt`, `external_ai`, `sandbox`; case and
/// `-`/`_` do not matter). `dmz` and `other` have no check of their own.
pub fn role_of(t: &Topology, z: Option<ZoneIx>) -> Option<Role> {
    use crate::model::ZoneRole as Z;
    Some(match t.zone(z?).role()? {
        Z::Application => Role::App,
        Z::Inference => Role::Inference,
        Z::Data => Role::Data,
        Z::Management => Role::Management,
        Z::ExternalAi => Role::ExternalAi,
        Z::Sandbox => Role::Sandbox,
        Z::Dmz | Z::Other => return None,
    })
}

/// Every finding of the design review, most severe first, then by line.
pub fn findings(t: &Topology) -> Vec<Finding> {
    let mut findings = config::unknown_service_tags(t);
    findings.extend(config::public_access_enabled(t));
    findings.extend(config::streaming_timeout(t));
    findings.extend(config::single_region(t));
    findings.extend(config::broad_source(t));
    findings.extend(shadow::shadowed_rules(t));
    findings.extend(dns::dns_not_private(t));
    findings.extend(design::findings(t));
    findings.extend(zones::unzoned_endpoints(t));
    findings.extend(vnet::vnet_tag_widened(t));
    let eng = crate::engine::reach::Engine::new(t);
    let groups = crate::engine::reach::groups(t);
    let ext = crate::engine::reach::external_classes(t);
    findings.extend(reach::findings(&eng, &groups, &ext));
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.location.line.cmp(&b.location.line))
            .then(a.id.cmp(&b.id))
    });
    findings
}

/// The whole review: findings, then expectations.
pub fn review(t: &Topology) -> Report {
    let w = WhatIf::default();
    Report {
        findings: findings(t),
        expectations: expectations(t, &w),
    }
}
