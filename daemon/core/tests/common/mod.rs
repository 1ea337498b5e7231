//! Shared helpers for the quire-core integration tests: a scheduler with printers made
//! through CUPS-Add-Modify-Printer, a request builder, and response/effect accessors.
#![allow(dead_code)]

use quire_core::{
    handle, schedule, AuthMethod, Document, Effect, Job, JobResult, Outcome, Printer, Request,
    Requester, Scheduler, Settings, UriBase,
};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, StatusCode, Value};

/// 2023-11-14 22:13:20 UTC.
pub const NOW: i64 = 1_700_000_000;
pub const HOST: &str = "localhost:631";

// ---- values ----------------------------------------------------------------------------

pub fn kw(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Keyword(v.into()))
}
pub fn kws(name: &str, vs: &[&str]) -> Attribute {
    Attribute::set(name, vs.iter().map(|v| Value::Keyword(v.to_string())).collect())
}
pub fn nm(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Name(v.into()))
}
pub fn txt(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Text(v.into()))
}
pub fn int(name: &str, v: i32) -> Attribute {
    Attribute::new(name, Value::Integer(v))
}
pub fn ints(name: &str, vs: &[i32]) -> Attribute {
    Attribute::set(name, vs.iter().map(|v| Value::Integer(*v)).collect())
}
pub fn en(name: &str, v: i32) -> Attribute {
    Attribute::new(name, Value::Enum(v))
}
pub fn boolean(name: &str, v: bool) -> Attribute {
    Attribute::new(name, Value::Boolean(v))
}
pub fn uri(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::Uri(v.into()))
}
pub fn mime(name: &str, v: &str) -> Attribute {
    Attribute::new(name, Value::MimeMediaType(v.into()))
}

pub fn printer_uri(name: &str) -> String {
    format!("ipp://{HOST}/printers/{name}")
}
pub fn class_uri(name: &str) -> String {
    format!("ipp://{HOST}/classes/{name}")
}
pub fn job_uri(id: i32) -> String {
    format!("ipp://{HOST}/jobs/{id}")
}

// ---- requesters -----------------------------------------------------------------------

pub fn admin() -> Requester {
    Requester {
        user: "root".into(),
        authenticated: true,
        admin: true,
        host: "localhost".into(),
        method: AuthMethod::PeerCred,
        ..Default::default()
    }
}
/// An authenticated, non-admin user.
pub fn user(name: &str) -> Requester {
    Requester {
        user: name.into(),
        authenticated: true,
        admin: false,
        host: "client.example".into(),
        method: AuthMethod::Password,
        ..Default::default()
    }
}
/// A user known only by requesting-user-name.
pub fn anon(name: &str) -> Requester {
    Requester {
        user: name.into(),
        authenticated: false,
        admin: false,
        host: "client.example".into(),
        ..Default::default()
    }
}

pub fn doc() -> Document {
    doc_sized(2048)
}
pub fn doc_sized(size: u64) -> Document {
    Document {
        number: 1,
        format: "application/pdf".into(),
        name: "report.pdf".into(),
        size,
        file: "d00000-001".into(),
        compression: None,
        pages: None,
        uri: None,
    }
}

// ---- request builder ------------------------------------------------------------------

/// A request: operation attributes start with charset and language.
#[derive(Clone)]
pub struct Req {
    pub msg: Message,
    pub document: Option<Document>,
    pub resource: String,
}

impl Req {
    pub fn new(op: Operation) -> Self {
        Self::code(op.code())
    }
    pub fn code(code: u16) -> Self {
        let mut msg = Message::new((2, 0), code, 42);
        let mut g = Group::new(DelimiterTag::Operation);
        g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
        g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
        msg.push_group(g);
        Req { msg, document: None, resource: "/".into() }
    }
    pub fn id(mut self, id: i32) -> Self {
        self.msg.request_id = id;
        self
    }
    pub fn version(mut self, v: (u8, u8)) -> Self {
        self.msg.version = v;
        self
    }
    pub fn op(mut self, a: Attribute) -> Self {
        self.msg.group_mut(DelimiterTag::Operation).push(a);
        self
    }
    pub fn printer(self, name: &str) -> Self {
        self.op(uri("printer-uri", &printer_uri(name)))
    }
    pub fn class(self, name: &str) -> Self {
        self.op(uri("printer-uri", &class_uri(name)))
    }
    pub fn job(self, id: i32) -> Self {
        self.op(uri("job-uri", &job_uri(id)))
    }
    pub fn user(self, name: &str) -> Self {
        self.op(nm("requesting-user-name", name))
    }
    pub fn requested(self, names: &[&str]) -> Self {
        self.op(kws("requested-attributes", names))
    }
    /// Adds to the (single) group of this tag, creating it.
    pub fn attr(mut self, tag: DelimiterTag, a: Attribute) -> Self {
        self.msg.group_mut(tag).push(a);
        self
    }
    pub fn job_attr(self, a: Attribute) -> Self {
        self.attr(DelimiterTag::Job, a)
    }
    pub fn printer_attr(self, a: Attribute) -> Self {
        self.attr(DelimiterTag::Printer, a)
    }
    /// Appends a new group (e.g. one subscription template each).
    pub fn group(mut self, tag: DelimiterTag, attrs: Vec<Attribute>) -> Self {
        self.msg.push_group(Group { tag, attributes: attrs });
        self
    }
    pub fn doc(mut self, d: Document) -> Self {
        self.document = Some(d);
        self
    }
    pub fn request(&self) -> Request {
        let mut r = Request::new(
            self.msg.clone(),
            &self.resource,
            UriBase { scheme: "ipp".into(), authority: HOST.into() },
        );
        r.document = self.document.clone();
        r
    }
}

// ---- the world ------------------------------------------------------------------------

pub struct World {
    pub s: Scheduler,
    pub now: i64,
}

impl World {
    pub fn new() -> Self {
        Self::with(Settings { start_time: NOW - 3600, ..Settings::default() })
    }
    pub fn with(settings: Settings) -> Self {
        World { s: Scheduler::new(settings), now: NOW }
    }
    /// A world with idle, accepting printers of these names.
    pub fn with_printers(names: &[&str]) -> Self {
        let mut w = Self::new();
        for n in names {
            w.add_printer(n);
        }
        w
    }

    /// The outcome with its groups decoded (a list answer carries its groups encoded).
    pub fn send(&mut self, req: Req, who: &Requester) -> Outcome {
        let mut out = handle(&mut self.s, &req.request(), who, self.now);
        if !out.response.encoded_groups.is_empty() {
            let bytes = out.response.encode();
            out.response = quire_ipp::decode(&bytes).expect("the response decodes").0;
        }
        out
    }
    pub fn send_ok(&mut self, req: Req, who: &Requester) -> Outcome {
        let out = self.send(req, who);
        assert_status(&out, StatusCode::SuccessfulOk);
        out
    }

    /// CUPS-Add-Modify-Printer as lpadmin -p NAME -v file:///dev/null -E sends it.
    pub fn add_printer(&mut self, name: &str) -> Outcome {
        let req = Req::new(Operation::CupsAddModifyPrinter)
            .printer(name)
            .user("root")
            .printer_attr(uri("device-uri", "file:///dev/null"))
            .printer_attr(boolean("printer-is-accepting-jobs", true))
            .printer_attr(en("printer-state", 3));
        self.send_ok(req, &admin())
    }
    pub fn add_class(&mut self, name: &str, members: &[&str]) -> Outcome {
        let uris = members.iter().map(|m| Value::Uri(printer_uri(m))).collect();
        let req = Req::new(Operation::CupsAddModifyClass)
            .class(name)
            .user("root")
            .printer_attr(Attribute::set("member-uris", uris))
            .printer_attr(boolean("printer-is-accepting-jobs", true))
            .printer_attr(en("printer-state", 3));
        self.send_ok(req, &admin())
    }

    pub fn print_req(queue: &str, who: &str) -> Req {
        Req::new(Operation::PrintJob)
            .printer(queue)
            .user(who)
            .op(nm("job-name", "test"))
            .op(mime("document-format", "application/pdf"))
            .doc(doc())
    }
    /// Print-Job to `queue` as `who`; asserts success and returns the job id.
    pub fn print(&mut self, queue: &str, who: &Requester) -> i32 {
        self.print_with(queue, who, &[])
    }
    pub fn print_with(&mut self, queue: &str, who: &Requester, job_attrs: &[Attribute]) -> i32 {
        let mut req = Self::print_req(queue, &who.user);
        for a in job_attrs {
            req = req.job_attr(a.clone());
        }
        let out = self.send_ok(req, who);
        job_id_of(&out.response)
    }
    pub fn create_job(&mut self, queue: &str, who: &Requester, job_attrs: &[Attribute]) -> i32 {
        let mut req = Req::new(Operation::CreateJob)
            .printer(queue)
            .user(&who.user)
            .op(nm("job-name", "multi"));
        for a in job_attrs {
            req = req.job_attr(a.clone());
        }
        let out = self.send_ok(req, who);
        job_id_of(&out.response)
    }
    pub fn send_document(
        &mut self,
        id: i32,
        who: &Requester,
        last: bool,
        d: Option<Document>,
    ) -> Outcome {
        let mut req = Req::new(Operation::SendDocument)
            .job(id)
            .user(&who.user)
            .op(boolean("last-document", last));
        req.document = d;
        self.send(req, who)
    }
    /// A simple job operation (Cancel-Job, Hold-Job, ...) on job `id`.
    pub fn job_op(&mut self, op: Operation, id: i32, who: &Requester) -> Outcome {
        self.send(Req::new(op).job(id).user(&who.user), who)
    }
    /// A simple printer operation (Pause-Printer, ...) on queue `name`.
    pub fn printer_op(&mut self, op: Operation, name: &str, who: &Requester) -> Outcome {
        self.send(Req::new(op).printer(name).user(&who.user), who)
    }

    pub fn finish(&mut self, id: i32) -> Vec<Effect> {
        self.report(id, JobResult::Completed)
    }
    /// The backend of the job's current run ends with `result`.
    pub fn report(&mut self, id: i32, result: JobResult) -> Vec<Effect> {
        let run = self.s.jobs.get(&id).map_or(0, |j| j.run);
        schedule::job_finished(&mut self.s, id, run, result, self.now)
    }
    pub fn fire(&mut self, at: i64) -> Vec<Effect> {
        self.now = at;
        schedule::fire(&mut self.s, at)
    }

    pub fn job(&self, id: i32) -> &Job {
        self.s.jobs.get(&id).unwrap_or_else(|| panic!("job {id} does not exist"))
    }
    pub fn printer(&self, name: &str) -> &Printer {
        self.s.printer(name).unwrap_or_else(|| panic!("printer {name} does not exist"))
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

// ---- responses ------------------------------------------------------------------------

pub fn status(msg: &Message) -> StatusCode {
    StatusCode::from_u16(msg.code).unwrap_or_else(|| panic!("unknown status {:#06x}", msg.code))
}

#[track_caller]
pub fn assert_status(out: &Outcome, expected: StatusCode) {
    let got = status(&out.response);
    assert_eq!(
        got,
        expected,
        "status {} (message: {:?})",
        got.name(),
        status_message(&out.response)
    );
}

/// Error checks common to every failed request: status, status-message, request-id,
/// charset/language first, no effects.
#[track_caller]
pub fn assert_error(out: &Outcome, req_id: i32, expected: StatusCode) {
    assert_status(out, expected);
    assert_eq!(out.response.request_id, req_id, "request-id echoed");
    assert!(
        status_message(&out.response).is_some_and(|m| !m.is_empty()),
        "error response has a status-message"
    );
    let op = &out.response.groups[0];
    assert_eq!(op.tag, DelimiterTag::Operation);
    assert_eq!(op.attributes[0].name, "attributes-charset");
    assert_eq!(op.attributes[1].name, "attributes-natural-language");
    assert!(out.effects.is_empty(), "a failed request has no effects: {:?}", out.effects);
}

pub fn status_message(msg: &Message) -> Option<String> {
    msg.operation_attr("status-message").and_then(|a| a.first_str()).map(str::to_string)
}

pub fn groups(msg: &Message, tag: DelimiterTag) -> Vec<&Group> {
    msg.groups.iter().filter(|g| g.tag == tag).collect()
}

pub fn job_id_of(msg: &Message) -> i32 {
    msg.attr(DelimiterTag::Job, "job-id").and_then(|a| a.first_i32()).expect("job-id in response")
}

/// Values of `name` in the first group of `tag`.
pub fn values<'a>(msg: &'a Message, tag: DelimiterTag, name: &str) -> &'a [Value] {
    msg.attr(tag, name).map(|a| a.values.as_slice()).unwrap_or(&[])
}

pub fn strs(a: Option<&Attribute>) -> Vec<String> {
    a.map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default()
}

/// The job-id of every Job group.
pub fn job_ids(msg: &Message) -> Vec<i32> {
    groups(msg, DelimiterTag::Job)
        .iter()
        .filter_map(|g| g.get("job-id").and_then(|a| a.first_i32()))
        .collect()
}

// ---- effects --------------------------------------------------------------------------

pub fn starts(effects: &[Effect]) -> Vec<(i32, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartJob { job_id, printer, .. } => Some((*job_id, printer.clone())),
            _ => None,
        })
        .collect()
}
pub fn stops(effects: &[Effect]) -> Vec<i32> {
    effects
        .iter()
        .filter_map(|e| if let Effect::StopJob { job_id } = e { Some(*job_id) } else { None })
        .collect()
}
pub fn timers(effects: &[Effect]) -> Vec<i64> {
    effects
        .iter()
        .filter_map(|e| if let Effect::ArmTimer { at } = e { Some(*at) } else { None })
        .collect()
}
pub fn deleted(effects: &[Effect]) -> Vec<i32> {
    effects
        .iter()
        .flat_map(|e| match e {
            Effect::DeleteJob(id) => vec![*id],
            Effect::DeleteJobs(ids) => ids.clone(),
            _ => Vec::new(),
        })
        .collect()
}
pub fn persisted_jobs(effects: &[Effect]) -> Vec<i32> {
    effects
        .iter()
        .filter_map(|e| if let Effect::PersistJob(id) = e { Some(*id) } else { None })
        .collect()
}

// ---- printers with security facts -----------------------------------------------------

/// (name, authentication, encrypts, erases, pages per minute)
pub type Spec<'a> = (&'a str, &'a str, bool, bool, i32);

pub const FLEET: &[Spec<'_>] = &[
    ("secure", "id-card", true, true, 20),
    ("vault", "biometric", true, true, 20),
    ("office", "pin", false, false, 40),
    ("draft", "none", false, false, 120),
];

pub fn add_secured(w: &mut World, (name, auth, encrypts, erases, ppm): Spec<'_>) {
    w.add_printer(name);
    let req = Req::new(Operation::CupsAddModifyPrinter)
        .printer(name)
        .printer_attr(kw(quire_ipp::vendor::AUTHENTICATION_METHOD, auth))
        .printer_attr(boolean(quire_ipp::vendor::ENCRYPTS_JOB_DATA, encrypts))
        .printer_attr(boolean(quire_ipp::vendor::ERASES_STORAGE, erases));
    w.send_ok(req, &admin());
    if let Some(p) = w.s.printer_mut(name) {
        p.set_capability(int("pages-per-minute", ppm));
    }
}

pub fn fleet(specs: &[Spec<'_>]) -> World {
    let mut w = World::new();
    for s in specs {
        add_secured(&mut w, *s);
    }
    w
}

pub fn pdf(pages: u32) -> Document {
    Document { pages: Some(pages), ..doc() }
}

/// Print-Job of a `pages`-page PDF with these job attributes; the response.
pub fn submit(w: &mut World, queue: &str, pages: u32, attrs: &[Attribute]) -> quire_core::Outcome {
    let mut req = World::print_req(queue, "alice").doc(pdf(pages));
    for a in attrs {
        req = req.job_attr(a.clone());
    }
    w.send(req, &anon("alice"))
}

/// Reloads the scheduler from its records, as after kill -9.
pub fn reload(from: &Scheduler) -> Scheduler {
    let mut s = Scheduler::new(from.settings.clone());
    for (k, p) in &from.printers {
        s.printers.insert(
            k.clone(),
            quire_core::persist::printer_from_blob(&quire_core::persist::printer_to_blob(p))
                .expect("printer"),
        );
    }
    for (id, j) in &from.jobs {
        s.jobs.insert(
            *id,
            Box::new(
                quire_core::persist::job_from_blob(
                    &quire_core::persist::job_to_blob(j),
                    j.documents.clone(),
                )
                .expect("job"),
            ),
        );
    }
    s.next_job_id = from.next_job_id;
    s
}
