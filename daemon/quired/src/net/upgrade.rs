//! RFC 2817 `Upgrade: TLS` as libcups does it.
//!
//! libcups (`http_tls_upgrade`) sends `OPTIONS * HTTP/1.1` with `Connection: upgrade` and
//! `Upgrade: TLS/1.2,TLS/1.1,TLS/1.0`. On `101 Switching Protocols` it starts TLS right after
//! the blank line of the 101, then keeps reading responses *over TLS* until it gets a final
//! one: the answer to the OPTIONS request itself (RFC 2817 section 3.3, and what cupsd does).
//! Only then does it re-send its real request over TLS. So after the handshake we replay the
//! parsed request head into a fresh HTTP connection on the TLS stream; the `OPTIONS *`
//! answer must have an empty body, or libcups would read it as the next response.
//!
//! libcups also adds the Upgrade headers to any request it sends while the link is not yet
//! encrypted. We only upgrade body-less requests: a body would be sent in plaintext right
//! behind the head, where the ClientHello should be. Such requests are served in plaintext
//! with the Upgrade header ignored, which RFC 2817 allows.

use axum::body::Body;
use bytes::{BufMut, Bytes, BytesMut};
use http::header::{CONNECTION, CONTENT_LENGTH, UPGRADE};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, Version};

/// What the 101 answers with, matching cupsd.
const UPGRADE_TOKEN: &str = "TLS/1.2";
/// Methods cupsd lists for `OPTIONS`.
const ALLOW: &str = "GET, HEAD, OPTIONS, POST, PUT";

/// True if the request asks to switch this connection to TLS and we can do it in place.
pub(crate) fn wants_tls_upgrade<B: hyper::body::Body>(req: &Request<B>) -> bool {
    req.version() == Version::HTTP_11
        && header_has_token(req, &CONNECTION, |t| t.eq_ignore_ascii_case("upgrade"))
        && header_has_token(req, &UPGRADE, |t| t.len() >= 4 && t[..4].eq_ignore_ascii_case("TLS/"))
        && req.body().is_end_stream()
}

fn header_has_token<B>(req: &Request<B>, name: &HeaderName, pred: impl Fn(&str) -> bool) -> bool {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| pred(t.trim()))
}

pub(crate) fn is_options_star<B>(req: &Request<B>) -> bool {
    req.method() == Method::OPTIONS && req.uri() == "*"
}

/// The request head to replay over TLS: same method, target and headers, minus the
/// hop-by-hop upgrade headers (so the replay is not upgraded again).
pub(crate) fn replay_head<B>(req: &Request<B>) -> Bytes {
    let mut out = BytesMut::with_capacity(512);
    out.put_slice(req.method().as_str().as_bytes());
    out.put_u8(b' ');
    out.put_slice(req.uri().to_string().as_bytes());
    out.put_slice(b" HTTP/1.1\r\n");
    for (name, value) in req.headers() {
        if name == CONNECTION || name == UPGRADE || name == "keep-alive" {
            continue;
        }
        out.put_slice(name.as_str().as_bytes());
        out.put_slice(b": ");
        out.put_slice(value.as_bytes());
        out.put_slice(b"\r\n");
    }
    out.put_slice(b"\r\n");
    out.freeze()
}

pub(crate) fn switching_protocols() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = resp.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static(UPGRADE_TOKEN));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    resp
}

/// cupsd's answer to `OPTIONS`: 200, `Allow`, and an explicitly empty body.
pub(crate) fn options_response() -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    let headers = resp.headers_mut();
    headers.insert(http::header::ALLOW, HeaderValue::from_static(ALLOW));
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    resp
}
