//! Participants and what hangs off them, admin users, sessions.

use sea_orm_migration::schema::*;

use super::helpers::{Cascade, Part, SetNull, fk, stamped, table};
use super::structure::join;

pub fn participants() -> Part {
    Part::default()
        .table(stamped(
            table("participants")
                .col(pk_uuid("id"))
                // AES-256-GCM ciphertext (see `crate::crypto`); never searched.
                .col(blob("cpr_encrypted"))
                // Keyed hash of the CPR number: how a person is found, and
                // what makes a second profile for one person impossible.
                .col(string("cpr_hash"))
                .col(string("first_name"))
                .col(string("last_name"))
                .col(string("street_address").default(""))
                .col(string("co_address").default(""))
                .col(string("postal_code").default(""))
                .col(string("city").default(""))
                .col(string_null("municipality_code"))
                // CPR country code of citizenship ("5100" is Denmark).
                .col(string_null("citizenship"))
                .col(date("birth_date"))
                .col(boolean("deceased").default(false))
                .col(boolean("disappeared").default(false))
                .col(boolean("under_guardianship").default(false))
                .col(boolean("exempt_digital_post").default(false))
                .col(boolean("protected_address").default(false))
                .col(string_null("mobile"))
                .col(string_null("email"))
                // valid / provisional / failing.
                .col(string("validation_state").default("provisional"))
                // Comma-separated failed-rule keys; empty when valid.
                .col(text("validation_reasons").default(""))
                .col(timestamp_with_time_zone_null("last_checked_at"))
                // Where the CPR data came from (live service, local copy …),
                // so staff see "from date X" when it is not fresh.
                .col(string_null("cpr_source"))
                .col(timestamp_with_time_zone_null("cpr_fetched_at"))
                .col(date_null("consent_until")),
        ))
        .unique("participants", &["cpr_hash"])
        .index("participants", &["last_name", "first_name"])
        .index("participants", &["birth_date"])
        .table(&mut join("team_members", "team_id", "teams", "participant_id", "participants"))
        .index("team_members", &["participant_id"])
        .table(&mut join("team_responsibles", "team_id", "teams", "participant_id", "participants"))
        .index("team_responsibles", &["participant_id"])
        .table(&mut join("participant_diets", "participant_id", "participants", "diet_id", "special_diets"))
}

pub fn users() -> Part {
    Part::default()
        .table(stamped(
            table("users")
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(string_null("email"))
                // The FK Adgangsstyring identity (NameID serial / UUID).
                .col(string_null("fk_uuid"))
                // administrator / secretariat / reader.
                .col(string("role"))
                // Bound MitID identity for the fallback login.
                .col(blob_null("cpr_encrypted"))
                .col(string_null("cpr_hash"))
                // Roles FK granted at the last FK login, comma-separated;
                // the fallback login grants these if they are recent enough.
                .col(string("last_fk_roles").default(""))
                .col(timestamp_with_time_zone_null("last_fk_login_at"))
                .col(boolean("active").default(true)),
        ))
        .unique("users", &["fk_uuid"])
        .unique("users", &["cpr_hash"])
        .table(stamped(
            table("participant_comments")
                .col(pk_uuid("id"))
                .col(uuid("participant_id"))
                .col(text("text"))
                .col(uuid_null("author_user_id"))
                // Kept so the comment still says who wrote it after the user
                // is gone.
                .col(string("author_name"))
                .foreign_key(&mut fk("participant_comments", "participant_id", "participants", Cascade))
                .foreign_key(&mut fk("participant_comments", "author_user_id", "users", SetNull)),
        ))
        .index("participant_comments", &["participant_id"])
}

pub fn sessions() -> Part {
    Part::default()
        .table(
            table("sessions")
                // SHA-256 (hex) of the opaque cookie value: a leaked database
                // does not yield usable session ids.
                .col(string_len("id_hash", 64).primary_key())
                .col(uuid_null("user_id"))
                .col(uuid_null("participant_id"))
                // admin / portal.
                .col(string("app"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(json_binary("data"))
                .foreign_key(&mut fk("sessions", "user_id", "users", Cascade))
                .foreign_key(&mut fk("sessions", "participant_id", "participants", Cascade)),
        )
        .index("sessions", &["expires_at"])
        .index("sessions", &["user_id"])
        .index("sessions", &["participant_id"])
}
