//! The admin app, mounted under `/admin`. Each master-data screen is one
//! module with its routes; access is decided by the `AdminUser` extractor
//! (signed in) and its `require_*` checks (role), nowhere else.

pub mod areas;
pub mod audit_log;
pub mod auth;
mod catalogue;
pub mod chrome;
pub mod contact_info;
pub mod cpr_review;
pub mod diets;
pub mod election_types;
pub mod elections;
pub mod fallback;
pub mod flash;
pub mod home;
pub mod integrations;
pub mod message_detail;
pub mod messages;
pub mod participants;
pub mod saml;
mod staffing;
pub mod task_types;
pub mod tasks;
pub mod teams;
pub mod templates;
pub mod web_pages;
pub mod work_locations;

use axum::Router;
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::error::Error;
use crate::state::AppState;

pub use auth::AdminUser;
pub use chrome::{Chrome, Section};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .merge(saml::routes())
        .merge(fallback::routes())
        .merge(areas::routes())
        .merge(audit_log::routes())
        .merge(diets::routes())
        .merge(election_types::routes())
        .merge(elections::routes())
        .merge(task_types::routes())
        .merge(tasks::routes())
        .merge(teams::routes())
        .merge(templates::routes())
        .merge(web_pages::routes())
        .merge(contact_info::routes())
        .merge(work_locations::routes())
        .merge(participants::routes())
        .merge(messages::routes())
        .merge(message_detail::routes())
        .merge(integrations::routes())
        .merge(cpr_review::routes())
        .layer(axum::middleware::from_fn(flash::clear_after_render))
        .layer(axum::middleware::from_fn(|request, next| crate::csrf::check(auth::ADMIN_COOKIE, request, next)))
        .layer(axum::middleware::from_fn(same_origin_posts))
        // The assertion consumers, deliberately outside the CSRF and
        // same-origin checks above (see `saml::acs_routes`).
        .merge(saml::acs_routes())
        .merge(fallback::acs_routes())
}

/// Refuses a state-changing request whose `Origin` (or, lacking it, `Referer`)
/// names another host than the one it was sent to. Together with SameSite=Lax
/// cookies this keeps other sites from posting forms on an admin's behalf.
pub async fn same_origin_posts(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok())
        .map(origin_host);
    match origin {
        Some(Some(o)) if o.eq_ignore_ascii_case(host) => next.run(request).await,
        // Browsers always send Origin on cross-site POSTs; a request without
        // either header comes from a non-browser client, which holds no
        // victim's cookie.
        None => next.run(request).await,
        _ => Error::Forbidden.into_response(),
    }
}

/// "https://host:port/path" → "host:port".
fn origin_host(value: &str) -> Option<&str> {
    let rest = value.split_once("://")?.1;
    Some(rest.split('/').next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::origin_host;

    #[test]
    fn origin_host_keeps_the_port() {
        assert_eq!(origin_host("http://localhost:8080"), Some("localhost:8080"));
        assert_eq!(origin_host("https://a.example/admin/areas"), Some("a.example"));
        assert_eq!(origin_host("null"), None);
    }
}
