//! Who is asking: from Unix peer credentials or the request's requesting-user-name.
//!
//! Until authentication lands (issue 6), local clients are trusted as cupsd trusts its
//! local-certificate clients: Unix-socket peers in the system group and loopback TCP
//! clients may administer. Remote clients never may.

use crate::net::{ConnInfo, Peer};
use quire_core::Requester;
use quire_ipp::Message;

/// Reads /etc/passwd and /etc/group (no NSS: enough for local accounts).
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    system_groups: Vec<String>,
}

impl Accounts {
    pub fn new(system_groups: Vec<String>) -> Self {
        Accounts { system_groups }
    }

    fn user_name(uid: u32) -> Option<String> {
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let id: u32 = f.nth(1)?.parse().ok()?;
            (id == uid).then(|| name.to_string())
        })
    }

    fn in_system_group(&self, user: &str, gid: u32) -> bool {
        let Ok(groups) = std::fs::read_to_string("/etc/group") else { return false };
        groups.lines().any(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let (Some(name), Some(id), Some(members)) = (f.first(), f.get(2), f.get(3)) else { return false };
            self.system_groups.iter().any(|g| g == name)
                && (id.parse::<u32>().ok() == Some(gid) || members.split(',').any(|m| m == user))
        })
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
                let user = Self::user_name(*uid).unwrap_or_else(|| uid.to_string());
                let admin = *uid == 0 || self.in_system_group(&user, *gid);
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
