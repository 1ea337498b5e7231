//! A subcommand's command line: its options scanned one by one, and the options about the
//! servers that every subcommand takes.

use std::fmt::Display;
use std::path::PathBuf;
use std::process::ExitCode;
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

/// Scans `words`: `take(word, scanner)` takes each option it knows (and its value) and says
/// whether it did; `-h`/`--help` is an `Err` with no message.
pub fn scan(
    words: Vec<String>,
    mut take: impl FnMut(&str, &mut Scanner) -> Result<bool, String>,
) -> Result<(), String> {
    let mut scan = Scanner::new(words);
    while let Some(word) = scan.next_word() {
        if word == "-h" || word == "--help" {
            return Err(String::new());
        }
        if !take(&word, &mut scan)? {
            return Err(format!("unknown argument {word:?}"));
        }
    }
    Ok(())
}

/// `--only cupsd|quired`.
pub fn only(scan: &mut Scanner) -> Result<ServerKind, String> {
    match scan.value("--only")?.as_str() {
        "cupsd" => Ok(ServerKind::Cupsd),
        "quired" => Ok(ServerKind::Quired),
        other => Err(format!("--only: unknown server {other:?}")),
    }
}

/// A subcommand from its command line to its exit status: `parse` the words (an error is
/// shown with the usage, exit status 2), then `run` (an error is shown, exit status 1).
pub fn command<A>(
    prog: &str,
    usage: &str,
    words: Vec<String>,
    parse: impl FnOnce(Vec<String>) -> Result<A, String>,
    run: impl FnOnce(A) -> Result<ExitCode, String>,
) -> ExitCode {
    let args = match parse(words) {
        Ok(a) => a,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{prog}: {message}");
            }
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    run(args).unwrap_or_else(|e| {
        eprintln!("{prog}: {e}");
        ExitCode::FAILURE
    })
}
