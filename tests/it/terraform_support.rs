//! Helpers shared by the Terraform importer's tests (`import_terraform*.rs`): the files they
//! read, an import that must succeed, the findings they look for.

use std::path::{Path, PathBuf};

use zonescope::import::{self, FindingKind, ImportOptions, Imported, terraform};
use zonescope::model::Topology;

/// A file of `../shared/reference/terraform/`.
pub fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/terraform")
        .join(name)
}

/// A fixture under `tests/fixtures/` (`dir` such as `terraform/azurerm`).
pub fn fixture_in(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

/// The Terraform import of `p` (it must import).
pub fn imported(p: &Path) -> Imported {
    terraform::import(p, ImportOptions::default())
        .unwrap_or_else(|e| panic!("{} imports: {e}", p.display()))
}

/// The topology every command reads from `p`.
pub fn topo(p: &Path) -> Topology {
    import::load_any(p)
        .unwrap_or_else(|e| panic!("{} loads: {e:?}", p.display()))
        .0
}

/// The first finding of `kind` whose message holds every one of `words`.
pub fn finding<'a>(
    i: &'a Imported,
    kind: FindingKind,
    words: &[&str],
) -> Option<&'a import::Finding> {
    i.report
        .findings
        .iter()
        .find(|f| f.kind == kind && words.iter().all(|w| f.message.contains(w)))
}

/// A command's standard output and error as text.
pub fn text(o: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}
