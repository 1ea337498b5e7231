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
    /// The settings mailto.conf's `text` gives (None: no file, cupsd's defaults), logging
    /// what it finds wrong.
    fn from_text(setup: &Setup, text: Option<&str>) -> Settings {
        let path = &setup.mailto_conf;
        let conf = match text {
            Some(text) => {
                let (conf, diags) = quire_config::parse_mailto_conf(text, path);
                for d in diags {
                    tracing::warn!("{d}");
                }
                conf
            }
            None => MailtoConf::default(),
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

/// mailto.conf's text; None when there is none (or it cannot be read: said in the log).
async fn read_conf(path: &std::path::Path) -> Option<String> {
    match tokio::fs::read_to_string(path).await {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::error!("Unable to read {}: {e}; mail goes to localhost", path.display());
            None
        }
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

/// Sends a mail for every event of the lane. mailto.conf is read for each (a small file), so
/// a change applies to the next mail, as cupsd's notifier reads it each time it starts.
pub async fn run(lane: Arc<Lane<Push>>, setup: Setup) {
    let mut current: Option<(Option<String>, Settings, AsyncSmtpTransport<Tokio1Executor>)> = None;
    loop {
        let push = lane.pop().await;
        let text = read_conf(&setup.mailto_conf).await;
        if current.as_ref().is_none_or(|(t, ..)| *t != text) {
            let settings = Settings::from_text(&setup, text.as_deref());
            let smtp =
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
                    .port(settings.port)
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
            current = Some((text, settings, smtp));
        }
        let Some((_, settings, smtp)) = &current else { continue };
        let Some(to) = push.recipient.strip_prefix("mailto:") else { continue };
        let sent = match message(settings, &push, to) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use quire_core::model::Event;

    fn push(job_name: &str, user_data: Option<&[u8]>) -> Push {
        Push {
            subscription_id: 1,
            recipient: "mailto:alice@example.com".into(),
            user_data: user_data.map(<[u8]>::to_vec),
            event: Event {
                sequence: 1,
                subscribed_event: "job-completed".into(),
                text: "Job completed.".into(),
                time: 0,
                printer: Some("q".into()),
                job_id: Some(3),
                printer_state: Some((3, vec![], true)),
                job_state: Some((9, vec![])),
                job_name: Some(job_name.into()),
                job_impressions: 1,
                printer_uri: Some("ipp://localhost/printers/q".into()),
            },
        }
    }

    fn settings() -> Settings {
        let conf = MailtoConf { subject: "[Print]".into(), ..MailtoConf::default() };
        Settings { conf, from: "root@localhost".into(), host: "localhost".into(), port: 25 }
    }

    fn text(m: &Message) -> String {
        String::from_utf8_lossy(&m.formatted()).into_owned()
    }

    #[test]
    fn a_job_name_cannot_add_a_header() {
        let m =
            message(&settings(), &push("x\r\nBcc: victim@example.com", None), "alice@example.com")
                .expect("a mail");
        let t = text(&m);
        assert!(!t.lines().any(|l| l.starts_with("Bcc:")), "{t}");
        assert!(
            t.contains("Subject: [Print] Print Job: q-3 (x  Bcc: victim@example.com) completed"),
            "{t}"
        );
    }

    #[test]
    fn user_data_is_the_reply_to_when_it_is_one_address() {
        let m = message(&settings(), &push("r", Some(b"mailto:help@example.com")), "a@b.example")
            .expect("a mail");
        assert!(text(&m).contains("Reply-To: help@example.com"), "{}", text(&m));
        let m = message(&settings(), &push("r", Some(b"mailto:a@b\r\nBcc: c@d")), "a@b.example")
            .expect("a mail");
        assert!(!text(&m).contains("Reply-To"), "{}", text(&m));
        assert_eq!(split_server("127.0.0.1:2525"), ("127.0.0.1".into(), 2525));
        assert_eq!(split_server("mail.example.com"), ("mail.example.com".into(), 25));
        assert_eq!(split_server("[::1]:26"), ("::1".into(), 26));
    }
}
