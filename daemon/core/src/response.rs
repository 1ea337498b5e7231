//! Building responses: the operation group every response starts with, and error responses.

use crate::error::IppError;
use quire_ipp::{Attribute, DelimiterTag, Group, Message, StatusCode, Value};

/// A response with the request's version and request-id and the standard operation attributes.
pub fn response(req: &Message, status: StatusCode) -> Message {
    let version = match req.version {
        (1, 0) | (1, 1) | (2, 0) | (2, 1) | (2, 2) => req.version,
        _ => (2, 0),
    };
    Message::response(version, status, req.request_id)
}

pub fn ok(req: &Message) -> Message {
    response(req, StatusCode::SuccessfulOk)
}

pub fn set_status_message(msg: &mut Message, text: impl Into<String>) {
    let text: String = text.into();
    let group = msg.group_mut(DelimiterTag::Operation);
    group.attributes.retain(|a| a.name != "status-message");
    group.push(Attribute::new("status-message", Value::Text(truncate(&text, 255))));
}

/// An error response with status-message and, for unsupported values, the unsupported group.
pub fn error(req: &Message, err: &IppError) -> Message {
    let mut msg = response(req, err.status());
    set_status_message(&mut msg, err.to_string());
    if !err.attributes().is_empty() {
        let mut g = Group::new(DelimiterTag::Unsupported);
        g.attributes = err.attributes().to_vec();
        msg.push_group(g);
    }
    msg
}

/// Adds an attribute to the unsupported-attributes group (creating it).
pub fn add_unsupported(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Unsupported).push(attr);
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}
