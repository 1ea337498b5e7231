//! TLS tests: certificate creation, direct TLS on the shared port, RFC 2817 upgrade,
//! and real clients (curl, ipptool) when they are installed.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Extension;
use axum::routing::post;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::tests::{header, post_echo, router, scratch_dir, tcp_cfg, Raw, Server};
use super::*;

/// Accepts any server certificate (the server's is self-signed), still checking signatures.
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn connector() -> TlsConnector {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

async fn tls_server(dir: &Path, router: axum::Router) -> Server {
    let tls = load_or_create_self_signed(dir, &["printhost.example".to_string()]).unwrap();
    Server::start(NetConfig { tls: Some(tls), ..tcp_cfg() }, router).await
}

#[test]
fn certificate_is_created_once_then_reused() {
    let dir = scratch_dir("cert");
    load_or_create_self_signed(&dir, &["printhost".into()]).unwrap();
    let cert = std::fs::read(dir.join("server.crt")).unwrap();
    let key = std::fs::read(dir.join("server.key")).unwrap();
    let mode = std::fs::metadata(dir.join("server.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    load_or_create_self_signed(&dir, &["printhost".into()]).unwrap();
    assert_eq!(std::fs::read(dir.join("server.crt")).unwrap(), cert);
    assert_eq!(std::fs::read(dir.join("server.key")).unwrap(), key);
    // A certificate without its key is an error, never silently replaced.
    std::fs::remove_file(dir.join("server.key")).unwrap();
    assert!(matches!(load_or_create_self_signed(&dir, &[]), Err(NetError::Cert { .. })));
    let (year, _, _) = super::tls::civil_today_for_tests();
    assert!(year >= 2025);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn direct_tls_on_the_shared_port() {
    let dir = scratch_dir("tls");
    let server = tls_server(&dir, router()).await;
    let tcp = TcpStream::connect(server.tcp()).await.unwrap();
    let tls = connector().connect(localhost(), tcp).await.unwrap();
    let mut c = Raw::new(tls);
    c.send(&post_echo("secret")).await;
    let (head, body) = c.response().await;
    assert_eq!(body, b"secret");
    assert_eq!(header(&head, "x-tls"), Some("true"));
    // Idle past PARK_AFTER (hyper dropped, TLS kept): the next request is served over TLS.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    c.send(&post_echo("later")).await;
    let (head, body) = c.response().await;
    assert_eq!(body, b"later");
    assert_eq!(header(&head, "x-tls"), Some("true"));
    // Plain HTTP still works on the same port.
    let mut plain = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    plain.send(&post_echo("open")).await;
    let (head, _) = plain.response().await;
    assert_eq!(header(&head, "x-tls"), Some("false"));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

const UPGRADE_OPTIONS: &[u8] = b"OPTIONS * HTTP/1.1\r\nHost: localhost:631\r\n\
    Connection: upgrade\r\nUpgrade: TLS/1.2,TLS/1.1,TLS/1.0\r\nUser-Agent: CUPS/2.4\r\n\r\n";

/// The libcups sequence: OPTIONS * with Upgrade, 101, handshake, the OPTIONS answer over
/// TLS, then the real request over TLS on the same connection.
#[tokio::test]
async fn rfc2817_upgrade_like_libcups() {
    let dir = scratch_dir("upgrade");
    let server = tls_server(&dir, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(UPGRADE_OPTIONS).await;
    let head = c.head().await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert_eq!(header(&head, "upgrade"), Some("TLS/1.2"));
    assert!(header(&head, "connection").is_some_and(|v| v.eq_ignore_ascii_case("upgrade")));
    let tls = connector().connect(localhost(), c.s).await.unwrap();
    let mut c = Raw::new(tls);
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "OPTIONS answered over TLS: {head}");
    assert!(body.is_empty());
    c.send(&post_echo("after upgrade")).await;
    let (head, body) = c.response().await;
    assert_eq!(body, b"after upgrade");
    assert_eq!(header(&head, "x-tls"), Some("true"));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn upgrade_is_ignored_without_tls_or_with_a_body() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(UPGRADE_OPTIONS).await;
    let (head, _) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "no TLS configured: {head}");
    server.stop().await;

    let dir = scratch_dir("upgrade-body");
    let server = tls_server(&dir, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.1\r\nHost: l\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2\r\nContent-Length: 4\r\n\r\nbody")
        .await;
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!((body.as_slice(), header(&head, "x-tls")), (&b"body"[..], Some("false")));
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn have(tool: &str) -> bool {
    std::process::Command::new("which")
        .arg(tool)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[tokio::test]
async fn curl_over_tls() {
    if !have("curl") {
        return eprintln!("curl not installed, skipped");
    }
    let dir = scratch_dir("curl");
    let server = tls_server(&dir, router()).await;
    let url = format!("https://127.0.0.1:{}/", server.tcp().port());
    let out =
        tokio::process::Command::new("curl").args(["-sSk", "--max-time", "10", &url]).output();
    let out = out.await.unwrap();
    assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, b"hello");
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// A minimal successful IPP response echoing version and request-id, enough for ipptool.
fn ipp_ok(request: &[u8]) -> Vec<u8> {
    let mut out = request.get(0..2).unwrap_or(&[1, 1]).to_vec();
    out.extend_from_slice(&[0x00, 0x00]);
    out.extend_from_slice(request.get(4..8).unwrap_or(&[0, 0, 0, 1]));
    out.push(0x01);
    for (tag, name, value) in
        [(0x47u8, "attributes-charset", "utf-8"), (0x48, "attributes-natural-language", "en")]
    {
        out.push(tag);
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out.push(0x03);
    out
}

/// `ipptool -E` drives the real libcups upgrade path end to end.
#[tokio::test]
async fn ipptool_upgrade_end_to_end() {
    if !have("ipptool") {
        return eprintln!("ipptool not installed, skipped");
    }
    let dir = scratch_dir("ipptool");
    let saw_tls = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&saw_tls);
    let ipp = axum::Router::new().route(
        "/ipp/print",
        post(move |Extension(info): Extension<ConnInfo>, body: Bytes| async move {
            flag.store(info.tls, Ordering::Relaxed);
            ([("content-type", "application/ipp")], ipp_ok(&body))
        }),
    );
    let server = tls_server(&dir, ipp).await;
    let test = dir.join("get.test");
    std::fs::write(
        &test,
        "{ OPERATION Get-Printer-Attributes\n GROUP operation-attributes-tag\n \
         ATTR charset attributes-charset utf-8\n ATTR naturalLanguage attributes-natural-language en\n \
         ATTR uri printer-uri $uri\n STATUS successful-ok\n}\n",
    )
    .unwrap();
    let uri = format!("ipp://127.0.0.1:{}/ipp/print", server.tcp().port());
    let run = tokio::process::Command::new("ipptool")
        .args(["-E", "-t", "-T", "10", &uri])
        .arg(&test)
        .env("HOME", &dir) // keep libcups' trust-on-first-use store out of the real home
        .output();
    let out = tokio::time::timeout(Duration::from_secs(30), run).await.unwrap().unwrap();
    let log =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "ipptool -E failed:\n{log}");
    assert!(saw_tls.load(Ordering::Relaxed), "request did not arrive over TLS:\n{log}");
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
