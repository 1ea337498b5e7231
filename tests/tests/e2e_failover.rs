//! Failover end to end: `lp` → quired → quire-sim printers with injected faults. Every
//! check is made against the simulators' page logs: which printer printed which page.

use std::collections::BTreeMap;
use std::time::Duration;

use quire_ipp::vendor as v;
use quire_tests::fleet::{children, every_page, fleet, strs, tally, Fleet, FLEET};
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, SimFault, Via};

/// The pages (marker page numbers) `printer` printed for `tag`, in order.
fn pages_on(f: &Fleet, printer: &str, tag: &str) -> Vec<u32> {
    let prefix = format!("QPAGE:{tag}:p");
    f.printed()[printer]
        .iter()
        .filter_map(|m| m.strip_prefix(&prefix).and_then(|p| p.parse().ok()))
        .collect()
}

fn failover_everywhere(f: &Fleet, mode: &str, grace: i32) {
    for (name, ..) in FLEET {
        f.set_failover(name, mode, grace);
    }
}

#[test]
fn paper_out_at_page_7_of_20_prints_pages_8_to_20_on_a_qualifying_printer_exactly_once() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "auto", 1);
    f.sims["office"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    let id = f.lp("office", &f.pdf("paperout", 20), &[]);
    let m = f.wait_state(id, 9, 60);
    let printed = f.printed();
    assert_eq!(
        tally(&printed),
        every_page("paperout", 20, 1),
        "every page exactly once: {printed:?}"
    );
    assert_eq!(pages_on(&f, "office", "paperout"), (1..=7).collect::<Vec<_>>());
    let moved: Vec<&str> =
        ["secure", "vault"].into_iter().filter(|n| !printed[*n].is_empty()).collect();
    assert_eq!(moved.len(), 1, "the remainder went to one qualifying printer: {printed:?}");
    assert_eq!(pages_on(&f, moved[0], "paperout"), (8..=20).collect::<Vec<_>>(), "in order");
    assert!(printed["draft"].is_empty(), "draft is less secure than office");
    // One job for the user, which says where each page printed.
    assert!(
        strs(&m, "job-state-reasons").iter().any(|r| r == v::REASON_FAILED_OVER),
        "{:?}",
        strs(&m, "job-state-reasons")
    );
    let parts = strs(&m, v::SPLIT_PARTS).join("\n");
    assert!(
        parts.contains("on office: printed before")
            && parts.contains("pages 1-7")
            && parts.contains("pages 8-20"),
        "{parts}"
    );
    let log = strs(&m, v::FAILOVER_LOG).join("\n");
    assert!(log.contains("media-empty") && log.contains(moved[0]), "{log}");
    assert_eq!(children(&m).len(), 2);
}

#[test]
fn a_jam_during_copy_3_of_5_moves_only_the_rest() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "auto", 1);
    // 9 impressions print (copies 1-2, page 1 of copy 3), the 10th jams.
    f.sims["office"].fault(SimFault::JamAfter(9)).expect("fault");
    let id = f.lp("office", &f.pdf("jam", 4), &["-n", "5"]);
    f.wait_state(id, 9, 60);
    let printed = f.printed();
    assert_eq!(tally(&printed), every_page("jam", 4, 5), "{printed:?}");
    assert_eq!(pages_on(&f, "office", "jam"), [1, 2, 3, 4, 1, 2, 3, 4, 1]);
    let elsewhere: Vec<u32> =
        ["secure", "vault"].iter().flat_map(|n| pages_on(&f, n, "jam")).collect();
    assert_eq!(
        elsewhere,
        [2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4],
        "the rest of copy 3, then copies 4 and 5"
    );
}

#[test]
fn manual_mode_waits_for_the_users_choice_and_refuses_one_that_does_not_qualify() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "none", 1);
    f.sims["office"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    let id = f.lp("office", &f.pdf("manual", 20), &["-o", "quire-failover=manual"]);
    let m = f.wait_failover(id, "awaiting-choice", 30);
    assert!(strs(&m, "job-state-reasons").iter().any(|r| r == v::REASON_FAILOVER_CHOICE));
    let cands = strs(&m, v::FAILOVER_CANDIDATES);
    assert!(
        cands.iter().any(|c| c.starts_with("vault: biometric"))
            && cands.iter().any(|c| c.starts_with("draft: does not qualify")),
        "{cands:?}"
    );
    // CUPS's own lpmove is the user's way to choose.
    let out =
        cups_tool(&f.server, Via::Tcp, "lpmove", &[&id.to_string(), "draft"]).expect("lpmove");
    assert_ne!(out.rc, 0, "draft must be refused: {out:?}");
    assert!(out.stderr.contains("less secure"), "{}", out.stderr);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(tally(&f.printed()).values().sum::<usize>(), 7, "nothing moves on a refused choice");
    let out =
        cups_tool(&f.server, Via::Tcp, "lpmove", &[&id.to_string(), "vault"]).expect("lpmove");
    assert_eq!(out.rc, 0, "{out:?}");
    f.wait_state(id, 9, 60);
    assert_eq!(tally(&f.printed()), every_page("manual", 20, 1));
    assert_eq!(pages_on(&f, "vault", "manual"), (8..=20).collect::<Vec<_>>());
}

#[test]
fn when_none_qualifies_the_job_waits_the_user_is_told_and_a_repair_resumes_it() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "auto", 1);
    let sub = f.subscribe("vault");
    f.sims["vault"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    // vault is the most secure printer: nothing else qualifies.
    let id = f.lp("vault", &f.pdf("alone", 20), &[]);
    let m = f.wait_failover(id, "no-qualified-printer", 30);
    assert!(strs(&m, "job-state-reasons").iter().any(|r| r == v::REASON_FAILOVER_NO_QUALIFIED));
    let msg = strs(&m, "job-state-message").join("");
    assert!(
        msg.contains("No other printer qualifies") && msg.contains("fix the fault on \"vault\""),
        "{msg}"
    );
    assert!(
        f.notifications(sub).iter().any(|t| t.contains("No other printer qualifies")),
        "subscribers are told"
    );
    let lpstat = cups_tool(&f.server, Via::Tcp, "lpstat", &["-l", "-o"]).expect("lpstat");
    assert!(lpstat.stdout.contains(&format!("vault-{id}")), "{}", lpstat.stdout);
    f.sims["vault"].repair().expect("repair");
    let m = f.wait_state(id, 9, 60);
    assert_eq!(strs(&m, v::FAILOVER_STATE), ["resumed"]);
    let printed = f.printed();
    assert_eq!(tally(&printed), every_page("alone", 20, 1), "{printed:?}");
    assert_eq!(pages_on(&f, "vault", "alone"), (1..=20).collect::<Vec<_>>());
}

#[test]
fn a_printer_that_recovers_within_the_grace_time_finishes_the_job_itself() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "auto", 30);
    f.sims["office"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    let id = f.lp("office", &f.pdf("recover", 20), &[]);
    f.wait_failover(id, "watching", 30);
    f.sims["office"].repair().expect("repair");
    let m = f.wait_state(id, 9, 60);
    assert_eq!(strs(&m, v::FAILOVER_STATE), ["resumed"]);
    assert_eq!(pages_on(&f, "office", "recover"), (1..=20).collect::<Vec<_>>());
    assert_eq!(tally(&f.printed()), every_page("recover", 20, 1));
}

/// Device jobs each printer received (from its page log).
fn device_jobs(f: &Fleet, printer: &str) -> std::collections::BTreeSet<i32> {
    f.sims[printer].page_log().expect("page log").iter().map(|r| r.job_id).collect()
}

#[test]
fn kill_9_of_quired_while_the_remainder_prints_elsewhere_still_prints_each_page_once() {
    let Some(mut f) = fleet(120) else { return };
    failover_everywhere(&f, "auto", 1);
    f.sims["office"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    let id = f.lp("office", &f.pdf("crash", 20), &[]);
    // Half a second a page: the remainder is printing elsewhere after about 5 s.
    let moving = || ["secure", "vault"].iter().any(|n| pages_on(&f, n, "crash").len() >= 2);
    assert!(
        wait_until(Duration::from_secs(30), moving),
        "the remainder never started: {:?}\n{}",
        f.printed(),
        f.server.log_tail(30)
    );
    f.server.kill9_and_restart().expect("restart quired");
    f.wait_state(id, 9, 90);
    let printed = f.printed();
    assert_eq!(
        tally(&printed),
        every_page("crash", 20, 1),
        "{printed:?}\n{}",
        f.server.log_tail(30)
    );
    for name in ["secure", "vault"] {
        assert!(device_jobs(&f, name).len() <= 1, "{name} got the remainder twice");
    }
}

#[test]
fn kill_9_of_quired_during_the_grace_time_still_prints_each_page_once() {
    let Some(mut f) = fleet(600) else { return };
    failover_everywhere(&f, "auto", 3);
    f.sims["office"].fault(SimFault::MediaEmptyAfter(7)).expect("fault");
    let id = f.lp("office", &f.pdf("grace", 20), &[]);
    f.wait_failover(id, "watching", 30);
    f.server.kill9_and_restart().expect("restart quired");
    // After the restart quired follows office's job, sees it stopped, and hands off.
    f.wait_state(id, 9, 90);
    let printed = f.printed();
    assert_eq!(
        tally(&printed),
        every_page("grace", 20, 1),
        "{printed:?}\n{}",
        f.server.log_tail(30)
    );
    assert_eq!(device_jobs(&f, "office").len(), 1, "office's job was followed, not sent again");
}

/// A tiny deterministic generator (xorshift), seeded from the clock unless QUIRE_SEED is set.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

const AUTHS: [&str; 4] = ["none", "pin", "id-card", "biometric"];

#[test]
fn random_jobs_faults_and_fleets_lose_nothing_repeat_nothing_and_stay_secure() {
    let seed = std::env::var("QUIRE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64 | 1)
    });
    eprintln!("random failover run: QUIRE_SEED={seed}");
    let mut rng = Rng(seed);
    let Some(f) = fleet(1200) else { return };
    // A random fleet: each simulator's security facts are set on its queue.
    let mut facts = BTreeMap::new();
    for (name, ..) in FLEET {
        let (auth, enc, erase) = (rng.below(4) as usize, rng.below(2) == 1, rng.below(2) == 1);
        // CUPS's own lpadmin turns failover on (it sends `*-default` options).
        let out = cups_tool(
            &f.server,
            Via::Tcp,
            "lpadmin",
            &["-p", name, "-o", "quire-failover-default=auto"],
        )
        .expect("lpadmin");
        assert_eq!(out.rc, 0, "{out:?}");
        assert_eq!(
            f.printer_attr(name, v::FAILOVER_DEFAULT)
                .and_then(|a| a.first_str().map(str::to_string))
                .as_deref(),
            Some("auto")
        );
        f.set_security(name, AUTHS[auth], enc, erase);
        f.set_failover(name, "auto", 1);
        facts.insert(*name, (auth, enc, erase));
    }
    // Random faults, some repaired later.
    for (name, ..) in FLEET {
        match rng.below(3) {
            0 => drop(f.sims[name].fault(SimFault::MediaEmptyAfter(1 + rng.below(15) as u32))),
            1 => drop(f.sims[name].fault(SimFault::JamAfter(1 + rng.below(15) as u32))),
            _ => {}
        }
    }
    let mut jobs = Vec::new();
    for i in 0..8 {
        let queue = FLEET[rng.below(4) as usize].0;
        let (pages, copies) = (1 + rng.below(12) as u32, 1 + rng.below(3) as usize);
        let tag = format!("r{i}");
        let id = f.lp(queue, &f.pdf(&tag, pages), &["-n", &copies.to_string()]);
        jobs.push((id, queue, tag, pages, copies));
    }
    // Printers come back at random moments; every job must then complete.
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(500 + rng.below(2500)));
        let (name, ..) = FLEET[rng.below(4) as usize];
        let _ = f.sims[name].repair();
    }
    let all_done = || {
        jobs.iter().all(|(id, ..)| {
            quire_tests::fleet::int(&f.job(*id), "job-state").is_some_and(|s| s >= 7)
        })
    };
    if !wait_until(Duration::from_secs(20), all_done) {
        for (name, ..) in FLEET {
            let _ = f.sims[name].repair();
        }
    }
    for (id, ..) in &jobs {
        f.wait_state(*id, 9, 90);
    }
    let moved = jobs
        .iter()
        .filter(|(id, ..)| strs(&f.job(*id), v::FAILOVER_STATE).iter().any(|s| s == "failed-over"))
        .count();
    eprintln!("seed {seed}: {moved} of {} jobs failed over", jobs.len());
    let printed = f.printed();
    let totals = tally(&printed);
    for (_, queue, tag, pages, copies) in &jobs {
        let mine: BTreeMap<String, usize> = totals
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("QPAGE:{tag}:")))
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        assert_eq!(
            mine,
            every_page(tag, *pages, *copies),
            "seed {seed}: job {tag} on {queue}: {printed:?}"
        );
        let origin = facts[queue];
        for (printer, marks) in &printed {
            if marks.iter().any(|m| m.starts_with(&format!("QPAGE:{tag}:"))) {
                let p = facts[printer];
                assert!(
                    p.0 >= origin.0 && p.1 >= origin.1 && p.2 >= origin.2,
                    "seed {seed}: {tag} from {queue} {origin:?} printed on {printer} {p:?}"
                );
            }
        }
    }
}

/// `quire ARGS...` against the fleet's quired, as the user who submitted the jobs.
fn quire(f: &Fleet, args: &[&str]) -> Option<quire_tests::CmdOutput> {
    let bin =
        quire_tests::quired_binary().map(|q| q.with_file_name("quire")).filter(|p| p.is_file())?;
    let mut all: Vec<String> = vec![args[0].to_string(), "-h".into(), f.server.host_port()];
    all.extend(args[1..].iter().map(|a| a.to_string()));
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    Some(
        quire_tests::process::run_with_timeout(
            20,
            &bin.to_string_lossy(),
            &all,
            None,
            &[("USER".to_string(), user)],
        )
        .expect("run quire"),
    )
}

#[test]
fn quire_failover_shows_the_candidates_and_moves_the_rest() {
    let Some(f) = fleet(600) else { return };
    failover_everywhere(&f, "manual", 1);
    let Some(out) = quire(&f, &["lpstat", "-l", "-p", "office"]) else {
        return quire_tests::skipped("quire not built");
    };
    assert!(out.stdout.contains("Failover: manual after 1 s"), "{}", out.stdout);
    f.sims["office"].fault(SimFault::JamAfter(5)).expect("fault");
    let id = f.lp("office", &f.pdf("cli", 12), &[]);
    f.wait_failover(id, "awaiting-choice", 30);
    let out = quire(&f, &["failover", &id.to_string()]).expect("quire");
    assert_eq!(out.rc, 0, "{}", out.text());
    assert!(
        out.stdout.contains("awaiting-choice")
            && out.stdout.contains("vault: biometric")
            && out.stdout.contains("draft: does not qualify"),
        "{}",
        out.stdout
    );
    let out = quire(&f, &["failover", &id.to_string(), "draft"]).expect("quire");
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains("less secure"), "{}", out.stderr);
    let out = quire(&f, &["failover", &id.to_string(), "secure"]).expect("quire");
    assert_eq!(out.rc, 0, "{}", out.text());
    assert!(out.stdout.contains("moving the rest of job"), "{}", out.stdout);
    f.wait_state(id, 9, 60);
    assert_eq!(tally(&f.printed()), every_page("cli", 12, 1));
    assert_eq!(pages_on(&f, "secure", "cli"), (6..=12).collect::<Vec<_>>());
    let out = quire(&f, &["lpstat", "-W", "completed", "-l", "-o"]).expect("quire");
    assert!(out.stdout.contains("Failed over into"), "{}", out.text());
}
