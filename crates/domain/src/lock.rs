//! The lock period: the last days before a task in which a participant can
//! no longer cancel on their own and must call the secretariat instead.
//!
//! Boundary: with task date T and lock period L days, cancelling is allowed
//! up to and including T − L − 1, and refused from T − L on. So a lock
//! period of 7 days for a task on Tuesday 18 November makes Monday 10
//! November the last day to cancel; with L = 0 the day before the task is
//! the last day, and nobody can cancel on the task date itself.

use chrono::{Days, NaiveDate};

/// Whether a participant may still cancel a task on `task_date` when it is
/// `today`.
pub fn may_cancel(task_date: NaiveDate, lock_days: u32, today: NaiveDate) -> bool {
    lock_start(task_date, lock_days).is_some_and(|locked_from| today < locked_from)
}

/// The last day a participant may cancel, for telling them in advance.
/// `None` when the lock period reaches before the start of the calendar.
pub fn last_cancellation_day(task_date: NaiveDate, lock_days: u32) -> Option<NaiveDate> {
    lock_start(task_date, lock_days)?.pred_opt()
}

fn lock_start(task_date: NaiveDate, lock_days: u32) -> Option<NaiveDate> {
    task_date.checked_sub_days(Days::new(u64::from(lock_days)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_day_before_the_lock_starts_is_the_last_day() {
        let task = date(2025, 11, 18);
        assert!(may_cancel(task, 7, date(2025, 11, 10)));
        assert!(!may_cancel(task, 7, date(2025, 11, 11)));
        assert_eq!(last_cancellation_day(task, 7), Some(date(2025, 11, 10)));
    }

    #[test]
    fn zero_lock_days_still_locks_the_task_date() {
        let task = date(2025, 11, 18);
        assert!(may_cancel(task, 0, date(2025, 11, 17)));
        assert!(!may_cancel(task, 0, task));
        assert_eq!(last_cancellation_day(task, 0), Some(date(2025, 11, 17)));
    }

    #[test]
    fn never_after_the_task() {
        let task = date(2025, 11, 18);
        assert!(!may_cancel(task, 0, date(2025, 11, 19)));
        assert!(!may_cancel(task, 7, date(2026, 1, 1)));
    }

    #[test]
    fn lock_across_month_and_year_ends() {
        let task = date(2026, 1, 3);
        assert!(may_cancel(task, 5, date(2025, 12, 28)));
        assert!(!may_cancel(task, 5, date(2025, 12, 29)));
    }

    #[test]
    fn absurd_lock_periods_forbid_cancelling() {
        let task = date(2025, 11, 18);
        assert!(!may_cancel(task, u32::MAX, date(2000, 1, 1)));
        assert_eq!(last_cancellation_day(task, u32::MAX), None);
    }

    proptest! {
        #[test]
        fn allowed_exactly_up_to_the_last_day(
            task_offset in 0i64..20_000,
            lock in 0u32..60,
            today_offset in -100i64..100,
        ) {
            let task = date(1990, 1, 1) + chrono::TimeDelta::days(task_offset);
            let last = last_cancellation_day(task, lock).unwrap();
            let today = last + chrono::TimeDelta::days(today_offset);
            prop_assert_eq!(may_cancel(task, lock, today), today <= last);
        }

        #[test]
        fn a_longer_lock_never_allows_more(
            task_offset in 0i64..20_000,
            lock in 0u32..60,
            extra in 0u32..60,
            today_offset in -200i64..10,
        ) {
            let task = date(1990, 1, 1) + chrono::TimeDelta::days(task_offset);
            let today = task + chrono::TimeDelta::days(today_offset);
            if may_cancel(task, lock + extra, today) {
                prop_assert!(may_cancel(task, lock, today));
            }
        }
    }
}
