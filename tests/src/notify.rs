//! Watching push notifications with real parts: `dbus-monitor --system` on a private bus
//! ([`crate::Dbus`]), an SMTP sink (`python3 -m aiosmtpd` saving to a Maildir), and IPP
//! requests written as ipptool test files.

use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

use crate::process::{free_port, other, run_with_timeout, tcp_connects, wait_until, ChildGuard};

/// One signal as dbus-monitor prints it: its member and its arguments (type, value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub member: String,
    pub args: Vec<(String, String)>,
}

impl Signal {
    /// The D-Bus signature of the arguments (`sssusb`...).
    pub fn signature(&self) -> String {
        self.args
            .iter()
            .map(|(t, _)| match t.as_str() {
                "string" => 's',
                "uint32" => 'u',
                "boolean" => 'b',
                "int32" => 'i',
                _ => '?',
            })
            .collect()
    }
}

/// `dbus-monitor --system` for cupsd's notifier interface; killed on drop.
pub struct Monitor {
    lines: Arc<Mutex<Vec<String>>>,
    _child: ChildGuard,
}

impl Monitor {
    /// Starts watching the bus at `address` (a `DBUS_SYSTEM_BUS_ADDRESS`) and returns once
    /// the monitor is on the bus.
    pub fn start(address: &str) -> io::Result<Monitor> {
        let mut cmd = Command::new("dbus-monitor");
        cmd.arg("--system")
            .arg("type='signal',interface='org.cups.cupsd.Notifier'")
            .env("DBUS_SYSTEM_BUS_ADDRESS", address)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = ChildGuard::spawn("dbus-monitor", &mut cmd)?;
        let stdout = child.take_stdout().ok_or_else(|| other("dbus-monitor: no stdout".into()))?;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        // dbus-monitor prints its own NameAcquired once it is connected and listening.
        let on_bus = wait_until(std::time::Duration::from_secs(10), || {
            lines.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|l| l.contains("NameLost"))
        });
        if !on_bus {
            child.check_alive()?;
            return Err(other("dbus-monitor never joined the bus".into()));
        }
        Ok(Monitor { lines, _child: child })
    }

    /// The notifier's signals seen so far, in order.
    pub fn signals(&self) -> Vec<Signal> {
        parse_monitor(&self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Everything dbus-monitor printed (for failure messages).
    pub fn text(&self) -> String {
        self.lines.lock().unwrap_or_else(|e| e.into_inner()).join("\n")
    }
}

/// The `org.cups.cupsd.Notifier` signals in dbus-monitor's output.
pub fn parse_monitor(lines: &[String]) -> Vec<Signal> {
    let mut out: Vec<Signal> = Vec::new();
    let mut current: Option<Signal> = None;
    for line in lines {
        if line.starts_with("signal ") || line.starts_with("method ") || line.starts_with("error ")
        {
            out.extend(current.take());
            let ours = line.contains("interface=org.cups.cupsd.Notifier");
            let member = line.split("member=").nth(1).map(|m| m.trim().to_string());
            if let (true, Some(member)) = (ours, member) {
                current = Some(Signal { member, args: Vec::new() });
            }
        } else if let Some(sig) = current.as_mut() {
            let t = line.trim_start();
            if let Some((ty, value)) = t.split_once(' ') {
                let value =
                    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
                sig.args.push((ty.to_string(), value.to_string()));
            }
        }
    }
    // The last one may still be being printed: kept once all its arguments are there.
    out.extend(current.filter(|s| s.args.len() >= arity(&s.member)));
    out
}

/// How many arguments cupsd's notifier gives a signal: the text; the printer's five values;
/// the job's five more.
fn arity(member: &str) -> usize {
    if member.starts_with("Server") {
        1
    } else if member.starts_with("Printer") {
        6
    } else {
        11
    }
}

/// An SMTP server that keeps every message (`python3 -m aiosmtpd`, Maildir handler);
/// killed on drop.
pub struct SmtpSink {
    port: u16,
    dir: TempDir,
    _child: ChildGuard,
}

impl SmtpSink {
    pub fn start() -> io::Result<SmtpSink> {
        let dir = tempfile::Builder::new().prefix("quire-smtp-").tempdir()?;
        let port = free_port()?;
        let maildir = dir.path().join("Maildir");
        // Debian's python3 (python3-aiosmtpd), not another one first on PATH.
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("python3");
        let mut cmd = Command::new(python);
        cmd.args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = ChildGuard::spawn("aiosmtpd", &mut cmd)?;
        if !wait_until(std::time::Duration::from_secs(15), || tcp_connects(port)) {
            child.check_alive()?;
            return Err(other(format!("aiosmtpd not listening on {port}")));
        }
        Ok(SmtpSink { port, dir, _child: child })
    }

    /// `127.0.0.1:PORT`, for mailto.conf's SMTPServer.
    pub fn server(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every message received so far, as text.
    pub fn messages(&self) -> Vec<String> {
        let new = self.dir.path().join("Maildir/new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(new)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect()
    }
}

/// Sends one IPP request written in ipptool's test language (the `{ ... }` body: OPERATION,
/// GROUP and ATTR lines) to `uri` and returns the response's status-code keyword and
/// ipptool's output.
pub fn ipptool_status(dir: &Path, uri: &str, body: &str) -> io::Result<(String, String)> {
    let file = tempfile::Builder::new().suffix(".test").tempfile_in(dir)?;
    std::fs::write(file.path(), format!("{{\n  NAME \"request\"\n{body}\n}}\n"))?;
    let args = vec!["-tv".to_string(), uri.to_string(), file.path().display().to_string()];
    let out = run_with_timeout(20, "ipptool", &args, None, &[])?;
    let text = format!("{}{}", out.stdout, out.stderr);
    let status = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("status-code = "))
        .and_then(|v| v.split_whitespace().next())
        .map(str::to_string)
        .ok_or_else(|| other(format!("no status-code from ipptool:\n{text}")))?;
    Ok((status, text))
}
