use super::*;

fn queue(name: &str, options: &[(&str, &str)]) -> Dest {
    let mut d = Dest::new(name, None);
    for (n, v) in options {
        d.options.add(n, v);
    }
    d
}

/// A session on `files` whose server has queues Q and R (Q its default); no request is made.
fn session(dir: &std::path::Path, system: &str) -> (Ctx, State) {
    let files = Files { system: dir.join("lpoptions"), user: None };
    std::fs::write(&files.system, system).unwrap();
    let mut st = State::new(files);
    let server = vec![
        queue("Q", &[("copies", "1"), ("printer-info", "Front desk")]),
        queue("R", &[("copies", "1")]),
    ];
    st.set_loaded(server, Some("Q"));
    (Ctx::new("lpoptions"), st)
}

fn saved(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("lpoptions")).unwrap()
}

#[test]
fn with_nothing_asked_the_default_destinations_options_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ctx, mut st) = session(dir.path(), "Dest Q sides=one-sided\n");
    // The server's default is not marked for a queue the file names (as CUPS).
    let shown = st.finish(&mut ctx).unwrap();
    assert_eq!(shown, None);
    let (mut ctx, mut st) = session(dir.path(), "");
    assert_eq!(st.finish(&mut ctx).unwrap().as_deref(), Some("copies=1 printer-info='Front desk'"));
    let (mut ctx, mut st) = session(dir.path(), "Default R media=A4\n");
    assert_eq!(st.finish(&mut ctx).unwrap().as_deref(), Some("copies=1 media=A4"));
}

#[test]
fn options_set_and_removed_are_saved_without_what_the_server_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ctx, mut st) = session(dir.path(), "Dest R media=A4 sides=one-sided\n");
    st.choose(&mut ctx, "R").unwrap();
    st.edit(&mut ctx, "copies=2 title='a b'", false).unwrap();
    st.edit(&mut ctx, "sides", true).unwrap();
    assert_eq!(st.finish(&mut ctx).unwrap(), None);
    assert_eq!(saved(dir.path()), "Default Q\nDest R copies=2 media=A4 title=\"a b\"\n");
}

#[test]
fn an_instance_starts_from_its_queue_and_can_be_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ctx, mut st) = session(dir.path(), "Dest R media=A4\n");
    st.choose(&mut ctx, "R/big").unwrap();
    st.edit(&mut ctx, "media=A3", false).unwrap();
    st.finish(&mut ctx).unwrap();
    assert_eq!(saved(dir.path()), "Default Q\nDest R media=A4\nDest R/big media=A3\n");
    let (mut ctx, mut st) = session(dir.path(), &saved(dir.path()));
    st.set_default(&mut ctx, "R/big").unwrap();
    assert_eq!(saved(dir.path()), "Dest R media=A4\nDefault R/big media=A3\n");
    let (mut ctx, mut st) = session(dir.path(), &saved(dir.path()));
    assert_eq!(st.finish(&mut ctx).unwrap().as_deref(), Some("copies=1 media=A3"));
}

#[test]
fn x_forgets_a_destinations_options_and_unknown_defaults_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ctx, mut st) = session(dir.path(), "Dest R media=A4\nDest R/big media=A3\n");
    st.forget(&mut ctx, "R/big").unwrap();
    assert_eq!(saved(dir.path()), "Default Q\nDest R media=A4\n");
    assert_eq!(st.finish(&mut ctx).unwrap(), None);
    let (mut ctx, mut st) = session(dir.path(), "");
    let err = st.set_default(&mut ctx, "Nope").unwrap_err();
    assert_eq!(err.to_string(), "Unknown printer or class.");
}

#[test]
fn the_command_line_is_read_as_cups_reads_it() {
    let mut ctx = Ctx::new("lpoptions");
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Operands and unknown letters are usage errors, before any request.
    let err = run(&mut ctx, &words(&["Q"])).unwrap_err();
    assert!(matches!(err, CliError::Usage(_)), "{err}");
    let err = run(&mut ctx, &words(&["-z"])).unwrap_err();
    assert!(matches!(err, CliError::Usage(_)), "{err}");
    let err = run(&mut ctx, &words(&["-p"])).unwrap_err();
    assert!(err.to_string().contains("expected value"), "{err}");
    assert_eq!(run(&mut ctx, &words(&["--help"])).unwrap(), 1);
}
