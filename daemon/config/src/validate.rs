//! Nodes -> typed [`ServerConfig`]. Bad values warn and keep the previous value, as cupsd does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::access::{
    apply_access, is_method, is_operation, merge_private, parse_auth_type, parse_encryption,
    parse_private, PrivateList,
};
use crate::diag::{Diagnostic, Loc};
use crate::model::*;
use crate::parse::{Block, BlockKind, Directive, Node};
use crate::table::{lookup, ConfFile, Context, DirectiveInfo, Status};
use crate::values::*;

/// Validate parsed cupsd.conf (`cupsd`) and cups-files.conf (`files`) trees.
/// Never fails: problems become Warnings and the affected setting keeps its default.
pub fn validate(cupsd: &[Node], files: &[Node]) -> (ServerConfig, Vec<Diagnostic>) {
    let mut v = Validator { cfg: ServerConfig::default(), diags: Vec::new(), temp_dir_set: false };
    for n in files {
        v.top_node(n, ConfFile::Files);
    }
    for n in cupsd {
        v.top_node(n, ConfFile::Cupsd);
    }
    v.finish(cupsd.first().map(|n| n.loc().file.clone()));
    (v.cfg, v.diags)
}

pub(crate) struct Validator {
    pub(crate) cfg: ServerConfig,
    pub(crate) diags: Vec<Diagnostic>,
    temp_dir_set: bool,
}

impl Validator {
    fn warn(&mut self, loc: &Loc, msg: String) {
        self.diags.push(Diagnostic::warning(loc, msg));
    }

    fn bad_value(&mut self, d: &Directive, err: ValueError) {
        let msg =
            format!("bad value \"{}\" for {}: {err}; keeping the previous value", d.args, d.name);
        self.warn(&d.args_loc(), msg);
    }

    fn top_node(&mut self, node: &Node, file: ConfFile) {
        match node {
            Node::Directive(d) => {
                if let Some(info) = self.check(d, file, Context::TopLevel) {
                    let res = self.apply_top(info, d);
                    match res {
                        // Keeping the previous value (no list: any host) would open what
                        // the line meant to close.
                        Err(e) if info.name == "PullHosts" => {
                            let msg = format!("bad value \"{}\" for PullHosts: {e}", d.args);
                            self.diags.push(Diagnostic::error(&d.args_loc(), msg));
                        }
                        // The line holds a secret: the warning names the directive only.
                        Err(e) if info.name == "DNSSDUpdateKey" => {
                            let msg =
                                format!("bad DNSSDUpdateKey: {e}; keeping the previous value");
                            self.warn(&d.args_loc(), msg);
                        }
                        Err(e) => self.bad_value(d, e),
                        Ok(()) => {}
                    }
                }
            }
            Node::Block(b) if file == ConfFile::Files => {
                self.warn(
                    &b.loc,
                    format!(
                        "<{}> blocks belong in cupsd.conf, not cups-files.conf; ignored",
                        b.name
                    ),
                );
            }
            Node::Block(b) => match b.kind() {
                BlockKind::Policy => self.policy(b),
                BlockKind::Location => self.location(b),
                BlockKind::Limit | BlockKind::LimitExcept => {
                    self.warn(
                        &b.loc,
                        format!("<{}> must be inside <Policy> or <Location>; ignored", b.name),
                    );
                }
                BlockKind::Unknown => {
                    self.warn(&b.loc, format!("unknown block <{}>; ignored", b.name))
                }
            },
        }
    }

    /// Look a directive up and decide whether to apply it, warning like cupsd if not.
    fn check(
        &mut self,
        d: &Directive,
        file: ConfFile,
        ctx: Context,
    ) -> Option<&'static DirectiveInfo> {
        let Some(info) = lookup(&d.name) else {
            self.warn(&d.loc, format!("unknown directive {}; ignored", d.name));
            return None;
        };
        if info.file != file {
            // A key's line holds its secret, which a warning must not show.
            let args = if info.name == "DNSSDUpdateKey" { "..." } else { d.args.as_str() };
            let sep = if args.is_empty() { "" } else { " " };
            let msg = format!(
                "Please move \"{}{sep}{args}\" to the {} file; ignored here",
                d.name,
                info.file.file_name()
            );
            self.warn(&d.loc, msg);
            return None;
        }
        if !info.contexts.contains(&ctx) {
            let allowed: Vec<&str> = info.contexts.iter().map(|c| c.label()).collect();
            let msg = format!(
                "{} is not allowed at {} (only {}); ignored",
                info.name,
                ctx.label(),
                allowed.join(", ")
            );
            self.warn(&d.loc, msg);
            return None;
        }
        if info.status == Status::AcceptedIgnored && !asks_what_quire_does(info.name, &d.args) {
            // Applied or said not to be: an admin reading `quired -t` sees every line that
            // does nothing here (its value is still checked).
            self.warn(&d.loc, format!("{} has no effect in Quire ({})", info.name, info.note));
        }
        if info.status == Status::Unsupported {
            self.warn(
                &d.loc,
                format!("{} is not supported by Quire ({}); ignored", info.name, info.note),
            );
            return None;
        }
        Some(info)
    }

    fn apply_top(&mut self, info: &DirectiveInfo, d: &Directive) -> Result<(), ValueError> {
        let a = d.args.as_str();
        let c = &mut self.cfg;
        if let Some(f) = count_field(c, info.name) {
            *f = parse_count(a)?;
        } else if let Some(f) = time_field(c, info.name) {
            *f = parse_time(a)?;
        } else if let Some(f) = bool_field(c, info.name) {
            *f = parse_bool(a)?;
        } else if let Some(f) = dir_field(c, info.name) {
            *f = PathBuf::from(nonempty(a)?);
            self.temp_dir_set |= info.name == "TempDir";
        } else if let Some(f) = log_field(c, info.name) {
            let target = parse_log_target(a);
            // quired writes no syslog: an audit log sent there would be silently lost.
            if info.name == "AuditLog" && target == LogTarget::Syslog {
                return Err(ValueError::Other(
                    "Quire cannot write the audit log to syslog; give a file (absolute or relative to ServerRoot) or none".into(),
                ));
            }
            *f = target;
        } else if let Some(f) = string_list_field(c, info.name) {
            *f = a.split_whitespace().map(str::to_string).collect();
        } else if info.status == Status::AcceptedIgnored {
            check_ignored(info.name, a)?;
        } else {
            return self.apply_special(info.name, d);
        }
        Ok(())
    }

    fn apply_special(&mut self, name: &str, d: &Directive) -> Result<(), ValueError> {
        let a = d.args.as_str();
        if apply_keyword_choice(&mut self.cfg, name, a)? {
            return Ok(());
        }
        if name == "User" {
            self.apply_user(single_word(a)?, d);
            return Ok(());
        }
        let c = &mut self.cfg;
        match name {
            "Listen" | "SSLListen" => c.listen.push(parse_listen(a)?),
            "Port" | "SSLPort" => c.listen.push(Listen::Any(parse_port(single_word(a)?)?)),
            "DefaultAuthType" => c.default_auth_type = parse_auth_type(a)?,
            "DefaultEncryption" => c.default_encryption = parse_encryption(a)?,
            "DefaultPolicy" => c.default_policy = single_word(a)?.to_string(),
            "DefaultPaperSize" => c.default_paper_size = Some(single_word(a)?.to_string()),
            "ServerName" => c.server_name = Some(single_word(a)?.to_string()),
            "DNSSDHostName" => c.dnssd_host_name = Some(single_word(a)?.to_string()),
            "BrowseLocalProtocols" => c.browse_dnssd = parse_browse_protocols(a)?,
            "BrowseDNSSDSubTypes" => c.browse_dnssd_subtypes = parse_subtypes(a)?,
            "ServerAdmin" => c.server_admin = Some(single_word(a)?.to_string()),
            "ServerAlias" => c.server_alias.extend(a.split_whitespace().map(str::to_string)),
            "PageLogFormat" => c.page_log_format = (!a.is_empty()).then(|| a.to_string()),
            "MaxLogSize" => c.max_log_size = parse_size(a)?,
            "LimitRequestBody" => c.limit_request_body = parse_size(a)?,
            "SpoolQuota" => c.spool_quota = parse_size(a)?,
            "SpoolQuotaPerUser" => c.spool_quota_per_user = parse_size(a)?,
            "PamService" => c.pam_service = single_word(a)?.to_string(),
            "PullSchemes" => {
                c.pull_schemes = a.split_whitespace().map(str::to_ascii_lowercase).collect()
            }
            "PullHosts" => {
                c.pull_hosts =
                    a.split_whitespace().map(parse_pull_host).collect::<Result<_, _>>()?
            }
            "PullMinRate" => c.pull_min_rate = parse_min_rate(a)?,
            "DNSSDWideAreaDomain" => c.wide_area.domain = Some(parse_domain(a)?),
            "DNSSDUpdateServer" => c.wide_area.update_server = Some(parse_update_server(a)?),
            "DNSSDUpdateKey" => c.wide_area.update_key = Some(parse_update_key(a)?),
            "DNSSDZoneFile" => c.wide_area.zone_file = Some(absolute_path(a)?),
            "PreserveJobFiles" => c.preserve_job_files = parse_preserve(a)?,
            "PreserveJobHistory" => c.preserve_job_history = parse_preserve(a)?,
            "ConfigFilePerm" => c.config_file_perm = parse_mode(a)?,
            "LogFilePerm" => c.log_file_perm = parse_mode(a)?,
            "LogFileGroup" => c.log_file_group = Some(single_word(a)?.to_string()),
            "ServerKeychain" => c.server_keychain = PathBuf::from(nonempty(a)?),
            "FatalErrors" => c.fatal_errors = parse_fatal_errors(a)?,
            "Group" => c.group = single_word(a)?.to_string(),
            "RemoteRoot" => c.remote_root = single_word(a)?.to_string(),
            "SetEnv" => {
                let (k, v) = a
                    .split_once(char::is_whitespace)
                    .ok_or(ValueError::Other("expected: SetEnv variable value".into()))?;
                c.set_env.push((k.to_string(), v.trim().to_string()));
            }
            _ => {
                return Err(ValueError::Other(format!(
                    "{name} is not handled here (internal table mismatch)"
                )))
            }
        }
        if name == "DefaultAuthType" && c.default_auth_type == AuthType::Negotiate {
            self.negotiate_warning(&d.args_loc());
        }
        Ok(())
    }

    /// `User`: as cupsd, never root (filters would run as root). A name that only NSS maps to
    /// uid 0 is refused when the daemon resolves it.
    fn apply_user(&mut self, user: &str, d: &Directive) {
        if user == "root" || user.parse::<u32>() == Ok(0) {
            let msg = format!("Will not use User {user} (UID=0) for security reasons.  You must use a non-privileged account instead.");
            self.diags.push(Diagnostic::error(&d.args_loc(), msg));
        } else {
            self.cfg.user = user.to_string();
        }
    }

    fn negotiate_warning(&mut self, loc: &Loc) {
        self.warn(loc, "Negotiate (Kerberos) authentication is not implemented; requests needing it will be refused".into());
    }

    fn policy(&mut self, b: &Block) {
        let Ok(name) = single_word(&b.args) else {
            self.warn(&b.loc, "<Policy> needs exactly one name; block ignored".into());
            return;
        };
        if let Some(prev) = self.cfg.policy(name) {
            let msg = format!(
                "policy \"{name}\" already defined at line {}; block ignored",
                prev.loc.line
            );
            self.warn(&b.loc, msg);
            return;
        }
        let mut p = Policy {
            name: name.to_string(),
            job_private_access: PrivateList::JobAccess.defaults(),
            job_private_values: PrivateList::JobValues.defaults(),
            subscription_private_access: PrivateList::SubAccess.defaults(),
            subscription_private_values: PrivateList::SubValues.defaults(),
            limits: Vec::new(),
            loc: b.loc.clone(),
        };
        // Which private lists this block sets: the first line replaces the default, later
        // ones add to it (cupsd appends every line's values).
        let mut set: Vec<&str> = Vec::new();
        for child in &b.children {
            match child {
                Node::Directive(d) => {
                    let Some(info) = self.check(d, ConfFile::Cupsd, Context::Policy) else {
                        continue;
                    };
                    let first = !set.contains(&info.name);
                    set.push(info.name);
                    let (kind, field) = match info.name {
                        "JobPrivateAccess" => (PrivateList::JobAccess, &mut p.job_private_access),
                        "JobPrivateValues" => (PrivateList::JobValues, &mut p.job_private_values),
                        "SubscriptionPrivateAccess" => {
                            (PrivateList::SubAccess, &mut p.subscription_private_access)
                        }
                        _ => (PrivateList::SubValues, &mut p.subscription_private_values),
                    };
                    match parse_private(kind, &d.args) {
                        Ok(v) if first => *field = v,
                        Ok(v) => merge_private(field, v),
                        Err(e) => self.bad_value(d, e),
                    }
                }
                Node::Block(inner) => match inner.kind() {
                    BlockKind::Limit | BlockKind::LimitExcept => {
                        p.limits.extend(self.limit(inner, true))
                    }
                    _ => self.warn(
                        &inner.loc,
                        format!("<{}> is not allowed inside <Policy>; ignored", inner.name),
                    ),
                },
            }
        }
        self.cfg.policies.push(p);
    }

    /// A `<Limit>`/`<LimitExcept>` block; `in_policy` selects IPP operations vs HTTP methods.
    fn limit(&mut self, b: &Block, in_policy: bool) -> Option<Limit> {
        let mut operations = Vec::new();
        for (op, col) in words_with_cols(&b.args, b.args_col) {
            let ok = if in_policy { is_operation(op) } else { is_method(op) };
            if ok {
                operations.push(op.to_string());
            } else {
                let what = if in_policy { "IPP operation" } else { "HTTP method" };
                let loc = Loc { col, ..b.loc.clone() };
                self.warn(&loc, format!("unknown {what} \"{op}\" in <{}>; ignored", b.name));
            }
        }
        if operations.is_empty() {
            self.warn(&b.loc, format!("<{}> lists no valid operations; block ignored", b.name));
            return None;
        }
        let access = self.access_children(b, Context::Limit, None);
        Some(Limit {
            operations,
            except: b.kind() == BlockKind::LimitExcept,
            access,
            loc: b.loc.clone(),
        })
    }

    /// Apply access directives among `b`'s children; nested Limits go to `limits` when given.
    fn access_children(
        &mut self,
        b: &Block,
        ctx: Context,
        mut limits: Option<&mut Vec<Limit>>,
    ) -> Access {
        let mut acc = Access::default();
        for child in &b.children {
            match child {
                Node::Directive(d) => {
                    let Some(info) = self.check(d, ConfFile::Cupsd, ctx) else {
                        continue;
                    };
                    match apply_access(&mut acc, info.name, &d.args) {
                        Ok(())
                            if info.name == "AuthType"
                                && acc.auth_type == Some(AuthType::Negotiate) =>
                        {
                            self.negotiate_warning(&d.args_loc())
                        }
                        Ok(()) => {}
                        Err(e) => self.bad_value(d, e),
                    }
                }
                Node::Block(inner) => match (inner.kind(), limits.as_deref_mut()) {
                    (BlockKind::Limit | BlockKind::LimitExcept, Some(list)) => {
                        list.extend(self.limit(inner, false))
                    }
                    _ => self.warn(
                        &inner.loc,
                        format!("<{}> is not allowed inside <{}>; ignored", inner.name, b.name),
                    ),
                },
            }
        }
        acc
    }

    fn location(&mut self, b: &Block) {
        let Ok(path) = single_word(&b.args) else {
            self.warn(&b.loc, "<Location> needs exactly one path; block ignored".into());
            return;
        };
        if !path.starts_with('/') {
            self.warn(&b.args_loc(), format!("location path \"{path}\" does not start with '/'"));
        }
        let mut limits = Vec::new();
        let access = self.access_children(b, Context::Location, Some(&mut limits));
        if let Some(i) = self.cfg.locations.iter().position(|l| l.path == path) {
            let line = self.cfg.locations[i].loc.line;
            self.warn(
                &b.loc,
                format!("<Location {path}> already defined at line {line}; this one replaces it"),
            );
            self.cfg.locations.remove(i);
        }
        self.cfg.locations.push(Location {
            path: path.to_string(),
            access,
            limits,
            loc: b.loc.clone(),
        });
    }

    fn finish(&mut self, cupsd_file: Option<PathBuf>) {
        let file = cupsd_file.unwrap_or_else(|| PathBuf::from("cupsd.conf"));
        let loc = Loc { file, line: 1, col: 1 };
        if self.cfg.listen.is_empty() {
            self.warn(
                &loc,
                "no Listen or Port lines: the server will not accept connections".into(),
            );
        }
        if !self.cfg.policies.is_empty() && self.cfg.policy(&self.cfg.default_policy).is_none() {
            // As cupsd: the policy named "default" stands in, else its built-in one.
            let instead = if self.cfg.policy("default").is_some() {
                "<Policy default> is used instead"
            } else {
                "cupsd's standard default policy is used instead"
            };
            let msg = format!(
                "DefaultPolicy \"{}\" is not defined by any <Policy>; {instead}",
                self.cfg.default_policy
            );
            self.warn(&loc, msg);
        }
        let c = &mut self.cfg;
        if !self.temp_dir_set {
            c.temp_dir = c.request_root.join("tmp");
        }
        c.server_keychain = c.server_root.join(&c.server_keychain);
        for log in [&mut c.access_log, &mut c.error_log, &mut c.page_log, &mut c.audit_log] {
            if let LogTarget::File(p) = log {
                *p = c.server_root.join(&*p);
            }
        }
    }
}

const LOG_LEVEL_NAMES: &[&str] =
    &["none", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug", "debug2"];
const LOG_LEVELS: [LogLevel; 10] = [
    LogLevel::None,
    LogLevel::Emerg,
    LogLevel::Alert,
    LogLevel::Crit,
    LogLevel::Error,
    LogLevel::Warn,
    LogLevel::Notice,
    LogLevel::Info,
    LogLevel::Debug,
    LogLevel::Debug2,
];

/// Whitespace-separated words of `s` with their 1-based columns, given `s` starts at `col`.
fn words_with_cols(s: &str, col: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (ch.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((&s[st..i], col + s[..st].chars().count()));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

fn nonempty(a: &str) -> Result<&str, ValueError> {
    if a.is_empty() {
        Err(ValueError::Empty)
    } else {
        Ok(a)
    }
}

fn count_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut u32> {
    Some(match name {
        "JobRetryLimit" => &mut c.job_retry_limit,
        "MaxClients" => &mut c.max_clients,
        "MaxClientsPerHost" => &mut c.max_clients_per_host,
        "MaxCopies" => &mut c.max_copies,
        "MaxJobs" => &mut c.max_jobs,
        "MaxJobsPerPrinter" => &mut c.max_jobs_per_printer,
        "MaxJobsPerUser" => &mut c.max_jobs_per_user,
        "MaxSubscriptions" => &mut c.max_subscriptions,
        "MaxEvents" => &mut c.max_events,
        "MaxSubscriptionsPerJob" => &mut c.max_subscriptions_per_job,
        "MaxSubscriptionsPerPrinter" => &mut c.max_subscriptions_per_printer,
        "MaxSubscriptionsPerUser" => &mut c.max_subscriptions_per_user,
        "MaxAuthFailures" => &mut c.max_auth_failures,
        _ => return None,
    })
}

fn time_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut Duration> {
    Some(match name {
        "JobKillDelay" => &mut c.job_kill_delay,
        "JobRetryInterval" => &mut c.job_retry_interval,
        "MaxHoldTime" => &mut c.max_hold_time,
        "DefaultLeaseDuration" => &mut c.default_lease_duration,
        "MaxLeaseDuration" => &mut c.max_lease_duration,
        "MaxJobTime" => &mut c.max_job_time,
        "MultipleOperationTimeout" => &mut c.multiple_operation_timeout,
        "ReloadTimeout" => &mut c.reload_timeout,
        "IdleExitTimeout" => &mut c.idle_exit_timeout,
        "Timeout" => &mut c.timeout,
        "AuthLockoutTime" => &mut c.auth_lockout_time,
        "ConfidentialHoldTime" => &mut c.confidential_hold_time,
        _ => return None,
    })
}

fn bool_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut bool> {
    Some(match name {
        "AutoPurgeJobs" => &mut c.auto_purge_jobs,
        "DefaultShared" => &mut c.default_shared,
        "KeepAlive" => &mut c.keep_alive,
        "Browsing" => &mut c.browsing,
        "BrowseWebIF" => &mut c.browse_web_if,
        "WebInterface" => &mut c.web_interface,
        "CreateSelfSignedCerts" => &mut c.create_self_signed_certs,
        "FileDevice" => &mut c.file_device,
        _ => return None,
    })
}

fn dir_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut PathBuf> {
    Some(match name {
        "ServerRoot" => &mut c.server_root,
        "RequestRoot" => &mut c.request_root,
        "StateDir" => &mut c.state_dir,
        "CacheDir" => &mut c.cache_dir,
        "TempDir" => &mut c.temp_dir,
        "DataDir" => &mut c.data_dir,
        "ServerBin" => &mut c.server_bin,
        "DocumentRoot" => &mut c.document_root,
        _ => return None,
    })
}

fn log_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut LogTarget> {
    Some(match name {
        "AccessLog" => &mut c.access_log,
        "ErrorLog" => &mut c.error_log,
        "PageLog" => &mut c.page_log,
        "AuditLog" => &mut c.audit_log,
        _ => return None,
    })
}

fn string_list_field<'a>(c: &'a mut ServerConfig, name: &str) -> Option<&'a mut Vec<String>> {
    Some(match name {
        "SystemGroup" => &mut c.system_group,
        "PassEnv" => &mut c.pass_env,
        _ => return None,
    })
}

/// Empty or `none` disables a log; `syslog`/`stderr` are special; anything else is a path.
fn parse_log_target(a: &str) -> LogTarget {
    match a.to_ascii_lowercase().as_str() {
        "" | "none" => LogTarget::None,
        "syslog" => LogTarget::Syslog,
        "stderr" => LogTarget::Stderr,
        _ => LogTarget::File(Path::new(a).to_path_buf()),
    }
}

fn parse_fatal_errors(a: &str) -> Result<Vec<String>, ValueError> {
    const KINDS: &[&str] = &["none", "all", "browse", "config", "listen", "log", "permissions"];
    let mut out = Vec::new();
    for w in a.split_whitespace() {
        let lw = w.to_ascii_lowercase();
        parse_keyword(lw.trim_start_matches('-'), KINDS)?;
        out.push(lw);
    }
    if out.is_empty() {
        Err(ValueError::Empty)
    } else {
        Ok(out)
    }
}

/// The directives whose value is one keyword of a fixed list (`LogLevel`, `ErrorPolicy`, ...);
/// false when `name` is not one of them.
fn apply_keyword_choice(c: &mut ServerConfig, name: &str, a: &str) -> Result<bool, ValueError> {
    match name {
        "LogLevel" => c.log_level = LOG_LEVELS[parse_keyword(single_word(a)?, LOG_LEVEL_NAMES)?],
        "AccessLogLevel" => {
            const V: [AccessLogLevel; 4] = [
                AccessLogLevel::None,
                AccessLogLevel::Config,
                AccessLogLevel::Actions,
                AccessLogLevel::All,
            ];
            const NAMES: &[&str] = &["none", "config", "actions", "all"];
            c.access_log_level = V[parse_keyword(single_word(a)?, NAMES)?];
        }
        "LogTimeFormat" => {
            let i = parse_keyword(single_word(a)?, &["standard", "usecs"])?;
            c.log_time_format = if i == 0 { LogTimeFormat::Standard } else { LogTimeFormat::Usecs };
        }
        "ErrorPolicy" => {
            const V: [ErrorPolicy; 4] = [
                ErrorPolicy::AbortJob,
                ErrorPolicy::RetryCurrentJob,
                ErrorPolicy::RetryJob,
                ErrorPolicy::StopPrinter,
            ];
            let names = &["abort-job", "retry-current-job", "retry-job", "stop-printer"];
            c.error_policy = V[parse_keyword(single_word(a)?, names)?];
        }
        "PeerCred" => {
            const V: [PeerCred; 3] = [PeerCred::Off, PeerCred::On, PeerCred::RootOnly];
            c.peer_cred = V[parse_keyword(single_word(a)?, &["off", "on", "root-only"])?];
        }
        "ServerTokens" => {
            use ServerTokens::*;
            const V: [ServerTokens; 7] = [None, ProductOnly, Major, Minor, Minimal, Os, Full];
            let names = &["None", "ProductOnly", "Major", "Minor", "Minimal", "OS", "Full"];
            c.server_tokens = V[parse_keyword(single_word(a)?, names)?];
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// `BrowseLocalProtocols`: whether DNS-SD is among the names (`dnssd`, `all`, `none`).
fn parse_browse_protocols(a: &str) -> Result<bool, ValueError> {
    let mut dnssd = false;
    for w in a.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        dnssd |= parse_keyword(w, &["all", "dnssd", "none"])? != 2;
    }
    Ok(dnssd)
}

/// `BrowseDNSSDSubTypes _cups,_print`: each a DNS-SD subtype label (`_` and letters, digits, `-`).
fn parse_subtypes(a: &str) -> Result<Vec<String>, ValueError> {
    let mut out = Vec::new();
    for w in a.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        let ok = w.len() <= 63
            && w.starts_with('_')
            && w[1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && w.len() > 1;
        if !ok {
            return Err(ValueError::Other(format!("\"{w}\" is not a DNS-SD subtype like _print")));
        }
        out.push(w.to_string());
    }
    Ok(out)
}

/// Whether an accepted-but-ignored directive asks for what Quire does anyway (`Browsing No`,
/// `SyncOnClose Yes`), so it needs no warning.
fn asks_what_quire_does(name: &str, a: &str) -> bool {
    match name {
        "WebInterface" | "BrowseWebIF" => parse_bool(a) == Ok(false),
        "SyncOnClose" | "StrictConformance" => parse_bool(a) == Ok(true),
        _ => false,
    }
}

/// Validate the value of an accepted-but-ignored directive.
fn check_ignored(name: &str, a: &str) -> Result<(), ValueError> {
    match name {
        "StrictConformance" | "SyncOnClose" => parse_bool(a).map(drop),
        "DirtyCleanInterval" | "IdleExitTimeout" => parse_time(a).map(drop),
        "FilterLimit" | "LogDebugHistory" => parse_count(a).map(drop),
        "FilterNice" => {
            single_word(a)?.parse::<i32>().map(drop).map_err(|_| ValueError::NotANumber)
        }
        "HostNameLookups" => {
            parse_keyword(single_word(a)?, &["on", "off", "double", "yes", "no", "true", "false"])
                .map(drop)
        }
        "PrintcapFormat" => parse_keyword(single_word(a)?, &["bsd", "plist", "solaris"]).map(drop),
        "Sandboxing" => parse_keyword(single_word(a)?, &["relaxed", "strict"]).map(drop),
        "Printcap" => Ok(()),
        _ => nonempty(a).map(drop),
    }
}
