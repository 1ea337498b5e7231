use super::*;
use std::fs;

const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
                      lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n\
                      broken:x:notanumber:1::/:/bin/false\n\
                      short:x\n";
const GROUP: &str = "root:x:0:\nlp:x:7:\nlpadmin:x:120:alice\n";

#[test]
fn accounts_come_from_passwd_and_group() {
    assert_eq!(lookup_account(PASSWD, GROUP, "lp", None), Some(Account { uid: 7, gid: 7 }));
    assert_eq!(lookup_account(PASSWD, GROUP, "lp", Some("lpadmin")), Some(Account { uid: 7, gid: 120 }));
    assert_eq!(lookup_account(PASSWD, GROUP, "lp", Some("nogroup")), None);
    assert_eq!(lookup_account(PASSWD, GROUP, "nobody", None), None);
    assert_eq!(lookup_account(PASSWD, GROUP, "broken", None), None);
    assert_eq!(lookup_account(PASSWD, GROUP, "short", None), None);
    assert_eq!(lookup_account("", "", "lp", None), None);
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
    for (name, mode) in [("world", 0o757), ("group", 0o775), ("setuid", 0o4755), ("setgid", 0o2755)] {
        let err = check_program(&program(dir.path(), name, mode), as_root).expect_err(name);
        assert!(matches!(err, Refusal::Insecure(_)), "{name}: {err:?}");
    }
    assert!(matches!(check_program(&program(dir.path(), "noexec", 0o644), as_root), Err(Refusal::NotProgram(_))));
    assert!(matches!(check_program(dir.path(), as_root), Err(Refusal::NotProgram(_))));
    assert_eq!(check_program(&dir.path().join("absent"), as_root).err(), Some(Refusal::Missing));
    // A directory anyone may write to could swap the program.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).expect("chmod dir");
    let err = check_program(&dir.path().join("ok"), as_root).expect_err("world-writable dir");
    assert!(matches!(err, Refusal::Insecure(ref m) if m.contains("writable")), "{err:?}");
}
