//! Signing in and out of the admin app. Until SAML sign-in lands, only the
//! demo offers a way in: a page that says it is a demo and lists the seeded
//! users. `serve` never serves it.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::repo::audit::{Actor, AuditAction, AuditEntry};
use store::repo::sessions::{self, NewSession, SessionApp, SessionToken};
use uuid::Uuid;

use super::auth::ADMIN_COOKIE;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

struct DemoUser {
    id: Uuid,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "admin/login.html")]
struct LoginPage {
    tenant_name: String,
    demo: bool,
    users: Vec<DemoUser>,
}

pub async fn login_page(State(state): State<AppState>, tenant: CurrentTenant) -> Result<Html<String>> {
    let users = if state.demo_login {
        store::repo::users::list(&tenant.db)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| DemoUser {
                id: u.id,
                role: domain::AdminRole::parse(&u.role).map(|r| r.label().to_owned()).unwrap_or(u.role),
                name: u.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = LoginPage { tenant_name: tenant.name.clone(), demo: state.demo_login, users };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

#[derive(Deserialize)]
pub struct DemoLoginForm {
    user_id: Uuid,
}

pub async fn demo_login(
    State(state): State<AppState>,
    tenant: CurrentTenant,
    Form(form): Form<DemoLoginForm>,
) -> Result<Response> {
    if !state.demo_login {
        return Err(Error::NotFound);
    }
    let user = store::repo::users::get(&tenant.db, form.user_id).await?;
    if !user.active {
        return Err(Error::Forbidden);
    }
    let new = NewSession {
        app: SessionApp::Admin,
        user_id: Some(user.id),
        participant_id: None,
        lifetime: chrono::Duration::hours(12),
        data: serde_json::json!({}),
    };
    let (token, _) = sessions::create(&tenant.db, new).await?;
    let entry = AuditEntry::new(AuditAction::Login, "users").entity(user.id).description("Demo-log ind");
    store::repo::audit::record(&tenant.db, &Actor::user(user.id, &user.name), entry).await?;
    Ok((
        [("set-cookie", session_cookie_header(token.as_str(), state.secure_cookies))],
        Redirect::to("/admin"),
    )
        .into_response())
}

pub async fn logout(State(state): State<AppState>, tenant: CurrentTenant, parts: SessionId) -> Result<Response> {
    if let Some(id) = parts.0 {
        sessions::delete(&tenant.db, &SessionToken::from_cookie(&id)).await?;
    }
    Ok(([("set-cookie", clear_cookie_header(state.secure_cookies))], Redirect::to("/admin/login")).into_response())
}

/// The raw session id from the cookie, if any.
pub struct SessionId(Option<String>);

impl FromRequestParts<AppState> for SessionId {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self> {
        Ok(SessionId(crate::cookies::get(&parts.headers, ADMIN_COOKIE)))
    }
}

fn session_cookie_header(id: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{ADMIN_COOKIE}={id}; Path=/admin; HttpOnly; SameSite=Lax{secure}")
}

fn clear_cookie_header(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{ADMIN_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
}
