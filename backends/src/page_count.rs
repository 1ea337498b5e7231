//! Page counts of submitted PDFs, taken by filter workers in `count` mode (as `User`, never in
//! the daemon: lopdf parses what any client sent). Up to [`MAX_WORKERS`] workers stay up
//! between documents, so a submission costs a pipe round trip, not a process start (more
//! submissions at once wait for a worker); a worker that takes longer than [`COUNT_TIMEOUT`]
//! is killed, and one whose answer makes no sense is dropped.

use crate::filter_chain::wire::write_stream;
use crate::sandbox::{kill_group, Launch};
use quire_filters::FilterError;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// How long one count may take.
pub const COUNT_TIMEOUT: Duration = Duration::from_secs(60);
/// Workers at most (counting is CPU work: more would not go faster).
pub const MAX_WORKERS: usize = 8;
/// The longest answer line.
const MAX_ANSWER: u64 = 4096;

/// Why a page count failed.
#[derive(Debug)]
pub enum CountError {
    /// The document: empty, corrupt, unsupported.
    Document(FilterError),
    /// The worker: it could not start, crashed, timed out or answered nonsense.
    Worker(String),
}

impl fmt::Display for CountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountError::Document(e) => write!(f, "{e}"),
            CountError::Worker(m) => write!(f, "the page count failed: {m}"),
        }
    }
}

/// The document to count: bytes in memory, or a file we read and send.
pub enum CountInput<'a> {
    Bytes(&'a [u8]),
    File(&'a std::path::Path),
}

/// A pool of page-counting workers.
pub struct PageCounter {
    launch: Arc<Launch>,
    pool: Mutex<Pool>,
    /// Signalled when a worker goes back to the pool or is dropped.
    freed: Condvar,
    /// How long one count may take ([`COUNT_TIMEOUT`]).
    limit: Duration,
}

#[derive(Default)]
struct Pool {
    idle: Vec<CountWorker>,
    /// Workers started and not dropped (idle or counting).
    alive: usize,
}

struct CountWorker {
    child: Arc<Mutex<Child>>,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Arms (Some: the deadline) and disarms (None) the watchdog that kills the worker.
    watchdog: Sender<Option<Duration>>,
}

impl Drop for CountWorker {
    fn drop(&mut self) {
        if let Ok(mut c) = self.child.lock() {
            kill_group(c.id());
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl PageCounter {
    pub fn new(launch: Arc<Launch>) -> Self {
        PageCounter::with_limit(launch, COUNT_TIMEOUT)
    }

    /// A pool whose counts may take `limit` each.
    pub fn with_limit(launch: Arc<Launch>, limit: Duration) -> Self {
        PageCounter { launch, pool: Mutex::new(Pool::default()), freed: Condvar::new(), limit }
    }

    /// The number of pages of a PDF (at most [`crate::worker::MAX_COUNTED`] bytes). Blocking.
    pub fn count(&self, input: CountInput<'_>) -> Result<u32, CountError> {
        if self.launch.worker.is_none() {
            // No worker (this crate's unit tests): count here.
            return match input {
                CountInput::Bytes(b) => quire_filters::page_count_mem(b),
                CountInput::File(p) => quire_filters::page_count(p),
            }
            .map_err(CountError::Document);
        }
        let mut worker = self.take()?;
        let answer = worker.ask(input, self.limit).and_then(|a| parse_answer(&a));
        // A worker that failed or made no sense is not asked again (dropping it kills it).
        let keep = !matches!(answer, Err(CountError::Worker(_)));
        let spent = {
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            if keep {
                pool.idle.push(worker);
                None
            } else {
                pool.alive -= 1;
                Some(worker)
            }
        };
        self.freed.notify_one();
        drop(spent);
        answer
    }

    /// An idle worker, else a new one while there are fewer than [`MAX_WORKERS`], else the
    /// next one freed.
    fn take(&self) -> Result<CountWorker, CountError> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(w) = pool.idle.pop() {
                return Ok(w);
            }
            if pool.alive < MAX_WORKERS {
                pool.alive += 1;
                drop(pool);
                return self.spawn().map_err(|e| {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).alive -= 1;
                    self.freed.notify_one();
                    CountError::Worker(format!("unable to start a filter worker: {e}"))
                });
            }
            pool = self.freed.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn spawn(&self) -> io::Result<CountWorker> {
        let root = std::path::Path::new("/");
        let mut cmd = self
            .launch
            .worker_command("count", root)
            .ok_or_else(|| io::Error::other("no filter worker"))?;
        let mut child =
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("the worker's pipes are missing"));
        };
        thread::spawn(move || log_stderr(stderr));
        let child = Arc::new(Mutex::new(child));
        let (watchdog, rx) = mpsc::channel::<Option<Duration>>();
        let target = child.clone();
        thread::spawn(move || watch(rx, target));
        Ok(CountWorker { child, stdin, stdout: BufReader::new(stdout), watchdog })
    }
}

impl CountWorker {
    /// Sends one document and reads the answer line, under the watchdog.
    fn ask(&mut self, input: CountInput<'_>, limit: Duration) -> Result<String, CountError> {
        let _ = self.watchdog.send(Some(limit));
        let sent = match input {
            CountInput::Bytes(b) => write_stream(&mut &b[..], &mut self.stdin),
            CountInput::File(p) => {
                std::fs::File::open(p).and_then(|mut f| write_stream(&mut f, &mut self.stdin))
            }
        };
        let mut line = Vec::new();
        let read =
            sent.and_then(|_| (&mut self.stdout).take(MAX_ANSWER).read_until(b'\n', &mut line));
        let _ = self.watchdog.send(None);
        match read {
            Ok(_) if line.last() == Some(&b'\n') => {
                Ok(String::from_utf8_lossy(&line).trim_end().to_string())
            }
            Ok(_) => Err(CountError::Worker(
                "the worker stopped answering (crashed or timed out)".into(),
            )),
            Err(e) => Err(CountError::Worker(e.to_string())),
        }
    }
}

/// Kills the worker when a count it is armed for does not end in time.
fn watch(rx: mpsc::Receiver<Option<Duration>>, child: Arc<Mutex<Child>>) {
    while let Ok(armed) = rx.recv() {
        let Some(limit) = armed else { continue };
        match rx.recv_timeout(limit) {
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {
                if let Ok(mut c) = child.lock() {
                    tracing::warn!(
                        "Killing the page-count worker (PID {}): a count took over {limit:?}",
                        c.id()
                    );
                    kill_group(c.id());
                    let _ = c.kill();
                }
                return;
            }
        }
    }
}

fn log_stderr(stderr: impl Read) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(MAX_ANSWER).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => tracing::debug!("page count: {}", String::from_utf8_lossy(&line).trim_end()),
        }
    }
}

/// An answer line as the count or the document's fault.
fn parse_answer(answer: &str) -> Result<u32, CountError> {
    let (word, rest) = answer.split_once(' ').unwrap_or((answer, ""));
    match word {
        "pages" => rest.parse().map_err(|_| CountError::Worker(format!("bad answer {answer:?}"))),
        "empty" => Err(CountError::Document(FilterError::Empty)),
        "corrupt" => Err(CountError::Document(FilterError::Corrupt(rest.into()))),
        "unsupported" => Err(CountError::Document(FilterError::Unsupported(rest.into()))),
        "error" => Err(CountError::Worker(rest.into())),
        _ => Err(CountError::Worker(format!("bad answer {answer:?}"))),
    }
}

#[cfg(test)]
#[path = "page_count_tests.rs"]
mod tests;
