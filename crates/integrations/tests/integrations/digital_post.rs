//! The SF1601 client against hand-written reference payloads (`fixtures/digital_post/`):
//! a local stub answers with the fixtures and keeps what the client sent, which is checked
//! against reference §4.1–4.2 field by field.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine as _;
use domain::{CprNumber, Cvr};
use integrations::messaging::digital_post::{
    ClientIdentity, KOMBI_PATH, MemoSender, POST_FORESPOERG_PATH, STS_PATH, Sf1601Client, Sf1601Config, TOKEN_PATH,
};
use integrations::messaging::{Attachment, Outgoing, Recipient, SendError, Transport};
use uuid::Uuid;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/digital_post");
const CLIENT_PEM: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../simulators/fixtures/tls/client-identity.pem"));

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, HeaderMap, String)>>>);

impl Seen {
    fn push(&self, path: &str, headers: HeaderMap, body: Bytes) {
        self.0.lock().unwrap().push((path.to_owned(), headers, String::from_utf8_lossy(&body).into_owned()));
    }
    fn find(&self, path: &str) -> (HeaderMap, String) {
        let seen = self.0.lock().unwrap();
        let (_, headers, body) = seen.iter().find(|(p, _, _)| p == path).unwrap_or_else(|| panic!("{path} called"));
        (headers.clone(), body.clone())
    }
}

/// Serves the fixtures; `kombi` names the answer file of the send.
async fn stub(kombi: &'static str) -> (String, Seen) {
    let seen = Seen::default();
    let xml = |name: &'static str| ([("content-type", "application/xml")], fixture(name));
    let json = |name: &'static str| ([("content-type", "application/json")], fixture(name));
    let app = Router::new()
        .route(
            STS_PATH,
            post(move |State(s): State<Seen>, h: HeaderMap, b: Bytes| async move {
                s.push(STS_PATH, h, b);
                json("sts_response_camel.json")
            }),
        )
        .route(
            TOKEN_PATH,
            post(move |State(s): State<Seen>, h: HeaderMap, b: Bytes| async move {
                s.push(TOKEN_PATH, h, b);
                json("access_token.json")
            }),
        )
        .route(
            POST_FORESPOERG_PATH,
            get(|State(s): State<Seen>, h: HeaderMap| async move {
                s.push(POST_FORESPOERG_PATH, h, Bytes::new());
                ([("content-type", "application/json")], r#"{"result":true}"#)
            }),
        )
        .route(
            KOMBI_PATH,
            post(move |State(s): State<Seen>, h: HeaderMap, b: Bytes| async move {
                s.push(KOMBI_PATH, h, b);
                (StatusCode::OK, xml(kombi)).into_response()
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

fn client(base: &str) -> Sf1601Client {
    let sender = MemoSender { cvr: Cvr::parse("12345674").unwrap(), label: "Korsbæk Kommune".into() };
    let config = Sf1601Config::new(&format!("{base}{STS_PATH}"), base, sender, ClientIdentity::from_pem(CLIENT_PEM));
    Sf1601Client::new(config).unwrap()
}

fn letter() -> Outgoing {
    Outgoing {
        message_id: Uuid::new_v4(),
        sms_id: "s".into(),
        recipient: Recipient {
            cpr: CprNumber::parse("1205851236").unwrap(),
            name: "Anna Jensen".into(),
            email: None,
            mobile: None,
            exempt_digital_post: false,
        },
        subject: "Indkaldelse <valg> & møde".into(),
        html: "<p>Kære Anna</p>".into(),
        text: "Kære Anna".into(),
        sms_text: "Indkaldelse".into(),
        attachments: vec![Attachment {
            filename: "moedested.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        }],
    }
}

/// The text of the first element with this local name (any namespace), as a reader of the
/// reference would find it.
fn text_of(xml: &str, name: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.local_name().as_ref() == name => inside = true,
            quick_xml::events::Event::Text(t) if inside => text.push_str(&t.xml10_content()),
            quick_xml::events::Event::GeneralRef(r) if inside => text.push_str(&format!("&{};", r.xml10_content())),
            quick_xml::events::Event::End(e) if inside && e.local_name().as_ref() == name => return Some(text),
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_token_requests_and_the_letter_have_the_reference_shape() {
    let (base, seen) = stub("kombi_response_received.xml").await;
    let message = letter();
    let sent = client(&base).send(&message).await.expect("Result=true and Advis RECEIVED (any case)");
    assert_eq!(sent.reference.as_deref(), Some("7b0c6c1e-3f0a-4a57-9d2e-fixture00001"));

    let (_, sts) = seen.find(STS_PATH);
    let sts: serde_json::Value = serde_json::from_str(&sts).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&fixture("sts_request.json")).unwrap();
    for key in ["TokenType", "RequestType", "KeyType", "AnvenderKontekst"] {
        assert_eq!(sts[key], reference[key], "{key}");
    }
    let der = base64::engine::general_purpose::STANDARD.decode(sts["UseKey"].as_str().unwrap()).unwrap();
    assert_eq!(der[0], 0x30, "UseKey is the DER certificate on one line");

    let (_, form) = seen.find(TOKEN_PATH);
    assert!(form.starts_with("saml-token=%3Csaml%3AAssertion"), "the assertion, form-encoded: {form}");

    let (headers, body) = seen.find(KOMBI_PATH);
    assert_eq!(headers["authorization"], "Holder-of-key fixture-access-token-1");
    assert_eq!(headers["x-transaktionsid"], message.message_id.to_string().as_str());
    assert!(headers["x-transaktionstid"].to_str().unwrap().ends_with('Z'));
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/xml"));
    assert!(body.contains("<kombi_request><KombiValgKode>Digital Post</KombiValgKode>"));
    assert!(body.contains(r#"xmlns="https://DigitalPost.dk/MeMo-1" memoVersion="1.1" memoSchVersion="1.1.0""#));
    assert_eq!(text_of(&body, "messageUUID"), Some(message.message_id.to_string()));
    assert_eq!(text_of(&body, "label").as_deref(), Some("Indkaldelse &lt;valg&gt; &amp; møde"));
    assert_eq!(text_of(&body, "recipientID").as_deref(), Some("1205851236"));
    assert!(text_of(&body, "createdDateTime").unwrap().ends_with('Z'));
    let html = text_of(&body, "content").unwrap();
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(html).unwrap(), "<p>Kære Anna</p>".as_bytes());
    assert!(body.contains("<additionalDocumentID>1</additionalDocumentID><label>moedested</label>"));
    assert!(body.contains("<encodingFormat>application/pdf</encodingFormat><filename>moedested.pdf</filename>"));
}

#[tokio::test]
async fn result_false_is_a_refusal_for_good() {
    let (base, _) = stub("kombi_response_result_false.xml").await;
    let error = client(&base).send(&letter()).await.expect_err("Result=false");
    assert!(matches!(error, SendError::Permanent(ref t) if t.contains("ikke tilmeldt")), "{error:?}");
}

mod memo_limits {
    use chrono::Utc;
    use domain::{CprNumber, Cvr};
    use integrations::messaging::Attachment;
    use integrations::messaging::digital_post::MemoSender;
    use integrations::messaging::digital_post::memo::{MemoError, MemoInput, build};
    use uuid::Uuid;

    struct Letter<'a> {
        uuid: Uuid,
        label: &'a str,
        html: &'a str,
        name: &'a str,
        attachments: &'a [Attachment],
    }

    fn fine() -> Letter<'static> {
        Letter { uuid: Uuid::new_v4(), label: "Emne", html: "<p>x</p>", name: "Anna", attachments: &[] }
    }

    fn check(letter: Letter<'_>) -> Result<(), MemoError> {
        let sender = MemoSender { cvr: Cvr::parse("12345674").unwrap(), label: "Korsbæk Kommune".into() };
        let cpr = CprNumber::parse("1205851236").unwrap();
        build(&MemoInput {
            message_uuid: letter.uuid,
            sender: &sender,
            recipient: &cpr,
            recipient_name: letter.name,
            label: letter.label,
            html: letter.html,
            attachments: letter.attachments,
            created: Utc::now(),
        })
        .map(|_| ())
    }

    #[test]
    fn every_limit_gives_a_clear_reason() {
        assert_eq!(check(fine()), Ok(()));
        let v1 = Uuid::parse_str("3f2504e0-4f89-11d3-9a0c-0305e82c3301").unwrap();
        assert_eq!(check(Letter { uuid: v1, ..fine() }), Err(MemoError::NotVersion4(1)));
        let long = "æ".repeat(257);
        let too_long = Err(MemoError::TooLong { field: "emnet (label)", length: 257 });
        assert_eq!(check(Letter { label: &long, ..fine() }), too_long);
        assert_eq!(check(Letter { label: &long[..512], ..fine() }), Ok(()), "256 characters, not bytes");
        assert_eq!(check(Letter { label: " ", ..fine() }), Err(MemoError::Empty { field: "emnet (label)" }));
        assert_eq!(check(Letter { html: "", ..fine() }), Err(MemoError::Empty { field: "brevets indhold" }));
        let empty = [Attachment { filename: "a.pdf".into(), content_type: "application/pdf".into(), bytes: vec![] }];
        assert_eq!(check(Letter { attachments: &empty, ..fine() }), Err(MemoError::EmptyAttachment("a.pdf".into())));
        let message = check(Letter { name: &long, ..fine() }).unwrap_err().to_string();
        assert!(message.contains("modtagerens navn") && message.contains("256"), "{message}");
    }
}
