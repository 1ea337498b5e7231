//! `quire cupsctl`: the scheduler's main settings, read from and written back to
//! `/admin/conf/cupsd.conf` (GET and PUT, as an administrator) the way CUPS's cupsctl does
//! through cupsAdminGetServerSettings / cupsAdminSetServerSettings.
//!
//! The five switches are facts read off the file (`_debug_logging`: LogLevel debug;
//! `_remote_admin`: remote access and an Allow in `<Location /admin>`; `_remote_any`: `Allow
//! all`; `_share_printers`: remote access and Browsing; `_user_cancel_any`: no Require in the
//! default policy's Cancel-Job limit). Changing one rewrites the lines it is made of, as
//! CUPS rewrites them (`Editor`); `name=value` sets a top-level directive. Like CUPS's
//! rewrite, the new file has no comments and is indented by nesting.

use std::path::Path;

use crate::args::{tokenize, ArgKind, Tok};
use crate::dests::{conf_directive, OptionList};
use crate::session::{CliError, Ctx};

pub const USAGE: &str = "Usage: cupsctl [options] [param=value ... paramN=valueN]
Options:
-E                      Encrypt the connection to the server
-h server[:port]        Connect to the named server and port
-U username             Specify username to use for authentication
--[no-]debug-logging    Turn debug logging on/off
--[no-]remote-admin     Turn remote administration on/off
--[no-]remote-any       Allow/prevent access from the Internet
--[no-]share-printers   Turn printer sharing on/off
--[no-]user-cancel-any  Allow/prevent users to cancel any job";

pub const RESOURCE: &str = "/admin/conf/cupsd.conf";
pub const DEBUG_LOGGING: &str = "_debug_logging";
pub const REMOTE_ADMIN: &str = "_remote_admin";
pub const REMOTE_ANY: &str = "_remote_any";
pub const SHARE_PRINTERS: &str = "_share_printers";
pub const USER_CANCEL_ANY: &str = "_user_cancel_any";

/// Directives cupsctl may not set (they are cups-files.conf's, or how the server listens).
#[rustfmt::skip]
const DISALLOWED: &[&str] = &[
    "AccessLog", "CacheDir", "ConfigFilePerm", "DataDir", "DocumentRoot", "ErrorLog",
    "FatalErrors", "FileDevice", "Group", "Listen", "LogFilePerm", "PageLog", "PassEnv", "Port",
    "Printcap", "PrintcapFormat", "RemoteRoot", "RequestRoot", "ServerBin", "ServerCertificate",
    "ServerKey", "ServerKeychain", "ServerRoot", "SetEnv", "StateDir", "SystemGroup",
    "SystemGroupAuthKey", "TempDir", "User",
];

/// The local socket a rewritten Listen section keeps when it exists on this machine.
pub const DEFAULT_SOCKET: &str = quire_client::DEFAULT_SOCKET;
/// The LogLevel written when debug logging is turned off.
const DEFAULT_LOG_LEVEL: &str = "warn";
/// Who may cancel others' jobs when users may not.
const OPERATOR_AUTH: &str = "@SYSTEM";
const DEFAULT_BROWSE_PROTOCOLS: &str = "dnssd";

const FLAGS: [(&str, &str); 5] = [
    ("debug-logging", DEBUG_LOGGING),
    ("remote-admin", REMOTE_ADMIN),
    ("remote-any", REMOTE_ANY),
    ("share-printers", SHARE_PRINTERS),
    ("user-cancel-any", USER_CANCEL_ANY),
];

fn is(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Whether an address (a Listen value without its port, an Allow value) is this machine.
fn is_local(v: &str) -> bool {
    is(v, "localhost") || v == "127.0.0.1" || v.starts_with('/') || v == "[::1]" || v == "::1"
}

/// The facts read while going through the file for [`settings`].
#[derive(Default)]
struct Reading {
    remote_access: bool,
    remote_admin: bool,
    remote_any: bool,
    no_browsing: bool,
    cancel_limited: bool,
    debug_logging: bool,
    in_location: bool,
    in_admin_location: bool,
    in_policy: bool,
    in_cancel_job: bool,
}

impl Reading {
    fn listen(&mut self, value: &str) {
        let host = match value.rfind(':') {
            Some(i) => &value[..i],
            // A bare port listens on every address.
            None if value.starts_with(|c: char| c.is_ascii_digit()) => "",
            None => value,
        };
        if host.is_empty() || !is_local(host) {
            self.remote_access = true;
        }
    }

    /// One directive; returns it when it is a top-level setting cupsctl shows.
    fn line<'a>(&mut self, name: &'a str, value: &'a str) -> Option<(&'a str, &'a str)> {
        match name {
            n if is(n, "Port") || is(n, "Listen") => self.listen(value),
            n if is(n, "Browsing") => {
                self.no_browsing = !["yes", "on", "true"].iter().any(|y| is(value, y))
            }
            n if is(n, "LogLevel") => {
                self.debug_logging = value.len() >= 5 && is(&value[..5], "debug")
            }
            n if is(n, "<Policy") && is(value, "default") => self.in_policy = true,
            n if is(n, "</Policy>") => self.in_policy = false,
            n if is(n, "<Limit") && self.in_policy => {
                self.in_cancel_job =
                    value.split_whitespace().any(|w| is(w, "cancel-job") || is(w, "all"))
            }
            n if is(n, "</Limit>") => self.in_cancel_job = false,
            n if is(n, "Require") && self.in_cancel_job => self.cancel_limited = true,
            n if is(n, "<Location") => {
                self.in_admin_location = is(value, "/admin");
                self.in_location = true;
            }
            n if is(n, "</Location>") => {
                self.in_admin_location = false;
                self.in_location = false;
            }
            n if is(n, "Allow") && !is_local(value) => {
                if self.in_admin_location {
                    self.remote_admin = true;
                } else if is(value, "all") {
                    self.remote_any = true;
                }
            }
            n if n.starts_with('<') || self.in_location || self.in_policy => {}
            n if ["Allow", "AuthType", "Deny", "Order", "Require", "Satisfy"]
                .iter()
                .any(|k| is(n, k)) => {}
            n => return Some((n, value)),
        }
        None
    }
}

/// The settings cupsctl shows for a cupsd.conf: the five switches, then the top-level
/// directives (the last of each name), sorted as CUPS sorts options.
pub fn settings(text: &str) -> OptionList {
    let mut list = OptionList::default();
    let mut r = Reading::default();
    for raw in text.lines() {
        let Some((name, value)) = conf_directive(raw) else { continue };
        if let Some((n, v)) = r.line(&name, value.as_deref().unwrap_or("")) {
            list.add(n, v);
        }
    }
    let flag = |b: bool| if b { "1" } else { "0" };
    list.add(DEBUG_LOGGING, flag(r.debug_logging));
    list.add(REMOTE_ADMIN, flag(r.remote_access && r.remote_admin));
    list.add(REMOTE_ANY, flag(r.remote_any));
    list.add(SHARE_PRINTERS, flag(r.remote_access && !r.no_browsing));
    list.add(USER_CANCEL_ANY, flag(!r.cancel_limited));
    list
}

/// Facts about the machine a rewrite depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// The port written in `Port` / `Listen localhost:` lines.
    pub port: u16,
    /// Whether [`DEFAULT_SOCKET`] exists (it is then kept listening).
    pub default_socket: bool,
}

/// A switch's wanted value, None when unchanged (not asked, or already so).
fn wanted(changes: &OptionList, old: &OptionList, key: &str) -> Option<bool> {
    let as_bool = |v: Option<&str>| v.and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0) != 0;
    let new = changes.get(key)?;
    let (new, old) = (as_bool(Some(new)), as_bool(old.get(key)));
    (new != old).then_some(new)
}

/// cupsd.conf text with `changes` made as cupsAdminSetServerSettings makes them.
pub fn edit(text: &str, changes: &OptionList, host: Host) -> String {
    let old = settings(text);
    let switches = Switches {
        old_remote_any: old.get(REMOTE_ANY) == Some("1"),
        debug: wanted(changes, &old, DEBUG_LOGGING),
        remote_admin: wanted(changes, &old, REMOTE_ADMIN),
        remote_any: wanted(changes, &old, REMOTE_ANY),
        share: wanted(changes, &old, SHARE_PRINTERS),
        cancel_any: wanted(changes, &old, USER_CANCEL_ANY),
    };
    let mut ed = Editor::new(changes, host, switches);
    for raw in text.lines() {
        if let Some((name, value)) = conf_directive(raw) {
            ed.line(&name, value.as_deref());
        }
    }
    ed.finish();
    ed.out
}

#[path = "cupsctl_edit.rs"]
mod editor;
use editor::{Editor, Switches};

/// Splits the command line: the switches (`--[no-]name`) and `name=value` settings, and the
/// connection options left for [`tokenize`].
fn parse(args: &[String]) -> Result<(OptionList, Vec<String>), CliError> {
    let (mut changes, mut rest) = (OptionList::default(), Vec::new());
    let mut words = args.iter();
    while let Some(a) = words.next() {
        if let Some(long) = a.strip_prefix("--").filter(|l| !l.is_empty() && *l != "help") {
            let (on, name) = match long.strip_prefix("no-") {
                Some(n) => ("0", n),
                None => ("1", long),
            };
            let Some((_, key)) = FLAGS.iter().find(|(f, _)| *f == name) else {
                return Err(CliError::Usage(format!("Unknown option \"{a}\"")));
            };
            changes.add(key, on);
        } else if a.starts_with('-') {
            rest.push(a.clone());
            if matches!(a.as_str(), "-h" | "-U") {
                rest.extend(words.next().cloned());
            }
        } else if a.contains('=') {
            changes.parse_onto(a).map_err(|e| CliError::Usage(format!("Error - {e}.")))?;
        } else {
            return Err(CliError::Usage(format!("Unknown option \"{a}\"")));
        }
    }
    if let Some((name, _)) = changes.iter().find(|(n, _)| DISALLOWED.iter().any(|d| is(d, n))) {
        let d = DISALLOWED.iter().find(|d| is(d, name)).copied().unwrap_or(name);
        return Err(CliError::Msg(format!("Cannot set {d} directly.")));
    }
    Ok((changes, rest))
}

fn arg_kind(c: char) -> Option<ArgKind> {
    match c {
        'E' => Some(ArgKind::Flag),
        'h' | 'U' => Some(ArgKind::Value),
        _ => None,
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<i32, CliError> {
    if args.iter().any(|a| a == "--help") {
        out!("{USAGE}");
        return Ok(1);
    }
    let (changes, rest) = parse(args)?;
    for tok in tokenize(&rest, arg_kind)? {
        match tok {
            Tok::Opt('E', _) => ctx.request_encryption(),
            Tok::Opt('h', v) => ctx.set_server(v.as_deref().unwrap_or_default())?,
            Tok::Opt('U', v) => ctx.set_user(v.as_deref().unwrap_or_default()),
            Tok::Opt(c, _) => return Err(CliError::Usage(format!("Unknown option \"-{c}\""))),
            Tok::Operand(a) => return Err(CliError::Usage(format!("Unknown option \"{a}\""))),
            Tok::Help => {}
        }
    }
    let text = get_conf(ctx)?;
    if changes.is_empty() {
        for (n, v) in settings(&text).iter() {
            out!("{n}={v}");
        }
        return Ok(0);
    }
    let host = Host { port: server_port(ctx), default_socket: Path::new(DEFAULT_SOCKET).exists() };
    put_conf(ctx, &edit(&text, &changes, host))?;
    Ok(0)
}

/// The port a rewrite listens on: SERVER_PORT, else the server's (`-h host:port`), else 631.
fn server_port(ctx: &Ctx) -> u16 {
    let env = std::env::var("SERVER_PORT").ok().and_then(|p| p.parse::<u16>().ok());
    let dest = match ctx.destination() {
        Ok(
            quire_client::Destination::Tcp { port, .. }
            | quire_client::Destination::Tls { port, .. },
        ) => Some(port),
        _ => None,
    };
    env.filter(|p| *p > 0).or(dest).unwrap_or(quire_client::DEFAULT_PORT)
}

/// The refusal's text: the status and what the server said.
fn refusal(what: &str, status: u16, body: &[u8]) -> CliError {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).trim().to_string();
    let reason = http_reason(status);
    let mut msg = format!("{what}: HTTP {status} {reason}");
    if !text.is_empty() {
        msg.push_str(&format!("\n{text}"));
    }
    CliError::Msg(msg)
}

fn http_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

fn get_conf(ctx: &mut Ctx) -> Result<String, CliError> {
    let (status, body) = ctx.client()?.get(RESOURCE)?;
    if status != 200 {
        return Err(refusal("Unable to get the server's cupsd.conf", status, &body));
    }
    String::from_utf8(body)
        .map_err(|_| CliError::Msg("The server's cupsd.conf is not UTF-8 text.".into()))
}

fn put_conf(ctx: &mut Ctx, text: &str) -> Result<(), CliError> {
    let (status, body) = ctx.client()?.put(RESOURCE, "text/plain", text.as_bytes().to_vec())?;
    match status {
        200 | 201 | 204 => Ok(()),
        s => Err(refusal("Unable to change server settings", s, &body)),
    }
}

#[cfg(test)]
#[path = "cupsctl_tests.rs"]
mod tests;
