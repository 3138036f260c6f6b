//! Signing in to the admin app through FK Adgangsstyring (SAML), and out.
//!
//! `/admin/login` offers the sign-in (and, while the fallback is on, MitID);
//! `/admin/saml/login` sends a signed AuthnRequest; `/admin/saml/acs`
//! consumes the answer; `/admin/saml/slo` handles single logout both ways;
//! `/admin/logout` ends the local session and then the IdP's. Roles come only
//! from the tenant's own privileges mapped in its configuration: a user
//! without one gets a "no access" page, never a default role.

use askama::Template;
use axum::extract::{Query, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Router};
use chrono::Utc;
use domain::AdminRole;
use integrations::saml::attributes::{self, names};
use integrations::saml::{AttributeError, Login, ResponseError, SpMetadata};
use serde::Deserialize;
use store::repo::audit::{Actor, AuditAction, AuditEntry};
use store::repo::sessions::{self, NewSession, SessionApp, SessionToken};
use store::repo::{saml_state, users};

use super::auth::{ADMIN_COOKIE, keys};
use crate::auth::rate_limit::SignInLimit;
use crate::auth::{SamlSession, SamlSide, cookies, safe_target, slo};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

/// Flow names of pending requests (see `store::repo::saml_state`).
pub const FLOW: &str = "admin";
/// Absolute lifetime of an admin session; the idle timeout ends it sooner.
pub const SESSION_LIFETIME: chrono::Duration = chrono::Duration::hours(12);

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/login", get(login_page))
        .route("/saml/metadata", get(metadata))
        .route("/saml/login", get(start))
        .route("/saml/slo", get(single_logout))
        .route("/logout", post(logout))
}

/// Routes a browser reaches by a cross-site form post from the IdP: they
/// carry no CSRF token and no same-origin header, and need neither, since
/// each answer must match a request we keep server-side (taken once).
pub fn acs_routes() -> Router<AppState> {
    Router::new().route("/saml/acs", axum::routing::post(acs))
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    tenant_name: String,
    demo: bool,
    fk: bool,
    fallback: bool,
    logged_out: bool,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default, rename = "logget-ud")]
    logged_out: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    Query(query): Query<LoginQuery>,
) -> Result<Html<String>> {
    let auth = state.auth(&tenant);
    let fallback = auth.admin_mitid.is_some() && saml_state::fallback_login(&tenant.db).await?.active_at(Utc::now());
    let page = LoginPage {
        tenant_name: tenant.name.clone(),
        demo: state.demo,
        fk: auth.admin.is_some(),
        fallback,
        logged_out: query.logged_out.is_some(),
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// Our SP metadata, for upload to KOMBIT's administration module.
async fn metadata(State(state): State<AppState>, tenant: CurrentTenant) -> Result<Response> {
    let auth = state.auth(&tenant);
    serve_metadata(auth.admin.as_ref())
}

pub fn serve_metadata(side: Option<&SamlSide>) -> Result<Response> {
    let side = side.ok_or(Error::NotFound)?;
    let xml = SpMetadata::for_sp(&side.sp).to_signed_xml(&side.sp.signing).map_err(anyhow::Error::from)?;
    Ok(([(header::CONTENT_TYPE, "application/samlmetadata+xml; charset=utf-8")], xml).into_response())
}

/// Sends the browser to FK Adgangsstyring with a signed AuthnRequest.
async fn start(_: SignInLimit, State(state): State<AppState>, tenant: CurrentTenant) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.admin.as_ref().ok_or_else(not_configured)?;
    let url = crate::auth::start_login(side, &tenant.db, FLOW, None, Some("/admin".into())).await?;
    Ok(Redirect::to(&url).into_response())
}

pub fn not_configured() -> Error {
    Error::Refused {
        status: StatusCode::NOT_FOUND,
        title: "Log ind er ikke sat op",
        message: "Log ind er ikke sat op for denne kommune endnu. Kontakt driftsleverandøren.".into(),
        back: "/admin/login",
    }
}

/// The HTTP-POST binding's form.
#[derive(Deserialize)]
pub struct AcsForm {
    #[serde(rename = "SAMLResponse", default)]
    pub saml_response: String,
}

/// The assertion consumer: checks the answer completely, maps privileges to
/// roles, and signs the admin in with a new session.
async fn acs(
    _: SignInLimit,
    State(state): State<AppState>,
    tenant: CurrentTenant,
    Form(form): Form<AcsForm>,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.admin.as_ref().ok_or_else(not_configured)?;
    let (login, pending) = crate::auth::consume(side, &tenant.db, &[FLOW], &form.saml_response)
        .await
        .map_err(refused("FK Adgangsstyring"))?;
    attributes::require_fk_assurance(&login).map_err(|e| {
        tracing::warn!(error = %e, "FK sign-in below the required assurance");
        low_assurance()
    })?;
    let privileges = match attributes::privileges(&login) {
        Ok(p) => p,
        Err(AttributeError::Missing(_)) => Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "FK privileges unreadable");
            Vec::new()
        }
    };
    // Only privilege groups scoped to this municipality's CVR count.
    let own = attributes::privileges_for_cvr(&privileges, tenant.cvr.as_str());
    let roles = auth.roles_for(own.iter().map(|p| p.privilege.as_str()));
    let Some(&role) = roles.first() else {
        tracing::info!(privileges = privileges.len(), own = own.len(), "FK sign-in without a Valghalla role");
        return Err(no_access(&tenant.name));
    };
    let identity = FkIdentity::of(&login);
    let user = match users::find_by_fk_uuid(&tenant.db, &identity.uuid).await? {
        Some(user) => user,
        None => {
            let new = users::NewUser {
                name: identity.name.clone(),
                email: identity.email.as_deref().and_then(|e| domain::Email::parse(e).ok()),
                fk_uuid: Some(identity.uuid.clone()),
                role,
            };
            users::create(&tenant.db, &Actor::system(), new).await?
        }
    };
    if !user.active {
        return Err(no_access(&tenant.name));
    }
    users::record_fk_login(&tenant.db, user.id, &roles, Utc::now()).await?;
    let target = safe_target(pending.relay_target.as_deref(), "/admin", "/admin");
    let data = session_data(role, false, "fk", &SamlSession::of(&login));
    sign_in(&state, &tenant, user.id, data, &target).await
}

/// The data of an admin session: the granted role, whether it came from the
/// fallback, and the SAML session for single logout.
pub fn session_data(role: AdminRole, fallback: bool, idp: &str, saml: &SamlSession) -> serde_json::Value {
    serde_json::json!({
        keys::ROLE: role.as_str(),
        keys::FALLBACK: fallback,
        keys::IDP: idp,
        "name_id": saml.name_id,
        "name_id_format": saml.name_id_format,
        "session_index": saml.session_index,
    })
}

/// Creates a new session (a new id at every sign-in, against session
/// fixation) and sends the browser on with its cookie.
pub async fn sign_in(
    state: &AppState,
    tenant: &CurrentTenant,
    user_id: uuid::Uuid,
    data: serde_json::Value,
    target: &str,
) -> Result<Response> {
    let new = NewSession {
        app: SessionApp::Admin,
        user_id: Some(user_id),
        participant_id: None,
        lifetime: SESSION_LIFETIME,
        data,
    };
    let (token, _) = sessions::create(&tenant.db, new).await?;
    let cookie = cookies::set(ADMIN_COOKIE, cookies::ADMIN_PATH, token.as_str(), state.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(target)).into_response())
}

/// The FK user as the assertion names them.
pub struct FkIdentity {
    /// The stable FK user id: `Serial=` of the X509SubjectName NameID, the
    /// OIOSAML 3 persistent professional UUID, or the NameID itself.
    pub uuid: String,
    pub name: String,
    pub email: Option<String>,
}

impl FkIdentity {
    pub fn of(login: &Login) -> Self {
        let parts = subject_parts(&login.name_id);
        let part = |key: &str| parts.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.clone());
        let attr = |name: &str| login.attributes.get(name).map(str::to_owned);
        let uuid = part("Serial")
            .or_else(|| attr("https://data.gov.dk/model/core/eid/professional/uuid/persistent"))
            .unwrap_or_else(|| login.name_id.clone());
        let name = part("CN")
            .or_else(|| attr(names::FULL_NAME))
            .or_else(|| attr("urn:oid:2.5.4.3"))
            .unwrap_or_else(|| "Ukendt bruger".to_owned());
        let email =
            attr("https://data.gov.dk/model/core/eid/email").or_else(|| attr("urn:oid:0.9.2342.19200300.100.1.3"));
        FkIdentity { uuid, name, email }
    }
}

/// `C=DK,O=12345674,CN=Anna,Serial=…` → pairs; other NameIDs → none.
fn subject_parts(name_id: &str) -> Vec<(String, String)> {
    name_id
        .split(',')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// Maps a refused SAML answer to a page; the log gets the reason (SAML
/// errors never carry attribute values, and digit runs are redacted).
pub fn refused(idp: &'static str) -> impl Fn(ResponseError) -> Error {
    move |e| {
        tracing::warn!(error = %e, idp, "SAML response refused");
        let message = match e {
            ResponseError::Status { .. } => {
                format!("Log ind blev afbrudt eller afvist hos {idp}. Prøv igen.")
            }
            ResponseError::UnknownInResponseTo | ResponseError::RequestExpired(_) | ResponseError::Replayed => {
                "Log ind-forsøget er udløbet eller allerede brugt. Start forfra.".to_owned()
            }
            _ => format!("Svaret fra {idp} kunne ikke godkendes. Prøv at logge ind igen."),
        };
        Error::Refused { status: StatusCode::BAD_REQUEST, title: "Log ind mislykkedes", message, back: "/admin/login" }
    }
}

fn low_assurance() -> Error {
    Error::Refused {
        status: StatusCode::FORBIDDEN,
        title: "Log ind mislykkedes",
        message: "Dit log ind havde ikke et højt nok sikringsniveau. Log ind med MitID på niveau betydelig eller høj."
            .into(),
        back: "/admin/login",
    }
}

/// The page for a signed-in person without a Valghalla role here.
pub fn no_access(tenant_name: &str) -> Error {
    Error::Refused {
        status: StatusCode::FORBIDDEN,
        title: "Ingen adgang",
        message: format!(
            "Du er logget ind, men du har ingen rolle i Valghalla for {tenant_name}. Bed kommunens \
             brugeradministrator om at tildele dig en rolle i FK Adgangsstyring, og log så ind igen."
        ),
        back: "/admin/login",
    }
}

/// Ends the local session, then the SAML session at the IdP it came from.
async fn logout(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    let clear = cookies::clear(ADMIN_COOKIE, cookies::ADMIN_PATH, state.secure_cookies);
    let done = "/admin/login?logget-ud=1";
    let Some(id) = crate::cookies::get(&headers, ADMIN_COOKIE) else {
        return Ok(([(header::SET_COOKIE, clear)], Redirect::to(done)).into_response());
    };
    let token = SessionToken::from_cookie(&id);
    let auth = state.auth(&tenant);
    let session = sessions::get_valid(&tenant.db, SessionApp::Admin, &token, auth.admin_idle_timeout).await?;
    sessions::delete(&tenant.db, &token).await?;
    let Some(session) = session else {
        return Ok(([(header::SET_COOKIE, clear)], Redirect::to(done)).into_response());
    };
    if let Some(user_id) = session.user_id {
        let user = users::get(&tenant.db, user_id).await?;
        let fallback = session.data.get(keys::FALLBACK).and_then(|f| f.as_bool()).unwrap_or(false);
        let actor = Actor::user(user.id, user.name).with_fallback(fallback);
        let entry = AuditEntry::new(AuditAction::Logout, "users").entity(user.id).description("Log ud");
        store::repo::audit::record(&tenant.db, &actor, entry).await?;
    }
    let (side, flow) = match session.data.get(keys::IDP).and_then(|v| v.as_str()) {
        Some("mitid") => (auth.admin_mitid.as_ref(), super::fallback::FLOW_MITID),
        _ => (auth.admin.as_ref(), FLOW),
    };
    let target = slo::start_logout(side, &tenant.db, flow, &session).await?;
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(target.as_deref().unwrap_or(done))).into_response())
}

async fn single_logout(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let query = query.unwrap_or_default();
    slo::single_logout(auth.admin.as_ref(), &tenant.db, FLOW, SessionApp::Admin, &query, "/admin/login?logget-ud=1")
        .await
}
