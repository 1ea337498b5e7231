//! SIGHUP: read cupsd.conf and cups-files.conf again and apply them without a restart: no
//! job or connection is dropped, nor a listener the configuration keeps (cupsd closes its
//! listeners and idle clients to reload, and under systemd exits). `Listen`/`Port` lines
//! added are bound, those removed no longer accepted on (their connections stay). Parse and validate first: a configuration that fails
//! (unreadable, or with errors) is not applied, and the running one stays, with the reason
//! in the log. What requests read (`<Location>` rules, policies, `DefaultEncryption`, the
//! limits and times of jobs and subscriptions, `MaxClients`, `MaxClientsPerHost`, `FileDevice`,
//! `SystemGroup`, `Pull*`, `LogLevel`, `IdleExitTimeout`, `WebInterface`) changes
//! from the next request (or connection); DNS-SD sharing (`Browsing`, `BrowseLocalProtocols`,
//! `BrowseDNSSDSubTypes`, `DNSSDHostName`, the port of the first listener that is not
//! loopback) is registered again at once; what quired sets up once at start (`User`,
//! directories, TLS, `Timeout`, PAM, ...) is logged as changed and takes effect at
//! the next start. The log files are
//! reopened by the log writer's own SIGHUP listener.

use crate::args::Args;
use crate::clock::now;
use crate::command::Command;
use crate::config::{core_settings, pull_policy};
use crate::http::App;
use crate::live::Live;
use crate::service::Notifier;
use quire_config::ServerConfig;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Sets the level of the error log's filter (`LogLevel`), if the writer allows it.
pub type LogLevelSwitch = crate::logs::error_log::LevelSwitch;

pub struct Reloader {
    pub args: Args,
    pub config: Arc<Live<ServerConfig>>,
    pub app: Arc<App>,
    pub tx: mpsc::UnboundedSender<Command>,
    pub launch: Arc<quire_backends::Launch>,
    pub log_level: Option<LogLevelSwitch>,
    pub notifier: Notifier,
    pub dnssd: crate::dnssd::Publisher,
    pub connections: crate::net::ConnectionLimits,
    pub listeners: crate::net::ListenerControl,
}

impl Reloader {
    /// Catches SIGHUP from now on (before readiness is announced: a reload the service
    /// manager sends then must not kill the server) and reloads on each one.
    pub fn start(self) {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(hangups) => drop(tokio::spawn(self.run(hangups))),
            Err(e) => tracing::error!("Unable to catch SIGHUP, so no reload: {e}"),
        }
    }

    async fn run(self, mut hangups: tokio::signal::unix::Signal) {
        while hangups.recv().await.is_some() {
            self.notifier.reloading();
            match self.reload().await {
                Ok(()) => self.notifier.ready("Scheduler is running..."),
                Err(why) => self.notifier.ready(&format!(
                    "Scheduler is running; the configuration was not reloaded: {why}"
                )),
            }
        }
    }

    async fn reload(&self) -> Result<(), String> {
        let cupsd = self.args.cupsd_path();
        let loaded = match crate::config::load(&self.args) {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(
                    "SIGHUP: the configuration was not reloaded, the running one stays: {e}"
                );
                return Err(e.to_string());
            }
        };
        for d in &loaded.diagnostics {
            tracing::warn!("{d}");
        }
        if loaded.builtin {
            return Ok(());
        }
        let new = loaded.server;
        let old = self.config.get();
        for name in set_at_start_changed(&old, &new) {
            tracing::warn!("SIGHUP: {name} changed; it takes effect when quired is restarted");
        }
        self.apply(&new);
        // As cupsd: a `Listen` that cannot be bound is logged, the others are served.
        for e in self.listeners.relisten(crate::config::listen_specs(&new)).await {
            tracing::error!("SIGHUP: {e}");
        }
        self.config.set(new);
        tracing::info!("SIGHUP: configuration reloaded from \"{}\"", cupsd.display());
        Ok(())
    }

    fn apply(&self, new: &ServerConfig) {
        let pull = pull_policy(new);
        self.app.access.set(quire_core::model::AccessRules::from_config(new));
        self.app
            .accounts
            .set(crate::requester::Accounts::new(new.system_group.clone(), new.peer_cred));
        self.app.pull.set(pull.clone());
        let max_clients = (new.max_clients as usize).max(1);
        self.connections.set(max_clients, new.clients_per_host() as usize);
        crate::fdlimit::raise_for(max_clients);
        let settings = Box::new(core_settings(new, now(), &self.launch));
        let _ = self.tx.send(Command::Reconfigure { settings, pull });
        self.dnssd.reconfigure(crate::dnssd::Sharing::from_config(new));
        if let Some(switch) = &self.log_level {
            switch(new.log_level);
        }
    }
}

/// The directives read once at start whose value differs, by name.
pub fn set_at_start_changed(old: &ServerConfig, new: &ServerConfig) -> Vec<&'static str> {
    let checks = [
        ("User", old.user != new.user),
        ("Group", old.group != new.group),
        ("ServerRoot", old.server_root != new.server_root),
        ("RequestRoot", old.request_root != new.request_root),
        ("StateDir", old.state_dir != new.state_dir),
        ("CacheDir", old.cache_dir != new.cache_dir),
        ("TempDir", old.temp_dir != new.temp_dir),
        ("DataDir", old.data_dir != new.data_dir),
        ("ServerBin", old.server_bin != new.server_bin),
        ("ServerKeychain", old.server_keychain != new.server_keychain),
        ("CreateSelfSignedCerts", old.create_self_signed_certs != new.create_self_signed_certs),
        ("Timeout", old.timeout != new.timeout),
        ("KeepAlive", old.keep_alive != new.keep_alive),
        ("LimitRequestBody", old.limit_request_body != new.limit_request_body),
        ("MaxAuthFailures", old.max_auth_failures != new.max_auth_failures),
        ("AuthLockoutTime", old.auth_lockout_time != new.auth_lockout_time),
        ("PamService", old.pam_service != new.pam_service),
        ("AuditLog", old.audit_log != new.audit_log),
        ("PassEnv", old.pass_env != new.pass_env),
        ("SetEnv", old.set_env != new.set_env),
    ];
    checks.into_iter().filter(|(_, changed)| *changed).map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quire_config::LogLevel;

    #[test]
    fn what_is_set_at_start_is_named_when_it_changes() {
        let old = ServerConfig::default();
        let mut new = old.clone();
        assert!(set_at_start_changed(&old, &new).is_empty());
        new.log_level = LogLevel::Debug;
        new.max_jobs = 7;
        new.locations.clear();
        assert!(set_at_start_changed(&old, &new).is_empty(), "these change live");
        new.listen.push(quire_config::Listen::Any(631));
        assert!(set_at_start_changed(&old, &new).is_empty(), "listeners change live");
        new.user = "nobody".into();
        new.timeout = std::time::Duration::from_secs(1);
        assert_eq!(set_at_start_changed(&old, &new), ["User", "Timeout"]);
    }
}
