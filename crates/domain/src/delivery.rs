//! How a message finds its way (SPEC §6): the election's channels are tried
//! in order; a channel that cannot reach the person, or refuses for good, is
//! left at once; a channel that fails for now is tried again until its share
//! of the message kind's deadline has passed, then left. A message no channel
//! delivered is failed, and the person is listed as "kan ikke kontaktes".

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::message::MessageKind;

/// A way to reach a person. The stored key is `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    DigitalPost,
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::DigitalPost, Channel::Email, Channel::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::DigitalPost => "digital_post",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(key: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == key.trim())
    }

    /// Danish name for the admin app.
    pub fn label(self) -> &'static str {
        match self {
            Channel::DigitalPost => "Digital Post",
            Channel::Email => "E-mail",
            Channel::Sms => "SMS",
        }
    }
}

/// A stored channel order ("digital_post,email,sms"); unknown keys and
/// repeats are dropped, and an empty order means the default.
pub fn channel_order(stored: &str) -> Vec<Channel> {
    let mut order: Vec<Channel> = Vec::new();
    for channel in stored.split(',').filter_map(Channel::parse) {
        if !order.contains(&channel) {
            order.push(channel);
        }
    }
    if order.is_empty() { Channel::ALL.to_vec() } else { order }
}

/// How long a message of this kind may take in all, from when it was queued,
/// unless the tenant says otherwise. What is about tomorrow cannot wait as
/// long as an invitation.
pub fn deadline(kind: MessageKind) -> Duration {
    let hours = match kind {
        MessageKind::Invitation | MessageKind::InvitationReminder | MessageKind::GroupMessage => 48,
        MessageKind::TaskReminder | MessageKind::TaskChanged => 12,
        _ => 24,
    };
    Duration::from_secs(hours * 3600)
}

/// A tenant's deadlines: [`deadline`] for every kind it does not name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deadlines {
    chosen: BTreeMap<MessageKind, Duration>,
}

impl Deadlines {
    pub fn with(mut self, kind: MessageKind, deadline: Duration) -> Deadlines {
        self.chosen.insert(kind, deadline);
        self
    }

    pub fn of(&self, kind: MessageKind) -> Duration {
        self.chosen.get(&kind).copied().unwrap_or_else(|| deadline(kind))
    }

    /// Until when the channel at `position` (0-based) of `count` may keep
    /// retrying: each channel gets an equal share of the deadline, so the last
    /// one still has its share when the ones before it ran out of theirs.
    pub fn channel_deadline(
        &self,
        kind: MessageKind,
        queued_at: DateTime<Utc>,
        position: usize,
        count: usize,
    ) -> DateTime<Utc> {
        let share = self.of(kind) / count.max(1) as u32;
        let until = share * (position as u32 + 1);
        queued_at + chrono::Duration::from_std(until).unwrap_or(chrono::Duration::MAX)
    }
}

/// The longest deadline a tenant may set: a message about an election that
/// arrives weeks late is no use to anybody.
pub const LONGEST_DEADLINE: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why a written deadline was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("\"{0}\" is not a duration: write a whole number and h, m or s, e.g. \"48h\", \"90m\" or \"45s\"")]
    Unreadable(String),
    #[error("must be more than 0")]
    Zero,
    #[error("must be at most 30 days (720h)")]
    TooLong,
}

/// A deadline as the configuration writes it: `"48h"`, `"90m"`, `"45s"`.
pub fn parse_deadline(text: &str) -> Result<Duration, DeadlineError> {
    let text = text.trim();
    let unreadable = || DeadlineError::Unreadable(text.to_owned());
    let split = text.len().checked_sub(1).filter(|&i| text.is_char_boundary(i)).ok_or_else(unreadable)?;
    let (number, unit) = text.split_at(split);
    let seconds_per = match unit {
        "h" => 3600,
        "m" => 60,
        "s" => 1,
        _ => return Err(unreadable()),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unreadable());
    }
    let number: u64 = number.parse().map_err(|_| DeadlineError::TooLong)?;
    let seconds = number.checked_mul(seconds_per).ok_or(DeadlineError::TooLong)?;
    match Duration::from_secs(seconds) {
        d if d.is_zero() => Err(DeadlineError::Zero),
        d if d > LONGEST_DEADLINE => Err(DeadlineError::TooLong),
        d => Ok(d),
    }
}

/// What one attempt on a channel gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Cannot reach the person this way (exempt, no address, not set up).
    Unreachable,
    /// Refused for good.
    Permanent,
    /// Failed for now.
    Temporary,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Done,
    /// Leave this channel and try the next one now.
    NextChannel,
    /// Try this channel again later.
    RetryLater,
}

/// The rule of fallback for one attempt at `now`.
pub fn after(attempt: Attempt, now: DateTime<Utc>, channel_deadline: DateTime<Utc>) -> Next {
    match attempt {
        Attempt::Sent => Next::Done,
        Attempt::Unreachable | Attempt::Permanent => Next::NextChannel,
        Attempt::Temporary if now < channel_deadline => Next::RetryLater,
        Attempt::Temporary => Next::NextChannel,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, hour, 0, 0).unwrap()
    }

    #[test]
    fn orders_parse_with_the_default_for_nothing_usable() {
        assert_eq!(channel_order("sms, email,sms,fax"), vec![Channel::Sms, Channel::Email]);
        assert_eq!(channel_order(""), Channel::ALL.to_vec());
        assert_eq!(channel_order("fax"), Channel::ALL.to_vec());
    }

    #[test]
    fn each_channel_gets_its_share_of_the_deadline() {
        let kind = MessageKind::RegistrationConfirmation; // 24 h
        let defaults = Deadlines::default();
        assert_eq!(defaults.channel_deadline(kind, at(0), 0, 3), at(8));
        assert_eq!(defaults.channel_deadline(kind, at(0), 2, 3), at(0) + chrono::Duration::hours(24));
        assert!(defaults.of(MessageKind::TaskReminder) < defaults.of(MessageKind::Invitation));
    }

    #[test]
    fn a_tenant_may_set_a_kinds_deadline_and_keeps_the_others() {
        let mine = Deadlines::default().with(MessageKind::Invitation, Duration::from_secs(90));
        assert_eq!(mine.channel_deadline(MessageKind::Invitation, at(0), 0, 3), at(0) + chrono::Duration::seconds(30));
        assert_eq!(mine.of(MessageKind::TaskReminder), deadline(MessageKind::TaskReminder));
    }

    #[test]
    fn deadlines_are_read_as_hours_minutes_or_seconds() {
        assert_eq!(parse_deadline("48h"), Ok(Duration::from_secs(48 * 3600)));
        assert_eq!(parse_deadline(" 90m "), Ok(Duration::from_secs(90 * 60)));
        assert_eq!(parse_deadline("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_deadline("720h"), Ok(LONGEST_DEADLINE));
        assert_eq!(parse_deadline("0s"), Err(DeadlineError::Zero));
        assert_eq!(parse_deadline("721h"), Err(DeadlineError::TooLong));
        assert_eq!(parse_deadline("99999999999999999999h"), Err(DeadlineError::TooLong));
        for bad in ["", "h", "48", "2 days", "-5m", "1.5h", "4 h", "48H", "5ø"] {
            assert_eq!(parse_deadline(bad), Err(DeadlineError::Unreadable(bad.trim().to_owned())), "{bad}");
        }
    }

    #[test]
    fn temporary_failures_retry_until_the_share_is_used_then_fall_through() {
        assert_eq!(after(Attempt::Temporary, at(3), at(8)), Next::RetryLater);
        assert_eq!(after(Attempt::Temporary, at(8), at(8)), Next::NextChannel);
        assert_eq!(after(Attempt::Permanent, at(3), at(8)), Next::NextChannel);
        assert_eq!(after(Attempt::Unreachable, at(3), at(8)), Next::NextChannel);
        assert_eq!(after(Attempt::Sent, at(9), at(8)), Next::Done);
    }
}
