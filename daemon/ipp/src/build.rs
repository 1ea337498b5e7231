//! Builders for the values and attributes IPP messages are made of, shared by the scheduler,
//! the backends and the printer simulator: a keyword is built one way everywhere.

use crate::message::Attribute;
use crate::value::{ResolutionUnits, Value};

pub fn keyword(v: &str) -> Value {
    Value::Keyword(v.to_string())
}

pub fn keywords(list: &[&str]) -> Vec<Value> {
    list.iter().map(|v| keyword(v)).collect()
}

pub fn text(v: &str) -> Value {
    Value::Text(v.to_string())
}

/// An integer from any count or time, clamped to IPP's 32 bits (a count too large for an
/// `i64` counts as the largest).
pub fn clamped_integer(n: impl TryInto<i64>) -> Value {
    let n: i64 = n.try_into().unwrap_or(i64::MAX);
    Value::Integer(i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX }))
}

/// A resolution of `n` by `n` dots per inch.
pub fn dpi(n: i32) -> Value {
    Value::Resolution { cross_feed: n, feed: n, units: ResolutionUnits::DotsPerInch }
}

/// A `media-size` collection, in hundredths of millimetres.
pub fn media_size(width: i32, length: i32) -> Value {
    Value::Collection(vec![
        Attribute::new("x-dimension", Value::Integer(width)),
        Attribute::new("y-dimension", Value::Integer(length)),
    ])
}

/// A `media-col` collection: size, the same margin on every side, and the source and type
/// when given.
pub fn media_col(
    width: i32,
    length: i32,
    margins: i32,
    source: Option<&str>,
    media_type: Option<&str>,
) -> Value {
    let mut members = vec![Attribute::new("media-size", media_size(width, length))];
    for side in
        ["media-bottom-margin", "media-left-margin", "media-right-margin", "media-top-margin"]
    {
        members.push(Attribute::new(side, Value::Integer(margins)));
    }
    if let Some(s) = source {
        members.push(Attribute::new("media-source", keyword(s)));
    }
    if let Some(t) = media_type {
        members.push(Attribute::new("media-type", keyword(t)));
    }
    Value::Collection(members)
}

pub fn keyword_attr(name: &str, value: &str) -> Attribute {
    Attribute::new(name, keyword(value))
}

pub fn keywords_attr(name: &str, values: &[&str]) -> Attribute {
    Attribute::set(name, keywords(values))
}

pub fn integer_attr(name: &str, value: i32) -> Attribute {
    Attribute::new(name, Value::Integer(value))
}

pub fn text_attr(name: &str, value: &str) -> Attribute {
    Attribute::new(name, text(value))
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
