//! How sends are doing and what they said: the activation's messages and the
//! group messages of an election show one live bar (queued, trying the next
//! channel, sent, delivered, failed); the message log and the participant's
//! profile show the words each message went out with.

use chrono::Utc;
use domain::{AdminRole, MessageKind};
use store::repo::group::Words;
use store::repo::messages::{self, Outcome, Queued, SentWords};
use store::store_tests;
use uuid::Uuid;

use crate::staffing_fixtures::{participant, staffed};
use crate::support::{TestApp, page};

fn letter(subject: &str, body: &str) -> Outcome {
    let words = SentWords::Letter { subject: subject.into(), body: body.into() };
    Outcome::Sent { channel: "digital_post".into(), reference: None, words }
}

fn left() -> Outcome {
    Outcome::Left { channel: "digital_post".into(), error: "Digital Post: nede".into() }
}

/// Moves a queued message on as far as `step` says.
async fn advance(db: &sea_orm::DatabaseConnection, id: Uuid, step: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    match step {
        "fell_back" => messages::record(db, id, left(), now).await?,
        "sent" => messages::record(db, id, letter("Emne", "Tekst"), now).await?,
        "delivered" => {
            messages::record(db, id, letter("Emne", "Tekst"), now).await?;
            messages::record(db, id, Outcome::Delivered, now).await?;
        }
        "failed" => messages::record(db, id, Outcome::Failed { error: "ingen kanal".into() }, now).await?,
        _ => {}
    }
    Ok(())
}

fn count(html: &str, label: &str, n: u64) -> bool {
    html.contains(&format!("{label}: <strong>{n}</strong>"))
}

store_tests! {
    async fn activation_and_group_sends_show_one_live_bar(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let election = staffed(db, true).await?.election;
        let mut activation = Vec::new();
        for (name, step) in [("Anna", "queued"), ("Bo", "fell_back"), ("Carl", "sent"), ("Dora", "delivered"), ("Eva", "failed")] {
            let person = participant(db, name).await?;
            let queued = Queued { participant: person, election: Some(election), seat: None, kind: MessageKind::Invitation };
            let id = messages::queue(db, queued, "digital_post,email,sms", Utc::now()).await?;
            advance(db, id, step).await?;
            activation.push(id);
            // Neither another kind nor a group message counts for the activation.
            let reminder = Queued { kind: MessageKind::TaskReminder, ..queued };
            messages::queue(db, reminder, "digital_post", Utc::now()).await?;
            if name == "Anna" || name == "Carl" {
                let words = Words { subject: "Husk".into(), body: "Hej !name".into(), sms_text: "Hej".into() };
                let group = Queued { kind: MessageKind::GroupMessage, ..queued };
                let id = messages::queue_with_words(db, group, "digital_post", &words, Utc::now()).await?;
                advance(db, id, if name == "Carl" { "sent" } else { "queued" }).await?;
            }
        }
        let client = app.sign_in(AdminRole::Reader).await?;
        let overview = format!("/admin/elections/{election}/tasks");
        let html = page(client.get(app.url(&overview)).send().await?, 200).await?;
        assert!(html.contains("class=\"delivery-bar\""), "{html}");
        for label in ["I kø", "Prøver næste kanal", "Sendt", "Leveret", "Kan ikke kontaktes"] {
            assert!(count(&html, label, 1), "{label}: {html}");
        }
        assert!(count(&html, "I alt", 5));
        assert!(html.contains("width=\"20.00\""), "each of five is a fifth of the bar");
        assert!(html.contains("data-live=\"on\"") && html.contains("/static/live.js"), "two still on their way");
        let script = client.get(app.url("/static/live.js")).send().await?;
        assert_eq!(script.status(), 200);
        assert!(script.headers()["content-type"].to_str()?.starts_with("text/javascript"));
        assert!(script.text().await?.contains("data-live"), "the script that refreshes the bar");

        let group = format!("/admin/elections/{election}/group-message");
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let html = page(client.get(app.url(&group)).send().await?, 200).await?;
        assert!(html.contains("class=\"delivery-bar\"") && count(&html, "I alt", 2), "{html}");
        assert!(count(&html, "Sendt", 1) && count(&html, "I kø", 1) && count(&html, "Leveret", 0));
        assert!(html.contains("id=\"group-progress\" data-live=\"on\""));

        for id in &activation[..2] {
            advance(db, *id, "sent").await?;
        }
        let html = page(client.get(app.url(&overview)).send().await?, 200).await?;
        assert!(count(&html, "Sendt", 3) && count(&html, "I kø", 0), "{html}");
        assert!(!html.contains("data-live") && !html.contains("live.js"), "nothing waits: no more refreshing");
    }

    async fn the_words_sent_are_shown_in_the_log_and_on_the_profile(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        // The profile shows the (masked) CPR number: a person with a real one.
        let anna = crate::portal::participant(&app, "0101801234", "Anna", "Jensen").await?;
        let queued = Queued { participant: anna, election: None, seat: None, kind: MessageKind::Invitation };
        let by_post = messages::queue(db, queued, "digital_post,sms", Utc::now()).await?;
        messages::record(db, by_post, letter("Invitation til valget", "Kære Anna\nDu er inviteret."), Utc::now()).await?;
        let by_sms = messages::queue(db, queued, "digital_post,sms", Utc::now()).await?;
        messages::record(db, by_sms, left(), Utc::now()).await?;
        let sms = Outcome::Sent { channel: "sms".into(), reference: None, words: SentWords::Sms("Hej Anna, svar her".into()) };
        messages::record(db, by_sms, sms, Utc::now()).await?;
        let waiting = messages::queue(db, queued, "digital_post", Utc::now()).await?;

        let client = app.sign_in(AdminRole::Reader).await?;
        let html = page(client.get(app.url(&format!("/admin/messages/{by_post}"))).send().await?, 200).await?;
        assert!(html.contains("Det, der blev sendt") && html.contains("Invitation til valget"), "{html}");
        assert!(html.contains("Kære Anna\nDu er inviteret.") && html.contains("Digital Post"), "{html}");
        let html = page(client.get(app.url(&format!("/admin/messages/{by_sms}"))).send().await?, 200).await?;
        assert!(html.contains("Hej Anna, svar her") && html.contains("Digital Post: nede"), "{html}");
        let html = page(client.get(app.url(&format!("/admin/messages/{waiting}"))).send().await?, 200).await?;
        assert!(html.contains("ikke sendt endnu"), "{html}");
        let missing = client.get(app.url(&format!("/admin/messages/{}", Uuid::new_v4()))).send().await?;
        assert_eq!(missing.status(), 404);
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use store::entity::audit_log;
        let viewed = audit_log::Entity::find()
            .filter(audit_log::Column::EntityTable.eq("message_log"))
            .filter(audit_log::Column::Action.eq("view"))
            .count(db)
            .await?;
        assert_eq!(viewed, 3, "each opened message is in the audit log");

        let log = page(client.get(app.url("/admin/messages")).send().await?, 200).await?;
        assert!(log.contains(&format!("href=\"/admin/messages/{by_post}\"")), "{log}");
        let profile = page(client.get(app.url(&format!("/admin/participants/{anna}"))).send().await?, 200).await?;
        assert!(profile.contains("Invitation til valget") && profile.contains("Hej Anna, svar her"), "{profile}");
        assert!(profile.contains(&format!("href=\"/admin/messages/{by_sms}\"")));
    }
}
