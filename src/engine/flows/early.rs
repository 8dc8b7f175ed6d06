//! `flows` with the design still loading: the parts of a large first log start reading while
//! the design is parsed and validated, so that the core the load leaves idle (validation and
//! the class index run on one) reads records instead of waiting.
//!
//! Each worker keeps what it reads in an [`Early`] buffer per part (at most [`EARLY_RECORDS`]
//! records in all) until the design and its classes are there, then gives the buffers to its
//! analyzer and reads on. The records enter the analyzer in their order, as if read then: the report is the one
//! loading first and then reading gives ([`super::run::analyze_logs_with`]), which the tests
//! compare. A log that is not read in parts (standard input, a small file, Parquet, Azure) is
//! read after the load, as before.
//!
//! Owns: the hand-over between the load and the parts. Must never: judge a record before the
//! design is there, hold more than [`EARLY_RECORDS`] records a worker, report a log error when
//! the design failed to load (the design's error comes first, as when it is loaded first), or
//! read on after the load failed.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use super::Analyzer;
use super::classify::SharedClasses;
use super::progress::{Drawer, Progress};
use super::read::{Stats, read_log};
use super::report::{EARLY_RECORDS, Early, FlowReport};
use super::run::{
    Done, LogError, Opened, Options, Parts, Plan, Source, Worked, analyze_logs_with,
    analyze_source, merge_parts, open_logs, split,
};
use super::window::Window;
use crate::model::Topology;

/// Why `flows` with a loading design failed: the design (its loader's error), or a log.
#[derive(Debug)]
pub enum Loading<E> {
    Design(E),
    Log(LogError),
}

/// Records a worker reads early before it lets the next worker read (the workers read early in
/// turns, so that together they take the one core the load leaves, not the load's own).
const TURN_RECORDS: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The design is being parsed (on every core): nothing is read yet.
    Parsing,
    /// The design is being validated (on one core): the workers read early, in turns.
    Validating,
    /// The design is there.
    Open,
    /// The design failed to load.
    Closed,
}

struct Gate {
    state: State,
    /// The worker whose turn it is to read early.
    turn: usize,
    /// The workers still reading early.
    early: Vec<bool>,
}

/// The design the parts wait for, and whether it came.
struct Design {
    topology: OnceLock<Topology>,
    classes: SharedClasses,
    gate: Mutex<Gate>,
    changed: Condvar,
    /// Set with the gate's state when the design is there or failed (read without the lock).
    settled: AtomicBool,
}

impl Design {
    fn new(workers: usize) -> Design {
        Design {
            topology: OnceLock::new(),
            classes: SharedClasses::default(),
            gate: Mutex::new(Gate {
                state: State::Parsing,
                turn: 0,
                early: vec![true; workers],
            }),
            changed: Condvar::new(),
            settled: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Gate> {
        self.gate
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn state(&self) -> State {
        self.lock().state
    }

    /// Moves the design on to `state` (never back) and wakes the parts.
    fn settle(&self, state: State) {
        let mut g = self.lock();
        let rank = |s: State| match s {
            State::Parsing => 0,
            State::Validating => 1,
            State::Open | State::Closed => 2,
        };
        if rank(state) > rank(g.state) {
            g.state = state;
        }
        if rank(g.state) == 2 {
            self.settled.store(true, Ordering::Release);
        }
        drop(g);
        self.changed.notify_all();
    }

    /// Waits until worker `k` may read early (`true`), or until the design is there or failed
    /// (`false`: read on with an analyzer, or stop).
    fn my_turn(&self, k: usize) -> bool {
        let mut g = self.lock();
        loop {
            match g.state {
                State::Validating if g.turn == k => return true,
                State::Parsing | State::Validating => {
                    g = self
                        .changed
                        .wait(g)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                State::Open | State::Closed => return false,
            }
        }
    }

    /// Worker `k` lets the next worker that still reads early have the turn; `done` when it
    /// reads no more early itself.
    fn pass(&self, k: usize, done: bool) {
        let mut g = self.lock();
        if done {
            g.early[k] = false;
        }
        let n = g.early.len();
        if let Some(next) = (1..=n).map(|i| (k + i) % n).find(|&j| g.early[j]) {
            g.turn = next;
        }
        drop(g);
        self.changed.notify_all();
    }

    /// The design once it is there; `None` when it failed to load.
    fn wait(&self) -> Option<&Topology> {
        let mut g = self.lock();
        while matches!(g.state, State::Parsing | State::Validating) {
            g = self
                .changed
                .wait(g)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        let open = g.state == State::Open;
        drop(g);
        if open { self.topology.get() } else { None }
    }
}

/// Closes the gate when dropped, unless the design is there ([`Design::settle`] never goes back).
struct CloseOnDrop<'d>(&'d Design);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.settle(State::Closed);
    }
}

/// A part's bytes, ended early when the design failed to load (nothing more is read then).
struct UntilClosed<'d, R> {
    inner: R,
    design: &'d Design,
}

impl<R: Read> Read for UntilClosed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.design.state() == State::Closed {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

/// Loads the design with `load` on this thread while the first log, when it is read in parts
/// (a large plain AWS log or GCP export in a regular file, more than one job), starts
/// reading; then reads the logs as [`analyze_logs_with`] does. The report is the one
/// [`analyze_logs_with`] gives on the loaded design; the design comes back with it. A design
/// that fails to load is the error, whatever the logs are.
pub fn analyze_logs_loading<E>(
    load: impl FnOnce(&(dyn Fn() + Sync)) -> Result<Topology, E>,
    logs: &[String],
    opts: Options,
    window: Window,
    progress: Option<Drawer>,
) -> Result<(Topology, FlowReport), Loading<E>> {
    analyze_logs_loading_holding(load, logs, opts, window, progress, EARLY_RECORDS)
}

/// [`analyze_logs_loading`] with each worker holding at most `early` records (at most
/// [`EARLY_RECORDS`]) while the design loads: the report is the same for any number (the
/// tests try several).
pub fn analyze_logs_loading_holding<E>(
    load: impl FnOnce(&(dyn Fn() + Sync)) -> Result<Topology, E>,
    logs: &[String],
    opts: Options,
    window: Window,
    progress: Option<Drawer>,
    early: usize,
) -> Result<(Topology, FlowReport), Loading<E>> {
    let first_in_parts = match open_logs(logs, opts) {
        Ok(opened) => in_parts(opened, opts).map_err(Loading::Log),
        Err(e) => Err(Loading::Log(e)),
    };
    let Ok(Some((opened, plan))) = first_in_parts else {
        // Read after the load, as before (a log's error after the design's).
        let t = load(&|| {}).map_err(Loading::Design)?;
        first_in_parts?;
        let report = analyze_logs_with(&t, logs, opts, window, progress).map_err(Loading::Log)?;
        return Ok((t, report));
    };
    let Opened {
        logs,
        sources,
        jobs,
        total,
    } = opened;
    let design = Design::new(plan.workers);
    let next = Parts::new(&plan);
    let bar = Progress::start(total, progress);
    let path = logs[0].as_str();
    let (loaded, results) = std::thread::scope(|s| {
        let handles: Vec<_> = (0..plan.workers)
            .map(|w| {
                let (design, plan, bar, next) = (&design, &plan, &bar, &next);
                s.spawn(move || early_worker(path, (plan, next), w, bar, design, (window, early)))
            })
            .collect();
        // Should the load panic, the parts must not wait for it for ever (the scope joins
        // them before the panic goes on): dropped on the way out, this closes the gate unless
        // the design came.
        let _closes = CloseOnDrop(&design);
        let loaded = load(&|| design.settle(State::Validating)).map(|t| {
            let t = design.topology.get_or_init(|| t);
            // The classes are built here while the parts read on, not by the first part.
            design.classes.prepare(t);
        });
        design.settle(if loaded.is_ok() {
            State::Open
        } else {
            State::Closed
        });
        let results: Vec<io::Result<Option<Worked>>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(io::Error::other("a flow-log worker failed")))
            })
            .collect();
        (loaded, results)
    });
    loaded.map_err(Loading::Design)?;
    let t = design.topology.get().expect("set when the design loaded");
    let log_err = |path: &str| {
        let path = path.to_string();
        move |source| Loading::Log(LogError { path, source })
    };
    let mut an = Analyzer::with_shared(t, &design.classes);
    an.set_window(window);
    let mut done = Vec::with_capacity(plan.workers);
    for r in results {
        // (A worker ends without its parts only when the load failed.)
        let parts = r.and_then(|p| p.ok_or_else(|| io::Error::other("a flow-log worker stopped")));
        done.push(parts.map_err(log_err(path))?);
    }
    let mut sources = sources.into_iter();
    let first = sources.next();
    if !merge_parts(&mut an, path, &plan, done)
        && let Some(Source::File(mut f)) = first
    {
        // The split was not safe (as `parallel` finds): the log in one pass.
        f.seek(SeekFrom::Start(0)).map_err(log_err(path))?;
        super::run::analyze_reader(&mut an, path, bar.wrap(f), opts.format)
            .map_err(log_err(path))?;
    }
    for (path, source) in logs.iter().skip(1).zip(sources) {
        analyze_source(&mut an, t, path, source, opts, jobs, &bar).map_err(Loading::Log)?;
    }
    bar.finish();
    let report = an.finish();
    let t = design
        .topology
        .into_inner()
        .expect("set when the design loaded");
    Ok((t, report))
}

/// The opened logs and the split of the first, when it is read in parts.
fn in_parts(mut opened: Opened, opts: Options) -> Result<Option<(Opened, Plan)>, LogError> {
    let jobs = opened.jobs;
    let Some(Source::File(f)) = opened.sources.first_mut() else {
        return Ok(None);
    };
    match split(f, jobs, opts.format) {
        Ok(plan) => Ok(plan.map(|p| (opened, p))),
        Err(source) => Err(LogError {
            path: opened.logs[0].clone(),
            source,
        }),
    }
}

/// Worker `w`: reads the parts of `plan` it takes from `next`, each into an [`Early`] buffer
/// until the design is there (the worker's buffers hold at most `cap` records together; when
/// they are full, or a line cannot be read, it waits), then by its analyzer, which goes from
/// part to part with its caches. `None` when the design failed to load.
fn early_worker<'t>(
    path: &str,
    (plan, next): (&Plan, &Parts),
    w: usize,
    bar: &Progress,
    design: &'t Design,
    (window, cap): (Window, usize),
) -> io::Result<Option<Worked>> {
    let mut done: Vec<Done> = Vec::new();
    // Parts read to their end before the design came: their index, records and counts.
    let mut waiting: Vec<(usize, Early, Stats)> = Vec::new();
    let mut an: Option<Analyzer<'t>> = None;
    // Records this worker holds early, and those kept since its turn began (0: it must wait
    // for its turn first).
    let (mut held, mut turn) = (0usize, 0usize);
    // The analyzer, once the design is there: the parts read before it go through it first.
    let start =
        |t: &'t Topology, waiting: &mut Vec<(usize, Early, Stats)>, done: &mut Vec<Done>| {
            let mut a = Analyzer::with_shared(t, &design.classes);
            a.set_window(window);
            a.set_file(path);
            for (k, early, stats) in waiting.drain(..) {
                a.set_deferred(k > 0);
                a.take_early(early);
                done.push((k, a.take_counts(), stats));
            }
            a
        };
    while let Some(k) = next.take() {
        let input = UntilClosed {
            inner: plan.part(path, k, bar)?,
            design,
        };
        if let Some(a) = an.as_mut() {
            a.set_deferred(k > 0);
        }
        let mut early = Early::new(window, cap - held);
        let stats = read_log(input, plan.format, |ev| {
            if an.is_none() {
                let reading = if turn > 0 {
                    !design.settled.load(Ordering::Acquire)
                } else {
                    design.my_turn(w)
                };
                if reading && early.keep(&ev) {
                    turn += 1;
                    if turn >= TURN_RECORDS {
                        design.pass(w, false);
                        turn = 0;
                    }
                    return;
                }
                // The design is there, or the buffer cannot take `ev`: wait for it.
                design.pass(w, true);
                let Some(t) = design.wait() else { return };
                let mut a = start(t, &mut waiting, &mut done);
                a.set_deferred(k > 0);
                a.take_early(std::mem::take(&mut early));
                an = Some(a);
            }
            if let Some(a) = an.as_mut() {
                a.event(ev);
            }
        })?;
        match an.as_mut() {
            Some(a) => done.push((k, a.take_counts(), stats)),
            None => {
                held += early.len();
                waiting.push((k, early, stats));
            }
        }
    }
    let mut an = match an {
        Some(a) => a,
        None => {
            design.pass(w, true);
            match design.wait() {
                Some(t) => start(t, &mut waiting, &mut done),
                None => return Ok(None),
            }
        }
    };
    Ok(Some(Worked {
        done,
        rest: an.take_part(),
    }))
}
