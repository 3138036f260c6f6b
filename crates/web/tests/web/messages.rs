//! The message log in the admin app: filters, "kan ikke kontaktes",
//! sending a failed message again, and each message's times and receipt.

use chrono::Utc;
use domain::{AdminRole, MessageKind};
use store::repo::messages::{self, Outcome, Queued};
use store::store_tests;

use crate::staffing_fixtures::{participant, post_ok};
use crate::support::{TestApp, page};

store_tests! {
    async fn the_log_lists_filters_and_sends_again(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let anna = participant(db, "Anna").await?;
        let queued = Queued { participant: anna, election: None, seat: None, kind: MessageKind::Invitation };
        let failed = messages::queue(db, queued, "digital_post,email", Utc::now()).await?;
        messages::record(db, failed, Outcome::Left { channel: "digital_post".into(), error: "fritaget".into() }, Utc::now()).await?;
        messages::record(db, failed, Outcome::Failed { error: "E-mail: ingen adresse".into() }, Utc::now()).await?;
        let other = Queued { kind: MessageKind::TaskReminder, ..queued };
        messages::queue(db, other, "digital_post", Utc::now()).await?;

        let client = app.sign_in(AdminRole::Secretariat).await?;
        let all = page(client.get(app.url("/admin/messages")).send().await?, 200).await?;
        assert!(all.contains("Beskeder (2)") && all.contains("Anna Jensen"), "{all}");
        let unreachable = page(client.get(app.url("/admin/messages?status=failed")).send().await?, 200).await?;
        assert!(unreachable.contains("Beskeder (1)") && unreachable.contains("E-mail: ingen adresse"));
        assert!(unreachable.contains("Digital Post"), "the channel given up is shown");

        post_ok(&client, &app, &format!("/admin/messages/{failed}/send-again"), &[], "/admin/messages").await?;
        let filter = messages::LogFilter { participant: Some(anna), kind: Some("invitation".into()), ..Default::default() };
        let again = messages::list(db, &filter, store::repo::Page { number: 1, size: 10 }).await?;
        assert_eq!(again.total, 2, "a new message, the failed one kept");
        let fresh = &again.items[0].0;
        assert_eq!(fresh.status, "queued");
        assert_ne!(fresh.digital_post_message_id, messages::get(db, failed).await?.digital_post_message_id);

        let reader = app.sign_in(AdminRole::Reader).await?;
        let html = page(reader.get(app.url("/admin/messages?status=failed")).send().await?, 200).await?;
        assert!(!html.contains("Send igen"));
    }

    async fn a_delivered_letter_shows_when_it_went_and_its_receipt(t: TestDb) {
        use chrono::TimeZone;
        let app = TestApp::start(t).await?;
        let db = app.db();
        let anna = participant(db, "Anna").await?;
        let queued = Queued { participant: anna, election: None, seat: None, kind: MessageKind::Invitation };
        // 10:00 UTC in November is 11:00 in Denmark.
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
        let id = messages::queue(db, queued, "digital_post,email", at).await?;
        let words = messages::SentWords::Letter { subject: "Invitation".into(), body: "Hej".into() };
        messages::record(db, id, Outcome::Sent { channel: "digital_post".into(), reference: None, words }, at).await?;
        let letter = messages::get(db, id).await?.digital_post_message_id;
        for (besked, text, minutes) in [("b1", "Modtaget Digital Post", 1), ("b2", "Afleveret Digital Post", 2)] {
            let receipt = store::repo::receipts::Receipt {
                besked_id: besked.into(),
                message_uuid: letter,
                status_text: text.into(),
                detail: String::new(),
            };
            store::repo::receipts::apply(db, &receipt, at + chrono::Duration::minutes(minutes)).await?;
        }

        let client = app.sign_in(AdminRole::Reader).await?;
        let html = page(client.get(app.url("/admin/messages")).send().await?, 200).await?;
        assert!(html.contains("<td>Leveret 27-11-2026 11:02</td><td>Digital Post</td><td>27-11-2026 11:00</td>"), "{html}");
        assert!(html.contains("<td>Afleveret Digital Post 27-11-2026 11:02</td>"), "the newest receipt: {html}");
        assert!(!html.contains("Modtaget Digital Post"), "{html}");
    }
}
