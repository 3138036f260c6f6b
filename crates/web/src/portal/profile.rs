//! "Min profil": the CPR data (read-only: errors are corrected in CPR, not
//! here), mobile and e-mail (both required, reference §3), diets and the
//! consent to be kept for coming elections to edit, and deleting one's own
//! profile under the rules in `store::repo::portal::self_delete_refusal`.

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use domain::{Email, Mobile};
use store::repo::participant_details as details;
use store::repo::participants::{self, Contact};
use store::repo::portal::{self, DeleteRefusal};
use store::repo::{Actor, sessions};
use uuid::Uuid;

use super::PortalChrome;
use super::auth::{Citizen, PORTAL_COOKIE};
use super::invitation::ResultPage;
use crate::auth::cookies;
use crate::error::Result;
use crate::forms::{FieldErrors, dk_date};
use crate::state::AppState;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/min-profil", get(show).post(save)).route("/min-profil/slet", post(delete))
}

#[derive(Template)]
#[template(path = "portal/profile.html")]
struct ProfilePage {
    chrome: PortalChrome,
    name: String,
    address: String,
    birth_date: String,
    mobile: String,
    email: String,
    diets: Vec<(Uuid, String, bool)>,
    /// The box "keep my information for coming elections" is ticked.
    consent: bool,
    /// Until when the stored consent lasts, if it still does.
    consent_until: Option<String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<String>,
}

struct Edits {
    mobile: String,
    email: String,
    diets: BTreeSet<Uuid>,
    consent: bool,
}

async fn render(
    citizen: &Citizen,
    edits: Option<Edits>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let p = citizen.require_participant()?;
    let db = &citizen.tenant.db;
    let consent = domain::current_consent(p.consent_until, domain::danish_date(Utc::now()));
    let edits = match edits {
        Some(e) => e,
        None => Edits {
            mobile: p.mobile.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            diets: details::diet_ids_of(db, p.id).await?,
            consent: consent.is_some(),
        },
    };
    let diets = store::repo::diets::choices(db).await?;
    let address = if p.protected_address {
        citizen.lang.t("Beskyttet adresse").to_owned()
    } else {
        format!("{}, {} {}", p.street_address, p.postal_code, p.city)
    };
    let page = ProfilePage {
        chrome: PortalChrome::of(citizen),
        name: participants::full_name(p),
        address,
        birth_date: dk_date(&p.birth_date),
        mobile: edits.mobile,
        email: edits.email,
        diets: diets.into_iter().map(|(id, name)| (id, name, edits.diets.contains(&id))).collect(),
        consent: edits.consent,
        consent_until: consent.map(|d| dk_date(&d)),
        errors,
        notice,
        problem,
    };
    Ok((status, Html(page.render().map_err(anyhow::Error::from)?)).into_response())
}

#[derive(serde::Deserialize)]
struct Flash {
    #[serde(default)]
    gemt: Option<String>,
}

async fn show(citizen: Citizen, axum::extract::Query(flash): axum::extract::Query<Flash>) -> Result<Response> {
    let notice = flash.gemt.map(|_| "Dine oplysninger er gemt.");
    render(&citizen, None, FieldErrors::new(), notice, None, StatusCode::OK).await
}

async fn save(citizen: Citizen, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response> {
    let p = citizen.require_participant()?;
    let text = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let edits = Edits {
        mobile: text("mobile"),
        email: text("email"),
        diets: pairs.iter().filter(|(k, _)| k == "diets").filter_map(|(_, v)| Uuid::parse_str(v).ok()).collect(),
        consent: text("consent") == "ja",
    };
    let mut errors = FieldErrors::new();
    let mobile = errors.check("mobile", Mobile::parse(&edits.mobile));
    let email = errors.check("email", Email::parse(&edits.email));
    let (Some(mobile), Some(email)) = (mobile, email) else {
        return render(&citizen, Some(edits), errors, None, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let db = &citizen.tenant.db;
    let actor = Actor::citizen(citizen.name.clone());
    participants::update_contact(db, &actor, p.id, Contact { mobile: Some(mobile), email: Some(email) }).await?;
    details::set_diets(db, p.id, &edits.diets).await?;
    let today = domain::danish_date(Utc::now());
    // A consent still running keeps its date; a new one runs from today.
    let consent = edits
        .consent
        .then(|| domain::current_consent(p.consent_until, today).unwrap_or_else(|| domain::consent_until(today)));
    if consent != p.consent_until {
        participants::set_consent(db, &actor, p.id, consent).await?;
    }
    Ok(Redirect::to("/min-profil?gemt=1").into_response())
}

/// Deletes the person and signs them out, unless the rules refuse it now.
async fn delete(
    State(state): State<AppState>,
    citizen: Citizen,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let id = citizen.require_participant()?.id;
    if !pairs.iter().any(|(k, v)| k == "bekraeft" && v == "ja") {
        let problem = citizen.lang.t("Sæt kryds ved »Ja, slet min profil« for at slette din profil.").to_owned();
        return render(&citizen, None, FieldErrors::new(), None, Some(problem), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let db = &citizen.tenant.db;
    let today = domain::danish_date(Utc::now());
    if let Some(refusal) = portal::self_delete_refusal(db, id, today).await? {
        let lang = citizen.lang;
        let problem = match refusal {
            DeleteRefusal::Locked { task_type, date } => lang.fill(
                "Du kan ikke slette din profil nu, fordi du har sagt ja til opgaven som {opgave} den {dato}, og \
                 fristen for at afmelde dig er overskredet. Kontakt kommunen.",
                [("opgave", &task_type), ("dato", &dk_date(&date))],
            ),
            DeleteRefusal::Retained { until } => lang.fill(
                "Du har haft en opgave ved et valg, og kommunen skal gemme dine oplysninger til og med {dato}. \
                 Derefter kan du slette din profil.",
                [("dato", &dk_date(&until))],
            ),
        };
        return render(&citizen, None, FieldErrors::new(), None, Some(problem), StatusCode::CONFLICT).await;
    }
    participants::delete(db, &Actor::citizen(citizen.name.clone()), id).await?;
    sessions::delete(db, &citizen.session).await?;
    let clear = cookies::clear(PORTAL_COOKIE, cookies::PORTAL_PATH, state.secure_cookies);
    let page = ResultPage {
        chrome: PortalChrome::anonymous(&citizen.tenant.name).in_lang(citizen.lang),
        heading: "Din profil er slettet".into(),
        message: "Dine oplysninger er slettet, og du er logget ud. Dine opgaver er givet videre.".into(),
        reasons: Vec::new(),
        success: true,
        task: None,
    };
    let html = page.render().map_err(anyhow::Error::from)?;
    Ok(([(header::SET_COOKIE, clear)], Html(html)).into_response())
}
