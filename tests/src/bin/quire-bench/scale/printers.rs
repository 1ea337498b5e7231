//! The printer half of `scale`: P printers seeded on disk, then start-up, CUPS-Get-Printers
//! and Get-Printer-Attributes on random printers from 16 connections.

use std::io;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use quire_tests::{Server, ServerKind};

use super::{empty_rss, mib, seed, start_timed, tool_ok, Args};
use crate::client::{self, Conn};
use crate::figures::Results;
use crate::load::{ms, LoadResult};

/// How many printers the 16 connections spread their requests over.
const SPREAD: usize = 512;

pub fn steps(srv: &mut Server, r: &mut Results, args: &Args) -> io::Result<()> {
    let (kind, n) = (srv.kind(), args.printers);
    let base = empty_rss(srv);
    let template = seed::printer_name(0);
    tool_ok(srv, 60, "lpadmin", &["-p", &template, "-v", "file:///dev/null", "-E"])?;
    srv.stop(Duration::from_secs(60))?;
    eprintln!("  [{kind}] seeding {n} printers");
    let t0 = Instant::now();
    match kind {
        ServerKind::Quired => seed::quired_printers(srv.dir(), n)?,
        ServerKind::Cupsd => seed::cupsd_printers(srv.dir(), n)?,
    }
    r.set("p_seed", t0.elapsed().as_secs_f64());
    let Some(start) = start_timed(srv, &template, args.cap)? else {
        r.set_more_than("p_start", ms(args.cap));
        r.note(
            kind,
            format!("not answering {:.0} s after start with {n} printers", args.cap.as_secs_f64()),
        );
        return Ok(());
    };
    eprintln!("  [{kind}] started with {n} printers in {:.0} ms", ms(start));
    r.set("p_start", ms(start));
    if let Some((rss, _)) = srv.rss_kib() {
        r.set("p_rss", mib(rss));
    }
    get_printers(srv, r, args, true)?;
    get_printers(srv, r, args, false)?;
    let res = spread(srv, args);
    eprintln!("  [{kind}] GPA on {SPREAD} printers, 16 conns: {}", res.summary());
    r.set("p_gpa_rate", res.rate());
    r.set("p_gpa_p99", res.percentile_ms(0.99));
    if res.errors > 0 {
        let first = res.first_error.clone().unwrap_or_default();
        r.note(kind, format!("GPA on random printers: {} failed (first: {first})", res.errors));
    }
    if let Some((rss, _)) = srv.rss_kib() {
        r.set("p_rss_after", mib(rss));
        if let Some(base) = base {
            r.set("p_rss_per", rss.saturating_sub(base) as f64 / n as f64);
        }
    }
    Ok(())
}

/// One CUPS-Get-Printers (`all`: requested-attributes=all, else the default set), timed; a
/// second one too when the first took under 10 s (the faster of the two counts).
fn get_printers(srv: &Server, r: &mut Results, args: &Args, all: bool) -> io::Result<()> {
    let kind = srv.kind();
    let mut msg = client::request_as(Operation::CupsGetPrinters, &srv.uri_base(), client::USER);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.attributes.retain(|a| a.name != "printer-uri");
    if all {
        g.push(Attribute::new("requested-attributes", Value::Keyword("all".into())));
    }
    let body = msg.encode();
    let cap = args.cap.max(Duration::from_secs(10));
    let mut conn = Conn::connect(srv.port(), cap)?;
    let mut best: Option<(Duration, Vec<u8>)> = None;
    for _ in 0..2 {
        let t0 = Instant::now();
        let resp = conn.post("/", &body)?;
        let took = t0.elapsed();
        let slow = took > Duration::from_secs(10);
        if best.as_ref().is_none_or(|(d, _)| took < *d) {
            best = Some((took, resp));
        }
        if slow {
            break;
        }
    }
    let Some((took, resp)) = best else { return Ok(()) };
    let (id, size) =
        if all { ("p_cgp_all", "p_cgp_all_size") } else { ("p_cgp_def", "p_cgp_def_size") };
    r.set(id, ms(took));
    r.set(size, resp.len() as f64 / 1024.0 / 1024.0);
    // 20,000 printers' attributes take far more than a request's limits.
    let big = quire_ipp::Limits {
        max_attribute_bytes: usize::MAX,
        max_collection_depth: 16,
        max_values: usize::MAX,
    };
    let mut decoder = quire_ipp::MessageDecoder::new(big);
    let Some((msg, _)) = decoder.feed(&resp).map_err(|e| client::other(format!("{e}")))? else {
        return Err(client::other("CUPS-Get-Printers: truncated answer".into()));
    };
    let count = msg.groups.iter().filter(|g| g.tag == DelimiterTag::Printer).count();
    if all {
        r.set("p_cgp_all_n", count as f64);
    }
    eprintln!(
        "  [{kind}] CUPS-Get-Printers ({}): {count} printers, {} bytes in {:.0} ms, status 0x{:04x}",
        if all { "all" } else { "default" },
        resp.len(),
        ms(took),
        msg.code
    );
    Ok(())
}

/// Get-Printer-Attributes (all) from 16 connections for `--duration`, each request on one
/// of SPREAD printers spread over all of them (so no answer is simply the one before).
fn spread(srv: &Server, args: &Args) -> LoadResult {
    let n = args.printers;
    let step = (n / SPREAD).max(1);
    let requests: Vec<(String, Vec<u8>)> = (0..n.min(SPREAD))
        .map(|k| {
            let name = super::seed::printer_name(k * step);
            let body = client::get_printer_attributes(&srv.printer_uri(&name));
            (format!("/printers/{name}"), body)
        })
        .collect();
    let total = Mutex::new(LoadResult::default());
    let (port, deadline) = (srv.port(), Instant::now() + args.duration);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for c in 0..16 {
            let (requests, total) = (&requests, &total);
            s.spawn(move || {
                let mut mine = LoadResult::default();
                let Ok(mut conn) = Conn::connect(port, args.cap) else {
                    mine.errors += 1;
                    return merge(total, mine);
                };
                let mut k = c * 37;
                while Instant::now() < deadline {
                    k = (k + 97) % requests.len();
                    let (path, body) = &requests[k];
                    let t = Instant::now();
                    match conn.call_status(path, body) {
                        Ok(st) if client::is_ok(st) => {
                            mine.latencies.push(t.elapsed());
                            mine.ok += 1;
                        }
                        other => {
                            mine.errors += 1;
                            mine.first_error.get_or_insert(format!("{other:?}"));
                            if other.is_err() {
                                break;
                            }
                        }
                    }
                }
                merge(total, mine)
            });
        }
    });
    let mut total = total.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    total.elapsed = t0.elapsed();
    total.latencies.sort();
    total
}

fn merge(total: &Mutex<LoadResult>, mine: LoadResult) {
    let mut t = total.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    t.ok += mine.ok;
    t.errors += mine.errors;
    t.latencies.extend(mine.latencies);
    if t.first_error.is_none() {
        t.first_error = mine.first_error;
    }
}
