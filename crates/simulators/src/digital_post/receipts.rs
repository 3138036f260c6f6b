//! The status-callback driver (reference §5, §11.6): `POST /__sim/digitalpost/receipts` sends
//! a Beskedfordeler receipt — `ModtagBeskedInput` with a base64 `PKO_PostStatus` — for a
//! recorded letter to our receiver (`/digitalpost/receipts`), after the `HEAD` probe
//! Serviceplatformen makes, and answers what the receiver said.
//!
//! Body: `{"message_uuid": "…", "status": "Afleveret Digital Post", "fejl_detaljer": "…",
//! "url": "…", "besked_id": "…"}`; `status` defaults to `Modtaget Digital Post`, `url` to the
//! configured receipt URL, `besked_id` to a new UUID (send the same one twice to test
//! idempotency). An unknown `message_uuid` is sent as given (the receiver must cope).
//!
//! With `auto_receipts` the simulator also sends them by itself after each accepted letter
//! ([`schedule`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use super::{DpState, lock};
use crate::xml::escape;

#[derive(Debug, Deserialize)]
pub(crate) struct ReceiptRequest {
    message_uuid: String,
    status: Option<String>,
    fejl_detaljer: Option<String>,
    url: Option<String>,
    besked_id: Option<String>,
}

pub(crate) async fn send(State(state): State<Arc<DpState>>, Json(request): Json<ReceiptRequest>) -> Response {
    let Some(url) = request.url.clone().or_else(|| state.config.receipt_url.clone()) else {
        return (StatusCode::BAD_REQUEST, "no url given and no receipt_url configured").into_response();
    };
    let receipt = Receipt {
        message_uuid: request.message_uuid,
        status: request.status.unwrap_or_else(|| RECEIVED.to_owned()),
        details: request.fejl_detaljer.unwrap_or_default(),
        besked_id: request.besked_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
    };
    let outcome = deliver(&state, &url, &receipt).await;
    Json(json!({
        "besked_id": receipt.besked_id,
        "head_status": outcome.head_status,
        "status": outcome.status,
        "status_kode": outcome.status_kode,
        "body": outcome.body,
    }))
    .into_response()
}

pub(crate) const RECEIVED: &str = "Modtaget Digital Post";
const DELIVERED: &str = "Afleveret Digital Post";

/// One status for one letter.
pub(crate) struct Receipt {
    pub message_uuid: String,
    pub status: String,
    pub details: String,
    pub besked_id: String,
}

struct Outcome {
    head_status: Option<u16>,
    status: Option<u16>,
    status_kode: Option<String>,
    body: String,
}

async fn deliver(state: &DpState, url: &str, receipt: &Receipt) -> Outcome {
    let transmission_id = lock(&state.letters)
        .iter()
        .find(|l| l.message_uuid == receipt.message_uuid)
        .map(|l| l.transmission_id.clone())
        .unwrap_or_default();
    let now = state.control.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let status = PostStatus {
        transmission_id: &transmission_id,
        message_uuid: &receipt.message_uuid,
        status: &receipt.status,
        details: &receipt.details,
        at: &now,
    };
    let document = envelope(&receipt.besked_id, &now, &status.xml());
    let client = &state.http;
    let head_status = client.head(url).send().await.map(|r| r.status().as_u16()).ok();
    let posted = client.post(url).header("content-type", "application/xml; charset=utf-8").body(document).send().await;
    let (status, body) = match posted {
        Ok(r) => (Some(r.status().as_u16()), r.text().await.unwrap_or_default()),
        Err(e) => (None, e.to_string()),
    };
    let status_kode = crate::xml::parse(&body).ok().and_then(|root| {
        root.descendants("urn:oio:sagdok:3.0.0", "StatusKode").first().map(|e| e.text.trim().to_owned())
    });
    Outcome { head_status, status, status_kode, body }
}

/// After an accepted letter (with `auto_receipts`): "Modtaget Digital Post" at once, then
/// "Afleveret Digital Post" — or "Fejlet" for a `receipt_failed` fault, nothing for
/// `no_callback`. Each is sent until the receiver answers `StatusKode 20`, at most three
/// times a second apart, as the Beskedfordeler redelivers.
pub(crate) fn schedule(state: Arc<DpState>, path: &str, message_uuid: String) {
    let Some(url) = state.config.receipt_url.clone().filter(|_| state.config.auto_receipts) else {
        return;
    };
    let faults = &state.control.faults;
    if faults.take("no_callback", path, Some(&message_uuid)).is_some() {
        return;
    }
    let failed = faults.take("receipt_failed", path, Some(&message_uuid));
    let last = match &failed {
        Some(f) => ("Fejlet", f.param_str("text").unwrap_or("Postkassen kunne ikke modtage brevet").to_owned()),
        None => (DELIVERED, String::new()),
    };
    tokio::spawn(async move {
        for (status, details) in [(RECEIVED, String::new()), (last.0, last.1)] {
            let receipt = Receipt {
                message_uuid: message_uuid.clone(),
                status: status.to_owned(),
                details,
                besked_id: uuid::Uuid::new_v4().to_string(),
            };
            for _ in 0..3 {
                if deliver(&state, &url, &receipt).await.status_kode.as_deref() == Some("20") {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    });
}

struct PostStatus<'a> {
    transmission_id: &'a str,
    message_uuid: &'a str,
    status: &'a str,
    details: &'a str,
    at: &'a str,
}

impl PostStatus<'_> {
    fn xml(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><PKO_PostStatus \
             xmlns=\"http://serviceplatformen.dk/xml/print/PKO_PostStatus/1/types\">\
             <TransmissionId>{}</TransmissionId><MessageUUID>{}</MessageUUID><KanalKode>Digital Post</KanalKode>\
             <TransaktionsDatoTid>{}</TransaktionsDatoTid><TransaktionsStatusKode>{}</TransaktionsStatusKode>\
             <CorrelationId>{}</CorrelationId><FejlDetaljer>{}</FejlDetaljer></PKO_PostStatus>",
            escape(self.transmission_id),
            escape(self.message_uuid),
            self.at,
            escape(self.status),
            escape(self.message_uuid),
            escape(self.details),
        )
    }
}

/// The OIO event envelope of reference §5 (only what a receiver reads is filled in with meaning).
fn envelope(besked_id: &str, at: &str, status: &str) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(status.as_bytes());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <sts:ModtagBeskedInput xmlns:sts=\"urn:oio:sts:1.0.0\" xmlns:kuvert=\"urn:oio:besked:kuvert:1.0\" \
         xmlns:sagdok=\"urn:oio:sagdok:3.0.0\" xmlns:b64=\"urn:besked:kuvert:1.0\">\
         <kuvert:Haendelsesbesked><BeskedId><sagdok:UUIDIdentifikator>{besked_id}</sagdok:UUIDIdentifikator></BeskedId>\
         <BeskedVersion>1.0</BeskedVersion><Beskedkuvert><Leveranceinformation>\
         <Dannelsestidspunkt>{at}</Dannelsestidspunkt><Kildesystem>SF1601</Kildesystem>\
         <Leveranceruter><Leverancerute><Fordelingssystem>Beskedfordeler</Fordelingssystem>\
         <LeveranceTidspunkt>{at}</LeveranceTidspunkt><LeveranceruteLokalUdvidelse>\
         <AntalLeveranceforsoeg>1</AntalLeveranceforsoeg></LeveranceruteLokalUdvidelse></Leverancerute>\
         </Leveranceruter></Leveranceinformation></Beskedkuvert><Beskeddata>\
         <b64:Base64 content-type=\"application/xml\" encoding=\"UTF-8\" file-type=\".xml\">{data}</b64:Base64>\
         </Beskeddata></kuvert:Haendelsesbesked></sts:ModtagBeskedInput>"
    )
}
