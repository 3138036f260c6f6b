//! Repository tests. Each test body runs on SQLite and on PostgreSQL through
//! `store::store_tests!`.

#[path = "store/audit.rs"]
mod audit;
#[path = "store/catalogue.rs"]
mod catalogue;
#[path = "store/cpr_copy.rs"]
mod cpr_copy;
#[path = "store/elections.rs"]
mod elections;
#[path = "store/fixtures.rs"]
mod fixtures;
#[path = "store/links.rs"]
mod links;
#[path = "store/participant_details.rs"]
mod participant_details;
#[path = "store/participants.rs"]
mod participants;
#[path = "store/responsible.rs"]
mod responsible;
#[path = "store/saml_state.rs"]
mod saml_state;
#[path = "store/schema.rs"]
mod schema;
#[path = "store/seats.rs"]
mod seats;
#[path = "store/sessions.rs"]
mod sessions;
#[path = "store/site.rs"]
mod site;
#[path = "store/task_types.rs"]
mod task_types;
#[path = "store/teams.rs"]
mod teams;
#[path = "store/templates.rs"]
mod templates;
#[path = "store/users.rs"]
mod users;
#[path = "store/work_locations.rs"]
mod work_locations;
