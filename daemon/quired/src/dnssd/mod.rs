//! DNS-SD sharing of the queues (`Browsing`, `BrowseLocalProtocols dnssd`): each shared queue
//! is advertised as cupsd advertises it (`_ipp._tcp` and `_ipps._tcp` with the
//! `BrowseDNSSDSubTypes` subtypes, `_printer._tcp` on port 0 to hold the name, the TXT record of
//! [`quire_dnssd::txt`]), through the host's Avahi over D-Bus when it runs, else through
//! quired's own mDNS responder. A change to the queues marks the advertisements dirty; the
//! publisher asks the scheduler for the shared queues' facts and registers what changed.

mod avahi;
pub mod browse;
mod queues;
mod responder;
pub mod wide_area;

use crate::command::Command;
use quire_config::{Listen, ServerConfig};
use quire_dnssd::txt::{queue_txt, Origin, QueueFacts};
use quire_dnssd::{name, Service};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};

/// Changes in a burst are advertised together: the scheduler is asked at most this often (a
/// change after a quiet spell is advertised at once).
const COALESCE: Duration = Duration::from_millis(50);
/// How often quired looks for an Avahi that was not there (its own responder meanwhile).
const AVAHI_RETRY: Duration = Duration::from_secs(10);

/// How queues are shared, from the configuration (None: not shared at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharing {
    pub port: u16,
    pub subtypes: Vec<String>,
    /// `DNSSDHostName` (None: the responder's host name).
    pub host_name: Option<String>,
    pub admin_scheme: &'static str,
    /// The same services published in a unicast domain too (`DNSSDWideAreaDomain`).
    pub wide_area: Option<wide_area::Settings>,
}

impl Sharing {
    /// As cupsd decides: `Browsing` on, DNS-SD among the local protocols, and a listener that
    /// is not loopback (its port is the one advertised); otherwise nothing is shared.
    pub fn from_config(c: &ServerConfig) -> Option<Sharing> {
        if !c.browsing || !c.browse_dnssd {
            return None;
        }
        let port = c.listen.iter().find_map(|l| match l {
            Listen::Any(p) => Some(*p),
            Listen::Addr(a) if !a.ip().is_loopback() => Some(a.port()),
            Listen::Host { name, port } if !is_local_name(name) => Some(*port),
            _ => None,
        })?;
        Some(Sharing {
            port,
            subtypes: c.browse_dnssd_subtypes.clone(),
            host_name: c.dnssd_host_name.clone(),
            admin_scheme: if c.create_self_signed_certs { "https" } else { "http" },
            wide_area: wide_area::Settings::from_config(c).and_then(|s| {
                s.map_err(|e| tracing::error!("[DNS-SD] Wide-area DNS-SD disabled: {e}")).ok()
            }),
        })
    }
}

fn is_local_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost")
}

/// One queue's advertisement: an instance name and the services registered under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub instance: String,
    pub services: Vec<Service>,
}

/// The names the responder gave us: the host for SRV records, the computer for instance names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `host.local` (or `DNSSDHostName`).
    pub host: String,
    pub computer: String,
}

/// What queue `q` advertises: cupsd's three services under one instance name.
pub fn registration(sharing: &Sharing, names: &Names, q: &QueueFacts) -> Registration {
    let host = sharing.host_name.clone().unwrap_or_else(|| names.host.clone());
    let origin =
        Origin { admin_scheme: sharing.admin_scheme, host: host.clone(), port: sharing.port };
    let instance = name::instance_name(&q.name, &q.info, Some(&names.computer));
    let txt = queue_txt(q, &origin);
    let service =
        |ty: &str, port: u16, txt: Vec<(String, String)>, subtypes: Vec<String>| Service {
            instance: instance.clone(),
            service_type: ty.into(),
            subtypes,
            host: host.clone(),
            port,
            txt,
        };
    let services = vec![
        service("_printer._tcp", 0, Vec::new(), Vec::new()),
        service("_ipp._tcp", sharing.port, txt.clone(), sharing.subtypes.clone()),
        service("_ipps._tcp", sharing.port, txt, sharing.subtypes.clone()),
    ];
    Registration { instance, services }
}

/// The scheduler's handle on the publisher.
#[derive(Clone)]
pub struct Publisher {
    dirty: Arc<queues::Dirty>,
    sharing: watch::Sender<Option<Sharing>>,
    stop: mpsc::UnboundedSender<oneshot::Sender<()>>,
}

impl Publisher {
    /// Starts the publishing task (idle while `sharing` is None).
    pub fn start(sharing: Option<Sharing>, tx: mpsc::UnboundedSender<Command>) -> Publisher {
        let (sharing_tx, sharing_rx) = watch::channel(sharing);
        let (stop_tx, stop_rx) = mpsc::unbounded_channel();
        let dirty = Arc::new(queues::Dirty::default());
        let p = Publisher { dirty, sharing: sharing_tx, stop: stop_tx };
        let task = Task { dirty: p.dirty.clone(), tx, sharing: sharing_rx, stop: stop_rx };
        tokio::spawn(task.run());
        p
    }

    /// Queues changed (by key; deleted ones too): advertise them again. Only these are read
    /// from the scheduler again, so a change costs it the same with 10 queues or 20,000.
    pub fn mark<'a>(&self, keys: impl IntoIterator<Item = &'a String>) {
        self.dirty.mark(keys);
    }

    /// Every queue may have changed (a new configuration: policies change `air`).
    pub fn mark_all(&self) {
        self.dirty.mark_all();
    }

    /// A new configuration (SIGHUP).
    pub fn reconfigure(&self, sharing: Option<Sharing>) {
        self.sharing.send_if_modified(|s| {
            let changed = *s != sharing;
            *s = sharing;
            changed
        });
    }

    /// Withdraws every advertisement (goodbye packets), at a clean stop.
    pub async fn stop(&self) {
        let (done, wait) = oneshot::channel();
        if self.stop.send(done).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(3), wait).await;
        }
    }
}

/// Who publishes now.
enum Backend {
    None,
    Avahi(Box<avahi::AvahiPublisher>),
    Own(responder::OwnResponder),
}

enum Wake {
    Dirty,
    Sharing,
    Avahi(avahi::Event),
    Stop(Option<oneshot::Sender<()>>),
}

struct Task {
    dirty: Arc<queues::Dirty>,
    tx: mpsc::UnboundedSender<Command>,
    sharing: watch::Receiver<Option<Sharing>>,
    stop: mpsc::UnboundedReceiver<oneshot::Sender<()>>,
}

impl Task {
    async fn run(mut self) {
        let mut backend = Backend::None;
        let mut told = BTreeMap::new();
        let mut wide = wide_area::Slot::default();
        let mut known = queues::Queues::default();
        let mut last = tokio::time::Instant::now();
        loop {
            let sharing = self.sharing.borrow_and_update().clone();
            if let Some(sharing) = &sharing {
                if let Some(want) = self.publish(&mut backend, sharing, &mut known).await {
                    let services: Vec<Service> =
                        want.values().flat_map(|r| r.services.iter().cloned()).collect();
                    wide.publish(sharing.wide_area.as_ref(), &services).await;
                }
            } else {
                known = queues::Queues::default();
                withdraw(&mut backend).await;
                wide.publish(None, &[]).await;
            }
            let names = registered_names(&backend);
            if names != told {
                let _ = self.tx.send(Command::DnssdNames(names.clone()));
                told = names;
            }
            match self.wait(&mut backend, sharing.is_some()).await {
                Wake::Dirty => {
                    tokio::time::sleep_until(last + COALESCE).await;
                    last = tokio::time::Instant::now();
                }
                Wake::Sharing => {}
                Wake::Avahi(event) => self.avahi_event(&mut backend, event).await,
                Wake::Stop(done) => {
                    withdraw(&mut backend).await;
                    wide.stop().await;
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                    return;
                }
            }
        }
    }

    /// What happens next: the queues change, the configuration, Avahi, or the stop.
    async fn wait(&mut self, backend: &mut Backend, sharing: bool) -> Wake {
        let avahi = async {
            match backend {
                Backend::Avahi(a) => a.next_event().await,
                Backend::Own(_) if sharing => {
                    tokio::time::sleep(AVAHI_RETRY).await;
                    avahi::Event::Retry
                }
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = self.dirty.notified() => Wake::Dirty,
            changed = self.sharing.changed() => match changed {
                Ok(()) => Wake::Sharing,
                Err(_) => Wake::Stop(None),
            },
            event = avahi => Wake::Avahi(event),
            done = self.stop.recv() => Wake::Stop(done),
        }
    }

    async fn avahi_event(&self, backend: &mut Backend, event: avahi::Event) {
        match event {
            avahi::Event::Gone => {
                tracing::warn!("[DNS-SD] Avahi went away; quired's own mDNS responder takes over");
                *backend = Backend::None;
            }
            // Our own responder is running: see whether Avahi has come (back).
            avahi::Event::Retry => {
                if avahi::AvahiPublisher::available().await {
                    tracing::info!("[DNS-SD] Avahi is running; registering through it");
                    withdraw(backend).await;
                }
            }
            avahi::Event::Renamed => {}
        }
    }

    /// Registers what the shared queues need now, starting a backend if there is none; gives
    /// what it registered (for wide-area DNS-SD).
    async fn publish<'k>(
        &self,
        backend: &mut Backend,
        sharing: &Sharing,
        known: &'k mut queues::Queues,
    ) -> Option<&'k BTreeMap<String, Registration>> {
        known.refresh(&self.dirty, &self.tx).await?;
        if matches!(backend, Backend::None) {
            *backend = match avahi::AvahiPublisher::connect().await {
                Ok(a) => Backend::Avahi(Box::new(a)),
                Err(why) => {
                    tracing::info!("[DNS-SD] No Avahi ({why}); using quired's own mDNS responder");
                    match responder::OwnResponder::start() {
                        Ok(r) => Backend::Own(r),
                        Err(e) => {
                            tracing::error!("[DNS-SD] Unable to start the mDNS responder: {e}");
                            return None;
                        }
                    }
                }
            };
        }
        match backend {
            Backend::Avahi(a) => {
                let want = known.registrations(sharing, &a.names());
                a.sync(want).await;
                Some(want)
            }
            Backend::Own(r) => {
                let want = known.registrations(sharing, &r.names());
                r.sync(want);
                Some(want)
            }
            Backend::None => None,
        }
    }
}

/// The names the queues are registered under, by queue.
fn registered_names(backend: &Backend) -> BTreeMap<String, String> {
    match backend {
        Backend::Avahi(a) => a.registered_names(),
        Backend::Own(r) => r.registered_names(),
        Backend::None => BTreeMap::new(),
    }
}

async fn withdraw(backend: &mut Backend) {
    match std::mem::replace(backend, Backend::None) {
        Backend::Avahi(mut a) => a.sync(&BTreeMap::new()).await,
        Backend::Own(r) => r.shutdown(),
        Backend::None => {}
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
