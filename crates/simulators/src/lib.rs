//! simulators crate.
