//! Shared pieces of the confidential-job tests: quired under cupsd's shipped default policy
//! with real PAM (pam_wrapper + pam_matrix, or the system's pam_unix), a PDF whose plaintext
//! can be searched for, raw IPP over HTTP with Basic credentials, and clients run as other
//! uids (`setpriv`), in a terminal (`script`) or with a password on standard input.
//!
//! Everything here needs root: the tests run clients as other users.

use quire_ipp::{Attribute, DelimiterTag, Group, Message, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::pam::PamMatrix;
use crate::process::{exit_code, CmdOutput};
use crate::{cups_tool, Server, Via};

/// The text [`secret_pdf`] carries in the clear, to look for in spools and printer output.
pub const MARKER: &str = "TOPSECRET-MARKER-XYZZY";

/// The pam_matrix accounts of [`server`], as (name, password).
pub const USERS: [(&str, &str); 3] = [("root", "rootpw"), ("alice", "alicepw"), ("bob", "bobpw")];

/// IPP job-state values the tests wait for.
pub const HELD: i32 = 4;
pub const CANCELED: i32 = 7;
pub const COMPLETED: i32 = 9;

/// True when the tests run as uid 0.
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A cupsd.conf with cupsd's default policy (conf/cupsd.conf, as shipped) for a private
/// server on `port` with its socket in `dir`: Basic auth, 3 failures lock a user out.
pub fn conf(port: u16, dir: &Path) -> String {
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../conf/cupsd.conf"))
            .expect("conf/cupsd.conf");
    let policies = &shipped[shipped.find("<Policy default>").expect("default policy")..];
    format!(
        "LogLevel debug\nListen 127.0.0.1:{port}\nListen {}/cups.sock\nDefaultAuthType Basic\n\
         MaxAuthFailures 3\nAuthLockoutTime 60\nConfidentialHoldTime 4h\n\
         <Location />\n  Order allow,deny\n</Location>\n<Location /admin>\n  Order allow,deny\n</Location>\n{policies}",
        dir.display()
    )
}

/// quired started with `env`, then restarted with [`conf`], an audit log and `files_extra`
/// appended to its cups-files.conf, and a queue `office` printing to `out/office.out`.
/// None when no quired binary is built.
pub fn start_with_default_policy(env: &[(&str, &str)], files_extra: &str) -> Option<Server> {
    let mut server = Server::start_quired_with_env(env).expect("start quired")?;
    std::fs::write(server.dir().join("etc/cupsd.conf"), conf(server.port(), server.dir()))
        .expect("write conf");
    let files = server.dir().join("etc/cups-files.conf");
    let text = std::fs::read_to_string(&files).expect("cups-files.conf");
    let audit = format!("AuditLog {}/log/audit_log\n", server.dir().display());
    std::fs::write(&files, format!("{text}{audit}{files_extra}")).expect("write cups-files.conf");
    server.kill9_and_restart().expect("restart with the default policy");
    add_office_queue(&server);
    Some(server)
}

/// Adds the queue `office`, printing to `out/office.out` (see [`printed`]), as root by peer
/// credentials.
pub fn add_office_queue(server: &Server) {
    let uri = format!("file://{}/out/office.out", server.dir().display());
    let out = cups_tool(server, Via::Tcp, "lpadmin", &["-p", "office", "-E", "-v", &uri])
        .expect("lpadmin");
    assert_eq!(out.rc, 0, "root (peer credentials) administers: {}", out.text());
}

/// quired under pam_wrapper with the [`USERS`] and cupsd's default policy; None (with
/// SKIPPED printed) when that is not possible here. Keep the PamMatrix alive with the server.
pub fn server() -> Option<(Server, PamMatrix)> {
    if !is_root() || !PamMatrix::available() {
        crate::skipped("needs root and libpam-wrapper");
        return None;
    }
    let pam_dir = tempfile::tempdir().expect("tempdir").keep();
    let pam = PamMatrix::new(&pam_dir, "cups", &USERS).expect("pam matrix");
    let env = pam.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let Some(server) = start_with_default_policy(&env, "") else {
        crate::skipped("quired binary not built");
        return None;
    };
    Some((server, pam))
}

/// A one-page PDF in `dir` whose content stream carries [`MARKER`] in the clear.
pub fn secret_pdf(dir: &Path) -> PathBuf {
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
    out.push_str(&format!(
        "trailer\n<</Size {}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n",
        objs.len() + 1
    ));
    let path = dir.join("secret.pdf");
    std::fs::write(&path, out).expect("write pdf");
    path
}

/// Every file under `dir` (spool, job store with its WAL) that contains [`MARKER`].
pub fn plaintext_in(dir: &Path) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|b| b.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()))
            {
                hits.push(p);
            }
        }
    }
    hits
}

/// Runs CUPS's `lp` (as root) with `args` and returns the new job's id; fails the test
/// unless it succeeds.
pub fn lp(server: &Server, args: &[&str]) -> i32 {
    let out = cups_tool(server, Via::Tcp, "lp", args).expect("lp");
    assert_eq!(out.rc, 0, "lp {args:?}: {}", out.text());
    crate::cli::parse_request_id(&out.stdout).map(|id| id as i32).expect("request id")
}

/// An IPP request over HTTP with optional Basic credentials: (HTTP status, IPP response).
pub fn ipp(server: &Server, basic: Option<(&str, &str)>, msg: &Message) -> (u16, Option<Message>) {
    let resp = raw_post(server, basic, &msg.encode());
    let status: u16 = String::from_utf8_lossy(&resp)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let at = resp.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4).unwrap_or(resp.len());
    (status, quire_ipp::decode(&resp[at..]).ok().map(|(m, _)| m))
}

/// POSTs `body` to the office queue and returns the whole HTTP response.
pub fn raw_post(server: &Server, basic: Option<(&str, &str)>, body: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).ok();
    let b64 = |t: String| base64::engine::general_purpose::STANDARD.encode(t);
    let auth = basic
        .map(|(u, p)| format!("Authorization: Basic {}\r\n", b64(format!("{u}:{p}"))))
        .unwrap_or_default();
    let head = format!("POST /printers/office HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/ipp\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n", server.port(), body.len());
    s.write_all(head.as_bytes()).and_then(|_| s.write_all(body)).expect("send");
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    resp
}

/// An IPP request `code` on the office queue as `user`, for job `job` when it is > 0, with
/// `extra` operation attributes.
pub fn job_request(
    server: &Server,
    code: u16,
    job: i32,
    user: &str,
    extra: Vec<Attribute>,
) -> Message {
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

/// The job's state and state reasons, asked as root.
pub fn job_state(server: &Server, job: i32) -> (i32, Vec<String>) {
    // As root by peer credentials: a password would count against this client after lockouts.
    let (_, resp) = ipp(server, None, &job_request(server, 0x0009, job, "root", Vec::new()));
    let resp = resp.expect("Get-Job-Attributes answer");
    let g = resp.group(DelimiterTag::Job).expect("job group");
    let state = g.get("job-state").and_then(|a| a.first_i32()).unwrap_or(0);
    let reasons = g
        .get("job-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    (state, reasons)
}

/// What the office queue's file device has received so far.
pub fn printed(server: &Server) -> String {
    std::fs::read(server.dir().join("out/office.out"))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Runs `cmd` as uid/gid 65534 in a pseudo-terminal, typing `input` once the prompt is up.
pub fn as_nobody_in_tty(cmd: &str, input: &str) -> CmdOutput {
    let mut child = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "script",
            "-qec",
            cmd,
            "/dev/null",
        ])
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
    CmdOutput {
        rc: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Quire's own CLI, `quire`, next to the quired binary; None when it is not built.
pub fn quire_binary() -> Option<PathBuf> {
    crate::quired_binary().map(|q| q.with_file_name("quire")).filter(|p| p.is_file())
}

/// How a `quire` command is run: as which uid, with which environment and standard input.
#[derive(Debug, Clone, Default)]
pub struct As {
    /// Run as this uid (and gid) with `setpriv`; None: as the test (root).
    pub uid: Option<u32>,
    /// Extra environment (USER, QUIRE_PASSWORD, QUIRE_PIN, ...).
    pub env: Vec<(String, String)>,
    /// Written to standard input (a pipe, so quire reads secrets from it), then closed.
    pub stdin: String,
}

impl As {
    /// Unprivileged (uid 65534) with login name `user` and no secrets given.
    pub fn user(user: &str) -> As {
        As { uid: Some(65534), env: vec![("USER".into(), user.into())], stdin: String::new() }
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> As {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets what standard input holds.
    pub fn stdin(mut self, text: &str) -> As {
        self.stdin = text.into();
        self
    }
}

/// Runs `quire SUBCOMMAND -h 127.0.0.1:PORT ARGS...` under `timeout -s KILL 30` as `how`
/// says, with a clean environment (no inherited QUIRE_* or CUPS_SERVER).
pub fn quire(bin: &Path, server: &Server, subcommand: &str, args: &[&str], how: &As) -> CmdOutput {
    let mut cmd = Command::new("timeout");
    cmd.args(["-s", "KILL", "30"]);
    if let Some(uid) = how.uid {
        cmd.arg("setpriv").args([
            format!("--reuid={uid}"),
            format!("--regid={uid}"),
            "--clear-groups".into(),
        ]);
    }
    cmd.arg(bin).arg(subcommand).args(["-h", &server.host_port()]).args(args);
    cmd.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("LC_ALL", "C");
    cmd.envs(how.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run quire");
    let mut stdin = child.stdin.take().expect("stdin");
    // quire may exit without reading: a broken pipe here is not an error.
    let _ = stdin.write_all(how.stdin.as_bytes());
    drop(stdin);
    let out = child.wait_with_output().expect("wait for quire");
    CmdOutput {
        rc: exit_code(out.status),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
