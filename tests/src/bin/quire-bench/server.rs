//! The servers under benchmark: the test harness's `Server`, in a directory of the bench's
//! choosing, with the configuration a 10,000-job benchmark needs, and the one queue most
//! benchmarks use.

use std::io;
use std::path::Path;
use std::time::Duration;

use quire_tests::cli::{cups_tool_timeout, Via};
use quire_tests::{CmdOutput, Server, ServerKind};

use crate::client::{self, Conn};

/// The one queue the bench uses on each server.
pub const QUEUE: &str = "Q";

/// Config knobs shared by both servers.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConfigOpts {
    /// cupsd: write job files as soon as possible (`DirtyCleanInterval 0`) and fsync them
    /// (`SyncOnClose Yes`), to compare against quired's durable store on equal terms.
    pub cupsd_durable: bool,
    /// `MaxClients`, when a benchmark needs more connections than the default 100.
    pub max_clients: Option<usize>,
}

/// Starts `binary` in `root` (which must not exist yet) with the bench's configuration.
pub fn start(kind: ServerKind, binary: &Path, root: &Path, opts: ConfigOpts) -> io::Result<Server> {
    Server::start_configured_in(root, kind, binary, &[], |root, port| Ok(config(root, port, opts)))
}

/// cupsd.conf and cups-files.conf: the harness's layout, with the settings a 10,000-job
/// benchmark needs.
pub fn config(root: &Path, port: u16, opts: ConfigOpts) -> (String, String) {
    let r = root.display();
    let dirty = if opts.cupsd_durable { "DirtyCleanInterval 0\n" } else { "" };
    let sync = if opts.cupsd_durable { "SyncOnClose Yes\n" } else { "" };
    let max_clients = opts.max_clients.map(|n| format!("MaxClients {n}\n")).unwrap_or_default();
    let conf = format!(
        "# Written by quire-bench.\n\
         LogLevel warn\n\
         MaxLogSize 0\n\
         Listen 127.0.0.1:{port}\n\
         Listen {r}/cups.sock\n\
         Browsing No\n\
         WebInterface No\n\
         DefaultAuthType Basic\n\
         DefaultEncryption Never\n\
         MaxJobs 0\n\
         MaxJobsPerPrinter 0\n\
         MaxJobsPerUser 0\n\
         PreserveJobHistory Yes\n\
         PreserveJobFiles No\n\
         {dirty}\
         {max_clients}\
         <Location />\n  Order allow,deny\n  Allow all\n</Location>\n\
         <Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    );
    (conf, format!("{}{sync}", quire_tests::server::cups_files_conf(&r.to_string())))
}

/// `ipp://127.0.0.1:PORT/printers/Q`.
pub fn queue_uri(srv: &Server) -> String {
    srv.printer_uri(QUEUE)
}

/// `/printers/Q`, the HTTP resource of the queue.
pub fn queue_path() -> String {
    format!("/printers/{QUEUE}")
}

/// Runs a CUPS command-line tool (`lpadmin`, `cancel`, ...) against `srv` over TCP.
pub fn tool(srv: &Server, secs: u64, program: &str, args: &[&str]) -> io::Result<CmdOutput> {
    cups_tool_timeout(srv, Via::Tcp, secs, program, args)
}

/// Starts a stopped server again and times until Get-Printer-Attributes on the queue succeeds.
pub fn restart_timed(srv: &mut Server, limit: Duration) -> io::Result<Duration> {
    let body = client::get_printer_attributes(&queue_uri(srv));
    let port = srv.port();
    srv.restart_timed(limit, || probe(port, &body).is_some_and(client::is_ok))
}

/// One request on a fresh connection to the queue; the IPP status, or None if no answer.
fn probe(port: u16, body: &[u8]) -> Option<u16> {
    let mut conn = Conn::connect(port, Duration::from_secs(2)).ok()?;
    conn.call_status(&queue_path(), body).ok()
}

/// Stops the server if it is still running; what went wrong, if anything.
pub fn stop_if_running(srv: &mut Server, limit: Duration) -> Option<String> {
    if !srv.is_alive() {
        return None;
    }
    srv.stop(limit).err().map(|e| e.to_string())
}
