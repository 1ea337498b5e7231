use super::CivilTime;
use crate::DateTime;

#[test]
fn unix_times_become_utc_dates() {
    let text = |unix: i64| CivilTime::from_unix(unix).to_string();
    assert_eq!(text(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(text(951_782_400), "2000-02-29 00:00:00 UTC");
    assert_eq!(text(1_700_000_000), "2023-11-14 22:13:20 UTC");
    assert_eq!(text(-1), "1969-12-31 23:59:59 UTC");
    // Defined everywhere: no overflow at the ends.
    let _ = text(i64::MAX);
    let _ = text(i64::MIN);
}

#[test]
fn ipp_date_times_are_clamped_to_their_sixteen_bit_year() {
    let d = DateTime::from_unix_utc(1_700_000_000);
    assert_eq!((d.year, d.month, d.day, d.hour, d.minutes, d.seconds), (2023, 11, 14, 22, 13, 20));
    assert_eq!((d.utc_dir, d.utc_hours, d.utc_minutes, d.deci_seconds), (b'+', 0, 0, 0));
    assert_eq!(DateTime::from_unix_utc(i64::MIN).year, 0);
    assert_eq!(DateTime::from_unix_utc(i64::MAX).year, 65_535);
}
