//! Messages in the demo (issue 6, "done when"): an admin activates the
//! election and every waiting message is delivered through the simulators —
//! by Digital Post to the people signed up for it, with the receipt in the
//! message log, and by e-mail or SMS to the exempt. Then the Digital Post
//! simulator goes down and a group message still reaches every invitee by the
//! next channel within the demo's deadline: none lost, none twice.
//!
//! Who should get what comes from the demo's own database (the people and
//! their contact data); what they got comes from the simulators' records.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use store::entity::{message_log, participants};
use uuid::Uuid;

use crate::support::*;

/// The demo's deadline per message (`DEMO_DEADLINE`), a third of it per channel.
const DEADLINE_SECONDS: i64 = 90;
const SHARE_SECONDS: i64 = DEADLINE_SECONDS / 3;

/// A person the demo sends a message to, as its database knows them.
struct Person {
    cpr: String,
    exempt: bool,
    email: Option<String>,
    mobile: Option<String>,
}

impl Person {
    /// The channel the default order (Digital Post → e-mail → SMS) reaches them by.
    fn channel(&self, post_up: bool) -> &'static str {
        if post_up && !self.exempt {
            "Digital Post"
        } else if self.email.is_some() {
            "E-mail"
        } else {
            "SMS"
        }
    }

    /// The channels left on the way there, as the message log names them.
    fn left(&self, post_up: bool) -> &'static str {
        match self.channel(post_up) {
            "Digital Post" => "",
            "E-mail" => "Digital Post",
            _ => "Digital Post, E-mail",
        }
    }
}

/// One row of the message log: (participant id, status, via, sent, receipt, channels left).
struct Row {
    person: Uuid,
    status: String,
    via: String,
    sent: String,
    receipt: String,
    left: String,
}

#[tokio::test]
async fn activation_delivers_every_message_and_digital_post_down_falls_back() {
    if no_browser() {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path());
    let (_driver, client) = start_browser().await;
    let db = store::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("korsbaek.db").display())).await.unwrap();
    let vault = vault(dir.path());
    assert!(records(&demo).await.iter().all(|r| r.is_empty()), "nothing is sent before the activation");

    // 1. Anna signs in and activates the election.
    client.goto(&format!("{}/admin/login", demo.base)).await.unwrap();
    click(&client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    pick(&client, &demo.idp, "admin").await;
    wait_for_url(&client, &format!("{}/admin", demo.base)).await;
    let election = activate(&client, &demo.base).await;
    let (invited, accepted) = seated(&db, election).await;
    assert_eq!((invited.len(), accepted.len()), (30, 3), "the demo's waiting invitations and confirmations");

    // 2. Every waiting message arrives: by Digital Post with its receipt, or by e-mail or SMS.
    let rows = wait_for_log(&client, &format!("{}/admin/messages", demo.base), |rows| {
        rows.len() == invited.len() + accepted.len()
            && rows.iter().all(|r| r.status.starts_with("Leveret") || (r.status == "Sendt" && r.via != "Digital Post"))
    })
    .await;
    axe(&client, "/admin/messages").await;
    let people = people(&db, &vault, rows.iter().map(|r| r.person)).await;
    assert!(invited.iter().any(|p| people[p].exempt) && invited.iter().any(|p| !people[p].exempt));
    assert!(invited.iter().all(|p| rows.iter().any(|r| r.person == *p)), "every invitee has a message");
    for row in &rows {
        let person = &people[&row.person];
        assert_eq!((row.via.as_str(), row.left.as_str()), (person.channel(true), person.left(true)), "{}", row.person);
        assert!(!row.sent.is_empty());
        if row.via == "Digital Post" {
            assert!(row.receipt.starts_with("Afleveret Digital Post"), "the receipt is shown: {}", row.receipt);
        }
    }
    let first = records(&demo).await;
    exactly_once_each(&first, people.values(), true);
    assert_eq!(first.iter().map(Vec::len).sum::<usize>(), rows.len(), "nothing else was sent");

    // 3. Digital Post goes down; a group message to every invitee still arrives, by the next channel.
    sim(&demo.digital_post, "POST", "/__sim/faults", json!({ "kind": "down" })).await;
    let sent_at = send_group_message(&client, &demo.base, election, invited.len()).await;
    let url = format!("{}/admin/messages?kind=group_message", demo.base);
    let rows =
        wait_for_log(&client, &url, |rows| rows.len() == invited.len() && rows.iter().all(|r| r.status == "Sendt"))
            .await;
    let arrived_after = sent_at.elapsed();
    axe(&client, "/admin/messages?kind=group_message").await;
    for row in &rows {
        let person = &people[&row.person];
        assert_eq!(
            (row.via.as_str(), row.left.as_str()),
            (person.channel(false), person.left(false)),
            "{}",
            row.person
        );
    }
    let group: Vec<&Person> = invited.iter().map(|p| &people[p]).collect();
    let second: Vec<Vec<String>> =
        records(&demo).await.iter().zip(&first).map(|(now, before)| minus(now, before)).collect();
    exactly_once_each(&second, group.iter().copied(), false);
    assert_eq!(second.iter().map(Vec::len).sum::<usize>(), invited.len(), "none lost, none twice");
    within_the_deadline(&db, &people).await;

    client.close().await.unwrap();
    println!(
        "messages journey: {} s in all; the group message reached all {} by the next channel {} s after it was sent",
        started.elapsed().as_secs(),
        invited.len(),
        arrived_after.as_secs()
    );
}

/// Clicks through to the demo election, activates it after the confirmation page; returns its id.
async fn activate(client: &Client, base: &str) -> Uuid {
    click(client, Locator::LinkText("Valg")).await;
    wait_for_url(client, &format!("{base}/admin/elections")).await;
    click(client, Locator::XPath("//a[starts-with(normalize-space(.), 'Folketingsvalg')]")).await;
    let url = wait_for_url(client, &format!("{base}/admin/elections/")).await;
    let id: Uuid = url.rsplit('/').next().unwrap().parse().expect("the election's id");
    axe(client, "the election's page").await;
    click(client, Locator::LinkText("Aktivér")).await;
    wait_for_url(client, &format!("{base}/admin/elections/{id}/activate")).await;
    axe(client, "the activation's confirmation page").await;
    click(client, Locator::Css("form[action$='/activate'] button[type='submit']")).await;
    wait_for_text(client, "er aktiveret").await;
    id
}

/// Writes a group message to the unanswered invitations, counts, sends; returns when it was sent.
async fn send_group_message(client: &Client, base: &str, election: Uuid, count: usize) -> Instant {
    client.goto(&format!("{base}/admin/elections/{election}/group-message")).await.unwrap();
    axe(client, "the group message page").await;
    click(client, Locator::Css("select#status option[value='invited']")).await;
    let fill =
        [("#subject", "Husk valget"), ("#body", "Kære !name. Husk at se din opgave."), ("#sms_text", "Husk valget")];
    for (field, text) in fill {
        client.find(Locator::Css(field)).await.unwrap().send_keys(text).await.unwrap();
    }
    click(client, Locator::Css("button[value='count']")).await;
    wait_for_text(client, &format!("Beskeden går til {count} personer")).await;
    click(client, Locator::Css("button[value='send']")).await;
    let sent = Instant::now();
    wait_for_text(client, &format!("Beskeden er sat i kø til {count} personer")).await;
    axe(client, "the group message page while the messages go out").await;
    sent
}

/// Reloads the message log until `done` holds for its rows (within the demo's deadline and some).
async fn wait_for_log(client: &Client, url: &str, done: impl Fn(&[Row]) -> bool) -> Vec<Row> {
    let started = Instant::now();
    loop {
        client.goto(url).await.unwrap();
        let rows = log_rows(client).await;
        if !rows.is_empty() && done(&rows) {
            return rows;
        }
        let seen: Vec<String> = rows.iter().map(|r| format!("{} via {}", r.status, r.via)).collect();
        assert!(started.elapsed() < Duration::from_secs(150), "the message log never got there: {seen:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn log_rows(client: &Client) -> Vec<Row> {
    let script = "return [...document.querySelectorAll('main table tbody tr')].map(r => \
        [r.cells[1].querySelector('a').getAttribute('href')].concat([...r.cells].map(c => c.innerText.trim())));";
    let rows = client.execute(script, vec![]).await.expect("the message log's rows");
    let cell = |row: &Value, i: usize| row[i].as_str().unwrap_or_default().to_owned();
    let rows = rows.as_array().cloned().unwrap_or_default();
    rows.iter()
        .map(|r| Row {
            person: cell(r, 0).rsplit('/').next().unwrap().parse().expect("a participant link"),
            status: cell(r, 4),
            via: cell(r, 5),
            sent: cell(r, 6),
            receipt: cell(r, 7),
            left: cell(r, 8),
        })
        .collect()
}

async fn wait_for_text(client: &Client, wanted: &str) {
    let started = Instant::now();
    while !text(client).await.contains(wanted) {
        assert!(started.elapsed() < Duration::from_secs(15), "no \"{wanted}\" in {}", text(client).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the simulators received: Digital Post letters (recipient CPR), e-mails (recipient), SMS (number).
async fn records(demo: &Demo) -> [Vec<String>; 3] {
    let letters = sim_get(&demo.digital_post, "/__sim/digitalpost/letters").await;
    let mails = sim_get(&demo.smtp, "/__sim/smtp/messages").await;
    let sms = sim_get(&demo.sms, "/__sim/sms/messages").await;
    let list = |value: &Value, pick: &dyn Fn(&Value) -> Vec<String>| {
        value.as_array().expect("a list").iter().flat_map(pick).collect::<Vec<String>>()
    };
    [
        list(&letters, &|l| vec![l["recipient_cpr"].as_str().unwrap().to_owned()]),
        list(&mails, &|m| {
            let to = m["rcpt_to"].as_array().unwrap();
            to.iter().map(|a| a.as_str().unwrap().trim_matches(['<', '>']).to_owned()).collect()
        }),
        list(&sms, &|s| vec![s["to"].as_str().unwrap().to_owned()]),
    ]
}

/// Everything in `now` that was not in `before` (as many times as it is new).
fn minus(now: &[String], before: &[String]) -> Vec<String> {
    let mut left = now.to_vec();
    for old in before {
        if let Some(i) = left.iter().position(|x| x == old) {
            left.remove(i);
        }
    }
    left
}

/// Each person is in exactly one simulator's records, once: the one of their channel.
fn exactly_once_each<'a>(records: &[Vec<String>], people: impl IntoIterator<Item = &'a Person>, post_up: bool) {
    let [letters, mails, sms] = records else { panic!("three simulators") };
    for person in people {
        let count = |list: &[String], key: Option<&str>| key.map_or(0, |k| list.iter().filter(|x| *x == k).count());
        let mobile = person.mobile.as_deref().map(national);
        let sms: Vec<String> = sms.iter().map(|to| national(to)).collect();
        let got =
            (count(letters, Some(&person.cpr)), count(mails, person.email.as_deref()), count(&sms, mobile.as_deref()));
        let want = match person.channel(post_up) {
            "Digital Post" => (1, 0, 0),
            "E-mail" => (0, 1, 0),
            _ => (0, 0, 1),
        };
        let channel = person.channel(post_up);
        assert_eq!(
            got, want,
            "(letters, e-mails, SMS) of a person reached by {channel} ({:?}, {mobile:?}) in {mails:?} {sms:?}",
            person.email
        );
    }
}

/// A Danish number as its 8 national digits ("+45 2786 6499", "4527866499" → "27866499").
fn national(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    digits.strip_prefix("45").filter(|rest| rest.len() == 8).map(str::to_owned).unwrap_or(digits)
}

/// Every group message was sent before its deadline, and those signed up for
/// Digital Post were first given Digital Post's share of it.
async fn within_the_deadline(db: &DatabaseConnection, people: &HashMap<Uuid, Person>) {
    let group =
        message_log::Entity::find().filter(message_log::Column::Kind.eq("group_message")).all(db).await.unwrap();
    for m in group {
        let took = (m.sent_at.expect("sent") - m.queued_at).num_seconds();
        assert!(took < DEADLINE_SECONDS, "sent {took} s after it was queued");
        if !people[&m.participant_id].exempt {
            assert!(took >= SHARE_SECONDS, "Digital Post was left after {took} s, before its share ended");
        }
    }
}

/// The demo's CPR key, beside its database.
fn vault(dir: &Path) -> store::crypto::CprVault {
    let key = hex::decode(std::fs::read_to_string(dir.join("demo-cpr.key")).unwrap().trim()).unwrap();
    store::crypto::CprVault::new(&key.try_into().expect("32 bytes"))
}

async fn people(
    db: &DatabaseConnection,
    vault: &store::crypto::CprVault,
    ids: impl Iterator<Item = Uuid>,
) -> HashMap<Uuid, Person> {
    let mut people = HashMap::new();
    for id in ids {
        let row = participants::Entity::find_by_id(id).one(db).await.unwrap().expect("the participant");
        let cpr = store::repo::participants::cpr_of(vault, &row).unwrap().expose().to_owned();
        let person = Person { cpr, exempt: row.exempt_digital_post, email: row.email, mobile: row.mobile };
        people.insert(id, person);
    }
    people
}

/// The people with an invited seat (the group message's recipients) and with an accepted one.
async fn seated(db: &DatabaseConnection, election: Uuid) -> (Vec<Uuid>, Vec<Uuid>) {
    use store::entity::seats;
    let seats = seats::Entity::find().filter(seats::Column::ElectionId.eq(election)).all(db).await.unwrap();
    let with = |state: &str| seats.iter().filter(|s| s.state == state).filter_map(|s| s.participant_id).collect();
    (with("invited"), with("accepted"))
}
