//! What the election screens show: the list, one election with its work
//! locations and seat counts, and the choices of the forms.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::master::danish_order;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entity::{areas, election_types, election_work_locations, elections, seats, work_locations};
use crate::error::{Error, Result};

/// One row of the election list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionSummary {
    pub id: Uuid,
    pub title: String,
    pub type_title: String,
    pub election_date: NaiveDate,
    pub active: bool,
    pub work_locations: u64,
    pub seats: u64,
}

/// One election with what takes part in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionDetail {
    pub election: elections::Model,
    pub type_title: String,
    /// In Danish order of area, then title.
    pub work_locations: Vec<TakingPart>,
    pub seats: u64,
}

/// A work location taking part in an election, with its seats there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakingPart {
    pub id: Uuid,
    pub title: String,
    pub area: String,
    pub seats: u64,
}

/// The first and last date on which an election has seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeatSpan {
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
}

/// Something to pick in a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: Uuid,
    pub title: String,
}

/// The work locations of one area, for a grouped checkbox list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaGroup {
    pub area: String,
    pub locations: Vec<Choice>,
}

/// All elections, the newest election date first.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<ElectionSummary>> {
    let rows = elections::Entity::find()
        .find_also_related(election_types::Entity)
        .all(conn)
        .await
        .map_err(Error::db("listing elections"))?;
    let locations = count_by_election(conn, Counted::WorkLocations).await?;
    let seats = count_by_election(conn, Counted::Seats).await?;
    let mut list: Vec<ElectionSummary> = rows
        .into_iter()
        .map(|(e, t)| ElectionSummary {
            id: e.id,
            type_title: t.map(|t| t.title).unwrap_or_default(),
            election_date: e.election_date,
            active: e.active,
            work_locations: locations.get(&e.id).copied().unwrap_or(0),
            seats: seats.get(&e.id).copied().unwrap_or(0),
            title: e.title,
        })
        .collect();
    list.sort_by(|a, b| b.election_date.cmp(&a.election_date).then_with(|| danish_order(&a.title, &b.title)));
    Ok(list)
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<elections::Model>> {
    elections::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading an election"))
}

pub async fn detail(conn: &impl ConnectionTrait, id: Uuid) -> Result<ElectionDetail> {
    let (election, kind) = elections::Entity::find_by_id(id)
        .find_also_related(election_types::Entity)
        .one(conn)
        .await
        .map_err(Error::db("reading an election"))?
        .ok_or(Error::not_found("Valget"))?;
    let seats_here = seats_by_work_location(conn, id).await?;
    let rows = work_locations::Entity::find()
        .inner_join(election_work_locations::Entity)
        .filter(election_work_locations::Column::ElectionId.eq(id))
        .find_also_related(areas::Entity)
        .all(conn)
        .await
        .map_err(Error::db("reading an election's work locations"))?;
    let mut taking_part: Vec<TakingPart> = rows
        .into_iter()
        .map(|(wl, area)| TakingPart {
            seats: seats_here.get(&wl.id).copied().unwrap_or(0),
            id: wl.id,
            title: wl.title,
            area: area.map(|a| a.name).unwrap_or_default(),
        })
        .collect();
    taking_part.sort_by(|a, b| danish_order(&a.area, &b.area).then_with(|| danish_order(&a.title, &b.title)));
    let seats = seats_here.values().sum();
    Ok(ElectionDetail {
        election,
        type_title: kind.map(|t| t.title).unwrap_or_default(),
        work_locations: taking_part,
        seats,
    })
}

pub async fn seat_span(conn: &impl ConnectionTrait, id: Uuid) -> Result<SeatSpan> {
    let span: Option<(Option<NaiveDate>, Option<NaiveDate>)> = seats::Entity::find()
        .select_only()
        .column_as(seats::Column::TaskDate.min(), "earliest")
        .column_as(seats::Column::TaskDate.max(), "latest")
        .filter(seats::Column::ElectionId.eq(id))
        .into_tuple()
        .one(conn)
        .await
        .map_err(Error::db("reading an election's seat dates"))?;
    let (earliest, latest) = span.unwrap_or_default();
    Ok(SeatSpan { earliest, latest })
}

/// Every work location, grouped by area, both in Danish order.
pub async fn work_location_options(conn: &impl ConnectionTrait) -> Result<Vec<AreaGroup>> {
    let rows = work_locations::Entity::find()
        .find_also_related(areas::Entity)
        .all(conn)
        .await
        .map_err(Error::db("listing work locations"))?;
    let mut groups: HashMap<String, Vec<Choice>> = HashMap::new();
    for (wl, area) in rows {
        let area = area.map(|a| a.name).unwrap_or_default();
        groups.entry(area).or_default().push(Choice { id: wl.id, title: wl.title });
    }
    let mut groups: Vec<AreaGroup> = groups
        .into_iter()
        .map(|(area, mut locations)| {
            locations.sort_by(|a, b| danish_order(&a.title, &b.title));
            AreaGroup { area, locations }
        })
        .collect();
    groups.sort_by(|a, b| danish_order(&a.area, &b.area));
    Ok(groups)
}

enum Counted {
    WorkLocations,
    Seats,
}

async fn count_by_election(conn: &impl ConnectionTrait, what: Counted) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = match what {
        Counted::WorkLocations => election_work_locations::Entity::find()
            .select_only()
            .column(election_work_locations::Column::ElectionId)
            .column_as(election_work_locations::Column::WorkLocationId.count(), "n")
            .group_by(election_work_locations::Column::ElectionId)
            .into_tuple()
            .all(conn)
            .await
            .map_err(Error::db("counting work locations per election"))?,
        Counted::Seats => seats::Entity::find()
            .select_only()
            .column(seats::Column::ElectionId)
            .column_as(seats::Column::Id.count(), "n")
            .group_by(seats::Column::ElectionId)
            .into_tuple()
            .all(conn)
            .await
            .map_err(Error::db("counting seats per election"))?,
    };
    Ok(rows.into_iter().map(|(id, n)| (id, n.max(0) as u64)).collect())
}

async fn seats_by_work_location(conn: &impl ConnectionTrait, id: Uuid) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = seats::Entity::find()
        .select_only()
        .column(seats::Column::WorkLocationId)
        .column_as(seats::Column::Id.count(), "n")
        .filter(seats::Column::ElectionId.eq(id))
        .group_by(seats::Column::WorkLocationId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("counting seats per work location"))?;
    Ok(rows.into_iter().map(|(wl, n)| (wl, n.max(0) as u64)).collect())
}
