//! Resolving the tenant from the request's host.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::HOST;
use axum::http::request::Parts;
use store::tenants::Tenant;

use crate::error::Error;
use crate::state::AppState;

/// The tenant whose admin or portal host name the request was sent to. An
/// unknown host is a 404 page, never a fallback to some other tenant.
pub struct CurrentTenant(pub Arc<Tenant>);

impl FromRequestParts<AppState> for CurrentTenant {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.host())
            .ok_or(Error::UnknownHost)?;
        state.tenants.by_host(host).map(CurrentTenant).ok_or(Error::UnknownHost)
    }
}

impl std::ops::Deref for CurrentTenant {
    type Target = Tenant;
    fn deref(&self) -> &Tenant {
        &self.0
    }
}
