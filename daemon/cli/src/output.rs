//! What the commands print: stdout that may close under them, and times as CUPS shows them.

/// Formats a Unix time like glibc's `%c` in en_US ("Mon 23 Nov 2026 10:00:00 AM UTC").
/// Always UTC: reading the local zone database is out of scope for this CLI.
pub fn format_time(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = secs.div_euclid(86_400);
    let t = quire_ipp::DateTime::from_unix_utc(secs);
    let (y, m, d) = (t.year, t.month, t.day);
    let (h, min, s) = (i64::from(t.hour), t.minutes, t.seconds);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    let wd = DAYS[days.rem_euclid(7) as usize];
    let mon = MONTHS[usize::from(m.clamp(1, 12)) - 1];
    format!("{wd} {d:02} {mon} {y} {h12:02}:{min:02}:{s:02} {ampm} UTC")
}

/// Writes to stdout; a closed stdout ends the program with the shell's SIGPIPE status.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if std::io::stdout().write_fmt(args).is_err() {
        std::process::exit(141);
    }
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
