use std::sync::Arc;

use quire_ipp::registry::ObjectKind;

use super::*;
use crate::state::tests::state;

fn shared() -> Arc<Shared> {
    Shared::new(state())
}

fn request(op: Operation) -> Message {
    let mut msg = Message::request(op, 7);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("printer-uri", Value::Uri("ipp://127.0.0.1:8631/ipp/print".into())));
    g.push(Attribute::new("requesting-user-name", Value::Name("alice".into())));
    msg
}

fn with(mut msg: Message, tag: DelimiterTag, attr: Attribute) -> Message {
    msg.group_mut(tag).push(attr);
    msg
}

fn op_attr(msg: Message, name: &str, value: Value) -> Message {
    with(msg, DelimiterTag::Operation, Attribute::new(name, value))
}

fn answer(sh: &Shared, req: &Message) -> Message {
    match prepare(sh, req) {
        Prepared::Answer(m) => m,
        Prepared::Upload(up) => panic!("unexpected upload {up:?}"),
    }
}

fn status(msg: &Message) -> StatusCode {
    StatusCode::from_u16(msg.code).expect("status")
}

fn status_message(msg: &Message) -> String {
    msg.operation_attr("status-message").and_then(Attribute::first_str).unwrap_or("").to_string()
}

/// Print-Job of a `pages`-page analysed PDF; returns the job id.
fn print(sh: &Shared, req: Message, pages: u32) -> i32 {
    let Prepared::Upload(up) = prepare(sh, &req) else { panic!("no upload") };
    let analysis = Ok(Analysis { pages, markers: Vec::new() });
    let resp = upload_done(sh, &up, 100, "application/pdf", analysis);
    assert!(status(&resp).is_success(), "{resp:?}");
    resp.attr(DelimiterTag::Job, "job-id").and_then(Attribute::first_i32).expect("job-id")
}

#[test]
fn request_checks() {
    let sh = shared();
    let mut bad_version = request(Operation::GetPrinterAttributes);
    bad_version.version = (3, 0);
    assert_eq!(status(&answer(&sh, &bad_version)), StatusCode::ServerErrorVersionNotSupported);
    let mut no_charset = request(Operation::GetPrinterAttributes);
    no_charset.groups[0].attributes.remove(0);
    let resp = answer(&sh, &no_charset);
    assert_eq!(status(&resp), StatusCode::ClientErrorBadRequest);
    assert_eq!(status_message(&resp), "Missing attributes-charset.");
    let mut no_language = request(Operation::GetPrinterAttributes);
    no_language.groups[0].attributes.remove(1);
    assert_eq!(status_message(&answer(&sh, &no_language)), "Missing attributes-natural-language.");
    let mut no_uri = request(Operation::GetPrinterAttributes);
    no_uri.groups[0].attributes.remove(2);
    assert_eq!(status_message(&answer(&sh, &no_uri)), "Missing printer-uri.");
    let mut zero_id = request(Operation::GetPrinterAttributes);
    zero_id.request_id = 0;
    assert_eq!(status(&answer(&sh, &zero_id)), StatusCode::ClientErrorBadRequest);
    let mut latin1 = request(Operation::GetPrinterAttributes);
    latin1.groups[0].attributes[0] =
        Attribute::new("attributes-charset", Value::Charset("iso-8859-1".into()));
    assert_eq!(status(&answer(&sh, &latin1)), StatusCode::ClientErrorCharsetNotSupported);
    let resp = answer(&sh, &request(Operation::HoldJob));
    assert_eq!(status(&resp), StatusCode::ServerErrorOperationNotSupported);
    let mut unknown = request(Operation::GetJobs);
    unknown.code = 0x7777;
    assert_eq!(status(&answer(&sh, &unknown)), StatusCode::ServerErrorOperationNotSupported);
}

#[test]
fn get_printer_attributes_filters() {
    let sh = shared();
    let req = op_attr(
        request(Operation::GetPrinterAttributes),
        "requested-attributes",
        Value::Keyword("printer-state".into()),
    );
    let resp = answer(&sh, &req);
    assert_eq!(resp.request_id, 7);
    let printer = resp.group(DelimiterTag::Printer).expect("printer group");
    assert_eq!(printer.attributes.len(), 1);
    assert_eq!(printer.get("printer-state").and_then(Attribute::first_i32), Some(3));
}

#[test]
fn unsupported_document_format_is_refused_before_the_upload() {
    let sh = shared();
    let req = op_attr(
        request(Operation::PrintJob),
        "document-format",
        Value::MimeMediaType("image/gif".into()),
    );
    let resp = answer(&sh, &req);
    assert_eq!(status(&resp), StatusCode::ClientErrorDocumentFormatNotSupported);
    assert!(resp.attr(DelimiterTag::Unsupported, "document-format").is_some());
    assert!(sh.lock().jobs.is_empty(), "no job for a refused request");
}

#[test]
fn page_ranges_are_ignored_or_refused_with_fidelity() {
    let sh = shared();
    let range = Attribute::new("page-ranges", Value::RangeOfInteger { lower: 1, upper: 2 });
    let req = with(request(Operation::ValidateJob), DelimiterTag::Job, range);
    let resp = answer(&sh, &req);
    assert_eq!(status(&resp), StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes);
    assert!(resp.attr(DelimiterTag::Unsupported, "page-ranges").is_some());
    let strict = op_attr(req, "ipp-attribute-fidelity", Value::Boolean(true));
    assert_eq!(
        status(&answer(&sh, &strict)),
        StatusCode::ClientErrorAttributesOrValuesNotSupported
    );
    let copies = Attribute::new("copies", Value::Integer(1000));
    let req = with(request(Operation::ValidateJob), DelimiterTag::Job, copies);
    assert_eq!(status(&answer(&sh, &req)), StatusCode::SuccessfulOkIgnoredOrSubstitutedAttributes);
}

#[test]
fn print_job_creates_a_job_with_its_attributes() {
    let sh = shared();
    let req = with(
        request(Operation::PrintJob),
        DelimiterTag::Job,
        Attribute::new("copies", Value::Integer(3)),
    );
    let req = op_attr(req, "job-name", Value::Name("report".into()));
    let id = print(&sh, req, 4);
    let st = sh.lock();
    let job = st.job(id).expect("job");
    assert_eq!(
        (job.name.as_str(), job.user.as_str(), job.copies, job.impressions()),
        ("report", "alice", 3, 12)
    );
    assert!(!job.open);
    let attrs = crate::attrs::job_attributes(&st, job);
    let get = |n: &str| attrs.iter().find(|a| a.name == n).and_then(Attribute::first_i32);
    assert_eq!((get("job-impressions"), get("job-impressions-completed")), (Some(12), Some(0)));
}

#[test]
fn a_bad_document_aborts_the_job() {
    let sh = shared();
    let Prepared::Upload(up) = prepare(&sh, &request(Operation::PrintJob)) else {
        panic!("no upload")
    };
    let resp = upload_done(&sh, &up, 10, "application/pdf", Err(DocError::Empty));
    assert_eq!(status(&resp), StatusCode::SuccessfulOk);
    let reasons: Vec<&str> =
        resp.attr(DelimiterTag::Job, "job-state-reasons").expect("reasons").strs().collect();
    assert_eq!(reasons, ["document-format-error"]);
    assert_eq!(resp.attr(DelimiterTag::Job, "job-state").and_then(Attribute::first_i32), Some(8));
}

#[test]
fn an_interrupted_print_job_is_aborted() {
    let sh = shared();
    let Prepared::Upload(up) = prepare(&sh, &request(Operation::PrintJob)) else {
        panic!("no upload")
    };
    upload_failed(&sh, &up, "gone");
    let st = sh.lock();
    assert_eq!(st.job(up.job).map(|j| (j.state, j.receiving)), Some((JobState::Aborted, 0)));
}

#[test]
fn create_job_and_send_documents() {
    let sh = shared();
    let resp = answer(&sh, &request(Operation::CreateJob));
    let id = resp.attr(DelimiterTag::Job, "job-id").and_then(Attribute::first_i32).expect("job-id");
    let send = |last: Option<bool>| {
        let req = op_attr(request(Operation::SendDocument), "job-id", Value::Integer(id));
        match last {
            Some(b) => op_attr(req, "last-document", Value::Boolean(b)),
            None => req,
        }
    };
    assert_eq!(status_message(&answer(&sh, &send(None))), "Missing last-document.");
    for (last, pages) in [(false, 2), (true, 3)] {
        let Prepared::Upload(up) = prepare(&sh, &send(Some(last))) else { panic!("no upload") };
        let resp =
            upload_done(&sh, &up, 1, "application/pdf", Ok(Analysis { pages, markers: vec![] }));
        assert!(status(&resp).is_success());
    }
    let job = sh.lock().job(id).cloned().expect("job");
    assert_eq!((job.docs.len(), job.open, job.impressions()), (2, false, 5));
    assert_eq!(job.docs.iter().map(|d| d.number).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(status(&answer(&sh, &send(Some(true)))), StatusCode::ClientErrorNotPossible);
}

#[test]
fn job_lookup_cancel_and_get_jobs() {
    let sh = shared();
    let a = print(&sh, request(Operation::PrintJob), 1);
    let b = print(&sh, request(Operation::PrintJob), 1);
    let missing = op_attr(request(Operation::GetJobAttributes), "job-id", Value::Integer(99));
    assert_eq!(status(&answer(&sh, &missing)), StatusCode::ClientErrorNotFound);
    let cancel = op_attr(request(Operation::CancelJob), "job-id", Value::Integer(a));
    assert_eq!(status(&answer(&sh, &cancel)), StatusCode::SuccessfulOk);
    assert_eq!(status(&answer(&sh, &cancel)), StatusCode::ClientErrorNotPossible);
    let by_uri = op_attr(
        request(Operation::GetJobAttributes),
        "job-uri",
        Value::Uri(format!("ipp://x/ipp/print/{a}")),
    );
    let resp = answer(&sh, &by_uri);
    let reasons: Vec<&str> =
        resp.attr(DelimiterTag::Job, "job-state-reasons").expect("reasons").strs().collect();
    assert_eq!(reasons, ["job-canceled-by-user"]);
    let ids = |which: &str| {
        let req = op_attr(request(Operation::GetJobs), "which-jobs", Value::Keyword(which.into()));
        let resp = answer(&sh, &req);
        let groups = resp.groups.iter().filter(|g| g.tag == DelimiterTag::Job);
        groups.filter_map(|g| g.get("job-id").and_then(Attribute::first_i32)).collect::<Vec<_>>()
    };
    assert_eq!(
        (ids("completed"), ids("not-completed"), ids("all")),
        (vec![a], vec![b], vec![a, b])
    );
    let bad =
        op_attr(request(Operation::GetJobs), "which-jobs", Value::Keyword("fetchable".into()));
    assert_eq!(status(&answer(&sh, &bad)), StatusCode::ClientErrorAttributesOrValuesNotSupported);
    let cancel_mine = request(Operation::CancelMyJobs);
    assert!(status(&answer(&sh, &cancel_mine)).is_success());
    assert_eq!(ids("not-completed"), Vec::<i32>::new());
}

#[test]
fn job_attributes_are_registry_clean() {
    let sh = shared();
    let id = print(&sh, request(Operation::PrintJob), 2);
    let st = sh.lock();
    let attrs = crate::attrs::job_attributes(&st, st.job(id).expect("job"));
    for attr in &attrs {
        assert_eq!(quire_ipp::registry::check(attr), Ok(()), "{}", attr.name);
    }
    let status_only = crate::attrs::filter(attrs, Some(&["job-state"]), ObjectKind::Job);
    assert_eq!(status_only.len(), 1);
}
