//! CPR lookups behind one trait, [`CprRegistry`], with one implementation per
//! provider (SF1520, Datafordeleren, the local copy in `jobs`) and a
//! [`Chain`] that asks them in turn and says which one answered.

mod chain;
pub mod datafordeleren;
pub mod extract;
mod record;
mod remote;
pub mod sf1520;
mod stored;

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::CprNumber;
use serde::Serialize;

use crate::resilience::CallError;

pub use crate::https::{BuildError, ClientIdentity, Pkcs12Error};
pub use chain::Chain;
pub use record::{
    Address, AddressKind, Citizenship, CprRecord, DigitalPost, Emigration, Guardianship, PersonName, PersonStatus,
    PollingDistrict, Sex,
};
pub use stored::StoredRecord;

/// Where a CPR answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Serviceplatformen SF1520 PersonBaseDataExtended: live CPR.
    Sf1520,
    /// The tenant's own copy of the last known records.
    LocalCopy,
    /// Datafordeleren CPR REST (up to about 30 hours behind CPR).
    Datafordeleren,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Sf1520, Provider::LocalCopy, Provider::Datafordeleren];

    /// The name used in config files (`providers = ["sf1520", "local_copy"]`).
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Sf1520 => "sf1520",
            Provider::LocalCopy => "local_copy",
            Provider::Datafordeleren => "datafordeleren",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CPR provider \"{0}\" (known: sf1520, local_copy, datafordeleren)")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s.trim()).ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

/// A record together with where it came from and how fresh it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CprAnswer {
    pub record: CprRecord,
    /// The provider that answered.
    pub source: Provider,
    /// When we received the answer.
    pub fetched_at: DateTime<Utc>,
    /// When the data was last known to be current at its source: equal to
    /// `fetched_at` for a live lookup, the last refresh for a local copy.
    pub as_of: DateTime<Utc>,
    /// `true` for a live answer from CPR itself; `false` for a copy
    /// (shown as "from date X"; never a reason to remove anybody from a seat).
    pub fresh: bool,
    /// Providers asked before this one that failed (filled in by [`Chain`]).
    pub fallback_from: Vec<Provider>,
}

impl CprAnswer {
    /// A live answer received now.
    pub fn live(record: CprRecord, source: Provider, fetched_at: DateTime<Utc>) -> Self {
        CprAnswer { record, source, fetched_at, as_of: fetched_at, fresh: true, fallback_from: Vec::new() }
    }

    /// How old the data is at `now`.
    pub fn age(&self, now: DateTime<Utc>) -> chrono::Duration {
        (now - self.as_of).max(chrono::Duration::zero())
    }
}

/// Why a lookup gave no record. The CPR number never appears in these messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CprError {
    /// The person does not exist in CPR: an answer, not a failure of the service.
    #[error("CPR-nummeret findes ikke i CPR ({provider})")]
    UnknownCpr { provider: Provider },
    /// The provider has no record of this person, which says nothing about
    /// whether the person exists (a local copy that never saw them).
    #[error("{provider} har ingen oplysninger om personen")]
    NoRecord { provider: Provider },
    /// The provider could not be asked or did not answer usefully.
    #[error("{provider} svarede ikke: {error}")]
    Service { provider: Provider, error: CallError },
    /// The provider is set up wrongly (e.g. an unreadable certificate).
    #[error("{provider} er ikke sat korrekt op: {message}")]
    Config { provider: Provider, message: String },
    /// Every provider in a chain failed; each failure in order.
    #[error("ingen CPR-kilde svarede ({})", summary(.0))]
    AllFailed(Vec<CprError>),
}

fn summary(errors: &[CprError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl CprError {
    /// The person does not exist (as opposed to: we could not find out).
    pub fn is_unknown_cpr(&self) -> bool {
        matches!(self, CprError::UnknownCpr { .. })
    }

    /// We could not find out: the caller should degrade (provisional sign-up,
    /// last known record) rather than tell the user the number is wrong.
    pub fn is_unavailable(&self) -> bool {
        !self.is_unknown_cpr()
    }
}

/// A source of CPR records.
#[async_trait]
pub trait CprRegistry: Send + Sync {
    /// The provider this registry is (a [`Chain`] names its first member).
    fn provider(&self) -> Provider;

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError>;
}
