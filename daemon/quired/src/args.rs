//! cupsd's command line: -c, -s, -f, -F, -l, -t, -T. clap's `-h` is off (CUPS uses it for the server).

use clap::Parser;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "quired",
    version,
    about = "Quire print server (drop-in cupsd)",
    disable_help_flag = true
)]
pub struct Args {
    /// Configuration file (cupsd.conf). Without it, the built-in default config is used.
    #[arg(short = 'c', value_name = "cupsd.conf")]
    pub cupsd_conf: Option<PathBuf>,
    /// Files configuration file (cups-files.conf). Default: next to cupsd.conf.
    #[arg(short = 's', value_name = "cups-files.conf")]
    pub files_conf: Option<PathBuf>,
    /// Run in the foreground.
    #[arg(short = 'f')]
    pub foreground: bool,
    /// Run in the foreground but detach from the controlling terminal and session.
    #[arg(short = 'F')]
    pub foreground_detached: bool,
    /// Run on demand (launchd/systemd); accepted, and treated as -f.
    #[arg(short = 'l')]
    pub on_demand: bool,
    /// Test the configuration files for syntax errors and exit.
    #[arg(short = 't')]
    pub test: bool,
    /// Test the configuration files and print the effective configuration.
    #[arg(short = 'T')]
    pub test_print: bool,
    /// State directory for the built-in default config (default: $XDG_STATE_HOME/quire).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
}
