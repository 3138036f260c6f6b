//! Providers asked in order until one answers.

use std::sync::Arc;

use async_trait::async_trait;
use domain::CprNumber;

use super::{CprAnswer, CprError, CprRegistry, Provider};

/// Asks each provider in turn. The first record wins, and its answer names
/// its source and the providers that failed before it. "The person does not
/// exist" from any provider is an answer too and ends the search: a later,
/// staler provider must not bring a cancelled number back. A provider that
/// merely has no record ([`CprError::NoRecord`]) or fails is passed over.
#[derive(Clone)]
pub struct Chain {
    providers: Vec<Arc<dyn CprRegistry>>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.providers.iter().map(|p| p.provider()).collect();
        f.debug_struct("Chain").field("providers", &names).finish()
    }
}

impl Chain {
    /// At least one provider is needed.
    pub fn new(providers: Vec<Arc<dyn CprRegistry>>) -> Option<Self> {
        (!providers.is_empty()).then_some(Chain { providers })
    }

    pub fn providers(&self) -> Vec<Provider> {
        self.providers.iter().map(|p| p.provider()).collect()
    }
}

#[async_trait]
impl CprRegistry for Chain {
    fn provider(&self) -> Provider {
        self.providers[0].provider()
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        let mut failures = Vec::new();
        for registry in &self.providers {
            match registry.lookup(cpr).await {
                Ok(mut answer) => {
                    if !failures.is_empty() {
                        tracing::info!(
                            source = answer.source.as_str(),
                            skipped = failures.len(),
                            "CPR answered by a fallback provider"
                        );
                    }
                    answer.fallback_from = failures.iter().filter_map(provider_of).collect();
                    return Ok(answer);
                }
                Err(error @ CprError::UnknownCpr { .. }) => return Err(error),
                Err(error) => {
                    tracing::warn!(
                        provider = registry.provider().as_str(),
                        error = %error,
                        "CPR provider failed; trying the next"
                    );
                    failures.push(error);
                }
            }
        }
        Err(CprError::AllFailed(failures))
    }
}

fn provider_of(error: &CprError) -> Option<Provider> {
    match error {
        CprError::UnknownCpr { provider }
        | CprError::NoRecord { provider }
        | CprError::Service { provider, .. }
        | CprError::Config { provider, .. } => Some(*provider),
        CprError::AllFailed(_) => None,
    }
}
