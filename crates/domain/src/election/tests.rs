use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn day(n: i64) -> NaiveDate {
    date(2026, 1, 1) + chrono::Duration::days(n)
}

#[test]
fn election_date_inside_the_range_is_accepted() {
    let dates = ElectionDates::new(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 28)).unwrap();
    assert_eq!(dates.election_date(), date(2026, 10, 27));
    assert_eq!(dates.first_task_date(), date(2026, 10, 20));
    assert_eq!(dates.last_task_date(), date(2026, 10, 28));
}

#[test]
fn a_single_day_range_is_allowed() {
    let d = date(2026, 10, 27);
    assert!(ElectionDates::new(d, d, d).is_ok());
}

#[test]
fn first_after_election_is_refused() {
    let err = ElectionDates::new(date(2026, 10, 27), date(2026, 10, 28), date(2026, 10, 30)).unwrap_err();
    assert_eq!(err, vec![DatesError::FirstAfterElection]);
}

#[test]
fn last_before_election_is_refused() {
    let err = ElectionDates::new(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 26)).unwrap_err();
    assert_eq!(err, vec![DatesError::LastBeforeElection]);
}

#[test]
fn both_violations_are_reported() {
    // first > last also implies one of the two rules is broken, so it needs
    // no rule of its own.
    let err = ElectionDates::new(date(2026, 10, 27), date(2026, 10, 29), date(2026, 10, 25)).unwrap_err();
    assert_eq!(err, vec![DatesError::FirstAfterElection, DatesError::LastBeforeElection]);
}

#[test]
fn contains_is_inclusive() {
    let dates = ElectionDates::new(day(10), day(5), day(12)).unwrap();
    assert!(dates.contains(day(5)));
    assert!(dates.contains(day(12)));
    assert!(!dates.contains(day(4)));
    assert!(!dates.contains(day(13)));
}

#[test]
fn seats_must_fit_the_narrowed_range() {
    let dates = ElectionDates::new(day(10), day(8), day(11)).unwrap();
    assert_eq!(dates.check_seats(None, None), Ok(()));
    assert_eq!(dates.check_seats(Some(day(8)), Some(day(11))), Ok(()));
    assert_eq!(dates.check_seats(Some(day(7)), Some(day(10))), Err(vec![SeatsOutside::BeforeFirst(day(7))]));
    assert_eq!(dates.check_seats(Some(day(9)), Some(day(12))), Err(vec![SeatsOutside::AfterLast(day(12))]));
    assert_eq!(dates.check_seats(Some(day(1)), Some(day(20))).unwrap_err().len(), 2);
}

#[test]
fn seat_messages_show_danish_dates() {
    let text = SeatsOutside::BeforeFirst(date(2026, 10, 3)).to_string();
    assert!(text.contains("03-10-2026"), "{text}");
}

#[test]
fn lock_period_is_at_least_one_day() {
    assert_eq!(LockPeriod::new(0), Err(LockPeriodError::TooShort));
    assert_eq!(LockPeriod::new(-3), Err(LockPeriodError::TooShort));
    assert_eq!(LockPeriod::new(1).map(LockPeriod::days), Ok(1));
    assert_eq!(LockPeriod::new(365).map(LockPeriod::days), Ok(365));
    assert_eq!(LockPeriod::new(366), Err(LockPeriodError::TooLong));
    assert_eq!(LockPeriod::new(i64::MAX), Err(LockPeriodError::TooLong));
    assert_eq!(LockPeriod::new(1).unwrap().to_string(), "1 dag");
    assert_eq!(LockPeriod::new(7).unwrap().to_string(), "7 dage");
}

#[test]
fn copy_plan_moves_seats_to_the_new_election() {
    // Folketingsvalg 27 October 2026 copied to a referendum on 1 June 2027.
    let plan = CopyPlan::new(date(2026, 10, 27), date(2027, 6, 1), 7, 1).unwrap();
    assert_eq!(plan.window(), (date(2026, 10, 20), date(2026, 10, 28)));
    assert_eq!(plan.shift(date(2026, 10, 27)), Some(date(2027, 6, 1)));
    assert_eq!(plan.shift(date(2026, 10, 20)), Some(date(2027, 5, 25)));
    assert_eq!(plan.shift(date(2026, 10, 28)), Some(date(2027, 6, 2)));
    assert_eq!(plan.shift(date(2026, 10, 19)), None);
    assert_eq!(plan.shift(date(2026, 10, 29)), None);
    let new = plan.new_dates();
    assert_eq!(
        (new.first_task_date(), new.election_date(), new.last_task_date()),
        (date(2027, 5, 25), date(2027, 6, 1), date(2027, 6, 2))
    );
}

#[test]
fn copy_window_of_zero_days_takes_the_election_day_only() {
    let plan = CopyPlan::new(day(10), day(40), 0, 0).unwrap();
    assert!(plan.includes(day(10)));
    assert!(!plan.includes(day(9)));
    assert!(!plan.includes(day(11)));
    assert_eq!(plan.new_dates(), ElectionDates::new(day(40), day(40), day(40)).unwrap());
}

#[test]
fn copy_window_is_bounded() {
    assert_eq!(CopyPlan::new(day(0), day(1), MAX_WINDOW_DAYS + 1, 0), Err(CopyPlanError::BeforeTooLong));
    assert_eq!(CopyPlan::new(day(0), day(1), 0, MAX_WINDOW_DAYS + 1), Err(CopyPlanError::AfterTooLong));
    assert_eq!(CopyPlan::new(NaiveDate::MAX, day(1), 0, 1), Err(CopyPlanError::OutOfCalendar));
    assert_eq!(CopyPlan::new(day(1), NaiveDate::MIN, 1, 0), Err(CopyPlanError::OutOfCalendar));
}

#[test]
fn channel_order_in_danish() {
    assert_eq!(channel_order_label("digital_post,email,sms"), "Digital Post → e-mail → SMS");
    assert_eq!(channel_order_label("sms, email"), "SMS → e-mail");
    assert_eq!(channel_order_label(""), "");
}

proptest! {
    #[test]
    fn shift_keeps_the_offset_to_the_election_date(
        source in -2000i64..2000,
        target in -2000i64..2000,
        before in 0u32..=MAX_WINDOW_DAYS,
        after in 0u32..=MAX_WINDOW_DAYS,
        seat in -800i64..800,
    ) {
        let plan = CopyPlan::new(day(source), day(target), before, after).unwrap();
        let seat_date = day(source + seat);
        if let Some(copy) = plan.shift(seat_date) {
            prop_assert_eq!(copy - day(target), seat_date - day(source));
            prop_assert!(plan.new_dates().contains(copy));
        }
    }

    #[test]
    fn window_filter_is_inclusive(
        source in -2000i64..2000,
        before in 0u32..=MAX_WINDOW_DAYS,
        after in 0u32..=MAX_WINDOW_DAYS,
        seat in -800i64..800,
    ) {
        let plan = CopyPlan::new(day(source), day(0), before, after).unwrap();
        let inside = -i64::from(before) <= seat && seat <= i64::from(after);
        prop_assert_eq!(plan.includes(day(source + seat)), inside);
        prop_assert_eq!(plan.shift(day(source + seat)).is_some(), inside);
        prop_assert!(plan.includes(day(source - i64::from(before))));
        prop_assert!(plan.includes(day(source + i64::from(after))));
    }

    #[test]
    fn range_rule_matches_its_definition(e in 0i64..60, f in 0i64..60, l in 0i64..60) {
        let ok = ElectionDates::new(day(e), day(f), day(l)).is_ok();
        prop_assert_eq!(ok, f <= e && e <= l);
    }

    #[test]
    fn new_range_is_always_valid(
        target in -2000i64..2000,
        before in 0u32..=MAX_WINDOW_DAYS,
        after in 0u32..=MAX_WINDOW_DAYS,
    ) {
        let plan = CopyPlan::new(day(0), day(target), before, after).unwrap();
        let d = plan.new_dates();
        prop_assert!(ElectionDates::new(d.election_date(), d.first_task_date(), d.last_task_date()).is_ok());
        prop_assert_eq!(d.election_date() - d.first_task_date(), chrono::Duration::days(before.into()));
        prop_assert_eq!(d.last_task_date() - d.election_date(), chrono::Duration::days(after.into()));
    }
}

#[test]
fn an_active_election_cannot_be_deleted() {
    assert_eq!(may_delete(false), Ok(()));
    let refusal = may_delete(true).unwrap_err();
    assert!(refusal.to_string().contains("mens det er aktivt"));
}

#[test]
fn a_work_location_with_seats_stays_in_the_election() {
    assert_eq!(may_remove_work_location("Korsbæk Skole", 0), Ok(()));
    let one = may_remove_work_location("Korsbæk Skole", 1).unwrap_err().to_string();
    assert!(one.contains("»Korsbæk Skole«") && one.contains("1 opgave "), "{one}");
    let many = may_remove_work_location("Korsbæk Skole", 12).unwrap_err().to_string();
    assert!(many.contains("12 opgaver"), "{many}");
}

#[test]
fn activation_toggles_only_once() {
    assert_eq!(may_activate(false), Ok(()));
    assert_eq!(may_activate(true), Err(ElectionRefusal::AlreadyActive));
    assert_eq!(may_deactivate(true), Ok(()));
    assert_eq!(may_deactivate(false), Err(ElectionRefusal::AlreadyInactive));
}
