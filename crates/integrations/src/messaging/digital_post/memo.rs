//! The MeMo 1.1 message (`https://DigitalPost.dk/MeMo-1`, reference §4.2): an
//! HTML main document and each attachment as its own additional document.
//! Shared by SF1601 (wrapped in `kombi_request`) and direct NgDP (sent bare),
//! so it knows nothing about either transport.
//!
//! The limits the schema enforces are checked here, before anything is sent,
//! so a message that can never be accepted fails with a clear reason instead
//! of an HTTP 400 from the platform.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use domain::{CprNumber, Cvr};
use uuid::Uuid;

use crate::messaging::Attachment;

pub const NAMESPACE: &str = "https://DigitalPost.dk/MeMo-1";
/// `memoTextType`: labels, file names, sender and recipient names.
pub const MAX_TEXT: usize = 256;

/// Who sends: the municipality's Digital Post sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoSender {
    pub cvr: Cvr,
    /// The sender's name as the citizen sees it.
    pub label: String,
}

/// What goes into one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoInput<'a> {
    /// `messageUUID`: must be version 4 (the schema's pattern).
    pub message_uuid: Uuid,
    pub sender: &'a MemoSender,
    pub recipient: &'a CprNumber,
    pub recipient_name: &'a str,
    /// The subject (`label`).
    pub label: &'a str,
    pub html: &'a str,
    pub attachments: &'a [Attachment],
    pub created: DateTime<Utc>,
}

/// Why no MeMo could be built. A message that breaks these limits is refused
/// for good: sending it again would break them again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemoError {
    #[error("messageUUID skal være en UUID version 4 (var version {0})")]
    NotVersion4(usize),
    #[error("{field} er tom")]
    Empty { field: &'static str },
    #[error("{field} er {length} tegn; højst {MAX_TEXT} er tilladt i MeMo")]
    TooLong { field: &'static str, length: usize },
    #[error("bilaget \"{0}\" er tomt")]
    EmptyAttachment(String),
}

/// A checked MeMo `Message` element as XML text (no XML declaration, so it can
/// be embedded in a wrapper).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    pub message_uuid: Uuid,
    pub xml: String,
}

pub fn build(input: &MemoInput<'_>) -> Result<Memo, MemoError> {
    check(input)?;
    let mut xml = String::with_capacity(input.html.len() * 4 / 3 + 2048);
    xml.push_str(&format!(r#"<Message xmlns="{NAMESPACE}" memoVersion="1.1" memoSchVersion="1.1.0">"#));
    header(&mut xml, input);
    xml.push_str("<MessageBody>");
    element(&mut xml, "createdDateTime", &input.created.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    xml.push_str("<MainDocument>");
    element(&mut xml, "mainDocumentID", "0");
    element(&mut xml, "label", input.label);
    file(&mut xml, "text/html", "content.html", input.html.as_bytes());
    xml.push_str("</MainDocument>");
    for (index, attachment) in input.attachments.iter().enumerate() {
        xml.push_str("<AdditionalDocument>");
        element(&mut xml, "additionalDocumentID", &(index + 1).to_string());
        element(&mut xml, "label", stem(&attachment.filename));
        file(&mut xml, &attachment.content_type, &attachment.filename, &attachment.bytes);
        xml.push_str("</AdditionalDocument>");
    }
    xml.push_str("</MessageBody></Message>");
    Ok(Memo { message_uuid: input.message_uuid, xml })
}

fn check(input: &MemoInput<'_>) -> Result<(), MemoError> {
    let version = input.message_uuid.get_version_num();
    if version != 4 {
        return Err(MemoError::NotVersion4(version));
    }
    text("emnet (label)", input.label)?;
    text("afsenderens navn", &input.sender.label)?;
    if input.recipient_name.chars().count() > MAX_TEXT {
        return Err(MemoError::TooLong { field: "modtagerens navn", length: input.recipient_name.chars().count() });
    }
    if input.html.trim().is_empty() {
        return Err(MemoError::Empty { field: "brevets indhold" });
    }
    for attachment in input.attachments {
        text("bilagets filnavn", &attachment.filename)?;
        if attachment.bytes.is_empty() {
            return Err(MemoError::EmptyAttachment(attachment.filename.clone()));
        }
    }
    Ok(())
}

fn text(field: &'static str, value: &str) -> Result<(), MemoError> {
    let length = value.chars().count();
    if value.trim().is_empty() {
        Err(MemoError::Empty { field })
    } else if length > MAX_TEXT {
        Err(MemoError::TooLong { field, length })
    } else {
        Ok(())
    }
}

fn header(xml: &mut String, input: &MemoInput<'_>) {
    xml.push_str("<MessageHeader>");
    element(xml, "messageType", "DIGITALPOST");
    element(xml, "messageUUID", &input.message_uuid.to_string());
    element(xml, "label", input.label);
    element(xml, "mandatory", "false");
    element(xml, "legalNotification", "false");
    xml.push_str("<Sender>");
    element(xml, "senderID", input.sender.cvr.as_str());
    element(xml, "idType", "CVR");
    element(xml, "label", &input.sender.label);
    xml.push_str("</Sender><Recipient>");
    element(xml, "recipientID", input.recipient.expose());
    element(xml, "idType", "CPR");
    if !input.recipient_name.trim().is_empty() {
        element(xml, "label", input.recipient_name);
    }
    xml.push_str("</Recipient></MessageHeader>");
}

fn file(xml: &mut String, content_type: &str, filename: &str, bytes: &[u8]) {
    xml.push_str("<File>");
    element(xml, "encodingFormat", content_type);
    element(xml, "filename", filename);
    element(xml, "language", "da");
    element(xml, "content", &base64::engine::general_purpose::STANDARD.encode(bytes));
    xml.push_str("</File>");
}

fn element(xml: &mut String, name: &str, value: &str) {
    xml.push('<');
    xml.push_str(name);
    xml.push('>');
    xml.push_str(&quick_xml::escape::escape(value));
    xml.push_str("</");
    xml.push_str(name);
    xml.push('>');
}

/// Valghalla's attachment label: the file name without its extension.
fn stem(filename: &str) -> &str {
    match filename.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => filename,
    }
}
