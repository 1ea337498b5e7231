//! A print server with one `-m everywhere` queue per simulated printer, and the few IPP
//! requests the split and failover benchmarks send it.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, JobState, Message, Operation, Value};
use quire_tests::simulated_printer::{Sim, SimOptions};
use quire_tests::{Server, ServerKind};

use crate::client::{self, Conn};
use crate::server::{self, ConfigOpts};

/// The class made of every queue on cupsd.
pub const CLASS: &str = "all";

/// Starts `n` equal simulators (same speed, same default security facts) named
/// `<prefix>1..<prefix>n`. `ppm` 0 prints instantly.
pub fn start_sims(prefix: &str, n: usize, ppm: u32) -> io::Result<Vec<Sim>> {
    (1..=n).map(|i| SimOptions::new().name(&format!("{prefix}{i}")).ppm(ppm).start()).collect()
}

/// A server whose queues are named after its simulators.
pub struct Fleet {
    pub srv: Server,
    pub queues: Vec<String>,
}

impl Fleet {
    /// Starts `kind` under `root` (which must not exist) and adds one queue per simulator,
    /// made like an admin would; with `class`, also a class of them all.
    pub fn start(
        kind: ServerKind,
        binary: &Path,
        root: &Path,
        sims: &[Sim],
        class: bool,
    ) -> io::Result<Fleet> {
        let srv = server::start(kind, binary, root, ConfigOpts::default())?;
        let mut queues = Vec::new();
        for sim in sims {
            let out = server::tool(
                &srv,
                120,
                "lpadmin",
                &["-p", &sim.name, "-E", "-v", &sim.uri(), "-m", "everywhere"],
            )?;
            if out.rc != 0 {
                return Err(client::other(format!(
                    "{kind}: lpadmin -p {} -m everywhere failed: {}",
                    sim.name,
                    out.text()
                )));
            }
            if kind == ServerKind::Quired {
                confirm(&srv, &sim.name)?;
            }
            if class {
                let out = server::tool(&srv, 60, "lpadmin", &["-p", &sim.name, "-c", CLASS])?;
                if out.rc != 0 {
                    return Err(client::other(format!(
                        "{kind}: lpadmin -p {} -c {CLASS} failed: {}",
                        sim.name,
                        out.text()
                    )));
                }
            }
            queues.push(sim.name.clone());
        }
        if class {
            // A new class is neither enabled nor accepting on cupsd.
            for (tool, args) in [("cupsenable", vec![CLASS]), ("cupsaccept", vec![CLASS])] {
                let out = server::tool(&srv, 60, tool, &args)?;
                if out.rc != 0 {
                    return Err(client::other(format!(
                        "{kind}: {tool} {CLASS} failed: {}",
                        out.text()
                    )));
                }
            }
        }
        Ok(Fleet { srv, queues })
    }

    pub fn kind(&self) -> ServerKind {
        self.srv.kind()
    }

    fn base_uri(&self) -> String {
        self.srv.uri_base()
    }

    /// Print-Job of `pdf` to `queue`; the job id and how long the request took (first byte
    /// sent to the whole answer read), on a fresh connection.
    pub fn submit(&self, queue: &str, job: &JobSpec, pdf: &[u8]) -> io::Result<(i32, Duration)> {
        let body = print_job(&format!("{}/printers/{queue}", self.base_uri()), job, pdf);
        let mut conn = Conn::connect(self.srv.port(), Duration::from_secs(120))?;
        let t0 = Instant::now();
        let resp = conn.call(&format!("/printers/{queue}"), &body)?;
        let took = t0.elapsed();
        if !client::is_ok(resp.code) {
            let msg =
                resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
            return Err(client::other(format!(
                "Print-Job to {queue}: IPP status 0x{:04x} {msg}",
                resp.code
            )));
        }
        let id = resp.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).ok_or_else(
            || client::other(format!("Print-Job to {queue}: no job-id in the answer")),
        )?;
        Ok((id, took))
    }

    /// The job's state and, for a split job, its children; over `conn`.
    pub fn job_state(&self, conn: &mut Conn, id: i32) -> io::Result<JobInfo> {
        let mut msg = Message::request(Operation::GetJobAttributes, 1);
        let g = msg.group_mut(DelimiterTag::Operation);
        g.push(Attribute::new("job-uri", Value::Uri(format!("{}/jobs/{id}", self.base_uri()))));
        g.push(Attribute::new("requesting-user-name", Value::Name(client::USER.into())));
        g.push(client::requested(&["job-state", "job-state-message", v::CHILD_JOB_IDS]));
        let resp = conn.call("/", &msg.encode())?;
        if !client::is_ok(resp.code) {
            return Err(client::other(format!(
                "Get-Job-Attributes {id}: IPP status 0x{:04x}",
                resp.code
            )));
        }
        let job = |name: &str| resp.attr(DelimiterTag::Job, name);
        Ok(JobInfo {
            state: job("job-state").and_then(|a| a.first_i32()),
            message: job("job-state-message").and_then(|a| a.first_str()).unwrap_or("").to_string(),
            children: job(v::CHILD_JOB_IDS)
                .map(|a| {
                    a.values
                        .iter()
                        .filter_map(|x| if let Value::Integer(i) = x { Some(*i) } else { None })
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// A fresh keep-alive connection to the server.
    pub fn connect(&self) -> io::Result<Conn> {
        Conn::connect(self.srv.port(), Duration::from_secs(60))
    }

    /// Stops the server (SIGTERM, then SIGKILL after a minute).
    pub fn stop(mut self) -> io::Result<()> {
        match server::stop_if_running(&mut self.srv, Duration::from_secs(60)) {
            Some(e) => Err(client::other(e)),
            None => Ok(()),
        }
    }
}

/// An administrator confirms what `queue`'s simulator claims about its security
/// (`quire-security-confirmed`, over IPP: CUPS's lpadmin only sends `*-default` options).
/// quired splits and fails over only between printers whose facts an administrator confirmed.
fn confirm(srv: &Server, queue: &str) -> io::Result<()> {
    let mut msg =
        client::request_as(Operation::CupsAddModifyPrinter, &srv.printer_uri(queue), "root");
    msg.group_mut(DelimiterTag::Printer)
        .push(Attribute::new(v::SECURITY_CONFIRMED, Value::Boolean(true)));
    let resp = Conn::connect(srv.port(), Duration::from_secs(60))?.call("/", &msg.encode())?;
    if !client::is_ok(resp.code) {
        return Err(client::other(format!(
            "confirming {queue}'s security facts: IPP status 0x{:04x}",
            resp.code
        )));
    }
    Ok(())
}

/// What one submission asks for.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// The marker tag of the PDF, also the job name.
    pub tag: String,
    pub copies: u32,
    /// `quire-split=auto`.
    pub split: bool,
}

#[derive(Debug, Clone, Default)]
pub struct JobInfo {
    pub state: Option<i32>,
    pub message: String,
    pub children: Vec<i32>,
}

/// IPP `job-state` completed.
pub const COMPLETED: i32 = JobState::Completed as i32;

/// The Print-Job request: `job` as job template attributes, then the document.
fn print_job(printer_uri: &str, job: &JobSpec, pdf: &[u8]) -> Vec<u8> {
    let mut attrs = Vec::new();
    if job.copies > 1 {
        attrs
            .push(Attribute::new("copies", Value::Integer(job.copies.min(i32::MAX as u32) as i32)));
    }
    if job.split {
        // What `lp -o quire-split=auto` sends.
        attrs.push(Attribute::new(v::SPLIT, Value::Keyword("auto".into())));
    }
    client::print_job(printer_uri, &job.tag, attrs, pdf)
}
