//! `quire lpadmin`: add, modify and delete printers and classes and set the
//! default, with CUPS's operations. Like CUPS, `-E` before `-p`/`-x`/`-d`
//! means encryption and after `-p` means "enable and accept jobs".

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

use crate::args::{tokenize, ArgKind, Tok};
use crate::options::{encode_option, Options};
use crate::session::{
    class_uri, ipp_ok, is_not_found, keywords, op_attr, printer_uri, CliError, Ctx,
};

pub const USAGE: &str = "Usage: quire lpadmin [options] -d destination
       quire lpadmin [options] -p destination
       quire lpadmin [options] -p destination -c class
       quire lpadmin [options] -p destination -r class
       quire lpadmin [options] -x destination
Options:
-c class                Add the named destination to a class
-d destination          Set the named destination as the server default
-D description          Specify the textual description of the printer
-E                      Encrypt the connection (before -p; after it, enable the printer)
-E                      Enable and accept jobs on the printer (after -p)
-h server[:port]        Connect to the named server and port
-L location             Specify the textual location of the printer
-m model                Specify a standard model/PPD file for the printer (e.g. everywhere)
-o name=value           Set a default option or printer attribute
-p destination          Specify/add the named destination
-r class                Remove the named destination from a class
-u allow:all            Allow all users to print
-u allow:user,user      Allow these users to print
-u deny:user,user       Prevent these users from printing
-U username             Specify the username to use for authentication
-v device-uri           Specify the device URI for the printer
-x destination          Remove the named destination";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' => Some(ArgKind::Flag),
        'U' | 'h' | 'p' | 'x' | 'd' | 'v' | 'm' | 'D' | 'L' | 'o' | 'c' | 'r' | 'u' | 'P' | 'i'
        | 'R' => Some(ArgKind::Value),
        _ => None,
    }
}

/// Attributes collected for the current printer, sent in one
/// CUPS-Add-Modify-Printer at the end.
#[derive(Debug, Default)]
pub struct Changes {
    pub attrs: Vec<Attribute>,
    pub options: Options,
    pub enable: bool,
}

impl Changes {
    fn is_empty(&self) -> bool {
        self.attrs.is_empty() && self.options.is_empty() && !self.enable
    }
    fn set(&mut self, attr: Attribute) {
        self.attrs.retain(|a| a.name != attr.name);
        self.attrs.push(attr);
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let toks = tokenize(args, arg_kind)?;
    if toks.contains(&Tok::Help) || toks.is_empty() {
        out!("{USAGE}");
        return Ok(if toks.is_empty() { 1 } else { 0 });
    }
    let mut printer: Option<String> = None;
    let mut changes = Changes::default();
    for tok in toks {
        let (c, v) = match tok {
            Tok::Opt(c, v) => (c, v.unwrap_or_default()),
            Tok::Operand(o) => {
                return Err(CliError::Usage(format!("Error - unknown argument \"{o}\".")))
            }
            Tok::Help => continue,
        };
        let need_printer = || {
            CliError::Usage(format!(
                "Error - destination name must come before \"-{c}\"; use -p first."
            ))
        };
        match c {
            'E' if printer.is_some() => changes.enable = true,
            'E' => ctx.request_encryption(),
            'U' => ctx.set_user(&v),
            'h' => ctx.set_server(&v)?,
            'p' => {
                check_name(&v)?;
                flush(ctx, printer.as_deref(), &mut changes)?;
                printer = Some(v);
            }
            'd' => set_default(ctx, &v)?,
            'x' => delete(ctx, &v)?,
            'c' => add_to_class(ctx, printer.as_deref().ok_or_else(need_printer)?, &v)?,
            'r' => remove_from_class(ctx, printer.as_deref().ok_or_else(need_printer)?, &v)?,
            'v' | 'm' | 'D' | 'L' | 'o' | 'u' if printer.is_none() => return Err(need_printer()),
            _ => collect(&mut changes, c, &v)?,
        }
    }
    flush(ctx, printer.as_deref(), &mut changes)?;
    Ok(0)
}

/// Records one printer setting (-v -m -D -L -o -u) in `changes`.
pub fn collect(changes: &mut Changes, c: char, v: &str) -> Result<(), CliError> {
    match c {
        'v' => changes.set(Attribute::new("device-uri", Value::Uri(v.to_string()))),
        'm' => changes.set(Attribute::new("ppd-name", Value::Name(v.to_string()))),
        'D' => changes.set(Attribute::new("printer-info", Value::Text(v.to_string()))),
        'L' => changes.set(Attribute::new("printer-location", Value::Text(v.to_string()))),
        'o' => changes.options.parse(v).map_err(|e| CliError::Usage(format!("Error - {e}.")))?,
        'u' => changes.set(parse_users(v)?),
        'P' | 'i' => {
            return Err(CliError::Usage(format!(
                "Error - \"-{c}\" (PPD/interface files) is not supported; use -m."
            )))
        }
        'R' => eprintln!("lpadmin: Warning - \"-R\" is not supported and was ignored."),
        _ => return Err(CliError::Usage(format!("Error - unknown option \"{c}\"."))),
    }
    Ok(())
}

/// -u allow:all | allow:u1,u2 | deny:none | deny:u1,u2.
pub fn parse_users(v: &str) -> Result<Attribute, CliError> {
    let bad = || CliError::Usage(format!("Error - unknown allow/deny option \"{v}\"."));
    let (kind, users) = v.split_once(':').ok_or_else(bad)?;
    let name = match kind.to_ascii_lowercase().as_str() {
        "allow" => "requesting-user-name-allowed",
        "deny" => "requesting-user-name-denied",
        _ => return Err(bad()),
    };
    let values: Vec<Value> = users
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| Value::Name(u.to_string()))
        .collect();
    if values.is_empty() {
        return Err(bad());
    }
    Ok(Attribute::set(name, values))
}

/// CUPS allows any printable character except space, tab, '/', '\\', '#',
/// '?' and quotes in destination names (max 127 bytes).
pub fn check_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() < 128
        && name.chars().all(|c| c > ' ' && c != '\u{7f}' && !"/\\#?'\"".contains(c));
    if ok {
        Ok(())
    } else {
        Err(CliError::Usage("Error - printer name can only contain printable characters.".into()))
    }
}

/// Builds the CUPS-Add-Modify-Printer request for the collected changes.
pub fn add_modify_request(
    ctx: &Ctx,
    printer: &str,
    changes: &Changes,
) -> Result<Message, CliError> {
    let mut req = ctx.request(Operation::CupsAddModifyPrinter, Some(&printer_uri(printer)));
    let g = req.group_mut(DelimiterTag::Printer);
    g.attributes.extend(changes.attrs.iter().cloned());
    for (name, value) in &changes.options.0 {
        let (_, attr) =
            encode_option(name, value).map_err(|e| CliError::Usage(format!("Error - {e}.")))?;
        g.attributes.retain(|a| a.name != attr.name);
        g.push(attr);
    }
    if changes.enable {
        g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
        g.push(Attribute::new("printer-state", Value::Enum(3)));
    }
    Ok(req)
}

fn flush(ctx: &mut Ctx, printer: Option<&str>, changes: &mut Changes) -> Result<(), CliError> {
    let Some(printer) = printer else { return Ok(()) };
    if changes.is_empty() {
        return Ok(());
    }
    let req = add_modify_request(ctx, printer, changes)?;
    ctx.call("/admin/", &req)?;
    *changes = Changes::default();
    Ok(())
}

fn set_default(ctx: &mut Ctx, name: &str) -> Result<(), CliError> {
    check_name(name)?;
    let req = ctx.request(Operation::CupsSetDefault, Some(&printer_uri(name)));
    ctx.call("/admin/", &req).map(drop)
}

/// -x: CUPS-Delete-Printer (the scheduler resolves classes by name too).
fn delete(ctx: &mut Ctx, name: &str) -> Result<(), CliError> {
    check_name(name)?;
    let req = ctx.request(Operation::CupsDeletePrinter, Some(&printer_uri(name)));
    ctx.call("/admin/", &req).map(drop)
}

/// The class's current member names, or None if the class does not exist.
fn class_members(ctx: &mut Ctx, class: &str) -> Result<Option<Vec<String>>, CliError> {
    let mut req = ctx.request(Operation::GetPrinterAttributes, Some(&class_uri(class)));
    op_attr(&mut req, keywords(&["member-names"]));
    let resp = ctx.send("/", &req, None)?;
    if is_not_found(&resp) {
        return Ok(None);
    }
    let resp = ipp_ok(resp)?;
    let names = resp
        .attr(DelimiterTag::Printer, "member-names")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    Ok(Some(names))
}

fn set_members(ctx: &mut Ctx, class: &str, members: &[String]) -> Result<(), CliError> {
    let mut req = ctx.request(Operation::CupsAddModifyClass, Some(&class_uri(class)));
    let uris = members.iter().map(|m| Value::Uri(printer_uri(m))).collect();
    req.group_mut(DelimiterTag::Printer).push(Attribute::set("member-uris", uris));
    ctx.call("/admin/", &req).map(drop)
}

fn add_to_class(ctx: &mut Ctx, printer: &str, class: &str) -> Result<(), CliError> {
    check_name(class)?;
    let mut members = class_members(ctx, class)?.unwrap_or_default();
    if members.iter().any(|m| m.eq_ignore_ascii_case(printer)) {
        return Err(CliError::Msg(format!(
            "Error - printer {printer} is already a member of class {class}."
        )));
    }
    members.push(printer.to_string());
    set_members(ctx, class, &members)
}

/// -r: drop the member; a class left empty is deleted, as CUPS does.
fn remove_from_class(ctx: &mut Ctx, printer: &str, class: &str) -> Result<(), CliError> {
    let members = class_members(ctx, class)?
        .ok_or_else(|| CliError::Msg(format!("Error - class {class} does not exist.")))?;
    let rest: Vec<String> =
        members.iter().filter(|m| !m.eq_ignore_ascii_case(printer)).cloned().collect();
    if rest.len() == members.len() {
        return Err(CliError::Msg(format!(
            "Error - printer {printer} is not a member of class {class}."
        )));
    }
    if rest.is_empty() {
        let req = ctx.request(Operation::CupsDeleteClass, Some(&class_uri(class)));
        return ctx.call("/admin/", &req).map(drop);
    }
    set_members(ctx, class, &rest)
}

#[cfg(test)]
#[path = "lpadmin_tests.rs"]
mod tests;
