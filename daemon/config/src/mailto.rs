//! `mailto.conf`: how cupsd's mailto notifier sends mail (ServerRoot/mailto.conf), read
//! as cupsd reads it (`Name value` lines, `#` comments, names in any case) with no side
//! effect. What goes into a mail header is checked here: an address is one plain
//! `local@domain`, and no value holds a control character, so nothing read here can add a
//! header line.

use crate::diag::{Diagnostic, Loc};
use std::path::Path;

/// The mailto notifier's settings; `None` where the file says nothing (the daemon's
/// defaults apply: From `root@ServerName`, SMTP on localhost).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailtoConf {
    /// `Cc`: one more recipient of every mail.
    pub cc: Option<String>,
    /// `From`: the sender.
    pub from: Option<String>,
    /// `ReplyTo`: a Reply-To for every mail (a subscription's `notify-user-data` of
    /// `mailto:ADDRESS` takes its place). Not in cupsd's file; Quire reads it too.
    pub reply_to: Option<String>,
    /// `Subject`: the prefix of every subject line.
    pub subject: String,
    /// `SMTPServer`: `host` (port 25) or `host:port`.
    pub smtp_server: Option<String>,
    /// `Sendmail`: a program cupsd would run. Quire sends over SMTP only: kept to be said
    /// in the log.
    pub sendmail: Option<String>,
}

/// Longest value kept (cupsd's buffers are 1024 bytes).
const MAX_VALUE: usize = 1023;

/// Parses the text of a mailto.conf; every problem is a warning at `path:line:col` and the
/// line is left out.
pub fn parse_mailto_conf(text: &str, path: &Path) -> (MailtoConf, Vec<Diagnostic>) {
    let mut conf = MailtoConf::default();
    let mut diags = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        let trimmed = line.trim_start();
        let col = raw.chars().count() - trimmed.chars().count() + 1;
        let loc = Loc { file: path.to_path_buf(), line: i + 1, col };
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        let (name, value) = match trimmed.split_once(char::is_whitespace) {
            Some((n, v)) => (n, v.trim()),
            None => (trimmed, ""),
        };
        if value.is_empty() {
            diags.push(Diagnostic::warning(&loc, format!("No value found for {name}")));
            continue;
        }
        if let Err(why) = apply(&mut conf, name, value) {
            diags.push(Diagnostic::warning(&loc, why));
        }
    }
    (conf, diags)
}

/// The line without its comment: `#` starts one unless a backslash comes before it.
fn strip_comment(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'#') => {
                out.push('#');
                chars.next();
            }
            '#' => break,
            c => out.push(c),
        }
    }
    out
}

fn apply(conf: &mut MailtoConf, name: &str, value: &str) -> Result<(), String> {
    if value.len() > MAX_VALUE {
        return Err(format!("{name}: value longer than {MAX_VALUE} bytes"));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("{name}: control characters are not allowed"));
    }
    let address = |v: &str| {
        if is_address(v) {
            Ok(Some(v.to_string()))
        } else {
            Err(format!("{name}: \"{v}\" is not one plain address (local@domain)"))
        }
    };
    match name.to_ascii_lowercase().as_str() {
        "cc" => conf.cc = address(value)?,
        "from" => conf.from = address(value)?,
        "replyto" => conf.reply_to = address(value)?,
        "subject" => conf.subject = value.to_string(),
        "smtpserver" => {
            if !is_server(value) {
                return Err(format!("SMTPServer: \"{value}\" is not host or host:port"));
            }
            conf.smtp_server = Some(value.to_string());
            conf.sendmail = None;
        }
        "sendmail" => {
            conf.sendmail = Some(value.to_string());
            conf.smtp_server = None;
        }
        _ => return Err(format!("Unknown configuration directive \"{name}\"")),
    }
    Ok(())
}

/// One plain `local@domain` address: printable ASCII with nothing that would make it two
/// addresses or a display name (no space, comma, angle bracket, quote or parenthesis).
pub fn is_address(a: &str) -> bool {
    let plain =
        |c: char| c.is_ascii_graphic() && !matches!(c, ',' | '<' | '>' | '"' | '(' | ')' | ';');
    match a.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && a.len() <= 254
                && a.chars().all(plain)
        }
        None => false,
    }
}

/// `host` or `host:port` (a name or an IPv4 address; `[v6]:port` for IPv6).
fn is_server(v: &str) -> bool {
    let (host, port) = match v.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') || h.starts_with('[') => (h, Some(p)),
        _ => (v, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    host_ok && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}
