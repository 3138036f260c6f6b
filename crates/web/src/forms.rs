//! Form handling shared by every page: field errors shown next to their
//! field, and small parsers from form text to typed values with Danish
//! messages. A rejected form is re-rendered with exactly what the user typed.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};

/// Field name → Danish message.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `Ok(value)` when no errors were collected.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }

    /// Records a parse error for `field` and returns the value if it parsed.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        result.map_err(|e| self.add(field, e.to_string())).ok()
    }
}

/// A required text field, trimmed.
pub fn required(value: &str, what: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() { Err(format!("Udfyld {what}")) } else { Ok(value.to_owned()) }
}

/// A required text of at most `max` characters.
pub fn required_max(value: &str, what: &str, max: usize) -> Result<String, String> {
    let value = required(value, what)?;
    if value.chars().count() > max {
        return Err(format!("{} må højst være {max} tegn", capitalise(what)));
    }
    Ok(value)
}

/// An optional text of at most `max` characters; empty becomes `None`.
pub fn optional_max(value: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(format!("{} må højst være {max} tegn", capitalise(what)));
    }
    Ok(Some(value.to_owned()))
}

/// A date from `<input type=date>` (yyyy-mm-dd) or typed as dd-mm-yyyy.
pub fn date(value: &str, what: &str) -> Result<NaiveDate, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Udfyld {what}"));
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d-%m-%Y"))
        .map_err(|_| format!("{} skal være en dato som dd-mm-åååå", capitalise(what)))
}

/// A time of day from `<input type=time>` (HH:MM).
pub fn time(value: &str, what: &str) -> Result<NaiveTime, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Udfyld {what}"));
    }
    NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .map_err(|_| format!("{} skal være et klokkeslæt som TT:MM", capitalise(what)))
}

/// A whole number within `min..=max`.
pub fn whole_number(value: &str, what: &str, min: i64, max: i64) -> Result<i64, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("Udfyld {what}"));
    }
    let n: i64 = value.parse().map_err(|_| format!("{} skal være et helt tal", capitalise(what)))?;
    if n < min || n > max {
        return Err(format!("{} skal være mellem {min} og {max}", capitalise(what)));
    }
    Ok(n)
}

/// An optional whole number; empty becomes `None`.
pub fn optional_whole_number(value: &str, what: &str, min: i64, max: i64) -> Result<Option<i64>, String> {
    if value.trim().is_empty() { Ok(None) } else { whole_number(value, what, min, max).map(Some) }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Formats a date the Danish way in lists: dd-mm-åååå.
pub fn dk_date(date: &NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

/// Formats a date for `<input type=date value=…>`.
pub fn iso_date(date: &NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_trims_and_names_the_field() {
        assert_eq!(required("  Nord ", "navn"), Ok("Nord".into()));
        assert_eq!(required("   ", "navn"), Err("Udfyld navn".into()));
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        assert!(required_max(&"æ".repeat(50), "kort navn", 50).is_ok());
        assert_eq!(required_max(&"æ".repeat(51), "kort navn", 50), Err("Kort navn må højst være 50 tegn".into()));
    }

    #[test]
    fn dates_in_both_forms() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        assert_eq!(date("2027-03-01", "valgdato"), Ok(d));
        assert_eq!(date("01-03-2027", "valgdato"), Ok(d));
        assert!(date("31-02-2027", "valgdato").is_err());
    }

    #[test]
    fn numbers_within_bounds() {
        assert_eq!(whole_number("7", "låseperiode", 1, 365), Ok(7));
        assert!(whole_number("0", "låseperiode", 1, 365).is_err());
        assert!(whole_number("syv", "låseperiode", 1, 365).is_err());
        assert_eq!(optional_whole_number("", "betaling", 0, 100_000), Ok(None));
    }

    #[test]
    fn first_error_per_field_wins() {
        let mut e = FieldErrors::new();
        e.add("name", "a");
        e.add("name", "b");
        assert_eq!(e.get("name"), Some("a"));
        assert!(e.into_result(()).is_err());
    }
}
