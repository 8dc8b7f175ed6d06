//! The Azure and Terraform importers never panic on a file, whatever its bytes, and what they
//! import always loads or is refused with an error (never a panic in the loader either).
//!
//! The first byte picks the importer (even: Azure ARM JSON; odd: `terraform show -json`); the
//! rest is the file's content, written to a per-process file under the temporary directory
//! (`/dev/shm` when there is one), since the importers read files.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zonescope::import::{ImportOptions, InputKind, import};

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("zonescope-fuzz-import-cloud-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir.join("export.json")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let kind = if pick % 2 == 0 {
        InputKind::Azure
    } else {
        InputKind::Terraform
    };
    let path = file();
    if std::fs::write(path, body).is_err() {
        return;
    }
    if let Ok(imported) = import(path, kind, ImportOptions::default()) {
        // The document loads, or the loader says why; either way no panic.
        let _ = imported.load("fuzz");
        let _ = imported.to_yaml();
    }
});
