//! `quire release`: releases, deletes or lists the user's confidential held jobs.
//!
//! A confidential job prints only after its owner proves who they are: a password
//! (checked by the scheduler with PAM, sent as HTTP Basic credentials) or, for a PIN job,
//! the job's PIN (`job-password`). The credentials are asked once and every request goes
//! over one connection carrying them; a refusal (HTTP 401, or 403 when the scheduler
//! locked the user out after failed logins) ends the command without asking again, so a
//! mistyped password never turns into a run of failed logins.

use quire_client::ClientError;
use quire_ipp::vendor as qv;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

use crate::args::{connection_option, parse_job_id, tokenize, ArgKind, Tok};
use crate::prompt;
use crate::session::{
    groups, is_ok, job_uri, keywords, op_attr, printer_uri, status_text, CliError, Ctx,
};

pub const USAGE: &str = "Usage: quire release [options] job-id ...
       quire release [options] --pin job-id
       quire release [options] --all [printer]
       quire release [options] --delete job-id ...
       quire release [options] --list
Options:
--all                   Release all your held confidential jobs, on one printer or on all
--delete                Delete held confidential jobs unprinted
--list                  List your held confidential jobs
--pin                   Release a job held for its PIN (asks for the PIN)
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-U username             Authenticate as this user instead of asking

Releases confidential held jobs: asks for the user name (default: your login
name) and the password on the terminal, without echo, and sends them once,
over one connection. A PIN job needs only its PIN, unless the server also asks
for a password. A refused password is not asked again.

Without a terminal on standard input (scripts, tests), no prompt is written:
the password or PIN is the first line of standard input (with --pin, the PIN,
then the password if the server asks for one) and the user is -U's or your
login name. The environment variables QUIRE_PASSWORD and QUIRE_PIN, if set,
give the password and the PIN instead; they are meant for scripts and tests
(a process's environment can be read by other processes of the same user).

Exit status: 0 if everything asked was done, 1 otherwise.";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Release-Job of each job, as its password-authenticated owner.
    Release(Vec<i32>),
    /// Release-Job with the job's PIN.
    Pin(i32),
    /// Quire-Release-My-Jobs on one printer, or on all.
    All(Option<String>),
    /// Cancel-Job with purge-job of each job.
    Delete(Vec<i32>),
    /// Get-Jobs of the user's held confidential jobs.
    List,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ReleaseArgs {
    pub mode: Mode,
    /// `-U`: the user to authenticate as (no user name prompt).
    pub user: Option<String>,
}

/// The long options (each chooses a mode).
const LONG: [&str; 4] = ["--all", "--delete", "--list", "--pin"];

/// Takes the long options out of `args` for the CUPS-style scan of the rest. The value
/// of `-h`/`-U` is never taken for one (`-U --all` names a user), and after "--" all
/// words are operands.
pub fn split_long(args: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut long, mut rest) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            rest.extend_from_slice(&args[i - 1..]);
            break;
        }
        if LONG.contains(&arg.as_str()) {
            long.push(arg.clone());
            continue;
        }
        rest.push(arg.clone());
        if value_follows(arg) {
            if let Some(v) = args.get(i) {
                rest.push(v.clone());
                i += 1;
            }
        }
    }
    (long, rest)
}

/// Whether a short-option word ends with an option whose value is the next word ("-U").
fn value_follows(arg: &str) -> bool {
    let Some(body) = arg.strip_prefix('-').filter(|b| !b.is_empty() && !b.starts_with('-')) else {
        return false;
    };
    for (pos, c) in body.char_indices() {
        if connection_option(c) == Some(ArgKind::Value) {
            return pos + c.len_utf8() == body.len();
        }
    }
    false
}

/// Parses the arguments; the server and encryption go straight into `ctx`. None: --help.
pub fn parse_args(ctx: &mut Ctx, args: &[String]) -> Result<Option<ReleaseArgs>, CliError> {
    let (long, rest) = split_long(args);
    let mut operands = Vec::new();
    let mut user = None;
    for tok in tokenize(&rest, connection_option)? {
        match tok {
            Tok::Help => return Ok(None),
            Tok::Operand(o) => operands.push(o),
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt('U', v) => match v.filter(|u| !u.trim().is_empty()) {
                Some(u) => user = Some(u),
                None => {
                    return Err(CliError::Usage("Error - empty user name after \"-U\".".into()))
                }
            },
            Tok::Opt(c, _) => {
                return Err(CliError::Usage(format!("Error - unknown option \"{c}\".")))
            }
        }
    }
    let mode = mode(&long, operands)?;
    Ok(Some(ReleaseArgs { mode, user }))
}

fn mode(long: &[String], operands: Vec<String>) -> Result<Mode, CliError> {
    let mut chosen: Option<&str> = None;
    for l in long {
        match chosen {
            Some(c) if c != l => {
                return Err(CliError::Usage(format!(
                    "Error - \"{c}\" and \"{l}\" cannot be used together."
                )));
            }
            _ => chosen = Some(l),
        }
    }
    let extra = |o: &String| CliError::Usage(format!("Error - unexpected argument \"{o}\"."));
    match chosen {
        None => Ok(Mode::Release(job_ids(&operands, "")?)),
        Some("--delete") => Ok(Mode::Delete(job_ids(&operands, " to delete")?)),
        Some("--pin") => match job_ids(&operands, " after \"--pin\"")?.as_slice() {
            [id] => Ok(Mode::Pin(*id)),
            _ => Err(CliError::Usage(
                "Error - \"--pin\" takes one job ID (each job has its own PIN).".into(),
            )),
        },
        Some("--all") => match operands.as_slice() {
            [] => Ok(Mode::All(None)),
            [p] => {
                crate::lpadmin::check_name(p)?;
                Ok(Mode::All(Some(p.clone())))
            }
            [_, o, ..] => Err(extra(o)),
        },
        _ => match operands.first() {
            None => Ok(Mode::List),
            Some(o) => Err(extra(o)),
        },
    }
}

/// The job IDs ("12" or "office-12"); at least one.
fn job_ids(operands: &[String], what: &str) -> Result<Vec<i32>, CliError> {
    if operands.is_empty() {
        return Err(CliError::Usage(format!("Error - need a job ID{what}.")));
    }
    operands
        .iter()
        .map(|o| {
            parse_job_id(o).ok_or_else(|| CliError::Usage(format!("Error - bad job ID \"{o}\".")))
        })
        .collect()
}

/// Runs the command. Failures after the arguments are printed as "quire: ..." here
/// (exit status 1); argument errors go back to main, which adds the usage hint.
pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let Some(a) = parse_args(ctx, args)? else {
        out!("{USAGE}");
        return Ok(0);
    };
    let user = a.user.as_deref();
    let result = match &a.mode {
        Mode::Release(ids) => per_job(ctx, user, ids, Action::Release),
        Mode::Delete(ids) => per_job(ctx, user, ids, Action::Delete),
        Mode::Pin(id) => release_with_pin(ctx, user, *id),
        Mode::All(printer) => release_all(ctx, user, printer.as_deref()),
        Mode::List => list(ctx, user),
    };
    result.or_else(|e| {
        eprintln!("quire: {e}");
        Ok(1)
    })
}

/// Asks for the credentials and puts them on the (new) connection; returns the user.
fn authenticate(ctx: &mut Ctx, user: Option<&str>) -> Result<String, CliError> {
    let creds = prompt::credentials(user, &ctx.host_name()?)?;
    ctx.set_credentials(&creds.user, &creds.password);
    Ok(creds.user)
}

/// Sends a request; a refused login (401) or a lockout (403) is the error that ends the
/// command. The IPP status is left to the caller.
fn send(ctx: &mut Ctx, resource: &str, req: &Message, user: &str) -> Result<Message, CliError> {
    ctx.send(resource, req, None).map_err(|e| refused(e, user))
}

/// The message for an HTTP refusal: 401 names the user, 403 is the server's text.
pub fn refused(e: CliError, user: &str) -> CliError {
    match e {
        CliError::Client(ClientError::Unauthorized) => {
            CliError::Msg(format!("Authentication failed for {user}."))
        }
        CliError::Client(ClientError::Http { status: 403, body, reason }) => {
            CliError::Msg(if body.is_empty() { format!("HTTP error 403 {reason}") } else { body })
        }
        other => other,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Release,
    Delete,
}

/// The request that releases (Release-Job) or deletes (Cancel-Job, purge-job) job `id`,
/// addressed by job-uri as `cancel` addresses jobs.
pub fn job_request(ctx: &Ctx, id: i32, action: Action) -> Message {
    let op = match action {
        Action::Release => Operation::ReleaseJob,
        Action::Delete => Operation::CancelJob,
    };
    let mut req = ctx.request(op, None);
    op_attr(&mut req, Attribute::new("job-uri", Value::Uri(job_uri(id))));
    if action == Action::Delete {
        op_attr(&mut req, Attribute::new("purge-job", Value::Boolean(true)));
    }
    req
}

/// Release-Job with the job's PIN as `job-password`.
pub fn pin_request(ctx: &Ctx, id: i32, pin: &str) -> Message {
    let mut req = job_request(ctx, id, Action::Release);
    op_attr(&mut req, Attribute::new("job-password", Value::OctetString(pin.as_bytes().to_vec())));
    req
}

/// Each job in turn over one authenticated connection. An IPP error is reported for its
/// job and the rest go on; a refused login ends it all.
fn per_job(
    ctx: &mut Ctx,
    user: Option<&str>,
    ids: &[i32],
    action: Action,
) -> Result<i32, CliError> {
    let user = authenticate(ctx, user)?;
    let mut code = 0;
    for &id in ids {
        let req = job_request(ctx, id, action);
        let resp = send(ctx, "/jobs/", &req, &user)?;
        match outcome(id, &resp, action) {
            Ok(line) => out!("{line}"),
            Err(line) => {
                eprintln!("quire: {line}");
                code = 1;
            }
        }
    }
    Ok(code)
}

/// What to say about job `id`: Ok for stdout, Err for stderr ("Job #7: ...").
pub fn outcome(id: i32, resp: &Message, action: Action) -> Result<String, String> {
    if !is_ok(resp) {
        return Err(format!("Job #{id}: {}", status_text(resp)));
    }
    Ok(match action {
        Action::Release => format!("Released job {id}."),
        Action::Delete => format!("Deleted job {id}."),
    })
}

/// A PIN job: the PIN alone; a password only if the server answers 401, then once.
fn release_with_pin(ctx: &mut Ctx, user: Option<&str>, id: i32) -> Result<i32, CliError> {
    let pin = prompt::pin(id)?;
    if pin.is_empty() {
        return Err(CliError::Msg(format!("No PIN given for job {id}.")));
    }
    if let Some(u) = user {
        ctx.set_user(u);
    }
    let req = pin_request(ctx, id, &pin);
    let resp = match ctx.send("/jobs/", &req, None) {
        Err(CliError::Client(ClientError::Unauthorized)) => {
            let user = authenticate(ctx, user)?;
            let req = pin_request(ctx, id, &pin);
            send(ctx, "/jobs/", &req, &user)?
        }
        other => other.map_err(|e| refused(e, &ctx.user()))?,
    };
    match outcome(id, &resp, Action::Release) {
        Ok(line) => {
            out!("{line}");
            Ok(0)
        }
        Err(line) => Err(CliError::Msg(line)),
    }
}

/// Quire-Release-My-Jobs on `printer` (or every printer): one authentication, one request.
fn release_all(ctx: &mut Ctx, user: Option<&str>, printer: Option<&str>) -> Result<i32, CliError> {
    let user = authenticate(ctx, user)?;
    let req = release_all_request(ctx, printer);
    let resp = send(ctx, "/jobs/", &req, &user)?;
    if !is_ok(&resp) {
        return Err(CliError::Msg(status_text(&resp)));
    }
    out!("{}", released_text(&resp));
    Ok(0)
}

pub fn release_all_request(ctx: &Ctx, printer: Option<&str>) -> Message {
    let uri = printer.map(printer_uri).unwrap_or_else(|| "ipp://localhost/".to_string());
    ctx.request(Operation::QuireReleaseMyJobs, Some(&uri))
}

/// The ids in `quire-released-job-ids` (a job group; the operation group also taken).
pub fn released_ids(resp: &Message) -> Vec<i32> {
    let attr = resp
        .attr(DelimiterTag::Job, qv::RELEASED_JOB_IDS)
        .or_else(|| resp.operation_attr(qv::RELEASED_JOB_IDS));
    attr.map(|a| a.values.iter().filter_map(Value::as_i32).collect()).unwrap_or_default()
}

/// "Released jobs 4, 5, 7." from the ids; the server's status-message instead when it
/// says more than that (PIN jobs left held) or nothing was released.
pub fn released_text(resp: &Message) -> String {
    let ids = released_ids(resp);
    let list: Vec<String> = ids.iter().map(i32::to_string).collect();
    let message = resp
        .operation_attr("status-message")
        .and_then(Attribute::first_str)
        .filter(|m| !m.is_empty());
    let plain = format!("Released {} job(s): {}.", ids.len(), list.join(", "));
    match (ids.len(), message) {
        (0, None) => "No jobs were released.".into(),
        (_, Some(m)) if ids.is_empty() || m != plain => m.to_string(),
        (1, _) => format!("Released job {}.", list.join("")),
        _ => format!("Released jobs {}.", list.join(", ")),
    }
}

/// What `--list` asks for.
pub const LIST_ATTRS: &[&str] = &[
    "job-id",
    "job-name",
    "job-state",
    "job-state-reasons",
    "job-printer-uri",
    qv::CONFIDENTIAL,
    qv::CONFIDENTIAL_EXPIRES,
    "job-release-action",
];

pub fn list_request(ctx: &Ctx) -> Message {
    let mut req = ctx.request(Operation::GetJobs, Some("ipp://localhost/"));
    op_attr(&mut req, Attribute::new("which-jobs", Value::Keyword("not-completed".into())));
    op_attr(&mut req, Attribute::new("my-jobs", Value::Boolean(true)));
    op_attr(&mut req, keywords(LIST_ATTRS));
    req
}

fn list(ctx: &mut Ctx, user: Option<&str>) -> Result<i32, CliError> {
    let user = authenticate(ctx, user)?;
    let req = list_request(ctx);
    let resp = send(ctx, "/", &req, &user)?;
    if !is_ok(&resp) {
        return Err(CliError::Msg(status_text(&resp)));
    }
    let jobs = held_jobs(&resp);
    if jobs.is_empty() {
        out!("You have no held confidential jobs.");
        return Ok(0);
    }
    list_lines(&jobs, &|t| format_local(t, local_offset(t))).iter().for_each(|l| out!("{l}"));
    Ok(0)
}

/// One held confidential job, as `--list` shows it.
#[derive(Debug, PartialEq, Eq)]
pub struct HeldJob {
    pub id: i32,
    pub printer: String,
    pub name: String,
    /// Released with its PIN (`job-password`), else with the owner's password.
    pub pin: bool,
    pub expires: Option<i64>,
}

const HELD: i32 = 4;

/// The jobs in a Get-Jobs response that are confidential and still held.
pub fn held_jobs(resp: &Message) -> Vec<HeldJob> {
    groups(resp, DelimiterTag::Job).filter_map(held_job).collect()
}

fn held_job(g: &Group) -> Option<HeldJob> {
    let int = |n: &str| g.get(n).and_then(Attribute::first_i32);
    let text = |n: &str| g.get(n).and_then(Attribute::first_str).filter(|s| !s.is_empty());
    let confidential = g.get(qv::CONFIDENTIAL).and_then(Attribute::first_bool) == Some(true);
    if !confidential || int("job-state") != Some(HELD) {
        return None;
    }
    let printer = text("job-printer-uri").and_then(|u| u.rsplit('/').next()).unwrap_or("-");
    Some(HeldJob {
        id: int("job-id")?,
        printer: printer.to_string(),
        name: text("job-name").unwrap_or("(untitled)").to_string(),
        pin: text("job-release-action") == Some("job-password"),
        expires: int(qv::CONFIDENTIAL_EXPIRES).map(i64::from),
    })
}

/// One aligned line per job: id, printer, name, how it is released, when it expires.
pub fn list_lines(jobs: &[HeldJob], time: &dyn Fn(i64) -> String) -> Vec<String> {
    let width = |f: &dyn Fn(&HeldJob) -> usize| jobs.iter().map(f).max().unwrap_or(0);
    let id_w = width(&|j| j.id.to_string().len());
    let printer_w = width(&|j| j.printer.chars().count());
    let name_w = width(&|j| j.name.chars().count());
    jobs.iter()
        .map(|j| {
            let by = if j.pin { "PIN" } else { "password" };
            let expires = j
                .expires
                .map(|t| format!("expires {}", time(t)))
                .unwrap_or_else(|| "no expiry".into());
            let line = format!(
                "{:<id_w$}  {:<printer_w$}  {:<name_w$}  release by: {by:<8}  {expires}",
                j.id, j.printer, j.name
            );
            line.trim_end().to_string()
        })
        .collect()
}

/// This machine's UTC offset at `secs`, in seconds; None when it cannot be known (then
/// times are shown in UTC).
pub fn local_offset(secs: i64) -> Option<i32> {
    let at = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    time::UtcOffset::local_offset_at(at).ok().map(time::UtcOffset::whole_seconds)
}

/// "2026-11-23 10:00 +0100" (local time with its offset), or "... UTC" without an offset.
pub fn format_local(secs: i64, offset: Option<i32>) -> String {
    let t = quire_ipp::DateTime::from_unix_utc(secs.saturating_add(i64::from(offset.unwrap_or(0))));
    let day = format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year, t.month, t.day, t.hour, t.minutes);
    match offset {
        None => format!("{day} UTC"),
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let m = o.unsigned_abs() / 60;
            format!("{day} {sign}{:02}{:02}", m / 60, m % 60)
        }
    }
}

#[cfg(test)]
#[path = "release_tests.rs"]
mod tests;
