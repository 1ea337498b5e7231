//! The status lines a CUPS backend writes on stderr (backend(7), filter(7)): a pure,
//! panic-free parser, fuzzed by `fuzz/fuzz_targets/backend_status.rs`.
//!
//! Prefixes are matched case-sensitively, as cupsd's status buffer does; a line without a
//! known prefix is a debug message.

use quire_ipp::{Attribute, Value};

/// Longest line considered; the rest of a longer line is ignored (cupsd's status buffer
/// holds 2 KiB).
pub const MAX_LINE: usize = 4096;
/// Most printer-state-reasons one `STATE:` line may carry, and most values per `ATTR:`.
const MAX_ITEMS: usize = 64;
/// Longest keyword kept (state reasons, attribute names).
const MAX_KEYWORD: usize = 255;

/// Severity of a message line, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Emerg,
    Alert,
    Crit,
    Error,
    Warning,
    Notice,
    Info,
    Debug,
    Debug2,
}

impl Level {
    /// `ERROR:` and worse: the message explains a failure.
    pub fn is_error(self) -> bool {
        self <= Level::Error
    }
    /// Everything above debug becomes the printer-state-message (cupsd's update_job).
    pub fn sets_message(self) -> bool {
        self < Level::Debug
    }
}

/// A `STATE:` line: `+a,b` adds, `-a` removes, anything else replaces the whole set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateChange {
    Add(Vec<String>),
    Remove(Vec<String>),
    Set(Vec<String>),
}

/// One parsed status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusLine {
    /// `EMERG:` … `DEBUG2:`, or a line without a prefix (debug).
    Message {
        level: Level,
        text: String,
    },
    State(StateChange),
    /// `PAGE: N C`: page N printed, C copies of it (at least 1).
    Page {
        copies: i32,
    },
    /// `PAGE: total N`: N impressions in all so far.
    PageTotal(i32),
    /// `ATTR: name=value ...`, values still in their textual form.
    Attr(Vec<(String, String)>),
    /// `JOBSTATE: keyword` (job-state-reasons).
    JobState(String),
    /// `PPD: Keyword=Value ...` (PPD keyword updates).
    Ppd(Vec<(String, String)>),
}

/// Parses one line of raw stderr bytes: capped at [`MAX_LINE`], invalid UTF-8 replaced.
pub fn parse_bytes(line: &[u8]) -> Option<StatusLine> {
    let capped = &line[..line.len().min(MAX_LINE)];
    parse_line(&String::from_utf8_lossy(capped))
}

/// Parses one line (without its newline). `None` for a blank line.
pub fn parse_line(line: &str) -> Option<StatusLine> {
    let line = cap(line, MAX_LINE).trim_end();
    if line.trim_start().is_empty() {
        return None;
    }
    const PREFIXES: &[(&str, Option<Level>)] = &[
        ("EMERG:", Some(Level::Emerg)),
        ("ALERT:", Some(Level::Alert)),
        ("CRIT:", Some(Level::Crit)),
        ("ERROR:", Some(Level::Error)),
        ("WARNING:", Some(Level::Warning)),
        ("NOTICE:", Some(Level::Notice)),
        ("INFO:", Some(Level::Info)),
        ("DEBUG:", Some(Level::Debug)),
        ("DEBUG2:", Some(Level::Debug2)),
        ("PAGE:", None),
        ("STATE:", None),
        ("JOBSTATE:", None),
        ("ATTR:", None),
        ("PPD:", None),
    ];
    for (prefix, level) in PREFIXES {
        if let Some(rest) = line.strip_prefix(prefix) {
            let rest = rest.trim_start();
            return Some(match (level, *prefix) {
                (Some(level), _) => {
                    StatusLine::Message { level: *level, text: strip_legacy(rest).to_string() }
                }
                (None, "PAGE:") => parse_page(rest),
                (None, "STATE:") => StatusLine::State(parse_state(rest)),
                (None, "JOBSTATE:") => {
                    StatusLine::JobState(keywords(rest).into_iter().next().unwrap_or_default())
                }
                (None, "ATTR:") => StatusLine::Attr(parse_options(rest)),
                _ => StatusLine::Ppd(parse_options(rest)),
            });
        }
    }
    Some(StatusLine::Message { level: Level::Debug, text: line.trim_start().to_string() })
}

/// The longest prefix of `s` of at most `max` bytes ending on a character boundary.
fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// cupsd drops the CUPS 1.x "recoverable:"/"recovered:" markers before showing a message.
fn strip_legacy(text: &str) -> &str {
    for marker in ["recoverable:", "recovered:"] {
        if let Some(rest) = text.strip_prefix(marker) {
            return rest.trim_start();
        }
    }
    text
}

fn parse_page(rest: &str) -> StatusLine {
    if rest.len() >= 6 && rest.is_char_boundary(6) && rest[..6].eq_ignore_ascii_case("total ") {
        return StatusLine::PageTotal(atoi(&rest[6..]).unwrap_or(0));
    }
    // sscanf("%*d%d"): the copy count is the second integer; missing or < 1 means 1.
    let mut words = rest.split_whitespace();
    let copies = match words.next().and_then(atoi) {
        Some(_) => words.next().and_then(atoi).filter(|c| *c > 0).unwrap_or(1),
        None => 1,
    };
    StatusLine::Page { copies }
}

/// C `atoi`-like: optional whitespace and sign, then digits; saturates instead of overflowing.
fn atoi(s: &str) -> Option<i32> {
    let s = s.trim_start();
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits[..len].bytes() {
        value = (value * 10 + i64::from(b - b'0')).min(i64::from(i32::MAX) + 1);
    }
    let value = if negative { -value } else { value };
    Some(value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

fn parse_state(rest: &str) -> StateChange {
    match rest.as_bytes().first() {
        Some(b'+') => StateChange::Add(keywords(&rest[1..])),
        Some(b'-') => StateChange::Remove(keywords(&rest[1..])),
        _ => StateChange::Set(keywords(rest)),
    }
}

/// Reasons separated by commas or whitespace; "none" and anything that cannot be an IPP
/// keyword (non-ASCII, too long) is dropped.
fn keywords(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in s.split(|c: char| c == ',' || c.is_whitespace()) {
        if out.len() >= MAX_ITEMS {
            break;
        }
        if is_keyword(word) && word != "none" && !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

fn is_keyword(word: &str) -> bool {
    !word.is_empty() && word.len() <= MAX_KEYWORD && word.bytes().all(|b| b.is_ascii_graphic())
}

/// `name=value name2='quoted value' name3="a b" name4={collection}`, as cupsParseOptions
/// reads them: backslash escapes the next character, quotes may appear anywhere in a value,
/// a name alone means "true".
pub fn parse_options(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while out.len() < MAX_ITEMS {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            name.push(c);
        }
        if name.is_empty() {
            break;
        }
        let value = if chars.next_if_eq(&'=').is_some() {
            read_value(&mut chars)
        } else {
            "true".to_string()
        };
        if is_keyword(&name) {
            out.push((name, value));
        }
    }
    out
}

fn read_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut value = String::new();
    if chars.next_if_eq(&'{').is_some() {
        // A collection value is kept whole, braces included.
        value.push('{');
        let mut depth = 1usize;
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.extend(chars.next()),
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if c != '\\' {
                value.push(c);
            }
            if depth == 0 {
                break;
            }
        }
        return value;
    }
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => value.extend(chars.next()),
            (q, Some(open)) if q == open => quote = None,
            ('\'' | '"', None) => quote = Some(c),
            (c, None) if c.is_whitespace() => break,
            (c, _) => value.push(c),
        }
    }
    value
}

/// The printer attribute an `ATTR:` pair sets, typed as cupsd types it; `None` for names
/// cupsd does not take from backends.
pub fn printer_attribute(name: &str, value: &str) -> Option<Attribute> {
    let list = || value.split(',').map(str::trim).filter(|v| !v.is_empty()).take(MAX_ITEMS);
    let values: Vec<Value> = match name {
        "marker-levels" | "marker-low-levels" | "marker-high-levels" => {
            list().map(|v| Value::Integer(atoi(v).unwrap_or(0))).collect()
        }
        "marker-colors" | "marker-names" => list().map(|v| Value::Name(v.to_string())).collect(),
        "marker-types" | "auth-info-required" => {
            list().filter(|v| is_keyword(v)).map(|v| Value::Keyword(v.to_string())).collect()
        }
        "marker-message" | "printer-alert-description" => vec![Value::Text(value.to_string())],
        "printer-alert" => vec![Value::OctetString(value.as_bytes().to_vec())],
        _ => return None,
    };
    if values.is_empty() {
        return None;
    }
    Some(Attribute::set(name, values))
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
