//! AuthGuard: lockouts, the sliding window, reservations, key normalization, bounded memory,
//! and a property test of the attempt limits.

use super::*;
use proptest::prelude::*;
use std::net::Ipv4Addr;

const SEC: Duration = Duration::from_secs(1);

fn ip(last: u8) -> ClientId {
    ClientId::Ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)))
}

fn v6(s: &str) -> ClientId {
    ClientId::Ip(s.parse().expect("test address"))
}

/// One whole attempt that PAM refuses: check, then failed. Returns failed's verdict.
fn attempt_fail(g: &mut AuthGuard, user: &str, client: &ClientId, now: Instant) -> bool {
    g.check(user, client, now).expect("attempt admitted");
    g.failed(user, client, now)
}

#[test]
fn default_policy_is_5_failures_per_minute_then_5_minutes() {
    let p = GuardPolicy::default();
    assert_eq!((p.max_failures, p.window, p.lockout), (5, 60 * SEC, 300 * SEC));
}

#[test]
fn fifth_failure_locks_the_user_from_every_client() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 0..4 {
        assert!(!attempt_fail(&mut g, "alice", &ip(i), t0 + SEC * i.into()));
    }
    assert!(attempt_fail(&mut g, "alice", &ip(4), t0 + 4 * SEC));
    let err = g.check("alice", &ip(99), t0 + 5 * SEC).unwrap_err();
    assert_eq!(err, Locked { who: LockedWho::User("alice".into()), until: t0 + 304 * SEC });
    assert_eq!(err.remaining(t0 + 5 * SEC), 299 * SEC);
    assert_eq!(err.to_string(), "too many failed logins for user \"alice\"");
    // Only alice: another user from the same clients is admitted (each client failed once).
    assert!(g.check("bob", &ip(0), t0 + 5 * SEC).is_ok());
}

#[test]
fn failures_from_one_client_lock_the_client_for_every_user() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for (i, user) in ["u1", "u2", "u3", "u4"].iter().enumerate() {
        assert!(!attempt_fail(&mut g, user, &ip(1), t0 + SEC * i as u32));
    }
    assert!(attempt_fail(&mut g, "u5", &ip(1), t0 + 4 * SEC));
    let err = g.check("alice", &ip(1), t0 + 5 * SEC).unwrap_err();
    assert_eq!(err.who, LockedWho::Client("192.0.2.1".into()));
    assert_eq!(err.to_string(), "too many failed logins from 192.0.2.1");
    assert!(g.check("alice", &ip(2), t0 + 5 * SEC).is_ok());
}

#[test]
fn failures_older_than_the_window_do_not_count() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 0..4 {
        assert!(!attempt_fail(&mut g, "alice", &ip(i), t0));
    }
    // Exactly one window later the first four have left it.
    for i in 0..4 {
        assert!(!attempt_fail(&mut g, "alice", &ip(10 + i), t0 + 60 * SEC));
    }
    assert!(attempt_fail(&mut g, "alice", &ip(20), t0 + 61 * SEC));
}

#[test]
fn lockout_ends_after_its_duration_with_a_fresh_count() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 0..5 {
        attempt_fail(&mut g, "alice", &ip(i), t0);
    }
    let until = t0 + 300 * SEC;
    assert!(g.check("alice", &ip(9), until - Duration::from_nanos(1)).is_err());
    assert!(!attempt_fail(&mut g, "alice", &ip(9), until), "the old failures are forgiven");
    for i in 10..13 {
        assert!(!attempt_fail(&mut g, "alice", &ip(i), until + SEC));
    }
    assert!(attempt_fail(&mut g, "alice", &ip(13), until + SEC));
}

#[test]
fn success_clears_the_users_failures_but_not_the_clients() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for _ in 0..4 {
        attempt_fail(&mut g, "alice", &ip(1), t0);
    }
    g.check("alice", &ip(2), t0).unwrap();
    g.succeeded("alice", &ip(2), t0);
    // alice starts over from other clients...
    for i in 3..7 {
        assert!(!attempt_fail(&mut g, "alice", &ip(i), t0 + SEC));
    }
    // ...but client 1 keeps its four failures, whichever user it tries next.
    g.check("bob", &ip(1), t0 + SEC).unwrap();
    g.succeeded("bob", &ip(1), t0 + SEC);
    assert!(attempt_fail(&mut g, "carol", &ip(1), t0 + SEC));
    assert!(matches!(
        g.check("bob", &ip(1), t0 + 2 * SEC),
        Err(Locked { who: LockedWho::Client(_), .. })
    ));
}

#[test]
fn success_does_not_end_a_lockout() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 0..5 {
        attempt_fail(&mut g, "alice", &ip(i), t0);
    }
    // A success reported late (its attempt was admitted before the lockout).
    g.succeeded("alice", &ip(8), t0 + SEC);
    assert!(g.check("alice", &ip(9), t0 + 2 * SEC).is_err());
}

#[test]
fn attempts_in_flight_count_against_the_limit() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    // Five parallel requests pass; the sixth is refused before any PAM verdict.
    for i in 0..5 {
        g.check("alice", &ip(i), t0).unwrap();
    }
    let err = g.check("alice", &ip(9), t0).unwrap_err();
    assert_eq!(err, Locked { who: LockedWho::User("alice".into()), until: t0 + 60 * SEC });
    // PAM unavailable for one: its slot is released, uncounted.
    g.abandoned("alice", &ip(0), t0 + SEC);
    g.check("alice", &ip(9), t0 + SEC).unwrap();
    // Reservations never reported expire after the window.
    assert!(g.check("alice", &ip(10), t0 + 59 * SEC).is_err());
    g.check("alice", &ip(10), t0 + 61 * SEC).unwrap();
}

#[test]
fn failures_reported_during_a_lockout_do_not_extend_it() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 0..5 {
        g.check("alice", &ip(i), t0).unwrap();
    }
    for i in 0..5 {
        let locked_now = g.failed("alice", &ip(i), t0 + SEC * i.into());
        assert_eq!(locked_now, i == 4, "failure {i}");
    }
    // A straggler admitted before the lock reports late: the lock keeps its end.
    assert!(!g.failed("alice", &ip(5), t0 + 100 * SEC));
    assert!(g.check("alice", &ip(6), t0 + 303 * SEC).is_err());
    assert!(g.check("alice", &ip(6), t0 + 304 * SEC).is_ok());
}

#[test]
fn user_names_compare_case_insensitively_and_truncated() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for (i, name) in ["Alice", "ALICE", "alice", "aLiCe"].iter().enumerate() {
        attempt_fail(&mut g, name, &ip(i as u8), t0);
    }
    assert!(attempt_fail(&mut g, "ALIce", &ip(9), t0));
    let long_a = format!("{}a", "x".repeat(1 << 20));
    let long_b = format!("{}b", "x".repeat(1 << 20));
    for i in 0..5 {
        attempt_fail(&mut g, if i % 2 == 0 { &long_a } else { &long_b }, &ip(20 + i), t0);
    }
    let err = g.check(&long_a, &ip(30), t0).unwrap_err();
    let LockedWho::User(key) = err.who else { panic!("user lock expected") };
    assert!(key.len() <= MAX_KEY_BYTES);
    // Truncation keeps whole characters.
    assert_eq!(truncate(&"é".repeat(200)).len(), 256);
}

#[test]
fn ipv6_clients_are_grouped_by_64_and_mapped_ipv4_is_ipv4() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    for i in 1..=5 {
        attempt_fail(&mut g, &format!("u{i}"), &v6(&format!("2001:db8:0:7::{i}")), t0);
    }
    let err = g.check("x", &v6("2001:db8:0:7:ffff::1"), t0).unwrap_err();
    assert_eq!(err.who, LockedWho::Client("2001:db8:0:7::/64".into()));
    assert!(g.check("x", &v6("2001:db8:0:8::1"), t0).is_ok());

    for i in 1..=5 {
        attempt_fail(&mut g, &format!("v{i}"), &v6("::ffff:198.51.100.7"), t0);
    }
    let plain = ClientId::Ip(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7)));
    assert_eq!(g.check("y", &plain, t0).unwrap_err().who, LockedWho::Client("198.51.100.7".into()));
}

#[test]
fn local_peers_are_keyed_by_their_string() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    let me = ClientId::Local("uid=1000".into());
    for i in 0..5 {
        attempt_fail(&mut g, &format!("u{i}"), &me, t0);
    }
    assert_eq!(
        g.check("z", &me, t0).unwrap_err().who,
        LockedWho::Client("local peer \"uid=1000\"".into())
    );
    assert!(g.check("z", &ClientId::Local("uid=1001".into()), t0).is_ok());
}

#[test]
fn entries_are_dropped_when_they_stop_mattering() {
    let mut g = AuthGuard::new(GuardPolicy::default());
    let t0 = Instant::now();
    g.check("alice", &ip(1), t0).unwrap();
    assert_eq!(g.tracked(), (1, 1));
    g.succeeded("alice", &ip(1), t0);
    assert_eq!(g.tracked(), (0, 0));
    attempt_fail(&mut g, "bob", &ip(1), t0);
    assert_eq!(g.tracked(), (1, 1));
    // Checked after the window: nothing left to remember.
    g.check("bob", &ip(1), t0 + 61 * SEC).unwrap();
    g.abandoned("bob", &ip(1), t0 + 61 * SEC);
    assert_eq!(g.tracked(), (0, 0));
}

#[test]
fn tracked_keys_are_capped_and_lockouts_evicted_last() {
    let mut g = AuthGuard::with_capacity(GuardPolicy::default(), 100);
    let t0 = Instant::now();
    for i in 0..5 {
        attempt_fail(&mut g, "alice", &ip(i), t0);
    }
    // A spray of random user names from many addresses.
    for i in 0..10_000u32 {
        let client = ClientId::Ip(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)));
        attempt_fail(&mut g, &format!("random{i}"), &client, t0 + SEC);
        let (users, clients) = g.tracked();
        assert!(users <= 100 && clients <= 100, "{users} {clients}");
    }
    assert!(
        g.check("alice", &ip(200), t0 + 2 * SEC).is_err(),
        "alice's lockout survived the spray"
    );
}

#[test]
fn degenerate_policies_are_clamped() {
    let g = AuthGuard::new(GuardPolicy {
        max_failures: 0,
        window: Duration::MAX,
        lockout: Duration::MAX,
    });
    assert_eq!(g.policy().max_failures, 1);
    assert_eq!(g.policy().window, MAX_SPAN);
    let mut g = g;
    let t0 = Instant::now();
    assert!(attempt_fail(&mut g, "alice", &ip(1), t0));
    assert!(g.check("alice", &ip(2), t0 + 1000 * SEC).is_err());
}

/// One step of a random login workload: time passes, an attempt starts (check), or an
/// attempt in flight gets its PAM verdict "refused" (some are never reported at all).
#[derive(Debug, Clone)]
enum Op {
    Advance(u64),
    Begin(u8, u8),
    Fail(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..40_000).prop_map(Op::Advance),
        (0u8..4, 0u8..4).prop_map(|(u, c)| Op::Begin(u, c)),
        (0usize..64).prop_map(Op::Fail),
    ]
}

/// When something happened: the clock, then the step (events at one instant stay ordered).
type At = (Instant, usize);

/// Admissions per user and per client, and (when, user, client) of each lockout.
#[derive(Default)]
struct Log {
    users: HashMap<u8, Vec<At>>,
    clients: HashMap<u8, Vec<At>>,
    lockouts: Vec<(At, u8, u8)>,
}

fn run(policy: GuardPolicy, ops: &[Op]) -> Log {
    let mut g = AuthGuard::new(policy);
    let mut now = Instant::now();
    let mut in_flight: Vec<(u8, u8)> = Vec::new();
    let mut log = Log::default();
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Advance(ms) => now += Duration::from_millis(ms),
            Op::Begin(u, c) => {
                if g.check(&format!("user{u}"), &ip(c), now).is_ok() {
                    log.users.entry(u).or_default().push((now, step));
                    log.clients.entry(c).or_default().push((now, step));
                    in_flight.push((u, c));
                }
            }
            Op::Fail(i) if !in_flight.is_empty() => {
                let (u, c) = in_flight.remove(i % in_flight.len());
                if g.failed(&format!("user{u}"), &ip(c), now) {
                    log.lockouts.push(((now, step), u, c));
                }
            }
            Op::Fail(_) => {}
        }
    }
    log
}

/// The most admissions (in time order) that fall in one `window`.
fn max_in_window(times: &[At], window: Duration) -> usize {
    let in_window =
        |i: usize| times[..=i].iter().filter(|&&(t, _)| times[i].0 - t < window).count();
    (0..times.len()).map(in_window).max().unwrap_or(0)
}

/// Whether anything was admitted after `from` and less than `len` later.
fn admitted_during(times: Option<&Vec<At>>, from: At, len: Duration) -> bool {
    times.is_some_and(|ts| ts.iter().any(|&(t, step)| step > from.1 && t - from.0 < len))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Without successes: never more than max_failures PAM attempts per user (or per client)
    /// in any window, however requests interleave; and once failures lock a user or client,
    /// it gets no attempt for the whole lockout.
    #[test]
    fn attempts_never_exceed_the_policy(
        max_failures in 1u32..6,
        window_s in 1u64..120,
        extra_lockout_s in 0u64..300,
        ops in proptest::collection::vec(op(), 0..300),
    ) {
        let policy = GuardPolicy {
            max_failures,
            window: Duration::from_secs(window_s),
            lockout: Duration::from_secs(window_s + extra_lockout_s),
        };
        let log = run(policy, &ops);
        for times in log.users.values().chain(log.clients.values()) {
            prop_assert!(max_in_window(times, policy.window) <= max_failures as usize);
        }
        for &(at, u, c) in &log.lockouts {
            let user_got_in = admitted_during(log.users.get(&u), at, policy.lockout);
            let client_got_in = admitted_during(log.clients.get(&c), at, policy.lockout);
            prop_assert!(!(user_got_in && client_got_in), "lockout at step {} of user{u}/client{c} ignored", at.1);
        }
    }
}
