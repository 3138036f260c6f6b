//! When teams, task types and work locations may be deleted or changed, and
//! when a team responsible may remove a member. The counts come from the
//! database; the decisions and their Danish wording live here.

use chrono::NaiveDate;

use crate::seat::SeatStatus;

/// Why a team or work location may not be deleted or changed, in Danish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffingRefusal {
    #[error("{}", team_in_active_election(*.0))]
    TeamInActiveElection(u64),
    #[error("{}", team_sole_team(*.0))]
    TeamIsSoleTeam(u64),
    #[error("{}", location_in_active_election(*.0))]
    WorkLocationInActiveElection(u64),
    #[error(
        "Opgavetyper og teams kan ikke ændres, mens arbejdsstedet er med i et aktivt valg. \
         Deaktivér valget først."
    )]
    StaffingLocked,
}

fn elections(n: u64) -> String {
    if n == 1 { "et aktivt valg".to_owned() } else { format!("{n} aktive valg") }
}

fn team_in_active_election(n: u64) -> String {
    format!("Teamet kan ikke slettes, fordi det har opgaver i {}.", elections(n))
}

fn team_sole_team(n: u64) -> String {
    let people = if n == 1 { "1 deltager".to_owned() } else { format!("{n} deltagere") };
    format!(
        "Teamet kan ikke slettes, fordi {people} kun er med i dette team. \
         Alle deltagere skal være med i mindst ét team: flyt dem til et andet team først."
    )
}

fn location_in_active_election(n: u64) -> String {
    format!("Arbejdsstedet kan ikke slettes, fordi det er med i {}.", elections(n))
}

/// A team may go only when no active election has seats for it and no
/// participant would be left without any team.
pub fn may_delete_team(active_elections_with_seats: u64, members_only_here: u64) -> Result<(), StaffingRefusal> {
    if active_elections_with_seats > 0 {
        return Err(StaffingRefusal::TeamInActiveElection(active_elections_with_seats));
    }
    if members_only_here > 0 {
        return Err(StaffingRefusal::TeamIsSoleTeam(members_only_here));
    }
    Ok(())
}

/// A work location may go only when no active election includes it.
pub fn may_delete_work_location(active_elections: u64) -> Result<(), StaffingRefusal> {
    if active_elections > 0 {
        return Err(StaffingRefusal::WorkLocationInActiveElection(active_elections));
    }
    Ok(())
}

/// While an active election includes a work location, its task types and
/// teams are fixed: seats have been distributed over exactly those.
pub fn may_change_staffing(active_elections: u64) -> Result<(), StaffingRefusal> {
    if active_elections > 0 { Err(StaffingRefusal::StaffingLocked) } else { Ok(()) }
}

/// The confirmation text for deleting a task type, which takes its seats
/// with it.
pub fn task_type_delete_warning(seats: u64, occupied: u64) -> String {
    match (seats, occupied) {
        (0, _) => "Opgavetypen har ingen opgaver.".to_owned(),
        (1, 0) => "Opgavetypens ene opgave slettes også.".to_owned(),
        (1, _) => "Opgavetypens ene opgave slettes også, og deltageren mister den.".to_owned(),
        (n, 0) => format!("Opgavetypens {n} opgaver slettes også."),
        (n, 1) => format!("Opgavetypens {n} opgaver slettes også, og 1 deltager mister sin opgave."),
        (n, k) => format!("Opgavetypens {n} opgaver slettes også, og {k} deltagere mister deres opgave."),
    }
}

/// Whether a seat is a member's record of having served on the team, which
/// keeps a team responsible from removing them (reference §3): a seat they
/// accepted (checked in or not shown up included) that lies in the past, or
/// whose election has ended. Such seats are the team's history — payments,
/// attendance — and must keep pointing at a member of the team.
pub fn served_on_team(status: SeatStatus, task_date: NaiveDate, election_ends: NaiveDate, today: NaiveDate) -> bool {
    let accepted = matches!(status, SeatStatus::Accepted | SeatStatus::CheckedIn | SeatStatus::NoShow);
    accepted && (task_date < today || election_ends < today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_past_accepted_seat_is_service_on_the_team() {
        let today = day(10);
        for status in [SeatStatus::Accepted, SeatStatus::CheckedIn, SeatStatus::NoShow] {
            assert!(served_on_team(status, day(9), day(9), today), "{status:?} yesterday");
            assert!(!served_on_team(status, day(10), day(12), today), "{status:?} today is not past");
        }
        for status in [SeatStatus::Available, SeatStatus::Invited] {
            assert!(!served_on_team(status, day(1), day(1), today), "{status:?} was never accepted");
        }
    }

    #[test]
    fn an_accepted_seat_of_an_ended_election_is_service_on_the_team() {
        // The seat's date was moved past the election's end; the election has ended all the same.
        assert!(served_on_team(SeatStatus::Accepted, day(20), day(9), day(10)));
        assert!(!served_on_team(SeatStatus::Accepted, day(20), day(10), day(10)), "ends today: not yet ended");
    }

    #[test]
    fn team_with_seats_in_an_active_election_stays() {
        assert_eq!(may_delete_team(0, 0), Ok(()));
        let refusal = may_delete_team(1, 0).unwrap_err();
        assert!(refusal.to_string().contains("har opgaver i et aktivt valg"));
        assert!(may_delete_team(2, 0).unwrap_err().to_string().contains("2 aktive valg"));
    }

    #[test]
    fn team_that_is_someones_only_team_stays() {
        assert_eq!(may_delete_team(0, 3), Err(StaffingRefusal::TeamIsSoleTeam(3)));
        assert!(StaffingRefusal::TeamIsSoleTeam(1).to_string().contains("1 deltager kun"));
        // The active election is the more pressing reason.
        assert_eq!(may_delete_team(1, 3), Err(StaffingRefusal::TeamInActiveElection(1)));
    }

    #[test]
    fn work_location_in_an_active_election_stays_and_is_locked() {
        assert_eq!(may_delete_work_location(0), Ok(()));
        assert!(may_delete_work_location(1).unwrap_err().to_string().contains("med i et aktivt valg"));
        assert_eq!(may_change_staffing(0), Ok(()));
        assert_eq!(may_change_staffing(2), Err(StaffingRefusal::StaffingLocked));
    }

    #[test]
    fn task_type_warning_counts_seats_and_people() {
        assert_eq!(task_type_delete_warning(0, 0), "Opgavetypen har ingen opgaver.");
        assert!(task_type_delete_warning(1, 0).contains("ene opgave"));
        assert!(task_type_delete_warning(12, 0).contains("12 opgaver"));
        assert!(task_type_delete_warning(12, 1).contains("1 deltager mister sin"));
        assert!(task_type_delete_warning(12, 4).contains("4 deltagere mister"));
    }
}
