//! The Digital Post receipt endpoint with hand-written Beskedfordeler
//! documents (reference integrations.md §5): the probe, each status, a
//! redelivery, unreadable documents, unknown messages and the sender check.

use base64::Engine;
use chrono::Utc;
use domain::MessageKind;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use store::entity::message_log;
use store::repo::messages::{self, Queued};
use store::store_tests;
use uuid::Uuid;

use crate::staffing_fixtures::participant;
use crate::support::{Options, TestApp};

/// A `ModtagBeskedInput` as the Beskedfordeler sends it, around a
/// `PKO_PostStatus` document.
fn envelope(besked_id: &str, message: Uuid, status: &str, detail: &str) -> String {
    let status_doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <ns2:PKO_PostStatus xmlns:ns2=\"http://serviceplatformen.dk/xml/print/PKO_PostStatus/1/types\">\
         <ns2:TransmissionId>{}</ns2:TransmissionId><ns2:MessageUUID>{message}</ns2:MessageUUID>\
         <ns2:KanalKode>Digital Post</ns2:KanalKode><ns2:TransaktionsDatoTid>2026-11-02T10:00:00Z</ns2:TransaktionsDatoTid>\
         <ns2:TransaktionsStatusKode>{status}</ns2:TransaktionsStatusKode><ns2:FejlDetaljer>{detail}</ns2:FejlDetaljer>\
         </ns2:PKO_PostStatus>",
        Uuid::new_v4()
    );
    let data = base64::engine::general_purpose::STANDARD.encode(status_doc);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <sts:ModtagBeskedInput xmlns:sts=\"urn:oio:sts:1.0.0\" xmlns:kuvert=\"urn:oio:besked:kuvert:1.0\" \
         xmlns:sagdok=\"urn:oio:sagdok:3.0.0\" xmlns:b64=\"urn:besked:kuvert:1.0\">\
         <kuvert:Haendelsesbesked><BeskedId><sagdok:UUIDIdentifikator>{besked_id}</sagdok:UUIDIdentifikator></BeskedId>\
         <BeskedVersion>1.0</BeskedVersion><Beskedkuvert><Filtreringsdata><Beskedtype><sagdok:UUIDIdentifikator>\
         {}</sagdok:UUIDIdentifikator></Beskedtype></Filtreringsdata></Beskedkuvert>\
         <Beskeddata><b64:Base64 content-type=\"application/xml\" encoding=\"UTF-8\" file-type=\".xml\">{data}</b64:Base64>\
         </Beskeddata></kuvert:Haendelsesbesked></sts:ModtagBeskedInput>",
        Uuid::new_v4()
    )
}

/// A message sent by Digital Post; returns (message id, its messageUUID).
async fn sent_letter(db: &impl ConnectionTrait) -> anyhow::Result<(Uuid, Uuid)> {
    let person = participant(db, "Anna").await?;
    let queued = Queued { participant: person, election: None, seat: None, kind: MessageKind::Invitation };
    let id = messages::queue(db, queued, "digital_post,email,sms", Utc::now()).await?;
    let row = messages::get(db, id).await?;
    let mut active: message_log::ActiveModel = row.clone().into();
    active.status = Set("sent".into());
    active.channel = Set(Some("digital_post".into()));
    active.update(db).await?;
    Ok((id, row.digital_post_message_id))
}

async fn post(app: &TestApp, body: String) -> anyhow::Result<(u16, String)> {
    let response = app
        .anonymous()
        .post(app.url("/digitalpost/receipts"))
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.text().await?))
}

store_tests! {
    async fn receipts_update_the_message_once_and_fejlet_moves_it_on(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let probe = app.anonymous().head(app.url("/digitalpost/receipts")).send().await?;
        assert_eq!(probe.status(), 200);

        let (delivered, uuid) = sent_letter(db).await?;
        let (status, body) = post(&app, envelope("b-1", uuid, "Afleveret Digital Post", "")).await?;
        assert_eq!(status, 200);
        assert!(body.contains("<StatusKode>20</StatusKode>") && body.contains("urn:oio:sts:1.0.0"), "{body}");
        let row = messages::get(db, delivered).await?;
        assert_eq!(row.status, "delivered");
        assert!(row.delivered_at.is_some());

        let (failing, uuid) = sent_letter(db).await?;
        let fejlet = envelope("b-2", uuid, "fejlet", "Modtager ikke tilmeldt – æøå");
        assert_eq!(post(&app, fejlet.clone()).await?.0, 200);
        let row = messages::get(db, failing).await?;
        assert_eq!((row.status.as_str(), row.channels_tried.as_str()), ("fell_back", "digital_post"));
        assert!(row.last_error.as_deref().unwrap().contains("æøå"), "decoded as UTF-8");
        let jobs = store::outbox::list(db, store::outbox::JobState::Queued, 100).await?;
        let deliveries = |jobs: &[store::outbox::Job]| {
            jobs.iter().filter(|j| j.kind == messages::DELIVER && j.payload["message"] == failing.to_string()).count()
        };
        assert_eq!(deliveries(&jobs), 2, "the next channel gets a delivery job of its own");

        // The same BeskedId again: acknowledged, nothing changes.
        assert_eq!(post(&app, fejlet).await?.0, 200);
        let jobs = store::outbox::list(db, store::outbox::JobState::Queued, 100).await?;
        assert_eq!(deliveries(&jobs), 2);
    }

    async fn unreadable_or_unknown_receipts_are_answered_sensibly(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (status, body) = post(&app, "<ModtagBeskedInput><BeskedId>".into()).await?;
        assert_eq!(status, 400);
        assert!(body.contains("<StatusKode>40</StatusKode>"), "{body}");
        let broken = envelope("b-3", Uuid::new_v4(), "Fejlet", "").replace("<b64:Base64", "<b64:Base64>!!!</b64:Base64><x");
        assert_eq!(post(&app, broken).await?.0, 400);
        // A message no tenant knows is acknowledged so that it stops coming.
        let (status, body) = post(&app, envelope("b-4", Uuid::new_v4(), "Fejlet", "")).await?;
        assert_eq!(status, 200);
        assert!(body.contains("<StatusKode>20</StatusKode>"));
    }

    async fn receipts_from_other_senders_are_refused(t: TestDb) {
        let senders = vec!["192.0.2.10".parse()?];
        let app = TestApp::start_with_options(t, Options { receipt_senders: Some(senders), ..Options::default() }).await?;
        let (_, uuid) = sent_letter(app.db()).await?;
        let (status, _) = post(&app, envelope("b-5", uuid, "Afleveret Digital Post", "")).await?;
        assert_eq!(status, 403);
    }
}
