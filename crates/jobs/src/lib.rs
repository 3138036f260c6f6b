//! jobs crate.
