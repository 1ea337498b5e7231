//! `quire failover`: where a job's failover stands (its printer stopped: the printers
//! that may take the rest, and every decision so far), or the user's choice of printer
//! for the rest of the job, sent as CUPS-Move-Job like CUPS's lpmove sends it.

use quire_ipp::vendor as qv;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

use crate::args::{connection_option, parse_job_id, tokenize, Tok};
use crate::session::{job_uri, keywords, op_attr, printer_uri, CliError, Ctx};

pub const USAGE: &str = "Usage: quire failover [options] job-id
       quire failover [options] job-id destination
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-U username             Specify the username to use for authentication

With only a job ID, shows where the job's failover stands: its state, the
scheduler's message, the printers that may take the rest (qualifying first)
and every decision so far. With a destination, moves the rest of a job whose
printer stopped (the pages not yet printed) to that printer.";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct FailoverArgs {
    pub job_id: i32,
    /// The printer to take the rest of the job; None shows the job's failover.
    pub printer: Option<String>,
}

/// Failover states in which the job waits on its stopped printer: the only ones in which
/// a move takes just the rest of the job.
pub const WAITING: &[&str] = &["watching", "awaiting-choice", "no-qualified-printer"];

/// What Get-Job-Attributes asks for.
const JOB_ATTRS: &[&str] = &[
    "job-id",
    "job-printer-uri",
    "job-state",
    "job-state-reasons",
    "job-state-message",
    "parent-job-id",
    qv::FAILOVER_STATE,
    qv::FAILOVER_CANDIDATES,
    qv::FAILOVER_LOG,
    qv::SPLIT_PARTS,
];

/// Parses the arguments; server/user/encryption go straight into `ctx`. None: --help.
pub fn parse_args(ctx: &mut Ctx, args: &[String]) -> Result<Option<FailoverArgs>, CliError> {
    let mut operands = Vec::new();
    for tok in tokenize(args, connection_option)? {
        match tok {
            Tok::Help => return Ok(None),
            Tok::Operand(o) => operands.push(o),
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt('U', v) => ctx.set_user(v.as_deref().unwrap_or_default()),
            Tok::Opt(c, _) => {
                return Err(CliError::Usage(format!("Error - unknown option \"{c}\".")))
            }
        }
    }
    let (id, printer) = match operands.as_slice() {
        [id] => (id, None),
        [id, printer] => (id, Some(printer)),
        [] => return Err(CliError::Usage("Error - need a job ID.".into())),
        [_, _, extra, ..] => {
            return Err(CliError::Usage(format!("Error - unexpected argument \"{extra}\".")))
        }
    };
    let job_id =
        parse_job_id(id).ok_or_else(|| CliError::Usage(format!("Error - bad job ID \"{id}\".")))?;
    if let Some(p) = printer {
        crate::lpadmin::check_name(p)?;
    }
    Ok(Some(FailoverArgs { job_id, printer: printer.cloned() }))
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let Some(a) = parse_args(ctx, args)? else {
        out!("{USAGE}");
        return Ok(0);
    };
    let job = get_job(ctx, a.job_id)?;
    match &a.printer {
        None => report(a.job_id, &job).iter().for_each(|l| out!("{l}")),
        Some(printer) => {
            check_waiting(a.job_id, &job)?;
            let req = move_request(ctx, a.job_id, printer);
            ctx.call("/jobs/", &req)?;
            out!("quire: moving the rest of job {} to {printer}.", a.job_id);
        }
    }
    Ok(0)
}

/// Get-Job-Attributes; an IPP error (no such job, not allowed) is the server's message.
fn get_job(ctx: &mut Ctx, id: i32) -> Result<Group, CliError> {
    let mut req = ctx.request(Operation::GetJobAttributes, None);
    op_attr(&mut req, Attribute::new("job-uri", Value::Uri(job_uri(id))));
    op_attr(&mut req, keywords(JOB_ATTRS));
    let resp = ctx.call("/jobs/", &req)?;
    Ok(resp.group(DelimiterTag::Job).cloned().unwrap_or_else(|| Group::new(DelimiterTag::Job)))
}

/// CUPS-Move-Job of job `id` to `printer`, as CUPS's lpmove builds it.
pub fn move_request(ctx: &Ctx, id: i32, printer: &str) -> Message {
    let mut req = ctx.request(Operation::CupsMoveJob, None);
    op_attr(&mut req, Attribute::new("job-uri", Value::Uri(job_uri(id))));
    req.group_mut(DelimiterTag::Job)
        .push(Attribute::new("job-printer-uri", Value::Uri(printer_uri(printer))));
    req
}

/// Refuses to move a job that is not waiting on its stopped printer: the scheduler would
/// move the whole job (restarting it), which is lpmove's business, not failover's.
pub fn check_waiting(id: i32, job: &Group) -> Result<(), CliError> {
    match state(job) {
        Some(s) if WAITING.contains(&s) => Ok(()),
        Some(s) => Err(CliError::Msg(format!(
            "Job {id} is not waiting on a stopped printer (failover state: {s}); nothing was moved."
        ))),
        None => Err(CliError::Msg(format!(
            "Job {id} is not waiting on a stopped printer (it has no failover record); nothing was moved. \
             To move the whole job, use lpmove."
        ))),
    }
}

fn state(job: &Group) -> Option<&str> {
    job.get(qv::FAILOVER_STATE).and_then(Attribute::first_str)
}

/// Whether a `quire-failover-candidates` line names a printer that may take the rest
/// ("draft: does not qualify: ..." does not). Printer names hold no spaces, so the
/// first ": " ends the name.
pub fn qualifies(line: &str) -> bool {
    !line.split_once(": ").is_some_and(|(_, rest)| rest.starts_with("does not qualify"))
}

/// The candidates, qualifying printers first, each group in the scheduler's order.
pub fn candidates(job: &Group) -> Vec<&str> {
    let all: Vec<&str> =
        job.get(qv::FAILOVER_CANDIDATES).map(|a| a.strs().collect()).unwrap_or_default();
    let (mut good, bad): (Vec<&str>, Vec<&str>) = all.into_iter().partition(|l| qualifies(l));
    good.extend(bad);
    good
}

/// What `quire failover JOB` prints for job `id`.
pub fn report(id: i32, job: &Group) -> Vec<String> {
    let Some(st) = state(job) else {
        let parent = job.get("parent-job-id").and_then(Attribute::first_i32);
        return vec![match parent {
            Some(p) => format!("Job {id} has no failover record; it is part of job {p} (see \"quire failover {p}\")."),
            None => format!("Job {id} has no failover record (its printer has not stopped during it, or failover is off for it)."),
        }];
    };
    let text = |n: &str| job.get(n).and_then(Attribute::first_str).filter(|m| !m.is_empty());
    let printer = text("job-printer-uri").and_then(|u| u.rsplit('/').next());
    let mut lines = vec![match printer {
        Some(p) => format!("Job {id} on {p}"),
        None => format!("Job {id}"),
    }];
    lines.push(format!("\tFailover: {st}"));
    if let Some(m) = text("job-state-message") {
        lines.push(format!("\tStatus: {m}"));
    }
    if WAITING.contains(&st) {
        let cands = candidates(job);
        if cands.is_empty() {
            lines.push("\tCandidates: none (there is no other printer)".into());
        } else {
            lines.push("\tCandidates:".into());
            lines.extend(cands.iter().map(|c| format!("\t\t{c}")));
        }
    }
    let list = |name: &str| {
        job.get(name).map(|a| a.strs().map(|s| format!("\t\t{s}")).collect::<Vec<_>>())
    };
    if let Some(parts) = list(qv::SPLIT_PARTS).filter(|p| !p.is_empty()) {
        lines.push("\tParts:".into());
        lines.extend(parts);
    }
    if let Some(log) = list(qv::FAILOVER_LOG).filter(|l| !l.is_empty()) {
        lines.push("\tLog:".into());
        lines.extend(log);
    }
    lines
}

#[cfg(test)]
#[path = "failover_tests.rs"]
mod tests;
