//! Admin users (secretariat staff). Created on their first FK Adgangsstyring
//! login; a user may bind their MitID (CPR) for the fallback login.

use chrono::{DateTime, Utc};
use domain::{AdminRole, CprNumber, Email};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, begin_write};
use crate::crypto::CprVault;
use crate::entity::users;
use crate::error::{Error, Result, Unique};

const TABLE: &str = "users";
const WHAT: &str = "Brugeren";

const UNIQUES: &[Unique] = &[
    Unique { table: TABLE, column: "fk_uuid", field: "fk_uuid", message: "Brugeren findes allerede" },
    Unique {
        table: TABLE,
        column: "cpr_hash",
        field: "cpr",
        message: "MitID'et er allerede knyttet til en anden bruger",
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub email: Option<Email>,
    /// The FK Adgangsstyring identity, when the user comes from there.
    pub fk_uuid: Option<String>,
    pub role: AdminRole,
}

pub async fn create(db: &impl Conn, actor: &Actor, new: NewUser) -> Result<users::Model> {
    let now = Utc::now();
    let row = users::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(new.name),
        email: Set(new.email.map(String::from)),
        fk_uuid: Set(new.fk_uuid),
        role: Set(new.role.as_str().to_owned()),
        cpr_encrypted: Set(None),
        cpr_hash: Set(None),
        last_fk_roles: Set(String::new()),
        last_fk_login_at: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let tx = begin_write(db).await?;
    let user = row.insert(&tx).await.map_err(Error::db_unique("creating a user", UNIQUES))?;
    let entry = AuditEntry::new(AuditAction::Create, TABLE).entity(user.id).description(format!(
        "Bruger oprettet: {} ({})",
        user.name,
        new.role.label()
    ));
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a new user"))?;
    Ok(user)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<users::Model> {
    users::Entity::find_by_id(id).one(db).await.map_err(Error::db("reading a user"))?.ok_or(Error::not_found(WHAT))
}

pub async fn find_by_fk_uuid(db: &impl ConnectionTrait, fk_uuid: &str) -> Result<Option<users::Model>> {
    users::Entity::find()
        .filter(users::Column::FkUuid.eq(fk_uuid))
        .one(db)
        .await
        .map_err(Error::db("finding a user by FK identity"))
}

/// The user who bound this CPR number (MitID) for the fallback login.
pub async fn find_by_cpr(db: &impl ConnectionTrait, vault: &CprVault, cpr: &CprNumber) -> Result<Option<users::Model>> {
    users::Entity::find()
        .filter(users::Column::CprHash.eq(vault.hash(cpr)))
        .one(db)
        .await
        .map_err(Error::db("finding a user by CPR number"))
}

/// All users, by name.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<users::Model>> {
    users::Entity::find()
        .order_by_asc(users::Column::Name)
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
        .map_err(Error::db("listing users"))
}

/// Remembers the roles FK granted at a login (what the fallback login may
/// grant later) and writes the login to the audit log. The user's `role`
/// becomes the highest of them, so lists of users show what FK grants now.
pub async fn record_fk_login(db: &impl Conn, id: Uuid, roles: &[AdminRole], at: DateTime<Utc>) -> Result<users::Model> {
    let tx = begin_write(db).await?;
    let user = get(&tx, id).await?;
    let actor = Actor::user(user.id, user.name.clone());
    let mut row: users::ActiveModel = user.into();
    if let Some(highest) = roles.iter().min() {
        row.role = Set(highest.as_str().to_owned());
    }
    row.last_fk_roles = Set(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","));
    row.last_fk_login_at = Set(Some(at));
    row.updated_at = Set(Utc::now());
    let user = row.update(&tx).await.map_err(Error::db("recording a login"))?;
    let labels = roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
    let entry = AuditEntry::new(AuditAction::Login, TABLE)
        .entity(user.id)
        .description(format!("Login via FK Adgangsstyring; roller: {labels}"));
    audit::record(&tx, &actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a login"))?;
    Ok(user)
}

/// Binds the user's own MitID (CPR number) for the fallback login.
pub async fn bind_cpr(
    db: &impl Conn,
    vault: &CprVault,
    actor: &Actor,
    id: Uuid,
    cpr: &CprNumber,
) -> Result<users::Model> {
    let tx = begin_write(db).await?;
    let mut row: users::ActiveModel = get(&tx, id).await?.into();
    row.cpr_encrypted = Set(Some(vault.encrypt(cpr)));
    row.cpr_hash = Set(Some(vault.hash(cpr)));
    row.updated_at = Set(Utc::now());
    let user = row.update(&tx).await.map_err(Error::db_unique("binding MitID to a user", UNIQUES))?;
    let entry = AuditEntry::new(AuditAction::PermissionChange, TABLE)
        .entity(user.id)
        .description("MitID knyttet til brugeren (til nødlogin)");
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a MitID binding"))?;
    Ok(user)
}

/// The roles FK granted at the last login, skipping unknown keys.
pub fn last_fk_roles(user: &users::Model) -> Vec<AdminRole> {
    user.last_fk_roles.split(',').filter_map(|key| AdminRole::parse(key).ok()).collect()
}
