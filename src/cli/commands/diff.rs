//! `zonescope diff OLD NEW`: exit 0 when no flow changed verdict, 1 when some did. Either side
//! may be a topology file or an export (AWS describe-* JSON, `terraform show -json`).
//!
//! Owns: the diff command's I/O, and placing a rule on its file and line (an imported rule on
//! the resource it came from) for SARIF. Must never: compare designs itself (the engine does).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use crate::cli::CliError;
use crate::cli::args::{DiffArgs, DiffFormat};
use crate::engine::diff::{cause, diff};
use crate::import::ImportReport;
use crate::model::Topology;
use crate::report::diff::{render_causes, render_text, render_unknown};
use crate::report::sarif::{Place, diff_to_sarif};

/// `zonescope diff`: exit 0 when no flow changed verdict, 1 when some did.
pub fn run(a: &DiffArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let (old, old_report) = crate::import::load_any(&a.old)?;
    let (new, new_report) = crate::import::load_any(&a.new)?;
    let d = diff(&old, &new);
    match a.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &d).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
        DiffFormat::Text => {
            let text = render_text(&d);
            let imported = |r: &Option<ImportReport>| {
                r.as_ref()
                    .is_some_and(|r| r.origins.values().any(|o| o.resource.is_some()))
            };
            let unknown: Vec<(String, String)> = new_report
                .iter()
                .flat_map(crate::import::terraform::unknown_findings)
                .map(|f| (format!("{} {}", f.file, f.json_path), f.message.clone()))
                .collect();
            if imported(&old_report) || imported(&new_report) {
                // The verdict line stays last: the resources go before it.
                let causes = cause::causes(&old, &new, &d);
                let old_l = Locator::new(&a.old, &old, old_report.as_ref());
                let new_l = Locator::new(&a.new, &new, new_report.as_ref());
                let locate = |rule: &str, is_new: bool| {
                    let l = if is_new { &new_l } else { &old_l };
                    l.place(rule).and_then(|p| p.resource)
                };
                let mut extra = render_causes(&causes, &locate);
                extra.push_str(&render_unknown(&unknown));
                let cut = text.trim_end().rfind('\n').unwrap_or(text.len());
                out.write_all(&text.as_bytes()[..cut])?;
                out.write_all(extra.as_bytes())?;
                out.write_all(&text.as_bytes()[cut..])?;
            } else {
                out.write_all(text.as_bytes())?;
            }
        }
        DiffFormat::Sarif => {
            let causes = cause::causes(&old, &new, &d);
            let old_l = Locator::new(&a.old, &old, old_report.as_ref());
            let new_l = Locator::new(&a.new, &new, new_report.as_ref());
            let locate = |rule: &str, is_new: bool| {
                if is_new {
                    new_l.place(rule)
                } else {
                    old_l.place(rule)
                }
            };
            let unknown: Vec<(Place, String)> = new_report
                .iter()
                .flat_map(crate::import::terraform::unknown_findings)
                .map(|f| {
                    let resource = f.message.split_once(": ").map(|x| x.0.to_string());
                    let line = resource
                        .as_ref()
                        .and_then(|r| new_l.lines.get(r).copied())
                        .unwrap_or(0);
                    let place = Place {
                        file: f.file.clone(),
                        line,
                        resource,
                    };
                    (place, f.message.clone())
                })
                .collect();
            let v = diff_to_sarif(&d, &causes, &locate, &unknown);
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    let code = u8::from(d.behaviour_changed);
    crate::cli::dispose((old, new));
    Ok(code)
}

/// Places the rules of one version.
struct Locator<'a> {
    file: String,
    topology: &'a Topology,
    report: Option<&'a ImportReport>,
    /// The text of an imported file, to find the line of a resource address.
    lines: HashMap<String, u32>,
}

impl<'a> Locator<'a> {
    fn new(path: &Path, topology: &'a Topology, report: Option<&'a ImportReport>) -> Self {
        let mut lines = HashMap::new();
        if let Some(r) = report {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let named = r.origins.values().filter_map(|o| o.resource.clone()).chain(
                crate::import::terraform::unknown_findings(r)
                    .into_iter()
                    .filter_map(|f| f.message.split_once(": ").map(|x| x.0.to_string())),
            );
            for res in named {
                let res = &res;
                if lines.contains_key(res) {
                    continue;
                }
                let needle = format!("\"address\": \"{res}\"");
                let compact = format!("\"address\":\"{res}\"");
                let at = text.find(&needle).or_else(|| text.find(&compact));
                if let Some(at) = at {
                    let line = text[..at].bytes().filter(|b| *b == b'\n').count() + 1;
                    lines.insert(res.clone(), u32::try_from(line).unwrap_or(u32::MAX));
                }
            }
        }
        Locator {
            file: path.display().to_string(),
            topology,
            report,
            lines,
        }
    }

    fn place(&self, rule: &str) -> Option<Place> {
        if let Some(r) = self.report {
            let set = rule.split_once('/').map_or(rule, |x| x.0);
            // A changed field (`ID#FIELD`) is placed only by its own origin.
            let o = match r.origins.get(rule) {
                Some(o) => o,
                None if rule.contains('#') => return None,
                None => r.origins.get(set)?,
            };
            let line = o
                .resource
                .as_ref()
                .and_then(|res| self.lines.get(res).copied())
                .unwrap_or(0);
            return Some(Place {
                file: if o.file.is_empty() {
                    self.file.clone()
                } else {
                    o.file.clone()
                },
                line,
                resource: o.resource.clone(),
            });
        }
        let (set, id) = rule.split_once('/')?;
        let rs = self.topology.rule_sets().iter().find(|r| r.id == set)?;
        let line = rs
            .rules
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.at.line);
        Some(Place {
            file: self.file.clone(),
            line,
            resource: None,
        })
    }
}
