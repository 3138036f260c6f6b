//! "Mit overblik": the page behind the read-only link in invitations and
//! confirmations (`store::read_only_link`). It needs no sign-in, so it keeps
//! working while NemLog-in is down: the person's upcoming seats, where and
//! when, and whom to call. No CPR number, no forms, nothing to change.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use store::read_only_link::{self, LinkError};
use store::repo::{contact_information, portal, responsible};
use store::tenants::Tenant;

use super::PortalChrome;
use super::i18n::Lang;
use super::pages::SeatRow;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub fn routes() -> Router<AppState> {
    Router::new().route("/mit-overblik/{token}", get(overview))
}

pub struct OverviewSeat {
    pub row: SeatRow,
    /// The work location's responsibles: name and mobile.
    pub contacts: Vec<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "portal/read_only.html")]
struct OverviewPage {
    chrome: PortalChrome,
    first_name: String,
    seats: Vec<OverviewSeat>,
    /// Whom to call where a work location has no responsible.
    committee: String,
}

/// The page, or a Danish error page, never cached, indexed or leaking the
/// token in a Referer header; the URL is the only key to it.
async fn overview(CurrentTenant(tenant): CurrentTenant, lang: Lang, Path(token): Path<String>) -> Response {
    let mut response = match page(&tenant, lang, &token).await {
        Ok(html) => html.into_response(),
        Err(e) => e.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    response
}

async fn page(tenant: &Tenant, lang: Lang, token: &str) -> Result<Html<String>> {
    let id = read_only_link::verify(tenant, token, Utc::now()).map_err(refused)?;
    let db = &tenant.db;
    let person = match store::repo::participants::get(db, id).await {
        Ok(p) => p,
        // Removed since the link was sent: the link shows nothing any more.
        Err(e) if e.is_not_found() => return Err(refused(LinkError::Invalid)),
        Err(e) => return Err(e.into()),
    };
    let today = domain::danish_date(Utc::now());
    let mut seats = Vec::new();
    for seat in portal::my_seats(db, id).await?.into_iter().filter(|s| s.date >= today) {
        let location = store::repo::seats::get(db, seat.seat_id).await?.work_location_id;
        let contacts = responsible::location_contacts(db, location).await?;
        seats.push(OverviewSeat { row: SeatRow::from(seat), contacts });
    }
    let page = OverviewPage {
        chrome: PortalChrome::anonymous(&tenant.name).in_lang(lang),
        first_name: person.first_name,
        seats,
        committee: committee(db, lang).await?,
    };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

/// The election secretariat's name, phone and e-mail as one line.
async fn committee(db: &impl sea_orm::ConnectionTrait, lang: Lang) -> Result<String> {
    let info = contact_information::get(db).await?;
    let name = if info.department.trim().is_empty() { lang.t("Valgsekretariatet").to_owned() } else { info.department };
    let mut parts = vec![name];
    if !info.phone.trim().is_empty() {
        parts.push(lang.fill("tlf. {nummer}", [("nummer", info.phone.trim())]));
    }
    if !info.email.trim().is_empty() {
        parts.push(info.email.trim().to_owned());
    }
    Ok(parts.join(", "))
}

fn refused(e: LinkError) -> Error {
    let (status, title, message) = match e {
        LinkError::Expired => (
            StatusCode::GONE,
            "Linket er udløbet",
            "Linket til dit overblik er udløbet. Log ind med MitID for at se dine opgaver, eller brug linket i \
             den nyeste besked fra kommunen.",
        ),
        LinkError::Invalid => (
            StatusCode::NOT_FOUND,
            "Linket virker ikke",
            "Linket til dit overblik er ikke gyldigt. Tjek, at du har kopieret hele linket fra beskeden, eller \
             log ind med MitID for at se dine opgaver.",
        ),
    };
    Error::Refused { status, title, message: message.into(), back: "/" }
}
