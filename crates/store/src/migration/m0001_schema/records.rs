//! Message log, audit log and the small configuration tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{Cascade, Part, SetNull, fk, table};

pub fn records() -> Part {
    Part::default()
        .table(
            table("message_log")
                .col(pk_uuid("id"))
                // Deleting a person deletes what was sent to them.
                .col(uuid("participant_id"))
                .col(uuid_null("election_id"))
                .col(uuid_null("seat_id"))
                // A `domain::message::MessageKind` key.
                .col(string("kind"))
                // automatic / manual.
                .col(string("send_type"))
                // Comma-separated channel keys: the order planned when queued,
                // and the channels actually tried so far.
                .col(string("channel_order"))
                .col(string("channels_tried").default(""))
                .col(string_null("channel"))
                // queued / sent / delivered / failed / fell_back / unreachable.
                .col(string("status"))
                .col(text("subject"))
                .col(text("body"))
                .col(text("sms_text").default(""))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                // Fixed when queued so that a retry after an unknown outcome
                // reuses them and the remote side deduplicates.
                .col(uuid("digital_post_message_id"))
                .col(string("sms_message_id"))
                .col(string_null("email_message_id"))
                .col(timestamp_with_time_zone("queued_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .col(timestamp_with_time_zone_null("failed_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("message_log", "participant_id", "participants", Cascade))
                .foreign_key(&mut fk("message_log", "election_id", "elections", SetNull))
                .foreign_key(&mut fk("message_log", "seat_id", "seats", SetNull)),
        )
        .index("message_log", &["participant_id"])
        .index("message_log", &["election_id"])
        .index("message_log", &["status"])
        .index("message_log", &["queued_at"])
        .unique("message_log", &["digital_post_message_id"])
        .unique("message_log", &["sms_message_id"])
        // No foreign keys on purpose: the audit trail must outlive the users,
        // participants and rows it talks about, until retention removes it.
        .table(
            table("audit_log")
                .col(pk_uuid("id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_user_id"))
                .col(string("actor_name"))
                // The actor logged in through a fallback (e.g. MitID instead
                // of FK Adgangsstyring).
                .col(boolean("fallback").default(false))
                .col(string("action"))
                .col(string("entity_table"))
                // Text because some keys are not UUIDs (settings, web pages).
                .col(string_null("entity_id"))
                .col(uuid_null("participant_id"))
                .col(text("description").default("")),
        )
        .index("audit_log", &["at"])
        .index("audit_log", &["participant_id"])
        .index("audit_log", &["actor_user_id"])
        .index("audit_log", &["entity_table", "entity_id"])
        .table(
            table("web_pages")
                // front / faq / privacy / consent …
                .col(string("key").primary_key())
                .col(string("title").default(""))
                .col(text("body").default(""))
                .col(boolean("active").default(false))
                .col(timestamp_with_time_zone("updated_at")),
        )
        .table(
            table("contact_information")
                // Always 1: the table holds exactly one row, seeded empty.
                .col(integer("id").primary_key())
                .col(string("municipality_name").default(""))
                .col(string("department").default(""))
                .col(string("address").default(""))
                .col(string("postal_code").default(""))
                .col(string("city").default(""))
                .col(string("phone").default(""))
                .col(string("email").default(""))
                .col(string("digital_post_url").default(""))
                .col(uuid_null("logo_file_id"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("contact_information", "logo_file_id", "files", SetNull))
                .check(("ck_contact_information_single_row", Expr::col("id").eq(1))),
        )
        .table(
            table("settings")
                .col(string("key").primary_key())
                .col(text("value"))
                .col(timestamp_with_time_zone("updated_at")),
        )
}
