//! Dates as cupsd writes them in its logs: `[06/Dec/2026:03:10:49 +0000]`, local time with
//! its offset, English month names whatever the locale (tools parse these lines), and the
//! microseconds after the seconds under `LogTimeFormat usecs`.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use std::time::SystemTime;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The host's time zone (`TZ`, else /etc/localtime, else UTC), read once as cupsd reads it.
#[derive(Debug, Clone)]
pub struct LogClock {
    zone: TimeZone,
    usecs: bool,
}

impl LogClock {
    pub fn system(usecs: bool) -> LogClock {
        LogClock { zone: TimeZone::system(), usecs }
    }

    #[cfg(test)]
    pub fn fixed(offset_hours: i8, usecs: bool) -> LogClock {
        LogClock { zone: TimeZone::fixed(jiff::tz::offset(offset_hours)), usecs }
    }

    fn zoned(&self, t: SystemTime) -> Zoned {
        Timestamp::try_from(t).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(self.zone.clone())
    }

    /// `[dd/Mon/yyyy:hh:mm:ss +hhmm]` (`.uuuuuu` after the seconds with usecs).
    pub fn stamp(&self, t: SystemTime) -> String {
        let z = self.zoned(t);
        let offset = z.offset().seconds();
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        let micros = if self.usecs {
            format!(".{:06}", z.subsec_nanosecond() / 1000)
        } else {
            String::new()
        };
        format!(
            "[{:02}/{}/{:04}:{:02}:{:02}:{:02}{micros} {sign}{:02}{:02}]",
            z.day(),
            month_name(z.month()),
            z.year(),
            z.hour(),
            z.minute(),
            z.second(),
            offset / 3600,
            offset / 60 % 60
        )
    }

    /// syslog's `Mmm dd hh:mm:ss` (RFC 3164), local time.
    pub fn syslog_stamp(&self, t: SystemTime) -> String {
        let z = self.zoned(t);
        format!(
            "{} {:2} {:02}:{:02}:{:02}",
            month_name(z.month()),
            z.day(),
            z.hour(),
            z.minute(),
            z.second()
        )
    }
}

fn month_name(month: i8) -> &'static str {
    let index = usize::try_from(month.saturating_sub(1)).unwrap_or(0);
    MONTHS.get(index).copied().unwrap_or("Jan")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// 2026-12-06 03:10:49.012345 UTC.
    fn when() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_micros(1_796_526_649_012_345)
    }

    #[test]
    fn cupsd_standard_and_usecs_stamps() {
        assert_eq!(LogClock::fixed(0, false).stamp(when()), "[06/Dec/2026:03:10:49 +0000]");
        assert_eq!(LogClock::fixed(0, true).stamp(when()), "[06/Dec/2026:03:10:49.012345 +0000]");
        assert_eq!(LogClock::fixed(-5, false).stamp(when()), "[05/Dec/2026:22:10:49 -0500]");
        assert_eq!(LogClock::fixed(2, false).stamp(when()), "[06/Dec/2026:05:10:49 +0200]");
    }

    #[test]
    fn syslog_stamp_pads_the_day_with_a_space() {
        assert_eq!(LogClock::fixed(0, false).syslog_stamp(when()), "Dec  6 03:10:49");
    }
}
