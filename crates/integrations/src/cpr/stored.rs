//! A CPR record in the form kept at rest (the local CPR copy): everything but
//! the CPR numbers, which the store keeps encrypted beside it. The JSON of a
//! [`CprRecord`] itself masks the number, so it could not be read back.

use chrono::NaiveDate;
use domain::CprNumber;
use serde::{Deserialize, Serialize};

use super::record::{
    Address, Citizenship, CprRecord, DigitalPost, Emigration, Guardianship, PersonName, PersonStatus, Sex,
};

/// [`CprRecord`] without `cpr` and `current_cpr`.
///
/// `current_cpr` (status 60, "the person got another number") is dropped on
/// purpose: storing it would put a second CPR number in clear JSON, and a
/// status-60 record already says the person must be looked up anew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    pub name: PersonName,
    pub birth_date: NaiveDate,
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub status: PersonStatus,
    pub status_date: Option<NaiveDate>,
    pub citizenship: Option<Citizenship>,
    pub address: Option<Address>,
    pub emigration: Option<Emigration>,
    #[serde(default)]
    pub contact_address: Vec<String>,
    #[serde(default)]
    pub guardianship: Guardianship,
    pub protected_address: bool,
    pub digital_post: DigitalPost,
    pub disappeared_on: Option<NaiveDate>,
}

impl CprRecord {
    pub fn to_stored(&self) -> StoredRecord {
        StoredRecord {
            name: self.name.clone(),
            birth_date: self.birth_date,
            age: self.age,
            sex: self.sex,
            status: self.status,
            status_date: self.status_date,
            citizenship: self.citizenship.clone(),
            address: self.address.clone(),
            emigration: self.emigration.clone(),
            contact_address: self.contact_address.clone(),
            guardianship: self.guardianship.clone(),
            protected_address: self.protected_address,
            digital_post: self.digital_post,
            disappeared_on: self.disappeared_on,
        }
    }
}

impl StoredRecord {
    /// The record again, for the number it was stored under.
    pub fn into_record(self, cpr: CprNumber) -> CprRecord {
        CprRecord {
            cpr,
            current_cpr: None,
            name: self.name,
            birth_date: self.birth_date,
            age: self.age,
            sex: self.sex,
            status: self.status,
            status_date: self.status_date,
            citizenship: self.citizenship,
            address: self.address,
            emigration: self.emigration,
            contact_address: self.contact_address,
            guardianship: self.guardianship,
            protected_address: self.protected_address,
            digital_post: self.digital_post,
            disappeared_on: self.disappeared_on,
        }
    }
}
