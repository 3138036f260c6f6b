//! A filtered task-list link (reference §1.2 "TasksFilteredLink"): the
//! secretariat stores a filter (team, work location, task type, date) and
//! shares `/opgaveliste/{token}`; anybody may see the free, non-trusted,
//! future seats of the election that match it, and take one after MitID
//! sign-in with the same checks as every yes. A person who is not a
//! participant yet signs up on the way, into the seat's team.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Utc;
use store::repo::links::{self, LinkTarget, TaskFilter};
use store::repo::portal::{self, FreeSeats, MySeat};
use store::repo::{Actor, elections};
use uuid::Uuid;

use super::i18n::Lang;
use super::invitation::{ResultPage, answer_page};
use super::offers::{FilterQuery, Filters, Offer, offers};
use super::view::TaskView;
use super::{MaybeCitizen, PortalChrome};
use crate::error::Result;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub fn routes() -> Router<AppState> {
    Router::new().route("/opgaveliste/{token}", get(list)).route("/opgaveliste/{token}/{seat}", get(choose).post(take))
}

/// What a filtered link offers.
struct ListLink {
    token: String,
    election: Uuid,
    team: Option<Uuid>,
    filter: TaskFilter,
}

impl ListLink {
    /// The link behind `token`, or why there is none.
    async fn find(db: &impl sea_orm::ConnectionTrait, token: &str) -> Result<Result<Self, Missing>> {
        Ok(match links::find(db, token).await? {
            Some(link) => match link.target {
                LinkTarget::Filtered { election, team, filter } if link.is_active() => {
                    Ok(ListLink { token: token.to_owned(), election, team, filter })
                }
                LinkTarget::Filtered { .. } => Err(Missing::Revoked),
                _ => Err(Missing::Unknown),
            },
            None => Err(Missing::Unknown),
        })
    }

    /// The free seats the link offers now.
    async fn seats(&self, db: &impl sea_orm::ConnectionTrait) -> Result<Vec<MySeat>> {
        let which = FreeSeats { election: Some(self.election), teams: self.team.map(|t| vec![t]), filter: self.filter };
        Ok(portal::free_seats(db, &which, domain::danish_date(Utc::now())).await?)
    }

    /// The seat to give for a choice of `seat`: that one while the link
    /// still offers it, else another free one of its kind (someone was
    /// quicker), else none.
    async fn offered(&self, db: &impl sea_orm::ConnectionTrait, seat: Uuid) -> Result<Option<MySeat>> {
        let free = self.seats(db).await?;
        if let Some(found) = free.iter().find(|s| s.seat_id == seat) {
            return Ok(Some(found.clone()));
        }
        let Some(chosen) = portal::seat_view(db, seat).await? else { return Ok(None) };
        let same_kind = |s: &&MySeat| {
            (s.election_id, s.work_location_id, s.team_id, s.task_type_id, s.date)
                == (chosen.election_id, chosen.work_location_id, chosen.team_id, chosen.task_type_id, chosen.date)
        };
        Ok(free.iter().find(same_kind).cloned())
    }

    fn path(&self) -> String {
        format!("/opgaveliste/{}", self.token)
    }
}

/// Why a token opens no task list.
enum Missing {
    Revoked,
    Unknown,
}

impl Missing {
    /// 410 for a revoked link, 404 for one that never was a task list.
    fn respond(self, chrome: PortalChrome) -> Result<Response> {
        let (heading, message, status) = match self {
            Missing::Revoked => (
                "Linket er trukket tilbage",
                "Kommunen har trukket linket til opgavelisten tilbage. Spørg den, der gav dig linket, om et nyt.",
                StatusCode::GONE,
            ),
            Missing::Unknown => (
                "Linket virker ikke",
                "Linket findes ikke. Tjek, at du har fået hele linket med, eller spørg den, der gav dig det.",
                StatusCode::NOT_FOUND,
            ),
        };
        let page = ResultPage {
            chrome,
            heading: heading.into(),
            message: message.into(),
            reasons: Vec::new(),
            success: false,
            task: None,
        };
        page.respond(status)
    }
}

fn chrome_for(tenant: &CurrentTenant, citizen: &MaybeCitizen, lang: Lang) -> PortalChrome {
    match &citizen.0 {
        Some(c) => PortalChrome::of(c),
        None => PortalChrome::anonymous(&tenant.name).in_lang(lang),
    }
}

#[derive(Template)]
#[template(path = "portal/task_list.html")]
struct TaskListPage {
    chrome: PortalChrome,
    election: String,
    filter_action: String,
    /// Whether the link offers anything at all (the filters show only then).
    any: bool,
    filters: Filters,
    tasks: Vec<Offer>,
    signed_in: bool,
}

async fn list(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    lang: Lang,
    Path(token): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Result<Response> {
    let chrome = chrome_for(&tenant, &citizen, lang);
    let link = match ListLink::find(&tenant.db, &token).await? {
        Ok(link) => link,
        Err(missing) => return missing.respond(chrome),
    };
    let election = elections::get(&tenant.db, link.election).await?.map(|e| e.title).unwrap_or_default();
    let lines = offers(&link.seats(&tenant.db).await?, chrome.lang);
    let any = !lines.is_empty();
    let (filters, tasks) = Filters::apply(lines, &query);
    let status = if filters.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let signed_in = citizen.0.is_some();
    let page = TaskListPage { chrome, election, filter_action: link.path(), any, filters, tasks, signed_in };
    Ok((status, Html(page.render().map_err(anyhow::Error::from)?)).into_response())
}

#[derive(Template)]
#[template(path = "portal/task_choice.html")]
struct ChoicePage {
    chrome: PortalChrome,
    task: TaskView,
    action: String,
    back: String,
}

/// The page "no longer free" when the link offers nothing of the chosen kind.
fn taken(chrome: PortalChrome) -> Result<Response> {
    ResultPage {
        chrome,
        heading: "Opgaven er ikke ledig".into(),
        message: "Opgaven er taget af en anden eller er ikke længere med på listen. Gå tilbage til listen, og vælg \
                  en anden."
            .into(),
        reasons: Vec::new(),
        success: false,
        task: None,
    }
    .respond(StatusCode::CONFLICT)
}

/// The chosen task with a "sign me up" button; signing in first, and a
/// sign-up form for somebody who is not a participant yet.
async fn choose(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    State(state): State<AppState>,
    lang: Lang,
    Path((token, seat)): Path<(String, Uuid)>,
) -> Result<Response> {
    let chrome = chrome_for(&tenant, &citizen, lang);
    let link = match ListLink::find(&tenant.db, &token).await? {
        Ok(link) => link,
        Err(missing) => return missing.respond(chrome),
    };
    let action = format!("{}/{seat}", link.path());
    let Some(citizen) = citizen.0 else { return Ok(Redirect::to(&format!("/login?next={action}")).into_response()) };
    let Some(offered) = link.offered(&tenant.db, seat).await? else { return taken(chrome) };
    if citizen.participant.is_none() {
        return super::signup::seat_page(&citizen, &state, action, offered.team_id).await;
    }
    let page = ChoicePage { task: TaskView::new(&offered, chrome.lang), chrome, action, back: link.path() };
    Ok(Html(page.render().map_err(anyhow::Error::from)?).into_response())
}

/// Takes a seat of the chosen kind, with every check; a new person is signed
/// up into the seat's team first.
async fn take(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    State(state): State<AppState>,
    lang: Lang,
    Path((token, seat)): Path<(String, Uuid)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response> {
    let chrome = chrome_for(&tenant, &citizen, lang);
    let link = match ListLink::find(&tenant.db, &token).await? {
        Ok(link) => link,
        Err(missing) => return missing.respond(chrome),
    };
    let action = format!("{}/{seat}", link.path());
    let Some(citizen) = citizen.0 else { return Ok(Redirect::to(&format!("/login?next={action}")).into_response()) };
    let Some(offered) = link.offered(&tenant.db, seat).await? else { return taken(chrome) };
    let participant = match &citizen.participant {
        Some(p) => p.id,
        None => match super::signup::register(&citizen, &state, action, offered.team_id, form).await? {
            Ok(id) => id,
            Err(form_again) => return Ok(form_again),
        },
    };
    let actor = Actor::citizen(citizen.name.clone());
    let own = &citizen.tenant.municipality;
    let answer =
        store::repo::seats::accept(&tenant.db, &actor, offered.seat_id, participant, None, own, Utc::now()).await;
    answer_page(&citizen, &offered, answer)
}
