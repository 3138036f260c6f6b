//! Integration tests of the simulators: one binary, one module per area.

// Not every module uses every helper.
#[allow(dead_code)]
#[path = "simulators/support.rs"]
mod support;

#[path = "simulators/idp_sso.rs"]
mod idp_sso;
