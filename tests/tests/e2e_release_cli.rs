//! `quire release` end to end: Quire's own CLI, run as an unprivileged uid, against the real
//! quired under cupsd's shipped default policy with real PAM (pam_wrapper + pam_matrix users
//! alice/alicepw, bob/bobpw). Jobs are submitted with CUPS's `lp` and print to a file device,
//! so "it printed" means the document's text reached that file.
//!
//! Root-only (setpriv runs the CLI as uid 65534); each test prints SKIPPED otherwise.

use quire_ipp::DelimiterTag;
use quire_tests::confidential::{
    ipp, job_request, job_state, lp, plaintext_in, printed, quire, quire_binary, secret_pdf,
    server, As, COMPLETED, HELD, MARKER,
};
use quire_tests::pam::PamMatrix;
use quire_tests::process::wait_until;
use quire_tests::{CmdOutput, Server};
use std::path::PathBuf;
use std::time::Duration;

/// A server with the default policy, the `quire` binary and a secret PDF; None when skipped.
struct Fixture {
    server: Server,
    _pam: PamMatrix,
    bin: PathBuf,
    pdf: String,
}

fn fixture() -> Option<Fixture> {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built (cargo build -p quire-cli)");
        return None;
    };
    let (server, pam) = server()?;
    let pdf = secret_pdf(server.dir()).to_string_lossy().into_owned();
    Some(Fixture { server, _pam: pam, bin, pdf })
}

impl Fixture {
    /// A confidential job of `user`'s, held for its owner's password.
    fn confidential_job(&self, user: &str) -> i32 {
        lp(&self.server, &["-d", "office", "-U", user, "-o", "quire-confidential=true", &self.pdf])
    }

    /// A job of `user`'s, held for the PIN `pin`.
    fn pin_job(&self, user: &str, pin: &str) -> i32 {
        lp(
            &self.server,
            &["-d", "office", "-U", user, "-o", &format!("job-password={pin}"), &self.pdf],
        )
    }

    /// `quire release ARGS...` run as `how` says.
    fn release(&self, args: &[&str], how: &As) -> CmdOutput {
        quire(&self.bin, &self.server, "release", args, how)
    }

    fn held(&self, id: i32) -> bool {
        job_state(&self.server, id).0 == HELD
    }

    fn completes(&self, id: i32) -> bool {
        wait_until(Duration::from_secs(30), || job_state(&self.server, id).0 == COMPLETED)
    }
}

/// `alice` with her password in QUIRE_PASSWORD, the way scripts pass it.
fn alice() -> As {
    As::user("alice").env("QUIRE_PASSWORD", "alicepw")
}

#[test]
fn the_owner_releases_with_her_password_and_the_job_prints() {
    let Some(f) = fixture() else { return };
    let first = f.confidential_job("alice");
    let second = f.confidential_job("alice");
    assert!(f.held(first) && f.held(second), "confidential jobs wait for their owner");
    assert!(!printed(&f.server).contains(MARKER), "nothing printed before release");
    // The login name (USER) is the user; the password comes from QUIRE_PASSWORD.
    let out = f.release(&[&first.to_string()], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), format!("Released job {first}."), "{}", out.text());
    assert!(f.completes(first), "job {first} prints: {:?}", job_state(&f.server, first));
    assert!(printed(&f.server).contains(MARKER), "the file device got the document");
    assert!(f.held(second), "only the job named is released");
    // -U names the user; without a terminal the password is the first line of stdin.
    let out =
        f.release(&["-U", "alice", &second.to_string()], &As::user("nobody").stdin("alicepw\n"));
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), format!("Released job {second}."));
    assert!(!out.text().contains("Password"), "no prompt without a terminal: {}", out.text());
    assert!(f.completes(second), "job {second} prints");
}

#[test]
fn a_wrong_password_is_refused_once_and_the_job_stays_held() {
    let Some(f) = fixture() else { return };
    let id = f.confidential_job("alice");
    let out = f.release(&[&id.to_string()], &As::user("alice").env("QUIRE_PASSWORD", "guess"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(
        out.stderr.contains("Authentication failed for alice."),
        "names the user and the failure: {}",
        out.text()
    );
    assert!(out.stdout.is_empty(), "{}", out.text());
    // No stdin and no QUIRE_PASSWORD: nothing to send, nothing sent.
    let out = f.release(&[&id.to_string()], &As::user("alice"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains("No password given."), "{}", out.text());
    assert!(f.held(id), "still held");
    // The refused password was tried once, not retried into a lockout.
    let audit = std::fs::read_to_string(f.server.dir().join("log/audit_log")).unwrap_or_default();
    assert_eq!(
        audit.matches("auth-failed user=\"alice\"").count(),
        1,
        "one failed login:\n{audit}"
    );
    let out = f.release(&[&id.to_string()], &alice());
    assert_eq!(out.rc, 0, "the right password still works: {}", out.text());
    assert!(f.completes(id));
    assert!(printed(&f.server).contains(MARKER));
}

#[test]
fn another_user_can_neither_release_nor_delete_the_owners_job() {
    let Some(f) = fixture() else { return };
    let id = f.confidential_job("alice");
    let bob = As::user("bob").env("QUIRE_PASSWORD", "bobpw");
    let out = f.release(&[&id.to_string()], &bob);
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(
        out.stderr.contains(&format!("Job #{id}:"))
            && out.stderr.contains("\"bob\" is not allowed"),
        "says who may not: {}",
        out.text()
    );
    // Claiming to be alice with bob's password gets nowhere either.
    let out = f.release(&["-U", "alice", &id.to_string()], &bob);
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains("Authentication failed for alice."), "{}", out.text());
    let out = f.release(&["--delete", &id.to_string()], &bob);
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains(&format!("Job #{id}:")), "{}", out.text());
    let out = f.release(&["--all"], &bob);
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(
        out.stdout.trim(),
        "You have no held confidential jobs.",
        "bob has nothing to release: {}",
        out.text()
    );
    assert!(f.held(id), "alice's job is untouched");
    assert!(!printed(&f.server).contains(MARKER), "and unprinted");
}

#[test]
fn release_all_releases_exactly_the_owners_jobs_in_submission_order() {
    let Some(f) = fixture() else { return };
    let a1 = f.confidential_job("alice");
    let b1 = f.confidential_job("bob");
    let a2 = f.confidential_job("alice");
    let a3 = f.confidential_job("alice");
    let out = f.release(&["--all"], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), format!("Released jobs {a1}, {a2}, {a3}."), "{}", out.text());
    for id in [a1, a2, a3] {
        assert!(f.completes(id), "job {id} prints: {:?}", job_state(&f.server, id));
    }
    assert!(f.held(b1), "bob's job stays held");
    // Nothing of alice's is left: a second --all releases nothing.
    let out = f.release(&["--all", "office"], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), "You have no held confidential jobs.", "{}", out.text());
    assert!(f.held(b1));
}

/// The job's state; None once the job is gone from the server altogether (purged).
fn state_or_gone(server: &Server, id: i32) -> Option<i32> {
    let (_, resp) = ipp(server, None, &job_request(server, 0x0009, id, "root", Vec::new()));
    let resp = resp.expect("Get-Job-Attributes answer");
    if resp.code == 0x0406 {
        return None;
    }
    resp.group(DelimiterTag::Job).and_then(|g| g.get("job-state")).and_then(|a| a.first_i32())
}

#[test]
fn delete_removes_a_held_job_unprinted() {
    let Some(f) = fixture() else { return };
    let doomed = f.confidential_job("alice");
    let kept = f.confidential_job("alice");
    let out = f.release(&["--delete", &doomed.to_string()], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), format!("Deleted job {doomed}."), "{}", out.text());
    // purge-job: canceled and forgotten, never pending, so never printed.
    assert!(
        matches!(state_or_gone(&f.server, doomed), None | Some(7)),
        "{:?}",
        state_or_gone(&f.server, doomed)
    );
    assert!(f.held(kept), "the other job stays held");
    // Deleting it again: it is no longer there to delete.
    let out = f.release(&["--delete", &doomed.to_string()], &alice());
    assert_eq!(out.rc, 1, "{}", out.text());
    // Neither the deleted job nor the held one left anything readable in the spool.
    assert_eq!(plaintext_in(&f.server.dir().join("spool")), Vec::<PathBuf>::new());
    let out = f.release(&["--all"], &alice());
    assert_eq!(out.stdout.trim(), format!("Released job {kept}."), "{}", out.text());
    assert!(f.completes(kept));
    assert!(
        state_or_gone(&f.server, doomed).is_none_or(|s| s == 7),
        "the deleted job never printed"
    );
}

/// The `--list` line of job `id`, if any.
fn list_line(out: &CmdOutput, id: i32) -> Option<String> {
    out.stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(&id.to_string()))
        .map(str::to_string)
}

#[test]
fn list_shows_the_owners_held_jobs_and_how_each_is_released() {
    let Some(f) = fixture() else { return };
    let by_password = f.confidential_job("alice");
    let by_pin = f.pin_job("alice", "2468");
    let bobs = f.confidential_job("bob");
    let out = f.release(&["--list"], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    let line = list_line(&out, by_password)
        .unwrap_or_else(|| panic!("job {by_password} listed:\n{}", out.stdout));
    assert!(
        line.contains("office")
            && line.contains("secret.pdf")
            && line.contains("release by: password"),
        "{line}"
    );
    assert!(
        line.contains("expires "),
        "a confidential job expires (ConfidentialHoldTime 4h): {line}"
    );
    let line = list_line(&out, by_pin)
        .unwrap_or_else(|| panic!("PIN job {by_pin} listed:\n{}", out.stdout));
    assert!(line.contains("release by: PIN"), "{line}");
    assert!(list_line(&out, bobs).is_none(), "bob's job is not alice's to see:\n{}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    // A wrong password lists nothing.
    let out = f.release(&["--list"], &As::user("alice").env("QUIRE_PASSWORD", "guess"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stdout.is_empty(), "{}", out.text());
    // Released jobs leave the list.
    let out = f.release(&[&by_password.to_string()], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    let out = f.release(&["--delete", &by_pin.to_string()], &alice());
    assert_eq!(out.rc, 0, "{}", out.text());
    let out = f.release(&["--list"], &alice());
    assert_eq!(out.stdout.trim(), "You have no held confidential jobs.", "{}", out.text());
}

#[test]
fn pin_releases_a_pin_job_only_with_its_pin() {
    let Some(f) = fixture() else { return };
    // The CLI runs as uid 65534 ("nobody"); the jobs belong to alice. The PIN is the
    // proof: it stands for the owner's password, whoever sends it (PWG 5100.11).
    let id = f.pin_job("alice", "4321");
    let other = f.pin_job("alice", "8765");
    assert!(f.held(id) && f.held(other), "PIN jobs are held");
    let nobody = As::user("nobody");
    let out = f.release(&["--pin", &id.to_string()], &nobody.clone().env("QUIRE_PIN", "9999"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(
        out.stderr.contains(&format!("Wrong job-password for job #{id}.")),
        "says the PIN is wrong: {}",
        out.text()
    );
    assert!(f.held(id), "a wrong PIN releases nothing");
    // Another job's PIN is not this job's.
    let out = f.release(&["--pin", &id.to_string()], &nobody.clone().env("QUIRE_PIN", "8765"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(f.held(id));
    // The right PIN alone releases it: no password is needed or asked for.
    let out = f.release(&["--pin", &id.to_string()], &nobody.clone().env("QUIRE_PIN", "4321"));
    assert_eq!(out.rc, 0, "{}", out.text());
    assert_eq!(out.stdout.trim(), format!("Released job {id}."), "{}", out.text());
    assert!(f.completes(id), "job {id} prints: {:?}", job_state(&f.server, id));
    assert!(printed(&f.server).contains(MARKER));
    // Five wrong PINs lock the other job: then its right PIN is refused too, and only
    // alice's password releases it.
    for _ in 0..5 {
        let out =
            f.release(&["--pin", &other.to_string()], &nobody.clone().env("QUIRE_PIN", "0000"));
        assert_eq!(out.rc, 1, "{}", out.text());
    }
    let out = f.release(&["--pin", &other.to_string()], &nobody.clone().env("QUIRE_PIN", "8765"));
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains("locked"), "{}", out.text());
    assert!(f.held(other));
    let out =
        f.release(&["-U", "alice", &other.to_string()], &nobody.env("QUIRE_PASSWORD", "alicepw"));
    assert_eq!(out.rc, 0, "{}", out.text());
    assert!(f.completes(other), "job {other} prints");
}
