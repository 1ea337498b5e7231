//! Quire's own CLI (`quire lpadmin|lp|lpstat|cancel`) is an IPP client: it must work against
//! cupsd as well as quired, with CUPS's flags and output.

use quire_tests::process::run_with_timeout;
use quire_tests::{data_dir, quired_binary, Server};
use std::path::{Path, PathBuf};

fn quire_binary() -> Option<PathBuf> {
    quired_binary().map(|q| q.with_file_name("quire")).filter(|p| p.is_file())
}

fn quire(bin: &Path, server: &Server, args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<String> = vec![args[0].to_string(), "-h".into(), server.host_port()];
    all.extend(args[1..].iter().map(|a| a.to_string()));
    let out = run_with_timeout(
        20,
        &bin.to_string_lossy(),
        &all,
        None,
        &[("USER".into(), "tester".into()), ("LC_ALL".into(), "C".into())],
    )
    .expect("run quire");
    (out.rc, out.stdout.clone(), out.text())
}

#[test]
fn quire_cli_against_both_servers() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    let servers = quire_tests::both_servers();
    let doc = data_dir().join("documents/document-letter.pdf");
    let doc = doc.to_string_lossy().into_owned();
    for server in &servers {
        let name = server.name();
        let out_file = server.out_dir().join("cq.prn");
        let uri = format!("file://{}", out_file.display());
        let (rc, _, text) = quire(&bin, server, &["lpadmin", "-p", "CQ", "-v", &uri, "-E"]);
        assert_eq!(rc, 0, "{name}: lpadmin\n{text}");
        let (rc, stdout, text) = quire(&bin, server, &["lp", "-d", "CQ", "-H", "hold", &doc]);
        assert_eq!(rc, 0, "{name}: lp -H hold\n{text}");
        let id: String = stdout
            .trim()
            .strip_prefix("request id is CQ-")
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("{name}: lp output {stdout:?}"))
            .to_string();
        let (rc, stdout, text) = quire(&bin, server, &["lpstat", "-o", "CQ"]);
        assert_eq!(rc, 0, "{name}: lpstat -o\n{text}");
        assert!(
            stdout.contains(&format!("CQ-{id}")) && stdout.contains("tester"),
            "{name}: lpstat -o shows the job and its owner:\n{stdout}"
        );
        let (rc, _, text) = quire(&bin, server, &["cancel", &format!("CQ-{id}")]);
        assert_eq!(rc, 0, "{name}: cancel\n{text}");
        let (_, stdout, _) = quire(&bin, server, &["lpstat", "-o", "CQ"]);
        assert!(
            !stdout.contains(&format!("CQ-{id}")),
            "{name}: canceled job still listed:\n{stdout}"
        );
        let (rc, stdout, text) = quire(&bin, server, &["lpstat", "-p", "CQ"]);
        assert_eq!(rc, 0, "{name}: lpstat -p\n{text}");
        assert!(stdout.starts_with("printer CQ is idle."), "{name}: {stdout}");
        if name.contains("quired") {
            let (rc, _, text) = quire(&bin, server, &["lp", "-d", "CQ", &doc]);
            assert_eq!(rc, 0, "{name}: lp\n{text}");
            let want =
                std::fs::read(data_dir().join("documents/document-letter.pdf")).expect("read doc");
            quire_tests::process::wait_until(std::time::Duration::from_secs(10), || {
                std::fs::read(&out_file).ok().as_ref() == Some(&want)
            });
            assert_eq!(
                std::fs::read(&out_file).ok(),
                Some(want),
                "{name}: the document's bytes arrive"
            );
        }
        let (rc, _, text) = quire(&bin, server, &["lp", "-d", "NoSuchQueue", &doc]);
        assert_eq!(rc, 1, "{name}: lp to a missing queue must fail\n{text}");
        assert!(
            text.contains("does not exist") || text.contains("not found"),
            "{name}: names the problem:\n{text}"
        );
        let (rc, _, text) = quire(&bin, server, &["lpadmin", "-x", "CQ"]);
        assert_eq!(rc, 0, "{name}: lpadmin -x\n{text}");
    }
}

/// What CUPS's own `lpstat` (over the Unix socket) prints for `args`.
fn cups_lpstat(server: &Server, args: &[&str]) -> String {
    quire_tests::cups_tool_ok(server, quire_tests::Via::Socket, "lpstat", args)
        .map(|o| o.stdout)
        .unwrap_or_else(|e| panic!("{}: lpstat {args:?}: {e}", server.name()))
}

/// `quire cupsaccept | cupsreject | cupsenable | cupsdisable | lpmove` against both servers,
/// each change read back with CUPS's own lpstat.
#[test]
fn quire_admin_commands_against_both_servers() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    let doc = data_dir().join("documents/document-letter.pdf");
    let doc = doc.to_string_lossy().into_owned();
    for server in &quire_tests::both_servers() {
        let name = server.name();
        for q in ["CM", "CN"] {
            let uri = format!("file://{}/{q}.prn", server.out_dir().display());
            let (rc, _, text) = quire(&bin, server, &["lpadmin", "-p", q, "-v", &uri, "-E"]);
            assert_eq!(rc, 0, "{name}: lpadmin {q}\n{text}");
        }
        let (rc, _, text) = quire(&bin, server, &["cupsreject", "-r", "closed for repair", "CM"]);
        assert_eq!(rc, 0, "{name}: cupsreject\n{text}");
        let shown = cups_lpstat(server, &["-a", "CM"]);
        assert!(shown.contains("not accepting"), "{name}: {shown}");
        assert!(shown.contains("closed for repair"), "{name}: the reason is shown: {shown}");
        let (rc, _, text) = quire(&bin, server, &["cupsaccept", "CM"]);
        assert_eq!(rc, 0, "{name}: cupsaccept\n{text}");
        assert!(cups_lpstat(server, &["-a", "CM"]).contains("CM accepting"), "{name}");
        let (rc, _, text) = quire(&bin, server, &["cupsdisable", "-r", "paper jam", "CM"]);
        assert_eq!(rc, 0, "{name}: cupsdisable\n{text}");
        let shown = cups_lpstat(server, &["-p", "CM"]);
        assert!(shown.contains("disabled") && shown.contains("paper jam"), "{name}: {shown}");
        let (rc, _, text) = quire(&bin, server, &["cupsenable", "CM"]);
        assert_eq!(rc, 0, "{name}: cupsenable\n{text}");
        assert!(cups_lpstat(server, &["-p", "CM"]).contains("is idle"), "{name}");
        for args in [["cupsdisable", "--hold", "CM"], ["cupsenable", "--release", "CM"]] {
            let (rc, _, text) = quire(&bin, server, &args);
            assert_eq!(rc, 0, "{name}: {args:?}\n{text}");
        }
        // lpmove: one job by id, then every job of a queue.
        let (rc, stdout, text) = quire(&bin, server, &["lp", "-d", "CM", "-H", "hold", &doc]);
        assert_eq!(rc, 0, "{name}: lp\n{text}");
        let id = stdout.trim().strip_prefix("request id is CM-").and_then(|r| r.split('(').next());
        let id = id.map(str::trim).unwrap_or_else(|| panic!("{name}: {stdout}")).to_string();
        let (rc, _, text) = quire(&bin, server, &["lpmove", &format!("CM-{id}"), "CN"]);
        assert_eq!(rc, 0, "{name}: lpmove job\n{text}");
        assert!(cups_lpstat(server, &["-o", "CN"]).contains(&format!("CN-{id}")), "{name}");
        let (rc, _, text) = quire(&bin, server, &["lpmove", "CN", "CM"]);
        assert_eq!(rc, 0, "{name}: lpmove queue\n{text}");
        assert!(cups_lpstat(server, &["-o", "CM"]).contains(&format!("CM-{id}")), "{name}");
        // Errors name the problem and fail.
        let (rc, _, text) = quire(&bin, server, &["cupsaccept", "NoSuchQueue"]);
        assert_eq!(rc, 1, "{name}: cupsaccept of a missing queue\n{text}");
        assert!(text.contains("cupsaccept: Operation failed"), "{name}: {text}");
        let (rc, _, text) = quire(&bin, server, &["lpmove", &format!("CM-{id}"), "NoSuchQueue"]);
        assert_eq!(rc, 1, "{name}: lpmove to a missing queue\n{text}");
        assert!(text.contains("\nlpmove: "), "{name}: names the command: {text}");
    }
}

/// `quire lpinfo` prints what CUPS's lpinfo prints, against both servers: the models
/// exactly, the devices as the same set of lines (discovery order varies).
#[test]
fn quire_lpinfo_prints_what_cups_lpinfo_prints() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    for server in &quire_tests::both_servers() {
        let name = server.name();
        for args in [["-m", ""], ["-l", "-m"]] {
            let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
            let theirs = quire_tests::cups_tool_ok(server, quire_tests::Via::Tcp, "lpinfo", &args)
                .unwrap_or_else(|e| panic!("{name}: lpinfo {args:?}: {e}"));
            let mut all = vec!["lpinfo"];
            all.extend(&args);
            let (rc, ours, text) = quire(&bin, server, &all);
            assert_eq!(rc, 0, "{name}: quire lpinfo {args:?}\n{text}");
            assert_eq!(ours, theirs.stdout, "{name}: lpinfo {args:?}");
        }
        let sorted = |s: &str| {
            let mut l: Vec<String> = s.lines().map(str::to_string).collect();
            l.sort();
            l
        };
        let theirs = quire_tests::cups_tool_ok(server, quire_tests::Via::Tcp, "lpinfo", &["-v"])
            .unwrap_or_else(|e| panic!("{name}: lpinfo -v: {e}"));
        let (rc, ours, text) = quire(&bin, server, &["lpinfo", "-v"]);
        assert_eq!(rc, 0, "{name}: quire lpinfo -v\n{text}");
        assert!(!ours.trim().is_empty(), "{name}: some device class is listed");
        assert_eq!(sorted(&ours), sorted(&theirs.stdout), "{name}: lpinfo -v");
        let (rc, _, text) = quire(&bin, server, &["lpinfo"]);
        assert_eq!(rc, 1, "{name}: lpinfo without -m or -v shows its usage\n{text}");
    }
}

/// `-E`: the commands speak TLS to a TCP server (the first byte a listener sees is a TLS
/// handshake record), and work so against both servers.
#[test]
fn dash_e_encrypts_the_connection() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let first = std::thread::spawn(move || {
        use std::io::Read;
        let (mut s, _) = listener.accept().expect("accept");
        let mut byte = [0u8; 1];
        s.read_exact(&mut byte).map(|()| byte[0]).ok()
    });
    let args = ["-E", "-h", &format!("127.0.0.1:{port}"), "-p"].map(String::from);
    let _ = run_with_timeout(
        10,
        &bin.to_string_lossy(),
        &[&["lpstat".to_string()][..], &args[..]].concat(),
        None,
        &[],
    );
    assert_eq!(first.join().expect("listener"), Some(0x16), "a TLS handshake record first");
    for server in &quire_tests::both_servers() {
        let name = server.name();
        let uri = format!("file://{}/e.prn", server.out_dir().display());
        let (rc, _, text) = quire(&bin, server, &["lpadmin", "-E", "-p", "EQ", "-v", &uri, "-E"]);
        assert_eq!(rc, 0, "{name}: lpadmin -E\n{text}");
        let (rc, stdout, text) = quire(&bin, server, &["lpstat", "-E", "-p", "EQ"]);
        assert_eq!(rc, 0, "{name}: lpstat -E\n{text}");
        assert!(stdout.starts_with("printer EQ is idle."), "{name}: {stdout}");
    }
}

/// CUPS's own lpoptions (a client of the scheduler, as Quire's CLI is) lists a queue's
/// options from either server: the printer's own description the same. (Its `-default`
/// options are cupsd's alone for now: quired does not expand `printer-defaults`, since CUPS's
/// lp would then send quired's fuller raw-queue defaults, media and sides, with every job.)
#[test]
fn cups_lpoptions_lists_the_same_options_from_both_servers() {
    if !quire_tests::process::have_program("lpoptions") {
        quire_tests::skipped("needs CUPS's lpoptions");
        return;
    }
    let mut names = Vec::new();
    for server in &quire_tests::both_servers() {
        let name = server.name();
        let uri = format!("file://{}/o.prn", server.out_dir().display());
        let via = quire_tests::Via::Socket;
        let add = ["-p", "OQ", "-v", &uri, "-E", "-D", "Third floor"];
        quire_tests::cups_tool_ok(server, via, "lpadmin", &add)
            .unwrap_or_else(|e| panic!("{name}: lpadmin: {e}"));
        let out = quire_tests::cups_tool_ok(server, via, "lpoptions", &["-p", "OQ"])
            .unwrap_or_else(|e| panic!("{name}: lpoptions: {e}"));
        assert!(out.stdout.contains("printer-info='Third floor'"), "{name}: {}", out.stdout);
        let described = [
            "device-uri",
            "marker-change-time",
            "printer-info",
            "printer-is-accepting-jobs",
            "printer-is-temporary",
            "printer-location",
            "printer-make-and-model",
            "printer-state",
            "printer-state-reasons",
            "printer-uri-supported",
        ];
        let mut keys: Vec<String> = out
            .stdout
            .split_whitespace()
            .map(|w| w.split_once('=').map_or(w, |(k, _)| k).to_string())
            .filter(|k| described.contains(&k.as_str()))
            .collect();
        keys.sort();
        names.push((name, keys));
    }
    if let [(_, cupsd), (_, quired)] = names.as_slice() {
        let missing: Vec<&String> = cupsd.iter().filter(|k| !quired.contains(k)).collect();
        assert!(missing.is_empty(), "quired lacks {missing:?}");
    }
}

/// `quire` with its lpoptions files in `conf` (CUPS_SERVERROOT, and HOME for a user's own):
/// the host's /etc/cups/lpoptions is never touched.
fn quire_in(bin: &Path, server: &Server, conf: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<String> = vec![args[0].to_string(), "-h".into(), server.host_port()];
    all.extend(args[1..].iter().map(|a| a.to_string()));
    let dir = conf.to_string_lossy().into_owned();
    let env = [
        ("USER".into(), "tester".into()),
        ("LC_ALL".into(), "C".into()),
        ("CUPS_SERVERROOT".into(), dir.clone()),
        ("HOME".into(), dir),
    ];
    let out = run_with_timeout(20, &bin.to_string_lossy(), &all, None, &env).expect("run quire");
    (out.rc, out.stdout.clone(), out.text())
}

/// `quire lpoptions` keeps a queue's options and the default destination in the lpoptions file
/// as CUPS's lpoptions does, lists them over the server's defaults, and `quire lp` uses them
/// (the default destination, the saved options under the command line's): both servers.
#[test]
fn quire_lpoptions_saves_options_that_quire_lp_uses() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    let doc = data_dir().join("documents/document-letter.pdf").to_string_lossy().into_owned();
    for server in &quire_tests::both_servers() {
        let name = server.name();
        let conf = tempfile::tempdir().expect("tempdir");
        let run = |args: &[&str]| quire_in(&bin, server, conf.path(), args);
        let uri = format!("file://{}/lq.prn", server.out_dir().display());
        let (rc, _, text) = run(&["lpadmin", "-p", "LQ", "-v", &uri, "-E"]);
        assert_eq!(rc, 0, "{name}: lpadmin\n{text}");
        let (rc, _, text) =
            run(&["lpoptions", "-d", "LQ", "-o", "copies=2", "-o", "sides=two-sided-long-edge"]);
        assert_eq!(rc, 0, "{name}: lpoptions -o\n{text}");
        let file = std::fs::read_to_string(conf.path().join("lpoptions")).unwrap_or_default();
        assert!(
            file.starts_with("Default LQ ") && file.contains("copies=2"),
            "{name}: the lpoptions file: {file:?}"
        );
        let (rc, shown, text) = run(&["lpoptions", "-p", "LQ"]);
        assert_eq!(rc, 0, "{name}: lpoptions -p\n{text}");
        for want in ["copies=2", "sides=two-sided-long-edge", "device-uri="] {
            assert!(shown.contains(want), "{name}: lpoptions -p LQ lists {want}: {shown}");
        }
        let (_, default, _) = run(&["lpstat", "-d"]);
        assert!(default.contains("system default destination: LQ"), "{name}: {default}");
        // No -d: the file's default; its copies=2, under the command line's sides.
        let (rc, out, text) = run(&["lp", "-H", "hold", "-o", "sides=one-sided", &doc]);
        assert_eq!(rc, 0, "{name}: lp with no -d\n{text}");
        let id: i32 = out
            .trim()
            .strip_prefix("request id is LQ-")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name}: the job went to the file's default: {out}"));
        let job = job_attributes(server, id);
        let attr = |n: &str| job.iter().find(|a| a.name == n).map(|a| a.values.clone());
        assert_eq!(attr("copies"), Some(vec![quire_ipp::Value::Integer(2)]), "{name}: {job:?}");
        let one_sided = quire_ipp::Value::Keyword("one-sided".into());
        assert_eq!(attr("sides"), Some(vec![one_sided]), "{name}: the command line wins");
        let (rc, _, text) = run(&["lpoptions", "-d", "NoSuchQueue"]);
        assert_eq!(rc, 1, "{name}: a default that is no queue\n{text}");
        run(&["cancel", &format!("LQ-{id}")]);
    }
}

/// The job's attributes, asked of the server over TCP.
fn job_attributes(server: &Server, id: i32) -> Vec<quire_ipp::Attribute> {
    use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
    let mut req =
        quire_client::request_as(Operation::GetJobAttributes, Some(&server.uri_base()), "tester");
    let g = req.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("job-id", Value::Integer(id)));
    g.push(Attribute::set("requested-attributes", vec![Value::Keyword("all".into())]));
    let dest = quire_client::Destination::Tcp { host: "127.0.0.1".into(), port: server.port() };
    let mut c = quire_client::Client::connect(dest).expect("connect");
    let resp = c.send("/", &req, None).expect("Get-Job-Attributes");
    resp.group(DelimiterTag::Job).map(|g| g.attributes.clone()).unwrap_or_default()
}

/// `quire cupsctl` shows the settings as CUPS's cupsctl does and changes one through GET/PUT
/// `/admin/conf/cupsd.conf`, which both servers apply; a file the server refuses is an error
/// naming the problem.
#[test]
fn quire_cupsctl_reads_and_changes_the_settings() {
    let Some(bin) = quire_binary() else {
        quire_tests::skipped("quire binary not built");
        return;
    };
    for server in &quire_tests::both_servers() {
        let name = server.name();
        let conf = tempfile::tempdir().expect("tempdir");
        let run = |args: &[&str]| quire_in(&bin, server, conf.path(), args);
        let (rc, shown, text) = run(&["cupsctl"]);
        assert_eq!(rc, 0, "{name}: cupsctl\n{text}");
        for key in ["_debug_logging=", "_remote_admin=", "_share_printers=", "_user_cancel_any="] {
            assert!(shown.contains(key), "{name}: cupsctl shows {key}: {shown}");
        }
        let (rc, _, text) = run(&["cupsctl", "MaxJobs=4321"]);
        assert_eq!(rc, 0, "{name}: cupsctl MaxJobs=4321\n{text}");
        let file = std::fs::read_to_string(server.dir().join("etc/cupsd.conf")).unwrap_or_default();
        assert!(file.lines().any(|l| l.trim() == "MaxJobs 4321"), "{name}: {file}");
        let (rc, _, text) = run(&["cupsctl", "Listen=1.2.3.4:631"]);
        assert_eq!(rc, 1, "{name}: Listen cannot be set\n{text}");
        assert!(text.contains("Listen"), "{name}: names the directive: {text}");
    }
}
