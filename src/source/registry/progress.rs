//! A one-line progress display on stderr for pulls (registry blobs) and scans (blobs of
//! any other source), shown only when stderr is a terminal and `CI` is not set, so logs
//! and pipes stay clean. It reads the byte counter the blob readers share, draws as soon
//! as the first blob is on its way, and redraws a few times a second until the source
//! is dropped.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::blob_reader::ByteCounter;

const REDRAW: Duration = Duration::from_millis(200);

/// A running progress line.
pub struct Progress {
    label: &'static str,
    received: ByteCounter,
    started: Instant,
    expected: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Whether a progress display is wanted here: stderr is a terminal and not CI.
pub fn wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none_or(|v| v.is_empty())
}

impl Progress {
    /// Start drawing `label` (`pulling layers`, `scanning layers`), or `None` when
    /// [`wanted`] says no.
    pub fn start_if_terminal(received: ByteCounter, label: &'static str) -> Option<Self> {
        if !wanted() {
            return None;
        }
        let expected = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let thread = {
            let expected = Arc::clone(&expected);
            let stop = Arc::clone(&stop);
            let received = Arc::clone(&received);
            std::thread::Builder::new()
                .name("imgguard-progress".into())
                .spawn(move || draw(label, started, &received, &expected, &stop))
                .ok()
        };
        Some(Self {
            label,
            received,
            started,
            expected,
            stop,
            thread,
        })
    }

    /// Another blob of `size` bytes is on its way. The first one draws the line at
    /// once, so even a quick check shows what it is doing.
    pub fn expect(&self, size: u64) {
        let before = self.expected.fetch_add(size, Ordering::Relaxed);
        if before == 0 && size > 0 {
            let _ = std::io::stderr().write_all(
                line(
                    self.label,
                    self.started,
                    self.received.load(Ordering::Relaxed),
                    size,
                )
                .as_bytes(),
            );
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn line(label: &str, started: Instant, got: u64, total: u64) -> String {
    let secs = started.elapsed().as_secs_f64().max(0.001);
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    let line = format!(
        "\r{label}: {:.1} / {:.1} MiB ({:.1} MiB/s)   ",
        got as f64 / 1_048_576.0,
        total as f64 / 1_048_576.0,
        got as f64 / 1_048_576.0 / secs
    );
    line
}

fn draw(
    label: &str,
    started: Instant,
    received: &AtomicU64,
    expected: &AtomicU64,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(REDRAW);
        let total = expected.load(Ordering::Relaxed);
        if total == 0 {
            continue;
        }
        let got = received.load(Ordering::Relaxed);
        let _ = std::io::stderr().write_all(line(label, started, got, total).as_bytes());
    }
    if expected.load(Ordering::Relaxed) > 0 {
        let _ = std::io::stderr().write_all(b"\r\x1b[2K");
    }
}
