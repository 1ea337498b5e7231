//! `quire-manpages OUTDIR [DATE]`: writes the Debian package's man pages into OUTDIR:
//! `quired.8` and `quire.1` (from `packaging/man/*.in`, with the version and date filled in)
//! and `quired.conf.5`, generated from quire-config's directive table, so the page lists
//! exactly the directives the code knows and what it does with each.

mod conf_page;
mod roff;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const QUIRED_8: &str = include_str!("../man/quired.8.in");
const QUIRE_1: &str = include_str!("../man/quire.1.in");

/// The pages this program writes: file name and text.
pub fn pages(version: &str, date: &str) -> Vec<(&'static str, String)> {
    let fill = |t: &str| t.replace("@VERSION@", version).replace("@DATE@", date);
    vec![
        ("quired.8", fill(QUIRED_8)),
        ("quire.1", fill(QUIRE_1)),
        ("quired.conf.5", conf_page::quired_conf_5(version, date)),
    ]
}

fn write_all(dir: &Path, date: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in pages(env!("CARGO_PKG_VERSION"), date) {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, date) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), String::new()),
        [dir, date] => (PathBuf::from(dir), date.clone()),
        _ => {
            eprintln!("usage: quire-manpages OUTDIR [DATE]");
            return ExitCode::from(2);
        }
    };
    match write_all(&dir, &date) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quire-manpages: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod main_tests;
