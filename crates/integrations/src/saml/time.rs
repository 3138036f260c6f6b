//! SAML timestamps (xs:dateTime, always UTC in SAML 2.0 core §1.3.3).

use chrono::{DateTime, SecondsFormat, Utc};

/// Parses an xs:dateTime. SAML requires UTC with a `Z`, but an explicit offset
/// is converted rather than refused, since it is unambiguous.
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// Formats as `2026-03-02T10:00:00Z` (seconds, `Z`), as IdPs expect.
pub(crate) fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fractions() {
        let t = parse("2026-03-02T10:00:00Z").unwrap();
        assert_eq!(format(t), "2026-03-02T10:00:00Z");
        assert_eq!(parse("2026-03-02T10:00:00.123Z").unwrap().timestamp(), t.timestamp());
        assert_eq!(parse("2026-03-02T11:00:00+01:00").unwrap(), t);
        assert!(parse("yesterday").is_none());
    }
}
