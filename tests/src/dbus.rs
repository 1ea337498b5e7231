//! A private D-Bus daemon standing in for the system bus (ippeveprinter/avahi look for one).

use std::io::{self, BufRead, BufReader};
use std::process::{Command, Stdio};
use tempfile::TempDir;

use crate::process::{other, ChildGuard, Place};

/// `dbus-daemon --nofork --print-address` with a permissive config in a temp dir; killed on drop.
/// Any user may connect (cupsd's notifiers run as `lp`).
pub struct Dbus {
    address: String,
    child: ChildGuard,
    dir: TempDir,
    /// Where it runs ([`Dbus::restart`] starts it there again).
    place: Place,
}

impl Dbus {
    pub fn start() -> io::Result<Dbus> {
        let dir = tempfile::Builder::new().prefix("quire-dbus-").tempdir()?;
        let socket = dir.path().join("bus");
        let text = config_text(&socket.to_string_lossy());
        Dbus::start_with(&Place::here(), dir, &text)
    }

    /// The system bus of a side of the simulated LAN: `dbus-daemon` at `place` (whose
    /// private /run/dbus it listens in, at the standard /run/dbus/system_bus_socket), with
    /// Debian's system-bus policy and its `system.d` rules (Avahi's among them), and no
    /// service activation (a side without Avahi must stay without it).
    pub fn start_system(place: &Place) -> io::Result<Dbus> {
        let dir = tempfile::Builder::new().prefix("quire-sysbus-").tempdir()?;
        Dbus::start_with(place, dir, SYSTEM_CONFIG)
    }

    fn start_with(place: &Place, dir: TempDir, text: &str) -> io::Result<Dbus> {
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, text)?;
        let (address, child) = Self::spawn(place, &config)?;
        Ok(Dbus { address, child, dir, place: place.clone() })
    }

    fn spawn(place: &Place, config: &std::path::Path) -> io::Result<(String, ChildGuard)> {
        let mut cmd: Command = place.command("dbus-daemon");
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

    /// Starts a private bus ([`Dbus::start`]) again on the same socket (a new daemon, a new
    /// GUID).
    pub fn restart(&mut self) -> io::Result<()> {
        self.child.kill();
        let _ = std::fs::remove_file(self.dir.path().join("bus"));
        let (address, child) = Self::spawn(&self.place, &self.dir.path().join("bus.conf"))?;
        self.address = address;
        self.child = child;
        Ok(())
    }
}

/// Debian's `/usr/share/dbus-1/system.conf` policy without its user switch, fork, pid file,
/// syslog and service activation.
const SYSTEM_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>/etc/dbus-1/system.d</includedir>
</busconfig>
"#;

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
