//! Ages in calendar terms.
//!
//! Works on dates only, never on timestamps: the reference system converted
//! UTC timestamps to local time to compute ages and could be a day off
//! around midnight and DST. A task date is a calendar date in Denmark, and
//! so is a birth date.

use chrono::{Datelike, NaiveDate};

/// Completed years on `on`. Someone born on `on`'s month and day has reached
/// the new age that same day.
///
/// A 29 February birthday is reached on 1 March in non-leap years. Chosen
/// because on 28 February the full number of years has not yet been lived,
/// so nobody is treated as 18 a day early; it also keeps "age goes up
/// exactly once a year" true.
///
/// Dates before the birth give 0.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let years = on.year() - birth.year();
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    let completed = if before_birthday { years - 1 } else { years };
    u32::try_from(completed).unwrap_or(0)
}

/// The day in `year` on which someone born on `birth` turns a year older,
/// following the same 29 February rule as [`age_on`].
pub fn birthday_in(birth: NaiveDate, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day()).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// Whether the person has turned `years` on `on`.
pub fn has_reached(birth: NaiveDate, years: u32, on: NaiveDate) -> bool {
    age_on(birth, on) >= years
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn birthday_counts_as_reached() {
        let birth = date(2007, 11, 1);
        assert_eq!(age_on(birth, date(2025, 10, 31)), 17);
        assert_eq!(age_on(birth, date(2025, 11, 1)), 18);
        assert_eq!(age_on(birth, date(2025, 11, 2)), 18);
    }

    #[test]
    fn month_matters_before_day() {
        let birth = date(2000, 3, 15);
        assert_eq!(age_on(birth, date(2018, 2, 28)), 17);
        assert_eq!(age_on(birth, date(2018, 4, 1)), 18);
    }

    #[test]
    fn leap_day_birthday_is_reached_on_1_march_in_common_years() {
        let birth = date(2008, 2, 29);
        assert_eq!(age_on(birth, date(2026, 2, 28)), 17);
        assert_eq!(age_on(birth, date(2026, 3, 1)), 18);
        assert_eq!(birthday_in(birth, 2026), Some(date(2026, 3, 1)));
    }

    #[test]
    fn leap_day_birthday_is_29_february_in_leap_years() {
        let birth = date(2004, 2, 29);
        assert_eq!(age_on(birth, date(2024, 2, 28)), 19);
        assert_eq!(age_on(birth, date(2024, 2, 29)), 20);
        assert_eq!(birthday_in(birth, 2024), Some(date(2024, 2, 29)));
    }

    #[test]
    fn before_birth_is_zero_and_birth_day_is_zero() {
        let birth = date(2000, 6, 1);
        assert_eq!(age_on(birth, date(1999, 1, 1)), 0);
        assert_eq!(age_on(birth, birth), 0);
        assert_eq!(age_on(birth, date(2001, 5, 31)), 0);
        assert_eq!(age_on(birth, date(2001, 6, 1)), 1);
    }

    #[test]
    fn has_reached_18() {
        let birth = date(2007, 11, 1);
        assert!(!has_reached(birth, 18, date(2025, 10, 31)));
        assert!(has_reached(birth, 18, date(2025, 11, 1)));
    }

    fn dates() -> impl Strategy<Value = NaiveDate> {
        let first = date(1858, 1, 1).num_days_from_ce();
        let last = date(2100, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn monotonic_in_the_date(birth in dates(), a in dates(), b in dates()) {
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(age_on(birth, early) <= age_on(birth, late));
        }

        #[test]
        fn goes_up_by_exactly_one_on_each_birthday(birth in dates(), years in 1i32..110) {
            let birthday = birthday_in(birth, birth.year() + years).unwrap();
            let day_before = birthday.pred_opt().unwrap();
            prop_assert_eq!(age_on(birth, birthday), years as u32);
            prop_assert_eq!(age_on(birth, day_before), years as u32 - 1);
        }

        #[test]
        fn constant_between_birthdays(birth in dates(), years in 0i32..110, offset in 0i64..366) {
            let this = birthday_in(birth, birth.year() + years).unwrap();
            let next = birthday_in(birth, birth.year() + years + 1).unwrap();
            let day = this + chrono::Days::new(offset as u64);
            prop_assume!(day < next);
            prop_assert_eq!(age_on(birth, day), years as u32);
        }
    }
}
