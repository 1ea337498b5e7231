//! Who is asking: from Unix peer credentials or the request's requesting-user-name.
//!
//! Until authentication lands (issue 6), local clients are trusted as cupsd trusts its
//! local-certificate clients: Unix-socket peers in the system group and loopback TCP
//! clients may administer. Remote clients never may.

use crate::net::{ConnInfo, Peer};
use quire_core::Requester;
use quire_ipp::Message;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a parsed copy of /etc/passwd and /etc/group is reused: account changes show
/// up within this time, and a busy Unix socket does not re-read both files per request.
const ACCOUNTS_TTL: Duration = Duration::from_secs(5);

/// Reads /etc/passwd and /etc/group (no NSS: enough for local accounts).
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    system_groups: Vec<String>,
    cache: Arc<Mutex<Option<Tables>>>,
}

/// What the requester checks need from the two files.
#[derive(Debug)]
struct Tables {
    read_at: Instant,
    /// uid -> first user name with that uid.
    users: HashMap<u32, String>,
    /// (gid, members) of each system group.
    system: Vec<(Option<u32>, Vec<String>)>,
}

impl Accounts {
    pub fn new(system_groups: Vec<String>) -> Self {
        Accounts { system_groups, cache: Arc::default() }
    }

    fn read_tables(&self) -> Tables {
        let mut users = HashMap::new();
        if let Ok(passwd) = std::fs::read_to_string("/etc/passwd") {
            for l in passwd.lines() {
                let mut f = l.split(':');
                let (Some(name), Some(id)) = (f.next(), f.nth(1).and_then(|id| id.parse::<u32>().ok())) else { continue };
                users.entry(id).or_insert_with(|| name.to_string());
            }
        }
        let mut system = Vec::new();
        if let Ok(groups) = std::fs::read_to_string("/etc/group") {
            for l in groups.lines() {
                let f: Vec<&str> = l.split(':').collect();
                let (Some(name), Some(id), Some(members)) = (f.first(), f.get(2), f.get(3)) else { continue };
                if self.system_groups.iter().any(|g| g == name) {
                    system.push((id.parse::<u32>().ok(), members.split(',').map(str::to_string).collect()));
                }
            }
        }
        Tables { read_at: Instant::now(), users, system }
    }

    /// The user name of `uid` and whether that user is in a system group (primary `gid`
    /// or listed as a member).
    fn lookup(&self, uid: u32, gid: u32) -> (Option<String>, bool) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.as_ref().is_none_or(|t| t.read_at.elapsed() > ACCOUNTS_TTL) {
            *cache = Some(self.read_tables());
        }
        let Some(t) = cache.as_ref() else { return (None, false) };
        let name = t.users.get(&uid).cloned();
        let user = name.clone().unwrap_or_else(|| uid.to_string());
        let in_group = t.system.iter().any(|(id, members)| *id == Some(gid) || members.iter().any(|m| *m == user));
        (name, in_group)
    }

    pub fn requester(&self, conn: &ConnInfo, msg: &Message) -> Requester {
        let claimed = msg
            .operation_attr("requesting-user-name")
            .and_then(|a| a.first_str())
            .filter(|u| !u.is_empty())
            .unwrap_or("anonymous")
            .to_string();
        match &conn.peer {
            Peer::Unix { uid, gid, .. } => {
                let (name, in_group) = self.lookup(*uid, *gid);
                let user = name.unwrap_or_else(|| uid.to_string());
                let admin = *uid == 0 || in_group;
                // A local root client may act for another user (CUPS tools run as root do).
                let user = if *uid == 0 { claimed } else { user };
                Requester { user, authenticated: true, admin, host: "localhost".into() }
            }
            Peer::Tcp(addr) => Requester {
                user: claimed,
                authenticated: false,
                admin: conn.is_local(),
                host: addr.ip().to_string(),
            },
        }
    }
}
