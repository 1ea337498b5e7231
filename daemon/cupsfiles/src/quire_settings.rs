//! Quire's own printer settings (security facts and who vouches for them, split and failover
//! policy, confidential release) carried in printers.conf and classes.conf as `Option` lines,
//! which cupsd keeps when it rewrites the files.
//!
//! The spelling is cupsd's own for options: `Option NAME VALUE` is the printer attribute
//! `NAME-default`. So the Quire attribute `quire-split-default` travels as
//! `Option quire-split auto` (what cupsd's `lpadmin -o quire-split-default=auto` stores too)
//! and `quire-authentication-method` as `Option quire-authentication-method pin` (cupsd shows
//! it as `quire-authentication-method-default`). Values are text: keywords and names, lists
//! joined by commas, integers in decimal, booleans `true`/`false`.

use quire_ipp::{registry, Attribute, Value};

use crate::queue::{Queue, QUIRE_OPTION_PREFIX};

/// The option that carries Quire printer attribute `attribute`.
pub fn option_name(attribute: &str) -> &str {
    attribute.strip_suffix("-default").unwrap_or(attribute)
}

/// The Quire printer attribute option `option` carries: `option-default` when Quire has
/// such an attribute, else `option` itself.
pub fn attribute_name(option: &str) -> String {
    let with_default = format!("{option}-default");
    if registry::syntax_of(&with_default).is_some() {
        with_default
    } else {
        option.to_string()
    }
}

/// An attribute's values as option text; `None` for values text cannot carry (a
/// collection, an out-of-band value).
pub fn option_text(attr: &Attribute) -> Option<String> {
    let one = |v: &Value| match v {
        Value::Integer(n) | Value::Enum(n) => Some(n.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        other => other.as_str().map(str::to_string),
    };
    let texts: Option<Vec<String>> = attr.values.iter().map(one).collect();
    texts.filter(|t| !t.is_empty() && t.iter().all(|s| !s.is_empty())).map(|t| t.join(","))
}

/// Option text as an attribute value: a keyword when it is spelled as one, else a name.
fn text_value(text: &str) -> Value {
    let keyword =
        text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if keyword && !text.is_empty() {
        Value::Keyword(text.to_string())
    } else {
        Value::Name(text.to_string())
    }
}

impl Queue {
    /// Quire's settings carried in this queue's options, as the printer attributes that set
    /// them (text values, which Quire's setters take: `quire-split-default` = `auto`,
    /// `quire-split-printers-default` = `a,b`, `quire-encrypts-job-data` = `true`).
    pub fn quire_settings(&self) -> Vec<Attribute> {
        self.options
            .iter()
            .filter(|(name, _)| name.starts_with(QUIRE_OPTION_PREFIX))
            .map(|(name, value)| Attribute::new(attribute_name(name), text_value(value)))
            .collect()
    }

    /// Replaces the Quire settings among the options with `settings` (Quire printer
    /// attributes). Returns the names of those text cannot carry, which are left out.
    pub fn set_quire_settings(&mut self, settings: &[Attribute]) -> Vec<String> {
        self.options.retain(|(name, _)| !name.starts_with(QUIRE_OPTION_PREFIX));
        let mut left_out = Vec::new();
        for attr in settings {
            match option_text(attr) {
                Some(text) if attr.name.starts_with(QUIRE_OPTION_PREFIX) => {
                    self.set_option(option_name(&attr.name), &text)
                }
                _ => left_out.push(attr.name.clone()),
            }
        }
        left_out
    }
}
