//! CSRF protection for every state-changing request of a signed-in user.
//!
//! The token is derived from the session cookie (a keyed hash), so it needs
//! no storage, survives restarts, changes with every new session, and cannot
//! be computed by a page that cannot read the cookie. Forms send it as the
//! hidden field `csrf` (urlencoded bodies) or in the action URL's query
//! (multipart uploads, whose bodies are streamed to the handler); scripts and
//! tests may send the header `x-csrf-token`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::Error;

pub const HEADER: &str = "x-csrf-token";
/// Forms are small; uploads are multipart and never buffered here.
const FORM_LIMIT: usize = 1024 * 1024;

/// The token for the session whose cookie value is `session`.
pub fn token_for(session: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"valghalla csrf\0");
    hash.update(session.as_bytes());
    hex::encode(hash.finalize())
}

/// Middleware for a router whose sessions live in the cookie `cookie`.
/// Requests without that cookie pass: they carry no session to abuse, and
/// the handlers refuse them anyway where a session is needed.
pub async fn check(cookie: &'static str, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let Some(session) = crate::cookies::get(request.headers(), cookie) else {
        return next.run(request).await;
    };
    let expected = token_for(&session);
    if let Some(sent) = header_or_query(&request) {
        return if constant_time_eq(&sent, &expected) { next.run(request).await } else { refuse() };
    }
    if !is_urlencoded(&request) {
        return refuse();
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return Error::BadRequest("Formularen er for stor".into()).into_response();
    };
    let sent = form_field(&bytes, "csrf");
    if !sent.is_some_and(|s| constant_time_eq(&s, &expected)) {
        return refuse();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refuse() -> Response {
    tracing::warn!("request refused: missing or wrong CSRF token");
    Error::Forbidden.into_response()
}

fn header_or_query(request: &Request) -> Option<String> {
    if let Some(v) = request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return Some(v.to_owned());
    }
    form_field(request.uri().query()?.as_bytes(), "csrf")
}

fn is_urlencoded(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(bytes: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_depends_on_the_session() {
        assert_eq!(token_for("a"), token_for("a"));
        assert_ne!(token_for("a"), token_for("b"));
        assert_eq!(token_for("a").len(), 64);
    }

    #[test]
    fn finds_the_field_in_a_form_body() {
        assert_eq!(form_field(b"name=Nord&csrf=abc", "csrf").as_deref(), Some("abc"));
        assert_eq!(form_field(b"name=Nord", "csrf"), None);
    }
}
