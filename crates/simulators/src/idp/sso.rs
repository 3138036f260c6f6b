//! Single sign-on: read the SP's AuthnRequest (HTTP-Redirect), let a test user be picked,
//! and answer with a signed (and for NemLog-in encrypted) Response over HTTP-POST.
//! IdP-specific faults are applied here (see the crate README for their JSON).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use chrono::Duration;
use serde::Deserialize;
use serde_json::json;

use super::binding::{check_signature, inflate_message, raw_param, url_decode};
use super::crypto::{Signer, Which, encrypt_for};
use super::messages::{self, AssertionData, AuthnRequest, ResponseHeader, Status, new_id};
use super::users::{Attribute, FORMAT_PERSISTENT, FORMAT_X509, Loa, expand_attribute_alias};
use super::{Flavour, Idp, Pending, PostForm, Session, pages};
use crate::control::{FaultSpec, RecordHandle};

/// Parse and check an AuthnRequest from the raw query; `Err` is why it is refused.
fn read_request(idp: &Idp, query: &str, record: &RecordHandle) -> Result<Pending, String> {
    let refuse = |_: StatusCode, why: String| {
        record.annotate(json!({ "type": "AuthnRequest", "error": why }));
        Err(why)
    };
    let Some(raw) = raw_param(query, "SAMLRequest") else {
        return refuse(StatusCode::BAD_REQUEST, "Forespørgslen mangler SAMLRequest.".into());
    };
    let request =
        match url_decode(raw).and_then(|b64| inflate_message(&b64)).and_then(|x| messages::parse_authn_request(&x)) {
            Ok(r) => r,
            Err(e) => {
                return refuse(StatusCode::BAD_REQUEST, format!("SAMLRequest kunne ikke læses: {e}"));
            }
        };
    let relay_state = raw_param(query, "RelayState").and_then(|r| url_decode(r).ok());
    let Some(sp) = idp.sp_by_entity(&request.issuer) else {
        return refuse(StatusCode::BAD_REQUEST, format!("Ukendt tjenesteudbyder: {}", request.issuer));
    };
    let check = check_signature(query, "SAMLRequest", idp.sps[sp].verify_key.as_ref());
    record.annotate(json!({
        "type": "AuthnRequest",
        "request": request,
        "relay_state": relay_state,
        "signature": check.as_str(),
    }));
    if !check.acceptable() {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("AuthnRequest-signaturen er ikke gyldig ({}).", check.as_str()),
        );
    }
    // Like a real IdP: a request addressed to another endpoint was not meant for us.
    let own_sso = format!("{}/sso", idp.base);
    if request.destination.as_ref().is_some_and(|d| d != &own_sso) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("Destination er ikke denne identitetsudbyder: {own_sso} forventet."),
        );
    }
    let registered = &idp.sps[sp].config.acs_url;
    if request.acs_url.as_ref().is_some_and(|acs| acs != registered) {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("AssertionConsumerServiceURL er ikke registreret: {registered} forventet."),
        );
    }
    Ok(Pending { request, relay_state, sp })
}

pub(super) async fn sso(
    State(idp): State<Arc<Idp>>,
    Extension(record): Extension<RecordHandle>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let pending = match read_request(&idp, &query, &record) {
        Ok(p) => p,
        Err(why) => return pages::error(StatusCode::BAD_REQUEST, &why),
    };
    if let Some(user) = raw_param(&query, "user").and_then(|u| url_decode(u).ok()) {
        return complete(&idp, pending, Choice::User(user), &record);
    }
    if pending.request.is_passive {
        // The simulator keeps no browser session, so a passive request cannot be met.
        return complete(&idp, pending, Choice::Status(status("Responder", "NoPassive", None)), &record);
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let sp_entity = idp.sps[pending.sp].config.entity_id.clone();
    idp.volatile().pending.insert(id.clone(), pending);
    pages::pick_user(idp.flavour, &idp.config.users, &id, &sp_entity)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    pending: String,
    user: Option<String>,
    cancel: Option<String>,
}

pub(super) async fn login(
    State(idp): State<Arc<Idp>>,
    Extension(record): Extension<RecordHandle>,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(pending) = idp.volatile().pending.remove(&form.pending) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Login-forespørgslen findes ikke eller er allerede brugt. Start forfra.",
        );
    };
    let choice = match (form.cancel, form.user) {
        (Some(_), _) | (None, None) => {
            Choice::Status(status("Responder", "AuthnFailed", Some("Brugeren afbrød login")))
        }
        (None, Some(user)) => Choice::User(user),
    };
    complete(&idp, pending, choice, &record)
}

enum Choice {
    User(String),
    Status(Status),
}

fn status(top: &str, second: &str, message: Option<&str>) -> Status {
    Status { top: top.into(), second: Some(second.into()), message: message.map(str::to_owned) }
}

/// Who signed in: NameID, its format, the attributes and the level of assurance.
struct Subject {
    name_id: String,
    format: &'static str,
    attributes: Vec<Attribute>,
    loa: Loa,
}

fn subject(idp: &Idp, user: &str, loa_override: Option<Loa>, today: chrono::NaiveDate) -> Option<Subject> {
    match idp.flavour {
        Flavour::Fk => idp.config.users.fk.iter().find(|u| u.id == user).map(|u| {
            let loa = loa_override.unwrap_or(u.loa);
            Subject { name_id: u.name_id(), format: FORMAT_X509, attributes: u.attributes(loa), loa }
        }),
        Flavour::NemLogin => idp.config.users.nemlogin.iter().find(|c| c.id == user).map(|c| {
            let loa = loa_override.unwrap_or(c.loa);
            Subject { name_id: c.name_id(), format: FORMAT_PERSISTENT, attributes: c.attributes(loa, today), loa }
        }),
    }
}

/// Attributes the `missing_attributes` fault leaves out: its `names` (full names or the
/// aliases `privileges`, `loa`, `cprNumber`, `cprUuid`, `fullName`), by default the one
/// attribute each flavour's SP cannot do without.
fn drop_attributes(flavour: Flavour, fault: &FaultSpec, attributes: &mut Vec<Attribute>) -> Vec<String> {
    let names: Vec<String> = match fault.params.get("names").and_then(|v| v.as_array()) {
        Some(list) => list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        None => vec![match flavour {
            Flavour::Fk => "privileges".into(),
            Flavour::NemLogin => "cprNumber".into(),
        }],
    };
    let expanded: Vec<&str> = names.iter().flat_map(|n| expand_attribute_alias(n)).collect();
    attributes.retain(|a| !expanded.contains(&a.name.as_str()));
    names
}

fn complete(idp: &Idp, pending: Pending, choice: Choice, record: &RecordHandle) -> Response {
    match build(idp, pending, choice, record) {
        Ok(form) => pages::autopost(&form.acs_url, &form.saml_response, form.relay_state.as_deref()),
        Err(e) => {
            record.annotate(json!({ "error": e.to_string() }));
            pages::error(StatusCode::BAD_REQUEST, &e.to_string())
        }
    }
}

/// Everything after the user is known: faults, assertion, signatures, encryption.
fn build(idp: &Idp, pending: Pending, choice: Choice, record: &RecordHandle) -> anyhow::Result<PostForm> {
    let path = format!("/{}/sso", idp.flavour.path());
    let user = match &choice {
        Choice::User(u) => Some(u.clone()),
        Choice::Status(_) => None,
    };
    let fault = |kind: &str| idp.control.faults.take(kind, &path, user.as_deref());

    if fault("replay").is_some()
        && let Some(previous) = idp.volatile().last_post.clone()
    {
        record.annotate(json!({ "issued": { "replayed": true } }));
        return Ok(previous);
    }

    let sp = &idp.sps[pending.sp];
    let request: &AuthnRequest = &pending.request;
    let now = idp.control.clock.now();
    let mut status = match choice {
        Choice::Status(s) => s,
        Choice::User(_) => Status::success(),
    };
    if status.is_success() {
        if fault("authn_failed").is_some() {
            status = self::status("Responder", "AuthnFailed", Some("Login mislykkedes (simuleret)"));
        } else if let Some(f) = fault("status") {
            status = Status {
                top: f.param_str("top").unwrap_or("Responder").into(),
                second: Some(f.param_str("second").unwrap_or("AuthnFailed").into()),
                message: f.param_str("message").map(str::to_owned),
            };
        }
    }
    let bad_signature = fault("bad_signature").is_some();
    let signer: &Signer = if bad_signature { &idp.evil } else { &idp.signer };
    let unsigned = fault("unsigned").is_some();

    let mut issued = json!({ "status": status.top, "second_status": status.second });
    let mut assertion = String::new();
    if status.is_success() {
        let user = user.as_deref().unwrap_or_default();
        let loa_override = match (fault("loa_low"), fault("loa")) {
            (Some(_), _) => Some(Loa::Low),
            (None, Some(f)) => f.param_str("value").and_then(Loa::parse),
            (None, None) => None,
        };
        let Some(mut subject) = subject(idp, user, loa_override, now.date_naive()) else {
            anyhow::bail!("Ukendt testbruger: {user}");
        };
        let dropped = fault("missing_attributes").map(|f| drop_attributes(idp.flavour, &f, &mut subject.attributes));

        let (issue_instant, not_before, not_on_or_after) = if let Some(f) = fault("expired") {
            let ago = Duration::seconds(f.param_u64("seconds_ago").unwrap_or(300) as i64);
            let end = now - ago;
            (
                end - Duration::seconds(idp.config.assertion_lifetime_secs),
                end - Duration::seconds(idp.config.assertion_lifetime_secs),
                end,
            )
        } else if let Some(f) = fault("not_yet_valid") {
            let ahead = Duration::seconds(f.param_u64("seconds_ahead").unwrap_or(600) as i64);
            (now, now + ahead, now + ahead + Duration::seconds(idp.config.assertion_lifetime_secs))
        } else {
            (now, now, now + Duration::seconds(idp.config.assertion_lifetime_secs))
        };
        let wrong_audience = fault("wrong_audience")
            .map(|f| f.param_str("audience").unwrap_or("https://wrong-audience.example/saml").to_owned());
        let audience = wrong_audience.as_deref().unwrap_or(&sp.config.entity_id);
        let authn_context = match idp.flavour {
            Flavour::NemLogin => subject.loa.class_ref(),
            Flavour::Fk => "urn:oasis:names:tc:SAML:2.0:ac:classes:X509".to_owned(),
        };
        let assertion_id = new_id();
        let session_index = new_id();
        let data = AssertionData {
            id: &assertion_id,
            issuer: &idp.entity_id,
            issue_instant,
            name_id: &subject.name_id,
            name_id_format: subject.format,
            recipient: &sp.config.acs_url,
            in_response_to: &request.id,
            audience,
            not_before,
            not_on_or_after,
            session_index: &session_index,
            authn_context: &authn_context,
            attributes: &subject.attributes,
        };
        let sign_assertion = !unsigned && fault("unsigned_assertion").is_none();
        assertion = if sign_assertion {
            signer.sign(&messages::assertion_xml(&data, Some(&Signer::template(&assertion_id)?)), Which::Last)?
        } else {
            messages::assertion_xml(&data, None)
        };
        if idp.encrypt {
            let key = sp.encryption_key.as_ref().ok_or_else(|| anyhow::anyhow!("SP has no encryption certificate"))?;
            assertion = format!("<saml:EncryptedAssertion>{}</saml:EncryptedAssertion>", encrypt_for(key, &assertion)?);
        }
        idp.volatile().sessions.push(Session {
            session_index: session_index.clone(),
            sp: pending.sp,
            user: user.to_owned(),
            name_id: subject.name_id.clone(),
            name_id_format: subject.format.to_owned(),
        });
        issued = json!({
            "status": "Success",
            "user": user,
            "assertion_id": assertion_id,
            "session_index": session_index,
            "loa": subject.loa.as_str(),
            "audience": audience,
            "not_on_or_after": messages::timestamp(not_on_or_after),
            "assertion_signed": sign_assertion,
            "encrypted": idp.encrypt,
            "dropped_attributes": dropped,
        });
    }

    let response_id = new_id();
    let header = ResponseHeader {
        id: &response_id,
        issuer: &idp.entity_id,
        issue_instant: now,
        destination: &sp.config.acs_url,
        in_response_to: Some(&request.id),
    };
    let sign_response = idp.config.sign_response && !unsigned;
    let xml = if sign_response {
        let template = Signer::template(&response_id)?;
        signer.sign(&messages::response_xml(&header, &status, Some(&template), &assertion), Which::First)?
    } else {
        messages::response_xml(&header, &status, None, &assertion)
    };
    if let Some(map) = issued.as_object_mut() {
        map.insert("response_id".into(), json!(response_id));
        map.insert("response_signed".into(), json!(sign_response));
        map.insert("bad_signature".into(), json!(bad_signature));
    }
    record.annotate(json!({ "issued": issued }));

    let form = PostForm {
        acs_url: sp.config.acs_url.clone(),
        saml_response: base64::engine::general_purpose::STANDARD.encode(xml),
        relay_state: pending.relay_state,
    };
    idp.volatile().last_post = Some(form.clone());
    Ok(form)
}
