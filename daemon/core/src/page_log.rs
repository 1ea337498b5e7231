//! The page log: a line for each job whose printing ended (cupsd 2.4 writes one per run,
//! `total N`, N the impressions counted), laid out by `PageLogFormat`: `%p` printer, `%u`
//! user, `%j` job id, `%T` date, `%P` page (`total`), `%C` count, `%{attribute}` the job's
//! attribute (values joined by commas; `-` when it has none), `%%` a percent sign.

use quire_ipp::{Attribute, Value};
use std::fmt::Write as _;

/// What a page log line is made of.
#[derive(Debug, Clone)]
pub struct PageFields<'a> {
    /// The queue the job was sent to.
    pub printer: &'a str,
    pub user: &'a str,
    pub job_id: i32,
    /// `total` for the line at the end of a run.
    pub page: &'a str,
    /// Impressions counted.
    pub count: i32,
    /// The job's attributes, for `%{name}`.
    pub attributes: &'a [Attribute],
}

/// The line `format` makes of `fields` at `stamp` (control characters escaped).
pub fn render(format: &str, fields: &PageFields<'_>, stamp: &str) -> String {
    let mut out = String::with_capacity(format.len() + 64);
    let mut rest = format;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let Some(code) = rest.chars().next() else { break };
        rest = &rest[code.len_utf8()..];
        match code {
            '%' => out.push('%'),
            'p' => out.push_str(fields.printer),
            'u' => out.push_str(if fields.user.is_empty() { "-" } else { fields.user }),
            'j' => out.push_str(&fields.job_id.to_string()),
            'T' => out.push_str(stamp),
            'P' => out.push_str(fields.page),
            'C' => out.push_str(&fields.count.to_string()),
            '{' => match rest.split_once('}') {
                Some((name, after)) => {
                    out.push_str(&attribute_text(fields.attributes, name));
                    rest = after;
                }
                None => out.push_str("%{"),
            },
            other => {
                out.push('%');
                out.push(other);
            }
        }
    }
    out.push_str(rest);
    crate::log_text::escape(&out).into_owned()
}

/// `%{name}`: the attribute's values, with cupsd's aliases (`job-billing` is also
/// `job-account-id`; `media` is also `media-col`'s size, by its PWG name).
fn attribute_text(attributes: &[Attribute], name: &str) -> String {
    let find = |n: &str| attributes.iter().find(|a| a.name == n);
    if let Some(a) =
        find(name).or_else(|| (name == "job-billing").then(|| find("job-account-id")).flatten())
    {
        return values_text(&a.values);
    }
    let size = (name == "media")
        .then(|| find("media-col"))
        .flatten()
        .and_then(|col| member(col.values.first()?, "media-size"))
        .and_then(|size| size.values.first());
    match size {
        Some(size) => media_size_name(size).unwrap_or_else(|| "???".into()),
        None => "-".into(),
    }
}

fn member<'a>(v: &'a Value, name: &str) -> Option<&'a Attribute> {
    match v {
        Value::Collection(members) => members.iter().find(|m| m.name == name),
        _ => None,
    }
}

fn values_text(values: &[Value]) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match v {
            Value::Integer(n) | Value::Enum(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Boolean(b) => out.push(if *b { '1' } else { '0' }),
            Value::TextWithLanguage { text: s, .. }
            | Value::NameWithLanguage { name: s, .. }
            | Value::Text(s)
            | Value::Name(s)
            | Value::Keyword(s)
            | Value::Uri(s)
            | Value::UriScheme(s)
            | Value::Charset(s)
            | Value::NaturalLanguage(s)
            | Value::MimeMediaType(s) => out.push_str(s),
            other => out.push_str(&media_size_name(other).unwrap_or_else(|| "???".into())),
        }
    }
    out
}

/// Common sizes by their PWG names, in hundredths of millimetres.
const SIZES: &[(&str, i32, i32)] = &[
    ("na_letter_8.5x11in", 21590, 27940),
    ("na_legal_8.5x14in", 21590, 35560),
    ("na_executive_7.25x10.5in", 18415, 26670),
    ("na_ledger_11x17in", 27940, 43180),
    ("na_number-10_4.125x9.5in", 10477, 24130),
    ("iso_a3_297x420mm", 29700, 42000),
    ("iso_a4_210x297mm", 21000, 29700),
    ("iso_a5_148x210mm", 14800, 21000),
    ("iso_a6_105x148mm", 10500, 14800),
    ("iso_b5_176x250mm", 17600, 25000),
    ("iso_dl_110x220mm", 11000, 22000),
    ("na_index-4x6_4x6in", 10160, 15240),
];

/// A `media-size` collection's PWG name: a common size within 0.5 mm, else a custom one.
fn media_size_name(v: &Value) -> Option<String> {
    let dimension = |n: &str| match member(v, n)?.values.first()? {
        Value::Integer(d) => Some(*d),
        _ => None,
    };
    let (x, y) = (dimension("x-dimension")?, dimension("y-dimension")?);
    let near = |a: i32, b: i32| (a - b).abs() <= 50;
    if let Some((name, ..)) = SIZES.iter().find(|(_, w, l)| near(*w, x) && near(*l, y)) {
        return Some((*name).to_string());
    }
    let mm = |d: i32| {
        let text = format!("{}.{:02}", d / 100, d % 100);
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    Some(format!("custom_{}x{}mm_{}x{}mm", mm(x), mm(y), mm(x), mm(y)))
}

#[cfg(test)]
#[path = "page_log_tests.rs"]
mod tests;
