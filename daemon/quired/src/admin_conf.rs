//! `/admin/conf/cupsd.conf`, as cupsd serves it to `cupsctl` and the web interface: GET reads
//! the configuration file, PUT replaces it. Only a proven administrator gets either (beyond
//! the `<Location /admin/conf>` rules cupsd relies on alone). Unlike cupsd, a PUT is parsed and
//! validated before anything is written: a file with errors is refused with them (cupsd
//! installs it and finds out at the reload); the old file is kept as `cupsd.conf.O`, and the
//! new one written beside it and renamed over it, so a crash leaves one or the other; then the
//! scheduler reloads it (SIGHUP, `reload.rs`).

use std::path::PathBuf;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub const RESOURCE: &str = "/admin/conf/cupsd.conf";
/// The largest configuration accepted (cupsd.conf files are a few KiB).
pub const MAX_BYTES: usize = 1 << 20;

/// The running configuration's files: cupsd.conf and cups-files.conf.
#[derive(Debug, Clone)]
pub struct ConfFiles {
    pub cupsd: PathBuf,
    pub files: PathBuf,
}

pub fn get(conf: Option<&ConfFiles>) -> Response {
    let Some(conf) = conf else { return built_in() };
    match std::fs::read(&conf.cupsd) {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain")], text).into_response(),
        Err(e) => {
            tracing::error!("Unable to read \"{}\": {e}", conf.cupsd.display());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn built_in() -> Response {
    let msg = "quired runs on its built-in configuration: there is no cupsd.conf to read or replace (start it with -c).\n";
    (StatusCode::NOT_FOUND, msg).into_response()
}

/// What a PUT came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Put {
    /// Written; the running scheduler should reload it.
    Installed,
    /// Not written: the diagnostics (file:line:col) say why.
    Refused(String),
}

/// Checks `text` as cupsd.conf (with the running cups-files.conf) and installs it when it has
/// no errors. Warnings do not stop it.
pub fn put(conf: &ConfFiles, text: &[u8]) -> std::io::Result<Put> {
    let Ok(text) = std::str::from_utf8(text) else {
        return Ok(Put::Refused("the configuration is not UTF-8 text".into()));
    };
    let (cupsd, mut diags) = quire_config::parse(text, &conf.cupsd);
    let files = match std::fs::read_to_string(&conf.files) {
        Ok(f) => {
            let (nodes, d) = quire_config::parse(&f, &conf.files);
            diags.extend(d);
            nodes
        }
        Err(_) => Vec::new(),
    };
    let (_, d) = quire_config::validate(&cupsd, &files);
    diags.extend(d);
    let errors: Vec<String> =
        diags.iter().filter(|d| d.is_error()).map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Ok(Put::Refused(errors.join("\n")));
    }
    crate::conf_file::replace(&conf.cupsd, text.as_bytes(), 0o640)?;
    Ok(Put::Installed)
}

pub fn answer(result: std::io::Result<Put>, conf: &ConfFiles) -> Response {
    match result {
        Ok(Put::Installed) => {
            tracing::info!("Installed config file \"{}\".", conf.cupsd.display());
            // As cupsd after a PUT: reload it, by the SIGHUP path an admin would use.
            let me = nix::unistd::Pid::this();
            if let Err(e) = nix::sys::signal::kill(me, nix::sys::signal::Signal::SIGHUP) {
                tracing::error!("Unable to reload after installing the configuration: {e}");
            }
            StatusCode::CREATED.into_response()
        }
        Ok(Put::Refused(why)) => {
            tracing::warn!("Refused a new \"{}\": {why}", conf.cupsd.display());
            (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response()
        }
        Err(e) => {
            tracing::error!("Unable to install \"{}\": {e}", conf.cupsd.display());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn conf(dir: &Path) -> ConfFiles {
        ConfFiles { cupsd: dir.join("cupsd.conf"), files: dir.join("cups-files.conf") }
    }

    #[test]
    fn a_valid_file_is_installed_and_the_old_one_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = conf(dir.path());
        std::fs::write(&c.cupsd, "Listen 631\n").expect("write");
        let put = put(&c, b"Listen 8631\nLogLevel debug\n").expect("put");
        assert_eq!(put, Put::Installed);
        assert_eq!(
            std::fs::read_to_string(&c.cupsd).ok().as_deref(),
            Some("Listen 8631\nLogLevel debug\n")
        );
        let old = dir.path().join("cupsd.conf.O");
        assert_eq!(std::fs::read_to_string(old).ok().as_deref(), Some("Listen 631\n"));
        assert!(!dir.path().join("cupsd.conf.N").exists());
    }

    #[test]
    fn a_file_with_errors_is_refused_with_them_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = conf(dir.path());
        std::fs::write(&c.cupsd, "Listen 631\n").expect("write");
        let Put::Refused(why) =
            put(&c, b"Listen 631\n<Location />\nOrder allow,deny\n").expect("put")
        else {
            panic!("a block never closed must be refused");
        };
        assert!(why.contains("cupsd.conf:2:"), "{why}");
        assert_eq!(std::fs::read_to_string(&c.cupsd).ok().as_deref(), Some("Listen 631\n"));
        let Put::Refused(why) = put(&c, &[0xff, 0xfe]).expect("put") else {
            panic!("bytes that are not text must be refused");
        };
        assert!(why.contains("UTF-8"), "{why}");
    }
}
