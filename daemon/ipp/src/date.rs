//! Civil (proleptic Gregorian, UTC) dates and times of Unix times, with Howard Hinnant's
//! days-to-civil algorithm: IPP's dateTime, report headers, banner pages and certificate
//! validity all come from here. No clock: callers pass the time.

use std::fmt;

/// A Unix time as a UTC calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    /// 1 to 12.
    pub month: u8,
    /// 1 to 31.
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl CivilTime {
    /// The UTC date and time of `unix` seconds. Defined for every `i64`.
    pub fn from_unix(unix: i64) -> CivilTime {
        let z = unix.div_euclid(86_400) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let secs = unix.rem_euclid(86_400);
        // Each narrowing below is of a value the algorithm keeps in range (1..=12, 1..=31, 0..60).
        let small = |v: i64| u8::try_from(v).unwrap_or(0);
        CivilTime {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: small(month),
            day: small(day),
            hour: small(secs / 3600),
            minute: small(secs / 60 % 60),
            second: small(secs % 60),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
impl fmt::Display for CivilTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
