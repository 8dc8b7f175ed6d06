//! Flow logs given as a folder: S3 delivery's layout
//! (`AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/*.log.gz`, with or without the hourly
//! `HH/` level or Hive-style `year=YYYY/` names), or any folder of logs.
//!
//! [`expand`] turns each path that is a folder into the files under it, recursively, sorted
//! by path (so S3's date folders come in time order); a file or `-` is kept as given.
//!
//! Owns: which files of a folder are logs. Must never: open or read a log, follow a symbolic
//! link to a folder (a loop would never end), or fail on a folder it can list (hidden files,
//! `.DS_Store` and S3's `$folder$` markers are skipped, not errors).

use std::io;
use std::path::{Path, PathBuf};

/// Whether a file under a folder is taken as a log.
fn is_log(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| !n.starts_with('.') && !n.ends_with("$folder$"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let p = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&p, out)?;
        } else if kind.is_file() && is_log(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Every log path: folders replaced by their files (recursive, sorted by path). An error names
/// the folder that could not be listed.
pub fn expand(paths: &[String]) -> Result<Vec<String>, (String, io::Error)> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if p != "-" && path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files).map_err(|e| (p.clone(), e))?;
            files.sort();
            if files.is_empty() {
                return Err((
                    p.clone(),
                    io::Error::new(io::ErrorKind::NotFound, "the folder holds no log files"),
                ));
            }
            out.extend(files.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}
