//! The portal's content pages, written by the municipality in the admin app
//! ("Websider", [`crate::admin::web_pages`]): the front page, the FAQ,
//! "Kontakt os", the privacy statement and the declaration of consent shown
//! at sign-up. Until a page is written a plain default is shown; the FAQ and
//! the consent can be switched off (reference §2.4), and a switched-off FAQ
//! is not found and not linked from the footer.

use askama::Template;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{Html, Response};
use axum::routing::get;
use chrono::Utc;
use sea_orm::ConnectionTrait;
use store::repo::{contact_information, web_pages};

use super::i18n::Lang;
use super::{MaybeCitizen, PortalChrome};
use crate::error::{Error, Result};
use crate::plain_text::{self, PlainText};
use crate::state::AppState;
use crate::tenant::CurrentTenant;

/// A content page, by its key in `web_pages`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Front,
    Faq,
    Contact,
    Privacy,
    Consent,
}

impl Page {
    pub const ALL: [Page; 5] = [Page::Front, Page::Faq, Page::Contact, Page::Privacy, Page::Consent];

    pub fn key(self) -> &'static str {
        match self {
            Page::Front => "front",
            Page::Faq => "faq",
            Page::Contact => "contact",
            Page::Privacy => "privacy",
            Page::Consent => "consent",
        }
    }

    pub fn from_key(key: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Whether the municipality may switch the page off.
    pub fn may_switch_off(self) -> bool {
        matches!(self, Page::Faq | Page::Consent)
    }

    /// Where the portal shows the page (the consent is part of sign-up).
    pub fn path(self) -> Option<&'static str> {
        match self {
            Page::Front => Some("/"),
            Page::Faq => Some("/faq"),
            Page::Contact => Some("/kontakt-os"),
            Page::Privacy => Some("/privatlivspolitik"),
            Page::Consent => None,
        }
    }
}

/// A page as the portal shows it.
pub struct Shown {
    pub title: String,
    pub text: PlainText,
}

/// The municipality's page, with our default for what they left empty;
/// `None` when they have switched it off.
pub async fn shown(db: &impl ConnectionTrait, page: Page, tenant: &str, lang: Lang) -> Result<Option<Shown>> {
    let row = web_pages::get(db, page.key()).await?;
    let (title, body) = match row {
        Some(p) if !p.active && page.may_switch_off() => return Ok(None),
        Some(p) => (p.title, p.body),
        None => (String::new(), String::new()),
    };
    let title = if title.trim().is_empty() { default_title(page, tenant, lang) } else { title };
    let body = if body.trim().is_empty() { default_body(page, tenant, lang) } else { body };
    Ok(Some(Shown { title, text: PlainText::new(&body) }))
}

fn default_title(page: Page, tenant: &str, lang: Lang) -> String {
    match page {
        Page::Front => lang.fill("Bliv valgtilforordnet i {kommune}", [("kommune", tenant)]),
        Page::Faq => lang.t("Ofte stillede spørgsmål").to_owned(),
        Page::Contact => lang.t("Kontakt os").to_owned(),
        Page::Privacy => lang.t("Privatlivserklæring").to_owned(),
        Page::Consent => lang.t("Samtykkeerklæring").to_owned(),
    }
}

fn default_body(page: Page, tenant: &str, lang: Lang) -> String {
    match page {
        Page::Front => lang
            .t("Hjælp til ved valget: tag imod vælgerne, hjælp ved stemmeafgivningen og tæl stemmerne op. Har du \
                fået en invitation, kan du svare på den via linket i beskeden.")
            .to_owned(),
        Page::Faq => [
            lang.t("Hvad laver en valgtilforordnet?\nDu hjælper på et valgsted på valgdagen: tager imod vælgerne, \
                    hjælper ved stemmeafgivningen og tæller stemmerne op, når valgstedet lukker."),
            lang.t("Hvordan svarer jeg på en invitation?\nBrug linket i beskeden, du har fået, og log ind med MitID. \
                    Du kan også se dine opgaver under Mine opgaver."),
            lang.t("Kan jeg melde fra?\nDu kan afmelde en opgave under Mine opgaver indtil fristen, der står ved \
                    opgaven. Derefter skal du kontakte kommunen."),
        ]
        .join("\n\n"),
        Page::Contact => lang.fill(
            "Har du spørgsmål om valget eller om din opgave, så kontakt valgsekretariatet i {kommune}.",
            [("kommune", tenant)],
        ),
        Page::Privacy => lang.fill(
            "{kommune} behandler dine oplysninger for at kunne bemande valget. Oplysningerne hentes fra CPR og \
             slettes efter reglerne for opbevaring.",
            [("kommune", tenant)],
        ),
        Page::Consent => {
            let until = domain::consent_until(domain::danish_date(Utc::now())).format("%d-%m-%Y").to_string();
            lang.fill(
                "Jeg giver samtykke til, at {kommune} gemmer mine oplysninger til og med {dato}, så kommunen kan \
                 spørge mig, om jeg vil hjælpe ved kommende valg. Jeg kan til enhver tid trække samtykket tilbage \
                 under Min profil.",
                [("kommune", tenant), ("dato", &until)],
            )
        }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/faq", get(faq)).route("/kontakt-os", get(contact)).route("/privatlivspolitik", get(privacy))
}

#[derive(Template)]
#[template(path = "portal/content.html")]
struct ContentPage {
    chrome: PortalChrome,
    title: String,
    text: PlainText,
    /// The election secretariat's address lines and links ("Kontakt os").
    contact: Vec<ContactLine>,
}

/// A line of the secretariat's contact information; `href` when it is a link.
pub struct ContactLine {
    pub label: Option<&'static str>,
    pub text: String,
    pub href: Option<String>,
}

async fn render(tenant: &CurrentTenant, citizen: MaybeCitizen, lang: Lang, page: Page) -> Result<ContentPage> {
    let shown = shown(&tenant.db, page, &tenant.name, lang).await?.ok_or(Error::NotFound)?;
    let chrome = match &citizen.0 {
        Some(c) => PortalChrome::of(c),
        None => PortalChrome::anonymous(&tenant.name).in_lang(lang),
    };
    Ok(ContentPage { chrome, title: shown.title, text: shown.text, contact: Vec::new() })
}

fn html(page: ContentPage) -> Result<Html<String>> {
    Ok(Html(page.render().map_err(anyhow::Error::from)?))
}

async fn faq(tenant: CurrentTenant, citizen: MaybeCitizen, lang: Lang) -> Result<Html<String>> {
    html(render(&tenant, citizen, lang, Page::Faq).await?)
}

async fn privacy(tenant: CurrentTenant, citizen: MaybeCitizen, lang: Lang) -> Result<Html<String>> {
    html(render(&tenant, citizen, lang, Page::Privacy).await?)
}

/// The municipality's text, then the secretariat's contact information as
/// the admin app keeps it (the same lines messages' `!contact` leads to).
async fn contact(tenant: CurrentTenant, citizen: MaybeCitizen, lang: Lang) -> Result<Html<String>> {
    let mut page = render(&tenant, citizen, lang, Page::Contact).await?;
    page.contact = contact_lines(&tenant.db, lang).await?;
    html(page)
}

async fn contact_lines(db: &impl ConnectionTrait, lang: Lang) -> Result<Vec<ContactLine>> {
    let info = contact_information::get(db).await?;
    let place = format!("{} {}", info.postal_code.trim(), info.city.trim());
    let mut lines: Vec<ContactLine> = [info.department.trim(), info.address.trim(), place.trim()]
        .into_iter()
        .filter(|text| !text.is_empty())
        .map(|text| ContactLine { label: None, text: text.to_owned(), href: None })
        .collect();
    let phone = info.phone.trim();
    if !phone.is_empty() {
        let digits: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        let href = Some(format!("tel:{digits}"));
        lines.push(ContactLine { label: Some(lang.t("Telefon")), text: phone.to_owned(), href });
    }
    let email = info.email.trim();
    if !email.is_empty() {
        let href = plain_text::link_for(email);
        lines.push(ContactLine { label: Some(lang.t("E-mail")), text: email.to_owned(), href });
    }
    // Only an https address is linked to as the secure Digital Post form.
    let secure = info.digital_post_url.trim();
    if secure.starts_with("https://")
        && let Some(href) = plain_text::link_for(secure)
    {
        let text = lang.t("Skriv sikkert til os med Digital Post").to_owned();
        lines.push(ContactLine { label: Some(lang.t("Sikker post")), text, href: Some(href) });
    }
    Ok(lines)
}

tokio::task_local! {
    /// Whether this request's pages link to the FAQ (see [`footer`]).
    static FAQ_LINKED: bool;
}

/// Whether the footer of a page rendered now links to the FAQ.
pub fn faq_linked() -> bool {
    FAQ_LINKED.try_with(|linked| *linked).unwrap_or(true)
}

/// Middleware: reads once per portal request whether the FAQ is switched
/// on, so that the footer links to it only then. Every handler builds its
/// page frame without the database; the flag rides along with the request.
pub async fn footer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Some(tenant) = state.tenants.by_host(host) else { return next.run(request).await };
    let linked = match web_pages::get(&tenant.db, Page::Faq.key()).await {
        Ok(row) => row.is_none_or(|p| p.active),
        Err(e) => {
            tracing::warn!(error = %e, "could not read whether the FAQ is on");
            true
        }
    };
    FAQ_LINKED.scope(linked, next.run(request)).await
}
