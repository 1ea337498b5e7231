//! Authentication, cupsd's policies and confidential held jobs, end to end: the real quired
//! under pam_wrapper + pam_matrix (real PAM, test accounts), CUPS's own lp/lpadmin/lpstat,
//! ipptool, and raw HTTP requests carrying Basic credentials.
//!
//! Root-only (setpriv runs clients as other uids); each test prints SKIPPED otherwise.

use quire_ipp::{Attribute, DelimiterTag, Value};
use quire_tests::confidential::{
    as_nobody_in_tty, ipp, job_request, job_state, lp, plaintext_in, printed, raw_post, secret_pdf,
    server, MARKER,
};
use quire_tests::process::wait_until;
use quire_tests::{cups_tool, Via};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn lpadmin_prompts_for_a_password_and_succeeds_with_the_right_one() {
    let Some((server, _pam)) = server() else { return };
    let h = server.host_port();
    let wrong = as_nobody_in_tty(
        &format!("lpadmin -h {h} -U root -p wrongq -E -v file:///dev/null"),
        "nope\n\n\n",
    );
    assert_ne!(wrong.rc, 0, "a wrong password must not administer: {}", wrong.text());
    assert!(wrong.text().contains("Password for root"), "lpadmin prompted: {}", wrong.text());
    let right = as_nobody_in_tty(
        &format!("lpadmin -h {h} -U root -p rightq -E -v file:///dev/null"),
        "rootpw\n",
    );
    assert_eq!(right.rc, 0, "the right password administers: {}", right.text());
    let lpstat = cups_tool(&server, Via::Tcp, "lpstat", &["-p"]).expect("lpstat");
    assert!(
        lpstat.stdout.contains("rightq") && !lpstat.stdout.contains("wrongq"),
        "{}",
        lpstat.text()
    );
    // Without credentials a non-admin is asked for them (401), not let through.
    let none = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "lpadmin",
            "-h",
            &h,
            "-p",
            "noneq",
            "-E",
            "-v",
            "file:///dev/null",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("lpadmin");
    assert!(!none.status.success());
    let audit = std::fs::read_to_string(server.dir().join("log/audit_log")).unwrap_or_default();
    assert!(audit.contains("auth-failed user=\"root\""), "audit log records the failure:\n{audit}");
    assert!(audit.contains("auth-ok user=\"root\""), "audit log records the success:\n{audit}");
    assert!(audit.contains("denied user=\"nobody\""), "audit log records the refusal:\n{audit}");
}

#[test]
fn a_pin_job_is_held_encrypted_survives_kill_9_and_prints_only_with_its_pin() {
    let Some((mut server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let id = lp(&server, &["-d", "office", "-o", "job-password=4321", &pdf.to_string_lossy()]);
    let (state, reasons) = job_state(&server, id);
    assert_eq!(state, 4, "held (pending-held)");
    assert!(reasons.iter().any(|r| r == "job-password-wait"), "{reasons:?}");
    let spool = server.dir().join("spool");
    assert_eq!(
        plaintext_in(&spool),
        Vec::<PathBuf>::new(),
        "no plaintext in the spool or the job store"
    );
    server.kill9_and_restart().expect("kill -9 and restart");
    assert_eq!(job_state(&server, id).0, 4, "still held after kill -9");
    assert_eq!(plaintext_in(&spool), Vec::<PathBuf>::new(), "still encrypted after kill -9");
    let pin =
        |p: &str| vec![Attribute::new("job-password", Value::OctetString(p.as_bytes().to_vec()))];
    let (_, wrong) = ipp(&server, None, &job_request(&server, 0x000D, id, "root", pin("9999")));
    assert_eq!(wrong.map(|m| m.code), Some(0x0403), "a wrong PIN is refused");
    assert_eq!(job_state(&server, id).0, 4);
    let (_, right) = ipp(&server, None, &job_request(&server, 0x000D, id, "root", pin("4321")));
    assert_eq!(right.map(|m| m.code), Some(0), "the right PIN releases");
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id).0 == 9),
        "the job completes"
    );
    assert!(printed(&server).contains(MARKER), "the printer got the plaintext");
    assert!(
        wait_until(Duration::from_secs(10), || plaintext_in(&spool).is_empty()),
        "nothing readable left"
    );
}

#[test]
fn only_the_owner_releases_cancels_or_reads_a_confidential_job() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let conf = [Attribute::new("quire-confidential", Value::Boolean(true))];
    let submit = |user: &str, pw: &str| -> i32 {
        let mut m = job_request(&server, 0x0005, 0, user, conf.to_vec());
        m.groups[0].push(Attribute::new("job-name", Value::Name("payslips".into())));
        let (_, r) = ipp(&server, Some((user, pw)), &m);
        let r = r.expect("Create-Job answer");
        r.group(DelimiterTag::Job)
            .and_then(|g| g.get("job-id"))
            .and_then(|a| a.first_i32())
            .expect("job-id")
    };
    let id = submit("alice", "alicepw");
    let mut send = job_request(
        &server,
        0x0006,
        id,
        "alice",
        vec![Attribute::new("last-document", Value::Boolean(true))],
    );
    send.groups[0]
        .push(Attribute::new("document-format", Value::MimeMediaType("application/pdf".into())));
    let mut body = send.encode();
    body.extend(std::fs::read(&pdf).expect("pdf"));
    let resp =
        String::from_utf8_lossy(&raw_post(&server, Some(("alice", "alicepw")), &body)).into_owned();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert_eq!(job_state(&server, id).0, 4, "held");
    // Bob, authenticated: may not release, cancel, or see its name or documents.
    let (_, r) =
        ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x000D, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not release alice's job");
    let (_, r) =
        ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0008, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not cancel alice's job");
    let (_, r) =
        ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0009, id, "bob", Vec::new()));
    let g = r.expect("answer");
    let job = g.group(DelimiterTag::Job).expect("job group");
    assert!(job.get("job-name").is_none(), "bob sees no name");
    let (_, r) =
        ipp(&server, Some(("bob", "bobpw")), &job_request(&server, 0x0035, id, "bob", Vec::new()));
    assert_ne!(r.map(|m| m.code), Some(0), "bob may not list its documents");
    // Claiming to be alice without her password is not enough.
    let (status, r) = ipp(&server, None, &job_request(&server, 0x000D, id, "alice", Vec::new()));
    assert!(status == 401 || r.is_some_and(|m| m.code != 0), "a claimed name does not release");
    assert_eq!(job_state(&server, id).0, 4, "still held");
    // Alice with her password releases it.
    let (_, r) = ipp(
        &server,
        Some(("alice", "alicepw")),
        &job_request(&server, 0x000D, id, "alice", Vec::new()),
    );
    assert_eq!(r.map(|m| m.code), Some(0), "alice releases her job");
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, id).0 == 9),
        "the job completes"
    );
    assert!(printed(&server).contains(MARKER));
}

#[test]
fn the_owner_deletes_unprinted_and_repeated_failures_lock_the_user_out() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let ids: Vec<i32> = (0..3)
        .map(|_| {
            lp(
                &server,
                &[
                    "-d",
                    "office",
                    "-U",
                    "alice",
                    "-o",
                    "quire-confidential=true",
                    &pdf.to_string_lossy(),
                ],
            )
        })
        .collect();
    for id in &ids {
        assert_eq!(job_state(&server, *id).0, 4);
    }
    // A delete before release: the owner cancels one unprinted.
    let (_, r) = ipp(
        &server,
        Some(("alice", "alicepw")),
        &job_request(&server, 0x0008, ids[2], "alice", Vec::new()),
    );
    assert_eq!(r.map(|m| m.code), Some(0), "alice deletes her held job");
    assert_eq!(job_state(&server, ids[2]).0, 7, "canceled");
    // Three wrong passwords lock alice out (MaxAuthFailures 3); then even the right one is refused.
    for _ in 0..3 {
        let (status, _) = ipp(
            &server,
            Some(("alice", "guess")),
            &job_request(&server, 0x4100, 0, "alice", Vec::new()),
        );
        assert_eq!(status, 401);
    }
    let (status, _) = ipp(
        &server,
        Some(("alice", "alicepw")),
        &job_request(&server, 0x4100, 0, "alice", Vec::new()),
    );
    assert_eq!(status, 403, "locked out");
    let audit = std::fs::read_to_string(server.dir().join("log/audit_log")).unwrap_or_default();
    assert!(audit.contains("auth-locked user=\"alice\""), "{audit}");
    assert_eq!(job_state(&server, ids[0]).0, 4, "nothing released while locked");
}

#[test]
fn release_all_releases_every_held_job_of_the_owner_in_one_request() {
    let Some((server, _pam)) = server() else { return };
    let pdf = secret_pdf(server.dir());
    let mine: Vec<i32> = (0..3)
        .map(|_| {
            lp(
                &server,
                &[
                    "-d",
                    "office",
                    "-U",
                    "alice",
                    "-o",
                    "quire-confidential=true",
                    &pdf.to_string_lossy(),
                ],
            )
        })
        .collect();
    let theirs = lp(
        &server,
        &["-d", "office", "-U", "bob", "-o", "quire-confidential=true", &pdf.to_string_lossy()],
    );
    let (_, r) = ipp(
        &server,
        Some(("alice", "alicepw")),
        &job_request(&server, 0x4100, 0, "alice", Vec::new()),
    );
    let r = r.expect("answer");
    assert_eq!(r.code, 0);
    let released: Vec<i32> = r
        .group(DelimiterTag::Job)
        .and_then(|g| g.get("quire-released-job-ids"))
        .map(|a| a.values.iter().filter_map(Value::as_i32).collect())
        .unwrap_or_default();
    assert_eq!(released, mine, "all of alice's jobs, in submission order");
    for id in &mine {
        assert!(
            wait_until(Duration::from_secs(30), || job_state(&server, *id).0 == 9),
            "job {id} completes"
        );
    }
    assert_eq!(job_state(&server, theirs).0, 4, "bob's job stays held");
}

#[test]
fn an_unreleased_job_expires_and_is_deleted_unprinted() {
    let Some((mut server, _pam)) = server() else { return };
    let conf_path = server.dir().join("etc/cupsd.conf");
    let text = std::fs::read_to_string(&conf_path)
        .expect("conf")
        .replace("ConfidentialHoldTime 4h", "ConfidentialHoldTime 2");
    std::fs::write(&conf_path, text).expect("write conf");
    server.kill9_and_restart().expect("restart");
    let pdf = secret_pdf(server.dir());
    // Big enough to be a spool file (not inline in the job store).
    let big = server.dir().join("big.pdf");
    let mut bytes = std::fs::read(&pdf).expect("pdf");
    bytes.extend(std::iter::repeat_n(b'%', 400 * 1024));
    std::fs::write(&big, bytes).expect("write");
    let id = lp(
        &server,
        &["-d", "office", "-U", "alice", "-o", "quire-confidential=true", &big.to_string_lossy()],
    );
    assert_eq!(job_state(&server, id).0, 4);
    assert!(
        wait_until(Duration::from_secs(15), || job_state(&server, id).0 == 7),
        "canceled when it expires: {:?}\n{}",
        job_state(&server, id),
        server.log_tail(30)
    );
    assert!(job_state(&server, id).1.iter().any(|r| r == "quire-job-expired"));
    let spool = server.dir().join("spool/quire");
    assert!(
        wait_until(Duration::from_secs(5), || std::fs::read_dir(&spool)
            .into_iter()
            .flatten()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().starts_with(&format!("d{id:05}-")))),
        "its spool file is gone"
    );
    assert!(!printed(&server).contains(MARKER), "nothing printed");
}
