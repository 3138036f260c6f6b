//! Parts of Danish postal addresses entered by staff.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Danish postal code: exactly four digits ("0800", "4000").
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostalCodeError {
    #[error("Udfyld postnummer")]
    Empty,
    #[error("Postnummeret skal være 4 cifre")]
    NotFourDigits,
}

impl PostalCode {
    pub fn parse(input: &str) -> Result<PostalCode, PostalCodeError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(PostalCodeError::Empty);
        }
        if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PostalCodeError::NotFourDigits);
        }
        Ok(PostalCode(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PostalCode {
    type Error = PostalCodeError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        PostalCode::parse(&value)
    }
}

impl From<PostalCode> for String {
    fn from(value: PostalCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_digits_with_leading_zero() {
        assert_eq!(PostalCode::parse(" 0800 ").unwrap().as_str(), "0800");
        assert_eq!(PostalCode::parse("4000").unwrap().to_string(), "4000");
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(PostalCode::parse(""), Err(PostalCodeError::Empty));
        for bad in ["400", "40000", "40a0", "4 00", "٤٠٠٠"] {
            assert_eq!(PostalCode::parse(bad), Err(PostalCodeError::NotFourDigits), "{bad}");
        }
    }
}
