//! Create a participant from a CPR number: "Tjek" looks the number up in the
//! tenant's CPR chain and shows the data with its source and date; "Gem"
//! looks it up again (the shown data is never trusted back from the form)
//! and saves. When no provider answers, the participant is saved as
//! provisional with the name staff type in, and a job validates them as
//! soon as CPR answers again (SPEC §7).

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use domain::{AdminRole, CprNumber, Email, Mobile};
use integrations::cpr::{CprAnswer, CprError};
use store::repo::begin_write;
use store::repo::participant_details as details;
use store::repo::participants::{self as repo, Contact, CprData, NewParticipant, ValidationState};
use uuid::Uuid;

use super::super::catalogue::render_form;
use super::super::flash::redirect_with_flash;
use super::super::staffing::{Choice, Pairs, choices};
use super::super::{AdminUser, Chrome, Section};
use super::{LIST, datetime, source_label};
use crate::error::Result;
use crate::forms::{FieldErrors, dk_date, required_max};
use crate::state::AppState;

#[derive(Debug, Default)]
pub struct CreateForm {
    cpr: String,
    first_name: String,
    last_name: String,
    mobile: String,
    email: String,
    teams: BTreeSet<Uuid>,
    diets: BTreeSet<Uuid>,
    /// Create straight into this seat: invite the new person to it.
    seat: Option<Uuid>,
}

impl CreateForm {
    fn from_pairs(pairs: &Pairs) -> CreateForm {
        CreateForm {
            cpr: pairs.text("cpr").trim().to_owned(),
            first_name: pairs.text("first_name"),
            last_name: pairs.text("last_name"),
            mobile: pairs.text("mobile"),
            email: pairs.text("email"),
            teams: pairs.ids("teams"),
            diets: pairs.ids("diets"),
            seat: Uuid::parse_str(pairs.text("seat").trim()).ok(),
        }
    }
}

/// The CPR answer as the form shows it (read-only).
pub struct Found {
    name: String,
    birth_date: String,
    address: String,
    municipality: String,
    citizenship: String,
    source: &'static str,
    as_of: String,
    fresh: bool,
    fallback: bool,
}

#[derive(Template)]
#[template(path = "admin/participants/new.html")]
struct NewPage {
    chrome: Chrome,
    form: CreateForm,
    errors: FieldErrors,
    /// The number was checked: show the rest of the form.
    checked: bool,
    found: Option<Found>,
    /// CPR could not be asked: the participant will be provisional.
    provisional: bool,
    teams: Vec<Choice>,
    diets: Vec<Choice>,
}

async fn page(admin: &AdminUser, form: CreateForm, errors: FieldErrors, lookup: Option<&Lookup>) -> Result<Response> {
    let teams = choices(store::repo::teams::choices(admin.db()).await?, &form.teams);
    let diets = choices(store::repo::diets::choices(admin.db()).await?, &form.diets);
    let (checked, found, provisional) = match lookup {
        Some(Lookup::Found(answer)) => (true, Some(found(admin, answer)), false),
        Some(Lookup::Unavailable) => (true, None, true),
        _ => (false, None, false),
    };
    let page = NewPage {
        chrome: admin.chrome(Section::Participants),
        form,
        errors,
        checked,
        found,
        provisional,
        teams,
        diets,
    };
    render_form(&page, &page.errors)
}

fn found(admin: &AdminUser, answer: &CprAnswer) -> Found {
    let record = &answer.record;
    let address = match &record.address {
        _ if record.protected_address && admin.role != AdminRole::Administrator => "Beskyttet adresse".to_owned(),
        Some(a) => [
            a.street.clone(),
            format!("{} {}", a.postal_code.clone().unwrap_or_default(), a.city.clone().unwrap_or_default()),
        ]
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        None => "Ingen adresse".to_owned(),
    };
    Found {
        name: record.name.full_name(),
        birth_date: dk_date(&record.birth_date),
        address,
        municipality: record.municipality().map(|m| m.as_str().to_owned()).unwrap_or_else(|| "—".into()),
        citizenship: record.citizenship.as_ref().map(|c| c.country.as_str().to_owned()).unwrap_or_else(|| "—".into()),
        source: source_label(answer.source.as_str()),
        as_of: datetime(&answer.as_of),
        fresh: answer.fresh,
        fallback: !answer.fallback_from.is_empty(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    seat: String,
}

/// The empty form; `?seat=` creates the person straight into that seat
/// (its team chosen already).
pub async fn new_form(
    admin: AdminUser,
    axum::extract::Query(query): axum::extract::Query<NewQuery>,
) -> Result<Response> {
    admin.require_edit()?;
    let mut form = CreateForm::default();
    if let Ok(id) = Uuid::parse_str(query.seat.trim()) {
        let seat = store::repo::seats::get(admin.db(), id).await?;
        form.teams.insert(seat.team_id);
        form.seat = Some(id);
    }
    page(&admin, form, FieldErrors::new(), None).await
}

/// After creating a person for a seat: invite them to it, with the same
/// checks as any assignment. A refusal keeps the person and says why.
async fn into_seat(admin: &AdminUser, seat: Uuid, participant: Uuid, created: &str) -> Result<Response> {
    let row = store::repo::seats::get(admin.db(), seat).await?;
    let municipality = admin.tenant.municipality.clone();
    let now = chrono::Utc::now();
    match store::repo::seats::assign(admin.db(), &admin.actor(), seat, participant, &municipality, now).await? {
        store::repo::seats::Answer::Done => {
            let href = format!("/admin/elections/{}/tasks/{}", row.election_id, row.work_location_id);
            Ok(redirect_with_flash(&href, &format!("{created} Deltageren er inviteret til opgaven.")))
        }
        store::repo::seats::Answer::Refused(checks) => {
            let why = checks.problems().join("; ");
            let message = format!("{created} Deltageren kan ikke få opgaven: {why}");
            Ok(redirect_with_flash(&format!("{LIST}/{participant}"), &message))
        }
    }
}

/// What the lookup of the posted number gave.
enum Lookup {
    Found(Box<CprAnswer>),
    Unavailable,
    /// Refused with a message at the CPR field.
    Refused,
}

pub async fn submit(admin: AdminUser, State(state): State<AppState>, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    let form = CreateForm::from_pairs(&pairs);
    let saving = pairs.text("action") == "save";
    let mut errors = FieldErrors::new();
    let Some(cpr) = errors.check("cpr", CprNumber::parse(&form.cpr)) else {
        return page(&admin, form, errors, None).await;
    };
    let lookup = check(&admin, &state, &cpr, &mut errors).await?;
    if !saving || matches!(lookup, Lookup::Refused) {
        return page(&admin, form, errors, Some(&lookup)).await;
    }
    let contact = parse_contact(&form, &mut errors);
    let data = match &lookup {
        Lookup::Found(answer) => Some(jobs::provisional::cpr_data(answer)),
        _ => manual_data(&form, &cpr, &mut errors),
    };
    if form.teams.is_empty() {
        errors.add("teams", "Vælg mindst ét team");
    }
    let (Some(contact), Some(data), true) = (contact, data, errors.is_empty()) else {
        return page(&admin, form, errors, Some(&lookup)).await;
    };
    match save(&admin, cpr, data, contact, &form, &lookup).await {
        Ok((id, provisional)) => {
            let message = if provisional {
                "Deltageren er oprettet som foreløbig. CPR kunne ikke nås; oplysningerne kontrolleres automatisk, når CPR svarer igen."
            } else {
                "Deltageren er oprettet."
            };
            if let Some(seat) = form.seat {
                return into_seat(&admin, seat, id, message).await;
            }
            Ok(redirect_with_flash(&format!("{LIST}/{id}"), message))
        }
        Err(store::Error::Conflict { field, message }) => {
            errors.add(field, message);
            page(&admin, form, errors, Some(&lookup)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses numbers already registered, looks the number up and audits the
/// lookup (masked number only).
async fn check(admin: &AdminUser, state: &AppState, cpr: &CprNumber, errors: &mut FieldErrors) -> Result<Lookup> {
    if repo::find_by_cpr(admin.db(), &admin.tenant.vault, cpr).await?.is_some() {
        errors.add("cpr", "Der findes allerede en deltager med dette CPR-nummer");
        return Ok(Lookup::Refused);
    }
    let answer = state.cpr_for(&admin.tenant).lookup(cpr).await;
    let (lookup, outcome) = match answer {
        Ok(answer) if answer.record.is_deceased() => {
            errors.add("cpr", "Denne person er afgået ved døden");
            (Lookup::Refused, format!("svar fra {}: afgået ved døden", answer.source))
        }
        Ok(answer) => {
            let outcome = format!("svar fra {}", answer.source);
            (Lookup::Found(Box::new(answer)), outcome)
        }
        Err(CprError::UnknownCpr { .. }) => {
            errors.add("cpr", "CPR-nummeret findes ikke i CPR. Kontrollér nummeret.");
            (Lookup::Refused, "CPR-nummeret findes ikke".to_owned())
        }
        Err(_) => (Lookup::Unavailable, "CPR svarede ikke".to_owned()),
    };
    details::record_lookup(admin.db(), &admin.actor(), None, &cpr.masked(), &outcome).await?;
    Ok(lookup)
}

fn parse_contact(form: &CreateForm, errors: &mut FieldErrors) -> Option<Contact> {
    let mobile = match form.mobile.trim() {
        "" => Some(None),
        text => errors.check("mobile", Mobile::parse(text)).map(Some),
    };
    let email = match form.email.trim() {
        "" => Some(None),
        text => errors.check("email", Email::parse(text)).map(Some),
    };
    Some(Contact { mobile: mobile?, email: email? })
}

/// CPR did not answer: staff type the name; the birth date follows from the number.
fn manual_data(form: &CreateForm, cpr: &CprNumber, errors: &mut FieldErrors) -> Option<CprData> {
    let first = errors.check("first_name", required_max(&form.first_name, "fornavn", 255));
    let last = errors.check("last_name", required_max(&form.last_name, "efternavn", 255));
    Some(CprData {
        first_name: first?,
        last_name: last?,
        street_address: String::new(),
        co_address: String::new(),
        postal_code: String::new(),
        city: String::new(),
        municipality_code: None,
        citizenship: None,
        birth_date: cpr.birth_date(),
        deceased: false,
        disappeared: false,
        under_guardianship: false,
        exempt_digital_post: false,
        protected_address: false,
        source: "manual".to_owned(),
        fetched_at: Utc::now(),
    })
}

/// Creates the participant, their teams and diets, and (when provisional)
/// the validation job, in one transaction.
async fn save(
    admin: &AdminUser,
    cpr: CprNumber,
    data: CprData,
    contact: Contact,
    form: &CreateForm,
    lookup: &Lookup,
) -> std::result::Result<(Uuid, bool), store::Error> {
    let actor = admin.actor();
    let now = Utc::now();
    let eligibility = match lookup {
        Lookup::Found(answer) if answer.fresh => {
            let basis = details::check_basis(admin.db(), Uuid::nil(), domain::danish_date(now)).await?;
            let facts = answer.record.person_facts();
            Some(domain::evaluate(&facts, basis.date, &basis.rules, false, &admin.tenant.municipality))
        }
        _ => None,
    };
    let validation = match &eligibility {
        Some(e) if e.is_eligible() => ValidationState::Valid,
        Some(_) => ValidationState::Failing,
        None => ValidationState::Provisional,
    };
    let tx = begin_write(admin.db()).await?;
    let new = NewParticipant { cpr, data, contact, validation, consent_until: None };
    let participant = repo::create(&tx, &admin.tenant.vault, &actor, new).await?;
    details::set_teams(&tx, participant.id, &form.teams).await?;
    details::set_diets(&tx, participant.id, &form.diets).await?;
    match &eligibility {
        Some(e) => {
            repo::set_validation(&tx, &actor, participant.id, validation, &e.failed(), now).await?;
        }
        None => {
            store::outbox::enqueue(&tx, jobs::provisional::job(participant.id))
                .await
                .map_err(store::Error::db("queueing the CPR validation"))?;
        }
    }
    tx.commit().await.map_err(store::Error::db("committing a new participant"))?;
    Ok((participant.id, validation == ValidationState::Provisional))
}
