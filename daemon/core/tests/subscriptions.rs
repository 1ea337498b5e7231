//! Subscriptions (RFC 3995) with ippget pull delivery (RFC 3996).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use quire_core::{Effect, Requester, Settings};
use quire_ipp::{Attribute, DelimiterTag, Message, Operation, StatusCode, Value};

fn ippget(events: &[&str]) -> Vec<Attribute> {
    let mut t = vec![kw("notify-pull-method", "ippget")];
    if !events.is_empty() {
        t.push(kws("notify-events", events));
    }
    t
}

fn subscribe(
    w: &mut World,
    queue: &str,
    who: &Requester,
    template: Vec<Attribute>,
) -> quire_core::Outcome {
    let req = Req::new(Operation::CreatePrinterSubscriptions)
        .printer(queue)
        .user(&who.user)
        .group(DelimiterTag::Subscription, template);
    w.send(req, who)
}

fn sub_id(msg: &Message) -> i32 {
    msg.attr(DelimiterTag::Subscription, "notify-subscription-id")
        .and_then(|a| a.first_i32())
        .expect("notify-subscription-id")
}

fn notifications(w: &mut World, who: &Requester, ids: &[i32], seqs: &[i32]) -> quire_core::Outcome {
    let mut req = Req::new(Operation::GetNotifications)
        .user(&who.user)
        .op(ints("notify-subscription-ids", ids));
    if !seqs.is_empty() {
        req = req.op(ints("notify-sequence-numbers", seqs));
    }
    w.send(req, who)
}

fn events(msg: &Message) -> Vec<(i32, String)> {
    groups(msg, DelimiterTag::EventNotification)
        .iter()
        .map(|g| {
            let seq = g.get("notify-sequence-number").and_then(|a| a.first_i32()).unwrap();
            (seq, g.get("notify-subscribed-event").and_then(|a| a.first_str()).unwrap().to_string())
        })
        .collect()
}

#[test]
fn create_printer_subscription_with_ippget() {
    let mut w = World::with_printers(&["Q"]);
    let out = subscribe(&mut w, "Q", &user("alice"), ippget(&["job-completed"]));
    assert_status(&out, StatusCode::SuccessfulOk);
    let id = sub_id(&out.response);
    assert_eq!(id, 1);
    assert!(out.effects.contains(&Effect::PersistSubscription(id)));
    assert!(
        out.effects.contains(&Effect::ArmTimer { at: NOW + 86400 }),
        "lease timer: {:?}",
        out.effects
    );
    let sub = &w.s.subscriptions[&id];
    assert_eq!(sub.owner, "alice");
    assert_eq!(sub.printer.as_deref(), Some("Q"));
    assert_eq!(sub.expires_at, Some(NOW + 86400));
    let second = sub_id(&subscribe(&mut w, "Q", &user("alice"), ippget(&[])).response);
    assert_eq!(second, 2);
    assert_eq!(w.s.subscriptions[&second].events, ["job-completed"], "default notify-events");
}

#[test]
fn mailto_only_subscription_is_ignored() {
    let mut w = World::with_printers(&["Q"]);
    let out = subscribe(
        &mut w,
        "Q",
        &user("alice"),
        vec![uri("notify-recipient-uri", "mailto:alice@example.com")],
    );
    assert_status(&out, StatusCode::ClientErrorIgnoredAllSubscriptions);
    assert!(status_message(&out.response).is_some());
    let g = out.response.group(DelimiterTag::Subscription).expect("subscription group");
    assert!(g.get("notify-subscription-id").is_none());
    let code = g.get("notify-status-code").and_then(|a| a.first_i32()).expect("notify-status-code");
    assert!(!StatusCode::from_u16(code as u16).unwrap().is_success());
    assert!(out
        .response
        .group(DelimiterTag::Unsupported)
        .is_some_and(|u| u.get("notify-recipient-uri").is_some()));
    assert!(w.s.subscriptions.is_empty());
}

#[test]
fn mixed_subscriptions_report_the_ignored_one() {
    let mut w = World::with_printers(&["Q"]);
    let req = Req::new(Operation::CreatePrinterSubscriptions)
        .printer("Q")
        .user("alice")
        .group(DelimiterTag::Subscription, ippget(&["all"]))
        .group(DelimiterTag::Subscription, vec![uri("notify-recipient-uri", "mailto:a@b")]);
    let out = w.send(req, &user("alice"));
    assert_status(&out, StatusCode::SuccessfulOkIgnoredSubscriptions);
    let subs = groups(&out.response, DelimiterTag::Subscription);
    assert_eq!(subs.len(), 2);
    assert!(subs[0].get("notify-subscription-id").is_some());
    assert!(subs[1].get("notify-status-code").is_some());
    assert_eq!(w.s.subscriptions.len(), 1);
}

#[test]
fn bad_subscription_templates() {
    let mut w = World::with_printers(&["Q"]);
    // No subscription group at all.
    let out = w.send(Req::new(Operation::CreatePrinterSubscriptions).printer("Q"), &user("a"));
    assert_status(&out, StatusCode::ClientErrorBadRequest);
    // Unknown pull method, unknown event, both recipient and pull method.
    for t in [
        vec![kw("notify-pull-method", "smoke-signals")],
        vec![kw("notify-pull-method", "ippget"), kws("notify-events", &["coffee-ready"])],
        vec![kw("notify-pull-method", "ippget"), uri("notify-recipient-uri", "mailto:a@b")],
    ] {
        let out = subscribe(&mut w, "Q", &user("a"), t);
        assert_status(&out, StatusCode::ClientErrorIgnoredAllSubscriptions);
    }
    assert!(w.s.subscriptions.is_empty());
}

#[test]
fn too_many_subscriptions() {
    let mut w = World::with(Settings { max_subscriptions: 1, ..Settings::default() });
    w.add_printer("Q");
    assert_status(&subscribe(&mut w, "Q", &user("a"), ippget(&[])), StatusCode::SuccessfulOk);
    let out = subscribe(&mut w, "Q", &user("a"), ippget(&[]));
    assert_status(&out, StatusCode::ClientErrorIgnoredAllSubscriptions);
    let code = out
        .response
        .attr(DelimiterTag::Subscription, "notify-status-code")
        .and_then(|a| a.first_i32());
    assert_eq!(code, Some(i32::from(StatusCode::ClientErrorTooManySubscriptions.code())));
}

#[test]
fn events_are_queued_and_pulled_with_sequence_numbers() {
    let mut w = World::with_printers(&["Q", "R"]);
    let alice = user("alice");
    let sid =
        sub_id(&subscribe(&mut w, "Q", &alice, ippget(&["job-created", "job-completed"])).response);
    let job = w.print("Q", &alice);
    w.print("R", &alice); // other printer: no event
    w.finish(job);

    let out = notifications(&mut w, &alice, &[sid], &[]);
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(
        events(&out.response),
        [(1, "job-created".to_string()), (2, "job-completed".to_string())]
    );
    let g = groups(&out.response, DelimiterTag::EventNotification)[1].clone();
    assert_eq!(g.get("notify-subscription-id").unwrap().values, [Value::Integer(sid)]);
    assert_eq!(g.get("notify-job-id").unwrap().values, [Value::Integer(job)]);
    assert_eq!(g.get("job-state").unwrap().values, [Value::Enum(9)]);
    assert_eq!(g.get("notify-printer-uri").unwrap().values, [Value::Uri(printer_uri("Q"))]);
    for name in ["notify-text", "notify-charset", "notify-natural-language", "printer-up-time"] {
        assert!(g.get(name).is_some(), "event has {name}");
    }
    assert!(out.response.operation_attr("notify-get-interval").is_some());

    let out = notifications(&mut w, &alice, &[sid], &[2]);
    assert_eq!(events(&out.response), [(2, "job-completed".to_string())]);
    let out = notifications(&mut w, &alice, &[sid], &[3]);
    assert!(events(&out.response).is_empty());
}

#[test]
fn parent_events_include_children_and_printer_events() {
    let mut w = World::with_printers(&["Q"]);
    let a = user("alice");
    let jobs = sub_id(&subscribe(&mut w, "Q", &a, ippget(&["job-state-changed"])).response);
    let printers = sub_id(&subscribe(&mut w, "Q", &a, ippget(&["printer-state-changed"])).response);
    let id = w.print("Q", &a);
    w.finish(id);
    let got: Vec<String> = events(&notifications(&mut w, &a, &[jobs], &[]).response)
        .into_iter()
        .map(|e| e.1)
        .collect();
    assert!(got.contains(&"job-created".to_string()), "{got:?}");
    assert!(got.contains(&"job-completed".to_string()), "{got:?}");
    w.printer_op(Operation::PausePrinter, "Q", &admin());
    let out = notifications(&mut w, &a, &[printers], &[]);
    let evs = groups(&out.response, DelimiterTag::EventNotification);
    let last = evs.last().expect("printer events");
    assert_eq!(
        last.get("notify-subscribed-event").and_then(|x| x.first_str()),
        Some("printer-state-changed")
    );
    assert_eq!(last.get("printer-state").unwrap().values, [Value::Enum(5)]);
    // Sequence numbers are increasing without gaps.
    let seqs: Vec<i32> = events(&out.response).into_iter().map(|e| e.0).collect();
    assert_eq!(seqs, (1..=seqs.len() as i32).collect::<Vec<_>>());
}

#[test]
fn get_notifications_errors() {
    let mut w = World::with_printers(&["Q"]);
    let sid = sub_id(&subscribe(&mut w, "Q", &user("alice"), ippget(&[])).response);
    assert_status(
        &w.send(Req::new(Operation::GetNotifications).user("alice"), &user("alice")),
        StatusCode::ClientErrorBadRequest,
    );
    assert_status(
        &notifications(&mut w, &user("bob"), &[sid], &[]),
        StatusCode::ClientErrorNotAuthorized,
    );
    assert_status(
        &notifications(&mut w, &user("alice"), &[sid + 9], &[]),
        StatusCode::ClientErrorNotFound,
    );
    assert_status(&notifications(&mut w, &admin(), &[sid], &[]), StatusCode::SuccessfulOk);
}

#[test]
fn renew_and_cancel_subscription() {
    let mut w = World::with_printers(&["Q"]);
    let a = user("alice");
    let sid = sub_id(&subscribe(&mut w, "Q", &a, ippget(&[])).response);
    w.now += 100;
    let req = Req::new(Operation::RenewSubscription)
        .printer("Q")
        .user("alice")
        .op(int("notify-subscription-id", sid))
        .op(int("notify-lease-duration", 600));
    let out = w.send(req, &a);
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(
        out.response.operation_attr("notify-lease-duration").and_then(|x| x.first_i32()),
        Some(600)
    );
    assert!(out.effects.contains(&Effect::PersistSubscription(sid)));
    assert!(out.effects.contains(&Effect::ArmTimer { at: NOW + 700 }));
    assert_eq!(w.s.subscriptions[&sid].expires_at, Some(NOW + 700));

    let cancel = || {
        Req::new(Operation::CancelSubscription).printer("Q").op(int("notify-subscription-id", sid))
    };
    assert_status(
        &w.send(cancel().user("bob"), &user("bob")),
        StatusCode::ClientErrorNotAuthorized,
    );
    let out = w.send(cancel().user("alice"), &a);
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(out.effects, [Effect::DeleteSubscription(sid)]);
    assert!(w.s.subscriptions.is_empty());
    assert_status(&w.send(cancel().user("alice"), &a), StatusCode::ClientErrorNotFound);
    assert_status(&notifications(&mut w, &a, &[sid], &[]), StatusCode::ClientErrorNotFound);
}

#[test]
fn lease_expiry_deletes_the_subscription() {
    let mut w = World::with_printers(&["Q"]);
    let t = vec![kw("notify-pull-method", "ippget"), int("notify-lease-duration", 60)];
    let sid = sub_id(&subscribe(&mut w, "Q", &user("a"), t).response);
    assert!(w.fire(NOW + 59).iter().all(|e| *e != Effect::DeleteSubscription(sid)));
    let effects = w.fire(NOW + 60);
    assert!(effects.contains(&Effect::DeleteSubscription(sid)));
    assert!(w.s.subscriptions.is_empty());
}

#[test]
fn max_lease_duration_caps_leases() {
    let mut w = World::with(Settings { max_lease_duration: 3600, ..Settings::default() });
    w.add_printer("Q");
    for lease in [None, Some(0), Some(86400)] {
        let mut t = ippget(&[]);
        if let Some(l) = lease {
            t.push(int("notify-lease-duration", l));
        }
        let sid = sub_id(&subscribe(&mut w, "Q", &user("a"), t).response);
        let sub = &w.s.subscriptions[&sid];
        assert!(
            (1..=3600).contains(&sub.lease_duration),
            "lease {lease:?} granted as {}",
            sub.lease_duration
        );
    }
}

#[test]
fn get_subscriptions_filters() {
    let mut w = World::with_printers(&["Q", "R"]);
    let a = sub_id(&subscribe(&mut w, "Q", &user("alice"), ippget(&[])).response);
    let b = sub_id(&subscribe(&mut w, "Q", &user("bob"), ippget(&[])).response);
    let c = sub_id(&subscribe(&mut w, "R", &user("alice"), ippget(&[])).response);
    let ids = |out: &quire_core::Outcome| -> Vec<i32> {
        groups(&out.response, DelimiterTag::Subscription)
            .iter()
            .filter_map(|g| g.get("notify-subscription-id").and_then(|x| x.first_i32()))
            .collect()
    };
    let out =
        w.send_ok(Req::new(Operation::GetSubscriptions).printer("Q").user("alice"), &user("alice"));
    assert_eq!(ids(&out), [a, b]);
    let g = groups(&out.response, DelimiterTag::Subscription)[0].clone();
    assert_eq!(strs(g.get("notify-subscriber-user-name")), ["alice"]);
    assert_eq!(g.get("notify-printer-uri").unwrap().values, [Value::Uri(printer_uri("Q"))]);
    let mine =
        Req::new(Operation::GetSubscriptions).user("alice").op(boolean("my-subscriptions", true));
    assert_eq!(ids(&w.send_ok(mine, &user("alice"))), [a, c]);
    let limited = Req::new(Operation::GetSubscriptions).op(int("limit", 1));
    assert_eq!(ids(&w.send_ok(limited, &user("alice"))), [a]);
    let one = Req::new(Operation::GetSubscriptionAttributes)
        .printer("R")
        .user("alice")
        .op(int("notify-subscription-id", c));
    let out = w.send_ok(one, &user("alice"));
    assert_eq!(ids(&out), [c]);
}

#[test]
fn job_subscriptions() {
    let mut w = World::with_printers(&["Q"]);
    let a = user("alice");
    let first = w.print("Q", &a);
    let id = w.print("Q", &a);
    let req = |job: i32| {
        Req::new(Operation::CreateJobSubscriptions)
            .printer("Q")
            .user("alice")
            .op(int("notify-job-id", job))
            .group(DelimiterTag::Subscription, ippget(&["job-state-changed"]))
    };
    let out = w.send(req(id), &a);
    assert_status(&out, StatusCode::SuccessfulOk);
    let sid = sub_id(&out.response);
    let sub = &w.s.subscriptions[&sid];
    assert_eq!((sub.job_id, sub.lease_duration, sub.expires_at), (Some(id), 0, None));

    w.finish(first); // starts job `id`
    w.finish(id);
    let evs = events(&notifications(&mut w, &a, &[sid], &[]).response);
    assert!(!evs.is_empty());
    let out = notifications(&mut w, &a, &[sid], &[]);
    for g in groups(&out.response, DelimiterTag::EventNotification) {
        assert_eq!(
            g.get("notify-job-id").unwrap().values,
            [Value::Integer(id)],
            "only events of job {id}"
        );
    }
    assert_eq!(evs.last().unwrap().1, "job-completed");

    // Job subscriptions are not renewed; finished jobs and missing job ids are refused.
    let renew =
        Req::new(Operation::RenewSubscription).user("alice").op(int("notify-subscription-id", sid));
    assert_status(&w.send(renew, &a), StatusCode::ClientErrorNotPossible);
    assert_status(&w.send(req(id), &a), StatusCode::ClientErrorNotPossible);
    assert_status(&w.send(req(999), &a), StatusCode::ClientErrorNotFound);
    let no_job = Req::new(Operation::CreateJobSubscriptions)
        .printer("Q")
        .group(DelimiterTag::Subscription, ippget(&[]));
    assert_status(&w.send(no_job, &a), StatusCode::ClientErrorBadRequest);
    // Get-Subscriptions with notify-job-id lists job subscriptions only.
    let list = Req::new(Operation::GetSubscriptions).printer("Q").op(int("notify-job-id", id));
    let out = w.send_ok(list, &a);
    assert_eq!(groups(&out.response, DelimiterTag::Subscription).len(), 1);
    let out = w.send_ok(Req::new(Operation::GetSubscriptions).printer("Q"), &a);
    assert!(groups(&out.response, DelimiterTag::Subscription).is_empty());
}

#[test]
fn max_events_keeps_the_newest() {
    let mut w = World::with(Settings { max_events: 3, ..Settings::default() });
    w.add_printer("Q");
    let a = user("a");
    let sid = sub_id(&subscribe(&mut w, "Q", &a, ippget(&["job-created"])).response);
    for _ in 0..5 {
        w.print("Q", &a);
    }
    let seqs: Vec<i32> =
        events(&notifications(&mut w, &a, &[sid], &[]).response).into_iter().map(|e| e.0).collect();
    assert_eq!(seqs, [3, 4, 5]);
}

#[test]
fn deleting_a_printer_removes_its_subscriptions() {
    let mut w = World::with_printers(&["Q"]);
    let sid = sub_id(&subscribe(&mut w, "Q", &user("a"), ippget(&[])).response);
    let out = w.send_ok(Req::new(Operation::CupsDeletePrinter).printer("Q"), &admin());
    assert!(out.effects.contains(&Effect::DeleteSubscription(sid)), "{:?}", out.effects);
    assert!(w.s.subscriptions.is_empty());
}
