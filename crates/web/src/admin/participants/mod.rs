//! Participants ("Deltagere", reference §2.5): list with filters, create
//! from a CPR lookup (provisional when CPR is down), profile with the
//! validation panel, edit, delete and bulk delete. CPR numbers travel in
//! POST bodies only, never in a URL, and are never logged.

mod create;
mod delete;
mod edit;
mod list;
mod profile;

use axum::Router;
use axum::routing::{get, post};
use domain::AdminRole;
use store::entity::participants::Model as Participant;
use store::repo::participants::ValidationState;

use super::AdminUser;
use crate::forms::dk_date;
use crate::state::AppState;

const LIST: &str = "/admin/participants";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/participants", get(list::list))
        .route("/participants/bulk-delete", post(delete::bulk_delete))
        .route("/participants/new", get(create::new_form).post(create::submit))
        .route("/participants/{id}", get(profile::profile))
        .route("/participants/{id}/revalidate", post(profile::revalidate))
        .route("/participants/{id}/comments", post(profile::add_comment))
        .route("/participants/{id}/comments/{comment}/delete", post(profile::delete_comment))
        .route("/participants/{id}/edit", get(edit::edit_form).post(edit::update))
        .route("/participants/{id}/delete", get(delete::confirm).post(delete::delete))
}

/// The CPR data of a participant as a page shows it to `admin`.
pub struct CprView {
    pub name: String,
    pub cpr: String,
    pub birth_date: String,
    pub address: String,
    pub municipality: String,
    pub citizenship: String,
    pub digital_post: &'static str,
    pub flags: Vec<&'static str>,
    pub source: String,
    pub fetched: String,
    pub state: ValidationState,
}

impl CprView {
    pub fn of(admin: &AdminUser, participant: &Participant, cpr: &domain::CprNumber) -> CprView {
        let protected = participant.protected_address && admin.role != AdminRole::Administrator;
        let address = if protected {
            "Beskyttet adresse".to_owned()
        } else {
            [
                &participant.co_address,
                &participant.street_address,
                &format!("{} {}", participant.postal_code, participant.city),
            ]
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
        };
        let mut flags = Vec::new();
        if participant.deceased {
            flags.push("Afgået ved døden");
        }
        if participant.disappeared {
            flags.push("Forsvundet");
        }
        if participant.under_guardianship {
            flags.push("Under værgemål");
        }
        if participant.protected_address {
            flags.push("Navne- og adressebeskyttelse");
        }
        CprView {
            name: store::repo::participants::full_name(participant),
            cpr: admin.show_cpr(cpr),
            birth_date: dk_date(&participant.birth_date),
            address,
            municipality: participant.municipality_code.clone().unwrap_or_else(|| "—".into()),
            citizenship: participant.citizenship.clone().unwrap_or_else(|| "—".into()),
            digital_post: if participant.exempt_digital_post { "Fritaget" } else { "Tilmeldt" },
            flags,
            source: participant.cpr_source.as_deref().map(source_label).unwrap_or("Ikke hentet endnu").to_owned(),
            fetched: participant.cpr_fetched_at.map(|t| datetime(&t)).unwrap_or_else(|| "—".into()),
            state: state_of(participant),
        }
    }
}

pub fn state_of(participant: &Participant) -> ValidationState {
    ValidationState::parse(&participant.validation_state).unwrap_or(ValidationState::Provisional)
}

/// Where CPR data came from, in words staff understand.
pub fn source_label(source: &str) -> &'static str {
    match source {
        "sf1520" => "CPR (Serviceplatformen SF1520)",
        "local_copy" => "Lokal CPR-kopi",
        "datafordeleren" => "Datafordeleren",
        "manual" => "Indtastet (CPR svarede ikke)",
        _ => "Ukendt kilde",
    }
}

/// dd-mm-åååå HH:MM in Danish time.
pub(crate) fn datetime(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Copenhagen).format("%d-%m-%Y %H:%M").to_string()
}
