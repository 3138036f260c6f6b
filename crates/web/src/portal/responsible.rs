//! The responsibles' pages (reference §3): "Mine hold" for team responsibles
//! (members, seat status, removing a member) and "Mine arbejdssteder" for
//! work-location responsibles (who works where on which day). Each page and
//! action checks that the team or work location is the person's own.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, NaiveTime, Utc};
use serde::Deserialize;
use store::repo::audit::Actor;
use store::repo::links::{self, LinkTarget};
use store::repo::responsible::{self, LocationDay, Member, Removal, RosterLine};
use store::repo::seats::{self, Counts, OverviewFilter};
use uuid::Uuid;

use super::PortalChrome;
use super::auth::Citizen;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mine-hold", get(my_teams))
        .route("/mine-hold/{team}/fjern/{participant}", get(confirm_removal).post(remove))
        .route("/mine-arbejdssteder", get(my_work_locations))
}

/// Today in Denmark: a seat "from today on" means the Danish day.
fn today() -> NaiveDate {
    domain::danish_date(Utc::now())
}

fn date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn render(page: impl Template) -> Result<Html<String>> {
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// One kind of seat of a team, as the team page counts it.
pub struct StatusRow {
    pub date: String,
    pub work_location: String,
    pub task_type: String,
    pub counts: Counts,
}

/// A sign-up link of the team to copy and pass on.
pub struct ShareLink {
    pub label: String,
    pub url: String,
}

pub struct TeamSection {
    pub id: Uuid,
    pub name: String,
    pub members: Vec<Member>,
    pub status: Vec<StatusRow>,
    pub links: Vec<ShareLink>,
}

#[derive(Template)]
#[template(path = "portal/my_teams.html")]
struct MyTeamsPage {
    chrome: PortalChrome,
    teams: Vec<TeamSection>,
    removed: Option<String>,
}

#[derive(Deserialize)]
struct Removed {
    #[serde(default)]
    fjernet: Option<String>,
}

async fn my_teams(
    State(state): State<AppState>,
    headers: HeaderMap,
    citizen: Citizen,
    Query(query): Query<Removed>,
) -> Result<Html<String>> {
    let own = citizen.require_team_responsible()?.to_vec();
    let origin = state.request_origin(&headers);
    let db = &citizen.tenant.db;
    let today = today();
    let elections = responsible::active_elections(db).await?;
    let mut teams = Vec::with_capacity(own.len());
    for (id, name) in own {
        let mut status = Vec::new();
        for election in &elections {
            let filter = OverviewFilter { team: Some(id), ..OverviewFilter::default() };
            let rows = seats::overview(db, election.id, filter).await?;
            status.extend(rows.into_iter().filter(|r| r.date >= today).map(|r| StatusRow {
                date: date(r.date),
                work_location: r.work_location,
                task_type: r.task_type,
                counts: r.counts,
            }));
        }
        let members = responsible::members(db, id, today).await?;
        let links = share_links(db, id, &origin, citizen.lang).await?;
        teams.push(TeamSection { id, name, members, status, links });
    }
    render(MyTeamsPage { chrome: PortalChrome::of(&citizen), teams, removed: query.fjernet })
}

/// The team's active sign-up and task links (filtered task-list links are
/// the secretariat's, not a team's to pass on).
async fn share_links(
    db: &impl sea_orm::ConnectionTrait,
    team: Uuid,
    origin: &str,
    lang: super::i18n::Lang,
) -> Result<Vec<ShareLink>> {
    let links = links::list(db, None, Some(team)).await?;
    Ok(links
        .into_iter()
        .filter(|l| l.is_active())
        .filter_map(|l| match l.target {
            LinkTarget::Team { .. } => Some(ShareLink {
                label: lang.t("Tilmelding til holdet").into(),
                url: format!("{origin}/tilmelding/hold/{}", l.token),
            }),
            LinkTarget::Task { kind, .. } => Some(ShareLink {
                label: lang.fill("Tilmelding til en opgave {dato}", [("dato", &date(kind.date))]),
                url: format!("{origin}/tilmelding/opgave/{}", l.token),
            }),
            LinkTarget::Filtered { .. } => None,
        })
        .collect())
}

/// The team, if it is the person's own: 403 for another's, 404 for none.
async fn own_team(citizen: &Citizen, team: Uuid) -> Result<String> {
    if let Some((_, name)) = citizen.require_team_responsible()?.iter().find(|(id, _)| *id == team) {
        return Ok(name.clone());
    }
    match store::repo::teams::get(&citizen.tenant.db, team).await? {
        Some(_) => Err(Error::Forbidden),
        None => Err(Error::NotFound),
    }
}

/// The member of one's own team.
async fn own_member(citizen: &Citizen, team: Uuid, participant: Uuid) -> Result<(String, Member)> {
    let team_name = own_team(citizen, team).await?;
    let member = responsible::members(&citizen.tenant.db, team, today())
        .await?
        .into_iter()
        .find(|m| m.id == participant)
        .ok_or(Error::NotFound)?;
    Ok((team_name, member))
}

#[derive(Template)]
#[template(path = "portal/remove_member.html")]
struct ConfirmRemovalPage {
    chrome: PortalChrome,
    team_id: Uuid,
    team: String,
    member: Member,
}

async fn confirm_removal(citizen: Citizen, Path((team, participant)): Path<(Uuid, Uuid)>) -> Result<Html<String>> {
    let (team_name, member) = own_member(&citizen, team, participant).await?;
    render(ConfirmRemovalPage { chrome: PortalChrome::of(&citizen), team_id: team, team: team_name, member })
}

/// Removes the member and frees their seats in the team; the person stays a
/// participant (see `store::repo::responsible::remove_member`).
/// A member who served on the team stays: the confirmation page says why (409).
async fn remove(citizen: Citizen, Path((team, participant)): Path<(Uuid, Uuid)>) -> Result<Response> {
    let (team_name, member) = own_member(&citizen, team, participant).await?;
    let actor = Actor::citizen(citizen.name.clone());
    let db = &citizen.tenant.db;
    if let Removal::Refused { last_served } =
        responsible::remove_member(db, &actor, team, participant, today(), Utc::now()).await?
    {
        let member = Member { served: Some(last_served), ..member };
        let page = ConfirmRemovalPage { chrome: PortalChrome::of(&citizen), team_id: team, team: team_name, member };
        return Ok((StatusCode::CONFLICT, render(page)?).into_response());
    }
    let done: String = serde_urlencoded::to_string([("fjernet", member.name.as_str())]).map_err(anyhow::Error::from)?;
    Ok(Redirect::to(&format!("/mine-hold?{done}")).into_response())
}

#[derive(Template)]
#[template(path = "portal/my_work_locations.html")]
struct MyWorkLocationsPage {
    chrome: PortalChrome,
    /// Id, name, whether chosen.
    locations: Vec<(Uuid, String, bool)>,
    chosen: Option<Uuid>,
    /// Day, as shown, whether chosen.
    dates: Vec<(NaiveDate, String, bool)>,
    day: Option<NaiveDate>,
    staffing: LocationDay,
    sort: Sort,
    columns: [Sort; 5],
    /// The page's address up to `sorter=`, for the column headers.
    sort_link: String,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    sted: Option<String>,
    #[serde(default)]
    dato: Option<String>,
    #[serde(default)]
    sorter: Option<String>,
}

/// The roster's order, chosen by a column header (reference §3: sortable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    TaskType,
    Team,
    Age,
    Status,
}

impl Sort {
    const ALL: [Sort; 5] = [Sort::Name, Sort::TaskType, Sort::Team, Sort::Age, Sort::Status];

    /// The value in the address (`?sorter=alder`).
    fn key(self) -> &'static str {
        match self {
            Sort::Name => "navn",
            Sort::TaskType => "opgave",
            Sort::Team => "hold",
            Sort::Age => "alder",
            Sort::Status => "status",
        }
    }

    /// The column's Danish heading.
    fn heading(self) -> &'static str {
        match self {
            Sort::Name => "Navn",
            Sort::TaskType => "Opgave",
            Sort::Team => "Hold",
            Sort::Age => "Alder",
            Sort::Status => "Status",
        }
    }

    /// By this column, then by name; an unknown value sorts by name.
    fn apply(self, roster: &mut [RosterLine]) {
        let by_name = |a: &RosterLine, b: &RosterLine| domain::master::danish_order(&a.name, &b.name);
        roster.sort_by(|a, b| {
            let first = match self {
                Sort::Name => std::cmp::Ordering::Equal,
                Sort::TaskType => domain::master::danish_order(&a.task_type, &b.task_type),
                Sort::Team => domain::master::danish_order(&a.team, &b.team),
                Sort::Age => a.age.cmp(&b.age),
                Sort::Status => (a.status as u8).cmp(&(b.status as u8)),
            };
            first.then_with(|| by_name(a, b))
        });
    }
}

impl MyWorkLocationsPage {
    /// A task type's time as "08:00–20:00", "(+1 dag)" after a night task's end.
    fn span(&self, start: &NaiveTime, end: &NaiveTime) -> String {
        let hm = |t: &NaiveTime| t.format("%H:%M").to_string();
        let night = if end <= start { format!(" {}", self.chrome.t("(+1 dag)")) } else { String::new() };
        format!("{}–{}{night}", hm(start), hm(end))
    }
}

/// Choose a work location and a day, then see the seats per task type and
/// who works there: name, task, team, status, age and mobile number,
/// sortable. No addresses (protected ones included) and no CPR numbers.
async fn my_work_locations(citizen: Citizen, Query(choice): Query<Choice>) -> Result<Html<String>> {
    let locations = citizen.require_work_location_responsible()?.to_vec();
    let chosen = match choice.sted.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(Uuid::parse_str(text).map_err(|_| Error::BadRequest("Ukendt arbejdssted".into()))?),
        None if locations.len() == 1 => Some(locations[0].0),
        None => None,
    };
    if chosen.is_some_and(|c| !locations.iter().any(|(id, _)| *id == c)) {
        return Err(Error::Forbidden);
    }
    let db = &citizen.tenant.db;
    let dates = match chosen {
        Some(location) => responsible::location_dates(db, location).await?,
        None => Vec::new(),
    };
    let asked = choice.dato.as_deref().filter(|d| !d.is_empty()).and_then(|d| d.parse::<NaiveDate>().ok());
    let today = today();
    let day = asked.or_else(|| dates.iter().find(|d| **d >= today).or(dates.last()).copied());
    let mut staffing = match (chosen, day) {
        (Some(location), Some(day)) => responsible::location_day(db, location, day).await?,
        _ => LocationDay::default(),
    };
    let sort = Sort::ALL.into_iter().find(|s| choice.sorter.as_deref() == Some(s.key())).unwrap_or(Sort::Name);
    sort.apply(&mut staffing.roster);
    let sort_link = match (chosen, day) {
        (Some(location), Some(day)) => format!("/mine-arbejdssteder?sted={location}&dato={day}&sorter="),
        _ => "/mine-arbejdssteder?sorter=".to_owned(),
    };
    let dates = dates.into_iter().map(|d| (d, date(d), Some(d) == day)).collect();
    let locations = locations.into_iter().map(|(id, name)| (id, name, Some(id) == chosen)).collect();
    let chrome = PortalChrome::of(&citizen);
    render(MyWorkLocationsPage { chrome, locations, chosen, dates, day, staffing, sort, columns: Sort::ALL, sort_link })
}
