//! Election dates and settings: the range of task dates around the election
//! date, the lock period, and how duplicating an election moves its seats.
//!
//! Range rule: first task date ≤ election date ≤ last task date, all three
//! inclusive. A range of a single day (first = last = election date) is
//! allowed: a by-election or referendum staffed only on the day itself should
//! not need an invented extra day. OS2valghalla demanded first < last; we
//! relax that on purpose.

use std::fmt;

use chrono::{Days, NaiveDate};

/// Lock periods longer than a year are surely typing errors.
pub const MAX_LOCK_DAYS: u32 = 365;

/// How far before or after the election date a duplicated election may
/// reach; generous, but keeps every date computation far from the calendar's
/// ends.
pub const MAX_WINDOW_DAYS: u32 = 365;

/// The election date and the inclusive range of dates on which its seats lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElectionDates {
    election: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
}

/// Why a set of dates is not a valid election range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DatesError {
    #[error("Første opgavedato skal ligge på eller før valgdatoen")]
    FirstAfterElection,
    #[error("Sidste opgavedato skal ligge på eller efter valgdatoen")]
    LastBeforeElection,
}

/// A seat that would fall outside a narrowed range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeatsOutside {
    #[error(
        "Der findes opgaver d. {}, som ligger før den nye første opgavedato. Fjern dem først, eller vælg en tidligere dato",
        dk(.0)
    )]
    BeforeFirst(NaiveDate),
    #[error(
        "Der findes opgaver d. {}, som ligger efter den nye sidste opgavedato. Fjern dem først, eller vælg en senere dato",
        dk(.0)
    )]
    AfterLast(NaiveDate),
}

fn dk(date: &NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

impl ElectionDates {
    /// Checks the range rule and returns every violation, not just the first.
    pub fn new(election: NaiveDate, first: NaiveDate, last: NaiveDate) -> Result<Self, Vec<DatesError>> {
        let mut errors = Vec::new();
        if first > election {
            errors.push(DatesError::FirstAfterElection);
        }
        if last < election {
            errors.push(DatesError::LastBeforeElection);
        }
        if errors.is_empty() { Ok(ElectionDates { election, first, last }) } else { Err(errors) }
    }

    pub fn election_date(&self) -> NaiveDate {
        self.election
    }

    pub fn first_task_date(&self) -> NaiveDate {
        self.first
    }

    pub fn last_task_date(&self) -> NaiveDate {
        self.last
    }

    /// Whether a seat on `date` may exist in this election (inclusive).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// Checks that the existing seats, from `earliest` to `latest`, still fit
    /// when the range is changed to this one. `None` means no seats.
    pub fn check_seats(&self, earliest: Option<NaiveDate>, latest: Option<NaiveDate>) -> Result<(), Vec<SeatsOutside>> {
        let mut errors = Vec::new();
        if let Some(date) = earliest.filter(|d| *d < self.first) {
            errors.push(SeatsOutside::BeforeFirst(date));
        }
        if let Some(date) = latest.filter(|d| *d > self.last) {
            errors.push(SeatsOutside::AfterLast(date));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The number of days before a task during which a participant may no longer
/// cancel on their own (see [`crate::lock`]). At least one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LockPeriod(u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LockPeriodError {
    #[error("Låseperioden skal være mindst 1 dag")]
    TooShort,
    #[error("Låseperioden må højst være {MAX_LOCK_DAYS} dage")]
    TooLong,
}

impl LockPeriod {
    pub fn new(days: i64) -> Result<Self, LockPeriodError> {
        if days < 1 {
            return Err(LockPeriodError::TooShort);
        }
        u32::try_from(days).ok().filter(|d| *d <= MAX_LOCK_DAYS).map(LockPeriod).ok_or(LockPeriodError::TooLong)
    }

    pub fn days(self) -> u32 {
        self.0
    }
}

impl fmt::Display for LockPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            1 => f.write_str("1 dag"),
            n => write!(f, "{n} dage"),
        }
    }
}

/// How a duplicated election takes its seats from the source: the seats in
/// the window `[source − before, source + after]` (inclusive) are copied and
/// keep their distance in days to the election date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyPlan {
    source_election: NaiveDate,
    new_election: NaiveDate,
    before: u32,
    after: u32,
    window_first: NaiveDate,
    window_last: NaiveDate,
    new_dates: ElectionDates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CopyPlanError {
    #[error("Antal dage før valgdatoen må højst være {MAX_WINDOW_DAYS}")]
    BeforeTooLong,
    #[error("Antal dage efter valgdatoen må højst være {MAX_WINDOW_DAYS}")]
    AfterTooLong,
    #[error("Datoerne ligger uden for kalenderen")]
    OutOfCalendar,
}

impl CopyPlan {
    pub fn new(
        source_election: NaiveDate,
        new_election: NaiveDate,
        before: u32,
        after: u32,
    ) -> Result<Self, CopyPlanError> {
        if before > MAX_WINDOW_DAYS {
            return Err(CopyPlanError::BeforeTooLong);
        }
        if after > MAX_WINDOW_DAYS {
            return Err(CopyPlanError::AfterTooLong);
        }
        let around = |date: NaiveDate| {
            let first = date.checked_sub_days(Days::new(before.into()))?;
            let last = date.checked_add_days(Days::new(after.into()))?;
            Some((first, last))
        };
        let (window_first, window_last) = around(source_election).ok_or(CopyPlanError::OutOfCalendar)?;
        let (new_first, new_last) = around(new_election).ok_or(CopyPlanError::OutOfCalendar)?;
        let new_dates = ElectionDates { election: new_election, first: new_first, last: new_last };
        Ok(CopyPlan { source_election, new_election, before, after, window_first, window_last, new_dates })
    }

    /// The source seats' dates that are copied, inclusive at both ends.
    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        (self.window_first, self.window_last)
    }

    /// Whether a source seat on `date` is copied.
    pub fn includes(&self, date: NaiveDate) -> bool {
        self.window_first <= date && date <= self.window_last
    }

    /// The copy's date for a source seat on `date`: the same number of days
    /// from the new election date. `None` for seats outside the window.
    pub fn shift(&self, date: NaiveDate) -> Option<NaiveDate> {
        if !self.includes(date) {
            return None;
        }
        let offset = date.signed_duration_since(self.source_election);
        // Inside the window, so the result lies inside the new range, which
        // `new` has already computed without overflow.
        self.new_election.checked_add_signed(offset)
    }

    /// The new election's dates: new date − before … new date + after.
    pub fn new_dates(&self) -> ElectionDates {
        self.new_dates
    }

    pub fn days_before(&self) -> u32 {
        self.before
    }

    pub fn days_after(&self) -> u32 {
        self.after
    }
}

/// Why a change to an election is refused, in Danish, shown instead of
/// carrying it out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElectionRefusal {
    #[error("Valget kan ikke slettes, mens det er aktivt. Deaktivér valget først.")]
    DeleteWhileActive,
    #[error("Valget er allerede aktivt.")]
    AlreadyActive,
    #[error("Valget er allerede deaktiveret.")]
    AlreadyInactive,
    #[error("{}", work_location_has_seats(.title, *.seats))]
    WorkLocationHasSeats { title: String, seats: u64 },
}

/// Whether an election may be deleted: never while active, since its
/// participants are being invited and messaged.
pub fn may_delete(active: bool) -> Result<(), ElectionRefusal> {
    if active { Err(ElectionRefusal::DeleteWhileActive) } else { Ok(()) }
}

/// Whether an election may be activated: not twice, since an activation
/// sends the election's pending invitations.
pub fn may_activate(active: bool) -> Result<(), ElectionRefusal> {
    if active { Err(ElectionRefusal::AlreadyActive) } else { Ok(()) }
}

pub fn may_deactivate(active: bool) -> Result<(), ElectionRefusal> {
    if active { Ok(()) } else { Err(ElectionRefusal::AlreadyInactive) }
}

/// Whether a work location may leave an election: only when none of the
/// election's seats lie there, so nobody's task disappears silently.
pub fn may_remove_work_location(title: &str, seats: u64) -> Result<(), ElectionRefusal> {
    if seats == 0 { Ok(()) } else { Err(ElectionRefusal::WorkLocationHasSeats { title: title.to_owned(), seats }) }
}

fn work_location_has_seats(title: &str, seats: u64) -> String {
    let seats = if seats == 1 { "1 opgave".to_owned() } else { format!("{seats} opgaver") };
    format!(
        "Arbejdsstedet »{title}« kan ikke fjernes fra valget, fordi det har {seats} i valget. Fjern opgaverne først."
    )
}

/// The channels tried in order when sending a message, as stored in the
/// elections table (`digital_post,email,sms`), in Danish for display:
/// "Digital Post → e-mail → SMS". Unknown keys are shown as they are.
pub fn channel_order_label(stored: &str) -> String {
    stored
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| match key {
            "digital_post" => "Digital Post",
            "email" => "e-mail",
            "sms" => "SMS",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests;
