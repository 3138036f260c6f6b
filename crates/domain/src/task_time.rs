//! The daily time span of a task type ("08:00–20:00", or a night count
//! "20:00–02:00 (+1 dag)").

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::conflict::TaskWindow;

/// Start and end time of a task type. An end earlier than the start means the
/// task passes midnight and ends the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TaskTimes {
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TaskTimesError {
    /// The reference caps a task at less than 24 hours; equal times would
    /// read as either nothing or a full day, so they are refused.
    #[error("Sluttidspunktet må ikke være det samme som starttidspunktet")]
    SameTime,
}

impl TaskTimes {
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<TaskTimes, TaskTimesError> {
        if start == end {
            return Err(TaskTimesError::SameTime);
        }
        Ok(TaskTimes { start, end })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }

    pub fn passes_midnight(&self) -> bool {
        self.end < self.start
    }

    /// The task as it takes place on `date`.
    pub fn on(&self, date: NaiveDate) -> TaskWindow {
        TaskWindow::new(date, self.start, self.end)
    }
}

/// "20:00–02:00 (+1 dag)" when the task passes midnight, else "08:00–20:00".
impl fmt::Display for TaskTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", self.start.format("%H:%M"), self.end.format("%H:%M"))?;
        if self.passes_midnight() {
            f.write_str(" (+1 dag)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_day_task_is_shown_plainly() {
        let times = TaskTimes::new(time(8, 0), time(20, 0)).unwrap();
        assert!(!times.passes_midnight());
        assert_eq!(times.to_string(), "08:00–20:00");
    }

    #[test]
    fn an_end_before_the_start_passes_midnight() {
        let times = TaskTimes::new(time(20, 0), time(2, 0)).unwrap();
        assert!(times.passes_midnight());
        assert_eq!(times.to_string(), "20:00–02:00 (+1 dag)");
    }

    #[test]
    fn equal_times_are_refused() {
        assert_eq!(TaskTimes::new(time(8, 0), time(8, 0)), Err(TaskTimesError::SameTime));
    }

    #[test]
    fn a_night_task_ends_on_the_next_date() {
        let date = NaiveDate::from_ymd_opt(2026, 10, 27).unwrap();
        let window = TaskTimes::new(time(20, 0), time(2, 0)).unwrap().on(date);
        let interval = window.to_interval();
        assert_eq!(interval.end.date(), date.succ_opt().unwrap());
        assert_eq!(interval.end.time(), time(2, 0));
    }
}
