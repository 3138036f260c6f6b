//! CPR work that runs as jobs: the local CPR copy as a [`CprRegistry`]
//! provider (it lives here because it reads the store, and `integrations`
//! must not depend on `store`), the CPR sync (SPEC §8) with the seat re-check
//! it shares with provisional sign-ups, and the monthly refresh of the copy.
//!
//! [`CprRegistry`]: integrations::cpr::CprRegistry

pub mod local_copy;
pub(crate) mod recheck;
pub mod refresh;
pub mod sync;

pub use local_copy::LocalCopy;
pub use sync::{CprSync, PersonOutcome, SyncSettings};
