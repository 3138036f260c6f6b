//! Danish CPR numbers (personnummer).
//!
//! Since 2007 the CPR office issues numbers that fail the old modulus-11
//! check, so no checksum is required here: date and century are the only
//! structure a number is guaranteed to have.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A syntactically valid CPR number whose date part is a real calendar date.
///
/// Deliberately has no `Display` and a masking `Debug`, so that the number
/// cannot end up in logs or error messages by accident. Use [`expose`] where
/// the real value is needed.
///
/// [`expose`]: CprNumber::expose
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CprNumber {
    digits: String,
    birth_date: NaiveDate,
}

/// Why a text is not a CPR number. Messages are shown to users, in Danish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    #[error("CPR-nummeret skal udfyldes")]
    Empty,
    #[error("CPR-nummeret skal være 10 cifre")]
    NotTenDigits,
    #[error("CPR-nummeret har en ugyldig måned")]
    InvalidMonth,
    #[error("CPR-nummeret har en ugyldig dag")]
    InvalidDay,
    #[error("CPR-nummerets fødselsdato findes ikke")]
    NoSuchDate,
}

impl CprNumber {
    /// Accepts `DDMMYYSSSS` or `DDMMYY-SSSS`, ignoring surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, CprError> {
        let digits = normalise(input)?;
        let birth_date = birth_date_of(&digits)?;
        Ok(CprNumber { digits, birth_date })
    }

    /// The real ten digits, without a dash. Handle with care.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// `DDMMYY-****`: safe to show to staff and to write to logs.
    pub fn masked(&self) -> String {
        format!("{}-****", &self.digits[..6])
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The CPR register encodes legal sex in the parity of the last digit.
    pub fn is_female(&self) -> bool {
        let last = self.digits.as_bytes()[9] - b'0';
        last.is_multiple_of(2)
    }
}

impl fmt::Debug for CprNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CprNumber({})", self.masked())
    }
}

impl FromStr for CprNumber {
    type Err = CprError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CprNumber::parse(s)
    }
}

fn normalise(input: &str) -> Result<String, CprError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(CprError::Empty);
    }
    let joined = match trimmed.split_once('-') {
        Some((date, serial)) if date.len() == 6 => format!("{date}{serial}"),
        Some(_) => return Err(CprError::NotTenDigits),
        None => trimmed.to_owned(),
    };
    if joined.len() != 10 || !joined.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CprError::NotTenDigits);
    }
    Ok(joined)
}

fn birth_date_of(digits: &str) -> Result<NaiveDate, CprError> {
    let number = |range: std::ops::Range<usize>| -> u32 {
        digits[range].bytes().fold(0, |acc, b| acc * 10 + u32::from(b - b'0'))
    };
    let (day, month, yy) = (number(0..2), number(2..4), number(4..6));
    let seventh = number(6..7);
    if !(1..=12).contains(&month) {
        return Err(CprError::InvalidMonth);
    }
    if !(1..=31).contains(&day) {
        return Err(CprError::InvalidDay);
    }
    let year = century(seventh, yy) + yy as i32;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(CprError::NoSuchDate)
}

/// The CPR office's rule: the first serial digit tells the century.
fn century(seventh_digit: u32, yy: u32) -> i32 {
    match seventh_digit {
        0..=3 => 1900,
        4 | 9 if yy <= 36 => 2000,
        4 | 9 => 1900,
        _ if yy <= 57 => 2000,
        _ => 1800,
    }
}

/// Builds the date part of a CPR number, for tests and fixtures elsewhere.
pub fn date_part(date: NaiveDate) -> String {
    format!("{:02}{:02}{:02}", date.day(), date.month(), date.year().rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year_of(cpr: &str) -> i32 {
        CprNumber::parse(cpr).unwrap().birth_date().year()
    }

    #[test]
    fn accepts_plain_and_dashed_forms() {
        let plain = CprNumber::parse("0101901234").unwrap();
        let dashed = CprNumber::parse("010190-1234").unwrap();
        assert_eq!(plain, dashed);
        assert_eq!(dashed.expose(), "0101901234");
        assert_eq!(plain.birth_date(), date(1990, 1, 1));
    }

    #[test]
    fn trims_surrounding_whitespace() {
        let cpr = CprNumber::parse("  010190-1234\n").unwrap();
        assert_eq!(cpr.expose(), "0101901234");
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "010190123",
            "01019012345",
            "01019-01234",
            "0101-901234",
            "010190--1234",
            "010190 1234",
            "01019O1234",
            "+101901234",
            "０１０１９０１２３４",
        ] {
            assert_eq!(CprNumber::parse(bad), Err(CprError::NotTenDigits), "{bad}");
        }
        assert_eq!(CprNumber::parse("   "), Err(CprError::Empty));
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(CprNumber::parse("0013901234"), Err(CprError::InvalidMonth));
        assert_eq!(CprNumber::parse("0100901234"), Err(CprError::InvalidMonth));
        assert_eq!(CprNumber::parse("0001901234"), Err(CprError::InvalidDay));
        assert_eq!(CprNumber::parse("3201901234"), Err(CprError::InvalidDay));
        assert_eq!(CprNumber::parse("3104901234"), Err(CprError::NoSuchDate));
        assert_eq!(CprNumber::parse("3002901234"), Err(CprError::NoSuchDate));
    }

    #[test]
    fn leap_day_depends_on_the_century() {
        // 1900 was not a leap year, 2000 was.
        assert_eq!(CprNumber::parse("2902001234"), Err(CprError::NoSuchDate));
        assert_eq!(year_of("2902004234"), 2000);
        assert_eq!(year_of("2902961234"), 1996);
    }

    #[test]
    fn no_modulus_11_check() {
        // 010190-1234 fails modulus 11 (sum 156), yet must be accepted.
        assert!(CprNumber::parse("0101901235").is_ok());
        assert!(CprNumber::parse("0101901234").is_ok());
    }

    #[test]
    fn century_digits_0_to_3_are_always_1900s() {
        for seventh in 0..=3 {
            assert_eq!(year_of(&format!("010100{seventh}000")), 1900);
            assert_eq!(year_of(&format!("010136{seventh}000")), 1936);
            assert_eq!(year_of(&format!("010137{seventh}000")), 1937);
            assert_eq!(year_of(&format!("010157{seventh}000")), 1957);
            assert_eq!(year_of(&format!("010158{seventh}000")), 1958);
            assert_eq!(year_of(&format!("010199{seventh}000")), 1999);
        }
    }

    #[test]
    fn century_digits_4_and_9_switch_at_36_37() {
        for seventh in [4, 9] {
            assert_eq!(year_of(&format!("010100{seventh}000")), 2000);
            assert_eq!(year_of(&format!("010136{seventh}000")), 2036);
            assert_eq!(year_of(&format!("010137{seventh}000")), 1937);
            assert_eq!(year_of(&format!("010199{seventh}000")), 1999);
        }
    }

    #[test]
    fn century_digits_5_to_8_switch_at_57_58() {
        for seventh in 5..=8 {
            assert_eq!(year_of(&format!("010100{seventh}000")), 2000);
            assert_eq!(year_of(&format!("010157{seventh}000")), 2057);
            assert_eq!(year_of(&format!("010158{seventh}000")), 1858);
            assert_eq!(year_of(&format!("010199{seventh}000")), 1899);
        }
    }

    #[test]
    fn debug_never_shows_the_serial() {
        let cpr = CprNumber::parse("010190-1234").unwrap();
        let debug = format!("{cpr:?} {:?}", Some(&cpr));
        assert!(!debug.contains("1234"), "{debug}");
        assert!(debug.contains("010190-****"), "{debug}");
        assert_eq!(cpr.masked(), "010190-****");
    }

    #[test]
    fn errors_do_not_echo_the_input() {
        let error = CprNumber::parse("0101901234567").unwrap_err();
        assert!(!error.to_string().contains("0101"));
        assert_eq!(error.to_string(), "CPR-nummeret skal være 10 cifre");
    }

    #[test]
    fn sex_follows_the_parity_of_the_last_digit() {
        assert!(CprNumber::parse("0101901234").unwrap().is_female());
        assert!(!CprNumber::parse("0101901233").unwrap().is_female());
        assert!(CprNumber::parse("0101901230").unwrap().is_female());
    }

    #[test]
    fn from_str_matches_parse() {
        let cpr: CprNumber = "010190-1234".parse().unwrap();
        assert_eq!(cpr.expose(), "0101901234");
    }

    /// The first serial digits that, per the CPR office's table, can be used
    /// for someone born in `year`. Written as the table reads, on purpose
    /// independent of `century`.
    fn seventh_digits_for(year: i32) -> Vec<u32> {
        match year {
            1858..=1899 => vec![5, 6, 7, 8],
            1900..=1936 => vec![0, 1, 2, 3],
            1937..=1999 => vec![0, 1, 2, 3, 4, 9],
            2000..=2036 => vec![4, 5, 6, 7, 8, 9],
            2037..=2057 => vec![5, 6, 7, 8],
            _ => vec![],
        }
    }

    fn birth_dates() -> impl Strategy<Value = NaiveDate> {
        let first = date(1858, 1, 1).num_days_from_ce();
        let last = date(2057, 12, 31).num_days_from_ce();
        (first..=last).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    proptest! {
        #[test]
        fn every_valid_number_round_trips_its_birth_date(
            birth in birth_dates(),
            pick in 0usize..6,
            rest in 0u32..1000,
            dashed in any::<bool>(),
        ) {
            let options = seventh_digits_for(birth.year());
            let seventh = options[pick % options.len()];
            let separator = if dashed { "-" } else { "" };
            let text = format!("{}{separator}{seventh}{rest:03}", date_part(birth));
            let cpr = CprNumber::parse(&text).unwrap();
            prop_assert_eq!(cpr.birth_date(), birth);
            prop_assert_eq!(cpr.expose(), text.replace('-', ""));
            let debug = format!("{cpr:?}");
            prop_assert_eq!(debug, format!("CprNumber({}-****)", date_part(birth)));
        }

        #[test]
        fn any_ten_digits_parse_to_their_own_date_or_fail(text in "[0-9]{10}") {
            if let Ok(cpr) = CprNumber::parse(&text) {
                prop_assert_eq!(date_part(cpr.birth_date()), &text[..6]);
                let year = cpr.birth_date().year();
                prop_assert!((1858..=2057).contains(&year));
                let seventh = text[6..7].parse::<u32>().unwrap();
                prop_assert!(seventh_digits_for(year).contains(&seventh));
            }
        }
    }
}
