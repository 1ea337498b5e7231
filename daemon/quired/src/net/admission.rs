//! Who may open one more connection: `MaxClients` in all, `MaxClientsPerHost` per remote
//! host, and a reserve remote clients cannot take.
//!
//! cupsd stops accepting on every listener once `MaxClients` connections are open, so a few
//! idle connections from one remote host lock out everyone, root on the local socket
//! included. Here connections are admitted by class:
//! * remote clients (TCP, not loopback) may hold `MaxClients - local reserve`, and each host
//!   (an IPv4 address, an IPv6 /64, which one host can fill) `MaxClientsPerHost`;
//! * local clients (loopback TCP, the Unix socket) may also use the local reserve, all but
//!   the administrator's reserve;
//! * root on the Unix socket (the CUPS tools run by an administrator) may use every slot.
//!
//! The local reserve is a tenth of `MaxClients`, at least 4 and at most half: local clients
//! are few and short-lived (lpstat, lp, a desktop's printer applet), so that much lets them
//! through a flood and costs remote clients little. The administrator's reserve is half of
//! it, so one local user cannot take the last slots from root either.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// How a new connection is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Class {
    /// A client on another host, by its address (IPv6: its /64).
    Remote(HostKey),
    /// Loopback TCP, or the Unix socket as a user other than root.
    Local,
    /// Root on the Unix socket.
    Admin,
}

/// One remote host, as counted for `MaxClientsPerHost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HostKey {
    V4(u32),
    /// The upper 64 bits of an IPv6 address.
    V6Net(u64),
}

impl Class {
    /// The class of a TCP peer.
    pub(crate) fn of_tcp(ip: IpAddr) -> Class {
        if ip.is_loopback() {
            return Class::Local;
        }
        Class::Remote(match ip {
            IpAddr::V4(v4) => HostKey::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => HostKey::V4(u32::from(v4)),
                None => HostKey::V6Net((u128::from(v6) >> 64) as u64),
            },
        })
    }

    /// The class of a Unix-socket peer with this uid.
    pub(crate) fn of_unix(uid: u32) -> Class {
        if uid == 0 {
            Class::Admin
        } else {
            Class::Local
        }
    }
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `MaxClients` connections are open, or all this class may use.
    Full,
    /// This host has `MaxClientsPerHost` connections open.
    PerHost,
}

/// The limits, derived from `MaxClients` and `MaxClientsPerHost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) total: usize,
    /// Local and remote clients together (all but the administrator's reserve).
    pub(crate) non_admin: usize,
    pub(crate) remote: usize,
    pub(crate) per_host: usize,
}

impl Limits {
    pub(crate) fn new(max_clients: usize, max_per_host: usize) -> Limits {
        let total = max_clients.max(1);
        let local_reserve = (total / 10).clamp(4, 64).min(total / 2);
        let admin_reserve = (local_reserve / 2).max(1).min(local_reserve);
        let remote = total - local_reserve;
        let per_host = if max_per_host == 0 { remote } else { max_per_host.min(remote) };
        Limits { total, non_admin: total - admin_reserve, remote, per_host }
    }
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    non_admin: usize,
    remote: usize,
    per_host: HashMap<HostKey, usize>,
}

/// The connection counts of one server and its limits (a reload may change them);
/// shared by its accept loops.
#[derive(Debug)]
pub(crate) struct Admission {
    state: Mutex<(Limits, Counts)>,
}

/// One admitted connection; dropping it frees its slot.
#[derive(Debug)]
pub(crate) struct Ticket {
    admission: Arc<Admission>,
    class: Class,
}

impl Admission {
    pub(crate) fn new(limits: Limits) -> Arc<Admission> {
        Arc::new(Admission { state: Mutex::new((limits, Counts::default())) })
    }

    pub(crate) fn limits(&self) -> Limits {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    /// New limits (SIGHUP): connections open stay; new ones are admitted under these.
    pub(crate) fn set_limits(&self, limits: Limits) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = limits;
    }

    /// Admits a connection of `class`, or says why not.
    pub(crate) fn admit(self: &Arc<Self>, class: Class) -> Result<Ticket, Refusal> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (l, c) = &mut *state;
        if c.total >= l.total {
            return Err(Refusal::Full);
        }
        match class {
            Class::Admin => {}
            Class::Local if c.non_admin >= l.non_admin => return Err(Refusal::Full),
            Class::Local => c.non_admin += 1,
            Class::Remote(host) => {
                if c.non_admin >= l.non_admin || c.remote >= l.remote {
                    return Err(Refusal::Full);
                }
                let n = c.per_host.entry(host).or_insert(0);
                if *n >= l.per_host {
                    return Err(Refusal::PerHost);
                }
                *n += 1;
                c.remote += 1;
                c.non_admin += 1;
            }
        }
        c.total += 1;
        Ok(Ticket { admission: Arc::clone(self), class })
    }

    /// Open connections: (all, remote), for tests.
    #[cfg(test)]
    pub(crate) fn open(&self) -> (usize, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.1.total, state.1.remote)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.admission.state.lock().unwrap_or_else(|e| e.into_inner());
        let c = &mut state.1;
        c.total = c.total.saturating_sub(1);
        match self.class {
            Class::Admin => {}
            Class::Local => c.non_admin = c.non_admin.saturating_sub(1),
            Class::Remote(host) => {
                c.non_admin = c.non_admin.saturating_sub(1);
                c.remote = c.remote.saturating_sub(1);
                if let Some(n) = c.per_host.get_mut(&host) {
                    *n -= 1;
                    if *n == 0 {
                        c.per_host.remove(&host);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(last: u8) -> Class {
        Class::of_tcp(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn reserves_follow_max_clients() {
        assert_eq!(
            Limits::new(100, 0),
            Limits { total: 100, non_admin: 95, remote: 90, per_host: 90 }
        );
        assert_eq!(
            Limits::new(20, 5),
            Limits { total: 20, non_admin: 18, remote: 16, per_host: 5 }
        );
        assert_eq!(
            Limits::new(20, 50),
            Limits { total: 20, non_admin: 18, remote: 16, per_host: 16 }
        );
        assert_eq!(Limits::new(1, 0), Limits { total: 1, non_admin: 1, remote: 1, per_host: 1 });
        assert_eq!(Limits::new(0, 0).total, 1);
        assert_eq!(Limits::new(10_000, 0).remote, 10_000 - 64);
    }

    #[test]
    fn remote_clients_leave_the_reserves_to_local_ones_and_root() {
        let a = Admission::new(Limits::new(20, 0));
        let remote: Vec<Ticket> = (0..16).map(|i| a.admit(host(i)).expect("remote")).collect();
        assert_eq!(a.admit(host(99)).unwrap_err(), Refusal::Full, "remote share used up");
        let local: Vec<Ticket> =
            (0..2).map(|_| a.admit(Class::Local).expect("local reserve")).collect();
        assert_eq!(a.admit(Class::Local).unwrap_err(), Refusal::Full, "the last two are root's");
        let root: Vec<Ticket> = (0..2).map(|_| a.admit(Class::Admin).expect("root")).collect();
        assert_eq!(a.admit(Class::Admin).unwrap_err(), Refusal::Full, "MaxClients in all");
        drop(root);
        drop(local);
        drop(remote);
        assert_eq!(a.open(), (0, 0), "every slot comes back");
        assert!(a.admit(host(1)).is_ok());
    }

    #[test]
    fn new_limits_apply_to_new_connections() {
        let a = Admission::new(Limits::new(20, 0));
        let open: Vec<Ticket> = (0..4).map(|i| a.admit(host(i)).expect("remote")).collect();
        a.set_limits(Limits::new(20, 1));
        assert_eq!(a.limits().per_host, 1);
        assert_eq!(a.admit(host(0)).unwrap_err(), Refusal::PerHost, "host 0 has one already");
        assert!(a.admit(host(9)).is_ok(), "a new host gets its one");
        drop(open);
        assert_eq!(a.open(), (0, 0));
    }

    #[test]
    fn one_host_is_held_to_its_share_and_others_still_get_in() {
        let a = Admission::new(Limits::new(20, 3));
        let held: Vec<Ticket> = (0..3).map(|_| a.admit(host(1)).expect("host 1")).collect();
        assert_eq!(a.admit(host(1)).unwrap_err(), Refusal::PerHost);
        let other = a.admit(host(2)).expect("another host");
        drop(held);
        assert!(a.admit(host(1)).is_ok(), "host 1 may connect again");
        drop(other);
    }

    #[test]
    fn an_ipv6_host_is_its_slash_64() {
        let a = Admission::new(Limits::new(20, 1));
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_net: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_net: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        let _t = a.admit(Class::of_tcp(one)).expect("first");
        assert_eq!(a.admit(Class::of_tcp(same_net)).unwrap_err(), Refusal::PerHost);
        assert!(a.admit(Class::of_tcp(other_net)).is_ok());
        assert_eq!(Class::of_tcp("::1".parse().unwrap()), Class::Local);
        assert_eq!(Class::of_unix(0), Class::Admin);
        assert_eq!(Class::of_unix(1000), Class::Local);
    }
}
