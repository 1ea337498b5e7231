//! Failover through the operations: a printer stops mid-job, the remainder moves to a
//! printer at least as secure, exactly once. The last test drives many jobs over random
//! fleets with random faults through a model of the devices.

mod common;

use common::*;
use proptest::prelude::*;
use quire_core::model::{Phase, Rule};
use quire_core::security::qualifies;
use quire_core::{device, schedule, Effect, JobResult, JobState};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Operation, StatusCode, Value};

const GRACE: i32 = 5;

/// The fleet, with failover `mode` on every queue.
fn world(mode: &str) -> World {
    let mut w = fleet(FLEET);
    for (name, ..) in FLEET {
        w.send_ok(policy(name, mode, GRACE), &admin());
    }
    w
}

/// Failover `mode` on queue `name`, whose device is an IPP printer (it reports the pages it
/// has printed).
fn policy(name: &str, mode: &str, grace: i32) -> Req {
    Req::new(Operation::CupsAddModifyPrinter)
        .printer(name)
        .printer_attr(uri("device-uri", &format!("ipp://127.0.0.1:8631/ipp/print/{name}")))
        .printer_attr(kw(v::FAILOVER_DEFAULT, mode))
        .printer_attr(int(v::FAILOVER_GRACE_TIME, grace))
}

fn run_of(w: &World, id: i32) -> u32 {
    w.job(id).run
}

/// The device printing job `id` reports `reasons`.
fn device_reports(w: &mut World, id: i32, reasons: &[&str]) -> Vec<Effect> {
    let run = run_of(w, id);
    let reasons = reasons.iter().map(|r| r.to_string()).collect();
    device::device_state(&mut w.s, id, run, reasons, String::new(), w.now)
}

fn progress(w: &mut World, id: i32, pages: i32) {
    let run = run_of(w, id);
    schedule::job_progress(&mut w.s, id, run, pages, w.now);
}

fn phase(w: &World, id: i32) -> Option<Phase> {
    w.job(id).failover.as_ref().map(|f| f.phase)
}

fn ranges(w: &World, id: i32) -> Vec<(i32, i32)> {
    let a = w.job(id).attribute("page-ranges");
    a.map(|a| {
        a.values
            .iter()
            .filter_map(|v| match v {
                Value::RangeOfInteger { lower, upper } => Some((*lower, *upper)),
                _ => None,
            })
            .collect()
    })
    .unwrap_or_default()
}

fn copies(w: &World, id: i32) -> i32 {
    w.job(id).attribute("copies").and_then(|a| a.first_i32()).unwrap_or(1)
}

/// Lets the grace time pass and the stopped run end with its final count: the hand-off.
fn hand_off(w: &mut World, id: i32) {
    let effects = w.fire(w.now + i64::from(GRACE) + 1);
    assert!(
        effects.contains(&Effect::StopJob { job_id: id }),
        "the device job is stopped first: {effects:?}"
    );
    assert_eq!(phase(w, id), Some(Phase::HandingOff));
    w.report(id, JobResult::Stopped);
}

#[test]
fn paper_out_at_page_7_of_20_moves_pages_8_to_20_to_a_qualifying_printer() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7);
    let effects = device_reports(&mut w, id, &["media-empty-error"]);
    assert!(
        effects.contains(&Effect::ArmTimer { at: w.now + i64::from(GRACE) + 1 }),
        "{effects:?}"
    );
    assert_eq!(phase(&w, id), Some(Phase::Watching));
    // Not before the grace time.
    assert!(!w.fire(w.now + i64::from(GRACE)).contains(&Effect::StopJob { job_id: id }));
    hand_off(&mut w, id);
    let kids = w.job(id).children.clone();
    assert_eq!(kids.len(), 2, "a record of office's pages and one continuation");
    let (record, cont) = (w.job(kids[0]).clone(), w.job(kids[1]).clone());
    assert_eq!(
        (record.printer.as_str(), record.state, record.impressions_completed),
        ("office", JobState::Completed, 7)
    );
    assert_eq!(ranges(&w, cont.id), [(8, 20)]);
    assert_eq!(copies(&w, cont.id), 1);
    let target = w.printer(&cont.printer);
    assert!(
        qualifies(&target.security, &w.printer("office").security, Rule::Components).is_ok(),
        "{} does not qualify",
        target.name
    );
    assert!(w.job(id).state_reasons.iter().any(|r| r == v::REASON_FAILED_OVER));
    assert_eq!(phase(&w, id), Some(Phase::FailedOver));
    // The user still sees one job: it completes when the continuation does.
    assert_eq!(cont.state, JobState::Processing, "the continuation starts at once");
    progress(&mut w, cont.id, 13);
    w.finish(cont.id);
    assert_eq!(w.job(id).state, JobState::Completed);
    assert_eq!(w.job(id).impressions_completed, 20);
    let log = w.job(id).failover.as_ref().map(|f| f.log.join("\n")).unwrap_or_default();
    assert!(
        log.contains("media-empty-error")
            && log.contains("pages 8-20")
            && log.contains(&cont.printer.to_string()),
        "{log}"
    );
}

#[test]
fn a_jam_during_copy_3_of_5_moves_the_rest_of_that_copy_and_copies_4_and_5() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 4, &[int("copies", 5)]).response);
    progress(&mut w, id, 10); // copies 1-2 and pages 1-2 of copy 3
    device_reports(&mut w, id, &["media-jam-error"]);
    hand_off(&mut w, id);
    let kids = w.job(id).children.clone();
    assert_eq!(kids.len(), 3);
    assert_eq!((ranges(&w, kids[1]), copies(&w, kids[1])), (vec![(3, 4)], 1));
    assert_eq!((ranges(&w, kids[2]), copies(&w, kids[2])), (vec![], 2));
    assert_eq!(
        w.job(kids[1]).printer,
        w.job(kids[2]).printer,
        "both go to the same printer, in order"
    );
}

#[test]
fn the_final_count_read_after_the_stop_decides_the_remainder() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["offline-report"]);
    let effects = w.fire(w.now + i64::from(GRACE) + 1);
    assert!(effects.contains(&Effect::StopJob { job_id: id }), "offline counts as a fault");
    // The device printed page 8 before the cancel reached it; the backend reports it.
    progress(&mut w, id, 8);
    w.report(id, JobResult::Stopped);
    let cont = *w.job(id).children.last().expect("continuation");
    assert_eq!(ranges(&w, cont), [(9, 20)]);
}

#[test]
fn a_device_that_does_not_confirm_pages_moves_the_whole_job_and_says_so() {
    let mut w = world("auto");
    w.send_ok(
        Req::new(Operation::CupsAddModifyPrinter)
            .printer("office")
            .printer_attr(uri("device-uri", "socket://127.0.0.1:9100")),
        &admin(),
    );
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7); // pages sent, not known to be printed
    device_reports(&mut w, id, &["offline-report"]);
    hand_off(&mut w, id);
    let cont = *w.job(id).children.last().expect("continuation");
    assert_eq!(
        (ranges(&w, cont), copies(&w, cont)),
        (vec![], 1),
        "all of it again: nothing is lost"
    );
    assert!(
        w.job(id).state_message.contains("up to 7 impressions may print twice"),
        "{}",
        w.job(id).state_message
    );
}

#[test]
fn manual_mode_asks_the_user_and_refuses_a_printer_that_does_not_qualify() {
    let mut w = world("manual");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["media-empty-error"]);
    let effects = w.fire(w.now + i64::from(GRACE) + 1);
    assert!(!effects.contains(&Effect::StopJob { job_id: id }), "manual: nothing moves by itself");
    assert_eq!(phase(&w, id), Some(Phase::AwaitingChoice));
    assert!(w.job(id).state_reasons.iter().any(|r| r == v::REASON_FAILOVER_CHOICE));
    let out = w.send_ok(
        Req::new(Operation::GetJobAttributes).job(id).user("alice").requested(&["all"]),
        &anon("alice"),
    );
    let cands: Vec<String> = out
        .response
        .attr(DelimiterTag::Job, v::FAILOVER_CANDIDATES)
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    assert!(cands.iter().any(|c| c.starts_with("vault: biometric")), "{cands:?}");
    assert!(cands.iter().any(|c| c.starts_with("draft: does not qualify")), "{cands:?}");
    let mv = |dest: &str| {
        Req::new(Operation::CupsMoveJob)
            .job(id)
            .user("alice")
            .job_attr(uri("job-printer-uri", &printer_uri(dest)))
    };
    let out = w.send(mv("draft"), &anon("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert!(
        status_message(&out.response).unwrap_or_default().contains("less secure"),
        "{:?}",
        status_message(&out.response)
    );
    assert_eq!(phase(&w, id), Some(Phase::AwaitingChoice), "a refused choice changes nothing");
    // Another user may not choose.
    assert_status(&w.send(mv("vault"), &user("mallory")), StatusCode::ClientErrorNotAuthorized);
    let out = w.send_ok(mv("vault"), &anon("alice"));
    assert!(out.effects.contains(&Effect::StopJob { job_id: id }));
    w.report(id, JobResult::Stopped);
    let cont = *w.job(id).children.last().expect("continuation");
    assert_eq!((w.job(cont).printer.as_str(), ranges(&w, cont)), ("vault", vec![(8, 20)]));
}

#[test]
fn when_none_qualifies_the_job_waits_with_a_reason_and_resumes_when_the_printer_recovers() {
    let mut w = world("auto");
    let sub = Req::new(Operation::CreatePrinterSubscriptions).printer("vault").user("alice").group(
        DelimiterTag::Subscription,
        vec![kws("notify-events", &["job-state-changed"]), kw("notify-pull-method", "ippget")],
    );
    w.send_ok(sub, &anon("alice"));
    let id = job_id_of(&submit(&mut w, "vault", 20, &[]).response);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["media-empty-error"]);
    let effects = w.fire(w.now + i64::from(GRACE) + 1);
    assert!(!effects.contains(&Effect::StopJob { job_id: id }));
    assert_eq!(phase(&w, id), Some(Phase::NoQualified));
    let job = w.job(id);
    assert!(job.state_reasons.iter().any(|r| r == v::REASON_FAILOVER_NO_QUALIFIED));
    assert!(
        job.state_message.contains("No other printer qualifies")
            && job.state_message.contains("fix the fault on \"vault\""),
        "{}",
        job.state_message
    );
    let told =
        w.s.subscriptions
            .values()
            .flat_map(|s| s.pending.iter())
            .filter(|e| e.text.contains("No other printer qualifies"))
            .count();
    assert_eq!(told, 1, "subscribers are told once");
    // Checked again later: still none, nobody told twice.
    w.fire(w.now + 60);
    let told =
        w.s.subscriptions
            .values()
            .flat_map(|s| s.pending.iter())
            .filter(|e| e.text.contains("No other printer qualifies"))
            .count();
    assert_eq!(told, 1);
    device_reports(&mut w, id, &[]);
    assert_eq!(phase(&w, id), Some(Phase::Resumed));
    assert_eq!(w.job(id).state, JobState::Processing);
    assert!(!w.job(id).state_reasons.iter().any(|r| r.starts_with("quire-failover")));
    assert!(w.job(id).children.is_empty(), "it goes on where it is");
}

#[test]
fn a_recovery_within_the_grace_time_keeps_the_job_where_it_is() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["media-jam-error"]);
    w.now += 2;
    device_reports(&mut w, id, &[]);
    let effects = w.fire(w.now + 60);
    assert!(!effects.contains(&Effect::StopJob { job_id: id }));
    assert_eq!(phase(&w, id), Some(Phase::Resumed));
    progress(&mut w, id, 20);
    w.finish(id);
    assert_eq!(w.job(id).state, JobState::Completed);
    assert!(w.job(id).children.is_empty());
}

#[test]
fn queues_without_failover_and_jobs_that_opt_out_wait_as_cupsd_does() {
    let mut w = world("none");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    device_reports(&mut w, id, &["media-empty-error"]);
    assert_eq!(phase(&w, id), None);
    // A job may ask for it on its own.
    let mine = job_id_of(&submit(&mut w, "secure", 20, &[kw(v::FAILOVER, "auto")]).response);
    device_reports(&mut w, mine, &["media-empty-error"]);
    assert_eq!(phase(&w, mine), Some(Phase::Watching));
    let bad = submit(&mut w, "draft", 2, &[kw(v::FAILOVER, "sometimes")]);
    assert_status(&bad, StatusCode::ClientErrorAttributesOrValuesNotSupported);
}

#[test]
fn a_restart_while_handing_off_stops_and_counts_the_device_job_again() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    let run = run_of(&w, id);
    schedule::device_job(&mut w.s, id, run, 41);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["media-empty-error"]);
    w.fire(w.now + i64::from(GRACE) + 1);
    w.s = reload(&w.s);
    assert_eq!(w.printer("office").failover.grace, i64::from(GRACE));
    assert_eq!(phase(&w, id), Some(Phase::HandingOff));
    let effects = schedule::recover(&mut w.s, w.now);
    let run = run_of(&w, id);
    assert!(
        effects.contains(&Effect::StartJob { job_id: id, printer: "office".into(), run }),
        "{effects:?}"
    );
    assert_eq!(
        w.job(id).device_job,
        Some(41),
        "the new run stops device job 41 and reads its count"
    );
    progress(&mut w, id, 7);
    w.report(id, JobResult::Stopped);
    let cont = *w.job(id).children.last().expect("continuation");
    assert_eq!(ranges(&w, cont), [(8, 20)]);
}

#[test]
fn a_continuation_that_stops_fails_over_again_against_the_first_queue() {
    let mut w = world("auto");
    let id = job_id_of(&submit(&mut w, "office", 20, &[]).response);
    progress(&mut w, id, 7);
    device_reports(&mut w, id, &["media-empty-error"]);
    hand_off(&mut w, id);
    let cont = *w.job(id).children.last().expect("continuation");
    progress(&mut w, cont, 3); // pages 8-10
    device_reports(&mut w, cont, &["media-jam-error"]);
    hand_off(&mut w, cont);
    let again = *w.job(cont).children.last().expect("second continuation");
    assert_eq!(ranges(&w, again), [(11, 20)]);
    assert_ne!(w.job(again).printer, w.job(cont).printer);
    progress(&mut w, again, 10);
    w.finish(again);
    assert_eq!(w.job(id).state, JobState::Completed);
    assert_eq!(w.job(id).impressions_completed, 20);
}

// ---- the randomized model -------------------------------------------------------------

/// A simulated device: prints one impression per tick unless faulted.
#[derive(Default)]
struct Device {
    /// (job, run, pages of the device job in order, printed so far)
    current: Option<(i32, u32, Vec<u32>, usize)>,
    faulted: bool,
    /// Total impressions after which the device faults, and ticks until it is repaired.
    fault_at: Option<u32>,
    repair_in: Option<u32>,
    total: u32,
}

/// The pages a job's device job prints, computed from its attributes (not by Quire).
fn device_pages(w: &World, id: i32, doc_pages: u32) -> Vec<u32> {
    let r = ranges(w, id);
    let one: Vec<u32> = if r.is_empty() {
        (1..=doc_pages).collect()
    } else {
        r.iter().flat_map(|(a, b)| (*a as u32)..=(*b as u32).min(doc_pages)).collect()
    };
    (0..copies(w, id)).flat_map(|_| one.clone()).collect()
}

fn root_of(w: &World, mut id: i32) -> i32 {
    while let Some(p) = w.job(id).parent_job_id {
        id = p;
    }
    id
}

struct Model {
    w: World,
    names: Vec<String>,
    devices: Vec<Device>,
    /// (root job, page) for every impression any device printed, and the printer.
    printed: Vec<(i32, u32, String)>,
    doc_pages: std::collections::BTreeMap<i32, u32>,
}

impl Model {
    fn apply(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for e in queue {
                match e {
                    Effect::StartJob { job_id, printer, run } => {
                        let i = self
                            .names
                            .iter()
                            .position(|n| n.eq_ignore_ascii_case(&printer))
                            .expect("printer");
                        assert!(
                            self.devices[i].current.is_none(),
                            "{printer} got two jobs at once"
                        );
                        let pages = device_pages(
                            &self.w,
                            job_id,
                            self.doc_pages[&root_of(&self.w, job_id)],
                        );
                        self.devices[i].current = Some((job_id, run, pages, 0));
                        if self.devices[i].faulted {
                            next.extend(device::device_state(
                                &mut self.w.s,
                                job_id,
                                run,
                                vec!["media-empty-error".into()],
                                String::new(),
                                self.w.now,
                            ));
                        }
                    }
                    Effect::StopJob { job_id } => {
                        if let Some(i) = self
                            .devices
                            .iter()
                            .position(|d| d.current.as_ref().is_some_and(|c| c.0 == job_id))
                        {
                            let (job, run, ..) = self.devices[i].current.take().expect("current");
                            next.extend(schedule::job_finished(
                                &mut self.w.s,
                                job,
                                run,
                                JobResult::Stopped,
                                self.w.now,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            queue = next;
        }
    }

    /// One second: every device prints or faults or is repaired; then the timers.
    fn tick(&mut self) {
        self.w.now += 1;
        for i in 0..self.devices.len() {
            let mut effects = Vec::new();
            let d = &mut self.devices[i];
            if d.faulted {
                match d.repair_in.as_mut() {
                    Some(0) => {
                        d.faulted = false;
                        d.repair_in = None;
                        if let Some((job, run, ..)) = d.current {
                            effects.extend(device::device_state(
                                &mut self.w.s,
                                job,
                                run,
                                Vec::new(),
                                String::new(),
                                self.w.now,
                            ));
                        }
                    }
                    Some(n) => *n -= 1,
                    None => {}
                }
            } else if let Some((job, run, pages, done)) = d.current.as_mut() {
                let page = pages[*done];
                *done += 1;
                d.total += 1;
                let (job, run, done, all) = (*job, *run, *done, pages.len());
                self.printed.push((root_of(&self.w, job), page, self.names[i].clone()));
                effects.extend(schedule::job_progress(
                    &mut self.w.s,
                    job,
                    run,
                    done as i32,
                    self.w.now,
                ));
                if done == all {
                    d.current = None;
                    effects.extend(schedule::job_finished(
                        &mut self.w.s,
                        job,
                        run,
                        JobResult::Completed,
                        self.w.now,
                    ));
                } else if d.fault_at.is_some_and(|at| d.total >= at) {
                    d.faulted = true;
                    d.fault_at = None;
                    effects.extend(device::device_state(
                        &mut self.w.s,
                        job,
                        run,
                        vec!["media-empty-error".into()],
                        String::new(),
                        self.w.now,
                    ));
                }
            }
            self.apply(effects);
        }
        let effects = schedule::fire(&mut self.w.s, self.w.now);
        self.apply(effects);
    }
}

type FleetSpec = Vec<(usize, bool, bool, Option<u32>, Option<u32>)>;

/// Runs the model to the end and checks it; returns how many hand-offs happened.
fn model_run(
    specs: &FleetSpec,
    jobs: &[(usize, u32, i32)],
    mode: &str,
) -> Result<usize, TestCaseError> {
    const AUTHS: &[&str] = &["none", "pin", "id-card", "biometric"];
    let names: Vec<String> = (0..specs.len()).map(|i| format!("p{i}")).collect();
    let mut w = World::new();
    let mut devices = Vec::new();
    for (i, (auth, enc, erase, fault_at, repair_in)) in specs.iter().enumerate() {
        add_secured(&mut w, (&names[i], AUTHS[*auth], *enc, *erase, 60));
        w.send_ok(policy(&names[i], mode, 3), &admin());
        devices.push(Device { fault_at: *fault_at, repair_in: *repair_in, ..Device::default() });
    }
    let mut m = Model {
        w,
        names: names.clone(),
        devices,
        printed: Vec::new(),
        doc_pages: Default::default(),
    };
    for (queue, pages, copies) in jobs {
        let out = submit(&mut m.w, &names[queue % names.len()], *pages, &[int("copies", *copies)]);
        let id = job_id_of(&out.response);
        m.doc_pages.insert(id, *pages);
        m.apply(out.effects);
    }
    let roots: Vec<i32> = m.doc_pages.keys().copied().collect();
    for _ in 0..3000 {
        if roots.iter().all(|r| m.w.job(*r).state.is_terminal()) {
            break;
        }
        m.tick();
        // Manual mode: the user picks the first qualifying printer offered.
        if mode == "manual" {
            let waiting: Vec<i32> = m
                .w
                .s
                .jobs
                .values()
                .filter(|j| j.failover.as_ref().is_some_and(|f| f.phase == Phase::AwaitingChoice))
                .map(|j| j.id)
                .collect();
            for id in waiting {
                let job = m.w.job(id).clone();
                let pick = quire_core::failover::candidates(&m.w.s, &job)
                    .into_iter()
                    .find(|c| c.refused.is_none())
                    .map(|c| c.name);
                if let Some(dest) = pick {
                    let out = m.w.send_ok(
                        Req::new(Operation::CupsMoveJob)
                            .job(id)
                            .user("alice")
                            .job_attr(uri("job-printer-uri", &printer_uri(&dest))),
                        &anon("alice"),
                    );
                    m.apply(out.effects);
                }
            }
        }
        // A device that is never repaired is fixed late, so that every job can end.
        if m.w.now > NOW + 1500 {
            for d in &mut m.devices {
                if d.faulted && d.repair_in.is_none() {
                    d.repair_in = Some(0);
                }
            }
        }
    }
    for r in &roots {
        prop_assert_eq!(
            m.w.job(*r).state,
            JobState::Completed,
            "job {} did not complete: {:?}",
            r,
            m.w.job(*r)
        );
    }
    // Every page of every copy exactly once, on printers at least as secure.
    for (root, pages, copies) in roots.iter().zip(jobs).map(|(r, (_, p, c))| (*r, *p, *c)) {
        let queue = m.w.job(root).printer.to_string();
        let origin = m.w.printer(&queue).security;
        let mut count = vec![0i32; pages as usize + 1];
        for (_, page, printer) in m.printed.iter().filter(|(r, ..)| *r == root) {
            count[*page as usize] += 1;
            let p = m.w.printer(printer).security;
            prop_assert!(
                qualifies(&p, &origin, Rule::Components).is_ok(),
                "job {} printed on {} (less secure than {})",
                root,
                printer,
                queue
            );
        }
        prop_assert!(
            count[1..].iter().all(|c| *c == copies),
            "job {}: {:?} (copies {})",
            root,
            &count[1..],
            copies
        );
    }
    Ok(m.w
        .s
        .jobs
        .values()
        .filter(|j| j.failover.as_ref().is_some_and(|f| f.phase == Phase::FailedOver))
        .count())
}

#[test]
fn the_model_really_fails_over() {
    // p0 (pin) runs out of paper after 5 pages and is never repaired; p1 and p2 qualify.
    let specs: FleetSpec = vec![
        (1, false, false, Some(5), None),
        (2, true, true, Some(12), Some(4)),
        (3, true, true, None, None),
    ];
    let jobs = [(0, 9, 2), (0, 4, 1), (1, 20, 1)];
    for mode in ["auto", "manual"] {
        let handoffs = model_run(&specs, &jobs, mode).expect("model");
        assert!(handoffs >= 1, "{mode}: no hand-off happened");
    }
}

fn fleet_spec() -> impl Strategy<Value = FleetSpec> {
    prop::collection::vec(
        (
            0usize..4,
            any::<bool>(),
            any::<bool>(),
            prop::option::weighted(0.5, 1u32..60),
            prop::option::of(0u32..20),
        ),
        2..6,
    )
}

fn job_specs() -> impl Strategy<Value = Vec<(usize, u32, i32)>> {
    prop::collection::vec((0usize..6, 1u32..30, 1i32..4), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_jobs_faults_and_fleets_lose_nothing_repeat_nothing_and_stay_secure(specs in fleet_spec(), jobs in job_specs()) {
        model_run(&specs, &jobs, "auto")?;
    }

    #[test]
    fn the_same_holds_when_users_choose(specs in fleet_spec(), jobs in job_specs()) {
        model_run(&specs, &jobs, "manual")?;
    }
}

#[test]
fn failover_settings_show_on_the_queue_and_survive_a_restart() {
    let w = world("auto");
    let out = {
        let mut w2 = world("manual");
        w2.send_ok(
            Req::new(Operation::GetPrinterAttributes).printer("office").requested(&["all"]),
            &anon("x"),
        )
    };
    let get = |n: &str| out.response.attr(DelimiterTag::Printer, n).cloned();
    assert_eq!(
        get(v::FAILOVER_DEFAULT).and_then(|a| a.first_str().map(str::to_string)).as_deref(),
        Some("manual")
    );
    assert_eq!(get(v::FAILOVER_GRACE_TIME).and_then(|a| a.first_i32()), Some(GRACE));
    assert_eq!(get(v::FAILOVER_SUPPORTED).map(|a| a.strs().count()), Some(3));
    let s = reload(&w.s);
    assert_eq!(
        s.printer("office").map(|p| p.failover.clone()),
        w.s.printer("office").map(|p| p.failover.clone())
    );
    let bad = Req::new(Operation::CupsAddModifyPrinter)
        .printer("office")
        .printer_attr(Attribute::new(v::FAILOVER_GRACE_TIME, Value::Integer(-1)));
    let mut w = w;
    let out = w.send(bad, &admin());
    assert_ne!(status(&out.response), StatusCode::SuccessfulOk);
}
