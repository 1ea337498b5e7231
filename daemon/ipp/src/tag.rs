//! Delimiter and value tags (RFC 8010 section 3.5).

/// Attribute-group delimiter tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DelimiterTag {
    Operation = 0x01,
    Job = 0x02,
    EndOfAttributes = 0x03,
    Printer = 0x04,
    Unsupported = 0x05,
    Subscription = 0x06,
    EventNotification = 0x07,
    Resource = 0x08,
    Document = 0x09,
    System = 0x0A,
}

impl DelimiterTag {
    pub fn from_u8(b: u8) -> Option<Self> {
        use DelimiterTag::*;
        Some(match b {
            0x01 => Operation,
            0x02 => Job,
            0x03 => EndOfAttributes,
            0x04 => Printer,
            0x05 => Unsupported,
            0x06 => Subscription,
            0x07 => EventNotification,
            0x08 => Resource,
            0x09 => Document,
            0x0A => System,
            _ => return None,
        })
    }
}

/// Value tags. Unknown tags are carried as `Value::Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ValueTag {
    Unsupported = 0x10,
    Default = 0x11,
    Unknown = 0x12,
    NoValue = 0x13,
    NotSettable = 0x15,
    DeleteAttribute = 0x16,
    AdminDefine = 0x17,
    Integer = 0x21,
    Boolean = 0x22,
    Enum = 0x23,
    OctetString = 0x30,
    DateTime = 0x31,
    Resolution = 0x32,
    RangeOfInteger = 0x33,
    BegCollection = 0x34,
    TextWithLanguage = 0x35,
    NameWithLanguage = 0x36,
    EndCollection = 0x37,
    TextWithoutLanguage = 0x41,
    NameWithoutLanguage = 0x42,
    Keyword = 0x44,
    Uri = 0x45,
    UriScheme = 0x46,
    Charset = 0x47,
    NaturalLanguage = 0x48,
    MimeMediaType = 0x49,
    MemberAttrName = 0x4A,
    /// Extension: the real tag follows as a 4-byte integer.
    Extension = 0x7F,
}
