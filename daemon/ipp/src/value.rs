//! Attribute values.

use crate::date::CivilTime;
use crate::tag::ValueTag;

/// RFC 2579 DateAndTime (11 octets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minutes: u8,
    pub seconds: u8,
    pub deci_seconds: u8,
    /// b'+' or b'-'.
    pub utc_dir: u8,
    pub utc_hours: u8,
    pub utc_minutes: u8,
}

impl DateTime {
    /// The UTC dateTime of a Unix time (proleptic Gregorian calendar). Years outside
    /// 0..=65535 are clamped.
    pub fn from_unix_utc(unix: i64) -> DateTime {
        let t = CivilTime::from_unix(unix);
        DateTime {
            year: u16::try_from(t.year.clamp(0, 65_535)).unwrap_or(0),
            month: t.month,
            day: t.day,
            hour: t.hour,
            minutes: t.minute,
            seconds: t.second,
            deci_seconds: 0,
            utc_dir: b'+',
            utc_hours: 0,
            utc_minutes: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolutionUnits {
    DotsPerInch,
    DotsPerCm,
    Other(u8),
}

/// One value of an attribute. Each variant maps to exactly one value tag,
/// so a decoded message re-encodes to the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    // Out-of-band values (no data).
    Unsupported,
    Default,
    Unknown,
    NoValue,
    NotSettable,
    DeleteAttribute,
    AdminDefine,
    Integer(i32),
    Boolean(bool),
    Enum(i32),
    OctetString(Vec<u8>),
    DateTime(DateTime),
    Resolution {
        cross_feed: i32,
        feed: i32,
        units: ResolutionUnits,
    },
    RangeOfInteger {
        lower: i32,
        upper: i32,
    },
    TextWithLanguage {
        language: String,
        text: String,
    },
    NameWithLanguage {
        language: String,
        name: String,
    },
    Text(String),
    Name(String),
    Keyword(String),
    Uri(String),
    UriScheme(String),
    Charset(String),
    NaturalLanguage(String),
    MimeMediaType(String),
    /// A collection: member attributes in order, each with its 1setOf values.
    Collection(Vec<crate::message::Attribute>),
    /// Any tag this codec does not model (including extension tags), kept verbatim.
    Other {
        tag: u32,
        data: Vec<u8>,
    },
}

impl Value {
    /// The value tag this value is encoded with.
    pub fn tag(&self) -> u32 {
        use Value::*;
        let t = match self {
            Unsupported => ValueTag::Unsupported,
            Default => ValueTag::Default,
            Unknown => ValueTag::Unknown,
            NoValue => ValueTag::NoValue,
            NotSettable => ValueTag::NotSettable,
            DeleteAttribute => ValueTag::DeleteAttribute,
            AdminDefine => ValueTag::AdminDefine,
            Integer(_) => ValueTag::Integer,
            Boolean(_) => ValueTag::Boolean,
            Enum(_) => ValueTag::Enum,
            OctetString(_) => ValueTag::OctetString,
            DateTime(_) => ValueTag::DateTime,
            Resolution { .. } => ValueTag::Resolution,
            RangeOfInteger { .. } => ValueTag::RangeOfInteger,
            TextWithLanguage { .. } => ValueTag::TextWithLanguage,
            NameWithLanguage { .. } => ValueTag::NameWithLanguage,
            Text(_) => ValueTag::TextWithoutLanguage,
            Name(_) => ValueTag::NameWithoutLanguage,
            Keyword(_) => ValueTag::Keyword,
            Uri(_) => ValueTag::Uri,
            UriScheme(_) => ValueTag::UriScheme,
            Charset(_) => ValueTag::Charset,
            NaturalLanguage(_) => ValueTag::NaturalLanguage,
            MimeMediaType(_) => ValueTag::MimeMediaType,
            Collection(_) => ValueTag::BegCollection,
            Other { tag, .. } => return *tag,
        };
        t as u32
    }

    pub fn is_out_of_band(&self) -> bool {
        matches!(self.tag(), 0x10..=0x1F)
    }

    /// The string content of any string-like value (text, name, keyword, uri, ...).
    pub fn as_str(&self) -> Option<&str> {
        use Value::*;
        match self {
            Text(s) | Name(s) | Keyword(s) | Uri(s) | UriScheme(s) | Charset(s)
            | NaturalLanguage(s) | MimeMediaType(s) => Some(s),
            TextWithLanguage { text, .. } => Some(text),
            NameWithLanguage { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Integer or enum content.
    pub fn as_i32(&self) -> Option<i32> {
        match self {
            Value::Integer(i) | Value::Enum(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_collection(&self) -> Option<&[crate::message::Attribute]> {
        match self {
            Value::Collection(c) => Some(c),
            _ => None,
        }
    }
}
