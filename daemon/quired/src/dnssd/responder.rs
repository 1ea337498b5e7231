//! quired's own mDNS responder (mdns-sd), for hosts where no Avahi runs: it probes, announces,
//! answers and renames on a conflict (RFC 6762) on its own thread. One registration carries
//! one subtype, so `_ipp._tcp` and `_ipps._tcp` are advertised with one of the configured
//! subtypes (`_universal` when configured, for AirPrint clients; else the first); Avahi
//! advertises them all. `_printer._tcp` (port 0, only there to hold the name) is left out.

use super::{Names, Registration};
use mdns_sd::{DaemonEvent, ServiceDaemon, ServiceInfo};
use std::collections::BTreeMap;

pub struct OwnResponder {
    daemon: ServiceDaemon,
    names: Names,
    /// By queue: what is registered, and the full names to withdraw it by.
    registered: BTreeMap<String, (Registration, Vec<String>)>,
}

impl OwnResponder {
    pub fn start() -> Result<OwnResponder, String> {
        let daemon = ServiceDaemon::new().map_err(|e| e.to_string())?;
        let monitor = daemon.monitor().map_err(|e| e.to_string())?;
        // Conflicts and socket errors, for the log (ends when the daemon shuts down).
        std::thread::Builder::new()
            .name("mdns-log".into())
            .spawn(move || {
                while let Ok(event) = monitor.recv() {
                    match event {
                        DaemonEvent::NameChange(c) => tracing::warn!(
                            "[DNS-SD] \"{}\" is taken on the network; answering as \"{}\"",
                            c.original,
                            c.new_name
                        ),
                        DaemonEvent::Error(e) => tracing::warn!("[DNS-SD] mDNS responder: {e}"),
                        _ => {}
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        let computer = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        let computer = computer.split('.').next().unwrap_or("localhost").to_string();
        let host = format!("{computer}.local");
        tracing::info!("[DNS-SD] quired's own mDNS responder answers as {host}");
        Ok(OwnResponder { daemon, names: Names { host, computer }, registered: BTreeMap::new() })
    }

    /// The wanted names (a rename by the responder after a conflict is only logged).
    pub fn registered_names(&self) -> BTreeMap<String, String> {
        self.registered.iter().map(|(q, (r, _))| (q.clone(), r.instance.clone())).collect()
    }

    pub fn names(&self) -> Names {
        self.names.clone()
    }

    /// Registers `want`: new and changed queues (again), withdraws the others.
    pub fn sync(&mut self, want: &BTreeMap<String, Registration>) {
        let stale: Vec<String> = self
            .registered
            .iter()
            .filter(|(q, (r, _))| want.get(*q) != Some(r))
            .map(|(q, _)| q.clone())
            .collect();
        for q in stale {
            if let Some((r, fullnames)) = self.registered.remove(&q) {
                for f in fullnames {
                    let _ = self.daemon.unregister(&f);
                }
                if !want.contains_key(&q) {
                    tracing::info!("[DNS-SD] Printer {q} withdrawn (\"{}\")", r.instance);
                }
            }
        }
        for (q, r) in want {
            if self.registered.contains_key(q) {
                continue;
            }
            let mut fullnames = Vec::new();
            for s in r.services.iter().filter(|s| s.port != 0) {
                let subtype =
                    s.subtypes.iter().find(|t| *t == "_universal").or_else(|| s.subtypes.first());
                let ty = match subtype {
                    Some(sub) => format!("{sub}._sub.{}.local.", s.service_type),
                    None => format!("{}.local.", s.service_type),
                };
                let host = format!("{}.", s.host.trim_end_matches('.'));
                let info = ServiceInfo::new(&ty, &s.instance, &host, "", s.port, s.txt.as_slice())
                    .map(ServiceInfo::enable_addr_auto);
                match info.and_then(|i| {
                    let f = i.get_fullname().to_string();
                    self.daemon.register(i).map(|()| f)
                }) {
                    Ok(f) => fullnames.push(f),
                    Err(e) => tracing::error!(
                        "[DNS-SD] Unable to register printer {q} as \"{}\": {e}",
                        s.instance
                    ),
                }
            }
            tracing::info!("[DNS-SD] Printer {q} registered as \"{}\"", r.instance);
            self.registered.insert(q.clone(), (r.clone(), fullnames));
        }
    }

    /// Withdraws everything (goodbye packets) and stops the responder's thread.
    pub fn shutdown(mut self) {
        self.sync(&BTreeMap::new());
        let _ = self.daemon.shutdown();
    }
}
