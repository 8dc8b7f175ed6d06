//! How far the reading of flow logs has got: bytes read of the total and records so far, for
//! a front end to show (the command line draws a bar on standard error: `cli::progress`).
//!
//! Owns: the counters and the thread that runs a front end's [`Drawer`]. Must never: draw or
//! print itself, change what is read or reported, or slow the reading (records are counted in
//! batches of [`BATCH`] into one relaxed atomic).

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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

/// What a front end's drawer reads while the logs are read.
#[derive(Clone)]
pub struct Meter {
    /// Bytes of every log given (0 for standard input).
    pub total: u64,
    bytes: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
}

impl Meter {
    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
    /// Records read so far by every analyzer of the process.
    pub fn records(&self) -> u64 {
        RECORDS.load(Ordering::Relaxed)
    }
    /// True once the reading is over: the drawer then clears its display and returns.
    pub fn done(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }
}

/// A front end's display of progress, run on its own thread until [`Meter::done`].
pub type Drawer = Box<dyn FnOnce(Meter) + Send>;

/// The progress of one `flows` run.
pub struct Progress {
    bytes: Arc<AtomicU64>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Counts for `total` bytes of logs, and runs `drawer` (if any) on its own thread.
    pub fn start(total: u64, drawer: Option<Drawer>) -> Progress {
        let bytes = Arc::new(AtomicU64::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let thread = drawer.map(|d| {
            let meter = Meter {
                total,
                bytes: Arc::clone(&bytes),
                done: Arc::clone(&done),
            };
            std::thread::spawn(move || d(meter))
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

    /// Counts `n` bytes read other than through [`Progress::wrap`] (a Parquet file).
    pub fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
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
