//! How long reading and writing CUPS's state files takes at a large site's scale: a
//! printers.conf of PRINTERS queues, JOBS job control files and a PPD of OPTIONS options of
//! 50 choices each, made in memory (no disk).
//!
//! `cargo run --release -p quire-cupsfiles --example cupsfiles_scale [PRINTERS] [JOBS]
//! [OPTIONS]` (defaults: 10000 printers, 100000 jobs, 2000 options).

use std::path::Path;
use std::time::Instant;

use quire_cupsfiles::{
    parse_printers_conf, read_ppd, JobControl, JobRecord, Queue, QueueFile, QueueKind,
};
use quire_ipp::{Attribute, DelimiterTag, JobState, Value};

fn printers(n: usize) -> QueueFile {
    let mut file = QueueFile::new(QueueKind::Printer);
    file.next_printer_id = Some(n as i32 + 1);
    for i in 0..n {
        let mut q = Queue::new(format!("printer-{i:05}"));
        q.printer_id = Some(i as i32 + 1);
        q.uuid = Some(format!("urn:uuid:00000000-0000-3000-8000-{i:012}"));
        q.info = Some(format!("Printer {i}, floor {}", i % 20));
        q.location = Some(format!("Building {} room #{}", i / 100, i % 100));
        q.make_model = Some("Generic IPP Everywhere Printer".into());
        q.device_uri =
            Some(format!("ipp://10.{}.{}.{}/ipp/print", i / 65536, i / 256 % 256, i % 256));
        q.state_time = Some(1_764_990_000);
        q.config_time = Some(1_764_990_000);
        q.printer_type = Some(8_425_492);
        q.shared = Some(false);
        q.op_policy = Some("default".into());
        q.error_policy = Some("retry-job".into());
        q.set_option("sides", "two-sided-long-edge");
        q.set_option("quire-split", "auto");
        file.queues.push(q);
    }
    file
}

fn job(id: i32) -> JobRecord {
    JobRecord {
        id: Some(id),
        state: JobState::Held,
        state_reasons: vec!["job-hold-until-specified".into()],
        printer_uri: format!("ipp://localhost/printers/printer-{:05}", id % 10_000),
        owner: "alice".into(),
        priority: 50,
        created: 1_764_990_000,
        name: Some(format!("report-{id}.pdf")),
        originating_host: Some("localhost".into()),
        hold_until: Some("indefinite".into()),
        uuid: Some(format!("urn:uuid:00000000-0000-3000-9000-{id:012}")),
        processing: None,
        completed: None,
        k_octets: Some(120),
        impressions_completed: Some(0),
        document_formats: vec!["application/pdf".into()],
        document_names: vec![format!("report-{id}.pdf")],
        charset: "utf-8".into(),
        language: "en".into(),
        other: vec![
            (DelimiterTag::Job, Attribute::new("copies", Value::Integer(1))),
            (DelimiterTag::Job, Attribute::new("media", Value::Keyword("iso_a4_210x297mm".into()))),
        ],
    }
}

/// A PPD with `options` PickOne options of `choices` choices each.
fn ppd(options: usize, choices: usize) -> String {
    let mut text = String::from("*PPD-Adobe: \"4.3\"\n*NickName: \"Big\"\n");
    for o in 0..options {
        text.push_str(&format!("*OpenUI *Option{o}/Option {o}: PickOne\n*DefaultOption{o}: C0\n"));
        for c in 0..choices {
            text.push_str(&format!(
                "*Option{o} C{c}/Choice {c}: \"<</Option{o} {c}>>setpagedevice\"\n"
            ));
        }
        text.push_str(&format!("*CloseUI: *Option{o}\n"));
    }
    text
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let n_printers = args.next().and_then(Result::ok).unwrap_or(10_000);
    let n_jobs = args.next().and_then(Result::ok).unwrap_or(100_000);
    let n_options = args.next().and_then(Result::ok).unwrap_or(2_000);

    let text = printers(n_printers).to_text();
    let t = Instant::now();
    let (file, diags) = parse_printers_conf(text.as_bytes(), Path::new("printers.conf"));
    let parse = t.elapsed();
    assert!(diags.is_empty() && file.queues.len() == n_printers);
    let t = Instant::now();
    let written = file.to_text();
    let write = t.elapsed();
    assert_eq!(written, text);
    println!(
        "printers.conf: {n_printers} printers, {} KiB: parse {parse:?}, write {write:?}",
        text.len() / 1024
    );

    let files: Vec<Vec<u8>> =
        (1..=n_jobs as i32).map(|id| JobControl::from_record(&job(id)).encode()).collect();
    let bytes: usize = files.iter().map(Vec::len).sum();
    let t = Instant::now();
    let records: Vec<JobRecord> =
        files.iter().filter_map(|f| JobControl::decode(f).ok()?.record().ok()).collect();
    let read = t.elapsed();
    assert_eq!(records.len(), n_jobs);
    println!("job control files: {n_jobs} jobs, {} KiB: decode and type {read:?}", bytes / 1024);

    let text = ppd(n_options, 50);
    let t = Instant::now();
    let (ppd, diags) = read_ppd(text.as_bytes(), Path::new("big.ppd"));
    let read = t.elapsed();
    assert!(diags.is_empty() && ppd.is_some_and(|p| p.options.len() == n_options));
    println!("PPD: {n_options} options of 50 choices, {} KiB: read {read:?}", text.len() / 1024);
}
