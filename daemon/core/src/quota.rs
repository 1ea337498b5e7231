//! Spool quotas (`SpoolQuota`, `SpoolQuotaPerUser`) and the spool's free disk space.
//!
//! A job or document that would not fit is refused when the request's attributes have
//! been read, before any of its data is taken: with the size the client declared
//! (`job-k-octets`, or the HTTP body's length), or, when it declared none, by bounding
//! what the daemon will stream (the room [`check`] returns).
//!
//! Usage counts the documents still stored (jobs whose files are not purged), each spool
//! file once: a split job's parts share their parent's files.

use crate::error::{IppError, IppResult};
use crate::model::Scheduler;
use crate::request::Request;
use std::collections::BTreeSet;

/// Free space kept back on the spool's file system: below it the spool is full, so the
/// job store and the logs never meet a full disk because of documents.
pub const SPOOL_RESERVE: u64 = 16 << 20;

/// Which limit leaves the least room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `SpoolQuota`.
    Spool,
    /// `SpoolQuotaPerUser`.
    User,
    /// The file system holding the spool.
    Disk,
}

/// The bytes that may still be spooled, and the limit that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    pub bytes: u64,
    pub limit: Limit,
}

/// Bytes of stored documents, of every job or only of `owner`'s.
pub fn stored_bytes(s: &Scheduler, owner: Option<&str>) -> u64 {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    s.jobs
        .values()
        .filter(|j| !j.files_purged && owner.is_none_or(|o| *j.owner == *o))
        .flat_map(|j| j.documents.iter())
        .filter(|d| seen.insert(d.file.as_str()))
        .map(|d| d.size)
        .sum()
}

/// The tightest room left for `owner` (`None`: only the limits that apply to everyone);
/// `None` when nothing limits the spool.
pub fn room(s: &Scheduler, owner: Option<&str>) -> Option<Room> {
    let mut rooms: Vec<Room> = Vec::with_capacity(3);
    let quota = s.settings.spool_quota;
    if quota > 0 {
        rooms.push(Room { bytes: quota.saturating_sub(stored_bytes(s, None)), limit: Limit::Spool });
    }
    let per_user = s.settings.spool_quota_per_user;
    if let (true, Some(user)) = (per_user > 0, owner) {
        rooms.push(Room { bytes: per_user.saturating_sub(stored_bytes(s, Some(user))), limit: Limit::User });
    }
    if let Some(free) = s.spool_free {
        rooms.push(Room { bytes: free.saturating_sub(SPOOL_RESERVE), limit: Limit::Disk });
    }
    rooms.into_iter().min_by_key(|r| r.bytes)
}

/// The spool cannot take another byte (the queues show `spool-area-full`).
pub fn spool_full(s: &Scheduler) -> bool {
    room(s, None).is_some_and(|r| r.bytes == 0)
}

/// `job-k-octets-supported`'s upper bound: what the spool can still take, in KiB.
pub fn k_octets_supported(s: &Scheduler) -> i32 {
    room(s, None).map_or(i32::MAX, |r| (r.bytes / 1024).min(i32::MAX as u64) as i32)
}

/// The size the client declared for what it is about to send: `job-k-octets` (the whole
/// job) or the request body's length after the attributes, whichever is larger.
fn declared(req: &Request) -> Option<u64> {
    let k_octets = req
        .message
        .operation_attr("job-k-octets")
        .and_then(|a| a.first_i32())
        .and_then(|k| u64::try_from(k).ok())
        .map(|k| k.saturating_mul(1024));
    match (k_octets, req.declared_document_size) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn kib(bytes: u64) -> u64 {
    bytes.div_ceil(1024)
}

/// How much a document may still take, and what to answer when it takes more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    pub bytes: u64,
    /// The status-message of the refusal when the document outgrows `bytes`.
    pub refusal: String,
}

/// Refuses a job or document of `owner` that would not fit (status
/// client-error-request-entity-too-large, with which limit and how much room is left).
/// `Ok(Some(_))` bounds a document whose size was not declared: the daemon stops reading
/// it past that many bytes. The document already in `req` (spooled) is not counted twice:
/// it is not in the state yet, and its size is what was declared.
pub fn check(s: &Scheduler, req: &Request, owner: &str) -> IppResult<Option<Allowance>> {
    let Some(room) = room(s, Some(owner)) else { return Ok(None) };
    let wanted = declared(req).or(req.document.as_ref().map(|d| d.size));
    let too_big = match wanted {
        Some(n) => n > room.bytes,
        None => room.bytes == 0,
    };
    if too_big {
        return Err(IppError::TooLarge(refusal(room, wanted, owner)));
    }
    Ok(Some(Allowance { bytes: room.bytes, refusal: refusal(room, None, owner) }))
}

/// The status-message of a refusal.
fn refusal(room: Room, wanted: Option<u64>, owner: &str) -> String {
    let what = match wanted {
        Some(n) => format!("The job ({} KB) does not fit", kib(n)),
        None => "The job does not fit".to_string(),
    };
    let left = kib(room.bytes);
    match room.limit {
        Limit::Spool => format!("{what}: the print spool's quota (SpoolQuota) has {left} KB left."),
        Limit::User => format!("{what}: the spool quota of user \"{owner}\" (SpoolQuotaPerUser) has {left} KB left."),
        Limit::Disk => format!("{what}: the print spool's disk has {left} KB free."),
    }
}
