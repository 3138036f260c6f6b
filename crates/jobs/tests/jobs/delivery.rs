//! Delivery with fallback: exempt and unreachable channels skipped at once,
//! permanent refusals fall through, temporary failures retried until the
//! channel's share of the deadline (the tenant's or the default) and never
//! retried past it, nobody reachable listed, and a repeat after an unknown
//! outcome carrying the same ids.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::delivery::{Channel, Deadlines};
use domain::{CountryCode, CprNumber, MessageKind, MunicipalityCode};
use integrations::messaging::{Outgoing, SendError, Sent, Transport};
use integrations::resilience::CallError;
use jobs::delivery::{Composer, Content, Delivered, Messaging, deliver};
use jobs::{Backoff, Clock, Handlers, Outcome, Worker, run_next_job};
use sea_orm::DatabaseConnection;
use store::crypto::CprVault;
use store::entity::message_log;
use store::repo::messages::{self, Queued};
use store::repo::participants::{self, CprData, NewParticipant, ValidationState};
use uuid::Uuid;

fn queued_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0).unwrap()
}

fn vault() -> CprVault {
    CprVault::new(&[9; 32])
}

/// One scripted answer of a channel.
type Answer = fn() -> Result<Sent, SendError>;

/// A channel that answers from a script and remembers the ids it accepted.
struct Scripted {
    channel: Channel,
    answers: Mutex<Vec<Answer>>,
    accepted: Mutex<Vec<Uuid>>,
}

impl Scripted {
    fn new(channel: Channel, answers: Vec<Answer>) -> Arc<Scripted> {
        Arc::new(Scripted { channel, answers: Mutex::new(answers), accepted: Mutex::default() })
    }
}

fn ok() -> Result<Sent, SendError> {
    Ok(Sent { reference: None })
}
fn down() -> Result<Sent, SendError> {
    Err(SendError::Temporary(CallError::Connect("connection refused".into())))
}
fn refused() -> Result<Sent, SendError> {
    Err(SendError::Permanent("ugyldigt nummer".into()))
}
fn echoes_the_number() -> Result<Sent, SendError> {
    Err(SendError::Permanent("modtager 0101801234 findes ikke".into()))
}
fn exempt() -> Result<Sent, SendError> {
    Err(SendError::Unreachable("fritaget for Digital Post".into()))
}

#[async_trait]
impl Transport for Scripted {
    fn channel(&self) -> Channel {
        self.channel
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let mut answers = self.answers.lock().unwrap();
        let answer = if answers.len() > 1 { answers.remove(0) } else { answers[0] };
        let result = answer();
        if result.is_ok() {
            self.accepted.lock().unwrap().push(message.message_id);
        }
        result
    }
}

/// Digital Post whose receipt (its status text) is stored before it answers
/// the send, as the Beskedfordeler may push it that fast.
struct ReceiptFirst(DatabaseConnection, &'static str);

#[async_trait]
impl Transport for ReceiptFirst {
    fn channel(&self) -> Channel {
        Channel::DigitalPost
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let receipt = store::repo::receipts::Receipt {
            besked_id: "besked-1".into(),
            message_uuid: message.message_id,
            status_text: self.1.into(),
            detail: String::new(),
        };
        store::repo::receipts::apply(&self.0, &receipt, queued_at()).await.expect("receipt stored");
        Ok(Sent { reference: None })
    }
}

struct Fixed;

#[async_trait]
impl Composer for Fixed {
    async fn compose(&self, _: &DatabaseConnection, message: &message_log::Model) -> Result<Content, String> {
        Ok(Content { subject: format!("Besked: {}", message.kind), text: "Hej".into(), ..Content::default() })
    }
}

fn messaging(channels: &[&Arc<Scripted>]) -> Messaging {
    let transports: HashMap<Channel, Arc<dyn Transport>> =
        channels.iter().map(|t| (t.channel, (*t).clone() as Arc<dyn Transport>)).collect();
    Messaging { transports, vault: vault(), composer: Arc::new(Fixed), deadlines: Deadlines::default() }
}

async fn message(db: &DatabaseConnection, kind: MessageKind) -> anyhow::Result<Uuid> {
    let cpr = CprNumber::parse("0101801234").unwrap();
    let data = CprData {
        first_name: "Søs".into(),
        last_name: "Ørnebjerg".into(),
        street_address: "Algade 1".into(),
        co_address: String::new(),
        postal_code: "4000".into(),
        city: "Korsbæk".into(),
        municipality_code: Some(MunicipalityCode::parse("0265").unwrap()),
        citizenship: Some(CountryCode::DENMARK),
        birth_date: cpr.birth_date(),
        deceased: false,
        disappeared: false,
        under_guardianship: false,
        exempt_digital_post: false,
        protected_address: false,
        source: "sf1520".into(),
        fetched_at: queued_at(),
    };
    let new = NewParticipant {
        cpr,
        data,
        contact: Default::default(),
        validation: ValidationState::Valid,
        consent_until: None,
    };
    let person = participants::create(db, &vault(), &store::repo::Actor::system(), new).await?.id;
    let queued = Queued { participant: person, election: None, seat: None, kind };
    Ok(messages::queue(db, queued, "digital_post,email,sms", queued_at()).await?)
}

store::store_tests! {
    async fn unreachable_and_refused_channels_fall_through_at_once(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![exempt]);
        let email = Scripted::new(Channel::Email, vec![refused]);
        let sms = Scripted::new(Channel::Sms, vec![ok]);
        let m = messaging(&[&post, &email, &sms]);
        assert_eq!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.status.as_str(), row.channel.as_deref()), ("sent", Some("sms")));
        assert_eq!(row.channels_tried, "digital_post,email");
        assert_eq!(sms.accepted.lock().unwrap().as_slice(), [row.digital_post_message_id]);
        // Done is done: running again sends nothing.
        assert_eq!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::Done);
        assert_eq!(sms.accepted.lock().unwrap().len(), 1);
    }

    async fn a_channel_not_set_up_is_skipped(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        let email = Scripted::new(Channel::Email, vec![ok]);
        assert_eq!(deliver(&t.db, &messaging(&[&email]), id, queued_at()).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!(row.channel.as_deref(), Some("email"));
        assert!(row.last_error.unwrap().contains("Digital Post er ikke sat op"));
    }

    async fn temporary_failures_retry_until_the_channels_share_then_fall_through(t: TestDb) {
        // A task reminder has 12 hours: 4 per channel.
        let id = message(&t.db, MessageKind::TaskReminder).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![down]);
        let email = Scripted::new(Channel::Email, vec![ok]);
        let m = messaging(&[&post, &email]);
        let early = queued_at() + Duration::hours(1);
        assert!(matches!(deliver(&t.db, &m, id, early).await?, Delivered::RetryLater { .. }));
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
        assert!(email.accepted.lock().unwrap().is_empty(), "no fallback inside the share");
        let late = queued_at() + Duration::hours(4);
        assert_eq!(deliver(&t.db, &m, id, late).await?, Delivered::Done);
        assert_eq!(messages::get(&t.db, id).await?.channel.as_deref(), Some("email"));
    }

    async fn nobody_reachable_is_failed_and_listed(t: TestDb) {
        let id = message(&t.db, MessageKind::RemovedFromTask).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![exempt]);
        let email = Scripted::new(Channel::Email, vec![refused]);
        assert_eq!(deliver(&t.db, &messaging(&[&post, &email]), id, queued_at()).await?, Delivered::Failed);
        let failed = messages::unreachable(&t.db).await?;
        assert_eq!(failed.len(), 1);
        assert!(failed[0].last_error.as_deref().unwrap().contains("SMS er ikke sat op"));
    }

    async fn a_repeat_after_an_unknown_outcome_sends_the_same_ids(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        // The channel took the message but the answer was lost (a timeout).
        let post = Scripted::new(Channel::DigitalPost, vec![down, ok]);
        let m = messaging(&[&post]);
        assert!(matches!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::RetryLater { .. }));
        assert_eq!(deliver(&t.db, &m, id, queued_at() + Duration::minutes(5)).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!(post.accepted.lock().unwrap().as_slice(), [row.digital_post_message_id]);
        let jobs = store::outbox::list(&t.db, store::outbox::JobState::Queued, 10).await?;
        assert_eq!(jobs.iter().filter(|j| j.kind == messages::DELIVER).count(), 1, "one delivery job per message");
    }

    async fn a_cpr_number_in_a_channels_answer_never_reaches_the_message_log(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![echoes_the_number]);
        let email = Scripted::new(Channel::Email, vec![ok]);
        deliver(&t.db, &messaging(&[&post, &email]), id, queued_at()).await?;
        let error = messages::get(&t.db, id).await?.last_error.unwrap();
        assert!(!error.contains("0101801234") && !error.contains("-1234"), "{error}");
        assert!(error.contains("010180-****"), "{error}");
    }

    async fn a_tenants_own_deadline_decides_when_a_channel_is_left(t: TestDb) {
        // Invitations within 90 seconds: 30 per channel.
        let id = message(&t.db, MessageKind::Invitation).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![down]);
        let email = Scripted::new(Channel::Email, vec![ok]);
        let mut m = messaging(&[&post, &email]);
        m.deadlines = Deadlines::default().with(MessageKind::Invitation, std::time::Duration::from_secs(90));
        let inside = queued_at() + Duration::seconds(29);
        match deliver(&t.db, &m, id, inside).await? {
            Delivered::RetryLater { by, .. } => assert_eq!(by, Some(queued_at() + Duration::seconds(30))),
            other => panic!("retried inside the share, not {other:?}"),
        }
        assert_eq!(deliver(&t.db, &m, id, queued_at() + Duration::seconds(30)).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.channel.as_deref(), row.channels_tried.as_str()), (Some("email"), "digital_post"));
        assert_eq!(email.accepted.lock().unwrap().as_slice(), [row.digital_post_message_id]);
    }

    async fn the_backoff_never_carries_a_retry_past_the_channels_share(t: TestDb) {
        // Digital Post down, a backoff of up to an hour, 30 seconds per channel:
        // the retry comes when the share ends and goes to e-mail, well inside the deadline.
        let id = message(&t.db, MessageKind::Invitation).await?;
        let post = Scripted::new(Channel::DigitalPost, vec![down]);
        let email = Scripted::new(Channel::Email, vec![ok]);
        let mut m = messaging(&[&post, &email]);
        m.deadlines = Deadlines::default().with(MessageKind::Invitation, std::time::Duration::from_secs(90));
        let mut handlers = Handlers::new();
        jobs::delivery::register(&mut handlers, m);
        let clock = Clock::manual(queued_at());
        let hour = std::time::Duration::from_secs(3600);
        let worker = Worker::new("delivery").with_clock(clock.clone()).with_backoff(Backoff { base: hour, cap: hour });
        let share_ends = queued_at() + Duration::seconds(30);
        let mut attempts = 0;
        loop {
            attempts += 1;
            match run_next_job(&t.db, &handlers, &worker).await? {
                Some(Outcome::Retrying { at, .. }) => {
                    assert!(at <= share_ends, "retry at {at}, after the share ended at {share_ends}");
                    clock.set(at);
                }
                Some(Outcome::Succeeded { .. }) => break,
                other => panic!("unexpected {other:?}"),
            }
            assert!(attempts < 50, "never left Digital Post");
        }
        assert!(clock.now() <= share_ends);
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.status.as_str(), row.channel.as_deref()), ("sent", Some("email")));
        assert_eq!(email.accepted.lock().unwrap().len(), 1, "sent once");
        assert!(post.accepted.lock().unwrap().is_empty());
    }

    async fn a_receipt_that_comes_before_the_send_is_recorded_keeps_the_letter_delivered(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        let post: Arc<dyn Transport> = Arc::new(ReceiptFirst(t.db.clone(), "Afleveret Digital Post"));
        let mut m = messaging(&[]);
        m.transports.insert(Channel::DigitalPost, post);
        assert_eq!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.status.as_str(), row.channel.as_deref()), ("delivered", Some("digital_post")));
        assert!(row.sent_at.is_some() && row.delivered_at.is_some());
    }

    async fn a_failed_receipt_that_comes_before_the_send_is_recorded_moves_the_message_on(t: TestDb) {
        let id = message(&t.db, MessageKind::Invitation).await?;
        let email = Scripted::new(Channel::Email, vec![ok]);
        let mut m = messaging(&[&email]);
        m.transports.insert(Channel::DigitalPost, Arc::new(ReceiptFirst(t.db.clone(), "Fejlet")));
        assert_eq!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!(row.status, "fell_back", "the letter failed: not left as sent");
        assert_eq!(messages::channels_left(&row), vec!["digital_post".to_owned()]);
        let jobs = store::outbox::list(&t.db, store::outbox::JobState::Queued, 10).await?;
        let next: Vec<_> = jobs.iter().filter(|j| j.kind == messages::DELIVER).collect();
        assert_eq!(next.len(), 2, "the message's own job and one for the next channel: {jobs:?}");
        // The next channel's job.
        assert_eq!(deliver(&t.db, &m, id, queued_at()).await?, Delivered::Done);
        let row = messages::get(&t.db, id).await?;
        assert_eq!((row.status.as_str(), row.channel.as_deref()), ("sent", Some("email")));
        assert_eq!(email.accepted.lock().unwrap().len(), 1, "one e-mail");
    }
}
