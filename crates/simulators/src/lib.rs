//! Local fakes of the remote services Valghalla talks to, speaking the real wire formats,
//! with a shared fault-injection and recording control API (`/__sim/*`).
//!
//! Each simulator is written from `shared/reference/` on its own and shares no
//! wire-format code with the real clients in `integrations` (SPEC §2.7), so that a
//! misreading on one side is caught by the other.

pub mod control;
pub mod cpr;
pub mod digital_post;
pub mod idp;
pub mod sms;
pub mod smtp;
pub mod xml;
