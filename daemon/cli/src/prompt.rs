//! Asking for a user name, a password or a PIN.
//!
//! On a terminal the user name is asked with echo (its default shown) and the secret
//! without echo, both on /dev/tty as getpass does. For scripts and tests the secret comes
//! from an environment variable if set, else from one line of standard input when
//! standard input is not a terminal (then no prompt is written and the user name is not
//! asked). Secrets are never written anywhere but into the request's credentials.

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::os::fd::{AsFd, BorrowedFd};

use nix::sys::termios::{self, LocalFlags, SetArg, Termios};

use crate::session::CliError;

/// The password, for scripts and tests (other processes of the same user can read a
/// process's environment, so standard input is the better way to pass it).
pub const PASSWORD_ENV: &str = "QUIRE_PASSWORD";
/// A job's PIN (`quire release --pin`), for scripts and tests.
pub const PIN_ENV: &str = "QUIRE_PIN";
/// The longest line read as an answer; more is an error, not an allocation without end.
pub const MAX_ANSWER: usize = 4096;

/// Where a secret comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Source {
    /// The environment variable's value.
    Env(String),
    /// The next line of standard input, which is not a terminal.
    Stdin,
    /// The terminal, without echo.
    Tty,
}

/// The environment wins; then standard input unless it is a terminal.
pub fn source(env_value: Option<String>, stdin_is_tty: bool) -> Source {
    match env_value {
        Some(v) => Source::Env(v),
        None if !stdin_is_tty => Source::Stdin,
        None => Source::Tty,
    }
}

/// HTTP Basic credentials. Deliberately not `Debug`.
pub struct Credentials {
    pub user: String,
    pub password: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The user (`-U`'s, asked on the terminal, else the login name) and the password,
/// asked as "Password for USER on HOST? " like CUPS asks.
pub fn credentials(user: Option<&str>, host: &str) -> Result<Credentials, CliError> {
    let src = source(env(PASSWORD_ENV), io::stdin().is_terminal());
    let user = match (user, &src) {
        (Some(u), _) => u.to_string(),
        (None, Source::Tty) => ask_user(&quire_client::current_user())?,
        (None, _) => quire_client::current_user(),
    };
    let password = read_secret(src, &format!("Password for {user} on {host}? "), "password")?;
    Ok(Credentials { user, password })
}

/// The PIN of job `id`, asked as "PIN for job N: ".
pub fn pin(id: i32) -> Result<String, CliError> {
    let src = source(env(PIN_ENV), io::stdin().is_terminal());
    read_secret(src, &format!("PIN for job {id}: "), "PIN")
}

fn read_secret(src: Source, prompt: &str, what: &str) -> Result<String, CliError> {
    let got = match src {
        Source::Env(v) => Some(v),
        Source::Stdin => read_answer(&mut io::stdin().lock(), what)?,
        Source::Tty => ask_hidden(prompt, what)?,
    };
    got.ok_or_else(|| CliError::Msg(format!("No {what} given.")))
}

/// `User name [alice]: ` on the terminal; an empty answer takes the default.
fn ask_user(default: &str) -> Result<String, CliError> {
    let prompt = format!("User name [{default}]: ");
    let answer = match File::options().read(true).write(true).open("/dev/tty") {
        Ok(tty) => {
            write_prompt(&mut &tty, &prompt)?;
            read_answer(&mut BufReader::new(&tty), "user name")?
        }
        Err(_) => {
            write_prompt(&mut io::stderr(), &prompt)?;
            read_answer(&mut io::stdin().lock(), "user name")?
        }
    };
    let answer = answer.ok_or_else(|| CliError::Msg("No user name given.".into()))?;
    let answer = answer.trim();
    Ok(if answer.is_empty() { default.to_string() } else { answer.to_string() })
}

/// Asks on /dev/tty with echo off; without /dev/tty, on standard input (a terminal).
fn ask_hidden(prompt: &str, what: &str) -> Result<Option<String>, CliError> {
    match File::options().read(true).write(true).open("/dev/tty") {
        Ok(tty) => {
            write_prompt(&mut &tty, prompt)?;
            let answer = {
                let _quiet = EchoOff::new(tty.as_fd())?;
                read_answer(&mut BufReader::new(&tty), what)
            };
            // The Enter that ended the answer was not echoed.
            let _ = (&tty).write_all(b"\n");
            answer
        }
        Err(_) => {
            write_prompt(&mut io::stderr(), prompt)?;
            let stdin = io::stdin();
            let answer = {
                let _quiet = EchoOff::new(stdin.as_fd())?;
                read_answer(&mut stdin.lock(), what)
            };
            eprintln!();
            answer
        }
    }
}

fn write_prompt(w: &mut dyn Write, prompt: &str) -> Result<(), CliError> {
    w.write_all(prompt.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| CliError::Msg(format!("Unable to write to the terminal: {e}.")))
}

/// One line without its line end; None at end of input. At most [`MAX_ANSWER`] bytes.
pub fn read_answer(r: &mut dyn BufRead, what: &str) -> Result<Option<String>, CliError> {
    let mut line = String::new();
    let n = io::Read::take(r, MAX_ANSWER as u64 + 1)
        .read_line(&mut line)
        .map_err(|e| CliError::Msg(format!("Unable to read the {what}: {e}.")))?;
    if n == 0 {
        return Ok(None);
    }
    if n > MAX_ANSWER {
        return Err(CliError::Msg(format!("The {what} is too long (at most {MAX_ANSWER} bytes).")));
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(Some(line))
}

/// Terminal echo off until dropped (then the saved settings are put back).
struct EchoOff<'a> {
    fd: BorrowedFd<'a>,
    saved: Termios,
}

impl<'a> EchoOff<'a> {
    fn new(fd: BorrowedFd<'a>) -> Result<EchoOff<'a>, CliError> {
        let fail =
            |e: nix::Error| CliError::Msg(format!("Unable to turn off echo on the terminal: {e}."));
        let saved = termios::tcgetattr(fd).map_err(fail)?;
        let mut quiet = saved.clone();
        quiet
            .local_flags
            .remove(LocalFlags::ECHO | LocalFlags::ECHOE | LocalFlags::ECHOK | LocalFlags::ECHONL);
        termios::tcsetattr(fd, SetArg::TCSAFLUSH, &quiet).map_err(fail)?;
        Ok(EchoOff { fd, saved })
    }
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(self.fd, SetArg::TCSANOW, &self.saved);
    }
}

#[cfg(test)]
#[path = "prompt_tests.rs"]
mod tests;
