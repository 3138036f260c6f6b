//! Integration tests of the simulators: one binary, one module per area.

#[path = "simulators/support.rs"]
mod support;

#[path = "simulators/control.rs"]
mod control;
#[path = "simulators/cpr.rs"]
mod cpr;
#[path = "simulators/cpr_faults.rs"]
mod cpr_faults;
#[path = "simulators/cpr_requests.rs"]
mod cpr_requests;
#[path = "simulators/cpr_rest.rs"]
mod cpr_rest;
#[path = "simulators/cpr_tls.rs"]
mod cpr_tls;
#[path = "simulators/digital_post.rs"]
mod digital_post;
#[path = "simulators/idp_faults.rs"]
mod idp_faults;
#[path = "simulators/idp_slo.rs"]
mod idp_slo;
#[path = "simulators/idp_sso.rs"]
mod idp_sso;
#[path = "simulators/sms.rs"]
mod sms;
#[path = "simulators/smtp.rs"]
mod smtp;
