//! The participant portal, served at `/` on the tenant's portal host: the
//! public front page, MitID sign-in ([`auth`]) and the signed-in person's
//! pages ([`pages`]). Access is decided by the [`auth::Citizen`] extractor
//! and its `require_*` checks, nowhere else.

pub mod auth;
mod calendar;
pub mod content;
pub mod i18n;
pub mod invitation;
pub mod my_tasks;
mod offers;
pub mod open_tasks;
pub mod pages;
pub mod profile;
pub mod read_only;
pub mod responsible;
pub mod signup;
pub mod task_list;
pub mod view;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::tenant::CurrentTenant;
use auth::Citizen;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(front_page))
        .merge(auth::routes())
        .merge(pages::routes())
        .merge(content::routes())
        .merge(responsible::routes())
        .merge(read_only::routes())
        .merge(invitation::routes())
        .merge(my_tasks::routes())
        .merge(signup::routes())
        .merge(open_tasks::routes())
        .merge(task_list::routes())
        .merge(profile::routes())
        .merge(i18n::routes())
        .layer(axum::middleware::from_fn(|request, next| crate::csrf::check(auth::PORTAL_COOKIE, request, next)))
        .layer(axum::middleware::from_fn(crate::admin::same_origin_posts))
        .merge(auth::acs_routes())
}

/// The frame of every portal page.
pub struct PortalChrome {
    pub tenant_name: String,
    /// The signed-in person's name.
    pub user: Option<String>,
    pub csrf: String,
    pub team_responsible: bool,
    pub work_location_responsible: bool,
    pub lang: i18n::Lang,
}

impl PortalChrome {
    pub fn anonymous(tenant_name: &str) -> Self {
        PortalChrome {
            tenant_name: tenant_name.to_owned(),
            user: None,
            csrf: String::new(),
            team_responsible: false,
            work_location_responsible: false,
            lang: i18n::Lang::Da,
        }
    }

    pub fn in_lang(self, lang: i18n::Lang) -> Self {
        PortalChrome { lang, ..self }
    }

    /// A fixed portal text in the page's language.
    pub fn t<'a>(&self, da: &'a str) -> &'a str {
        self.lang.t(da)
    }

    /// A fixed portal text with values, in the page's language.
    pub fn fill<const N: usize>(&self, da: &str, values: &[(&str, &str); N]) -> String {
        self.lang.fill(da, *values)
    }

    pub fn of(citizen: &Citizen) -> Self {
        PortalChrome {
            tenant_name: citizen.tenant.name.clone(),
            user: Some(citizen.name.clone()),
            csrf: citizen.csrf.clone(),
            team_responsible: !citizen.responsibilities.teams.is_empty(),
            work_location_responsible: !citizen.responsibilities.work_locations.is_empty(),
            lang: citizen.lang,
        }
    }
}

/// A signed-in person if there is one (public pages show who is signed in).
pub struct MaybeCitizen(pub Option<Citizen>);

impl FromRequestParts<AppState> for MaybeCitizen {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        match Citizen::from_request_parts(parts, state).await {
            Ok(c) => Ok(MaybeCitizen(Some(c))),
            Err(Error::PortalUnauthenticated) => Ok(MaybeCitizen(None)),
            Err(e) => Err(e),
        }
    }
}

#[derive(Template)]
#[template(path = "portal/front.html")]
struct FrontPage {
    chrome: PortalChrome,
    title: String,
    text: crate::plain_text::PlainText,
    logged_out: bool,
}

#[derive(Deserialize)]
struct FrontQuery {
    #[serde(default, rename = "logget-ud")]
    logged_out: Option<String>,
}

/// The municipality's own front-page text (edited by the secretariat), or a
/// plain default until they have written one.
async fn front_page(
    tenant: CurrentTenant,
    citizen: MaybeCitizen,
    lang: i18n::Lang,
    Query(query): Query<FrontQuery>,
) -> Result<Html<String>> {
    let chrome = match &citizen.0 {
        Some(c) => PortalChrome::of(c),
        None => PortalChrome::anonymous(&tenant.name).in_lang(lang),
    };
    let shown = content::shown(&tenant.db, content::Page::Front, &tenant.name, chrome.lang).await?;
    let shown = shown.ok_or(Error::NotFound)?;
    let page = FrontPage { chrome, title: shown.title, text: shown.text, logged_out: query.logged_out.is_some() };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
