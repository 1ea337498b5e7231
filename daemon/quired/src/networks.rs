//! Which of this host's networks a client is on, for cupsd's `@LOCAL` and `@IF(name)`
//! Allow/Deny rules. The interface list is read with getifaddrs and reused for a few seconds
//! (a busy server does not ask the kernel per request; a new address shows up soon).

use quire_core::Network;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(5);

/// One address of an interface: (name, address, prefix length, point-to-point).
type Entry = (String, IpAddr, u8, bool);

/// The interface list and when it was read.
type Cached = Option<(Instant, Arc<Vec<Entry>>)>;

#[derive(Debug, Clone, Default)]
pub struct Networks {
    cache: Arc<Mutex<Cached>>,
}

impl Networks {
    /// The interfaces whose subnet holds `addr` (none for loopback: it is local anyway).
    pub fn of(&self, addr: IpAddr) -> Vec<Network> {
        let addr = canonical(addr);
        if addr.is_loopback() {
            return Vec::new();
        }
        let entries = self.entries();
        let mut out: Vec<Network> = Vec::new();
        for (name, net, prefix, p2p) in entries.iter() {
            if same_net(addr, *net, *prefix) && !out.iter().any(|n| n.interface == *name) {
                out.push(Network { interface: name.clone(), local: !p2p });
            }
        }
        out
    }

    fn entries(&self) -> Arc<Vec<Entry>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, list)) = cache.as_ref().filter(|(at, _)| at.elapsed() < TTL) {
            let _ = at;
            return list.clone();
        }
        let list = Arc::new(read_interfaces());
        *cache = Some((Instant::now(), list.clone()));
        list
    }
}

fn read_interfaces() -> Vec<Entry> {
    use nix::net::if_::InterfaceFlags;
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else { return Vec::new() };
    let mut out = Vec::new();
    for a in addrs {
        let p2p = a.flags.contains(InterfaceFlags::IFF_POINTOPOINT);
        let (Some(addr), Some(mask)) =
            (a.address.as_ref().and_then(ip_of), a.netmask.as_ref().and_then(ip_of))
        else {
            continue;
        };
        let prefix = match mask {
            IpAddr::V4(m) => u32::from(m).leading_ones() as u8,
            IpAddr::V6(m) => u128::from(m).leading_ones() as u8,
        };
        out.push((a.interface_name, addr, prefix, p2p));
    }
    out
}

fn ip_of(s: &nix::sys::socket::SockaddrStorage) -> Option<IpAddr> {
    if let Some(v4) = s.as_sockaddr_in() {
        return Some(IpAddr::V4(v4.ip()));
    }
    s.as_sockaddr_in6().map(|v6| IpAddr::V6(v6.ip()))
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
        v4 => v4,
    }
}

fn same_net(a: IpAddr, net: IpAddr, prefix: u8) -> bool {
    let (a, net, bits) = match (a, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(n)), 32u32)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => (u128::from(a), u128::from(n), 128u32),
        _ => return false,
    };
    let prefix = u32::from(prefix).min(bits);
    prefix == 0 || (a >> (bits - prefix)) == (net >> (bits - prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_match_by_prefix() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(same_net(ip("10.64.0.2"), ip("10.64.0.1"), 30));
        assert!(!same_net(ip("10.64.0.5"), ip("10.64.0.1"), 30));
        assert!(same_net(ip("fe80::1"), ip("fe80::2"), 64));
        assert!(!same_net(ip("10.0.0.1"), ip("fe80::2"), 0));
    }

    #[test]
    fn loopback_is_on_no_network() {
        assert!(Networks::default().of(ip_loop()).is_empty());
    }

    fn ip_loop() -> IpAddr {
        IpAddr::from([127, 0, 0, 1])
    }
}
