//! The scheduler's running spool totals (what the quotas read, in O(1)) agree with a full
//! recount over every job after any sequence of jobs added, changed and removed: documents
//! added, grown and dropped, files shared between jobs (a split job's parts) and purged,
//! owners changed.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use proptest::prelude::*;
use quire_core::model::Usage;
use quire_core::{quota, Document, Job, JobState, Scheduler, Settings};

const OWNERS: &[&str] = &["alice", "bob", "carol"];

#[derive(Debug, Clone)]
enum Op {
    Add { id: i32, owner: usize, files: Vec<u8>, purged: bool },
    AddDocument { id: i32, file: u8 },
    DropDocument { id: i32 },
    Purge { id: i32 },
    Chown { id: i32, owner: usize },
    Rename { id: i32, len: usize },
    Remove { id: i32 },
    Touch { id: i32 },
    Finish { id: i32, at: i64 },
    Restart { id: i32 },
}

fn op() -> impl Strategy<Value = Op> {
    let id = 1i32..12;
    let file = 0u8..8;
    prop_oneof![
        (id.clone(), 0..OWNERS.len(), prop::collection::vec(file.clone(), 0..3), any::<bool>())
            .prop_map(|(id, owner, files, purged)| Op::Add { id, owner, files, purged }),
        (id.clone(), file).prop_map(|(id, file)| Op::AddDocument { id, file }),
        id.clone().prop_map(|id| Op::DropDocument { id }),
        id.clone().prop_map(|id| Op::Purge { id }),
        (id.clone(), 0..OWNERS.len()).prop_map(|(id, owner)| Op::Chown { id, owner }),
        (id.clone(), 0usize..200).prop_map(|(id, len)| Op::Rename { id, len }),
        id.clone().prop_map(|id| Op::Remove { id }),
        id.clone().prop_map(|id| Op::Touch { id }),
        (id.clone(), 0i64..5).prop_map(|(id, at)| Op::Finish { id, at }),
        id.prop_map(|id| Op::Restart { id }),
    ]
}

/// Document `file` of a job: one spool file may be named by several jobs, always with the
/// same size (a split job's parts name their parent's file).
fn document(number: i32, file: u8) -> Document {
    Document {
        number,
        format: "application/pdf".into(),
        name: String::new(),
        size: 1000 * (u64::from(file) + 1),
        file: format!("d{:05}-001", file),
        compression: None,
        pages: None,
        uri: None,
    }
}

fn apply(s: &mut Scheduler, op: &Op) {
    match op {
        Op::Add { id, owner, files, purged } => {
            let mut j = Job::new(*id, "P", OWNERS[*owner], "localhost", 0);
            j.documents =
                files.iter().enumerate().map(|(n, f)| document(n as i32 + 1, *f)).collect();
            j.files_purged = *purged;
            s.jobs.insert(*id, Box::new(j));
        }
        Op::AddDocument { id, file } => {
            if let Some(j) = s.jobs.get_mut(id) {
                let n = j.documents.len() as i32 + 1;
                j.documents.push(document(n, *file));
            }
        }
        Op::DropDocument { id } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.documents.pop();
            }
        }
        Op::Purge { id } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.files_purged = true;
            }
        }
        Op::Chown { id, owner } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.owner = OWNERS[*owner].into();
            }
        }
        Op::Rename { id, len } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.name = "n".repeat(*len).into();
            }
        }
        Op::Remove { id } => drop(s.jobs.remove(id)),
        Op::Touch { id } => drop(s.jobs.get_mut(id)),
        Op::Finish { id, at } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.state = JobState::Completed;
                j.completed_at = Some(*at);
            }
        }
        Op::Restart { id } => {
            if let Some(j) = s.jobs.get_mut(id) {
                j.state = JobState::Pending;
            }
        }
    }
}

fn recount(s: &Scheduler, owner: Option<&str>) -> Usage {
    Usage { records: quota::recount_records(s, owner), stored: quota::recount_stored(s, owner) }
}

/// The indexes of unfinished and finished jobs agree with a walk over every job.
fn check_indexes(s: &Scheduler) -> Result<(), TestCaseError> {
    let active: Vec<i32> = s.jobs.active().iter().map(|j| j.id).collect();
    let walked: Vec<i32> =
        s.jobs.values().filter(|j| !j.state.is_terminal() || j.open).map(|j| j.id).collect();
    prop_assert_eq!(active, walked);
    for queue in ["P", "p", "Q"] {
        let walked = s
            .jobs
            .values()
            .filter(|j| !j.state.is_terminal() && j.printer.eq_ignore_ascii_case(queue))
            .count();
        prop_assert_eq!(s.jobs.queued_on(queue) as usize, walked, "queued on {}", queue);
        prop_assert_eq!(s.jobs.in_use(queue), walked > 0);
    }
    let finished = |kept: Option<bool>| {
        s.jobs
            .values()
            .filter(|j| j.state.is_terminal() && !j.open)
            .filter(|j| kept.is_none_or(|c| !j.files_purged && j.confidential.is_some() == c))
            .filter_map(|j| j.completed_at)
            .min()
    };
    for kept in [None, Some(false), Some(true)] {
        prop_assert_eq!(s.jobs.first_finished(kept), finished(kept));
        let due: usize = s.jobs.finished_until(2, kept, usize::MAX).len();
        let walked = s
            .jobs
            .values()
            .filter(|j| j.state.is_terminal() && !j.open && j.completed_at.is_some_and(|t| t <= 2))
            .filter(|j| kept.is_none_or(|c| !j.files_purged && j.confidential.is_some() == c))
            .count();
        prop_assert_eq!(due, walked);
    }
    Ok(())
}

proptest! {
    #[test]
    fn running_totals_match_a_full_recount(ops in prop::collection::vec(op(), 1..80)) {
        let mut s = Scheduler::new(Settings::default());
        for op in &ops {
            apply(&mut s, op);
            for owner in [None, Some("alice"), Some("bob"), Some("carol"), Some("nobody")] {
                prop_assert_eq!(s.jobs.usage(owner), recount(&s, owner), "{:?} after {:?}", owner, op);
            }
            check_indexes(&s)?;
        }
    }
}

#[test]
fn a_file_two_jobs_name_counts_once_until_both_are_gone() {
    let mut s = Scheduler::new(Settings::default());
    for id in [1, 2] {
        let mut j = Job::new(id, "P", "alice", "localhost", 0);
        j.documents = vec![document(1, 3)];
        s.jobs.insert(id, Box::new(j));
    }
    assert_eq!(quota::stored_bytes(&s, None), 4000);
    s.jobs.remove(&1);
    assert_eq!(quota::stored_bytes(&s, Some("alice")), 4000);
    s.jobs.get_mut(&2).unwrap().files_purged = true;
    assert_eq!(quota::stored_bytes(&s, None), 0);
    assert_eq!(quota::record_total(&s, None), quota::recount_records(&s, None));
}
