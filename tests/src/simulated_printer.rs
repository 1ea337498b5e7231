//! `quire-sim`, the IPP Everywhere printer simulator, as a child process: start one on free
//! ports, inject faults, read its page log, and make marked test PDFs.
//!
//! Every impression the simulator prints is one JSON line in its page log, carrying the
//! `QPAGE:` marker of the page (see [`marked_pdf`]), so a test can prove that each page of
//! each document came out exactly once, whatever printer and job printed it.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::process::{free_port, other, wait_until, ChildGuard, Place};

/// The quire-sim binary: `$QUIRE_SIM_BIN`, else `<target>/<profile>/quire-sim` after one
/// `cargo build -p quire-sim` per test process (so the binary is never stale). `<target>` is
/// `$CARGO_TARGET_DIR` or the workspace's `target/`.
pub fn sim_binary() -> io::Result<PathBuf> {
    if let Some(bin) = std::env::var_os("QUIRE_SIM_BIN") {
        return Ok(PathBuf::from(bin));
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(build_sim).clone().map_err(other)
}

fn build_sim() -> Result<PathBuf, String> {
    let release = !cfg!(debug_assertions);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-q", "-p", "quire-sim"]).current_dir(crate::workspace_root());
    if release {
        cmd.arg("--release");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"));
    let bin = target.join(if release { "release" } else { "debug" }).join("quire-sim");
    match cmd.status() {
        Ok(s) if s.success() => Ok(bin),
        // Offline or locked: an existing build is better than nothing.
        _ if bin.is_file() => Ok(bin),
        res => Err(format!("cannot build quire-sim (cargo build -p quire-sim: {res:?})")),
    }
}

/// A fault to inject at run time (see the `fault_*` start options for flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimFault {
    /// Out of paper after N more impressions (0: now).
    MediaEmptyAfter(u32),
    /// The impression after the next N jams (and is printed again after repair).
    JamAfter(u32),
    Offline,
    /// Close the IPP listener: connections are refused, open ones dropped.
    RefuseConnections,
}

impl SimFault {
    fn form(self) -> String {
        match self {
            SimFault::MediaEmptyAfter(n) => format!("fault=media-empty-after&pages={n}"),
            SimFault::JamAfter(n) => format!("fault=jam-after&pages={n}"),
            SimFault::Offline => "fault=offline".into(),
            SimFault::RefuseConnections => "fault=refuse-connections".into(),
        }
    }
}

/// How to start a simulator. Defaults: name "sim", 60000 ppm (1 ms a page), PDF and PWG
/// raster, no faults.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub name: String,
    pub ppm: u32,
    pub formats: Vec<String>,
    /// `none`, `pin`, `id-card` or `biometric`.
    pub auth: String,
    pub encrypts: bool,
    pub erases_storage: bool,
    /// `printer-make-and-model` as the device reports it (None: the simulator's own).
    pub make_and_model: Option<String>,
    pub media_empty_after: Option<u32>,
    pub jam_after: Option<u32>,
    pub offline: bool,
    pub refuse_connections: bool,
    /// Keep received documents in this directory.
    pub keep: Option<PathBuf>,
    pub extra_args: Vec<String>,
    /// Where it runs (a side of the simulated LAN); its files stay on the shared disk.
    pub place: Place,
    /// The address its IPP listener binds (127.0.0.1; 0.0.0.0 to be reached from a LAN too).
    pub listen_ip: std::net::Ipv4Addr,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            name: "sim".into(),
            ppm: 60_000,
            formats: vec!["application/pdf".into(), "image/pwg-raster".into()],
            auth: "none".into(),
            encrypts: false,
            erases_storage: false,
            make_and_model: None,
            media_empty_after: None,
            jam_after: None,
            offline: false,
            refuse_connections: false,
            keep: None,
            extra_args: Vec::new(),
            place: Place::here(),
            listen_ip: std::net::Ipv4Addr::LOCALHOST,
        }
    }
}

impl SimOptions {
    pub fn new() -> SimOptions {
        SimOptions::default()
    }
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }
    pub fn ppm(mut self, ppm: u32) -> Self {
        self.ppm = ppm;
        self
    }
    pub fn formats(mut self, formats: &[&str]) -> Self {
        self.formats = formats.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn auth(mut self, method: &str) -> Self {
        self.auth = method.into();
        self
    }
    pub fn encrypts(mut self, on: bool) -> Self {
        self.encrypts = on;
        self
    }
    pub fn erases_storage(mut self, on: bool) -> Self {
        self.erases_storage = on;
        self
    }
    pub fn make_and_model(mut self, text: &str) -> Self {
        self.make_and_model = Some(text.into());
        self
    }
    pub fn media_empty_after(mut self, n: u32) -> Self {
        self.media_empty_after = Some(n);
        self
    }
    pub fn jam_after(mut self, n: u32) -> Self {
        self.jam_after = Some(n);
        self
    }
    pub fn offline(mut self, on: bool) -> Self {
        self.offline = on;
        self
    }
    pub fn refuse_connections(mut self, on: bool) -> Self {
        self.refuse_connections = on;
        self
    }
    pub fn keep(mut self, dir: &Path) -> Self {
        self.keep = Some(dir.to_path_buf());
        self
    }
    pub fn arg(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.into());
        self
    }
    /// Runs the simulator at `place` (its ports are that host's loopback ports).
    pub fn at(mut self, place: &Place) -> Self {
        self.place = place.clone();
        self
    }
    /// Binds the IPP listener to `ip` (0.0.0.0: loopback and the LAN); [`Sim::uri`] stays
    /// on 127.0.0.1.
    pub fn listen_on(mut self, ip: std::net::Ipv4Addr) -> Self {
        self.listen_ip = ip;
        self
    }
    pub fn start(self) -> io::Result<Sim> {
        Sim::start(self)
    }

    fn args(&self, port: u16, control: u16, log: &Path) -> Vec<String> {
        let mut a: Vec<String> = vec![
            "--listen".into(),
            format!("{}:{port}", self.listen_ip),
            "--control".into(),
            format!("127.0.0.1:{control}"),
            "--name".into(),
            self.name.clone(),
            "--ppm".into(),
            self.ppm.to_string(),
            "--formats".into(),
            self.formats.join(","),
            "--auth".into(),
            self.auth.clone(),
            "--page-log".into(),
            log.display().to_string(),
        ];
        let flags = [
            (self.encrypts, "--encrypts"),
            (self.erases_storage, "--erases-storage"),
            (self.offline, "--offline"),
            (self.refuse_connections, "--refuse-connections"),
        ];
        a.extend(flags.iter().filter(|f| f.0).map(|f| f.1.to_string()));
        for (flag, n) in
            [("--media-empty-after", self.media_empty_after), ("--jam-after", self.jam_after)]
        {
            if let Some(n) = n {
                a.extend([flag.to_string(), n.to_string()]);
            }
        }
        if let Some(mm) = &self.make_and_model {
            a.extend(["--make-and-model".to_string(), mm.clone()]);
        }
        if let Some(dir) = &self.keep {
            a.extend(["--keep".to_string(), dir.display().to_string()]);
        }
        a.extend(self.extra_args.iter().cloned());
        a
    }
}

/// A running simulator, killed when dropped.
pub struct Sim {
    pub name: String,
    pub port: u16,
    pub control_port: u16,
    dir: TempDir,
    child: ChildGuard,
    place: Place,
}

impl Sim {
    /// Starts the simulator on two free ports; again on two others (up to 5 tries) when one was
    /// taken meanwhile (`free_port` finds a port free, then lets it go: another test's
    /// connection may get it first).
    pub fn start(opts: SimOptions) -> io::Result<Sim> {
        let mut tries = 0;
        loop {
            match Sim::start_once(opts.clone()) {
                Err(e) if tries < 4 && e.to_string().contains("Address already in use") => {
                    tries += 1
                }
                other => return other,
            }
        }
    }

    fn start_once(opts: SimOptions) -> io::Result<Sim> {
        let bin = sim_binary()?;
        let dir = tempfile::Builder::new().prefix("quire-sim-").tempdir()?;
        let (port, control_port) = (free_port()?, free_port()?);
        let log = File::create(dir.path().join("stderr.log"))?;
        let mut cmd: Command = opts.place.command(&bin);
        cmd.args(opts.args(port, control_port, &dir.path().join("pages.jsonl")))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = ChildGuard::spawn("quire-sim", &mut cmd)?;
        let mut sim = Sim { name: opts.name, port, control_port, dir, child, place: opts.place };
        let ready = wait_until(Duration::from_secs(20), || {
            sim.child.check_alive().is_ok() && sim.stderr_log().contains("quire-sim: listening on")
        });
        if !ready {
            let alive = sim.child.check_alive();
            return Err(other(format!("quire-sim not ready ({alive:?}):\n{}", sim.stderr_log())));
        }
        Ok(sim)
    }

    /// `ipp://127.0.0.1:PORT/ipp/print`.
    pub fn uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/ipp/print", self.port)
    }

    /// The control listener, `127.0.0.1:PORT` (for `quire-sim ctl`).
    pub fn control_addr(&self) -> String {
        format!("127.0.0.1:{}", self.control_port)
    }

    pub fn page_log_path(&self) -> PathBuf {
        self.dir.path().join("pages.jsonl")
    }

    /// What the simulator wrote to stdout and stderr so far.
    pub fn stderr_log(&self) -> String {
        fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    pub fn fault(&self, fault: SimFault) -> io::Result<SimStatus> {
        self.post_control(&fault.form())
    }

    /// Clears every fault; printing resumes with the next unprinted page.
    pub fn repair(&self) -> io::Result<SimStatus> {
        self.post_control("repair=1")
    }

    pub fn status(&self) -> io::Result<SimStatus> {
        let body = self.control("GET", "/status", None)?;
        SimStatus::parse(&body).ok_or_else(|| other(format!("bad status JSON: {body}")))
    }

    /// Every printed impression so far, in order.
    pub fn page_log(&self) -> io::Result<Vec<PageRecord>> {
        let text = match fs::read_to_string(self.page_log_path()) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            res => res?,
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| PageRecord::parse(l).ok_or_else(|| other(format!("bad page log line: {l}"))))
            .collect()
    }

    /// Polls the status until `done` holds; the last status comes back in the error otherwise.
    pub fn wait_for(
        &self,
        limit: Duration,
        mut done: impl FnMut(&SimStatus) -> bool,
    ) -> io::Result<SimStatus> {
        let start = Instant::now();
        loop {
            let status = self.status()?;
            if done(&status) {
                return Ok(status);
            }
            if start.elapsed() >= limit {
                return Err(other(format!(
                    "quire-sim: condition not met in {limit:?}; status {status:?}"
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until no job is pending or processing.
    pub fn wait_idle(&self, limit: Duration) -> io::Result<SimStatus> {
        self.wait_for(limit, |s| s.jobs.iter().all(|j| j.is_terminal()))
    }

    fn post_control(&self, form: &str) -> io::Result<SimStatus> {
        let body = self.control("POST", "/control", Some(form))?;
        SimStatus::parse(&body).ok_or_else(|| other(format!("bad status JSON: {body}")))
    }

    /// One HTTP/1.1 request to the control listener (at the simulator's place).
    fn control(&self, method: &str, path: &str, form: Option<&str>) -> io::Result<String> {
        let port = self.control_port;
        self.place.in_netns(|| control_exchange(port, method, path, form))?
    }
}

/// One HTTP/1.1 request to a simulator's control listener on 127.0.0.1:`port`; the body of a
/// 200 answer.
fn control_exchange(port: u16, method: &str, path: &str, form: Option<&str>) -> io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = form.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let (head, body) =
        raw.split_once("\r\n\r\n").ok_or_else(|| other(format!("bad answer: {raw}")))?;
    if head.split_whitespace().nth(1) != Some("200") {
        return Err(other(format!("{method} {path}: {head}\n{body}")));
    }
    Ok(body.to_string())
}

/// One line of the page log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRecord {
    pub printer: String,
    pub job_id: i32,
    pub job_name: String,
    pub user: String,
    pub document: u32,
    pub copy: u32,
    pub page: u32,
    pub marker: Option<String>,
    pub ms: u64,
}

impl PageRecord {
    pub fn parse(line: &str) -> Option<PageRecord> {
        let v = Json::parse(line)?;
        Some(PageRecord {
            printer: v.get("printer")?.str()?.into(),
            job_id: v.get("job-id")?.int()? as i32,
            job_name: v.get("job-name")?.str()?.into(),
            user: v.get("user")?.str()?.into(),
            document: v.get("document")?.int()? as u32,
            copy: v.get("copy")?.int()? as u32,
            page: v.get("page")?.int()? as u32,
            marker: v.get("marker")?.str().map(String::from),
            ms: v.get("ms")?.int()? as u64,
        })
    }
}

/// `GET /status`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimStatus {
    /// `idle`, `processing` or `stopped`.
    pub state: String,
    /// printer-state-reasons, e.g. `["media-empty-error"]` (`["none"]` when fine).
    pub reasons: Vec<String>,
    pub message: String,
    pub refusing_connections: bool,
    /// Impressions printed since start.
    pub printed: u64,
    pub jobs: Vec<SimJob>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimJob {
    pub id: i32,
    pub name: String,
    pub user: String,
    /// `pending`, `processing`, `canceled`, `aborted` or `completed`.
    pub state: String,
    pub reasons: Vec<String>,
    pub documents: u32,
    pub copies: u32,
    pub printed: u32,
    pub impressions: u32,
}

impl SimJob {
    pub fn is_terminal(&self) -> bool {
        matches!(self.state.as_str(), "canceled" | "aborted" | "completed")
    }
}

impl SimStatus {
    pub fn parse(text: &str) -> Option<SimStatus> {
        let v = Json::parse(text)?;
        let strs = |v: &Json| -> Option<Vec<String>> {
            v.arr()?.iter().map(|s| s.str().map(String::from)).collect()
        };
        let jobs = v.get("jobs")?.arr()?.iter().map(|j| {
            Some(SimJob {
                id: j.get("id")?.int()? as i32,
                name: j.get("name")?.str()?.into(),
                user: j.get("user")?.str()?.into(),
                state: j.get("state")?.str()?.into(),
                reasons: strs(j.get("reasons")?)?,
                documents: j.get("documents")?.int()? as u32,
                copies: j.get("copies")?.int()? as u32,
                printed: j.get("printed")?.int()? as u32,
                impressions: j.get("impressions")?.int()? as u32,
            })
        });
        Some(SimStatus {
            state: v.get("state")?.str()?.into(),
            reasons: strs(v.get("reasons")?)?,
            message: v.get("message")?.str()?.into(),
            refusing_connections: v.get("faults")?.get("refuse-connections")? == &Json::Bool(true),
            printed: v.get("printed")?.int()? as u64,
            jobs: jobs.collect::<Option<Vec<_>>>()?,
        })
    }

    pub fn job(&self, id: i32) -> Option<&SimJob> {
        self.jobs.iter().find(|j| j.id == id)
    }
}

/// A JSON value: just enough to read the simulator's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value()?;
        p.ws();
        (p.i == p.s.len()).then_some(v)
    }
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Json::Num(n) if n.fract() == 0.0 => Some(*n as i64),
            _ => None,
        }
    }
    pub fn arr(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, lit: &str) -> bool {
        let ok = self.s[self.i..].starts_with(lit.as_bytes());
        self.i += if ok { lit.len() } else { 0 };
        ok
    }
    fn value(&mut self) -> Option<Json> {
        self.ws();
        match *self.s.get(self.i)? {
            b'n' => self.eat("null").then_some(Json::Null),
            b't' => self.eat("true").then_some(Json::Bool(true)),
            b'f' => self.eat("false").then_some(Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if !self.eat("]") {
                    loop {
                        items.push(self.value()?);
                        self.ws();
                        if self.eat("]") {
                            break;
                        }
                        self.eat(",").then_some(())?;
                    }
                }
                Some(Json::Arr(items))
            }
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if !self.eat("}") {
                    loop {
                        self.ws();
                        let key = self.string()?;
                        self.ws();
                        self.eat(":").then_some(())?;
                        members.push((key, self.value()?));
                        self.ws();
                        if self.eat("}") {
                            break;
                        }
                        self.eat(",").then_some(())?;
                    }
                }
                Some(Json::Obj(members))
            }
            _ => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(|b| b"+-.eE0123456789".contains(b)) {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i]).ok()?.parse().ok().map(Json::Num)
            }
        }
    }
    fn string(&mut self) -> Option<String> {
        self.eat("\"").then_some(())?;
        let mut out = String::new();
        loop {
            let rest = std::str::from_utf8(&self.s[self.i..]).ok()?;
            let c = rest.chars().next()?;
            self.i += c.len_utf8();
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    out.push(match e {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let hex = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            self.i += 4;
                            char::from_u32(u32::from_str_radix(hex, 16).ok()?).unwrap_or('\u{fffd}')
                        }
                        other => other as char,
                    });
                }
                c => out.push(c),
            }
        }
    }
}

/// A PDF of `pages` Letter pages; page n shows the string `QPAGE:<tag>:p<n>` (drawn with
/// `Tj`, uncompressed), which the simulator logs as the page's marker.
pub fn marked_pdf(tag: &str, pages: u32) -> Vec<u8> {
    let escaped: String = tag
        .chars()
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let font = 3 + 2 * pages;
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages).map(|i| format!("{} 0 R", 3 + 2 * i)).collect::<Vec<_>>().join(" ")
        ),
    ];
    for n in 1..=pages {
        let content = format!("BT /F1 24 Tf 72 720 Td (QPAGE:{escaped}:p{n}) Tj ET");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
             /Resources << /Font << /F1 {font} 0 R >> >> >>",
            4 + 2 * (n - 1)
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()));
    }
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into());
    pdf_from_objects(&objects)
}

/// A well-formed PDF whose page tree is empty.
pub fn empty_pdf() -> Vec<u8> {
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [] /Count 0 >>".into(),
    ])
}

/// Numbers `objects` from 1 and writes them with a cross-reference table; object 1 is the root.
fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    let trailer = format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(trailer.as_bytes());
    out
}

/// Writes [`marked_pdf`] to `path`.
pub fn write_marked_pdf(path: &Path, tag: &str, pages: u32) -> io::Result<()> {
    fs::write(path, marked_pdf(tag, pages))
}

/// The markers `QPAGE:<tag>:p1` .. `p<pages>`, for comparing with a page log.
pub fn expected_markers(tag: &str, pages: u32) -> Vec<String> {
    (1..=pages).map(|n| format!("QPAGE:{tag}:p{n}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_page_records() {
        let line = r#"{"printer":"a","job-id":3,"job-name":"x \"y\"","user":"u","document":1,"copy":2,"page":7,"marker":null,"ms":1700000000123}"#;
        let r = PageRecord::parse(line).expect("record");
        assert_eq!((r.job_id, r.copy, r.page, r.marker.clone()), (3, 2, 7, None));
        assert_eq!(r.job_name, "x \"y\"");
        assert_eq!(r.ms, 1_700_000_000_123);
        let line = line.replace("null", r#""QPAGE:t:p7\u00e9""#);
        assert_eq!(PageRecord::parse(&line).and_then(|r| r.marker), Some("QPAGE:t:p7é".into()));
        assert_eq!(PageRecord::parse("{\"printer\":"), None);
    }

    #[test]
    fn marked_pdf_has_a_sound_xref() {
        let pdf = marked_pdf("t(1)", 3);
        let find =
            |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle).expect("found");
        assert!(find(b"(QPAGE:t\\(1\\):p3) Tj") > 0);
        let tail = String::from_utf8_lossy(&pdf[find(b"startxref\n")..]).into_owned();
        let start: usize = tail.lines().nth(1).and_then(|s| s.parse().ok()).expect("startxref");
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        assert!(table.starts_with("xref\n0 10\n"), "{table}");
        // Object 4 (page 1's content) starts where the table says.
        let off: usize = table.lines().nth(6).and_then(|l| l[..10].parse().ok()).expect("offset");
        assert!(pdf[off..].starts_with(b"4 0 obj"));
    }
}
