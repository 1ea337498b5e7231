//! Encoder (RFC 8010 section 3).
//!
//! `encode`/`encode_into` never fail and never panic. Whatever cannot be put
//! on the wire as is gets the mildest fix that keeps the stream well framed:
//! - names and values longer than a 16-bit length allows (65535 bytes) are
//!   truncated, strings at a character boundary;
//! - attributes and collection members with an empty name or no values are
//!   skipped (an empty name would silently merge them into their neighbour);
//! - groups tagged `EndOfAttributes` are skipped (the tag ends the message);
//! - `Value::Other` with an out-of-band tag (0x10..=0x1F) is sent without data.
//!
//! `try_encode` refuses all of these with an [`EncodeError`] instead.

use std::fmt;

use crate::message::{Attribute, Group, Message};
use crate::tag::DelimiterTag;
use crate::value::{ResolutionUnits, Value};

/// Largest name or value a 16-bit length field can describe.
pub const MAX_FIELD_LEN: usize = 0xFFFF;

const TAG_END_OF_ATTRIBUTES: u8 = 0x03;
const TAG_BEG_COLLECTION: u8 = 0x34;
const TAG_END_COLLECTION: u8 = 0x37;
const TAG_MEMBER_NAME: u8 = 0x4A;
const TAG_EXTENSION: u8 = 0x7F;

/// Why `try_encode` refused a message. `attribute` is the attribute's name
/// (for collection members, the member's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A group tagged `EndOfAttributes`.
    EndOfAttributesGroup,
    /// An attribute or collection member with an empty name.
    EmptyName,
    /// A name longer than 65535 bytes.
    NameTooLong { len: usize },
    /// An attribute or collection member without values.
    NoValues { attribute: String },
    /// A value whose encoding is longer than 65535 bytes.
    ValueTooLong { attribute: String, len: usize },
    /// A `Value::Other` whose data cannot be sent with its tag.
    BadOther { attribute: String, tag: u32 },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EncodeError::*;
        match self {
            EndOfAttributesGroup => f.write_str("attribute group tagged end-of-attributes"),
            EmptyName => f.write_str("attribute with an empty name"),
            NameTooLong { len } => write!(f, "attribute name of {len} bytes (max 65535)"),
            NoValues { attribute } => write!(f, "attribute \"{attribute}\" has no values"),
            ValueTooLong { attribute, len } => {
                write!(f, "value of \"{attribute}\" is {len} bytes encoded (max 65535)")
            }
            BadOther { attribute, tag } => {
                write!(f, "value of \"{attribute}\" with tag 0x{tag:x} cannot be encoded")
            }
        }
    }
}

impl std::error::Error for EncodeError {}

impl Message {
    /// Encodes the message, ending with the end-of-attributes tag.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// An upper bound on the length of [`Message::encode`]'s output (exact unless
    /// something has to be truncated), so callers can allocate the buffer once.
    pub fn encoded_len(&self) -> usize {
        let groups: usize = self
            .groups
            .iter()
            .filter(|g| g.tag != DelimiterTag::EndOfAttributes)
            .map(|g| 1 + g.attributes.iter().map(Attribute::encoded_len).sum::<usize>())
            .sum();
        let encoded: usize = self.encoded_groups.iter().map(Vec::len).sum();
        8 + groups + encoded + 1
    }

    /// Appends the encoding to `out`. See the module docs for what is
    /// truncated or skipped.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&[self.version.0, self.version.1]);
        out.extend_from_slice(&self.code.to_be_bytes());
        out.extend_from_slice(&self.request_id.to_be_bytes());
        for group in &self.groups {
            if group.tag == DelimiterTag::EndOfAttributes {
                continue;
            }
            group.encode_into(out);
        }
        for group in &self.encoded_groups {
            out.extend_from_slice(group);
        }
        out.push(TAG_END_OF_ATTRIBUTES);
    }

    /// The encoding as a list of pieces that, put end to end, are [`Message::encode`]'s
    /// output: the head (version, status, the decoded groups), each encoded group, the end
    /// tag. A long answer is sent from these without being copied into one buffer.
    pub fn into_chunks(mut self) -> Vec<Vec<u8>> {
        let encoded = std::mem::take(&mut self.encoded_groups);
        let mut head = self.encode();
        let end = head.pop().map(|t| vec![t]).unwrap_or_default();
        let mut chunks = Vec::with_capacity(encoded.len() + 2);
        chunks.push(head);
        chunks.extend(encoded);
        chunks.push(end);
        chunks
    }

    /// Like [`Message::encode`], but fails instead of truncating or skipping.
    pub fn try_encode(&self) -> Result<Vec<u8>, EncodeError> {
        for group in &self.groups {
            if group.tag == DelimiterTag::EndOfAttributes {
                return Err(EncodeError::EndOfAttributesGroup);
            }
            group.attributes.iter().try_for_each(check_attribute)?;
        }
        Ok(self.encode())
    }
}

impl Group {
    /// The group as it appears in a message: its delimiter tag and its attributes. Nothing
    /// for a group tagged `EndOfAttributes` (the tag would end the message).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            1 + self.attributes.iter().map(Attribute::encoded_len).sum::<usize>(),
        );
        self.encode_into(&mut out);
        out
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        if self.tag == DelimiterTag::EndOfAttributes {
            return;
        }
        out.push(self.tag as u8);
        for attr in &self.attributes {
            attr.encode_into(out);
        }
    }
}

impl Attribute {
    /// Appends this attribute (all its values, collections included) as it
    /// appears inside a group. Nothing is written if the name is empty or
    /// there are no values.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        if self.name.is_empty() {
            return;
        }
        let name = clip_str(&self.name, MAX_FIELD_LEN);
        for (i, value) in self.values.iter().enumerate() {
            encode_value(out, if i == 0 { name } else { "" }, value);
        }
    }

    /// An upper bound on the bytes [`Attribute::encode_into`] appends (exact unless
    /// something has to be truncated).
    pub fn encoded_len(&self) -> usize {
        if self.name.is_empty() || self.values.is_empty() {
            return 0;
        }
        let values: usize = self.values.iter().map(value_len).sum();
        values + self.name.len()
    }

    /// Like [`Attribute::encode_into`], but fails instead of truncating or skipping.
    pub fn try_encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        check_attribute(self)?;
        self.encode_into(out);
        Ok(())
    }
}

/// Appends one value with the given name (empty for additional values and
/// collection members).
pub fn encode_value(out: &mut Vec<u8>, name: &str, value: &Value) {
    match value {
        Value::Collection(members) => encode_collection(out, name, members),
        _ => {
            out.push(wire_tag(value));
            put_field(out, clip_str(name, MAX_FIELD_LEN).as_bytes());
            let len_at = out.len();
            out.extend_from_slice(&[0, 0]);
            put_payload(out, value);
            let len = out.len() - len_at - 2;
            // Every payload writer clips to MAX_FIELD_LEN, so this always fits.
            let len = u16::try_from(len).unwrap_or(u16::MAX);
            if let Some(slot) = out.get_mut(len_at..len_at + 2) {
                slot.copy_from_slice(&len.to_be_bytes());
            }
        }
    }
}

/// Bytes `encode_value` appends for `value` with an empty name.
fn value_len(value: &Value) -> usize {
    use Value::*;
    let payload = match value {
        Collection(members) => {
            let inner: usize = members
                .iter()
                .filter(|m| !m.name.is_empty() && !m.values.is_empty())
                .map(|m| 5 + m.name.len() + m.values.iter().map(value_len).sum::<usize>())
                .sum();
            // begCollection item (5 bytes) + members + endCollection item (5 bytes)
            return 5 + inner + 5;
        }
        Unsupported | Default | Unknown | NoValue | NotSettable | DeleteAttribute | AdminDefine => {
            0
        }
        Integer(_) | Enum(_) => 4,
        Boolean(_) => 1,
        OctetString(data) => data.len(),
        DateTime(_) => 11,
        Resolution { .. } => 9,
        RangeOfInteger { .. } => 8,
        TextWithLanguage { language, text: s } | NameWithLanguage { language, name: s } => {
            4 + language.len() + s.len()
        }
        Text(s) | Name(s) | Keyword(s) | Uri(s) | UriScheme(s) | Charset(s)
        | NaturalLanguage(s) | MimeMediaType(s) => s.len(),
        Other { data, .. } => 4 + data.len(),
    };
    // tag, name length, value length
    5 + payload
}

/// begCollection with the attribute's name, then for each member a
/// memberAttrName followed by its values (all with empty names), then
/// endCollection.
fn encode_collection(out: &mut Vec<u8>, name: &str, members: &[Attribute]) {
    put_item(out, TAG_BEG_COLLECTION, clip_str(name, MAX_FIELD_LEN).as_bytes(), &[]);
    for member in members {
        if member.name.is_empty() || member.values.is_empty() {
            continue;
        }
        put_item(out, TAG_MEMBER_NAME, &[], clip_str(&member.name, MAX_FIELD_LEN).as_bytes());
        for value in &member.values {
            encode_value(out, "", value);
        }
    }
    put_item(out, TAG_END_COLLECTION, &[], &[]);
}

/// How a `Value::Other` tag goes on the wire.
enum OtherTag {
    /// A plain tag byte.
    Byte(u8),
    /// 0x7F followed by the 32-bit tag as the first four value bytes.
    Extended,
}

fn other_tag(tag: u32) -> OtherTag {
    match u8::try_from(tag) {
        // Structure tags would change the framing, so they get escaped too.
        Ok(t @ 0x10..=0x7F)
            if !matches!(t, TAG_BEG_COLLECTION | TAG_END_COLLECTION | TAG_MEMBER_NAME) =>
        {
            OtherTag::Byte(t)
        }
        _ => OtherTag::Extended,
    }
}

fn wire_tag(value: &Value) -> u8 {
    match value {
        Value::Other { tag, .. } => match other_tag(*tag) {
            OtherTag::Byte(t) => t,
            OtherTag::Extended => TAG_EXTENSION,
        },
        // Every other variant's tag is a single byte by construction.
        v => u8::try_from(v.tag()).unwrap_or(TAG_EXTENSION),
    }
}

/// Writes the value bytes (not the length) of any non-collection value,
/// never more than MAX_FIELD_LEN bytes.
fn put_payload(out: &mut Vec<u8>, value: &Value) {
    use Value::*;
    match value {
        Unsupported | Default | Unknown | NoValue | NotSettable | DeleteAttribute | AdminDefine => {
        }
        Integer(i) | Enum(i) => out.extend_from_slice(&i.to_be_bytes()),
        Boolean(b) => out.push(u8::from(*b)),
        OctetString(data) => out.extend_from_slice(clip_bytes(data, MAX_FIELD_LEN)),
        DateTime(d) => {
            out.extend_from_slice(&d.year.to_be_bytes());
            out.extend_from_slice(&[d.month, d.day, d.hour, d.minutes, d.seconds, d.deci_seconds]);
            out.extend_from_slice(&[d.utc_dir, d.utc_hours, d.utc_minutes]);
        }
        Resolution { cross_feed, feed, units } => {
            out.extend_from_slice(&cross_feed.to_be_bytes());
            out.extend_from_slice(&feed.to_be_bytes());
            out.push(match units {
                ResolutionUnits::DotsPerInch => 3,
                ResolutionUnits::DotsPerCm => 4,
                ResolutionUnits::Other(u) => *u,
            });
        }
        RangeOfInteger { lower, upper } => {
            out.extend_from_slice(&lower.to_be_bytes());
            out.extend_from_slice(&upper.to_be_bytes());
        }
        TextWithLanguage { language, text: s } | NameWithLanguage { language, name: s } => {
            // Two 2-byte lengths share the 65535-byte value.
            let language = clip_str(language, MAX_FIELD_LEN - 4);
            let s = clip_str(s, MAX_FIELD_LEN - 4 - language.len());
            put_field(out, language.as_bytes());
            put_field(out, s.as_bytes());
        }
        Text(s) | Name(s) | Keyword(s) | Uri(s) | UriScheme(s) | Charset(s)
        | NaturalLanguage(s) | MimeMediaType(s) => {
            out.extend_from_slice(clip_str(s, MAX_FIELD_LEN).as_bytes())
        }
        // Handled by encode_collection; nothing to write here.
        Collection(_) => {}
        Other { tag, data } => match other_tag(*tag) {
            OtherTag::Byte(0x10..=0x1F) => {}
            OtherTag::Byte(_) => out.extend_from_slice(clip_bytes(data, MAX_FIELD_LEN)),
            OtherTag::Extended => {
                out.extend_from_slice(&tag.to_be_bytes());
                out.extend_from_slice(clip_bytes(data, MAX_FIELD_LEN - 4));
            }
        },
    }
}

/// tag, name-length, name, value-length, value; `name` and `value` are clipped.
fn put_item(out: &mut Vec<u8>, tag: u8, name: &[u8], value: &[u8]) {
    out.push(tag);
    put_field(out, clip_bytes(name, MAX_FIELD_LEN));
    put_field(out, clip_bytes(value, MAX_FIELD_LEN));
}

/// A 16-bit length and the bytes; callers pass at most MAX_FIELD_LEN bytes.
fn put_field(out: &mut Vec<u8>, bytes: &[u8]) {
    let bytes = clip_bytes(bytes, MAX_FIELD_LEN);
    let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn clip_bytes(bytes: &[u8], max: usize) -> &[u8] {
    bytes.get(..max).unwrap_or(bytes)
}

/// The longest prefix of `s` of at most `max` bytes that ends at a character boundary.
fn clip_str(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Strict checks for try_encode

fn check_attribute(attr: &Attribute) -> Result<(), EncodeError> {
    if attr.name.is_empty() {
        return Err(EncodeError::EmptyName);
    }
    if attr.name.len() > MAX_FIELD_LEN {
        return Err(EncodeError::NameTooLong { len: attr.name.len() });
    }
    if attr.values.is_empty() {
        return Err(EncodeError::NoValues { attribute: attr.name.clone() });
    }
    attr.values.iter().try_for_each(|v| check_value(&attr.name, v))
}

fn check_value(attribute: &str, value: &Value) -> Result<(), EncodeError> {
    let too_long = |len| EncodeError::ValueTooLong { attribute: attribute.to_owned(), len };
    let len = match value {
        Value::Collection(members) => return members.iter().try_for_each(check_attribute),
        Value::OctetString(data) => data.len(),
        Value::TextWithLanguage { language, text: s }
        | Value::NameWithLanguage { language, name: s } => 4 + language.len() + s.len(),
        Value::Other { tag, data } => {
            let bad = || EncodeError::BadOther { attribute: attribute.to_owned(), tag: *tag };
            match u8::try_from(*tag) {
                // A raw extension value (as decoded): a 4-byte tag < 0x80, then data.
                Ok(TAG_EXTENSION) => match data.get(..4) {
                    Some(&[a, b, c, d]) if u32::from_be_bytes([a, b, c, d]) < 0x80 => data.len(),
                    _ => return Err(bad()),
                },
                // Would decode as something else than `Other`, or break framing.
                Ok(t) if t < 0x10 || is_modeled(t) => return Err(bad()),
                Ok(0x10..=0x1F) if !data.is_empty() => return Err(bad()),
                Ok(0x10..=0x7E) => data.len(),
                _ => 4 + data.len(),
            }
        }
        v => v.as_str().map_or(0, str::len),
    };
    if len > MAX_FIELD_LEN {
        return Err(too_long(len));
    }
    Ok(())
}

/// Tags the decoder turns into a dedicated `Value` variant (or structure).
fn is_modeled(tag: u8) -> bool {
    matches!(tag, 0x10..=0x13 | 0x15..=0x17 | 0x21..=0x23 | 0x30..=0x37 | 0x41 | 0x42 | 0x44..=0x4A)
}

#[cfg(test)]
mod len_tests {
    use crate::message::{Attribute, Group, Message};
    use crate::tag::DelimiterTag;
    use crate::value::{DateTime, ResolutionUnits, Value};

    #[test]
    fn encoded_len_is_exact_for_well_formed_messages() {
        let mut m = Message::new((2, 0), 0, 7);
        let mut g = Group::new(DelimiterTag::Operation);
        g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
        g.push(Attribute::set("k", vec![Value::Keyword("a".into()), Value::Name("bc".into())]));
        m.push_group(g);
        let mut p = Group::new(DelimiterTag::Printer);
        p.push(Attribute::new("i", Value::Integer(3)));
        p.push(Attribute::new("b", Value::Boolean(true)));
        p.push(Attribute::new("u", Value::Unknown));
        p.push(Attribute::new("r", Value::RangeOfInteger { lower: 1, upper: 2 }));
        p.push(Attribute::new(
            "res",
            Value::Resolution { cross_feed: 3, feed: 3, units: ResolutionUnits::DotsPerInch },
        ));
        let d = DateTime {
            year: 2024,
            month: 1,
            day: 2,
            hour: 3,
            minutes: 4,
            seconds: 5,
            deci_seconds: 0,
            utc_dir: b'+',
            utc_hours: 0,
            utc_minutes: 0,
        };
        p.push(Attribute::new("d", Value::DateTime(d)));
        p.push(Attribute::new(
            "t",
            Value::TextWithLanguage { language: "en".into(), text: "hi".into() },
        ));
        p.push(Attribute::new("o", Value::OctetString(vec![1, 2, 3])));
        let inner = Value::Collection(vec![
            Attribute::new("x", Value::Integer(1)),
            Attribute::set("y", vec![Value::Integer(2), Value::Integer(3)]),
        ]);
        p.push(Attribute::set(
            "c",
            vec![Value::Collection(vec![Attribute::new("size", inner)]), Value::Collection(vec![])],
        ));
        p.push(Attribute::set("", vec![Value::Integer(1)]));
        p.push(Attribute::set("empty", vec![]));
        m.push_group(p);
        m.push_group(Group::new(DelimiterTag::EndOfAttributes));
        assert_eq!(m.encoded_len(), m.encode().len());
        for g in &m.groups {
            for a in &g.attributes {
                let mut out = Vec::new();
                a.encode_into(&mut out);
                assert_eq!(a.encoded_len(), out.len(), "{}", a.name);
            }
        }
    }
}
