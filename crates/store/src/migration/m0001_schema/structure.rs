//! The election structure staff set up: files, election types, areas, task
//! types, teams, special diets, work locations, message templates, elections.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{Cascade, Part, Refuse, fk, pk, stamped, table};

/// Binary content (PDF attachments, logo) lives in the tenant database, so a
/// backup of the database is a backup of everything.
pub fn files() -> Part {
    Part::default()
        .table(stamped(
            table("files")
                .col(pk_uuid("id"))
                .col(string("file_name"))
                .col(string("mime_type"))
                .col(big_integer("size_bytes"))
                .col(string("sha256"))
                .col(blob("content")),
        ))
        .index("files", &["sha256"])
}

// Names and titles that must be unique are unique regardless of case and
// spacing ("Nord" and "NORD "), which SQLite's ASCII-only `lower()` cannot
// express; so each such column has a `…_key` companion holding
// `domain::master::name_key` of the value, and the unique index is on that.
pub fn catalogue() -> Part {
    Part::default()
        // Rules are flags rather than a join table: the set is fixed by law
        // and the eligibility function takes them as one value.
        .table(stamped(
            table("election_types")
                .col(pk_uuid("id"))
                .col(string("title"))
                .col(string("title_key"))
                .col(boolean("rule_age18").default(false))
                .col(boolean("rule_resident_in_municipality").default(false))
                .col(boolean("rule_danish_citizen").default(false))
                .col(boolean("rule_not_under_guardianship").default(false)),
        ))
        .unique("election_types", &["title_key"])
        .table(stamped(
            table("areas")
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(string("name_key"))
                .col(text("description").default("")),
        ))
        .unique("areas", &["name_key"])
        .table(stamped(
            table("task_types")
                .col(pk_uuid("id"))
                .col(string("title"))
                .col(string("title_key"))
                .col(string_len("short_name", 50))
                .col(text("description").default(""))
                .col(time("start_time"))
                // May be earlier than start_time: the task passes midnight.
                .col(time("end_time"))
                .col(integer_null("payment_kr"))
                .col(boolean("trusted").default(false))
                .col(boolean("validation_off").default(false))
                .col(boolean("send_reminder").default(true)),
        ))
        .unique("task_types", &["title_key"])
        .table(
            table("task_type_files")
                .col(uuid("task_type_id"))
                .col(uuid("file_id"))
                .primary_key(&mut pk(&["task_type_id", "file_id"]))
                .foreign_key(&mut fk("task_type_files", "task_type_id", "task_types", Cascade))
                .foreign_key(&mut fk("task_type_files", "file_id", "files", Cascade)),
        )
        .table(stamped(
            table("teams")
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(string("name_key"))
                .col(string("short_name"))
                .col(text("description").default("")),
        ))
        .unique("teams", &["name_key"])
        .table(stamped(table("special_diets").col(pk_uuid("id")).col(string("title")).col(string("title_key"))))
        .unique("special_diets", &["title_key"])
}

pub fn work_locations() -> Part {
    Part::default()
        .table(stamped(
            table("work_locations")
                .col(pk_uuid("id"))
                .col(uuid("area_id"))
                .col(string("title"))
                .col(string("title_key"))
                .col(string("address"))
                .col(string("postal_code"))
                .col(string("city"))
                // "Afstemningsområde" number, used by the election-system export.
                .col(integer_null("vote_location"))
                // An area with work locations cannot be deleted.
                .foreign_key(&mut fk("work_locations", "area_id", "areas", Refuse)),
        ))
        .unique("work_locations", &["title_key"])
        .index("work_locations", &["area_id"])
        .table(&mut join(
            "work_location_task_types",
            "work_location_id",
            "work_locations",
            "task_type_id",
            "task_types",
        ))
        .table(&mut join("work_location_teams", "work_location_id", "work_locations", "team_id", "teams"))
        .table(&mut join(
            "work_location_responsibles",
            "work_location_id",
            "work_locations",
            "participant_id",
            "participants",
        ))
        .index("work_location_responsibles", &["participant_id"])
}

pub fn templates() -> Part {
    Part::default()
        .table(stamped(
            table("message_templates")
                .col(pk_uuid("id"))
                // A `domain::message::MessageKind` key.
                .col(string("kind"))
                .col(string("title"))
                .col(string("title_key"))
                .col(string("subject"))
                .col(text("body"))
                .col(text("sms_text").default(""))
                .col(boolean("is_default").default(false)),
        ))
        .unique("message_templates", &["title_key"])
        .index("message_templates", &["kind"])
        .table(&mut join("message_template_files", "template_id", "message_templates", "file_id", "files"))
}

pub fn elections() -> Part {
    Part::default()
        .table(stamped(
            table("elections")
                .col(pk_uuid("id"))
                .col(string("title"))
                .col(string("title_key"))
                .col(uuid("election_type_id"))
                .col(date("election_date"))
                .col(date("first_task_date"))
                .col(date("last_task_date"))
                .col(integer("lock_days"))
                .col(boolean("active").default(false))
                // Comma-separated channel keys, tried in order.
                .col(string("channel_order").default("digital_post,email,sms"))
                // A type in use by any election cannot be deleted.
                .foreign_key(&mut fk("elections", "election_type_id", "election_types", Refuse)),
        ))
        .unique("elections", &["title_key"])
        .index("elections", &["active"])
        .table(&mut join("election_work_locations", "election_id", "elections", "work_location_id", "work_locations"))
        .index("election_work_locations", &["work_location_id"])
        // A missing row means the slot is empty; deleting a template empties
        // every slot it filled.
        .table(
            table("election_message_templates")
                .col(uuid("election_id"))
                .col(string("kind"))
                .col(uuid("template_id"))
                .primary_key(&mut pk(&["election_id", "kind"]))
                .foreign_key(&mut fk("election_message_templates", "election_id", "elections", Cascade))
                .foreign_key(&mut fk("election_message_templates", "template_id", "message_templates", Cascade)),
        )
        .table(
            table("election_task_type_message_templates")
                .col(uuid("election_id"))
                .col(uuid("task_type_id"))
                .col(string("kind"))
                .col(uuid("template_id"))
                .primary_key(&mut pk(&["election_id", "task_type_id", "kind"]))
                .foreign_key(&mut fk("election_task_type_message_templates", "election_id", "elections", Cascade))
                .foreign_key(&mut fk("election_task_type_message_templates", "task_type_id", "task_types", Cascade))
                .foreign_key(&mut fk(
                    "election_task_type_message_templates",
                    "template_id",
                    "message_templates",
                    Cascade,
                )),
        )
        .index("election_message_templates", &["template_id"])
        .index("election_task_type_message_templates", &["template_id"])
}

/// A join table of two cascading foreign keys and their composite key.
pub fn join(
    name: &'static str,
    left: &'static str,
    left_table: &'static str,
    right: &'static str,
    right_table: &'static str,
) -> TableCreateStatement {
    table(name)
        .col(uuid(left))
        .col(uuid(right))
        .primary_key(&mut pk(&[left, right]))
        .foreign_key(&mut fk(name, left, left_table, Cascade))
        .foreign_key(&mut fk(name, right, right_table, Cascade))
        .take()
}
