//! The e-mail client against hand-written SMTP conversations (fixtures/smtp/) played by a
//! scripted TCP stub: what the client says at each step, the MIME it sends, and how each
//! reply class is reported.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use domain::contact::Email;
use integrations::messaging::email::{EmailClient, EmailConfig, SmtpSecurity};
use integrations::messaging::{Attachment, SendError, Transport};
use integrations::resilience::CallError;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::sms::{outgoing, settings};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/smtp");

/// What the client sent: command lines, and the DATA content.
#[derive(Debug, Default)]
struct Heard {
    commands: Vec<String>,
    message: String,
    mismatch: Option<String>,
}

/// Plays `name` to one client connection.
async fn stub(name: &str) -> (SocketAddr, Arc<Mutex<Heard>>) {
    let script = std::fs::read_to_string(format!("{DIR}/{name}")).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heard = Arc::new(Mutex::new(Heard::default()));
    let record = heard.clone();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        for step in script.lines() {
            if let Some(reply) = step.strip_prefix("S: ") {
                write.write_all(format!("{reply}\r\n").as_bytes()).await.unwrap();
                continue;
            }
            let expected = step.strip_prefix("C: ").unwrap();
            let mut line = String::new();
            if read.read_line(&mut line).await.unwrap() == 0 {
                return;
            }
            let line = line.trim_end().to_owned();
            let mut heard = record.lock().unwrap();
            if expected == "<message>" {
                let mut data = line;
                drop(heard);
                loop {
                    let mut next = String::new();
                    read.read_line(&mut next).await.unwrap();
                    if next.trim_end() == "." {
                        break;
                    }
                    data.push('\n');
                    data.push_str(next.trim_end());
                }
                record.lock().unwrap().message = data;
                continue;
            }
            if !line.starts_with(expected) && heard.mismatch.is_none() {
                heard.mismatch = Some(format!("expected {expected:?}, got {line:?}"));
            }
            heard.commands.push(line);
        }
    });
    (addr, heard)
}

fn client(addr: SocketAddr) -> EmailClient {
    EmailClient::new(EmailConfig {
        host: "127.0.0.1".into(),
        port: addr.port(),
        security: SmtpSecurity::Plain,
        credentials: None,
        from_name: "Korsbæk Kommune".into(),
        from_address: Email::parse("valg@korsbaek.dk").unwrap(),
        reply_to: None,
        trusted_roots: None,
        hello_name: Some("valghalla.korsbaek.dk".into()),
        tenant: None,
        settings: settings(),
    })
    .unwrap()
}

#[tokio::test]
async fn a_transaction_says_what_rfc_5321_expects_and_sends_a_complete_mime_message() {
    let (addr, heard) = stub("accepted.txt").await;
    let mut message = outgoing(None, Some("jens@example.dk"));
    message.attachments.push(Attachment {
        filename: "mødested.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: vec![0x25, 0x50, 0x44, 0x46],
    });
    let sent = client(addr).send(&message).await.unwrap();
    assert_eq!(sent.reference.as_deref(), Some("2.0.0 Ok: queued as 4F1C2A3E9B"));
    let heard = heard.lock().unwrap();
    assert_eq!(heard.mismatch, None, "{:?}", heard.commands);
    assert_eq!(heard.commands[0], "EHLO valghalla.korsbaek.dk");
    let mime = &heard.message;
    for needle in [
        "Message-ID: <6f1c2a3e-9b4d-4c1a-8e2f-0a1b2c3d4e5f@korsbaek.dk>",
        "Subject: Invitation til valget",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed",
        "Content-Type: multipart/alternative",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
        "Content-Type: application/pdf",
        "Content-Disposition: attachment",
    ] {
        assert!(mime.contains(needle), "{needle} missing in\n{mime}");
    }
    // The text part comes before the HTML part (RFC 2046: the preferred last).
    assert!(mime.find("text/plain").unwrap() < mime.find("text/html").unwrap());
}

#[tokio::test]
async fn no_such_user_is_permanent() {
    let (addr, _) = stub("rejected-recipient.txt").await;
    let result = client(addr).send(&outgoing(None, Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Permanent(ref why)) if why.contains("550")), "{result:?}");
}

#[tokio::test]
async fn greylisting_and_shutdown_are_temporary() {
    for (name, code) in [("greylisted.txt", 450), ("shutting-down.txt", 421)] {
        let (addr, _) = stub(name).await;
        let result = client(addr).send(&outgoing(None, Some("jens@example.dk"))).await;
        match result {
            Err(SendError::Temporary(CallError::Status { status, .. })) if status == code => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn debug_output_hides_the_password() {
    let config = EmailConfig {
        host: "smtp.korsbaek.dk".into(),
        port: 587,
        security: SmtpSecurity::StartTls,
        credentials: Some(("valghalla".into(), "smtp-hemmelighed".into())),
        from_name: "Korsbæk Kommune".into(),
        from_address: Email::parse("valg@korsbaek.dk").unwrap(),
        reply_to: None,
        trusted_roots: None,
        hello_name: None,
        tenant: None,
        settings: settings(),
    };
    let shown = format!("{config:?}");
    assert!(shown.contains("valghalla") && !shown.contains("hemmelighed"), "{shown}");
}
