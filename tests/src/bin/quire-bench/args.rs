//! A subcommand's command line: its options scanned one by one, and the options about the
//! servers that every subcommand takes.

use std::fmt::Display;
use std::path::PathBuf;
use std::str::FromStr;

use quire_tests::ServerKind;

/// The words after the subcommand, taken in order.
pub struct Scanner {
    words: std::vec::IntoIter<String>,
}

impl Scanner {
    pub fn new(words: Vec<String>) -> Scanner {
        Scanner { words: words.into_iter() }
    }

    pub fn next_word(&mut self) -> Option<String> {
        self.words.next()
    }

    /// The value after option `name`.
    pub fn value(&mut self, name: &str) -> Result<String, String> {
        self.words.next().ok_or_else(|| format!("{name} needs a value"))
    }

    /// The value after option `name`, parsed.
    pub fn number<T: FromStr>(&mut self, name: &str) -> Result<T, String>
    where
        T::Err: Display,
    {
        self.value(name)?.parse().map_err(|e| format!("{name}: {e}"))
    }
}

/// The servers a benchmark runs: `--quired PATH`, `--cupsd PATH`, `--keep`.
#[derive(Debug, Clone)]
pub struct ServerArgs {
    /// Default: `$QUIRED_BIN`, else `<target>/release/quired`.
    pub quired: Option<PathBuf>,
    pub cupsd: PathBuf,
    /// Keep the servers' directories under `<target>/bench/`.
    pub keep: bool,
}

impl Default for ServerArgs {
    fn default() -> Self {
        ServerArgs { quired: None, cupsd: PathBuf::from("/usr/sbin/cupsd"), keep: false }
    }
}

impl ServerArgs {
    /// Takes option `word` (and its value) if it is one of these.
    pub fn take(&mut self, word: &str, scan: &mut Scanner) -> Result<bool, String> {
        match word {
            "--quired" => self.quired = Some(PathBuf::from(scan.value(word)?)),
            "--cupsd" => self.cupsd = PathBuf::from(scan.value(word)?),
            "--keep" => self.keep = true,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// `--only cupsd|quired`.
pub fn only(scan: &mut Scanner) -> Result<ServerKind, String> {
    match scan.value("--only")?.as_str() {
        "cupsd" => Ok(ServerKind::Cupsd),
        "quired" => Ok(ServerKind::Quired),
        other => Err(format!("--only: unknown server {other:?}")),
    }
}

/// The command line could not be used: the message (empty for `--help`) and the usage.
pub fn usage_error(prog: &str, message: &str, usage: &str) -> std::process::ExitCode {
    if !message.is_empty() {
        eprintln!("{prog}: {message}");
    }
    eprintln!("{usage}");
    std::process::ExitCode::from(2)
}
