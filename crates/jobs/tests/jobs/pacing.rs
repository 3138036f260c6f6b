//! Sending at the SMS gateway's pace: with the simulator limited to N a
//! second, a runner with several tasks delivers a batch by SMS — paced, with
//! (almost) no 429 — and, unpaced, waits out each 429 as its Retry-After says
//! without counting it as a failed attempt. Nothing is lost or sent twice.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::delivery::Channel;
use integrations::messaging::pacing::paced;
use jobs::delivery::Messaging;
use jobs::{Runner, Services, Worker};
use sea_orm::{DatabaseConnection, EntityTrait};
use store::entity::message_log;
use store::repo::messages::status;

use super::drill;

/// The gateway simulator's limit a second, and a batch of two seconds' worth.
const LIMIT: u32 = 20;
const PEOPLE: usize = 40;

/// Every message goes by SMS: the other channels are not set up.
fn sms_only(mut messaging: Messaging, per_second: Option<f64>) -> Messaging {
    let sms = messaging.transports.remove(&Channel::Sms).expect("the drill sets up SMS");
    messaging.transports.clear();
    messaging.transports.insert(Channel::Sms, paced(sms, per_second));
    messaging
}

/// Activates an election of `people` and runs 8 runner tasks until every
/// message is sent (or 60 s pass), the simulator taking `limit` a second.
async fn deliver_all(
    db: &DatabaseConnection,
    (people, limit): (usize, u32),
    per_second: Option<f64>,
) -> anyhow::Result<drill::Sims> {
    let election = drill::election(db, people).await?;
    let sms = simulators::sms::SmsSimConfig { rate_limit_per_second: Some(limit), ..Default::default() };
    let (messaging, sims) = drill::channels(db, sms).await?;
    let messaging = sms_only(messaging, per_second);
    store::repo::elections::activate(db, &store::repo::Actor::system(), election).await?;
    while store::repo::seats::activation::queue_pending(db, election, 200, chrono::Utc::now()).await? > 0 {}
    let handlers = Arc::new(jobs::catalog::handlers_with(&Services { cpr: None, messaging: Some(messaging) }));
    let runner = Runner::new(db.clone(), handlers, Worker::new("pacing"))
        .concurrency(8)
        .poll_interval(Duration::from_millis(20));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(runner.run(stopped));
    let started = Instant::now();
    while !all_sent(db, people).await? && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop.send(true);
    running.await?;
    Ok(sims)
}

async fn all_sent(db: &DatabaseConnection, people: usize) -> anyhow::Result<bool> {
    let rows = message_log::Entity::find().all(db).await?;
    Ok(rows.len() == people && rows.iter().all(|m| m.status == status::SENT))
}

/// One SMS per message and person, each row sent once with its text kept.
async fn none_lost_none_twice(db: &DatabaseConnection, sims: &drill::Sims, people: usize) -> anyhow::Result<()> {
    let sent = sims.sms.messages();
    assert_eq!(sent.len(), people, "every message arrives once");
    let ids: BTreeSet<_> = sent.iter().map(|m| m.messageid.clone()).collect();
    let numbers: BTreeSet<_> = sent.iter().map(|m| m.to.clone()).collect();
    assert_eq!((ids.len(), numbers.len()), (people, people), "no messageid or number twice");
    for row in message_log::Entity::find().all(db).await? {
        assert_eq!(row.status, status::SENT);
        assert_eq!(row.channel.as_deref(), Some("sms"));
        // Waiting for the gateway is no failed attempt: the one send is the only one counted.
        assert_eq!(row.attempts, 1, "a 429 is not counted as an attempt");
        let error = row.last_error.unwrap_or_default();
        assert!(!error.contains("429") && !error.contains("hastighedsgrænse"), "{error}");
        assert!(!row.sms_text.is_empty(), "the words sent are kept");
    }
    let jobs = store::outbox::list(db, jobs::JobState::Succeeded, 1_000).await?;
    assert!(jobs.iter().filter(|j| j.kind == "message.deliver").all(|j| j.attempts == 1), "no attempt burnt");
    Ok(())
}

store::store_tests! {
    async fn paced_sms_meet_the_gateway_limit_with_no_429(t: TestDb) {
        let sims = deliver_all(&t.db, (PEOPLE, LIMIT), Some(f64::from(LIMIT))).await?;
        none_lost_none_twice(&t.db, &sims, PEOPLE).await?;
        // Evenly spaced sends; network jitter may still let one in a few through early.
        assert!(sims.sms.throttled() <= 2, "{} answers were 429", sims.sms.throttled());
    }

    async fn unpaced_sms_wait_out_each_429_without_failing(t: TestDb) {
        // Two a second: the eight tasks' first sends alone meet the limit.
        let sims = deliver_all(&t.db, (12, 2), None).await?;
        assert!(sims.sms.throttled() > 0, "eight tasks unpaced run into the limit");
        none_lost_none_twice(&t.db, &sims, 12).await?;
    }
}
