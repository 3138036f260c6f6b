//! The portal's language: Danish by default, English on request. A cookie
//! `lang` set by `/sprog/{da|en}` chooses it; the portal's fixed texts are
//! looked up in a small table keyed by the Danish text, and whatever is not
//! in the table (the municipality's own pages, names) stays as written.
//! Texts with values in them name the values in braces (`{dato}`) and are
//! filled in after the lookup ([`Lang::fill`]). Error pages outside the
//! admin app are rendered again in English by [`translate_errors`].

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::error::{Error, ErrorText};
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

    /// A text that comes from elsewhere (a store refusal): itself in Danish;
    /// in English its translation, or `otherwise`'s when it has none.
    pub fn t_or<'a>(self, da: &'a str, otherwise: &'a str) -> &'a str {
        match (self, english(da)) {
            (Lang::Da, _) => da,
            (Lang::En, Some(en)) => en,
            (Lang::En, None) => self.t(otherwise),
        }
    }

    /// `da` in this language with its `{name}`s replaced by their values.
    pub fn fill<const N: usize>(self, da: &str, values: [(&str, &str); N]) -> String {
        values.iter().fold(self.t(da).to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
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

/// Middleware: an error page of the portal (anything outside `/admin`)
/// rendered again in English when that is the person's language. A message
/// without English (a refusal worded elsewhere) becomes a general one.
pub async fn translate_errors(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let portal = !request.uri().path().starts_with("/admin");
    let response = next.run(request).await;
    if lang == Lang::Da || !portal {
        return response;
    }
    let Some(text) = response.extensions().get::<ErrorText>().cloned() else { return response };
    let (mut parts, _) = response.into_parts();
    let message = lang.t_or(&text.message, "Forespørgslen kunne ikke gennemføres.");
    let html = crate::error::page_html(lang, lang.t(text.title), message, text.back);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, html.into())
}

/// The English of a fixed Danish text, if the table has it.
fn english(da: &str) -> Option<&'static str> {
    static TABLE: LazyLock<HashMap<&str, &str>> = LazyLock::new(|| TEXTS.iter().copied().collect());
    TABLE.get(da).copied()
}

/// Every fixed Danish text of the portal (for tests that look for leftovers).
pub fn danish_texts() -> impl Iterator<Item = &'static str> {
    TEXTS.iter().map(|(da, _)| *da)
}

/// `"Danish" => "English",` pairs as one table, so that a test can list them.
macro_rules! texts {
    ($($da:literal => $en:tt $(,)?)*) => {
        const TEXTS: &[(&str, &str)] = &[$(($da, $en)),*];
    };
}

texts! {
    // Frame.
    "{kommune} · Valg" => "{kommune} · Elections",
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
    "Valg" => "Election",
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
    // Frame and error pages.
    "Gå til indhold" => "Skip to content",
    "Til forsiden" => "To the front page",
    "Tilbage" => "Back",
    "Siden findes ikke" => "Page not found",
    "Siden, du leder efter, findes ikke." => "The page you are looking for does not exist.",
    "Ukendt adresse" => "Unknown address",
    "Denne adresse hører ikke til nogen kommune i Valghalla." => {
        "This address does not belong to any municipality in Valghalla."
    },
    "Log ind" => "Sign in",
    "Du skal logge ind for at se siden." => "You need to sign in to see this page.",
    "Ingen adgang" => "No access",
    "Du har ikke adgang til denne side." => "You do not have access to this page.",
    "Ugyldig forespørgsel" => "Invalid request",
    "Forespørgslen kunne ikke gennemføres." => "The request could not be carried out.",
    "Formularen er for stor" => "The form is too large",
    "Ukendt arbejdssted" => "Unknown work location",
    "Der opstod en fejl" => "Something went wrong",
    "Der opstod en uventet fejl. Prøv igen om lidt. Fejlen er registreret." => {
        "An unexpected error occurred. Please try again in a moment. The error has been recorded."
    },
    // Signing in.
    "Du er logget ud." => "You have signed out.",
    "Log ind er ikke sat op" => "Sign-in is not set up",
    "Log ind med MitID er ikke sat op for denne kommune endnu." => {
        "Signing in with MitID has not been set up for this municipality yet."
    },
    "For lavt sikringsniveau" => "Assurance level too low",
    "Dit MitID-log ind havde for lavt sikringsniveau til at se dine oplysninger her. Log ind med MitID på niveau betydelig eller høj, fx med MitID-appen." => {
        "Your MitID sign-in had too low an assurance level to see your information here. Sign in with MitID at \
         level substantial or high, for example with the MitID app."
    },
    "Log ind mislykkedes" => "Sign-in failed",
    "Svaret fra MitID manglede oplysninger, vi skal bruge. Prøv igen." => {
        "The answer from MitID lacked information we need. Please try again."
    },
    "Log ind blev afbrudt eller afvist hos MitID. Prøv igen." => {
        "Signing in was interrupted or refused at MitID. Please try again."
    },
    "Log ind-forsøget er udløbet eller allerede brugt. Start forfra." => {
        "The sign-in attempt has expired or was already used. Please start again."
    },
    "Svaret fra MitID kunne ikke godkendes. Prøv at logge ind igen." => {
        "The answer from MitID could not be accepted. Try signing in again."
    },
    "Du er ikke tilmeldt" => "You are not signed up",
    "Du er logget ind, men du er ikke tilmeldt som deltager ved valg i kommunen. Du kan tilmelde dig gennem et link fra et parti eller fra kommunen." => {
        "You are signed in, but you are not signed up as a participant at elections in the municipality. You can \
         sign up through a link from a party or from the municipality."
    },
    // The front page until the municipality has written its own.
    "Bliv valgtilforordnet i {kommune}" => "Become an election worker in {kommune}",
    "Hjælp til ved valget: tag imod vælgerne, hjælp ved stemmeafgivningen og tæl stemmerne op. Har du fået en invitation, kan du svare på den via linket i beskeden." => {
        "Help at the election: welcome the voters, help with the voting and count the votes. If you have received \
         an invitation, you can answer it through the link in the message."
    },
    // A task, continued.
    "(+1 dag)" => "(+1 day)",
    "{beløb} kr." => "DKK {beløb}",
    "Hold: {hold}." => "Team: {hold}.",
    "Status" => "Status",
    "Kontakt" => "Contact",
    // Answers, continued.
    "Du er logget ind som en anden end den, invitationen er sendt til. Log ud, og log ind med dit eget MitID, hvis invitationen er til dig." => {
        "You are signed in as someone other than the person the invitation was sent to. Sign out and sign in with \
         your own MitID if the invitation is for you."
    },
    "Invitationen gælder ikke længere. Kontakt kommunen, hvis du stadig gerne vil have en opgave." => {
        "The invitation is no longer valid. Contact the municipality if you would still like a task."
    },
    "Opgaven er slettet eller besat af en anden. Kontakt kommunen, hvis du har spørgsmål." => {
        "The task has been deleted or taken by someone else. Contact the municipality if you have questions."
    },
    "Opgaven kunne ikke gives til dig" => "The task could not be given to you",
    "CPR oplyser, at du er død eller forsvundet" => "The CPR register says that you are deceased or missing",
    "Du er ikke fyldt 18 år på opgavens dato" => "You are not 18 years old on the date of the task",
    "Du bor ikke i kommunen" => "You do not live in the municipality",
    "Du er ikke dansk statsborger" => "You are not a Danish citizen",
    "Du er under værgemål" => "You are under guardianship",
    "{opgave} den {dato} på {sted}" => "{opgave} on {dato} at {sted}",
    "Opgaven er ikke ledig" => "The task is not open",
    "Opgaven er taget af en anden eller kan ikke vælges af dig. Se de ledige opgaver igen." => {
        "The task has been taken by someone else or cannot be chosen by you. Look at the open tasks again."
    },
    // Refusals worded by the store, shown as they come.
    "Pladsen er blevet ændret imens. Indlæs siden igen, og prøv på ny." => {
        "The task changed in the meantime. Reload the page and try again."
    },
    "Invitationen gælder ikke længere" => "The invitation is no longer valid",
    "Pladsen tilhører en anden deltager" => "The task belongs to another participant",
    "Fristen for at afmelde sig opgaven er overskredet" => "The deadline for cancelling the task has passed",
    "Der kan kun svares på en ubesvaret invitation" => "Only an unanswered invitation can be answered",
    "Pladsen har ingen deltager" => "The task has no participant",
    // Cancelling.
    "Opgaven kunne ikke afmeldes" => "The task could not be cancelled",
    "Du kan ikke længere afmelde dig opgaven som {opgave} den {dato} her. Kontakt kommunen, hvis du er forhindret." => {
        "You can no longer cancel the task as {opgave} on {dato} here. Contact the municipality if you cannot come."
    },
    // Mit overblik (the read-only link).
    "Mit overblik" => "My overview",
    "Hej {navn}. Her kan du se dine kommende opgaver ved valg i {kommune}. Siden viser kun dine opgaver; vil du svare på en invitation eller ændre noget, skal du logge ind med MitID." => {
        "Hello {navn}. Here you can see your upcoming tasks at elections in {kommune}. The page only shows your \
         tasks; to answer an invitation or change anything, sign in with MitID."
    },
    "Du har ingen kommende opgaver." => "You have no upcoming tasks.",
    "Valgsekretariatet" => "The election office",
    "tlf. {nummer}" => "phone {nummer}",
    "Linket er udløbet" => "The link has expired",
    "Linket til dit overblik er udløbet. Log ind med MitID for at se dine opgaver, eller brug linket i den nyeste besked fra kommunen." => {
        "The link to your overview has expired. Sign in with MitID to see your tasks, or use the link in the latest \
         message from the municipality."
    },
    "Linket virker ikke" => "The link does not work",
    "Linket til dit overblik er ikke gyldigt. Tjek, at du har kopieret hele linket fra beskeden, eller log ind med MitID for at se dine opgaver." => {
        "The link to your overview is not valid. Check that you copied the whole link from the message, or sign in \
         with MitID to see your tasks."
    },
    // Sign-up.
    "Tilmelding" => "Sign-up",
    "Tilmeld dig {hold}" => "Sign up for {hold}",
    "Du er ikke tilmeldt endnu." => "You are not signed up yet.",
    "Ret fejlene nedenfor." => "Correct the errors below.",
    "Dine oplysninger fra CPR" => "Your information from the CPR register",
    "Navn" => "Name",
    "Adresse" => "Address",
    "Fødselsdato" => "Date of birth",
    "Beskyttet adresse" => "Protected address",
    "Ingen adresse" => "No address",
    "CPR kan ikke nås lige nu. Du bliver tilmeldt foreløbigt, og dine oplysninger kontrolleres automatisk, når CPR svarer igen." => {
        "The CPR register cannot be reached right now. You will be signed up provisionally, and your information \
         will be checked automatically when the CPR register answers again."
    },
    "Kontaktoplysninger" => "Contact details",
    "Mobilnummer" => "Mobile number",
    "E-mail" => "Email",
    "skal udfyldes" => "required",
    "Særlig kost" => "Special diet",
    "Privatlivserklæring" => "Privacy statement",
    "{kommune} behandler dine oplysninger for at kunne bemande valget. Oplysningerne hentes fra CPR og slettes efter reglerne for opbevaring." => {
        "{kommune} processes your information in order to staff the election. The information is fetched from the \
         CPR register and deleted according to the rules for keeping it."
    },
    "Samtykkeerklæring" => "Declaration of consent",
    "Jeg giver samtykke til, at {kommune} gemmer mine oplysninger til og med {dato}, så kommunen kan spørge mig, om jeg vil hjælpe ved kommende valg. Jeg kan til enhver tid trække samtykket tilbage under Min profil." => {
        "I consent to {kommune} keeping my information until and including {dato}, so that the municipality can \
         ask me whether I will help at coming elections. I can withdraw my consent at any time under My profile."
    },
    "Jeg giver mit samtykke (det gælder til og med {dato})" => "I give my consent (valid until and including {dato})",
    "Sæt kryds for at give dit samtykke. Uden samtykke kan du ikke blive tilmeldt." => {
        "Tick the box to give your consent. Without consent you cannot be signed up."
    },
    "Du er allerede tilmeldt som deltager. Tryk på knappen for at komme med på holdet." => {
        "You are already signed up as a participant. Press the button to join the team."
    },
    "Du er tilmeldt" => "You are signed up",
    "Du er nu med på holdet. Du hører fra os, når der er en opgave til dig." => {
        "You are now on the team. You will hear from us when there is a task for you."
    },
    "Opgaverne er besat" => "The tasks are taken",
    "Du er tilmeldt holdet, men der er ingen ledige opgaver af denne slags længere. Se de ledige opgaver under Ledige opgaver." => {
        "You are signed up for the team, but there are no open tasks of this kind any more. See the open tasks \
         under Open tasks."
    },
    "Tilmelding ikke mulig" => "Sign-up not possible",
    "Vi kunne ikke finde dig i CPR. Kontakt kommunen." => {
        "We could not find you in the CPR register. Contact the municipality."
    },
    "Log ind igen" => "Sign in again",
    "Vi kender ikke dit CPR-nummer fra dit log ind. Log ud, og log ind med MitID igen." => {
        "We do not know your CPR number from your sign-in. Sign out and sign in with MitID again."
    },
    "Kommunen har trukket linket tilbage. Spørg den, der gav dig linket, om et nyt." => {
        "The municipality has withdrawn the link. Ask the person who gave you the link for a new one."
    },
    // Field errors (domain::MobileError and domain::EmailError).
    "Mobilnummeret skal udfyldes" => "Enter your mobile number",
    "Mobilnummeret må kun indeholde cifre" => "The mobile number may only contain digits",
    "Et dansk mobilnummer skal være 8 cifre" => "A Danish mobile number has 8 digits",
    "Et udenlandsk nummer skal skrives som + og landekode efterfulgt af nummeret, i alt 8-15 cifre" => {
        "Write a foreign number as + and the country code followed by the number, 8-15 digits in all"
    },
    "E-mailadressen skal udfyldes" => "Enter your email address",
    "E-mailadressen er for lang" => "The email address is too long",
    "E-mailadressen må ikke indeholde mellemrum" => "The email address must not contain spaces",
    "E-mailadressen skal indeholde præcis ét @" => "The email address must contain exactly one @",
    "E-mailadressen mangler noget før @" => "The email address is missing the part before @",
    "E-mailadressen har et ugyldigt domæne efter @" => "The email address has an invalid domain after @",
    // Mine hold.
    "Du er holdansvarlig for dette hold." => "You are responsible for this team.",
    "Du er holdansvarlig for disse hold." => "You are responsible for these teams.",
    "{navn} er fjernet fra holdet. Vedkommendes opgaver på holdet er ledige igen, og vedkommende har fået besked." => {
        "{navn} has been removed from the team. Their tasks in the team are open again, and they have been told."
    },
    "Medlemmer" => "Members",
    "Holdet har ingen medlemmer endnu." => "The team has no members yet.",
    "Mobil" => "Mobile",
    "ikke oplyst" => "not given",
    "Har 1 opgave" => "Has 1 task",
    "Har {antal} opgaver" => "Has {antal} tasks",
    "Har ingen opgave" => "Has no task",
    "Fjern {navn} fra holdet" => "Remove {navn} from the team",
    "Links til at skaffe deltagere" => "Links for finding participants",
    "Holdet har ingen aktive links. Kommunen opretter dem." => {
        "The team has no active links. The municipality creates them."
    },
    "Kopiér et link, og send det til dem, der vil være med." => "Copy a link and send it to those who want to join.",
    "Tilmelding til holdet" => "Sign-up for the team",
    "Tilmelding til en opgave {dato}" => "Sign-up for a task on {dato}",
    "Opgaver" => "Tasks",
    "Holdet har ingen kommende opgaver i aktive valg." => "The team has no upcoming tasks in active elections.",
    "Holdets opgaver pr. dato, arbejdssted og opgave" => "The team's tasks by date, work location and task",
    "Sted og opgave" => "Place and task",
    "Ledige" => "Open",
    "Inviteret" => "Invited",
    "Tilmeldt" => "Accepted",
    "Fjern fra holdet" => "Remove from the team",
    "Fjern {navn} fra {hold}?" => "Remove {navn} from {hold}?",
    "{navn} har 1 kommende opgave på holdet. Opgaven bliver ledig igen, og {navn} får besked om det." => {
        "{navn} has 1 upcoming task in the team. The task becomes open again, and {navn} will be told."
    },
    "{navn} har {antal} kommende opgaver på holdet. Opgaverne bliver ledige igen, og {navn} får besked om det." => {
        "{navn} has {antal} upcoming tasks in the team. The tasks become open again, and {navn} will be told."
    },
    "{navn} har ingen kommende opgaver på holdet." => "{navn} has no upcoming tasks in the team.",
    "{navn} forbliver registreret som deltager og kan stadig være med på andre hold." => {
        "{navn} stays registered as a participant and can still be on other teams."
    },
    "Fortryd" => "Cancel",
    // Mine arbejdssteder.
    "Du er ansvarlig for dette arbejdssted:" => "You are responsible for this work location:",
    "Du er ansvarlig for disse arbejdssteder:" => "You are responsible for these work locations:",
    "Arbejdssted" => "Work location",
    "Vis" => "Show",
    "Bemanding {dato}" => "Staffing on {dato}",
    "1 deltager har en opgave her." => "1 participant has a task here.",
    "{antal} deltagere har en opgave her." => "{antal} participants have a task here.",
    "1 plads er ledig." => "1 place is open.",
    "{antal} pladser er ledige." => "{antal} places are open.",
    "Deltagere på arbejdsstedet denne dag" => "Participants at the work location on this day",
    "Ledig" => "Open",
    "Ubesvaret" => "Unanswered",
    "Udeblevet" => "Did not show up",
    "Arbejdsstedet har ingen opgaver i aktive valg." => "The work location has no tasks in active elections.",
    // Min profil.
    "Oplysninger fra CPR" => "Information from the CPR register",
    "Oplysningerne kommer fra CPR. Er der fejl, skal de rettes hos kommunens folkeregister." => {
        "The information comes from the CPR register. Errors must be corrected at the municipality's civil \
         registration office."
    },
    "Samtykke" => "Consent",
    "Du har givet samtykke til, at kommunen gemmer dine oplysninger til kommende valg, til og med {dato}." => {
        "You have consented to the municipality keeping your information for coming elections, until and \
         including {dato}."
    },
    "Du har ikke givet samtykke til, at kommunen gemmer dine oplysninger til kommende valg." => {
        "You have not consented to the municipality keeping your information for coming elections."
    },
    "Kommunen må gemme mine oplysninger til kommende valg" => {
        "The municipality may keep my information for coming elections"
    },
    "Gem" => "Save",
    "Dine oplysninger er gemt." => "Your information has been saved.",
    "Slet min profil" => "Delete my profile",
    "Dine oplysninger slettes, dine opgaver gives videre, og du bliver logget ud." => {
        "Your information is deleted, your tasks are passed on, and you are signed out."
    },
    "Ja, slet min profil" => "Yes, delete my profile",
    "Sæt kryds ved »Ja, slet min profil« for at slette din profil." => {
        "Tick »Yes, delete my profile« to delete your profile."
    },
    "Du kan ikke slette din profil nu, fordi du har sagt ja til opgaven som {opgave} den {dato}, og fristen for at afmelde dig er overskredet. Kontakt kommunen." => {
        "You cannot delete your profile now, because you have accepted the task as {opgave} on {dato}, and the \
         deadline for cancelling has passed. Contact the municipality."
    },
    "Du har haft en opgave ved et valg, og kommunen skal gemme dine oplysninger til og med {dato}. Derefter kan du slette din profil." => {
        "You have had a task at an election, and the municipality must keep your information until and including \
         {dato}. After that you can delete your profile."
    },
    "Din profil er slettet" => "Your profile has been deleted",
    "Dine oplysninger er slettet, og du er logget ud. Dine opgaver er givet videre." => {
        "Your information has been deleted and you have been signed out. Your tasks have been passed on."
    },
    // Ledige opgaver and task lists: choosing among free seats.
    "Find opgaver" => "Find tasks",
    "Alle" => "All",
    "Vis alle" => "Show all",
    "Et af dine valg findes ikke længere blandt de ledige opgaver. Vælg igen." => {
        "One of your choices is no longer among the open tasks. Choose again."
    },
    "Vælg et hold fra listen." => "Choose a team from the list.",
    "Vælg en dato fra listen." => "Choose a date from the list.",
    "Vælg en opgave fra listen." => "Choose a task from the list.",
    "Vælg et arbejdssted fra listen." => "Choose a work location from the list.",
    "Ingen ledige opgaver passer til dit valg." => "No open tasks match your choice.",
    "1 ledig" => "1 open",
    "{antal} ledige" => "{antal} open",
    // A filtered task-list link.
    "Der er ingen ledige opgaver på denne liste lige nu." => "There are no open tasks on this list right now.",
    "Vælg en opgave, du vil tage." => "Choose a task you want to take.",
    "Du logger ind med MitID, når du har valgt." => "You sign in with MitID once you have chosen.",
    "Vælg opgaven" => "Choose this task",
    "Tilmeld dig opgaven" => "Sign up for the task",
    "Tilbage til listen" => "Back to the list",
    "Linket er trukket tilbage" => "The link has been withdrawn",
    "Kommunen har trukket linket til opgavelisten tilbage. Spørg den, der gav dig linket, om et nyt." => {
        "The municipality has withdrawn the link to the task list. Ask the person who gave you the link for a new \
         one."
    },
    "Linket findes ikke. Tjek, at du har fået hele linket med, eller spørg den, der gav dig det." => {
        "The link does not exist. Check that you have the whole link, or ask the person who gave it to you."
    },
    "Opgaven er taget af en anden eller er ikke længere med på listen. Gå tilbage til listen, og vælg en anden." => {
        "The task has been taken by someone else or is no longer on the list. Go back to the list and choose \
         another."
    },
    // Mine hold: a member who served stays.
    "Kan ikke fjernes fra holdet: har haft en opgave på holdet den {dato}." => {
        "Cannot be removed from the team: had a task in the team on {dato}."
    },
    "{navn} kan ikke fjernes fra {hold}" => "{navn} cannot be removed from {hold}",
    "{navn} har haft en opgave på holdet den {dato}. Den, der har arbejdet for holdet ved et valg, bliver på holdet, så holdets opgaver og deres historik passer. Kontakt kommunen, hvis {navn} alligevel skal fjernes." => {
        "{navn} had a task in the team on {dato}. Whoever has worked for the team at an election stays on the \
         team, so that the team's tasks and their history add up. Contact the municipality if {navn} must be \
         removed all the same."
    },
    "Tilbage til Mine hold" => "Back to My teams",
    // Mine arbejdssteder: seats per task type, ages, sorting.
    "Pladser pr. opgave denne dag" => "Places per task on this day",
    "I alt" => "Total",
    "Alder" => "Age",
    "{alder} år" => "{alder} years",
    // Content pages (FAQ, Kontakt os, privacy) and the footer linking them.
    "Mere information" => "More information",
    "Ofte stillede spørgsmål" => "Frequently asked questions",
    "Kontakt os" => "Contact us",
    "Telefon" => "Phone",
    "Sikker post" => "Secure mail",
    "Skriv sikkert til os med Digital Post" => "Write to us securely with Digital Post",
    "Har du spørgsmål om valget eller om din opgave, så kontakt valgsekretariatet i {kommune}." => {
        "If you have questions about the election or your task, contact the election office in {kommune}."
    },
    "Hvad laver en valgtilforordnet?\nDu hjælper på et valgsted på valgdagen: tager imod vælgerne, hjælper ved stemmeafgivningen og tæller stemmerne op, når valgstedet lukker." => {
        "What does an election worker do?\nYou help at a polling station on election day: you welcome the voters, \
         help with the voting and count the votes when the polling station closes."
    },
    "Hvordan svarer jeg på en invitation?\nBrug linket i beskeden, du har fået, og log ind med MitID. Du kan også se dine opgaver under Mine opgaver." => {
        "How do I answer an invitation?\nUse the link in the message you received and sign in with MitID. You can \
         also see your tasks under My tasks."
    },
    "Kan jeg melde fra?\nDu kan afmelde en opgave under Mine opgaver indtil fristen, der står ved opgaven. Derefter skal du kontakte kommunen." => {
        "Can I cancel?\nYou can cancel a task under My tasks until the deadline shown with the task. After that, \
         contact the municipality."
    },
}

#[cfg(test)]
mod tests;
