//! Who is asking: a password checked by PAM, else the kernel's word on who owns the client
//! socket (Unix peer credentials; on Linux, the owner of a loopback TCP socket, the same
//! proof cupsd gets from its local certificate; learned once per connection), else the
//! request's requesting-user-name.

use crate::auth::Proof;
use crate::identity::Account;
use crate::net::{ConnInfo, LocalEnd, Peer};
use quire_core::{AuthMethod, Requester};
use quire_ipp::Message;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a looked-up account (name, groups) is reused: account changes show up within
/// this time, and a busy socket does not ask NSS per request.
const ACCOUNTS_TTL: Duration = Duration::from_secs(5);

/// A cache of NSS answers, each with when it was looked up.
type Lookups<K, V> = Arc<Mutex<HashMap<K, (Instant, V)>>>;

/// User and group lookups through NSS (so LDAP/SSSD users work as with cupsd).
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    system_groups: Vec<String>,
    peer_cred: quire_config::PeerCred,
    by_uid: Lookups<u32, Option<String>>,
    by_name: Lookups<String, Vec<String>>,
    networks: crate::networks::Networks,
}

impl Accounts {
    pub fn new(system_groups: Vec<String>, peer_cred: quire_config::PeerCred) -> Self {
        Accounts { system_groups, peer_cred, ..Default::default() }
    }

    /// Whether the kernel's word that `uid` owns the client's socket proves who it is
    /// (`PeerCred`).
    fn peer_proves(&self, uid: u32) -> bool {
        use quire_config::PeerCred;
        match self.peer_cred {
            PeerCred::On => true,
            PeerCred::RootOnly => uid == 0,
            PeerCred::Off => false,
        }
    }

    fn name_of(&self, uid: u32) -> Option<String> {
        let mut cache = self.by_uid.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, name)) = cache.get(&uid).filter(|(at, _)| at.elapsed() < ACCOUNTS_TTL) {
            return name.clone();
        }
        let name = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
            .ok()
            .flatten()
            .map(|u| u.name);
        cache.insert(uid, (Instant::now(), name.clone()));
        name
    }

    /// The groups `user` belongs to (primary and supplementary), by name.
    pub fn groups_of(&self, user: &str) -> Vec<String> {
        let mut cache = self.by_name.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, g)) = cache.get(user).filter(|(at, _)| at.elapsed() < ACCOUNTS_TTL) {
            return g.clone();
        }
        let groups = lookup_groups(user);
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(user.to_string(), (Instant::now(), groups.clone()));
        groups
    }

    /// The account of a local client's uid (its name, or the number if NSS has none).
    fn account_of(&self, uid: u32) -> Account {
        let name = self.name_of(uid).unwrap_or_else(|| uid.to_string());
        let groups = self.groups_of(&name);
        let admin = uid == 0 || self.is_system(&name, &groups);
        Account { name, groups, admin }
    }

    fn is_system(&self, user: &str, groups: &[String]) -> bool {
        user == "root" || groups.iter().any(|g| self.system_groups.iter().any(|s| s == g))
    }

    /// The requester of `msg` on `conn`, given what its Authorization header proved.
    pub fn requester(&self, conn: &ConnInfo, msg: &Message, proof: &Proof) -> Requester {
        let claimed = msg
            .operation_attr("requesting-user-name")
            .and_then(|a| a.first_str())
            .filter(|u| !u.is_empty())
            .unwrap_or("anonymous")
            .to_string();
        let addr = match &conn.peer {
            Peer::Tcp(a) => Some(a.ip()),
            Peer::Unix { .. } => None,
        };
        // As cupsd names its clients: a loopback or local-socket client is "localhost".
        let host = crate::logs::access_log::client_host(addr);
        let networks = addr.map(|a| self.networks.of(a)).unwrap_or_default();
        if let Proof::User(user) = proof {
            let groups = self.groups_of(user);
            let admin = self.is_system(user, &groups);
            return Requester {
                user: user.clone(),
                authenticated: true,
                admin,
                host,
                method: AuthMethod::Password,
                groups,
                addr,
                networks,
                tls: conn.tls,
            };
        }
        let Some(uid) = local_uid(conn).filter(|&uid| self.peer_proves(uid)) else {
            let groups = Vec::new();
            return Requester {
                user: claimed,
                authenticated: false,
                admin: false,
                host,
                method: AuthMethod::None,
                groups,
                addr,
                networks,
                tls: conn.tls,
            };
        };
        let account = conn.identity.account(|| self.account_of(uid));
        // A local root client may act for another user (CUPS tools run as root do).
        let user = if uid == 0 { claimed } else { account.name.clone() };
        Requester {
            user,
            authenticated: true,
            admin: account.admin,
            host,
            method: AuthMethod::PeerCred,
            groups: account.groups.clone(),
            addr,
            networks,
            tls: conn.tls,
        }
    }
}

fn lookup_groups(user: &str) -> Vec<String> {
    use nix::unistd::{Group, User};
    let Ok(Some(u)) = User::from_name(user) else { return Vec::new() };
    let Ok(cname) = std::ffi::CString::new(user) else { return Vec::new() };
    let gids = nix::unistd::getgrouplist(&cname, u.gid).unwrap_or_else(|_| vec![u.gid]);
    gids.into_iter().filter_map(|g| Group::from_gid(g).ok().flatten()).map(|g| g.name).collect()
}

/// The uid owning the client's socket: a Unix socket's peer credentials; for loopback TCP the
/// kernel's record of the client's socket (`identity.rs`), looked up once per connection.
pub fn local_uid(conn: &ConnInfo) -> Option<u32> {
    match (&conn.peer, &conn.local) {
        (Peer::Unix { uid, .. }, _) => Some(*uid),
        (Peer::Tcp(peer), LocalEnd::Tcp(local)) if peer.ip().to_canonical().is_loopback() => {
            conn.identity.uid(|| crate::identity::loopback_owner(*peer, *local))
        }
        _ => None,
    }
}

/// Root on this host, proven: who quired's own requests come from (the demo's queues, the
/// import of CUPS's queues).
pub fn local_root() -> Requester {
    Requester {
        user: "root".into(),
        authenticated: true,
        admin: true,
        host: "localhost".into(),
        method: quire_core::AuthMethod::PeerCred,
        ..Default::default()
    }
}
