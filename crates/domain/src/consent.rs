//! Consent to be kept as a participant for coming elections: given at
//! sign-up or on the profile, it lasts a fixed time and then runs out.

use chrono::{Months, NaiveDate};

/// How long a consent lasts: one round of both kinds of general election
/// (each at most four years apart).
pub const CONSENT_YEARS: u32 = 4;

/// The last day of a consent given on `given_on`.
pub fn consent_until(given_on: NaiveDate) -> NaiveDate {
    given_on.checked_add_months(Months::new(12 * CONSENT_YEARS)).unwrap_or(NaiveDate::MAX)
}

/// The stored consent's last day, if it has not run out by `today`.
pub fn current_consent(until: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    until.filter(|until| *until >= today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_consent_lasts_four_years_and_counts_its_last_day() {
        assert_eq!(consent_until(date(2026, 11, 27)), date(2030, 11, 27));
        assert_eq!(consent_until(date(2028, 2, 29)), date(2032, 2, 29));
        let until = Some(date(2030, 11, 27));
        assert_eq!(current_consent(until, date(2030, 11, 27)), until);
        assert_eq!(current_consent(until, date(2030, 11, 28)), None);
        assert_eq!(current_consent(None, date(2026, 1, 1)), None);
    }
}
