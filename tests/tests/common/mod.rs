//! Shared by crash_safety.rs and bad_input.rs: a raw HTTP/1.1 client over std::net (every read
//! under a deadline, so a server that hangs fails the test instead of hanging it) and small IPP
//! helpers built on the quire-ipp codec.
#![allow(dead_code)]

use std::time::Duration;

use quire_ipp::{Attribute, DelimiterTag, Message, Operation, Value};

pub use quire_tests::http::{ipp_post_bytes, HttpResponse, NoResponse};

/// Sends `request` as-is to 127.0.0.1:`port` and reads one HTTP response (see
/// [`quire_tests::http::exchange_at`]).
pub fn exchange(
    port: u16,
    request: &[u8],
    close_write: bool,
    limit: Duration,
) -> Result<HttpResponse, NoResponse> {
    quire_tests::http::exchange_at(([127, 0, 0, 1], port).into(), request, close_write, limit)
}

/// A request with attributes-charset, attributes-natural-language and (if given) printer-uri,
/// requesting-user-name `user`, IPP/2.0.
pub fn request(op: Operation, printer_uri: Option<&str>, user: &str, id: i32) -> Message {
    let mut msg = Message::new((2, 0), op.code(), id);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    if let Some(uri) = printer_uri {
        g.push(Attribute::new("printer-uri", Value::Uri(uri.into())));
    }
    g.push(Attribute::new("requesting-user-name", Value::Name(user.into())));
    msg
}

pub fn op_attr(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Operation).push(attr);
}

pub fn job_attr(msg: &mut Message, attr: Attribute) {
    msg.group_mut(DelimiterTag::Job).push(attr);
}

/// POSTs an encoded request (plus `document`) to `path` and decodes the IPP answer.
pub fn ipp(
    port: u16,
    path: &str,
    msg: &Message,
    document: &[u8],
) -> Result<(u16, Message, Vec<u8>), String> {
    let mut body = msg.encode();
    body.extend_from_slice(document);
    let resp = exchange(port, &ipp_post_bytes(path, &body), false, Duration::from_secs(60))
        .map_err(|e| format!("no HTTP response: {e:?}"))?;
    let (m, rest) =
        resp.ipp().ok_or_else(|| format!("HTTP {} with a body that is not IPP", resp.status))?;
    Ok((resp.status, m, rest))
}

/// The status-code name (or hex when unknown).
pub fn status_name(code: u16) -> String {
    quire_ipp::StatusCode::from_u16(code)
        .map(|s| s.name().to_string())
        .unwrap_or_else(|| format!("0x{code:04x}"))
}

pub fn status_message(msg: &Message) -> Option<String> {
    msg.operation_attr("status-message").and_then(|a| a.first_str()).map(String::from)
}

/// All attributes of every group with `tag`, each group as one list (one per job in Get-Jobs).
pub fn groups(msg: &Message, tag: DelimiterTag) -> Vec<&[Attribute]> {
    msg.groups.iter().filter(|g| g.tag == tag).map(|g| g.attributes.as_slice()).collect()
}

pub fn find_attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a Attribute> {
    attrs.iter().find(|a| a.name == name)
}

/// A copy of a real PDF with a unique comment appended after `%%EOF` (still a valid PDF), so
/// every job's bytes are distinguishable; `pad` extra comment bytes make it larger.
pub fn unique_pdf(base: &[u8], tag: &str, pad: usize) -> Vec<u8> {
    let mut doc = base.to_vec();
    if !doc.ends_with(b"\n") {
        doc.push(b'\n');
    }
    doc.extend_from_slice(format!("% quire-test {tag}\n").as_bytes());
    let line = format!("% padding for {tag} .................................................\n");
    while doc.len() < base.len() + pad {
        doc.extend_from_slice(line.as_bytes());
    }
    doc
}
