//! Security levels on printers and the job splitter, through the operations.

mod common;

use common::*;
use proptest::prelude::*;
use quire_core::model::Rule;
use quire_core::security::qualifies;
use quire_core::{schedule, Effect, JobResult, JobState};
use quire_ipp::vendor as v;
use quire_ipp::{DelimiterTag, Operation, StatusCode, Value};

fn children(w: &World, id: i32) -> Vec<i32> {
    w.job(id).children.clone()
}

fn copies_of(w: &World, id: i32) -> i32 {
    w.job(id).attribute("copies").and_then(|a| a.first_i32()).unwrap_or(1)
}

fn ranges_of(w: &World, id: i32) -> Vec<(i32, i32)> {
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

#[test]
fn security_facts_show_and_the_level_is_derived_unless_set() {
    let mut w = fleet(FLEET);
    let out = w.send_ok(
        Req::new(Operation::GetPrinterAttributes).printer("secure").requested(&["all"]),
        &anon("x"),
    );
    let get = |n: &str| out.response.attr(DelimiterTag::Printer, n).cloned();
    assert_eq!(
        get(v::AUTHENTICATION_METHOD).and_then(|a| a.first_str().map(str::to_string)).as_deref(),
        Some("id-card")
    );
    assert_eq!(get(v::SECURITY_LEVEL).and_then(|a| a.first_i32()), Some(4));
    assert_eq!(
        get(v::SECURITY_LEVEL_SOURCE).and_then(|a| a.first_str().map(str::to_string)).as_deref(),
        Some("derived")
    );
    let settable = get("printer-settable-attributes-supported")
        .map(|a| a.strs().map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(settable.iter().any(|s| s == v::SECURITY_LEVEL), "{settable:?}");
    let creation = get("job-creation-attributes-supported")
        .map(|a| a.strs().map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
    assert!(
        creation.iter().any(|s| s == v::SPLIT) && creation.iter().any(|s| s == v::SPLIT_PRINTERS),
        "{creation:?}"
    );
    // Set-Printer-Attributes pins the level; a bad value changes nothing.
    let set = Req::new(Operation::SetPrinterAttributes)
        .printer("secure")
        .printer_attr(int(v::SECURITY_LEVEL, 2));
    w.send_ok(set, &admin());
    assert_eq!(w.printer("secure").security.level(), 2);
    let bad = Req::new(Operation::SetPrinterAttributes)
        .printer("secure")
        .printer_attr(boolean(v::ERASES_STORAGE, false))
        .printer_attr(kw(v::AUTHENTICATION_METHOD, "retina"));
    let out = w.send(bad, &admin());
    assert_status(&out, StatusCode::ClientErrorAttributesOrValuesNotSupported);
    assert!(w.printer("secure").security.erases, "all or nothing");
    // Only an administrator sets them.
    let out = w.send(
        Req::new(Operation::SetPrinterAttributes)
            .printer("secure")
            .printer_attr(int(v::SECURITY_LEVEL, 5)),
        &user("bob"),
    );
    assert_status(&out, StatusCode::ClientErrorForbidden);
    // CUPS-Get-Printers shows them too.
    let out = w.send_ok(
        Req::new(Operation::CupsGetPrinters).requested(&["printer-name", v::SECURITY_LEVEL]),
        &anon("x"),
    );
    assert_eq!(
        out.response.groups.iter().filter(|g| g.get(v::SECURITY_LEVEL).is_some()).count(),
        FLEET.len()
    );
}

#[test]
fn automatic_split_of_copies_uses_only_qualifying_printers() {
    let mut w = fleet(FLEET);
    let out = submit(&mut w, "secure", 4, &[int("copies", 100), kw(v::SPLIT, "auto")]);
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = job_id_of(&out.response);
    let kids = children(&w, id);
    assert_eq!(kids.len(), 2, "secure and vault, never office or draft");
    let mut printers: Vec<String> = kids.iter().map(|k| w.job(*k).printer.to_string()).collect();
    printers.sort();
    assert_eq!(printers, ["secure", "vault"]);
    assert_eq!(kids.iter().map(|k| copies_of(&w, *k)).sum::<i32>(), 100);
    for k in &kids {
        assert_eq!(w.job(*k).parent_job_id, Some(id));
    }
    let parent = w.job(id);
    assert_eq!(parent.state, JobState::Processing);
    assert!(parent.state_reasons.iter().any(|r| r == v::REASON_SPLIT));
    assert!(parent.state_message.contains("split into 2 parts"), "{}", parent.state_message);
    // What the user sees: which printer prints which copies.
    let out = w
        .send_ok(Req::new(Operation::GetJobAttributes).job(id).requested(&["all"]), &anon("alice"));
    let parts: Vec<String> = out
        .response
        .attr(DelimiterTag::Job, v::SPLIT_PARTS)
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    assert!(parts.iter().any(|p| p.contains("on vault") && p.contains("copies")), "{parts:?}");
    let out = w.send_ok(
        Req::new(Operation::GetJobAttributes).job(kids[1]).requested(&["all"]),
        &anon("alice"),
    );
    assert!(out.response.attr(DelimiterTag::Job, "output-device-assigned").is_some());
    assert_eq!(
        out.response.attr(DelimiterTag::Job, "parent-job-id").and_then(|a| a.first_i32()),
        Some(id)
    );
}

#[test]
fn the_parent_aggregates_progress_and_completes_with_its_children() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let kids = children(&w, id);
    for k in &kids {
        assert_eq!(w.job(*k).state, JobState::Processing, "both parts start at once");
    }
    let run = w.job(kids[0]).run;
    schedule::job_progress(&mut w.s, kids[0], run, 8, w.now);
    assert_eq!(w.job(id).impressions_completed, 8);
    w.finish(kids[0]);
    assert_eq!(w.job(id).state, JobState::Processing);
    w.finish(kids[1]);
    let parent = w.job(id);
    assert_eq!(parent.state, JobState::Completed);
    assert!(parent.state_reasons.iter().any(|r| r == "job-completed-successfully"));
}

#[test]
fn a_single_copy_is_split_by_page_ranges_covering_every_page_once() {
    let mut w = fleet(&[
        ("a", "pin", false, false, 40),
        ("b", "pin", false, false, 40),
        ("c", "pin", false, false, 40),
        ("d", "pin", false, false, 40),
    ]);
    let id = job_id_of(&submit(&mut w, "a", 400, &[kw(v::SPLIT, "auto")]).response);
    let kids = children(&w, id);
    assert_eq!(kids.len(), 4);
    let mut pages: Vec<i32> = Vec::new();
    for k in &kids {
        assert_eq!(copies_of(&w, *k), 1);
        for (a, b) in ranges_of(&w, *k) {
            pages.extend(a..=b);
        }
        assert_eq!(w.job(*k).impressions, Some(100));
    }
    assert_eq!(pages, (1..=400).collect::<Vec<_>>());
}

#[test]
fn a_manual_list_with_a_printer_that_does_not_qualify_is_refused_by_name() {
    let mut w = fleet(FLEET);
    let before = w.s.jobs.len();
    let out =
        submit(&mut w, "secure", 4, &[int("copies", 10), nm(v::SPLIT_PRINTERS, "vault,office")]);
    assert_status(&out, StatusCode::ClientErrorAttributesOrValuesNotSupported);
    let msg = status_message(&out.response).unwrap_or_default();
    assert!(
        msg.contains("\"office\"")
            && msg.contains("weaker than id-card")
            && msg.contains("does not encrypt"),
        "{msg}"
    );
    assert_eq!(w.s.jobs.len(), before, "nothing was queued");
    let out = submit(&mut w, "secure", 4, &[int("copies", 10), nm(v::SPLIT_PRINTERS, "nosuch")]);
    assert!(status_message(&out.response)
        .unwrap_or_default()
        .contains("\"nosuch\" in quire-split-printers does not exist"));
    // A qualifying list is used, and only it.
    let id = job_id_of(
        &submit(
            &mut w,
            "office",
            4,
            &[int("copies", 10), kw(v::SPLIT, "manual"), nm(v::SPLIT_PRINTERS, "secure")],
        )
        .response,
    );
    let mut printers: Vec<String> =
        children(&w, id).iter().map(|k| w.job(*k).printer.to_string()).collect();
    printers.sort();
    assert_eq!(printers, ["office", "secure"]);
}

#[test]
fn when_none_qualifies_the_user_is_told_and_the_job_prints_alone_or_holds() {
    let mut w = fleet(FLEET);
    let sub = Req::new(Operation::CreatePrinterSubscriptions).printer("vault").user("alice").group(
        DelimiterTag::Subscription,
        vec![kws("notify-events", &["job-state-changed"]), kw("notify-pull-method", "ippget")],
    );
    w.send_ok(sub, &anon("alice"));
    // vault is the most secure printer: nothing else qualifies.
    let out = submit(&mut w, "vault", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]);
    let id = job_id_of(&out.response);
    let reasons: Vec<String> = out
        .response
        .attr(DelimiterTag::Job, "job-state-reasons")
        .map(|a| a.strs().map(str::to_string).collect())
        .unwrap_or_default();
    assert!(reasons.iter().any(|r| r == v::REASON_NO_QUALIFIED_PRINTER), "{reasons:?}");
    let message = out
        .response
        .attr(DelimiterTag::Job, "job-state-message")
        .and_then(|a| a.first_str().map(str::to_string))
        .unwrap_or_default();
    assert!(
        message.contains("No other printer qualifies")
            && message.contains("\"office\"")
            && message.contains("alone"),
        "{message}"
    );
    assert_eq!(w.job(id).state, JobState::Processing, "print-alone: it prints on vault");
    assert!(w.job(id).children.is_empty());
    let events =
        w.s.subscriptions
            .values()
            .flat_map(|s| s.pending.iter())
            .filter(|e| e.text.contains("No other printer qualifies"))
            .count();
    assert_eq!(events, 1, "subscribers are notified");
    w.finish(id);
    assert!(
        w.job(id).state_reasons.iter().any(|r| r == v::REASON_NO_QUALIFIED_PRINTER),
        "the reason stays to the end"
    );
    // With hold, it waits; releasing prints it alone.
    let id = job_id_of(
        &submit(
            &mut w,
            "vault",
            4,
            &[int("copies", 10), kw(v::SPLIT, "auto"), kw(v::SPLIT_FALLBACK, "hold")],
        )
        .response,
    );
    assert_eq!(w.job(id).state, JobState::Held);
    assert!(w.job(id).state_message.contains("release it"));
    w.job_op(Operation::ReleaseJob, id, &anon("alice"));
    assert_eq!(w.job(id).state, JobState::Processing);
    assert!(w.job(id).children.is_empty());
}

#[test]
fn cancelling_the_parent_cancels_every_part() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let kids = children(&w, id);
    let out = w.job_op(Operation::CancelJob, id, &anon("alice"));
    assert_status(&out, StatusCode::SuccessfulOk);
    for k in &kids {
        assert_eq!(w.job(*k).state, JobState::Canceled);
        assert!(out.effects.contains(&Effect::StopJob { job_id: *k }));
    }
    assert_eq!(w.job(id).state, JobState::Canceled);
    // Holding or moving the parent itself is refused: its parts are what print.
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let out = w.job_op(Operation::HoldJob, id, &anon("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
}

#[test]
fn a_part_cannot_be_moved_to_a_printer_that_does_not_qualify() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let kid = children(&w, id)[0];
    let mv = Req::new(Operation::CupsMoveJob)
        .job(kid)
        .user("alice")
        .job_attr(uri("job-printer-uri", &printer_uri("draft")));
    let out = w.send(mv, &anon("alice"));
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert!(status_message(&out.response).unwrap_or_default().contains("does not qualify"));
}

#[test]
fn a_queue_policy_splits_large_jobs_only() {
    let mut w = fleet(FLEET);
    let policy = Req::new(Operation::CupsAddModifyPrinter)
        .printer("office")
        .printer_attr(kw(v::SPLIT_DEFAULT, "auto"))
        .printer_attr(int(v::SPLIT_MIN_COPIES, 100))
        .printer_attr(int(v::SPLIT_MIN_PAGES, 200));
    w.send_ok(policy, &admin());
    let small = job_id_of(&submit(&mut w, "office", 10, &[int("copies", 5)]).response);
    assert!(w.job(small).children.is_empty());
    let many = job_id_of(&submit(&mut w, "office", 2, &[int("copies", 100)]).response);
    assert!(!w.job(many).children.is_empty());
    let long = job_id_of(&submit(&mut w, "office", 300, &[]).response);
    assert!(!w.job(long).children.is_empty());
    // The user may opt out.
    let mine = job_id_of(&submit(&mut w, "office", 300, &[kw(v::SPLIT, "none")]).response);
    assert!(w.job(mine).children.is_empty());
}

#[test]
fn a_restart_keeps_the_split_and_the_device_jobs() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    let kids = children(&w, id);
    let run = w.job(kids[0]).run;
    schedule::device_job(&mut w.s, kids[0], run, 77);
    // Reload from the records, as after kill -9.
    let mut s = reload(&w.s);
    let effects = schedule::recover(&mut s, w.now);
    assert_eq!(s.jobs[&id].state, JobState::Processing, "the parent is not restarted");
    assert_eq!(s.jobs[&id].children, kids);
    assert_eq!(s.jobs[&kids[0]].device_job, Some(77), "the backend follows device job 77");
    let started: Vec<i32> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::StartJob { job_id, .. } => Some(*job_id),
            _ => None,
        })
        .collect();
    assert_eq!(started.len(), kids.len(), "each part runs again, none twice: {started:?}");
    assert!(!started.contains(&id));
    assert_eq!(s.printers["vault"].security, w.s.printers["vault"].security);
    // The device job is forgotten once the run ends.
    let run = s.jobs[&kids[0]].run;
    schedule::job_finished(&mut s, kids[0], run, JobResult::Completed, w.now);
    assert_eq!(s.jobs[&kids[0]].device_job, None);
}

const AUTHS: &[&str] = &["none", "pin", "id-card", "biometric"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn over_random_fleets_no_part_ever_lands_on_a_printer_that_does_not_qualify(
        specs in prop::collection::vec((0usize..4, any::<bool>(), any::<bool>(), 1i32..100, any::<bool>()), 2..7),
        copies in 1i32..60,
        pages in 1u32..300,
        first in 0usize..6,
    ) {
        let names: Vec<String> = (0..specs.len()).map(|i| format!("p{i}")).collect();
        let mut w = World::new();
        for (i, (a, enc, er, ppm, stopped)) in specs.iter().enumerate() {
            add_secured(&mut w, (&names[i], AUTHS[*a], *enc, *er, *ppm));
            if *stopped && i > 0 {
                w.printer_op(Operation::PausePrinter, &names[i], &admin());
            }
        }
        let queue = &names[first % names.len()];
        let out = submit(&mut w, queue, pages, &[int("copies", copies), kw(v::SPLIT, "auto")]);
        let id = job_id_of(&out.response);
        let origin = w.printer(queue).security;
        let kids = children(&w, id);
        for k in &kids {
            let p = w.printer(&w.job(*k).printer);
            prop_assert!(qualifies(&p.security, &origin, Rule::Components).is_ok(), "{} got a part of a job for {}", p.name, queue);
            prop_assert!(p.state != quire_core::PrinterState::Stopped || p.name == *queue);
        }
        if !kids.is_empty() {
            if copies > 1 {
                prop_assert_eq!(kids.iter().map(|k| copies_of(&w, *k)).sum::<i32>(), copies);
            } else {
                let mut all: Vec<i32> = kids.iter().flat_map(|k| ranges_of(&w, *k)).flat_map(|(a, b)| a..=b).collect();
                all.sort_unstable();
                prop_assert_eq!(all, (1..=pages as i32).collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn reprocessing_a_finished_split_job_makes_a_job_that_prints() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(&mut w, "secure", 4, &[int("copies", 10), kw(v::SPLIT, "auto")]).response,
    );
    for k in children(&w, id) {
        w.finish(k);
    }
    assert_eq!(w.job(id).state, JobState::Completed);
    let out = w.send_ok(Req::new(Operation::ReprocessJob).job(id).user("alice"), &anon("alice"));
    let again = job_id_of(&out.response);
    assert_ne!(again, id);
    // The copy is split afresh, not left waiting on the old job's parts.
    let kids = children(&w, again);
    assert_eq!(kids.len(), 2);
    assert!(kids.iter().all(|k| w.job(*k).parent_job_id == Some(again)));
}

#[test]
fn a_printer_named_twice_gets_one_part() {
    let mut w = fleet(FLEET);
    let id = job_id_of(
        &submit(
            &mut w,
            "office",
            4,
            &[int("copies", 9), nm(v::SPLIT_PRINTERS, "secure,secure"), nm(v::SPLIT, "manual")],
        )
        .response,
    );
    let mut printers: Vec<String> =
        children(&w, id).iter().map(|k| w.job(*k).printer.to_string()).collect();
    printers.sort();
    assert_eq!(printers, ["office", "secure"]);
}
