//! The `quire-sim` binary: serve (`--listen ...`) or talk to a running one (`ctl ...`).

use std::process::ExitCode;

use quire_sim::cli::{self, CliError, Command, USAGE};

fn main() -> ExitCode {
    let opts = match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Ctl(cmd)) => return ExitCode::from(quire_sim::ctl::run(&cmd)),
        Ok(Command::Serve(opts)) => opts,
        Err(CliError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("quire-sim: {e}\nTry 'quire-sim --help'.");
            return ExitCode::from(2);
        }
    };
    // Tests start several simulators at once: two worker threads are plenty for each.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
    let result = match runtime {
        Ok(rt) => rt.block_on(quire_sim::server::run(opts)),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quire-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
