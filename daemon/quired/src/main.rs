//! quired: the Quire print server, a drop-in cupsd.
//!
//! Thin by design: it loads the config, restores state from the job store, and runs the
//! network layer and the scheduler task. Everything about IPP lives in quire-core.

mod admin_conf;
mod args;
mod auth;
mod background;
mod boot;
mod cache;
mod clock;
mod command;
mod conf_file;
mod config;
mod cups_state;
mod demo_fleet;
mod device_query;
mod dnssd;
mod fdlimit;
mod fetch;
mod guard;
mod http;
mod identity;
mod idle;
mod launch;
mod live;
mod logs;
mod net;
mod networks;
mod notify;
mod page;
mod pieces;
mod pin;
mod pin_limit;
mod ratelog;
mod reconcile;
mod records;
mod reload;
mod requester;
mod restore;
mod runner;
mod scheduler_task;
mod service;
mod sniff;
mod spool_gauge;
mod spool_stream;
mod store_thread;

use std::process::ExitCode;

fn main() -> ExitCode {
    // quired started again as the filter worker (as `User`): see quire_backends::sandbox.
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    if argv.get(1).map(String::as_str) == Some(launch::WORKER_FLAG) {
        return quire_backends::worker::main(&argv[2..]);
    }
    let words: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let args = match args::parse(&words, &cwd) {
        args::Parsed::Run(a) => a,
        args::Parsed::Usage => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        args::Parsed::Version => {
            println!("quired {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        args::Parsed::Error(msg) => {
            eprintln!("quired: {msg}");
            eprint!("{}", args::USAGE);
            return ExitCode::from(1);
        }
    };
    // Before any thread starts: the environment is changed (no child inherits these).
    let service = service::Service::from_env();
    let loaded = match config::load(&args) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("quired: {e}");
            service.notifier.failed(&e.to_string());
            return ExitCode::from(1);
        }
    };
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
    if args.test || args.test_print {
        return test_config(&args, &loaded);
    }
    if !args.stays_in_foreground() {
        return background::start(&args, &service.notifier);
    }
    if args.foreground_detached {
        detach();
    }
    let logging = boot::init_logging(&loaded.server);
    for problem in &service.problems {
        tracing::error!("{problem}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("quired: unable to start: {e}");
            service.notifier.failed(&format!("unable to start: {e}"));
            return ExitCode::from(1);
        }
    };
    let notifier = service.notifier.clone();
    let result = runtime.block_on(boot::run(loaded, args, service, logging));
    // Backend threads still following a device's job are not waited for (a printer out of
    // paper could hold SIGTERM for ever): every job is persisted, and after a restart its
    // backend follows the device's job again.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("quired: {e}");
            notifier.failed(&e);
            ExitCode::from(1)
        }
    }
}

/// `-t`/`-T`: the files are OK (their diagnostics are printed already), as cupsd says it.
fn test_config(args: &args::Args, loaded: &config::Loaded) -> ExitCode {
    if args.demo {
        println!("The built-in configuration is OK.");
    } else {
        println!("\"{}\" is OK.", args.files_path().display());
        println!("\"{}\" is OK.", args.cupsd_path().display());
    }
    if args.test_print {
        println!("{:#?}", loaded.server);
    }
    ExitCode::SUCCESS
}

/// `-F`: a session of its own (no controlling terminal) and `/` as the working directory,
/// so no file system is kept busy (the file names from the command line are absolute).
fn detach() {
    // Fails only for a process group leader (a service manager's child): nothing to leave.
    let _ = nix::unistd::setsid();
    if let Err(e) = std::env::set_current_dir("/") {
        eprintln!("quired: unable to change to /: {e}");
    }
}
