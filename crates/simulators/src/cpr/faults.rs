//! Faults both CPR services share, applied by the handlers after the control middleware
//! (which handles the unkeyed `down`, `downtime_window`, `http_status` and `delay_ms`).
//! Here: rules keyed on a CPR number (per-PNR failures, so a batch sync sees partial
//! failure), standing latency and rate limits for benchmarks, `flap`, `slow`, `timeout`,
//! `html_error`, `unauthorized`, and the mid-body stall and truncation helpers.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;

use super::{CprState, lock};

/// How the answer is to be delivered once built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Normal,
    /// Headers and half the body, then nothing: "stall mid-body".
    StallMidBody,
}

/// An HTML error page as a front proxy sends it (not the service's own format).
pub(crate) fn html_page(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<!DOCTYPE html><html lang=\"da\"><head><meta charset=\"utf-8\"><title>{code} {reason}</title></head>\
         <body><h1>{code} {reason}</h1><p>Tjenesten er midlertidigt utilgængelig. Prøv igen senere.</p></body></html>",
        code = status.as_u16()
    );
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp
}

fn status_param(f: &crate::control::FaultSpec, default: StatusCode) -> StatusCode {
    f.param_u64("status").and_then(|s| StatusCode::from_u16(s as u16).ok()).unwrap_or(default)
}

impl CprState {
    /// Standing faults and settings that apply before a service answers. `Err` is the answer.
    pub(crate) async fn before(&self, path: &str, key: Option<&str>) -> Result<Delivery, Response> {
        let faults = &self.control.faults;
        if let Some(resp) = self.rate_limited(path) {
            return Err(resp);
        }
        if self.flapping(path) {
            return Err(html_page(StatusCode::SERVICE_UNAVAILABLE));
        }
        // Unkeyed `down`/`http_status` never get here (the middleware answered); these are
        // the rules that name this CPR number.
        if key.is_some() {
            if faults.take("down", path, key).is_some() {
                return Err(html_page(StatusCode::SERVICE_UNAVAILABLE));
            }
            if let Some(f) = faults.take("http_status", path, key) {
                let body = f.param_str("body").unwrap_or_default().to_owned();
                return Err((status_param(&f, StatusCode::INTERNAL_SERVER_ERROR), body).into_response());
            }
        }
        if let Some(f) = faults.take("html_error", path, key) {
            return Err(html_page(status_param(&f, StatusCode::BAD_GATEWAY)));
        }
        if let Some(f) = faults.take("unauthorized", path, key) {
            return Err(status_param(&f, StatusCode::FORBIDDEN).into_response());
        }
        let wait = self.wait(path, key);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        if let Some(f) = faults.take("timeout", path, key) {
            if f.param_str("stage") == Some("body") {
                return Ok(Delivery::StallMidBody);
            }
            // Accept and never answer; the connection ends when the client gives up or the
            // simulator stops.
            std::future::pending::<()>().await;
        }
        Ok(Delivery::Normal)
    }

    /// Configured latency (+ jitter), the standing `latency` rule, keyed `delay_ms`, `slow`.
    fn wait(&self, path: &str, key: Option<&str>) -> Duration {
        let faults = &self.control.faults;
        let jitter = |ms: u64| Duration::from_millis(self.random_below(ms + 1));
        let mut wait = self.config.latency + jitter(self.config.latency_jitter.as_millis() as u64);
        if let Some(f) = faults.take("latency", path, key) {
            wait +=
                Duration::from_millis(f.param_u64("ms").unwrap_or(0)) + jitter(f.param_u64("jitter_ms").unwrap_or(0));
        }
        if key.is_some()
            && let Some(f) = faults.take("delay_ms", path, key)
        {
            wait += Duration::from_millis(f.param_u64("ms").unwrap_or(5_000));
        }
        if let Some(f) = faults.take("slow", path, key) {
            // Default straddles the 30 s timeout of the OS2 clients (reference §11.1).
            let min = f.param_u64("min_ms").unwrap_or(25_000);
            let max = f.param_u64("max_ms").unwrap_or(35_000).max(min);
            wait += Duration::from_millis(min + self.random_below(max - min + 1));
        }
        wait
    }

    /// The configured limit or a standing `rate_limit` rule (`per_second`, `status`).
    fn rate_limited(&self, path: &str) -> Option<Response> {
        let rule = self.control.faults.peek("rate_limit", path, None);
        let (per_second, status) = match (&rule, self.config.rate_limit) {
            (Some(f), _) => {
                (f.param_u64("per_second").unwrap_or(10) as u32, status_param(f, StatusCode::TOO_MANY_REQUESTS))
            }
            (None, Some(l)) => (l.per_second, StatusCode::from_u16(l.status).unwrap_or(StatusCode::TOO_MANY_REQUESTS)),
            (None, None) => return None,
        };
        let mut c = lock(&self.counters);
        let now = Instant::now();
        while c.recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            c.recent.pop_front();
        }
        if c.recent.len() < per_second as usize {
            c.recent.push_back(now);
            return None;
        }
        let mut resp = if status == StatusCode::TOO_MANY_REQUESTS {
            (status, "Too many requests").into_response()
        } else {
            html_page(status)
        };
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        Some(resp)
    }

    /// A standing `flap` rule: of every `period` requests the first `failures` fail (503),
    /// starting with the first request after the rule was set or the last reset.
    fn flapping(&self, path: &str) -> bool {
        let Some(f) = self.control.faults.peek("flap", path, None) else {
            return false;
        };
        let period = f.param_u64("period").unwrap_or(2).max(1);
        let failures = f.param_u64("failures").unwrap_or(1);
        let mut c = lock(&self.counters);
        let n = c.flap;
        c.flap += 1;
        n % period < failures
    }
}

/// Deliver `body` with `content_type` and `status`, stalling after half when asked.
pub(crate) fn deliver(status: StatusCode, content_type: &'static str, body: Vec<u8>, delivery: Delivery) -> Response {
    let len = body.len();
    let mut resp = match delivery {
        Delivery::Normal => (status, body).into_response(),
        Delivery::StallMidBody => {
            let half = Bytes::from(body[..len / 2].to_vec());
            let stream =
                futures::stream::once(async move { Ok::<_, std::io::Error>(half) }).chain(futures::stream::pending());
            let mut resp = (status, Body::from_stream(stream)).into_response();
            // The full length is announced, so the client waits for the rest that never comes.
            resp.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            resp
        }
    };
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Cut a document in the middle of a character-safe position ("truncated" malformed answers).
pub(crate) fn truncate(text: &str) -> String {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}
