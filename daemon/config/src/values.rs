//! Value parsers shared by the validator, following cupsd's rules:
//! booleans are Yes/No/On/Off/True/False/Enabled/Disabled/1/0; times are seconds with an optional
//! `s`, `m`, `h`, `d` or `w` suffix (fractions allowed, e.g. `1.5h`); sizes and counts accept
//! `k`, `m`, `g`, `t` (powers of 1024).

use std::fmt;
use std::time::Duration;

use crate::model::Preserve;

/// Why a value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    Empty,
    NotBoolean,
    NotANumber,
    BadSuffix(char),
    OutOfRange,
    BadMode,
    Keyword(&'static [&'static str]),
    TooManyValues,
    Other(String),
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Empty => f.write_str("a value is required"),
            ValueError::NotBoolean => f.write_str("expected Yes/No, On/Off or True/False"),
            ValueError::NotANumber => f.write_str("expected a non-negative number"),
            ValueError::BadSuffix(c) => write!(f, "unknown unit suffix '{c}'"),
            ValueError::OutOfRange => f.write_str("number out of range"),
            ValueError::BadMode => f.write_str("expected an octal permission mode like 0640"),
            ValueError::Keyword(k) => write!(f, "expected one of: {}", k.join(", ")),
            ValueError::TooManyValues => f.write_str("expected a single value"),
            ValueError::Other(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for ValueError {}

/// cupsd's boolean words.
pub fn parse_bool(s: &str) -> Result<bool, ValueError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Err(ValueError::Empty),
        "yes" | "on" | "true" | "enabled" | "1" => Ok(true),
        "no" | "off" | "false" | "disabled" | "0" => Ok(false),
        _ => Err(ValueError::NotBoolean),
    }
}

/// Split `"12.5h"` into `("12.5", Some('h'))`.
fn split_number(s: &str) -> Result<(&str, Option<char>), ValueError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (num, rest) = s.split_at(end);
    if num.is_empty() {
        return Err(ValueError::NotANumber);
    }
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Ok((num, None)),
        (Some(c), None) => Ok((num, Some(c.to_ascii_lowercase()))),
        (Some(_), Some(_)) => Err(ValueError::NotANumber),
    }
}

/// A time interval: `30`, `30s`, `15m`, `2h`, `1d`, `1w`, `1.5h`.
pub fn parse_time(s: &str) -> Result<Duration, ValueError> {
    let (num, suffix) = split_number(s)?;
    let n: f64 = num.parse().map_err(|_| ValueError::NotANumber)?;
    let mult = match suffix {
        None | Some('s') => 1.0,
        Some('m') => 60.0,
        Some('h') => 3600.0,
        Some('d') => 86400.0,
        Some('w') => 604800.0,
        Some(c) => return Err(ValueError::BadSuffix(c)),
    };
    Duration::try_from_secs_f64(n * mult).map_err(|_| ValueError::OutOfRange)
}

/// A byte size or count: `1048576`, `64k`, `32m`, `1g`, `1t`.
pub fn parse_size(s: &str) -> Result<u64, ValueError> {
    let (num, suffix) = split_number(s)?;
    let n: u64 = num.parse().map_err(|_| ValueError::NotANumber)?;
    let shift = match suffix {
        None => 0,
        Some('k') => 10,
        Some('m') => 20,
        Some('g') => 30,
        Some('t') => 40,
        Some(c) => return Err(ValueError::BadSuffix(c)),
    };
    n.checked_mul(1u64 << shift).ok_or(ValueError::OutOfRange)
}

/// A count that must fit in `u32` (suffixes as for sizes).
pub fn parse_count(s: &str) -> Result<u32, ValueError> {
    u32::try_from(parse_size(s)?).map_err(|_| ValueError::OutOfRange)
}

/// `Yes` (keep), `No` (don't), or a time to keep for (`0` means No).
pub fn parse_preserve(s: &str) -> Result<Preserve, ValueError> {
    if let Ok(b) = parse_bool(s) {
        if s.trim() != "1" {
            return Ok(if b { Preserve::Yes } else { Preserve::No });
        }
    }
    let d = parse_time(s)?;
    Ok(if d.is_zero() { Preserve::No } else { Preserve::For(d) })
}

/// An octal permission mode such as `0640` or `00640`.
pub fn parse_mode(s: &str) -> Result<u32, ValueError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    match u32::from_str_radix(s, 8) {
        Ok(m) if m <= 0o7777 => Ok(m),
        _ => Err(ValueError::BadMode),
    }
}

/// One of `choices`, case-insensitively; returns the index.
pub fn parse_keyword(s: &str, choices: &'static [&'static str]) -> Result<usize, ValueError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    choices.iter().position(|c| c.eq_ignore_ascii_case(s)).ok_or(ValueError::Keyword(choices))
}

/// Exactly one whitespace-free word.
pub fn single_word(s: &str) -> Result<&str, ValueError> {
    let mut it = s.split_whitespace();
    match (it.next(), it.next()) {
        (None, _) => Err(ValueError::Empty),
        (Some(w), None) => Ok(w),
        _ => Err(ValueError::TooManyValues),
    }
}

/// A `Listen`/`SSLListen` value: `host:port`, `*:port`, `[v6]:port`, `port`, or `/socket/path`.
/// A missing port means 631, as in cupsd.
pub fn parse_listen(s: &str) -> Result<crate::model::Listen, ValueError> {
    use crate::model::Listen;
    use std::net::{IpAddr, SocketAddr};
    let s = single_word(s)?;
    if s.starts_with('/') {
        return Ok(Listen::Unix(s.into()));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Listen::Any(parse_port(s)?));
    }
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or(ValueError::Other("missing ']'".into()))?;
        let port = match after.strip_prefix(':') {
            Some(p) => parse_port(p)?,
            None if after.is_empty() => 631,
            None => return Err(ValueError::Other(format!("unexpected \"{after}\" after ']'"))),
        };
        let ip: std::net::Ipv6Addr =
            h.parse().map_err(|_| ValueError::Other(format!("\"{h}\" is not an IPv6 address")))?;
        return Ok(Listen::Addr(SocketAddr::new(IpAddr::V6(ip), port)));
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h, parse_port(p)?),
            None => (s, 631),
        }
    };
    if host.contains(':') {
        return Err(ValueError::Other(
            "IPv6 addresses must be written in brackets: [addr]:port".into(),
        ));
    }
    if host == "*" {
        return Ok(Listen::Any(port));
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return Ok(Listen::Addr(SocketAddr::new(IpAddr::V4(ip), port)));
    }
    let valid = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !valid || host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(ValueError::Other(format!("\"{host}\" is not a host name or address")));
    }
    Ok(Listen::Host { name: host.to_ascii_lowercase(), port })
}

/// A TCP port 1-65535 (or `ipp`/`ipps`, both 631).
pub fn parse_port(s: &str) -> Result<u16, ValueError> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("ipp") || s.eq_ignore_ascii_case("ipps") {
        return Ok(631);
    }
    if s.is_empty() {
        return Err(ValueError::Empty);
    }
    match s.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
        Ok(_) => Err(ValueError::OutOfRange),
        Err(_) => Err(ValueError::Other(format!("\"{s}\" is not a port number"))),
    }
}

/// One `PullHosts` word: `host`, `host:port`, `host:*`, `[v6]`, `[v6]:port`, `[v6]:*`, or a
/// bare IPv6 literal (no port).
pub fn parse_pull_host(word: &str) -> Result<crate::model::PullHost, ValueError> {
    use crate::model::{PullHost, PullPort};
    use std::net::IpAddr;
    let bad = |why: &str| ValueError::Other(format!("\"{word}\": {why}"));
    let (host, port) = if let Some(rest) = word.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(|| bad("missing ']'"))?;
        match after {
            "" => (h, None),
            a => (h, Some(a.strip_prefix(':').ok_or_else(|| bad("expected ':' after ']'"))?)),
        }
    } else if word.matches(':').count() > 1 {
        (word, None) // a bare IPv6 literal
    } else {
        match word.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (word, None),
        }
    };
    let port = match port {
        None => PullPort::SchemeDefault,
        Some("*") => PullPort::Any,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => PullPort::Port(n),
            _ => return Err(bad("the port must be 1-65535 or *")),
        },
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let host = match host.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_)
            // Every dot-separated label non-empty: "..", ".x" and "a..b" name no host.
            if host.split('.').all(|label| !label.is_empty())
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) =>
        {
            host.to_ascii_lowercase()
        }
        Err(_) => return Err(bad("not a host name or IP address")),
    };
    Ok(PullHost { host, port })
}

/// `DNSSDWideAreaDomain`: a domain of plain labels (1 to 63 bytes, letters, digits, `-`, `_`),
/// 253 bytes at most; returned without its trailing dot, in lower case.
pub fn parse_domain(s: &str) -> Result<String, ValueError> {
    let word = single_word(s)?;
    let name = word.strip_suffix('.').unwrap_or(word);
    let bad = |why: &str| ValueError::Other(format!("\"{word}\": {why}"));
    if name.is_empty() || name.len() > 253 {
        return Err(bad("a domain is 1 to 253 bytes"));
    }
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(bad("each label is 1 to 63 bytes"));
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(bad("only letters, digits, '-' and '_' in a label"));
        }
    }
    Ok(name.to_ascii_lowercase())
}

/// `DNSSDUpdateServer host[:port]` (`[v6]:port` for an IPv6 address with a port); port 53
/// when none is given.
pub fn parse_update_server(s: &str) -> Result<crate::model::UpdateServer, ValueError> {
    let word = single_word(s)?;
    let host = parse_pull_host(word)?;
    let port = match host.port {
        crate::model::PullPort::SchemeDefault => 53,
        crate::model::PullPort::Port(p) => p,
        crate::model::PullPort::Any => {
            return Err(ValueError::Other(format!("\"{word}\": give a port number, not *")))
        }
    };
    Ok(crate::model::UpdateServer { host: host.host, port })
}

/// `DNSSDUpdateKey name secret`: a key name and its base64 secret (as `tsig-keygen -a
/// hmac-sha256` prints them). Errors never quote the secret.
pub fn parse_update_key(s: &str) -> Result<crate::model::UpdateKey, ValueError> {
    use base64::Engine as _;
    let mut words = s.split_whitespace();
    let (Some(name), Some(secret), None) = (words.next(), words.next(), words.next()) else {
        return Err(ValueError::Other("expected: DNSSDUpdateKey key-name base64-secret".into()));
    };
    let name = parse_domain(name)?;
    let secret = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_matches('"'))
        .map_err(|_| ValueError::Other(format!("the secret of key \"{name}\" is not base64")))?;
    if secret.len() < 16 {
        return Err(ValueError::Other(format!(
            "the secret of key \"{name}\" is shorter than 16 bytes (tsig-keygen makes 32)"
        )));
    }
    Ok(crate::model::UpdateKey::new(name, secret))
}

/// An absolute path (`DNSSDZoneFile`): relative ones would depend on quired's working directory.
pub fn absolute_path(s: &str) -> Result<std::path::PathBuf, ValueError> {
    let p = std::path::PathBuf::from(s.trim());
    if s.trim().is_empty() {
        return Err(ValueError::Empty);
    }
    if !p.is_absolute() {
        return Err(ValueError::Other(format!("\"{}\" is not an absolute path", s.trim())));
    }
    Ok(p)
}

/// `PullMinRate`: `0` (off), or bytes per second (k/m suffixes) and an optional window in
/// seconds (default 30).
pub fn parse_min_rate(s: &str) -> Result<Option<crate::model::MinRate>, ValueError> {
    let mut words = s.split_whitespace();
    let rate = parse_size(words.next().ok_or(ValueError::Empty)?)?;
    let window = words.next().map(parse_time).transpose()?.unwrap_or(Duration::from_secs(30));
    if words.next().is_some() {
        return Err(ValueError::TooManyValues);
    }
    if window.is_zero() {
        return Err(ValueError::OutOfRange);
    }
    Ok((rate > 0).then_some(crate::model::MinRate { bytes_per_second: rate, window }))
}
