use super::*;
use crate::args::parse_job_id;

#[test]
fn job_ids_and_uris() {
    assert_eq!(parse_job_id("12"), Some(12));
    assert_eq!(parse_job_id("my-printer-12"), Some(12));
    assert_eq!(parse_job_id("Q-x"), None);
    assert_eq!(parse_job_id("0"), None);
    assert_eq!(parse_job_id("-5"), Some(5));
    assert_eq!(uri_resource("ipp://localhost/classes/C"), Some("/classes/C"));
    assert_eq!(uri_resource("ipp://localhost:631"), None);
    assert_eq!(printer_uri("Q"), "ipp://localhost/printers/Q");
    assert_eq!(job_uri(7), "ipp://localhost/jobs/7");
}

#[test]
fn status_text_prefers_message() {
    let mut m = Message::new((2, 0), StatusCode::ClientErrorNotFound.code(), 1);
    assert_eq!(status_text(&m), "client-error-not-found");
    assert!(is_not_found(&m) && !is_ok(&m));
    m.group_mut(DelimiterTag::Operation).push(Attribute::new(
        "status-message",
        Value::Text("The printer or class does not exist.".into()),
    ));
    assert_eq!(status_text(&m), "The printer or class does not exist.");
    assert_eq!(status_text(&Message::new((2, 0), 0x0777, 1)), "status 0x0777");
    assert!(is_ok(&Message::new((2, 0), 2, 1)));
}
