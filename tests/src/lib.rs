//! Test harness for Quire: runs the real CUPS scheduler (the reference) and quired side by side,
//! each with its own private directories, D-Bus and IPP Everywhere printer (ippeveprinter), and
//! drives them with the real CUPS tools (ipptool, lp, lpstat, lpadmin, ...). No mocks.
//!
//! Needs the Debian packages listed in `tests/scripts/install-test-deps`.

pub mod busy_host;
pub mod cli;
pub mod confidential;
pub mod conformance;
pub mod cups_install;
pub mod dbus;
pub mod fleet;
pub mod http;
pub mod ippeve;
pub mod ipptool;
pub mod lan;
pub mod mdns_browse;
pub mod mdns_lan;
pub mod named;
pub mod notify;
pub mod pam;
pub mod process;
pub mod server;
pub mod simulated_printer;

use std::path::PathBuf;

pub use cli::{cups_tool, cups_tool_ok, queue_setup, Via};
pub use dbus::Dbus;
pub use ippeve::IppEvePrinter;
pub use ipptool::{run_ipptool, IppSuite, IpptoolResult};
pub use process::CmdOutput;
pub use server::{quired_binary, server_binary, Server, ServerKind};
pub use simulated_printer::{
    marked_pdf, sim_binary, PageRecord, Sim, SimFault, SimOptions, SimStatus,
};

/// `tests/data` of this crate.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The programs the harness runs; tests call this first and fail with a clear message.
pub fn missing_programs() -> Vec<&'static str> {
    ["ipptool", "ippeveprinter", "dbus-daemon", "lpadmin", "lp", "lpstat", "cancel", "timeout"]
        .into_iter()
        .filter(|p| !process::have_program(p))
        .chain(Some("/usr/sbin/cupsd").filter(|p| !process::have_program(p)))
        .collect()
}

/// Fails with an explanation when the CUPS programs are missing.
pub fn require_programs() {
    let missing = missing_programs();
    assert!(
        missing.is_empty(),
        "missing programs {missing:?}: run tests/scripts/install-test-deps (as root)"
    );
}

/// A test (or part of one) that cannot run here: prints `SKIPPED: why` on a developer's
/// machine, but fails under CI (`CI` set, as `tests/scripts/run-all-tests` sets it), where
/// everything a test needs is installed and built, so nothing may pass by not running.
pub fn skipped(why: &str) {
    assert!(std::env::var_os("CI").is_none(), "cannot run under CI: {why}");
    eprintln!("SKIPPED: {why}");
}

/// A cupsd and, when its binary is built, a quired, started with the same configuration:
/// the servers every compliance test runs against.
pub fn both_servers() -> Vec<Server> {
    require_programs();
    let mut list = vec![Server::start_cupsd().expect("start cupsd")];
    match Server::start_quired().expect("start quired") {
        Some(quired) => list.push(quired),
        None => skipped("quired binary not built (quired variants of this test did not run)"),
    }
    list
}
