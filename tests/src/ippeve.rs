//! `ippeveprinter`: the IPP Everywhere printer that the queues under test print to.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

use crate::process::{free_port, other, run_with_timeout, wait_until, ChildGuard};

/// A running ippeveprinter on a free loopback port; killed on drop.
pub struct IppEvePrinter {
    port: u16,
    dir: TempDir,
    child: ChildGuard,
}

impl IppEvePrinter {
    /// Starts `ippeveprinter NAME` with DNS-SD off, PDF/PWG/URF input and job files kept.
    ///
    /// `-c /bin/true` makes the printer "print" by running a no-op command: without a command
    /// ippeveprinter simulates printing by sleeping for a random time, which made the
    /// job-completion waits in the IPP test files take 5 to 25 s instead of a steady 5 s.
    pub fn start(name: &str, dbus_address: &str) -> io::Result<IppEvePrinter> {
        IppEvePrinter::start_with_formats(
            name,
            dbus_address,
            "application/pdf,image/pwg-raster,image/urf",
        )
    }

    /// Like [`IppEvePrinter::start`], taking only `formats` (comma-separated MIME types), e.g.
    /// `image/pwg-raster` for a printer without a PDF interpreter.
    pub fn start_with_formats(
        name: &str,
        dbus_address: &str,
        formats: &str,
    ) -> io::Result<IppEvePrinter> {
        let dir = tempfile::Builder::new().prefix("quire-ippeve-").tempdir()?;
        let spool = dir.path().join("spool");
        std::fs::create_dir_all(&spool)?;
        let log = File::create(dir.path().join("ippeveprinter.log"))?;
        let port = free_port()?;
        let mut cmd = Command::new("ippeveprinter");
        // -n localhost: with 127.0.0.1 ippeveprinter fails to create its IPv6 listener and exits.
        cmd.args(["-p", &port.to_string(), "-n", "localhost", "-r", "off", "-k", "-v"])
            .args(["-c", "/bin/true", "-f", formats])
            .arg("-d")
            .arg(&spool)
            .arg(name)
            .env("DBUS_SYSTEM_BUS_ADDRESS", dbus_address)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        let child = ChildGuard::spawn("ippeveprinter", &mut cmd)?;
        let mut printer = IppEvePrinter { port, dir, child };
        printer.wait_ready()?;
        Ok(printer)
    }

    fn wait_ready(&mut self) -> io::Result<()> {
        let uri = self.uri();
        let ready = wait_until(Duration::from_secs(15), || {
            self.child.check_alive().is_ok() && answers_get_printer_attributes(&uri)
        });
        if ready {
            return Ok(());
        }
        self.child.check_alive()?;
        Err(other(format!("ippeveprinter at {uri} did not answer; log: {}", self.log_text())))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ipp://localhost:PORT/ipp/print` (localhost, as the printer names itself).
    pub fn uri(&self) -> String {
        format!("ipp://localhost:{}/ipp/print", self.port)
    }

    pub fn spool_dir(&self) -> PathBuf {
        self.dir.path().join("spool")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("ippeveprinter.log")
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Waits (up to `limit`) until the printer reports `printer-state` idle with no queued jobs.
    pub fn wait_idle(&self, limit: Duration) -> bool {
        let uri = self.uri();
        wait_until(limit, || printer_is_idle(&uri))
    }
}

/// `ipptool -q -T 2 URI get-printer-attributes.test` succeeds.
pub fn answers_get_printer_attributes(uri: &str) -> bool {
    let args = ["-q", "-T", "2", uri, "get-printer-attributes.test"].map(String::from);
    matches!(run_with_timeout(10, "ipptool", &args, None, &[]), Ok(out) if out.rc == 0)
}

fn printer_is_idle(uri: &str) -> bool {
    let test = crate::data_dir().join("ipptool/printer-idle.test");
    let args = vec!["-q".into(), "-T".into(), "2".into(), uri.to_string(), path_str(&test)];
    matches!(run_with_timeout(10, "ipptool", &args, None, &[]), Ok(out) if out.rc == 0)
}

pub(crate) fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
