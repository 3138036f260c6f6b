//! web crate.
