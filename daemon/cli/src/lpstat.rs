//! `quire lpstat`: the same requests and output as CUPS's lpstat. Options
//! act in command-line order, as in CUPS (so `-W` and `-l` affect only the
//! options after them).

use quire_ipp::vendor as qv;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

use crate::args::{match_list, tokenize, ArgKind, Tok};
use crate::output::format_time;
use crate::session::{groups, ipp_ok, is_not_found, keywords, op_attr, printer_uri, CliError, Ctx};

pub const USAGE: &str = "Usage: quire lpstat [options]
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-l                      Show verbose (long) output
-U username             Specify the username to use for authentication
-H                      Show the default server and port
-W completed            Show completed jobs
-W not-completed        Show pending jobs
-W all                  Show all jobs
-a [destination(s)]     Show the accepting state of destinations
-c [class(es)]          Show classes and their member printers
-d                      Show the default destination
-e                      Show available destinations
-o [destination(s)]     Show jobs
-p [printer(s)]         Show the processing state of destinations
-r                      Show whether the scheduler is running
-R                      Show the ranking of jobs
-s                      Show a status summary
-t                      Show all status information
-u [user(s)]            Show jobs queued by the current or specified users
-v [printer(s)]         Show the devices for each destination";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'D' | 'E' | 'H' | 'R' | 'd' | 'e' | 'l' | 'r' | 's' | 't' => Some(ArgKind::Flag),
        'U' | 'W' | 'S' | 'f' | 'h' => Some(ArgKind::Value),
        'a' | 'c' | 'o' | 'p' | 'u' | 'v' => Some(ArgKind::Optional),
        _ => None,
    }
}

struct State {
    long: u8,
    ranking: bool,
    which: String,
    /// Destinations from CUPS-Get-Printers (cupsGetDests).
    dests: Option<Dests>,
}

#[derive(Default)]
struct Dests {
    names: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let toks = tokenize(args, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{USAGE}");
        return Ok(0);
    }
    let mut st = State { long: 0, ranking: false, which: "not-completed".into(), dests: None };
    let mut status = 0;
    let mut did_op = false;
    for tok in toks {
        let (c, v) = match tok {
            Tok::Operand(d) => {
                status |= show_jobs(ctx, &st, Some(&d), None)?;
                did_op = true;
                continue;
            }
            Tok::Opt(c, v) => (c, v),
            Tok::Help => continue,
        };
        did_op |= !matches!(c, 'D' | 'E' | 'R' | 'U' | 'W' | 'h' | 'l');
        status |= one_option(ctx, &mut st, c, v)?;
    }
    if !did_op {
        let user = ctx.user();
        status |= show_jobs(ctx, &st, None, Some(&user))?;
    }
    Ok(status)
}

fn one_option(ctx: &mut Ctx, st: &mut State, c: char, v: Option<String>) -> Result<i32, CliError> {
    let v = v.as_deref();
    let mut status = 0;
    match c {
        'D' => st.long = 1,
        'E' => ctx.request_encryption(),
        'R' => st.ranking = true,
        'U' => ctx.set_user(v.unwrap_or_default()),
        'h' => ctx.set_server(v.unwrap_or_default())?,
        'l' => st.long = 2,
        'W' => match v {
            Some(w @ ("completed" | "not-completed" | "all")) => st.which = w.to_string(),
            _ => return Err(CliError::Usage(
                "Error - need \"completed\", \"not-completed\", or \"all\" after \"-W\" option."
                    .into(),
            )),
        },
        'S' | 'f' => {}
        'H' => out!("{}", ctx.destination()?),
        'a' | 'p' | 'v' | 'o' | 'c' => {
            if let Some(list) = v {
                check_dest(ctx, st, list)?;
            } else if c != 'o' && c != 'c' {
                load_dests(ctx, st)?;
            }
            status |= match c {
                'a' => show_accepting(ctx, v)?,
                'p' => show_printers(ctx, st, v)?,
                'v' => show_devices(ctx, v)?,
                'o' => show_jobs(ctx, st, v, None)?,
                _ => show_classes(ctx, v)?,
            };
        }
        'u' => status |= show_jobs(ctx, st, None, v)?,
        'd' => show_default(named_default(ctx)?),
        'e' => {
            load_dests(ctx, st)?;
            st.dests.iter().flat_map(|d| &d.names).for_each(|n| out!("{n}"));
        }
        'r' => show_scheduler(ctx),
        's' | 't' => status |= summary(ctx, st, c == 't')?,
        _ => return Err(CliError::Usage(format!("Error - unknown option \"{c}\"."))),
    }
    Ok(status)
}

/// -s and -t.
fn summary(ctx: &mut Ctx, st: &mut State, all: bool) -> Result<i32, CliError> {
    load_dests(ctx, st)?;
    if all {
        show_scheduler(ctx);
    }
    // As cupsGetDests finds the default: the environment, the lpoptions files, the server.
    show_default(named_default(ctx)?);
    let mut status = show_classes(ctx, None)?;
    status |= show_devices(ctx, None)?;
    if all {
        status |= show_accepting(ctx, None)?;
        status |= show_printers(ctx, st, None)?;
        status |= show_jobs(ctx, st, None, None)?;
    }
    Ok(status)
}

fn load_dests(ctx: &mut Ctx, st: &mut State) -> Result<(), CliError> {
    if st.dests.is_some() {
        return Ok(());
    }
    let mut d = Dests::default();
    let mut req = ctx.request(Operation::CupsGetPrinters, None);
    op_attr(&mut req, keywords(&["printer-name", "printer-type"]));
    let resp = ipp_ok(ctx.send("/", &req, None)?)?;
    d.names = groups(&resp, DelimiterTag::Printer)
        .filter_map(|g| str_attr(g, "printer-name"))
        .map(str::to_string)
        .collect();
    st.dests = Some(d);
    Ok(())
}

/// Verifies that the named destination(s) exist, exiting 1 like CUPS if not.
fn check_dest(ctx: &mut Ctx, st: &mut State, list: &str) -> Result<(), CliError> {
    if list == "all" {
        return Ok(());
    }
    if !list.contains(',') {
        let name = list.split('/').next().unwrap_or(list);
        if get_printer(ctx, name)?.is_none() {
            return Err(CliError::Msg(format!("Invalid destination name in list \"{list}\".")));
        }
        return Ok(());
    }
    load_dests(ctx, st)?;
    let names = st.dests.as_ref().map(|d| d.names.clone()).unwrap_or_default();
    for n in list.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()) {
        if !names.iter().any(|k| k.eq_ignore_ascii_case(n)) {
            return Err(CliError::Msg(format!("Unknown destination \"{n}\".")));
        }
    }
    Ok(())
}

/// Get-Printer-Attributes for one destination; None if it does not exist.
fn get_printer(ctx: &mut Ctx, name: &str) -> Result<Option<Message>, CliError> {
    let uri = printer_uri(name);
    let mut req = ctx.request(Operation::GetPrinterAttributes, Some(&uri));
    op_attr(&mut req, keywords(&["printer-name"]));
    let resp = ctx.send("/", &req, None)?;
    if is_not_found(&resp) {
        return Ok(None);
    }
    ipp_ok(resp).map(Some)
}

/// The default as cupsGetNamedDest(NULL) finds it: LPDEST, PRINTER, the lpoptions files,
/// the server.
fn named_default(ctx: &mut Ctx) -> Result<DefaultDest, CliError> {
    let files = crate::dests::Files::from_env();
    let Some((name, instance, source)) = crate::dests::default_name(ctx, &files)? else {
        return Ok(Err(None));
    };
    if get_printer(ctx, &name)?.is_some() {
        return Ok(Ok(instance.map_or(name.clone(), |i| format!("{name}/{i}"))));
    }
    Ok(match (source, crate::dests::env_default()) {
        (crate::dests::DefaultSource::Env(_), Some((var, value))) => {
            Err(Some((var.to_string(), value)))
        }
        _ => Err(None),
    })
}

/// Ok(name), or Err(Some((env var, bad name))), or Err(None) for no default.
type DefaultDest = Result<String, Option<(String, String)>>;

fn show_default(dest: DefaultDest) {
    match dest {
        Ok(name) => out!("system default destination: {name}"),
        Err(Some((var, name))) => {
            out!("lpstat: error - {var} environment variable names non-existent destination \"{name}\".")
        }
        Err(None) => out!("no system default destination"),
    }
}

fn show_scheduler(ctx: &Ctx) {
    // CUPS just opens a connection; no IPP request.
    let up = ctx.destination().ok().and_then(|d| quire_client::Client::connect(d).ok()).is_some();
    out!("{}", if up { "scheduler is running" } else { "scheduler is not running" });
}

fn str_attr<'a>(g: &'a Group, name: &str) -> Option<&'a str> {
    g.get(name).and_then(Attribute::first_str)
}
fn int_attr(g: &Group, name: &str) -> Option<i32> {
    g.get(name).and_then(Attribute::first_i32)
}

/// CUPS-Get-Printers (or -Classes) for `attrs`; prints "lpstat: msg" and
/// yields None on an IPP error.
fn list(ctx: &mut Ctx, op: Operation, attrs: &[&str]) -> Result<Option<Message>, CliError> {
    let mut req = ctx.request(op, None);
    op_attr(&mut req, keywords(attrs));
    match ipp_ok(ctx.send("/", &req, None)?) {
        Ok(m) => Ok(Some(m)),
        Err(CliError::Msg(m)) => {
            eprintln!("lpstat: {m}");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn show_accepting(ctx: &mut Ctx, which: Option<&str>) -> Result<i32, CliError> {
    let which = which.filter(|w| *w != "all");
    let attrs = [
        "printer-name",
        "printer-state-change-time",
        "printer-state-message",
        "printer-is-accepting-jobs",
    ];
    let Some(resp) = list(ctx, Operation::CupsGetPrinters, &attrs)? else { return Ok(1) };
    for g in groups(&resp, DelimiterTag::Printer) {
        let Some(name) = str_attr(g, "printer-name") else { continue };
        if !match_list(which, Some(name)) {
            continue;
        }
        let since = format_time(int_attr(g, "printer-state-change-time").unwrap_or(0).into());
        if g.get("printer-is-accepting-jobs").and_then(Attribute::first_bool).unwrap_or(true) {
            out!("{name} accepting requests since {since}");
        } else {
            out!("{name} not accepting requests since {since} -");
            let msg = str_attr(g, "printer-state-message").filter(|m| !m.is_empty());
            out!("\t{}", msg.unwrap_or("reason unknown"));
        }
    }
    Ok(0)
}

fn show_classes(ctx: &mut Ctx, which: Option<&str>) -> Result<i32, CliError> {
    let which = which.filter(|w| *w != "all");
    let attrs = ["printer-name", "printer-uri-supported", "member-names"];
    let Some(resp) = list(ctx, Operation::CupsGetClasses, &attrs)? else { return Ok(1) };
    for g in groups(&resp, DelimiterTag::Printer) {
        let Some(name) = str_attr(g, "printer-name") else { continue };
        if !match_list(which, Some(name)) {
            continue;
        }
        out!("members of class {name}:");
        match g.get("member-names") {
            Some(m) => m.strs().for_each(|n| out!("\t{n}")),
            None => out!("\tunknown"),
        }
    }
    Ok(0)
}

fn show_devices(ctx: &mut Ctx, which: Option<&str>) -> Result<i32, CliError> {
    let which = which.filter(|w| *w != "all");
    let attrs = ["printer-name", "printer-uri-supported", "device-uri"];
    let Some(resp) = list(ctx, Operation::CupsGetPrinters, &attrs)? else { return Ok(1) };
    for g in groups(&resp, DelimiterTag::Printer) {
        let Some(name) = str_attr(g, "printer-name") else { continue };
        if !match_list(which, Some(name)) {
            continue;
        }
        let dev = match str_attr(g, "device-uri") {
            Some(d) => d.strip_prefix("file:").unwrap_or(d),
            None => str_attr(g, "printer-uri-supported").unwrap_or("(null)"),
        };
        out!("device for {name}: {dev}");
    }
    Ok(0)
}

fn show_jobs(
    ctx: &mut Ctx,
    st: &State,
    dests: Option<&str>,
    users: Option<&str>,
) -> Result<i32, CliError> {
    let dests = dests.filter(|d| *d != "all");
    let mut req = ctx.request(Operation::GetJobs, Some("ipp://localhost/"));
    let mut attrs = vec![
        "job-id",
        "job-k-octets",
        "job-name",
        "job-originating-user-name",
        "job-printer-state-message",
        "job-printer-uri",
        "job-state-reasons",
        "time-at-creation",
        "time-at-completed",
    ];
    if st.long > 0 {
        attrs.extend_from_slice(JOB_LONG_ATTRS);
    }
    op_attr(&mut req, keywords(&attrs));
    op_attr(&mut req, Attribute::new("which-jobs", Value::Keyword(st.which.clone())));
    let resp = match ipp_ok(ctx.send("/", &req, None)?) {
        Ok(r) => r,
        Err(CliError::Msg(m)) => {
            eprintln!("lpstat: {m}");
            return Ok(1);
        }
        Err(e) => return Err(e),
    };
    let time_at = if st.which == "completed" { "time-at-completed" } else { "time-at-creation" };
    let mut rank = -1;
    for g in groups(&resp, DelimiterTag::Job) {
        let dest = str_attr(g, "job-printer-uri").and_then(|u| u.rsplit('/').next());
        let id = int_attr(g, "job-id").unwrap_or(0);
        let (Some(dest), true) = (dest, id != 0) else { continue };
        rank += 1;
        let user = str_attr(g, "job-originating-user-name");
        if !match_list(dests, Some(dest)) || !match_list(users, user) {
            continue;
        }
        print_job(st, g, rank, &format!("{dest}-{id}"), user.unwrap_or("unknown"), time_at);
        if st.long > 0 {
            if let Some(m) = str_attr(g, "job-printer-state-message") {
                out!("\tStatus: {m}");
            }
            if let Some(r) = g.get("job-state-reasons") {
                out!("\tAlerts: {}", r.strs().collect::<Vec<_>>().join(" "));
            }
            out!("\tqueued for {dest}");
            failover_details(g, id).iter().chain(&split_details(g)).for_each(|l| out!("{l}"));
        }
    }
    Ok(0)
}

/// What the long job listing also asks for: how a job was split, or why it was not, and
/// where its failover stands.
const JOB_LONG_ATTRS: &[&str] = &[
    "job-state-message",
    "output-device-assigned",
    "parent-job-id",
    qv::SPLIT_PART,
    qv::SPLIT_PARTS,
    qv::FAILOVER_STATE,
    qv::FAILOVER_CANDIDATES,
];

/// "\tFailover: awaiting-choice (...)" and, while the job waits on its stopped printer,
/// the printers that may take the rest (qualifying first). Nothing for a job whose
/// printer never stopped (or from a CUPS server).
pub fn failover_details(g: &Group, id: i32) -> Vec<String> {
    let Some(state) = str_attr(g, qv::FAILOVER_STATE) else { return Vec::new() };
    let mut lines = vec![match state {
        "awaiting-choice" => {
            format!("\tFailover: {state} (choose with \"quire failover {id} PRINTER\")")
        }
        _ => format!("\tFailover: {state}"),
    }];
    if crate::failover::WAITING.contains(&state) {
        let cands = crate::failover::candidates(g);
        if !cands.is_empty() {
            lines.push("\tCandidates:".into());
            lines.extend(cands.iter().map(|c| format!("\t\t{c}")));
        }
    }
    lines
}

/// Quire's lines after CUPS's ones for a job: a split (or failed-over) job's parts, a
/// part's parent, or why a job that asked to be split was not.
pub fn split_details(g: &Group) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(parts) = g.get(qv::SPLIT_PARTS).filter(|p| p.strs().next().is_some()) {
        let failed_over = g
            .get("job-state-reasons")
            .is_some_and(|r| r.strs().any(|s| s == qv::REASON_FAILED_OVER));
        let how = if failed_over { "Failed over into" } else { "Split into" };
        lines.push(format!("\t{how} {} parts:", parts.strs().count()));
        lines.extend(parts.strs().map(|p| format!("\t\t{p}")));
    }
    if let Some(parent) = int_attr(g, "parent-job-id") {
        let part = str_attr(g, qv::SPLIT_PART).unwrap_or("a part");
        match str_attr(g, "output-device-assigned") {
            Some(dev) => lines.push(format!("\tPart of job {parent}: {part} on {dev}")),
            None => lines.push(format!("\tPart of job {parent}: {part}")),
        }
    }
    let unqualified = g
        .get("job-state-reasons")
        .is_some_and(|r| r.strs().any(|s| s == qv::REASON_NO_QUALIFIED_PRINTER));
    if let Some(m) = str_attr(g, "job-state-message").filter(|m| unqualified && !m.is_empty()) {
        lines.push(format!("\tNot split: {m}"));
    }
    lines
}

fn print_job(st: &State, g: &Group, rank: i32, id: &str, user: &str, time_at: &str) {
    let size = i64::from(int_attr(g, "job-k-octets").unwrap_or(0)) * 1024;
    let date = format_time(int_attr(g, time_at).unwrap_or(0).into());
    if st.ranking {
        out!("{rank:3} {id:<21} {user:<13} {size:8} {date}");
    } else {
        out!("{id:<23} {user:<13} {size:8}   {date}");
    }
}

const PRINTER_ATTRS: &[&str] = &[
    "printer-name",
    "printer-state",
    "printer-state-message",
    "printer-state-reasons",
    "printer-state-change-time",
    "printer-type",
    "printer-info",
    "printer-location",
    "printer-make-and-model",
    "printer-uri-supported",
    "requesting-user-name-allowed",
    "requesting-user-name-denied",
    qv::AUTHENTICATION_METHOD,
    qv::ENCRYPTS_JOB_DATA,
    qv::ERASES_STORAGE,
    qv::SECURITY_LEVEL,
    qv::SECURITY_LEVEL_SOURCE,
    qv::SECURITY_SOURCE,
    qv::SECURITY_CLAIM,
    qv::SPLIT_DEFAULT,
    qv::SPLIT_PRINTERS_DEFAULT,
    qv::SPLIT_FALLBACK_DEFAULT,
    qv::SPLIT_MIN_COPIES,
    qv::SPLIT_MIN_PAGES,
    qv::FAILOVER_DEFAULT,
    qv::FAILOVER_GRACE_TIME,
];

fn show_printers(ctx: &mut Ctx, st: &State, which: Option<&str>) -> Result<i32, CliError> {
    let which = which.filter(|w| *w != "all");
    let Some(resp) = list(ctx, Operation::CupsGetPrinters, PRINTER_ATTRS)? else { return Ok(1) };
    for g in groups(&resp, DelimiterTag::Printer) {
        let Some(name) = str_attr(g, "printer-name") else { continue };
        if !match_list(which, Some(name)) {
            continue;
        }
        let state = int_attr(g, "printer-state").unwrap_or(3);
        let since = format_time(int_attr(g, "printer-state-change-time").unwrap_or(0).into());
        let reasons = g.get("printer-state-reasons");
        match state {
            4 => {
                let job = current_job(ctx, name)?;
                out!("printer {name} now printing {name}-{job}.  enabled since {since}");
            }
            5 => out!("printer {name} disabled since {since} -"),
            _ if reasons.is_some_and(|r| r.strs().any(|s| s == "hold-new-jobs")) => {
                out!("printer {name} is holding new jobs.  enabled since {since}")
            }
            _ => out!("printer {name} is idle.  enabled since {since}"),
        }
        match str_attr(g, "printer-state-message").filter(|m| !m.is_empty()) {
            Some(m) => out!("\t{m}"),
            None if state == 5 => out!("\treason unknown"),
            None => {}
        }
        print_printer_details(st, g, name);
    }
    Ok(0)
}

/// The id of the job a processing printer is printing (0 if none found).
fn current_job(ctx: &mut Ctx, name: &str) -> Result<i32, CliError> {
    let uri = printer_uri(name);
    let mut req = ctx.request(Operation::GetJobs, Some(&uri));
    op_attr(&mut req, keywords(&["job-id", "job-state"]));
    let resp = ctx.send("/", &req, None)?;
    let job = groups(&resp, DelimiterTag::Job)
        .find(|g| int_attr(g, "job-state") == Some(5))
        .and_then(|g| int_attr(g, "job-id"));
    Ok(job.unwrap_or(0))
}

/// The -l / -D lines, in CUPS's order and wording.
fn print_printer_details(st: &State, g: &Group, name: &str) {
    if st.long > 1 {
        out!("\tForm mounted:\n\tContent types: any\n\tPrinter types: unknown");
    }
    if st.long > 0 {
        out!("\tDescription: {}", str_attr(g, "printer-info").unwrap_or(""));
        if let Some(r) = g.get("printer-state-reasons") {
            out!("\tAlerts: {}", r.strs().collect::<Vec<_>>().join(" "));
        }
    }
    if st.long < 2 {
        return;
    }
    out!("\tLocation: {}", str_attr(g, "printer-location").unwrap_or(""));
    // CUPS_PRINTER_REMOTE = 0x0002.
    let remote = int_attr(g, "printer-type").unwrap_or(0) & 0x0002 != 0;
    let model = str_attr(g, "printer-make-and-model");
    if remote {
        out!("\tConnection: remote");
        if let (Some(m), Some(uri)) = (model, str_attr(g, "printer-uri-supported")) {
            if !m.contains("System V Printer") && !m.contains("Raw Printer") {
                out!("\tInterface: {uri}.ppd");
            }
        }
    } else {
        out!("\tConnection: direct");
        if model.is_some_and(|m| !m.contains("Raw Printer")) {
            out!("\tInterface: /etc/cups/ppd/{name}.ppd");
        }
    }
    out!("\tOn fault: no alert\n\tAfter fault: continue");
    if let Some(a) = g.get("requesting-user-name-allowed") {
        out!("\tUsers allowed:");
        a.strs().for_each(|u| out!("\t\t{u}"));
    } else if let Some(d) = g.get("requesting-user-name-denied") {
        out!("\tUsers denied:");
        d.strs().for_each(|u| out!("\t\t{u}"));
    } else {
        out!("\tUsers allowed:\n\t\t(all)");
    }
    out!("\tForms allowed:\n\t\t(none)\n\tBanner required\n\tCharset sets:\n\t\t(none)");
    out!("\tDefault pitch:\n\tDefault page size:\n\tDefault port settings:");
    // Quire's own, after CUPS's lines; a CUPS server sends none of them.
    for line in
        security_lines(g).into_iter().chain([split_line(g), failover_line(g)].into_iter().flatten())
    {
        out!("{line}");
    }
}

/// "id-card, encrypts job data, erases storage; level 4" from the facts `get` finds.
fn facts_text<'a>(get: impl Fn(&str) -> Option<&'a Attribute>) -> Option<String> {
    let level = get(qv::SECURITY_LEVEL)?.first_i32()?;
    let flag = |n: &str| get(n).and_then(Attribute::first_bool).unwrap_or(false);
    let mut facts = vec![match get(qv::AUTHENTICATION_METHOD)
        .and_then(Attribute::first_str)
        .unwrap_or("none")
    {
        "none" => "no authentication".to_string(),
        method => method.to_string(),
    }];
    if flag(qv::ENCRYPTS_JOB_DATA) {
        facts.push("encrypts job data".into());
    }
    if flag(qv::ERASES_STORAGE) {
        facts.push("erases storage".into());
    }
    Some(format!("{}; level {level}", facts.join(", ")))
}

/// "\tSecurity: id-card, encrypts job data, erases storage; level 4 (derived; set by an
/// administrator)", or that nobody confirmed them; then what the device claims, if it did.
/// A CUPS server sends none of it: no lines.
pub fn security_lines(g: &Group) -> Vec<String> {
    let mut out = Vec::new();
    let level_source = str_attr(g, qv::SECURITY_LEVEL_SOURCE).unwrap_or("derived");
    match (str_attr(g, qv::SECURITY_SOURCE), facts_text(|n| g.get(n))) {
        (Some("unconfirmed"), _) => out.push("\tSecurity: not confirmed by an administrator (takes no part in splitting or failover)".to_string()),
        (Some("confirmed"), Some(f)) => out.push(format!("\tSecurity: {f} ({level_source}; the device's claim, confirmed by an administrator)")),
        (Some(_), Some(f)) => out.push(format!("\tSecurity: {f} ({level_source}; set by an administrator)")),
        // A Quire server from before the source was shown.
        (None, Some(f)) => out.push(format!("\tSecurity: {f} ({level_source})")),
        (_, None) => {}
    }
    let claim = g.get(qv::SECURITY_CLAIM).and_then(Attribute::first).and_then(Value::as_collection);
    if let Some(f) = claim.and_then(|c| facts_text(|n| c.iter().find(|a| a.name == n))) {
        out.push(format!("\tDevice claims: {f}"));
    }
    out
}

/// "\tSplit: auto (jobs of 100+ copies or 200+ pages; printers: any that qualify; if
/// none qualifies: print-alone)"; None when the queue does not split jobs by default.
pub fn split_line(g: &Group) -> Option<String> {
    let mode = str_attr(g, qv::SPLIT_DEFAULT).filter(|m| *m != "none")?;
    let min = |n: &str| int_attr(g, n).filter(|v| *v > 0);
    let which = match (min(qv::SPLIT_MIN_COPIES), min(qv::SPLIT_MIN_PAGES)) {
        (Some(c), Some(p)) => format!("jobs of {c}+ copies or {p}+ pages"),
        (Some(c), None) => format!("jobs of {c}+ copies"),
        (None, Some(p)) => format!("jobs of {p}+ pages"),
        (None, None) => "every job".to_string(),
    };
    let listed: Vec<&str> =
        g.get(qv::SPLIT_PRINTERS_DEFAULT).map(|a| a.strs().collect()).unwrap_or_default();
    // Only a manual split uses the list; auto considers every printer.
    let printers = match (mode, listed.is_empty()) {
        ("manual", true) => "none listed".to_string(),
        ("manual", false) => listed.join(", "),
        _ => "any that qualify".to_string(),
    };
    let fallback = str_attr(g, qv::SPLIT_FALLBACK_DEFAULT).unwrap_or("print-alone");
    Some(format!("\tSplit: {mode} ({which}; printers: {printers}; if none qualifies: {fallback})"))
}

/// "\tFailover: auto after 30 s", "\tFailover: manual after 30 s" or "\tFailover: off";
/// None from a server that has no failover (CUPS).
pub fn failover_line(g: &Group) -> Option<String> {
    let mode = str_attr(g, qv::FAILOVER_DEFAULT)?;
    Some(match (mode, int_attr(g, qv::FAILOVER_GRACE_TIME)) {
        ("none", _) => "\tFailover: off".to_string(),
        (mode, Some(grace)) => format!("\tFailover: {mode} after {grace} s"),
        (mode, None) => format!("\tFailover: {mode}"),
    })
}

#[cfg(test)]
#[path = "lpstat_tests.rs"]
mod tests;
