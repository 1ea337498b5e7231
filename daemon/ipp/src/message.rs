//! Messages, attribute groups and attributes, with typed accessors.

use crate::ops::{Operation, StatusCode};
use crate::tag::DelimiterTag;
use crate::value::Value;

/// A named attribute with its values (more than one value is a 1setOf).
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<Value>,
}

impl Attribute {
    pub fn new(name: impl Into<String>, value: Value) -> Self {
        Attribute { name: name.into(), values: vec![value] }
    }
    pub fn set(name: impl Into<String>, values: Vec<Value>) -> Self {
        Attribute { name: name.into(), values }
    }
    pub fn first(&self) -> Option<&Value> {
        self.values.first()
    }
    pub fn first_str(&self) -> Option<&str> {
        self.first().and_then(Value::as_str)
    }
    pub fn first_i32(&self) -> Option<i32> {
        self.first().and_then(Value::as_i32)
    }
    pub fn first_bool(&self) -> Option<bool> {
        self.first().and_then(Value::as_bool)
    }
    /// All string values (keywords, names, ...), skipping non-string ones.
    pub fn strs(&self) -> impl Iterator<Item = &str> {
        self.values.iter().filter_map(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub tag: DelimiterTag,
    pub attributes: Vec<Attribute>,
}

impl Group {
    pub fn new(tag: DelimiterTag) -> Self {
        Group { tag, attributes: Vec::new() }
    }
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
    pub fn push(&mut self, attr: Attribute) {
        self.attributes.push(attr);
    }
}

/// A request or response. `code` is the operation-id in a request and the
/// status-code in a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub version: (u8, u8),
    pub code: u16,
    pub request_id: i32,
    pub groups: Vec<Group>,
    /// Groups already encoded ([`Group::encode`]), sent after `groups`: a long answer
    /// (CUPS-Get-Printers over thousands of printers) holds each group's bytes, not its
    /// values. The decoder never fills it.
    pub encoded_groups: Vec<Vec<u8>>,
}

impl Message {
    pub fn new(version: (u8, u8), code: u16, request_id: i32) -> Self {
        Message { version, code, request_id, groups: Vec::new(), encoded_groups: Vec::new() }
    }

    /// An IPP/2.0 request for `op` whose operation group starts with what every request
    /// carries first (RFC 8011 4.1.4): attributes-charset utf-8, attributes-natural-language en.
    pub fn request(op: Operation, request_id: i32) -> Self {
        let mut msg = Message::new((2, 0), op.code(), request_id);
        msg.push_group(charset_and_language());
        msg
    }

    /// A response in `version` (the caller chooses which it answers) whose operation group
    /// starts with attributes-charset utf-8 and attributes-natural-language en.
    pub fn response(version: (u8, u8), status: StatusCode, request_id: i32) -> Self {
        let mut msg = Message::new(version, status.code(), request_id);
        msg.push_group(charset_and_language());
        msg
    }

    /// The first group with this tag.
    pub fn group(&self, tag: DelimiterTag) -> Option<&Group> {
        self.groups.iter().find(|g| g.tag == tag)
    }

    /// The first group with this tag, created at the end if missing.
    pub fn group_mut(&mut self, tag: DelimiterTag) -> &mut Group {
        let idx = match self.groups.iter().position(|g| g.tag == tag) {
            Some(i) => i,
            None => {
                self.groups.push(Group::new(tag));
                self.groups.len() - 1
            }
        };
        &mut self.groups[idx]
    }

    /// Appends a new group (several groups of one tag are allowed, e.g. one per job).
    pub fn push_group(&mut self, group: Group) {
        self.groups.push(group);
    }

    /// Appends `group` encoded now, after every group pushed so far and every one pushed
    /// later by [`Message::push_group`] (encoded groups come last on the wire).
    pub fn push_encoded_group(&mut self, group: &Group) {
        self.encoded_groups.push(group.encode());
    }

    pub fn operation_attr(&self, name: &str) -> Option<&Attribute> {
        self.group(DelimiterTag::Operation).and_then(|g| g.get(name))
    }

    /// Looks up an attribute in the first group of `tag`.
    pub fn attr(&self, tag: DelimiterTag, name: &str) -> Option<&Attribute> {
        self.group(tag).and_then(|g| g.get(name))
    }
}

fn charset_and_language() -> Group {
    let mut op = Group::new(DelimiterTag::Operation);
    op.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    op.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    op
}
