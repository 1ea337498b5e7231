//! `quire lpinfo -v | -m [-l]`: the devices the scheduler finds (CUPS-Get-Devices) and the
//! models it offers (CUPS-Get-PPDs, then "everywhere"), printed as CUPS's lpinfo prints them.

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};

use crate::args::{tokenize, ArgKind, Tok};
use crate::session::{groups, ipp_ok, op_attr, CliError, Ctx};

pub const USAGE: &str = "Usage: lpinfo [options] -m
       lpinfo [options] -v
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-l                      Show verbose (long) output
-m                      Show models
-v                      Show devices
--device-id device-id   Show models matching the given IEEE 1284 device ID
--exclude-schemes scheme-list
                        Exclude the specified URI schemes
--include-schemes scheme-list
                        Include only the specified URI schemes
--language locale       Show models matching the given locale
--make-and-model name   Show models matching the given make and model name
--product name          Show models matching the given PostScript product
--timeout seconds       Specify the maximum number of seconds to discover devices";

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' | 'l' | 'm' | 'v' => Some(ArgKind::Flag),
        'h' => Some(ArgKind::Value),
        _ => None,
    }
}

/// The long options and the operation attribute each becomes.
const LONG: [(&str, &str); 7] = [
    ("--device-id", "ppd-device-id"),
    ("--exclude-schemes", "exclude-schemes"),
    ("--include-schemes", "include-schemes"),
    ("--language", "ppd-language"),
    ("--make-and-model", "ppd-make-and-model"),
    ("--product", "ppd-product"),
    ("--timeout", "timeout"),
];

#[derive(Default)]
struct Filters {
    /// (operation attribute, value) from the long options.
    given: Vec<(&'static str, String)>,
}

impl Filters {
    fn get(&self, name: &str) -> Option<&str> {
        self.given.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// Takes the long options (each with its value in the next word) out of `args`.
fn long_options(args: &[String]) -> Result<(Vec<String>, Filters), CliError> {
    let (mut rest, mut f) = (Vec::new(), Filters::default());
    let mut words = args.iter();
    while let Some(w) = words.next() {
        let Some((opt, attr)) = LONG.iter().find(|(o, _)| o == w) else {
            rest.push(w.clone());
            continue;
        };
        let v = words
            .next()
            .ok_or_else(|| CliError::Usage(format!("Expected a value after \"{opt}\".")))?;
        f.given.push((attr, v.clone()));
    }
    Ok((rest, f))
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    let (args, filters) = long_options(args)?;
    let toks = tokenize(&args, arg_kind)?;
    if toks.contains(&Tok::Help) {
        out!("{USAGE}");
        return Ok(0);
    }
    let (mut long, mut shown) = (false, false);
    for tok in toks {
        match tok {
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt('l', _) => long = true,
            Tok::Opt('m', _) => {
                models(ctx, long, &filters)?;
                shown = true;
            }
            Tok::Opt('v', _) => {
                devices(ctx, long, &filters)?;
                shown = true;
            }
            Tok::Opt(c, _) => return Err(CliError::Usage(format!("Unknown option \"{c}\"."))),
            Tok::Operand(a) => return Err(CliError::Usage(format!("Unknown argument \"{a}\"."))),
            Tok::Help => {}
        }
    }
    if !shown {
        out!("{USAGE}");
        return Ok(1);
    }
    Ok(0)
}

fn text(g: &Group, name: &str) -> String {
    g.get(name).and_then(Attribute::first_str).unwrap_or_default().to_string()
}

fn filtered_request(ctx: &Ctx, op: Operation, f: &Filters, names: &[&str]) -> Message {
    let mut req = ctx.request(op, None);
    for &name in names {
        let Some(v) = f.get(name) else { continue };
        let value = match name {
            "timeout" => Value::Integer(v.parse().unwrap_or(0)),
            "ppd-language" => Value::NaturalLanguage(v.to_string()),
            "include-schemes" | "exclude-schemes" => {
                let words = v.split(',').map(|s| Value::Name(s.to_string())).collect();
                op_attr(&mut req, Attribute::set(name, words));
                continue;
            }
            _ => Value::Text(v.to_string()),
        };
        op_attr(&mut req, Attribute::new(name, value));
    }
    req
}

fn devices(ctx: &mut Ctx, long: bool, f: &Filters) -> Result<(), CliError> {
    let names = ["timeout", "include-schemes", "exclude-schemes"];
    let req = filtered_request(ctx, Operation::CupsGetDevices, f, &names);
    let resp = ipp_ok(ctx.send("/", &req, None)?)?;
    for g in groups(&resp, DelimiterTag::Printer) {
        let (uri, class) = (text(g, "device-uri"), text(g, "device-class"));
        if long {
            out!("Device: uri = {uri}\n        class = {class}\n        info = {}\n        make-and-model = {}\n        device-id = {}\n        location = {}",
                text(g, "device-info"), text(g, "device-make-and-model"), text(g, "device-id"), text(g, "device-location"));
        } else {
            out!("{class} {uri}");
        }
    }
    Ok(())
}

fn models(ctx: &mut Ctx, long: bool, f: &Filters) -> Result<(), CliError> {
    let names = [
        "ppd-device-id",
        "ppd-language",
        "ppd-make-and-model",
        "ppd-product",
        "include-schemes",
        "exclude-schemes",
    ];
    let req = filtered_request(ctx, Operation::CupsGetPpds, f, &names);
    let resp = ipp_ok(ctx.send("/", &req, None)?)?;
    for g in groups(&resp, DelimiterTag::Printer) {
        let (name, model) = (text(g, "ppd-name"), text(g, "ppd-make-and-model"));
        let language = text(g, "ppd-natural-language");
        if name.is_empty() || model.is_empty() || language.is_empty() {
            continue;
        }
        let id = g.get("ppd-device-id").and_then(Attribute::first_str).unwrap_or("NONE");
        print_model(long, &name, &language, &model, id);
    }
    let included = f.get("include-schemes").is_none_or(|s| s.contains("everywhere"));
    let excluded = f.get("exclude-schemes").is_some_and(|s| s.contains("everywhere"));
    if included && !excluded {
        if long {
            let language = client_language();
            print_model(true, "everywhere", &language, "IPP Everywhere\u{2122}", "CMD:PwgRaster");
        } else {
            out!("everywhere IPP Everywhere");
        }
    }
    Ok(())
}

fn print_model(long: bool, name: &str, language: &str, model: &str, id: &str) {
    if long {
        out!("Model:  name = {name}\n        natural_language = {language}\n        make-and-model = {model}\n        device-id = {id}");
    } else {
        out!("{name} {model}");
    }
}

/// The client's own language, as CUPS names it for the "everywhere" model: the locale's
/// language and country without its character set ("C" for the C or POSIX locale).
fn client_language() -> String {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    let name = locale.split(['.', '@']).next().unwrap_or_default();
    match name {
        "" | "C" | "POSIX" => "C".to_string(),
        other => other.to_string(),
    }
}
