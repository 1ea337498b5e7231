use super::*;
use crate::error::MAX_ERROR_TEXT;

/// A client that has not connected (`head` needs no connection).
fn offline() -> Client {
    let dest = Destination::Tcp { host: "print.example".into(), port: 631 };
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    Client {
        dest,
        conn: None,
        runtime,
        timeout: DEFAULT_TIMEOUT,
        auth: None,
        user: "alice".into(),
        max_reply: MAX_BODY,
    }
}

fn authorization(head: &Request<()>) -> Vec<&str> {
    head.headers().get_all(AUTHORIZATION).iter().map(|v| v.to_str().unwrap()).collect()
}

const IPP: &str = "application/ipp";

#[test]
fn basic_credentials_are_base64_of_user_colon_password() {
    let c = offline().with_basic_auth("Aladdin", "open sesame");
    let head = c.head(&Method::POST, "/jobs/", Some((3, IPP)), false).unwrap();
    assert_eq!(authorization(&head), ["Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="]);
    // A colon in the password stays (only the first colon separates the user); UTF-8
    // is encoded as its bytes.
    let c = offline().with_basic_auth("zoë", "a:b");
    let head = c.head(&Method::POST, "/", Some((3, IPP)), false).unwrap();
    assert_eq!(authorization(&head), ["Basic em/DqzphOmI="]);
}

#[test]
fn every_request_carries_the_credentials() {
    let c = offline().with_basic_auth("alice", "pw");
    for (method, body, chunked) in [
        (Method::POST, Some((1, IPP)), false),
        (Method::POST, Some((1, IPP)), true),
        (Method::GET, None, false),
    ] {
        let head = c.head(&method, "/", body, chunked).unwrap();
        assert_eq!(authorization(&head), ["Basic YWxpY2U6cHc="], "{method} chunked={chunked}");
    }
    // A later with_user (requesting-user-name) does not drop them.
    let c = c.with_user("bob");
    assert_eq!(authorization(&c.head(&Method::POST, "/", Some((1, IPP)), false).unwrap()).len(), 1);
}

#[test]
fn no_credentials_no_header() {
    let head = offline().head(&Method::POST, "/", Some((1, IPP)), false).unwrap();
    assert!(authorization(&head).is_empty());
    assert_eq!((head.method(), head.uri().to_string().as_str()), (&Method::POST, "/"));
    assert_eq!(
        head.headers().iter().next().map(|(n, v)| (n.as_str(), v.to_str().unwrap())),
        Some(("host", "print.example:631"))
    );
}

#[test]
fn a_put_says_what_its_body_is() {
    let head =
        offline().head(&Method::PUT, "/admin/conf/cupsd.conf", Some((5, "text/plain")), false);
    let head = head.unwrap();
    assert_eq!(head.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap()), Some("text/plain"));
    assert_eq!(head.headers().get(CONTENT_LENGTH).map(|v| v.to_str().unwrap()), Some("5"));
}

#[test]
fn error_bodies_kept_only_as_plain_text() {
    let locked = b"too many failed logins for user \"alice\"; try again in 300 s\n";
    assert_eq!(
        error_text(Some("text/plain; charset=utf-8"), locked),
        "too many failed logins for user \"alice\"; try again in 300 s"
    );
    assert_eq!(error_text(None, b"  Forbidden\r\n"), "Forbidden");
    assert_eq!(error_text(Some("text/html"), b"<html>403</html>"), "");
    assert_eq!(error_text(Some("application/ipp"), b"\x02\x00"), "");
    // Long bodies are cut at a character boundary.
    let long = "é".repeat(MAX_ERROR_TEXT);
    let cut = error_text(Some("text/plain"), long.as_bytes());
    assert_eq!(cut.len(), MAX_ERROR_TEXT);
    assert!(cut.chars().all(|c| c == 'é'));
}
