//! The IPP listener (HTTP/1.1 via hyper) and start-up.
//!
//! The listener can really be closed (refuse-connections): the accept loop drops the
//! listening socket and every open connection, and binds the same port again (SO_REUSEADDR)
//! on repair.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use quire_ipp::{DecodeError, Limits, MessageDecoder, StatusCode as IppStatus};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

use crate::cli::{Keep, Options};
use crate::doc::{self, DocError};
use crate::engine::{self, Shared};
use crate::ipp::{self, IppError, Prepared, Upload};
use crate::spool::Received;
use crate::state::State;

pub type Body = Full<Bytes>;

/// Most document data read (and dropped) after a refused request.
const DRAIN_MAX: usize = 64 << 20;

/// A 1x1 grey PNG, for printer-icons.
const ICON: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// Binds a listening socket with SO_REUSEADDR, so a port closed by refuse-connections (or a
/// previous run) can be bound again at once.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Runs the simulator until Ctrl-C or SIGTERM.
pub async fn run(opts: Options) -> io::Result<()> {
    if let Keep::Dir(dir) = &opts.keep {
        std::fs::create_dir_all(dir).map_err(|e| annotate(e, &dir.display().to_string()))?;
    }
    let listener =
        bind(opts.listen).map_err(|e| annotate(e, &format!("listen {}", opts.listen)))?;
    let addr = listener.local_addr()?;
    let control = match opts.control {
        Some(c) => Some(bind(c).map_err(|e| annotate(e, &format!("control {c}")))?),
        None => None,
    };
    let control_addr = match &control {
        Some(l) => l.local_addr()?.to_string(),
        None => "off".into(),
    };
    let shared = Shared::new(State::new(opts, addr)?);
    tokio::spawn(engine::run(Arc::clone(&shared)));
    tokio::spawn(accept_loop(Arc::clone(&shared), listener, addr));
    if let Some(l) = control {
        tokio::spawn(crate::control::serve(Arc::clone(&shared), l));
    }
    eprintln!("quire-sim: listening on {addr} (control {control_addr})");
    shutdown_signal().await;
    eprintln!("quire-sim: exiting");
    Ok(())
}

fn annotate(e: io::Error, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending::<()>().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// Accepts IPP connections while connections are not refused.
async fn accept_loop(shared: Arc<Shared>, first: TcpListener, addr: SocketAddr) {
    let mut refuse = shared.refuse.subscribe();
    let mut listener = Some(first);
    loop {
        let refusing = *refuse.borrow_and_update();
        if refusing {
            listener = None;
        } else if listener.is_none() {
            match bind(addr) {
                Ok(l) => listener = Some(l),
                Err(e) => {
                    eprintln!("quire-sim: cannot listen on {addr} again: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            }
        }
        let Some(l) = &listener else {
            if refuse.changed().await.is_err() {
                return;
            }
            continue;
        };
        tokio::select! {
            accepted = l.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(connection(Arc::clone(&shared), stream, refuse.clone()));
                }
                // Out of descriptors and the like: back off rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            changed = refuse.changed() => if changed.is_err() { return },
        }
    }
}

/// Serves one connection until it ends or connections start being refused.
async fn connection(shared: Arc<Shared>, stream: TcpStream, mut refuse: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(handle(shared, req).await) }
    });
    let conn =
        http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        _ = refuse.wait_for(|r| *r) => {}
    }
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(text)));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/plain"));
    resp
}

fn ipp_response(msg: &quire_ipp::Message) -> Response<Body> {
    let mut resp = Response::new(Full::new(Bytes::from(msg.encode())));
    let ct = hyper::header::HeaderValue::from_static("application/ipp");
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, ct);
    resp
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Response<Body> {
    match *req.method() {
        Method::POST => ipp_response(&ipp_post(shared, req.into_body()).await),
        Method::GET if req.uri().path() == "/icon.png" => {
            let mut resp = Response::new(Full::new(Bytes::from_static(ICON)));
            resp.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("image/png"),
            );
            resp
        }
        Method::GET | Method::HEAD => {
            let st = shared.lock();
            plain(StatusCode::OK, format!("{}: {}\n", st.opts.name, st.printer_state_message()))
        }
        _ => plain(StatusCode::METHOD_NOT_ALLOWED, "POST IPP requests here.\n".into()),
    }
}

/// Reads the IPP message at the start of `body` incrementally, then answers it; a
/// Print-Job or Send-Document goes on to read its document.
pub async fn ipp_post(shared: Arc<Shared>, mut body: Incoming) -> quire_ipp::Message {
    let mut decoder = MessageDecoder::new(Limits::default());
    let mut header = Vec::with_capacity(8);
    let (msg, rest) = loop {
        let data = match body.frame().await {
            None => return decode_error(&header, &decoder.finish()),
            Some(Err(e)) => {
                let e =
                    IppError::new(IppStatus::ClientErrorBadRequest, format!("Bad HTTP body: {e}."));
                return answer_error(&header, &e);
            }
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
        };
        let n = (8 - header.len().min(8)).min(data.len());
        header.extend_from_slice(&data[..n]);
        match decoder.feed(&data) {
            Ok(None) => {}
            Ok(Some((msg, used))) => break (msg, data.slice(used.min(data.len())..)),
            Err(e) => return decode_error(&header, &e),
        }
    };
    match ipp::prepare(&shared, &msg) {
        Prepared::Answer(answer) => {
            // Reading the IPP message already let a 100-continue client send everything.
            drain_body(&mut body).await;
            answer
        }
        Prepared::Upload(up) => upload(shared, up, rest, body).await,
    }
}

/// Reads and drops what is left of a refused request's body, so the client (still sending)
/// gets to read the answer; past [`DRAIN_MAX`] the connection is closed instead.
async fn drain_body(body: &mut Incoming) {
    let mut total = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        total += frame.data_ref().map_or(0, Bytes::len);
        if total > DRAIN_MAX {
            return;
        }
    }
}

fn decode_error(header: &[u8], e: &DecodeError) -> quire_ipp::Message {
    let status = match e {
        DecodeError::TooLarge { .. } => IppStatus::ClientErrorRequestEntityTooLarge,
        _ => IppStatus::ClientErrorBadRequest,
    };
    answer_error(header, &IppError::new(status, e.status_message()))
}

/// An error answer to a request whose first (up to 8) bytes are `header`: its version and
/// request-id are echoed when they arrived.
fn answer_error(header: &[u8], e: &IppError) -> quire_ipp::Message {
    let version = (header.first().copied().unwrap_or(2), header.get(1).copied().unwrap_or(0));
    let id = header.get(4..8).map_or(0, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    ipp::error_response(version, id, e)
}

/// Aborts the upload's job if the request is dropped before its document was read.
struct UploadGuard {
    shared: Arc<Shared>,
    up: Option<Upload>,
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        if let Some(up) = self.up.take() {
            ipp::upload_failed(&self.shared, &up, "the connection was closed");
        }
    }
}

async fn upload(
    shared: Arc<Shared>,
    up: Upload,
    first: Bytes,
    mut body: Incoming,
) -> quire_ipp::Message {
    let mut guard = UploadGuard { shared: Arc::clone(&shared), up: Some(up.clone()) };
    let keep = shared.lock().opts.keep.clone();
    let dir = match &keep {
        Keep::Dir(d) => Some(d.as_path()),
        Keep::Discard => None,
    };
    let received = Received::read(first, &mut body, dir).await;
    guard.up = None;
    let mut received = match received {
        Ok(r) => r,
        Err(e) => {
            ipp::upload_failed(&shared, &up, &e.to_string());
            let e = IppError::new(
                IppStatus::ClientErrorBadRequest,
                format!("Cannot read the document: {e}."),
            );
            return ipp::error_response(up.version, up.request_id, &e);
        }
    };
    // The document is all here: finish in a task of its own, so the job is printed even if
    // the connection goes away before the answer is sent.
    let task = tokio::spawn(async move {
        let format = doc::sniff(&up.format, &received.head);
        let (fmt, job, number) = (format.clone(), up.job, up.document);
        let analysed = tokio::task::spawn_blocking(move || {
            let analysis = received.analyse(&fmt);
            let len = received.len;
            if let Err(e) = received.keep(&keep, job, number, &fmt) {
                eprintln!("quire-sim: keeping job {job} document {number}: {e}");
            }
            (len, analysis)
        })
        .await;
        let (len, analysis) = analysed
            .unwrap_or_else(|_| (0, Err(DocError::Unreadable("the page counter crashed".into()))));
        ipp::upload_done(&shared, &up, len, &format, analysis)
    });
    task.await.unwrap_or_else(|_| {
        let e = IppError::new(
            IppStatus::ServerErrorInternalError,
            "The document could not be processed.",
        );
        ipp::error_response((2, 0), 0, &e)
    })
}
