use super::*;
use std::net::{IpAddr, Ipv6Addr};

fn ip(s: &str) -> ClientId {
    ClientId::Ip(s.parse().expect("address"))
}

#[test]
fn the_attempt_after_the_limit_is_refused_until_the_window_moves_on() {
    let t0 = Instant::now();
    let mut l = PinLimiter::new(3, Duration::from_secs(60), 100);
    let a = ip("10.0.0.2");
    for i in 0..3 {
        assert_eq!(l.admit(&a, t0 + Duration::from_secs(i)), Ok(()), "attempt {i}");
    }
    // The 4th within the window: refused until the 1st is 60 s old.
    assert_eq!(l.admit(&a, t0 + Duration::from_secs(10)), Err(Duration::from_secs(50)));
    // A refused attempt is not counted: it does not push the end out.
    assert_eq!(l.admit(&a, t0 + Duration::from_secs(20)), Err(Duration::from_secs(40)));
    assert_eq!(l.admit(&a, t0 + Duration::from_secs(60)), Ok(()));
    // Another client has its own count.
    assert_eq!(l.admit(&ip("10.0.0.3"), t0 + Duration::from_secs(20)), Ok(()));
}

#[test]
fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_is_the_ipv4() {
    let t0 = Instant::now();
    let mut l = PinLimiter::new(1, Duration::from_secs(60), 100);
    assert!(l.admit(&ip("2001:db8:1:2::1"), t0).is_ok());
    assert!(l.admit(&ip("2001:db8:1:2::ffff"), t0).is_err(), "same /64");
    assert!(l.admit(&ip("2001:db8:1:3::1"), t0).is_ok(), "another /64");
    assert!(l.admit(&ip("192.0.2.1"), t0).is_ok());
    let mapped = ClientId::Ip(IpAddr::V6(Ipv6Addr::from(0xffff_c000_0201u128)));
    assert!(l.admit(&mapped, t0).is_err(), "::ffff:192.0.2.1 is 192.0.2.1");
}

#[test]
fn memory_is_bounded_by_the_clients_tracked() {
    let t0 = Instant::now();
    let mut l = PinLimiter::new(2, Duration::from_secs(60), 16);
    for i in 0..1000u32 {
        let c = ClientId::Ip(IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i)));
        assert!(l.admit(&c, t0 + Duration::from_millis(u64::from(i))).is_ok());
        assert!(l.tracked() <= 16);
    }
}
