//! persist.rs: jobs, printers and subscriptions survive the round trip through their blobs.
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod common;

use common::*;
use proptest::prelude::*;
use quire_core::model::{
    Failover, FailoverMode, FailoverPolicy, Phase, ReleaseAuth, Security, Trust,
};
use quire_core::model::{Fallback, SplitMode, SplitPolicy};
use quire_core::persist::{
    job_from_blob, job_to_blob, printer_from_blob, printer_to_blob, subscription_from_blob,
    subscription_to_blob,
};
use quire_core::{
    capabilities, Document, Job, JobAttrs, JobState, Printer, PrinterState, Str, Subscription,
};
use quire_ipp::vendor as v;
use quire_ipp::{Attribute, Operation, Value};
use std::collections::VecDeque;

/// The store keeps documents as rows without names; the names come back from the blob.
fn store_rows(docs: &[Document]) -> Vec<Document> {
    docs.iter()
        .filter(|d| d.uri.is_none())
        .cloned()
        .map(|mut d| {
            d.name.clear();
            d
        })
        .collect()
}

fn roundtrip_job(j: &Job) -> Job {
    job_from_blob(&job_to_blob(j), store_rows(&j.documents)).expect("job blob decodes")
}

// ---- strategies ---------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,24}"
}
fn ident() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,15}"
}
fn keyword() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,20}"
}
/// Unix times a job can carry (before 2038: see the ignored Y2038 test).
fn time() -> impl Strategy<Value = i64> {
    0i64..=253_402_300_799 // to 9999-12-31: past 2038 too
}
fn job_state() -> impl Strategy<Value = JobState> {
    (3i32..=9).prop_map(|v| JobState::from_i32(v).unwrap())
}
fn job_attribute() -> impl Strategy<Value = Attribute> {
    prop_oneof![
        (1i32..1000).prop_map(|n| int("copies", n)),
        keyword().prop_map(|k| kw("sides", &k)),
        (keyword(), keyword()).prop_map(|(a, b)| kws("media", &[&a, &b])),
        text().prop_map(|t| nm("job-account-id", &t)),
        (1i32..100, 0i32..100).prop_map(|(a, n)| Attribute::new(
            "page-ranges",
            Value::RangeOfInteger { lower: a, upper: a + n }
        )),
        (1i32..30000, 1i32..30000).prop_map(|(x, y)| Attribute::new(
            "media-col",
            capabilities::media_col(x, y, 423, Some("main"), None)
        )),
        Just(Attribute::new("job-password", Value::OctetString(vec![0, 1, 2, 255]))),
    ]
}
fn documents() -> impl Strategy<Value = Vec<Document>> {
    prop::collection::vec((keyword(), text(), 1u64..1 << 40, prop::option::of(keyword())), 0..4)
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (fmt, name, size, compression))| Document {
                    size: if i % 3 == 2 { 0 } else { size },
                    number: i as i32 + 1,
                    format: format!("application/{fmt}"),
                    name,
                    // Every third one a Print-URI document: no bytes, no store row.
                    file: if i % 3 == 2 {
                        String::new()
                    } else {
                        format!("d{:05}-{:03}", 1, i + 1)
                    },
                    compression: compression.filter(|_| i % 3 != 2),
                    pages: None,
                    uri: (i % 3 == 2).then(|| format!("https://docs.example/{i}.pdf")),
                })
                .collect()
        })
}

prop_compose! {
    fn job()(
        (id, uuid, printer, output_device, parent_job_id, owner, originating_host, name) in
            (1i32..=i32::MAX, prop::option::of(text()), ident(), prop::option::of(ident()), prop::option::of(1i32..=i32::MAX), ident(), text(), text()),
        (state, state_reasons, state_message, printer_state_reasons, printer_state_message, priority, hold_until, hold_until_time) in
            (job_state(), prop::collection::vec(keyword(), 0..4), text(), prop::collection::vec(keyword(), 0..3), text(), 1i32..=100, keyword(), prop::option::of(time())),
        (created, processing_at, completed_at, attributes, documents, open, k_octets, impressions) in
            (time(), prop::option::of(time()), prop::option::of(time()), prop::collection::vec(job_attribute(), 0..5), documents(), any::<bool>(), 0i64..=i64::from(i32::MAX), prop::option::of(any::<i32>())),
        (impressions_completed, pages_completed, files_purged, run, tries) in (any::<i32>(), any::<i32>(), any::<bool>(), any::<u32>(), any::<u16>()),
        (children, device_job, split_decided) in (prop::collection::vec(1i32..=i32::MAX, 0..4), prop::option::of(any::<i32>()), any::<bool>()),
        failover in prop::option::of(failover()),
    ) -> Job {
        Job {
            id, uuid: uuid.map(String::into_boxed_str), printer: printer.into(), output_device: output_device.map(Str::from),
            parent_job_id, owner: owner.into(), originating_host: originating_host.into(), name: name.into(), state,
            state_reasons: state_reasons.into_iter().map(Str::from).collect(), state_message: state_message.into(),
            printer_state_reasons: printer_state_reasons.into_iter().map(Str::from).collect(),
            printer_state_message: printer_state_message.into(), priority, hold_until: hold_until.into(), hold_until_time,
            created, processing_at, completed_at, attributes: attributes.into(), documents, open, k_octets, impressions,
            impressions_completed, pages_completed, files_purged, run, tries, children, device_job, split_decided,
            failover: failover.map(Box::new),
            confidential: (id % 3 == 0).then(|| Box::new(quire_core::model::Confidential { release: if id % 2 == 0 { quire_core::model::Release::Pin } else { quire_core::model::Release::Owner }, expires: created + 14400, keys: vec![format!("v1.key{id}"), "v1.other".into()], released: id % 5 == 0, pin_check: (id % 2 == 0).then(|| "v1.pin".to_string()), pin_failures: (id % 4) as u32 })),
        }
    }
}

prop_compose! {
    fn failover()(
        (phase, from, since, target, fault, log) in
            (0usize..6, ident(), time(), prop::option::of(ident()), text(), prop::collection::vec(text(), 0..4)),
    ) -> Failover {
        let phases = [Phase::Watching, Phase::AwaitingChoice, Phase::NoQualified, Phase::HandingOff, Phase::FailedOver, Phase::Resumed];
        Failover { phase: phases[phase], from, since, target, fault, log }
    }
}

prop_compose! {
    fn security()((auth, encrypts, erases, configured_level) in (0usize..4, any::<bool>(), any::<bool>(), prop::option::of(0u8..=5))) -> Security {
        Security { auth: ReleaseAuth::ALL[auth], encrypts, erases, configured_level }
    }
}

prop_compose! {
    fn printer()(
        (name, id, uuid, is_class, members, device_uri, ppd_name, info) in
            (ident(), 1i32..=i32::MAX, text(), any::<bool>(), prop::collection::vec(ident(), 0..4), text(), text(), text()),
        (location, make_and_model, stopped, state_reasons, state_message, accepting, shared, hold_new_jobs) in
            (text(), text(), any::<bool>(), prop::collection::vec(keyword(), 0..3), text(), any::<bool>(), any::<bool>(), any::<bool>()),
        (state_change_time, config_change_time, generic, users_allowed, users_denied, error_policy, op_policy, sheets) in
            (time(), time(), any::<bool>(), prop::collection::vec(ident(), 0..3), prop::collection::vec(ident(), 0..3), keyword(), keyword(), (keyword(), keyword())),
        (auth, encrypts, erases, configured_level, mode, split_printers, hold, min_copies, min_pages) in
            (0usize..4, any::<bool>(), any::<bool>(), prop::option::of(0u8..=5), 0usize..3, prop::collection::vec(ident(), 0..3), any::<bool>(), 0u32..1000, 0u32..1000),
        (failover_mode, grace, trust, claim) in (0usize..3, 0i64..=86400, 0usize..3, prop::option::of(security())),
    ) -> Printer {
        let trust = Trust::ALL[trust];
        // Facts nobody vouches for are the defaults (`security::admin_set`, `take_claim`).
        let security = if trust.vouched() { Security { auth: ReleaseAuth::ALL[auth], encrypts, erases, configured_level } } else { Security::default() };
        Printer {
            name, id, uuid, is_class, members, device_uri, ppd_name, info, location, make_and_model,
            state: if stopped { PrinterState::Stopped } else { PrinterState::Idle },
            state_reasons, state_message, accepting, shared, hold_new_jobs, state_change_time, config_change_time,
            capabilities: std::sync::Arc::new(if generic { capabilities::generic("iso_a4_210x297mm") } else { vec![kw("sides-default", "one-sided")] }),
            users_allowed, users_denied, error_policy, op_policy, job_sheets_default: sheets,
            option_defaults: if generic { vec!["media-default".into()] } else { Vec::new() },
            device: Default::default(),
            security, trust, claim,
            temporary: failover_mode == 2,
            split: SplitPolicy {
                mode: [SplitMode::None, SplitMode::Auto, SplitMode::Manual][mode], printers: split_printers,
                fallback: if hold { Fallback::Hold } else { Fallback::PrintAlone }, min_copies, min_pages,
            },
            failover: FailoverPolicy { mode: [FailoverMode::None, FailoverMode::Auto, FailoverMode::Manual][failover_mode], grace },
            confidential_default: failover_mode == 1,
        }
    }
}

prop_compose! {
    fn subscription()(
        (id, uuid, owner, printer, job_id, events, user_data) in
            (1i32..=i32::MAX, text(), ident(), prop::option::of(ident()), prop::option::of(1i32..=i32::MAX), prop::collection::vec(keyword(), 1..4), prop::option::of(prop::collection::vec(any::<u8>(), 0..63))),
        (charset, language, lease_duration, expires_at, time_interval, next_sequence) in
            (keyword(), keyword(), 0i32..=67_108_863, prop::option::of(time()), 0i32..=i32::MAX, 1i32..=i32::MAX),
    ) -> Subscription {
        Subscription {
            id, uuid, owner, printer, job_id, events, recipient_uri: None, pull_method: Some("ippget".into()), user_data,
            charset, language, lease_duration, expires_at, time_interval, next_sequence, pending: VecDeque::new(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn job_roundtrip(j in job()) {
        prop_assert_eq!(roundtrip_job(&j), j);
    }

    #[test]
    fn printer_roundtrip(p in printer()) {
        prop_assert_eq!(printer_from_blob(&printer_to_blob(&p)).expect("printer blob decodes"), p);
    }

    /// A record from before Quire tracked who vouches for the facts cannot tell the
    /// administrator's from the device's: they load as the claim, nobody vouching.
    #[test]
    fn a_record_from_before_trust_loads_its_facts_as_an_unconfirmed_claim(p in printer()) {
        let mut m = quire_ipp::decode(&printer_to_blob(&p)).expect("blob").0;
        let source = [v::SECURITY_SOURCE, v::SECURITY_CLAIM];
        m.groups[2].attributes.retain(|a| !source.contains(&a.name.as_str()));
        let old = printer_from_blob(&m.encode()).expect("old blob decodes");
        prop_assert_eq!(old.trust, Trust::Unconfirmed);
        prop_assert_eq!(old.security, Security::default());
        prop_assert_eq!(old.claim, Some(p.security).filter(|s| *s != Security::default()));
        prop_assert_eq!(old.split, p.split);
    }

    #[test]
    fn subscription_roundtrip(x in subscription()) {
        prop_assert_eq!(subscription_from_blob(&subscription_to_blob(&x)).expect("subscription blob decodes"), x);
    }

    #[test]
    fn garbage_blobs_are_errors_not_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = job_from_blob(&bytes, Vec::new());
        let _ = printer_from_blob(&bytes);
        let _ = subscription_from_blob(&bytes);
    }
}

// ---- examples -----------------------------------------------------------------------------

#[test]
fn jobs_made_by_operations_roundtrip() {
    let mut w = World::with_printers(&["Q"]);
    let a = w.print_with(
        "Q",
        &user("alice"),
        &[int("copies", 2), kw("sides", "two-sided-long-edge"), int("job-priority", 70)],
    );
    let b = w.print_with("Q", &user("bob"), &[nm("job-hold-until", "23:00")]);
    let c = w.create_job("Q", &user("carol"), &[]);
    w.send_document(c, &user("carol"), false, Some(doc()));
    w.finish(a);
    for id in [a, b, c] {
        let j = w.job(id).clone();
        assert_eq!(roundtrip_job(&j), j, "job {id}");
    }
    let p = w.printer("Q").clone();
    let mut back = printer_from_blob(&printer_to_blob(&p)).unwrap();
    // A printer that was printing comes back idle (its job is requeued on start-up).
    assert_eq!(back.state, PrinterState::Idle);
    back.state = p.state;
    assert_eq!(back, p);
}

#[test]
fn subscription_made_by_operation_roundtrips_without_its_event_queue() {
    let mut w = World::with_printers(&["Q"]);
    let req = Req::new(Operation::CreatePrinterSubscriptions).printer("Q").user("a").group(
        quire_ipp::DelimiterTag::Subscription,
        vec![
            kw("notify-pull-method", "ippget"),
            kws("notify-events", &["all"]),
            Attribute::new("notify-user-data", Value::OctetString(b"xyz".to_vec())),
        ],
    );
    w.send_ok(req, &user("a"));
    w.print("Q", &user("a"));
    let x = w.s.subscriptions.values().next().unwrap().clone();
    assert!(!x.pending.is_empty());
    let back = subscription_from_blob(&subscription_to_blob(&x)).unwrap();
    assert_eq!(back.next_sequence, x.next_sequence, "sequence numbers continue after a restart");
    assert_eq!(Subscription { pending: VecDeque::new(), ..x }, back);
}

#[test]
fn empty_job_roundtrips() {
    let j = Job {
        id: 1,
        uuid: None,
        printer: "Q".into(),
        output_device: None,
        parent_job_id: None,
        owner: Str::default(),
        originating_host: Str::default(),
        name: Str::default(),
        state: JobState::Pending,
        state_reasons: Vec::new(),
        state_message: Str::default(),
        printer_state_reasons: Vec::new(),
        printer_state_message: Str::default(),
        priority: 50,
        hold_until: Str::default(),
        hold_until_time: None,
        created: 0,
        processing_at: None,
        completed_at: None,
        attributes: JobAttrs::default(),
        documents: Vec::new(),
        open: false,
        k_octets: 0,
        impressions: None,
        impressions_completed: 0,
        pages_completed: 0,
        files_purged: false,
        run: 0,
        tries: 0,
        children: Vec::new(),
        device_job: None,
        split_decided: false,
        failover: None,
        confidential: None,
    };
    assert_eq!(roundtrip_job(&j), j);
}

#[test]
fn times_after_2038_roundtrip() {
    let mut w = World::with_printers(&["Q"]);
    w.now = 2_208_988_800; // 2040-01-01
    let id = w.print("Q", &user("a"));
    let j = w.job(id).clone();
    let back = roundtrip_job(&j);
    assert_eq!(back.created, j.created);
    assert_eq!(back.processing_at, j.processing_at);
}
