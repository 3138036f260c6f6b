//! HTTP tests: the real app on port 0 with a fresh database per test, on
//! SQLite always and on PostgreSQL when VALGHALLA_TEST_PG_URL is set.

#[path = "web/support.rs"]
mod support;

// Shared with the integrations tests rather than copied: the same reasons apply.
#[path = "../../integrations/tests/integrations/log_capture.rs"]
mod log_capture;

#[path = "web/frame.rs"]
mod frame;

#[path = "web/catalogue.rs"]
mod catalogue;

#[path = "web/elections.rs"]
mod elections;

#[path = "web/staffing_fixtures.rs"]
mod staffing_fixtures;

#[path = "web/teams.rs"]
mod teams;

#[path = "web/task_types.rs"]
mod task_types;

#[path = "web/tasks.rs"]
mod tasks;

#[path = "web/receipts.rs"]
mod receipts;

#[path = "web/messages.rs"]
mod messages;

#[path = "web/delivery.rs"]
mod delivery;

#[path = "web/templates.rs"]
mod templates;

#[path = "web/work_locations.rs"]
mod work_locations;

#[path = "web/portal.rs"]
mod portal;

#[path = "web/saml.rs"]
mod saml;

#[path = "web/access.rs"]
mod access;

#[path = "web/participants.rs"]
mod participants;

#[path = "web/fallback.rs"]
mod fallback;

#[path = "web/cpr_review.rs"]
mod cpr_review;

#[path = "web/invitation.rs"]
mod invitation;

#[path = "web/responsibles.rs"]
mod responsibles;

#[path = "web/my_tasks.rs"]
mod my_tasks;

#[path = "web/signup.rs"]
mod signup;

#[path = "web/open_tasks.rs"]
mod open_tasks;

#[path = "web/task_list.rs"]
mod task_list;

#[path = "web/profile.rs"]
mod profile;

#[path = "web/language.rs"]
mod language;

#[path = "web/web_pages.rs"]
mod web_pages;
