//! Spool quotas (`SpoolQuota`, `SpoolQuotaPerUser`) and the spool's free disk space.
//!
//! A job or document that would not fit is refused when the request's attributes have
//! been read, before any of its data is taken: with the size the client declared
//! (`job-k-octets`, or the HTTP body's length), or, when it declared none, by bounding
//! what the daemon will stream (the room [`check`] returns).
//!
//! Usage counts the documents still stored (jobs whose files are not purged), each spool
//! file once (a split job's parts share their parent's files), and every job's record: its
//! attributes take room in the job store as long as the job is kept, history included. A
//! job's attributes are capped ([`MAX_JOB_ATTRIBUTES`]): a request carrying more is refused
//! whatever the room.

use crate::error::{IppError, IppResult};
use crate::model::{Job, Scheduler};
use crate::request::Request;
use std::collections::BTreeSet;

/// Free space kept back on the spool's file system: below it the spool is full, so the
/// job store and the logs never meet a full disk because of documents. A small file system
/// keeps an eighth of its size, at least [`MIN_SPOOL_RESERVE`].
pub const SPOOL_RESERVE: u64 = 16 << 20;
pub const MIN_SPOOL_RESERVE: u64 = 1 << 20;

/// The most a job's record (its attributes, name, user and host) may take. A print job's
/// options take a few hundred bytes; this leaves room for large `media-col` or `overrides`
/// and refuses a request that would make the job store carry megabytes per job.
pub const MAX_JOB_ATTRIBUTES: u64 = 64 << 10;

/// The free space kept back on the spool's file system of `total` bytes (None: not known).
pub fn disk_reserve(total: Option<u64>) -> u64 {
    total.map_or(SPOOL_RESERVE, |t| (t / 8).clamp(MIN_SPOOL_RESERVE, SPOOL_RESERVE))
}

pub use crate::model::record_bytes;

/// Refuses a job whose record is over [`MAX_JOB_ATTRIBUTES`].
pub fn check_job_size(j: &Job) -> IppResult<()> {
    let bytes = record_bytes(j);
    if bytes > MAX_JOB_ATTRIBUTES {
        return Err(IppError::TooLarge(format!(
            "The job's attributes take {} KB: a job may keep at most {} KB of attributes.",
            kib(bytes),
            MAX_JOB_ATTRIBUTES / 1024
        )));
    }
    Ok(())
}

/// Refuses a change that makes a job's record larger than the cap or than its owner's room.
pub fn check_growth(s: &Scheduler, before: &Job, after: &Job) -> IppResult<()> {
    check_job_size(after)?;
    let grows = record_bytes(after).saturating_sub(record_bytes(before));
    match room(s, Some(&after.owner)) {
        Some(r) if grows > r.bytes => {
            Err(IppError::TooLarge(refusal(r, Some(grows), &after.owner)))
        }
        _ => Ok(()),
    }
}

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

/// Bytes of stored documents, of every job or only of `owner`'s, each spool file once.
/// Recounted from every job: the check of the running totals ([`stored_bytes`]).
pub fn recount_stored(s: &Scheduler, owner: Option<&str>) -> u64 {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    s.jobs
        .values()
        .filter(|j| !j.files_purged && owner.is_none_or(|o| *j.owner == *o))
        .flat_map(|j| j.documents.iter())
        .filter(|d| seen.insert(d.file.as_str()))
        .map(|d| d.size)
        .sum()
}

/// Bytes of job records (attributes), of every job or only of `owner`'s, recounted.
pub fn recount_records(s: &Scheduler, owner: Option<&str>) -> u64 {
    s.jobs.values().filter(|j| owner.is_none_or(|o| *j.owner == *o)).map(|j| record_bytes(j)).sum()
}

/// Bytes of stored documents, of every job or only of `owner`'s, each spool file once
/// (the scheduler's running total).
pub fn stored_bytes(s: &Scheduler, owner: Option<&str>) -> u64 {
    s.jobs.usage(owner).stored
}

/// Bytes of job records, of every job or only of `owner`'s (the running total).
pub fn record_total(s: &Scheduler, owner: Option<&str>) -> u64 {
    s.jobs.usage(owner).records
}

/// What the quotas count: documents and job records (the scheduler's running totals).
pub fn used(s: &Scheduler, owner: Option<&str>) -> u64 {
    s.jobs.usage(owner).total()
}

/// The tightest room left for `owner` (`None`: only the limits that apply to everyone);
/// `None` when nothing limits the spool.
pub fn room(s: &Scheduler, owner: Option<&str>) -> Option<Room> {
    let mut rooms: Vec<Room> = Vec::with_capacity(3);
    let quota = s.settings.spool_quota;
    if quota > 0 {
        rooms.push(Room { bytes: quota.saturating_sub(used(s, None)), limit: Limit::Spool });
    }
    let per_user = s.settings.spool_quota_per_user;
    if let (true, Some(user)) = (per_user > 0, owner) {
        rooms
            .push(Room { bytes: per_user.saturating_sub(used(s, Some(user))), limit: Limit::User });
    }
    if let Some(free) = s.spool_free {
        rooms.push(Room {
            bytes: free.saturating_sub(disk_reserve(s.spool_total)),
            limit: Limit::Disk,
        });
    }
    rooms.into_iter().min_by_key(|r| r.bytes)
}

/// Below this much room the spool is full: job records alone take some hundred bytes.
const FULL_BELOW: u64 = 1024;

/// The spool cannot take another job, not even of 1 KB (the queues show `spool-area-full`).
pub fn spool_full(s: &Scheduler) -> bool {
    room(s, None).is_some_and(|r| r.bytes < FULL_BELOW)
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
/// `record` is what a new job's record adds (0 for a document of an existing job).
/// `Ok(Some(_))` bounds a document whose size was not declared: the daemon stops reading
/// it past that many bytes. The document already in `req` (spooled) is not counted twice:
/// it is not in the state yet, and its size is what was declared.
pub fn check(
    s: &Scheduler,
    req: &Request,
    owner: &str,
    record: u64,
) -> IppResult<Option<Allowance>> {
    let Some(room) = room(s, Some(owner)) else { return Ok(None) };
    let wanted = declared(req).or(req.document.as_ref().map(|d| d.size));
    let need = wanted.unwrap_or(0).saturating_add(record);
    // With nothing declared, some room must be left for the document itself.
    let too_big =
        need > room.bytes || room.bytes < FULL_BELOW || (wanted.is_none() && need == room.bytes);
    if too_big {
        let shown = if wanted.is_none() && record == 0 { None } else { Some(need) };
        return Err(IppError::TooLarge(refusal(room, shown, owner)));
    }
    let left = Room { bytes: room.bytes - record, ..room };
    Ok(Some(Allowance { bytes: left.bytes, refusal: refusal(left, None, owner) }))
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
        Limit::User => format!(
            "{what}: the spool quota of user \"{owner}\" (SpoolQuotaPerUser) has {left} KB left."
        ),
        Limit::Disk => format!("{what}: the print spool's disk has {left} KB free."),
    }
}
