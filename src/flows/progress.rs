//! A progress bar on standard error while flow logs are read, once reading has taken more
//! than [`AFTER`] (bytes read of the total, records per second; `indicatif`).
//!
//! Owns: the bar's thread and the counters it shows. Must never: draw when standard error is
//! not a terminal or with `--quiet`, change what is read or reported, or slow the reading
//! (records are counted in batches of [`BATCH`] into one relaxed atomic).

use std::io::{self, IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long reading goes on before the bar appears (`ZONESCOPE_PROGRESS_AFTER_MS` overrides).
pub const AFTER: Duration = Duration::from_secs(2);
/// Records counted before they are added to the shared counter.
pub const BATCH: u64 = 4096;

/// Records read so far by every analyzer of the process (for display only).
static RECORDS: AtomicU64 = AtomicU64::new(0);

/// Adds `n` records to the counter the bar shows.
#[inline]
pub fn add_records(n: u64) {
    RECORDS.fetch_add(n, Ordering::Relaxed);
}

/// Counts the bytes read through it.
pub struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The bar of one `flows` run.
pub struct Progress {
    bytes: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts the bar's thread for `total` bytes of logs, unless `quiet` or standard error is
    /// not a terminal.
    pub fn start(total: u64, quiet: bool) -> Progress {
        let bytes = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let thread = (!quiet && io::stderr().is_terminal()).then(|| {
            let (bytes, done) = (Arc::clone(&bytes), Arc::clone(&done));
            let after = std::env::var("ZONESCOPE_PROGRESS_AFTER_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(AFTER, Duration::from_millis);
            std::thread::spawn(move || draw(total, after, &bytes, &done))
        });
        Progress {
            bytes,
            done,
            thread,
        }
    }

    /// `input`, counted for the bar.
    pub fn wrap<R: Read>(&self, inner: R) -> Counting<R> {
        Counting {
            inner,
            bytes: Arc::clone(&self.bytes),
        }
    }

    /// Removes the bar.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

fn draw(total: u64, after: Duration, bytes: &AtomicU64, done: &AtomicBool) {
    let started = Instant::now();
    let records0 = RECORDS.load(Ordering::Relaxed);
    while started.elapsed() < after {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {msg}",
    ) {
        bar.set_style(style);
    }
    while !done.load(Ordering::Relaxed) {
        bar.set_position(bytes.load(Ordering::Relaxed));
        let records = RECORDS.load(Ordering::Relaxed).saturating_sub(records0);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!(
            "{records} records, {:.0} k records/s",
            records as f64 / secs / 1e3
        ));
        std::thread::sleep(Duration::from_millis(200));
    }
    bar.finish_and_clear();
}
