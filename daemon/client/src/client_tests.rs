use super::*;
use crate::error::MAX_ERROR_TEXT;

/// A client that has not connected (head_text needs no connection).
fn offline() -> Client {
    let dest = Destination::Tcp { host: "print.example".into(), port: 631 };
    Client { dest, conn: None, timeout: DEFAULT_TIMEOUT, auth: None, user: "alice".into(), max_reply: crate::http::MAX_BODY }
}

fn authorization(head: &str) -> Vec<&str> {
    head.lines().filter_map(|l| l.strip_prefix("Authorization: ")).collect()
}

#[test]
fn basic_credentials_are_base64_of_user_colon_password() {
    let c = offline().with_basic_auth("Aladdin", "open sesame");
    let head = c.head_text("POST", "/jobs/", Some(b"ipp"), false);
    assert_eq!(authorization(&head), ["Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="]);
    // A colon in the password stays (only the first colon separates the user); UTF-8
    // is encoded as its bytes.
    let c = offline().with_basic_auth("zoë", "a:b");
    let head = c.head_text("POST", "/", Some(b"ipp"), false);
    assert_eq!(authorization(&head), ["Basic em/DqzphOmI="]);
}

#[test]
fn every_request_carries_the_credentials() {
    let c = offline().with_basic_auth("alice", "pw");
    for (method, body, chunked) in [("POST", Some(&b"x"[..]), false), ("POST", Some(&b"x"[..]), true), ("GET", None, false)] {
        let head = c.head_text(method, "/", body, chunked);
        assert_eq!(authorization(&head), ["Basic YWxpY2U6cHc="], "{method} chunked={chunked}");
        assert!(head.ends_with("\r\n\r\n"));
    }
    // A later with_user (requesting-user-name) does not drop them.
    let c = c.with_user("bob");
    assert_eq!(authorization(&c.head_text("POST", "/", Some(b"x"), false)).len(), 1);
}

#[test]
fn no_credentials_no_header() {
    let head = offline().head_text("POST", "/", Some(b"x"), false);
    assert!(authorization(&head).is_empty());
    assert!(head.starts_with("POST / HTTP/1.1\r\nHost: print.example:631\r\n"));
}

#[test]
fn error_bodies_kept_only_as_plain_text() {
    let locked = b"too many failed logins for user \"alice\"; try again in 300 s\n";
    assert_eq!(error_text(Some("text/plain; charset=utf-8"), locked), "too many failed logins for user \"alice\"; try again in 300 s");
    assert_eq!(error_text(None, b"  Forbidden\r\n"), "Forbidden");
    assert_eq!(error_text(Some("text/html"), b"<html>403</html>"), "");
    assert_eq!(error_text(Some("application/ipp"), b"\x02\x00"), "");
    // Long bodies are cut at a character boundary.
    let long = "é".repeat(MAX_ERROR_TEXT);
    let cut = error_text(Some("text/plain"), long.as_bytes());
    assert_eq!(cut.len(), MAX_ERROR_TEXT);
    assert!(cut.chars().all(|c| c == 'é'));
}
