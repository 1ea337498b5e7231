//! Command-line options: `quire-sim --listen ...` (serve) and `quire-sim ctl ...` (control client).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Authentication a job needs at the device before it prints (advertised only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    None,
    Pin,
    IdCard,
    Biometric,
}

impl AuthMethod {
    const ALL: [AuthMethod; 4] =
        [AuthMethod::None, AuthMethod::Pin, AuthMethod::IdCard, AuthMethod::Biometric];

    /// The keyword of `quire-authentication-method` (`quire_ipp::vendor`).
    pub fn keyword(self) -> &'static str {
        quire_ipp::vendor::AUTHENTICATION_METHODS[self as usize]
    }

    fn parse(value: &str) -> Option<AuthMethod> {
        Self::ALL.into_iter().find(|m| m.keyword() == value)
    }
}

/// What the simulator does with received documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keep {
    Discard,
    Dir(PathBuf),
}

/// Options of the simulator proper.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub control: Option<SocketAddr>,
    pub name: String,
    /// Pages per minute; 0 prints instantly.
    pub ppm: u32,
    pub formats: Vec<String>,
    pub keep: Keep,
    pub page_log: Option<PathBuf>,
    pub media_empty_after: Option<u32>,
    pub jam_after: Option<u32>,
    pub offline: bool,
    pub refuse_connections: bool,
    pub auth: AuthMethod,
    pub encrypts: bool,
    pub erases_storage: bool,
    /// `printer-make-and-model`, sent as given (control characters included): a test
    /// stands in for a hostile device with it.
    pub make_and_model: String,
}

impl Options {
    /// The defaults, listening on `listen`.
    pub fn new(listen: SocketAddr) -> Options {
        Options {
            listen,
            control: None,
            name: "quire-sim".into(),
            ppm: 60,
            formats: DEFAULT_FORMATS.iter().map(|s| s.to_string()).collect(),
            keep: Keep::Discard,
            page_log: None,
            media_empty_after: None,
            jam_after: None,
            offline: false,
            refuse_connections: false,
            auth: AuthMethod::None,
            encrypts: false,
            erases_storage: false,
            make_and_model: "Quire Simulator".into(),
        }
    }
}

/// A `quire-sim ctl ADDR ...` invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtlCommand {
    pub addr: String,
    /// Form body for `POST /control`, or `None` for a GET of `path`.
    pub form: Option<String>,
    pub path: &'static str,
}

#[derive(Debug)]
pub enum Command {
    Serve(Options),
    Ctl(CtlCommand),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    Help,
    Missing(&'static str),
    NeedsValue(String),
    BadValue { option: String, value: String },
    Unknown(String),
    BadCtl(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Help => f.write_str(USAGE),
            CliError::Missing(o) => write!(f, "missing required option {o}"),
            CliError::NeedsValue(o) => write!(f, "option {o} needs a value"),
            CliError::BadValue { option, value } => write!(f, "bad value {value:?} for {option}"),
            CliError::Unknown(o) => write!(f, "unknown option {o}"),
            CliError::BadCtl(m) => write!(f, "ctl: {m}"),
        }
    }
}

impl std::error::Error for CliError {}

pub const USAGE: &str = "\
usage: quire-sim --listen ADDR:PORT [options]
       quire-sim ctl ADDR:PORT fault media-empty-after N | fault jam-after N |
                               fault offline | fault refuse-connections | repair | status | log

An IPP Everywhere printer simulator with a page log and fault injection.

options:
  --listen ADDR:PORT      IPP listener (port 0 picks a free port)
  --control ADDR:PORT     control listener (POST /control, GET /status, GET /log)
  --name NAME             printer-name (default quire-sim)
  --ppm N                 pages per minute (default 60; 0 prints instantly)
  --formats A,B,...       document-format-supported (default application/pdf,image/pwg-raster;
                          also image/urf, application/postscript, text/plain,
                          application/octet-stream)
  --keep DIR              write each document as DIR/<job-id>-<doc>.<ext>
  --discard               drop documents after counting their pages (default)
  --page-log FILE         append one JSON line per printed impression
  --media-empty-after N   run out of paper after N more impressions
  --jam-after N           jam on the impression after the next N
  --offline               start stopped (offline-report)
  --refuse-connections    start with the IPP listener closed
  --auth METHOD           quire-authentication-method: none, pin, id-card, biometric
  --encrypts              quire-encrypts-job-data true
  --erases-storage        quire-erases-storage true
  --make-and-model TEXT   printer-make-and-model, sent as given (default Quire Simulator)
  -h, --help              this text";

pub const DEFAULT_FORMATS: &[&str] = &["application/pdf", "image/pwg-raster"];

/// Formats the simulator can take (and count pages of).
pub const KNOWN_FORMATS: &[&str] = &[
    "application/pdf",
    "image/pwg-raster",
    "image/urf",
    "application/postscript",
    "text/plain",
    "application/octet-stream",
];

fn bad(option: &str, value: &str) -> CliError {
    CliError::BadValue { option: option.into(), value: value.into() }
}

fn parse_num<T: std::str::FromStr>(option: &str, value: &str) -> Result<T, CliError> {
    value.parse().map_err(|_| bad(option, value))
}

fn parse_formats(option: &str, value: &str) -> Result<Vec<String>, CliError> {
    let formats: Vec<String> =
        value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    if formats.is_empty() || formats.iter().any(|f| !KNOWN_FORMATS.contains(&f.as_str())) {
        return Err(bad(option, value));
    }
    Ok(formats)
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, CliError> {
    let mut args = args.into_iter().peekable();
    if args.peek().map(String::as_str) == Some("ctl") {
        args.next();
        return parse_ctl(args.collect()).map(Command::Ctl);
    }
    parse_serve(args).map(Command::Serve)
}

fn parse_serve<I: Iterator<Item = String>>(mut args: I) -> Result<Options, CliError> {
    let mut listen = None;
    let mut o = Options::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| args.next()).ok_or_else(|| CliError::NeedsValue(flag.clone()))
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(CliError::Help),
            "--listen" => listen = Some(parse_num::<SocketAddr>(&flag, &value()?)?),
            "--control" => o.control = Some(parse_num::<SocketAddr>(&flag, &value()?)?),
            "--name" => {
                o.name = value()?;
                if o.name.is_empty() || o.name.chars().any(char::is_control) {
                    return Err(bad(&flag, &o.name));
                }
            }
            "--ppm" => o.ppm = parse_num(&flag, &value()?)?,
            "--formats" => o.formats = parse_formats(&flag, &value()?)?,
            "--keep" => o.keep = Keep::Dir(PathBuf::from(value()?)),
            "--discard" => o.keep = Keep::Discard,
            "--page-log" => o.page_log = Some(PathBuf::from(value()?)),
            "--media-empty-after" => o.media_empty_after = Some(parse_num(&flag, &value()?)?),
            "--jam-after" => o.jam_after = Some(parse_num(&flag, &value()?)?),
            "--offline" => o.offline = true,
            "--refuse-connections" => o.refuse_connections = true,
            "--auth" => {
                let v = value()?;
                o.auth = AuthMethod::parse(&v).ok_or_else(|| bad(&flag, &v))?;
            }
            "--encrypts" => o.encrypts = true,
            "--erases-storage" => o.erases_storage = true,
            "--make-and-model" => o.make_and_model = value()?,
            _ => return Err(CliError::Unknown(arg)),
        }
    }
    o.listen = listen.ok_or(CliError::Missing("--listen"))?;
    Ok(o)
}

fn parse_ctl(args: Vec<String>) -> Result<CtlCommand, CliError> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let usage = || CliError::BadCtl("expected ADDR:PORT and a command (see --help)".into());
    let (&addr, rest) = words.split_first().ok_or_else(usage)?;
    if addr == "-h" || addr == "--help" {
        return Err(CliError::Help);
    }
    let get = |path| Ok(CtlCommand { addr: addr.to_string(), form: None, path });
    let post = |form: String| {
        Ok(CtlCommand { addr: addr.to_string(), form: Some(form), path: "/control" })
    };
    match rest {
        ["status"] => get("/status"),
        ["log"] => get("/log"),
        ["repair"] => post("repair=1".into()),
        ["fault", f @ ("offline" | "refuse-connections")] => post(format!("fault={f}")),
        ["fault", f @ ("media-empty-after" | "jam-after"), n] => {
            let n: u32 =
                n.parse().map_err(|_| CliError::BadCtl(format!("bad page count {n:?}")))?;
            post(format!("fault={f}&pages={n}"))
        }
        _ => Err(usage()),
    }
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
