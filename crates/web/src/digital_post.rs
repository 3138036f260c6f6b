//! The Beskedfordeler's push of Digital Post status receipts, served at
//! `/digitalpost/receipts`: `HEAD` is its reachability probe; `POST` carries
//! one receipt. The answer `StatusKode 20` goes out only after the receipt is
//! stored (a redelivery of the same `BeskedId` changes nothing), so a crash
//! in between makes the sender deliver it again rather than lose it. The
//! tenant is the one whose database holds the message.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use integrations::messaging::receipts::{self, StatusReceipt};
use store::repo::receipts::{Applied, Receipt};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/digitalpost/receipts", post(receive).head(|| async { StatusCode::OK }))
}

fn xml(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], body).into_response()
}

/// A receipt is a few kilobytes; anything much bigger is not one.
const MAX_BODY: usize = 1 << 20;

async fn receive(State(state): State<AppState>, request: Request) -> Response {
    let sender = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let Ok(body) = axum::body::to_bytes(request.into_body(), MAX_BODY).await else {
        return xml(StatusCode::PAYLOAD_TOO_LARGE, receipts::error_reply("For stor besked"));
    };
    if !sender.is_some_and(|ip| state.receipt_senders.contains(&ip)) {
        tracing::warn!(?sender, "Digital Post receipt from an address not allowed");
        return xml(StatusCode::FORBIDDEN, receipts::error_reply("Afsender ikke godkendt"));
    }
    let receipt = match receipts::parse(&body) {
        Ok(receipt) => receipt,
        Err(e) => {
            tracing::warn!("unreadable Digital Post receipt: {e}");
            return xml(StatusCode::BAD_REQUEST, receipts::error_reply(&e.to_string()));
        }
    };
    match store_receipt(&state, &receipt).await {
        Ok(Some(applied)) => {
            tracing::info!(besked = receipt.besked_id, status = receipt.status, ?applied, "Digital Post receipt");
            xml(StatusCode::OK, receipts::ok_reply())
        }
        // Not ours in any tenant: acknowledged, or it would come back for ever.
        Ok(None) => {
            tracing::warn!(message = %receipt.message_uuid, "Digital Post receipt for an unknown message");
            xml(StatusCode::OK, receipts::ok_reply())
        }
        Err(e) => {
            tracing::error!("storing a Digital Post receipt failed: {e:#}");
            xml(StatusCode::SERVICE_UNAVAILABLE, receipts::error_reply("Kunne ikke gemmes; prøv igen"))
        }
    }
}

/// Records the receipt in the tenant that sent the message; `None` when no
/// tenant did.
async fn store_receipt(state: &AppState, receipt: &StatusReceipt) -> anyhow::Result<Option<Applied>> {
    for tenant in state.tenants.all() {
        if store::repo::receipts::message_of(&tenant.db, receipt.message_uuid).await?.is_none() {
            continue;
        }
        let row = Receipt {
            besked_id: receipt.besked_id.clone(),
            message_uuid: receipt.message_uuid,
            status_text: receipt.status.clone(),
            detail: receipt.detail.clone(),
        };
        return Ok(Some(store::repo::receipts::apply(&tenant.db, &row, Utc::now()).await?));
    }
    Ok(None)
}
