//! `quire-sim ctl ADDR ...`: a tiny blocking client for the control listener, for humans.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::cli::CtlCommand;

/// Sends the command; returns the HTTP status and body.
pub fn send(cmd: &CtlCommand) -> io::Result<(u16, String)> {
    let addr = cmd.addr.to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("no address for {}", cmd.addr))
    })?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = match &cmd.form {
        Some(form) => format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
            cmd.path,
            cmd.addr,
            form.len()
        ),
        None => {
            format!("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", cmd.path, cmd.addr)
        }
    };
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad HTTP response"))
}

/// Status and body of a `Connection: close` response with a Content-Length body.
pub fn parse_response(raw: &[u8]) -> Option<(u16, String)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, String::from_utf8_lossy(&raw[end + 4..]).into_owned()))
}

/// Runs the command, printing the answer; the exit code is 0 on a 2xx answer.
pub fn run(cmd: &CtlCommand) -> u8 {
    match send(cmd) {
        Ok((status, body)) => {
            print!("{body}");
            if (200..300).contains(&status) {
                0
            } else {
                eprintln!("quire-sim ctl: HTTP {status}");
                1
            }
        }
        Err(e) => {
            eprintln!("quire-sim ctl: {}: {e}", cmd.addr);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_a_response() {
        let raw = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 4\r\n\r\nnope";
        assert_eq!(super::parse_response(raw), Some((400, "nope".into())));
        assert_eq!(super::parse_response(b"garbage"), None);
    }
}
