//! Time conflicts between a person's seats.
//!
//! The reference system compared start and end times on the same date only,
//! so a night count running past midnight never clashed with an early task
//! the next morning. Here every task becomes a real interval in local time.

use std::ops::Range;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// When a task takes place: its date and local start and end times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaskWindow {
    pub date: NaiveDate,
    pub start: NaiveTime,
    /// At or before `start` means the task ends the next day (a task from
    /// 08:00 to 08:00 lasts 24 hours, never zero).
    pub end: NaiveTime,
}

impl TaskWindow {
    pub fn new(date: NaiveDate, start: NaiveTime, end: NaiveTime) -> TaskWindow {
        TaskWindow { date, start, end }
    }

    pub fn passes_midnight(&self) -> bool {
        self.end <= self.start
    }

    /// Half-open: the end instant itself is not part of the task.
    pub fn to_interval(&self) -> Range<NaiveDateTime> {
        let end_date = if self.passes_midnight() {
            // Only fails at chrono's last representable date.
            self.date.checked_add_days(Days::new(1)).unwrap_or(self.date)
        } else {
            self.date
        };
        self.date.and_time(self.start)..end_date.and_time(self.end)
    }
}

/// True when the two tasks share some moment. One ending exactly when the
/// other starts is fine: that is a change of shift, not a clash.
pub fn overlaps(a: &TaskWindow, b: &TaskWindow) -> bool {
    let (a, b) = (a.to_interval(), b.to_interval());
    a.start < b.end && b.start < a.end
}

/// The ids of the existing seats whose windows clash with `new`.
pub fn conflicts(new: &TaskWindow, existing: &[(Uuid, TaskWindow)]) -> Vec<Uuid> {
    existing.iter().filter(|(_, window)| overlaps(new, window)).map(|(id, _)| *id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn window(day: u32, start: (u32, u32), end: (u32, u32)) -> TaskWindow {
        TaskWindow::new(date(2025, 11, day), time(start.0, start.1), time(end.0, end.1))
    }

    #[test]
    fn same_date_overlapping() {
        let a = window(18, (7, 30), (20, 0));
        let b = window(18, (19, 0), (23, 0));
        assert!(overlaps(&a, &b));
    }

    #[test]
    fn same_date_adjacent_is_no_conflict() {
        let a = window(18, (7, 30), (14, 0));
        let b = window(18, (14, 0), (20, 0));
        assert!(!overlaps(&a, &b));
        assert!(!overlaps(&b, &a));
    }

    #[test]
    fn same_date_apart() {
        assert!(!overlaps(&window(18, (8, 0), (10, 0)), &window(18, (11, 0), (12, 0))));
    }

    #[test]
    fn different_dates_do_not_conflict() {
        assert!(!overlaps(&window(18, (8, 0), (20, 0)), &window(19, (8, 0), (20, 0))));
    }

    #[test]
    fn night_task_clashes_with_an_early_task_next_day() {
        let count = window(18, (20, 0), (2, 0));
        let morning = window(19, (1, 0), (9, 0));
        assert!(overlaps(&count, &morning));
        assert!(overlaps(&morning, &count));
    }

    #[test]
    fn night_task_ending_when_next_starts_is_fine() {
        let count = window(18, (20, 0), (2, 0));
        let morning = window(19, (2, 0), (9, 0));
        assert!(!overlaps(&count, &morning));
    }

    #[test]
    fn night_task_clashes_with_a_late_task_the_same_evening() {
        let count = window(18, (22, 0), (3, 0));
        let evening = window(18, (17, 0), (22, 30));
        assert!(overlaps(&count, &evening));
    }

    #[test]
    fn interval_crosses_midnight_when_end_is_not_after_start() {
        let night = window(18, (20, 0), (2, 0));
        assert!(night.passes_midnight());
        assert_eq!(night.to_interval().end, date(2025, 11, 19).and_time(time(2, 0)));
        let day = window(18, (8, 0), (20, 0));
        assert!(!day.passes_midnight());
        assert_eq!(day.to_interval().end, date(2025, 11, 18).and_time(time(20, 0)));
    }

    #[test]
    fn equal_start_and_end_is_a_full_day() {
        let full = window(18, (8, 0), (8, 0));
        let interval = full.to_interval();
        assert_eq!(interval.end - interval.start, chrono::TimeDelta::hours(24));
        assert!(overlaps(&full, &window(19, (7, 0), (9, 0))));
    }

    #[test]
    fn conflicts_lists_every_clashing_seat() {
        let new = window(18, (20, 0), (2, 0));
        let existing = [
            (Uuid::from_u128(1), window(18, (8, 0), (20, 0))),
            (Uuid::from_u128(2), window(18, (19, 0), (21, 0))),
            (Uuid::from_u128(3), window(19, (1, 0), (5, 0))),
            (Uuid::from_u128(4), window(19, (2, 0), (5, 0))),
            (Uuid::from_u128(5), window(17, (23, 0), (21, 0))),
        ];
        assert_eq!(conflicts(&new, &existing), [Uuid::from_u128(2), Uuid::from_u128(3), Uuid::from_u128(5)]);
        assert!(conflicts(&new, &[]).is_empty());
    }

    fn windows() -> impl Strategy<Value = TaskWindow> {
        (16u32..=20, 0u32..24, 0u32..4, 0u32..24, 0u32..4)
            .prop_map(|(day, sh, sq, eh, eq)| window(day, (sh, sq * 15), (eh, eq * 15)))
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric(a in windows(), b in windows()) {
            prop_assert_eq!(overlaps(&a, &b), overlaps(&b, &a));
        }

        #[test]
        fn a_window_overlaps_itself(a in windows()) {
            prop_assert!(overlaps(&a, &a));
        }

        #[test]
        fn intervals_are_never_empty_nor_longer_than_a_day(a in windows()) {
            let interval = a.to_interval();
            let length = interval.end - interval.start;
            prop_assert!(length > chrono::TimeDelta::zero());
            prop_assert!(length <= chrono::TimeDelta::hours(24));
        }

        #[test]
        fn overlap_agrees_with_a_minute_by_minute_check(a in windows(), b in windows()) {
            let (ia, ib) = (a.to_interval(), b.to_interval());
            let mut minute = ia.start;
            let mut shared = false;
            while minute < ia.end {
                shared |= ib.contains(&minute);
                minute += chrono::TimeDelta::minutes(15);
            }
            prop_assert_eq!(overlaps(&a, &b), shared);
        }

        #[test]
        fn windows_two_days_apart_never_clash(a in windows()) {
            let later = TaskWindow { date: a.date + Days::new(2), ..a };
            prop_assert!(!overlaps(&a, &later));
        }
    }
}
