//! Unix time to IPP dateTime (UTC).

use quire_ipp::{DateTime, Value};

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub fn date_time(unix: i64) -> Value {
    let (y, mo, d) = civil_from_days(unix.div_euclid(86_400));
    let secs = unix.rem_euclid(86_400);
    Value::DateTime(DateTime {
        year: y.clamp(0, 65_535) as u16,
        month: mo,
        day: d,
        hour: (secs / 3600) as u8,
        minutes: ((secs / 60) % 60) as u8,
        seconds: (secs % 60) as u8,
        deci_seconds: 0,
        utc_dir: b'+',
        utc_hours: 0,
        utc_minutes: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        match date_time(86_399) {
            Value::DateTime(dt) => assert_eq!((dt.hour, dt.minutes, dt.seconds), (23, 59, 59)),
            other => panic!("not a dateTime: {other:?}"),
        }
    }
}
