//! What happens to a held seat when new CPR data makes its holder fail a rule
//! (SPEC §7, §8): a stale answer (the local copy during an outage) never takes
//! anybody off a seat; an accepted seat close to its task waits for a person's
//! decision on the review list; anything else is released.

use chrono::NaiveDate;

use crate::seat::SeatStatus;

/// Days before the task within which a failing accepted seat goes to review
/// instead of being released: a per-tenant setting, 0 to 60 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewWindow(u8);

/// The setting was not a whole number of days from 0 to 60.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Skriv et helt antal dage fra 0 til {}", ReviewWindow::MAX_DAYS)]
pub struct ReviewWindowError;

impl ReviewWindow {
    pub const DEFAULT_DAYS: u8 = 14;
    /// Longer than two months would keep people on seats for most of a campaign.
    pub const MAX_DAYS: u8 = 60;

    pub fn parse(text: &str) -> Result<Self, ReviewWindowError> {
        let days: u8 = text.trim().parse().map_err(|_| ReviewWindowError)?;
        if days > Self::MAX_DAYS {
            return Err(ReviewWindowError);
        }
        Ok(ReviewWindow(days))
    }

    pub fn days(self) -> i64 {
        i64::from(self.0)
    }
}

impl Default for ReviewWindow {
    fn default() -> Self {
        ReviewWindow(Self::DEFAULT_DAYS)
    }
}

impl std::fmt::Display for ReviewWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailingSeat {
    /// The answer was not fresh: change nothing.
    Keep,
    /// Put it on the review list for the secretariat.
    Review,
    /// Release the seat (the seat transition decides who gets a message).
    Release,
}

/// The decision for a seat in `status` on `task_date`, seen `today`.
pub fn failing_seat(
    status: SeatStatus,
    task_date: NaiveDate,
    today: NaiveDate,
    window: ReviewWindow,
    fresh: bool,
) -> FailingSeat {
    if !fresh {
        return FailingSeat::Keep;
    }
    let within_window = (task_date - today).num_days() <= window.days();
    if status == SeatStatus::Accepted && within_window { FailingSeat::Review } else { FailingSeat::Release }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(days: &str) -> ReviewWindow {
        ReviewWindow::parse(days).unwrap()
    }

    #[test]
    fn the_window_is_a_whole_number_of_days_up_to_sixty() {
        assert_eq!(ReviewWindow::default().days(), 14);
        assert_eq!(window(" 0 ").days(), 0);
        assert_eq!(window("60").days(), 60);
        for bad in ["61", "-1", "", "2.5", "fjorten", "300"] {
            assert_eq!(ReviewWindow::parse(bad), Err(ReviewWindowError), "{bad:?}");
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    #[test]
    fn stale_answers_never_release() {
        for status in [SeatStatus::Invited, SeatStatus::Accepted] {
            assert_eq!(failing_seat(status, day(20), day(1), window("14"), false), FailingSeat::Keep);
        }
    }

    #[test]
    fn accepted_seats_inside_the_window_go_to_review() {
        assert_eq!(failing_seat(SeatStatus::Accepted, day(15), day(1), window("14"), true), FailingSeat::Review);
        assert_eq!(failing_seat(SeatStatus::Accepted, day(16), day(1), window("14"), true), FailingSeat::Release);
    }

    #[test]
    fn invitations_are_released_even_close_to_the_task() {
        assert_eq!(failing_seat(SeatStatus::Invited, day(2), day(1), window("14"), true), FailingSeat::Release);
    }
}
