//! Seats (one row per place to fill), their rejection history, public links.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{Cascade, Part, Refuse, SetNull, fk, stamped, table};

pub fn seats() -> Part {
    Part::default()
        .table(stamped(
            table("seats")
                .col(pk_uuid("id"))
                .col(uuid("election_id"))
                .col(uuid("work_location_id"))
                .col(uuid("team_id"))
                .col(uuid("task_type_id"))
                .col(date("task_date"))
                // A `domain` seat state key; see the check below.
                .col(string("state").default("available"))
                // One column: a seat can never have two participants.
                .col(uuid_null("participant_id"))
                .col(uuid_null("invitation_code"))
                .col(timestamp_with_time_zone_null("invited_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone_null("invitation_reminder_at"))
                .col(timestamp_with_time_zone_null("task_reminder_at"))
                .col(timestamp_with_time_zone_null("checked_in_at"))
                .col(boolean("invitation_sent").default(false))
                .col(boolean("registration_sent").default(false))
                .foreign_key(&mut fk("seats", "election_id", "elections", Cascade))
                .foreign_key(&mut fk("seats", "work_location_id", "work_locations", Cascade))
                .foreign_key(&mut fk("seats", "team_id", "teams", Cascade))
                .foreign_key(&mut fk("seats", "task_type_id", "task_types", Cascade))
                // Deleting a participant must free their seats explicitly (the
                // state has to change too), so the database refuses otherwise.
                .foreign_key(&mut fk("seats", "participant_id", "participants", Refuse))
                // A seat only exists at a work location taking part in its
                // election.
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_seats_election_work_location")
                        .from("seats", ("election_id", "work_location_id"))
                        .to("election_work_locations", ("election_id", "work_location_id"))
                        .on_delete(Cascade),
                )
                // A free seat has no participant and a taken one has one.
                .check((
                    "ck_seats_participant_matches_state",
                    Expr::col("participant_id").is_null().and(Expr::col("state").eq("available")).or(Expr::col(
                        "participant_id",
                    )
                    .is_not_null()
                    .and(Expr::col("state").ne("available"))),
                )),
        ))
        .index("seats", &["election_id"])
        .index("seats", &["election_id", "work_location_id", "team_id", "task_type_id", "task_date"])
        .index("seats", &["participant_id"])
        .unique("seats", &["invitation_code"])
        // The same task type on the same date always overlaps in time, so one
        // person can hold at most one such seat. NULLs are distinct in unique
        // indexes on both backends, so free seats are not affected and no
        // partial index is needed. This catches two admins assigning one
        // person at the same moment.
        .unique("seats", &["participant_id", "task_date", "task_type_id"])
        .table(
            table("rejected_seats")
                .col(pk_uuid("id"))
                // The seat may be deleted later; the history stays.
                .col(uuid_null("seat_id"))
                .col(uuid("election_id"))
                .col(uuid("work_location_id"))
                .col(uuid("team_id"))
                .col(uuid("task_type_id"))
                .col(uuid("participant_id"))
                .col(date("task_date"))
                // rejected / cancelled / removed_by_team_responsible …
                .col(string("reason"))
                .col(timestamp_with_time_zone("rejected_at"))
                .foreign_key(&mut fk("rejected_seats", "seat_id", "seats", SetNull))
                .foreign_key(&mut fk("rejected_seats", "election_id", "elections", Cascade))
                .foreign_key(&mut fk("rejected_seats", "work_location_id", "work_locations", Cascade))
                .foreign_key(&mut fk("rejected_seats", "team_id", "teams", Cascade))
                .foreign_key(&mut fk("rejected_seats", "task_type_id", "task_types", Cascade))
                .foreign_key(&mut fk("rejected_seats", "participant_id", "participants", Cascade)),
        )
        .index("rejected_seats", &["election_id"])
        .index("rejected_seats", &["participant_id"])
        .table(
            table("links")
                .col(pk_uuid("id"))
                // team / task / filtered.
                .col(string("kind"))
                // The unguessable public id in the URL.
                .col(string("token"))
                .col(uuid_null("election_id"))
                .col(uuid_null("team_id"))
                // What the link opens: seat kind or task filter, as JSON.
                .col(json_binary("target"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("links", "election_id", "elections", Cascade))
                .foreign_key(&mut fk("links", "team_id", "teams", Cascade)),
        )
        .unique("links", &["token"])
        .index("links", &["election_id"])
        .index("links", &["team_id"])
}
