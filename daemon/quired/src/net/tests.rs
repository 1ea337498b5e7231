//! Plain-HTTP tests over loopback TCP and Unix sockets. Helpers are shared with `tests_tls`.

use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Extension;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::*;

pub(super) const T: Duration = Duration::from_secs(5);

/// Echoes the body; reports the `ConnInfo` in `x-peer`, `x-local` and `x-tls` headers.
async fn echo(Extension(info): Extension<ConnInfo>, body: Body) -> impl IntoResponse {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-peer", format!("{:?}", info.peer)),
        ("x-local", format!("{:?}", info.local)),
        ("x-tls", info.tls.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    match body.collect().await {
        Ok(data) => (StatusCode::OK, headers, data.to_bytes()),
        Err(_) => (StatusCode::PAYLOAD_TOO_LARGE, headers, Bytes::new()),
    }
}

pub(super) fn router() -> Router {
    Router::new().route("/echo", post(echo)).route("/", get(|| async { "hello" })).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            "slow done"
        }),
    )
}

pub(super) fn scratch_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("quire-net-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

pub(super) struct Server {
    pub(super) addrs: Vec<LocalEnd>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), NetError>>,
}

impl Server {
    pub(super) async fn start(cfg: NetConfig, router: Router) -> Server {
        Server::start_with(cfg, Vec::new(), router).await
    }

    async fn start_with(
        cfg: NetConfig,
        passed: Vec<crate::service::Passed>,
        router: Router,
    ) -> Server {
        let bound = bind(cfg, passed).await.expect("bind");
        let addrs = bound.local_addrs();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.serve(router, async {
            let _ = rx.await;
        }));
        Server { addrs, stop: Some(tx), task }
    }

    pub(super) fn tcp(&self) -> SocketAddr {
        self.addrs
            .iter()
            .find_map(|a| match a {
                LocalEnd::Tcp(addr) => Some(*addr),
                LocalEnd::Unix(_) => None,
            })
            .expect("a TCP listener")
    }

    pub(super) async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let res = tokio::time::timeout(Duration::from_secs(20), self.task).await;
        assert!(matches!(res, Ok(Ok(Ok(())))), "serve ended badly: {res:?}");
    }
}

pub(super) fn tcp_cfg() -> NetConfig {
    NetConfig {
        listen: vec![ListenSpec::Tcp("127.0.0.1:0".parse().unwrap())],
        ..Default::default()
    }
}

/// A minimal HTTP/1.1 client reading responses with `Content-Length` bodies.
pub(super) struct Raw<S> {
    pub(super) s: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Raw<S> {
    pub(super) fn new(s: S) -> Self {
        Raw { s, buf: Vec::new() }
    }

    pub(super) async fn send(&mut self, data: &[u8]) {
        self.s.write_all(data).await.expect("write");
        self.s.flush().await.expect("flush");
    }

    async fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(T, self.s.read(&mut chunk)).await.expect("read timed out");
        let n = n.unwrap_or(0);
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// Read one response head (through the blank line).
    pub(super) async fn head(&mut self) -> String {
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = self.buf.drain(..end + 4).collect();
                return String::from_utf8_lossy(&head).into_owned();
            }
            assert!(self.fill().await > 0, "EOF before a response head: {:?}", self.buf);
        }
    }

    /// Read one full response; returns (head, body).
    pub(super) async fn response(&mut self) -> (String, Vec<u8>) {
        let head = self.head().await;
        let len = header(&head, "content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while self.buf.len() < len {
            assert!(self.fill().await > 0, "EOF inside a body");
        }
        (head, self.buf.drain(..len).collect())
    }

    /// True if the peer closes the connection within `within`.
    pub(super) async fn closed_within(&mut self, within: Duration) -> bool {
        let mut chunk = [0u8; 256];
        matches!(
            tokio::time::timeout(within, self.s.read(&mut chunk)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }
}

pub(super) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

pub(super) fn post_echo(body: &str) -> Vec<u8> {
    format!(
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn tcp_echo_reports_conn_info() {
    let server = Server::start(tcp_cfg(), router()).await;
    let addr = server.tcp();
    let mut c = Raw::new(TcpStream::connect(addr).await.unwrap());
    let client_addr = c.s.local_addr().unwrap();
    c.send(&post_echo("hello ipp")).await;
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, b"hello ipp");
    assert_eq!(header(&head, "x-peer"), Some(format!("Tcp({client_addr})").as_str()));
    assert_eq!(header(&head, "x-local"), Some(format!("Tcp({addr})").as_str()));
    assert_eq!(header(&head, "x-tls"), Some("false"));
    server.stop().await;
}

#[tokio::test]
async fn unix_socket_echo_reports_peer_credentials() {
    let dir = scratch_dir("unix");
    let path = dir.join("quire.sock");
    std::fs::write(&path, b"").unwrap(); // a regular file is refused, not deleted
    let cfg = NetConfig { listen: vec![ListenSpec::Unix(path.clone())], ..Default::default() };
    assert!(matches!(bind(cfg.clone(), Vec::new()).await, Err(NetError::Bind { .. })));
    std::fs::remove_file(&path).unwrap();
    // A stale socket file (left by a dead daemon) is replaced.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let server = Server::start(cfg, router()).await;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o777);

    let mut c = Raw::new(UnixStream::connect(&path).await.unwrap());
    c.send(&post_echo("via unix")).await;
    let (head, body) = c.response().await;
    assert_eq!(body, b"via unix");
    let me = std::fs::metadata("/proc/self").unwrap();
    let peer = header(&head, "x-peer").unwrap();
    let expected = format!(
        "Unix {{ uid: {}, gid: {}, pid: Some({}) }}",
        me.uid(),
        me.gid(),
        std::process::id()
    );
    assert_eq!(peer, expected);
    assert_eq!(header(&head, "x-local"), Some(format!("Unix({path:?})").as_str()));
    server.stop().await;
    assert!(!path.exists(), "socket file removed at shutdown");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn keep_alive_serves_two_requests_on_one_connection() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(&post_echo("one")).await;
    assert_eq!(c.response().await.1, b"one");
    c.send(&post_echo("two")).await;
    assert_eq!(c.response().await.1, b"two");
    server.stop().await;
}

#[tokio::test]
async fn keep_alive_off_closes_after_the_first_answer() {
    let cfg = NetConfig { keep_alive: false, ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(&post_echo("one")).await;
    let (head, body) = c.response().await;
    assert_eq!(body, b"one");
    assert_eq!(header(&head, "connection"), Some("close"), "{head}");
    assert!(c.closed_within(T).await, "KeepAlive Off: one request per connection");
    server.stop().await;
}

#[tokio::test]
async fn chunked_request_body() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n").await;
    c.send(b"5\r\nhello\r\n").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    c.send(b"6\r\n world\r\n0\r\n\r\n").await;
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, b"hello world");
    server.stop().await;
}

#[tokio::test]
async fn expect_100_continue() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        .await;
    let interim = c.head().await;
    assert!(interim.starts_with("HTTP/1.1 100 Continue"), "{interim}");
    c.send(b"data").await;
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, b"data");
    server.stop().await;
}

#[tokio::test]
async fn http10_client() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.0\r\nContent-Length: 3\r\n\r\nold").await;
    let (head, body) = c.response().await;
    assert!(head.contains(" 200 "), "{head}");
    assert_eq!(body, b"old");
    assert!(c.closed_within(T).await, "HTTP/1.0 without keep-alive closes");
    server.stop().await;
}

#[tokio::test]
async fn options_star_is_answered_with_an_empty_body() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(header(&head, "allow").is_some_and(|v| v.contains("POST")), "{head}");
    assert_eq!(header(&head, "content-length"), Some("0"));
    assert!(body.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn header_timeout_drops_slowloris() {
    let cfg = NetConfig { header_timeout: Duration::from_millis(300), ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.1\r\nHost: loc").await;
    assert!(
        c.closed_within(Duration::from_secs(3)).await,
        "half a header must not hold a connection"
    );
    server.stop().await;
}

#[tokio::test]
async fn idle_keep_alive_connection_is_closed() {
    let cfg = NetConfig { idle_timeout: Duration::from_millis(300), ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(&post_echo("x")).await;
    assert_eq!(c.response().await.1, b"x");
    assert!(c.closed_within(Duration::from_secs(3)).await);
    server.stop().await;
}

#[tokio::test]
async fn slow_handler_is_not_cut_by_idle_timeout() {
    let cfg = NetConfig { idle_timeout: Duration::from_millis(100), ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    assert_eq!(c.response().await.1, b"slow done");
    server.stop().await;
}

#[tokio::test]
async fn excess_connections_are_answered_503_and_closed() {
    let cfg = NetConfig { max_connections: 1, ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut first = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    first.send(&post_echo("a")).await;
    assert_eq!(first.response().await.1, b"a");
    let mut second = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    second.send(&post_echo("b")).await;
    let (head, body) = second.response().await;
    assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    assert_eq!(header(&head, "retry-after"), Some("10"));
    assert_eq!(header(&head, "connection"), Some("close"));
    assert!(String::from_utf8_lossy(&body).contains("MaxClients"), "{body:?}");
    assert!(second.closed_within(Duration::from_secs(2)).await);
    // The refused one took no slot; the first is still served.
    first.send(&post_echo("a2")).await;
    assert_eq!(first.response().await.1, b"a2");
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut third = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    third.send(&post_echo("c")).await;
    assert_eq!(third.response().await.1, b"c");
    server.stop().await;
}

#[tokio::test]
async fn a_silent_refused_client_still_reads_the_503() {
    let cfg = NetConfig { max_connections: 1, ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let _held = TcpStream::connect(server.tcp()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut refused = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    let (head, _) = refused.response().await;
    assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    server.stop().await;
}

#[tokio::test]
async fn a_full_unix_socket_answers_503_too() {
    let dir = scratch_dir("unix-full");
    let path = dir.join("quire.sock");
    let cfg = NetConfig {
        listen: vec![ListenSpec::Unix(path.clone())],
        max_connections: 1,
        ..Default::default()
    };
    let server = Server::start(cfg, router()).await;
    let mut held = Raw::new(UnixStream::connect(&path).await.unwrap());
    held.send(&post_echo("held")).await;
    assert_eq!(held.response().await.1, b"held");
    let mut refused = Raw::new(UnixStream::connect(&path).await.unwrap());
    refused.send(&post_echo("refused")).await;
    let (head, _) = refused.response().await;
    assert!(head.starts_with("HTTP/1.1 503 "), "{head}");
    server.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Past `PARK_AFTER` idle, hyper is dropped (see `conn.rs`); the connection still serves its
/// next request, also one whose head was half sent before the pause.
#[tokio::test]
async fn a_parked_keep_alive_connection_serves_its_next_request() {
    let server = Server::start(tcp_cfg(), router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(&post_echo("one")).await;
    assert_eq!(c.response().await.1, b"one");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    c.send(&post_echo("two")).await;
    assert_eq!(c.response().await.1, b"two");
    let three = post_echo("three");
    c.send(&three[..10]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    c.send(&three[10..]).await;
    assert_eq!(c.response().await.1, b"three");
    server.stop().await;
}

#[tokio::test]
async fn body_limit() {
    let cfg = NetConfig { max_body_bytes: Some(8), ..tcp_cfg() };
    let server = Server::start(cfg, router()).await;
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(&post_echo("small")).await;
    assert_eq!(c.response().await.1, b"small");
    c.send(
        b"POST /echo HTTP/1.1\r\nHost: l\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
    )
    .await;
    let (head, _) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 413"), "declared length over the cap: {head}");
    let mut c = Raw::new(TcpStream::connect(server.tcp()).await.unwrap());
    c.send(b"POST /echo HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")
        .await;
    let (head, _) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 413"), "chunked body over the cap: {head}");
    server.stop().await;
}

#[tokio::test]
async fn bind_error_is_reported() {
    let server = Server::start(tcp_cfg(), router()).await;
    let cfg = NetConfig { listen: vec![ListenSpec::Tcp(server.tcp())], ..Default::default() };
    match bind(cfg, Vec::new()).await {
        Err(NetError::Bind { addr, .. }) => assert_eq!(addr, server.tcp().to_string()),
        other => panic!("expected a bind error, got {:?}", other.map(|b| b.local_addrs())),
    }
    server.stop().await;
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let server = Server::start(tcp_cfg(), router()).await;
    let addr = server.tcp();
    let mut c = Raw::new(TcpStream::connect(addr).await.unwrap());
    c.send(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(server.stop());
    let (head, body) = c.response().await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, b"slow done");
    stopping.await.unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "listener closed after shutdown");
}

/// Sockets a service manager passed: the one a `Listen` names is used as it is (the path is
/// not unlinked and bound again, nor removed at exit), the other is served too.
#[tokio::test]
async fn passed_sockets_are_served_and_never_rebound() {
    use crate::service::{Passed, PassedSocket};
    let dir = scratch_dir("passed");
    let path = dir.join("cups.sock");
    let unix = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let inode = std::fs::metadata(&path).unwrap().ino();
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tcp_addr = tcp.local_addr().unwrap();
    let passed = vec![
        Passed { socket: PassedSocket::Unix(unix), name: "cups.socket".into() },
        Passed { socket: PassedSocket::Tcp(tcp), name: "ipp".into() },
    ];
    let cfg = NetConfig { listen: vec![ListenSpec::Unix(path.clone())], ..Default::default() };
    let server = Server::start_with(cfg, passed, router()).await;
    assert_eq!(server.addrs, vec![LocalEnd::Unix(path.clone()), LocalEnd::Tcp(tcp_addr)]);
    assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode, "the socket file was replaced");
    let mut c = Raw::new(UnixStream::connect(&path).await.unwrap());
    c.send(&post_echo("passed unix")).await;
    assert_eq!(c.response().await.1, b"passed unix");
    let mut c = Raw::new(TcpStream::connect(tcp_addr).await.unwrap());
    c.send(&post_echo("passed tcp")).await;
    assert_eq!(c.response().await.1, b"passed tcp");
    drop(c);
    server.stop().await;
    assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode, "a passed socket was removed");
}

/// A wildcard socket passed for a port makes a `Listen` on one address of that port
/// unbindable: that one is left to the passed socket instead of failing the start.
#[tokio::test]
async fn listen_covered_by_a_passed_wildcard_socket() {
    use crate::service::{Passed, PassedSocket};
    let wildcard = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = wildcard.local_addr().unwrap().port();
    // The passed socket's own `Listen` first: it is taken before the other is tried.
    let cfg = NetConfig {
        listen: vec![
            ListenSpec::Tcp(SocketAddr::from(([0, 0, 0, 0], port))),
            ListenSpec::Tcp(SocketAddr::from(([127, 0, 0, 1], port))),
        ],
        ..Default::default()
    };
    let passed = vec![Passed { socket: PassedSocket::Tcp(wildcard), name: "unknown".into() }];
    let server = Server::start_with(cfg, passed, router()).await;
    assert_eq!(server.addrs.len(), 1);
    let mut c = Raw::new(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    c.send(&post_echo("via the wildcard")).await;
    assert_eq!(c.response().await.1, b"via the wildcard");
    drop(c);
    server.stop().await;
}
