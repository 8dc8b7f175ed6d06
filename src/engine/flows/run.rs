//! Running `zonescope flows`: open the logs (files, `-` for standard input), stream each
//! through the reader into an [`Analyzer`], and print the report as text or JSON.
//!
//! A large plain AWS log, or GCP's JSON lines, in a regular file is split at line boundaries
//! into parts, large first and small at the end, read on scoped threads: each worker takes the
//! next part when it is done with one, with its own caches, which it keeps from part to part.
//! The parts' analyses are merged in file order, so the report is the one a single pass gives
//! (only the cache counters differ, and the top talkers where their tally was trimmed). The
//! split is checked against the reader's own counts (header lines seen by each part), and a
//! log whose format changes part-way falls back to one pass. The command starts the parts
//! before its design is loaded ([`super::early`]), with the same split and merge.
//!
//! Owns: the `flows` subcommand's I/O. Must never: read a log into memory, write anywhere but
//! the given writer, or turn malformed log content into an error (only a path that cannot be
//! opened or read is one, exit 2).

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::progress::Progress;
use super::read::{Detected, LogFormat, Stats, detect, read_log, read_parquet_file};
use super::report::{Analyzer, FlowReport, Part};
use super::window::Window;
use crate::model::Topology;

/// Smallest file that is split across workers.
pub const PARALLEL_MIN_BYTES: u64 = 8 << 20;
/// Smallest part of a split log (but the last), and the bytes each worker needs at least.
const MIN_PART: u64 = 1 << 20;
/// Bytes read at the start of a log to find its header lines, and at a split point to find
/// the next line start.
const PROBE: usize = 64 << 10;
/// Most workers used.
const MAX_JOBS: usize = 16;

/// Fields an AWS header must name for records to be read.
const REQUIRED: [&str; 6] = [
    "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action",
];

/// One log to read: a path, or `-` for standard input.
pub(super) enum Source {
    Stdin,
    File(File),
}

/// How to read the logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub format: LogFormat,
    /// Workers for a large plain AWS log or GCP export; 0 = one per core, 1 = one pass.
    pub jobs: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: LogFormat::Auto,
            jobs: 1,
        }
    }
}

/// Why logs could not be analysed (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct LogError {
    pub path: String,
    #[source]
    pub source: io::Error,
}

/// A warning for each log given more than once (the same file under any name, or `-` twice):
/// its records would be counted twice.
pub fn repeated_logs(logs: &[std::path::PathBuf]) -> Vec<String> {
    let mut seen: Vec<(Option<(u64, u64)>, &std::path::Path)> = Vec::new();
    let mut out = Vec::new();
    for p in logs {
        let key = if p.as_os_str() == "-" {
            Some((u64::MAX, u64::MAX))
        } else {
            file_key(p)
        };
        if let Some(k) = key
            && let Some((_, first)) = seen.iter().find(|(x, _)| *x == Some(k))
        {
            out.push(format!(
                "the flow log {} is the same as {}, given before: its records are counted twice",
                p.display(),
                first.display()
            ));
        }
        seen.push((key, p));
    }
    out
}

#[cfg(unix)]
fn file_key(p: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_key(p: &std::path::Path) -> Option<(u64, u64)> {
    let _ = p;
    None
}

/// Reads every log in order (each path opened first, so a bad path fails before any work)
/// and reports on them together.
/// A path that is a folder stands for the logs under it ([`super::layout::expand`]: S3's
/// `AWSLogs/…/YYYY/MM/DD/` layout, in path order).
pub fn analyze_logs(t: &Topology, logs: &[String], opts: Options) -> Result<FlowReport, LogError> {
    analyze_logs_in(t, logs, opts, Window::default())
}

/// [`analyze_logs`], keeping only the records that start in `window` (`--since/--until`).
pub fn analyze_logs_in(
    t: &Topology,
    logs: &[String],
    opts: Options,
    window: Window,
) -> Result<FlowReport, LogError> {
    analyze_logs_with(t, logs, opts, window, None)
}

/// [`analyze_logs_in`], with a front end's display of progress ([`Progress`]).
pub fn analyze_logs_with(
    t: &Topology,
    logs: &[String],
    opts: Options,
    window: Window,
    progress: Option<super::progress::Drawer>,
) -> Result<FlowReport, LogError> {
    let Opened {
        logs,
        sources,
        jobs,
        total,
    } = open_logs(logs, opts)?;
    let bar = Progress::start(total, progress);
    let mut an = Analyzer::new(t);
    an.set_window(window);
    for (path, source) in logs.iter().zip(sources) {
        analyze_source(&mut an, t, path, source, opts, jobs, &bar)?;
    }
    bar.finish();
    Ok(an.finish())
}

/// The logs to read, expanded and opened, and the workers to read a large one with.
pub(super) struct Opened {
    pub(super) logs: Vec<String>,
    pub(super) sources: Vec<Source>,
    pub(super) jobs: usize,
    pub(super) total: u64,
}

pub(super) fn open_logs(logs: &[String], opts: Options) -> Result<Opened, LogError> {
    let logs = super::layout::expand(logs).map_err(|(path, source)| LogError { path, source })?;
    let mut sources = Vec::with_capacity(logs.len());
    for path in &logs {
        if path == "-" {
            sources.push(Source::Stdin);
        } else {
            let f = File::open(path).map_err(|source| LogError {
                path: path.clone(),
                source,
            })?;
            sources.push(Source::File(f));
        }
    }
    let jobs = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .min(MAX_JOBS);
    let total = sources
        .iter()
        .map(|s| match s {
            Source::File(f) => f.metadata().map_or(0, |m| m.len()),
            Source::Stdin => 0,
        })
        .sum();
    Ok(Opened {
        logs,
        sources,
        jobs,
        total,
    })
}

pub(super) fn analyze_source(
    an: &mut Analyzer<'_>,
    t: &Topology,
    path: &str,
    source: Source,
    opts: Options,
    jobs: usize,
    bar: &Progress,
) -> Result<(), LogError> {
    let err = |source| LogError {
        path: path.to_string(),
        source,
    };
    match source {
        Source::Stdin => {
            an.set_file("-");
            let stats = read_log(bar.wrap(io::stdin().lock()), opts.format, |ev| {
                an.event(ev);
            })
            .map_err(err)?;
            an.file_done(&stats);
        }
        Source::File(f) => analyze_file(an, t, path, f, opts.format, jobs, bar).map_err(err)?,
    }
    Ok(())
}

/// Analyses a reader holding one log (tests, benchmarks).
pub fn analyze_reader<R: Read>(
    an: &mut Analyzer<'_>,
    name: &str,
    input: R,
    format: LogFormat,
) -> io::Result<Stats> {
    an.set_file(name);
    let stats = read_log(input, format, |ev| an.event(ev))?;
    an.file_done(&stats);
    Ok(stats)
}

fn analyze_file(
    an: &mut Analyzer<'_>,
    t: &Topology,
    path: &str,
    mut f: File,
    format: LogFormat,
    jobs: usize,
    bar: &Progress,
) -> io::Result<()> {
    // Parquet is read in place from its footer (not through the text split or a stream).
    if matches!(format, LogFormat::Auto | LogFormat::Parquet)
        && detect(&read_at(&mut f, 0, 4)?) == Detected::Parquet
    {
        f.seek(SeekFrom::Start(0))?;
        let len = f.metadata().map_or(0, |m| m.len());
        an.set_file(path);
        let stats = read_parquet_file(f, |ev| an.event(ev))?;
        an.file_done(&stats);
        bar.add_bytes(len);
        return Ok(());
    }
    if let Some(plan) = split(&mut f, jobs, format)?
        && parallel(an, t, path, &plan, bar)?
    {
        return Ok(());
    }
    f.seek(SeekFrom::Start(0))?;
    analyze_reader(an, path, bar.wrap(f), format)?;
    Ok(())
}

/// How a log is split: part `k` is `bounds[k]..bounds[k + 1]`; parts after the first read
/// `prefix` (the last header line of the log's start) before their bytes. There are more
/// parts than workers, largest first ([`guided_cuts`]): each worker takes the next part when
/// it is done with one, so the workers end together however fast each goes.
#[derive(Debug)]
pub(super) struct Plan {
    /// AWS text, or GCP's JSON lines (one entry per line, no header).
    pub(super) format: LogFormat,
    pub(super) bounds: Vec<u64>,
    /// Threads that read the parts (at most one per part).
    pub(super) workers: usize,
    pub(super) prefix: Option<Vec<u8>>,
    /// Header lines at the start of the log (all in the first part).
    pub(super) headers: u64,
}

/// A split of a large plain AWS log, or of GCP JSON lines, into `jobs` parts, when that is
/// safe.
fn plan(f: &mut File, jobs: usize, format: LogFormat) -> io::Result<Option<Plan>> {
    let meta = f.metadata()?;
    let len = meta.len();
    if !meta.is_file() || len < PARALLEL_MIN_BYTES {
        return Ok(None);
    }
    let head = read_at(f, 0, PROBE)?;
    // The format as the one-pass reader would find it (`read::read_log`): GCP's entries are
    // JSON objects with a `jsonPayload`, one per line.
    let format = match (detect(&head), format) {
        (Detected::Aws, LogFormat::Auto | LogFormat::Aws) => LogFormat::Aws,
        (Detected::Azure, LogFormat::Auto) if super::gcp::looks_like_gcp(&head) => LogFormat::Gcp,
        (Detected::Aws | Detected::Azure, LogFormat::Gcp) => LogFormat::Gcp,
        _ => return Ok(None),
    };
    let Some(last_nl) = head.iter().rposition(|b| *b == b'\n') else {
        return Ok(None);
    };
    let (mut headers, mut prefix) = (0u64, None);
    for line in head[..last_nl]
        .split(|b| *b == b'\n')
        .take_while(|_| format == LogFormat::Aws)
    {
        match header_kind(line) {
            HeaderKind::Data => {}
            HeaderKind::Header => {
                headers += 1;
                let mut p = line.to_vec();
                p.push(b'\n');
                prefix = Some(p);
            }
            HeaderKind::Unsure => return Ok(None),
        }
    }
    let workers = jobs.min((len / MIN_PART) as usize).max(1);
    let mut bounds = vec![0u64];
    for pos in guided_cuts(len, workers) {
        let probe = read_at(f, pos, PROBE)?;
        let Some(i) = probe.iter().position(|b| *b == b'\n') else {
            return Ok(None);
        };
        let b = pos + i as u64 + 1;
        // (a cut that does not move on, or inside the header lines, is left out)
        if b >= len || b <= *bounds.last().unwrap_or(&0) || b <= last_nl as u64 {
            continue;
        }
        bounds.push(b);
    }
    bounds.push(len);
    if bounds.len() < 3 {
        return Ok(None);
    }
    let workers = workers.min(bounds.len() - 1);
    Ok(Some(Plan {
        format,
        bounds,
        workers,
        prefix,
        headers,
    }))
}

/// The split of a log read in parts: more than one job, a format the split reads (AWS text,
/// GCP JSON lines; a Parquet or Azure file never splits) and a [`plan`] that is safe.
pub(super) fn split(f: &mut File, jobs: usize, format: LogFormat) -> io::Result<Option<Plan>> {
    if jobs < 2 || !matches!(format, LogFormat::Auto | LogFormat::Aws | LogFormat::Gcp) {
        return Ok(None);
    }
    plan(f, jobs, format)
}

/// Where a log of `len` bytes is cut for `workers` (before aligning to lines): each part
/// is a share of what remains, `1 / (2 × workers)` of it and at least [`MIN_PART`], so the
/// parts are large at first (few of them) and small at the end, where a worker that is
/// done early takes the last ones while the others finish theirs ("guided" scheduling).
pub(super) fn guided_cuts(len: u64, workers: usize) -> Vec<u64> {
    let share = 2 * workers.max(1) as u64;
    let mut cuts = Vec::new();
    let mut at = 0u64;
    while len - at > 2 * MIN_PART {
        at += ((len - at) / share).max(MIN_PART);
        cuts.push(at);
    }
    cuts
}

impl Plan {
    /// Part `k`'s bytes as its reader reads them: the header line first for a part after the
    /// first, counted by `bar`.
    pub(super) fn part<'p>(
        &'p self,
        path: &str,
        k: usize,
        bar: &Progress,
    ) -> io::Result<impl Read + 'p> {
        let (from, to) = (self.bounds[k], self.bounds[k + 1]);
        let prefix = if k > 0 { self.prefix.as_deref() } else { None };
        let mut f = File::open(path)?;
        f.seek(SeekFrom::Start(from))?;
        Ok(Cursor::new(prefix.unwrap_or_default()).chain(bar.wrap(f.take(to - from))))
    }
}

fn read_at(f: &mut File, pos: u64, n: usize) -> io::Result<Vec<u8>> {
    f.seek(SeekFrom::Start(pos))?;
    let mut buf = Vec::with_capacity(n);
    Read::by_ref(f).take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

enum HeaderKind {
    Data,
    Header,
    /// A header the reader would reject or may read differently: do not split.
    Unsure,
}

/// What the AWS reader makes of a line, as far as headers go.
fn header_kind(line: &[u8]) -> HeaderKind {
    let text = String::from_utf8_lossy(line);
    let body = text.trim();
    let (hashed, body) = match body.strip_prefix('#') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let words: Vec<&str> = body.split_ascii_whitespace().collect();
    let names = !words.is_empty()
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        && words.contains(&"srcaddr")
        && words.contains(&"dstaddr");
    if !names {
        return HeaderKind::Data;
    }
    let complete = REQUIRED.iter().all(|r| words.contains(r));
    match (complete, hashed) {
        (true, _) => HeaderKind::Header,
        // A `#` line without every field is a comment to the reader.
        (false, true) => HeaderKind::Data,
        (false, false) => HeaderKind::Unsure,
    }
}

/// Reads the parts of `plan` on scoped threads (each worker takes the next part when it is
/// done with one) and merges them into `an`; `false` (and `an` untouched) when the parts'
/// header counts show the split was not safe.
fn parallel(
    an: &mut Analyzer<'_>,
    t: &Topology,
    path: &str,
    plan: &Plan,
    bar: &Progress,
) -> io::Result<bool> {
    // The classes are the main analyzer's: built once, before the parts start.
    let shared = an.classifier().shared_classes();
    let shared = &shared;
    let window = an.window();
    let next = Parts::new(plan);
    let next = &next;
    let results: Vec<io::Result<Worked>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..plan.workers)
            .map(|_| {
                s.spawn(move || -> io::Result<Worked> {
                    let mut a = Analyzer::with_shared(t, shared);
                    a.set_window(window);
                    a.set_file(path);
                    let mut done = Vec::new();
                    while let Some(k) = next.take() {
                        a.set_deferred(k > 0);
                        let stats =
                            read_log(plan.part(path, k, bar)?, plan.format, |ev| a.event(ev))?;
                        done.push((k, a.take_counts(), stats));
                    }
                    Ok(Worked {
                        done,
                        rest: a.take_part(),
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a flow-log worker failed")))
            })
            .collect()
    });
    let mut worked = Vec::with_capacity(plan.workers);
    for r in results {
        worked.push(r?);
    }
    Ok(merge_parts(an, path, plan, worked))
}

/// A part of a log read: its index in the plan, what its analyzer counted, the reader's counts.
pub(super) type Done = (usize, Part, Stats);

/// What a worker read: its parts, and what it counted over all of them (the talkers,
/// [`Analyzer::take_counts`]).
pub(super) struct Worked {
    pub(super) done: Vec<Done>,
    pub(super) rest: Part,
}

/// The parts of a plan not yet taken by a worker.
pub(super) struct Parts {
    next: AtomicUsize,
    count: usize,
}

impl Parts {
    pub(super) fn new(plan: &Plan) -> Parts {
        Parts {
            next: AtomicUsize::new(0),
            count: plan.bounds.len() - 1,
        }
    }

    /// The next part to read, if any is left.
    pub(super) fn take(&self) -> Option<usize> {
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        (k < self.count).then_some(k)
    }
}

/// Merges the analysed parts of `plan` into `an` in file order; `false` (and `an` untouched)
/// when the parts' header counts show the split was not safe.
pub(super) fn merge_parts(
    an: &mut Analyzer<'_>,
    path: &str,
    plan: &Plan,
    worked: Vec<Worked>,
) -> bool {
    let parts = plan.bounds.len() - 1;
    let (mut done, mut rests) = (Vec::with_capacity(parts), Vec::with_capacity(worked.len()));
    for w in worked {
        done.extend(w.done);
        rests.push(w.rest);
    }
    done.sort_unstable_by_key(|d| d.0);
    if done.len() != parts || done.iter().enumerate().any(|(i, d)| d.0 != i) {
        return false;
    }
    let prefix_lines = u64::from(plan.prefix.is_some());
    for (k, (_, _, stats)) in done.iter().enumerate() {
        let expected = if k == 0 { plan.headers } else { prefix_lines };
        let last = k + 1 == parts;
        if stats.headers < expected || (!last && stats.headers != expected) {
            return false;
        }
    }
    let mut total = Stats {
        format: plan.format,
        ..Stats::default()
    };
    let mut offset = 0u64;
    for (k, (_, part, stats)) in done.into_iter().enumerate() {
        let extra = if k == 0 { 0 } else { prefix_lines };
        an.merge_part(part, offset - extra);
        offset += stats.lines - extra;
        total.records += stats.records;
        total.skipped += stats.skipped;
        total.unreadable += stats.unreadable;
        total.lines += stats.lines - extra;
        total.comments += stats.comments;
        total.headers += stats.headers - extra;
    }
    for rest in rests {
        an.merge_part(rest, 0);
    }
    an.set_file(path);
    an.file_done(&total);
    an.set_parts(plan.workers);
    true
}
