//! Signing out, shared by the admin app and the portal: the local session
//! ends first (so a failing IdP never keeps anybody signed in), then the
//! IdP's session through single logout; and IdP-initiated logout ends every
//! local session of the person it names.

use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use integrations::saml::{IncomingLogoutRequest, LogoutRequest, LogoutResponseMessage, LogoutStatus};
use sea_orm::DatabaseConnection;
use store::entity::sessions::Model as Session;
use store::repo::saml_state;
use store::repo::sessions::{self, SessionApp};

use super::{SamlSide, query_param, remember_logout};
use crate::error::{Error, Result};

/// The `app` of a pending LogoutRequest of flow `flow` (e.g. `admin` → `admin-logout`).
pub fn logout_app(flow: &str) -> String {
    format!("{flow}-logout")
}

/// After the local session is gone: the URL of a signed LogoutRequest to the
/// IdP for the SAML session kept in `session`, or `None` if there is none
/// (no SAML data, or an IdP without single logout).
pub async fn start_logout(
    side: Option<&SamlSide>,
    db: &DatabaseConnection,
    flow: &str,
    session: &Session,
) -> Result<Option<String>> {
    let Some(side) = side else { return Ok(None) };
    let Some(name_id) = session.data.get("name_id").and_then(|v| v.as_str()) else { return Ok(None) };
    let text = |key: &str| session.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let request = match LogoutRequest::new(
        &side.sp,
        &side.idp,
        name_id,
        text("name_id_format").as_deref(),
        text("session_index").as_deref(),
        Utc::now(),
    ) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(error = %e, "no single logout at the IdP");
            return Ok(None);
        }
    };
    remember_logout(db, &logout_app(flow), &request.id).await?;
    // RelayState carries our request ID back, so the answer's InResponseTo
    // can be checked against a request we really sent.
    let url = request.redirect_url(&side.sp.signing, Some(&request.id)).map_err(anyhow::Error::from)?;
    Ok(Some(url))
}

/// `GET …/saml/slo`: the IdP's answer to our LogoutRequest, or its own
/// LogoutRequest. `done` is where the browser goes after a logout we started.
pub async fn single_logout(
    side: Option<&SamlSide>,
    db: &DatabaseConnection,
    flow: &str,
    app: SessionApp,
    raw_query: &str,
    done: &'static str,
) -> Result<Response> {
    let side = side.ok_or(Error::NotFound)?;
    if query_param(raw_query, "SAMLRequest").is_some() {
        let now = Utc::now();
        let incoming = IncomingLogoutRequest::from_redirect(raw_query, &side.idp, &side.sp, now).map_err(|e| {
            tracing::warn!(error = %e, "IdP logout request refused");
            Error::BadRequest("Log ud-beskeden fra identitetsudbyderen kunne ikke godkendes.".into())
        })?;
        let ended = sessions::delete_by_data(db, app, "name_id", &incoming.name_id).await?;
        tracing::info!(ended, "sessions ended by IdP-initiated logout");
        let answer = incoming
            .response(&side.sp, &side.idp, LogoutStatus::Success, now)
            .and_then(|r| r.redirect_url(&side.sp.signing))
            .map_err(anyhow::Error::from)?;
        return Ok(Redirect::to(&answer).into_response());
    }
    if query_param(raw_query, "SAMLResponse").is_some() {
        let relay = query_param(raw_query, "RelayState").unwrap_or_default();
        let pending = saml_state::take_pending(db, &relay, &[&logout_app(flow)]).await?;
        match pending {
            Some(p) => match LogoutResponseMessage::from_redirect(raw_query, &side.idp, &side.sp, &p.id) {
                Ok(m) if m.is_success() => {}
                Ok(m) => tracing::warn!(status = %m.status_code, "IdP reports logout not fully done"),
                Err(e) => tracing::warn!(error = %e, "IdP logout response refused"),
            },
            None => tracing::warn!("logout response for no pending request of ours"),
        }
        // Our session ended before the request went out, whatever the IdP says.
        return Ok(Redirect::to(done).into_response());
    }
    Err(Error::BadRequest("Der mangler en SAML-besked.".into()))
}
