//! The open-file limit `MaxClients` needs.
//!
//! Every connection is a file descriptor, and so are the listeners, the log files, the job
//! store, spool files and the pipes of running filters. Like cupsd, raise the soft
//! `RLIMIT_NOFILE` to the hard limit at start-up (a default soft limit of 1024 would cap a
//! server at about a thousand clients), and say clearly when `MaxClients` is more than the
//! limit leaves room for: past it, accept fails with EMFILE and new clients wait in the
//! listen backlog instead of getting the server's "try again later" answer.

use nix::sys::resource::{getrlimit, setrlimit, Resource, RLIM_INFINITY};

/// Descriptors kept for everything but connections: listeners, logs, the store, spool files,
/// filter pipes, refusals being written (see `net::accept`).
pub const OTHER_FDS: u64 = 512;

/// What the limit is after start-up, for the log and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdLimit {
    pub soft: u64,
    pub hard: u64,
}

/// Raise the soft limit to the hard one (capped: an unlimited hard limit means 1,048,576,
/// the kernel's default `nr_open`), log the outcome, and warn if `max_clients` connections
/// would not fit.
pub fn raise_for(max_clients: usize) -> Option<FdLimit> {
    let (soft, hard) = match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("unable to read the open-file limit (RLIMIT_NOFILE): {e}");
            return None;
        }
    };
    let target = if hard == RLIM_INFINITY { 1 << 20 } else { hard };
    let soft = if soft < target {
        match setrlimit(Resource::RLIMIT_NOFILE, target, hard) {
            Ok(()) => target,
            Err(e) => {
                tracing::warn!("unable to raise the open-file limit from {soft} to {target}: {e}");
                soft
            }
        }
    } else {
        soft
    };
    let limit = FdLimit { soft, hard };
    match clients_allowed(limit.soft, max_clients) {
        Some(fit) => tracing::warn!(
            "MaxClients {max_clients} is more than the open-file limit allows: {} descriptors \
             (RLIMIT_NOFILE) leave room for about {fit} connections; raise the hard limit \
             (LimitNOFILE= in the service unit, ulimit -Hn) to at least {} or lower MaxClients",
            limit.soft,
            needed(max_clients)
        ),
        None => tracing::info!(
            "Open-file limit {} (hard {}): room for MaxClients {max_clients}",
            limit.soft,
            limit.hard
        ),
    }
    Some(limit)
}

/// Descriptors `max_clients` connections need with everything else.
pub fn needed(max_clients: usize) -> u64 {
    u64::try_from(max_clients).unwrap_or(u64::MAX).saturating_add(OTHER_FDS)
}

/// `Some(connections that fit)` when `max_clients` do not fit in `soft` descriptors.
pub fn clients_allowed(soft: u64, max_clients: usize) -> Option<u64> {
    (soft < needed(max_clients)).then(|| soft.saturating_sub(OTHER_FDS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_clients_fits_with_room_for_the_rest() {
        assert_eq!(clients_allowed(1024, 100), None);
        assert_eq!(clients_allowed(1024, 10_000), Some(1024 - OTHER_FDS));
        assert_eq!(clients_allowed(20_000, 10_000), None);
        assert_eq!(clients_allowed(100, 100), Some(0));
    }

    #[test]
    fn start_up_leaves_the_soft_limit_at_the_hard_one() {
        let after = raise_for(100).expect("getrlimit works");
        assert!(after.soft == after.hard || after.hard == RLIM_INFINITY, "{after:?}");
    }
}
