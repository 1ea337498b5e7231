//! CUPS's logs on cupsd and quired, started with the same configuration and driven by the
//! same requests: `error_log`, `access_log` and `page_log` lines in cupsd's formats, compared
//! field by field where the fields are comparable (the dates differ; their format does not);
//! `MaxLogSize` rotation under a stream of requests loses no line; `LogFilePerm` and
//! `LogFileGroup` applied; SIGHUP reopens quired's logs; journald priorities on stderr.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_tests::cli::parse_request_id;
use quire_tests::process::wait_until;
use quire_tests::server::{cups_files_conf, cupsd_conf};
use quire_tests::{cups_tool, data_dir, quired_binary, Server, ServerKind, Via};

/// Starts `kind` with the test servers' usual files plus `cupsd_extra` and `files_extra`.
fn start(kind: ServerKind, cupsd_extra: &str, files_extra: &str) -> Option<Server> {
    let binary = quire_tests::server_binary(kind)?;
    let server = Server::start_configured(kind, &binary, &[], |root, port| {
        let r = root.display().to_string();
        Ok((
            format!("{}{cupsd_extra}\n", cupsd_conf(&format!("{r}/cups.sock"), port)),
            format!("{}{files_extra}\n", cups_files_conf(&r)),
        ))
    });
    Some(server.unwrap_or_else(|e| panic!("start {kind}: {e}")))
}

/// cupsd and quired (when built), with the same extra configuration.
fn both(cupsd_extra: &str, files_extra: &str) -> Vec<Server> {
    quire_tests::require_programs();
    [ServerKind::Cupsd, ServerKind::Quired]
        .into_iter()
        .filter_map(|k| start(k, cupsd_extra, files_extra))
        .collect()
}

fn log_path(server: &Server, name: &str) -> PathBuf {
    server.dir().join("log").join(name)
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path).unwrap_or_default().lines().map(str::to_string).collect()
}

/// Runs a CUPS tool over TCP and requires success.
fn ok(server: &Server, program: &str, args: &[&str]) -> String {
    let out = cups_tool(server, Via::Tcp, program, args).expect("run CUPS tool");
    assert_eq!(out.rc, 0, "{}: {program} {args:?}\n{}", server.name(), out.text());
    out.stdout
}

/// A raw queue printing to a file in the server's out/ directory.
fn add_raw_queue(server: &Server, queue: &str) {
    let uri = format!("file://{}/{queue}.prn", server.out_dir().display());
    ok(server, "lpadmin", &["-p", queue, "-v", &uri, "-E"]);
}

fn lp(server: &Server, args: &[&str]) -> u32 {
    let out = ok(server, "lp", args);
    parse_request_id(&out).unwrap_or_else(|| panic!("{}: no job id in {out:?}", server.name()))
}

fn document(name: &str) -> String {
    data_dir().join("documents").join(name).to_string_lossy().into_owned()
}

/// `[06/Dec/2026:03:10:49 +0000]`, or with `.uuuuuu` after the seconds when `usecs`.
fn is_cups_date(s: &str, usecs: bool) -> bool {
    let pattern =
        if usecs { "[00/Aaa/0000:00:00:00.000000 +0000]" } else { "[00/Aaa/0000:00:00:00 +0000]" };
    s.len() == pattern.len()
        && s.chars().zip(pattern.chars()).all(|(c, p)| match p {
            '0' => c.is_ascii_digit(),
            'A' => c.is_ascii_uppercase(),
            'a' => c.is_ascii_lowercase(),
            '+' => c == '+' || c == '-',
            p => c == p,
        })
}

/// A line's date and the line without it (`[` to the first `]`).
fn split_date(line: &str) -> Option<(String, String)> {
    let from = line.find('[')?;
    let to = from + line[from..].find(']')?;
    Some((line[from..=to].to_string(), format!("{}{}", &line[..from], &line[to + 1..])))
}

/// Checks the error_log lines from line `from` on: a level letter of `letters`, then the
/// date in cupsd's format; returns how many there were.
fn check_error_log(server: &Server, from: usize, usecs: bool, letters: &str) -> usize {
    let all = lines(&server.error_log());
    for line in all.iter().skip(from) {
        let mut parts = line.splitn(2, ' ');
        let letter = parts.next().unwrap_or_default();
        assert!(
            letter.len() == 1 && letters.contains(letter),
            "{}: level letter of {line:?} (LogLevel allows {letters})",
            server.name()
        );
        let (date, _) = split_date(line).unwrap_or_default();
        let after_letter = line.get(2..).unwrap_or_default();
        assert!(
            after_letter.starts_with(&date) && is_cups_date(&date, usecs),
            "{}: {line:?}",
            server.name()
        );
    }
    all.len().saturating_sub(from)
}

#[test]
fn error_log_lines_are_cupsd_format_and_levels() {
    for server in both("", "") {
        ok(&server, "lpstat", &["-r"]);
        let n = check_error_log(&server, 0, false, "XACEWNIDd");
        assert!(n > 0, "{}: LogLevel debug logs something", server.name());
    }
    for server in both("LogTimeFormat usecs\nLogLevel warn", "") {
        // cupsd logs its start-up before it applies LogLevel and LogTimeFormat: only the
        // lines after it count.
        let before = lines(&server.error_log()).len();
        add_raw_queue(&server, "q");
        ok(&server, "lpstat", &["-p", "q"]);
        let _ = cups_tool(&server, Via::Tcp, "lpstat", &["-p", "missing"]);
        check_error_log(&server, before, true, "XACEW");
    }
}

/// The access_log lines after `skip`, without their dates (which must be cupsd's format).
fn access_fields(server: &Server, skip: usize) -> Vec<String> {
    let all = lines(&log_path(server, "access_log"));
    undated(server, &all[skip.min(all.len())..])
}

/// `lines` without their dates, each date checked to be in cupsd's format.
fn undated(server: &Server, lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let (date, rest) = split_date(line).unwrap_or_default();
            assert!(is_cups_date(&date, false), "{}: date in {line:?}", server.name());
            rest
        })
        .collect()
}

#[test]
fn access_log_lines_match_cupsd() {
    let mut seen = Vec::new();
    for server in both("", "") {
        // AccessLogLevel actions (cupsd's default): the readiness probe's queries are not logged.
        let before = lines(&log_path(&server, "access_log")).len();
        add_raw_queue(&server, "logq");
        let id =
            lp(&server, &["-d", "logq", "-H", "hold", "-t", "held", &document("testfile.txt")]);
        ok(&server, "cancel", &[&id.to_string()]);
        let _ = cups_tool(&server, Via::Tcp, "cancel", &["999"]);
        ok(&server, "lpstat", &["-p", "logq"]);
        let body = cancel_job_999(&server);
        let sent = quire_tests::http::ipp_post_bytes("/jobs/", &body);
        let addr = server.host_port().parse().expect("address");
        quire_tests::http::exchange_at(addr, &sent, false, Duration::from_secs(20))
            .expect("answer");
        let expected = format!("200 {} Cancel-Job client-error-not-found", body.len());
        // cupsd writes a request's line after its answer: wait for the last one.
        let last_line = || access_fields(&server, before).last().cloned().unwrap_or_default();
        wait_until(Duration::from_secs(10), || last_line().ends_with(&expected));
        let fields = access_fields(&server, before);
        let last = fields.last().cloned().unwrap_or_default();
        assert!(
            last.ends_with(&expected),
            "{}: {last:?} counts the {} bytes sent",
            server.name(),
            body.len()
        );
        // What the CUPS tools send depends on what each server answered before (a
        // Create-Job carries the printer's defaults): the byte counts are compared above.
        let without_bytes = fields.iter().map(|l| without_byte_count(l)).collect::<Vec<_>>();
        assert!(!without_bytes.is_empty(), "{}: no access_log line", server.name());
        seen.push((server.name(), without_bytes));
    }
    if let [(_, cupsd), (_, quired)] = &seen[..] {
        assert_eq!(quired, cupsd, "quired's access_log lines (left) and cupsd's (right)");
    }
}

/// A Cancel-Job for job 999 (no such job), encoded.
fn cancel_job_999(server: &Server) -> Vec<u8> {
    use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
    let mut msg =
        quire_client::request_as(Operation::CancelJob, Some(&server.printer_uri("logq")), "root");
    msg.group_mut(DelimiterTag::Operation).push(Attribute::new("job-id", Value::Integer(999)));
    msg.encode()
}

/// An access_log line (date removed) with its byte count replaced by `N`.
fn without_byte_count(line: &str) -> String {
    let Some(quote) = line.rfind('"') else { return line.to_string() };
    let (head, tail) = line.split_at(quote + 1);
    let mut words: Vec<&str> = tail.split_whitespace().collect();
    if words.len() > 1 {
        words[1] = "N";
    }
    format!("{head} {}", words.join(" "))
}

/// Every page_log line of `server` once `count` are there, dates checked and removed.
fn page_lines(server: &Server, count: usize) -> Vec<String> {
    let path = log_path(server, "page_log");
    let there = wait_until(Duration::from_secs(60), || lines(&path).len() >= count);
    assert!(there, "{}: {count} page_log lines, got {:?}", server.name(), lines(&path));
    undated(server, &lines(&path))
}

#[test]
fn page_log_matches_cupsd_for_the_same_jobs() {
    let mut seen = Vec::new();
    for server in both("", "") {
        add_raw_queue(&server, "pages");
        lp(&server, &["-d", "pages", "-t", "letter", &document("document-letter.pdf")]);
        lp(
            &server,
            &[
                "-d",
                "pages",
                "-t",
                "two sided",
                "-o",
                "sides=two-sided-long-edge",
                "-o",
                "media=iso_a4_210x297mm",
                &document("document-a4.pdf"),
            ],
        );
        lp(
            &server,
            &[
                "-d",
                "pages",
                "-t",
                "billed",
                "-o",
                "job-billing=dept-7",
                "-n",
                "2",
                &document("testfile.txt"),
            ],
        );
        seen.push((server.name(), page_lines(&server, 3)));
    }
    if let [(_, cupsd), (_, quired)] = &seen[..] {
        assert_eq!(quired, cupsd, "quired's page_log (left) and cupsd's (right), dates removed");
    }
}

/// Sends `per_thread` GETs of `/rotation-T-I` from each of `threads` threads.
fn stream_of_requests(server: &Server, threads: usize, per_thread: usize) {
    let addr: std::net::SocketAddr = server.host_port().parse().expect("address");
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for i in 0..per_thread {
                    let request = format!(
                        "GET /rotation-{t}-{i} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    );
                    let answer = quire_tests::http::exchange_at(
                        addr,
                        request.as_bytes(),
                        false,
                        Duration::from_secs(20),
                    );
                    assert!(answer.is_ok(), "GET {t}-{i}: {answer:?}");
                }
            });
        }
    });
}

#[test]
fn rotation_under_a_stream_of_requests_loses_no_line() {
    const THREADS: usize = 4;
    const EACH: usize = 150;
    for server in both("AccessLogLevel all\nMaxLogSize 40k", "") {
        stream_of_requests(&server, THREADS, EACH);
        let log = log_path(&server, "access_log");
        let old = log_path(&server, "access_log.O");
        let count = |p: &Path| lines(p).iter().filter(|l| l.contains("/rotation-")).count();
        // cupsd writes a line after its answer: give the last ones a moment to land.
        let all_there =
            wait_until(Duration::from_secs(10), || count(&log) + count(&old) == THREADS * EACH);
        assert!(
            all_there,
            "{}: {} + {} lines for {} requests",
            server.name(),
            count(&log),
            count(&old),
            THREADS * EACH
        );
        assert!(count(&old) > 0, "{}: the log was rotated to access_log.O", server.name());
        let size = |p: &Path| fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        assert!(size(&old) < 41 * 1024, "{}: rotated once past 40k", server.name());
    }
}

#[test]
fn log_file_perm_and_group_are_applied() {
    let lp_gid = nix::unistd::Group::from_name("lp").ok().flatten().map(|g| g.gid.as_raw());
    // Debian's cupsd is built with LogFilePerm 0640; LogFileGroup is Group (lp) by default.
    let cases = [("", 0o640, lp_gid), ("LogFilePerm 0600\nLogFileGroup root", 0o600, Some(0))];
    for (files_extra, mode, gid) in cases {
        for server in both("", files_extra) {
            add_raw_queue(&server, "permq");
            for name in ["error_log", "access_log"] {
                // cupsd writes a request's line after its answer, and sets the mode and group
                // of a new log file just after creating it: wait for them (or 10 s).
                let path = log_path(&server, name);
                wait_until(Duration::from_secs(10), || {
                    fs::metadata(&path).is_ok_and(|m| {
                        m.permissions().mode() & 0o7777 == mode && Some(m.gid()) == gid
                    })
                });
                let meta = fs::metadata(&path).expect("log file");
                let what = format!("{} {name} with {files_extra:?}", server.name());
                assert_eq!(meta.permissions().mode() & 0o7777, mode, "{what}");
                assert_eq!(Some(meta.gid()), gid, "{what}");
            }
        }
    }
}

#[test]
fn sighup_reopens_quireds_logs() {
    let Some(server) = start(ServerKind::Quired, "", "") else { return };
    add_raw_queue(&server, "before");
    let log = log_path(&server, "access_log");
    let moved = log_path(&server, "access_log.1");
    fs::rename(&log, &moved).expect("move the access_log away, as logrotate does");
    let pid = server.pid().expect("pid").to_string();
    let out = std::process::Command::new("kill").args(["-HUP", &pid]).output().expect("kill");
    assert!(out.status.success());
    // The reopen happens on the daemon's own time: wait for a request's line in a new file.
    let mut n = 0;
    let reopened = wait_until(Duration::from_secs(10), || {
        n += 1;
        add_raw_queue(&server, &format!("after{n}"));
        lines(&log).iter().any(|l| l.contains("CUPS-Add-Modify-Printer"))
    });
    assert!(reopened, "a new access_log after SIGHUP: {:?}", lines(&log));
    let last_moved = lines(&moved).len();
    add_raw_queue(&server, "later");
    assert_eq!(lines(&moved).len(), last_moved, "nothing more goes to the moved file");
}

#[test]
fn stderr_under_journald_has_priorities() {
    let Some(binary) = quired_binary() else {
        quire_tests::skipped("quired binary not built");
        return;
    };
    let root = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(root.path().join("log")).expect("log dir");
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    // The server's stderr goes to log/stdout.log: made first, so its device:inode is known.
    let stream = root.path().join("log/stdout.log");
    fs::write(&stream, "").expect("stdout.log");
    let meta = fs::metadata(&stream).expect("stat");
    let env = [("JOURNAL_STREAM".to_string(), format!("{}:{}", meta.dev(), meta.ino()))];
    let server =
        Server::start_configured_in(root.path(), ServerKind::Quired, &binary, &env, |dir, port| {
            let r = dir.display().to_string();
            let files = cups_files_conf(&r)
                .replace(&format!("ErrorLog {r}/log/error_log"), "ErrorLog stderr");
            Ok((cupsd_conf(&format!("{r}/cups.sock"), port), files))
        })
        .expect("start quired");
    ok(&server, "lpstat", &["-r"]);
    let all = lines(&stream);
    let prefixed = all.iter().filter(|l| {
        let p = l.get(..5).unwrap_or_default();
        [("<3>E ", 3), ("<4>W ", 4), ("<6>I ", 6), ("<7>D ", 7), ("<7>d ", 7)]
            .iter()
            .any(|(x, _)| p == *x)
    });
    assert!(prefixed.count() > 0, "lines with sd-daemon priorities: {all:?}");
    // (Start-up diagnostics come before logging starts, as plain text.)
    let bare = all.iter().find(|l| l.get(1..3) == Some(" ["));
    assert_eq!(bare, None, "every log line has its priority: {all:?}");
}
