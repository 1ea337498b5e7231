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

/// A world whose daemon delivers the push schemes quired delivers.
fn push_world(settings: Settings) -> World {
    let mut w = World::with(Settings {
        notify_schemes: vec!["dbus".into(), "mailto".into(), "rss".into()],
        ..settings
    });
    w.add_printer("Q");
    w
}

fn notify_status(out: &quire_core::Outcome) -> Option<StatusCode> {
    out.response
        .attr(DelimiterTag::Subscription, "notify-status-code")
        .and_then(|a| a.first_i32())
        .and_then(|c| StatusCode::from_u16(c as u16))
}

#[test]
fn a_scheme_not_delivered_is_refused_as_cupsd_refuses_it() {
    let mut w = World::with_printers(&["Q"]);
    let out = subscribe(
        &mut w,
        "Q",
        &user("alice"),
        vec![uri("notify-recipient-uri", "mailto:alice@example.com")],
    );
    // cupsd 2.4: client-error-not-possible, notify-status-code uri-scheme-not-supported.
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert!(status_message(&out.response).is_some_and(|m| m.contains("unknown scheme")));
    assert_eq!(notify_status(&out), Some(StatusCode::ClientErrorUriSchemeNotSupported));
    assert!(w.s.subscriptions.is_empty());
}

#[test]
fn push_recipients_are_checked_then_kept() {
    let mut w = push_world(Settings::default());
    let a = user("alice");
    for (recipient, status) in [
        ("dbus://", StatusCode::SuccessfulOk),
        ("mailto:alice@example.com", StatusCode::SuccessfulOk),
        ("rss:/jobs.rss?max_events=5", StatusCode::SuccessfulOk),
        // One feed, one subscription (cupsd's check_rss_recipient).
        ("rss:/jobs.rss", StatusCode::ClientErrorNotPossible),
        ("rss:/../../etc/passwd", StatusCode::ClientErrorNotPossible),
        ("mailto:a@b,c@d", StatusCode::ClientErrorNotPossible),
        ("mailto:a@b\r\nBcc:c@d", StatusCode::ClientErrorNotPossible),
        ("smoke:signals", StatusCode::ClientErrorNotPossible),
        ("no scheme", StatusCode::ClientErrorNotPossible),
    ] {
        let t = vec![uri("notify-recipient-uri", recipient), kws("notify-events", &["all"])];
        let out = subscribe(&mut w, "Q", &a, t);
        assert_status(&out, status);
    }
    assert_eq!(w.s.subscriptions.len(), 3);
    let mail =
        w.s.subscriptions
            .values()
            .find(|x| x.recipient_uri.as_deref() == Some("mailto:alice@example.com"));
    assert!(mail.is_some_and(|m| m.pull_method.is_none()));
    // A mailto: subscription's user data is its Reply-To: one plain address or nothing.
    let mut t = vec![uri("notify-recipient-uri", "mailto:alice@example.com")];
    t.push(Attribute::new(
        "notify-user-data",
        Value::OctetString(b"mailto:x@y\r\nBcc: z@w".to_vec()),
    ));
    let out = subscribe(&mut w, "Q", &a, t);
    assert_status(&out, StatusCode::ClientErrorNotPossible);
    assert_eq!(notify_status(&out), Some(StatusCode::ClientErrorAttributesOrValuesNotSupported));
}

#[test]
fn bad_subscription_templates() {
    let mut w = World::with_printers(&["Q"]);
    // No subscription group at all.
    let out = w.send(Req::new(Operation::CreatePrinterSubscriptions).printer("Q"), &user("a"));
    assert_status(&out, StatusCode::ClientErrorBadRequest);
    // cupsd's answers: an unknown pull method, a charset, a language, user data too long,
    // a template with neither recipient nor pull method.
    let long = Attribute::new("notify-user-data", Value::OctetString(vec![b'x'; 64]));
    for (t, status) in [
        (vec![kw("notify-pull-method", "smoke-signals")], StatusCode::ClientErrorNotPossible),
        (
            vec![
                kw("notify-pull-method", "ippget"),
                Attribute::new("notify-charset", Value::Charset("koi8-r".into())),
            ],
            StatusCode::ClientErrorCharsetNotSupported,
        ),
        (
            vec![
                kw("notify-pull-method", "ippget"),
                Attribute::new("notify-natural-language", Value::NaturalLanguage("fr".into())),
            ],
            StatusCode::ClientErrorCharsetNotSupported,
        ),
        (
            vec![kw("notify-pull-method", "ippget"), long],
            StatusCode::ClientErrorRequestValueTooLong,
        ),
        (vec![kws("notify-events", &["all"])], StatusCode::ClientErrorBadRequest),
    ] {
        let out = subscribe(&mut w, "Q", &user("a"), t);
        assert_status(&out, status);
    }
    assert!(w.s.subscriptions.is_empty());
    // Event names cupsd does not know are left out, as it leaves them out.
    let out = subscribe(&mut w, "Q", &user("a"), ippget(&["coffee-ready", "job-created"]));
    assert_status(&out, StatusCode::SuccessfulOk);
    assert_eq!(w.s.subscriptions[&sub_id(&out.response)].events, ["job-created"]);
}

fn server_subscribe(
    w: &mut World,
    who: &Requester,
    path: &str,
    t: Vec<Attribute>,
) -> quire_core::Outcome {
    let req = Req::new(Operation::CreatePrinterSubscriptions)
        .op(uri("printer-uri", path))
        .user(&who.user)
        .group(DelimiterTag::Subscription, t);
    w.send(req, who)
}

#[test]
fn subscriptions_on_the_server_object_see_every_queue() {
    let mut w = push_world(Settings::default());
    w.add_printer("R");
    let a = user("alice");
    // What gnome-settings-daemon sends: printer-uri "/", dbus://, events, a lease.
    let gsd = vec![
        uri("notify-recipient-uri", "dbus://"),
        kws(
            "notify-events",
            &["printer-state-changed", "job-created", "job-completed", "job-state-changed"],
        ),
        int("notify-lease-duration", 3600),
    ];
    for path in ["/", "ipp://localhost/", "ipp://localhost/printers/", "ipp://localhost/classes"] {
        let out = server_subscribe(&mut w, &a, path, gsd.clone());
        assert_status(&out, StatusCode::SuccessfulOk);
        let sub = &w.s.subscriptions[&sub_id(&out.response)];
        assert_eq!((sub.printer.as_deref(), sub.lease_duration), (None, 3600));
        assert_eq!(sub.expires_at, Some(NOW + 3600));
    }
    assert_status(
        &server_subscribe(&mut w, &a, "ipp://localhost/printers/nope", gsd),
        StatusCode::ClientErrorNotFound,
    );
    // No events on the server object: cupsd refuses it.
    let out = server_subscribe(&mut w, &a, "/", vec![kw("notify-pull-method", "ippget")]);
    assert_status(&out, StatusCode::ClientErrorBadRequest);
    // Jobs on either queue reach the server subscriptions; one D-Bus signal per event.
    w.s.outbox.take();
    let j1 = w.print("Q", &a);
    let j2 = w.print("R", &a);
    let (pushes, dropped) = w.s.outbox.take();
    assert_eq!(dropped, 0);
    let created: Vec<(i32, Option<i32>)> = pushes
        .iter()
        .filter(|p| p.event.subscribed_event == "job-created")
        .map(|p| (p.subscription_id, p.event.job_id))
        .collect();
    assert_eq!(created.len(), 2, "one signal each, not one per subscription: {created:?}");
    assert_eq!(created.iter().map(|c| c.1).collect::<Vec<_>>(), [Some(j1), Some(j2)]);
    let ev = &pushes[0].event;
    assert_eq!(ev.text, "Job created.");
    assert_eq!(ev.printer_uri.as_deref(), Some("ipp://localhost/printers/Q"));
    assert_eq!(ev.job_name.as_deref(), Some("test"));
}

#[test]
fn too_many_subscriptions() {
    let limits = [
        Settings { max_subscriptions: 1, ..Settings::default() },
        Settings { max_subscriptions_per_printer: 1, ..Settings::default() },
        Settings { max_subscriptions_per_user: 1, ..Settings::default() },
    ];
    for settings in limits {
        let mut w = push_world(settings);
        assert_status(&subscribe(&mut w, "Q", &user("a"), ippget(&[])), StatusCode::SuccessfulOk);
        let out = subscribe(&mut w, "Q", &user("a"), ippget(&[]));
        assert_status(&out, StatusCode::ClientErrorTooManySubscriptions);
        assert_eq!(w.s.subscriptions.len(), 1);
    }
    // Per printer counts that printer's; per user that user's.
    let mut w = push_world(Settings { max_subscriptions_per_printer: 1, ..Settings::default() });
    w.add_printer("R");
    assert_status(&subscribe(&mut w, "Q", &user("a"), ippget(&[])), StatusCode::SuccessfulOk);
    assert_status(&subscribe(&mut w, "R", &user("a"), ippget(&[])), StatusCode::SuccessfulOk);
    let mut w = push_world(Settings { max_subscriptions_per_user: 1, ..Settings::default() });
    assert_status(&subscribe(&mut w, "Q", &user("a"), ippget(&[])), StatusCode::SuccessfulOk);
    assert_status(&subscribe(&mut w, "Q", &user("b"), ippget(&[])), StatusCode::SuccessfulOk);
    // Per job.
    let mut w = push_world(Settings { max_subscriptions_per_job: 1, ..Settings::default() });
    let id = w.print("Q", &user("a"));
    let req = || {
        Req::new(Operation::CreateJobSubscriptions)
            .printer("Q")
            .user("a")
            .op(int("notify-job-id", id))
            .group(DelimiterTag::Subscription, ippget(&[]))
    };
    assert_status(&w.send(req(), &user("a")), StatusCode::SuccessfulOk);
    assert_status(&w.send(req(), &user("a")), StatusCode::ClientErrorTooManySubscriptions);
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
    // A queue that stops says printer-stopped, a child of printer-state-changed.
    assert_eq!(
        last.get("notify-subscribed-event").and_then(|x| x.first_str()),
        Some("printer-stopped")
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
