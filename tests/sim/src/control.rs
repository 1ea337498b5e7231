//! The control listener: `POST /control` (form-encoded fault or repair), `GET /status`
//! (JSON) and `GET /log` (the page log).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::attrs;
use crate::engine::Shared;
use crate::json::{self, Object};
use crate::state::{Fault, State};

/// Largest control request body read.
const FORM_MAX: usize = 64 << 10;

pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(&shared, req).await) }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static(content_type));
    resp
}

async fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    match (req.method(), path.as_str()) {
        (&Method::GET, "/status") => {
            respond(StatusCode::OK, "application/json", status_json(&shared.lock()) + "\n")
        }
        (&Method::GET, "/log") => page_log(shared).await,
        (&Method::POST, "/control") => {
            let body = match Limited::new(req.into_body(), FORM_MAX).collect().await {
                Ok(b) => b.to_bytes(),
                Err(e) => {
                    return respond(
                        StatusCode::BAD_REQUEST,
                        "text/plain",
                        format!("bad body: {e}\n"),
                    )
                }
            };
            match apply(shared, &String::from_utf8_lossy(&body)) {
                Ok(()) => {
                    respond(StatusCode::OK, "application/json", status_json(&shared.lock()) + "\n")
                }
                Err(e) => respond(StatusCode::BAD_REQUEST, "text/plain", format!("{e}\n")),
            }
        }
        _ => {
            respond(StatusCode::NOT_FOUND, "text/plain", "POST /control, GET /status or GET /log\n")
        }
    }
}

async fn page_log(shared: &Shared) -> Response<Full<Bytes>> {
    let path = shared.lock().opts.page_log.clone();
    let Some(path) = path else {
        return respond(StatusCode::NOT_FOUND, "text/plain", "no --page-log\n");
    };
    match tokio::fs::read(&path).await {
        Ok(data) => respond(StatusCode::OK, "application/x-ndjson", data),
        Err(e) => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain",
            format!("{}: {e}\n", path.display()),
        ),
    }
}

/// Decodes `application/x-www-form-urlencoded` into name/value pairs.
pub fn parse_form(body: &str) -> Vec<(String, String)> {
    body.trim()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            std::str::from_utf8(bytes.get(i + 1..i + 3)?)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if hex().is_some() => {
                out.extend(hex());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The fault or repair a control form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Inject(Fault),
    Repair,
}

pub fn parse_action(form: &[(String, String)]) -> Result<Action, String> {
    let get = |key: &str| form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    if get("repair").is_some() {
        return Ok(Action::Repair);
    }
    let pages = || {
        let v = get("pages").or_else(|| get("after")).ok_or("this fault needs pages=N")?;
        v.trim().parse::<u32>().map_err(|_| format!("bad page count {v:?}"))
    };
    let fault = match get("fault").ok_or("expected fault=... or repair=1")? {
        "media-empty-after" | "media-empty" => Fault::MediaEmptyAfter(pages()?),
        "jam-after" | "jam" => Fault::JamAfter(pages()?),
        "offline" => Fault::Offline,
        "refuse-connections" => Fault::RefuseConnections,
        other => return Err(format!("unknown fault {other:?}")),
    };
    Ok(Action::Inject(fault))
}

fn apply(shared: &Shared, body: &str) -> Result<(), String> {
    let action = parse_action(&parse_form(body))?;
    {
        let mut st = shared.lock();
        match action {
            Action::Inject(f) => st.inject(f),
            Action::Repair => st.repair(),
        }
    }
    eprintln!("quire-sim: control: {action:?}");
    shared.changed();
    Ok(())
}

/// The printer's state as one JSON object.
pub fn status_json(st: &State) -> String {
    let f = &st.faults;
    let opt = |v: Option<u32>| v.map_or_else(|| "null".to_string(), |n| n.to_string());
    let faults = Object::new()
        .raw("media-empty-after", opt(f.media_left))
        .raw("jam-after", opt(f.jam_left))
        .raw("media-empty", f.media_empty)
        .raw("jammed", f.jammed)
        .raw("offline", f.offline)
        .raw("refuse-connections", f.refuse_connections)
        .finish();
    let jobs: Vec<String> = st
        .jobs
        .iter()
        .map(|j| {
            Object::new()
                .raw("id", j.id)
                .str("name", &j.name)
                .str("user", &j.user)
                .str("state", j.state.keyword())
                .raw("reasons", json::strings(attrs::job_state_reasons(st, j)))
                .raw("documents", j.docs.len())
                .raw("copies", j.copies)
                .raw("printed", j.printed)
                .raw("impressions", j.impressions())
                .finish()
        })
        .collect();
    Object::new()
        .str("name", &st.opts.name)
        .str("uri", &st.printer_uri())
        .str("state", st.printer_state().keyword())
        .raw("reasons", json::strings(st.printer_state_reasons()))
        .str("message", st.printer_state_message())
        .raw("faults", faults)
        .raw("printed", st.total_impressions)
        .raw("jobs", format!("[{}]", jobs.join(",")))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(s: &str) -> Result<Action, String> {
        parse_action(&parse_form(s))
    }

    #[test]
    fn parses_faults_and_repair() {
        assert_eq!(
            form("fault=media-empty-after&pages=5"),
            Ok(Action::Inject(Fault::MediaEmptyAfter(5)))
        );
        assert_eq!(form("fault=jam-after&pages=3\n"), Ok(Action::Inject(Fault::JamAfter(3))));
        assert_eq!(form("fault=offline"), Ok(Action::Inject(Fault::Offline)));
        assert_eq!(
            form("fault=refuse%2Dconnections"),
            Ok(Action::Inject(Fault::RefuseConnections))
        );
        assert_eq!(form("repair=1"), Ok(Action::Repair));
        assert!(form("fault=jam-after").is_err());
        assert!(form("fault=jam-after&pages=x").is_err());
        assert!(form("fault=fire").is_err());
        assert!(form("").is_err());
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a+b%20c%zz%4"), "a b c%zz%4");
    }
}
