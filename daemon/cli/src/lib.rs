//! The `quire` commands as a library (the binary is `main.rs`; the fuzz targets read its
//! parsers). `quire`: CUPS-compatible lp, lpstat, cancel, lpadmin, lpmove, lpinfo, lpoptions, cupsctl,
//! cupsaccept, cupsreject, cupsenable and cupsdisable in one binary, and Quire's own `failover` and `release`.
//!
//! clap handles only the top level (subcommand choice, `--help`, `--version`)
//! and has its `-h` disabled. Each subcommand's flags are scanned by a small
//! CUPS-style parser (args::tokenize) because CUPS's options are
//! order-sensitive (`lpadmin -E`, `lpstat -W`), take optional values
//! (`lpstat -p [printers]`) and may be glued to their values (`-dQ`). Invoked
//! through a link named after one of the CUPS commands, it acts as that command.

/// `println!` that ends the program quietly when stdout is gone (`quire lpstat | head`)
/// instead of panicking, as the CUPS tools do when SIGPIPE ends them.
macro_rules! out {
    () => { $crate::output::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

pub mod args;
pub mod cancel;
pub mod cupsaccept;
pub mod cupsctl;
pub mod dests;
pub mod failover;
pub mod lp;
pub mod lpadmin;
pub mod lpinfo;
pub mod lpmove;
pub mod lpoptions;
pub mod lpstat;
pub mod options;
pub mod output;
pub mod ppd_options;
pub mod prompt;
pub mod release;
pub mod session;
