//! The job half of `scale`: J completed jobs of history seeded on disk, then start-up, RSS,
//! Get-Jobs (which-jobs=completed, limit 50; first-index paging) and Purge-Jobs, with
//! another client's Get-Printer-Attributes watched meanwhile.

use std::io;
use std::time::{Duration, Instant, SystemTime};

use quire_ipp::{Attribute, DelimiterTag, Operation, Value};
use quire_tests::{Server, ServerKind};

use super::{empty_rss, mib, p99_max, seed, start_timed, tool_ok, watched, Args};
use crate::client::{self, Conn};
use crate::figures::Results;
use crate::load::{self, ms};
use crate::server::{self, QUEUE};

pub fn steps(srv: &mut Server, r: &mut Results, args: &Args) -> io::Result<()> {
    let (kind, n) = (srv.kind(), args.jobs);
    let base = empty_rss(srv);
    tool_ok(srv, 60, "lpadmin", &["-p", QUEUE, "-v", "file:///dev/null", "-E"])?;
    template_job(srv)?;
    srv.stop(Duration::from_secs(60))?;
    eprintln!("  [{kind}] seeding {n} completed jobs");
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let t0 = now - n as i64 - 60;
    let seeded = Instant::now();
    match kind {
        ServerKind::Quired => seed::quired_jobs(srv.dir(), n, t0)?,
        ServerKind::Cupsd => seed::cupsd_jobs(srv.dir(), n, t0)?,
    }
    r.set("j_seed", seeded.elapsed().as_secs_f64());
    let Some(start) = start_timed(srv, QUEUE, args.cap)? else {
        r.set_more_than("j_start", ms(args.cap));
        r.note(
            kind,
            format!("not answering {:.0} s after start with {n} jobs", args.cap.as_secs_f64()),
        );
        return Ok(());
    };
    eprintln!("  [{kind}] started with {n} jobs in {:.0} ms", ms(start));
    r.set("j_start", ms(start));
    if let Some((rss, _)) = srv.rss_kib() {
        r.set("j_rss", mib(rss));
        if let Some(base) = base {
            r.set("j_rss_per", rss.saturating_sub(base) as f64 * 1024.0 / n as f64);
        }
    }
    let uri = srv.printer_uri(QUEUE);
    let check =
        Conn::connect(srv.port(), args.cap)?.call(&server::queue_path(), &get_jobs(&uri, 1))?;
    r.set("j_check", client::job_count(&check) as f64);
    get_jobs_timed(srv, r, args, 1, ["j_gj_p50", "j_gj_p99", "j_gj_gpa_p99", "j_gj_gpa_max"]);
    let middle = (n / 2).max(1);
    get_jobs_timed(srv, r, args, middle, ["j_gjp_p50", "j_gjp_p99", "", ""]);
    purge(srv, r, args)
}

/// Prints one small job on the queue and waits until it has completed: the template the
/// seeding copies.
fn template_job(srv: &Server) -> io::Result<()> {
    let uri = srv.printer_uri(QUEUE);
    let mut body =
        client::print_job_header(&uri, client::USER, "bench", "application/octet-stream", vec![]);
    body.extend_from_slice(b"quire-bench scale template job\n");
    let mut conn = Conn::connect(srv.port(), Duration::from_secs(30))?;
    let st = conn.call_status(&server::queue_path(), &body)?;
    if !client::is_ok(st) {
        return Err(client::other(format!("Print-Job of the template: status 0x{st:04x}")));
    }
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(60) {
        let resp = conn.call(&server::queue_path(), &get_jobs(&uri, 1))?;
        if client::job_count(&resp) == 1 {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(client::other("the template job did not complete within 60 s".into()))
}

/// Get-Jobs which-jobs=completed, limit 50, from `first` (1-based).
fn get_jobs(uri: &str, first: usize) -> Vec<u8> {
    let mut msg = client::request_as(Operation::GetJobs, uri, client::USER);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("which-jobs", Value::Keyword("completed".into())));
    g.push(Attribute::new("limit", Value::Integer(50)));
    if first > 1 {
        g.push(Attribute::new("first-index", Value::Integer(first as i32)));
    }
    g.push(client::requested(&["job-id", "job-state", "job-name", "job-originating-user-name"]));
    msg.encode()
}

/// Get-Jobs from `first`, back to back on one connection for `--duration`, while another
/// sends Get-Printer-Attributes; `ids`: median, p99, and the other's p99 and max ("" = not
/// kept).
fn get_jobs_timed(
    srv: &Server,
    r: &mut Results,
    args: &Args,
    first: usize,
    ids: [&'static str; 4],
) {
    let (kind, port, path) = (srv.kind(), srv.port(), server::queue_path());
    let uri = srv.printer_uri(QUEUE);
    let (gj, gpa) = (get_jobs(&uri, first), client::get_printer_attributes(&uri));
    let (res, samples) =
        watched(port, &path, &gpa, || load::run(port, &path, &gj, 1, args.duration, None, None));
    eprintln!("  [{kind}] Get-Jobs completed from {first}, limit 50: {}", res.summary());
    let (p99, max) = p99_max(&samples);
    eprintln!(
        "  [{kind}]   other client's GPA meanwhile: {} answers, p99 {p99:.1} ms, max {max:.1} ms",
        samples.len()
    );
    for (id, v) in ids.into_iter().zip([res.percentile_ms(0.5), res.percentile_ms(0.99), p99, max])
    {
        if !id.is_empty() {
            r.set(id, v);
        }
    }
    if res.errors > 0 {
        let first_error = res.first_error.clone().unwrap_or_default();
        r.note(
            kind,
            format!("Get-Jobs from {first}: {} failed (first: {first_error})", res.errors),
        );
    }
}

/// Jobs of any state on the queue (at most 100 counted).
fn count_all(srv: &Server, cap: Duration) -> io::Result<usize> {
    let mut msg = client::request_as(Operation::GetJobs, &srv.printer_uri(QUEUE), client::USER);
    let g = msg.group_mut(DelimiterTag::Operation);
    g.push(Attribute::new("which-jobs", Value::Keyword("all".into())));
    g.push(Attribute::new("limit", Value::Integer(100)));
    let resp = Conn::connect(srv.port(), cap)?.call(&server::queue_path(), &msg.encode())?;
    Ok(client::job_count(&resp))
}

/// Purge-Jobs of everything (`cancel -x -a Q`) while another client sends
/// Get-Printer-Attributes; then until no job is left, and again after a restart.
fn purge(srv: &mut Server, r: &mut Results, args: &Args) -> io::Result<()> {
    let (kind, port, path) = (srv.kind(), srv.port(), server::queue_path());
    let gpa = client::get_printer_attributes(&srv.printer_uri(QUEUE));
    let cap = args.cap;
    let ((out, answered, done), samples) = watched(port, &path, &gpa, || {
        let t0 = Instant::now();
        let out = server::tool(srv, cap.as_secs().max(1), "cancel", &["-x", "-a", QUEUE]);
        let answered = t0.elapsed();
        while t0.elapsed() < cap && count_all(srv, cap).is_ok_and(|n| n > 0) {
            std::thread::sleep(Duration::from_millis(20));
        }
        (out, answered, t0.elapsed())
    });
    let out = out?;
    if out.rc != 0 {
        r.note(kind, format!("cancel -x -a {QUEUE}: rc {} {}", out.rc, out.text().trim()));
    }
    if answered >= cap || out.rc == 124 || out.rc == 137 {
        r.set_more_than("j_purge", ms(cap));
    } else {
        r.set("j_purge", ms(answered));
    }
    if done >= cap {
        r.set_more_than("j_purge_done", ms(cap));
    } else {
        r.set("j_purge_done", ms(done));
    }
    let (p99, max) = p99_max(&samples);
    r.set("j_purge_gpa_p99", p99);
    r.set("j_purge_gpa_max", max);
    eprintln!(
        "  [{kind}] purge answered in {:.0} ms, done in {:.0} ms; GPA meanwhile: {} answers, p99 {p99:.1} ms, max {max:.1} ms",
        ms(answered),
        ms(done),
        samples.len()
    );
    r.set("j_left", count_all(srv, cap)? as f64);
    srv.stop(cap)?;
    if start_timed(srv, QUEUE, cap)?.is_some() {
        r.set("j_left_restart", count_all(srv, cap)? as f64);
    }
    Ok(())
}
