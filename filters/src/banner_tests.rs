use super::*;

#[test]
fn utc_dates() {
    assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
    assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
    // Extremes must not panic.
    let _ = format_utc(i64::MAX);
    let _ = format_utc(i64::MIN);
}

#[test]
fn classifications() {
    assert_eq!(classification_text(Some("topsecret")).as_deref(), Some("TOP SECRET"));
    assert_eq!(classification_text(Some("none")), None);
    assert_eq!(classification_text(None), None);
    assert_eq!(classification_text(Some("internal")).as_deref(), Some("INTERNAL"));
    assert_eq!(truncate("abcdef", 4), "abc…");
}
