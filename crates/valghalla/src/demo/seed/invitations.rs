//! Invitations waiting for the demo election to be activated, as an admin's
//! "Tildel" leaves them in an inactive election: the seat is invited, its
//! message not yet sent. Activating the election sends them, so the demo shows
//! delivery by Digital Post to those signed up for it and by e-mail or SMS to
//! the exempt: every exempt participant is invited, and the rest are filled up
//! with people signed up for Digital Post. Only people with an e-mail address
//! or a mobile number are chosen, so every one of them can also be reached
//! when Digital Post is down.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use store::entity::seats;
use uuid::Uuid;

use super::people::Seeded;

/// How many invitations wait for the activation.
pub const WAITING: usize = 30;

/// Invites up to [`WAITING`] of `people` into free seats of their teams in
/// `election`; returns how many were invited.
pub async fn seed_waiting(
    db: &impl sea_orm::ConnectionTrait,
    election: Uuid,
    people: &[Seeded],
) -> anyhow::Result<usize> {
    let reachable = people.iter().filter(|p| p.has_contact);
    let (exempt, registered): (Vec<&Seeded>, Vec<&Seeded>) = reachable.partition(|p| p.exempt_digital_post);
    let mut invited = 0;
    for person in exempt.into_iter().chain(registered) {
        if invited == WAITING {
            break;
        }
        if invite(db, election, person).await? {
            invited += 1;
        }
    }
    Ok(invited)
}

/// Puts the person in the first free seat of their team; false if none is free.
async fn invite(db: &impl sea_orm::ConnectionTrait, election: Uuid, person: &Seeded) -> anyhow::Result<bool> {
    let free = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election))
        .filter(seats::Column::TeamId.eq(person.team))
        .filter(seats::Column::ParticipantId.is_null())
        .order_by_asc(seats::Column::TaskDate)
        .order_by_asc(seats::Column::Id)
        .one(db)
        .await?;
    let Some(seat) = free else { return Ok(false) };
    let now = Utc::now();
    let mut row: seats::ActiveModel = seat.into();
    row.state = Set("invited".into());
    row.participant_id = Set(Some(person.id));
    row.invitation_code = Set(Some(Uuid::new_v4()));
    row.invited_at = Set(Some(now));
    row.invitation_sent = Set(false);
    row.updated_at = Set(now);
    row.update(db).await?;
    Ok(true)
}
