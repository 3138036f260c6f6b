//! Server-side sessions. The cookie carries a random 256-bit token; the
//! database holds only its SHA-256, so a copy of the database does not let
//! anybody take over a session.
//!
//! Session rows are not audited: logins and logouts are, by the code that
//! performs them, and `last_seen_at` changes on every request.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::Json;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entity::sessions;
use crate::error::{Error, Result};

/// Which app a session belongs to; a session of one never opens the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionApp {
    Admin,
    Portal,
}

impl SessionApp {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionApp::Admin => "admin",
            SessionApp::Portal => "portal",
        }
    }
}

/// The secret cookie value. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    fn generate() -> Self {
        SessionToken(hex::encode(rand::random::<[u8; 32]>()))
    }

    /// Wraps a cookie value; unknown or malformed values simply find nothing.
    pub fn from_cookie(value: &str) -> Self {
        SessionToken(value.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub app: SessionApp,
    pub user_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    /// Absolute lifetime; the idle timeout is checked by [`get_valid`].
    pub lifetime: Duration,
    pub data: Json,
}

pub async fn create(db: &impl ConnectionTrait, new: NewSession) -> Result<(SessionToken, sessions::Model)> {
    let token = SessionToken::generate();
    let now = Utc::now();
    let session = sessions::ActiveModel {
        id_hash: Set(token.hash()),
        user_id: Set(new.user_id),
        participant_id: Set(new.participant_id),
        app: Set(new.app.as_str().to_owned()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + new.lifetime),
        data: Set(new.data),
    }
    .insert(db)
    .await
    .map_err(Error::db("creating a session"))?;
    Ok((token, session))
}

/// How often a session's last-seen time is written.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// The session for `token` in `app` if it has neither expired nor been idle
/// for longer than `idle_timeout`; marks it as seen now (to the minute).
pub async fn get_valid(
    db: &impl ConnectionTrait,
    app: SessionApp,
    token: &SessionToken,
    idle_timeout: Duration,
) -> Result<Option<sessions::Model>> {
    let now = Utc::now();
    let found = sessions::Entity::find_by_id(token.hash())
        .filter(sessions::Column::App.eq(app.as_str()))
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::LastSeenAt.gt(now - idle_timeout))
        .one(db)
        .await
        .map_err(Error::db("reading a session"))?;
    let Some(session) = found else { return Ok(None) };
    // A write per request would make every page view wait for the database's
    // write lock; a minute's precision is plenty for an idle timeout.
    if now - session.last_seen_at < TOUCH_EVERY {
        return Ok(Some(session));
    }
    let mut row: sessions::ActiveModel = session.into();
    row.last_seen_at = Set(now);
    let session = row.update(db).await.map_err(Error::db("touching a session"))?;
    Ok(Some(session))
}

/// Replaces the session's data (e.g. after login, or a CSRF token change).
pub async fn set_data(db: &impl ConnectionTrait, token: &SessionToken, data: Json) -> Result<()> {
    let result = sessions::Entity::update_many()
        .col_expr(sessions::Column::Data, sea_orm::sea_query::Expr::value(data))
        .filter(sessions::Column::IdHash.eq(token.hash()))
        .exec(db)
        .await
        .map_err(Error::db("updating a session"))?;
    if result.rows_affected == 0 {
        return Err(Error::not_found("Sessionen"));
    }
    Ok(())
}

/// Makes the session's person the participant `participant` (after they
/// signed up in the portal while signed in).
pub async fn set_participant(db: &impl ConnectionTrait, token: &SessionToken, participant: Uuid) -> Result<()> {
    let result = sessions::Entity::update_many()
        .col_expr(sessions::Column::ParticipantId, sea_orm::sea_query::Expr::value(Some(participant)))
        .filter(sessions::Column::IdHash.eq(token.hash()))
        .exec(db)
        .await
        .map_err(Error::db("updating a session"))?;
    if result.rows_affected == 0 {
        return Err(Error::not_found("Sessionen"));
    }
    Ok(())
}

/// Issues a new token for the same session (after login, against session
/// fixation); the old token stops working.
pub async fn rotate(db: &impl ConnectionTrait, token: &SessionToken) -> Result<SessionToken> {
    let old = sessions::Entity::find_by_id(token.hash())
        .one(db)
        .await
        .map_err(Error::db("reading a session"))?
        .ok_or(Error::not_found("Sessionen"))?;
    let new_token = SessionToken::generate();
    let mut row: sessions::ActiveModel = old.into();
    row.id_hash = Set(new_token.hash());
    row.last_seen_at = Set(Utc::now());
    // Primary keys cannot be changed through `update`: insert and delete.
    row.insert(db).await.map_err(Error::db("rotating a session"))?;
    delete(db, token).await?;
    Ok(new_token)
}

pub async fn delete(db: &impl ConnectionTrait, token: &SessionToken) -> Result<()> {
    sessions::Entity::delete_by_id(token.hash()).exec(db).await.map_err(Error::db("deleting a session"))?;
    Ok(())
}

/// Ends every session of a user or participant (role change, deletion).
pub async fn delete_all_of(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    participant_id: Option<Uuid>,
) -> Result<u64> {
    let mut who = Condition::any();
    if let Some(user) = user_id {
        who = who.add(sessions::Column::UserId.eq(user));
    }
    if let Some(participant) = participant_id {
        who = who.add(sessions::Column::ParticipantId.eq(participant));
    }
    if who.is_empty() {
        return Ok(0);
    }
    let result = sessions::Entity::delete_many().filter(who).exec(db).await.map_err(Error::db("ending sessions"))?;
    Ok(result.rows_affected)
}

/// Ends every session of `app` whose data has `key` = `value` (single
/// logout started by the IdP names the SAML NameID, not our session id).
/// Sessions are few per tenant, so they are filtered here rather than with
/// backend-specific JSON operators.
pub async fn delete_by_data(db: &impl ConnectionTrait, app: SessionApp, key: &str, value: &str) -> Result<u64> {
    let all = sessions::Entity::find()
        .filter(sessions::Column::App.eq(app.as_str()))
        .all(db)
        .await
        .map_err(Error::db("reading sessions"))?;
    let ids: Vec<String> = all
        .into_iter()
        .filter(|s| s.data.get(key).and_then(|v| v.as_str()) == Some(value))
        .map(|s| s.id_hash)
        .collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::IdHash.is_in(ids))
        .exec(db)
        .await
        .map_err(Error::db("ending sessions"))?;
    Ok(result.rows_affected)
}

/// Removes sessions past their absolute expiry at `now`; returns how many.
/// Sessions idle for too long are refused by [`get_valid`] already and go
/// here once their absolute lifetime is over.
pub async fn delete_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(now))
        .exec(db)
        .await
        .map_err(Error::db("deleting expired sessions"))?;
    Ok(result.rows_affected)
}
