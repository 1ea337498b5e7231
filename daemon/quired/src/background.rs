//! Starting in the background (no `-f`, `-F` or `-l`), as cupsd does: the server runs as a
//! child in a session of its own (`-F`), and this process exits only once the child says it
//! is serving (0), or with the child's failure (its message, then 2, or 3 if it was killed by
//! a signal; cupsd's codes). The child reports over the sd_notify protocol (`service.rs`) to
//! a datagram socket of ours in a directory only our user may enter (an abstract socket
//! would take a datagram from anyone), so a port in use or a broken configuration is seen
//! here, not only in the error log.

use crate::args::Args;
use crate::service::Notifier;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::net::UnixDatagram;
use std::process::{Child, ExitCode, ExitStatus, Stdio};
use std::time::Duration;

/// How often the child is checked for an early exit while waiting.
const POLL: Duration = Duration::from_millis(200);

/// The child's command line: the same files, in the foreground, detached.
fn child_args(args: &Args) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = vec!["-F".into()];
    if let Some(c) = &args.cupsd_conf {
        out.extend(["-c".into(), c.clone().into_os_string()]);
    }
    if let Some(s) = &args.files_conf {
        out.extend(["-s".into(), s.clone().into_os_string()]);
    }
    out
}

/// `notifier`: our own service manager, if any, told that the child is the server.
pub fn start(args: &Args, notifier: &Notifier) -> ExitCode {
    match spawn_and_wait(args, notifier) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quired: unable to start in the background: {e}");
            ExitCode::from(1)
        }
    }
}

fn spawn_and_wait(args: &Args, notifier: &Notifier) -> std::io::Result<ExitCode> {
    let exe = std::env::current_exe()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    // A new directory (an existing one, or a link planted there, is an error), ours alone.
    let dir = std::env::temp_dir().join(format!("quired-start-{}-{nanos}", std::process::id()));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    let path = dir.join("notify");
    let result = UnixDatagram::bind(&path).and_then(|socket| {
        socket.set_read_timeout(Some(POLL))?;
        let mut child = std::process::Command::new(exe)
            .args(child_args(args))
            .env("NOTIFY_SOCKET", &path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(match wait_for_child(&socket, &mut child) {
            Ok(()) => {
                notifier.ready_as(child.id(), "Scheduler is running...");
                ExitCode::SUCCESS
            }
            Err(code) => code,
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// What one datagram says: ready, or the latest status.
fn read_datagram(text: &str, status: &mut Option<String>) -> bool {
    let mut ready = false;
    for line in text.lines() {
        if line == "READY=1" {
            ready = true;
        } else if let Some(s) = line.strip_prefix("STATUS=") {
            // Printed on a terminal: no control character gets there.
            *status = Some(s.chars().filter(|c| !c.is_control()).collect());
        }
    }
    ready
}

/// `Ok` once the child is ready; else the exit code for its failure.
fn wait_for_child(socket: &UnixDatagram, child: &mut Child) -> Result<(), ExitCode> {
    let mut status = None;
    let mut buf = vec![0u8; 4096];
    loop {
        if let Ok(n) = socket.recv(&mut buf) {
            if read_datagram(&String::from_utf8_lossy(&buf[..n]), &mut status) {
                return Ok(());
            }
            continue;
        }
        match child.try_wait() {
            Ok(None) => {}
            Ok(Some(exit)) => {
                // What it sent just before it exited is still queued.
                let _ = socket.set_nonblocking(true);
                while let Ok(n) = socket.recv(&mut buf) {
                    read_datagram(&String::from_utf8_lossy(&buf[..n]), &mut status);
                }
                return Err(failed(status, exit));
            }
            Err(e) => {
                eprintln!("quired: unable to follow the server process: {e}");
                return Err(ExitCode::from(1));
            }
        }
    }
}

fn failed(status: Option<String>, exit: ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(why) = status {
        eprintln!("quired: {why}");
    }
    match (exit.code(), exit.signal()) {
        (Some(code), _) => {
            eprintln!("quired: the server exited with status {code} before it was ready");
            ExitCode::from(2)
        }
        (None, signal) => {
            let signal = signal.map_or("?".into(), |s| s.to_string());
            eprintln!("quired: the server was killed by signal {signal} before it was ready");
            ExitCode::from(3)
        }
    }
}
