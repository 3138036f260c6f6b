//! Static assets, compiled into the binary (never from a CDN).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

const CSS: &str = include_str!("../assets/valghalla.css");
const LIVE_JS: &str = include_str!("../assets/live.js");

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/valghalla.css", get(css)).route("/static/live.js", get(live_js))
}

async fn live_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        LIVE_JS,
    )
}

async fn css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
}
