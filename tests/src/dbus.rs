//! A private D-Bus daemon standing in for the system bus (ippeveprinter/avahi look for one).

use std::io::{self, BufRead, BufReader};
use std::process::{Command, Stdio};
use tempfile::TempDir;

use crate::process::{other, ChildGuard};

/// `dbus-daemon --nofork --print-address` with a permissive config in a temp dir; killed on drop.
pub struct Dbus {
    address: String,
    _child: ChildGuard,
    _dir: TempDir,
}

impl Dbus {
    pub fn start() -> io::Result<Dbus> {
        let dir = tempfile::Builder::new().prefix("quire-dbus-").tempdir()?;
        let socket = dir.path().join("bus");
        let config = dir.path().join("bus.conf");
        std::fs::write(&config, config_text(&socket.to_string_lossy()))?;
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
        Ok(Dbus { address, _child: child, _dir: dir })
    }

    /// The value for `DBUS_SYSTEM_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
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
  </policy>
</busconfig>
"#
    )
}
