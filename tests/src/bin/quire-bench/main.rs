//! quire-bench: the cupsd-vs-quired benchmarks, one subcommand each, both servers measured
//! in one run on this machine (docs/BENCHMARKS.md). A benchmark, not a test: nothing here
//! asserts on timing.
//!
//! Usage: `quire-bench core|busy|conns|scale|import|print|split|failover|confidential [options]`
//! (`quire-bench SUBCOMMAND --help` lists a subcommand's options.)

mod args;
mod busy;
mod busy_metrics;
mod client;
mod confidential;
mod conns;
mod core_bench;
mod env;
mod failover;
mod figures;
mod fleet;
mod import;
mod load;
mod print;
mod scale;
mod server;
mod split;
mod upload;

use std::process::ExitCode;

const USAGE: &str =
    "usage: quire-bench SUBCOMMAND [options]    (quire-bench SUBCOMMAND --help: its options)

  core          Get-Printer-Attributes and Print-Job throughput, Get-Jobs over N held jobs, RSS,
                start-up with N jobs, purge: cupsd vs quired (tests/scripts/bench runs it)
  busy          Get-Printer-Attributes over loopback TCP and the Unix socket, 1 and 16 conns, on
                an idle host, with 20,000 more sockets open, and pinned to 1 and 2 cores
  print         printing end to end at a simulated printer, and a big document: cupsd vs quired
  split         the job splitter's speed-up over four simulated printers, and its cost
  failover      how soon a job's remainder prints elsewhere after its printer faults
  confidential  encrypting a confidential job's document at rest vs spooling it in the clear;
                --pin-flood: Get-Jobs while others flood requests carrying a PIN
  conns         16 active clients with and without 10,000 idle connections, RSS per idle
                connection, the server pinned to 1 and 2 cores: cupsd vs quired
  scale         20,000 printers and 1,000,000 jobs of history: start-up, CUPS-Get-Printers,
                Get-Jobs with limit/first-index, Purge-Jobs, other clients' latency meanwhile
  import        taking over a CUPS install of 10,000 printers and 100,000 queued jobs: time, CPU
                and memory until every printer and job is listed, and a second start";

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let rest: Vec<String> = argv.collect();
    match command.as_str() {
        "core" => core_bench::main(rest),
        "busy" => busy::main(rest),
        "print" => print::main(rest),
        "split" => split::main(rest),
        "failover" => failover::main(rest),
        "confidential" => confidential::main(rest),
        "conns" => conns::main(rest),
        "scale" => scale::main(rest),
        "import" => import::main(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "" => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
        other => {
            eprintln!("quire-bench: unknown subcommand {other:?}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
