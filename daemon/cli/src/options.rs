//! `-o name=value` options: CUPS's option-string syntax and the conversion of
//! option values to IPP attributes with the right value syntax.

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Message, ResolutionUnits, Value};

/// Options in the order given; a later value for a name replaces the earlier
/// one (cupsAddOption).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Options(pub Vec<(String, String)>);

impl Options {
    pub fn add(&mut self, name: &str, value: &str) {
        match self.0.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.0.push((name.to_string(), value.to_string())),
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(self.0.remove(i).1)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// cupsParseOptions: whitespace-separated `name=value`, `name` (true) or
    /// `noname` (false); values may be quoted ('..' or ".."), backslash-escaped,
    /// or a `{...}` collection.
    pub fn parse(&mut self, text: &str) -> Result<(), String> {
        let mut chars = text.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if chars.peek().is_none() {
                return Ok(());
            }
            let mut name = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
                name.push(c);
            }
            if chars.next_if_eq(&'=').is_none() {
                match name.strip_prefix("no").filter(|n| !n.is_empty()) {
                    Some(n) => self.add(n, "false"),
                    None => self.add(&name, "true"),
                }
                continue;
            }
            if name.is_empty() {
                return Err(format!("missing option name in \"{text}\""));
            }
            let value = parse_value(&mut chars)?;
            self.add(&name, &value);
        }
    }
}

fn parse_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    let mut value = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0u32;
    while let Some(&c) = chars.peek() {
        if quote.is_none() && depth == 0 && c.is_whitespace() {
            break;
        }
        chars.next();
        match c {
            '\\' => match chars.next() {
                Some(n) => value.push(n),
                None => return Err("trailing backslash in option value".into()),
            },
            q @ ('\'' | '"') if quote == Some(q) => quote = None,
            q @ ('\'' | '"') if quote.is_none() => quote = Some(q),
            '{' if quote.is_none() => {
                depth += 1;
                value.push(c);
            }
            '}' if quote.is_none() && depth > 0 => {
                depth -= 1;
                value.push(c);
            }
            _ => value.push(c),
        }
    }
    if quote.is_some() || depth > 0 {
        return Err("unterminated quote or brace in option value".into());
    }
    Ok(value)
}

/// The value syntax we send for a known attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Integer,
    Boolean,
    Keyword,
    Name,
    Text,
    Enum(&'static [(&'static str, i32)]),
    RangeSet,
    Resolution,
    Mime,
    Uri,
    /// A 1setOf name (printer names): commas and spaces separate, empty is `no-value`.
    Names,
    /// An integer, or a keyword such as `auto`.
    IntegerOrKeyword,
}

const ORIENTATION: &[(&str, i32)] =
    &[("portrait", 3), ("landscape", 4), ("reverse-landscape", 5), ("reverse-portrait", 6)];
const QUALITY: &[(&str, i32)] = &[("draft", 3), ("normal", 4), ("high", 5)];
const FINISHINGS: &[(&str, i32)] = &[
    ("none", 3),
    ("staple", 4),
    ("punch", 5),
    ("cover", 6),
    ("bind", 7),
    ("saddle-stitch", 8),
    ("edge-stitch", 9),
    ("fold", 10),
    ("trim", 11),
    ("bale", 12),
    ("booklet-maker", 13),
    ("jog-offset", 14),
    ("coat", 15),
    ("laminate", 16),
    ("staple-top-left", 20),
    ("staple-bottom-left", 21),
    ("staple-top-right", 22),
    ("staple-bottom-right", 23),
    ("staple-dual-left", 28),
    ("staple-dual-top", 29),
    ("staple-dual-right", 30),
    ("staple-dual-bottom", 31),
    ("punch-dual-left", 74),
    ("punch-dual-top", 75),
];
const PRINTER_STATE: &[(&str, i32)] = &[("idle", 3), ("processing", 4), ("stopped", 5)];

/// Known attributes: (name, syntax, goes in the operation group).
const KNOWN: &[(&str, Syntax, bool)] = &[
    ("copies", Syntax::Integer, false),
    ("number-up", Syntax::Integer, false),
    ("job-priority", Syntax::Integer, false),
    ("job-cancel-after", Syntax::Integer, false),
    ("page-left", Syntax::Integer, false),
    ("page-right", Syntax::Integer, false),
    ("page-top", Syntax::Integer, false),
    ("page-bottom", Syntax::Integer, false),
    ("page-ranges", Syntax::RangeSet, false),
    ("fit-to-page", Syntax::Boolean, false),
    ("printer-is-shared", Syntax::Boolean, false),
    ("printer-is-accepting-jobs", Syntax::Boolean, false),
    ("ipp-attribute-fidelity", Syntax::Boolean, true),
    ("job-hold-until", Syntax::Keyword, false),
    ("media", Syntax::Keyword, false),
    ("sides", Syntax::Keyword, false),
    ("print-color-mode", Syntax::Keyword, false),
    ("output-bin", Syntax::Keyword, false),
    ("number-up-layout", Syntax::Keyword, false),
    ("page-delivery", Syntax::Keyword, false),
    ("page-set", Syntax::Keyword, false),
    ("multiple-document-handling", Syntax::Keyword, false),
    ("print-scaling", Syntax::Keyword, false),
    ("print-content-optimize", Syntax::Keyword, false),
    ("media-source", Syntax::Keyword, false),
    ("media-type", Syntax::Keyword, false),
    ("compression", Syntax::Keyword, true),
    ("job-sheets", Syntax::Name, false),
    ("job-sheets-default", Syntax::Name, false),
    ("job-account-id", Syntax::Name, false),
    ("job-accounting-user-id", Syntax::Name, false),
    ("printer-error-policy", Syntax::Name, false),
    ("printer-op-policy", Syntax::Name, false),
    ("requesting-user-name-allowed", Syntax::Name, false),
    ("requesting-user-name-denied", Syntax::Name, false),
    ("job-name", Syntax::Name, true),
    ("document-name", Syntax::Name, true),
    ("printer-info", Syntax::Text, false),
    ("printer-location", Syntax::Text, false),
    ("printer-state-message", Syntax::Text, false),
    ("document-format", Syntax::Mime, true),
    ("device-uri", Syntax::Uri, false),
    ("orientation-requested", Syntax::Enum(ORIENTATION), false),
    ("print-quality", Syntax::Enum(QUALITY), false),
    ("finishings", Syntax::Enum(FINISHINGS), false),
    ("printer-state", Syntax::Enum(PRINTER_STATE), false),
    ("printer-resolution", Syntax::Resolution, false),
];

/// Quire's vendor attributes: the printer's security facts, split and failover policy
/// (lpadmin) and a job's split and failover requests (lp). All go in the object group. Values the daemon must
/// judge (an unknown keyword, a level out of range) are sent as typed, so the user gets
/// the daemon's message.
const VENDOR: &[(&str, Syntax)] = &[
    (v::AUTHENTICATION_METHOD, Syntax::Keyword),
    (v::ENCRYPTS_JOB_DATA, Syntax::Boolean),
    (v::ERASES_STORAGE, Syntax::Boolean),
    (v::SECURITY_LEVEL, Syntax::IntegerOrKeyword),
    (v::SECURITY_CONFIRMED, Syntax::Boolean),
    (v::SPLIT_DEFAULT, Syntax::Keyword),
    (v::SPLIT_PRINTERS_DEFAULT, Syntax::Names),
    (v::SPLIT_FALLBACK_DEFAULT, Syntax::Keyword),
    (v::SPLIT_MIN_COPIES, Syntax::Integer),
    (v::SPLIT_MIN_PAGES, Syntax::Integer),
    (v::SPLIT, Syntax::Keyword),
    (v::SPLIT_PRINTERS, Syntax::Names),
    (v::SPLIT_FALLBACK, Syntax::Keyword),
    (v::FAILOVER_DEFAULT, Syntax::Keyword),
    (v::FAILOVER_GRACE_TIME, Syntax::Integer),
    (v::FAILOVER, Syntax::Keyword),
];

/// The syntax of a known option and whether it goes in the operation group.
fn known_syntax(name: &str) -> Option<(Syntax, bool)> {
    let standard = KNOWN.iter().find(|(n, _, _)| *n == name).map(|(_, s, op)| (*s, *op));
    standard.or_else(|| VENDOR.iter().find(|(n, _)| *n == name).map(|(_, s)| (*s, false)))
}

/// Where an encoded option goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Operation,
    /// The job (or, for lpadmin, printer) attribute group.
    Object,
}

/// Converts one option to an IPP attribute. Comma-separated values become a
/// 1setOf. Unknown names get a syntax guessed from the value.
pub fn encode_option(name: &str, value: &str) -> Result<(Target, Attribute), String> {
    let bad = || format!("bad value \"{value}\" for option \"{name}\"");
    if value.starts_with('{') {
        return Err(format!("collection values are not supported (option \"{name}\")"));
    }
    let known = known_syntax(name);
    let target = match known {
        Some((_, true)) => Target::Operation,
        _ => Target::Object,
    };
    match known {
        Some((Syntax::RangeSet, _)) => {
            return Ok((target, Attribute::set(name, parse_page_list(value)?)))
        }
        Some((Syntax::Names, _)) => return Ok((target, Attribute::set(name, names(value)))),
        _ => {}
    }
    let mut values = Vec::new();
    for part in value.split(',') {
        let v = match known {
            Some((syntax, _)) => encode_known(syntax, part).ok_or_else(bad)?,
            None => guess(part),
        };
        values.push(v);
    }
    Ok((target, Attribute::set(name, values)))
}

fn encode_known(syntax: Syntax, v: &str) -> Option<Value> {
    Some(match syntax {
        Syntax::Integer => Value::Integer(v.trim().parse().ok()?),
        Syntax::Boolean => Value::Boolean(parse_bool(v)?),
        Syntax::Keyword => keyword_or_name(v)?,
        Syntax::Name => Value::Name(v.to_string()),
        Syntax::Text => Value::Text(v.to_string()),
        Syntax::Mime => Value::MimeMediaType(v.to_string()),
        Syntax::Uri => Value::Uri(v.to_string()),
        Syntax::Resolution => parse_resolution(v)?,
        Syntax::Enum(table) => match v.trim().parse::<i32>() {
            Ok(n) => Value::Enum(n),
            Err(_) => Value::Enum(table.iter().find(|(k, _)| *k == v)?.1),
        },
        Syntax::IntegerOrKeyword => match v.trim().parse() {
            Ok(n) => Value::Integer(n),
            Err(_) => keyword_or_name(v.trim())?,
        },
        Syntax::RangeSet | Syntax::Names => return None,
    })
}

/// "a,b" or "a b" as name values; nothing at all is `no-value` (clears the list).
fn names(list: &str) -> Vec<Value> {
    let values: Vec<Value> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|n| !n.is_empty())
        .map(|n| Value::Name(n.to_string()))
        .collect();
    if values.is_empty() {
        vec![Value::NoValue]
    } else {
        values
    }
}

/// keyword | name attributes (media, job-hold-until): a keyword if it looks
/// like one, else a name (e.g. job-hold-until "12:30", custom media names).
fn keyword_or_name(v: &str) -> Option<Value> {
    if v.is_empty() {
        return None;
    }
    if is_keyword(v) {
        Some(Value::Keyword(v.to_string()))
    } else {
        Some(Value::Name(v.to_string()))
    }
}

fn is_keyword(v: &str) -> bool {
    let mut bytes = v.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.'))
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Syntax for an option the table doesn't know, from its value.
fn guess(v: &str) -> Value {
    if let Some(b) = parse_bool(v).filter(|_| matches!(v, "true" | "false")) {
        return Value::Boolean(b);
    }
    if let Ok(n) = v.parse::<i32>() {
        return Value::Integer(n);
    }
    if let Some((a, b)) = v.split_once('-') {
        if let (Ok(lower), Ok(upper)) = (a.parse::<i32>(), b.parse::<i32>()) {
            return Value::RangeOfInteger { lower, upper };
        }
    }
    if let Some(r) = parse_resolution(v) {
        return r;
    }
    if is_keyword(v) {
        Value::Keyword(v.to_string())
    } else {
        Value::Name(v.to_string())
    }
}

/// "300dpi", "600x300dpi", "118dpcm".
fn parse_resolution(v: &str) -> Option<Value> {
    let (num, units) = if let Some(n) = v.strip_suffix("dpi") {
        (n, ResolutionUnits::DotsPerInch)
    } else {
        (v.strip_suffix("dpcm")?, ResolutionUnits::DotsPerCm)
    };
    let (x, y) = match num.split_once('x') {
        Some((x, y)) => (x.parse().ok()?, y.parse().ok()?),
        None => {
            let n: i32 = num.parse().ok()?;
            (n, n)
        }
    };
    (x > 0 && y > 0).then_some(Value::Resolution { cross_feed: x, feed: y, units })
}

/// A page list ("1-3,5,8-") as page-ranges values: ascending, non-overlapping,
/// 1-based; "N-" runs to the last page and "-N" starts at page 1.
pub fn parse_page_list(s: &str) -> Result<Vec<Value>, String> {
    let bad = || format!("bad page list \"{s}\"");
    let mut out = Vec::new();
    let mut last = 0i32;
    for part in s.split(',') {
        let part = part.trim();
        let (lower, upper) = match part.split_once('-') {
            Some((a, b)) => (
                if a.is_empty() { 1 } else { a.parse::<i32>().map_err(|_| bad())? },
                if b.is_empty() { i32::MAX } else { b.parse::<i32>().map_err(|_| bad())? },
            ),
            None => {
                let n = part.parse::<i32>().map_err(|_| bad())?;
                (n, n)
            }
        };
        if lower < 1 || upper < lower || lower <= last {
            return Err(bad());
        }
        last = upper;
        out.push(Value::RangeOfInteger { lower, upper });
    }
    Ok(out)
}

/// What `lp -H` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// job-hold-until with this value.
    Until(String),
    /// no-hold plus job-priority 100.
    Immediate,
    /// Restart-Job (needs -i).
    Restart,
}

/// lp's -H values: hold, resume/release, immediate, restart, a hold keyword
/// (indefinite, day-time, night, ...) or a time of day `hh:mm[:ss]` (UTC).
pub fn parse_hold(v: &str) -> Result<Hold, String> {
    Ok(match v {
        "hold" => Hold::Until("indefinite".into()),
        "resume" | "release" => Hold::Until("no-hold".into()),
        "immediate" => Hold::Immediate,
        "restart" => Hold::Restart,
        v if is_keyword(v) => Hold::Until(v.to_string()),
        v if is_time_of_day(v) => Hold::Until(v.to_string()),
        _ => return Err(format!("Error - bad hold value \"{v}\" (use hold, resume, immediate, restart, indefinite or hh:mm).")),
    })
}

fn is_time_of_day(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    let ok = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
    matches!(parts.len(), 2 | 3) && ok(parts[0], 23) && parts[1..].iter().all(|p| ok(p, 59))
}

/// Adds every option to `msg`: operation attributes to the operation group,
/// the rest to `object` (Job for jobs, Printer for lpadmin).
pub fn encode_options(
    msg: &mut Message,
    opts: &Options,
    object: DelimiterTag,
) -> Result<(), String> {
    for (name, value) in &opts.0 {
        let (target, attr) = encode_option(name, value)?;
        let tag = match target {
            Target::Operation => DelimiterTag::Operation,
            Target::Object => object,
        };
        msg.group_mut(tag).push(attr);
    }
    Ok(())
}

#[cfg(test)]
#[path = "options_tests.rs"]
mod tests;
