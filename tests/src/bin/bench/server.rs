//! A print server under benchmark: private directories, the shared cupsd-style config, and
//! stop (SIGTERM) / start again on the same directories, which the test harness's `Server`
//! does not offer.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire_tests::process::{free_port, other, run_with_timeout, ChildGuard, CmdOutput};
use quire_tests::ServerKind;

use crate::client::{self, Conn};

/// The one queue the bench uses on each server.
pub const QUEUE: &str = "Q";

/// Config knobs shared by both servers.
#[derive(Debug, Clone, Copy)]
pub struct ConfigOpts {
    /// cupsd: write job files as soon as possible (`DirtyCleanInterval 0`) and fsync them
    /// (`SyncOnClose Yes`), to compare against quired's durable store on equal terms.
    pub cupsd_durable: bool,
}

pub struct BenchServer {
    kind: ServerKind,
    binary: PathBuf,
    root: PathBuf,
    port: u16,
    child: Option<ChildGuard>,
}

impl BenchServer {
    /// Writes the config under `root` (which must not exist yet) and starts the server.
    pub fn start(kind: ServerKind, binary: &Path, root: &Path, opts: ConfigOpts) -> io::Result<BenchServer> {
        let port = free_port()?;
        write_config(root, port, opts)?;
        let mut server =
            BenchServer { kind, binary: binary.to_path_buf(), root: root.to_path_buf(), port, child: None };
        server.spawn()?;
        // Any IPP answer at all means the server is up (the queue does not exist yet).
        let uri = server.printer_uri();
        let ready = wait_for(Duration::from_secs(30), || {
            probe(port, &client::get_printer_attributes(&uri)).is_some()
        });
        if ready.is_none() {
            return Err(other(format!("{kind} did not answer in 30 s; logs:\n{}", server.log_tail(40))));
        }
        Ok(server)
    }

    fn spawn(&mut self) -> io::Result<()> {
        let out = File::options().create(true).append(true).open(self.root.join("log/stdout.log"))?;
        let mut cmd = Command::new(&self.binary);
        cmd.arg("-f")
            .arg("-c")
            .arg(self.root.join("etc/cupsd.conf"))
            .arg("-s")
            .arg(self.root.join("etc/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        self.child = Some(ChildGuard::spawn(&self.kind.to_string(), &mut cmd)?);
        Ok(())
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(ChildGuard::id)
    }

    pub fn printer_uri(&self) -> String {
        format!("ipp://127.0.0.1:{}/printers/{QUEUE}", self.port)
    }

    pub fn printer_path(&self) -> String {
        format!("/printers/{QUEUE}")
    }

    pub fn is_alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| c.check_alive().is_ok())
    }

    /// Sends SIGTERM and waits (up to `limit`) for the process to exit; returns how long it took.
    /// Kills it (SIGKILL) if it does not exit in time.
    pub fn stop(&mut self, limit: Duration) -> io::Result<Duration> {
        let pid = self.pid().ok_or_else(|| other(format!("{} not running", self.kind)))?;
        let t0 = Instant::now();
        let out = run_with_timeout(10, "kill", &["-TERM".into(), pid.to_string()], None, &[])?;
        if out.rc != 0 {
            return Err(other(format!("kill -TERM {pid} failed: {}", out.text())));
        }
        let child = self.child.as_mut().expect("pid implies child");
        while child.check_alive().is_ok() {
            if t0.elapsed() > limit {
                self.child = None; // SIGKILL + reap
                return Err(other(format!("{} did not exit within {limit:?} of SIGTERM", self.kind)));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let took = t0.elapsed();
        self.child = None;
        Ok(took)
    }

    /// Starts the server again on the same directories and times until Get-Printer-Attributes
    /// on the queue succeeds.
    pub fn restart_timed(&mut self, limit: Duration) -> io::Result<Duration> {
        let body = client::get_printer_attributes(&self.printer_uri());
        let port = self.port;
        let t0 = Instant::now();
        self.spawn()?;
        let ready = wait_for(limit, || probe(port, &body).is_some_and(client::is_ok));
        match ready {
            Some(_) => Ok(t0.elapsed()),
            None => Err(other(format!(
                "{} did not answer Get-Printer-Attributes within {limit:?} of restart; logs:\n{}",
                self.kind,
                self.log_tail(40)
            ))),
        }
    }

    /// Runs a CUPS command-line tool (`lpadmin`, `cancel`, ...) against this server over TCP.
    pub fn cups_tool(&self, secs: u64, program: &str, args: &[&str]) -> io::Result<CmdOutput> {
        let host = format!("127.0.0.1:{}", self.port);
        let mut full = vec!["-h".to_string(), host.clone()];
        full.extend(args.iter().map(|a| a.to_string()));
        let env = [
            ("CUPS_SERVER".to_string(), host),
            ("HOME".to_string(), self.root.to_string_lossy().into_owned()),
            ("LANG".to_string(), "C".to_string()),
            ("LC_ALL".to_string(), "C".to_string()),
        ];
        run_with_timeout(secs, program, &full, None, &env)
    }

    /// VmRSS and VmHWM of the server process, in KiB, from /proc/PID/status.
    pub fn rss_kib(&self) -> Option<(u64, u64)> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// User + system CPU time the server process (all its threads) has used so far, from
    /// /proc/PID/stat (clock ticks of 1/100 s, Linux's USER_HZ).
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid()?)).ok()?;
        // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
        let rest = &stat[stat.rfind(')')? + 1..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// The last `lines` lines of the server's stdout/stderr and error log.
    pub fn log_tail(&self, lines: usize) -> String {
        let tail = |p: PathBuf| {
            let text = fs::read_to_string(&p).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            let from = all.len().saturating_sub(lines);
            format!("==> {} <==\n{}\n", p.display(), all[from..].join("\n"))
        };
        tail(self.root.join("log/stdout.log")) + &tail(self.root.join("log/error_log"))
    }
}

/// One request on a fresh connection to `/printers/Q`; the IPP status, or None if no answer.
pub fn probe(port: u16, body: &[u8]) -> Option<u16> {
    let mut conn = Conn::connect(port, Duration::from_secs(2)).ok()?;
    conn.call_status(&format!("/printers/{QUEUE}"), body).ok()
}

/// Polls `f` every 5 ms until it returns true or `limit` passes; the elapsed time on success.
fn wait_for(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let t0 = Instant::now();
    loop {
        if f() {
            return Some(t0.elapsed());
        }
        if t0.elapsed() >= limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Writes `etc/cupsd.conf` and `etc/cups-files.conf` plus the directories they name under `root`.
/// Same layout as the test harness's config, with the settings a 10,000-job benchmark needs.
pub fn write_config(root: &Path, port: u16, opts: ConfigOpts) -> io::Result<()> {
    for sub in ["etc/ppd", "etc/ssl", "spool/tmp", "state", "cache", "log", "out"] {
        fs::create_dir_all(root.join(sub))?;
    }
    fs::set_permissions(root, fs::Permissions::from_mode(0o755))?;
    fs::set_permissions(root.join("out"), fs::Permissions::from_mode(0o777))?;
    let r = root.display();
    let dirty = if opts.cupsd_durable { "DirtyCleanInterval 0\n" } else { "" };
    let sync = if opts.cupsd_durable { "SyncOnClose Yes\n" } else { "" };
    let conf = format!(
        "# Written by quire-bench.\n\
         LogLevel warn\n\
         MaxLogSize 0\n\
         Listen 127.0.0.1:{port}\n\
         Listen {r}/cups.sock\n\
         Browsing No\n\
         WebInterface No\n\
         DefaultAuthType Basic\n\
         DefaultEncryption Never\n\
         MaxJobs 0\n\
         MaxJobsPerPrinter 0\n\
         MaxJobsPerUser 0\n\
         PreserveJobHistory Yes\n\
         PreserveJobFiles No\n\
         {dirty}\
         <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
         <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    );
    let files = format!("{}{sync}", quire_tests::server::cups_files_conf(&r.to_string()));
    fs::write(root.join("etc/cupsd.conf"), conf)?;
    fs::write(root.join("etc/cups-files.conf"), files)
}
