//! Building requests with the operation attributes every IPP request carries.

use std::sync::atomic::{AtomicI32, Ordering};

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

static NEXT_ID: AtomicI32 = AtomicI32::new(1);

/// A process-wide request-id counter (1, 2, 3, ...; wraps back to 1).
pub fn next_request_id() -> i32 {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if id <= 0 {
        NEXT_ID.store(2, Ordering::Relaxed);
        return 1;
    }
    id
}

/// The user name to send: `USER`, then `LOGNAME`, then the name of this process's uid
/// (looked up through NSS, as libcups's cupsUser does), else "anonymous".
pub fn current_user() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|s| !s.is_empty())
        .or_else(|| {
            nix::unistd::User::from_uid(nix::unistd::getuid()).ok().flatten().map(|u| u.name)
        })
        .unwrap_or_else(|| "anonymous".to_string())
}

/// A new IPP/2.0 request for `op` as the current user. See [`request_as`].
pub fn request(op: Operation, printer_uri: Option<&str>) -> Message {
    request_as(op, printer_uri, &current_user())
}

/// A new IPP/2.0 request with attributes-charset, attributes-natural-language,
/// printer-uri (when given) and requesting-user-name, in the order RFC 8011
/// requires the first two.
pub fn request_as(op: Operation, printer_uri: Option<&str>, user: &str) -> Message {
    let mut msg = Message::new((2, 0), op.code(), next_request_id());
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    if let Some(uri) = printer_uri {
        g.push(Attribute::new("printer-uri", Value::Uri(uri.to_string())));
    }
    g.push(Attribute::new("requesting-user-name", Value::Name(user.to_string())));
    msg
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
