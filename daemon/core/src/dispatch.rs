//! Dispatch: validate the request, resolve its target, check the policy and who may call
//! the operation, then call it ([`handle`]). A request the daemon works on before the
//! operation runs goes in two phases: [`admit`] runs every check, [`complete`] finishes it.

use crate::effect::Outcome;
use crate::error::{IppError, IppResult};
use crate::model::{Release, Scheduler};
use crate::operation::{DocumentUse, Facts, PinUse, Targets};
use crate::ops::job_create::NewJob;
use crate::ops::{self, Reservation, Row};
use crate::request::{uri_path, Request, Requester, Target};
use crate::response;
use quire_ipp::{DelimiterTag, Message, Operation, Value};

/// Handles one request: never panics, always returns a response.
pub fn handle(state: &mut Scheduler, req: &Request, who: &Requester, now: i64) -> Outcome {
    let mut run = || -> IppResult<Outcome> {
        let row = row_of(validate(&req.message)?)?;
        let target = resolve(state, &req.message, &row.facts)?;
        let pin = crate::confidential::pin_for_owner(state, &row.facts, &target, req);
        crate::policy::authorize(state, &row.facts, &target, req, who, pin)?;
        crate::policy::check_caller(&row.facts, who)?;
        ops::call(row, state, req, &target, who, now)
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

/// The operation's row in `ops::TABLE`.
fn row_of(op: Operation) -> IppResult<&'static Row> {
    ops::row(op).ok_or(IppError::OperationNotSupported(op.code()))
}

/// Step 2: find the printer, class or job the request names.
pub fn resolve(state: &Scheduler, msg: &Message, facts: &Facts) -> IppResult<Target> {
    let needs = facts.target;
    if needs == Targets::Nothing {
        return Ok(Target::Server);
    }
    let printer_uri = uri_attr(msg, "printer-uri")?;
    let job_uri = uri_attr(msg, "job-uri")?;
    let job_id = match msg.operation_attr("job-id") {
        None => None,
        Some(a) => match a.values.as_slice() {
            [Value::Integer(id)] if *id > 0 => Some(*id),
            [Value::Integer(0)] if needs != Targets::Job => None,
            _ => return Err(IppError::BadRequest("Bad job-id attribute.".into())),
        },
    };
    match needs {
        Targets::Job | Targets::JobOrPrinter => {
            if let Some(uri) = job_uri {
                return job_from_uri(state, uri);
            }
            let Some(uri) = printer_uri else {
                return Err(IppError::BadRequest("Missing job-uri or printer-uri.".into()));
            };
            match job_id {
                Some(id) => job_target(state, id),
                None if needs == Targets::JobOrPrinter => printer_target(state, uri, false),
                None => Err(IppError::BadRequest("Missing job-id.".into())),
            }
        }
        Targets::Printer
        | Targets::PrinterOrServer
        | Targets::NewOrExistingPrinter
        | Targets::NewOrExistingClass => {
            let Some(uri) = printer_uri else {
                if needs == Targets::PrinterOrServer && job_uri.is_none() {
                    // cupsd accepts these with no printer-uri at all.
                    return Ok(Target::Server);
                }
                return Err(IppError::BadRequest("Missing required printer-uri attribute.".into()));
            };
            let new = matches!(needs, Targets::NewOrExistingPrinter | Targets::NewOrExistingClass);
            let target = printer_target(state, uri, new)?;
            if target == Target::Server && needs == Targets::Printer {
                return Err(IppError::printer_not_found());
            }
            Ok(target)
        }
        Targets::Nothing => Ok(Target::Server),
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
        if matches!(
            path,
            "/" | "/printers" | "/printers/" | "/classes" | "/classes/" | "/jobs" | "/jobs/"
        ) {
            return Ok(Target::Server);
        }
        return Err(IppError::printer_not_found());
    };
    let name = name.trim_end_matches('/');
    let key = name.to_ascii_lowercase();
    if state.printers.contains_key(&key) {
        Ok(Target::Printer(key))
    } else if allow_new {
        Ok(Target::NewPrinter(name.to_string()))
    } else {
        Err(IppError::printer_not_found())
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
        Err(IppError::job_not_found(id))
    }
}

/// Work the daemon does for a request between the two phases (besides spooling a
/// document and querying a device, which the operation's facts say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// No PIN work.
    Proceed,
    /// A new PIN job: seal a check key with its `job-password` (`Request::pin_check`).
    SealPin,
    /// A release with a PIN: open this job's check key with `job-password` (`Request::pin_ok`).
    CheckPin { job_id: i32, check: String },
}

/// Phase one's answer: the request passed every check, and this is what the daemon does for
/// it before phase two ([`complete`]).
#[derive(Debug, Clone)]
pub struct Admitted {
    row: &'static Row,
    /// The PIN work.
    pub work: Admission,
    /// Print-Job, Send-Document: where the document goes.
    pub document: Option<Reservation>,
    /// Print-Job, Print-URI, Create-Job: the job as checked, created in phase two.
    job: Option<NewJob>,
    /// `lpadmin -p Q -m everywhere` without `-v`: the queue's own device, to query (as
    /// cupsd does); None when the request names one or the queue is new.
    pub queue_device_uri: Option<String>,
}

impl Admitted {
    pub fn facts(&self) -> &'static Facts {
        &self.row.facts
    }
}

/// Phase one of a request the daemon works on before the core finishes it (the operation's
/// facts say which: `Facts::two_phases`): validate, resolve, the policy, the operation's
/// rule for who may call it and its own checks, so a refused request gets its answer here
/// and causes no work (no document read, no device queried, no PIN hashed). Print-Job's job
/// id is reserved here: its document is spooled under it.
pub fn admit(
    state: &mut Scheduler,
    req: &Request,
    who: &Requester,
    now: i64,
) -> Result<Admitted, Message> {
    let mut run = || -> IppResult<Admitted> {
        let row = row_of(validate(&req.message)?)?;
        let facts = &row.facts;
        let target = resolve(state, &req.message, facts)?;
        let pin = crate::confidential::pin_for_owner(state, facts, &target, req);
        crate::policy::authorize(state, facts, &target, req, who, pin)?;
        crate::policy::check_caller(facts, who)?;
        let queue_device_uri = match &target {
            Target::Printer(k) if facts.fetch != crate::operation::Fetch::None => {
                state.printers.get(k).map(|p| p.device_uri.clone())
            }
            _ => None,
        };
        let mut admitted =
            Admitted { row, work: Admission::Proceed, document: None, job: None, queue_device_uri };
        match (facts.pin, facts.document) {
            (PinUse::NewJob, document) => {
                let mut new = ops::job_create::check(state, req, facts.op, &target, who, now)?;
                if new.release() == Some(Release::Pin) {
                    admitted.work = Admission::SealPin;
                }
                if document == DocumentUse::Spooled {
                    let job_id = new.reserve_id(state);
                    let (confidential, room) = (new.release().is_some(), new.room().cloned());
                    admitted.document =
                        Some(Reservation { job_id, doc_number: 1, confidential, room });
                }
                admitted.job = Some(new);
            }
            (PinUse::Release, _) => {
                if let Some((job_id, check)) =
                    crate::confidential::pin_to_check(state, &target, req)
                {
                    admitted.work = Admission::CheckPin { job_id, check };
                }
            }
            (PinUse::None, DocumentUse::Spooled) => {
                admitted.document = Some(ops::document::reserve(state, req, &target, who)?)
            }
            (PinUse::None, _) => {}
        }
        Ok(admitted)
    };
    run().map_err(|e| response::error(&req.message, &e))
}

/// Phase two: `req` now carries what the daemon did (the spooled document and its sealed
/// key, the PIN's check key or its check, the device's attributes). Phase one's checks are
/// not run again; what may have changed meanwhile is (a new job's queue, limits and quotas;
/// the target, looked up again).
pub fn complete(
    state: &mut Scheduler,
    admitted: Admitted,
    req: &Request,
    who: &Requester,
    now: i64,
) -> Outcome {
    let run = || -> IppResult<Outcome> {
        let Admitted { row, document, job, .. } = admitted;
        if let Some(new) = job {
            return ops::job_create::create(state, req, new, who, now);
        }
        if let Some(slot) = document {
            let last = ops::document::last_document(&req.message)?;
            return ops::document::append(state, req, slot.job_id, last, now);
        }
        let target = resolve(state, &req.message, &row.facts)?;
        ops::call(row, state, req, &target, who, now)
    };
    match run() {
        Ok(outcome) => outcome,
        Err(err) => Outcome { response: response::error(&req.message, &err), effects: Vec::new() },
    }
}

/// CUPS-Get-PPD: the response, and the PPD to send after it.
pub fn get_ppd(state: &Scheduler, req: &Request, now: i64) -> (Message, Option<String>) {
    let run = || -> IppResult<String> {
        validate(&req.message)?;
        if let Some(uri) = uri_attr(&req.message, "printer-uri")? {
            let Target::Printer(key) = printer_target(state, uri, false)? else {
                return Err(IppError::printer_not_found());
            };
            return ppd(state, &key, &req.base, now).ok_or_else(IppError::printer_not_found);
        }
        match req.message.operation_attr("ppd-name").and_then(|a| a.first_str()) {
            Some(name) => {
                Err(IppError::NotFound(format!("The PPD file \"{name}\" could not be found.")))
            }
            None => Err(IppError::BadRequest("Missing printer-uri or ppd-name.".into())),
        }
    };
    match run() {
        Ok(text) => (response::ok(&req.message), Some(text)),
        Err(e) => (response::error(&req.message, &e), None),
    }
}

/// The PPD of a queue (GET /printers/NAME.ppd), generated from its attributes.
pub fn ppd(
    state: &Scheduler,
    name: &str,
    base: &crate::request::UriBase,
    now: i64,
) -> Option<String> {
    let p = state.printer(name)?;
    let all =
        quire_ipp::registry::expand_requested(&["all"], quire_ipp::registry::ObjectKind::Printer);
    let attrs = crate::attrs::printer_attributes(state, p, base, &all, now);
    Some(crate::ppd::generate_ppd(&p.name, &attrs))
}
