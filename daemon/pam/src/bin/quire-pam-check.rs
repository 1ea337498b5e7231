//! quire-pam-check SERVICE: checks a user name and password with PAM exactly as quired does.
//! Reads the user name from the first line of stdin and the password from the second (not
//! from the command line, where `ps` would show it). Prints `ok` or the error, and exits
//! 0 ok, 1 authentication failed, 2 unknown user, 3 account unavailable, 4 PAM unavailable,
//! 64 usage. For admins checking a PAM service, and for this crate's pam_wrapper tests.

use quire_pam::PamError;
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "usage: quire-pam-check SERVICE < (user line, password line)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    let mut input = String::new();
    // Bounded: two short lines are all this reads.
    if let Err(e) = std::io::stdin().take(64 * 1024).read_to_string(&mut input) {
        eprintln!("quire-pam-check: reading stdin: {e}");
        return ExitCode::from(64);
    }
    let mut lines = input.split('\n');
    let (Some(user), Some(password)) = (lines.next(), lines.next()) else {
        eprintln!("{USAGE}");
        return ExitCode::from(64);
    };
    match quire_pam::authenticate(service, user, password) {
        Ok(()) => {
            println!("ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{e}");
            ExitCode::from(match e {
                PamError::AuthFailed => 1,
                PamError::UnknownUser => 2,
                PamError::AccountUnavailable(_) => 3,
                PamError::Unavailable(_) => 4,
            })
        }
    }
}
