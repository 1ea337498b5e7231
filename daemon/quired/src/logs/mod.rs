//! CUPS's logs: `error_log` (what tracing events say, in cupsd's format and levels),
//! `access_log` (one line per HTTP request, Common Log Format as cupsd writes it) and
//! `page_log` (a line per job printed, `PageLogFormat`), each to the file, stderr or syslog
//! the configuration names, rotated at `MaxLogSize` and reopened on SIGHUP. The audit log
//! is not one of them (`auth::Audit`).

pub mod access_log;
pub mod error_log;
pub mod sink;
pub mod stamp;

use quire_config::{AccessLogLevel, LogTarget, ServerConfig};
use sink::{Destination, FileRules, Severity, Sink};
use stamp::LogClock;
use std::path::PathBuf;
use std::time::SystemTime;

/// The three logs, shared by every task that writes to them.
pub struct Logs {
    error: Sink,
    access: Sink,
    page: Sink,
    clock: LogClock,
    access_level: Option<AccessLogLevel>,
    page_format: Option<String>,
}

impl Logs {
    /// The logs `c` configures (nothing is opened until a line is written).
    pub fn new(c: &ServerConfig) -> Logs {
        let gid = c.log_file_group.as_deref().unwrap_or(&c.group);
        let rules = FileRules {
            max_size: c.max_log_size,
            perm: c.log_file_perm & 0o664,
            gid: crate::launch::group_id(gid).ok().flatten(),
        };
        let journal = sink::stderr_is_journal();
        let server_name = c.server_name.as_deref().unwrap_or("localhost");
        let sink = |t: &LogTarget| Sink::new(destination(t, server_name), rules, journal);
        Logs {
            error: sink(&c.error_log),
            access: sink(&c.access_log),
            page: sink(&c.page_log),
            clock: LogClock::system(c.log_time_format == quire_config::LogTimeFormat::Usecs),
            access_level: Some(c.access_log_level).filter(|l| *l != AccessLogLevel::None),
            page_format: c.page_log_format.clone(),
        }
    }

    /// Closes the log files, so their next lines open them again (SIGHUP, after logrotate).
    pub fn reopen(&self) {
        for sink in [&self.error, &self.access, &self.page] {
            sink.reopen();
        }
    }

    /// An error_log line: `L [date] message` (the message alone to syslog).
    pub fn error(&self, letter: char, severity: Severity, message: &str) {
        if self.error.is_off() {
            return;
        }
        let message = quire_core::log_text::escape(message);
        if self.error.is_syslog() {
            self.error.write(severity, &message, &self.clock);
            return;
        }
        let stamp = self.clock.stamp(SystemTime::now());
        self.error.write(severity, &format!("{letter} {stamp} {message}"), &self.clock);
    }

    /// The access_log line for a request, when `AccessLogLevel` wants it.
    pub fn request(&self, entry: &access_log::AccessEntry) {
        let Some(level) = self.access_level.filter(|_| !self.access.is_off()) else { return };
        if !entry.wanted_at(level) {
            return;
        }
        let line = if self.access.is_syslog() {
            let (who, what) = entry.fields();
            format!("REQUEST {who} {what}")
        } else {
            entry.line(&self.clock)
        };
        self.access.write(Severity::Info, &line, &self.clock);
    }

    /// True when page_log lines are written (else their fields need not be gathered).
    pub fn wants_pages(&self) -> bool {
        self.page_format.is_some() && !self.page.is_off()
    }

    /// The page_log line for a job whose backend run ended.
    pub fn page(&self, fields: &quire_core::page_log::PageFields<'_>) {
        let Some(format) = self.page_format.as_deref().filter(|_| !self.page.is_off()) else {
            return;
        };
        let line =
            quire_core::page_log::render(format, fields, &self.clock.stamp(SystemTime::now()));
        self.page.write(Severity::Info, &line, &self.clock);
    }
}

/// Where a log target sends lines: a file name with `%s` replaced by the server name (as
/// cupsd), stderr (syslog when stderr goes nowhere, as cupsd started in the background).
fn destination(target: &LogTarget, server_name: &str) -> Destination {
    match target {
        LogTarget::None => Destination::None,
        LogTarget::Syslog => Destination::Syslog,
        LogTarget::Stderr if sink::stderr_is_null() => Destination::Syslog,
        LogTarget::Stderr => Destination::Stderr,
        LogTarget::File(path) => Destination::File(expand_name(path, server_name)),
    }
}

/// cupsd's log file names: `%s` is the server name, `%` before any other character is
/// dropped.
fn expand_name(path: &std::path::Path, server_name: &str) -> PathBuf {
    let text = path.to_string_lossy();
    if !text.contains('%') {
        return path.to_path_buf();
    }
    let mut out = String::with_capacity(text.len() + server_name.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push_str(server_name),
            Some(other) => out.push(other),
            None => {}
        }
    }
    PathBuf::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_file_perm_is_masked_as_cupsd_masks_it() {
        let mut c = ServerConfig { log_file_perm: 0o4777, ..ServerConfig::default() };
        c.error_log = LogTarget::None;
        assert_eq!(Logs::new(&c).error.rules().perm, 0o664);
    }

    #[test]
    fn log_names_take_the_server_name() {
        let name = |p: &str| expand_name(std::path::Path::new(p), "print.example");
        assert_eq!(name("/var/log/cups/error_log"), PathBuf::from("/var/log/cups/error_log"));
        assert_eq!(
            name("/var/log/cups/%s-error_log"),
            PathBuf::from("/var/log/cups/print.example-error_log")
        );
        assert_eq!(name("/l/100%%-%x"), PathBuf::from("/l/100%-x"));
    }
}
