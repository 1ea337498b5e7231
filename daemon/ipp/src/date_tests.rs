use super::CivilTime;
use crate::DateTime;

#[test]
fn unix_times_become_utc_dates() {
    let at = |unix: i64| {
        let t = CivilTime::from_unix(unix);
        (t.year, t.month, t.day, t.hour, t.minute, t.second)
    };
    // Leap days: every 4 years, not in 1900 or 2100, but in 2000.
    assert_eq!(at(4_107_542_399), (2100, 2, 28, 23, 59, 59));
    assert_eq!(at(4_107_542_400), (2100, 3, 1, 0, 0, 0));
    assert_eq!(at(-2_203_891_200), (1900, 3, 1, 0, 0, 0));
    assert_eq!(at(-62_135_596_800), (1, 1, 1, 0, 0, 0));
    assert_eq!(CivilTime::from_unix(1_795_428_000).to_string(), "2026-11-23 10:00:00 UTC");
    // Defined everywhere: no overflow at the ends.
    assert!(CivilTime::from_unix(i64::MAX).year > 0 && CivilTime::from_unix(i64::MIN).year < 0);
}

#[test]
fn ipp_date_times_are_clamped_to_their_sixteen_bit_year() {
    let d = DateTime::from_unix_utc(1_700_000_000);
    assert_eq!((d.year, d.month, d.day, d.hour, d.minutes, d.seconds), (2023, 11, 14, 22, 13, 20));
    assert_eq!((d.utc_dir, d.utc_hours, d.utc_minutes, d.deci_seconds), (b'+', 0, 0, 0));
    assert_eq!(DateTime::from_unix_utc(i64::MIN).year, 0);
    assert_eq!(DateTime::from_unix_utc(i64::MAX).year, 65_535);
}
