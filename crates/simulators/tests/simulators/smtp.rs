//! The SMTP sink driven by hand over TCP (RFC 5321 commands written out here): the
//! conversation, dot-unstuffing, recording, AUTH, and every stage fault.

use std::time::Duration;

use simulators::control::FaultSpec;
use simulators::smtp::{SmtpSecurity, SmtpSimConfig, SmtpSimHandle, SmtpSimulator};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::support::client;

struct Conversation {
    read: BufReader<OwnedReadHalf>,
    write: OwnedWriteHalf,
}

impl Conversation {
    async fn open(sim: &SmtpSimHandle) -> Conversation {
        let (read, write) = TcpStream::connect(sim.smtp_addr).await.unwrap().into_split();
        Conversation { read: BufReader::new(read), write }
    }

    /// The full reply (all lines of a multi-line reply); empty when the server closed.
    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(Duration::from_secs(2), self.read.read_line(&mut line)).await;
            match read.expect("the server answers in time").unwrap() {
                0 => return all,
                _ => all.push_str(&line),
            }
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    }

    async fn say(&mut self, line: &str) -> String {
        self.write.write_all(format!("{line}\r\n").as_bytes()).await.unwrap();
        self.reply().await
    }
}

const MESSAGE: &str = "From: Valghalla <valg@korsbaek.dk>\r\nTo: jens@example.dk\r\nSubject: Invitation\r\n\
                       Message-ID: <6f1c2a3e@korsbaek.dk>\r\n\r\nHej Jens\r\n..punktum foran\r\n";

async fn start(config: SmtpSimConfig) -> SmtpSimHandle {
    SmtpSimulator::start(config).await.unwrap()
}

/// Greeting, EHLO, MAIL and RCPT for one recipient; returns the RCPT reply.
async fn up_to_rcpt(c: &mut Conversation, to: &str) -> String {
    assert!(c.reply().await.starts_with("220 "));
    assert!(c.say("EHLO klient.example").await.starts_with("250-localhost"));
    assert!(c.say("MAIL FROM:<valg@korsbaek.dk>").await.starts_with("250 "));
    c.say(&format!("RCPT TO:<{to}>")).await
}

#[tokio::test]
async fn a_message_is_accepted_unstuffed_and_recorded() {
    let sim = start(SmtpSimConfig::default()).await;
    let mut c = Conversation::open(&sim).await;
    assert!(up_to_rcpt(&mut c, "jens@example.dk").await.starts_with("250 "));
    assert!(c.say("DATA").await.starts_with("354 "));
    assert!(c.say(&format!("{MESSAGE}.")).await.starts_with("250 "));
    assert!(c.say("QUIT").await.starts_with("221 "));
    let messages = sim.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].mail_from, "valg@korsbaek.dk");
    assert_eq!(messages[0].rcpt_to, ["jens@example.dk"]);
    assert_eq!(messages[0].message_id.as_deref(), Some("6f1c2a3e@korsbaek.dk"));
    assert!(messages[0].data.contains("\r\n.punktum foran\r\n"), "{}", messages[0].data);
    let requests: serde_json::Value =
        client().get(format!("{}/__sim/requests", sim.control_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(requests[0]["method"], "DATA");
    assert_eq!(requests[0]["headers"]["rcpt-to"], "jens@example.dk");
    assert_eq!(requests[0]["detail"]["message_id"], "6f1c2a3e@korsbaek.dk");
    client().post(format!("{}/__sim/reset", sim.control_url)).send().await.unwrap();
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn order_and_rset_are_enforced() {
    let sim = start(SmtpSimConfig::default()).await;
    let mut c = Conversation::open(&sim).await;
    c.reply().await;
    assert!(c.say("HELO klient").await.starts_with("250 "));
    assert!(c.say("RCPT TO:<a@b.dk>").await.starts_with("503 "));
    assert!(c.say("MAIL FROM:<valg@korsbaek.dk>").await.starts_with("250 "));
    assert!(c.say("DATA").await.starts_with("503 "));
    assert!(c.say("RCPT TO:<a@b.dk>").await.starts_with("250 "));
    assert!(c.say("RSET").await.starts_with("250 "));
    assert!(c.say("DATA").await.starts_with("503 "));
    assert!(c.say("NOOP").await.starts_with("250 "));
    assert!(c.say("VRFY x").await.starts_with("502 "));
}

#[tokio::test]
async fn auth_is_required_when_configured() {
    let credentials = Some(("valghalla".to_owned(), "smtp-hemmelighed".to_owned()));
    let sim = start(SmtpSimConfig { credentials, ..SmtpSimConfig::default() }).await;
    let mut c = Conversation::open(&sim).await;
    c.reply().await;
    assert!(c.say("EHLO klient").await.contains("250 AUTH PLAIN LOGIN"));
    assert!(c.say("MAIL FROM:<valg@korsbaek.dk>").await.starts_with("530 "));
    // base64("\0valghalla\0forkert")
    assert!(c.say("AUTH PLAIN AHZhbGdoYWxsYQBmb3JrZXJ0").await.starts_with("535 "));
    // AUTH LOGIN: base64("valghalla"), base64("smtp-hemmelighed")
    assert!(c.say("AUTH LOGIN").await.starts_with("334 "));
    assert!(c.say("dmFsZ2hhbGxh").await.starts_with("334 "));
    assert!(c.say("c210cC1oZW1tZWxpZ2hlZA==").await.starts_with("235 "));
    assert!(c.say("MAIL FROM:<valg@korsbaek.dk>").await.starts_with("250 "));
}

#[tokio::test]
async fn starttls_is_offered_and_required_before_mail() {
    let sim = start(SmtpSimConfig { security: SmtpSecurity::StartTls, ..SmtpSimConfig::default() }).await;
    let mut c = Conversation::open(&sim).await;
    c.reply().await;
    assert!(c.say("EHLO klient").await.contains("250 STARTTLS"));
    assert!(c.say("MAIL FROM:<valg@korsbaek.dk>").await.starts_with("530 "));
    assert!(c.say("STARTTLS").await.starts_with("220 "));
}

#[tokio::test]
async fn stage_replies_are_injected_by_path_and_key() {
    let sim = start(SmtpSimConfig::default()).await;
    let faults = &sim.control.faults;
    let reply = |code: u64| serde_json::json!({ "code": code, "text": "Simuleret" });
    faults.add(FaultSpec::new("reply").path("/smtp/rcpt").key("ukendt@example.dk").params(reply(550)));
    faults.add(FaultSpec::new("reply").path("/smtp/message").params(reply(451)).once());
    let mut c = Conversation::open(&sim).await;
    assert_eq!(up_to_rcpt(&mut c, "ukendt@example.dk").await, "550 Simuleret\r\n");
    assert!(c.say("RCPT TO:<jens@example.dk>").await.starts_with("250 "));
    c.say("DATA").await;
    assert_eq!(c.say(&format!("{MESSAGE}.")).await, "451 Simuleret\r\n");
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn a_drop_after_data_keeps_the_message_but_loses_the_answer() {
    let sim = start(SmtpSimConfig::default()).await;
    sim.control.faults.add(FaultSpec::new("drop").path("/smtp/message").once());
    let mut c = Conversation::open(&sim).await;
    up_to_rcpt(&mut c, "jens@example.dk").await;
    c.say("DATA").await;
    assert_eq!(c.say(&format!("{MESSAGE}.")).await, "");
    assert_eq!(sim.messages().len(), 1);
}

#[tokio::test]
async fn down_greets_with_421_and_a_stall_never_answers() {
    let sim = start(SmtpSimConfig::default()).await;
    sim.control.faults.add(FaultSpec::new("down").path("/smtp/connect").once());
    let mut c = Conversation::open(&sim).await;
    assert!(c.reply().await.starts_with("421 "));
    assert_eq!(c.reply().await, "");
    sim.control.faults.add(FaultSpec::new("stall").path("/smtp/ehlo").once());
    let mut c = Conversation::open(&sim).await;
    c.reply().await;
    c.write.write_all(b"EHLO klient\r\n").await.unwrap();
    let mut line = String::new();
    assert!(tokio::time::timeout(Duration::from_millis(300), c.read.read_line(&mut line)).await.is_err());
}
