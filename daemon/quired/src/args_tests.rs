use super::*;

fn parsed(words: &[&str]) -> Parsed {
    let argv: Vec<OsString> = words.iter().map(OsString::from).collect();
    parse(&argv, Path::new("/home/me"))
}

fn run(words: &[&str]) -> Args {
    match parsed(words) {
        Parsed::Run(a) => a,
        other => panic!("{words:?}: {other:?}"),
    }
}

#[test]
fn no_options_is_the_system_configuration_in_the_background() {
    let a = run(&[]);
    assert_eq!(a.cupsd_path(), PathBuf::from("/etc/cups/cupsd.conf"));
    assert_eq!(a.files_path(), PathBuf::from("/etc/cups/cups-files.conf"));
    assert!(!a.stays_in_foreground() && !a.demo);
}

#[test]
fn cupsd_options_and_grouped_letters() {
    let a = run(&["-ft", "-c", "conf/cupsd.conf", "-s", "/x/files.conf"]);
    assert!(a.foreground && a.test);
    assert_eq!(a.cupsd_path(), PathBuf::from("/home/me/conf/cupsd.conf"));
    assert_eq!(a.files_path(), PathBuf::from("/x/files.conf"));
    let a = run(&["-c", "/etc/q/cupsd.conf"]);
    assert_eq!(a.files_path(), PathBuf::from("/etc/q/cups-files.conf"));
    let a = run(&["-l"]);
    assert!(a.on_demand && a.stays_in_foreground());
    let a = run(&["-F", "-T"]);
    assert!(a.foreground_detached && a.test_print);
    // A file name right after the letter, as cupsd takes it: the next word.
    let a = run(&["-fc", "/a.conf"]);
    assert!(a.foreground);
    assert_eq!(a.cupsd_path(), PathBuf::from("/a.conf"));
}

#[test]
fn h_is_usage_as_in_cupsd() {
    assert_eq!(parsed(&["-h"]), Parsed::Usage);
    assert_eq!(parsed(&["-fh"]), Parsed::Usage);
    assert_eq!(parsed(&["--help"]), Parsed::Usage);
    assert_eq!(parsed(&["--version"]), Parsed::Version);
}

#[test]
fn demo_is_its_own_configuration() {
    let a = run(&["--demo", "--state-dir", "st"]);
    assert!(a.demo && a.stays_in_foreground());
    assert_eq!(a.state_dir, Some(PathBuf::from("/home/me/st")));
    for bad in [
        &["--demo", "-c", "/a"][..],
        &["--state-dir", "/s"],
        &["-x"],
        &["-c"],
        &["--nope"],
        &["stray"],
        &["--state-dir"],
    ] {
        assert!(matches!(parsed(bad), Parsed::Error(_)), "{bad:?}");
    }
}
