//! Random sequences of operations never panic and keep the scheduler's invariants.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use proptest::prelude::*;
use quire_core::{schedule, Effect, JobResult, JobState, PrinterState, Requester};
use quire_ipp::Operation;
use std::collections::BTreeMap;

const QUEUES: &[&str] = &["P1", "P2", "Team"];

#[derive(Debug, Clone)]
enum Op {
    Print { queue: usize, who: usize, priority: i32, hold: u8 },
    Create { queue: usize, who: usize },
    Send { job: usize, who: usize, last: bool, data: bool },
    Cancel { job: usize, who: usize, purge: bool },
    Hold { job: usize, who: usize },
    Release { job: usize, who: usize },
    Restart { job: usize, who: usize },
    Resume { job: usize, who: usize },
    Finish { job: usize, how: u8 },
    Pause { queue: usize },
    ResumePrinter { queue: usize },
    Purge { queue: Option<usize>, who: usize },
    CancelMine { who: usize },
    Move { job: usize, to: usize },
    Fire { secs: i64 },
}

fn op(with_move: bool) -> impl Strategy<Value = Op> {
    let q = 0..QUEUES.len();
    let who = 0usize..3;
    let j = any::<usize>();
    let mut ops = vec![
        (
            4,
            (q.clone(), who.clone(), 1i32..=100, 0u8..6)
                .prop_map(|(queue, who, priority, hold)| Op::Print { queue, who, priority, hold })
                .boxed(),
        ),
        (1, (q.clone(), who.clone()).prop_map(|(queue, who)| Op::Create { queue, who }).boxed()),
        (
            1,
            (j, who.clone(), any::<bool>(), any::<bool>())
                .prop_map(|(job, who, last, data)| Op::Send { job, who, last, data })
                .boxed(),
        ),
        (
            2,
            (j, who.clone(), prop::bool::weighted(0.2))
                .prop_map(|(job, who, purge)| Op::Cancel { job, who, purge })
                .boxed(),
        ),
        (1, (j, who.clone()).prop_map(|(job, who)| Op::Hold { job, who }).boxed()),
        (1, (j, who.clone()).prop_map(|(job, who)| Op::Release { job, who }).boxed()),
        (1, (j, who.clone()).prop_map(|(job, who)| Op::Restart { job, who }).boxed()),
        (1, (j, who.clone()).prop_map(|(job, who)| Op::Resume { job, who }).boxed()),
        (4, (j, 0u8..5).prop_map(|(job, how)| Op::Finish { job, how }).boxed()),
        (1, q.clone().prop_map(|queue| Op::Pause { queue }).boxed()),
        (1, q.clone().prop_map(|queue| Op::ResumePrinter { queue }).boxed()),
        (
            1,
            (prop::option::of(q.clone()), who.clone())
                .prop_map(|(queue, who)| Op::Purge { queue, who })
                .boxed(),
        ),
        (1, who.prop_map(|who| Op::CancelMine { who }).boxed()),
        (
            1,
            prop_oneof![Just(1i64), 60..3600i64, Just(900), 3600..200_000i64]
                .prop_map(|secs| Op::Fire { secs })
                .boxed(),
        ),
    ];
    if with_move {
        ops.push((2, (j, q).prop_map(|(job, to)| Op::Move { job, to }).boxed()));
    }
    prop::strategy::Union::new_weighted(ops)
}

fn requester(i: usize) -> Requester {
    match i {
        0 => admin(),
        1 => user("alice"),
        _ => user("bob"),
    }
}

/// The job a random index names: an existing job most of the time, sometimes a missing one.
fn pick(w: &World, i: usize) -> i32 {
    let ids: Vec<i32> = w.s.jobs.keys().copied().collect();
    if ids.is_empty() || i.is_multiple_of(17) {
        return 1000 + (i % 5) as i32;
    }
    ids[i % ids.len()]
}

fn printer_states(w: &World) -> BTreeMap<String, PrinterState> {
    w.s.printers.values().map(|p| (p.name.clone(), p.state)).collect()
}

/// (printer, job) for every Processing job.
fn running(w: &World) -> BTreeMap<i32, Option<String>> {
    w.s.jobs
        .values()
        .filter(|j| j.state == JobState::Processing)
        .map(|j| (j.id, j.output_device.as_deref().map(str::to_string)))
        .collect()
}

fn apply(w: &mut World, op: &Op) -> Vec<Effect> {
    let job_op = |w: &mut World, op: Operation, job: usize, who: usize| {
        let id = pick(w, job);
        w.job_op(op, id, &requester(who)).effects
    };
    match op {
        Op::Print { queue, who, priority, hold } => {
            let r = requester(*who);
            let mut req =
                World::print_req(QUEUES[*queue], &r.user).job_attr(int("job-priority", *priority));
            match hold {
                1 => req = req.job_attr(kw("job-hold-until", "indefinite")),
                2 => req = req.job_attr(nm("job-hold-until", "23:30")),
                3 => req = req.job_attr(kw("job-hold-until", "night")),
                _ => {}
            }
            w.send(req, &r).effects
        }
        Op::Create { queue, who } => {
            let r = requester(*who);
            w.send(Req::new(Operation::CreateJob).printer(QUEUES[*queue]).user(&r.user), &r).effects
        }
        Op::Send { job, who, last, data } => {
            let id = pick(w, *job);
            w.send_document(id, &requester(*who), *last, data.then(doc)).effects
        }
        Op::Cancel { job, who, purge } => {
            let id = pick(w, *job);
            let r = requester(*who);
            w.send(
                Req::new(Operation::CancelJob)
                    .job(id)
                    .user(&r.user)
                    .op(boolean("purge-job", *purge)),
                &r,
            )
            .effects
        }
        Op::Hold { job, who } => job_op(w, Operation::HoldJob, *job, *who),
        Op::Release { job, who } => job_op(w, Operation::ReleaseJob, *job, *who),
        Op::Restart { job, who } => job_op(w, Operation::RestartJob, *job, *who),
        Op::Resume { job, who } => {
            let id = pick(w, *job);
            let r = requester(*who);
            w.send(
                Req::new(Operation::SetJobAttributes)
                    .job(id)
                    .user(&r.user)
                    .job_attr(kw("job-hold-until", "no-hold")),
                &r,
            )
            .effects
        }
        Op::Finish { job, how } => {
            // The daemon only reports on jobs it started.
            let ids: Vec<i32> = running(w).keys().copied().collect();
            if ids.is_empty() {
                return Vec::new();
            }
            let id = ids[job % ids.len()];
            let run = w.job(id).run;
            let result = match how {
                0 | 1 => JobResult::Completed,
                2 => JobResult::Failed("offline".into()),
                3 => JobResult::Hold("auth".into()),
                _ => JobResult::Cancel("bad".into()),
            };
            schedule::job_finished(&mut w.s, id, run, result, w.now)
        }
        Op::Pause { queue } => {
            w.printer_op(Operation::PausePrinter, QUEUES[*queue], &admin()).effects
        }
        Op::ResumePrinter { queue } => {
            w.printer_op(Operation::ResumePrinter, QUEUES[*queue], &admin()).effects
        }
        Op::Purge { queue, who } => {
            let r = requester(*who);
            let mut req = Req::new(Operation::PurgeJobs).user(&r.user);
            if let Some(q) = queue {
                req = req.printer(QUEUES[*q]);
            }
            w.send(req, &r).effects
        }
        Op::CancelMine { who } => {
            let r = requester(*who);
            w.send(Req::new(Operation::CancelMyJobs).user(&r.user), &r).effects
        }
        Op::Move { job, to } => {
            let id = pick(w, *job);
            let req = Req::new(Operation::CupsMoveJob)
                .job(id)
                .job_attr(uri("job-printer-uri", &printer_uri(QUEUES[*to])));
            w.send(req, &admin()).effects
        }
        Op::Fire { secs } => {
            let at = w.now + secs;
            w.fire(at)
        }
    }
}

/// Checks one step: the StartJob effects against the states before, then the whole state.
fn check(
    w: &World,
    before: &BTreeMap<String, PrinterState>,
    ran_before: &BTreeMap<i32, Option<String>>,
    effects: &[Effect],
) -> Result<(), TestCaseError> {
    let started = starts(effects);
    let mut seen = Vec::new();
    for (id, printer) in &started {
        prop_assert!(
            !seen.contains(printer),
            "two StartJob for {} in one step: {:?}",
            printer,
            effects
        );
        seen.push(printer.clone());
        // The printer had no job before the step, or the step took its job away (cancel,
        // finish, move). Resume-Printer may turn a stopped printer into a free one.
        let busy_before: Vec<i32> = ran_before
            .iter()
            .filter(|(_, d)| d.as_deref() == Some(printer.as_str()))
            .map(|(j, _)| *j)
            .collect();
        let still_busy = busy_before.iter().any(|j| {
            running(w).get(j).is_some_and(|d| d.as_deref() == Some(printer.as_str())) && j != id
        });
        prop_assert!(
            !still_busy,
            "StartJob {} on {} while job {:?} still prints there",
            id,
            printer,
            busy_before
        );
        prop_assert!(before.contains_key(printer), "StartJob on unknown printer {}", printer);
        let now_state = w.s.printer(printer).map(|p| p.state);
        let job_now =
            w.s.jobs.get(id).map(|j| (j.state, j.output_device.as_deref().map(str::to_string)));
        prop_assert_eq!(
            job_now,
            Some((JobState::Processing, Some(printer.clone()))),
            "StartJob {} on {}",
            id,
            printer
        );
        prop_assert_eq!(now_state, Some(PrinterState::Processing));
    }
    check_state(w)
}

fn check_state(w: &World) -> Result<(), TestCaseError> {
    // The running spool totals the quotas read agree with a count over every job.
    for owner in [None, Some("root"), Some("alice"), Some("bob")] {
        prop_assert_eq!(
            quire_core::quota::stored_bytes(&w.s, owner),
            quire_core::quota::recount_stored(&w.s, owner),
            "stored bytes of {:?}",
            owner
        );
        prop_assert_eq!(
            quire_core::quota::record_total(&w.s, owner),
            quire_core::quota::recount_records(&w.s, owner),
            "record bytes of {:?}",
            owner
        );
    }
    let mut busy: BTreeMap<String, i32> = BTreeMap::new();
    for j in w.s.jobs.values() {
        prop_assert!(j.id < w.s.next_job_id);
        prop_assert!(
            w.s.printer(&j.printer).is_some(),
            "job {} on missing queue {}",
            j.id,
            j.printer
        );
        prop_assert_eq!(
            j.state.is_terminal(),
            j.completed_at.is_some(),
            "job {} is {:?} with completed_at {:?}",
            j.id,
            j.state,
            j.completed_at
        );
        if j.open {
            prop_assert_eq!(j.state, JobState::Held, "open job {} must be held", j.id);
        }
        if j.state == JobState::Processing {
            let dev = j.output_device.clone().unwrap_or_default();
            let p = w.s.printer(&dev);
            prop_assert!(
                p.is_some_and(|p| !p.is_class),
                "processing job {} on device {:?}",
                j.id,
                dev
            );
            let p = p.unwrap();
            let paused =
                p.state == PrinterState::Stopped && p.state_reasons.iter().any(|r| r == "paused");
            prop_assert!(
                p.state == PrinterState::Processing || paused,
                "processing job {} but {} is {:?}",
                j.id,
                dev,
                p.state
            );
            if let Some(other) = busy.insert(p.name.clone(), j.id) {
                prop_assert!(false, "jobs {} and {} both processing on {}", other, j.id, dev);
            }
        }
    }
    for p in w.s.printers.values() {
        if p.state == PrinterState::Processing {
            prop_assert!(
                busy.contains_key(&p.name),
                "printer {} is processing with no job",
                p.name
            );
        }
        // Work conserving: nothing pending on an idle printer.
        if !p.is_class && p.state == PrinterState::Idle {
            let waiting = w.s.jobs.values().find(|j| {
                j.state == JobState::Pending
                    && !j.open
                    && (j.printer == p.name
                        || w.s.printer(&j.printer).is_some_and(|q| {
                            q.is_class
                                && q.state != PrinterState::Stopped
                                && q.members.contains(&p.name)
                        }))
            });
            prop_assert!(
                waiting.is_none(),
                "job {:?} pending while {} is idle",
                waiting.map(|j| j.id),
                p.name
            );
        }
    }
    Ok(())
}

fn world() -> World {
    let mut w = World::with_printers(&["P1", "P2"]);
    w.add_class("Team", &["P1", "P2"]);
    w
}

/// Runs the ops. With `prompt_stops`, the late `Stopped` report for every StopJob arrives
/// right after the step that stopped the job (before the next operation).
fn run_ops(ops: &[Op], prompt_stops: bool) -> Result<(), TestCaseError> {
    let mut w = world();
    // (job, run) of every stopped backend whose report has not arrived yet.
    let mut stopped: Vec<(i32, u32)> = Vec::new();
    // The run each job was on before a step: the one a StopJob of that step stops.
    let runs =
        |w: &World| -> BTreeMap<i32, u32> { w.s.jobs.values().map(|j| (j.id, j.run)).collect() };
    let stopped_runs = |effects: &[Effect], runs: &BTreeMap<i32, u32>| -> Vec<(i32, u32)> {
        stops(effects).into_iter().map(|id| (id, runs.get(&id).copied().unwrap_or(0))).collect()
    };
    for (i, op) in ops.iter().enumerate() {
        let before = printer_states(&w);
        let ran = running(&w);
        let runs_before = runs(&w);
        w.now += 1;
        let effects = apply(&mut w, op);
        check(&w, &before, &ran, &effects)
            .map_err(|e| TestCaseError::fail(format!("after step {i} {op:?}: {e}")))?;
        stopped.extend(stopped_runs(&effects, &runs_before));
        // Deliver stop reports: all at once when prompt, else one of them now and then.
        while !stopped.is_empty() && (prompt_stops || i % 3 == 0) {
            let (id, run) = stopped.remove(0);
            let before = printer_states(&w);
            let ran = running(&w);
            let runs_before = runs(&w);
            let effects = schedule::job_finished(&mut w.s, id, run, JobResult::Stopped, w.now);
            check(&w, &before, &ran, &effects).map_err(|e| {
                TestCaseError::fail(format!("after Stopped report of job {id} (step {i}): {e}"))
            })?;
            stopped.extend(stopped_runs(&effects, &runs_before));
            if !prompt_stops {
                break;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_invariants(ops in prop::collection::vec(op(false), 1..60)) {
        run_ops(&ops, true)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Includes CUPS-Move-Job and late stop reports (see the ignored
    /// `late_stopped_report_after_move_does_not_free_the_new_printer` in job_control.rs).
    #[test]
    fn random_operations_with_moves_and_late_stop_reports(ops in prop::collection::vec(op(true), 1..60)) {
        run_ops(&ops, false)?;
    }
}

#[test]
fn a_long_fixed_run_keeps_invariants() {
    let mut ops = Vec::new();
    for i in 0..200usize {
        ops.push(match i % 9 {
            0 | 1 => Op::Print {
                queue: i % 3,
                who: i % 3,
                priority: (i % 100) as i32 + 1,
                hold: (i % 7) as u8,
            },
            2 => Op::Finish { job: i, how: (i % 5) as u8 },
            3 => Op::Cancel { job: i * 7, who: i % 3, purge: i % 4 == 0 },
            4 => Op::Release { job: i * 3, who: 0 },
            5 => {
                if i % 2 == 0 {
                    Op::Pause { queue: i % 3 }
                } else {
                    Op::ResumePrinter { queue: i % 3 }
                }
            }
            6 => Op::Fire { secs: 3600 },
            7 => Op::Hold { job: i, who: 0 },
            _ => Op::Finish { job: i + 1, how: 0 },
        });
    }
    run_ops(&ops, true).unwrap();
}
