//! Authentication, cupsd's policies and confidential held jobs, end to end: the real quired
//! under pam_wrapper + pam_matrix (real PAM, test accounts), CUPS's own lp/lpadmin/lpstat,
//! ipptool, and raw HTTP requests carrying Basic credentials.
//!
//! Root-only (setpriv runs clients as other uids); each test prints SKIPPED otherwise.

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};
use quire_tests::pam::PamMatrix;
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, CmdOutput, Server, Via};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const MARKER: &str = "TOPSECRET-MARKER-XYZZY";

/// cupsd's default policy (conf/cupsd.conf, as shipped) on a private server.
fn conf(port: u16, dir: &Path) -> String {
    let shipped = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../conf/cupsd.conf")).expect("conf/cupsd.conf");
    let policies = &shipped[shipped.find("<Policy default>").expect("default policy")..];
    format!(
        "LogLevel debug\nListen 127.0.0.1:{port}\nListen {}/cups.sock\nDefaultAuthType Basic\n\
         MaxAuthFailures 3\nAuthLockoutTime 60\nConfidentialHoldTime 4h\n\
         <Location />\n  Order allow,deny\n</Location>\n<Location /admin>\n  Order allow,deny\n</Location>\n{policies}",
        dir.display()
    )
}

/// quired under pam_wrapper with users root/rootpw, alice/alicepw, bob/bobpw, and cupsd's
/// default policy; None (with SKIPPED printed) when that is not possible here.
fn server() -> Option<(Server, PamMatrix)> {
    if !nix_is_root() || !PamMatrix::available() {
        eprintln!("SKIPPED: needs root and libpam-wrapper");
        return None;
    }
    let pam_dir = tempfile::tempdir().expect("tempdir").keep();
    let pam = PamMatrix::new(&pam_dir, "cups", &[("root", "rootpw"), ("alice", "alicepw"), ("bob", "bobpw")]).expect("pam matrix");
    let env = pam.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut server = Server::start_quired_with_env(&env).expect("start quired")?;
    std::fs::write(server.dir().join("etc/cupsd.conf"), conf(server.port(), server.dir())).expect("write conf");
    let files = server.dir().join("etc/cups-files.conf");
    let text = std::fs::read_to_string(&files).expect("cups-files.conf");
    std::fs::write(&files, format!("{text}AuditLog {}/log/audit_log\n", server.dir().display())).expect("write cups-files.conf");
    server.kill9_and_restart().expect("restart with the default policy");
    let out = cups_tool(&server, Via::Tcp, "lpadmin", &["-p", "office", "-E", "-v", &format!("file://{}/out/office.out", server.dir().display())]).expect("lpadmin");
    assert_eq!(out.rc, 0, "root (peer credentials) administers: {}", out.text());
    Some((server, pam))
}

fn nix_is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A one-page PDF whose content stream carries MARKER in the clear.
fn secret_pdf(dir: &Path) -> PathBuf {
    let content = format!("BT /F1 12 Tf 72 712 Td ({MARKER}) Tj ET\n").repeat(50);
    let objs = [
        "<</Type/Catalog/Pages 2 0 R>>".to_string(),
        "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string(),
        "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>".to_string(),
        format!("<</Length {}>>stream\n{content}\nendstream", content.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1));
    let path = dir.join("secret.pdf");
    std::fs::write(&path, out).expect("write pdf");
    path
}

/// Every file under `dir` (spool, job store with its WAL) that contains MARKER.
fn plaintext_in(dir: &Path) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p).is_ok_and(|b| b.windows(MARKER.len()).any(|w| w == MARKER.as_bytes())) {
                hits.push(p);
            }
        }
    }
    hits
}

fn lp(server: &Server, args: &[&str]) -> i32 {
    let out = cups_tool(server, Via::Tcp, "lp", args).expect("lp");
    assert_eq!(out.rc, 0, "lp {args:?}: {}", out.text());
    quire_tests::cli::parse_request_id(&out.stdout).map(|id| id as i32).expect("request id")
}

/// An IPP request over HTTP with optional Basic credentials: (HTTP status, IPP response).
fn ipp(server: &Server, basic: Option<(&str, &str)>, msg: &Message) -> (u16, Option<Message>) {
    let resp = raw_post(server, basic, &msg.encode());
    let status: u16 = String::from_utf8_lossy(&resp).split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let at = resp.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4).unwrap_or(resp.len());
    (status, quire_ipp::decode(&resp[at..]).ok().map(|(m, _)| m))
}

/// POSTs `body` to the office queue and returns the whole HTTP response.
fn raw_post(server: &Server, basic: Option<(&str, &str)>, body: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let b64 = |t: String| base64::engine::general_purpose::STANDARD.encode(t);
    let auth = basic.map(|(u, p)| format!("Authorization: Basic {}\r\n", b64(format!("{u}:{p}")))).unwrap_or_default();
    let head = format!("POST /printers/office HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n", server.port(), body.len());
    s.write_all(head.as_bytes()).and_then(|_| s.write_all(body)).expect("send");
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    resp
}

fn job_request(server: &Server, code: u16, job: i32, user: &str, extra: Vec<Attribute>) -> Message {
    let mut m = Message::new((2, 0), code, 7);
    let mut g = Group::new(DelimiterTag::Operation);
    g.push(Attribute::new("attributes-charset", Value::Charset("utf-8".into())));
    g.push(Attribute::new("attributes-natural-language", Value::NaturalLanguage("en".into())));
    g.push(Attribute::new("printer-uri", Value::Uri(server.printer_uri("office"))));
    if job > 0 {
        g.push(Attribute::new("job-id", Value::Integer(job)));
    }
    g.push(Attribute::new("requesting-user-name", Value::Name(user.into())));
    for a in extra {
        g.push(a);
    }
    m.push_group(g);
    m
}

fn job_state(server: &Server, job: i32) -> (i32, Vec<String>) {
    // As root by peer credentials: a password would count against this client after lockouts.
    let (_, resp) = ipp(server, None, &job_request(server, 0x0009, job, "root", Vec::new()));
    let resp = resp.expect("Get-Job-Attributes answer");
    let g = resp.group(DelimiterTag::Job).expect("job group");
    let state = g.get("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = g.get("job-state-reasons").map(|a| a.strs().map(str::to_string).collect()).unwrap_or_default();
    (state, reasons)
}

fn printed(server: &Server) -> String {
    std::fs::read(server.dir().join("out/office.out")).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

/// Runs `cmd` as uid/gid 65534 in a pseudo-terminal, typing `input` once the prompt is up.
fn as_nobody_in_tty(cmd: &str, input: &str) -> CmdOutput {
    let mut child = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "script", "-qec", cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("setpriv script");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_string();
    // getpass() flushes pending input when it starts: type after the prompt appears.
    let typist = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        let _ = stdin.write_all(input.as_bytes());
        std::thread::sleep(Duration::from_millis(3000));
    });
    let out = child.wait_with_output().expect("wait");
    let _ = typist.join();
    CmdOutput { rc: out.status.code().unwrap_or(-1), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

#[test]
fn lpadmin_prompts_for_a_password_and_succeeds_with_the_right_one() {
    let Some((server, _pam)) = server() else { return };
    let h = server.host_port();
    let wrong = as_nobody_in_tty(&format!("lpadmin -h {h} -U root -p wrongq -E -v file:///dev/null"), "nope\n\n\n");
    assert_ne!(wrong.rc, 0, "a wrong password must not administer: {}", wrong.text());
    assert!(wrong.text().contains("Password for root"), "lpadmin prompted: {}", wrong.text());
    let right = as_nobody_in_tty(&format!("lpadmin -h {h} -U root -p rightq -E -v file:///dev/null"), "rootpw\n");
    assert_eq!(right.rc, 0, "the right password administers: {}", right.text());
    let lpstat = cups_tool(&server, Via::Tcp, "lpstat", &["-p"]).expect("lpstat");
    assert!(lpstat.stdout.contains("rightq") && !lpstat.stdout.contains("wrongq"), "{}", lpstat.text());
    // Without credentials a non-admin is asked for them (401), not let through.
    let none = Command::new("setpriv").args(["--reuid=65534", "--regid=65534", "--clear-groups", "lpadmin", "-h", &h, "-p", "noneq", "-E", "-v", "file:///dev/null"]).stdin(Stdio::null()).output().expect("lpadmin");
    assert!(!none.status.success());
    let audit = std::fs::read_to_string(server.dir().join("log/audit_log")).unwrap_or_default();
    assert!(audit.contains("auth-failed user=\"root\""), "audit log records the failure:\n{audit}");
    assert!(audit.contains("auth-ok user=\"root\""), "audit log records the success:\n{audit}");
    assert!(audit.contains("denied user=\"nobody\""), "audit log records the refusal:\n{audit}");
}

#[test]
fn a_pin_job_is_held_encrypted_survives_kill_9_and_prints_only_with_its_pin() {
    let Some((mut server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let id = lp(&server, &["-d", "office", "-o", "job-password=4321", &pdf.to_string_lossy()]);
    let (state, reasons) = job_state(&server, id);
    assert_eq!(state, 4, "held (pending-held)");
    assert!(reasons.iter().any(|r| r == "job-password-wait"), "{reasons:?}");
    let spool = server.dir().join("spool");
    assert_eq!(plaintext_in(&spool), Vec::<PathBuf>::new(), "no plaintext in the spool or the job store");
    server.kill9_and_restart().expect("kill -9 and restart");
    assert_eq!(job_state(&server, id).0, 4, "still held after kill -9");
    assert_eq!(plaintext_in(&spool), Vec::<PathBuf>::new(), "still encrypted after kill -9");
    let pin = |p: &str| vec![Attribute::new("job-password", Value::OctetString(p.as_bytes().to_vec()))];
    let (_, wrong) = ipp(&server, None, &job_request(&server, 0x000D, id, "root", pin("9999")));
    assert_eq!(wrong.map(|m| m.code), Some(0x0403), "a wrong PIN is refused");
    assert_eq!(job_state(&server, id).0, 4);
    let (_, right) = ipp(&server, None, &job_request(&server, 0x000D, id, "root", pin("4321")));
    assert_eq!(right.map(|m| m.code), Some(0), "the right PIN releases");
    assert!(wait_until(Duration::from_secs(30), || job_state(&server, id).0 == 9), "the job completes");
    assert!(printed(&server).contains(MARKER), "the printer got the plaintext");
    assert!(wait_until(Duration::from_secs(10), || plaintext_in(&spool).is_empty()), "nothing readable left");
}

#[test]
fn only_the_owner_releases_cancels_or_reads_a_confidential_job() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let conf = [Attribute::new("quire-confidential", Value::Boolean(true))];
    let submit = |user: &str, pw: &str| -> i32 {
        let mut m = job_request(&server, 0x0005, 0, user, conf.to_vec());
        m.groups[0].push(Attribute::new("job-name", Value::Name("payslips".into())));
        let (_, r) = ipp(&server, Some((user, pw)), &m);
        let r = r.expect("Create-Job answer");
        r.group(DelimiterTag::Job).and_then(|g| g.get("job-id")).and_then(|a| a.first_i32()).expect("job-id")
    };
    let id = submit("alice", "alicepw");
    let mut send = job_request(&server, 0x0006, id, "alice", vec![Attribute::new("last-document", Value::Boolean(true))]);
    send.groups[0].push(Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())));
    let mut body = send.encode();
    body.extend(std::fs::read(&pdf).expect("pdf"));
    let resp = String::from_utf8_lossy(&raw_post(&server, Some(("alice", "alicepw")), &body)).into_owned();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(job_state(&server, id).0, 4, "held");
    // Bob, authenticated: may not release, cancel, or see its name or documents.
    let (_, r) = ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x000D, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not release alice's job");
    let (_, r) = ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0008, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not cancel alice's job");
    let (_, r) = ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0009, id, "bob", Vec::new()));
    let g = r.expect("answer");
    let job = g.group(DelimiterTag::Job).expect("job group");
    assert!(job.get("job-name").is_none(), "bob sees no name");
    let (_, r) = ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0035, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not list its documents");
    // Claiming to be alice without her password is not enough.
    let (status, r) = ipp(&server, None, &job_request(&server, 0x000D, id, "alice", Vec::new()));
    assert!(status == 401 || r.is_some_and(|m| m.code != 0), "a claimed name does not release");
    assert_eq!(job_state(&server, id).0, 4, "still held");
    // Alice with her password releases it.
    let (_, r) = ipp(&server, Some(("alice", "alicepw")), &job_request(&server, 0x000D, id, "alice", Vec::new()));
    assert_eq!(r.map(|m| m.code), Some(0), "alice releases her job");
    assert!(wait_until(Duration::from_secs(30), || job_state(&server, id).0 == 9), "the job completes");
    assert!(printed(&server).contains(MARKER));
}

#[test]
fn the_owner_deletes_unprinted_and_repeated_failures_lock_the_user_out() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let ids: Vec<i32> = (0..3).map(|_| lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &pdf.to_string_lossy()])).collect();
    for id in &ids {
        assert_eq!(job_state(&server, *id).0, 4);
    }
    // A delete before release: the owner cancels one unprinted.
    let (_, r) = ipp(&server, Some(("alice", "alicepw")), &job_request(&server, 0x0008, ids[2], "alice", Vec::new()));
    assert_eq!(r.map(|m| m.code), Some(0), "alice deletes her held job");
    assert_eq!(job_state(&server, ids[2]).0, 7, "canceled");
    // Three wrong passwords lock alice out (MaxAuthFailures 3); then even the right one is refused.
    for _ in 0..3 {
        let (status, _) = ipp(&server, Some(("alice", "guess")), &job_request(&server, 0x4100, 0, "alice", Vec::new()));
        assert_eq!(status, 401);
    }
    let (status, _) = ipp(&server, Some(("alice", "alicepw")), &job_request(&server, 0x4100, 0, "alice", Vec::new()));
    assert_eq!(status, 403, "locked out");
    let audit = std::fs::read_to_string(server.dir().join("log/audit_log")).unwrap_or_default();
    assert!(audit.contains("auth-locked user=\"alice\""), "{audit}");
    assert_eq!(job_state(&server, ids[0]).0, 4, "nothing released while locked");
}

#[test]
fn release_all_releases_every_held_job_of_the_owner_in_one_request() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let mine: Vec<i32> = (0..3).map(|_| lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &pdf.to_string_lossy()])).collect();
    let theirs = lp(&server, &["-d", "office", "-U", "bob", "-o", "quire-confidential=true", &pdf.to_string_lossy()]);
    let (_, r) = ipp(&server, Some(("alice", "alicepw")), &job_request(&server, 0x4100, 0, "alice", Vec::new()));
    let r = r.expect("answer");
    assert_eq!(r.code, 0);
    let released: Vec<i32> = r.group(DelimiterTag::Job).and_then(|g| g.get("quire-released-job-ids")).map(|a| a.values.iter().filter_map(Value::as_i32).collect()).unwrap_or_default();
    assert_eq!(released, mine, "all of alice's jobs, in submission order");
    for id in &mine {
        assert!(wait_until(Duration::from_secs(30), || job_state(&server, *id).0 == 9), "job {id} completes");
    }
    assert_eq!(job_state(&server, theirs).0, 4, "bob's job stays held");
}

#[test]
fn an_unreleased_job_expires_and_is_deleted_unprinted() {
    let Some((mut server, _pam)) = server() else { return };
    let conf_path = server.dir().join("etc/cupsd.conf");
    let text = std::fs::read_to_string(&conf_path).expect("conf").replace("ConfidentialHoldTime 4h", "ConfidentialHoldTime 2");
    std::fs::write(&conf_path, text).expect("write conf");
    server.kill9_and_restart().expect("restart");
    let pdf = secret_pdf(server.dir());
    // Big enough to be a spool file (not inline in the job store).
    let big = server.dir().join("big.pdf");
    let mut bytes = std::fs::read(&pdf).expect("pdf");
    bytes.extend(std::iter::repeat_n(b'%', 400 * 1024));
    std::fs::write(&big, bytes).expect("write");
    let id = lp(&server, &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &big.to_string_lossy()]);
    assert_eq!(job_state(&server, id).0, 4);
    assert!(wait_until(Duration::from_secs(15), || job_state(&server, id).0 == 7), "canceled when it expires: {:?}\n{}", job_state(&server, id), server.log_tail(30));
    assert!(job_state(&server, id).1.iter().any(|r| r == "quire-job-expired"));
    let spool = server.dir().join("spool/quire");
    assert!(wait_until(Duration::from_secs(5), || std::fs::read_dir(&spool).into_iter().flatten().flatten().all(|e| !e.file_name().to_string_lossy().starts_with(&format!("d{id:05}-")))), "its spool file is gone");
    assert!(!printed(&server).contains(MARKER), "nothing printed");
}
