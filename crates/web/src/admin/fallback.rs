//! The MitID fallback for admins (SPEC §7): while FK Adgangsstyring works,
//! an admin links their MitID on "Min bruger"; when FK is down, an operator
//! (CLI) or an Administrator (status page) switches the fallback on, and a
//! MitID sign-in whose CPR matches a linked admin gets that admin's last FK
//! roles, if FK granted them recently enough. Such sessions are marked, and
//! so is every audit row written in them. Switched off or expired, MitID
//! never gives admin access.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Router};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Copenhagen;
use integrations::saml::AttributeError;
use integrations::saml::attributes::{self, Loa};
use serde::Deserialize;
use store::repo::audit::{Actor, AuditAction, AuditEntry};
use store::repo::saml_state::{self, FallbackSwitch};
use store::repo::sessions::SessionApp;
use store::repo::users;

use super::flash::redirect_with_flash;
use super::saml::{AcsForm, no_access, not_configured, refused, serve_metadata, session_data, sign_in};
use super::{AdminUser, Chrome, Section};
use crate::auth::rate_limit::SignInLimit;
use crate::auth::{SamlSession, slo};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

/// An admin linking their MitID.
pub const FLOW_LINK: &str = "admin-mitid-link";
/// A fallback sign-in.
pub const FLOW_FALLBACK: &str = "admin-mitid-fallback";
/// The SAML session of a fallback sign-in (single logout).
pub const FLOW_MITID: &str = "admin-mitid";
/// Longest time an Administrator may switch the fallback on for at once.
const MAX_HOURS: i64 = 72;

pub fn routes() -> Router<AppState> {
    use axum::routing::{get, post};
    Router::new()
        .route("/min-bruger", get(my_user))
        .route("/min-bruger/mitid", post(start_link))
        .route("/status", get(status))
        .route("/status/fallback", post(switch))
        .route("/saml/mitid/metadata", get(metadata))
        .route("/saml/mitid/login", get(start_fallback))
        .route("/saml/mitid/slo", get(single_logout))
}

/// See [`super::saml::acs_routes`].
pub fn acs_routes() -> Router<AppState> {
    Router::new().route("/saml/mitid/acs", axum::routing::post(acs))
}

#[derive(Template)]
#[template(path = "admin/my_user.html")]
struct MyUserPage {
    chrome: Chrome,
    role: String,
    linked: bool,
    last_fk_login: Option<String>,
    mitid_available: bool,
}

async fn my_user(State(state): State<AppState>, admin: AdminUser) -> Result<Html<String>> {
    let user = users::get(admin.db(), admin.id).await?;
    let page = MyUserPage {
        chrome: admin.chrome(Section::MyUser),
        role: admin.role.label().to_owned(),
        linked: user.cpr_hash.is_some(),
        last_fk_login: user.last_fk_login_at.map(local_time),
        mitid_available: state.auth(&admin.tenant).admin_mitid.is_some() && !admin.fallback,
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// "Knyt mit MitID": a NemLog-in sign-in whose CPR is stored on this user.
/// Not from a fallback session: a link must be made while FK vouches for
/// the person.
async fn start_link(State(state): State<AppState>, admin: AdminUser) -> Result<Response> {
    if admin.fallback {
        return Err(Error::Forbidden);
    }
    let auth = state.auth(&admin.tenant);
    let side = auth.admin_mitid.as_ref().ok_or_else(not_configured)?;
    let target = Some("/admin/min-bruger".to_owned());
    let url = crate::auth::start_login(side, admin.db(), FLOW_LINK, Some(admin.id), target).await?;
    Ok(Redirect::to(&url).into_response())
}

/// "Log ind med MitID (nødadgang)", only while the switch is on.
async fn start_fallback(_: SignInLimit, State(state): State<AppState>, tenant: CurrentTenant) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.admin_mitid.as_ref().ok_or_else(not_configured)?;
    if !saml_state::fallback_login(&tenant.db).await?.active_at(Utc::now()) {
        return Err(fallback_off());
    }
    let url = crate::auth::start_login(side, &tenant.db, FLOW_FALLBACK, None, Some("/admin".into())).await?;
    Ok(Redirect::to(&url).into_response())
}

async fn metadata(State(state): State<AppState>, tenant: CurrentTenant) -> Result<Response> {
    serve_metadata(state.auth(&tenant).admin_mitid.as_ref())
}

async fn single_logout(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let query = query.unwrap_or_default();
    slo::single_logout(
        auth.admin_mitid.as_ref(),
        &tenant.db,
        FLOW_MITID,
        SessionApp::Admin,
        &query,
        "/admin/login?logget-ud=1",
    )
    .await
}

/// The NemLog-in answer to a link or a fallback sign-in.
async fn acs(
    _: SignInLimit,
    State(state): State<AppState>,
    tenant: CurrentTenant,
    Form(form): Form<AcsForm>,
) -> Result<Response> {
    let auth = state.auth(&tenant);
    let side = auth.admin_mitid.as_ref().ok_or_else(not_configured)?;
    let (login, pending) = crate::auth::consume(side, &tenant.db, &[FLOW_LINK, FLOW_FALLBACK], &form.saml_response)
        .await
        .map_err(refused("MitID"))?;
    let identity = attributes::nemlogin_identity(&login, Loa::Substantial).map_err(mitid_refused)?;
    let now = Utc::now();
    if pending.app == FLOW_LINK {
        let user_id = pending.user_id.ok_or(Error::Forbidden)?;
        let user = users::get(&tenant.db, user_id).await?;
        let actor = Actor::user(user.id, user.name.clone());
        match users::bind_cpr(&tenant.db, &tenant.vault, &actor, user.id, &identity.cpr).await {
            Ok(_) => {}
            Err(e) if e.is_conflict() => {
                return Err(Error::Refused {
                    status: StatusCode::CONFLICT,
                    title: "MitID er ikke knyttet",
                    message: "Dette MitID er allerede knyttet til en anden bruger.".into(),
                    back: "/admin/min-bruger",
                });
            }
            Err(e) => return Err(e.into()),
        }
        return Ok(redirect_with_flash("/admin/min-bruger", "Dit MitID er nu knyttet til din bruger."));
    }
    // A fallback sign-in: every condition is checked again here, since the
    // switch may have been turned off while the person was at NemLog-in.
    if !saml_state::fallback_login(&tenant.db).await?.active_at(now) {
        return Err(fallback_off());
    }
    let Some(user) = users::find_by_cpr(&tenant.db, &tenant.vault, &identity.cpr).await? else {
        tracing::info!("fallback sign-in with a MitID linked to no admin");
        return Err(Error::Refused {
            status: StatusCode::FORBIDDEN,
            title: "Ingen adgang",
            message: "Dit MitID er ikke knyttet til en bruger i administrationen. Et MitID knyttes under \
                      \"Min bruger\", mens FK Adgangsstyring virker."
                .into(),
            back: "/admin/login",
        });
    };
    if !user.active {
        return Err(no_access(&tenant.name));
    }
    let roles = users::last_fk_roles(&user);
    let recent = user.last_fk_login_at.is_some_and(|at| now - at <= auth.fallback_max_role_age);
    let (Some(&role), true) = (roles.iter().min(), recent) else {
        tracing::info!(user = %user.id, "fallback sign-in refused: no recent FK roles");
        return Err(Error::Refused {
            status: StatusCode::FORBIDDEN,
            title: "Ingen adgang",
            message: format!(
                "Dine roller fra FK Adgangsstyring er for gamle til nødadgang (de skal være givet inden for de \
                 seneste {} dage). Kontakt kommunens brugeradministrator.",
                auth.fallback_max_role_age.num_days()
            ),
            back: "/admin/login",
        });
    };
    let labels = roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    let actor = Actor::user(user.id, user.name.clone()).with_fallback(true);
    let entry = AuditEntry::new(AuditAction::Login, "users")
        .entity(user.id)
        .description(format!("Nødlogin med MitID; roller fra seneste FK-login: {labels}"));
    store::repo::audit::record(&tenant.db, &actor, entry).await?;
    let data = session_data(role, true, "mitid", &SamlSession::of(&login));
    sign_in(&state, &tenant, user.id, data, "/admin").await
}

fn mitid_refused(e: AttributeError) -> Error {
    tracing::warn!(error = %e, "MitID sign-in refused");
    let message = match e {
        AttributeError::LoaTooLow { .. } | AttributeError::NoLoa => {
            "Dit MitID-log ind havde for lavt sikringsniveau. Log ind med MitID på niveau betydelig eller høj."
        }
        _ => "Svaret fra MitID manglede oplysninger, vi skal bruge. Prøv igen.",
    };
    Error::Refused {
        status: StatusCode::FORBIDDEN,
        title: "Log ind mislykkedes",
        message: message.into(),
        back: "/admin/login",
    }
}

fn fallback_off() -> Error {
    Error::Refused {
        status: StatusCode::FORBIDDEN,
        title: "Nødadgang er slået fra",
        message: "Log ind med MitID i administrationen er kun muligt, mens nødadgangen er slået til. \
                  Log ind med FK Adgangsstyring."
            .into(),
        back: "/admin/login",
    }
}

#[derive(Template)]
#[template(path = "admin/status.html")]
struct StatusPage {
    chrome: Chrome,
    fallback_on: bool,
    fallback_until: Option<String>,
    fk: bool,
    mitid: bool,
    max_role_age_days: i64,
}

/// The admin status page: whether the fallback is on (and a switch for
/// Administrators). Integration states join it as the integrations land.
async fn status(State(state): State<AppState>, admin: AdminUser) -> Result<Html<String>> {
    let switch = saml_state::fallback_login(admin.db()).await?;
    let auth = state.auth(&admin.tenant);
    let page = StatusPage {
        chrome: admin.chrome(Section::Status),
        fallback_on: switch.active_at(Utc::now()),
        fallback_until: switch.until.filter(|_| switch.on).map(local_time),
        fk: auth.admin.is_some(),
        mitid: auth.admin_mitid.is_some(),
        max_role_age_days: auth.fallback_max_role_age.num_days(),
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// Every field defaults, so a malformed post reaches the role check.
#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    hours: String,
}

async fn switch(admin: AdminUser, Form(form): Form<SwitchForm>) -> Result<Response> {
    admin.require_administer()?;
    let switch = match form.action.as_str() {
        "on" => {
            let hours = match form.hours.trim() {
                "" => None,
                h => match h.parse::<i64>() {
                    Ok(n) if (1..=MAX_HOURS).contains(&n) => Some(n),
                    _ => {
                        return Err(Error::BadRequest(format!(
                            "Antal timer skal være et helt tal fra 1 til {MAX_HOURS}."
                        )));
                    }
                },
            };
            FallbackSwitch { on: true, until: hours.map(|h| Utc::now() + Duration::hours(h)) }
        }
        "off" => FallbackSwitch::default(),
        _ => return Err(Error::BadRequest("Ukendt handling.".into())),
    };
    saml_state::set_fallback_login(admin.db(), &admin.actor(), switch).await?;
    let message = if switch.on { "Nødadgang med MitID er slået til." } else { "Nødadgang med MitID er slået fra." };
    Ok(redirect_with_flash("/admin/status", message))
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Copenhagen).format("%d-%m-%Y kl. %H:%M").to_string()
}
