//! CUPS's state files through quire-cupsfiles and back to the real cupsd: cupsd makes
//! queues (file, socket and ipp devices, options, Quire settings set through its own
//! lpadmin, a class, a default, a stopped queue), held and pending jobs and a subscription;
//! it stops; its printers.conf, classes.conf, subscriptions.conf and job control files are
//! parsed, checked and written back by Quire's writer (the control files made anew from the
//! typed records); cupsd starts on them and `lpstat -h` shows the same as before. Then
//! cupsd rewrites printers.conf itself and Quire's settings are still there.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::fs;
use std::path::Path;
use std::time::Duration;

use quire_cupsfiles::{
    job_documents, parse_classes_conf, parse_printers_conf, parse_subscriptions_conf, JobControl,
    JobRecord, QueueFile, QueueState, SpoolFile, UserAccess,
};
use quire_ipp::{Attribute, JobState, Value};
use quire_tests::cli::parse_request_id;
use quire_tests::cups_install::{populate, snapshot, tool};
use quire_tests::process::run_with_timeout;
use quire_tests::{data_dir, require_programs, Server};

fn read(root: &Path, file: &str) -> Vec<u8> {
    fs::read(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The state files cupsd left, parsed and checked; written back with Quire's writer.
fn parse_check_and_write_back(root: &Path, jobs: &[u32]) {
    let etc = root.join("etc");
    let (printers, diags) =
        parse_printers_conf(&read(&etc, "printers.conf"), &etc.join("printers.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    check_printers(&printers);
    let (classes, diags) =
        parse_classes_conf(&read(&etc, "classes.conf"), &etc.join("classes.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(classes.get("allq").unwrap().members, ["filep", "sockp"]);
    let (subs, diags) = parse_subscriptions_conf(
        &read(&etc, "subscriptions.conf"),
        &etc.join("subscriptions.conf"),
    );
    assert!(diags.is_empty(), "{diags:?}");
    let sub = subs.subscriptions.iter().find(|s| s.printer_name.as_deref() == Some("filep"));
    let sub = sub.unwrap_or_else(|| panic!("no subscription on filep in {subs:?}"));
    assert_eq!(sub.events, ["printer-stopped", "job-completed"]);
    assert_eq!(
        (sub.owner.as_deref(), sub.user_data.as_deref()),
        (Some("alice"), Some(&b"quire <1>"[..]))
    );
    fs::write(etc.join("printers.conf"), printers.to_text()).unwrap();
    fs::write(etc.join("classes.conf"), classes.to_text()).unwrap();
    fs::write(etc.join("subscriptions.conf"), subs.to_text()).unwrap();
    let spool = root.join("spool");
    let records = job_records(&spool);
    let ids: Vec<u32> = records.iter().map(|r| r.id.unwrap() as u32).collect();
    assert_eq!(ids, jobs);
    check_jobs(&records);
    for record in &records {
        let name = SpoolFile::Control(record.id.unwrap()).name();
        fs::write(spool.join(name), JobControl::from_record(record).encode()).unwrap();
    }
    // Without its cache cupsd reads every job from the control files just written.
    fs::remove_file(root.join("cache/job.cache")).unwrap();
}

fn check_printers(printers: &QueueFile) {
    assert_eq!(printers.default_queue().map(|q| q.name.as_str()), Some("sockp"));
    let filep = printers.get("filep").unwrap();
    assert_eq!(filep.info.as_deref(), Some("Draft room #2"));
    assert_eq!(filep.users, UserAccess::Deny(vec!["mallory".into()]));
    assert_eq!(filep.option("sides"), Some("two-sided-long-edge"));
    let quire: Vec<(String, Option<String>)> = filep
        .quire_settings()
        .iter()
        .map(|a| (a.name.clone(), a.first_str().map(str::to_string)))
        .collect();
    assert_eq!(
        quire,
        [
            ("quire-failover-grace-time".into(), Some("45".into())),
            ("quire-split-default".into(), Some("auto".into())),
        ]
    );
    let sockp = printers.get("sockp").unwrap();
    assert_eq!(sockp.device_uri.as_deref(), Some("socket://127.0.0.1:9"));
    assert_eq!((sockp.quota_period, sockp.page_limit), (86400, 100));
    assert_eq!(sockp.error_policy.as_deref(), Some("abort-job"));
    let ippp = printers.get("ippp").unwrap();
    assert_eq!(ippp.state, QueueState::Stopped);
    assert_eq!(ippp.state_message.as_deref(), Some("Waiting for toner"));
}

fn job_records(spool: &Path) -> Vec<JobRecord> {
    let names: Vec<String> = fs::read_dir(spool)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    let mut records = Vec::new();
    for name in &names {
        let Some(SpoolFile::Control(id)) = SpoolFile::parse(name) else { continue };
        let control = JobControl::decode(&read(spool, name)).unwrap();
        assert_eq!(control.trailing, 0);
        let record = control.record().unwrap();
        assert_eq!(record.id, Some(id));
        let docs = job_documents(id, names.iter().map(String::as_str));
        assert_eq!((docs.documents.len(), docs.beyond_gap.len()), (1, 0), "job {id}: {docs:?}");
        records.push(record);
    }
    records.sort_by_key(|r| r.id);
    records
}

fn check_jobs(records: &[JobRecord]) {
    let summary: Vec<(JobState, String, Option<&str>)> =
        records.iter().map(|r| (r.state, r.queue().unwrap(), r.hold_until.as_deref())).collect();
    assert_eq!(
        summary,
        [
            (JobState::Held, "filep".into(), Some("indefinite")),
            (JobState::Held, "allq".into(), Some("indefinite")),
            (JobState::Pending, "ippp".into(), Some("no-hold")),
        ]
    );
    assert_eq!(records[0].name.as_deref(), Some("Quarterly report"));
    let detected = records[0].other_attribute("document-format").and_then(Attribute::first_str);
    assert_eq!(detected, Some("application/pdf"));
    assert_eq!(records[0].other_attribute("copies").and_then(Attribute::first_i32), Some(2));
    assert!(records.iter().all(|r| r.owner == "root" && r.uuid.is_some()), "{records:?}");
}

/// cupsd's error_log, from byte `from` on, has no complaint about the files it read.
fn no_complaints(server: &Server, from: usize) {
    let log = fs::read(server.error_log()).unwrap();
    let log = String::from_utf8_lossy(log.get(from..).unwrap_or_default());
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| {
            [
                "Syntax error",
                "Unknown configuration",
                "Bad ",
                "Unable to read job control",
                "Unable to queue",
            ]
            .iter()
            .any(|m| l.contains(m))
        })
        .collect();
    assert!(bad.is_empty(), "cupsd complained:\n{}", bad.join("\n"));
}

fn restart(server: &mut Server) {
    let port = server.port();
    server
        .restart_timed(Duration::from_secs(30), || {
            let args = ["-h".to_string(), format!("127.0.0.1:{port}"), "-r".into()];
            run_with_timeout(10, "lpstat", &args, None, &[])
                .is_ok_and(|o| o.rc == 0 && o.stdout.contains("is running"))
        })
        .unwrap();
}

#[test]
fn cupsd_loads_the_files_quire_writes_and_keeps_quires_settings() {
    require_programs();
    let mut cupsd = Server::start_cupsd().unwrap();
    let jobs = populate(&cupsd);
    let before = snapshot(&cupsd);
    let shown =
        |what: &str| before.iter().find(|(w, _)| w == what).map(|(_, o)| o.clone()).unwrap();
    assert!(shown("lpoptions -p filep").contains("quire-split=auto"), "{before:?}");
    assert!(shown("Get-Subscriptions").contains("notify-user-data"), "{before:?}");
    assert!(shown("lpstat [\"-l\", \"-p\"]").contains("Waiting for toner"), "{before:?}");
    cupsd.stop(Duration::from_secs(30)).unwrap();
    let root = cupsd.dir().to_path_buf();
    parse_check_and_write_back(&root, &jobs);
    let log_from = fs::metadata(cupsd.error_log()).map_or(0, |m| m.len() as usize);
    restart(&mut cupsd);
    let after = snapshot(&cupsd);
    assert_eq!(before.len(), after.len());
    for ((what, was), (_, now)) in before.iter().zip(&after) {
        // cupsd works a pending job's reason out again when it loads the job (from any
        // control file, its own too): `printer-stopped` on a stopped queue.
        let was = was.replace(
            "Alerts: none\n\tqueued for ippp",
            "Alerts: printer-stopped\n\tqueued for ippp",
        );
        assert_eq!(&was, now, "{what} changed across the round trip");
    }
    no_complaints(&cupsd, log_from);

    // cupsd rewrites printers.conf after a change (at the latest when it stops), and keeps
    // Quire's settings.
    tool(&cupsd, "lpadmin", &["-p", "sockp", "-o", "media-default=iso_a4_210x297mm"]);
    cupsd.stop(Duration::from_secs(30)).unwrap();
    let etc = root.join("etc");
    let text = fs::read_to_string(etc.join("printers.conf")).unwrap();
    assert!(text.contains("# Written by cupsd"), "{text}");
    let (printers, diags) = parse_printers_conf(text.as_bytes(), &etc.join("printers.conf"));
    assert!(diags.is_empty(), "{diags:?}");
    check_printers(&printers);
    let set = Attribute::new("quire-split-default", Value::Keyword("auto".into()));
    assert!(printers.get("filep").unwrap().quire_settings().contains(&set));
}

/// How Quire's settings travel (docs/MIGRATION.md): cupsd drops a comment and an unknown
/// directive (and logs the directive), but keeps `Option` lines when it rewrites the file,
/// shows them as printer defaults and adds them to the jobs it takes.
#[test]
fn cupsd_drops_comments_and_unknown_lines_but_keeps_options() {
    require_programs();
    let mut cupsd = Server::start_cupsd().unwrap();
    tool(&cupsd, "lpadmin", &["-p", "keep", "-v", "file:///dev/null", "-E"]);
    cupsd.stop(Duration::from_secs(30)).unwrap();
    let etc = cupsd.dir().join("etc");
    let (mut printers, _) =
        parse_printers_conf(&read(&etc, "printers.conf"), &etc.join("printers.conf"));
    let settings = [
        Attribute::new("quire-split-default", Value::Keyword("auto".into())),
        Attribute::new("quire-authentication-method", Value::Keyword("pin".into())),
    ];
    assert!(printers.queues[0].set_quire_settings(&settings).is_empty());
    let text = printers
        .to_text()
        .replace("</Printer>\n", "# quire: a comment\nQuireSetting pin\n</Printer>\n");
    fs::write(etc.join("printers.conf"), text).unwrap();
    let log_from = fs::metadata(cupsd.error_log()).map_or(0, |m| m.len() as usize);
    restart(&mut cupsd);
    let log = fs::read(cupsd.error_log()).unwrap();
    let log = String::from_utf8_lossy(&log[log_from..]).into_owned();
    assert!(log.contains("Unknown configuration directive QuireSetting on line"), "{log}");
    let options = tool(&cupsd, "lpoptions", &["-p", "keep"]);
    assert!(options.contains("quire-split=auto"), "{options}");
    let doc = data_dir().join("documents/document-letter.pdf").to_string_lossy().into_owned();
    let id = parse_request_id(&tool(&cupsd, "lp", &["-d", "keep", "-H", "hold", &doc])).unwrap();
    tool(&cupsd, "lpadmin", &["-p", "keep", "-o", "media-default=iso_a4_210x297mm"]);
    cupsd.stop(Duration::from_secs(30)).unwrap();
    let text = fs::read_to_string(etc.join("printers.conf")).unwrap();
    assert!(text.contains("# Written by cupsd"), "{text}");
    assert!(!text.contains("QuireSetting") && !text.contains("quire: a comment"), "{text}");
    for line in ["Option quire-split auto\n", "Option quire-authentication-method pin\n"] {
        assert!(text.contains(line), "{line} kept in {text}");
    }
    let spool = cupsd.dir().join("spool");
    let control = read(&spool, &SpoolFile::Control(id as i32).name());
    let job = JobControl::decode(&control).unwrap().record().unwrap();
    let added: Vec<&str> = job
        .other
        .iter()
        .map(|(_, a)| a.name.as_str())
        .filter(|n| n.starts_with("quire-"))
        .collect();
    assert_eq!(added, ["quire-authentication-method", "quire-split"], "{job:?}");
}
