//! Who owns the client end of a local connection, learned once per connection.
//!
//! On a loopback TCP connection both ends are sockets of this host, and the kernel records
//! the uid that created each. Linux answers for one socket, given its exact 4-tuple, over
//! netlink sock_diag (what `ss -e` uses): one request, one answer, whatever the number of
//! other sockets on the host. (Reading /proc/net/tcp instead walks every socket of the host,
//! which any local user can make slow by opening sockets.) Elsewhere there is no such lookup
//! and a loopback TCP client is not identified by uid.

use std::net::SocketAddr;
use std::sync::OnceLock;

/// A local client's account, resolved through NSS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub groups: Vec<String>,
    pub admin: bool,
}

/// What a connection's requests share about its client, each part resolved on first need
/// (so a request that proves a password, or a remote client, never pays for it).
#[derive(Debug, Default)]
pub struct ConnIdentity {
    uid: OnceLock<Option<u32>>,
    account: OnceLock<Account>,
}

impl ConnIdentity {
    /// The uid owning the client's socket, from `resolve` the first time.
    pub fn uid(&self, resolve: impl FnOnce() -> Option<u32>) -> Option<u32> {
        *self.uid.get_or_init(resolve)
    }

    /// The account of that uid, from `resolve` the first time.
    pub fn account(&self, resolve: impl FnOnce() -> Account) -> &Account {
        self.account.get_or_init(resolve)
    }
}

/// The uid owning the client end (`peer`) of a loopback TCP connection accepted on `local`.
/// `None` if the kernel knows no such socket (or has no sock_diag for TCP).
#[cfg(target_os = "linux")]
pub fn loopback_owner(peer: SocketAddr, local: SocketAddr) -> Option<u32> {
    sock_diag::owner(peer, local)
}

/// Without sock_diag a loopback TCP client is not identified by uid.
#[cfg(not(target_os = "linux"))]
pub fn loopback_owner(_peer: SocketAddr, _local: SocketAddr) -> Option<u32> {
    None
}

#[cfg(target_os = "linux")]
mod sock_diag {
    use nix::sys::socket::{self, AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType};
    use std::net::{IpAddr, SocketAddr};
    use std::os::fd::AsRawFd;

    /// `<linux/sock_diag.h>`: SOCK_DIAG_BY_FAMILY.
    const SOCK_DIAG_BY_FAMILY: u16 = 20;
    /// `<linux/netlink.h>`.
    const NLM_F_REQUEST: u16 = 1;
    /// struct nlmsghdr (16 bytes) + struct inet_diag_req_v2 (56 bytes).
    const REQUEST_LEN: usize = 72;
    /// Where `idiag_uid` sits in the answer: nlmsghdr (16) + inet_diag_msg's family, state,
    /// timer, retrans (4), sockid (48), expires, rqueue, wqueue (12).
    const UID_AT: usize = 80;

    /// One exact lookup: the TCP socket whose local end is `peer` and remote end `local`.
    pub(super) fn owner(peer: SocketAddr, local: SocketAddr) -> Option<u32> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkSockDiag,
        )
        .ok()?;
        let request = request(peer, local)?;
        let kernel = socket::NetlinkAddr::new(0, 0);
        socket::sendto(fd.as_raw_fd(), &request, &kernel, MsgFlags::empty()).ok()?;
        // The kernel answers a sock_diag request before sendto returns: never wait for more.
        let mut answer = [0u8; 512];
        let n = socket::recv(fd.as_raw_fd(), &mut answer, MsgFlags::MSG_DONTWAIT).ok()?;
        parse(answer.get(..n)?)
    }

    /// The request, in host byte order except the addresses and ports (network order).
    /// IPv4-mapped IPv6 addresses (a dual-stack listener) are asked as IPv4: the client's
    /// socket is an IPv4 one, and the kernel only maps them when both ends are mapped.
    pub(super) fn request(peer: SocketAddr, local: SocketAddr) -> Option<[u8; REQUEST_LEN]> {
        let (src, dst) = (peer.ip().to_canonical(), local.ip().to_canonical());
        let family = match (src, dst) {
            (IpAddr::V4(_), IpAddr::V4(_)) => libc::AF_INET,
            (IpAddr::V6(_), IpAddr::V6(_)) => libc::AF_INET6,
            _ => return None,
        };
        let mut r = [0u8; REQUEST_LEN];
        r[0..4].copy_from_slice(&u32::try_from(REQUEST_LEN).ok()?.to_ne_bytes());
        r[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        r[6..8].copy_from_slice(&NLM_F_REQUEST.to_ne_bytes());
        // seq (8..12) and pid (12..16) stay 0. inet_diag_req_v2:
        r[16] = u8::try_from(family).ok()?;
        r[17] = u8::try_from(libc::IPPROTO_TCP).ok()?;
        r[20..24].copy_from_slice(&u32::MAX.to_ne_bytes()); // idiag_states: any
        r[24..26].copy_from_slice(&peer.port().to_be_bytes()); // idiag_sport
        r[26..28].copy_from_slice(&local.port().to_be_bytes()); // idiag_dport
        put_addr(&mut r[28..44], src); // idiag_src
        put_addr(&mut r[44..60], dst); // idiag_dst
                                       // idiag_if (60..64) 0: any interface; idiag_cookie: INET_DIAG_NOCOOKIE.
        r[64..72].fill(0xff);
        Some(r)
    }

    fn put_addr(out: &mut [u8], ip: IpAddr) {
        match ip {
            IpAddr::V4(v4) => out[..4].copy_from_slice(&v4.octets()),
            IpAddr::V6(v6) => out.copy_from_slice(&v6.octets()),
        }
    }

    /// `idiag_uid` of a SOCK_DIAG_BY_FAMILY answer; `None` for anything else (NLMSG_ERROR
    /// with ENOENT: no such socket).
    pub(super) fn parse(answer: &[u8]) -> Option<u32> {
        let kind = u16::from_ne_bytes(answer.get(4..6)?.try_into().ok()?);
        if kind != SOCK_DIAG_BY_FAMILY {
            return None;
        }
        Some(u32::from_ne_bytes(answer.get(UID_AT..UID_AT + 4)?.try_into().ok()?))
    }
}

#[cfg(test)]
#[path = "identity_tests.rs"]
mod tests;
