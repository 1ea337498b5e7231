//! The two print servers under test, started the same way from the same cupsd-style config files.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;

use crate::ippeve::path_str;
use crate::process::{self, free_port, other, run_with_timeout, wait_until, ChildGuard, Place};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// The real CUPS 2.4 scheduler, the reference.
    Cupsd,
    /// Quire's daemon.
    Quired,
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServerKind::Cupsd => "cupsd",
            ServerKind::Quired => "quired",
        })
    }
}

/// A running print server with private directories; killed on drop.
///
/// Its temp dir (config, spool, state, logs) is kept when the thread is panicking, so a failed
/// test leaves the logs behind; the path is printed.
pub struct Server {
    kind: ServerKind,
    port: u16,
    /// The private directory; `temp` owns it unless the caller chose it
    /// ([`Server::start_configured_in`]).
    root: PathBuf,
    temp: Option<TempDir>,
    child: ChildGuard,
    binary: PathBuf,
    env: Vec<(String, String)>,
    /// Where it runs: here, or a side of the simulated LAN.
    place: Place,
}

impl Server {
    /// Runs `/usr/sbin/cupsd -f -c cupsd.conf -s cups-files.conf`.
    pub fn start_cupsd() -> io::Result<Server> {
        Server::start(ServerKind::Cupsd, Path::new("/usr/sbin/cupsd"))
    }

    /// Runs `quired -f -c cupsd.conf -s cups-files.conf` with the same files cupsd gets.
    /// `Ok(None)` when no quired binary has been built (see [`quired_binary`]).
    pub fn start_quired() -> io::Result<Option<Server>> {
        match quired_binary() {
            Some(bin) => Server::start(ServerKind::Quired, &bin).map(Some),
            None => Ok(None),
        }
    }

    /// [`Server::start_quired`], then `extra` appended to its cupsd.conf and a restart to read
    /// it (for Quire-only directives).
    pub fn start_quired_with_conf(extra: &str) -> io::Result<Option<Server>> {
        let Some(mut server) = Server::start_quired()? else { return Ok(None) };
        let conf = server.dir().join("etc/cupsd.conf");
        let text = fs::read_to_string(&conf)?;
        fs::write(&conf, format!("{text}{extra}\n"))?;
        server.kill9_and_restart()?;
        Ok(Some(server))
    }

    /// Like [`Server::start_quired`], with extra environment variables for the daemon
    /// (e.g. `QUIRE_CUPS_SERVERBIN` to point it at test CUPS backends).
    pub fn start_quired_with_env(env: &[(&str, &str)]) -> io::Result<Option<Server>> {
        match quired_binary() {
            Some(bin) => Server::start_with_env(ServerKind::Quired, &bin, env).map(Some),
            None => Ok(None),
        }
    }

    pub fn start(kind: ServerKind, binary: &Path) -> io::Result<Server> {
        Server::start_with_env(kind, binary, &[])
    }

    pub fn start_with_env(
        kind: ServerKind,
        binary: &Path,
        env: &[(&str, &str)],
    ) -> io::Result<Server> {
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Server::start_configured(kind, binary, &env, |root, port| {
            Ok((
                cupsd_conf(&format!("{}/cups.sock", root.display()), port),
                cups_files_conf(&root.display().to_string()),
            ))
        })
    }

    /// Starts `binary` on a fresh private directory and port with the cupsd.conf and
    /// cups-files.conf texts `write(dir, port)` returns (the directories they usually name,
    /// etc/ spool/ state/ cache/ log/ out/, exist by then).
    pub fn start_configured(
        kind: ServerKind,
        binary: &Path,
        env: &[(String, String)],
        write: impl FnOnce(&Path, u16) -> io::Result<(String, String)>,
    ) -> io::Result<Server> {
        Server::start_configured_at(&Place::here(), kind, binary, env, write)
    }

    /// [`Server::start_configured`] at `place` (inside a side of the simulated LAN, say):
    /// the server and the readiness probe run there; its directory is on the shared disk.
    pub fn start_configured_at(
        place: &Place,
        kind: ServerKind,
        binary: &Path,
        env: &[(String, String)],
        write: impl FnOnce(&Path, u16) -> io::Result<(String, String)>,
    ) -> io::Result<Server> {
        let dir = tempfile::Builder::new().prefix(&format!("quire-{kind}-")).tempdir()?;
        let root = dir.path().to_path_buf();
        Server::launch(place, kind, binary, env, root, Some(dir), write)
    }

    /// [`Server::start_configured`] in `root` (created if missing, left behind for the caller
    /// to keep or remove): a benchmark keeps its servers on the disk it measures.
    pub fn start_configured_in(
        root: &Path,
        kind: ServerKind,
        binary: &Path,
        env: &[(String, String)],
        write: impl FnOnce(&Path, u16) -> io::Result<(String, String)>,
    ) -> io::Result<Server> {
        Server::launch(&Place::here(), kind, binary, env, root.to_path_buf(), None, write)
    }

    fn launch(
        place: &Place,
        kind: ServerKind,
        binary: &Path,
        env: &[(String, String)],
        root: PathBuf,
        temp: Option<TempDir>,
        write: impl FnOnce(&Path, u16) -> io::Result<(String, String)>,
    ) -> io::Result<Server> {
        let port = free_port()?;
        make_dirs(&root)?;
        let (cupsd, files) = write(&root, port)?;
        fs::write(root.join("etc/cupsd.conf"), cupsd)?;
        fs::write(root.join("etc/cups-files.conf"), files)?;
        let env = env.to_vec();
        let child = Self::spawn(place, kind, binary, &root, &env)?;
        let (binary, place) = (binary.to_path_buf(), place.clone());
        let mut server = Server { kind, port, root, temp, child, binary, env, place };
        server.wait_ready()?;
        Ok(server)
    }

    fn spawn(
        place: &Place,
        kind: ServerKind,
        binary: &Path,
        dir: &Path,
        env: &[(String, String)],
    ) -> io::Result<ChildGuard> {
        let out = File::options().create(true).append(true).open(dir.join("log/stdout.log"))?;
        let mut cmd = place.command(binary);
        cmd.arg("-f")
            .arg("-c")
            .arg(dir.join("etc/cupsd.conf"))
            .arg("-s")
            .arg(dir.join("etc/cups-files.conf"))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        ChildGuard::spawn(&kind.to_string(), &mut cmd)
    }

    /// `kill -9` the server (nothing gets to flush), then start it again on the same
    /// directories, config and port.
    pub fn kill9_and_restart(&mut self) -> io::Result<()> {
        self.child.kill();
        self.child = Self::spawn(&self.place, self.kind, &self.binary, &self.root, &self.env)?;
        self.wait_ready()
    }

    /// SIGTERM, and how long the server took to exit; one that has not exited within `limit`
    /// is killed (SIGKILL) and that is an error.
    pub fn stop(&mut self, limit: Duration) -> io::Result<Duration> {
        let pid = self.pid().ok_or_else(|| other(format!("{} not running", self.kind)))?;
        let t0 = Instant::now();
        let out = run_with_timeout(10, "kill", &["-TERM".into(), pid.to_string()], None, &[])?;
        if out.rc != 0 {
            return Err(other(format!("kill -TERM {pid} failed: {}", out.text())));
        }
        while self.child.check_alive().is_ok() {
            if t0.elapsed() > limit {
                self.child.kill();
                return Err(other(format!(
                    "{} did not exit within {limit:?} of SIGTERM",
                    self.kind
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let took = t0.elapsed();
        // Reaped: no pid of ours any more.
        self.child.kill();
        Ok(took)
    }

    /// Starts a stopped server again on the same directories, config and port, and times until
    /// `ready` (polled every 5 ms) says it is: a benchmark's start-up time.
    pub fn restart_timed(
        &mut self,
        limit: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> io::Result<Duration> {
        let t0 = Instant::now();
        self.child = Self::spawn(&self.place, self.kind, &self.binary, &self.root, &self.env)?;
        while !ready() {
            if t0.elapsed() >= limit {
                return Err(other(format!(
                    "{} not ready within {limit:?} of restart; logs:\n{}",
                    self.kind,
                    self.log_tail(40)
                )));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(t0.elapsed())
    }

    /// Stops this server (SIGTERM) and starts `binary`, of kind `kind`, on the same
    /// directories, config and port: a host switching from cupsd to quired and back.
    pub fn switch_to(&mut self, kind: ServerKind, binary: &Path) -> io::Result<()> {
        if self.child.check_alive().is_ok() {
            self.stop(Duration::from_secs(30))?;
        }
        self.kind = kind;
        self.binary = binary.to_path_buf();
        self.child = Self::spawn(&self.place, kind, binary, &self.root, &self.env)?;
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> io::Result<()> {
        let test = crate::data_dir().join("ipptool/server-answers.test");
        let (uri, test) = (format!("{}/", self.uri_base()), path_str(&test));
        // A server that exited (a refused configuration) is not waited for.
        let mut exited = false;
        let ready = wait_until(Duration::from_secs(20), || {
            exited = self.child.check_alive().is_err();
            if exited {
                return true;
            }
            if !self.place.tcp_connects(self.port) {
                return false;
            }
            let args = vec!["-q".into(), "-T".into(), "2".into(), uri.clone(), test.clone()];
            matches!(self.place.run(10, "ipptool", &args, &[]), Ok(o) if o.rc == 0)
        });
        if ready && !exited {
            return Ok(());
        }
        let alive = self.child.check_alive();
        Err(other(format!("{} not ready ({alive:?}); logs:\n{}", self.kind, self.log_tail(60))))
    }

    /// Where the server runs (to run its clients at the same place).
    pub fn place(&self) -> &Place {
        &self.place
    }

    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// The server's process id (to read its /proc entries, find the processes it starts).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// VmRSS and VmHWM of the server process, in KiB.
    pub fn rss_kib(&self) -> Option<(u64, u64)> {
        process::rss_kib(self.pid()?)
    }

    /// User + system CPU time the server process (all its threads) has used so far; with
    /// `reaped_children`, that of the children it has reaped too (cupsd's filters and backends).
    pub fn cpu_time(&self, reaped_children: bool) -> Option<Duration> {
        process::cpu_time(self.pid()?, reaped_children)
    }

    pub fn name(&self) -> String {
        self.kind.to_string()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, for the CUPS tools' `-h`.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `ipp://127.0.0.1:PORT`.
    pub fn uri_base(&self) -> String {
        format!("ipp://127.0.0.1:{}", self.port)
    }

    pub fn printer_uri(&self, queue: &str) -> String {
        format!("{}/printers/{queue}", self.uri_base())
    }

    /// The `Listen` Unix socket (usable as `-h PATH` or `CUPS_SERVER=PATH`).
    pub fn socket_path(&self) -> PathBuf {
        self.dir().join("cups.sock")
    }

    /// The server's private temp dir (etc/, spool/, state/, cache/, log/, out/).
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// A world-writable directory for `file:` device output.
    pub fn out_dir(&self) -> PathBuf {
        self.dir().join("out")
    }

    pub fn error_log(&self) -> PathBuf {
        self.dir().join("log/error_log")
    }

    /// The last `lines` lines of the error log and of stdout/stderr.
    pub fn log_tail(&self, lines: usize) -> String {
        let tail = |p: PathBuf| {
            let text = fs::read_to_string(&p).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            let from = all.len().saturating_sub(lines);
            format!("==> {} <==\n{}\n", p.display(), all[from..].join("\n"))
        };
        tail(self.dir().join("log/stdout.log")) + &tail(self.error_log())
    }

    /// True while the server process is running.
    pub fn is_alive(&mut self) -> bool {
        self.child.check_alive().is_ok()
    }

    /// [`Server::start_configured_in`] without waiting for the server to answer: a benchmark
    /// that times a start on state it put in `root` beforehand does its own waiting.
    pub fn spawn_configured_in(
        root: &Path,
        kind: ServerKind,
        binary: &Path,
        env: &[(String, String)],
        write: impl FnOnce(&Path, u16) -> io::Result<(String, String)>,
    ) -> io::Result<Server> {
        let port = free_port()?;
        make_dirs(root)?;
        let (cupsd, files) = write(root, port)?;
        fs::write(root.join("etc/cupsd.conf"), cupsd)?;
        fs::write(root.join("etc/cups-files.conf"), files)?;
        let env = env.to_vec();
        let place = Place::here();
        let child = Self::spawn(&place, kind, binary, root, &env)?;
        let binary = binary.to_path_buf();
        let root = root.to_path_buf();
        Ok(Server { kind, port, root, temp: None, child, binary, env, place })
    }

    /// Starts a stopped server again on the same directories, config and port, without
    /// waiting for it to answer.
    pub fn respawn(&mut self) -> io::Result<()> {
        self.child = Self::spawn(&self.place, self.kind, &self.binary, &self.root, &self.env)?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.temp.take() {
                eprintln!("{}: keeping config and logs in {}", self.kind, dir.keep().display());
            }
        }
    }
}

/// The binary that runs `kind`: Debian's cupsd, or quired ([`quired_binary`]; `None`, said as
/// skipped, when it is not built).
pub fn server_binary(kind: ServerKind) -> Option<PathBuf> {
    match kind {
        ServerKind::Cupsd => Some(PathBuf::from("/usr/sbin/cupsd")),
        ServerKind::Quired => {
            let found = quired_binary();
            if found.is_none() {
                crate::skipped("quired binary not built");
            }
            found
        }
    }
}

/// The quired binary: `$QUIRED_BIN`, else the newest of `<target>/{debug,release}/quired` where
/// `<target>` is `$CARGO_TARGET_DIR` or the workspace's `target/`.
pub fn quired_binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("QUIRED_BIN") {
        return Some(PathBuf::from(bin)).filter(|p| p.is_file());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"));
    ["debug", "release"]
        .iter()
        .map(|profile| target.join(profile).join("quired"))
        .filter(|p| p.is_file())
        .max_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok())
}

/// Writes `etc/cupsd.conf` and `etc/cups-files.conf` plus the directories they name under `root`.
pub fn write_config(root: &Path, port: u16) -> io::Result<()> {
    make_dirs(root)?;
    let r = root.display();
    fs::write(root.join("etc/cupsd.conf"), cupsd_conf(&format!("{r}/cups.sock"), port))?;
    fs::write(root.join("etc/cups-files.conf"), cups_files_conf(&r.to_string()))
}

/// The directories a private server's config names, under `root`.
fn make_dirs(root: &Path) -> io::Result<()> {
    for sub in ["etc/ppd", "etc/ssl", "spool/tmp", "state", "cache", "log", "out"] {
        fs::create_dir_all(root.join(sub))?;
    }
    // The scheduler runs filters and backends as `lp`: they must be able to reach the spool.
    fs::set_permissions(root, fs::Permissions::from_mode(0o755))?;
    fs::set_permissions(root.join("out"), fs::Permissions::from_mode(0o777))
}

/// The cupsd.conf every private test server gets (LogLevel debug, no rotation, no authentication).
pub fn cupsd_conf(socket: &str, port: u16) -> String {
    // No authentication anywhere: tests run as root on loopback and must never prompt.
    format!(
        "# Written by quire-tests for a private test server.\n\
         LogLevel debug\n\
         MaxLogSize 0\n\
         Listen 127.0.0.1:{port}\n\
         Listen {socket}\n\
         Browsing No\n\
         WebInterface No\n\
         DefaultAuthType Basic\n\
         DefaultEncryption Never\n\
         <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
         <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
}

/// The cups-files.conf every private test server (and the benchmark's) uses.
pub fn cups_files_conf(root: &str) -> String {
    // cupsd refuses `User root`; lp:lp is Debian's default and exists wherever cups is installed.
    format!(
        "# Written by quire-tests for a private test server.\n\
         ServerRoot {root}/etc\n\
         RequestRoot {root}/spool\n\
         TempDir {root}/spool/tmp\n\
         StateDir {root}/state\n\
         CacheDir {root}/cache\n\
         AccessLog {root}/log/access_log\n\
         ErrorLog {root}/log/error_log\n\
         PageLog {root}/log/page_log\n\
         User lp\n\
         Group lp\n\
         SystemGroup root\n\
         Sandboxing Relaxed\n\
         FileDevice Yes\n"
    )
}
