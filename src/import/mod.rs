//! Importing real configuration (SPEC §12): cloud exports → the design document of SPEC §1 and
//! §11 → YAML text → the ordinary loader, so an import is validated like a written design.
//!
//! Owns: recognising an input by its content ([`detect`]), the [`ImportReport`] (counts and
//! findings: what could not be represented, what was assumed), `--zones MAP`, and loading any
//! input ([`load_any`]). The cloud-specific readers live below (`aws/`). Must never: print,
//! name the command line or the explorer, or build a model of its own (the loader builds it).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod aws;
pub mod azure;
pub mod doc;
mod json;
pub mod terraform;
mod zones;

pub use doc::Document;
pub use zones::{ZoneMap, apply_zone_map, parse_zone_map};

use crate::model::{self, ErrorCode, InputError, LoadError, Topology};

/// What a finding says about the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A resource or field the model cannot represent: left out.
    Unsupported,
    /// A value the importer had to choose.
    Assumed,
}

/// One resource or field left out, or one assumption, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub file: String,
    pub json_path: String,
    pub message: String,
}

/// What an import read and wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// How many of each kind were imported, by name (`networks`, `subnets`, `instances`, ...).
    pub counts: BTreeMap<String, usize>,
    /// Files read.
    pub files: usize,
    /// The cloud the export is of, when it is not AWS (`azure`): the summary names its
    /// resources (VNets, NICs) as that cloud does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<String>,
    pub findings: Vec<Finding>,
    /// Where each imported rule (`RULE_SET/RULE`) and rule set came from: the file, the JSON
    /// path and, for Terraform, the resource address (so a diff can name the resource that
    /// opens a flow).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub origins: BTreeMap<String, Origin>,
}

/// The source of one imported entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub file: String,
    pub json_path: String,
    /// The Terraform resource address (`module.net.aws_security_group_rule.ssh`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl ImportReport {
    /// Record where the entity `id` came from.
    pub fn origin(&mut self, id: String, file: &str, json_path: impl Into<String>) {
        self.origins.insert(
            id,
            Origin {
                file: file.to_string(),
                json_path: json_path.into(),
                resource: None,
            },
        );
    }

    pub fn add(&mut self, what: &str, n: usize) {
        *self.counts.entry(what.to_string()).or_default() += n;
    }

    pub fn count(&self, what: &str) -> usize {
        self.counts.get(what).copied().unwrap_or(0)
    }

    pub fn unsupported(&mut self, file: &str, path: impl Into<String>, msg: impl Into<String>) {
        self.push(FindingKind::Unsupported, file, path.into(), msg.into());
    }

    pub fn assumed(&mut self, file: &str, path: impl Into<String>, msg: impl Into<String>) {
        self.push(FindingKind::Assumed, file, path.into(), msg.into());
    }

    fn push(&mut self, kind: FindingKind, file: &str, json_path: String, message: String) {
        self.findings.push(Finding {
            kind,
            file: file.to_string(),
            json_path,
            message,
        });
    }

    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}

/// A malformed input: the file, the JSON path, what is wrong and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: String,
    pub json_path: String,
    pub message: String,
    pub help: String,
}

impl ImportError {
    pub fn new(
        file: &str,
        json_path: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        ImportError {
            file: file.to_string(),
            json_path: json_path.into(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// As a load error of the file (so every command reports it, exit 2).
    pub fn into_load_error(self) -> LoadError {
        let at = if self.json_path.is_empty() {
            String::new()
        } else {
            format!("at {}: ", self.json_path)
        };
        LoadError::single(
            &self.file,
            Arc::from(""),
            InputError::new(
                ErrorCode::BadValue,
                model::raw::Pos::default(),
                format!("{at}{}", self.message),
                self.help,
            ),
        )
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.json_path.is_empty() {
            write!(f, " at {}", self.json_path)?;
        }
        write!(f, ": {} (help: {})", self.message, self.help)
    }
}

impl std::error::Error for ImportError {}

/// Which keys of SPEC §11 the importer writes. The loader learns them branch by branch; a key
/// it does not read yet is replaced by the nearest meaning it has (each such replacement is an
/// `assumed` finding), never silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// §11.5: security-group references, `address_groups`, `cloud_id`.
    pub references: bool,
    /// §11.1 and §11.2: `route_tables`, `next_hop`, transit gateways, NAT and VPN gateways.
    pub routing: bool,
}

impl Default for ImportOptions {
    /// Every key the loader of this build reads.
    fn default() -> Self {
        Self::for_loader()
    }
}

impl ImportOptions {
    /// Every key of SPEC §11.
    pub const ALL: ImportOptions = ImportOptions {
        references: true,
        routing: true,
    };
    /// Only the keys of SPEC §1.
    pub const BASIC: ImportOptions = ImportOptions {
        references: false,
        routing: false,
    };

    /// The keys the loader of this build accepts, read from its schema.
    pub fn for_loader() -> Self {
        let schema = model::schema_json();
        ImportOptions {
            references: schema.contains("\"cloud_id\"") && schema.contains("\"address_groups\""),
            routing: schema.contains("\"route_tables\"") && schema.contains("\"next_hop\""),
        }
    }
}

/// What an input is, by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A topology file (YAML).
    Design,
    /// `aws ec2 describe-*` JSON: a directory of it, or one file.
    AwsDescribe,
    /// `terraform show -json` of a state or a plan.
    Terraform,
    /// ARM resource JSON (Resource Graph, `az network … -o json`, the portal's JSON view).
    Azure,
}

/// Recognise an input: a directory holding describe-* JSON, a describe-* JSON file, or (anything
/// else) a topology file for the loader to judge.
pub fn detect(path: &Path) -> InputKind {
    if path.is_dir() {
        let first = json_files(path).ok().and_then(|f| f.into_iter().next());
        if first.is_some_and(|f| detect(&f) == InputKind::Azure) {
            return InputKind::Azure;
        }
        return InputKind::AwsDescribe;
    }
    let Ok(Some(bytes)) = model::read_capped(path, 1 << 16) else {
        // Too large to peek at in full, or unreadable: look at the start only.
        return peek_start(path);
    };
    let text = String::from_utf8_lossy(&bytes);
    if azure::is_arm_json(&text) {
        InputKind::Azure
    } else if text.trim_start().starts_with('{') && aws::is_describe_json(&text) {
        InputKind::AwsDescribe
    } else if text.trim_start().starts_with('{') && terraform::is_terraform_json(&text) {
        InputKind::Terraform
    } else {
        InputKind::Design
    }
}

fn peek_start(path: &Path) -> InputKind {
    use std::io::Read;
    let mut buf = [0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    // Terraform first: an azurerm plan or state also holds ARM ids and `"type"`.
    if text.trim_start().starts_with('{') && terraform::looks_like_terraform(&text) {
        return InputKind::Terraform;
    }
    if azure::looks_like_arm(&text) {
        return InputKind::Azure;
    }
    if text.trim_start().starts_with('{')
        && aws::KEYS.iter().any(|k| text.contains(&format!("\"{k}\"")))
    {
        InputKind::AwsDescribe
    } else {
        InputKind::Design
    }
}

/// The result of an import: the document and what happened.
#[derive(Debug, Clone)]
pub struct Imported {
    pub document: Document,
    pub report: ImportReport,
    /// The cloud tags of each subnet and endpoint (by document id), for `--zones` `tag=value`.
    pub tags: BTreeMap<String, Vec<(String, String)>>,
}

impl Imported {
    /// The document as a topology file (YAML text).
    pub fn to_yaml(&self) -> Result<String, ImportError> {
        model::to_yaml(&self.document).map_err(|e| {
            ImportError::new(
                "",
                "",
                format!("cannot write the design: {e}"),
                "report this as a bug",
            )
        })
    }

    /// Load the document with the ordinary loader (without its YAML text when it has no
    /// defect: [`model::load_document`]); `name` names it in messages.
    pub fn load(&self, name: &str) -> Result<Topology, LoadError> {
        if let Some(t) = model::load_document(&self.document, name) {
            return Ok(t);
        }
        let text = self.to_yaml().map_err(ImportError::into_load_error)?;
        model::load_str(&text, name)
    }
}

/// Import `path` as the given kind.
pub fn import(path: &Path, kind: InputKind, opts: ImportOptions) -> Result<Imported, ImportError> {
    match kind {
        InputKind::AwsDescribe => aws::import(path, opts),
        InputKind::Terraform => terraform::import(path, opts),
        InputKind::Azure => azure::import(path, opts),
        InputKind::Design => Err(ImportError::new(
            &path.display().to_string(),
            "",
            "this is not an export the importer reads",
            "give a directory of `aws ec2 describe-*` JSON files (see docs/import-aws.md) or the output of `terraform show -json` (docs/terraform.md)",
        )),
    }
}

/// Load any input a command takes: a topology file, or a cloud export recognised by content
/// (imported with every key this loader reads, then loaded). The report is `None` for a
/// topology file.
pub fn load_any(path: &Path) -> Result<(Topology, Option<ImportReport>), LoadError> {
    load_any_then(path, &|| {})
}

/// [`load_any`], calling `free` when the rest of the load leaves a core free
/// ([`model::load_with_base_then`] for a design file; an export's import, on one thread,
/// from its start).
pub fn load_any_then(
    path: &Path,
    free: &(dyn Fn() + Sync),
) -> Result<(Topology, Option<ImportReport>), LoadError> {
    match detect(path) {
        InputKind::Design => {
            let mut report = None;
            let t = model::load_with_base_then(
                path,
                &mut |req| {
                    let (yaml, r) = import_base(req)?;
                    report = Some(r);
                    Ok(yaml)
                },
                free,
            )?;
            Ok((t, report))
        }
        kind @ (InputKind::AwsDescribe | InputKind::Terraform | InputKind::Azure) => {
            free();
            let imported = import(path, kind, ImportOptions::default())
                .map_err(ImportError::into_load_error)?;
            let name = format!("{} (imported)", path.display());
            let t = imported.load(&name)?;
            Ok((t, Some(imported.report)))
        }
    }
}

/// The export a design's `base:` names, imported (with the base's zones) as topology YAML.
fn import_base(req: &model::BaseRequest) -> Result<(String, ImportReport), LoadError> {
    let kind = match req.kind {
        model::BaseKind::Aws => InputKind::AwsDescribe,
        model::BaseKind::Terraform => InputKind::Terraform,
        model::BaseKind::Azure => InputKind::Azure,
    };
    let [path] = req.paths.as_slice() else {
        return Err(ImportError::new(
            &req.design_file,
            format!("base.{}", req.kind.key()),
            format!("`base: {{{}: …}}` takes one path", req.kind.key()),
            "give the directory (aws, or azure: a folder of its JSON files) or the file (terraform, azure) as one string",
        )
        .into_load_error());
    };
    // `request` (model/load/base.rs) has checked that the path exists, at its line.
    let mut imported =
        import(path, kind, ImportOptions::default()).map_err(ImportError::into_load_error)?;
    if !req.zones.is_empty() {
        apply_zone_map(&mut imported, &req.zones, &req.design_file);
    }
    let yaml = imported.to_yaml().map_err(ImportError::into_load_error)?;
    Ok((yaml, imported.report))
}

/// Every `*.json` file under `dir`, recursively, in a stable order (symbolic links to
/// directories are not followed, so a loop cannot hold the import).
pub(crate) fn json_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            ImportError::new(
                &d.display().to_string(),
                "",
                format!("cannot read the directory: {e}"),
                "check the path and its permissions",
            )
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                && (ft.is_file() || p.is_file())
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
