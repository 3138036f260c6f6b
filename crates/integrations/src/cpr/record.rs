//! A person as the CPR register describes them, in plain types that do not
//! depend on any provider's wire format or on the database.

use chrono::NaiveDate;
use domain::{CountryCode, CprNumber, MunicipalityCode};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything Valghalla uses about a person from CPR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CprRecord {
    /// The number that was looked up (serialised masked).
    #[serde(serialize_with = "masked")]
    pub cpr: CprNumber,
    /// The person's current number when CPR says it changed (status 60).
    #[serde(serialize_with = "masked_opt")]
    pub current_cpr: Option<CprNumber>,
    pub name: PersonName,
    pub birth_date: NaiveDate,
    /// Age as CPR computed it on the day of the lookup.
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub status: PersonStatus,
    pub status_date: Option<NaiveDate>,
    pub citizenship: Option<Citizenship>,
    /// The current address in Denmark, or the address abroad of an emigrated person.
    pub address: Option<Address>,
    pub emigration: Option<Emigration>,
    /// A contact address (kontaktadresse) registered besides the residence.
    pub contact_address: Vec<String>,
    pub guardianship: Guardianship,
    /// Navne- og adressebeskyttelse: name and address must be hidden from staff without the right role.
    pub protected_address: bool,
    pub digital_post: DigitalPost,
    /// When CPR registered the person as disappeared.
    pub disappeared_on: Option<NaiveDate>,
}

impl CprRecord {
    /// Status 90.
    pub fn is_deceased(&self) -> bool {
        self.status.is_deceased()
    }

    /// Status 70.
    pub fn is_disappeared(&self) -> bool {
        self.status.is_disappeared()
    }

    pub fn is_emigrated(&self) -> bool {
        self.status.is_emigrated() || self.address.as_ref().is_some_and(|a| a.kind == AddressKind::Abroad)
    }

    pub fn under_guardianship(&self) -> bool {
        self.guardianship.under_guardianship
    }

    /// The municipality of residence in Denmark, if any.
    pub fn municipality(&self) -> Option<&MunicipalityCode> {
        self.address.as_ref().and_then(|a| a.municipality.as_ref())
    }

    /// The eligibility facts the domain rules need.
    pub fn person_facts(&self) -> domain::PersonFacts {
        domain::PersonFacts {
            birth_date: self.birth_date,
            municipality_code: self.municipality().cloned(),
            citizenship: self.citizenship.as_ref().map(|c| c.country.as_str().to_owned()),
            deceased: self.is_deceased(),
            disappeared: self.is_disappeared(),
            under_guardianship: self.under_guardianship(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    /// All first names (fornavne), as CPR writes them.
    pub first_names: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    /// CPR's short form for letters ("Hansen,Jens Peter"), if given.
    pub addressing_name: Option<String>,
}

impl PersonName {
    /// First names followed by the middle name, as Valghalla shows the first-name field.
    pub fn given_names(&self) -> String {
        match &self.middle_name {
            Some(middle) => format!("{} {middle}", self.first_names),
            None => self.first_names.clone(),
        }
    }

    /// "Jens Peter Hansen".
    pub fn full_name(&self) -> String {
        let given = self.given_names();
        match (given.is_empty(), self.last_name.is_empty()) {
            (true, _) => self.last_name.clone(),
            (_, true) => given,
            _ => format!("{given} {}", self.last_name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

/// CPR's person status (`status`), with the codes the register uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PersonStatus {
    /// 01: resident in Denmark.
    Resident,
    /// 03: resident in Denmark, special road code (9900-9999).
    ResidentSpecialRoadCode,
    /// 05: resident in Greenland.
    ResidentGreenland,
    /// 07: resident in Greenland, special road code.
    ResidentGreenlandSpecialRoadCode,
    /// 20: no residence; number issued for tax purposes.
    NoResidence,
    /// 30: the number was cancelled.
    Cancelled,
    /// 50: the number was deleted (duplicate).
    Deleted,
    /// 60: the person got another number.
    ChangedNumber,
    /// 70: disappeared (forsvundet).
    Disappeared,
    /// 80: emigrated (udrejst).
    Emigrated,
    /// 90: dead.
    Dead,
    /// Any other code CPR may send.
    Other(u16),
}

impl PersonStatus {
    pub fn from_code(code: u16) -> PersonStatus {
        match code {
            1 => PersonStatus::Resident,
            3 => PersonStatus::ResidentSpecialRoadCode,
            5 => PersonStatus::ResidentGreenland,
            7 => PersonStatus::ResidentGreenlandSpecialRoadCode,
            20 => PersonStatus::NoResidence,
            30 => PersonStatus::Cancelled,
            50 => PersonStatus::Deleted,
            60 => PersonStatus::ChangedNumber,
            70 => PersonStatus::Disappeared,
            80 => PersonStatus::Emigrated,
            90 => PersonStatus::Dead,
            other => PersonStatus::Other(other),
        }
    }

    pub fn code(self) -> u16 {
        match self {
            PersonStatus::Resident => 1,
            PersonStatus::ResidentSpecialRoadCode => 3,
            PersonStatus::ResidentGreenland => 5,
            PersonStatus::ResidentGreenlandSpecialRoadCode => 7,
            PersonStatus::NoResidence => 20,
            PersonStatus::Cancelled => 30,
            PersonStatus::Deleted => 50,
            PersonStatus::ChangedNumber => 60,
            PersonStatus::Disappeared => 70,
            PersonStatus::Emigrated => 80,
            PersonStatus::Dead => 90,
            PersonStatus::Other(code) => code,
        }
    }

    pub fn is_deceased(self) -> bool {
        self == PersonStatus::Dead
    }

    pub fn is_disappeared(self) -> bool {
        self == PersonStatus::Disappeared
    }

    pub fn is_emigrated(self) -> bool {
        self == PersonStatus::Emigrated
    }

    /// Statuses 01-07: a living person with a residence in the realm.
    pub fn is_active(self) -> bool {
        matches!(self.code(), 1..=7)
    }
}

/// Stored copies (the local CPR copy) read the status back from its code.
impl<'de> Deserialize<'de> for PersonStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u16::deserialize(deserializer).map(PersonStatus::from_code)
    }
}

impl Serialize for PersonStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u16(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizenship {
    pub country: CountryCode,
    /// The authority's name of the country ("Danmark").
    pub country_name: Option<String>,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    Domestic,
    Abroad,
}

/// A postal address. Domestic addresses carry a municipality; addresses
/// abroad carry the free-text lines CPR has and the emigration country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub kind: AddressKind,
    /// "Testvej 1, 2. tv" (standardadresse), or the first line abroad.
    pub street: String,
    /// c/o name (conavn).
    pub co_name: Option<String>,
    /// Locality within the postal district (lokalitet).
    pub locality: Option<String>,
    /// Four digits in Denmark; abroad, the leading digits of the second line.
    pub postal_code: Option<String>,
    /// Postal district (postdistrikt), or the rest of the second line abroad.
    pub city: Option<String>,
    /// Four digits, left-padded (CPR may send "751").
    pub municipality: Option<MunicipalityCode>,
    /// The country abroad (emigration country code), `None` in Denmark.
    pub country: Option<CountryCode>,
    pub moved_in: Option<NaiveDate>,
    /// The polling district (valgdistrikt) CPR places the address in.
    pub polling_district: Option<PollingDistrict>,
    /// Every address line abroad (udlandsadresse1..5); empty in Denmark.
    pub lines: Vec<String>,
}

impl Address {
    /// An address abroad from CPR's free-text lines: the first is the street,
    /// the second starts with the postal code (as Valghalla reads it). No lines, no address.
    pub(crate) fn abroad(
        lines: Vec<String>,
        country: Option<CountryCode>,
        moved_out: Option<NaiveDate>,
    ) -> Option<Self> {
        let street = lines.first()?.clone();
        let (postal_code, city) = match lines.get(1) {
            Some(second) => {
                let digits: String = second.chars().take_while(char::is_ascii_digit).collect();
                let rest = second[digits.len()..].trim();
                ((!digits.is_empty()).then_some(digits), (!rest.is_empty()).then(|| rest.to_owned()))
            }
            None => (None, None),
        };
        Some(Address {
            kind: AddressKind::Abroad,
            street,
            co_name: None,
            locality: None,
            postal_code,
            city,
            municipality: None,
            country,
            moved_in: moved_out,
            polling_district: None,
            lines,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollingDistrict {
    pub code: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emigration {
    pub country: Option<CountryCode>,
    pub country_name: Option<String>,
    pub date: Option<NaiveDate>,
}

/// Umyndiggørelse: whether the person is deprived of legal capacity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardianship {
    pub under_guardianship: bool,
    pub since: Option<NaiveDate>,
}

/// Whether letters go to Digital Post (`tilmeldtDigitalpost`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigitalPost {
    Registered,
    /// The person is exempt from Digital Post: send letters another way.
    Exempt,
    /// The provider did not say.
    Unknown,
}

impl DigitalPost {
    pub fn from_flag(flag: Option<bool>) -> DigitalPost {
        match flag {
            Some(true) => DigitalPost::Registered,
            Some(false) => DigitalPost::Exempt,
            None => DigitalPost::Unknown,
        }
    }
}

fn masked<S: Serializer>(cpr: &CprNumber, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&cpr.masked())
}

fn masked_opt<S: Serializer>(cpr: &Option<CprNumber>, serializer: S) -> Result<S::Ok, S::Error> {
    match cpr {
        Some(cpr) => serializer.serialize_some(&cpr.masked()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip_and_classify() {
        for code in [1, 3, 5, 7, 20, 30, 50, 60, 70, 80, 90, 42] {
            assert_eq!(PersonStatus::from_code(code).code(), code);
        }
        assert!(PersonStatus::from_code(90).is_deceased());
        assert!(!PersonStatus::from_code(70).is_deceased());
        assert!(PersonStatus::from_code(70).is_disappeared());
        assert!(PersonStatus::from_code(80).is_emigrated());
        assert!(PersonStatus::from_code(5).is_active());
        assert!(!PersonStatus::from_code(20).is_active());
    }

    #[test]
    fn names_join_middle_names() {
        let name = PersonName {
            first_names: "Jens".into(),
            middle_name: Some("Peter".into()),
            last_name: "Hansen".into(),
            addressing_name: None,
        };
        assert_eq!(name.given_names(), "Jens Peter");
        assert_eq!(name.full_name(), "Jens Peter Hansen");
    }
}
