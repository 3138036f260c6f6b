//! One-shot confirmation messages after a successful form post
//! (post/redirect/get): the message rides in a short-lived cookie that the
//! next admin page shows and clears.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

const FLASH_COOKIE: &str = "vh_flash";

/// Redirects to `location` and shows `message` there.
pub fn redirect_with_flash(location: &str, message: &str) -> Response {
    let value = format!("{FLASH_COOKIE}={}; Path=/admin; Max-Age=60; HttpOnly; SameSite=Lax", encode(message));
    ([(SET_COOKIE, value)], Redirect::to(location)).into_response()
}

/// The pending message of a request, if any.
pub fn read(headers: &axum::http::HeaderMap) -> Option<String> {
    crate::cookies::get(headers, FLASH_COOKIE).and_then(|v| decode(&v)).filter(|m| !m.is_empty())
}

/// Clears the cookie once a page has been rendered with the message.
pub async fn clear_after_render(request: Request, next: Next) -> Response {
    let had_flash = read(request.headers()).is_some();
    let mut response = next.run(request).await;
    if had_flash && response.status().is_success() {
        let clear = format!("{FLASH_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Lax");
        if let Ok(v) = HeaderValue::from_str(&clear) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}

/// Percent-encodes everything but unreserved ASCII, so any Danish text fits
/// in a cookie value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn decode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_text_survives_the_cookie() {
        let text = "Området »Nord« er gemt; æøå ÆØÅ";
        assert_eq!(decode(&encode(text)).as_deref(), Some(text));
        assert!(encode(text).bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
    }
}
