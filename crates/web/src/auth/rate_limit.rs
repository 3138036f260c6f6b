//! A small in-memory rate limit for the sign-in endpoints: a token bucket
//! per client IP. It blunts scripted floods of AuthnRequests (each one is a
//! database row) and of posted responses (each one is a signature check); it
//! is per process, which is enough for that purpose.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};

use crate::state::AppState;

/// Above this many tracked clients, full buckets are forgotten.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    /// Requests a client may make at once.
    burst: f64,
    /// Tokens added per second.
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(burst: u32, per_minute: u32) -> Self {
        RateLimiter { burst: f64::from(burst), per_second: f64::from(per_minute) / 60.0, buckets: Mutex::default() }
    }

    /// Takes a token for `client`; `false` if it has none left.
    pub fn allow(&self, client: IpAddr) -> bool {
        self.allow_at(client, Instant::now())
    }

    fn allow_at(&self, client: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl Default for RateLimiter {
    /// 30 at once, then one every two seconds: far above what a person
    /// signing in needs, far below what a script would send.
    fn default() -> Self {
        RateLimiter::new(30, 30)
    }
}

/// An extractor the sign-in handlers take first: it takes a token from the
/// client's bucket or answers 429. The client is the TCP peer; without
/// connection info (an app served without it) all requests share one
/// bucket. Behind a reverse proxy that is the proxy, so the limit then
/// applies to all clients together, which fails safe.
pub struct SignInLimit;

impl FromRequestParts<AppState> for SignInLimit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if state.login_limiter.allow(client) {
            return Ok(SignInLimit);
        }
        tracing::warn!(%client, "sign-in rate limit reached");
        Err((
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "60")],
            Html(crate::error::simple_page(
                "For mange forsøg",
                "Der er kommet for mange forsøg på at logge ind fra din forbindelse. Vent et minut, og prøv igen.",
            )),
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_empties_and_refills() {
        let limiter = RateLimiter::new(2, 60);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let t0 = Instant::now();
        assert!(limiter.allow_at(a, t0));
        assert!(limiter.allow_at(a, t0));
        assert!(!limiter.allow_at(a, t0), "burst used up");
        assert!(limiter.allow_at(b, t0), "other clients unaffected");
        assert!(limiter.allow_at(a, t0 + Duration::from_secs(1)), "one token per second");
        assert!(!limiter.allow_at(a, t0 + Duration::from_secs(1)));
    }
}
