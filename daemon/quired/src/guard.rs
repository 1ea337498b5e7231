//! Brute-force guard for password (PAM) logins: too many failures for one user name, or from
//! one client, within a sliding window lock that user or client out for a while, and a locked
//! one is refused BEFORE PAM runs, so a locked account cannot be guessed at.
//!
//! Pure: no clock, no I/O, no global state; the caller passes `Instant`s and keeps one
//! `AuthGuard` (behind a mutex) for the daemon. Protocol per login attempt:
//! `check` (reserves the attempt) -> PAM -> exactly one of `failed`, `succeeded`, `abandoned`.
//! The reservation closes the race where many parallel requests all pass `check` before the
//! first failure is recorded; a reservation never reported expires after `window`.
//!
//! Memory is bounded: entries that no longer matter are dropped, user names are truncated, and
//! at most `max_keys` users and `max_keys` clients are tracked, evicting the least important.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

/// Default cap on tracked user names (and, separately, on tracked clients).
pub const DEFAULT_MAX_KEYS: usize = 10_000;
/// Longer user names are tracked by this many leading bytes: bounds memory per entry.
const MAX_KEY_BYTES: usize = 256;
/// Spans are clamped to this, so `Instant + span` cannot overflow.
const MAX_SPAN: Duration = Duration::from_secs(365 * 24 * 3600);

/// When failures lock out a user or client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardPolicy {
    /// Failures within `window` that cause a lockout (at least 1).
    pub max_failures: u32,
    /// Sliding window: older failures don't count.
    pub window: Duration,
    /// How long a lockout lasts. Keep it >= `window`, or a lockout ending forgives failures
    /// that would still be in the window.
    pub lockout: Duration,
}

impl Default for GuardPolicy {
    fn default() -> Self {
        GuardPolicy {
            max_failures: 5,
            window: Duration::from_secs(60),
            lockout: Duration::from_secs(300),
        }
    }
}

/// Who is logging in from where. Unix-socket peers have no address: use a stable string such
/// as `uid=1000` (or one key for all of them).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientId {
    Ip(IpAddr),
    Local(String),
}

impl From<IpAddr> for ClientId {
    fn from(ip: IpAddr) -> Self {
        ClientId::Ip(ip)
    }
}

/// A refused attempt: `who` may not try again before `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub who: LockedWho,
    pub until: Instant,
}

/// What is locked: the (normalized) user name, or the client (IPv4 address, IPv6 /64, local key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockedWho {
    User(String),
    Client(String),
}

impl Locked {
    /// How long until a retry may be admitted.
    pub fn remaining(&self, now: Instant) -> Duration {
        self.until.saturating_duration_since(now)
    }
}

impl fmt::Display for Locked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.who {
            LockedWho::User(u) => write!(f, "too many failed logins for user {u:?}"),
            LockedWho::Client(c) => write!(f, "too many failed logins from {c}"),
        }
    }
}

impl std::error::Error for Locked {}

/// Failure tracking per user name and per client.
#[derive(Debug)]
pub struct AuthGuard {
    policy: GuardPolicy,
    users: Table<String>,
    clients: Table<ClientKey>,
}

impl AuthGuard {
    pub fn new(policy: GuardPolicy) -> Self {
        Self::with_capacity(policy, DEFAULT_MAX_KEYS)
    }

    /// Tracks at most `max_keys` user names and `max_keys` clients (at least 1 each).
    pub fn with_capacity(policy: GuardPolicy, max_keys: usize) -> Self {
        let policy = GuardPolicy {
            max_failures: policy.max_failures.max(1),
            window: policy.window.min(MAX_SPAN),
            lockout: policy.lockout.min(MAX_SPAN),
        };
        let max_keys = max_keys.max(1);
        AuthGuard { policy, users: Table::new(max_keys), clients: Table::new(max_keys) }
    }

    #[cfg_attr(not(test), allow(dead_code))] // for tests and future metrics
    pub fn policy(&self) -> GuardPolicy {
        self.policy
    }

    /// Number of tracked user names and clients (for tests and metrics).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn tracked(&self) -> (usize, usize) {
        (self.users.map.len(), self.clients.map.len())
    }

    /// Call before PAM. `Ok` reserves one attempt for the user and the client; report its
    /// outcome with `failed`, `succeeded` or `abandoned`. `Err` when either is locked out, or
    /// already has as many failures plus attempts in flight as the policy allows.
    pub fn check(&mut self, user: &str, client: &ClientId, now: Instant) -> Result<(), Locked> {
        let (user, client) = (user_key(user), ClientKey::of(client));
        let p = self.policy;
        if let Some(until) = self.users.refusal(&user, now, &p) {
            return Err(Locked { who: LockedWho::User(user), until });
        }
        if let Some(until) = self.clients.refusal(&client, now, &p) {
            return Err(Locked { who: LockedWho::Client(client.to_string()), until });
        }
        self.users.track(user, now, &p).pending.push_back(now);
        self.clients.track(client, now, &p).pending.push_back(now);
        Ok(())
    }

    /// PAM refused the credentials (wrong password, unknown user, account unavailable).
    /// True when this failure locked out the user or the client.
    pub fn failed(&mut self, user: &str, client: &ClientId, now: Instant) -> bool {
        let p = self.policy;
        let user_locked = self.users.track(user_key(user), now, &p).fail(now, &p);
        let client_locked = self.clients.track(ClientKey::of(client), now, &p).fail(now, &p);
        user_locked || client_locked
    }

    /// PAM accepted: forgets the user's failures. A lockout stays until it ends, and the
    /// client's failures stay too: otherwise a client with one valid account could reset its
    /// count between guesses at other accounts.
    pub fn succeeded(&mut self, user: &str, client: &ClientId, now: Instant) {
        let p = self.policy;
        let user = user_key(user);
        if let Some(t) = self.users.existing(&user, now, &p) {
            t.pending.pop_front();
            t.failures.clear();
        }
        self.users.drop_if_empty(&user);
        self.release(None, client, now);
    }

    /// The attempt had no verdict (PAM itself unavailable): releases the reservation without
    /// counting a failure.
    pub fn abandoned(&mut self, user: &str, client: &ClientId, now: Instant) {
        self.release(Some(user), client, now);
    }

    fn release(&mut self, user: Option<&str>, client: &ClientId, now: Instant) {
        let p = self.policy;
        if let Some(user) = user.map(user_key) {
            if let Some(t) = self.users.existing(&user, now, &p) {
                t.pending.pop_front();
            }
            self.users.drop_if_empty(&user);
        }
        let client = ClientKey::of(client);
        if let Some(t) = self.clients.existing(&client, now, &p) {
            t.pending.pop_front();
        }
        self.clients.drop_if_empty(&client);
    }
}

/// User names are compared case-insensitively (LDAP and winbind logins are, so "Alice" must
/// not get a fresh count) and by at most `MAX_KEY_BYTES` bytes.
fn user_key(user: &str) -> String {
    // Truncated before lowercasing too, so a huge name costs no huge allocation.
    truncate(&truncate(user).to_lowercase())
}

fn truncate(s: &str) -> String {
    let mut end = s.len().min(MAX_KEY_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// A client as tracked: an IPv6 client is its /64, since one host can take any address of
/// its /64 and would otherwise get a fresh count per address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ClientKey {
    Ip(IpAddr),
    V6Net(u64),
    Local(String),
}

impl ClientKey {
    pub(crate) fn of(client: &ClientId) -> ClientKey {
        match client {
            ClientId::Ip(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::Ip(IpAddr::V4(v4)),
                None => ClientKey::V6Net((u128::from(*v6) >> 64) as u64),
            },
            ClientId::Ip(ip) => ClientKey::Ip(*ip),
            ClientId::Local(s) => ClientKey::Local(truncate(s)),
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientKey::Ip(ip) => write!(f, "{ip}"),
            ClientKey::V6Net(net) => write!(f, "{}/64", Ipv6Addr::from(u128::from(*net) << 64)),
            ClientKey::Local(s) => write!(f, "local peer {s:?}"),
        }
    }
}

/// One user's or client's recent history.
#[derive(Debug, Default)]
struct Track {
    /// Failures within the window, oldest first; fewer than `max_failures` unless locked.
    failures: VecDeque<Instant>,
    /// Start times of attempts admitted by `check` and not yet reported.
    pending: VecDeque<Instant>,
    locked_until: Option<Instant>,
}

/// `t + span <= now`: the span that started at `t` is over.
fn over(t: Instant, span: Duration, now: Instant) -> bool {
    t.checked_add(span).is_some_and(|end| end <= now)
}

/// `now + span`; spans are clamped to a year, so this only falls back for a bogus `now`.
fn after(now: Instant, span: Duration) -> Instant {
    now.checked_add(span).unwrap_or(now)
}

impl Track {
    /// Forgets what no longer counts at `now`: an ended lockout (with the failures that caused
    /// it), failures and unreported attempts older than the window.
    fn refresh(&mut self, now: Instant, p: &GuardPolicy) {
        if self.locked_until.is_some_and(|until| until <= now) {
            self.locked_until = None;
            self.failures.clear();
        }
        while self.failures.front().is_some_and(|&t| over(t, p.window, now)) {
            self.failures.pop_front();
        }
        while self.pending.front().is_some_and(|&t| over(t, p.window, now)) {
            self.pending.pop_front();
        }
    }

    /// When a new attempt is refused: until the lockout ends, or until the oldest counted
    /// failure or reservation leaves the window.
    fn refusal(&self, p: &GuardPolicy) -> Option<Instant> {
        if let Some(until) = self.locked_until {
            return Some(until);
        }
        let used = self.failures.len() + self.pending.len();
        if used < p.max_failures as usize {
            return None;
        }
        let oldest = self.failures.iter().chain(&self.pending).min()?;
        Some(after(*oldest, p.window))
    }

    /// Records a failure (ending the oldest reservation); true when it starts a lockout.
    /// A failure reported during a lockout (an attempt admitted before it) changes nothing.
    fn fail(&mut self, now: Instant, p: &GuardPolicy) -> bool {
        self.pending.pop_front();
        if self.locked_until.is_some() {
            return false;
        }
        self.failures.push_back(now);
        if self.failures.len() < p.max_failures as usize {
            return false;
        }
        self.locked_until = Some(after(now, p.lockout));
        self.failures.clear();
        true
    }

    fn is_empty(&self) -> bool {
        self.locked_until.is_none() && self.failures.is_empty() && self.pending.is_empty()
    }

    /// Eviction order, least important first: unlocked before locked; unlocked by last
    /// activity, locked by the end of the lockout (the least left to lose).
    fn rank(&self) -> (bool, Option<Instant>) {
        match self.locked_until {
            Some(until) => (true, Some(until)),
            None => {
                (false, self.failures.back().into_iter().chain(self.pending.back()).max().copied())
            }
        }
    }
}

/// Tracks keyed by user name or client, at most `cap` of them.
#[derive(Debug)]
struct Table<K> {
    map: HashMap<K, Track>,
    cap: usize,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(cap: usize) -> Self {
        Table { map: HashMap::new(), cap }
    }

    /// The key's track, refreshed, if it has one.
    fn existing(&mut self, key: &K, now: Instant, p: &GuardPolicy) -> Option<&mut Track> {
        let t = self.map.get_mut(key)?;
        t.refresh(now, p);
        Some(t)
    }

    fn refusal(&mut self, key: &K, now: Instant, p: &GuardPolicy) -> Option<Instant> {
        let refusal = self.existing(key, now, p)?.refusal(p);
        self.drop_if_empty(key);
        refusal
    }

    /// The key's track, refreshed; a new one when absent, making room first when full.
    fn track(&mut self, key: K, now: Instant, p: &GuardPolicy) -> &mut Track {
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            self.make_room(now, p);
        }
        let t = self.map.entry(key).or_default();
        t.refresh(now, p);
        t
    }

    fn drop_if_empty(&mut self, key: &K) {
        if self.map.get(key).is_some_and(Track::is_empty) {
            self.map.remove(key);
        }
    }

    /// Drops every track that no longer matters; if still full, evicts the least important
    /// sixteenth at once, so a flood of new keys costs O(1) amortized, not O(n) each.
    fn make_room(&mut self, now: Instant, p: &GuardPolicy) {
        self.map.retain(|_, t| {
            t.refresh(now, p);
            !t.is_empty()
        });
        if self.map.len() < self.cap {
            return;
        }
        let mut ranked: Vec<_> = self.map.iter().map(|(k, t)| (t.rank(), k.clone())).collect();
        let evict = (self.cap / 16).clamp(1, ranked.len());
        ranked.select_nth_unstable_by(evict - 1, |a, b| a.0.cmp(&b.0));
        for (_, key) in ranked.into_iter().take(evict) {
            self.map.remove(&key);
        }
    }
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
