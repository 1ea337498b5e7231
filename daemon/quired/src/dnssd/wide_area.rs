//! Wide-area DNS-SD (RFC 6763 section 11): the shared queues published in a unicast domain
//! (`DNSSDWideAreaDomain`), so clients on other subnets find them without multicast, by RFC
//! 2136 updates to `DNSSDUpdateServer` (signed with `DNSSDUpdateKey`) and/or in the zone file
//! `DNSSDZoneFile`. The publisher hands over the services it advertises ([`WideArea::publish`]
//! returns at once); a task of its own sends only what changed since the last accepted update,
//! retries with backoff while the server cannot be reached or refuses, and at a clean stop
//! withdraws everything it added. Its first update also withdraws what a run before it left
//! (after a crash): the instances whose SRV names this host and port, found by plain queries.

use std::collections::BTreeSet;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use quire_config::{ServerConfig, UpdateServer};
use quire_dnssd::answer::{self, rcode, Answer, Expect, Signature};
use quire_dnssd::lookup::{self, Found};
use quire_dnssd::record::{rtype, Name, RData, Record};
use quire_dnssd::tsig::Key;
use quire_dnssd::update::{self, Batch, UDP_MAX};
use quire_dnssd::{zone, Service};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot, watch};

/// The TTL of the published records: short, so a withdrawn queue is soon gone from caches.
const TTL: u32 = 120;
/// How long one UDP try waits for the answer; two tries before the TCP-less give-up.
const UDP_WAIT: Duration = Duration::from_secs(2);
const UDP_TRIES: u32 = 2;
/// Connecting to and talking with the server over TCP.
const TCP_WAIT: Duration = Duration::from_secs(10);
/// Retries after a failure: from the first to the longest wait, doubling.
const BACKOFF_FIRST: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(300);
/// A clean stop waits this long for the withdrawal (within the publisher's own 3 s).
const STOP_WAIT: Duration = Duration::from_secs(2);

/// Where and how the records go, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub domain: Name,
    pub server: Option<UpdateServer>,
    pub key: Option<Key>,
    pub zone_file: Option<PathBuf>,
    /// The SRV target that replaces a `.local` host name (`ServerName`), which clients off the
    /// link could not resolve.
    pub host: Option<String>,
}

impl Settings {
    /// `None` without `DNSSDWideAreaDomain`; an error (to log) when a name does not fit.
    pub fn from_config(c: &ServerConfig) -> Option<Result<Settings, String>> {
        let w = &c.wide_area;
        let domain = w.domain.as_deref()?;
        Some(Settings::build(c, domain))
    }

    fn build(c: &ServerConfig, domain: &str) -> Result<Settings, String> {
        let w = &c.wide_area;
        let domain =
            Name::parse(domain).map_err(|e| format!("DNSSDWideAreaDomain {domain}: {e}"))?;
        let key = match &w.update_key {
            Some(k) => Some(Key::new(
                Name::parse(&k.name).map_err(|e| format!("DNSSDUpdateKey {}: {e}", k.name))?,
                k.secret().to_vec(),
            )),
            None => None,
        };
        let host = c.server_name.clone().filter(|h| h.contains('.') && !is_link_local_name(h));
        Ok(Settings {
            domain,
            server: w.update_server.clone(),
            key,
            zone_file: w.zone_file.clone(),
            host,
        })
    }
}

fn is_link_local_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "local" || h.ends_with(".local")
}

/// How far the task has got: the generation of the services last published everywhere
/// configured, and the error of the last try (None once it succeeded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub published: u64,
    pub error: Option<String>,
}

/// The publisher's handle on the wide-area task.
pub struct WideArea {
    desired: watch::Sender<(u64, Vec<Service>)>,
    stop: mpsc::UnboundedSender<oneshot::Sender<()>>,
    #[cfg_attr(not(test), allow(dead_code))] // what the tests wait on
    status: watch::Receiver<Status>,
}

impl WideArea {
    /// Starts the task (on the current tokio runtime) for `settings`.
    pub fn start(settings: Settings) -> WideArea {
        if let Some(s) = &settings.server {
            tracing::info!(
                "[DNS-SD] Wide-area: publishing in {} through {}:{}{}",
                settings.domain,
                s.host,
                s.port,
                if settings.key.is_some() { " (TSIG hmac-sha256)" } else { " (unsigned)" }
            );
        }
        let (desired, desired_rx) = watch::channel((0, Vec::new()));
        let (stop, stop_rx) = mpsc::unbounded_channel();
        let (status_tx, status) = watch::channel(Status::default());
        let task = Task {
            settings,
            desired: desired_rx,
            stop: stop_rx,
            status: status_tx,
            sent: Vec::new(),
            written: None,
            ids: std::collections::hash_map::RandomState::new(),
            counter: 0,
            warned_local: false,
            adopted: false,
        };
        tokio::spawn(task.run());
        WideArea { desired, stop, status }
    }

    /// The services to publish now (all of them; the task sends the difference). Returns at
    /// once: the network work happens in the task. The generation it returns is what
    /// [`Status::published`] reaches once they are published.
    pub fn publish(&self, services: &[Service]) -> u64 {
        let mut generation = 0;
        self.desired.send_modify(|(g, s)| {
            *g += 1;
            generation = *g;
            *s = services.to_vec();
        });
        generation
    }

    /// Follows the task's progress.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn status(&self) -> watch::Receiver<Status> {
        self.status.clone()
    }

    /// Withdraws everything published (updates and zone file), waiting at most [`STOP_WAIT`].
    pub async fn stop(&self) {
        let (done, wait) = oneshot::channel();
        if self.stop.send(done).is_ok() {
            let _ = tokio::time::timeout(STOP_WAIT, wait).await;
        }
    }
}

/// The publisher's wide-area side: a [`WideArea`] for the settings in force, replaced (the old
/// one withdrawing what it published) when they change.
#[derive(Default)]
pub struct Slot {
    current: Option<(Settings, WideArea)>,
}

impl Slot {
    /// Publishes `services` under `settings` (None: off, what was published is withdrawn).
    pub async fn publish(&mut self, settings: Option<&Settings>, services: &[Service]) {
        if self.current.as_ref().map(|(s, _)| s) != settings {
            self.stop().await;
            self.current = settings.map(|s| (s.clone(), WideArea::start(s.clone())));
        }
        if let Some((_, w)) = &self.current {
            w.publish(services);
        }
    }

    /// Withdraws everything (a clean stop).
    pub async fn stop(&mut self) {
        if let Some((_, w)) = self.current.take() {
            w.stop().await;
        }
    }
}

struct Task {
    settings: Settings,
    desired: watch::Receiver<(u64, Vec<Service>)>,
    stop: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
    status: watch::Sender<Status>,
    /// What the server holds from us: the records of the last update it accepted.
    sent: Vec<Record>,
    /// The records in the zone file as last written.
    written: Option<Vec<Record>>,
    /// Message IDs: unpredictable (keyed by a random hasher), never repeating in a row.
    ids: std::collections::hash_map::RandomState,
    counter: u64,
    warned_local: bool,
    /// The records a previous run left (found by [`Task::previous`]) are in `sent`.
    adopted: bool,
}

impl Task {
    async fn run(mut self) {
        let mut backoff: Option<Duration> = None;
        loop {
            let retry = async {
                match backoff {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                done = self.stop.recv() => {
                    // No handle left and no stop asked for: nothing is withdrawn.
                    let Some(done) = done else { return };
                    self.withdraw().await;
                    let _ = done.send(());
                    return;
                }
                changed = self.desired.changed() => {
                    if changed.is_err() {
                        // The publisher is gone without a stop: nothing will change again.
                        return;
                    }
                }
                () = retry => {}
            }
            let (generation, services) = self.desired.borrow_and_update().clone();
            backoff = self
                .attempt(generation, &services)
                .await
                .then(|| backoff.map_or(BACKOFF_FIRST, |d| (d * 2).min(BACKOFF_MAX)));
        }
    }

    /// Publishes `services`; true when it must be tried again later.
    async fn attempt(&mut self, generation: u64, services: &[Service]) -> bool {
        let result = self.sync(services).await;
        let previous = self.status.borrow().error.clone();
        match result {
            Ok(()) => {
                if previous.is_some() {
                    tracing::info!(
                        "[DNS-SD] Wide-area: {} is up to date again",
                        self.settings.domain
                    );
                }
                self.status.send_replace(Status { published: generation, error: None });
                false
            }
            Err(e) => {
                // Each new failure once, not each retry of it.
                if previous.as_deref() != Some(e.as_str()) {
                    tracing::error!("[DNS-SD] Wide-area: {e}; retrying");
                }
                self.status.send_modify(|s| s.error = Some(e));
                true
            }
        }
    }

    async fn withdraw(&mut self) {
        let deadline = tokio::time::Instant::now() + STOP_WAIT;
        match tokio::time::timeout_at(deadline, self.sync(&[])).await {
            Ok(Ok(())) => tracing::info!(
                "[DNS-SD] Wide-area: withdrew the queues from {}",
                self.settings.domain
            ),
            Ok(Err(e)) => tracing::error!("[DNS-SD] Wide-area: could not withdraw the queues: {e}"),
            Err(_) => tracing::error!("[DNS-SD] Wide-area: the withdrawal did not finish in time"),
        }
    }

    /// Brings the zone file and the server to `services`.
    async fn sync(&mut self, services: &[Service]) -> Result<(), String> {
        let services = self.for_wide_area(services);
        let (records, errors) = zone::records(&services, &self.settings.domain, TTL);
        for e in errors {
            tracing::warn!("[DNS-SD] Wide-area: {e}; not published");
        }
        let mut failure = None;
        if let Some(path) = self.settings.zone_file.clone() {
            if self.written.as_ref() != Some(&records) {
                match write_zone_file(&path, &self.settings.domain, &records).await {
                    Ok(()) => self.written = Some(records.clone()),
                    Err(e) => failure = Some(format!("cannot write {}: {e}", path.display())),
                }
            }
        }
        if let Some(server) = self.settings.server.clone() {
            if !self.adopted && !services.is_empty() {
                self.sent = self.previous(&server, &services).await?;
                self.adopted = true;
            }
            let batches = update::plan(&self.settings.domain, &self.sent, &records);
            for batch in &batches {
                self.apply(&server, batch).await?;
            }
            self.sent = records;
        }
        failure.map_or(Ok(()), Err)
    }

    /// The services as clients elsewhere must see them: no port-0 placeholders (they only
    /// hold a name on the link), SRV targets resolvable in unicast DNS.
    fn for_wide_area(&mut self, services: &[Service]) -> Vec<Service> {
        let mut out = Vec::with_capacity(services.len());
        for s in services.iter().filter(|s| s.port != 0) {
            let mut s = s.clone();
            if is_link_local_name(&s.host) {
                match &self.settings.host {
                    Some(h) => s.host = h.clone(),
                    None if !self.warned_local => {
                        self.warned_local = true;
                        tracing::warn!(
                            "[DNS-SD] Wide-area: the queues' host is {}, which clients on other subnets cannot resolve; set ServerName (or DNSSDHostName) to its name in {}",
                            s.host,
                            self.settings.domain
                        );
                    }
                    None => {}
                }
            }
            out.push(s);
        }
        out
    }

    /// What a run of quired before this one (ended by a crash, or with the server out of
    /// reach) left in the zone: the instances of the service types published now whose SRV
    /// names this host and port, with their type's and subtypes' PTRs. Plain queries; only
    /// those are touched, never another host's.
    async fn previous(
        &mut self,
        server: &UpdateServer,
        services: &[Service],
    ) -> Result<Vec<Record>, String> {
        let addr = resolve(server).await?;
        let domain = self.settings.domain.clone();
        let ours: BTreeSet<(Name, u16)> =
            services.iter().filter_map(|s| Some((Name::parse(&s.host).ok()?, s.port))).collect();
        let types: BTreeSet<&str> = services.iter().map(|s| s.service_type.as_str()).collect();
        let subtypes: BTreeSet<&str> =
            services.iter().flat_map(|s| s.subtypes.iter().map(String::as_str)).collect();
        let mut out = Vec::new();
        for t in types {
            let Ok(tname) = domain.children(t) else { continue };
            let id = self.next_id();
            for found in query(addr, id, &tname, rtype::PTR).await? {
                let RData::Ptr(inst) = found.data else { continue };
                if !found.owner.eq_ignore_case(&tname) || !inst.is_within(&tname) {
                    continue;
                }
                let id = self.next_id();
                let srv: Vec<Found> = query(addr, id, &inst, rtype::SRV).await?;
                let mine = srv.into_iter().filter(|f| match &f.data {
                    RData::Srv { port, target, .. } => {
                        ours.iter().any(|(h, p)| p == port && h.eq_ignore_case(target))
                    }
                    _ => false,
                });
                let record = |owner: Name, data| Record { owner, ttl: TTL, data };
                let before = out.len();
                out.extend(mine.map(|f| record(inst.clone(), f.data)));
                if out.len() == before {
                    continue;
                }
                out.push(record(tname.clone(), RData::Ptr(inst.clone())));
                for sub in &subtypes {
                    if let Ok(owner) = tname.child("_sub").and_then(|n| n.child(sub)) {
                        out.push(record(owner, RData::Ptr(inst.clone())));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Sends one batch and judges the answer.
    async fn apply(&mut self, server: &UpdateServer, batch: &Batch) -> Result<(), String> {
        let answer = self.exchange(server, batch).await?;
        if answer.is_success() {
            return Ok(());
        }
        // A shared pointer still in use by someone else: left, as intended.
        if batch.is_conditional() && answer.rcode == rcode::YXDOMAIN {
            return Ok(());
        }
        Err(self.describe(server, &answer))
    }

    fn describe(&self, server: &UpdateServer, a: &Answer) -> String {
        let at = format!("{}:{}", server.host, server.port);
        let zone = &self.settings.domain;
        let key = self.settings.key.as_ref().map(|k| k.name.to_string()).unwrap_or_default();
        let untrusted =
            matches!(a.signature, Signature::Missing | Signature::WrongKey | Signature::Invalid);
        let why = match (&a.signature, a.rcode) {
            (Signature::ServerError(e), _) => format!(
                "{at} refused the TSIG signature of key {key} ({}): check DNSSDUpdateKey",
                rcode::name(*e)
            ),
            // A success nobody can vouch for is no success.
            (_, rcode::NOERROR) => format!(
                "the answer of {at} is not signed with key {key} ({:?}): not trusted",
                a.signature
            ),
            (_, rcode::REFUSED) => format!(
                "{at} REFUSED the update of {zone}: it does not allow updates {}",
                if key.is_empty() {
                    "without a key (set DNSSDUpdateKey)".into()
                } else {
                    format!("signed with key {key}")
                }
            ),
            (_, rcode::NOTAUTH | rcode::NOTZONE) => format!(
                "{at} answered {}: it is not the primary server of {zone}",
                rcode::name(a.rcode)
            ),
            (_, code) => {
                format!("{at} answered {} ({code}) to the update of {zone}", rcode::name(code))
            }
        };
        if untrusted && a.rcode != rcode::NOERROR {
            format!("{why} (an answer not signed with key {key})")
        } else {
            why
        }
    }

    fn next_id(&mut self) -> u16 {
        self.counter += 1;
        let mut h = self.ids.build_hasher();
        h.write_u64(self.counter);
        (h.finish() & 0xFFFF) as u16
    }

    /// Sends the update over UDP when it fits, else (or when the answer is truncated) TCP.
    async fn exchange(&mut self, server: &UpdateServer, batch: &Batch) -> Result<Answer, String> {
        let id = self.next_id();
        let now = unix_now();
        let key = self.settings.key.as_ref().map(|k| (k, now));
        let msg = update::encode(id, &self.settings.domain, batch, key);
        let addr = resolve(server).await?;
        let expect = Expect { id, key: self.settings.key.as_ref(), request_mac: &msg.mac, now };
        if msg.bytes.len() <= UDP_MAX {
            match udp(addr, &msg.bytes, &expect).await {
                Ok(a) if !a.truncated => return Ok(a),
                Ok(_) => {}
                Err(e) => return Err(format!("no answer from {addr} over UDP: {e}")),
            }
        }
        tcp(addr, &msg.bytes, &expect).await.map_err(|e| format!("update over TCP to {addr}: {e}"))
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

async fn resolve(server: &UpdateServer) -> Result<SocketAddr, String> {
    let mut addrs = tokio::net::lookup_host((server.host.as_str(), server.port))
        .await
        .map_err(|e| format!("cannot resolve {}: {e}", server.host))?;
    addrs.next().ok_or_else(|| format!("{} has no address", server.host))
}

/// One update over UDP: the answer from the server's address with our ID; anything else that
/// arrives meanwhile is ignored (a stray or forged datagram cannot end the wait).
async fn udp(addr: SocketAddr, msg: &[u8], expect: &Expect<'_>) -> io::Result<Answer> {
    let local: SocketAddr =
        if addr.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
    let sock = UdpSocket::bind(local).await?;
    sock.connect(addr).await?;
    let mut buf = vec![0u8; 65_535];
    for _ in 0..UDP_TRIES {
        sock.send(msg).await?;
        let deadline = tokio::time::Instant::now() + UDP_WAIT;
        loop {
            let n = match tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
                Ok(r) => r?,
                Err(_) => break,
            };
            match answer::parse(&buf[..n], expect) {
                Ok(a) => return Ok(a),
                Err(e) => {
                    tracing::debug!("[DNS-SD] Wide-area: ignored a datagram from {addr}: {e}")
                }
            }
        }
    }
    Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
}

/// One update over TCP.
async fn tcp(addr: SocketAddr, msg: &[u8], expect: &Expect<'_>) -> Result<Answer, String> {
    let bytes = tcp_exchange(addr, msg).await?;
    answer::parse(&bytes, expect).map_err(|e| format!("bad answer: {e}"))
}

/// One message and its answer over TCP (RFC 1035 section 4.2.2: each after its 2-byte
/// length), within [`TCP_WAIT`].
async fn tcp_exchange(addr: SocketAddr, msg: &[u8]) -> Result<Vec<u8>, String> {
    let len = u16::try_from(msg.len()).map_err(|_| "the message is too large".to_string())?;
    let talk = async {
        let mut s = TcpStream::connect(addr).await?;
        let mut framed = len.to_be_bytes().to_vec();
        framed.extend_from_slice(msg);
        s.write_all(&framed).await?;
        let mut n = [0u8; 2];
        s.read_exact(&mut n).await?;
        let mut buf = vec![0u8; usize::from(u16::from_be_bytes(n))];
        s.read_exact(&mut buf).await?;
        io::Result::Ok(buf)
    };
    tokio::time::timeout(TCP_WAIT, talk)
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| e.to_string())
}

/// `name` `qtype` asked of the server over TCP: the PTR and SRV records of the answer.
async fn query(addr: SocketAddr, id: u16, name: &Name, qtype: u16) -> Result<Vec<Found>, String> {
    let bytes = tcp_exchange(addr, &lookup::encode_query(id, name, qtype))
        .await
        .map_err(|e| format!("query to {addr}: {e}"))?;
    let r = lookup::parse_response(&bytes, id).map_err(|e| format!("bad answer: {e}"))?;
    match r.rcode {
        rcode::NOERROR | rcode::NXDOMAIN => Ok(r.records),
        code => Err(format!("{addr} answered {} to a query for {name}", rcode::name(code))),
    }
}

/// The zone file, replaced whole: written beside it, flushed to disk, renamed over it.
async fn write_zone_file(path: &Path, domain: &Name, records: &[Record]) -> io::Result<()> {
    let text = zone::master_file(domain, TTL, None, records);
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.quired-tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
#[path = "wide_area_tests.rs"]
mod tests;
