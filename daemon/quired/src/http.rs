//! HTTP routes: IPP POSTs (attributes decoded incrementally, documents streamed to the
//! spool), PPDs, and a status page.

use crate::command::{Command, Encoded};
use crate::logs::access_log::{client_host, AccessEntry, CountingBody, IppExchange};
use crate::net::{ConnInfo, LocalEnd};
use crate::requester::Accounts;
use crate::spool_stream::{spool_document, SpoolResult};
use axum::body::Body;
use axum::extract::{Extension, Request as HttpRequest, State};
use axum::http::{header, HeaderMap, Method, StatusCode as HttpStatus};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use http_body_util::BodyExt;
use quire_core::dispatch::Admission;
use quire_core::operation::{DocumentUse, Facts};
use quire_core::ops::{Handler, Reservation, Row};
use quire_core::{Request, UriBase};
use quire_ipp::{DecodeError, Limits, Message, MessageDecoder, Operation, StatusCode};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

pub struct App {
    pub tx: mpsc::UnboundedSender<Command>,
    pub cache: Arc<crate::cache::ResponseCache>,
    pub spool: quire_store::Spool,
    pub accounts: crate::live::Live<Accounts>,
    pub limits: Limits,
    pub auth: Arc<crate::auth::Authenticator>,
    /// cupsd's `<Location>` rules (replaced on SIGHUP).
    pub access: crate::live::Live<quire_core::model::AccessRules>,
    /// Keys for confidential jobs' documents.
    pub keyring: Arc<quire_vault::Keyring>,
    /// PIN hashing for confidential jobs, rate-limited per client.
    pub pins: crate::pin::Pins,
    /// Which document URIs Print-URI/Send-URI may name.
    pub pull: crate::live::Live<crate::fetch::PullPolicy>,
    /// Page counts of submitted PDFs, taken by filter workers (as `User`).
    pub pages: Arc<quire_backends::PageCounter>,
    /// The spool's free space, measured here for the scheduler (which does no I/O).
    pub spool_gauge: crate::spool_gauge::SpoolGauge,
    /// The configuration files `/admin/conf/cupsd.conf` reads and replaces.
    pub conf_files: Option<crate::admin_conf::ConfFiles>,
    /// CUPS's logs: each request gets its access_log line here.
    pub logs: Arc<crate::logs::Logs>,
    /// CacheDir: `/rss/NAME` is served from its `rss/` (the rss: notifier's feeds).
    pub cache_dir: std::path::PathBuf,
    /// Who runs CUPS backends and with which directories (lpinfo -v runs them too).
    pub launch: Arc<quire_backends::Launch>,
}

pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(route).with_state(app)
}

/// Answers a request and writes its access_log line (the body is counted as it is read).
async fn route(
    State(app): State<Arc<App>>,
    conn: Option<Extension<ConnInfo>>,
    req: HttpRequest,
) -> Response {
    let started = std::time::SystemTime::now();
    let method = req.method().clone();
    let resource = req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string();
    let version =
        if req.version() == axum::http::Version::HTTP_10 { "HTTP/1.0" } else { "HTTP/1.1" };
    let peer = conn.as_ref().and_then(|Extension(c)| match &c.peer {
        crate::net::Peer::Tcp(a) => Some(a.ip()),
        crate::net::Peer::Unix { .. } => None,
    });
    let (parts, body) = req.into_parts();
    let (body, read) = CountingBody::wrap(body);
    let mut user = None;
    let response =
        respond(app.clone(), conn, HttpRequest::from_parts(parts, body), &mut user).await;
    let exchange = response.extensions().get::<IppExchange>().copied().unwrap_or_default();
    let bytes = match method {
        Method::GET => axum::body::HttpBody::size_hint(response.body()).exact().unwrap_or(0),
        Method::HEAD => 0,
        _ => read.load(std::sync::atomic::Ordering::Relaxed),
    };
    app.logs.request(&AccessEntry {
        host: client_host(peer),
        user,
        started,
        method: method.to_string(),
        resource,
        version,
        status: response.status().as_u16(),
        bytes,
        operation: exchange.operation,
        ipp_status: exchange.status,
    });
    response
}

/// The answer to a request; `user` is set to who proved a password for it.
async fn respond(
    app: Arc<App>,
    conn: Option<Extension<ConnInfo>>,
    req: HttpRequest,
    user: &mut Option<String>,
) -> Response {
    let Some(Extension(conn)) = conn else {
        return (HttpStatus::INTERNAL_SERVER_ERROR, "no connection info").into_response();
    };
    let base = uri_base(req.headers(), &conn);
    // One spelling per path, so none escapes its <Location> (`//`, `%xx`, `.`; `..` refused).
    let path = match quire_config::canonical_resource(req.uri().path()) {
        Ok(p) => p,
        Err(e) => return bad_path(e),
    };
    let must_upgrade = must_upgrade(&app, &conn);
    let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let proof = match authorization {
        // Sent in the clear from another host: not checked, neither accepted nor counted.
        Some(h) if must_upgrade => {
            let user = crate::auth::parse_basic(h).map(|(u, _)| u).unwrap_or_default();
            let from = client_text(&conn);
            app.auth.audit().record("plaintext-credentials", &user, &from, "not checked: a remote client must use TLS to send a password (DefaultEncryption Required)");
            crate::auth::Proof::None
        }
        Some(h) => app.auth.check(Some(h), client_id(&conn)).await,
        None => crate::auth::Proof::None,
    };
    match &proof {
        crate::auth::Proof::User(name) => *user = Some(name.clone()),
        crate::auth::Proof::Failed(_) => return unauthorized(),
        crate::auth::Proof::Locked(msg) => {
            return (HttpStatus::FORBIDDEN, format!("{msg}\n")).into_response()
        }
        _ => {}
    }
    let response = match *req.method() {
        Method::POST => {
            let is_ipp = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/ipp"));
            if !is_ipp {
                return (HttpStatus::BAD_REQUEST, "Only application/ipp is accepted here.")
                    .into_response();
            }
            ipp(app, conn, base, path, proof, req.into_body()).await
        }
        Method::GET | Method::HEAD => {
            let who = app.accounts.get().requester(&conn, &Message::new((2, 0), 0, 1), &proof);
            if let Some(denied) = location_denied(&app, &path, "GET", &who) {
                return denied;
            }
            if path == crate::admin_conf::RESOURCE {
                return admin_only(&who)
                    .unwrap_or_else(|| crate::admin_conf::get(app.conf_files.as_ref()));
            }
            if let Some(name) = path.strip_prefix("/rss/") {
                return rss_feed(&app, name).await;
            }
            get(app, base, &path, who).await
        }
        Method::PUT => put_conf(&app, &conn, &path, &proof, req.into_body()).await,
        _ => HttpStatus::METHOD_NOT_ALLOWED.into_response(),
    };
    // cupsd's cupsdSendError: under DefaultEncryption Required a remote plain-HTTP client is
    // never invited to send a password; it is told to upgrade to TLS.
    if must_upgrade && response.status() == HttpStatus::UNAUTHORIZED {
        return upgrade_required();
    }
    response
}

/// `/rss/NAME`: a feed the rss: notifier writes (CacheDir/rss/NAME), as cupsd serves it.
async fn rss_feed(app: &App, name: &str) -> Response {
    let Some(file) = crate::notify::rss_file(&app.cache_dir, name) else {
        return HttpStatus::NOT_FOUND.into_response();
    };
    match tokio::fs::read(&file).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/rss+xml")], bytes).into_response(),
        Err(_) => HttpStatus::NOT_FOUND.into_response(),
    }
}

/// cupsctl's PUT of `/admin/conf/cupsd.conf` (the only resource cupsd takes a PUT for).
async fn put_conf(
    app: &App,
    conn: &ConnInfo,
    path: &str,
    proof: &crate::auth::Proof,
    body: Body,
) -> Response {
    if path != crate::admin_conf::RESOURCE {
        return HttpStatus::FORBIDDEN.into_response();
    }
    let who = app.accounts.get().requester(conn, &Message::new((2, 0), 0, 1), proof);
    if let Some(denied) = location_denied(app, path, "PUT", &who) {
        return denied;
    }
    if let Some(refused) = admin_only(&who) {
        return refused;
    }
    let Some(conf) = app.conf_files.clone() else {
        return crate::admin_conf::get(None);
    };
    let limited = http_body_util::Limited::new(body, crate::admin_conf::MAX_BYTES);
    let Ok(collected) = limited.collect().await else {
        return HttpStatus::PAYLOAD_TOO_LARGE.into_response();
    };
    let bytes = collected.to_bytes();
    let c = conf.clone();
    let done = tokio::task::spawn_blocking(move || crate::admin_conf::put(&c, &bytes)).await;
    let result = done.unwrap_or_else(|e| Err(std::io::Error::other(e)));
    crate::admin_conf::answer(result, &conf)
}

/// `None` for a proven administrator; else 401 (nothing proven yet) or 403.
fn admin_only(who: &quire_core::Requester) -> Option<Response> {
    match (who.admin, who.authenticated) {
        (true, _) => None,
        (false, false) => Some(unauthorized()),
        (false, true) => Some(HttpStatus::FORBIDDEN.into_response()),
    }
}

/// A remote client on plain HTTP under `DefaultEncryption Required` (cupsd's default).
fn must_upgrade(app: &App, conn: &ConnInfo) -> bool {
    let remote = matches!(&conn.peer, crate::net::Peer::Tcp(a) if !a.ip().is_loopback());
    let required = app.access.get().default_encryption == quire_config::Encryption::Required;
    remote && !conn.tls && required
}

/// Who the login guard counts failures against: the address of a remote client; for a local
/// one the uid owning its socket (Unix peer credentials, or the owner of a loopback TCP
/// socket), so one local user cannot lock the others out.
fn client_id(conn: &ConnInfo) -> crate::guard::ClientId {
    match (crate::requester::local_uid(conn), &conn.peer) {
        (Some(uid), _) => crate::guard::ClientId::Local(format!("uid={uid}")),
        (None, crate::net::Peer::Tcp(a)) => crate::guard::ClientId::Ip(a.ip()),
        // Unreachable: a Unix peer always has a uid.
        (None, crate::net::Peer::Unix { uid, .. }) => {
            crate::guard::ClientId::Local(format!("uid={uid}"))
        }
    }
}

fn client_text(conn: &ConnInfo) -> String {
    match &conn.peer {
        crate::net::Peer::Tcp(a) => a.ip().to_string(),
        crate::net::Peer::Unix { uid, .. } => format!("uid={uid}"),
    }
}

fn unauthorized() -> Response {
    (HttpStatus::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"CUPS\"")], "")
        .into_response()
}

/// 426 as cupsd sends it: the TLS versions to upgrade to, and the connection closed (libcups
/// reconnects and upgrades, RFC 2817).
fn upgrade_required() -> Response {
    let headers = [(header::UPGRADE, "TLS/1.2,TLS/1.1,TLS/1.0"), (header::CONNECTION, "close")];
    (
        HttpStatus::UPGRADE_REQUIRED,
        headers,
        "Encryption is required: use TLS (ipps://, or Upgrade: TLS).\n",
    )
        .into_response()
}

/// A request path no `<Location>` can be matched against: 403 for `..` (as cupsd), else 400.
fn bad_path(e: quire_config::ResourceError) -> Response {
    let status = match e {
        quire_config::ResourceError::DotDot => HttpStatus::FORBIDDEN,
        _ => HttpStatus::BAD_REQUEST,
    };
    (status, format!("Bad request path: {e}.\n")).into_response()
}

/// cupsd's `<Location>` check for an HTTP resource.
fn location_denied(
    app: &App,
    path: &str,
    method: &str,
    who: &quire_core::Requester,
) -> Option<Response> {
    use quire_core::policy::Decision;
    let rules = app.access.get();
    match quire_core::policy::check_location(&rules, path, method, who) {
        Decision::Allow => None,
        Decision::Unauthenticated(why) => {
            app.auth.audit().record(
                "denied",
                &who.user,
                &who.host,
                &format!("{why} (authentication required)"),
            );
            Some(unauthorized())
        }
        Decision::Forbidden(why) => {
            app.auth.audit().record("denied", &who.user, &who.host, &why);
            Some((HttpStatus::FORBIDDEN, format!("{why}\n")).into_response())
        }
        Decision::UpgradeRequired(why) => {
            app.auth.audit().record(
                "denied",
                &who.user,
                &who.host,
                &format!("{why} (TLS required)"),
            );
            Some(upgrade_required())
        }
    }
}

/// The URI base clients should see: the Host they used, else the address they reached.
fn uri_base(headers: &HeaderMap, conn: &ConnInfo) -> UriBase {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.is_ascii());
    // libcups sends the socket path as the Host of a domain-socket request; like cupsd,
    // such clients are told "localhost".
    let authority = match (&conn.local, host) {
        (LocalEnd::Unix(_), _) => "localhost".into(),
        (LocalEnd::Tcp(_), Some(h)) => h.to_string(),
        (LocalEnd::Tcp(addr), None) => addr.to_string(),
    };
    UriBase { scheme: if conn.tls { "ipps".into() } else { "ipp".into() }, authority }
}

fn ipp_response(msg: &Message) -> Response {
    encoded_response(msg.code, msg.encode())
}

/// An IPP answer (its status kept for the access log).
fn encoded_response(status: u16, body: impl Into<Body>) -> Response {
    let exchange = Extension(IppExchange { operation: None, status: Some(status) });
    if status == StatusCode::ClientErrorNotAuthenticated.code() {
        return (
            HttpStatus::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Basic realm=\"CUPS\"")],
            exchange,
            "",
        )
            .into_response();
    }
    ([(header::CONTENT_TYPE, "application/ipp")], exchange, body.into()).into_response()
}

/// A response to a request we could not decode: version and request-id from its header
/// when present.
fn decode_failure(head: &[u8], err: &DecodeError) -> Response {
    let (version, id) = match head {
        [a, b, _, _, i0, i1, i2, i3, ..] if matches!(*a, 1 | 2) => {
            ((*a, *b), i32::from_be_bytes([*i0, *i1, *i2, *i3]))
        }
        _ => ((2, 0), 0),
    };
    let status = match err {
        DecodeError::TooLarge { .. } => StatusCode::ClientErrorRequestEntityTooLarge,
        _ => StatusCode::ClientErrorBadRequest,
    };
    status_response(version, id, status, err.status_message())
}

/// An IPP response with only a status and a status-message, for a request we no longer hold.
fn status_response(
    version: (u8, u8),
    request_id: i32,
    status: StatusCode,
    message: String,
) -> Response {
    let mut resp = quire_core::response::response(&Message::new(version, 0, request_id), status);
    quire_core::response::set_status_message(&mut resp, message);
    ipp_response(&resp)
}

async fn ipp(
    app: Arc<App>,
    conn: ConnInfo,
    base: UriBase,
    path: String,
    proof: crate::auth::Proof,
    mut body: Body,
) -> Response {
    let decoded = match decode_attributes(&app, &mut body).await {
        Ok(decoded) => decoded,
        Err(failure) => return failure,
    };
    let operation = decoded.0.code;
    let mut response = ipp_decoded(app, conn, base, path, proof, decoded, body).await;
    let exchange = response.extensions().get::<IppExchange>().copied().unwrap_or_default();
    response.extensions_mut().insert(IppExchange { operation: Some(operation), ..exchange });
    response
}

/// An IPP request whose attributes were read (`rest`: document bytes that came with them).
async fn ipp_decoded(
    app: Arc<App>,
    conn: ConnInfo,
    base: UriBase,
    path: String,
    proof: crate::auth::Proof,
    (message, rest, after_attributes): (Message, Bytes, Option<u64>),
    body: Body,
) -> Response {
    let who = app.accounts.get().requester(&conn, &message, &proof);
    if let Some(denied) = location_denied(&app, &path, "POST", &who) {
        return denied;
    }
    let op = Operation::from_u16(message.code);
    let row = op.and_then(quire_core::ops::row);
    let mut request = Request::new(message, &path, base);
    request.declared_document_size = after_attributes;
    if let Some(refused) = pull_refused(&app, row, &request.message) {
        audit_request(&app, op, &who, refused.code);
        return ipp_response(&refused);
    }
    match row {
        Some(row) if matches!(row.handler, Handler::Ppd) => get_ppd(&app, request).await,
        Some(row) if row.facts.two_phases(&request.message) => {
            two_phases(&app, &conn, &row.facts, who, request, rest, body).await
        }
        _ => one_trip(&app, row, who, request).await,
    }
}

/// Reads the request's IPP attributes; the document data that follows stays in `body`
/// (`rest`: what of it came with the attributes). Also: the bytes the HTTP request declares
/// after its attributes (Content-Length less the attributes; None when chunked).
async fn decode_attributes(
    app: &App,
    body: &mut Body,
) -> Result<(Message, Bytes, Option<u64>), Response> {
    let mut decoder = MessageDecoder::new(app.limits);
    let mut head: Vec<u8> = Vec::with_capacity(8);
    let length = axum::body::HttpBody::size_hint(body).exact();
    let mut consumed: u64 = 0;
    loop {
        let data = match body.frame().await {
            None => return Err(decode_failure(&head, &decoder.finish())),
            Some(Err(_)) => {
                return Err((HttpStatus::PAYLOAD_TOO_LARGE, "request body error").into_response())
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(d) => d,
                Err(_) => continue,
            },
        };
        if head.len() < 8 {
            head.extend(data.iter().take(8 - head.len()));
        }
        match decoder.feed(&data) {
            Ok(Some((msg, used))) => {
                consumed += used as u64;
                return Ok((msg, data.slice(used..), length.map(|n| n.saturating_sub(consumed))));
            }
            Ok(None) => consumed += data.len() as u64,
            Err(e) => return Err(decode_failure(&head, &e)),
        }
    }
}

/// CUPS-Get-PPD: the response, then the PPD.
async fn get_ppd(app: &App, request: Request) -> Response {
    let (reply, rx) = oneshot::channel();
    let _ = app.tx.send(Command::GetPpd { request, reply });
    match rx.await {
        Ok((resp, ppd)) => {
            let exchange = Extension(IppExchange { operation: None, status: Some(resp.code) });
            let mut body = resp.encode();
            body.extend_from_slice(ppd.unwrap_or_default().as_bytes());
            ([(header::CONTENT_TYPE, "application/ipp")], exchange, body).into_response()
        }
        Err(_) => HttpStatus::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// A request the scheduler task answers in one trip (from the cache, when it may).
async fn one_trip(
    app: &App,
    row: Option<&Row>,
    who: quire_core::Requester,
    request: Request,
) -> Response {
    let op = row.map(|r| r.facts.op);
    let cache_key = row
        .filter(|r| r.facts.cacheable)
        .map(|_| crate::cache::key(&request.message, &request.resource, &request.base, &who));
    if let Some(body) = cache_key
        .as_ref()
        .and_then(|k| app.cache.get(k, request.message.request_id, crate::clock::now()))
    {
        return encoded_response(0, body);
    }
    let (reply, rx) = oneshot::channel::<Encoded>();
    let answer = Answer {
        op,
        version: request.message.version,
        request_id: request.message.request_id,
        spooled: None,
        pin_release: None,
    };
    measure_spool(app, op);
    let _ = app.tx.send(Command::Ipp { request, who: who.clone(), cache_key, reply });
    finish(app, &who, answer, rx).await
}

/// A request the daemon works on between the core's two phases: phase one's checks
/// (`dispatch::admit`), then the work they let through (a PIN hashed, the document spooled
/// (encrypted for a confidential job, cut at its room), a device queried), then phase two.
async fn two_phases(
    app: &App,
    conn: &ConnInfo,
    facts: &Facts,
    who: quire_core::Requester,
    mut request: Request,
    rest: Bytes,
    body: Body,
) -> Response {
    let (reply, rx) = oneshot::channel();
    measure_spool(app, Some(facts.op));
    let _ = app.tx.send(Command::Admit { request: request.clone(), who: who.clone(), reply });
    let admitted = match rx.await {
        Ok(Ok(a)) => a,
        Ok(Err(resp)) => {
            // A refused Print-Job or Send-Document is not audited (as before: an upload refused
            // before its body is read).
            if facts.document != DocumentUse::Spooled {
                audit_request(app, Some(facts.op), &who, resp.code);
            }
            return ipp_response(&resp);
        }
        Err(_) => return HttpStatus::SERVICE_UNAVAILABLE.into_response(),
    };
    if let Err(refused) =
        app.pins.work(app.auth.audit(), &admitted.work, &who, &client_id(conn), &mut request).await
    {
        audit_request(app, Some(facts.op), &who, refused.code);
        return ipp_response(&refused);
    }
    // Discards a staged (in-memory) document if this request is dropped before the
    // scheduler gets it, e.g. because the client went away.
    let mut staged_guard: Option<StagedGuard> = None;
    if let Some(slot) = admitted.document.clone() {
        if let Err(refused) = spool(app, slot, &mut request, rest, body, &mut staged_guard).await {
            // Cut at its room: audited, as the refusals before it.
            if refused.code == StatusCode::ClientErrorRequestEntityTooLarge.code() {
                audit_request(app, Some(facts.op), &who, refused.code);
            }
            return ipp_response(&refused);
        }
    }
    let queue_device = admitted.queue_device_uri.as_deref();
    crate::device_query::fill(&mut request, facts.fetch, queue_device, &app.launch).await;
    let pin_release = match &admitted.work {
        Admission::CheckPin { job_id, .. } if who.method != quire_core::AuthMethod::Password => {
            Some(*job_id)
        }
        _ => None,
    };
    let (reply, rx) = oneshot::channel::<Encoded>();
    let answer = Answer {
        op: Some(facts.op),
        version: request.message.version,
        request_id: request.message.request_id,
        spooled: request.document.clone(),
        pin_release,
    };
    // The document now takes its room: the disk limit is checked against a new measurement.
    measure_spool(app, Some(facts.op));
    let _ = app.tx.send(Command::Complete {
        admitted: Box::new(admitted),
        request,
        who: who.clone(),
        reply,
    });
    // From here the scheduler owns the staged document (it discards what no job takes).
    if let Some(g) = staged_guard.as_mut() {
        g.name.clear();
    }
    finish(app, &who, answer, rx).await
}

/// Sends the scheduler the spool's free space first if `op` needs a new measurement of it.
fn measure_spool(app: &App, op: Option<Operation>) {
    let need = crate::spool_gauge::SpoolUse::of(op);
    if let Some(space) = app.spool_gauge.reading(need) {
        let _ = app.tx.send(Command::Spool(space));
    }
}

/// Spools the request's document where phase one reserved its place; `Err`: the answer to
/// send instead (nothing was kept).
async fn spool(
    app: &App,
    slot: Reservation,
    request: &mut Request,
    rest: Bytes,
    body: Body,
    staged: &mut Option<StagedGuard>,
) -> Result<(), Message> {
    let fail = |request: &Request, err: quire_core::IppError| {
        quire_core::response::error(&request.message, &err)
    };
    match spool_document(&app.spool, &app.keyring, &app.pages, slot, &request.message, rest, body)
        .await
    {
        SpoolResult::Document(doc, sealed) => {
            request.sealed_key = sealed;
            *staged = Some(StagedGuard { spool: app.spool.clone(), name: doc.file.clone() });
            request.document = Some(doc);
            Ok(())
        }
        SpoolResult::Empty => Ok(()),
        SpoolResult::Failed(msg) => Err(fail(request, quire_core::IppError::Internal(msg))),
        SpoolResult::Rejected(msg) => {
            Err(fail(request, quire_core::IppError::DocumentFormatError(msg)))
        }
        SpoolResult::TooLarge(msg) => Err(fail(request, quire_core::IppError::TooLarge(msg))),
    }
}

/// What the connection needs to answer once the scheduler task has.
struct Answer {
    op: Option<Operation>,
    version: (u8, u8),
    request_id: i32,
    /// The document spooled for the request (removed if the request failed).
    spooled: Option<quire_core::Document>,
    /// Set when a PIN was checked for a release: the audit log names the PIN holder.
    pin_release: Option<i32>,
}

/// Waits for the scheduler task's answer and for its changes to be durable, audits it, and
/// answers the client.
async fn finish(
    app: &App,
    who: &quire_core::Requester,
    a: Answer,
    rx: oneshot::Receiver<Encoded>,
) -> Response {
    let Ok(Encoded { status, body, durable }) = rx.await else {
        return HttpStatus::SERVICE_UNAVAILABLE.into_response();
    };
    // A change that could not be saved is not confirmed: the client hears it failed.
    let saved = match durable.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e),
        Err(_) => Err("the job store is gone".to_string()),
    };
    if let Err(e) = saved {
        tracing::error!("request not saved: {e}");
        audit_request(app, a.op, who, StatusCode::ServerErrorInternalError.code());
        return status_response(
            a.version,
            a.request_id,
            StatusCode::ServerErrorInternalError,
            format!("The server could not save the change: {e}."),
        );
    }
    let ok = StatusCode::from_u16(status).is_some_and(StatusCode::is_success);
    match a.pin_release {
        Some(job_id) => audit_line(
            app,
            a.op,
            &crate::pin::holder(job_id, &who.user),
            "job-password",
            &who.host,
            status,
        ),
        None => audit_request(app, a.op, who, status),
    }
    if let (false, Some(doc)) = (ok, a.spooled) {
        let _ = std::fs::remove_file(app.spool.path(std::path::Path::new(&doc.file)));
    }
    encoded_response(status, body.into_body(&app.cache))
}

/// Print-URI/Send-URI: a `document-uri` the server may not fetch (scheme, host, form) is
/// refused at submission, before a job exists; it is fetched only when the job prints.
fn pull_refused(app: &App, row: Option<&Row>, msg: &Message) -> Option<Message> {
    let pull = app.pull.get();
    if !row.is_some_and(|r| r.facts.document == DocumentUse::Fetched) || pull.schemes.is_empty() {
        return None;
    }
    let uri = msg.operation_attr("document-uri").and_then(|a| a.first_str())?;
    let e = pull.check(uri).err()?;
    let err = match e.ipp_status() {
        StatusCode::ClientErrorUriSchemeNotSupported => {
            quire_core::IppError::UriSchemeNotSupported(format!("{e}."))
        }
        StatusCode::ClientErrorBadRequest => {
            quire_core::IppError::BadRequest(format!("Bad document-uri: {e}."))
        }
        _ => quire_core::IppError::DocumentAccessError(format!("{e}.")),
    };
    Some(quire_core::response::error(msg, &err))
}

struct StagedGuard {
    spool: quire_store::Spool,
    name: String,
}

impl Drop for StagedGuard {
    fn drop(&mut self) {
        if !self.name.is_empty() {
            self.spool.take_staged(&self.name);
        }
    }
}

async fn get(app: Arc<App>, base: UriBase, path: &str, who: quire_core::Requester) -> Response {
    if let Some(name) = path.strip_prefix("/printers/").and_then(|p| p.strip_suffix(".ppd")) {
        let (reply, rx) = oneshot::channel();
        let _ = app.tx.send(Command::Ppd { name: name.to_string(), base, reply });
        return match rx.await {
            Ok(Some(ppd)) => {
                ([(header::CONTENT_TYPE, "application/vnd.cups-ppd")], ppd).into_response()
            }
            _ => (HttpStatus::NOT_FOUND, "Not Found").into_response(),
        };
    }
    if path == "/"
        || path == "/printers"
        || path == "/printers/"
        || path == "/jobs"
        || path == "/jobs/"
    {
        let (reply, rx) = oneshot::channel();
        let _ = app.tx.send(Command::Summary { who, reply });
        if let Ok(summary) = rx.await {
            return (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                crate::page::status(&summary),
            )
                .into_response();
        }
    }
    (HttpStatus::NOT_FOUND, Bytes::from_static(b"Not Found")).into_response()
}

/// Every operation that changes something, and every refusal, goes to the audit log.
fn audit_request(app: &App, op: Option<Operation>, who: &quire_core::Requester, status: u16) {
    let read_only = op.and_then(quire_core::ops::facts).is_some_and(|f| !f.audited);
    let refused = matches!(
        StatusCode::from_u16(status),
        Some(
            StatusCode::ClientErrorNotAuthenticated
                | StatusCode::ClientErrorForbidden
                | StatusCode::ClientErrorNotAuthorized
        )
    );
    if read_only && !refused {
        return;
    }
    let method = match who.method {
        quire_core::AuthMethod::None => "claimed",
        quire_core::AuthMethod::PeerCred => "peer-credentials",
        quire_core::AuthMethod::Password => "password",
    };
    audit_line(app, op, &who.user, method, &who.host, status);
}

/// One audit line for an operation: who (as proven `by`), from where, and its status.
fn audit_line(app: &App, op: Option<Operation>, user: &str, by: &str, host: &str, status: u16) {
    let status_name = StatusCode::from_u16(status)
        .map_or_else(|| format!("0x{status:04x}"), |s| s.name().to_string());
    let refused = matches!(
        StatusCode::from_u16(status),
        Some(
            StatusCode::ClientErrorNotAuthenticated
                | StatusCode::ClientErrorForbidden
                | StatusCode::ClientErrorNotAuthorized
        )
    );
    let op_name = op.map_or("unknown-operation", Operation::name);
    let what = if refused { "denied" } else { "allowed" };
    app.auth.audit().record(what, user, host, &format!("{op_name} by {by}: {status_name}"));
}
