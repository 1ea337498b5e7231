//! Fetcher tests against small raw HTTP(S) servers on loopback (127.0.0.1, 127.0.0.2, [::1]).

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

use proptest::prelude::*;
use rustls::pki_types::PrivateKeyDer;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::*;

/// What the test server answers for a path.
#[derive(Clone)]
enum Reply {
    /// 200 with this body; `length` sends Content-Length, otherwise the body ends at close.
    Body {
        body: Arc<Vec<u8>>,
        length: bool,
    },
    Redirect(u16, String),
    Status(u16),
    /// Reads the request and never answers.
    StallHead,
    /// Sends the head and 10 of the 100 declared bytes, then nothing.
    StallBody,
    /// Sends the head, then one byte of the 1000 declared every so often.
    Trickle(Duration),
}

type Route = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    fn request(&self, i: usize) -> String {
        self.requests.lock().unwrap()[i].to_ascii_lowercase()
    }
}

async fn bind(ip: &str) -> Option<TcpListener> {
    match TcpListener::bind((ip, 0)).await {
        Ok(l) => Some(l),
        Err(e) => {
            eprintln!("skipping: cannot bind {ip}: {e}");
            None
        }
    }
}

fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    route: impl Fn(&str) -> Reply + Send + Sync + 'static,
) -> Server {
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&requests);
    let route: Route = Arc::new(route);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (route, log, tls) = (Arc::clone(&route), Arc::clone(&log), tls.clone());
            tokio::spawn(async move {
                match tls {
                    Some(acceptor) => {
                        if let Ok(stream) = acceptor.accept(tcp).await {
                            handle(stream, &route, &log).await;
                        }
                    }
                    None => handle(tcp, &route, &log).await,
                }
            });
        }
    });
    Server { addr, requests }
}

async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    route: &Route,
    log: &Mutex<Vec<String>>,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock().unwrap().push(head);
    let out = match route(&path) {
        Reply::Body { body, length } => {
            let len =
                if length { format!("Content-Length: {}\r\n", body.len()) } else { String::new() };
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n{len}Connection: close\r\n\r\n");
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(&body).await;
            let _ = s.shutdown().await;
            return;
        }
        Reply::Redirect(code, to) => {
            format!("HTTP/1.1 {code} Moved\r\nLocation: {to}\r\nContent-Length: 0\r\n\r\n")
        }
        Reply::Status(code) => format!("HTTP/1.1 {code} Nope\r\nContent-Length: 0\r\n\r\n"),
        Reply::StallHead => return std::future::pending().await,
        Reply::StallBody => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789").await;
            return std::future::pending().await;
        }
        Reply::Trickle(every) => {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n").await;
            for _ in 0..1000 {
                if s.write_all(b"x").await.is_err() || s.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
            return;
        }
    };
    let _ = s.write_all(out.as_bytes()).await;
    let _ = s.shutdown().await;
}

fn body(len: usize, length: bool) -> Reply {
    Reply::Body { body: Arc::new((0..len).map(|i| (i % 251) as u8).collect()), length }
}

/// A policy as cupsd.conf would give it (`PullHosts` words as written there).
fn policy(schemes: &[&str], hosts: &[&str]) -> PullPolicy {
    PullPolicy {
        schemes: schemes.iter().map(|s| s.to_string()).collect(),
        hosts: hosts.iter().map(|h| quire_config::values::parse_pull_host(h).unwrap()).collect(),
        ..Default::default()
    }
}

fn http_any() -> PullPolicy {
    policy(&["http", "https"], &[])
}

/// Fetches into memory, counting the sink calls.
async fn get(
    uri: &str,
    policy: &PullPolicy,
    opts: &FetchOptions,
) -> (Result<Fetched, FetchError>, Vec<u8>, usize) {
    let mut got = Vec::new();
    let mut calls = 0;
    let mut sink = |chunk: &[u8]| {
        got.extend_from_slice(chunk);
        calls += 1;
        Ok(())
    };
    let result = fetch_with(uri, policy, opts, &mut sink).await;
    (result, got, calls)
}

fn limit(max_bytes: u64) -> FetchOptions {
    FetchOptions { max_bytes, ..FetchOptions::default() }
}

#[tokio::test]
async fn streams_a_large_body_in_chunks() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |_| body(3 << 20, true));
    let (result, got, calls) = get(&server.url("/doc.pdf"), &http_any(), &limit(0)).await;
    let fetched = result.unwrap();
    assert_eq!(fetched.bytes, 3 << 20);
    assert_eq!(fetched.content_type.as_deref(), Some("application/pdf"));
    assert!(got.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8) && got.len() == 3 << 20);
    assert!(calls > 1, "one chunk for 3 MB: the body was buffered");
    let head = server.request(0);
    assert!(head.starts_with("get /doc.pdf http/1.1\r\n"), "{head}");
    assert!(
        head.contains(&format!("\r\nuser-agent: quire/{}\r\n", env!("CARGO_PKG_VERSION"))),
        "{head}"
    );
    assert!(head.contains(&format!("\r\nhost: {}\r\n", server.addr)), "{head}");
}

#[tokio::test]
async fn reads_a_body_delimited_by_close() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |_| body(70_000, false));
    let (result, got, _) = get(&server.url("/"), &http_any(), &limit(70_000)).await;
    assert_eq!(result.unwrap().bytes, 70_000);
    assert_eq!(got.len(), 70_000);
}

#[tokio::test]
async fn follows_redirects_on_the_same_host() {
    let listener = bind("127.0.0.1").await.unwrap();
    let me = listener.local_addr().unwrap();
    let server = serve(listener, None, move |path| match path {
        "/a/b" => Reply::Redirect(302, "/c/d".into()),
        "/c/d" => Reply::Redirect(301, "../e/./f?x=1#frag".into()),
        "/e/f?x=1" => Reply::Redirect(303, format!("http://{me}/g")),
        "/g" => Reply::Redirect(307, format!("//{me}/h")),
        "/h" => Reply::Redirect(308, "?q".into()),
        "/h?q" => body(10, true),
        _ => Reply::Status(404),
    });
    let (result, got, _) = get(&server.url("/a/b"), &policy(&["http"], &[]), &limit(0)).await;
    assert_eq!(result.unwrap().bytes, 10);
    assert_eq!(got.len(), 10);
    assert_eq!(server.hits(), 6);
}

/// 127.0.0.1 redirects to 127.0.0.2 (another host, also loopback on Linux).
async fn cross_host(hosts: &[&str]) -> (Result<Fetched, FetchError>, Server) {
    let other = serve(bind("127.0.0.2").await.unwrap(), None, |_| body(5, true));
    let to = other.url("/doc");
    let first =
        serve(bind("127.0.0.1").await.unwrap(), None, move |_| Reply::Redirect(302, to.clone()));
    let (result, _, _) = get(&first.url("/x"), &policy(&["http"], hosts), &limit(0)).await;
    (result, other)
}

#[tokio::test]
async fn refuses_a_redirect_to_another_host_when_no_hosts_are_listed() {
    let (result, other) = cross_host(&[]).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, FetchError::RedirectRefused { to, .. } if to.contains("127.0.0.2")),
        "{err:?}"
    );
    assert!(err.to_string().contains("original host"), "{err}");
    assert_eq!(other.hits(), 0);
}

#[tokio::test]
async fn refuses_a_redirect_to_a_host_not_listed() {
    let (result, other) = cross_host(&["127.0.0.1:*"]).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, FetchError::RedirectRefused { why, .. } if why.contains("127.0.0.2")),
        "{err:?}"
    );
    assert_eq!(err.ipp_status(), StatusCode::ClientErrorDocumentAccessError);
    assert_eq!(other.hits(), 0);
}

#[tokio::test]
async fn follows_a_redirect_to_a_listed_host() {
    let (result, other) = cross_host(&["127.0.0.1:*", "127.0.0.2:*"]).await;
    assert_eq!(result.unwrap().bytes, 5);
    assert_eq!(other.hits(), 1);
}

#[tokio::test]
async fn refuses_a_redirect_to_a_scheme_not_allowed() {
    let listener = bind("127.0.0.1").await.unwrap();
    let me = listener.local_addr().unwrap();
    let server = serve(listener, None, move |path| match path {
        "/ftp" => Reply::Redirect(302, "ftp://127.0.0.1/doc".into()),
        "/file" => Reply::Redirect(302, "file:///etc/passwd".into()),
        _ => Reply::Redirect(302, format!("https://{me}/doc")),
    });
    for path in ["/ftp", "/file", "/https"] {
        let (result, _, _) = get(&server.url(path), &policy(&["http"], &[]), &limit(0)).await;
        let err = result.unwrap_err();
        assert!(matches!(err, FetchError::RedirectRefused { .. }), "{path}: {err:?}");
        assert!(err.to_string().contains("scheme"), "{err}");
    }
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn stops_a_redirect_loop() {
    let server =
        serve(bind("127.0.0.1").await.unwrap(), None, |_| Reply::Redirect(302, "/loop".into()));
    let (result, _, _) = get(&server.url("/loop"), &http_any(), &limit(0)).await;
    assert!(matches!(result, Err(FetchError::TooManyRedirects { .. })), "{result:?}");
    assert_eq!(server.hits(), MAX_REDIRECTS + 1);
}

#[tokio::test]
async fn reports_http_errors() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |path| match path {
        "/missing" => Reply::Status(404),
        "/broken" => Reply::Status(500),
        _ => Reply::Status(302), // a redirect without Location
    });
    for (path, status) in [("/missing", 404), ("/broken", 500), ("/nowhere", 302)] {
        let (result, got, _) = get(&server.url(path), &http_any(), &limit(0)).await;
        let err = result.unwrap_err();
        assert!(matches!(&err, FetchError::Status { status: s, .. } if *s == status), "{err:?}");
        assert!(err.to_string().contains(&server.url(path)), "{err}");
        assert!(got.is_empty());
    }
}

#[tokio::test]
async fn enforces_the_size_limit() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |path| match path {
        "/declared" => body(1000, true),
        "/exact" => body(100, true),
        _ => body(200_000, false),
    });
    let (result, got, _) = get(&server.url("/declared"), &http_any(), &limit(999)).await;
    assert_eq!(
        result.unwrap_err(),
        FetchError::TooLarge { uri: server.url("/declared"), limit: 999 }
    );
    assert!(got.is_empty());

    let (result, got, _) = get(&server.url("/streamed"), &http_any(), &limit(50_000)).await;
    let err = result.unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { limit: 50_000, .. }), "{err:?}");
    assert_eq!(err.ipp_status(), StatusCode::ClientErrorRequestEntityTooLarge);
    assert!(got.len() <= 50_000, "sink got {}", got.len());

    let (result, _, _) = get(&server.url("/exact"), &http_any(), &limit(100)).await;
    assert_eq!(result.unwrap().bytes, 100);
}

#[tokio::test]
async fn times_out_on_a_stalled_server() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |path| match path {
        "/head" => Reply::StallHead,
        _ => Reply::StallBody,
    });
    let opts = FetchOptions { idle_timeout: Duration::from_millis(300), ..FetchOptions::default() };
    for (path, received) in [("/head", 0), ("/body", 10)] {
        let start = Instant::now();
        let (result, got, _) = get(&server.url(path), &http_any(), &opts).await;
        assert!(matches!(result, Err(FetchError::Timeout { .. })), "{path}: {result:?}");
        assert_eq!(got.len(), received);
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[tokio::test]
async fn sink_errors_are_local() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |_| body(10, true));
    let mut sink = |_: &[u8]| Err(std::io::Error::other("disk full"));
    let err = fetch_with(&server.url("/"), &http_any(), &limit(0), &mut sink).await.unwrap_err();
    assert!(matches!(&err, FetchError::Sink(m) if m.contains("disk full")), "{err:?}");
    assert_eq!(err.ipp_status(), StatusCode::ServerErrorInternalError);
}

#[tokio::test]
async fn reports_a_refused_connection_naming_the_host() {
    let port = bind("127.0.0.1").await.unwrap().local_addr().unwrap().port(); // closed again
    let (result, _, _) = get(&format!("http://127.0.0.1:{port}/x"), &http_any(), &limit(0)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, FetchError::Io(m) if m.contains(&format!("127.0.0.1:{port}"))),
        "{err:?}"
    );
}

#[tokio::test]
async fn fetches_from_an_ipv6_literal() {
    let Some(listener) = bind("::1").await else { return };
    let server = serve(listener, None, |_| body(42, true));
    let url = server.url("/doc");
    assert!(url.starts_with("http://[::1]:"), "{url}");
    let (result, _, _) = get(&url, &policy(&["http"], &["[::1]:*"]), &limit(0)).await;
    assert_eq!(result.unwrap().bytes, 42);
    assert!(server.request(0).contains(&format!("\r\nhost: {}\r\n", server.addr)));
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
fn test_pki() -> (CertificateDer<'static>, TlsAcceptor) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Quire test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca = ca.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    (ca.der().clone(), TlsAcceptor::from(Arc::new(config)))
}

#[tokio::test]
async fn fetches_over_https_trusting_only_known_roots() {
    let (ca, acceptor) = test_pki();
    let listener = bind("127.0.0.1").await.unwrap();
    let me = listener.local_addr().unwrap();
    let server = serve(listener, Some(acceptor), move |path| match path {
        "/down" => Reply::Redirect(302, format!("http://{me}/doc")),
        _ => body(100_000, true),
    });
    let url = format!("https://{}/doc", server.addr);
    let trusted = FetchOptions { extra_roots: vec![ca], ..FetchOptions::default() };
    let (result, got, _) = get(&url, &http_any(), &trusted).await;
    assert_eq!(result.unwrap().bytes, 100_000);
    assert_eq!(got.len(), 100_000);

    let (result, _, _) = get(&url, &http_any(), &limit(0)).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, FetchError::Io(m) if m.contains("TLS") && m.contains("127.0.0.1")),
        "{err:?}"
    );

    let (result, _, _) = get(&format!("https://{}/down", server.addr), &http_any(), &trusted).await;
    let err = result.unwrap_err();
    assert!(
        matches!(&err, FetchError::RedirectRefused { why, .. } if why.contains("downgrade")),
        "{err:?}"
    );
}

#[test]
fn the_fetch_future_is_send() {
    fn assert_send<T: Send>(_: T) {}
    let policy = http_any();
    let mut sink = |_: &[u8]| Ok(());
    assert_send(fetch_with("http://127.0.0.1/", &policy, &limit(0), &mut sink));
}

#[test]
fn check_refuses_bad_uris() {
    let p = policy(&["http", "https", "ftp", "file"], &[]);
    for bad in [
        "",
        "http",
        "http:",
        "http://",
        "http:///x",
        "http:/x",
        "/etc/passwd",
        "127.0.0.1:80",
        "://x",
        "http://a b/",
        "http://us:pw@host/",
    ] {
        let Err(err) = p.check(bad) else { panic!("{bad:?} accepted") };
        assert!(matches!(err, FetchError::BadUri(_)), "{bad:?}: {err:?}");
        assert_eq!(err.ipp_status(), StatusCode::ClientErrorBadRequest);
    }
    for unsupported in
        ["file:///etc/passwd", "ftp://host/doc", "gopher://host/", "ipp://host/", "data:,hello"]
    {
        let err = p.check(unsupported).unwrap_err();
        assert!(
            matches!(&err, FetchError::SchemeNotAllowed(m) if m.contains("not supported")),
            "{unsupported}: {err:?}"
        );
        assert_eq!(err.ipp_status(), StatusCode::ClientErrorUriSchemeNotSupported);
    }
    let err = policy(&["http"], &[]).check("https://host/doc").unwrap_err();
    assert!(matches!(&err, FetchError::SchemeNotAllowed(m) if m.contains("\"https\"")), "{err:?}");
    let err = policy(&[], &[]).check("http://host/doc").unwrap_err();
    assert!(matches!(err, FetchError::SchemeNotAllowed(_)), "{err:?}");
}

/// Runs `fetch` to its end, or fails the test if it has not ended after a minute (a hang).
async fn ends<T>(fetch: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fetch).await.expect("the fetch hangs")
}

#[tokio::test]
async fn a_trickle_is_cut_off_at_the_minimum_rate() {
    // One byte every 100 ms never trips the idle timeout; 100 bytes/s over 1 s is not met.
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |_| {
        Reply::Trickle(Duration::from_millis(100))
    });
    let rate = MinRate { bytes_per_second: 100, window: Duration::from_secs(1) };
    let opts = FetchOptions {
        min_rate: Some(rate),
        idle_timeout: Duration::from_secs(20),
        ..FetchOptions::default()
    };
    let (result, got, _) = ends(get(&server.url("/slow"), &http_any(), &opts)).await;
    let err = result.unwrap_err();
    assert!(matches!(&err, FetchError::TooSlow { got: n, .. } if *n < 100), "{err:?}");
    assert!(got.len() < 1000, "cut off before the end: {}", got.len());
    assert_eq!(err.ipp_status(), StatusCode::ClientErrorDocumentAccessError);
    assert_eq!(err.job_state_reason(), "document-access-error");
    assert!(
        err.to_string().contains("PullMinRate") && err.to_string().contains("100 bytes per second"),
        "{err}"
    );
    // The same trickle at a rate it meets comes through whole.
    let fast = serve(bind("127.0.0.1").await.unwrap(), None, |_| {
        Reply::Trickle(Duration::from_micros(200))
    });
    let (result, got, _) = ends(get(&fast.url("/ok"), &http_any(), &opts)).await;
    assert_eq!(result.map(|f| f.bytes), Ok(1000));
    assert_eq!(got.len(), 1000);
}

#[tokio::test]
async fn a_cancelled_job_stops_its_fetch() {
    let server = serve(bind("127.0.0.1").await.unwrap(), None, |_| {
        Reply::Trickle(Duration::from_millis(50))
    });
    let cancel = quire_backends::Cancel::default();
    let opts = FetchOptions { cancel: Some(cancel.clone()), ..FetchOptions::default() };
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    let (result, got, _) = ends(get(&server.url("/slow"), &http_any(), &opts)).await;
    assert_eq!(result, Err(FetchError::Canceled));
    assert!(got.len() < 1000);
    stopper.await.unwrap();
}

#[tokio::test]
async fn never_fetches_from_its_own_listeners() {
    let me = serve(bind("127.0.0.1").await.unwrap(), None, |_| body(5, true));
    let port = me.addr.port();
    let mut p =
        policy(&["http"], &["127.0.0.1:*", "127.0.0.5:*", "localhost:*", "[::ffff:127.0.0.1]:*"]);
    p.own = vec![me.addr];
    for uri in [
        format!("http://127.0.0.1:{port}/printers/"),
        format!("http://localhost:{port}/"),
        format!("http://127.0.0.5:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
    ] {
        let err = p.check(&uri).unwrap_err();
        assert!(
            matches!(&err, FetchError::HostNotAllowed(m) if m.contains("this print server")),
            "{uri}: {err:?}"
        );
        assert_eq!(err.ipp_status(), StatusCode::ClientErrorDocumentAccessError);
    }
    // Listening on every address, with any host allowed: each address of this host is this
    // server.
    let any =
        PullPolicy { own: vec![SocketAddr::from(([0, 0, 0, 0], port))], ..policy(&["http"], &[]) };
    for ip in local_addresses().into_iter().filter(IpAddr::is_ipv4) {
        let err = any.check(&format!("http://{ip}:{port}/")).unwrap_err();
        assert!(err.to_string().contains("this print server"), "{ip}: {err}");
    }
    assert_eq!(any.check(&format!("http://192.0.2.1:{port}/")), Ok(()), "another host's port");
    // A name only known once connected: refused before any request is sent.
    assert!(p.is_own_peer(me.addr, SocketAddr::from(([127, 0, 0, 1], 40000))));
    p.own = vec![SocketAddr::from(([127, 0, 0, 1], port.wrapping_add(1).max(1)))];
    assert_eq!(
        p.check(&format!("http://127.0.0.1:{port}/")),
        Ok(()),
        "another port is not this server"
    );
    let (result, _, _) = ends(get(&me.url("/"), &p, &limit(0))).await;
    assert_eq!(result.map(|f| f.bytes), Ok(5));
    assert_eq!(me.hits(), 1, "only the fetch that was allowed reached it");
}

#[test]
fn check_matches_hosts_by_normalised_name() {
    let p = policy(
        &["http", "https"],
        &["print.example.com", "print.example.com:8443", "[::1]:*", "[2001:db8::1]", "10.0.0.1"],
    );
    for ok in [
        "http://print.example.com/doc.pdf",
        "https://print.example.com/doc.pdf",
        "HTTPS://Print.Example.COM.:8443/d?x=1",
        "http://[::1]:8080/doc",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[2001:DB8:0::1]/",
        "http://10.0.0.1",
        "http://10.0.0.1:80/",
    ] {
        assert_eq!(p.check(ok), Ok(()), "{ok}");
    }
    for (bad, host) in [
        ("http://evil.example.com/", "evil.example.com"),
        ("http://10.0.0.2/", "10.0.0.2"),
        // A host alone is its scheme's default port only.
        ("http://10.0.0.1:8080/", "10.0.0.1:8080"),
        ("http://10.0.0.1:443/", "10.0.0.1:443"),
        ("https://[2001:db8::1]:8443/", "[2001:db8::1]:8443"),
        ("http://print.example.com:9100/", "print.example.com:9100"),
    ] {
        let err = p.check(bad).unwrap_err();
        assert!(matches!(&err, FetchError::HostNotAllowed(m) if m.contains(host)), "{err:?}");
        assert_eq!(err.ipp_status(), StatusCode::ClientErrorDocumentAccessError);
    }
    assert_eq!(policy(&["http"], &[]).check("http://anything.example/"), Ok(()));
}

#[test]
fn resolves_relative_locations() {
    let base: Uri = "http://h:81/a/b/c?q=1".parse().unwrap();
    for (loc, want) in [
        ("https://x/y", "https://x/y"),
        ("//other/p", "http://other/p"),
        ("/p?z", "http://h:81/p?z"),
        ("d", "http://h:81/a/b/d"),
        ("../d/./e/", "http://h:81/a/d/e/"),
        ("../../../../x", "http://h:81/x"),
        ("..", "http://h:81/a/"),
        ("?r", "http://h:81/a/b/c?r"),
        ("#f", "http://h:81/a/b/c?q=1"),
        ("/x#f", "http://h:81/x"),
    ] {
        assert_eq!(resolve(&base, loc), want, "{loc}");
    }
    let bare: Uri = "http://h".parse().unwrap();
    assert_eq!(resolve(&bare, "d"), "http://h/d");
}

#[test]
fn errors_name_what_failed() {
    let e = FetchError::Timeout { uri: "http://h/doc".into() };
    assert!(e.to_string().contains("http://h/doc"));
    assert_eq!(e.job_state_reason(), "document-access-error");
    let e = FetchError::TooManyRedirects { uri: "http://h/loop".into() };
    assert!(e.to_string().contains("http://h/loop"));
}

#[test]
fn without_uri_names_neither_the_uri_nor_its_host() {
    let secret = "http://secret-host.example/payroll-2026.pdf";
    let all = [
        FetchError::BadUri(format!("\"{secret}\" is not a valid URI")),
        FetchError::SchemeNotAllowed(format!("{secret}: no")),
        FetchError::HostNotAllowed("secret-host.example is not in PullHosts".into()),
        FetchError::RedirectRefused { to: secret.into(), why: "no".into() },
        FetchError::TooManyRedirects { uri: secret.into() },
        FetchError::TooLarge { uri: secret.into(), limit: 10 },
        FetchError::Status { status: 404, uri: secret.into() },
        FetchError::Timeout { uri: secret.into() },
        FetchError::Io("unable to connect to secret-host.example: refused".into()),
        FetchError::Sink("/var/spool/cups/tmp/u00001-001-r1: disk full".into()),
    ];
    for e in all {
        let text = e.without_uri();
        assert!(
            !text.contains("secret") && !text.contains("payroll") && !text.contains('/'),
            "{e:?}: {text}"
        );
    }
    assert_eq!(
        FetchError::Status { status: 404, uri: secret.into() }.without_uri(),
        "HTTP status 404"
    );
}

proptest! {
    #[test]
    fn check_never_panics(s in "\\PC{0,64}", tail in "[ -~]{0,40}") {
        let p = policy(&["http", "https"], &["h", "::1"]);
        let _ = p.check(&s);
        for prefix in ["http://", "https://[", "http://h", "HTTP://h:", "http://[::1]"] {
            let uri = format!("{prefix}{tail}");
            if p.check(&uri).is_ok() {
                let target = p.target(&uri).unwrap();
                prop_assert!(p.host_allowed(&target.host, target.port, target.https));
            }
            let _ = resolve(&"http://h/a/b".parse().unwrap(), &tail);
        }
    }
}
