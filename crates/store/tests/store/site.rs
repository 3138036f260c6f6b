//! Settings, portal pages and contact information.

use domain::{Email, PostalCode};
use store::repo::contact_information::{self, ContactInformation};
use store::repo::settings;
use store::repo::web_pages::{self, WebPage};

use crate::fixtures::{audit_rows, staff};

store::store_tests! {
    async fn settings_are_read_and_replaced(t: TestDb) {
        assert_eq!(settings::get(&t.db, "task_reminder_days").await?, None);
        settings::set(&t.db, &staff(), "task_reminder_days", "5").await?;
        settings::set(&t.db, &staff(), "task_reminder_days", "3").await?;
        settings::set(&t.db, &staff(), "invitation_reminder_days", "4").await?;
        assert_eq!(settings::get(&t.db, "task_reminder_days").await?.as_deref(), Some("3"));
        let keys: Vec<_> = settings::all(&t.db).await?.into_iter().map(|s| s.key).collect();
        assert_eq!(keys, ["invitation_reminder_days", "task_reminder_days"]);
        assert_eq!(audit_rows(&t.db, "settings").await?.len(), 3);
    }

    async fn web_pages_are_created_and_replaced(t: TestDb) {
        assert!(web_pages::get(&t.db, "faq").await?.is_none());
        let page = WebPage { key: "faq".into(), title: "Spørgsmål".into(), body: "<p>Svar</p>".into(), active: false };
        web_pages::set(&t.db, &staff(), page.clone()).await?;
        let saved = web_pages::set(&t.db, &staff(), WebPage { active: true, ..page }).await?;
        assert!(saved.active);
        assert_eq!(saved.title, "Spørgsmål");
        assert_eq!(web_pages::list(&t.db).await?.len(), 1);
        assert_eq!(audit_rows(&t.db, "web_pages").await?.len(), 2);
    }

    async fn contact_information_is_one_row(t: TestDb) {
        let empty = contact_information::get(&t.db).await?;
        assert_eq!(empty.email, "");
        let info = ContactInformation {
            municipality_name: "Korsbæk Kommune".into(),
            postal_code: Some(PostalCode::parse("4000")?),
            email: Some(Email::parse("valg@korsbaek.dk")?),
            ..Default::default()
        };
        contact_information::set(&t.db, &staff(), info).await?;
        let saved = contact_information::get(&t.db).await?;
        assert_eq!(
            (saved.municipality_name.as_str(), saved.postal_code.as_str(), saved.email.as_str()),
            ("Korsbæk Kommune", "4000", "valg@korsbaek.dk")
        );
        assert_eq!(audit_rows(&t.db, "contact_information").await?.len(), 1);
    }
}
