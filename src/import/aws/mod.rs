//! The AWS importer (SPEC §12): a directory of `aws ec2 describe-*` JSON (one file per call, any
//! file names, Batfish's `aws_configs/[accounts/ACCOUNT/]REGION/` layout too) → a [`Document`].
//!
//! Owns: finding the files, recognising each by its top-level key, the region and account a
//! path implies, and joining resources by id (`map`, `rules`, `routes`). Must never: resolve an
//! address globally (two VPCs may share a CIDR: everything is joined by VPC and subnet id), drop
//! a resource without a finding, or panic on any input.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::json::At;
use super::{Document, ImportError, ImportOptions, ImportReport, Imported};

mod map;
mod routes;
mod rules;
mod services;

/// The top-level keys of the describe-* outputs the importer reads.
pub const KEYS: &[&str] = &[
    "Vpcs",
    "Subnets",
    "SecurityGroups",
    "NetworkAcls",
    "RouteTables",
    "NetworkInterfaces",
    "Reservations",
    "InternetGateways",
    "EgressOnlyInternetGateways",
    "NatGateways",
    "VpcEndpoints",
    "VpcPeeringConnections",
    "TransitGateways",
    "TransitGatewayAttachments",
    "TransitGatewayRouteTables",
    "TransitGatewayVpcAttachments",
    "TransitGatewayPeeringAttachments",
    "TransitGatewayStaticRoutes",
    "TransitGatewayPropagations",
    "VpnGateways",
    "VpnConnections",
    "PrefixLists",
];

/// Keys of describe-* outputs that hold nothing the network model needs (availability zones,
/// Elastic IPs, which the interfaces' `Association` already carries, customer gateways, which
/// the VPN connections name): read and set aside without a finding.
const IGNORED: &[&str] = &["AvailabilityZones", "Addresses", "CustomerGateways"];

/// Whether `text` is a describe-* output the importer reads (a JSON object with a known key).
pub fn is_describe_json(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| {
            v.as_object()
                .map(|o| o.keys().any(|k| KEYS.contains(&k.as_str())))
        })
        .unwrap_or(false)
}

/// One resource of a describe-* output, with where it came from.
pub(crate) struct Item {
    pub v: Value,
    pub file: String,
    pub path: String,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl Item {
    pub fn at(&self) -> At<'_, '_> {
        At::new(&self.v, &self.file, &self.path)
    }
}

/// Every resource read, by top-level key.
#[derive(Default)]
pub(crate) struct Snapshot {
    pub by_key: BTreeMap<&'static str, Vec<Item>>,
}

impl Snapshot {
    pub fn items(&self, key: &str) -> &[Item] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

/// `us-east-1`, `eu-west-2`, `us-gov-west-1`, `ap-southeast-3`.
pub(crate) fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
}

/// The region and account a file's place implies: `…/accounts/ACCOUNT/REGION/x.json`,
/// `…/REGION/x.json`.
fn place(root: &Path, file: &Path) -> (Option<String>, Option<String>) {
    let rel = file.strip_prefix(root).unwrap_or(file);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    let region = dirs.iter().rev().find(|p| looks_like_region(p)).cloned();
    let account = dirs
        .iter()
        .position(|p| p == "accounts")
        .and_then(|i| dirs.get(i + 1))
        .cloned()
        .or_else(|| {
            dirs.iter()
                .find(|p| p.len() == 12 && p.chars().all(|c| c.is_ascii_digit()))
                .cloned()
        });
    (region, account)
}

/// Read and parse one describe-* file.
fn parse_file(path: &Path) -> Result<Value, ImportError> {
    super::json::read_file(
        path,
        "export one region per directory, or filter the describe call",
        "keep the output of `aws ec2 describe-* --output json` unchanged",
    )
}

/// Read and parse every file, on up to two threads, in the order of `files`.
fn parse_files(files: &[std::path::PathBuf]) -> Vec<Result<Value, ImportError>> {
    super::json::map_files(files, parse_file)
}

/// Put one parsed describe-* file into the snapshot.
fn read_file(
    root: &Path,
    path: &Path,
    v: Value,
    snap: &mut Snapshot,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let name = path.display().to_string();
    let Value::Object(map) = v else {
        report.unsupported(
            &name,
            "",
            "not a describe-* output (the top level is not an object): skipped",
        );
        return Ok(());
    };
    let (region, account) = place(root, path);
    report.files += 1;
    for (key, value) in map {
        let Some(known) = KEYS.iter().find(|k| **k == key) else {
            let n = value.as_array().map_or(1, Vec::len);
            if n > 0 && !IGNORED.contains(&key.as_str()) && key != "NextToken" {
                report.unsupported(
                    &name,
                    key.clone(),
                    format!("`{key}` is not modelled ({n} resources): skipped"),
                );
            }
            continue;
        };
        let Value::Array(list) = value else {
            return Err(ImportError::new(
                &name,
                key,
                "expected an array of resources",
                "keep the output of the describe call unchanged",
            ));
        };
        for (i, v) in list.into_iter().enumerate() {
            let path = format!("{key}[{i}]");
            if !v.is_object() {
                return Err(ImportError::new(
                    &name,
                    path,
                    "expected a resource object",
                    "keep the output of the describe call unchanged",
                ));
            }
            snap.by_key.entry(known).or_default().push(Item {
                v,
                file: name.clone(),
                path,
                region: region.clone(),
                account: account.clone(),
            });
        }
    }
    Ok(())
}

/// Import the describe-* JSON under `path` (a directory, or one file).
pub fn import(path: &Path, opts: ImportOptions) -> Result<Imported, ImportError> {
    let mut report = ImportReport::default();
    let mut snap = Snapshot::default();
    let (root, files) = if path.is_dir() {
        (path.to_path_buf(), super::json_files(path)?)
    } else {
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        (root, vec![path.to_path_buf()])
    };
    for (f, v) in files.iter().zip(parse_files(&files)) {
        read_file(&root, f, v?, &mut snap, &mut report)?;
    }
    if snap.items("Vpcs").is_empty() {
        return Err(ImportError::new(
            &path.display().to_string(),
            "",
            "no VPC found: there is no `Vpcs` in any JSON file here",
            "add the output of `aws ec2 describe-vpcs` (see docs/import-aws.md)",
        ));
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let document = Document {
        version: 1,
        name: Some(format!("AWS import of {name}")),
        description: Some(format!(
            "Imported by zonescope from {} describe-* file(s) under {}",
            report.files,
            path.display()
        )),
        ..Document::default()
    };
    build(&snap, opts, document, report)
}

/// Map a snapshot of describe-* resources (read from files, or translated from another
/// format: the Terraform importer builds one) onto `document`.
pub(crate) fn build(
    snap: &Snapshot,
    opts: ImportOptions,
    mut document: Document,
    mut report: ImportReport,
) -> Result<Imported, ImportError> {
    let mut b = map::Builder::new(snap, opts, &mut document, &mut report);
    b.run()?;
    let tags = b.tags;
    super::zones::count_zones(&document, &mut report);
    Ok(Imported {
        document,
        report,
        tags,
    })
}
