//! Loading cupsd.conf / cups-files.conf (parse → validate) and deriving runtime settings.

use crate::args::Args;
use crate::net::ListenSpec;
use quire_config::{Diagnostic, Listen, Preserve, ServerConfig};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

/// The loaded configuration and what was said about it.
pub struct Loaded {
    pub server: ServerConfig,
    pub diagnostics: Vec<Diagnostic>,
    /// True when running the demo's built-in configuration (`--demo`).
    pub builtin: bool,
    /// The files it was read from (None: the built-in default).
    pub files: Option<crate::admin_conf::ConfFiles>,
}

#[derive(Debug)]
pub enum ConfigError {
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// No `-c` and no /etc/cups/cupsd.conf.
    NoSystemConfig {
        path: PathBuf,
        source: std::io::Error,
    },
    Invalid(Vec<String>),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read { path, source } => {
                write!(f, "Unable to read \"{}\": {source}", path.display())
            }
            ConfigError::NoSystemConfig { path, source } => write!(
                f,
                "Unable to read \"{}\": {source} (give a cupsd.conf with -c, or try Quire with `quired --demo`)",
                path.display()
            ),
            ConfigError::Invalid(errs) => write!(f, "{}", errs.join("\n")),
        }
    }
}

fn default_state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("quire");
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join(".local/state/quire"),
        None => std::env::temp_dir().join("quire"),
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })
}

pub fn load(args: &Args) -> Result<Loaded, ConfigError> {
    if args.demo {
        let dir = args.state_dir.clone().unwrap_or_else(default_state_dir);
        // FileDevice stays off, as in cupsd: with quired as root, a client allowed to add
        // queues could otherwise write any file. The demo's own file queues are made by
        // quired itself at boot (boot.rs), not through a client's request.
        let server = ServerConfig::builtin_default(&dir);
        return Ok(Loaded { server, diagnostics: Vec::new(), builtin: true, files: None });
    }
    let cupsd_path = args.cupsd_path();
    let files_path = args.files_path();
    let cupsd_text = read(&cupsd_path).map_err(|e| match e {
        // The system's file is missing: this host has no CUPS configuration yet.
        ConfigError::Read { path, source }
            if args.cupsd_conf.is_none() && source.kind() == std::io::ErrorKind::NotFound =>
        {
            ConfigError::NoSystemConfig { path, source }
        }
        other => other,
    })?;
    let (cupsd, mut diags) = quire_config::parse(&cupsd_text, &cupsd_path);
    // A missing cups-files.conf means its defaults, as in cupsd.
    let files = if files_path.exists() {
        let (nodes, d) = quire_config::parse(&read(&files_path)?, &files_path);
        diags.extend(d);
        nodes
    } else {
        Vec::new()
    };
    let (server, d) = quire_config::validate(&cupsd, &files);
    diags.extend(d);
    let errors: Vec<String> =
        diags.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Err(ConfigError::Invalid(errors));
    }
    let files = crate::admin_conf::ConfFiles { cupsd: cupsd_path, files: files_path };
    Ok(Loaded { server, diagnostics: diags, builtin: false, files: Some(files) })
}

/// Listen directives as socket specs. Host names are resolved now; `Port N` means all
/// IPv4 and IPv6 addresses.
pub fn listen_specs(c: &ServerConfig) -> Vec<ListenSpec> {
    let mut out = Vec::new();
    for l in &c.listen {
        match l {
            Listen::Addr(a) => out.push(ListenSpec::Tcp(*a)),
            Listen::Any(port) => {
                out.push(ListenSpec::Tcp(SocketAddr::new(
                    IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    *port,
                )));
                out.push(ListenSpec::Tcp(SocketAddr::new(
                    IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    *port,
                )));
            }
            // As cupsd: `localhost` is the loopback addresses, never looked up (a host whose
            // /etc/hosts lacks it, a chroot, still listens).
            Listen::Host { name, port } if name.eq_ignore_ascii_case("localhost") => {
                out.push(ListenSpec::Tcp(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), *port)));
                out.push(ListenSpec::Tcp(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), *port)));
            }
            Listen::Host { name, port } => match (name.as_str(), *port).to_socket_addrs() {
                Ok(addrs) => out.extend(addrs.map(ListenSpec::Tcp)),
                Err(e) => tracing::warn!("Unable to resolve Listen {name}:{port}: {e}"),
            },
            Listen::Unix(p) => out.push(ListenSpec::Unix(p.clone())),
        }
    }
    out.dedup();
    out
}

/// Which document URIs Print-URI/Send-URI may name (never this server's own addresses).
pub fn pull_policy(c: &ServerConfig) -> crate::fetch::PullPolicy {
    let own = listen_specs(c).into_iter().filter_map(|l| match l {
        ListenSpec::Tcp(a) => Some(a),
        ListenSpec::Unix(_) => None,
    });
    crate::fetch::PullPolicy {
        schemes: c.pull_schemes.clone(),
        hosts: c.pull_hosts.clone(),
        own: own.collect(),
        min_rate: c.pull_min_rate,
    }
}

fn preserve(p: &Preserve) -> Option<i64> {
    match p {
        Preserve::Yes => None,
        Preserve::No => Some(0),
        Preserve::For(d) => Some(d.as_secs() as i64),
    }
}

/// The settings the scheduler core needs (`launch` says where the CUPS backends are).
pub fn core_settings(
    c: &ServerConfig,
    now: i64,
    launch: &quire_backends::Launch,
) -> quire_core::Settings {
    let defaults = quire_core::Settings::default();
    quire_core::Settings {
        server_name: c.server_name.clone().unwrap_or_else(|| "localhost".into()),
        max_jobs: c.max_jobs as usize,
        max_jobs_per_printer: c.max_jobs_per_printer as usize,
        max_jobs_per_user: c.max_jobs_per_user as usize,
        max_copies: c.max_copies.min(i32::MAX as u32) as i32,
        preserve_job_history: preserve(&c.preserve_job_history),
        preserve_job_files: preserve(&c.preserve_job_files),
        multiple_operation_timeout: c.multiple_operation_timeout.as_secs().max(1) as i64,
        max_subscriptions: if c.max_subscriptions == 0 {
            usize::MAX
        } else {
            c.max_subscriptions as usize
        },
        max_subscriptions_per_job: c.max_subscriptions_per_job as usize,
        max_subscriptions_per_printer: c.max_subscriptions_per_printer as usize,
        max_subscriptions_per_user: c.max_subscriptions_per_user as usize,
        notify_schemes: crate::notify::SCHEMES.iter().map(|s| s.to_string()).collect(),
        max_events: c.max_events as usize,
        default_lease_duration: c.default_lease_duration.as_secs().min(i32::MAX as u64) as i32,
        max_lease_duration: c.max_lease_duration.as_secs().min(i32::MAX as u64) as i32,
        file_device: c.file_device,
        start_time: now,
        job_retry_interval: c.job_retry_interval.as_secs().min(i64::MAX as u64) as i64,
        job_retry_limit: c.job_retry_limit,
        cups_backends: quire_backends::cups_backend_schemes_in(&launch.cups),
        access: Some(std::sync::Arc::new(quire_core::model::AccessRules::from_config(c))),
        confidential_hold_time: c.confidential_hold_time.as_secs().min(i64::MAX as u64) as i64,
        spool_quota: c.spool_quota,
        spool_quota_per_user: c.spool_quota_per_user,
        pull_schemes: c.pull_schemes.clone(),
        max_job_time: c.max_job_time.as_secs().min(i64::MAX as u64) as i64,
        default_shared: c.default_shared,
        ..defaults
    }
}
