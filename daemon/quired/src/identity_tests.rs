// The lookup exists on Linux only.
#![cfg(target_os = "linux")]

use super::*;
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn my_uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

/// Connects to `listener` from this process; the owner of the client end is looked up.
fn owner_of_own_connection(listener: &TcpListener, to: SocketAddr) -> Option<u32> {
    let client = TcpStream::connect(to).unwrap();
    let (_server, peer) = listener.accept().unwrap();
    assert_eq!(peer, client.local_addr().unwrap());
    loopback_owner(peer, _server.local_addr().unwrap())
}

#[test]
fn a_loopback_ipv4_connection_is_owned_by_this_process_uid() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let to = listener.local_addr().unwrap();
    assert_eq!(owner_of_own_connection(&listener, to), Some(my_uid()));
}

#[test]
fn a_loopback_ipv6_connection_is_owned_by_this_process_uid() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        return eprintln!("no IPv6 loopback here: skipped");
    };
    let to = listener.local_addr().unwrap();
    assert_eq!(owner_of_own_connection(&listener, to), Some(my_uid()));
}

#[test]
fn an_ipv4_client_of_a_dual_stack_listener_is_found_through_its_mapped_address() {
    let Ok(listener) = TcpListener::bind("[::]:0") else {
        return eprintln!("no IPv6 here: skipped");
    };
    let to: SocketAddr =
        format!("127.0.0.1:{}", listener.local_addr().unwrap().port()).parse().unwrap();
    let client = TcpStream::connect(to).unwrap();
    let (server, peer) = listener.accept().unwrap();
    assert!(matches!(peer.ip(), std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some()));
    assert_eq!(peer.port(), client.local_addr().unwrap().port());
    assert_eq!(loopback_owner(peer, server.local_addr().unwrap()), Some(my_uid()));
}

#[test]
fn a_four_tuple_that_does_not_exist_has_no_owner() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let local = listener.local_addr().unwrap();
    // Nobody connected: no socket has this 4-tuple.
    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert_eq!(loopback_owner(peer, local), None);
}

#[test]
fn the_request_is_the_kernels_inet_diag_req_v2() {
    let r =
        sock_diag::request("127.0.0.1:40000".parse().unwrap(), "127.0.0.1:631".parse().unwrap())
            .unwrap();
    assert_eq!(u32::from_ne_bytes(r[0..4].try_into().unwrap()), 72);
    assert_eq!(r[16], 2, "AF_INET");
    assert_eq!(r[17], 6, "IPPROTO_TCP");
    assert_eq!(&r[24..28], &[0x9c, 0x40, 0x02, 0x77], "ports in network order");
    assert_eq!(&r[28..32], &[127, 0, 0, 1]);
    assert_eq!(&r[44..48], &[127, 0, 0, 1]);
    // Mixed families cannot name one socket.
    assert!(
        sock_diag::request("127.0.0.1:1".parse().unwrap(), "[::1]:631".parse().unwrap()).is_none()
    );
}

#[test]
fn a_short_or_error_answer_has_no_owner() {
    assert_eq!(sock_diag::parse(&[]), None);
    let mut error = [0u8; 36];
    error[4..6].copy_from_slice(&2u16.to_ne_bytes()); // NLMSG_ERROR
    assert_eq!(sock_diag::parse(&error), None);
}

/// A client running as another user (`nobody`, via setpriv) is identified as that user:
/// the lookup reads the kernel's record of the socket, not this process's.
#[test]
fn a_connection_from_another_user_is_owned_by_that_user() {
    let nobody = nix::unistd::User::from_name("nobody").ok().flatten();
    let (Some(nobody), true) = (nobody, nix::unistd::getuid().is_root()) else {
        return eprintln!("needs root and a `nobody` user: skipped");
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let uid = nobody.uid.as_raw().to_string();
    let gid = nobody.gid.as_raw().to_string();
    let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port}; sleep 10");
    let child = Command::new("setpriv")
        .args(["--reuid", &uid, "--regid", &gid, "--clear-groups", "bash", "-c", &script])
        .stdin(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return eprintln!("no setpriv: skipped") };
    listener.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let accepted = loop {
        match listener.accept() {
            Ok(a) => break Some(a),
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(_) => break None,
        }
    };
    let owner = accepted.map(|(server, peer)| loopback_owner(peer, server.local_addr().unwrap()));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(owner, Some(Some(nobody.uid.as_raw())), "the child connected, as nobody");
}

#[test]
fn the_connection_resolves_its_uid_once() {
    let identity = ConnIdentity::default();
    let mut calls = 0;
    assert_eq!(
        identity.uid(|| {
            calls += 1;
            Some(7)
        }),
        Some(7)
    );
    assert_eq!(
        identity.uid(|| {
            calls += 1;
            Some(8)
        }),
        Some(7)
    );
    assert_eq!(calls, 1);
}
