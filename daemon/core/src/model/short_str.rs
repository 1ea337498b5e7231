//! [`Str`]: the compact string jobs keep their names and keywords in.

/// A string that is usually short (names, keywords): up to [`Str::INLINE`] bytes are kept
/// inside the value itself, well-known longer keywords as `&'static str`, anything else
/// on the heap. Derefs to `str`.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; Str::INLINE]),
    Static(&'static str),
    Heap(Box<str>),
}

/// Keywords longer than [`Str::INLINE`] that jobs carry often.
const LONG_KEYWORDS: &[&str] = &[
    "job-hold-until-specified",
    "job-completed-successfully",
    "job-completed-with-warnings",
    "job-completed-with-errors",
    "job-canceled-by-operator",
    "processing-to-stop-point",
    "job-canceled-at-device",
    "resources-are-not-ready",
    "job-suspended-by-operator",
    "printer-stopped-partly",
    "job-data-insufficient",
    "document-format-error",
    "unsupported-document-format",
    "service-off-line",
    "queued-in-device",
];

impl Str {
    pub const INLINE: usize = 22;
    pub fn new(s: &str) -> Self {
        if s.len() <= Self::INLINE {
            let mut buf = [0u8; Self::INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            return Str(Repr::Inline(s.len() as u8, buf));
        }
        match LONG_KEYWORDS.iter().find(|k| **k == s) {
            Some(k) => Str(Repr::Static(k)),
            None => Str(Repr::Heap(s.into())),
        }
    }
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always valid: the bytes were copied from a `str`.
            Repr::Inline(len, buf) => std::str::from_utf8(&buf[..*len as usize]).unwrap_or(""),
            Repr::Static(s) => s,
            Repr::Heap(s) => s,
        }
    }
    pub fn clear(&mut self) {
        *self = Str::default();
    }
}

impl Default for Str {
    fn default() -> Self {
        Str(Repr::Inline(0, [0; Str::INLINE]))
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Str {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Self {
        Str::new(s)
    }
}

impl From<String> for Str {
    fn from(s: String) -> Self {
        if s.len() <= Self::INLINE || LONG_KEYWORDS.contains(&s.as_str()) {
            Str::new(&s)
        } else {
            Str(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<&String> for Str {
    fn from(s: &String) -> Self {
        Str::new(s)
    }
}

impl From<Str> for String {
    fn from(s: Str) -> Self {
        s.as_str().to_string()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Str {}

/// As `str` hashes: a map keyed by `Str` is looked up with a `&str`.
impl std::hash::Hash for Str {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}
impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}
impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
impl PartialEq<String> for Str {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}
impl PartialEq<Str> for str {
    fn eq(&self, other: &Str) -> bool {
        self == other.as_str()
    }
}
impl PartialEq<Str> for &str {
    fn eq(&self, other: &Str) -> bool {
        *self == other.as_str()
    }
}
impl PartialEq<Str> for String {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
