//! HTTP tests: the real app on port 0 with a fresh database per test, on
//! SQLite always and on PostgreSQL when VALGHALLA_TEST_PG_URL is set.

#[path = "web/support.rs"]
mod support;

#[path = "web/frame.rs"]
mod frame;

#[path = "web/catalogue.rs"]
mod catalogue;

#[path = "web/elections.rs"]
mod elections;
