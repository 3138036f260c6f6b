//! Datafordeleren CPR REST (cpr-data.md B.1–B.3): `GET /CPR/{service}/1/{REST|rest}/{method}`
//! with `pnr.personnummer.eq` (also `.wi` and `pnr`), `format`, `page`, `pageSize`, `count`;
//! answers `{"Personer":[{"Person":{…}}]}` with a wrapper object around every list element.
//! `…Current…` methods keep only `aktuel` elements; the others add the `historisk` ones.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, TimeZone as _};
use serde_json::{Map, Value, json};

use super::faults::{Delivery, deliver, truncate};
use super::persons::{Address, Person};
use super::{ClientCert, CprState};
use crate::control::RecordHandle;

const JSON_TYPE: &str = "application/json; charset=utf-8";

/// Services and their methods (Full and Medium: for our persons, who embed no related
/// persons, both render the same).
fn known(service: &str, method: &str) -> bool {
    match service {
        "CprPersonFullSimple" => ["PersonFullListSimple", "PersonFullCurrentListSimple"].contains(&method),
        "CprPersonMediumSimple" => ["PersonMediumListSimple", "PersonMediumCurrentListSimple"].contains(&method),
        _ => false,
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    // The real error body is unverified (cpr-data.md B.2); clients surface status and text.
    deliver(status, JSON_TYPE, json!({ "message": message }).to_string().into_bytes(), Delivery::Normal)
}

/// The query as the service reads it.
struct Query {
    pnrs: Vec<String>,
    page: usize,
    page_size: usize,
    count: bool,
}

fn parse_query(raw: Option<&str>) -> Result<Query, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or_default()).map_err(|_| "malformed query string".to_owned())?;
    let mut q = Query { pnrs: Vec::new(), page: 1, page_size: 100, count: false };
    let number = |v: &str, name: &str| {
        v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or(format!("{name} must be a positive integer"))
    };
    for (k, v) in &pairs {
        match k.as_str() {
            "pnr.personnummer.eq" | "pnr.personnummer.wi" | "pnr" => {
                for pnr in v.split(',') {
                    if !(pnr.len() == 10 && pnr.bytes().all(|b| b.is_ascii_digit())) {
                        return Err(format!("{k}: a PNR is 10 digits"));
                    }
                    if !q.pnrs.iter().any(|p| p == pnr) {
                        q.pnrs.push(pnr.to_owned());
                    }
                }
            }
            "format" if !v.eq_ignore_ascii_case("json") => {
                return Err("format: only json is supported".into());
            }
            "page" => q.page = number(v, "page")?,
            "pageSize" => q.page_size = number(v, "pageSize")?,
            "count" => q.count = !matches!(v.as_str(), "false" | "0"),
            _ => {}
        }
    }
    if q.pnrs.is_empty() {
        return Err("pnr.personnummer.eq is required".into());
    }
    Ok(q)
}

pub(crate) async fn lookup(
    State(state): State<Arc<CprState>>,
    Path((service, version, rest, method)): Path<(String, String, String, String)>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    let note = |detail: Value| {
        if let Some(Extension(r)) = &record {
            r.annotate(detail);
        }
    };
    // The path segment is `REST` in live code and `rest` in mocks: accept both.
    if version != "1" || !rest.eq_ignore_ascii_case("rest") || !known(&service, &method) {
        return error(StatusCode::NOT_FOUND, "unknown service or method");
    }
    let query = parse_query(raw.as_deref());
    // What was asked, before any delay (a hanging request still shows it); then the outcome.
    let pnrs = query.as_ref().map(|q| q.pnrs.clone()).unwrap_or_default();
    note(json!({ "service": "datafordeler", "method": method, "client_cert": cert.describe(), "pnrs": pnrs }));
    if state.wants_client_cert() && cert == ClientCert::Absent {
        note(json!({ "outcome": "no_client_certificate" }));
        return error(StatusCode::FORBIDDEN, "a client certificate is required");
    }
    let path = format!("/CPR/{service}/{version}/{rest}/{method}");
    let key = query.as_ref().ok().and_then(|q| q.pnrs.first().cloned());
    let delivery = match state.before(&path, key.as_deref()).await {
        Ok(d) => d,
        Err(resp) => {
            note(json!({ "outcome": "fault_injected" }));
            return resp;
        }
    };
    let query = match query {
        Ok(q) => q,
        Err(message) => {
            note(json!({ "outcome": "invalid_request" }));
            return error(StatusCode::BAD_REQUEST, &message);
        }
    };
    let faults = &state.control.faults;
    // Data lag: serve the set as it was at start, whatever changed since (B.3, §11.10).
    let stale = faults.take("stale", &path, key.as_deref()).is_some();
    let found: Vec<Person> = query
        .pnrs
        .iter()
        .filter_map(|pnr| if stale { state.initial.get(pnr).cloned() } else { state.person(pnr) })
        .collect();
    let today = state.today();
    let current_only = method.contains("Current");
    let drift = faults.take("schema_drift", &path, key.as_deref()).is_some();
    let people: Vec<Value> = found
        .iter()
        .skip((query.page - 1) * query.page_size)
        .take(query.page_size)
        .map(|p| {
            let mut v = json!({ "Person": person(p, today, current_only, &state.config.guardianship_key) });
            if drift {
                drift_value(&mut v, "");
            }
            v
        })
        .collect();
    let mut doc = json!({ "Personer": people });
    if query.count {
        doc["count"] = json!(if found.len() > 1 { -1 } else { found.len() as i64 });
    }
    let mut body = doc.to_string();
    let mut outcome = if found.is_empty() { "not_found" } else { "found" };
    if let Some(f) = faults.take("malformed", &path, key.as_deref()) {
        body = match f.param_str("variant").unwrap_or("truncated") {
            "not_json" => "<html><body>Internal Server Error</body></html>".into(),
            "wrong_shape" => Value::Array(doc["Personer"].as_array().cloned().unwrap_or_default()).to_string(),
            _ => truncate(&body),
        };
        outcome = "malformed_injected";
    }
    note(json!({ "outcome": outcome, "stale": stale }));
    deliver(StatusCode::OK, JSON_TYPE, body.into_bytes(), delivery)
}

/// Local midnight in Denmark as an RFC 3339 date-time (the service's `virkning` form).
fn at(d: NaiveDate) -> Value {
    let local = chrono_tz::Europe::Copenhagen.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"));
    match local.earliest() {
        Some(t) => json!(t.to_rfc3339()),
        None => json!(format!("{d}T00:00:00Z")),
    }
}

fn opt_at(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, at)
}

fn text(s: Option<&str>) -> Value {
    json!(s.unwrap_or_default())
}

fn status_name(code: u8) -> &'static str {
    match code {
        1 => "bopael_i_danmark",
        3 => "bopael_i_danmark_hoej_vejkode",
        5 => "bopael_i_groenland",
        7 => "bopael_i_groenland_hoej_vejkode",
        20 => "ej_bopael",
        30 => "annulleret",
        50 | 60 => "nedlagt_person",
        70 => "forsvundet",
        80 => "udrejst",
        _ => "doed",
    }
}

fn civil_status_name(code: &str) -> &'static str {
    match code {
        "G" => "gift",
        "F" => "fraskilt",
        "E" => "enke_enkemand",
        "P" => "registreret_partnerskab",
        "O" => "ophoert_partnerskab",
        "L" => "laengstlevende_partner",
        "D" => "doed",
        _ => "ugift",
    }
}

fn lines(prefix_key: &str, lines: &[String]) -> Value {
    let mut m = Map::new();
    for (i, l) in lines.iter().enumerate() {
        m.insert(format!("{prefix_key}{}", i + 1), json!(l));
    }
    Value::Object(m)
}

/// `aktuel` while in force on `today`, else `historisk`.
fn record_status(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> &'static str {
    if from.is_none_or(|f| f <= today) && to.is_none_or(|t| today < t) { "aktuel" } else { "historisk" }
}

fn person(p: &Person, today: NaiveDate, current_only: bool, guardianship_key: &str) -> Value {
    let born = p.birth_date();
    let keep = |v: &Value| !current_only || v.pointer("/status").and_then(Value::as_str) == Some("aktuel");
    let wrap = |name: &str, items: Vec<Value>| -> Value {
        Value::Array(items.into_iter().filter(|v| keep(v)).map(|v| json!({ name: v })).collect())
    };
    let mut numbers =
        vec![json!({ "personnummer": p.pnr, "status": if p.current_pnr.is_some() { "historisk" } else { "aktuel" },
        "virkningFra": at(born), "virkningTil": opt_at(p.current_pnr.as_ref().and(p.status_date)) })];
    if let Some(new) = &p.current_pnr {
        numbers.push(json!({ "personnummer": new, "status": "aktuel", "virkningFra": opt_at(p.status_date), "virkningTil": null }));
    }
    let mut names = vec![json!({
        "fornavne": p.first_name, "mellemnavn": text(p.middle_name.as_deref()), "efternavn": p.last_name,
        "adresseringsnavn": p.addressing_name(), "fornavnsmarkering": null, "mellemnavnsmarkering": null,
        "efternavnsmarkering": null, "status": "aktuel", "virkningFra": at(p.name_since.unwrap_or(born)), "virkningTil": null,
    })];
    if let Some(old) = &p.previous_last_name {
        names.push(json!({
            "fornavne": p.first_name, "mellemnavn": text(p.middle_name.as_deref()), "efternavn": old,
            "adresseringsnavn": format!("{old},{}", p.first_name), "fornavnsmarkering": null, "mellemnavnsmarkering": null,
            "efternavnsmarkering": null, "status": "historisk", "virkningFra": at(born), "virkningTil": opt_at(p.name_since),
        }));
    }
    let mut addresses = Vec::new();
    if let Some(a) = &p.address {
        addresses.push(address(
            a,
            "aktuel",
            p.previous_address.as_ref().filter(|o| o.municipality_code != a.municipality_code),
        ));
    }
    if let Some(a) = &p.previous_address {
        addresses.push(address(a, "historisk", None));
    }
    let mut person = json!({
        "id": format!("5c0a5e11-0000-4000-8000-00{}", p.pnr),
        "foedselsdato": born.to_string(),
        "foedselsdatoUsikkerhedsmarkering": false,
        "koen": if p.sex() == "M" { "mand" } else { "kvinde" },
        "status": status_name(p.status),
        "statusdato": opt_at(p.status_date),
        "stilling": text(p.occupation.as_deref()),
        "Personnumre": wrap("Personnummer", numbers),
        "Navne": wrap("Navn", names),
        "Adresseoplysninger": wrap("Adresseoplysninger", addresses),
        "Beskyttelser": wrap("Beskyttelse", p.protection.iter().map(|b| json!({
            "beskyttelsestype": "navne_og_adresse", "status": record_status(b.start, b.end, today),
            "virkningFra": opt_at(b.start), "virkningTil": opt_at(b.end),
        })).collect()),
        "Statsborgerskaber": wrap("Statsborgerskab", vec![json!({
            "cprlandekode": p.citizenship, "cprlandenavn": text(p.citizenship_name.as_deref()), "status": "aktuel",
            "virkningFra": at(p.citizenship_since.unwrap_or(born)), "virkningTil": null,
        })]),
        "Civilstande": wrap("Civilstand", vec![json!({
            "Civilstandstype": civil_status_name(&p.civil_status), "status": "aktuel",
            "virkningFra": opt_at(p.civil_status_since), "Aegtefaelle": null,
        })]),
        "UdrejseIndrejser": wrap("UdrejseIndrejse", p.emigration.iter().map(|e| json!({
            "cprLandekodeUdrejse": e.country_code, "cprLandUdrejse": text(e.country_name.as_deref()),
            "cprLandekodeIndrejse": null, "status": "aktuel", "virkningFra": at(e.date), "virkningTil": null,
            "Udenlandsadresse": lines("adresselinie", &e.lines),
        })).collect()),
        "Forsvindinger": wrap("Forsvinding", (p.status == 70).then(|| json!({
            "status": "aktuel", "virkningFra": opt_at(p.disappeared_on.or(p.status_date)), "virkningTil": null,
        })).into_iter().collect()),
    });
    if !p.contact_address.is_empty() {
        person["Kontaktadresse"] = json!({ "status": "aktuel", "virkningFra": null, "SimpelAdresse": lines("adresselinie", &p.contact_address) });
    }
    if let Some(g) = p.guardianship.as_ref().filter(|g| g.active) {
        let status = if g.in_force(today) { "aktuel" } else { "historisk" };
        if !current_only || status == "aktuel" {
            person[guardianship_key] = json!({
                "vaergenavn": text(g.guardian_name.as_deref()), "vaergePersonnummer": g.guardian_pnr,
                "status": status, "virkningFra": opt_at(g.start), "virkningTil": opt_at(g.end),
                "SimpelAdresse": lines("adresselinie", &g.guardian_address),
            });
        }
    }
    person
}

/// One `Adresseoplysninger`; `moved_from` is the former address in another municipality.
fn address(a: &Address, status: &str, moved_from: Option<&Address>) -> Value {
    json!({
        "status": status,
        "virkningFra": opt_at(a.moved_in),
        "virkningTil": opt_at(a.moved_out),
        "conavn": text(a.co_name.as_deref()),
        "tilflytningsdatoKommune": opt_at(a.moved_in),
        "fraflytningsKommunekode": moved_from.map(|o| o.municipality_code.clone()),
        "fraflytningsdatoKommune": opt_at(moved_from.and_then(|o| o.moved_out)),
        "CprAdresse": {
            "cprKommunekode": a.municipality_code,
            "cprKommunenavn": text(a.municipality_name.as_deref()),
            "cprVejkode": a.road_code,
            "vejadresseringsnavn": a.street_addressing_name(),
            "husnummer": a.house_number,
            "etage": text(a.floor.as_deref()),
            "sidedoer": text(a.door.as_deref()),
            "postnummer": a.postal_code,
            "postdistrikt": a.postal_district,
            "bynavn": text(a.town.as_deref()),
            "bygningsnummer": "",
            "darAdresseId": a.address_uuid,
        },
    })
}

/// The "schema drift" variant (cpr-data.md B.3): lower-case code keys, optional keys
/// dropped, `null` for empty strings, the birth date as a date-time and `virkning` dates
/// as plain dates, zero-padded `husnummer` and `etage`.
fn drift_value(v: &mut Value, key: &str) {
    match v {
        Value::Object(m) => {
            for k in ["stilling", "conavn", "bynavn", "bygningsnummer", "foedselsdatoUsikkerhedsmarkering"] {
                m.remove(k);
            }
            for (from, to) in [("cprKommunekode", "cprkommunekode"), ("cprVejkode", "cprvejkode")] {
                if let Some(x) = m.remove(from) {
                    m.insert(to.into(), x);
                }
            }
            for (k, x) in m.iter_mut() {
                drift_value(x, k);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| drift_value(x, key)),
        Value::String(s) if s.is_empty() => *v = Value::Null,
        Value::String(s) => match key {
            "foedselsdato" => *s = format!("{s}T00:00:00+01:00"),
            "virkningFra" | "virkningTil" => s.truncate(10),
            "husnummer" => {
                let digits = s.chars().take_while(char::is_ascii_digit).count();
                *s = format!("{}{s}", "0".repeat(3usize.saturating_sub(digits)));
            }
            "etage" if s.len() == 1 && s.chars().all(|c| c.is_ascii_digit()) => *s = format!("0{s}"),
            _ => {}
        },
        _ => {}
    }
}
