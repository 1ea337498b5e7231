//! cupsd's command line (`-c -s -f -F -l -t -T -h`, letters may be grouped as in `-ft`) and
//! Quire's own long options (`--demo`, `--state-dir`, `--version`). Written by hand, not with
//! clap, so that `-h` and a wrong option behave as cupsd's do (usage on stdout and exit 0;
//! usage on stderr and exit 1).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// cupsd.conf when `-c` is not given, as on a system install of CUPS.
pub const SYSTEM_CUPSD_CONF: &str = "/etc/cups/cupsd.conf";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// `-c`, made absolute (the background server runs in `/`).
    pub cupsd_conf: Option<PathBuf>,
    /// `-s`, made absolute. Default: cups-files.conf beside cupsd.conf.
    pub files_conf: Option<PathBuf>,
    pub foreground: bool,
    /// `-F`: in the foreground, but in a session of its own (no controlling terminal).
    pub foreground_detached: bool,
    /// `-l`: started on demand by systemd; exits after `IdleExitTimeout` with nothing to do.
    pub on_demand: bool,
    pub test: bool,
    pub test_print: bool,
    /// `--demo`: the built-in configuration with simulated printers, in the foreground.
    pub demo: bool,
    /// `--state-dir`: the demo's state directory.
    pub state_dir: Option<PathBuf>,
}

impl Args {
    /// The cupsd.conf in use: `-c`, else the system's.
    pub fn cupsd_path(&self) -> PathBuf {
        self.cupsd_conf.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CUPSD_CONF))
    }

    /// The cups-files.conf in use: `-s`, else the one beside cupsd.conf.
    pub fn files_path(&self) -> PathBuf {
        self.files_conf.clone().unwrap_or_else(|| {
            self.cupsd_path().parent().unwrap_or(Path::new("/")).join("cups-files.conf")
        })
    }

    /// Runs in this process (not started again in the background).
    pub fn stays_in_foreground(&self) -> bool {
        self.foreground || self.foreground_detached || self.on_demand || self.demo
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Run(Args),
    /// `-h` or `--help`: the usage on stdout, exit 0.
    Usage,
    Version,
    /// The usage on stderr after this message, exit 1.
    Error(String),
}

pub const USAGE: &str = "\
Usage: quired [options]
Options:
-c cupsd.conf           Use this cupsd.conf (default /etc/cups/cupsd.conf).
-f                      Stay in the foreground.
-F                      Stay in the foreground, detached from the terminal.
-h                      Print this usage and exit.
-l                      Run on demand (systemd socket activation; exits when idle).
-s cups-files.conf      Use this cups-files.conf (default: beside cupsd.conf).
-t                      Check the configuration files and exit.
-T                      Check them and print the configuration in effect.
--demo                  Try Quire: built-in configuration, simulated printers, foreground.
--state-dir DIR         The demo's state directory (default $XDG_STATE_HOME/quire).
--version               Print the version and exit.
";

/// Parses `argv` without the program name; relative paths are taken from `cwd`.
pub fn parse(argv: &[OsString], cwd: &Path) -> Parsed {
    match parse_args(argv, cwd) {
        Ok(p) => p,
        Err(msg) => Parsed::Error(msg),
    }
}

fn parse_args(argv: &[OsString], cwd: &Path) -> Result<Parsed, String> {
    let mut args = Args::default();
    let mut rest = argv.iter();
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        match text.as_ref() {
            "--help" => return Ok(Parsed::Usage),
            "--version" => return Ok(Parsed::Version),
            "--demo" => args.demo = true,
            "--state-dir" => {
                let dir = rest.next().ok_or("expected a directory after \"--state-dir\"")?;
                args.state_dir = Some(cwd.join(dir));
            }
            long if long.starts_with("--") => return Err(format!("unknown option \"{long}\"")),
            short if short.starts_with('-') && short.len() > 1 => {
                for letter in short.chars().skip(1) {
                    match letter {
                        'c' => args.cupsd_conf = Some(cwd.join(file_after(&mut rest, "-c")?)),
                        's' => args.files_conf = Some(cwd.join(file_after(&mut rest, "-s")?)),
                        'f' => args.foreground = true,
                        'F' => args.foreground_detached = true,
                        'l' => args.on_demand = true,
                        't' => args.test = true,
                        'T' => args.test_print = true,
                        'h' => return Ok(Parsed::Usage),
                        other => return Err(format!("unknown option \"{other}\"")),
                    }
                }
            }
            other => return Err(format!("unknown argument \"{other}\"")),
        }
    }
    if args.demo && (args.cupsd_conf.is_some() || args.files_conf.is_some()) {
        return Err("--demo runs the built-in configuration: it takes no -c or -s".into());
    }
    if args.state_dir.is_some() && !args.demo {
        return Err("--state-dir is the demo's state directory: it needs --demo".into());
    }
    Ok(Parsed::Run(args))
}

fn file_after<'a>(
    rest: &mut std::slice::Iter<'a, OsString>,
    option: &str,
) -> Result<&'a OsString, String> {
    rest.next().ok_or_else(|| format!("expected a file name after \"{option}\""))
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
