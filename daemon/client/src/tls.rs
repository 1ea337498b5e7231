//! TLS for `ipps://` and `https://` destinations (rustls, ring provider, on tokio), and the
//! configuration builder every Quire HTTP client starts from ([`config_builder`]: quired's
//! pull printing adds the system roots to it, this crate the printer trust below).
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
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WantsClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ConfigBuilder, DigitallySignedStruct, SignatureScheme, WantsVerifier};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::error::ClientError;

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
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A rustls client configuration with the provider every Quire client uses (ring, named
/// explicitly so no process-wide default matters) and rustls's safe protocol versions; the
/// caller says how the server is trusted.
pub fn config_builder() -> Result<ConfigBuilder<ClientConfig, WantsVerifier>, rustls::Error> {
    ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The printer trust of the module documentation on [`config_builder`].
fn any_root(
    builder: ConfigBuilder<ClientConfig, WantsVerifier>,
) -> ConfigBuilder<ClientConfig, WantsClientCert> {
    builder.dangerous().with_custom_certificate_verifier(Arc::new(AnyRootVerifier(provider())))
}

/// The process-wide client configuration (shared so sessions can be resumed).
fn config() -> Result<Arc<ClientConfig>, ClientError> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, rustls::Error>> = OnceLock::new();
    CONFIG
        .get_or_init(|| Ok(Arc::new(any_root(config_builder()?).with_no_client_auth())))
        .clone()
        .map_err(|e| ClientError::Io(io::Error::other(e)))
}

/// The name sent as SNI: a DNS name as is; an IP literal becomes an IP-address server
/// name, for which rustls sends no SNI.
fn server_name(host: &str) -> Result<ServerName<'static>, ClientError> {
    ServerName::try_from(host.to_string())
        .map_err(|_| ClientError::BadDestination(host.to_string()))
}

/// Runs the TLS handshake on a connected socket (the caller bounds it with its timeout), so
/// a peer that does not speak TLS is reported when connecting.
pub(crate) async fn handshake(host: &str, tcp: TcpStream) -> Result<DeviceTls, ClientError> {
    let stream = TlsConnector::from(config()?).connect(server_name(host)?, tcp).await?;
    Ok(DeviceTls(stream))
}

/// A TLS connection to a printer or scheduler. Many printers close without a TLS
/// close_notify: that reads as the end of the stream, as over TCP (HTTP framing and IPP
/// decoding still catch a truncation). Dropping it sends close_notify, best effort and
/// without ever blocking.
pub(crate) struct DeviceTls(TlsStream<TcpStream>);

impl AsyncRead for DeviceTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.0).poll_read(cx, buf) {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => Poll::Ready(Ok(())),
            other => other,
        }
    }
}

impl AsyncWrite for DeviceTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl Drop for DeviceTls {
    fn drop(&mut self) {
        let (tcp, conn) = self.0.get_mut();
        conn.send_close_notify();
        let _ = conn.write_tls(&mut TryWrite(tcp));
    }
}

/// Writes only what the socket takes now (`WouldBlock` otherwise).
struct TryWrite<'a>(&'a TcpStream);

impl io::Write for TryWrite<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "tls_tests.rs"]
mod tests;
