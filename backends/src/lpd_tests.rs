use super::*;
use crate::connect::test_support::{
    assert_cancel_while_offline, closed_port, gzipped, job, pattern, plain, Recorder,
};
use quire_ipp::{Attribute, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread::{self, JoinHandle};
use std::time::Instant;

/// What an RFC 1179 receiver got: the queue, then each subcommand in arrival order as
/// (kind 2 = control / 3 = data, file name, bytes).
#[derive(Debug, Default)]
struct Received {
    queue: String,
    files: Vec<(u8, String, Vec<u8>)>,
}

impl Received {
    fn control(&self) -> (&str, String) {
        let (_, name, body) = self.files.iter().find(|f| f.0 == 2).expect("a control file");
        (name, String::from_utf8(body.clone()).expect("UTF-8 control file"))
    }
    fn data(&self) -> Vec<(&str, &[u8])> {
        self.files.iter().filter(|f| f.0 == 3).map(|f| (f.1.as_str(), f.2.as_slice())).collect()
    }
}

/// A loopback LPD server for one job. It acknowledges every step with 0, except step
/// `refuse` (0 = the receive-job command, then header, body, header, body …), answered 1.
fn lpd_server(listener: TcpListener, refuse: Option<usize>) -> JoinHandle<Received> {
    thread::spawn(move || {
        let (conn, _) = listener.accept().expect("accept");
        let mut out = conn.try_clone().expect("clone");
        let mut input = BufReader::new(conn);
        let mut step = 0usize;
        let mut ack = |out: &mut std::net::TcpStream| -> bool {
            let code = u8::from(refuse == Some(step));
            step += 1;
            out.write_all(&[code]).expect("ack");
            code == 0
        };
        let mut got = Received::default();
        let mut line = Vec::new();
        input.read_until(b'\n', &mut line).expect("command");
        assert_eq!(line.first(), Some(&2), "not a receive-job command: {line:?}");
        got.queue = String::from_utf8(line[1..line.len() - 1].to_vec()).expect("queue");
        if !ack(&mut out) {
            return got;
        }
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line).expect("subcommand") == 0 {
                return got;
            }
            let kind = line[0];
            assert!(kind == 2 || kind == 3, "unexpected subcommand {line:?}");
            let text =
                String::from_utf8(line[1..line.len() - 1].to_vec()).expect("subcommand text");
            let (count, name) = text.split_once(' ').expect("count and name");
            let count: usize = count.parse().expect("count");
            if !ack(&mut out) {
                return got;
            }
            let mut body = vec![0u8; count + 1];
            input.read_exact(&mut body).expect("file body");
            assert_eq!(body.pop(), Some(0), "file not followed by a zero byte");
            got.files.push((kind, name.to_string(), body));
            if !ack(&mut out) {
                return got;
            }
        }
    })
}

fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    (l, port)
}

#[test]
fn sends_control_file_first_then_one_data_file_per_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (pattern(150_000, 1), pattern(9_999, 2));
    let docs = [plain(dir.path(), "a.pdf", &a), gzipped(dir.path(), "b.ps.gz", &b)];
    let (l, port) = listener();
    let server = lpd_server(l, None);
    let mut rec = Recorder::default();
    crate::deliver(
        &format!("lpd://127.0.0.1:{port}/q"),
        &job(1234, "My Report (v2)", vec![]),
        &docs,
        &Cancel::default(),
        &mut rec,
    )
    .expect("deliver");
    let got = server.join().expect("server");
    assert_eq!(got.queue, "q");
    let host = local_hostname();
    let h15 = &host[..host.len().min(15)];
    let kinds: Vec<u8> = got.files.iter().map(|f| f.0).collect();
    assert_eq!(kinds, [2, 3, 3], "control file first, then the data files");
    let (cf, text) = got.control();
    assert_eq!(cf, format!("cfA234{h15}"));
    let h31 = &host[..host.len().min(31)];
    let want = format!("H{h31}\nPalice\nJMy Report _v2_\nldfA234{h15}\nUdfA234{h15}\nNa_pdf\nldfB234{h15}\nUdfB234{h15}\nNb_ps_gz\n");
    assert_eq!(text, want);
    let data = got.data();
    assert_eq!(
        (data[0].0, data[1].0),
        (format!("dfA234{h15}").as_str(), format!("dfB234{h15}").as_str())
    );
    assert!(data[0].1 == a.as_slice() && data[1].1 == b.as_slice(), "data bytes differ");
    assert!(rec.pages.is_empty(), "LPD cannot know pages: {:?}", rec.pages);
}

#[test]
fn options_order_banner_format_user_and_copies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"AAA")];
    let copies = vec![Attribute::new("copies", Value::Integer(2))];
    let (l, port) = listener();
    let server = lpd_server(l, None);
    let uri = format!("lpd://bob@127.0.0.1:{port}/raw?order=data,control&banner=on&format=o&manual_copies=off&sanitize_title=no");
    deliver(
        &uri,
        &job(7, "r\u{e9}sum\u{e9}.txt", copies.clone()),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect("deliver");
    let got = server.join().expect("server");
    let kinds: Vec<u8> = got.files.iter().map(|f| f.0).collect();
    assert_eq!(kinds, [3, 2], "data,control order");
    let (_, text) = got.control();
    let host = local_hostname();
    let (h15, h31) = (&host[..host.len().min(15)], &host[..host.len().min(31)]);
    let want = format!("H{h31}\nPbob\nJr\u{e9}sum\u{e9}.txt\nC{h31}\nLbob\nodfA007{h15}\nodfA007{h15}\nUdfA007{h15}\nNa\n");
    assert_eq!(text, want);
    assert_eq!(got.data()[0].1, b"AAA", "copies as print commands, data once");

    // The default, manual copies: the data file holds the document twice.
    let (l, port) = listener();
    let server = lpd_server(l, None);
    deliver(
        &format!("lpd://127.0.0.1:{port}/raw"),
        &job(7, "t", copies),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect("deliver");
    let got = server.join().expect("server");
    assert_eq!(got.data()[0].1, b"AAAAAA");
    assert_eq!(got.control().1.matches("ldfA").count(), 1);
}

#[test]
fn a_refused_step_is_a_device_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"x")];
    for (step, want) in [
        (0, "receive-job command for queue \"q\""),
        (1, "control file header"),
        (2, "the control file cfA"),
        (3, "data file header"),
        (4, "the data file dfA"),
    ] {
        let (l, port) = listener();
        let server = lpd_server(l, Some(step));
        let err = deliver(
            &format!("lpd://127.0.0.1:{port}/q"),
            &job(1, "t", vec![]),
            &docs,
            &Cancel::default(),
            &mut Recorder::default(),
        )
        .expect_err("refused");
        server.join().expect("server");
        let msg = err.to_string();
        assert!(
            matches!(err, BackendError::Device(_))
                && msg.contains(want)
                && msg.contains("status 1"),
            "step {step}: {msg}"
        );
    }
}

#[test]
fn a_silent_server_times_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"x")];
    let (l, port) = listener();
    let server = thread::spawn(move || {
        let conn = l.accept().expect("accept");
        thread::sleep(Duration::from_secs(3));
        drop(conn);
    });
    let start = Instant::now();
    let err = deliver(
        &format!("lpd://127.0.0.1:{port}/q?timeout=1"),
        &job(1, "t", vec![]),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect_err("timeout");
    assert!(err.to_string().contains("did not answer"), "{err}");
    assert!(start.elapsed() < Duration::from_millis(2500), "took {:?}", start.elapsed());
    server.join().expect("server");
}

#[test]
fn offline_at_submission_then_percent_encoded_queue() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [plain(dir.path(), "a", b"hello")];
    let port = closed_port();
    let server = thread::spawn(move || {
        thread::sleep(Duration::from_millis(400));
        let l = TcpListener::bind(("127.0.0.1", port)).expect("rebind");
        lpd_server(l, None).join().expect("receiver")
    });
    let mut rec = Recorder::default();
    deliver(
        &format!("lpd://127.0.0.1:{port}/my%20queue"),
        &job(1, "t", vec![]),
        &docs,
        &Cancel::default(),
        &mut rec,
    )
    .expect("deliver");
    let got = server.join().expect("server");
    assert_eq!(got.queue, "my queue");
    assert_eq!(got.data()[0].1, b"hello");
    assert_eq!(rec.states.first().map(|s| s.0.clone()), Some(vec!["offline-report".to_string()]));
    assert!(rec.states.last().is_some_and(|s| s.0.is_empty()), "{:?}", rec.states);
}

#[test]
fn cancel_while_the_server_is_offline() {
    assert_cancel_while_offline(&format!("lpd://127.0.0.1:{}/q", closed_port()));
}

#[test]
fn lpd_uris() {
    let u = parse_uri("lpd://h/q").expect("defaults");
    assert_eq!(
        (u.host.as_str(), u.port, u.queue.as_str(), u.format, u.banner, u.data_first),
        ("h", 515, "q", 'l', false, false)
    );
    assert!(u.manual_copies && u.sanitize_title && u.user.is_none());
    assert_eq!(u.timeout, Duration::from_secs(300));
    let u = parse_uri("lpd://[::1]:1515/q?format=zz&order=bogus&contimeout=9&timeout=x")
        .expect("odd options");
    assert_eq!(
        (u.host.as_str(), u.port, u.format, u.data_first, u.contimeout),
        ("::1", 1515, 'l', false, Duration::from_secs(9))
    );
    assert_eq!(
        parse_uri("lpd://h/q?format=f&banner").map(|u| (u.format, u.banner)).ok(),
        Some(('f', true))
    );
    for bad in
        ["lpd://h", "lpd://h/", "lpd:///q", "lpd://h:0/q", "lpd://h/q%0a", "lpd://h/%", "lpd:h/q"]
    {
        let err = crate::deliver(
            bad,
            &job(1, "t", vec![]),
            &[],
            &Cancel::default(),
            &mut Recorder::default(),
        )
        .expect_err(bad);
        assert!(matches!(err, BackendError::BadUri(_)), "{bad}: {err:?}");
    }
}

#[test]
fn control_file_fields_cannot_inject_commands() {
    let c = Control {
        host: "h".into(),
        user: "eve\nPmallory".into(),
        title: "t\nUdfA000evil".into(),
        banner: false,
        format: 'l',
        prints: 1,
        number: 5,
        documents: vec!["doc\r\nN".into()],
    };
    let text = control_file(&c);
    assert_eq!(text, "Hh\nPeve_Pmallory\nJt_UdfA000evil\nldfA005h\nUdfA005h\nNdoc__N\n");
    let long = Control { user: "u".repeat(40), title: "\u{e9}".repeat(60), documents: vec![], ..c };
    let text = control_file(&long);
    assert!(text.contains(&format!("\nP{}\n", "u".repeat(31))), "{text}");
    assert!(
        text.contains(&format!("\nJ{}\n", "\u{e9}".repeat(49))),
        "cut on a char boundary: {text}"
    );
    assert_eq!(clean("a-b c/\u{e9}", true), "a_b c__");
}

#[test]
fn acks_and_file_names() {
    assert!(check_ack(Some(0), "x").is_ok());
    assert!(check_ack(Some(1), "the control file")
        .is_err_and(|e| e.to_string().contains("refused the control file (status 1)")));
    assert!(check_ack(None, "x").is_err_and(|e| e.to_string().contains("closed the connection")));
    assert_eq!(control_name(1234, "averyveryverylonghostname"), "cfA234averyveryverylo");
    assert_eq!(data_name(0, 7, "h").as_deref(), Some("dfA007h"));
    assert_eq!(data_name(26, 7, "h").as_deref(), Some("dfa007h"));
    assert_eq!(data_name(51, 7, "h").as_deref(), Some("dfz007h"));
    assert_eq!(data_name(52, 7, "h"), None);
    let dir = tempfile::tempdir().expect("tempdir");
    let docs: Vec<_> = (0..53).map(|i| plain(dir.path(), &format!("d{i}"), b"x")).collect();
    let err = deliver(
        "lpd://127.0.0.1:1/q",
        &job(1, "t", vec![]),
        &docs,
        &Cancel::default(),
        &mut Recorder::default(),
    )
    .expect_err("too many");
    assert!(matches!(err, BackendError::Document(_)), "{err:?}");
    assert!(!local_hostname().is_empty());
}
