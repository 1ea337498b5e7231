//! Unix time to IPP dateTime (UTC).

use quire_ipp::{DateTime, Value};

pub fn date_time(unix: i64) -> Value {
    Value::DateTime(DateTime::from_unix_utc(unix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let ymd = |t: i64| {
            let d = DateTime::from_unix_utc(t);
            (d.year, d.month, d.day)
        };
        assert_eq!(ymd(0), (1970, 1, 1));
        assert_eq!(ymd(20_415 * 86_400), (2025, 11, 23));
        assert_eq!(ymd(11_016 * 86_400), (2000, 2, 29));
        assert_eq!(ymd(-1), (1969, 12, 31));
        match date_time(86_399) {
            Value::DateTime(dt) => assert_eq!((dt.hour, dt.minutes, dt.seconds), (23, 59, 59)),
            other => panic!("not a dateTime: {other:?}"),
        }
    }
}
