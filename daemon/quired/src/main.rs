//! quired: the Quire print server, a drop-in cupsd.
//!
//! Thin by design: it loads the config, restores state from the job store, and runs the
//! network layer and the scheduler task. Everything about IPP lives in quire-core.

mod args;
mod auth;
mod boot;
mod cache;
mod clock;
mod command;
mod config;
mod demo_fleet;
mod device_query;
mod fdlimit;
mod fetch;
mod guard;
mod http;
mod identity;
mod launch;
mod logline;
mod logs;
mod net;
mod networks;
mod page;
mod pieces;
mod pin;
mod pin_limit;
mod ratelog;
mod reconcile;
mod requester;
mod restore;
mod runner;
mod scheduler_task;
mod sniff;
mod spool_gauge;
mod spool_stream;
mod store_thread;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // quired started again as the filter worker (as `User`): see quire_backends::sandbox.
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    if argv.get(1).map(String::as_str) == Some(launch::WORKER_FLAG) {
        return quire_backends::worker::main(&argv[2..]);
    }
    let args = match args::Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
    };
    let loaded = match config::load(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("quired: {e}");
            return ExitCode::from(1);
        }
    };
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
    if args.test || args.test_print {
        let what = args
            .cupsd_conf
            .as_ref()
            .map_or("built-in configuration".to_string(), |p| format!("\"{}\"", p.display()));
        eprintln!("{what} is OK");
        if args.test_print {
            println!("{:#?}", loaded.server);
        }
        return ExitCode::SUCCESS;
    }
    if !(args.foreground || args.foreground_detached || args.on_demand) {
        return boot::daemonize();
    }
    let logs = boot::init_logging(&loaded.server);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("quired: unable to start: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(boot::run(loaded, logs));
    // Backend threads still following a device's job are not waited for (a printer out of
    // paper could hold SIGTERM for ever): every job is persisted, and after a restart its
    // backend follows the device's job again.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("quired: {e}");
            ExitCode::from(1)
        }
    }
}
