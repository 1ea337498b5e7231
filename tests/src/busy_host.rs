//! A busy host: many TCP sockets open on loopback (established pairs, and closed ones left
//! in TIME_WAIT, what a busy server accumulates), to show that a daemon's per-request cost
//! does not grow with the number of sockets on the host.

use nix::sys::resource::{getrlimit, setrlimit, Resource};
use std::io;
use std::net::{TcpListener, TcpStream};

/// Loopback TCP sockets held open until dropped.
pub struct BusyHost {
    listener: TcpListener,
    pairs_held: Vec<(TcpStream, TcpStream)>,
}

/// How many TCP sockets the host has, from /proc/net/sockstat: in use (mostly ESTABLISHED)
/// and in TIME_WAIT.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketCensus {
    pub in_use: u64,
    pub time_wait: u64,
}

impl SocketCensus {
    pub fn now() -> SocketCensus {
        let text = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
        let mut census = SocketCensus::default();
        let Some(tcp) = text.lines().find(|l| l.starts_with("TCP:")) else { return census };
        let fields: Vec<&str> = tcp.split_whitespace().collect();
        for pair in fields.windows(2) {
            match pair[0] {
                "inuse" => census.in_use = pair[1].parse().unwrap_or(0),
                "tw" => census.time_wait = pair[1].parse().unwrap_or(0),
                _ => {}
            }
        }
        census
    }
}

/// Raises this process's open-file limit as far as it may go (to the hard limit; a
/// container usually may not raise that) and returns it.
pub fn raise_nofile() -> io::Result<u64> {
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(io::Error::from)?;
    if soft < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard).map_err(io::Error::from)?;
    }
    Ok(hard)
}

/// File descriptors left for everything else when holding pairs.
const SPARE_FDS: u64 = 1024;

impl BusyHost {
    /// Opens up to `pairs` loopback connections to a listener of our own (2 sockets each,
    /// ESTABLISHED; fewer if the open-file limit does not allow them) and leaves
    /// `time_wait` more in TIME_WAIT by connect-and-close cycles (the side closing first
    /// keeps the TIME_WAIT, for 60 s, without a file descriptor).
    pub fn open(pairs: usize, time_wait: usize) -> io::Result<BusyHost> {
        let limit = raise_nofile()?;
        let room = usize::try_from(limit.saturating_sub(SPARE_FDS) / 2).unwrap_or(usize::MAX);
        let pairs = pairs.min(room);
        let mut host =
            BusyHost { listener: TcpListener::bind("127.0.0.1:0")?, pairs_held: Vec::new() };
        host.add_time_wait(time_wait)?;
        let addr = host.listener.local_addr()?;
        host.pairs_held.reserve(pairs);
        for _ in 0..pairs {
            let client = TcpStream::connect(addr)?;
            let (server, _) = host.listener.accept()?;
            host.pairs_held.push((client, server));
        }
        Ok(host)
    }

    /// Established pairs held.
    pub fn pairs(&self) -> usize {
        self.pairs_held.len()
    }

    /// `n` more sockets in TIME_WAIT (to a fresh listener, so no 4-tuple repeats one still
    /// waiting): TIME_WAIT lasts 60 s, so a long run tops them up.
    pub fn add_time_wait(&mut self, n: usize) -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        for _ in 0..n {
            let client = TcpStream::connect(addr)?;
            let (server, _) = listener.accept()?;
            drop(client);
            drop(server);
        }
        Ok(())
    }
}
