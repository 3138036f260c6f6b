//! Attribute helpers for the two IdPs: FK Adgangsstyring privileges (OIO Basic
//! Privilege Profile), the NemLog-in identity (CPR, CPR UUID, name) and the
//! NSIS level of assurance.
//!
//! Errors name the attribute, never its value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::cpr::CprNumber;

use super::assertion::Login;
use super::dom::Element;
use super::error::AttributeError;
use super::xmlsec;

/// Attribute names (OIOSAML 3 URIs and the OIOSAML 2 names FK still sends).
pub mod names {
    pub const SPEC_VERSION: &str = "https://data.gov.dk/model/core/specVersion";
    pub const LOA: &str = "https://data.gov.dk/concept/core/nsis/loa";
    pub const CPR_NUMBER: &str = "https://data.gov.dk/model/core/eid/cprNumber";
    pub const CPR_UUID: &str = "https://data.gov.dk/model/core/eid/cprUuid";
    pub const FULL_NAME: &str = "https://data.gov.dk/model/core/eid/fullName";
    pub const FIRST_NAME: &str = "https://data.gov.dk/model/core/eid/firstName";
    pub const LAST_NAME: &str = "https://data.gov.dk/model/core/eid/lastName";
    pub const PRIVILEGES: &str = "https://data.gov.dk/model/core/eid/privilegesIntermediate";
    pub const PRIVILEGES_OIOSAML2: &str = "dk:gov:saml:attribute:Privileges_intermediate";
    pub const ASSURANCE_LEVEL_OIOSAML2: &str = "dk:gov:saml:attribute:AssuranceLevel";
}

/// Basic Privilege Profile namespaces: BPP 1.0.1 and BPP 1.2.
pub const BPP_NAMESPACE_1_0_1: &str = "http://itst.dk/oiosaml/basic_privilege_profile";
pub const BPP_NAMESPACE_1_2: &str = "http://digst.dk/oiosaml/basic_privilege_profile";

/// Scope prefix of a privilege group granted for a CVR number.
pub const CVR_SCOPE_PREFIX: &str = "urn:dk:gov:saml:cvrNumberIdentifier:";

/// NSIS level of assurance, ordered Low < Substantial < High.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loa {
    Low,
    Substantial,
    High,
}

impl Loa {
    /// Reads `Substantial` or `https://data.gov.dk/concept/core/nsis/loa/Substantial`.
    pub fn parse(text: &str) -> Option<Loa> {
        let word = text.trim().trim_start_matches("https://data.gov.dk/concept/core/nsis/loa/");
        match word {
            "Low" => Some(Loa::Low),
            "Substantial" => Some(Loa::Substantial),
            "High" => Some(Loa::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Loa::Low => "Low",
            Loa::Substantial => "Substantial",
            Loa::High => "High",
        }
    }
}

/// The LoA of a login: the `nsis/loa` attribute, else the AuthnContextClassRef.
pub fn loa(login: &Login) -> Option<Loa> {
    login
        .attributes
        .get(names::LOA)
        .and_then(Loa::parse)
        .or_else(|| login.authn_context.as_deref().and_then(Loa::parse))
}

/// Refuses a login below `minimum` (NemLog-in: LoA Low is never enough).
pub fn require_loa(login: &Login, minimum: Loa) -> Result<Loa, AttributeError> {
    let found = loa(login).ok_or(AttributeError::NoLoa)?;
    if found < minimum {
        return Err(AttributeError::LoaTooLow { found: found.as_str(), required: minimum.as_str() });
    }
    Ok(found)
}

/// FK Adgangsstyring's assurance rule (as OS2valghalla): NSIS LoA Substantial
/// or High, or the OIOSAML 2 `AssuranceLevel` 3 or more.
pub fn require_fk_assurance(login: &Login) -> Result<(), AttributeError> {
    let legacy_ok = login
        .attributes
        .get(names::ASSURANCE_LEVEL_OIOSAML2)
        .and_then(|level| level.trim().parse::<u32>().ok())
        .is_some_and(|level| level >= 3);
    if legacy_ok {
        return Ok(());
    }
    require_loa(login, Loa::Substantial).map(|_| ())
}

/// A citizen signed in through NemLog-in. `Debug` masks the CPR number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NemLoginIdentity {
    pub cpr: CprNumber,
    pub cpr_uuid: Option<String>,
    pub full_name: Option<String>,
    pub loa: Loa,
}

/// Reads the NemLog-in identity, refusing a LoA below `minimum_loa` and a
/// missing, repeated or malformed CPR number.
pub fn nemlogin_identity(login: &Login, minimum_loa: Loa) -> Result<NemLoginIdentity, AttributeError> {
    let loa = require_loa(login, minimum_loa)?;
    let cpr = single(login, names::CPR_NUMBER, "cprNumber")?.ok_or(AttributeError::Missing("cprNumber"))?;
    let cpr = CprNumber::parse(cpr)
        .map_err(|_| AttributeError::Malformed { name: "cprNumber", reason: "not a CPR number" })?;
    Ok(NemLoginIdentity {
        cpr,
        cpr_uuid: single(login, names::CPR_UUID, "cprUuid")?.map(str::to_owned),
        full_name: single(login, names::FULL_NAME, "fullName")?.map(str::to_owned),
        loa,
    })
}

fn single<'a>(login: &'a Login, name: &str, short: &'static str) -> Result<Option<&'a str>, AttributeError> {
    match login.attributes.all(name) {
        [] => Ok(None),
        [one] => Ok(Some(one.as_str())),
        _ => Err(AttributeError::SeveralValues(short)),
    }
}

/// One privilege of a user: a user-system role URI granted within a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privilege {
    /// E.g. `http://<vendor>/roles/usersystemrole/<name>/1`.
    pub privilege: String,
    /// E.g. `urn:dk:gov:saml:cvrNumberIdentifier:12345678`.
    pub scope: String,
    /// The privilege group's data constraints (`dataafgrænsning`).
    pub constraints: Vec<Constraint>,
}

impl Privilege {
    /// The CVR number if the scope is a CVR scope.
    pub fn cvr(&self) -> Option<&str> {
        self.scope.strip_prefix(CVR_SCOPE_PREFIX)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub name: String,
    pub value: String,
}

/// All privileges of a login, from the OIOSAML 3 or OIOSAML 2 privileges
/// attribute (every value of both is read), flattened per group.
pub fn privileges(login: &Login) -> Result<Vec<Privilege>, AttributeError> {
    let values: Vec<&String> = login
        .attributes
        .all(names::PRIVILEGES)
        .iter()
        .chain(login.attributes.all(names::PRIVILEGES_OIOSAML2))
        .collect();
    if values.is_empty() {
        return Err(AttributeError::Missing("privilegesIntermediate"));
    }
    let mut all = Vec::new();
    for value in values {
        all.extend(decode_privileges(value)?);
    }
    Ok(all)
}

/// Only the privileges granted for this CVR (the tenant's municipality).
pub fn privileges_for_cvr(privileges: &[Privilege], cvr: &str) -> Vec<Privilege> {
    privileges.iter().filter(|p| p.cvr() == Some(cvr)).cloned().collect()
}

/// Decodes one base64 attribute value holding a `bpp:PrivilegeList`.
pub fn decode_privileges(base64: &str) -> Result<Vec<Privilege>, AttributeError> {
    let compact: String = base64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact)
        .map_err(|_| AttributeError::Malformed { name: "privilegesIntermediate", reason: "not base64" })?;
    let xml = String::from_utf8(bytes)
        .map_err(|_| AttributeError::Malformed { name: "privilegesIntermediate", reason: "not UTF-8" })?;
    parse_privilege_list(&xml)
}

/// Parses a Basic Privilege Profile document in either namespace version.
/// Group children are unqualified in the schema; qualified ones are accepted too.
pub fn parse_privilege_list(xml: &str) -> Result<Vec<Privilege>, AttributeError> {
    let doc = xmlsec::parse(xml.to_owned()).map_err(|e| AttributeError::Privileges(e.to_string()))?;
    let root = doc.root();
    let namespace = [BPP_NAMESPACE_1_2, BPP_NAMESPACE_1_0_1]
        .into_iter()
        .find(|ns| root.is(ns, "PrivilegeList"))
        .ok_or_else(|| AttributeError::Privileges("the root is not a bpp:PrivilegeList".into()))?;
    let named = |e: &Element, name: &str| {
        e.name == name && (e.namespace.is_none() || e.namespace.as_deref() == Some(namespace))
    };

    let mut privileges = Vec::new();
    for group in root.elements().filter(|e| named(e, "PrivilegeGroup")) {
        let scope = group
            .attr("Scope")
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| AttributeError::Privileges("a PrivilegeGroup has no Scope".into()))?
            .trim()
            .to_owned();
        let constraints = group
            .elements()
            .filter(|e| named(e, "Constraint"))
            .map(|c| {
                Ok(Constraint {
                    name: c
                        .attr("Name")
                        .ok_or_else(|| AttributeError::Privileges("a Constraint has no Name".into()))?
                        .to_owned(),
                    value: c.trimmed_text().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, AttributeError>>()?;
        for privilege in group.elements().filter(|e| named(e, "Privilege")) {
            let uri = privilege.trimmed_text();
            if uri.is_empty() {
                return Err(AttributeError::Privileges("an empty Privilege".into()));
            }
            privileges.push(Privilege {
                privilege: uri.to_owned(),
                scope: scope.clone(),
                constraints: constraints.clone(),
            });
        }
    }
    Ok(privileges)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saml::assertion::Attributes;

    const BPP_1_0_1: &str = include_str!("../../tests/fixtures/saml/templates/bpp-1.0.1.xml");
    const BPP_1_2: &str = include_str!("../../tests/fixtures/saml/templates/bpp-1.2.xml");

    fn login(attributes: &[(&str, &str)]) -> Login {
        let mut all = Attributes::default();
        for (name, value) in attributes {
            all.insert(*name, *value);
        }
        Login {
            issuer: "idp".into(),
            name_id: "n".into(),
            name_id_format: None,
            session_index: None,
            authn_context: None,
            authn_instant: None,
            not_on_or_after: None,
            attributes: all,
            assertion_id: "_a".into(),
            in_response_to: "_r".into(),
        }
    }

    #[test]
    fn both_bpp_namespace_versions_parse() {
        let old = parse_privilege_list(BPP_1_0_1).unwrap();
        assert_eq!(old.len(), 2);
        assert_eq!(old[0].cvr(), Some("87654321"));
        let ours = privileges_for_cvr(&old, "12345678");
        assert_eq!(ours.len(), 1);
        assert!(ours[0].privilege.ends_with("/secretariat/1"));

        let new = parse_privilege_list(BPP_1_2).unwrap();
        assert_eq!(new.len(), 4);
        assert_eq!(new[3].scope, "urn:dk:gov:saml:seNumberIdentifier:11223344");
        assert_eq!(new[3].cvr(), None);
    }

    #[test]
    fn privileges_come_from_either_attribute_name() {
        let encoded = STANDARD.encode(BPP_1_0_1);
        let oiosaml3 = login(&[(names::PRIVILEGES, &encoded)]);
        assert_eq!(privileges(&oiosaml3).unwrap().len(), 2);
        let both = login(&[(names::PRIVILEGES, &encoded), (names::PRIVILEGES_OIOSAML2, &encoded)]);
        assert_eq!(privileges(&both).unwrap().len(), 4);
        assert_eq!(privileges(&login(&[])).unwrap_err(), AttributeError::Missing("privilegesIntermediate"));
        assert!(decode_privileges("not base64!").is_err());
        assert!(parse_privilege_list("<PrivilegeList/>").is_err());
        let no_scope = BPP_1_0_1.replace(r#"Scope="urn:dk:gov:saml:cvrNumberIdentifier:87654321""#, "");
        assert!(parse_privilege_list(&no_scope).is_err());
    }

    #[test]
    fn loa_reads_attribute_then_authn_context() {
        assert_eq!(Loa::parse("https://data.gov.dk/concept/core/nsis/loa/High"), Some(Loa::High));
        assert_eq!(Loa::parse("Medium"), None);
        let mut by_context = login(&[]);
        by_context.authn_context = Some("https://data.gov.dk/concept/core/nsis/loa/Substantial".into());
        assert_eq!(loa(&by_context), Some(Loa::Substantial));
        assert_eq!(require_loa(&login(&[]), Loa::Substantial).unwrap_err(), AttributeError::NoLoa);
        assert!(require_loa(&login(&[(names::LOA, "High")]), Loa::Substantial).is_ok());
    }

    #[test]
    fn fk_assurance_accepts_oiosaml2_level_three() {
        assert!(require_fk_assurance(&login(&[(names::ASSURANCE_LEVEL_OIOSAML2, "3")])).is_ok());
        assert!(require_fk_assurance(&login(&[(names::ASSURANCE_LEVEL_OIOSAML2, "2")])).is_err());
        assert!(require_fk_assurance(&login(&[(names::LOA, "Low")])).is_err());
    }

    #[test]
    fn cpr_errors_name_the_attribute_not_the_value() {
        let bad = login(&[(names::LOA, "Substantial"), (names::CPR_NUMBER, "3213999999")]);
        let error = nemlogin_identity(&bad, Loa::Substantial).unwrap_err();
        assert!(!error.to_string().contains("3213999999"), "{error}");
        let twice =
            login(&[(names::LOA, "Substantial"), (names::CPR_NUMBER, "0101709995"), (names::CPR_NUMBER, "0101709995")]);
        assert_eq!(
            nemlogin_identity(&twice, Loa::Substantial).unwrap_err(),
            AttributeError::SeveralValues("cprNumber")
        );
        let missing = login(&[(names::LOA, "Substantial")]);
        assert_eq!(nemlogin_identity(&missing, Loa::Substantial).unwrap_err(), AttributeError::Missing("cprNumber"));
    }
}
