//! The profile page: CPR data with its source and date, the validation
//! panel (every rule and its result for the next date the person is
//! needed), teams, diets, seats, comments and the message log. Opening it
//! writes a View audit row; "Re-validate now" asks CPR at once.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use domain::delivery::Channel;
use domain::{MessageKind, Outcome, Rule};
use store::repo::participant_details::{self as details, SeatLine};
use store::repo::participants::{self as repo, ValidationState};
use uuid::Uuid;

use super::super::catalogue::render;
use super::super::flash::redirect_with_flash;
use super::super::messages::status_label;
use super::super::staffing::Pairs;
use super::super::{AdminUser, Chrome, Section};
use super::{CprView, LIST, datetime};
use crate::error::{Error, Result};
use crate::state::AppState;

const MAX_COMMENT: usize = 2000;

pub struct RuleLine {
    pub label: &'static str,
    pub result: &'static str,
    pub passed: bool,
}

pub struct CommentLine {
    pub id: Uuid,
    pub text: String,
    pub author: String,
    pub at: String,
}

pub struct MessageLine {
    pub id: Uuid,
    pub at: String,
    pub kind: &'static str,
    pub channel: String,
    pub status: &'static str,
    /// The subject sent, or the SMS text when it went by SMS.
    pub words: String,
}

#[derive(Template)]
#[template(path = "admin/participants/profile.html")]
struct ProfilePage {
    chrome: Chrome,
    id: Uuid,
    cpr: CprView,
    mobile: String,
    email: String,
    rules: Vec<RuleLine>,
    check_what: String,
    last_checked: String,
    reasons: Vec<&'static str>,
    teams: Vec<String>,
    diets: Vec<String>,
    responsible_teams: Vec<String>,
    responsible_locations: Vec<String>,
    seats: Vec<SeatLine>,
    comments: Vec<CommentLine>,
    messages: Vec<MessageLine>,
    comment_error: Option<String>,
}

pub async fn profile(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    let page = load(&admin, id, None).await?;
    render(&page, StatusCode::OK)
}

async fn load(admin: &AdminUser, id: Uuid, comment_error: Option<String>) -> Result<ProfilePage> {
    let db = admin.db();
    let participant = repo::get(db, id).await.map_err(not_found)?;
    let cpr = repo::cpr_of(&admin.tenant.vault, &participant)?;
    details::record_view(db, &admin.actor(), &participant).await?;
    let basis = details::check_basis(db, id, domain::danish_date(Utc::now())).await?;
    let facts = store::repo::seats::person_facts(&participant);
    let provisional = participant.validation_state == ValidationState::Provisional.as_str();
    let eligibility = domain::evaluate(&facts, basis.date, &basis.rules, false, &admin.tenant.municipality);
    let rules = Rule::ALL
        .into_iter()
        .map(|rule| {
            let (result, passed) = match eligibility.outcome(rule) {
                // Nothing is known from CPR yet: no rule is decided.
                _ if provisional => ("Afventer CPR", false),
                Some(Outcome::Passed) => ("Opfyldt", true),
                Some(Outcome::Failed) => ("Ikke opfyldt", false),
                Some(Outcome::NotChecked) => ("Kontrolleres ikke", true),
                None => ("Gælder ikke for valgtypen", true),
            };
            RuleLine { label: rule.label(), result, passed }
        })
        .collect();
    let reasons = participant.validation_reasons.split(',').filter_map(Rule::parse).map(Rule::description).collect();
    let comments = details::comments_of(db, id)
        .await?
        .into_iter()
        .map(|c| CommentLine { id: c.id, text: c.text, author: c.author_name, at: datetime(&c.created_at) })
        .collect();
    let messages = details::messages_of(db, id)
        .await?
        .into_iter()
        .map(|m| MessageLine {
            id: m.id,
            at: datetime(&m.queued_at),
            kind: MessageKind::parse(&m.kind).map(MessageKind::label).unwrap_or("Ukendt"),
            channel: m.channel.as_deref().and_then(Channel::parse).map_or("—", Channel::label).to_owned(),
            status: status_label(&m.status),
            words: if m.subject.is_empty() { m.sms_text } else { m.subject },
        })
        .collect();
    let (responsible_teams, responsible_locations) = details::responsibilities_of(db, id).await?;
    Ok(ProfilePage {
        chrome: admin.chrome(Section::Participants),
        id,
        cpr: CprView::of(admin, &participant, &cpr),
        mobile: participant.mobile.clone().unwrap_or_else(|| "—".into()),
        email: participant.email.clone().unwrap_or_else(|| "—".into()),
        rules,
        check_what: basis.what,
        last_checked: participant.last_checked_at.map(|t| datetime(&t)).unwrap_or_else(|| "Aldrig".into()),
        reasons,
        teams: details::teams_of(db, id).await?.into_iter().map(|(_, n)| n).collect(),
        diets: details::diet_names_of(db, id).await?,
        responsible_teams,
        responsible_locations,
        seats: details::seats_of(db, id).await?,
        comments,
        messages,
        comment_error,
    })
}

fn not_found(error: store::Error) -> Error {
    if error.is_not_found() { Error::NotFound } else { error.into() }
}

pub async fn revalidate(admin: AdminUser, State(state): State<AppState>, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    repo::get(admin.db(), id).await.map_err(not_found)?;
    let services = state.cpr_services(&admin.tenant);
    let here = format!("{LIST}/{id}");
    match jobs::provisional::revalidate(admin.db(), &services, &admin.actor(), id, Utc::now()).await {
        Ok(done) => Ok(redirect_with_flash(&here, &format!("CPR er spurgt igen. Resultat: {}.", done.state.label()))),
        Err(jobs::provisional::Revalidation::Unavailable(_)) => Ok(redirect_with_flash(
            &here,
            "CPR kunne ikke nås. Deltageren kontrolleres automatisk, når CPR svarer igen.",
        )),
        Err(jobs::provisional::Revalidation::Store(e)) => Err(e.into()),
    }
}

pub async fn add_comment(admin: AdminUser, Path(id): Path<Uuid>, Form(pairs): Form<Pairs>) -> Result<Response> {
    admin.require_edit()?;
    repo::get(admin.db(), id).await.map_err(not_found)?;
    let text = pairs.text("text");
    match crate::forms::required_max(&text, "kommentaren", MAX_COMMENT) {
        Ok(text) => {
            details::add_comment(admin.db(), &admin.actor(), id, &text).await?;
            Ok(redirect_with_flash(&format!("{LIST}/{id}#comments"), "Kommentaren er gemt."))
        }
        Err(message) => {
            let page = load(&admin, id, Some(message)).await?;
            render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub async fn delete_comment(admin: AdminUser, Path((id, comment)): Path<(Uuid, Uuid)>) -> Result<Response> {
    admin.require_edit()?;
    details::delete_comment(admin.db(), &admin.actor(), id, comment).await.map_err(not_found)?;
    Ok(redirect_with_flash(&format!("{LIST}/{id}#comments"), "Kommentaren er slettet."))
}
