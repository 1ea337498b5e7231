//! The pieces of PPD values the reader looks into: text in the file's `*LanguageEncoding`,
//! `*cupsFilter`/`*cupsFilter2` lines, numbers, and the shapes libcups checks before it
//! accepts `*OrderDependency`, `*UIConstraints` and `*ParamCustom...` lines.

use crate::ppd_lex::is_space;

/// How the file's text (translations, `*NickName`, ...) is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `ISOLatin1`, and what libcups assumes when there is no `*LanguageEncoding`.
    Latin1,
    /// `WindowsANSI`.
    Windows1252,
    /// `UTF-8`, and whatever libcups does not know.
    Utf8,
    /// `ISOLatin2`, `ISOLatin5`, `JIS83-RKSJ`, `MacStandard`: not decoded here.
    Other,
}

impl Encoding {
    /// libcups's reading of a `*LanguageEncoding` value.
    pub fn from_name(name: &str) -> Encoding {
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("ISOLatin1") {
            Encoding::Latin1
        } else if is("WindowsANSI") {
            Encoding::Windows1252
        } else if is("ISOLatin2") || is("ISOLatin5") || is("JIS83-RKSJ") || is("MacStandard") {
            Encoding::Other
        } else {
            Encoding::Utf8
        }
    }

    /// `bytes` as text; `Err` carries the lossy text when some bytes could not be read
    /// (not UTF-8, or not ASCII in an encoding read as [`Encoding::Other`]).
    pub fn decode(self, bytes: &[u8]) -> Result<String, String> {
        match self {
            Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Encoding::Windows1252 => Ok(bytes.iter().map(|&b| windows_1252(b)).collect()),
            Encoding::Utf8 => String::from_utf8(bytes.to_vec())
                .map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Encoding::Other if bytes.is_ascii() => Ok(String::from_utf8_lossy(bytes).into()),
            Encoding::Other => Err(bytes
                .iter()
                .map(|&b| if b.is_ascii() { char::from(b) } else { char::REPLACEMENT_CHARACTER })
                .collect()),
        }
    }
}

/// Windows-1252: Latin-1 but for 0x80..=0x9f (five of which are unassigned).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{fffd}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{fffd}', 'Ž',
        '\u{fffd}', '\u{fffd}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{fffd}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// A `*cupsFilter` line: `source/type cost program`; documents of the source type go
/// through `program` to the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CupsFilter {
    pub source: String,
    pub cost: i32,
    /// From `maxsize(n)` before the program: larger documents do not take this filter.
    pub max_size: Option<u64>,
    /// A path (absolute, or under CUPS's `filter` directory), or `-` for none.
    pub program: String,
}

/// A `*cupsFilter2` line: `source/type dest/type cost program`; the destination type is
/// the printer's own (`printer/NAME/dest/type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CupsFilter2 {
    pub source: String,
    pub dest: String,
    pub cost: i32,
    pub max_size: Option<u64>,
    pub program: String,
}

/// Why a filter line cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterProblem {
    /// Not `type [dest-type] cost program` (libcups refuses a whole PPD with a bad
    /// `*cupsFilter2`; cupsd skips a bad `*cupsFilter`).
    Shape,
    /// `maxsize(` without a number and `)`: cupsd skips the filter.
    MaxSize,
}

/// A MIME type as libcups scans it: a super-type of 1 to 15 bytes, `/`, a type of 1 to 255
/// bytes without white space; then the rest.
fn mime_type(text: &str) -> Option<(&str, &str)> {
    let slash = text.find('/')?;
    let (sup, rest) = (&text[..slash], &text[slash + 1..]);
    let end = rest.find(|c: char| c.is_ascii() && is_space(c as u8)).unwrap_or(rest.len());
    let ok = (1..=15).contains(&sup.len()) && (1..=255).contains(&end);
    ok.then_some((&text[..slash + 1 + end], &rest[end..]))
}

/// At least one space or tab, then the rest.
fn gap(text: &str) -> Option<&str> {
    let rest = text.trim_start_matches([' ', '\t']);
    (rest.len() < text.len()).then_some(rest)
}

/// `cost program` (the cost a decimal integer, then a space or tab, then a program on
/// one line): the cost, the max size and the program.
fn cost_program(text: &str) -> Result<(i32, Option<u64>, String), FilterProblem> {
    let text = text.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let len = text.len() - digits.len() + digits.bytes().take_while(u8::is_ascii_digit).count();
    let cost = text[..len].parse::<i32>().map_err(|_| FilterProblem::Shape)?;
    let program = gap(&text[len..]).ok_or(FilterProblem::Shape)?;
    let program = program.split('\n').next().unwrap_or_default();
    if program.is_empty() {
        return Err(FilterProblem::Shape);
    }
    let Some(size) = program.strip_prefix("maxsize(") else {
        return Ok((cost, None, program.to_string()));
    };
    let digits = size.bytes().take_while(u8::is_ascii_digit).count();
    let max = size[..digits].parse::<u64>().map_err(|_| FilterProblem::MaxSize)?;
    let rest = size[digits..].strip_prefix(')').ok_or(FilterProblem::MaxSize)?;
    let program = rest.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    Ok((cost, Some(max), program.to_string()))
}

/// A `*cupsFilter` value.
pub fn parse_filter(value: &str) -> Result<CupsFilter, FilterProblem> {
    let (source, rest) = mime_type(value).ok_or(FilterProblem::Shape)?;
    let (cost, max_size, program) = cost_program(rest)?;
    Ok(CupsFilter { source: source.to_string(), cost, max_size, program })
}

/// A `*cupsFilter2` value.
pub fn parse_filter2(value: &str) -> Result<CupsFilter2, FilterProblem> {
    let (source, rest) = mime_type(value).ok_or(FilterProblem::Shape)?;
    let (dest, rest) = gap(rest).and_then(mime_type).ok_or(FilterProblem::Shape)?;
    let (cost, max_size, program) = cost_program(rest)?;
    Ok(CupsFilter2 { source: source.to_string(), dest: dest.to_string(), cost, max_size, program })
}

/// `count` numbers separated by white space (more after them are ignored).
pub fn numbers<const N: usize>(value: &str) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    let mut words = value.split_ascii_whitespace();
    for slot in &mut out {
        *slot = words.next()?.parse::<f64>().ok().filter(|n| n.is_finite())?;
    }
    Some(out)
}

/// How many words C's `scanf("%Ns...")` finds in `text`: a word longer than `max` counts
/// as several.
fn scanned_words(text: &str, max: usize) -> usize {
    text.split_ascii_whitespace().map(|w| w.len().div_ceil(max)).sum()
}

/// `*OrderDependency: real section *Keyword`: libcups needs two words after the number.
pub fn order_dependency_ok(value: &str) -> bool {
    let text = value.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let number = text
        .strip_prefix(['-', '+'])
        .unwrap_or(text)
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    scanned_words(number, 40) >= 2
}

/// `*UIConstraints: *Option1 [Choice1] *Option2 [Choice2]`: libcups needs two words.
pub fn constraints_ok(value: &str) -> bool {
    scanned_words(value, 40) >= 2
}

/// `*JobPatchFile N: "..."` written as `*JobPatchFile: N: ...` (libcups refuses it).
pub fn job_patch_misplaced(value: &str) -> bool {
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && value.as_bytes().get(digits) == Some(&b':')
}

/// The parameter types a `*ParamCustomOption Name: order type min max` may have.
const PARAM_TYPES: [&str; 8] =
    ["curve", "int", "invcurve", "passcode", "password", "points", "real", "string"];

/// A `*ParamCustom...` value libcups accepts: an order number, a known type, a minimum and
/// a maximum.
pub fn param_custom_ok(value: &str) -> bool {
    let text = value.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let len = text.len() - digits.len() + digits.bytes().take_while(u8::is_ascii_digit).count();
    if text[..len].parse::<i32>().is_err() {
        return false;
    }
    let mut words = text[len..].split_ascii_whitespace();
    let (Some(kind), Some(min)) = (words.next(), words.next()) else { return false };
    PARAM_TYPES.contains(&kind) && (words.next().is_some() || min.len() > 64)
}

/// `Custom` or `Custom.…` (any case): a custom value, which libcups never takes as the name
/// of an ordinary choice or size.
pub fn is_custom_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("Custom")
        || name.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("Custom."))
}

/// A choice or size name as libcups keeps it: one that looks custom gets a leading `_`.
pub fn choice_name(name: &str) -> String {
    if is_custom_name(name) {
        format!("_{name}")
    } else {
        name.to_string()
    }
}

/// The number at the start of `value`, as C's `atoi` reads it (0 when there is none; here
/// never below 0), and whether that was the whole value.
pub fn leading_number(value: &str) -> (u32, bool) {
    let text = value.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    let digits = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    let number = unsigned[..digits].parse::<u32>().ok();
    let whole = number.is_some() && unsigned[digits..].trim().is_empty();
    (number.unwrap_or(0), whole)
}
