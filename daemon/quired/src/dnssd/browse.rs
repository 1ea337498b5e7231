//! The IPP printers on the network, for CUPS-Get-Devices (`lpinfo -v`): a short DNS-SD browse
//! of `_ipp._tcp` and `_ipps._tcp` with quired's own mDNS querier (it shares port 5353 with
//! Avahi when one runs), each answer checked by [`quire_dnssd::device`] before it is listed.

use mdns_sd::{ResolvedService, ServiceDaemon, ServiceEvent};
use quire_core::DeviceInfo;
use quire_dnssd::device::{device_of, Found, TxtPair, MAX_TXT_PAIRS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A browse lasts at most this long (answers come within a second on a LAN).
pub const MAX_BROWSE: Duration = Duration::from_secs(3);
/// ... and at least this long when asked to stop early.
pub const MIN_BROWSE: Duration = Duration::from_millis(1500);
/// At most this many services are listed (a flood of answers costs nothing more).
const MAX_FOUND: usize = 512;

const TYPES: [(&str, bool); 2] = [("_ipp._tcp.local.", false), ("_ipps._tcp.local.", true)];

/// The printers found within `wait` (at most [`MAX_BROWSE`]; from [`MIN_BROWSE`] on, ended
/// early once `enough` is set), by URI, each once.
pub async fn devices(wait: Duration, enough: Arc<AtomicBool>) -> Vec<DeviceInfo> {
    let wait = wait.min(MAX_BROWSE);
    match tokio::task::spawn_blocking(move || browse(wait, &enough)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            tracing::warn!("[DNS-SD] Unable to browse for printers: {e}");
            Vec::new()
        }
        Err(_) => Vec::new(),
    }
}

fn browse(wait: Duration, enough: &AtomicBool) -> Result<Vec<DeviceInfo>, mdns_sd::Error> {
    let daemon = ServiceDaemon::new()?;
    let receivers: Vec<_> = TYPES
        .iter()
        .map(|(ty, secure)| daemon.browse(ty).map(|r| (r, *secure)))
        .collect::<Result<_, _>>()?;
    let start = Instant::now();
    let deadline = start + wait;
    let done = || enough.load(Ordering::Relaxed) && start.elapsed() >= MIN_BROWSE;
    let mut out: Vec<DeviceInfo> = Vec::new();
    'outer: while Instant::now() < deadline && out.len() < MAX_FOUND && !done() {
        let mut idle = true;
        for (rx, secure) in &receivers {
            while let Ok(event) = rx.try_recv() {
                idle = false;
                if let ServiceEvent::ServiceResolved(s) = event {
                    let Some(d) = device_info(&s, *secure) else { continue };
                    if !out.iter().any(|o| o.uri == d.uri) {
                        out.push(d);
                    }
                    if out.len() >= MAX_FOUND {
                        break 'outer;
                    }
                }
            }
        }
        if idle {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let _ = daemon.shutdown();
    Ok(out)
}

fn device_info(s: &ResolvedService, secure: bool) -> Option<DeviceInfo> {
    let instance = s.fullname.strip_suffix(&s.ty_domain)?.trim_end_matches('.');
    let txt: Vec<TxtPair> = s
        .txt_properties
        .iter()
        .take(MAX_TXT_PAIRS)
        .map(|p| (p.key().to_string(), p.val().map(<[u8]>::to_vec)))
        .collect();
    let found =
        Found { instance: unescape(instance), secure, host: s.host.clone(), port: s.port, txt };
    let d = device_of(&found)?;
    Some(DeviceInfo {
        class: "network".into(),
        uri: d.uri,
        make_and_model: d.make_and_model,
        info: d.info,
        device_id: d.device_id,
        location: d.location,
    })
}

/// An instance label as sent (`Office\032Laser`, `a\.b`) back to its text.
fn unescape(label: &str) -> String {
    let mut out = Vec::with_capacity(label.len());
    let b = label.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let digits = b.get(i + 1..i + 4).filter(|d| d.iter().all(u8::is_ascii_digit));
            if let Some(n) = digits.and_then(|d| std::str::from_utf8(d).ok()?.parse::<u8>().ok()) {
                out.push(n);
                i += 4;
                continue;
            }
            if let Some(&c) = b.get(i + 1) {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn instance_labels_are_unescaped() {
        assert_eq!(super::unescape("Office\\032Laser\\032\\064\\032a"), "Office Laser @ a");
        assert_eq!(super::unescape("a\\.b\\\\c\\"), "a.b\\c\\");
        assert_eq!(super::unescape("x\\999"), "x999");
    }
}
