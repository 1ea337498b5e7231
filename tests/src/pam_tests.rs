//! The files and environments the wrappers get, and a check that the NSS preload really
//! replaces the system's users and groups.

use super::*;
use crate::process::run_with_timeout;

fn env_value<'a>(env: &'a [(String, String)], key: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn skip_without(available: bool, what: &str) -> bool {
    if !available {
        crate::skipped(&format!("{what} not installed"));
    }
    !available
}

#[test]
fn merge_joins_preloads_and_keeps_the_rest() {
    let a = vec![("LD_PRELOAD".into(), "/l/a.so".into()), ("A".into(), "1".into())];
    let b = vec![("B".into(), "2".into()), ("LD_PRELOAD".into(), "/l/b.so".into())];
    let merged = merge_env(&[a, b]);
    assert_eq!(env_value(&merged, "LD_PRELOAD"), Some("/l/a.so:/l/b.so"));
    assert_eq!(env_value(&merged, "A"), Some("1"));
    assert_eq!(env_value(&merged, "B"), Some("2"));
    assert_eq!(merged.iter().filter(|(k, _)| k == "LD_PRELOAD").count(), 1);
}

#[test]
fn ldconfig_listing_is_parsed() {
    let listing = "2 libs found in cache `/etc/ld.so.cache'\n\
        \tlibc.so.6 (libc6,x86-64) => /nonexistent/libc.so.6\n\
        \tlibpam_wrapper.so (libc6,x86-64) => /bin/sh\n";
    // /bin/sh stands in for an existing file; a listed file that is missing is skipped.
    assert_eq!(parse_ldconfig(listing, "libpam_wrapper.so"), Some(PathBuf::from("/bin/sh")));
    assert_eq!(parse_ldconfig(listing, "libc.so.6"), None);
    assert_eq!(parse_ldconfig(listing, "libpam"), None);
}

#[test]
fn colon_file_fields_are_checked() {
    assert!(check_field("user", "alice").is_ok());
    for bad in ["", "a:b", "a\nb", "a\0b"] {
        assert!(check_field("user", bad).is_err(), "{bad:?}");
    }
}

#[test]
fn pam_matrix_writes_service_and_passdb() {
    if skip_without(PamMatrix::available(), "libpam-wrapper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pam = PamMatrix::new(dir.path(), "cups", &[("alice", "pw one"), ("bob", "two")]).unwrap();
    assert_eq!(pam.service(), "cups");
    let passdb = std::fs::read_to_string(pam.passdb()).unwrap();
    assert_eq!(passdb, "alice:pw one:cups\nbob:two:cups\n");
    let conf = std::fs::read_to_string(pam.service_dir().join("cups")).unwrap();
    let lines: Vec<&str> = conf.lines().collect();
    assert_eq!(lines.len(), 2, "{conf}");
    assert!(lines[0].starts_with("auth required /") && lines[1].starts_with("account required /"));
    assert!(conf.contains("pam_wrapper/pam_matrix.so passdb="), "{conf}");
    let env = pam.env();
    assert!(env_value(&env, "LD_PRELOAD").is_some_and(|p| p.ends_with("/libpam_wrapper.so")));
    assert_eq!(env_value(&env, "PAM_WRAPPER"), Some("1"));
    let service_dir = pam.service_dir().display().to_string();
    assert_eq!(env_value(&env, "PAM_WRAPPER_SERVICE_DIR"), Some(service_dir.as_str()));

    let err = PamMatrix::new(dir.path(), "cups", &[("ev:il", "x")]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(PamMatrix::new(dir.path(), "../cups", &[]).is_err());
}

fn nss_fixture(dir: &Path) -> NssWrapper {
    NssWrapper::new(
        dir,
        &[("alice", 4001, 4001), ("bob", 4002, 4002)],
        &[("alice", 4001, &[]), ("bob", 4002, &[]), ("lpadmin", 4100, &["alice"])],
    )
    .unwrap()
}

#[test]
fn nss_wrapper_writes_passwd_and_group_with_root() {
    if skip_without(NssWrapper::available(), "libnss-wrapper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let nss = nss_fixture(dir.path());
    let passwd = std::fs::read_to_string(nss.passwd()).unwrap();
    assert!(passwd.starts_with("alice:x:4001:4001:alice:"), "{passwd}");
    assert!(passwd.contains("\nroot:x:0:0:root:/root:"), "{passwd}");
    let group = std::fs::read_to_string(nss.group()).unwrap();
    assert!(group.contains("lpadmin:x:4100:alice\n"), "{group}");
    assert!(group.contains("root:x:0:\n"), "{group}");
    let env = nss.env();
    assert!(env_value(&env, "LD_PRELOAD").is_some_and(|p| p.ends_with("/libnss_wrapper.so")));
    assert_eq!(
        env_value(&env, "NSS_WRAPPER_PASSWD"),
        Some(nss.passwd().display().to_string().as_str())
    );
    assert_eq!(
        env_value(&env, "NSS_WRAPPER_GROUP"),
        Some(nss.group().display().to_string().as_str())
    );
}

/// Runs `program args` under `env`; (exit code, stdout).
fn run_under(env: &[(String, String)], program: &str, args: &[&str]) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = run_with_timeout(20, program, &args, None, env).expect(program);
    (out.rc, out.stdout.trim().to_string())
}

#[test]
fn nss_preload_replaces_system_users_and_groups() {
    if skip_without(NssWrapper::available(), "libnss-wrapper") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env = nss_fixture(dir.path()).env();
    let (rc, out) = run_under(&env, "getent", &["passwd", "alice"]);
    assert_eq!((rc, out.as_str()), (0, "alice:x:4001:4001:alice:/nonexistent:/bin/false"));
    let (rc, out) = run_under(&env, "id", &["-Gn", "alice"]);
    assert_eq!((rc, out.as_str()), (0, "alice lpadmin"));
    let (rc, out) = run_under(&env, "id", &["-Gn", "bob"]);
    assert_eq!((rc, out.as_str()), (0, "bob"));
    // A user only the system knows is gone: the system files are not consulted.
    let (rc, _) = run_under(&env, "getent", &["passwd", "daemon"]);
    assert_eq!(rc, 2, "getent passwd daemon should find nothing under nss_wrapper");
}

#[test]
fn combined_env_preloads_both_libraries() {
    if skip_without(
        PamMatrix::available() && NssWrapper::available(),
        "libpam-wrapper or libnss-wrapper",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pam = PamMatrix::new(&dir.path().join("pam"), "cups", &[("alice", "pw")]).unwrap();
    let nss = nss_fixture(&dir.path().join("nss"));
    let env = combined_env(&pam, &nss);
    let preload = env_value(&env, "LD_PRELOAD").unwrap();
    assert!(
        preload.contains("libpam_wrapper.so:") && preload.ends_with("libnss_wrapper.so"),
        "{preload}"
    );
    for key in ["PAM_WRAPPER", "PAM_WRAPPER_SERVICE_DIR", "NSS_WRAPPER_PASSWD", "NSS_WRAPPER_GROUP"]
    {
        assert!(env_value(&env, key).is_some(), "{key} missing");
    }
    // Both libraries load together and NSS still answers from the test files.
    let (rc, out) = run_under(&env, "id", &["-Gn", "alice"]);
    assert_eq!((rc, out.as_str()), (0, "alice lpadmin"));
}
