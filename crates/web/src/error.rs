//! The one web error type. It renders a Danish error page (the portal's
//! English one comes from `portal::i18n::translate_errors`) and logs the
//! cause; internals never reach the user.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::portal::i18n::Lang;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("siden findes ikke")]
    NotFound,
    #[error("ukendt værtsnavn")]
    UnknownHost,
    #[error("ikke logget ind")]
    Unauthenticated,
    /// Not signed in to the portal: sent to the portal's sign-in.
    #[error("ikke logget ind i portalen")]
    PortalUnauthenticated,
    /// A sign-in that was refused, with the reason for the person (Danish)
    /// and where they may go next.
    #[error("log ind afvist: {title}")]
    Refused { status: StatusCode, title: &'static str, message: String, back: &'static str },
    #[error("ingen adgang")]
    Forbidden,
    #[error("ugyldig forespørgsel: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::NotFound { .. } => Error::NotFound,
            store::Error::Conflict { message, .. } => Error::BadRequest(message),
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::Internal(anyhow::Error::new(e).context("database"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    back: &'a str,
    lang: Lang,
}

/// An error page's Danish texts, kept on its response so that the portal can
/// render the page again in English (`portal::i18n::translate_errors`).
#[derive(Debug, Clone)]
pub struct ErrorText {
    pub title: &'static str,
    pub message: String,
    pub back: &'static str,
}

/// The error page's HTML for a message that is not an [`Error`].
pub fn simple_page(title: &str, message: &str) -> String {
    page_html(Lang::Da, title, message, "/")
}

/// The error page in `lang` (its texts already in that language).
pub fn page_html(lang: Lang, title: &str, message: &str, back: &str) -> String {
    ErrorPage { title, message, back, lang }.render().unwrap_or_else(|_| title.to_owned())
}

impl Error {
    fn status_and_text(&self) -> (StatusCode, &'static str, String) {
        match self {
            Error::NotFound => {
                (StatusCode::NOT_FOUND, "Siden findes ikke", "Siden, du leder efter, findes ikke.".into())
            }
            Error::UnknownHost => (
                StatusCode::NOT_FOUND,
                "Ukendt adresse",
                "Denne adresse hører ikke til nogen kommune i Valghalla.".into(),
            ),
            Error::Unauthenticated | Error::PortalUnauthenticated => {
                (StatusCode::UNAUTHORIZED, "Log ind", "Du skal logge ind for at se siden.".into())
            }
            Error::Refused { status, title, message, .. } => (*status, *title, message.clone()),
            Error::Forbidden => (StatusCode::FORBIDDEN, "Ingen adgang", "Du har ikke adgang til denne side.".into()),
            Error::BadRequest(msg) => (StatusCode::BAD_REQUEST, "Ugyldig forespørgsel", msg.clone()),
            Error::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Der opstod en fejl",
                "Der opstod en uventet fejl. Prøv igen om lidt. Fejlen er registreret.".into(),
            ),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Unauthenticated = self {
            return axum::response::Redirect::to("/admin/login").into_response();
        }
        if let Error::PortalUnauthenticated = self {
            return axum::response::Redirect::to("/login").into_response();
        }
        if let Error::Internal(cause) = &self {
            // The cause chain is for the operator; it carries no CPR numbers
            // because `CprNumber` masks itself in Debug.
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let (status, title, message) = self.status_and_text();
        let back = match &self {
            Error::Refused { back, .. } => *back,
            _ => "/",
        };
        let html = page_html(Lang::Da, title, &message, back);
        let mut response = (status, Html(html)).into_response();
        response.extensions_mut().insert(ErrorText { title, message, back });
        response
    }
}

/// The router's fallback.
pub async fn not_found() -> Error {
    Error::NotFound
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
