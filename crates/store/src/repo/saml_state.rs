//! Server-side SAML state of one tenant: the requests we sent and await an
//! answer to, the assertion IDs already accepted (replay), and the MitID
//! fallback switch for admin sign-in.
//!
//! The SP core (`integrations::saml`) asks for this state through its
//! `PendingRequests` and `ReplayCache` traits; the web layer adapts these
//! functions to them, so that the store does not depend on the SAML crates.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, begin_write};
use crate::entity::{saml_assertions, saml_requests, settings};
use crate::error::{Error, Result};

/// A request awaiting its answer. `app` says which endpoint may consume the
/// answer (e.g. `admin`, `portal`, `admin-logout`), so that an answer meant
/// for one flow is never accepted by another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: String,
    pub app: String,
    /// The signed-in admin who started it, where the flow needs to know.
    pub user_id: Option<Uuid>,
    /// Where to send the browser afterwards (a local path).
    pub relay_target: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Remembers a request we are about to send.
pub async fn add_pending(db: &impl ConnectionTrait, request: &PendingRequest) -> Result<()> {
    let row = saml_requests::ActiveModel {
        id: Set(request.id.clone()),
        app: Set(request.app.clone()),
        user_id: Set(request.user_id),
        relay_target: Set(request.relay_target.clone()),
        created_at: Set(request.created_at),
        expires_at: Set(request.expires_at),
    };
    saml_requests::Entity::insert(row)
        .exec_without_returning(db)
        .await
        .map_err(Error::db("remembering a SAML request"))?;
    Ok(())
}

/// Removes and returns the pending request `id` if it belongs to one of
/// `apps`. Only the caller whose DELETE removed the row gets it, so two
/// responses racing for one request cannot both succeed.
pub async fn take_pending(db: &impl ConnectionTrait, id: &str, apps: &[&str]) -> Result<Option<PendingRequest>> {
    let found = saml_requests::Entity::find_by_id(id.to_owned())
        .filter(saml_requests::Column::App.is_in(apps.iter().copied()))
        .one(db)
        .await
        .map_err(Error::db("reading a SAML request"))?;
    let Some(row) = found else { return Ok(None) };
    let deleted = saml_requests::Entity::delete_many()
        .filter(saml_requests::Column::Id.eq(id))
        .exec(db)
        .await
        .map_err(Error::db("taking a SAML request"))?;
    if deleted.rows_affected != 1 {
        return Ok(None);
    }
    Ok(Some(PendingRequest {
        id: row.id,
        app: row.app,
        user_id: row.user_id,
        relay_target: row.relay_target,
        created_at: row.created_at,
        expires_at: row.expires_at,
    }))
}

/// Records an accepted assertion ID until `keep_until`. `false` if it was
/// recorded before: a replay. The primary key makes this atomic.
pub async fn remember_assertion(db: &impl ConnectionTrait, id: &str, keep_until: DateTime<Utc>) -> Result<bool> {
    let row = saml_assertions::ActiveModel { id: Set(id.to_owned()), keep_until: Set(keep_until) };
    let inserted = saml_assertions::Entity::insert(row)
        .on_conflict(OnConflict::column(saml_assertions::Column::Id).do_nothing().to_owned())
        .exec_without_returning(db)
        .await
        .map_err(Error::db("remembering a SAML assertion"))?;
    Ok(inserted == 1)
}

/// Deletes requests past their expiry and assertion IDs past their keep
/// time (an expired assertion is refused by its own validity window).
pub async fn delete_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let requests = saml_requests::Entity::delete_many()
        .filter(saml_requests::Column::ExpiresAt.lte(now))
        .exec(db)
        .await
        .map_err(Error::db("deleting expired SAML requests"))?;
    let assertions = saml_assertions::Entity::delete_many()
        .filter(saml_assertions::Column::KeepUntil.lte(now))
        .exec(db)
        .await
        .map_err(Error::db("deleting old SAML assertion IDs"))?;
    Ok(requests.rows_affected + assertions.rows_affected)
}

/// The settings key of the fallback switch.
pub const FALLBACK_KEY: &str = "fallback_login";

/// The per-tenant switch for admin sign-in with MitID when FK Adgangsstyring
/// is down. Off unless switched on; `until` ends it by itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FallbackSwitch {
    pub on: bool,
    pub until: Option<DateTime<Utc>>,
}

impl FallbackSwitch {
    /// On, and not past its end.
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.on && self.until.is_none_or(|until| now < until)
    }
}

/// The switch as stored; an absent or unreadable value is off.
pub async fn fallback_login(db: &impl ConnectionTrait) -> Result<FallbackSwitch> {
    let row = settings::Entity::find_by_id(FALLBACK_KEY.to_owned())
        .one(db)
        .await
        .map_err(Error::db("reading the fallback switch"))?;
    Ok(row.and_then(|r| serde_json::from_str(&r.value).ok()).unwrap_or_default())
}

/// Turns the switch on or off, audited as a permission change (it decides
/// whether MitID gives admin access).
pub async fn set_fallback_login(db: &impl Conn, actor: &Actor, switch: FallbackSwitch) -> Result<()> {
    let value = serde_json::json!({ "on": switch.on, "until": switch.until }).to_string();
    let row =
        settings::ActiveModel { key: Set(FALLBACK_KEY.to_owned()), value: Set(value), updated_at: Set(Utc::now()) };
    let upsert = OnConflict::column(settings::Column::Key)
        .update_columns([settings::Column::Value, settings::Column::UpdatedAt])
        .to_owned();
    let tx = begin_write(db).await?;
    settings::Entity::insert(row)
        .on_conflict(upsert)
        .exec_without_returning(&tx)
        .await
        .map_err(Error::db("saving the fallback switch"))?;
    let description = match (switch.on, switch.until) {
        (false, _) => "Nødlogin med MitID slået fra".to_owned(),
        (true, None) => "Nødlogin med MitID slået til".to_owned(),
        (true, Some(until)) => format!("Nødlogin med MitID slået til indtil {}", until.to_rfc3339()),
    };
    let entry =
        AuditEntry::new(AuditAction::PermissionChange, "settings").entity(FALLBACK_KEY).description(description);
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing the fallback switch"))
}
