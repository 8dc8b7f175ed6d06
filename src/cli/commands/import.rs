//! `zonescope import aws|azure|terraform INPUT... [--zones MAP] [-o OUT] [--format text|json]`
//! (several inputs for Azure only): the design as YAML
//! (atomically to OUT, or to standard output) and a one-screen summary of what was imported,
//! what was skipped and why.
//!
//! Owns: the import command's I/O. Must never: read cloud formats itself (`import` does).

use std::fmt::Write as _;
use std::io::Write;

use crate::cli::args::{ImportArgs, ImportCloud, TextJson};
use crate::cli::{CliError, write_atomically};
use crate::import::{self, FindingKind, ImportOptions, ImportReport, InputKind};

/// How many findings of each kind the text summary lists before "and N more".
const LISTED: usize = 12;

/// `zonescope import`.
pub fn run(a: &ImportArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let kind = match a.cloud {
        ImportCloud::Aws => InputKind::AwsDescribe,
        ImportCloud::Terraform => InputKind::Terraform,
        ImportCloud::Azure => InputKind::Azure,
    };
    if let Some(missing) = a.inputs.iter().find(|p| !p.exists()) {
        return Err(CliError::usage(
            format!("{} does not exist", missing.display()),
            match a.cloud {
                ImportCloud::Aws => "give the directory that holds the describe-* JSON files",
                ImportCloud::Terraform => {
                    "give the file `terraform show -json` wrote (of a state, or of a saved plan)"
                }
                ImportCloud::Azure => {
                    "give the ARM resource JSON file(s) (see docs/import-azure.md)"
                }
            },
        ));
    }
    let imported = match (a.cloud, a.inputs.as_slice()) {
        (_, [one]) => import::import(one, kind, ImportOptions::default()),
        (ImportCloud::Azure, many) => import::azure::import_all(many, ImportOptions::default()),
        (ImportCloud::Aws, _) => {
            return Err(CliError::usage(
                "`import aws` takes one directory",
                "put every region's describe-* files under one directory (subfolders per region or account are read too)",
            ));
        }
        (ImportCloud::Terraform, _) => {
            return Err(CliError::usage(
                "`import terraform` takes one file",
                "give the one file `terraform show -json` wrote; to compare a state and a plan use `zonescope diff state.json plan.json`",
            ));
        }
    };
    let mut imported = imported.map_err(import::ImportError::into_load_error)?;
    if let Some(map) = &a.zones {
        let zm = import::parse_zone_map(map)?;
        import::apply_zone_map(&mut imported, &zm, &map.display().to_string());
    }
    let yaml = imported
        .to_yaml()
        .map_err(import::ImportError::into_load_error)?;
    // The design must load as it is written: the loader's errors are the importer's bugs, and
    // are reported as such rather than written to a file that does not load.
    let name = a
        .output
        .as_ref()
        .map_or_else(|| "(import)".to_string(), |p| p.display().to_string());
    crate::model::load_str(&yaml, &name)?;
    let summary = match a.format {
        TextJson::Text => summary_text(&imported.report),
        TextJson::Json => {
            let mut s = serde_json::to_string_pretty(&imported.report).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    match &a.output {
        Some(path) if path.as_os_str() != "-" => {
            write_atomically(path, yaml.as_bytes())?;
            out.write_all(summary.as_bytes())?;
            if a.format == TextJson::Text {
                writeln!(out, "wrote {}", path.display())?;
            }
        }
        _ => {
            out.write_all(yaml.as_bytes())?;
            for line in summary.lines() {
                eprintln!("{}", crate::text_safe::escape(line));
            }
        }
    }
    Ok(0)
}

/// The summary on one screen: counts, then the findings grouped by kind.
pub fn summary_text(r: &ImportReport) -> String {
    let mut s = String::new();
    let c = |k: &str| r.count(k);
    // The first line names each cloud's resources as that cloud does.
    let n = |k: &str, one: &str, many: &str| crate::report::plural(c(k), one, many);
    let (words, shown): ([(&str, &str, &str); 4], &[&str]) = if r.cloud.as_deref() == Some("azure")
    {
        (
            [
                ("networks", "VNet", "VNets"),
                ("subnets", "subnet", "subnets"),
                ("network interfaces", "NIC", "NICs"),
                ("NSGs", "NSG", "NSGs"),
            ],
            &[
                "networks",
                "subnets",
                "network interfaces",
                "NSGs",
                "routes",
                "route tables",
            ],
        )
    } else {
        (
            [
                ("networks", "VPC", "VPCs"),
                ("subnets", "subnet", "subnets"),
                ("instances", "instance", "instances"),
                ("rule sets", "rule set", "rule sets"),
            ],
            &[
                "networks",
                "subnets",
                "instances",
                "rule sets",
                "routes",
                "route tables",
            ],
        )
    };
    let listed: Vec<String> = words.iter().map(|(k, o, m)| n(k, o, m)).collect();
    let _ = writeln!(
        s,
        "imported from {}: {}, {} in {}",
        crate::report::plural(r.files, "file", "files"),
        listed.join(", "),
        n("routes", "route", "routes"),
        n("route tables", "route table", "route tables"),
    );
    let others: Vec<String> = r
        .counts
        .iter()
        .filter(|(k, v)| **v > 0 && !shown.contains(&k.as_str()))
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(s, "  also: {}", others.join(", "));
    }
    for (kind, title) in [
        (FindingKind::Unsupported, "skipped (not modelled)"),
        (FindingKind::Assumed, "assumed"),
    ] {
        let list: Vec<_> = r.of_kind(kind).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{title}: {}", list.len());
        for f in list.iter().take(LISTED) {
            let at = match (f.file.is_empty(), f.json_path.is_empty()) {
                (true, _) => f.json_path.clone(),
                (false, true) => f.file.clone(),
                (false, false) => format!("{} {}", f.file, f.json_path),
            };
            let _ = writeln!(s, "  - {}  [{at}]", f.message);
        }
        if list.len() > LISTED {
            let _ = writeln!(
                s,
                "  … and {} more (--format json lists them all)",
                list.len() - LISTED
            );
        }
    }
    s
}
