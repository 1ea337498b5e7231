//! Purge-Jobs of a big history: the purged jobs leave the map, the totals and the indexes
//! at once (no later request sees them) and are freed in slices by the timed work, which
//! ends in the same state as a purge in one pass. Get-Jobs lists finished jobs in cupsd's
//! order: most recently completed first, ties lowest id first.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use quire_core::model::Usage;
use quire_core::{quota, Effect, Job, JobState};
use quire_ipp::{Operation, StatusCode};

/// `n` finished jobs, odd ids on Q and even on R, owned by alice and bob in turn, job `i`
/// completed at `NOW - n + i / 3` (so several share a completion time).
fn big_history(n: i32) -> World {
    let mut w = World::with_printers(&["Q", "R"]);
    for id in 1..=n {
        let queue = if id % 2 == 1 { "Q" } else { "R" };
        let owner = if id % 4 < 2 { "alice" } else { "bob" };
        let mut j = Job::new(id, queue, owner, "localhost", NOW - 10);
        j.state = JobState::Completed;
        j.completed_at = Some(NOW - i64::from(n) + i64::from(id / 3));
        j.files_purged = true;
        w.s.jobs.insert(id, Box::new(j));
    }
    w.s.next_job_id = n + 1;
    w
}

fn usage(w: &World, owner: Option<&str>) -> Usage {
    Usage {
        records: quota::recount_records(&w.s, owner),
        stored: quota::recount_stored(&w.s, owner),
    }
}

#[test]
fn a_purge_in_slices_ends_as_a_purge_in_one_pass() {
    let n = 50_000;
    let mut w = big_history(n);
    let kept: Vec<i32> = (2..=n).step_by(2).collect();
    let out = w.printer_op(Operation::PurgeJobs, "Q", &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(deleted(&out.effects).len(), (n / 2) as usize, "every purged job is deleted");
    assert!(out.effects.contains(&Effect::ArmTimer { at: NOW }), "freeing goes on at once");
    // Already gone for every request and total, before any slice ran.
    assert_eq!(w.s.jobs.keys().copied().collect::<Vec<_>>(), kept);
    let listed = w.send(
        Req::new(Operation::GetJobs).printer("Q").user("alice").op(kw("which-jobs", "all")),
        &admin(),
    );
    assert!(job_ids(&listed.response).is_empty(), "Get-Jobs after the answer shows none");
    for owner in [None, Some("alice"), Some("bob")] {
        assert_eq!(w.s.jobs.usage(owner), usage(&w, owner));
    }
    assert_eq!(w.s.jobs.detached(), (n / 2) as usize);
    let mut slices = 0;
    while w.s.jobs.detached() > 0 {
        let effects = w.fire(NOW);
        slices += 1;
        assert!(slices < 100, "the slices end");
        let more = effects.contains(&Effect::ArmTimer { at: NOW });
        assert_eq!(more, w.s.jobs.detached() > 0, "a timer for now while some are left");
    }
    assert!(slices > 1, "freed in more than one slice");
    assert_eq!(w.s.jobs.keys().copied().collect::<Vec<_>>(), kept);
    assert_eq!(w.s.jobs.finished_until(NOW, None, usize::MAX).len(), kept.len());
    for owner in [None, Some("alice"), Some("bob")] {
        assert_eq!(w.s.jobs.usage(owner), usage(&w, owner));
    }
}

#[test]
fn completed_jobs_are_listed_newest_completion_first_ties_by_id() {
    let mut w = big_history(12);
    // Job 2 completed last of all: first, though its id is low.
    w.s.jobs.get_mut(&2).unwrap().completed_at = Some(NOW);
    let mut expected: Vec<(i64, i32)> =
        w.s.jobs.values().map(|j| (-j.completed_at.unwrap(), j.id)).collect();
    expected.sort();
    let expected: Vec<i32> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(expected[..4], [2, 12, 9, 10]);
    let req = || Req::new(Operation::GetJobs).user("alice").op(kw("which-jobs", "completed"));
    let out = w.send(req(), &admin());
    assert_eq!(job_ids(&out.response), expected);
    // A page from first-index is the same slice of that order.
    let out = w.send(req().op(int("first-index", 4)).op(int("limit", 5)), &admin());
    assert_eq!(job_ids(&out.response), expected[3..8]);
}

#[test]
fn purging_every_job_sets_them_aside_whole_and_frees_them_in_slices() {
    let n = 30_000;
    let mut w = big_history(n);
    let out = w.send(Req::new(Operation::PurgeJobs), &admin());
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(deleted(&out.effects).len(), n as usize);
    assert!(w.s.jobs.is_empty());
    assert_eq!(w.s.jobs.usage(None), Usage::default());
    assert_eq!(w.s.jobs.first_finished(None), None);
    assert_eq!(w.s.jobs.detached(), n as usize);
    // A job printed meanwhile is counted and listed as usual.
    let id = w.print("Q", &user("alice"));
    assert!(id > n);
    assert_eq!(w.s.jobs.keys().copied().collect::<Vec<_>>(), [id]);
    let mut slices = 0;
    while w.s.jobs.detached() > 0 {
        w.fire(NOW);
        slices += 1;
        assert!(slices < 100, "the slices end");
    }
    assert!(slices > 1, "freed in more than one slice");
    assert_eq!(w.s.jobs.keys().copied().collect::<Vec<_>>(), [id]);
    assert_eq!(w.s.jobs.usage(Some("alice")), usage(&w, Some("alice")));
    assert_eq!(w.s.jobs.active().len(), 1);
}

#[test]
fn the_completed_order_holds_across_index_reads() {
    // More jobs than one read of the index, three to a completion time.
    let mut w = big_history(2_000);
    let mut expected: Vec<(i64, i32)> =
        w.s.jobs.values().map(|j| (-j.completed_at.unwrap(), j.id)).collect();
    expected.sort();
    let expected: Vec<i32> = expected.into_iter().map(|(_, id)| id).collect();
    let got: Vec<i32> = w.s.jobs.finished_newest_first().map(|j| j.id).collect();
    assert_eq!(got, expected);
    let req = Req::new(Operation::GetJobs).user("alice").op(kw("which-jobs", "completed"));
    let out = w.send(req.op(int("first-index", 700)).op(int("limit", 50)), &admin());
    assert_eq!(job_ids(&out.response), expected[699..749]);
}
