//! The status-callback driver (reference §5, §11.6): `POST /__sim/digitalpost/receipts` sends
//! a Beskedfordeler receipt — `ModtagBeskedInput` with a base64 `PKO_PostStatus` — for a
//! recorded letter to our receiver (`/digitalpost/receipts`), after the `HEAD` probe
//! Serviceplatformen makes, and answers what the receiver said.
//!
//! Body: `{"message_uuid": "…", "status": "Afleveret Digital Post", "fejl_detaljer": "…",
//! "url": "…", "besked_id": "…"}`; `status` defaults to `Modtaget Digital Post`, `url` to the
//! configured receipt URL, `besked_id` to a new UUID (send the same one twice to test
//! idempotency). An unknown `message_uuid` is sent as given (the receiver must cope).

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
    let transmission_id = lock(&state.letters)
        .iter()
        .find(|l| l.message_uuid == request.message_uuid)
        .map(|l| l.transmission_id.clone())
        .unwrap_or_default();
    let besked_id = request.besked_id.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let now = state.control.clock.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let status = PostStatus {
        transmission_id: &transmission_id,
        message_uuid: &request.message_uuid,
        status: request.status.as_deref().unwrap_or("Modtaget Digital Post"),
        details: request.fejl_detaljer.as_deref().unwrap_or(""),
        at: &now,
    };
    let document = envelope(&besked_id, &now, &status.xml());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build() {
        Ok(c) => c,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    let head = client.head(&url).send().await.map(|r| r.status().as_u16()).ok();
    let posted = client.post(&url).header("content-type", "application/xml; charset=utf-8").body(document).send().await;
    let (status, body) = match posted {
        Ok(r) => (Some(r.status().as_u16()), r.text().await.unwrap_or_default()),
        Err(e) => (None, e.to_string()),
    };
    let status_kode = crate::xml::parse(&body).ok().and_then(|root| {
        root.descendants("urn:oio:sagdok:3.0.0", "StatusKode").first().map(|e| e.text.trim().to_owned())
    });
    Json(json!({ "besked_id": besked_id, "head_status": head, "status": status, "status_kode": status_kode, "body": body }))
        .into_response()
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
