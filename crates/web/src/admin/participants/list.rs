//! The participant list: free text, birth-date range, teams, Digital Post,
//! accepted seat and task types, sorting and paging, all in the query string
//! (no CPR numbers: the list never searches by one).

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use store::repo::Page;
use store::repo::participant_details::{self as details, ListFilter, Sort};
use store::repo::participants::ValidationState;
use uuid::Uuid;

use super::super::catalogue::render;
use super::super::staffing::{Choice, Pairs, choices};
use super::super::{AdminUser, Chrome, Section};
use super::state_of;
use crate::error::Result;
use crate::forms::{FieldErrors, dk_date};

const PAGE_SIZE: u64 = 25;

pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub birth_date: String,
    pub teams: String,
    pub digital_post: bool,
    pub accepted: bool,
    pub state: ValidationState,
}

#[derive(Template)]
#[template(path = "admin/participants/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    born_from: String,
    born_until: String,
    digital_post: String,
    accepted: String,
    sort: &'static str,
    teams: Vec<Choice>,
    task_types: Vec<Choice>,
    rows: Vec<Row>,
    total: u64,
    page: u64,
    pages: u64,
    /// The query string without `page`, for the paging links.
    base_query: String,
    errors: FieldErrors,
}

pub async fn list(admin: AdminUser, Query(pairs): Query<Pairs>) -> Result<Response> {
    let mut errors = FieldErrors::new();
    let date = |name: &str, errors: &mut FieldErrors| -> Option<NaiveDate> {
        let text = pairs.text(name);
        if text.trim().is_empty() {
            return None;
        }
        errors.check(name, crate::forms::date(&text, "datoen"))
    };
    let yes_no = |name: &str| match pairs.text(name).as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let q = pairs.text("q");
    let team_ids = pairs.ids("team");
    let task_type_ids = pairs.ids("task_type");
    let filter = ListFilter {
        text: Some(q.trim().to_owned()).filter(|t| !t.is_empty()),
        born_from: date("born_from", &mut errors),
        born_until: date("born_until", &mut errors),
        team_ids: team_ids.clone(),
        digital_post: yes_no("digital_post"),
        has_accepted_seat: yes_no("accepted"),
        task_type_ids: task_type_ids.clone(),
    };
    let sort = Sort::parse(&pairs.text("sort"));
    let page_number = pairs.text("page").parse::<u64>().unwrap_or(1).max(1);
    let paged = details::list(admin.db(), &filter, sort, Page::new(page_number, PAGE_SIZE)).await?;
    let ids: Vec<Uuid> = paged.items.iter().map(|p| p.id).collect();
    let columns = details::list_columns(admin.db(), &ids).await?;
    let rows = paged
        .items
        .iter()
        .map(|p| {
            let (teams, accepted) = columns.get(&p.id).cloned().unwrap_or_default();
            Row {
                id: p.id,
                name: store::repo::participants::full_name(p),
                birth_date: dk_date(&p.birth_date),
                teams: teams.join(", "),
                digital_post: !p.exempt_digital_post,
                accepted,
                state: state_of(p),
            }
        })
        .collect();
    let base_query = base_query(&pairs);
    let page = ListPage {
        chrome: admin.chrome(Section::Participants),
        q,
        born_from: pairs.text("born_from"),
        born_until: pairs.text("born_until"),
        digital_post: pairs.text("digital_post"),
        accepted: pairs.text("accepted"),
        sort: sort.as_str(),
        teams: choices(store::repo::teams::choices(admin.db()).await?, &team_ids),
        task_types: choices(task_type_choices(&admin).await?, &task_type_ids),
        total: paged.total,
        page: paged.page.number,
        pages: paged.pages(),
        rows,
        base_query,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(&page, status)
}

async fn task_type_choices(admin: &AdminUser) -> Result<Vec<(Uuid, String)>> {
    use sea_orm::{EntityTrait, QueryOrder};
    use store::entity::task_types;
    let rows = task_types::Entity::find()
        .order_by_asc(task_types::Column::Title)
        .all(admin.db())
        .await
        .map_err(anyhow::Error::from)?;
    Ok(rows.into_iter().map(|t| (t.id, t.title)).collect())
}

fn base_query(pairs: &Pairs) -> String {
    let kept: Vec<(String, String)> = pairs.0.iter().filter(|(k, _)| k != "page").cloned().collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}
