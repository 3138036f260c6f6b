//! The participant portal, served at `/` on the tenant's portal host. For
//! now the public front page; sign-in and the participant pages follow.

use askama::Template;
use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::error::Result;
use crate::state::AppState;
use crate::tenant::CurrentTenant;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(front_page))
}

#[derive(Template)]
#[template(path = "portal/front.html")]
struct FrontPage {
    tenant_name: String,
    title: String,
    body: String,
}

/// The municipality's own front-page text (edited by the secretariat), or a
/// plain default until they have written one.
async fn front_page(tenant: CurrentTenant) -> Result<Html<String>> {
    let page = store::repo::web_pages::get(&tenant.db, "front").await?;
    let (title, body) = match page {
        Some(p) if !p.title.trim().is_empty() => (p.title, p.body),
        _ => (
            format!("Bliv valgtilforordnet i {}", tenant.name),
            "Hjælp til ved valget: tag imod vælgerne, hjælp ved stemmeafgivningen og tæl stemmerne op. \
             Har du fået en invitation, kan du svare på den via linket i beskeden."
                .to_owned(),
        ),
    };
    let page = FrontPage { tenant_name: tenant.name.clone(), title, body };
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}
