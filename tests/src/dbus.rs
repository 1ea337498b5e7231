//! A private D-Bus daemon standing in for the system bus (ippeveprinter/avahi look for one).

use std::io::{self, BufRead, BufReader};
use std::process::{Command, Stdio};
use tempfile::TempDir;

use crate::process::{other, ChildGuard};

/// `dbus-daemon --nofork --print-address` with a permissive config in a temp dir; killed on drop.
/// Any user may connect (cupsd's notifiers run as `lp`).
pub struct Dbus {
    address: String,
    child: ChildGuard,
    dir: TempDir,
}

impl Dbus {
    pub fn start() -> io::Result<Dbus> {
        let dir = tempfile::Builder::new().prefix("quire-dbus-").tempdir()?;
        let socket = dir.path().join("bus");
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, config_text(&socket.to_string_lossy()))?;
        let (address, child) = Self::spawn(&config)?;
        Ok(Dbus { address, child, dir })
    }

    fn spawn(config: &std::path::Path) -> io::Result<(String, ChildGuard)> {
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config.display()))
            .arg("--nofork")
            .arg("--print-address")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = ChildGuard::spawn("dbus-daemon", &mut cmd)?;
        let stdout =
            child.take_stdout().ok_or_else(|| other("dbus-daemon: no stdout".to_string()))?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let address = line.trim().to_string();
        if address.is_empty() {
            child.check_alive()?;
            return Err(other("dbus-daemon printed no address".to_string()));
        }
        Ok((address, child))
    }

    /// The value for `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The bus's socket without the daemon's GUID: still right once the bus is started
    /// again ([`Dbus::restart`]).
    pub fn socket_address(&self) -> String {
        format!("unix:path={}", self.dir.path().join("bus").display())
    }

    /// Stops the bus (SIGKILL): a system bus going away.
    pub fn stop(&mut self) {
        self.child.kill();
    }

    /// Starts the bus again on the same socket (a new daemon, a new GUID).
    pub fn restart(&mut self) -> io::Result<()> {
        self.child.kill();
        let _ = std::fs::remove_file(self.dir.path().join("bus"));
        let (address, child) = Self::spawn(&self.dir.path().join("bus.conf"))?;
        self.address = address;
        self.child = child;
        Ok(())
    }
}

fn config_text(socket: &str) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
</busconfig>
"#
    )
}
