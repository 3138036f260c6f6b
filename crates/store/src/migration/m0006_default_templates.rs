//! One default message template per message kind (issue 6), so that every
//! message can be composed even before staff have written their own. Default
//! templates cannot be deleted; staff may edit their texts.

use chrono::Utc;
use domain::MessageKind;
use domain::master::name_key;
use sea_orm::prelude::Uuid;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The default template of `kind` has a fixed id, recognisable in every tenant.
pub fn default_template_id(kind: MessageKind) -> Uuid {
    let index = MessageKind::ALL.iter().position(|k| *k == kind).unwrap_or_default() as u128;
    Uuid::from_u128(0x5eed_0006_0000_4000_8000_0000_0000_0001 + index)
}

struct Text {
    subject: &'static str,
    body: &'static str,
    sms: &'static str,
}

/// Texts in the template syntax of `domain::template`; the bodies are HTML.
fn text(kind: MessageKind) -> Text {
    match kind {
        MessageKind::Invitation => Text {
            subject: "Invitation til at hjælpe ved !election",
            body: "<p>Kære !name</p><p>Vi vil gerne have dig med som !task_type ved !election \
                   den !task_date kl. !task_start-!task_end på !work_location, !work_location_address.</p>\
                   <p>Svar på invitationen her: !invitation</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Du er inviteret som !task_type ved !election den !task_date kl. !task_start. \
                  Svar her: !invitation Hilsen !municipality",
        },
        MessageKind::InvitationReminder => Text {
            subject: "Husk at svare på invitationen til !election",
            body: "<p>Kære !name</p><p>Vi mangler stadig dit svar på invitationen til at være !task_type \
                   ved !election den !task_date på !work_location.</p><p>Svar her: !invitation</p>\
                   <p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Husk at svare på invitationen til !election den !task_date: !invitation \
                  Hilsen !municipality",
        },
        MessageKind::RegistrationConfirmation => Text {
            subject: "Tak for din tilmelding til !election",
            body: "<p>Kære !name</p><p>Tak, fordi du vil hjælpe. Du er tilmeldt som !task_type den !task_date \
                   kl. !task_start-!task_end på !work_location, !work_location_address.</p>\
                   <p>Se dine opgaver her: !overview</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Tak, !name. Du er tilmeldt som !task_type den !task_date kl. !task_start på !work_location. \
                  Hilsen !municipality",
        },
        MessageKind::CancellationConfirmation => Text {
            subject: "Du er meldt fra !election",
            body: "<p>Kære !name</p><p>Vi har registreret, at du ikke er !task_type den !task_date \
                   på !work_location. Tak for besked.</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Du er meldt fra som !task_type den !task_date. Tak for besked. Hilsen !municipality",
        },
        MessageKind::TaskReminder => Text {
            subject: "Om !days dage er du !task_type ved !election",
            body: "<p>Kære !name</p><p>Husk, at du er !task_type den !task_date kl. !task_start-!task_end \
                   på !work_location, !work_location_address.</p><p>Se dine opgaver her: !overview</p>\
                   <p>Har du spørgsmål, så kontakt os: !contact</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Husk: !task_type den !task_date kl. !task_start på !work_location, \
                  !work_location_address. Hilsen !municipality",
        },
        MessageKind::RetractedInvitation => Text {
            subject: "Invitationen til !election er trukket tilbage",
            body: "<p>Kære !name</p><p>Vi har trukket invitationen til at være !task_type den !task_date \
                   tilbage. Du skal ikke gøre mere.</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Invitationen til !election den !task_date er trukket tilbage. \
                  Hilsen !municipality",
        },
        MessageKind::RemovedFromTask => Text {
            subject: "Du er fjernet fra din opgave ved !election",
            body: "<p>Kære !name</p><p>Du er ikke længere !task_type den !task_date på !work_location.</p>\
                   <p>Har du spørgsmål, så kontakt os: !contact</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Du er fjernet fra din opgave som !task_type den !task_date. Hilsen !municipality",
        },
        MessageKind::RemovedByNewCprData => Text {
            subject: "Du er fjernet fra din opgave ved !election",
            body: "<p>Kære !name</p><p>Nye oplysninger fra CPR betyder, at du ikke længere opfylder \
                   betingelserne for at være !task_type ved !election den !task_date.</p>\
                   <p>Mener du, at det er en fejl, så kontakt os: !contact</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Nye CPR-oplysninger betyder, at du ikke kan være !task_type den !task_date. \
                  Kontakt os: !contact",
        },
        MessageKind::GroupMessage => Text {
            subject: "Besked om !election",
            body: "<p>Kære !name</p><p></p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Hilsen !municipality",
        },
        MessageKind::TaskChanged => Text {
            subject: "Din opgave ved !election er ændret",
            body: "<p>Kære !name</p><p>Din opgave som !task_type er ændret. Du skal nu møde den !task_date \
                   kl. !task_start-!task_end på !work_location, !work_location_address.</p>\
                   <p>Se dine opgaver her: !overview</p><p>Venlig hilsen<br>!municipality</p>",
            sms: "Kære !name. Din opgave er ændret: !task_type den !task_date kl. !task_start på !work_location. \
                  Hilsen !municipality",
        },
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = Utc::now();
        let mut insert = Query::insert();
        insert.into_table("message_templates").columns([
            "id",
            "kind",
            "title",
            "title_key",
            "subject",
            "body",
            "sms_text",
            "is_default",
            "created_at",
            "updated_at",
        ]);
        for kind in MessageKind::ALL {
            let Text { subject, body, sms } = text(kind);
            let title = format!("{} (standard)", kind.label());
            insert.values_panic([
                default_template_id(kind).into(),
                kind.as_str().into(),
                title.clone().into(),
                name_key(&title).into(),
                subject.into(),
                body.into(),
                sms.into(),
                true.into(),
                now.into(),
                now.into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let ids: Vec<Uuid> = MessageKind::ALL.into_iter().map(default_template_id).collect();
        let delete = Query::delete().from_table("message_templates").and_where(Expr::col("id").is_in(ids)).take();
        manager.exec_stmt(delete).await
    }
}

#[cfg(test)]
mod tests {
    use domain::Template;

    use super::*;

    #[test]
    fn every_default_text_parses() {
        for kind in MessageKind::ALL {
            let Text { subject, body, sms } = text(kind);
            for source in [subject, body, sms] {
                assert!(Template::parse(source).is_ok(), "{kind:?}: {source}");
            }
        }
    }

    #[test]
    fn default_sms_texts_fit_one_sms_before_values_are_filled_in() {
        for kind in MessageKind::ALL {
            assert!(text(kind).sms.chars().count() <= 160, "{kind:?}");
        }
    }
}
