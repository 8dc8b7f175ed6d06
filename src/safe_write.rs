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

/// The signals that end a command from outside (Ctrl-C, `kill`, a closed terminal). While a
/// temporary file exists they are held: the write stops, the temporary file is removed, and
/// the process then ends as the signal would have ended it (same exit status, 128 + signal).
/// Outside that window their default action runs at once, as if nothing were registered.
#[cfg(unix)]
struct HeldSignals {
    got: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    idle: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

#[cfg(unix)]
impl HeldSignals {
    const SIGNALS: [i32; 3] = [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ];

    fn hold() -> Self {
        use std::sync::atomic::{AtomicBool, AtomicUsize};
        static STATE: std::sync::OnceLock<(
            std::sync::Arc<AtomicUsize>,
            std::sync::Arc<AtomicBool>,
        )> = std::sync::OnceLock::new();
        let (got, idle) = STATE.get_or_init(|| {
            let got = std::sync::Arc::new(AtomicUsize::new(0));
            let idle = std::sync::Arc::new(AtomicBool::new(true));
            for s in Self::SIGNALS {
                // Recorded always; the default action (termination) runs when no write is
                // under way. Registered once per process.
                let _ = signal_hook::flag::register_usize(
                    s,
                    got.clone(),
                    usize::try_from(s).unwrap_or(0),
                );
                let _ = signal_hook::flag::register_conditional_default(s, idle.clone());
            }
            (got, idle)
        });
        got.store(0, std::sync::atomic::Ordering::SeqCst);
        idle.store(false, std::sync::atomic::Ordering::SeqCst);
        HeldSignals {
            got: got.clone(),
            idle: idle.clone(),
        }
    }

    /// The signal that arrived while held, if any.
    fn arrived(&self) -> Option<i32> {
        match self.got.load(std::sync::atomic::Ordering::SeqCst) {
            0 => None,
            s => i32::try_from(s).ok(),
        }
    }

    /// Let signals act again; one that arrived while held ends the process now, as it would
    /// have (the caller has removed its temporary file first).
    fn release(self) {
        self.idle.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(s) = self.arrived() {
            let _ = signal_hook::low_level::emulate_default_handler(s);
        }
    }
}

#[cfg(unix)]
fn signal_name(s: i32) -> &'static str {
    match s {
        signal_hook::consts::SIGINT => "interrupted (SIGINT)",
        signal_hook::consts::SIGTERM => "terminated (SIGTERM)",
        signal_hook::consts::SIGHUP => "hung up (SIGHUP)",
        _ => "stopped by a signal",
    }
}

fn replace(target: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    let (dir, name) = dir_and_name(target);
    note_stale_temps(&dir, &name);
    #[cfg(unix)]
    let held = HeldSignals::hold();
    let result = replace_held(target, &dir, &name, bytes, existing, || {
        #[cfg(unix)]
        {
            held.arrived().is_some()
        }
        #[cfg(not(unix))]
        {
            false
        }
    });
    // The temporary file is gone here (persisted or removed): a held signal may end us now.
    #[cfg(unix)]
    {
        if let Some(s) = held.arrived() {
            let what = if result.is_ok() {
                "the output was already complete and is written"
            } else {
                "nothing was written (the temporary file is removed)"
            };
            eprintln!(
                "zonescope: {} while writing {}: {what}",
                signal_name(s),
                crate::text_safe::escape(&target.display().to_string()),
            );
        }
        held.release();
    }
    result
}

/// An error of the temporary file without the temporary file's name (which `tempfile` adds and
/// the user never asked for): the target is named by the caller.
#[allow(clippy::needless_pass_by_value, reason = "used as `map_err(plain)`")]
fn plain(e: io::Error) -> io::Error {
    match e.raw_os_error() {
        // EFBIG: the file-size limit (`ulimit -f`) stopped the write.
        Some(27) => io::Error::new(
            e.kind(),
            "the file is larger than this shell's file-size limit (`ulimit -f`): raise the limit or write less",
        ),
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

/// Debug builds only: `ZONESCOPE_TEST_WRITE_PAUSE_MS` holds the write open after each piece, so
/// the tests can interrupt a write while its temporary file exists. Release builds ignore it.
fn test_pause() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("ZONESCOPE_TEST_WRITE_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

fn interrupted() -> io::Error {
    io::Error::new(
        io::ErrorKind::Interrupted,
        "interrupted by a signal: nothing was written",
    )
}

fn replace_held(
    target: &Path,
    dir: &Path,
    name: &std::ffi::OsStr,
    bytes: &[u8],
    existing: Option<&fs::Metadata>,
    stop: impl Fn() -> bool,
) -> io::Result<()> {
    // A write past the file-size limit raises SIGXFSZ, whose default action kills the process
    // and would leave the temporary file behind; with a handler the write fails with EFBIG
    // instead and the temporary file is removed below.
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    let mut prefix = OsString::from(".");
    prefix.push(name);
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
    let mut tmp = builder.tempfile_in(dir).map_err(plain)?;
    // In pieces, so that a signal stops a long write between two of them; the file is removed
    // when `tmp` drops.
    for chunk in bytes.chunks(1 << 20) {
        if stop() {
            return Err(interrupted());
        }
        tmp.as_file_mut().write_all(chunk).map_err(plain)?;
        test_pause();
    }
    if let Some(m) = existing {
        tmp.as_file()
            .set_permissions(m.permissions())
            .map_err(plain)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner when allowed (root rewriting a user's file); not an error otherwise.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(m.uid()), Some(m.gid()));
        }
    }
    tmp.as_file().sync_all().map_err(plain)?;
    if stop() {
        return Err(interrupted());
    }
    tmp.persist(target).map_err(|e| plain(e.error))?;
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
