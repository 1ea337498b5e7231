//! `quire cancel`: Cancel-Job / Cancel-Jobs / Cancel-My-Jobs / Purge-Jobs,
//! sent the way CUPS's cancel sends them.

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};

use crate::args::{tokenize, ArgKind, Tok};
use crate::session::{
    ipp_ok, job_uri, listed_names, names_request, op_attr, printer_uri, CliError, Ctx,
};

pub const USAGE: &str = "Usage: quire cancel [options] [id]
       quire cancel [options] [destination]
       quire cancel [options] [destination-id]
Options:
-a                      Cancel all jobs
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-u owner                Specify the owner to use for jobs
-U username             Specify the username to use for authentication
-x                      Purge jobs rather than just canceling";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'a' | 'x' | 'E' => Some(ArgKind::Flag),
        'h' | 'u' | 'U' => Some(ArgKind::Value),
        _ => None,
    }
}

/// What one operand names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// "-": the current job.
    Current,
    /// A destination: its current job (or all its jobs with -a).
    Dest(String),
    Job(i32),
}

/// Classifies an operand as CUPS does: a known destination wins, then
/// "dest-123" / "123" are job ids.
pub fn classify(arg: &str, dests: &[String]) -> Option<Target> {
    if arg == "-" {
        return Some(Target::Current);
    }
    if dests.iter().any(|d| d.eq_ignore_ascii_case(arg)) {
        return Some(Target::Dest(arg.to_string()));
    }
    let tail = match arg.rsplit_once('-') {
        Some((_, t)) if t.starts_with(|c: char| c.is_ascii_digit()) => t,
        _ if arg.starts_with(|c: char| c.is_ascii_digit()) => arg,
        _ => return None,
    };
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&n| n > 0).map(Target::Job)
}

struct State {
    op: Operation,
    purge: bool,
    user: Option<String>,
    dests: Option<Vec<String>>,
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let toks = tokenize(args, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{USAGE}");
        return Ok(0);
    }
    let mut st = State { op: Operation::CancelJob, purge: false, user: None, dests: None };
    let mut any_operand = false;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Opt(c, v) => option(ctx, &mut st, *c, v.as_deref())?,
            Tok::Operand(arg) => {
                any_operand = true;
                let dests = dest_names(ctx, &mut st)?;
                let target = classify(arg, &dests).ok_or_else(|| {
                    CliError::Msg(format!("Error - unknown destination \"{arg}\"."))
                })?;
                // Solaris compatibility: "cancel 12 Q" ignores the Q.
                if let (Target::Job(_), Some(Tok::Operand(next))) = (&target, toks.get(i + 1)) {
                    if dests.iter().any(|d| d.eq_ignore_ascii_case(next)) {
                        i += 1;
                    }
                }
                cancel_target(ctx, &mut st, target)?;
            }
            Tok::Help => {}
        }
        i += 1;
    }
    if !any_operand && st.op != Operation::CancelJob {
        cancel_all(ctx, &st)?;
    }
    Ok(0)
}

fn option(ctx: &mut Ctx, st: &mut State, c: char, v: Option<&str>) -> Result<(), CliError> {
    match c {
        'E' => ctx.request_encryption(),
        'U' => ctx.set_user(v.unwrap_or_default()),
        'h' => ctx.set_server(v.unwrap_or_default())?,
        'a' => st.op = if st.purge { Operation::PurgeJobs } else { Operation::CancelJobs },
        'u' => {
            st.op = Operation::CancelMyJobs;
            st.user = v.map(str::to_string);
        }
        'x' => {
            st.purge = true;
            if st.op == Operation::CancelJobs {
                st.op = Operation::PurgeJobs;
            }
        }
        _ => return Err(CliError::Usage(format!("Error - unknown option \"{c}\"."))),
    }
    Ok(())
}

/// Printer and class names, fetched once (CUPS-Get-Printers).
fn dest_names(ctx: &mut Ctx, st: &mut State) -> Result<Vec<String>, CliError> {
    if let Some(d) = &st.dests {
        return Ok(d.clone());
    }
    let req = names_request(ctx, Operation::CupsGetPrinters);
    let names = listed_names(&ipp_ok(ctx.send("/", &req, None)?)?);
    st.dests = Some(names.clone());
    Ok(names)
}

fn failed(st: &State, e: CliError) -> CliError {
    let what = if st.op == Operation::PurgeJobs { "purge-jobs" } else { "cancel-job" };
    match e {
        CliError::Msg(m) => CliError::Msg(format!("{what} failed: {m}")),
        other => other,
    }
}

fn cancel_target(ctx: &mut Ctx, st: &mut State, target: Target) -> Result<(), CliError> {
    let (dest, job_id) = match target {
        Target::Current => (Some(String::new()), 0),
        Target::Dest(d) => (Some(d), 0),
        Target::Job(id) => {
            st.op = Operation::CancelJob;
            (None, id)
        }
    };
    let mut req = ctx.request(st.op, dest.as_deref().map(printer_uri).as_deref());
    match &dest {
        Some(_) => op_attr(&mut req, Attribute::new("job-id", Value::Integer(job_id))),
        None => op_attr(&mut req, Attribute::new("job-uri", Value::Uri(job_uri(job_id)))),
    }
    let mut resource_op = st.op;
    add_user(&mut req, st);
    if st.user.is_some() && st.op == Operation::CancelJobs {
        resource_op = Operation::CancelMyJobs;
    }
    if st.purge {
        // Cancel-Job's own operation attribute is purge-job (RFC 8011/CUPS
        // scheduler); the multi-job operations take purge-jobs.
        let name = if st.op == Operation::CancelJob { "purge-job" } else { "purge-jobs" };
        op_attr(&mut req, Attribute::new(name, Value::Boolean(true)));
    }
    let admin = resource_op == Operation::CancelJobs
        && !matches!(st.user.as_deref(), Some(u) if u.eq_ignore_ascii_case(&ctx.user()));
    let resource = if admin { "/admin/" } else { "/jobs/" };
    ctx.call(resource, &req).map(drop).map_err(|e| failed(st, e))
}

/// Replaces requesting-user-name with -u's owner and adds my-jobs, as CUPS does.
fn add_user(req: &mut quire_ipp::Message, st: &State) {
    if let Some(u) = &st.user {
        let g = req.group_mut(DelimiterTag::Operation);
        g.attributes.retain(|a| a.name != "requesting-user-name");
        g.push(Attribute::new("requesting-user-name", Value::Name(u.clone())));
        g.push(Attribute::new("my-jobs", Value::Boolean(true)));
    }
}

/// `cancel -a` (or -u) with no operand: every destination.
fn cancel_all(ctx: &mut Ctx, st: &State) -> Result<(), CliError> {
    let mut req = ctx.request(st.op, Some("ipp://localhost/printers/"));
    add_user(&mut req, st);
    op_attr(&mut req, Attribute::new("purge-jobs", Value::Boolean(st.purge)));
    ctx.call("/admin/", &req).map(drop).map_err(|e| failed(st, e))
}

#[cfg(test)]
#[path = "cancel_tests.rs"]
mod tests;
