//! One server started on a CUPS install and watched until it has taken it over: when it
//! first answers IPP, when CUPS-Get-Printers lists every printer, when Get-Jobs counts every
//! job; then what it shows of the rest (classes, default, subscriptions, held jobs, PPDs).
//!
//! Every request goes over the server's Unix socket as root, as CUPS's own tools on the host
//! would send it.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Limits, Message, Operation, Value};

use crate::client::{self, Conn};

/// How often a server that is loading is asked again.
const POLL: Duration = Duration::from_millis(100);

/// A count that has not changed for this long after the server answered will not change:
/// the server did not take over (all of) the install.
pub const STALL: Duration = Duration::from_secs(15);

/// What a complete takeover shows.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// Printers and classes: CUPS-Get-Printers lists both (as `lpstat -p` shows).
    pub queues: usize,
    pub jobs: usize,
}

/// Why the bench stopped waiting.
#[derive(Debug, Clone, PartialEq)]
pub enum GaveUp {
    /// `--cap-secs` passed first.
    Cap,
    /// A count stayed short of what was expected for [`STALL`]: what it showed.
    Stalled(String),
    /// The server exited.
    Exited,
}

/// One start, times from the spawn.
#[derive(Debug, Clone, Default)]
pub struct Start {
    pub answered: Option<Duration>,
    pub printers_at: Option<Duration>,
    pub jobs_at: Option<Duration>,
    /// The last counts seen.
    pub queues: usize,
    pub jobs: usize,
    pub gave_up: Option<GaveUp>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Answer,
    Printers,
    Jobs,
    Done,
}

/// The watch of one start.
struct Watch {
    socket: PathBuf,
    expect: Expect,
    t0: Instant,
    cap: Duration,
    phase: Phase,
    /// When the count being waited for last changed, and its value.
    changed: Instant,
    start: Start,
}

/// Watches a server spawned at `t0` on its `socket` until it has taken over everything
/// `expect` says, `cap` passes, or a count stalls; `alive` says whether it still runs.
pub fn watch(
    socket: &Path,
    expect: Expect,
    t0: Instant,
    cap: Duration,
    mut alive: impl FnMut() -> bool,
) -> Start {
    let mut w = Watch {
        socket: socket.to_path_buf(),
        expect,
        t0,
        cap,
        phase: Phase::Answer,
        changed: t0,
        start: Start::default(),
    };
    while w.phase != Phase::Done {
        let before = w.phase;
        w.step();
        if w.phase == Phase::Done {
            break;
        }
        if t0.elapsed() >= cap {
            w.start.gave_up = Some(GaveUp::Cap);
            break;
        }
        if !alive() {
            w.start.gave_up = Some(GaveUp::Exited);
            break;
        }
        // A server that is not listening yet is asked more often: that costs it nothing.
        if w.phase == before {
            std::thread::sleep(if w.phase == Phase::Answer { POLL / 10 } else { POLL });
        }
    }
    w.start
}

impl Watch {
    /// One request for the current phase; moves on when it shows what the phase waits for.
    fn step(&mut self) {
        match self.phase {
            Phase::Answer => {
                // Any answer will do (with no default yet, CUPS-Get-Default is not-found).
                let left = self.cap.saturating_sub(self.t0.elapsed()).max(Duration::from_secs(1));
                let body = request(Operation::CupsGetDefault, &[]);
                if call_any(&self.socket, left, &body).is_ok() {
                    self.start.answered = Some(self.t0.elapsed());
                    self.next(Phase::Printers);
                }
            }
            Phase::Printers => {
                let Ok(resp) = self.call(&cups_get_printers(&["printer-name"])) else { return };
                let n = groups(&resp, DelimiterTag::Printer);
                self.counted(n, self.expect.queues, "printers and classes", Phase::Jobs);
            }
            Phase::Jobs => {
                let Ok(resp) = self.call(&get_jobs_all(&["job-id"])) else { return };
                let n = groups(&resp, DelimiterTag::Job);
                self.counted(n, self.expect.jobs, "jobs", Phase::Done);
            }
            Phase::Done => {}
        }
    }

    fn next(&mut self, phase: Phase) {
        self.phase = phase;
        self.changed = Instant::now();
    }

    /// A count of `what` came back: the phase is over at `want`, or stalled.
    fn counted(&mut self, n: usize, want: usize, what: &str, then: Phase) {
        let last = if self.phase == Phase::Printers { self.start.queues } else { self.start.jobs };
        if n != last {
            self.changed = Instant::now();
        }
        if self.phase == Phase::Printers {
            self.start.queues = n;
        } else {
            self.start.jobs = n;
        }
        if n >= want {
            let at = Some(self.t0.elapsed());
            if self.phase == Phase::Printers {
                self.start.printers_at = at;
            } else {
                self.start.jobs_at = at;
            }
            self.next(then);
        } else if self.changed.elapsed() >= STALL {
            self.start.gave_up = Some(GaveUp::Stalled(format!(
                "listed {n} of {want} {what}, unchanged for {} s after it answered",
                STALL.as_secs()
            )));
            self.phase = Phase::Done;
        }
    }

    /// One request on a fresh connection, waiting at most for what is left of the cap.
    fn call(&self, body: &[u8]) -> io::Result<Message> {
        let left = self.cap.saturating_sub(self.t0.elapsed()).max(Duration::from_secs(1));
        call(&self.socket, left, body)
    }
}

/// POSTs `body` to `/` on the Unix socket and decodes the answer, however big; an IPP status
/// other than successful is an error.
pub fn call(socket: &Path, timeout: Duration, body: &[u8]) -> io::Result<Message> {
    let msg = call_any(socket, timeout, body)?;
    if !client::is_ok(msg.code) {
        return Err(client::other(format!("IPP status 0x{:04x}", msg.code)));
    }
    Ok(msg)
}

/// [`call`] whatever the IPP status.
fn call_any(socket: &Path, timeout: Duration, body: &[u8]) -> io::Result<Message> {
    let resp = Conn::connect_unix(socket, timeout)?.post("/", body)?;
    let big = Limits {
        max_attribute_bytes: usize::MAX,
        max_collection_depth: 16,
        max_values: usize::MAX,
    };
    let (msg, _) = quire_ipp::decode::decode_with(&resp, big)
        .map_err(|e| client::other(format!("bad IPP answer: {e}")))?;
    Ok(msg)
}

/// A request as root on the server as a whole (`ipp://localhost/`), asking for `names`.
pub fn request(op: Operation, names: &[&str]) -> Vec<u8> {
    let mut msg = client::request_as(op, "ipp://localhost/", "root");
    if !names.is_empty() {
        msg.group_mut(DelimiterTag::Operation).push(client::requested(names));
    }
    msg.encode()
}

pub fn cups_get_printers(names: &[&str]) -> Vec<u8> {
    request(Operation::CupsGetPrinters, names)
}

/// Get-Jobs which-jobs=not-completed on every queue, everyone's jobs.
pub fn get_jobs_all(names: &[&str]) -> Vec<u8> {
    let mut msg = client::request_as(Operation::GetJobs, "ipp://localhost/", "root");
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("which-jobs", Value::Keyword("not-completed".into())));
    g.push(Attribute::new("my-jobs", Value::Boolean(false)));
    g.push(client::requested(names));
    msg.encode()
}

/// The groups of `tag` in an answer: one per printer, job, subscription.
pub fn groups(msg: &Message, tag: DelimiterTag) -> usize {
    msg.groups.iter().filter(|g| g.tag == tag).count()
}

/// The groups of `tag` whose attribute `name` has `value` as its first value.
pub fn groups_with(msg: &Message, tag: DelimiterTag, name: &str, value: &str) -> usize {
    let first = |g: &quire_ipp::Group| g.get(name).and_then(Attribute::first_str) == Some(value);
    msg.groups.iter().filter(|g| g.tag == tag && first(g)).count()
}

/// The groups of `tag` whose integer or enum attribute `name` is `value`.
pub fn groups_with_int(msg: &Message, tag: DelimiterTag, name: &str, value: i32) -> usize {
    let first = |g: &quire_ipp::Group| g.get(name).and_then(Attribute::first_i32) == Some(value);
    msg.groups.iter().filter(|g| g.tag == tag && first(g)).count()
}
