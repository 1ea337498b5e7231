//! `quire`: the binary; the commands are the library's (`lib.rs`).

use clap::{Arg, ArgAction, Command};

use quire_cli::session::{CliError, Ctx};
use quire_cli::{
    cancel, cupsaccept, cupsctl, failover, lp, lpadmin, lpinfo, lpmove, lpoptions, lpstat, release,
};

/// The CUPS commands, which a link to the binary may be named after.
const COMMANDS: [&str; 12] = [
    "lp",
    "lpinfo",
    "lpstat",
    "cancel",
    "lpadmin",
    "lpmove",
    "lpoptions",
    "cupsctl",
    cupsaccept::ACCEPT,
    cupsaccept::REJECT,
    cupsaccept::ENABLE,
    cupsaccept::DISABLE,
];
/// Quire's own subcommands, only as `quire failover` / `quire release` (their messages
/// say so).
const FAILOVER: &str = "quire failover";
const RELEASE: &str = "quire release";

fn cli() -> Command {
    let sub = |name: &'static str, about: &'static str| {
        Command::new(name)
            .about(about)
            .disable_help_flag(true)
            .arg(Arg::new("args").num_args(0..).allow_hyphen_values(true).trailing_var_arg(true))
    };
    Command::new("quire")
        .version(env!("CARGO_PKG_VERSION"))
        .about("CUPS-compatible print commands for the Quire scheduler")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(Arg::new("help").long("help").action(ArgAction::Help).help("Print help"))
        .subcommand_required(true)
        .subcommand(sub("lp", "Print files or change jobs"))
        .subcommand(sub("lpstat", "Show printer, class and job status"))
        .subcommand(sub("cancel", "Cancel jobs"))
        .subcommand(sub("lpadmin", "Configure printers and classes"))
        .subcommand(sub("lpinfo", "Show available devices (-v) or models (-m)"))
        .subcommand(sub("lpmove", "Move a job or all jobs of a queue to another destination"))
        .subcommand(sub("lpoptions", "Show or set a destination's saved options and the default"))
        .subcommand(sub("cupsctl", "Show or change the scheduler's main settings"))
        .subcommand(sub("cupsaccept", "Accept jobs on destinations"))
        .subcommand(sub("cupsreject", "Reject jobs on destinations"))
        .subcommand(sub("cupsenable", "Start printers (and release held new jobs)"))
        .subcommand(sub("cupsdisable", "Stop printers (or hold new jobs)"))
        .subcommand(sub("failover", "Show a stopped job's failover, or move its rest to a printer"))
        .subcommand(sub("release", "Release, delete or list your confidential held jobs"))
}

fn dispatch(prog: &'static str, args: &[String]) -> i32 {
    let mut ctx = Ctx::new(prog);
    let result = match prog {
        "lp" => lp::run(&mut ctx, args),
        "lpstat" => lpstat::run(&mut ctx, args),
        "cancel" => cancel::run(&mut ctx, args),
        "lpmove" => lpmove::run(&mut ctx, args),
        "lpinfo" => lpinfo::run(&mut ctx, args),
        "lpoptions" => lpoptions::run(&mut ctx, args),
        "cupsctl" => cupsctl::run(&mut ctx, args),
        cupsaccept::ACCEPT | cupsaccept::REJECT | cupsaccept::ENABLE | cupsaccept::DISABLE => {
            cupsaccept::run(&mut ctx, args)
        }
        FAILOVER => failover::run(&mut ctx, args),
        RELEASE => release::run(&mut ctx, args),
        _ => lpadmin::run(&mut ctx, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{prog}: {e}");
            if matches!(e, CliError::Usage(_)) {
                eprintln!("Try \"{prog} --help\" for more information.");
            }
            1
        }
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    let base = argv.first().and_then(|a| a.rsplit('/').next()).unwrap_or("quire");
    if let Some(prog) = COMMANDS.iter().find(|c| **c == base) {
        std::process::exit(dispatch(prog, &argv[1..]));
    }
    let matches = cli().get_matches_from(&argv);
    let Some((name, sub)) = matches.subcommand() else {
        std::process::exit(1);
    };
    let args: Vec<String> =
        sub.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let prog = match name {
        "failover" => FAILOVER,
        "release" => RELEASE,
        _ => COMMANDS.iter().find(|c| **c == name).copied().unwrap_or("quire"),
    };
    std::process::exit(dispatch(prog, &args));
}
