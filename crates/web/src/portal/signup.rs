//! Sign-up through a public link: a team link puts the person in the team, a
//! task link also gives them a free seat of the link's kind (with the same
//! checks as every yes). A signed-in MitID person who is not a participant
//! yet fills in mobile and e-mail (both required, as "Min profil" requires
//! them), diets and — unless the municipality has switched its declaration
//! of consent off — consent, kept with the participant until
//! [`domain::consent_until`]; their name, address and the rest come
//! from CPR — or, when CPR does not answer, they are signed up provisionally
//! and a job checks them when CPR is back (SPEC §7).

use std::collections::BTreeSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use domain::{CprNumber, Email, Mobile};
use integrations::cpr::{CprAnswer, CprError};
use store::repo::links::{self, Link, LinkTarget};
use store::repo::participant_details as details;
use store::repo::participants::{self, Contact, CprData, NewParticipant, ValidationState};
use store::repo::{Actor, begin_write, portal};
use uuid::Uuid;

use super::auth::Citizen;
use super::content::{self, Page};
use super::i18n::Lang;
use super::invitation::{ResultPage, answer_page};
use super::{MaybeCitizen, PortalChrome};
use crate::error::{Error, Result};
use crate::forms::FieldErrors;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/tilmelding/hold/{token}", get(team_page).post(team_submit))
        .route("/tilmelding/opgave/{token}", get(task_page).post(task_submit))
}

async fn team_page(
    t: CurrentTenant,
    c: MaybeCitizen,
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    page(t, c, &s, "hold", token).await
}

async fn task_page(
    t: CurrentTenant,
    c: MaybeCitizen,
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    page(t, c, &s, "opgave", token).await
}

async fn team_submit(
    t: CurrentTenant,
    c: MaybeCitizen,
    State(s): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response> {
    submit(t, c, &s, "hold", token, form).await
}

async fn task_submit(
    t: CurrentTenant,
    c: MaybeCitizen,
    State(s): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response> {
    submit(t, c, &s, "opgave", token, form).await
}

/// The active link behind `token`, if it is of the kind the path names; a
/// revoked one says so (410), an unknown one is 404.
async fn active_link(tenant: &CurrentTenant, path_kind: &str, token: &str) -> Result<Link> {
    let fits = |l: &Link| {
        matches!((path_kind, l.target), ("hold", LinkTarget::Team { .. }) | ("opgave", LinkTarget::Task { .. }))
    };
    match links::find(&tenant.db, token).await?.filter(fits) {
        Some(link) if link.is_active() => Ok(link),
        Some(_) => Err(Error::Refused {
            status: StatusCode::GONE,
            title: "Linket er trukket tilbage",
            message: "Kommunen har trukket linket tilbage. Spørg den, der gav dig linket, om et nyt.".into(),
            back: "/",
        }),
        None => Err(Error::Refused {
            status: StatusCode::NOT_FOUND,
            title: "Linket virker ikke",
            message: "Linket findes ikke. Tjek, at du har fået hele linket med, eller spørg den, der gav dig det."
                .into(),
            back: "/",
        }),
    }
}

fn team_of(link: &Link) -> Uuid {
    match link.target {
        LinkTarget::Team { team, .. } | LinkTarget::Task { team, .. } => team,
        LinkTarget::Filtered { team, .. } => team.unwrap_or_default(),
    }
}

/// What the form shows and keeps between tries.
#[derive(Default)]
struct SignupForm {
    mobile: String,
    email: String,
    diets: BTreeSet<Uuid>,
    consent: bool,
}

impl SignupForm {
    fn from_pairs(pairs: &[(String, String)]) -> SignupForm {
        let text =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
        SignupForm {
            mobile: text("mobile"),
            email: text("email"),
            diets: pairs.iter().filter(|(k, _)| k == "diets").filter_map(|(_, v)| Uuid::parse_str(v).ok()).collect(),
            consent: text("consent") == "ja",
        }
    }
}

/// The CPR data as the person sees it, or why there is none.
struct Shown {
    name: String,
    address: String,
    birth_date: String,
}

#[derive(Template)]
#[template(path = "portal/signup.html")]
struct SignupPage {
    chrome: PortalChrome,
    team: String,
    action: String,
    /// `None` for an existing participant (nothing to fill in).
    cpr: Option<Option<Shown>>,
    form: SignupForm,
    errors: FieldErrors,
    diets: Vec<(Uuid, String, bool)>,
    privacy: content::Shown,
    /// The declaration of consent, unless the municipality switched it off.
    consent: Option<content::Shown>,
    /// Until when a consent given now lasts, as shown.
    consent_until: String,
}

async fn page(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    state: &AppState,
    kind: &str,
    token: String,
) -> Result<Response> {
    let link = active_link(&tenant, kind, &token).await?;
    let action = format!("/tilmelding/{kind}/{token}");
    let Some(citizen) = citizen.0 else { return Ok(Redirect::to(&format!("/login?next={action}")).into_response()) };
    let lookup = match &citizen.participant {
        Some(_) => None,
        None => Some(lookup(state, &citizen).await?),
    };
    let team = team_of(&link);
    render(&citizen, team, action, lookup.as_ref(), SignupForm::default(), FieldErrors::new(), StatusCode::OK).await
}

async fn render(
    citizen: &Citizen,
    team: Uuid,
    action: String,
    lookup: Option<&Lookup>,
    form: SignupForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let db = &citizen.tenant.db;
    let lang = citizen.lang;
    let team = store::repo::teams::get(db, team).await?.map(|t| t.team.name).unwrap_or_default();
    let diets = store::repo::diets::choices(db).await?;
    let diets = diets.into_iter().map(|(id, name)| (id, name, form.diets.contains(&id))).collect();
    let cpr = lookup.map(|l| match l {
        Lookup::Found(answer) => Some(shown(answer, lang)),
        _ => None,
    });
    let until = domain::consent_until(domain::danish_date(Utc::now()));
    let page = SignupPage {
        chrome: PortalChrome::of(citizen),
        team,
        action,
        cpr,
        form,
        errors,
        diets,
        privacy: statement(citizen, Page::Privacy).await?.ok_or(Error::NotFound)?,
        consent: statement(citizen, Page::Consent).await?,
        consent_until: until.format("%d-%m-%Y").to_string(),
    };
    Ok((status, Html(page.render().map_err(anyhow::Error::from)?)).into_response())
}

/// The privacy statement or the declaration of consent (reference §2.4).
async fn statement(citizen: &Citizen, page: Page) -> Result<Option<content::Shown>> {
    content::shown(&citizen.tenant.db, page, &citizen.tenant.name, citizen.lang).await
}

fn shown(answer: &CprAnswer, lang: Lang) -> Shown {
    let record = &answer.record;
    let address = match &record.address {
        _ if record.protected_address => lang.t("Beskyttet adresse").to_owned(),
        Some(a) => format!(
            "{}, {} {}",
            a.street,
            a.postal_code.clone().unwrap_or_default(),
            a.city.clone().unwrap_or_default()
        ),
        None => lang.t("Ingen adresse").to_owned(),
    };
    Shown { name: record.name.full_name(), address, birth_date: crate::forms::dk_date(&record.birth_date) }
}

enum Lookup {
    Found(Box<CprAnswer>),
    /// CPR did not answer: the sign-up is provisional.
    Unavailable,
    /// CPR knows no such living person: no sign-up.
    Refused,
}

async fn lookup(state: &AppState, citizen: &Citizen) -> Result<Lookup> {
    let cpr = signed_in_cpr(citizen)?;
    let answer = state.cpr_for(&citizen.tenant).lookup(&cpr).await;
    let (lookup, outcome) = match answer {
        Ok(answer) if answer.record.is_deceased() => {
            (Lookup::Refused, format!("svar fra {}: afgået ved døden", answer.source))
        }
        Ok(answer) => {
            let outcome = format!("svar fra {}", answer.source);
            (Lookup::Found(Box::new(answer)), outcome)
        }
        Err(CprError::UnknownCpr { .. }) => (Lookup::Refused, "CPR-nummeret findes ikke".to_owned()),
        Err(_) => (Lookup::Unavailable, "CPR svarede ikke".to_owned()),
    };
    let actor = Actor::citizen(citizen.name.clone());
    details::record_lookup(&citizen.tenant.db, &actor, None, &cpr.masked(), &outcome).await?;
    if matches!(lookup, Lookup::Refused) {
        return Err(Error::Refused {
            status: StatusCode::FORBIDDEN,
            title: "Tilmelding ikke mulig",
            message: "Vi kunne ikke finde dig i CPR. Kontakt kommunen.".into(),
            back: "/",
        });
    }
    Ok(lookup)
}

fn signed_in_cpr(citizen: &Citizen) -> Result<CprNumber> {
    citizen.cpr.clone().ok_or_else(|| Error::Refused {
        status: StatusCode::FORBIDDEN,
        title: "Log ind igen",
        message: "Vi kender ikke dit CPR-nummer fra dit log ind. Log ud, og log ind med MitID igen.".into(),
        back: "/",
    })
}

async fn submit(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    state: &AppState,
    kind: &str,
    token: String,
    pairs: Vec<(String, String)>,
) -> Result<Response> {
    let link = active_link(&tenant, kind, &token).await?;
    let action = format!("/tilmelding/{kind}/{token}");
    let Some(citizen) = citizen.0 else { return Ok(Redirect::to(&format!("/login?next={action}")).into_response()) };
    let participant = match &citizen.participant {
        Some(p) => {
            join_team(&citizen, p.id, team_of(&link)).await?;
            p.id
        }
        None => match register(&citizen, state, action, team_of(&link), pairs).await? {
            Ok(id) => id,
            Err(form_again) => return Ok(form_again),
        },
    };
    match link.target {
        LinkTarget::Task { team, election, kind } => take_seat(&citizen, participant, election, team, &kind).await,
        _ => ResultPage {
            chrome: PortalChrome::of(&citizen),
            heading: "Du er tilmeldt".into(),
            message: "Du er nu med på holdet. Du hører fra os, når der er en opgave til dig.".into(),
            reasons: Vec::new(),
            success: true,
            task: None,
        }
        .respond(StatusCode::OK),
    }
}

/// Signs the signed-in MitID person up as a participant in `team` from the
/// form posted to `action`, and makes the session theirs; the form again
/// with its errors when something is missing or wrong.
pub(super) async fn register(
    citizen: &Citizen,
    state: &AppState,
    action: String,
    team: Uuid,
    pairs: Vec<(String, String)>,
) -> Result<Result<Uuid, Response>> {
    let lookup = lookup(state, citizen).await?;
    let form = SignupForm::from_pairs(&pairs);
    let mut errors = FieldErrors::new();
    let contact = parse_contact(&form, &mut errors);
    let until = domain::consent_until(domain::danish_date(Utc::now()));
    let asked = statement(citizen, Page::Consent).await?.is_some();
    if asked && !form.consent {
        errors.add("consent", "Sæt kryds for at give dit samtykke. Uden samtykke kan du ikke blive tilmeldt.");
    }
    let (Some(contact), true) = (contact, errors.is_empty()) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(Err(render(citizen, team, action, Some(&lookup), form, errors, status).await?));
    };
    let signup = Signup { contact, diets: &form.diets, consent_until: asked.then_some(until) };
    let id = create(citizen, &lookup, signup, team).await?;
    store::repo::sessions::set_participant(&citizen.tenant.db, &citizen.session, id).await?;
    Ok(Ok(id))
}

/// The sign-up form for somebody who is not a participant yet and chose a
/// seat on a task list (`super::task_list`): they join the seat's team.
pub(super) async fn seat_page(citizen: &Citizen, state: &AppState, action: String, team: Uuid) -> Result<Response> {
    let lookup = lookup(state, citizen).await?;
    render(citizen, team, action, Some(&lookup), SignupForm::default(), FieldErrors::new(), StatusCode::OK).await
}

/// Mobile and e-mail, both required (an empty field gets the parser's own message).
fn parse_contact(form: &SignupForm, errors: &mut FieldErrors) -> Option<Contact> {
    let mobile = errors.check("mobile", Mobile::parse(&form.mobile));
    let email = errors.check("email", Email::parse(&form.email));
    Some(Contact { mobile: Some(mobile?), email: Some(email?) })
}

/// What the person gave on the form, checked.
struct Signup<'a> {
    contact: Contact,
    diets: &'a BTreeSet<Uuid>,
    consent_until: Option<NaiveDate>,
}

async fn join_team(citizen: &Citizen, participant: Uuid, team: Uuid) -> Result<()> {
    let db = &citizen.tenant.db;
    let mut teams = details::team_ids_of(db, participant).await?;
    if teams.insert(team) {
        details::set_teams(db, participant, &teams).await?;
    }
    Ok(())
}

/// Creates the participant in the team (valid, failing or provisional, as
/// the admin's "Opret deltager" does), in one transaction.
async fn create(citizen: &Citizen, lookup: &Lookup, signup: Signup<'_>, team: Uuid) -> Result<Uuid> {
    let tenant = &citizen.tenant;
    let cpr = signed_in_cpr(citizen)?;
    let now = Utc::now();
    let data = match lookup {
        Lookup::Found(answer) => jobs::provisional::cpr_data(answer),
        _ => data_from_mitid(&citizen.name, &cpr),
    };
    let eligibility = match lookup {
        Lookup::Found(answer) if answer.fresh => {
            let basis = details::check_basis(&tenant.db, Uuid::nil(), now.date_naive()).await?;
            Some(domain::evaluate(&answer.record.person_facts(), basis.date, &basis.rules, false, &tenant.municipality))
        }
        _ => None,
    };
    let validation = match &eligibility {
        Some(e) if e.is_eligible() => ValidationState::Valid,
        Some(_) => ValidationState::Failing,
        None => ValidationState::Provisional,
    };
    let actor = Actor::citizen(citizen.name.clone());
    let tx = begin_write(&tenant.db).await?;
    let new = NewParticipant { cpr, data, contact: signup.contact, validation, consent_until: signup.consent_until };
    let participant = participants::create(&tx, &tenant.vault, &actor, new).await?;
    details::set_teams(&tx, participant.id, &BTreeSet::from([team])).await?;
    details::set_diets(&tx, participant.id, signup.diets).await?;
    match &eligibility {
        Some(e) => {
            participants::set_validation(&tx, &actor, participant.id, validation, &e.failed(), now).await?;
        }
        None => {
            store::outbox::enqueue(&tx, jobs::provisional::job(participant.id))
                .await
                .map_err(store::Error::db("queueing the CPR validation"))?;
        }
    }
    tx.commit().await.map_err(store::Error::db("committing a sign-up"))?;
    Ok(participant.id)
}

/// CPR did not answer: the name MitID gave; the birth date follows from the number.
fn data_from_mitid(name: &str, cpr: &CprNumber) -> CprData {
    let (first, last) = name.rsplit_once(' ').unwrap_or((name, ""));
    CprData {
        first_name: first.to_owned(),
        last_name: last.to_owned(),
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
        source: "mitid".to_owned(),
        fetched_at: Utc::now(),
    }
}

/// A task link's seat: a free one of the kind, with every check.
async fn take_seat(
    citizen: &Citizen,
    participant: Uuid,
    election: Uuid,
    team: Uuid,
    kind: &links::SeatKind,
) -> Result<Response> {
    let db = &citizen.tenant.db;
    let seat = match portal::free_seat_of_kind(db, election, team, kind).await? {
        Some(seat) => portal::seat_view(db, seat).await?,
        None => None,
    };
    let Some(seat) = seat else {
        return ResultPage {
            chrome: PortalChrome::of(citizen),
            heading: "Opgaverne er besat".into(),
            message: "Du er tilmeldt holdet, men der er ingen ledige opgaver af denne slags længere. Se de ledige \
                      opgaver under Ledige opgaver."
                .into(),
            reasons: Vec::new(),
            success: false,
            task: None,
        }
        .respond(StatusCode::CONFLICT);
    };
    let actor = Actor::citizen(citizen.name.clone());
    let own = &citizen.tenant.municipality;
    let answer = store::repo::seats::accept(db, &actor, seat.seat_id, participant, None, own, Utc::now()).await;
    answer_page(citizen, &seat, answer)
}
