//! The built-in config's printers: `quire-sim` IPP Everywhere simulators that quired starts
//! as children on loopback ports, so a newcomer can `lp` at once and see the pages arrive
//! (`STATE_DIR/printed/NAME/`, with a page log). They die with quired.

use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::{Child, Command};

/// One simulated printer of the built-in fleet.
pub struct SimulatedPrinter {
    pub name: &'static str,
    pub info: &'static str,
    pub uri: String,
    _child: Child,
}

/// (queue name, printer-info, port offset from the scheduler's port, quire-sim options).
/// Three security profiles, for the splitter and failover features to show.
const FLEET: &[(&str, &str, u16, &[&str])] = &[
    (
        "office",
        "Office printer (simulated; PIN release, 40 ppm)",
        1,
        &["--ppm", "40", "--auth", "pin"],
    ),
    (
        "secure",
        "Secure printer (simulated; badge release, encrypts, erases storage, 20 ppm)",
        2,
        &["--ppm", "20", "--auth", "id-card", "--encrypts", "--erases-storage"],
    ),
    ("draft", "Draft printer (simulated; no release, 120 ppm)", 3, &["--ppm", "120"]),
];

/// Control ports (fault injection: `quire-sim ctl 127.0.0.1:PORT …`) sit this far above.
const CONTROL_OFFSET: u16 = 10;

/// `quire-sim` next to our own executable (a cargo build or a package), else from PATH.
fn sim_binary() -> PathBuf {
    let sibling =
        std::env::current_exe().ok().and_then(|exe| exe.parent().map(|d| d.join("quire-sim")));
    sibling.filter(|p| p.is_file()).unwrap_or_else(|| PathBuf::from("quire-sim"))
}

/// Starts the fleet next to a scheduler listening on `port`; printers that fail to start
/// are left out (with a warning), so quired still runs.
pub async fn start(state_dir: &Path, port: u16) -> Vec<SimulatedPrinter> {
    let bin = sim_binary();
    let mut fleet = Vec::new();
    for (name, info, offset, options) in FLEET {
        let (Some(ipp), Some(control)) =
            (port.checked_add(*offset), port.checked_add(offset + CONTROL_OFFSET))
        else {
            continue;
        };
        let dir = state_dir.join("printed").join(name);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            tracing::warn!("Simulated printer {name}: unable to create {}: {e}", dir.display());
            continue;
        }
        let mut cmd = Command::new(&bin);
        cmd.args([
            "--listen",
            &format!("127.0.0.1:{ipp}"),
            "--control",
            &format!("127.0.0.1:{control}"),
            "--name",
            name,
        ])
        .arg("--keep")
        .arg(&dir)
        .arg("--page-log")
        .arg(dir.join("pages.log"))
        .args(*options)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
        match cmd.spawn() {
            Ok(child) => fleet.push(SimulatedPrinter {
                name,
                info,
                uri: format!("ipp://127.0.0.1:{ipp}/ipp/print"),
                _child: child,
            }),
            Err(e) => {
                tracing::warn!("Simulated printer {name}: unable to run {}: {e} (build it with `cargo build -p quire-sim`)", bin.display());
                return Vec::new();
            }
        }
    }
    for sim in &fleet {
        if !answers(&sim.uri).await {
            tracing::warn!("Simulated printer {} at {} does not answer yet", sim.name, sim.uri);
        }
    }
    fleet
}

/// Waits up to 5 s for a TCP connection to `uri`'s port.
async fn answers(uri: &str) -> bool {
    let Some(addr) = uri.strip_prefix("ipp://").and_then(|r| r.split('/').next()) else {
        return false;
    };
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
