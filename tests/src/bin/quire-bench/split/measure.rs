//! One timed submission: Print-Job, then wait until the job is completed and the
//! simulators' page logs hold every page it asked for; then check each page came out
//! exactly as often as asked.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use quire_tests::simulated_printer::{PageRecord, Sim};

use crate::client::Conn;
use crate::env::unix_ms;
use crate::fleet::{Fleet, JobInfo, JobSpec, COMPLETED};

/// What one submission measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The Print-Job request alone.
    pub latency: Duration,
    /// Submission to "completed at the server and every page in the page logs".
    pub done: Duration,
    /// First and last page in the page logs, from submission (the printers' own clock).
    pub first_page_ms: f64,
    pub last_page_ms: f64,
    /// Pages each printer printed for this job, in fleet order (printers with none left out).
    pub printers: Vec<(String, usize)>,
    /// The job's children (0: not split).
    pub parts: usize,
    pub message: String,
    /// Checked by the pages' markers (else by the simulator's page numbers).
    pub by_marker: bool,
}

/// The page log lines a simulator wrote since a case started: the file is only appended to,
/// so the bench reads from where it was at submission and never parses a line twice.
struct LogTail {
    name: String,
    path: PathBuf,
    offset: u64,
    lines: Vec<String>,
    /// How many of `lines` are the job's.
    matched: usize,
}

impl LogTail {
    fn new(sim: &Sim) -> LogTail {
        let path = sim.page_log_path();
        let offset = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        LogTail { name: sim.name.clone(), path, offset, lines: Vec::new(), matched: 0 }
    }

    /// Reads the complete lines appended since the last call.
    fn poll(&mut self, needles: &[String; 2]) -> io::Result<()> {
        let mut f = match File::open(&self.path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            res => res?,
        };
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)?;
        // A line being written has no newline yet: leave it for the next poll.
        let Some(end) = buf.iter().rposition(|b| *b == b'\n') else { return Ok(()) };
        self.offset += end as u64 + 1;
        let text = String::from_utf8_lossy(&buf[..end]);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            self.matched += usize::from(is_of(line, needles));
            self.lines.push(line.to_string());
        }
        Ok(())
    }
}

/// Submits `job` (a PDF of `pages` pages, tagged `job.tag`) to `queue` and waits.
pub fn run_case(
    fleet: &Fleet,
    sims: &[Sim],
    queue: &str,
    job: &JobSpec,
    pdf: &[u8],
    pages: u32,
    timeout: Duration,
) -> Result<Outcome, String> {
    let kind = fleet.kind();
    let mut tails: Vec<LogTail> = sims.iter().map(LogTail::new).collect();
    let needles = needles(&job.tag);
    let expected = pages as usize * job.copies as usize;
    let t0_ms = unix_ms();
    let t0 = Instant::now();
    let (id, latency) = fleet.submit(queue, job, pdf).map_err(|e| e.to_string())?;
    let mut conn = fleet.connect().map_err(|e| e.to_string())?;
    let mut last_report = Instant::now();
    let (mut last_count, mut last_change) = (0usize, Instant::now());
    let (done, info) = loop {
        for t in &mut tails {
            t.poll(&needles).map_err(|e| format!("page log of {}: {e}", t.name))?;
        }
        let printed: usize = tails.iter().map(|t| t.matched).sum();
        // Asking the server only once the pages are there keeps the bench off its back.
        if printed >= expected {
            let info = job_state(fleet, &mut conn, id)?;
            match info.state {
                Some(COMPLETED) => break (t0.elapsed(), info),
                Some(s @ (7 | 8)) => {
                    return Err(format!("{kind} job {id} ended in state {s}: {}", info.message))
                }
                _ => {}
            }
        }
        // A job the server calls completed whose pages stopped coming will not finish.
        let stalled = printed == last_count
            && last_change.elapsed() >= STALL
            && completed(fleet, &mut conn, id);
        if printed != last_count {
            (last_count, last_change) = (printed, Instant::now());
        }
        if stalled || t0.elapsed() >= timeout {
            let info = job_state(fleet, &mut conn, id).unwrap_or_default();
            let logged: Vec<&String> = tails.iter().flat_map(|t| t.lines.iter()).collect();
            return Err(format!(
                "{kind} job {id}: {printed} of {expected} pages printed after {:.0} s, job-state {:?} ({}); \
                 the page logs got {} lines meanwhile (first: {:?})",
                t0.elapsed().as_secs_f64(),
                info.state,
                info.message,
                logged.len(),
                logged.first()
            ));
        }
        if last_report.elapsed() >= Duration::from_secs(5) {
            last_report = Instant::now();
            eprintln!(
                "    ... {printed}/{expected} pages after {:.0} s",
                t0.elapsed().as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut out = check_pages(&tails, &job.tag, pages, job.copies)?;
    if let (Some(first), Some(last)) = (out.first_ms, out.last_ms) {
        out.first_ms = Some(first.saturating_sub(t0_ms));
        out.last_ms = Some(last.saturating_sub(t0_ms));
    }
    Ok(Outcome {
        latency,
        done,
        first_page_ms: out.first_ms.unwrap_or(0) as f64,
        last_page_ms: out.last_ms.unwrap_or(0) as f64,
        printers: out.per_printer,
        parts: info.children.len(),
        message: info.message,
        by_marker: out.by_marker,
    })
}

/// How long pages may stop coming for a job the server says is completed.
const STALL: Duration = Duration::from_secs(10);

fn completed(fleet: &Fleet, conn: &mut Conn, id: i32) -> bool {
    job_state(fleet, conn, id).is_ok_and(|i| i.state == Some(COMPLETED))
}

/// Get-Job-Attributes, reconnecting once if the keep-alive connection was closed.
fn job_state(fleet: &Fleet, conn: &mut Conn, id: i32) -> Result<JobInfo, String> {
    match fleet.job_state(conn, id) {
        Ok(info) => Ok(info),
        Err(_) => {
            *conn = fleet.connect().map_err(|e| e.to_string())?;
            fleet.job_state(conn, id).map_err(|e| e.to_string())
        }
    }
}

struct Pages {
    first_ms: Option<u64>,
    last_ms: Option<u64>,
    per_printer: Vec<(String, usize)>,
    by_marker: bool,
}

/// What marks a page log line as one of job `tag`'s: its marker, or (the markers hidden)
/// its job name.
fn needles(tag: &str) -> [String; 2] {
    [format!("QPAGE:{tag}:"), format!("\"job-name\":\"{tag}\",")]
}

fn is_of(line: &str, needles: &[String; 2]) -> bool {
    needles.iter().any(|n| line.contains(n.as_str()))
}

/// Every page 1..=`pages` of document `tag` printed exactly `copies` times over all printers,
/// and nothing else of it. By the pages' markers; when no page shows one (cupsd's pdftopdf
/// moves page content into a form XObject, where the simulator does not look), by the
/// simulator's (document, copy, page) numbers of the job's impressions: each once, and as
/// many as asked.
fn check_pages(tails: &[LogTail], tag: &str, pages: u32, copies: u32) -> Result<Pages, String> {
    let needles = needles(tag);
    let (mine_prefix, prefix) = (&needles[0], format!("QPAGE:{tag}:p"));
    let mut tally: BTreeMap<u32, u32> = BTreeMap::new();
    let mut unmarked: BTreeMap<(String, i32, u32, u32, u32), u32> = BTreeMap::new();
    let mut stray = Vec::new();
    let mut out = Pages { first_ms: None, last_ms: None, per_printer: Vec::new(), by_marker: true };
    for t in tails {
        let mut mine = 0;
        for line in t.lines.iter().filter(|l| is_of(l, &needles)) {
            let rec = PageRecord::parse(line)
                .ok_or_else(|| format!("bad page log line from {}: {line}", t.name))?;
            let marker = rec.marker.as_deref().filter(|m| m.starts_with(mine_prefix.as_str()));
            match marker {
                Some(m) => match m
                    .strip_prefix(&prefix)
                    .and_then(|n| n.parse::<u32>().ok())
                    .filter(|n| (1..=pages).contains(n))
                {
                    Some(n) => *tally.entry(n).or_default() += 1,
                    None => stray.push(m.to_string()),
                },
                None if rec.marker.is_none() && rec.job_name == tag => {
                    *unmarked
                        .entry((rec.printer.clone(), rec.job_id, rec.document, rec.copy, rec.page))
                        .or_default() += 1
                }
                None => continue,
            }
            mine += 1;
            out.first_ms = Some(out.first_ms.map_or(rec.ms, |m| m.min(rec.ms)));
            out.last_ms = Some(out.last_ms.map_or(rec.ms, |m| m.max(rec.ms)));
        }
        if mine > 0 {
            out.per_printer.push((t.name.clone(), mine));
        }
    }
    if !stray.is_empty() {
        return Err(format!(
            "page log check for {tag}: {} stray markers {:?}",
            stray.len(),
            stray.iter().take(5).collect::<Vec<_>>()
        ));
    }
    if tally.is_empty() && !unmarked.is_empty() {
        out.by_marker = false;
        let total: u32 = unmarked.values().sum();
        let twice = unmarked.values().filter(|n| **n > 1).count();
        if total != pages * copies || twice > 0 {
            return Err(format!(
                "page log check for {tag} (no markers visible): {total} impressions for {pages} pages x {copies}; {twice} logged more than once"
            ));
        }
        return Ok(out);
    }
    if !unmarked.is_empty() {
        return Err(format!(
            "page log check for {tag}: {} impressions without their marker",
            unmarked.values().sum::<u32>()
        ));
    }
    let wrong: Vec<String> = (1..=pages)
        .filter_map(|n| {
            let c = tally.get(&n).copied().unwrap_or(0);
            (c != copies).then(|| format!("p{n}×{c}"))
        })
        .collect();
    if !wrong.is_empty() {
        let shown: Vec<&String> = wrong.iter().take(10).collect();
        return Err(format!("page log check for {tag}: {} of {pages} pages not printed exactly {copies} time(s) (first: {shown:?})", wrong.len()));
    }
    Ok(out)
}
