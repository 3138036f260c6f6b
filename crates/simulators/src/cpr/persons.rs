//! The CPR simulators' persons: one model both wire formats are rendered from, read from a
//! TOML file (format in `crates/simulators/README.md` and at the top of
//! `fixtures/cpr-persons.toml`), validated so that a fixture cannot describe a person the
//! CPR register could not hold (an address on a dead person, an emigrant without emigration
//! data), since a client tested against an impossible person proves nothing.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, bail, ensure};
use chrono::{Datelike as _, NaiveDate};
use serde::{Deserialize, Serialize};

/// The built-in set (reference §11.1 fixture persons), compiled in.
const BUILTIN: &str = include_str!("../../fixtures/cpr-persons.toml");

/// The CPR status codes (integrations reference §1.5, cpr-data.md A.2).
pub const STATUS_CODES: [u8; 11] = [1, 3, 5, 7, 20, 30, 50, 60, 70, 80, 90];

/// One person as the register knows them. Optional parts are absent from both wire formats
/// when `None` (the "may be absent" cases of reference §1.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// 10 digits; birth date and century follow the CPR rule (validated with `domain`).
    pub pnr: String,
    /// A short name for tests and documentation ("resident", "dead" …); never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// All first names (SF1520 `fornavn`, Datafordeleren `fornavne`).
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    pub last_name: String,
    /// Default `"Last,First Middle"`, the register's addressing-name form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressing_name: Option<String>,
    /// Since when the current name applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_since: Option<NaiveDate>,
    /// A former last name: Datafordeleren's non-Current methods show it as a `historisk` name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_last_name: Option<String>,
    /// Default: the CPR number's date. When given it must agree with the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// `M` or `K`; default from the parity of the last digit (odd = M).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// CPR status code, default 1 (active, lives in Denmark).
    #[serde(default = "default_status")]
    pub status: u8,
    /// Date of the status; for 70/80/90 the disappearance, emigration or death.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_date: Option<NaiveDate>,
    /// For status 60: the person's valid number now (`gaeldendePersonnummer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_pnr: Option<String>,
    /// CPR country code, 4 digits; 5100 = Denmark.
    #[serde(default = "default_citizenship")]
    pub citizenship: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizenship_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizenship_since: Option<NaiveDate>,
    /// U G F E P O L D (reference §1.4).
    #[serde(default = "default_civil_status")]
    pub civil_status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civil_status_since: Option<NaiveDate>,
    /// `stilling`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupation: Option<String>,
    /// Absent = no `umyndiggoerelse` element at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardianship: Option<Guardianship>,
    /// Name and address protection; absent = no `adressebeskyttelse` element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<Protection>,
    /// `tilmeldtDigitalpost`; absent = element absent (SF1520 only: not CPR data on Datafordeleren).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digital_post: Option<bool>,
    /// `tilmeldtNemsms`; absent = element absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nemsms: Option<bool>,
    /// `forsvindingsdato` (status 70).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disappeared_on: Option<NaiveDate>,
    /// Current address; only for statuses 1/3/5/7 (the register has none for the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// A former address (Datafordeleren `historisk`), e.g. where a dead person last lived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_address: Option<Address>,
    /// Status 80 only, and required there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emigration: Option<Emigration>,
    /// Up to 5 lines (`kontaktAdresse`), e.g. for the disappeared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_address: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// 4 digits as the register keeps them (`0999`); SF1520 sends them without leading zeros.
    pub municipality_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_name: Option<String>,
    /// The municipality's CVR (`kommuneCvr`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_cvr: Option<String>,
    /// 4 digits; 9900–9999 are the special road codes (status 3/7).
    pub road_code: String,
    pub street: String,
    /// Street addressing name (≤ 20 characters); default the street name cut to 20.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_addressing_name: Option<String>,
    /// Without leading zeros, with an optional letter: `12A`.
    pub house_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub door: Option<String>,
    pub postal_code: String,
    pub postal_district: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub town: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub co_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_in: Option<NaiveDate>,
    /// Only meaningful on `previous_address`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_out: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_district_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_district: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_uuid: Option<String>,
}

impl Address {
    /// The register's printed street line: `Skolevej 12A, 1. tv` / `Torvet 3, st.`.
    pub fn standard_address(&self) -> String {
        let mut s = format!("{} {}", self.street, self.house_number);
        match (self.floor.as_deref(), self.door.as_deref()) {
            (Some(f), Some(d)) => s += &format!(", {f}. {d}"),
            (Some(f), None) => s += &format!(", {f}."),
            (None, Some(d)) => s += &format!(", {d}"),
            (None, None) => {}
        }
        s
    }

    pub fn street_addressing_name(&self) -> String {
        self.street_addressing_name.clone().unwrap_or_else(|| self.street.chars().take(20).collect())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emigration {
    /// CPR country code of the destination (4 digits).
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_name: Option<String>,
    pub date: NaiveDate,
    /// Foreign address lines, 1 to 5.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardianship {
    /// `false` renders an explicit `umyndiggjort false`.
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Ended guardianships are not in force after this date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// 1 = guardian identified by CPR number, 2 = by name and address.
    #[serde(default = "default_relation_type")]
    pub relation_type: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_pnr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardian_address: Vec<String>,
}

impl Guardianship {
    /// In force on `today` (active, started, not ended).
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.active && self.start.is_none_or(|s| s <= today) && self.end.is_none_or(|e| today < e)
    }
}

/// Name and address protection (adressebeskyttelse); protected while `start ≤ today < end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Protection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Protection {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= today) && self.end.is_none_or(|e| today < e)
    }
}

fn default_status() -> u8 {
    1
}
fn default_citizenship() -> String {
    "5100".into()
}
fn default_civil_status() -> String {
    "U".into()
}
fn default_relation_type() -> u8 {
    1
}
fn yes() -> bool {
    true
}

impl Person {
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date.unwrap_or_else(|| cpr_birth_date(&self.pnr).expect("validated CPR number"))
    }

    pub fn sex(&self) -> &str {
        match self.sex.as_deref() {
            Some(s) => s,
            None if (self.pnr.as_bytes()[9] - b'0') % 2 == 1 => "M",
            None => "K",
        }
    }

    /// Whole years on `today` (a birthday on the day counts).
    pub fn age_on(&self, today: NaiveDate) -> i32 {
        let born = self.birth_date();
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        age
    }

    pub fn addressing_name(&self) -> String {
        self.addressing_name.clone().unwrap_or_else(|| match &self.middle_name {
            Some(m) => format!("{},{} {m}", self.last_name, self.first_name),
            None => format!("{},{}", self.last_name, self.first_name),
        })
    }

    /// Checks a person could be in the register (reference §1.5, cpr-data.md A.2).
    pub fn validate(&self) -> anyhow::Result<()> {
        let who = self.label.as_deref().unwrap_or("person");
        let born = cpr_birth_date(&self.pnr).with_context(|| format!("{who}: pnr"))?;
        if let Some(b) = self.birth_date {
            ensure!(b == born, "{who}: birth_date {b} does not match the CPR number's date {born}");
        }
        ensure!(STATUS_CODES.contains(&self.status), "{who}: unknown status {}", self.status);
        ensure!(!self.first_name.trim().is_empty() && !self.last_name.trim().is_empty(), "{who}: names are required");
        if let Some(s) = &self.sex {
            ensure!(s == "M" || s == "K", "{who}: sex must be M or K");
        }
        ensure!(digits(&self.citizenship, 4), "{who}: citizenship must be a 4-digit country code");
        ensure!("UGFEPOLD".contains(self.civil_status.as_str()) && self.civil_status.len() == 1, "{who}: civil_status");
        match (self.status, &self.current_pnr) {
            (60, Some(new)) => {
                cpr_birth_date(new).with_context(|| format!("{who}: current_pnr"))?;
                ensure!(new != &self.pnr, "{who}: current_pnr must differ from pnr");
            }
            (60, None) => bail!("{who}: status 60 (changed number) needs current_pnr"),
            (_, Some(_)) => bail!("{who}: current_pnr is only for status 60"),
            _ => {}
        }
        ensure!(
            self.address.is_none() || [1, 3, 5, 7].contains(&self.status),
            "{who}: only persons with status 1/3/5/7 have a current address"
        );
        ensure!(
            (self.status == 80) == self.emigration.is_some(),
            "{who}: status 80 (emigrated) and emigration go together"
        );
        ensure!(self.disappeared_on.is_none() || self.status == 70, "{who}: disappeared_on is only for status 70");
        ensure!(self.contact_address.len() <= 5, "{who}: at most 5 contact_address lines");
        if let Some(e) = &self.emigration {
            ensure!(digits(&e.country_code, 4), "{who}: emigration.country_code must be 4 digits");
            ensure!((1..=5).contains(&e.lines.len()), "{who}: emigration.lines must have 1 to 5 lines");
        }
        if let Some(g) = &self.guardianship {
            ensure!([1, 2].contains(&g.relation_type), "{who}: guardianship.relation_type must be 1 or 2");
            if let Some(p) = &g.guardian_pnr {
                cpr_birth_date(p).with_context(|| format!("{who}: guardianship.guardian_pnr"))?;
            }
            ensure!(g.guardian_address.len() <= 5, "{who}: at most 5 guardian_address lines");
        }
        for (name, a) in [("address", &self.address), ("previous_address", &self.previous_address)] {
            if let Some(a) = a {
                ensure!(digits(&a.municipality_code, 4), "{who}: {name}.municipality_code must be 4 digits");
                ensure!(digits(&a.road_code, 4), "{who}: {name}.road_code must be 4 digits");
                ensure!(digits(&a.postal_code, 4), "{who}: {name}.postal_code must be 4 digits");
                ensure!(!a.house_number.starts_with('0'), "{who}: {name}.house_number without leading zeros");
                if let Some(cvr) = &a.municipality_cvr {
                    ensure!(digits(cvr, 8), "{who}: {name}.municipality_cvr must be 8 digits");
                }
            }
        }
        Ok(())
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Birth date of a 10-digit CPR number (no dash), by the domain's century rule.
fn cpr_birth_date(pnr: &str) -> anyhow::Result<NaiveDate> {
    ensure!(digits(pnr, 10), "a CPR number is 10 digits without a dash");
    let cpr = domain::CprNumber::parse(pnr).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(cpr.birth_date())
}

/// The file: `[[person]]` tables, and optionally `[generate]` to add valid extra persons.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonsFile {
    #[serde(default)]
    person: Vec<Person>,
    #[serde(default)]
    generate: Option<Generate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Generate {
    count: usize,
    #[serde(default)]
    seed: u64,
}

/// A validated set of persons keyed by CPR number.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Persons {
    by_pnr: BTreeMap<String, Person>,
}

impl Persons {
    /// The compiled-in `fixtures/cpr-persons.toml`.
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN).expect("the built-in fixtures/cpr-persons.toml is valid")
    }

    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let file: PersonsFile = toml::from_str(text).context("CPR persons file")?;
        let mut persons = Self::from_persons(file.person)?;
        if let Some(g) = file.generate {
            persons = persons.with_generated(g.count, g.seed);
        }
        Ok(persons)
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_toml(&text).with_context(|| format!("in {}", path.display()))
    }

    pub fn from_persons(list: Vec<Person>) -> anyhow::Result<Self> {
        let mut persons = Self::default();
        for p in list {
            ensure!(!persons.by_pnr.contains_key(&p.pnr), "CPR number {} appears twice", p.pnr);
            persons.insert(p)?;
        }
        Ok(persons)
    }

    /// Adds `count` generated valid residents (see [`super::generate`]); deterministic per seed.
    pub fn with_generated(mut self, count: usize, seed: u64) -> Self {
        for p in super::generate::persons(count, seed, |pnr| self.by_pnr.contains_key(pnr)) {
            self.by_pnr.insert(p.pnr.clone(), p);
        }
        self
    }

    /// Adds or replaces a person after validating it.
    pub fn insert(&mut self, person: Person) -> anyhow::Result<()> {
        person.validate()?;
        self.by_pnr.insert(person.pnr.clone(), person);
        Ok(())
    }

    pub fn remove(&mut self, pnr: &str) -> Option<Person> {
        self.by_pnr.remove(pnr)
    }

    pub fn get(&self, pnr: &str) -> Option<&Person> {
        self.by_pnr.get(pnr)
    }

    /// The first person with this label (tests and documentation name persons by label).
    pub fn by_label(&self, label: &str) -> Option<&Person> {
        self.by_pnr.values().find(|p| p.label.as_deref() == Some(label))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Person> {
        self.by_pnr.values()
    }

    pub fn len(&self) -> usize {
        self.by_pnr.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_pnr.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_set_is_valid_and_covers_the_reference_cases() {
        let persons = Persons::builtin();
        for label in [
            "resident",
            "middle_name",
            "aeoeaa",
            "under_18",
            "other_municipality",
            "foreign",
            "guardianship",
            "protected",
            "dead",
            "disappeared",
            "emigrated",
            "no_residence",
            "annulled",
            "deleted",
            "changed_pnr",
        ] {
            assert!(persons.by_label(label).is_some(), "fixture person {label}");
        }
        let today = NaiveDate::from_ymd_opt(2029, 1, 1).unwrap();
        assert!(persons.by_label("under_18").unwrap().age_on(today) < 18, "stays under 18 for years");
    }

    #[test]
    fn impossible_persons_are_refused() {
        let base = Persons::builtin().by_label("resident").unwrap().clone();
        let dead_with_address = Person { status: 90, ..base.clone() };
        assert!(dead_with_address.validate().is_err());
        let emigrant_without_data = Person { status: 80, address: None, ..base.clone() };
        assert!(emigrant_without_data.validate().is_err());
        let wrong_century = Person { birth_date: NaiveDate::from_ymd_opt(2085, 5, 12), ..base.clone() };
        assert!(wrong_century.validate().is_err());
        assert!(Person { pnr: "120585-1236".into(), ..base }.validate().is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let err =
            Persons::from_toml("[[person]]\npnr = \"1205851236\"\nfirst_name = \"A\"\nlast_name = \"B\"\nfoo = 1\n");
        assert!(err.is_err());
    }
}
