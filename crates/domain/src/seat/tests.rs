use super::*;
use chrono::Days;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

const PERSON: u128 = 1;
const CODE: u128 = 2;
const STRANGER: u128 = 3;
const OTHER_CODE: u128 = 4;

fn task_date() -> NaiveDate {
    date(2025, 11, 18)
}

fn invited() -> SeatState {
    SeatState::Invited { participant: id(PERSON), invitation_code: id(CODE) }
}

fn accepted() -> SeatState {
    SeatState::Accepted { participant: id(PERSON) }
}

fn freed(message: Option<MessageKind>, history: bool) -> Transition {
    Transition { state: SeatState::Available, participant: Some(id(PERSON)), write_rejection_history: history, message }
}

#[test]
fn invite_an_available_seat() {
    let t = SeatState::Available.invite(id(PERSON), id(CODE)).unwrap();
    assert_eq!(t.state, invited());
    assert_eq!(t.message, Some(MessageKind::Invitation));
    assert_eq!(t.participant, Some(id(PERSON)));
    assert!(!t.write_rejection_history);
}

#[test]
fn invitee_accepts_without_code() {
    let t = invited().accept(id(PERSON), None).unwrap();
    assert_eq!(t.state, accepted());
    assert_eq!(t.message, Some(MessageKind::RegistrationConfirmation));
    assert!(!t.write_rejection_history);
}

#[test]
fn matching_code_accepts_for_the_invitee() {
    let t = invited().accept(id(STRANGER), Some(id(CODE))).unwrap();
    assert_eq!(t.state, accepted());
}

#[test]
fn invitee_with_an_old_code_may_still_accept() {
    let t = invited().accept(id(PERSON), Some(id(OTHER_CODE))).unwrap();
    assert_eq!(t.state, accepted());
}

#[test]
fn neither_code_nor_person_matching_is_refused() {
    assert_eq!(invited().accept(id(STRANGER), Some(id(OTHER_CODE))), Err(SeatError::InvitationMismatch));
    assert_eq!(invited().accept(id(STRANGER), None), Err(SeatError::InvitationMismatch));
}

#[test]
fn self_sign_up_onto_an_available_seat() {
    let t = SeatState::Available.accept(id(STRANGER), None).unwrap();
    assert_eq!(t.state, SeatState::Accepted { participant: id(STRANGER) });
    assert_eq!(t.message, Some(MessageKind::RegistrationConfirmation));
}

#[test]
fn a_withdrawn_invitation_link_does_not_sign_up() {
    assert_eq!(SeatState::Available.accept(id(PERSON), Some(id(CODE))), Err(SeatError::InvitationMismatch));
}

#[test]
fn reject_frees_the_seat_with_history_and_confirmation() {
    let expected = freed(Some(MessageKind::CancellationConfirmation), true);
    assert_eq!(invited().reject(id(PERSON), None), Ok(expected));
    assert_eq!(invited().reject(id(STRANGER), Some(id(CODE))), Ok(expected));
}

#[test]
fn reject_needs_the_invitee_or_the_code() {
    assert_eq!(invited().reject(id(STRANGER), Some(id(OTHER_CODE))), Err(SeatError::InvitationMismatch));
}

#[test]
fn cancel_before_the_lock_period() {
    let today = date(2025, 11, 10);
    let t = accepted().cancel_by_participant(id(PERSON), task_date(), 7, today);
    assert_eq!(t, Ok(freed(Some(MessageKind::CancellationConfirmation), true)));
}

#[test]
fn cancel_inside_the_lock_period_is_refused() {
    let first_locked_day = date(2025, 11, 11);
    let result = accepted().cancel_by_participant(id(PERSON), task_date(), 7, first_locked_day);
    assert_eq!(result, Err(SeatError::LockPeriod));
    let result = accepted().cancel_by_participant(id(PERSON), task_date(), 7, task_date());
    assert_eq!(result, Err(SeatError::LockPeriod));
}

#[test]
fn only_the_holder_may_cancel() {
    let today = date(2025, 10, 1);
    let result = accepted().cancel_by_participant(id(STRANGER), task_date(), 7, today);
    assert_eq!(result, Err(SeatError::WrongParticipant));
}

#[test]
fn admin_removes_an_invitee_with_a_retraction() {
    let t = invited().remove_by_admin();
    assert_eq!(t, Ok(freed(Some(MessageKind::RetractedInvitation), false)));
}

#[test]
fn admin_removes_an_accepted_participant() {
    let t = accepted().remove_by_admin();
    assert_eq!(t, Ok(freed(Some(MessageKind::RemovedFromTask), false)));
}

#[test]
fn validation_drops_an_invitee_silently() {
    assert_eq!(invited().remove_by_validation(), Ok(freed(None, false)));
}

#[test]
fn validation_tells_an_accepted_participant() {
    let t = accepted().remove_by_validation();
    assert_eq!(t, Ok(freed(Some(MessageKind::RemovedByNewCprData), false)));
}

#[test]
fn count_lowering_takes_free_seats_without_side_effects() {
    let t = SeatState::Available.retract_by_count_lowering().unwrap();
    assert_eq!(t.state, SeatState::Available);
    assert_eq!(t.participant, None);
    assert_eq!(t.message, None);
    assert!(!t.write_rejection_history);
}

#[test]
fn count_lowering_tells_an_invitee() {
    let t = invited().retract_by_count_lowering();
    assert_eq!(t, Ok(freed(Some(MessageKind::RetractedInvitation), false)));
}

#[test]
fn count_lowering_never_takes_an_accepted_seat() {
    assert_eq!(
        accepted().retract_by_count_lowering(),
        Err(SeatError::NotAllowed { from: SeatStatus::Accepted, action: SeatAction::RetractByCountLowering })
    );
}

#[test]
fn check_in_on_the_task_date() {
    let t = accepted().check_in(task_date(), task_date()).unwrap();
    assert_eq!(t.state, SeatState::CheckedIn { participant: id(PERSON) });
    assert_eq!(t.message, None);
}

#[test]
fn late_arrival_after_no_show_can_be_checked_in() {
    let no_show = SeatState::NoShow { participant: id(PERSON) };
    let t = no_show.check_in(task_date(), task_date()).unwrap();
    assert_eq!(t.state, SeatState::CheckedIn { participant: id(PERSON) });
}

#[test]
fn mark_no_show_on_the_task_date() {
    let t = accepted().mark_no_show(task_date(), task_date()).unwrap();
    assert_eq!(t.state, SeatState::NoShow { participant: id(PERSON) });
    assert_eq!(t.message, None);
}

#[test]
fn attendance_only_on_the_task_date() {
    let before = task_date().pred_opt().unwrap();
    let after = task_date().succ_opt().unwrap();
    for today in [before, after] {
        assert_eq!(accepted().check_in(task_date(), today), Err(SeatError::NotTaskDate));
        assert_eq!(accepted().mark_no_show(task_date(), today), Err(SeatError::NotTaskDate));
    }
}

#[test]
fn illegal_transition_error_names_state_and_action() {
    let error = SeatState::Available.reject(id(PERSON), None).unwrap_err();
    assert_eq!(error, SeatError::NotAllowed { from: SeatStatus::Available, action: SeatAction::Reject });
    assert_eq!(error.to_string(), "Kan ikke afvise invitationen, når pladsen har status »Ledig«");
}

#[test]
fn accessors() {
    assert_eq!(invited().participant(), Some(id(PERSON)));
    assert_eq!(invited().invitation_code(), Some(id(CODE)));
    assert_eq!(accepted().invitation_code(), None);
    assert_eq!(SeatState::Available.participant(), None);
    assert_eq!(accepted().status(), SeatStatus::Accepted);
}

#[test]
fn status_keys_match_serde() {
    use serde::de::value::{Error, StrDeserializer};
    for status in SeatStatus::ALL {
        let parsed = SeatStatus::deserialize(StrDeserializer::<Error>::new(status.as_str()));
        assert_eq!(parsed, Ok(status));
    }
}

/// One state of each status, held by PERSON with CODE where relevant.
fn sample(status: SeatStatus) -> SeatState {
    let participant = id(PERSON);
    match status {
        SeatStatus::Available => SeatState::Available,
        SeatStatus::Invited => invited(),
        SeatStatus::Accepted => SeatState::Accepted { participant },
        SeatStatus::CheckedIn => SeatState::CheckedIn { participant },
        SeatStatus::NoShow => SeatState::NoShow { participant },
    }
}

/// Performs `action` with credentials and dates that satisfy every check
/// other than the state check, so only the state decides the outcome.
fn apply(state: SeatState, action: SeatAction) -> Result<Transition, SeatError> {
    let person = state.participant().unwrap_or(id(STRANGER));
    let code = state.invitation_code();
    let long_before = task_date().checked_sub_days(Days::new(30)).unwrap();
    match action {
        SeatAction::Invite => state.invite(id(STRANGER), id(OTHER_CODE)),
        SeatAction::Accept => state.accept(person, code),
        SeatAction::Reject => state.reject(person, code),
        SeatAction::CancelByParticipant => state.cancel_by_participant(person, task_date(), 7, long_before),
        SeatAction::RemoveByAdmin => state.remove_by_admin(),
        SeatAction::RemoveByValidation => state.remove_by_validation(),
        SeatAction::RetractByCountLowering => state.retract_by_count_lowering(),
        SeatAction::CheckIn => state.check_in(task_date(), task_date()),
        SeatAction::MarkNoShow => state.mark_no_show(task_date(), task_date()),
    }
}

/// The legal transitions, written out as a table, and the resulting status.
fn expected(from: SeatStatus, action: SeatAction) -> Option<SeatStatus> {
    use SeatAction as A;
    use SeatStatus as S;
    match (from, action) {
        (S::Available, A::Invite) => Some(S::Invited),
        (S::Available, A::Accept) => Some(S::Accepted),
        (S::Available, A::RetractByCountLowering) => Some(S::Available),
        (S::Invited, A::Accept) => Some(S::Accepted),
        (S::Invited, A::Reject | A::RemoveByAdmin | A::RemoveByValidation) => Some(S::Available),
        (S::Invited, A::RetractByCountLowering) => Some(S::Available),
        (S::Accepted, A::CancelByParticipant | A::RemoveByAdmin | A::RemoveByValidation) => Some(S::Available),
        (S::Accepted, A::CheckIn) => Some(S::CheckedIn),
        (S::Accepted, A::MarkNoShow) => Some(S::NoShow),
        (S::NoShow, A::CheckIn) => Some(S::CheckedIn),
        _ => None,
    }
}

#[test]
fn every_state_and_action_pair_follows_the_table() {
    for from in SeatStatus::ALL {
        for action in SeatAction::ALL {
            let result = apply(sample(from), action);
            match expected(from, action) {
                Some(to) => {
                    let t = result.unwrap_or_else(|e| panic!("{from:?} {action:?}: {e}"));
                    assert_eq!(t.state.status(), to, "{from:?} {action:?}");
                }
                None => assert_eq!(result, Err(SeatError::NotAllowed { from, action }), "{from:?} {action:?}"),
            }
        }
    }
}

#[test]
fn a_freed_seat_names_its_former_holder() {
    for from in [SeatStatus::Invited, SeatStatus::Accepted] {
        for action in SeatAction::ALL {
            if let Ok(t) = apply(sample(from), action)
                && t.state == SeatState::Available
            {
                assert_eq!(t.participant, Some(id(PERSON)), "{from:?} {action:?}");
            }
        }
    }
}

#[test]
fn only_the_participants_own_no_writes_history() {
    for from in SeatStatus::ALL {
        for action in SeatAction::ALL {
            if let Ok(t) = apply(sample(from), action) {
                let own_no = matches!(action, SeatAction::Reject | SeatAction::CancelByParticipant);
                assert_eq!(t.write_rejection_history, own_no, "{from:?} {action:?}");
            }
        }
    }
}
