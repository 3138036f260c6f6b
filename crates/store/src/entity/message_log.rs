//! `message_log`: One message to one participant and its delivery over the channels.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub election_id: Option<Uuid>,
    pub seat_id: Option<Uuid>,
    pub kind: String,
    pub send_type: String,
    pub channel_order: String,
    pub channels_tried: String,
    pub channel: Option<String>,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub sms_text: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text")]
    pub last_error: Option<String>,
    pub digital_post_message_id: Uuid,
    pub sms_message_id: String,
    pub email_message_id: Option<String>,
    pub queued_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub failed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::participants::Entity",
        from = "Column::ParticipantId",
        to = "super::participants::Column::Id",
        on_delete = "Cascade"
    )]
    Participants,
    #[sea_orm(
        belongs_to = "super::elections::Entity",
        from = "Column::ElectionId",
        to = "super::elections::Column::Id",
        on_delete = "SetNull"
    )]
    Elections,
    #[sea_orm(
        belongs_to = "super::seats::Entity",
        from = "Column::SeatId",
        to = "super::seats::Column::Id",
        on_delete = "SetNull"
    )]
    Seats,
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participants.def()
    }
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Elections.def()
    }
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
