//! `quire lp`: submit files (or stdin) as a job, or change an existing job.

use std::fs::File;
use std::io::Read;

use quire_ipp::{vendor, Attribute, DelimiterTag, Message, Operation, Value};

use crate::args::{parse_job_id, tokenize, ArgKind, Tok};
use crate::dests::{default_name, missing_default, split_name, DefaultSource, Files, OptionList};
use crate::options::{encode_options, parse_hold, Hold, Options};
use crate::session::{
    ipp_ok, is_not_found, job_uri, op_attr, printer_uri, response_job_id, uri_resource, CliError,
    Ctx,
};

pub const USAGE: &str = "Usage: quire lp [options] [--] [file(s)]
       quire lp [options] -i id
Options:
-d destination          Specify the destination
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-H HH:MM                Hold the job until the specified UTC time
-H hold                 Hold the job until released/resumed
-H immediate            Print the job as soon as possible
-H restart              Reprint the job (with -i)
-H resume               Resume a held job (with -i)
-i id                   Specify an existing job ID to modify
-m                      Send an email notification when the job completes
-n num-copies           Specify the number of copies to print
-o option[=value]       Specify a printer-specific option
-P page-list            Specify a list of pages to print
-q priority             Specify the priority from low (1) to high (100)
-s                      Be silent
-t title                Specify the job title
-U username             Specify the username to use for authentication";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' | 'c' | 'm' | 'w' | 's' => Some(ArgKind::Flag),
        'U' | 'd' | 'f' | 'h' | 'i' | 'n' | 'o' | 'p' | 'q' | 't' | 'y' | 'H' | 'P' | 'S' | 'T' => {
            Some(ArgKind::Value)
        }
        _ => None,
    }
}

/// Everything the command line asked for.
#[derive(Debug, Default)]
pub struct LpArgs {
    pub printer: Option<String>,
    /// `-d printer/instance`'s instance: whose saved options apply.
    pub instance: Option<String>,
    pub title: Option<String>,
    pub job_id: Option<i32>,
    pub options: Options,
    pub files: Vec<String>,
    pub silent: bool,
    pub restart: bool,
}

/// Parses lp's arguments; server/user/encryption go straight into `ctx`.
pub fn parse_args(ctx: &mut Ctx, args: &[String]) -> Result<Option<LpArgs>, CliError> {
    let mut a = LpArgs::default();
    let usage = |m: String| CliError::Usage(m);
    for tok in tokenize(args, arg_kind)? {
        let (c, v) = match tok {
            Tok::Help => return Ok(None),
            Tok::Operand(f) if f == "-" => {
                if !a.files.is_empty() || a.job_id.is_some() {
                    return Err(usage(
                        "Error - cannot print from stdin if files or a job ID are provided.".into(),
                    ));
                }
                break;
            }
            Tok::Operand(f) => {
                if a.job_id.is_some() {
                    return Err(usage(
                        "Error - cannot print files and alter jobs simultaneously.".into(),
                    ));
                }
                File::open(&f).map_err(|e| {
                    CliError::Msg(format!("Error - unable to access \"{f}\" - {e}"))
                })?;
                if a.title.is_none() {
                    a.title = Some(f.rsplit('/').next().unwrap_or(&f).to_string());
                }
                a.files.push(f);
                continue;
            }
            Tok::Opt(c, v) => (c, v.unwrap_or_default()),
        };
        match c {
            'E' => ctx.request_encryption(),
            'U' => ctx.set_user(&v),
            'h' => ctx.set_server(&v)?,
            'c' => {}
            'd' => (a.printer, a.instance) = destination_arg(&v),
            'f' | 'y' | 'S' | 'T' => eprintln!("{}: Warning - option \"-{c}\" ignored.", ctx.prog),
            'i' => {
                if !a.files.is_empty() {
                    return Err(usage(
                        "Error - cannot print files and alter jobs simultaneously.".into(),
                    ));
                }
                a.job_id =
                    Some(parse_job_id(&v).ok_or_else(|| usage("Error - bad job ID.".into()))?);
            }
            'm' | 'w' => {
                let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
                a.options.add("notify-recipient-uri", &format!("mailto:{}@{host}", ctx.user()));
                a.silent = true;
            }
            'n' => match v.trim().parse::<i32>() {
                Ok(n) if n >= 1 => a.options.add("copies", &n.to_string()),
                _ => return Err(usage("Error - copies must be 1 or more.".into())),
            },
            'o' => a.options.parse(&v).map_err(|e| usage(format!("Error - {e}.")))?,
            'p' | 'q' => match v.trim().parse::<i32>() {
                Ok(n) if (1..=100).contains(&n) => a.options.add("job-priority", &n.to_string()),
                _ => return Err(usage("Error - priority must be between 1 and 100.".into())),
            },
            's' => a.silent = true,
            't' => a.title = Some(v),
            'H' => match parse_hold(&v).map_err(usage)? {
                Hold::Until(k) => a.options.add("job-hold-until", &k),
                Hold::Immediate => {
                    a.options.add("job-hold-until", "no-hold");
                    a.options.add("job-priority", "100");
                }
                Hold::Restart if a.job_id.is_none() => {
                    return Err(usage("Need job ID (\"-i jobid\") before \"-H restart\".".into()))
                }
                Hold::Restart => a.restart = true,
            },
            'P' => a.options.add("page-ranges", &v),
            _ => return Err(usage(format!("Error - unknown option \"{c}\"."))),
        }
    }
    Ok(Some(a))
}

/// The destination's saved options go under the command line's (as CUPS's lp).
pub fn add_saved(options: &mut Options, saved: &OptionList) {
    for (name, value) in saved.iter() {
        if !options.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            options.add(name, value);
        }
    }
}

/// `-d printer[/instance]`.
fn destination_arg(v: &str) -> (Option<String>, Option<String>) {
    let (name, instance) = split_name(v);
    (Some(name.to_string()), instance.map(str::to_string))
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let Some(mut a) = parse_args(ctx, args)? else {
        out!("{USAGE}");
        return Ok(0);
    };
    if let Some(id) = a.job_id {
        if a.restart {
            let mut req = ctx.request(Operation::RestartJob, None);
            add_job_uri(&mut req, id);
            ctx.call("/jobs", &req)?;
        }
        return modify_job(ctx, id, &a);
    }
    let files = Files::from_env();
    let (printer, instance, source) = match a.printer.take() {
        Some(p) => (p, a.instance.take(), None),
        None => default_destination(ctx, &files)?,
    };
    let uri = match (find_printer(ctx, &printer)?, source) {
        (Some(uri), _) => uri,
        (None, Some(source)) => {
            return Err(CliError::Msg(format!("Error - {}", missing_default(&source))))
        }
        (None, None) => return Err(not_found()),
    };
    add_saved(&mut a.options, &files.saved_options(&printer, instance.as_deref()));
    let resp =
        if a.files.len() > 1 { submit_multi(ctx, &uri, &a)? } else { submit_one(ctx, &uri, &a)? };
    let job_id = response_job_id(&resp)
        .ok_or_else(|| CliError::Msg("Error - no job-id in the response.".into()))?;
    if !a.silent {
        out!("request id is {printer}-{job_id} ({} file(s))", a.files.len());
        if let Some(note) = split_note(&resp) {
            out!("quire: {note}");
        }
    }
    Ok(0)
}

/// The scheduler's word on a split the job asked for (how it was divided, or why it
/// was not and what happens instead), from the response that closed the job.
pub fn split_note(resp: &Message) -> Option<String> {
    let job = resp.group(DelimiterTag::Job)?;
    let reasons = job.get("job-state-reasons")?;
    if !reasons
        .strs()
        .any(|r| r == vendor::REASON_SPLIT || r == vendor::REASON_NO_QUALIFIED_PRINTER)
    {
        return None;
    }
    job.get("job-state-message")
        .and_then(Attribute::first_str)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
}

fn add_job_uri(req: &mut Message, id: i32) {
    op_attr(req, Attribute::new("job-uri", Value::Uri(job_uri(id))));
}

/// `lp -i`: Set-Job-Attributes with the options (and title) on /jobs.
fn modify_job(ctx: &mut Ctx, id: i32, a: &LpArgs) -> Result<i32, CliError> {
    let mut opts = a.options.clone();
    if let Some(t) = &a.title {
        opts.add("job-name", t);
    }
    if opts.is_empty() {
        return Ok(0);
    }
    let mut req = ctx.request(Operation::SetJobAttributes, None);
    add_job_uri(&mut req, id);
    // job-name is a job attribute here, not an operation attribute.
    if let Some(t) = opts.remove("job-name") {
        req.group_mut(DelimiterTag::Job).push(Attribute::new("job-name", Value::Name(t)));
    }
    encode_options(&mut req, &opts, DelimiterTag::Job)
        .map_err(|e| CliError::Usage(format!("Error - {e}.")))?;
    ctx.call("/jobs", &req)?;
    Ok(0)
}

/// The destination when no `-d` names one: cupsGetNamedDest's default (LPDEST or PRINTER,
/// the lpoptions files, the server's), with where it came from.
pub fn default_destination(
    ctx: &mut Ctx,
    files: &Files,
) -> Result<(String, Option<String>, Option<DefaultSource>), CliError> {
    match default_name(ctx, files)? {
        Some((name, instance, source)) => Ok((name, instance, Some(source))),
        None => Err(CliError::Msg("Error - No default destination.".into())),
    }
}

fn not_found() -> CliError {
    CliError::Msg("Error - The printer or class does not exist.".into())
}

/// Checks the destination exists; returns its printer-uri-supported (for classes this is
/// the /classes/ URI) or the /printers/ URI; None when it does not exist.
fn find_printer(ctx: &mut Ctx, name: &str) -> Result<Option<String>, CliError> {
    let uri = printer_uri(name);
    let mut req = ctx.request(Operation::GetPrinterAttributes, Some(&uri));
    op_attr(&mut req, crate::session::keywords(&["printer-name", "printer-uri-supported"]));
    let resp = ctx.send("/", &req, None)?;
    if is_not_found(&resp) {
        return Ok(None);
    }
    let resp = ipp_ok(resp)?;
    Ok(Some(
        resp.attr(DelimiterTag::Printer, "printer-uri-supported")
            .and_then(Attribute::first_str)
            .map(str::to_string)
            .unwrap_or(uri),
    ))
}

/// The operation attributes and job template shared by Print-Job and Create-Job.
fn job_request(
    ctx: &Ctx,
    op: Operation,
    uri: &str,
    a: &LpArgs,
) -> Result<(Message, String), CliError> {
    let mut req = ctx.request(op, Some(uri));
    let title = a.title.clone().unwrap_or_else(|| "(stdin)".into());
    op_attr(&mut req, Attribute::new("job-name", Value::Name(title)));
    let mut opts = a.options.clone();
    let format = if opts.remove("raw").is_some() {
        "application/vnd.cups-raw".to_string()
    } else {
        opts.remove("document-format").unwrap_or_else(|| "application/octet-stream".into())
    };
    if op == Operation::PrintJob {
        op_attr(&mut req, Attribute::new("document-format", Value::MimeMediaType(format.clone())));
    }
    encode_options(&mut req, &opts, DelimiterTag::Job)
        .map_err(|e| CliError::Usage(format!("Error - {e}.")))?;
    Ok((req, format))
}

fn open_document(a: &LpArgs, i: usize) -> Result<Box<dyn Read>, CliError> {
    match a.files.get(i) {
        None => Ok(Box::new(std::io::stdin().lock())),
        Some(f) => {
            let file = File::open(f)
                .map_err(|e| CliError::Msg(format!("Error - unable to access \"{f}\" - {e}")))?;
            Ok(Box::new(file))
        }
    }
}

/// One file (or stdin): Print-Job with the document streamed. Returns the response.
fn submit_one(ctx: &mut Ctx, uri: &str, a: &LpArgs) -> Result<Message, CliError> {
    let (mut req, _) = job_request(ctx, Operation::PrintJob, uri, a)?;
    if let Some(f) = a.files.first() {
        let base = f.rsplit('/').next().unwrap_or(f);
        op_attr(&mut req, Attribute::new("document-name", Value::Name(base.to_string())));
    }
    let resource = uri_resource(uri).unwrap_or("/").to_string();
    let mut doc = open_document(a, 0)?;
    ipp_ok(ctx.send(&resource, &req, Some(&mut *doc))?)
}

/// Several files: Create-Job then one Send-Document each; on failure the
/// half-built job is canceled, as CUPS's lp does. Returns the last response (the one
/// that closed the job, so it tells whether the job was split).
fn submit_multi(ctx: &mut Ctx, uri: &str, a: &LpArgs) -> Result<Message, CliError> {
    let (req, format) = job_request(ctx, Operation::CreateJob, uri, a)?;
    let resource = uri_resource(uri).unwrap_or("/").to_string();
    let resp = ipp_ok(ctx.send(&resource, &req, None)?)?;
    let id = response_job_id(&resp)
        .ok_or_else(|| CliError::Msg("Error - no job-id in the response.".into()))?;
    let mut last = resp;
    for (i, f) in a.files.iter().enumerate() {
        let mut req = ctx.request(Operation::SendDocument, Some(uri));
        let base = f.rsplit('/').next().unwrap_or(f);
        let ops = [
            Attribute::new("job-id", Value::Integer(id)),
            Attribute::new("document-name", Value::Name(base.to_string())),
            Attribute::new("document-format", Value::MimeMediaType(format.clone())),
            Attribute::new("last-document", Value::Boolean(i + 1 == a.files.len())),
        ];
        for attr in ops {
            op_attr(&mut req, attr);
        }
        let sent =
            open_document(a, i).and_then(|mut doc| ctx.send(&resource, &req, Some(&mut *doc)));
        match sent.and_then(ipp_ok) {
            // Send-Document responses may omit job-id; the Create-Job one had it.
            Ok(r) if response_job_id(&r) == Some(id) => last = r,
            Ok(_) => {}
            Err(e) => {
                let mut cancel = ctx.request(Operation::CancelJob, Some(uri));
                op_attr(&mut cancel, Attribute::new("job-id", Value::Integer(id)));
                let _ = ctx.send(&resource, &cancel, None);
                return Err(e);
            }
        }
    }
    Ok(last)
}

#[cfg(test)]
#[path = "lp_tests.rs"]
mod tests;
