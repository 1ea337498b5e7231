use std::path::Path;
use std::time::Duration;

use crate::model::*;
use crate::{
    parse, validate, Diagnostic, ServerConfig, DEFAULT_CUPSD_CONF, DEFAULT_CUPS_FILES_CONF,
};

fn v(cupsd: &str, files: &str) -> (ServerConfig, Vec<Diagnostic>) {
    let (c, d1) = parse(cupsd, Path::new("cupsd.conf"));
    let (f, d2) = parse(files, Path::new("cups-files.conf"));
    assert!(d1.is_empty() && d2.is_empty(), "{d1:?} {d2:?}");
    validate(&c, &f)
}

#[test]
fn typed_values() {
    let text = "Listen localhost:631\nListen /run/cups/cups.sock\nPort 8631\nSSLListen [::1]:443\nSSLPort 4443\n\
        MaxJobs 1k\nMaxJobsPerUser 10\nLogLevel debug2\nPreserveJobHistory 1d\nPreserveJobFiles No\n\
        Timeout 5m\nKeepAlive off\nLimitRequestBody 10m\nDefaultPolicy authenticated\nServerName print.example\n\
        ServerAlias a b\nServerAlias c\nErrorPolicy retry-job\nJobRetryInterval 1m\nJobRetryLimit 3\n\
        MaxHoldTime 2h\nServerTokens OS\nPageLogFormat\nAccessLogLevel all\nBrowsing Yes\nWebInterface yes\n\
        IdleExitTimeout 30s\n";
    let (c, diags) = v(text, "ServerRoot /srv/cups\nErrorLog syslog\nAccessLog logs/access\nSystemGroup wheel admin\nTempDir /tmp/q\n");
    let others: Vec<&str> = diags
        .iter()
        .filter(|d| !d.message.contains("DefaultPolicy"))
        .map(|d| d.message.as_str())
        .collect();
    // WebInterface yes asks for what Quire does not do: said so (Browsing Yes is applied).
    assert_eq!(others.len(), 1, "{diags:?}");
    assert!(c.browsing && c.browse_dnssd);
    assert!(others.iter().all(|m| m.contains("has no effect in Quire")), "{others:?}");
    assert_eq!(c.listen.len(), 5);
    assert_eq!(c.listen[0], Listen::Host { name: "localhost".into(), port: 631 });
    assert_eq!(c.listen[1], Listen::Unix("/run/cups/cups.sock".into()));
    assert_eq!(c.listen[2], Listen::Any(8631));
    assert_eq!(c.listen[4], Listen::Any(4443));
    assert_eq!((c.max_jobs, c.max_jobs_per_user), (1024, 10));
    assert_eq!(c.log_level, LogLevel::Debug2);
    assert_eq!(c.preserve_job_history, Preserve::For(Duration::from_secs(86400)));
    assert_eq!(c.preserve_job_files, Preserve::No);
    assert_eq!(c.timeout, Duration::from_secs(300));
    assert!(!c.keep_alive);
    assert_eq!(c.limit_request_body, 10 << 20);
    assert_eq!(c.server_alias, ["a", "b", "c"]);
    assert_eq!(c.error_policy, ErrorPolicy::RetryJob);
    assert_eq!(c.server_tokens, ServerTokens::Os);
    assert_eq!(c.page_log_format, None);
    assert_eq!(c.access_log_level, AccessLogLevel::All);
    assert!(c.browsing && c.web_interface);
    assert_eq!(c.idle_exit_timeout, Duration::from_secs(30));
    assert_eq!(ServerConfig::default().idle_exit_timeout, Duration::from_secs(60));
    assert_eq!(c.error_log, LogTarget::Syslog);
    assert_eq!(c.access_log, LogTarget::File("/srv/cups/logs/access".into()));
    assert_eq!(c.server_keychain, Path::new("/srv/cups/ssl"));
    assert_eq!(c.system_group, ["wheel", "admin"]);
    assert_eq!(c.temp_dir, Path::new("/tmp/q"));
    assert_eq!(c.request_root.join("tmp"), Path::new("/var/spool/cups/tmp"));
}

#[test]
fn bad_values_warn_with_location_and_keep_default() {
    let (c, diags) =
        v("Listen *:631\nMaxJobs abc\n  LogLevel loud\nListen nonsense!\nTimeout 3y\n", "");
    let defaults = ServerConfig::default();
    assert_eq!(c.max_jobs, defaults.max_jobs);
    assert_eq!(c.log_level, defaults.log_level);
    assert_eq!(c.timeout, defaults.timeout);
    assert_eq!(c.listen, [Listen::Any(631)]);
    let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(
        lines[0].starts_with("cupsd.conf:2:9: warning: bad value \"abc\" for MaxJobs"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("cupsd.conf:3:12: warning: bad value \"loud\" for LogLevel"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains("debug2"));
    assert!(lines[2].starts_with("cupsd.conf:4:8: warning: bad value \"nonsense!\" for Listen"));
    assert!(lines[3].contains("unknown unit suffix 'y'"));
}

#[test]
fn unknown_wrong_file_and_unsupported_directives_warn() {
    let (c, diags) = v(
        "Listen 631\nFrobnicate yes\nServerRoot /tmp\nKeepAliveTimeout 30\nClassification secret\nMaxJobs 7\n",
        "LogLevel debug\nUser daemon\n",
    );
    assert_eq!(c.max_jobs, 7);
    assert_eq!(c.server_root, Path::new("/etc/cups"), "ServerRoot in cupsd.conf must be ignored");
    assert_eq!(c.log_level, LogLevel::Warn);
    assert_eq!(c.user, "daemon");
    let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(msgs.len(), 5, "{msgs:#?}");
    assert!(diags.iter().all(|d| !d.is_error()));
    assert_eq!(msgs[0], "cups-files.conf:1:1: warning: Please move \"LogLevel debug\" to the cupsd.conf file; ignored here");
    assert_eq!(msgs[1], "cupsd.conf:2:1: warning: unknown directive Frobnicate; ignored");
    assert!(msgs[2].starts_with(
        "cupsd.conf:3:1: warning: Please move \"ServerRoot /tmp\" to the cups-files.conf file"
    ));
    assert!(msgs[3].contains("KeepAliveTimeout is not supported"));
    assert!(msgs[4].contains("Classification is not supported"));
}

#[test]
fn repeated_private_lines_add_up_as_in_cupsd() {
    let text = "Listen 631\n<Policy p>\n  JobPrivateAccess default\n  JobPrivateAccess @staff\n\
        JobPrivateValues default\n  JobPrivateValues job-state\n  SubscriptionPrivateValues none\n\
        SubscriptionPrivateValues notify-events\n  SubscriptionPrivateAccess @OWNER\n  SubscriptionPrivateAccess all\n</Policy>\nDefaultPolicy p\n";
    let (c, diags) = v(text, "");
    assert!(diags.is_empty(), "{diags:?}");
    let p = c.policy("p").unwrap();
    assert_eq!(p.job_private_access, ["@OWNER", "@SYSTEM", "@staff"]);
    assert_eq!(
        p.job_private_values,
        [
            "job-name",
            "job-originating-host-name",
            "job-originating-user-name",
            "phone",
            "job-state"
        ]
    );
    // A list that names an attribute keeps it private, even after "none".
    assert_eq!(p.subscription_private_values, ["notify-events"]);
    assert_eq!(p.subscription_private_access, ["all"]);
}

#[test]
fn policies_and_limits() {
    let text = "Listen 631\n<Policy p>\n  JobPrivateAccess default @staff\n  JobPrivateValues none\n\
        <Limit Print-Job Bogus-Op>\n    AuthType Default\n    Require user @OWNER @SYSTEM\n    Order deny,allow\n  </Limit>\n\
        <LimitExcept Get-Jobs>\n    Require valid-user\n    Satisfy any\n    Encryption Required\n  </LimitExcept>\n\
        Allow all\n</Policy>\nDefaultPolicy p\n";
    let (c, diags) = v(text, "");
    let msgs: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(msgs[0].starts_with("cupsd.conf:5:18: warning: unknown IPP operation \"Bogus-Op\""));
    assert!(msgs[1].starts_with("cupsd.conf:15:1: warning: Allow is not allowed at <Policy>"));
    let p = c.policy("P").unwrap();
    assert_eq!(p.job_private_access, ["@OWNER", "@SYSTEM", "@staff"]);
    assert_eq!(p.job_private_values, ["none"]);
    assert_eq!(p.subscription_private_access, ["@OWNER", "@SYSTEM"]);
    assert_eq!(p.limits.len(), 2);
    let l = &p.limits[0];
    assert_eq!(l.operations, ["Print-Job"]);
    assert_eq!(l.access.auth_type, Some(AuthType::Default));
    assert_eq!(l.access.require, Some(Require::User(vec!["@OWNER".into(), "@SYSTEM".into()])));
    assert_eq!(l.access.order, Some(Order::DenyAllow));
    let ex = &p.limits[1];
    assert!(ex.except && !ex.matches("Get-Jobs") && ex.matches("Cancel-Job"));
    assert_eq!(ex.access.require, Some(Require::ValidUser));
    assert_eq!(ex.access.satisfy, Some(Satisfy::Any));
    assert_eq!(ex.access.encryption, Some(Encryption::Required));
    assert_eq!(p.limit_for("print-job").map(|l| l.loc.line), Some(5));
    assert_eq!(p.limit_for("Cancel-Job").map(|l| l.loc.line), Some(10));
    // cupsd's other names for operations (Debian's stock policy writes the first).
    let mut alias = ex.clone();
    alias.except = false;
    for (written, op) in [
        ("Create-Job-Subscription", "Create-Job-Subscriptions"),
        ("create-printer-subscription", "Create-Printer-Subscriptions"),
        ("CUPS-Add-Printer", "CUPS-Add-Modify-Printer"),
        ("CUPS-Add-Class", "CUPS-Add-Modify-Class"),
    ] {
        alias.operations = vec![written.into()];
        assert!(alias.matches(op) && !alias.matches("Cancel-Job"), "{written}");
    }
}

#[test]
fn locations() {
    let text = "Listen 631\n<Location />\n  Order allow,deny\n  Allow from 10./8 @LOCAL\n</Location>\n\
        <Location /admin>\n  AuthType Basic\n  Require group lpadmin\n  <Limit PUT POST>\n    Deny all\n  </Limit>\n</Location>\n";
    let (c, diags) = v(text, "");
    assert!(diags.is_empty(), "{diags:?}");
    let root = c.location_for("/printers/x").unwrap();
    assert_eq!(root.access.order, Some(Order::AllowDeny));
    assert_eq!(root.access.allow.len(), 2);
    let admin = c.location_for("/admin/conf").unwrap();
    assert_eq!(admin.path, "/admin");
    assert_eq!(admin.access.require, Some(Require::Group(vec!["lpadmin".into()])));
    assert_eq!(admin.limits[0].operations, ["PUT", "POST"]);
    assert_eq!(admin.limits[0].access.deny, [HostRule::All]);
    assert_eq!(c.location_for("/administrator").unwrap().path, "/");
}

#[test]
fn structural_misplacements_warn() {
    let text = "Listen 631\n<Limit All>\n</Limit>\n<Policy>\n</Policy>\n<VirtualHost x>\n</VirtualHost>\n\
        <Location /a>\n  <Policy q>\n  </Policy>\n</Location>\n<Policy a>\n  <Limit Print-Job>\n    <Limit Get-Jobs>\n    </Limit>\n  </Limit>\n</Policy>\n";
    let (_, diags) = v(text, "<Policy x>\n</Policy>\n");
    let lines: Vec<usize> = diags.iter().map(|d| d.loc.line).collect();
    assert_eq!(lines, [1, 2, 4, 6, 9, 14, 1], "{diags:#?}");
}

#[test]
fn negotiate_is_accepted_with_a_warning() {
    let (c, diags) = v("Listen 631\nDefaultAuthType Negotiate\n", "");
    assert_eq!(c.default_auth_type, AuthType::Negotiate);
    assert_eq!(diags.len(), 1);
    assert!(diags[0].message.contains("Kerberos"));
}

#[test]
fn missing_listen_and_undefined_default_policy_warn() {
    let (_, diags) = v("<Policy x>\n</Policy>\n", "");
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert!(diags[0].message.contains("no Listen"));
    assert!(diags[1].message.contains("DefaultPolicy \"default\""));
}

#[test]
fn shipped_default_files_are_clean() {
    let (c, diags) = v(DEFAULT_CUPSD_CONF, DEFAULT_CUPS_FILES_CONF);
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(c.policies.len(), 2);
    assert_eq!(c.locations.len(), 4);
}

#[test]
fn builtin_default() {
    let c = ServerConfig::builtin_default(Path::new("/var/lib/quire"));
    assert_eq!(
        c.listen,
        [
            Listen::Addr("127.0.0.1:8631".parse().unwrap()),
            Listen::Addr("[::1]:8631".parse().unwrap()),
            Listen::Unix("/var/lib/quire/cups.sock".into()),
        ]
    );
    for dir in [
        &c.server_root,
        &c.request_root,
        &c.state_dir,
        &c.cache_dir,
        &c.temp_dir,
        &c.data_dir,
        &c.server_keychain,
    ] {
        assert!(dir.starts_with("/var/lib/quire"), "{dir:?}");
    }
    assert_eq!(
        c.server_bin,
        Path::new("/usr/lib/cups"),
        "backends and filters come from the system"
    );
    let p = c.policy(&c.default_policy).expect("default policy");
    let cancel = p.limit_for("Cancel-Job").unwrap();
    assert_eq!(cancel.access.require, Some(Require::User(vec!["@OWNER".into(), "@SYSTEM".into()])));
    let add = p.limit_for("CUPS-Add-Modify-Printer").unwrap();
    assert_eq!(add.access.require, Some(Require::User(vec!["@SYSTEM".into()])));
    assert_eq!(add.access.auth_type, Some(AuthType::Default));
    assert!(p.limit_for("Get-Jobs").unwrap().operations.contains(&"All".to_string()));
    assert_eq!(c.error_log, LogTarget::Stderr);
}

#[test]
fn debian_config_validates_without_errors() {
    let read = |f: &str| std::fs::read_to_string(f).ok();
    let (Some(cupsd), Some(files)) =
        (read("/etc/cups/cupsd.conf"), read("/etc/cups/cups-files.conf"))
    else {
        eprintln!("/etc/cups not present; skipped");
        return;
    };
    let (c, d1) = parse(&cupsd, Path::new("/etc/cups/cupsd.conf"));
    let (f, d2) = parse(&files, Path::new("/etc/cups/cups-files.conf"));
    let (cfg, d3) = validate(&c, &f);
    let all: Vec<_> = d1.iter().chain(&d2).chain(&d3).collect();
    assert!(all.iter().all(|d| !d.is_error()), "{all:#?}");
    for d in &all {
        eprintln!("{d}");
    }
    assert!(cfg.policy("default").is_some());
    assert!(!cfg.listen.is_empty());
}

#[test]
fn audit_log_paths_are_relative_to_server_root_and_syslog_is_refused() {
    let (c, diags) = v("Listen 631\n", "ServerRoot /srv/cups\nAuditLog log/audit\n");
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(c.audit_log, LogTarget::File("/srv/cups/log/audit".into()));
    let (c, _) = v("Listen 631\n", "AuditLog /var/log/quire/audit\n");
    assert_eq!(c.audit_log, LogTarget::File("/var/log/quire/audit".into()), "absolute stays");
    // quired writes no syslog: refused where it is written, and the default file is kept.
    let (c, diags) = v("Listen 631\n", "ServerRoot /srv/cups\n  AuditLog syslog\n");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let msg = diags[0].to_string();
    assert!(
        msg.starts_with("cups-files.conf:2:12: warning: bad value \"syslog\" for AuditLog"),
        "{msg}"
    );
    assert!(msg.contains("keeping the previous value"), "{msg}");
    assert_eq!(c.audit_log, LogTarget::File("/var/log/cups/audit_log".into()));
    let (c, diags) = v("Listen 631\n", "AuditLog none\n");
    assert!(diags.is_empty());
    assert_eq!(c.audit_log, LogTarget::None);
}

#[test]
fn cupsd_default_policy_is_the_shipped_one() {
    let p = Policy::cupsd_default();
    let (c, _) = v(DEFAULT_CUPSD_CONF, "");
    let shipped = c.policy("default").expect("shipped default policy");
    // Same rules; only the file name of their locations differs.
    assert_eq!(
        p.limits.iter().map(|l| (&l.operations, &l.access)).collect::<Vec<_>>(),
        shipped.limits.iter().map(|l| (&l.operations, &l.access)).collect::<Vec<_>>()
    );
    assert_eq!(p.job_private_access, shipped.job_private_access);
    assert_eq!(p.loc.file, Path::new("<builtin>/cupsd.conf"));
    assert_eq!(p.name, "default");
    let add = p.limit_for("CUPS-Add-Modify-Printer").expect("admin limit");
    assert_eq!(add.access.require, Some(Require::User(vec!["@SYSTEM".into()])));
    assert_eq!(add.access.auth_type, Some(AuthType::Default));
    let hold = p.limit_for("Hold-Job").expect("job limit");
    assert_eq!(hold.access.require, Some(Require::User(vec!["@OWNER".into(), "@SYSTEM".into()])));
    assert!(p.limit_for("Print-Job").is_some_and(|l| l.access.require.is_none()));
}

#[test]
fn an_undefined_default_policy_says_what_stands_in() {
    let (_, diags) = v("Listen 631\nDefaultPolicy gone\n<Policy default>\n</Policy>\n", "");
    assert!(diags[0].message.ends_with("<Policy default> is used instead"), "{diags:?}");
    let (_, diags) = v("Listen 631\nDefaultPolicy gone\n<Policy other>\n</Policy>\n", "");
    assert!(
        diags[0].message.ends_with("cupsd's standard default policy is used instead"),
        "{diags:?}"
    );
}

#[test]
fn a_bad_pull_hosts_line_is_an_error_not_any_host() {
    let (c, diags) = v("Listen 631\nPullSchemes http\nPullHosts docs.example.com:http\n", "");
    assert!(c.pull_hosts.is_empty());
    assert!(diags.iter().any(|d| d.is_error() && d.to_string().contains("PullHosts")), "{diags:?}");
    let (c, diags) =
        v("Listen 631\nPullHosts docs.example.com 10.0.0.1:8080\nPullMinRate 512 10\n", "");
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    assert_eq!(c.pull_hosts.len(), 2);
    assert_eq!(c.pull_min_rate.map(|r| r.bytes_per_second), Some(512));
}

#[test]
fn user_root_is_an_error() {
    for user in ["root", "0"] {
        let (c, diags) = v("", &format!("User {user}\n"));
        assert_eq!(c.user, "lp", "the default stays");
        let err = diags.iter().find(|d| d.is_error()).expect("an error");
        assert!(
            err.message.contains("Will not use User") && err.message.contains("UID=0"),
            "{err}"
        );
    }
    let (c, diags) = v("", "User daemon\nUser 7\n");
    assert_eq!(c.user, "7");
    assert!(!diags.iter().any(|d| d.is_error()));
}

#[test]
fn directives_that_do_nothing_are_named_with_their_line() {
    let text = "Listen 631\nWebInterface No\nBrowsing Yes\nWebInterface Yes\nFilterLimit 10\nFilterLimit 0\n";
    let (_, diags) = v(text, "SyncOnClose Yes\nSyncOnClose No\n");
    let lines: Vec<(usize, &str)> =
        diags.iter().map(|d| (d.loc.line, d.message.as_str())).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    // cups-files.conf's line 2 (SyncOnClose No), then cupsd.conf's lines.
    assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), [2, 4, 5, 6], "{lines:?}");
    assert!(lines[0].1.starts_with("SyncOnClose"), "{lines:?}");
    assert!(lines[1].1.starts_with("WebInterface has no effect in Quire"), "{lines:?}");
    assert!(lines[2].1.contains("FilterLimit") && lines[3].1.contains("FilterLimit"), "{lines:?}");
}

#[test]
fn peer_cred_is_read_from_cups_files_conf() {
    for (value, want) in
        [("off", PeerCred::Off), ("on", PeerCred::On), ("root-only", PeerCred::RootOnly)]
    {
        let (c, diags) = v("Listen 631\n", &format!("PeerCred {value}\n"));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.peer_cred, want);
    }
    let (c, diags) = v("Listen 631\n", "PeerCred sometimes\n");
    assert_eq!(c.peer_cred, PeerCred::On, "a bad value keeps the default");
    assert_eq!(diags.len(), 1, "{diags:?}");
    let (_, diags) = v("Listen 631\nPeerCred off\n", "");
    assert!(diags[0].message.contains("cups-files.conf"), "{diags:?}");
}

#[test]
fn browsing_directives_as_cupsd_reads_them() {
    let (c, diags) = v(
        "Listen 631\nBrowsing Off\nBrowseLocalProtocols none\nBrowseWebIF Yes\nDNSSDHostName print.example.com\n\
         BrowseDNSSDSubTypes _cups,_print\n",
        "",
    );
    // Nothing to advertise as the web interface yet: said so.
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.starts_with("BrowseWebIF has no effect"), "{diags:?}");
    assert!(!c.browsing && !c.browse_dnssd && c.browse_web_if);
    assert_eq!(c.dnssd_host_name.as_deref(), Some("print.example.com"));
    assert_eq!(c.browse_dnssd_subtypes, ["_cups", "_print"]);
    let (c, _) = v("Listen 631\nBrowseLocalProtocols dnssd\n", "");
    assert!(c.browsing && c.browse_dnssd, "cupsd's defaults: browsing on");
    let (c, diags) =
        v("Listen 631\nBrowseDNSSDSubTypes _print,universal\nBrowseLocalProtocols ldap\n", "");
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert!(diags[0].message.contains("\"universal\" is not a DNS-SD subtype"), "{diags:?}");
    assert_eq!(c.browse_dnssd_subtypes, ["_cups", "_print", "_universal"], "the default stays");
}
