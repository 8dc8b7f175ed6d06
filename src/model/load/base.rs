//! A design that builds on an import (SPEC §12): `base: {aws: DIR}` / `{azure: [FILE...]}` /
//! `{terraform: FILE}`, paths relative to the design file, with the file's own zones, policies,
//! endpoints, rule sets and `expect:` added on top — so expectations are kept as code while the
//! configuration is re-exported.
//!
//! Owns: reading `base:` ([`BaseRequest`]), asking the caller for the imported design as YAML
//! (the model never names the importer: the caller passes a [`BaseResolver`]), and merging the
//! two raw files so that every span still points at text the error report can show. The merged
//! text is the design file followed by the imported YAML (under a comment line that says so);
//! the import is parsed at its place in that text, so a defect in either part is shown with its
//! own lines. Must never: read a cloud export itself, or merge after validation (the merged
//! design is validated as one file, as if the two had been written together).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::parse::{append, parse};
use crate::model::Topology;
use crate::model::error::{ErrorCode as C, InputError, LoadError};
use crate::model::raw::{Pos, RawBase, RawFile, Sp};

/// Which export a `base:` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseKind {
    Aws,
    Azure,
    Terraform,
}

impl BaseKind {
    /// The key of `base:` that names it.
    pub fn key(self) -> &'static str {
        match self {
            BaseKind::Aws => "aws",
            BaseKind::Azure => "azure",
            BaseKind::Terraform => "terraform",
        }
    }
}

/// What a design's `base:` asks for: the export's kind and paths (resolved against the design
/// file's folder), and the zones to give its subnets and endpoints.
#[derive(Debug, Clone)]
pub struct BaseRequest {
    pub kind: BaseKind,
    pub paths: Vec<PathBuf>,
    /// `{ZONE: [subnet id or name, CIDR, tag=value]}`, as `--zones MAP` reads it.
    pub zones: BTreeMap<String, Vec<String>>,
    /// The design file that asks (for messages).
    pub design_file: String,
}

/// Turns a [`BaseRequest`] into the imported design as topology YAML, or the import's error.
pub type BaseResolver<'r> = dyn FnMut(&BaseRequest) -> Result<String, LoadError> + 'r;

/// The resolver of a loader that has no importer: every `base:` is an error.
pub fn no_importer(req: &BaseRequest) -> Result<String, LoadError> {
    Err(LoadError::single(
        &req.design_file,
        Arc::from(""),
        InputError::new(
            C::BadBase,
            Pos::default(),
            format!(
                "`base: {{{}: …}}` needs the importer, and this loader has none",
                req.kind.key()
            ),
            "load the file with `zonescope` (import::load_any), which imports the base",
        ),
    ))
}

/// The request of `base:`, or the defect that makes it unreadable.
fn request(base: &Sp<RawBase>, dir: &Path, file: &str) -> Result<BaseRequest, InputError> {
    let b = &base.value;
    // Each export named, with its paths and where they are written.
    let mut named: Vec<(BaseKind, Vec<String>, Pos)> = Vec::new();
    if let Some(p) = &b.aws {
        named.push((BaseKind::Aws, vec![p.value.clone()], p.at));
    }
    if let Some(p) = &b.azure {
        named.push((BaseKind::Azure, p.value.to_vec(), p.at));
    }
    if let Some(p) = &b.terraform {
        named.push((BaseKind::Terraform, vec![p.value.clone()], p.at));
    }
    let help = "name one export: `base: {aws: ./snapshot}`, `base: {azure: [hub.json, spokes.json]}` or `base: {terraform: plan.json}`";
    let (kind, paths, at) = match named.len() {
        0 => {
            return Err(InputError::new(
                C::BadBase,
                base.at,
                "`base:` names no export to build on",
                help,
            ));
        }
        1 => named.remove(0),
        _ => {
            let keys: Vec<&str> = named.iter().map(|(k, _, _)| k.key()).collect();
            return Err(InputError::new(
                C::BadBase,
                base.at,
                format!(
                    "`base:` names {} exports ({}); a design builds on one",
                    keys.len(),
                    keys.join(", ")
                ),
                help,
            ));
        }
    };
    if paths.is_empty() || paths.iter().any(|p| p.trim().is_empty()) {
        return Err(InputError::new(
            C::BadBase,
            base.at,
            format!("`base: {{{}: …}}` has an empty path", kind.key()),
            help,
        ));
    }
    let paths: Vec<PathBuf> = paths.iter().map(|p| dir.join(p.trim())).collect();
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        let shown = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        return Err(InputError::new(
            C::BadBase,
            at,
            format!("the base `{}` does not exist", missing.display()),
            format!(
                "paths in `base:` are relative to the design file's folder ({}): write the path of the {} export from there",
                shown.display(),
                kind.key()
            ),
        ));
    }
    Ok(BaseRequest {
        kind,
        paths,
        zones: b.zones.clone(),
        design_file: file.to_string(),
    })
}

/// Load `overlay` (parsed from `text`, its `base:` taken out) on top of the export `base` names.
pub(super) fn load_on_base(
    text: &str,
    file: &str,
    dir: &Path,
    mut overlay: RawFile,
    base: &Sp<RawBase>,
    resolve: &mut BaseResolver<'_>,
) -> Result<Topology, LoadError> {
    let fail = |e: InputError| LoadError::single(file, Arc::from(text), e);
    let req = request(base, dir, file).map_err(fail)?;
    let yaml = resolve(&req)?;
    let what = req
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut head = String::with_capacity(text.len() + 200);
    head.push_str(text);
    if !head.ends_with('\n') {
        head.push('\n');
    }
    head.push_str(&format!(
        "# ---- base: {} {what}, as imported (this part is not in {file}) ----\n",
        req.kind.key()
    ));
    // The import, parsed at its place after the design: the design's bytes blanked (lines kept),
    // so that every span of the import is an offset into the merged text.
    let blank: String = head
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect();
    let merged_text = format!("{head}{yaml}");
    let shared: Arc<str> = Arc::from(merged_text.as_str());
    let mut raw =
        parse(&format!("{blank}{yaml}")).map_err(|e| LoadError::single(file, shared.clone(), e))?;
    if raw.base.is_some() {
        return Err(fail(InputError::new(
            C::BadBase,
            base.at,
            "the imported base has a `base:` of its own",
            "build on a cloud export, not on another design",
        )));
    }
    // A zone the design declares again (to give it a role or a description) is the design's.
    raw.zones
        .retain(|z| !overlay.zones.iter().any(|o| o.id.value == z.id.value));
    // The design's version, name and description.
    raw.version = overlay.version.clone();
    raw.name = overlay.name.take().or(raw.name.take());
    raw.description = overlay.description.take().or(raw.description.take());
    append(&mut raw, overlay);
    super::validate_raw(&raw, file, shared)
}
