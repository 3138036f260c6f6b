//! Integration tests of the simulators: one binary, one module per area.

#[path = "simulators/support.rs"]
mod support;

#[path = "simulators/control.rs"]
mod control;
#[path = "simulators/idp_faults.rs"]
mod idp_faults;
#[path = "simulators/idp_slo.rs"]
mod idp_slo;
#[path = "simulators/idp_sso.rs"]
mod idp_sso;
