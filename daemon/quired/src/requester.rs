//! Who is asking: a password checked by PAM, else the kernel's word on who owns the client
//! socket (Unix peer credentials; on Linux, the owner of a loopback TCP socket, the same
//! proof cupsd gets from its local certificate), else the request's requesting-user-name.

use crate::auth::Proof;
use crate::net::{ConnInfo, LocalEnd, Peer};
use quire_core::{AuthMethod, Requester};
use quire_ipp::Message;
use std::collections::HashMap;
use std::net::SocketAddr;
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
    by_uid: Lookups<u32, Option<String>>,
    by_name: Lookups<String, Vec<String>>,
    networks: crate::networks::Networks,
}

impl Accounts {
    pub fn new(system_groups: Vec<String>) -> Self {
        Accounts { system_groups, ..Default::default() }
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
        let host = addr.map_or_else(|| "localhost".to_string(), |a| a.to_string());
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
        let uid = match (&conn.peer, &conn.local) {
            (Peer::Unix { uid, .. }, _) => Some(*uid),
            (Peer::Tcp(peer), LocalEnd::Tcp(local)) if peer.ip().is_loopback() => {
                loopback_uid(*peer, *local)
            }
            _ => None,
        };
        let Some(uid) = uid else {
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
        let name = self.name_of(uid).unwrap_or_else(|| uid.to_string());
        // A local root client may act for another user (CUPS tools run as root do).
        let user = if uid == 0 { claimed } else { name.clone() };
        let groups = self.groups_of(&name);
        let admin = uid == 0 || self.is_system(&name, &groups);
        Requester {
            user,
            authenticated: true,
            admin,
            host,
            method: AuthMethod::PeerCred,
            groups,
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

/// The uid owning the client end of a loopback TCP connection, from /proc/net/tcp(6): the
/// kernel records each socket's owner, and on loopback both ends are on this host.
pub fn loopback_uid(peer: SocketAddr, local: SocketAddr) -> Option<u32> {
    let table = if peer.is_ipv4() { "/proc/net/tcp" } else { "/proc/net/tcp6" };
    let text = std::fs::read_to_string(table).ok()?;
    let (want_local, want_remote) = (proc_addr(peer), proc_addr(local));
    text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (l, r, uid) = (f.get(1)?, f.get(2)?, f.get(7)?);
        (l.eq_ignore_ascii_case(&want_local) && r.eq_ignore_ascii_case(&want_remote))
            .then(|| uid.parse().ok())
            .flatten()
    })
}

/// An address as /proc/net/tcp writes it: the address in host byte order per 32-bit word, in
/// hex, then `:PORT` in hex.
fn proc_addr(a: SocketAddr) -> String {
    let ip = match a.ip() {
        std::net::IpAddr::V4(v4) => format!("{:08X}", u32::from_ne_bytes(v4.octets())),
        std::net::IpAddr::V6(v6) => v6
            .octets()
            .chunks(4)
            .map(|w| format!("{:08X}", u32::from_ne_bytes([w[0], w[1], w[2], w[3]])))
            .collect(),
    };
    format!("{ip}:{:04X}", a.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_addr_matches_the_kernels_format() {
        // 127.0.0.1:631 on a little-endian host is "0100007F:0277".
        let a: SocketAddr = "127.0.0.1:631".parse().unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!(proc_addr(a), "0100007F:0277");
        }
    }

    #[test]
    fn a_loopback_connection_is_owned_by_this_process_uid() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_server, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let uid = loopback_uid(peer, listener.local_addr().unwrap());
        assert_eq!(uid, Some(nix::unistd::getuid().as_raw()));
    }
}
