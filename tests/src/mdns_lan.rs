//! A simulated LAN of two hosts on this machine, each with its own system D-Bus and (if
//! asked) its own avahi-daemon, so that DNS-SD works between them as between two computers.
//!
//! Each side is a network namespace (the two joined by a veth pair, `lan0` on both, IPv4
//! 10.77.0.1/24 and 10.77.0.2/24, multicast on and routed there) plus a private mount and UTS namespace held
//! by a holder process (`unshare -m -u --propagation private`): its own host name
//! (`quire-a`, `quire-b`), tmpfs over /run/dbus, /run/avahi-daemon and /run/cups (so the bus,
//! Avahi's socket that nss-mdns asks, and the CUPS default socket are per side). Programs
//! run inside a side through `nsenter -t HOLDER -m -u -n --` ([`Side::place`]): CUPS tools,
//! avahi tools, and the servers of [`crate::server`] and [`crate::simulated_printer`], whose
//! files stay on the shared disk where the test reads them. Needs root.
//!
//! ```no_run
//! use std::time::Duration;
//! use quire_tests::mdns_lan::{MdnsLan, SideOptions, SideServer};
//! use quire_tests::ServerKind;
//!
//! let Some(lan) = MdnsLan::or_skip(SideOptions::new("quire-a"), SideOptions::new("quire-b"))
//! else { return };
//! let quired = quire_tests::quired_binary().expect("built");
//! let a = lan.a.start_server(ServerKind::Quired, &quired, &SideServer::default()).unwrap();
//! let mut watch = lan.b.browser("_ipp._tcp").unwrap();
//! let (records, took) = watch
//!     .time_until_shown("Office @ quire-a", Duration::from_secs(30), || {
//!         let out = lan.a.cups_tool(&a, "lpadmin", &["-p", "Office", "-D", "Office", "-v",
//!             "ipp://127.0.0.1:9/ipp/print", "-E"]);
//!         assert_eq!(out.rc, 0, "{}", out.text());
//!     })
//!     .unwrap();
//! eprintln!("figure: visible on B after {took:?}: {:?}", records[0].txt("ty"));
//! ```

use std::io::{self, BufRead, BufReader};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tempfile::TempDir;

use crate::dbus::Dbus;
use crate::mdns_browse::{self, Browser, ServiceRecord};
use crate::process::Place;
use crate::process::{have_program, other, run_with_timeout, wait_until, ChildGuard, CmdOutput};
use crate::server::{cups_files_conf, cupsd_conf, Server, ServerKind};

/// Prefix of the namespaces made here (stale ones, of test processes gone, are swept).
const PREFIX: &str = "quire-mdns-";
/// The veth end in each side.
pub const IFACE: &str = "lan0";

static NEXT: AtomicU32 = AtomicU32::new(0);

/// How to start one side.
#[derive(Debug, Clone)]
pub struct SideOptions {
    /// The side's host name (and so its Avahi host name `NAME.local`).
    pub hostname: String,
    /// Start an avahi-daemon (a side without one tests a responder of its own).
    pub avahi: bool,
}

impl SideOptions {
    pub fn new(hostname: &str) -> SideOptions {
        SideOptions { hostname: hostname.into(), avahi: true }
    }
    pub fn avahi(mut self, on: bool) -> Self {
        self.avahi = on;
        self
    }
}

/// The two hosts: `a` (10.77.0.1) and `b` (10.77.0.2).
pub struct MdnsLan {
    pub a: Side,
    pub b: Side,
}

impl MdnsLan {
    /// True when this process can build the LAN (root, iproute2, util-linux, dbus, avahi).
    pub fn available() -> bool {
        crate::confidential::is_root()
            && ["ip", "nsenter", "unshare", "dbus-daemon", "avahi-daemon", "avahi-browse"]
                .iter()
                .all(|p| have_program(p))
    }

    /// Two sides, or `None` (SKIPPED printed; under CI a failure) where it cannot be built.
    pub fn or_skip(a: SideOptions, b: SideOptions) -> Option<MdnsLan> {
        if !MdnsLan::available() {
            crate::skipped("needs root, iproute2, nsenter/unshare, dbus-daemon and avahi-daemon");
            return None;
        }
        Some(MdnsLan::start(a, b).expect("build the simulated LAN"))
    }

    /// `quire-a` and `quire-b`, both with Avahi.
    pub fn or_skip_default() -> Option<MdnsLan> {
        MdnsLan::or_skip(SideOptions::new("quire-a"), SideOptions::new("quire-b"))
    }

    pub fn start(a: SideOptions, b: SideOptions) -> io::Result<MdnsLan> {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        if n == 0 {
            sweep_stale();
        }
        let base = format!("{PREFIX}{}-{n}", std::process::id());
        let (ns_a, ns_b) = (format!("{base}-a"), format!("{base}-b"));
        ip(&["netns", "add", &ns_a])?;
        let made_b = ip(&["netns", "add", &ns_b]);
        let linked = made_b.and_then(|_| {
            ip(&[
                "link", "add", IFACE, "netns", &ns_a, "type", "veth", "peer", "name", IFACE,
                "netns", &ns_b,
            ])
        });
        if let Err(e) = linked {
            let _ = ip(&["netns", "del", &ns_a]);
            let _ = ip(&["netns", "del", &ns_b]);
            return Err(e);
        }
        // A side that fails to start deletes its namespace; a started one when dropped.
        let a = match Side::start(ns_a, Ipv4Addr::new(10, 77, 0, 1), &a) {
            Ok(side) => side,
            Err(e) => {
                let _ = ip(&["netns", "del", &ns_b]);
                return Err(e);
            }
        };
        let b = Side::start(ns_b, Ipv4Addr::new(10, 77, 0, 2), &b)?;
        Ok(MdnsLan { a, b })
    }
}

/// One host of the LAN; everything it runs is killed and its namespace deleted on drop.
pub struct Side {
    hostname: String,
    netns: String,
    ip: Ipv4Addr,
    /// Always `Some` but while dropping (a failed test keeps it).
    dir: Option<TempDir>,
    place: Place,
    holder: ChildGuard,
    dbus: Option<Dbus>,
    avahi: Option<ChildGuard>,
}

impl Side {
    fn start(netns: String, ip_addr: Ipv4Addr, opts: &SideOptions) -> io::Result<Side> {
        let configured = configure_link(&netns, ip_addr);
        let holder = configured.and_then(|_| start_holder(&netns, &opts.hostname));
        let holder = match holder {
            Ok(h) => h,
            Err(e) => {
                let _ = ip(&["netns", "del", &netns]);
                return Err(e);
            }
        };
        let (pid, dir) = match (holder.id(), side_dir(&opts.hostname)) {
            (Some(pid), Ok(dir)) => (pid, dir),
            (pid, dir) => {
                let _ = ip(&["netns", "del", &netns]);
                return Err(other(format!(
                    "side {}: pid {pid:?}, dir {:?}",
                    opts.hostname,
                    dir.err()
                )));
            }
        };
        let place = Place {
            launcher: ["nsenter", "-t", &pid.to_string(), "-m", "-u", "-n", "--"]
                .map(String::from)
                .to_vec(),
            netns: Some(PathBuf::from("/run/netns").join(&netns)),
        };
        let mut side = Side {
            hostname: opts.hostname.clone(),
            netns,
            ip: ip_addr,
            dir: Some(dir),
            place,
            holder,
            dbus: None,
            avahi: None,
        };
        side.dbus = Some(Dbus::start_system(&side.place)?);
        if opts.avahi {
            side.avahi = Some(side.start_avahi()?);
        }
        Ok(side)
    }

    fn start_avahi(&self) -> io::Result<ChildGuard> {
        let conf = self.dir().join("avahi-daemon.conf");
        std::fs::write(&conf, avahi_conf(&self.hostname))?;
        let log_path = self.dir().join("avahi-daemon.log");
        let log = std::fs::File::create(&log_path)?;
        // As a system starts it (it drops to user avahi, which Avahi's D-Bus policy lets own
        // its name), without the chroot (it would need the side's files copied in).
        let mut cmd = self.place.command("avahi-daemon");
        cmd.arg("-f")
            .arg(&conf)
            .args(["--no-chroot", "--no-rlimits"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let mut child = ChildGuard::spawn("avahi-daemon", &mut cmd)?;
        let text = || std::fs::read_to_string(&log_path).unwrap_or_default();
        let mut alive = true;
        let up = wait_until(Duration::from_secs(20), || {
            alive = child.check_alive().is_ok();
            !alive || text().contains("Server startup complete")
        });
        if !up || !alive {
            return Err(other(format!(
                "avahi-daemon on {} did not start:\n{}",
                self.hostname,
                text()
            )));
        }
        Ok(child)
    }

    /// Stops the side's avahi-daemon (SIGKILL: a crash, no goodbye packets), if it runs.
    pub fn stop_avahi(&mut self) {
        if let Some(mut avahi) = self.avahi.take() {
            avahi.kill();
            let _ = self.place.run(10, "rm", &["-f".into(), "/run/avahi-daemon/pid".into()], &[]);
        }
    }

    /// Starts the side's avahi-daemon (again).
    pub fn start_avahi_daemon(&mut self) -> io::Result<()> {
        self.stop_avahi();
        self.avahi = Some(self.start_avahi()?);
        Ok(())
    }

    /// Stops the side's system bus (SIGKILL): a D-Bus that goes away (Avahi, if it runs,
    /// loses it too; [`Side::start_dbus`] restarts Avahi on the new bus).
    pub fn stop_dbus(&mut self) {
        self.dbus = None;
        let _ = self.place.run(10, "rm", &["-f".into(), "/run/dbus/system_bus_socket".into()], &[]);
    }

    /// Starts the side's system bus (again); Avahi, if it ran, is restarted on it.
    pub fn start_dbus(&mut self) -> io::Result<()> {
        self.stop_dbus();
        self.dbus = Some(Dbus::start_system(&self.place)?);
        if self.avahi.is_some() {
            self.start_avahi_daemon()?;
        }
        Ok(())
    }

    /// The side's host name (`quire-a`); its mDNS name is `quire-a.local`.
    pub fn hostname(&self) -> &str {
        &self.hostname
    }

    /// The side's address on the LAN.
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }

    /// Where programs run on this side (for [`Server`], [`crate::SimOptions::at`], ...).
    pub fn place(&self) -> &Place {
        &self.place
    }

    /// The side's network namespace (`ip netns exec NAME` works too, without the mounts).
    pub fn netns(&self) -> &str {
        &self.netns
    }

    /// A scratch directory of this side (on the shared disk; its logs: avahi-daemon.log).
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().map_or(Path::new("/"), |d| d.path())
    }

    /// True when this side runs an avahi-daemon.
    pub fn has_avahi(&self) -> bool {
        self.avahi.is_some()
    }

    /// Runs `program args...` on this side under `timeout -s KILL secs`.
    pub fn command(
        &self,
        secs: u64,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> CmdOutput {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.place
            .run(secs, program, &args, &env)
            .unwrap_or_else(|e| panic!("run {program} on {}: {e}", self.hostname))
    }

    /// A long-running `program args...` on this side, stdout and stderr to `log`; killed
    /// when the guard is dropped.
    pub fn spawn(
        &self,
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        log: &Path,
    ) -> io::Result<ChildGuard> {
        let out = std::fs::File::create(log)?;
        let mut cmd = self.place.command(program);
        cmd.args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        ChildGuard::spawn(program, &mut cmd)
    }

    /// Advertises a service as a device would: `avahi-publish -s NAME TYPE PORT TXT...`
    /// (host: this side), until the guard is dropped. Returns once Avahi established it.
    pub fn publish(
        &self,
        name: &str,
        service_type: &str,
        port: u16,
        txt: &[&str],
    ) -> io::Result<ChildGuard> {
        let log = self.dir().join(format!("publish-{}.log", NEXT.fetch_add(1, Ordering::SeqCst)));
        let port = port.to_string();
        let mut args = vec!["-s", name, service_type, port.as_str()];
        args.extend_from_slice(txt);
        let mut child = self.spawn("avahi-publish", &args, &[], &log)?;
        let text = || std::fs::read_to_string(&log).unwrap_or_default();
        let mut alive = true;
        let ok = wait_until(Duration::from_secs(20), || {
            alive = child.check_alive().is_ok();
            !alive || text().contains("Established under name")
        });
        if !ok || !alive {
            return Err(other(format!("avahi-publish {name}: {}", text())));
        }
        Ok(child)
    }

    /// What `avahi-browse -rtpk TYPE` shows on this side now.
    pub fn browse(&self, service_type: &str) -> io::Result<Vec<ServiceRecord>> {
        mdns_browse::browse_once(&self.place, service_type)
    }

    /// Polls `avahi-browse` on this side until `done` holds of the `service_type` records it
    /// shows: all of them, and the time it took (a figure; do not assert on it).
    pub fn wait_browse(
        &self,
        service_type: &str,
        limit: Duration,
        done: impl FnMut(&[ServiceRecord]) -> bool,
    ) -> io::Result<(Vec<ServiceRecord>, Duration)> {
        mdns_browse::poll_browse(&self.place, service_type, limit, done)
    }

    /// Polls until instance `name` of `service_type` shows (resolved): its records.
    pub fn wait_shown(
        &self,
        service_type: &str,
        name: &str,
        limit: Duration,
    ) -> io::Result<(Vec<ServiceRecord>, Duration)> {
        let (all, took) =
            self.wait_browse(service_type, limit, |r| r.iter().any(|r| r.name == name))?;
        Ok((all.into_iter().filter(|r| r.name == name).collect(), took))
    }

    /// Polls until instance `name` of `service_type` no longer shows.
    pub fn wait_gone(
        &self,
        service_type: &str,
        name: &str,
        limit: Duration,
    ) -> io::Result<Duration> {
        let gone = |r: &[ServiceRecord]| r.iter().all(|r| r.name != name);
        self.wait_browse(service_type, limit, gone).map(|(_, took)| took)
    }

    /// A long-running `avahi-browse` on this side (to time an action's effect to the line).
    pub fn browser(&self, service_type: &str) -> io::Result<Browser> {
        Browser::start(&self.place, service_type)
    }

    /// The environment for CUPS clients on this side talking to `server`: its socket as
    /// CUPS_SERVER, HOME in its directory (no ~/.cups/lpoptions), C locale.
    pub fn cups_env(server: &Server) -> Vec<(String, String)> {
        vec![
            ("CUPS_SERVER".into(), server.socket_path().display().to_string()),
            ("HOME".into(), server.dir().display().to_string()),
            ("LANG".into(), "C".into()),
            ("LC_ALL".into(), "C".into()),
        ]
    }

    /// A CUPS tool on this side against `server` (30 s limit).
    pub fn cups_tool(&self, server: &Server, program: &str, args: &[&str]) -> CmdOutput {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        self.place
            .run(30, program, &args, &Side::cups_env(server))
            .unwrap_or_else(|e| panic!("run {program} on {}: {e}", self.hostname))
    }

    /// Starts `kind` on this side with [`side_cupsd_conf`]; `binary` as [`crate::server_binary`]
    /// gives it.
    pub fn start_server(
        &self,
        kind: ServerKind,
        binary: &Path,
        opts: &SideServer,
    ) -> io::Result<Server> {
        let ip = self.ip;
        Server::start_configured_at(&self.place, kind, binary, &opts.env, |dir, port| {
            let files =
                format!("{}{}", cups_files_conf(&dir.display().to_string()), opts.files_extra);
            Ok((side_cupsd_conf(dir, port, ip, opts), files))
        })
    }
}

impl Drop for Side {
    fn drop(&mut self) {
        if let Some(mut avahi) = self.avahi.take() {
            avahi.kill();
        }
        self.dbus = None;
        // Whatever else a test left running in the namespace (all of it started here).
        kill_netns_pids(&self.netns);
        self.holder.kill();
        let _ = ip(&["netns", "del", &self.netns]);
        if let Some(dir) = self.dir.take().filter(|_| std::thread::panicking()) {
            eprintln!("{}: keeping logs in {}", self.hostname, dir.keep().display());
        }
    }
}

/// The issue's figures for one server: a queue made on side `a` and seen from side `b`.
#[derive(Debug, Clone)]
pub struct ShareFigures {
    /// Its `_ipp._tcp` record as `b` saw it.
    pub record: ServiceRecord,
    /// From `lpadmin -p QUEUE -v URI -E` to its record resolved on `b`.
    pub visible: Duration,
    /// From `lpadmin -x QUEUE` to its withdrawal on `b`.
    pub gone: Duration,
}

/// `lpadmin -p QUEUE -v DEVICE -E` (plus `extra`) on `server`, which runs on `a`, timed until
/// `b` sees a `_ipp._tcp` record whose `rp` is `printers/QUEUE`; then `lpadmin -x QUEUE`
/// timed until that instance is withdrawn. Times are figures to report, not to assert on.
///
/// cupsd 2.4.2 with `-m everywhere` registers a new queue twice (again once its PPD is
/// made) and the second registration often fails with Avahi ("Bad state"), leaving it
/// unadvertised: leave `-m` out of `extra` for cupsd's figures.
pub fn share_figures(
    a: &Side,
    b: &Side,
    server: &Server,
    queue: &str,
    device_uri: &str,
    extra: &[&str],
    limit: Duration,
) -> io::Result<ShareFigures> {
    let mut watch = b.browser("_ipp._tcp")?;
    let rp = format!("printers/{queue}");
    let mine = |w: &Browser| w.all_records().into_iter().find(|r| r.txt("rp") == Some(&rp));
    let mut args = vec!["-p", queue, "-v", device_uri, "-E"];
    args.extend_from_slice(extra);
    let t0 = std::time::Instant::now();
    let add = a.cups_tool(server, "lpadmin", &args);
    if add.rc != 0 {
        return Err(other(format!("lpadmin {args:?} on {}: {}", server.name(), add.text())));
    }
    let seen = watch.wait(limit, |w| mine(w).is_some())?;
    let record = mine(&watch).ok_or_else(|| other("the record went away".into()))?;
    let visible = seen.saturating_duration_since(t0);
    let gone = watch.time_until_gone(&record.name, limit, || {
        let del = a.cups_tool(server, "lpadmin", &["-x", queue]);
        assert_eq!(del.rc, 0, "lpadmin -x {queue} on {}: {}", server.name(), del.text());
    })?;
    Ok(ShareFigures { record, visible, gone })
}

/// What a server on a side is started with.
#[derive(Debug, Clone)]
pub struct SideServer {
    /// `Browsing Yes` (and `BrowseLocalProtocols dnssd`) or `Browsing No`.
    pub browsing: bool,
    /// Also listen on /run/cups/cups.sock, the side's default CUPS socket (one server a side).
    pub default_socket: bool,
    /// Appended to cupsd.conf.
    pub cupsd_extra: String,
    /// Appended to cups-files.conf.
    pub files_extra: String,
    pub env: Vec<(String, String)>,
}

impl Default for SideServer {
    fn default() -> Self {
        SideServer {
            browsing: true,
            default_socket: true,
            cupsd_extra: String::new(),
            files_extra: String::new(),
            env: Vec::new(),
        }
    }
}

/// The test servers' cupsd.conf ([`cupsd_conf`]: no authentication, everything allowed),
/// listening on the side's loopback, LAN address and sockets, browsing as `opts` says.
pub fn side_cupsd_conf(dir: &Path, port: u16, ip: Ipv4Addr, opts: &SideServer) -> String {
    let base = cupsd_conf(&format!("{}/cups.sock", dir.display()), port);
    let browsing =
        if opts.browsing { "Browsing Yes\nBrowseLocalProtocols dnssd\n" } else { "Browsing No\n" };
    let mut extra = format!("Listen {ip}:{port}\n");
    if opts.default_socket {
        extra.push_str("Listen /run/cups/cups.sock\n");
    }
    format!("{}{extra}{}\n", base.replace("Browsing No\n", browsing), opts.cupsd_extra)
}

fn side_dir(hostname: &str) -> io::Result<TempDir> {
    tempfile::Builder::new().prefix(&format!("quire-{hostname}-")).tempdir()
}

fn avahi_conf(hostname: &str) -> String {
    // IPv4 only: one address per host keeps records and lookups simple (nss-mdns's
    // mdns4_minimal resolves IPv4).
    format!(
        "[server]\nhost-name={hostname}\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces={IFACE}\n\
         ratelimit-interval-usec=1000000\nratelimit-burst=1000\n\
         [wide-area]\nenable-wide-area=no\n\
         [publish]\npublish-hinfo=no\npublish-workstation=no\n"
    )
}

fn ip(args: &[&str]) -> io::Result<()> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let out = run_with_timeout(20, "ip", &args, None, &[])?;
    if out.rc != 0 {
        return Err(other(format!("ip {}: {}", args.join(" "), out.text())));
    }
    Ok(())
}

fn configure_link(netns: &str, addr: Ipv4Addr) -> io::Result<()> {
    // An IPv4-only LAN: without this the link gets an IPv6 link-local address, which Avahi
    // (publish-aaaa-on-ipv4) and quired's own responder then answer with, now and then
    // instead of the IPv4 one. A kernel without IPv6 has no such setting: nothing to do.
    let key = format!("net.ipv6.conf.{IFACE}.disable_ipv6=1");
    let args = ["netns", "exec", netns, "sysctl", "-qw", &key].map(String::from);
    let _ = run_with_timeout(10, "ip", &args, None, &[]);
    ip(&["-n", netns, "addr", "add", &format!("{addr}/24"), "dev", IFACE])?;
    ip(&["-n", netns, "link", "set", IFACE, "multicast", "on", "up"])?;
    ip(&["-n", netns, "link", "set", "lo", "up"])?;
    // Multicast is routed to the LAN: a program that sends to the mDNS group without naming
    // an interface finds its way out. No default route: unicast DNS (nss's fallback after
    // mdns4_minimal) fails at once instead of waiting for a name server out of reach.
    ip(&["-n", netns, "route", "add", "224.0.0.0/4", "dev", IFACE])
}

/// The holder: joins the namespace, makes a private mount and UTS namespace, mounts what is
/// per side, names the host, says `ready` and sleeps. Its pid is the side's handle.
fn start_holder(netns: &str, hostname: &str) -> io::Result<ChildGuard> {
    let script = format!(
        "set -e\n\
         mount -t sysfs sysfs /sys\n\
         for d in /run/dbus /run/avahi-daemon /run/cups; do\n\
           mkdir -p $d; mount -t tmpfs -o mode=0755 tmpfs $d\n\
         done\n\
         hostname {hostname}\n\
         echo ready\n\
         exec sleep infinity\n"
    );
    let mut cmd = std::process::Command::new("nsenter");
    cmd.arg(format!("--net=/run/netns/{netns}"))
        .args(["unshare", "-m", "-u", "--propagation", "private", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = ChildGuard::spawn("namespace holder", &mut cmd)?;
    let stdout = child.take_stdout().ok_or_else(|| other("holder: no stdout".into()))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    if line.trim() != "ready" {
        // It exited: what it said on stderr is the reason.
        let mut why = String::new();
        if let Some(mut err) = child.take_stderr() {
            let _ = std::io::Read::read_to_string(&mut err, &mut why);
        }
        return Err(other(format!("the namespace holder of {hostname} failed: {line}{why}")));
    }
    Ok(child)
}

/// SIGKILLs every process in network namespace `netns` (`ip netns pids`).
fn kill_netns_pids(netns: &str) {
    let args = ["netns".to_string(), "pids".to_string(), netns.to_string()];
    let Ok(out) = run_with_timeout(10, "ip", &args, None, &[]) else { return };
    let pids: Vec<String> = out.stdout.split_whitespace().map(String::from).collect();
    if pids.is_empty() {
        return;
    }
    let mut kill = vec!["-KILL".to_string()];
    kill.extend(pids);
    let _ = run_with_timeout(10, "kill", &kill, None, &[]);
}

/// Removes the namespaces (and what runs in them) of test processes that are gone.
fn sweep_stale() {
    let list = ["netns".to_string(), "list".to_string()];
    let Ok(out) = run_with_timeout(10, "ip", &list, None, &[]) else { return };
    for line in out.stdout.lines() {
        let Some(name) = line.split_whitespace().next().filter(|n| n.starts_with(PREFIX)) else {
            continue;
        };
        let pid = name[PREFIX.len()..].split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid
            .is_some_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists())
        {
            kill_netns_pids(name);
            let _ = ip(&["netns", "del", name]);
        }
    }
}

impl Side {
    /// Stops this side's avahi-daemon as `systemctl stop` would (SIGTERM: it withdraws what it
    /// announced), and waits until it has exited ([`Side::stop_avahi`] is the crash).
    pub fn stop_avahi_gracefully(&mut self) -> io::Result<()> {
        let Some(mut avahi) = self.avahi.take() else { return Ok(()) };
        if let Some(pid) = avahi.id() {
            let _ = crate::process::run_with_timeout(
                10,
                "kill",
                &["-TERM".into(), pid.to_string()],
                None,
                &[],
            );
        }
        let exited = wait_until(Duration::from_secs(20), || avahi.check_alive().is_err());
        avahi.kill();
        if exited {
            Ok(())
        } else {
            Err(other(format!("avahi-daemon on {} did not exit on SIGTERM", self.hostname)))
        }
    }
}
