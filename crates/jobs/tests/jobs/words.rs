//! The words sent are kept on the message for the log: the subject and body
//! of a letter (Digital Post, e-mail), the text of an SMS — never a CPR number.

use std::sync::Arc;

use async_trait::async_trait;
use jobs::delivery::{Composer, Content, Messaging};
use jobs::{Services, Worker, run_next_job};
use sea_orm::{DatabaseConnection, EntityTrait};
use store::entity::message_log;

use super::drill;

/// Ten people: person 0 is reached by SMS, person 5 by e-mail, the rest by
/// Digital Post (see `drill::election`).
const PEOPLE: usize = 10;

/// Words that carry a CPR number, as words staff wrote might.
struct WithCprNumber;

#[async_trait]
impl Composer for WithCprNumber {
    async fn compose(&self, _: &DatabaseConnection, _: &message_log::Model) -> Result<Content, String> {
        Ok(Content {
            subject: "Invitation (0101801234)".into(),
            html: "<p>Hej, dit nummer er 010180-1234</p>".into(),
            text: "Hej, dit nummer er 010180-1234".into(),
            sms_text: "Hej 0101801234".into(),
            attachments: Vec::new(),
        })
    }
}

/// Activates an election of [`PEOPLE`] and delivers every message.
async fn deliver_all(db: &DatabaseConnection, composer: Option<Arc<dyn Composer>>) -> anyhow::Result<drill::Sims> {
    let election = drill::election(db, PEOPLE).await?;
    let (mut messaging, sims): (Messaging, _) = drill::channels(db, Default::default()).await?;
    if let Some(composer) = composer {
        messaging.composer = composer;
    }
    let handlers = jobs::catalog::handlers_with(&Services { cpr: None, messaging: Some(messaging) });
    store::repo::elections::activate(db, &store::repo::Actor::system(), election).await?;
    let worker = Worker::new("words");
    while run_next_job(db, &handlers, &worker).await?.is_some() {}
    Ok(sims)
}

async fn rows(db: &DatabaseConnection) -> anyhow::Result<Vec<message_log::Model>> {
    let rows = message_log::Entity::find().all(db).await?;
    assert_eq!(rows.len(), PEOPLE);
    assert!(rows.iter().all(|m| m.status == "sent"), "every message is sent");
    Ok(rows)
}

store::store_tests! {
    async fn the_composed_words_of_the_channel_used_are_kept(t: TestDb) {
        let sims = deliver_all(&t.db, None).await?;
        let letters = sims.post.letters();
        for row in rows(&t.db).await? {
            match row.channel.as_deref() {
                Some("sms") => {
                    let sent = sims.sms.messages();
                    assert_eq!((row.subject.as_str(), row.body.as_str()), ("", ""), "an SMS has no subject");
                    // The simulator trims what it reads.
                    assert_eq!(row.sms_text.trim(), sent[0].text, "the SMS text as the gateway got it");
                }
                Some(_) => {
                    assert!(!row.subject.is_empty() && !row.body.is_empty(), "{row:?}");
                    assert!(!row.body.contains('<'), "the body is kept as text: {}", row.body);
                }
                None => panic!("sent without a channel: {row:?}"),
            }
        }
        let by_post = rows(&t.db).await?.into_iter().filter(|r| r.channel.as_deref() == Some("digital_post")).count();
        assert_eq!(by_post, letters.len());
    }

    async fn no_cpr_number_is_kept_with_the_words(t: TestDb) {
        deliver_all(&t.db, Some(Arc::new(WithCprNumber))).await?;
        for row in rows(&t.db).await? {
            let words = format!("{} {} {}", row.subject, row.body, row.sms_text);
            assert!(!words.contains("0101801234") && !words.contains("010180-1234"), "{words}");
            match row.channel.as_deref() {
                Some("sms") => assert_eq!(row.sms_text, "Hej 010180-****"),
                _ => assert_eq!(row.body, "Hej, dit nummer er 010180-****"),
            }
        }
    }
}
