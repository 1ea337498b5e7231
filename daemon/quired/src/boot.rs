//! Start-up: directories, logging, store, state, TLS, listeners; and daemonizing.

use crate::args::Args;
use crate::clock::now;
use crate::command::Command;
use crate::config::{core_settings, listen_specs, pull_policy, Loaded};
use crate::http::{router, App};
use crate::live::Live;
use crate::logs::Logs;
use crate::net;
use crate::reload::{LogLevelSwitch, Reloader};
use crate::requester::Accounts;
use crate::restore::restore;
use crate::scheduler_task::SchedulerTask;
use crate::service::Service;
use quire_config::ServerConfig;
use quire_core::{Request, UriBase};
use quire_ipp::{Attribute, DelimiterTag, Group, Message, Operation, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The logs `c` configures, with the error log taking the daemon's tracing events; and what
/// sets `LogLevel` again on SIGHUP (nothing when `QUIRE_LOG` chose the filter).
pub fn init_logging(c: &ServerConfig) -> (Arc<Logs>, Option<LogLevelSwitch>) {
    let logs = Arc::new(Logs::new(c));
    let switch = crate::logs::error_log::init(logs.clone(), c.log_level);
    (logs, switch)
}

/// Closes the log files on every SIGHUP, so the next lines go to new files (logrotate).
fn reopen_logs_on_sighup(logs: Arc<Logs>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hangups) = signal(SignalKind::hangup()) else {
        tracing::error!("Unable to catch SIGHUP: the logs will not be reopened by it");
        return;
    };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            logs.reopen();
        }
    });
}

fn make_dir(p: &Path) -> Result<(), String> {
    std::fs::create_dir_all(p).map_err(|e| format!("Unable to create \"{}\": {e}", p.display()))
}

/// The scheduler's side, ready to run: state restored, the job store's thread started.
struct Started {
    task: SchedulerTask,
    tx: tokio::sync::mpsc::UnboundedSender<Command>,
    rx: tokio::sync::mpsc::UnboundedReceiver<Command>,
    spool: quire_store::Spool,
    spool_dir: std::path::PathBuf,
    cache: Arc<crate::cache::ResponseCache>,
    keyring: Arc<quire_vault::Keyring>,
    launch: Arc<quire_backends::Launch>,
    logs: Arc<Logs>,
    cups_files: Option<crate::cups_state::writer::CupsFilesWriter>,
    dnssd: crate::dnssd::Publisher,
}

/// `system`: quired runs as the host's print service (not the built-in configuration): it
/// takes CUPS's queues and jobs over at its first start and keeps printers.conf written.
fn start_scheduler(c: &ServerConfig, logs: Arc<Logs>, system: bool) -> Result<Started, String> {
    for d in [&c.state_dir, &c.request_root, &c.cache_dir] {
        make_dir(d)?;
    }
    // Our own subdirectory, so a spool left by cupsd is never touched.
    let spool_dir = c.request_root.join("quire");
    let mut store = quire_store::Store::open(&spool_dir.join("quire.db"), &spool_dir)
        .map_err(|e| e.to_string())?;
    let spool = store.spool();
    // Who filters run as, checked before anything else starts (User root is refused).
    let launch = Arc::new(crate::launch::launch(c)?);
    let mut state = restore(core_settings(c, now(), &launch), &store).map_err(|e| e.to_string())?;
    if system {
        crate::cups_state::import_if_first_start(&mut state, &mut store, c, &spool_dir, now())?;
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Command>();
    let failed = tx.clone();
    let store = crate::store_thread::spawn(
        store,
        Box::new(move |touched| drop(failed.send(Command::StoreFailed(touched)))),
    );
    let cache = Arc::new(crate::cache::ResponseCache::default());
    // The key lives with the documents it seals: StateDir (/run/cups) is gone at reboot.
    let keyring = Arc::new(
        quire_vault::Keyring::open_or_create(&spool_dir.join("spool.key"))
            .map_err(|e| e.to_string())?,
    );
    let mut task = SchedulerTask::new(
        state,
        store,
        spool_dir.clone(),
        tx.clone(),
        cache.clone(),
        keyring.clone(),
        pull_policy(c),
        launch.clone(),
        logs.clone(),
    );
    task.notify_with(crate::notify::Notifier::start(&crate::notify::Setup {
        mailto_conf: c.server_root.join("mailto.conf"),
        cache_dir: c.cache_dir.clone(),
        server_name: c.server_name.clone().unwrap_or_else(|| "localhost".into()),
        server_admin: c.server_admin.clone(),
        bus_address: c
            .set_env
            .iter()
            .find(|(k, _)| k == "DBUS_SYSTEM_BUS_ADDRESS")
            .map(|(_, v)| v.clone()),
    }));
    let cups_files = system.then(|| {
        let w =
            crate::cups_state::writer::CupsFilesWriter::start(c.server_root.clone(), tx.clone());
        task.write_cups_files(w.clone());
        w
    });
    let dnssd = crate::dnssd::Publisher::start(crate::dnssd::Sharing::from_config(c), tx.clone());
    task.advertise(dnssd.clone());
    Ok(Started { task, tx, rx, spool, spool_dir, cache, keyring, launch, logs, cups_files, dnssd })
}

/// What the HTTP side shares; the settings a SIGHUP replaces are `Live`.
fn make_app(loaded: &Loaded, s: &Started) -> Arc<App> {
    let c = &loaded.server;
    Arc::new(App {
        tx: s.tx.clone(),
        cache: s.cache.clone(),
        spool: s.spool.clone(),
        accounts: Live::new(Accounts::new(c.system_group.clone(), c.peer_cred)),
        limits: quire_ipp::Limits::default(),
        auth: authenticator(c),
        access: Live::new(quire_core::model::AccessRules::from_config(c)),
        pins: crate::pin::Pins::new(s.keyring.clone()),
        keyring: s.keyring.clone(),
        pull: Live::new(pull_policy(c)),
        pages: Arc::new(quire_backends::PageCounter::new(s.launch.clone())),
        spool_gauge: crate::spool_gauge::SpoolGauge::new(s.spool_dir.clone()),
        conf_files: loaded.files.clone(),
        logs: s.logs.clone(),
        cache_dir: c.cache_dir.clone(),
        launch: s.launch.clone(),
    })
}

pub async fn run(
    loaded: Loaded,
    args: Args,
    service: Service,
    (logs, log_level): (Arc<Logs>, Option<LogLevelSwitch>),
) -> Result<(), String> {
    let c = &loaded.server;
    reopen_logs_on_sighup(logs.clone());
    let mut s = start_scheduler(c, logs, !loaded.builtin)?;
    // The demo prints to simulated printers quired runs (kept alive until exit).
    let mut _fleet = Vec::new();
    if loaded.builtin {
        _fleet = crate::demo_fleet::start(&c.state_dir, quire_config::BUILTIN_PORT).await;
        add_simulated_queues(&mut s.task, &_fleet).await;
        if !s.task.has_printers() {
            add_builtin_queues(&mut s.task, &c.state_dir);
        }
    }
    let net_cfg = net_config(c)?;
    let conns = net_cfg.activity.clone();
    crate::fdlimit::raise_for(net_cfg.max_connections);
    let bound = net::bind(net_cfg, service.passed).await.map_err(|e| e.to_string())?;
    for addr in bound.local_addrs() {
        tracing::info!("Listening on {addr:?}");
    }
    let app = make_app(&loaded, &s);
    let Started { task, tx, rx, launch, cups_files, dnssd, .. } = s;
    tokio::spawn(task.run(rx));
    let config = Arc::new(Live::new(loaded.server.clone()));
    let notifier = service.notifier;
    Reloader {
        args: args.clone(),
        config: config.clone(),
        app: app.clone(),
        tx: tx.clone(),
        launch,
        log_level,
        notifier: notifier.clone(),
        dnssd: dnssd.clone(),
        connections: bound.connection_limits(),
        listeners: bound.listener_control(),
    }
    .start();
    let keepalive = args.on_demand.then(|| crate::idle::keepalive_path(&c.cache_dir));
    let idle = keepalive.as_ref().map(|path| {
        crate::idle::keepalive_create(path);
        crate::idle::idle_exit(config.clone(), conns, tx.clone())
    });
    notifier.ready("Scheduler is running...");
    let shutdown = async move {
        shutdown_signal(idle).await;
        notifier.stopping("Scheduler shutting down...");
    };
    bound.serve(router(app), shutdown).await.map_err(|e| e.to_string())?;
    if let Some(path) = &keepalive {
        crate::idle::keepalive_at_exit(path, &tx, config.get().browsing).await;
    }
    if let Some(w) = &cups_files {
        w.flush().await;
    }
    dnssd.stop().await;
    tracing::info!("Scheduler shutting down normally.");
    Ok(())
}

/// The listeners, limits and TLS certificate (made if asked for and missing).
fn net_config(c: &ServerConfig) -> Result<net::NetConfig, String> {
    let tls = if c.create_self_signed_certs {
        let host = c.server_name.clone().unwrap_or_else(|| "localhost".into());
        Some(
            net::load_or_create_self_signed(&c.server_keychain, &[host])
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    // cupsd closes any client silent for `Timeout`; a shorter one also shortens the time
    // allowed for a request head and for a keep-alive connection between requests.
    let timeout = c.timeout.max(Duration::from_secs(1));
    let defaults = net::NetConfig::default();
    Ok(net::NetConfig {
        listen: listen_specs(c),
        tls,
        header_timeout: defaults.header_timeout.min(timeout),
        idle_timeout: defaults.idle_timeout.min(timeout),
        io_timeout: timeout,
        max_connections: (c.max_clients as usize).max(1),
        max_connections_per_host: c.clients_per_host() as usize,
        max_body_bytes: (c.limit_request_body > 0).then_some(c.limit_request_body),
        keep_alive: c.keep_alive,
        ..defaults
    })
}

/// PAM behind the login guard, with the audit log.
fn authenticator(c: &ServerConfig) -> Arc<crate::auth::Authenticator> {
    let audit = crate::auth::Audit::open(match &c.audit_log {
        quire_config::LogTarget::File(p) => Some(p.clone()),
        _ => None,
    });
    let guard = crate::guard::GuardPolicy {
        max_failures: c.max_auth_failures.max(1),
        window: Duration::from_secs(60),
        lockout: c.auth_lockout_time,
    };
    crate::auth::Authenticator::new(c.pam_service.clone(), guard, audit)
}

/// SIGTERM, Ctrl-C, or (with `-l`) nothing to do for `IdleExitTimeout`.
async fn shutdown_signal(idle: Option<impl std::future::Future<Output = ()>>) {
    use tokio::signal::unix::{signal, SignalKind};
    let idle = async move {
        match idle {
            Some(idle) => idle.await,
            None => std::future::pending().await,
        }
    };
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
                () = idle => {}
            }
        }
        Err(_) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = idle => {}
            }
        }
    }
}

fn admin_request(
    task: &mut SchedulerTask,
    msg: Message,
    device_attributes: Option<Vec<Attribute>>,
    name: &str,
) {
    let base = UriBase { scheme: "ipp".into(), authority: "localhost".into() };
    let mut req = Request::new(msg, "/admin/", base);
    req.device_attributes = device_attributes;
    let resp = task.bootstrap(req);
    if resp.code >= 0x0100 {
        let why = resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
        tracing::warn!("Unable to set up built-in queue {name}: {why}");
    }
}

/// A queue per simulated printer (`-m everywhere`: capabilities from the printer), the
/// first one the default. Queues that exist already are left as the admin made them.
async fn add_simulated_queues(
    task: &mut SchedulerTask,
    fleet: &[crate::demo_fleet::SimulatedPrinter],
) {
    let had_printers = task.has_printers();
    for sim in fleet {
        if task.has_printer(sim.name) {
            continue;
        }
        let uri = sim.uri.clone();
        let device =
            tokio::task::spawn_blocking(move || crate::device_query::query_device(&uri).ok())
                .await
                .ok()
                .flatten();
        let mut msg = quire_client::request_as(
            Operation::CupsAddModifyPrinter,
            Some(&format!("ipp://localhost/printers/{}", sim.name)),
            "root",
        );
        msg.group_mut(DelimiterTag::Operation)
            .push(Attribute::new("ppd-name", Value::Name("everywhere".into())));
        let mut g = Group::new(DelimiterTag::Printer);
        g.push(Attribute::new("device-uri", Value::Uri(sim.uri.clone())));
        g.push(Attribute::new("printer-info", Value::Text(sim.info.into())));
        g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
        g.push(Attribute::new("printer-state", Value::Enum(3)));
        // quired started these printers itself: what they claim is what it configured them
        // to be, so the demo's splitting and failover have confirmed facts to work on.
        g.push(Attribute::new(quire_ipp::vendor::SECURITY_CONFIRMED, Value::Boolean(true)));
        msg.push_group(g);
        admin_request(task, msg, device, sim.name);
    }
    if let (false, Some(first)) = (had_printers, fleet.first()) {
        let msg = quire_client::request_as(
            Operation::CupsSetDefault,
            Some(&format!("ipp://localhost/printers/{}", first.name)),
            "root",
        );
        admin_request(task, msg, None, first.name);
    }
}

/// Without quire-sim, the built-in queues print to files: quired's own choice of path, so
/// they are made even though FileDevice is off (clients still cannot make file: queues).
fn add_builtin_queues(task: &mut SchedulerTask, state_dir: &Path) {
    let out = state_dir.join("printed");
    let _ = std::fs::create_dir_all(&out);
    for (name, info) in
        [("office", "Office printer (prints to a file)"), ("lab", "Lab printer (prints to a file)")]
    {
        let mut msg = quire_client::request_as(
            Operation::CupsAddModifyPrinter,
            Some(&format!("ipp://localhost/printers/{name}")),
            "root",
        );
        let mut g = Group::new(DelimiterTag::Printer);
        g.push(Attribute::new(
            "device-uri",
            Value::Uri(format!("file://{}/{name}.out", out.display())),
        ));
        g.push(Attribute::new("printer-info", Value::Text(info.into())));
        g.push(Attribute::new("printer-is-accepting-jobs", Value::Boolean(true)));
        g.push(Attribute::new("printer-state", Value::Enum(3)));
        msg.push_group(g);
        let base = UriBase { scheme: "ipp".into(), authority: "localhost".into() };
        let resp = task.bootstrap_own_file_queue(Request::new(msg, "/admin/", base));
        if resp.code >= 0x0100 {
            let why =
                resp.operation_attr("status-message").and_then(|a| a.first_str()).unwrap_or("");
            tracing::warn!("Unable to add built-in queue {name}: {why}");
        }
    }
    let mut msg: Message = quire_client::request_as(
        Operation::CupsSetDefault,
        Some("ipp://localhost/printers/office"),
        "root",
    );
    msg.request_id = 1;
    let base = UriBase { scheme: "ipp".into(), authority: "localhost".into() };
    let _ = task.bootstrap(Request::new(msg, "/admin/", base));
}
