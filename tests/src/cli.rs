//! Running the CUPS command-line tools (lp, lpstat, lpadmin, ...) against a server.

use std::io;

use crate::process::{other, run_with_timeout, CmdOutput};
use crate::server::Server;

/// How a tool reaches the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `-h 127.0.0.1:PORT`
    Tcp,
    /// `-h /path/to/cups.sock` (cupsSetServer takes a socket path as well as host:port).
    Socket,
}

impl Via {
    pub fn server_arg(self, server: &Server) -> String {
        match self {
            Via::Tcp => server.host_port(),
            Via::Socket => server.socket_path().to_string_lossy().into_owned(),
        }
    }
}

/// Runs `program -h SERVER args...` (30 s limit) with a neutral environment: no inherited
/// CUPS_SERVER, and HOME pointing into the server's dir so no ~/.cups/lpoptions is read.
pub fn cups_tool(server: &Server, via: Via, program: &str, args: &[&str]) -> io::Result<CmdOutput> {
    cups_tool_timeout(server, via, 30, program, args)
}

/// [`cups_tool`] with its own time limit (a purge of thousands of jobs takes minutes).
pub fn cups_tool_timeout(
    server: &Server,
    via: Via,
    secs: u64,
    program: &str,
    args: &[&str],
) -> io::Result<CmdOutput> {
    let mut full = vec!["-h".to_string(), via.server_arg(server)];
    full.extend(args.iter().map(|a| a.to_string()));
    let home = server.dir().to_string_lossy().into_owned();
    let env = [
        ("CUPS_SERVER".to_string(), via.server_arg(server)),
        ("HOME".to_string(), home),
        ("LANG".to_string(), "C".to_string()),
        ("LC_ALL".to_string(), "C".to_string()),
    ];
    run_with_timeout(secs, program, &full, None, &env)
}

/// Like [`cups_tool`] but an exit code other than 0 is an error carrying the output.
pub fn cups_tool_ok(
    server: &Server,
    via: Via,
    program: &str,
    args: &[&str],
) -> io::Result<CmdOutput> {
    let out = cups_tool(server, via, program, args)?;
    if out.rc != 0 {
        return Err(other(format!("{} {program} {args:?} failed: {}", server.name(), out.text())));
    }
    Ok(out)
}

/// Creates an enabled, accepting queue the same way on every server:
/// `lpadmin -h HOST:PORT -p NAME -v URI -m everywhere -E` (`-m everywhere` queries the IPP
/// Everywhere printer at `device_uri`, so it must be running).
pub fn queue_setup(server: &Server, name: &str, device_uri: &str) -> io::Result<()> {
    cups_tool_ok(
        server,
        Via::Tcp,
        "lpadmin",
        &["-p", name, "-v", device_uri, "-m", "everywhere", "-E"],
    )
    .map(|_| ())
}

/// Parses the job id out of lp's `request id is QUEUE-ID (1 file(s))`.
pub fn parse_request_id(lp_stdout: &str) -> Option<u32> {
    let rest = lp_stdout.split("request id is ").nth(1)?;
    let word = rest.split_whitespace().next()?;
    word.rsplit('-').next()?.parse().ok()
}
