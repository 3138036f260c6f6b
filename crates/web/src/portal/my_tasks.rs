//! "Mine opgaver": the person's seats with what they can do about each one —
//! answer an invitation, fetch the task type's PDFs and a calendar file, and
//! cancel an accepted seat until the lock period starts (the store refuses
//! it after that, whatever the page offered).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use store::repo::Actor;
use store::repo::files::{self, FileInfo};
use store::repo::portal::{self, MySeat};
use uuid::Uuid;

use super::PortalChrome;
use super::auth::Citizen;
use super::calendar::{self, CalendarTask};
use super::view::TaskView;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/mine-opgaver/{seat}/kalender.ics", get(calendar_file))
        .route("/mine-opgaver/{seat}/filer/{file}", get(attachment))
        .route("/mine-opgaver/{seat}/afmeld", post(cancel))
}

/// One seat on the page.
struct MyTask {
    id: Uuid,
    task: TaskView,
    state: &'static str,
    files: Vec<FileInfo>,
    /// The invitation page's form action, for an unanswered invitation.
    invitation: Option<String>,
    /// Until when the person may cancel, when they hold the seat and still may.
    cancel_until: Option<String>,
    /// The seat is accepted but inside its lock period.
    locked: bool,
}

fn state_text(state: &str) -> &'static str {
    match state {
        "invited" => "Inviteret – mangler dit svar",
        "accepted" => "Du har sagt ja",
        "checked_in" => "Mødt",
        "no_show" => "Ikke mødt",
        _ => "Anden status",
    }
}

#[derive(Template)]
#[template(path = "portal/my_tasks.html")]
struct MyTasksPage {
    chrome: PortalChrome,
    tasks: Vec<MyTask>,
    notice: Option<String>,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct Flash {
    #[serde(default)]
    afmeldt: Option<String>,
}

pub async fn show(citizen: Citizen, Query(flash): Query<Flash>) -> Result<Html<String>> {
    let notice = flash.afmeldt.map(|_| "Du er afmeldt opgaven. Du får en bekræftelse.".to_owned());
    render(&citizen, notice, None).await
}

async fn render(citizen: &Citizen, notice: Option<String>, problem: Option<String>) -> Result<Html<String>> {
    let participant = citizen.require_participant()?;
    let db = &citizen.tenant.db;
    let today = domain::danish_date(Utc::now());
    let mut tasks = Vec::new();
    for seat in portal::my_seats(db, participant.id).await? {
        let files = files::of_task_type(db, seat.task_type_id).await?;
        let may_cancel = domain::lock::may_cancel(seat.date, seat.lock_days, today);
        let accepted = seat.state == "accepted";
        tasks.push(MyTask {
            id: seat.seat_id,
            task: TaskView::new(&seat, citizen.lang),
            state: state_text(&seat.state),
            files,
            invitation: seat
                .invitation_code
                .filter(|_| seat.state == "invited")
                .map(|code| format!("/opgaver/invitation/{}/{code}", seat.seat_id)),
            cancel_until: domain::lock::last_cancellation_day(seat.date, seat.lock_days)
                .filter(|_| accepted && may_cancel)
                .map(|d| d.format("%d-%m-%Y").to_string()),
            locked: accepted && !may_cancel,
        });
    }
    let page = MyTasksPage { chrome: PortalChrome::of(citizen), tasks, notice, problem };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// The seat, if it is the signed-in person's.
async fn own_seat(citizen: &Citizen, seat_id: Uuid) -> Result<MySeat> {
    let participant = citizen.require_participant()?;
    portal::seat_view(&citizen.tenant.db, seat_id)
        .await?
        .filter(|s| s.participant_id == Some(participant.id))
        .ok_or(Error::NotFound)
}

async fn calendar_file(citizen: Citizen, Path(seat_id): Path<Uuid>) -> Result<Response> {
    let seat = own_seat(&citizen, seat_id).await?;
    let summary = format!("{} – {}", seat.task_type, seat.election);
    let location = format!("{}, {}", seat.work_location, seat.address);
    let team = citizen.lang.fill("Hold: {hold}.", [("hold", &seat.team)]);
    let description = format!("{team} {}", citizen.tenant.name);
    let task = CalendarTask {
        uid: format!("{}@{}", seat.seat_id, citizen.tenant.portal_host),
        summary: &summary,
        location: &location,
        description: &description,
        date: seat.date,
        start: seat.start,
        end: seat.end,
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8")),
        (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"opgave.ics\"")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, calendar::ics(&task, Utc::now())).into_response())
}

/// A PDF of the seat's task type (guides, maps), only through the person's own seat.
async fn attachment(citizen: Citizen, Path((seat_id, file_id)): Path<(Uuid, Uuid)>) -> Result<Response> {
    let seat = own_seat(&citizen, seat_id).await?;
    let file =
        files::task_type_attachment(&citizen.tenant.db, seat.task_type_id, file_id).await?.ok_or(Error::NotFound)?;
    let disposition = HeaderValue::from_str(&content_disposition(&file.file_name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let content_type =
        HeaderValue::from_str(&file.mime_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let headers = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
    ];
    Ok((headers, file.content).into_response())
}

/// `attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
fn content_disposition(file_name: &str) -> String {
    let plain = |c: char| c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\');
    let fallback: String = file_name.chars().map(|c| if plain(c) { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// Cancels an accepted seat; inside the lock period the page says why not.
async fn cancel(citizen: Citizen, Path(seat_id): Path<Uuid>) -> Result<Response> {
    let seat = own_seat(&citizen, seat_id).await?;
    let participant = citizen.require_participant()?.id;
    let actor = Actor::citizen(citizen.name.clone());
    match store::repo::seats::cancel(&citizen.tenant.db, &actor, seat.seat_id, participant, Utc::now()).await {
        Ok(()) => Ok(Redirect::to("/mine-opgaver?afmeldt=1").into_response()),
        Err(store::Error::Conflict { message, .. }) => {
            let lang = citizen.lang;
            let date = seat.date.format("%d-%m-%Y").to_string();
            let why = lang.t_or(&message, "Opgaven kunne ikke afmeldes");
            let what = lang.fill(
                "Du kan ikke længere afmelde dig opgaven som {opgave} den {dato} her. Kontakt kommunen, hvis du er \
                 forhindret.",
                [("opgave", &seat.task_type), ("dato", &date)],
            );
            let problem = format!("{why}. {what}");
            Ok((StatusCode::CONFLICT, render(&citizen, None, Some(problem)).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
