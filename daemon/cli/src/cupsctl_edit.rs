//! The rewrite of cupsd.conf behind `cupsctl --[no-]...` and `name=value`: one pass over
//! the directives, replacing the lines each changed switch is made of, then what the file
//! lacked appended. Each switch is `None` when it does not change.

use super::{is, Host, DEFAULT_BROWSE_PROTOCOLS, DEFAULT_LOG_LEVEL, DEFAULT_SOCKET, OPERATOR_AUTH};
use crate::dests::OptionList;

/// Which `<Location>` the pass is in, when it is one whose access rules a switch writes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Place {
    #[default]
    Other,
    Root,
    Admin,
    Conf,
    Log,
}

/// The default policy's Cancel-Job limit, while the pass is in one that mentions it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum CancelLimit {
    #[default]
    No,
    /// A limit for Cancel-Job and other operations: kept without Cancel-Job.
    Shared,
    /// A limit for Cancel-Job alone: dropped.
    Alone,
}

/// The switches' wanted values (None: unchanged) and the old `_remote_any`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Switches {
    pub old_remote_any: bool,
    pub debug: Option<bool>,
    pub remote_admin: Option<bool>,
    pub remote_any: Option<bool>,
    pub share: Option<bool>,
    pub cancel_any: Option<bool>,
}

pub(super) struct Editor<'a> {
    changes: &'a OptionList,
    host: Host,
    old_remote_any: bool,
    debug: Option<bool>,
    remote_admin: Option<bool>,
    remote_any: Option<bool>,
    share: Option<bool>,
    cancel_any: Option<bool>,
    pub out: String,
    /// Top-level directives of the new file, so `name=value` is not written twice.
    written: OptionList,
    in_location: bool,
    place: Place,
    in_policy: bool,
    in_default_policy: bool,
    cancel: CancelLimit,
    indent: usize,
    wrote_listen: bool,
    wrote_browsing: bool,
    wrote_log_level: bool,
    wrote_policy: bool,
    wrote: Vec<Place>,
}

impl<'a> Editor<'a> {
    pub fn new(changes: &'a OptionList, host: Host, sw: Switches) -> Editor<'a> {
        Editor {
            changes,
            host,
            old_remote_any: sw.old_remote_any,
            debug: sw.debug,
            remote_admin: sw.remote_admin,
            remote_any: sw.remote_any,
            share: sw.share,
            cancel_any: sw.cancel_any,
            out: String::new(),
            written: OptionList::default(),
            in_location: false,
            place: Place::Other,
            in_policy: false,
            in_default_policy: false,
            cancel: CancelLimit::No,
            indent: 0,
            wrote_listen: false,
            wrote_browsing: false,
            wrote_log_level: false,
            wrote_policy: false,
            wrote: Vec::new(),
        }
    }

    fn put(&mut self, indent: usize, text: &str) {
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// A switch that opens the server to other machines is being turned on.
    fn opening(&self) -> bool {
        [self.remote_admin, self.remote_any, self.share].contains(&Some(true))
    }

    /// A switch about who may connect changes.
    fn access_changes(&self) -> bool {
        self.remote_admin.is_some() || self.remote_any.is_some() || self.share.is_some()
    }

    /// Whom the rewritten Allow lines let in.
    fn allowed(&self) -> &'static str {
        if self.remote_any.unwrap_or(self.old_remote_any) {
            "all"
        } else {
            "@LOCAL"
        }
    }

    fn listen_lines(&mut self, value: Option<&str>) {
        let port = self.host.port;
        if self.opening() {
            self.put(0, &format!("Port {port}"));
        } else {
            self.put(0, &format!("Listen localhost:{port}"));
        }
        if value != Some(DEFAULT_SOCKET) && self.host.default_socket {
            self.put(0, &format!("Listen {DEFAULT_SOCKET}"));
        }
    }

    fn browsing_lines(&mut self, share: bool) {
        if !share {
            self.put(0, "Browsing Off");
            return;
        }
        self.put(0, "Browsing On");
        let given = self.changes.get("BrowseLocalProtocols").filter(|p| !p.is_empty());
        let protocols = given
            .or(self.written.get("BrowseLocalProtocols"))
            .unwrap_or(DEFAULT_BROWSE_PROTOCOLS)
            .to_string();
        self.put(0, &format!("BrowseLocalProtocols {protocols}"));
        self.written.add("BrowseLocalProtocols", &protocols);
    }

    fn log_level_line(&mut self, debug: bool) {
        self.wrote_log_level = true;
        let level = if debug { "debug" } else { DEFAULT_LOG_LEVEL };
        self.put(0, &format!("LogLevel {level}"));
    }

    fn cancel_owner_only(&mut self) {
        self.put(2, "<Limit Cancel-Job>");
        self.put(4, "Order deny,allow");
        self.put(4, &format!("Require user @OWNER {OPERATOR_AUTH}"));
        self.put(2, "</Limit>");
    }

    /// The access rules a closing `</Location>` gets, if a switch rewrites them.
    fn location_rules(&mut self) {
        let place = self.place;
        let rewrite = match place {
            Place::Admin | Place::Conf | Place::Log => self.remote_admin.is_some(),
            Place::Root => self.access_changes(),
            Place::Other => false,
        };
        if !rewrite {
            return;
        }
        self.wrote.push(place);
        self.put(2, "Order allow,deny");
        let allow = match place {
            Place::Root => self.opening(),
            _ => self.remote_admin == Some(true),
        };
        if allow {
            let who = self.allowed();
            self.put(2, &format!("Allow {who}"));
        }
    }

    fn open_location(&mut self, name: &str, path: &str) {
        self.in_location = true;
        self.indent += 2;
        self.place = match path {
            "/" => Place::Root,
            "/admin" => Place::Admin,
            "/admin/conf" => Place::Conf,
            "/admin/log" => Place::Log,
            _ => Place::Other,
        };
        self.put(0, &format!("{name} {path}>"));
    }

    fn close_location(&mut self) {
        self.in_location = false;
        self.indent = self.indent.saturating_sub(2);
        self.location_rules();
        self.place = Place::Other;
        self.put(0, "</Location>");
    }

    /// `<Limit ...>` in the default policy: Cancel-Job taken out when its switch changes.
    fn default_policy_limit(&mut self, name: &str, value: &str) {
        if self.cancel_any.is_some() && is(value, "cancel-job") {
            self.cancel = CancelLimit::Alone;
            return;
        }
        let mut line = name.to_string();
        for op in value.split_whitespace() {
            if self.cancel_any.is_some() && is(op, "cancel-job") {
                self.cancel = CancelLimit::Shared;
            } else {
                line.push(' ');
                line.push_str(op);
            }
        }
        line.push('>');
        self.put(self.indent, &line);
    }

    /// One directive of the old file.
    pub fn line(&mut self, name: &str, value: Option<&str>) {
        if self.block_line(name, value) {
            return;
        }
        let access = self.place != Place::Other
            && (self.remote_admin.is_some() || self.remote_any.is_some());
        let root_share = self.place == Place::Root && self.share.is_some();
        let rule = ["Allow", "Deny", "Order"].iter().any(|k| is(name, k));
        let top = !self.in_policy && !self.in_location;
        if (access || root_share) && rule || self.cancel == CancelLimit::Alone {
            // Rewritten at the block's end, or dropped with its limit.
        } else if name.starts_with('<') {
            match value {
                Some(v) => {
                    self.put(self.indent, &format!("{name} {v}>"));
                    self.indent += 2;
                }
                None => {
                    if name.starts_with("</") {
                        self.indent = self.indent.saturating_sub(2);
                    }
                    self.put(self.indent, name);
                }
            }
        } else if let Some(v) = self.changes.get(name).filter(|_| top) {
            let v = v.to_string();
            self.written.add(name, &v);
            self.put(0, &format!("{name} {v}"));
        } else if let Some(v) = value {
            if top {
                self.written.add(name, v);
            }
            self.put(self.indent, &format!("{name} {v}"));
        } else {
            self.put(self.indent, name);
        }
    }

    /// The directives the switches own (Listen, Browsing, LogLevel, the blocks); true if
    /// `name` was one of them.
    fn block_line(&mut self, name: &str, value: Option<&str>) -> bool {
        let v = value.unwrap_or("");
        match name {
            n if (is(n, "Port") || is(n, "Listen")) && self.access_changes() => {
                if !self.wrote_listen {
                    self.wrote_listen = true;
                    self.listen_lines(value);
                } else if v.starts_with('/') && v != DEFAULT_SOCKET {
                    self.put(0, &format!("Listen {v}"));
                }
            }
            n if (is(n, "Browsing") || is(n, "BrowseLocalProtocols")) && self.share.is_some() => {
                if !self.wrote_browsing {
                    self.wrote_browsing = true;
                    self.browsing_lines(self.share == Some(true));
                }
            }
            n if is(n, "LogLevel") && self.debug.is_some() => {
                self.log_level_line(self.debug == Some(true))
            }
            n if is(n, "<Policy") => {
                self.in_default_policy = is(v, "default");
                self.in_policy = true;
                self.put(0, &format!("{n} {v}>"));
                self.indent += 2;
            }
            n if is(n, "</Policy>") => {
                self.indent = self.indent.saturating_sub(2);
                if !self.wrote_policy && self.in_default_policy {
                    self.wrote_policy = true;
                    if self.cancel_any == Some(false) {
                        self.cancel_owner_only();
                    }
                }
                self.in_policy = false;
                self.in_default_policy = false;
                self.put(0, "</Policy>");
            }
            n if is(n, "<Location") => self.open_location(n, v),
            n if is(n, "</Location>") => self.close_location(),
            n if is(n, "<Limit") => {
                if self.in_default_policy {
                    self.default_policy_limit(n, v);
                } else {
                    self.put(self.indent, &format!("{n} {v}>"));
                }
                self.indent += 2;
            }
            n if is(n, "</Limit>") && self.cancel != CancelLimit::No => {
                self.indent = self.indent.saturating_sub(2);
                if self.cancel == CancelLimit::Shared {
                    self.put(2, "</Limit>");
                }
                self.wrote_policy = true;
                if self.cancel_any == Some(false) {
                    self.cancel_owner_only();
                }
                self.cancel = CancelLimit::No;
            }
            _ => return false,
        }
        true
    }

    /// What the old file lacked: appended after it.
    pub fn finish(&mut self) {
        if let (false, Some(share)) = (self.wrote_browsing, self.share) {
            self.put(0, if share { "Browsing On" } else { "Browsing Off" });
        }
        if let (false, Some(debug)) = (self.wrote_log_level, self.debug) {
            self.log_level_line(debug);
        }
        if !self.wrote_listen && self.access_changes() {
            self.listen_lines(None);
        }
        let any = if self.remote_any == Some(true) { "all" } else { "@LOCAL" };
        if !self.wrote.contains(&Place::Root) && self.access_changes() {
            self.put(0, "<Location />");
            self.put(2, "Order allow,deny");
            if self.opening() {
                self.put(2, &format!("Allow {any}"));
            }
            self.put(0, "</Location>");
        }
        for (place, path) in
            [(Place::Admin, "/admin"), (Place::Conf, "/admin/conf"), (Place::Log, "/admin/log")]
        {
            let Some(remote) = self.remote_admin.filter(|_| !self.wrote.contains(&place)) else {
                continue;
            };
            self.put(0, &format!("<Location {path}>"));
            if place != Place::Admin {
                self.put(2, "AuthType Default");
                self.put(2, "Require user @SYSTEM");
            }
            self.put(2, "Order allow,deny");
            if remote {
                self.put(2, &format!("Allow {any}"));
            }
            self.put(0, "</Location>");
        }
        if let (false, Some(cancel_any)) = (self.wrote_policy, self.cancel_any) {
            self.default_policy(cancel_any);
        }
        let settings: Vec<(String, String)> =
            self.changes.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        for (name, value) in settings {
            let skip = name.starts_with('_') || is(&name, "Listen") || is(&name, "Port");
            if !skip && self.written.get(&name).is_none() {
                self.written.add(&name, &value);
                self.put(0, &format!("{name} {value}"));
            }
        }
    }

    /// A default policy for a file that had none: owners and administrators act on jobs,
    /// administrators on printers.
    fn default_policy(&mut self, cancel_any: bool) {
        const JOB_OPS: &str = "Send-Document Send-URI Hold-Job Release-Job Restart-Job \
            Purge-Jobs Set-Job-Attributes Create-Job-Subscription Renew-Subscription \
            Cancel-Subscription Get-Notifications Reprocess-Job Cancel-Current-Job \
            Suspend-Current-Job Resume-Job CUPS-Move-Job";
        const ADMIN_OPS: &str = "Pause-Printer Resume-Printer Set-Printer-Attributes \
            Enable-Printer Disable-Printer Pause-Printer-After-Current-Job Hold-New-Jobs \
            Release-Held-New-Jobs Deactivate-Printer Activate-Printer Restart-Printer \
            Shutdown-Printer Startup-Printer Promote-Job Schedule-Job-After CUPS-Add-Printer \
            CUPS-Delete-Printer CUPS-Add-Class CUPS-Delete-Class CUPS-Accept-Jobs \
            CUPS-Reject-Jobs CUPS-Set-Default CUPS-Add-Device CUPS-Delete-Device";
        self.put(0, "<Policy default>");
        self.put(2, &format!("<Limit {JOB_OPS}>"));
        self.put(4, "Require user @OWNER @SYSTEM");
        self.put(4, "Order deny,allow");
        self.put(2, "</Limit>");
        self.put(2, &format!("<Limit {ADMIN_OPS}>"));
        self.put(4, "AuthType Default");
        self.put(4, "Require user @SYSTEM");
        self.put(4, "Order deny,allow");
        self.put(2, "</Limit>");
        if !cancel_any {
            self.cancel_owner_only();
        }
        self.put(2, "<Limit All>");
        self.put(4, "Order deny,allow");
        self.put(2, "</Limit>");
        self.put(0, "</Policy>");
    }
}
