//! Who is signed in to the admin app, and the one place that decides what
//! they may do. Sessions are server-side; the cookie holds an opaque id.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::AdminRole;
use store::repo::audit::Actor;
use store::repo::sessions::{self, SessionApp, SessionToken};
use store::tenants::Tenant;
use uuid::Uuid;

use super::chrome::{Chrome, Section, UserBadge};
use crate::error::Error;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub const ADMIN_COOKIE: &str = "vh_admin";

/// A signed-in admin of the request's tenant.
#[derive(Clone)]
pub struct AdminUser {
    pub id: Uuid,
    pub name: String,
    pub role: AdminRole,
    pub tenant: Arc<Tenant>,
    demo: bool,
    flash: Option<String>,
    csrf: String,
}

impl AdminUser {
    /// The actor recorded in the audit log for this admin's changes.
    pub fn actor(&self) -> Actor {
        Actor { user_id: Some(self.id), name: self.name.clone(), fallback: false }
    }

    /// Refuses admins who may only read.
    pub fn require_edit(&self) -> Result<(), Error> {
        if self.role.may_edit() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// Refuses everybody but Administrators.
    pub fn require_administer(&self) -> Result<(), Error> {
        if self.role.may_administer() { Ok(()) } else { Err(Error::Forbidden) }
    }

    /// The page frame for a page in `section`.
    pub fn chrome(&self, section: Section) -> Chrome {
        Chrome {
            tenant_name: self.tenant.name.clone(),
            user: Some(UserBadge { name: self.name.clone(), role: self.role.label().to_owned() }),
            section,
            demo: self.demo,
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
        let session = sessions::get_valid(&tenant.db, SessionApp::Admin, &token, state.admin_idle_timeout)
            .await?
            .ok_or(Error::Unauthenticated)?;
        let user_id = session.user_id.ok_or(Error::Unauthenticated)?;
        let user = match store::repo::users::get(&tenant.db, user_id).await {
            Ok(user) if user.active => user,
            Ok(_) => return Err(Error::Unauthenticated),
            Err(e) if e.is_not_found() => return Err(Error::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        let role = AdminRole::parse(&user.role).map_err(|_| Error::Forbidden)?;
        let flash = super::flash::read(&parts.headers);
        let csrf = crate::csrf::token_for(&session_id);
        Ok(AdminUser { id: user.id, name: user.name, role, tenant, demo: state.demo_login, flash, csrf })
    }
}
