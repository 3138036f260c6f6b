//! Reading a verified `saml:Assertion` into a [`Login`], with the checks that
//! live inside the assertion: Issuer, Subject confirmation (Recipient,
//! InResponseTo, NotOnOrAfter), Conditions (validity window, Audience) and the
//! AuthnStatement.
//!
//! Only ever called with the element a trusted signature was verified to cover.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};

use super::dom::Element;
use super::error::ResponseError;
use super::metadata::IdpMetadata;
use super::sp::ServiceProvider;
use super::{ns, redact_digits, time, uri};

/// A successful login, read only from the verified assertion.
#[derive(Clone, PartialEq, Eq)]
pub struct Login {
    /// The IdP's entity ID.
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    /// Needed for single logout.
    pub session_index: Option<String>,
    /// `AuthnContextClassRef` (for NemLog-in the LoA URI).
    pub authn_context: Option<String>,
    pub authn_instant: Option<DateTime<Utc>>,
    /// `SessionNotOnOrAfter`: the IdP wants our session to end by then.
    pub not_on_or_after: Option<DateTime<Utc>>,
    pub attributes: Attributes,
    pub assertion_id: String,
    /// The ID of our AuthnRequest this login answers.
    pub in_response_to: String,
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // NameID and attribute values are personal data (CPR among them).
        f.debug_struct("Login")
            .field("issuer", &self.issuer)
            .field("name_id_format", &self.name_id_format)
            .field("authn_context", &self.authn_context)
            .field("not_on_or_after", &self.not_on_or_after)
            .field("attributes", &self.attributes)
            .field("assertion_id", &self.assertion_id)
            .finish_non_exhaustive()
    }
}

/// Attribute name → values, in document order. `Debug` shows names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attributes(BTreeMap<String, Vec<String>>);

impl Attributes {
    /// The first value of the attribute.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(|v| v.first()).map(String::as_str)
    }

    /// All values of the attribute (empty if absent).
    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.entry(name.into()).or_default().push(value.into());
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

const ASSERTION: &str = "Assertion";

/// Validates the assertion and reads the login. Returns it with the time until
/// which the assertion ID must be remembered against replay.
pub(crate) fn read_assertion(
    assertion: &Element,
    idp: &IdpMetadata,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
    in_response_to: &str,
) -> Result<(Login, DateTime<Utc>), ResponseError> {
    if assertion.attr("Version") != Some("2.0") {
        return Err(ResponseError::Version { element: ASSERTION });
    }
    let assertion_id = required(assertion.attr("ID"), ASSERTION, "ID")?.to_owned();
    let issuer = assertion.child(ns::ASSERTION, "Issuer").map(|i| i.trimmed_text());
    if issuer != Some(idp.entity_id.as_str()) {
        return Err(ResponseError::Issuer { element: ASSERTION, found: issuer.map(redact_digits) });
    }

    let subject = assertion
        .child(ns::ASSERTION, "Subject")
        .ok_or(ResponseError::Missing { element: ASSERTION, what: "Subject" })?;
    let name_id = subject
        .only_child(ns::ASSERTION, "NameID")
        .map_err(|()| ResponseError::NoNameId)?
        .ok_or(ResponseError::NoNameId)?;
    let confirmation_until = check_bearer(subject, sp, now, in_response_to)?;

    let conditions = assertion.child(ns::ASSERTION, "Conditions").ok_or(ResponseError::NoAudienceRestriction)?;
    let conditions_until = check_window(conditions, "Conditions", sp, now)?;
    let restrictions: Vec<_> = conditions.children_named(ns::ASSERTION, "AudienceRestriction").collect();
    if restrictions.is_empty() {
        return Err(ResponseError::NoAudienceRestriction);
    }
    // Every AudienceRestriction must list us (SAML Core §2.5.1.4).
    if !restrictions
        .iter()
        .all(|r| r.children_named(ns::ASSERTION, "Audience").any(|a| a.trimmed_text() == sp.entity_id))
    {
        return Err(ResponseError::Audience);
    }

    let authn = assertion.child(ns::ASSERTION, "AuthnStatement").ok_or(ResponseError::NoAuthnStatement)?;
    let session_until = optional_time(authn, "AuthnStatement", "SessionNotOnOrAfter")?;
    if let Some(until) = session_until
        && now - sp.clock_skew >= until
    {
        return Err(ResponseError::Expired {
            element: "AuthnStatement SessionNotOnOrAfter",
            not_on_or_after: until,
            now,
        });
    }
    let authn_context = authn
        .child(ns::ASSERTION, "AuthnContext")
        .and_then(|c| c.child(ns::ASSERTION, "AuthnContextClassRef"))
        .map(|r| r.trimmed_text().to_owned());

    let mut attributes = Attributes::default();
    for statement in assertion.children_named(ns::ASSERTION, "AttributeStatement") {
        if statement.child(ns::ASSERTION, "EncryptedAttribute").is_some() {
            return Err(ResponseError::EncryptedAttribute);
        }
        for attribute in statement.children_named(ns::ASSERTION, "Attribute") {
            let name = required(attribute.attr("Name"), "Attribute", "Name")?;
            for value in attribute.children_named(ns::ASSERTION, "AttributeValue") {
                attributes.insert(name, value.trimmed_text());
            }
        }
    }

    let replay_until = confirmation_until.max(conditions_until.unwrap_or(confirmation_until)) + sp.clock_skew;
    let login = Login {
        issuer: idp.entity_id.clone(),
        name_id: name_id.trimmed_text().to_owned(),
        name_id_format: name_id.attr("Format").map(str::to_owned),
        session_index: authn.attr("SessionIndex").map(str::to_owned),
        authn_context,
        authn_instant: optional_time(authn, "AuthnStatement", "AuthnInstant")?,
        not_on_or_after: session_until,
        attributes,
        assertion_id,
        in_response_to: in_response_to.to_owned(),
    };
    Ok((login, replay_until))
}

/// Accepts the subject if one bearer confirmation passes every check (SAML
/// Profiles §4.1.4.2–3); otherwise reports why the first one failed. Returns
/// the confirmation's NotOnOrAfter.
fn check_bearer(
    subject: &Element,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
    in_response_to: &str,
) -> Result<DateTime<Utc>, ResponseError> {
    let mut first_error = None;
    for confirmation in subject.children_named(ns::ASSERTION, "SubjectConfirmation") {
        if confirmation.attr("Method") != Some(uri::CM_BEARER) {
            continue;
        }
        match check_confirmation(confirmation, sp, now, in_response_to) {
            Ok(until) => return Ok(until),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(ResponseError::NoBearerConfirmation))
}

fn check_confirmation(
    confirmation: &Element,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
    in_response_to: &str,
) -> Result<DateTime<Utc>, ResponseError> {
    const DATA: &str = "SubjectConfirmationData";
    let data = confirmation
        .child(ns::ASSERTION, DATA)
        .ok_or(ResponseError::Missing { element: "SubjectConfirmation", what: DATA })?;
    let recipient = data.attr("Recipient");
    if recipient != Some(sp.acs_url.as_str()) {
        return Err(ResponseError::Recipient { found: recipient.map(redact_digits) });
    }
    if data.attr("InResponseTo") != Some(in_response_to) {
        return Err(ResponseError::ConfirmationInResponseTo);
    }
    let until =
        check_window(data, DATA, sp, now)?.ok_or(ResponseError::Missing { element: DATA, what: "NotOnOrAfter" })?;
    Ok(until)
}

/// Checks NotBefore/NotOnOrAfter of `element` against `now` with the allowed
/// skew, and returns NotOnOrAfter.
fn check_window(
    element: &Element,
    name: &'static str,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, ResponseError> {
    if let Some(not_before) = optional_time(element, name, "NotBefore")?
        && now + sp.clock_skew < not_before
    {
        return Err(ResponseError::NotYetValid { element: name, not_before, now });
    }
    let not_on_or_after = optional_time(element, name, "NotOnOrAfter")?;
    if let Some(until) = not_on_or_after
        && now - sp.clock_skew >= until
    {
        return Err(ResponseError::Expired { element: name, not_on_or_after: until, now });
    }
    Ok(not_on_or_after)
}

fn optional_time(
    element: &Element,
    name: &'static str,
    attribute: &'static str,
) -> Result<Option<DateTime<Utc>>, ResponseError> {
    element
        .attr(attribute)
        .map(|text| time::parse(text).ok_or(ResponseError::BadTimestamp { element: name, attribute }))
        .transpose()
}

pub(crate) fn required<'a>(
    value: Option<&'a str>,
    element: &'static str,
    what: &'static str,
) -> Result<&'a str, ResponseError> {
    value.filter(|v| !v.is_empty()).ok_or(ResponseError::Missing { element, what })
}
