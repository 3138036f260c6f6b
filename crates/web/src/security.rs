//! Security headers on every response, set in one layer of `web::app`.
//!
//! The Content-Security-Policy allows no inline script and no inline style,
//! and no scripts, styles or frames from anywhere else: the pages need none.
//! `form-action` lists the IdPs because signing out is a form post answered
//! by a redirect to the IdP, which browsers check against `form-action`.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The policy for IdP origins `idp_origins` (`scheme://host[:port]`).
pub fn content_security_policy(idp_origins: &[String]) -> String {
    let mut form_action = String::from("'self'");
    for origin in idp_origins {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         form-action {form_action}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(state.csp()) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Full URLs (with invitation codes in them) never leave the site. A page
    // may be stricter (the read-only link sends no Referer at all).
    if !headers.contains_key(REFERRER_POLICY) {
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    }
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_has_no_inline_script_and_lists_the_idps() {
        let csp = content_security_policy(&["http://127.0.0.1:4000".into()]);
        assert!(csp.contains("script-src 'self';"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("form-action 'self' http://127.0.0.1:4000;"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
