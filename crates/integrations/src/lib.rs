//! integrations crate.
