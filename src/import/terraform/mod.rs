//! The Terraform importer (SPEC §12, issue 13): `terraform show -json` of a state
//! (`values.root_module` and its nested `child_modules`) or of a plan (`planned_values`, with
//! `resource_changes` for what is unknown until apply and `configuration` for the references
//! that join resources whose ids are not known yet).
//!
//! Owns: reading the resources with their addresses and JSON paths, the values a plan does not
//! know (`after_unknown`: a finding naming the address and the attribute, never a guess), and
//! handing the `aws` provider's resources to `aws` (this folder), which translates them into
//! the describe-* shapes the AWS importer maps, so AWS semantics live in `import::aws` only,
//! and a file of `azurerm` resources to `azurerm/`, which translates them into ARM resource
//! JSON for `import::azure`.
//! Findings and origins are then moved from the translated shapes back onto the Terraform
//! resource and its JSON path. Must never: build a model of its own, evaluate an expression,
//! or drop a resource without a finding (every type not mapped is `unsupported`).
//!
//! Format: <https://developer.hashicorp.com/terraform/internals/json-format>.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{Document, ImportError, ImportOptions, ImportReport, Imported};

mod aws;
mod azurerm;
mod refs;
mod routes;
mod rules;

pub(crate) use refs::Config;

/// The words of every finding about a value a plan knows only after apply (so a diff can list
/// them: what they would change is not judged).
pub const UNKNOWN_MARK: &str = "is known only after apply";

/// The findings of an import about values known only after apply.
pub fn unknown_findings(r: &ImportReport) -> Vec<&super::Finding> {
    r.findings
        .iter()
        .filter(|f| f.message.contains(UNKNOWN_MARK))
        .collect()
}

/// Whether `text` is `terraform show -json` output: an object with `format_version` and the
/// values of a state or a plan.
pub fn is_terraform_json(text: &str) -> bool {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| {
            v.as_object().map(|o| {
                o.contains_key("format_version")
                    && [
                        "values",
                        "planned_values",
                        "resource_changes",
                        "terraform_version",
                    ]
                    .iter()
                    .any(|k| o.contains_key(*k))
            })
        })
        .unwrap_or(false)
}

/// Whether the start of a file looks like `terraform show -json` output.
pub(crate) fn looks_like_terraform(start: &str) -> bool {
    start.contains("\"format_version\"")
        && ["\"values\"", "\"planned_values\"", "\"terraform_version\""]
            .iter()
            .any(|k| start.contains(k))
}

/// One resource instance of the state or plan.
#[derive(Debug, Clone)]
pub(crate) struct Res {
    /// `module.net.aws_subnet.a[0]`.
    pub address: String,
    /// The module instance it is in: `""`, `module.net[0]`.
    pub module: String,
    pub rtype: String,
    /// managed | data
    pub mode: String,
    /// The instance key (`count.index` or `for_each` key), if any.
    pub index: Option<Value>,
    pub values: Value,
    /// The plan's `after_unknown` for this instance (null in a state).
    pub unknown: Value,
    /// The JSON path of the resource object in the file.
    pub path: String,
}

impl Res {
    /// The address without the instance key, in its module: `module.net.aws_subnet.a`.
    pub fn config_address(&self) -> String {
        let local = match &self.index {
            Some(_) => self
                .address
                .rsplit_once('[')
                .map_or(self.address.as_str(), |x| x.0),
            None => self.address.as_str(),
        };
        refs::strip_keys(local)
    }

    /// A known, non-empty string attribute.
    pub fn s(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        self.values.get(key).and_then(Value::as_i64)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.values.get(key).and_then(Value::as_bool)
    }

    /// Whether the plan says `key` (or any part of it) is known only after apply.
    pub fn unknown(&self, key: &str) -> bool {
        self.unknown.get(key).is_some_and(any_true)
    }

    /// The known strings of a list attribute.
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.values
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `tags` as a describe-* tag list.
    pub fn tags(&self) -> Value {
        let tags = self
            .values
            .get("tags")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| {
                        v.as_str()
                            .map(|v| serde_json::json!({"Key": k, "Value": v}))
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        Value::Array(tags)
    }

    /// The `index`-th block of a nested block list, with its `after_unknown` part.
    pub fn blocks(&self, key: &str) -> Vec<(Value, Value)> {
        let un = self.unknown.get(key).and_then(Value::as_array);
        self.values
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let u = un.and_then(|u| u.get(i)).cloned().unwrap_or(Value::Null);
                        (b.clone(), u)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Whether an `after_unknown` value marks anything unknown.
pub(crate) fn any_true(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(any_true),
        Value::Object(o) => o.values().any(any_true),
        _ => false,
    }
}

/// Everything read from the file.
pub(crate) struct Input {
    pub file: String,
    pub resources: Vec<Res>,
    /// Standalone resources a plan deletes (from `resource_changes[].change.before`), so that
    /// a group's inline mirror of them is not read as still there.
    pub deleted: Vec<Res>,
    pub config: Config,
    pub is_plan: bool,
}

fn bad(file: &str, path: impl Into<String>, msg: impl Into<String>) -> ImportError {
    ImportError::new(
        file,
        path,
        msg,
        "give the unchanged output of `terraform show -json` (of a state, or of a saved plan)",
    )
}

/// Read the resources of a module object and its `child_modules`, recursively.
fn read_module(
    file: &str,
    m: &mut Value,
    path: &str,
    out: &mut Vec<Res>,
    depth: usize,
) -> Result<(), ImportError> {
    if !m.is_object() {
        return Err(bad(file, path, "expected a module object"));
    }
    if depth > 64 {
        return Err(bad(file, path, "modules are nested more than 64 deep"));
    }
    let module = m
        .get("address")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(rs) = m.get_mut("resources") {
        let Value::Array(rs) = rs else {
            return Err(bad(file, format!("{path}.resources"), "expected an array"));
        };
        for (i, r) in rs.iter_mut().enumerate() {
            let rp = format!("{path}.resources[{i}]");
            let field = |k: &str| -> Result<String, ImportError> {
                r.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        bad(
                            file,
                            format!("{rp}.{k}"),
                            format!("`{k}` is missing or not a string"),
                        )
                    })
            };
            if !r.is_object() {
                return Err(bad(file, rp, "expected a resource object"));
            }
            if !r.get("values").is_none_or(|v| v.is_object() || v.is_null()) {
                return Err(bad(file, format!("{rp}.values"), "expected an object"));
            }
            let (address, rtype) = (field("address")?, field("type")?);
            let mode = r
                .get("mode")
                .and_then(Value::as_str)
                .unwrap_or("managed")
                .to_string();
            let index = r.get("index").cloned();
            // Moved, not copied: a state's values are most of its memory.
            let values = r.get_mut("values").map_or(Value::Null, Value::take);
            out.push(Res {
                address,
                module: module.clone(),
                rtype,
                mode,
                index,
                values,
                unknown: Value::Null,
                path: rp,
            });
        }
    }
    if let Some(cs) = m.get_mut("child_modules") {
        let Value::Array(cs) = cs else {
            return Err(bad(
                file,
                format!("{path}.child_modules"),
                "expected an array",
            ));
        };
        for (i, c) in cs.iter_mut().enumerate() {
            read_module(
                file,
                c,
                &format!("{path}.child_modules[{i}]"),
                out,
                depth + 1,
            )?;
        }
    }
    Ok(())
}

/// Read a parsed `terraform show -json` output (the resources' values are moved out of it).
pub(crate) fn read(file: &str, v: &mut Value) -> Result<Input, ImportError> {
    let Value::Object(top) = v else {
        return Err(bad(file, "", "the top level is not an object"));
    };
    if let Some(fv) = top.get("format_version") {
        let major = fv.as_str().and_then(|s| s.split('.').next()).unwrap_or("");
        if major != "0" && major != "1" {
            return Err(ImportError::new(
                file,
                "format_version",
                format!("format version {fv} is not one this importer reads (0.x, 1.x)"),
                "export with a Terraform version whose JSON format is 1.x",
            ));
        }
    }
    let mut resources = Vec::new();
    let is_plan = top.contains_key("planned_values") || top.contains_key("resource_changes");
    let (root, root_path) = if is_plan {
        (
            top.get_mut("planned_values")
                .and_then(|p| p.get_mut("root_module")),
            "planned_values.root_module",
        )
    } else {
        (
            top.get_mut("values").and_then(|p| p.get_mut("root_module")),
            "values.root_module",
        )
    };
    let has_root = root.is_some();
    if let Some(root) = root {
        read_module(file, root, root_path, &mut resources, 0)?;
    }
    // A plan: what is unknown until apply, and what it deletes.
    let mut deleted = Vec::new();
    if let Some(rc) = top.get("resource_changes") {
        let Value::Array(rc) = rc else {
            return Err(bad(file, "resource_changes", "expected an array"));
        };
        let mut at: HashMap<&str, usize> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            at.insert(r.address.as_str(), i);
        }
        let mut unknowns: Vec<(usize, Value)> = Vec::new();
        for (i, c) in rc.iter().enumerate() {
            let cp = format!("resource_changes[{i}]");
            let Some(addr) = c.get("address").and_then(Value::as_str) else {
                return Err(bad(file, format!("{cp}.address"), "`address` is missing"));
            };
            let change = c.get("change").unwrap_or(&Value::Null);
            let actions: Vec<&str> = change
                .get("actions")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(&k) = at.get(addr)
                && let Some(u) = change.get("after_unknown").filter(|u| u.is_object())
            {
                unknowns.push((k, u.clone()));
            }
            // What a plan deletes, replaces or updates: the old values, so a group's inline
            // mirror of a standalone rule is not read as still there.
            if (actions.contains(&"delete") || actions.contains(&"update"))
                && let Some(before) = change.get("before").filter(|b| b.is_object())
            {
                deleted.push(Res {
                    address: addr.to_string(),
                    module: c
                        .get("module_address")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    rtype: c
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    mode: "managed".into(),
                    index: c.get("index").cloned(),
                    values: before.clone(),
                    unknown: Value::Null,
                    path: format!("{cp}.change.before"),
                });
            }
        }
        for (k, u) in unknowns {
            resources[k].unknown = u;
        }
    }
    if !has_root && !is_plan && top.get("values").is_some() {
        return Err(bad(
            file,
            "values",
            "a state's `values` has no `root_module`",
        ));
    }
    let config = match top.get("configuration") {
        Some(c) => Config::read(c),
        None => Config::default(),
    };
    Ok(Input {
        file: file.to_string(),
        resources,
        deleted,
        config,
        is_plan,
    })
}

/// The largest `terraform show -json` file read (512 MB). Other exports are read at most
/// 64 MB a file (the loader's cap), since they split by call or page; a state or a plan is one
/// file per workspace, which splits only with the configuration: the state of the
/// generator's L landing zone (40,000 VMs, `gen --size L --as terraform`) is 110 MB.
pub const MAX_FILE_BYTES: usize = 512 << 20;

/// Import the `terraform show -json` output at `path`.
pub fn import(path: &Path, opts: ImportOptions) -> Result<Imported, ImportError> {
    let name = path.display().to_string();
    let mut v: Value = super::json::read_file_max(
        path,
        MAX_FILE_BYTES,
        "split the configuration, or export one workspace per file",
        "give the unchanged output of `terraform show -json FILE > out.json`",
    )?;
    let input = read(&name, &mut v)?;
    drop(v);
    import_input(&name, input, opts)
}

/// Import an already parsed `terraform show -json` output; `file` names it in findings.
pub fn import_value(file: &str, v: &Value, opts: ImportOptions) -> Result<Imported, ImportError> {
    import_input(file, read(file, &mut v.clone())?, opts)
}

/// Import what [`read`] read.
fn import_input(file: &str, input: Input, opts: ImportOptions) -> Result<Imported, ImportError> {
    let mut report = ImportReport {
        files: 1,
        ..ImportReport::default()
    };
    let short = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    let document = Document {
        version: 1,
        name: Some(format!("Terraform import of {short}")),
        description: Some(format!(
            "Imported by zonescope from the Terraform {} {file} ({} resources)",
            if input.is_plan { "plan" } else { "state" },
            input.resources.len()
        )),
        ..Document::default()
    };
    if azurerm::wanted(&input) {
        return azurerm::import(input, opts, document, report);
    }
    let mut tr = aws::Translate::new(&input, &mut report);
    tr.run();
    let translated = tr.finish();
    let mut imported =
        super::aws::build(&translated.snap, opts, document, report).map_err(|mut e| {
            // A value of the wrong type reached the describe-* mapping: name the resource.
            if let Some((real, addr)) = translated.places.find(&e.json_path) {
                e.message = format!("{addr}: {}", e.message);
                e.json_path.clone_from(real);
            }
            e.help = "give the unchanged output of `terraform show -json`".into();
            e
        })?;
    translated.places.relocate(&mut imported.report);
    Ok(imported)
}

/// Where each translated path (of the describe-* or ARM shapes an importer is fed) came from:
/// the JSON path in the Terraform file and the resource address. Shared by the `aws` and
/// `azurerm` translations.
pub(crate) struct Places {
    file: String,
    map: std::collections::HashMap<String, (String, String)>,
}

impl Places {
    /// From `(translated path, real path, address)` as recorded; the last one recorded for a
    /// path wins.
    pub fn new(file: &str, recorded: Vec<(String, String, String)>) -> Self {
        Places {
            file: file.to_string(),
            map: recorded
                .into_iter()
                .map(|(p, real, addr)| (p, (real, addr)))
                .collect(),
        }
    }

    /// The place of the longest translated path that `path` starts with (cut at a `.` or `[`).
    pub fn find(&self, path: &str) -> Option<(&String, &String)> {
        let mut end = path.len();
        loop {
            if let Some((real, addr)) = self.map.get(&path[..end]) {
                return Some((real, addr));
            }
            end = path[..end].rfind(['.', '['])?;
        }
    }

    /// Move findings and origins from the translated shapes onto the Terraform resources.
    pub fn relocate(&self, report: &mut ImportReport) {
        for f in &mut report.findings {
            if f.file != self.file && !f.file.is_empty() {
                continue;
            }
            if let Some((real, addr)) = self.find(&f.json_path) {
                f.json_path.clone_from(real);
                if !f.message.contains(addr.as_str()) {
                    f.message = format!("{addr}: {}", f.message);
                }
            }
        }
        for o in report.origins.values_mut() {
            if let Some((real, addr)) = self.find(&o.json_path) {
                o.json_path.clone_from(real);
                o.resource = Some(addr.clone());
            }
        }
    }
}
