//! Contact data a participant types in: mobile number and e-mail address.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

const DANISH_PREFIX: &str = "+45";

/// A mobile number normalised to E.164: `+45XXXXXXXX` or `+<digits>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    #[error("Mobilnummeret skal udfyldes")]
    Empty,
    #[error("Mobilnummeret må kun indeholde cifre")]
    NotDigits,
    #[error("Et dansk mobilnummer skal være 8 cifre")]
    DanishLength,
    #[error("Et udenlandsk nummer skal skrives som + og landekode efterfulgt af nummeret, i alt 8-15 cifre")]
    ForeignLength,
}

impl Mobile {
    /// Accepts `12345678`, `12 34 56 78`, `+45 12345678`, `004512345678`
    /// and foreign numbers written as `+<country code><number>` or `00…`.
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(MobileError::Empty);
        }
        // Eight bare digits are a Danish number even if they start with 00.
        if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) {
            return danish(&compact);
        }
        let international = compact.strip_prefix('+').or_else(|| compact.strip_prefix("00"));
        let digits = international.unwrap_or(&compact);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MobileError::NotDigits);
        }
        match international {
            None => danish(digits),
            Some(rest) => match rest.strip_prefix("45") {
                Some(national) => danish(national),
                None => foreign(rest),
            },
        }
    }

    /// The E.164 form, as stored and as sent to the SMS gateway.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_danish(&self) -> bool {
        self.0.starts_with(DANISH_PREFIX)
    }

    /// For display to Danish users: the 8 digits for Danish numbers (as
    /// people write them), the full international form for the rest.
    pub fn national(&self) -> &str {
        self.0.strip_prefix(DANISH_PREFIX).unwrap_or(&self.0)
    }
}

fn danish(national: &str) -> Result<Mobile, MobileError> {
    if national.len() != 8 {
        return Err(MobileError::DanishLength);
    }
    Ok(Mobile(format!("{DANISH_PREFIX}{national}")))
}

fn foreign(digits: &str) -> Result<Mobile, MobileError> {
    // Country codes never start with 0, so a leading 0 is a typo.
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(MobileError::ForeignLength);
    }
    Ok(Mobile(format!("+{digits}")))
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Mobile {
    type Err = MobileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mobile::parse(s)
    }
}

impl TryFrom<String> for Mobile {
    type Error = MobileError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Mobile::parse(&value)
    }
}

impl From<Mobile> for String {
    fn from(value: Mobile) -> Self {
        value.0
    }
}

/// An e-mail address that passes a sane syntax check, domain lower-cased.
///
/// Full RFC 5322 is not the goal: the check stops typos in a form field;
/// whether the address works is learned when mail bounces.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("E-mailadressen skal udfyldes")]
    Empty,
    #[error("E-mailadressen er for lang")]
    TooLong,
    #[error("E-mailadressen må ikke indeholde mellemrum")]
    ContainsSpace,
    #[error("E-mailadressen skal indeholde præcis ét @")]
    NotOneAt,
    #[error("E-mailadressen mangler noget før @")]
    EmptyLocalPart,
    #[error("E-mailadressen har et ugyldigt domæne efter @")]
    InvalidDomain,
}

const MAX_EMAIL_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(EmailError::ContainsSpace);
        }
        if trimmed.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = split_at_sign(trimmed)?;
        if local.is_empty() {
            return Err(EmailError::EmptyLocalPart);
        }
        if local.len() > MAX_LOCAL_LEN {
            return Err(EmailError::TooLong);
        }
        if !is_sane_domain(domain) {
            return Err(EmailError::InvalidDomain);
        }
        // The local part may be case sensitive; the domain never is.
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

fn split_at_sign(address: &str) -> Result<(&str, &str), EmailError> {
    let mut parts = address.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => Ok((local, domain)),
        _ => Err(EmailError::NotOneAt),
    }
}

fn is_sane_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Email {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn danish_numbers_in_the_usual_spellings() {
        for input in [
            "12345678",
            "12 34 56 78",
            " 1234 5678 ",
            "+4512345678",
            "+45 12 34 56 78",
            "004512345678",
            "0045 1234 5678",
        ] {
            let mobile = Mobile::parse(input).unwrap();
            assert_eq!(mobile.as_str(), "+4512345678", "{input}");
            assert!(mobile.is_danish());
            assert_eq!(mobile.national(), "12345678");
        }
    }

    #[test]
    fn danish_numbers_must_have_8_digits() {
        for input in ["1234567", "123456789", "+451234567", "0045123456789"] {
            assert_eq!(Mobile::parse(input), Err(MobileError::DanishLength), "{input}");
        }
    }

    #[test]
    fn foreign_numbers_are_kept_in_e164() {
        let swedish = Mobile::parse("+46 70 123 45 67").unwrap();
        assert_eq!(swedish.as_str(), "+46701234567");
        assert!(!swedish.is_danish());
        assert_eq!(swedish.national(), "+46701234567");
        let german = Mobile::parse("0049 151 12345678").unwrap();
        assert_eq!(german.as_str(), "+4915112345678");
    }

    #[test]
    fn foreign_numbers_need_8_to_15_digits() {
        assert!(Mobile::parse("+46701234").is_ok());
        assert_eq!(Mobile::parse("+4670123"), Err(MobileError::ForeignLength));
        assert!(Mobile::parse("+467012345678901").is_ok());
        assert_eq!(Mobile::parse("+467012"), Err(MobileError::ForeignLength));
        assert_eq!(Mobile::parse("+4670123456789012"), Err(MobileError::ForeignLength));
        assert_eq!(Mobile::parse("+0123456789"), Err(MobileError::ForeignLength));
    }

    #[test]
    fn eight_bare_digits_are_always_danish() {
        assert_eq!(Mobile::parse("00451234").unwrap().as_str(), "+4500451234");
    }

    #[test]
    fn rejects_letters_and_blanks() {
        assert_eq!(Mobile::parse("  "), Err(MobileError::Empty));
        assert_eq!(Mobile::parse("1234567a"), Err(MobileError::NotDigits));
        assert_eq!(Mobile::parse("12-34-56-78"), Err(MobileError::NotDigits));
        assert_eq!(Mobile::parse("+"), Err(MobileError::NotDigits));
        assert_eq!(Mobile::parse("++4512345678"), Err(MobileError::NotDigits));
    }

    #[test]
    fn string_conversions_validate() {
        let stored: String = Mobile::parse("12345678").unwrap().into();
        assert_eq!(stored, "+4512345678");
        assert_eq!(Mobile::try_from(stored).unwrap().national(), "12345678");
        assert!(Mobile::try_from("nope".to_owned()).is_err());
        let stored: String = Email::parse("a@B.dk").unwrap().into();
        assert_eq!(stored, "a@b.dk");
        assert!(Email::try_from("nope".to_owned()).is_err());
    }

    #[test]
    fn sane_addresses_are_accepted_and_domain_lowercased() {
        let email = Email::parse("  Anne.Hansen+valg@Kommune.DK ").unwrap();
        assert_eq!(email.as_str(), "Anne.Hansen+valg@kommune.dk");
        assert_eq!(email.domain(), "kommune.dk");
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("søren@æblegård.dk").is_ok());
        assert!(Email::parse("x@sub.domain-name.dk").is_ok());
    }

    #[test]
    fn rejects_broken_addresses() {
        let cases = [
            ("", EmailError::Empty),
            ("anne hansen@kommune.dk", EmailError::ContainsSpace),
            ("anne.kommune.dk", EmailError::NotOneAt),
            ("anne@@kommune.dk", EmailError::NotOneAt),
            ("anne@x@kommune.dk", EmailError::NotOneAt),
            ("@kommune.dk", EmailError::EmptyLocalPart),
            ("anne@kommune", EmailError::InvalidDomain),
            ("anne@", EmailError::InvalidDomain),
            ("anne@.dk", EmailError::InvalidDomain),
            ("anne@kommune.", EmailError::InvalidDomain),
            ("anne@kommune..dk", EmailError::InvalidDomain),
            ("anne@-kommune.dk", EmailError::InvalidDomain),
            ("anne@kom_mune.dk", EmailError::InvalidDomain),
        ];
        for (input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn enforces_length_limits() {
        let domain = format!("{}.dk", "a".repeat(60));
        let at_limit = format!("{}@{}", "b".repeat(64), domain);
        assert!(Email::parse(&at_limit).is_ok());
        let long_local = format!("{}@{}", "b".repeat(65), domain);
        assert_eq!(Email::parse(&long_local), Err(EmailError::TooLong));
        let long_total = format!("a@{}.dk", "b".repeat(250));
        assert_eq!(Email::parse(&long_total), Err(EmailError::TooLong));
        let exactly_254 = format!("a@{}.dk", "b".repeat(249));
        assert_eq!(exactly_254.len(), 254);
        assert!(Email::parse(&exactly_254).is_ok());
    }

    #[test]
    fn error_messages_are_danish() {
        assert_eq!(MobileError::DanishLength.to_string(), "Et dansk mobilnummer skal være 8 cifre");
        assert_eq!(EmailError::NotOneAt.to_string(), "E-mailadressen skal indeholde præcis ét @");
    }

    proptest! {
        #[test]
        fn any_8_digits_with_any_spacing_is_danish(
            digits in "[0-9]{8}",
            prefix in prop::sample::select(vec!["", "+45", "0045", "+45 ", "0045 "]),
            spaced in any::<bool>(),
        ) {
            let body = if spaced {
                digits.chars().map(|c| format!("{c} ")).collect::<String>()
            } else {
                digits.clone()
            };
            let mobile = Mobile::parse(&format!("{prefix}{body}")).unwrap();
            prop_assert_eq!(mobile.national(), digits.as_str());
            prop_assert_eq!(Mobile::parse(mobile.as_str()).unwrap(), mobile);
        }

        #[test]
        fn parsing_is_idempotent(input in "[+0-9 ]{0,20}") {
            if let Ok(mobile) = Mobile::parse(&input) {
                prop_assert_eq!(Mobile::parse(mobile.as_str()).unwrap(), mobile.clone());
                prop_assert!(mobile.as_str().starts_with('+'));
            }
        }

        #[test]
        fn emails_round_trip(local in "[a-zA-Z0-9._+-]{1,30}", host in "[a-zA-Z0-9]{1,20}", tld in "[a-zA-Z]{2,6}") {
            let email = Email::parse(&format!("{local}@{host}.{tld}")).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
            prop_assert_eq!(email.domain(), format!("{host}.{tld}").to_lowercase());
        }
    }
}
