//! The confidential benchmark's table and TSV.

use std::fmt::Write as _;
use std::path::Path;

use super::job::Sample;
use super::{Args, Runs, PROG};
use crate::env::{self, Machine};
use crate::figures::{fmt_value, median};

/// One line of the table: a variant on a server, and its measured jobs.
pub struct Row {
    pub label: String,
    pub samples: Vec<Sample>,
}

/// The lines above the table.
pub fn header(args: &Args, quired_bin: &Path, size: usize, load_before: &str) -> Vec<String> {
    let m = Machine::read();
    vec![
        format!("{PROG} {}", env::utc_now()),
        format!("Machine: {} CPU cores ({}), Linux {}; load average {load_before} before, {} after", m.cpus, m.model, m.kernel, env::loadavg()),
        format!(
            "Document: {} MiB ({size} bytes) of random data, document-format application/octet-stream, one Print-Job per job over \
             loopback TCP ({}), 1 MiB writes{}",
            args.mib,
            if args.chunked { "Transfer-Encoding: chunked" } else { "Content-Length" },
            if args.mib != 100 { " -- SIZE CHANGED from 100 MiB with --mib" } else { "" }
        ),
        format!(
            "Rounds: {} warm-up + {} measured per variant; quired plain and confidential alternate (ABBA) on one running quired ({}); \
             each job is checked (held, spool file sealed or clear) and purged, and `sync` runs, before the next",
            args.warmup,
            args.rounds,
            quired_bin.display()
        ),
        "Durability: quired answers after the spool file is fdatasync'ed and renamed, the directory fsynced and the job row \
         committed; cupsd answers without fsync (SyncOnClose No), so part of its figure is the page cache"
            .to_string(),
    ]
}

/// The stdout table and the TSV.
pub fn render(
    args: &Args,
    header: &[String],
    rows: &[Row],
    quired: &Runs,
    bytes: usize,
) -> (String, String) {
    let mut t = String::new();
    let mut tsv = String::new();
    for h in header {
        let _ = writeln!(t, "{h}");
        let _ = writeln!(tsv, "# {h}");
    }
    let _ = writeln!(t);
    let plain_median =
        rows.first().and_then(|r| median(r.samples.iter().map(|s| s.secs).collect()));
    let w = rows.iter().map(|r| r.label.len()).max().unwrap_or(20).max(8);
    let _ = writeln!(
        t,
        "{:<w$} {:>4} {:>9} {:>7} {:>7} {:>7} {:>8} {:>10} {:>12} {:>9} {:>11}",
        "variant",
        "n",
        "median s",
        "min s",
        "max s",
        "MB/s",
        "/ plain",
        "CPU s",
        "on disk MB",
        "purge s",
        "GJ max ms"
    );
    let _ = writeln!(t, "{}", "-".repeat(w + 95));
    let _ = writeln!(tsv, "variant\tn\tmedian_s\tmin_s\tmax_s\tmb_per_s\tratio_to_quired_plain\tserver_cpu_s\ton_disk_bytes\tpurge_s\tget_jobs_max_ms_during_purge");
    for r in rows {
        row(&mut t, &mut tsv, r, w, bytes, plain_median);
    }
    // The answer to the question: confidential / plain on the same quired.
    let p = median(quired.plain.iter().map(|s| s.secs).collect());
    let c = median(quired.confidential.iter().map(|s| s.secs).collect());
    if let (Some(p), Some(c)) = (p, c) {
        let pairs: Vec<f64> =
            quired.plain.iter().zip(&quired.confidential).map(|(p, c)| c.secs / p.secs).collect();
        let _ = writeln!(
            t,
            "\nConfidential / plain on quired: {:.2}x (ratio of the medians: {c:.3} s / {p:.3} s); per round: {} (median {:.2}x)",
            c / p,
            pairs.iter().map(|r| format!("{r:.2}")).collect::<Vec<_>>().join(" "),
            median(pairs.clone()).unwrap_or(f64::NAN)
        );
        let _ = writeln!(
            tsv,
            "# confidential_over_plain\t{:.4}\tper_round_median\t{:.4}",
            c / p,
            median(pairs).unwrap_or(f64::NAN)
        );
    }
    let _ = writeln!(
        t,
        "Times: first byte sent to the whole IPP answer, {}. MB = 10^6 bytes; / plain = median / quired plain's median.\n\
         CPU s: user + system time of the server process during the upload (median; 10 ms resolution).\n\
         purge s: `cancel -x -a Q` until the spool file is gone (median); GJ max ms: the slowest Get-Jobs on another \
         connection during that purge (median over the rounds).",
        if args.chunked { "Transfer-Encoding: chunked" } else { "Content-Length" }
    );
    let _ = writeln!(t, "Per round (s):");
    for r in rows {
        let _ = writeln!(
            t,
            "  {:<w$} {}",
            r.label,
            r.samples.iter().map(|s| format!("{:.3}", s.secs)).collect::<Vec<_>>().join(" ")
        );
    }
    (t, tsv)
}

/// One row in the table (`w` wide labels) and in the TSV.
fn row(
    t: &mut String,
    tsv: &mut String,
    r: &Row,
    w: usize,
    bytes: usize,
    plain_median: Option<f64>,
) {
    let secs: Vec<f64> = r.samples.iter().map(|s| s.secs).collect();
    let med = median(secs.clone());
    let min = secs.iter().copied().reduce(f64::min);
    let max = secs.iter().copied().reduce(f64::max);
    let rate = med.map(|m| bytes as f64 / 1e6 / m);
    let ratio = med.zip(plain_median).map(|(m, p)| m / p);
    let cpu = median(r.samples.iter().filter_map(|s| s.cpu).collect());
    let disk = r.samples.first().map(|s| s.on_disk as f64);
    let purge = median(r.samples.iter().map(|s| s.purge_secs).collect());
    let probe = median(r.samples.iter().filter_map(|s| s.purge_probe_ms).collect());
    let _ = writeln!(
        t,
        "{:<w$} {:>4} {:>9} {:>7} {:>7} {:>7} {:>8} {:>10} {:>12} {:>9} {:>11}",
        r.label,
        r.samples.len(),
        med.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
        min.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
        max.map(|m| format!("{m:.3}")).unwrap_or_else(|| "-".into()),
        fmt_value(rate),
        ratio.map(|x| format!("{x:.2}x")).unwrap_or_else(|| "-".into()),
        cpu.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into()),
        disk.map(|d| format!("{:.3}", d / 1e6)).unwrap_or_else(|| "-".into()),
        purge.map(|p| format!("{p:.3}")).unwrap_or_else(|| "-".into()),
        fmt_value(probe),
    );
    let num =
        |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| format!("{v:.4}")).unwrap_or_default();
    let _ = writeln!(
        tsv,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        r.label.trim(),
        r.samples.len(),
        num(med),
        num(min),
        num(max),
        num(rate),
        num(ratio),
        num(cpu),
        disk.map(|d| format!("{d:.0}")).unwrap_or_default(),
        num(purge),
        num(probe)
    );
}
