//! The HTTP layer: the admin app (`/admin`), the participant portal (`/`),
//! the ops endpoints and static assets, all in one axum router.
//!
//! `app(state)` builds the router; `main` only binds it. Every request is
//! tied to a tenant through its Host header by the [`tenant::CurrentTenant`]
//! extractor, so a handler cannot reach another municipality's data.

pub mod admin;
pub mod assets;
pub mod auth;
pub mod cookies;
pub mod cpr;
pub mod csrf;
pub mod digital_post;
pub mod error;
pub mod forms;
pub mod ops;
pub mod plain_text;
pub mod portal;
pub mod security;
pub mod state;
pub mod tenant;

use axum::Router;
use tower_http::trace::TraceLayer;

pub use error::Error;
pub use state::AppState;

/// The whole web application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(ops::routes())
        .merge(assets::routes())
        .merge(digital_post::routes())
        .merge(portal::routes().layer(axum::middleware::from_fn_with_state(state.clone(), portal::content::footer)))
        .nest("/admin", admin::routes())
        // The nested home page is "/admin"; people type the slash too.
        .route("/admin/", axum::routing::get(|| async { axum::response::Redirect::permanent("/admin") }))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(portal::i18n::translate_errors))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::headers))
        .layer(axum::middleware::from_fn(ops::count_requests))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
