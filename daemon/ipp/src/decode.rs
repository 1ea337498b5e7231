//! Incremental IPP decoder (RFC 8010 section 3).
//!
//! The wire format is a sequence of self-delimiting items: an 8-byte header,
//! then delimiter tags (one byte) and attribute values
//! (`tag, name-length, name, value-length, value`). Items are parsed with
//! nom's *streaming* parsers, which report exactly how many more bytes an
//! incomplete item needs. The decoder keeps only the bytes of the one item in
//! progress and does not retry it until enough bytes have arrived, so feeding
//! a message one byte at a time stays linear. Everything after the
//! end-of-attributes tag belongs to the caller and is never copied.

use std::fmt;

use nom::bytes::streaming::take;
use nom::number::streaming::{be_i32, be_u16, be_u8};
use nom::{IResult, Needed, Parser};

use crate::message::{Attribute, Group, Message};
use crate::tag::DelimiterTag;
use crate::value::{DateTime, ResolutionUnits, Value};

const TAG_END_OF_ATTRIBUTES: u8 = 0x03;
const TAG_BEG_COLLECTION: u8 = 0x34;
const TAG_END_COLLECTION: u8 = 0x37;
const TAG_MEMBER_NAME: u8 = 0x4A;
const TAG_EXTENSION: u8 = 0x7F;

/// Resource limits for one message's attribute section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes from the start of the message through the end-of-attributes tag.
    pub max_attribute_bytes: usize,
    /// Nesting depth of collections (a top-level collection is depth 1).
    pub max_collection_depth: usize,
    /// Values in the whole message, collection members' values included.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_attribute_bytes: 1 << 20, max_collection_depth: 16, max_values: 100_000 }
    }
}

/// Why a byte stream is not a valid IPP message. Attribute names are the
/// dotted path to the offending value (`media-col.media-size.x-dimension`),
/// cut to a reasonable length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The stream ended before the end-of-attributes tag.
    Truncated,
    /// A group delimiter that is reserved or unknown (0x00, 0x0B..=0x0F).
    BadDelimiterTag(u8),
    /// A value tag before the first group delimiter.
    AttributeOutsideGroup,
    /// A value whose length does not fit its tag.
    BadValueLength { attribute: String, tag: u32, len: usize },
    /// A boolean value other than 0 or 1.
    BadBoolean { attribute: String, value: u8 },
    /// An additional value (empty name) with no attribute before it in its group.
    MissingName { tag: u8 },
    /// A malformed collection (misplaced member name or end tag, unterminated, ...).
    BadCollection { attribute: String, reason: &'static str },
    /// Collections nested deeper than `Limits::max_collection_depth`.
    CollectionTooDeep { attribute: String, limit: usize },
    /// A name or string value that is not UTF-8.
    InvalidUtf8 { attribute: String },
    /// The attribute section exceeds `Limits::max_attribute_bytes`.
    TooLarge { limit: usize },
    /// More values than `Limits::max_values`.
    TooManyValues { limit: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeError::*;
        match self {
            Truncated => f.write_str("IPP message ended before the end-of-attributes tag"),
            BadDelimiterTag(t) => write!(f, "bad IPP attribute group tag 0x{t:02x}"),
            AttributeOutsideGroup => f.write_str("IPP attribute before the first group tag"),
            BadValueLength { attribute, tag, len } => {
                write!(f, "bad IPP value length {len} for tag 0x{tag:02x} in \"{attribute}\"")
            }
            BadBoolean { attribute, value } => {
                write!(f, "bad IPP boolean value {value} in \"{attribute}\"")
            }
            MissingName { tag } => {
                write!(
                    f,
                    "IPP value (tag 0x{tag:02x}) with an empty name and no attribute before it"
                )
            }
            BadCollection { attribute, reason } => {
                write!(f, "bad IPP collection \"{attribute}\": {reason}")
            }
            CollectionTooDeep { attribute, limit } => {
                write!(f, "IPP collection \"{attribute}\" nested deeper than {limit} levels")
            }
            InvalidUtf8 { attribute } => {
                write!(f, "invalid UTF-8 in IPP attribute \"{attribute}\"")
            }
            TooLarge { limit } => write!(f, "IPP attributes larger than {limit} bytes"),
            TooManyValues { limit } => write!(f, "more than {limit} IPP attribute values"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// Text for a response's `status-message` (text(255), so at most 255 bytes).
    pub fn status_message(&self) -> String {
        clip(&self.to_string(), 255)
    }
}

/// A prefix of `s` of at most `max` bytes, cut at a character boundary.
fn clip(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().to_owned()
}

/// Longest attribute path kept in an error.
const MAX_ERROR_NAME: usize = 128;

// ---------------------------------------------------------------------------
// Wire items (nom streaming parsers)

enum Item<'a> {
    Header { version: (u8, u8), code: u16, request_id: i32 },
    Delimiter(u8),
    Value { tag: u8, name: &'a [u8], value: &'a [u8] },
}

fn header(i: &[u8]) -> IResult<&[u8], Item<'_>> {
    let (i, (major, minor, code, request_id)) = (be_u8, be_u8, be_u16, be_i32).parse(i)?;
    Ok((i, Item::Header { version: (major, minor), code, request_id }))
}

fn item(i: &[u8]) -> IResult<&[u8], Item<'_>> {
    let (i, tag) = be_u8(i)?;
    if tag <= 0x0F {
        return Ok((i, Item::Delimiter(tag)));
    }
    let (i, name_len) = be_u16(i)?;
    let (i, name) = take(name_len)(i)?;
    let (i, value_len) = be_u16(i)?;
    let (i, value) = take(value_len)(i)?;
    Ok((i, Item::Value { tag, name, value }))
}

// ---------------------------------------------------------------------------
// Value payloads (complete input: the length is already known)

/// What is wrong with a single value; the caller adds the attribute path.
enum ValueError {
    Length,
    Boolean(u8),
    Utf8,
}

/// Runs `parser` over all of `data`, or fails with `ValueError::Length`.
fn exact<'a, O, P>(data: &'a [u8], parser: P) -> Result<O, ValueError>
where
    P: Parser<&'a [u8], Output = O, Error = ()>,
{
    nom::combinator::all_consuming(parser)
        .parse(data)
        .map(|(_, o)| o)
        .map_err(|_| ValueError::Length)
}

fn utf8(data: &[u8]) -> Result<String, ValueError> {
    std::str::from_utf8(data).map(str::to_owned).map_err(|_| ValueError::Utf8)
}

/// Decodes the value of any tag except the collection structure tags.
fn parse_value(tag: u8, data: &[u8]) -> Result<Value, ValueError> {
    use nom::number::complete::{be_i32, be_u16, be_u8};
    let string = || utf8(data);
    Ok(match tag {
        0x10..=0x1F => out_of_band(tag, data)?,
        0x21 => Value::Integer(exact(data, be_i32)?),
        0x23 => Value::Enum(exact(data, be_i32)?),
        0x22 => match exact(data, be_u8)? {
            0 => Value::Boolean(false),
            1 => Value::Boolean(true),
            b => return Err(ValueError::Boolean(b)),
        },
        0x30 => Value::OctetString(data.to_vec()),
        0x31 => Value::DateTime(date_time(data)?),
        0x32 => {
            let (cross_feed, feed, units) = exact(data, (be_i32, be_i32, be_u8))?;
            let units = match units {
                3 => ResolutionUnits::DotsPerInch,
                4 => ResolutionUnits::DotsPerCm,
                u => ResolutionUnits::Other(u),
            };
            Value::Resolution { cross_feed, feed, units }
        }
        0x33 => {
            let (lower, upper) = exact(data, (be_i32, be_i32))?;
            Value::RangeOfInteger { lower, upper }
        }
        0x35 | 0x36 => {
            use nom::multi::length_data;
            let (lang, text) =
                exact(data, (length_data(be_u16::<_, ()>), length_data(be_u16::<_, ()>)))?;
            let (language, text) = (utf8(lang)?, utf8(text)?);
            if tag == 0x35 {
                Value::TextWithLanguage { language, text }
            } else {
                Value::NameWithLanguage { language, name: text }
            }
        }
        0x41 => Value::Text(string()?),
        0x42 => Value::Name(string()?),
        0x44 => Value::Keyword(string()?),
        0x45 => Value::Uri(string()?),
        0x46 => Value::UriScheme(string()?),
        0x47 => Value::Charset(string()?),
        0x48 => Value::NaturalLanguage(string()?),
        0x49 => Value::MimeMediaType(string()?),
        TAG_EXTENSION => extension(data)?,
        _ => Value::Other { tag: tag.into(), data: data.to_vec() },
    })
}

fn out_of_band(tag: u8, data: &[u8]) -> Result<Value, ValueError> {
    // Out-of-band values carry no data; CUPS rejects any, and so do we.
    if !data.is_empty() {
        return Err(ValueError::Length);
    }
    Ok(match tag {
        0x10 => Value::Unsupported,
        0x11 => Value::Default,
        0x12 => Value::Unknown,
        0x13 => Value::NoValue,
        0x15 => Value::NotSettable,
        0x16 => Value::DeleteAttribute,
        0x17 => Value::AdminDefine,
        _ => Value::Other { tag: tag.into(), data: Vec::new() },
    })
}

fn date_time(data: &[u8]) -> Result<DateTime, ValueError> {
    use nom::number::complete::{be_u16, be_u8};
    let (year, month, day, hour, minutes, seconds, deci_seconds, utc_dir, utc_hours, utc_minutes) =
        exact(data, (be_u16, be_u8, be_u8, be_u8, be_u8, be_u8, be_u8, be_u8, be_u8, be_u8))?;
    Ok(DateTime {
        year,
        month,
        day,
        hour,
        minutes,
        seconds,
        deci_seconds,
        utc_dir,
        utc_hours,
        utc_minutes,
    })
}

/// Extension tag 0x7F: the real 32-bit tag is the first four bytes of the
/// value. Tags that fit a single tag byte (< 0x80) have no business being
/// escaped, so those values are kept whole as `Other { tag: 0x7F }`; that
/// way every decoded value re-encodes to an equal value.
fn extension(data: &[u8]) -> Result<Value, ValueError> {
    let (rest, tag) =
        nom::number::complete::be_u32::<_, ()>(data).map_err(|_| ValueError::Length)?;
    Ok(if tag >= 0x80 {
        Value::Other { tag, data: rest.to_vec() }
    } else {
        Value::Other { tag: TAG_EXTENSION.into(), data: data.to_vec() }
    })
}

// ---------------------------------------------------------------------------
// Message assembly

/// Builds a message from items, tracking open collections.
#[derive(Default)]
struct Builder {
    /// Set once the header has been read.
    message: Option<Message>,
    /// Member lists of the open collections, innermost last.
    open: Vec<Vec<Attribute>>,
    values: usize,
}

impl Builder {
    /// The attribute that the next value belongs to: the current member of
    /// the innermost open collection, else the last attribute of the group.
    fn current(&mut self) -> Option<&mut Attribute> {
        match self.open.last_mut() {
            Some(members) => members.last_mut(),
            None => self.message.as_mut()?.groups.last_mut()?.attributes.last_mut(),
        }
    }

    /// Dotted path of the attribute being decoded, for error messages.
    fn path(&self) -> String {
        let mut path = self
            .message
            .as_ref()
            .and_then(|m| m.groups.last())
            .and_then(|g| g.attributes.last())
            .map(|a| a.name.clone())
            .unwrap_or_default();
        for member in self.open.iter().filter_map(|members| members.last()) {
            path.push('.');
            path.push_str(&member.name);
            if path.len() > MAX_ERROR_NAME {
                break;
            }
        }
        clip(&path, MAX_ERROR_NAME)
    }

    fn value_error(&self, tag: u8, data: &[u8], e: ValueError) -> DecodeError {
        let attribute = self.path();
        match e {
            ValueError::Length => {
                DecodeError::BadValueLength { attribute, tag: tag.into(), len: data.len() }
            }
            ValueError::Boolean(value) => DecodeError::BadBoolean { attribute, value },
            ValueError::Utf8 => DecodeError::InvalidUtf8 { attribute },
        }
    }

    fn bad_collection(&self, reason: &'static str) -> DecodeError {
        DecodeError::BadCollection { attribute: self.path(), reason }
    }

    /// Applies one item; returns the message when it is complete.
    fn apply(&mut self, item: Item<'_>, limits: &Limits) -> Result<Option<Message>, DecodeError> {
        match item {
            Item::Header { version, code, request_id } => {
                self.message = Some(Message::new(version, code, request_id));
                Ok(None)
            }
            Item::Delimiter(tag) => self.delimiter(tag),
            Item::Value { tag, name, value } => {
                self.value(tag, name, value, limits)?;
                Ok(None)
            }
        }
    }

    fn delimiter(&mut self, tag: u8) -> Result<Option<Message>, DecodeError> {
        if !self.open.is_empty() {
            return Err(self.bad_collection("missing endCollection"));
        }
        if tag == TAG_END_OF_ATTRIBUTES {
            let message = self.message.take();
            *self = Builder::default();
            return Ok(message);
        }
        let group = DelimiterTag::from_u8(tag).ok_or(DecodeError::BadDelimiterTag(tag))?;
        if let Some(m) = self.message.as_mut() {
            m.groups.push(Group::new(group));
        }
        Ok(None)
    }

    fn value(
        &mut self,
        tag: u8,
        name: &[u8],
        data: &[u8],
        limits: &Limits,
    ) -> Result<(), DecodeError> {
        let Some(group) = self.message.as_mut().and_then(|m| m.groups.last_mut()) else {
            return Err(DecodeError::AttributeOutsideGroup);
        };
        if self.open.is_empty() {
            if matches!(tag, TAG_MEMBER_NAME | TAG_END_COLLECTION) {
                return Err(self.bad_collection("member name or end tag outside a collection"));
            }
            if name.is_empty() {
                if group.attributes.is_empty() {
                    return Err(DecodeError::MissingName { tag });
                }
            } else {
                let name = std::str::from_utf8(name).map_err(|_| DecodeError::InvalidUtf8 {
                    attribute: clip(&String::from_utf8_lossy(name), MAX_ERROR_NAME),
                })?;
                group.attributes.push(Attribute::set(name, Vec::new()));
            }
        } else {
            if !name.is_empty() {
                return Err(self.bad_collection("member value with a name"));
            }
            match tag {
                TAG_MEMBER_NAME => return self.member_name(data),
                TAG_END_COLLECTION => return self.end_collection(data),
                _ if self.current().is_none() => {
                    return Err(self.bad_collection("value before memberAttrName"))
                }
                _ => {}
            }
        }
        self.push_value(tag, data, limits)
    }

    /// Adds a value (or opens a collection) on the current attribute.
    fn push_value(&mut self, tag: u8, data: &[u8], limits: &Limits) -> Result<(), DecodeError> {
        self.values += 1;
        if self.values > limits.max_values {
            return Err(DecodeError::TooManyValues { limit: limits.max_values });
        }
        if tag == TAG_BEG_COLLECTION {
            if !data.is_empty() {
                return Err(self.value_error(tag, data, ValueError::Length));
            }
            if self.open.len() >= limits.max_collection_depth {
                let limit = limits.max_collection_depth;
                return Err(DecodeError::CollectionTooDeep { attribute: self.path(), limit });
            }
            self.open.push(Vec::new());
            return Ok(());
        }
        let value = parse_value(tag, data).map_err(|e| self.value_error(tag, data, e))?;
        if let Some(attr) = self.current() {
            attr.values.push(value);
        }
        Ok(())
    }

    /// Checks that the current member of the innermost collection has a value.
    fn close_member(&self) -> Result<(), DecodeError> {
        match self.open.last().and_then(|m| m.last()) {
            Some(member) if member.values.is_empty() => {
                Err(self.bad_collection("member without a value"))
            }
            _ => Ok(()),
        }
    }

    fn member_name(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        self.close_member()?;
        if data.is_empty() {
            return Err(self.bad_collection("empty memberAttrName"));
        }
        let name = std::str::from_utf8(data)
            .map_err(|_| self.value_error(TAG_MEMBER_NAME, data, ValueError::Utf8))?;
        if let Some(members) = self.open.last_mut() {
            members.push(Attribute::set(name, Vec::new()));
        }
        Ok(())
    }

    fn end_collection(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        if !data.is_empty() {
            return Err(self.value_error(TAG_END_COLLECTION, data, ValueError::Length));
        }
        self.close_member()?;
        let members = self.open.pop().unwrap_or_default();
        if let Some(attr) = self.current() {
            attr.values.push(Value::Collection(members));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The incremental decoder

/// Decodes one message's attribute section from bytes fed in any chunking.
///
/// After a message is returned the decoder starts over, ready for another
/// message. After an error it keeps returning that error.
pub struct MessageDecoder {
    limits: Limits,
    builder: Builder,
    /// Bytes of the one item that is not complete yet.
    pending: Vec<u8>,
    /// Length `pending` must reach before the item is worth parsing again.
    want: usize,
    /// Bytes of the message parsed so far (complete items only).
    consumed: usize,
    error: Option<DecodeError>,
}

/// Outcome of parsing from the start of a byte slice.
enum Step {
    /// The item is incomplete; it needs this many more bytes at least.
    Need(usize),
    /// An item of this many bytes was applied, possibly completing the message.
    Took(usize, Option<Message>),
}

impl MessageDecoder {
    pub fn new(limits: Limits) -> Self {
        MessageDecoder {
            limits,
            builder: Builder::default(),
            pending: Vec::new(),
            want: 0,
            consumed: 0,
            error: None,
        }
    }

    /// Feeds the next bytes of the stream. `Ok(None)`: all of `input` was
    /// taken and more is needed. `Ok(Some((message, used)))`: the message
    /// ended after `used` bytes of `input`; the rest is document data.
    pub fn feed(&mut self, input: &[u8]) -> Result<Option<(Message, usize)>, DecodeError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let result = self.feed_inner(input);
        match &result {
            Err(e) => self.error = Some(e.clone()),
            Ok(Some(_)) => self.reset(),
            Ok(None) => {}
        }
        result
    }

    /// The error for a stream that ended here: the stored error if a feed
    /// failed, otherwise `Truncated`.
    pub fn finish(&self) -> DecodeError {
        self.error.clone().unwrap_or(DecodeError::Truncated)
    }

    fn reset(&mut self) {
        self.builder = Builder::default();
        self.pending.clear();
        self.want = 0;
        self.consumed = 0;
    }

    fn feed_inner(&mut self, input: &[u8]) -> Result<Option<(Message, usize)>, DecodeError> {
        let mut pos = 0;
        // First finish the pending item, copying only the bytes it needs.
        while !self.pending.is_empty() {
            let rest = input.get(pos..).unwrap_or_default();
            let n = self.want.saturating_sub(self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(rest.get(..n).unwrap_or_default());
            pos += n;
            if self.pending.len() < self.want {
                return Ok(None);
            }
            let pending = std::mem::take(&mut self.pending);
            match self.step(&pending)? {
                Step::Need(more) => {
                    self.want = pending.len() + more;
                    self.pending = pending;
                }
                Step::Took(used, done) => {
                    // Needed counts are exact, so `used == pending.len()`;
                    // should it ever be less, the excess came from `input`.
                    pos = pos.saturating_sub(pending.len() - used.min(pending.len()));
                    if let Some(message) = done {
                        return Ok(Some((message, pos)));
                    }
                }
            }
        }
        // Then parse straight from `input`, keeping only an incomplete tail.
        loop {
            let rest = input.get(pos..).unwrap_or_default();
            if rest.is_empty() {
                return Ok(None);
            }
            match self.step(rest)? {
                Step::Need(more) => {
                    self.pending.extend_from_slice(rest);
                    self.want = rest.len() + more;
                    return Ok(None);
                }
                Step::Took(used, Some(message)) => return Ok(Some((message, pos + used))),
                Step::Took(used, None) => pos += used,
            }
        }
    }

    /// Parses and applies the item at the start of `bytes`.
    fn step(&mut self, bytes: &[u8]) -> Result<Step, DecodeError> {
        let parsed = if self.builder.message.is_none() { header(bytes) } else { item(bytes) };
        let too_large = DecodeError::TooLarge { limit: self.limits.max_attribute_bytes };
        match parsed {
            Ok((rest, it)) => {
                self.consumed += bytes.len() - rest.len();
                if self.consumed > self.limits.max_attribute_bytes {
                    return Err(too_large);
                }
                let done = self.builder.apply(it, &self.limits)?;
                Ok(Step::Took(bytes.len() - rest.len(), done))
            }
            Err(nom::Err::Incomplete(needed)) => {
                let more = match needed {
                    Needed::Size(n) => n.get(),
                    Needed::Unknown => 1,
                };
                // Refuse early rather than buffer an item that cannot fit.
                if self.consumed + bytes.len() + more > self.limits.max_attribute_bytes {
                    return Err(too_large);
                }
                Ok(Step::Need(more))
            }
            // The item parsers only ever ask for more input.
            Err(nom::Err::Error(_) | nom::Err::Failure(_)) => Err(DecodeError::Truncated),
        }
    }
}

/// Decodes a whole message with default limits. Returns the message and the
/// bytes after the end-of-attributes tag (document data).
pub fn decode(bytes: &[u8]) -> Result<(Message, &[u8]), DecodeError> {
    decode_with(bytes, Limits::default())
}

/// [`decode`] with explicit limits.
pub fn decode_with(bytes: &[u8], limits: Limits) -> Result<(Message, &[u8]), DecodeError> {
    let mut decoder = MessageDecoder::new(limits);
    match decoder.feed(bytes)? {
        Some((message, used)) => Ok((message, bytes.get(used..).unwrap_or_default())),
        None => Err(decoder.finish()),
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
