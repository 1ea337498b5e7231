use super::*;

#[test]
fn time_format() {
    assert_eq!(format_time(0), "Thu 01 Jan 1970 12:00:00 AM UTC");
    // 2026-11-23 10:00:00 UTC was a Monday.
    assert_eq!(format_time(1_795_428_000), "Mon 23 Nov 2026 10:00:00 AM UTC");
    assert_eq!(format_time(1_795_428_000 + 3 * 3600 + 5), "Mon 23 Nov 2026 01:00:05 PM UTC");
    assert_eq!(format_time(951_782_400), "Tue 29 Feb 2000 12:00:00 AM UTC");
}
