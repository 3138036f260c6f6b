//! Repository tests. Each test body runs on SQLite and on PostgreSQL through
//! `store::store_tests!`.

#[path = "store/fixtures.rs"]
mod fixtures;
#[path = "store/schema.rs"]
mod schema;
