//! Per-integration settings: timeouts, concurrency, retries and the breaker.
//!
//! Every field has a default, so a tenant's config names only what it changes.
//! Durations are written in milliseconds in the config file (`timeout_ms = 20000`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How one integration (for one tenant) is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Time allowed to open the TCP + TLS connection.
    #[serde(rename = "connect_timeout_ms", with = "millis")]
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending the request to the last byte of the answer.
    #[serde(rename = "timeout_ms", with = "millis")]
    pub total_timeout: Duration,
    /// Calls in flight at once; further calls wait for a free slot.
    pub max_concurrency: usize,
    pub retry: RetrySettings,
    pub breaker: BreakerSettings,
}

/// Retries, for idempotent calls only, with jittered exponential backoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetrySettings {
    /// Extra attempts after the first one (0 = never retry).
    pub max_retries: u32,
    /// Ceiling of the first wait; each further wait doubles it.
    #[serde(rename = "initial_backoff_ms", with = "millis")]
    pub initial_backoff: Duration,
    /// No wait is longer than this.
    #[serde(rename = "max_backoff_ms", with = "millis")]
    pub max_backoff: Duration,
}

/// The circuit breaker: open after `failure_threshold` consecutive failures,
/// stay open for `cool_down`, then let one probe call through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerSettings {
    pub failure_threshold: u32,
    #[serde(rename = "cool_down_ms", with = "millis")]
    pub cool_down: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(20),
            max_concurrency: 8,
            retry: RetrySettings::default(),
            breaker: BreakerSettings::default(),
        }
    }
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl Default for BreakerSettings {
    fn default() -> Self {
        BreakerSettings { failure_threshold: 5, cool_down: Duration::from_secs(30) }
    }
}

impl Settings {
    /// Explains the first setting that cannot work, naming it as the config file does.
    pub fn validate(&self) -> Result<(), String> {
        if self.connect_timeout.is_zero() {
            return Err("connect_timeout_ms must be greater than 0".into());
        }
        if self.total_timeout.is_zero() {
            return Err("timeout_ms must be greater than 0".into());
        }
        if self.max_concurrency == 0 {
            return Err("max_concurrency must be at least 1".into());
        }
        if self.retry.max_backoff < self.retry.initial_backoff {
            return Err("retry.max_backoff_ms must not be less than retry.initial_backoff_ms".into());
        }
        if self.breaker.failure_threshold == 0 {
            return Err("breaker.failure_threshold must be at least 1".into());
        }
        Ok(())
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_sane() {
        let settings = Settings::default();
        assert_eq!(settings.validate(), Ok(()));
        assert!(settings.connect_timeout <= settings.total_timeout);
        assert!(settings.retry.max_retries > 0);
    }

    #[test]
    fn a_config_names_only_what_it_changes() {
        let settings: Settings = toml::from_str(
            "timeout_ms = 30000\nmax_concurrency = 2\n[retry]\nmax_retries = 0\n[breaker]\ncool_down_ms = 5000\n",
        )
        .unwrap();
        assert_eq!(settings.total_timeout, Duration::from_secs(30));
        assert_eq!(settings.max_concurrency, 2);
        assert_eq!(settings.retry.max_retries, 0);
        assert_eq!(settings.retry.max_backoff, RetrySettings::default().max_backoff);
        assert_eq!(settings.breaker.cool_down, Duration::from_secs(5));
        assert_eq!(settings.breaker.failure_threshold, 5);
        assert_eq!(settings.connect_timeout, Duration::from_secs(10));
        assert_eq!(toml::from_str::<Settings>("").unwrap(), Settings::default());
        let typo = toml::from_str::<Settings>("timeout = 5").unwrap_err();
        assert!(typo.to_string().contains("timeout"), "{typo}");
    }

    #[test]
    fn bad_values_are_named() {
        let mut settings = Settings { max_concurrency: 0, ..Settings::default() };
        assert!(settings.validate().unwrap_err().contains("max_concurrency"));
        settings.max_concurrency = 1;
        settings.breaker.failure_threshold = 0;
        assert!(settings.validate().unwrap_err().contains("failure_threshold"));
    }
}
