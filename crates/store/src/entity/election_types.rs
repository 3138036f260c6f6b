//! `election_types`: Election type with its eligibility rules (Alive is implicit and always applied).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub rule_age18: bool,
    pub rule_resident_in_municipality: bool,
    pub rule_danish_citizen: bool,
    pub rule_not_under_guardianship: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::elections::Entity")]
    Elections,
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Elections.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
