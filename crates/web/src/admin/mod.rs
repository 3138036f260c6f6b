//! The admin app, mounted under `/admin`.

pub mod chrome;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home() -> &'static str {
    "Valghalla administration"
}
