use std::path::Path;

use crate::subscription::{
    decode_user_data, encode_user_data, parse_subscriptions_conf, SubscriptionRecord,
    SubscriptionsFile,
};

/// subscriptions.conf as cupsd 2.4 writes it (header left out).
const SUBSCRIPTIONS: &str = "\
NextSubscriptionId 3
<Subscription 1>
Events server-started server-stopped
Owner root
LeaseDuration 0
Interval 0
ExpirationTime 0
NextEventId 1
</Subscription>
<Subscription 2>
Events job-completed
Owner alice
Recipient dbus://
JobId 7
PrinterName office
UserData abc<0A00>d
LeaseDuration 86400
Interval 0
ExpirationTime 1765076400
NextEventId 5
</Subscription>
";

fn path() -> &'static Path {
    Path::new("/etc/cups/subscriptions.conf")
}

#[test]
fn cupsds_subscriptions_read_and_write_back() {
    let (file, diags) = parse_subscriptions_conf(SUBSCRIPTIONS.as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(file.next_subscription_id, Some(3));
    let job = &file.subscriptions[1];
    assert_eq!(job.events, ["job-completed"]);
    assert_eq!((job.job_id, job.printer_name.as_deref()), (Some(7), Some("office")));
    assert_eq!(job.user_data.as_deref(), Some(&b"abc\n\0d"[..]));
    assert_eq!(job.expiration_time, Some(1765076400));
    let text = file.to_text();
    assert!(text.starts_with("# Subscription configuration file for CUPS"));
    let body: String =
        text.lines().filter(|l| !l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    assert_eq!(body, SUBSCRIPTIONS);
}

#[test]
fn bad_lines_and_blocks_are_left_out_alone() {
    let text = "<Subscription x>\nOwner a\n</Subscription>\n\
                <Subscription 4>\nEvents job-completed bogus\nJobId -3\nUserData <zz>\nColor red\n\
                Owner bob\n</Subscription>\nOwner stray\n<Subscription 4>\n</Subscription>\n\
                <Subscription 5>\nOwner cut\n";
    let (file, diags) = parse_subscriptions_conf(text.as_bytes(), path());
    let lines: Vec<usize> = diags.iter().map(|d| d.loc.line).collect();
    assert_eq!(lines, [1, 5, 6, 7, 8, 11, 12, 14], "{diags:?}");
    assert_eq!(file.subscriptions.len(), 1);
    let sub = &file.subscriptions[0];
    assert_eq!(
        (sub.id, sub.events.clone(), sub.owner.as_deref()),
        (4, vec!["job-completed".to_string()], Some("bob"))
    );
    assert_eq!(sub.job_id, None);
}

#[test]
fn user_data_round_trips_every_octet() {
    let all: Vec<u8> = (0..=255u8).collect();
    for chunk in all.chunks(63) {
        let text = encode_user_data(chunk);
        assert!(text.bytes().all(|b| b.is_ascii_graphic()) && !text.contains('#'), "{text}");
        assert_eq!(decode_user_data(&text).unwrap(), chunk, "{text}");
    }
    assert_eq!(encode_user_data(b"a b<c"), "a<20>b<3C>c");
    assert!(decode_user_data(&"x".repeat(64)).is_err());
    assert!(decode_user_data("<+1>").is_err(), "two hex digits, no sign");
    assert_eq!(decode_user_data(&"x".repeat(63)).unwrap().len(), 63);
}

#[test]
fn a_written_subscription_reads_back_equal() {
    let mut sub = SubscriptionRecord::new(9);
    sub.events = vec!["printer-state-changed".into(), "job-created".into()];
    sub.owner = Some("carol #1".into());
    sub.user_data = Some(b" #<>\xff".to_vec());
    sub.lease_duration = Some(3600);
    let file = SubscriptionsFile { next_subscription_id: Some(10), subscriptions: vec![sub] };
    let (back, diags) = parse_subscriptions_conf(file.to_text().as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(back, file);
}

/// subscriptions.conf as the real cupsd 2.4.2 wrote it (user data `quire <1>`).
const REAL: &str = include_str!("../testdata/subscriptions.conf");

#[test]
fn a_subscriptions_conf_cupsd_wrote_reads_and_writes_back() {
    let (file, diags) = parse_subscriptions_conf(REAL.as_bytes(), path());
    assert!(diags.is_empty(), "{diags:?}");
    let sub = &file.subscriptions[0];
    assert_eq!(sub.events, ["printer-stopped", "job-completed"]);
    assert_eq!(sub.user_data.as_deref(), Some(&b"quire <1>"[..]));
    let (again, _) = parse_subscriptions_conf(file.to_text().as_bytes(), path());
    assert_eq!(again, file);
}
