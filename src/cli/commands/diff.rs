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
use crate::report::diff::render_text;
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
        DiffFormat::Text => out.write_all(render_text(&d).as_bytes())?,
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
            let v = diff_to_sarif(&d, &causes, &locate);
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(u8::from(d.behaviour_changed))
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
            for o in r.origins.values() {
                let Some(res) = &o.resource else { continue };
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
            let o = r.origins.get(rule).or_else(|| r.origins.get(set))?;
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
