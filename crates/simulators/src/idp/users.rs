//! Test users of the simulated IdPs and the attributes each one yields.
//!
//! The file format is described at the top of `fixtures/idp-users.toml`, which is also
//! the built-in default set.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::xml::escape;

/// The compiled-in default users.
pub const DEFAULT_USERS_TOML: &str = include_str!("../../fixtures/idp-users.toml");

/// NSIS level of assurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Loa {
    Low,
    #[default]
    Substantial,
    High,
}

impl Loa {
    pub fn as_str(self) -> &'static str {
        match self {
            Loa::Low => "Low",
            Loa::Substantial => "Substantial",
            Loa::High => "High",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Low" => Some(Loa::Low),
            "Substantial" => Some(Loa::Substantial),
            "High" => Some(Loa::High),
            _ => None,
        }
    }
    /// OIOSAML 2 `AssuranceLevel`: NSIS Low ≈ 2, Substantial ≈ 3, High ≈ 4.
    pub fn assurance_level(self) -> u8 {
        match self {
            Loa::Low => 2,
            Loa::Substantial => 3,
            Loa::High => 4,
        }
    }
    /// The `AuthnContextClassRef` OIOSAML 3 uses for this level.
    pub fn class_ref(self) -> String {
        format!("https://data.gov.dk/concept/core/nsis/loa/{}", self.as_str())
    }
}

/// Which attribute names an FK user's assertion carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    #[default]
    Oiosaml2,
    Oiosaml3,
    Both,
}

impl Profile {
    fn v2(self) -> bool {
        matches!(self, Profile::Oiosaml2 | Profile::Both)
    }
    fn v3(self) -> bool {
        matches!(self, Profile::Oiosaml3 | Profile::Both)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Constraint {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrivilegeGroup {
    pub scope: String,
    pub privileges: Vec<String>,
    #[serde(default)]
    pub constraints: Vec<Constraint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FkUser {
    pub id: String,
    pub name: String,
    pub cvr: String,
    pub uuid: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub loa: Loa,
    #[serde(default)]
    pub profile: Profile,
    /// "1.0.1" (itst.dk) or "1.2" (digst.dk); default follows the profile.
    #[serde(default)]
    pub bpp_namespace: Option<String>,
    #[serde(default)]
    pub privilege_groups: Vec<PrivilegeGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Citizen {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub full_name: Option<String>,
    pub cpr: String,
    pub cpr_uuid: String,
    pub date_of_birth: NaiveDate,
    #[serde(default)]
    pub loa: Loa,
    #[serde(default)]
    pub email: Option<String>,
}

/// All test users of both flavours.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Users {
    #[serde(default)]
    pub fk: Vec<FkUser>,
    #[serde(default)]
    pub nemlogin: Vec<Citizen>,
}

impl Users {
    /// The compiled-in set from `fixtures/idp-users.toml`.
    pub fn builtin() -> Self {
        Self::from_toml(DEFAULT_USERS_TOML).expect("the built-in idp-users.toml is valid")
    }

    /// Parse a users file and check what the simulator relies on (unique ids, CPR shape).
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let users: Users = toml::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        for id in users.fk.iter().map(|u| &u.id).chain(users.nemlogin.iter().map(|c| &c.id)) {
            anyhow::ensure!(seen.insert(id.clone()), "duplicate user id {id:?}");
        }
        for c in &users.nemlogin {
            anyhow::ensure!(
                c.cpr.len() == 10 && c.cpr.bytes().all(|b| b.is_ascii_digit()),
                "user {:?}: cpr must be 10 digits",
                c.id
            );
        }
        for u in &users.fk {
            if let Some(ns) = &u.bpp_namespace {
                anyhow::ensure!(ns == "1.0.1" || ns == "1.2", "user {:?}: bpp_namespace must be 1.0.1 or 1.2", u.id);
            }
        }
        Ok(users)
    }

    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        Self::from_toml(&std::fs::read_to_string(path)?)
    }
}

/// One SAML attribute, possibly multi-valued.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<String>,
}

impl Attribute {
    fn one(name: &str, value: impl Into<String>) -> Self {
        Self { name: name.into(), values: vec![value.into()] }
    }
}

pub const FORMAT_X509: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
pub const FORMAT_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";

pub const ATTR_PRIVILEGES_V2: &str = "dk:gov:saml:attribute:Privileges_intermediate";
pub const ATTR_PRIVILEGES_V3: &str = "https://data.gov.dk/model/core/eid/privilegesIntermediate";
pub const ATTR_ASSURANCE_V2: &str = "dk:gov:saml:attribute:AssuranceLevel";
pub const ATTR_LOA: &str = "https://data.gov.dk/concept/core/nsis/loa";
pub const ATTR_SPEC_VERSION: &str = "https://data.gov.dk/model/core/specVersion";
pub const ATTR_CPR: &str = "https://data.gov.dk/model/core/eid/cprNumber";
pub const ATTR_CPR_UUID: &str = "https://data.gov.dk/model/core/eid/cprUuid";
pub const ATTR_FULL_NAME: &str = "https://data.gov.dk/model/core/eid/fullName";

const BPP_NS_101: &str = "http://itst.dk/oiosaml/basic_privilege_profile";
const BPP_NS_12: &str = "http://digst.dk/oiosaml/basic_privilege_profile";

impl FkUser {
    /// OIOSAML 2 X509SubjectName NameID as FK Adgangsstyring sends it.
    pub fn name_id(&self) -> String {
        format!("C=DK,O={},CN={},Serial={}", self.cvr, self.name, self.uuid)
    }

    fn bpp_ns(&self) -> &'static str {
        match self.bpp_namespace.as_deref() {
            Some("1.0.1") => BPP_NS_101,
            Some(_) => BPP_NS_12,
            None if self.profile == Profile::Oiosaml3 => BPP_NS_12,
            None => BPP_NS_101,
        }
    }

    /// The Basic Privilege Profile document (not yet base64).
    pub fn privilege_list_xml(&self) -> String {
        let mut x = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><bpp:PrivilegeList xmlns:bpp=\"{}\" \
             xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            self.bpp_ns()
        );
        for g in &self.privilege_groups {
            x += &format!("<PrivilegeGroup Scope=\"{}\">", escape(&g.scope));
            for p in &g.privileges {
                x += &format!("<Privilege>{}</Privilege>", escape(p));
            }
            for c in &g.constraints {
                x += &format!("<Constraint Name=\"{}\">{}</Constraint>", escape(&c.name), escape(&c.value));
            }
            x += "</PrivilegeGroup>";
        }
        x + "</bpp:PrivilegeList>"
    }

    pub fn attributes(&self, loa: Loa) -> Vec<Attribute> {
        use base64::Engine as _;
        let mut out = Vec::new();
        let privileges = (!self.privilege_groups.is_empty())
            .then(|| base64::engine::general_purpose::STANDARD.encode(self.privilege_list_xml()));
        if self.profile.v3() {
            out.push(Attribute::one(ATTR_SPEC_VERSION, "OIO-SAML-3.0"));
            out.push(Attribute::one(ATTR_LOA, loa.as_str()));
            out.push(Attribute::one(ATTR_FULL_NAME, &self.name));
            out.push(Attribute::one("https://data.gov.dk/model/core/eid/professional/cvr", &self.cvr));
            out.push(Attribute::one("https://data.gov.dk/model/core/eid/professional/uuid/persistent", &self.uuid));
            if let Some(mail) = &self.email {
                out.push(Attribute::one("https://data.gov.dk/model/core/eid/email", mail));
            }
            if let Some(p) = &privileges {
                out.push(Attribute::one(ATTR_PRIVILEGES_V3, p));
            }
        }
        if self.profile.v2() {
            out.push(Attribute::one("dk:gov:saml:attribute:SpecVer", "DK-SAML-2.0"));
            out.push(Attribute::one(ATTR_ASSURANCE_V2, loa.assurance_level().to_string()));
            out.push(Attribute::one("dk:gov:saml:attribute:CvrNumberIdentifier", &self.cvr));
            out.push(Attribute::one("urn:oid:2.5.4.3", &self.name));
            if let Some(mail) = &self.email {
                out.push(Attribute::one("urn:oid:0.9.2342.19200300.100.1.3", mail));
            }
            if let Some(p) = &privileges {
                out.push(Attribute::one(ATTR_PRIVILEGES_V2, p));
            }
        }
        out
    }
}

impl Citizen {
    pub fn full_name(&self) -> String {
        self.full_name.clone().unwrap_or_else(|| format!("{} {}", self.first_name, self.last_name))
    }

    /// Persistent NameID: NemLog-in identifies a person by a UUID URI.
    pub fn name_id(&self) -> String {
        format!("https://data.gov.dk/model/core/eid/person/uuid/{}", self.cpr_uuid)
    }

    /// Age in whole years on `today` (a birthday on the day counts as reached).
    pub fn age_on(&self, today: NaiveDate) -> i32 {
        let dob = self.date_of_birth;
        let mut age = today.year() - dob.year();
        if (today.month(), today.day()) < (dob.month(), dob.day()) {
            age -= 1;
        }
        age
    }

    pub fn attributes(&self, loa: Loa, today: NaiveDate) -> Vec<Attribute> {
        let e = |n: &str| format!("https://data.gov.dk/model/core/eid/{n}");
        let mut out = vec![
            Attribute::one(ATTR_SPEC_VERSION, "OIO-SAML-3.0"),
            Attribute::one(ATTR_LOA, loa.as_str()),
            Attribute::one("https://data.gov.dk/concept/core/nsis/ial", loa.as_str()),
            Attribute::one("https://data.gov.dk/concept/core/nsis/aal", loa.as_str()),
            Attribute::one(ATTR_FULL_NAME, self.full_name()),
            Attribute::one(&e("firstName"), &self.first_name),
            Attribute::one(&e("lastName"), &self.last_name),
            Attribute::one(ATTR_CPR, &self.cpr),
            Attribute::one(ATTR_CPR_UUID, &self.cpr_uuid),
            Attribute::one(&e("dateOfBirth"), self.date_of_birth.format("%Y-%m-%d").to_string()),
            Attribute::one(&e("age"), self.age_on(today).to_string()),
        ];
        if let Some(mail) = &self.email {
            out.push(Attribute::one(&e("email"), mail));
        }
        out
    }
}

/// Short names accepted by the `missing_attributes` fault besides full attribute names.
pub fn expand_attribute_alias(name: &str) -> Vec<&str> {
    match name {
        "privileges" => vec![ATTR_PRIVILEGES_V2, ATTR_PRIVILEGES_V3],
        "loa" => vec![ATTR_LOA, ATTR_ASSURANCE_V2],
        "cprNumber" | "cpr" => vec![ATTR_CPR],
        "cprUuid" => vec![ATTR_CPR_UUID],
        "fullName" => vec![ATTR_FULL_NAME],
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_users_parse_and_cover_the_cases() {
        let users = Users::builtin();
        assert!(users.fk.iter().any(|u| u.bpp_ns() == BPP_NS_101));
        assert!(users.fk.iter().any(|u| u.bpp_ns() == BPP_NS_12));
        assert!(users.fk.iter().any(|u| u.privilege_groups.len() > 1));
        assert!(users.fk.iter().any(|u| u.privilege_groups.iter().any(|g| !g.constraints.is_empty())));
        assert!(users.nemlogin.iter().any(|c| c.loa == Loa::Low));
    }

    #[test]
    fn age_counts_the_birthday_itself() {
        let c = Users::builtin().nemlogin.into_iter().find(|c| c.id == "karen").unwrap();
        assert_eq!(c.age_on(NaiveDate::from_ymd_opt(2026, 5, 12).unwrap()), 41);
        assert_eq!(c.age_on(NaiveDate::from_ymd_opt(2026, 5, 11).unwrap()), 40);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let t = "[[nemlogin]]\nid='a'\nfirst_name='A'\nlast_name='B'\ncpr='0101010101'\ncpr_uuid='x'\n\
                 date_of_birth='2001-01-01'\n[[fk]]\nid='a'\nname='n'\ncvr='1'\nuuid='u'\n";
        assert!(Users::from_toml(t).is_err());
    }
}
