//! Codes that identify a municipality or a country: kommunekode, CVR, and the
//! CPR register's country codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A CPR municipality code, always four digits ("0101" for Copenhagen).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MunicipalityCodeError {
    #[error("Kommunekoden skal være 1-4 cifre")]
    NotDigits,
    #[error("Kommunekoden må ikke være 0")]
    Zero,
}

impl MunicipalityCode {
    /// Accepts 1-4 digits; CPR extracts and people drop leading zeros.
    pub fn parse(input: &str) -> Result<Self, MunicipalityCodeError> {
        let trimmed = input.trim();
        let value = four_digit_number(trimmed).ok_or(MunicipalityCodeError::NotDigits)?;
        if value == 0 {
            return Err(MunicipalityCodeError::Zero);
        }
        Ok(MunicipalityCode(format!("{value:04}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn value(&self) -> u16 {
        self.0.parse().unwrap_or_default()
    }
}

fn four_digit_number(text: &str) -> Option<u16> {
    let fits = (1..=4).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit());
    fits.then(|| text.parse().ok()).flatten()
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for MunicipalityCode {
    type Err = MunicipalityCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MunicipalityCode::parse(s)
    }
}

impl TryFrom<String> for MunicipalityCode {
    type Error = MunicipalityCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        MunicipalityCode::parse(&value)
    }
}

impl From<MunicipalityCode> for String {
    fn from(value: MunicipalityCode) -> Self {
        value.0
    }
}

/// A CVR number (company register), e.g. the municipality as sender of
/// Digital Post.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cvr(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CvrError {
    #[error("CVR-nummeret skal være 8 cifre")]
    NotEightDigits,
    #[error("CVR-nummeret kan ikke begynde med 0")]
    LeadingZero,
    #[error("CVR-nummeret er ikke gyldigt (kontrolcifferet passer ikke)")]
    Checksum,
}

const CVR_WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

impl Cvr {
    pub fn parse(input: &str) -> Result<Self, CvrError> {
        let trimmed = input.trim();
        if trimmed.len() != 8 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CvrError::NotEightDigits);
        }
        if trimmed.starts_with('0') {
            return Err(CvrError::LeadingZero);
        }
        if !weighted_sum(trimmed).is_multiple_of(11) {
            return Err(CvrError::Checksum);
        }
        Ok(Cvr(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn weighted_sum(digits: &str) -> u32 {
    digits.bytes().zip(CVR_WEIGHTS).map(|(b, weight)| u32::from(b - b'0') * weight).sum()
}

impl fmt::Display for Cvr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Cvr {
    type Err = CvrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cvr::parse(s)
    }
}

impl TryFrom<String> for Cvr {
    type Error = CvrError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Cvr::parse(&value)
    }
}

impl From<Cvr> for String {
    fn from(value: Cvr) -> Self {
        value.0
    }
}

/// A CPR country code (as used for citizenship), four digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 4]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Landekoden skal være 4 cifre")]
pub struct CountryCodeError;

impl CountryCode {
    /// Denmark in the CPR register's country code table.
    pub const DENMARK: CountryCode = CountryCode(*b"5100");

    pub fn parse(input: &str) -> Result<Self, CountryCodeError> {
        let bytes: [u8; 4] = input.trim().as_bytes().try_into().map_err(|_| CountryCodeError)?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(CountryCodeError);
        }
        Ok(CountryCode(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn is_danish(&self) -> bool {
        *self == CountryCode::DENMARK
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CountryCode::parse(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        CountryCode::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn municipality_codes_are_padded_to_four_digits() {
        assert_eq!(MunicipalityCode::parse("101").unwrap().as_str(), "0101");
        assert_eq!(MunicipalityCode::parse("0101").unwrap().as_str(), "0101");
        assert_eq!(MunicipalityCode::parse(" 851 ").unwrap().as_str(), "0851");
        assert_eq!(MunicipalityCode::parse("1").unwrap().as_str(), "0001");
        assert_eq!(MunicipalityCode::parse("9999").unwrap().value(), 9999);
    }

    #[test]
    fn municipality_code_rejects_zero_and_junk() {
        assert_eq!(MunicipalityCode::parse("0"), Err(MunicipalityCodeError::Zero));
        assert_eq!(MunicipalityCode::parse("0000"), Err(MunicipalityCodeError::Zero));
        for bad in ["", " ", "10101", "-101", "+101", "1a1", "1 01"] {
            assert_eq!(MunicipalityCode::parse(bad), Err(MunicipalityCodeError::NotDigits), "{bad}");
        }
    }

    #[test]
    fn equal_codes_compare_equal_whatever_the_padding() {
        assert_eq!(MunicipalityCode::parse("101").unwrap(), MunicipalityCode::parse("0101").unwrap());
    }

    #[test]
    fn known_cvr_numbers_pass() {
        for cvr in ["55133018", "29189404", "25052943", "12345674"] {
            assert_eq!(Cvr::parse(cvr).unwrap().as_str(), cvr);
        }
        assert!(Cvr::parse(" 55133018 ").is_ok());
    }

    #[test]
    fn cvr_rules() {
        assert_eq!(Cvr::parse("55133019"), Err(CvrError::Checksum));
        assert_eq!(Cvr::parse("12345678"), Err(CvrError::Checksum));
        // 0 weighted-sums to 0 whatever follows, so the rule must be explicit.
        assert_eq!(Cvr::parse("00000000"), Err(CvrError::LeadingZero));
        assert_eq!(Cvr::parse("5513301"), Err(CvrError::NotEightDigits));
        assert_eq!(Cvr::parse("551330188"), Err(CvrError::NotEightDigits));
        assert_eq!(Cvr::parse("5513 018"), Err(CvrError::NotEightDigits));
        assert_eq!(Cvr::parse("DK551330"), Err(CvrError::NotEightDigits));
    }

    #[test]
    fn country_codes() {
        assert!(CountryCode::parse("5100").unwrap().is_danish());
        assert!(CountryCode::parse(" 5100 ").unwrap().is_danish());
        assert!(!CountryCode::parse("5110").unwrap().is_danish());
        assert_eq!(CountryCode::DENMARK.as_str(), "5100");
        assert_eq!(CountryCode::parse("510"), Err(CountryCodeError));
        assert_eq!(CountryCode::parse("51a0"), Err(CountryCodeError));
        assert_eq!(CountryCode::parse("51000"), Err(CountryCodeError));
        assert_eq!(CountryCode::parse("æ0"), Err(CountryCodeError));
    }

    #[test]
    fn danish_messages() {
        assert_eq!(MunicipalityCodeError::NotDigits.to_string(), "Kommunekoden skal være 1-4 cifre");
        assert_eq!(CvrError::NotEightDigits.to_string(), "CVR-nummeret skal være 8 cifre");
        assert_eq!(CountryCodeError.to_string(), "Landekoden skal være 4 cifre");
    }

    proptest! {
        #[test]
        fn municipality_code_keeps_its_value(value in 1u16..=9999) {
            let code = MunicipalityCode::parse(&value.to_string()).unwrap();
            prop_assert_eq!(code.value(), value);
            prop_assert_eq!(code.as_str().len(), 4);
            prop_assert_eq!(MunicipalityCode::parse(code.as_str()).unwrap(), code.clone());
        }

        #[test]
        fn cvr_accepts_exactly_the_numbers_with_a_valid_check_digit(
            first in 1u32..=9,
            middle in "[0-9]{6}",
            last in 0u32..=9,
        ) {
            let text = format!("{first}{middle}{last}");
            let sum: u32 = text
                .chars()
                .zip([2, 7, 6, 5, 4, 3, 2, 1])
                .map(|(c, w)| c.to_digit(10).unwrap() * w)
                .sum();
            prop_assert_eq!(Cvr::parse(&text).is_ok(), sum.is_multiple_of(11));
        }

        #[test]
        fn changing_one_digit_breaks_a_valid_cvr(position in 1usize..8, delta in 1u32..=9) {
            let valid = "55133018";
            let mut digits: Vec<u32> = valid.chars().map(|c| c.to_digit(10).unwrap()).collect();
            digits[position] = (digits[position] + delta) % 10;
            let text: String = digits.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            prop_assert!(Cvr::parse(&text).is_err());
        }
    }
}
