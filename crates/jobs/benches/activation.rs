//! `bench/activation`: an election of N invitations (default 5 000) is
//! activated; prints how long queueing takes, then how fast the job runner
//! delivers them through the channel simulators (Digital Post, SMTP, SMS)
//! at concurrency C, beside the SMS simulator's configured rate limit.
//! SQLite, or PostgreSQL when VALGHALLA_TEST_PG_URL is set.

#[allow(dead_code)]
#[path = "../tests/jobs/drill.rs"]
mod drill;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jobs::{Runner, Services, Worker};
use store::testing::TestDb;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let people = setting("ACTIVATION_N", 5_000);
    let concurrency = setting("ACTIVATION_C", 16);
    let sms_rate = setting("ACTIVATION_SMS_RATE", 50) as u32;
    // The SMS channel's pace; 0 sends unpaced (every 429 waited out as asked).
    let sms_pace = setting("ACTIVATION_SMS_PACE", sms_rate as usize);
    let pg = std::env::var(store::testing::PG_URL_VAR).is_ok();
    let test = if pg { TestDb::postgres().await? } else { TestDb::sqlite().await? };
    let db = test.db.clone();
    println!(
        "activation bench: {people} invitations, concurrency {concurrency}, {}",
        if pg { "PostgreSQL" } else { "SQLite" }
    );
    let seeded = Instant::now();
    let election = drill::election(&db, people).await?;
    println!("seeded in {:.1} s", seeded.elapsed().as_secs_f64());

    let sms = simulators::sms::SmsSimConfig { rate_limit_per_second: Some(sms_rate), ..Default::default() };
    let (mut messaging, sims) = drill::channels(&db, sms).await?;
    if let Some(client) = messaging.transports.remove(&domain::delivery::Channel::Sms) {
        let pace = Some(sms_pace as f64).filter(|p| *p > 0.0);
        messaging
            .transports
            .insert(domain::delivery::Channel::Sms, integrations::messaging::pacing::paced(client, pace));
    }
    let queued = Instant::now();
    store::repo::elections::activate(&db, &store::repo::Actor::system(), election).await?;
    while store::repo::seats::activation::queue_pending(&db, election, 200, chrono::Utc::now()).await? > 0 {}
    let queue_time = queued.elapsed();

    let handlers = Arc::new(jobs::catalog::handlers_with(&Services { cpr: None, messaging: Some(messaging) }));
    let worker = Worker::new("bench");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let runner =
        Runner::new(db.clone(), handlers, worker).concurrency(concurrency).poll_interval(Duration::from_millis(20));
    let running = tokio::spawn(runner.run(stopped));
    let delivering = Instant::now();
    loop {
        let sent = sims.post.letters().len() + sims.smtp.messages().len() + sims.sms.messages().len();
        if sent >= people || delivering.elapsed() > Duration::from_secs(1800) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delivery_time = delivering.elapsed();
    let _ = stop.send(true);
    let _ = running.await;
    let (post, mail, sms) = (sims.post.letters().len(), sims.smtp.messages().len(), sims.sms.messages().len());
    let pace = if sms_pace > 0 { format!("paced at {sms_pace}/s") } else { "unpaced".into() };
    println!(
        "time to queue {people} messages: {:.2} s ({:.0}/s)",
        queue_time.as_secs_f64(),
        people as f64 / queue_time.as_secs_f64()
    );
    println!(
        "delivered {} in {:.1} s: {:.0} messages/s (Digital Post {post}, e-mail {mail}, SMS {sms}; SMS simulator limit {sms_rate}/s, {pace}, {} answers 429)",
        post + mail + sms,
        delivery_time.as_secs_f64(),
        (post + mail + sms) as f64 / delivery_time.as_secs_f64(),
        sims.sms.throttled()
    );
    Ok(())
}
