//! Datafordeleren's JSON (cpr-data.md B.2), read permissively: keys in any
//! case (the sources disagree on `cprKommunekode`/`cprkommunekode`), so every
//! key is lower-cased before the types below see it; a wrapper object around
//! every list element; `null`, `""` or a missing key for an absent value;
//! dates as a date or a date-time. Unknown keys are ignored.
//!
//! Written from the reference, not shared with the simulator (SPEC §2.7).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// `{"Personer":[{"Person":{…}}, …]}`.
#[derive(Debug, Deserialize)]
pub(super) struct Document {
    #[serde(deserialize_with = "list")]
    pub personer: Vec<Person>,
}

impl Document {
    /// Parses an answer body. The error text names the shape, never a value.
    pub fn parse(body: &[u8]) -> Result<Document, String> {
        let value: Value = serde_json::from_slice(body).map_err(|e| format!("the answer is not JSON ({e})"))?;
        if !value.is_object() {
            return Err("the answer is not a JSON object with \"Personer\"".into());
        }
        serde_json::from_value(lowercase_keys(value))
            .map_err(|e| format!("the answer does not have the shape of PersonFullListSimple ({e})"))
    }
}

fn lowercase_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k.to_lowercase(), lowercase_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(lowercase_keys).collect()),
        other => other,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct Person {
    #[serde(default, deserialize_with = "day")]
    pub foedselsdato: Option<NaiveDate>,
    #[serde(default, deserialize_with = "text")]
    pub koen: Option<String>,
    /// The person status (`bopael_i_danmark`, `doed`, …), not a record status.
    #[serde(default, deserialize_with = "text")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "day")]
    pub statusdato: Option<NaiveDate>,
    #[serde(default, deserialize_with = "list")]
    pub personnumre: Vec<Personnummer>,
    #[serde(default, deserialize_with = "list")]
    pub navne: Vec<Navn>,
    #[serde(default, deserialize_with = "list")]
    pub adresseoplysninger: Vec<Adresseoplysninger>,
    #[serde(default, deserialize_with = "list")]
    pub beskyttelser: Vec<Beskyttelse>,
    #[serde(default, deserialize_with = "list")]
    pub statsborgerskaber: Vec<Statsborgerskab>,
    #[serde(default, deserialize_with = "list")]
    pub udrejseindrejser: Vec<UdrejseIndrejse>,
    #[serde(default, deserialize_with = "list")]
    pub forsvindinger: Vec<Forsvinding>,
    #[serde(default)]
    pub kontaktadresse: Option<Kontaktadresse>,
    #[serde(default)]
    pub vaergemaal: Option<Vaergemaal>,
}

/// The record status and period every element carries.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Virkning {
    #[serde(default, deserialize_with = "text")]
    pub status: Option<String>,
    #[serde(default, rename = "virkningfra", deserialize_with = "day")]
    pub from: Option<NaiveDate>,
    #[serde(default, rename = "virkningtil", deserialize_with = "day")]
    pub to: Option<NaiveDate>,
}

impl Virkning {
    /// `status == "aktuel"`: the non-Current methods send history too.
    pub fn is_current(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("aktuel"))
    }
}

/// An element with a [`Virkning`].
pub(super) trait Effective {
    fn virkning(&self) -> &Virkning;
}

/// The current element: `aktuel`, preferring an open one (no `virkningTil`)
/// and then the latest `virkningFra`.
pub(super) fn current<T: Effective>(items: &[T]) -> Option<&T> {
    items.iter().filter(|i| i.virkning().is_current()).max_by_key(|i| (i.virkning().to.is_none(), i.virkning().from))
}

macro_rules! effective {
    ($($t:ty),*) => {$(
        impl Effective for $t {
            fn virkning(&self) -> &Virkning {
                &self.virkning
            }
        }
    )*};
}
effective!(
    Personnummer,
    Navn,
    Adresseoplysninger,
    Statsborgerskab,
    UdrejseIndrejse,
    Forsvinding,
    Kontaktadresse,
    Vaergemaal
);

#[derive(Debug, Deserialize)]
pub(super) struct Personnummer {
    #[serde(default, deserialize_with = "text")]
    pub personnummer: Option<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct Navn {
    #[serde(default, deserialize_with = "text")]
    pub fornavne: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub mellemnavn: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub efternavn: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub adresseringsnavn: Option<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct Adresseoplysninger {
    #[serde(default, deserialize_with = "text")]
    pub conavn: Option<String>,
    #[serde(default)]
    pub cpradresse: Option<CprAdresse>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct CprAdresse {
    #[serde(default, deserialize_with = "text")]
    pub cprkommunekode: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub vejadresseringsnavn: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub husnummer: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub etage: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub sidedoer: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub postnummer: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub postdistrikt: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub bynavn: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Beskyttelse {
    #[serde(default, deserialize_with = "text")]
    pub beskyttelsestype: Option<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct Statsborgerskab {
    #[serde(default, deserialize_with = "text")]
    pub cprlandekode: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub cprlandenavn: Option<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct UdrejseIndrejse {
    #[serde(default, deserialize_with = "text")]
    pub cprlandekodeudrejse: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub cprlandudrejse: Option<String>,
    #[serde(default, deserialize_with = "lines")]
    pub udenlandsadresse: Vec<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct Forsvinding {
    #[serde(flatten)]
    pub virkning: Virkning,
}

#[derive(Debug, Deserialize)]
pub(super) struct Kontaktadresse {
    #[serde(default, deserialize_with = "lines")]
    pub simpeladresse: Vec<String>,
    #[serde(flatten)]
    pub virkning: Virkning,
}

/// Guardianship; the REST key is unverified (cpr-data.md B.2), `Vaergemaal` assumed.
#[derive(Debug, Deserialize)]
pub(super) struct Vaergemaal {
    #[serde(flatten)]
    pub virkning: Virkning,
}

/// `"Navne":[{"Navn":{…}}]`: each element is an object with one key. `null` is empty.
fn list<'de, D: Deserializer<'de>, T: DeserializeOwned>(deserializer: D) -> Result<Vec<T>, D::Error> {
    let wrapped: Option<Vec<BTreeMap<String, T>>> = Option::deserialize(deserializer)?;
    wrapped
        .unwrap_or_default()
        .into_iter()
        .map(|element| match element.len() {
            1 => Ok(element.into_values().next().expect("one entry")),
            n => Err(D::Error::custom(format!("a list element has {n} keys instead of one wrapper"))),
        })
        .collect()
}

/// A string or a number, trimmed; `null` and `""` are absent.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => None,
        other => return Err(D::Error::custom(format!("expected a text, got {}", kind(&other)))),
    })
}

/// `{"adresselinie1": …, …, "adresselinie5": …}`: the non-empty lines in order.
fn lines<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let block: Option<BTreeMap<String, Value>> = Option::deserialize(deserializer)?;
    let block = block.unwrap_or_default();
    Ok((1..=5)
        .filter_map(|n| block.get(&format!("adresselinie{n}")).and_then(Value::as_str))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// `1985-01-01`, or a date-time (`1985-01-01T00:00:00+01:00`) read as the
/// date it is in Denmark: `virkning` instants are Danish midnights.
fn day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let Some(text) = text(deserializer)? else {
        return Ok(None);
    };
    parse_day(&text).map(Some).ok_or_else(|| D::Error::custom("a date that is neither YYYY-MM-DD nor RFC 3339"))
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(day);
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.with_timezone(&chrono_tz::Europe::Copenhagen).date_naive());
    }
    // A local date-time without a zone: its date is the Danish date.
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok().map(|t| t.date())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "a boolean",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_danish_time() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_day("1985-01-01"), day(1985, 1, 1));
        assert_eq!(parse_day("1985-01-01T00:00:00+01:00"), day(1985, 1, 1));
        // Midnight in Denmark, written in UTC, is still the Danish day.
        assert_eq!(parse_day("2020-06-30T22:00:00Z"), day(2020, 7, 1));
        assert_eq!(parse_day("2020-06-30T12:00:00"), day(2020, 6, 30));
        assert_eq!(parse_day("30-06-2020"), None);
    }

    #[test]
    fn the_current_element_is_aktuel_open_and_latest() {
        let v = |status: &str, from: u32, open: bool| Forsvinding {
            virkning: Virkning {
                status: Some(status.into()),
                from: NaiveDate::from_ymd_opt(2020, 1, from),
                to: (!open).then(|| NaiveDate::from_ymd_opt(2021, 1, 1).unwrap()),
            },
        };
        let items = [v("aktuel", 1, true), v("aktuel", 9, false), v("historisk", 20, true), v("Aktuel", 5, true)];
        assert_eq!(current(&items).unwrap().virkning.from, NaiveDate::from_ymd_opt(2020, 1, 5));
        assert!(current(&[v("historisk", 1, true)]).is_none());
    }
}
