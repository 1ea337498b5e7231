//! Spool quotas and free space: SpoolQuota, SpoolQuotaPerUser and the spool's disk refuse a
//! job that would not fit before its data is read, `spool-area-full` and
//! `job-k-octets-supported` show what is left.

mod common;

use common::*;
use quire_core::dispatch::admit;
use quire_core::quota;
use quire_core::{Document, Settings};
use quire_ipp::{DelimiterTag, Operation, StatusCode, Value};

const KIB: u64 = 1024;

fn world(total: u64, per_user: u64) -> World {
    let mut w = World::with(Settings {
        start_time: NOW - 3600,
        spool_quota: total,
        spool_quota_per_user: per_user,
        ..Settings::default()
    });
    w.add_printer("Q");
    w
}

/// A document with its own spool file name (usage counts each file once).
fn sized(job_tag: i32, size: u64) -> Document {
    Document { file: format!("d{job_tag:05}-001"), ..doc_sized(size) }
}

/// A held Print-Job of `size` bytes by `who`; returns the outcome.
fn print(w: &mut World, who: &str, tag: i32, size: u64) -> quire_core::Outcome {
    let req = World::print_req("Q", who)
        .doc(sized(tag, size))
        .job_attr(kw("job-hold-until", "indefinite"));
    w.send(req, &user(who))
}

fn reasons(w: &World) -> Vec<String> {
    let req = Req::new(Operation::GetPrinterAttributes)
        .printer("Q")
        .requested(&["printer-state-reasons"]);
    let out = w.clone_send(req);
    strs(out.response.attr(DelimiterTag::Printer, "printer-state-reasons"))
}

fn k_octets_supported(w: &World) -> Value {
    let req = Req::new(Operation::GetPrinterAttributes)
        .printer("Q")
        .requested(&["job-k-octets-supported"]);
    let out = w.clone_send(req);
    values(&out.response, DelimiterTag::Printer, "job-k-octets-supported")[0].clone()
}

trait CloneSend {
    fn clone_send(&self, req: Req) -> quire_core::Outcome;
}
impl CloneSend for World {
    /// Queries answer from a copy: they must not change anything anyway.
    fn clone_send(&self, req: Req) -> quire_core::Outcome {
        let mut s = self.s.clone();
        quire_core::handle(&mut s, &req.request(), &admin(), self.now)
    }
}

#[test]
fn a_user_over_their_quota_is_refused_and_others_are_not() {
    let mut w = world(0, 100 * KIB);
    assert_status(&print(&mut w, "alice", 1, 60 * KIB), StatusCode::SuccessfulOk);
    let out = print(&mut w, "alice", 2, 50 * KIB);
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    let msg = status_message(&out.response).unwrap_or_default();
    assert!(
        msg.contains("alice") && msg.contains("SpoolQuotaPerUser") && msg.contains("40 KB left"),
        "{msg}"
    );
    assert_eq!(w.s.jobs.len(), 1, "the refused job was not created");
    assert_status(&print(&mut w, "bob", 3, 50 * KIB), StatusCode::SuccessfulOk);
    // What is left is 40 KB less the first job's record (its attributes).
    assert_status(
        &print(&mut w, "alice", 4, 40 * KIB),
        StatusCode::ClientErrorRequestEntityTooLarge,
    );
    assert_status(&print(&mut w, "alice", 4, 39 * KIB), StatusCode::SuccessfulOk);
}

#[test]
fn a_declared_size_is_refused_before_the_document_is_read() {
    let mut w = world(0, 100 * KIB);
    let req = Req::new(Operation::PrintJob)
        .printer("Q")
        .user("alice")
        .op(int("job-k-octets", 101))
        .request();
    let err = admit(&mut w.s, &req, &user("alice"), NOW).expect_err("101 KB > 100 KB");
    assert_eq!(err.code, StatusCode::ClientErrorRequestEntityTooLarge.code());
    let mut req = Req::new(Operation::PrintJob).printer("Q").user("alice").request();
    req.declared_document_size = Some(100 * KIB + 1);
    assert!(admit(&mut w.s, &req, &user("alice"), NOW).is_err(), "Content-Length over the quota");
    // Undeclared: accepted, with the room the daemon must stop streaming at.
    let req = Req::new(Operation::PrintJob).printer("Q").user("alice").request();
    let slot = admit(&mut w.s, &req, &user("alice"), NOW)
        .expect("fits")
        .document
        .expect("a Print-Job's document has its place");
    // The quota less the new job's own record.
    let room = slot.room.map_or(0, |r| r.bytes);
    assert!((99 * KIB..100 * KIB).contains(&room), "{room}");
    // Validate-Job answers the same as Print-Job would.
    let out = w.send(
        Req::new(Operation::ValidateJob).printer("Q").user("alice").op(int("job-k-octets", 200)),
        &user("alice"),
    );
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
}

#[test]
fn send_document_counts_against_the_job_owner() {
    let mut w = world(0, 100 * KIB);
    assert_status(&print(&mut w, "alice", 1, 98 * KIB), StatusCode::SuccessfulOk);
    // Less than 2 KB left: a job whose record alone takes 2.6 KB does not fit.
    let ranges = quire_ipp::Attribute::set(
        "page-ranges",
        (0..200).map(|i| Value::RangeOfInteger { lower: 2 * i + 1, upper: 2 * i + 1 }).collect(),
    );
    let out = w.send(
        Req::new(Operation::CreateJob).printer("Q").user("alice").job_attr(ranges),
        &user("alice"),
    );
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    w.send_ok(Req::new(Operation::CreateJob).printer("Q").user("alice"), &user("alice"));
    let out = w.send_ok(Req::new(Operation::CreateJob).printer("Q").user("bob"), &user("bob"));
    let id = job_id_of(&out.response);
    let mut req = Req::new(Operation::SendDocument)
        .job(id)
        .user("bob")
        .op(boolean("last-document", true))
        .request();
    req.declared_document_size = Some(101 * KIB);
    let err = admit(&mut w.s, &req, &user("bob"), NOW).expect_err("over bob's quota");
    assert_eq!(err.code, StatusCode::ClientErrorRequestEntityTooLarge.code());
}

#[test]
fn a_full_spool_shows_spool_area_full_and_frees_when_files_go() {
    let mut w = world(100 * KIB, 0);
    assert!(!reasons(&w).contains(&"spool-area-full".to_string()));
    assert_eq!(k_octets_supported(&w), Value::RangeOfInteger { lower: 0, upper: 100 });
    let first = job_id_of(&print(&mut w, "alice", 1, 70 * KIB).response);
    // 30 KB less the job's record.
    assert_eq!(k_octets_supported(&w), Value::RangeOfInteger { lower: 0, upper: 29 });
    let left = quota::room(&w.s, None).map_or(0, |r| r.bytes);
    let record = quota::record_bytes(w.job(first));
    assert_status(&print(&mut w, "bob", 2, left - record - 1), StatusCode::SuccessfulOk);
    // The few bytes left hold no job: the spool is full.
    assert!(quota::spool_full(&w.s), "{:?}", quota::room(&w.s, None));
    assert!(reasons(&w).contains(&"spool-area-full".to_string()));
    let out = print(&mut w, "carol", 3, 1);
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    assert!(status_message(&out.response).unwrap_or_default().contains("SpoolQuota"));
    // Cancelling a job purges its files (PreserveJobFiles No) and gives the room back.
    w.s.settings.preserve_job_files = Some(0);
    w.send_ok(Req::new(Operation::CancelJob).job(first).user("alice"), &user("alice"));
    let _ = quire_core::schedule::fire(&mut w.s, NOW + 1);
    assert!(w.job(first).files_purged || !w.s.jobs.contains_key(&first));
    assert!(!quota::spool_full(&w.s));
    // Its record stays with the job's history.
    assert_status(
        &print(&mut w, "carol", 4, 70 * KIB),
        StatusCode::ClientErrorRequestEntityTooLarge,
    );
    assert_status(&print(&mut w, "carol", 4, 69 * KIB), StatusCode::SuccessfulOk);
}

#[test]
fn job_attributes_count_and_are_capped() {
    let mut w = world(0, 100 * KIB);
    let ranges = |n: i32| {
        quire_ipp::Attribute::set(
            "page-ranges",
            (0..n).map(|i| Value::RangeOfInteger { lower: 2 * i + 1, upper: 2 * i + 1 }).collect(),
        )
    };
    // About 780 KB of page ranges: refused outright, whatever the room.
    let out = w.send(
        Req::new(Operation::CreateJob).printer("Q").user("mallory").job_attr(ranges(60_000)),
        &user("mallory"),
    );
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    let msg = status_message(&out.response).unwrap_or_default();
    assert!(msg.contains("attributes") && msg.contains("64 KB"), "{msg}");
    assert!(w.s.jobs.is_empty());
    // 48 KB of attributes per job: the third does not fit in alice's 100 KB.
    for _ in 0..2 {
        w.send_ok(
            Req::new(Operation::CreateJob).printer("Q").user("alice").job_attr(ranges(3800)),
            &user("alice"),
        );
    }
    assert!(quota::record_total(&w.s, Some("alice")) > 96 * KIB);
    let out = w.send(
        Req::new(Operation::CreateJob).printer("Q").user("alice").job_attr(ranges(3800)),
        &user("alice"),
    );
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    assert!(status_message(&out.response).unwrap_or_default().contains("SpoolQuotaPerUser"));
    // Set-Job-Attributes cannot grow a job past its owner's room either, and changes nothing.
    let small = job_id_of(
        &w.send_ok(Req::new(Operation::CreateJob).printer("Q").user("bob"), &user("bob")).response,
    );
    let before = w.job(small).clone();
    w.s.settings.spool_quota_per_user = 10 * KIB;
    let set = Req::new(Operation::SetJobAttributes).job(small).user("bob").job_attr(ranges(3800));
    assert_status(&w.send(set, &user("bob")), StatusCode::ClientErrorRequestEntityTooLarge);
    assert_eq!(w.job(small), &before, "nothing changed");
    let set = Req::new(Operation::SetJobAttributes).job(small).user("bob").job_attr(ranges(100));
    w.send_ok(set, &user("bob"));
}

#[test]
fn free_disk_space_is_a_limit_too() {
    let mut w = world(0, 0);
    w.s.spool_free = Some(quota::SPOOL_RESERVE + 10 * KIB);
    let out = print(&mut w, "alice", 1, 11 * KIB);
    assert_status(&out, StatusCode::ClientErrorRequestEntityTooLarge);
    assert!(status_message(&out.response).unwrap_or_default().contains("disk has 10 KB free"));
    assert_eq!(k_octets_supported(&w), Value::RangeOfInteger { lower: 0, upper: 10 });
    w.s.spool_free = Some(quota::SPOOL_RESERVE / 2);
    assert!(reasons(&w).contains(&"spool-area-full".to_string()));
    w.s.spool_free = None;
    assert_eq!(k_octets_supported(&w), Value::RangeOfInteger { lower: 0, upper: i32::MAX });
}

#[test]
fn shared_spool_files_count_once() {
    let mut w = world(0, 0);
    assert_status(&print(&mut w, "alice", 1, 10 * KIB), StatusCode::SuccessfulOk);
    assert_status(&print(&mut w, "alice", 1, 10 * KIB), StatusCode::SuccessfulOk);
    assert_eq!(quota::stored_bytes(&w.s, None), 10 * KIB, "two jobs naming one file");
    assert_status(&print(&mut w, "bob", 2, 5 * KIB), StatusCode::SuccessfulOk);
    assert_eq!(quota::stored_bytes(&w.s, None), 15 * KIB);
    assert_eq!(quota::stored_bytes(&w.s, Some("bob")), 5 * KIB);
}
