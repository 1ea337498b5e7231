//! TLS for `ipps://` and `https://` destinations (rustls, ring provider, blocking).
//!
//! # Trust model
//!
//! Network printers almost always present a self-signed certificate (IPP Everywhere
//! printers generate one at first boot), so CUPS's default for ipps devices is to accept
//! any certificate (`AllowAnyRoot Yes` in client.conf) and rely on trust-on-first-use.
//! Quire does the same: the connection is encrypted and the handshake signatures are
//! verified (the server must hold the private key of the certificate it presents), but the
//! certificate chain, its names and its dates are **not** validated. That protects against
//! passive eavesdropping, not against an active man in the middle. Pinning the first-seen
//! certificate per device (CUPS's TOFU store) is future work; pinning only in memory per
//! [`Client`](crate::Client) would add nothing, since every job opens a new client.

use std::io;
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme, StreamOwned};

use crate::error::ClientError;

/// A blocking TLS connection over TCP.
pub(crate) type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// Accepts any certificate chain (see the module documentation: CUPS's `AllowAnyRoot`
/// default for printers), while still checking the TLS handshake signatures with the
/// provider's algorithms, so the peer must own the key of the certificate it sent.
#[derive(Debug)]
struct AnyRootVerifier(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyRootVerifier {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The process-wide client configuration (shared so sessions can be resumed).
fn config() -> Result<Arc<ClientConfig>, ClientError> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, rustls::Error>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            // An explicit provider keeps us independent of any process-wide default.
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = ClientConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyRootVerifier(provider)))
                .with_no_client_auth();
            Ok(Arc::new(config))
        })
        .clone()
        .map_err(|e| ClientError::Io(io::Error::other(e)))
}

/// The name sent as SNI: a DNS name as is; an IP literal becomes an IP-address server
/// name, for which rustls sends no SNI.
fn server_name(host: &str) -> Result<ServerName<'static>, ClientError> {
    ServerName::try_from(host.to_string()).map_err(|_| ClientError::BadDestination(host.to_string()))
}

/// Runs the TLS handshake on a connected socket (whose timeouts are already set), so a
/// peer that does not speak TLS is reported when connecting.
pub(crate) fn handshake(host: &str, mut tcp: TcpStream) -> Result<TlsStream, ClientError> {
    let mut conn = ClientConnection::new(config()?, server_name(host)?)
        .map_err(|e| ClientError::Io(io::Error::other(e)))?;
    while conn.is_handshaking() {
        let (read, written) = conn.complete_io(&mut tcp)?;
        if read == 0 && written == 0 && conn.is_handshaking() {
            return Err(ClientError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// Best effort `close_notify` before the socket closes, without ever blocking.
pub(crate) fn close(stream: &mut TlsStream) {
    stream.conn.send_close_notify();
    if stream.sock.set_nonblocking(true).is_ok() {
        let _ = stream.conn.write_tls(&mut stream.sock);
    }
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
