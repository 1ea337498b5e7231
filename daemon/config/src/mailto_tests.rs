use crate::mailto::{is_address, parse_mailto_conf, MailtoConf};
use std::path::Path;

fn parse(text: &str) -> (MailtoConf, Vec<String>) {
    let (conf, diags) = parse_mailto_conf(text, Path::new("/etc/cups/mailto.conf"));
    (conf, diags.iter().map(|d| d.to_string()).collect())
}

#[test]
fn reads_cupsd_directives_in_any_case() {
    let (c, d) = parse(
        "# Sample\n  from  print@example.com \nCC audit@example.com\nSubject [Print] \\#1\n\
         SMTPServer 127.0.0.1:2525\nReplyTo help@example.com\n",
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(c.from.as_deref(), Some("print@example.com"));
    assert_eq!(c.cc.as_deref(), Some("audit@example.com"));
    assert_eq!(c.subject, "[Print] #1");
    assert_eq!(c.smtp_server.as_deref(), Some("127.0.0.1:2525"));
    assert_eq!(c.reply_to.as_deref(), Some("help@example.com"));
}

#[test]
fn the_last_of_sendmail_and_smtpserver_wins() {
    let (c, _) = parse("SMTPServer mail\nSendmail /usr/sbin/sendmail -t\n");
    assert_eq!((c.smtp_server, c.sendmail.as_deref()), (None, Some("/usr/sbin/sendmail -t")));
    let (c, _) = parse("Sendmail /usr/sbin/sendmail\nSMTPServer mail.example.com\n");
    assert_eq!((c.smtp_server.as_deref(), c.sendmail), (Some("mail.example.com"), None));
}

#[test]
fn bad_lines_are_warnings_with_file_and_line() {
    let (c, d) =
        parse("From\nFrom a@b, c@d\nCc <x@y>\nBogus 1\nSMTPServer host:99999\nSubject ok\n");
    assert_eq!(c, MailtoConf { subject: "ok".into(), ..MailtoConf::default() });
    assert_eq!(d.len(), 5, "{d:?}");
    assert!(d[0].starts_with("/etc/cups/mailto.conf:1:1: warning: No value found for From"));
    assert!(d[1].starts_with("/etc/cups/mailto.conf:2:1:"), "{d:?}");
    assert!(d[3].contains("Unknown configuration directive \"Bogus\""), "{d:?}");
}

#[test]
fn no_header_can_be_injected() {
    // A carriage return inside a line (lines end at \n) or any other control character.
    let (c, d) = parse("Subject hi\rBcc: victim@example.com\nFrom a@b\u{7}\n");
    assert_eq!(c.subject, "");
    assert_eq!(c.from, None);
    assert_eq!(d.len(), 2, "{d:?}");
    for bad in ["a@b\r\nBcc: c@d", "a b@c", "a@b@c", "@b", "a@", "", "a@b>"] {
        assert!(!is_address(bad), "{bad:?}");
    }
    assert!(is_address("root@vm.example.com"));
}
