//! How a remote call failed, classified the same way for every integration.

use std::time::Duration;

use serde::Serialize;

/// The class of a failed call: used for retry decisions, metrics labels and the status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No answer within the time allowed.
    Timeout,
    /// The connection (TCP or TLS) could not be made or broke.
    Connect,
    /// An HTTP error status without an answer we understand (e.g. a proxy's 502 page).
    Status,
    /// The service answered and said no (SOAP fault, refusal).
    Fault,
    /// The answer could not be read.
    Malformed,
    /// The thing asked for does not exist. The service worked: not a failure.
    NotFound,
    /// The circuit breaker refused the call without contacting the service.
    BreakerOpen,
    /// The service asked us to slow down (HTTP 429). It works: not a failure.
    Throttled,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect",
            ErrorKind::Status => "status",
            ErrorKind::Fault => "fault",
            ErrorKind::Malformed => "malformed",
            ErrorKind::NotFound => "not_found",
            ErrorKind::BreakerOpen => "breaker_open",
            ErrorKind::Throttled => "throttled",
        }
    }
}

/// A failed remote call. Texts that came from the remote side have been passed
/// through [`scrub`], so no CPR number can travel in an error message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("HTTP status {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("the service refused the call ({code}): {text}")]
    Fault { code: String, text: String },
    #[error("the answer could not be read: {0}")]
    Malformed(String),
    #[error("not found")]
    NotFound,
    #[error("circuit breaker open; next attempt allowed in {} ms", .0.as_millis())]
    BreakerOpen(Duration),
    /// HTTP 429, with the wait the service asked for (`Retry-After`), if any.
    #[error("too many requests; asked to wait {} ms", .0.unwrap_or_default().as_millis())]
    Throttled(Option<Duration>),
}

impl CallError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CallError::Timeout(_) => ErrorKind::Timeout,
            CallError::Connect(_) => ErrorKind::Connect,
            CallError::Status { .. } => ErrorKind::Status,
            CallError::Fault { .. } => ErrorKind::Fault,
            CallError::Malformed(_) => ErrorKind::Malformed,
            CallError::NotFound => ErrorKind::NotFound,
            CallError::BreakerOpen(_) => ErrorKind::BreakerOpen,
            CallError::Throttled(_) => ErrorKind::Throttled,
        }
    }

    /// Worth another attempt (for idempotent calls): the failure may be passing.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Timeout(_) | CallError::Connect(_) | CallError::Throttled(_) => true,
            CallError::Status { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    /// Counts against the service's health (breaker, error metrics, last error).
    /// `NotFound` is an answer, a breaker rejection never reached the service,
    /// and a service asking us to slow down is working.
    pub fn is_service_failure(&self) -> bool {
        !matches!(self, CallError::NotFound | CallError::BreakerOpen(_) | CallError::Throttled(_))
    }

    /// A 429 with the wait its `Retry-After` header asks for (whole seconds;
    /// the HTTP-date form is rare from gateways and read as "no wait given").
    pub fn throttled(retry_after: Option<&str>) -> CallError {
        let seconds = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
        CallError::Throttled(seconds.map(Duration::from_secs))
    }

    pub fn status(status: u16, body: &str) -> CallError {
        CallError::Status { status, detail: excerpt(body) }
    }

    pub fn fault(code: &str, text: &str) -> CallError {
        CallError::Fault { code: scrub(code), text: excerpt(text) }
    }

    pub fn malformed(detail: impl AsRef<str>) -> CallError {
        CallError::Malformed(excerpt(detail.as_ref()))
    }

    pub fn connect(detail: impl AsRef<str>) -> CallError {
        CallError::Connect(excerpt(detail.as_ref()))
    }
}

const EXCERPT_CHARS: usize = 200;

/// A short, scrubbed, single-line excerpt of a remote text.
pub fn excerpt(text: &str) -> String {
    // Scrub before cutting, so that a number cut in half is not left half visible.
    let flat = scrub(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    let mut short: String = flat.chars().take(EXCERPT_CHARS).collect();
    if flat.chars().count() > EXCERPT_CHARS {
        short.push('…');
    }
    short
}

/// Masks everything that looks like a CPR number (ten digits in a row, or six
/// digits, a dash and four digits) as `DDMMYY-****`. Remote services may echo
/// the number they were asked about in fault texts and error pages.
pub fn scrub(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let run_end = |start: usize| (start..).find(|&i| !digit(i)).unwrap_or(chars.len());
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let end = run_end(i);
        let len = end - i;
        let dashed = len == 6 && chars.get(end) == Some(&'-') && run_end(end + 1) - (end + 1) == 4;
        if len == 10 || dashed {
            out.extend(&chars[i..i + 6]);
            out.push_str("-****");
            i = if dashed { end + 5 } else { end };
        } else {
            out.extend(&chars[i..end]);
            i = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_masks_plain_and_dashed_cpr_numbers() {
        assert_eq!(scrub("PNR 0101701234 not found"), "PNR 010170-**** not found");
        assert_eq!(scrub("(010170-1234)"), "(010170-****)");
        assert_eq!(scrub("0101701234"), "010170-****");
    }

    #[test]
    fn scrub_leaves_other_numbers_alone() {
        let text = "CVR 29189846, code 12345678901, 2024-01-01, 8000 Aarhus, 5100";
        assert_eq!(scrub(text), text);
    }

    #[test]
    fn excerpt_is_short_flat_and_scrubbed() {
        let long = format!("<html>\n  <body>{}</body> 0101701234", "x".repeat(500));
        let short = excerpt(&long);
        assert!(short.chars().count() <= EXCERPT_CHARS + 1);
        assert!(!short.contains('\n'));
        let echoed = excerpt("Fejl: PNR 0101701234 findes ikke");
        assert!(echoed.contains("010170-****"));
        assert!(!echoed.contains("0101701234"));
    }

    #[test]
    fn transient_and_service_failures() {
        assert!(CallError::Timeout(Duration::from_secs(1)).is_transient());
        assert!(CallError::connect("refused").is_transient());
        assert!(CallError::status(503, "").is_transient());
        assert!(CallError::status(429, "").is_transient());
        assert!(!CallError::status(403, "").is_transient());
        assert!(!CallError::fault("x", "y").is_transient());
        assert!(!CallError::malformed("x").is_transient());
        assert!(!CallError::NotFound.is_service_failure());
        assert!(!CallError::BreakerOpen(Duration::ZERO).is_service_failure());
        assert!(CallError::malformed("x").is_service_failure());
        assert!(CallError::throttled(Some("2")).is_transient());
        assert!(!CallError::throttled(None).is_service_failure());
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        assert_eq!(CallError::throttled(Some(" 3 ")), CallError::Throttled(Some(Duration::from_secs(3))));
        assert_eq!(CallError::throttled(Some("Wed, 21 Oct 2026 07:28:00 GMT")), CallError::Throttled(None));
        assert_eq!(CallError::throttled(None), CallError::Throttled(None));
    }
}
