//! One smoke test with the system's own PAM and no wrapper: a throwaway Unix account with a
//! password in /etc/shadow, a PAM service of pam_unix alone, and quired told to use it
//! (`PamService` in cups-files.conf). What pam_wrapper tests cannot show: the daemon's PAM
//! calls work against a real module and the real account database.
//!
//! Root-only: it adds a user and a file in /etc/pam.d, both removed when the test ends
//! (pass or fail). Prints SKIPPED otherwise.

use quire_ipp::{Attribute, Value};
use quire_tests::confidential::{
    ipp, is_root, job_request, job_state, lp, printed, quire, quire_binary, secret_pdf,
    start_with_default_policy, As, COMPLETED, HELD, MARKER,
};
use quire_tests::process::{have_program, wait_until};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A Unix user and its PAM service file; both are removed on drop, even after a failure.
struct SystemAccount {
    user: String,
    pam_file: PathBuf,
}

impl SystemAccount {
    /// Adds `user` (no home, no login shell) with `password`, and /etc/pam.d/`service`
    /// checking it with pam_unix.
    fn create(user: &str, password: &str, service: &str) -> SystemAccount {
        let account = SystemAccount {
            user: user.into(),
            pam_file: PathBuf::from("/etc/pam.d").join(service),
        };
        // A leftover of a killed run with the same pid would make useradd fail.
        account.remove();
        let out = Command::new("useradd")
            .args(["-M", "-N", "-s", "/usr/sbin/nologin", user])
            .output()
            .expect("useradd");
        assert!(out.status.success(), "useradd {user}: {}", String::from_utf8_lossy(&out.stderr));
        let mut chpasswd = Command::new("chpasswd")
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chpasswd");
        chpasswd
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{user}:{password}\n").as_bytes())
            .expect("write chpasswd");
        let out = chpasswd.wait_with_output().expect("chpasswd");
        assert!(out.status.success(), "chpasswd: {}", String::from_utf8_lossy(&out.stderr));
        // As root pam_unix reads /etc/shadow itself (no unix_chkpwd helper involved).
        std::fs::write(
            &account.pam_file,
            "auth required pam_unix.so\naccount required pam_unix.so\n",
        )
        .expect("write pam.d file");
        account
    }

    fn remove(&self) {
        let _ = Command::new("userdel").arg(&self.user).stderr(Stdio::null()).status();
        let _ = std::fs::remove_file(&self.pam_file);
    }
}

impl Drop for SystemAccount {
    fn drop(&mut self) {
        self.remove();
    }
}

#[test]
fn a_real_pam_unix_user_releases_a_confidential_job_only_with_the_right_password() {
    let missing: Vec<&str> =
        ["useradd", "userdel", "chpasswd"].into_iter().filter(|p| !have_program(p)).collect();
    if !is_root() || !missing.is_empty() {
        quire_tests::skipped(&format!(
            "needs root, useradd, userdel and chpasswd (missing: {missing:?})"
        ));
        return;
    }
    let pid = std::process::id();
    let (user, password, service) =
        (format!("quiretest{pid}"), format!("Smoke-{pid}-pw"), format!("quire-smoke-{pid}"));
    let _account = SystemAccount::create(&user, &password, &service);
    // No LD_PRELOAD: the daemon loads the system's libpam and pam_unix.
    let Some(server) = start_with_default_policy(&[], &format!("PamService {service}\n")) else {
        quire_tests::skipped("quired binary not built");
        return;
    };
    let pdf = secret_pdf(server.dir()).to_string_lossy().into_owned();
    let submit =
        || lp(&server, &["-d", "office", "-U", &user, "-o", "quire-confidential=true", &pdf]);
    let (first, second) = (submit(), submit());
    assert_eq!(job_state(&server, first).0, HELD, "held for its owner");
    let release = |id: i32, pw: &str| {
        ipp(&server, Some((&user, pw)), &job_request(&server, 0x000D, id, &user, Vec::new()))
    };
    // A wrong password: HTTP 401 from PAM's refusal, and the job stays held.
    let (status, _) = release(first, "not-the-password");
    assert_eq!(status, 401, "pam_unix refuses a wrong password\n{}", server.log_tail(20));
    assert_eq!(job_state(&server, first).0, HELD, "still held");
    // The right one passes pam_unix's auth and account checks and releases the job.
    let (status, resp) = release(first, &password);
    assert_eq!(
        (status, resp.map(|m| m.code)),
        (200, Some(0)),
        "the right password releases\n{}",
        server.log_tail(20)
    );
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, first).0 == COMPLETED),
        "job {first} prints"
    );
    assert!(printed(&server).contains(MARKER), "the printer got the document");
    let audit = std::fs::read_to_string(server.dir().join("log/audit_log")).unwrap_or_default();
    assert!(
        audit.contains(&format!("auth-failed user=\"{user}\"")),
        "audit log records the failure:\n{audit}"
    );
    assert!(
        audit.contains(&format!("auth-ok user=\"{user}\"")),
        "audit log records the success:\n{audit}"
    );
    // Quire's own CLI, as an unprivileged uid: the same account releases the second job.
    let Some(bin) = quire_binary() else {
        quire_tests::skipped(
            "quire binary not built; quire release not tried (the rest of the test ran)",
        );
        return;
    };
    let out = quire(
        &bin,
        &server,
        "release",
        &["-U", &user, &second.to_string()],
        &As::user("nobody").stdin("wrong\n"),
    );
    assert_eq!(out.rc, 1, "{}", out.text());
    assert!(out.stderr.contains(&format!("Authentication failed for {user}.")), "{}", out.text());
    assert_eq!(job_state(&server, second).0, HELD, "still held");
    let out = quire(
        &bin,
        &server,
        "release",
        &["-U", &user, &second.to_string()],
        &As::user("nobody").stdin(&format!("{password}\n")),
    );
    assert_eq!(out.rc, 0, "{}", out.text());
    assert!(
        wait_until(Duration::from_secs(30), || job_state(&server, second).0 == COMPLETED),
        "job {second} prints"
    );
    // A PIN is no password: job-password on an owner-released job does not stand in for it.
    let pin =
        vec![Attribute::new("job-password", Value::OctetString(password.as_bytes().to_vec()))];
    let third = submit();
    let (status, _) = ipp(&server, None, &job_request(&server, 0x000D, third, &user, pin));
    assert_eq!(status, 401, "an unproven claim to be {user} is asked for a password");
    assert_eq!(job_state(&server, third).0, HELD);
}
