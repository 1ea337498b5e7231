use super::*;
use std::fs;

#[test]
fn accounts_come_from_the_user_database() {
    use nix::unistd::Group;
    // root is uid 0 with primary group 0 on every Unix.
    assert_eq!(lookup_account("root", None), Some(Account { uid: 0, gid: 0 }));
    // A group named: that group, not the primary one.
    if let Ok(Some(daemon)) = Group::from_name("daemon") {
        assert_eq!(
            lookup_account("root", Some("daemon")),
            Some(Account { uid: 0, gid: daemon.gid.as_raw() })
        );
    }
    assert_eq!(lookup_account("root", Some("quire-no-such-group")), None);
    assert_eq!(lookup_account("quire-no-such-user", None), None);
    assert_eq!(lookup_account("", None), None);
}

#[test]
fn only_backends_nobody_else_may_run_get_root() {
    assert!(wants_root(0o700));
    assert!(wants_root(0o500));
    assert!(wants_root(0o744));
    assert!(wants_root(0o750));
    assert!(!wants_root(0o755));
    assert!(!wants_root(0o711));
    assert!(!wants_root(0o770));
}

fn program(dir: &Path, name: &str, mode: u32) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, "#!/bin/sh\nexit 0\n").expect("write");
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).expect("chmod");
    p
}

#[test]
fn insecure_or_unusable_programs_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let as_root = effective_uid(dir.path()).expect("uid") == 0;
    assert!(check_program(&program(dir.path(), "ok", 0o755), as_root).is_ok());
    assert!(check_program(&program(dir.path(), "root-only", 0o700), as_root).is_ok());
    for (name, mode) in [("world", 0o757), ("group", 0o775), ("setuid", 0o4755), ("setgid", 0o2755)]
    {
        let err = check_program(&program(dir.path(), name, mode), as_root).expect_err(name);
        assert!(matches!(err, Refusal::Insecure(_)), "{name}: {err:?}");
    }
    assert!(matches!(
        check_program(&program(dir.path(), "noexec", 0o644), as_root),
        Err(Refusal::NotProgram(_))
    ));
    assert!(matches!(check_program(dir.path(), as_root), Err(Refusal::NotProgram(_))));
    assert_eq!(check_program(&dir.path().join("absent"), as_root).err(), Some(Refusal::Missing));
    // A directory anyone may write to could swap the program.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).expect("chmod dir");
    let err = check_program(&dir.path().join("ok"), as_root).expect_err("world-writable dir");
    assert!(matches!(err, Refusal::Insecure(ref m) if m.contains("writable")), "{err:?}");
}
