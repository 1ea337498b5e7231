//! `mailto:`: mail as cupsd's mailto notifier sends it, configured by ServerRoot/mailto.conf
//! (From, Cc, Subject prefix, SMTPServer; ReplyTo too), over plain SMTP as cupsd talks to
//! its SMTP server. Subject "PREFIX Print Job: ...", body the event's text; a subscription's
//! `notify-user-data` of `mailto:ADDRESS` is the Reply-To. Every address was checked to be
//! one plain address and every header value is one line: no header can be added by a
//! subscriber. A server that refuses is one log line; the next mail is tried anew.

use super::lane::Lane;
use super::{one_line, subject, Setup};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quire_config::MailtoConf;
use quire_core::model::Push;
use std::sync::Arc;
use std::time::Duration;

pub struct Settings {
    conf: MailtoConf,
    from: String,
    host: String,
    port: u16,
}

impl Settings {
    /// Reads mailto.conf (a missing file is cupsd's defaults), logging what it finds wrong.
    pub fn load(setup: &Setup) -> Settings {
        let path = &setup.mailto_conf;
        let conf = match std::fs::read_to_string(path) {
            Ok(text) => {
                let (conf, diags) = quire_config::parse_mailto_conf(&text, path);
                for d in diags {
                    tracing::warn!("{d}");
                }
                conf
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => MailtoConf::default(),
            Err(e) => {
                tracing::error!("Unable to read {}: {e}; mail goes to localhost", path.display());
                MailtoConf::default()
            }
        };
        if let Some(prog) = &conf.sendmail {
            tracing::warn!(
                "{}: Sendmail \"{prog}\": quired sends mail over SMTP only (SMTPServer); using \
                 localhost:25",
                path.display()
            );
        }
        let from = conf
            .from
            .clone()
            .or_else(|| setup.server_admin.clone().filter(|a| quire_config::is_address(a)))
            .unwrap_or_else(|| format!("root@{}", setup.server_name));
        let (host, port) = split_server(conf.smtp_server.as_deref().unwrap_or("localhost"));
        Settings { conf, from, host, port }
    }
}

/// `host` (port 25) or `host:port`; `[v6]:port` too.
fn split_server(s: &str) -> (String, u16) {
    if let Some((h, p)) = s.rsplit_once(':') {
        if let Ok(port) = p.parse::<u16>() {
            if !h.contains(':') || h.starts_with('[') {
                return (h.trim_start_matches('[').trim_end_matches(']').to_string(), port);
            }
        }
    }
    (s.to_string(), 25)
}

pub async fn run(lane: Arc<Lane<Push>>, settings: Settings) {
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
        .port(settings.port)
        .timeout(Some(Duration::from_secs(30)))
        .build();
    loop {
        let push = lane.pop().await;
        let Some(to) = push.recipient.strip_prefix("mailto:") else { continue };
        let sent = match message(&settings, &push, to) {
            Ok(m) => smtp.send(m).await.map(drop).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match sent {
            Ok(()) => tracing::info!(
                "mailto: notification of subscription {} sent to {to}",
                push.subscription_id
            ),
            Err(e) => tracing::error!(
                "mailto: notification of subscription {} to {to} not sent through SMTP server \
                 {}:{}: {e}",
                push.subscription_id,
                settings.host,
                settings.port
            ),
        }
    }
}

fn mailbox(address: &str) -> Result<Mailbox, String> {
    address.parse::<Mailbox>().map_err(|e| format!("bad address \"{address}\": {e}"))
}

/// The mail for one event.
fn message(settings: &Settings, push: &Push, to: &str) -> Result<Message, String> {
    let conf = &settings.conf;
    let title = one_line(format!("{} {}", conf.subject, subject(&push.event)).trim());
    let mut b = Message::builder()
        .from(mailbox(&settings.from)?)
        .to(mailbox(to)?)
        .subject(title)
        .header(ContentType::TEXT_PLAIN);
    let reply_to = push
        .user_data
        .as_deref()
        .and_then(quire_core::ops::subscriptions::reply_to)
        .or(conf.reply_to.as_deref());
    if let Some(r) = reply_to {
        b = b.reply_to(mailbox(r)?).sender(mailbox(r)?);
    }
    if let Some(cc) = &conf.cc {
        b = b.cc(mailbox(cc)?);
    }
    b.body(format!("{}\n", push.event.text)).map_err(|e| e.to_string())
}
