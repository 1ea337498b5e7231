//! A host switching from cupsd to quired and back, on the same directories (issue 15,
//! docs/MIGRATION.md): the real cupsd makes queues, a class, a default, options (Quire's
//! settings among them, set with CUPS's own lpadmin), a stopped queue, held and pending jobs
//! and a subscription; quired started on its files shows the same through CUPS's tools,
//! prints a released job and keeps the others held; what quired changes is written back, and
//! cupsd started again has every queue. Broken files give file:line warnings and cost only
//! the broken item; the originals are backed up first.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use quire_tests::cups_install::{populate, snapshot, tool, QUEUES};
use quire_tests::process::wait_until;
use quire_tests::{quired_binary, require_programs, Server, ServerKind};

fn quired() -> Option<PathBuf> {
    let bin = quired_binary();
    if bin.is_none() {
        quire_tests::skipped("quired not built");
    }
    bin
}

/// The import's backup directory under quired's spool (one per import).
fn backup_dir(root: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = fs::read_dir(root.join("spool/quire"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("cups-import-"))
        .collect();
    assert_eq!(dirs.len(), 1, "one backup: {dirs:?}");
    dirs[0].clone()
}

fn control_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('c') && n[1..].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    names.sort();
    names
}

fn log_text(server: &Server) -> String {
    String::from_utf8_lossy(&fs::read(server.error_log()).unwrap_or_default()).into_owned()
}

/// What CUPS's tools show, without what differs between the two servers on the same queues
/// by design: a raw queue is black-and-white and simplex to cupsd (`printer-type` 4,
/// `print-color-mode` monochrome) and takes whatever Quire's generic capabilities allow to
/// quired; and quired has `quire-failover-grace-time` as a printer attribute, not as one of
/// the `-default`s lpoptions lists; cupsd lists `job-sheets` when it has banners (the host's
/// CUPS has), Quire has none. A subscription's attributes come in another order.
fn comparable(what: &str, text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if what == "Get-Subscriptions" {
        lines.sort();
    }
    lines
        .into_iter()
        .filter(|l| {
            !["printer-type=", "print-color-mode=", "quire-failover-grace-time=", "job-sheets="]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn quired_takes_cupsds_queues_and_jobs_over_and_cupsd_gets_the_queues_back() {
    require_programs();
    let Some(quired_bin) = quired() else { return };
    let mut server = Server::start_cupsd().unwrap();
    let jobs = populate(&server);
    let before = snapshot(&server);
    let root = server.dir().to_path_buf();
    let spool = root.join("spool");
    server.stop(Duration::from_secs(30)).unwrap();
    // cupsd writes its jobs' control files by the time it stops.
    let cupsd_controls = control_files(&spool);
    assert_eq!(cupsd_controls.len(), jobs.len(), "{cupsd_controls:?}");
    let printers_conf = fs::read(root.join("etc/printers.conf")).unwrap();

    server.switch_to(ServerKind::Quired, &quired_bin).unwrap();
    let log = log_text(&server);
    assert!(log.contains("Imported 3 printers, 1 classes, 3 jobs and 1 subscriptions"), "{log}");
    let after = snapshot(&server);
    for ((what, was), (_, now)) in before.iter().zip(&after) {
        assert_eq!(
            comparable(what, was),
            comparable(what, now),
            "{what}: cupsd, then quired on its files"
        );
    }
    // The originals are in the backup; the imported jobs left cupsd's spool.
    let backup = backup_dir(&root);
    assert_eq!(fs::read(backup.join("etc/printers.conf")).unwrap(), printers_conf);
    assert_eq!(control_files(&backup.join("spool")), cupsd_controls);
    assert!(control_files(&spool).is_empty(), "{:?}", control_files(&spool));

    // Jobs behave: a released one prints, the others stay as they were.
    let first = jobs[0].to_string();
    tool(&server, "lp", &["-i", &first, "-H", "resume"]);
    let done = wait_until(Duration::from_secs(30), || {
        tool(&server, "lpstat", &["-W", "completed", "-o", "filep"])
            .contains(&format!("filep-{first}"))
    });
    assert!(done, "job {first} did not print:\n{}", tool(&server, "lpstat", &["-W", "all", "-o"]));
    let pending = tool(&server, "lpstat", &["-o"]);
    for id in &jobs[1..] {
        assert!(pending.contains(&format!("-{id} ")), "job {id} kept: {pending}");
    }

    // A change under quired is in printers.conf when cupsd takes the host back.
    tool(&server, "lpadmin", &["-p", "added", "-v", "socket://127.0.0.1:9", "-E"]);
    tool(&server, "lpadmin", &["-p", "sockp", "-o", "media-default=iso_a4_210x297mm"]);
    server.switch_to(ServerKind::Cupsd, Path::new("/usr/sbin/cupsd")).unwrap();
    let text = fs::read_to_string(root.join("etc/printers.conf")).unwrap();
    let back = snapshot(&server);
    let shown = |what: &str| back.iter().find(|(w, _)| w == what).map(|(_, o)| o.clone()).unwrap();
    let devices = shown("lpstat [\"-v\"]");
    for queue in QUEUES.iter().filter(|q| **q != "allq").chain(&["added"]) {
        assert!(
            devices.contains(&format!("device for {queue}:")),
            "{queue} back:\n{devices}\n{text}"
        );
    }
    assert!(shown("lpstat [\"-d\"]").contains("sockp"), "{back:?}");
    assert!(shown("lpstat [\"-c\"]").contains("allq"), "{back:?}");
    assert!(shown("lpoptions -p filep").contains("quire-split=auto"), "{back:?}");
    assert!(shown("lpoptions -p sockp").contains("media=iso_a4_210x297mm"), "{back:?}");
    assert!(shown("lpstat [\"-l\", \"-p\"]").contains("Waiting for toner"), "{back:?}");
}

/// A printers.conf with a bad line and an unterminated block, a control file that is not
/// IPP and one for a queue that is not there: each is a warning naming its file and line (or
/// file), only that item is left out, and the originals are kept in the backup.
#[test]
fn broken_cups_files_cost_only_the_broken_item() {
    require_programs();
    let Some(quired_bin) = quired() else { return };
    let mut server = Server::start_cupsd().unwrap();
    let jobs = populate(&server);
    server.stop(Duration::from_secs(30)).unwrap();
    let root = server.dir().to_path_buf();
    let etc = root.join("etc");
    let spool = root.join("spool");
    let mut text = fs::read_to_string(etc.join("printers.conf")).unwrap();
    text = text.replacen("Accepting Yes", "Accepting maybe", 1);
    text.push_str("<Printer broken>\nDeviceURI socket://127.0.0.1:9\n");
    fs::write(etc.join("printers.conf"), &text).unwrap();
    let bad_line = text.lines().position(|l| l == "Accepting maybe").unwrap() + 1;
    fs::write(spool.join("c09001"), b"not IPP at all").unwrap();
    fs::write(spool.join("d09001-001"), b"%!PS\n").unwrap();
    // Job 3's control file, its queue renamed (same length: the IPP encoding stays valid).
    let control = fs::read(spool.join(format!("c{:05}", jobs[2]))).unwrap();
    let mut orphan = control.clone();
    let places: Vec<usize> = control
        .windows(14)
        .enumerate()
        .filter(|(_, w)| w == b"/printers/ippp")
        .map(|(i, _)| i)
        .collect();
    assert!(!places.is_empty());
    for at in places {
        orphan[at..at + 14].copy_from_slice(b"/printers/gone");
    }
    fs::write(spool.join("c09002"), orphan).unwrap();
    fs::write(spool.join("d09002-001"), b"%!PS\n").unwrap();
    let _ = fs::remove_file(root.join("cache/job.cache"));
    // A sound PPD for one queue, a broken one for another.
    fs::create_dir_all(etc.join("ppd")).unwrap();
    let ppd = quire_tests::data_dir().join("ppd/quire-test.ppd");
    fs::copy(ppd, etc.join("ppd/sockp.ppd")).unwrap();
    fs::write(etc.join("ppd/filep.ppd"), "*PPD-Adobe: \"4.3\"\nnot a PPD line\n").unwrap();

    server.switch_to(ServerKind::Quired, &quired_bin).unwrap();
    let log = log_text(&server);
    let printers_conf = etc.join("printers.conf").display().to_string();
    assert!(log.contains(&format!("{printers_conf}:{bad_line}:")), "bad line named:\n{log}");
    assert!(log.contains("broken"), "unterminated block named:\n{log}");
    assert!(log.contains("c09001: job 9001 not imported"), "{log}");
    assert!(log.contains("c09002: job 9002 not imported: its queue \"gone\""), "{log}");
    assert!(log.contains("Imported 3 printers, 1 classes, 3 jobs"), "{log}");
    let devices = tool(&server, "lpstat", &["-v"]);
    assert!(!devices.contains("broken"), "{devices}");
    let filep_ppd = etc.join("ppd/filep.ppd").display().to_string();
    assert!(log.contains(&format!("{filep_ppd}:2:")), "the PPD's bad line named:\n{log}");
    assert!(log.contains("\"filep\" imported without its PPD"), "{log}");
    assert!(devices.contains("device for filep"), "filep is there: {devices}");
    // The sound PPD's defaults are the queue's, as cupsd gives them.
    let options = tool(&server, "lpoptions", &["-p", "sockp"]);
    for want in ["media=iso_a4_210x297mm", "sides=two-sided-long-edge"] {
        assert!(options.contains(want), "{want} from sockp's PPD: {options}");
    }
    // The jobs left out stay where cupsd would find them; the backup has every file.
    assert_eq!(control_files(&spool), ["c09001", "c09002"]);
    let backup = backup_dir(&root);
    assert_eq!(fs::read_to_string(backup.join("etc/printers.conf")).unwrap(), text);
    assert_eq!(control_files(&backup.join("spool")).len(), jobs.len() + 2);
}

/// Every file of `dir` (recursively) with its bytes, to compare before and after.
fn snapshot_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().map(|e| e.unwrap()) {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            if path.file_name().is_some_and(|n| n != "quire") {
                out.extend(snapshot_files(&path));
            }
        } else if entry.file_type().unwrap().is_file() {
            out.push((path.clone(), fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// An import that cannot finish (here the backup cannot be taken: cupsd's job cache is a
/// directory) stops quired with the reason, and leaves CUPS's files exactly as they were; the
/// next start, once the cause is gone, imports.
#[test]
fn a_failed_import_changes_nothing_of_cupss() {
    require_programs();
    let Some(quired_bin) = quired() else { return };
    let mut server = Server::start_cupsd().unwrap();
    populate(&server);
    server.stop(Duration::from_secs(30)).unwrap();
    let root = server.dir().to_path_buf();
    let cache = root.join("cache/job.cache");
    let _ = fs::remove_file(&cache);
    fs::create_dir(&cache).unwrap();
    let (etc, spool) = (snapshot_files(&root.join("etc")), snapshot_files(&root.join("spool")));
    let refused = server.switch_to(ServerKind::Quired, &quired_bin);
    let why = format!("{refused:?}");
    assert!(refused.is_err() && why.contains("Unable to back CUPS's files up"), "{why}");
    assert!(snapshot_files(&root.join("etc")) == etc, "CUPS's ServerRoot changed");
    assert!(snapshot_files(&root.join("spool")) == spool, "CUPS's spool changed");
    fs::remove_dir(&cache).unwrap();
    server.switch_to(ServerKind::Quired, &quired_bin).unwrap();
    let log = log_text(&server);
    assert!(log.contains("Imported 3 printers, 1 classes, 3 jobs"), "{log}");
}
