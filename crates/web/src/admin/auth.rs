//! Who is signed in to the admin app, and the one place that decides what
//! they may do. Sessions are server-side; the cookie holds an opaque id. The
//! role is the one granted at sign-in (by FK Adgangsstyring, or by the MitID
//! fallback from the last FK roles) and is kept in the session.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::AdminRole;
use store::repo::audit::Actor;
use store::repo::sessions::{self, SessionApp, SessionToken};
use store::tenants::Tenant;
use uuid::Uuid;

use super::chrome::{Chrome, Section, UserBadge};
use crate::auth::cookies;
use crate::error::Error;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub const ADMIN_COOKIE: &str = cookies::ADMIN;

/// Session data keys of an admin session.
pub mod keys {
    /// The role granted at sign-in (`AdminRole::as_str`).
    pub const ROLE: &str = "role";
    /// `true` when signed in through the MitID fallback.
    pub const FALLBACK: &str = "fallback";
    /// Which IdP the SAML session is with: `fk` or `mitid`.
    pub const IDP: &str = "idp";
}

/// A signed-in admin of the request's tenant.
#[derive(Clone)]
pub struct AdminUser {
    pub id: Uuid,
    pub name: String,
    pub role: AdminRole,
    pub tenant: Arc<Tenant>,
    /// Signed in with MitID through the fallback, not through FK.
    pub fallback: bool,
    demo: bool,
    flash: Option<String>,
    csrf: String,
}

impl AdminUser {
    /// The actor recorded in the audit log for this admin's changes; marked
    /// when the session came from the MitID fallback (SPEC §7).
    pub fn actor(&self) -> Actor {
        Actor { user_id: Some(self.id), name: self.name.clone(), fallback: self.fallback }
    }

    /// Refuses admins who may only read.
    pub fn require_edit(&self) -> Result<(), Error> {
        if self.role.may_edit() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Refuses everybody but Administrators.
    pub fn require_administer(&self) -> Result<(), Error> {
        if self.role.may_administer() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Whether CPR numbers are shown in full; Readers see them masked.
    pub fn sees_full_cpr(&self) -> bool {
        self.role.sees_full_cpr()
    }

    /// A CPR number as this admin may see it.
    pub fn show_cpr(&self, cpr: &domain::CprNumber) -> String {
        if self.sees_full_cpr() { cpr.expose().to_owned() } else { cpr.masked() }
    }

    /// The page frame for a page in `section`.
    pub fn chrome(&self, section: Section) -> Chrome {
        Chrome {
            tenant_name: self.tenant.name.clone(),
            user: Some(UserBadge { name: self.name.clone(), role: self.role.label().to_owned() }),
            section,
            demo: self.demo,
            fallback: self.fallback,
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            may_edit: self.role.may_edit(),
            may_administer: self.role.may_administer(),
        }
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.tenant.db
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentTenant(tenant) = CurrentTenant::from_request_parts(parts, state).await?;
        let Some(session_id) = crate::cookies::get(&parts.headers, ADMIN_COOKIE) else {
            return Err(Error::Unauthenticated);
        };
        let token = SessionToken::from_cookie(&session_id);
        let idle = state.auth(&tenant).admin_idle_timeout;
        let session =
            sessions::get_valid(&tenant.db, SessionApp::Admin, &token, idle).await?.ok_or(Error::Unauthenticated)?;
        let user_id = session.user_id.ok_or(Error::Unauthenticated)?;
        let user = match store::repo::users::get(&tenant.db, user_id).await {
            Ok(user) if user.active => user,
            Ok(_) => return Err(Error::Unauthenticated),
            Err(e) if e.is_not_found() => return Err(Error::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        // No role in the session means no access: a role is never assumed.
        let role = session
            .data
            .get(keys::ROLE)
            .and_then(|r| r.as_str())
            .and_then(|r| AdminRole::parse(r).ok())
            .ok_or(Error::Unauthenticated)?;
        let fallback = session.data.get(keys::FALLBACK).and_then(|f| f.as_bool()).unwrap_or(false);
        let flash = super::flash::read(&parts.headers);
        let csrf = crate::csrf::token_for(&session_id);
        Ok(AdminUser { id: user.id, name: user.name, role, tenant, fallback, demo: state.demo, flash, csrf })
    }
}
