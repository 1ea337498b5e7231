//! A remote client on this machine: a network namespace joined to the host by a veth pair,
//! so the servers under test see connections from a LAN address (not loopback), and a
//! server configured with Debian's stock `cupsd.conf` policy listening on that LAN.
//!
//! The namespace end is the "remote host": programs run there with [`Lan::command`] (CUPS
//! tools, ipptool), and Rust code with [`Lan::run`], on a thread that joined the namespace
//! (sockets it opens come from [`Lan::remote_ip`]). Needs root (`ip netns`).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use quire_ipp::Message;

use crate::http::{exchange_at, ipp_post_bytes_to, HttpResponse};
use crate::process::{other, run_with_timeout, CmdOutput};
use crate::server::{cups_files_conf, quired_binary, Server, ServerKind};

/// Prefix of the namespaces this harness creates (stale ones are removed by the next run).
const PREFIX: &str = "quire-lan-";
/// Candidate /30 subnets: 10.(64 + k / 64).((k % 64) * 4).0.
const SUBNETS: u32 = 64 * 128;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A private LAN of two hosts: this one (`host_ip`) and a namespace (`remote_ip`).
pub struct Lan {
    name: String,
    host_if: String,
    host_ip: Ipv4Addr,
    remote_ip: Ipv4Addr,
}

fn ip(args: &[&str]) -> io::Result<()> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = run_with_timeout(20, "ip", &args, None, &[])?;
    if out.rc != 0 {
        return Err(other(format!("ip {}: {}", args.join(" "), out.text())));
    }
    Ok(())
}

/// Removes namespaces left by test processes that are gone (killed runs).
fn sweep_stale() {
    let Ok(out) = run_with_timeout(10, "ip", &["netns".into(), "list".into()], None, &[]) else {
        return;
    };
    for line in out.stdout.lines() {
        let Some(name) = line.split_whitespace().next().filter(|n| n.starts_with(PREFIX)) else {
            continue;
        };
        let pid = name[PREFIX.len()..].split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid
            .is_some_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists())
        {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

impl Lan {
    /// True when this process may create network namespaces (root with `ip`).
    pub fn available() -> bool {
        crate::confidential::is_root() && crate::process::have_program("ip")
    }

    /// A new LAN for a test, or `None` (with SKIPPED printed) where network namespaces are
    /// not possible; under CI (`CI` set) that fails the test instead: CI must run it.
    pub fn or_skip() -> Option<Lan> {
        if !Lan::available() {
            crate::skipped("needs root and iproute2 (network namespaces)");
            return None;
        }
        crate::require_programs();
        Some(Lan::new().expect("create the test LAN"))
    }

    /// Creates the namespace, the veth pair and their addresses.
    pub fn new() -> io::Result<Lan> {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            sweep_stale();
        }
        let pid = std::process::id();
        let name = format!("{PREFIX}{pid}-{n}");
        ip(&["netns", "add", &name])?;
        let start = (pid.wrapping_mul(37).wrapping_add(n.wrapping_mul(7))) % SUBNETS;
        for i in 0..64 {
            let k = (start + i) % SUBNETS;
            let (host_if, remote_if) = (format!("qv{k}h"), format!("qv{k}r"));
            if ip(&[
                "link", "add", &host_if, "type", "veth", "peer", "name", &remote_if, "netns", &name,
            ])
            .is_err()
            {
                continue; // taken by a concurrent test: try the next subnet
            }
            let (a, b) = ((64 + k / 64) as u8, ((k % 64) * 4) as u8);
            let lan = Lan {
                name,
                host_if,
                host_ip: Ipv4Addr::new(10, a, b, 1),
                remote_ip: Ipv4Addr::new(10, a, b, 2),
            };
            lan.configure(&remote_if)?;
            return Ok(lan);
        }
        let _ = ip(&["netns", "del", &name]);
        Err(other("no free veth name/subnet for a test LAN".into()))
    }

    fn configure(&self, remote_if: &str) -> io::Result<()> {
        ip(&["addr", "add", &format!("{}/30", self.host_ip), "dev", &self.host_if])?;
        ip(&["link", "set", &self.host_if, "up"])?;
        ip(&[
            "-n",
            &self.name,
            "addr",
            "add",
            &format!("{}/30", self.remote_ip),
            "dev",
            remote_if,
        ])?;
        ip(&["-n", &self.name, "link", "set", remote_if, "up"])?;
        ip(&["-n", &self.name, "link", "set", "lo", "up"])
    }

    /// This host's address on the LAN (where a server under test listens).
    pub fn host_ip(&self) -> Ipv4Addr {
        self.host_ip
    }

    /// The remote client's address.
    pub fn remote_ip(&self) -> Ipv4Addr {
        self.remote_ip
    }

    /// Runs `f` on a thread inside the namespace: every socket it opens is the remote host's.
    pub fn run<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        let path = PathBuf::from("/run/netns").join(&self.name);
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let ns = std::fs::File::open(&path).expect("open the namespace");
                    nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET)
                        .expect("join the namespace");
                    f()
                })
                .join()
                .expect("the remote client thread panicked")
        })
    }

    /// Runs `program args...` on the remote host (under `timeout -s KILL secs`).
    pub fn command(
        &self,
        secs: u64,
        program: &str,
        args: &[&str],
        env: &[(String, String)],
    ) -> CmdOutput {
        let mut all: Vec<String> =
            vec!["netns".into(), "exec".into(), self.name.clone(), program.into()];
        all.extend(args.iter().map(|a| a.to_string()));
        run_with_timeout(secs, "ip", &all, None, env).expect("run a command in the namespace")
    }

    /// `program` to be started on the remote host (`ip netns exec NAME program`), for a
    /// long-running process the caller spawns and owns (e.g. a server with its own loopback).
    pub fn netns_command(&self, program: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new("ip");
        cmd.args(["netns", "exec", &self.name]).arg(program);
        cmd
    }

    /// A CUPS tool run remotely: `program -h HOST:PORT args...`, neutral environment.
    pub fn cups_tool(&self, server: &LanServer, program: &str, args: &[&str]) -> CmdOutput {
        let target = server.lan_host_port();
        let env = [
            ("CUPS_SERVER".to_string(), target.clone()),
            ("HOME".to_string(), server.dir().display().to_string()),
            ("LANG".to_string(), "C".to_string()),
            ("LC_ALL".to_string(), "C".to_string()),
        ];
        let mut full = vec!["-h", target.as_str()];
        full.extend_from_slice(args);
        self.command(30, program, &full, &env)
    }

    /// POSTs an IPP request from the remote host to `server` at `path`, with optional
    /// Basic credentials, and reads the HTTP answer.
    pub fn ipp(
        &self,
        server: &LanServer,
        path: &str,
        basic: Option<(&str, &str)>,
        msg: &Message,
        document: &[u8],
    ) -> HttpResponse {
        let addr = server.lan_addr();
        let mut body = msg.encode();
        body.extend_from_slice(document);
        let request = ipp_post_bytes_to(&addr.to_string(), path, basic, &body);
        self.run(move || exchange_at(addr, &request, false, Duration::from_secs(60)))
            .unwrap_or_else(|e| panic!("no HTTP answer from {addr}: {e:?}"))
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        // Deleting the namespace destroys its veth end, and with it ours.
        let _ = ip(&["netns", "del", &self.name]);
        let _ = ip(&["link", "del", &self.host_if]);
    }
}

/// How the stock policy opens the server to the LAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// As shipped: `<Location />` has `Order allow,deny` and no `Allow`: remote clients are refused.
    Off,
    /// As `cupsctl --share-printers` leaves it: `Allow @LOCAL` in `<Location />`.
    Local,
}

/// What a server under the stock policy is started with.
#[derive(Debug, Clone)]
pub struct StockOptions {
    pub sharing: Sharing,
    /// Appended to cupsd.conf (top-level directives, or whole blocks).
    pub cupsd_extra: String,
    /// Appended to cups-files.conf.
    pub files_extra: String,
    /// Environment for the daemon (PAM wrapper...).
    pub env: Vec<(String, String)>,
}

impl Default for StockOptions {
    fn default() -> Self {
        StockOptions {
            sharing: Sharing::Local,
            cupsd_extra: String::new(),
            files_extra: String::new(),
            env: Vec::new(),
        }
    }
}

/// A server under Debian's stock policy, listening on loopback, its socket and the LAN.
pub struct LanServer {
    pub server: Server,
    lan_ip: Ipv4Addr,
}

impl std::ops::Deref for LanServer {
    type Target = Server;
    fn deref(&self) -> &Server {
        &self.server
    }
}

impl std::ops::DerefMut for LanServer {
    fn deref_mut(&mut self) -> &mut Server {
        &mut self.server
    }
}

impl LanServer {
    /// Starts `kind` with the stock policy on `lan`. `Ok(None)` when quired is not built.
    pub fn start(
        kind: ServerKind,
        lan: &Lan,
        opts: &StockOptions,
    ) -> io::Result<Option<LanServer>> {
        let binary = match kind {
            ServerKind::Cupsd => PathBuf::from("/usr/sbin/cupsd"),
            ServerKind::Quired => match quired_binary() {
                Some(b) => b,
                None => return Ok(None),
            },
        };
        let lan_ip = lan.host_ip();
        let write = |dir: &Path, port: u16| -> io::Result<(String, String)> {
            let cupsd = stock_conf(dir, port, lan_ip, opts)?;
            let files =
                format!("{}{}", cups_files_conf(&dir.display().to_string()), opts.files_extra);
            Ok((cupsd, files))
        };
        let server = Server::start_configured(kind, &binary, &opts.env, write)?;
        Ok(Some(LanServer { server, lan_ip }))
    }

    /// [`LanServer::start`], failing the test when it cannot start or quired is not built.
    pub fn started(kind: ServerKind, lan: &Lan, opts: &StockOptions) -> LanServer {
        LanServer::start(kind, lan, opts)
            .unwrap_or_else(|e| panic!("start {kind}: {e}"))
            .unwrap_or_else(|| {
                panic!("quired is not built: build the workspace first (cargo build --workspace)")
            })
    }

    /// cupsd and quired with the same options, for a test that runs against both.
    pub fn both(lan: &Lan, opts: &StockOptions) -> Vec<LanServer> {
        LanServer::both_with(lan, opts, opts)
    }

    /// cupsd with `opts`, quired with `quired_opts` (for Quire-only directives).
    pub fn both_with(lan: &Lan, opts: &StockOptions, quired_opts: &StockOptions) -> Vec<LanServer> {
        vec![
            LanServer::started(ServerKind::Cupsd, lan, opts),
            LanServer::started(ServerKind::Quired, lan, quired_opts),
        ]
    }

    /// The server's address on the LAN.
    pub fn lan_addr(&self) -> SocketAddr {
        SocketAddr::from((self.lan_ip, self.server.port()))
    }

    /// `10.x.y.1:PORT`, for the CUPS tools' `-h`.
    pub fn lan_host_port(&self) -> String {
        self.lan_addr().to_string()
    }

    /// `ipp://10.x.y.1:PORT/printers/QUEUE`: the URI a remote client uses.
    pub fn lan_printer_uri(&self, queue: &str) -> String {
        format!("ipp://{}/printers/{queue}", self.lan_addr())
    }
}

/// Debian's shipped cupsd.conf (`/usr/share/cups/cupsd.conf.default`, from the cups-daemon
/// package), with only what a private test server must change: where it listens (loopback,
/// its socket and the LAN address), no browsing, debug logging; sharing as `opts` says; and
/// `opts.cupsd_extra` appended.
pub fn stock_conf(
    dir: &Path,
    port: u16,
    lan_ip: Ipv4Addr,
    opts: &StockOptions,
) -> io::Result<String> {
    let shipped = std::fs::read_to_string("/usr/share/cups/cupsd.conf.default").map_err(|e| {
        other(format!("/usr/share/cups/cupsd.conf.default (package cups-daemon): {e}"))
    })?;
    let mut out = String::new();
    let mut in_root = false;
    for line in shipped.lines() {
        let t = line.trim();
        let word = t.split_whitespace().next().unwrap_or("");
        match word {
            "Listen" | "Port" | "Browsing" | "LogLevel" | "IdleExitTimeout" => continue,
            _ => {}
        }
        out.push_str(line);
        out.push('\n');
        if t.eq_ignore_ascii_case("<Location />") {
            in_root = true;
        } else if in_root && t.eq_ignore_ascii_case("</Location>") {
            in_root = false;
        } else if in_root && word.eq_ignore_ascii_case("Order") && opts.sharing == Sharing::Local {
            out.push_str("  Allow @LOCAL\n");
        }
    }
    let d = dir.display();
    Ok(format!(
        "# Debian's stock cupsd.conf, Listen lines changed by quire-tests.\n\
         LogLevel debug\nListen 127.0.0.1:{port}\nListen {lan_ip}:{port}\nListen {d}/cups.sock\nBrowsing No\n\
         {out}{}\n",
        opts.cupsd_extra
    ))
}
