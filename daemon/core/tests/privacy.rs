//! Job and subscription privacy (JobPrivateAccess/JobPrivateValues,
//! SubscriptionPrivateAccess/SubscriptionPrivateValues) as the handlers apply it: who is on
//! the access list (a proven identity only), which values are withheld, what always stays.

mod common;

use common::*;
use quire_core::model::AccessRules;
use quire_core::{Requester, Settings};
use quire_ipp::{DelimiterTag, Message, Operation};
use std::sync::Arc;

/// The shipped cupsd.conf's default policy, its private lists replaced by `policy_extra`
/// (none: the defaults, `@OWNER @SYSTEM` and the job's name, user and host).
fn world(policy_extra: &str) -> World {
    let stock: String = quire_config::DEFAULT_CUPSD_CONF
        .lines()
        .filter(|l| !l.contains("Private"))
        .map(|l| format!("{l}\n"))
        .collect();
    let conf = stock.replacen("<Policy default>", &format!("<Policy default>\n{policy_extra}"), 1);
    let (nodes, _) = quire_config::parse(&conf, std::path::Path::new("cupsd.conf"));
    let (c, diags) = quire_config::validate(&nodes, &[]);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let mut w = World::with(Settings {
        start_time: NOW - 3600,
        access: Some(Arc::new(AccessRules::from_config(&c))),
        ..Settings::default()
    });
    w.add_printer("Q");
    w
}

fn alice_job(w: &mut World) -> i32 {
    let req = Req::new(Operation::PrintJob)
        .printer("Q")
        .user("alice")
        .op(nm("job-name", "salaries-2024.xlsx"))
        .op(mime("document-format", "application/pdf"))
        .doc(doc());
    let out = w.send_ok(req, &user("alice"));
    job_id_of(&out.response)
}

fn job_names(msg: &Message) -> Vec<String> {
    groups(msg, DelimiterTag::Job)
        .iter()
        .flat_map(|g| g.attributes.iter().map(|a| a.name.clone()))
        .collect()
}

fn get_job(w: &mut World, id: i32, who: &Requester) -> Vec<String> {
    let out = w.send_ok(
        Req::new(Operation::GetJobAttributes).job(id).user(&who.user).requested(&["all"]),
        who,
    );
    job_names(&out.response)
}

fn get_jobs(w: &mut World, who: &Requester) -> Vec<String> {
    let out = w.send_ok(
        Req::new(Operation::GetJobs).printer("Q").user(&who.user).requested(&["all"]),
        who,
    );
    job_names(&out.response)
}

const PRIVATE: [&str; 5] = [
    "job-name",
    "job-originating-user-name",
    "job-originating-host-name",
    "job-originating-user-uri",
    "document-name-supplied",
];

fn shows_none(names: &[String], who: &str) {
    for p in PRIVATE {
        assert!(!names.iter().any(|n| n == p), "{who} must not see {p}: {names:?}");
    }
    assert!(
        names.iter().any(|n| n == "job-id") && names.iter().any(|n| n == "job-state"),
        "{who} sees the rest: {names:?}"
    );
}

fn shows_all(names: &[String], who: &str) {
    for p in PRIVATE {
        assert!(names.iter().any(|n| n == p), "{who} sees {p}: {names:?}");
    }
}

#[test]
fn strangers_and_claimed_names_do_not_see_private_values() {
    let mut w = world("");
    let id = alice_job(&mut w);
    shows_none(&get_job(&mut w, id, &anon("mallory")), "an anonymous stranger");
    shows_none(&get_jobs(&mut w, &user("bob")), "bob, proven but not the owner");
    // cupsd would believe a claimed name; a claim is not proof.
    shows_none(&get_job(&mut w, id, &anon("alice")), "someone claiming to be alice");
    shows_none(&get_jobs(&mut w, &anon("alice")), "someone claiming to be alice");
    shows_all(&get_job(&mut w, id, &user("alice")), "alice, proven");
    shows_all(&get_jobs(&mut w, &admin()), "an administrator");
}

#[test]
fn access_lists_name_users_groups_and_the_queue_acl() {
    let mut w = world("JobPrivateAccess @OWNER accounting @auditors @ACL\n");
    let id = alice_job(&mut w);
    shows_all(&get_job(&mut w, id, &user("accounting")), "a listed user");
    shows_none(&get_job(&mut w, id, &anon("accounting")), "a listed user's name, claimed");
    let auditor = Requester { groups: vec!["auditors".into()], ..user("carol") };
    shows_all(&get_job(&mut w, id, &auditor), "a member of a listed group");
    // Not @SYSTEM any more: an administrator is a stranger here.
    shows_none(&get_job(&mut w, id, &admin()), "an administrator not on the list");
    shows_none(&get_job(&mut w, id, &user("dave")), "dave before the ACL names him");
    let acl = Req::new(Operation::CupsAddModifyPrinter)
        .printer("Q")
        .user("root")
        .printer_attr(nm("requesting-user-name-allowed", "dave"));
    w.send_ok(acl, &admin());
    shows_all(&get_job(&mut w, id, &user("dave")), "dave, on the queue's allow list (@ACL)");
}

#[test]
fn private_values_all_none_and_a_custom_list() {
    let mut w = world("JobPrivateValues all\n");
    let id = alice_job(&mut w);
    let names = get_job(&mut w, id, &anon("mallory"));
    let mut sorted = names;
    sorted.sort();
    assert_eq!(sorted, ["job-id", "job-printer-uri", "job-uri"], "only the job's ids stay");
    shows_all(&get_job(&mut w, id, &user("alice")), "the owner, with all values private");

    let mut w = world("JobPrivateValues none\n");
    let id = alice_job(&mut w);
    shows_all(&get_job(&mut w, id, &anon("mallory")), "anyone, with no value private");

    let mut w = world("JobPrivateValues job-state job-name\n");
    let id = alice_job(&mut w);
    let names = get_job(&mut w, id, &anon("mallory"));
    for hidden in ["job-state", "job-name", "document-name-supplied"] {
        assert!(!names.iter().any(|n| n == hidden), "{hidden} is private: {names:?}");
    }
    assert!(
        names.iter().any(|n| n == "job-originating-user-name"),
        "not listed, so shown: {names:?}"
    );

    let mut w = world("JobPrivateAccess all\n");
    let id = alice_job(&mut w);
    shows_all(&get_job(&mut w, id, &anon("mallory")), "anyone, with access for all");
}

#[test]
fn subscriptions_hide_their_private_values() {
    let mut w = world("");
    let tpl = vec![kw("notify-pull-method", "ippget"), kws("notify-events", &["job-completed"])];
    let req = Req::new(Operation::CreatePrinterSubscriptions)
        .printer("Q")
        .user("alice")
        .group(DelimiterTag::Subscription, tpl);
    w.send_ok(req, &user("alice"));
    let list = |w: &mut World, who: &Requester| {
        let out =
            w.send_ok(Req::new(Operation::GetSubscriptions).printer("Q").user(&who.user), who);
        groups(&out.response, DelimiterTag::Subscription)
            .iter()
            .flat_map(|g| g.attributes.iter().map(|a| a.name.clone()))
            .collect::<Vec<_>>()
    };
    let theirs = list(&mut w, &anon("alice"));
    for hidden in ["notify-subscriber-user-name", "notify-events", "notify-pull-method"] {
        assert!(!theirs.iter().any(|n| n == hidden), "{hidden} withheld: {theirs:?}");
    }
    assert!(
        theirs.iter().any(|n| n == "notify-subscription-id")
            && theirs.iter().any(|n| n == "notify-printer-uri"),
        "{theirs:?}"
    );
    let own = list(&mut w, &user("alice"));
    assert!(
        own.iter().any(|n| n == "notify-subscriber-user-name")
            && own.iter().any(|n| n == "notify-events"),
        "{own:?}"
    );
}

#[test]
fn events_tell_no_more_of_a_job_than_its_attributes() {
    let mut w = world("JobPrivateValues job-state job-state-reasons\nJobPrivateAccess @OWNER\n");
    let tpl = vec![kw("notify-pull-method", "ippget"), kws("notify-events", &["job-created"])];
    let req = Req::new(Operation::CreatePrinterSubscriptions)
        .printer("Q")
        .user("bob")
        .group(DelimiterTag::Subscription, tpl);
    let out = w.send_ok(req, &user("bob"));
    let sub = groups(&out.response, DelimiterTag::Subscription)[0]
        .get("notify-subscription-id")
        .and_then(|a| a.first_i32())
        .expect("subscription id");
    alice_job(&mut w);
    let get =
        Req::new(Operation::GetNotifications).user("bob").op(int("notify-subscription-ids", sub));
    let out = w.send_ok(get, &user("bob"));
    let events = groups(&out.response, DelimiterTag::EventNotification);
    assert_eq!(events.len(), 1);
    assert!(events[0].get("notify-job-id").is_some(), "the job's id stays");
    assert!(
        events[0].get("job-state").is_none() && events[0].get("job-state-reasons").is_none(),
        "{:?}",
        events[0]
    );
}
