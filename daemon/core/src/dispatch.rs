//! Dispatch in three steps: validate the request, resolve its target, call the operation.

use crate::effect::Outcome;
use crate::error::{IppError, IppResult};
use crate::model::Scheduler;
use crate::ops;
use crate::request::{uri_path, Request, Requester, Target};
use crate::response;
use quire_ipp::{DelimiterTag, Message, Operation, Value};

/// Which target an operation needs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Needs {
    Nothing,
    Printer,
    PrinterOrServer,
    NewOrExistingPrinter,
    Job,
    /// CUPS-Move-Job: a job, or a printer (move all its jobs).
    JobOrPrinter,
}

fn needs(op: Operation) -> Needs {
    use Operation::*;
    match op {
        PrintJob | PrintUri | ValidateJob | CreateJob | GetPrinterAttributes
        | GetPrinterSupportedValues | PausePrinter | ResumePrinter | HoldNewJobs
        | ReleaseHeldNewJobs | EnablePrinter | DisablePrinter | IdentifyPrinter
        | CancelCurrentJob | CupsDeletePrinter | CupsDeleteClass | CupsAcceptJobs
        | CupsRejectJobs | CupsSetDefault | SetPrinterAttributes | CreatePrinterSubscriptions
        | PausePrinterAfterCurrentJob | RestartPrinter | ShutdownPrinter | StartupPrinter
        | SuspendCurrentJob
        | CreateJobSubscriptions => {
            Needs::Printer
        }
        GetJobs | PurgeJobs | CancelJobs | CancelMyJobs | QuireReleaseMyJobs | GetSubscriptions | GetNotifications | GetSubscriptionAttributes
        | RenewSubscription | CancelSubscription => Needs::PrinterOrServer,
        CupsAddModifyPrinter | CupsAddModifyClass => Needs::NewOrExistingPrinter,
        SendDocument | SendUri | CloseJob | CancelJob | GetJobAttributes | HoldJob | ReleaseJob
        | RestartJob | SetJobAttributes | GetDocumentAttributes
        | GetDocuments | CupsAuthenticateJob | CupsGetDocument | ReprocessJob | ResumeJob
        | PromoteJob | ScheduleJobAfter | CancelDocument | SetDocumentAttributes | ResubmitJob => Needs::Job,
        CupsMoveJob => Needs::JobOrPrinter,
        CupsGetDefault | CupsGetPrinters | CupsGetClasses | CupsGetDevices | CupsGetPpds
        | CupsGetPpd | CupsCreateLocalPrinter => Needs::Nothing,
    }
}

/// Handles one request: never panics, always returns a response.
pub fn handle(state: &mut Scheduler, req: &Request, who: &Requester, now: i64) -> Outcome {
    let mut run = || -> IppResult<Outcome> {
        let op = validate(&req.message)?;
        let target = resolve(state, &req.message, op)?;
        let pin = crate::confidential::pin_for_owner(state, op, &target, req);
        crate::policy::authorize(state, op, &target, req, who, pin)?;
        ops::call(op, state, req, &target, who, now)
    };
    match run() {
        Ok(outcome) => outcome,
        Err(err) => Outcome { response: response::error(&req.message, &err), effects: Vec::new() },
    }
}

/// Step 1: the checks of RFC 8011 section 4.1 that every request must pass.
pub fn validate(msg: &Message) -> IppResult<Operation> {
    if !matches!(msg.version.0, 1 | 2) {
        return Err(IppError::VersionNotSupported(msg.version));
    }
    if msg.request_id <= 0 {
        return Err(IppError::BadRequest("Bad request-id.".into()));
    }
    let op_group = match msg.groups.first() {
        Some(g) if g.tag == DelimiterTag::Operation => g,
        _ => return Err(IppError::BadRequest("Missing operation attributes.".into())),
    };
    let charset = match op_group.attributes.first() {
        Some(a) if a.name == "attributes-charset" => a,
        _ => return Err(IppError::BadRequest("Missing attributes-charset.".into())),
    };
    match op_group.attributes.get(1) {
        Some(a) if a.name == "attributes-natural-language" => {
            if !matches!(a.values.as_slice(), [Value::NaturalLanguage(_)]) {
                return Err(IppError::BadRequest("Bad attributes-natural-language.".into()));
            }
        }
        _ => return Err(IppError::BadRequest("Missing attributes-natural-language.".into())),
    }
    match charset.values.as_slice() {
        [Value::Charset(c)] => {
            if !c.eq_ignore_ascii_case("utf-8") && !c.eq_ignore_ascii_case("us-ascii") {
                return Err(IppError::CharsetNotSupported(c.clone()));
            }
        }
        _ => return Err(IppError::BadRequest("Bad attributes-charset.".into())),
    }
    check_group_order(msg)?;
    crate::validate::operation_attributes(op_group)?;
    Operation::from_u16(msg.code).ok_or(IppError::OperationNotSupported(msg.code))
}

/// Each group tag may appear once, operation first (RFC 8010 section 3.1.1), except
/// that CUPS clients send several groups of one tag for some admin operations.
fn check_group_order(msg: &Message) -> IppResult<()> {
    for g in &msg.groups[1..] {
        if g.tag == DelimiterTag::Operation {
            return Err(IppError::BadRequest("Duplicate operation attributes group.".into()));
        }
    }
    Ok(())
}

/// Step 2: find the printer, class or job the request names.
pub fn resolve(state: &Scheduler, msg: &Message, op: Operation) -> IppResult<Target> {
    let needs = needs(op);
    if needs == Needs::Nothing {
        return Ok(Target::Server);
    }
    let printer_uri = uri_attr(msg, "printer-uri")?;
    let job_uri = uri_attr(msg, "job-uri")?;
    let job_id = match msg.operation_attr("job-id") {
        None => None,
        Some(a) => match a.values.as_slice() {
            [Value::Integer(id)] if *id > 0 => Some(*id),
            [Value::Integer(0)] if needs != Needs::Job => None,
            _ => return Err(IppError::BadRequest("Bad job-id attribute.".into())),
        },
    };
    match needs {
        Needs::Job | Needs::JobOrPrinter => {
            if let Some(uri) = job_uri {
                return job_from_uri(state, uri);
            }
            let Some(uri) = printer_uri else {
                return Err(IppError::BadRequest("Missing job-uri or printer-uri.".into()));
            };
            match job_id {
                Some(id) => job_target(state, id),
                None if needs == Needs::JobOrPrinter => printer_target(state, uri, false),
                None => Err(IppError::BadRequest("Missing job-id.".into())),
            }
        }
        Needs::Printer | Needs::PrinterOrServer | Needs::NewOrExistingPrinter => {
            let Some(uri) = printer_uri else {
                if needs == Needs::PrinterOrServer && job_uri.is_none() {
                    // cupsd accepts these with no printer-uri at all.
                    return Ok(Target::Server);
                }
                return Err(IppError::BadRequest("Missing required printer-uri attribute.".into()));
            };
            let target = printer_target(state, uri, needs == Needs::NewOrExistingPrinter)?;
            if target == Target::Server && needs == Needs::Printer {
                return Err(IppError::NotFound("The printer or class does not exist.".into()));
            }
            Ok(target)
        }
        Needs::Nothing => Ok(Target::Server),
    }
}

fn uri_attr<'a>(msg: &'a Message, name: &str) -> IppResult<Option<&'a str>> {
    match msg.operation_attr(name) {
        None => Ok(None),
        Some(a) => match a.values.as_slice() {
            [Value::Uri(u)] => Ok(Some(u)),
            _ => Err(IppError::BadRequest(format!("Bad {name} attribute."))),
        },
    }
}

fn printer_target(state: &Scheduler, uri: &str, allow_new: bool) -> IppResult<Target> {
    let path = uri_path(uri)?;
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let name = path
        .strip_prefix("/printers/")
        .or_else(|| path.strip_prefix("/classes/"))
        .or_else(|| path.strip_prefix("/ipp/print/"));
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        if matches!(path, "/" | "/printers" | "/printers/" | "/classes" | "/classes/" | "/jobs" | "/jobs/") {
            return Ok(Target::Server);
        }
        return Err(IppError::NotFound("The printer or class does not exist.".into()));
    };
    let name = name.trim_end_matches('/');
    let key = name.to_ascii_lowercase();
    if state.printers.contains_key(&key) {
        Ok(Target::Printer(key))
    } else if allow_new {
        Ok(Target::NewPrinter(name.to_string()))
    } else {
        Err(IppError::NotFound("The printer or class does not exist.".into()))
    }
}

fn job_from_uri(state: &Scheduler, uri: &str) -> IppResult<Target> {
    let path = uri_path(uri)?;
    let id = path
        .strip_prefix("/jobs/")
        .and_then(|s| s.trim_end_matches('/').parse::<i32>().ok())
        .ok_or_else(|| IppError::BadRequest(format!("Bad job-uri \"{uri}\".")))?;
    job_target(state, id)
}

fn job_target(state: &Scheduler, id: i32) -> IppResult<Target> {
    if state.jobs.contains_key(&id) {
        Ok(Target::Job(id))
    } else {
        Err(IppError::NotFound(format!("Job #{id} does not exist.")))
    }
}

/// Where the document of a Print-Job / Send-Document goes: (job id, document number).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSlot {
    pub job_id: i32,
    pub doc_number: i32,
    /// The document belongs to a confidential job: the daemon encrypts it as it spools.
    pub confidential: bool,
    /// Bytes the document may take (spool quotas, free disk); `None`: no limit.
    pub room: Option<crate::quota::Allowance>,
}

/// Runs every check a Print-Job or Send-Document can fail before its document is read,
/// so a refused request never makes the client upload (or us store) its data. For
/// Print-Job the job id is reserved here and must be passed back as `job_id_hint`.
pub fn prepare_document(state: &mut Scheduler, req: &Request, who: &Requester, now: i64) -> Result<DocumentSlot, Message> {
    let fail = |e: IppError| response::error(&req.message, &e);
    let op = validate(&req.message).map_err(fail)?;
    let target = resolve(state, &req.message, op).map_err(fail)?;
    crate::policy::authorize(state, op, &target, req, who, false).map_err(fail)?;
    match (op, &target) {
        (Operation::PrintJob, Target::Printer(_)) => {
            let (confidential, room) = ops::jobs::check_print_job(state, req, &target, who, now).map_err(fail)?;
            let job_id = state.next_job_id;
            state.next_job_id += 1;
            Ok(DocumentSlot { job_id, doc_number: 1, confidential, room })
        }
        (Operation::SendDocument, Target::Job(id)) => {
            let job = state.jobs.get(id).ok_or_else(|| fail(IppError::NotFound(format!("Job #{id} does not exist."))))?;
            if !who.may_manage_job(&job.owner) {
                return Err(fail(IppError::NotAuthorized(format!("You are not the owner of job #{id}."))));
            }
            if !job.open {
                return Err(fail(IppError::NotPossible(format!("Job #{id} is not open for documents."))));
            }
            crate::confidential::check_owner(job, who, false).map_err(fail)?;
            let room = crate::quota::check(state, req, &job.owner, 0).map_err(fail)?;
            Ok(DocumentSlot { job_id: *id, doc_number: job.documents.len() as i32 + 1, confidential: job.confidential.is_some(), room })
        }
        _ => Err(fail(IppError::BadRequest("This operation takes no document.".into()))),
    }
}

/// Work the daemon does for a request before the scheduler handles it, once [`admit`] has
/// let the request through.
#[derive(Debug, Clone, PartialEq)]
pub enum Admission {
    /// Nothing beyond what the daemon always does (a device query for the operations that
    /// take one: CUPS-Add-Modify-Printer, CUPS-Create-Local-Printer, CUPS-Get-Devices).
    Proceed,
    /// A new PIN job: seal a check key with its `job-password` (`Request::pin_check`).
    SealPin,
    /// A release with a PIN: open this job's check key with `job-password` (`Request::pin_ok`).
    CheckPin { job_id: i32, check: String },
}

/// The checks a request must pass before the daemon does anything costly or outward for it
/// (query a device, hash a PIN): validate, resolve, the policy, and the operation's own
/// rule for who may ask. A refused request gets its answer here and causes no side effect.
pub fn admit(state: &Scheduler, req: &Request, who: &Requester, now: i64) -> Result<Admission, Message> {
    let fail = |e: IppError| response::error(&req.message, &e);
    let op = validate(&req.message).map_err(fail)?;
    let target = resolve(state, &req.message, op).map_err(fail)?;
    let pin = crate::confidential::pin_for_owner(state, op, &target, req);
    crate::policy::authorize(state, op, &target, req, who, pin).map_err(fail)?;
    match op {
        Operation::CupsAddModifyPrinter | Operation::CupsGetDevices => ops::printers::require_admin(who).map(|_| Admission::Proceed).map_err(fail),
        // The handler's own rule, before the device is queried.
        Operation::CupsCreateLocalPrinter => ops::admin::may_create_local_printer(who).map(|_| Admission::Proceed).map_err(fail),
        Operation::CreateJob | Operation::PrintUri | Operation::PrintJob => {
            let pin = ops::jobs::check_new_job(state, req, op, &target, who, now).map_err(fail)?;
            Ok(if pin { Admission::SealPin } else { Admission::Proceed })
        }
        Operation::ReleaseJob | Operation::CupsAuthenticateJob => Ok(match crate::confidential::pin_to_check(state, &target, req) {
            Some((job_id, check)) => Admission::CheckPin { job_id, check },
            None => Admission::Proceed,
        }),
        _ => Ok(Admission::Proceed),
    }
}

/// CUPS-Get-PPD: the response, and the PPD to send after it.
pub fn get_ppd(state: &Scheduler, req: &Request, now: i64) -> (Message, Option<String>) {
    let run = || -> IppResult<String> {
        validate(&req.message)?;
        if let Some(uri) = uri_attr(&req.message, "printer-uri")? {
            let Target::Printer(key) = printer_target(state, uri, false)? else {
                return Err(IppError::NotFound("The printer or class does not exist.".into()));
            };
            return ppd(state, &key, &req.base, now).ok_or_else(|| IppError::NotFound("The printer or class does not exist.".into()));
        }
        match req.message.operation_attr("ppd-name").and_then(|a| a.first_str()) {
            Some(name) => Err(IppError::NotFound(format!("The PPD file \"{name}\" could not be found."))),
            None => Err(IppError::BadRequest("Missing printer-uri or ppd-name.".into())),
        }
    };
    match run() {
        Ok(text) => (response::ok(&req.message), Some(text)),
        Err(e) => (response::error(&req.message, &e), None),
    }
}

/// The PPD of a queue (GET /printers/NAME.ppd), generated from its attributes.
pub fn ppd(state: &Scheduler, name: &str, base: &crate::request::UriBase, now: i64) -> Option<String> {
    let p = state.printer(name)?;
    let all = quire_ipp::registry::expand_requested(&["all"], quire_ipp::registry::ObjectKind::Printer);
    let attrs = crate::attrs::printer_attributes(state, p, base, &all, now);
    Some(crate::ppd::generate_ppd(&p.name, &attrs))
}
