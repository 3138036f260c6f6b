//! The Beskedfordeler's push of Digital Post status receipts (reference
//! integrations.md §5): a `ModtagBeskedInput` envelope whose `Beskeddata`
//! carries a base64 `PKO_PostStatus` document, and the `ModtagBeskedOutput`
//! answer. Only the wire format lives here; what a receipt does to a message
//! is the store's business.

use base64::Engine;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use uuid::Uuid;

/// A receipt as read from the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReceipt {
    /// `BeskedId/UUIDIdentifikator`: the same for a redelivery.
    pub besked_id: String,
    pub message_uuid: Uuid,
    /// `TransaktionsStatusKode` as sent ("Fejlet", "Afleveret Digital Post", …).
    pub status: String,
    /// `FejlDetaljer`, empty when absent.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("not well-formed XML: {0}")]
    Xml(String),
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("Beskeddata is not valid base64 UTF-8")]
    Payload,
    #[error("MessageUUID is not a UUID")]
    MessageUuid,
}

/// Reads a `ModtagBeskedInput` document.
pub fn parse(body: &[u8]) -> Result<StatusReceipt, ReceiptError> {
    let envelope = texts(body, &[&["BeskedId", "UUIDIdentifikator"], &["Beskeddata", "Base64"]])?;
    let besked_id = envelope[0].clone().ok_or(ReceiptError::Missing("BeskedId"))?;
    let data = envelope[1].clone().ok_or(ReceiptError::Missing("Beskeddata"))?;
    let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    // Decoded as UTF-8, not ASCII: FejlDetaljer may well say "æøå".
    let status_xml = base64::engine::general_purpose::STANDARD.decode(compact).map_err(|_| ReceiptError::Payload)?;
    std::str::from_utf8(&status_xml).map_err(|_| ReceiptError::Payload)?;
    let status = texts(&status_xml, &[&["MessageUUID"], &["TransaktionsStatusKode"], &["FejlDetaljer"]])?;
    let uuid = status[0].clone().ok_or(ReceiptError::Missing("MessageUUID"))?;
    let message_uuid = Uuid::parse_str(uuid.trim()).map_err(|_| ReceiptError::MessageUuid)?;
    Ok(StatusReceipt {
        besked_id: besked_id.trim().to_owned(),
        message_uuid,
        status: status[1].clone().ok_or(ReceiptError::Missing("TransaktionsStatusKode"))?,
        detail: status[2].clone().unwrap_or_default(),
    })
}

/// The text of the first element whose path ends with each of `wanted`
/// (local names, namespaces ignored: senders prefix them differently).
fn texts(xml: &[u8], wanted: &[&[&str]]) -> Result<Vec<Option<String>>, ReceiptError> {
    let mut reader = Reader::from_reader(xml);
    let mut path: Vec<String> = Vec::new();
    let mut found: Vec<Option<String>> = vec![None; wanted.len()];
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer).map_err(|e| ReceiptError::Xml(e.to_string()))? {
            Event::Start(e) => path.push(e.local_name().as_ref().to_owned()),
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => collect(&path, &t.xml10_content(), wanted, &mut found),
            Event::CData(t) => collect(&path, &t.xml10_content(), wanted, &mut found),
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let text = match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                collect(&path, text, wanted, &mut found);
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    Ok(found.into_iter().map(|t| t.map(|t| t.trim().to_owned())).collect())
}

fn collect(path: &[String], text: &str, wanted: &[&[&str]], found: &mut [Option<String>]) {
    for (slot, suffix) in found.iter_mut().zip(wanted) {
        let matches =
            path.len() >= suffix.len() && path[path.len() - suffix.len()..].iter().zip(*suffix).all(|(a, b)| a == b);
        if matches {
            slot.get_or_insert_with(String::new).push_str(text);
        }
    }
}

/// The answer once the receipt is stored: `StatusKode` 20, "Ok".
pub fn ok_reply() -> String {
    reply("20", "Ok")
}

/// The answer to a receipt that could not be read (the sender may retry).
pub fn error_reply(text: &str) -> String {
    reply("40", text)
}

fn reply(code: &str, text: &str) -> String {
    let text = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <sts:ModtagBeskedOutput xmlns:sts=\"urn:oio:sts:1.0.0\">\
         <StandardRetur xmlns=\"urn:oio:sagdok:3.0.0\"><StatusKode>{code}</StatusKode>\
         <FejlbeskedTekst>{text}</FejlbeskedTekst></StandardRetur></sts:ModtagBeskedOutput>"
    )
}
