use super::*;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn serve(list: &[&str]) -> Result<Options, CliError> {
    match parse(args(list))? {
        Command::Serve(o) => Ok(o),
        Command::Ctl(c) => panic!("not a serve command: {c:?}"),
    }
}

#[test]
fn parses_every_flag() {
    let o = serve(&[
        "--listen",
        "127.0.0.1:8631",
        "--control=127.0.0.1:8632",
        "--name",
        "p1",
        "--ppm",
        "0",
        "--formats",
        "application/pdf,image/urf",
        "--keep",
        "/tmp/k",
        "--page-log",
        "/tmp/l",
        "--media-empty-after",
        "5",
        "--jam-after",
        "3",
        "--offline",
        "--refuse-connections",
        "--auth",
        "id-card",
        "--encrypts",
        "--erases-storage",
        "--make-and-model",
        "Evil 1\n*Foo: x",
    ])
    .expect("parse");
    assert_eq!(o.listen.port(), 8631);
    assert_eq!(o.control.map(|c| c.port()), Some(8632));
    assert_eq!((o.name.as_str(), o.ppm), ("p1", 0));
    assert_eq!(o.formats, ["application/pdf", "image/urf"]);
    assert_eq!(o.keep, Keep::Dir("/tmp/k".into()));
    assert_eq!((o.media_empty_after, o.jam_after), (Some(5), Some(3)));
    assert!(o.offline && o.refuse_connections && o.encrypts && o.erases_storage);
    assert_eq!(o.auth, AuthMethod::IdCard);
    assert_eq!(o.make_and_model, "Evil 1\n*Foo: x");
}

#[test]
fn defaults() {
    let o = serve(&["--listen", "[::1]:0"]).expect("parse");
    assert_eq!((o.ppm, o.control, o.auth), (60, None, AuthMethod::None));
    assert_eq!(o.formats, DEFAULT_FORMATS);
    assert_eq!(o.keep, Keep::Discard);
    assert_eq!(o.make_and_model, "Quire Simulator");
}

#[test]
fn rejects_bad_flags() {
    assert_eq!(serve(&[]).unwrap_err(), CliError::Missing("--listen"));
    assert_eq!(serve(&["--listen"]).unwrap_err(), CliError::NeedsValue("--listen".into()));
    assert!(matches!(serve(&["--listen", "nowhere"]), Err(CliError::BadValue { .. })));
    assert!(matches!(serve(&["--listen", ":1", "--ppm", "-1"]), Err(CliError::BadValue { .. })));
    assert!(matches!(
        serve(&["--listen", "127.0.0.1:1", "--formats", "image/gif"]),
        Err(CliError::BadValue { .. })
    ));
    assert!(matches!(
        serve(&["--listen", "127.0.0.1:1", "--auth", "retina"]),
        Err(CliError::BadValue { .. })
    ));
    assert_eq!(serve(&["--bogus"]).unwrap_err(), CliError::Unknown("--bogus".into()));
    assert_eq!(serve(&["--listen", "127.0.0.1:1", "-h"]).unwrap_err(), CliError::Help);
}

#[test]
fn parses_ctl_commands() {
    let ctl = |list: &[&str]| match parse(args(list)) {
        Ok(Command::Ctl(c)) => Ok(c),
        Ok(Command::Serve(_)) => panic!("serve"),
        Err(e) => Err(e),
    };
    let c = ctl(&["ctl", "127.0.0.1:9", "fault", "media-empty-after", "5"]).expect("ctl");
    assert_eq!((c.addr.as_str(), c.path), ("127.0.0.1:9", "/control"));
    assert_eq!(c.form.as_deref(), Some("fault=media-empty-after&pages=5"));
    let c = ctl(&["ctl", "h:1", "fault", "refuse-connections"]).expect("ctl");
    assert_eq!(c.form.as_deref(), Some("fault=refuse-connections"));
    assert_eq!(ctl(&["ctl", "h:1", "repair"]).expect("ctl").form.as_deref(), Some("repair=1"));
    let c = ctl(&["ctl", "h:1", "status"]).expect("ctl");
    assert_eq!((c.form, c.path), (None, "/status"));
    assert!(ctl(&["ctl", "h:1", "fault", "jam-after", "x"]).is_err());
    assert!(ctl(&["ctl", "h:1", "fault", "fire"]).is_err());
    assert!(ctl(&["ctl"]).is_err());
}
