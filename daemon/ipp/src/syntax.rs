//! The vocabulary attribute definitions are written in: value kinds, syntaxes, groups and
//! RFC 8011's length limits. The standard table (`registry`) and Quire's vendor attributes
//! (`vendor`) are both written in it, and the registry indexes both.

/// RFC 8011 section 5.1 maximum lengths (octets).
pub const MAX_NAME: u16 = 255;
pub const MAX_TEXT: u16 = 1023;
pub const MAX_KEYWORD: usize = 255;
pub const MAX_URI: usize = 1023;
pub const MAX_OCTETS: u16 = 1023;
/// RFC 8011 section 5.1.8: charset, naturalLanguage, mimeMediaType and uriScheme.
pub const MAX_SHORT: usize = 63;
pub const MAX_MIME: usize = 255;

/// One allowed value kind. Integer and enum bounds are inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer(i32, i32),
    Boolean,
    Enum(i32, i32),
    Keyword,
    /// name(MAX) with its maximum octet length; nameWithLanguage is accepted too.
    Name(u16),
    /// text(MAX) with its maximum octet length; textWithLanguage is accepted too.
    Text(u16),
    Uri,
    UriScheme,
    Charset,
    NaturalLanguage,
    MimeMediaType,
    OctetString(u16),
    DateTime,
    Resolution,
    RangeOfInteger,
    /// A collection; the members listed are checked, others are extensions.
    Collection(&'static [MemberDef]),
}

/// The syntax of an attribute: its alternatives (`keyword | name`), whether
/// it is a 1setOf, and whether the out-of-band `no-value` is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax {
    pub kinds: &'static [Kind],
    pub set: bool,
    pub no_value: bool,
}

impl Syntax {
    pub const fn one(kinds: &'static [Kind]) -> Self {
        Syntax { kinds, set: false, no_value: false }
    }
    pub const fn set_of(kinds: &'static [Kind]) -> Self {
        Syntax { kinds, set: true, no_value: false }
    }
    /// The same syntax, also allowing `no-value` (e.g. a `-default` with none configured).
    pub const fn or_no_value(self) -> Self {
        Syntax { no_value: true, ..self }
    }
}

/// A collection member: name and syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberDef {
    pub name: &'static str,
    pub syntax: Syntax,
}

/// The attribute groups of RFC 8011 / PWG 5100.x, as a bit set (an attribute
/// such as `job-name` is both an operation and a Job Description attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Groups(pub u32);

impl Groups {
    pub const OPERATION: Groups = Groups(1);
    pub const JOB_TEMPLATE: Groups = Groups(1 << 1);
    pub const JOB_DESCRIPTION: Groups = Groups(1 << 2);
    pub const JOB_STATUS: Groups = Groups(1 << 3);
    pub const PRINTER_DESCRIPTION: Groups = Groups(1 << 4);
    pub const PRINTER_STATUS: Groups = Groups(1 << 5);
    /// Printer `-default`, `-supported`, `-ready`, `-database` counterparts of Job Template attributes.
    pub const PRINTER_TEMPLATE: Groups = Groups(1 << 6);
    pub const SUBSCRIPTION_TEMPLATE: Groups = Groups(1 << 7);
    pub const SUBSCRIPTION_DESCRIPTION: Groups = Groups(1 << 8);
    pub const EVENT_NOTIFICATION: Groups = Groups(1 << 9);
    pub const DOCUMENT_DESCRIPTION: Groups = Groups(1 << 10);
    pub const DOCUMENT_STATUS: Groups = Groups(1 << 11);
    pub const SYSTEM_DESCRIPTION: Groups = Groups(1 << 12);
    pub const SYSTEM_STATUS: Groups = Groups(1 << 13);
    pub const NONE: Groups = Groups(0);

    pub const fn union(self, other: Groups) -> Groups {
        Groups(self.0 | other.0)
    }
    pub const fn intersects(self, other: Groups) -> bool {
        self.0 & other.0 != 0
    }
}

/// A registered attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrDef {
    pub name: &'static str,
    pub groups: Groups,
    pub syntax: Syntax,
}
