//! Danish local time. Elections, lock periods and reminders count in the
//! days people live by in Denmark; the instant a thing happens is stored in
//! UTC. Between 22:00/23:00 UTC and midnight the two dates differ, so every
//! "today" goes through here.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;

/// The date in Denmark at the instant `at`.
pub fn danish_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Copenhagen).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_denmark() {
        // Winter: UTC+1.
        assert_eq!(danish_date(Utc.with_ymd_and_hms(2026, 11, 27, 22, 59, 59).unwrap()), date(2026, 11, 27));
        assert_eq!(danish_date(Utc.with_ymd_and_hms(2026, 11, 27, 23, 0, 0).unwrap()), date(2026, 11, 28));
        // Summer: UTC+2.
        assert_eq!(danish_date(Utc.with_ymd_and_hms(2027, 6, 1, 21, 59, 59).unwrap()), date(2027, 6, 1));
        assert_eq!(danish_date(Utc.with_ymd_and_hms(2027, 6, 1, 22, 0, 0).unwrap()), date(2027, 6, 2));
    }
}
