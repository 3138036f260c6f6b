//! The personal invitation page: the link in an invitation message opens it,
//! the invitee signs in with MitID and says yes or no. Yes runs the same
//! eligibility and conflict checks as everywhere else; every outcome gets a
//! page of its own that says what happened and what to do.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use domain::Rule;
use store::repo::Actor;
use store::repo::portal::{self, MySeat};
use store::repo::seats::{self, Answer, Checks};
use uuid::Uuid;

use super::auth::Citizen;
use super::i18n::Lang;
use super::view::TaskView;
use super::{MaybeCitizen, PortalChrome};
use crate::error::Result;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/opgaver/invitation/{seat}/{code}", get(show))
        .route("/opgaver/invitation/{seat}/{code}/accepter", post(accept))
        .route("/opgaver/invitation/{seat}/{code}/afvis", post(reject))
}

/// Where an invitation stands for the person who opened its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Waiting for this person's answer (or for sign-in, when `me` is unknown).
    Open,
    AlreadyAccepted,
    /// Invited, but somebody else is signed in.
    WrongPerson,
    /// The invitation was taken back (or replaced by a newer one).
    Withdrawn,
    /// The seat no longer exists or somebody else has it.
    Gone,
}

fn standing(seat: Option<&MySeat>, me: Option<Uuid>, code: Uuid) -> Standing {
    let Some(seat) = seat else { return Standing::Gone };
    match seat.state.as_str() {
        "invited" if seat.invitation_code != Some(code) => Standing::Withdrawn,
        "invited" if me.is_some() && me != seat.participant_id => Standing::WrongPerson,
        "invited" => Standing::Open,
        "available" => Standing::Withdrawn,
        _ if me.is_some() && me == seat.participant_id => Standing::AlreadyAccepted,
        _ => Standing::Gone,
    }
}

#[derive(Template)]
#[template(path = "portal/invitation.html")]
struct InvitationPage {
    chrome: PortalChrome,
    task: TaskView,
    action: String,
    signed_in: bool,
}

/// The outcome of an answer, or why there is nothing to answer.
#[derive(Template)]
#[template(path = "portal/result.html")]
pub struct ResultPage {
    pub chrome: PortalChrome,
    pub heading: String,
    pub message: String,
    pub reasons: Vec<String>,
    pub success: bool,
    pub task: Option<TaskView>,
}

impl ResultPage {
    pub fn respond(self, status: StatusCode) -> Result<Response> {
        Ok((status, Html(self.render().map_err(anyhow::Error::from)?)).into_response())
    }
}

async fn show(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    lang: super::i18n::Lang,
    Path((seat_id, code)): Path<(Uuid, Uuid)>,
) -> Result<Response> {
    let seat = portal::seat_view(&tenant.db, seat_id).await?;
    let me = citizen.0.as_ref().and_then(|c| c.participant.as_ref().map(|p| p.id));
    let chrome = match &citizen.0 {
        Some(c) => PortalChrome::of(c),
        None => PortalChrome::anonymous(&tenant.name).in_lang(lang),
    };
    // A signed-in person who is no participant cannot be the invitee.
    let standing = match (&citizen.0, me) {
        (Some(_), None) if seat.is_some() => Standing::WrongPerson,
        _ => standing(seat.as_ref(), me, code),
    };
    match (standing, seat) {
        (Standing::Open, Some(seat)) => {
            let page = InvitationPage {
                task: TaskView::new(&seat, chrome.lang),
                chrome,
                action: format!("/opgaver/invitation/{seat_id}/{code}"),
                signed_in: citizen.0.is_some(),
            };
            Ok(Html(page.render().map_err(anyhow::Error::from)?).into_response())
        }
        (other, seat) => closed(chrome, other, seat.as_ref()),
    }
}

/// The page for an invitation that cannot be answered (any more).
fn closed(chrome: PortalChrome, standing: Standing, seat: Option<&MySeat>) -> Result<Response> {
    let (status, heading, message) = match standing {
        Standing::AlreadyAccepted => (StatusCode::OK, "Du har allerede sagt ja", "Opgaven står under Mine opgaver."),
        Standing::WrongPerson => (
            StatusCode::FORBIDDEN,
            "Invitationen er til en anden",
            "Du er logget ind som en anden end den, invitationen er sendt til. Log ud, og log ind med dit eget \
             MitID, hvis invitationen er til dig.",
        ),
        Standing::Withdrawn => (
            StatusCode::GONE,
            "Invitationen er trukket tilbage",
            "Invitationen gælder ikke længere. Kontakt kommunen, hvis du stadig gerne vil have en opgave.",
        ),
        Standing::Gone | Standing::Open => (
            StatusCode::GONE,
            "Opgaven findes ikke længere",
            "Opgaven er slettet eller besat af en anden. Kontakt kommunen, hvis du har spørgsmål.",
        ),
    };
    let task = match standing {
        Standing::AlreadyAccepted => seat.map(|s| TaskView::new(s, chrome.lang)),
        _ => None,
    };
    let page = ResultPage {
        chrome,
        heading: heading.into(),
        message: message.into(),
        reasons: Vec::new(),
        success: standing == Standing::AlreadyAccepted,
        task,
    };
    page.respond(status)
}

/// Anonymous answers go to sign-in first and come back to the page.
fn sign_in_first(seat: Uuid, code: Uuid) -> Response {
    Redirect::to(&format!("/login?next=/opgaver/invitation/{seat}/{code}")).into_response()
}

/// The person and the seat, if the invitation is theirs to answer.
async fn open_invitation(
    citizen: &Citizen,
    seat_id: Uuid,
    code: Uuid,
) -> Result<std::result::Result<(Uuid, MySeat), Response>> {
    let seat = portal::seat_view(&citizen.tenant.db, seat_id).await?;
    let me = citizen.participant.as_ref().map(|p| p.id);
    let standing =
        if me.is_none() && seat.is_some() { Standing::WrongPerson } else { standing(seat.as_ref(), me, code) };
    match (standing, seat, me) {
        (Standing::Open, Some(seat), Some(me)) => Ok(Ok((me, seat))),
        (other, seat, _) => Ok(Err(closed(PortalChrome::of(citizen), other, seat.as_ref())?)),
    }
}

async fn accept(MaybeCitizen(citizen): MaybeCitizen, Path((seat_id, code)): Path<(Uuid, Uuid)>) -> Result<Response> {
    let Some(citizen) = citizen else { return Ok(sign_in_first(seat_id, code)) };
    let (me, seat) = match open_invitation(&citizen, seat_id, code).await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let tenant = &citizen.tenant;
    let actor = Actor::citizen(citizen.name.clone());
    let answer = seats::accept(&tenant.db, &actor, seat_id, me, Some(code), &tenant.municipality, Utc::now()).await;
    answer_page(&citizen, &seat, answer)
}

/// The page after a yes: done, refused with every reason, or the seat changed.
pub fn answer_page(citizen: &Citizen, seat: &MySeat, answer: store::Result<Answer>) -> Result<Response> {
    let chrome = PortalChrome::of(citizen);
    let task = Some(TaskView::new(seat, chrome.lang));
    match answer {
        Ok(Answer::Done) => ResultPage {
            chrome,
            heading: "Tak – du har sagt ja".into(),
            message: "Du får en bekræftelse. Opgaven står nu under Mine opgaver.".into(),
            reasons: Vec::new(),
            success: true,
            task,
        }
        .respond(StatusCode::OK),
        Ok(Answer::Refused(checks)) => refused_page(chrome, task, &checks),
        Err(store::Error::NotFound { .. }) => closed(chrome, Standing::Gone, None),
        Err(store::Error::Conflict { message, .. }) => ResultPage {
            message: chrome
                .lang
                .t_or(&message, "Pladsen er blevet ændret imens. Indlæs siden igen, og prøv på ny.")
                .into(),
            chrome,
            heading: "Opgaven kunne ikke gives til dig".into(),
            reasons: Vec::new(),
            success: false,
            task,
        }
        .respond(StatusCode::CONFLICT),
        Err(e) => Err(e.into()),
    }
}

fn refused_page(chrome: PortalChrome, task: Option<TaskView>, checks: &Checks) -> Result<Response> {
    let rules_failed = checks.eligibility.as_ref().is_some_and(|e| !e.is_eligible());
    let (heading, message) = if rules_failed {
        ("Du kan ikke få opgaven", "Du opfylder ikke betingelserne for opgaven ved dette valg:")
    } else {
        ("Opgaven overlapper en anden opgave", "Du har allerede en opgave på samme tid:")
    };
    let page = ResultPage {
        reasons: reasons(checks, chrome.lang),
        chrome,
        heading: heading.into(),
        message: message.into(),
        success: false,
        task,
    };
    page.respond(StatusCode::CONFLICT)
}

/// Every failed rule and every clash, said to the person in their language
/// (staff see the rules in the third person, see `Rule::description`).
fn reasons(checks: &Checks, lang: Lang) -> Vec<String> {
    let rules = checks.eligibility.iter().flat_map(|e| e.failed()).map(|rule| lang.t(rule_text(rule)).to_owned());
    let clashes = checks.conflicts.iter().map(|c| {
        let date = c.date.format("%d-%m-%Y").to_string();
        let values = [("opgave", c.task_type.as_str()), ("dato", &date), ("sted", &c.work_location)];
        lang.fill("{opgave} den {dato} på {sted}", values)
    });
    rules.chain(clashes).collect()
}

fn rule_text(rule: Rule) -> &'static str {
    match rule {
        Rule::Alive => "CPR oplyser, at du er død eller forsvundet",
        Rule::Age18 => "Du er ikke fyldt 18 år på opgavens dato",
        Rule::ResidentInMunicipality => "Du bor ikke i kommunen",
        Rule::DanishCitizen => "Du er ikke dansk statsborger",
        Rule::NotUnderGuardianship => "Du er under værgemål",
    }
}

async fn reject(MaybeCitizen(citizen): MaybeCitizen, Path((seat_id, code)): Path<(Uuid, Uuid)>) -> Result<Response> {
    let Some(citizen) = citizen else { return Ok(sign_in_first(seat_id, code)) };
    let (me, seat) = match open_invitation(&citizen, seat_id, code).await? {
        Ok(open) => open,
        Err(page) => return Ok(page),
    };
    let actor = Actor::citizen(citizen.name.clone());
    match seats::reject(&citizen.tenant.db, &actor, seat_id, me, Some(code), Utc::now()).await {
        Ok(()) => ResultPage {
            chrome: PortalChrome::of(&citizen),
            heading: "Du har sagt nej tak".into(),
            message: "Tak for dit svar. Du får en bekræftelse på, at du har afvist opgaven.".into(),
            reasons: Vec::new(),
            success: true,
            task: Some(TaskView::new(&seat, citizen.lang)),
        }
        .respond(StatusCode::OK),
        Err(store::Error::Conflict { .. }) => closed(PortalChrome::of(&citizen), Standing::Withdrawn, None),
        Err(e) => Err(e.into()),
    }
}
