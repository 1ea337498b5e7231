//! Bad input gets a clear answer: malformed and invalid IPP requests sent over a raw TCP socket
//! (hand-built HTTP POST, hand-built IPP bytes; the quire-ipp codec for the valid parts) to both
//! cupsd and quired. Every read is under a deadline, and after each case the server must still
//! answer a normal Get-Printer-Attributes.
//!
//! Reference: CUPS's own expectations (test/4.1-requests.test in the CUPS source, and
//! ipp-1.1.test's "Bad request-id value 0" / "Unsupported IPP version 0.0" / "No printer-uri"):
//! missing attributes-charset or attributes-natural-language -> client-error-bad-request, with
//! attributes-charset and attributes-natural-language still in the response; IPP version 0.0 ->
//! server-error-version-not-supported; request-id 0 -> client-error-bad-request.
//!
//! quired's contract (docs/ARCHITECTURE.md): every decode error is HTTP 200 with IPP
//! client-error-bad-request, except too large -> client-error-request-entity-too-large, and
//! every error response carries a status-message. cupsd instead answers an undecodable body with
//! HTTP 400 and no IPP message at all; that is noted per case (`cupsd:` in the table) and printed.
//! A status-message is required on every error answer (it is optional on success, RFC 8011
//! 4.1.6.2).

mod common;

use std::time::Duration;

use common::{
    exchange, ipp_post_bytes, request, status_message, status_name, HttpResponse, NoResponse,
};
use quire_ipp::{Attribute, Message, Operation, Value};
use quire_tests::{cups_tool_ok, data_dir, Server, Via};

const QUEUE: &str = "badq";
const TIMEOUT: Duration = Duration::from_secs(10);

const OK: u16 = 0x0000;
const BAD_REQUEST: u16 = 0x0400;
const TOO_LARGE: u16 = 0x0408;
const VERSION_NOT_SUPPORTED: u16 = 0x0503;

/// Tag bytes.
const OP_GROUP: u8 = 0x01;
const END: u8 = 0x03;
const CHARSET: u8 = 0x47;
const LANGUAGE: u8 = 0x48;
const URI: u8 = 0x45;
const NAME: u8 = 0x42;
const KEYWORD: u8 = 0x44;
const INTEGER: u8 = 0x21;
const TEXT: u8 = 0x41;

fn servers() -> Vec<Server> {
    let list = quire_tests::both_servers();
    for s in &list {
        let uri = format!("file://{}/{QUEUE}.prn", s.out_dir().display());
        cups_tool_ok(s, Via::Tcp, "lpadmin", &["-p", QUEUE, "-v", &uri, "-E"]).expect("lpadmin");
    }
    list
}

/// The 8-byte message header.
fn header(version: (u8, u8), op: u16, id: i32) -> Vec<u8> {
    let mut b = vec![version.0, version.1];
    b.extend_from_slice(&op.to_be_bytes());
    b.extend_from_slice(&id.to_be_bytes());
    b
}

/// One attribute (or additional value when `name` is empty) in RFC 8010 encoding.
fn attr(tag: u8, name: &str, value: &[u8]) -> Vec<u8> {
    let mut b = vec![tag];
    b.extend_from_slice(&(name.len() as u16).to_be_bytes());
    b.extend_from_slice(name.as_bytes());
    b.extend_from_slice(&(value.len() as u16).to_be_bytes());
    b.extend_from_slice(value);
    b
}

fn charset() -> Vec<u8> {
    attr(CHARSET, "attributes-charset", b"utf-8")
}
fn language() -> Vec<u8> {
    attr(LANGUAGE, "attributes-natural-language", b"en")
}
fn user() -> Vec<u8> {
    attr(NAME, "requesting-user-name", b"tester")
}

/// A Get-Printer-Attributes message built by hand from `parts` (group tag and end tag included
/// by the caller).
fn gpa(version: (u8, u8), id: i32, parts: &[Vec<u8>]) -> Vec<u8> {
    let mut b = header(version, Operation::GetPrinterAttributes.code(), id);
    for p in parts {
        b.extend_from_slice(p);
    }
    b
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    /// An HTTP response; `ipp` is the status-code and status-message when the body is IPP.
    Http { status: u16, ipp: Option<(u16, Option<String>)>, charset_echoed: bool },
    /// Connection closed without a (complete) response.
    Closed,
    /// Nothing within the deadline.
    Hung,
}

impl Answer {
    fn from(r: Result<HttpResponse, NoResponse>) -> Answer {
        match r {
            Ok(resp) => {
                let ipp = resp.ipp();
                let charset_echoed = ipp.as_ref().is_some_and(|(m, _)| {
                    m.operation_attr("attributes-charset").is_some()
                        && m.operation_attr("attributes-natural-language").is_some()
                });
                Answer::Http {
                    status: resp.status,
                    ipp: ipp.map(|(m, _)| (m.code, status_message(&m))),
                    charset_echoed,
                }
            }
            Err(NoResponse::TimedOut(_)) => Answer::Hung,
            Err(NoResponse::Closed(_)) | Err(NoResponse::Io(_)) => Answer::Closed,
        }
    }

    fn ipp_status(&self) -> Option<u16> {
        match self {
            Answer::Http { ipp: Some((code, _)), .. } => Some(*code),
            _ => None,
        }
    }

    fn show(&self) -> String {
        match self {
            Answer::Http { status, ipp: Some((code, msg)), .. } => {
                format!("HTTP {status}, {} {msg:?}", status_name(*code))
            }
            Answer::Http { status, ipp: None, .. } => format!("HTTP {status}, no IPP body"),
            other => format!("{other:?}"),
        }
    }
}

/// How quired's answer relates to cupsd's.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reference {
    /// cupsd's IPP status is the RFC 8011 one: quired must give the same.
    SameAsCupsd,
    /// cupsd's answer is not the RFC one (see the case's note): only quired's is asserted.
    RfcOnly,
}

struct Case {
    name: &'static str,
    /// The full bytes sent on the connection.
    request: Vec<u8>,
    /// Half-close after sending (for a body shorter than its Content-Length).
    close_write: bool,
    /// quired's expected HTTP status and IPP status-code.
    want: (u16, u16),
    reference: Reference,
    /// What cupsd does when that is not the RFC answer.
    note: &'static str,
}

fn post(body: Vec<u8>) -> Vec<u8> {
    ipp_post_bytes(&format!("/printers/{QUEUE}"), &body)
}

fn cases(uri: &str) -> Vec<Case> {
    let uri_attr = || attr(URI, "printer-uri", uri.as_bytes());
    let valid = || vec![vec![OP_GROUP], charset(), language(), uri_attr(), user(), vec![END]];
    let bad = |name, body: Vec<u8>, note| Case {
        name,
        request: post(body),
        close_write: false,
        want: (200, BAD_REQUEST),
        reference: Reference::RfcOnly,
        note,
    };
    let same = |name, body: Vec<u8>, want: u16| Case {
        name,
        request: post(body),
        close_write: false,
        want: (200, want),
        reference: Reference::SameAsCupsd,
        note: "",
    };
    const CUPSD_400: &str = "cupsd: HTTP 400 Bad Request and no IPP body (ippRead error)";

    let mut cut_name = gpa((2, 0), 1, &[vec![OP_GROUP]]);
    cut_name.extend_from_slice(&[CHARSET, 0x00, 0x12]);
    cut_name.extend_from_slice(b"attributes-");
    let mut cut_value = gpa((2, 0), 1, &[vec![OP_GROUP]]);
    cut_value.extend_from_slice(&[CHARSET, 0x00, 0x12]);
    cut_value.extend_from_slice(b"attributes-charset");
    cut_value.extend_from_slice(&[0x00, 0x05]);
    cut_value.extend_from_slice(b"ut");
    let no_end = gpa((2, 0), 1, &[vec![OP_GROUP], charset(), language(), uri_attr(), user()]);
    let mut past_end = gpa((2, 0), 1, &[vec![OP_GROUP]]);
    past_end.extend_from_slice(&[CHARSET, 0x00, 0x12]);
    past_end.extend_from_slice(b"attributes-charset");
    past_end.extend_from_slice(&[0x7F, 0xFF]);
    past_end.extend_from_slice(b"utf-8");
    past_end.push(END);
    let first_unnamed = gpa(
        (2, 0),
        1,
        &[vec![OP_GROUP], attr(CHARSET, "", b"utf-8"), language(), uri_attr(), vec![END]],
    );
    let with_delim = |tag: u8| {
        gpa(
            (2, 0),
            1,
            &[
                vec![OP_GROUP],
                charset(),
                language(),
                uri_attr(),
                user(),
                vec![tag],
                attr(KEYWORD, "x-thing", b"y"),
                vec![END],
            ],
        )
    };
    let big_values: Vec<Vec<u8>> =
        (0..66).map(|i| attr(TEXT, if i == 0 { "x-big" } else { "" }, &[b'a'; 32000])).collect();
    let mut big = vec![vec![OP_GROUP], charset(), language(), uri_attr(), user()];
    big.extend(big_values);
    big.push(vec![END]);
    let short_body = {
        let body = gpa((2, 0), 1, &valid());
        let mut req = format!(
            "POST /printers/{QUEUE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
            body.len() + 1000
        )
        .into_bytes();
        req.extend_from_slice(&body);
        req
    };

    vec![
        bad("header only", header((2, 0), Operation::GetPrinterAttributes.code(), 1), CUPSD_400),
        bad("attribute cut mid-name", cut_name, CUPSD_400),
        bad("attribute cut mid-value", cut_value, "cupsd: HTTP 400 and no IPP body, or waits for the missing bytes until its timeout"),
        bad("no end-of-attributes tag", no_end, CUPSD_400),
        bad("value-length past the end", past_end, CUPSD_400),
        bad("name-length 0 on the first attribute", first_unnamed, CUPSD_400),
        bad("delimiter tag 0x00", with_delim(0x00), CUPSD_400),
        // RFC 8010 3.5.1: 0x0B-0x0F are reserved delimiters; a message using one is not valid IPP.
        bad("delimiter tag 0x0F", with_delim(0x0F), "cupsd: accepts it as a group and answers successful-ok"),
        same("unknown value tag 0x38", gpa((2, 0), 1, &[vec![OP_GROUP], charset(), language(), uri_attr(), user(), attr(0x38, "x-odd", &[0, 0, 0, 1]), vec![END]]), OK),
        same("version 0.0", gpa((0, 0), 1, &valid()), VERSION_NOT_SUPPORTED),
        same("version 9.9", gpa((9, 9), 1, &valid()), VERSION_NOT_SUPPORTED),
        same("request-id 0", gpa((2, 0), 0, &valid()), BAD_REQUEST),
        same("no operation attributes", gpa((2, 0), 1, &[vec![END]]), BAD_REQUEST),
        same("missing attributes-charset", gpa((2, 0), 1, &[vec![OP_GROUP], language(), uri_attr(), vec![END]]), BAD_REQUEST),
        same("missing attributes-natural-language", gpa((2, 0), 1, &[vec![OP_GROUP], charset(), uri_attr(), vec![END]]), BAD_REQUEST),
        same("language before charset", gpa((2, 0), 1, &[vec![OP_GROUP], language(), charset(), uri_attr(), vec![END]]), BAD_REQUEST),
        same("missing printer-uri", gpa((2, 0), 1, &[vec![OP_GROUP], charset(), language(), user(), vec![END]]), BAD_REQUEST),
        // Wrong value tag = malformed syntax: client-error-bad-request (RFC 8011 B.1.4.1, RFC 3196
        // 3.1.2.1.5; CUPS's ipp-1.1 style). attributes-or-values-not-supported is for well-formed
        // values the printer does not support.
        bad(
            "requesting-user-name as integer",
            gpa((2, 0), 1, &[vec![OP_GROUP], charset(), language(), uri_attr(), attr(INTEGER, "requesting-user-name", &[0, 0, 0, 7]), vec![END]]),
            "cupsd: client-error-attributes-or-values-not-supported \"attribute with wrong syntax\"",
        ),
        same("printer-uri as keyword", gpa((2, 0), 1, &[vec![OP_GROUP], charset(), language(), attr(KEYWORD, "printer-uri", uri.as_bytes()), vec![END]]), BAD_REQUEST),
        Case {
            name: "2 MB attribute section",
            request: post(gpa((2, 0), 1, &big)),
            close_write: false,
            want: (200, TOO_LARGE),
            reference: Reference::RfcOnly,
            note: "cupsd: reads it all and answers the request",
        },
        Case {
            name: "HTTP body shorter than Content-Length, client closes",
            request: short_body,
            close_write: true,
            want: (0, 0),
            reference: Reference::RfcOnly,
            note: "no answer is required: the server may answer 400 or just close",
        },
    ]
}

fn check_alive(server: &Server, after: &str) {
    let mut msg =
        request(Operation::GetPrinterAttributes, Some(&server.printer_uri(QUEUE)), "tester", 77);
    common::op_attr(
        &mut msg,
        Attribute::new("requested-attributes", Value::Keyword("printer-state".into())),
    );
    let r = exchange(server.port(), &post(msg.encode()), false, TIMEOUT);
    let ok = matches!(&r, Ok(resp) if resp.status == 200 && resp.ipp().is_some_and(|(m, _)| m.code == OK));
    assert!(
        ok,
        "{} does not answer Get-Printer-Attributes after \"{after}\": {r:?}\n{}",
        server.name(),
        server.log_tail(30)
    );
}

#[test]
fn malformed_requests_get_a_clear_answer() {
    let servers = servers();
    let answers: Vec<Vec<Answer>> = servers
        .iter()
        .map(|s| {
            cases(&s.printer_uri(QUEUE))
                .iter()
                .map(|c| {
                    let a = Answer::from(exchange(s.port(), &c.request, c.close_write, TIMEOUT));
                    check_alive(s, c.name);
                    a
                })
                .collect()
        })
        .collect();
    let table = cases("ipp://x/");
    for (i, c) in table.iter().enumerate() {
        let row: Vec<String> = servers
            .iter()
            .zip(&answers)
            .map(|(s, a)| format!("{}: {}", s.name(), a[i].show()))
            .collect();
        println!("{:<52} {}", c.name, row.join(" | "));
    }
    let Some(quired) = answers.get(1) else { return };
    let cupsd = &answers[0];
    let mut failures = Vec::new();
    for (i, c) in table.iter().enumerate() {
        let got = &quired[i];
        if c.want == (0, 0) {
            // Only "no hang" (and no crash, checked above) is required.
            if *got == Answer::Hung {
                failures.push(format!("{}: quired hung", c.name));
            }
            continue;
        }
        let want = format!("HTTP {}, {}", c.want.0, status_name(c.want.1));
        match got {
            Answer::Http { status, ipp: Some((code, msg)), charset_echoed } => {
                if (*status, *code) != c.want {
                    failures.push(format!("{}: want {want}, got {}", c.name, got.show()));
                }
                // RFC 8011 4.1.6.2 makes status-message optional; an error must still say why.
                if *code >= 0x0400 && msg.as_deref().unwrap_or("").is_empty() {
                    failures.push(format!("{}: no status-message ({})", c.name, got.show()));
                }
                if !charset_echoed {
                    failures.push(format!(
                        "{}: response lacks attributes-charset/natural-language",
                        c.name
                    ));
                }
            }
            _ => failures.push(format!("{}: want {want}, got {}", c.name, got.show())),
        }
        if c.reference == Reference::SameAsCupsd && cupsd[i].ipp_status() != got.ipp_status() {
            failures.push(format!(
                "{}: cupsd says {}, quired {}",
                c.name,
                cupsd[i].show(),
                got.show()
            ));
        }
        if !c.note.is_empty() {
            println!("note ({}): {}", c.name, c.note);
        }
    }
    assert!(failures.is_empty(), "quired bad-input failures:\n  {}", failures.join("\n  "));
}

/// Print-Job of a document that claims to be PDF and is not one (real header, cut body, no
/// xref/trailer). RFC 8011 lets a Printer accept it and fail the job later, or refuse it with
/// client-error-document-format-error; cupsd (raw queue) accepts it: quired must answer the same
/// status, with a job-id when it accepts, and keep running.
#[test]
fn corrupt_pdf_document() {
    let corrupt = std::fs::read(data_dir().join("bad-input/corrupt.pdf"))
        .expect("tests/data/bad-input/corrupt.pdf");
    let mut statuses = Vec::new();
    for s in servers() {
        let mut msg: Message =
            request(Operation::PrintJob, Some(&s.printer_uri(QUEUE)), "tester", 5);
        common::op_attr(&mut msg, Attribute::new("job-name", Value::Name("corrupt pdf".into())));
        common::op_attr(
            &mut msg,
            Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
        );
        let mut body = msg.encode();
        body.extend_from_slice(&corrupt);
        let resp = exchange(s.port(), &post(body), false, TIMEOUT);
        let a = Answer::from(
            resp.as_ref().map(Clone::clone).map_err(|_| NoResponse::Closed(Vec::new())),
        );
        println!("{}: corrupt PDF -> {}", s.name(), a.show());
        let code = a
            .ipp_status()
            .unwrap_or_else(|| panic!("{}: corrupt PDF: no IPP answer: {}", s.name(), a.show()));
        if code < 0x0100 {
            let (m, _) = resp.unwrap().ipp().unwrap();
            let id = m.attr(quire_ipp::DelimiterTag::Job, "job-id").and_then(|a| a.first_i32());
            assert!(id.is_some_and(|i| i > 0), "{}: accepted without a job-id", s.name());
        } else {
            assert!(
                matches!(&a, Answer::Http { ipp: Some((_, Some(m))), .. } if !m.is_empty()),
                "{}: no status-message",
                s.name()
            );
        }
        check_alive(&s, "corrupt PDF");
        statuses.push((s.name(), code));
    }
    if let [(_, cupsd), (_, quired)] = statuses[..] {
        assert_eq!(status_name(quired), status_name(cupsd), "corrupt PDF: quired vs cupsd");
    }
}

/// A Print-Job whose HTTP body stops short of its Content-Length (the client then closes): the
/// message is incomplete (RFC 9112 6.3: the recipient MUST consider it incomplete), so no job
/// with a truncated document may be acknowledged or left printable. The queue is stopped so a
/// created job would stay visible.
#[test]
fn print_job_body_shorter_than_content_length() {
    let pdf = std::fs::read(data_dir().join("documents/document-letter.pdf")).expect("pdf");
    for s in servers() {
        cups_tool_ok(&s, Via::Tcp, "cupsdisable", &[QUEUE]).expect("cupsdisable");
        let mut msg: Message =
            request(Operation::PrintJob, Some(&s.printer_uri(QUEUE)), "tester", 9);
        common::op_attr(&mut msg, Attribute::new("job-name", Value::Name("short-body".into())));
        common::op_attr(
            &mut msg,
            Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())),
        );
        let ipp_part = msg.encode();
        let mut req = format!(
            "POST /printers/{QUEUE} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n\r\n",
            ipp_part.len() + pdf.len()
        )
        .into_bytes();
        req.extend_from_slice(&ipp_part);
        req.extend_from_slice(&pdf[..pdf.len() / 2]);
        let a = Answer::from(exchange(s.port(), &req, true, TIMEOUT));
        println!("{}: Print-Job with half its body -> {}", s.name(), a.show());
        assert_ne!(a, Answer::Hung, "{}: hangs on a short body", s.name());
        check_alive(&s, "short Print-Job body");
        assert!(
            a.ipp_status().is_none_or(|c| c >= 0x0400),
            "{}: acknowledged a Print-Job whose body was cut short: {}",
            s.name(),
            a.show()
        );
        // Whatever was created must not be printable: only aborted (8) or canceled (7) allowed.
        let mut gj = request(Operation::GetJobs, Some(&s.printer_uri(QUEUE)), "tester", 10);
        common::op_attr(&mut gj, Attribute::new("which-jobs", Value::Keyword("all".into())));
        let kws = ["job-id", "job-name", "job-state"]
            .iter()
            .map(|k| Value::Keyword(k.to_string()))
            .collect();
        common::op_attr(&mut gj, Attribute::set("requested-attributes", kws));
        let resp = exchange(s.port(), &post(gj.encode()), false, TIMEOUT).expect("Get-Jobs");
        let (m, _) = resp.ipp().expect("Get-Jobs IPP");
        for g in common::groups(&m, quire_ipp::DelimiterTag::Job) {
            let name = common::find_attr(g, "job-name").and_then(|a| a.first_str()).unwrap_or("");
            let state = common::find_attr(g, "job-state").and_then(|a| a.first_i32()).unwrap_or(-1);
            if name == "short-body" {
                assert!(
                    state == 7 || state == 8,
                    "{}: a job with a truncated document is in state {state}",
                    s.name()
                );
            }
        }
        cups_tool_ok(&s, Via::Tcp, "cupsenable", &[QUEUE]).expect("cupsenable");
    }
}
