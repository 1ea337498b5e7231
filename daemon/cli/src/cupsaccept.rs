//! `quire cupsaccept | cupsreject | cupsenable | cupsdisable`: one program for the four, as
//! CUPS has it. Each destination named gets CUPS-Accept-Jobs / CUPS-Reject-Jobs /
//! Resume-Printer / Pause-Printer (`--hold`: Hold-New-Jobs, `--release`:
//! Release-Held-New-Jobs), `-r` the reason others see, `-c` its jobs purged after.

use quire_ipp::{Attribute, Operation, Value};

use crate::args::{tokenize, ArgKind, Tok};
use crate::session::{op_attr, printer_uri, status_text, CliError, Ctx};

pub const ACCEPT: &str = "cupsaccept";
pub const REJECT: &str = "cupsreject";
pub const ENABLE: &str = "cupsenable";
pub const DISABLE: &str = "cupsdisable";

fn usage(prog: &str) -> String {
    let mut text = format!(
        "Usage: {prog} [options] destination(s)
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-r reason               Specify a reason message that others can see
-U username             Specify the username to use for authentication"
    );
    if prog == DISABLE {
        text.push_str("\n--hold                  Hold new jobs");
    }
    if prog == ENABLE {
        text.push_str("\n--release               Release previously held jobs");
    }
    text
}

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' | 'c' => Some(ArgKind::Flag),
        'h' | 'U' | 'r' => Some(ArgKind::Value),
        _ => None,
    }
}

/// The operation `prog` sends (before `--hold` / `--release`).
pub fn operation(prog: &str) -> Operation {
    match prog {
        ACCEPT => Operation::CupsAcceptJobs,
        REJECT => Operation::CupsRejectJobs,
        ENABLE => Operation::ResumePrinter,
        _ => Operation::PausePrinter,
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let prog = ctx.prog;
    let mut op = operation(prog);
    // CUPS reads these two long options anywhere on the line, for any of the four names.
    let mut short = Vec::new();
    for a in args {
        match a.as_str() {
            "--hold" => op = Operation::HoldNewJobs,
            "--release" => op = Operation::ReleaseHeldNewJobs,
            _ => short.push(a.clone()),
        }
    }
    let toks = tokenize(&short, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{}", usage(prog));
        return Ok(0);
    }
    let (mut reason, mut cancel) = (None, false);
    for tok in toks {
        match tok {
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('U', v) => ctx.set_user(v.as_deref().unwrap_or_default()),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt('r', v) => reason = v,
            Tok::Opt('c', _) => cancel = true,
            Tok::Opt(c, _) => {
                return Err(CliError::Usage(format!("Error - unknown option \"{c}\".")))
            }
            Tok::Operand(dest) => one_destination(ctx, op, &dest, reason.as_deref(), cancel)?,
            Tok::Help => {}
        }
    }
    Ok(0)
}

fn one_destination(
    ctx: &mut Ctx,
    op: Operation,
    dest: &str,
    reason: Option<&str>,
    cancel: bool,
) -> Result<(), CliError> {
    let uri = printer_uri(dest);
    let mut req = ctx.request(op, Some(&uri));
    if let Some(r) = reason {
        op_attr(&mut req, Attribute::new("printer-state-message", Value::Text(r.to_string())));
    }
    let resp = ctx.send("/admin/", &req, None)?;
    if !crate::session::is_ok(&resp) {
        return Err(CliError::Msg(format!("Operation failed: {}", status_text(&resp))));
    }
    if cancel {
        let purge = ctx.request(Operation::PurgeJobs, Some(&uri));
        ctx.call("/admin/", &purge)?;
    }
    Ok(())
}
