use super::*;

#[test]
fn hold_until_keywords_and_times() {
    assert!(valid_hold_until("indefinite"));
    assert!(valid_hold_until("23:59"));
    assert!(valid_hold_until("07:30:15"));
    assert!(!valid_hold_until("24:00"));
    assert!(!valid_hold_until("tomorrow"));
    // Day 0 (1970-01-01) was a Thursday, so day 4 + 7k is a Monday; 10:00 UTC.
    let monday_10 = (4 + 7 * 2900) * 86400 + 10 * 3600;
    assert_eq!(hold_until_time("day-time", monday_10), Some(monday_10));
    assert_eq!(hold_until_time("night", monday_10), Some(monday_10 - 10 * 3600 + 18 * 3600));
    assert_eq!(hold_until_time("09:00", monday_10), Some(monday_10 + 23 * 3600));
    assert_eq!(hold_until_time("indefinite", monday_10), None);
    let sat = hold_until_time("weekend", monday_10).expect("weekend");
    assert_eq!((sat / 86400) % 7, 2, "weekend starts on a Saturday");
}

#[test]
fn page_ranges_must_ascend() {
    let r = |a, b| Value::RangeOfInteger { lower: a, upper: b };
    assert!(valid_page_ranges(&[r(1, 3), r(5, 9)]));
    assert!(!valid_page_ranges(&[r(5, 9), r(1, 3)]));
    assert!(!valid_page_ranges(&[r(0, 3)]));
    assert!(!valid_page_ranges(&[r(4, 3)]));
}
