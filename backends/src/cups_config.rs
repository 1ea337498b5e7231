//! The directories and names cupsd exports to the programs it starts (cups-files.conf): CUPS
//! backends get them in their environment, and the filter worker's PATH starts in ServerBin.

use std::path::PathBuf;

/// The directories and names cupsd exports to its children (cups-files.conf).
#[derive(Debug, Clone)]
pub struct CupsConfig {
    /// ServerBin: backends are `<server_bin>/backend/<scheme>`.
    pub server_bin: PathBuf,
    pub server_root: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub cache_dir: PathBuf,
    pub request_root: PathBuf,
    pub server_admin: String,
    /// The unprivileged user (cups-files.conf `User`) backends run as when we are root.
    pub user: String,
    /// cups-files.conf `Group`; `None` is the user's primary group.
    pub group: Option<String>,
    /// How long a canceled backend has between SIGTERM and SIGKILL.
    pub kill_grace: std::time::Duration,
}

impl Default for CupsConfig {
    fn default() -> Self {
        CupsConfig {
            server_bin: "/usr/lib/cups".into(),
            server_root: "/etc/cups".into(),
            data_dir: "/usr/share/cups".into(),
            state_dir: "/run/cups".into(),
            cache_dir: "/var/cache/cups".into(),
            request_root: "/var/spool/cups".into(),
            server_admin: format!("root@{}", hostname()),
            user: "lp".into(),
            group: None,
            kill_grace: std::time::Duration::from_secs(5),
        }
    }
}

impl CupsConfig {
    /// The defaults, overridden by `QUIRE_CUPS_SERVERBIN`, `QUIRE_CUPS_SERVERROOT`,
    /// `QUIRE_CUPS_DATADIR`, `QUIRE_CUPS_STATEDIR`, `QUIRE_CUPS_CACHEDIR`,
    /// `QUIRE_CUPS_REQUESTROOT`, `QUIRE_CUPS_SERVERADMIN`, `QUIRE_CUPS_USER` and
    /// `QUIRE_CUPS_GROUP`.
    pub fn from_env() -> Self {
        CupsConfig::default().overridden_by_env()
    }

    /// This configuration with the `QUIRE_CUPS_*` variables that are set taking precedence
    /// (the daemon starts from its cups-files.conf settings; tests point it elsewhere).
    pub fn overridden_by_env(mut self) -> Self {
        let c = &mut self;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        for (name, slot) in [
            ("QUIRE_CUPS_SERVERBIN", &mut c.server_bin),
            ("QUIRE_CUPS_SERVERROOT", &mut c.server_root),
            ("QUIRE_CUPS_DATADIR", &mut c.data_dir),
            ("QUIRE_CUPS_STATEDIR", &mut c.state_dir),
            ("QUIRE_CUPS_CACHEDIR", &mut c.cache_dir),
            ("QUIRE_CUPS_REQUESTROOT", &mut c.request_root),
        ] {
            if let Some(v) = var(name) {
                *slot = v.into();
            }
        }
        if let Some(v) = var("QUIRE_CUPS_SERVERADMIN") {
            c.server_admin = v;
        }
        if let Some(v) = var("QUIRE_CUPS_USER") {
            c.user = v;
        }
        if let Some(v) = var("QUIRE_CUPS_GROUP") {
            c.group = Some(v);
        }
        self
    }

    pub fn backend_dir(&self) -> PathBuf {
        self.server_bin.join("backend")
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
