//! Registering through the host's Avahi (org.freedesktop.Avahi on the system bus): one
//! entry group per queue, renamed with Avahi's alternative name on a collision, all withdrawn
//! by Avahi itself if quired's bus connection goes.

use super::{Names, Registration};
use futures_util::StreamExt;
use std::collections::BTreeMap;
use tokio::sync::mpsc;
use zbus::fdo::DBusProxy;
use zbus::names::BusName;

const AVAHI: &str = "org.freedesktop.Avahi";
/// `AVAHI_IF_UNSPEC`, `AVAHI_PROTO_UNSPEC`: every interface and protocol.
const UNSPEC: i32 = -1;
/// `AVAHI_ENTRY_GROUP_COLLISION`, `AVAHI_ENTRY_GROUP_FAILURE`.
const COLLISION: i32 = 3;
const FAILURE: i32 = 4;
/// Alternative names tried for one registration before giving up.
const MAX_RENAMES: usize = 16;

#[zbus::proxy(
    interface = "org.freedesktop.Avahi.Server",
    default_service = "org.freedesktop.Avahi",
    default_path = "/"
)]
trait Server {
    fn get_host_name(&self) -> zbus::Result<String>;
    fn get_host_name_fqdn(&self) -> zbus::Result<String>;
    fn get_alternative_service_name(&self, name: &str) -> zbus::Result<String>;
    fn entry_group_new(&self) -> zbus::Result<zbus::zvariant::OwnedObjectPath>;
}

#[zbus::proxy(
    interface = "org.freedesktop.Avahi.EntryGroup",
    default_service = "org.freedesktop.Avahi"
)]
trait EntryGroup {
    fn free(&self) -> zbus::Result<()>;
    fn commit(&self) -> zbus::Result<()>;
    fn reset(&self) -> zbus::Result<()>;
    #[allow(clippy::too_many_arguments)] // Avahi's signature
    fn add_service(
        &self,
        interface: i32,
        protocol: i32,
        flags: u32,
        name: &str,
        type_: &str,
        domain: &str,
        host: &str,
        port: u16,
        txt: Vec<Vec<u8>>,
    ) -> zbus::Result<()>;
    #[allow(clippy::too_many_arguments)] // Avahi's signature
    fn add_service_subtype(
        &self,
        interface: i32,
        protocol: i32,
        flags: u32,
        name: &str,
        type_: &str,
        domain: &str,
        subtype: &str,
    ) -> zbus::Result<()>;
    #[zbus(signal)]
    fn state_changed(&self, state: i32, error: String) -> zbus::Result<()>;
}

/// What the publisher's loop learns from Avahi.
pub enum Event {
    /// Avahi (or the bus) went away: registrations are gone with it.
    Gone,
    /// Time to look for an Avahi again (while quired's own responder runs).
    Retry,
    /// A registration was renamed after a collision (already re-registered).
    Renamed,
}

struct Group {
    proxy: EntryGroupProxy<'static>,
    want: Registration,
    /// The name registered (the wanted one, or Avahi's alternative after a collision).
    name: String,
    watcher: tokio::task::JoinHandle<()>,
}

pub struct AvahiPublisher {
    conn: zbus::Connection,
    server: ServerProxy<'static>,
    names: Names,
    groups: BTreeMap<String, Group>,
    states: mpsc::UnboundedReceiver<(String, i32, String)>,
    states_tx: mpsc::UnboundedSender<(String, i32, String)>,
    owner: zbus::fdo::NameOwnerChangedStream,
}

impl AvahiPublisher {
    /// Whether Avahi runs on the system bus now.
    pub async fn available() -> bool {
        let Ok(conn) = zbus::Connection::system().await else { return false };
        has_avahi(&conn).await
    }

    /// Connects to the system bus and Avahi (Err: why not, for the log).
    pub async fn connect() -> Result<AvahiPublisher, String> {
        let conn = zbus::Connection::system().await.map_err(|e| format!("system bus: {e}"))?;
        if !has_avahi(&conn).await {
            return Err("org.freedesktop.Avahi is not on the system bus".into());
        }
        let dbus = DBusProxy::new(&conn).await.map_err(|e| e.to_string())?;
        let owner = dbus
            .receive_name_owner_changed_with_args(&[(0, AVAHI)])
            .await
            .map_err(|e| e.to_string())?;
        let server = ServerProxy::new(&conn).await.map_err(|e| e.to_string())?;
        let computer = server.get_host_name().await.map_err(|e| format!("Avahi: {e}"))?;
        let host = server.get_host_name_fqdn().await.map_err(|e| format!("Avahi: {e}"))?;
        tracing::info!("[DNS-SD] Registering through Avahi as {host}");
        let (states_tx, states) = mpsc::unbounded_channel();
        Ok(AvahiPublisher {
            conn,
            server,
            names: Names { host, computer },
            groups: BTreeMap::new(),
            states,
            states_tx,
            owner,
        })
    }

    pub fn registered_names(&self) -> BTreeMap<String, String> {
        self.groups.iter().map(|(q, g)| (q.clone(), g.name.clone())).collect()
    }

    pub fn names(&self) -> Names {
        self.names.clone()
    }

    /// Makes Avahi's registrations those of `want`: new queues added, changed ones
    /// registered again, the others withdrawn.
    pub async fn sync(&mut self, want: &BTreeMap<String, Registration>) {
        let gone: Vec<String> =
            self.groups.keys().filter(|q| !want.contains_key(*q)).cloned().collect();
        for q in gone {
            if let Some(g) = self.groups.remove(&q) {
                g.watcher.abort();
                if let Err(e) = g.proxy.free().await {
                    tracing::warn!("[DNS-SD] Unable to withdraw \"{}\": {e}", g.name);
                }
                tracing::info!("[DNS-SD] Printer {q} withdrawn (\"{}\")", g.name);
            }
        }
        for (q, r) in want {
            if self.groups.get(q).is_some_and(|g| g.want == *r) {
                continue;
            }
            if let Err(e) = self.register(q, r).await {
                tracing::error!(
                    "[DNS-SD] Unable to register printer {q} as \"{}\": {e}",
                    r.instance
                );
            }
        }
    }

    async fn register(&mut self, queue: &str, r: &Registration) -> zbus::Result<()> {
        let name = match self.groups.get(queue) {
            // A rename after a collision sticks while the wanted name stays the same.
            Some(g) if g.want.instance == r.instance => g.name.clone(),
            _ => r.instance.clone(),
        };
        let proxy = match self.groups.remove(queue) {
            Some(g) => {
                g.watcher.abort();
                g.proxy.reset().await?;
                g.proxy
            }
            None => {
                let path = self.server.entry_group_new().await?;
                EntryGroupProxy::builder(&self.conn).path(path)?.build().await?
            }
        };
        let watcher = self.watch(queue, &proxy).await?;
        let mut g = Group { proxy, want: r.clone(), name, watcher };
        let mut added = self.add_and_commit(&g).await;
        // A name this host already registers (another server's queue): Avahi refuses it at
        // once; take its alternative as for a collision on the network.
        for _ in 0..MAX_RENAMES {
            if !matches!(&added, Err(e) if is_collision(e)) {
                break;
            }
            let new = self.server.get_alternative_service_name(&g.name).await?;
            tracing::warn!(
                "[DNS-SD] Name \"{}\" of printer {queue} is taken on this host; registering as \"{new}\"",
                g.name
            );
            g.name = new;
            g.proxy.reset().await?;
            added = self.add_and_commit(&g).await;
        }
        if added.is_err() {
            g.watcher.abort();
            let _ = g.proxy.free().await;
            return added;
        }
        tracing::info!("[DNS-SD] Printer {queue} registered as \"{}\"", g.name);
        g.want = r.clone();
        self.groups.insert(queue.to_string(), g);
        Ok(())
    }

    async fn add_and_commit(&self, g: &Group) -> zbus::Result<()> {
        for s in &g.want.services {
            let txt: Vec<Vec<u8>> =
                s.txt.iter().map(|(k, v)| format!("{k}={v}").into_bytes()).collect();
            // Avahi's own host name unless DNSSDHostName names another.
            let host = if s.host == self.names.host { "" } else { s.host.as_str() };
            let ty = s.service_type.as_str();
            g.proxy.add_service(UNSPEC, UNSPEC, 0, &g.name, ty, "", host, s.port, txt).await?;
            for sub in &s.subtypes {
                let subtype = format!("{sub}._sub.{ty}");
                g.proxy.add_service_subtype(UNSPEC, UNSPEC, 0, &g.name, ty, "", &subtype).await?;
            }
        }
        g.proxy.commit().await
    }

    /// Forwards the group's state changes (collisions, failures) to the publisher's loop.
    async fn watch(
        &self,
        queue: &str,
        proxy: &EntryGroupProxy<'static>,
    ) -> zbus::Result<tokio::task::JoinHandle<()>> {
        let mut states = proxy.receive_state_changed().await?;
        let tx = self.states_tx.clone();
        let queue = queue.to_string();
        Ok(tokio::spawn(async move {
            while let Some(signal) = states.next().await {
                if let Ok(args) = signal.args() {
                    if tx.send((queue.clone(), args.state, args.error.clone())).is_err() {
                        return;
                    }
                }
            }
        }))
    }

    /// Waits for Avahi to go away or a registration to collide (handled here).
    pub async fn next_event(&mut self) -> Event {
        loop {
            tokio::select! {
                changed = self.owner.next() => {
                    let gone = match changed {
                        None => true,
                        Some(c) => c.args().map(|a| a.new_owner().is_none()).unwrap_or(true),
                    };
                    if gone {
                        self.groups.clear();
                        return Event::Gone;
                    }
                }
                Some((queue, state, error)) = self.states.recv() => {
                    if self.group_state(&queue, state, &error).await {
                        return Event::Renamed;
                    }
                }
            }
        }
    }

    async fn group_state(&mut self, queue: &str, state: i32, error: &str) -> bool {
        match state {
            COLLISION => {
                let Some(g) = self.groups.get(queue) else { return false };
                let old = g.name.clone();
                let new = match self.server.get_alternative_service_name(&old).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(
                            "[DNS-SD] Name \"{old}\" is taken and Avahi gave no other: {e}"
                        );
                        return false;
                    }
                };
                tracing::warn!("[DNS-SD] Name \"{old}\" of printer {queue} is taken on the network; registering as \"{new}\"");
                if let Some(g) = self.groups.get_mut(queue) {
                    g.name = new;
                    let _ = g.proxy.reset().await;
                }
                if let Some(g) = self.groups.get(queue) {
                    if let Err(e) = self.add_and_commit(g).await {
                        tracing::error!("[DNS-SD] Unable to register printer {queue} again: {e}");
                    }
                }
                true
            }
            FAILURE => {
                tracing::error!("[DNS-SD] Avahi failed to register printer {queue}: {error}");
                false
            }
            _ => false,
        }
    }
}

fn is_collision(e: &zbus::Error) -> bool {
    matches!(e, zbus::Error::MethodError(name, _, _) if name.as_str() == "org.freedesktop.Avahi.CollisionError")
}

async fn has_avahi(conn: &zbus::Connection) -> bool {
    let Ok(dbus) = DBusProxy::new(conn).await else { return false };
    let Ok(name) = BusName::try_from(AVAHI) else { return false };
    dbus.name_has_owner(name).await.unwrap_or(false)
}
