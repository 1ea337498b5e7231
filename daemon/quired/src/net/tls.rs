//! Server certificate handling and the rustls configuration.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use quire_ipp::date::CivilTime;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::NetError;

/// First byte of a TLS record carrying a handshake message (the ClientHello).
pub(crate) const TLS_HANDSHAKE_RECORD: u8 = 0x16;

const CERT_FILE: &str = "server.crt";
const KEY_FILE: &str = "server.key";
/// Self-signed certificates are valid for ten years from creation.
const VALIDITY_YEARS: i32 = 10;

fn cert_err(path: &Path, reason: impl ToString) -> NetError {
    NetError::Cert { path: path.to_path_buf(), reason: reason.to_string() }
}

/// Load `dir/server.crt` + `dir/server.key`, creating a self-signed pair first if there is no
/// certificate yet (SANs: localhost, 127.0.0.1, ::1 and `hostnames`). The key is written
/// with mode 0600. An existing certificate without its key is an error rather than being
/// overwritten, since it may be the administrator's.
pub fn load_or_create_self_signed(
    dir: &Path,
    hostnames: &[String],
) -> Result<Arc<rustls::ServerConfig>, NetError> {
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    if !cert_path.exists() {
        create_self_signed(dir, &cert_path, &key_path, hostnames)?;
        tracing::info!("created self-signed certificate {}", cert_path.display());
    }
    server_config_from_pem(&cert_path, &key_path)
}

/// Build the server config from PEM files (certificate chain first, then the private key).
pub fn server_config_from_pem(
    cert_path: &Path,
    key_path: &Path,
) -> Result<Arc<rustls::ServerConfig>, NetError> {
    let chain = CertificateDer::pem_file_iter(cert_path)
        .map_err(|e| cert_err(cert_path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| cert_err(cert_path, e))?;
    if chain.is_empty() {
        return Err(cert_err(cert_path, "no certificate found"));
    }
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|e| cert_err(key_path, e))?;
    // An explicit provider keeps us independent of any process-wide default.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(NetError::Tls)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(NetError::Tls)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    // No TLS 1.3 session tickets (cupsd sends none): libcups with a receive timeout set
    // (ipptool -T) takes the ticket records that follow the handshake for a failed read,
    // reconnects and re-sends its request, forever.
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

fn create_self_signed(
    dir: &Path,
    cert_path: &Path,
    key_path: &Path,
    hostnames: &[String],
) -> Result<(), NetError> {
    std::fs::create_dir_all(dir).map_err(|e| cert_err(dir, e))?;
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for name in hostnames {
        if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.clone());
        }
    }
    let common_name = hostnames.first().cloned().unwrap_or_else(|| "localhost".into());
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| cert_err(cert_path, e))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
    let (year, month, day) = civil_today();
    params.not_before = rcgen::date_time_ymd(year, month, day);
    params.not_after = rcgen::date_time_ymd(year + VALIDITY_YEARS, month, day.min(28));
    let key = rcgen::KeyPair::generate().map_err(|e| cert_err(key_path, e))?;
    let cert = params.self_signed(&key).map_err(|e| cert_err(cert_path, e))?;
    // Key first: a crash in between leaves no certificate, so the next start regenerates.
    write_atomically(key_path, key.serialize_pem().as_bytes(), 0o600)?;
    write_atomically(cert_path, cert.pem().as_bytes(), 0o644)
}

/// Write to a temporary sibling, fsync, then rename over `path`.
fn write_atomically(path: &Path, data: &[u8], mode: u32) -> Result<(), NetError> {
    let mut tmp = PathBuf::from(path);
    tmp.set_extension("tmp");
    let result = (|| {
        // Remove a leftover first so `mode` applies to a freshly created file.
        let _ = std::fs::remove_file(&tmp);
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
        file.write_all(data)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| cert_err(path, e))
}

/// Today's UTC date.
fn civil_today() -> (i32, u8, u8) {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let today = CivilTime::from_unix(i64::try_from(secs).unwrap_or(0));
    (i32::try_from(today.year).unwrap_or(1970), today.month, today.day)
}

#[cfg(test)]
pub(crate) fn civil_today_for_tests() -> (i32, u8, u8) {
    civil_today()
}
