//! The task overview: counts per state, drilled down from areas to work
//! locations to the kinds of seat (team × date × task type), with filters;
//! the rejection history; and the activation's message progress.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use store::repo::messages::Batch;
use store::repo::seats::activation::{self, Progress};
use store::repo::seats::{self as repo, Counts, OverviewFilter, OverviewRow, RejectedLine};
use uuid::Uuid;

use super::progress::DeliveryBar;
use super::{date_param, dk, id_param};
use crate::admin::catalogue::render;
use crate::admin::flash::redirect_with_flash;
use crate::admin::{AdminUser, Chrome, Section};
use crate::error::{Error, Result};

#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    work_location: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    task_type: String,
    #[serde(default)]
    date: String,
}

impl FilterQuery {
    fn filter(&self) -> OverviewFilter {
        OverviewFilter {
            area: id_param(&self.area),
            work_location: id_param(&self.work_location),
            team: id_param(&self.team),
            task_type: id_param(&self.task_type),
            date: date_param(&self.date),
        }
    }

    /// The query string with one more filter set (for drilling down).
    fn with(&self, key: &str, value: Uuid) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("area", self.area.clone()),
            ("work_location", self.work_location.clone()),
            ("team", self.team.clone()),
            ("task_type", self.task_type.clone()),
            ("date", self.date.clone()),
        ];
        for pair in &mut pairs {
            if pair.0 == key {
                pair.1 = value.to_string();
            }
        }
        let kept: Vec<String> =
            pairs.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", kept.join("&"))
    }
}

/// What the overview's lines are at the current level: the heading of
/// their label and of their detail column (none at the top level).
pub struct Level {
    pub heading: &'static str,
    pub detail: &'static str,
}

/// One line of the overview at the current level.
pub struct Line {
    pub label: String,
    /// The area of a work location, or the date of a kind.
    pub detail: String,
    pub href: String,
    pub counts: Counts,
}

pub struct Choice {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "admin/tasks/overview.html")]
struct OverviewPage {
    chrome: Chrome,
    election_id: Uuid,
    title: String,
    level: Level,
    lines: Vec<Line>,
    total: Counts,
    areas: Vec<Choice>,
    work_locations: Vec<Choice>,
    teams: Vec<Choice>,
    task_types: Vec<Choice>,
    date: String,
    progress: Progress,
    delivery: DeliveryBar,
    active: bool,
}

pub async fn overview(admin: AdminUser, Path(id): Path<Uuid>, Query(query): Query<FilterQuery>) -> Result<Response> {
    let election = store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let all = repo::overview(admin.db(), id, OverviewFilter::default()).await?;
    let filter = query.filter();
    let rows = repo::overview(admin.db(), id, filter).await?;
    let (level, lines) = lines(id, &query, &filter, &rows);
    let mut total = Counts::default();
    rows.iter().for_each(|r| total.add(&r.counts));
    let page = OverviewPage {
        chrome: admin.chrome(Section::Elections),
        election_id: id,
        title: election.title,
        level,
        lines,
        total,
        areas: choices(&all, |r| (r.area_id, r.area.clone()), filter.area),
        work_locations: choices(&all, |r| (r.work_location_id, r.work_location.clone()), filter.work_location),
        teams: choices(&all, |r| (r.team_id, r.team.clone()), filter.team),
        task_types: choices(&all, |r| (r.task_type_id, r.task_type.clone()), filter.task_type),
        date: query.date.clone(),
        progress: activation::progress(admin.db(), id).await?,
        delivery: DeliveryBar::of(admin.db(), id, Batch::Activation).await?,
        active: election.active,
    };
    render(&page, StatusCode::OK)
}

/// What a line of the overview groups by: (id, label, detail).
type GroupKey = fn(&OverviewRow) -> (Uuid, String, String);

/// Areas until one is chosen, then its work locations, then the kinds.
fn lines(election: Uuid, query: &FilterQuery, filter: &OverviewFilter, rows: &[OverviewRow]) -> (Level, Vec<Line>) {
    if let Some(location) = filter.work_location {
        let href = super::location_href(election, location);
        let lines = rows
            .iter()
            .map(|r| Line {
                label: format!("{} · {}", r.team, r.task_type),
                detail: dk(r.date),
                href: href.clone(),
                counts: r.counts,
            })
            .collect();
        return (Level { heading: "Hold, dato og opgavetype", detail: "Dato" }, lines);
    }
    let (level, key): (Level, GroupKey) = if filter.area.is_some() {
        (Level { heading: "Arbejdssted", detail: "Område" }, |r| {
            (r.work_location_id, r.work_location.clone(), r.area.clone())
        })
    } else {
        (Level { heading: "Område", detail: "" }, |r| (r.area_id, r.area.clone(), String::new()))
    };
    let mut grouped: BTreeMap<(String, Uuid), (String, Counts)> = BTreeMap::new();
    for row in rows {
        let (id, label, detail) = key(row);
        grouped.entry((label, id)).or_insert_with(|| (detail, Counts::default())).1.add(&row.counts);
    }
    let param = if filter.area.is_some() { "work_location" } else { "area" };
    let lines = grouped
        .into_iter()
        .map(|((label, id), (detail, counts))| Line {
            label,
            detail,
            href: format!("/admin/elections/{election}/tasks{}", query.with(param, id)),
            counts,
        })
        .collect();
    (level, lines)
}

fn choices(rows: &[OverviewRow], of: impl Fn(&OverviewRow) -> (Uuid, String), chosen: Option<Uuid>) -> Vec<Choice> {
    let unique: BTreeMap<(String, Uuid), ()> =
        rows.iter().map(|r| (of(r), ())).map(|((id, l), _)| ((l, id), ())).collect();
    unique.into_keys().map(|(label, id)| Choice { id: id.to_string(), label, selected: chosen == Some(id) }).collect()
}

#[derive(Template)]
#[template(path = "admin/tasks/rejected.html")]
struct RejectedPage {
    chrome: Chrome,
    election_id: Uuid,
    title: String,
    lines: Vec<RejectedView>,
}

pub struct RejectedView {
    pub line: RejectedLine,
    pub date: String,
    pub at: String,
}

pub async fn rejected(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    let election = store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    let lines = repo::rejected_history(admin.db(), id)
        .await?
        .into_iter()
        .map(|line| RejectedView { date: dk(line.date), at: line.at.format("%d-%m-%Y %H:%M").to_string(), line })
        .collect();
    let page = RejectedPage { chrome: admin.chrome(Section::Elections), election_id: id, title: election.title, lines };
    render(&page, StatusCode::OK)
}

/// Runs the activation's queueing again (after a failed run, say); it
/// never sends a message twice.
pub async fn queue_messages(admin: AdminUser, Path(id): Path<Uuid>) -> Result<Response> {
    admin.require_edit()?;
    let election = store::repo::elections::get(admin.db(), id).await?.ok_or(Error::NotFound)?;
    if !election.active {
        return Err(Error::BadRequest("Valget er ikke aktivt, så der sendes ingen beskeder.".into()));
    }
    activation::start(admin.db(), id).await?;
    Ok(redirect_with_flash(&format!("/admin/elections/{id}/tasks"), "De ventende beskeder sættes i kø igen."))
}
