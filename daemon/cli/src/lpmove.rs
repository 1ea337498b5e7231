//! `quire lpmove job destination` / `quire lpmove source destination`: CUPS-Move-Job, sent as
//! CUPS's lpmove sends it (a job by its id, or every job of a source queue).

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};

use crate::args::{tokenize, ArgKind, Tok};
use crate::session::{job_uri, op_attr, printer_uri, CliError, Ctx};

pub const USAGE: &str = "Usage: lpmove [options] job destination
       lpmove [options] source-destination destination
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-U username             Specify the username to use for authentication";

fn arg_kind(c: char) -> Option<ArgKind> {
    crate::args::connection_option(c)
}

/// What the first operand names: a job ("Q-12", "12") or a source queue. A name that is a
/// destination is a queue even if it ends in "-digits".
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    Job(i32),
    Queue(String),
}

pub fn classify(arg: &str, dests: &[String]) -> Source {
    let known = dests.iter().any(|d| d.eq_ignore_ascii_case(arg));
    let id = match arg.rsplit_once('-') {
        Some((_, tail)) => leading_number(tail),
        None if arg.starts_with(|c: char| c.is_ascii_digit()) => leading_number(arg),
        None => None,
    };
    match id {
        Some(id) if !known => Source::Job(id),
        _ => Source::Queue(arg.to_string()),
    }
}

/// atoi's reading: the leading digits, 0 when none.
fn leading_number(s: &str) -> Option<i32> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    Some(digits.parse().unwrap_or(0))
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let toks = tokenize(args, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{USAGE}");
        return Ok(0);
    }
    let mut operands = Vec::new();
    for tok in toks {
        match tok {
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('U', v) => ctx.set_user(v.as_deref().unwrap_or_default()),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt(c, _) => return Err(CliError::Usage(format!("Unknown option \"{c}\"."))),
            Tok::Operand(o) => operands.push(o),
            Tok::Help => {}
        }
    }
    let [source, dest] = operands.as_slice() else {
        if operands.len() > 2 {
            return Err(CliError::Usage(format!("Unknown argument \"{}\".", operands[2])));
        }
        out!("{USAGE}");
        return Ok(1);
    };
    let dests = destination_names(ctx)?;
    let mut req = match classify(source, &dests) {
        // "x-y" that names no destination and no job number: CUPS shows its usage.
        Source::Job(0) => {
            out!("{USAGE}");
            return Ok(1);
        }
        Source::Job(id) => {
            let mut r = ctx.request(Operation::CupsMoveJob, None);
            op_attr(&mut r, Attribute::new("job-uri", Value::Uri(job_uri(id))));
            r
        }
        Source::Queue(q) => ctx.request(Operation::CupsMoveJob, Some(&printer_uri(&q))),
    };
    req.group_mut(DelimiterTag::Job)
        .push(Attribute::new("job-printer-uri", Value::Uri(printer_uri(dest))));
    ctx.call("/jobs", &req)?;
    Ok(0)
}

/// Printer and class names (CUPS-Get-Printers, then CUPS-Get-Classes).
fn destination_names(ctx: &mut Ctx) -> Result<Vec<String>, CliError> {
    let mut names = Vec::new();
    for op in [Operation::CupsGetPrinters, Operation::CupsGetClasses] {
        let req = crate::session::names_request(ctx, op);
        names.extend(crate::session::listed_names(&ctx.send("/", &req, None)?));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_are_read_as_cups_lpmove_reads_them() {
        let dests = vec!["Q".to_string(), "office-2".to_string()];
        assert_eq!(classify("Q-12", &dests), Source::Job(12));
        assert_eq!(classify("12", &dests), Source::Job(12));
        assert_eq!(classify("Q", &dests), Source::Queue("Q".into()));
        assert_eq!(classify("office-2", &dests), Source::Queue("office-2".into()));
        assert_eq!(classify("other", &dests), Source::Queue("other".into()));
    }
}
