//! cupsd's compiled-in defaults and Quire's no-flags configuration.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::*;
use crate::{parse, validate, DEFAULT_CUPSD_CONF, DEFAULT_CUPS_FILES_CONF};

/// The port Quire listens on when run without flags (unprivileged, not cupsd's 631).
pub const BUILTIN_PORT: u16 = 8631;

impl Default for ServerConfig {
    /// cupsd 2.4's defaults for a Linux build (what you get with empty config files).
    fn default() -> Self {
        let mins = |m: u64| Duration::from_secs(m * 60);
        ServerConfig {
            listen: Vec::new(),
            log_level: LogLevel::Warn,
            access_log_level: AccessLogLevel::Actions,
            log_time_format: LogTimeFormat::Standard,
            max_log_size: 1024 * 1024,
            page_log_format: Some("%p %u %j %T %P %C %{job-billing} %{job-originating-host-name} %{job-name} %{media} %{sides}".into()),
            auto_purge_jobs: false,
            default_auth_type: AuthType::Basic,
            default_encryption: Encryption::Required,
            default_paper_size: None,
            default_policy: "default".into(),
            default_shared: true,
            error_policy: ErrorPolicy::StopPrinter,
            job_kill_delay: Duration::from_secs(30),
            job_retry_interval: Duration::from_secs(30),
            job_retry_limit: 5,
            keep_alive: true,
            limit_request_body: 0,
            max_clients: 100,
            max_clients_per_host: 0,
            max_copies: 9999,
            max_hold_time: Duration::ZERO,
            max_jobs: 500,
            max_jobs_per_printer: 0,
            max_jobs_per_user: 0,
            max_job_time: mins(180),
            max_subscriptions: 100,
            default_lease_duration: Duration::from_secs(86400),
            max_lease_duration: Duration::ZERO,
            max_events: 100,
            max_subscriptions_per_job: 0,
            max_subscriptions_per_printer: 0,
            max_subscriptions_per_user: 0,
            multiple_operation_timeout: mins(15),
            preserve_job_files: Preserve::For(Duration::from_secs(86400)),
            preserve_job_history: Preserve::Yes,
            reload_timeout: Duration::from_secs(30),
            idle_exit_timeout: Duration::from_secs(60),
            server_admin: None,
            server_alias: Vec::new(),
            server_name: None,
            server_tokens: ServerTokens::Minimal,
            timeout: mins(15),
            // cupsd's defaults: nothing is advertised until a listener is not loopback.
            browsing: true,
            browse_dnssd: true,
            browse_web_if: false,
            browse_dnssd_subtypes: vec!["_cups".into(), "_print".into(), "_universal".into()],
            dnssd_host_name: None,
            web_interface: false,
            policies: Vec::new(),
            locations: Vec::new(),
            server_root: "/etc/cups".into(),
            request_root: "/var/spool/cups".into(),
            state_dir: "/run/cups".into(),
            cache_dir: "/var/cache/cups".into(),
            temp_dir: "/var/spool/cups/tmp".into(),
            data_dir: "/usr/share/cups".into(),
            server_bin: "/usr/lib/cups".into(),
            document_root: "/usr/share/cups/doc-root".into(),
            server_keychain: "ssl".into(),
            access_log: LogTarget::File("/var/log/cups/access_log".into()),
            error_log: LogTarget::File("/var/log/cups/error_log".into()),
            page_log: LogTarget::File("/var/log/cups/page_log".into()),
            config_file_perm: 0o640,
            // Debian's cupsd is built with 0640 (upstream's default is 0644): logs hold user
            // and job names, so the stricter one.
            log_file_perm: 0o640,
            log_file_group: None,
            create_self_signed_certs: true,
            fatal_errors: vec!["config".into()],
            file_device: false,
            user: "lp".into(),
            group: "lp".into(),
            system_group: vec!["lpadmin".into(), "sys".into(), "root".into()],
            peer_cred: PeerCred::On,
            remote_root: "remroot".into(),
            pass_env: Vec::new(),
            pam_service: "cups".into(),
            audit_log: LogTarget::File(PathBuf::from("/var/log/cups/audit_log")),
            max_auth_failures: 5,
            auth_lockout_time: Duration::from_secs(300),
            confidential_hold_time: Duration::from_secs(4 * 3600),
            spool_quota: 0,
            spool_quota_per_user: 0,
            pull_schemes: Vec::new(),
            pull_hosts: Vec::new(),
            wide_area: WideArea::default(),
            pull_min_rate: Some(crate::model::MinRate { bytes_per_second: 1024, window: Duration::from_secs(30) }),
            set_env: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// The configuration for running with no flags: the shipped `conf/cupsd.conf` and
    /// `conf/cups-files.conf` (parsed by the same code as user files, so cupsd's default
    /// `<Policy default>` with its @OWNER/@SYSTEM rules is present as data), then every path
    /// moved under `state_dir` (but ServerBin) and listening on `127.0.0.1:8631`, `[::1]:8631` and
    /// `<state_dir>/cups.sock`. Errors go to stderr.
    pub fn builtin_default(state_dir: &Path) -> ServerConfig {
        let (cupsd, _) = parse(DEFAULT_CUPSD_CONF, Path::new("<builtin>/cupsd.conf"));
        let (files, _) = parse(DEFAULT_CUPS_FILES_CONF, Path::new("<builtin>/cups-files.conf"));
        let (mut c, _) = validate(&cupsd, &files);
        let dir = |sub: &str| -> PathBuf { state_dir.join(sub) };
        c.listen = vec![
            Listen::Addr(SocketAddr::from((Ipv4Addr::LOCALHOST, BUILTIN_PORT))),
            Listen::Addr(SocketAddr::from((Ipv6Addr::LOCALHOST, BUILTIN_PORT))),
            Listen::Unix(dir("cups.sock")),
        ];
        c.server_root = state_dir.to_path_buf();
        c.state_dir = state_dir.to_path_buf();
        c.request_root = dir("spool");
        c.temp_dir = dir("spool/tmp");
        c.cache_dir = dir("cache");
        c.data_dir = dir("data");
        // ServerBin stays the system's: it holds the CUPS backends and filters packages install.
        c.document_root = dir("doc-root");
        c.server_keychain = dir("ssl");
        c.access_log = LogTarget::File(dir("log/access_log"));
        c.page_log = LogTarget::File(dir("log/page_log"));
        c.audit_log = LogTarget::File(dir("log/audit_log"));
        c.error_log = LogTarget::Stderr;
        c
    }
}

impl Policy {
    /// cupsd's default policy: the `<Policy default>` of the shipped `conf/cupsd.conf` (CUPS
    /// 2.4's stock rules: anyone submits, the owner or `@SYSTEM` manages a job, `@SYSTEM`
    /// authenticates for administration). cupsd makes up the same when cupsd.conf defines no
    /// usable default policy (scheduler/conf.c), so a configuration without `<Policy>` is
    /// not left without access checks.
    pub fn cupsd_default() -> Policy {
        let (cupsd, _) = parse(DEFAULT_CUPSD_CONF, Path::new("<builtin>/cupsd.conf"));
        let (c, _) = validate(&cupsd, &[]);
        // The shipped file is compiled in and checked by a test: this cannot fail at run time.
        c.policy("default").cloned().expect("conf/cupsd.conf defines <Policy default>")
    }
}
