//! The service manager's side of quired: readiness and status (sd_notify's protocol) and the
//! listening sockets it passes (socket activation).
//!
//! Notifications are our own few lines, not the sd-notify crate: a datagram to
//! `$NOTIFY_SOCKET`, which may name the abstract namespace (`@name`, which that crate does not
//! reach); the background start (`background.rs`) uses the same channel. Passed sockets are
//! taken with listenfd (its `unsafe` adopts the descriptors and marks them close-on-exec, so
//! no filter or backend inherits them).

use std::io;
use std::net::TcpListener;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener};

/// Where readiness and status go (nowhere without `$NOTIFY_SOCKET`). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Notifier {
    to: Option<SocketAddr>,
}

impl Notifier {
    /// The address in `$NOTIFY_SOCKET`: a path, or `@name` in the abstract namespace.
    pub fn for_socket(value: &str) -> io::Result<Notifier> {
        let to = match value.strip_prefix('@') {
            Some(name) => SocketAddr::from_abstract_name(name.as_bytes())?,
            None if value.starts_with('/') => SocketAddr::from_pathname(value)?,
            None => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("NOTIFY_SOCKET={value} is neither a path nor @name"),
                ))
            }
        };
        Ok(Notifier { to: Some(to) })
    }

    /// One datagram of `KEY=value` lines; a status is one line. Failures are logged only:
    /// a service manager that went away must not stop the server.
    fn send(&self, lines: &[(&str, &str)]) {
        let Some(to) = &self.to else { return };
        let mut msg = String::new();
        for (key, value) in lines {
            let value: String =
                value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            msg.push_str(&format!("{key}={value}\n"));
        }
        let sent = UnixDatagram::unbound().and_then(|s| s.send_to_addr(msg.as_bytes(), to));
        if let Err(e) = sent {
            tracing::debug!("Unable to notify the service manager: {e}");
        }
    }

    /// Listening and serving (cupsd sends its pid with it).
    pub fn ready(&self, status: &str) {
        self.ready_as(std::process::id(), status);
    }

    /// Process `pid` is the server, and it serves (a background start under a service
    /// manager hands it the server it started).
    pub fn ready_as(&self, pid: u32, status: &str) {
        self.send(&[("READY", "1"), ("STATUS", status), ("MAINPID", &pid.to_string())]);
    }

    /// With the monotonic time, as `Type=notify-reload` wants it.
    pub fn reloading(&self) {
        use nix::time::{clock_gettime, ClockId};
        let usec = clock_gettime(ClockId::CLOCK_MONOTONIC)
            .map(|t| (t.tv_sec() * 1_000_000 + t.tv_nsec() / 1000).to_string())
            .unwrap_or_default();
        self.send(&[
            ("RELOADING", "1"),
            ("MONOTONIC_USEC", &usec),
            ("STATUS", "Reloading the configuration..."),
        ]);
    }

    pub fn stopping(&self, status: &str) {
        self.send(&[("STOPPING", "1"), ("STATUS", status)]);
    }

    /// Start-up failed: why, for `systemctl status` and for the parent of a background start.
    pub fn failed(&self, why: &str) {
        self.send(&[("STATUS", why), ("ERRNO", "1")]);
    }
}

/// A listening socket the service manager passed.
#[derive(Debug)]
pub enum PassedSocket {
    Tcp(TcpListener),
    Unix(UnixListener),
}

/// One passed socket and its name (`LISTEN_FDNAMES`, `FileDescriptorName=`).
#[derive(Debug)]
pub struct Passed {
    pub socket: PassedSocket,
    pub name: String,
}

/// What the service manager gave this process.
#[derive(Debug, Default)]
pub struct Service {
    pub notifier: Notifier,
    pub passed: Vec<Passed>,
    /// Passed descriptors that could not be used, and why (logged once logging is up).
    pub problems: Vec<String>,
}

impl Service {
    /// Takes `NOTIFY_SOCKET` and the passed sockets out of the environment, so that no child
    /// (filters, backends, the demo's printers) inherits them. Call it before any thread starts.
    pub fn from_env() -> Service {
        let mut problems = Vec::new();
        let notifier = match std::env::var("NOTIFY_SOCKET") {
            Ok(v) => Notifier::for_socket(&v).unwrap_or_else(|e| {
                problems.push(e.to_string());
                Notifier::default()
            }),
            Err(_) => Notifier::default(),
        };
        let names = std::env::var("LISTEN_FDNAMES").unwrap_or_default();
        // Edition 2021, and no thread runs yet (see above).
        std::env::remove_var("NOTIFY_SOCKET");
        std::env::remove_var("LISTEN_FDNAMES");
        let mut fds = listenfd::ListenFd::from_env();
        let names: Vec<&str> = names.split(':').collect();
        let mut passed = Vec::new();
        for i in 0..fds.len() {
            let name = names.get(i).filter(|n| !n.is_empty()).unwrap_or(&"unknown").to_string();
            let socket = match fds.take_tcp_listener(i) {
                Ok(Some(l)) => Some(PassedSocket::Tcp(l)),
                _ => fds.take_unix_listener(i).ok().flatten().map(PassedSocket::Unix),
            };
            match socket {
                Some(socket) => passed.push(Passed { socket, name }),
                None => problems.push(format!(
                    "passed socket #{} ({name}) is not a TCP or Unix stream socket; not used",
                    i + 1
                )),
            }
        }
        Service { notifier, passed, problems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_reaches_a_path_and_an_abstract_socket() {
        let dir = std::env::temp_dir().join(format!("quired-notify-{}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        let by_path = UnixDatagram::bind(&dir).unwrap();
        Notifier::for_socket(&dir.to_string_lossy()).unwrap().ready("up\nand running");
        let mut buf = [0u8; 512];
        let n = by_path.recv(&mut buf).unwrap();
        let got = String::from_utf8_lossy(&buf[..n]).into_owned();
        assert!(got.starts_with("READY=1\nSTATUS=up and running\nMAINPID="), "{got}");
        let _ = std::fs::remove_file(&dir);

        let name = format!("quired-notify-test-{}", std::process::id());
        let abstract_addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let by_name = UnixDatagram::bind_addr(&abstract_addr).unwrap();
        Notifier::for_socket(&format!("@{name}")).unwrap().stopping("bye");
        let n = by_name.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1\nSTATUS=bye\n");
        assert!(Notifier::for_socket("relative").is_err());
        Notifier::default().ready("nobody listens");
    }
}
