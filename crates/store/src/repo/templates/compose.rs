//! Fills a queued message's template with the values of its person,
//! election and seat, ready for any channel.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{MessageKind, Placeholder, Template};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{
    elections, files, message_log, message_template_files, participants, seats, task_type_files, task_types,
    work_locations,
};
use crate::error::{Error, Result};
use crate::read_only_link::{expiry_after, magic_link};
use crate::repo::contact_information;
use crate::tenants::Tenant;

/// Where the links of a message point.
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    /// The portal's base URL without a trailing slash, e.g. `https://valg.korsbaek.dk`.
    pub portal_url: &'a str,
    /// Signs the read-only overview link (`!overview`).
    pub tenant: &'a Tenant,
}

/// A message with its placeholders filled in, for every channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub html: String,
    /// The body as plain text, for the text part of an e-mail.
    pub text: String,
    pub sms_text: String,
    pub attachments: Vec<ComposedAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposedAttachment {
    pub file_name: String,
    pub mime_type: String,
    pub content: Vec<u8>,
}

/// Composes the queued message `id` on `today` (Danish date, for `!days`).
/// A message without a seat (a group message) fills only the person and
/// election placeholders; the seat ones stay empty.
pub async fn compose(db: &impl ConnectionTrait, links: &Links<'_>, id: Uuid, today: NaiveDate) -> Result<Composed> {
    let message = message_log::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a queued message"))?
        .ok_or(Error::not_found("Beskeden"))?;
    let kind = MessageKind::parse(&message.kind).map_err(|_| Error::not_found("Beskedtypen"))?;
    let seat = match message.seat_id {
        Some(seat) => seats::Entity::find_by_id(seat).one(db).await.map_err(Error::db("reading a seat"))?,
        None => None,
    };
    let template = super::resolve(db, message.election_id, seat.as_ref().map(|s| s.task_type_id), kind).await?;
    let values = values_for(db, links, &message, seat.as_ref(), today).await?;
    // A group message carries the words staff wrote for it. Once a letter
    // went out, its subject and body are the words sent (kept for the log),
    // which a "Fejlet" receipt sends on as they are ("!!" is a plain "!").
    if message.send_type == "group" {
        let sent = message.sent_at.is_some();
        let letter = |source: &str| if sent { parse_stored(&source.replace('!', "!!")) } else { parse_stored(source) };
        let html = letter(&message.body)?.render_html(&values);
        return Ok(Composed {
            subject: letter(&message.subject)?.render_text(&values),
            text: html_to_text(&html),
            html,
            sms_text: parse_stored(&message.sms_text)?.render_text(&values),
            attachments: Vec::new(),
        });
    }
    let mut attachments = files_of(db, template_files(db, template.id).await?).await?;
    if let Some(seat) = &seat {
        attachments.extend(files_of(db, task_type_file_ids(db, seat.task_type_id).await?).await?);
    }
    let body = parse_stored(&template.body)?;
    let html = body.render_html(&values);
    Ok(Composed {
        subject: parse_stored(&template.subject)?.render_text(&values),
        text: html_to_text(&html),
        html,
        sms_text: parse_stored(&template.sms_text)?.render_text(&values),
        attachments,
    })
}

/// Example values for the preview of a template.
pub fn sample_values(portal_url: &str, municipality: &str) -> HashMap<Placeholder, String> {
    let values = [
        (Placeholder::Name, "Karen Hansen".to_owned()),
        (Placeholder::Election, "Folketingsvalg 2026".to_owned()),
        (Placeholder::WorkLocation, "Korsbæk Skole".to_owned()),
        (Placeholder::WorkLocationAddress, "Skolevej 1, 4000 Korsbæk".to_owned()),
        (Placeholder::TaskType, "Tilforordnet".to_owned()),
        (Placeholder::TaskTypeDescription, "Hjælper vælgerne på valgdagen.".to_owned()),
        (Placeholder::TaskDate, "27/10/2026".to_owned()),
        (Placeholder::TaskStart, "07:30".to_owned()),
        (Placeholder::TaskEnd, "20:00".to_owned()),
        (Placeholder::Payment, "1.000 kr.".to_owned()),
        (Placeholder::Days, "5".to_owned()),
        (Placeholder::Municipality, municipality.to_owned()),
        (Placeholder::Invitation, format!("{portal_url}/opgaver/invitation/eksempel")),
        (Placeholder::Contact, format!("{portal_url}/kontakt-os")),
        (Placeholder::ExternalWeb, portal_url.to_owned()),
        (Placeholder::Overview, format!("{portal_url}/mit-overblik/eksempel")),
    ];
    values.into_iter().collect()
}

/// The value of every placeholder for one queued message.
async fn values_for(
    db: &impl ConnectionTrait,
    links: &Links<'_>,
    message: &message_log::Model,
    seat: Option<&seats::Model>,
    today: NaiveDate,
) -> Result<HashMap<Placeholder, String>> {
    let portal = links.portal_url.trim_end_matches('/');
    let mut values = HashMap::new();
    let person = participants::Entity::find_by_id(message.participant_id)
        .one(db)
        .await
        .map_err(Error::db("reading a participant"))?
        .ok_or(Error::not_found("Deltageren"))?;
    values.insert(Placeholder::Name, format!("{} {}", person.first_name, person.last_name));
    values.insert(Placeholder::Municipality, contact_information::get(db).await?.municipality_name);
    values.insert(Placeholder::Contact, format!("{portal}/kontakt-os"));
    values.insert(Placeholder::ExternalWeb, portal.to_owned());
    if let Some(election) = message.election_id {
        let election = elections::Entity::find_by_id(election)
            .one(db)
            .await
            .map_err(Error::db("reading an election"))?
            .ok_or(Error::not_found("Valget"))?;
        let link = magic_link(links.tenant, person.id, expiry_after(election.last_task_date));
        values.insert(Placeholder::Overview, format!("{portal}{link}"));
        values.insert(Placeholder::Election, election.title);
    }
    if let Some(seat) = seat {
        seat_values(db, &mut values, seat, today).await?;
        // A freed seat may since have gone to someone else: their code is not ours to send.
        if let (Some(code), true) = (seat.invitation_code, seat.participant_id == Some(person.id)) {
            values.insert(Placeholder::Invitation, format!("{portal}/opgaver/invitation/{}/{code}", seat.id));
        }
    }
    Ok(values)
}

async fn seat_values(
    db: &impl ConnectionTrait,
    values: &mut HashMap<Placeholder, String>,
    seat: &seats::Model,
    today: NaiveDate,
) -> Result<()> {
    let place = work_locations::Entity::find_by_id(seat.work_location_id)
        .one(db)
        .await
        .map_err(Error::db("reading a work location"))?
        .ok_or(Error::not_found("Stedet"))?;
    let task = task_types::Entity::find_by_id(seat.task_type_id)
        .one(db)
        .await
        .map_err(Error::db("reading a task type"))?
        .ok_or(Error::not_found("Opgavetypen"))?;
    let address = format!("{}, {} {}", place.address, place.postal_code, place.city);
    values.insert(Placeholder::WorkLocation, place.title);
    values.insert(Placeholder::WorkLocationAddress, address);
    values.insert(Placeholder::TaskType, task.title);
    values.insert(Placeholder::TaskTypeDescription, task.description);
    values.insert(Placeholder::TaskDate, seat.task_date.format("%d/%m/%Y").to_string());
    values.insert(Placeholder::TaskStart, task.start_time.format("%H:%M").to_string());
    values.insert(Placeholder::TaskEnd, task.end_time.format("%H:%M").to_string());
    values.insert(Placeholder::Payment, task.payment_kr.map(kroner).unwrap_or_default());
    values.insert(Placeholder::Days, (seat.task_date - today).num_days().max(0).to_string());
    Ok(())
}

/// "1.000 kr.": Danish thousands separator.
fn kroner(amount: i32) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{grouped} kr.")
}

/// Stored texts were checked when saved; one failing now was written around
/// the store (e.g. by hand in the database), and is reported as such.
fn parse_stored(source: &str) -> Result<Template> {
    Template::parse(source).map_err(|error| Error::conflict("template", error.to_string()))
}

/// The body's text for mail readers without HTML: paragraphs and line
/// breaks become new lines, other markup is dropped, entities are decoded.
fn html_to_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let end = rest[start..].find('>').map_or(rest.len(), |end| start + end + 1);
        let tag = rest[start..end].to_ascii_lowercase();
        if tag.starts_with("<br") || tag == "</p>" {
            text.push('\n');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.trim_end().to_owned()
}

async fn template_files(db: &impl ConnectionTrait, template: Uuid) -> Result<Vec<Uuid>> {
    let rows = message_template_files::Entity::find()
        .filter(message_template_files::Column::TemplateId.eq(template))
        .all(db)
        .await
        .map_err(Error::db("reading a template's files"))?;
    Ok(rows.into_iter().map(|row| row.file_id).collect())
}

async fn task_type_file_ids(db: &impl ConnectionTrait, task_type: Uuid) -> Result<Vec<Uuid>> {
    let rows = task_type_files::Entity::find()
        .filter(task_type_files::Column::TaskTypeId.eq(task_type))
        .all(db)
        .await
        .map_err(Error::db("reading a task type's files"))?;
    Ok(rows.into_iter().map(|row| row.file_id).collect())
}

async fn files_of(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> Result<Vec<ComposedAttachment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows = files::Entity::find()
        .filter(files::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(Error::db("reading attachments"))?;
    rows.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(rows
        .into_iter()
        .map(|row| ComposedAttachment { file_name: row.file_name, mime_type: row.mime_type, content: row.content })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kroner_have_danish_thousands_separators() {
        assert_eq!(kroner(0), "0 kr.");
        assert_eq!(kroner(500), "500 kr.");
        assert_eq!(kroner(1000), "1.000 kr.");
        assert_eq!(kroner(1234567), "1.234.567 kr.");
    }

    #[test]
    fn html_becomes_readable_text() {
        let html = "<p>Kære Ib &amp; Bo</p><p>Mød op<br>her: <a href=\"https://x/y\">https://x/y</a></p>";
        assert_eq!(html_to_text(html), "Kære Ib & Bo\nMød op\nher: https://x/y");
    }
}
