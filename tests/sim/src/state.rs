//! The simulated printer's state: jobs, documents, faults, the page log file.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cli::Options;
pub use quire_ipp::{JobState, PrinterState};

/// How long an open job (Create-Job) waits for its next Send-Document before it is closed.
pub const MULTIPLE_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);

/// Finished jobs kept for Get-Jobs and `/status`.
pub const JOB_HISTORY: usize = 1000;

/// A moment, as printer up-time (job `time-at-*`) and Unix seconds (`date-time-at-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub up: u32,
    pub unix: i64,
}

/// A received and analysed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub number: u32,
    pub format: String,
    pub pages: u32,
    /// Per page, the first `QPAGE:` string found in it.
    pub markers: Vec<Option<String>>,
}

/// The next impression a job would print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub document: u32,
    pub copy: u32,
    pub page: u32,
    pub marker: Option<String>,
    /// Whether this impression starts a new sheet (two-sided puts even pages on the back).
    pub new_sheet: bool,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i32,
    pub name: String,
    pub user: String,
    pub copies: u32,
    pub two_sided: bool,
    pub state: JobState,
    pub docs: Vec<Doc>,
    /// More documents may still come (Create-Job before the last Send-Document).
    pub open: bool,
    /// Document uploads in progress.
    pub receiving: u32,
    /// Last Create-Job / Send-Document activity, for the multiple-operation time-out.
    pub touched: Instant,
    /// Impressions printed and logged (all documents and copies).
    pub printed: u32,
    pub sheets: u32,
    pub cancel_requested: bool,
    /// The job-state-reasons keyword explaining a terminal state.
    pub reason: Option<&'static str>,
    pub message: Option<String>,
    pub created: Stamp,
    pub processing: Option<Stamp>,
    pub completed: Option<Stamp>,
}

impl Job {
    /// Pages in one copy of all documents received so far.
    pub fn pages_per_copy(&self) -> u32 {
        self.docs.iter().fold(0u32, |n, d| n.saturating_add(d.pages))
    }

    /// job-impressions: every page of every copy (so far, while documents still arrive).
    pub fn impressions(&self) -> u32 {
        self.pages_per_copy().saturating_mul(self.copies)
    }

    /// The impression after the `printed` ones, in copy-major (collated) order, or `None`
    /// when it is not known yet (open job) or everything is printed.
    pub fn next_slot(&self) -> Option<Slot> {
        let per_copy = self.pages_per_copy();
        if per_copy == 0 || self.printed >= self.impressions() {
            return None;
        }
        let (copy, mut offset) = (self.printed / per_copy, self.printed % per_copy);
        // Further copies wait until the document list is final.
        if self.open && copy > 0 {
            return None;
        }
        for doc in &self.docs {
            if offset < doc.pages {
                let marker = usize::try_from(offset).ok().and_then(|i| doc.markers.get(i)).cloned();
                return Some(Slot {
                    document: doc.number,
                    copy: copy + 1,
                    page: offset + 1,
                    marker: marker.flatten(),
                    new_sheet: !self.two_sided || offset % 2 == 0,
                });
            }
            offset -= doc.pages;
        }
        None
    }

    /// Everything there is to print has been printed and no more documents will come.
    pub fn is_done(&self) -> bool {
        !self.open && self.printed >= self.impressions()
    }
}

/// Faults that are armed or in effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Impressions left before the paper runs out.
    pub media_left: Option<u32>,
    /// Impressions left before the next page jams.
    pub jam_left: Option<u32>,
    pub media_empty: bool,
    pub jammed: bool,
    pub offline: bool,
    pub refuse_connections: bool,
}

/// A fault to inject (flags at start, `POST /control` at run time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    MediaEmptyAfter(u32),
    JamAfter(u32),
    Offline,
    RefuseConnections,
}

/// The whole printer, behind one mutex.
pub struct State {
    pub opts: Options,
    /// The IPP listener's real address (its port may have been 0 on the command line).
    pub addr: SocketAddr,
    pub started: Instant,
    pub started_unix: i64,
    /// When printer-state or printer-state-reasons last changed, and to what.
    pub state_change: Stamp,
    state_seen: (PrinterState, Vec<&'static str>),
    pub jobs: Vec<Job>,
    pub next_job_id: i32,
    pub faults: Faults,
    /// The job whose page is being printed right now.
    pub in_flight: Option<i32>,
    pub page_log: Option<File>,
    pub total_impressions: u64,
}

impl State {
    pub fn new(opts: Options, addr: SocketAddr) -> io::Result<State> {
        let page_log = match &opts.page_log {
            Some(p) => Some(OpenOptions::new().create(true).append(true).open(p)?),
            None => None,
        };
        let mut st = State {
            opts,
            addr,
            started: Instant::now(),
            started_unix: unix_now(),
            state_change: Stamp { up: 1, unix: unix_now() },
            state_seen: (PrinterState::Idle, vec!["none"]),
            jobs: Vec::new(),
            next_job_id: 1,
            faults: Faults::default(),
            in_flight: None,
            page_log,
            total_impressions: 0,
        };
        let o = st.opts.clone();
        let flags = [
            o.media_empty_after.map(Fault::MediaEmptyAfter),
            o.jam_after.map(Fault::JamAfter),
            o.offline.then_some(Fault::Offline),
            o.refuse_connections.then_some(Fault::RefuseConnections),
        ];
        flags.into_iter().flatten().for_each(|f| st.inject(f));
        st.note_state();
        Ok(st)
    }

    /// Seconds since start, at least 1 (printer-up-time).
    pub fn up_time(&self) -> u32 {
        u32::try_from(self.started.elapsed().as_secs()).unwrap_or(u32::MAX).saturating_add(1)
    }

    pub fn stamp(&self) -> Stamp {
        Stamp { up: self.up_time(), unix: unix_now() }
    }

    /// Updates printer-state-change-time if the state or its reasons changed; called
    /// wherever they can change (faults, the engine).
    pub fn note_state(&mut self) {
        let now = (self.printer_state(), self.printer_state_reasons());
        if now != self.state_seen {
            self.state_seen = now;
            self.state_change = self.stamp();
        }
    }

    pub fn inject(&mut self, fault: Fault) {
        let f = &mut self.faults;
        match fault {
            Fault::MediaEmptyAfter(0) => f.media_empty = true,
            Fault::MediaEmptyAfter(n) => f.media_left = Some(n),
            Fault::JamAfter(n) => f.jam_left = Some(n),
            Fault::Offline => f.offline = true,
            Fault::RefuseConnections => f.refuse_connections = true,
        }
        self.note_state();
    }

    /// Clears every fault, armed or in effect; printing resumes with the next unprinted page.
    pub fn repair(&mut self) {
        self.faults = Faults::default();
        self.note_state();
    }

    pub fn stopped(&self) -> bool {
        let f = &self.faults;
        f.media_empty || f.jammed || f.offline
    }

    pub fn printer_state(&self) -> PrinterState {
        if self.stopped() {
            PrinterState::Stopped
        } else if self.jobs.iter().any(|j| j.state == JobState::Processing) {
            PrinterState::Processing
        } else {
            PrinterState::Idle
        }
    }

    pub fn printer_state_reasons(&self) -> Vec<&'static str> {
        let f = &self.faults;
        let mut r = Vec::new();
        if f.media_empty {
            r.push("media-empty-error");
        }
        if f.jammed {
            r.push("media-jam-error");
        }
        if f.offline {
            r.push("offline-report");
        }
        if r.is_empty() {
            r.push("none");
        }
        r
    }

    pub fn printer_state_message(&self) -> &'static str {
        let f = &self.faults;
        match (f.media_empty, f.jammed, f.offline) {
            (true, _, _) => "Out of paper",
            (_, true, _) => "Paper jam",
            (_, _, true) => "Offline",
            _ if self.printer_state() == PrinterState::Processing => "Printing",
            _ => "Ready",
        }
    }

    /// `ipp://HOST:PORT/ipp/print`, with the listener's address (loopback when it is unspecified).
    pub fn printer_uri(&self) -> String {
        let port = self.addr.port();
        match self.addr.ip() {
            ip if ip.is_unspecified() => format!("ipp://localhost:{port}/ipp/print"),
            std::net::IpAddr::V6(ip) => format!("ipp://[{ip}]:{port}/ipp/print"),
            ip => format!("ipp://{ip}:{port}/ipp/print"),
        }
    }

    pub fn job_uri(&self, id: i32) -> String {
        format!("{}/{id}", self.printer_uri())
    }

    pub fn job(&self, id: i32) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn job_mut(&mut self, id: i32) -> Option<&mut Job> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    pub fn queued_job_count(&self) -> usize {
        self.jobs.iter().filter(|j| !j.state.is_terminal()).count()
    }

    /// Creates a pending, open job with no documents yet and returns its id.
    pub fn add_job(&mut self, name: String, user: String, copies: u32, two_sided: bool) -> i32 {
        let id = self.next_job_id;
        self.next_job_id = self.next_job_id.saturating_add(1);
        let created = self.stamp();
        self.jobs.push(Job {
            id,
            name,
            user,
            copies,
            two_sided,
            state: JobState::Pending,
            docs: Vec::new(),
            open: true,
            receiving: 0,
            touched: Instant::now(),
            printed: 0,
            sheets: 0,
            cancel_requested: false,
            reason: None,
            message: None,
            created,
            processing: None,
            completed: None,
        });
        id
    }

    /// Moves a job to a terminal state (once: a terminal job is left alone), and forgets the
    /// oldest finished jobs beyond [`JOB_HISTORY`].
    pub fn finish(&mut self, id: i32, state: JobState, reason: &'static str, message: String) {
        let now = self.stamp();
        if let Some(job) = self.job_mut(id).filter(|j| !j.state.is_terminal()) {
            job.state = state;
            job.reason = Some(reason);
            job.message = Some(message);
            job.open = false;
            job.completed = Some(now);
            // Markers are only needed for printing; long benchmarks would pile them up.
            job.docs.iter_mut().for_each(|d| d.markers = Vec::new());
        }
        let finished = self.jobs.iter().filter(|j| j.state.is_terminal()).count();
        if finished > JOB_HISTORY {
            let mut excess = finished - JOB_HISTORY;
            self.jobs.retain(|j| {
                let drop = excess > 0 && j.state.is_terminal();
                excess -= usize::from(drop);
                !drop
            });
        }
    }

    /// Appends one line to the page log (if any) and flushes it.
    pub fn log_line(&mut self, line: &str) -> io::Result<()> {
        match self.page_log.as_mut() {
            Some(f) => f.write_all(format!("{line}\n").as_bytes()).and_then(|()| f.flush()),
            None => Ok(()),
        }
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Milliseconds since the Unix epoch.
pub fn unix_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

#[cfg(test)]
#[path = "state_tests.rs"]
pub(crate) mod tests;
