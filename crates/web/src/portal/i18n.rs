//! The portal's language: Danish by default, English on request. A cookie
//! `lang` set by `/sprog/{da|en}` chooses it; the portal's fixed texts are
//! looked up in a small table keyed by the Danish text, and whatever is not
//! in the table (the municipality's own pages, names) stays as written.

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::error::Error;
use crate::state::AppState;

pub const COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        match crate::cookies::get(headers, COOKIE).as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Da,
        }
    }

    /// `da` in this language; Danish when the table has no English for it.
    pub fn t(self, da: &str) -> &str {
        match self {
            Lang::Da => da,
            Lang::En => english(da).unwrap_or(da),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/sprog/{lang}", get(switch))
}

/// Sets the language and goes back to the page the person came from.
async fn switch(Path(lang): Path<String>, headers: HeaderMap) -> Result<Response, Error> {
    let lang = match lang.as_str() {
        "da" => Lang::Da,
        "en" => Lang::En,
        _ => return Err(Error::NotFound),
    };
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()));
    let target = crate::auth::safe_target(back.as_deref(), "/", "/");
    let cookie = format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

/// The English of the portal's fixed Danish texts.
fn english(da: &str) -> Option<&'static str> {
    Some(match da {
        // Frame.
        "Valg" => "Elections",
        "Log ud" => "Sign out",
        "Log ind med MitID" => "Sign in with MitID",
        "Hovedmenu" => "Main menu",
        "Mine opgaver" => "My tasks",
        "Ledige opgaver" => "Open tasks",
        "Min profil" => "My profile",
        "Mine hold" => "My teams",
        "Mine arbejdssteder" => "My work locations",
        "Sprog" => "Language",
        // A task.
        "Opgave" => "Task",
        "Dato" => "Date",
        "Tid" => "Time",
        "Sted" => "Place",
        "Hold" => "Team",
        "Diæter" => "Allowance",
        // Mine opgaver.
        "Du har ingen opgaver lige nu." => "You have no tasks right now.",
        "Inviteret – mangler dit svar" => "Invited – waiting for your answer",
        "Du har sagt ja" => "You have accepted",
        "Mødt" => "Checked in",
        "Ikke mødt" => "Did not show up",
        "Anden status" => "Other status",
        "Materiale" => "Documents",
        "Acceptér" => "Accept",
        "Afvis" => "Decline",
        "Føj til kalender" => "Add to calendar",
        "Afmeld" => "Cancel",
        "Du kan afmelde dig til og med" => "You can cancel until and including",
        "Fristen for at afmelde dig er overskredet. Kontakt kommunen, hvis du er forhindret." => {
            "The deadline for cancelling has passed. Contact the municipality if you cannot come."
        }
        "Du er afmeldt opgaven. Du får en bekræftelse." => {
            "You have cancelled the task. You will get a confirmation."
        }
        // Invitation.
        "Invitation til opgave" => "Invitation to a task",
        "Du er inviteret til en opgave" => "You are invited to a task",
        "Log ind med MitID for at svare på invitationen. Bagefter kommer du tilbage til denne side." => {
            "Sign in with MitID to answer the invitation. You will come back to this page afterwards."
        }
        // Answers (result pages).
        "Til Mine opgaver" => "To My tasks",
        "Tak – du har sagt ja" => "Thank you – you have accepted",
        "Du får en bekræftelse. Opgaven står nu under Mine opgaver." => {
            "You will get a confirmation. The task is now under My tasks."
        }
        "Du har allerede sagt ja" => "You have already accepted",
        "Opgaven står under Mine opgaver." => "The task is under My tasks.",
        "Invitationen er til en anden" => "The invitation is for someone else",
        "Invitationen er trukket tilbage" => "The invitation has been withdrawn",
        "Opgaven findes ikke længere" => "The task no longer exists",
        "Du kan ikke få opgaven" => "You cannot take this task",
        "Du opfylder ikke betingelserne for opgaven ved dette valg:" => {
            "You do not meet the conditions for this task at this election:"
        }
        "Opgaven overlapper en anden opgave" => "The task overlaps another task",
        "Du har allerede en opgave på samme tid:" => "You already have a task at the same time:",
        "Du har sagt nej tak" => "You have declined",
        "Tak for dit svar. Du får en bekræftelse på, at du har afvist opgaven." => {
            "Thank you for your answer. You will get a confirmation that you declined the task."
        }
        // Ledige opgaver.
        "Der er ingen ledige opgaver på dine hold lige nu." => "There are no open tasks in your teams right now.",
        "Opgaver på dine hold, som du selv kan tage." => "Tasks in your teams that you can take yourself.",
        "Tilmeld mig" => "Sign me up",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_danish_for_unknown_texts() {
        assert_eq!(Lang::En.t("Mine opgaver"), "My tasks");
        assert_eq!(Lang::Da.t("Mine opgaver"), "Mine opgaver");
        assert_eq!(Lang::En.t("Korsbæk Skole"), "Korsbæk Skole");
    }
}
