//! Child processes that die with their owner, free ports, polling, and commands with a hard timeout.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (SIGKILL) and reaped when dropped.
pub struct ChildGuard {
    name: String,
    child: Option<Child>,
}

impl ChildGuard {
    pub fn spawn(name: &str, cmd: &mut Command) -> io::Result<ChildGuard> {
        let child = cmd
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start {name}: {e}")))?;
        Ok(ChildGuard { name: name.to_string(), child: Some(child) })
    }

    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// `Err` with a description if the process has already exited.
    pub fn check_alive(&mut self) -> io::Result<()> {
        match self.child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => Ok(()),
            Some(Ok(Some(status))) => Err(other(format!("{} exited early: {status}", self.name))),
            Some(Err(e)) => Err(e),
            None => Err(other(format!("{} already stopped", self.name))),
        }
    }

    pub fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.as_mut().and_then(|c| c.stdout.take())
    }

    pub fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.as_mut().and_then(|c| c.stderr.take())
    }
}

impl ChildGuard {
    /// SIGKILL, then reap.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn other(msg: String) -> io::Error {
    io::Error::other(msg)
}

/// A loopback TCP port that was free a moment ago.
pub fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Polls `probe` every 100 ms until it returns true or `limit` passes.
pub fn wait_until(limit: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if probe() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn tcp_connects(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500)).is_ok()
}

/// The result of a finished command.
#[derive(Debug, Clone)]
pub struct CmdOutput {
    /// Exit code; 137 when `timeout -s KILL` had to stop it (see [`exit_code`]).
    pub rc: i32,
    pub stdout: String,
    pub stderr: String,
}

impl CmdOutput {
    fn from_output(out: Output) -> CmdOutput {
        CmdOutput {
            rc: exit_code(out.status),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// stdout and stderr together, for failure messages.
    pub fn text(&self) -> String {
        format!("rc={}\n--- stdout\n{}--- stderr\n{}", self.rc, self.stdout, self.stderr)
    }
}

/// The exit code, or 128 + signal number like a shell reports it (`timeout -s KILL` kills
/// itself along with the child, so a timed-out run shows as 137).
pub fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(-1)
}

/// Runs `program args...` under `timeout -s KILL secs`, stdin closed, optional cwd and environment.
pub fn run_with_timeout(
    secs: u64,
    program: &str,
    args: &[String],
    cwd: Option<&Path>,
    env: &[(String, String)],
) -> io::Result<CmdOutput> {
    let mut cmd = Command::new("timeout");
    cmd.arg("-s").arg("KILL").arg(secs.to_string()).arg(program).args(args);
    cmd.stdin(Stdio::null());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| other(format!("cannot run {program}: {e}")))?;
    Ok(CmdOutput::from_output(out))
}

/// VmRSS and VmHWM of process `pid`, in KiB, from /proc/PID/status.
pub fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// User + system CPU time process `pid` (all its threads) has used, and with
/// `reaped_children` that of the children it has reaped too, from /proc/PID/stat (clock ticks
/// of 1/100 s, Linux's USER_HZ).
pub fn cpu_time(pid: u32, reaped_children: bool) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15,
    // cutime 16, cstime 17.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let last = if reaped_children { 15 } else { 13 };
    let ticks: u64 =
        (11..last).map(|i| f.get(i).and_then(|v| v.parse::<u64>().ok())).sum::<Option<u64>>()?;
    Some(Duration::from_millis(ticks * 10))
}

/// True when `program` is found on PATH (or is an existing path).
pub fn have_program(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// Where a process runs: on this host, or inside another host's namespaces (a side of the
/// simulated LAN, `crate::mdns_lan`), entered by a launcher prefix such as
/// `nsenter -t PID -m -u -n --` that execs the program (so a child's pid is the program's).
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// Program and arguments put before the command; empty: run it here.
    pub launcher: Vec<String>,
    /// The network namespace the place's sockets live in (`/proc/PID/ns/net`); `None`: ours.
    pub netns: Option<std::path::PathBuf>,
}

impl Place {
    /// This host.
    pub fn here() -> Place {
        Place::default()
    }

    /// `program` to be started at this place (the caller adds arguments and spawns it).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        match self.launcher.split_first() {
            None => Command::new(program),
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg(program);
                cmd
            }
        }
    }

    /// [`run_with_timeout`] at this place (`timeout` wraps the launcher, which execs).
    pub fn run(
        &self,
        secs: u64,
        program: &str,
        args: &[String],
        env: &[(String, String)],
    ) -> io::Result<CmdOutput> {
        let Some((first, rest)) = self.launcher.split_first() else {
            return run_with_timeout(secs, program, args, None, env);
        };
        let mut all: Vec<String> = rest.to_vec();
        all.push(program.to_string());
        all.extend(args.iter().cloned());
        run_with_timeout(secs, first, &all, None, env)
    }

    /// Runs `f` on a thread that joined this place's network namespace (so the sockets it
    /// opens are that host's); on this thread when the place is here.
    pub fn in_netns<T: Send>(&self, f: impl FnOnce() -> T + Send) -> io::Result<T> {
        let Some(path) = &self.netns else { return Ok(f()) };
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let ns = std::fs::File::open(path)?;
                    nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET)
                        .map_err(|e| other(format!("join {}: {e}", path.display())))?;
                    Ok(f())
                })
                .join()
                .map_err(|_| other("a thread in another namespace panicked".into()))?
        })
    }

    /// True when a TCP connection to 127.0.0.1:`port` of this place succeeds.
    pub fn tcp_connects(&self, port: u16) -> bool {
        self.in_netns(|| tcp_connects(port)).unwrap_or(false)
    }
}
