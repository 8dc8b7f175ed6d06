//! Writing an `-o` output where the user said, and only there.
//!
//! Owns: the one way a command writes a file. A regular (or not yet existing) target is written
//! through a temporary file created exclusively, with a random name, beside the *real* target
//! (symlinks are resolved first), then renamed over it, so a reader never sees half a file and
//! nobody can plant a link at the temporary name. The existing file's permission bits (and, where
//! allowed, owner) are kept. A target that is not a regular file — `/dev/null`, `/dev/full`, a
//! FIFO, a terminal — is written directly, never replaced. A directory is refused.
//!
//! Must never: follow a link at the temporary name, follow a link another user planted in a
//! sticky world-writable directory (the kernel's `protected_symlinks` rule), replace a device,
//! FIFO or symlink with a
//! regular file, leave its temporary file behind on an error, or delete a file it did not create.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The marker in every temporary file name, so a stale one can be recognised.
const TMP_MARK: &str = ".zonescope";

/// Write `bytes` to `path`. See the module doc for what happens with each kind of target.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_links(path)?;
    match fs::metadata(&target) {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory; give a file name", target.display()),
        )),
        Ok(m) if !m.is_file() => {
            // A device, FIFO or socket: write into it, never replace it.
            let mut f = OpenOptions::new().write(true).open(&target)?;
            f.write_all(bytes)?;
            f.flush()
        }
        Ok(m) => replace(&target, bytes, Some(&m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, bytes, None),
        Err(e) => Err(e),
    }
}

/// Follow `path` through symlinks (also a dangling one, whose target is then created) to the
/// file that is really written — but, as the kernel's `protected_symlinks` does for an open,
/// never a link in a sticky world-writable directory (`/tmp`) that another user planted: one
/// whose owner is neither this process's user nor the directory's owner.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                refuse_planted_link(&p, &m)?;
                let link = fs::read_link(&p)?;
                p = if link.is_absolute() {
                    link
                } else {
                    p.parent().unwrap_or(Path::new("")).join(link)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

/// The kernel's rule for following links (`fs.protected_symlinks`, Documentation/admin-guide/
/// sysctl/fs.rst): in a sticky world-writable directory a link is followed only when its owner
/// is the follower or the directory's owner.
#[cfg(unix)]
fn refuse_planted_link(link: &Path, m: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = link
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(d) = fs::metadata(dir) else {
        return Ok(());
    };
    let sticky_world_writable = d.mode() & 0o1002 == 0o1002;
    let me = rustix::process::geteuid().as_raw();
    if sticky_world_writable && m.uid() != me && m.uid() != d.uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is a symbolic link another user made in the shared directory {}: not followed (write to a path of your own)",
                link.display(),
                dir.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_planted_link(_: &Path, _: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

fn dir_and_name(target: &Path) -> (PathBuf, OsString) {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = target
        .file_name()
        .map_or_else(|| OsString::from("out"), ToOwned::to_owned);
    (dir, name)
}

fn replace(target: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    let (dir, name) = dir_and_name(target);
    note_stale_temps(&dir, &name);
    // A write past the file-size limit raises SIGXFSZ, whose default action kills the process
    // and would leave the temporary file behind; with a handler the write fails with EFBIG
    // instead and the temporary file is removed below.
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    let mut prefix = OsString::from(".");
    prefix.push(&name);
    prefix.push(TMP_MARK);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new file gets the usual 0666 less the umask, like any other tool's output.
        if existing.is_none() {
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
    }
    // Exclusive creation (O_EXCL) with a random name: a link planted there makes it fail, and
    // it is never followed. The file is removed when `tmp` is dropped without being persisted.
    let mut tmp = builder.tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    if let Some(m) = existing {
        tmp.as_file().set_permissions(m.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner when allowed (root rewriting a user's file); not an error otherwise.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
        }
    }
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// Temporary files of earlier, interrupted writes of `name` in `dir` (this scheme's and the
/// older `.NAME.zonescope-PID.tmp`), which are noted on standard error, never deleted: another
/// process may still be writing one.
pub fn stale_temps(dir: &Path, name: &std::ffi::OsStr) -> Vec<PathBuf> {
    let mut prefix = String::from(".");
    prefix.push_str(&name.to_string_lossy());
    prefix.push_str(TMP_MARK);
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(&prefix) && n.ends_with(".tmp")
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

fn note_stale_temps(dir: &Path, name: &std::ffi::OsStr) {
    for p in stale_temps(dir, name) {
        eprintln!(
            "note: {} looks like the temporary file of an interrupted write; remove it if no other zonescope is writing",
            crate::text_safe::escape(&p.display().to_string())
        );
    }
}
