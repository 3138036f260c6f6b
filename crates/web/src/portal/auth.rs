//! Signing in to the portal with MitID through NemLog-in (OIOSAML 3), and the
//! one place that decides what a signed-in person may see.
//!
//! Portal roles come from data, not from the IdP: a participant row with the
//! person's CPR number makes them a Participant; rows in `team_responsibles`
//! and `work_location_responsibles` make them Team or Work-location
//! responsible. They are read on every request, so a change applies at once.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Router};
use integrations::saml::AttributeError;
use integrations::saml::attributes::{self, Loa};
use store::entity::participants;
use store::repo::audit::{Actor, AuditAction, AuditEntry};
use store::repo::portal::{self, Responsibilities};
use store::repo::sessions::{self, NewSession, SessionApp, SessionToken};
use store::tenants::Tenant;
use uuid::Uuid;

use crate::admin::saml::{AcsForm, serve_metadata};
use crate::auth::rate_limit::SignInLimit;
use crate::auth::{SamlSession, cookies, safe_target, slo};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub const PORTAL_COOKIE: &str = cookies::PORTAL;
pub const FLOW: &str = "portal";
const SESSION_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/login", get(start))
        .route("/saml/metadata", get(metadata))
        .route("/saml/slo", get(single_logout))
        .route("/logout", post(logout))
}

/// See `crate::admin::saml::acs_routes`: outside the CSRF check.
pub fn acs_routes() -> Router<AppState> {
    Router::new().route("/saml/acs", axum::routing::post(acs))
}

/// A person signed in to the portal of the request's tenant.
pub struct Citizen {
    pub tenant: Arc<Tenant>,
    pub name: String,
    pub participant: Option<participants::Model>,
    pub responsibilities: Responsibilities,
    pub csrf: String,
    /// The person's CPR number from MitID (kept encrypted in the session), for sign-up.
    pub cpr: Option<domain::CprNumber>,
    /// The session cookie's value, for changes to the session itself.
    pub session: SessionToken,
    pub lang: super::i18n::Lang,
}

impl Citizen {
    /// Refuses a person who is not a participant here.
    pub fn require_participant(&self) -> Result<&participants::Model> {
        self.participant.as_ref().ok_or_else(|| Error::Refused {
            status: StatusCode::FORBIDDEN,
            title: "Du er ikke tilmeldt",
            message: "Du er logget ind, men du er ikke tilmeldt som deltager ved valg i kommunen. Du kan tilmelde \
                      dig gennem et link fra et parti eller fra kommunen."
                .into(),
            back: "/",
        })
    }

    /// Refuses everybody but team responsibles; their teams otherwise.
    pub fn require_team_responsible(&self) -> Result<&[(Uuid, String)]> {
        self.require_participant()?;
        if self.responsibilities.teams.is_empty() { Err(Error::Forbidden) } else { Ok(&self.responsibilities.teams) }
    }

    /// Refuses everybody but work-location responsibles.
    pub fn require_work_location_responsible(&self) -> Result<&[(Uuid, String)]> {
        self.require_participant()?;
        if self.responsibilities.work_locations.is_empty() {
            Err(Error::Forbidden)
        } else {
            Ok(&self.responsibilities.work_locations)
        }
    }
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let CurrentTenant(tenant) = CurrentTenant::from_request_parts(parts, state).await?;
        let session_id = crate::cookies::get(&parts.headers, PORTAL_COOKIE).ok_or(Error::PortalUnauthenticated)?;
        let token = SessionToken::from_cookie(&session_id);
        let idle = state.auth(&tenant).portal_idle_timeout;
        let session = sessions::get_valid(&tenant.db, SessionApp::Portal, &token, idle)
            .await?
            .ok_or(Error::PortalUnauthenticated)?;
        let name = session.data.get("name").and_then(|n| n.as_str()).unwrap_or("MitID-bruger").to_owned();
        let (participant, responsibilities) = match session.participant_id {
            Some(id) => match store::repo::participants::get(&tenant.db, id).await {
                Ok(p) => (Some(p), portal::responsibilities(&tenant.db, id).await?),
                // Deleted since sign-in: signed in, but no longer a participant.
                Err(e) if e.is_not_found() => (None, Responsibilities::default()),
                Err(e) => return Err(e.into()),
            },
            None => (None, Responsibilities::default()),
        };
        let cpr = session
            .data
            .get("cpr")
            .and_then(|c| c.as_str())
            .and_then(|c| hex::decode(c).ok())
            .and_then(|sealed| tenant.vault.decrypt(&sealed).ok());
        let csrf = crate::csrf::token_for(&session_id);
        let lang = super::i18n::Lang::from_headers(&parts.headers);
        Ok(Citizen { tenant, name, participant, responsibilities, csrf, cpr, session: token, lang })
    }
}

/// Sends the browser to NemLog-in, asking for LoA Substantial; `?next=` (a
/// portal path) is where the person lands afterwards.
async fn start(
    _: SignInLimit,
    State(state): State<AppState>,
    tenant: CurrentTenant,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.portal.as_ref().ok_or_else(not_configured)?;
    let next = query.as_deref().and_then(|q| crate::auth::query_param(q, "next"));
    let target = safe_target(next.as_deref(), "/", "/mine-opgaver");
    let url = crate::auth::start_login(side, &tenant.db, FLOW, None, Some(target)).await?;
    Ok(Redirect::to(&url).into_response())
}

fn not_configured() -> Error {
    Error::Refused {
        status: StatusCode::NOT_FOUND,
        title: "Log ind er ikke sat op",
        message: "Log ind med MitID er ikke sat op for denne kommune endnu.".into(),
        back: "/",
    }
}

async fn metadata(State(state): State<AppState>, tenant: CurrentTenant) -> Result<Response> {
    serve_metadata(state.auth(&tenant).portal.as_ref())
}

/// The assertion consumer: a verified NemLog-in answer with LoA Substantial
/// or High signs the person in; who they are here is looked up by CPR.
async fn acs(
    _: SignInLimit,
    State(state): State<AppState>,
    tenant: CurrentTenant,
    Form(form): Form<AcsForm>,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.portal.as_ref().ok_or_else(not_configured)?;
    let (login, pending) = crate::auth::consume(side, &tenant.db, &[FLOW], &form.saml_response).await.map_err(|e| {
        let mut error = crate::admin::saml::refused("MitID")(e);
        if let Error::Refused { back, .. } = &mut error {
            *back = "/";
        }
        error
    })?;
    let identity = attributes::nemlogin_identity(&login, Loa::Substantial).map_err(refused)?;
    let participant = store::repo::participants::find_by_cpr(&tenant.db, &tenant.vault, &identity.cpr).await?;
    let name = identity
        .full_name
        .clone()
        .or_else(|| participant.as_ref().map(store::repo::participants::full_name))
        .unwrap_or_else(|| "MitID-bruger".to_owned());
    let saml = SamlSession::of(&login);
    let data = serde_json::json!({
        "name": name,
        // Kept (encrypted) for sign-up, which needs the person's CPR number.
        "cpr": hex::encode(tenant.vault.encrypt(&identity.cpr)),
        "name_id": saml.name_id,
        "name_id_format": saml.name_id_format,
        "session_index": saml.session_index,
    });
    let new = NewSession {
        app: SessionApp::Portal,
        user_id: None,
        participant_id: participant.as_ref().map(|p| p.id),
        lifetime: SESSION_LIFETIME,
        data,
    };
    let (token, _) = sessions::create(&tenant.db, new).await?;
    if let Some(p) = &participant {
        let entry = AuditEntry::new(AuditAction::Login, "participants")
            .entity(p.id)
            .participant(p.id)
            .description("Log ind i deltagerportalen med MitID");
        store::repo::audit::record(&tenant.db, &Actor::citizen(name.clone()), entry).await?;
    }
    let target = safe_target(pending.relay_target.as_deref(), "/", "/mine-opgaver");
    let cookie = cookies::set(PORTAL_COOKIE, cookies::PORTAL_PATH, token.as_str(), state.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

fn refused(e: AttributeError) -> Error {
    tracing::warn!(error = %e, "NemLog-in sign-in refused");
    let (title, message) = match e {
        AttributeError::LoaTooLow { .. } | AttributeError::NoLoa => (
            "For lavt sikringsniveau",
            "Dit MitID-log ind havde for lavt sikringsniveau til at se dine oplysninger her. Log ind med MitID \
             på niveau betydelig eller høj, fx med MitID-appen.",
        ),
        _ => ("Log ind mislykkedes", "Svaret fra MitID manglede oplysninger, vi skal bruge. Prøv igen."),
    };
    Error::Refused { status: StatusCode::FORBIDDEN, title, message: message.into(), back: "/" }
}

/// Ends the portal session, then the NemLog-in session.
async fn logout(State(state): State<AppState>, tenant: CurrentTenant, headers: HeaderMap) -> Result<Response> {
    let clear = cookies::clear(PORTAL_COOKIE, cookies::PORTAL_PATH, state.secure_cookies);
    let done = "/?logget-ud=1";
    let Some(id) = crate::cookies::get(&headers, PORTAL_COOKIE) else {
        return Ok(([(header::SET_COOKIE, clear)], Redirect::to(done)).into_response());
    };
    let token = SessionToken::from_cookie(&id);
    let auth = state.auth(&tenant);
    let session = sessions::get_valid(&tenant.db, SessionApp::Portal, &token, auth.portal_idle_timeout).await?;
    sessions::delete(&tenant.db, &token).await?;
    let target = match session {
        Some(session) => slo::start_logout(auth.portal.as_ref(), &tenant.db, FLOW, &session).await?,
        None => None,
    };
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(target.as_deref().unwrap_or(done))).into_response())
}

async fn single_logout(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let query = query.unwrap_or_default();
    slo::single_logout(auth.portal.as_ref(), &tenant.db, FLOW, SessionApp::Portal, &query, "/?logget-ud=1").await
}
