//! What happens to a held seat when new CPR data makes its holder fail a rule
//! (SPEC §7, §8): a stale answer (the local copy during an outage) never takes
//! anybody off a seat; an accepted seat close to its task waits for a person's
//! decision on the review list; anything else is released.

use chrono::NaiveDate;

use crate::seat::SeatStatus;

/// Days before the task within which an accepted seat goes to review.
pub const DEFAULT_REVIEW_WINDOW_DAYS: i64 = 14;

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
    window_days: i64,
    fresh: bool,
) -> FailingSeat {
    if !fresh {
        return FailingSeat::Keep;
    }
    let within_window = (task_date - today).num_days() <= window_days;
    if status == SeatStatus::Accepted && within_window { FailingSeat::Review } else { FailingSeat::Release }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    #[test]
    fn stale_answers_never_release() {
        for status in [SeatStatus::Invited, SeatStatus::Accepted] {
            assert_eq!(failing_seat(status, day(20), day(1), 14, false), FailingSeat::Keep);
        }
    }

    #[test]
    fn accepted_seats_inside_the_window_go_to_review() {
        assert_eq!(failing_seat(SeatStatus::Accepted, day(15), day(1), 14, true), FailingSeat::Review);
        assert_eq!(failing_seat(SeatStatus::Accepted, day(16), day(1), 14, true), FailingSeat::Release);
    }

    #[test]
    fn invitations_are_released_even_close_to_the_task() {
        assert_eq!(failing_seat(SeatStatus::Invited, day(2), day(1), 14, true), FailingSeat::Release);
    }
}
