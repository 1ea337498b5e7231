//! The job splitter end to end: `lp` → quired → several quire-sim printers of different
//! security levels. Every check is made against the simulators' page logs (what was really
//! printed), not against quired's view of the job.

use std::time::Duration;

use quire_ipp::vendor as v;
use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use quire_tests::fleet::{children, every_page, fleet, strs, tally};
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, cups_tool_ok, Via};

#[test]
fn security_facts_come_from_the_devices_and_copies_split_only_to_qualifying_printers() {
    let Some(f) = fleet(6000) else { return };
    // The devices' claims, confirmed by the administrator (the fleet does it).
    assert_eq!(
        f.printer_attr("vault", v::SECURITY_SOURCE)
            .and_then(|a| a.first_str().map(str::to_string))
            .as_deref(),
        Some("confirmed")
    );
    assert_eq!(
        f.printer_attr("secure", v::AUTHENTICATION_METHOD)
            .and_then(|a| a.first_str().map(str::to_string))
            .as_deref(),
        Some("id-card")
    );
    assert_eq!(f.printer_attr("vault", v::SECURITY_LEVEL).and_then(|a| a.first_i32()), Some(5));
    assert_eq!(f.printer_attr("office", v::SECURITY_LEVEL).and_then(|a| a.first_i32()), Some(1));
    let id = f.lp("secure", &f.pdf("copies", 3), &["-n", "6", "-o", "quire-split=auto"]);
    let m = f.wait_state(id, 9, 60);
    assert_eq!(children(&m).len(), 2, "{:?}", strs(&m, v::SPLIT_PARTS));
    let printed = f.printed();
    assert_eq!(
        tally(&printed),
        every_page("copies", 3, 6),
        "every page of every copy exactly once: {printed:?}"
    );
    assert!(
        printed["office"].is_empty() && printed["draft"].is_empty(),
        "nothing on a less secure printer: {printed:?}"
    );
    // Each printer printed whole copies.
    for name in ["secure", "vault"] {
        assert!(
            !printed[name].is_empty() && printed[name].len() % 3 == 0,
            "{name}: {:?}",
            printed[name]
        );
    }
    assert!(
        strs(&m, v::SPLIT_PARTS).iter().any(|p| p.contains("on vault")),
        "{:?}",
        strs(&m, v::SPLIT_PARTS)
    );
}

#[test]
fn a_single_copy_is_split_by_pages_and_a_manual_list_is_checked() {
    let Some(f) = fleet(6000) else { return };
    // office is PIN-only: secure and vault qualify, draft does not.
    let id = f.lp("office", &f.pdf("pages", 40), &["-o", "quire-split=auto"]);
    f.wait_state(id, 9, 60);
    let printed = f.printed();
    assert_eq!(tally(&printed), every_page("pages", 40, 1), "{printed:?}");
    assert!(printed["draft"].is_empty(), "{printed:?}");
    assert!(
        ["office", "secure", "vault"].iter().filter(|n| !printed[**n].is_empty()).count() >= 2,
        "{printed:?}"
    );

    // Manual: only the printers named (and the queue's own).
    let before = f.printed();
    let id = f.lp("office", &f.pdf("manual", 2), &["-n", "4", "-o", "quire-split-printers=vault"]);
    f.wait_state(id, 9, 60);
    let after = f.printed();
    for (name, marks) in &after {
        let new: Vec<&String> = marks.iter().skip(before[name].len()).collect();
        match *name {
            "office" | "vault" => assert!(!new.is_empty(), "{name} got no part"),
            _ => assert!(new.is_empty(), "{name} was not chosen: {new:?}"),
        }
    }

    // A printer that does not qualify is refused by name, and nothing prints.
    let doc = f.pdf("refused", 2);
    let out = cups_tool(
        &f.server,
        Via::Tcp,
        "lp",
        &["-d", "secure", "-n", "4", "-o", "quire-split-printers=office", &doc.to_string_lossy()],
    )
    .expect("lp");
    assert_ne!(out.rc, 0, "lp should fail: {out:?}");
    assert!(
        out.stderr.contains("\"office\"") && out.stderr.contains("weaker than id-card"),
        "{}",
        out.stderr
    );
    assert!(!tally(&f.printed()).keys().any(|k| k.contains(":refused:")));
}

#[test]
fn when_no_printer_qualifies_the_user_is_told_and_the_job_prints_alone_or_waits() {
    let Some(f) = fleet(6000) else { return };
    // A subscriber to vault's job events.
    let mut sub = quire_client::request_as(
        Operation::CreatePrinterSubscriptions,
        Some(&f.server.printer_uri("vault")),
        "tester",
    );
    let mut g = quire_ipp::Group::new(DelimiterTag::Subscription);
    g.push(Attribute::set("notify-events", vec![Value::Keyword("job-state-changed".into())]));
    g.push(Attribute::new("notify-pull-method", Value::Keyword("ippget".into())));
    sub.push_group(g);
    let resp = f.ipp(&sub);
    let sub_id = resp
        .attr(DelimiterTag::Subscription, "notify-subscription-id")
        .and_then(|a| a.first_i32())
        .expect("subscription id");

    let id = f.lp("vault", &f.pdf("alone", 2), &["-n", "3", "-o", "quire-split=auto"]);
    let m = f.wait_state(id, 9, 60);
    assert!(
        strs(&m, "job-state-reasons").iter().any(|r| r == v::REASON_NO_QUALIFIED_PRINTER),
        "{:?}",
        strs(&m, "job-state-reasons")
    );
    let msg = strs(&m, "job-state-message").join("");
    assert!(msg.contains("No other printer qualifies") && msg.contains("alone"), "{msg}");
    let printed = f.printed();
    assert_eq!(printed["vault"].len(), 6, "all three copies on vault: {printed:?}");
    assert!(["secure", "office", "draft"].iter().all(|n| printed[*n].is_empty()), "{printed:?}");

    let mut get =
        quire_client::request_as(Operation::GetNotifications, Some(&f.server.uri_base()), "tester");
    get.group_mut(DelimiterTag::Operation)
        .push(Attribute::new("notify-subscription-ids", Value::Integer(sub_id)));
    let events = f.ipp(&get);
    let texts: Vec<String> = events
        .groups
        .iter()
        .filter_map(|g| g.get("notify-text").and_then(|a| a.first_str().map(str::to_string)))
        .collect();
    assert!(texts.iter().any(|t| t.contains("No other printer qualifies")), "{texts:?}");

    // With hold, nothing prints until the user releases it.
    let id = f.lp(
        "vault",
        &f.pdf("held", 2),
        &["-n", "3", "-o", "quire-split=auto", "-o", "quire-split-fallback=hold"],
    );
    let m = f.wait_state(id, 4, 10);
    assert!(strs(&m, "job-state-message").join("").contains("release it"));
    std::thread::sleep(Duration::from_millis(500));
    assert!(!tally(&f.printed()).keys().any(|k| k.contains(":held:")), "a held job printed");
}

#[test]
fn cancelling_the_parent_stops_every_part() {
    // 60 pages a minute: a part takes seconds, so they are still printing when canceled.
    let Some(f) = fleet(60) else { return };
    let id = f.lp("secure", &f.pdf("cancel", 4), &["-n", "10", "-o", "quire-split=auto"]);
    assert!(
        wait_until(Duration::from_secs(20), || f
            .printed()
            .values()
            .filter(|m| !m.is_empty())
            .count()
            == 2),
        "both parts print"
    );
    cups_tool_ok(&f.server, Via::Tcp, "cancel", &[&id.to_string()]).expect("cancel");
    let m = f.wait_state(id, 7, 10);
    for kid in children(&m) {
        f.wait_state(kid, 7, 10);
    }
    std::thread::sleep(Duration::from_secs(2));
    let settled = tally(&f.printed()).values().sum::<usize>();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        tally(&f.printed()).values().sum::<usize>(),
        settled,
        "the printers stopped: {:?}",
        f.sims["secure"].status()
    );
    assert!(settled < 40, "not everything printed: {settled}");
}

#[test]
fn kill_9_of_quired_mid_split_loses_and_duplicates_nothing() {
    let Some(mut f) = fleet(120) else { return };
    // 4 copies of 5 pages on secure and vault: about 5 s each at 2 pages a second.
    let id = f.lp("secure", &f.pdf("restart", 5), &["-n", "4", "-o", "quire-split=auto"]);
    assert!(
        wait_until(Duration::from_secs(20), || f
            .printed()
            .values()
            .filter(|m| !m.is_empty())
            .count()
            == 2),
        "both parts print"
    );
    f.server.kill9_and_restart().expect("restart quired");
    let m = f.wait_state(id, 9, 90);
    let printed = f.printed();
    assert_eq!(
        tally(&printed),
        every_page("restart", 5, 4),
        "{printed:?}\n{}",
        f.server.log_tail(30)
    );
    // Each printer got its part once: one device job each.
    for name in ["secure", "vault"] {
        let jobs: std::collections::BTreeSet<i32> =
            f.sims[name].page_log().expect("log").iter().map(|r| r.job_id).collect();
        assert_eq!(jobs.len(), 1, "{name} printed jobs {jobs:?}");
    }
    assert_eq!(children(&m).len(), 2);
}
