use super::*;
use crate::connect::test_support::{closed_port, Recorder};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;

#[test]
fn backoff_doubles_from_one_second_up_to_thirty() {
    let secs: Vec<u64> = (1..=8).map(|f| backoff_delay(f).as_secs()).collect();
    assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    assert_eq!(backoff_delay(0), BACKOFF_FIRST);
    assert_eq!(backoff_delay(u32::MAX), BACKOFF_MAX);
}

#[test]
fn net_uri_parts_and_options() {
    let u =
        parse_net_uri("socket://printer.example:9101/?waiteof=false&contimeout=30", "socket", 9100)
            .expect("parse");
    assert_eq!(
        (u.host.as_str(), u.port, u.path.as_str(), u.user.as_deref()),
        ("printer.example", 9101, "", None)
    );
    assert_eq!(
        u.options,
        [
            ("waiteof".to_string(), "false".to_string()),
            ("contimeout".to_string(), "30".to_string())
        ]
    );
    let u =
        parse_net_uri("lpd://bob@[::1]/my%20queue?Banner+format=o", "lpd", 515).expect("parse v6");
    assert_eq!(
        (u.host.as_str(), u.port, u.path.as_str(), u.user.as_deref()),
        ("::1", 515, "my queue", Some("bob"))
    );
    assert_eq!(
        u.options,
        [("banner".to_string(), String::new()), ("format".to_string(), "o".to_string())]
    );
    let u = parse_net_uri("SOCKET://[fe80::1]:9200", "socket", 9100).expect("upper-case scheme");
    assert_eq!((u.host.as_str(), u.port), ("fe80::1", 9200));
    assert_eq!(parse_net_uri("socket://h:/", "socket", 9100).expect("empty port").port, 9100);
}

#[test]
fn net_uri_garbage_is_bad_uri() {
    for uri in [
        "socket://",
        "socket://:9100",
        "socket:/host",
        "socket:host",
        "lpd://host/q",
        "socket://host:0",
        "socket://host:65536",
        "socket://host:x",
        "socket://host:1:2",
        "socket://[::1",
        "socket://[nothex]:9100",
        "socket://[::1]x",
        "socket://::1/",
        "socket://ho%zzst",
        "socket://ho%0ast",
        "socket://ho st",
        "socket://host/%",
        "socket://host/%c3",
        "socket://host?x=%",
        "socket://host/a%0Ab",
        "socket://@/",
    ] {
        match parse_net_uri(uri, "socket", 9100) {
            Err(BackendError::BadUri(_)) => {}
            other => panic!("{uri}: {other:?}"),
        }
    }
}

#[test]
fn net_uri_parser_never_panics() {
    let pieces = [
        "socket://",
        "[",
        "]",
        ":",
        "%",
        "%4",
        "%41",
        "@",
        "/",
        "?",
        "=",
        "&",
        "+",
        "::1",
        "h",
        "9100",
        "\u{e9}",
        "\n",
        "%ff",
    ];
    let mut seed = 0x2545_f491_u32;
    for _ in 0..5000 {
        let mut uri = String::new();
        for _ in 0..(seed % 9) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            uri.push_str(pieces[(seed as usize) % pieces.len()]);
        }
        let _ = parse_net_uri(&uri, "socket", 9100);
    }
}

#[test]
fn option_values_read_like_cups() {
    assert!(option_bool("") && option_bool("ON") && option_bool("yes") && option_bool("True"));
    assert!(
        !option_bool("off") && !option_bool("false") && !option_bool("0") && !option_bool("nope")
    );
    assert_eq!(option_secs("30"), Some(Duration::from_secs(30)));
    assert_eq!(option_secs("12abc"), Some(Duration::from_secs(12)));
    assert_eq!(option_secs("0"), None);
    assert_eq!(option_secs("-5"), None);
    assert_eq!(option_secs("x"), None);
    assert_eq!(option_secs("99999999999999999999999"), None);
}

/// The device is off when the job starts (connection refused) and comes up a moment later:
/// the job waits, the queue shows offline-report meanwhile, and the state clears on connect.
#[test]
fn offline_at_submission_waits_and_reports() {
    let port = closed_port();
    let (tx, rx) = mpsc::channel();
    let server = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("rebind the port");
        tx.send(()).expect("signal");
        listener.accept().map(|_| ()).expect("accept");
    });
    let mut rec = Recorder::default();
    let stream =
        connect_with_backoff("127.0.0.1", port, &Cancel::default(), &mut rec, "test device", None)
            .expect("connects once the device is up");
    rx.recv().expect("listener was up");
    drop(stream);
    server.join().expect("server thread");
    let first = rec.states.first().expect("an offline report");
    assert_eq!(first.0, ["offline-report"]);
    assert_eq!(first.1, "Unable to connect to printer; will retry in 1 seconds.");
    let last = rec.states.last().expect("a final report");
    assert!(last.0.is_empty(), "state not cleared: {:?}", rec.states);
}

#[test]
fn cancel_while_retrying_returns_promptly() {
    let port = closed_port();
    let cancel = Cancel::default();
    let c = cancel.clone();
    let canceler = thread::spawn(move || {
        thread::sleep(Duration::from_millis(1500));
        c.cancel();
    });
    let start = Instant::now();
    let mut rec = Recorder::default();
    let err = connect_with_backoff("127.0.0.1", port, &cancel, &mut rec, "test device", None)
        .expect_err("never connects");
    canceler.join().expect("canceler");
    assert!(matches!(err, BackendError::Canceled), "{err:?}");
    assert!(start.elapsed() < Duration::from_millis(2500), "took {:?}", start.elapsed());
    // 1 s then 2 s: the second report announces the doubled delay.
    let msgs: Vec<&str> = rec.states.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "Unable to connect to printer; will retry in 1 seconds.",
            "Unable to connect to printer; will retry in 2 seconds."
        ]
    );
}

#[test]
fn contimeout_gives_up_with_a_device_error() {
    let port = closed_port();
    let start = Instant::now();
    let err = connect_with_backoff(
        "127.0.0.1",
        port,
        &Cancel::default(),
        &mut Recorder::default(),
        "the test device",
        Some(Duration::from_millis(1200)),
    )
    .expect_err("never connects");
    let msg = err.to_string();
    assert!(
        matches!(err, BackendError::Device(_))
            && msg.contains("not responding")
            && msg.contains("the test device"),
        "{msg}"
    );
    assert!(start.elapsed() < Duration::from_secs(3), "took {:?}", start.elapsed());
}

#[test]
fn ipv6_literals_connect_with_or_without_brackets() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        eprintln!("SKIPPED: no IPv6 loopback here");
        return;
    };
    let port = listener.local_addr().expect("addr").port();
    for host in ["[::1]", "::1"] {
        connect_with_backoff(
            host,
            port,
            &Cancel::default(),
            &mut Recorder::default(),
            "v6",
            Some(Duration::from_secs(2)),
        )
        .expect(host);
    }
}

#[test]
fn a_silent_peer_is_idle_not_hung() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (_peer, _) = listener.accept().expect("accept");
    poll_timeouts(&s).expect("timeouts");
    let mut buf = [0u8; 8];
    let got = read_some(&mut s, &mut buf, &Cancel::default(), Duration::from_millis(300), "test")
        .expect("read");
    assert_eq!(got, ReadOutcome::Idle);
}
