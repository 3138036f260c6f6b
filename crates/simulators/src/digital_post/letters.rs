//! SF1601 `kombi`/`memos`, `PostForespoerg` and direct NgDP (reference §4.2, §4.3, §11.4,
//! §11.5): the MeMo essentials are validated, every letter is recorded, a known
//! `messageUUID` is answered as configured, and a citizen who is exempt or not registered
//! gets `Result=false`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use super::sts::{Format, authorize, body, injected, json_error, maybe_truncated, transaction_headers};
use super::{DpState, DuplicatePolicy, FORESPOERG_AUDIENCE, KOMBI_AUDIENCE, KOMBI_PATH, NGDP_PATH, Registration, lock};
use crate::control::RecordHandle;
use crate::cpr::ClientCert;
use crate::xml::{Element, escape, parse};

const MEMO: &str = "https://DigitalPost.dk/MeMo-1";

/// One received letter.
#[derive(Debug, Clone, Serialize)]
pub struct Letter {
    pub message_uuid: String,
    pub transmission_id: String,
    /// `sf1601` or `ngdp`.
    pub via: &'static str,
    pub sender_cvr: String,
    pub recipient_cpr: String,
    pub label: String,
    /// File names in order: the main document's first.
    pub files: Vec<String>,
    pub received_at: DateTime<Utc>,
    /// Whether it was accepted (`Result=true`, Advis "Received").
    pub accepted: bool,
}

/// The MeMo essentials of §11.4, read from the `Message` element.
fn validate(message: &Element) -> Result<(String, String, String, String, Vec<String>), String> {
    if !message.is(MEMO, "Message") {
        return Err(format!("expected MeMo Message in {MEMO}"));
    }
    if message.attr("memoVersion").is_none() {
        return Err("memoVersion missing".into());
    }
    let header = message.child(MEMO, "MessageHeader").ok_or("MessageHeader missing")?;
    let text = |e: &Element, name: &str| e.child_text(MEMO, name).unwrap_or_default();
    let uuid = text(header, "messageUUID");
    let parsed = uuid::Uuid::parse_str(&uuid).map_err(|_| "messageUUID is not a UUID")?;
    if parsed.get_version_num() != 4 {
        return Err("messageUUID is not a version 4 UUID".into());
    }
    if !matches!(text(header, "messageType").as_str(), "DIGITALPOST" | "NEMSMS") {
        return Err("messageType must be DIGITALPOST or NEMSMS".into());
    }
    let label = text(header, "label");
    if label.is_empty() || label.chars().count() > 256 {
        return Err("label must be 1..256 characters".into());
    }
    let sender = header.child(MEMO, "Sender").ok_or("Sender missing")?;
    if text(sender, "idType") != "CVR" {
        return Err("Sender/idType must be CVR".into());
    }
    let recipient = header.child(MEMO, "Recipient").ok_or("Recipient missing")?;
    let cpr = text(recipient, "recipientID");
    if text(recipient, "idType") != "CPR" || cpr.len() != 10 || !cpr.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Recipient must be a CPR number with idType CPR".into());
    }
    let body = message.child(MEMO, "MessageBody").ok_or("MessageBody missing")?;
    let created = text(body, "createdDateTime");
    if !created.ends_with('Z') || DateTime::parse_from_rfc3339(&created).is_err() {
        return Err("createdDateTime must be an xs:dateTime ending in Z".into());
    }
    let main = body.child(MEMO, "MainDocument").ok_or("MainDocument missing")?;
    let mut files = documents(main)?;
    for extra in body.children_named(MEMO, "AdditionalDocument") {
        files.extend(documents(extra)?);
    }
    Ok((uuid, text(sender, "senderID"), cpr, label, files))
}

fn documents(document: &Element) -> Result<Vec<String>, String> {
    let files: Vec<&Element> = document.children_named(MEMO, "File").collect();
    if files.is_empty() {
        return Err(format!("{} has no File", document.name));
    }
    files
        .into_iter()
        .map(|file| {
            let text = |name| file.child_text(MEMO, name).unwrap_or_default();
            if text("encodingFormat").is_empty() || text("filename").is_empty() {
                return Err("File needs encodingFormat and filename".to_owned());
            }
            if text("language").chars().count() > 2 {
                return Err("File/language is at most 2 characters".to_owned());
            }
            let content = base64::engine::general_purpose::STANDARD.decode(text("content").as_bytes());
            if content.map_or(true, |c| c.is_empty()) {
                return Err("File/content must be non-empty base64".to_owned());
            }
            Ok(text("filename"))
        })
        .collect()
}

fn note(record: &Option<Extension<RecordHandle>>, detail: serde_json::Value) {
    if let Some(Extension(r)) = record {
        r.annotate(detail);
    }
}

fn kombi_response(result: bool, transmission_id: &str, advis: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><kombi_response><Result>{result}</Result>\
         <TransmissionID>{transmission_id}</TransmissionID><HovedoplysningerSvarREST><SvarReaktion><Advis>\
         <AdvisId>1</AdvisId><AdvisTekst>{}</AdvisTekst></Advis></SvarReaktion></HovedoplysningerSvarREST>\
         </kombi_response>",
        escape(advis)
    )
}

pub(crate) async fn kombi(
    State(state): State<Arc<DpState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    headers: HeaderMap,
    request: Bytes,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    if let Err(why) = authorize(&state, &headers, &cert, KOMBI_AUDIENCE) {
        note(&record, json!({ "service": "kombi", "outcome": "unauthorized", "reason": why }));
        return json_error(StatusCode::UNAUTHORIZED, "invalid_token", why);
    }
    let parsed = transaction_headers(&headers).map_err(str::to_owned).and_then(|()| {
        let root = parse(&String::from_utf8_lossy(&request)).map_err(|e| format!("not XML: {e}"))?;
        if root.ns.is_some() || root.name != "kombi_request" {
            return Err("root must be the un-namespaced kombi_request".to_owned());
        }
        if root.children.first().is_none_or(|c| c.name != "KombiValgKode") {
            return Err("KombiValgKode must come first".to_owned());
        }
        let message = root.child(MEMO, "Message").ok_or("no MeMo Message in kombi_request")?;
        validate(message)
    });
    receive(&state, &record, parsed, "sf1601", KOMBI_PATH).await
}

pub(crate) async fn ngdp(
    State(state): State<Arc<DpState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    request: Bytes,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    if cert == ClientCert::Absent {
        return json_error(StatusCode::FORBIDDEN, "forbidden", "a client certificate is required");
    }
    let parsed =
        parse(&String::from_utf8_lossy(&request)).map_err(|e| format!("not XML: {e}")).and_then(|m| validate(&m));
    receive(&state, &record, parsed, "ngdp", NGDP_PATH).await
}

type Parsed = Result<(String, String, String, String, Vec<String>), String>;

async fn receive(
    state: &Arc<DpState>,
    record: &Option<Extension<RecordHandle>>,
    parsed: Parsed,
    via: &'static str,
    path: &str,
) -> Response {
    let (uuid, sender_cvr, cpr, label, files) = match parsed {
        Ok(p) => p,
        Err(why) => {
            note(record, json!({ "service": via, "outcome": "invalid", "reason": why }));
            return body(
                StatusCode::BAD_REQUEST,
                Format::Xml,
                format!("<fault><errorText>{}</errorText></fault>", escape(&why)),
            );
        }
    };
    note(record, json!({ "service": via, "message_uuid": uuid }));
    if let Some(resp) = injected(state, path, Some(&uuid), Format::Xml).await {
        return resp;
    }
    if let Some(resp) = duplicate(state, &uuid, via) {
        note(record, json!({ "outcome": "duplicate" }));
        return resp;
    }
    let faults = &state.control.faults;
    let registration = state.registration(&cpr);
    let refused = registration != Registration::Registered || faults.take("result_false", path, Some(&uuid)).is_some();
    let advis = faults.take("advis", path, Some(&uuid)).map(|f| f.param_str("text").unwrap_or("Rejected").to_owned());
    let advis = match (refused, registration, advis) {
        (_, _, Some(text)) => text,
        (true, Registration::Exempt, _) => "Modtager er fritaget for Digital Post".to_owned(),
        (true, Registration::NotRegistered, _) => "Modtager er ikke tilmeldt Digital Post".to_owned(),
        (true, _, _) => "Afvist".to_owned(),
        (false, _, _) => "Received".to_owned(),
    };
    let accepted = !refused && advis == "Received";
    let transmission_id = uuid::Uuid::new_v4().to_string();
    note(
        record,
        json!({ "outcome": if accepted { "accepted" } else { "refused" }, "transmission_id": transmission_id }),
    );
    let scheduled = accepted.then(|| uuid.clone());
    lock(&state.letters).push(Letter {
        message_uuid: uuid,
        transmission_id: transmission_id.clone(),
        via,
        sender_cvr,
        recipient_cpr: cpr,
        label,
        files,
        received_at: state.control.clock.now(),
        accepted,
    });
    // After the letter is recorded, so the receipt carries its TransmissionId.
    if let Some(uuid) = scheduled {
        super::receipts::schedule(state.clone(), path, uuid);
    }
    if via == "ngdp" {
        return match accepted {
            true => body(StatusCode::OK, Format::Json, json!({ "transmissionId": transmission_id }).to_string()),
            false => body(
                StatusCode::BAD_REQUEST,
                Format::Xml,
                format!("<fault><errorText>{}</errorText></fault>", escape(&advis)),
            ),
        };
    }
    let answer = kombi_response(!refused, &transmission_id, &advis);
    body(StatusCode::OK, Format::Xml, maybe_truncated(state, path, None, answer))
}

/// A `messageUUID` seen before, answered per [`DuplicatePolicy`].
fn duplicate(state: &DpState, uuid: &str, via: &str) -> Option<Response> {
    let letters = lock(&state.letters);
    let first = letters.iter().find(|l| l.message_uuid == uuid && l.accepted)?;
    let why = "<fault><errorText>messageUUID er allerede modtaget</errorText></fault>".to_owned();
    Some(match state.config.duplicates {
        DuplicatePolicy::Conflict => body(StatusCode::CONFLICT, Format::Xml, why),
        DuplicatePolicy::BadRequest => body(StatusCode::BAD_REQUEST, Format::Xml, why),
        DuplicatePolicy::Idempotent if via == "ngdp" => {
            body(StatusCode::OK, Format::Json, json!({ "transmissionId": first.transmission_id }).to_string())
        }
        DuplicatePolicy::Idempotent => {
            body(StatusCode::OK, Format::Xml, kombi_response(true, &first.transmission_id, "Received"))
        }
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct ForespoergQuery {
    #[serde(rename = "cprNumber")]
    cpr_number: Option<String>,
}

pub(crate) async fn forespoerg(
    State(state): State<Arc<DpState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    headers: HeaderMap,
    Query(query): Query<ForespoergQuery>,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    if let Err(why) = authorize(&state, &headers, &cert, FORESPOERG_AUDIENCE) {
        note(&record, json!({ "service": "postforespoerg", "outcome": "unauthorized", "reason": why }));
        return json_error(StatusCode::UNAUTHORIZED, "invalid_token", why);
    }
    let Some(cpr) = query.cpr_number.filter(|c| c.len() == 10 && c.bytes().all(|b| b.is_ascii_digit())) else {
        return json_error(StatusCode::BAD_REQUEST, "invalid_request", "cprNumber must be 10 digits");
    };
    if let Err(why) = transaction_headers(&headers) {
        return json_error(StatusCode::BAD_REQUEST, "invalid_request", why);
    }
    let path = super::FORESPOERG_PATH;
    if let Some(resp) = injected(&state, path, Some(&cpr), Format::Json).await {
        return resp;
    }
    let registered = state.registration(&cpr) == Registration::Registered;
    note(&record, json!({ "service": "postforespoerg", "outcome": "answered", "result": registered }));
    body(
        StatusCode::OK,
        Format::Json,
        maybe_truncated(&state, path, Some(&cpr), json!({ "result": registered }).to_string()),
    )
}
