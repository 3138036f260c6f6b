//! The e-mail client against the SMTP sink: plain, STARTTLS and implicit TLS with AUTH,
//! the MIME shape (HTML with a text alternative, attachments, Message-ID from the queued
//! id), and every failure class (4xx, 5xx, dropped connection, stall, down, wrong CA).

use std::time::Duration;

use domain::CprNumber;
use domain::contact::Email;
use integrations::messaging::email::{EmailClient, EmailConfig, SmtpSecurity};
use integrations::messaging::{Attachment, Outgoing, Recipient, SendError, Transport};
use integrations::resilience::{BreakerSettings, CallError, HealthProbe, RetrySettings, Settings};
use simulators::control::FaultSpec;
use simulators::cpr::tls_fixtures;
use simulators::smtp::{SmtpSecurity as SimSecurity, SmtpSimConfig, SmtpSimHandle, SmtpSimulator};
use uuid::Uuid;

const CREDENTIALS: (&str, &str) = ("valghalla", "smtp-hemmelighed");

fn settings() -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(1_500),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries: 0,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(2),
        },
        breaker: BreakerSettings { failure_threshold: 100, cool_down: Duration::from_secs(30) },
    }
}

fn message(email: Option<&str>) -> Outgoing {
    Outgoing {
        message_id: Uuid::parse_str("6f1c2a3e-9b4d-4c1a-8e2f-0a1b2c3d4e5f").unwrap(),
        sms_id: "sms-1".into(),
        recipient: Recipient {
            cpr: CprNumber::parse("0101901234").unwrap(),
            name: "Jens Hansen".into(),
            email: email.map(|e| Email::parse(e).unwrap()),
            mobile: None,
            exempt_digital_post: true,
        },
        subject: "Invitation til folketingsvalget".into(),
        html: "<p>Kære Jens, du er <b>inviteret</b>.</p>".into(),
        text: "Kære Jens, du er inviteret.".into(),
        sms_text: "Invitation".into(),
        attachments: vec![Attachment {
            filename: "valgstyrer.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        }],
    }
}

async fn setup(security: SimSecurity, auth: bool) -> (SmtpSimHandle, EmailConfig) {
    let credentials = auth.then(|| (CREDENTIALS.0.to_owned(), CREDENTIALS.1.to_owned()));
    let sim = SmtpSimulator::start(SmtpSimConfig { security, credentials: credentials.clone() }).await.unwrap();
    let config = EmailConfig {
        host: "127.0.0.1".into(),
        port: sim.smtp_addr.port(),
        security: match security {
            SimSecurity::Plain => SmtpSecurity::Plain,
            SimSecurity::StartTls => SmtpSecurity::StartTls,
            SimSecurity::ImplicitTls => SmtpSecurity::ImplicitTls,
        },
        credentials,
        from_name: "Korsbæk Kommune, Valgsekretariatet".into(),
        from_address: Email::parse("valg@korsbaek.dk").unwrap(),
        reply_to: Some(Email::parse("svar@korsbaek.dk").unwrap()),
        trusted_roots: Some(tls_fixtures::CA_CERT_PEM.as_bytes().to_vec()),
        hello_name: None,
        tenant: Some("korsbaek".into()),
        settings: settings(),
    };
    (sim, config)
}

async fn plain() -> (SmtpSimHandle, EmailClient) {
    let (sim, config) = setup(SimSecurity::Plain, false).await;
    (sim, EmailClient::new(config).unwrap())
}

#[tokio::test]
async fn an_email_arrives_as_html_with_text_alternative_and_attachment() {
    let (sim, client) = plain().await;
    client.send(&message(Some("jens@example.dk"))).await.unwrap();
    let received = sim.messages();
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.mail_from, "valg@korsbaek.dk");
    assert_eq!(mail.rcpt_to, ["jens@example.dk"]);
    assert_eq!(mail.message_id.as_deref(), Some("6f1c2a3e-9b4d-4c1a-8e2f-0a1b2c3d4e5f@korsbaek.dk"));
    let data = &mail.data;
    for needle in ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"] {
        assert!(data.contains(needle), "{needle} missing in\n{data}");
    }
    assert!(data.contains("filename=\"valgstyrer.pdf\""), "{data}");
    assert!(data.contains("Reply-To: svar@korsbaek.dk"), "{data}");
    assert!(
        data.contains("To: \"Jens Hansen\" <jens@example.dk>") || data.contains("To: Jens Hansen <jens@example.dk>"),
        "{data}"
    );
}

#[tokio::test]
async fn starttls_and_implicit_tls_with_auth() {
    for security in [SimSecurity::StartTls, SimSecurity::ImplicitTls] {
        let (sim, config) = setup(security, true).await;
        EmailClient::new(config).unwrap().send(&message(Some("jens@example.dk"))).await.unwrap();
        let received = sim.messages();
        assert!(received[0].tls, "{security:?}");
        assert_eq!(received[0].authenticated_as.as_deref(), Some(CREDENTIALS.0));
    }
}

#[tokio::test]
async fn an_untrusted_server_certificate_is_temporary_and_nothing_is_sent() {
    let (sim, mut config) = setup(SimSecurity::StartTls, false).await;
    config.trusted_roots = None;
    let result = EmailClient::new(config).unwrap().send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Connect(_)))), "{result:?}");
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_permanent() {
    let (_sim, mut config) = setup(SimSecurity::ImplicitTls, true).await;
    config.credentials = Some((CREDENTIALS.0.into(), "forkert".into()));
    let result = EmailClient::new(config).unwrap().send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Permanent(ref why)) if why.contains("535")), "{result:?}");
}

#[tokio::test]
async fn a_rejected_recipient_is_permanent_a_4xx_temporary() {
    let (sim, client) = plain().await;
    let params = |code: u64| serde_json::json!({ "code": code, "text": "5.1.1 Ukendt modtager" });
    sim.control.faults.add(FaultSpec::new("reply").path("/smtp/rcpt").key("ukendt@example.dk").params(params(550)));
    let result = client.send(&message(Some("ukendt@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Permanent(ref why)) if why.contains("550")), "{result:?}");
    for (stage, code) in [("/smtp/mail", 451), ("/smtp/message", 452), ("/smtp/connect", 421)] {
        sim.control.faults.add(FaultSpec::new("reply").path(stage).params(params(code)).once());
        let result = client.send(&message(Some("jens@example.dk"))).await;
        match result {
            Err(SendError::Temporary(CallError::Status { status, .. })) if status == code as u16 => {}
            other => panic!("{stage} {code}: {other:?}"),
        }
    }
    sim.control.faults.add(FaultSpec::new("reply").path("/smtp/message").params(params(554)).once());
    assert!(matches!(client.send(&message(Some("jens@example.dk"))).await, Err(SendError::Permanent(_))));
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn a_dropped_connection_after_data_is_temporary_and_the_resend_carries_the_same_message_id() {
    let (sim, client) = plain().await;
    sim.control.faults.add(FaultSpec::new("drop").path("/smtp/message").once());
    let result = client.send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Connect(_)))), "{result:?}");
    client.send(&message(Some("jens@example.dk"))).await.unwrap();
    let ids: Vec<_> = sim.messages().into_iter().map(|m| m.message_id).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_stalled_or_unavailable_server_is_temporary() {
    let (sim, client) = plain().await;
    sim.control.faults.add(FaultSpec::new("stall").path("/smtp/data").once());
    let result = client.send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Timeout(_)))), "{result:?}");
    crate::add_fault(&sim.control_url, r#"{"kind":"downtime_window","path":"/smtp/","params":{"seconds":60}}"#).await;
    let result = client.send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Status { status: 421, .. }))), "{result:?}");
    crate::reset(&sim.control_url).await;
    client.send(&message(Some("jens@example.dk"))).await.unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (_, mut config) = setup(SimSecurity::Plain, false).await;
    config.port = closed.port();
    let result = EmailClient::new(config).unwrap().send(&message(Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Connect(_)))), "{result:?}");
}

#[tokio::test]
async fn without_an_address_nothing_is_sent() {
    let (sim, client) = plain().await;
    assert!(matches!(client.send(&message(None)).await, Err(SendError::Unreachable(_))));
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn the_health_probe_greets_and_sends_nothing() {
    let (sim, config) = setup(SimSecurity::StartTls, true).await;
    let client = EmailClient::new(config.clone()).unwrap();
    let report = client.probe().await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.integration, "email");
    sim.control.faults.add(FaultSpec::new("down").path("/smtp/connect").once());
    let report = client.probe().await;
    assert!(!report.ok && report.detail.contains("421"), "{report:?}");
    let wrong = EmailConfig { credentials: Some((CREDENTIALS.0.into(), "forkert".into())), ..config };
    let report = EmailClient::new(wrong).unwrap().probe().await;
    assert!(!report.ok && report.detail.contains("535"), "{report:?}");
    assert!(sim.messages().is_empty());
}
